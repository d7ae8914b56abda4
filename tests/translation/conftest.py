"""Fixtures for the translation tests: the fake provider on 127.0.0.1 and quotes from the real article index."""

from __future__ import annotations

from index.answer import citation_for
from index.models import Quote
from index.service import Verbatim


def article_quote(service: Verbatim, passage_id: str, text: str | None = None) -> Quote:
    """A quote of the article: `text` (a part of the passage) or the whole passage."""
    passage = service.find_passage(passage_id)
    assert passage is not None, f"the article no longer has passage {passage_id}"
    text = passage.text if text is None else text
    at = passage.text.find(text)
    assert at >= 0
    return Quote(text=text, highlights=((0, len(text)),), passage=passage, citation=citation_for(service.loaded, passage))
