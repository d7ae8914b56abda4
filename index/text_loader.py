"""Plain text: paragraphs separated by blank lines, wrapped lines joined by script, list items and short lines kept apart."""

from __future__ import annotations

import bisect
import functools
import logging
import re
import unicodedata
from collections.abc import Callable

from index.blocks import CAPTION, Block, display_width, joins_tight
from index.hyphenation import LineEndHyphens
from index.korean_breaks import join_wrapped

log = logging.getLogger(__name__)

PROFILE = "plain text"

# A line that starts a list item keeps its own line inside the paragraph.
_LIST_ITEM = re.compile(r"^(?:[-*•·‣▪]|\d{1,2}[.)]|[a-z][.)]|[（(]\d{1,2}[)）])\s")


def _wrap_width(lines: list[str]) -> tuple[float, float]:
    """The width the text is wrapped at, in characters and in columns (the 90th percentile of its lines)."""
    if not lines:
        return 0.0, 0.0
    chars = sorted(len(line) for line in lines)
    columns = sorted(display_width(line) for line in lines)
    index = min(len(lines) - 1, int(len(lines) * 0.9))
    return float(chars[index]), float(columns[index])


def _first_word(line: str) -> str:
    """The first word of a line: up to a space, or a single Chinese/Japanese character (they wrap anywhere)."""
    if line and joins_tight(line[0]):
        return line[0]
    word = []
    for ch in line:
        if ch.isspace() or joins_tight(ch):
            break
        word.append(ch)
    return "".join(word)


# Three kinds of field line, from narrow to wide. A Chinese or Japanese field: a label of up to 6 characters without
# spaces and a colon ("作者：Ethan Deng", "电话：123"), which does not run on into the next (`_runs_on_tight`).
_SHORT_FIELD = re.compile(r"^[^\s，。：:]{1,6}[：:]")
# A line of a block of fields, two of which keep their break ("繁體中文版維護者： 胡皓文 …", "Translator: …"): a label of a
# word of up to 10 characters without spaces, or up to three Latin words with a capital first, a colon (no "://") and
# a value.
_LABELLED_LINE = re.compile(r"^(?:[^\s，。：:]{1,10}|[A-Z][A-Za-z-]*(?: [A-Za-z-]+){0,2})[：:](?!/)\s*\S")
# Clause punctuation of Chinese and Japanese: a line ending in one is inside a sentence.
_CJK_CLAUSE_END = "，、"


def _cjk_punctuated(line: str) -> bool:
    """Whether a line holds Chinese or Japanese punctuation: it is a sentence's, no verse's or list's."""
    return _cjk_marked(line) or any(ch in "：「」『』《》（）" for ch in line)


def _runs_on_tight(line: str, following: str, opening: str, wrap: tuple[float, float]) -> bool:
    """A Chinese or Japanese line that ends no sentence and goes on in the next: a wrap, even a short one.

    pdftotext breaks a justified line at its wide gaps ("定理浮动，" / "定理跨页，" / "交叉引用等等。我们思前想后，"), and a
    line may end inside a word ("视觉上的美" / "观并不完美，"): these breaks are no title's or verse's. A line ending in a
    clause mark ("，", "、") runs on; one ending in a character runs on into a line that opens with one when it
    reaches three quarters of the wrap width or either line holds Chinese or Japanese punctuation: short lines without
    any, side by side, are verse or a list ("床前明月光" / "疑是地上霜", "第一步 打开设置" / "第二步 选择网络") and keep
    their breaks. Nor does a paragraph's first line (`opening`, "" once the paragraph is more) with no comma or
    sentence mark run on: a title ("1.1 ElegantBook 更新说明", "ElegantBook：优美的 LATEX 书籍模板ElegantLATEX 经典之作").
    Fields, lines that open with a short label and a colon, stay apart ("地址：北京市海淀区" / "电话：…").
    """
    if not line or not following or (_SHORT_FIELD.match(line) and _SHORT_FIELD.match(following)):
        return False
    last = line[-1]
    if last in _CJK_CLAUSE_END:
        return True
    if not (joins_tight(last) and unicodedata.category(last).startswith("L") and joins_tight(following[0])):
        return False
    if opening and not any(ch in _CJK_CLAUSE_END or ch in "。！？；,;!?" for ch in opening):
        return False
    return display_width(line) >= 0.75 * wrap[1] or _cjk_punctuated(line) or _cjk_punctuated(following)


def _break_is_intended(line: str, following: str, wrap: tuple[float, float]) -> bool:
    """A line that ends although the next word would easily have fitted (a title, a byline, a verse): keep the break."""
    extra = _first_word(following)
    chars, columns = wrap
    return len(line) + 1 + len(extra) <= 0.6 * chars and display_width(line) + 1 + display_width(extra) <= 0.6 * columns


# A line that ends a sentence ("다.", "Done.", "。"), perhaps inside a closing quote or bracket.
_SENTENCE_END = re.compile(r"[.!?。！？．][)\]\"'”’」』）]*$")
_TRAILING_PUNCTUATION = re.compile(r"[.!?。！？．,，、:：;；]$")
# In a PDF's copied text: a page number alone on its line ("– 3 –", "12") and contents' dot leaders.
_FOLIO = re.compile(r"^(?:[-–—]\s*)?(?:\d{1,3}|[ivxlc]{1,6})(?:\s*[-–—])?$", re.IGNORECASE)
# Full stops, or the dot operator "⋅" that unicode-math fonts draw (as index/pdf_loader.py), or spaced middle dots;
# not "………" nor "······", which Chinese and Korean prose write for an ellipsis: a short paragraph holding one would be
# dropped as a contents entry.
_LEADERS = re.compile(r"(?:\.\s?){5,}|(?:[⋅∙]\s?){5,}|(?:·\s){4,}·")


