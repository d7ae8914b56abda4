"""Faults through Discord: a dropped gateway, REST 429/500 on the followup and edit paths, an expired interaction token."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from index.models import Answer
from index.service import Verbatim
from tests.bot.helpers import NOT_COVERED, StubService, ask_options, is_ephemeral
from tests.reliability.bot_env import GOOD, BotEnv, assert_clean, bot_env, until

pytestmark = [pytest.mark.asyncio(loop_scope="module")]

GATED = "GATED"  # questions starting with this wait for the test to open the gate (a slow search, on demand)


class Gate:
    """Holds gated searches in their worker thread until `open()`."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()

    def reset(self) -> None:
        self.entered.clear()
        self.release.clear()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def env(article_service: Verbatim, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotEnv]:
    gate = Gate()

    def ask(question: str, k: int) -> Answer:
        if question.startswith(GATED):
            gate.entered.set()
            gate.release.wait(30)
            question = question[len(GATED) :]
        return article_service.ask(question, k=k)

    service = StubService(article_service, ask)
    service.gate = gate  # type: ignore[attr-defined]
    async with bot_env(tmp_path_factory.mktemp("bot-faults"), service) as running:
        yield running


@pytest_asyncio.fixture(autouse=True, loop_scope="module")
async def clean(env: BotEnv) -> AsyncIterator[None]:
    yield
    # An expired token is rejected by the fake as Discord would (and recorded as a broken rule): only those are allowed.
    assert_clean(env.fake, allowed_violations=("[50027]",))


async def ask_and_get(env: BotEnv, question: str = GOOD, timeout: float = 30.0) -> dict:
    ix = await env.fake.send_command("ask", ask_options(question), locale="en-US")
    assert (await ix.wait_ack())["type"] == 5
    message = await ix.wait_response(timeout=timeout)
    assert message["embeds"] and ix.rejected == []
    return message


@pytest.mark.parametrize("how", ["abort", "close 4000", "invalidated session"])
async def test_gateway_drop_then_the_next_question_is_answered(env: BotEnv, how: str) -> None:
    fake = env.fake
    resumes, identifies = fake.resume_count, fake.identify_count
    if how == "abort":
        await fake.drop_gateway(mode="abort", wait=True, timeout=30)
    elif how == "close 4000":
        await fake.drop_gateway(mode="close", code=4000, wait=True, timeout=30)
    else:
        await fake.drop_gateway(mode="abort", invalidate=True, wait=True, timeout=30)
        await until(lambda: fake.identify_count > identifies, what="a new IDENTIFY after op 9")
    if how == "invalidated session":
        assert fake.identify_count == identifies + 1
    else:
        assert fake.resume_count == resumes + 1 and fake.identify_count == identifies  # resumed, not re-identified
    message = await ask_and_get(env)
    assert message["embeds"][0]["fields"][0]["name"] == "Citation"


@pytest.mark.parametrize("status", [429, 500])
async def test_rest_errors_on_the_followup_are_retried(env: BotEnv, status: int) -> None:
    fake = env.fake
    before = len(fake.requests)
    fake.inject_rest_errors(status=status, count=2 if status == 429 else 1, path_contains="/webhooks/", method="POST", retry_after=0.3)
    message = await ask_and_get(env)
    assert message["embeds"][0]["fields"][0]["name"] == "Citation"
    failed = [r for r in fake.requests[before:] if r["status"] == status and "/webhooks/" in r["path"]]
    assert len(failed) == (2 if status == 429 else 1)


@pytest.mark.parametrize("status", [429, 500])
async def test_rest_errors_on_the_edit_path_are_retried(env: BotEnv, status: int) -> None:
    """/kb replies by editing the deferred response (PATCH @original): a moderator still gets the final message."""
    fake = env.fake
    before, posts = len(fake.requests), len(fake.channel_messages)
    fake.inject_rest_errors(status=status, count=1, path_contains="/messages/@original", method="PATCH", retry_after=0.3)
    options = [{"type": 1, "name": "remove", "options": [{"name": "document", "type": 3, "value": "no-such-document"}]}]
    ix = await fake.send_command("kb", options, member=fake.moderator(name="faultmod"), locale="en-US")
    message = await ix.wait_response(timeout=30)
    assert message["kind"] == "edit_original" and is_ephemeral(message)
    assert "no-such-document" in message["embeds"][0]["description"]
    assert [r["status"] for r in fake.requests[before:] if "/messages/@original" in r["path"] and r["method"] == "PATCH"] == [status, 200]
    # The command ends with its audit row and mod-log post; wait for them so the next /kb is not refused as busy.
    await until(lambda: len(fake.channel_messages) > posts, what="the mod-log post")


@pytest.mark.parametrize("question", [GOOD, NOT_COVERED], ids=["answered", "not covered"])
async def test_expired_token_is_logged_and_the_bot_keeps_answering(env: BotEnv, caplog: pytest.LogCaptureFixture, question: str) -> None:
    fake, gate = env.fake, env.service.gate
    gate.reset()
    caplog.set_level(logging.DEBUG, logger="bot")
    ix = await fake.send_command("ask", ask_options(GATED + question), locale="en-US")
    assert (await ix.wait_ack())["type"] == 5
    await asyncio.to_thread(gate.entered.wait, 10)
    fake.expire_token(ix)  # after the defer, before the answer (the 15-minute token ran out during a slow search)
    gate.release.set()
    await until(lambda: ix.rejected, what="the bot's late answer")
    await asyncio.sleep(0.5)  # let the error path finish
    assert all(r["error"]["code"] == 50027 for r in ix.rejected if r.get("error")), ix.rejected
    assert not ix.messages
    logged = [r for r in caplog.records if r.name.startswith("bot") and str(ix.id) in r.getMessage()]
    assert logged and all(r.levelno == logging.WARNING for r in logged), [(r.levelname, r.getMessage()) for r in logged]
    assert len(ix.rejected) == 1, "the bot retried with a token it knew was dead"
    # The next question is answered as usual.
    message = await ask_and_get(env, question)
    assert message["embeds"]
    asked = [a for a in env.records.asked(1000) if a.question == question]
    assert asked, "questions are still recorded"
