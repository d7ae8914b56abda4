"""Sweep retrieval parameters over several corpora and question sets, beside the dense-only baseline.

Reproduces the tables in docs/retrieval.md:

    python -m bench.sweep                       # the default sets and variants
    python -m bench.sweep --variant base --variant calibrate=true,calibration_quantile=0.9
    python -m bench.sweep --together            # the sets' questions asked of one index of every default set's documents
    python -m bench.sweep --variant base --pairs --set corpus --set heldout2   # and per question -> document language

Each set is a question file asked of a scratch index of some corpora (`verbatim eval --corpus`): the development
corpus with the article, the held-out documents with the article, and the article alone. Questions are embedded once
per process, so each variant costs only the ranking. A variant is `name` or `field=value,…` of `RetrievalParams`.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.config import load_settings
from index.evaluate import EvalReport, QuestionResult, corpus_settings, evaluate_service, report_for
from index.params import DEFAULT_PARAMS, RetrievalParams
from index.service import Verbatim

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "eval"
ARTICLE = ROOT / "knowledge"
HELDOUT = ROOT / "tests" / "data"

# (name, corpora, question file)
DEFAULT_SETS: tuple[tuple[str, tuple[Path, ...], Path], ...] = (
    ("corpus", (SHARED / "corpus", ARTICLE), SHARED / "corpus.jsonl"),
    ("heldout-docs", (HELDOUT / "heldout", ARTICLE), HELDOUT / "heldout.jsonl"),
    ("heldout2", (HELDOUT / "heldout2", ARTICLE), HELDOUT / "heldout2.jsonl"),
    ("heldout3", (HELDOUT / "heldout3", ARTICLE), HELDOUT / "heldout3.jsonl"),
    ("heldout4", (HELDOUT / "heldout4", ARTICLE), HELDOUT / "heldout4.jsonl"),
    ("heldout5", (HELDOUT / "heldout5", ARTICLE), HELDOUT / "heldout5.jsonl"),
    ("heldout6", (HELDOUT / "heldout6", ARTICLE), HELDOUT / "heldout6.jsonl"),
    ("heldout7", (HELDOUT / "heldout7", ARTICLE), HELDOUT / "heldout7.jsonl"),
    ("heldout8", (HELDOUT / "heldout8", ARTICLE), HELDOUT / "heldout8.jsonl"),
    # Questions of quantity (durations, prices, counts; answerable and near-topic) about the held-out documents,
    # written blind after the measure rule of index/answer_type.py (tests/data/quantity/SOURCES.md).
    ("qty-docs", (HELDOUT / "heldout", ARTICLE), HELDOUT / "quantity" / "heldout.jsonl"),
    *((f"qty{n}", (HELDOUT / f"heldout{n}", ARTICLE), HELDOUT / "quantity" / f"heldout{n}.jsonl") for n in range(2, 7)),
    # Questions of versions, percentages, factors, sizes and intervals about the same documents, written blind after
    # the rule was built (tests/data/measures/SOURCES.md).
    ("msr-docs", (HELDOUT / "heldout", ARTICLE), HELDOUT / "measures" / "heldout.jsonl"),
    *((f"msr{n}", (HELDOUT / f"heldout{n}", ARTICLE), HELDOUT / "measures" / f"heldout{n}.jsonl") for n in range(2, 7)),
    # Questions of who wrote each document (tests/data/authors/SOURCES.md), written blind before index/authorship.py.
    ("auth-docs", (HELDOUT / "heldout", ARTICLE), HELDOUT / "authors" / "heldout.jsonl"),
    *((f"auth{n}", (HELDOUT / f"heldout{n}", ARTICLE), HELDOUT / "authors" / f"heldout{n}.jsonl") for n in range(2, 8)),
    # The same about the development corpus, written blind after the byline and document-name rules.
    ("auth-corpus", (SHARED / "corpus", ARTICLE), HELDOUT / "authors" / "corpus.jsonl"),
    ("dev+corpus", (SHARED / "corpus", ARTICLE), SHARED / "dev.jsonl"),
    ("dev", (ARTICLE,), SHARED / "dev.jsonl"),
    ("holdout", (ARTICLE,), HELDOUT / "holdout.jsonl"),
    ("holdout-en", (ARTICLE,), HELDOUT / "holdout_en.jsonl"),
)
DEFAULT_VARIANTS = ("base",)


class CachedQueries:
    """Wraps an embedder so that each question is embedded once per process, whatever the variant."""

    def __init__(self, embedder: Any) -> None:
        self._embedder = embedder
        self._cache: dict[tuple[str, ...], np.ndarray] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._embedder, name)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        key = tuple(texts)
        if key not in self._cache:
            self._cache[key] = self._embedder.embed_queries(texts)
        return self._cache[key]


def parse_variant(text: str) -> tuple[str, RetrievalParams]:
    """`base`, or `field=value,…` applied to the default parameters."""
    if text == "base":
        return text, DEFAULT_PARAMS
    types = {f.name: f.type for f in dataclasses.fields(RetrievalParams)}
    changes: dict[str, Any] = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in types:
            raise SystemExit(f"unknown parameter {name!r}; known: {', '.join(types)}")
        kind = str(types[name])
        if kind == "bool":
            changes[name] = value.strip().lower() in ("1", "true", "yes")
        else:
            changes[name] = int(value) if kind == "int" else value.strip() if kind == "str" else float(value)
    return text, DEFAULT_PARAMS.with_changes(**changes)


def asked_together(
    sets: Sequence[tuple[str, tuple[Path, ...], Path]], every: Sequence[tuple[str, tuple[Path, ...], Path]] = DEFAULT_SETS
) -> list[tuple[str, tuple[Path, ...], Path]]:
    """These sets, each asked of one index holding the corpora of `every` set (the same index whichever are chosen)."""
    union = tuple(sorted({corpus for _, corpora, _ in every for corpus in corpora}))
    return [(name, union, questions) for name, _, questions in sets]


def open_set(corpora: tuple[Path, ...], cache: dict[tuple[Path, ...], Verbatim]) -> Verbatim:
    if corpora not in cache:
        settings = corpus_settings(load_settings(), list(corpora))
        service = Verbatim(settings)
        service.build(built_by="bench.sweep")
        service.load()
        retriever = service.answerer.retriever
        retriever.embedder = CachedQueries(retriever.embedder)
        cache[corpora] = service
    return cache[corpora]


def apply(service: Verbatim, params: RetrievalParams) -> None:
    retriever = service.answerer.retriever
    retriever.params = params
    retriever.calibration = retriever._calibrate() if params.calibrate else None


def row(report: EvalReport) -> str:
    o = report.overall
    kinds = report.to_json()["offtopic"]
    off = " ".join(f"{k[:4]} {v['refused']:.2f}" for k, v in kinds.items())

    def f(value: float | None) -> str:
        return "  –  " if value is None else f"{value:.3f}"

    return (
        f"R@1 {f(o['r1'])} R@3 {f(o['r3'])} QH {f(o['quote_hit'])} FR {f(o['false_refusals'])} | refused {off or '–'}"
        f" | dense R@1 {f(o['dense_r1'])} R@3 {f(o['dense_r3'])}"
    )


def pair_rows(results: Sequence[QuestionResult]) -> list[str]:
    """One line per question language -> document language over these results (summed over sets), the same-language
    pairs (both scripts of Chinese counting as one language) apart from the cross-language ones, each beside the
    dense-only ranking of the same passages, and a line for each of the two groups."""

    def same(pair: str) -> bool:
        asked, _, written = pair.partition("->")
        return asked.split("-")[0] == written.split("-")[0]

    def line(label: str, rows: list[QuestionResult]) -> str:
        o = report_for(rows).overall
        refused = round((o["false_refusals"] or 0.0) * len(rows))
        return (
            f"{label:<22} n {len(rows):>3}  R@1 {o['r1']:.2f} R@3 {o['r3']:.2f} QH {o['quote_hit']:.2f} FR {refused:>2}"
            f" | dense R@1 {o['dense_r1']:.2f} R@3 {o['dense_r3']:.2f}"
        )

    groups: dict[str, list[QuestionResult]] = {}
    for r in results:
        if r.item.answerable:
            groups.setdefault(f"{r.item.lang}->{r.doc_lang or '?'}", []).append(r)
    out = []
    for kind, wanted in (("same language", True), ("cross-language", False)):
        names = sorted(name for name in groups if same(name) == wanted)
        out += [line(name, groups[name]) for name in names]
        if names:
            out.append(line(f"= {kind}", [r for name in names for r in groups[name]]))
    return out


def moves(before: EvalReport, after: EvalReport) -> list[str]:
    """Answerable questions whose rank-1 hit, top-3 hit or quote hit differs between two reports of the same set."""
    old = {r.item.id: r for r in before.results}
    out = []
    for r in after.results:
        b = old.get(r.item.id)
        if b is None or not r.item.answerable:
            continue
        changes = []
        for label, was, now in (
            ("R@1", b.rank == 1, r.rank == 1),
            ("R@3", b.rank is not None and b.rank <= 3, r.rank is not None and r.rank <= 3),
            ("QH", b.quote_hit, r.quote_hit),
        ):
            if was != now:
                changes.append(f"{label} {'+' if now else '-'}")
        if changes:
            out.append(f"{r.item.id} [{r.item.lang}->{r.doc_lang}] {' '.join(changes)} (rank {b.rank} -> {r.rank})")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", action="append", help="`base` or field=value,… (repeatable)")
    parser.add_argument("--set", action="append", dest="sets", help="only these sets (by name)")
    parser.add_argument("--moves", action="store_true", help="list the questions each variant moves against the first one")
    parser.add_argument(
        "--together",
        action="store_true",
        help="ask the chosen sets' questions of one index holding the documents of every default set (34 real documents)",
    )
    parser.add_argument(
        "--pairs",
        action="store_true",
        help="after each variant, its figures per question language -> document language, summed over the chosen sets",
    )
    args = parser.parse_args(argv)
    variants = [parse_variant(v) for v in (args.variant or DEFAULT_VARIANTS)]
    sets = [s for s in DEFAULT_SETS if not args.sets or s[0] in args.sets]
    if args.together:
        sets = asked_together(sets)
    services: dict[tuple[Path, ...], Verbatim] = {}
    first: dict[str, EvalReport] = {}
    for name, params in variants:
        print(f"== {name}  (params {params.fingerprint})")
        asked: list[QuestionResult] = []
        for set_name, corpora, questions in sets:
            service = open_set(corpora, services)
            apply(service, params)
            report = evaluate_service(service, questions)
            calibration = service.answerer.retriever.calibration
            level = f" cal {calibration:+.3f}" if calibration is not None else ""
            print(f"  {set_name:<13}{row(report)}{level}", flush=True)
            asked += report.results
            if args.moves:
                if set_name in first:
                    for line in moves(first[set_name], report):
                        print(f"      {line}")
                else:
                    first[set_name] = report
        if args.pairs:
            print("  per language pair, answerable questions of these sets:")
            for line in pair_rows(asked):
                print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
