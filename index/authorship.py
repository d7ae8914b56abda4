"""Questions of who wrote a document, and the passages that name a document's authors (byline, author section, line)."""

from __future__ import annotations

import re
import unicodedata

from index.citations import split_authors
from index.models import Passage

# A byline without a label sits among a document's first passages (after its title).
BYLINE_PASSAGES = 2

# "Who wrote / is the author of…", 作者是誰 / 誰寫的 / 由谁编写, 저자는 누구 / 누가 썼나요, about a piece of writing the
# question names (`_WRITING`). Not "why did the authors…", "作者怎麼…", "the author of a pull request", nor who writes
# something a document describes ("Who writes the changelog?", 커밋 메시지는 누가 작성해야 하나요): any passage may answer those.
_ASKS_AUTHOR = re.compile(
    r"\bwho\s+(?:wrote|authored|has\s+written|drafted)\b"
    r"|\bwho(?:\s+(?:is|are|was|were)|'s)\s+(?:the|its|their)\s+(?:authors?|writers?|author\(s\))\b(?!\s+of\s+(?:an?|each|every)\b)"
    r"|\b(?:written|authored)\s+by\s+whom\b|\bwhose\s+(?:paper|article|work|essay|document)\b"
    r"|作者(?:都|又|分別|分别)?(?:是|為|为|有)(?:[誰谁]|哪(?:位|幾位|几位|些人))|[誰谁](?:是|為|为)作者"
    r"|[誰谁](?:寫|写|撰寫|撰写|編寫|编写|執筆|执笔|著)的|由[誰谁](?:寫|写|撰寫|撰写|編寫|编写|執筆|执笔)"
    r"|(?:저자|작성자|지은이|글쓴이|필자|저작자)(?:는|은|가|이)?\s*누구(?!에게|한테|와|랑|를|을)"
    r"|누가\s*(?:썼|쓴|작성했|작성한|집필했|집필한|저술했|저술한)",
    re.IGNORECASE,
)
# The piece of writing asked about: a kind of text, a title in brackets or quotes, or "this" closing the question.
_WRITING = re.compile(
    r"\b(?:paper|article|guide|post|page|document|docs|documentation|spec|specification|proposal|book|chapter|section"
    r"|report|handbook|tutorial|manual|whitepaper|essay|blog|standard|rfc|best\s+practices|policy|lecture|notes?"
    r"|leaflet|pamphlet|brochure|text)s?\b|\bthis\s*\?"
    r"|文章|文件|文檔|文档|指南|規範|规范|規格|规格|論文|论文|白皮書|白皮书|手冊|手册|書|书|章|節|节|頁|页|篇|部落格|博客|本文"
    r"|提案|報告|报告|教程|教材|說明|说明|標準|标准|講義|讲义|[〈《「『“\"]"
    r"|문서|논문|가이드|글|책|장|절|명세|백서|보고서|페이지|포스트|블로그|튜토리얼|규격|표준|제안|설명서|매뉴얼|안내서|핸드북|교재|팸플릿|리플릿",
    re.IGNORECASE,
)

# A section that presents the authors: "Authors", "About the author", 作者簡介, 关于作者, 저자, 작성자 소개.
_AUTHOR_SECTION = re.compile(
    r"^(?:about\s+the\s+)?(?:authors?|author\(s\)|writers?)(?:\s+information)?$"
    r"|^(?:關於|关于)?作者(?:簡介|简介|資訊|信息|介紹|介绍)?$"
    r"|^(?:저자|작성자|지은이|글쓴이|필자)(?:\s*소개|\s*정보)?$",
    re.IGNORECASE,
)
# A line that names them: "Author(s): Jason Buberel", "Written by | …" (a table's row), 作者：…, 저자: …, or a byline's note on them
# after its mark ("＊作者為國立高雄大學…副教授", "* The author is …").
_AUTHOR_LINE = re.compile(
    r"^\s*(?:(?:authors?|author\(s\)|written\s+by|作者|撰文|撰稿|저자|작성자|지은이|글쓴이)\s*[:：|｜]"
    r"|[＊*†‡]\s*(?:作者(?:為|为|是|係|系)|the\s+authors?\s+(?:is|are)\b|저자는))",
    re.IGNORECASE | re.MULTILINE,
)
# A sentence that says who wrote the text itself: "written by Jane Doe", 本指南是由 @abbycabs 编写的, 본 팸플릿은 …
# 프로젝트에서 제작하였습니다. Not "written by hand", 该程序由 Python 编写 or 보고서는 팀장이 작성했다 (other writings).
_AUTHOR_STATEMENT = re.compile(
    r"\b(?:written|authored)\s+by\s+(?-i:[@A-Z])"
    r"|\bthis\s+(?:guide|handbook|document|paper|article|book|specification|post|page|report|tutorial)\b[^.\n]{0,40}?"
    r"\b(?:written|authored|compiled|prepared)\s+by\b"
    r"|(?:本|此|這|这)(?:份|篇|本|部)?(?:指南|文章|文|篇|書|书|規範|规范|文件|文档|文檔|手冊|手册|論文|论文|教程|白皮書|白皮书)"
    r"[^。！？\n]{0,20}?由[^。！？\n]{1,40}?(?:编写|編寫|撰写|撰寫|執筆|执笔|寫成|写成|编著|編著)"
    r"|(?:본|이)\s*(?:명세|문서|글|가이드|논문|책|백서|팸플릿|리플릿|안내서|자료|보고서|핸드북)(?:는|은)[^.。\n]{0,120}?"
    r"(?:이|가|께서|에서)\s*(?:작성|집필|저술|제작)(?:했|하였)",
    re.IGNORECASE,
)


