"""The dev set, scored exactly as shared/eval/README.md defines, must not fall below the best level reached."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.evaluate import EvalQuestion, QuestionResult, evaluate_service, hits, report_for, score_json
from index.service import Verbatim
from tests.conftest import DEV_SET, ROOT

HOLDOUT_SET = ROOT / "tests" / "data" / "holdout.jsonl"

# The best dev figures reached so far (docs/retrieval.md). Raise them as retrieval improves; never lower them.
BEST = {"r1": 0.86, "r3": 0.96, "quote_hit": 0.86, "offtopic_refused": 1.0}
BEST_PER_LANGUAGE_R3 = {"zh-Hant": 1.0, "zh-Hans": 1.0, "ko": 1.0, "en": 0.91}
MAX_FALSE_REFUSALS = 0.0
# The held-out set (tests/data/holdout.jsonl, written before any tuning on it; never tune to it alone).
HOLDOUT_BEST = {"r1": 0.90, "r3": 0.93, "quote_hit": 0.87, "offtopic_refused": 0.875}
HOLDOUT_BEST_PER_LANGUAGE_R3 = {"zh-Hant": 1.0, "zh-Hans": 1.0, "ko": 1.0, "en": 0.8}
HOLDOUT_MAX_FALSE_REFUSALS = 0.04
# English only (tests/data/holdout_en.jsonl), written after the English names-and-dates bridge was designed and
# before any figure of it was taken; used to check that bridge's weight, never tuned to on its own.
HOLDOUT_EN_SET = ROOT / "tests" / "data" / "holdout_en.jsonl"
HOLDOUT_EN_BEST = {"r1": 0.94, "r3": 1.0, "quote_hit": 0.88}
HOLDOUT_EN_MAX_FALSE_REFUSALS = 0.06


def test_hit_rule_strips_whitespace_and_rejects_long_texts() -> None:
    assert hits(["美朝 承諾"], "……美朝\n承諾……", 400)
    assert not hits(["美朝承諾"], "美朝承諾" + "。" * 400, 400)


def test_scoring_of_one_answer() -> None:
    item = EvalQuestion("x", "en", "q", True, ("目標",))
    result = score_json(item, {"answered": True, "answer": {"quote": "目 標"}, "passages": [{"text": "無"}, {"text": "有目標"}]})
    assert result.rank == 2 and result.quote_hit and result.answered
    report = report_for([result, score_json(EvalQuestion("y", "en", "q", False, ()), {"answered": False, "passages": []})])
    assert report.overall["r1"] == 0.0 and report.overall["r3"] == 1.0 and report.overall["offtopic_refused"] == 1.0


@pytest.mark.skipif(not DEV_SET.exists(), reason="shared/eval/dev.jsonl is not beside the clone")
def test_dev_set_does_not_regress(article_service: Verbatim) -> None:
    report = evaluate_service(article_service, DEV_SET)
    print(report.table())
    for metric, level in BEST.items():
        assert report.overall[metric] is not None and report.overall[metric] >= level, (metric, report.table())
    for lang, level in BEST_PER_LANGUAGE_R3.items():
        assert report.by_lang[lang]["r3"] >= level, (lang, report.table())
    assert report.overall["false_refusals"] <= MAX_FALSE_REFUSALS, report.table()


def test_holdout_set_does_not_regress(article_service: Verbatim) -> None:
    report = evaluate_service(article_service, HOLDOUT_SET)
    print(report.table())
    for metric, level in HOLDOUT_BEST.items():
        assert report.overall[metric] is not None and report.overall[metric] >= level, (metric, report.table())
    for lang, level in HOLDOUT_BEST_PER_LANGUAGE_R3.items():
        assert report.by_lang[lang]["r3"] >= level, (lang, report.table())
    assert report.overall["false_refusals"] <= HOLDOUT_MAX_FALSE_REFUSALS, report.table()


def test_english_holdout_set_does_not_regress(article_service: Verbatim) -> None:
    report = evaluate_service(article_service, HOLDOUT_EN_SET)
    print(report.table())
    for metric, level in HOLDOUT_EN_BEST.items():
        assert report.overall[metric] is not None and report.overall[metric] >= level, (metric, report.table())
    assert report.overall["false_refusals"] <= HOLDOUT_EN_MAX_FALSE_REFUSALS, report.table()


@pytest.mark.parametrize("path", [HOLDOUT_SET, HOLDOUT_EN_SET], ids=["holdout", "holdout_en"])
def test_holdout_evidence_is_in_the_article(path: Path) -> None:
    from index.evaluate import load_questions
    from tests.conftest import ARTICLE

    article = ARTICLE.read_text(encoding="utf-8")
    questions = load_questions(path)
    assert {q.lang for q in questions} == ({"zh-Hant", "zh-Hans", "en", "ko"} if path == HOLDOUT_SET else {"en"})
    for q in questions:
        assert q.answerable == bool(q.evidence), q.id
        for evidence in q.evidence:
            assert hits([evidence], article, len(article)), (q.id, evidence)


def test_corpus_figures_split_by_language_pair_and_offtopic_kind() -> None:
    from index.evaluate import offtopic_figures, pair_figures

    def result(
        lang: str, doc: str | None, answerable: bool, rank: int | None, dense: int | None, doc_lang: str = "", given: bool = True
    ) -> QuestionResult:
        item = EvalQuestion("q", lang, "?", answerable, ("x",), doc=doc, doc_given=given)
        return QuestionResult(item, rank, rank == 1, answerable, 0.0, dense_rank=dense, doc_lang=doc_lang)

    results = [
        result("en", "a", True, 1, 2, "zh-Hant"),
        result("en", "a", True, None, 1, "zh-Hant"),
        result("ko", "b", True, 3, None, "en"),
        result("en", "a", False, None, None),
        result("en", None, False, None, None),
        result("en", None, False, None, None, given=False),
    ]
    pairs = pair_figures(results)
    assert pairs["en->zh-Hant"]["n"] == 2 and pairs["en->zh-Hant"]["r3"] == 0.5 and pairs["en->zh-Hant"]["dense_r3"] == 1.0
    assert pairs["ko->en"]["r3"] == 1.0 and pairs["ko->en"]["dense_r3"] == 0.0
    kinds = offtopic_figures(results)
    assert set(kinds) == {"near-topic", "everyday", "off-topic"} and all(k["n"] == 1 for k in kinds.values())


def test_refusal_curve_moves_the_bar_over_the_recorded_margins() -> None:
    from index.evaluate import refusal_curve

    def scored(answerable: bool, doc: str | None, margin: float, bar: float, answered: bool) -> QuestionResult:
        item = EvalQuestion("q", "en", "?", answerable, ("x",) if answerable else (), doc=doc, doc_given=True)
        return score_json(item, {"answered": answered, "passages": [], "gate": {"margin": margin, "bar": bar}})

    results = [
        scored(True, "a", 0.10, 0.0, True),  # slack +0.10
        scored(True, "a", 0.02, 0.0, True),  # slack +0.02
        scored(False, "a", 0.03, 0.0, True),  # near-topic, answered as built
        scored(False, "a", 0.05, 0.0, False),  # near-topic refused for another reason (e.g. only code)
        scored(False, None, -0.02, 0.0, False),  # everyday, refused by the margin
    ]
    curve = {row["offset"]: row for row in refusal_curve(results, (-0.03, 0.0, 0.025, 0.05))}
    assert curve[0.0] == {"offset": 0.0, "everyday": 1.0, "near-topic": 0.5, "false_refusals": 0.0}
    assert curve[-0.03]["everyday"] == 0.0 and curve[-0.03]["near-topic"] == 0.5
    assert curve[0.025]["false_refusals"] == 0.5 and curve[0.025]["near-topic"] == 0.5
    assert curve[0.05]["near-topic"] == 1.0 and curve[0.05]["false_refusals"] == 0.5


def test_corpus_settings_link_the_union_of_corpora(tmp_path: Path) -> None:
    from index.config import load_settings
    from index.evaluate import corpus_settings

    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    (one / "a.md").write_text("# A\n\ntext", encoding="utf-8")
    (one / "a.meta.json").write_text("{}", encoding="utf-8")
    (one / "SOURCES.md").write_text("not a document", encoding="utf-8")
    (two / "b.txt").write_text("text", encoding="utf-8")
    settings = corpus_settings(load_settings(data_dir=tmp_path / "data"), [one, two])
    assert sorted(p.name for p in settings.knowledge_dir.iterdir()) == ["a.md", "a.meta.json", "b.txt"]
    assert settings.index_dir.parent == settings.knowledge_dir.parent
