"""/sources: the documents Verbatim quotes from, with their bibliographic metadata."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import knowledge_guild
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
        guild = knowledge_guild(interaction)

        def collect() -> tuple[list[DocumentMeta], dict[str, int], str]:
            view = self.bot.knowledge_for(guild)  # the base plus this guild's own documents
            counts: dict[str, int] = {}
            for loaded in view.indexes():
                for passage in loaded.passages:
                    counts[passage.doc_id] = counts.get(passage.doc_id, 0) + 1
            return view.sources(), counts, view.version

        documents, counts, version = await self.bot.run_blocking(collect)
        embed = sources_embed(documents, counts, version, interaction.locale)
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_PINGS)


async def setup(bot: VerbatimBot) -> None:
    await bot.add_cog(Sources(bot))
