"""A word bridge between every pair of the four languages, induced by the embedding model itself.

The dictionaries (CC-CEDICT, Sino-Korean readings) bridge some pairs one way; Korean <-> English and the reverse
directions had nothing. multilingual-e5 aligns single words across languages well when the question's word is
embedded as a query and the documents' words as passages (보안 -> security, 漏洞 -> vulnerability, 이메일 -> email).
So each word the documents write is embedded once, and a question's words are matched to the documents' words of the
other scripts; the units holding a matched word score its IDF. Short, frequent words sit close to every word (html,
www), so a match is scored against how close generic words come to that document word (its hubness, as in CSLS:
Conneau et al. 2018). Measured in docs/retrieval.md ("A word bridge by the model's own word vectors").
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from index.coverage import CoverageBank, write_cache
from index.crosslingual import chinese_glosses, longest_first
from index.embeddings import Embedder
from index.language_projection import LanguageProjection
from index.lexical import SparseScores, without_question_words
from index.scripts import to_matching_script
from index.stopwords import LEXICAL_STOP_WORDS

log = logging.getLogger(__name__)

LATIN, HANGUL, CHINESE = 0, 1, 2
_LATIN_WORD = re.compile(r"[a-z][a-z0-9+#]*(?:[-'][a-z0-9]+)*")
_HANGUL_WORD = re.compile("[\uac00-\ud7af]+")
_CHINESE_RUN = re.compile("[\u4e00-\u9fff\u3400-\u4dbf]+")
# Generic words whose closeness to a document word measures its hubness: wordfreq's common words of each language,
# past the function words.
PROBE_RANKS = (300, 700)
PROBE_LANGUAGES = ("en", "ko", "zh")
HUB_NEIGHBOURS = 10
# Pairs (question word's script, document word's script) left to a dictionary: the English bridge (CC-CEDICT names and
# concepts, index/crosslingual.py) already takes English questions to Chinese units, and there the induced words only
# lost questions (docs/retrieval.md).
LEFT_TO_DICTIONARIES = frozenset({(LATIN, CHINESE)})
QUESTION_WORD_CACHE = 4096


@functools.lru_cache(maxsize=1)
def _chinese_words() -> tuple[frozenset[str], int]:
    """CC-CEDICT's words of two or more characters (in the matching script) and the longest one's length."""
    words = frozenset(chinese_glosses())
    return words, max((len(w) for w in words), default=0)


def chinese_words(run: str) -> list[str]:
    """The dictionary words of a run of Chinese characters, longest match first from the left; other characters drop."""
    known, longest = _chinese_words()
    found = longest_first(run, lambda chars: "".join(chars) in known or None, longest=min(longest, 6), shortest=2)
    return ["".join(chars) for chars, _ in found]


def words(text: str, *, query: bool = False) -> list[tuple[int, str]]:
    """(script, word) of a text: Latin words but stop words, Hangul words as written, Chinese dictionary words.

    A question loses its interrogatives and question endings first; both sides are folded to one Chinese script.
    """
    folded = without_question_words(text) if query else to_matching_script(text)
    out = [(LATIN, w) for w in _LATIN_WORD.findall(folded.lower()) if len(w) > 1 and w not in LEXICAL_STOP_WORDS]
    out.extend((HANGUL, w) for w in _HANGUL_WORD.findall(folded))
    for run in _CHINESE_RUN.findall(folded):
        out.extend((CHINESE, w) for w in chinese_words(run))
    return out


@functools.lru_cache(maxsize=1)
def probe_words() -> tuple[str, ...]:
    """Common words of English, Korean and Chinese (wordfreq), the generic side of a document word's hubness."""
    from wordfreq import get_frequency_list, top_n_list

    first, last = PROBE_RANKS
    probes: list[str] = []
    for language in PROBE_LANGUAGES:
        probes.extend(w for w in top_n_list(language, last)[first:] if len(w) > 1)
    # wordfreq keeps every list it read (all of each language's words, about 50 MB for these three) for the life of
    # the process; a serving process needs only these (under a thousand).
    get_frequency_list.cache_clear()
    return tuple(dict.fromkeys(probes))


# Part of the cached postings' name: a change to `words` must not read postings of the old tokenisation.
POSTINGS_FORMAT = 1


