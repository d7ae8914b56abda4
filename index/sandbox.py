"""Builds a guild's index in a separate process with CPU, memory, time, page and passage limits.

Guild uploads are untrusted: a PDF decompression bomb, 10,000 tiny pages, deeply nested objects or one 5 MB line
must fail alone, with a reason the uploader can read, while the bot keeps answering. The parent starts
``python -m index.sandbox '<json spec>'``; the worker limits itself (RLIMIT_CPU, RLIMIT_AS) before it reads any
document, checks every document's pages and passages, then runs the ordinary incremental build into the guild's
index directory and prints JSON lines: ``{"progress": [stage, done, total]}`` and finally ``{"report": {...}}``
or ``{"error": "..."}``. The parent kills it after the wall-clock timeout. A killed build never touches
``current`` (versions are swapped in only at the end), and its build lock dies with it.
"""

from __future__ import annotations

import collections
import json
import logging
import os
import resource
import signal
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from index.builder import BuildProgress
from index.chunking import MAX_PASSAGE_CHARS
from index.errors import BuildInProgress, DocumentError, IndexError_, VerbatimError
from index.models import BuildReport, DocumentFailure

log = logging.getLogger(__name__)

# Environment variables the worker never needs; a parser exploit should not find the bot's token there.
_SECRET_MARKERS = ("TOKEN", "SECRET", "PASSWORD", "KEY", "CREDENTIAL")


class UploadRejected(DocumentError):
    """A guild's document (or its build) broke a limit; the message says which, for the uploader."""


@dataclass(frozen=True)
class BuildLimits:
    """What one isolated build may use."""

    cpu_seconds: int = 300
    wall_seconds: float = 600.0
    memory_mb: int = 3072
    max_pages: int = 500
    max_passages: int = 3000


@dataclass(frozen=True)
class BuildSpec:
    """Everything the worker needs; passed as JSON on its command line."""

    knowledge_dir: str
    index_dir: str
    model: str
    backend: str
    built_by: str
    limits: BuildLimits
    max_document_bytes: int


