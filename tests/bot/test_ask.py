"""/ask end to end: four languages, public and private answers, not covered, mentions, limits, the context menu."""

from __future__ import annotations

import asyncio

import pytest

from index.models import Answer, Citation, DocumentMeta, Passage, Quote, ScoredPassage
from index.service import Verbatim
from tests.bot.helpers import NOT_COVERED, QUESTIONS, StubService, ask_options, custom_ids, is_ephemeral, text_of
from tests.fakediscord import FakeDiscord, validate_message

CITATION_LABEL = {"zh-TW": "出處", "zh-CN": "出处", "en-US": "Citation", "ko": "출처"}
PAGE = {"zh-TW": "頁{}", "zh-CN": "页{}", "en-US": "p. {}", "ko": "{}쪽"}
BUTTONS = {
    "zh-TW": ["上下文", "引用", "分享"],
    "zh-CN": ["上下文", "引用", "分享"],
    "en-US": ["Context", "Cite", "Share"],
    "ko": ["문맥", "인용", "공유"],
}


@pytest.mark.parametrize("language", list(QUESTIONS))
async def test_ask_in_each_language(fake: FakeDiscord, bot, article_service: Verbatim, language: str) -> None:
    locale, question = QUESTIONS[language]
    expected = article_service.ask(question)
    assert expected.answered and expected.quote is not None, f"retrieval no longer answers {question!r}"
    ix = await fake.send_command("ask", ask_options(question), locale=locale)
    ack = await ix.wait_ack()
    assert ack["type"] == 5 and ix.ack_latency < 1.0  # deferred at once
    message = await ix.wait_response()
    assert is_ephemeral(message)  # private by default
    embed = message["embeds"][0]
    quote = expected.quote
    # The verified quote, with the answering sentence in bold.
    start, end = quote.highlights[0]
    assert "**" + quote.text[start:end].strip() in embed["description"]
    assert quote.text[:20] in embed["description"]
    citation = embed["fields"][0]
    assert citation["name"] == CITATION_LABEL[locale]
    assert (
        "河凡植" in citation["value"]
        and "朝鮮半島無核化以及終戰宣言對話與觀察" in citation["value"]
        and "戰略安全研析" in citation["value"]
    )
    assert PAGE[locale].format(quote.passage.page) in citation["value"]
    assert "https://doi.org/10.30382/SSA.201812_%28153%29.0009" in citation["value"]
    assert len(embed["fields"]) <= 3  # citation + at most two further passages
    assert expected.index_version in embed["footer"]["text"] and quote.passage.id in embed["footer"]["text"]
    labels = [c.get("label") for row in message["components"] for c in row["components"]]
    assert labels[:3] == BUTTONS[locale]
    assert [c["emoji"]["name"] for row in message["components"] for c in row["components"]][3:] == ["👍", "👎"]
    assert message["allowed_mentions"] == {"parse": []}


async def test_public_answer_is_posted_in_the_channel(fake: FakeDiscord, bot) -> None:
    locale, question = QUESTIONS["zh-Hant"]
    ix = await fake.send_command("ask", ask_options(question, public=True), locale=locale)
    assert (await ix.wait_ack()) == {**ix.callbacks[0]} and ix.callbacks[0]["type"] == 5
    message = await ix.wait_response()
    assert not is_ephemeral(message) and message["embeds"]


@pytest.mark.parametrize("public", [False, True])
async def test_not_covered_is_said_privately_and_recorded(fake: FakeDiscord, bot, records, public: bool) -> None:
    ix = await fake.send_command("ask", ask_options(NOT_COVERED, public=public), locale="en-US")
    await ix.wait_ack()
    message = await ix.wait_response()
    assert is_ephemeral(message)  # even when `public` was asked for
    embed = message["embeds"][0]
    assert embed["title"] == "Not covered by the documents"
    assert all("(not an answer)" in f["name"] for f in embed["fields"]) and embed["fields"]
    assert not message.get("components")  # nothing to cite or share
    if public:
        assert ix.deleted  # the public "thinking…" placeholder was removed
    # The record is written just after the reply: give it a moment.
    for _ in range(100):
        if records.unanswered():
            break
        await asyncio.sleep(0.05)
    [record] = records.unanswered()
    assert record.question == NOT_COVERED and record.user_id == fake.default_member.id and record.guild_id == fake.guild_id
    assert record.closest_passage_id and record.reason


async def test_not_covered_in_chinese(fake: FakeDiscord, bot) -> None:
    ix = await fake.send_command("ask", ask_options(NOT_COVERED), locale="zh-TW")
    embed = (await ix.wait_response())["embeds"][0]
    assert embed["title"] == "文件中沒有答案" and "並非答案" in embed["fields"][0]["name"]


