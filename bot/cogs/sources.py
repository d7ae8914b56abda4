"""/sources: the documents Verbatim quotes from, with their bibliographic metadata."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import VerbatimBot
from bot.embeds import NO_PINGS, sources_embed
from index.models import DocumentMeta

log = logging.getLogger(__name__)


class Sources(commands.Cog):
    """Lists the indexed documents."""

    def __init__(self, bot: VerbatimBot) -> None:
        self.bot = bot

    @app_commands.command(name="sources")
    async def sources(self, interaction: discord.Interaction[VerbatimBot]) -> None:
        """List the documents Verbatim quotes from"""
        service = self.bot.verbatim

        def collect() -> tuple[list[DocumentMeta], dict[str, int], str]:
            loaded = service.loaded
            counts: dict[str, int] = {}
            for passage in loaded.passages:
                counts[passage.doc_id] = counts.get(passage.doc_id, 0) + 1
            return service.sources(), counts, loaded.version

        documents, counts, version = await self.bot.run_blocking(collect)
        embed = sources_embed(documents, counts, version, interaction.locale)
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_PINGS)


async def setup(bot: VerbatimBot) -> None:
    await bot.add_cog(Sources(bot))
