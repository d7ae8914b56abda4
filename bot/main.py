"""Entry points: `verbatim run` (run_bot), `verbatim sync` (sync_commands) and the in-process start_bot used by tests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import discord
import discord.gateway
import discord.http
import yarl

from bot.client import VerbatimBot
from bot.settings import BotSettings
from index.records import Records
from index.service import Verbatim

log = logging.getLogger(__name__)

DEFAULT_API_BASE = discord.http.Route.BASE
DEFAULT_GATEWAY = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


def configure_endpoints(settings: BotSettings) -> Callable[[], None]:
    """Point discord.py at DISCORD_API_BASE_URL / DISCORD_GATEWAY_URL (a REST proxy, or a fake in tests); returns an undo."""
    previous_base, previous_gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    if settings.discord_api_base_url:
        discord.http.Route.BASE = settings.discord_api_base_url.rstrip("/")
        log.info("Discord REST API at %s", discord.http.Route.BASE)
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)
        log.info("Discord gateway at %s", settings.discord_gateway_url)

    def undo() -> None:
        discord.http.Route.BASE = previous_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = previous_gateway

    return undo


def create_bot(
    settings: BotSettings,
    service: Verbatim | None,
    records: Records | None,
    *,
    sync_on_start: bool = True,
    guild_ready_timeout: float = 2.0,
) -> VerbatimBot:
    """The bot with its services (the shards Discord recommends, or those DISCORD_SHARD_COUNT / _IDS pin)."""
    return VerbatimBot(settings, service, records, sync_on_start=sync_on_start, guild_ready_timeout=guild_ready_timeout)


def open_services(settings: BotSettings) -> tuple[Verbatim, Records]:
    """The answering service (index loaded, built first if missing) and the records database. Blocking."""
    service = Verbatim(settings)
    report = service.ensure_ready()
    if report is not None:
        log.info("built the index on first start:\n%s", report.summary())
    return service, Records(settings.feedback_db)


async def start_bot(
    settings: BotSettings,
    service: Verbatim | None = None,
    records: Records | None = None,
    *,
    guild_ready_timeout: float = 2.0,
    ready_timeout: float = 30.0,
) -> VerbatimBot:
    """Log in, connect in the background and return once the bot is ready; close it with `await bot.close()`."""
    token = settings.require_token()
    configure_endpoints(settings)
    owned: Records | None = None
    if service is None:
        service = Verbatim(settings)
        await asyncio.to_thread(service.ensure_ready)
    if records is None:
        records = owned = await asyncio.to_thread(Records, settings.feedback_db)
    bot = create_bot(settings, service, records, guild_ready_timeout=guild_ready_timeout)
    if owned is not None:
        bot.owned_records = owned
    try:
        await bot.login(token)
        task = asyncio.create_task(bot.connect(reconnect=True), name="verbatim-gateway")
        bot.connect_task = task
        waiter = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({task, waiter}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED)
        if waiter not in done:
            waiter.cancel()
            if task in done and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
            raise TimeoutError(f"the bot was not ready within {ready_timeout} s")
    except BaseException:
        await bot.close()
        raise
    return bot


def run_bot(settings: BotSettings) -> None:
    """`verbatim run`: build the services once, then run the bot until interrupted."""
    token = settings.require_token()
    configure_endpoints(settings)
    service, records = open_services(settings)

    async def main() -> None:
        async with create_bot(settings, service, records) as bot:
            await bot.start(token)

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        log.info("interrupted; shutting down")
    finally:
        records.close()


async def sync_commands_async(settings: BotSettings, guild_id: int | None = None) -> list[discord.app_commands.AppCommand]:
    """Sync the command tree globally, or to one guild; logs in over REST only (no gateway)."""
    token = settings.require_token()
    configure_endpoints(settings)
    async with create_bot(settings, None, None, sync_on_start=False) as bot:
        await bot.login(token)  # runs setup_hook: translator and cogs, so the payload is complete
        if guild_id:
            guild = discord.Object(id=guild_id)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
        else:
            synced = await bot.tree.sync()
    return synced


def sync_commands(settings: BotSettings, guild_id: int | None = None) -> None:
    """`verbatim sync [--guild ID]`: the only way commands are synced globally."""
    synced = asyncio.run(sync_commands_async(settings, guild_id))
    where = f"guild {guild_id}" if guild_id else "all guilds (global; may take up to an hour to appear)"
    print(f"Synced {len(synced)} commands to {where}: " + ", ".join(sorted(c.name for c in synced)))
