"""Verbatim's core: ingestion, embeddings, the on-disk index, search and verified answers (no Discord here)."""

from __future__ import annotations

__version__ = "0.1.0"
