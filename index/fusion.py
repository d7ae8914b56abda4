"""Fusion: one score per search unit from the signals, the best units, and passages ranked by their best unit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.lexical import SparseScores, distinct_sorted
from index.params import RetrievalParams
from index.signals import NO_LANGUAGE, DenseScores, QuestionScripts, script_language

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
    word_bridge: SparseScores | None = None  # the question's words matched across scripts by their vectors
    # Share of the best dense units written in the question's language (`own_language_share`; 1.0 when unknown).
    own_language_share: float = 1.0
    # The dense scores before the second encoder was blended in (None when it was not): each unit's `UnitHit.dense`,
    # which the gate's answer-unit margin compares with everyday text, as the question's own margin uses e5 alone.
    dense_before_second: DenseScores | None = None

    @property
    def size(self) -> int:
        return self.dense.size


@dataclass(frozen=True)
class UnitHit:
    """One search unit (a sentence span of a passage) and its fused score; `bridge` is the English bridge's part of it,
    `dense` its cosine with the question alone."""

    unit: int
    passage: int
    start: int
    end: int
    score: float
    bridge: float = 0.0
    dense: float = 0.0


def _normalised_at(scores: SparseScores, units: np.ndarray, scale: float) -> np.ndarray:
    """The scores of these units divided by `scale` (as they are when it is not above 0)."""
    values = scores.at(units)
    return values / scale if scale > 0 else values


def _scale(scores: SparseScores, ideal: bool) -> float:
    """What a BM25 term is divided by: its ideal score (`SparseScores.ideal`) where asked for and known, else the best
    unit's score."""
    return scores.ideal if ideal and scores.ideal is not None else scores.max()


def own_language_share(dense: DenseScores, unit_languages: np.ndarray, scripts: QuestionScripts, depth: int) -> float:
    """The share of the `depth` best dense units written in the question's language or in none (1.0 for an empty
    index)."""
    top = dense.candidates[:depth]
    if not len(top):
        return 1.0
    languages = unit_languages[top]
    return float(np.mean((languages == script_language(scripts.cjk, scripts.hangul)) | (languages == NO_LANGUAGE)))


def scaled_where(scores: SparseScores, mask: np.ndarray, factor: float) -> SparseScores:
    """These scores with those of the units where `mask` (one flag per unit) is set multiplied by `factor`."""
    if scores.full is not None:
        return SparseScores.from_dense(np.where(mask, scores.full * np.float32(factor), scores.full).astype(np.float32))
    values = np.where(mask[scores.units], scores.values * np.float32(factor), scores.values).astype(np.float32)
    return SparseScores(scores.units, values, scores.size)


def lexical_terms(signals: UnitSignals, scripts: QuestionScripts, params: RetrievalParams) -> list[tuple[SparseScores, float, float]]:
    """The lexical signal and each bridge that applies to the question, with its weight and what its scores are divided
    by (`lexical_scale`), in the order `fuse` adds them."""
    share = signals.own_language_share
    chinese = params.lexical_weight * share + params.lexical_weight_elsewhere * (1.0 - share)
    every_term = params.lexical_scale == "every_term"
    lexical_ideal = every_term or params.lexical_scale == "every_question" or (params.lexical_scale == "ideal" and scripts.chinese)
    terms = [(signals.lexical, chinese * scripts.cjk + params.cross_lingual_weight * (1.0 - scripts.cjk), lexical_ideal)]
    if signals.korean is not None and len(signals.korean):
        terms.append((signals.korean, params.korean_weight * scripts.hangul, every_term))
    if signals.chinese_korean is not None:
        terms.append((signals.chinese_korean, params.chinese_korean_weight * scripts.cjk, every_term))
    if signals.chinese_english is not None:
        terms.append((signals.chinese_english, params.chinese_english_weight * scripts.cjk, every_term))
    if signals.word_bridge is not None:
        terms.append((signals.word_bridge, params.word_bridge_weight, every_term))
    return [(scores, weight, _scale(scores, ideal)) for scores, weight, ideal in terms]


