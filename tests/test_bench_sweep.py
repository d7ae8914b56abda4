"""bench.sweep: variants parsed from the command line, and the questions a variant moves against the first one."""

from __future__ import annotations

from bench.sweep import moves, parse_variant
from index.evaluate import EvalQuestion, QuestionResult, report_for


def _result(qid: str, rank: int | None, quote_hit: bool, answerable: bool = True) -> QuestionResult:
    item = EvalQuestion(id=qid, lang="en", question=qid, answerable=answerable, evidence=("x",))
    return QuestionResult(item=item, rank=rank, quote_hit=quote_hit, answered=True, ms=0.0, doc_lang="en")


def test_moves_lists_each_question_that_changed_and_which_way() -> None:
    before = report_for([_result("a", 1, True), _result("b", 2, False), _result("c", None, False), _result("o", None, False, False)])
    after = report_for([_result("a", 3, False), _result("b", 1, True), _result("c", None, False), _result("o", 1, True, False)])
    lines = moves(before, after)
    assert lines == ["a [en->en] R@1 - QH - (rank 1 -> 3)", "b [en->en] R@1 + QH + (rank 2 -> 1)"]  # c unchanged, o off-topic


def test_variants_are_parameters_of_retrieval_params() -> None:
    name, params = parse_variant("window_floor_rank=30,chinese_english_weight=0.1,calibrate=true")
    assert name.startswith("window_floor_rank")
    assert params.window_floor_rank == 30 and params.chinese_english_weight == 0.1 and params.calibrate is True
