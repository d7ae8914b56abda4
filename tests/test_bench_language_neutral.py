"""bench.language_neutral: the language directions read off translations, the projection and the cross-language mix."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from bench.language_neutral import (
    _Projected,
    cross_only_scores,
    language_directions,
    pair_offsets,
    project,
    projected_banks,
    topic_rows,
)
from index.coverage import CoverageBank, top_mean


def _translations(seed: int = 0) -> tuple[list[np.ndarray], np.ndarray]:
    """Groups of one 'sentence' in three 'languages': a content vector plus one fixed offset per language."""
    rng = np.random.default_rng(seed)
    offsets = np.zeros((3, 16))
    offsets[0, 0], offsets[1, 1], offsets[2, 0] = 2.0, 2.0, -2.0
    groups = [rng.normal(size=16) * np.array([0.0, 0.0, *([1.0] * 14)]) + offsets + rng.normal(scale=0.01, size=(3, 16)) for _ in range(40)]
    return groups, offsets


def test_the_directions_are_orthonormal_and_span_the_language_offsets() -> None:
    groups, offsets = _translations()
    directions, values = language_directions(groups)
    assert np.allclose(directions @ directions.T, np.eye(len(directions)), atol=1e-5)
    assert values[1] > 10 * values[2]  # two strong directions (three languages), then noise
    top = directions[:2]
    centered = offsets - offsets.mean(axis=0)
    assert np.allclose(centered @ top.T @ top, centered, atol=0.05)


def test_every_group_counts() -> None:
    groups, offsets = _translations()
    groups[0] = np.repeat(groups[0].mean(axis=0, keepdims=True), 3, axis=0)  # one sentence with no language in it
    top = language_directions(groups)[0][:2]
    centered = offsets - offsets.mean(axis=0)
    assert np.allclose(centered @ top.T @ top, centered, atol=0.05)
    assert np.abs(language_directions(groups[:1])[1]).max() < 1e-9  # that group alone shows no direction


def test_strength_keeps_that_share_of_the_directions() -> None:
    groups, _ = _translations()
    directions = language_directions(groups)[0][:2]
    vectors = np.concatenate(groups).astype(np.float32)
    for strength in (0.25, 0.5):
        moved = project(vectors, directions, strength)
        along, across = moved @ directions.T, moved - (moved @ directions.T) @ directions
        before_along, before_across = vectors @ directions.T, vectors - (vectors @ directions.T) @ directions
        ratio = np.linalg.norm(along, axis=1) / np.linalg.norm(across, axis=1)
        before = np.linalg.norm(before_along, axis=1) / np.linalg.norm(before_across, axis=1)
        assert np.allclose(ratio, (1 - strength) * before, rtol=1e-3)


class _CountingEmbedder:
    """Embeds each text as a fixed vector with a component along the first axis, counting the texts it embeds."""

    model, backend, dimension = "counting-test-model", "test", 4

    def __init__(self) -> None:
        self.embedded = 0

    def embed_passages(self, texts: list[str], progress: object = None) -> np.ndarray:
        self.embedded += len(texts)
        return np.tile(np.array([0.6, 0.8, 0.0, 0.0], dtype=np.float32), (len(texts), 1))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embed_passages(texts)


def test_banks_are_projected_once_and_cached_plain() -> None:
    directions = np.array([[1.0, 0.0, 0.0, 0.0]], dtype=np.float32)

    def half(vectors: np.ndarray) -> np.ndarray:
        return project(vectors, directions, 0.5)

    embedder = _CountingEmbedder()
    texts = ("a sentence only this test embeds",)
    with projected_banks(half):
        # First embedded inside the block, through the projecting embedder, as the projected retriever does.
        inside = CoverageBank(_Projected(embedder, half), texts).vectors  # type: ignore[arg-type]
    assert np.allclose(inside, half(np.array([[0.6, 0.8, 0.0, 0.0]])), atol=1e-6)
    plain = CoverageBank(embedder, texts).vectors  # type: ignore[arg-type]
    assert np.allclose(plain, [[0.6, 0.8, 0.0, 0.0]], atol=1e-6)
    assert embedder.embedded == 1


def test_projection_removes_the_directions_and_normalises() -> None:
    groups, _ = _translations()
    directions = language_directions(groups)[0][:2]
    vectors = np.concatenate(groups).astype(np.float32)
    projected = project(vectors, directions)
    assert np.allclose(np.linalg.norm(projected, axis=1), 1.0, atol=1e-5)
    assert np.abs(projected @ directions.T).max() < 1e-5
    assert np.allclose(project(projected, directions), projected, atol=1e-5)
    half = project(vectors, directions, strength=0.5)
    assert np.abs(half @ directions.T).max() > 0.1
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    assert np.allclose(project(vectors, directions, strength=0.0), unit, atol=1e-5)
    # The three translations of one sentence are closer once the language is projected out.
    plain = unit[:3] @ unit[:3].T
    neutral = projected[:3] @ projected[:3].T
    assert neutral[np.triu_indices(3, 1)].min() > plain[np.triu_indices(3, 1)].max()


def test_cross_only_keeps_plain_cosines_for_the_questions_language() -> None:
    plain = np.array([0.8, 0.7, 0.6, 0.5], dtype=np.float32)
    projected = np.array([0.1, 0.9, 0.2, 0.95], dtype=np.float32)
    languages = np.array([1, 2, 1, 0], dtype=np.uint8)
    assert cross_only_scores(plain, projected, languages, 1).tolist() == np.array([0.8, 0.9, 0.6, 0.95], dtype=np.float32).tolist()


def test_cross_only_takes_the_pairs_offset_from_other_languages_only() -> None:
    plain = np.array([0.8, 0.7, 0.6, 0.5], dtype=np.float32)
    projected = np.array([0.1, 0.9, 0.2, 0.95], dtype=np.float32)
    languages = np.array([1, 2, 1, 0], dtype=np.uint8)
    offsets = np.array([[0.0, 0.5, 0.5], [0.05, 0.0, 0.1], [0.5, 0.5, 0.0]], dtype=np.float32)
    mixed = cross_only_scores(plain, projected, languages, 1, offsets)
    assert np.allclose(mixed, [0.8, 0.8, 0.6, 0.9])


def test_pair_offsets_compare_projected_other_languages_with_plain_own_on_unrelated_topics() -> None:
    rng = np.random.default_rng(1)
    statements, questions = rng.normal(size=(6, 5)), rng.normal(size=(6, 5))
    statements[:, 4] = questions[:, 4] = 0.0  # the last axis is kept for the related pair below
    topics = np.array([0, 0, 1, 1, 2, 2])
    languages = np.array([0, 1, 0, 1, 0, 1])

    def doubled(vectors: np.ndarray) -> np.ndarray:  # the 'projection': every projected cosine four times the plain one
        return 2 * vectors

    offsets = pair_offsets(statements, questions, topics, languages, doubled)
    cosine = questions @ statements.T
    own = [cosine[a, b] for a in (0, 2, 4) for b in (0, 2, 4) if topics[a] != topics[b]]
    other = [4 * cosine[a, b] for a in (0, 2, 4) for b in (1, 3, 5) if topics[a] != topics[b]]
    assert np.isclose(offsets[0, 1], np.mean(other) - np.mean(own))
    assert offsets[0, 0] == offsets[1, 1] == 0.0
    # A question and the translation of its own statement are related: bringing them closer changes nothing.
    questions[0, 4] = statements[1, 4] = 10.0
    assert np.allclose(pair_offsets(statements, questions, topics, languages, doubled), offsets)


def test_the_benchmarks_bank_view_is_the_gates() -> None:
    rng = np.random.default_rng(2)
    vectors, query = rng.normal(size=(30, 6)).astype(np.float32), rng.normal(size=6).astype(np.float32)
    for top in (1, 3, 29, 30, 50):
        assert np.isclose(top_mean(vectors @ query, top), CoverageBank.best(SimpleNamespace(vectors=vectors), query, top))  # type: ignore[arg-type]
    assert top_mean(np.zeros(0, dtype=np.float32), 3) == CoverageBank.best(SimpleNamespace(vectors=np.zeros((0, 6))), query, 3) == 0.0  # type: ignore[arg-type]


def test_the_bank_has_every_language_per_topic() -> None:
    topics = topic_rows()
    assert len(topics) >= 50
    assert all(len(texts) == 4 for texts in topics.values())
