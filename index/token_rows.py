"""Each unit's tokens as rows of integer ids (CSR), and the BM25 score matrix built from them with numpy, as bm25s builds it.

A version keeps, beside each of its bm25s indexes, every unit's token ids (ids of that index's own vocabulary), so
the next version copies the rows of the units it takes over unchanged, tokenises only the new units, and builds the
score matrix here from ids: a few seconds at 414k units, where bm25s's per-document Python loops over tokens take
tens of seconds. `bm25_from_rows` gives, entry for entry, the matrix `bm25s.BM25(k1, b).index(tokens)` builds (the
"lucene" idf and term-frequency components, float32 scores, CSC by token, units ascending in each column) and saves
in bm25s's own format, so `bm25s.BM25.load(mmap=True)` reads it; tests/test_search_tables.py compares the two.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.lexical import EMPTY_DOCUMENT, _bm25s

log = logging.getLogger(__name__)

ROWS_INDPTR = "rows.indptr.npy"
ROWS_IDS = "rows.ids.npy"


@dataclass(frozen=True)
class TokenRows:
    """Unit u's tokens are `vocabulary[i]` for i in `ids[indptr[u]:indptr[u + 1]]`, in text order.

    A unit without tokens holds the one token EMPTY_DOCUMENT, as TokenIndex indexes it; every id occurs somewhere.
    """

    indptr: np.ndarray  # int64, one more than the units
    ids: np.ndarray  # int32
    vocabulary: list[str]

    def __len__(self) -> int:
        return len(self.indptr) - 1

    @classmethod
    def from_tokens(cls, corpus: Sequence[Sequence[str]]) -> TokenRows:
        """The rows of tokenised units (nothing carried over)."""
        return carry_rows(None, np.full(len(corpus), -1, dtype=np.int64), corpus)

    def real_vocabulary(self) -> list[str]:
        """The tokens of the units' texts (without EMPTY_DOCUMENT)."""
        return [token for token in self.vocabulary if token != EMPTY_DOCUMENT]

    def tokens_of(self, units: np.ndarray) -> frozenset[str]:
        """Every token of these units' texts (EMPTY_DOCUMENT left out)."""
        units = np.asarray(units, dtype=np.int64)
        if not len(units):
            return frozenset()
        ids = np.unique(self.ids[_positions(self.indptr[units], self.indptr[units + 1] - self.indptr[units])])
        return frozenset(self.vocabulary[i] for i in ids.tolist()) - {EMPTY_DOCUMENT}


def _positions(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The positions start, start+1, ..., start+length-1 of every (start, length), concatenated."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(np.asarray(starts, dtype=np.int64) - offsets, lengths) + np.arange(total, dtype=np.int64)


def _runs(sources: np.ndarray) -> list[tuple[int, int, int]]:
    """(first unit, first source row, length) of each run of units carried over from consecutive rows."""
    carried = np.flatnonzero(sources >= 0)
    if not len(carried):
        return []
    breaks = np.flatnonzero((np.diff(carried) != 1) | (np.diff(sources[carried]) != 1)) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [len(carried)]))
    return [(int(carried[s]), int(sources[carried[s]]), int(e - s)) for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]


def carry_rows(previous: TokenRows | None, sources: np.ndarray, fresh: Sequence[Sequence[str]] | TokenRows) -> TokenRows:
    """The rows of a new version's units: unit u is row `sources[u]` of `previous`, or (where `sources[u]` < 0) the
    next token list (or row) of `fresh`, in unit order. Tokens no unit holds any more leave the vocabulary."""
    sources = np.asarray(sources, dtype=np.int64)
    new_units = int(np.count_nonzero(sources < 0))
    if new_units != len(fresh):
        raise ValueError(f"{new_units} units to tokenise but {len(fresh)} token lists or rows")
    if previous is None and new_units != len(sources):
        raise ValueError("units carried over without previous rows")
    if isinstance(fresh, TokenRows):
        return _carry_with_rows(previous, fresh, sources)
    vocabulary = list(previous.vocabulary) if previous is not None else []
    fresh_lengths = np.zeros(len(fresh) + 1, dtype=np.int64)
    fresh_ids = np.zeros(0, dtype=np.int32)
    if len(fresh):
        id_of = {token: i for i, token in enumerate(vocabulary)}
        rows = [[id_of.setdefault(token, len(id_of)) for token in (tokens or (EMPTY_DOCUMENT,))] for tokens in fresh]
        np.cumsum([len(row) for row in rows], out=fresh_lengths[1:])
        fresh_ids = np.fromiter((i for row in rows for i in row), dtype=np.int32, count=int(fresh_lengths[-1]))
        vocabulary = list(id_of)
    return _assemble(
        TokenRows(previous.indptr, previous.ids, vocabulary)
        if previous is not None
        else TokenRows(np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32), vocabulary),
        sources,
        fresh_lengths,
        fresh_ids,
    )


