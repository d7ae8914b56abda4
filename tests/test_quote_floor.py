"""The quote window's support floor: measured among the question's best units, not lowered by unrelated documents."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from index.answer import citation_for
from index.fusion import UnitHit
from index.models import Passage, ScoredPassage
from index.params import DEFAULT_PARAMS
from index.quotes import choose_quote, support_floor
from index.service import Verbatim
from tests.conftest import make_settings


def _hit(unit: int, passage: int, score: float, bridge: float = 0.0) -> UnitHit:
    return UnitHit(unit, passage, 0, 1, score, bridge)


def test_support_floor_is_the_nth_best_unit_unless_the_median_is_higher() -> None:
    hits = [_hit(i, 0, 0.9 - 0.01 * i) for i in range(5)]  # 0.90 … 0.86
    assert support_floor(hits, unit_median=0.5, rank=3) == pytest.approx(0.88)
    assert support_floor(hits, unit_median=0.89, rank=3) == pytest.approx(0.89)  # a small index: the median holds
    assert support_floor(hits, unit_median=0.5, rank=50) == pytest.approx(0.86)  # fewer hits: the last one
    assert support_floor(hits, unit_median=0.5, rank=0) == 0.5  # rank 0: the median alone
    # The English bridge's bonus is left out, as it is from the support itself.
    assert support_floor([_hit(0, 0, 0.95, bridge=0.2), _hit(1, 0, 0.80)], unit_median=0.5, rank=1) == pytest.approx(0.80)


def test_sentences_of_a_long_passage_support_it_only_above_the_questions_neighbourhood() -> None:
    """One answering sentence against a long passage of related sentences: with the median of every unit lowered by
    unrelated documents each of them adds support and the long passage wins; above the 50th best unit, the answer."""
    short = Passage("p-short", "d", "The heap is turned by the youth club.", "", None, None, 0, 0, 37)
    sentences = [f"Sentence {i} is about the heap." for i in range(5)]
    long_text = " ".join(sentences)
    long = Passage("p-long", "d", long_text, "", None, None, 1, 0, len(long_text))
    spans, start = [], 0
    for sentence in sentences:
        spans.append((start, start + len(sentence)))
        start += len(sentence) + 1
    hits = [UnitHit(0, 0, 0, len(short.text), 0.90)]
    hits += [UnitHit(1 + i, 1, a, b, 0.88 if i == 0 else 0.86) for i, (a, b) in enumerate(spans)]
    hits += [_hit(10 + i, 2, 0.859 - 0.0003 * i) for i in range(44)]  # the question's other neighbours, passage 2
    position = {"p-short": 0, "p-long": 1}
    texts = {"d": short.text + "\n\n" + long_text}
    passages = [ScoredPassage(short, 0.90, ""), ScoredPassage(long, 0.88, "")]

    def quote_from(rank: int) -> str:
        params = DEFAULT_PARAMS.with_changes(window_floor_rank=rank)
        quote = choose_quote(passages, hits, 0.70, position, texts, lambda p: None, params)  # type: ignore[arg-type,return-value]
        assert quote is not None
        return quote.passage.id

    assert quote_from(0) == "p-long"  # median 0.70: four sentences at 0.86 add 0.15 x 4 x 0.16
    assert quote_from(50) == "p-short"  # floor = the 50th best, 0.846: they add 0.15 x 4 x 0.014, not enough


CROPS = ("tomatoes", "beans", "carrots", "lettuce", "squash", "peppers", "onions", "kale", "radishes", "potatoes")
CITIES = ("서울", "부산", "대구", "광주", "대전", "울산", "인천", "제주")
FOODS = ("김치찌개", "비빔밥", "불고기", "떡볶이", "냉면", "갈비탕", "잡채", "순두부")


def _garden() -> str:
    """A community garden's notes (written for this test): one sentence says who turns the compost heap."""
    lines = [
        "# Riverside community garden",
        "",
        "## Compost",
        "",
        "The compost heap is turned by volunteers from the youth club.",
        "",
        "Compost bins stand behind the tool shed. Kitchen scraps go into the green compost bin. Woody stems go into the"
        " brown compost bin. Finished compost is spread on the beds in spring. Compost gloves hang inside the shed door.",
        "",
        "## Beds",
        "",
    ]
    for i in range(50):
        lines.append(f"Raised bed {i + 1} grows {CROPS[i % 10]} and {CROPS[(i * 3 + 4) % 10]} this season.")
        if i % 4 == 3:
            lines.append("")
    return "\n".join(lines) + "\n"


