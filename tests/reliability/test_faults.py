"""Faults: a damaged index directory, a build killed mid-way, a disk that fills while the index is written."""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from index.errors import IndexCorrupt, VerbatimError
from index.service import Verbatim
from index.store import DAMAGED, EMBEDDINGS, MANIFEST, TEXTS, VECTORS, IndexStore
from tests.conftest import ARTICLE_META
from tests.reliability.conftest import ROOT

QUESTION = "平壤宣言承諾了什麼？"


def touch_meta(service: Verbatim, **fields: object) -> None:
    """Change the article's metadata: the next build writes a new version but embeds nothing."""
    path = service.settings.knowledge_dir / ARTICLE_META.name
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.update(fields)
    path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate_half(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


# Damage a load sees at once (a file missing or of the wrong size: one stat each). A flipped byte is found by the
# checksums, verified in the background after the load (the tests of `IntegrityCheck` below).
DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "vectors truncated": (lambda v: truncate_half(v / VECTORS), "vectors.faiss is corrupted"),
    "embeddings truncated": (lambda v: truncate_half(v / EMBEDDINGS), "embeddings.npy is corrupted"),
    "passage offsets truncated": (lambda v: truncate_half(v / "passages" / "start.npy"), "passages/start.npy is corrupted"),
    "unit column deleted": (lambda v: (v / "units" / "passage.npy").unlink(), "missing units/passage.npy"),
    "tables deleted": (lambda v: (v / "tables.json").unlink(), "missing tables.json"),
    "text deleted": (lambda v: next((v / TEXTS).iterdir()).unlink(), "missing texts/"),
    "manifest truncated": (lambda v: truncate_half(v / MANIFEST), "unreadable manifest"),
    "manifest emptied": (lambda v: (v / MANIFEST).write_text(""), "unreadable manifest"),
    "manifest deleted": (lambda v: (v / MANIFEST).unlink(), "has no manifest"),
}


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_damaged_index_without_previous_is_a_clear_error(built_service: Verbatim, damage: str) -> None:
    store = built_service.store
    assert store.previous_path() is None
    hurt, message = DAMAGE[damage]
    hurt(store.current_path())
    with pytest.raises(IndexCorrupt) as caught:
        store.load()
    assert message in str(caught.value)
    assert store.current_path().name in str(caught.value)


@pytest.fixture
def two_versions(built_service: Verbatim) -> tuple[Verbatim, str]:
    """The article index with a good `previous` version (a metadata change: nothing re-embedded)."""
    good = built_service.loaded.version
    touch_meta(built_service, year=1999)
    report = built_service.build()
    assert report.changed and report.passages_embedded == 0
    assert built_service.store.previous_path().name == good
    assert built_service.wait_for_integrity() == "ok", "the new version's own check must end before a test damages it"
    return built_service, good


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_damaged_index_falls_back_to_previous(two_versions: tuple[Verbatim, str], damage: str, caplog: pytest.LogCaptureFixture) -> None:
    service, good = two_versions
    hurt, message = DAMAGE[damage]
    hurt(service.store.current_path())
    with caplog.at_level(logging.ERROR, logger="index.store"):
        loaded = IndexStore(service.settings.index_dir).load()
    assert loaded.version == good
    assert any(message in r.getMessage() and "serving the previous version" in r.getMessage() for r in caplog.records)


def test_damaged_index_serves_previous_then_next_build_repairs(two_versions: tuple[Verbatim, str]) -> None:
    service, good = two_versions
    damaged = service.store.current_path()
    flip_byte(damaged / VECTORS)
    fresh = Verbatim(service.settings, embedder=service.embedder_for(service.loaded.manifest.model, "auto"))
    assert fresh.ensure_ready() is None
    # The load served the current version at once; the background check found the flipped byte and swapped.
    assert fresh.wait_for_integrity() == "ok"
    assert fresh.loaded.version == good
    assert (damaged / DAMAGED).is_file()
    assert fresh.ask(QUESTION).passages
    touch_meta(service, year=2000)
    repaired = fresh.build()
    assert repaired.version not in (good, "") and repaired.passages_embedded == 0
    assert fresh.loaded.version == repaired.version
    assert IndexStore(service.settings.index_dir).load().version == repaired.version


