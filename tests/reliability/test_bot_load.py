"""Load through Discord: a burst of 200 /ask, and a steady 10 questions a second with memory watched."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import psutil
import pytest
import pytest_asyncio

from index.service import Verbatim
from tests.bot.helpers import NOT_COVERED, QUESTIONS, ask_options
from tests.reliability.bot_env import BotEnv, assert_clean, bot_env, until

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

MIXED = [q for _, q in QUESTIONS.values()] + [
    NOT_COVERED,
    "What did 金正恩 promise in Singapore?",
    "終戰宣言是什麼？",
    "Who wrote the article?",
]
LOCALES = ["zh-TW", "zh-CN", "en-US", "ko"]
BURST = 200
RATE = 10.0  # questions a second: several times what a busy server sends
STREAM_SECONDS = 20.0
# Growth allowed over the second half of the stream. The fake keeps every request and message it saw (~100 of them
# in that half, a few kB each), and Python rarely returns freed arenas: a leak of even 0.5 MB per question would
# show as 50 MB, while the expected figure is a few MB.
GROWTH_LIMIT_MB = 50.0


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def env(article_service: Verbatim, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotEnv]:
    # The default cooldown (5 a minute) stays on: the burst uses 200 distinct users, as a real burst would.
    async with bot_env(tmp_path_factory.mktemp("bot-load"), article_service, cooldown_rate=5, cooldown_seconds=60.0) as running:
        yield running


@pytest_asyncio.fixture(autouse=True, loop_scope="module")
async def clean(env: BotEnv) -> AsyncIterator[None]:
    yield
    assert_clean(env.fake)


async def test_a_burst_of_200_asks_is_acknowledged_within_3_s_and_answered(env: BotEnv) -> None:
    fake = env.fake
    members = [fake.member(name=f"burst{i}") for i in range(BURST)]
    loop = asyncio.get_running_loop()
    started = loop.time()
    interactions = await asyncio.gather(
        *(
            fake.send_command("ask", ask_options(MIXED[i % len(MIXED)]), member=members[i], locale=LOCALES[i % 4], timeout=30)
            for i in range(BURST)
        )
    )
    acks = await asyncio.gather(*(ix.wait_ack(timeout=5.0) for ix in interactions))
    assert all(ack["type"] == 5 for ack in acks)
    latencies = sorted(ix.ack_latency for ix in interactions)
    assert latencies[-1] < 3.0, latencies[-10:]
    responses = await asyncio.gather(*(ix.wait_response(timeout=150.0) for ix in interactions))
    assert all(r["embeds"] for r in responses)
    assert all(ix.rejected == [] for ix in interactions)
    elapsed = loop.time() - started
    print(
        f"\nburst: {BURST} asks; ack p50 {latencies[BURST // 2] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; all answered in {elapsed:.1f} s"
    )
    # Questions are recorded after the reply, off the event loop: all of them, soon after.
    await until(lambda: len(env.records.asked(1000)) >= BURST, timeout=30, what="all burst questions recorded")


async def test_a_steady_stream_is_answered_and_memory_stays_bounded(env: BotEnv) -> None:
    fake = env.fake
    process = psutil.Process(os.getpid())
    loop = asyncio.get_running_loop()
    members = [fake.member(name=f"stream{i}") for i in range(40)]  # each asks 5 times in 20 s: within the cooldown
    total = int(RATE * STREAM_SECONDS)
    samples: list[tuple[float, float]] = []
    interactions = []
    started = loop.time()

    async def sample() -> None:
        while True:
            samples.append((loop.time() - started, process.memory_info().rss / 2**20))
            await asyncio.sleep(0.25)

    sampler = asyncio.create_task(sample())
    try:
        for i in range(total):
            # A fixed schedule (not sleep-after-send), so a slow dispatch does not lower the rate.
            delay = started + i / RATE - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            ix = await fake.send_command(
                "ask", ask_options(MIXED[i % len(MIXED)]), member=members[i % len(members)], locale=LOCALES[i % 4], timeout=30
            )
            interactions.append(ix)
        sent = loop.time() - started
        responses = await asyncio.gather(*(ix.wait_response(timeout=120.0) for ix in interactions))
        drained = loop.time() - started
    finally:
        sampler.cancel()
    assert all(r["embeds"] for r in responses)
    assert all(ix.acked and ix.ack_latency < 3.0 for ix in interactions)
    assert all(ix.rejected == [] for ix in interactions)
    answers = sorted(r["at"] - ix.dispatched_at for r, ix in zip(responses, interactions))
    half = STREAM_SECONDS / 2
    mid = min(samples, key=lambda s: abs(s[0] - half))[1]
    end = samples[-1][1]
    peak = max(rss for _, rss in samples)
    print(
        f"\nstream: {total} asks at {RATE:g}/s sent in {sent:.1f} s, all answered by {drained:.1f} s; "
        f"answer latency p50 {answers[len(answers) // 2]:.2f} s, p95 {answers[int(len(answers) * 0.95)]:.2f} s, max {answers[-1]:.2f} s; "
        f"RSS start {samples[0][1]:.0f} MB, mid {mid:.0f} MB, end {end:.0f} MB, peak {peak:.0f} MB; second-half growth {end - mid:+.1f} MB"
    )
    assert end - mid < GROWTH_LIMIT_MB
