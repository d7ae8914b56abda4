"""Columnar passages and units of an index version: numpy arrays mapped from disk, read through Sequence views.

A version stores each attribute of its passages and units as one `.npy` file (loaded with mmap_mode="r", so
the pages are file-backed and shared by every process on the host); strings repeated across passages (document
ids, sections, kinds) as small tables in `tables.json`, indexed by integer columns. A passage's text is not
stored: it is the slice `texts[doc_id][start:end]` of its document's stored text, an invariant of ingestion
(index/chunking.py); a passage for which it does not hold keeps its own text in the `overflow` table.
"""

from __future__ import annotations

import json
import mmap
import os
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import numpy as np

from index.models import Passage
from index.stored_texts import InMemoryTexts, Texts
from index.units import Unit

PASSAGE_DIR = "passages"
UNIT_DIR = "units"
TABLES = "tables.json"
NO_PAGE = -1  # page_start / page_end of a passage whose page is unknown
OWN_TEXT_NONE = -1  # the passage's text is the slice of its document's text
PASSAGE_COLUMNS = ("id", "id_order", "doc", "start", "end", "paragraph", "page_start", "page_end", "section", "kind", "own_text")
UNIT_COLUMNS = ("passage", "start", "end", "key")
_CHUNK = 8192  # rows converted to Python values at a time when iterating


@dataclass(frozen=True)
class Tables:
    """The strings the integer columns point into."""

    documents: list[str]
    sections: list[str]
    kinds: list[str]
    overflow: list[str]  # texts of passages that are not a slice of their document's text

    def to_dict(self) -> dict[str, list[str]]:
        return {"documents": self.documents, "sections": self.sections, "kinds": self.kinds, "overflow": self.overflow}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tables:
        return cls(list(data["documents"]), list(data["sections"]), list(data["kinds"]), list(data.get("overflow", [])))


def _ints(values: Sequence[int] | np.ndarray) -> np.ndarray:
    """An integer column as int32 when every value fits, else int64."""
    array = np.asarray(values, dtype=np.int64)
    if not len(array) or (array.min() >= np.iinfo(np.int32).min and array.max() <= np.iinfo(np.int32).max):
        return array.astype(np.int32)
    return array


def _strings(values: Sequence[str]) -> np.ndarray:
    """A column of strings: fixed-width ASCII bytes when they are all ASCII (4x smaller), else Unicode."""
    if not len(values):
        return np.zeros(0, dtype="S1")
    try:
        return np.array([v.encode("ascii") for v in values])
    except UnicodeEncodeError:
        return np.array(list(values), dtype=str)


def _codes(values: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    table: dict[str, int] = {}
    codes = [table.setdefault(v, len(table)) for v in values]
    return _ints(codes), list(table)


def build_columns(
    passages: Sequence[Passage], units: Sequence[Unit], unit_keys: Sequence[str], texts: Mapping[str, str]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], Tables]:
    """The passage columns, unit columns and string tables of a version (what `write_columns` stores)."""
    if len(units) != len(unit_keys):
        raise ValueError(f"{len(units)} units but {len(unit_keys)} unit keys")
    documents: dict[str, int] = {doc_id: i for i, doc_id in enumerate(texts)}
    for passage in passages:
        documents.setdefault(passage.doc_id, len(documents))
    overflow: list[str] = []
    own_text = []
    for passage in passages:
        text = texts.get(passage.doc_id)
        if text is not None and text[passage.start : passage.end] == passage.text:
            own_text.append(OWN_TEXT_NONE)
        else:
            own_text.append(len(overflow))
            overflow.append(passage.text)
    ids = [p.id for p in passages]
    section, sections = _codes([p.section for p in passages])
    kind, kinds = _codes([p.kind for p in passages])
    passage_columns = {
        "id": _strings(ids),
        "id_order": _ints(np.argsort(np.array(ids, dtype=str), kind="stable")) if ids else _ints([]),
        "doc": _ints([documents[p.doc_id] for p in passages]),
        "start": _ints([p.start for p in passages]),
        "end": _ints([p.end for p in passages]),
        "paragraph": _ints([p.paragraph for p in passages]),
        "page_start": _ints([NO_PAGE if p.page_start is None else p.page_start for p in passages]),
        "page_end": _ints([NO_PAGE if p.page_end is None else p.page_end for p in passages]),
        "section": section,
        "kind": kind,
        "own_text": _ints(own_text),
    }
    unit_columns = {
        "passage": _ints([u.passage for u in units]),
        "start": _ints([u.start for u in units]),
        "end": _ints([u.end for u in units]),
        "key": _strings(list(unit_keys)),
    }
    return passage_columns, unit_columns, Tables(list(documents), sections, kinds, overflow)


