"""Per-question coverage features, answerable against near-topic and everyday off-topic, with each feature's AUC per set.

    python -m bench.gate_features                      # corpus, heldout-docs, dev+corpus
    python -m bench.gate_features --set corpus --dump  # and one line per question

A feature separates when answerable questions score above off-topic ones: AUC = P(answerable > off-topic), ties
counted half. Features are computed from what retrieval already has (no second embedding of the question).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.sweep import DEFAULT_SETS, apply, open_set
from index.evaluate import EvalQuestion, hits, load_questions
from index.lexical import tokens
from index.params import DEFAULT_PARAMS
from index.search import Retriever, SearchResult
from index.service import Verbatim
from index.signals import QuestionScripts

FEATURE_SETS = ("corpus", "heldout-docs", "dev+corpus")


@dataclass
class DocStats:
    """Per-document token statistics of the units: document frequency, unit count, centroid of the unit vectors."""

    df: Counter[str]
    units: np.ndarray
    centroid: np.ndarray


class Features:
    """Computes candidate features of one retrieval result from the loaded index's own statistics."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever
        loaded = retriever.loaded
        texts = loaded.unit_texts()
        self.unit_tokens = [set(tokens(t)) for t in texts]
        self.vectors = np.asarray(loaded.embeddings(), dtype=np.float32)
        self.df: Counter[str] = Counter()
        for toks in self.unit_tokens:
            self.df.update(toks)
        self.n = len(texts)
        unit_docs = [loaded.passages[loaded.units[u].passage].doc_id for u in range(self.n)]
        self.unit_doc = np.array(unit_docs)
        self.docs: dict[str, DocStats] = {}
        for doc in set(unit_docs):
            members = np.flatnonzero(self.unit_doc == doc)
            df: Counter[str] = Counter()
            for u in members:
                df.update(self.unit_tokens[u])
            centroid = self.vectors[members].mean(axis=0)
            self.docs[doc] = DocStats(df, members, centroid / np.linalg.norm(centroid))
        # The documents' titles and section headings: what a question about a document's subject is close to.
        headings: dict[str, set[str]] = {doc: {meta.title} for doc, meta in loaded.documents.items()}
        for p in range(len(loaded.passages)):
            passage = loaded.passages[p]
            if passage.section.strip():
                headings.setdefault(passage.doc_id, set()).add(passage.section.strip())
        self.heading_doc = [doc for doc, hs in headings.items() for _ in hs]
        heading_texts = [h for hs in headings.values() for h in hs]
        self.heading_vectors = retriever.embedder.embed_passages(heading_texts)
        self.title_vectors = {doc: retriever.embedder.embed_passages([meta.title])[0] for doc, meta in loaded.documents.items()}

    def idf(self, token: str, df: Counter[str] | None = None, n: int | None = None) -> float:
        df = self.df if df is None else df
        n = self.n if n is None else n
        return math.log((n + 1) / (df.get(token, 0) + 0.5))

    def question_tokens(self, question: str) -> list[str]:
        scripts = QuestionScripts.of(question)
        found = tokens(question, query=True)
        if not scripts.chinese:
            for term in self.retriever.glossary.translate(question):
                found.extend(tokens(term))
        return list(dict.fromkeys(found))

    def compute(self, question: str, result: SearchResult) -> dict[str, float]:
        loaded = self.retriever.loaded
        query = self.retriever.embedder.embed_queries([question])[0]
        cos = self.vectors @ query
        q_tokens = self.question_tokens(question)
        out: dict[str, float] = {"margin": result.margin, "best_dense": result.best_dense}
        if not result.passages:
            return out
        top = result.passages[0].passage
        top_units = [h.unit for h in result.unit_hits if h.passage == loaded.position[top.id]]
        top_tokens: set[str] = set()
        for u in top_units:
            top_tokens |= self.unit_tokens[u]
        top3_tokens: set[str] = set()
        for sp in result.passages[:3]:
            top3_tokens |= set(tokens(sp.passage.text))
        doc = self.docs[top.doc_id]
        n_doc = len(doc.units)

        def share(found: set[str], weight: Callable[[str], float]) -> float:
            total = sum(weight(t) for t in q_tokens)
            return sum(weight(t) for t in q_tokens if t in found) / total if total > 0 else float("nan")

        out["lex_top1"] = share(set(tokens(top.text)), self.idf)
        out["lex_top3"] = share(top3_tokens, self.idf)
        out["lex_docidf_top1"] = share(set(tokens(top.text)), lambda t: self.idf(t, doc.df, n_doc))
        out["lex_docidf_top3"] = share(top3_tokens, lambda t: self.idf(t, doc.df, n_doc))
        # Matter: the question's tokens that are not the document's own frequent words (in >= 2 % of its units).
        topic = {t for t in q_tokens if doc.df.get(t, 0) >= max(2, 0.02 * n_doc)}
        matter = [t for t in q_tokens if t not in topic]
        out["matter_tokens"] = float(len(matter))
        out["matter_top1"] = sum(1 for t in matter if t in tokens(top.text)) / len(matter) if matter else float("nan")
        out["matter_top3"] = sum(1 for t in matter if t in top3_tokens) / len(matter) if matter else float("nan")
        out["matter_in_doc"] = sum(1 for t in matter if doc.df.get(t, 0) > 0) / len(matter) if matter else float("nan")
        best_unit = int(np.argmax(cos))
        members = doc.units
        doc_cos = cos[members]
        out["peak_doc"] = float(cos.max() - doc_cos.mean())
        out["peak_doc_z"] = float((cos.max() - doc_cos.mean()) / (doc_cos.std() + 1e-6))
        out["peak_doc_top10"] = float(cos.max() - np.sort(doc_cos)[-10:].mean())
        out["centroid_gap"] = float(cos.max() - float(doc.centroid @ query))
        out["centroid"] = float(doc.centroid @ query)
        others = cos[self.unit_doc != self.unit_doc[best_unit]]
        out["doc_contrast"] = float(cos.max() - (others.max() if len(others) else 0.0))
        order = np.argsort(-cos)
        second = next((u for u in order[1:] if loaded.units[u].passage != loaded.units[best_unit].passage), best_unit)
        out["gap12"] = float(cos[best_unit] - cos[second])
        out["fused_over_median"] = result.unit_hits[0].score - result.unit_median
        out["docs_top3"] = float(len({sp.passage.doc_id for sp in result.passages[:3]}))
        top10_docs = [loaded.passages[h.passage].doc_id for h in result.unit_hits[:10]]
        out["top10_same_doc"] = top10_docs.count(top.doc_id) / len(top10_docs)
        dense_top_passage = loaded.units[best_unit].passage
        out["dense_is_top"] = float(dense_top_passage == loaded.position[top.id])
        heading_cos = self.heading_vectors @ query
        own = np.array([d == top.doc_id for d in self.heading_doc])
        out["title_gap"] = float(cos.max() - float(self.title_vectors[top.doc_id] @ query))
        out["heading_gap"] = float(cos.max() - heading_cos[own].max())
        out["heading_gap_all"] = float(cos.max() - heading_cos.max())
        out["heading_margin"] = float(heading_cos[own].max() - result.best_generic)
        out["lexical_best"] = result.lexical_best
        out["content_share"] = result.content_share
        out["known_share"] = result.known_share
        return out


