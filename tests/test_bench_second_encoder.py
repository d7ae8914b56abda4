"""bench.second_encoder: which units the simulated second encoder is blended into, and how its cosines are scaled."""

from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest

from bench.second_encoder import Blend, pair_moves
from index.signals import CENTERING_LANGUAGES, DenseScores, QuestionScripts

LATIN, CHINESE, KOREAN = (CENTERING_LANGUAGES.index(name) for name in ("latin", "chinese", "korean"))
FIRST = np.array([0.9, 0.8, 0.7, 0.6], dtype=np.float32)  # e5's ranking scores of four units
SECOND = np.array([0.0, 0.2, 0.9, 0.1], dtype=np.float32)  # the second encoder's cosines with the question


class FixedEncoder:
    """Unit vectors whose inner product with any question is SECOND."""

    def of_index(self, retriever: object) -> np.ndarray:
        return SECOND[:, None].copy()

    def query(self, text: str) -> np.ndarray:
        return np.ones(1, dtype=np.float32)


def blended(rule: str, question: str, weight: float = 0.5, candidates: int = 0, e5_candidates: int = 4) -> DenseScores:
    """The blend over four units (e5's ranking scores FIRST, its `e5_candidates` best its candidates) for this question."""
    vectors = np.diag(FIRST)  # unit i's plain cosine with the query below is FIRST[i]
    retriever = SimpleNamespace(
        loaded=SimpleNamespace(unit_texts=lambda: ["a", "b", "c", "d"]),
        dense=SimpleNamespace(
            vectors=vectors, centering=SimpleNamespace(unit_languages=np.array([LATIN, CHINESE, KOREAN, KOREAN], dtype=np.uint8))
        ),
    )
    order = np.argsort(-FIRST)
    plain = DenseScores(order[:e5_candidates], FIRST[order][:e5_candidates], float(FIRST[order][e5_candidates - 1]), 4)
    blend = Blend.__new__(Blend)
    blend.encoder, blend.rule, blend.weight, blend.candidates = FixedEncoder(), rule, weight, candidates
    blend._question = question
    blend._ranking_dense = lambda retriever, query, scripts, plain: plain  # e5's ranking: its plain cosines
    return blend.blended(retriever, np.ones((1, 4), dtype=np.float32), QuestionScripts.of(question), plain)  # type: ignore[arg-type]


def scaled_second() -> np.ndarray:
    return (SECOND - SECOND.mean()) * (FIRST.std() / SECOND.std()) + FIRST.mean()


def test_every_unit_is_blended_with_the_second_encoder_on_the_first_ones_scale() -> None:
    assert blended("all", "What is it?").scores == pytest.approx(0.5 * FIRST + 0.5 * scaled_second(), abs=1e-6)


def test_korean_cross_blends_a_korean_question_with_units_of_other_languages_only() -> None:
    scores = blended("korean-cross", "무엇인가요?").scores
    mixed = 0.5 * FIRST + 0.5 * scaled_second()
    assert scores[:2] == pytest.approx(mixed[:2], abs=1e-6)
    assert scores[2:] == pytest.approx(FIRST[2:], abs=1e-6)  # Korean units of a Korean question: e5 alone


def test_korean_cross_blends_an_english_question_with_korean_units_only() -> None:
    scores = blended("korean-cross", "What is it?").scores
    mixed = 0.5 * FIRST + 0.5 * scaled_second()
    assert scores[:2] == pytest.approx(FIRST[:2], abs=1e-6)  # English and Chinese units: no Korean side
    assert scores[2:] == pytest.approx(mixed[2:], abs=1e-6)


def test_the_candidate_form_maps_over_e5s_candidates_and_the_second_encoders_best_alone() -> None:
    scores = blended("all", "What is it?", candidates=1, e5_candidates=2)  # units 0, 1 (e5) and 2 (the second encoder)
    first, second = FIRST[:3], SECOND[:3]
    scaled = (second - second.mean()) * (first.std() / second.std()) + first.mean()
    assert scores.at(np.array([0, 1, 2])) == pytest.approx(0.5 * first + 0.5 * scaled, abs=1e-6)
    assert scores.candidates.tolist() == [0, 2, 1]  # the second encoder's best unit, no e5 candidate, passes unit 1
    assert scores.at(np.array([3]))[0] == pytest.approx(scores.floor)  # unit 3 was no candidate: the floor


def test_pair_moves_counts_net_gains_per_language_pair() -> None:
    def report(ranks: dict[str, int | None]) -> SimpleNamespace:
        return SimpleNamespace(
            results=[
                SimpleNamespace(item=SimpleNamespace(id=i, lang="ko", answerable=True), doc_lang="en", rank=r, quote_hit=r == 1)
                for i, r in ranks.items()
            ]
        )

    moved = Counter[str]()
    pair_moves(report({"a": 2, "b": None, "c": 1}), report({"a": 1, "b": 3, "c": 1}), moved)  # type: ignore[arg-type]
    assert (moved["ko->en R@1"], moved["ko->en R@3"], moved["ko->en QH"]) == (1, 1, 1)
    pair_moves(report({"a": 1, "b": 2}), report({"a": 5, "b": 3}), moved)  # type: ignore[arg-type]
    assert (moved["ko->en R@1"], moved["ko->en R@3"], moved["ko->en QH"]) == (0, 0, 0)
