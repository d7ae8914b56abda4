"""/kb gaps, stats and forget: the guild's question records."""

from __future__ import annotations

import io
import logging
from typing import Any

import discord
from discord import app_commands
from discord.utils import escape_markdown

from bot.checks import is_moderator
from bot.client import VerbatimBot
from bot.cogs.kb.common import KbCommands, fit_lines
from bot.embeds import COLOR_ANSWER, COLOR_INFO, NO_PINGS, error_embed, fit_embed, truncate
from bot.i18n import t

log = logging.getLogger(__name__)

STATS_DAYS = 30
GAPS_LIMIT = 10
CHART_NAME = "verbatim-stats.png"


class RecordCommands(KbCommands):
    """The /kb subcommands over the guild's questions, votes and activity."""

    @app_commands.command(name="gaps", description="List recent unanswered questions and 👎 answers")
    @is_moderator()
    async def gaps(self, interaction: discord.Interaction[VerbatimBot]) -> None:
        locale = interaction.locale
        guild_id = self.guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        store = self.bot.store
        unanswered, downvotes = await self.bot.run_blocking(
            lambda: (store.unanswered(GAPS_LIMIT, guild_id=guild_id), store.downvotes(GAPS_LIMIT, guild_id=guild_id))
        )
        embed = discord.Embed(title=t(locale, "kb.gaps.title"), colour=COLOR_INFO)
        lines = [f"• {escape_markdown(truncate(' '.join(u.question.split()), 150))} · {u.created_at[:10]}" for u in unanswered]
        embed.add_field(name=t(locale, "kb.gaps.unanswered"), value=fit_lines(lines) or t(locale, "kb.gaps.empty"), inline=False)
        lines = [
            f"• 👎 {escape_markdown(truncate(' '.join(f.question.split()), 120)) or '—'} → `{f.passage_id}` · {f.created_at[:10]}"
            for f in downvotes
        ]
        embed.add_field(name=t(locale, "kb.gaps.downvoted"), value=fit_lines(lines) or t(locale, "kb.gaps.empty"), inline=False)
        await interaction.followup.send(embed=fit_embed(embed), ephemeral=True, allowed_mentions=NO_PINGS)
        await self.audit(interaction, "gaps", "", "ok")

    @app_commands.command(name="stats", description="Chart of the last 30 days: questions, answers and feedback")
    @is_moderator()
    async def stats(self, interaction: discord.Interaction[VerbatimBot]) -> None:
        locale = interaction.locale
        guild_id = self.guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        store = self.bot.store

        def collect() -> tuple[bytes, Any, list[tuple[str, int]]]:
            from index.charts import activity_chart

            days = store.daily_activity(STATS_DAYS, guild_id=guild_id)
            return (
                activity_chart(days, title=f"Verbatim: the last {STATS_DAYS} days"),
                days,
                store.top_unanswered(STATS_DAYS, 5, guild_id=guild_id),
            )

        png, days, top = await self.bot.run_blocking(collect)
        totals = {key: sum(getattr(d, key) for d in days) for key in ("asked", "answered", "not_covered", "up", "down")}
        embed = discord.Embed(
            title=t(locale, "kb.stats.title", days=STATS_DAYS), description=t(locale, "kb.stats.summary", **totals), colour=COLOR_INFO
        )
        lines = [f"• {escape_markdown(truncate(' '.join(q.split()), 150))} {t(locale, 'kb.stats.times', count=n)}" for q, n in top]
        embed.add_field(name=t(locale, "kb.stats.top_unanswered"), value=fit_lines(lines) or t(locale, "kb.gaps.empty"), inline=False)
        embed.set_image(url=f"attachment://{CHART_NAME}")
        chart = discord.File(io.BytesIO(png), filename=CHART_NAME)
        await interaction.followup.send(embed=fit_embed(embed), file=chart, ephemeral=True, allowed_mentions=NO_PINGS)
        await self.audit(interaction, "stats", "", "ok")

    @app_commands.command(name="forget", description="Erase this server's questions, unanswered questions and votes")
    @app_commands.describe(confirm="Set to True to erase them")
    @is_moderator()
    async def forget(self, interaction: discord.Interaction[VerbatimBot], confirm: bool = False) -> None:
        locale = interaction.locale
        guild_id = self.guild_of(interaction)
        if not confirm:
            await interaction.response.send_message(
                embed=error_embed(locale, t(locale, "kb.forget.unconfirmed")), ephemeral=True, allowed_mentions=NO_PINGS
            )
            await self.audit(interaction, "forget", "", "refused: not confirmed")
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        deleted = await self.bot.run_blocking(self.bot.store.forget_guild, guild_id)
        embed = discord.Embed(title=t(locale, "kb.forget.title"), description=t(locale, "kb.forget.done", **deleted), colour=COLOR_ANSWER)
        await interaction.followup.send(embed=fit_embed(embed), ephemeral=True, allowed_mentions=NO_PINGS)
        await self.audit(interaction, "forget", "", "ok: " + ", ".join(f"{table} {n}" for table, n in deleted.items()))
