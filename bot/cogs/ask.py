"""/ask and the "Ask Verbatim" message menu: a verified quote with its citation, or an honest "not covered"."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import knowledge_guild, question_cooldown
from bot.client import VerbatimBot
from bot.embeds import NO_PINGS, answer_embed, not_covered_embed
from bot.errors import UserFacingError, send_private
from bot.translation import follow_with_translation
from bot.views import answer_view
from index.models import Answer
from index.records import Asked, Unanswered

log = logging.getLogger(__name__)

MAX_QUESTION_LENGTH = 250  # fits the answer embed's author line, which carries the question to the 👍/👎 buttons


class Ask(commands.Cog):
    """Answers questions from the documents."""

    def __init__(self, bot: VerbatimBot) -> None:
        self.bot = bot
        menu = app_commands.ContextMenu(name="Ask Verbatim", callback=self.ask_message)
        self.menu = question_cooldown()(menu)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    @app_commands.command(name="ask")
    @app_commands.describe(question="Your question about the documents", public="Post the answer in the channel instead of privately")
    @question_cooldown()
    async def ask(
        self, interaction: discord.Interaction[VerbatimBot], question: app_commands.Range[str, 1, MAX_QUESTION_LENGTH], public: bool = False
    ) -> None:
        """Ask a question and get a verbatim quote with its citation"""
        await self.answer(interaction, question, public=public)

    async def ask_message(self, interaction: discord.Interaction[VerbatimBot], message: discord.Message) -> None:
        text = message.clean_content.strip()
        if not text:
            raise UserFacingError("error.empty_message")
        await self.answer(interaction, text, public=False)

    async def answer(self, interaction: discord.Interaction[VerbatimBot], question: str, *, public: bool) -> None:
        """Defer at once, search off the event loop, then answer (publicly only if asked and covered)."""
        started = time.perf_counter()
        await interaction.response.defer(ephemeral=not public, thinking=True)
        interaction.extras["public_pending"] = public
        guild = knowledge_guild(interaction)  # the base plus this guild's own documents; None: the base only
        result = await self.bot.run_blocking(lambda: self.bot.knowledge_for(guild).ask(question))
        locale = interaction.locale
        passage_id = result.quote.passage.id if result.answered and result.quote is not None else None
        try:
            if passage_id is not None:
                message = await interaction.followup.send(
                    embed=answer_embed(result, locale),
                    view=answer_view(locale, passage_id),
                    ephemeral=not public,
                    allowed_mentions=NO_PINGS,
                    wait=True,
                )
                interaction.extras["public_pending"] = False
                follow_with_translation(self.bot, interaction, result, message, self.bot.verbatim)  # edits the answer later, if at all
            else:
                # Not covered is always private, even when `public` was asked for.
                await send_private(interaction, embed=not_covered_embed(result, locale))
        finally:
            # Recorded even when the reply could not be delivered (e.g. an expired token): the question was asked.
            await self.record(interaction, result)
        log.info(
            "ask by user %s in guild %s: answered=%s passage=%s search=%.0fms total=%.0fms",
            interaction.user.id,
            interaction.guild_id,
            result.answered,
            passage_id,
            result.timings_ms.get("total", 0.0),
            (time.perf_counter() - started) * 1000,
        )

    async def record(self, interaction: discord.Interaction[VerbatimBot], result: Answer) -> None:
        """Keep the question for moderators (unanswered) and statistics (asked); a failure here never hides the answer."""
        records: list[tuple[Callable[[Any], int], Any]] = []
        if not result.answered:
            closest = result.passages[0].passage.id if result.passages else None
            unanswered = Unanswered(
                question=result.question,
                reason=result.reason,
                closest_passage_id=closest,
                user_id=interaction.user.id,
                guild_id=knowledge_guild(interaction),
                index_version=result.index_version,
            )
            records.append((self.bot.store.add_unanswered, unanswered))
        # Every question, answered or not, for /kb stats (questions per day).
        asked = Asked(result.question, result.answered, interaction.user.id, knowledge_guild(interaction), result.index_version)
        records.append((self.bot.store.add_asked, asked))

        def write() -> None:
            for add, record in records:
                add(record)

        try:
            await self.bot.run_blocking(write)
        except Exception:
            log.exception("could not record the question of user %s in guild %s", interaction.user.id, interaction.guild_id)


async def setup(bot: VerbatimBot) -> None:
    await bot.add_cog(Ask(bot))
