"""Fusion: one score per search unit from the signals, the best units, and passages ranked by their best unit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.lexical import SparseScores, distinct_sorted
from index.params import RetrievalParams
from index.signals import DenseScores, QuestionScripts

# Above this many units only FAISS's candidates and the units with a lexical match are partitioned for the top ones.
CANDIDATES_ONLY_ABOVE = 20_000
MEDIAN_SAMPLE = 8192


@dataclass(frozen=True)
class UnitSignals:
    """Every signal's scores for one question (None where a signal does not apply to it)."""

    dense: DenseScores
    lexical: SparseScores
    english: SparseScores | None = None
    korean: SparseScores | None = None
    chinese_korean: SparseScores | None = None
    chinese_english: SparseScores | None = None

    @property
    def size(self) -> int:
        return self.dense.size


@dataclass(frozen=True)
class UnitHit:
    """One search unit (a sentence span of a passage) and its fused score; `bridge` is the English bridge's part of it."""

    unit: int
    passage: int
    start: int
    end: int
    score: float
    bridge: float = 0.0


def _normalised_at(scores: SparseScores, units: np.ndarray) -> np.ndarray:
    """The scores of these units divided by the best score of any unit (as they are when no unit scores above 0)."""
    top = scores.max()
    values = scores.at(units)
    return values / top if top > 0 else values


def fuse(signals: UnitSignals, scripts: QuestionScripts, params: RetrievalParams, units: np.ndarray | None = None) -> np.ndarray:
    """dense + lexical weight x max-normalised BM25, plus each bridge that applies to the question, at these units
    (every unit by default).

    The sums are the same element by element whichever units are asked for, so a unit's fused score does not depend
    on which others are computed with it.
    """
    if units is None:
        units = np.arange(signals.size)
    weight = params.lexical_weight * scripts.cjk + params.cross_lingual_weight * (1.0 - scripts.cjk)
    fused = signals.dense.at(units) + weight * _normalised_at(signals.lexical, units)
    if signals.english is not None:
        fused = fused + signals.english.at(units)
    if signals.korean is not None and len(signals.korean):
        fused = fused + params.korean_weight * scripts.hangul * _normalised_at(signals.korean, units)
    if signals.chinese_korean is not None:
        fused = fused + params.chinese_korean_weight * scripts.cjk * _normalised_at(signals.chinese_korean, units)
    if signals.chinese_english is not None:
        fused = fused + params.chinese_english_weight * scripts.cjk * _normalised_at(signals.chinese_english, units)
    return fused


def candidate_units(signals: UnitSignals) -> np.ndarray:
    """The units that can rank first, in unit order: every unit of a small index; on a large one FAISS's candidates
    and the units a lexical signal or bridge scores above zero.

    Outside FAISS's candidates a unit's dense score is the floor, so only a lexical match can lift it: every other unit
    scores the floor exactly, at most the worst candidate's score, and FAISS returns more candidates than are kept.
    """
    if signals.size <= CANDIDATES_ONLY_ABOVE:
        return np.arange(signals.size)
    lexical = [signals.lexical] + [b for b in (signals.korean, signals.chinese_korean, signals.chinese_english) if b is not None and len(b)]
    if any(scores.full is not None for scores in lexical):  # many matches: one mask over every unit beats sorting them
        mask = np.zeros(signals.size, dtype=bool)
        mask[signals.dense.candidates] = True
        for scores in lexical:
            scores.mark_positive(mask)
        return np.flatnonzero(mask)
    parts = [signals.dense.candidates] + [scores.positive() for scores in lexical]
    return distinct_sorted(np.concatenate(parts).astype(np.int64, copy=False))[0]


def top_units(fused: np.ndarray, wanted: int) -> np.ndarray:
    """Positions of the `wanted` best scores of `fused` (the candidate units' scores, in unit order), best first, ties
    by unit number."""
    if wanted < len(fused):
        picked = np.argpartition(-fused, wanted - 1)[:wanted]
    else:
        picked = np.arange(len(fused))
    return picked[np.lexsort((picked, -fused[picked]))]


def rank_passages(hits: list[UnitHit], k: int) -> list[tuple[int, float]]:
    """Passages ranked by their best unit: (passage index, score)."""
    best: dict[int, float] = {}
    for hit in hits:
        best.setdefault(hit.passage, hit.score)
    return sorted(best.items(), key=lambda item: -item[1])[:k]


def median_sample(size: int) -> np.ndarray:
    """The units whose median is the 'nothing special' level: every unit, or every n-th once there are many (about
    MEDIAN_SAMPLE of them)."""
    return np.arange(0, size, size // MEDIAN_SAMPLE) if size > 2 * MEDIAN_SAMPLE else np.arange(size)


def median_level(sampled: np.ndarray) -> float:
    """The median of the fused scores of `median_sample`'s units: the 'nothing special' level (0.0 for none)."""
    return float(np.median(sampled)) if len(sampled) else 0.0
