"""Fixtures for the bot tests: a fake Discord and the real bot logged into it, in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio

from bot.client import VerbatimBot
from bot.main import start_bot
from bot.settings import BotSettings
from index.records import Records
from index.service import Verbatim
from tests.conftest import make_bot_settings
from tests.fakediscord import FakeDiscord

TOKEN = "fake-bot-token-0123456789abcdef"


@pytest.fixture
def bot_settings(tmp_path: Path) -> Callable[..., BotSettings]:
    """Settings pointing the bot at a given fake (REST base URL, gateway URL, token, test guild)."""

    def factory(fake: FakeDiscord, **extra: object) -> BotSettings:
        values: dict[str, object] = {
            "discord_token": TOKEN,
            "discord_api_base_url": fake.api_base,
            "discord_gateway_url": fake.gateway_url,
            "test_guild_id": fake.guild_id,
            "cooldown_rate": 1000,
            "cooldown_seconds": 60.0,
        }
        values.update(extra)
        return make_bot_settings(tmp_path, **values)

    return factory


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A started fake Discord; every test must leave it without violations."""
    server = FakeDiscord()
    await server.start()
    undo = server.patch_discord()  # restores discord.py's real endpoints when the test ends
    try:
        yield server
        assert server.violations == [], server.violations
    finally:
        undo()
        await server.stop()


@pytest_asyncio.fixture
async def records(tmp_path: Path) -> AsyncIterator[Records]:
    store = Records(tmp_path / "data" / "verbatim.sqlite3")
    yield store
    store.close()


@pytest_asyncio.fixture
async def launch(
    fake: FakeDiscord, bot_settings: Callable[..., BotSettings], article_service: Verbatim, records: Records
) -> AsyncIterator[Callable[..., Awaitable[VerbatimBot]]]:
    """`bot = await launch(service=..., **settings_overrides)`: the real bot logged into the fake, closed after the test."""
    bots: list[VerbatimBot] = []

    async def start(service: object = None, *, wait_sync: bool = True, **extra: object) -> VerbatimBot:
        settings = bot_settings(fake, **extra)
        running = await start_bot(settings, service or article_service, records, guild_ready_timeout=0.1)  # type: ignore[arg-type]
        bots.append(running)
        if wait_sync and settings.test_guild_id:
            await fake.wait_for_sync(settings.test_guild_id)
        return running

    try:
        yield start
    finally:
        for running in bots:
            await running.close()


@pytest_asyncio.fixture
async def bot(launch: Callable[..., Awaitable[VerbatimBot]]) -> VerbatimBot:
    """The bot with the default test settings (test guild configured, generous cooldown)."""
    return await launch()
