"""Retrieval signals, each scoring every search unit on its own: dense, lexical, and the cross-language bridges."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import faiss
import numpy as np

from index.columns import read_rows
from index.crosslingual import Glossary, chinese_glosses, concept_coverage, english_words, hangul_bigrams, korean_reading
from index.lexical import LexicalIndex, SparseScores, TokenIndex, tokens, without_question_words
from index.scripts import cjk_share, hangul_share, letter_shares, to_matching_script, word_counts

if TYPE_CHECKING:
    from index.language_projection import LanguageProjection

log = logging.getLogger(__name__)

# Folded, space-free unit texts kept for the English bridge (about 15 MB when full). An English question folds those
# of its up to 400 candidates not cached yet: p50 5.8 ms, p95 10 ms for 400 cold ones at 100k passages, under 1 ms warm.
SQUASHED_CACHE = 50_000


@dataclass(frozen=True)
class QuestionScripts:
    """How a question is written: its share of Chinese characters and of Hangul among its letters."""

    cjk: float
    hangul: float

    @classmethod
    def of(cls, question: str) -> QuestionScripts:
        return cls(cjk=cjk_share(question), hangul=hangul_share(question))

    @property
    def chinese(self) -> bool:
        return self.cjk >= 0.5

    @property
    def english(self) -> bool:
        """Neither Chinese nor Korean: the English bridge applies."""
        return self.cjk < 0.5 and self.hangul == 0


@dataclass(frozen=True)
class DenseScores:
    """Cosine of the question with every unit: FAISS's candidates exactly, the rest at the lowest candidate score.

    Kept as the candidates and that floor: `at` gives any units' scores without an array the length of the index.
    """

    candidates: np.ndarray  # unit numbers, best first
    candidate_scores: np.ndarray  # float32, one per candidate
    floor: float  # the score of every other unit
    size: int
    # Language-centered scores with `centering_keep_shared` and norms: the mean centered norm of the candidates, which
    # scales every candidate's centered part (`DenseSignal.centered_at` needs it to score other units alike).
    norm_scale: float | None = None

    @functools.cached_property
    def scores(self) -> np.ndarray:
        """Every unit's score, as one array."""
        dense = np.full(self.size, self.floor, dtype=np.float32)
        dense[self.candidates] = self.candidate_scores
        return dense

    @functools.cached_property
    def _sorted(self) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(self.candidates, kind="stable")
        return self.candidates[order], self.candidate_scores[order]

    def at(self, units: np.ndarray) -> np.ndarray:
        """The scores of these units."""
        if len(units) * 16 > self.size:  # many: gather them from one array of every unit
            return self.scores[units]
        out = np.full(len(units), self.floor, dtype=np.float32)
        ids, scores = self._sorted
        if len(ids) and len(units):
            where = np.minimum(np.searchsorted(ids, units), len(ids) - 1)
            found = ids[where] == units
            out[found] = scores[where[found]]
        return out

    def best(self, excluded: np.ndarray | None = None) -> float:
        """The best score of a unit, leaving out the units where `excluded` (a mask over every unit) is set."""
        kept = self.candidate_scores if excluded is None else self.candidate_scores[~excluded[self.candidates]]
        others = self.size - (0 if excluded is None else int(np.count_nonzero(excluded)))
        values = [float(kept.max())] if len(kept) else []
        if others > len(kept):  # a unit left to the floor
            values.append(float(np.float32(self.floor)))
        return max(values)


# The languages language centering tells apart, by script: e5's vectors of one script share a component of their own.
CENTERING_LANGUAGES = ("latin", "chinese", "korean")
# A language with fewer units than this has no mean of its own in an index (its questions fall back, see below).
MIN_CENTERING_UNITS = 20
_CHUNK = 65_536


def script_language(cjk: float, hangul: float) -> int:
    """The centering language (index into CENTERING_LANGUAGES) of a text with these shares of Chinese and Hangul letters."""
    return 1 if cjk >= 0.5 else 2 if hangul > 0.5 else 0


# A text with no words once its URLs and e-mail addresses are left out: written in no language (`prose_languages`).
NO_LANGUAGE = 255
_ADDRESSES = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+", re.IGNORECASE)


