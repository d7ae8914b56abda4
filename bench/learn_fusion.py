"""Learn the fusion weights on some sets and rank the others with them: is a better linear fusion within reach?

    python -m bench.learn_fusion              # fit on our own held-out sets, test on corpus, heldout3, dev+corpus, dev
    python -m bench.learn_fusion --moves      # and list the questions whose rank moves

Every answerable question of every set is scored once: each unit's features (the plain and the ranking cosine, each
lexical term and bridge split by whether the unit is written in the question's language). A listwise softmax over a
question's units (positives: the units of passages that hold the gold evidence) is fitted on the training sets; the
passages of every set are then ranked by their best unit under the fitted weights and under today's, so R@1 / R@3 of
the ranking (not of the quote) are compared on sets never trained on.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize

from bench.sweep import DEFAULT_SETS, apply, open_set
from index.evaluate import hits, load_questions
from index.fusion import lexical_terms
from index.lexical import tokens
from index.params import DEFAULT_PARAMS
from index.service import Verbatim
from index.signals import QuestionScripts, script_language

FEATURES = (
    "dense_rank",
    "dense_plain",
    "lexical_cjk_same",
    "lexical_cjk_other",
    "lexical_latin",
    "korean",
    "chinese_korean",
    "chinese_english",
    "english_same",
    "english_other",
    "same_language",
    "share_cjk",
    "share_cjk_x_lexical",
    "share_latin",
    "lexical_cjk_x_bestshare",
    "lexical_cjk_x_bestshare2",
    "docshare_cjk",
    "docshare_latin",
)
# Our own held-out sets: the shared corpus and the article's dev set are never fitted on.
OWN_SETS = ("heldout-docs", "heldout2", "holdout", "holdout-en")
# The fusion these weights were fitted from (before them): Chinese-script lexical 0.4 whatever the dense neighbourhood,
# each Chinese bridge 0.02, BM25 divided by the best unit's score.
BASELINE = DEFAULT_PARAMS.with_changes(
    lexical_weight=0.4,
    lexical_weight_elsewhere=0.4,
    lexical_scale="best",
    chinese_korean_weight=0.02,
    chinese_english_weight=0.02,
)
BASELINE_WEIGHTS = np.array([1.0, 0.0, 0.4, 0.4, 0.01, 0.02, 0.02, 0.02, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])


@dataclass
class Question:
    set_name: str
    id: str
    features: np.ndarray  # (units, features)
    passages: np.ndarray  # passage of each unit
    gold: np.ndarray  # bool per unit: its passage holds the evidence


def _normalised(scores: Any, units: np.ndarray) -> np.ndarray:
    top = scores.max()
    values = scores.at(units)
    return values / top if top > 0 else values


def idf_share(index: Any, query: list[str], size: int, docs: np.ndarray | None = None) -> np.ndarray:
    """Per unit, the share of the question's distinct tokens' IDF mass the unit holds (with `docs`, each token's
    IDF within the unit's document where that is lower)."""
    out = np.zeros(size, dtype=np.float32)
    if docs is not None:
        doc_sizes = np.bincount(docs).astype(np.float64)
    bm25 = index.bm25
    known = sorted({t for t in query if t in index.vocabulary})
    if bm25 is None or not known:
        return out
    indptr, indices = bm25.scores["indptr"], bm25.scores["indices"]
    total = 0.0
    for token_id in bm25.get_tokens_ids(known):
        start, end = int(indptr[token_id]), int(indptr[token_id + 1])
        idf = float(np.log(1 + (size - (end - start) + 0.5) / (end - start + 0.5)))
        if docs is None:
            out[indices[start:end]] += idf
        else:
            posting_docs = docs[indices[start:end]]
            df_doc = np.bincount(posting_docs, minlength=len(doc_sizes)).astype(np.float64)
            idf_doc = np.log(1 + (doc_sizes - df_doc + 0.5) / (df_doc + 0.5))
            out[indices[start:end]] += np.minimum(idf_doc[posting_docs], idf)
        total += idf
    # unknown tokens count in the mass too: a question half of whose words no unit holds is half covered at best
    unknown = len({t for t in query}) - len(known)
    total += unknown * float(np.log(1 + (size + 0.5) / 0.5))
    return out / total if total > 0 else out


def question_features(service: Verbatim, text: str) -> tuple[np.ndarray, np.ndarray]:
    """(features per unit, passage per unit) for one question."""
    retriever = service.answerer.retriever
    params = retriever.params
    query = retriever.embedder.embed_queries([text])
    scripts = QuestionScripts.of(text)
    plain = retriever.dense.scores(query, params.dense_depth)
    signals = retriever.ranking_signals(text, query, scripts, plain)
    units = np.arange(signals.size)
    centering = retriever.dense.centering
    languages = centering.unit_languages if centering is not None else np.zeros(signals.size, dtype=np.uint8)
    same = (languages == script_language(scripts.cjk, scripts.hangul)).astype(np.float32)
    x = np.zeros((signals.size, len(FEATURES)), dtype=np.float32)
    x[:, 0] = signals.dense.at(units)
    x[:, 1] = plain.at(units)
    lexical = _normalised(signals.lexical, units)
    x[:, 2] = lexical * scripts.cjk * same
    x[:, 3] = lexical * scripts.cjk * (1 - same)
    x[:, 4] = lexical * (1 - scripts.cjk)
    # the bridges, each with its question-script scaling but without today's weight
    for scores, name in (
        (signals.korean, "korean"),
        (signals.chinese_korean, "chinese_korean"),
        (signals.chinese_english, "chinese_english"),
    ):
        if scores is None or not len(scores):
            continue
        scale = scripts.hangul if name == "korean" else scripts.cjk
        x[:, FEATURES.index(name)] = _normalised(scores, units) * scale
    if signals.english is not None:
        english = signals.english.at(units)
        x[:, 8] = english * same
        x[:, 9] = english * (1 - same)
    x[:, 10] = same
    share = idf_share(retriever.lexical.index.index, tokens(text, query=True), signals.size)
    x[:, 11] = share * scripts.cjk
    x[:, 12] = share * lexical * scripts.cjk
    x[:, 13] = share * (1 - scripts.cjk)
    docshare = idf_share(retriever.lexical.index.index, tokens(text, query=True), signals.size, retriever.unit_documents)
    x[:, 16] = docshare * scripts.cjk
    x[:, 17] = docshare * (1 - scripts.cjk)
    best_share = float(share.max()) if len(share) else 0.0
    x[:, 14] = lexical * scripts.cjk * best_share
    x[:, 15] = lexical * scripts.cjk * best_share**2
    check = lexical_terms(signals, scripts, params)
    assert abs(check[0][1] - (0.4 * scripts.cjk + 0.01 * (1 - scripts.cjk))) < 1e-6, "BASELINE's weights, as BASELINE_WEIGHTS assumes"
    passages = np.array([u.passage for u in retriever.loaded.units], dtype=np.int64)
    return x, passages


def collect(set_names: list[str]) -> list[Question]:
    services: dict[Any, Verbatim] = {}
    out: list[Question] = []
    for set_name, corpora, path in DEFAULT_SETS:
        if set_name not in set_names:
            continue
        service = open_set(corpora, services)
        apply(service, BASELINE)
        loaded = service.answerer.retriever.loaded
        for item in load_questions(path):
            if not item.answerable:
                continue
            x, passages = question_features(service, item.question)
            gold_passages = np.array([hits(item.evidence, p.text, 400) for p in loaded.passages])
            out.append(Question(set_name, item.id, x, passages, gold_passages[passages]))
        print(f"collected {set_name}", file=sys.stderr)
    return out


def ranks(question: Question, weights: np.ndarray) -> int | None:
    """Rank of the first gold passage when passages are ranked by their best unit (None: none in the top 10)."""
    scores = question.features @ weights
    order = np.argsort(-scores, kind="stable")
    seen: list[int] = []
    for u in order:
        p = int(question.passages[u])
        if p in seen:
            continue
        seen.append(p)
        if question.gold[u]:
            return len(seen)
        if len(seen) == 10:
            return None
    return None


def fit(questions: list[Question], l2: float, temperature: float) -> np.ndarray:
    usable = [q for q in questions if q.gold.any()]

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total = 0.0
        grad = np.zeros_like(w)
        for q in usable:
            s = (q.features @ w) * temperature
            s -= s.max()
            e = np.exp(s)
            p_all = e / e.sum()
            pos = e * q.gold
            p_pos = pos / pos.sum()
            total -= np.log(pos.sum() / e.sum())
            grad -= temperature * (p_pos @ q.features - p_all @ q.features)
        n = len(usable)
        reg = w - BASELINE_WEIGHTS
        return total / n + l2 * float(reg @ reg), grad / n + 2 * l2 * reg

    result = minimize(loss, BASELINE_WEIGHTS.copy(), jac=True, method="L-BFGS-B")
    return np.asarray(result.x)


def report(questions: list[Question], weights: np.ndarray, label: str) -> None:
    by_set: dict[str, list[int | None]] = {}
    for q in questions:
        by_set.setdefault(q.set_name, []).append(ranks(q, weights))
    parts = []
    for name, rs in by_set.items():
        r1 = sum(1 for r in rs if r == 1) / len(rs)
        r3 = sum(1 for r in rs if r is not None and r <= 3) / len(rs)
        parts.append(f"{name} {r1:.3f}/{r3:.3f}")
    print(f"{label:<28} " + "  ".join(parts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", action="append", help="sets to fit on (default: our own held-out sets)")
    parser.add_argument("--test", action="append", default=["corpus", "heldout3", "dev+corpus", "dev"])
    parser.add_argument("--l2", type=float, default=1.0, help="pull towards the baseline weights")
    parser.add_argument("--temperature", type=float, default=100.0, help="scale of scores in the softmax")
    parser.add_argument("--drop", action="append", default=[], help="features held at today's weight")
    parser.add_argument("--moves", action="store_true")
    args = parser.parse_args(argv)
    args.train = args.train or list(OWN_SETS)
    questions = collect(args.train + args.test)
    train = [q for q in questions if q.set_name in args.train]
    report(questions, BASELINE_WEIGHTS, "baseline")
    weights = fit(train, args.l2, args.temperature)
    for name in args.drop:
        weights[FEATURES.index(name)] = BASELINE_WEIGHTS[FEATURES.index(name)]
    print("weights: " + ", ".join(f"{n} {w:.3f}" for n, w in zip(FEATURES, weights, strict=True)))
    report(questions, weights, "fitted")
    if args.moves:
        for q in questions:
            a, b = ranks(q, BASELINE_WEIGHTS), ranks(q, weights)
            if a != b:
                print(f"  {q.set_name} {q.id}: {a} -> {b}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
