"""The `verbatim` command: the index's commands (index.cli) plus run, sync and start, which start the Discord bot."""

from __future__ import annotations

import argparse
import sys

from bot.settings import BotSettings, load_bot_settings
from index import cli as index_cli
from index.config import Settings


def bot_settings(settings: Settings) -> BotSettings:
    """The settings main() read, which for the `verbatim` command are the bot's (core and Discord sections)."""
    if not isinstance(settings, BotSettings):
        raise TypeError("the bot commands need the settings read by load_bot_settings")
    return settings


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    bot_settings(settings).require_token()
    from bot.main import run_bot  # discord.py loads only when the bot starts, not for `verbatim ask`

    run_bot(bot_settings(settings))
    return 0


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    bot_settings(settings).require_token()
    from bot.main import sync_commands

    sync_commands(bot_settings(settings), guild_id=args.guild)
    return 0


def cmd_start(args: argparse.Namespace, settings: Settings) -> int:
    """The main job: start the bot if a token is configured, otherwise answer an example question."""
    if bot_settings(settings).discord_token is not None:
        return cmd_run(args, settings)
    return index_cli.answer_example(settings)


def register_bot_commands(add: index_cli.AddCommand) -> None:
    add("run", cmd_run, "Start the Discord bot (needs DISCORD_TOKEN).")
    p = add("sync", cmd_sync, "Sync slash commands with Discord (globally, or to one guild).")
    p.add_argument("--guild", type=int, help="guild id (default: global sync)")
    add("start", cmd_start, "Start the bot if DISCORD_TOKEN is set; otherwise answer an example question.")


def build_parser() -> argparse.ArgumentParser:
    return index_cli.build_parser(extensions=[register_bot_commands])


def main(argv: list[str] | None = None) -> int:
    return index_cli.main(argv, parser=build_parser(), load=load_bot_settings)


if __name__ == "__main__":
    sys.exit(main())