def test_damage_found_in_the_background_is_reported_and_the_previous_version_served(
    two_versions: tuple[Verbatim, str], caplog: pytest.LogCaptureFixture
) -> None:
    service, good = two_versions
    damaged = service.store.current_path()
    flip_byte(damaged / "units" / "key.npy")  # a column the range checks of a load cannot judge
    fresh = Verbatim(service.settings, embedder=service.embedder_for(service.loaded.manifest.model, "auto"))
    with caplog.at_level(logging.ERROR):
        fresh.ensure_ready()
        assert fresh.wait_for_integrity() == "ok"
    assert fresh.loaded.version == good
    status = fresh.status()
    assert status["version"] == good and status["integrity"] == "ok"
    assert any(damaged.name in p and "units/key.npy is corrupted" in p for p in status["integrity_problems"])
    assert any("units/key.npy is corrupted" in r.getMessage() for r in caplog.records if r.name == "index.store")
    assert any("stopped serving the damaged index version" in r.getMessage() for r in caplog.records if r.name == "index.service")
    assert fresh.ask(QUESTION).passages
    # Not picked up again by the refresh of upkeep.
    assert fresh.refresh_if_changed() is None and fresh.loaded.version == good


def test_a_build_does_not_publish_vectors_taken_from_a_version_found_damaged(two_versions: tuple[Verbatim, str]) -> None:
    """The build reads the previous version while its checksums are checked in the background: if they fail, nothing
    taken from it is published; the build starts again from the version the store falls back to."""
    import numpy as np

    service, good = two_versions
    damaged = service.store.current_path()
    good_vectors = np.array(IndexStore(service.settings.index_dir).load_version(service.store.previous_path(), False).embeddings())
    embeddings = damaged / EMBEDDINGS
    data = bytearray(embeddings.read_bytes())
    data[-4:] = np.float32(7.0).tobytes()  # the last unit's last component: the load's size check passes
    embeddings.write_bytes(bytes(data))
    touch_meta(service, year=2001)
    report = service.build()
    assert report.version not in ("", good, damaged.name) and report.passages_embedded == 0
    assert (damaged / DAMAGED).is_file()
    rebuilt = IndexStore(service.settings.index_dir).load()
    assert rebuilt.version == report.version
    assert np.array_equal(np.asarray(rebuilt.embeddings()), good_vectors), "vectors of the damaged version were published"


def test_damage_found_in_the_background_without_a_previous_version_stops_serving(built_service: Verbatim) -> None:
    store = built_service.store
    assert store.previous_path() is None
    flip_byte(store.current_path() / EMBEDDINGS)
    fresh = Verbatim(built_service.settings, embedder=built_service.embedder_for(built_service.loaded.manifest.model, "auto"))
    fresh.ensure_ready()
    assert fresh.wait_for_integrity() == "damaged"
    with pytest.raises(IndexCorrupt, match="embeddings.npy is corrupted"):
        fresh.ask(QUESTION)
    status = fresh.status()
    assert status["integrity"] == "damaged" and status["version"] is None and "embeddings.npy" in status["refused"]


def test_current_version_directory_gone_falls_back_to_previous(two_versions: tuple[Verbatim, str]) -> None:
    import shutil

    built_service, good = two_versions
    shutil.rmtree(built_service.store.current_path())
    fresh = Verbatim(built_service.settings, embedder=built_service.embedder_for(built_service.loaded.manifest.model, "auto"))
    assert fresh.ensure_ready() is None, "a lost current version must not trigger a rebuild from scratch"
    assert fresh.loaded.version == good


