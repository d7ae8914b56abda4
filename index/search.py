"""Retrieval: dense sentence-unit scores fused with a script-normalised lexical (BM25) score, ranked by passage."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.coverage import CoverageBank
from index.crosslingual import Glossary, concept_coverage, hangul_bigrams, korean_reading
from index.embeddings import Embedder
from index.lexical import LexicalIndex, TokenIndex, tokens
from index.models import Passage, ScoredPassage
from index.scripts import cjk_share, hangul_share, to_matching_script
from index.store import LoadedIndex

log = logging.getLogger(__name__)

# Weight of the max-normalised BM25 score, scaled by the share of Chinese characters in the question
# (docs/retrieval.md): strong where question and documents share a script, a tie-breaker for English
# (through the CC-CEDICT glossary), nothing where there is no lexical match at all (Korean).
LEXICAL_WEIGHT = 0.4
CROSS_LINGUAL_WEIGHT = 0.01
# Korean questions against the Sino-Korean readings of the documents (index/crosslingual.py): weight of the
# max-normalised BM25 score, scaled by the question's share of Hangul. 0.01-0.03 measured the same on dev and
# holdout; 0.04 and more let chance syllable matches (particles, homophones) outweigh the dense score.
KOREAN_WEIGHT = 0.02
# English questions: weight of the IDF-weighted share of the question's names and dates (NAME_WEIGHT) and of its
# unambiguous dictionary words (WORD_WEIGHT) found in a unit (index/crosslingual.py, `Glossary.concepts`).
# Measured on dev, holdout and a later English set (docs/retrieval.md): names 0.2-0.5 with words 0.01-0.02 give the same
# figures on all three; 0.1-0.15 lose one dev question.
NAME_WEIGHT = 0.2
WORD_WEIGHT = 0.02
DENSE_DEPTH = 400
# Folded, space-free unit texts kept for the English bridge (about 15 MB when full). An English question folds those
# of its up to 400 candidates not cached yet: p50 5.8 ms, p95 10 ms for 400 cold ones at 100k passages, under 1 ms warm.
SQUASHED_CACHE = 50_000


@dataclass(frozen=True)
class UnitHit:
    """One search unit (sentence span of a passage) and its score (fused); `dense` is its cosine alone."""

    unit: int
    passage: int
    start: int
    end: int
    score: float
    dense: float = 0.0
    lexical: float = 0.0
    bridge: float = 0.0  # the part of `score` from an English question's names, dates and words (0 otherwise)


@dataclass(frozen=True)
class SearchResult:
    """Ranked passages plus the unit hits behind them (the quote is chosen from these)."""

    passages: list[ScoredPassage]
    unit_hits: list[UnitHit]
    query_vector: np.ndarray
    best_dense: float = 0.0
    best_generic: float = 0.0
    cjk_share: float = 0.0
    lexical_best: float = 0.0
    readings_best: float = 0.0  # best BM25 of a Korean question against the Sino-Korean readings (0 otherwise)
    known_share: float = 1.0  # share of a Chinese question's bigrams found in the documents (1.0 for other questions)
    # The same for what a Chinese question says besides the documents' names, and how many such tokens it has.
    content_share: float = 1.0
    content_tokens: int = 0
    unit_median: float = 0.0  # median fused score over all units: the 'nothing special' level for quote windows
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def margin(self) -> float:
        """How much closer the question is to the documents than to everyday text (the coverage signal)."""
        return self.best_dense - self.best_generic


def bank_cache_dir(loaded: LoadedIndex) -> Path | None:
    """`<index dir>/cache` for a version loaded from `<index dir>/versions/<id>` (None for any other layout)."""
    version_dir = Path(loaded.path).resolve()
    return version_dir.parent.parent / "cache" if version_dir.parent.name == "versions" else None


def _max_normalised(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if len(scores) else 0.0
    return scores / top if top > 0 else scores



MEDIAN_SAMPLE = 8192


def _median(values: np.ndarray) -> float:
    """The median, from an evenly strided sample once there are many units (a level, not an exact statistic)."""
    if len(values) > 2 * MEDIAN_SAMPLE:
        values = values[:: len(values) // MEDIAN_SAMPLE]
    return float(np.median(values)) if len(values) else 0.0


class Retriever:
    """Dense search over sentence units plus BM25 over their character bigrams, aggregated to passages by their best unit."""

    def __init__(self, loaded: LoadedIndex, embedder: Embedder, bank: CoverageBank | None = None) -> None:
        self.loaded = loaded
        self.embedder = embedder
        self.lexical = LexicalIndex([u.text(loaded.passages) for u in loaded.units])
        # Built at load, not on the first English or Korean question: at 100k passages the readings index takes
        # tens of seconds, which a first asker (and the bot's event loop, through the GIL) should not pay.
        self._glossary = Glossary(loaded.texts.values())
        self._readings = TokenIndex([hangul_bigrams(korean_reading(u.text(loaded.passages))) for u in loaded.units])
        self._squashed: dict[int, str] = {}
        # Units of code passages: they stay searchable, but the coverage signal is measured on prose when there is any.
        self._code_units = np.fromiter((loaded.passages[u.passage].kind == "code" for u in loaded.units), dtype=bool, count=len(loaded.units))
        self._has_prose = not bool(self._code_units.all()) if len(self._code_units) else False
        self.bank = bank or CoverageBank(embedder, cache_dir=bank_cache_dir(loaded))
        self.bank.vectors  # load (or embed) the bank now, not during the first question

    @property
    def glossary(self) -> Glossary:
        """The English bridge (CC-CEDICT words that occur in the documents)."""
        return self._glossary

    @property
    def readings(self) -> TokenIndex:
        """Hangul bigrams of the units read in Sino-Korean."""
        return self._readings

    @property
    def passages(self) -> list[Passage]:
        return self.loaded.passages

    def search(self, question: str, k: int = 3) -> SearchResult:
        started = time.perf_counter()
        query = self.embedder.embed_queries([question])
        qv = query[0]
        embedded = time.perf_counter()
        units = self.loaded.units
        if not units:
            return SearchResult([], [], qv)
        depth = min(len(units), DENSE_DEPTH)
        scores, ids = self.loaded.faiss_index.search(query, depth)
        dense = np.full(len(units), float(scores[0][-1]) if depth else 0.0, dtype=np.float32)
        valid = ids[0] >= 0
        dense[ids[0][valid]] = scores[0][valid]

        share = cjk_share(question)
        extra = self.glossary.translate(question) if share < 0.5 else []
        lexical = self.lexical.scores(question, extra)
        top_lexical = float(lexical.max()) if len(lexical) else 0.0
        lexical_norm = lexical / top_lexical if top_lexical > 0 else lexical
        weight = LEXICAL_WEIGHT * share + CROSS_LINGUAL_WEIGHT * (1.0 - share)
        fused = dense + weight * lexical_norm
        korean = hangul_share(question)
        bridge = self._concept_bonus(question, ids[0][valid]) if share < 0.5 and korean == 0 else None
        if bridge is not None:
            fused = fused + bridge
        readings = self.readings.scores(hangul_bigrams(question)) if korean > 0 else np.zeros(0, dtype=np.float32)
        if len(readings):
            fused = fused + KOREAN_WEIGHT * korean * _max_normalised(readings)

        wanted = min(len(fused), max(50, k * 10))
        # Only the best units are needed. Outside FAISS's candidates a unit's dense score is the floor, so only a
        # lexical match can lift it: partition those candidates only, then sort the few best.
        if len(fused) > 20_000:
            mask = lexical_norm > 0
            mask[ids[0][valid]] = True
            if len(readings):
                mask |= readings > 0
            candidates = np.flatnonzero(mask)
        else:
            candidates = np.arange(len(fused))
        if wanted < len(candidates):
            top = candidates[np.argpartition(-fused[candidates], wanted - 1)[:wanted]]
        else:
            top = candidates
        order = top[np.lexsort((top, -fused[top]))]
        hits = [
            UnitHit(
                int(u), units[u].passage, units[u].start, units[u].end, float(fused[u]), float(dense[u]), float(lexical_norm[u]),
                float(bridge[u]) if bridge is not None else 0.0,
            )
            for u in order
        ]
        best: dict[int, float] = {}
        for hit in hits:
            best.setdefault(hit.passage, hit.score)
        ranked = sorted(best.items(), key=lambda item: -item[1])[:k]
        return SearchResult(
            passages=[self._scored(p, s) for p, s in ranked],
            unit_hits=hits,
            query_vector=qv,
            best_dense=float(dense[~self._code_units].max()) if self._has_prose and self._code_units.any() else float(dense.max()),
            best_generic=self.bank.best(qv),
            cjk_share=share,
            lexical_best=top_lexical,
            readings_best=float(readings.max()) if len(readings) else 0.0,
            known_share=self.lexical.known_share(question) if share >= 0.5 else 1.0,
            **self._content(question, share),
            unit_median=_median(fused if bridge is None else fused - bridge),
            timings_ms={"embed": (embedded - started) * 1000, "rank": (time.perf_counter() - embedded) * 1000},
        )

    def dense_ranking(self, question: str, k: int = 3) -> list[Passage]:
        """The baseline every figure is compared with: passages ranked by their best unit's cosine alone."""
        units = self.loaded.units
        if not units:
            return []
        scores, ids = self.loaded.faiss_index.search(self.embedder.embed_queries([question]), min(len(units), DENSE_DEPTH))
        ranked: dict[int, None] = {}
        for unit in ids[0]:
            if unit >= 0:
                ranked.setdefault(units[unit].passage, None)
                if len(ranked) == k:
                    break
        return [self.loaded.passages[p] for p in ranked]

    def _content(self, question: str, share: float) -> dict[str, float | int]:
        if share < 0.5:
            return {}
        rest = self.glossary.without_names(to_matching_script(question))
        content_share, content_tokens = self.lexical.known(tokens(rest, query=True))
        return {"content_share": content_share, "content_tokens": content_tokens}

    def _concept_bonus(self, question: str, candidates: np.ndarray) -> np.ndarray | None:
        """Per unit, the reward of FAISS's candidates for the names, dates and unambiguous words of an English question."""
        concepts = self.glossary.concepts(question)
        if not concepts or not len(candidates):
            return None
        names = [c for c in concepts if c.kind != "word"]
        words = [c for c in concepts if c.kind == "word"]
        texts = [self._squashed_unit(int(u)) for u in candidates]
        bonus = np.zeros(len(self.loaded.units), dtype=np.float32)
        bonus[candidates] = NAME_WEIGHT * concept_coverage(names, texts) + WORD_WEIGHT * concept_coverage(words, texts)
        return bonus

    def _squashed_unit(self, unit: int) -> str:
        text = self._squashed.get(unit)
        if text is None:
            if len(self._squashed) > SQUASHED_CACHE:
                self._squashed.clear()
            text = self._squashed[unit] = "".join(to_matching_script(self.loaded.units[unit].text(self.loaded.passages)).split())
        return text

    def _scored(self, passage_index: int, score: float) -> ScoredPassage:
        passage = self.loaded.passages[passage_index]
        meta = self.loaded.documents.get(passage.doc_id)
        return ScoredPassage(passage=passage, score=score, title=meta.title if meta else "")
