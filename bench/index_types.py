"""Exact versus approximate FAISS search on the same vectors: build time, latency and recall against exact search."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import faiss
import numpy as np

from index.signals import search_units
from index.store import make_faiss_index

# Result depths asked of FAISS: 50 is what a plain dense retriever asks for top-3 passages; the fused
# retriever asks for a deeper list (a few hundred) to combine with BM25, so both are measured.
DEPTHS = (50, 400)
TIE = 1e-3  # scores this close to the exact k-th score count as equally good (near-duplicate vectors)


@dataclass
class IndexTypeResult:
    """One index type at one depth: build seconds, per-query latency samples, and agreement with exact search."""

    name: str
    depth: int
    units: int
    build_seconds: float
    latencies_ms: list[float]
    recall: float  # share of the exact top-`depth` ids also returned
    tie_recall: float  # share of returned results scoring at least the exact `depth`-th score (minus TIE)
    top1: float  # share of queries whose best score equals the exact best score


def _search_each(index: faiss.Index | Rescored, queries: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray, list[float]]:
    scores = np.empty((len(queries), depth), dtype=np.float32)
    ids = np.empty((len(queries), depth), dtype=np.int64)
    latencies: list[float] = []
    for i in range(len(queries)):
        started = time.perf_counter()
        found_scores, found = index.search(queries[i : i + 1], depth)
        latencies.append((time.perf_counter() - started) * 1000)
        scores[i], ids[i] = found_scores[0], found[0]
    return scores, ids, latencies


def hnsw_index(vectors: np.ndarray, m: int = 16, ef_construction: int = 40, ef_search: int = 128) -> faiss.Index:
    index = faiss.IndexHNSWFlat(vectors.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_construction
    index.hnsw.efSearch = ef_search
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def with_nprobe(index: faiss.Index, nprobe: int) -> faiss.Index:
    index.nprobe = nprobe
    return index


def compare(
    vectors: np.ndarray, queries: np.ndarray, builders: dict[str, Callable[[np.ndarray], faiss.Index | Rescored]], repeat: int = 3
) -> list[IndexTypeResult]:
    """Build every index type once, search every query `repeat` times at each depth (one query per call, as the bot does).

    The first builder must be exact search: it is the reference for recall.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    results: list[IndexTypeResult] = []
    exact: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for name, build in builders.items():
        started = time.perf_counter()
        index = build(vectors)
        build_seconds = time.perf_counter() - started
        for depth in DEPTHS:
            depth = min(depth, len(vectors))
            _search_each(index, queries[:3], depth)  # warm-up
            latencies: list[float] = []
            for _ in range(repeat):
                scores, ids, lat = _search_each(index, queries, depth)
                latencies.extend(lat)
            if depth not in exact:
                exact[depth] = (scores, ids)
            ex_scores, ex_ids = exact[depth]
            recall = float(np.mean([len(set(a) & set(b)) / depth for a, b in zip(ids, ex_ids, strict=True)]))
            tie_recall = float(np.mean([(s >= e[-1] - TIE).mean() for s, e in zip(scores, ex_scores, strict=True)]))
            top1 = float(np.mean(np.abs(scores[:, 0] - ex_scores[:, 0]) < 1e-4))
            results.append(IndexTypeResult(name, depth, len(vectors), build_seconds, latencies, recall, tie_recall, top1))
        del index
    return results


class Rescored:
    """An index searched as the product searches it: `index.signals.search_units` (8-bit codes re-scored exactly)."""

    def __init__(self, index: faiss.Index, vectors: np.ndarray) -> None:
        self.index = index
        self.vectors = vectors

    def search(self, query: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
        ids, scores = search_units(self.index, self.vectors, query, depth)
        padded_ids = np.full((1, depth), -1, dtype=np.int64)
        padded_scores = np.full((1, depth), -np.inf, dtype=np.float32)
        padded_ids[0, : len(ids)], padded_scores[0, : len(scores)] = ids, scores
        return padded_scores, padded_ids


def default_builders(with_hnsw: bool = True) -> dict[str, Callable[[np.ndarray], faiss.Index | Rescored]]:
    builders: dict[str, Callable[[np.ndarray], faiss.Index | Rescored]] = {
        "flat (exact)": lambda v: make_faiss_index(v, "flat"),
        "ivf-sq8 as stored (1.6·√n lists, nprobe n/16, re-scored exactly)": lambda v: Rescored(make_faiss_index(v, "ivf-sq8"), v),
        "ivf-sq8, FAISS's 8-bit scores": lambda v: make_faiss_index(v, "ivf-sq8"),
        "ivf float32 lists (what versions before ivf-sq8 hold)": lambda v: make_faiss_index(v, "ivf"),
        "ivf float32, nprobe 32": lambda v: with_nprobe(make_faiss_index(v, "ivf"), 32),
    }
    if with_hnsw:
        builders["hnsw M=16 efC=40 efS=128"] = hnsw_index
    return builders