def auc(positive: Sequence[float], negative: Sequence[float]) -> float | None:
    pos = [p for p in positive if not math.isnan(p)]
    neg = [n for n in negative if not math.isnan(n)]
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def kind(item: EvalQuestion) -> str:
    if item.answerable:
        return "answerable"
    if item.doc:
        return "near"
    return "everyday" if item.doc_given else "off"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", dest="sets", help="only these sets (by name)")
    parser.add_argument("--dump", action="store_true", help="one line per question")
    args = parser.parse_args(argv)
    wanted = args.sets or list(FEATURE_SETS)
    services: dict[tuple[Path, ...], Verbatim] = {}
    for set_name, corpora, path in DEFAULT_SETS:
        if set_name not in wanted:
            continue
        service = open_set(corpora, services)
        apply(service, DEFAULT_PARAMS)
        retriever = service.answerer.retriever
        features = Features(retriever)
        rows: list[tuple[EvalQuestion, dict[str, float], bool, bool]] = []
        for item in load_questions(path):
            answer = service.ask(item.question, k=3)
            result = retriever.search(item.question, k=3)
            hit = item.answerable and any(hits(item.evidence, sp.passage.text, 400) for sp in result.passages[:3])
            rows.append((item, features.compute(item.question, result), answer.answered, hit))
        names = list(rows[0][1])
        print(
            f"== {set_name}: "
            + ", ".join(f"{k} {sum(1 for r in rows if kind(r[0]) == k)}" for k in ("answerable", "near", "everyday", "off"))
        )
        if args.dump:
            print("id\tkind\tanswered\thit@3\t" + "\t".join(names) + "\tquestion")
            for item, feats, answered, hit in rows:
                values = "\t".join(f"{feats.get(n, float('nan')):.3f}" for n in names)
                print(f"{item.id}\t{kind(item)}\t{int(answered)}\t{int(hit)}\t{values}\t{item.question}")
        print(f"  {'feature':<18}{'AUC ans>near':>14}{'AUC ans>off':>13}   answerable range       near range")
        for name in names:
            pos = [f.get(name, float("nan")) for i, f, _, _ in rows if i.answerable]
            near = [f.get(name, float("nan")) for i, f, _, _ in rows if kind(i) == "near"]
            off = [f.get(name, float("nan")) for i, f, _, _ in rows if not i.answerable]
            a_near, a_off = auc(pos, near), auc(pos, off)

            def rng(values: list[float]) -> str:
                v = [x for x in values if not math.isnan(x)]
                return f"{min(v):+.3f}…{max(v):+.3f}" if v else "–"

            print(
                f"  {name:<18}{'–' if a_near is None else f'{a_near:.2f}':>14}{'–' if a_off is None else f'{a_off:.2f}':>13}"
                f"   {rng(pos):<22} {rng(near)}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
