"""Retrieval signals, each scoring every search unit on its own: dense, lexical, and the cross-language bridges."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.crosslingual import Glossary, concept_coverage, hangul_bigrams, korean_reading
from index.lexical import LexicalIndex, TokenIndex, tokens
from index.scripts import cjk_share, hangul_share, to_matching_script

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
    """Cosine of the question with every unit: FAISS's candidates exactly, the rest at the lowest candidate score."""

    scores: np.ndarray
    candidates: np.ndarray


class DenseSignal:
    """Inner product over normalised vectors (cosine similarity) from the version's FAISS index."""

    def __init__(self, faiss_index: object, unit_count: int) -> None:
        self.index = faiss_index
        self.size = unit_count

    def scores(self, query: np.ndarray, depth: int) -> DenseScores:
        depth = min(self.size, depth)
        scores, ids = self.index.search(query, depth)  # type: ignore[attr-defined]
        dense = np.full(self.size, float(scores[0][-1]) if depth else 0.0, dtype=np.float32)
        valid = ids[0] >= 0
        dense[ids[0][valid]] = scores[0][valid]
        return DenseScores(dense, ids[0][valid])


class LexicalSignal:
    """BM25 over script-folded tokens of the units (Chinese bigrams, Hangul bigrams, Latin words), with the English
    question's dictionary translations added to its query."""

    def __init__(self, unit_texts: Sequence[str], glossary: Glossary) -> None:
        self.index = LexicalIndex(unit_texts)
        self.glossary = glossary

    def scores(self, question: str, scripts: QuestionScripts) -> np.ndarray:
        extra = self.glossary.translate(question) if not scripts.chinese else []
        return self.index.scores(question, extra)

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

    def bonus(self, question: str, candidates: np.ndarray, name_weight: float, word_weight: float) -> np.ndarray | None:
        concepts = self.glossary.concepts(question)
        if not concepts or not len(candidates):
            return None
        names = [c for c in concepts if c.kind != "word"]
        words = [c for c in concepts if c.kind == "word"]
        texts = [self._squashed_unit(int(u)) for u in candidates]
        bonus = np.zeros(self.size, dtype=np.float32)
        bonus[candidates] = name_weight * concept_coverage(names, texts) + word_weight * concept_coverage(words, texts)
        return bonus

    def _squashed_unit(self, unit: int) -> str:
        text = self._squashed.get(unit)
        if text is None:
            if len(self._squashed) > SQUASHED_CACHE:
                self._squashed.clear()
            text = self._squashed[unit] = "".join(to_matching_script(self._unit_text(unit)).split())  # type: ignore[operator]
        return text


class KoreanReadings:
    """A Korean question's Hangul bigrams against the units read in Sino-Korean (Chinese characters as Hangul)."""

    def __init__(self, unit_texts: Sequence[str]) -> None:
        self.index = TokenIndex([hangul_bigrams(korean_reading(text)) for text in unit_texts])

    def scores(self, question: str) -> np.ndarray:
        return self.index.scores(hangul_bigrams(question))
