"""Checks shared by cogs: the per-user question cooldown and the moderator check."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from bot.errors import NotModerator

if TYPE_CHECKING:
    from bot.client import VerbatimBot

log = logging.getLogger(__name__)

T = TypeVar("T")


class UserCooldowns:
    """`rate` uses per `per` seconds for each user, shared by every command that asks a question."""

    def __init__(self, rate: int, per: float) -> None:
        self.rate = rate
        self.per = per
        self._buckets: dict[int, app_commands.Cooldown] = {}

    def hit(self, user_id: int) -> app_commands.Cooldown | None:
        """Count one use; returns the exhausted bucket when the user must wait, else None."""
        now = time.time()
        if len(self._buckets) > 10_000:
            self._prune(now)
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = app_commands.Cooldown(self.rate, self.per)
        if bucket.update_rate_limit(now) is not None:
            return bucket
        return None

    def _prune(self, now: float) -> None:
        stale = [uid for uid, bucket in self._buckets.items() if now > bucket._window + self.per]
        for uid in stale:
            del self._buckets[uid]


def question_cooldown() -> Callable[[T], T]:
    """The per-user cooldown from settings (cooldown_rate per cooldown_seconds) as an app-command check."""

    async def predicate(interaction: discord.Interaction[VerbatimBot]) -> bool:
        cooldowns = interaction.client.cooldowns
        bucket = cooldowns.hit(interaction.user.id)
        if bucket is not None:
            raise app_commands.CommandOnCooldown(bucket, bucket.get_retry_after())
        return True

    return app_commands.check(predicate)


def knowledge_guild(interaction: discord.Interaction[Any]) -> int | None:
    """The guild whose own documents and records this interaction uses: its guild when the bot is installed there.

    None in DMs and where only a user installed the app (a guild the bot is not in): the base only, no guild records.
    """
    if interaction.guild_id is None or not interaction.is_guild_integration():
        return None
    return interaction.guild_id


def member_is_moderator(interaction: discord.Interaction[Any]) -> bool:
    """Manage Server, or a configured moderator role (VERBATIM_MODERATOR_ROLE_IDS), in a guild that installed the bot.

    Only ever for the guild the interaction comes from: /kb acts on that guild's own knowledge base and records.
    """
    member = interaction.user
    if not isinstance(member, discord.Member) or knowledge_guild(interaction) is None:
        return False
    if member.guild_permissions.manage_guild:
        return True
    role_ids = set(interaction.client.settings.moderator_role_ids)
    return any(role.id in role_ids for role in member.roles)


def is_moderator() -> Callable[[T], T]:
    """Enforced moderator check; pair it with `app_commands.default_permissions(manage_guild=True)` as Discord's hint."""

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        if member_is_moderator(interaction):
            return True
        await audit_refusal(interaction, "refused: not a moderator of this guild")
        raise NotModerator("moderators only")

    return app_commands.check(predicate)


async def audit_refusal(interaction: discord.Interaction[Any], result: str) -> None:
    """Record a refused /kb command in the audit log of the guild where it was tried (None outside a guild)."""
    from index.records import AuditEntry

    command = interaction.command
    action = command.name if command is not None else "?"
    user = interaction.user
    entry = AuditEntry(actor_id=user.id, action=action, target="", result=result, guild_id=interaction.guild_id, actor=str(user))
    log.info("kb %s by %s in guild %s: %s", action, user.id, interaction.guild_id, result)
    try:
        await interaction.client.run_blocking(interaction.client.store.add_audit, entry)
    except Exception:
        log.exception("could not record the refusal of kb %s by %s", action, user.id)
