"""Child processes of `python -m bench.scale`: a cold start, serving through a version swap, a serving process for the memory figure, a build.

Each mode prints one line `RESULT {json}` (the serving mode prints `READY {json}` and waits for `QUIT` on stdin).
Timestamps are `time.time()` so the parent can relate them to its own clock (same host). This file imports only
the standard library, psutil and Verbatim's public service API (`index.config.Settings`, `index.service.Verbatim`),
so it also runs as a plain script against another checkout (`--baseline-tree`): `PYTHONPATH=<tree> python bench/scale_child.py build ...`.
"""

from __future__ import annotations

import time

STARTED = time.time()  # before any import below: the parent measures interpreter start-up against this

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

MB = 2**20


def process_memory(pid: int) -> dict[str, float]:
    """RSS, USS, PSS (psutil, from smaps) and RssAnon/RssFile/RssShmem (from /proc/PID/status) of one process, in MiB."""
    import psutil

    process = psutil.Process(pid)
    full = process.memory_full_info()
    values = {
        "rss_mb": round(full.rss / MB, 1),
        "uss_mb": round(getattr(full, "uss", 0) / MB, 1),
        "pss_mb": round(getattr(full, "pss", 0) / MB, 1),
    }
    values.update(status_memory(pid))
    return values


def status_memory(pid: int) -> dict[str, float]:
    """RssAnon, RssFile and RssShmem of /proc/PID/status in MiB (zero when the kernel does not report them)."""
    wanted = {"RssAnon:": "anon_mb", "RssFile:": "file_mb", "RssShmem:": "shmem_mb"}
    values = dict.fromkeys(wanted.values(), 0.0)
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                key = line.split(None, 1)[0] if line.strip() else ""
                if key in wanted:
                    values[wanted[key]] = round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return values


def _service(index_dir: Path, data_dir: Path | None = None) -> Any:
    from index.config import Settings
    from index.service import Verbatim

    base = index_dir.parent
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        knowledge_dir=base / "knowledge",
        index_dir=index_dir,
        data_dir=data_dir or base / "data",
        discord_token=None,
    )
    return Verbatim(settings)


def _emit(tag: str, data: dict[str, Any]) -> None:
    print(f"{tag} {json.dumps(data)}", flush=True)


def cold(args: argparse.Namespace) -> None:
    """Start as an operator does: import the service, load the model and the current version, answer one question."""
    stamps: dict[str, float] = {"started": STARTED}
    from index.config import Settings  # noqa: F401
    from index.service import Verbatim  # noqa: F401

    stamps["imported"] = time.time()
    service = _service(args.index_dir)
    # The model and backend the current version was built with, as `Verbatim.load` asks for them (read first so
    # the model's load can be timed apart from the index's; `load` then reuses the embedder).
    manifest = json.loads((service.store.current_path() / "manifest.json").read_text(encoding="utf-8"))
    service.embedder_for(manifest["model"], manifest["backend"])
    stamps["model_loaded"] = time.time()
    service.load()
    stamps["index_loaded"] = time.time()
    answer = service.ask(args.question)
    stamps["answered"] = time.time()
    _emit("RESULT", {"stamps": stamps, "answered": bool(getattr(answer, "answered", True)), "memory": process_memory(os.getpid())})