def _travel() -> str:
    """Korean travel notes on food (written for this test), unrelated to any garden."""
    lines = ["# 여행 메모", ""]
    for i, city in enumerate(CITIES):
        lines += [f"## {city}", ""]
        for j, food in enumerate(FOODS):
            lines.append(f"{city}에서 {j + 2}번째로 들른 식당의 {food}은 {('맵고', '달고', '짜고', '담백하고')[(i + j) % 4]} 양이 많았다.")
        lines.append("")
    return "\n".join(lines)


@pytest.mark.slow
def test_unrelated_documents_lower_the_median_but_not_the_support_floor(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    settings.knowledge_dir.mkdir(parents=True)
    (settings.knowledge_dir / "garden.md").write_text(_garden(), encoding="utf-8")
    (settings.knowledge_dir / "travel.md").write_text(_travel(), encoding="utf-8")
    service = Verbatim(settings)
    service.ensure_ready()
    retriever = service.answerer.retriever
    # Plain cosines: language centering (on by default) brings the Korean notes closer to an English question, which
    # is its purpose, but this test needs them far from it to show what the median of every unit does.
    # The median of every unit (`support_median="index"`) is what this test shows the floor protects against.
    retriever.params = retriever.params.with_changes(language_centering=0.0, support_median="index")
    question = "Who turns the compost heap?"
    result = retriever.search(question, k=3)
    rank = 50
    floor = support_floor(result.unit_hits, result.unit_median, rank)
    # The Korean notes sit far from an English question about compost: they pull the median of every unit below the
    # question's 50 best units, which are all the garden's.
    garden = {p for p, passage in enumerate(retriever.loaded.passages) if passage.doc_id.startswith("garden")}
    assert all(h.passage in garden for h in result.unit_hits[:rank])
    assert floor > result.unit_median + 0.02
    # Measured over the documents holding the ranked passages (the default), the median is the garden's own: the
    # Korean notes no longer lower it.
    retriever.params = retriever.params.with_changes(support_median="documents")
    by_documents = retriever.search(question, k=3)
    ranked = [retriever.loaded.position[sp.passage.id] for sp in by_documents.passages]
    sampled = retriever._median_units(ranked)
    assert {retriever.loaded.passages[retriever.loaded.units[u].passage].doc_id for u in sampled.tolist()} == {
        retriever.loaded.passages[ranked[0]].doc_id
    }
    assert len(sampled) == sum(1 for u in retriever.loaded.units if u.passage in garden)
    assert by_documents.unit_median > result.unit_median + 0.02
    answer = service.ask(question)
    assert answer.answered and answer.quote is not None
    # The answering sentence opens the quote and is the one highlighted; the paragraph after it shares its passage
    # (short paragraphs of one section share one) and may follow it as context.
    sentence = "The compost heap is turned by volunteers from the youth club."
    assert answer.quote.text.startswith(sentence)
    assert [answer.quote.text[a:b] for a, b in answer.quote.highlights] == [sentence]
    assert citation_for(retriever.loaded, answer.quote.passage).passage_id == answer.quote.passage.id


def test_reference_entries_titles_and_code_give_the_quote_only_when_nothing_else_is_a_candidate() -> None:
    entry = Passage(
        "p-ref", "d", "Alakuijala, J. (2015). Comparison of Brotli. https://example.org/a.pdf", "References", None, None, 0, 0, 72
    )
    entry = dataclasses.replace(entry, kind="reference")
    prose = Passage("p-prose", "d", "Brotli compresses web content well.", "Results", None, None, 1, 74, 109)
    texts = {"d": entry.text + "\n\n" + prose.text}
    position = {"p-ref": 0, "p-prose": 1}
    hits = [UnitHit(0, 0, 0, len(entry.text), 0.95), UnitHit(1, 1, 0, len(prose.text), 0.90)]

    def quote_from(passages: list[ScoredPassage]) -> str:
        quote = choose_quote(passages, hits, 0.5, position, texts, lambda p: None)  # type: ignore[arg-type,return-value]
        assert quote is not None
        return quote.passage.id

    assert quote_from([ScoredPassage(entry, 0.95, ""), ScoredPassage(prose, 0.90, "")]) == "p-prose"
    assert quote_from([ScoredPassage(entry, 0.95, "")]) == "p-ref"  # nothing else to quote
    # A title is not an answer either (the citation names it); code likewise.
    for kind in ("title", "code"):
        other = dataclasses.replace(entry, kind=kind)
        assert quote_from([ScoredPassage(other, 0.95, ""), ScoredPassage(prose, 0.90, "")]) == "p-prose"
    # A byline may be: "who wrote it?" is answered by it.
    byline = dataclasses.replace(entry, kind="front")
    assert quote_from([ScoredPassage(byline, 0.95, ""), ScoredPassage(prose, 0.90, "")]) == "p-ref"


def test_a_question_that_asks_why_is_quoted_with_the_sentence_after() -> None:
    from index.answer_type import asks_for_reason
    from index.quotes import with_next_sentence

    for question in (
        "Why did they pick the geometric mean?",
        "為什麼要用幾何平均？",
        "为何选择几何平均？",
        "왜 기하 평균을 썼나요?",
        "그 이유는 무엇인가요?",
    ):
        assert asks_for_reason(question), question
    for question in ("What did they pick?", "Who wrote it?", "幾何平均是什麼？", "기하 평균은 무엇인가요?", "Where is the anywhy file?"):
        assert not asks_for_reason(question), question

    claim = "We chose the geometric mean over the arithmetic mean."
    reason = "The geometric mean gives poor results more weight, so one outlier cannot dominate."
    text = f"{claim} {reason} A third sentence follows here."
    assert text[: with_next_sentence(text, 0, len(claim))] == f"{claim} {reason}"
    # Too long together: the reason's leading clauses that fit, cut at a clause mark, never mid-word.
    assert (
        text[: with_next_sentence(text, 0, len(claim), limit=len(claim) + 60)]
        == f"{claim} The geometric mean gives poor results more weight,"
    )
    assert with_next_sentence(text, 0, len(claim), limit=len(claim) + 20) == len(claim)  # no clause fits: unchanged
    assert with_next_sentence(text, 0, len(text)) == len(text)  # nothing after the window

    # In a passage the two sentences together are over 300 characters, so without the rule the quote is the claim alone
    # (a longer window wins only ties, and the reason scores below the support floor).
    reason = (
        "The geometric mean gives poor results more weight, "
        + "so that one file compressed far better or worse than the rest " * 4
        + "cannot dominate."
    )
    text = f"{claim} {reason}"
    passage = Passage("p", "d", text, "", None, None, 0, 0, len(text))
    hits = [UnitHit(0, 0, 0, len(claim), 0.9), UnitHit(1, 0, len(claim) + 1, len(text), 0.6)]

    def quote(reason_asked: bool) -> str:
        chosen = choose_quote([ScoredPassage(passage, 0.9, "")], hits, 0.8, {"p": 0}, {"d": text}, lambda p: None, reason=reason_asked)  # type: ignore[arg-type,return-value]
        assert chosen is not None
        return chosen.text

    assert quote(False) == claim
    assert quote(True) == f"{claim} The geometric mean gives poor results more weight,"
