"""Security through Discord: moderator-only /kb, upload names, the token never logged or sent, no privileged intents, feedback storage."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from index import cli
from index.service import Verbatim
from tests.bot.helpers import NOT_COVERED, ask_options, button_id, is_ephemeral, text_of
from tests.fakediscord import FakeDiscord, InteractionRecord
from tests.reliability.bot_env import GOOD, BotEnv, assert_clean, bot_env, private_service, until

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

SUBCOMMANDS = ("reindex", "add", "remove", "status", "rollback", "gaps", "stats")
DOC_ID = "korean-peninsula-denuclearization-2019"
# Distinctive, Discord-shaped (three dot-separated parts), and accepted by the fake only if the bot sends exactly it.
SECRET_TOKEN = "MTA5OTk5OTk5OTk5OTk5OTk5OQ.Gq7xYz.S3cr3t-T0k3n_for_the_reliability_suite_zz"
PRIVILEGED_INTENTS = {"GUILD_MEMBERS": 1 << 1, "GUILD_PRESENCES": 1 << 8, "MESSAGE_CONTENT": 1 << 15}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def env(article_service: Verbatim, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotEnv]:
    """The bot over a private copy of the article index and knowledge folder (moderator commands may change them)."""
    root = tmp_path_factory.mktemp("bot-security") / "deep" / "root"  # room above it for escape attempts to land in
    root.mkdir(parents=True)
    service, _ = private_service(article_service, root)
    async with bot_env(root, service, fake=FakeDiscord(token=SECRET_TOKEN), token=SECRET_TOKEN) as running:
        yield running


@pytest_asyncio.fixture(autouse=True, loop_scope="module")
async def clean(env: BotEnv) -> AsyncIterator[None]:
    yield
    assert_clean(env.fake)


def tree(root: Path, skip: tuple[Path, ...] = ()) -> dict[str, str]:
    """Every file under `root` (except `skip`) with a hash of its content."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file() and not any(p.is_relative_to(s) for s in skip)
    }


async def kb(env: BotEnv, sub: str, options: list[dict[str, Any]] | None = None, *, member: Any, **kwargs: Any) -> InteractionRecord:
    return await env.fake.send_subcommand("kb", sub, options=options or [], member=member, locale="en-US", **kwargs)


def title_of(message: dict[str, Any] | None) -> str:
    embeds = (message or {}).get("embeds") or []
    return (embeds[0].get("title") or "") if embeds else ""


# -- /kb is for moderators only --------------------------------------------------------------------


async def test_every_kb_command_is_refused_to_non_moderators_and_changes_nothing(env: BotEnv) -> None:
    fake, settings = env.fake, env.settings
    other_role = fake.add_role("Helpers", permissions=(1 << 10) | (1 << 11))  # view and send, not Manage Server
    outsiders = {
        "member": fake.member(name="mallory"),
        "member with another role": fake.member(name="trudy", roles=[other_role]),
        "member named like a moderator": fake.member(name="Moderator", nick="Moderator"),
    }
    version = env.service.loaded.version
    whole = tree(env.root, skip=(settings.data_dir,))  # SQLite may touch its -shm file on reads: records are compared below
    audit_before, feedback_before, asked_before = env.records.audit(1000), env.records.feedback(1000), env.records.asked(1000)
    posts = len(fake.channel_messages)
    options = {"add": [{"name": "file", "type": 11}], "remove": [{"name": "document", "type": 3, "value": DOC_ID}]}
    for who, member in outsiders.items():
        for sub in SUBCOMMANDS:
            attachments = [("notes.md", b"# Notes\n\nSome text.\n", "text/markdown")] if sub == "add" else None
            ix = await kb(env, sub, options.get(sub), member=member, attachments=attachments)
            message = await ix.wait_response(timeout=10)
            # Refused at once, privately (never a public "thinking…"), with the error handler's message.
            assert ix.response_type == 4 and is_ephemeral(message), (who, sub, ix.callbacks)
            assert title_of(message) == "Sorry", (who, sub, text_of(message))
            assert ix.ack_latency < 3.0
    assert env.service.loaded.version == version
    assert tree(env.root, skip=(settings.data_dir,)) == whole  # knowledge folder and index versions, byte for byte
    # Each refusal is audited in the guild where it was tried, as a refusal; nothing else changed.
    refusals = env.records.audit(1000)[: len(env.records.audit(1000)) - len(audit_before)]
    assert len(refusals) == len(outsiders) * len(SUBCOMMANDS)
    assert all(e.result == "refused: not a moderator of this guild" and e.guild_id == fake.guild_id for e in refusals)
    assert {e.actor_id for e in refusals} == {m.id for m in outsiders.values()}
    assert env.records.feedback(1000) == feedback_before and env.records.asked(1000) == asked_before
    assert len(fake.channel_messages) == posts  # nothing posted to the mod-log


