"""Fixtures for the reliability suite: copies of the session's real article index, so builds reuse its vectors."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from index.config import Settings
from index.embeddings import Embedder
from index.service import Verbatim

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def shared_embedder(article_service: Verbatim) -> Embedder:
    """The real embedder the session's article index was built with (loaded once: it takes seconds)."""
    manifest = article_service.loaded.manifest
    return article_service.embedder_for(manifest.model, manifest.backend)


def copy_index(source: Settings, target: Settings) -> None:
    """Copy a whole index directory (versions and relative current/previous symlinks)."""
    shutil.copytree(source.index_dir, target.index_dir, symlinks=True)


@pytest.fixture
def built_service(settings_factory: Callable[..., Settings], article_service: Verbatim, shared_embedder: Embedder) -> Verbatim:
    """A Verbatim over a private copy of the article index, loaded and serving; safe to damage."""
    settings = settings_factory()
    copy_index(article_service.settings, settings)
    service = Verbatim(settings, embedder=shared_embedder)
    service.load()
    # The tests damage this copy; its own background check must be over first, or it races them (marking, deleting).
    assert service.wait_for_integrity() == "ok"
    return service


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}
