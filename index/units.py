"""Search units: the sentence-sized pieces of passages that are embedded and searched."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from index.chunking import line_spans, sentence_spans
from index.models import Passage

MIN_UNIT_CHARS = 12


@dataclass(frozen=True)
class Unit:
    """A span of one passage (offsets into the passage text) that gets its own vector."""

    passage: int
    start: int
    end: int

    def text(self, passages: Sequence[Passage]) -> str:
        return passages[self.passage].text[self.start : self.end]


def units_for(passages: list[Passage]) -> list[Unit]:
    """Sentences of every passage (a code listing's lines: sentence punctuation in code, "(?P<major>…)", is no
    boundary); very short ones are merged into the next one."""
    units: list[Unit] = []
    for index, passage in enumerate(passages):
        spans = (line_spans if passage.kind == "code" else sentence_spans)(passage.text) or [(0, len(passage.text))]
        merged: list[tuple[int, int]] = []
        pending: tuple[int, int] | None = None
        for start, end in spans:
            if pending is not None:
                start = pending[0]
                pending = None
            if end - start < MIN_UNIT_CHARS:
                pending = (start, end)
                continue
            merged.append((start, end))
        if pending is not None:
            if merged:
                merged[-1] = (merged[-1][0], pending[1])
            else:
                merged.append(pending)
        units.extend(Unit(index, start, end) for start, end in merged)
    return units


def embedding_input(passage: Passage, unit: Unit) -> str:
    """What gets embedded for a unit: its sentence text as written."""
    return passage.text[unit.start : unit.end].strip()


def input_key(text: str) -> str:
    """A content key for reusing an embedding when the same input comes back in a later build."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=10).hexdigest()
