"""The on-disk index: versioned directories of plain files, swapped in atomically, with rollback.

Layout of the index directory (format 2)::

    versions/<version>/manifest.json    model, backend, dimension, documents and their hashes, checksums, sizes
    versions/<version>/passages/*.npy   the passages as columns, in vector order (index/columns.py): ids, offsets
                                        into the document texts, pages, paragraph, section and kind codes
    versions/<version>/units/*.npy      the search units (sentence spans of passages, one per vector) and their keys
    versions/<version>/tables.json      the strings the columns point into (document ids, sections, kinds)
    versions/<version>/embeddings.npy   float32 vectors, one per unit (reused by the next build)
    versions/<version>/vectors.faiss    the FAISS index searched at query time (memory-mapped)
    versions/<version>/second_embeddings.npy
                                        the second encoder's vectors, one per unit (index/second_encoder.py); absent in
                                        versions written before it, which rank by e5 alone (versions written between
                                        it and the thirteenth round also hold second_vectors.faiss, no longer read)
    versions/<version>/texts/<doc>.txt  the cleaned text of each document (quotes are checked against it)
    versions/<version>/damaged.txt      only when a check found a file damaged: why (the version is not served)
    current  -> versions/<version>      symlink replaced atomically with os.replace
    previous -> versions/<version>      the version before, for rollback

Every array is memory-mapped, so loading reads no passage into a Python object. Checksums are verified when
a version is published (`activate`) or copied in (`import_version`); a load checks only that every file is
there at its recorded size and verifies the checksums in a background thread (`IntegrityCheck`). Format 1
versions (passages.jsonl, units.jsonl) still load, so their vectors are reused, and `upgrade` rewrites one
in format 2.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from index.columns import PassageColumns, PassagePositions, UnitColumns, column_problem, in_memory, read_columns, write_columns
from index.embeddings import available_cores
from index.errors import IndexCorrupt, IndexMissing
from index.models import DocumentMeta, Passage
from index.search_tables import CarriedUnits, write_search_tables
from index.stored_texts import DocumentTexts, InMemoryTexts, Texts
from index.units import Unit

log = logging.getLogger(__name__)

# 2: passages and units as memory-mapped columns (index/columns.py); 1: passages.jsonl and units.jsonl (still read).
FORMAT_VERSION = 2
READABLE_FORMATS = (1, 2)
KEEP_VERSIONS = 3
# Exact search up to this many vectors (one per sentence unit, ~4 per passage), IVF from there on. Measured on
# 2 shared cores (docs/benchmarks.md): exact search of 30k vectors takes ~2-7 ms, of 414k ~60-100 ms; IVF at
# 414k answers in ~12 ms with ~97% of the exact top-50 and builds in ~25 s, where HNSW took 160-470 s to build
# and found only 50-75% of the exact top-50 on the same vectors. The IVF lists hold 8-bit codes (a quarter of
# float32's size, so the mapped file stays small at 100k passages); the candidates are re-scored exactly from
# embeddings.npy (index.signals.search_units), which finds as much of the exact top-50 as float32 lists did.
APPROXIMATE_THRESHOLD = 30_000
IVF_PROBE_FRACTION = 16  # search 1/16 of the lists
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"  # format 1
UNITS = "units.jsonl"  # format 1
DAMAGED = "damaged.txt"
EMBEDDINGS = "embeddings.npy"
VECTORS = "vectors.faiss"
SECOND_EMBEDDINGS = "second_embeddings.npy"
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
    # Size in bytes of every file with a checksum: a load checks these (cheap), the checksums are verified off the serving path.
    sizes: dict[str, int] = field(default_factory=dict)
    # Characters of each document's stored text (texts/<doc>.txt), so a load checks the passages' offsets without reading them.
    text_lengths: dict[str, int] = field(default_factory=dict)
    # The second encoder whose vectors the version holds (index/second_encoder.py); "" for versions without them.
    second_model: str = ""

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
    """One index version ready to search: manifest, passages and units (memory-mapped columns), texts and FAISS index."""

    path: Path
    manifest: Manifest
    passages: PassageColumns
    units: UnitColumns
    unit_keys: Sequence[str]
    texts: Texts  # mapped from texts/ and sliced by characters (index/stored_texts.py), not held as str
    faiss_index: faiss.Index
    documents: dict[str, DocumentMeta]
    # The background verification of this version's checksums (None when the load did not start one).
    integrity: IntegrityCheck | None = None

    @property
    def version(self) -> str:
        return self.manifest.version

    @property
    def outdated(self) -> bool:
        """Stored in an older format than this Verbatim writes (readable; `IndexStore.upgrade` rewrites it)."""
        return self.manifest.format_version < FORMAT_VERSION

    @functools.cached_property
    def position(self) -> Mapping[str, int]:
        """Passage id -> its index in `passages` (a binary search over the stored id order, no per-passage dict)."""
        return PassagePositions(self.passages)

    def unit_text(self, unit: int) -> str:
        """The text of one search unit (without building its Passage)."""
        return self.units.text(unit, self.passages)

    def unit_texts(self) -> list[str]:
        """The text of every search unit, in vector order."""
        return self.units.texts(self.passages)

    def embeddings(self) -> np.ndarray:
        """The stored vectors, memory-mapped (used to reuse embeddings in the next build)."""
        return np.load(self.path / EMBEDDINGS, mmap_mode="r")

    def second_embeddings(self) -> np.ndarray | None:
        """The second encoder's vectors, memory-mapped; None for a version written without them."""
        if not self.manifest.second_model or not (self.path / SECOND_EMBEDDINGS).is_file():
            return None
        return np.load(self.path / SECOND_EMBEDDINGS, mmap_mode="r")