def swap(args: argparse.Namespace) -> None:
    """Answer questions from one thread without pause while another polls `refresh_if_changed` (as upkeep does)."""
    questions = json.loads(args.questions_json.read_text(encoding="utf-8"))
    service = _service(args.index_dir)
    first = service.load().version
    service.ask(questions[0])
    answers: list[tuple[float, float]] = []
    errors: list[str] = []
    stop = threading.Event()
    swapped: dict[str, Any] = {}

    def ask_loop() -> None:
        number = 0
        while not stop.is_set():
            question = questions[number % len(questions)]
            number += 1
            started = time.time()
            try:
                service.ask(question)
            except Exception as exc:  # reported, never hidden: an error during the swap is a finding
                errors.append(f"{exc.__class__.__name__}: {exc}")
            answers.append((started, time.time()))

    def refresh_loop() -> None:
        while not stop.is_set():
            started = time.time()
            version = service.refresh_if_changed()
            if version is not None:
                swapped.update(started=started, finished=time.time(), version=version)
                return
            time.sleep(args.poll)

    asker = threading.Thread(target=ask_loop, name="asker", daemon=True)
    refresher = threading.Thread(target=refresh_loop, name="refresher", daemon=True)
    asker.start()
    refresher.start()
    _emit("READY", {"version": first})
    deadline = time.time() + args.timeout
    while not swapped and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(args.after if swapped else 0)
    stop.set()
    asker.join(timeout=60)
    refresher.join(timeout=1)
    _emit("RESULT", {"first": first, "swap": swapped, "answers": answers, "errors": errors[:5], "error_count": len(errors)})


def serve(args: argparse.Namespace) -> None:
    """Load the service, answer `bursts` bursts of `burst` questions from a pool of threads, report memory, wait for QUIT."""
    questions = json.loads(args.questions_json.read_text(encoding="utf-8"))
    service = _service(args.index_dir)
    started = time.time()
    service.load()
    loaded_seconds = time.time() - started
    after_load = process_memory(os.getpid())
    latencies: list[float] = []

    def one(question: str) -> None:
        t0 = time.perf_counter()
        service.ask(question)
        latencies.append(time.perf_counter() - t0)

    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        for _ in range(args.bursts):
            list(pool.map(one, [questions[i % len(questions)] for i in range(args.burst)]))
    _emit(
        "READY",
        {
            "load_seconds": round(loaded_seconds, 2),
            "after_load": after_load,
            "answered": len(latencies),
            "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        },
    )
    for line in sys.stdin:
        if line.strip() == "QUIT":
            break


def build(args: argparse.Namespace) -> None:
    """Build a fresh index of `knowledge_dir` with the model (nothing to reuse) and report stage times from the progress callback."""
    from index.config import Settings
    from index.service import Verbatim

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        knowledge_dir=args.knowledge_dir,
        index_dir=args.index_dir,
        data_dir=args.index_dir.parent / "data",
        discord_token=None,
    )
    service = Verbatim(settings)
    events: list[tuple[float, str, int, int]] = []

    def progress(stage: str, done: int, total: int) -> None:
        events.append((time.time(), stage, done, total))

    started = time.time()
    report = service.build(progress=progress, built_by="bench.scale")
    finished = time.time()
    units = len(service.store.load().units)
    _emit(
        "RESULT",
        {
            "started": started,
            "finished": finished,
            "events": events,
            "units": units,
            "passages": report.passages_after,
            "passages_embedded": report.passages_embedded,
        },
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    modes = parser.add_subparsers(dest="mode", required=True)
    p = modes.add_parser("cold")
    p.add_argument("--index-dir", type=Path, required=True)
    p.add_argument("--question", required=True)
    p = modes.add_parser("swap")
    p.add_argument("--index-dir", type=Path, required=True)
    p.add_argument("--questions-json", type=Path, required=True)
    p.add_argument("--poll", type=float, default=0.1, help="seconds between refresh_if_changed calls")
    p.add_argument("--after", type=float, default=3.0, help="seconds of answering after the swap")
    p.add_argument("--timeout", type=float, default=3600.0)
    p = modes.add_parser("serve")
    p.add_argument("--index-dir", type=Path, required=True)
    p.add_argument("--questions-json", type=Path, required=True)
    p.add_argument("--bursts", type=int, default=3)
    p.add_argument("--burst", type=int, default=100)
    p.add_argument("--workers", type=int, default=min(32, (os.cpu_count() or 1) + 4), help="threads (the bot's default executor size)")
    p = modes.add_parser("build")
    p.add_argument("--knowledge-dir", type=Path, required=True)
    p.add_argument("--index-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    {"cold": cold, "swap": swap, "serve": serve, "build": build}[args.mode](args)


if __name__ == "__main__":
    main()
