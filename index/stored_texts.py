"""The documents' stored texts of a version, memory-mapped and sliced by character offsets without decoding a whole document.

Passages and units are character spans of their document's text (index/columns.py). Holding every document as a
Python str costs ~50 MiB of anonymous memory per process at 100k passages; here each `texts/<doc>.txt` (UTF-8) is
mapped on first use (file-backed pages, shared by every process on the host) and a span is read by decoding only
the bytes around it: the byte offset of every STRIDE-th character of a document (its marks, an array 1/8 the size
of the text) is computed on the document's first use and kept. Pages read are dropped from the process again
(MADV_DONTNEED; they stay in the page cache), so the texts answers touch do not accumulate in its RSS.
"""

from __future__ import annotations

import logging
import mmap
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

STRIDE = 64  # characters between two marks: a span is decoded from at most STRIDE - 1 characters before it
RELEASE_EVERY = 64  # spans read between two releases of the pages they touched (a syscall per span doubled its cost)


def character_count(data: bytes | np.ndarray) -> int:
    """The number of characters of UTF-8 `data` (bytes that do not continue a character)."""
    raw = np.frombuffer(data, dtype=np.uint8) if isinstance(data, bytes) else data
    return int(np.count_nonzero((raw & 0xC0) != 0x80))


class _Document:
    """One mapped text file and the byte offsets of every STRIDE-th character."""

    __slots__ = ("data", "length", "marks")

    def __init__(self, path: Path) -> None:
        with path.open("rb") as handle:
            size = path.stat().st_size
            self.data: mmap.mmap | bytes = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        raw = np.frombuffer(self.data, dtype=np.uint8)
        starts = np.flatnonzero((raw & 0xC0) != 0x80)
        self.length = len(starts)
        self.marks = np.append(starts[::STRIDE], len(raw)).astype(np.int64)
        del raw, starts
        self._release(0, size)

    def _release(self, low: int, high: int) -> None:
        """Drop the pages of bytes [low, high) from this process (they stay in the page cache): what a span needed is
        read, and a version's texts touched by answers would otherwise stay in the process's RSS for its life."""
        if isinstance(self.data, mmap.mmap) and high > low:
            first = low - low % mmap.PAGESIZE
            self.data.madvise(mmap.MADV_DONTNEED, first, min(high, len(self.data)) - first)

    def release(self) -> None:
        self._release(0, len(self.data))

    def slice(self, start: int, end: int) -> str:
        first, last = start // STRIDE, -(-end // STRIDE)
        low = int(self.marks[first])
        high = int(self.marks[last]) if last < len(self.marks) - 1 else len(self.data)
        chunk = self.data[low:high].decode("utf-8", errors="replace")
        offset = first * STRIDE
        return chunk[start - offset : end - offset]

    def text(self) -> str:
        whole = bytes(self.data).decode("utf-8", errors="replace")
        self._release(0, len(self.data))
        return whole


class Texts(Mapping[str, str]):
    """doc id -> its text, with the two reads passages and units need: a span (`slice`) and the `length`."""

    def length(self, doc_id: str) -> int:
        """The number of characters of a document's text."""
        return len(self[doc_id])

    def slice(self, doc_id: str, start: int, end: int) -> str:
        """`texts[doc_id][start:end]` for 0 <= start."""
        return self[doc_id][start:end]


class DocumentTexts(Texts):
    """doc id -> its stored text; `texts[doc_id]` decodes the whole text, `slice` only a span of it.

    `lengths` (characters per document, recorded in the manifest) answers `length` without reading a file; a
    document without a recorded length is counted when first used.
    """

    def __init__(self, directory: Path, doc_ids: list[str], lengths: Mapping[str, int] | None = None) -> None:
        self.directory = directory
        self._ids = list(doc_ids)
        self._known = set(self._ids)
        self._lengths = dict(lengths or {})
        self._documents: dict[str, _Document] = {}
        self._lock = threading.Lock()
        self._touched: set[str] = set()  # documents read since the last release
        self._reads = 0

    def path(self, doc_id: str) -> Path:
        return self.directory / f"{doc_id}.txt"

    def _document(self, doc_id: str) -> _Document:
        document = self._documents.get(doc_id)
        if document is None:
            if doc_id not in self._known:
                raise KeyError(doc_id)
            with self._lock:
                document = self._documents.get(doc_id)
                if document is None:
                    document = self._documents[doc_id] = _Document(self.path(doc_id))
        return document

    def length(self, doc_id: str) -> int:
        known = self._lengths.get(doc_id)
        if known is None:
            if doc_id not in self._known:
                raise KeyError(doc_id)
            # Counted from a read, not the mapping, so a version without recorded lengths does not keep every page mapped.
            known = self._lengths[doc_id] = character_count(self.path(doc_id).read_bytes())
        return known

    def slice(self, doc_id: str, start: int, end: int) -> str:
        document = self._document(doc_id)
        end = min(end, document.length)
        if end <= start:
            return ""
        text = document.slice(start, end)
        with self._lock:
            self._touched.add(doc_id)
            self._reads += 1
            if self._reads < RELEASE_EVERY:
                return text
            touched, self._touched, self._reads = self._touched, set(), 0
        for name in touched:
            self._documents[name].release()
        return text

    def __getitem__(self, doc_id: str) -> str:
        return self._document(doc_id).text()

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


class InMemoryTexts(Texts):
    """Texts held as str (a version being written, or one of the older format)."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = dict(texts)

    def __getitem__(self, doc_id: str) -> str:
        return self._texts[doc_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)
