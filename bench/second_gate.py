"""Does the second encoder's view (USE-m v3) tell answerable questions from near-topic and everyday ones better than e5's margin?

    python -m bench.second_gate                        # the sets with off-topic questions (below)
    python -m bench.second_gate --set corpus --dump    # and one line per question
    python -m bench.second_gate --all --bootstrap --rule u_margin --rule mean_zq --rule min_zq --rule u_top_best

For every question of a set the product answers it as today (`Verbatim.ask`, default parameters) and this computes,
beside e5's coverage margin, features of the question's USE-m vector against the units' stored USE-m vectors
(`second_embeddings.npy`; the index must hold them) and the generic bank embedded by USE-m:

- `margin`: e5's margin, the gate's signal (best prose unit − best generic sentence); `slack`: margin − the bar.
- `u_top_unit`: USE-m cosine with the unit that ranks first (fused) in the answer's first passage; `u_top_best`: the
  best USE-m cosine among all units of that passage; `u_top_margin`: that less the best USE-m bank cosine.
- `u_cand_margin`: the best USE-m cosine among the ranking's candidate units (the ~50 unit hits; prose where the index
  has prose) less the best USE-m bank cosine: the gate's margin in USE-m space over what retrieval found.
- `u_margin`: the same over every prose unit of the index (bench.second_encoder's `--gate` measure).
- `u_agree10`: minus the rank (1…10) of the fused first passage among the ten first passages when USE-m re-ranks them
  by their best unit (−1: USE-m agrees); `u_agree_all`: minus log2 of the rank of that passage's best USE-m unit among
  every unit by USE-m.
- Standardised margins, no constant fitted to a question set: `*_zq` is a margin less the mean, over the spread, of
  the margins the everyday questions of index/data/generic_questions.tsv reach on this index under the same model
  (what the gate's calibration measures); `*_zb` is a margin over the spread of the question's cosines with the bank.
  `mean_zq` / `mean_zb`: the mean of e5's and USE-m's; `min_zq`: the lower of the two (covered only if both say so).

AUC = P(answerable scores above the other kind), ties half: against near-topic, everyday, and every off-topic
question; `resid` is the AUC among the questions today's product answers (answerable against the off-topic ones it
lets through), where an extra refusal would act. Held-out sets are pooled at the end (each standardised on its own
index); `--bootstrap` adds each feature's AUC less the margin's there, with a 90 % interval.

`--rule F` simulates F as one more refusal after today's answer, its bar a quantile (0 … 0.9) of the everyday
questions' own values of F on the set's index (never a constant fitted to a question set), and lists the questions it
would refuse on every set (`--all`: the 32 sets of bench.sweep). Refusals, false refusals and quote hits are exact
(a refusal added last changes nothing else); R@1 / R@3 are not reported (a refused answer lists its passages in
ranking order, an answered one its quote's passage first). For everyday questions `u_top_best` is read on the
ranking's first passage (they have no answer), for the sets' questions on the answer's.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.stats import rankdata

from bench.gate_features import auc, kind
from bench.sweep import DEFAULT_SETS, apply, open_set
from index.coverage import generic_questions
from index.evaluate import EvalQuestion, QuestionResult, evaluate_service, load_questions
from index.params import DEFAULT_PARAMS
from index.search import Retriever
from index.second_encoder import get_second_encoder
from index.service import Verbatim

GATE_SETS = ("corpus", "heldout-docs", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "dev+corpus")
HELDOUT = ("heldout-docs", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7")
SHOWN = (
    "margin",
    "slack",
    "e5_zq",
    "e5_zb",
    "u_top_unit",
    "u_top_best",
    "u_top_margin",
    "u_cand_margin",
    "u_margin",
    "u_agree10",
    "u_agree_all",
    "u_zq",
    "u_zb",
    "mean_zq",
    "mean_zb",
    "min_zq",
)


class SecondView:
    """One index's USE-m view: its units' stored vectors, the bank and the everyday questions under both models."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever
        loaded = retriever.loaded
        stored = loaded.second_embeddings()
        if stored is None:
            raise SystemExit(f"index version {loaded.version} holds no second-encoder vectors: rebuild it")
        self.encoder = get_second_encoder()
        self.units = np.asarray(stored, dtype=np.float32)
        self.e5_units = np.asarray(loaded.embeddings(), dtype=np.float32)
        self.unit_passage = np.asarray(loaded.units.passage, dtype=np.int64)
        self.prose = ~retriever._not_prose_units if retriever._prose_only else np.ones(len(self.units), dtype=bool)
        self.bank = self.encoder.embed(list(retriever.bank.sentences))
        self.e5_bank = np.asarray(retriever.bank.vectors, dtype=np.float32)
        # The everyday questions' margins on this index, under each model: the scale the z-scores are read on.
        everyday = list(generic_questions())
        e5_q = np.asarray(retriever.embedder.embed_queries(everyday), dtype=np.float32)
        use_q = self.encoder.embed(everyday)
        self.e5_everyday = np.array([self.e5_margin(v)[0] for v in e5_q])
        self.use_everyday = np.array([self.use_margin(v)[0] for v in use_q])
        # The same features of the everyday questions themselves: where a rule's bar is read (a quantile of them).
        e5_z = (self.e5_everyday - self.e5_everyday.mean()) / self.e5_everyday.std()
        use_z = (self.use_everyday - self.use_everyday.mean()) / self.use_everyday.std()
        self.everyday = {
            "margin": self.e5_everyday,
            "u_margin": self.use_everyday,
            "u_zq": use_z,
            "mean_zq": (e5_z + use_z) / 2,
            "min_zq": np.minimum(e5_z, use_z),
            # The best USE-m cosine within each everyday question's own first passage (the ranking's, as retrieved).
            "u_top_best": np.array([self.top_best(q, v) for q, v in zip(everyday, use_q, strict=True)]),
        }

    def top_best(self, question: str, query: np.ndarray) -> float:
        result = self.retriever.search(question, k=3)
        if not result.passages:
            return math.nan
        top = self.retriever.loaded.position[result.passages[0].passage.id]
        return float((self.units[self.unit_passage == top] @ query).max())

    def e5_margin(self, query: np.ndarray) -> tuple[float, float]:
        """e5's margin over every prose unit (plain cosines, as the gate), and the spread of the bank's cosines."""
        bank = self.e5_bank @ query
        return float((self.e5_units[self.prose] @ query).max() - bank.max()), float(bank.std())

    def use_margin(self, query: np.ndarray) -> tuple[float, float]:
        bank = self.bank @ query
        return float((self.units[self.prose] @ query).max() - bank.max()), float(bank.std())

    def compute(self, question: str, answer, result) -> dict[str, float]:  # noqa: ANN001 — Answer, SearchResult
        loaded = self.retriever.loaded
        gate = answer.gate or {}
        out: dict[str, float] = {"margin": result.margin, "slack": result.margin - gate.get("bar", float("nan"))}
        e5_query = np.asarray(self.retriever.embedder.embed_queries([question])[0], dtype=np.float32)
        e5_m, e5_spread = self.e5_margin(e5_query)
        query = self.encoder.embed_query(question).astype(np.float32)
        cos = self.units @ query
        bank = self.bank @ query
        bank_best = float(bank.max())
        u_m, u_spread = self.use_margin(query)
        out["e5_zq"] = (result.margin - self.e5_everyday.mean()) / self.e5_everyday.std()
        out["e5_zb"] = e5_m / e5_spread
        out["u_margin"] = u_m
        out["u_zq"] = (u_m - self.use_everyday.mean()) / self.use_everyday.std()
        out["u_zb"] = u_m / u_spread
        out["mean_zq"] = (out["e5_zq"] + out["u_zq"]) / 2
        out["mean_zb"] = (out["e5_zb"] + out["u_zb"]) / 2
        out["min_zq"] = min(out["e5_zq"], out["u_zq"])
        if not result.unit_hits:
            return out
        passages = answer.passages or result.passages
        top = loaded.position[passages[0].passage.id]
        in_top = [h.unit for h in result.unit_hits if h.passage == top]
        members = np.flatnonzero(self.unit_passage == top)
        out["u_top_unit"] = float(cos[in_top[0]]) if in_top else float(cos[members].max())
        out["u_top_best"] = float(cos[members].max())
        out["u_top_margin"] = out["u_top_best"] - bank_best
        candidates = np.array([h.unit for h in result.unit_hits], dtype=np.int64)
        prose = candidates[self.prose[candidates]]
        out["u_cand_margin"] = float(cos[prose if len(prose) else candidates].max()) - bank_best
        first = loaded.position[result.passages[0].passage.id]
        ten = list(dict.fromkeys(int(h.passage) for h in result.unit_hits))[:10]
        best_of = {p: float(cos[self.unit_passage == p].max()) for p in ten}
        order = sorted(ten, key=lambda p: -best_of[p])
        out["u_agree10"] = -float(order.index(first) + 1) if first in order else -11.0
        rank = int(np.count_nonzero(cos > cos[self.unit_passage == first].max())) + 1
        out["u_agree_all"] = -math.log2(rank)
        return out


