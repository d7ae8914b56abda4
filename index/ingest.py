"""Turn extracted text into clean paragraphs with headings and pages, keeping every original character."""

from __future__ import annotations

import logging
import re
import statistics
import unicodedata
from dataclasses import dataclass, field

from index.models import CleanDocument, DocumentMeta, Paragraph

log = logging.getLogger(__name__)

SENTENCE_END = "。！？!?；;"
CLOSERS = "」』）)”’》〉"
CLAUSE_PUNCT = "，、：,:"
_LATIN_TAIL = re.compile(r"[A-Za-z0-9\-.,;:)\]]$")
_LATIN_HEAD = re.compile(r"^[A-Za-z0-9(\[]")
_DOI_LINE = re.compile(r"^\s*doi\s*[:：]", re.IGNORECASE)
_FOOTNOTE_MARK = re.compile(r"^[＊*※†]\s*")
_HEADER_PAGE = re.compile(r"^(\d{1,4})(?=\D)")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def display_width(text: str) -> int:
    """Columns a line takes when typeset: full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def join_lines(left: str, right: str) -> str:
    """Join two wrapped lines: no space between CJK characters, one space between Latin words."""
    if not left:
        return right
    if not right:
        return left
    if _LATIN_TAIL.search(left) and _LATIN_HEAD.match(right):
        return f"{left} {right}"
    return left + right


def ends_sentence(text: str) -> bool:
    stripped = text.rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_END


@dataclass
class _Line:
    text: str
    page: int | None
    width: int


@dataclass
class _Block:
    kind: str  # "front", "heading", "body"
    text: str
    page_start: int | None
    page_end: int | None
    breaks: list[tuple[int, int]] = field(default_factory=list)

    def extend(self, text: str, page: int | None) -> None:
        joined = join_lines(self.text, text)
        if page is not None and page != self.page_end:
            self.breaks.append((len(joined) - len(text), page))
        self.text = joined
        self.page_end = page


def looks_hard_wrapped(text: str) -> bool:
    """True for PDF-extracted text: most lines wrapped at one width, often with blank lines between them."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) < 12:
        return False
    widths = [display_width(ln) for ln in lines]
    median = statistics.median(widths)
    if median < 30:
        return False
    near = sum(1 for w in widths if abs(w - median) <= 6)
    return near / len(widths) >= 0.55


def _is_heading(line: _Line, prev: _Line | None, nxt: _Line | None, typical: float) -> bool:
    text = line.text
    if nxt is None or len(text) > 40 or line.width > typical * 0.7:
        return False
    if any(ch in SENTENCE_END + CLAUSE_PUNCT + "，。" for ch in text):
        return False
    if prev is not None and not ends_sentence(prev.text):
        return False
    return True


def _paragraph_breaks_after(prev: _Line, line: _Line, typical: float) -> bool:
    """Whether a new paragraph starts at `line` (the previous one being `prev`)."""
    if not ends_sentence(prev.text):
        return False
    if prev.width <= typical - 4:
        return True
    # A full previous line ending a sentence: the new line shows the two-character first-line indent.
    has_latin = any(ch.isascii() and ch.isalnum() for ch in line.text)
    return not has_latin and line.width <= typical - 3


