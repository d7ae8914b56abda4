"""Dump every signal for the gold passage and the passages ranked above it, by question -> document language pair.

For the answerable questions whose gold passage is ranked 2-10 by the fused score (issue 12's reranking diagnosis):

    python -m bench.rerank_diagnose                 # corpus and heldout-docs
    python -m bench.rerank_diagnose --set dev --all # every answerable question of a set, rank 1 included

Each passage is shown by its best unit: dense cosine, each weighted lexical term / bridge, the fused score, the
document language, the passage kind and length, and the share of the question's IDF mass its best unit covers.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import Any

import numpy as np

from bench.sweep import DEFAULT_SETS, apply, open_set, parse_variant
from index.evaluate import document_language, hits, load_questions
from index.fusion import lexical_terms
from index.lexical import tokens
from index.service import Verbatim
from index.signals import QuestionScripts


def passage_table(service: Verbatim, question: str) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Every passage with the signals of its best unit (by fused score), best passage first; the question's weights."""
    retriever = service.answerer.retriever
    loaded = retriever.loaded
    params = retriever.params
    query = retriever.embedder.embed_queries([question])
    scripts = QuestionScripts.of(question)
    signals = retriever.ranking_signals(question, query, scripts, retriever.dense.scores(query, params.dense_depth))
    units = np.arange(signals.size)
    dense = signals.dense.at(units)
    parts: dict[str, np.ndarray] = {}
    names = ["lexical", "korean", "chinese_korean", "chinese_english", "word_bridge"]
    present = [n for n in names if n == "lexical" or getattr(signals, n) is not None and (n != "korean" or len(signals.korean or []))]
    weights: dict[str, float] = {}
    for name, (scores, weight, scale) in zip(present, lexical_terms(signals, scripts, params)):
        values = scores.at(units)
        parts[name] = weight * (values / scale if scale > 0 else values)
        weights[name] = weight
    if signals.english is not None:
        parts["english"] = signals.english.at(units)
    fused = dense + sum(parts.values()) if parts else dense
    idf = retriever.lexical.index
    query_tokens = sorted(set(tokens(question, query=True)))
    best: dict[int, int] = {}
    for u in np.argsort(-fused, kind="stable"):
        best.setdefault(loaded.units[u].passage, int(u))
    rows = []
    for p, u in best.items():
        passage = loaded.passages[p]
        meta = loaded.documents.get(passage.doc_id)
        unit_tokens = set(tokens(loaded.unit_text(u)))
        covered = _idf_share(idf, query_tokens, unit_tokens)
        rows.append(
            {
                "passage": passage,
                "unit": u,
                "dense": float(dense[u]),
                "dense_best_in_passage": float(max(dense[v] for v in _units_of(loaded, p))),
                **{k: float(v[u]) for k, v in parts.items()},
                "fused": float(fused[u]),
                "lang": (meta.language if meta else "?") or "?",
                "kind": passage.kind,
                "chars": len(passage.text),
                "idf_cover": covered,
            }
        )
    return rows, weights


_UNITS_OF: dict[str, dict[int, list[int]]] = {}


def _units_of(loaded: Any, passage: int) -> list[int]:
    """The units of one passage of a loaded version (the mapping is built once per version)."""
    if loaded.version not in _UNITS_OF:
        mapping: dict[int, list[int]] = {}
        for u, unit in enumerate(loaded.units):
            mapping.setdefault(unit.passage, []).append(u)
        _UNITS_OF[loaded.version] = mapping
    return _UNITS_OF[loaded.version].get(passage, [])


def _idf(index: Any, token: str) -> float:
    """BM25's IDF of a token over the units (0 for a token no unit holds)."""
    bm25 = index.index.bm25
    if bm25 is None or token not in index.index.vocabulary:
        return 0.0
    indptr = bm25.scores["indptr"]
    token_id = bm25.get_tokens_ids([token])[0]
    df = int(indptr[token_id + 1] - indptr[token_id])
    return float(np.log(1 + (index.size - df + 0.5) / (df + 0.5)))


def _idf_share(index: Any, query_tokens: list[str], unit_tokens: set[str]) -> float:
    weights = {t: _idf(index, t) for t in query_tokens}
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in unit_tokens) / total if total > 0 else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", dest="sets", help="sets by name (default: corpus, heldout-docs)")
    parser.add_argument("--all", action="store_true", help="every answerable question, not only gold ranked 2-10")
    parser.add_argument("--variant", default="base", help="`base` or field=value,… of RetrievalParams")
    parser.add_argument("--only", action="append", help="only these question ids")
    args = parser.parse_args(argv)
    _, params = parse_variant(args.variant)
    wanted = args.sets or ["corpus", "heldout-docs"]
    services: dict[Any, Verbatim] = {}
    tally: Counter[str] = Counter()
    for set_name, corpora, path in DEFAULT_SETS:
        if set_name not in wanted:
            continue
        service = open_set(corpora, services)
        apply(service, params)
        print(f"==== {set_name}")
        for item in load_questions(path):
            if not item.answerable or (args.only and item.id not in args.only):
                continue
            rows, weights = passage_table(service, item.question)
            gold = next((i for i, r in enumerate(rows) if hits(item.evidence, r["passage"].text, 400)), None)
            pair = f"{item.lang}->{document_language(service, item.evidence) or '?'}"
            rank = "-" if gold is None else str(gold + 1)
            tally[
                f"{pair} rank {'1' if gold == 0 else '2-3' if gold is not None and gold < 3 else '4-10' if gold is not None and gold < 10 else '>10'}"
            ] += 1
            if not args.all and not args.only and (gold is None or gold == 0 or gold >= 10):
                continue
            w = " ".join(f"{k} {v:.3f}" for k, v in weights.items())
            print(f"-- {item.id} {pair} gold rank {rank}  [{w}]  {item.question}")
            shown = rows[: (gold + 1) if gold is not None else 3]
            for i, r in enumerate(shown):
                mark = "*" if i == gold else " "
                extra = " ".join(
                    f"{k[:5]} {r[k]:.3f}" for k in ("lexical", "english", "korean", "chinese_korean", "chinese_english") if k in r
                )
                text = r["passage"].text.replace("\n", " ")[:70]
                print(
                    f"  {mark}{i + 1:>2} f {r['fused']:.3f} d {r['dense']:.3f} (pbest {r['dense_best_in_passage']:.3f}) {extra}"
                    f" idf {r['idf_cover']:.2f} {r['lang']:<7} {r['kind']:<5} {r['chars']:>3}c | {text}"
                )
    print("==== ranks by pair")
    for key, count in sorted(tally.items()):
        print(f"  {key}: {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
