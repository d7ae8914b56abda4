"""Bad questions through Discord (/ask and the "Ask Verbatim" menu): a sensible private reply, no ping, no broken embed, no crash."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from index.service import Verbatim
from tests.bot.helpers import ask_options, is_ephemeral, text_of
from tests.fakediscord import validate_message
from tests.reliability.bot_env import GENERIC_APOLOGY, GOOD, BotEnv, assert_clean, bot_env

pytestmark = [pytest.mark.asyncio(loop_scope="module")]

ROLE, USER = 1100000000000000777, 1100000000000000888

# question -> what the user must get: "rejected:<detail>" (a private "cannot be searched" with the reason) or "reply"
# (a quote or an honest "not covered").
CASES: dict[str, tuple[str, str]] = {
    "empty": ("", "rejected:empty"),
    "whitespace only": ("   \t\n\u3000 ", "rejected:empty"),
    "zero-width only": ("\u200b\u200c\u200d\u2060\ufeff", "rejected:empty"),
    "over the index limit (hostile client, 2000 chars)": ("無核化" * 667, "rejected:too long"),
    "over the option limit (300 chars, under the index limit)": ("平壤宣言" * 75, "reply"),
    "only emoji": ("🙂🔥👍🏽🇹🇼", "rejected:no words"),
    "only punctuation": ("?!…。，、——（）「」", "rejected:no words"),
    "@everyone": (f"@everyone {GOOD}", "reply"),
    "@here": (f"@here {GOOD}", "reply"),
    "role mention": (f"<@&{ROLE}> {GOOD}", "reply"),
    "user mentions": (f"<@{USER}> <@!{USER}> {GOOD}", "reply"),
    "markdown injection": (f"**bold** __u__ ~~s~~ ||spoiler|| # heading\n> quote\n-# small {GOOD}", "reply"),
    "code-block injection": (f"```\n{GOOD}\n``` `x` ```py\nimport os\n", "reply"),
    "masked link": (f"[click here](https://evil.example/steal) <https://evil.example> {GOOD}", "reply"),
    "zero-width inside words": ("平\u200b壤\u200c宣\u200d言\u2060承諾了什麼？", "reply"),
    "right-to-left override": (f"\u202e{GOOD}\u202c\u2066x\u2069\u200f", "reply"),
    "mixed scripts": ("What did 金正恩 promise в Сингапуре about 無核化?", "reply"),
    "Arabic": ("ما هي عاصمة فرنسا؟", "reply"),
    "lone surrogate": (f"{GOOD}\ud800", "reply-or-rejected"),
    "only a lone surrogate": ("\udfff", "reply-or-rejected"),
}
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u202e\u202c\u2066\u2069\u200f"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def env(article_service: Verbatim, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotEnv]:
    async with bot_env(tmp_path_factory.mktemp("bot-questions"), article_service) as running:
        yield running


@pytest_asyncio.fixture(autouse=True, loop_scope="module")
async def clean(env: BotEnv) -> AsyncIterator[None]:
    yield
    assert_clean(env.fake)


def check_reply(message: dict, expected: str, question: str) -> str:
    """Assert the reply fits `expected`; returns its kind ("answer", "not covered" or "rejected")."""
    assert is_ephemeral(message)
    assert not validate_message({"embeds": message["embeds"], "components": message.get("components") or []}).problems
    assert message["allowed_mentions"] == {"parse": []}
    shown = text_of(message)
    assert GENERIC_APOLOGY not in shown and "Traceback" not in shown, shown
    embed = message["embeds"][0]
    if embed.get("title") == "Sorry":
        kind = "rejected"
        assert embed["description"].startswith("That question cannot be searched."), embed
        if expected.startswith("rejected:"):
            assert expected.split(":", 1)[1] in embed["description"]
        if question.strip(INVISIBLE + " \t\n\u3000"):
            assert question not in shown  # a rejection never echoes the question
    elif embed.get("title") == "Not covered by the documents":
        kind = "not covered"
    else:
        kind = "answer"
        assert embed["fields"][0]["name"] == "Citation" and embed["description"].startswith(">>> ")
    if expected == "reply":
        assert kind in ("answer", "not covered"), (kind, shown)
    elif expected.startswith("rejected"):
        assert kind == "rejected", (kind, shown)
    if kind != "rejected":
        author = embed["author"]["name"]
        assert author.startswith("❓ ")
        assert not any(ch in author for ch in INVISIBLE + "\ud800\udfff")  # cleaned before it is echoed
    return kind


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
async def test_bad_question_through_ask(env: BotEnv, case: str) -> None:
    question, expected = CASES[case]
    ix = await env.fake.send_command("ask", ask_options(question), locale="en-US")
    assert (await ix.wait_ack())["type"] == 5
    message = await ix.wait_response(timeout=30)
    check_reply(message, expected, question)
    assert ix.rejected == []


MENU_CASES = [
    "@everyone",
    "role mention",
    "markdown injection",
    "code-block injection",
    "masked link",
    "right-to-left override",
    "Arabic",
    "lone surrogate",
    "whitespace only",
    "over the index limit (hostile client, 2000 chars)",
]


@pytest.mark.parametrize("case", MENU_CASES, ids=MENU_CASES)
async def test_bad_question_through_the_message_menu(env: BotEnv, case: str) -> None:
    question, expected = CASES[case]
    ix = await env.fake.send_context_menu("Ask Verbatim", content=question, locale="en-US")
    message = await ix.wait_response(timeout=30)
    if case == "whitespace only":  # an empty message is refused by the bot before the index sees it
        assert is_ephemeral(message) and "no text" in message["embeds"][0]["description"]
        return
    check_reply(message, expected, question)


async def test_public_answer_to_a_pinging_question_stays_inert(env: BotEnv) -> None:
    """Public answers and shares go to the whole channel: the mentions must be shown but never ping."""
    question = f"@everyone @here <@&{ROLE}> <@{USER}> {GOOD}"
    ix = await env.fake.send_command("ask", ask_options(question, public=True), locale="en-US")
    message = await ix.wait_response(timeout=30)
    assert not is_ephemeral(message) and "@everyone" in message["embeds"][0]["author"]["name"]
    assert message["allowed_mentions"] == {"parse": []}


async def test_no_unexpected_errors_were_logged(env: BotEnv, caplog: pytest.LogCaptureFixture) -> None:
    """Every bad question above is an expected case: none may reach the 'unexpected error' path."""
    caplog.set_level(logging.INFO, logger="bot")
    for question, _ in CASES.values():
        ix = await env.fake.send_command("ask", ask_options(question), locale="zh-TW")
        await ix.wait_response(timeout=30)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
