"""Bad documents: each is reported in BuildReport.failed with a reason, and everything else is indexed."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from index.loaders import MAX_DOCUMENT_BYTES
from index.service import Verbatim
from tests.conftest import ARTICLE

ARTICLE_ID = "korean-peninsula-denuclearization-2019"


def article_paragraphs(count: int = 4) -> str:
    """A few body paragraphs of the article (all encodable in Big5 and GB18030)."""
    paragraphs = [p for p in ARTICLE.read_text(encoding="utf-8").split("\n\n") if len(p) > 60]
    chosen = [p for p in paragraphs if _encodable(p)][2 : 2 + count]
    assert len(chosen) == count
    return "\n\n".join(chosen)


def _encodable(text: str) -> bool:
    try:
        text.encode("big5")
    except UnicodeEncodeError:
        return False
    return True


def scanned_pdf() -> bytes:
    """A PDF with only drawings and no text layer, as a scanner would make."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(2):
        pdf.rect(72, 72, 300, 500, fill=1)
        pdf.circle(300, 600, 50, fill=0)
        pdf.line(72, 700, 500, 720)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_sparse(path: Path, size: int) -> None:
    """A file of `size` bytes that takes no disk space (and must not be read to be rejected)."""
    with path.open("wb") as handle:
        handle.truncate(size)


def reason_for(report, name: str) -> str:  # type: ignore[no-untyped-def]
    reasons = [f.reason for f in report.failed if f.source_file == name]
    assert reasons, f"{name} was not reported as failed: {report.summary()}"
    return reasons[0]


def test_bad_documents_reported_rest_indexed(built_service: Verbatim, monkeypatch: pytest.MonkeyPatch) -> None:
    knowledge = built_service.settings.knowledge_dir
    body = article_paragraphs()
    (knowledge / "empty.txt").write_bytes(b"")
    (knowledge / "blank-lines.md").write_bytes(b" \n\n\t\n")
    (knowledge / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (knowledge / "big5-article.txt").write_bytes(body.encode("big5"))
    (knowledge / "gb18030-article.txt").write_bytes(body.encode("gb18030"))
    (knowledge / "scanned.pdf").write_bytes(scanned_pdf())
    (knowledge / "blank-page.pdf").write_bytes(blank_pdf())
    (knowledge / "not-really.pdf").write_bytes("這不是PDF。".encode())
    (knowledge / "really-a-pdf.txt").write_bytes(blank_pdf())
    (knowledge / "bad-meta.txt").write_text("一段完整的文字。", encoding="utf-8")
    (knowledge / "bad-meta.meta.json").write_text("{not json", encoding="utf-8")
    # Sorts before the article: without care it would take the article's place in the index.
    (knowledge / "a-copy-of-the-article.txt").write_bytes(ARTICLE.read_bytes())
    make_sparse(knowledge / "huge.txt", 50 * 1024 * 1024)

    read: list[str] = []
    real_read_bytes = Path.read_bytes

    def recording_read_bytes(self: Path) -> bytes:
        read.append(self.name)
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", recording_read_bytes)
    report = built_service.build(built_by="reliability")

    assert "empty" in reason_for(report, "empty.txt")
    assert "empty" in reason_for(report, "blank-lines.md")
    assert "binary" in reason_for(report, "binary.txt")
    assert "text layer" in reason_for(report, "scanned.pdf")
    assert "text layer" in reason_for(report, "blank-page.pdf")
    assert "not a PDF" in reason_for(report, "not-really.pdf")
    assert "PDF" in reason_for(report, "really-a-pdf.txt")
    assert "metadata" in reason_for(report, "bad-meta.txt")
    assert "same content" in reason_for(report, "a-copy-of-the-article.txt")
    assert "too large" in reason_for(report, "huge.txt")
    assert "huge.txt" not in read, "a file over the size limit was read into memory"
    assert len(report.failed) == 10, report.summary()

    # The rest is indexed: the article keeps its id and metadata, Big5 and GB18030 are decoded.
    assert report.unchanged == [ARTICLE_ID]
    assert sorted(report.added) == ["big5-article", "gb18030-article"]
    loaded = built_service.loaded
    assert set(loaded.documents) == {ARTICLE_ID, "big5-article", "gb18030-article"}
    first_paragraph = body.split("\n\n")[0].splitlines()[0].strip()
    for doc_id in ("big5-article", "gb18030-article"):
        assert first_paragraph in loaded.texts[doc_id]
        assert any(p.doc_id == doc_id for p in loaded.passages)
    assert loaded.manifest.failures == [f.__dict__ for f in report.failed]
    assert built_service.ask("平壤宣言承諾了什麼？").passages


def test_huge_file_rejected_quickly_without_reading(built_service: Verbatim, monkeypatch: pytest.MonkeyPatch) -> None:
    from index.errors import DocumentError
    from index.loaders import SourceFile, load_document

    path = built_service.settings.knowledge_dir / "huge.md"
    make_sparse(path, 50 * 1024 * 1024)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self.name} was read"))
    started = time.perf_counter()
    with pytest.raises(DocumentError, match="too large"):
        load_document(SourceFile(path, "huge"), max_bytes=MAX_DOCUMENT_BYTES)
    assert time.perf_counter() - started < 0.5


def test_file_disappearing_mid_build(built_service: Verbatim) -> None:
    knowledge = built_service.settings.knowledge_dir
    vanishing = knowledge / "b-vanishing.txt"
    vanishing.write_text("這份文件在建置途中消失。", encoding="utf-8")
    (knowledge / "c-staying.txt").write_text(article_paragraphs(1), encoding="utf-8")

    def progress(stage: str, done: int, total: int) -> None:
        # After discovery, before any file is read.
        if stage == "reading" and done == 0 and vanishing.exists():
            vanishing.unlink()

    report = built_service.build(progress=progress)
    assert "disappeared" in reason_for(report, "b-vanishing.txt")
    assert "c-staying" in report.added
    assert report.unchanged == [ARTICLE_ID]
    assert "c-staying" in built_service.loaded.documents


def test_same_content_under_two_new_names(settings_factory, shared_embedder) -> None:  # type: ignore[no-untyped-def]
    """With no previous index, the first name (sorted) is indexed and the second is reported."""
    settings = settings_factory(with_article=False)
    text = article_paragraphs(1)
    (settings.knowledge_dir / "first.txt").write_text(text, encoding="utf-8")
    (settings.knowledge_dir / "second.txt").write_text(text, encoding="utf-8")
    service = Verbatim(settings, embedder=shared_embedder)
    report = service.build()
    assert report.added == ["first"]
    assert "same content as first.txt" in reason_for(report, "second.txt")
