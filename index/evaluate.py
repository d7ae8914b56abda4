"""Score a question file (shared/eval format) with one loaded model: R@1, R@3, quote hit, refusals, per language."""

from __future__ import annotations

import argparse
import json
import logging
import re
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
METRICS = ("r1", "r3", "quote_hit", "offtopic_refused", "false_refusals")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class EvalQuestion:
    """One line of a question file."""

    id: str
    lang: str
    question: str
    answerable: bool
    evidence: tuple[str, ...]


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
                out.append({"id": r.item.id, "lang": r.item.lang, "question": r.item.question, "problems": problems, "quote": r.quote, "top": r.top})
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "overall": self.overall,
            "by_lang": self.by_lang,
            "counts": self.counts,
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
        lines.append(f"{'answerable / off':<18}" + "".join(f"{self.counts[n]['answerable']:>5}/{self.counts[n]['offtopic']:<3}" for n in names))
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
    return QuestionResult(
        item=item,
        rank=rank,
        quote_hit=hits(item.evidence, quote, MAX_QUOTE_CHARS),
        answered=bool(result.get("answered")),
        ms=ms,
        embed_ms=float(result.get("_embed_ms", 0.0)),
        quote=quote,
        top=(passages[0].get("text") or "") if passages else "",
    )


def _figures(results: list[QuestionResult]) -> tuple[dict[str, float | None], dict[str, int]]:
    answerable = [r for r in results if r.item.answerable]
    offtopic = [r for r in results if not r.item.answerable]

    def share(rows: list[QuestionResult], test: Callable[[QuestionResult], bool]) -> float | None:
        return round(sum(1 for r in rows if test(r)) / len(rows), 4) if rows else None

    figures = {
        "r1": share(answerable, lambda r: r.rank == 1),
        "r3": share(answerable, lambda r: r.rank is not None and r.rank <= 3),
        "quote_hit": share(answerable, lambda r: r.quote_hit),
        "offtopic_refused": share(offtopic, lambda r: not r.answered),
        "false_refusals": share(answerable, lambda r: not r.answered),
    }
    return figures, {"answerable": len(answerable), "offtopic": len(offtopic)}


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
    """Ask every question through `ask` (question -> the `ask --json` object) and score the answers."""
    results = []
    for item in questions:
        started = time.perf_counter()
        answer = ask(item.question)
        ms = (time.perf_counter() - started) * 1000
        results.append(score_json(item, answer, ms))
    return report_for(results)


def evaluate_service(service: Any, path: Path | str, k: int = 3) -> EvalReport:
    """Evaluate a question file against a loaded `Verbatim` service (one model, no subprocesses)."""
    from index.errors import VerbatimError

    def ask(question: str) -> dict[str, Any]:
        try:
            answer = service.ask(question, k=k)
        except VerbatimError as exc:
            return {"question": question, "answered": False, "answer": None, "passages": [], "error": str(exc)}
        return {**answer.to_json(), "_embed_ms": answer.timings_ms.get("embed", 0.0)}

    questions = load_questions(path)
    # One untimed question first, so the timings are of answering, not of warming up.
    if questions:
        ask(questions[0].question)
    return evaluate(ask, questions)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from index.cli import open_service

    service = open_service(settings)
    report = evaluate_service(service, args.file, k=args.k)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(report.table())
    return 0


def register_cli(add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add("eval", cmd_eval, "Score a question file (shared/eval format): R@1, R@3, quote hit, refusals, per language.")
    p.add_argument("file", help="JSON lines: id, lang, question, answerable, evidence")
    p.add_argument("-k", type=int, default=3, help="passages returned per question (default 3)")
    p.add_argument("--json", action="store_true", help="print the figures and misses as JSON")


if __name__ == "__main__":  # pragma: no cover
    from index.cli import main

    sys.exit(main(["eval", *sys.argv[1:]]))
