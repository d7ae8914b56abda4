"""Record an English and a Korean /ask exchange with translation, as the fake Discord saw them (for docs/translation.md).

    python -m tests.translation.record_transcripts > transcript.md

Real bot (discord.py) on the fake Discord, real index of the article and real model, the fake provider of the tests
answering with the hand-made translations of tests/translation/corpus.py. Prints the interaction, the first reply
and the PATCH that adds the translation, exactly as recorded (the interaction token replaced by <token>), and the
check result stored with the translation.
"""

from __future__ import annotations

import asyncio
import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from bot.main import start_bot
from bot.translation import settle
from index.records import Records
from index.service import Verbatim
from index.translation import quote_span
from tests.bot.helpers import QUESTIONS, ask_options
from tests.conftest import copy_article, make_bot_settings, make_settings
from tests.fakediscord import FakeDiscord
from tests.translation.fakeprovider import FakeProvider


def _redact(value: Any, token: str) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False).replace(token, "<token>"))


def _elide_buttons(body: Any) -> Any:
    """The body with its button rows shortened to their custom ids (marked as such), to keep the transcript readable."""
    if isinstance(body, dict) and body.get("components"):
        ids = [c.get("custom_id") for row in body["components"] for c in row.get("components", [])]
        body = {**body, "components": f"(elided here: one row of buttons {', '.join(ids)})"}
    return body


def _block(title: str, value: Any) -> str:
    return f"{title}\n\n```json\n{json.dumps(value, ensure_ascii=False, indent=2)}\n```\n"


async def record(tmp: Path) -> str:
    settings = make_settings(tmp)
    copy_article(settings.knowledge_dir)
    service = Verbatim(settings)
    await asyncio.to_thread(service.ensure_ready)
    provider = FakeProvider().start()
    fake = FakeDiscord()
    await fake.start()
    undo = fake.patch_discord()
    records = Records(settings.feedback_db)
    out: list[str] = []
    try:
        bot_settings = make_bot_settings(
            tmp,
            discord_token="fake-bot-token-0123456789abcdef",
            discord_api_base_url=fake.api_base,
            discord_gateway_url=fake.gateway_url,
            test_guild_id=fake.guild_id,
            translate_kind="openai",
            translate_url=provider.url + "/v1",
            translate_model="fake-llm-7b",
            translate_key="sk-fake-0123456789",
        )
        bot = await start_bot(bot_settings, service, records, guild_ready_timeout=0.1)
        await fake.wait_for_sync(fake.guild_id)
        try:
            for language in ("en", "ko"):
                locale, question = QUESTIONS[language]
                ix = await fake.send_command("ask", ask_options(question), locale=locale)
                await ix.wait_messages(2)
                await settle(bot)
                token = ix.token
                interaction = {k: ix.payload[k] for k in ("type", "locale", "guild_id", "channel_id", "data")}
                interaction["member"] = {
                    "user": {"id": ix.payload["member"]["user"]["id"], "username": ix.payload["member"]["user"]["username"]}
                }
                webhook = [r for r in fake.requests if token in r["path"]]
                calls = [
                    {"method": r["method"], "route": r["route"], "status": r["status"], "json": _elide_buttons(r["json"])} for r in webhook
                ]
                answer = service.ask(question)
                assert answer.quote is not None and bot.translator is not None
                stored = bot.translator.cache.get(
                    answer.quote.passage.id, quote_span(answer.quote), language, "fake-llm-7b", answer.quote.text
                )
                out.append(f"### `/ask` in {locale}\n")
                out.append(_block("Interaction (INTERACTION_CREATE, trimmed to what the bot reads):", _redact(interaction, token)))
                for number, call in enumerate(calls, 1):
                    out.append(
                        _block(
                            f"Request {number} of the bot for this interaction: `{call['method']} {call['route'].replace(token, '<token>')}` → {call['status']}",
                            _redact(call["json"], token),
                        )
                    )
                first, edit = ix.messages[0], ix.messages[-1]
                out.append(
                    f"The fake Discord saw the answer {first['elapsed']:.2f} s and the edit {edit['elapsed']:.2f} s after dispatching the interaction.\n"
                )
                out.append(_block("Check result stored with the translation:", stored.check.to_dict() if stored else None))
                if language == "en":
                    out.append(_block("The provider request (OpenAI chat-completions shape):", provider.requests[-1]["body"]))
        finally:
            await bot.close()
    finally:
        records.close()
        undo()
        await fake.stop()
        provider.stop()
    return "\n".join(out)


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        print(asyncio.run(record(Path(tmp))))


if __name__ == "__main__":
    main()