def test_disk_full_while_writing(built_service: Verbatim, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC half-way through write_version: old index intact and serving, clear error, no half version current."""
    import index.store as store_module

    store = built_service.store
    good = built_service.loaded.version
    versions_before = sorted(p.name for p in store.versions_dir.iterdir())
    real_save = store_module.np.save

    def save_then_fill(path: object, array: object, *args: object, **kwargs: object) -> None:
        real_save(path, array, *args, **kwargs)
        # Half the file made it to disk, then the disk was full.
        truncate_half(Path(str(path)))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(store_module.np, "save", save_then_fill)
    (built_service.settings.knowledge_dir / "new.txt").write_text("新的文件，只有一句話。", encoding="utf-8")
    with pytest.raises(VerbatimError) as caught:
        built_service.build()
    assert "No space left on device" in str(caught.value)
    assert "previous" in str(caught.value)
    monkeypatch.undo()

    assert built_service.loaded.version == good
    assert built_service.ask(QUESTION).passages
    assert IndexStore(built_service.settings.index_dir).load().version == good
    assert sorted(p.name for p in store.versions_dir.iterdir()) == versions_before, "a half-written version was left behind"
    report = built_service.build()
    assert "new" in report.added
    assert built_service.loaded.version == report.version != good


def _run_build_script(settings_dir: Path, body: str) -> subprocess.Popen[str]:
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        from pathlib import Path
        from index.config import Settings
        from index.service import Verbatim
        root = Path({str(settings_dir)!r})
        settings = Settings(_env_file=None, knowledge_dir=root / "knowledge", index_dir=root / "index", data_dir=root / "data")
        service = Verbatim(settings)
        """
    ) + textwrap.dedent(body)
    return subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_killed_while_embedding(built_service: Verbatim) -> None:
    settings = built_service.settings
    good = built_service.loaded.version
    sentences = [f"第{i}號測試句子記錄一場虛構會議的第{i}項結論，與本文無關。" for i in range(24)]
    (settings.knowledge_dir / "long-new.txt").write_text("".join(sentences), encoding="utf-8")
    process = _run_build_script(
        settings.knowledge_dir.parent,
        """
        def progress(stage, done, total):
            if stage == "embedding":
                print("EMBEDDING", done, total, flush=True)
        service.build(progress=progress, built_by="doomed")
        print("FINISHED", flush=True)
        """,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("EMBEDDING"), (line, process.stderr.read() if process.stderr else "")
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL

    fresh = Verbatim(settings, embedder=built_service.embedder_for(built_service.loaded.manifest.model, "auto"))
    assert fresh.load().version == good
    assert fresh.ask(QUESTION).passages
    report = fresh.build(built_by="after the kill")
    assert report.added == ["long-new"]
    assert fresh.loaded.version == report.version
    assert not list(fresh.store.versions_dir.glob(".staging-*"))


def test_killed_while_writing(built_service: Verbatim) -> None:
    """SIGKILL after every file of the new version is in staging, before it is moved into place."""
    settings = built_service.settings
    good = built_service.loaded.version
    touch_meta(built_service, year=1999)
    process = _run_build_script(
        settings.knowledge_dir.parent,
        """
        import index.store
        index.store._fsync_tree = lambda root: os.kill(os.getpid(), signal.SIGKILL)
        service.build(built_by="doomed")
        """,
    )
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL, stderr
    store = IndexStore(settings.index_dir)
    assert list(store.versions_dir.glob(".staging-*")), "the kill should have left a staging directory"
    assert store.load().version == good

    fresh = Verbatim(settings, embedder=built_service.embedder_for(built_service.loaded.manifest.model, "auto"))
    assert fresh.load().version == good
    assert fresh.ask(QUESTION).passages
    report = fresh.build(built_by="after the kill")
    assert report.changed and report.version != good
    assert not list(store.versions_dir.glob(".staging-*")), "leftover staging directories were not cleaned"
