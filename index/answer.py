"""Answers: retrieve, pass the coverage gate, and quote verbatim from the best passage, or say 'not covered'."""

from __future__ import annotations

import logging
import re
import time
import unicodedata

from index.answer_type import DATE, answer_type, asks_for_reason
from index.authorship import asks_for_author
from index.errors import QuestionRejected
from index.gate import answer_unit_margin, judge, only_code
from index.models import Answer, Citation, Passage, Quote, ScoredPassage
from index.quotes import choose_quote
from index.search import Retriever, SearchResult
from index.store import LoadedIndex

log = logging.getLogger(__name__)

__all__ = ["Answerer", "citation_for", "clean_question"]

MAX_QUESTION_CHARS = 500
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]")  # and lone surrogates (JSON "\ud800")
_WS = re.compile(r"\s+")


def clean_question(question: str) -> str:
    """Strip invisible and direction-override characters and collapse whitespace; reject empty or huge input."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", question or ""))
    text = _WS.sub(" ", text).strip()
    if not text:
        raise QuestionRejected("The question is empty.")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionRejected(f"The question is too long ({len(text)} characters; the limit is {MAX_QUESTION_CHARS}).")
    if not any(ch.isalnum() for ch in text):
        raise QuestionRejected("The question has no words to search for.")
    return text


def citation_for(loaded: LoadedIndex, passage: Passage) -> Citation:
    return Citation(meta=loaded.documents[passage.doc_id], passage_id=passage.id, section=passage.section, page=passage.page)


class Answerer:
    """Turns a question into an Answer from one loaded index version."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever

    @property
    def loaded(self) -> LoadedIndex:
        return self.retriever.loaded

    def answer(self, question: str, k: int = 3) -> Answer:
        started = time.perf_counter()
        text = clean_question(question)
        result = self.retriever.search(text, k=max(k, 3))
        searched = time.perf_counter()
        params = self.retriever.params
        decision = only_code(text, result, judge(result, params), params)
        covered, reason = decision.covered, decision.reason
        gate = decision.record(result)
        candidates = result.passages[: params.quote_passages]
        wanted = answer_type(text, measures=params.measure_answers)
        missing = ""
        if covered and wanted is not None and (wanted is not DATE or params.date_answers):
            # A question of quantity (of a duration, a price, a past date) is answered by a passage that holds a number
            # (of a unit of time, of money; a date), or not at all.
            candidates = [sp for sp in candidates if wanted.gives(sp.passage.text, text)]
            if not candidates:
                covered, reason = False, f"the question asks for a {wanted.name} and none of the passages found holds one"
                missing = wanted.name
            elif params.answer_unit_covered:
                stored = self.loaded.passages
                found_in = {self.loaded.position[sp.passage.id] for sp in candidates}
                margin = answer_unit_margin(result, found_in, lambda p: stored[p].text, lambda unit: wanted.gives(unit, text))
                if margin is not None:
                    gate[f"{wanted.name}_margin"] = margin
                bar = decision.bar + params.answer_unit_extra
                if margin is None or margin < bar:
                    covered, missing = False, wanted.name
                    reason = (
                        f"the question asks for a {wanted.name} and no sentence found that holds one is closer to it than"
                        f" everyday text by the bar (margin {'–' if margin is None else f'{margin:+.3f}'} < {bar:.3f})"
                    )
        if covered and params.author_answers and asks_for_author(text):
            # A question of who wrote a document is answered from a passage that names authors, or not at all.
            position = self.loaded.position
            candidates = [sp for sp in candidates if self.retriever.names_authors(position[sp.passage.id], result.authors_of)]
            if not candidates:
                covered, missing = False, "author"
                reason = "the question asks who wrote a document and none of the passages found names its authors"
        quote = self.quote_for(result, candidates, reason=asks_for_reason(text)) if covered else None
        if covered and quote is None:
            covered, reason = False, "no verifiable quote"
        passages = list(result.passages)
        if quote is not None:
            # The passage the quote comes from is the answer: list it first.
            passages.sort(key=lambda sp: sp.passage.id != quote.passage.id)
        done = time.perf_counter()
        return Answer(
            question=text,
            answered=covered,
            quote=quote,
            passages=tuple(passages[:k]),
            index_version=self.loaded.version,
            reason=reason,
            gate=gate,
            missing=missing,
            timings_ms={
                **result.timings_ms,
                "search": (searched - started) * 1000,
                "answer": (done - searched) * 1000,
                "total": (done - started) * 1000,
            },
        )

    def quote_for(self, result: SearchResult, candidates: list[ScoredPassage] | None = None, reason: bool = False) -> Quote | None:
        """The verified quote from `candidates` (by default the best passages of the result); `reason`: the question
        asks why."""
        loaded = self.loaded
        return choose_quote(
            result.passages if candidates is None else candidates,
            result.unit_hits,
            result.unit_median,
            loaded.position,
            loaded.texts,
            lambda p: citation_for(loaded, p),
            self.retriever.params,
            reason,
        )
