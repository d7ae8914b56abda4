"""Retrieval signals, each scoring every search unit on its own: dense, lexical, and the cross-language bridges."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.crosslingual import Glossary, chinese_glosses, concept_coverage, english_words, hangul_bigrams, korean_reading
from index.lexical import LexicalIndex, SparseScores, TokenIndex, tokens, without_question_words
from index.scripts import cjk_share, hangul_share, letter_shares, to_matching_script

log = logging.getLogger(__name__)

# Folded, space-free unit texts kept for the English bridge (about 15 MB when full). An English question folds those
# of its up to 400 candidates not cached yet: p50 5.8 ms, p95 10 ms for 400 cold ones at 100k passages, under 1 ms warm.
SQUASHED_CACHE = 50_000


@dataclass(frozen=True)
class QuestionScripts:
    """How a question is written: its share of Chinese characters and of Hangul among its letters."""

    cjk: float
    hangul: float

    @classmethod
    def of(cls, question: str) -> QuestionScripts:
        return cls(cjk=cjk_share(question), hangul=hangul_share(question))

    @property
    def chinese(self) -> bool:
        return self.cjk >= 0.5

    @property
    def english(self) -> bool:
        """Neither Chinese nor Korean: the English bridge applies."""
        return self.cjk < 0.5 and self.hangul == 0


@dataclass(frozen=True)
class DenseScores:
    """Cosine of the question with every unit: FAISS's candidates exactly, the rest at the lowest candidate score.

    Kept as the candidates and that floor: `at` gives any units' scores without an array the length of the index.
    """

    candidates: np.ndarray  # unit numbers, best first
    candidate_scores: np.ndarray  # float32, one per candidate
    floor: float  # the score of every other unit
    size: int

    @functools.cached_property
    def scores(self) -> np.ndarray:
        """Every unit's score, as one array."""
        dense = np.full(self.size, self.floor, dtype=np.float32)
        dense[self.candidates] = self.candidate_scores
        return dense

    @functools.cached_property
    def _sorted(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(self.candidates, kind="stable")
        return self.candidates[order], self.candidate_scores[order]

    def at(self, units: np.ndarray) -> np.ndarray:
        """The scores of these units."""
        if len(units) * 16 > self.size:  # many: gather them from one array of every unit
            return self.scores[units]
        out = np.full(len(units), self.floor, dtype=np.float32)
        ids, scores = self._sorted
        if len(ids) and len(units):
            where = np.minimum(np.searchsorted(ids, units), len(ids) - 1)
            found = ids[where] == units
            out[found] = scores[where[found]]
        return out

    def best(self, excluded: np.ndarray | None = None) -> float:
        """The best score of a unit, leaving out the units where `excluded` (a mask over every unit) is set."""
        kept = self.candidate_scores if excluded is None else self.candidate_scores[~excluded[self.candidates]]
        others = self.size - (0 if excluded is None else int(np.count_nonzero(excluded)))
        values = [float(kept.max())] if len(kept) else []
        if others > len(kept):  # a unit left to the floor
            values.append(float(np.float32(self.floor)))
        return max(values)


def script_of(cjk: float, hangul: float) -> str:
    """The script a text (or question) is mostly written in, from its letter shares: "zh", "ko" or "en" (Latin)."""
    return "zh" if cjk >= 0.5 else "ko" if hangul > 0.5 else "en"


class UnitScripts:
    """The script of each search unit, worked out when first asked for and kept (at most SQUASHED_CACHE of them)."""

    def __init__(self, unit_text: object) -> None:
        self._unit_text = unit_text
        self._scripts: dict[int, str] = {}

    def of(self, unit: int) -> str:
        script = self._scripts.get(unit)
        if script is None:
            if len(self._scripts) > SQUASHED_CACHE:
                self._scripts.clear()
            script = self._scripts[unit] = script_of(*letter_shares(self._unit_text(unit)))  # type: ignore[operator]
        return script


@dataclass(frozen=True)
class LexicalScale:
    """The lexical signal's multiplier per unit: `factor` on every unit except the dense candidates written in another
    script than the question (`kept`, sorted), which keep their lexical score whole."""

    factor: float
    kept: np.ndarray

    def at(self, units: np.ndarray) -> np.ndarray:
        out = np.full(len(units), self.factor, dtype=np.float32)
        if len(self.kept) and len(units):
            where = np.minimum(np.searchsorted(self.kept, units), len(self.kept) - 1)
            out[self.kept[where] == units] = 1.0
        return out

    @classmethod
    def for_question(cls, dense: DenseScores, scripts: UnitScripts, question_script: str, gap: float) -> LexicalScale | None:
        """Lexical matches in the question's own script count as far as the dense signal finds that script plausible.

        A question's words match its own script best (a Chinese question's bigrams, any Chinese unit), so sharing a
        script is no evidence that a unit answers it. When the best dense candidate in the question's script is below
        the best candidate overall by `gap` or more, lexical scores of units in that script count for nothing; at no
        distance, in full; linearly between. Units in other scripts keep their lexical score.
        """
        if gap <= 0 or not len(dense.candidates):
            return None
        own = np.array([scripts.of(int(u)) == question_script for u in dense.candidates], dtype=bool)
        best_own = float(dense.candidate_scores[own].max()) if own.any() else dense.floor
        distance = float(dense.candidate_scores.max()) - best_own
        factor = min(1.0, max(0.0, 1.0 - distance / gap))
        if factor >= 1.0:
            return None
        return cls(factor, np.sort(dense.candidates[~own]).astype(np.int64))


class DenseSignal:
    """Inner product over normalised vectors (cosine similarity) from the version's FAISS index."""

    def __init__(self, faiss_index: object, unit_count: int) -> None:
        self.index = faiss_index
        self.size = unit_count

    def scores(self, query: np.ndarray, depth: int) -> DenseScores:
        depth = min(self.size, depth)
        scores, ids = self.index.search(query, depth)  # type: ignore[attr-defined]
        valid = ids[0] >= 0
        return DenseScores(ids[0][valid], scores[0][valid].astype(np.float32), float(scores[0][-1]) if depth else 0.0, self.size)


class LexicalSignal:
    """BM25 over script-folded tokens of the units (Chinese bigrams, Hangul bigrams, Latin words), with the English
    question's dictionary translations added to its query."""

    def __init__(self, unit_texts: Sequence[str], glossary: Glossary) -> None:
        self.index = LexicalIndex(unit_texts)
        self.glossary = glossary

    @classmethod
    def from_tables(cls, index: LexicalIndex, glossary: Glossary) -> LexicalSignal:
        """The signal over a lexical index and glossary built earlier (saved with the version)."""
        signal = cls.__new__(cls)
        signal.index = index
        signal.glossary = glossary
        return signal

    def scores(self, question: str, scripts: QuestionScripts) -> SparseScores:
        extra = self.glossary.translate(question) if not scripts.chinese else []
        return self.index.sparse_scores(question, extra)

    def known_share(self, question: str) -> float:
        return self.index.known_share(question)

    def content(self, question: str) -> tuple[float, int]:
        """Share (and count) of a Chinese question's tokens found in the documents once the documents' names are cut out."""
        rest = self.glossary.without_names(to_matching_script(question))
        return self.index.known(tokens(rest, query=True))


class EnglishBridge:
    """An English question's names, dates and unambiguous words found in a unit, IDF-weighted (index/crosslingual.py)."""

    def __init__(self, glossary: Glossary, unit_text: object, unit_count: int) -> None:
        self.glossary = glossary
        self._unit_text = unit_text
        self.size = unit_count
        self._squashed: dict[int, str] = {}
        self._english: dict[int, bool] = {}

    def bonus(
        self, question: str, candidates: np.ndarray, name_weight: float, word_weight: float, english_scale: float = 1.0
    ) -> SparseScores | None:
        """The bonus of each of the dense candidates (no other unit has one), scaled by `english_scale` on the
        candidates that are English text."""
        concepts = self.glossary.concepts(question)
        if not concepts or not len(candidates):
            return None
        names = [c for c in concepts if c.kind != "word"]
        words = [c for c in concepts if c.kind == "word"]
        texts = [self._squashed_unit(int(u)) for u in candidates]
        bonus = (name_weight * concept_coverage(names, texts) + word_weight * concept_coverage(words, texts)).astype(np.float32)
        if english_scale != 1.0:
            bonus *= np.where([self._english_unit(int(u)) for u in candidates], np.float32(english_scale), np.float32(1.0))
        order = np.argsort(candidates, kind="stable")
        return SparseScores(np.asarray(candidates[order], dtype=np.int64), bonus[order], self.size)

    def _english_unit(self, unit: int) -> bool:
        english = self._english.get(unit)
        if english is None:
            if len(self._english) > SQUASHED_CACHE:
                self._english.clear()
            english = self._english[unit] = _is_english(*letter_shares(self._unit_text(unit)))  # type: ignore[operator]
        return english

    def _squashed_unit(self, unit: int) -> str:
        text = self._squashed.get(unit)
        if text is None:
            if len(self._squashed) > SQUASHED_CACHE:
                self._squashed.clear()
            text = self._squashed[unit] = "".join(to_matching_script(self._unit_text(unit)).split())  # type: ignore[operator]
        return text


class KoreanReadings:
    """Korean and Chinese meet through Sino-Korean readings: every Chinese character read as its Hangul syllable.

    Units are indexed read that way (Korean units as they are), so a Korean question's Hangul bigrams find Chinese
    units (공동성명 ~ 共同聲明), and a Chinese question read the same way finds Korean units (依賴地獄 ~ 의존성 지옥).
    """

    def __init__(self, unit_texts: Sequence[str]) -> None:
        readings = [hangul_bigrams(korean_reading(text)) for text in unit_texts]
        self.index = TokenIndex(readings)
        self.korean_units = np.fromiter((letter_shares(text)[1] > 0.5 for text in unit_texts), dtype=bool, count=len(unit_texts))
        self._korean_vocabulary = frozenset(t for tokens_, korean in zip(readings, self.korean_units) if korean for t in tokens_)

    @classmethod
    def from_tables(cls, index: TokenIndex, korean_units: np.ndarray, korean_vocabulary: frozenset[str]) -> KoreanReadings:
        """The readings index, the mask of Korean units and their bigrams, built earlier (saved with the version)."""
        readings = cls.__new__(cls)
        readings.index = index
        readings.korean_units = korean_units
        readings._korean_vocabulary = korean_vocabulary
        return readings

    @property
    def korean_vocabulary(self) -> frozenset[str]:
        """The reading bigrams of the Korean units."""
        return self._korean_vocabulary

    def scores(self, question: str) -> SparseScores:
        """A Korean question against every unit."""
        return self.index.sparse_scores(hangul_bigrams(without_question_words(question)))

    def bridge_scores(self, scores: SparseScores) -> SparseScores:
        """`scores` of a Korean question at the units that are not Korean: the bridge to Chinese text only (a Korean
        unit's reading is its own Hangul, which the lexical signal already matches)."""
        return _without(scores, self.korean_units)

    def chinese_scores(self, question: str) -> SparseScores | None:
        """A Chinese question read in Sino-Korean against the Korean units only (Chinese units have the lexical signal)."""
        if not self.korean_units.any():
            return None
        return _without(self.index.sparse_scores(hangul_bigrams(korean_reading(question))), ~self.korean_units)

    def chinese_known_share(self, question: str) -> float:
        """The share of a Chinese question's bigrams, read in Sino-Korean, that the Korean units hold."""
        bigrams = hangul_bigrams(korean_reading(question))
        return sum(1 for t in bigrams if t in self._korean_vocabulary) / len(bigrams) if bigrams else 0.0


def _without(scores: SparseScores, excluded: np.ndarray) -> SparseScores:
    """`scores` with the units where `excluded` (a mask over every unit) is set at zero."""
    if scores.full is not None:
        return SparseScores.from_dense(np.where(excluded, np.float32(0.0), scores.full))
    kept = ~excluded[scores.units]
    return SparseScores(scores.units[kept], scores.values[kept], scores.size)


def _is_english(cjk: float, hangul: float) -> bool:
    return cjk < 0.5 and hangul == 0


class ChineseEnglishBridge:
    """A Chinese question's words (longest CC-CEDICT headwords first) as their English glosses, against English units."""

    MAX_HEADWORD = 4

    def __init__(self, unit_texts: Sequence[str]) -> None:
        english = [english_words(text) if _is_english(*letter_shares(text)) else [] for text in unit_texts]
        self.index = TokenIndex(english)
        self._glosses = chinese_glosses() if any(english) else {}

    @classmethod
    def from_tables(cls, index: TokenIndex, glosses: dict[str, tuple[str, ...]]) -> ChineseEnglishBridge:
        """The bridge over an index of the English units' words and the glosses (empty when no unit is English)."""
        bridge = cls.__new__(cls)
        bridge.index = index
        bridge._glosses = glosses
        return bridge

    @property
    def glosses(self) -> dict[str, tuple[str, ...]]:
        """Headword -> English words (CC-CEDICT), or nothing when no unit is English."""
        return self._glosses

    def scores(self, question: str) -> SparseScores | None:
        words = [w for gloss in self._segment(question) for w in gloss]
        return self.index.sparse_scores(words) if words else None

    def known_share(self, question: str) -> float:
        """The share of a Chinese question's dictionary words with a gloss word that the English units hold."""
        glosses = self._segment(question)
        vocabulary = self.index.vocabulary
        return sum(1 for gloss in glosses if any(w in vocabulary for w in gloss)) / len(glosses) if glosses else 0.0

    def _segment(self, question: str) -> list[tuple[str, ...]]:
        """The glosses of the question's words, longest headword first."""
        if not self._glosses:
            return []
        folded = to_matching_script(question)
        found: list[tuple[str, ...]] = []
        i = 0
        while i < len(folded):
            for size in range(self.MAX_HEADWORD, 1, -1):
                gloss = self._glosses.get(folded[i : i + size])
                if gloss:
                    found.append(gloss)
                    i += size
                    break
            else:
                i += 1
        return found
