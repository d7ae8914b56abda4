"""Shards per process: one bot class (an AutoShardedBot); DISCORD_SHARD_COUNT pins the count, DISCORD_SHARD_IDS picks this process's shards."""

from __future__ import annotations

import pytest
from discord.ext import commands

from bot.client import VerbatimBot
from bot.main import create_bot
from bot.settings import load_bot_settings
from index.errors import ConfigError


def test_shard_ids_split_shards_across_processes(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "4")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "2,3")
    bot = create_bot(load_bot_settings(), None, None)  # not logged in, so nothing to close
    assert isinstance(bot, VerbatimBot) and bot.shard_count == 4 and bot.shard_ids == [2, 3]

    monkeypatch.delenv("DISCORD_SHARD_COUNT")
    monkeypatch.delenv("DISCORD_SHARD_IDS")
    plain = create_bot(load_bot_settings(), None, None)
    # Unpinned: the count Discord recommends is asked for at login (GET /gateway/bot), all shards in this process.
    assert isinstance(plain, commands.AutoShardedBot) and plain.shard_count is None and plain.shard_ids is None


def test_shard_ids_need_a_count_they_fit(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_SHARD_IDS", "0,1")
    with pytest.raises(ConfigError, match="DISCORD_SHARD_IDS"):
        load_bot_settings()
    monkeypatch.setenv("DISCORD_SHARD_COUNT", "2")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "1,2")
    with pytest.raises(ConfigError, match="DISCORD_SHARD_IDS"):
        load_bot_settings()
