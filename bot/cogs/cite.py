"""/cite: a passage's reference in GB/T 7714, APA and Chicago (the document's default first), BibTeX and RIS, by passage id."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import VerbatimBot
from bot.embeds import truncate
from bot.views import send_citation

log = logging.getLogger(__name__)

MAX_CHOICES = 25


class Cite(commands.Cog):
    """Citations for passages."""

    def __init__(self, bot: VerbatimBot) -> None:
        self.bot = bot

    @app_commands.command(name="cite")
    @app_commands.describe(passage="The passage id shown in an answer's footer, e.g. p-a91f91d1ac02")
    async def cite(self, interaction: discord.Interaction[VerbatimBot], passage: app_commands.Range[str, 1, 64]) -> None:
        """Get a ready-to-paste citation for a passage id"""
        await send_citation(interaction, passage)

    @cite.autocomplete("passage")
    async def passage_choices(self, interaction: discord.Interaction[VerbatimBot], current: str) -> list[app_commands.Choice[str]]:
        # In-memory and small: answered inline, well within the 3-second autocomplete deadline.
        wanted = current.strip().lower()
        choices: list[app_commands.Choice[str]] = []
        for p in self.bot.verbatim.loaded.passages:
            if wanted and not (p.id.startswith(wanted) or wanted in p.text.lower()):
                continue
            label = f"{p.id} · p. {p.page or '?'} · {' '.join(p.text.split())}"
            choices.append(app_commands.Choice(name=truncate(label, 100), value=p.id))
            if len(choices) >= MAX_CHOICES:
                break
        return choices


async def setup(bot: VerbatimBot) -> None:
    await bot.add_cog(Cite(bot))