_DIGITS = re.compile(r"\d+")
# A page number set off by dashes or out of a total: "– 3 –", "–3/12–", "3/12".
_DASHED_FOLIO = re.compile(r"[-–—]\s*\d{1,4}(?:\s*/\s*\d{1,4})?\s*[-–—]|\d{1,4}\s*/\s*\d{1,4}")
# A page's edge: its first and last lines, where running heads and feet sit (a folio may come second, under a head).
_EDGE_LINES = 2


def _furniture_key(line: str) -> str:
    """A line as it recurs from page to page: spaces aside, any number (a page number, a date) standing for any."""
    return _DIGITS.sub("#", re.sub(r"\s+", "", line))


# What sets a number off as a page number in its line: dashes or brackets around it, a total after it ("3/12"), a
# page word next to it, or a run of 3 spaces between it and the rest of the line (an RFC's "Fette   [Page 3]").
_PAGE_WORD_BEFORE = re.compile(r"(?:\bpages?|\bp\.|第|페이지)\s*$", re.IGNORECASE)
_PAGE_WORD_AFTER = re.compile(r"^\s*(?:页|頁|페이지|ページ)")
_MARK_BEFORE = re.compile(r"[-–—\[(（]\s*$")
_MARK_AFTER = re.compile(r"^\s*[-–—\])）]")


def _set_off(line: str, start: int, end: int) -> bool:
    """Whether the number at line[start:end] is set off as a page number: alone on its line, in dashes or brackets
    ("– 3 –", "[Page 3]"), out of a total ("3/12"), next to a page word ("Page 3", "p. 3", "第3页", "3 페이지"), or at the
    line's end or start apart from the rest by 3 spaces or more. "CHAPTER 3", "Changes in Foo 3.4" have none of these."""
    before, after = line[:start], line[end:]
    alone_before, alone_after = not before.strip(), not after.strip()
    return (
        (alone_before and alone_after)
        or (
            (bool(_MARK_BEFORE.search(before)) or alone_before)
            and (bool(_MARK_AFTER.match(after)) or alone_after)
            and (bool(_MARK_BEFORE.search(before)) or bool(_MARK_AFTER.match(after)))
        )
        or bool(re.match(r"\s*/\s*\d", after))
        or bool(_PAGE_WORD_BEFORE.search(before) or _PAGE_WORD_AFTER.match(after))
        or (alone_after and before.endswith("   "))
        or (alone_before and after.startswith("   "))
    )


def _page_number(occurrences: list[str], pages: list[int]) -> list[int] | None:
    """The page numbers in a running head or foot's occurrences (on `pages`, counted from 0): a number set off as a page
    number (`_set_off`) that rises as the pages do ("[Page 1]", "[Page 2]"); None when there is none (the RFC's
    "December 2011", an equation's "(3)", a chapter's "CHAPTER 3")."""
    runs = [[(int(m.group(0)), _set_off(line, m.start(), m.end())) for m in _DIGITS.finditer(line)] for line in occurrences]
    if len(runs) < 2 or len({len(r) for r in runs}) != 1:
        return None
    steps = [b - a for a, b in zip(pages, pages[1:])]
    for position in range(len(runs[0])):
        if not all(r[position][1] for r in runs):
            continue
        numbers = [r[position][0] for r in runs]
        if numbers[0] != numbers[-1] and [b - a for a, b in zip(numbers, numbers[1:])] == steps:
            return numbers
    return None


def _runs_on_over(line: str, following: str, width: float) -> bool:
    """Whether a sentence cut by a page break goes on: `line` (as printed, indented) runs to the text's wrap `width`
    and ends no sentence, and `following` is set as far in, or hangs a little further in (a list item's next line): a
    heading at the margin, or a centred one, starts something new."""
    stripped = line.strip()
    if _SENTENCE_END.search(stripped) or stripped.endswith((":", "：")) or not following.strip():
        return False
    if display_width(stripped) < 0.75 * width:
        return False
    return 0 <= (len(following) - len(following.lstrip())) - (len(line) - len(line.lstrip())) <= 4