def asks_for_author(question: str) -> bool:
    """Whether the question asks who wrote a piece of writing it names (or who its authors are)."""
    return bool(_ASKS_AUTHOR.search(question)) and bool(_WRITING.search(question))


# Words of an author field that name a group rather than a person ("the ko.react.dev contributors", "the acmart authors").
_COLLECTIVE = re.compile(
    r"\b(?:contributors?|authors?|team|project|community|foundation|organi[sz]ation|group|members|maintainers|"
    r"translators?|translation|translated|editors?|editorial|board|committee|staff|inc|ltd|llc|corporation|"
    r"university|others|anonymous|unknown|admin|administrator)\b"
    r"|貢獻者|贡献者|團隊|团队|社群|社区|社區|基金會|基金会|編輯部|编辑部|기여자|팀|재단|편집부",
    re.IGNORECASE,
)
# "et al.", "and others", 等 / 等人 / 외: the people before them are still named.
_AND_OTHERS = re.compile(r",?\s*(?:\bet\s+al\b\.?|\band\s+others\b|等人?$|\s외$)", re.IGNORECASE)


def personal_names(author: object) -> list[str]:
    """The people an author field names (metadata, front matter), each as written and, for "Doe, Jane", as "Jane Doe":
    a name of at least two Chinese or Korean characters, or of at least two Latin words (a single word may be a
    company, a product or a handle); groups and notes in brackets left out."""
    if not isinstance(author, str):
        return []
    names = []
    for part in re.split(r"[;；]", re.sub(r"[(（][^)）]*[)）]", "", author)):
        for name in split_authors(_AND_OTHERS.sub("", part.strip())):
            name = _AND_OTHERS.sub("", name).strip()
            wide = sum(1 for ch in name if ord(ch) > 0x2E80 and ch.isalpha())
            words = [w for w in re.split(r"[\s,]+", name) if any(ch.isalpha() for ch in w)]
            if _COLLECTIVE.search(name) or not (wide >= 2 or len(words) >= 2):
                continue
            names.append(name)
            family, comma, given = name.partition(",")
            if comma and given.strip():
                names.append(f"{given.strip()} {family.strip()}")
    return names


def writes_mostly_names(text: str, names: list[str]) -> bool:
    """Whether at least half of a text's letters are these names, each written whole (not inside a longer word or
    name): a byline ("2023년 5월 3일, Dan Abramov, Sophie Alpert"), not a sentence that mentions one of them."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    letters = sum(ch.isalpha() for ch in folded)
    if not letters:
        return False
    covered = [False] * len(folded)
    for name in names:
        wanted = unicodedata.normalize("NFKC", name).casefold()
        for match in re.finditer(re.escape(wanted), folded):
            before = folded[match.start() - 1] if match.start() else ""
            after = folded[match.end()] if match.end() < len(folded) else ""
            if not before.isalpha() and not after.isalpha():
                covered[match.start() : match.end()] = [True] * (match.end() - match.start())
    return 2 * sum(1 for ch, hit in zip(folded, covered, strict=True) if hit and ch.isalpha()) >= letters


def presents_authors(passage: Passage) -> bool:
    """Whether the whole passage is about its document's authors: a PDF's byline (kind "front") or a passage of a
    section that presents them."""
    return passage.kind == "front" or bool(_AUTHOR_SECTION.match(passage.section.rsplit("›", 1)[-1].strip()))


def says_who_wrote(text: str) -> bool:
    """Whether a text (a passage, a sentence) has an "Author:" line, a byline's note on the authors, or a sentence
    saying who wrote the text itself."""
    return bool(_AUTHOR_LINE.search(text) or _AUTHOR_STATEMENT.search(text))


def names_authors(passage: Passage) -> bool:
    """Whether a passage is where a document names its authors (`presents_authors` or `says_who_wrote`)."""
    return presents_authors(passage) or says_who_wrote(passage.text)
