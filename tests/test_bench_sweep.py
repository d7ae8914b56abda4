"""bench.sweep: variants parsed from the command line, and the questions a variant moves against the first one."""

from __future__ import annotations

from pathlib import Path

from bench.sweep import DEFAULT_SETS, asked_together, moves, pair_rows, parse_variant
from index.evaluate import EvalQuestion, QuestionResult, report_for


def _result(
    qid: str,
    rank: int | None,
    quote_hit: bool,
    answerable: bool = True,
    *,
    lang: str = "en",
    doc_lang: str = "en",
    dense_rank: int | None = None,
    answered: bool = True,
) -> QuestionResult:
    item = EvalQuestion(id=qid, lang=lang, question=qid, answerable=answerable, evidence=("x",))
    return QuestionResult(item=item, rank=rank, quote_hit=quote_hit, answered=answered, ms=0.0, doc_lang=doc_lang, dense_rank=dense_rank)


def test_moves_lists_each_question_that_changed_and_which_way() -> None:
    before = report_for([_result("a", 1, True), _result("b", 2, False), _result("c", None, False), _result("o", None, False, False)])
    after = report_for([_result("a", 3, False), _result("b", 1, True), _result("c", None, False), _result("o", 1, True, False)])
    lines = moves(before, after)
    assert lines == ["a [en->en] R@1 - QH - (rank 1 -> 3)", "b [en->en] R@1 + QH + (rank 2 -> 1)"]  # c unchanged, o off-topic


def test_variants_are_parameters_of_retrieval_params() -> None:
    name, params = parse_variant("window_floor_rank=30,chinese_english_weight=0.1,calibrate=true")
    assert name.startswith("window_floor_rank")
    assert params.window_floor_rank == 30 and params.chinese_english_weight == 0.1 and params.calibrate is True


def test_sets_asked_together_share_one_index_of_every_sets_documents() -> None:
    chosen = [s for s in DEFAULT_SETS if s[0] in ("dev", "heldout3")][::-1]
    together = asked_together(chosen)
    assert [name for name, _, _ in together] == ["dev", "heldout3"]  # in the order given
    assert [questions for _, _, questions in together] == [questions for _, _, questions in chosen]  # own questions
    corpora = {corpora for _, corpora, _ in together}
    assert len(corpora) == 1  # one index, whichever sets are chosen
    (union,) = corpora
    assert union == tuple(sorted(set(union)))
    assert {c for _, cs, _ in DEFAULT_SETS for c in cs} == set(union)
    assert any(c.name == "heldout7" for c in union) and any(c.name == "knowledge" for c in union)
    assert asked_together([("x", (Path("a"),), Path("q"))], every=[("x", (Path("a"),), Path("q")), ("y", (Path("b"),), Path("r"))]) == [
        ("x", (Path("a"), Path("b")), Path("q"))
    ]


def test_pairs_are_summed_over_sets_with_chinese_scripts_as_one_language() -> None:
    results = [
        _result("a", 1, True, lang="zh-Hans", doc_lang="zh-Hant", dense_rank=2),
        _result("b", 4, False, lang="zh-Hans", doc_lang="zh-Hant", dense_rank=1, answered=False),
        _result("c", 2, False, lang="ko", doc_lang="en", dense_rank=None),
        _result("d", 1, True, lang="en", doc_lang="en", dense_rank=1),
        _result("o", 1, True, answerable=False),  # off-topic: in no pair
    ]
    lines = pair_rows(results)
    assert [line.split()[0] for line in lines] == ["en->en", "zh-Hans->zh-Hant", "=", "ko->en", "="]
    assert lines[1] == "zh-Hans->zh-Hant       n   2  R@1 0.50 R@3 0.50 QH 0.50 FR  1 | dense R@1 0.50 R@3 1.00"
    assert lines[2] == "= same language        n   3  R@1 0.67 R@3 0.67 QH 0.67 FR  1 | dense R@1 0.67 R@3 1.00"
    assert lines[4] == "= cross-language       n   1  R@1 0.00 R@3 1.00 QH 0.00 FR  0 | dense R@1 0.00 R@3 0.00"