def _without_page_furniture(raw: str) -> tuple[list[str], list[int | None]]:
    """The lines of a paged text (pages split by form feeds, or by a line recurring with a rising page number) without
    their running heads and feet, and the page of each line. A sentence cut by a page break is put back together: the
    blank lines at the break go when the line before it runs to the wrap width and ends no sentence.

    With form feeds, a line among the first or last two lines of at least half the pages (and 2) is furniture ("RFC
    6455  The WebSocket Protocol  December 2011", its numbers as they are: "Chapter 2" is no "Chapter 1"), or of 3
    pages if it numbers them (numbers aside but the page number, set off as one and rising as the pages do: "–3/12–",
    "[Page 3]"; `_page_number`), and so is what stands above it at the top of a page (a head naming the section)
    or below it at the foot; a page number set off by dashes ("– 3 –") is one even once. Without form feeds, a short
    line recurring at least 3 times with a page number rising by one, at regular distances of 20 lines or more, is a
    running foot or head, and the line next to it at most of its occurrences goes with it. The rising number is the
    page number; without one, pages are counted from the form feeds. Empty pages before the first text and after the
    last are no pages, a text of one page of text has none, and a form feed inside a line is a line break.
    """
    raw = re.sub(r"(?<=[^\r\n])\f(?=[^\r\n])", "\n", raw)  # a form feed inside a line ("the sea\fcould") breaks the line
    chunks = [chunk.splitlines() for chunk in raw.split("\f")] if "\f" in raw else [raw.splitlines()]
    while len(chunks) > 1 and not any(line.strip() for line in chunks[0]):
        chunks.pop(0)  # a text opening with a form feed: no empty page 1
    while len(chunks) > 1 and not any(line.strip() for line in chunks[-1]):
        chunks.pop()
    if sum(1 for chunk in chunks if any(line.strip() for line in chunk)) < 2:
        chunks = [raw.splitlines()]  # one page of text: no pages
    lines = [line for chunk in chunks for line in chunk]
    page_of = [i for i, chunk in enumerate(chunks) for _ in chunk]
    furniture: set[int] = set()
    printed: dict[int, int] = {}  # page (its index) -> the number printed on it
    if len(chunks) >= 2:
        edges: dict[str, list[int]] = {}
        tops: list[list[int]] = []
        start = 0
        for chunk in chunks:
            filled = [start + i for i, line in enumerate(chunk) if line.strip()]
            tops.append(filled)
            for index in sorted(set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:])):
                if display_width(lines[index].strip()) <= 100:
                    edges.setdefault(_furniture_key(lines[index]), []).append(index)
            start += len(chunk)
        for indexes in edges.values():
            numbers = _page_number([lines[i] for i in indexes], [page_of[i] for i in indexes])
            if numbers and len({page_of[i] for i in indexes}) >= 3:
                furniture.update(indexes)
                for index, number in zip(indexes, numbers):
                    printed.setdefault(page_of[index], number)
                continue
            same: dict[str, list[int]] = {}  # no page number: the line recurs with its numbers ("December 2011")
            for i in indexes:
                same.setdefault(re.sub(r"\s+", "", lines[i]), []).append(i)
            for group in same.values():
                if len({page_of[i] for i in group}) >= max(2, len(chunks) / 2):
                    furniture.update(group)
        for filled in tops:  # above a page's head, below its foot: more furniture
            marked = [position for position, index in enumerate(filled) if index in furniture]
            for position in marked:
                if position < _EDGE_LINES:
                    furniture.update(filled[:position])
                elif position >= len(filled) - _EDGE_LINES:
                    furniture.update(filled[position + 1 :])
        for indexes in edges.values():  # a folio set off by dashes, even once: "– 3 –", "–3/12–"
            furniture.update(i for i in indexes if _DASHED_FOLIO.fullmatch(lines[i].strip()))
    else:
        recurring: dict[str, list[int]] = {}
        for index, line in enumerate(lines):
            if line.strip() and _DIGITS.search(line) and display_width(line.strip()) <= 100:
                recurring.setdefault(_furniture_key(line), []).append(index)
        for indexes in recurring.values():
            numbers = _page_number([lines[i] for i in indexes], list(range(len(indexes)))) if len(indexes) >= 3 else None
            gaps = sorted(b - a for a, b in zip(indexes, indexes[1:]))
            if not numbers or gaps[0] < 20 or gaps[-1] > 1.5 * gaps[len(gaps) // 2]:
                continue
            furniture.update(indexes)
            neighbours: dict[str, list[int]] = {}
            for index in indexes:
                for step in (-1, 1):
                    near = index + step
                    while 0 <= near < len(lines) and abs(near - index) <= 4 and not lines[near].strip():
                        near += step
                    if 0 <= near < len(lines) and abs(near - index) <= 4:
                        neighbours.setdefault(_furniture_key(lines[near]), []).append(near)
            for near_indexes in neighbours.values():
                if len(near_indexes) >= max(2, len(indexes) / 2):
                    furniture.update(near_indexes)
            # The pages break where the numbers are: a foot numbers the page above it, a head the page below.
            page_of = [bisect.bisect_left(indexes, index) for index in range(len(lines))]
            above = sum(1 for line in lines[: indexes[0]] if line.strip())
            below = sum(1 for line in lines[indexes[-1] + 1 :] if line.strip())
            foot = above > below
            printed = {k if foot else k + 1: number for k, number in enumerate(numbers)}
            break
    if not furniture and len(chunks) < 2:
        return lines, [None] * len(lines)
    pages: list[int | None] = []
    for page in range(max(page_of) + 1):
        if page in printed:
            pages.append(printed[page])
        elif printed:
            nearest = min(printed, key=lambda known: abs(known - page))
            guess = printed[nearest] + page - nearest
            pages.append(guess if guess >= 1 else None)
        else:
            pages.append(page + 1)
    width = _wrap_width([line.strip() for i, line in enumerate(lines) if line.strip() and i not in furniture])[1]
    kept: list[str] = []
    kept_pages: list[int | None] = []
    index = 0
    while index < len(lines):
        if index not in furniture and not (index and page_of[index] != page_of[index - 1]):
            kept.append(lines[index])
            kept_pages.append(pages[page_of[index]])
            index += 1
            continue
        # A page break: the furniture and the blank lines around it (a form feed is one, as a line of its own).
        formed = len(chunks) > 1
        blank = formed and bool(index) and page_of[index] != page_of[index - 1]
        while kept and not kept[-1].strip():
            kept.pop()
            kept_pages.pop()
            blank = True
        end = index
        while end < len(lines) and (end in furniture or not lines[end].strip()):
            end += 1
            blank = blank or not lines[end - 1].strip() or (formed and end < len(lines) and page_of[end] != page_of[end - 1])
        if blank and kept and end < len(lines) and not _runs_on_over(kept[-1], lines[end], width):
            kept.append("")
            kept_pages.append(None)
        if end < len(lines):
            kept.append(lines[end])
            kept_pages.append(pages[page_of[end]])
        index = end + 1
    return kept, kept_pages


# A line of one punctuation character repeated (reST's and Setext's title rules, a text's separators): "-----", "=====".
_RULE = re.compile(r"^([-=~^*#+_`'\"])\1{2,}$")
# A reStructuredText directive or comment: ".. include:: ../disclaimer-zh_TW.rst", ".. SPDX-License-Identifier: GPL-2.0".
_RST_EXPLICIT = re.compile(r"^\.\.(?:\s|$)")
# Programming syntax in a line: a call, a brace, an assignment or comparison, a comment, an arrow, ABNF's "+-+".
_CODE_SYNTAX = re.compile(r"[A-Za-z0-9_]\((?!s\))|[{}]\s*$|^\s*[{}]|\s[=|:]?=\s|[=!<>]=|->|=>|&&|\|\||/\*|\*/|^\s*//|\+\+|\+-|-\+")
# A run of spaces inside a line: columns set side by side (a figure, a table, a grammar's comments).
_ALIGNED = re.compile(r"\S {3,}\S")
# A word as prose has it: letters (with hyphens, dashes or apostrophes inside, "document(s)"), initials ("W.C.") or a
# number ("6455", "1.5"), perhaps in brackets, quotes, emphasis marks ("_Esq._,", "*Note*") or punctuation, or with a
# dash joined ("summer--").
_PROSE_WORD = re.compile(
    r"^[\"'(\[“‘「『（_*]*"
    r"(?:[^\W\d_]+(?:(?:[-'’]|--|[—–])[^\W\d_]+)*(?:\(s\))?(?:--|[—–])?|(?:[^\W\d_]\.){2,}|\d+(?:[.,]\d+)*%?)"
    r"[\"')\]”’」』）.,;:!?，。、：；！？_*]*$"
)
# A header field's line, in code: an ASCII name, dashes inside, a colon, a space ("Sec-WebSocket-Protocol: chat",
# "Host: server.example.com"); unlike `_LABELLED_LINE`, it takes no Chinese label nor words with spaces.
_HEADER_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*:\s+\S")
# An RFC's list item ("o  the query component"), besides _LIST_ITEM's.
_RFC_ITEM = re.compile(r"^o\s{2}\S")


# A comment's start in a line of code: "/* 配置寄存器？*/", "// 輸出", "# default set".
_COMMENT = re.compile(r"/\*|(?<!:)//|(?:^|\s)#\s")
# Chinese and Japanese punctuation: a line that has some outside a comment is prose, whatever its brackets and symbols.
_CJK_PROSE_MARKS = "，。、；！？"


def _cjk_marked(text: str) -> bool:
    """Whether a text holds Chinese or Japanese sentence punctuation (`_CJK_PROSE_MARKS`)."""
    return any(ch in _CJK_PROSE_MARKS for ch in text)


def _cjk_prose(line: str) -> bool:
    """Whether a line has Chinese or Japanese punctuation outside a comment: a sentence, whatever its symbols
    ("level == 0，消息为非延迟消息" is a sentence about code; "/* 配置寄存器？*/" is a comment)."""
    return _cjk_marked(_COMMENT.split(line.strip(), maxsplit=1)[0])


def _code_syntax(line: str) -> bool:
    """Whether a line shows programming syntax (`_CODE_SYNTAX`) and is no Chinese or Japanese sentence (`_cjk_prose`)."""
    return not _cjk_prose(line) and bool(_CODE_SYNTAX.search(line.strip()))


@functools.lru_cache(maxsize=8192)
def _code_like(line: str) -> bool:
    """A line that reads as code or a figure, not prose: programming syntax, columns set apart by runs of spaces, or
    mostly tokens that are no words ("Host: server.example.com", "|F|R|R|R|", "%x0"; a number is a word)."""
    text = line.strip()
    if _cjk_prose(text):
        return False
    if _CODE_SYNTAX.search(text) or _ALIGNED.search(text):
        return True
    tokens = text.split()
    words = sum(1 for token in tokens if _PROSE_WORD.match(token) or any(joins_tight(ch) for ch in token))
    return len(tokens) - words >= max(1, len(tokens) / 2)


def _drawn_rule(line: str) -> bool:
    """A rule a figure or table is drawn with: punctuation of two characters or more ("+--------+-----+", "-+---|")."""
    text = line.strip()
    return len(text) >= 3 and len(set(text)) >= 2 and not any(ch.isalnum() for ch in text)


@functools.lru_cache(maxsize=8192)
def _figure_like(line: str) -> bool:
    """A line of a figure or a table: columns set apart by runs of spaces, a rule drawn in two characters or more
    ("-+--------+-----|"), or mostly tokens without a letter ("| |1|2|3|", "0 1 2 3 4 5")."""
    tokens = line.split()
    if _drawn_rule(line):
        return True
    return bool(_ALIGNED.search(line.strip())) or (
        len(tokens) >= 3 and sum(1 for t in tokens if not any(c.isalpha() for c in t)) * 2 >= len(tokens)
    )


def _reads_as_code(lines: list[str], indents: list[int], margin: int, wrap_column: float, introduced: bool) -> bool:
    """Whether a block (lines between blank lines, as printed) is a code passage or a figure, not wrapped prose.

    Prose is wrapped: a line ends where the next word would not have fitted in the text's width. A block of two lines
    or more does not read as prose when most of its lines end short of that, or most are a figure's (`_figure_like`),
    or most show programming syntax. It is code then when it is set in from the text's usual margin with a third of
    its lines code-like (`_code_like`), or one if a line introduces it ("… looks as follows:"): an RFC's HTTP
    examples, its ABNF and frame diagrams; at the margin, when half its lines show programming syntax and most end
    short (a kernel text's example). Indented prose (an RFC's, set in further under a term) is wrapped: it stays
    prose. A list's items are no code. A lone line set in is code when it shows syntax, is mostly no words, is a header
    field ("Sec-WebSocket-Protocol: chat") or is introduced, and ends no sentence (columns alone make no code of it: a
    table's row or a running head in `pdftotext -layout`)."""
    stripped = [line.strip() for line in lines]
    if sum(1 for line in stripped if _LIST_ITEM.match(line) or _RFC_ITEM.match(line)) * 2 >= len(lines):
        return False
    fields = sum(1 for line in stripped if _HEADER_FIELD.match(line))
    if len(lines) == 1:  # a lone line set in: an example's, when it reads as code, is a field or is introduced
        line = stripped[0]
        return (
            min(indents) > margin
            and not _SENTENCE_END.search(line)
            and not line.endswith((":", "："))
            and not CAPTION.match(line)
            and (_code_syntax(line) or (_code_like(line) and not _ALIGNED.search(line)) or fields == 1 or introduced)
            and not _cjk_marked(line)  # in a comment too
        )
    short = sum(1 for indent, line, following in zip(indents, stripped, stripped[1:]) if not _wraps(indent, line, following, wrap_column))
    code_like = sum(map(_code_like, stripped))
    syntax = sum(map(_code_syntax, stripped))
    figures = sum(map(_figure_like, stripped))
    if not (short * 2 > len(lines) - 1 or figures * 2 > len(lines) or syntax * 2 > len(lines)):
        return False  # wrapped prose
    if min(indents) > margin:
        return code_like * 3 >= len(lines) or (code_like > 0 and (introduced or fields * 2 >= len(lines)))
    if figures * 2 > len(lines) and any(map(_drawn_rule, stripped)):
        return True  # a table or figure drawn with rules ("+--------+-----+"), at the margin too
    return syntax * 2 >= len(lines) and short * 2 > len(lines) - 1


def _wraps(indent: int, line: str, following: str, wrap_column: float) -> bool:
    """Whether a line ends where wrapped text ends: the next line's first word would not have fitted after it."""
    return indent + display_width(line.strip()) + 1 + display_width(_first_word(following.strip())) > 0.95 * wrap_column


def _code_after_prose(lines: list[str], indents: list[int], margin: int, wrap_column: float, introduced: bool) -> int | None:
    """Where the code passage of a block starts (0: the block is one), or None: a block may open with prose and go on
    into a listing it introduces without a blank line, as pdftotext sets one ("You can use this option as" /
    "\\documentclass[en]{elegantbook}"). The listing starts at a code-like line after prose lines, the last of them
    ending short (or in a colon), and must read as code by itself (`_reads_as_code`)."""
    opens_prose = not _code_like(lines[0]) and len(lines) > 1 and _wraps(indents[0], lines[0], lines[1], wrap_column)
    if not opens_prose and _reads_as_code(lines, indents, margin, wrap_column, introduced):
        return 0  # a listing opens with no line of wrapped prose
    tried = 0
    for position in range(1, len(lines) - 1):
        before = lines[position - 1]
        if _code_like(before) or _figure_like(before):
            return None
        if not _code_like(lines[position]) or _wraps(indents[position - 1], before, lines[position], wrap_column):
            continue
        colon = before.rstrip().endswith((":", "："))
        if _reads_as_code(lines[position:], indents[position:], margin, wrap_column, colon):
            return position
        tried += 1
        if tried == 3:
            return None
    return None


def _line_roles(lines: list[str], unbroken: bool) -> list[str]:
    """What each line of a text is, besides prose: "code" (a line of a code passage or figure, `_reads_as_code`),
    "drop" (a reST directive or comment and the lines set in under it), "rule" (a line of one repeated punctuation
    character: no text), "title" (a short line over a rule, or between two: a heading, as reST and Setext make one)."""
    roles = [""] * len(lines)
    indents = [len(line) - len(line.lstrip()) for line in lines]
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if not filled:
        return roles
    counts: dict[int, int] = {}
    for i in filled:
        if not _code_like(lines[i]):
            counts[indents[i]] = counts.get(indents[i], 0) + 1
    # The text's usual margin: where most of its prose lines start (an RFC's body is set 3 spaces in throughout).
    margin = max(counts, key=lambda indent: (counts[indent], -indent)) if counts else 0
    prose = [i for i in filled if not _code_like(lines[i]) and not _figure_like(lines[i])] or filled
    ends = sorted(indents[i] + display_width(lines[i].strip()) for i in prose)  # where the prose wraps
    wrap_column = float(ends[min(len(ends) - 1, int(len(ends) * 0.9))])
    groups: list[list[int]] = []
    for i in filled:
        if groups and groups[-1][-1] == i - 1:
            groups[-1].append(i)
        else:
            groups.append([i])
    previous: list[int] = []
    for group in groups:
        introduced = bool(previous) and lines[previous[-1]].rstrip().endswith((":", "："))  # "… looks as follows:"
        previous = group
        if not unbroken:
            head = _code_after_prose([lines[i] for i in group], [indents[i] for i in group], margin, wrap_column, introduced)
            if head is not None:
                roles[group[head] : group[-1] + 1] = ["code"] * (len(group) - head)
                group = group[:head]
        position = 0
        while position < len(group):
            i = group[position]
            text = lines[i].strip()
            if _RST_EXPLICIT.match(text):
                roles[i] = "drop"
                position += 1
                while position < len(group) and indents[group[position]] > indents[i]:
                    roles[group[position]] = "drop"
                    position += 1
                continue
            if _RULE.match(text):
                roles[i] = "rule"
                above = group[position - 1] if position else None
                lone = position == 1 or (position == 2 and roles[group[0]] == "rule")
                if (
                    above is not None
                    and lone
                    and roles[above] == ""
                    and display_width(lines[above].strip()) <= len(text)
                    and not _SENTENCE_END.search(lines[above].strip())
                ):
                    roles[above] = "title"
            position += 1
    return roles


_WORD = re.compile(r"[^\W\d_]+")


def join_hyphenated(left: str, right: str, hyphens: LineEndHyphens, join: Callable[[str, str], str]) -> str:
    """Join two lines, a word broken by a line-end hyphen ("numer-" / "ing") made whole when the document or its
    language's word list says the hyphen is the typesetter's (LineEndHyphens, as the PDF loader decides); a compound's
    hyphen stays ("third-" / "party"). Otherwise `join` joins them."""
    if left.endswith("-") and len(left) > 1 and left[-2].isalpha() and right[:1].islower():
        head = _WORD.findall(left[:-1])
        tail = _WORD.match(right)
        if head and tail and hyphens.is_soft(head[-1], tail.group(0)):
            return left[:-1] + right
    return join(left, right)


# pdftotext (poppler) sets a list's bullet apart from its item: the glyph alone on its line, a blank line, then the
# item's text ("2. 인증서에는 유효 기간이 있습니다." / "•" / "" / "즉, 만료됩니다."), as it reads the bullet's column as a
# block of its own. Word's Symbol bullets come out as U+F0B7 and U+F0A7.
_BULLETS = "•◦▪●■‣⁃➢➤\uf0b7\uf0a7"
_DETACHED_BULLET = re.compile(rf"^([ \t\f]*)([{_BULLETS}])[ \t]*\n(?:[ \t]*\n){{0,2}}[ \t]*(?=[^\s{_BULLETS}])", re.MULTILINE)


def detached_bullets_rejoined(raw: str) -> str:
    """A text with each bullet that stands alone on its line (pdftotext's copy of a PDF's list) put back before the
    item it marks: "•" / "" / "즉, 만료됩니다." becomes "• 즉, 만료됩니다.".
    """
    return _DETACHED_BULLET.sub(r"\1\2 ", raw)


def plain_blocks(raw: str, language: str = "") -> list[Block]:
    """Paragraphs separated by blank lines; within one, wrapped lines joined, list items and intended breaks kept as lines.

    A text with no blank line at all (what a PDF reader copies out of a PDF: "Abstract", then the abstract's lines) has
    its paragraphs inferred instead: one ends at a line that ends a sentence short of the wrap width, or at a short line
    the next word would have fitted after (a title); a short line without punctuation before a full one is a heading;
    page numbers alone on their line and contents (dot leaders) are left out. `language` (the document's, "" when not
    known) helps decide line-end hyphens.
    """
    unpaged, line_pages = _without_page_furniture(raw)
    source_lines = [line.strip() for line in unpaged]
    indents = [len(line) - len(line.lstrip()) for line in unpaged]
    margin = min((indent for indent, line in zip(indents, source_lines) if line), default=0)
    at_margin: list[bool] = []  # whether each block starts at the text's left margin
    hyphens = LineEndHyphens.of(source_lines, language)
    wrap = _wrap_width([line for line in source_lines if line])
    # Copied text may keep a few blank lines (where a reader's copy joined pages, under a cover page): one blank line
    # to 40 or more lines of text still reads as a text without them, whose paragraphs are inferred.
    blank_lines = sum(1 for line in source_lines if not line)
    unbroken = len(source_lines) >= 20 and blank_lines * 40 <= len(source_lines) - blank_lines
    blocks: list[Block] = []
    lines: list[str] = []
    pages: list[tuple[int, int | None]] = []  # where in the paragraph a page starts, and its number
    start = 0  # the indent of the block's first line
    previous = ""

    def flush() -> None:  # reads `start` as it is when called (a closure sees the variable, not its value)
        if lines:
            block = Block("body", "\n".join(lines), pages[0][1], pages[-1][1])
            block.breaks = [(offset, page) for offset, page in pages[1:] if page is not None]
            blocks.append(block)
            at_margin.append(start <= margin)
            lines.clear()
            pages.clear()

    roles = _line_roles(unpaged, unbroken)
    title_levels: dict[str, int] = {}  # reST's title styles, their levels in the order they first occur
    code: list[int] = []  # the lines of the code passage being read

    def flush_code() -> None:
        if code:
            first = min(indents[i] for i in code if source_lines[i])
            listing = "\n".join(unpaged[i][first:].rstrip() for i in code).strip("\n")
            blocks.append(Block("code", listing, line_pages[code[0]], line_pages[code[-1]]))
            at_margin.append(False)
            code.clear()

    for index, (text, page, indent) in enumerate(zip(source_lines, line_pages, indents)):
        role = roles[index]
        if role == "code" or (code and not text and "code" in roles[index + 1 : index + 2]):
            flush()
            code.append(index)
            continue
        flush_code()
        if role in ("drop", "rule"):
            flush()
            continue
        if role == "title":
            flush()
            rule = source_lines[index + 1]
            style = rule[0] + ("/" if index and roles[index - 1] == "rule" else "")
            heading = Block("heading", text, page, page)
            heading.level = title_levels.setdefault(style, len(title_levels) + 1)
            blocks.append(heading)
            at_margin.append(True)
            continue
        if text and not lines:
            start = indent
        if unbroken and _FOLIO.match(text):
            continue
        if not text:
            flush()
        elif unbroken and lines and _ends_paragraph(previous, text, wrap, lines[0] if len(lines) == 1 else ""):
            flush()
            start = indent
            lines.append(text)
        elif (
            lines
            and not _LIST_ITEM.match(text)
            and not (_ALIGNED.search(previous) and _ALIGNED.search(text))  # rows of columns: "Request for Comments: 6455   Google, Inc."
            and not (_LABELLED_LINE.match(previous) and _LABELLED_LINE.match(text))  # "維護者： 胡皓文" / "翻譯者： 胡皓文"
            and (_runs_on_tight(previous, text, lines[0] if len(lines) == 1 else "", wrap) or not _break_is_intended(previous, text, wrap))
        ):
            lines[-1] = join_hyphenated(lines[-1], text, hyphens, join_wrapped)
        else:
            lines.append(text)
        if text and (not pages or page != pages[-1][1]):
            pages.append((sum(map(len, lines)) + len(lines) - 1 - len(text), page))
        previous = text
    flush()
    flush_code()
    blocks, at_margin = _literal_markers_read(blocks, at_margin)
    blocks, at_margin = _titles_split_off(blocks, at_margin, wrap)
    return _without_contents(_with_headings(blocks, wrap, at_margin), wrap)


def _literal_markers_read(blocks: list[Block], at_margin: list[bool]) -> tuple[list[Block], list[bool]]:
    """reStructuredText's "::" before a code block (a literal block), as Sphinx shows it: "例子::" is "例子:", a
    marker after a space goes ("as follows ::" is "as follows"), and a "::" paragraph of its own is no text."""
    kept: list[Block] = []
    margins: list[bool] = []
    for i, (block, margin) in enumerate(zip(blocks, at_margin)):
        if block.kind == "body" and block.text.endswith("::") and i + 1 < len(blocks) and blocks[i + 1].kind == "code":
            text = block.text[:-2].rstrip() if block.text[:-2].endswith((" ", "\n")) or block.text == "::" else block.text[:-1]
            if not text:
                continue
            block.text = text
        kept.append(block)
        margins.append(margin)
    return kept, margins


# A section or page number alone: "1", "2.5.1", "xii".
_NUMBER_ONLY = re.compile(r"(?:\d{1,3}(?:\.\d{1,3})*\.?|[ivxlc]{1,6})", re.IGNORECASE)


def _without_contents(blocks: list[Block], wrap: tuple[float, float]) -> list[Block]:
    """The blocks without a table of contents: a block of entries (dot leaders), and the run pdftotext makes of one,
    every number, title and page of an entry a paragraph of its own ("1", "1.1", "1", "ElegantBook Updates . . . ."):
    from 3 entries on, the numbers and short titles between and before them, the page numbers after them and a title of
    at most three words above them ("Contents") go too."""

    def numbers(block: Block) -> bool:
        return all(_NUMBER_ONLY.fullmatch(line.strip()) for line in block.text.split("\n"))

    def title(block: Block) -> bool:  # short lines without punctuation, or numbers: "ElegantLATEX 系列模板介绍" / "1.1"
        return all(
            _NUMBER_ONLY.fullmatch(line.strip()) or (display_width(line) <= 0.6 * wrap[1] and not _TRAILING_PUNCTUATION.search(line))
            for line in block.text.split("\n")
        )

    entries = [i for i, b in enumerate(blocks) if _LEADERS.search(b.text)]
    drop = {i for i in entries if len(_LEADERS.findall(blocks[i].text)) >= 2 or len(_LEADERS.sub("", blocks[i].text)) < 80}
    runs: list[list[int]] = []
    for i in entries:
        between = range(runs[-1][-1] + 1, i) if runs else range(0)
        if runs and all(numbers(blocks[j]) or title(blocks[j]) for j in between):
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        if len(run) < 3:
            continue
        first, last = run[0], run[-1]
        while first > 0 and (numbers(blocks[first - 1]) or (title(blocks[first - 1]) and first > 1 and numbers(blocks[first - 2]))):
            first -= 1
        while last + 1 < len(blocks) and numbers(blocks[last + 1]):
            last += 1
        name = blocks[first - 1].text if first else ""
        if title(blocks[first - 1]) and "\n" not in name and len(name.split()) <= 3 and display_width(name) <= 20:
            first -= 1  # the contents' own title: "Contents", "目 录"
        drop.update(range(first, last + 1))
    return [b for i, b in enumerate(blocks) if i not in drop]


def _ends_paragraph(line: str, following: str, wrap: tuple[float, float], opening: str) -> bool:
    """In a text without blank lines: `line` closes its paragraph (a sentence ends short of the wrap width, or the next
    word would have fitted after it), unless a Chinese or Japanese sentence runs on (`opening`: see `_runs_on_tight`)."""
    if _LEADERS.search(line):
        return True  # a contents entry stands alone
    if _LIST_ITEM.match(following) or _runs_on_tight(line, following, opening, wrap):
        return False
    ended = bool(_SENTENCE_END.search(line)) and display_width(line) < 0.85 * wrap[1]
    return ended or _break_is_intended(line, following, wrap)


# A section's number before its title: "5.2.", "1.", "A.1", "Appendix A." (a level per number).
_SECTION_NUMBER = re.compile(
    r"^(?:(?:Appendix|Annex)\s+[A-Z](?:\.\d{1,2})*\.?|[A-Z](?:\.\d{1,2})+\.?|\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}\.)\s+(?=\w)"
)


def _section_level(text: str) -> int | None:
    """The level of a numbered title ("5.2.  Base Framing Protocol": 2), None when `text` does not start with one."""
    match = _SECTION_NUMBER.match(text)
    if not match:
        return None
    return match.group(0).strip().rstrip(".").count(".") + 1


def _titles_split_off(blocks: list[Block], at_margin: list[bool], wrap: tuple[float, float]) -> tuple[list[Block], list[bool]]:
    """A paragraph that opens with a numbered section title on a line of its own, with no blank line under it
    (pdftotext: "2.3 Color Themes" / "This template contains 5 color themes"), has it split off to be read as a
    heading: a number with a dot inside ("2.3", "A.1", "5.2.") or an appendix's, at the margin, short, unpunctuated."""
    split: list[Block] = []
    margins: list[bool] = []
    for block, margin in zip(blocks, at_margin):
        if block.kind != "body":
            split.append(block)
            margins.append(margin)
            continue
        first, _, rest = block.text.partition("\n")
        level = _section_level(first)
        if (
            rest
            and margin
            and level is not None
            and (level > 1 or not first[:1].isdigit())
            and display_width(first) <= 0.6 * wrap[1]
            and not _TRAILING_PUNCTUATION.search(first)
            and sum(ch.isalpha() for ch in first) >= 2
        ):
            cut = len(first) + 1
            split.append(Block("body", first, block.page_start, block.page_start))
            body = Block("body", rest, block.page_start, block.page_end)
            body.breaks = [(offset - cut, page) for offset, page in block.breaks if offset > cut]
            split.append(body)
            margins += [True, True]
            continue
        split.append(block)
        margins.append(margin)
    return split, margins


def _with_headings(blocks: list[Block], wrap: tuple[float, float], at_margin: list[bool]) -> list[Block]:
    """Headings among one-line blocks at the text's margin without closing punctuation: a short one before a block that
    opens with a full line ("Abstract") or is set in from the margin (an RFC's "Status of This Memo"), and a numbered
    title ("5.2.  Base Framing Protocol", "Appendix A.  JavaScript Example"), its number giving its level; a lone
    "1. …" next to another lone "2. …" is a list item. Captions and footnotes are no headings, nor is a line set in
    from the margin (an RFC's "FIN:  1 bit", "o  the query component" under its headings)."""
    for i, block in enumerate(blocks):
        text = block.text
        if (
            block.kind != "body"
            or not at_margin[i]
            or "\n" in text
            or _TRAILING_PUNCTUATION.search(text)
            or sum(ch.isalpha() for ch in text) < 2
            or CAPTION.match(text)  # "Figure 3.1: Scatter Plot Example"
            or re.match(r"\d+[^\W\d_]", text)  # a footnote, its number glued on: "1为原先默认主题"
        ):
            continue
        level = _section_level(text)
        neighbours = [b.text for b in blocks[max(0, i - 1) : i + 2] if b is not block and "\n" not in b.text]
        if level == 1 and text.split()[0][:-1].isdigit() and any(re.match(r"\d{1,2}\.\s", n) for n in neighbours):
            level = None  # "1. Foo" by "2. Bar": a list
        following = blocks[i + 1].text.split("\n", 1)[0] if i + 1 < len(blocks) else ""
        if level is not None and display_width(text) <= 0.9 * wrap[1]:
            block.kind, block.level = "heading", level
        elif display_width(text) <= 0.5 * wrap[1] and (
            display_width(following) >= 0.8 * wrap[1] or (i + 1 < len(blocks) and not at_margin[i + 1] and blocks[i + 1].kind == "body")
        ):
            block.kind = "heading"
    return blocks
