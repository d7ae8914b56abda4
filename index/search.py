"""Retrieval: the signals of every search unit fused into one score, passages ranked by their best unit."""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.authorship import BYLINE_PASSAGES, asks_for_author, personal_names, presents_authors, says_who_wrote, writes_mostly_names
from index.columns import read_rows
from index.coverage import CoverageBank, generic_questions
from index.crosslingual import Glossary, identifier_tokens, question_identifiers
from index.embeddings import Embedder
from index.fusion import (
    BOUND_SLACK,
    MEDIAN_SAMPLE,
    UnitHit,
    UnitSignals,
    best_units,
    fuse,
    median_level,
    median_sample,
    own_language_share,
    rank_passages,
    scaled_where,
    with_document_context,
)
from index.hyphenation import known_english_word
from index.language_projection import LanguageProjection
from index.models import Passage, ScoredPassage
from index.params import DEFAULT_PARAMS, RetrievalParams
from index.scripts import cjk_share, hangul_share, latin_share
from index.search_tables import build_search_tables, load_search_tables
from index.second_encoder import SecondDense, get_second_encoder
from index.signals import (
    CENTERING_LANGUAGES,
    ChineseEnglishBridge,
    DenseScores,
    DenseSignal,
    EnglishBridge,
    KoreanReadings,
    LanguageCentering,
    LexicalSignal,
    QuestionScripts,
    prose_languages,
    script_language,
)
from index.store import LoadedIndex
from index.word_bridge import WordBridge, WordPostings, postings_path

log = logging.getLogger(__name__)
# Documents whose Latin tokens a question of authorship keeps at hand (each one's text is read once, on first use).
IDENTIFIER_DOCUMENTS_KEPT = 256
CHINESE = CENTERING_LANGUAGES.index("chinese")


def _latin_fold(text: str) -> str:
    """Width and case folded, as names written in Latin letters are compared."""
    return unicodedata.normalize("NFKC", text).lower()


__all__ = ["Retriever", "SearchResult", "UnitHit", "bank_cache_dir"]


@dataclass(frozen=True)
class SearchResult:
    """Ranked passages plus the unit hits behind them (the quote is chosen from these) and the coverage features."""

    passages: list[ScoredPassage]
    unit_hits: list[UnitHit]
    best_dense: float = 0.0  # best cosine of a prose unit (of any unit when the index holds no prose)
    best_generic: float = 0.0  # best cosine against the generic bank
    lexical_best: float = 0.0
    readings_best: float = 0.0  # best BM25 of a Korean question against the Sino-Korean readings (0 otherwise)
    bridge_best: float = 0.0  # best BM25 of a Chinese question through a bridge to Korean or English units (0 otherwise)
    known_share: float = 1.0  # share of a Chinese question's bigrams found in the documents (1.0 for other questions)
    # The same for what a Chinese question says besides the documents' names, and how many such tokens it has.
    content_share: float = 1.0
    content_tokens: int = 0
    unknown_identifiers: tuple[str, ...] = ()  # names and numbers of the question the documents never write
    found_chinese: bool = False  # whether the first passage found is written in Chinese (`Retriever._found_chinese`)
    calibration: float | None = None  # the margin everyday questions reach on this index (None: not calibrated)
    # For a question of who wrote a document: the document it is taken to ask about (that of the best unit), whose
    # passages naming authors were promoted; None for other questions.
    authors_of: int | None = None
    # The quotes' "nothing special" level: the median fused score of the units of the ranked passages' documents
    # (`support_median`; of every unit with "index").
    unit_median: float = 0.0
    # The top passages by fused score alone, where `kind_demotion` moved some down (else empty: they are `passages`).
    undemoted: list[Passage] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def margin(self) -> float:
        """How much closer the question is to the documents than to everyday text (the coverage signal)."""
        return self.best_dense - self.best_generic


def bank_cache_dir(loaded: LoadedIndex) -> Path | None:
    """`<index dir>/cache` for a version loaded from `<index dir>/versions/<id>` (None for any other layout)."""
    version_dir = Path(loaded.path).resolve()
    return version_dir.parent.parent / "cache" if version_dir.parent.name == "versions" else None


