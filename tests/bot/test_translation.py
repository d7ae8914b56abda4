"""/ask with a translation provider, end to end: the real bot on the fake Discord, the real index, a fake provider."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.client import VerbatimBot
from bot.translation import settle
from index.service import Verbatim
from tests.bot.helpers import QUESTIONS, ask_options, button_id, is_ephemeral, text_of
from tests.fakediscord import FakeDiscord, validate_message
from tests.translation.fakeprovider import FakeProvider

LABEL = {"en-US": "🌐 Machine translation (English, fake-llm-7b)", "ko": "🌐 기계 번역 (한국어, fake-llm-7b)"}
UNAVAILABLE = {"en-US": "A translation was not available", "ko": "번역을 제공할 수 없습니다"}


@pytest.fixture
def launch_translating(launch: Callable[..., Awaitable[VerbatimBot]], provider: FakeProvider) -> Callable[..., Awaitable[VerbatimBot]]:
    async def start(**extra: object) -> VerbatimBot:
        values: dict[str, object] = {
            "translate_kind": "openai",
            "translate_url": provider.url + "/v1",
            "translate_model": "fake-llm-7b",
            "translate_key": "sk-fake-0123456789",
            "translate_timeout": 3.0,
        }
        values.update(extra)
        return await launch(**values)

    return start


async def ask(fake: FakeDiscord, bot: VerbatimBot, language: str) -> tuple[Any, dict[str, Any]]:
    locale, question = QUESTIONS[language]
    ix = await fake.send_command("ask", ask_options(question), locale=locale)
    first = await ix.wait_response()
    await settle(bot)
    return ix, first


@pytest.mark.parametrize("language", ["en", "ko"])
async def test_the_answer_is_sent_then_edited_with_the_translation(
    fake: FakeDiscord, launch_translating, provider: FakeProvider, article_service: Verbatim, language: str
) -> None:
    bot = await launch_translating()
    locale = QUESTIONS[language][0]
    quote = article_service.ask(QUESTIONS[language][1]).quote
    assert quote is not None
    expected = provider.good(quote.text, language)
    assert expected is not None, f"retrieval now quotes {quote.passage.id} at a span the fake has no translation for"
    ix, first = await ask(fake, bot, language)
    assert "🌐" not in text_of(first)  # the answer did not wait for the provider
    [first, edit] = await ix.wait_messages(2)
    # The first followup after the defer is the original response (as on Discord); the translation edits that message.
    assert edit["kind"] in ("edit_original", "edit_followup") and edit["message_id"] == first["message_id"]
    assert fake.requests_to(f"/messages/{edit['message_id']}", "PATCH")
    assert is_ephemeral(edit) and edit["allowed_mentions"] == {"parse": []}
    before, after = first["embeds"][0], edit["embeds"][0]
    # The quote, its highlight and the citation are unchanged; the translation sits right below the quote.
    assert after["description"] == before["description"] and after["title"] == before["title"] and after["footer"] == before["footer"]
    assert after["fields"][0]["name"].startswith(LABEL[locale])
    translated = "".join(f["value"] for f in after["fields"] if f["name"].startswith("🌐")).replace("\\", "")
    assert translated.replace(" ", "") == expected.replace(" ", "")
    assert [f for f in after["fields"] if not f["name"].startswith("🌐")] == before["fields"]
    assert not validate_message({"embeds": edit["embeds"], "components": edit["components"]}).problems
    assert edit["components"] == first["components"]
    [request] = provider.requests
    assert quote.text in request["body"]["messages"][1]["content"]

    # Context carries the cached translation; Share copies the edited answer. Neither calls the provider again.
    context = await fake.click_button(edit, button_id(edit, "verbatim:context:"), locale=locale)
    context_embed = (await context.wait_response())["embeds"][0]
    assert any(
        f["name"].startswith("🌐") and expected[:40].replace(" ", "") in f["value"].replace(" ", "").replace("\\", "")
        for f in context_embed["fields"]
    )
    share = await fake.click_button(edit, button_id(edit, "verbatim:share:"), locale=locale)
    shared = (await share.wait_response())["embeds"][0]
    assert shared["fields"][0]["name"].startswith(LABEL[locale]) and shared["description"] == before["description"]
    assert len(provider.requests) == 1

    # The same question again: from the cache, no call.
    ix2, _ = await ask(fake, bot, language)
    [_, edit2] = await ix2.wait_messages(2)
    assert edit2["embeds"][0]["fields"][0] == after["fields"][0] and len(provider.requests) == 1


async def test_a_reader_of_the_quotes_language_gets_no_translation(fake: FakeDiscord, launch_translating, provider: FakeProvider) -> None:
    bot = await launch_translating()
    ix, first = await ask(fake, bot, "zh-Hant")
    assert len(ix.messages) == 1 and provider.requests == []


@pytest.mark.parametrize("mode", ["hang", "error", "ratelimit", "malformed"])
async def test_a_slow_or_failing_provider_leaves_the_answer_as_it_was(
    fake: FakeDiscord, launch_translating, provider: FakeProvider, mode: str
) -> None:
    provider.mode = mode
    bot = await launch_translating(translate_timeout=0.5)
    ix, first = await ask(fake, bot, "en")
    assert len(provider.requests) == 1
    assert len(ix.messages) == 1 and "🌐" not in text_of(ix.original_message or first) and first["embeds"]


@pytest.mark.parametrize("language", ["en", "ko"])
async def test_an_unfaithful_translation_is_replaced_by_a_note(
    fake: FakeDiscord, launch_translating, provider: FakeProvider, language: str
) -> None:
    provider.mode = "drop_number"
    bot = await launch_translating()
    ix, first = await ask(fake, bot, language)
    [_, edit] = await ix.wait_messages(2)
    field = edit["embeds"][0]["fields"][0]
    assert UNAVAILABLE[QUESTIONS[language][0]] in field["value"]
    assert edit["embeds"][0]["description"] == first["embeds"][0]["description"]
