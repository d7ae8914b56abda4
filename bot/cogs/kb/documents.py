"""/kb add, remove, reindex, rollback and status: a guild's own documents and index versions."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.utils import escape_markdown, format_dt

from bot.checks import is_moderator, member_is_moderator
from bot.client import VerbatimBot
from bot.cogs.kb.common import KbCommands, actor_name, fit_lines, when_text
from bot.cogs.kb.strings import STRINGS
from bot.embeds import COLOR_ANSWER, COLOR_ERROR, COLOR_INFO, NO_PINGS, error_embed, fit_embed, truncate
from bot.i18n import t
from index.errors import BuildInProgress, DocumentError, IndexMissing, VerbatimError
from index.knowledge import add_document, remove_document, safe_filename
from index.loaders import discover, doc_id_for
from index.models import BuildReport
from index.records import AuditEntry
from index.tenancy import GuildKnowledge

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 2.0  # seconds between edits of a build's progress message (Discord rate-limits webhook edits)
MAX_CHOICES = 25
# Characters that make an uploaded file name hostile rather than merely untidy: folders, hidden files, control characters.
HOSTILE_NAME = re.compile(r"[/\\\x00-\x1f]|^\.")


def report_result(report: BuildReport) -> str:
    """A one-line English result for the audit trail."""
    if report.skipped_write:
        return f"ok: unchanged, version {report.version}"
    return (
        f"ok: version {report.version}; +{len(report.added)} ~{len(report.changed)} -{len(report.removed)} !{len(report.failed)}; "
        f"passages {report.passages_before}->{report.passages_after}; {report.seconds:.1f} s"
    )


def _names(ids: list[str]) -> str:
    return ", ".join(f"`{escape_markdown(i)}`" for i in ids)


def summary_embed(report: BuildReport, locale: discord.Locale | str | None, *, notes: list[str] | None = None) -> discord.Embed:
    """The end of a build: documents added/changed/removed/failed (with reasons), passages, seconds and version."""
    lines = list(notes or [])
    lines.append(
        t(
            locale,
            "kb.summary.documents",
            added=len(report.added),
            changed=len(report.changed),
            removed=len(report.removed),
            failed=len(report.failed),
            unchanged=len(report.unchanged),
        )
    )
    lines.append(
        t(locale, "kb.summary.passages", before=report.passages_before, after=report.passages_after, embedded=report.passages_embedded)
    )
    lines.append(t(locale, "kb.summary.seconds", seconds=f"{report.seconds:.1f}"))
    if report.skipped_write:
        lines.append(t(locale, "kb.summary.unchanged", version=report.version))
    else:
        lines.append(t(locale, "kb.summary.version", version=report.version))
    title = t(locale, "kb.summary.unchanged_title" if report.skipped_write else "kb.summary.title")
    embed = discord.Embed(title=title, description="\n".join(lines), colour=COLOR_ERROR if report.failed else COLOR_ANSWER)
    for key, ids in (("added", report.added), ("changed", report.changed), ("removed", report.removed)):
        if ids:
            embed.add_field(name=t(locale, f"kb.summary.{key}"), value=_names(ids), inline=False)
    if report.failed:
        value = "\n".join(f"`{escape_markdown(f.source_file)}`: {escape_markdown(f.reason)}" for f in report.failed)
        embed.add_field(name=t(locale, "kb.summary.failed"), value=value, inline=False)
    embed.set_footer(text=report.version)
    return fit_embed(embed)


class ProgressMessage:
    """Shows a running build in the interaction's original response, edited at most every PROGRESS_INTERVAL seconds.

    The build runs in a worker thread; its progress callback only hops back to the event loop (call_soon_threadsafe),
    where the latest state is kept and a single task edits the message.
    """

    def __init__(self, interaction: discord.Interaction[VerbatimBot], started_by: str, old_version: str, notes: list[str]) -> None:
        self.interaction = interaction
        self.locale = interaction.locale
        self.started_by = started_by
        self.old_version = old_version
        self.notes = notes
        self.loop = asyncio.get_running_loop()
        self.stage, self.done, self.total = "starting", 0, 0
        self.edits = 0
        self._changed = asyncio.Event()
        self._stopped = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def callback(self, stage: str, done: int, total: int) -> None:
        """The build's progress callback (called in the build thread)."""
        self.loop.call_soon_threadsafe(self._update, stage, done, total)

    def _update(self, stage: str, done: int, total: int) -> None:
        self.stage, self.done, self.total = stage, done, total
        self._changed.set()

    def embed(self) -> discord.Embed:
        locale = self.locale
        stage_key = f"kb.stage.{self.stage}"
        stage = t(locale, stage_key) if stage_key in STRINGS else self.stage
        lines = [*self.notes, f"**{t(locale, 'kb.stage')}:** {stage}"]
        if self.stage == "embedding":
            lines.append(t(locale, "kb.progress.passages", done=self.done, total=self.total))
        elif self.total:
            lines.append(t(locale, "kb.progress.items", done=self.done, total=self.total))
        embed = discord.Embed(title=t(locale, "kb.progress.title"), description="\n".join(lines), colour=COLOR_INFO)
        embed.set_footer(text=t(locale, "kb.progress.started", user=self.started_by, version=self.old_version or "—"))
        return fit_embed(embed)

    async def _edit(self) -> None:
        try:
            await self.interaction.edit_original_response(embed=self.embed(), allowed_mentions=NO_PINGS)
            self.edits += 1
        except discord.HTTPException as exc:
            log.warning("could not update the build progress of interaction %s: %s", self.interaction.id, exc)

    async def _run(self) -> None:
        last = self.loop.time()
        while not self._stopped.is_set():
            await self._changed.wait()
            delay = last + PROGRESS_INTERVAL - self.loop.time()
            if delay > 0:
                try:
                    await asyncio.wait_for(self._stopped.wait(), delay)
                except TimeoutError:
                    pass
            if self._stopped.is_set():
                return
            self._changed.clear()
            await self._edit()
            last = self.loop.time()

    async def start(self) -> None:
        await self._edit()
        self._task = asyncio.create_task(self._run(), name=f"kb-progress-{self.interaction.id}")

    async def stop(self) -> None:
        """Stop editing (an edit in flight finishes first, so the final summary is never overwritten)."""
        self._stopped.set()
        self._changed.set()


