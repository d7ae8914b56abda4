"""The index-type choice in the store: exact below the threshold, IVF above, memory-mapped on load, deterministic."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from index.store import APPROXIMATE_THRESHOLD, MMAP_FLAGS, choose_index_type, make_faiss_index


def _unit_vectors(count: int, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, 32)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_exact_below_the_threshold_and_ivf_from_it() -> None:
    assert choose_index_type(0) == "flat"
    assert choose_index_type(APPROXIMATE_THRESHOLD - 1) == "flat"
    assert choose_index_type(APPROXIMATE_THRESHOLD) == "ivf"


def test_ivf_round_trip_is_memory_mapped_keeps_nprobe_and_finds_the_exact_best(tmp_path: Path) -> None:
    vectors = _unit_vectors(5000)
    index = make_faiss_index(vectors, "ivf")
    assert isinstance(index, faiss.IndexIVFFlat) and index.nprobe >= 16
    path = tmp_path / "vectors.faiss"
    faiss.write_index(index, str(path))
    again = make_faiss_index(vectors, "ivf")
    faiss.write_index(again, str(tmp_path / "again.faiss"))
    assert path.read_bytes() == (tmp_path / "again.faiss").read_bytes()  # same vectors, same index file

    loaded = faiss.read_index(str(path), MMAP_FLAGS)
    assert loaded.nprobe == index.nprobe and loaded.ntotal == len(vectors)
    queries = vectors[:20] + 0.01 * _unit_vectors(20, seed=1)
    _, found = loaded.search(queries, 1)
    _, exact = make_faiss_index(vectors, "flat").search(queries, 1)
    assert (found[:, 0] == exact[:, 0]).mean() >= 0.9


def test_tiny_and_empty_ivf_requests_still_work() -> None:
    assert make_faiss_index(_unit_vectors(10), "ivf").ntotal == 10
    assert make_faiss_index(np.zeros((0, 32), dtype=np.float32), "ivf").ntotal == 0