@dataclass(frozen=True)
class WordPostings:
    """The documents' words (the most widespread, at most `vocabulary`), their script and IDF, and the units holding
    each (`units[starts[i]:starts[i + 1]]` for word i)."""

    words: tuple[str, ...]
    scripts: np.ndarray
    idf: np.ndarray
    starts: np.ndarray
    units: np.ndarray
    size: int  # how many units the index has

    @classmethod
    def of(cls, unit_texts: Sequence[str], vocabulary: int) -> WordPostings:
        per_unit = [dict.fromkeys(words(text)) for text in unit_texts]
        frequency: dict[tuple[int, str], int] = {}
        for found in per_unit:
            for word in found:
                frequency[word] = frequency.get(word, 0) + 1
        # The most widespread words when there are too many to embed (a rare word is usually written alike everywhere).
        kept = sorted(frequency, key=lambda w: (-frequency[w], w))[:vocabulary]
        kept.sort(key=lambda w: (w[0], w[1]))
        number = {word: i for i, word in enumerate(kept)}
        postings: list[list[int]] = [[] for _ in kept]
        for unit, found in enumerate(per_unit):
            for word in found:
                if word in number:
                    postings[number[word]].append(unit)
        starts = np.zeros(len(kept) + 1, dtype=np.int64)
        starts[1:] = np.cumsum([len(p) for p in postings])
        df = np.array([frequency[word] for word in kept], dtype=np.float64)
        size = len(unit_texts)
        return cls(
            words=tuple(w for _, w in kept),
            scripts=np.array([script for script, _ in kept], dtype=np.int8),
            idf=np.log1p((size - df + 0.5) / (df + 0.5)).astype(np.float32),
            starts=starts,
            units=np.array([u for p in postings for u in p], dtype=np.int32),
            size=size,
        )

    @classmethod
    def cached(cls, path: Path | None, unit_texts: Callable[[], Sequence[str]], vocabulary: int) -> WordPostings:
        """The postings saved at `path` (an index version's, in its cache), else built and saved there.

        Tokenising every unit takes about 25 s at 100k passages; reading them back, well under one.
        """
        if path is not None and path.is_file():
            try:
                with np.load(path, allow_pickle=False) as data:
                    return cls(
                        tuple(data["words"].tolist()), data["scripts"], data["idf"], data["starts"], data["units"], int(data["size"])
                    )
            except (OSError, ValueError, KeyError) as exc:
                log.warning("word bridge cache %s unreadable (%s); building it again", path, exc)
        postings = cls.of(unit_texts(), vocabulary)
        if path is not None:
            postings._save(path)
        return postings

    def _save(self, path: Path) -> None:
        def save(handle: BinaryIO) -> None:
            words = np.array(self.words, dtype=str)
            np.savez(
                handle, words=words, scripts=self.scripts, idf=self.idf, starts=self.starts, units=self.units, size=np.int64(self.size)
            )

        saved = write_cache(path, save, "word bridge")
        if saved:
            for old in path.parent.glob("word-bridge-*.npz"):  # other versions' postings: only the served one is read
                if old != path:
                    old.unlink(missing_ok=True)


def postings_path(cache_dir: Path | None, version: str, vocabulary: int) -> Path | None:
    """Where an index version's postings are cached (None without a cache directory)."""
    return cache_dir / f"word-bridge-{version}-{vocabulary}-{POSTINGS_FORMAT}.npz" if cache_dir is not None else None


