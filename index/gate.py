"""The coverage gate: answer only when the question is closer to the documents than to everyday text, by a bar."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from index.models import Passage
from index.params import DEFAULT_PARAMS, RetrievalParams
from index.scripts import latin_share
from index.search import SearchResult
from index.stopwords import LEXICAL_STOP_WORDS

_WORD = re.compile(r"[^\W_]{2,}|\S*[_`$=/\\(){}<>\[\]]\S*|(?<!\S)--?[^\W\d_][\w-]*")


@dataclass(frozen=True)
class GateDecision:
    """Whether the documents cover a question, the margin measured and the bar it had to clear, and why."""

    covered: bool
    margin: float
    bar: float
    reason: str = ""

    def record(self, result: SearchResult) -> dict[str, float]:
        """The features behind the decision, as the answer records them."""
        features = {
            "margin": self.margin,
            "found_chinese": float(result.found_chinese),
            "bar": self.bar,
            "best_dense": result.best_dense,
            "best_generic": result.best_generic,
            "lexical_best": result.lexical_best,
            "readings_best": result.readings_best,
            "bridge_best": result.bridge_best,
            "known_share": result.known_share,
            "content_share": result.content_share,
            "unknown_identifiers": float(len(result.unknown_identifiers)),
        }
        if result.calibration is not None:
            features["calibration"] = result.calibration
        return features


def required_margin(result: SearchResult, params: RetrievalParams = DEFAULT_PARAMS) -> float:
    """The bar for this question: higher when it shares no word, few words, or nothing but names with the documents,
    or names what they never write; all of it raised by the index's calibration (how close everyday questions come)."""
    bar = params.coverage_margin
    in_common = result.lexical_best > 0 or result.readings_best > 0 or result.bridge_best > 0
    # A Chinese question's share of bigrams found in the documents is evidence only about Chinese passages: asked of an
    # English or Korean passage, it shares few of them with any document however well it is covered.
    shares_apply = result.found_chinese or not params.chinese_shares_need_chinese_passage
    if not in_common or (shares_apply and result.known_share < params.few_words_share):
        bar = params.no_word_margin
    if shares_apply and result.content_tokens >= 2 and result.content_share == 0:
        bar = params.nothing_but_names_margin
    if result.unknown_identifiers:
        bar = max(bar, params.unknown_identifier_margin)
    if result.calibration is not None:
        bar += max(0.0, result.calibration - params.coverage_margin)
    return bar


def judge(result: SearchResult, params: RetrievalParams = DEFAULT_PARAMS) -> GateDecision:
    if not result.unit_hits:
        return GateDecision(False, 0.0, 0.0, "the index is empty")
    bar = required_margin(result, params)
    if result.margin < bar:
        return GateDecision(
            False,
            result.margin,
            bar,
            f"the closest passage ({result.best_dense:.3f}) is not closer than everyday text ({result.best_generic:.3f}); "
            f"margin {result.margin:+.3f} < {bar}"
            + (f" (the documents never write {', '.join(result.unknown_identifiers)})" if result.unknown_identifiers else ""),
        )
    return GateDecision(True, result.margin, bar)


def nearest(result: SearchResult) -> list[Passage]:
    """The top passages by fused score alone: code and footnotes demoted in the ranking still count as the nearest."""
    return result.undemoted or [sp.passage for sp in result.passages]


def names_code(question: str, result: SearchResult) -> bool:
    """Whether a question points at code: it writes code-like tokens (`x`, a_b, --flag, f(), a/b), or a word of it
    (not a stop word) appears in the code passages it found."""
    words = {w.lower() for w in _WORD.findall(question)} - LEXICAL_STOP_WORDS
    if any(not w.isalnum() for w in words):
        return True
    code = " ".join(p.text.lower() for p in nearest(result) if p.kind == "code")
    return any(re.search(rf"(?<![^\W_]){re.escape(w)}(?![^\W_])", code) for w in words)


def only_code(question: str, result: SearchResult, decision: GateDecision, params: RetrievalParams = DEFAULT_PARAMS) -> GateDecision:
    """A covered question whose best passages are all code, though it names nothing in them, is not covered: code and
    key blocks sit close to every question in the embedding space, so they win when nothing in the prose does.

    Which passages: the nearest before code was demoted in the ranking, or, for a question not written in Latin script
    (`only_code_across_scripts_demoted`), those ranked after the demotion.
    """
    found = nearest(result)
    if params.only_code_across_scripts_demoted and latin_share(question) < 0.5:
        found = [sp.passage for sp in result.passages]
    if not decision.covered or not result.passages or any(p.kind != "code" for p in found):
        return decision
    if names_code(question, result):
        return decision
    return GateDecision(
        False, decision.margin, decision.bar, "only code passages match, and the question names nothing in them (no prose answers it)"
    )


def answer_unit_margin(
    result: SearchResult, passages: Collection[int], texts: Callable[[int], str], holds: Callable[[str], bool]
) -> float | None:
    """The coverage margin of the best unit, among the units found in these passages (by index), whose text holds what
    the question asks for (`holds`, e.g. a number): its cosine with the question less the best generic sentence's.

    None when no such unit was found. A question of quantity is answered by the sentence that holds the number; when
    that sentence is no closer to the question than everyday text, the documents speak of the question's subject
    but do not give the quantity asked (a fee, a score, a cost), however close another sentence about the subject is.
    """
    found = [hit.dense for hit in result.unit_hits if hit.passage in passages and holds(texts(hit.passage)[hit.start : hit.end])]
    return max(found) - result.best_generic if found else None
