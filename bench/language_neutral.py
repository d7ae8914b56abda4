"""Language-neutral e5 vectors, simulated: the directions in which translations of one sentence differ, projected out.

    python -m bench.language_neutral                                  # e5 as it is, then 5 directions, every unit
    python -m bench.language_neutral --directions 5 --cross-only --variant language_centering=0 --moves
    python -m bench.language_neutral --directions 3 --strength 0.5 --set corpus --set heldout2
    python -m bench.language_neutral --cross-only --variant language_centering=0 --together   # one index of every document
    python -m bench.language_neutral --all --cross-only --plain-gate --variant language_centering=0   # the gate as today

multilingual-e5-small gives a sentence and its translation different vectors, and part of the difference is the same
for every sentence: a few directions that say which language a text is in. They are read off the generic bank
(index/data/generic_bank.tsv: the same everyday statement in the four languages, per topic), embedded once as
statements and once as questions: the rows of each topic less their mean are differences of language alone, and the
first singular vectors of all of them (`language_directions`) are those directions. A vector v becomes
v - s x V^T V v, normalised (`project`); `--strength` s 1 removes the directions, less keeps part of them.

The simulation swaps each set's retriever for one built on projected vectors: the units' vectors and a flat FAISS
index of them, the language statistics, every cached bank (the gate's, the calibration's questions, the word
bridge's words), and the question's vectors. With `--cross-only`, a unit written in the question's language keeps
its plain cosine and only units of another language are compared on projected vectors (languages as language
centering tells them apart: Latin script, Chinese of either script, Korean); unless `--plain-gate` or `--aligned` say
otherwise, the gate's bank, the calibration and the second encoder's mapping stay on projected cosines. It needs language centering off, which would re-score
every candidate on projected vectors. Every other rule is the product's own path (`bench.sweep`'s sets, scoring and
variants), and the dense-only baseline is that of the projected vectors.

`--plain-gate`: the gate keeps e5's plain cosines (the best prose unit's, the bank's, the index's calibration), so the
projection changes the ranking only. `--aligned` (with `--cross-only`): each cross-language cosine less its pair's
offset (`pair_offsets`: how far the projection lifts unrelated text of the unit's language above unrelated text of the
question's own, on the bank), and the gate's bank and the calibration compared by the same mixed rule.

The product compares Chinese and Korean questions with units of other languages this way (`language_directions`,
index/language_projection.py: docs/retrieval.md, "Twenty-first round"); this simulation is what the fifteenth and
sixteenth rounds measured, kept to reproduce them.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

import index.coverage as coverage
from bench.second_encoder import ARTICLE_SETS, MAIN_SETS
from bench.sweep import DEFAULT_SETS, apply, asked_together, moves, open_set, pair_rows, parse_variant, row
from index.coverage import CoverageBank, generic_questions, top_mean
from index.evaluate import EvalReport, QuestionResult, evaluate_service
from index.language_projection import language_directions, pair_offsets, project
from index.scripts import letter_shares
from index.search import Retriever, bank_cache_dir
from index.service import Verbatim
from index.signals import DenseScores, LanguageCentering, script_language, text_languages

BANK = Path(__file__).resolve().parent.parent / "index" / "data" / "generic_bank.tsv"


def topic_rows(path: Path = BANK) -> dict[str, list[str]]:
    """The bank's texts grouped by topic (each topic holds one statement in each language)."""
    topics: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as handle:
        for record in csv.DictReader(handle, delimiter="\t"):
            topics.setdefault(record["topic"], []).append(record["text"])
    return topics


def cross_only_scores(
    plain: np.ndarray, projected: np.ndarray, unit_languages: np.ndarray, question_language: int, offsets: np.ndarray | None = None
) -> np.ndarray:
    """Plain cosines for units in the question's language, projected ones for the others (less the pair's offset)."""
    if offsets is not None:
        projected = projected - offsets[question_language, unit_languages]
    return np.where(unit_languages == question_language, plain, projected).astype(np.float32)


@dataclass(frozen=True)
class Aligned:
    """What `--aligned` needs besides the projection: the pair offsets, and the gate's bank and the calibration's
    everyday questions as plain vectors with their languages (so that they are compared by the same mixed rule)."""

    offsets: np.ndarray
    bank: np.ndarray
    bank_languages: np.ndarray
    everyday: np.ndarray
    everyday_languages: np.ndarray


