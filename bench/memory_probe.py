"""Child process for the memory benchmark: load the service on one index, answer questions, print RSS as JSON."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import psutil


def _mb(value: int) -> float:
    return round(value / 2**20, 1)


def _rss_parts(process: psutil.Process) -> dict[str, float]:
    """RSS split into anonymous memory and file-backed pages (memory-mapped index, libraries)."""
    rss_file = rss_anon = 0
    try:
        with open(f"/proc/{process.pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("RssFile:"):
                    rss_file = int(line.split()[1]) * 1024
                elif line.startswith("RssAnon:"):
                    rss_anon = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {"rss_mb": _mb(process.memory_info().rss), "rss_file_mb": _mb(rss_file), "rss_anon_mb": _mb(rss_anon)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    args = parser.parse_args()

    from index.config import Settings
    from index.service import Verbatim

    process = psutil.Process()
    base = args.index_dir.parent
    settings = Settings(
        _env_file=None, knowledge_dir=base / "knowledge", index_dir=args.index_dir, data_dir=base / "data", discord_token=None
    )  # type: ignore[call-arg]
    service = Verbatim(settings)
    service.load()
    loaded = _rss_parts(process)
    questions = [json.loads(line)["question"] for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    for question in questions:
        service.ask(question)
    answered = _rss_parts(process)
    mapped = [m.path for m in process.memory_maps() if m.path.endswith(".faiss")]
    json.dump({"loaded": loaded, "answered": answered, "faiss_file_mapped": bool(mapped), "pid": os.getpid()}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
