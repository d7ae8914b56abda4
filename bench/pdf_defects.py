"""Ingest PDFs and print, per document, its passages, paragraphs, sections, ingestion time and the defects left.

Usage: python -m bench.pdf_defects FILE.pdf [FILE.pdf ...]   (figures only; nothing is asserted)
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from index.chunking import passages_for
from index.loaders import SourceFile, doc_id_for, load_document
from index.models import CleanDocument

LIGATURES = re.compile("[\ufb00-\ufb06]")
INVISIBLE = re.compile("[\u00ad\u00a0\u200b\u2060\ufeff]")
HYPHEN_GAP = re.compile(r"[^\W\d_]{2,}- [a-z]{2,}")
WORD = re.compile(r"[^\W\d_]+")


def hyphenated_with_known_join(doc: CleanDocument) -> Callable[[str], str]:
    """A check: 'promi-nent' (or 'promi- nent') in a passage although 'prominent' occurs in the document."""
    words = {w.lower() for w in WORD.findall(doc.text)}

    def check(text: str) -> str:
        for match in re.finditer(r"([^\W\d_]{2,})- ?([a-z]{2,})", text):
            joined = (match.group(1) + match.group(2)).lower()
            if joined in words:
                return match.group(0)
        return ""

    return check


def scan(path: Path) -> None:
    source = SourceFile(path=path, doc_id=doc_id_for(path))
    started = time.perf_counter()
    doc = load_document(source)
    first = time.perf_counter() - started
    started = time.perf_counter()
    doc = load_document(source)  # again, with pdfplumber imported and the disk cache warm
    seconds = time.perf_counter() - started
    passages = passages_for(doc)
    hyphen = hyphenated_with_known_join(doc)
    checks: dict[str, Callable[[str], str]] = {
        "ligature": lambda t: m.group(0) if (m := LIGATURES.search(t)) else "",
        "soft hyphen / no-break / zero-width": lambda t: repr(m.group(0)) if (m := INVISIBLE.search(t)) else "",
        "line-end hyphen with known join": hyphen,
        "space inside hyphenated word": lambda t: m.group(0) if (m := HYPHEN_GAP.search(t)) else "",
        "(cid:N) glyph": lambda t: "(cid:" if "(cid:" in t else "",
        "passage over 400 chars": lambda t: str(len(t)) if len(t) > 400 else "",
    }
    kinds: dict[str, int] = {}
    for p in passages:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    largest = max((len(p.text) for p in doc.paragraphs), default=0)
    print(f"== {path.name}: title {doc.meta.title!r}")
    print(
        f"   pages {min(p.page_start or 0 for p in doc.paragraphs)}-{max(p.page_end or 0 for p in doc.paragraphs)}, "
        f"paragraphs {len(doc.paragraphs)} (largest {largest} chars), passages {len(passages)} {kinds}, "
        f"sections {len(doc.headings)}, ingestion {seconds:.2f} s (first call {first:.2f} s)"
    )
    print(f"   sections: {list(doc.headings)}")
    for name, check in checks.items():
        hits = [(p, found) for p in passages if (found := check(p.text))]
        example = f" e.g. {hits[0][1]!r} in {hits[0][0].id} (p. {hits[0][0].page})" if hits else ""
        print(f"   {name}: {len(hits)}{example}")


def main(argv: list[str]) -> None:
    for name in argv:
        scan(Path(name))


if __name__ == "__main__":
    main(sys.argv[1:])