# -- upload names ----------------------------------------------------------------------------------

ESCAPES = [
    "../../x.txt",
    "/etc/passwd.txt",
    "..\\..\\x.md",
    "C:\\Windows\\system32\\evil.txt",
    "....//....//y.txt",
    "knowledge/../../z.txt",
    ".hidden.txt",
    "a\x00b.txt",
    "%2e%2e%2fx.txt",
]


async def test_attachment_names_cannot_escape_knowledge(env: BotEnv) -> None:
    knowledge = env.bot.tenants.space(env.fake.guild_id).settings.knowledge_dir  # /kb adds to the guild's own documents
    knowledge.mkdir(parents=True, exist_ok=True)
    outside = env.root.parent.parent  # two levels above the test root: where ../../ from knowledge/ would land
    data = env.settings.data_dir
    # The guild's own folder and the files the running bot writes anyway; anything else under the data dir counts.
    changing = (
        knowledge,
        knowledge.parent / "index",
        env.settings.index_dir,
        *data.glob("verbatim.sqlite3*"),
        data / "heartbeat.json",
        data / ".heartbeat.json.tmp",
    )
    before = tree(outside, skip=changing)
    system = {p: p.exists() for p in (Path("/etc/passwd.txt"), Path("/x.txt"), Path("/z.txt"))}
    mod = env.fake.moderator(name="uploadmod")
    for name in ESCAPES:
        ix = await kb(env, "add", [{"name": "file", "type": 11}], member=mod, attachments=[(name, b"An escape attempt.\n", "text/plain")])
        await ix.wait_ack()
        message = await until(
            lambda: ix.original_message if title_of(ix.original_message) in ("Sorry", "Index rebuilt", "Nothing to rebuild") else None,  # noqa: B023
            60,
            name,
        )
        shown = text_of(message)
        if title_of(message) == "Sorry":
            continue  # refused: fine, as long as nothing was written (checked below)
        # Accepted: only as a plain name inside knowledge/.
        saved = [p.name for p in knowledge.iterdir() if "escape" in p.read_text(errors="ignore")]
        assert saved and all("/" not in s and "\\" not in s and not s.startswith(".") for s in saved), (name, shown)
    after = tree(outside, skip=changing)
    assert after == before, set(after) ^ set(before)
    assert {p: p.exists() for p in system} == system
    for path in knowledge.rglob("*"):
        assert path.parent == knowledge and not path.name.startswith(".") and not path.is_symlink(), path
    # Every attempt is in the audit trail, under the moderator's id.
    assert sum(1 for e in env.records.audit(1000) if e.actor_id == mod.id and e.action == "add") == len(ESCAPES)


async def test_an_odd_but_harmless_name_is_sanitised_and_indexed(env: BotEnv) -> None:
    mod = env.fake.moderator(name="uploadmod2")
    name = "report\u202etxt.pdf.txt"  # a right-to-left override that would show the name as "...fdp.txt"
    text = b"The Kestrel Island lighthouse was built in 1887 by the engineer Mara Olsson.\n"
    ix = await kb(env, "add", [{"name": "file", "type": 11}], member=mod, attachments=[(name, text, "text/plain")])
    await ix.wait_ack()
    message = await until(lambda: ix.original_message if title_of(ix.original_message) in ("Sorry", "Index rebuilt") else None, 120, "add")
    assert title_of(message) == "Index rebuilt", text_of(message)
    knowledge = env.bot.tenants.space(env.fake.guild_id).settings.knowledge_dir
    assert (knowledge / "reporttxt.pdf.txt").read_bytes() == text
    assert "\u202e" not in text_of(message)
    # Clean up through Discord as well, so later tests see the article alone.
    ix = await kb(env, "remove", [{"name": "document", "type": 3, "value": "reporttxt.pdf.txt"}], member=mod)
    message = await until(
        lambda: ix.original_message if title_of(ix.original_message) in ("Sorry", "Index rebuilt") else None, 120, "remove"
    )
    assert title_of(message) == "Index rebuilt", text_of(message)
    assert not (knowledge / "reporttxt.pdf.txt").exists()


