"""Questions of who wrote a document: answered from the passage that names its authors, or refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from index.authorship import asks_for_author, names_authors, personal_names, writes_mostly_names
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
        "那篇压缩算法对比的论文，作者都有谁？",
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
        "这篇文章的作者都有哪些建议？",
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


def _index_of(settings: Settings, documents: dict[str, str]) -> Verbatim:
    """A real index (model, FAISS) of these documents of our own, by file name, without the article."""
    for name, text in documents.items():
        (settings.knowledge_dir / name).write_text(text, encoding="utf-8")
    service = Verbatim(settings)
    service.ensure_ready()
    return service


@pytest.fixture
def two_documents(settings_factory: Callable[..., Settings]) -> Verbatim:
    """Two documents: one names its authors, one does not."""
    return _index_of(settings_factory(with_article=False), {"contributor-guide.md": GUIDE, "release-process.md": RELEASES})


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


def test_the_people_of_an_author_field_leave_out_groups_and_notes() -> None:
    assert personal_names("Dan Abramov, Sophie Alpert and Andrew Clark; Korean translation by the ko.react.dev contributors") == [
        "Dan Abramov",
        "Sophie Alpert",
        "Andrew Clark",
    ]
    assert personal_names("Boris Veytsman and the acmart authors (sample with fictitious authors Ben Trovato et al.)") == ["Boris Veytsman"]
    assert personal_names("河凡植、李明") == ["河凡植", "李明"]
    assert personal_names("Jane Doe, John Roe, and others") == personal_names("Jane Doe, John Roe et al.") == ["Jane Doe", "John Roe"]
    assert personal_names("Doe, Jane") == ["Doe, Jane", "Jane Doe"]  # also as a byline writes it
    # A group, a company or product, a handle, nothing: no person to look for.
    for author in ("The Apache RocketMQ contributors", "Vue 팀", "Google LLC", "Brightline", "others", "Ir1d", "", None, ["Jane Doe"]):
        assert personal_names(author) == [], author


def test_a_byline_is_mostly_the_names_it_gives() -> None:
    people = ["Dan Abramov", "Sophie Alpert", "Andrew Clark"]
    assert writes_mostly_names("2023년 5월 3일, Dan Abramov, Sophie Alpert, Andrew Clark", people)
    assert writes_mostly_names("By Dan Abramov and Andrew Clark, May 2023", people)
    assert not writes_mostly_names("Dan Abramov explained the new release channel in a talk last spring.", people)
    assert not writes_mostly_names("李明博訪問美國", ["李明"])  # a longer name that starts with it
    assert writes_mostly_names("李明＊", ["李明"])
    assert not writes_mostly_names("", people)


POST = """---
title: Lanternfish 2.0 is out
author: Mira Okafor, Dev Patel
---

March 3, 2024 · Mira Okafor, Dev Patel

Lanternfish 2.0 reads compressed sensor logs directly and is three times faster on large archives.

The command line keeps every flag of the 1.x series, so existing scripts keep working.
"""

KOREAN_RELEASES = """# 헤론베이 프로젝트의 배포 절차

헤론베이는 6주마다 새 부버전을 프로젝트 블로그에 발표합니다.
배포 담당자는 변경 기록을 쓰고, 배포에 태그를 달고, 압축 파일에 서명합니다.
보안 수정은 가장 최근의 두 부버전에 반영됩니다.
"""


@pytest.fixture
def post_and_korean_guide(settings_factory: Callable[..., Settings]) -> Verbatim:
    """A post whose byline has no label (its authors in the front matter) and a Korean page naming none."""
    return _index_of(settings_factory(with_article=False), {"lanternfish-2-0.md": POST, "heronbay-releases-ko.md": KOREAN_RELEASES})


def test_a_byline_without_a_label_names_the_authors_its_metadata_gives(post_and_korean_guide: Verbatim) -> None:
    for question in ("Who wrote the Lanternfish 2.0 release post?", "Lanternfish 2.0 발표 글은 누가 썼나요?"):
        answer = post_and_korean_guide.ask(question)
        assert answer.answered and answer.quote is not None, (question, answer.reason)
        assert "Mira Okafor, Dev Patel" in answer.quote.text, (question, answer.quote.text)
        start, end = answer.quote.highlights[0]  # the answering line the reader's eye goes to is the byline
        assert "Mira Okafor" in answer.quote.text[start:end] and "faster" not in answer.quote.text[start:end]
    # The Korean page names no author: refused, not answered with the post's byline.
    answer = post_and_korean_guide.ask("헤론베이 배포 절차 문서는 누가 작성했나요?")
    assert not answer.answered and answer.missing == "author"
    # A Korean question whose wording is the Korean page's (배포, 문서) but which names the post: the name decides.
    named = "Lanternfish 배포 문서는 누가 작성했나요?"
    answer = post_and_korean_guide.ask(named)
    assert answer.answered and answer.quote is not None and "Mira Okafor" in answer.quote.text, answer.reason
    retriever = post_and_korean_guide.answerer.retriever
    retriever.params = retriever.params.with_changes(author_by_names=False)
    assert post_and_korean_guide.ask(named).missing == "author"  # taken to be about the Korean page, which names no one
    retriever.params = retriever.params.with_changes(author_by_names=True)
    # Without the rule the byline line is an ordinary sentence: the question is refused.
    retriever.params = retriever.params.with_changes(author_bylines=False)
    answer = post_and_korean_guide.ask("Who wrote the Lanternfish 2.0 release post?")
    assert not answer.answered or "Mira Okafor" not in (answer.quote.text if answer.quote else "")