class _LastQueries:
    """The wrapped embedder's query vectors, kept for the last texts asked: a question is embedded once, though the
    projected search, the cross-language rule and the plain gate each want its vector."""

    def __init__(self, embedder: Any) -> None:
        self._embedder = embedder
        self._texts: tuple[str, ...] | None = None
        self._vectors = np.zeros((0, 0), dtype=np.float32)

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        if tuple(texts) != self._texts:
            self._vectors = self._embedder.embed_queries(list(texts))
            self._texts = tuple(texts)
        return self._vectors


class _Projected:
    """An embedder whose vectors are projected (the cache identity stays the wrapped model's)."""

    def __init__(self, embedder: Any, transform: Callable[[np.ndarray], np.ndarray], queries: _LastQueries | None = None) -> None:
        self.wrapped = embedder
        self._transform = transform
        self._queries = queries or embedder.embed_queries

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._transform(self._queries(texts))

    def embed_passages(self, texts: Sequence[str], progress: Any = None) -> np.ndarray:
        return self._transform(self.wrapped.embed_passages(texts, progress))


@contextlib.contextmanager
def projected_banks(transform: Callable[[np.ndarray], np.ndarray]) -> Iterator[None]:
    """Every `CoverageBank`'s vectors (read from its cache or embedded) projected while the block runs."""
    original: property = vars(coverage.CoverageBank)["vectors"]
    plain = original.fget
    assert plain is not None

    def projected(bank: coverage.CoverageBank) -> np.ndarray:
        # A bank embedded here for the first time must be embedded (and cached) plain: its cache key is the model's.
        embedder = bank.embedder
        if isinstance(embedder, _Projected):
            bank.embedder = embedder.wrapped
        try:
            return transform(plain(bank))
        finally:
            bank.embedder = embedder

    setattr(coverage.CoverageBank, "vectors", property(projected))  # noqa: B010
    try:
        yield
    finally:
        setattr(coverage.CoverageBank, "vectors", original)  # noqa: B010


def projected_retriever(
    original: Retriever,
    transform: Callable[[np.ndarray], np.ndarray],
    cross_only: bool,
    plain_gate: np.ndarray | None = None,
    aligned: Aligned | None = None,
) -> Retriever:
    """A retriever over the same version whose e5 vectors are all projected (call inside `projected_banks`)."""
    loaded = original.loaded
    vectors = transform(np.asarray(loaded.embeddings(), dtype=np.float32))
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    swapped = dataclasses.replace(loaded, faiss_index=flat)
    object.__setattr__(swapped, "embeddings", lambda: vectors)
    queries = _LastQueries(original.embedder)
    retriever = Retriever(swapped, _Projected(original.embedder, transform, queries), params=original.params)
    assert original.dense.centering is not None
    languages = original.dense.centering.unit_languages
    retriever.dense.centering = LanguageCentering.with_languages(vectors, languages)
    if retriever.second is not None:
        retriever._second_norms = retriever.dense.shared_norms(retriever.second.population, retriever.second.population_e5)
    calibrate = retriever._calibrate
    if cross_only:
        calibrate = _score_cross_language_only(retriever, original, languages, transform, queries, aligned) or calibrate
    retriever.calibration = calibrate() if retriever.params.calibrate else None
    if plain_gate is not None:
        _gate_on_plain_cosines(retriever, original, plain_gate, queries)
    return retriever


def _gate_on_plain_cosines(retriever: Retriever, original: Retriever, bank_vectors: np.ndarray, queries: _LastQueries) -> None:
    """The gate's cosines as today (the best prose unit's, the bank's and each unit's on e5 as it is, the index's
    calibration): the projection then changes the ranking, and the gate and the answer types see today's cosines."""
    search = retriever.search
    params = original.params
    raw_vectors = original.dense.vectors
    assert raw_vectors is not None

    def search_one(question: str, k: int = 3) -> Any:
        result = search(question, k)
        query = queries([question])
        generic = top_mean(bank_vectors @ query[0], params.bank_top)
        # Each unit's cosine too: the answer types measure the sentence holding a number by it (gate.answer_unit_margin).
        hits = [
            dataclasses.replace(hit, dense=float(np.asarray(raw_vectors[hit.unit], dtype=np.float32) @ query[0]))
            for hit in result.unit_hits
        ]
        return dataclasses.replace(
            result, unit_hits=hits, best_dense=original.best_prose(query), best_generic=generic, calibration=original.calibration
        )

    retriever.search = search_one  # type: ignore[method-assign]


