"""Guilds are tenants: two guilds and three actors through the fake Discord, with the real bot, FAISS and model."""

from __future__ import annotations

import asyncio
import io
import logging
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.client import VerbatimBot
from bot.main import start_bot
from bot.settings import BotSettings
from index.records import Records
from index.service import Verbatim
from tests.bot.conftest import TOKEN
from tests.bot.helpers import QUESTIONS, ask_options, assert_discord_rules_kept, is_ephemeral, text_of
from tests.bot.test_moderation import HARBOUR_MD, LIGHTHOUSE_MD, LIGHTHOUSE_Q, title_of, until
from tests.conftest import copy_article, make_bot_settings
from tests.fakediscord import FakeDiscord, InteractionRecord

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

HARBOUR_Q = "When was the harbour of Port Selwyn dredged?"
BASE_Q = QUESTIONS["zh-Hant"][1]  # answered by the shared article
FINAL = ("Index rebuilt", "Nothing to rebuild", "Reindex failed", "Sorry")
MILL_MD = "# Brenna mill\n\nThe water mill at Brenna ground rye for nine villages until the flood of 1936 destroyed its wheel.\n"


@dataclass
class Env:
    fake: FakeDiscord
    bot: VerbatimBot
    service: Verbatim
    settings: BotSettings
    records: Records
    guild_a: int
    guild_b: int
    mod_a: Any
    mod_b: Any
    member_a: Any
    member_b: Any

    def knowledge(self, guild_id: int) -> Path:
        return self.settings.guilds_dir / str(guild_id) / "knowledge"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def env(article_service: Verbatim, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Env]:
    """Guild A (the fake's main guild) and guild B, the bot serving a copy of the session's article index as the base."""
    root = tmp_path_factory.mktemp("tenancy")
    fake = FakeDiscord()
    guild_b = fake.add_guild("Guild B")
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
        build_cpu_seconds=60,
        build_timeout_seconds=120.0,
        max_pdf_pages=200,
    )
    copy_article(settings.knowledge_dir)
    shutil.copytree(article_service.settings.index_dir, settings.index_dir, symlinks=True, ignore=shutil.ignore_patterns(".build.lock"))
    manifest = article_service.loaded.manifest
    service = Verbatim(settings, embedder=article_service.embedder_for(manifest.model, manifest.backend))
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
            fake.guild_id,
            guild_b,
            fake.moderator(name="moda"),
            fake.moderator(name="modb", guild_id=guild_b),
            fake.member(name="membera"),
            fake.member(name="memberb", guild_id=guild_b),
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


async def kb(env: Env, sub: str, member: Any, options: list[dict[str, Any]] | None = None, **kwargs: Any) -> InteractionRecord:
    return await env.fake.send_subcommand("kb", sub, options=options or [], member=member, **kwargs)


async def final(ix: InteractionRecord, timeout: float = 180.0) -> dict[str, Any]:
    await ix.wait_ack()
    return await until(lambda: ix.original_message if title_of(ix.original_message) in FINAL else None, timeout, f"{ix.label} to finish")


async def add(env: Env, member: Any, name: str, data: bytes, ctype: str = "text/markdown") -> dict[str, Any]:
    return await final(await kb(env, "add", member, [{"name": "file", "type": 11}], attachments=[(name, data, ctype)]))


async def ask(env: Env, question: str, member: Any, **kwargs: Any) -> dict[str, Any]:
    ix = await env.fake.send_command("ask", ask_options(question), member=member, **kwargs)
    return await ix.wait_response(timeout=60)


def answered(message: dict[str, Any]) -> bool:
    return title_of(message) != "Not covered by the documents"


def doc_ids_seen(env: Env, guild_id: int | None, question: str) -> set[str]:
    """Every document a question asked in `guild_id` gets passages from (the quote and the listed passages)."""
    result = env.bot.knowledge_for(guild_id).ask(question, k=10)
    return {sp.passage.doc_id for sp in result.passages} | ({result.quote.passage.doc_id} if result.quote else set())


# -- answering ------------------------------------------------------------------------------------


