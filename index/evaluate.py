"""Score a question file (shared/eval format) with one loaded model: R@1, R@3, quote hit, refusals, per language."""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import logging
import re
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.config import Settings

log = logging.getLogger(__name__)

MAX_PASSAGE_CHARS = 400
MAX_QUOTE_CHARS = 300
METRICS = ("r1", "r3", "quote_hit", "offtopic_refused", "false_refusals", "dense_r1", "dense_r3")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class EvalQuestion:
    """One line of a question file."""

    id: str
    lang: str
    question: str
    answerable: bool
    evidence: tuple[str, ...]
    # The corpus format's `doc` field: a document letter for answerable and near-topic off-topic questions, None for
    # an everyday one. `doc_given` tells a corpus question (near-topic vs everyday off-topic) from a dev-set one.
    doc: str | None = None
    doc_given: bool = False


@dataclass
class QuestionResult:
    """How one question scored, from the JSON `verbatim ask --json` prints for it."""

    item: EvalQuestion
    rank: int | None  # 1-based rank of the first passage that hits, None if none of the returned ones does
    quote_hit: bool
    answered: bool
    ms: float
    embed_ms: float = 0.0
    quote: str = ""
    top: str = ""
    dense_rank: int | None = None  # rank of the first hit in a dense-only ranking of the same passages
    doc_lang: str = ""  # language of the document the evidence is in ("" for off-topic questions)
    # The gate's margin minus its bar (None when the answer records no gate): how far the bar could rise before this
    # question is refused. `refused_otherwise`: refused for another reason than the margin (code only, no quantity…).
    slack: float | None = None
    refused_otherwise: bool = False


@dataclass
class EvalReport:
    """Figures overall and per language, the misses, and ask compute times."""

    overall: dict[str, float | None]
    by_lang: dict[str, dict[str, float | None]]
    counts: dict[str, dict[str, int]]
    results: list[QuestionResult] = field(default_factory=list)
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    rest_p50_ms: float = 0.0
    rest_p95_ms: float = 0.0

    def misses(self) -> list[dict[str, Any]]:
        out = []
        for r in self.results:
            problems = []
            if r.item.answerable:
                if r.rank is None or r.rank > 3:
                    problems.append("not in top 3")
                elif r.rank > 1:
                    problems.append(f"rank {r.rank}")
                if not r.quote_hit:
                    problems.append("quote miss")
                if not r.answered:
                    problems.append("false refusal")
            elif r.answered:
                problems.append("off-topic answered")
            if problems:
                out.append(
                    {
                        "id": r.item.id,
                        "lang": r.item.lang,
                        "question": r.item.question,
                        "problems": problems,
                        "quote": r.quote,
                        "top": r.top,
                    }
                )
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "overall": self.overall,
            "by_lang": self.by_lang,
            "counts": self.counts,
            "pairs": pair_figures(self.results),
            "offtopic": offtopic_figures(self.results),
            "refusal_curve": refusal_curve(self.results),
            "latency_ms": {
                "p50": round(self.p50_ms, 1),
                "p95": round(self.p95_ms, 1),
                "without_query_embedding_p50": round(self.rest_p50_ms, 1),
                "without_query_embedding_p95": round(self.rest_p95_ms, 1),
            },
            "misses": self.misses(),
        }

    def table(self) -> str:
        names = ["all", *sorted(self.by_lang)]
        rows = {"all": self.overall, **self.by_lang}
        header = f"{'metric':<18}" + "".join(f"{n:>9}" for n in names)
        lines = [header, "-" * len(header)]
        for metric in METRICS:
            cells = []
            for n in names:
                value = rows[n][metric]
                cells.append(f"{'–' if value is None else f'{value:.3f}':>9}")
            lines.append(f"{metric:<18}" + "".join(cells))
        lines.append(
            f"{'answerable / off':<18}" + "".join(f"{self.counts[n]['answerable']:>5}/{self.counts[n]['offtopic']:<3}" for n in names)
        )
        pairs = pair_figures(self.results)
        if len(pairs) > 1 or any(r.doc_lang for r in self.results):
            lines.append("")
            lines.append(
                f"{'question->document':<20}{'n':>4}" + "".join(f"{m:>9}" for m in ("r1", "r3", "quote", "refused", "dense r1", "dense r3"))
            )
            for name, row in pairs.items():
                figures = [row[m] for m in ("r1", "r3", "quote_hit", "false_refusals", "dense_r1", "dense_r3")]
                lines.append(f"{name:<20}{row['n']:>4}" + "".join(f"{'–' if v is None else f'{v:.2f}':>9}" for v in figures))
        kinds = offtopic_figures(self.results)
        if kinds:
            lines.append(
                "off-topic refused: "
                + ", ".join(f"{k} {v['refused']:.2f} of {v['n']}" for k, v in kinds.items() if v["refused"] is not None)
            )
        if kinds:
            curve = refusal_curve(self.results)
            columns = [c for c in curve[0] if c != "offset"]
            lines.append("refusals were the coverage bar moved by an offset (0 = as built):")
            lines.append(f"  {'offset':>7}" + "".join(f"{c:>16}" for c in columns))
            for row in curve:
                lines.append(f"  {row['offset']:>+7.2f}" + "".join(f"{'–' if row[c] is None else f'{row[c]:.2f}':>16}" for c in columns))
        lines.append(
            f"ask compute time: p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms "
            f"(without the query embedding: p50 {self.rest_p50_ms:.1f} ms, p95 {self.rest_p95_ms:.1f} ms)"
        )
        misses = self.misses()
        if misses:
            lines.append("")
            lines.append("misses:")
            for m in misses:
                lines.append(f"  {m['id']} [{m['lang']}] {', '.join(m['problems'])}: {m['question']}")
                if m["quote"]:
                    lines.append(f"      quote: {_WS.sub('', m['quote'])[:90]}")
        return "\n".join(lines)


