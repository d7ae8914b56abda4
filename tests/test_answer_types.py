"""Answer types: a question of quantity or of a past date is answered by a sentence that holds one and is itself covered."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from index.answer_type import DATE, QUANTITY, answer_type, asks_for_date, gives_date, gives_quantity
from index.config import Settings
from index.service import Verbatim

# A document of our own: a project's releases and reviews, with a few numbers and one date, none of them about pay,
# headcount or the project's founding.
RELEASES = """# Release process of the Lanternfish project

Lanternfish is an open source library for parsing sensor logs.

## Releases

A new minor version is published every six weeks on the project blog.
The release manager writes the changelog, tags the release and signs the archives.
Version 2.0 was released on 3 March 2021 after a year of work.
Security fixes are backported to the two most recent minor versions.

## Reviews

Every pull request needs the approval of a maintainer before it is merged.
Maintainers are chosen by the other maintainers from the regular contributors.
Large changes start as a design document that is discussed on the mailing list.
"""


def test_questions_of_a_past_date_in_any_language() -> None:
    for question in (
        "When was version 2.0 released?",
        "When and where was the summit held?",
        "In which year did the project start?",
        "Go 1.5 是什麼時候發布的？",
        "這個專案是哪一年開始的？",
        "명세는 언제 처음 발표되었나요?",
    ):
        assert asks_for_date(question), question
        assert answer_type(question) is DATE, question
    # A procedure or a condition is not a date: "when is it published" is answered by "within 6 hours".
    for question in (
        "When is the security advisory published?",
        "When is the best moment to adopt a code of conduct?",
        "언제 1.0.0 버전을 배포해야 하는지 어떻게 판단하나요?",
        "川普同意在什麼時候之前與金正恩會晤？",
    ):
        assert not asks_for_date(question), question
    assert answer_type("How many maintainers are there?") is QUANTITY
    assert answer_type("What compression ratio does it reach?") is QUANTITY
    assert answer_type("Who maintains it?") is None


def test_a_date_or_number_the_question_names_is_not_the_answer() -> None:
    assert gives_date("NOIP 于 2019 年 8 月 16 日暂停") and gives_date("released in March") and gives_date("2018年4月27日")
    assert gives_date("The observatory opened in 1962.") and gives_date("(2001-2006)") and not gives_date("version 2.1999.3")
    assert not gives_date("you may want to wait") and not gives_date("version 1.0.0 is stable", "1.0.0은 언제 발표되었나요?")
    assert gives_quantity("NOI2025 自测次数上限为 30 次", "How many runs at NOI2025?")
    assert not gives_quantity("selfEval is offered at NOI2025.", "How many runs at NOI2025?")
    assert not gives_quantity("It was fixed (CVE-2014-7189).", "What CVSS score was CVE-2014-7189 given?")
    # Chinese numerals are numbers in runs or before a measure word, not as letters of words.
    assert gives_quantity("一半的人表示") and gives_quantity("三位維護者") and gives_quantity("一年兩次")
    assert not gives_quantity("朝鮮半島的一些問題，一般而言") and not gives_quantity("各省的一等奖分数线略有不同")


@pytest.fixture
def releases(settings_factory: Callable[..., Settings]) -> Iterator[Verbatim]:
    settings = settings_factory(with_article=False)
    (settings.knowledge_dir / "release-process.md").write_text(RELEASES, encoding="utf-8")
    service = Verbatim(settings)
    service.ensure_ready()
    yield service


def test_a_quantity_or_date_the_documents_do_not_give_is_refused_though_the_subject_is_covered(releases: Verbatim) -> None:
    """Real model and FAISS: questions of our own about the document's subject, on a quantity or a date it never gives.

    Each is closer to the document than to everyday text (it clears the coverage bar), and a passage found holds some
    number or date; only the sentence that holds it is no closer to the question than everyday text.
    """
    retriever = releases.answerer.retriever
    near_topic = ("How much is the release manager paid for each release?", "How many maintainers does Lanternfish have?")
    for question in (*near_topic, "In which year did Lanternfish get its first maintainer?"):
        answer = releases.ask(question)
        wanted = answer_type(question)
        assert wanted is not None
        assert not answer.answered, (question, answer.quote)
        assert answer.gate["margin"] >= answer.gate["bar"], question  # the subject is covered...
        assert answer.gate[f"{wanted.name}_margin"] < answer.gate["bar"], question  # ...the quantity or date is not
        assert wanted.name in answer.reason
    # With the rule off, the same questions get a confident quote (the behaviour this rule replaces).
    retriever.params = retriever.params.with_changes(answer_unit_covered=False, date_answers=False)
    try:
        assert all(releases.ask(question).answered for question in near_topic)
    finally:
        retriever.params = retriever.params.with_changes(answer_unit_covered=True, date_answers=True)


def test_a_quantity_or_date_the_documents_give_is_answered_from_the_sentence_that_holds_it(releases: Verbatim) -> None:
    for question, expected in (
        ("How often is a new minor version published?", "every six weeks"),
        ("When was version 2.0 released?", "3 March 2021"),
        ("How many minor versions get security fixes?", "two most recent"),
    ):
        answer = releases.ask(question)
        assert answer.answered, (question, answer.reason)
        assert answer.quote is not None and expected in answer.quote.text, (question, answer.quote)
