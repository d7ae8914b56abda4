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

    def bonus(self, question: str, candidates: np.ndarray, name_weight: float, word_weight: float) -> SparseScores | None:
        """The bonus of each of the dense candidates (no other unit has one)."""
        concepts = self.glossary.concepts(question)
        if not concepts or not len(candidates):
            return None
        names = [c for c in concepts if c.kind != "word"]
        words = [c for c in concepts if c.kind == "word"]
        texts = [self._squashed_unit(int(u)) for u in candidates]
        bonus = (name_weight * concept_coverage(names, texts) + word_weight * concept_coverage(words, texts)).astype(np.float32)
        order = np.argsort(candidates, kind="stable")
        return SparseScores(np.asarray(candidates[order], dtype=np.int64), bonus[order], self.size)

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
        readings = [self.unit_tokens(text) for text in unit_texts]
        self.index = TokenIndex(readings)
        self.korean_units = np.fromiter((self.is_korean(text) for text in unit_texts), dtype=bool, count=len(unit_texts))
        self._korean_vocabulary = frozenset(t for tokens_, korean in zip(readings, self.korean_units) if korean for t in tokens_)

    @staticmethod
    def unit_tokens(text: str) -> list[str]:
        """What a unit is indexed as: the Hangul bigrams of its Sino-Korean reading."""
        return hangul_bigrams(korean_reading(text))

    @staticmethod
    def is_korean(text: str) -> bool:
        """A unit mostly in Hangul."""
        return letter_shares(text)[1] > 0.5

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

    def chinese_scores(self, question: str) -> SparseScores | None:
        """A Chinese question read in Sino-Korean against the Korean units only (Chinese units have the lexical signal)."""
        if not self.korean_units.any():
            return None
        scores = self.index.sparse_scores(hangul_bigrams(korean_reading(question)))
        if scores.full is not None:
            return SparseScores.from_dense(np.where(self.korean_units, scores.full, np.float32(0.0)))
        korean = self.korean_units[scores.units]
        return SparseScores(scores.units[korean], scores.values[korean], scores.size)

    def chinese_known_share(self, question: str) -> float:
        """The share of a Chinese question's bigrams, read in Sino-Korean, that the Korean units hold."""
        bigrams = hangul_bigrams(korean_reading(question))
        return sum(1 for t in bigrams if t in self._korean_vocabulary) / len(bigrams) if bigrams else 0.0


def _is_english(cjk: float, hangul: float) -> bool:
    return cjk < 0.5 and hangul == 0


class ChineseEnglishBridge:
    """A Chinese question's words (longest CC-CEDICT headwords first) as their English glosses, against English units."""

    MAX_HEADWORD = 4

    def __init__(self, unit_texts: Sequence[str]) -> None:
        english = [self.unit_tokens(text) for text in unit_texts]
        self.index = TokenIndex(english)
        self._glosses = chinese_glosses() if any(english) else {}

    @staticmethod
    def unit_tokens(text: str) -> list[str]:
        """What a unit is indexed as: the words of an English unit, none of any other."""
        return english_words(text) if _is_english(*letter_shares(text)) else []

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
