"""The bot under a burst: 100 `/ask` interactions at once through the fake Discord, bot in its own process.

The fake Discord (tests/fakediscord) runs in this process; the real bot runs in a child process
(`bench.bot_process`) with a stall monitor in its event loop, so the fake's own work never counts as the
bot's. Acknowledgement latency is the fake's `ix.ack_latency` (dispatch to the bot's deferral callback),
answer latency the `elapsed` of the first visible message (dispatch to the follow-up with the answer).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BURST = 100
TARGET_ACK_P99_MS = 500.0
TARGET_STALL_MS = 100.0


@dataclass
class BurstRun:
    ack_ms: list[float]
    answer_ms: list[float]
    stalls_ms: list[float]
    idle_stalls_ms: list[float]
    violations: list[str]
    unanswered: int


@dataclass
class BurstResult:
    label: str
    runs: list[BurstRun] = field(default_factory=list)
    ready: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)


def _env(omp_threads: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("OMP_NUM_THREADS", None)
    if omp_threads:
        env["OMP_NUM_THREADS"] = omp_threads
    return env


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


async def _read_tagged(stream: asyncio.StreamReader, tag: str, timeout: float) -> dict[str, Any]:
    while True:
        line = await asyncio.wait_for(stream.readline(), timeout)
        if not line:
            raise RuntimeError(f"the bot process ended before printing {tag}")
        text = line.decode().strip()
        if text.startswith(tag + " "):
            return json.loads(text[len(tag) + 1 :])


async def run_burst(
    label: str, index_dir: Path, data_dir: Path, questions: list[str], runs: int, burst: int = BURST, omp_threads: str = ""
) -> BurstResult:
    sys.path.insert(0, str(ROOT))
    from tests.fakediscord import FakeDiscord

    result = BurstResult(label)
    fake = FakeDiscord()
    await fake.start()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.bot_process",
        "--index-dir", str(index_dir), "--data-dir", str(data_dir),
        "--api-base", fake.api_base, "--gateway-url", fake.gateway_url, "--guild-id", str(fake.guild_id),
        cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        env=_env(omp_threads),
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    try:
        result.ready = await _read_tagged(process.stdout, "READY", timeout=3600)  # a 100k load took minutes
        await fake.wait_for_sync(fake.guild_id, timeout=30)
        members = [fake.member(name=f"bench{i}") for i in range(burst)]
        for question in questions[:3]:  # warm-up
            ix = await fake.send_command("ask", [{"name": "question", "type": 3, "value": question}], member=members[0])
            await ix.wait_response(timeout=60)
        for _ in range(runs):
            # Two idle seconds first: how late the monitor wakes with no interaction at all (the machine's own noise).
            process.stdin.write(b"RESET\n")
            await process.stdin.drain()
            await asyncio.sleep(2.0)
            process.stdin.write(b"REPORT\n")
            await process.stdin.drain()
            idle = (await _read_tagged(process.stdout, "REPORT", timeout=60))["stalls_ms"]
            process.stdin.write(b"RESET\n")
            await process.stdin.drain()
            await asyncio.sleep(0.1)
            violations_before = len(fake.violations)
            interactions = await asyncio.gather(
                *(
                    fake.send_command("ask", [{"name": "question", "type": 3, "value": questions[i % len(questions)]}], member=members[i])
                    for i in range(burst)
                )
            )
            responses = await asyncio.gather(*(ix.wait_response(timeout=300) for ix in interactions), return_exceptions=True)
            process.stdin.write(b"REPORT\n")
            await process.stdin.drain()
            report = await _read_tagged(process.stdout, "REPORT", timeout=60)
            result.after = {k: v for k, v in report.items() if k != "stalls_ms"}
            result.runs.append(
                BurstRun(
                    ack_ms=[ix.ack_latency * 1000 for ix in interactions if ix.ack_latency is not None],
                    answer_ms=[r["elapsed"] * 1000 for r in responses if isinstance(r, dict)],
                    stalls_ms=report["stalls_ms"],
                    idle_stalls_ms=idle,
                    violations=fake.violations[violations_before:],
                    unanswered=sum(1 for r in responses if not isinstance(r, dict)),
                )
            )
    finally:
        if process.returncode is None:
            process.stdin.write(b"QUIT\n")
            try:
                await process.stdin.drain()
                await asyncio.wait_for(process.wait(), 30)
            except (TimeoutError, ConnectionError):
                process.kill()
                await process.wait()
        await fake.stop()
    return result


def burst_lines(results: list[BurstResult], runs: int) -> list[str]:
    from bench.run import spread

    lines = [
        f"{BURST} `/ask` interactions dispatched at once by the fake Discord to the real bot (separate process), {runs} bursts;",
        "questions cycle through the dev set; 100 different members. Cells: median over bursts (min–max).",
        "Stall = how late a 10 ms `asyncio.sleep` in the bot's own event loop woke up.",
        "",
        "| index | ack p50 ms | ack p99 ms | answer p50 ms | answer p99 ms | longest stall ms | stall p99 ms | idle longest stall ms | unanswered | violations | bot RSS MB (ready → after) | target ack p99 ≤ 500, stall ≤ 100 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        ack99 = [_pct(x.ack_ms, 99) for x in r.runs]
        stall_max = [max(x.stalls_ms) if x.stalls_ms else 0.0 for x in r.runs]
        verdict = []
        if statistics.median(ack99) > TARGET_ACK_P99_MS:
            verdict.append(f"ack p99 missed by {statistics.median(ack99) - TARGET_ACK_P99_MS:.0f} ms")
        if max(stall_max) > TARGET_STALL_MS:
            verdict.append(
                f"stall over 100 ms in {sum(s > TARGET_STALL_MS for s in stall_max)}/{len(stall_max)} bursts (worst {max(stall_max):.0f} ms)"
            )
        lines.append(
            f"| {r.label} | {spread([_pct(x.ack_ms, 50) for x in r.runs], 0)} | {spread(ack99, 0)} | "
            f"{spread([_pct(x.answer_ms, 50) for x in r.runs], 0)} | {spread([_pct(x.answer_ms, 99) for x in r.runs], 0)} | "
            f"{spread(stall_max, 0)} | {spread([_pct(x.stalls_ms, 99) for x in r.runs], 0)} | {spread([max(x.idle_stalls_ms, default=0.0) for x in r.runs], 0)} | "
            f"{sum(x.unanswered for x in r.runs)} | {sum(len(x.violations) for x in r.runs)} | "
            f"{r.ready.get('rss_mb', 0):.0f} → {r.after.get('rss_mb', 0):.0f} | {'; '.join(verdict) or 'met'} |"
        )
    return lines


def burst_section(bases: list[tuple[str, Path]], questions: list[str], runs: int, omp_threads: list[str] = [""]) -> list[str]:  # noqa: B006
    results = []
    for label, base in bases:
        for threads in omp_threads:
            name = label + (f", OMP_NUM_THREADS={threads}" if threads else "")
            results.append(asyncio.run(run_burst(name, base / "index", base / "bot-data", questions, runs, omp_threads=threads)))
    return burst_lines(results, runs)