async def test_each_guild_answers_from_the_base_plus_its_own_documents_only(env: Env) -> None:
    message = await add(env, env.mod_a, "kestrel-lighthouse.md", LIGHTHOUSE_MD.encode())
    assert title_of(message) == "Index rebuilt" and "1 added" in text_of(message), text_of(message)
    message = await add(env, env.mod_b, "selwyn-harbour.md", HARBOUR_MD.encode())
    assert title_of(message) == "Index rebuilt" and "1 added" in text_of(message), text_of(message)
    assert (env.knowledge(env.guild_a) / "kestrel-lighthouse.md").exists() and (env.knowledge(env.guild_b) / "selwyn-harbour.md").exists()
    assert not (env.settings.knowledge_dir / "kestrel-lighthouse.md").exists()  # the base is untouched

    in_a = await ask(env, LIGHTHOUSE_Q, env.member_a)
    assert answered(in_a) and "1887" in text_of(in_a)
    in_b = await ask(env, HARBOUR_Q, env.member_b)
    assert answered(in_b) and "1904" in text_of(in_b)
    # Never the other guild's documents, in the reply or in any passage retrieved.
    a_asks_b = await ask(env, HARBOUR_Q, env.member_a)
    assert not answered(a_asks_b) and "steamships" not in text_of(a_asks_b) and "1904" not in text_of(a_asks_b)
    b_asks_a = await ask(env, LIGHTHOUSE_Q, env.member_b)
    assert not answered(b_asks_a) and "Mara Olsson" not in text_of(b_asks_a) and "1887" not in text_of(b_asks_a)
    for question in (HARBOUR_Q, LIGHTHOUSE_Q, BASE_Q):
        assert "selwyn-harbour" not in await asyncio.to_thread(doc_ids_seen, env, env.guild_a, question)
        assert "kestrel-lighthouse" not in await asyncio.to_thread(doc_ids_seen, env, env.guild_b, question)
        assert await asyncio.to_thread(doc_ids_seen, env, None, question) <= set(env.service.loaded.documents)
    # The base answers in both guilds, and in DMs (which see the base only).
    for member in (env.member_a, env.member_b):
        base = await ask(env, BASE_Q, member)
        assert answered(base) and "平壤" in text_of(base)
    in_dm = await ask(env, LIGHTHOUSE_Q, env.member_a, dm=True)
    assert not answered(in_dm) and "1887" not in text_of(in_dm)
    assert answered(await ask(env, BASE_Q, env.member_a, dm=True))
    # /sources lists the base plus the guild's own documents only.
    ix = await env.fake.send_command("sources", member=env.member_b)
    listed = text_of(await ix.wait_response(timeout=20))
    assert "selwyn-harbour" in listed and "kestrel" not in listed.lower()


# -- isolation of /kb ------------------------------------------------------------------------------


async def test_guild_b_moderator_cannot_list_change_roll_back_or_read_guild_a(env: Env) -> None:
    fake, records = env.fake, env.records
    secret = "How many emperor penguins breed on the Ross Sea ice shelf?"
    assert not answered(await ask(env, secret, env.member_a))  # a question only guild A's moderators may read
    space_a = env.bot.tenants.space(env.guild_a)
    version_a = space_a.store.current_path().name
    files_a = sorted(p.name for p in env.knowledge(env.guild_a).iterdir())

    # List: autocomplete shows B's documents only.
    focus = [{"type": 1, "name": "remove", "options": [{"name": "document", "type": 3, "value": "", "focused": True}]}]
    ix = await fake.send_autocomplete("kb", focus, member=env.mod_b)
    await ix.wait_ack()
    assert [c["value"] for c in ix.choices] == ["selwyn-harbour"]
    # Remove A's document, or the base's: neither exists for B.
    for target in ("kestrel-lighthouse", "korean-peninsula-denuclearization-2019"):
        message = await final(await kb(env, "remove", env.mod_b, [{"name": "document", "type": 3, "value": target}]))
        assert "no document" in text_of(message), text_of(message)
    # Read: status, gaps and stats show B's own.
    status = text_of(await (await kb(env, "status", env.mod_b)).wait_response(timeout=20))
    assert version_a not in status and "kestrel" not in status.lower() and env.service.loaded.version in status
    gaps = text_of(await (await kb(env, "gaps", env.mod_b)).wait_response(timeout=20))
    assert secret not in gaps and LIGHTHOUSE_Q in gaps  # B's own unanswered question, never A's
    stats = await (await kb(env, "stats", env.mod_b)).wait_response(timeout=60)
    assert secret not in text_of(stats)
    # Roll back: only B's versions move.
    rolled = await (await kb(env, "rollback", env.mod_b)).wait_response(timeout=30)
    assert is_ephemeral(rolled)
    # Forget: B's records go, A's stay.
    forgot = await (await kb(env, "forget", env.mod_b, [{"name": "confirm", "type": 5, "value": True}])).wait_response(timeout=20)
    assert title_of(forgot) == "Records erased", text_of(forgot)
    assert any(u.question == secret for u in records.unanswered(50, guild_id=env.guild_a))
    assert records.asked(50, guild_id=env.guild_b) == [] and records.unanswered(50, guild_id=env.guild_b) == []

    assert space_a.store.current_path().name == version_a
    assert sorted(p.name for p in env.knowledge(env.guild_a).iterdir()) == files_a
    assert answered(await ask(env, LIGHTHOUSE_Q, env.member_a))
    # A's moderator reads A's question; every action of B's moderator is in B's audit log only.
    gaps_a = text_of(await (await kb(env, "gaps", env.mod_a)).wait_response(timeout=20))
    assert secret in gaps_a
    # /kb gaps writes its audit row after replying: wait for it, so it never lands in the next test's count.
    await until(
        lambda: any(e.action == "gaps" and e.actor_id == env.mod_a.id for e in records.audit(500, guild_id=env.guild_a)),
        10,
        "A's gaps audited",
    )
    assert all(e.actor_id != env.mod_b.id for e in records.audit(500, guild_id=env.guild_a))
    b_actions = {e.action for e in records.audit(500, guild_id=env.guild_b) if e.actor_id == env.mod_b.id}
    assert {"add", "remove", "status", "gaps", "stats", "rollback", "forget"} <= b_actions
    # Nothing of B's was posted to A's mod-log channel.
    posts = [m for m in fake.channel_messages if m["channel_id"] == fake.mod_log_channel_id]
    assert posts and all(f"<@{env.mod_b.id}>" not in text_of(m) for m in posts)


