"""The second sentence encoder (USE-m v3, index/second_encoder.py): its weight, per language pair, and as a coverage opinion.

    python -m bench.second_encoder                          # weights 0 (e5 alone), 0.25 (the default) and 0.35, all sets
    python -m bench.second_encoder --weight 0.2 --moves     # the questions each weight moves against e5 alone
    python -m bench.second_encoder --set corpus --set dev   # only these sets
    python -m bench.second_encoder --gate                   # the second encoder's coverage margin on today's answers

Each weight is `second_encoder_weight` (index/params.py): for units in another language than the question's where one
of the two is Korean, the ranking's dense term is (1 - w) x e5 + w x USE-m, USE-m's cosines mapped onto e5's scale.
Every figure is the product's own path (`bench.sweep`'s sets and scoring), summed over the answerable questions and
split by question-language -> document-language pair.

With `--gate`, today's answers are kept and each question's margin under the second encoder is printed as a curve: its
best cosine with a prose unit less its best with a sentence of the generic bank (the gate's own measure, index/gate.py,
with the other model), and how many answers of each kind a bar on it would refuse.

Until the eleventh round this module simulated the blend by wrapping `Retriever.ranking_dense`, with other rules
(every unit, every other language), levels and a candidate-only mapping; those figures are in docs/retrieval.md and
the simulation in git history (commit f2b4ef8, `--level` and `--candidates`).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from bench.sweep import DEFAULT_SETS, apply, moves, open_set, row
from index.evaluate import EvalReport, evaluate_service
from index.params import DEFAULT_PARAMS
from index.search import Retriever
from index.second_encoder import get_second_encoder
from index.service import Verbatim

MAIN_SETS = ("corpus", "heldout-docs", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7")
ARTICLE_SETS = ("dev+corpus", "dev", "holdout", "holdout-en")
_BANKS: dict[int, np.ndarray] = {}


def second_margin(retriever: Retriever, question: str) -> float:
    """The second encoder's coverage margin: its best cosine with a prose unit less its best with a generic bank sentence."""
    vectors = retriever.loaded.second_embeddings()
    if vectors is None:
        raise SystemExit(f"index version {retriever.loaded.version} holds no second-encoder vectors: rebuild it")
    units = np.asarray(vectors, dtype=np.float32)
    if retriever._prose_only:
        units = units[~retriever._not_prose_units]
    encoder = get_second_encoder()
    key = id(retriever.bank)
    if key not in _BANKS:
        _BANKS[key] = encoder.embed(list(retriever.bank.sentences))
    query = encoder.embed_query(question)
    return float((units @ query).max() - (_BANKS[key] @ query).max())


GATE_BARS = (-0.15, -0.1, -0.05, 0.0, 0.05)


def gate_curve(rows: list[tuple[str, str, bool, bool, float]]) -> None:
    """Prints, for each bar on the second encoder's margin, how many of today's answers it would refuse, by kind.

    `rows`: (set, kind, answered, right, margin) with kind answerable / near-topic / everyday / off-topic.
    """
    answered = [r for r in rows if r[2]]
    for kind in ("answerable", "near-topic", "everyday", "off-topic"):
        margins = np.array([r[4] for r in answered if r[1] == kind])
        if len(margins):
            deciles = " ".join(f"{v:+.3f}" for v in np.percentile(margins, [0, 10, 25, 50, 75, 90]))
            print(f"  answered {kind} ({len(margins)}): second margin min/p10/p25/p50/p75/p90 {deciles}")
    for bar in GATE_BARS:
        below = [r for r in answered if r[4] < bar]
        count = Counter(r[1] for r in below)
        right = sum(1 for r in below if r[1] == "answerable" and r[3])
        sets = ", ".join(sorted({f"{r[0]}" for r in below if r[1] in ("everyday", "off-topic", "near-topic")}))
        print(
            f"  bar {bar:+.2f}: would refuse answerable {count['answerable']} (right answers {right}), near-topic"
            f" {count['near-topic']}, everyday {count['everyday']}, unlabelled off-topic {count['off-topic']}"
            + (f" ({sets})" if sets else "")
        )