def build_isolated(
    knowledge_dir: Path,
    index_dir: Path,
    *,
    model: str,
    backend: str,
    built_by: str,
    limits: BuildLimits,
    max_document_bytes: int,
    progress: BuildProgress | None = None,
) -> BuildReport:
    """Run the build in a limited child process; raises UploadRejected (limits, bad documents) or IndexError_."""
    spec = BuildSpec(str(knowledge_dir), str(index_dir), model, backend, built_by, limits, max_document_bytes)
    payload = json.dumps({**asdict(spec), "limits": asdict(limits)})
    env = {k: v for k, v in os.environ.items() if not any(marker in k.upper() for marker in _SECRET_MARKERS)}
    process = subprocess.Popen(
        [sys.executable, "-m", "index.sandbox", payload],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        start_new_session=True,  # its own process group, so a timeout kills everything it started
    )
    outcome: dict[str, Any] = {}
    stderr_tail: collections.deque[str] = collections.deque(maxlen=20)

    def read_stdout() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if not isinstance(message, dict):
                continue
            if "progress" in message and progress is not None:
                stage, done, total = message["progress"]
                progress(str(stage), int(done), int(total))
            elif "report" in message or "error" in message:
                outcome.update(message)

    def read_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            stderr_tail.append(line.rstrip()[:500])

    readers = [threading.Thread(target=read_stdout, daemon=True), threading.Thread(target=read_stderr, daemon=True)]
    for reader in readers:
        reader.start()
    try:
        process.wait(timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise UploadRejected(f"building took longer than {limits.wall_seconds:g} s and was stopped") from None
    finally:
        for reader in readers:
            reader.join(timeout=5)
    if "report" in outcome:
        return _report_from_dict(outcome["report"])
    if "error" in outcome:
        kind = outcome.get("kind", "")
        if kind == "BuildInProgress":
            raise BuildInProgress(str(outcome["error"]))
        if kind == "IndexError":
            raise IndexError_(str(outcome["error"]))
        raise UploadRejected(str(outcome["error"]))
    code = process.returncode
    if code < 0:
        signum = -code
        if signum == signal.SIGXCPU or (signum == signal.SIGKILL and limits.cpu_seconds):
            raise UploadRejected(f"building used more than {limits.cpu_seconds} s of processor time and was stopped")
        if signum in (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS):
            raise UploadRejected(f"the build process crashed (most likely it needed more than {limits.memory_mb} MB of memory)")
        raise UploadRejected(f"the build process was stopped by signal {signal.Signals(signum).name}")
    log.error("isolated build exited with %s and no result; its last output: %s", code, " | ".join(stderr_tail))
    raise IndexError_(f"the build process failed (exit status {code}); the previous version is still being served")


def _kill(process: subprocess.Popen[str]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _report_from_dict(data: dict[str, Any]) -> BuildReport:
    failed = [DocumentFailure(**f) for f in data.get("failed", [])]
    known = set(BuildReport.__dataclass_fields__) - {"failed"}
    return BuildReport(failed=failed, **{k: v for k, v in data.items() if k in known})


# -- the worker ------------------------------------------------------------------------------------


def _emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _limit_self(limits: BuildLimits) -> None:
    # SIGXCPU at the soft limit (default action: terminate); the hard limit a little later is a SIGKILL backstop.
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


def pdf_page_count(path: Path) -> int:
    """Pages of a PDF from its page tree, without extracting any text."""
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def check_documents(knowledge_dir: Path, limits: BuildLimits, max_document_bytes: int) -> None:
    """Refuse, naming the file, a PDF with too many pages or a document that would make too many passages."""
    from index.chunking import passages_for
    from index.loaders import PDF_SUFFIXES, discover, load_document

    for source in discover(knowledge_dir):
        name = source.path.name
        if source.path.suffix.lower() not in PDF_SUFFIXES:
            # A passage holds at most 400 characters, so this many visible characters cannot fit the limit:
            # refuse before cleaning and chunking (one 5 MB line would otherwise take minutes).
            visible = sum(1 for ch in source.path.read_bytes().decode("utf-8", "replace") if not ch.isspace())
            if visible > MAX_PASSAGE_CHARS * limits.max_passages:
                at_least = visible // MAX_PASSAGE_CHARS
                raise UploadRejected(f"{name} would make at least {at_least} passages; the limit is {limits.max_passages} per document")
        if source.path.suffix.lower() in PDF_SUFFIXES:
            try:
                pages = pdf_page_count(source.path)
            except RecursionError:
                raise UploadRejected(f"{name}: the PDF's objects are nested too deeply to read") from None
            except Exception as exc:  # pypdf raises many types for broken files; the loader reports them below
                log.debug("page count of %s failed: %s", name, exc)
                pages = 0
            if pages > limits.max_pages:
                raise UploadRejected(f"{name} has {pages} pages; the limit is {limits.max_pages}")
        try:
            doc = load_document(source, max_bytes=max_document_bytes)
        except DocumentError:
            continue  # the build records it as a failed document, with the loader's reason
        except RecursionError:
            raise UploadRejected(f"{name}: its structure is nested too deeply to read") from None
        count = len(passages_for(doc))
        if count > limits.max_passages:
            raise UploadRejected(f"{name} would make {count} passages; the limit is {limits.max_passages} per document")


def worker(spec: BuildSpec) -> int:
    """The child's whole life: limit itself, check the documents, build, report one JSON result."""
    from index.builder import build_index
    from index.embeddings import load_embedder
    from index.store import IndexStore

    limits = spec.limits
    _limit_self(limits)
    knowledge_dir, index_dir = Path(spec.knowledge_dir), Path(spec.index_dir)
    try:
        check_documents(knowledge_dir, limits, spec.max_document_bytes)
        report = build_index(
            knowledge_dir,
            IndexStore(index_dir),
            lambda: load_embedder(spec.model, spec.backend, threads=1),
            model=spec.model,
            backend=spec.backend,
            progress=lambda stage, done, total: _emit({"progress": [stage, done, total]}),
            built_by=spec.built_by,
            max_document_bytes=spec.max_document_bytes,
        )
    except MemoryError:
        _emit({"error": f"building needed more than {limits.memory_mb} MB of memory and was stopped"})
        return 3
    except RecursionError:
        _emit({"error": "a document is nested too deeply to read"})
        return 3
    except BuildInProgress as exc:
        _emit({"error": str(exc), "kind": "BuildInProgress"})
        return 2
    except IndexError_ as exc:
        _emit({"error": str(exc), "kind": "IndexError"})
        return 2
    except VerbatimError as exc:
        _emit({"error": str(exc)})
        return 2
    except Exception as exc:  # a parser bug on a crafted file: fail this build with a reason, never the bot
        log.exception("the isolated build failed")
        _emit({"error": f"the build failed unexpectedly ({type(exc).__name__}); the previous version is still being served"})
        return 4
    _emit({"report": report.to_dict()})
    return 0


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    data = json.loads(argv[1])
    spec = BuildSpec(**{**data, "limits": BuildLimits(**data["limits"])})
    return worker(spec)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