class DocumentCommands(KbCommands):
    """The /kb subcommands that change or show the guild's documents and index."""

    async def run_build(
        self,
        interaction: discord.Interaction[VerbatimBot],
        action: str,
        target: str,
        notes: list[str],
        on_failure: Callable[[], Awaitable[object]] | None = None,
    ) -> BuildReport | None:
        """Build the guild's index (in a limited child process) with a live progress message; then summary or failure, and audit."""
        service = self.space(interaction)
        locale = interaction.locale
        old_version = current.name if (current := service.store.current_path()) is not None else ""
        started_by = actor_name(interaction.user)
        progress = ProgressMessage(interaction, started_by, old_version, notes)
        await progress.start()
        report: BuildReport | None = None
        failure: discord.Embed | None = None
        try:
            report = await asyncio.to_thread(service.build, progress.callback, started_by)
        except BuildInProgress:
            failure = self.busy_embed(
                locale, None if service.build_status is None else (service.build_status.started_by, service.build_status.started_at)
            )
            result = "refused: another build is running"
        except VerbatimError as exc:
            body = t(locale, "kb.build_failed.body", version=old_version or "—", reason=escape_markdown(str(exc)))
            failure = error_embed(locale, body, title=t(locale, "kb.build_failed.title"))
            result = f"failed: {exc}"
        except Exception as exc:
            log.exception("kb %s by %s: the build failed", action, interaction.user.id)
            body = t(locale, "kb.build_failed.body", version=old_version or "—", reason=t(locale, "kb.build_failed.unexpected"))
            failure = error_embed(locale, body, title=t(locale, "kb.build_failed.title"))
            result = f"failed: {type(exc).__name__}"
        else:
            result = report_result(report)
        finally:
            await progress.stop()
            await self.bot.run_blocking(self.bot.tenants.changed, service.guild_id)
        if failure is not None:
            if on_failure is not None:
                await on_failure()  # before the reply, so what it says is already true
            failure.description = "\n".join([*notes, failure.description or ""])
            await self.reply(interaction, embed=fit_embed(failure))
        await self.audit(interaction, action, target, result)
        return report

    # -- commands ------------------------------------------------------------------------------

    @app_commands.command(name="reindex", description="Rebuild this server's index from its documents")
    @is_moderator()
    async def reindex(self, interaction: discord.Interaction[VerbatimBot]) -> None:
        if await self.refuse_change(interaction, "reindex") or await self.refuse_if_busy(interaction, "reindex"):
            return
        self.begin(interaction, "reindex")
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
            report = await self.run_build(interaction, "reindex", "", [])
            if report is not None:
                await self.reply(interaction, embed=summary_embed(report, interaction.locale))
        finally:
            self.end(interaction)

    async def refuse_upload(
        self, interaction: discord.Interaction[VerbatimBot], space: GuildKnowledge, name: str, size: int, replace: bool
    ) -> tuple[str, str] | None:
        """Why this upload is refused before it is downloaded (name, size, the guild's quotas), or None."""
        locale = interaction.locale
        settings = self.bot.settings
        if HOSTILE_NAME.search(name):
            shown = re.sub(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]", "\ufffd", name)
            return t(locale, "kb.add.bad_name", name=escape_markdown(truncate(shown, 80))), "hostile file name"
        limit = settings.max_upload_bytes
        if size > limit:
            return t(locale, "kb.add.too_large", size=f"{size / 2**20:.1f}", limit=f"{limit / 2**20:.1f}"), "too large"
        try:
            clean = safe_filename(name)
        except DocumentError:
            return None  # add_document gives the reason
        doc_id = doc_id_for(Path(clean))

        def quotas() -> tuple[int, bool, int, bool]:
            sources = discover(space.settings.knowledge_dir)
            exists = any(s.path.name == clean for s in sources)
            try:
                base_ids = set(self.bot.verbatim.loaded.documents)
            except VerbatimError:
                base_ids = set()
            return len(sources), exists, space.document_bytes(), doc_id in base_ids

        count, exists, used, clashes = await self.bot.run_blocking(quotas)
        if clashes:
            return t(locale, "kb.add.base_clash", doc_id=escape_markdown(doc_id)), "document id of the shared base"
        if not (exists and replace) and count >= settings.guild_max_documents:
            return t(locale, "kb.quota.documents", count=count, limit=settings.guild_max_documents), "documents quota"
        if used + size > settings.guild_max_bytes:
            return t(
                locale, "kb.quota.bytes", size=f"{(used + size) / 2**20:.1f}", limit=f"{settings.guild_max_bytes / 2**20:.1f}"
            ), "bytes quota"
        return None

    @app_commands.command(name="add", description="Add a document (.txt, .md or .pdf) and index it")
    @app_commands.describe(
        file="The document: .txt, .md or .pdf",
        title="The document's title",
        author="Author(s)",
        journal="Journal or publisher",
        year="Year of publication",
        pages="Page range in the journal, e.g. 12-30",
        doi="DOI, e.g. 10.1234/abcd",
        replace="Overwrite a document with the same file name",
    )
    @is_moderator()
    async def add(
        self,
        interaction: discord.Interaction[VerbatimBot],
        file: discord.Attachment,
        title: app_commands.Range[str, 1, 300] | None = None,
        author: app_commands.Range[str, 1, 200] | None = None,
        journal: app_commands.Range[str, 1, 200] | None = None,
        year: app_commands.Range[int, 1000, 2999] | None = None,
        pages: app_commands.Range[str, 1, 20] | None = None,
        doi: app_commands.Range[str, 1, 200] | None = None,
        replace: bool = False,
    ) -> None:
        locale = interaction.locale
        name = file.filename
        if await self.refuse_change(interaction, "add", name) or await self.refuse_if_busy(interaction, "add", name):
            return
        space = self.space(interaction)
        refusal = await self.refuse_upload(interaction, space, name, file.size, replace)
        if refusal is not None:
            await interaction.response.send_message(embed=error_embed(locale, refusal[0]), ephemeral=True, allowed_mentions=NO_PINGS)
            await self.audit(interaction, "add", name, f"refused: {refusal[1]}")
            return
        self.begin(interaction, "add")
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
            data = await file.read()
            meta = {"title": title, "author": author, "journal": journal, "year": year, "pages": pages, "doi": doi}
            knowledge = space.settings.knowledge_dir
            limit = self.bot.settings.max_upload_bytes
            existed = await self.bot.run_blocking(lambda: {s.path.name for s in discover(knowledge)})
            try:
                saved = await self.bot.run_blocking(add_document, knowledge, name, data, meta, replace=replace, max_bytes=limit)
            except DocumentError as exc:
                await self.reply(interaction, embed=error_embed(locale, t(locale, "kb.add.refused", reason=escape_markdown(str(exc)))))
                await self.audit(interaction, "add", name, f"refused: {exc}")
                return
            notes = [t(locale, "kb.add.saved", name=escape_markdown(saved.name))]
            # Refused by the build (a limit, a crash): a new file that cannot be indexed is taken out again.
            take_out = None if saved.name in existed else (lambda: self.bot.run_blocking(remove_document, knowledge, saved.name))
            report = await self.run_build(interaction, "add", saved.name, notes, on_failure=take_out)
            if report is None:
                return
            failed = next((f for f in report.failed if f.source_file == saved.name), None)
            if failed is not None and saved.name not in existed:
                # A new file that cannot be indexed would fail every later build too: take it out again.
                await self.bot.run_blocking(remove_document, knowledge, saved.name)
                notes.append(t(locale, "kb.add.not_indexed", name=escape_markdown(saved.name), reason=escape_markdown(failed.reason)))
            await self.reply(interaction, embed=summary_embed(report, locale, notes=notes))
        finally:
            self.end(interaction)

    @app_commands.command(name="remove", description="Remove a document and reindex")
    @app_commands.describe(document="The document to remove")
    @is_moderator()
    async def remove(self, interaction: discord.Interaction[VerbatimBot], document: app_commands.Range[str, 1, 100]) -> None:
        locale = interaction.locale
        if await self.refuse_change(interaction, "remove", document) or await self.refuse_if_busy(interaction, "remove", document):
            return
        space = self.space(interaction)
        self.begin(interaction, "remove")
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
            try:
                removed = await self.bot.run_blocking(remove_document, space.settings.knowledge_dir, document)
            except DocumentError:
                # Gone from the folder already (removed from a shell) but still indexed: a reindex drops it.
                def indexed() -> bool:
                    answerer = self.bot.tenants.serving(space.guild_id)
                    return answerer is not None and document.strip().lower() in answerer.loaded.documents

                if not await self.bot.run_blocking(indexed):
                    await self.reply(interaction, embed=error_embed(locale, t(locale, "kb.remove.unknown", name=escape_markdown(document))))
                    await self.audit(interaction, "remove", document, "refused: no such document")
                    return
                removed = []
            notes = [t(locale, "kb.remove.done", name=escape_markdown(removed[0].name if removed else document))]
            report = await self.run_build(interaction, "remove", document, notes)
            if report is not None:
                await self.reply(interaction, embed=summary_embed(report, locale, notes=notes))
        finally:
            self.end(interaction)

    @remove.autocomplete("document")
    async def document_choices(self, interaction: discord.Interaction[VerbatimBot], current: str) -> list[app_commands.Choice[str]]:
        # This guild's own files on disk plus what its index serves; answered inline (no deferring), well within 3 s.
        if not member_is_moderator(interaction):
            return []
        space = self.space(interaction)
        wanted = current.strip().lower()
        labels: dict[str, str] = {}
        for source in discover(space.settings.knowledge_dir):
            labels[source.doc_id] = source.path.name
        if space.is_loaded:
            for meta in space.sources():
                labels[meta.doc_id] = (
                    f"{meta.title} · {meta.source_file or labels.get(meta.doc_id, '')}".strip(" ·")
                    if meta.title
                    else labels.get(meta.doc_id, meta.doc_id)
                )
        choices = []
        for doc_id, label in sorted(labels.items()):
            if len(doc_id) > 100 or (wanted and wanted not in doc_id and wanted not in label.lower()):
                continue
            choices.append(app_commands.Choice(name=truncate(f"{doc_id} — {label}" if label != doc_id else doc_id, 100), value=doc_id))
            if len(choices) >= MAX_CHOICES:
                break
        return choices

    @app_commands.command(name="status", description="Show the index version, documents, model and last errors")
    @is_moderator()
    async def status(self, interaction: discord.Interaction[VerbatimBot]) -> None:
        locale = interaction.locale
        guild_id = self.guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)

        def collect() -> tuple[dict[str, Any] | None, dict[str, Any], list[AuditEntry]]:
            own = self.bot.tenants.serving(guild_id)
            space = self.bot.tenants.space(guild_id)
            base = self.bot.verbatim.loaded
            shared = {"version": base.version, "documents": len(base.documents)}
            return (space.status() if own is not None else None), shared, self.bot.store.failed_actions(5, guild_id=guild_id)

        status, shared, failed_actions = await self.bot.run_blocking(collect)
        embed = discord.Embed(title=t(locale, "kb.status.title"), colour=COLOR_INFO)
        if status is None:
            embed.description = t(locale, "kb.status.no_own")
        else:
            embed.add_field(name=t(locale, "kb.status.version"), value=f"`{status['version']}`", inline=False)
            built_at = status.get("built_at") or ""
            try:
                built_when = format_dt(datetime.fromisoformat(built_at), "f")
            except ValueError:
                built_when = escape_markdown(built_at) or "—"
            embed.add_field(
                name=t(locale, "kb.status.built"),
                value=t(locale, "kb.status.built_value", when=built_when, user=escape_markdown(status.get("built_by") or "—")),
                inline=False,
            )
            embed.add_field(
                name=t(locale, "kb.status.contents"),
                value=t(locale, "kb.status.contents_value", documents=status["documents"], passages=status["passages"]),
                inline=True,
            )
            embed.add_field(name=t(locale, "kb.status.model"), value=f"`{status['model']}` · `{status['backend']}`", inline=True)
            embed.add_field(
                name=t(locale, "kb.status.previous"),
                value=f"`{status['previous_version']}`" if status.get("previous_version") else t(locale, "kb.status.none"),
                inline=True,
            )
        embed.add_field(
            name=t(locale, "kb.status.base"),
            value=t(locale, "kb.status.base_value", version=shared["version"], documents=shared["documents"]),
            inline=False,
        )
        build = self.bot.tenants.space(guild_id).build_status
        if build is not None:
            stage_key = f"kb.stage.{build.stage}"
            value = t(
                locale,
                "kb.status.running_value",
                user=escape_markdown(build.started_by),
                when=when_text(build.started_at),
                stage=t(locale, stage_key) if stage_key in STRINGS else build.stage,
                done=build.done,
                total=build.total,
            )
            embed.add_field(name=t(locale, "kb.status.running"), value=value, inline=False)
        errors = [f"`{escape_markdown(f['source_file'])}`: {escape_markdown(f['reason'])}" for f in (status or {}).get("failures") or []]
        errors += [
            f"{escape_markdown(e.created_at)} /kb {e.action} {escape_markdown(e.target)}: {escape_markdown(e.result)}"
            for e in failed_actions
        ]
        embed.add_field(name=t(locale, "kb.status.errors"), value=fit_lines(errors) or t(locale, "kb.status.none"), inline=False)
        await interaction.followup.send(embed=fit_embed(embed), ephemeral=True, allowed_mentions=NO_PINGS)
        await self.audit(interaction, "status", "", "ok")

    @app_commands.command(name="rollback", description="Serve the previous index version again")
    @is_moderator()
    async def rollback(self, interaction: discord.Interaction[VerbatimBot]) -> None:
        locale = interaction.locale
        if await self.refuse_change(interaction, "rollback") or await self.refuse_if_busy(interaction, "rollback"):
            return
        space = self.space(interaction)
        self.begin(interaction, "rollback")
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
            current = space.store.current_path()
            previous = current.name if current is not None else "—"
            try:
                version = await self.bot.run_blocking(space.rollback)
            except BuildInProgress:
                await self.reply(interaction, embed=self.busy_embed(locale, self.running_build(space.guild_id)))
                await self.audit(interaction, "rollback", "", "refused: a build is running")
                return
            except IndexMissing:
                await self.reply(interaction, embed=error_embed(locale, t(locale, "kb.rollback.none")))
                await self.audit(interaction, "rollback", "", "refused: no previous version")
                return
            finally:
                await self.bot.run_blocking(self.bot.tenants.changed, space.guild_id)
            embed = discord.Embed(
                title=t(locale, "kb.rollback.title"),
                description=t(locale, "kb.rollback.done", version=version, previous=previous),
                colour=COLOR_ANSWER,
            )
            await self.reply(interaction, embed=fit_embed(embed))
            await self.audit(interaction, "rollback", previous, f"ok: version {version}")
        finally:
            self.end(interaction)
