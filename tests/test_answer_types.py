"""Answer types: a question of quantity or of a past date is answered by a sentence that holds one and is itself covered."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from index.answer_type import (
    DATE,
    DURATION,
    PERCENTAGE,
    PRICE,
    QUANTITY,
    RATIO,
    VERSION,
    answer_type,
    asks_for_date,
    gives_date,
    gives_duration,
    gives_percentage,
    gives_price,
    gives_quantity,
    gives_ratio,
    gives_version,
)
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


def test_the_labels_of_a_numbered_list_are_not_a_quantity() -> None:
    steps = "네트워크를 실행하는 단계는 다음과 같다:\n\n1) 새로운 거래가 모든 노드에 브로드캐스트된다.\n2) 각 노드가 거래를 수집한다."
    assert not gives_quantity(steps, "How many bitcoins does a miner get?")
    assert not gives_quantity("Types:\n1. feat\n2. fix\n(3) docs\n  4、chore", "How many types are there?")
    assert not gives_quantity("步驟：\n（1）下載\n2）安裝\n3．執行") and not gives_quantity("Steps:\n1) read\n2.")
    # A number inside an item, a decimal, a version or a year at the start of a line, and a label mid-line still count.
    assert gives_quantity("1) Wait 3 days before you retry.\n2) Retry.") and gives_quantity("1.5 seconds is the default")
    assert gives_quantity("Support:\n3.x is supported\n2) also") and gives_quantity("Founded:\n2024. It grew.")
    assert gives_quantity("2.0 brought the new API") and gives_quantity("We ran 2) tests")
    # A list cut by a passage's start, or one item after a sentence, is still labelled; a number that a hard line break
    # put at a line's start, after words that end no sentence, is a number.
    assert not gives_quantity("4. 其他: 除 fix: 與 feat: 以外") and not gives_quantity("見下。\n4. 其他類型")
    assert not gives_quantity("Install\n\n1. Download it\n2. Run it")  # a list after a blank line
    assert gives_quantity("The limit is\n50. Larger uploads fail.")


def _service_of(settings_factory: Callable[..., Settings], name: str, text: str) -> Verbatim:
    """A real index of one document of our own (no article)."""
    settings = settings_factory(with_article=False)
    (settings.knowledge_dir / name).write_text(text, encoding="utf-8")
    service = Verbatim(settings)
    service.ensure_ready()
    return service


@pytest.fixture
def releases(settings_factory: Callable[..., Settings]) -> Iterator[Verbatim]:
    yield _service_of(settings_factory, "release-process.md", RELEASES)


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
        # ...the quantity or date is not: no passage found holds one (no margin), or the sentence that does is too far.
        assert answer.gate.get(f"{wanted.name}_margin", -1.0) < answer.gate["bar"], question
        assert wanted.name in answer.reason
    # With the rule off, the same questions get a confident quote (the behaviour this rule replaces).
    retriever.params = retriever.params.with_changes(answer_unit_covered=False, date_answers=False, measure_answers=False)
    try:
        assert all(releases.ask(question).answered for question in near_topic)
    finally:
        retriever.params = retriever.params.with_changes(answer_unit_covered=True, date_answers=True, measure_answers=True)


def test_a_quantity_or_date_the_documents_give_is_answered_from_the_sentence_that_holds_it(releases: Verbatim) -> None:
    for question, expected in (
        ("How often is a new minor version published?", "every six weeks"),
        ("When was version 2.0 released?", "3 March 2021"),
        ("How many minor versions get security fixes?", "two most recent"),
    ):
        answer = releases.ask(question)
        assert answer.answered, (question, answer.reason)
        assert answer.quote is not None and expected in answer.quote.text, (question, answer.quote)


def test_a_quantity_that_names_its_measure_wants_a_number_of_it() -> None:
    """A duration is asked by how long / soon / often, 多久, 幾天, 며칠, 몇 년; a price by cost, pay, fee, 多少錢, 벌금."""
    for question in (
        "How long does the review take?",
        "How often are releases published?",
        "How many days is a vote open?",
        "一次投票要開放多久？",
        "漏洞报告几天内会得到回复？",
        "투표는 며칠 동안 열려 있나요?",
        "인증서의 유효 기간은 몇 년인가요?",
        "리뷰는 얼마나 걸리나요?",
        "릴리스는 얼마나 자주 나오나요?",
        "版本多常更新？",
    ):
        assert answer_type(question) is DURATION, question
    for question in (
        "How much does a gold sponsorship cost?",
        "How much are reviewers paid?",
        "What fee does the platform take?",
        "金牌贊助要花多少錢？",
        "平台会收取多少手续费？",
        "위반하면 벌금은 얼마인가요?",
        "후원 비용은 얼마인가요?",
    ):
        assert answer_type(question) is PRICE, question
    assert answer_type("How much does a gold sponsorship cost?", measures=False) is QUANTITY
    # A count, a score or a size names no measure: any number may answer it.
    for question in ("How many maintainers are there?", "金牌的分數線是幾分？", "몇 명이 참가하나요?"):
        assert answer_type(question) is QUANTITY, question


def test_a_duration_or_price_is_a_number_with_its_unit() -> None:
    for text in (
        "acknowledged within 24 hours",
        "Three working days after",
        "every five days",
        "大约需要 3.5 个小时",
        "保留三個月",
        "2주 동안 열립니다",
        "수년(1998-2003)이 걸렸다",
        "answers in 5 ms",
        "updated weekly",
        "每週更新",
        "매주 업데이트된다",
        "released twice a year",
        "默认值: timedelta(minutes=2)",  # a duration written as code, its unit naming the argument
    ):
        assert gives_duration(text), text
    # Counts, versions and a year of a date are not durations.
    for text in (
        "maintained by 14 volunteers",
        "version 2.0 is stable",
        "2019年成立",
        "1998년에 설립",
        "회원이 한 명",
        "the minutes of 2 meetings",
    ):
        assert not gives_duration(text), text
    for text in ("costs $500 a year", "每年 300 元", "5만 원의 회비", "a fee of 6%", "罰款最高兩萬元", "USD 1,200"):
        assert gives_price(text), text
    for text in ("3 gold sponsors and 27 backers", "a 22 bit window", "12 trips in 2023", "10 명"):
        assert not gives_price(text), text


# A document of our own about a project's people and its summit: counts, one duration, no amount of money.
SPONSORS = """# Lanternfish sponsors and maintainers