# -- the token and the intents -----------------------------------------------------------------------


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        record.rendered = self.format(record)  # type: ignore[attr-defined]
        self.records.append(record)


LOUD = ("bot", "index", "discord", "discord.gateway")


def configured_levels(names: set[str]) -> dict[str, int]:
    """The effective level of each logger under `configure_logging("DEBUG")` (what `verbatim --log-level DEBUG run` sets up)."""
    root = logging.getLogger()
    touched = {n: logging.getLogger(n).level for n in (*LOUD, "discord.http")}
    root_level = root.level
    try:
        root.setLevel(logging.DEBUG)  # as basicConfig(level=DEBUG) would (under pytest basicConfig itself is a no-op)
        for name in LOUD:
            logging.getLogger(name).setLevel(logging.NOTSET)
        cli.configure_logging("DEBUG")
        return {n: logging.getLogger(n).getEffectiveLevel() for n in names}
    finally:
        root.setLevel(root_level)
        for name, level in touched.items():
            logging.getLogger(name).setLevel(level)


async def test_the_token_never_appears_in_logs_or_messages(
    env: BotEnv, article_service: Verbatim, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A second bot, logging everything at DEBUG from before login, with the fake requiring the distinctive token."""
    handler = Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    # Everything at DEBUG for our packages and for discord.py itself: even the noisiest level must not leak the token.
    saved = {name: logging.getLogger(name).level for name in LOUD}
    for name in LOUD:
        logging.getLogger(name).setLevel(logging.DEBUG)
    fake = FakeDiscord(token=SECRET_TOKEN)
    try:
        async with bot_env(tmp_path_factory.mktemp("bot-token"), article_service, fake=fake, token=SECRET_TOKEN) as second:
            mod = fake.moderator(name="tokenmod")
            for question in (GOOD, NOT_COVERED, "🙂", ""):
                await (await fake.send_command("ask", ask_options(question), locale="en-US")).wait_response(timeout=30)
            await (await kb(second, "status", member=mod)).wait_response(timeout=30)
            await (await kb(second, "reindex", member=fake.member(name="nomod"))).wait_response(timeout=10)
            await fake.drop_gateway(mode="close", code=4000, wait=True, timeout=30)  # a RESUME carries the token too
            await (await fake.send_command("ask", ask_options(GOOD), locale="en-US")).wait_response(timeout=30)
            assert_clean(fake)
            assert fake.resume_payloads and fake.resume_payloads[-1]["token"] == SECRET_TOKEN
            identify = fake.identify_payloads[-1]
    finally:
        root.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
    # The fake accepted the bot (so it did use the token)...
    assert identify["token"] == SECRET_TOKEN
    assert any(r["headers"].get("Authorization") == f"Bot {SECRET_TOKEN}" for r in fake.requests)
    # ...and the token is nowhere else: not in any log line, nor in anything the bot sent.
    lines = [r.rendered for r in handler.records]  # type: ignore[attr-defined]
    logs = "\n".join(lines)
    # The capture really was at DEBUG: REST bodies and gateway events (IDENTIFY, READY, RESUME) were logged.
    assert "DEBUG discord.http" in logs and "DEBUG discord.gateway" in logs and "IDENTIFY" in logs and "RESUME" in logs, logs[-3000:]
    tail = SECRET_TOKEN.split(".")[-1]
    assert SECRET_TOKEN not in logs and tail not in logs
    bodies = [str(r.get("json")) + (r.get("body") or b"").decode("utf-8", "replace") for r in fake.requests]
    assert not any(SECRET_TOKEN in b or tail in b for b in bodies)
    shown = [text_of(m) for ix in fake.interactions for m in ix.messages] + [text_of(m) for m in fake.channel_messages]
    assert not any(tail in s for s in shown)
    # discord.py's own DEBUG lines carry interaction tokens (webhook URLs, INTERACTION_CREATE events): credentials for
    # 15 minutes. What our configuration lets through at --log-level DEBUG must carry none of them.
    tokens = [ix.token for ix in fake.interactions]
    carrying = [r for r in handler.records if any(t in r.rendered for t in tokens)]  # type: ignore[attr-defined]
    levels = configured_levels({r.name for r in handler.records})
    let_through = [r.rendered for r in carrying if r.levelno >= levels[r.name]]  # type: ignore[attr-defined]
    print(
        f"\ntoken test: {len(lines)} log lines at DEBUG, none with the bot token; {len(carrying)} carry an interaction token, {len(let_through)} of them under configure_logging('DEBUG')"
    )
    assert let_through == [], let_through[:3]
    assert levels.get("discord.webhook.async_", logging.INFO) >= logging.INFO and levels.get("discord.http", logging.INFO) >= logging.INFO


async def test_no_privileged_intents(env: BotEnv) -> None:
    identify = env.fake.identify_payloads[-1]
    intents = int(identify["intents"])
    assert intents == env.fake.intents
    granted = {name for name, bit in PRIVILEGED_INTENTS.items() if intents & bit}
    assert granted == set(), f"the bot asks for privileged intents {granted} (IDENTIFY intents={intents})"
    assert intents & 1  # GUILDS, which slash commands need


# -- feedback and audit storage --------------------------------------------------------------------


async def test_votes_write_exactly_one_row_per_user_and_answer(env: BotEnv) -> None:
    fake, records = env.fake, env.records
    alice, bob = fake.member(name="alice2"), fake.member(name="bob2")
    audit_before = len(records.audit(1000))
    ix = await fake.send_command("ask", ask_options(GOOD, public=True), member=alice, locale="en-US")
    answer = await ix.wait_response(timeout=30)
    assert not is_ephemeral(answer)
    up, down = button_id(answer, "verbatim:vote:up:"), button_id(answer, "verbatim:vote:down:")

    def rows() -> list[Any]:
        return [f for f in records.feedback(1000) if f.message_id == answer["message_id"]]

    vote = await fake.click_button(answer, up, member=alice)
    assert "👍" in text_of(await vote.wait_response(timeout=10))
    assert [(f.user_id, f.vote) for f in rows()] == [(alice.id, "up")]
    # A second vote on the same answer replaces the first.
    await (await fake.click_button(answer, down, member=alice)).wait_response(timeout=10)
    await (await fake.click_button(answer, down, member=alice)).wait_response(timeout=10)
    assert [(f.user_id, f.vote) for f in rows()] == [(alice.id, "down")]
    # Another user's vote is theirs: it neither replaces nor adds to Alice's.
    await (await fake.click_button(answer, up, member=bob)).wait_response(timeout=10)
    assert sorted((f.user_id, f.vote) for f in rows()) == sorted([(alice.id, "down"), (bob.id, "up")])
    # Users write no audit rows (asking and voting are not moderator actions).
    assert len(records.audit(1000)) == audit_before


SQL_SHAPED = [
    "'; DROP TABLE feedback; --",
    "Robert'); DROP TABLE asked; -- 平壤宣言承諾了什麼？",
    '" OR 1=1; DELETE FROM audit WHERE "1"="1',
    "1; UPDATE feedback SET vote='up' --",
]


async def test_sql_shaped_questions_are_stored_as_plain_text(env: BotEnv) -> None:
    fake, records = env.fake, env.records
    member = fake.member(name="bobby")
    audit_before = records.audit(1000)
    for question in SQL_SHAPED:
        ix = await fake.send_command("ask", ask_options(question), member=member, locale="en-US")
        message = await ix.wait_response(timeout=30)
        if message["embeds"][0].get("fields") and message.get("components"):
            await (await fake.click_button(message, button_id(message, "verbatim:vote:down:"), member=member)).wait_response(timeout=10)
    await until(lambda: len([a for a in records.asked(1000) if a.user_id == member.id]) == len(SQL_SHAPED), 30, "questions recorded")
    stored = {a.question for a in records.asked(1000) if a.user_id == member.id}
    assert stored == set(SQL_SHAPED)
    unanswered = {u.question for u in records.unanswered(1000) if u.user_id == member.id}
    assert unanswered <= stored
    for f in records.feedback(1000):
        if f.user_id == member.id:
            assert f.question in stored and f.vote == "down"
    # Every table is still there and nothing else changed.
    assert records.audit(1000) == audit_before
    assert records.feedback(1000) is not None and records.asked(1) and records.daily_activity(1)
