"""/help: what each command and button does, in the user's language."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import VerbatimBot
from bot.embeds import COLOR_INFO, NO_PINGS, fit_embed
from bot.i18n import t, translate_command_text

log = logging.getLogger(__name__)


def _local(text: str, locale: discord.Locale) -> str:
    return translate_command_text(text, locale) or text


class Help(commands.Cog):
    """Explains the commands."""

    def __init__(self, bot: VerbatimBot) -> None:
        self.bot = bot

    @app_commands.command(name="help")
    async def help(self, interaction: discord.Interaction[VerbatimBot]) -> None:
        """How to use Verbatim"""
        locale = interaction.locale
        lines = []
        # Every chat command the tree knows (moderator commands included once their cog is loaded).
        for command in sorted(self.bot.tree.get_commands(type=discord.AppCommandType.chat_input), key=lambda c: c.name):
            params = ""
            if isinstance(command, app_commands.Command):
                params = " ".join(f"`{_local(p.name, locale)}`" for p in command.parameters)
            lines.append(f"**/{_local(command.name, locale)}** {params}".rstrip() + f" — {_local(command.description, locale)}")
        menus = [c.name for c in self.bot.tree.get_commands(type=discord.AppCommandType.message)]
        for name in menus:
            lines.append(t(locale, "help.context_menu", name=_local(name, locale)))
        embed = discord.Embed(title=t(locale, "help.title"), description=t(locale, "help.intro"), colour=COLOR_INFO)
        embed.add_field(name=t(locale, "help.commands_title"), value="\n".join(lines) or "—", inline=False)
        embed.add_field(name=t(locale, "help.buttons_title"), value=t(locale, "help.buttons"), inline=False)
        settings = self.bot.settings
        embed.set_footer(text=t(locale, "help.limits", rate=settings.cooldown_rate, per=int(settings.cooldown_seconds)))
        await interaction.response.send_message(embed=fit_embed(embed), ephemeral=True, allowed_mentions=NO_PINGS)


async def setup(bot: VerbatimBot) -> None:
    await bot.add_cog(Help(bot))
