"""Answers: verbatim, verified, bounded quotes with citations, and an honest 'not covered' in each language."""

from __future__ import annotations

import pytest

from index.answer import Answerer, clean_question
from index.errors import QuestionRejected
from index.quotes import MAX_QUOTE_CHARS, best_window, build_quote, quote_windows, verify_quote
from index.service import Verbatim

OFF_TOPIC = {
    "en": "What is the best way to learn to play the guitar?",
    "zh-Hant": "台北今天的天氣怎麼樣？",
    "zh-Hans": "怎样做红烧肉最好吃？",
    "ko": "서울에서 맛있는 라면집을 추천해 주세요.",
}


def test_verify_quote_accepts_substrings_modulo_whitespace() -> None:
    document = "美朝在新加坡\n舉行高峰會議，  簽署聯合聲明。"
    assert verify_quote("新加坡舉行 高峰會議", document)
    assert not verify_quote("新加坡舉行高峰會談", document)
    assert not verify_quote("   ", document)


def test_build_quote_is_bounded_and_marks_the_focus() -> None:
    from index.models import Passage

    text = "第一句很短。" + "第二句" * 50 + "。第三句。"
    passage = Passage("p-x", "d", text, "", 1, 1, 0, 0, len(text))
    start = text.index("第三句。")
    quote, highlights = build_quote(passage, (start, start + 4), limit=100)
    assert len(quote) <= 100
    assert highlights and quote[highlights[0][0] : highlights[0][1]] == "第三句。"


@pytest.mark.parametrize("lang", sorted(OFF_TOPIC))
def test_clearly_off_topic_questions_are_not_covered(article_service: Verbatim, lang: str) -> None:
    answer = article_service.ask(OFF_TOPIC[lang])
    assert not answer.answered
    assert answer.quote is None
    assert answer.reason
    assert answer.passages  # the closest passages are still offered, as "closest, not an answer"


# World-affairs questions that share a word or two with the article (戰爭, 總統, 經濟) but that it does not answer,
# and questions about its people on things it does not say about them.
NEAR_TOPIC = [
    "中东战争的起因是什么？",
    "第二次世界大戰是哪一年結束的？",
    "台灣的經濟成長率是多少？",
    "日本首相是誰？",
    "川普的女兒叫什麼名字？",
    "金正恩喜歡吃什麼？",
    "文在寅的生日是哪一天？",
]


@pytest.mark.parametrize("question", NEAR_TOPIC)
def test_near_topic_questions_sharing_a_word_are_not_covered(article_service: Verbatim, question: str) -> None:
    answer = article_service.ask(question)
    assert not answer.answered, answer.reason


def test_known_share_counts_question_bigrams_found_in_the_documents() -> None:
    from index.lexical import LexicalIndex

    index = LexicalIndex(["朝鮮半島戰爭風險", "兩韓簽署板門店宣言"])
    assert index.known_share("板門店宣言") == 1.0
    assert index.known_share("俄烏戰爭") == pytest.approx(1 / 3)  # 俄乌, 乌战 unknown; 战争 known
    assert index.known_share("？") == 1.0  # nothing to judge by


def test_names_are_cut_out_before_judging_what_a_question_says_of_them(article_service: Verbatim) -> None:
    from index.scripts import to_matching_script

    glossary = article_service.answerer.retriever.glossary
    rest = glossary.without_names(to_matching_script("川普在新加坡見了金正恩"))
    assert "特朗普" not in rest and "新加坡" not in rest and "金正恩" not in rest
    assert "见了" in rest
    result = article_service.answerer.retriever.search("川普的女兒叫什麼名字？")
    assert result.content_tokens >= 2 and result.content_share == 0.0  # 女儿, 名字… none is in the article
    assert article_service.answerer.retriever.search("北韓關閉了哪個核試驗場？").content_share > 0.5


def test_answered_question_has_verified_quote_and_full_citation(article_service: Verbatim) -> None:
    answer = article_service.ask("What did the Pyongyang Declaration commit to?")
    assert answer.answered and answer.quote is not None
    quote = answer.quote
    assert len(quote.text) <= MAX_QUOTE_CHARS
    assert verify_quote(quote.text, article_service.loaded.texts[quote.passage.doc_id])
    assert quote.highlights and "**" in quote.marked()
    cited = quote.citation.to_dict()
    for key in ("author", "title", "journal", "issue", "year", "page", "doi"):
        assert cited[key], key
    assert cited["passage_id"] == quote.passage.id


