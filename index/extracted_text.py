"""The PDF-extracted-text profile: text copied out of a typeset PDF, recognised by its artefacts and cleaned back into paragraphs."""

from __future__ import annotations

import logging
import re
import statistics
from dataclasses import dataclass

from index.blocks import CLAUSE_PUNCT, SENTENCE_END, Block, Line, display_width, ends_sentence
from index.hyphenation import LineEndHyphens
from index.korean_breaks import join_typeset
from index.models import DocumentMeta
from index.text_loader import join_hyphenated

log = logging.getLogger(__name__)

PROFILE = "pdf-extracted text"

_DOI_LINE = re.compile(r"^\s*doi\s*[:：]", re.IGNORECASE)
_FOOTNOTE_MARK = re.compile(r"^[＊*※†]\s*")
_HEADER_PAGE = re.compile(r"^(\d{1,4})(?=\D)")
_HEADER_BAR_AT_END = re.compile(r"│\s*\d{0,4}\s*$")
_BOX_BAR = "│"


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def looks_hard_wrapped(text: str) -> bool:
    """True when most lines are wrapped at one width (at least 30 columns)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) < 12:
        return False
    widths = [display_width(ln) for ln in lines]
    median = statistics.median(widths)
    if median < 30:
        return False
    near = sum(1 for w in widths if abs(w - median) <= 6)
    return near / len(widths) >= 0.55


@dataclass(frozen=True)
class ExtractionSignals:
    """What in a text betrays a copy out of a typeset PDF."""

    hard_wrapped: bool
    running_header: bool  # a "│" header line carrying a page number
    broken_sentences: float  # share of blank lines that cut a full-width line mid-sentence
    page_break_lines: int  # lines starting with a space under one at the margin although its sentence runs on

    @property
    def is_extraction(self) -> bool:
        artefacts = (self.running_header, self.broken_sentences >= 0.3, self.page_break_lines >= 2)
        return self.hard_wrapped and sum(artefacts) >= 2


def extraction_signals(text: str) -> ExtractionSignals:
    """Measure the artefacts of PDF extraction in a text (see ExtractionSignals)."""
    lines = text.splitlines()
    nonblank = [ln.strip() for ln in lines if ln.strip()]
    if len(nonblank) < 12:
        return ExtractionSignals(False, False, 0.0, 0)
    median = statistics.median(display_width(ln) for ln in nonblank)
    header = any(_looks_like_header(ln) for ln in nonblank)
    gaps = broken = page_breaks = 0
    previous: str | None = None
    indented = False
    blank_before = False
    for raw in lines:
        if not raw.strip():
            blank_before = previous is not None
            continue
        if previous is not None:
            runs_on = not ends_sentence(previous) and not previous.endswith((":", "：")) and display_width(previous) >= median - 6
            if blank_before:
                gaps += 1
                broken += runs_on
            elif raw[:1].isspace() and runs_on and not indented:
                # Set in from a line at the margin: lines of an indented block (an RFC's paragraphs, three spaces in,
                # their list items hanging further) are no page-break artefacts.
                page_breaks += 1
        previous = raw.strip()
        indented = raw[:1].isspace()
        blank_before = False
    return ExtractionSignals(looks_hard_wrapped(text), header, broken / gaps if gaps else 0.0, page_breaks)


def looks_like_extraction(text: str) -> bool:
    """Whether `text` is a PDF extraction (hard-wrapped, with running headers, broken sentences, page-break lines)."""
    return extraction_signals(text).is_extraction


def _is_running_header(text: str, seen_body: bool, known: set[str]) -> bool:
    """A running header line: any ruled line before the body, later only one with a page number or seen before."""
    if not seen_body:
        return _BOX_BAR in text or "|" in text
    if _furniture_key(text) in known:
        return True
    return _looks_like_header(text)


def _looks_like_header(text: str) -> bool:
    """A short line ruled with "│" that starts with a page number or ends at the rule (a journal's running header)."""
    return _BOX_BAR in text and display_width(text) <= 100 and bool(_HEADER_PAGE.match(text) or _HEADER_BAR_AT_END.search(text))


def _is_heading(line: Line, prev: Line | None, nxt: Line | None, typical: float) -> bool:
    text = line.text
    if nxt is None or len(text) > 40 or line.width > typical * 0.7:
        return False
    if any(ch in SENTENCE_END + CLAUSE_PUNCT + "，。" for ch in text):
        return False
    if prev is not None and not ends_sentence(prev.text):
        return False
    return True


def _paragraph_breaks_after(prev: Line, line: Line, typical: float) -> bool:
    """Whether a new paragraph starts at `line` (the previous one being `prev`)."""
    if not ends_sentence(prev.text):
        return False
    if prev.width <= typical - 4:
        return True
    # A full previous line ending a sentence: the new line shows the two-character first-line indent.
    has_latin = any(ch.isascii() and ch.isalnum() for ch in line.text)
    return not has_latin and line.width <= typical - 3


def extracted_blocks(raw: str, meta: DocumentMeta, first_page: int | None) -> tuple[list[Block], list[str]]:
    """Split PDF-extracted text into front matter, headings and body paragraphs with pages."""
    page = first_page
    title_key = re.sub(r"\s+", "", meta.title) if meta.title else ""
    author_key = re.sub(r"\s+", "", meta.author) if meta.author else ""
    front: list[Block] = []
    body: list[Line] = []
    footnote: list[str] = []
    footnote_page = first_page
    in_footnote = False
    title_parts: list[str] = []
    seen_body = False
    page_breaks = 0
    headers: set[str] = set()

    for raw_line in raw.splitlines():
        if not raw_line.strip():
            continue
        text = raw_line.strip()
        compact = re.sub(r"\s+", "", text)
        if _is_running_header(text, seen_body, headers):
            headers.add(_furniture_key(text))
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
            footnote_page = page
            in_footnote = not ends_sentence(text)
            continue
        if not seen_body and title_key and title_key.startswith("".join(title_parts) + compact):
            title_parts.append(compact)
            if "".join(title_parts) == title_key:
                front.append(Block("front", meta.title, page, page))
            continue
        if not seen_body and author_key and compact.rstrip("＊*※†") == author_key:
            front.append(Block("front", text, page, page))
            continue
        if seen_body and raw_line[:1].isspace() and page is not None:
            page += 1
            page_breaks += 1
        elif seen_body and raw_line[:1].isspace():
            page_breaks += 1
        seen_body = True
        body.append(Line(text, page, display_width(text)))

    if footnote:
        note = footnote[0]
        for part in footnote[1:]:
            note = join_typeset(note, part)
        front.append(Block("front", note, footnote_page, footnote_page))

    hyphens = LineEndHyphens.of([ln.text for ln in body] + footnote, meta.language)

    def join(left: str, right: str) -> str:
        return join_hyphenated(left, right, hyphens, join_typeset)

    typical = statistics.median([ln.width for ln in body]) if body else 0.0
    blocks: list[Block] = []
    if front:
        # Title, byline and the author's footnote read as one front-matter paragraph.
        blocks.append(Block("front", "\n".join(b.text for b in front), front[0].page_start, front[-1].page_end))
    current: Block | None = None
    for i, line in enumerate(body):
        prev = body[i - 1] if i else None
        nxt = body[i + 1] if i + 1 < len(body) else None
        if _is_heading(line, prev, nxt, typical):
            current = None
            blocks.append(Block("heading", line.text, line.page, line.page))
            continue
        if current is None or prev is None or _paragraph_breaks_after(prev, line, typical):
            current = Block("body", line.text, line.page, line.page)
            blocks.append(current)
        else:
            current.extend(line.text, line.page, join)
    notes = [f"{page_breaks} page-break artifacts"] if page_breaks else []
    return blocks, notes
