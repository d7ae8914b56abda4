"""Curating the knowledge directory: add a document safely (name, type, size checked) or remove one."""

from __future__ import annotations

import json
import logging
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

from index.errors import DocumentError
from index.loaders import (
    MARKDOWN_SUFFIXES,
    MAX_DOCUMENT_BYTES,
    META_SUFFIX,
    PDF_SUFFIXES,
    SUPPORTED_SUFFIXES,
    TEXT_SUFFIXES,
    decode_text,
    discover,
    doc_id_for,
    meta_path_for,
    sniff_kind,
)

log = logging.getLogger(__name__)

MAX_NAME_CHARS = 100
# File systems limit names to 255 bytes (not characters); leave room for the sidecar and temporary names.
MAX_NAME_BYTES = 150
META_FIELDS = {"title", "author", "journal", "issue", "year", "doi", "pages", "first_page", "last_page", "language"}


def safe_filename(name: str) -> str:
    """A file name that cannot leave the knowledge directory: no path parts, no hidden files, no odd characters."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1]
    base = re.sub(r"[\x00-\x1f\u200b-\u200f\u202a-\u202e\u2066-\u2069]", "", base).strip().lstrip(".")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        raise DocumentError("the file has no extension; use .txt, .md or .pdf")
    suffix = "." + suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(f"{suffix} files are not supported; use .txt, .md or .pdf")
    stem = re.sub(r"[^\w\-. ]+", "_", stem, flags=re.UNICODE).strip(" ._")[:MAX_NAME_CHARS]
    while len(stem.encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    stem = stem.strip(" ._")
    if not stem:
        raise DocumentError("the file name has no usable characters")
    return stem + suffix


def validate_content(filename: str, data: bytes, max_bytes: int) -> None:
    """Check size and that the content matches the extension (by content, not only by name)."""
    if len(data) > max_bytes:
        raise DocumentError(f"the file is too large ({len(data) / 2**20:.1f} MiB; the limit is {max_bytes / 2**20:.1f} MiB)")
    if not data.strip():
        raise DocumentError("the file is empty")
    kind = sniff_kind(data)
    suffix = Path(filename).suffix.lower()
    if suffix in PDF_SUFFIXES and kind != "pdf":
        raise DocumentError("the file is named .pdf but its content is not a PDF")
    if suffix in TEXT_SUFFIXES | MARKDOWN_SUFFIXES:
        if kind != "text":
            raise DocumentError(f"the file is named {suffix} but its content is {'a PDF' if kind == 'pdf' else 'binary'}")
        decode_text(data, filename)


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def add_document(
    knowledge_dir: Path,
    filename: str,
    data: bytes,
    meta: dict[str, Any] | None = None,
    *,
    replace: bool = False,
    max_bytes: int = MAX_DOCUMENT_BYTES,
) -> Path:
    """Save a validated document (and its metadata sidecar) into the knowledge directory."""
    name = safe_filename(filename)
    validate_content(name, data, max_bytes)
    knowledge_dir.mkdir(parents=True, exist_ok=True)
    target = knowledge_dir / name
    if not _inside(knowledge_dir, target):
        raise DocumentError("that file name would leave the knowledge directory")
    if target.exists() and not replace:
        raise DocumentError(f"{name} already exists; add it again with replace to overwrite it")
    # Another file with the same id would share its metadata sidecar and its citations.
    doc_id = doc_id_for(target)
    clash = next((s.path.name for s in discover(knowledge_dir) if s.doc_id == doc_id and s.path != target), None)
    if clash is not None:
        raise DocumentError(f"{clash} already has the document id {doc_id!r}; rename the new file")
    sidecar = meta_path_for(target)
    fields = {k: v for k, v in (meta or {}).items() if k in META_FIELDS and v not in (None, "")}
    if "pages" in fields:
        pages = str(fields.pop("pages"))
        match = re.fullmatch(r"\s*(\d+)\s*(?:[-–]\s*(\d+))?\s*", pages)
        if not match:
            raise DocumentError("pages must look like 12 or 12-30")
        fields["first_page"] = int(match.group(1))
        if match.group(2):
            fields["last_page"] = int(match.group(2))
    if "year" in fields:
        try:
            fields["year"] = int(fields["year"])
        except (TypeError, ValueError):
            raise DocumentError("year must be a number") from None
    tmp = target.with_name(f".{name}.uploading")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    if fields or not sidecar.exists():
        fields.setdefault("title", Path(name).stem)
        sidecar_tmp = sidecar.with_name(f".{sidecar.name}.tmp")
        sidecar_tmp.write_text(json.dumps(fields, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(sidecar_tmp, sidecar)
    log.info("saved %s (%d bytes) into %s", name, len(data), knowledge_dir)
    return target


def remove_document(knowledge_dir: Path, doc: str) -> list[Path]:
    """Delete a document (by id or file name) and its metadata; returns the removed paths."""
    wanted = doc.strip().lower()
    for source in discover(knowledge_dir):
        if wanted in (source.doc_id, source.path.name.lower()):
            removed = [source.path]
            source.path.unlink()
            if source.meta_path.exists():
                source.meta_path.unlink()
                removed.append(source.meta_path)
            return removed
    raise DocumentError(f"there is no document {doc!r} in the knowledge base")


__all__ = ["META_SUFFIX", "add_document", "remove_document", "safe_filename", "validate_content"]
