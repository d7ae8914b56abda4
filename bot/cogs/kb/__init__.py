"""/kb: a guild's moderators manage their guild's own documents (on top of the shared base) and records, audited.

Every subcommand acts on the invoking guild only: its documents and index versions (index/tenancy.py), its
questions, votes and audit rows. The operator's base is read-only from Discord.
"""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.client import VerbatimBot
from bot.cogs.kb import strings
from bot.cogs.kb.common import RunningOperation
from bot.cogs.kb.documents import DocumentCommands
from bot.cogs.kb.records import RecordCommands


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class Moderation(
    RecordCommands, DocumentCommands, commands.GroupCog, group_name="kb", group_description="Keep the knowledge base current (moderators)"
):
    """The /kb group; every subcommand re-checks that the caller is a moderator."""

    def __init__(self, bot: VerbatimBot) -> None:
        self.bot = bot
        self.running: dict[int, RunningOperation] = {}  # per guild: one change at a time in each
        super().__init__()


async def setup(bot: VerbatimBot) -> None:
    strings.register()
    await bot.add_cog(Moderation(bot))
