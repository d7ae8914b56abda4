"""The on-disk index: versioned directories of plain files, swapped in atomically, with rollback.

Layout of the index directory::

    versions/<version>/manifest.json    model, backend, dimension, documents and their hashes, checksums
    versions/<version>/passages.jsonl   one passage with its provenance per line, in vector order
    versions/<version>/units.jsonl      the search units (sentence spans of passages), one per vector
    versions/<version>/embeddings.npy   float32 vectors, one per unit (reused by the next build)
    versions/<version>/vectors.faiss    the FAISS index searched at query time (memory-mapped)
    versions/<version>/texts/<doc>.txt  the cleaned text of each document (quotes are checked against it)
    current  -> versions/<version>      symlink replaced atomically with os.replace
    previous -> versions/<version>      the version before, for rollback
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from index.errors import IndexCorrupt, IndexMissing
from index.models import DocumentMeta, Passage
from index.search_tables import write_search_tables
from index.units import Unit

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
KEEP_VERSIONS = 3
# Exact search up to this many vectors (one per sentence unit, ~4 per passage), IVF from there on. Measured on
# 2 shared cores (docs/benchmarks.md): exact search of 30k vectors takes ~2-7 ms, of 414k ~60-100 ms; IVF at
# 414k answers in ~12 ms with ~97% of the exact top-50 and builds in ~25 s, where HNSW took 160-470 s to build
# and found only 50-75% of the exact top-50 on the same vectors.
APPROXIMATE_THRESHOLD = 30_000
IVF_PROBE_FRACTION = 16  # search 1/16 of the lists
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
UNITS = "units.jsonl"
EMBEDDINGS = "embeddings.npy"
VECTORS = "vectors.faiss"
TEXTS = "texts"
# IO_FLAG_MMAP only maps IVF inverted lists; IO_FLAG_MMAP_IFC (FAISS >= 1.10) maps the vectors of flat, HNSW
# and IVF indexes alike, so the pages are file-backed, shared between processes and reclaimable (see
# docs/benchmarks.md). The index is never modified after loading, hence read-only.
MMAP_FLAGS = getattr(faiss, "IO_FLAG_MMAP_IFC", faiss.IO_FLAG_MMAP) | faiss.IO_FLAG_READ_ONLY


@dataclass
class Manifest:
    """What an index version holds and how it was made."""

    version: str
    built_at: str
    model: str
    backend: str
    dimension: int
    passage_count: int
    index_type: str
    documents: dict[str, dict[str, Any]]
    format_version: int = FORMAT_VERSION
    built_by: str = ""
    failures: list[dict[str, str]] = field(default_factory=list)
    checksums: dict[str, str] = field(default_factory=dict)
    build_seconds: float = 0.0
    # The retrieval parameters (index/params.py) this version answers with; empty for versions built before them.
    retrieval: dict[str, Any] = field(default_factory=dict)
    # The ingestion rules the passages were made with (index/loaders.py INGEST_VERSION); 0 for older versions.
    ingest_version: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def document_meta(self) -> dict[str, DocumentMeta]:
        return {doc_id: DocumentMeta.from_dict(info["meta"]) for doc_id, info in self.documents.items()}


@dataclass
class LoadedIndex:
    """One index version in memory: manifest, passages, document texts and the FAISS index."""

    path: Path
    manifest: Manifest
    passages: list[Passage]
    units: list[Unit]
    unit_keys: list[str]
    texts: dict[str, str]
    faiss_index: faiss.Index
    documents: dict[str, DocumentMeta]

    @property
    def version(self) -> str:
        return self.manifest.version

    @functools.cached_property
    def position(self) -> dict[str, int]:
        """Passage id -> its index in `passages` (built once per loaded version)."""
        return {p.id: i for i, p in enumerate(self.passages)}

    def embeddings(self) -> np.ndarray:
        """The stored vectors, memory-mapped (used to reuse embeddings in the next build)."""
        return np.load(self.path / EMBEDDINGS, mmap_mode="r")


def new_version_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def choose_index_type(count: int) -> str:
    """Exact search for small indexes; IVF once exact search gets slow (see APPROXIMATE_THRESHOLD)."""
    return "ivf" if count >= APPROXIMATE_THRESHOLD else "flat"


def ivf_lists(count: int) -> int:
    """About 1.6 * sqrt(n) inverted lists, and never fewer than 39 training vectors per list (FAISS's minimum)."""
    return max(1, min(int(1.6 * np.sqrt(count)), count // 39))


def make_faiss_index(vectors: np.ndarray, index_type: str) -> faiss.Index:
    dimension = vectors.shape[1]
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    index: faiss.Index
    if index_type == "ivf" and len(vectors):
        nlist = ivf_lists(len(vectors))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, nlist, faiss.METRIC_INNER_PRODUCT)
        # A fixed sample and FAISS's fixed k-means seed keep rebuilds of the same vectors identical.
        sample = np.random.default_rng(0).choice(len(vectors), size=min(len(vectors), 40 * nlist), replace=False)
        index.train(vectors[np.sort(sample)])
        index.nprobe = max(1, min(nlist, max(16, nlist // IVF_PROBE_FRACTION)))  # saved with the index
    else:
        # Inner product equals cosine similarity on normalised vectors.
        index = faiss.IndexFlatIP(dimension)
    if len(vectors):
        index.add(vectors)
    return index


class IndexStore:
    """Reads and writes versions of the index under one directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.versions_dir = self.root / "versions"

    @property
    def current_link(self) -> Path:
        return self.root / "current"

    @property
    def previous_link(self) -> Path:
        return self.root / "previous"

    def exists(self) -> bool:
        # A dangling `current` (its version directory lost) still counts when `previous` can stand in.
        return self.current_link.exists() or (self.current_link.is_symlink() and self.previous_path() is not None)

    def _resolve(self, link: Path) -> Path | None:
        if not link.is_symlink() and not link.exists():
            return None
        target = link.resolve()
        return target if target.is_dir() else None

    def current_path(self) -> Path | None:
        return self._resolve(self.current_link)

    def previous_path(self) -> Path | None:
        return self._resolve(self.previous_link)

    def new_staging_dir(self, version: str) -> Path:
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        staging = self.versions_dir / f".staging-{version}"
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir()
        return staging

    def write_version(
        self,
        staging: Path,
        manifest: Manifest,
        passages: list[Passage],
        units: list[Unit],
        unit_keys: list[str],
        vectors: np.ndarray,
        texts: dict[str, str],
    ) -> Path:
        """Write every file of a version into `staging`, fsync it, then move it into place."""
        with (staging / PASSAGES).open("w", encoding="utf-8") as handle:
            for passage in passages:
                handle.write(json.dumps(passage.to_dict(), ensure_ascii=False) + "\n")
        with (staging / UNITS).open("w", encoding="utf-8") as handle:
            for unit, key in zip(units, unit_keys, strict=True):
                handle.write(json.dumps({"p": unit.passage, "s": unit.start, "e": unit.end, "k": key}) + "\n")
        np.save(staging / EMBEDDINGS, np.ascontiguousarray(vectors, dtype=np.float32))
        faiss.write_index(make_faiss_index(vectors, manifest.index_type), str(staging / VECTORS))
        (staging / TEXTS).mkdir()
        for doc_id, text in texts.items():
            (staging / TEXTS / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        write_search_tables(
            staging, passages, units, [(staging / TEXTS / f"{d}.txt").read_text(encoding="utf-8") for d in manifest.documents]
        )
        manifest.checksums = {
            str(path.relative_to(staging)): sha256_file(path)
            for path in sorted(staging.rglob("*"))
            if path.is_file() and path.name != MANIFEST
        }
        (staging / MANIFEST).write_text(json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        _fsync_tree(staging)
        final = self.versions_dir / manifest.version
        os.replace(staging, final)
        return final

    def activate(self, version_dir: Path) -> None:
        """Point `current` at `version_dir` atomically; the old current becomes `previous`."""
        old = self.current_path()
        _atomic_symlink(self.current_link, version_dir)
        if old is not None and old != version_dir.resolve():
            _atomic_symlink(self.previous_link, old)
        self.prune()

    def rollback(self) -> Path:
        """Swap `current` and `previous`; returns the version now current."""
        previous = self.previous_path()
        current = self.current_path()
        if previous is None:
            raise IndexMissing("There is no previous index version to roll back to.")
        self.verify(previous)
        _atomic_symlink(self.current_link, previous)
        if current is not None:
            _atomic_symlink(self.previous_link, current)
        return previous

    def prune(self) -> None:
        """Keep the newest versions (and whatever current/previous point at); drop leftovers of crashed builds."""
        if not self.versions_dir.is_dir():
            return
        keep = {p for p in (self.current_path(), self.previous_path()) if p is not None}
        versions = sorted((p for p in self.versions_dir.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name)
        for path in versions[:-KEEP_VERSIONS]:
            if path.resolve() not in keep:
                shutil.rmtree(path, ignore_errors=True)
        for path in self.versions_dir.glob(".staging-*"):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)

    def verify(self, version_dir: Path) -> Manifest:
        """Read the manifest and check every file against its checksum."""
        manifest_path = version_dir / MANIFEST
        try:
            manifest = Manifest.from_dict(json.loads(manifest_path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise IndexCorrupt(f"index version {version_dir.name} has no manifest") from None
        except (ValueError, TypeError) as exc:
            raise IndexCorrupt(f"index version {version_dir.name} has an unreadable manifest ({exc})") from None
        if manifest.format_version != FORMAT_VERSION:
            raise IndexCorrupt(
                f"index version {version_dir.name} has format {manifest.format_version}; this Verbatim reads {FORMAT_VERSION}: rebuild it"
            )
        for relative, expected in manifest.checksums.items():
            path = version_dir / relative
            if not path.is_file():
                raise IndexCorrupt(f"index version {version_dir.name} is missing {relative}")
            if sha256_file(path) != expected:
                raise IndexCorrupt(f"index version {version_dir.name}: {relative} is corrupted (checksum mismatch)")
        return manifest

    def load_version(self, version_dir: Path) -> LoadedIndex:
        manifest = self.verify(version_dir)
        passages = []
        try:
            with (version_dir / PASSAGES).open(encoding="utf-8") as handle:
                passages = [Passage.from_dict(json.loads(line)) for line in handle if line.strip()]
            units: list[Unit] = []
            unit_keys: list[str] = []
            with (version_dir / UNITS).open(encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        row = json.loads(line)
                        units.append(Unit(row["p"], row["s"], row["e"]))
                        unit_keys.append(row["k"])
            faiss_index = faiss.read_index(str(version_dir / VECTORS), MMAP_FLAGS)
        except (ValueError, TypeError, KeyError, RuntimeError, OSError) as exc:
            raise IndexCorrupt(f"index version {version_dir.name} could not be read ({exc.__class__.__name__})") from None
        if faiss_index.ntotal != len(units) or len(passages) != manifest.passage_count or any(u.passage >= len(passages) for u in units):
            raise IndexCorrupt(
                f"index version {version_dir.name} is inconsistent: {faiss_index.ntotal} vectors, {len(units)} units, {len(passages)} passages"
            )
        texts = {doc_id: (version_dir / TEXTS / f"{doc_id}.txt").read_text(encoding="utf-8") for doc_id in manifest.documents}
        return LoadedIndex(version_dir, manifest, passages, units, unit_keys, texts, faiss_index, manifest.document_meta())

    def load(self) -> LoadedIndex:
        """The current version, or the previous one if the current is damaged (logged)."""
        current = self.current_path()
        if current is None:
            previous = self.previous_path()
            if not self.current_link.is_symlink() or previous is None:
                raise IndexMissing()
            log.error(
                "the current index version %s is gone; serving the previous version %s instead",
                os.readlink(self.current_link),
                previous.name,
            )
            return self.load_version(previous)
        try:
            return self.load_version(current)
        except IndexCorrupt as exc:
            previous = self.previous_path()
            if previous is None:
                raise
            log.error("%s; serving the previous version %s instead", exc, previous.name)
            return self.load_version(previous)


def _atomic_symlink(link: Path, target: Path) -> None:
    tmp = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}")
    os.symlink(os.path.relpath(target, link.parent), tmp)
    os.replace(tmp, link)


def _fsync_tree(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
