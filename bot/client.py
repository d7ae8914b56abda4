"""The Verbatim bot: a commands.Bot holding the services, loading one cog per feature and syncing to a test guild."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import os
import pkgutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import UserCooldowns
from bot.embeds import NO_PINGS
from bot.errors import handle_error
from bot.i18n import VerbatimTranslator
from bot.settings import BotSettings
from bot.translation import register_strings, settle
from index.records import Records
from index.service import Verbatim
from index.tenancy import GuildLibrary, KnowledgeView
from index.translation import Translator

log = logging.getLogger(__name__)

R = TypeVar("R")

COGS_PACKAGE = "bot.cogs"


# How long closing waits for the questions and writes already handed to the worker threads.
CLOSE_WAIT_SECONDS = 10.0


def blocking_workers(configured: int | None = None) -> int:
    """Threads for questions and other blocking work: `configured`, else one per core this process may use, at least two.

    Answering is CPU-bound (the model, numpy, FAISS): more threads than cores answer a burst no sooner, and each keeps
    its own malloc arena of freed temporaries (at 100,000 passages, tens of MB each).
    """
    if configured is not None:
        return configured
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(2, cores)


def discover_extensions() -> list[str]:
    """Every module in bot/cogs/ (so a new cog module or package such as kb/ plugs in by existing)."""
    # Listed from the directory, not by importing bot.cogs: the cogs import this module, not the other way round.
    cogs_dir = Path(__file__).with_name("cogs")
    return sorted(f"{COGS_PACKAGE}.{m.name}" for m in pkgutil.iter_modules([str(cogs_dir)]) if not m.name.startswith("_"))


class VerbatimTree(app_commands.CommandTree):
    """Routes every app-command error to bot.errors."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await handle_error(interaction, error)


class VerbatimBot(commands.AutoShardedBot):
    """The bot: services, cooldowns, extensions, test-guild sync.

    One class for one process or many: an AutoShardedBot runs every shard Discord recommends (one below ~1,000
    guilds) unless DISCORD_SHARD_COUNT / DISCORD_SHARD_IDS pin the count and this process's share of it.
    """

    settings: BotSettings
    service: Verbatim | None
    library: GuildLibrary | None
    records: Records | None
    owned_records: Records | None = None  # opened by start_bot, so closed with the bot
    connect_task: asyncio.Task[None] | None = None
    translator: Translator | None = None

    def __init__(
        self,
        settings: BotSettings,
        service: Verbatim | None,
        records: Records | None,
        *,
        sync_on_start: bool = True,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=discord.Intents.default(),
            allowed_mentions=NO_PINGS,
            tree_cls=VerbatimTree,
            guild_ready_timeout=guild_ready_timeout,
            shard_count=settings.shard_count,
            shard_ids=settings.shard_ids or None,  # type: ignore[arg-type]  # discord.py's default is None (all shards); its stub says list
        )
        self.settings = settings
        self.service = service
        # The base is `service`; each guild's own documents come on top of it (index/tenancy.py).
        self.library = GuildLibrary(settings, service) if service is not None else None
        self.records = records
        self.sync_on_start = sync_on_start
        self.cooldowns = UserCooldowns(settings.cooldown_rate, settings.cooldown_seconds)
        # Optional machine translation of quotes (None unless configured); `verbatim sync` has no service and needs none.
        self.translator = Translator.from_settings(settings) if service is not None else None
        self.extension_failures: dict[str, str] = {}
        self.workers = ThreadPoolExecutor(max_workers=blocking_workers(settings.worker_threads), thread_name_prefix="verbatim-worker")
        self._handed_over: set[asyncio.Future[Any]] = set()  # blocking work submitted and not yet done

    @property
    def verbatim(self) -> Verbatim:
        """The answering service (absent only in `verbatim sync`, which never handles interactions)."""
        if self.service is None:
            raise RuntimeError("this bot was created without a Verbatim service")
        return self.service

    @property
    def tenants(self) -> GuildLibrary:
        if self.library is None:
            raise RuntimeError("this bot was created without a Verbatim service")
        return self.library

    def knowledge_for(self, guild_id: int | None) -> KnowledgeView:
        """The base plus `guild_id`'s own documents (None: the base only). Blocking: call it in a worker thread."""
        return self.tenants.view(guild_id)

    @property
    def store(self) -> Records:
        if self.records is None:
            raise RuntimeError("this bot was created without a records store")
        return self.records

    async def run_blocking(self, func: Callable[..., R], *args: Any, **kwargs: Any) -> R:
        """Run blocking work (search, SQLite) in a worker thread so the gateway heartbeat never waits for it."""
        call = functools.partial(contextvars.copy_context().run, func, *args, **kwargs)  # as asyncio.to_thread does
        future = asyncio.get_running_loop().run_in_executor(self.workers, call)
        self._handed_over.add(future)
        future.add_done_callback(self._handed_over.discard)
        return await future

    async def finish_blocking_work(self, timeout: float = CLOSE_WAIT_SECONDS) -> bool:
        """Wait, at most `timeout` seconds, for the blocking work already handed over (running or queued); False if
        some was still unfinished then."""
        pending = set(self._handed_over)
        if not pending:
            return True
        _, unfinished = await asyncio.wait(pending, timeout=timeout)
        if unfinished:
            log.warning("closing with %d blocking task(s) unfinished after %.0f s", len(unfinished), timeout)
        return not unfinished

    async def setup_hook(self) -> None:
        await self.tree.set_translator(VerbatimTranslator())
        register_strings()
        from bot.views import ANSWER_ITEMS  # the answer buttons work on any message, even from before a restart

        self.add_dynamic_items(*ANSWER_ITEMS)
        for extension in discover_extensions():
            try:
                await self.load_extension(extension)
            except Exception as exc:  # a broken feature must not take the whole bot down
                self.extension_failures[extension] = f"{type(exc).__name__}: {exc}"
                log.exception("could not load extension %s; continuing without it", extension)
        log.info("loaded extensions: %s", ", ".join(sorted(self.extensions)) or "none")
        guild_id = self.settings.test_guild_id
        if self.sync_on_start and guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
                log.info("synced %d commands to test guild %s", len(synced), guild_id)
            except discord.HTTPException:
                log.exception("could not sync commands to test guild %s", guild_id)

    async def close(self) -> None:
        await super().close()
        if self.translator is not None:
            await settle(self)
            self.translator.close()
            self.translator = None
        task = self.connect_task
        if task is not None and not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=5)
            except TimeoutError:
                log.warning("the gateway connection did not close within 5 s; cancelling it")
                task.cancel()
            except Exception as exc:  # the connection's own failure, seen while shutting down: record it, keep closing
                log.warning("the gateway connection ended with an error while closing: %s", type(exc).__name__)
                task.cancel()
        # Questions and writes already handed to the workers finish before the records close (bounded: a burst's queue
        # is not worth a long shutdown). What a handler would do after that (an answer's own record) is not waited for.
        await self.finish_blocking_work()
        if self.owned_records is not None:
            self.owned_records.close()
            self.owned_records = None
        self.workers.shutdown(wait=False, cancel_futures=True)

    async def on_ready(self) -> None:
        log.info("connected as %s (%s) to %d guild(s)", self.user, self.user.id if self.user else "?", len(self.guilds))