def test_a_quote_failing_verification_is_never_shown(article_service: Verbatim, monkeypatch: pytest.MonkeyPatch) -> None:
    answerer: Answerer = article_service.answerer
    monkeypatch.setattr("index.quotes.verify_quote", lambda quote, text: False)
    answer = answerer.answer("川普同意在什麼時候之前與金正恩會晤？")
    assert answer.quote is None and not answer.answered


def test_clean_question_rejects_empty_input() -> None:
    with pytest.raises(QuestionRejected):
        clean_question("\u200b  ")


def test_quote_window_covers_the_best_supported_sentences() -> None:
    from index.fusion import UnitHit
    from index.models import Passage

    text = "甲" * 150 + "。乙句回答問題。丙句也回答。" + "丁" * 200 + "。"
    passage = Passage("p-w", "d", text, "", 1, 1, 0, 0, len(text))
    assert all(end - start <= MAX_QUOTE_CHARS for start, end in quote_windows(text))
    b = text.index("乙")
    c = text.index("丙")
    hits = [UnitHit(0, 0, 0, b, 0.70), UnitHit(1, 0, b, c, 0.90), UnitHit(2, 0, c, c + 6, 0.88), UnitHit(3, 0, c + 6, len(text), 0.71)]
    score, start, end, inside = best_window(passage, hits, floor=0.75)
    assert start <= b and end >= c + 6 and end - start <= MAX_QUOTE_CHARS
    assert inside[0].score == 0.90 and score > 0.90  # the second answering sentence adds support


def test_quote_highlights_lie_inside_the_quote(article_service: Verbatim) -> None:
    answer = article_service.ask("美朝在新加坡只達成了什麼共識？")
    assert answer.answered and answer.quote is not None
    assert answer.passages[0].passage.id == answer.quote.passage.id  # the quoted passage is listed first
    for a, b in answer.quote.highlights:
        assert 0 <= a < b <= len(answer.quote.text) and answer.quote.text[a:b].strip() == answer.quote.text[a:b]


def test_a_long_sentence_keeps_its_answering_clause_and_no_window_ends_mid_word() -> None:
    from index.fusion import UnitHit
    from index.models import Passage
    from index.quotes import _cut_flags, clause_spans

    lead = ", ".join(f"the committee reviewed proposal number {n} in detail" for n in range(8))
    text = f"{lead}, and finally it decided that releases ship every six weeks."
    passage = Passage("p-long", "d", text, "", 1, 1, 0, 0, len(text))
    assert len(text) > MAX_QUOTE_CHARS
    windows = quote_windows(text)
    assert windows and all(end - start <= MAX_QUOTE_CHARS for start, end in windows)
    words = set(text.replace(",", " ").replace(".", " ").split())
    for start, end in windows:  # every window starts and ends on whole words
        piece = text[start:end].strip(",. ")
        assert piece.split()[0] in words and piece.split()[-1] in words
    answer_at = text.index("it decided")
    hit = UnitHit(0, 0, 0, len(text), 0.9)
    _, start, end, _ = best_window(passage, [hit], floor=0.5)
    assert any(s <= answer_at and e >= len(text) - 1 for s, e in windows)  # the clause at the end is reachable
    assert _cut_flags(text, answer_at, len(text)) == (True, False)
    assert all(e - s <= MAX_QUOTE_CHARS for s, e in clause_spans("字" * 700, 0, 700, MAX_QUOTE_CHARS))


def test_a_cut_quote_shows_ellipses_outside_the_verified_text() -> None:
    from index.models import Citation, DocumentMeta, Passage, Quote

    passage = Passage("p-q", "d", "abc", "", 1, 1, 0, 0, 3)
    quote = Quote("b", ((0, 1),), passage, Citation(DocumentMeta("d", "T"), "p-q", "", "1"), cut_start=True, cut_end=True)
    assert quote.marked() == "…**b**…" and quote.text == "b"