def write_columns(
    directory: Path, passages: Sequence[Passage], units: Sequence[Unit], unit_keys: Sequence[str], texts: Mapping[str, str]
) -> None:
    """Store passages and units as `.npy` columns plus `tables.json` under `directory`."""
    passage_columns, unit_columns, tables = build_columns(passages, units, unit_keys, texts)
    for folder, columns in ((PASSAGE_DIR, passage_columns), (UNIT_DIR, unit_columns)):
        (directory / folder).mkdir()
        for name, array in columns.items():
            np.save(directory / folder / f"{name}.npy", array)
    (directory / TABLES).write_text(json.dumps(tables.to_dict(), ensure_ascii=False), encoding="utf-8")


def read_columns(directory: Path, texts: Texts) -> tuple[PassageColumns, UnitColumns]:
    """The columns of a stored version, memory-mapped (nothing is read until it is used)."""
    tables = Tables.from_dict(json.loads((directory / TABLES).read_text(encoding="utf-8")))
    passage_columns = {name: _mapped(directory / PASSAGE_DIR / f"{name}.npy") for name in PASSAGE_COLUMNS}
    unit_columns = {name: _mapped(directory / UNIT_DIR / f"{name}.npy") for name in UNIT_COLUMNS}
    return PassageColumns(passage_columns, tables, texts), UnitColumns(unit_columns)


def _mapped(path: Path) -> np.ndarray:
    """A stored column, memory-mapped read-only, as a plain ndarray (its base keeps the mapping alive)."""
    return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))


def _outside(column: np.ndarray, low: int, high: int) -> bool:
    """Whether any value of `column` falls outside [low, high)."""
    return bool(len(column)) and (int(column.min()) < low or int(column.max()) >= high)


def column_problem(passages: PassageColumns, units: UnitColumns) -> str | None:
    """What makes the columns unusable (a code or an offset out of range), or None; vectorised, a few ms at 100k passages.

    A damaged file of the right size passes the load's size check and is found by the background checksum check;
    this keeps one from breaking the load (an index error deep in the retriever) meanwhile.
    """
    tables, n = passages.tables, len(passages)
    if any(len(passages.columns[name]) != n for name in PASSAGE_COLUMNS):
        return "the passage columns differ in length"
    if any(len(units.columns[name]) != len(units) for name in UNIT_COLUMNS):
        return "the unit columns differ in length"
    for name, high in (("doc", len(tables.documents)), ("section", len(tables.sections)), ("kind", len(tables.kinds)), ("id_order", n)):
        if _outside(np.asarray(passages.columns[name]), 0, high):
            return f"passages/{name} points outside its table"
    own = np.asarray(passages.own_text)
    if _outside(own, OWN_TEXT_NONE, len(tables.overflow)):
        return "passages/own_text points outside its table"
    starts, ends = np.asarray(passages.start, dtype=np.int64), np.asarray(passages.end, dtype=np.int64)
    doc_lengths = np.array([passages.doc_length(code) for code in range(len(tables.documents))], dtype=np.int64)
    sliced = own == OWN_TEXT_NONE
    if len(starts) and (
        (starts[sliced] < 0).any() or (ends[sliced] < starts[sliced]).any() or (ends[sliced] > doc_lengths[passages.doc[sliced]]).any()
    ):
        return "a passage's offsets fall outside its document's text"
    if _outside(np.asarray(units.passage), 0, n):
        return "units/passage points outside the passages"
    lengths = ends - starts
    if tables.overflow:
        lengths[~sliced] = [len(tables.overflow[k]) for k in own[~sliced]]
    unit_starts, unit_ends = np.asarray(units.start, dtype=np.int64), np.asarray(units.end, dtype=np.int64)
    if len(unit_starts) and ((unit_starts < 0).any() or (unit_ends < unit_starts).any() or (unit_ends > lengths[units.passage]).any()):
        return "a unit's offsets fall outside its passage"
    return None


