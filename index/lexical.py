"""Lexical signal for Chinese text: character bigrams of script-normalised text, scored with BM25 (bm25s)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import numpy as np

from index.scripts import to_matching_script
from index.stopwords import LEXICAL_STOP_WORDS

log = logging.getLogger(__name__)

# Interrogatives and particles that carry no topic (Simplified, since matching text is folded first).
# A word rare in the documents gets a high IDF, so leaving "什么" in a question would reward any
# passage that happens to contain it.
# The same for Korean: interrogatives and the endings of a question (documents are written in the declarative -다).
_QUESTION_WORDS = re.compile(
    "什么时候|为什么|为何|什么|哪些|哪里|哪个|哪一|哪儿|如何|怎么样|怎么|怎样|多少|几时|是否|是不是|有没有|谁|何时|何地|吗|呢|请问|请"
    "|어떻게|어떤|어느|무엇|무슨|누구|누가|언제|어디|얼마나|얼마|몇|왜|뭐"
    "|습니까|입니까|인가요|할까요|일까요|하나요|나요|까요"
)


def without_question_words(text: str) -> str:
    """A question without its interrogatives and question endings (folded to the matching script)."""
    return _QUESTION_WORDS.sub(" ", to_matching_script(text))


_LATIN_STOP = LEXICAL_STOP_WORDS
_LATIN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
# A unit without tokens is indexed as this one token; bm25s adds "" to every vocabulary. Neither is a word of the texts.
EMPTY_DOCUMENT = "\x00"
_NOT_WORDS = frozenset({EMPTY_DOCUMENT, ""})


# Runs of Chinese characters or of Hangul, as `is_cjk_ideograph` and `is_hangul` tell them.
_CJK_OR_HANGUL_RUN = re.compile(
    "[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0002fa1f]+|[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]+"
)
# A query whose postings number more than 1/SPARSE_BELOW of the units is summed in one array of every unit.
SPARSE_BELOW = 16


def tokens(text: str, *, query: bool = False) -> list[str]:
    """Bigrams of runs of Chinese characters or Hangul (a lone character stays a unigram), plus Latin words and numbers.

    The text is folded to one script first, so Simplified and Traditional spellings give the same tokens.
    """
    folded = without_question_words(text) if query else to_matching_script(text)
    out: list[str] = []
    for run in _CJK_OR_HANGUL_RUN.findall(folded):
        if len(run) == 1:
            out.append(run)
        else:
            out.extend([run[i : i + 2] for i in range(len(run) - 1)])
    out.extend(w for w in _LATIN.findall(folded) if w not in _LATIN_STOP)
    return out


def _bm25s() -> ModuleType:
    """bm25s, imported where it is used and quietened: it sets its own logger to DEBUG when imported."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


