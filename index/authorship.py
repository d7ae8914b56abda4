"""Questions of who wrote a document, and the passages that name a document's authors (byline, author section, line)."""

from __future__ import annotations

import re

from index.models import Passage

# "Who wrote / is the author of…", 作者是誰 / 誰寫的 / 由誰撰寫, 저자는 누구 / 누가 썼나요. Not "why did the authors…",
# "作者怎麼…" or "Preact 的作者是在哪一天…": those ask what the authors did, which any passage may tell.
_ASKS_AUTHOR = re.compile(
    r"\bwho\s+(?:wrote|authored|has\s+written|drafted)\b"
    r"|\bwho\s+(?:is|are|was|were)\s+(?:the\s+|its\s+|their\s+)?(?:authors?|writers?|author\(s\))\b"
    r"|\b(?:written|authored)\s+by\s+whom\b|\bwhose\s+(?:paper|article|work|essay|document)\b"
    r"|作者(?:是|為|为|有)[誰谁哪]|[誰谁](?:是|為|为)作者"
    r"|[誰谁](?:寫|写|撰寫|撰写|編寫|编写|執筆|执笔|著)的|由[誰谁](?:寫|写|撰寫|撰写|編寫|编写|執筆|执笔)"
    r"|(?:저자|작성자|지은이|글쓴이|필자|저작자)(?:는|은|가|이)?\s*누구|누가\s*(?:썼|쓴|작성|집필|저술)",
    re.IGNORECASE,
)

# A section that presents the authors: "Authors", "About the author", 作者簡介, 关于作者, 저자, 작성자 소개.
_AUTHOR_SECTION = re.compile(
    r"^(?:about\s+the\s+)?(?:authors?|author\(s\)|writers?|contributors)(?:\s+information)?$"
    r"|^(?:關於|关于)?作者(?:簡介|简介|資訊|信息|介紹|介绍)?$"
    r"|^(?:저자|작성자|지은이|글쓴이|필자)(?:\s*소개|\s*정보)?$",
    re.IGNORECASE,
)
# A line that names them: "Author(s): Jason Buberel", "Written by …", 作者：…, 저자: …, or a byline's note on them
# ("＊作者為國立高雄大學…副教授", "* The author is …").
_AUTHOR_LINE = re.compile(
    r"^\s*[＊*†‡]?\s*(?:(?:authors?|author\(s\)|written\s+by|作者|撰文|撰稿|저자|작성자|지은이|글쓴이)\s*[:：]"
    r"|作者(?:為|为|是|係|系)|the\s+authors?\s+(?:is|are)\b|저자는)",
    re.IGNORECASE | re.MULTILINE,
)


# A sentence that says who wrote it: "written by …", 本指南是由 @abbycabs 编写的, …가 작성했다, …에서 제작하였습니다.
_AUTHOR_STATEMENT = re.compile(
    r"\b(?:written|authored|compiled)\s+by\b"
    r"|由[^。！？\n]{1,40}?(?:编写|編寫|撰写|撰寫|執筆|执笔|寫成|写成|编著|編著)"
    r"|(?:이|가|께서|에서)\s*(?:작성|집필|저술|제작)(?:했|하였)",
    re.IGNORECASE,
)


def asks_for_author(question: str) -> bool:
    """Whether the question asks who wrote a document (or who its authors are)."""
    return bool(_ASKS_AUTHOR.search(question))


def names_authors(passage: Passage) -> bool:
    """Whether a passage is where a document names its authors: a PDF's byline (kind "front"), a passage of a section
    that presents them, one with an "Author:" line, or one that says who wrote the text."""
    if passage.kind == "front":
        return True
    section = passage.section.rsplit("›", 1)[-1].strip()
    return bool(_AUTHOR_SECTION.match(section) or _AUTHOR_LINE.search(passage.text) or _AUTHOR_STATEMENT.search(passage.text))
