"""Every tuned number of retrieval, fusion, the coverage gate and quotes, in one frozen object the manifest records."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class RetrievalParams:
    """The parameters that turn signals into a ranking, a coverage decision and a quote (docs/retrieval.md).

    Each was measured on the article's dev and held-out sets, the development corpus and held-out documents, beside a
    dense-only ranking of the same passages; `python -m bench.sweep` reproduces those tables.
    """

    # Dense: FAISS candidates per question (units outside them get the lowest candidate score).
    dense_depth: int = 400
    # Language-neutral cosines across languages (index/language_projection.py): the ranking compares a question with
    # units of another language once the `language_directions` strongest directions of the generic bank's language
    # differences are removed from both, and with units of its own language (or of none: URLs) by plain cosines. It
    # takes the place of language centering for the questions it applies to (`LanguageProjection.applies_to`: on
    # e5-small Chinese and Korean ones; English questions keep centering); 0 turns it off. The gate keeps plain cosines.
    # 5: the bank's singular values fall 3.30, 2.69, 1.88, 1.10, 0.82, then stay near 0.75.
    language_directions: int = 5
    # Whether the word bridge compares words language-neutrally too (measured, not kept: docs/retrieval.md).
    word_bridge_projected: bool = False
    # Language centering of the dense term used for ranking (index/signals.py LanguageCentering): each language's mean
    # vector is subtracted from the units and the question before the cosine; 0 plain cosines, 1 centered, between a
    # blend. The gate's margin keeps plain cosines. The question's mean: "passages" (the index's units of its language,
    # the generic questions of it when the index has too few), "questions" (generic questions of its language) or "none".
    language_centering: float = 0.75
    centering_query_mean: str = "passages"
    # Divide by each unit's centered norm (a cosine), or leave the centered inner product on the scale of a mean norm.
    centering_norms: bool = True
    # Subtract only what tells the languages apart (each language's mean less the mean of the languages' means).
    centering_keep_shared: bool = True
    # Keep only the per-language part of the centered inner product: one offset per language added to plain cosines.
    centering_offsets_only: bool = False
    # The second encoder (index/second_encoder.py, USE-m v3): for units in another language than the question's where one
    # of the two is Korean, the ranking's dense term is (1 - w) x e5 + w x USE-m (its cosines mapped onto e5's scale),
    # for e5's candidates. 0 ranks by e5 alone. Set over all our sets (docs/retrieval.md):
    # 0.2 and 0.25 move none of the development corpus's and the article's questions, 0.35 and 0.5 lose one.
    second_encoder_weight: float = 0.25
    # Center (or project, `language_directions`) only an index holding units of this many languages: with one, centering
    # only reorders the units of that language, as a hubness correction would.
    centering_min_languages: int = 2
    # Lexical (BM25 over script-folded tokens), normalised (`lexical_scale`), for a question written in Chinese characters: its
    # weight is `lexical_weight` when the best dense unit is written in the question's language and
    # `lexical_weight_elsewhere` when it is not (over the `own_language_depth` best units: linear in their share).
    # Sharing the question's script is evidence only where dense says the answer is in that language: elsewhere the
    # Chinese units a Chinese question shares words with would outrank the English or Korean passage that answers it.
    # `cross_lingual_weight`: the same term for a question that is not Chinese (scaled between the two by its share of
    # Chinese characters).
    lexical_weight: float = 0.5
    lexical_weight_elsewhere: float = 0.05
    own_language_depth: int = 1
    cross_lingual_weight: float = 0.01
    # What a Chinese question's lexical term is divided by: "ideal", the score of a unit holding each of the question's
    # tokens as well as the best unit holding it does (`SparseScores.ideal`), so that a unit matching a small part of
    # the question gets a small part of the weight; or "best", the best unit's score, which gave the full weight to
    # whichever unit matched most, however little of the question that was. Measured and not kept (docs/retrieval.md,
    # "Twentieth round"): the ideal scale for every question ("every_question") and for the bridges too ("every_term").
    lexical_scale: str = "ideal"
    # Korean questions against the Sino-Korean readings of the units, scaled by the question's share of Hangul; on
    # Korean units (the question's own script) also by the rule above: lexical_weight_elsewhere / lexical_weight where
    # the best dense unit is not Korean.
    korean_weight: float = 0.02
    # Chinese questions: read in Sino-Korean against the Korean units, and as CC-CEDICT English glosses against the
    # English units (max-normalised BM25, scaled by the question's share of Chinese characters). 0.05 and 0.04 are
    # what `python -m bench.learn_fusion` fitted on our own held-out sets (docs/retrieval.md).
    chinese_korean_weight: float = 0.04
    chinese_english_weight: float = 0.04
    # Every question: its words matched to the documents' words of other scripts by their e5 vectors (index/word_bridge.py),
    # a match being a question word's `word_bridge_per_word` best document words whose cosine less their hubness
    # reaches `word_bridge_threshold`; max-normalised IDF sums. 0 turns it off (and it is not built). At most
    # `word_bridge_vocabulary` document words are embedded (the most widespread).
    word_bridge_weight: float = 0.025
    word_bridge_threshold: float = 0.005
    word_bridge_per_word: int = 3
    word_bridge_vocabulary: int = 20_000
    # English questions: IDF-weighted share of their names and dates, and of their unambiguous words, found in a unit.
    name_weight: float = 0.2
    word_weight: float = 0.02
    # Coverage gate: margin of the best prose unit over the best generic sentence the question must clear (0: merely
    # closer to the documents than to everyday text; 0.01 with the 25-topic bank, 0.0 since the 74-topic bank, which
    # lifts every question's generic level), and the higher bars for questions with no word in common with the
    # documents, few of them, or nothing but names.
    coverage_margin: float = 0.0
    # The generic level is the mean of this many best cosines against the bank (1: the best alone).
    bank_top: int = 1
    no_word_margin: float = 0.03
    few_words_share: float = 0.35
    nothing_but_names_margin: float = 0.05
    # The two bars above that a Chinese question's share of bigrams found in the documents raises (few words, nothing
    # but names) apply only when the first passage found is Chinese: a Chinese question about an English or Korean
    # passage finds few of its bigrams in any document, and English and Korean questions have no such bars
    # (docs/retrieval.md, "Nineteenth round").
    chinese_shares_need_chinese_passage: bool = True
    # A question not written in Latin script (Chinese, Korean) is held to "only code matches" by the passages as ranked,
    # code demoted (`demoted_kinds`), not by its nearest passages before the demotion: it cannot name the Latin words of
    # a code block, which sit close to every question and fill the nearest passages of one asked across scripts
    # (docs/retrieval.md, "Nineteenth round").
    only_code_across_scripts_demoted: bool = True
    # A question naming an identifier the documents never write (RFC 7932, GPL, version 2.1) must clear this bar.
    unknown_identifier_margin: float = 0.08
    # An English question's capitalised names and acronyms the documents never write count as such identifiers when
    # the passages found are written in Latin script (where a name would be written as the question writes it).
    unknown_names_in_latin: bool = True
    # A question of quantity (index/answer_type.py) wants a passage that holds a number among the first
    # `quote_passages`; with `answer_unit_covered` the best sentence found that holds one must itself clear the
    # question's bar. `date_answers`: a question of a past date (when was…, 是什麼時候…的, 언제…했나요) is held to
    # the same with a date.
    answer_unit_covered: bool = True
    answer_unit_extra: float = 0.0  # added to the question's bar for that sentence (0: the same bar)
    date_answers: bool = True
    # `measure_answers`: a question of quantity that names its measure wants a number of that measure
    # (index/measures.py): a duration (how long, 多久, 幾天, 몇 년, a default timeout) 48 hours or 三個月, a price (how
    # much does it cost, 多少錢, 벌금이 얼마) $500 or 300 元, a factor (how much faster, 幾倍, 몇 배) 50x, a percentage
    # (what share, 百分比, 정확도) 93% or half; and a question of which version (since which, minimum, 哪個版本) a version.
    measure_answers: bool = True
    # Calibration on each index: everyday questions on topics the bank lacks are asked of it at load; the bars above
    # rise by how far this quantile of their margins exceeds `coverage_margin` (off: the bars stay as they are).
    calibrate: bool = False
    calibration_quantile: float = 0.9
    # Quote windows: best unit + this share of the other units' rise above the median unit; windows come from the
    # first `quote_passages` passages; units within `highlight_gap` of the best are highlighted.
    window_support: float = 0.15
    # The other units' rise is measured above the median score of every unit or, when higher, above the score of the
    # unit ranked this far down among the best units the quote is chosen from (0: the median alone, which falls as
    # documents unrelated to the question are added, and so favours long passages on mixed corpora). Kept together
    # with language centering: alone it lost a held-out question; with it, nothing is lost on the article's sets
    # (docs/retrieval.md, "Change by change").
    window_floor_rank: int = 50
    # The median is taken over the units of "documents" holding the ranked passages, or over every unit of the
    # "index": documents unrelated to the question joining the index lowered it, and the quote of the article's own
    # questions moved to longer passages (docs/retrieval.md, "Change by change").
    support_median: str = "documents"
    quote_passages: int = 3
    # A question that asks why is quoted with the sentence after the best window when it fits: a text most often
    # restates the matter first and gives the reason next (docs/retrieval.md, "Change by change").
    reason_next_sentence: bool = True
    # Passages of these kinds (space-separated) rank `kind_demotion` below their fused score: code blocks, footnotes
    # ("2 Link to …: https://…"), lists of works cited and tables sit close to every question in e5's space and answer
    # few, yet a prose question's top 3 filled up with them (docs/retrieval.md, "Change by change"). About the spread of
    # a question's ten best fused scores, so one of them still ranks first where it is clearly the best match.
    demoted_kinds: str = "code footnote reference table"
    # A question of who wrote a document (index/authorship.py) is taken to ask about the document of its best unit;
    # that document's passages naming authors (a PDF's byline, an author section, an "Author:" line) rank first, and
    # the answer is quoted from one of them or refused.
    author_answers: bool = True
    # The document asked about is instead the first of its best units' documents that writes the most of the names the
    # question gives (React, RocketMQ), where it gives any; a byline without a label (a line among a document's first
    # passages that is mostly people its metadata names as authors) names the authors too.
    author_by_names: bool = True
    author_bylines: bool = True
    kind_demotion: float = 0.05
    # Document context (index/fusion.py `with_document_context`): of the best units, those of a document whose
    # `document_context_units` best units score lower on average than the best document's rank that gap times
    # `document_context` lower. Passage retrieval has long been combined with evidence of its whole document (Callan,
    # SIGIR 1994). On our sets 0.3-0.5 gain the same questions, all asked across languages, and lose one; 0.7 and 1.0
    # also push h2-d14 and h4-d16 out of the top 3; the blind eighth set is the same at 0, 0.4 and 0.5; 0 turns it off
    # (docs/retrieval.md, "Twenty-fourth round"). Leaves a one-document index unchanged.
    document_context: float = 0.4
    document_context_units: int = 3
    highlight_gap: float = 0.005

    def with_changes(self, **changes: Any) -> RetrievalParams:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RetrievalParams:
        """Parameters recorded in a manifest; names this version does not know are ignored, missing ones default."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    @property
    def fingerprint(self) -> str:
        return hashlib.blake2b(json.dumps(self.to_dict(), sort_keys=True).encode(), digest_size=4).hexdigest()


DEFAULT_PARAMS = RetrievalParams()
