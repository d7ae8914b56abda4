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


class TokenIndex:
    """BM25 over already tokenised texts (one list of tokens per search unit); zeros where nothing matches."""

    def __init__(self, corpus: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        bm25s = _bm25s()
        self.size = len(corpus)
        self._bm25 = None
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
        known = [t for t in query if t in self._vocabulary]
        if self._bm25 is None or not known:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)


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
        query = tokens(question, query=True)
        for term in extra_terms:
            query.extend(tokens(term))
        return self.index.scores(query)