Row = tuple[str, EvalQuestion, dict[str, float], bool]


def fast_auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """P(positive > negative), ties half (Mann-Whitney U by average ranks): `bench.gate_features.auc` on arrays."""
    ranks = rankdata(np.concatenate([positive, negative]))
    return float((ranks[: len(positive)].sum() - len(positive) * (len(positive) + 1) / 2) / (len(positive) * len(negative)))


def bootstrap(rows: Sequence[Row], other: str, runs: int = 2000) -> None:
    """Each feature's AUC (answerable > `other`) less the margin's, with a 90 % interval by resampling questions."""
    pos = [f for _, i, f, _ in rows if i.answerable]
    neg = [f for _, i, f, _ in rows if (kind(i) == other if other != "off" else not i.answerable)]
    rng = np.random.default_rng(0)
    draws = [(rng.integers(0, len(pos), len(pos)), rng.integers(0, len(neg), len(neg))) for _ in range(runs)]
    base = np.array([f["margin"] for f in pos]), np.array([f["margin"] for f in neg])
    print(f"  AUC ans>{other} less the margin's, 90 % bootstrap interval ({runs} resamples of the questions):")
    for name in SHOWN[1:]:
        a = np.array([f.get(name, math.nan) for f in pos])
        b = np.array([f.get(name, math.nan) for f in neg])
        if np.isnan(a).any() or np.isnan(b).any():
            continue
        diffs = [fast_auc(a[i], b[j]) - fast_auc(base[0][i], base[1][j]) for i, j in draws]
        point = fast_auc(a, b) - fast_auc(*base)
        print(f"    {name:<15}{point:+.3f}  [{np.quantile(diffs, 0.05):+.3f}, {np.quantile(diffs, 0.95):+.3f}]")


