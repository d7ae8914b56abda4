"""The index-type choice in the store: exact below the threshold, IVF of 8-bit codes above (re-scored exactly), memory-mapped, deterministic."""

from __future__ import annotations

import os
from pathlib import Path

import faiss
import numpy as np
import pytest

from index.columns import read_rows
from index.signals import DenseSignal, search_units
from index.store import APPROXIMATE_THRESHOLD, MMAP_FLAGS, choose_index_type, make_faiss_index


def _unit_vectors(count: int, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, 32)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_exact_below_the_threshold_and_ivf_from_it() -> None:
    assert choose_index_type(0) == "flat"
    assert choose_index_type(APPROXIMATE_THRESHOLD - 1) == "flat"
    assert choose_index_type(APPROXIMATE_THRESHOLD) == "ivf-sq8"


@pytest.mark.parametrize(("index_type", "kind"), [("ivf-sq8", faiss.IndexIVFScalarQuantizer), ("ivf", faiss.IndexIVFFlat)])
def test_ivf_round_trip_is_memory_mapped_keeps_nprobe_and_finds_the_exact_best(tmp_path: Path, index_type: str, kind: type) -> None:
    vectors = _unit_vectors(5000)
    index = make_faiss_index(vectors, index_type)
    assert isinstance(index, kind) and index.nprobe >= 16
    path = tmp_path / "vectors.faiss"
    faiss.write_index(index, str(path))
    again = make_faiss_index(vectors, index_type)
    faiss.write_index(again, str(tmp_path / "again.faiss"))
    assert path.read_bytes() == (tmp_path / "again.faiss").read_bytes()  # same vectors, same index file

    loaded = faiss.read_index(str(path), MMAP_FLAGS)
    assert isinstance(loaded, kind) and loaded.nprobe == index.nprobe and loaded.ntotal == len(vectors)
    queries = vectors[:20] + 0.01 * _unit_vectors(20, seed=1)
    _, exact = make_faiss_index(vectors, "flat").search(queries, 1)
    signal = DenseSignal(loaded, len(vectors), vectors)
    found = [signal.scores(queries[i : i + 1], 1).candidates[0] for i in range(len(queries))]
    assert (np.array(found) == exact[:, 0]).mean() >= 0.9


@pytest.mark.parametrize("mapped", [False, True])
def test_the_8_bit_codes_candidates_are_rescored_to_their_exact_cosines(tmp_path: Path, mapped: bool) -> None:
    vectors = _unit_vectors(5000)
    index = make_faiss_index(vectors, "ivf-sq8")
    if mapped:  # as a loaded version holds them: embeddings.npy memory-mapped, its rows read with pread
        np.save(tmp_path / "embeddings.npy", vectors)
        vectors = np.load(tmp_path / "embeddings.npy", mmap_mode="r")
    index.nprobe = index.nlist  # every list: what is left to compare is the scoring alone
    queries = _unit_vectors(10, seed=2)
    exact_scores, exact_ids = make_faiss_index(vectors, "flat").search(queries, 50)
    signal = DenseSignal(index, len(vectors), vectors)
    coded_scores, _ = index.search(queries, 50)
    assert np.abs(coded_scores - exact_scores).max() > 1e-4  # FAISS's own scores here are the 8-bit codes'
    for i, query in enumerate(queries):
        dense = signal.scores(query[None, :], 50)
        np.testing.assert_array_equal(dense.candidates, exact_ids[i])
        np.testing.assert_allclose(dense.candidate_scores, np.asarray(vectors[dense.candidates]) @ query, rtol=0, atol=1e-6)
        assert dense.floor == pytest.approx(float(exact_scores[i, -1]), abs=1e-6)


@pytest.mark.parametrize("index_type", ["ivf-sq8", "ivf"])
def test_tiny_and_empty_ivf_requests_still_work(index_type: str) -> None:
    assert make_faiss_index(_unit_vectors(10), index_type).ntotal == 10
    assert make_faiss_index(np.zeros((0, 32), dtype=np.float32), index_type).ntotal == 0


def test_read_rows_preads_a_loaded_file_and_reads_anything_else_through_the_array(tmp_path: Path, monkeypatch) -> None:
    vectors = _unit_vectors(100)
    np.save(tmp_path / "embeddings.npy", vectors)
    mapped = np.load(tmp_path / "embeddings.npy", mmap_mode="r")
    reads: list[int] = []
    pread = os.pread
    monkeypatch.setattr(os, "pread", lambda fd, n, offset: reads.append(offset) or pread(fd, n, offset))
    rows = np.array([5, 0, 99, 5])
    np.testing.assert_array_equal(read_rows(mapped, rows), vectors[rows])
    assert len(reads) == 4  # by pread, not through the map
    np.testing.assert_array_equal(read_rows(mapped[10:], np.array([0, 3])), vectors[[10, 13]])  # a slice of the map
    for outside in (-1, 100):
        with pytest.raises(IndexError):
            read_rows(mapped, np.array([outside]))
    (tmp_path / "embeddings.npy").unlink()  # a version pruned under a process still serving it: the map still reads
    np.testing.assert_array_equal(read_rows(mapped, rows), vectors[rows])


def test_an_8_bit_index_giving_fewer_units_than_asked_gives_only_real_ones() -> None:
    vectors = _unit_vectors(5000)
    index = make_faiss_index(vectors, "ivf-sq8")
    index.nprobe = 1  # one list of ~44 vectors: fewer than the 100 asked, FAISS pads with -1
    ids, scores = search_units(index, vectors, vectors[:1], 100)
    assert 0 < len(ids) < 100 and (ids >= 0).all()
    np.testing.assert_allclose(scores, vectors[ids] @ vectors[0], rtol=0, atol=1e-6)
    dense = DenseSignal(index, len(vectors), vectors).scores(vectors[:1], 100)
    assert dense.floor == pytest.approx(float(scores[-1]))
    assert [len(x) for x in search_units(index, vectors, vectors[:1], 0)] == [0, 0]