def pair_moves(before: EvalReport, after: EvalReport, counts: Counter[str]) -> None:
    """Adds each question-language -> document-language pair's net R@1 / R@3 / quote-hit moves to `counts`."""
    old = {r.item.id: r for r in before.results}
    for r in after.results:
        b = old.get(r.item.id)
        if b is None or not r.item.answerable:
            continue
        pair = f"{r.item.lang}->{r.doc_lang}"
        counts[pair + " R@1"] += int(r.rank == 1) - int(b.rank == 1)
        counts[pair + " R@3"] += int(r.rank is not None and r.rank <= 3) - int(b.rank is not None and b.rank <= 3)
        counts[pair + " QH"] += int(r.quote_hit) - int(b.quote_hit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weight", action="append", type=float, help="second_encoder_weight (repeatable; 0 is e5 alone)")
    parser.add_argument("--set", action="append", dest="sets", help="only these sets (by name)")
    parser.add_argument("--moves", action="store_true", help="list the questions each weight moves against e5 alone")
    parser.add_argument("--gate", action="store_true", help="today's answers only: the second encoder's coverage margin")
    args = parser.parse_args(argv)
    wanted = args.sets or [*MAIN_SETS, *ARTICLE_SETS]
    sets = [s for s in DEFAULT_SETS if s[0] in wanted]
    services: dict[tuple[Path, ...], Verbatim] = {}
    alone: dict[str, EvalReport] = {}
    weights = [0.0] + [w for w in args.weight or [DEFAULT_PARAMS.second_encoder_weight, 0.35] if w > 0]
    if args.gate:
        weights = [DEFAULT_PARAMS.second_encoder_weight]
    gate_rows: list[tuple[str, str, bool, bool, float]] = []
    for weight in weights:
        params = DEFAULT_PARAMS.with_changes(second_encoder_weight=weight)
        print(f"== second_encoder_weight={weight}" + (" (e5 alone)" if not weight else ""), flush=True)
        totals = Counter[str]()
        pairs = Counter[str]()
        for name, corpora, questions in sets:
            service = open_set(corpora, services)
            apply(service, params)
            report = evaluate_service(service, questions)
            print(f"  {name:<13}{row(report)}", flush=True)
            answerable = [r for r in report.results if r.item.answerable]
            totals["R@1"] += sum(r.rank == 1 for r in answerable)
            totals["R@3"] += sum(r.rank is not None and r.rank <= 3 for r in answerable)
            totals["QH"] += sum(bool(r.quote_hit) for r in answerable)
            totals["FR"] += sum(not r.answered for r in answerable)
            totals["n"] += len(answerable)
            if args.gate:
                retriever = service.answerer.retriever
                for r in report.results:
                    kind = (
                        "answerable"
                        if r.item.answerable
                        else "near-topic"
                        if r.item.doc
                        else "everyday"
                        if r.item.doc_given
                        else "off-topic"
                    )
                    gate_rows.append((name, kind, r.answered, r.rank == 1 and r.quote_hit, second_margin(retriever, r.item.question)))
            if name not in alone:
                alone[name] = report
                continue
            pair_moves(alone[name], report, pairs)
            if args.moves:
                for line in moves(alone[name], report):
                    print(f"      {line}")
        print(
            f"  answerable questions of these sets ({totals['n']}): R@1 {totals['R@1']} R@3 {totals['R@3']} quote hit {totals['QH']} false refusals {totals['FR']}"
        )
        if pairs:
            moved = sorted({key.rsplit(" ", 1)[0] for key, value in pairs.items() if value})
            print(
                "  net moves by pair (R@1 / R@3 / QH): "
                + ", ".join(f"{p} {pairs[p + ' R@1']:+d}/{pairs[p + ' R@3']:+d}/{pairs[p + ' QH']:+d}" for p in moved)
            )
    if gate_rows:
        gate_curve(gate_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