def load_questions(path: Path | str) -> list[EvalQuestion]:
    items = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        items.append(
            EvalQuestion(
                id=str(row.get("id", number)),
                lang=str(row.get("lang", "?")),
                question=row["question"],
                answerable=bool(row.get("answerable", True)),
                evidence=tuple(row.get("evidence") or ()),
                doc=row.get("doc"),
                doc_given="doc" in row,
            )
        )
    return items


def hits(evidence: Iterable[str], text: str | None, limit: int) -> bool:
    """The README's hit rule: whitespace removed, evidence a substring; over-long texts never hit."""
    if not text or len(text) > limit:
        return False
    squashed = _WS.sub("", text)
    return any(_WS.sub("", e) and _WS.sub("", e) in squashed for e in evidence)


def score_json(item: EvalQuestion, result: dict[str, Any], ms: float = 0.0) -> QuestionResult:
    """Score one question from the JSON object `verbatim ask --json` prints."""
    passages = result.get("passages") or []
    rank = next((i for i, p in enumerate(passages, 1) if hits(item.evidence, p.get("text"), MAX_PASSAGE_CHARS)), None)
    answer = result.get("answer") or {}
    quote = answer.get("quote") or ""
    gate = result.get("gate") or {}
    slack = float(gate["margin"]) - float(gate["bar"]) if "margin" in gate and "bar" in gate else None
    answered = bool(result.get("answered"))
    return QuestionResult(
        item=item,
        rank=rank,
        quote_hit=hits(item.evidence, quote, MAX_QUOTE_CHARS),
        answered=answered,
        ms=ms,
        embed_ms=float(result.get("_embed_ms", 0.0)),
        quote=quote,
        top=(passages[0].get("text") or "") if passages else "",
        slack=slack,
        refused_otherwise=not answered and (slack is None or slack >= 0),
    )


def _share(rows: list[QuestionResult], test: Callable[[QuestionResult], bool]) -> float | None:
    return round(sum(1 for r in rows if test(r)) / len(rows), 4) if rows else None


def _figures(results: list[QuestionResult]) -> tuple[dict[str, float | None], dict[str, int]]:
    answerable = [r for r in results if r.item.answerable]
    offtopic = [r for r in results if not r.item.answerable]
    figures = {
        "r1": _share(answerable, lambda r: r.rank == 1),
        "r3": _share(answerable, lambda r: r.rank is not None and r.rank <= 3),
        "quote_hit": _share(answerable, lambda r: r.quote_hit),
        "offtopic_refused": _share(offtopic, lambda r: not r.answered),
        "false_refusals": _share(answerable, lambda r: not r.answered),
        "dense_r1": _share(answerable, lambda r: r.dense_rank == 1),
        "dense_r3": _share(answerable, lambda r: r.dense_rank is not None and r.dense_rank <= 3),
    }
    return figures, {"answerable": len(answerable), "offtopic": len(offtopic)}


