"""Fusion: one score per search unit from the signals, the best units, and passages ranked by their best unit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.params import RetrievalParams
from index.signals import DenseScores, QuestionScripts

# Above this many units only FAISS's candidates and the units with a lexical match are partitioned for the top ones.
CANDIDATES_ONLY_ABOVE = 20_000
MEDIAN_SAMPLE = 8192


@dataclass(frozen=True)
class UnitSignals:
    """Every signal's score per unit for one question (None where a signal does not apply to it)."""

    dense: DenseScores
    lexical: np.ndarray
    english: np.ndarray | None = None
    korean: np.ndarray | None = None
    chinese_korean: np.ndarray | None = None
    chinese_english: np.ndarray | None = None


@dataclass(frozen=True)
class UnitHit:
    """One search unit (a sentence span of a passage) and its fused score; `bridge` is the English bridge's part of it."""

    unit: int
    passage: int
    start: int
    end: int
    score: float
    bridge: float = 0.0


def max_normalised(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if len(scores) else 0.0
    return scores / top if top > 0 else scores


def fuse(signals: UnitSignals, scripts: QuestionScripts, params: RetrievalParams) -> np.ndarray:
    """dense + lexical weight x max-normalised BM25, plus each bridge that applies to the question, per unit."""
    weight = params.lexical_weight * scripts.cjk + params.cross_lingual_weight * (1.0 - scripts.cjk)
    fused = signals.dense.scores + weight * max_normalised(signals.lexical)
    if signals.english is not None:
        fused = fused + signals.english
    if signals.korean is not None and len(signals.korean):
        fused = fused + params.korean_weight * scripts.hangul * max_normalised(signals.korean)
    if signals.chinese_korean is not None:
        fused = fused + params.chinese_korean_weight * scripts.cjk * max_normalised(signals.chinese_korean)
    if signals.chinese_english is not None:
        fused = fused + params.chinese_english_weight * scripts.cjk * max_normalised(signals.chinese_english)
    return fused


def top_units(fused: np.ndarray, signals: UnitSignals, wanted: int) -> np.ndarray:
    """The `wanted` best units in order (ties by unit number).

    Outside FAISS's candidates a unit's dense score is the floor, so on a large index only a lexical match can lift
    it: only those candidates are partitioned, then the few best sorted.
    """
    if len(fused) > CANDIDATES_ONLY_ABOVE:
        mask = signals.lexical > 0
        mask[signals.dense.candidates] = True
        for bridge in (signals.korean, signals.chinese_korean, signals.chinese_english):
            if bridge is not None and len(bridge):
                mask |= bridge > 0
        candidates = np.flatnonzero(mask)
    else:
        candidates = np.arange(len(fused))
    if wanted < len(candidates):
        top = candidates[np.argpartition(-fused[candidates], wanted - 1)[:wanted]]
    else:
        top = candidates
    return top[np.lexsort((top, -fused[top]))]


def rank_passages(hits: list[UnitHit], k: int) -> list[tuple[int, float]]:
    """Passages ranked by their best unit: (passage index, score)."""
    best: dict[int, float] = {}
    for hit in hits:
        best.setdefault(hit.passage, hit.score)
    return sorted(best.items(), key=lambda item: -item[1])[:k]


def median_level(values: np.ndarray) -> float:
    """The median unit score (from an evenly strided sample once there are many units): the 'nothing special' level."""
    if len(values) > 2 * MEDIAN_SAMPLE:
        values = values[:: len(values) // MEDIAN_SAMPLE]
    return float(np.median(values)) if len(values) else 0.0
