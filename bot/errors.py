"""The one place where errors become messages: known ones a short private embed, the rest a logged apology."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import discord
from discord import app_commands

from bot.embeds import NO_PINGS, error_embed
from bot.i18n import t
from index.errors import BuildInProgress, EmbeddingUnavailable, IndexError_, QuestionRejected, VerbatimError

log = logging.getLogger(__name__)

GONE_INTERACTION_CODES = {10015, 10062, 50027}  # Unknown Webhook, Unknown Interaction, Invalid Webhook Token


class NotModerator(app_commands.CheckFailure):
    """A member without Manage Server or a moderator role tried a moderator command."""


class UserFacingError(Exception):
    """An expected problem in the bot itself (unknown passage id, empty message…), shown as a UI string."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def render(self, locale: discord.Locale | str | None) -> str:
        return t(locale, self.key, **self.values)


def unwrap(error: BaseException) -> BaseException:
    """The original exception behind discord.py's CommandInvokeError / TransformerError wrappers."""
    while isinstance(error, (app_commands.CommandInvokeError,)) and error.original is not None:
        error = error.original
    if isinstance(error, app_commands.TransformerError) and isinstance(error.__cause__, (VerbatimError, UserFacingError)):
        error = error.__cause__
    return error


def cooldown_message(locale: discord.Locale | str | None, error: app_commands.CommandOnCooldown) -> str:
    retry = max(1, int(error.retry_after + 0.999))
    when = discord.utils.format_dt(datetime.now(UTC) + timedelta(seconds=retry), style="R")
    return t(locale, "cooldown.body", rate=error.cooldown.rate, per=int(error.cooldown.per), when=when, seconds=retry)


def known_error_message(locale: discord.Locale | str | None, error: BaseException) -> tuple[str, str] | None:
    """(title, message) for an expected error, or None when the error is unexpected."""
    title = t(locale, "error.title")
    if isinstance(error, UserFacingError):
        return title, error.render(locale)
    if isinstance(error, app_commands.CommandOnCooldown):
        return t(locale, "cooldown.title"), cooldown_message(locale, error)
    if isinstance(error, NotModerator):
        return title, t(locale, "error.moderators_only")
    if isinstance(error, app_commands.MissingPermissions):
        return title, t(locale, "error.missing_permissions", permissions=", ".join(error.missing_permissions))
    if isinstance(error, app_commands.CheckFailure):
        return title, t(locale, "error.check")
    if isinstance(error, QuestionRejected):
        # The specific reason ("too long (612 characters…)") is English; keep it after the localised sentence.
        detail = str(error)
        summary = t(locale, "error.question_rejected")
        return title, summary if detail == summary else f"{summary}\n{detail}"
    if isinstance(error, BuildInProgress):
        return title, t(locale, "error.busy")
    if isinstance(error, (IndexError_, EmbeddingUnavailable)):
        return title, t(locale, "error.index_unavailable")
    if isinstance(error, VerbatimError):
        return title, str(error)
    return None


def describe(interaction: discord.Interaction) -> str:
    """Who, where and what, for the log (never the token)."""
    what = interaction.command.qualified_name if interaction.command is not None else (interaction.data or {}).get("custom_id", "?")  # type: ignore[call-overload]  # InteractionData is a union of TypedDicts
    return f"{what} by user {interaction.user.id} in guild {interaction.guild_id} channel {interaction.channel_id} (interaction {interaction.id}, locale {interaction.locale})"


async def handle_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Tell the user privately what went wrong; log unexpected errors with their context."""
    error = unwrap(error)
    if isinstance(error, discord.HTTPException) and error.code in GONE_INTERACTION_CODES:
        # The token expired (15 min) or the interaction is unknown: nothing can reach the user, so do not retry with it.
        log.warning("could not answer %s: the interaction is gone (%s)", describe(interaction), error)
        return
    locale = interaction.locale
    known = known_error_message(locale, error)
    if known is None:
        log.error("unexpected error in %s", describe(interaction), exc_info=error)
        title, message = t(locale, "error.title"), t(locale, "error.generic")
    else:
        log.info("%s: %s in %s", type(error).__name__, error, describe(interaction))
        title, message = known
    await send_private(interaction, embed=error_embed(locale, message, title=title))


async def send_private(interaction: discord.Interaction, **kwargs: object) -> None:
    """Send an ephemeral message whatever state the interaction is in (not answered, deferred publicly, answered)."""
    kwargs.setdefault("allowed_mentions", NO_PINGS)
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(ephemeral=True, **kwargs)  # type: ignore[call-overload]
            return
        if interaction.extras.get("public_pending"):
            # A public "thinking…" placeholder would otherwise turn into a public error: remove it first.
            interaction.extras["public_pending"] = False
            try:
                await interaction.delete_original_response()
            except discord.HTTPException:
                log.warning("could not delete the public placeholder of interaction %s", interaction.id)
        await interaction.followup.send(ephemeral=True, **kwargs)  # type: ignore[call-overload]
    except discord.HTTPException as exc:
        # The token may have expired or Discord may be down: nothing more can be shown to the user.
        log.warning("could not deliver a private message for %s: %s", describe(interaction), exc)