def _score_cross_language_only(
    retriever: Retriever,
    original: Retriever,
    languages: np.ndarray,
    transform: Callable[[np.ndarray], np.ndarray],
    queries: _LastQueries,
    aligned: Aligned | None = None,
) -> Callable[[], float | None] | None:
    """Make `retriever.dense.scores` plain for units of the question's language (set per question by its `search`).

    With `aligned`, cross-language cosines are less their pair's offset, and the gate's bank and the calibration follow
    the same rule; the calibration that does so is returned."""
    projected_scores = retriever.dense.scores
    raw_vectors = original.dense.vectors
    assert raw_vectors is not None
    search = retriever.search
    asked: dict[str, Any] = {}

    def scores(query: np.ndarray, depth: int) -> DenseScores:
        result = projected_scores(query, depth)
        if not asked:  # the calibration's questions: every unit projected
            return result
        raw_query = asked["query"]
        _, ids = original.loaded.faiss_index.search(raw_query, min(depth, retriever.dense.size))
        candidates = np.union1d(result.candidates, ids[0][ids[0] >= 0]).astype(np.int64)
        assert retriever.dense.vectors is not None
        mixed = cross_only_scores(
            np.asarray(raw_vectors[candidates], dtype=np.float32) @ raw_query[0],
            np.asarray(retriever.dense.vectors[candidates]) @ query[0],
            languages[candidates],
            asked["language"],
            None if aligned is None else aligned.offsets,
        )
        order = np.argsort(-mixed, kind="stable")
        return DenseScores(candidates[order], mixed[order], float(mixed.min()), retriever.dense.size)

    def search_one(question: str, k: int = 3) -> Any:
        asked.update(language=script_language(*letter_shares(question)), query=queries([question]))
        try:
            return search(question, k)
        finally:
            asked.clear()

    retriever.dense.scores = scores  # type: ignore[method-assign]
    retriever.search = search_one  # type: ignore[method-assign]
    if aligned is None:
        return None
    projected_bank = transform(aligned.bank)
    top = retriever.params.bank_top

    def bank_best(query: np.ndarray, top: int = top) -> float:
        scores = projected_bank @ query
        if asked:
            scores = cross_only_scores(aligned.bank @ asked["query"][0], scores, aligned.bank_languages, asked["language"], aligned.offsets)
        return top_mean(scores, top)

    retriever.bank.best = bank_best  # type: ignore[method-assign,assignment]

    def calibrate() -> float | None:
        margins = []
        for vector, language in zip(aligned.everyday, aligned.everyday_languages, strict=True):
            asked.update(language=int(language), query=vector[None, :])
            try:
                projected = transform(vector[None, :])
                margins.append(retriever.best_prose(projected) - retriever.bank.best(projected[0], top))
            finally:
                asked.clear()
        return float(np.quantile(margins, retriever.params.calibration_quantile)) if margins else None

    return calibrate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--directions", type=int, action="append", help="how many directions to project out (repeatable)")
    parser.add_argument("--strength", type=float, default=1.0, help="the share of each direction removed (default 1)")
    parser.add_argument("--cross-only", action="store_true", help="project only where a unit's language is not the question's")
    parser.add_argument("--aligned", action="store_true", help="with --cross-only: cross-language cosines less their pair's offset")
    parser.add_argument("--plain-gate", action="store_true", help="the gate on e5 as it is: the projection ranks only")
    parser.add_argument("--variant", default="base", help="`base` or field=value,… of RetrievalParams, for the projected runs")
    parser.add_argument("--baseline", default="base", help="the same for the run on e5 as it is (default: the product's)")
    parser.add_argument("--set", action="append", dest="sets", help="only these sets (default: the mixed and the article's)")
    parser.add_argument("--moves", action="store_true", help="list the questions each run moves against e5 as it is")
    parser.add_argument("--all", action="store_true", help="every set of bench.sweep (quantity, measures, authorship too)")
    parser.add_argument("--together", action="store_true", help="the sets' questions asked of one index of every set's documents")
    args = parser.parse_args(argv)
    if args.cross_only and parse_variant(args.variant)[1].language_centering > 0:
        # Centering re-scores every candidate from the (projected) vectors: the ranking would not be cross-only.
        parser.error("--cross-only needs --variant language_centering=0")
    if args.aligned and not args.cross_only:
        parser.error("--aligned needs --cross-only")
    if args.aligned and args.plain_gate:
        parser.error("--aligned puts the gate on the mixed rule, --plain-gate on plain cosines: choose one")
    wanted = args.sets or [*MAIN_SETS, *ARTICLE_SETS]
    sets = [s for s in DEFAULT_SETS if args.all or s[0] in wanted]
    if args.together:
        sets = asked_together(sets)
    services: dict[tuple[Path, ...], Verbatim] = {}
    first: dict[str, EvalReport] = {}
    directions: np.ndarray | None = None
    bank: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None
    for count in [0, *(args.directions or [5])]:
        label = (
            "e5 as it is"
            if not count
            else f"{count} directions, strength {args.strength}" + (", cross-language only" if args.cross_only else "")
        )
        variant = args.variant if count else args.baseline
        # The product's own projection off: the simulation projects every vector itself (and "e5 as it is" is e5's).
        params = parse_variant(variant)[1].with_changes(language_directions=0)
        print(f"== {label}  ({variant})", flush=True)
        asked: list[QuestionResult] = []
        for set_name, corpora, questions in sets:
            service = open_set(corpora, services)
            apply(service, params)
            original = service.answerer.retriever
            if directions is None:
                topics = list(topic_rows().values())
                texts = [t for group in topics for t in group]
                bounds = np.cumsum([0, *(len(g) for g in topics)])
                forms = (original.embedder.embed_passages(texts), original.embedder.embed_queries(texts))
                directions, values = language_directions([form[a:b] for form in forms for a, b in zip(bounds, bounds[1:], strict=False)])
                bank = (*forms, np.repeat(np.arange(len(topics)), np.diff(bounds)), text_languages(texts))
                print(f"   singular values of the bank's language differences: {np.round(values[:8], 2).tolist()}", flush=True)
            report = _evaluate(
                service,
                original,
                questions,
                directions[:count],
                args.strength,
                args.cross_only,
                args.plain_gate,
                bank if args.aligned else None,
            )
            print(f"  {set_name:<13}{row(report)}", flush=True)
            asked += report.results
            if args.moves and set_name in first:
                for line in moves(first[set_name], report):
                    print(f"      {line}")
            first.setdefault(set_name, report)
        for line in pair_rows(asked):
            if line.lstrip().startswith("="):
                print(f"    {line}")
        answerable = [r for r in asked if r.item.answerable]
        print(
            f"  sum of {len(answerable)} answerable: R@1 {sum(r.rank == 1 for r in answerable)}"
            f" R@3 {sum(r.rank is not None and r.rank <= 3 for r in answerable)} quote hit {sum(r.quote_hit for r in answerable)}"
            f" false refusals {sum(not r.answered for r in answerable)}; off-topic refused"
            f" {sum(not r.answered for r in asked if not r.item.answerable)} of {sum(not r.item.answerable for r in asked)}",
            flush=True,
        )
    return 0


