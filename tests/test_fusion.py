"""The query path computes scores only where they matter: the same numbers as scoring every unit, to the last bit."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from index.fusion import (
    CANDIDATES_ONLY_ABOVE,
    UnitSignals,
    best_units,
    candidate_units,
    fuse,
    lexical_terms,
    median_sample,
    own_language_share,
    scaled_where,
    with_document_context,
)
from index.lexical import SparseScores, TokenIndex
from index.params import DEFAULT_PARAMS
from index.signals import DenseScores, QuestionScripts


def _corpus(rng: np.random.Generator, documents: int, vocabulary: int) -> list[list[str]]:
    """Documents of Zipf-distributed tokens: a few tokens in most documents, most in few."""
    words = rng.zipf(1.3, size=(documents, 12)) % vocabulary
    return [[f"t{w}" for w in row[: rng.integers(1, 12)]] for row in words]


def test_sparse_bm25_scores_are_bm25s_scores_bit_for_bit() -> None:
    import bm25s

    rng = np.random.default_rng(0)
    corpus = _corpus(rng, 5000, 400)
    index = TokenIndex(corpus)
    reference = bm25s.BM25(k1=1.2, b=0.75)
    reference.index([list(doc) for doc in corpus], show_progress=False)
    queries = [["t1"], ["t1", "t2", "t1"], ["t399", "t250"], ["t7", "unknown", "t3", "t150"], ["t0", "t1", "t2", "t3", "t4"]]
    paths = set()
    for query in queries:
        known = [t for t in query if t in index.vocabulary]
        expected = np.asarray(reference.get_scores(known), dtype=np.float32)
        sparse = index.sparse_scores(query)
        paths.add(sparse.full is None)
        assert np.array_equal(sparse.dense(), expected)
        assert np.array_equal(sparse.units, np.flatnonzero(expected))
        assert sparse.max() == float(expected.max())
        # The ideal score: each known query token (a repeated one twice) at the best score any unit gives it.
        best_per_token = [float(np.asarray(reference.get_scores([t]), dtype=np.float32).max()) for t in known]
        assert sparse.ideal == pytest.approx(sum(best_per_token), rel=1e-5)
        assert sparse.ideal >= sparse.max()
        units = rng.integers(0, len(corpus), size=300)
        assert np.array_equal(sparse.at(units), expected[units])
    assert paths == {True, False}  # both the few-postings and the many-postings ways were taken
    assert index.sparse_scores(["unknown"]).max() == 0.0 and not len(index.sparse_scores([]).units)


def test_dense_scores_are_the_candidates_and_the_floor() -> None:
    rng = np.random.default_rng(1)
    size = 1000
    candidates = rng.choice(size, size=40, replace=False)
    scores = np.sort(rng.random(40).astype(np.float32))[::-1]
    dense = DenseScores(candidates, scores, float(scores[-1]), size)
    full = np.full(size, scores[-1], dtype=np.float32)
    full[candidates] = scores
    units = rng.integers(0, size, size=500)
    assert np.array_equal(dense.at(units), full[units]) and np.array_equal(dense.scores, full)
    assert dense.best() == float(full.max())
    code = rng.random(size) < 0.3
    assert dense.best(code) == float(full[~code].max())
    everything_but_best = np.ones(size, dtype=bool)
    everything_but_best[candidates[1:]] = False  # only candidates are left: the floor does not count
    assert dense.best(everything_but_best) == float(full[~everything_but_best].max())


def _signals(rng: np.random.Generator, size: int, *, ties: bool = False, bridges: bool = False) -> UnitSignals:
    candidates = rng.choice(size, size=400, replace=False)
    cosines = np.sort(rng.normal(0.8, 0.03, 400).astype(np.float32))[::-1]
    dense = DenseScores(candidates, cosines, float(cosines[-1]), size)
    lexical = rng.gamma(1.0, 1.0, size).astype(np.float32) * (rng.random(size) < 0.6)
    if ties:  # many units with the same lexical score, as repeated sentences give
        lexical = np.round(lexical, 0)
    english = np.zeros(size, dtype=np.float32)
    english[candidates[::7]] = 0.2
    lexical_scores = SparseScores.from_dense(lexical)
    lexical_scores.ideal = 1.8 * float(lexical.max())  # a Chinese question's term is divided by it, another's by the max
    return UnitSignals(
        dense=dense,
        lexical=lexical_scores,
        english=SparseScores(np.sort(candidates[::7]).astype(np.int64), np.full(len(candidates[::7]), 0.2, dtype=np.float32), size),
        korean=_sparse(rng, size, 0.01) if bridges else None,
        chinese_korean=_sparse(rng, size, 0.001) if bridges else None,
        chinese_english=_sparse(rng, size, 0.002) if bridges else None,
    )


def _sparse(rng: np.random.Generator, size: int, share: float) -> SparseScores:
    units = np.flatnonzero(rng.random(size) < share)
    return SparseScores(units.astype(np.int64), rng.gamma(2.0, 1.0, len(units)).astype(np.float32), size)


def _ranking_over_every_unit(signals: UnitSignals, scripts: QuestionScripts, wanted: int) -> tuple[np.ndarray, np.ndarray]:
    """The ranking as it was computed before: arrays of every unit, the candidates partitioned, then sorted."""
    fused = fuse(signals, scripts, DEFAULT_PARAMS)
    mask = signals.lexical.dense() > 0
    mask[signals.dense.candidates] = True
    for bridge in (signals.korean, signals.chinese_korean, signals.chinese_english):
        if bridge is not None:
            mask |= bridge.dense() > 0
    candidates = np.flatnonzero(mask) if len(fused) > CANDIDATES_ONLY_ABOVE else np.arange(len(fused))
    top = candidates[np.lexsort((candidates, -fused[candidates]))][:wanted]  # every candidate sorted, ties by unit number
    return top, fused[top]


@pytest.mark.parametrize("size", [5_000, 60_000])
@pytest.mark.parametrize(("cjk", "hangul"), [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.6, 0.0)])
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("share", [1.0, 0.4])
def test_best_units_are_those_of_every_unit_scored(size: int, cjk: float, hangul: float, ties: bool, share: float) -> None:
    rng = np.random.default_rng(size + int(10 * cjk) + int(100 * hangul) + ties)
    signals = _signals(rng, size, ties=ties, bridges=cjk >= 0.5 or hangul > 0)
    signals = dataclasses.replace(signals, own_language_share=share)
    scripts = QuestionScripts(cjk=cjk, hangul=hangul)
    units, scores = best_units(signals, scripts, DEFAULT_PARAMS, 50)
    expected_units, expected_scores = _ranking_over_every_unit(signals, scripts, 50)
    assert np.array_equal(units, expected_units) and np.array_equal(scores, expected_scores)
    every = np.arange(size)
    assert np.array_equal(fuse(signals, scripts, DEFAULT_PARAMS, every[::3]), fuse(signals, scripts, DEFAULT_PARAMS)[::3])
    sample = median_sample(size)
    assert np.array_equal(fuse(signals, scripts, DEFAULT_PARAMS, sample), fuse(signals, scripts, DEFAULT_PARAMS)[sample])
    assert set(candidate_units(signals)) >= set(units.tolist())


def test_a_tie_at_the_last_place_is_broken_as_when_every_unit_is_scored() -> None:
    rng = np.random.default_rng(7)
    size = 40_000
    signals = _signals(rng, size)
    lexical = signals.lexical.dense().copy()
    outside = np.setdiff1d(np.arange(size), signals.dense.candidates)[:120]
    lexical[outside] = lexical.max() + 1.0  # 120 units, none a FAISS candidate, share the best lexical score
    signals = UnitSignals(dense=signals.dense, lexical=SparseScores.from_dense(lexical), english=signals.english)
    scripts = QuestionScripts(cjk=1.0, hangul=0.0)
    units, scores = best_units(signals, scripts, DEFAULT_PARAMS, 50)
    expected_units, expected_scores = _ranking_over_every_unit(signals, scripts, 50)
    assert np.count_nonzero(fuse(signals, scripts, DEFAULT_PARAMS) == scores[-1]) > 50  # the last place is a tie
    assert np.array_equal(units, expected_units) and np.array_equal(scores, expected_scores)


def test_a_unit_lifted_by_two_terms_together_is_kept() -> None:
    size = 30_000  # above CANDIDATES_ONLY_ABOVE: only the units that can reach the 50 best are scored
    candidates = np.arange(0, 4000, 10)
    cosines = np.linspace(0.80, 0.74, 400).astype(np.float32)
    dense = DenseScores(candidates, cosines, float(cosines[-1]), size)
    lifted, best_lexical, best_reading = 20_001, 20_002, 20_003  # none a FAISS candidate
    lexical = SparseScores(np.array([lifted, best_lexical]), np.array([1.0, 10.0], dtype=np.float32), size)
    readings = SparseScores(np.array([lifted, best_reading]), np.array([1.0, 2.0], dtype=np.float32), size)
    signals = UnitSignals(dense=dense, lexical=lexical, chinese_korean=readings)
    scripts = QuestionScripts(cjk=1.0, hangul=0.0)
    (_, lexical_weight, _), (_, reading_weight, _) = lexical_terms(signals, scripts, DEFAULT_PARAMS)
    level = float(np.sort(cosines)[::-1][49]) - dense.floor
    # Neither term alone lifts the unit to the 50th candidate's score; the two together do.
    assert lexical_weight * 0.1 < level and reading_weight * 0.5 < level <= lexical_weight * 0.1 + reading_weight * 0.5
    units, scores = best_units(signals, scripts, DEFAULT_PARAMS, 50)
    expected_units, expected_scores = _ranking_over_every_unit(signals, scripts, 50)
    assert lifted in units.tolist()
    assert np.array_equal(units, expected_units) and np.array_equal(scores, expected_scores)


def test_a_chinese_questions_lexical_weight_follows_the_language_of_its_best_dense_units() -> None:
    languages = np.array([1, 1, 0, 0, 2, 1], dtype=np.uint8)  # latin, chinese, korean by unit
    dense = DenseScores(np.array([2, 0, 3, 1, 4, 5]), np.linspace(0.9, 0.8, 6).astype(np.float32), 0.8, 6)
    chinese = QuestionScripts(cjk=1.0, hangul=0.0)
    assert own_language_share(dense, languages, chinese, 5) == pytest.approx(2 / 5)  # units 2, 0, 3, 1, 4
    assert own_language_share(dense, languages, QuestionScripts(cjk=0.0, hangul=0.0), 2) == pytest.approx(0.5)
    assert own_language_share(DenseScores(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), 0.0, 0), languages, chinese, 5) == 1.0
    lexical = SparseScores.from_dense(np.ones(6, dtype=np.float32))
    params = DEFAULT_PARAMS
    assert params.lexical_weight_elsewhere < params.lexical_weight
    between = 0.4 * params.lexical_weight + 0.6 * params.lexical_weight_elsewhere
    for share, expected in ((1.0, params.lexical_weight), (0.0, params.lexical_weight_elsewhere), (0.4, between)):
        signals = UnitSignals(dense=dense, lexical=lexical, own_language_share=share)
        (_, weight, _), *_ = lexical_terms(signals, chinese, params)
        assert weight == pytest.approx(expected)
    # A question that is not Chinese keeps its own small weight whatever the neighbourhood.
    signals = UnitSignals(dense=dense, lexical=lexical, own_language_share=0.0)
    (_, weight, _), *_ = lexical_terms(signals, QuestionScripts(cjk=0.0, hangul=1.0), params)
    assert weight == pytest.approx(params.cross_lingual_weight)


def test_a_chinese_questions_bm25_is_divided_by_its_ideal_score_so_a_small_match_gets_a_small_share() -> None:
    rare, common, absent = "q1", "q2", "q3"
    corpus = [[rare, "x"], [common, "y"], [common, rare, common], ["z"], ["z", "y"]]
    index = TokenIndex(corpus)
    lexical = index.sparse_scores([rare, common, absent])
    assert lexical.ideal is not None and lexical.ideal > lexical.max()  # no unit holds both tokens at their best
    size = len(corpus)
    dense = DenseScores(np.arange(size), np.full(size, 0.8, dtype=np.float32), 0.8, size)
    signals = UnitSignals(dense=dense, lexical=lexical)
    chinese, korean = QuestionScripts(cjk=1.0, hangul=0.0), QuestionScripts(cjk=0.0, hangul=1.0)
    lifted = fuse(signals, chinese, DEFAULT_PARAMS) - 0.8
    weight = DEFAULT_PARAMS.lexical_weight
    assert np.allclose(lifted, weight * lexical.dense() / lexical.ideal)
    assert lifted.max() < weight  # the best unit holds part of the question: part of the weight
    best = fuse(signals, chinese, DEFAULT_PARAMS.with_changes(lexical_scale="best")) - 0.8
    assert np.isclose(best.max(), weight)  # divided by the best unit's score, the best unit took it all
    assert np.array_equal(np.argsort(lifted), np.argsort(best))  # the order among the matches is the same
    # A question that is not Chinese keeps the best unit's score as its scale, unless every question is asked for.
    other = fuse(signals, korean, DEFAULT_PARAMS) - 0.8
    assert np.isclose(other.max(), DEFAULT_PARAMS.cross_lingual_weight)
    every = fuse(signals, korean, DEFAULT_PARAMS.with_changes(lexical_scale="every_question")) - 0.8
    assert np.isclose(every.max(), DEFAULT_PARAMS.cross_lingual_weight * lexical.max() / lexical.ideal)


def test_scores_are_scaled_only_where_the_mask_is_set_sparse_or_full() -> None:
    mask = np.array([True, False, True, False, False, True])
    sparse = SparseScores(np.array([0, 1, 5]), np.array([2.0, 4.0, 1.0], dtype=np.float32), 6)
    scaled = scaled_where(sparse, mask, 0.125)
    assert np.allclose(scaled.at(np.arange(6)), [0.25, 4.0, 0.0, 0.0, 0.0, 0.125])
    full = SparseScores.from_dense(np.array([1.0, 1.0, 2.0, 0.0, 3.0, 4.0], dtype=np.float32))
    assert np.allclose(scaled_where(full, mask, 0.5).at(np.arange(6)), [0.5, 1.0, 1.0, 0.0, 3.0, 2.0])
    assert scaled_where(full, mask, 0.5).max() == pytest.approx(3.0)  # the normalising maximum may move to another unit


def test_a_unit_without_company_in_its_document_ranks_below_a_document_that_answers() -> None:
    units = np.array([10, 20, 11, 21, 22, 12, 30])
    scores = np.array([0.90, 0.89, 0.88, 0.87, 0.70, 0.69, 0.60], dtype=np.float32)
    documents = np.array([0, 1, 1, 1, 0, 0, 2])  # unit 10 stands alone in document 0; document 1 has three close units
    ranked, ranked_scores = with_document_context(units, scores, documents, 0.4, 3)
    assert ranked[:3].tolist() == [20, 11, 21]  # document 1's units keep their scores and now lead
    assert np.array_equal(ranked_scores[:3], scores[1:4])
    support = np.array([(0.90 + 0.70 + 0.69) / 3, (0.89 + 0.88 + 0.87) / 3, (0.60 + 0.60 + 0.60) / 3])
    expected = dict(zip(units.tolist(), (scores - 0.4 * (support.max() - support[documents])).tolist(), strict=True))
    assert dict(zip(ranked.tolist(), ranked_scores.tolist(), strict=True)) == pytest.approx(expected, abs=1e-6)
    assert np.all(np.diff(ranked_scores) <= 0)
    # A document with one unit among the best counts the last place's score for the units it lacks (unit 30: 0.60).
    assert expected[30] == pytest.approx(0.60 - 0.4 * (support[1] - 0.60))
    # Off, or one document only: the ranking is untouched.
    for weight, docs in ((0.0, documents), (0.4, np.zeros(len(units), dtype=np.int64))):
        same_units, same_scores = with_document_context(units, scores, docs, weight, 3)
        assert np.array_equal(same_units, units) and np.array_equal(same_scores, scores)