def pair_figures(results: list[QuestionResult]) -> dict[str, dict[str, float | int | None]]:
    """Answerable questions per question language -> document language, beside the dense-only ranking."""
    pairs: dict[str, list[QuestionResult]] = {}
    for r in results:
        if r.item.answerable:
            pairs.setdefault(f"{r.item.lang}->{r.doc_lang or '?'}", []).append(r)
    out: dict[str, dict[str, float | int | None]] = {}
    for name, rows in sorted(pairs.items()):
        figures, _ = _figures(rows)
        out[name] = {"n": len(rows), **{k: figures[k] for k in ("r1", "r3", "quote_hit", "false_refusals", "dense_r1", "dense_r3")}}
    return out


def _offtopic_by_kind(results: list[QuestionResult]) -> dict[str, list[QuestionResult]]:
    """Off-topic questions by kind: near-topic (names a document's subject), everyday, or unlabelled (dev sets)."""
    kinds: dict[str, list[QuestionResult]] = {}
    for r in results:
        if not r.item.answerable:
            kinds.setdefault("near-topic" if r.item.doc else ("everyday" if r.item.doc_given else "off-topic"), []).append(r)
    return kinds


def offtopic_figures(results: list[QuestionResult]) -> dict[str, dict[str, float | int | None]]:
    """Off-topic refusals by kind: near-topic (names a document's subject), everyday, or unlabelled (dev sets)."""
    kinds = _offtopic_by_kind(results)
    return {kind: {"n": len(rows), "refused": _share(rows, lambda r: not r.answered)} for kind, rows in sorted(kinds.items())}


CURVE_OFFSETS = tuple(round(0.01 * step, 2) for step in range(-4, 9))


def refusal_curve(results: list[QuestionResult], offsets: Iterable[float] = CURVE_OFFSETS) -> list[dict[str, float | None]]:
    """Refusals against false refusals were the coverage bar moved by each offset (0 = as built).

    Read off the margins the answers recorded: a question is refused at offset d when its margin falls short of its
    bar + d, or when it was refused for another reason (only code, no number for a question of quantity), which a
    moved bar does not change. Questions without a recorded gate (an error) count as refused at every offset.
    """

    def refused(r: QuestionResult, offset: float) -> bool:
        return r.refused_otherwise or (r.slack is not None and r.slack < offset)

    answerable = [r for r in results if r.item.answerable]
    kinds = _offtopic_by_kind(results)
    rows = []
    for offset in offsets:
        row: dict[str, float | None] = {"offset": offset}
        refused_here = functools.partial(refused, offset=offset)
        for kind, members in sorted(kinds.items()):
            row[kind] = _share(members, refused_here)
        row["false_refusals"] = _share(answerable, refused_here)
        rows.append(row)
    return rows


def report_for(results: list[QuestionResult]) -> EvalReport:
    overall, counts_all = _figures(results)
    by_lang: dict[str, dict[str, float | None]] = {}
    counts = {"all": counts_all}
    for lang in sorted({r.item.lang for r in results}):
        by_lang[lang], counts[lang] = _figures([r for r in results if r.item.lang == lang])
    p50, p95 = _percentiles([r.ms for r in results])
    rest50, rest95 = _percentiles([max(0.0, r.ms - r.embed_ms) for r in results])
    return EvalReport(overall, by_lang, counts, results, p50, p95, rest50, rest95)


def _percentiles(values: list[float]) -> tuple[float, float]:
    if not values:
        return 0.0, 0.0
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def evaluate(ask: Callable[[str], dict[str, Any]], questions: list[EvalQuestion]) -> EvalReport:
    """Ask every question through `ask` (question -> the `ask --json` object) and score the answers.

    The object may carry `_dense_passages` (texts of a dense-only ranking of the same passages) and `_doc_lang`.
    """
    results = []
    for item in questions:
        started = time.perf_counter()
        answer = ask(item.question)
        ms = (time.perf_counter() - started) * 1000
        result = score_json(item, answer, ms)
        dense = answer.get("_dense_passages")
        if dense is not None:
            result.dense_rank = next((i for i, text in enumerate(dense, 1) if hits(item.evidence, text, MAX_PASSAGE_CHARS)), None)
        result.doc_lang = answer.get("_doc_lang", "")
        results.append(result)
    return report_for(results)