def _assemble(previous: TokenRows, sources: np.ndarray, fresh_indptr: np.ndarray, fresh_ids: np.ndarray) -> TokenRows:
    """Rows of `previous` where `sources` >= 0, the next row of (`fresh_indptr`, `fresh_ids`) elsewhere; `fresh_ids`
    are ids of `previous.vocabulary` (which holds every new token); then the tokens no row holds leave it."""
    vocabulary = previous.vocabulary
    new_units = np.flatnonzero(sources < 0)
    carried = sources >= 0
    lengths = np.zeros(len(sources), dtype=np.int64)
    lengths[carried] = previous.indptr[sources[carried] + 1] - previous.indptr[sources[carried]]
    lengths[new_units] = np.diff(fresh_indptr)
    indptr = np.zeros(len(sources) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    ids = np.empty(int(indptr[-1]), dtype=np.int32)
    for unit, source, count in _runs(sources):
        ids[indptr[unit] : indptr[unit + count]] = previous.ids[previous.indptr[source] : previous.indptr[source + count]]
    if len(fresh_ids):
        ids[_positions(indptr[new_units], lengths[new_units])] = fresh_ids
    occurs = np.bincount(ids, minlength=len(vocabulary)) > 0
    if not occurs.all():
        new_id = np.cumsum(occurs, dtype=np.int64) - 1
        ids = new_id[ids].astype(np.int32)
        vocabulary = [token for token, kept in zip(vocabulary, occurs.tolist(), strict=True) if kept]
    return TokenRows(indptr, ids, vocabulary)


def _carry_with_rows(previous: TokenRows | None, fresh: TokenRows, sources: np.ndarray) -> TokenRows:
    """`carry_rows` with the new units already in rows of their own vocabulary (made in another process)."""
    if previous is None:
        return fresh
    id_of = {token: i for i, token in enumerate(previous.vocabulary)}
    new_id = np.fromiter((id_of.setdefault(token, len(id_of)) for token in fresh.vocabulary), dtype=np.int32, count=len(fresh.vocabulary))
    merged = TokenRows(previous.indptr, previous.ids, list(id_of))
    return _assemble(merged, sources, fresh.indptr, new_id[fresh.ids] if len(fresh.ids) else fresh.ids)


def bm25_from_rows(rows: TokenRows, k1: float = 1.2, b: float = 0.75) -> Any | None:
    """The bm25s index of these rows (None when no unit has a token), built with numpy from the ids.

    Each step is the one of bm25s 0.3's `build_index_from_ids` for method "lucene", in the same dtypes, so every
    score is the same float32: idf = ln(1 + (N - df + 0.5) / (df + 0.5)) computed in Python floats; the term
    frequency component tf / (k1 * ((1 - b) + b * l_d / l_avg) + tf) in float64 with tf float32; the product
    rounded to float32. The vocabulary ids are this vocabulary's (bm25s numbers a Python set's order).
    """
    if not len(rows) or not rows.real_vocabulary():
        return None
    n_units, n_vocab = len(rows), len(rows.vocabulary)
    lengths = np.diff(rows.indptr)
    average_length = lengths.mean()  # float64, as bm25s's np.array(lengths).mean()
    unit_of = np.repeat(np.arange(n_units, dtype=np.int64), lengths)
    pairs, term_frequency = np.unique((rows.ids.astype(np.int64) << 32) | unit_of, return_counts=True)
    del unit_of
    tokens = (pairs >> 32).astype(np.int64)
    units = (pairs & 0xFFFFFFFF).astype(np.int32)
    del pairs
    document_frequency = np.bincount(tokens, minlength=n_vocab)
    distinct, which = np.unique(document_frequency, return_inverse=True)
    idf_of = np.array([math.log(1 + (n_units - df + 0.5) / (df + 0.5)) for df in distinct.tolist()], dtype=np.float64)
    idf = idf_of.astype(np.float32)[which]
    tf = term_frequency.astype(np.float32)
    l_d = lengths[units]
    tfc = tf / (k1 * ((1 - b) + b * l_d / average_length) + tf)
    data = (idf[tokens] * tfc).astype(np.float32)
    indptr = np.zeros(n_vocab + 1, dtype=np.int64)
    np.cumsum(document_frequency, out=indptr[1:])
    bm25 = _bm25s().BM25(k1=k1, b=b)
    bm25.scores = {"data": data, "indices": units, "indptr": indptr, "num_docs": n_units}
    vocab_dict = {token: i for i, token in enumerate(rows.vocabulary)}
    if "" not in vocab_dict:
        vocab_dict[""] = n_vocab
    bm25.vocab_dict = vocab_dict
    bm25.unique_token_ids_set = set(vocab_dict.values())
    bm25.nonoccurrence_array = None
    return bm25


def vocabulary_of(bm25: Any) -> list[str]:
    """A bm25s index's tokens in id order (the "" bm25s adds past the last column left out)."""
    columns = len(bm25.scores["indptr"]) - 1
    vocabulary = [""] * columns
    for token, i in bm25.vocab_dict.items():
        if i < columns:
            vocabulary[i] = token
    return vocabulary