def fuse(signals: UnitSignals, scripts: QuestionScripts, params: RetrievalParams, units: np.ndarray | None = None) -> np.ndarray:
    """dense + lexical weight x normalised BM25, plus each bridge that applies to the question, at these units
    (every unit by default).

    The sums are the same element by element whichever units are asked for, so a unit's fused score does not depend
    on which others are computed with it.
    """
    if units is None:
        units = np.arange(signals.size)
    (lexical, weight, scale), *bridges = lexical_terms(signals, scripts, params)
    fused = signals.dense.at(units) + weight * _normalised_at(lexical, units, scale)
    if signals.english is not None:
        fused = fused + signals.english.at(units)
    for scores, weight, scale in bridges:
        fused = fused + weight * _normalised_at(scores, units, scale)
    return fused


def candidate_units(signals: UnitSignals) -> np.ndarray:
    """The units that can rank first, in unit order: every unit of a small index; on a large one FAISS's candidates
    and the units a lexical signal or bridge scores above zero.

    Outside FAISS's candidates a unit's dense score is the floor, so only a lexical match can lift it: every other unit
    scores the floor exactly, at most the worst candidate's score, and FAISS returns more candidates than are kept.
    """
    if signals.size <= CANDIDATES_ONLY_ABOVE:
        return np.arange(signals.size)
    bridges = (signals.korean, signals.chinese_korean, signals.chinese_english, signals.word_bridge)
    lexical = [signals.lexical] + [b for b in bridges if b is not None and len(b)]
    if any(scores.full is not None for scores in lexical):  # many matches: one mask over every unit beats sorting them
        mask = np.zeros(signals.size, dtype=bool)
        mask[signals.dense.candidates] = True
        for scores in lexical:
            scores.mark_positive(mask)
        return np.flatnonzero(mask)
    parts = [signals.dense.candidates] + [scores.positive() for scores in lexical]
    return distinct_sorted(np.concatenate(parts).astype(np.int64, copy=False))[0]


# Slack for float32 rounding when bounding fused scores (they are sums of a few terms of about 1).
BOUND_SLACK = 1e-4


