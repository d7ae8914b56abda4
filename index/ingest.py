"""Turn extracted text into clean paragraphs with headings and pages: picks the loader for a text, and cleans PDF pages."""

from __future__ import annotations

import logging
import re

from index import extracted_text, markdown_loader, text_loader
from index.blocks import CLAUSE_PUNCT, CLOSERS, SENTENCE_END, Block, Line, assemble, display_width, ends_sentence, is_cjk, join_lines
from index.extracted_text import extracted_blocks, looks_hard_wrapped, looks_like_extraction
from index.markdown_loader import parse_markdown
from index.models import CleanDocument, DocumentMeta
from index.text_loader import plain_blocks

log = logging.getLogger(__name__)

__all__ = ["CLAUSE_PUNCT", "CLOSERS", "SENTENCE_END", "clean_pages", "clean_text", "display_width", "ends_sentence", "is_cjk", "join_lines"]

# The names the PDF cleaning below was written against.
_Block = Block
_Line = Line
_assemble = assemble
_clean_hard_wrapped = extracted_blocks


def _clean_plain(raw: str, markdown: bool = False) -> list[Block]:
    return parse_markdown(raw).blocks if markdown else plain_blocks(raw)


def text_profile(raw: str, meta: DocumentMeta, *, markdown: bool = False) -> str:
    """Which loader reads this text: Markdown by name, a PDF extraction by its artefacts (or its sidecar), else plain text."""
    if markdown:
        return markdown_loader.PROFILE
    if meta.format == "pdf-extracted" or looks_like_extraction(raw):
        return extracted_text.PROFILE
    return text_loader.PROFILE


def clean_text(raw: str, meta: DocumentMeta, content_hash: str, *, markdown: bool = False) -> CleanDocument:
    """Clean one document's text into paragraphs with sections and (where recoverable) pages."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    profile = text_profile(raw, meta, markdown=markdown)
    if profile == markdown_loader.PROFILE:
        parsed = parse_markdown(raw)
        return assemble(meta, parsed.blocks, content_hash, profile)
    if profile == extracted_text.PROFILE:
        blocks, notes = extracted_blocks(raw, meta, meta.first_page)
        if notes:
            log.debug("%s: %s", meta.doc_id, ", ".join(notes))
        return assemble(meta, blocks, content_hash, profile)
    return assemble(meta, plain_blocks(raw), content_hash, profile)


def clean_pages(pages: list[str], meta: DocumentMeta, content_hash: str) -> CleanDocument:
    """Clean a PDF's per-page text: drop repeated headers/footers, keep page numbers, join across pages."""
    first = meta.first_page or 1
    repeated = _repeated_lines(pages)
    blocks: list[_Block] = []
    for index, page_text in enumerate(pages):
        number = first + index
        kept = [ln for ln in page_text.splitlines() if _normalise_furniture(ln) not in repeated and not re.fullmatch(r"\s*\d{1,4}\s*", ln)]
        for block in _clean_plain("\n".join(kept), markdown=False) if not looks_hard_wrapped("\n".join(kept)) else _clean_hard_wrapped("\n".join(kept), meta, number)[0]:
            if block.page_start is None:
                block.page_start = block.page_end = number
            # A paragraph cut by the page break continues on the next page.
            if blocks and blocks[-1].kind == "body" and block.kind == "body" and not ends_sentence(blocks[-1].text) and block is not None and blocks[-1].page_end == number - 1:
                blocks[-1].extend(block.text, number)
                continue
            blocks.append(block)
    return _assemble(meta, blocks, content_hash)


def _normalise_furniture(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip())


def _repeated_lines(pages: list[str]) -> set[str]:
    """Lines (digits ignored) that recur on at least half of the pages: running headers and footers."""
    if len(pages) < 3:
        return set()
    counts: dict[str, int] = {}
    for page_text in pages:
        for key in {_normalise_furniture(ln) for ln in page_text.splitlines() if ln.strip()}:
            counts[key] = counts.get(key, 0) + 1
    return {key for key, count in counts.items() if count >= max(2, len(pages) // 2) and len(key) < 80}
