"""Load probe: time and memory of `IndexStore.load()` and `Retriever(...)` on one index, in a fresh process.

    python -m bench.load_probe var/bench/padded-100000/index [--retriever]

Prints one JSON line: seconds and RSS / anonymous memory (psutil USS, /proc RssAnon) after each step.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
from pathlib import Path
from typing import Any


def _memory() -> dict[str, float]:
    import psutil

    info = psutil.Process().memory_full_info()
    anon = 0.0
    with open("/proc/self/status", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("RssAnon:"):
                anon = int(line.split()[1]) / 1024
    return {"rss_mib": round(info.rss / 2**20, 1), "uss_mib": round(info.uss / 2**20, 1), "anon_mib": round(anon, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--retriever", action="store_true", help="also construct the Retriever (loads the model)")
    args = parser.parse_args()
    from index.store import IndexStore

    out: dict[str, Any] = {"load_average": os.getloadavg()[0], "baseline": _memory()}
    started = time.perf_counter()
    loaded = IndexStore(args.index_dir).load()
    out["load_seconds"] = round(time.perf_counter() - started, 2)
    gc.collect()
    out["after_load"] = _memory()
    out["passages"], out["units"] = len(loaded.passages), len(loaded.units)
    started = time.perf_counter()
    position = loaded.position
    some = loaded.passages[len(loaded.passages) // 2].id
    out["position_seconds"] = round(time.perf_counter() - started, 3)
    assert position.get(some) == len(loaded.passages) // 2
    if args.retriever:
        from index.embeddings import load_embedder
        from index.search import Retriever

        started = time.perf_counter()
        embedder = load_embedder(loaded.manifest.model, loaded.manifest.backend, threads=1)
        out["embedder_seconds"] = round(time.perf_counter() - started, 2)
        out["after_embedder"] = _memory()
        started = time.perf_counter()
        Retriever(loaded, embedder)
        out["retriever_seconds"] = round(time.perf_counter() - started, 2)
        gc.collect()
        out["after_retriever"] = _memory()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
