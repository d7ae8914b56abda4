"""Shared parts of the /kb commands: who is running a change, refusals, replies and the audit trail."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import escape_markdown, format_dt

from bot.checks import knowledge_guild
from bot.client import VerbatimBot
from bot.embeds import COLOR_ERROR, COLOR_INFO, NO_PINGS, error_embed, fit_embed
from bot.i18n import t
from index.records import AuditEntry
from index.tenancy import GuildKnowledge

log = logging.getLogger(__name__)

CHANGING_ACTIONS = {"reindex", "add", "remove", "rollback"}
BUILDING_ACTIONS = {"reindex", "add", "remove"}


@dataclass
class RunningOperation:
    """The knowledge-changing operation this bot is running (set before the first await, so checks never race)."""

    action: str
    started_by: str
    started_at: datetime


def actor_name(user: discord.abc.User) -> str:
    """How a moderator is named in manifests, audit rows and refusals: display name and id."""
    return f"{user.display_name} ({user.id})"


def when_text(moment: datetime) -> str:
    """A Discord timestamp (shown in the reader's time zone) with the relative time."""
    return f"{format_dt(moment, 'T')} ({format_dt(moment, 'R')})"


def fit_lines(lines: list[str], limit: int = 1024) -> str:
    """As many whole lines as fit in an embed field."""
    out: list[str] = []
    size = 0
    for line in lines:
        if size + len(line) + 1 > limit:
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out)


class KbCommands(commands.Cog):
    """The state and helpers every /kb command group uses (mixed into the one /kb cog)."""

    bot: VerbatimBot
    running: dict[int, RunningOperation]  # per guild: one change at a time in each

    @staticmethod
    def guild_of(interaction: discord.Interaction[VerbatimBot]) -> int:
        """The guild whose knowledge base this command acts on (is_moderator guarantees there is one)."""
        guild_id = knowledge_guild(interaction)
        if guild_id is None:
            raise app_commands.NoPrivateMessage()
        return guild_id

    def space(self, interaction: discord.Interaction[VerbatimBot]) -> GuildKnowledge:
        """The invoking guild's own documents and index (never another guild's)."""
        return self.bot.tenants.space(self.guild_of(interaction))

    def running_build(self, guild_id: int) -> tuple[str, datetime] | None:
        """Who started the build or change running now in this guild, and when (this bot's, or the service's)."""
        running = self.running.get(guild_id)
        if running is not None:
            return running.started_by, running.started_at
        status = self.bot.tenants.space(guild_id).build_status
        if status is not None:
            return status.started_by, status.started_at
        return None

    def busy_embed(self, locale: discord.Locale | str | None, running: tuple[str, datetime] | None) -> discord.Embed:
        if running is None:
            return error_embed(locale, t(locale, "kb.busy_elsewhere"))
        who, when = running
        return error_embed(locale, t(locale, "kb.busy", user=escape_markdown(who), when=when_text(when)))

    async def refuse_if_busy(self, interaction: discord.Interaction[VerbatimBot], action: str, target: str = "") -> bool:
        """Refuse at once (before deferring) when a build or change is running in this guild; True if refused."""
        running = self.running_build(self.guild_of(interaction))
        if running is None:
            return False
        await interaction.response.send_message(
            embed=self.busy_embed(interaction.locale, running), ephemeral=True, allowed_mentions=NO_PINGS
        )
        await self.audit(interaction, action, target, f"refused: a build started by {running[0]} is running")
        return True

    async def refuse_change(self, interaction: discord.Interaction[VerbatimBot], action: str, target: str = "") -> bool:
        """Refuse at once a change the operator turned off here, or past the guild's builds-per-hour quota; True if refused."""
        guild_id = self.guild_of(interaction)
        settings = self.bot.settings
        locale = interaction.locale
        refusal: tuple[str, str] | None = None
        if not settings.guild_may_change_documents(guild_id):
            refusal = (t(locale, "kb.disabled"), "refused: guild documents are turned off")
        elif action in BUILDING_ACTIONS:
            since = datetime.now(UTC) - timedelta(hours=1)
            count = await self.bot.run_blocking(self.bot.store.builds_since, guild_id, since)
            if count >= settings.guild_builds_per_hour:
                refusal = (
                    t(locale, "kb.quota.builds", count=count, limit=settings.guild_builds_per_hour),
                    "refused: builds-per-hour quota",
                )
        if refusal is None:
            return False
        await interaction.response.send_message(embed=error_embed(locale, refusal[0]), ephemeral=True, allowed_mentions=NO_PINGS)
        await self.audit(interaction, action, target, refusal[1])
        return True

    def begin(self, interaction: discord.Interaction[VerbatimBot], action: str) -> None:
        self.running[self.guild_of(interaction)] = RunningOperation(action, actor_name(interaction.user), datetime.now(UTC))

    def end(self, interaction: discord.Interaction[VerbatimBot]) -> None:
        self.running.pop(self.guild_of(interaction), None)

    async def reply(self, interaction: discord.Interaction[VerbatimBot], **kwargs: Any) -> None:
        """Replace the deferred ephemeral response (or send one) with the final message."""
        kwargs.setdefault("allowed_mentions", NO_PINGS)
        if interaction.response.is_done():
            await interaction.edit_original_response(**kwargs)
        else:
            await interaction.response.send_message(ephemeral=True, **kwargs)

    async def audit(self, interaction: discord.Interaction[VerbatimBot], action: str, target: str, result: str) -> None:
        """Record a moderator action (who, what, when, result) and post changes to the mod-log channel, if any."""
        user = interaction.user
        entry = AuditEntry(actor_id=user.id, action=action, target=target, result=result, guild_id=interaction.guild_id, actor=str(user))
        log.info("kb %s %r by %s in guild %s: %s", action, target, user.id, interaction.guild_id, result)
        try:
            await self.bot.run_blocking(self.bot.store.add_audit, entry)
        except Exception:
            log.exception("could not record the audit entry for kb %s by %s", action, user.id)
        channel_id = self.bot.settings.mod_log_channel_id
        if not channel_id or action not in CHANGING_ACTIONS:
            return
        locale = interaction.guild_locale or discord.Locale.american_english
        embed = discord.Embed(
            title=t(locale, "kb.audit.title") + f" · /kb {action}", colour=COLOR_ERROR if not result.startswith("ok") else COLOR_INFO
        )
        embed.add_field(name=t(locale, "kb.audit.who"), value=f"{user.mention} ({escape_markdown(str(user))})", inline=True)
        if target:
            embed.add_field(name=t(locale, "kb.audit.target"), value=f"`{escape_markdown(target)}`", inline=True)
        embed.add_field(name=t(locale, "kb.audit.result"), value=escape_markdown(result), inline=False)
        embed.timestamp = datetime.now(UTC)
        try:
            channel = self.bot.get_channel(channel_id) or await self.bot.fetch_channel(channel_id)
            # The mod-log channel belongs to one guild: another guild's actions are never posted there.
            if getattr(getattr(channel, "guild", None), "id", None) != interaction.guild_id:
                return
            if not isinstance(channel, discord.abc.Messageable):  # e.g. a category or a forum: nothing to post into
                log.warning("the mod-log channel %s cannot take messages; kb %s not posted", channel_id, action)
                return
            await channel.send(embed=fit_embed(embed), allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            log.warning("could not post kb %s to the mod-log channel %s: %s", action, channel_id, exc)