def _pruned_candidates(
    signals: UnitSignals, scripts: QuestionScripts, params: RetrievalParams, wanted: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """FAISS's candidates and the units whose lexical matches could lift them among the `wanted` best, in unit order,
    with their fused scores (None when no unit can be ruled out that way).

    The `wanted`-th best fused score of FAISS's candidates is a floor for the `wanted`-th best of all units. A unit
    outside them scores the dense floor plus its lexical terms (each its weight times a score divided by its scale, at most 1), so to
    reach that level the terms must add up to at least the level less the floor. So each term must give that less the
    most the other terms can, and of T terms at least one gives a T-th of it: the smaller of the sets of units these
    bounds leave is scored.
    """
    dense = signals.dense
    if len(dense.candidates) < wanted:
        return None
    inside = np.sort(dense.candidates)
    fused = fuse(signals, scripts, params, inside)
    level = float(np.partition(fused, len(fused) - wanted)[len(fused) - wanted])
    needed = level - dense.floor - BOUND_SLACK
    if needed <= 0:
        return None
    # Terms of no weight or no match add nothing; the English bridge scores FAISS's candidates only.
    terms = [(scores, weight, top) for scores, weight, top in lexical_terms(signals, scripts, params) if weight > 0 and top > 0]
    if not terms:
        return inside, fused
    total = sum(weight for _, weight, _ in terms)
    supersets: list[np.ndarray] = []
    for scores, weight, top in terms:
        # Each term must give at least the level less the most the others can: every unit that can reach it does.
        alone = (needed - (total - weight)) / weight
        if alone > 1:
            return inside, fused
        if alone > 0:
            supersets.append(_at_least(scores, alone * top))
    share = needed / len(terms)  # one term gives at least this much
    shares = [_at_least(scores, share / weight * top) for scores, weight, top in terms if share <= weight]
    if not supersets or sum(len(units) for units in shares) < min(len(units) for units in supersets):
        supersets.append(_union(shares, signals.size))
    lifted = _outside(min(supersets, key=len).astype(np.int64, copy=False), inside, signals.size)
    if not len(lifted):
        return inside, fused
    units = np.concatenate([inside, lifted])
    order = np.argsort(units, kind="stable")
    return units[order], np.concatenate([fused, fuse(signals, scripts, params, lifted)])[order]


def _union(parts: list[np.ndarray], size: int) -> np.ndarray:
    """The units in any of these sorted arrays of distinct units (of an index of `size`), in unit order."""
    if len(parts) <= 1:
        return parts[0] if parts else np.zeros(0, dtype=np.int64)
    if sum(len(part) for part in parts) < size // 64:  # sorting a few beats a pass over every unit
        return np.unique(np.concatenate(parts))
    mask = np.zeros(size, dtype=bool)
    for part in parts:
        mask[part] = True
    return np.flatnonzero(mask)


def _outside(units: np.ndarray, inside: np.ndarray, size: int) -> np.ndarray:
    """Those of these sorted, distinct units that are not in `inside`."""
    if len(units) < size // 64:
        return units[~np.isin(units, inside, assume_unique=True)]
    mask = np.zeros(size, dtype=bool)
    mask[units] = True
    mask[inside] = False
    return np.flatnonzero(mask)


def _at_least(scores: SparseScores, cut: float) -> np.ndarray:
    """The units scoring at least `cut`, in unit order."""
    return np.flatnonzero(scores.full >= cut) if scores.full is not None else scores.units[scores.values >= cut]


def best_units(signals: UnitSignals, scripts: QuestionScripts, params: RetrievalParams, wanted: int) -> tuple[np.ndarray, np.ndarray]:
    """The `wanted` best units, best first (ties by unit number), and their fused scores.

    On a large index the fused scores are computed for the units that can be among them (`_pruned_candidates`): every
    unit left out scores below the last one kept, so they are the same units as when every unit is scored. When
    nothing can be ruled out that way, for every unit `candidate_units` gives.
    """
    if signals.size > CANDIDATES_ONLY_ABOVE:
        pruned = _pruned_candidates(signals, scripts, params, wanted)
        if pruned is not None and len(pruned[0]) >= wanted:
            units, fused = pruned
            best = top_units(fused, wanted)
            return units[best], fused[best]
    candidates = candidate_units(signals)
    fused = fuse(signals, scripts, params, candidates)
    best = top_units(fused, wanted)
    return candidates[best], fused[best]


def top_units(fused: np.ndarray, wanted: int) -> np.ndarray:
    """Positions of the `wanted` best scores of `fused` (the candidate units' scores, in unit order), best first, ties
    by unit number (at the last place too: the first of the units that tie there are kept)."""
    if wanted < len(fused):
        boundary = np.partition(fused, len(fused) - wanted)[len(fused) - wanted]
        above = np.flatnonzero(fused > boundary)
        picked = np.concatenate([above, np.flatnonzero(fused == boundary)[: wanted - len(above)]])
    else:
        picked = np.arange(len(fused))
    return picked[np.lexsort((picked, -fused[picked]))]


def with_document_context(
    units: np.ndarray, scores: np.ndarray, documents: np.ndarray, weight: float, depth: int
) -> tuple[np.ndarray, np.ndarray]:
    """The best units (best first) re-ranked with their document's support: each unit's score less `weight` times how
    far its document's mean over its `depth` best units falls below the best document's (units past the last place
    counting at its score). A document that answers a question holds several units close to it; one unit of another
    document that happens to sit as close (a shared script, a shared word) has no such company. One document: unchanged.
    """
    if not weight or depth <= 0 or not len(units):
        return units, scores
    distinct, documents_of = np.unique(documents, return_inverse=True)
    totals = np.zeros(len(distinct), dtype=np.float64)
    counted = np.zeros(len(distinct), dtype=np.int64)
    for unit_document, score in zip(documents_of.tolist(), scores.tolist(), strict=True):  # best first: a document's best
        if counted[unit_document] < depth:
            totals[unit_document] += score
            counted[unit_document] += 1
    support = (totals + (depth - counted) * float(scores[-1])) / depth
    scores = scores - np.float32(weight) * (support.max() - support[documents_of]).astype(np.float32)
    order = np.lexsort((units, -scores))
    return units[order], scores[order]


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