def _evaluate(
    service: Verbatim,
    original: Retriever,
    questions: Path,
    directions: np.ndarray,
    strength: float,
    cross_only: bool,
    plain_gate: bool = False,
    bank: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> EvalReport:
    if not len(directions):
        return evaluate_service(service, questions)
    bank_vectors = np.asarray(original.bank.vectors, dtype=np.float32) if plain_gate else None
    aligned = None
    if bank is not None:
        statements, asked, topics, languages = bank
        everyday = CoverageBank(original.embedder, generic_questions(), cache_dir=bank_cache_dir(original.loaded), as_queries=True)
        aligned = Aligned(
            pair_offsets(statements, asked, topics, languages, lambda v: project(v, directions, strength)),
            np.asarray(original.bank.vectors, dtype=np.float32),
            text_languages(original.bank.sentences),
            np.asarray(everyday.vectors, dtype=np.float32),
            text_languages(everyday.sentences),
        )
        print(f"   pair offsets (latin, chinese, korean): {np.round(aligned.offsets, 3).tolist()}", flush=True)

    def transform(vectors: np.ndarray) -> np.ndarray:
        return project(vectors, directions, strength)

    with projected_banks(transform):
        service.answerer.retriever = projected_retriever(original, transform, cross_only, bank_vectors, aligned)
        try:
            return evaluate_service(service, questions)
        finally:
            service.answerer.retriever = original


if __name__ == "__main__":
    sys.exit(main())
