"""Scan a cleaned document for ingestion defects: markup left in prose, PDF debris, words glued across line breaks."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from index.models import CleanDocument, Paragraph

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Defect:
    """One defect found in one paragraph, with the text around it."""

    kind: str
    paragraph: int
    example: str


# Markup a reader never sees, looked for in prose (code keeps its characters).
_MARKUP = {
    "bold/italic markers": re.compile(r"\*\*\S|\S\*\*|(?<![\w\\])__\S"),
    "link syntax": re.compile(r"\]\("),
    "HTML tag": re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--"),
    "code fence": re.compile(r"```|~~~"),
    "table rule": re.compile(r"\|\||-{3,}\s*\||\|\s*:?-{3,}"),
    "tag syntax": re.compile(r"\{[A-Za-z][\w-]*:[^{}\s][^{}]*\}|\{:[^{}]*\}|\{%"),
    "reference definition": re.compile(r"^\s*\[[^\]]+\]:\s*\S", re.MULTILINE),
    "heading marker": re.compile(r"^#{1,6}\s", re.MULTILINE),
    "blockquote marker": re.compile(r"^>\s", re.MULTILINE),
    "front matter": re.compile(
        r"^(?:---|\+\+\+)\s*(?:$|[a-z_]+:)|^(?:title|lang|layout|description|redirect_from|permalink|author|authors|tags|class|order):\s+\S",
        re.MULTILINE,
    ),
}
# Characters that are never meant to reach the stored text of any kind of paragraph.
_CHARACTERS = {
    "ligature": re.compile(r"[\ufb00-\ufb06]"),
    "soft hyphen U+00AD": re.compile("\u00ad"),
    "no-break space U+00A0": re.compile("\u00a0"),
    "zero-width space U+200B": re.compile("[\u200b\u200c\u200d\u2060\ufeff]"),
}
# "promi- nent": a hyphen left where a line used to end (but "pre- and post-" is written that way).
_SHOWN = {
    "\u00ad": "⟨SHY⟩",
    "\u00a0": "⟨NBSP⟩",
    "\u200b": "⟨ZWSP⟩",
    "\u200c": "⟨ZWNJ⟩",
    "\u200d": "⟨ZWJ⟩",
    "\u2060": "⟨WJ⟩",
    "\ufeff": "⟨BOM⟩",
}
_LINE_END_HYPHEN = re.compile(r"\b[A-Za-z]{2,}- (?!(?:and|or|to|nor|as well as|und|oder)\b)[a-z]{2,}\b")
_LAST_WORD = re.compile(r"([A-Za-z\uac00-\ud7a3]+)$")
_FIRST_WORD = re.compile(r"^([A-Za-z\uac00-\ud7a3]+)")


def _example(text: str, start: int, end: int, margin: int = 25) -> str:
    left = max(0, start - margin)
    right = min(len(text), end + margin)
    snippet = text[left:right].replace("\n", "⏎")
    for char, shown in _SHOWN.items():
        snippet = snippet.replace(char, shown)
    return ("…" if left else "") + snippet + ("…" if right < len(text) else "")


def _paragraph_defects(para: Paragraph) -> list[Defect]:
    found: list[Defect] = []
    checks = dict(_CHARACTERS)
    if para.kind != "code":
        checks.update(_MARKUP)
        checks["line-end hyphen"] = _LINE_END_HYPHEN
    for kind, pattern in checks.items():
        for match in pattern.finditer(para.text):
            found.append(Defect(kind, para.number, _example(para.text, match.start(), match.end())))
    return found


def glued_words(doc: CleanDocument, source: str) -> list[Defect]:
    """Latin or Hangul words that sat on either side of a line break in `source` and now run together in the text."""
    found: list[Defect] = []
    lines = [line.strip() for line in source.splitlines()]
    squashed_source = set(re.findall(r"[A-Za-z\uac00-\ud7a3]+", source))
    for left, right in zip(lines, lines[1:]):
        last, first = _LAST_WORD.search(left), _FIRST_WORD.match(right)
        if not last or not first:
            continue
        glued = last.group(1) + first.group(1)
        if glued in squashed_source:
            continue  # the joined word exists in the source itself
        for match in re.finditer(re.escape(glued), doc.text):
            before = doc.text[match.start() - 1 : match.start()]
            after = doc.text[match.end() : match.end() + 1]
            if before.isalpha() or after.isalpha():
                continue
            para = next((p.number for p in doc.paragraphs if p.start <= match.start() < p.end), 0)
            found.append(Defect("words glued across a line break", para, _example(doc.text, match.start(), match.end())))
    return found


def defects(doc: CleanDocument, source: str | None = None) -> list[Defect]:
    """Every defect in the document's paragraphs; with the raw `source` text, also words glued across its line breaks."""
    found = [defect for para in doc.paragraphs for defect in _paragraph_defects(para)]
    if source is not None:
        found.extend(glued_words(doc, source))
    return found