def auc_line(name: str, rows: Sequence[Row]) -> str:
    """One feature's AUC, answerable against near-topic, everyday and every off-topic question, and among those answered."""
    against = {
        "near": lambda i, a: kind(i) == "near",
        "everyday": lambda i, a: kind(i) == "everyday",
        "off": lambda i, a: not i.answerable,
        "resid": lambda i, a: not i.answerable and a,
    }
    values = [
        auc(
            [f.get(name, math.nan) for _, i, f, a in rows if i.answerable and (a or other != "resid")],
            [f.get(name, math.nan) for _, i, f, a in rows if wanted(i, a)],
        )
        for other, wanted in against.items()
    ]
    return f"  {name:<15}" + "".join(f"{'–' if v is None else f'{v:.2f}':>10}" for v in values)


def report(title: str, rows: Sequence[Row]) -> None:
    counts = {k: sum(1 for _, i, _, _ in rows if kind(i) == k) for k in ("answerable", "near", "everyday", "off")}
    passed = {k: sum(1 for _, i, _, a in rows if kind(i) == k and a) for k in ("answerable", "near", "everyday", "off")}
    print(f"== {title}: " + ", ".join(f"{k} {counts[k]} (answered {passed[k]})" for k in counts if counts[k]), flush=True)
    print(f"  {'feature':<15}{'ans>near':>10}{'ans>every':>10}{'ans>off':>10}{'resid':>10}")
    for name in SHOWN:
        print(auc_line(name, rows))


RULES = ("u_margin", "mean_zq", "min_zq", "u_top_best")
QUANTILES = (0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9)