def _clean_hard_wrapped(raw: str, meta: DocumentMeta, first_page: int | None) -> tuple[list[_Block], list[str]]:
    """Split PDF-extracted text into front matter, headings and body paragraphs with pages."""
    page = first_page
    title_key = re.sub(r"\s+", "", meta.title) if meta.title else ""
    author_key = re.sub(r"\s+", "", meta.author) if meta.author else ""
    front: list[_Block] = []
    body: list[_Line] = []
    footnote: list[str] = []
    in_footnote = False
    title_parts: list[str] = []
    seen_body = False
    page_breaks = 0

    for raw_line in raw.splitlines():
        if not raw_line.strip():
            continue
        text = raw_line.strip()
        compact = re.sub(r"\s+", "", text)
        if "│" in text or "|" in text and not seen_body:
            match = _HEADER_PAGE.match(text)
            if match:
                page = int(match.group(1))
            continue
        if _DOI_LINE.match(text):
            continue
        if in_footnote:
            footnote.append(text)
            in_footnote = not ends_sentence(text)
            continue
        if _FOOTNOTE_MARK.match(text) and not (author_key and _FOOTNOTE_MARK.sub("", compact).rstrip("＊*") == author_key):
            footnote = [_FOOTNOTE_MARK.sub(lambda m: m.group(0).strip(), text, count=1)]
            in_footnote = not ends_sentence(text)
            continue
        if not seen_body and title_key and title_key.startswith("".join(title_parts) + compact):
            title_parts.append(compact)
            if "".join(title_parts) == title_key:
                front.append(_Block("front", meta.title, page, page))
            continue
        if not seen_body and author_key and compact.rstrip("＊*※†") == author_key:
            front.append(_Block("front", text, page, page))
            continue
        if seen_body and raw_line[:1].isspace() and page is not None:
            page += 1
            page_breaks += 1
        elif seen_body and raw_line[:1].isspace():
            page_breaks += 1
        seen_body = True
        body.append(_Line(text, page, display_width(text)))

    if footnote:
        note = footnote[0]
        for part in footnote[1:]:
            note = join_lines(note, part)
        front.append(_Block("front", note, first_page, first_page))

    typical = statistics.median([ln.width for ln in body]) if body else 0.0
    blocks: list[_Block] = []
    if front:
        # Title, byline and the author's footnote read as one front-matter paragraph.
        blocks.append(_Block("front", "\n".join(b.text for b in front), front[0].page_start, front[-1].page_end))
    current: _Block | None = None
    for i, line in enumerate(body):
        prev = body[i - 1] if i else None
        nxt = body[i + 1] if i + 1 < len(body) else None
        if _is_heading(line, prev, nxt, typical):
            current = None
            blocks.append(_Block("heading", line.text, line.page, line.page))
            continue
        if current is None or prev is None or _paragraph_breaks_after(prev, line, typical):
            current = _Block("body", line.text, line.page, line.page)
            blocks.append(current)
        else:
            current.extend(line.text, line.page)
    notes = [f"{page_breaks} page-break artifacts"] if page_breaks else []
    return blocks, notes


def _clean_plain(raw: str, markdown: bool) -> list[_Block]:
    """Paragraphs separated by blank lines; Markdown '#' lines become headings."""
    blocks: list[_Block] = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            text = buffer[0]
            for part in buffer[1:]:
                text = join_lines(text, part)
            blocks.append(_Block("body", text, None, None))
            buffer.clear()

    for raw_line in raw.splitlines():
        text = raw_line.strip()
        if not text:
            flush()
            continue
        match = _MD_HEADING.match(text) if markdown else None
        if match:
            flush()
            blocks.append(_Block("heading", match.group(2), None, None))
            continue
        buffer.append(text)
    flush()
    return blocks


def _assemble(meta: DocumentMeta, blocks: list[_Block], content_hash: str) -> CleanDocument:
    """Lay paragraphs out as one text (blank line between) and record their offsets and sections."""
    pieces: list[str] = []
    paragraphs: list[Paragraph] = []
    headings: list[str] = []
    section = ""
    offset = 0
    number = 0
    for block in blocks:
        if block.kind == "heading":
            section = block.text
            headings.append(block.text)
        if pieces:
            offset += 2
        start = offset
        pieces.append(block.text)
        offset += len(block.text)
        if block.kind == "heading":
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
            )
        )
    return CleanDocument(meta=meta, text="\n\n".join(pieces), paragraphs=tuple(paragraphs), headings=tuple(headings), content_hash=content_hash)


def clean_text(raw: str, meta: DocumentMeta, content_hash: str, *, markdown: bool = False) -> CleanDocument:
    """Clean one document's text into paragraphs with sections and (where recoverable) pages."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    if not markdown and (meta.format == "pdf-extracted" or looks_hard_wrapped(raw)):
        blocks, notes = _clean_hard_wrapped(raw, meta, meta.first_page)
        if notes:
            log.debug("%s: %s", meta.doc_id, ", ".join(notes))
    else:
        blocks = _clean_plain(raw, markdown)
    return _assemble(meta, blocks, content_hash)

