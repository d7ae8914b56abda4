"""The query path per question language: p50/p95/p99 of the question embedding and of everything else in `ask`.

    OMP_NUM_THREADS=1 python -m bench.query_path --index-dir var/bench/padded-100000/index
    python -m bench.query_path --index-dir … --dump before.json   # every answer's ranking and features, to compare
    python -m bench.query_path --compare before.json after.json    # identical results? (exit 1 if not)
    python -m bench.query_path --index-dir … --variant language_centering=1   # other retrieval parameters (bench.sweep)

Asks every question of the dev set and of the development corpus (all four languages) through `Verbatim.ask`,
`--runs` times after a warm-up, in this process. `embed` is the question embedding, `rank` the rest of
`Retriever.search` (`dense` the FAISS search, `rank - dense` all but it), `answer` the gate and the quote after it, `besides embed` = total - embed (the issue's target:
its p50 at most 10 ms, its p99 at most 100 ms - embed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "eval"
DEFAULT_QUESTIONS = (SHARED / "dev.jsonl", SHARED / "corpus.jsonl")
PARTS = ("embed", "dense", "rank - dense", "answer", "besides embed", "total")


def read_questions(paths: list[Path]) -> list[tuple[str, str]]:
    """(language, question) of every line of the question files."""
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows.append((str(row.get("lang", "?")), str(row["question"])))
    return rows


def record(answer: Any) -> dict[str, Any]:
    """What an answer says and why, down to the unit scores (floats as repr, so a comparison is exact)."""
    return {
        "answered": answer.answered,
        "reason": answer.reason,
        "gate": {k: repr(v) for k, v in answer.gate.items()},
        "passages": [(sp.passage.id, repr(sp.score)) for sp in answer.passages],
        "quote": None if answer.quote is None else (answer.quote.passage.id, answer.quote.text),
    }


def search_record(result: Any) -> dict[str, Any]:
    return {
        "hits": [(h.unit, h.passage, h.start, h.end, repr(h.score), repr(h.bridge)) for h in result.unit_hits],
        "passages": [(sp.passage.id, repr(sp.score)) for sp in result.passages],
        "features": {
            name: repr(getattr(result, name))
            for name in (
                "best_dense",
                "best_generic",
                "lexical_best",
                "readings_best",
                "bridge_best",
                "known_share",
                "content_share",
                "content_tokens",
                "unknown_identifiers",
                "calibration",
                "unit_median",
            )
        },
    }


def percentiles(values: list[float]) -> str:
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return f"{p50:7.1f} {p95:7.1f} {p99:7.1f}"


def compare(before: Path, after: Path) -> int:
    a = json.loads(before.read_text(encoding="utf-8"))["results"]
    b = json.loads(after.read_text(encoding="utf-8"))["results"]
    differing = [q for q in a if a[q] != b.get(q)]
    for question in differing[:10]:
        for key in a[question]:
            if a[question][key] != b[question].get(key):
                print(f"DIFFERENT {question[:60]!r} {key}:\n  {str(a[question][key])[:400]}\n  {str(b[question].get(key))[:400]}")
    print(f"{len(a) - len(differing)}/{len(a)} questions identical (rankings, unit scores, gate features, quotes)")
    return 1 if differing or set(a) != set(b) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--questions", type=Path, action="append", help="question files (default: dev and corpus)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dump", type=Path, help="write every answer's ranking and features here")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--variant", default="base", help="retrieval parameters: `base` or field=value,… (bench.sweep)")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    if args.index_dir is None:
        parser.error("--index-dir is required")

    from bench.run import settings_for
    from bench.sweep import parse_variant
    from index.service import Verbatim

    questions = read_questions(args.questions or list(DEFAULT_QUESTIONS))
    service = Verbatim(settings_for(args.index_dir.parent, args.index_dir))
    started = time.perf_counter()
    loaded = service.load()
    load_seconds = time.perf_counter() - started
    retriever = service.answerer.retriever
    retriever.params = parse_variant(args.variant)[1]
    for _, question in questions[:5]:
        service.ask(question)  # warm-up: first calls allocate buffers and fault pages in
    times: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    results: dict[str, Any] = {}
    for run in range(args.runs):
        for language, question in questions:
            answer = service.ask(question)
            t = answer.timings_ms
            parts = {
                "embed": t["embed"],
                "dense": t.get("dense", 0.0),
                "rank - dense": t["rank"] - t.get("dense", 0.0),
                "answer": t["answer"],
                "besides embed": t["total"] - t["embed"],
                "total": t["total"],
            }
            for key in (language, "all"):
                for part, value in parts.items():
                    times[key][part].append(value)
            if run == 0 and args.dump:
                results[question] = {**record(answer), **search_record(retriever.search(question, k=3))}
    load = os.getloadavg()
    print(
        f"{len(loaded.passages):,} passages, {len(loaded.units):,} units, {loaded.manifest.index_type}; load {load_seconds:.1f} s; "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '')}; {args.runs} runs; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    print(f"{'language':<9}{'n':>5}  " + "  ".join(f"{part + ' p50/p95/p99 ms':>27}" for part in PARTS))
    for language in sorted(times, key=lambda k: (k == "all", k)):
        n = len(times[language]["embed"]) // args.runs
        print(f"{language:<9}{n:>5}  " + "  ".join(f"{percentiles(times[language][part]):>27}" for part in PARTS))
    if args.dump:
        args.dump.write_text(json.dumps({"index": str(args.index_dir), "results": results}, ensure_ascii=False, indent=0), encoding="utf-8")
        print(f"wrote {args.dump}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