IntegrityListener = Callable[[str], None]


class IntegrityCheck:
    """Verifies the checksums of a loaded version in a background thread, off the serving path.

    A mismatch is logged as an error, recorded in the version directory (`damaged.txt`, so no load serves it
    again) and passed to every listener (the service then falls back to the previous version).
    """

    def __init__(self, version_dir: Path, checksums: dict[str, str]) -> None:
        self.version_dir = version_dir
        self.checksums = dict(checksums)
        self.state = "pending"  # then "running", and "ok" or "damaged"
        self.problem = ""
        self.seconds = 0.0
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._listeners: list[IntegrityListener] = []

    def start(self) -> IntegrityCheck:
        threading.Thread(target=self.run, name=f"verify-{self.version_dir.name}", daemon=True).start()
        return self

    def run(self) -> None:
        """Verify every checksum (the thread's body; also callable directly)."""
        _lower_thread_priority()
        self.state = "running"
        started = time.perf_counter()
        try:
            problem = checksum_problem(self.version_dir, self.checksums)
        except OSError as exc:
            problem = f"index version {self.version_dir.name} could not be read ({exc})"
        self.seconds = time.perf_counter() - started
        if problem:
            log.error("%s (found by the background check after loading)", problem)
            mark_damaged(self.version_dir, problem)
        else:
            log.info("index version %s verified in %.1fs", self.version_dir.name, self.seconds)
        with self._lock:
            self.problem = problem or ""
            self.state = "damaged" if problem else "ok"
            listeners = list(self._listeners) if problem else []
            self._done.set()
        for listener in listeners:
            listener(self.problem)

    def on_damage(self, listener: IntegrityListener) -> None:
        """Call `listener(problem)` if the check finds damage (at once if it already has)."""
        with self._lock:
            if not self._done.is_set():
                self._listeners.append(listener)
                return
        if self.state == "damaged":
            listener(self.problem)

    def wait(self, timeout: float | None = None) -> str:
        """Wait for the check to end; returns its state."""
        self._done.wait(timeout)
        return self.state


