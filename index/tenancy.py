"""Guilds are tenants: the operator's shared base index plus each guild's own documents, loaded lazily, LRU-evicted.

Layout under the data directory::

    guilds/<guild id>/knowledge/   the guild's own documents (added and removed by its moderators with /kb)
    guilds/<guild id>/index/       their index versions, with current/previous links (index/store.py)

A question asked in a guild is answered from the base index and from that guild's index separately, and the two
Answers are merged (`merge_answers`); the base index is loaded once and shared by every guild. DMs and
user-installed contexts see the base only. Guild builds run in a limited child process (index/sandbox.py).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from index.answer import Answerer, citation_for
from index.builder import BuildProgress
from index.config import Settings
from index.embeddings import Embedder
from index.errors import VerbatimError
from index.models import Answer, BuildReport, Citation, DocumentMeta, Passage
from index.sandbox import BuildLimits, build_isolated
from index.service import PassageContext, Verbatim, passage_context
from index.store import LoadedIndex

log = logging.getLogger(__name__)

MAX_SNOWFLAKE = 2**63 - 1
# Memory of one loaded guild index: its FAISS file, plus IN_MEMORY_FACTOR times its passages, units and texts on disk
# (str objects, BM25, the glossary of the CC-CEDICT words in the text, the Sino-Korean readings), plus a constant.
# Calibrated with bench/guilds.py: a guild holding the article (37.6 KB of those files, 19 passages of Chinese) adds
# 1.93 MB of RSS, estimated 1.98 MB; a one-passage English note adds ~26 KB, estimated ~110 KB (on the safe side).
GUILD_INDEX_OVERHEAD_BYTES = 64 * 1024
IN_MEMORY_FACTOR = 48


class InvalidGuild(VerbatimError):
    """Not a Discord guild id (a positive 64-bit snowflake)."""


def guild_root(guilds_dir: Path, guild_id: object) -> Path:
    """`guilds_dir/<guild id>`, for a real snowflake only, so no id can name a path outside `guilds_dir`."""
    if isinstance(guild_id, bool) or not isinstance(guild_id, int) or not 0 < guild_id <= MAX_SNOWFLAKE:
        raise InvalidGuild(f"not a guild id: {guild_id!r}")
    root = Path(guilds_dir) / str(guild_id)
    if root.resolve().parent != Path(guilds_dir).resolve():
        raise InvalidGuild(f"guild directory {root} would leave {guilds_dir}")
    return root


class AnswersQuestions(Protocol):
    """The base service as the library uses it (a Verbatim, or a test stand-in wrapping one)."""

    settings: Settings

    def ask(self, question: str, k: int = 3) -> Answer: ...

    def find_passage(self, passage_id: str) -> Passage | None: ...

    def citation(self, passage: Passage) -> Citation: ...

    def context(self, passage_id: str) -> PassageContext | None: ...

    def sources(self) -> list[DocumentMeta]: ...

    def embedder_for(self, model: str, backend: str) -> Embedder: ...

    @property
    def loaded(self) -> LoadedIndex: ...


class GuildKnowledge(Verbatim):
    """One guild's own documents and index versions; its builds run in a limited child process."""

    def __init__(self, settings: Settings, guild_id: int, embedder: Embedder | None) -> None:
        root = guild_root(settings.guilds_dir, guild_id)
        own = settings.model_copy(update={"knowledge_dir": root / "knowledge", "index_dir": root / "index"})
        super().__init__(own, embedder=embedder)
        self.guild_id = guild_id
        self.root = root
        self.footprint = 0
        self.load_seconds = 0.0
        self.load_lock = threading.Lock()

    @property
    def limits(self) -> BuildLimits:
        s = self.settings
        return BuildLimits(s.build_cpu_seconds, s.build_timeout_seconds, s.build_memory_mb, s.max_pdf_pages, s.max_document_passages)

    def _run_build(self, progress: BuildProgress, built_by: str) -> BuildReport:
        s = self.settings
        # The base's model and backend, so the guild's vectors are comparable with the shared query embedder.
        model, backend = (self._embedder.model, self._embedder.backend) if self._embedder is not None else (s.model, s.embedding_backend)
        return build_isolated(
            s.knowledge_dir,
            s.index_dir,
            model=model,
            backend=backend,
            built_by=built_by,
            limits=self.limits,
            max_document_bytes=s.max_upload_bytes,
            progress=progress,
        )

    def load(self) -> LoadedIndex:
        started = time.perf_counter()
        loaded = super().load()
        self.load_seconds = time.perf_counter() - started
        self.footprint = estimate_footprint(loaded)
        return loaded

    def document_bytes(self) -> int:
        """Bytes of the guild's documents on disk (for the per-guild quota)."""
        folder = self.settings.knowledge_dir
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def estimate_footprint(loaded: LoadedIndex) -> int:
    """Bytes one loaded index is taken to use: its text files several times over, its vectors once, plus overhead."""
    text = 0
    vectors = 0
    for path in Path(loaded.path).rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".faiss":
            vectors += path.stat().st_size
        elif path.suffix in (".jsonl", ".txt"):
            text += path.stat().st_size
    return IN_MEMORY_FACTOR * text + vectors + GUILD_INDEX_OVERHEAD_BYTES