async def test_a_plain_member_is_refused_and_every_refusal_is_audited_where_it_was_tried(env: Env) -> None:
    before_a = len(env.records.audit(1000, guild_id=env.guild_a))
    before_b = len(env.records.audit(1000, guild_id=env.guild_b))
    for sub in ("status", "gaps", "stats", "rollback", "reindex", "forget"):
        message = await (await kb(env, sub, env.member_a)).wait_response(timeout=30)
        assert title_of(message) == "Sorry" and "Only moderators" in text_of(message), (sub, text_of(message))
    message = await (await kb(env, "gaps", env.member_b)).wait_response(timeout=30)
    assert title_of(message) == "Sorry"
    rows_a = env.records.audit(1000, guild_id=env.guild_a)[: len(env.records.audit(1000, guild_id=env.guild_a)) - before_a]
    assert len(rows_a) == 6 and all(e.actor_id == env.member_a.id and e.result.startswith("refused") for e in rows_a)
    rows_b = env.records.audit(1000, guild_id=env.guild_b)
    assert len(rows_b) == before_b + 1 and rows_b[0].actor_id == env.member_b.id and rows_b[0].result.startswith("refused")


async def test_a_build_in_one_guild_leaves_the_other_answering(env: Env) -> None:
    space_a, space_b = env.bot.tenants.space(env.guild_a), env.bot.tenants.space(env.guild_b)
    version_b = space_b.store.current_path().name
    ix = await kb(
        env, "add", env.mod_a, [{"name": "file", "type": 11}], attachments=[("brenna-mill.md", MILL_MD.encode(), "text/markdown")]
    )
    await until(lambda: space_a.build_status is not None, 30, "guild A's build to start")
    # Guild B asks while A's build runs in its own process: answered at once, from B's unchanged index.
    in_b = await ask(env, HARBOUR_Q, env.member_b)
    assert answered(in_b) and space_a.build_status is not None
    message = await final(ix)
    assert title_of(message) == "Index rebuilt", text_of(message)
    assert in_b["at"] < ix.messages[-1]["at"]  # answered before A's summary replaced the progress message
    assert space_b.store.current_path().name == version_b
    assert "1936" in text_of(await ask(env, "When did the flood destroy the wheel of the Brenna mill?", env.member_a))


# -- operator settings and quotas --------------------------------------------------------------------


async def test_guild_documents_off_refuses_changes_except_in_home_guilds(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env.bot.settings, "guild_documents", False)
    monkeypatch.setattr(env.bot.settings, "home_guild_ids", [env.guild_a])
    message = await (
        await kb(env, "add", env.mod_b, [{"name": "file", "type": 11}], attachments=[("x.md", b"# X\n\nText.\n", "text/markdown")])
    ).wait_response(timeout=30)
    assert "turned off" in text_of(message)
    message = await (await kb(env, "rollback", env.mod_b)).wait_response(timeout=30)
    assert "turned off" in text_of(message)
    assert not (env.knowledge(env.guild_b) / "x.md").exists()
    # The audit row is written just after the reply.
    await until(lambda: env.records.audit(1, guild_id=env.guild_b)[0].action == "rollback", 60, "the audit row")
    assert [e.result for e in env.records.audit(2, guild_id=env.guild_b)] == ["refused: guild documents are turned off"] * 2
    # Read-only commands still work in B; the home guild A may still change its documents.
    assert title_of(await (await kb(env, "status", env.mod_b)).wait_response(timeout=20)) == "Knowledge base status"
    message = await final(await kb(env, "reindex", env.mod_a))
    assert title_of(message) in ("Index rebuilt", "Nothing to rebuild"), text_of(message)