def _lower_thread_priority() -> None:
    """Hashing a gigabyte should yield the cores to questions (Linux sets niceness per thread)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass


def checksum_problem(version_dir: Path, checksums: dict[str, str], workers: int = 1) -> str | None:
    """The first file of `version_dir` that is missing or does not match its checksum, as a message; None when all match.

    With `workers` > 1 the files are hashed in that many threads (hashlib releases the GIL): publishing a version waits
    for this, the background check after a load does not and keeps to one thread.
    """
    for relative in checksums:
        if not (version_dir / relative).is_file():
            return f"index version {version_dir.name} is missing {relative}"
    for (relative, expected), actual in zip(checksums.items(), hash_files([version_dir / r for r in checksums], workers), strict=True):
        if actual != expected:
            return f"index version {version_dir.name}: {relative} is corrupted (checksum mismatch)"
    return None


def hash_files(paths: Sequence[Path], workers: int) -> list[str]:
    """The sha256 of each file, in order."""
    if workers <= 1 or len(paths) < 2:
        return [sha256_file(path) for path in paths]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(sha256_file, paths))


def mark_damaged(version_dir: Path, problem: str) -> None:
    """Record in the version directory that it is damaged, so no later load serves it."""
    try:
        (version_dir / DAMAGED).write_text(f"{datetime.now(UTC).isoformat(timespec='seconds')} {problem}\n", encoding="utf-8")
    except OSError as exc:
        log.warning("could not record that index version %s is damaged: %s", version_dir.name, exc)


def new_version_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as handle:
        while read := handle.readinto(view):
            digest.update(view[:read])
    return digest.hexdigest()


def choose_index_type(count: int) -> str:
    """Exact search for small indexes; IVF with 8-bit codes once exact search gets slow (see APPROXIMATE_THRESHOLD)."""
    return "ivf-sq8" if count >= APPROXIMATE_THRESHOLD else "flat"


def ivf_lists(count: int) -> int:
    """About 1.6 * sqrt(n) inverted lists, and never fewer than 39 training vectors per list (FAISS's minimum)."""
    return max(1, min(int(1.6 * np.sqrt(count)), count // 39))


def make_faiss_index(vectors: np.ndarray, index_type: str) -> faiss.Index:
    """A FAISS index of these vectors: "flat" (exact), "ivf-sq8" (8-bit codes in inverted lists) or "ivf" (float32 lists).

    "ivf" is what versions built before "ivf-sq8" hold: `IndexStore.upgrade` rewrites such a version with it, the next
    build writes "ivf-sq8", and the benchmarks compare the two.
    """
    dimension = vectors.shape[1]
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    index: faiss.Index
    if index_type in ("ivf", "ivf-sq8") and len(vectors):
        nlist = ivf_lists(len(vectors))
        if index_type == "ivf":
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, nlist, faiss.METRIC_INNER_PRODUCT)
        else:
            index = faiss.IndexIVFScalarQuantizer(
                faiss.IndexFlatIP(dimension), dimension, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
            )
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
        passages: Sequence[Passage],
        units: Sequence[Unit],
        unit_keys: Sequence[str],
        vectors: np.ndarray,
        texts: Mapping[str, str],
        carried: CarriedUnits | None = None,
        second_vectors: np.ndarray | None = None,
    ) -> Path:
        """Write every file of a version into `staging`, fsync it, then move it into place (`activate` publishes it).

        `carried` names the units taken over unchanged from the previous version, whose search-table rows are reused;
        `second_vectors` are the second encoder's (manifest.second_model), one per unit.
        """
        manifest.format_version = FORMAT_VERSION
        texts = dict(texts)
        manifest.text_lengths = {doc_id: len(text) for doc_id, text in texts.items()}
        write_columns(staging, passages, units, unit_keys, texts)
        np.save(staging / EMBEDDINGS, np.ascontiguousarray(vectors, dtype=np.float32))
        faiss.write_index(make_faiss_index(vectors, manifest.index_type), str(staging / VECTORS))
        if second_vectors is not None:
            np.save(staging / SECOND_EMBEDDINGS, np.ascontiguousarray(second_vectors, dtype=np.float32))
        (staging / TEXTS).mkdir()
        for doc_id, text in texts.items():
            (staging / TEXTS / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        write_search_tables(
            staging,
            passages,
            units,
            [(staging / TEXTS / f"{d}.txt").read_text(encoding="utf-8") for d in manifest.documents],
            vectors,
            carried,
        )
        files = [path for path in sorted(staging.rglob("*")) if path.is_file() and path.name != MANIFEST]
        digests = hash_files(files, available_cores())
        manifest.checksums = {str(path.relative_to(staging)): digest for path, digest in zip(files, digests, strict=True)}
        manifest.sizes = {str(path.relative_to(staging)): path.stat().st_size for path in files}
        (staging / MANIFEST).write_text(json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        _fsync_tree(staging)
        final = self.versions_dir / manifest.version
        os.replace(staging, final)
        return final

    def activate(self, version_dir: Path) -> None:
        """Verify `version_dir`'s checksums, then point `current` at it atomically; the old current becomes `previous`."""
        self.verify(version_dir)
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

    def read_manifest(self, version_dir: Path) -> Manifest:
        """The manifest of a version whose format this Verbatim reads, unless the version is marked damaged."""
        manifest_path = version_dir / MANIFEST
        try:
            manifest = Manifest.from_dict(json.loads(manifest_path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise IndexCorrupt(f"index version {version_dir.name} has no manifest") from None
        except (ValueError, TypeError) as exc:
            raise IndexCorrupt(f"index version {version_dir.name} has an unreadable manifest ({exc})") from None
        if manifest.format_version not in READABLE_FORMATS:
            raise IndexCorrupt(
                f"index version {version_dir.name} has format {manifest.format_version}; this Verbatim reads {READABLE_FORMATS}: rebuild it"
            )
        damaged = version_dir / DAMAGED
        if damaged.is_file():
            reason = damaged.read_text(encoding="utf-8", errors="replace").strip()
            raise IndexCorrupt(f"index version {version_dir.name} was found damaged ({reason})")
        return manifest

    def verify(self, version_dir: Path) -> Manifest:
        """Read the manifest and check every file against its checksum (publishing, copying, rollback, `health --full`)."""
        manifest = self.read_manifest(version_dir)
        problem = checksum_problem(version_dir, manifest.checksums, available_cores())
        if problem:
            raise IndexCorrupt(problem)
        return manifest

    def check_files(self, version_dir: Path, manifest: Manifest) -> None:
        """Every file the manifest lists is there, at its recorded size (a stat each: the cheap check of a load)."""
        for relative in manifest.checksums:
            path = version_dir / relative
            if not path.is_file():
                raise IndexCorrupt(f"index version {version_dir.name} is missing {relative}")
            expected = manifest.sizes.get(relative)
            if expected is not None and path.stat().st_size != expected:
                raise IndexCorrupt(
                    f"index version {version_dir.name}: {relative} is corrupted (size {path.stat().st_size}, expected {expected})"
                )

    def load_version(self, version_dir: Path, check_in_background: bool = True) -> LoadedIndex:
        """Map one version; its checksums are verified in a background thread (`LoadedIndex.integrity`) unless told not to."""
        manifest = self.read_manifest(version_dir)
        if manifest.format_version < 2:
            # Format 1 recorded no sizes: its checksums are the only check, so they are verified now.
            self.verify(version_dir)
        else:
            self.check_files(version_dir, manifest)
        try:
            if manifest.format_version < 2:
                texts: Texts = InMemoryTexts(
                    {doc_id: (version_dir / TEXTS / f"{doc_id}.txt").read_text(encoding="utf-8") for doc_id in manifest.documents}
                )
                passages, units, unit_keys = _read_json_lines(version_dir)
                passage_columns, unit_columns = in_memory(passages, units, unit_keys, texts)
            else:
                texts = DocumentTexts(version_dir / TEXTS, list(manifest.documents), manifest.text_lengths)
                passage_columns, unit_columns = read_columns(version_dir, texts)
            faiss_index = faiss.read_index(str(version_dir / VECTORS), MMAP_FLAGS)
        except (ValueError, TypeError, KeyError, RuntimeError, OSError) as exc:
            raise IndexCorrupt(f"index version {version_dir.name} could not be read ({exc.__class__.__name__})") from None
        n_passages, n_units = len(passage_columns), len(unit_columns)
        if (
            faiss_index.ntotal != n_units
            or n_passages != manifest.passage_count
            or len(unit_columns.keys) != n_units
            or (n_units and int(np.max(unit_columns.passage)) >= n_passages)
        ):
            raise IndexCorrupt(
                f"index version {version_dir.name} is inconsistent: {faiss_index.ntotal} vectors, {n_units} units, {n_passages} passages"
            )
        problem = column_problem(passage_columns, unit_columns)
        if problem:
            raise IndexCorrupt(f"index version {version_dir.name} is inconsistent: {problem}")
        integrity = None
        if check_in_background and manifest.format_version >= 2:
            integrity = IntegrityCheck(version_dir, manifest.checksums).start()
        return LoadedIndex(
            version_dir,
            manifest,
            passage_columns,
            unit_columns,
            unit_columns.keys,
            texts,
            faiss_index,
            manifest.document_meta(),
            integrity,
        )

    def load(self, check_in_background: bool = True) -> LoadedIndex:
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
            return self.load_version(previous, check_in_background)
        try:
            return self.load_version(current, check_in_background)
        except IndexCorrupt as exc:
            previous = self.previous_path()
            if previous is None:
                raise
            log.error("%s; serving the previous version %s instead", exc, previous.name)
            return self.load_version(previous, check_in_background)

    def upgrade(self, loaded: LoadedIndex) -> Path:
        """Rewrite a version of an older format as a new version in this format, reusing every vector, and activate it."""
        self.verify(loaded.path)
        manifest = replace(
            loaded.manifest,
            version=new_version_id(),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            built_by=f"format {loaded.manifest.format_version} -> {FORMAT_VERSION} upgrade of {loaded.version}",
            format_version=FORMAT_VERSION,
            checksums={},
            sizes={},
        )
        staging = self.new_staging_dir(manifest.version)
        try:
            second = loaded.second_embeddings()
            final = self.write_version(
                staging,
                manifest,
                loaded.passages,
                loaded.units,
                loaded.unit_keys,
                np.asarray(loaded.embeddings()),
                loaded.texts,
                second_vectors=np.asarray(second) if second is not None else None,
            )
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self.activate(final)
        return final

    def import_version(self, source: Path) -> Path:
        """Copy a version directory (e.g. from another host's index) into this store, verified; does not activate it."""
        manifest = self.verify(source)
        staging = self.new_staging_dir(manifest.version)
        shutil.rmtree(staging)
        try:
            shutil.copytree(source, staging)
            self.verify(staging)
            _fsync_tree(staging)
            final = self.versions_dir / manifest.version
            os.replace(staging, final)
        except (OSError, IndexCorrupt):
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return final


def _read_json_lines(version_dir: Path) -> tuple[list[Passage], list[Unit], list[str]]:
    """Passages, units and unit keys of a format 1 version."""
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
    return passages, units, unit_keys


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