async def test_mentions_in_questions_never_ping(fake: FakeDiscord, bot) -> None:
    role = fake.moderator_role_id
    question = f"@everyone @here <@&{role}> <@{fake.default_member.id}> 平壤宣言承諾了什麼？"
    ix = await fake.send_command("ask", ask_options(question, public=True), locale="zh-TW")
    answer = await ix.wait_response()
    assert "@everyone" in text_of(answer)  # shown, but inert
    share = await fake.click_button(answer, custom_ids(answer)[2])
    await share.wait_response()
    menu = await fake.send_context_menu("Ask Verbatim", content=f"@everyone <@&{role}> what about {NOT_COVERED}")
    await menu.wait_response()
    assert fake.pinging_messages() == []
    for interaction in fake.interactions:
        for message in interaction.messages:
            assert message["allowed_mentions"] == {"parse": []}, message


async def test_context_menu_asks_the_selected_message(fake: FakeDiscord, bot, article_service: Verbatim) -> None:
    locale, question = QUESTIONS["ko"]
    ix = await fake.send_context_menu("Ask Verbatim", content=question, locale=locale)
    assert (await ix.wait_ack())["type"] == 5
    message = await ix.wait_response()
    assert is_ephemeral(message)
    expected = article_service.ask(question)
    assert expected.quote is not None and expected.quote.passage.id in message["embeds"][0]["footer"]["text"]
    assert message["embeds"][0]["fields"][0]["name"] == "출처"


async def test_context_menu_on_an_empty_or_huge_message(fake: FakeDiscord, bot) -> None:
    empty = await fake.send_context_menu("Ask Verbatim", content="", locale="en-US")
    message = await empty.wait_response()
    assert is_ephemeral(message) and "no text" in message["embeds"][0]["description"]
    huge = await fake.send_context_menu("Ask Verbatim", content="平壤宣言 " * 200, locale="zh-TW")
    message = await huge.wait_response()
    assert (
        is_ephemeral(message)
        and "這個問題無法搜尋" in message["embeds"][0]["description"]
        and "too long" in message["embeds"][0]["description"]
    )
    assert "Traceback" not in text_of(message)


def _giant_answer(real: Verbatim, question: str) -> Answer:
    meta = DocumentMeta(
        doc_id="giant",
        title="題" * 400,
        author="作者" * 300,
        journal="期刊" * 300,
        journal_en="J" * 700,
        issue="9" * 50,
        year=2019,
        doi="10.1/" + "x" * 900,
    )
    text = ("這是一個非常長的段落，" * 500)[:5000] + "*_`|>@everyone"
    passage = Passage(
        id="p-000000000000", doc_id="giant", text=text, section="節" * 500, page_start=1, page_end=999, paragraph=1, start=0, end=len(text)
    )
    citation = Citation(meta=meta, passage_id=passage.id, section=passage.section, page=passage.page)
    quote = Quote(text=text, highlights=((10, 4000),), passage=passage, citation=citation)
    others = tuple(ScoredPassage(Passage(**{**passage.to_dict(), "id": f"p-00000000000{i}"}), 0.9) for i in range(1, 4))
    return Answer(
        question=question, answered=True, quote=quote, passages=(ScoredPassage(passage, 0.95),) + others, index_version="v" * 3000
    )


async def test_the_embed_always_fits_discords_limits(fake: FakeDiscord, launch, article_service: Verbatim) -> None:
    await launch(service=StubService(article_service, lambda q, k: _giant_answer(article_service, q)))
    ix = await fake.send_context_menu("Ask Verbatim", content="why " * 120, locale="en-US")
    message = await ix.wait_response()
    embed = message["embeds"][0]
    assert not validate_message({"embeds": message["embeds"], "components": message["components"]}).problems
    assert embed["description"].endswith("…") and embed["author"]["name"].endswith("…")
    assert ix.rejected == []


@pytest.mark.parametrize(
    ("locale", "question", "said"),
    [("en-US", "How much did the Singapore summit cost?", "amount of money"), ("zh-TW", "美朝新加坡峰會花了多少錢？", "金額")],
)
async def test_a_figure_the_documents_never_give_is_named_in_the_refusal(
    fake: FakeDiscord, bot, locale: str, question: str, said: str
) -> None:
    """The article speaks of the summit but never of its cost: the refusal says what is missing, not only 'not covered'."""
    ix = await fake.send_command("ask", ask_options(question), locale=locale)
    embed = (await ix.wait_response())["embeds"][0]
    assert embed["title"] in ("Not covered by the documents", "文件中沒有答案")
    assert said in embed["description"], embed["description"]
    # A question the documents do not cover at all keeps the plain wording.
    plain = await fake.send_command("ask", ask_options(NOT_COVERED), locale="en-US")
    assert "amount of money" not in (await plain.wait_response())["embeds"][0]["description"]
