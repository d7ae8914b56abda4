"""Plain text: paragraphs separated by blank lines, wrapped lines joined by script, list items and short lines kept apart."""

from __future__ import annotations

import logging
import re

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


def _break_is_intended(line: str, following: str, wrap: tuple[float, float]) -> bool:
    """A line that ends although the next word would easily have fitted (a title, a byline, a verse): keep the break."""
    extra = _first_word(following)
    chars, columns = wrap
    return len(line) + 1 + len(extra) <= 0.6 * chars and display_width(line) + 1 + display_width(extra) <= 0.6 * columns


def plain_blocks(raw: str) -> list[Block]:
    """Paragraphs separated by blank lines; within one, wrapped lines joined, list items and intended breaks kept as lines."""
    wrap = _wrap_width([line.strip() for line in raw.splitlines() if line.strip()])
    blocks: list[Block] = []
    lines: list[str] = []
    previous = ""

    def flush() -> None:
        if lines:
            blocks.append(Block("body", "\n".join(lines), None, None))
            lines.clear()

    for raw_line in raw.splitlines():
        text = raw_line.strip()
        if not text:
            flush()
        elif lines and not _LIST_ITEM.match(text) and not _break_is_intended(previous, text, wrap):
            lines[-1] = join_wrapped(lines[-1], text)
        else:
            lines.append(text)
        previous = text
    flush()
    return blocks
