"""Language-neutral cosines across languages: the directions in which e5's vectors of one text in several languages differ, projected out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.coverage import CoverageBank, generic_bank, generic_bank_topics
from index.embeddings import Embedder
from index.signals import text_languages


def language_directions(groups: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The orthonormal directions (rows, strongest first) along which the vectors of each group (one text in several
    languages) differ from their group's mean, and their singular values."""
    deviations = [np.asarray(g, dtype=np.float64) - np.asarray(g, dtype=np.float64).mean(axis=0) for g in groups]
    if not deviations:
        return np.zeros((0, 0), dtype=np.float32), np.zeros(0)
    _, values, directions = np.linalg.svd(np.concatenate(deviations), full_matrices=False)
    return directions.astype(np.float32), values


def project(vectors: np.ndarray, directions: np.ndarray, strength: float = 1.0) -> np.ndarray:
    """Each row less `strength` times its part along `directions` (orthonormal rows), normalised again."""
    rows = np.asarray(vectors, dtype=np.float32)
    if rows.size == 0 or not len(directions):
        return rows
    moved = rows - strength * ((rows @ directions.T) @ directions)
    return (moved / np.maximum(np.linalg.norm(moved, axis=-1, keepdims=True), 1e-12)).astype(np.float32)


def pair_offsets(
    statements: np.ndarray, questions: np.ndarray, topics: np.ndarray, languages: np.ndarray, transform: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """How much higher a question's projected cosine with text of another language lies than its plain cosine with
    text of its own, on unrelated topics: offsets[question language, unit language], read off the generic bank (its
    questions against its statements of other topics), 0 on the diagonal. Projection lifts every cross-language cosine,
    related or not; subtracting this puts the two rules of `--cross-only` on one scale."""
    plain = questions @ statements.T
    projected = transform(questions) @ transform(statements).T
    unrelated = topics[:, None] != topics[None, :]
    count = int(languages.max()) + 1 if len(languages) else 0
    offsets = np.zeros((count, count), dtype=np.float32)
    for asked in range(count):
        own = unrelated & (languages[:, None] == asked) & (languages[None, :] == asked)
        for other in range(count):
            pairs = unrelated & (languages[:, None] == asked) & (languages[None, :] == other)
            if other != asked and own.any() and pairs.any():
                offsets[asked, other] = projected[pairs].mean() - plain[own].mean()
    return offsets


@dataclass(frozen=True)
class LanguageProjection:
    """Orthonormal directions that tell e5's languages apart, and vectors with them removed.

    multilingual-e5-small gives a sentence and its translation different vectors, and part of the difference is the
    same whatever the sentence says. Removing those directions makes a question and a sentence in another language
    compare by what they say; within one language they are left alone (docs/retrieval.md, "Twenty-first round").
    """

    directions: np.ndarray  # float32 (count, dimension)
    # How far the projection lifts a question's cosines with unrelated text of each other language above its plain
    # cosines with unrelated text of its own (`pair_offsets` on the bank): [question language, unit language].
    offsets: np.ndarray

    @classmethod
    def of_bank(cls, embedder: Embedder, count: int, cache_dir: Path | None = None) -> LanguageProjection | None:
        """The `count` strongest directions of the generic bank (index/data/generic_bank.tsv: one everyday statement per
        topic in each language), embedded as statements and as questions: each topic's rows less their mean differ by
        language alone. None when the bank records no topics or `count` is 0."""
        topics = generic_bank_topics()
        texts = generic_bank()
        if count <= 0 or not topics or len(topics) != len(texts):
            return None
        labels = np.array(topics)
        statements, questions = (CoverageBank(embedder, texts, cache_dir, as_queries=as_queries).vectors for as_queries in (False, True))
        groups = [vectors[labels == topic] for vectors in (statements, questions) for topic in dict.fromkeys(topics)]
        directions, _ = language_directions(groups)
        if not len(directions):
            return None
        kept = directions[:count]
        offsets = pair_offsets(
            statements, questions, np.unique(labels, return_inverse=True)[1], text_languages(texts), lambda v: project(v, kept)
        )
        return cls(kept, offsets)

    def applies_to(self, question_language: int) -> bool:
        """Whether questions of this language are compared language-neutrally: not when the projection lifts their
        cosines with unrelated text of the other languages, on average, above those with unrelated text of their own
        (it would then favour other languages by itself; on e5-small English questions, by 0.04-0.06)."""
        if question_language >= len(self.offsets):
            return False
        others = [language for language in range(len(self.offsets)) if language != question_language]
        return bool(others) and float(np.mean(self.offsets[question_language, others])) <= 0.0

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        """Each row with the directions removed, normalised again."""
        return project(vectors, self.directions)

    def cosines(self, vectors: np.ndarray, projected_query: np.ndarray) -> np.ndarray:
        """The cosines of these unit vectors, projected, with a projected question (`apply`d): a projected question has
        no part along the directions, so its inner product with u less its part along them is its inner product with u,
        and only u's norm once they are removed is needed."""
        along = vectors @ self.directions.T
        remaining = np.einsum("ij,ij->i", vectors, vectors) - np.einsum("ij,ij->i", along, along)
        return ((vectors @ projected_query) / np.sqrt(np.maximum(remaining, 1e-12))).astype(np.float32)
