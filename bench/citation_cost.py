"""Cost of rendering citations: import, cold (style parsed on first use) and warm (cached style) render per style.

Runs each cold measurement in a fresh process, since the style cache lives for the whole process. Prints a table.
    python -m bench.citation_cost --runs 5 --warm 200
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = "korean-peninsula-denuclearization-2019"


def probe(style: str, warm: int) -> dict[str, float]:
    """In this (fresh) process: import time, first render of `style` (loads it), then `warm` renders."""
    started = time.perf_counter()
    from index import citations
    from index.models import Citation, DocumentMeta

    imported = time.perf_counter()
    data = json.loads((ROOT / "knowledge" / f"{ARTICLE}.meta.json").read_text(encoding="utf-8"))
    citation = Citation(meta=DocumentMeta.from_dict({**data, "doc_id": ARTICLE}), passage_id="p-x", section="", page="93")
    begin = time.perf_counter()
    citations.render(citation, style)
    cold = time.perf_counter() - begin
    times = []
    for _ in range(warm):  # the style is loaded; the rendering itself, without the result cache
        begin = time.perf_counter()
        citations.render_uncached(citation.meta, citation.page, style)
        times.append(time.perf_counter() - begin)
    whole = []
    for page in range(91, 99):  # a new page each time: every style rendered, not a cached result
        other = Citation(meta=citation.meta, passage_id="p-x", section="", page=str(page))
        begin = time.perf_counter()
        citations.rendered(other)  # what the Cite button and `ask --json` compute: every style, BibTeX and RIS
        whole.append(time.perf_counter() - begin)
    begin = time.perf_counter()
    citations.rendered(citation)
    cached = time.perf_counter() - begin
    return {
        "import_ms": (imported - started) * 1000,
        "cold_ms": cold * 1000,
        "warm_ms": statistics.median(times) * 1000,
        "all_ms": statistics.median(whole[1:]) * 1000,  # the first one loads the other styles
        "cached_ms": cached * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per style")
    parser.add_argument("--warm", type=int, default=200, help="warm renders per process")
    parser.add_argument("--probe", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(json.dumps(probe(args.probe, args.warm)))
        return
    from index.citations import STYLES

    print(
        "| style | import ms | cold render ms (loads the style) | warm render ms (median) | all styles + BibTeX + RIS, new page, ms | same, page seen before, ms |"
    )
    print("|---|---|---|---|---|---|")
    for key in STYLES:
        rows = []
        for _ in range(args.runs):
            out = subprocess.run(
                [sys.executable, "-m", "bench.citation_cost", "--probe", key, "--warm", str(args.warm)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            rows.append(json.loads(out.stdout))
        med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        print(
            f"| {key} | {med['import_ms']:.1f} | {med['cold_ms']:.1f} | {med['warm_ms']:.2f} | {med['all_ms']:.1f} | {med['cached_ms']:.2f} |"
        )
    print(f"medians over {args.runs} fresh processes per style, {args.warm} warm renders each")


if __name__ == "__main__":
    main()