def prose_languages(texts: Sequence[str]) -> np.ndarray:
    """The centering language of most of each text's words (uint8): a Latin word, a Chinese character and a run of
    Hangul count one each, so "APIO、IOI 都是 IOI 赛制" is Chinese, though most of its letters are Latin; URLs and e-mail
    addresses are left out. NO_LANGUAGE for a text with no word left."""
    out = np.empty(len(texts), dtype=np.uint8)
    for i, text in enumerate(texts):
        words = _ADDRESSES.sub(" ", text)
        counts = list(word_counts(words))
        most = max(counts)
        out[i] = counts.index(most) if most else NO_LANGUAGE
    return out


def text_languages(texts: Sequence[str]) -> np.ndarray:
    """The centering language of each text (uint8, an index into CENTERING_LANGUAGES)."""
    return np.fromiter((script_language(*letter_shares(t)) for t in texts), dtype=np.uint8, count=len(texts))


@dataclass(frozen=True)
class LanguageCentering:
    """Each language's mean unit vector and every unit's norm once its language's mean is subtracted.

    Multilingual sentence vectors carry a component per language (Libovický et al. 2020): subtracting it from both
    sides before the cosine makes a question and a sentence of different languages as comparable as two of one.
    """

    unit_languages: np.ndarray  # uint8 per unit, an index into CENTERING_LANGUAGES
    means: np.ndarray  # float32 (languages, dimension): the mean unit vector of each language (zeros when it has none)
    counts: np.ndarray  # int64 per language: how many units it has
    norms: np.ndarray  # float32 per unit: |u - mean of its language|

    @classmethod
    def of(cls, vectors: np.ndarray, unit_texts: Sequence[str]) -> LanguageCentering:
        """The statistics of these unit vectors (one per text), computed in chunks so a memory-mapped matrix stays mapped."""
        return cls.with_languages(vectors, text_languages(unit_texts))

    @classmethod
    def with_languages(cls, vectors: np.ndarray, languages: np.ndarray) -> LanguageCentering:
        """The statistics of these unit vectors given each unit's language (an index into CENTERING_LANGUAGES)."""
        languages = np.asarray(languages, dtype=np.uint8)
        dimension = vectors.shape[1] if vectors.ndim == 2 else 0
        sums = np.zeros((len(CENTERING_LANGUAGES), dimension), dtype=np.float64)
        counts = np.bincount(languages, minlength=len(CENTERING_LANGUAGES)).astype(np.int64)
        for start in range(0, len(languages), _CHUNK):
            chunk = np.asarray(vectors[start : start + _CHUNK], dtype=np.float32)
            chunk_languages = languages[start : start + _CHUNK]
            for language in np.unique(chunk_languages):  # a masked sum per language: np.add.at is ~30x slower here
                sums[language] += chunk[chunk_languages == language].sum(axis=0, dtype=np.float64)
        means = (sums / np.maximum(counts, 1)[:, None]).astype(np.float32)
        norms = np.empty(len(languages), dtype=np.float32)
        squared_means = (means.astype(np.float64) ** 2).sum(axis=1)
        for start in range(0, len(languages), _CHUNK):
            chunk = np.asarray(vectors[start : start + _CHUNK], dtype=np.float32)
            language = languages[start : start + _CHUNK]
            dots = np.einsum("ij,ij->i", chunk, means[language])
            squared = np.einsum("ij,ij->i", chunk, chunk) - 2.0 * dots + squared_means[language]
            norms[start : start + len(chunk)] = np.sqrt(np.maximum(squared, 1e-12))
        return cls(languages, means, counts, norms)

    @functools.cached_property
    def mean_norm(self) -> float:
        """The mean centered norm of a unit: centered scores are scaled by it to stay on the scale of plain cosines."""
        return float(self.norms.mean()) if len(self.norms) else 1.0

    def has(self, language: int) -> bool:
        return bool(self.counts[language] >= MIN_CENTERING_UNITS)