def _quote_score(answer: Answer) -> float:
    if answer.quote is None:
        return -math.inf
    wanted = answer.quote.passage.id
    return next(
        (sp.score for sp in answer.passages if sp.passage.id == wanted), max((sp.score for sp in answer.passages), default=-math.inf)
    )


def _top_score(answer: Answer) -> float:
    return max((sp.score for sp in answer.passages), default=-math.inf)


def merge_answers(base: Answer, own: Answer, k: int = 3) -> Answer:
    """One Answer from the base's and a guild's: an answer beats a refusal, then the higher-scoring quote passage wins.

    Passages of both are merged by score (the winner's quote passage first). Scores come from two indexes whose
    lexical part is normalised within each, so they are compared only to choose, never shown as one scale.
    """
    if base.answered != own.answered:
        winner = base if base.answered else own
    elif base.answered:
        winner = own if _quote_score(own) > _quote_score(base) else base
    else:
        winner = own if _top_score(own) > _top_score(base) else base
    passages = sorted([*base.passages, *own.passages], key=lambda sp: -sp.score)
    if winner.quote is not None:
        quoted = winner.quote.passage.id
        passages.sort(key=lambda sp: sp.passage.id != quoted)
    timings = dict(winner.timings_ms)
    timings["total"] = base.timings_ms.get("total", 0.0) + own.timings_ms.get("total", 0.0)
    return replace(winner, passages=tuple(passages[:k]), timings_ms=timings)


@dataclass
class KnowledgeView:
    """What one guild sees: the shared base plus, if it has any, its own index (held for this view's lifetime)."""

    base: AnswersQuestions
    own: Answerer | None = None
    guild_id: int | None = None

    def ask(self, question: str, k: int = 3) -> Answer:
        answer = self.base.ask(question, k=k)
        if self.own is None:
            return answer
        return merge_answers(answer, self.own.answer(question, k=k), k)

    def _own_passage(self, passage_id: str) -> Passage | None:
        if self.own is None:
            return None
        loaded = self.own.loaded
        position = loaded.position.get(passage_id.strip().lower())
        return None if position is None else loaded.passages[position]

    def find_passage(self, passage_id: str) -> Passage | None:
        return self.base.find_passage(passage_id) or self._own_passage(passage_id)

    def citation(self, passage: Passage) -> Citation:
        if self.own is not None and self.base.find_passage(passage.id) is None and passage.doc_id in self.own.loaded.documents:
            return citation_for(self.own.loaded, passage)
        return self.base.citation(passage)

    def context(self, passage_id: str) -> PassageContext | None:
        found = self.base.context(passage_id)
        if found is None and self.own is not None:
            found = passage_context(self.own.loaded, passage_id)
        return found

    def indexes(self) -> list[LoadedIndex]:
        """The loaded indexes this view answers from: the base first."""
        return [self.base.loaded] + ([self.own.loaded] if self.own is not None else [])

    def sources(self) -> list[DocumentMeta]:
        own = sorted(self.own.loaded.documents.values(), key=lambda m: m.doc_id) if self.own is not None else []
        return self.base.sources() + own

    @property
    def version(self) -> str:
        """The base version, and the guild's after a '+' when it has one."""
        return "+".join(loaded.version for loaded in self.indexes())


