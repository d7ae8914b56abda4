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
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.chunking import passages_for
from index.embeddings import Embedder
from index.errors import BuildInProgress, DocumentError, IndexError_
from index.loaders import INGEST_VERSION, MAX_DOCUMENT_BYTES, discover, load_document
from index.models import BuildReport, CleanDocument, DocumentFailure, Passage
from index.params import DEFAULT_PARAMS, RetrievalParams
from index.store import IndexStore, LoadedIndex, Manifest, choose_index_type, new_version_id
from index.units import embedding_input, input_key, units_for

log = logging.getLogger(__name__)

# stage ("reading", "embedding", "writing"), done, total
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

    `get_embedder` is called only if something must be embedded, so a no-change rebuild loads no model.
    """
    started = time.perf_counter()
    report = BuildReport()
    with build_lock(store.root):
        previous = _previous(store)
        previous_docs = previous.manifest.documents if previous else {}
        report.passages_before = previous.manifest.passage_count if previous else 0

        # Documents already indexed are read first, so a new file with the same content never displaces them.
        sources = sorted(discover(knowledge_dir), key=lambda source: source.doc_id not in previous_docs)
        documents: list[CleanDocument] = []
        seen_hashes: dict[str, str] = {}
        seen_ids: set[str] = set()
        for number, source in enumerate(sources, 1):
            if progress:
                progress("reading", number - 1, len(sources))
            try:
                doc = load_document(source, max_bytes=max_document_bytes)
            except DocumentError as exc:
                report.failed.append(DocumentFailure(source.path.name, str(exc)))
                log.warning("skipped %s: %s", source.path.name, exc)
                continue
            if doc.content_hash in seen_hashes:
                reason = f"it has the same content as {seen_hashes[doc.content_hash]}"
                report.failed.append(DocumentFailure(source.path.name, reason))
                log.warning("skipped %s: %s", source.path.name, reason)
                continue
            if doc.meta.doc_id in seen_ids:
                reason = f"another file already has the document id {doc.meta.doc_id!r}"
                report.failed.append(DocumentFailure(source.path.name, reason))
                continue
            seen_hashes[doc.content_hash] = source.path.name
            seen_ids.add(doc.meta.doc_id)
            documents.append(doc)
        if progress:
            progress("reading", len(sources), len(sources))

        for doc in documents:
            before = previous_docs.get(doc.meta.doc_id)
            if before is None:
                report.added.append(doc.meta.doc_id)
            elif before["hash"] != doc.content_hash or before["meta"] != doc.meta.to_dict():
                report.changed.append(doc.meta.doc_id)
            else:
                report.unchanged.append(doc.meta.doc_id)
        current_ids = {doc.meta.doc_id for doc in documents}
        report.removed = sorted(set(previous_docs) - current_ids)

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
        ):
            report.passages_after = previous.manifest.passage_count
            report.version = previous.version
            report.skipped_write = True
            report.seconds = time.perf_counter() - started
            log.info("index unchanged (%s); nothing embedded", previous.version)
            return report

        passages: list[Passage] = []
        texts: dict[str, str] = {}
        doc_passage_counts: dict[str, int] = {}
        for doc in documents:
            doc_passages = passages_for(doc)
            passages.extend(doc_passages)
            texts[doc.meta.doc_id] = doc.text
            doc_passage_counts[doc.meta.doc_id] = len(doc_passages)
        units = units_for(passages)
        inputs = [embedding_input(passages[u.passage], u) for u in units]
        keys = [input_key(text) for text in inputs]

        reusable: dict[str, int] = {}
        old_vectors = None
        if previous is not None and same_model:
            old_vectors = previous.embeddings()
            reusable = {key: row for row, key in enumerate(previous.unit_keys)}
        missing = [i for i, key in enumerate(keys) if key not in reusable]

        embedder: Embedder | None = None
        if missing or previous is None:
            # Nothing to embed and no previous version (every document failed): the empty first version still
            # needs the model's dimension and backend.
            embedder = get_embedder()
            if previous is not None and same_model and embedder.backend != previous.manifest.backend:
                # A different backend makes different vectors: nothing can be reused.
                missing = list(range(len(keys)))
        dimension = embedder.dimension if embedder else (old_vectors.shape[1] if old_vectors is not None else 0)
        vectors = np.zeros((len(units), dimension), dtype=np.float32)
        missing_set = set(missing)
        if old_vectors is not None:
            for i, key in enumerate(keys):
                if i not in missing_set:
                    vectors[i] = old_vectors[reusable[key]]
        if missing and embedder is not None:

            def on_batch(done: int, total: int) -> None:
                if progress:
                    progress("embedding", done, total)

            on_batch(0, len(missing))
            vectors[missing] = embedder.embed_passages([inputs[i] for i in missing], progress=on_batch)
        report.passages_embedded = len({units[i].passage for i in missing})

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
                doc.meta.doc_id: {
                    "hash": doc.content_hash,
                    "source_file": doc.meta.source_file,
                    "passages": doc_passage_counts[doc.meta.doc_id],
                    "meta": doc.meta.to_dict(),
                }
                for doc in documents
            },
            built_by=built_by,
            failures=[f.__dict__ for f in report.failed],
            retrieval=params.to_dict(),
            ingest_version=INGEST_VERSION,
        )
        manifest.build_seconds = round(time.perf_counter() - started, 3)
        staging: Path | None = None
        try:
            staging = store.new_staging_dir(version)
            final = store.write_version(staging, manifest, passages, units, keys, vectors, texts)
        except OSError as exc:
            # E.g. a full disk: drop the half-written version; `current` was never touched.
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            log.error("writing index version %s failed: %s", version, exc)
            raise IndexError_(
                f"The new index could not be written ({exc.strerror or exc}); the previous version is still being served."
            ) from None
        store.activate(final)
        if progress:
            progress("writing", 1, 1)
        report.passages_after = len(passages)
        report.version = version
        report.seconds = time.perf_counter() - started
        log.info(
            "built index %s: %d passages, %d units (%d embedded) in %.1fs", version, len(passages), len(units), len(missing), report.seconds
        )
        try:
            _write_last_report(store.root, report)
        except OSError as exc:
            # The new version is already live: a report that cannot be written must not turn the build into a failure.
            log.warning("index %s is live, but its build report could not be written: %s", version, exc)
        return report


def _write_last_report(root: Path, report: BuildReport) -> None:
    tmp = root / ".last-build.json.tmp"
    tmp.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, root / "last-build.json")