def _text(value: Any) -> str:
    return value.decode("ascii") if isinstance(value, bytes) else str(value)


class PassageColumns(Sequence[Passage]):
    """The passages of a version, read-only: `passages[i]` builds a Passage from the columns on access.

    The columns themselves (`id`, `doc`, `start`, `end`, `paragraph`, `page_start`, `page_end`, `section`,
    `kind`) are numpy arrays for vectorised callers; `doc`, `section` and `kind` index `tables`.
    """

    def __init__(self, columns: Mapping[str, np.ndarray], tables: Tables, texts: Texts) -> None:
        self.columns = dict(columns)
        self.tables = tables
        self.texts = texts
        self.id = self.columns["id"]
        self.doc = self.columns["doc"]
        self.start = self.columns["start"]
        self.end = self.columns["end"]
        self.paragraph = self.columns["paragraph"]
        self.page_start = self.columns["page_start"]
        self.page_end = self.columns["page_end"]
        self.section = self.columns["section"]
        self.kind = self.columns["kind"]
        self.own_text = self.columns["own_text"]
        self._id_order = self.columns["id_order"]

    def doc_slice(self, doc: int, start: int, end: int) -> str:
        """The span of the text of the document with code `doc` ("" for a document without a stored text)."""
        doc_id = self.tables.documents[doc]
        return self.texts.slice(doc_id, start, end) if doc_id in self.texts else ""

    def doc_length(self, doc: int) -> int:
        doc_id = self.tables.documents[doc]
        return self.texts.length(doc_id) if doc_id in self.texts else 0

    def doc_text(self, doc: int) -> str:
        """The whole text of the document with code `doc` (decoded: for reading many of its passages in a row)."""
        return self.texts.get(self.tables.documents[doc], "")

    def __len__(self) -> int:
        return len(self.id)

    @overload
    def __getitem__(self, index: int) -> Passage: ...

    @overload
    def __getitem__(self, index: slice) -> list[Passage]: ...

    def __getitem__(self, index: int | slice) -> Passage | list[Passage]:
        if isinstance(index, slice):
            return [self._build(i) for i in range(*index.indices(len(self)))]
        i = int(index)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"passage {index} out of range ({len(self)} passages)")
        return self._build(i)

    def _build(self, i: int) -> Passage:
        # `.item` reads one value as a Python object, several times faster than indexing then converting.
        page_start, page_end, own = self.page_start.item(i), self.page_end.item(i), self.own_text.item(i)
        start, end, doc = self.start.item(i), self.end.item(i), self.doc.item(i)
        return Passage(
            id=_text(self.id.item(i)),
            doc_id=self.tables.documents[doc],
            text=self.doc_slice(doc, start, end) if own == OWN_TEXT_NONE else self.tables.overflow[own],
            section=self.tables.sections[self.section.item(i)],
            page_start=None if page_start == NO_PAGE else page_start,
            page_end=None if page_end == NO_PAGE else page_end,
            paragraph=self.paragraph.item(i),
            start=start,
            end=end,
            kind=self.tables.kinds[self.kind.item(i)],
        )

    def __iter__(self) -> Iterator[Passage]:
        texts = _DocumentCursor(self)
        for first in range(0, len(self), _CHUNK):
            yield from self._passages(slice(first, first + _CHUNK), texts)

    def take(self, indexes: np.ndarray) -> list[Passage]:
        """The passages at these indexes (reading each document's text once for passages of the same document in a row)."""
        texts = _DocumentCursor(self)
        indexes = np.asarray(indexes, dtype=np.int64)
        return [p for first in range(0, len(indexes), _CHUNK) for p in self._passages(indexes[first : first + _CHUNK], texts)]

    def _passages(self, rows: slice | np.ndarray, texts: _DocumentCursor) -> Iterator[Passage]:
        ids = [_text(v) for v in self.id[rows].tolist()]
        docs, starts, ends = self.doc[rows].tolist(), self.start[rows].tolist(), self.end[rows].tolist()
        paragraphs, page_starts, page_ends = self.paragraph[rows].tolist(), self.page_start[rows].tolist(), self.page_end[rows].tolist()
        sections, kinds, own = self.section[rows].tolist(), self.kind[rows].tolist(), self.own_text[rows].tolist()
        for k, passage_id in enumerate(ids):
            text = texts.text(docs[k])[starts[k] : ends[k]] if own[k] == OWN_TEXT_NONE else self.tables.overflow[own[k]]
            yield Passage(
                id=passage_id,
                doc_id=self.tables.documents[docs[k]],
                text=text,
                section=self.tables.sections[sections[k]],
                page_start=None if page_starts[k] == NO_PAGE else page_starts[k],
                page_end=None if page_ends[k] == NO_PAGE else page_ends[k],
                paragraph=paragraphs[k],
                start=starts[k],
                end=ends[k],
                kind=self.tables.kinds[kinds[k]],
            )

    def text(self, i: int) -> str:
        """The text of passage `i`, without building the Passage."""
        own = self.own_text.item(i)
        if own != OWN_TEXT_NONE:
            return self.tables.overflow[own]
        return self.doc_slice(self.doc.item(i), self.start.item(i), self.end.item(i))

    def doc_id(self, i: int) -> str:
        return self.tables.documents[self.doc.item(i)]

    def kind_mask(self, kind: str) -> np.ndarray:
        """A boolean array: which passages are of `kind` ("prose", "code", ...)."""
        if kind not in self.tables.kinds:
            return np.zeros(len(self), dtype=bool)
        return np.asarray(self.kind) == self.tables.kinds.index(kind)

    def find(self, passage_id: str) -> int | None:
        """The index of the passage with this id (a binary search over the stored sorted order), or None."""
        ids, order = self.id, self._id_order
        key: str | bytes = passage_id
        if ids.dtype.kind == "S":
            try:
                key = passage_id.encode("ascii")
            except UnicodeEncodeError:
                return None  # every stored id is ASCII
        at = bisect_left(order, key, key=ids.item)
        if at < len(order) and ids.item(order.item(at)) == key:
            return int(order.item(at))
        return None