async def test_quotas_on_documents_bytes_and_builds(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(env.bot.settings, "guild_max_documents", 1)
    message = await (
        await kb(env, "add", env.mod_b, [{"name": "file", "type": 11}], attachments=[("y.md", b"# Y\n\nText.\n", "text/markdown")])
    ).wait_response(timeout=30)
    assert "limit is 1" in text_of(message)
    monkeypatch.setattr(env.bot.settings, "guild_max_documents", 25)
    monkeypatch.setattr(env.bot.settings, "guild_max_bytes", 1000)
    message = await (
        await kb(
            env, "add", env.mod_b, [{"name": "file", "type": 11}], attachments=[("y.md", b"# Y\n\n" + b"word " * 300, "text/markdown")]
        )
    ).wait_response(timeout=30)
    assert "MiB" in text_of(message) and "limit" in text_of(message)
    monkeypatch.setattr(env.bot.settings, "guild_builds_per_hour", 1)
    message = await (await kb(env, "reindex", env.mod_b)).wait_response(timeout=30)
    assert "in the last hour" in text_of(message)
    assert not (env.knowledge(env.guild_b) / "y.md").exists()
    await until(lambda: env.records.audit(1, guild_id=env.guild_b)[0].action == "reindex", 60, "the audit row")
    results = [e.result for e in env.records.audit(3, guild_id=env.guild_b)]
    assert results == ["refused: builds-per-hour quota", "refused: bytes quota", "refused: documents quota"]


# -- untrusted uploads ---------------------------------------------------------------------------------


def many_pages_pdf(pages: int) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(72, 72))
    for number in range(pages):
        pdf.drawString(4, 30, str(number))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def nested_pdf(depth: int) -> bytes:
    """A small valid-looking PDF whose one page's /Resources is an array nested `depth` deep."""
    nested = b"[" * depth + b"]" * depth
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] /Contents 4 0 R /Resources << /X " + nested + b" >> >>",
        b"<< /Length 35 >>\nstream\nBT /F1 12 Tf 4 30 Td (deep) Tj ET\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "ctype", "reasons"),
    [
        (
            "one-line.md",
            lambda: b"# One line\n\n" + b"lorem ipsum dolor sit amet " * 185_000,
            "text/markdown",
            ("passages; the limit", "processor time", "took longer"),
        ),
        ("ten-thousand-pages.pdf", lambda: many_pages_pdf(10_000), "application/pdf", ("10000 pages; the limit is 200",)),
        ("nested.pdf", lambda: nested_pdf(50_000), "application/pdf", ("nested too deeply", "could not", "no text", "not indexed", "PDF")),
    ],
)
async def test_a_crafted_upload_fails_alone_with_a_reason_while_the_other_guild_answers(
    env: Env, name: str, make: Any, ctype: str, reasons: tuple[str, ...]
) -> None:
    data = make()
    assert len(data) <= env.settings.max_upload_bytes
    space_b = env.bot.tenants.space(env.guild_b)
    version_b = space_b.store.current_path().name
    ix = await kb(env, "add", env.mod_b, [{"name": "file", "type": 11}], attachments=[(name, data, ctype)])
    await ix.wait_ack()
    # Guild A is answered while B's upload is parsed in its own limited process.
    assert answered(await ask(env, LIGHTHOUSE_Q, env.member_a))
    message = await final(ix, timeout=240)
    text = text_of(message)
    assert any(reason in text for reason in reasons), text
    # It failed alone: B's index and documents are as before (the file was taken out again), and B still answers.
    assert not (env.knowledge(env.guild_b) / name).exists()
    assert space_b.store.current_path().name == version_b or title_of(message) == "Index rebuilt"
    assert answered(await ask(env, HARBOUR_Q, env.member_b))


# -- privacy ---------------------------------------------------------------------------------------------


async def test_question_texts_are_not_logged_at_info_and_old_ones_are_purged(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    question = "What colour was the lighthouse keeper's boat on Kestrel Island?"
    with caplog.at_level(logging.INFO):
        await ask(env, question, env.member_a)
    assert question not in caplog.text and "Kestrel Island?" not in caplog.text
    upkeep = env.bot.get_cog("Upkeep")
    assert upkeep is not None
    from datetime import datetime, timedelta

    from index.records import Asked

    old = (datetime.now(UTC) - timedelta(days=env.settings.retention_days + 1)).isoformat(timespec="seconds")
    env.records.add_asked(Asked("an old question", True, env.member_a.id, env.guild_a, "v", created_at=old))
    deleted = await upkeep.purge_old_questions(force=True)
    assert deleted is not None and deleted["asked"] >= 1
    remaining = [a.question for a in env.records.asked(1000)]
    assert "an old question" not in remaining and question in remaining
