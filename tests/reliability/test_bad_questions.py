"""Bad questions at the index level: each gets a clear QuestionRejected or a normal/not-covered Answer, never a crash."""

from __future__ import annotations

import pytest

from index.answer import MAX_QUESTION_CHARS, clean_question
from index.errors import QuestionRejected
from index.models import Answer
from index.service import Verbatim

GOOD = "平壤宣言承諾了什麼？"

REJECTED = {
    "empty": ("", "empty"),
    "whitespace only": ("  \n\t \u3000 ", "empty"),
    "zero-width only": ("\u200b\u200c\u200d\ufeff\u2060", "empty"),
    "over the length limit": ("無核化" * 200, "too long"),
    "only emoji": ("🙂🔥👍🏽🇹🇼", "no words"),
    "only punctuation": ("?!…。，、——（）「」", "no words"),
    "only RTL override and punctuation": ("\u202e?!\u202c", "no words"),
}

ANSWERED_OR_NOT_COVERED = {
    "@everyone": f"@everyone {GOOD}",
    "@here": f"@here {GOOD}",
    "role mention": f"<@&123456789012345678> {GOOD}",
    "user mention": f"<@123456789012345678> <@!42> {GOOD}",
    "channel mention": f"<#123456789012345678> {GOOD}",
    "markdown injection": f"**bold** __under__ ~~strike~~ ||spoiler|| # heading\n> quote {GOOD}",
    "code-block injection": f"```py\nimport os; os.system('rm -rf /')\n```\n{GOOD}`inline`",
    "masked link": f"[click here](https://evil.example/steal) {GOOD}",
    "zero-width inside words": "平\u200b壤\u200c宣\u200d言\u2060承諾了什麼？",
    "right-to-left override": f"\u202e{GOOD}\u202c\u2066x\u2069",
    "mixed scripts": "What did 金正恩 promise в Сингапуре about 無核化?",
    "Arabic": "ما هي عاصمة فرنسا؟",
    "ANSI escape and controls": f"\x1b[31m{GOOD}\x1b[0m\x07\x00",
    "exactly at the length limit": ("核" * MAX_QUESTION_CHARS),
    "digits only": "2018",
    "combining characters": "平壤宣言" + "\u0301" * 50,
}


@pytest.mark.parametrize("case", list(REJECTED), ids=list(REJECTED))
def test_rejected_with_a_clear_message(article_service: Verbatim, case: str) -> None:
    question, expected = REJECTED[case]
    with pytest.raises(QuestionRejected) as direct:
        clean_question(question)
    with pytest.raises(QuestionRejected) as via_service:
        article_service.ask(question)
    for exc in (direct.value, via_service.value):
        assert expected in str(exc)
        # The message is user-safe: it never echoes the (possibly hostile) question back.
        assert question.strip() == "" or question not in str(exc)


@pytest.mark.parametrize("case", list(ANSWERED_OR_NOT_COVERED), ids=list(ANSWERED_OR_NOT_COVERED))
def test_answered_or_not_covered(article_service: Verbatim, case: str) -> None:
    question = ANSWERED_OR_NOT_COVERED[case]
    answer = article_service.ask(question)
    assert isinstance(answer, Answer)
    assert answer.index_version == article_service.loaded.version
    # Invisible and direction-override characters never reach search or the echoed question.
    for ch in "\u200b\u200c\u200d\u2060\u202e\u202c\u2066\u2069\ufeff":
        assert ch not in answer.question
    if answer.answered:
        assert answer.quote is not None
        assert answer.quote.text.replace("\n", "") in article_service.loaded.texts[answer.quote.passage.doc_id].replace("\n", "")
    else:
        assert answer.quote is None and answer.reason


def test_question_in_an_unexpected_language_is_not_covered(article_service: Verbatim) -> None:
    answer = article_service.ask(ANSWERED_OR_NOT_COVERED["Arabic"])
    assert not answer.answered, answer.reason


def test_mentions_and_markdown_survive_only_as_text(article_service: Verbatim) -> None:
    """The index does not strip mentions (the bot must send with allowed_mentions=none); it must not crash on them."""
    answer = article_service.ask(f"@everyone <@&1> {GOOD}")
    assert answer.question.startswith("@everyone")


def test_zero_width_split_question_matches_the_clean_one(article_service: Verbatim) -> None:
    dirty = article_service.ask(ANSWERED_OR_NOT_COVERED["zero-width inside words"])
    clean = article_service.ask("平壤宣言承諾了什麼？")
    assert dirty.question == clean.question
    assert [p.passage.id for p in dirty.passages] == [p.passage.id for p in clean.passages]


def test_lone_surrogate_is_not_a_crash(article_service: Verbatim) -> None:
    """Discord JSON may carry an escaped lone surrogate (\\ud800); json.loads turns it into a str that UTF-8 cannot encode."""
    try:
        answer = article_service.ask(f"{GOOD}\ud800")
    except QuestionRejected:
        return
    assert isinstance(answer, Answer)
