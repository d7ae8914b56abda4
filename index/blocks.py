"""Blocks of cleaned text (headings, paragraphs, code) and how wrapped lines join; every loader lays its blocks out here."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from index.models import CleanDocument, DocumentMeta, Paragraph

log = logging.getLogger(__name__)

SENTENCE_END = "。！？!?；;"
CLOSERS = "」』）)”’》〉"
CLAUSE_PUNCT = "，、：,:"
# How a document's paragraphs (and headings) are laid out in its text, here and in the PDF loader: a blank line between
# them (index/chunking.py packs consecutive paragraphs by it).
PARAGRAPH_BREAK = "\n\n"

_OPENERS = "([{“‘«"  # no space after these at a line end ...
_CLOSING = ")]}”’»,.;:!?%"  # ... nor before these at a line start
# Block kinds as loaders produce them, and the Paragraph.kind each becomes ("heading" is no paragraph).
_PARAGRAPH_KIND = {"body": "prose", "front": "prose", "code": "code", "footnote": "footnote", "table": "table"}


def display_width(text: str) -> int:
    """Columns a line takes when typeset: full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def is_hangul(ch: str) -> bool:
    code = ord(ch)
    return (
        0xAC00 <= code <= 0xD7AF
        or 0x1100 <= code <= 0x11FF
        or 0x3130 <= code <= 0x318F
        or 0xA960 <= code <= 0xA97F
        or 0xD7B0 <= code <= 0xD7FF
    )


def joins_tight(ch: str) -> bool:
    """Chinese and Japanese characters and full-width punctuation: words run on without spaces across a line break."""
    return is_cjk(ch) and not is_hangul(ch)


def join_lines(left: str, right: str) -> str:
    """Join two wrapped lines as one text: no space next to Chinese/Japanese characters, one space otherwise.

    Hangul, Latin and digits are separated by spaces, so a line break between them stands for one; a
    line ending in a hyphen inside a word ("third-" / "party") or an opening bracket, or a line starting
    with closing punctuation, joins without one.
    """
    if not left:
        return right
    if not right:
        return left
    last, first = left[-1], right[0]
    if joins_tight(last) or joins_tight(first) or last in _OPENERS or first in _CLOSING:
        return left + right
    if last == "-" and len(left) > 1 and left[-2].isalnum() and first.isalnum():
        return left + right
    return f"{left} {right}"


def ends_sentence(text: str) -> bool:
    stripped = text.rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_END


@dataclass
class Line:
    text: str
    page: int | None
    width: int


@dataclass
class Block:
    """A heading, front matter, body paragraph, code block or footnote, with the pages it spans."""

    kind: str  # "front", "heading", "body", "code", "footnote", "table"
    text: str
    page_start: int | None
    page_end: int | None
    breaks: list[tuple[int, int]] = field(default_factory=list)
    level: int | None = None  # a heading's level where the markup gives it (Markdown's # count, HTML's h1-h6)

    def extend(self, text: str, page: int | None, join: Callable[[str, str], str] = join_lines) -> None:
        joined = join(self.text, text)
        if page is not None and page != self.page_end:
            self.breaks.append((len(joined) - len(text), page))
        self.text = joined
        self.page_end = page


# A figure's or table's caption as it opens: "Table 2", "Fig. 3", "图 1", "그림 4" (PDF and plain text alike).
CAPTION = re.compile(r"^(?:(?:Table|Figure|Fig\.|Algorithm|Listing|Chart)\s*[0-9IVX]|(?:表|图|圖|그림|표)\s*[0-9])")
_SENTENCE_HEADING_END = re.compile(r"[.!?。！？．][\"'”’」』)]*$")


def reads_as_sentence(heading: str) -> bool:
    """Whether a heading says something (a sentence or a question, "Canaries must be pinned.", "Can we just do more
    minor releases?"): it is text to search and quote, besides naming its section; a label ("Introduction") is not."""
    return bool(_SENTENCE_HEADING_END.search(heading.strip())) and len(heading.split()) + sum(map(is_cjk, heading)) // 2 >= 4


# Between the headings of a section's path: "三路快速排序 › 定义".
SECTION_SEPARATOR = " › "


def section_leaf(section: str) -> str:
    """The nearest heading of a section's path."""
    return section.rpartition(SECTION_SEPARATOR)[2]


def _title_heading(blocks: list[Block]) -> Block | None:
    """The document's title as a heading: the first leveled heading when it is the only one of the top level."""
    leveled = [b for b in blocks if b.kind == "heading" and b.level is not None and b.text.strip()]
    if not leveled:
        return None
    top = min(b.level for b in leveled if b.level is not None)
    tops = [b for b in leveled if b.level == top]
    return tops[0] if len(tops) == 1 and tops[0] is leveled[0] else None


def assemble(meta: DocumentMeta, blocks: list[Block], content_hash: str, profile: str = "") -> CleanDocument:
    """Lay paragraphs out as one text (blank line between) and record their offsets, sections and kinds.

    Where the markup gives headings levels, a section is the path of headings above the text ("三路快速排序 › 定义",
    not "定义" three times over): the document's title and headings that read as sentences name no path but their own.
    """
    pieces: list[str] = []
    paragraphs: list[Paragraph] = []
    headings: list[str] = []
    path: list[tuple[int, str]] = []  # the open headings above, (level, text), outermost first
    title = _title_heading(blocks)
    section = ""
    offset = 0
    number = 0
    for block in blocks:
        if not block.text.strip():
            continue
        if block.kind == "heading":
            if block.level is None:
                path = []
            else:
                path = [(level, text) for level, text in path if level < block.level]
            ancestors = [text for _, text in path]
            section = SECTION_SEPARATOR.join([*ancestors, block.text])
            if block.level is not None and block is not title and not reads_as_sentence(block.text):
                path.append((block.level, block.text))
            headings.append(block.text)
        if pieces:
            offset += len(PARAGRAPH_BREAK)
        start = offset
        pieces.append(block.text)
        offset += len(block.text)
        if block.kind == "heading" and not reads_as_sentence(block.text):
            continue
        number += 1
        paragraphs.append(
            Paragraph(
                number=number,
                text=block.text,
                start=start,
                end=offset,
                section=section,
                page_start=block.page_start,
                page_end=block.page_end,
                page_breaks=tuple((start + offset, page) for offset, page in block.breaks),
                kind=_PARAGRAPH_KIND.get(block.kind, "prose"),
            )
        )
    return CleanDocument(
        meta=meta,
        text=PARAGRAPH_BREAK.join(pieces),
        paragraphs=tuple(paragraphs),
        headings=tuple(headings),
        content_hash=content_hash,
        profile=profile,
    )
