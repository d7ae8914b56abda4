"""Part 2 of the reliability suite: one fake Discord and the real bot per test module, plus shared checks."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.client import VerbatimBot
from bot.main import start_bot
from bot.settings import BotSettings
from index.config import Settings
from index.records import Records
from index.service import Verbatim
from tests.conftest import copy_article, make_bot_settings, make_settings
from tests.fakediscord import FakeDiscord

TOKEN = "fake-bot-token-reliability-0123456789abcdef"
GOOD = "平壤宣言承諾了什麼？"  # answered by the article index
GENERIC_APOLOGY = "Something went wrong on our side"


@dataclass
class BotEnv:
    fake: FakeDiscord
    bot: VerbatimBot
    service: Any  # a Verbatim, or a stand-in wrapping one
    settings: BotSettings
    records: Records
    root: Path


def private_service(article_service: Verbatim, root: Path) -> tuple[Verbatim, Settings]:
    """A Verbatim over a private copy of the session's article index (and knowledge dir), sharing its embedder."""
    settings = make_settings(root)
    copy_article(settings.knowledge_dir)
    shutil.copytree(article_service.settings.index_dir, settings.index_dir, symlinks=True, ignore=shutil.ignore_patterns(".build.lock"))
    manifest = article_service.loaded.manifest
    service = Verbatim(settings, embedder=article_service.embedder_for(manifest.model, manifest.backend))
    service.load()
    return service, settings


@asynccontextmanager
async def bot_env(
    root: Path, service: Any, *, fake: FakeDiscord | None = None, token: str = TOKEN, **extra: object
) -> AsyncIterator[BotEnv]:
    """Start a fake Discord (unless given) and the real bot logged into it; close both afterwards."""
    fake = fake or FakeDiscord()
    await fake.start()
    undo = fake.patch_discord()
    values: dict[str, object] = {
        "discord_token": token,
        "discord_api_base_url": fake.api_base,
        "discord_gateway_url": fake.gateway_url,
        "test_guild_id": fake.guild_id,
        "cooldown_rate": 1000,
        "cooldown_seconds": 60.0,
        "mod_log_channel_id": fake.mod_log_channel_id,
        "moderator_role_ids": [fake.moderator_role_id],
    }
    values.update(extra)
    settings = make_bot_settings(root, **values)  # same root as private_service(): the bot's knowledge dir is the service's
    records = Records(settings.feedback_db)
    running = await start_bot(settings, service, records, guild_ready_timeout=0.1)
    try:
        await fake.wait_for_sync(fake.guild_id)
        yield BotEnv(fake, running, service, settings, records, root)
    finally:
        await running.close()
        records.close()
        undo()
        await fake.stop()


def assert_clean(fake: FakeDiscord, *, allowed_violations: tuple[str, ...] = ()) -> None:
    """Nothing pings, nothing broke Discord's rules (except the expected ones), every interaction was acknowledged."""
    unexpected = [v for v in fake.violations if not any(mark in v for mark in allowed_violations)]
    assert unexpected == [], unexpected
    assert fake.pinging_messages() == []
    assert fake.unanswered_interactions() == []


async def until(predicate: Any, timeout: float = 30.0, what: str = "condition") -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s")
        await asyncio.sleep(0.05)
