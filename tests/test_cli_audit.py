"""`verbatim build/add/remove/rollback` record audit entries (actor "cli") like moderators' /kb actions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import index.cli as cli
from index.records import Records
from index.service import Verbatim
from tests.conftest import copy_article, make_settings

LIGHTHOUSE_MD = "# Kestrel Island lighthouse\n\nThe lighthouse on Kestrel Island was built in 1887 by the engineer Mara Olsson.\n"


def test_cli_maintenance_commands_record_audit_entries(
    article_service: Verbatim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path)
    copy_article(settings.knowledge_dir)
    shutil.copytree(article_service.settings.index_dir, settings.index_dir, symlinks=True, ignore=shutil.ignore_patterns(".build.lock"))
    manifest = article_service.loaded.manifest
    embedder = article_service.embedder_for(manifest.model, manifest.backend)
    monkeypatch.setattr(cli, "Verbatim", lambda s: Verbatim(s, embedder=embedder))  # reuse the loaded model
    monkeypatch.setenv("VERBATIM_DATA_DIR", str(settings.data_dir))
    base = ["--knowledge", str(settings.knowledge_dir), "--index", str(settings.index_dir)]
    doc = tmp_path / "kestrel-lighthouse.md"
    doc.write_text(LIGHTHOUSE_MD, encoding="utf-8")

    assert cli.main([*base, "add", str(doc), "--title", "Kestrel"]) == 0
    assert cli.main([*base, "remove", "kestrel-lighthouse"]) == 0
    assert cli.main([*base, "rollback"]) == 0
    assert cli.main([*base, "build"]) == 0
    assert cli.main([*base, "status"]) == 0
    assert cli.main([*base, "remove", "no-such-doc"]) == 1
    out = capsys.readouterr().out
    assert "version:" in out
    assert "language_resources: OpenCC loaded, CC-CEDICT loaded, hanja table loaded" in out
    with Records(settings.feedback_db) as records:
        rows = list(reversed(records.audit()))
    assert [(e.action, e.actor, e.actor_id) for e in rows] == [(a, "cli", 0) for a in ("add", "remove", "rollback", "reindex", "remove")]
    assert [e.result.split(":")[0] for e in rows] == ["ok", "ok", "ok", "ok", "failed"]
    assert rows[0].target == "kestrel-lighthouse.md" and rows[-1].target == "no-such-doc"
