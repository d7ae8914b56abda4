"""The Verbatim service: one object that owns the index, the model and answers; built once, shared by CLI and bot."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss

from index.answer import Answerer, citation_for
from index.builder import BuildProgress, build_index, build_lock
from index.config import Settings
from index.crosslingual import Glossary, language_resources
from index.embeddings import Embedder, load_embedder
from index.errors import BuildInProgress, IndexCorrupt, IndexError_, IndexMissing
from index.models import Answer, BuildReport, Citation, DocumentMeta, Paragraph, Passage
from index.params import DEFAULT_PARAMS, RetrievalParams
from index.search import Retriever
from index.store import FORMAT_VERSION, IndexStore, LoadedIndex

log = logging.getLogger(__name__)

KEEP_FALLBACKS = 3  # damaged versions in a row `wait_for_integrity` follows


@dataclass
class BuildStatus:
    """The build running in this process, if any: who started it, when, and how far it got."""

    started_by: str
    started_at: datetime
    stage: str = "starting"
    done: int = 0
    total: int = 0


@dataclass
class PassageContext:
    """A passage with the whole paragraph around it and its citation."""

    passage: Passage
    paragraph: Paragraph
    citation: Citation


class Verbatim:
    """Answers questions from the on-disk index; thread-safe for concurrent asks during one build."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.store = IndexStore(settings.index_dir)
        faiss.omp_set_num_threads(settings.threads)
        self._embedder = embedder
        self._embedder_lock = threading.Lock()
        self._answerer: Answerer | None = None
        self._build_lock = threading.Lock()
        self.build_status: BuildStatus | None = None
        self._last_seen_current: Path | None = None
        self.last_build: BuildReport | None = None
        # Damage found by the background checksum checks (newest last), and why nothing is served if it came to that.
        self.integrity_problems: list[str] = []
        self._refused: str = ""

    # -- loading -------------------------------------------------------------------------------

    def embedder_for(self, model: str, backend: str) -> Embedder:
        """The embedder for a model and backend, loaded once and reused."""
        with self._embedder_lock:
            current = self._embedder
            if current is not None and current.model == model and backend in ("auto", current.backend):
                return current
            self._embedder = load_embedder(model, backend, threads=self.settings.threads)
            return self._embedder

    def load(self) -> LoadedIndex:
        """Load the current index version and the embedder that built it.

        A version of an older format is rewritten in this format first (every vector reused), then served.
        """
        loaded = self.store.load()
        if loaded.outdated:
            loaded = self._upgrade(loaded)
        embedder = self.embedder_for(loaded.manifest.model, loaded.manifest.backend)
        params = RetrievalParams.from_dict(loaded.manifest.retrieval) if loaded.manifest.retrieval else DEFAULT_PARAMS
        self._answerer = Answerer(Retriever(loaded, embedder, params=params))
        self._refused = ""
        if loaded.integrity is not None:
            loaded.integrity.on_damage(lambda problem: self._on_damage(loaded, problem))
        log.info(
            "serving index %s (%d passages, %s via %s)",
            loaded.version,
            len(loaded.passages),
            loaded.manifest.model,
            loaded.manifest.backend,
        )
        return loaded

    def _upgrade(self, loaded: LoadedIndex) -> LoadedIndex:
        """Rewrite an older-format version in this format (no model, nothing re-embedded) and load the new one."""
        log.warning(
            "index version %s is stored in format %d; this Verbatim serves format %d: rewriting it as a new version "
            "(every vector reused, nothing re-embedded)",
            loaded.version,
            loaded.manifest.format_version,
            FORMAT_VERSION,
        )
        try:
            with build_lock(self.store.root):
                upgraded = self.store.upgrade(loaded)
        except (BuildInProgress, IndexError_, OSError) as exc:
            # Still readable as it is: served from memory until the running build (or the next start) replaces it.
            log.error("index version %s could not be rewritten (%s); serving it in the old format for now", loaded.version, exc)
            return loaded
        log.warning("index version %s (format %d) replaces %s", upgraded.name, FORMAT_VERSION, loaded.version)
        return self.store.load()

    def _on_damage(self, loaded: LoadedIndex, problem: str) -> None:
        """The background check found `loaded` damaged: stop serving it (in a thread of its own, see `_replace_damaged`)."""
        self.integrity_problems = [*self.integrity_problems[-9:], f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC {problem}"]
        # Called from the checking thread, or from `load` itself when the check was already over: the swap waits for
        # whatever holds the build lock (a build or a load) to finish.
        threading.Thread(target=self._replace_damaged, args=(loaded,), name="replace-damaged-index", daemon=True).start()

    def _replace_damaged(self, loaded: LoadedIndex) -> None:
        """Serve the version `store.load` falls back to instead of the damaged `loaded`, or nothing if there is none."""
        with self._build_lock:
            if self._answerer is None or self._answerer.loaded is not loaded:
                return  # no longer served (a build or a reload replaced it meanwhile)
            self._last_seen_current = self.store.current_path()  # not retried by `refresh_if_changed`
            try:
                fallback = self.load()
            except IndexError_ as exc:
                self._answerer = None
                self._refused = f"index version {loaded.version} is damaged and no other version can be served ({exc})"
                log.error("stopped serving index version %s: %s", loaded.version, self._refused)
                return
            log.error("stopped serving the damaged index version %s; serving %s instead", loaded.version, fallback.version)

    def wait_for_integrity(self, timeout: float = 300.0) -> str:
        """Wait for the served version's background check (and the check of any version it fell back to); returns its state."""
        deadline = time.monotonic() + timeout
        state = "not checked"
        for _ in range(KEEP_FALLBACKS):
            if self._answerer is None:
                return "damaged" if self._refused else state
            integrity = self.loaded.integrity
            if integrity is None:
                return "not checked"
            state = integrity.wait(max(0.0, deadline - time.monotonic()))
            if state != "damaged":
                return state
            # A damaged version is replaced by the listener, in the checking thread: wait for that swap.
            while self._answerer is not None and self._answerer.loaded.integrity is integrity and time.monotonic() < deadline:
                time.sleep(0.05)
            # The answerer changes inside the replacing thread's load, which still holds the build lock until it has
            # said what it did: wait for that too, or a caller may see the new version before the log line about it.
            if self._build_lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
                self._build_lock.release()
        return state

    def ensure_ready(self, progress: BuildProgress | None = None) -> BuildReport | None:
        """Load the index, building it first if there is none."""
        report = None
        if not self.store.exists():
            log.info("no index at %s: building it from %s", self.settings.index_dir, self.settings.knowledge_dir)
            report = self.build(progress=progress, built_by="first start")
        if self._answerer is None:
            self.load()
        return report

    @property
    def answerer(self) -> Answerer:
        if self._answerer is None:
            if self._refused:
                raise IndexCorrupt(self._refused)
            raise IndexMissing()
        return self._answerer

    @property
    def loaded(self) -> LoadedIndex:
        return self.answerer.loaded

    # -- questions -----------------------------------------------------------------------------

    @property
    def glossary(self) -> Glossary:
        """The names and words of the served documents (the translation check reads their renderings)."""
        return self.answerer.retriever.glossary

    def ask(self, question: str, k: int = 3) -> Answer:
        return self.answerer.answer(question, k=k)

    def dense_ranking(self, question: str, k: int = 3) -> list[Passage]:
        """Passages ranked by dense similarity alone (the evaluation's baseline)."""
        from index.answer import clean_question

        return self.answerer.retriever.dense_ranking(clean_question(question), k)

    def find_passage(self, passage_id: str) -> Passage | None:
        loaded = self.loaded
        position = loaded.position.get(passage_id.strip().lower())
        return None if position is None else loaded.passages[position]

    def citation(self, passage: Passage) -> Citation:
        return citation_for(self.loaded, passage)

    def context(self, passage_id: str) -> PassageContext | None:
        """The whole paragraph a passage belongs to (from the stored cleaned text)."""
        return passage_context(self.loaded, passage_id)

    def refresh_if_changed(self) -> str | None:
        """Serve the current version if another process (e.g. `verbatim build`) swapped one in; returns it, or None."""
        if self._answerer is None or self.build_status is not None:
            return None
        current = self.store.current_path()
        # A `current` already tried (e.g. damaged, so `load` fell back to `previous`) is not reloaded every round.
        if current is None or current in (Path(self.loaded.path).resolve(), self._last_seen_current):
            return None
        if not self._build_lock.acquire(blocking=False):
            return None
        try:
            self._last_seen_current = current
            version = self.load().version
        finally:
            self._build_lock.release()
        log.info("picked up index version %s built by another process", version)
        return version

    def sources(self) -> list[DocumentMeta]:
        return sorted(self.loaded.documents.values(), key=lambda m: m.doc_id)

    # -- maintenance ---------------------------------------------------------------------------

    def build(self, progress: BuildProgress | None = None, built_by: str = "") -> BuildReport:
        """Build or refresh the index and start serving it; questions keep using the old one meanwhile."""
        if not self._build_lock.acquire(blocking=False):
            status = self.build_status
            who = f" by {status.started_by} at {status.started_at:%H:%M:%S} UTC" if status else ""
            raise BuildInProgress(f"A reindex is already running (started{who}).")
        self.build_status = BuildStatus(started_by=built_by or "unknown", started_at=datetime.now(UTC))

        def track(stage: str, done: int, total: int) -> None:
            if self.build_status is not None:
                self.build_status.stage, self.build_status.done, self.build_status.total = stage, done, total
            if progress is not None:
                progress(stage, done, total)

        try:
            report = self._run_build(track, built_by)
            if self._answerer is not None and not report.skipped_write:
                self.load()
            self.last_build = report
            return report
        finally:
            self.build_status = None
            self._build_lock.release()

    def _run_build(self, progress: BuildProgress, built_by: str) -> BuildReport:
        """The build itself, in this process (the operator's own documents are trusted)."""
        return build_index(
            self.settings.knowledge_dir,
            self.store,
            lambda: self.embedder_for(self.settings.model, self.settings.embedding_backend),
            model=self.settings.model,
            backend=self.settings.embedding_backend,
            progress=progress,
            built_by=built_by,
        )

    def unload(self) -> None:
        """Stop holding the loaded index (a later question or `load` reads it again)."""
        self._answerer = None

    @property
    def is_loaded(self) -> bool:
        return self._answerer is not None

    def rollback(self) -> str:
        """Serve the previous index version again; returns its version id."""
        if not self._build_lock.acquire(blocking=False):
            raise BuildInProgress("A reindex is running; roll back after it ends.")
        try:
            self.store.rollback()
            return self.load().version
        finally:
            self._build_lock.release()

    def status(self) -> dict[str, Any]:
        if self._answerer is None and self._refused:
            return {"version": None, "integrity": "damaged", "integrity_problems": self.integrity_problems, "refused": self._refused}
        loaded = self.loaded
        manifest = loaded.manifest
        return {
            "version": manifest.version,
            "built_at": manifest.built_at,
            "built_by": manifest.built_by,
            "documents": len(manifest.documents),
            "passages": manifest.passage_count,
            "units": len(loaded.units),
            "model": manifest.model,
            "backend": manifest.backend,
            "dimension": manifest.dimension,
            "index_type": manifest.index_type,
            # The second encoder's model, when this version holds its vectors and the ranking blends them in.
            "second_encoder": manifest.second_model
            if self.answerer.retriever.second is not None and self.answerer.retriever.params.second_encoder_weight > 0
            else None,
            "retrieval_params": self.answerer.retriever.params.fingerprint,
            "failures": manifest.failures,
            "previous_version": previous.name if (previous := self.store.previous_path()) else None,
            "build_running": self.build_status is not None,
            "language_resources": language_resources(),
            "format": manifest.format_version,
            "integrity": loaded.integrity.state if loaded.integrity is not None else "not checked",
            "integrity_problems": self.integrity_problems,
        }


def passage_context(loaded: LoadedIndex, passage_id: str) -> PassageContext | None:
    """The whole paragraph a passage of `loaded` belongs to (from the stored cleaned text), or None."""
    position = loaded.position.get(passage_id.strip().lower())
    if position is None:
        return None
    passage = loaded.passages[position]
    # Passages are stored in reading order, so a paragraph's passages sit next to each other.
    first = last = position
    while first > 0 and _same_paragraph(loaded.passages[first - 1], passage):
        first -= 1
    while last + 1 < len(loaded.passages) and _same_paragraph(loaded.passages[last + 1], passage):
        last += 1
    siblings = loaded.passages[first : last + 1]
    start = min(p.start for p in siblings)
    end = max(p.end for p in siblings)
    text = loaded.texts.slice(passage.doc_id, start, end)
    paragraph = Paragraph(passage.paragraph, text, start, end, passage.section, siblings[0].page_start, siblings[-1].page_end)
    return PassageContext(passage, paragraph, citation_for(loaded, passage))


def _same_paragraph(a: Passage, b: Passage) -> bool:
    return a.doc_id == b.doc_id and a.paragraph == b.paragraph
