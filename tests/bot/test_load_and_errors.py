"""Concurrency and robustness: 50 simultaneous /ask, searches off the event loop, known and unexpected errors."""

from __future__ import annotations

import asyncio
import logging

import pytest

from index.errors import IndexMissing
from index.models import Answer
from index.service import Verbatim
from tests.bot.helpers import NOT_COVERED, QUESTIONS, StubService, ask_options, button_id, is_ephemeral, slow, text_of
from tests.fakediscord import FakeDiscord


async def test_fifty_concurrent_asks_are_all_acknowledged_and_answered(fake: FakeDiscord, bot) -> None:
    questions = [q for _, q in QUESTIONS.values()] + [NOT_COVERED]
    members = [fake.member(name=f"user{i}") for i in range(10)]
    sends = [
        fake.send_command(
            "ask",
            ask_options(questions[i % len(questions)]),
            member=members[i % len(members)],
            locale=["zh-TW", "zh-CN", "en-US", "ko"][i % 4],
        )
        for i in range(50)
    ]
    interactions = await asyncio.gather(*sends)
    acks = await asyncio.gather(*(ix.wait_ack(timeout=3.0) for ix in interactions))
    assert all(ack["type"] == 5 for ack in acks)
    assert max(ix.ack_latency for ix in interactions) < 3.0
    responses = await asyncio.gather(*(ix.wait_response(timeout=30.0) for ix in interactions))
    assert all(r["embeds"] for r in responses)
    assert all(ix.rejected == [] for ix in interactions)


async def test_a_slow_search_does_not_block_the_event_loop(fake: FakeDiscord, launch, article_service: Verbatim) -> None:
    await launch(service=slow(article_service, 1.5))
    locale, question = QUESTIONS["zh-Hant"]
    asking = await fake.send_command("ask", ask_options(question), locale=locale)
    await asking.wait_ack()
    started = asyncio.get_running_loop().time()
    helping = await fake.send_command("help", locale="en-US")
    await helping.wait_response(timeout=1.0)
    assert helping.ack_latency < 0.5, "the event loop was blocked by the search"
    assert not asking.messages  # the search is still running meanwhile
    assert (await asking.wait_response())["embeds"]
    assert asyncio.get_running_loop().time() - started < 3.0


async def test_unexpected_errors_are_logged_and_apologised_for(
    fake: FakeDiscord, launch, article_service: Verbatim, caplog: pytest.LogCaptureFixture
) -> None:
    def explode(question: str, k: int) -> Answer:
        raise RuntimeError("database exploded: secret detail")

    await launch(service=StubService(article_service, explode))
    caplog.set_level(logging.INFO)
    ix = await fake.send_command("ask", ask_options("平壤宣言承諾了什麼？"), locale="zh-TW")
    message = await ix.wait_response()
    assert is_ephemeral(message)
    shown = text_of(message)
    assert "我們這邊出了點問題" in shown and "secret" not in shown and "Traceback" not in shown and "RuntimeError" not in shown
    record = next(r for r in caplog.records if r.name == "bot.errors" and r.levelno == logging.ERROR)
    assert "ask by user" in record.getMessage() and str(fake.guild_id) in record.getMessage()
    assert record.exc_info is not None and "secret detail" in str(record.exc_info[1])


async def test_a_failed_public_answer_is_still_private(fake: FakeDiscord, launch, article_service: Verbatim) -> None:
    def missing(question: str, k: int) -> Answer:
        raise IndexMissing()

    await launch(service=StubService(article_service, missing))
    ix = await fake.send_command("ask", ask_options("平壤宣言承諾了什麼？", public=True), locale="ko")
    assert (await ix.wait_ack())["type"] == 5
    message = await ix.wait_response()
    assert is_ephemeral(message) and ix.deleted
    assert message["embeds"][0]["description"] == "지금은 색인을 사용할 수 없습니다. 잠시 후 다시 시도해 주세요."


async def test_errors_in_buttons_use_the_same_handler(fake: FakeDiscord, launch, article_service: Verbatim) -> None:
    locale, question = QUESTIONS["en"]
    first = await launch()
    answer = await (await fake.send_command("ask", ask_options(question), locale=locale)).wait_response()
    await first.close()
    # After a rebuild the passage behind an old answer's buttons may be gone.
    await launch(service=StubService(article_service, find_passage=lambda passage_id: None, context=lambda passage_id: None))
    for prefix in ("verbatim:cite:", "verbatim:context:"):
        ix = await fake.click_button(answer, button_id(answer, prefix), locale="ko")
        message = await ix.wait_response()
        assert is_ephemeral(message) and "현재 색인에" in message["embeds"][0]["description"]
