"""Upkeep: the heartbeat file the container health check reads, and index versions built by `verbatim build` elsewhere."""

from __future__ import annotations

import json
import shutil

from index.health import check_health
from index.service import Verbatim
from tests.bot.helpers import ask_options, text_of
from tests.conftest import make_settings


async def test_heartbeat_and_new_index_version_are_picked_up(fake, launch, article_service, tmp_path):
    # A private copy of the article index, so a second process-like service can rebuild it.
    settings = make_settings(tmp_path / "own")
    shutil.copytree(article_service.settings.index_dir, settings.index_dir, symlinks=True)
    shutil.copytree(article_service.settings.knowledge_dir, settings.knowledge_dir)
    serving = Verbatim(settings, embedder=article_service.answerer.retriever.embedder)
    serving.load()
    old_version = serving.loaded.version
    bot = await launch(service=serving, data_dir=settings.data_dir)
    upkeep = bot.get_cog("Upkeep")
    assert type(upkeep).__name__ == "Upkeep" and upkeep.tick.is_running()

    assert await upkeep.run_once() is None
    beat = json.loads((settings.data_dir / "heartbeat.json").read_text(encoding="utf-8"))
    assert beat["index_version"] == old_version and beat["guilds"] == 1
    assert check_health(settings.index_dir, settings.data_dir) == []

    # Another process (here: another service on the same directories) builds a new version.
    (settings.knowledge_dir / "notes.md").write_text("# Notes\n\nThe Sokcho ferry line reopened in spring 2019.\n", encoding="utf-8")
    other = Verbatim(settings, embedder=serving.answerer.retriever.embedder)
    report = other.build(built_by="cli")
    assert report.version != old_version

    assert await upkeep.run_once() == report.version
    ix = await fake.send_command("ask", options=ask_options("平壤宣言承諾了什麼？"), member=fake.member(name="reader"))
    answer = await ix.wait_response(timeout=60)
    assert report.version in text_of(answer)
