"""The stored version format: columns that round-trip, id lookups, format 1 versions, checksums off the serving path."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from index.config import Settings
from index.errors import IndexCorrupt
from index.health import check_health
from index.models import Passage
from index.service import Verbatim
from index.store import DAMAGED, EMBEDDINGS, FORMAT_VERSION, MANIFEST, PASSAGES, TEXTS, UNITS, VECTORS, IndexStore, sha256_file
from index.stored_texts import STRIDE, DocumentTexts
from index.units import Unit


@pytest.fixture
def index_copy(settings_factory: Callable[..., Settings], article_service: Verbatim) -> Settings:
    """Settings over a private copy of the session's article index (safe to damage)."""
    settings = settings_factory()
    shutil.copytree(article_service.settings.index_dir, settings.index_dir, symlinks=True)
    return settings


def flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def write_format_1(store: IndexStore, passages: list[Passage], units: list[Unit], keys: list[str], source: Path) -> Path:
    """A version as Verbatim wrote it before format 2: passages.jsonl and units.jsonl, the rest as today."""
    manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    version = manifest["version"] + "-format1"
    target = store.versions_dir / version
    target.mkdir()
    with (target / PASSAGES).open("w", encoding="utf-8") as handle:
        for passage in passages:
            handle.write(json.dumps(passage.to_dict(), ensure_ascii=False) + "\n")
    with (target / UNITS).open("w", encoding="utf-8") as handle:
        for unit, key in zip(units, keys, strict=True):
            handle.write(json.dumps({"p": unit.passage, "s": unit.start, "e": unit.end, "k": key}) + "\n")
    for name in (EMBEDDINGS, VECTORS):
        shutil.copy(source / name, target / name)
    shutil.copytree(source / TEXTS, target / TEXTS)
    files = [p for p in sorted(target.rglob("*")) if p.is_file()]
    manifest.update(version=version, format_version=1, checksums={str(p.relative_to(target)): sha256_file(p) for p in files})
    manifest.pop("sizes", None)
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return target


def test_columns_round_trip_every_passage_and_unit(index_copy: Settings) -> None:
    store = IndexStore(index_copy.index_dir)
    loaded = store.load()
    passages, units, keys = list(loaded.passages), list(loaded.units), list(loaded.unit_keys)
    assert loaded.manifest.format_version == FORMAT_VERSION and not loaded.outdated
    # Written again through write_version from the objects, the new version reads back the same objects.
    manifest = store.read_manifest(loaded.path)
    manifest.version += "-again"
    staging = store.new_staging_dir(manifest.version)
    again = store.load_version(
        store.write_version(staging, manifest, passages, units, keys, np.asarray(loaded.embeddings()), loaded.texts),
        check_in_background=False,
    )
    assert list(again.passages) == passages and list(again.units) == units and list(again.unit_keys) == keys
    assert [again.passages[i] for i in range(len(passages))] == passages
    assert again.passages[-1] == passages[-1] and again.passages[2:9:3] == passages[2:9:3]
    assert again.units[-1] == units[-1] and again.units[:5] == units[:5] and again.unit_keys[3] == keys[3]
    with pytest.raises(IndexError):
        again.passages[len(passages)]
    # The columns are mapped from the stored files, not read into Python objects.
    assert isinstance(again.passages.start.base, np.memmap) and isinstance(again.units.passage.base, np.memmap)
    assert np.array_equal(again.units.passage, [u.passage for u in units])
    assert np.array_equal(again.units.start, [u.start for u in units]) and np.array_equal(again.units.end, [u.end for u in units])
    assert again.unit_texts() == [u.text(passages) for u in units] == [again.unit_text(i) for i in range(len(units))]
    # Every passage's text is the slice of its document's text (nothing stored twice).
    assert all(loaded.texts[p.doc_id][p.start : p.end] == p.text for p in passages)
    assert json.loads((again.path / "tables.json").read_text(encoding="utf-8"))["overflow"] == []