class SparseScores:
    """One signal's scores for one question: `values` at the sorted, distinct `units`, zero at every other unit.

    At 100k passages (414k units) a question's tokens usually match a few thousand units: keeping only those spares
    the per-question arrays the length of the index. When they match many, the array of every unit is kept as well
    (`full`), and scores are read from it.
    """

    __slots__ = ("_max", "_units", "_values", "full", "ideal", "size")

    def __init__(self, units: np.ndarray | None, values: np.ndarray | None, size: int, full: np.ndarray | None = None) -> None:
        if units is None and full is None:
            raise ValueError("scores need their units or the array of every unit")
        self._units = units  # sorted, distinct unit numbers (found in `full` when first asked for)
        self._values = values  # float32, one per unit of `units`
        self.size = size  # how many units the index has
        self.full = full  # every unit's score, when it was computed that way
        self._max: float | None = None  # `max()`, once computed (fusion asks for it once per term and set of units)
        # The score of a unit holding each query token as well as the best unit holding it does (the sum over the
        # query's tokens of each one's best score): no unit scores more. None where it was not computed.
        self.ideal: float | None = None

    @classmethod
    def empty(cls, size: int) -> SparseScores:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), size)

    @classmethod
    def from_dense(cls, scores: np.ndarray) -> SparseScores:
        return cls(None, None, len(scores), np.asarray(scores, dtype=np.float32))

    @property
    def units(self) -> np.ndarray:
        if self._units is None:
            assert self.full is not None  # one of the two is always given
            self._units = np.flatnonzero(self.full)
        return self._units

    @property
    def values(self) -> np.ndarray:
        if self._values is None:
            self._values = self.full[self.units] if self.full is not None else np.zeros(0, dtype=np.float32)
        return self._values

    def __len__(self) -> int:
        return self.size

    def max(self) -> float:
        """The largest score over every unit (0.0 when some unit has none, as for an empty index)."""
        if self._max is None:
            if self.full is not None:
                self._max = float(self.full.max()) if self.size else 0.0
            else:
                top = float(self.values.max()) if len(self.values) else 0.0
                self._max = max(top, 0.0) if len(self.units) < self.size and len(self.values) else top
        return self._max

    def at(self, units: np.ndarray) -> np.ndarray:
        """The scores of these units (0.0 where there is none)."""
        if self.full is not None:
            return self.full[units]
        out = np.zeros(len(units), dtype=np.float32)
        if len(self.units) and len(units):
            where = np.minimum(np.searchsorted(self.units, units), len(self.units) - 1)
            found = self.units[where] == units
            out[found] = self.values[where[found]]
        return out

    def positive(self) -> np.ndarray:
        """The units with a score above zero, in order."""
        return self.units[self.values > 0]

    def mark_positive(self, mask: np.ndarray) -> None:
        """Set `mask` (one flag per unit) where the score is above zero."""
        if self.full is not None:
            mask |= self.full > 0
        else:
            mask[self.positive()] = True

    def dense(self) -> np.ndarray:
        """Every unit's score, as one array."""
        if self.full is not None:
            return self.full
        out = np.zeros(self.size, dtype=np.float32)
        out[self.units] = self.values
        return out