# An index of 8-bit codes is asked for this many times the candidates wanted, which are then re-scored exactly from the
# stored vectors: at 100,000 passages 1.5x finds as much of the exact top-400 as float32 lists did (docs/benchmarks.md).
RESCORE_FETCH = 1.5


def search_units(index: object, vectors: np.ndarray | None, query: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """One query's best `depth` units and their exact cosines, best first.

    FAISS's own scores are exact for flat and float32 IVF indexes; an index of 8-bit codes
    (IndexIVFScalarQuantizer) gives approximate ones, so its candidates are re-scored from `vectors`.
    """
    if depth <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    if vectors is None or not isinstance(index, faiss.IndexIVFScalarQuantizer):
        scores, ids = index.search(query, depth)  # type: ignore[attr-defined]
        valid = ids[0] >= 0
        return ids[0][valid], scores[0][valid].astype(np.float32)
    _, ids = index.search(query, min(len(vectors), int(np.ceil(depth * RESCORE_FETCH))))
    found = np.sort(ids[0][ids[0] >= 0])  # in file order
    exact = read_rows(vectors, found) @ np.asarray(query[0], dtype=np.float32)
    order = np.argsort(-exact, kind="stable")[:depth]
    return found[order], exact[order]


class DenseSignal:
    """Inner product over normalised vectors (cosine similarity) from the version's FAISS index."""

    def __init__(
        self, faiss_index: object, unit_count: int, vectors: np.ndarray | None = None, centering: LanguageCentering | None = None
    ) -> None:
        self.index = faiss_index
        self.size = unit_count
        self.vectors = vectors  # the units' vectors (memory-mapped), for re-scoring candidates
        self.centering = centering

    def scores(self, query: np.ndarray, depth: int) -> DenseScores:
        ids, scores = search_units(self.index, self.vectors, query, min(self.size, depth))
        return DenseScores(ids, scores, float(scores[-1]) if len(scores) else 0.0, self.size)

    def centered_scores(
        self,
        query: np.ndarray,
        query_mean: np.ndarray,
        plain: DenseScores,
        depth: int,
        weight: float,
        *,
        norms: bool = True,
        keep_shared: bool = False,
        offsets_only: bool = False,
    ) -> DenseScores:
        """Language-centered cosines blended with the plain ones: (1 - weight) x plain + weight x centered.

        The centered cosine of unit u (language L) is ((q - m)·u - (q - m)·mean_L) / |u - mean_L|, times the mean
        centered norm of a unit so that it keeps the spread of plain cosines (the fusion weights were set on that
        scale); m is the question language's mean. With `keep_shared` only what tells the languages apart is
        subtracted: each mean less the mean of the languages' means. Candidates are the plain search's and a second
        FAISS search's with the centered question (the inner product with u is what FAISS ranks; the offset and the
        norm are per language and per unit), re-scored exactly from the stored vectors. With `offsets_only` the
        centered inner product keeps only its per-language part: the plain cosine plus one offset per language, so the
        order of the units within a language is the plain one.
        """
        centering = self.centering
        if centering is None or self.vectors is None or not len(plain.candidates):
            return plain
        shifted_query = query_mean
        if keep_shared:
            shifted_query = query_mean - centering.means[centering.counts > 0].mean(axis=0)
        centered_query = (query[0] - shifted_query).astype(np.float32)
        # The centered search only adds candidates to the plain one's (which probed every list it should): half the
        # inverted lists of an IVF index are enough for that, and keep the query path within its budget at 100k.
        probe = getattr(self.index, "nprobe", 0)
        extra = {"params": faiss.SearchParametersIVF(nprobe=max(1, probe // 2))} if probe > 1 else {}  # type: ignore[call-arg]
        _, ids = self.index.search(centered_query[None, :], min(self.size, depth), **extra)  # type: ignore[attr-defined]
        candidates = np.union1d(plain.candidates, ids[0][ids[0] >= 0]).astype(np.int64)
        vectors = read_rows(self.vectors, candidates)
        unit_norms = self.shared_norms(candidates, vectors) if norms and keep_shared and not offsets_only else None
        scale = float(unit_norms.mean()) if unit_norms is not None else None
        scores = self.centered_at(
            candidates,
            query,
            query_mean,
            weight,
            norms=norms,
            keep_shared=keep_shared,
            offsets_only=offsets_only,
            vectors=vectors,
            norm_scale=scale,
            unit_norms=unit_norms,
        )
        order = np.argsort(-scores, kind="stable")
        return DenseScores(candidates[order], scores[order], float(scores.min()), self.size, scale)

    def projected_scores(
        self,
        query: np.ndarray,
        plain: DenseScores,
        depth: int,
        projection: LanguageProjection,
        question_language: int,
        unit_languages: np.ndarray,
    ) -> DenseScores:
        """Plain cosines for the units written in the question's language or in none (`unit_languages`, as
        `prose_languages` gives them), language-neutral ones (`projection`) for the others. Candidates are the plain search's and a second FAISS search's with the projected question (its
        inner product with u is what FAISS ranks; u's norm once projected is per unit), re-scored exactly from the
        stored vectors."""
        if self.vectors is None or not len(plain.candidates):
            return plain
        projected_query = projection.apply(query)
        # As for the centered search: it only adds candidates, and half the inverted lists of an IVF index are enough.
        probe = getattr(self.index, "nprobe", 0)
        extra = {"params": faiss.SearchParametersIVF(nprobe=max(1, probe // 2))} if probe > 1 else {}  # type: ignore[call-arg]
        _, ids = self.index.search(projected_query, min(self.size, depth), **extra)  # type: ignore[attr-defined]
        candidates = np.union1d(plain.candidates, ids[0][ids[0] >= 0]).astype(np.int64)
        vectors = read_rows(self.vectors, candidates)
        scores = self.projected_at(candidates, query, projected_query, projection, question_language, unit_languages, vectors)
        order = np.argsort(-scores, kind="stable")
        return DenseScores(candidates[order], scores[order], float(scores.min()), self.size)

    def projected_at(
        self,
        units: np.ndarray,
        query: np.ndarray,
        projected_query: np.ndarray,
        projection: LanguageProjection,
        question_language: int,
        unit_languages: np.ndarray,
        vectors: np.ndarray,
    ) -> np.ndarray:
        """The scores `projected_scores` gives these units, computed exactly from their rows `vectors`."""
        languages = unit_languages[units]
        same = (languages == question_language) | (languages == NO_LANGUAGE)
        plain = vectors @ query[0]
        if same.all():
            return plain.astype(np.float32)
        return np.where(same, plain, projection.cosines(vectors, projected_query[0])).astype(np.float32)

    def shared_norms(self, units: np.ndarray, vectors: np.ndarray) -> np.ndarray:
        """Each unit's norm once its language's mean less the mean of the languages' means is subtracted (a constant)."""
        centering = self.centering
        assert centering is not None
        means = centering.means - centering.means[centering.counts > 0].mean(axis=0)
        shifted = vectors - means[centering.unit_languages[units]]
        return np.sqrt(np.maximum(np.einsum("ij,ij->i", shifted, shifted), 1e-12))

    def centered_at(
        self,
        units: np.ndarray,
        query: np.ndarray,
        query_mean: np.ndarray,
        weight: float,
        *,
        norms: bool = True,
        keep_shared: bool = False,
        offsets_only: bool = False,
        vectors: np.ndarray,
        norm_scale: float | None = None,
        unit_norms: np.ndarray | None = None,
    ) -> np.ndarray:
        """The scores `centered_scores` gives these units, computed exactly from their rows `vectors`.

        With norms and `keep_shared`, each centered part is scaled by the mean centered norm of the units scored
        together, or by `norm_scale` (that of a ranking's candidates, to score other units as they were).
        `unit_norms`: those units' `shared_norms`, if already computed.
        """
        centering = self.centering
        assert centering is not None
        means = centering.means
        if keep_shared:
            shared = means[centering.counts > 0].mean(axis=0)
            means, query_mean = means - shared, query_mean - shared
        centered_query = (query[0] - query_mean).astype(np.float32)
        languages = centering.unit_languages[units]
        if offsets_only:
            offsets = means @ centered_query + centering.means @ (query[0] - centered_query)
            return (vectors @ query[0] - weight * offsets[languages]).astype(np.float32)
        centered = vectors @ centered_query - (means @ centered_query)[languages]
        if norms and keep_shared:
            if unit_norms is None:
                unit_norms = self.shared_norms(units, vectors)
            mean_norm = float(unit_norms.mean()) if norm_scale is None else norm_scale
            centered = centered * (mean_norm / unit_norms)
        elif norms:
            centered = centered * (centering.mean_norm / centering.norms[units])
        return ((1.0 - weight) * (vectors @ query[0]) + weight * centered).astype(np.float32)


class LexicalSignal:
    """BM25 over script-folded tokens of the units (Chinese bigrams, Hangul bigrams, Latin words), with the English
    question's dictionary translations added to its query."""

    def __init__(self, unit_texts: Sequence[str], glossary: Glossary) -> None:
        self.index = LexicalIndex(unit_texts)
        self.glossary = glossary

    @classmethod
    def from_tables(cls, index: LexicalIndex, glossary: Glossary) -> LexicalSignal:
        """The signal over a lexical index and glossary built earlier (saved with the version)."""
        signal = cls.__new__(cls)
        signal.index = index
        signal.glossary = glossary
        return signal

    def scores(self, question: str, scripts: QuestionScripts) -> SparseScores:
        extra = self.glossary.translate(question) if not scripts.chinese else []
        return self.index.sparse_scores(question, extra)

    def known_share(self, question: str) -> float:
        return self.index.known_share(question)

    def content(self, question: str) -> tuple[float, int]:
        """Share (and count) of a Chinese question's tokens found in the documents once the documents' names are cut out."""
        rest = self.glossary.without_names(to_matching_script(question))
        return self.index.known(tokens(rest, query=True))


class EnglishBridge:
    """An English question's names, dates and unambiguous words found in a unit, IDF-weighted (index/crosslingual.py)."""

    def __init__(self, glossary: Glossary, unit_text: object, unit_count: int) -> None:
        self.glossary = glossary
        self._unit_text = unit_text
        self.size = unit_count
        self._squashed: dict[int, str] = {}

    def bonus(self, question: str, candidates: np.ndarray, name_weight: float, word_weight: float) -> SparseScores | None:
        """The bonus of each of the dense candidates (no other unit has one)."""
        concepts = self.glossary.concepts(question)
        if not concepts or not len(candidates):
            return None
        names = [c for c in concepts if c.kind != "word"]
        words = [c for c in concepts if c.kind == "word"]
        texts = [self._squashed_unit(int(u)) for u in candidates]
        bonus = (name_weight * concept_coverage(names, texts) + word_weight * concept_coverage(words, texts)).astype(np.float32)
        order = np.argsort(candidates, kind="stable")
        return SparseScores(np.asarray(candidates[order], dtype=np.int64), bonus[order], self.size)

    def _squashed_unit(self, unit: int) -> str:
        text = self._squashed.get(unit)
        if text is None:
            if len(self._squashed) > SQUASHED_CACHE:
                self._squashed.clear()
            text = self._squashed[unit] = "".join(to_matching_script(self._unit_text(unit)).split())  # type: ignore[operator]
        return text


class KoreanReadings:
    """Korean and Chinese meet through Sino-Korean readings: every Chinese character read as its Hangul syllable.

    Units are indexed read that way (Korean units as they are), so a Korean question's Hangul bigrams find Chinese
    units (공동성명 ~ 共同聲明), and a Chinese question read the same way finds Korean units (依賴地獄 ~ 의존성 지옥).
    """

    def __init__(self, unit_texts: Sequence[str]) -> None:
        readings = [self.unit_tokens(text) for text in unit_texts]
        self.index = TokenIndex(readings)
        self.korean_units = np.fromiter((self.is_korean(text) for text in unit_texts), dtype=bool, count=len(unit_texts))
        self._korean_vocabulary = frozenset(t for tokens_, korean in zip(readings, self.korean_units) if korean for t in tokens_)

    @staticmethod
    def unit_tokens(text: str) -> list[str]:
        """What a unit is indexed as: the Hangul bigrams of its Sino-Korean reading."""
        return hangul_bigrams(korean_reading(text))

    @staticmethod
    def is_korean(text: str) -> bool:
        """A unit mostly in Hangul."""
        return letter_shares(text)[1] > 0.5

    @classmethod
    def from_tables(cls, index: TokenIndex, korean_units: np.ndarray, korean_vocabulary: frozenset[str]) -> KoreanReadings:
        """The readings index, the mask of Korean units and their bigrams, built earlier (saved with the version)."""
        readings = cls.__new__(cls)
        readings.index = index
        readings.korean_units = korean_units
        readings._korean_vocabulary = korean_vocabulary
        return readings

    @property
    def korean_vocabulary(self) -> frozenset[str]:
        """The reading bigrams of the Korean units."""
        return self._korean_vocabulary

    def scores(self, question: str) -> SparseScores:
        """A Korean question against every unit."""
        return self.index.sparse_scores(hangul_bigrams(without_question_words(question)))

    def chinese_scores(self, question: str) -> SparseScores | None:
        """A Chinese question read in Sino-Korean against the Korean units only (Chinese units have the lexical signal)."""
        if not self.korean_units.any():
            return None
        scores = self.index.sparse_scores(hangul_bigrams(korean_reading(question)))
        if scores.full is not None:
            return SparseScores.from_dense(np.where(self.korean_units, scores.full, np.float32(0.0)))
        korean = self.korean_units[scores.units]
        return SparseScores(scores.units[korean], scores.values[korean], scores.size)

    def chinese_known_share(self, question: str) -> float:
        """The share of a Chinese question's bigrams, read in Sino-Korean, that the Korean units hold."""
        bigrams = hangul_bigrams(korean_reading(question))
        return sum(1 for t in bigrams if t in self._korean_vocabulary) / len(bigrams) if bigrams else 0.0


def _is_english(cjk: float, hangul: float) -> bool:
    return cjk < 0.5 and hangul == 0


class ChineseEnglishBridge:
    """A Chinese question's words (longest CC-CEDICT headwords first) as their English glosses, against English units."""

    MAX_HEADWORD = 4

    def __init__(self, unit_texts: Sequence[str]) -> None:
        english = [self.unit_tokens(text) for text in unit_texts]
        self.index = TokenIndex(english)
        self._glosses = chinese_glosses() if any(english) else {}

    @staticmethod
    def unit_tokens(text: str) -> list[str]:
        """What a unit is indexed as: the words of an English unit, none of any other."""
        return english_words(text) if _is_english(*letter_shares(text)) else []

    @classmethod
    def from_tables(cls, index: TokenIndex, glosses: dict[str, tuple[str, ...]]) -> ChineseEnglishBridge:
        """The bridge over an index of the English units' words and the glosses (empty when no unit is English)."""
        bridge = cls.__new__(cls)
        bridge.index = index
        bridge._glosses = glosses
        return bridge

    @property
    def glosses(self) -> dict[str, tuple[str, ...]]:
        """Headword -> English words (CC-CEDICT), or nothing when no unit is English."""
        return self._glosses

    def scores(self, question: str) -> SparseScores | None:
        words = [w for gloss in self._segment(question) for w in gloss]
        return self.index.sparse_scores(words) if words else None

    def known_share(self, question: str) -> float:
        """The share of a Chinese question's dictionary words with a gloss word that the English units hold."""
        glosses = self._segment(question)
        vocabulary = self.index.vocabulary
        return sum(1 for gloss in glosses if any(w in vocabulary for w in gloss)) / len(glosses) if glosses else 0.0

    def _segment(self, question: str) -> list[tuple[str, ...]]:
        """The glosses of the question's words, longest headword first."""
        if not self._glosses:
            return []
        folded = to_matching_script(question)
        found: list[tuple[str, ...]] = []
        i = 0
        while i < len(folded):
            for size in range(self.MAX_HEADWORD, 1, -1):
                gloss = self._glosses.get(folded[i : i + size])
                if gloss:
                    found.append(gloss)
                    i += size
                    break
            else:
                i += 1
        return found
