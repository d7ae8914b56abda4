"""Unit checks that need no Discord: embed limits, locale mapping, and thread-safe records."""

from __future__ import annotations

import threading
from pathlib import Path

import discord
import pytest

from bot.embeds import citation_embed, citation_lines, fit_embed, truncate
from bot.i18n import lang_for, t
from index import citations
from index.models import Citation, DocumentMeta, Passage
from index.records import AuditEntry, Feedback, Records, Unanswered
from tests.fakediscord import validate_message


def test_truncate_adds_an_ellipsis_only_when_cut() -> None:
    assert truncate("short", 10) == "short"
    assert truncate("x" * 20, 10) == "x" * 9 + "…" and len(truncate("x" * 20, 10)) == 10


def test_fit_embed_respects_every_limit() -> None:
    embed = discord.Embed(title="t" * 500, description="d" * 9000)
    embed.set_author(name="a" * 400)
    embed.set_footer(text="f" * 3000)
    for _ in range(30):
        embed.add_field(name="n" * 300, value="v" * 2000)
    fitted = fit_embed(embed).to_dict()
    assert validate_message({"embeds": [fitted]}).problems == []
    assert fitted["title"].endswith("…") and fitted["fields"][0]["value"].endswith("…")


@pytest.mark.parametrize(
    ("locale", "lang"),
    [
        (discord.Locale.taiwan_chinese, "zh-TW"),
        ("zh-CN", "zh-CN"),
        (discord.Locale.korean, "ko"),
        (discord.Locale.american_english, "en"),
        ("en-GB", "en"),
        ("ja", "en"),
        (None, "en"),
    ],
)
def test_lang_for(locale: object, lang: str) -> None:
    assert lang_for(locale) == lang  # type: ignore[arg-type]


def test_strings_are_formatted() -> None:
    assert t("ko", "answer.page", page="91") == "91쪽"
    assert t("zh-TW", "answer.page", page="91–92") == "頁91–92"


def test_records_are_thread_safe(tmp_path: Path) -> None:
    records = Records(tmp_path / "data" / "verbatim.sqlite3")

    def work(n: int) -> None:
        for i in range(25):
            records.add_feedback(Feedback("q", f"p-{n}", "up" if i % 2 else "down", user_id=n, guild_id=1, message_id=n * 1000 + i))
            records.add_unanswered(Unanswered(f"question {n}-{i}", user_id=n))
            records.add_audit(AuditEntry(actor_id=n, action="reindex", target="all", result="ok"))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(records.feedback(limit=1000)) == 200 and len(records.unanswered(limit=1000)) == 200 and len(records.audit(limit=1000)) == 200
    records.close()
    reopened = Records(tmp_path / "data" / "verbatim.sqlite3")
    assert reopened.feedback_counts()["p-3"] == {"up": 12, "down": 13}
    reopened.close()


ENGLISH = DocumentMeta(
    doc_id="attention-2017",
    title="Attention is all you need",
    author="Ashish Vaswani, Noam Shazeer and Niki Parmar",
    journal="Advances in Neural Information Processing Systems",
    issue="30",
    year=2017,
    doi="10.5555/3295222.3295349",
    language="en",
)


def _passage(text: str) -> Passage:
    return Passage(
        id="p-0123456789ab",
        doc_id=ENGLISH.doc_id,
        text=text,
        section="3 Model",
        page_start=3,
        page_end=3,
        paragraph=4,
        start=0,
        end=len(text),
    )


def test_an_english_citation_is_apa_first_without_chinese_brackets() -> None:
    citation = Citation(meta=ENGLISH, passage_id="p-0123456789ab", section="3 Model", page="3")
    passage = _passage("The Transformer follows this overall architecture.\nIt uses stacked self-attention.")
    embed = citation_embed(passage, citation, citations.rendered(citation), "en-US").to_dict()
    assert validate_message({"embeds": [embed]}).problems == []
    assert embed["title"] == "Citation · Attention is all you need"
    assert embed["description"].startswith(
        "**APA 7 (default)**\n```\nVaswani, A., Shazeer, N., & Parmar, N. (2017). Attention is all you need."
    )
    assert (
        "```md\n> The Transformer follows this overall architecture.\n> It uses stacked self-attention.\n\nVaswani, A."
        in embed["description"]
    )
    assert [f["name"] for f in embed["fields"]] == [
        "GB/T 7714—2015",
        "Chicago (author-date)",
        "BibTeX (for reference managers)",
        "RIS (for reference managers)",
    ]
    assert "Vaswani, Ashish and Shazeer, Noam and Parmar, Niki" in embed["fields"][2]["value"]
    lines = citation_lines(citation, "en-US")
    assert "〈" not in lines + str(embed) and lines.startswith(
        "Ashish Vaswani, Noam Shazeer and Niki Parmar, “Attention is all you need”\n"
    )
    assert "Advances in Neural Information Processing Systems no. 30, 2017" in lines


def test_a_long_passage_keeps_the_citation_embed_within_limits_and_its_code_blocks_closed() -> None:
    citation = Citation(meta=ENGLISH, passage_id="p-0123456789ab", section="", page="3")
    passage = _passage("word " * 2000)
    embed = citation_embed(passage, citation, citations.rendered(citation), "zh-TW").to_dict()
    assert validate_message({"embeds": [embed]}).problems == []
    for value in [embed["description"], *(f["value"] for f in embed["fields"])]:
        assert value.count("```") == (4 if value is embed["description"] else 2)
    assert embed["description"].startswith("**APA 7（預設）**") and "…\n\nVaswani, A." in embed["description"]