def test_a_passage_that_is_not_a_slice_of_its_document_keeps_its_own_text(index_copy: Settings) -> None:
    store = IndexStore(index_copy.index_dir)
    loaded = store.load(check_in_background=False)
    passages = list(loaded.passages)
    # Reversed: as long as the original (its units' offsets still fit) but found nowhere in the document.
    odd = Passage(**{**passages[1].to_dict(), "text": passages[1].text[::-1]})
    passages[1] = odd
    manifest = store.read_manifest(loaded.path)
    manifest.version += "-odd"
    staging = store.new_staging_dir(manifest.version)
    final = store.write_version(
        staging, manifest, passages, list(loaded.units), list(loaded.unit_keys), np.asarray(loaded.embeddings()), loaded.texts
    )
    again = store.load_version(final, check_in_background=False)
    assert again.passages[1] == odd and list(again.passages) == passages
    assert json.loads((final / "tables.json").read_text(encoding="utf-8"))["overflow"] == [odd.text]
    assert again.unit_texts() == [u.text(passages) for u in again.units]


def test_position_finds_every_passage_id_and_nothing_else(index_copy: Settings) -> None:
    loaded = IndexStore(index_copy.index_dir).load(check_in_background=False)
    ids = [p.id for p in loaded.passages]
    assert len(set(ids)) == len(ids) > 15
    assert [loaded.position[i] for i in ids] == list(range(len(ids)))
    assert all(loaded.position.get(i) == n for n, i in enumerate(ids))
    for missing in ("", "p-000000000000", ids[0] + "x", ids[0][:-1], "zzz"):
        assert loaded.position.get(missing) is None and missing not in loaded.position
    assert sorted(loaded.position) == sorted(ids) and len(loaded.position) == len(ids)


def test_a_format_1_version_is_served_after_a_rewrite_that_reuses_every_vector(
    index_copy: Settings, article_service: Verbatim, caplog: pytest.LogCaptureFixture
) -> None:
    store = IndexStore(index_copy.index_dir)
    loaded = store.load(check_in_background=False)
    passages, units, keys = list(loaded.passages), list(loaded.units), list(loaded.unit_keys)
    old = write_format_1(store, passages, units, keys, loaded.path)
    store.activate(old)
    # Readable as it is (the builder reuses its vectors) ...
    legacy = store.load()
    assert legacy.outdated and legacy.version == old.name and list(legacy.passages) == passages and list(legacy.unit_keys) == keys
    # ... and the service rewrites it in this format instead of failing, with nothing embedded.
    embedder = article_service.embedder_for(loaded.manifest.model, loaded.manifest.backend)
    service = Verbatim(index_copy, embedder=embedder)
    with caplog.at_level(logging.WARNING, logger="index.service"):
        assert service.ensure_ready() is None
    served = service.loaded
    assert not served.outdated and served.version != old.name and store.previous_path() == old.resolve()
    assert any("format 1" in r.getMessage() and "nothing re-embedded" in r.getMessage() for r in caplog.records)
    assert list(served.passages) == passages and list(served.unit_keys) == keys
    assert np.array_equal(np.asarray(served.embeddings()), np.asarray(legacy.embeddings()))
    assert service.ask("平壤宣言承諾了什麼？").passages


def test_publishing_verifies_the_checksums(index_copy: Settings) -> None:
    store = IndexStore(index_copy.index_dir)
    loaded = store.load(check_in_background=False)
    manifest = store.read_manifest(loaded.path)
    manifest.version += "-hurt"
    staging = store.new_staging_dir(manifest.version)
    final = store.write_version(
        staging, manifest, list(loaded.passages), list(loaded.units), list(loaded.unit_keys), np.asarray(loaded.embeddings()), loaded.texts
    )
    flip_byte(final / EMBEDDINGS)
    with pytest.raises(IndexCorrupt, match="embeddings.npy is corrupted"):
        store.activate(final)
    assert store.current_path() == loaded.path.resolve()


def test_copying_a_version_in_verifies_it(index_copy: Settings, tmp_path: Path) -> None:
    source = IndexStore(index_copy.index_dir)
    version = source.current_path()
    assert version is not None
    other = IndexStore(tmp_path / "other")
    copied = other.import_version(version)
    other.activate(copied)
    assert [p.id for p in other.load(check_in_background=False).passages] == [p.id for p in source.load(check_in_background=False).passages]
    flip_byte(version / "units" / "key.npy")
    third = IndexStore(tmp_path / "third")
    with pytest.raises(IndexCorrupt, match="units/key.npy is corrupted"):
        third.import_version(version)
    assert not third.versions_dir.exists() or not any(third.versions_dir.iterdir())