## Maintainers

Lanternfish is maintained by 14 volunteers in 9 countries.
A release needs 3 approving votes from the maintainers.

## Sponsors

The project has 3 gold sponsors and 27 individual backers.
Sponsors are thanked by name in every release announcement.

## Summit

The contributor summit lasts three days and is held in a different city each year.
The travel fund covered 12 trips to the summit in 2023.
"""


@pytest.fixture
def sponsors(settings_factory: Callable[..., Settings]) -> Iterator[Verbatim]:
    yield _service_of(settings_factory, "sponsors.md", SPONSORS)


def test_a_price_the_documents_never_give_is_refused_though_they_hold_counts(sponsors: Verbatim) -> None:
    """Real model and FAISS: the sponsors' passage holds numbers (3 gold sponsors), none of them money."""
    question = "How much does a gold sponsorship of Lanternfish cost?"
    answer = sponsors.ask(question)
    assert answer_type(question) is PRICE
    assert not answer.answered, answer.quote
    assert answer.gate["margin"] >= answer.gate["bar"]  # the subject is covered...
    assert "price" in answer.reason, answer.reason  # ...an amount of money is not


def test_a_duration_the_documents_give_is_quoted_from_the_sentence_that_holds_it(sponsors: Verbatim) -> None:
    answer = sponsors.ask("How long does the Lanternfish contributor summit last?")
    assert answer.answered, answer.reason
    assert answer.quote is not None and "three days" in answer.quote.text, answer.quote


def test_a_factor_a_percentage_or_a_version_is_asked_and_given_in_its_own_form() -> None:
    for question, wanted in (
        ("How much faster is the new parser than the old one?", RATIO),
        ("How many times larger is the archive than the source?", RATIO),
        ("新版的解析器比舊版快多少？", RATIO),
        ("새 파서는 이전 파서보다 몇 배 빠른가요?", RATIO),
        ("What percentage of the maintainers are volunteers?", PERCENTAGE),
        ("What accuracy did the classifier reach?", PERCENTAGE),
        ("志愿者在维护者中占比多少？", PERCENTAGE),
        ("분류기의 정확도는 얼마인가요?", PERCENTAGE),
        ("Since which version does the library support streaming?", VERSION),
        ("What is the minimum Python version it requires?", VERSION),
        ("這個功能是從哪個版本開始支援的？", VERSION),
        ("어떤 버전부터 스트리밍을 지원하나요?", VERSION),
        ("What is the default timeout of a request?", DURATION),
        ("请求的默认超时是多少？", DURATION),
    ):
        assert answer_type(question) is wanted, question
    # Counting occurrences is a quantity, not a factor; the parts of a version number and the plural "which versions"
    # (answered by channel names) ask no version; a date question stays one.
    assert answer_type("How many times does the client retry a request?") is QUANTITY
    assert answer_type("Which part of the version number goes up for a fix?") is None
    assert answer_type("어떤 버전들로 테스트해야 하나요?") is None
    assert answer_type("When was version 2.0 released?") is DATE
    assert gives_ratio("more than 50x faster") and gives_ratio("3.5 times longer") and gives_ratio("快了兩倍")
    assert gives_ratio("두 배 빠르다") and gives_ratio("a 2.5 % higher ratio") and not gives_ratio("it took 30 seconds")
    assert gives_percentage("93% of them") and gives_percentage("一半的人") and gives_percentage("3분의 1이")
    assert gives_percentage("an accuracy of 0.93") and not gives_percentage("14 volunteers in 9 countries")
    assert gives_version("supported since 3.0") and gives_version("从4.7.0版本开始") and gives_version("Python 3 or later")
    assert gives_version("버전 2부터") and not gives_version("14 volunteers") and not gives_version("in 2019")
    assert not gives_version("released as 1.0.0", "Is 1.0.0 the first version?")
    # "Use the latest version" answers which version to use, not which one is the latest.
    assert gives_version("請使用最新版本", "應該用哪個版本？") and not gives_version("請使用最新版本", "最新的是哪個版本？")
