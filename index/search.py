"""Retrieval: rank passages for a question from the dense vectors of their sentence units."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from index.embeddings import Embedder
from index.models import Passage, ScoredPassage
from index.store import LoadedIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnitHit:
    """One search unit (sentence span of a passage) and its score."""

    unit: int
    passage: int
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class SearchResult:
    """Ranked passages plus the unit hits behind them (the quote is chosen from these)."""

    passages: list[ScoredPassage]
    unit_hits: list[UnitHit]
    query_vector: np.ndarray


class Retriever:
    """Dense search over sentence units, aggregated to passages by their best unit."""

    def __init__(self, loaded: LoadedIndex, embedder: Embedder) -> None:
        self.loaded = loaded
        self.embedder = embedder

    @property
    def passages(self) -> list[Passage]:
        return self.loaded.passages

    def search(self, question: str, k: int = 3) -> SearchResult:
        query = self.embedder.embed_queries([question])
        units = self.loaded.units
        depth = min(len(units), max(50, k * 10))
        if depth == 0:
            return SearchResult([], [], query[0])
        scores, ids = self.loaded.faiss_index.search(query, depth)
        hits: list[UnitHit] = []
        best: dict[int, float] = {}
        for score, uid in zip(scores[0], ids[0], strict=True):
            if uid < 0:
                continue
            unit = units[uid]
            hits.append(UnitHit(int(uid), unit.passage, unit.start, unit.end, float(score)))
            if unit.passage not in best or score > best[unit.passage]:
                best[unit.passage] = float(score)
        ranked = sorted(best.items(), key=lambda item: -item[1])[:k]
        return SearchResult(
            passages=[self._scored(p, s) for p, s in ranked],
            unit_hits=hits,
            query_vector=query[0],
        )

    def _scored(self, passage_index: int, score: float) -> ScoredPassage:
        passage = self.loaded.passages[passage_index]
        meta = self.loaded.documents.get(passage.doc_id)
        return ScoredPassage(passage=passage, score=score, title=meta.title if meta else "")
