"""Upkeep: a heartbeat file for health checks, index versions built by another process, and the retention of question texts."""

from __future__ import annotations

import logging
import time

from discord.ext import commands, tasks

from bot.client import VerbatimBot
from index.errors import VerbatimError
from index.health import write_heartbeat

log = logging.getLogger(__name__)

UPKEEP_SECONDS = 30.0
PURGE_SECONDS = 3600.0  # old question texts are deleted at start-up (the first round) and then hourly


class Upkeep(commands.Cog):
    """Every 30 s: write the heartbeat (`verbatim health` reads it) and serve a newer index if one was swapped in."""

    def __init__(self, bot: VerbatimBot) -> None:
        self.bot = bot
        self.last_purge: float | None = None

    async def cog_load(self) -> None:
        self.tick.start()

    async def cog_unload(self) -> None:
        self.tick.cancel()

    async def run_once(self) -> str | None:
        """One upkeep round; returns the index version picked up, if any."""
        version = None
        try:
            version = await self.bot.run_blocking(self.bot.verbatim.refresh_if_changed)
        except VerbatimError as exc:
            log.error("could not load the new index version (%s); still serving the old one", exc)
        await self.bot.run_blocking(self.bot.tenants.refresh)
        await self.purge_old_questions()
        if self.bot.is_ready():
            loaded = self.bot.verbatim.loaded
            await self.bot.run_blocking(
                write_heartbeat,
                self.bot.settings.data_dir,
                latency_ms=round(self.bot.latency * 1000, 1) if self.bot.latency == self.bot.latency else None,
                guilds=len(self.bot.guilds),
                index_version=loaded.version,
            )
        return version

    async def purge_old_questions(self, force: bool = False) -> dict[str, int] | None:
        """Delete question texts older than VERBATIM_RETENTION_DAYS (at most hourly unless forced)."""
        now = time.monotonic()
        if not force and self.last_purge is not None and now - self.last_purge < PURGE_SECONDS:
            return None
        self.last_purge = now
        try:
            return await self.bot.run_blocking(self.bot.store.purge_older_than, self.bot.settings.retention_days)
        except Exception:
            log.exception("could not purge old question records; retrying next round")
            self.last_purge = None
            return None

    @tasks.loop(seconds=UPKEEP_SECONDS)
    async def tick(self) -> None:
        await self.run_once()

    @tick.error
    async def tick_failed(self, error: BaseException) -> None:
        log.exception("upkeep failed; retrying next round", exc_info=error)
        self.tick.restart()


async def setup(bot: VerbatimBot) -> None:
    await bot.add_cog(Upkeep(bot))