def document_language(service: Any, evidence: Iterable[str]) -> str:
    """The language of the document an evidence string is found in ("" if none holds it)."""
    loaded = service.loaded
    wanted = [_WS.sub("", e) for e in evidence if _WS.sub("", e)]
    for doc_id, text in loaded.texts.items():
        squashed = _squashed_text(loaded.version, doc_id, text)
        if any(e in squashed for e in wanted):
            meta = loaded.documents.get(doc_id)
            return (meta.language if meta and meta.language else "?") or "?"
    return ""


_SQUASHED: dict[tuple[str, str], str] = {}


def _squashed_text(version: str, doc_id: str, text: str) -> str:
    key = (version, doc_id)
    if key not in _SQUASHED:
        _SQUASHED[key] = _WS.sub("", text)
    return _SQUASHED[key]


def evaluate_service(service: Any, path: Path | str, k: int = 3, *, baseline: bool = True) -> EvalReport:
    """Evaluate a question file against a loaded `Verbatim` service (one model, no subprocesses).

    With `baseline`, every question is also ranked by dense similarity alone over the same passages.
    """
    from index.errors import VerbatimError

    questions = load_questions(path)
    evidence = {item.question: item.evidence for item in questions}

    def ask(question: str) -> dict[str, Any]:
        try:
            answer = service.ask(question, k=k)
        except VerbatimError as exc:
            return {"question": question, "answered": False, "answer": None, "passages": [], "error": str(exc)}
        out = {**answer.to_json(), "_embed_ms": answer.timings_ms.get("embed", 0.0)}
        if baseline:
            out["_dense_passages"] = [p.text for p in service.dense_ranking(question, k=k)]
        out["_doc_lang"] = document_language(service, evidence.get(question, ()))
        return out

    # One untimed question first, so the timings are of answering, not of warming up.
    if questions:
        ask(questions[0].question)
    return evaluate(ask, questions)


def corpus_settings(settings: Settings, corpora: list[Path]) -> Settings:
    """Settings whose knowledge directory is the union of `corpora` (linked into a scratch directory) with its own index.

    The scratch directory is named after the corpora, so a second run reuses the index (and its embeddings).
    """
    resolved = sorted(str(Path(c).resolve()) for c in corpora)
    key = hashlib.blake2b("\x1f".join(resolved).encode("utf-8"), digest_size=6).hexdigest()
    root = settings.data_dir / "eval" / key
    knowledge = root / "knowledge"
    if knowledge.exists():
        shutil.rmtree(knowledge)
    knowledge.mkdir(parents=True)
    from index.loaders import META_SUFFIX, SUPPORTED_SUFFIXES

    for corpus in resolved:
        for path in sorted(Path(corpus).iterdir()):
            if (
                path.is_file()
                and (path.name.endswith(META_SUFFIX) or path.suffix.lower() in SUPPORTED_SUFFIXES)
                and path.name.upper() != "SOURCES.MD"
            ):
                target = knowledge / path.name
                if target.exists():
                    raise ValueError(f"two corpora hold a file named {path.name}")
                target.symlink_to(path)
    return settings.model_copy(update={"knowledge_dir": knowledge, "index_dir": root / "index"})


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from index.terminal import open_service

    if args.corpus:
        settings = corpus_settings(settings, [Path(c) for c in args.corpus])
        print(f"scratch index for {len(args.corpus)} corpora: {settings.index_dir}", file=sys.stderr)
    service = open_service(settings)
    if args.corpus:
        built = service.build(built_by="verbatim eval")
        if built.failed:
            print(built.summary(), file=sys.stderr)
    report = evaluate_service(service, args.file, k=args.k, baseline=not args.no_baseline)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(report.table())
    return 0


def register_cli(add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add("eval", cmd_eval, "Score a question file (shared/eval format): R@1, R@3, quote hit, refusals, per language.")
    p.add_argument("file", help="JSON lines: id, lang, question, answerable, evidence (and doc, for a corpus)")
    p.add_argument("-k", type=int, default=3, help="passages returned per question (default 3)")
    p.add_argument("--json", action="store_true", help="print the figures and misses as JSON")
    p.add_argument(
        "--corpus",
        action="append",
        metavar="DIR",
        help="answer from a scratch index of the documents in DIR instead of the configured one (repeatable: the union)",
    )
    p.add_argument("--no-baseline", action="store_true", help="skip the dense-only ranking of the same passages")
