"""The fake Discord against the real discord.py 2.7 client (no patching of discord.py)."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands
from discord.http import Route
from discord.webhook.async_ import async_context, interaction_response_params

from tests.fakediscord import MANAGE_GUILD, FakeDiscord, Member, validate_commands, validate_message
from tests.fakediscord.fixtures import fake_discord  # noqa: F401  (fixture)

TOKEN = "fake-bot-token-for-tests"


# ----------------------------------------------------------------------------- test bot
class FeedbackModal(discord.ui.Modal, title="Feedback"):
    text = discord.ui.TextInput(label="Your feedback", custom_id="fb:text")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.text.value}", ephemeral=True)


class YesView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.button(label="Yes", custom_id="vb:yes", style=discord.ButtonStyle.success)
    async def yes(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content=f"clicked by {interaction.user.name}", view=None)


class Translator(app_commands.Translator):
    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContext
    ) -> str | None:
        if locale is discord.Locale.taiwan_chinese and string.message == "Ping the bot":
            return "測試機器人"
        return None


class VerbatimTestBot(commands.Bot):
    """A minimal bot exercising every kind of response."""

    def __init__(self, fake: FakeDiscord, *, sync: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("guild_ready_timeout", 0.05)
        super().__init__(command_prefix="!", intents=discord.Intents.default(), **kwargs)
        self.fake = fake
        self.do_sync = sync
        self.errors: list[tuple[str, int, Any]] = []
        self.gate = asyncio.Event()
        self.seen_messages: list[discord.Message] = []
        self._add_commands()

    async def on_message(self, message: discord.Message) -> None:
        self.seen_messages.append(message)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py sleeps 5 s before every re-IDENTIFY; not in tests

    def _err(self, name: str, exc: discord.HTTPException) -> None:
        self.errors.append((name, exc.status, exc.code))

    async def setup_hook(self) -> None:
        await self.tree.set_translator(Translator())
        if self.do_sync:
            await self.tree.sync()

    def _add_commands(self) -> None:
        tree = self.tree
        none = discord.AllowedMentions.none()

        @tree.command(name="ping", description="Ping the bot")
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong", allowed_mentions=none)

        @tree.command(name="deferred", description="Defer then edit")
        async def deferred(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await asyncio.sleep(0.05)
            await interaction.edit_original_response(content="done", allowed_mentions=none)

        @tree.command(name="buttons", description="A message with a button")
        async def buttons(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("press it", view=YesView(), allowed_mentions=none)

        @tree.command(name="twice", description="Acknowledges twice")
        async def twice(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("one", allowed_mentions=none)
            # discord.py refuses a second response locally, so go around it as a buggy
            # second code path would (e.g. a second listener holding the raw id/token).
            adapter = async_context.get()
            try:
                await adapter.create_interaction_response(
                    interaction.id,
                    interaction.token,
                    session=interaction._session,
                    params=interaction_response_params(4, {"content": "two"}),
                )
            except discord.HTTPException as exc:
                self._err("twice", exc)

        @tree.command(name="slow", description="Answers too late")
        async def slow(interaction: discord.Interaction) -> None:
            await asyncio.sleep(3.3)
            try:
                await interaction.response.send_message("late", allowed_mentions=none)
            except discord.HTTPException as exc:
                self._err("slow", exc)

        @tree.command(name="bigembed", description="An embed over the limits")
        async def bigembed(interaction: discord.Interaction) -> None:
            embed = discord.Embed(title="t", description="x" * 5000)
            try:
                await interaction.response.send_message(embed=embed, allowed_mentions=none)
            except discord.HTTPException as exc:
                self._err("bigembed", exc)
                await interaction.response.send_message("fallback", allowed_mentions=none)

        @tree.command(name="gated", description="Defers, waits for the test, then edits")
        async def gated(interaction: discord.Interaction) -> None:
            await interaction.response.defer()
            await self.gate.wait()
            try:
                await interaction.edit_original_response(content="after gate", allowed_mentions=none)
            except discord.HTTPException as exc:
                self._err("gated", exc)

        @tree.command(name="early", description="Followup before acknowledging")
        async def early(interaction: discord.Interaction) -> None:
            try:
                await interaction.followup.send("too early", allowed_mentions=none)
            except discord.HTTPException as exc:
                self._err("early", exc)
            await interaction.response.send_message("ok", allowed_mentions=none)

        @tree.command(name="modlog", description="Writes to the mod-log channel")
        @app_commands.default_permissions(manage_guild=True)
        async def modlog(interaction: discord.Interaction, note: str) -> None:
            await interaction.response.defer(ephemeral=True)
            channel = self.get_channel(self.fake.mod_log_channel_id)
            assert isinstance(channel, discord.TextChannel)
            await channel.send(f"{interaction.user.mention} noted: {note}", allowed_mentions=none)
            await interaction.followup.send("logged", ephemeral=True)

        @tree.command(name="echo", description="Echo without allowed_mentions")
        async def echo(interaction: discord.Interaction, text: str) -> None:
            await interaction.response.send_message(f"You said: {text}")

        @tree.command(name="echo_safe", description="Echo with allowed_mentions none")
        async def echo_safe(interaction: discord.Interaction, text: str) -> None:
            await interaction.response.send_message(f"You said: {text}", allowed_mentions=none)

        @tree.command(name="upload", description="Reads an attachment and echoes it")
        async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
            data = await file.read()
            await interaction.response.send_message(
                f"{file.filename}:{len(data)}", file=discord.File(io.BytesIO(data.upper()), "echo.md"), allowed_mentions=none
            )

        @tree.command(name="feedback", description="Opens a modal")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(FeedbackModal())

        @tree.command(name="whoami", description="Locale and permissions")
        async def whoami(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(
                f"{interaction.user.name} {interaction.locale.value} {interaction.guild_locale.value} "
                f"mod={interaction.permissions.manage_guild}",
                ephemeral=True,
                allowed_mentions=none,
            )

        kb = app_commands.Group(name="kb", description="Knowledge base")

        @kb.command(name="reindex", description="Rebuild the index")
        async def reindex(interaction: discord.Interaction) -> None:
            if not interaction.permissions.manage_guild:
                await interaction.response.send_message("moderators only", ephemeral=True)
                return
            await interaction.response.send_message("reindexing", ephemeral=True)

        async def topic_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            n = 30 if current == "many" else 5
            return [app_commands.Choice(name=f"{current}-{i}", value=f"{current}-{i}") for i in range(n)]

        @kb.command(name="search", description="Search the knowledge base")
        @app_commands.autocomplete(query=topic_autocomplete)
        async def search(interaction: discord.Interaction, query: str) -> None:
            await interaction.response.send_message(f"results for {query}", allowed_mentions=none)

        tree.add_command(kb)

        @tree.context_menu(name="Ask Verbatim")
        async def ask_ctx(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.send_message(f"Q: {message.content}", ephemeral=True, allowed_mentions=none)

        @tree.error
        async def on_tree_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
            self.errors.append(("tree", 0, repr(error)))


@pytest_asyncio.fixture
async def bot(fake_discord: FakeDiscord) -> AsyncIterator[VerbatimTestBot]:  # noqa: F811
    b = VerbatimTestBot(fake_discord)
    async with fake_discord.run_bot(b, TOKEN):
        yield b


async def _wait_for(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


# ----------------------------------------------------------------------------- login & sync
async def test_login_ready_and_guild(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    routes = [r["route"] for r in fake.requests]
    assert "/users/@me" in routes and "/oauth2/applications/@me" in routes
    assert all(r["headers"]["Authorization"] == f"Bot {TOKEN}" for r in fake.requests if r["route"] == "/users/@me")
    assert bot.user is not None and bot.user.id == fake.bot_user_id
    assert bot.application_id == fake.application_id
    guild = bot.get_guild(fake.guild_id)
    assert guild is not None and guild.member_count == len(fake.members)
    assert guild.default_role.id == fake.guild_id
    assert isinstance(guild.get_channel(fake.channel_id), discord.TextChannel)
    ident = fake.identify_payloads[0]
    assert ident["token"] == TOKEN and ident["intents"] == discord.Intents.default().value
    conn = fake.gateway_connections[0]
    assert conn["query"] == {"v": "10", "encoding": "json", "compress": "zlib-stream"} and conn["compressed"]
    seqs = [f["s"] for f in fake.gateway_sent if f.get("op") == 0]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert fake.violations == []


async def test_sync_payload_captured_with_localizations(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    synced = {c["name"]: c for c in fake.synced_commands["global"]}
    assert {"ping", "kb", "modlog", "Ask Verbatim"} <= set(synced)
    assert synced["ping"]["description_localizations"] == {"zh-TW": "測試機器人"}
    # discord.py sends the permission integer as a JSON number (Discord documents a string)
    assert int(synced["modlog"]["default_member_permissions"]) == MANAGE_GUILD
    assert synced["Ask Verbatim"]["type"] == 3
    kb = synced["kb"]
    assert {o["name"]: o["type"] for o in kb["options"]} == {"reindex": 1, "search": 1}
    # the bot got ids back and GET returns them
    cmds = await bot.tree.fetch_commands()
    assert {c.name for c in cmds} == set(synced)
    assert fake.violations == []


async def test_invalid_sync_is_rejected(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    bad = [
        {"name": "Bad Name", "description": "x", "type": 1},
        {"name": "ok", "description": "d" * 101, "type": 1, "description_localizations": {"zh": "壞"}},
    ]
    with pytest.raises(discord.HTTPException) as info:
        await bot.http.bulk_upsert_global_commands(fake.application_id, bad)
    assert info.value.status == 400 and info.value.code == 50035
    assert "name" in info.value.text
    assert len(fake.violations) == 1
    assert "APPLICATION_COMMAND_INVALID_NAME" in fake.violations[0]
    assert "LOCALE_INVALID" in fake.violations[0] and "description" in fake.violations[0]
    # the previous good sync is kept
    assert "ping" in {c["name"] for c in fake.synced_commands["global"]}


# ----------------------------------------------------------------------------- responses
async def test_ping_reply(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    ix = await fake.send_command("ping")
    ack = await ix.wait_ack(timeout=3)
    assert ack["type"] == 4
    resp = await ix.wait_response(timeout=5)
    assert resp["content"] == "pong" and resp["kind"] == "callback"
    assert resp["allowed_mentions"] == {"parse": []}
    assert ix.ack_latency is not None and 0 <= ix.ack_latency < 1
    assert [m["kind"] for m in ix.messages] == ["callback"]
    assert fake.violations == []


async def test_defer_then_edit(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    ix = await fake.send_command("deferred")
    assert (await ix.wait_ack())["type"] == 5
    resp = await ix.wait_response(timeout=5)
    assert resp["kind"] == "edit_original" and resp["content"] == "done"
    assert resp["elapsed"] >= 0.05
    assert ix.original_message["content"] == "done"
    assert fake.violations == []


async def test_locale_member_and_subcommand_permissions(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    alice = fake.member(name="alice")
    mod = fake.member(name="mia", permissions=str(MANAGE_GUILD))
    ix = await fake.send_command("whoami", member=alice, locale="zh-TW", guild_locale="ko")
    resp = await ix.wait_response(timeout=5)
    assert resp["content"] == "alice zh-TW ko mod=False" and resp["flags"] & 64
    ix = await fake.send_command("kb", options=[{"type": 1, "name": "reindex", "options": []}], member=alice)
    assert (await ix.wait_response(timeout=5))["content"] == "moderators only"
    ix = await fake.send_subcommand("kb", "reindex", member=mod)
    assert (await ix.wait_response(timeout=5))["content"] == "reindexing"
    assert isinstance(mod, Member) and mod.is_moderator and not alice.is_moderator
    assert fake.violations == []


async def test_button_click(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    ix = await fake.send_command("buttons")
    resp = await ix.wait_response(timeout=5)
    button = resp["components"][0]["components"][0]
    assert button["custom_id"] == "vb:yes" and button["label"] == "Yes"
    bob = fake.member(name="bob")
    click = await fake.click_button(resp, "vb:yes", member=bob)
    assert (await click.wait_ack())["type"] == 7
    updated = await click.wait_response(timeout=5)
    assert updated["content"] == "clicked by bob" and updated["components"] == []
    assert updated["message_id"] == resp["message_id"]
    with pytest.raises(KeyError):  # the view was removed: nothing left to click
        await fake.click_button(resp, "vb:yes")
    assert fake.violations == []


async def test_modal_submit(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    ix = await fake.send_command("feedback")
    assert (await ix.wait_ack())["type"] == 9
    sub = await fake.submit_modal(ix, {"fb:text": "great bot"})
    resp = await sub.wait_response(timeout=5)
    assert resp["content"] == "thanks: great bot"
    assert fake.violations == []


# ----------------------------------------------------------------------------- rules
async def test_second_callback_is_refused(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    ix = await fake.send_command("twice")
    assert (await ix.wait_response())["content"] == "one"
    rejected = await ix.wait_rejected()
    assert rejected["status"] == 400 and rejected["error"]["code"] == 40060
    await _wait_for(lambda: bot.errors)
    assert bot.errors == [("twice", 400, 40060)]
    assert len(fake.violations) == 1 and "40060" in fake.violations[0]


async def test_late_ack_gets_10062(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    ix = await fake.send_command("slow")
    rejected = await ix.wait_rejected(timeout=6)
    assert rejected["status"] == 404 and rejected["error"]["code"] == 10062
    assert not ix.acked
    await _wait_for(lambda: bot.errors)
    assert bot.errors == [("slow", 404, 10062)]
    assert fake.unanswered_interactions() == [ix]
    assert len(fake.violations) == 1 and "10062" in fake.violations[0]


async def test_oversized_embed_gets_50035(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    ix = await fake.send_command("bigembed")
    resp = await ix.wait_response(timeout=5)
    assert resp["content"] == "fallback"  # the refused callback did not count as an ack
    rejected = ix.rejected[0]
    assert rejected["status"] == 400 and rejected["error"]["code"] == 50035
    errs = rejected["error"]["errors"]["data"]["embeds"]["0"]["description"]["_errors"]
    assert errs[0]["code"] == "BASE_TYPE_MAX_LENGTH"
    assert bot.errors == [("bigembed", 400, 50035)]
    assert len(fake.violations) == 1 and "embeds.0.description" in fake.violations[0]


async def test_webhook_before_ack_is_unknown_webhook(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    ix = await fake.send_command("early")
    assert (await ix.wait_response(timeout=5))["content"] == "ok"
    assert bot.errors == [("early", 404, 10015)]
    assert len(fake.violations) == 1 and "before the interaction was acknowledged" in fake.violations[0]


async def test_expired_token_gets_50027(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    ix = await fake.send_command("gated")
    assert (await ix.wait_ack())["type"] == 5
    fake.expire_token(ix)
    bot.gate.set()
    rejected = await ix.wait_rejected(timeout=5)
    assert rejected["status"] == 401 and rejected["error"]["code"] == 50027
    await _wait_for(lambda: bot.errors)
    assert bot.errors == [("gated", 401, 50027)]
    assert len(fake.violations) == 1 and "50027" in fake.violations[0]


async def test_token_ttl_clock() -> None:
    async with FakeDiscord(token_ttl=0.3) as fake:
        b = VerbatimTestBot(fake)
        async with fake.run_bot(b, TOKEN):
            ix = await fake.send_command("gated")
            await ix.wait_ack()
            await asyncio.sleep(0.4)
            b.gate.set()
            await _wait_for(lambda: b.errors)
            assert b.errors == [("gated", 401, 50027)]
            assert "expired token" in fake.violations[0]


async def test_message_limits_over_http(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    channel = bot.get_channel(fake.channel_id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as info:
        await channel.send("x" * 2001)
    assert info.value.code == 50035 and "content" in info.value.text
    # raw payloads below: discord.py itself refuses >10 embeds and >5 rows before sending
    row = lambda n, **kw: {  # noqa: E731
        "type": 1,
        "components": [
            {"type": 2, "style": 1, "label": kw.get("label", "b"), "custom_id": kw.get("cid", f"c{n}-{i}")}
            for i in range(kw.get("count", 1))
        ],
    }
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=fake.channel_id)
    for body, needle in [
        ({"embeds": [{"title": str(i)} for i in range(11)]}, "embeds"),
        ({"components": [row(i) for i in range(6)]}, "components"),
        ({"components": [row(0, count=6)]}, "components.0.components"),
        ({"components": [row(0, cid="c" * 101)]}, "custom_id"),
        ({"components": [row(0, label="l" * 81)]}, "label"),
    ]:
        with pytest.raises(discord.HTTPException) as info:
            await bot.http.request(route, json=dict(body, content="x"))
        assert info.value.code == 50035, needle
        assert needle in fake.violations[-1]
    with pytest.raises(discord.HTTPException) as info:
        await channel.send(embed=discord.Embed(title="only a title").add_field(name="n", value=""))
    assert info.value.code == 50035
    with pytest.raises(discord.HTTPException) as info:
        await bot.http.request(route, json={"content": ""})
    assert info.value.code == 50006
    msg = await channel.send("fine", allowed_mentions=discord.AllowedMentions.none())
    assert msg.content == "fine" and fake.channel_messages[-1]["content"] == "fine"
    assert len(fake.violations) == 8


def test_validation_rules_unit() -> None:
    ok = {"content": "x" * 2000, "embeds": [{"title": "t" * 256, "description": "d" * 4096}]}
    assert not validate_message(ok)
    too_big = {"embeds": [{"description": "d" * 4096}, {"description": "d" * 2000}]}
    assert "MAX_EMBED_SIZE_EXCEEDED" in str(validate_message(too_big).nested)
    fields = {"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}
    assert "embeds.0.fields" in validate_message(fields).problems[0]
    long_field = {"embeds": [{"fields": [{"name": "n" * 257, "value": "v" * 1025}]}]}
    assert len(validate_message(long_field).problems) == 2
    footer = {"embeds": [{"footer": {"text": "f" * 2049}, "author": {"name": "a" * 257}}]}
    assert len(validate_message(footer).problems) == 2
    assert validate_message({"allowed_mentions": {"parse": ["users"], "users": ["1"]}})
    assert not validate_commands([{"name": "問答", "description": "中文", "type": 1}])
    assert not validate_commands(
        [
            {
                "name": "kb-search_2",
                "description": "d",
                "name_localizations": {"zh-TW": "搜尋", "en-US": "search", "ko": "검색", "zh-CN": "搜索"},
            }
        ]
    )
    assert validate_commands([{"name": "x" * 33, "description": "d"}])
    assert validate_commands(
        [{"name": "a", "description": "d", "options": [{"name": f"o{i}", "description": "d", "type": 3} for i in range(26)]}]
    )
    assert validate_commands(
        [
            {
                "name": "a",
                "description": "d",
                "options": [
                    {"name": "opt", "description": "d", "type": 3},
                    {"name": "req", "description": "d", "type": 3, "required": True},
                ],
            }
        ]
    )
    assert validate_commands([{"name": "Ask", "description": "no", "type": 3}])


async def test_autocomplete(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    opts = lambda v: [  # noqa: E731
        {
            "type": 1,
            "name": "search",
            "options": [  # noqa: E731
                {"name": "query", "type": 3, "value": v, "focused": True}
            ],
        }
    ]
    ix = await fake.send_autocomplete("kb", options=opts("ab"))
    ack = await ix.wait_ack()
    assert ack["type"] == 8 and [c["name"] for c in ix.choices] == [f"ab-{i}" for i in range(5)]
    assert fake.violations == []
    ix = await fake.send_autocomplete("kb", options=opts("many"))
    rejected = await ix.wait_rejected()
    assert rejected["error"]["code"] == 50035 and "choices" in fake.violations[-1]
    # A defer (type 5) is not a valid autocomplete answer.  Use an autocomplete for a command
    # the bot does not know (so the bot itself stays silent) and answer it by hand.
    ix = await fake.send_autocomplete("nosuchcmd", options=[{"name": "q", "type": 3, "value": "", "focused": True}])
    session = bot.http._HTTPClient__session  # type: ignore[attr-defined]
    with pytest.raises(discord.HTTPException) as info:
        await async_context.get().create_interaction_response(ix.id, ix.token, session=session, params=interaction_response_params(5))
    assert info.value.status == 400 and info.value.code == 50035
    assert "cannot be deferred" in fake.violations[-1]
    assert len(fake.violations) == 2


async def test_context_menu(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    author = fake.member(name="carol")
    ix = await fake.send_context_menu("Ask Verbatim", {"id": "123", "content": "partial dict"})
    assert (await ix.wait_response(timeout=5))["content"] == "Q: partial dict"
    ix = await fake.send_context_menu("Ask Verbatim", content="what is verbatim?", author=author)
    resp = await ix.wait_response(timeout=5)
    assert resp["content"] == "Q: what is verbatim?" and resp["flags"] & 64
    data = ix.payload["data"]
    assert data["type"] == 3 and data["target_id"] in data["resolved"]["messages"]
    assert fake.violations == []


async def test_attachment_download_and_file_upload(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    ix = await fake.send_command("upload", attachments=[("notes.md", b"# hello", "text/markdown")])
    resp = await ix.wait_response(timeout=5)
    assert resp["content"] == "notes.md:7"
    assert [(a["filename"], a["data"]) for a in resp["attachments"]] == [("echo.md", b"# HELLO")]
    downloads = [r for r in fake.requests if r["path"].startswith("/attachments/")]
    assert len(downloads) == 1 and downloads[0]["status"] == 200
    cb = fake.requests_to("/callback")[-1]
    assert cb["payload_json"]["type"] == 4 and cb["files"][0]["data"] == b"# HELLO"
    opt = ix.payload["data"]["options"][0]
    assert opt["name"] == "file" and opt["type"] == 11
    assert fake.violations == []


async def test_channel_messages_and_mentions(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    mod = fake.moderator(name="mod")
    ix = await fake.send_command("modlog", options=[{"name": "note", "type": 3, "value": "spam"}], member=mod)
    resp = await ix.wait_response(timeout=5)
    assert resp["content"] == "logged" and resp["kind"] == "followup" and resp["flags"] & 64
    log = await fake.wait_for_channel_message(channel_id=fake.mod_log_channel_id)
    assert log["content"] == f"<@{mod.id}> noted: spam"
    assert log["allowed_mentions"] == {"parse": []}
    assert fake.pinging_messages() == []
    ix = await fake.send_command("echo", options=[{"name": "text", "type": 3, "value": "@everyone hi"}])
    await ix.wait_response(timeout=5)
    ix = await fake.send_command("echo_safe", options=[{"name": "text", "type": 3, "value": "@everyone hi"}])
    await ix.wait_response(timeout=5)
    pings = fake.pinging_messages()
    assert len(pings) == 1 and pings[0]["allowed_mentions"] is None
    assert pings[0]["content"] == "You said: @everyone hi" and pings[0]["ping_reasons"]
    assert fake.violations == []


# ----------------------------------------------------------------------------- faults
async def test_drop_gateway_and_resume(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    before_seq = fake.gateway_sent[-1]["s"]
    await fake.drop_gateway(wait=True, timeout=10)
    assert fake.resume_count == 1 and fake.identify_count == 1
    resume = fake.resume_payloads[0]
    assert resume["session_id"] == bot.ws.session_id and resume["seq"] == before_seq
    assert fake.gateway_connections[-1]["path"] == "/gateway-resume"
    ix = await fake.send_command("ping")
    assert (await ix.wait_response(timeout=5))["content"] == "pong"
    await fake.drop_gateway(mode="close", code=4000, wait=True)
    assert fake.resume_count == 2
    ix = await fake.send_command("ping")
    assert (await ix.wait_response(timeout=5))["content"] == "pong"
    seqs = [f["s"] for f in fake.gateway_sent if f.get("op") == 0]
    assert seqs == sorted(seqs)
    assert fake.violations == []


async def test_invalidated_session_reidentifies(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    await fake.drop_gateway(invalidate=True, wait=True, timeout=10)
    await _wait_for(lambda: fake.identify_count == 2, timeout=10)
    ix = await fake.send_command("ping")
    assert (await ix.wait_response(timeout=5))["content"] == "pong"
    assert fake.violations == []


async def test_injected_429_and_500_are_retried(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    fake.inject_rest_errors(status=429, count=2, path_contains="/callback", retry_after=0.05)
    ix = await fake.send_command("ping")
    assert (await ix.wait_response(timeout=5))["content"] == "pong"
    statuses = [r["status"] for r in fake.requests_to("/callback")]
    assert statuses == [429, 429, 200]
    r429 = fake.requests_to("/callback")[0]
    assert r429["response"]["retry_after"] == 0.05 and r429["response"]["global"] is False
    fake.inject_rest_errors(status=500, count=1, path_contains=f"/channels/{fake.mod_log_channel_id}/messages")
    mod = fake.moderator()
    ix = await fake.send_command("modlog", options=[{"name": "note", "type": 3, "value": "x"}], member=mod)
    assert (await ix.wait_response(timeout=8))["content"] == "logged"
    statuses = [r["status"] for r in fake.requests_to(f"/channels/{fake.mod_log_channel_id}/messages")]
    assert statuses == [500, 200]
    assert fake.violations == []


async def test_user_messages_respect_message_content_intent(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    dave = fake.member(name="dave")
    await fake.send_message("secret text", author=dave)
    await fake.send_message(f"<@{fake.bot_user_id}> hello", author=dave)
    await _wait_for(lambda: len(bot.seen_messages) == 2)
    assert bot.seen_messages[0].content == ""  # Intents.default() lacks message_content
    assert bot.seen_messages[1].content == f"<@{fake.bot_user_id}> hello"
    assert bot.seen_messages[1].author.id == dave.id


async def test_unknown_route_is_404_and_recorded(fake_discord: FakeDiscord, bot: VerbatimTestBot) -> None:  # noqa: F811
    fake = fake_discord
    with pytest.raises(discord.NotFound):
        await bot.http.request(Route("GET", "/nothing/here"))
    assert fake.unhandled[-1]["route"] == "/nothing/here"


async def test_wrong_token_fails_login() -> None:
    async with FakeDiscord(token="the-right-token") as fake:
        b = VerbatimTestBot(fake)
        with pytest.raises(discord.LoginFailure):
            async with fake.run_bot(b, "a-wrong-token", timeout=5):
                pass


async def test_auto_sharded_bot_uses_gateway_bot() -> None:
    async with FakeDiscord(compress=False) as fake:  # also covers plain-text frames
        b = commands.AutoShardedBot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05)
        async with fake.run_bot(b, TOKEN):
            assert fake.requests_to("/gateway/bot")
            assert fake.identify_payloads[0]["shard"] == [0, 1]
            assert b.get_guild(fake.guild_id) is not None
            assert fake.gateway_connections[0]["compressed"] is False