class _DocumentCursor:
    """The whole text of the document last asked for: reading every passage in order decodes each document once."""

    def __init__(self, passages: PassageColumns) -> None:
        self.passages = passages
        self.doc = -1
        self.decoded = ""

    def text(self, doc: int) -> str:
        if doc != self.doc:
            self.doc, self.decoded = doc, self.passages.doc_text(doc)
        return self.decoded


class PassagePositions(Mapping[str, int]):
    """Passage id -> its index in the passages, looked up in the stored sorted order (no per-passage dict)."""

    def __init__(self, passages: PassageColumns) -> None:
        self.passages = passages

    def __getitem__(self, passage_id: str) -> int:
        found = self.passages.find(passage_id) if isinstance(passage_id, str) else None
        if found is None:
            raise KeyError(passage_id)
        return found

    def __contains__(self, passage_id: object) -> bool:
        return isinstance(passage_id, str) and self.passages.find(passage_id) is not None

    def __len__(self) -> int:
        return len(self.passages)

    def __iter__(self) -> Iterator[str]:
        for value in self.passages.id.tolist():
            yield _text(value)


class UnitColumns(Sequence[Unit]):
    """The search units of a version, read-only: `units[u]` builds a Unit; `passage`, `start`, `end` are numpy columns."""

    def __init__(self, columns: Mapping[str, np.ndarray]) -> None:
        self.columns = dict(columns)
        self.passage = self.columns["passage"]
        self.start = self.columns["start"]
        self.end = self.columns["end"]
        self.keys = UnitKeys(self.columns["key"])

    def __len__(self) -> int:
        return len(self.passage)

    @overload
    def __getitem__(self, index: int) -> Unit: ...

    @overload
    def __getitem__(self, index: slice) -> list[Unit]: ...

    def __getitem__(self, index: int | slice) -> Unit | list[Unit]:
        if isinstance(index, slice):
            rows = slice(*index.indices(len(self)))
            return [Unit(*row) for row in zip(self.passage[rows].tolist(), self.start[rows].tolist(), self.end[rows].tolist(), strict=True)]
        i = int(index)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"unit {index} out of range ({len(self)} units)")
        return Unit(self.passage.item(i), self.start.item(i), self.end.item(i))

    def __iter__(self) -> Iterator[Unit]:
        for first in range(0, len(self), _CHUNK):
            yield from self[first : first + _CHUNK]

    def text(self, unit: int, passages: PassageColumns) -> str:
        """The text of one unit, straight from the columns (no Passage or Unit built)."""
        owner, start, end = self.passage.item(unit), self.start.item(unit), self.end.item(unit)
        own = passages.own_text.item(owner)
        if own != OWN_TEXT_NONE:
            return passages.tables.overflow[own][start:end]
        base = passages.start.item(owner)
        return passages.doc_slice(passages.doc.item(owner), base + start, base + end)

    def texts(self, passages: PassageColumns) -> list[str]:
        """The text of every unit (a slice of its passage's text), in unit order."""
        out: list[str] = []
        texts = _DocumentCursor(passages)
        for first in range(0, len(self), _CHUNK):
            rows = slice(first, first + _CHUNK)
            owners = np.asarray(self.passage[rows])
            docs = passages.doc[owners].tolist()
            bases = passages.start[owners].tolist()
            own = passages.own_text[owners].tolist()
            for k, (start, end) in enumerate(zip(self.start[rows].tolist(), self.end[rows].tolist(), strict=True)):
                if own[k] == OWN_TEXT_NONE:
                    out.append(texts.text(docs[k])[bases[k] + start : bases[k] + end])
                else:
                    out.append(passages.tables.overflow[own[k]][start:end])
        return out


