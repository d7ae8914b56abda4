"""Questions of who wrote a document: answered from the passage that names its authors, or refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from index.authorship import asks_for_author, names_authors
from index.config import Settings
from index.models import Passage
from index.service import Verbatim


def _passage(text: str, section: str = "", kind: str = "prose") -> Passage:
    return Passage("d#1", "d", text, section, None, None, 0, 0, len(text), kind)


def test_questions_of_who_wrote_a_document_in_every_language() -> None:
    for question in (
        "Who wrote the Go security policy proposal?",
        "Who are the authors of the MultiVae paper?",
        "Who is the author of this guide?",
        "语义化版本规范是谁写的？",
        "這篇文章的作者是誰？",
        "这份文档由谁编写？",
        "이 논문의 저자는 누구인가요?",
        "이 가이드는 누가 썼나요?",
        "블로그 글은 누가 작성했나요?",
    ):
        assert asks_for_author(question), question
    # What the authors did, or someone else's author: any passage may tell.
    for question in (
        "Why did the authors average results with the geometric mean?",
        "作者為什麼要做 MultiVae？",
        "作者怎麼確保這些模型的實作是可靠的？",
        "Preact 的作者是在哪一天寫文章把群島的概念整理出來的？",
        "What should a library author do after noticing a change?",
        "Who maintains the project?",
        # Who writes something a document describes, not the document itself (a review's faults).
        "Who wrote the changelog for the last release?",
        "Who is the author of a pull request supposed to ping?",
        "變更紀錄是誰寫的？",
        "誰寫的程式碼需要審查？",
        "커밋 메시지는 누가 작성해야 하나요?",
        "저자는 누구에게 감사했나요?",
    ):
        assert not asks_for_author(question), question


def test_a_byline_an_author_section_or_line_or_a_statement_names_authors() -> None:
    assert names_authors(_passage("Jyrki Alakuijala, Evgenii Kliuchnikov\nGoogle, Inc.", kind="front"))
    assert names_authors(_passage("유의적 버전 명세는 톰 프레스턴-베르너가 작성했다.", section="유의적 버전 명세 › 작성자"))
    assert names_authors(_passage("Jane Doe is a maintainer of the project.", section="About the author"))
    assert names_authors(_passage("Author(s): Jason Buberel\n\nLast updated: 2015-07-31"))
    assert names_authors(_passage("Field | Value\nStatus | Draft\nWritten by | Tomas Brenner", kind="table"))
    assert names_authors(_passage("朝鮮半島無核化以及終戰宣言對話與觀察\n河凡植＊\n＊作者為國立高雄大學副教授。"))
    assert names_authors(_passage("本指南是由 @abbycabs 编写的，欢迎提出修改。"))
    assert names_authors(_passage("This handbook was written by the release team."))
    assert not names_authors(_passage("A library author should file a bug when behaviour changes."))
    # Other writings, or not who wrote anything (a review's faults).
    for text in (
        "The parser is written by hand in C.",
        "该程序由 Python 编写。",
        "由於程式以 C 語言編寫，速度很快。",
        "보고서는 매주 팀장이 작성했다.",
    ):
        assert not names_authors(_passage(text)), text
    assert not names_authors(_passage("Alice and Bob sent patches.", section="Contributors"))
    assert not names_authors(_passage("作者怎麼確保實作可靠：重現關鍵結果。", section="方法"))


GUIDE = """# The Lanternfish contributor guide

Lanternfish parses sensor logs. New contributors start with issues labelled "good first issue".

## Reviews

Every pull request needs the approval of a maintainer before it is merged.

## Authors

This guide was written by Mira Okafor and Dev Patel, who maintain the parser.
"""

RELEASES = """# Release process of the Heronbay project

Heronbay publishes a new minor version every six weeks on the project blog.
The release manager writes the changelog, tags the release and signs the archives.
Security fixes are backported to the two most recent minor versions.
"""


@pytest.fixture
def two_documents(settings_factory: Callable[..., Settings]) -> Verbatim:
    """A real index (model, FAISS) of two documents of our own: one names its authors, one does not."""
    settings = settings_factory(with_article=False)
    (settings.knowledge_dir / "contributor-guide.md").write_text(GUIDE, encoding="utf-8")
    (settings.knowledge_dir / "release-process.md").write_text(RELEASES, encoding="utf-8")
    service = Verbatim(settings)
    service.ensure_ready()
    return service


def test_who_wrote_a_document_is_quoted_from_its_author_section_or_refused(two_documents: Verbatim) -> None:
    for question in (
        "Who wrote the Lanternfish contributor guide?",
        "Lanternfish 기여 가이드는 누가 썼나요?",
    ):
        answer = two_documents.ask(question)
        assert answer.answered and answer.quote is not None, (question, answer.reason)
        assert "Mira Okafor" in answer.quote.text, (question, answer.quote.text)
    # The release process names no author: refused, though its subject is covered.
    answer = two_documents.ask("Who wrote the Heronbay release process document?")
    assert not answer.answered
    assert answer.missing == "author"
    assert answer.gate["margin"] >= answer.gate["bar"]
    # With the rule off, the same question gets a confident quote of some other sentence (what the rule replaces).
    retriever = two_documents.answerer.retriever
    retriever.params = retriever.params.with_changes(author_answers=False)
    answer = two_documents.ask("Who wrote the Heronbay release process document?")
    assert answer.answered and answer.quote is not None and "Mira" not in answer.quote.text