class GuildLibrary:
    """The base service plus one GuildKnowledge per guild; loaded guild indexes stay within a memory budget (LRU)."""

    def __init__(self, settings: Settings, base: AnswersQuestions, *, budget_bytes: int | None = None) -> None:
        self.settings = settings
        self.base = base
        self.budget_bytes = budget_bytes if budget_bytes is not None else settings.guild_index_budget_mb * 1024 * 1024
        self._lock = threading.Lock()
        self._spaces: dict[int, GuildKnowledge] = {}
        self._loaded: OrderedDict[int, int] = OrderedDict()  # guild id -> estimated bytes, least recently used first
        self.evictions = 0

    def _embedder(self) -> Embedder | None:
        try:
            manifest = self.base.loaded.manifest
        except VerbatimError:
            return None
        return self.base.embedder_for(manifest.model, manifest.backend)

    def space(self, guild_id: int) -> GuildKnowledge:
        """The guild's own knowledge (created on first use; its index is not loaded by this)."""
        with self._lock:
            space = self._spaces.get(guild_id)
            if space is None:
                space = self._spaces[guild_id] = GuildKnowledge(self.settings, guild_id, self._embedder())
            return space

    def serving(self, guild_id: int) -> Answerer | None:
        """The guild's loaded index (loading it, and evicting others, if needed), or None if it has none."""
        space = self.space(guild_id)
        with space.load_lock:
            if not space.is_loaded:
                if not space.store.exists():
                    return None
                space.load()
                log.info("loaded guild %s's index in %.2f s (about %.1f MB)", guild_id, space.load_seconds, space.footprint / 1e6)
            answerer = space.answerer
            self._touch(guild_id, space.footprint)
        return answerer

    def _touch(self, guild_id: int, footprint: int) -> None:
        with self._lock:
            self._loaded[guild_id] = footprint
            self._loaded.move_to_end(guild_id)
            total = sum(self._loaded.values())
            for other in list(self._loaded):
                if total <= self.budget_bytes:
                    break
                space = self._spaces[other]
                if other == guild_id or space.build_status is not None:
                    continue
                space.unload()  # questions already holding its Answerer finish with it
                total -= self._loaded.pop(other)
                self.evictions += 1
                log.info("evicted guild %s's index (least recently used; budget %.0f MB)", other, self.budget_bytes / 1e6)

    def changed(self, guild_id: int) -> None:
        """After a build, rollback or removal: re-count the guild's loaded size (it may have been reloaded)."""
        space = self.space(guild_id)
        with self._lock:
            if not space.is_loaded:
                self._loaded.pop(guild_id, None)
                return
        self._touch(guild_id, estimate_footprint(space.loaded))

    def view(self, guild_id: int | None) -> KnowledgeView:
        """What a question asked in `guild_id` (None: a DM or user-installed context) is answered from. Blocking."""
        if guild_id is None:
            return KnowledgeView(self.base)
        return KnowledgeView(self.base, self.serving(guild_id), guild_id)

    def loaded_guilds(self) -> list[int]:
        with self._lock:
            return list(self._loaded)

    def loaded_bytes(self) -> int:
        with self._lock:
            return sum(self._loaded.values())

    def refresh(self) -> list[tuple[int, str]]:
        """Serve guild versions another process swapped in; returns (guild id, version) picked up."""
        picked: list[tuple[int, str]] = []
        for guild_id in self.loaded_guilds():
            space = self.space(guild_id)
            try:
                version = space.refresh_if_changed()
            except VerbatimError as exc:
                log.error("could not reload guild %s's index (%s); still serving the old one", guild_id, exc)
                continue
            if version is not None:
                picked.append((guild_id, version))
                self.changed(guild_id)
        return picked