class UnitKeys(Sequence[str]):
    """The embedding-input keys of the units (for reusing vectors), as strings over a stored array."""

    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    def __len__(self) -> int:
        return len(self.array)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [_text(v) for v in self.array[index].tolist()]
        return _text(self.array[index])

    def __iter__(self) -> Iterator[str]:
        for first in range(0, len(self), _CHUNK):
            yield from (_text(v) for v in self.array[first : first + _CHUNK].tolist())

    def take(self, rows: np.ndarray) -> list[str]:
        """The keys of these units."""
        return [_text(v) for v in self.array[np.asarray(rows, dtype=np.int64)].tolist()]


def in_memory(
    passages: Sequence[Passage], units: Sequence[Unit], unit_keys: Sequence[str], texts: Mapping[str, str]
) -> tuple[PassageColumns, UnitColumns]:
    """Views over columns built in memory (for versions stored in the older JSON-lines format)."""
    passage_columns, unit_columns, tables = build_columns(passages, units, unit_keys, texts)
    return PassageColumns(passage_columns, tables, texts if isinstance(texts, Texts) else InMemoryTexts(texts)), UnitColumns(unit_columns)


def read_rows(vectors: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """These rows of an array loaded with `np.load(..., mmap_mode="r")` as float32, read with pread, not through the map.

    A page fault maps the page cache's whole large folio (up to 2 MB here): gathering a few hundred scattered rows per
    question through the map left most of a 600-800 MB vectors file resident in the process at 100,000 passages; 600
    rows of 384 float32 read this way take about 1.5 ms. A slice of a map, or a version's files removed under a process
    still serving it (the map keeps an unlinked file readable), are read through the map.
    """
    rows = np.asarray(rows, dtype=np.int64)
    if len(rows) and (int(rows.min()) < 0 or int(rows.max()) >= len(vectors)):
        raise IndexError(f"rows outside 0..{len(vectors) - 1}")
    if (
        not isinstance(vectors, np.memmap)
        or vectors.filename is None
        or not isinstance(vectors.base, mmap.mmap)  # a slice's offset is its map's, not its own
        or not vectors.flags.c_contiguous
    ):
        return np.ascontiguousarray(vectors[rows], dtype=np.float32)
    width = vectors.shape[1] * vectors.itemsize
    try:
        with open(vectors.filename, "rb", buffering=0) as handle:
            descriptor = handle.fileno()
            data = bytearray(b"".join([os.pread(descriptor, width, vectors.offset + row * width) for row in rows.tolist()]))
    except OSError:
        return np.ascontiguousarray(vectors[rows], dtype=np.float32)
    return np.frombuffer(data, dtype=vectors.dtype).reshape(len(rows), vectors.shape[1]).astype(np.float32, copy=False)