def distinct_sorted(units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct values of `units` in order, the position of each element of `units` among them)."""
    order = np.argsort(units, kind="stable")
    ordered = units[order]
    first = np.empty(len(ordered), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    inverse = np.empty(len(units), dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def _add_at(target: np.ndarray, positions: np.ndarray, values: np.ndarray) -> None:
    """`target[positions] += values` for distinct positions (one token's postings name each unit once): numpy's
    `add.at` costs ~0.1 ms a call, a gather and scatter more than it from some 50,000 positions."""
    if len(positions) > 50_000:
        np.add.at(target, positions, values)
    else:
        target[positions] += values


class TokenIndex:
    """BM25 over already tokenised texts (one list of tokens per search unit); zeros where nothing matches."""

    def __init__(self, corpus: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        bm25s = _bm25s()
        self.size = len(corpus)
        self._bm25 = None
        self._token_best: np.ndarray | None = None
        self._vocabulary: frozenset[str] = frozenset(t for doc in corpus for t in doc)
        if corpus and self._vocabulary:
            self._bm25 = bm25s.BM25(k1=k1, b=b)
            self._bm25.index([list(doc) or [EMPTY_DOCUMENT] for doc in corpus], show_progress=False)

    @classmethod
    def from_bm25(cls, bm25: Any | None, size: int) -> TokenIndex:
        """A TokenIndex over a bm25s index built earlier (index/search_tables.py loads it memory-mapped)."""
        index = cls.__new__(cls)
        index.size = size
        index._bm25 = bm25
        index._token_best = None
        index._vocabulary = frozenset(bm25.vocab_dict).difference(_NOT_WORDS) if bm25 is not None else frozenset()
        return index

    @property
    def bm25(self) -> Any | None:
        """The bm25s index (None when no text has a token)."""
        return self._bm25

    @property
    def vocabulary(self) -> frozenset[str]:
        return self._vocabulary

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """Every unit's BM25 score for the query tokens (zeros if nothing matches)."""
        return self.sparse_scores(query).dense()

    def _best_by_token(self, matrix: Any) -> np.ndarray:
        """Each token's best score over the units (0 for a token without postings), by token id, from bm25s's score matrix:
        read once, on first use, so that a question's ideal score costs a lookup per token, not a pass over its postings."""
        if self._token_best is None:
            data, indptr = matrix["data"], np.asarray(matrix["indptr"], dtype=np.int64)
            best = np.zeros(len(indptr) - 1, dtype=np.float32)
            held = indptr[1:] > indptr[:-1]
            if held.any():  # each token's postings run from its start to the next token's that has any
                best[held] = np.maximum.reduceat(data, indptr[:-1][held])
            self._token_best = best
        return self._token_best

    def sparse_scores(self, query: Sequence[str]) -> SparseScores:
        """The BM25 scores of the units holding a query token, summed as bm25s's `get_scores` sums them.

        bm25s adds each query token's postings (in query order, a repeated token twice) into an array of every unit;
        here the same float32 additions run in the same order over the matched units only, so each score is the same.
        """
        known = [t for t in query if t in self._vocabulary]
        if self._bm25 is None or not known:
            return SparseScores.empty(self.size)
        bm25 = self._bm25
        if getattr(bm25, "nonoccurrence_array", None) is not None:  # BM25L/BM25+ give every unit a score
            return SparseScores.from_dense(np.asarray(bm25.get_scores(known), dtype=np.float32))
        matrix = bm25.scores
        data, indices, indptr = matrix["data"], matrix["indices"], matrix["indptr"]
        ids = np.asarray(bm25.get_tokens_ids(known), dtype=np.int64)
        starts, ends = indptr[ids], indptr[ids + 1]
        ideal = float(self._best_by_token(matrix)[ids].sum(dtype=np.float64))
        if int((ends - starts).sum()) * SPARSE_BELOW > self.size:  # many postings: sorting them costs more than one array
            scores = np.zeros(self.size, dtype=np.dtype(bm25.dtype))
            for s, e in zip(starts, ends):
                _add_at(scores, indices[s:e], data[s:e])
            out = SparseScores.from_dense(scores)
            out.ideal = ideal
            return out
        units, inverse = distinct_sorted(np.concatenate([indices[s:e] for s, e in zip(starts, ends)]))
        values = np.zeros(len(units), dtype=np.dtype(bm25.dtype))
        offset = 0
        for s, e in zip(starts, ends):  # token by token, as bm25s adds them
            _add_at(values, inverse[offset : offset + e - s], data[s:e])
            offset += e - s
        out = SparseScores(units.astype(np.int64, copy=False), values.astype(np.float32, copy=False), self.size)
        out.ideal = ideal
        return out


class LexicalIndex:
    """BM25 over the script-folded tokens (`tokens`) of a list of texts (the search units): a TokenIndex that tokenises."""

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.index = TokenIndex([tokens(t) for t in texts], k1=k1, b=b)
        self.size = self.index.size

    @classmethod
    def from_index(cls, index: TokenIndex) -> LexicalIndex:
        """A LexicalIndex over a TokenIndex of `tokens` built earlier (saved with the version)."""
        lexical = cls.__new__(cls)
        lexical.index = index
        lexical.size = index.size
        return lexical

    def known_share(self, question: str) -> float:
        """The share of the question's tokens that occur anywhere in the texts (1.0 for a question with no tokens)."""
        return self.known(tokens(question, query=True))[0]

    def known(self, query: Sequence[str]) -> tuple[float, int]:
        """(share of these tokens that occur anywhere in the texts, number of tokens); the share is 1.0 for none."""
        if not query:
            return 1.0, 0
        vocabulary = self.index.vocabulary
        return sum(1 for t in query if t in vocabulary) / len(query), len(query)

    def scores(self, question: str, extra_terms: Sequence[str] = ()) -> np.ndarray:
        """BM25 score of every text for the question (zeros if nothing matches).

        `extra_terms` are words to search for as well (e.g. dictionary translations of an English question).
        """
        return self.sparse_scores(question, extra_terms).dense()

    def sparse_scores(self, question: str, extra_terms: Sequence[str] = ()) -> SparseScores:
        """`scores`, for the matching texts only."""
        query = tokens(question, query=True)
        for term in extra_terms:
            query.extend(tokens(term))
        return self.index.sparse_scores(query)
