"""The Verbatim service: one object that owns the index, the model and answers; built once, shared by CLI and bot."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss

from index.answer import Answerer, citation_for
from index.builder import BuildProgress, build_index
from index.config import Settings
from index.crosslingual import Glossary, language_resources
from index.embeddings import Embedder, load_embedder
from index.errors import BuildInProgress, IndexMissing
from index.models import Answer, BuildReport, Citation, DocumentMeta, Paragraph, Passage
from index.params import DEFAULT_PARAMS, RetrievalParams
from index.search import Retriever
from index.store import IndexStore, LoadedIndex

log = logging.getLogger(__name__)


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
        """Load the current index version and the embedder that built it."""
        loaded = self.store.load()
        embedder = self.embedder_for(loaded.manifest.model, loaded.manifest.backend)
        params = RetrievalParams.from_dict(loaded.manifest.retrieval) if loaded.manifest.retrieval else DEFAULT_PARAMS
        self._answerer = Answerer(Retriever(loaded, embedder, params=params))
        log.info(
            "serving index %s (%d passages, %s via %s)",
            loaded.version,
            len(loaded.passages),
            loaded.manifest.model,
            loaded.manifest.backend,
        )
        return loaded

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
            "retrieval_params": self.answerer.retriever.params.fingerprint,
            "failures": manifest.failures,
            "previous_version": previous.name if (previous := self.store.previous_path()) else None,
            "build_running": self.build_status is not None,
            "language_resources": language_resources(),
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
    text = loaded.texts[passage.doc_id][start:end]
    paragraph = Paragraph(passage.paragraph, text, start, end, passage.section, siblings[0].page_start, siblings[-1].page_end)
    return PassageContext(passage, paragraph, citation_for(loaded, passage))


def _same_paragraph(a: Passage, b: Passage) -> bool:
    return a.doc_id == b.doc_id and a.paragraph == b.paragraph
