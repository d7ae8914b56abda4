"""GuildLibrary: guild indexes load lazily and are evicted least-recently-used under a memory budget; the base never is."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from index.builder import build_index
from index.service import Verbatim
from index.store import IndexStore
from index.tenancy import GuildLibrary, InvalidGuild, guild_root, merge_answers
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
BASE_QUESTION = "平壤宣言承諾了什麼？"  # answered by the shared article


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


def test_guild_ids_cannot_name_a_path_outside_the_guilds_directory(tmp_path: Path) -> None:
    assert guild_root(tmp_path, 1100000000000000001) == tmp_path / "1100000000000000001"
    for bad in ("../x", "1/../../etc", -5, 0, 2**64, True, 1.5, None, "123"):
        with pytest.raises(InvalidGuild):
            guild_root(tmp_path, bad)


def test_merge_prefers_an_answer_then_the_higher_scoring_quote(article_service: Verbatim) -> None:
    answered_ = article_service.ask(BASE_QUESTION)
    refused = article_service.ask("What is the population of Tokyo?")
    assert answered_.answered and not refused.answered
    assert merge_answers(refused, answered_).quote == answered_.quote
    assert merge_answers(answered_, refused).quote == answered_.quote
    best = answered_.passages[0]
    weaker = replace(answered_, passages=tuple(replace(sp, score=sp.score - 1.0) for sp in answered_.passages), index_version="weaker")
    assert merge_answers(weaker, answered_).index_version == answered_.index_version
    assert merge_answers(answered_, weaker).index_version == answered_.index_version
    merged = merge_answers(answered_, refused, k=5)
    scores = [sp.score for sp in merged.passages[1:]]
    assert (
        merged.passages[0].passage.id == answered_.quote.passage.id and scores == sorted(scores, reverse=True) and best in merged.passages
    )
