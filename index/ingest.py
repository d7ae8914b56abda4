"""Turn extracted text into clean paragraphs with headings and pages: picks the loader for a text, and cleans PDF pages."""

from __future__ import annotations

import logging

from index import extracted_text, markdown_loader, text_loader
from index.blocks import CLAUSE_PUNCT, CLOSERS, SENTENCE_END, Block, Line, assemble, display_width, ends_sentence, is_cjk, join_lines
from index.extracted_text import extracted_blocks, looks_like_extraction
from index.markdown_loader import parse_markdown
from index.models import CleanDocument, DocumentMeta
from index.text_loader import plain_blocks

log = logging.getLogger(__name__)

__all__ = ["CLAUSE_PUNCT", "CLOSERS", "SENTENCE_END", "clean_text", "display_width", "ends_sentence", "is_cjk", "join_lines"]

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
    if not markdown:
        raw = text_loader.detached_bullets_rejoined(raw)
    profile = text_profile(raw, meta, markdown=markdown)
    if profile == markdown_loader.PROFILE:
        parsed = parse_markdown(raw)
        return assemble(meta, parsed.blocks, content_hash, profile)
    if profile == extracted_text.PROFILE:
        blocks, notes = extracted_blocks(raw, meta, meta.first_page)
        if notes:
            log.debug("%s: %s", meta.doc_id, ", ".join(notes))
        return assemble(meta, blocks, content_hash, profile)
    return assemble(meta, plain_blocks(raw, meta.language), content_hash, profile)
