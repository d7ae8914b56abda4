"""/cite (and its autocomplete), /sources, /help, the cooldown, and UI strings per locale."""

from __future__ import annotations

import re

import pytest

from bot import translation as translation_strings
from bot.cogs.kb import strings as kb_strings
from bot.i18n import COMMAND_TRANSLATIONS, LANGS, STRINGS
from index.service import Verbatim
from tests.bot.helpers import QUESTIONS, ask_options, is_ephemeral
from tests.fakediscord import FakeDiscord


async def test_cite_command(fake: FakeDiscord, bot, article_service: Verbatim) -> None:
    passage = article_service.loaded.passages[3]
    citation = article_service.citation(passage)
    ix = await fake.send_command("cite", [{"name": "passage", "type": 3, "value": passage.id.upper()}], locale="zh-TW")
    message = await ix.wait_response()
    assert ix.response_type == 4 and is_ephemeral(message)
    [embed] = message["embeds"]
    assert embed["title"] == "引用格式 · 〈朝鮮半島無核化以及終戰宣言對話與觀察〉"
    assert embed["description"].startswith("**GB/T 7714—2015（預設）**") and citation.chinese() in embed["description"]
    assert "引文與出處" in embed["description"]
    names = [f["name"] for f in embed["fields"]]
    assert names == ["APA 7", "Chicago (author-date)", "BibTeX（匯入書目管理軟體）", "RIS（匯入書目管理軟體）"]
    assert citation.styles()["apa"] in embed["fields"][0]["value"] and citation.bibtex() in embed["fields"][2]["value"]


async def test_cite_unknown_passage_is_a_short_private_error(fake: FakeDiscord, bot) -> None:
    ix = await fake.send_command("cite", [{"name": "passage", "type": 3, "value": "p-nope"}], locale="en-US")
    message = await ix.wait_response()
    assert is_ephemeral(message) and "There is no passage with the id `p-nope`" in message["embeds"][0]["description"]


async def test_cite_autocomplete_offers_passage_ids(fake: FakeDiscord, bot, article_service: Verbatim) -> None:
    ix = await fake.send_autocomplete("cite", [{"name": "passage", "type": 3, "value": "平壤宣言", "focused": True}])
    await ix.wait_ack()
    assert ix.response_type == 8 and 0 < len(ix.choices) <= 25
    for choice in ix.choices:
        found = article_service.find_passage(choice["value"])
        assert found is not None and "平壤宣言" in found.text


@pytest.mark.parametrize(
    ("locale", "title", "count"), [("en-US", "Sources", "passages"), ("zh-TW", "資料來源", "個段落"), ("ko", "출처 문서", "단락")]
)
async def test_sources_lists_documents_with_metadata(
    fake: FakeDiscord, bot, article_service: Verbatim, locale: str, title: str, count: str
) -> None:
    ix = await fake.send_command("sources", locale=locale)
    message = await ix.wait_response()
    embed = message["embeds"][0]
    assert is_ephemeral(message) and embed["title"] == title
    [field] = embed["fields"]
    assert field["name"] == "〈朝鮮半島無核化以及終戰宣言對話與觀察〉"
    for expected in (
        "河凡植",
        "戰略安全研析",
        "Journal of Strategic and Security Analyses",
        "no. 153",
        "民國108年1月",
        "91–98",
        "doi:10.30382",
        count,
    ):
        assert expected in field["value"], expected
    assert str(len(article_service.loaded.passages)) in field["value"]


@pytest.mark.parametrize(
    ("locale", "title", "ask_name"),
    [
        ("en-US", "How to use Verbatim", "/ask"),
        ("zh-TW", "Verbatim 使用說明", "/提問"),
        ("zh-CN", "Verbatim 使用说明", "/提问"),
        ("ko", "Verbatim 사용법", "/질문하기"),
    ],
)
async def test_help_in_the_users_language(fake: FakeDiscord, bot, locale: str, title: str, ask_name: str) -> None:
    ix = await fake.send_command("help", locale=locale)
    message = await ix.wait_response()
    embed = message["embeds"][0]
    assert is_ephemeral(message) and embed["title"] == title
    commands = embed["fields"][0]["value"]
    assert ask_name in commands and commands.count("**/") >= 4


async def test_cooldown_says_when_to_retry(fake: FakeDiscord, launch) -> None:
    await launch(cooldown_rate=2, cooldown_seconds=30)
    locale, question = QUESTIONS["zh-Hant"]
    for _ in range(2):
        ix = await fake.send_command("ask", ask_options(question), locale=locale)
        assert (await ix.wait_response())["embeds"][0]["fields"][0]["name"] == "出處"
    # The context menu shares the same per-user budget.
    blocked = await fake.send_context_menu("Ask Verbatim", content=question, locale=locale)
    message = await blocked.wait_response()
    assert blocked.response_type == 4 and is_ephemeral(message)
    embed = message["embeds"][0]
    assert embed["title"] == "請稍候" and "30 秒內已經問了 2 個問題" in embed["description"]
    assert re.search(r"<t:\d+:R>", embed["description"]) and re.search(r"（\d+ 秒後）", embed["description"])
    # Another user is not affected; the English message reads in English.
    other = fake.member(name="other")
    ok = await fake.send_command("ask", ask_options(question), member=other, locale="en-US")
    assert (await ok.wait_response())["embeds"][0]["fields"][0]["name"] == "Citation"
    english = await fake.send_command("ask", ask_options(question), locale="en-US")
    assert "Try again <t:" in (await english.wait_response())["embeds"][0]["description"]


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("zh-TW", "文件中沒有答案"),
        ("zh-CN", "文档中没有答案"),
        ("en-US", "Not covered by the documents"),
        ("en-GB", "Not covered by the documents"),
        ("ko", "문서에 답이 없습니다"),
        ("fr", "Not covered by the documents"),
    ],
)
async def test_ui_strings_follow_the_locale(fake: FakeDiscord, bot, locale: str, expected: str) -> None:
    ix = await fake.send_command("ask", ask_options("What is the population of Tokyo?"), locale=locale)
    assert (await ix.wait_response())["embeds"][0]["title"] == expected


def test_every_ui_string_exists_in_every_language() -> None:
    # The /kb cog and the bot's setup_hook register these when they load; check them even when they have not.
    kb_strings.register()
    translation_strings.register_strings()
    for key, table in STRINGS.items():
        assert set(table) == set(LANGS), key
        fields = {lang: sorted(re.findall(r"{(\w+)}", text)) for lang, text in table.items()}
        assert len({tuple(f) for f in fields.values()}) == 1, (key, fields)
    for source, table in COMMAND_TRANSLATIONS.items():
        assert set(table) == {"zh-TW", "zh-CN", "ko"}, source
