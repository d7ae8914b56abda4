"""Liveness for containers: the bot writes a heartbeat file; `verbatim health` checks it and the index."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from index.errors import IndexError_
from index.store import IndexStore

HEARTBEAT_FILE = "heartbeat.json"
MAX_HEARTBEAT_AGE = 180.0


def write_heartbeat(data_dir: Path, **fields: object) -> None:
    """Record that the bot is alive (called periodically from the bot)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / f".{HEARTBEAT_FILE}.tmp"
    tmp.write_text(json.dumps({"time": time.time(), **fields}), encoding="utf-8")
    os.replace(tmp, data_dir / HEARTBEAT_FILE)


def check_health(
    index_dir: Path, data_dir: Path, *, require_bot: bool = True, max_age: float = MAX_HEARTBEAT_AGE, full: bool = False
) -> list[str]:
    """Problems found (empty when healthy): the current index readable, not marked damaged and every file at its size
    (`full`: every checksum verified, which reads the whole index), and the bot's heartbeat recent.

    The cheap check is the default because a container runs it every minute: at 100,000 passages hashing the index
    reads 1.3 GB. The bot verifies the checksums of what it serves in the background and marks a damaged version.
    """
    problems: list[str] = []
    store = IndexStore(index_dir)
    current = store.current_path()
    if current is None:
        problems.append(f"no index at {index_dir}")
    else:
        try:
            if full:
                store.verify(current)
            else:
                store.check_files(current, store.read_manifest(current))
        except IndexError_ as exc:
            problems.append(str(exc))
    if require_bot:
        path = data_dir / HEARTBEAT_FILE
        try:
            beat = json.loads(path.read_text(encoding="utf-8"))
            age = time.time() - float(beat["time"])
            if age > max_age:
                problems.append(f"the bot's last heartbeat was {age:.0f}s ago")
        except (OSError, ValueError, KeyError, TypeError):
            problems.append("the bot has not written a heartbeat yet")
    return problems