def test_a_flipped_byte_is_found_in_the_background_after_the_load(index_copy: Settings, caplog: pytest.LogCaptureFixture) -> None:
    store = IndexStore(index_copy.index_dir)
    version = store.current_path()
    assert version is not None
    flip_byte(version / "passages" / "id.npy")
    with caplog.at_level(logging.ERROR, logger="index.store"):
        loaded = store.load()  # the size is right: the load itself does not hash
        assert loaded.integrity is not None
        assert loaded.integrity.wait(60) == "damaged"
    assert "passages/id.npy is corrupted" in loaded.integrity.problem
    assert any("passages/id.npy is corrupted" in r.getMessage() and "background" in r.getMessage() for r in caplog.records)
    # Recorded in the version, so no later load serves it, and the health check reports it.
    assert "passages/id.npy is corrupted" in (version / DAMAGED).read_text(encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="was found damaged"):
        store.load()
    assert any("found damaged" in p for p in check_health(index_copy.index_dir, index_copy.data_dir, require_bot=False))


def test_health_checks_sizes_every_time_and_checksums_when_asked(index_copy: Settings) -> None:
    store = IndexStore(index_copy.index_dir)
    version = store.current_path()
    assert version is not None
    assert check_health(index_copy.index_dir, index_copy.data_dir, require_bot=False, full=True) == []
    flip_byte(version / "units" / "key.npy")  # right size: only the checksums see it
    assert check_health(index_copy.index_dir, index_copy.data_dir, require_bot=False) == []
    assert any(
        "units/key.npy is corrupted" in p for p in check_health(index_copy.index_dir, index_copy.data_dir, require_bot=False, full=True)
    )
    (version / "units" / "key.npy").write_bytes(b"short")
    assert any(
        "units/key.npy is corrupted (size 5" in p for p in check_health(index_copy.index_dir, index_copy.data_dir, require_bot=False)
    )


def test_an_intact_version_checks_ok(index_copy: Settings) -> None:
    loaded = IndexStore(index_copy.index_dir).load()
    assert loaded.integrity is not None and loaded.integrity.wait(60) == "ok" and not loaded.integrity.problem
    assert not (loaded.path / DAMAGED).exists()


@pytest.mark.parametrize(
    ("column", "message"),
    [("passages/doc.npy", "passages/doc points outside its table"), ("units/end.npy", "a unit's offsets fall outside its passage")],
)
def test_a_damaged_column_of_the_right_size_is_refused_at_load(index_copy: Settings, column: str, message: str) -> None:
    """The checksums come later, in the background: a code or offset out of range must not break the load meanwhile."""
    store = IndexStore(index_copy.index_dir)
    version = store.current_path()
    assert version is not None
    path = version / column
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x7F  # the high byte of the last little-endian int32: far out of any range
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt, match=message):
        store.load()


def test_the_texts_are_mapped_and_sliced_by_characters_as_the_str_would_be(index_copy: Settings, tmp_path: Path) -> None:
    loaded = IndexStore(index_copy.index_dir).load(check_in_background=False)
    assert isinstance(loaded.texts, DocumentTexts) and loaded.manifest.text_lengths
    (doc_id,) = loaded.manifest.documents
    text = (loaded.path / "texts" / f"{doc_id}.txt").read_text(encoding="utf-8")
    assert loaded.texts[doc_id] == text and loaded.texts.length(doc_id) == len(text) == loaded.manifest.text_lengths[doc_id]
    spans = [(0, 0), (0, 1), (3, STRIDE), (STRIDE - 1, STRIDE + 1), (STRIDE, 3 * STRIDE), (len(text) - 5, len(text) + 10), (7, 3)]
    spans += [(p.start, p.end) for p in loaded.passages]
    for start, end in spans:
        assert loaded.texts.slice(doc_id, start, end) == text[start:end], (start, end)
    # Mixed widths: ASCII, Hangul, CJK and a character outside the BMP, across mark boundaries.
    mixed = ("abc 한국어 漢字 😀 " * 40).strip()
    (tmp_path / "mixed.txt").write_text(mixed, encoding="utf-8")
    texts = DocumentTexts(tmp_path, ["mixed"])
    assert texts.length("mixed") == len(mixed) and texts["mixed"] == mixed
    for start in range(0, len(mixed), 7):
        for width in (0, 1, 5, STRIDE, 2 * STRIDE + 3):
            assert texts.slice("mixed", start, start + width) == mixed[start : start + width]
    assert "other" not in texts and list(texts) == ["mixed"]
