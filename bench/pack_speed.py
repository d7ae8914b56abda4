"""How long packing one paragraph of many sentences into passages takes, by its length.

Run from the repository root::

    python -m bench.pack_speed                    # 100 … 6,400 sentences of 45 characters
    python -m bench.pack_speed --sizes 200,400,800

A text file with no line break is one paragraph. Up to `MAX_BALANCED_UNITS` sentences `pack_spans` partitions them
exactly evenly (cost parts × sentences²); past it, greedily at the smallest width that needs no more passages. The
figures are seconds of one call, the best of three, with the load average before, because the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import time

from index.chunking import MAX_BALANCED_UNITS, MAX_PASSAGE_CHARS, pack_spans, sentence_spans


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,200,400,800,1600,3200,6400", help="sentence counts, comma-separated")
    args = parser.parse_args(argv)
    print(f"load {os.getloadavg()[0]:.2f}; exact partition up to {MAX_BALANCED_UNITS} sentences")
    for size in (int(n) for n in args.sizes.split(",")):
        text = "The quick brown fox jumps over the lazy dog. " * size
        spans = sentence_spans(text)
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            chunks = pack_spans(text, spans, MAX_PASSAGE_CHARS)
            best = min(best, time.perf_counter() - started)
        print(f"{size:>6} sentences  {best:8.3f} s  {len(chunks)} passages, longest {max(e - s for s, e in chunks)} characters")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