class WordBridge:
    """The documents' words, their vectors and hubness, and which units hold each; scores a question's words."""

    def __init__(
        self, postings: WordPostings, embedder: Embedder, cache_dir: Path | None = None, projection: LanguageProjection | None = None
    ) -> None:
        self.embedder = embedder
        # Words of different scripts compared language-neutrally (index/language_projection.py) when given.
        self.projection = projection
        self.size = postings.size
        self.words = postings.words  # the document words, by number
        # At a first start this embeds the words (about 200 a second on one core): say so before the wait.
        log.info(
            "word bridge: %d document words and %d common words to embed or read from the index cache", len(self.words), len(probe_words())
        )
        self.scripts = postings.scripts
        self.present_scripts = frozenset(int(script) for script in np.unique(self.scripts))
        self.idf = postings.idf
        self.starts = postings.starts
        self.units = postings.units
        self.vectors = (
            self._projected(CoverageBank(embedder, self.words, cache_dir).vectors) if self.words else np.zeros((0, 0), dtype=np.float32)
        )
        self.hubness = self._hubness(cache_dir)
        self._question_vectors: dict[str, np.ndarray] = {}  # the bot asks from several threads
        self._lock = threading.Lock()
        log.info("word bridge ready: %d words of %d units", len(self.words), self.size)

    def _projected(self, vectors: np.ndarray) -> np.ndarray:
        return self.projection.apply(vectors) if self.projection is not None else vectors

    @classmethod
    def of_texts(cls, unit_texts: Sequence[str], embedder: Embedder, cache_dir: Path | None = None, vocabulary: int = 20_000) -> WordBridge:
        return cls(WordPostings.of(unit_texts, vocabulary), embedder, cache_dir)

    def _hubness(self, cache_dir: Path | None) -> np.ndarray:
        """Each document word's mean cosine with its nearest generic words (embedded as queries)."""
        if not len(self.vectors):
            return np.zeros(0, dtype=np.float32)
        probes = self._projected(CoverageBank(self.embedder, probe_words(), cache_dir, as_queries=True).vectors)
        near = min(HUB_NEIGHBOURS, len(probes))
        out = np.empty(len(self.vectors), dtype=np.float32)
        for start in range(0, len(self.vectors), 4096):  # bounded memory at a large vocabulary
            similar = self.vectors[start : start + 4096] @ probes.T
            out[start : start + 4096] = np.partition(similar, similar.shape[1] - near, axis=1)[:, -near:].mean(axis=1)
        return out

    def targets(self, script: int) -> np.ndarray:
        """Which document words a question word of this script may match: those of another script, not one left to a
        dictionary."""
        allowed = self.scripts != script
        for source, target in LEFT_TO_DICTIONARIES:
            if source == script:
                allowed &= self.scripts != target
        return allowed

    def bridged_words(self, question: str) -> list[tuple[int, str]]:
        """The question's words that have document words to match: none when the documents are all in its script."""
        present = self.present_scripts
        reachable = {
            script: bool(present - {script} - {t for s, t in LEFT_TO_DICTIONARIES if s == script}) for script in (LATIN, HANGUL, CHINESE)
        }
        return [(script, word) for script, word in dict.fromkeys(words(question, query=True)) if reachable[script]]

    def embed_question_words(self, question: str) -> np.ndarray:
        """The vectors of the question's bridged words (embedded as queries; the last few thousand are kept)."""
        return self._word_vectors([w for _, w in self.bridged_words(question)])

    def _word_vectors(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.vectors.shape[1] if self.vectors.ndim == 2 else 0), dtype=np.float32)
        with self._lock:
            known = {t: self._question_vectors.get(t) for t in texts}
        missing = [t for t, vector in known.items() if vector is None]
        if missing:
            fresh = self._projected(np.asarray(self.embedder.embed_queries(missing), dtype=np.float32))
            with self._lock:
                if len(self._question_vectors) + len(missing) > QUESTION_WORD_CACHE:
                    self._question_vectors.clear()
                for text, vector in zip(missing, fresh, strict=True):
                    self._question_vectors[text] = known[text] = vector
        return np.stack([vector for vector in known.values() if vector is not None])

    def matches(self, question: str, threshold: float, per_word: int) -> list[tuple[str, int, float]]:
        """(question word, document word number, score) for each of a question word's `per_word` best document words
        of another script (not one `LEFT_TO_DICTIONARIES`) whose cosine, less that word's hubness, reaches `threshold`."""
        asked = self.bridged_words(question) if len(self.vectors) else []
        if not asked:
            return []
        scores = self._word_vectors([w for _, w in asked]) @ self.vectors.T - self.hubness[None, :]
        found: list[tuple[str, int, float]] = []
        for row, (script, word) in zip(scores, asked, strict=True):
            row = np.where(self.targets(script), row, -np.inf)
            best = np.argpartition(-row, min(per_word, len(row) - 1))[:per_word] if len(row) > per_word else np.arange(len(row))
            found.extend((word, int(j), float(row[j])) for j in best if row[j] >= threshold)
        return found

    def scores(self, question: str, threshold: float, per_word: int) -> SparseScores | None:
        """Each unit's sum of the IDF of the matched document words it holds (None when no word matches)."""
        matched = {j for _, j, _ in self.matches(question, threshold, per_word)}
        if not matched:
            return None
        units = np.concatenate([self.units[self.starts[j] : self.starts[j + 1]] for j in matched]).astype(np.int64)
        values = np.concatenate([np.full(self.starts[j + 1] - self.starts[j], self.idf[j], dtype=np.float32) for j in matched])
        distinct, where = np.unique(units, return_inverse=True)
        summed = np.zeros(len(distinct), dtype=np.float32)
        np.add.at(summed, where, values)
        return SparseScores(distinct.astype(np.int64), summed, self.size)
