"""Plain text: paragraphs separated by blank lines, wrapped lines joined by script, list items and short lines kept apart."""

from __future__ import annotations

import logging
import re
import unicodedata

from index.blocks import Block, display_width, joins_tight
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


# Clause punctuation of Chinese and Japanese: a line ending in one is inside a sentence.
_CJK_CLAUSE_END = "，、"


def _runs_on_tight(line: str, following: str, opening: str) -> bool:
    """A Chinese or Japanese line that ends no sentence and goes on in the next: a wrap, however short the line is.

    pdftotext breaks a justified line at its wide gaps ("定理浮动，" / "定理跨页，" / "交叉引用等等。我们思前想后，"), and a
    line may end inside a word ("视觉上的美" / "观并不完美"): these breaks are no title's or verse's. A line ending in a
    clause mark ("，", "、") runs on; one ending in a character runs on into a line that opens with one, unless the
    paragraph so far is one line (`opening`, "" once it is more) with no comma or sentence mark: a title ("1.1
    ElegantBook 更新说明", "ElegantBook：优美的 LATEX 书籍模板ElegantLATEX 经典之作").
    """
    if not line or not following:
        return False
    last = line[-1]
    if last in _CJK_CLAUSE_END:
        return True
    if not (joins_tight(last) and unicodedata.category(last).startswith("L") and joins_tight(following[0])):
        return False
    return not (opening and not any(ch in _CJK_CLAUSE_END or ch in "。！？；,;!?" for ch in opening))


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
_LEADERS = re.compile(r"(?:\.\s?){5,}")


def plain_blocks(raw: str) -> list[Block]:
    """Paragraphs separated by blank lines; within one, wrapped lines joined, list items and intended breaks kept as lines.

    A text with no blank line at all (what a PDF reader copies out of a PDF: "Abstract", then the abstract's lines) has
    its paragraphs inferred instead: one ends at a line that ends a sentence short of the wrap width, or at a short line
    the next word would have fitted after (a title); a short line without punctuation before a full one is a heading;
    page numbers alone on their line and contents (dot leaders) are left out.
    """
    source_lines = [line.strip() for line in raw.splitlines()]
    wrap = _wrap_width([line for line in source_lines if line])
    unbroken = len(source_lines) >= 20 and all(source_lines)
    blocks: list[Block] = []
    lines: list[str] = []
    previous = ""

    def flush() -> None:
        if lines:
            blocks.append(Block("body", "\n".join(lines), None, None))
            lines.clear()

    for text in source_lines:
        if unbroken and _FOLIO.match(text):
            continue
        if not text:
            flush()
        elif unbroken and lines and _ends_paragraph(previous, text, wrap, lines[0] if len(lines) == 1 else ""):
            flush()
            lines.append(text)
        elif (
            lines
            and not _LIST_ITEM.match(text)
            and (_runs_on_tight(previous, text, lines[0] if len(lines) == 1 else "") or not _break_is_intended(previous, text, wrap))
        ):
            lines[-1] = join_wrapped(lines[-1], text)
        else:
            lines.append(text)
        previous = text
    flush()
    if not unbroken:
        return blocks
    blocks = _with_headings(blocks, wrap)
    return [
        b for b in blocks if not (len(_LEADERS.findall(b.text)) >= 2 or (_LEADERS.search(b.text) and len(_LEADERS.sub("", b.text)) < 80))
    ]


def _ends_paragraph(line: str, following: str, wrap: tuple[float, float], opening: str) -> bool:
    """In a text without blank lines: `line` closes its paragraph (a sentence ends short of the wrap width, or the next
    word would have fitted after it), unless a Chinese or Japanese sentence runs on (`opening`: see `_runs_on_tight`)."""
    if _LEADERS.search(line):
        return True  # a contents entry stands alone
    if _LIST_ITEM.match(following) or _runs_on_tight(line, following, opening):
        return False
    ended = bool(_SENTENCE_END.search(line)) and display_width(line) < 0.85 * wrap[1]
    return ended or _break_is_intended(line, following, wrap)


def _with_headings(blocks: list[Block], wrap: tuple[float, float]) -> list[Block]:
    """A one-line block, short and without closing punctuation, before a block that opens with a full line: a heading."""
    for block, following in zip(blocks, blocks[1:]):
        text = block.text
        first = following.text.split("\n", 1)[0]
        if (
            "\n" not in text
            and display_width(text) <= 0.5 * wrap[1]
            and not _TRAILING_PUNCTUATION.search(text)
            and any(ch.isalpha() for ch in text)
            and display_width(first) >= 0.8 * wrap[1]
        ):
            block.kind = "heading"
    return blocks
