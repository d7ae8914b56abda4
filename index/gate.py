"""The coverage gate: answer only when the question is closer to the documents than to everyday text, by a bar."""

from __future__ import annotations

from dataclasses import dataclass

from index.params import DEFAULT_PARAMS, RetrievalParams
from index.search import SearchResult


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
    if not in_common or result.known_share < params.few_words_share:
        bar = params.no_word_margin
    if result.content_tokens >= 2 and result.content_share == 0:
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
