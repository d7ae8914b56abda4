"""Child process for the burst benchmark: the real bot (bot.main.start_bot) on one index, with an event-loop stall monitor.

Talks to its parent over stdin/stdout, one word a line: it prints `READY {json}` once logged in; then `RESET`
clears the stall samples, `REPORT` prints `REPORT {json}` (stalls, RSS) and `QUIT` closes the bot.
Stdin is read by a plain thread, not `asyncio.to_thread`, so the bot keeps every worker of the default
executor for its searches.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import threading
import time
from pathlib import Path

import psutil

TICK = 0.010  # the monitor sleeps 10 ms; anything beyond that is time the loop could not run it


class StallMonitor:
    """Sleeps TICK in a loop inside the bot's event loop and records how late each wake-up was."""

    def __init__(self) -> None:
        self.overshoots_ms: list[float] = []

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(TICK)
            self.overshoots_ms.append((loop.time() - started - TICK) * 1000)

    def reset(self) -> None:
        self.overshoots_ms = []


def _rss() -> dict[str, float]:
    process = psutil.Process()
    full = process.memory_full_info()  # USS and PSS too: the host figure counts pages shared between processes once
    values = {
        "rss_mb": round(full.rss / 2**20, 1),
        "uss_mb": round(getattr(full, "uss", 0) / 2**20, 1),
        "pss_mb": round(getattr(full, "pss", 0) / 2**20, 1),
    }
    with open(f"/proc/{process.pid}/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(("RssFile:", "RssAnon:")):
                key = line.split(":")[0].lower().replace("rss", "rss_") + "_mb"
                values[key] = round(int(line.split()[1]) / 1024, 1)
    return values


async def main_async(args: argparse.Namespace) -> None:
    from bot.main import start_bot
    from bot.settings import BotSettings
    from index.service import Verbatim

    base = args.index_dir.parent
    settings = BotSettings(  # type: ignore[call-arg]
        _env_file=None,
        discord_token=args.token,
        discord_api_base_url=args.api_base,
        discord_gateway_url=args.gateway_url,
        test_guild_id=args.guild_id,
        knowledge_dir=base / "knowledge",
        index_dir=args.index_dir,
        data_dir=args.data_dir,
        cooldown_rate=100_000,
    )
    started = time.perf_counter()
    service = Verbatim(settings)
    await asyncio.to_thread(service.load)
    load_seconds = time.perf_counter() - started
    monitor = StallMonitor()
    loop = asyncio.get_running_loop()
    commands: asyncio.Queue[str] = asyncio.Queue()

    def read_stdin() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(commands.put_nowait, line.strip())
        loop.call_soon_threadsafe(commands.put_nowait, "QUIT")

    threading.Thread(target=read_stdin, daemon=True, name="bench-stdin").start()
    monitor_task = asyncio.create_task(monitor.run(), name="stall-monitor")
    bot = await start_bot(settings, service, guild_ready_timeout=0.1)
    print("READY " + json.dumps({"load_seconds": round(load_seconds, 2), **_rss()}), flush=True)
    try:
        while True:
            command = await commands.get()
            if command == "RESET":
                monitor.reset()
            elif command == "REPORT":
                samples = monitor.overshoots_ms
                print("REPORT " + json.dumps({"stalls_ms": samples, **_rss()}), flush=True)
            elif command == "QUIT":
                break
    finally:
        monitor_task.cancel()
        await bot.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--api-base", required=True)
    parser.add_argument("--gateway-url", required=True)
    parser.add_argument("--guild-id", type=int, required=True)
    parser.add_argument("--token", default="bench-fake-token-0123456789abcdef")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
