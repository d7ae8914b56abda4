"""Incremental builds: read knowledge/, re-embed only what changed, write a new version, swap it in."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.chunking import passages_for
from index.embeddings import Embedder
from index.errors import BuildInProgress, DocumentError, IndexError_
from index.loaders import INGEST_VERSION, MAX_DOCUMENT_BYTES, SourceFile, content_hash, discover, load_document
from index.models import BuildReport, CleanDocument, DocumentFailure, Passage
from index.params import DEFAULT_PARAMS, RetrievalParams
from index.search_tables import CarriedUnits
from index.second_encoder import SECOND_MODEL, get_second_encoder
from index.store import IndexStore, LoadedIndex, Manifest, choose_index_type, new_version_id
from index.units import Unit, embedding_input, input_key, units_for

log = logging.getLogger(__name__)

# stage ("reading", "embedding", "second-encoder", "writing"), done, total
BuildProgress = Callable[[str, int, int], None]


@contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """One build at a time per index directory, across threads and processes."""
    root.mkdir(parents=True, exist_ok=True)
    handle = (root / ".build.lock").open("a+")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildInProgress("Another build of this index is running.") from None
        yield
    finally:
        handle.close()


def _previous(store: IndexStore) -> LoadedIndex | None:
    if not store.exists():
        return None
    try:
        return store.load()
    except IndexError_ as exc:
        log.warning("previous index unusable (%s): building from scratch", exc)
        return None


class _PreviousDamaged(Exception):
    """The version a build took passages and vectors from was found damaged by its background check."""


def build_index(
    knowledge_dir: Path,
    store: IndexStore,
    get_embedder: Callable[[], Embedder],
    *,
    model: str,
    backend: str,
    progress: BuildProgress | None = None,
    built_by: str = "",
    max_document_bytes: int = MAX_DOCUMENT_BYTES,
    params: RetrievalParams = DEFAULT_PARAMS,
) -> BuildReport:
    """Build or refresh the index; embeds only passages whose text is new to the previous version.

    `get_embedder` is called only if something must be embedded, so a no-change rebuild loads no model. Should the
    previous version turn out damaged (its checksums are verified in the background while this build reads and
    embeds), nothing taken from it is published: the build starts again from the version the store now falls back to.
    """

    def attempt() -> BuildReport:
        return _build(
            knowledge_dir,
            store,
            get_embedder,
            model=model,
            backend=backend,
            progress=progress,
            built_by=built_by,
            max_document_bytes=max_document_bytes,
            params=params,
        )

    problem = ""
    for _ in range(_DAMAGED_RETRIES):
        try:
            return attempt()
        except _PreviousDamaged as exc:
            problem = str(exc)
            log.error("%s; nothing taken from it was published, building again", problem)
    raise IndexError_(f"The index versions this build could start from are damaged ({problem}); nothing was published.")


_DAMAGED_RETRIES = 3  # the current version damaged, then the previous one too, then from scratch


def _build(
    knowledge_dir: Path,
    store: IndexStore,
    get_embedder: Callable[[], Embedder],
    *,
    model: str,
    backend: str,
    progress: BuildProgress | None,
    built_by: str,
    max_document_bytes: int,
    params: RetrievalParams,
) -> BuildReport:
    started = time.perf_counter()
    report = BuildReport()
    stages = _Stopwatch(report)
    with build_lock(store.root):
        previous = _previous(store)
        previous_docs = previous.manifest.documents if previous else {}
        report.passages_before = previous.manifest.passage_count if previous else 0
        # Passages of a document whose bytes, metadata file and ingestion rules are unchanged are taken from the
        # previous version instead of parsing and chunking it again.
        can_reuse = previous is not None and previous.manifest.ingest_version == INGEST_VERSION
        stages.lap("load previous")

        # Documents already indexed are read first, so a new file with the same content never displaces them.
        sources = sorted(discover(knowledge_dir), key=lambda source: source.doc_id not in previous_docs)
        documents: list[_Document] = []
        seen_hashes: dict[str, str] = {}
        seen_ids: set[str] = set()
        for number, source in enumerate(sources, 1):
            if progress:
                progress("reading", number - 1, len(sources))
            before = previous_docs.get(source.doc_id)
            fingerprint = _fingerprint(source, max_document_bytes) if can_reuse and before is not None else None
            doc: _Document
            if before is not None and fingerprint == (before["hash"], before.get("meta_file")):
                doc = _Document(source.doc_id, before["hash"], fingerprint[1], before["meta"], None)
            else:
                try:
                    clean = load_document(source, max_bytes=max_document_bytes)
                except DocumentError as exc:
                    report.failed.append(DocumentFailure(source.path.name, str(exc)))
                    log.warning("skipped %s: %s", source.path.name, exc)
                    continue
                doc = _Document(clean.meta.doc_id, clean.content_hash, _meta_file_hash(source), clean.meta.to_dict(), clean)
            if doc.content_hash in seen_hashes:
                reason = f"it has the same content as {seen_hashes[doc.content_hash]}"
                report.failed.append(DocumentFailure(source.path.name, reason))
                log.warning("skipped %s: %s", source.path.name, reason)
                continue
            if doc.doc_id in seen_ids:
                reason = f"another file already has the document id {doc.doc_id!r}"
                report.failed.append(DocumentFailure(source.path.name, reason))
                continue
            seen_hashes[doc.content_hash] = source.path.name
            seen_ids.add(doc.doc_id)
            documents.append(doc)
        if progress:
            progress("reading", len(sources), len(sources))

        for doc in documents:
            before = previous_docs.get(doc.doc_id)
            if before is None:
                report.added.append(doc.doc_id)
            elif before["hash"] != doc.content_hash or before["meta"] != doc.meta:
                report.changed.append(doc.doc_id)
            else:
                report.unchanged.append(doc.doc_id)
        current_ids = {doc.doc_id for doc in documents}
        report.removed = sorted(set(previous_docs) - current_ids)
        stages.lap("read and parse")

        # The backend is fixed by the previous version when the model is the same, so queries stay consistent.
        same_model = previous is not None and previous.manifest.model == model and backend in ("auto", previous.manifest.backend)
        if (
            previous is not None
            and same_model
            and not report.added
            and not report.changed
            and not report.removed
            and [f.__dict__ for f in report.failed] == previous.manifest.failures
            and previous.manifest.retrieval == params.to_dict()
            and previous.manifest.ingest_version == INGEST_VERSION
            and previous.manifest.second_model == SECOND_MODEL
        ):
            report.passages_after = previous.manifest.passage_count
            report.version = previous.version
            report.skipped_write = True
            report.seconds = time.perf_counter() - started
            log.info("index unchanged (%s); nothing embedded", previous.version)
            return report

        old = _PreviousParts(previous, {doc.doc_id for doc in documents if doc.clean is None}) if previous is not None else None
        passages: list[Passage] = []
        units: list[Unit] = []
        keys: list[str] = []
        # Row of each unit in the previous version's vectors when the unit was taken over with its document.
        carried: dict[int, int] = {}
        texts: dict[str, str] = {}
        doc_passage_counts: dict[str, int] = {}
        for doc in documents:
            offset = len(passages)
            if doc.clean is None and old is not None:
                doc_passages, doc_units, doc_keys, rows = old.parts_of(doc.doc_id, offset)
                carried.update({len(units) + i: row for i, row in enumerate(rows)})
                texts[doc.doc_id] = old.text(doc.doc_id)
            else:
                assert doc.clean is not None
                doc_passages = passages_for(doc.clean)
                doc_units = [Unit(u.passage + offset, u.start, u.end) for u in units_for(doc_passages)]
                doc_keys = [input_key(embedding_input(doc_passages[u.passage - offset], u)) for u in doc_units]
                texts[doc.doc_id] = doc.clean.text
            passages.extend(doc_passages)
            units.extend(doc_units)
            keys.extend(doc_keys)
            doc_passage_counts[doc.doc_id] = len(doc_passages)
        stages.lap("chunk")
        # Token rows of the search tables depend on a unit's text only: they are taken over whatever the model.
        unit_sources = np.full(len(units), -1, dtype=np.int64)
        if carried:
            unit_sources[np.fromiter(carried.keys(), dtype=np.int64)] = np.fromiter(carried.values(), dtype=np.int64)
        carried_units = CarriedUnits(previous.path, unit_sources) if previous is not None and carried else None

        reusable: dict[str, int] = {}
        old_vectors = None
        if previous is not None and same_model:
            old_vectors = previous.embeddings()
            reusable = {key: row for row, key in enumerate(previous.unit_keys)}
        else:
            carried = {}
        missing = [i for i, key in enumerate(keys) if i not in carried and key not in reusable]
        stages.lap("reuse vectors")

        embedder: Embedder | None = None
        if missing or previous is None:
            # Nothing to embed and no previous version (every document failed): the empty first version still
            # needs the model's dimension and backend.
            embedder = get_embedder()
            if previous is not None and same_model and embedder.backend != previous.manifest.backend:
                # A different backend makes different vectors: nothing can be reused.
                missing = list(range(len(keys)))
                carried = {}
            stages.lap("load model")
        dimension = embedder.dimension if embedder else (old_vectors.shape[1] if old_vectors is not None else 0)
        vectors = np.zeros((len(units), dimension), dtype=np.float32)
        missing_set = set(missing)
        if old_vectors is not None:
            rows_now = [i for i in range(len(keys)) if i not in missing_set]
            rows_before = [carried[i] if i in carried else reusable[keys[i]] for i in rows_now]
            if rows_now:
                vectors[rows_now] = old_vectors[np.asarray(rows_before)]
        stages.lap("reuse vectors")
        inputs = [embedding_input(passages[u.passage], u) for u in units]
        if missing and embedder is not None:
            vectors[missing] = _embed_once(keys, inputs, missing, embedder.embed_passages, "embedding", progress)
        report.passages_embedded = len({units[i].passage for i in missing})
        stages.lap("embed")
        second_vectors = _second_vectors(previous, keys, inputs, progress)
        stages.lap("second encoder")
        if previous is not None and previous.integrity is not None and previous.integrity.wait() == "damaged":
            raise _PreviousDamaged(previous.integrity.problem)

        if progress:
            progress("writing", 0, 1)
        version = new_version_id()
        manifest = Manifest(
            version=version,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            model=model,
            backend=embedder.backend if embedder else previous.manifest.backend,  # type: ignore[union-attr]
            dimension=int(dimension),
            passage_count=len(passages),
            index_type=choose_index_type(len(units)),
            documents={
                doc.doc_id: {
                    "hash": doc.content_hash,
                    "source_file": doc.meta["source_file"],
                    "passages": doc_passage_counts[doc.doc_id],
                    "meta": doc.meta,
                    "meta_file": doc.meta_file_hash,
                }
                for doc in documents
            },
            built_by=built_by,
            failures=[f.__dict__ for f in report.failed],
            retrieval=params.to_dict(),
            ingest_version=INGEST_VERSION,
            second_model=SECOND_MODEL,
        )
        manifest.build_seconds = round(time.perf_counter() - started, 3)
        staging: Path | None = None
        try:
            staging = store.new_staging_dir(version)
            final = store.write_version(staging, manifest, passages, units, keys, vectors, texts, carried_units, second_vectors)
        except OSError as exc:
            # E.g. a full disk: drop the half-written version; `current` was never touched.
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            log.error("writing index version %s failed: %s", version, exc)
            raise IndexError_(
                f"The new index could not be written ({exc.strerror or exc}); the previous version is still being served."
            ) from None
        store.activate(final)
        stages.lap("write")
        if progress:
            progress("writing", 1, 1)
        report.passages_after = len(passages)
        report.version = version
        report.seconds = time.perf_counter() - started
        log.info(
            "built index %s: %d passages, %d units (%d embedded, %d documents parsed) in %.1fs (%s)",
            version,
            len(passages),
            len(units),
            len(missing),
            sum(doc.clean is not None for doc in documents),
            report.seconds,
            ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in report.stage_seconds.items()),
        )
        try:
            _write_last_report(store.root, report)
        except OSError as exc:
            # The new version is already live: a report that cannot be written must not turn the build into a failure.
            log.warning("index %s is live, but its build report could not be written: %s", version, exc)
        return report


@dataclass
class _Document:
    """A document of this build: parsed now (`clean`), or unchanged and taken over from the previous version."""

    doc_id: str
    content_hash: str
    meta_file_hash: str
    meta: dict[str, Any]
    clean: CleanDocument | None


def _embed_once(
    keys: list[str], inputs: list[str], rows: list[int], embed: Callable[..., np.ndarray], stage: str, progress: BuildProgress | None
) -> np.ndarray:
    """The vectors of these rows, each distinct input embedded once (a repeated heading or boilerplate line comes back
    many times); `embed(texts, progress=…)` reports to `progress` under `stage`."""

    def on_batch(done: int, total: int) -> None:
        if progress:
            progress(stage, done, total)

    first_of: dict[str, int] = {}
    for i in rows:
        first_of.setdefault(keys[i], i)
    unique = list(first_of.values())
    on_batch(0, len(unique))
    fresh = embed([inputs[i] for i in unique], progress=on_batch)
    row_of = {keys[i]: row for row, i in enumerate(unique)}
    return fresh[[row_of[keys[i]] for i in rows]]


def _second_vectors(previous: LoadedIndex | None, keys: list[str], inputs: list[str], progress: BuildProgress | None) -> np.ndarray:
    """The second encoder's vector of every unit: the previous version's where it holds the same input, else embedded."""
    old = previous.second_embeddings() if previous is not None and previous.manifest.second_model == SECOND_MODEL else None
    reusable = {key: row for row, key in enumerate(previous.unit_keys)} if old is not None and previous is not None else {}
    vectors = np.zeros((len(keys), get_second_encoder().dimension), dtype=np.float32)
    kept = [i for i, key in enumerate(keys) if key in reusable]
    if kept and old is not None:
        vectors[kept] = old[np.asarray([reusable[keys[i]] for i in kept])]
    missing = [i for i, key in enumerate(keys) if key not in reusable]
    if missing:
        vectors[missing] = _embed_once(keys, inputs, missing, get_second_encoder().embed, "second-encoder", progress)
    return vectors


def _meta_file_hash(source: SourceFile) -> str:
    """The hash of the document's metadata file, '' when it has none."""
    try:
        return content_hash(source.meta_path.read_bytes())
    except FileNotFoundError:
        return ""


