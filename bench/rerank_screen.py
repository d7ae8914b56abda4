"""Screen reranking rules of the top passages offline, on all six sets, counting the questions each moves.

    python -m bench.rerank_screen            # every rule below, beside the current ranking

For each answerable question the current search's top 10 passages are collected once, with features that cost no
second embedding: the best and mean dense cosine of a passage's units, its share of the question's IDF mass, its
script, its number of units, its lexical score, the share of the question's IDF mass in its section title, the dense
cosine of its neighbouring passages, and the quote window's score under other support floors. A rule adds an amount
to a passage's score (and to its window score); passages are re-ranked within the top k, the top 3 are returned and
the quote comes from the best window among them. "R@1" here is the quote's passage (what `verbatim eval` scores as
rank 1), "R@3" the top 3. The quantity rule of index/answer_type.py is left out, so the current figures are close to,
not equal to, `bench.sweep`'s (corpus R@1 0.550 here against 0.583). Rules worth keeping must then be measured with
`bench.sweep`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.rerank_diagnose import _idf
from bench.sweep import DEFAULT_SETS, open_set
from index.evaluate import hits, load_questions
from index.lexical import tokens
from index.quotes import best_window, support_floor
from index.scripts import letter_shares
from index.service import Verbatim
from index.signals import QuestionScripts

DEPTH = 10
CURRENT_WINDOW = ("n50", 0.15)


def script_of(cjk: float, hangul: float) -> str:
    """The script a text is mostly written in: "zh", "ko" or "en" (Latin)."""
    return "zh" if cjk >= 0.5 else "ko" if hangul > 0.5 else "en"


# Support floors for the quote window: the unit median (before window_floor_rank), the n-th best unit's score where
# above the median (index/quotes.py support_floor; n50 is the current default), or top − t.
FLOORS = ("median", "n10", "n20", "n30", "n40", "n50", "t0.03", "t0.05")
SUPPORTS = (0.05, 0.1, 0.15, 0.2, 0.3)


@dataclass
class Candidate:
    """One of a question's top passages and its features."""

    gold: bool
    code: bool
    score: float
    windows: dict[tuple[str, float], float | None]
    dense_max: float
    dense_mean: float
    units: int
    lexical: float  # max-normalised BM25 of its best unit
    idf_cover: float  # share of the question's IDF mass among the passage's tokens
    section_cover: float
    neighbour_dense: float  # best dense cosine of the adjacent passages of the same document (its own if none)
    script: str


@dataclass
class Question:
    set_name: str
    id: str
    script: str
    cjk: float
    candidates: list[Candidate] = field(default_factory=list)


def collect(service: Verbatim, set_name: str, path: Path) -> list[Question]:
    retriever = service.answerer.retriever
    loaded = retriever.loaded
    units_of: dict[int, list[int]] = {}
    for u, unit in enumerate(loaded.units):
        units_of.setdefault(unit.passage, []).append(u)
    out = []
    for item in load_questions(path):
        if not item.answerable:
            continue
        result = retriever.search(item.question, k=DEPTH)
        quoted = retriever.search(item.question, k=3)  # the hits the real quote is chosen from
        scripts = QuestionScripts.of(item.question)
        signals = retriever.signals(item.question, retriever.embedder.embed_queries([item.question]), scripts)
        query_tokens = sorted(set(tokens(item.question, query=True)))
        idf = {t: _idf(retriever.lexical.index, t) for t in query_tokens}
        total = sum(idf.values()) or 1.0
        lexical_top = signals.lexical.max()
        scores = sorted((h.score - h.bridge for h in quoted.unit_hits), reverse=True)
        floors = {"median": quoted.unit_median}
        floors.update({f"n{n}": support_floor(quoted.unit_hits, quoted.unit_median, n) for n in (10, 20, 30, 40, 50)})
        floors.update({f"t{t}": scores[0] - t for t in (0.03, 0.05)})
        question = Question(set_name, item.id, script_of(scripts.cjk, scripts.hangul), scripts.cjk)
        for scored in result.passages:
            p = loaded.position[scored.passage.id]
            units = np.array(units_of[p])
            dense = signals.dense.at(units)
            own = [h for h in quoted.unit_hits if h.passage == p]
            windows: dict[tuple[str, float], float | None] = {}
            for name in FLOORS:
                for support in SUPPORTS:
                    window = best_window(scored.passage, own, floors[name], support)
                    windows[(name, support)] = window[0] if window else None
            passage_tokens = set(tokens(scored.passage.text))
            section_tokens = set(tokens(scored.passage.section or ""))
            neighbours = [
                float(signals.dense.at(np.array(units_of[q])).max())
                for q in (p - 1, p + 1)
                if q in units_of and loaded.passages[q].doc_id == scored.passage.doc_id
            ]
            question.candidates.append(
                Candidate(
                    gold=hits(item.evidence, scored.passage.text, 400),
                    code=scored.passage.kind == "code",
                    score=scored.score,
                    windows=windows,
                    dense_max=float(dense.max()),
                    dense_mean=float(dense.mean()),
                    units=len(units),
                    lexical=float(signals.lexical.at(units).max() / lexical_top) if lexical_top > 0 else 0.0,
                    idf_cover=sum(v for t, v in idf.items() if t in passage_tokens) / total,
                    section_cover=sum(v for t, v in idf.items() if t in section_tokens) / total,
                    neighbour_dense=max(neighbours) if neighbours else float(dense.max()),
                    script=script_of(*letter_shares(scored.passage.text)),
                )
            )
        out.append(question)
    return out


