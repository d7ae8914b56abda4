"""GuildLibrary: guild indexes load lazily and are evicted least-recently-used under a memory budget; the base never is."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.builder import build_index
from index.service import Verbatim
from index.store import IndexStore
from index.tenancy import GuildLibrary, guild_root
from tests.conftest import make_settings

pytestmark = pytest.mark.slow

GUILDS = [1_300_000_000_000_000_001, 1_300_000_000_000_000_002, 1_300_000_000_000_000_003]
DOCS = [
    "# Ferry\n\nThe ferry to Halsey Point leaves every morning at seven from the north pier.\n",
    "# Orchard\n\nThe orchard behind the abbey grows forty kinds of pear, most of them grafted in 1952.\n",
    "# Bell\n\nThe bell of Saint Olave's church was recast in 1888 after it cracked during a frost.\n",
]
QUESTIONS = [
    "When does the ferry to Halsey Point leave?",
    "How many kinds of pear grow in the orchard behind the abbey?",
    "When was the bell of Saint Olave's church recast?",
]


def test_guild_indexes_are_evicted_lru_under_the_budget_and_the_base_never(article_service: Verbatim, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    manifest = article_service.loaded.manifest
    embedder = article_service.embedder_for(manifest.model, manifest.backend)
    for guild_id, text in zip(GUILDS, DOCS, strict=True):
        root = guild_root(settings.guilds_dir, guild_id)
        (root / "knowledge").mkdir(parents=True)
        (root / "knowledge" / "notes.md").write_text(text, encoding="utf-8")
        build_index(root / "knowledge", IndexStore(root / "index"), lambda: embedder, model=manifest.model, backend=manifest.backend)

    library = GuildLibrary(settings, article_service, budget_bytes=10**12)
    first = library.view(GUILDS[0])
    one = library.space(GUILDS[0]).footprint
    assert one > 0
    library.budget_bytes = int(2.5 * one)  # room for two of these guilds

    assert first.ask(QUESTIONS[0]).answered
    second = library.view(GUILDS[1])
    assert library.loaded_guilds() == GUILDS[:2]
    library.view(GUILDS[2])  # over budget: the least recently used (the first) goes
    assert library.loaded_guilds() == GUILDS[1:] and library.evictions == 1
    assert not library.space(GUILDS[0]).is_loaded and article_service.is_loaded
    # A view taken before the eviction still answers from what it holds.
    assert first.ask(QUESTIONS[0]).answered
    # Using guild 2 makes guild 3 the least recently used; guild 1 comes back by loading again.
    assert second.ask(QUESTIONS[1]).answered
    library.view(GUILDS[1])
    again = library.view(GUILDS[0])
    assert library.loaded_guilds() == [GUILDS[1], GUILDS[0]] and library.evictions == 2
    answer = again.ask(QUESTIONS[0])
    assert answer.answered and answer.quote is not None and answer.quote.passage.doc_id == "notes"
    assert library.loaded_bytes() <= library.budget_bytes
    # Each guild answers its own question only: guild 2's view never quotes guild 1's ferry.
    other = library.view(GUILDS[1]).ask(QUESTIONS[0])
    assert not (other.answered and other.quote is not None and "ferry" in other.quote.text)


def test_a_guild_without_documents_sees_the_base_only(article_service: Verbatim, tmp_path: Path) -> None:
    library = GuildLibrary(make_settings(tmp_path), article_service)
    view = library.view(GUILDS[0])
    assert view.own is None and library.loaded_guilds() == []
    assert view.ask("平壤宣言承諾了什麼？").answered
    assert not (tmp_path / "data" / "guilds" / str(GUILDS[0]) / "index").exists()