def _fingerprint(source: SourceFile, max_bytes: int) -> tuple[str, str] | None:
    """(hash of the bytes, hash of the metadata file) without parsing, or None when load_document must judge it."""
    try:
        if source.path.stat().st_size > max_bytes:
            return None
        return content_hash(source.path.read_bytes()), _meta_file_hash(source)
    except OSError:
        return None


class _PreviousParts:
    """The passages, units, keys and vector rows of the previous version's documents that are taken over unchanged."""

    def __init__(self, previous: LoadedIndex, wanted: set[str]) -> None:
        self._previous = previous
        # Passage and unit numbers of each wanted document, ascending (grouped with the columns, no Passage built).
        self._passages: dict[str, np.ndarray] = {}
        self._units: dict[str, np.ndarray] = {}
        if not wanted:
            return
        names = previous.passages.tables.documents
        codes = np.asarray(previous.passages.doc, dtype=np.int64)
        unit_codes = codes[np.asarray(previous.units.passage, dtype=np.int64)]
        for numbers, column in ((self._passages, codes), (self._units, unit_codes)):
            order = np.argsort(column, kind="stable")
            bounds = np.searchsorted(column[order], np.arange(len(names) + 1))
            for code, doc_id in enumerate(names):
                if doc_id in wanted:
                    numbers[doc_id] = order[bounds[code] : bounds[code + 1]]

    def parts_of(self, doc_id: str, offset: int) -> tuple[list[Passage], list[Unit], list[str], list[int]]:
        """The document's passages, its units renumbered to start at passage `offset`, their keys and vector rows."""
        empty = np.zeros(0, dtype=np.int64)
        indexes = self._passages.get(doc_id, empty)
        rows = self._units.get(doc_id, empty)
        units = self._previous.units
        renumbered = offset + np.searchsorted(indexes, np.asarray(units.passage)[rows])
        starts, ends = np.asarray(units.start)[rows], np.asarray(units.end)[rows]
        return (
            self._previous.passages.take(indexes),
            [Unit(*unit) for unit in zip(renumbered.tolist(), starts.tolist(), ends.tolist(), strict=True)],
            units.keys.take(rows),
            rows.tolist(),
        )

    def text(self, doc_id: str) -> str:
        return self._previous.texts[doc_id]


class _Stopwatch:
    """Seconds per build stage, recorded in the report (and the log line of the build)."""

    def __init__(self, report: BuildReport) -> None:
        self._report = report
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self._report.stage_seconds[stage] = round(self._report.stage_seconds.get(stage, 0.0) + now - self._last, 3)
        self._last = now


def _write_last_report(root: Path, report: BuildReport) -> None:
    tmp = root / ".last-build.json.tmp"
    tmp.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, root / "last-build.json")