class Retriever:
    """Dense search over sentence units plus the lexical signal and the bridges, fused and ranked by passage."""

    def __init__(
        self, loaded: LoadedIndex, embedder: Embedder, bank: CoverageBank | None = None, params: RetrievalParams | None = None
    ) -> None:
        self.loaded = loaded
        self.embedder = embedder
        self.params = params or DEFAULT_PARAMS
        self._warned_no_centering = False
        # Saved with the version when it was written (index/search_tables.py); built here, at load rather than on the
        # first question, for a version without them: at 100k passages that takes a minute.
        tables = load_search_tables(loaded.path, len(loaded.units), len(loaded.passages))
        if tables is None:
            log.info("index version %s has no search tables; building them in memory", loaded.version)
            tables = build_search_tables(loaded.passages, loaded.units, loaded.texts.values())
        self.glossary: Glossary = tables.glossary
        try:
            vectors: np.ndarray | None = loaded.embeddings()
        except OSError:  # a version without its vectors file: plain cosines only
            vectors = None
        self.dense = DenseSignal(loaded.faiss_index, len(loaded.units), vectors, tables.centering)
        self.second = self._second_dense(loaded, tables.centering)
        # The centered norms of the second encoder's mapping units: constants of the index, computed once.
        self._second_norms = self.dense.shared_norms(self.second.population, self.second.population_e5) if self.second else None
        self._question_means: np.ndarray | None = None
        self.lexical: LexicalSignal = tables.lexical
        self.english = EnglishBridge(self.glossary, loaded.unit_text, len(loaded.units))
        self.korean: KoreanReadings = tables.korean
        self.chinese_english: ChineseEnglishBridge = tables.chinese_english
        # Units of code passages stay searchable, but coverage is measured on prose whenever there is any.
        # ... and not on the entries of a list of works cited either (kind "reference", index/loaders.py).
        self._not_prose_units = tables.code_units | self._units_of_kinds(("reference",))
        self._prose_only = self._not_prose_units.any() and not self._not_prose_units.all()
        self._demoted: tuple[str, np.ndarray] | None = None  # demoted_kinds, and which units are of those kinds
        self._authors: dict[bool, tuple[np.ndarray, np.ndarray]] = {}  # author_bylines -> (kinds, units)
        self._identifiers: dict[str, frozenset[str]] = {}  # doc_id -> the Latin tokens it writes (`_document_identifiers`)
        self._identifiers_lock = threading.Lock()  # questions are answered in worker threads
        self._bridge: tuple[tuple[int, int], WordBridge] | None = None  # (vocabulary, directions), and the bridge built with them
        self._projections: dict[int, LanguageProjection | None] = {}  # by `language_directions`
        self._prose_languages: np.ndarray | None = tables.prose_languages  # each unit's, for the projection
        self.bank = bank or CoverageBank(embedder, cache_dir=bank_cache_dir(loaded))
        self.bank.vectors  # noqa: B018 — load (or embed) the bank now, not during the first question
        self.calibration = self._calibrate() if self.params.calibrate else None
        self._language_projection()  # embed the bank as questions now (or read it from the cache), not during the first question
        self._document_units  # noqa: B018 — group the units by document now, not during the first question
        self._word_bridge()  # embed the documents' words now (or read them from the cache), not during the first question
        known_english_word("word")  # read wordfreq's English list now (~0.5 s), not during the first question (unknown_identifiers)

    @property
    def passages(self) -> Sequence[Passage]:
        return self.loaded.passages

    def signals(self, question: str, query: np.ndarray, scripts: QuestionScripts, dense: DenseScores | None = None) -> UnitSignals:
        """Every signal's scores for one question (the query vector already embedded, FAISS perhaps already asked)."""
        dense = dense if dense is not None else self.dense.scores(query, self.params.dense_depth)
        english = (
            self.english.bonus(question, dense.candidates, self.params.name_weight, self.params.word_weight) if scripts.english else None
        )
        korean = self.korean.scores(question) if scripts.hangul > 0 else None
        chinese_korean = self.korean.chinese_scores(question) if scripts.chinese else None
        chinese_english = self.chinese_english.scores(question) if scripts.chinese else None
        word_bridge = self._word_bridge()
        return UnitSignals(
            dense=dense,
            lexical=self.lexical.scores(question, scripts),
            english=english,
            korean=korean,
            chinese_korean=chinese_korean,
            chinese_english=chinese_english,
            word_bridge=word_bridge.scores(question, self.params.word_bridge_threshold, self.params.word_bridge_per_word)
            if word_bridge
            else None,
        )

    def _word_bridge(self) -> WordBridge | None:
        """The word bridge of this index (built on first use: embedding the documents' words), None when it is off."""
        vocabulary = self.params.word_bridge_vocabulary
        if self.params.word_bridge_weight <= 0 or vocabulary <= 0 or not len(self.loaded.units):
            return None
        projection = self._language_projection() if self.params.word_bridge_projected else None
        key = (vocabulary, len(projection.directions) if projection is not None else 0)
        if self._bridge is None or self._bridge[0] != key:
            cache = bank_cache_dir(self.loaded)
            postings = WordPostings.cached(postings_path(cache, self.loaded.version, vocabulary), self.loaded.unit_texts, vocabulary)
            self._bridge = (key, WordBridge(postings, self.embedder, cache, projection))
        return self._bridge[1]

    def _projection_for(self, scripts: QuestionScripts) -> LanguageProjection | None:
        """The language-neutral projection this question is ranked by, if any (`LanguageProjection.applies_to`)."""
        projection = self._language_projection()
        if projection is None or not projection.applies_to(script_language(scripts.cjk, scripts.hangul)):
            return None
        return projection

    def _language_projection(self) -> LanguageProjection | None:
        """The language-neutral projection the ranking compares across languages by (`language_directions`), read off
        the generic bank on first use; None when it is off, the version has no unit languages, or the index holds
        fewer languages than `centering_min_languages`."""
        count = self.params.language_directions
        centering = self.dense.centering
        if count <= 0 or centering is None or self.dense.vectors is None or not len(self.loaded.units):
            return None
        if int(np.count_nonzero(centering.counts)) < self.params.centering_min_languages:
            return None  # an index of one script is ranked as before, as language centering leaves it
        if count not in self._projections:
            self._projections[count] = LanguageProjection.of_bank(self.embedder, count, bank_cache_dir(self.loaded))
        if self._prose_languages is None:  # a version written before they were saved with it
            log.info("index version %s has no prose languages; computing them", self.loaded.version)
            self._prose_languages = prose_languages(self.loaded.unit_texts())
        return self._projections[count]

    def ranking_signals(
        self, question: str, query: np.ndarray, scripts: QuestionScripts, plain: DenseScores, second_query: np.ndarray | None = None
    ) -> UnitSignals:
        """The signals fusion ranks by: the ranking dense scores (the second encoder's blended in where it applies), and
        the share of the best of them in the question's language (a version without unit languages weighs lexical
        evidence as if it were 1.0). `second_query`: the question's second-encoder vector, embedded here when None."""
        ranking = before = self.ranking_dense(query, scripts, plain)
        language = script_language(scripts.cjk, scripts.hangul)
        if self.second is not None and self._blends_second(language):
            if second_query is None:
                second_query = get_second_encoder().embed_query(question)
            ranking = self.second.blend(
                ranking,
                second_query,
                language,
                self.params.second_encoder_weight,
                self.ranking_scores_at(query, scripts, ranking, self.second.population, self.second.population_e5, self._second_norms),
            )
        signals = dataclasses.replace(self.signals(question, query, scripts, ranking), dense_before_second=before)
        if self.dense.centering is None:
            return signals
        # Units' languages as the ranking compared them: by their words, not their URLs, where it is language-neutral.
        languages = self._prose_languages if self._projection_for(scripts) is not None else None
        share = own_language_share(
            signals.dense, self.dense.centering.unit_languages if languages is None else languages, scripts, self.params.own_language_depth
        )
        signals = dataclasses.replace(signals, own_language_share=share)
        korean = signals.korean
        if (
            korean is not None
            and len(korean)
            and script_language(scripts.cjk, scripts.hangul) == CENTERING_LANGUAGES.index("korean")
            and share < 1.0
        ):
            # A Korean question's readings on Korean units are its same-script evidence: weighed as a Chinese question's
            # lexical term is, in full only where the best dense unit is Korean (elsewhere by the same ratio).
            elsewhere = self.params.lexical_weight_elsewhere / self.params.lexical_weight if self.params.lexical_weight > 0 else 1.0
            factor = share + elsewhere * (1.0 - share)
            signals = dataclasses.replace(signals, korean=scaled_where(korean, self.korean.korean_units, factor))
        return signals

    def _blends_second(self, question_language: int) -> bool:
        """Whether the second encoder's cosines are blended into this question's ranking (and it must be embedded)."""
        return self.second is not None and self.params.second_encoder_weight > 0 and self.second.applies(question_language)

    def _second_dense(self, loaded: LoadedIndex, centering: LanguageCentering | None) -> SecondDense | None:
        """The second encoder's vectors of this version, its model loaded now (not during the first question); None for
        a version written without them (it ranks by e5 alone until the next build writes them)."""
        try:
            vectors = loaded.second_embeddings()
        except (OSError, ValueError) as exc:
            log.warning("index version %s: the second encoder's vectors could not be read (%s); ranking by e5 alone", loaded.version, exc)
            return None
        if vectors is None or centering is None or self.dense.vectors is None:
            return None
        if loaded.manifest.second_model != get_second_encoder().name:
            log.warning(
                "index version %s holds vectors of %s, not of %s; ranking by e5 alone until it is rebuilt",
                loaded.version,
                loaded.manifest.second_model,
                get_second_encoder().name,
            )
            return None
        if len(vectors) != len(loaded.units):
            log.warning("index version %s: the second encoder's vectors do not match its units; ranking by e5 alone", loaded.version)
            return None
        get_second_encoder().load()
        return SecondDense(vectors, centering.unit_languages, self.dense.vectors)

    def ranking_dense(self, query: np.ndarray, scripts: QuestionScripts, plain: DenseScores) -> DenseScores:
        """The dense scores fusion ranks by: the plain cosines, with `language_directions` language-neutral ones across
        languages, or with `language_centering` the language-centered ones."""
        projection = self._projection_for(scripts)
        if projection is not None:
            language = script_language(scripts.cjk, scripts.hangul)
            assert self._prose_languages is not None
            return self.dense.projected_scores(query, plain, self.params.dense_depth, projection, language, self._prose_languages)
        query_mean = self._centering_mean(scripts)
        if query_mean is None:
            return plain
        return self.dense.centered_scores(
            query,
            query_mean,
            plain,
            self.params.dense_depth,
            self.params.language_centering,
            norms=self.params.centering_norms,
            keep_shared=self.params.centering_keep_shared,
            offsets_only=self.params.centering_offsets_only,
        )

    def ranking_scores_at(
        self,
        query: np.ndarray,
        scripts: QuestionScripts,
        ranking: DenseScores,
        units: np.ndarray,
        vectors: np.ndarray,
        unit_norms: np.ndarray | None = None,
    ) -> np.ndarray:
        """The scores `ranking_dense` gave these units in `ranking`, computed exactly from their e5 vectors (`vectors`,
        one row per unit; `unit_norms`: their `shared_norms`, if already computed), whether or not they were among its
        candidates."""
        projection = self._projection_for(scripts)
        if projection is not None:
            language = script_language(scripts.cjk, scripts.hangul)
            assert self._prose_languages is not None
            return self.dense.projected_at(units, query, projection.apply(query), projection, language, self._prose_languages, vectors)
        query_mean = self._centering_mean(scripts)
        if query_mean is None:
            return (vectors @ query[0]).astype(np.float32)
        return self.dense.centered_at(
            units,
            query,
            query_mean,
            self.params.language_centering,
            norms=self.params.centering_norms,
            keep_shared=self.params.centering_keep_shared,
            offsets_only=self.params.centering_offsets_only,
            vectors=vectors,
            norm_scale=ranking.norm_scale,
            unit_norms=unit_norms,
        )

    def _centering_mean(self, scripts: QuestionScripts) -> np.ndarray | None:
        """The question language's mean for language centering; None when the ranking uses plain cosines."""
        if self.params.language_centering <= 0 or not len(self.loaded.units):
            return None
        if self.dense.centering is None:
            # A version written before the statistics: computing them here would cost the first question seconds and
            # the process a list of every unit's text; it ranks by plain cosines until the next build writes them.
            if not self._warned_no_centering:
                log.warning(
                    "index version %s has no language-centering statistics; ranking by plain cosines until it is rebuilt",
                    self.loaded.version,
                )
                self._warned_no_centering = True
            return None
        centering = self.dense.centering
        if int(np.count_nonzero(centering.counts)) < self.params.centering_min_languages:
            return None
        language = script_language(scripts.cjk, scripts.hangul)
        if self.params.centering_query_mean == "none":
            return np.zeros(centering.means.shape[1], dtype=np.float32)
        if self.params.centering_query_mean == "passages" and centering.has(language):
            return centering.means[language]
        return self._generic_question_means()[language]

    def _generic_question_means(self) -> np.ndarray:
        """The mean query vector of the generic questions (index/data/generic_questions.tsv) of each centering language."""
        if self._question_means is None:
            texts = generic_questions()
            vectors = CoverageBank(self.embedder, texts, cache_dir=bank_cache_dir(self.loaded), as_queries=True).vectors
            languages = np.array([script_language(cjk_share(t), hangul_share(t)) for t in texts], dtype=np.int64)
            means = np.zeros((len(CENTERING_LANGUAGES), vectors.shape[1]), dtype=np.float32)
            for language in range(len(CENTERING_LANGUAGES)):
                if len(vectors) and (languages == language).any():
                    means[language] = vectors[languages == language].mean(axis=0)
            self._question_means = means
        return self._question_means

    def search(self, question: str, k: int = 3) -> SearchResult:
        started = time.perf_counter()
        query = self.embedder.embed_queries([question])
        scripts = QuestionScripts.of(question)
        second_query = None
        if self._blends_second(script_language(scripts.cjk, scripts.hangul)):
            second_query = get_second_encoder().embed_query(question)
        word_bridge = self._word_bridge()
        if word_bridge is not None:  # the question's words are embedded too: part of `embed`, not of the ranking
            word_bridge.embed_question_words(question)
        embedded = time.perf_counter()
        units = self.loaded.units
        if not units:
            return SearchResult([], [])
        dense = self.dense.scores(query, self.params.dense_depth)
        searched = time.perf_counter()
        signals = self.ranking_signals(question, query, scripts, dense, second_query)
        # Fused scores only where they can matter: the units that can rank first, and (below) the sample whose median
        # is the quotes' 'nothing special' level. A unit's fused score does not depend on the others.
        order, scores = best_units(signals, scripts, self.params, min(len(units), max(50, k * 10)))
        order, scores = with_document_context(
            order, scores, self.unit_documents[order], self.params.document_context, self.params.document_context_units
        )
        authors_of, promoted = None, order[:0]
        if self.params.author_answers and asks_for_author(question) and len(order):
            authors_of = int(self.unit_documents[order[0]])
            if self.params.author_by_names:
                authors_of = self._named_document(question, order, authors_of)
            order, scores, promoted = self._promote_authors(signals, scripts, order, scores, authors_of)
        undemoted: list[int] = []
        demotion = self._kind_demotion(order)
        if demotion is not None and len(promoted):  # a byline read as a table or a footnote keeps its place
            demotion = np.where(np.isin(order, promoted), np.float32(0), demotion)
        # Code, footnotes and works cited rank lower, and give a quote's window less support. The units above were
        # chosen before the demotion: exact while they hold k passages of other kinds, which 50 units nearly always do.
        if demotion is not None:
            undemoted = list(dict.fromkeys(int(p) for p in np.asarray(units.passage)[order]))[:k]
            scores = scores - demotion
            resorted = np.lexsort((order, -scores))
            order, scores = order[resorted], scores[resorted]
        bridge = signals.english
        bonus = bridge.at(order) if bridge is not None else np.zeros(len(order), dtype=np.float32)
        # The gate's view of each unit: e5's, the second encoder left out; plain cosines where the ranking's are
        # language-neutral (the gate's bars are set on plain ones).
        if self._projection_for(scripts) is not None and self.dense.vectors is not None and len(order):
            rows = np.argsort(order, kind="stable")
            cosines = np.empty(len(order), dtype=np.float32)
            cosines[rows] = read_rows(self.dense.vectors, order[rows]) @ query[0]
        else:
            cosines = (signals.dense if signals.dense_before_second is None else signals.dense_before_second).at(order)
        hits = [
            UnitHit(*row)
            for row in zip(
                order.tolist(),
                units.passage[order].tolist(),
                units.start[order].tolist(),
                units.end[order].tolist(),
                scores.tolist(),
                bonus.tolist(),
                cosines.tolist(),
                strict=True,
            )
        ]
        ranked = rank_passages(hits, k)
        # The quotes' 'nothing special' level: the median fused score of a strided sample of the units of every
        # document, or of the documents holding the ranked passages only. The English bridge's bonus is left out.
        sample = self._median_units([p for p, _ in ranked]) if self.params.support_median == "documents" else median_sample(len(units))
        fused_sample = fuse(signals, scripts, self.params, sample)
        content_share, content_tokens = self.lexical.content(question) if scripts.chinese else (1.0, 0)
        return SearchResult(
            passages=[self._scored(p, s) for p, s in ranked],
            unit_hits=hits,
            best_dense=dense.best(self._not_prose_units if self._prose_only else None),
            best_generic=self.bank.best(query[0], self.params.bank_top),
            lexical_best=signals.lexical.max() if len(signals.lexical) else 0.0,
            readings_best=signals.korean.max() if signals.korean is not None and len(signals.korean) else 0.0,
            bridge_best=max((b.max() for b in (signals.chinese_korean, signals.chinese_english) if b is not None and len(b)), default=0.0),
            known_share=self._known_share(question) if scripts.chinese else 1.0,
            content_share=content_share,
            content_tokens=content_tokens,
            unknown_identifiers=tuple(self._unknown_identifiers(question, [p for p, _ in ranked])),
            found_chinese=self._found_chinese(ranked, hits),
            calibration=self.calibration,
            authors_of=authors_of,
            undemoted=[self.passages[p] for p in undemoted] if undemoted != [p for p, _ in ranked] else [],
            unit_median=median_level(fused_sample if bridge is None else fused_sample - bridge.at(sample)),
            # rank: everything after the embedding, of which dense: the FAISS search alone.
            timings_ms={
                "embed": (embedded - started) * 1000,
                "rank": (time.perf_counter() - embedded) * 1000,
                "dense": (searched - embedded) * 1000,
            },
        )

    def _found_chinese(self, ranked: Sequence[tuple[int, float]], hits: Sequence[UnitHit]) -> bool:
        """Whether the first ranked passage is written in Chinese: by the language the index records for its best unit,
        or by its text in a version written before those records."""
        if not ranked:
            return False
        first = ranked[0][0]
        if self.dense.centering is not None:
            unit = next(hit.unit for hit in hits if hit.passage == first)
            return int(self.dense.centering.unit_languages[unit]) == CHINESE
        text = self.passages[first].text
        return script_language(cjk_share(text), hangul_share(text)) == CHINESE

    def _unknown_identifiers(self, question: str, ranked: Sequence[int]) -> list[str]:
        """The question's identifiers no document writes; with `unknown_names_in_latin`, also its English names when
        the passages found (`ranked`) are all in Latin script, where a name would be written as the question writes it."""
        unknown = self.glossary.unknown_identifiers(question)
        if self.params.unknown_names_in_latin and ranked and all(latin_share(self.passages[p].text) > 0.5 for p in ranked):
            unknown += [name for name in self.glossary.unknown_names(question) if name not in unknown]
        return unknown

    def _named_document(self, question: str, order: np.ndarray, fallback: int) -> int:
        """Of the documents of a question's best units, the first that writes the most of the names it gives (a Chinese
        or Korean question's Latin words, an English question's mixed-case names: React, RocketMQ, SemVer): a question
        of who wrote a document names it, and its wording sits as close to another document's sentences when the two
        are in different languages. `fallback` (the best unit's) when it gives none or no document writes one. Numbers
        and capitalised English words (Chinese, PDF, Go) are not taken to name a document."""
        names = {_latin_fold(name) for name in question_identifiers(question) if any(ch.isalpha() for ch in name)}
        if not names:
            return fallback
        chosen, most = fallback, 0
        for document in dict.fromkeys(self.unit_documents[order].tolist()):  # in the order of their best units
            written = len(names & self._document_identifiers(self.loaded.passages.tables.documents[document]))
            if written > most:
                chosen, most = document, written
        return chosen

    def _document_identifiers(self, doc_id: str) -> frozenset[str]:
        """The Latin and numeric tokens a document writes, and the parts of compound ones (kept for the last
        `IDENTIFIER_DOCUMENTS_KEPT` documents asked about)."""
        found = self._identifiers.get(doc_id)
        if found is None:
            found = frozenset(identifier_tokens(_latin_fold(self.loaded.texts.slice(doc_id, 0, self.loaded.texts.length(doc_id)))))
            with self._identifiers_lock:
                if len(self._identifiers) >= IDENTIFIER_DOCUMENTS_KEPT:
                    self._identifiers.pop(next(iter(self._identifiers)))
                self._identifiers[doc_id] = found
        return found

    def _promote_authors(
        self, signals: UnitSignals, scripts: QuestionScripts, order: np.ndarray, scores: np.ndarray, document: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The best units with this document's units that name its authors ranked first (in their own order, just
        above the best other unit), and those units: a question of who wrote a document is answered by its byline or
        author section, wherever it ranked. A byline's names say nothing of the subject, so the question's subject
        picks the document (that of the best unit), and other documents' bylines stay where they are."""
        authors = self._author_units
        authors = authors[self.unit_documents[authors] == document]
        if not len(authors):
            return order, scores, authors
        order = np.concatenate([order, authors[~np.isin(authors, order)]])
        scores = np.concatenate([scores, fuse(signals, scripts, self.params, order[len(scores) :])]).astype(np.float32)
        mask = np.isin(order, authors)
        others = scores[~mask]
        lift = max(0.0, float(others.max()) - float(scores[mask].max()) + BOUND_SLACK) if len(others) else 0.0
        scores = scores + mask * np.float32(lift)
        resorted = np.lexsort((order, -scores))
        return order[resorted], scores[resorted], authors

    @functools.cached_property
    def _labelled_author_kinds(self) -> np.ndarray:
        """Per passage (index/authorship.py): 2 where the whole passage presents its document's authors (a byline, an
        author section), 1 where it says who wrote the text (an "Author:" line, "written by …"), else 0."""
        return np.fromiter(
            (2 if presents_authors(p) else 1 if says_who_wrote(p.text) else 0 for p in self.loaded.passages),
            dtype=np.int8,
            count=len(self.loaded.passages),
        )

    @functools.cached_property
    def _byline_units(self) -> frozenset[int]:
        """The units of a document's first `BYLINE_PASSAGES` passages that are mostly the people its metadata gives as
        authors (`personal_names`, `writes_mostly_names`): a byline without a label, such as a post's
        "2023년 5월 3일, Dan Abramov, …". A document's passages are stored together, in reading order."""
        documents = np.asarray(self.loaded.passages.doc)
        if not len(documents):
            return frozenset()
        starts = np.flatnonzero(np.r_[True, documents[1:] != documents[:-1]])
        names: dict[int, list[str]] = {}
        for start in starts.tolist():
            meta = self.loaded.documents.get(self.loaded.passages.doc_id(start))
            people = personal_names(meta.author) if meta else []
            if people:
                for position in range(start, min(start + BYLINE_PASSAGES, len(documents))):
                    if documents[position] == documents[start]:
                        names[position] = people
        if not names:
            return frozenset()
        unit_passages = np.asarray(self.loaded.units.passage, dtype=np.int64)
        candidates = np.flatnonzero(np.isin(unit_passages, np.fromiter(names, dtype=np.int64)))
        return frozenset(int(u) for u in candidates if writes_mostly_names(self.loaded.unit_text(int(u)), names[int(unit_passages[u])]))

    @property
    def _author_kinds(self) -> np.ndarray:
        """Per passage: 2 where it presents its document's authors, 1 where it says who wrote the text or (with
        `author_bylines`) holds a byline, else 0."""
        return self._author_tables()[0]

    @property
    def _author_units(self) -> np.ndarray:
        """The units that name their document's authors, in unit order: every unit of a passage that presents them;
        of a passage that says who wrote it, the units that say so or hold the byline (all of its units when none does
        on its own), so that the quote is the line with the names and not the passage's other sentences."""
        return self._author_tables()[1]

    def _author_tables(self) -> tuple[np.ndarray, np.ndarray]:
        """`_author_kinds` and `_author_units` for the current `author_bylines` (both kept once computed)."""
        bylines = self.params.author_bylines
        if bylines not in self._authors:
            kinds = self._labelled_author_kinds
            byline_units = self._byline_units if bylines else frozenset()
            unit_passages = np.asarray(self.loaded.units.passage, dtype=np.int64)
            if byline_units:
                kinds = kinds.copy()
                held = unit_passages[np.fromiter(byline_units, dtype=np.int64)]
                kinds[held] = np.maximum(kinds[held], 1)
            per_unit = kinds[unit_passages]
            units = np.flatnonzero(per_unit == 2).tolist()
            by_passage: dict[int, list[int]] = {}
            for unit in np.flatnonzero(per_unit == 1).tolist():
                by_passage.setdefault(int(unit_passages[unit]), []).append(unit)
            for passage_units in by_passage.values():
                own = [u for u in passage_units if u in byline_units or says_who_wrote(self.loaded.unit_text(u))]
                units.extend(own or passage_units)
            self._authors[bylines] = (kinds, np.array(sorted(units), dtype=np.int64))
        return self._authors[bylines]

    def names_authors(self, passage_position: int, document: int | None = None) -> bool:
        """Whether the passage at this position names its document's authors (and is of this document, if given)."""
        if document is not None and int(self.loaded.passages.doc[passage_position]) != document:
            return False
        return bool(self._author_kinds[passage_position])

    def _kind_demotion(self, units: np.ndarray) -> np.ndarray | None:
        """How far each of these units ranks below its fused score for its passage's kind (None: nothing demoted)."""
        kinds, amount = self.params.demoted_kinds, self.params.kind_demotion
        if not amount or not kinds.split():
            return None
        if self._demoted is None or self._demoted[0] != kinds:
            self._demoted = (kinds, self._units_of_kinds(kinds.split()))
        mask = self._demoted[1][units]
        return mask * np.float32(amount) if mask.any() else None

    def _units_of_kinds(self, kinds: Sequence[str]) -> np.ndarray:
        """Which units belong to a passage of one of these kinds (one flag per unit)."""
        passages = np.zeros(len(self.loaded.passages), dtype=bool)
        for kind in kinds:
            passages |= np.asarray(self.loaded.passages.kind_mask(kind))
        return passages[np.asarray(self.loaded.units.passage, dtype=np.int64)]

    @functools.cached_property
    def unit_documents(self) -> np.ndarray:
        """The document number (PassageColumns.doc) of every unit."""
        return np.asarray(self.loaded.passages.doc)[np.asarray(self.loaded.units.passage)]

    @functools.cached_property
    def _document_units(self) -> tuple[np.ndarray, np.ndarray]:
        """Every unit grouped by document: (unit numbers sorted by document, where each document's run starts)."""
        documents = self.unit_documents
        order = np.argsort(documents, kind="stable").astype(np.int64)
        starts = np.searchsorted(documents[order], np.arange(len(self.loaded.passages.tables.documents) + 1))
        return order, starts

    def _median_units(self, passages: Sequence[int]) -> np.ndarray:
        """A strided sample (about MEDIAN_SAMPLE) of the units of the documents holding these passages, document by
        document (the median needs no order)."""
        order, starts = self._document_units
        runs = [order[starts[d] : starts[d + 1]] for d in sorted({int(self.loaded.passages.doc[p]) for p in passages})]
        total = sum(len(run) for run in runs)
        step = max(1, total // MEDIAN_SAMPLE) if total > 2 * MEDIAN_SAMPLE else 1
        return np.concatenate([run[::step] for run in runs]) if runs else order[:0]

    def _known_share(self, question: str) -> float:
        """The share of a Chinese question found in the documents: as written, read in Korean, or through English."""
        return max(
            self.lexical.known_share(question), self.korean.chinese_known_share(question), self.chinese_english.known_share(question)
        )

    def best_prose(self, query: np.ndarray) -> float:
        """The best cosine of one embedded question with a prose unit (with any unit when there is no prose)."""
        return self.dense.scores(query, self.params.dense_depth).best(self._not_prose_units if self._prose_only else None)

    def _calibrate(self) -> float | None:
        """The margin that everyday questions on topics the generic bank lacks reach on this index (a quantile).

        Documents close to everyday life (a guide to getting paid) let off-topic questions come closer than an academic
        article does; the coverage bars rise by as much.
        """
        questions = CoverageBank(self.embedder, generic_questions(), cache_dir=bank_cache_dir(self.loaded), as_queries=True)
        vectors = questions.vectors
        if not len(vectors) or not len(self.loaded.units):
            return None
        margins = [self.best_prose(vector[None, :]) - self.bank.best(vector, self.params.bank_top) for vector in vectors]
        level = float(np.quantile(margins, self.params.calibration_quantile))
        log.info(
            "coverage calibrated on %d everyday questions: %.3f at quantile %.2f", len(margins), level, self.params.calibration_quantile
        )
        return level

    def dense_ranking(self, question: str, k: int = 3) -> list[Passage]:
        """The baseline every figure is compared with: passages ranked by their best unit's cosine alone."""
        units = self.loaded.units
        if not units:
            return []
        ranked: dict[int, None] = {}
        for unit in self.dense.scores(self.embedder.embed_queries([question]), self.params.dense_depth).candidates:
            ranked.setdefault(units[unit].passage, None)
            if len(ranked) == k:
                break
        return [self.loaded.passages[p] for p in ranked]

    def _scored(self, passage_index: int, score: float) -> ScoredPassage:
        passage = self.loaded.passages[passage_index]
        meta = self.loaded.documents.get(passage.doc_id)
        return ScoredPassage(passage=passage, score=score, title=meta.title if meta else "")
