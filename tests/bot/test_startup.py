"""Login, intents, command sync (test guild only on start; global only via `verbatim sync`), sharding, extensions."""

from __future__ import annotations

import logging

import discord
import pytest
from discord.ext import commands

import bot.client
from bot.main import sync_commands_async
from tests.bot.conftest import TOKEN
from tests.bot.helpers import QUESTIONS, ask_options
from tests.fakediscord import FakeDiscord

PUBLIC_COMMANDS = {"ask", "cite", "sources", "help"}


async def test_login_identify_and_guild_sync(fake: FakeDiscord, launch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    running = await launch()
    assert running.is_ready() and running.user is not None and running.user.id == fake.bot_user_id
    # One bot class: unpinned, it asks Discord how many shards to run (one here) and identifies as shard 0 of them.
    assert isinstance(running, commands.AutoShardedBot) and running.shard_count == 1
    assert fake.requests_to("/gateway/bot") and fake.identify_payloads[-1]["shard"] == [0, 1]
    # Intents.default(): no privileged intents (members, presences, message content).
    assert fake.intents == discord.Intents.default().value
    intents = discord.Intents._from_value(fake.intents)
    assert not (intents.message_content or intents.members or intents.presences)
    # Synced to the test guild only; never globally on start.
    assert "global" not in fake.synced_commands
    payload = fake.synced_commands[fake.guild_id]
    by_name = {c["name"]: c for c in payload}
    assert PUBLIC_COMMANDS | {"Ask Verbatim"} <= set(by_name)
    for name in PUBLIC_COMMANDS | {"Ask Verbatim"}:
        assert "default_member_permissions" in by_name[name] and by_name[name]["default_member_permissions"] is None, name
    # Commands from other cogs (the moderator /kb) must carry Discord's permission hint.
    for name, command in by_name.items():
        if name not in PUBLIC_COMMANDS | {"Ask Verbatim"}:
            assert command["default_member_permissions"] not in (None, "0"), name
    # Localised names and descriptions.
    ask = by_name["ask"]
    assert ask["name_localizations"] == {"zh-TW": "提問", "zh-CN": "提问", "ko": "질문하기"}
    assert set(ask["description_localizations"]) == {"zh-TW", "zh-CN", "ko"}
    question = next(o for o in ask["options"] if o["name"] == "question")
    assert question["required"] and question["max_length"] == 250
    assert question["name_localizations"]["zh-TW"] == "問題"
    assert by_name["Ask Verbatim"]["type"] == 3 and by_name["Ask Verbatim"]["name_localizations"]["ko"] == "Verbatim에게 묻기"
    # The token is never logged.
    assert TOKEN not in caplog.text


async def test_no_test_guild_means_no_sync_at_all(fake: FakeDiscord, launch) -> None:
    await launch(test_guild_id=None)
    ix = await fake.send_command("help")
    await ix.wait_response()
    assert fake.synced_commands == {}
    assert not fake.requests_to("/commands", "PUT")


async def test_verbatim_sync_global_and_guild_over_rest_only(fake: FakeDiscord, bot_settings) -> None:
    settings = bot_settings(fake)
    synced = await sync_commands_async(settings, None)
    assert {c.name for c in synced} >= PUBLIC_COMMANDS | {"Ask Verbatim"}
    assert {c["name"] for c in fake.synced_commands["global"]} >= PUBLIC_COMMANDS
    await sync_commands_async(settings.model_copy(update={"test_guild_id": None}), fake.guild_id)
    assert {c["name"] for c in fake.synced_commands[fake.guild_id]} >= PUBLIC_COMMANDS
    assert fake.gateway_connections == []  # REST only: no gateway session for a sync


async def test_shard_count_uses_auto_sharded_bot(fake: FakeDiscord, launch) -> None:
    running = await launch(shard_count=1)
    assert isinstance(running, commands.AutoShardedBot) and running.shard_count == 1
    locale, question = QUESTIONS["zh-Hant"]
    ix = await fake.send_command("ask", ask_options(question), locale=locale)
    assert (await ix.wait_response())["embeds"]


async def test_a_broken_extension_is_logged_not_fatal(
    fake: FakeDiscord, launch, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = bot.client.discover_extensions
    monkeypatch.setattr(bot.client, "discover_extensions", lambda: real() + ["bot.cogs.does_not_exist"])
    running = await launch()
    assert "bot.cogs.does_not_exist" in running.extension_failures
    assert "could not load extension bot.cogs.does_not_exist" in caplog.text
    ix = await fake.send_command("help")
    assert "/ask" in (await ix.wait_response())["embeds"][0]["fields"][0]["value"]


async def test_extensions_are_discovered_from_the_cogs_package() -> None:
    found = bot.client.discover_extensions()
    assert {"bot.cogs.ask", "bot.cogs.cite", "bot.cogs.sources", "bot.cogs.help"} <= set(found)


def test_blocking_workers_are_one_per_usable_core_at_least_two_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.client.os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert bot.client.blocking_workers() == 2
    monkeypatch.setattr(bot.client.os, "sched_getaffinity", lambda _pid: set(range(6)), raising=False)
    assert bot.client.blocking_workers() == 6
    assert bot.client.blocking_workers(1) == 1  # VERBATIM_WORKER_THREADS, e.g. under a container's CPU quota


async def test_blocking_work_runs_on_the_bots_own_workers_and_close_waits_for_it(launch) -> None:
    import asyncio
    import threading
    import time

    running = await launch(worker_threads=3)
    workers = 3
    gate = threading.Barrier(workers, timeout=10)

    def thread_name() -> str:
        gate.wait()  # every worker busy at once: the pool has exactly that many threads
        return threading.current_thread().name

    names = await asyncio.gather(*(running.run_blocking(thread_name) for _ in range(workers)))
    assert all(name.startswith("verbatim-worker") for name in names)
    assert len(set(names)) == workers

    started, finished = threading.Event(), []

    def slow_write(name: str) -> None:
        started.set()
        time.sleep(0.3)
        finished.append(name)

    # One more piece of work than there are threads: the last waits in the queue when closing starts.
    handed = [asyncio.ensure_future(running.run_blocking(slow_write, str(n))) for n in range(workers + 1)]
    await asyncio.to_thread(started.wait, 10)
    await running.close()
    assert sorted(finished) == [str(n) for n in range(workers + 1)]  # closing waited for running and queued work
    await asyncio.gather(*handed)
    with pytest.raises(RuntimeError):
        await running.run_blocking(time.sleep, 0)  # the pool is shut once the bot is closed


async def test_closing_waits_for_blocking_work_only_so_long(launch) -> None:
    import asyncio
    import threading

    running = await launch()
    release = threading.Event()
    stuck = asyncio.ensure_future(running.run_blocking(release.wait, 30))
    await asyncio.sleep(0.05)
    assert not await running.finish_blocking_work(timeout=0.2)
    release.set()
    assert await stuck
    assert await running.finish_blocking_work(timeout=5)