Rule = Callable[[Question, Candidate], float]


def outcome(question: Question, rule: Rule, k: int, window: tuple[str, float]) -> tuple[bool, bool]:
    """(quote's passage is gold, a gold passage is in the top 3) once `rule` re-ranks the top k."""
    pool = question.candidates[:k]
    extra = {id(c): rule(question, c) for c in pool}
    top3 = sorted(pool, key=lambda c: -(c.score + extra[id(c)]))[:3]
    prose = [c for c in top3 if not c.code] or top3
    windowed = [c for c in prose if c.windows[window] is not None]
    picked = max(windowed, key=lambda c: (c.windows[window] or 0.0) + extra[id(c)]) if windowed else (top3[0] if top3 else None)
    return (picked is not None and picked.gold), any(c.gold for c in top3)


def lexical_weight(question: Question) -> float:
    return 0.4 * question.cjk + 0.01 * (1 - question.cjk)


def per_script_lexical(share: float, k: int) -> Rule:
    """Lexical re-normalised by the best lexical score among the top k passages of the same script."""

    def rule(question: Question, c: Candidate) -> float:
        best = max((o.lexical for o in question.candidates[:k] if o.script == c.script), default=0.0)
        return share * lexical_weight(question) * (c.lexical / best - c.lexical) if best > 0 else 0.0

    return rule


def dense_rank_agreement(weight: float, k: int) -> Rule:
    """A penalty per place a passage stands in the dense order of the top k."""

    def rule(question: Question, c: Candidate) -> float:
        order = sorted(question.candidates[:k], key=lambda o: -o.dense_max)
        return -weight * next((i for i, o in enumerate(order) if o is c), k)

    return rule


def rules() -> list[tuple[str, Rule, int, tuple[str, float]]]:
    current = CURRENT_WINDOW
    out: list[tuple[str, Rule, int, tuple[str, float]]] = [("current", lambda q, c: 0.0, DEPTH, current)]
    for a in (0.1, 0.2, 0.4, 0.8):
        out.append((f"+ {a} x best dense of the passage", lambda q, c, a=a: a * c.dense_max, DEPTH, current))
    for a in (0.1, 0.2, 0.5):
        out.append((f"+ {a} x mean dense of the passage's units", lambda q, c, a=a: a * c.dense_mean, DEPTH, current))
    for a in (0.01, 0.02, 0.05, 0.1):
        out.append((f"+ {a} x share of the question's IDF mass", lambda q, c, a=a: a * c.idf_cover, DEPTH, current))
    for f in (0.1, 0.25, 0.5):
        out.append(
            (
                f"lexical {f} of the way to IDF-mass share",
                lambda q, c, f=f: f * lexical_weight(q) * (c.idf_cover - c.lexical),
                DEPTH,
                current,
            )
        )
    for a in (0.01, 0.02, 0.05):
        out.append((f"+ {a} if written in the question's script", lambda q, c, a=a: a * (q.script == c.script), DEPTH, current))
    for k in (5, 10):
        for f in (0.25, 0.5, 1.0):
            out.append((f"lexical normalised per script in top {k}, {f}", per_script_lexical(f, k), k, current))
    for a in (0.005, 0.01):
        out.append((f"- {a} x units of the passage", lambda q, c, a=a: -a * c.units, DEPTH, current))
    for a in (0.01, 0.02, 0.05):
        out.append((f"+ {a} x IDF-mass share in the section title", lambda q, c, a=a: a * c.section_cover, DEPTH, current))
    for a in (0.05, 0.1, 0.2):
        out.append((f"+ {a} x (neighbour dense - own)", lambda q, c, a=a: a * (c.neighbour_dense - c.dense_max), DEPTH, current))
    for k in (3, 5, 10):
        for a in (0.002, 0.005, 0.01):
            out.append((f"- {a} per place in the dense order of top {k}", dense_rank_agreement(a, k), k, current))
    for name in FLOORS:
        for support in SUPPORTS:
            if (name, support) != current:
                out.append((f"window support floor {name}, share {support}", lambda q, c: 0.0, DEPTH, (name, support)))
    return out


def main(argv: list[str] | None = None) -> int:
    services: dict[Any, Verbatim] = {}
    questions: list[Question] = []
    for set_name, corpora, path in DEFAULT_SETS:
        questions.extend(collect(open_set(corpora, services), set_name, path))
    names = [s[0] for s in DEFAULT_SETS]
    baseline: dict[tuple[str, str], tuple[bool, bool]] = {}
    print(f"{'rule':<52}" + "".join(f"{n[:12]:>17}" for n in names) + "   R@1 +/-  R@3 +/-")
    for label, rule, k, window in rules():
        figures: dict[str, list[int]] = {n: [0, 0, 0] for n in names}
        moved = [0, 0, 0, 0]
        for q in questions:
            r1, r3 = outcome(q, rule, k, window)
            cell = figures[q.set_name]
            cell[0] += r1
            cell[1] += r3
            cell[2] += 1
            key = (q.set_name, q.id)
            if label == "current":
                baseline[key] = (r1, r3)
            else:
                b1, b3 = baseline[key]
                moved[0] += r1 and not b1
                moved[1] += b1 and not r1
                moved[2] += r3 and not b3
                moved[3] += b3 and not r3
        cells = "".join(f"      {c[0] / c[2]:.3f}/{c[1] / c[2]:.3f}" for c in figures.values())
        print(f"{label:<52}{cells}   +{moved[0]} -{moved[1]}   +{moved[2]} -{moved[3]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
