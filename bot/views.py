"""The buttons under every answer (Context, Cite, Share, 👍/👎): stateless, so they keep working after a restart."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import ui

from bot.checks import knowledge_guild
from bot.embeds import NO_PINGS, citation_embed, context_embed, question_from_embed, shared_embed
from bot.errors import UserFacingError, handle_error
from bot.i18n import t
from bot.translation import with_cached_translation
from index import citations
from index.citations import RenderedCitation
from index.models import Citation, Passage
from index.records import Feedback

if TYPE_CHECKING:
    from bot.client import VerbatimBot

log = logging.getLogger(__name__)

PASSAGE_ID = r"[a-z0-9][a-z0-9._-]{0,60}"


class AnswerButton(ui.DynamicItem[ui.Button], template=r"verbatim:(?!)"):
    """Base of the answer buttons: errors go to bot.errors like everything else."""

    def __init__(self, button: ui.Button) -> None:
        super().__init__(button)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self.run(interaction)
        except Exception as exc:
            await handle_error(interaction, exc)

    async def run(self, interaction: discord.Interaction[VerbatimBot]) -> None:
        raise NotImplementedError


class ContextButton(AnswerButton, template=rf"verbatim:context:(?P<pid>{PASSAGE_ID})"):
    """Shows the whole paragraph around the quoted passage, privately."""

    def __init__(self, passage_id: str, label: str = "Context") -> None:
        super().__init__(
            ui.Button(label=label, emoji="📄", style=discord.ButtonStyle.secondary, custom_id=f"verbatim:context:{passage_id}")
        )
        self.passage_id = passage_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: ui.Button, match: re.Match[str]) -> ContextButton:  # type: ignore[override]  # discord.py passes the item this class built
        return cls(match["pid"], item.label or "Context")

    async def run(self, interaction: discord.Interaction[VerbatimBot]) -> None:
        guild = knowledge_guild(interaction)
        ctx = await interaction.client.run_blocking(lambda: interaction.client.knowledge_for(guild).context(self.passage_id))
        if ctx is None:
            raise UserFacingError("error.passage_not_found", passage_id=self.passage_id)
        embed = await with_cached_translation(
            interaction.client, context_embed(ctx, interaction.locale), ctx.passage, ctx.citation.meta.language, interaction.locale
        )
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_PINGS)


class CiteButton(AnswerButton, template=rf"verbatim:cite:(?P<pid>{PASSAGE_ID})"):
    """Gives a ready-to-paste citation of the quoted passage, privately."""

    def __init__(self, passage_id: str, label: str = "Cite") -> None:
        super().__init__(ui.Button(label=label, emoji="📚", style=discord.ButtonStyle.secondary, custom_id=f"verbatim:cite:{passage_id}"))
        self.passage_id = passage_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: ui.Button, match: re.Match[str]) -> CiteButton:  # type: ignore[override]  # discord.py passes the item this class built
        return cls(match["pid"], item.label or "Cite")

    async def run(self, interaction: discord.Interaction[VerbatimBot]) -> None:
        await send_citation(interaction, self.passage_id)


async def send_citation(interaction: discord.Interaction[VerbatimBot], passage_id: str) -> None:
    """The citation of a passage in every style, BibTeX and RIS, privately (used by the Cite button and /cite)."""
    guild = knowledge_guild(interaction)

    def lookup() -> tuple[Passage, Citation, RenderedCitation] | None:
        service = interaction.client.knowledge_for(guild)  # the base plus this guild's own documents only
        passage = service.find_passage(passage_id)
        if passage is None:
            return None
        citation = service.citation(passage)
        return passage, citation, citations.rendered(citation)  # CSL rendering is CPU work: off the event loop

    found = await interaction.client.run_blocking(lookup)
    if found is None:
        raise UserFacingError("error.passage_not_found", passage_id=passage_id.strip()[:64])
    embed = citation_embed(*found, interaction.locale)
    await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_PINGS)


class ShareButton(AnswerButton, template=rf"verbatim:share:(?P<pid>{PASSAGE_ID})"):
    """Posts a private answer to the channel, attributed to the person who asked."""

    def __init__(self, passage_id: str, label: str = "Share") -> None:
        super().__init__(ui.Button(label=label, emoji="📣", style=discord.ButtonStyle.primary, custom_id=f"verbatim:share:{passage_id}"))
        self.passage_id = passage_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: ui.Button, match: re.Match[str]) -> ShareButton:  # type: ignore[override]  # discord.py passes the item this class built
        return cls(match["pid"], item.label or "Share")

    async def run(self, interaction: discord.Interaction[VerbatimBot]) -> None:
        message = interaction.message
        locale = interaction.locale
        if message is None or not message.embeds:
            raise UserFacingError("error.passage_not_found", passage_id=self.passage_id)
        if not message.flags.ephemeral:
            await interaction.response.send_message(t(locale, "share.already_public"), ephemeral=True, allowed_mentions=NO_PINGS)
            return
        embed = shared_embed(message.embeds[0], interaction.user, locale)
        # Only the asker can see (and so click) a private answer: the sharer is the asker.
        content = t(locale, "share.header", user=interaction.user.mention)
        view = answer_view(locale, self.passage_id)
        await interaction.response.send_message(content, embed=embed, view=view, allowed_mentions=NO_PINGS)
        log.info("user %s shared an answer (%s) in channel %s", interaction.user.id, self.passage_id, interaction.channel_id)


class VoteButton(AnswerButton, template=rf"verbatim:vote:(?P<vote>up|down):(?P<pid>{PASSAGE_ID})"):
    """👍/👎 feedback, stored with the question in the records database."""

    def __init__(self, vote: str, passage_id: str) -> None:
        emoji = "👍" if vote == "up" else "👎"
        super().__init__(ui.Button(emoji=emoji, style=discord.ButtonStyle.secondary, custom_id=f"verbatim:vote:{vote}:{passage_id}"))
        self.vote = vote
        self.passage_id = passage_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: ui.Button, match: re.Match[str]) -> VoteButton:  # type: ignore[override]  # discord.py passes the item this class built
        return cls(match["vote"], match["pid"])

    async def run(self, interaction: discord.Interaction[VerbatimBot]) -> None:
        message = interaction.message
        question = question_from_embed(message.embeds[0] if message is not None and message.embeds else None)
        feedback = Feedback(
            question=question,
            passage_id=self.passage_id,
            vote="up" if self.vote == "up" else "down",
            user_id=interaction.user.id,
            guild_id=knowledge_guild(interaction),
            message_id=message.id if message is not None else None,
        )
        await interaction.client.run_blocking(interaction.client.store.add_feedback, feedback)
        log.info("feedback %s on %s from user %s", self.vote, self.passage_id, interaction.user.id)
        await interaction.response.send_message(t(interaction.locale, f"feedback.{self.vote}"), ephemeral=True, allowed_mentions=NO_PINGS)


ANSWER_ITEMS: tuple[type[AnswerButton], ...] = (ContextButton, CiteButton, ShareButton, VoteButton)


def answer_view(locale: discord.Locale | str | None, passage_id: str) -> ui.View:
    """Context, Cite, Share, 👍, 👎 for one answer (labels in the asker's language)."""
    view = ui.View(timeout=None)
    view.add_item(ContextButton(passage_id, t(locale, "button.context")))
    view.add_item(CiteButton(passage_id, t(locale, "button.cite")))
    view.add_item(ShareButton(passage_id, t(locale, "button.share")))
    view.add_item(VoteButton("up", passage_id))
    view.add_item(VoteButton("down", passage_id))
    return view