def simulate(
    results: dict[str, list[tuple[str, QuestionResult, dict[str, float]]]],
    views: dict[str, SecondView],
    rules: Sequence[str],
    verbose: bool = False,
) -> None:
    """Each rule as an extra refusal after today's answer: refuse too when the feature is below this quantile of the
    everyday questions' values of it on the set's own index. Refusal counts and quote hits are exact on today's
    answers: a refusal added last changes nothing else of an answer. Only the sets where the rule refuses something are listed unless `verbose`."""
    for feature in rules:
        for q in QUANTILES:
            print(f"== rule: refuse when {feature} < quantile {q} of the everyday questions' {feature} on the index", flush=True)
            totals: Counter[str] = Counter()
            for set_name, rows in results.items():
                bar = float(np.quantile(views[set_name].everyday[feature], q))
                line, new = [], []
                counts = {"near": [0, 0, 0], "everyday": [0, 0, 0], "off": [0, 0, 0], "answerable": [0, 0, 0]}
                qh_lost = 0
                for _, r, f in rows:
                    k = kind(r.item)
                    refused_now = not r.answered
                    extra = r.answered and f.get(feature, math.inf) < bar
                    counts[k][0] += 1
                    counts[k][1] += refused_now
                    counts[k][2] += extra
                    if extra:
                        new.append(f"{r.item.id} ({k}{', right answer' if r.quote_hit else ''})")
                        qh_lost += bool(r.quote_hit)
                for k, (n, before, added) in counts.items():
                    if n and k != "answerable":
                        line.append(f"{k} refused {before}/{n} -> {before + added}/{n}")
                n, before, added = counts["answerable"]
                qh = sum(bool(r.quote_hit) for _, r, _ in rows if r.item.answerable)
                line.append(f"false refusals {before}/{n} -> {before + added}/{n}, quote hits {qh} -> {qh - qh_lost}")
                if new or verbose:
                    print(f"  {set_name:<13}(bar {bar:+.3f}) " + "; ".join(line) + (f"  [{', '.join(new)}]" if new else ""))
                totals["near"] += counts["near"][0]
                totals["near_refused"] += counts["near"][1]
                totals["near_new"] += counts["near"][2]
                totals["every"] += counts["everyday"][0]
                totals["every_refused"] += counts["everyday"][1]
                totals["every_new"] += counts["everyday"][2]
                totals["off"] += counts["off"][0]
                totals["off_refused"] += counts["off"][1]
                totals["off_new"] += counts["off"][2]
                totals["ans"] += n
                totals["fr"] += before
                totals["fr_new"] += added
                totals["qh"] += qh
                totals["qh_lost"] += qh_lost
            t = totals
            print(
                f"  all {len(results)} sets: near-topic refused {t['near_refused']} -> {t['near_refused'] + t['near_new']} of {t['near']},"
                f" everyday {t['every_refused']} -> {t['every_refused'] + t['every_new']} of {t['every']},"
                f" unlabelled off-topic {t['off_refused']} -> {t['off_refused'] + t['off_new']} of {t['off']};"
                f" false refusals {t['fr']} -> {t['fr'] + t['fr_new']} of {t['ans']}, quote hits {t['qh']} -> {t['qh'] - t['qh_lost']}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", dest="sets", help="only these sets (by name)")
    parser.add_argument("--all", action="store_true", help="every set of bench.sweep (32), not only the nine above")
    parser.add_argument("--dump", action="store_true", help="one line per question")
    parser.add_argument(
        "--bootstrap", action="store_true", help="pooled held-out sets: each feature's AUC less the margin's, 90 %% interval"
    )
    parser.add_argument("--rule", action="append", choices=RULES, help="simulate this feature as an extra refusal (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="with --rule: every set's line, not only those a rule changes")
    args = parser.parse_args(argv)
    wanted = args.sets or ([s[0] for s in DEFAULT_SETS] if args.all else list(GATE_SETS))
    services: dict[tuple[Path, ...], Verbatim] = {}
    views: dict[int, SecondView] = {}
    set_views: dict[str, SecondView] = {}
    pooled: list[Row] = []
    results: dict[str, list[tuple[str, QuestionResult, dict[str, float]]]] = {}
    for set_name, corpora, path in DEFAULT_SETS:
        if set_name not in wanted:
            continue
        service = open_set(corpora, services)
        apply(service, DEFAULT_PARAMS)
        retriever = service.answerer.retriever
        if id(retriever) not in views:
            views[id(retriever)] = SecondView(retriever)
        view = set_views[set_name] = views[id(retriever)]
        rows: list[Row] = []
        for item in load_questions(path):
            answer = service.ask(item.question, k=3)
            result = retriever.search(answer.question, k=3)
            rows.append((set_name, item, view.compute(answer.question, answer, result), answer.answered))
        if args.rule:
            scored = {r.item.id: r for r in evaluate_service(service, path, baseline=False).results}
            results[set_name] = [(set_name, scored[item.id], feats) for _, item, feats, _ in rows]
            changed = [item.id for _, item, _, answered in rows if answered != scored[item.id].answered]
            if changed:
                print(f"  (answered differently by the evaluation's run: {', '.join(changed)})")
        gq = " ".join(f"{q:+.3f}" for q in np.quantile(view.use_everyday, [0.0, 0.05, 0.1, 0.5, 0.9, 1.0]))
        ge = " ".join(f"{q:+.3f}" for q in np.quantile(view.e5_everyday, [0.0, 0.05, 0.1, 0.5, 0.9, 1.0]))
        report(set_name, rows)
        print(f"  everyday questions' margins on this index, min/p05/p10/p50/p90/max: e5 {ge}; USE-m {gq}")
        if args.dump:
            print("  id\tkind\tanswered\t" + "\t".join(SHOWN) + "\tquestion")
            for _, item, feats, answered in rows:
                values = "\t".join(f"{feats.get(n, math.nan):.3f}" for n in SHOWN)
                print(f"  {item.id}\t{kind(item)}\t{int(answered)}\t{values}\t{item.question}")
        if set_name in HELDOUT:
            pooled.extend(rows)
    if len({r[0] for r in pooled}) > 1:
        report("held-out sets pooled (" + ", ".join(dict.fromkeys(r[0] for r in pooled)) + ")", pooled)
        if args.bootstrap:
            for other in ("near", "off"):
                bootstrap(pooled, other)
    if args.rule:
        simulate(results, set_views, args.rule, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
