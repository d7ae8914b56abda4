"""The index's command line: build, ask, sources, status, add/remove/rollback, inspect, eval; `verbatim.cli` adds the bot's commands."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from index.config import Settings, load_settings
from index.errors import ConfigError, DocumentError, VerbatimError
from index.evaluate import register_cli as register_eval
from index.models import Answer
from index.service import Verbatim
from index.terminal import open_service, print_report, terminal_progress
from index.translation import Translation, Translator, language_of_locale

log = logging.getLogger("verbatim")

EXAMPLE_QUESTION = "平壤宣言承諾了什麼？"


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO), format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    for noisy in ("sentence_transformers", "transformers", "huggingface_hub", "httpx", "faiss", "urllib3", "discord.gateway"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    # discord.py's DEBUG output carries interaction tokens (webhook URLs, gateway events): never below INFO.
    logging.getLogger("discord").setLevel(max(logging.INFO, logging.getLogger().level))


def _bold(text: str) -> str:
    return f"\033[1m{text}\033[0m" if sys.stdout.isatty() else f"**{text}**"


def format_answer(answer: Answer) -> str:
    """The terminal rendering of an answer, with the same parts the bot shows."""
    lines: list[str] = [f"Q: {answer.question}", ""]
    if answer.answered and answer.quote is not None:
        quote = answer.quote
        lines.append(
            "「" + ("…" if quote.cut_start else "") + _render_marked(quote.text, quote.highlights) + ("…" if quote.cut_end else "") + "」"
        )
        lines.append("")
        lines.append("— " + quote.citation.short())
        lines.append(f"  passage {quote.passage.id}")
        if quote.citation.meta.doi_url:
            lines.append(f"  {quote.citation.meta.doi_url}")
        further = [sp for sp in answer.passages if sp.passage.id != quote.passage.id][:2]
    else:
        lines.append("Not covered: the documents do not answer this question.")
        further = list(answer.passages[:3])
        if further:
            lines.append("Closest passages (not an answer):")
    for sp in further:
        snippet = sp.passage.text if len(sp.passage.text) <= 120 else sp.passage.text[:119] + "…"
        lines.append(f"  · [{sp.passage.id}] p. {sp.passage.page or '?'} ({sp.score:.2f}) {snippet}")
    return "\n".join(lines)


def _render_marked(text: str, highlights: tuple[tuple[int, int], ...]) -> str:
    out, cursor = [], 0
    for start, end in sorted(highlights):
        out.append(text[cursor:start])
        out.append(_bold(text[start:end]))
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    service = Verbatim(settings)
    report = service.build(progress=terminal_progress(), built_by=args.by or os.environ.get("USER", "cli"))
    print_report(report)
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    translator = None
    if args.translate:
        translator = Translator.from_settings(settings)
        if translator is None:
            print("--translate needs a translation provider: set VERBATIM_TRANSLATE_KIND and VERBATIM_TRANSLATE_URL.", file=sys.stderr)
            return 2
    try:
        service = open_service(settings)
        return _ask(args, service, translator)
    finally:
        if translator is not None:
            translator.close()


def _ask(args: argparse.Namespace, service: Verbatim, translator: Translator | None) -> int:
    if args.question is None:
        if not args.json:
            print("Give a question, or use --json to read one question per line from standard input.", file=sys.stderr)
            return 2
        for line in sys.stdin:
            question = line.strip()
            if not question:
                continue
            print(json.dumps(_ask_json(service, question, args.k, translator, args.translate), ensure_ascii=False), flush=True)
        return 0
    if args.json:
        print(json.dumps(_ask_json(service, args.question, args.k, translator, args.translate), ensure_ascii=False))
        return 0
    answer = service.ask(args.question, k=args.k)
    print(format_answer(answer))
    if translator is not None and answer.quote is not None:
        print(format_translation(_translate(service, translator, answer, args.translate), args.translate))
    return 0


def _translate(service: Verbatim, translator: Translator, answer: Answer, language: str) -> Translation | None:
    assert answer.quote is not None
    return translator.translate_quote(answer.quote, language_of_locale(language), service.glossary)


def format_translation(translation: Translation | None, language: str) -> str:
    """The translation under the quote in the terminal, labelled, or why there is none."""
    if translation is None:
        return f"\n(No machine translation into {language}: not needed, or the provider did not answer; see the log.)"
    if not translation.shown:
        return (
            f"\n(Machine translation by {translation.model} not shown: it failed the check against the quote: {translation.check.reason}.)"
        )
    return f"\nMachine translation ({translation.target}, {translation.model}; checked: {', '.join(translation.check.checked) or 'nothing to check'}):\n{translation.text}"


def _ask_json(
    service: Verbatim, question: str, k: int, translator: Translator | None = None, language: str | None = None
) -> dict[str, object]:
    try:
        answer = service.ask(question, k=k)
    except VerbatimError as exc:
        return {"question": question, "answered": False, "answer": None, "passages": [], "error": str(exc)}
    data = answer.to_json()
    if translator is not None and language and answer.quote is not None:
        translation = _translate(service, translator, answer, language)
        data["translation"] = translation.to_dict() if translation is not None else None
    return data


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    service = open_service(settings)
    docs = service.sources()
    if args.json:
        print(json.dumps([m.to_dict() for m in docs], ensure_ascii=False, indent=2))
        return 0
    for meta in docs:
        counts = service.loaded.manifest.documents[meta.doc_id]["passages"]
        print(f"{meta.doc_id}: {meta.title}")
        details = [
            meta.author,
            meta.journal + (f" no. {meta.issue}" if meta.issue else ""),
            str(meta.year or ""),
            meta.doi and f"doi:{meta.doi}",
        ]
        print("  " + ", ".join(d for d in details if d) + f" ({counts} passages, {meta.source_file})")
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    service = open_service(settings, build_if_missing=False)
    service.wait_for_integrity()  # the checksums, verified in the background after the load
    status = service.status()
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
        return 0
    for key, value in status.items():
        if isinstance(value, dict):
            value = ", ".join(f"{name} {state}" for name, state in value.items())
        print(f"{key}: {value}")
    return 0


def cmd_rollback(args: argparse.Namespace, settings: Settings) -> int:
    service = Verbatim(settings)
    version = service.rollback()
    print(f"Now serving index version {version}.")
    return 0


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from index.knowledge import add_document

    source = Path(args.file)
    meta = {key: getattr(args, key) for key in ("title", "author", "journal", "year", "doi", "pages") if getattr(args, key)}
    saved = add_document(settings.knowledge_dir, source.name, source.read_bytes(), meta, replace=args.replace)
    print(f"Saved {saved.name} in {settings.knowledge_dir}.")
    service = Verbatim(settings)
    print_report(service.build(progress=terminal_progress(), built_by="cli add"))
    return 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    from index.knowledge import remove_document

    removed = remove_document(settings.knowledge_dir, args.doc)
    print("Removed " + ", ".join(p.name for p in removed) + ".")
    service = Verbatim(settings)
    print_report(service.build(progress=terminal_progress(), built_by="cli remove"))
    return 0


def record_audit(settings: Settings, action: str, target: str, result: str) -> None:
    """Record a command-line maintenance action in the audit log (actor "cli", like moderators' /kb actions)."""
    from index.records import AuditEntry, Records

    try:
        with Records(settings.feedback_db) as records:
            records.add_audit(AuditEntry(actor_id=0, action=action, target=target, result=result, actor="cli"))
    except Exception as exc:  # the audit must never turn a finished build into a failure
        log.warning("could not record the audit entry for %s: %s", action, exc)


Handler = Callable[[argparse.Namespace, Settings], int]


def audited(action: str, target: Callable[[argparse.Namespace], str] = lambda args: "") -> Callable[[Handler], Handler]:
    """Wrap a maintenance command so its outcome (ok with the version now served, or the failure) is audited."""

    def wrap(handler: Handler) -> Handler:
        def run(args: argparse.Namespace, settings: Settings) -> int:
            try:
                code = handler(args, settings)
            except VerbatimError as exc:
                record_audit(settings, action, target(args), f"failed: {exc}")
                raise
            except Exception as exc:
                record_audit(settings, action, target(args), f"failed: {type(exc).__name__}")
                raise
            if code == 0:
                from index.store import IndexStore

                current = IndexStore(settings.index_dir).current_path()
                record_audit(settings, action, target(args), f"ok: version {current.name if current else '?'}")
            else:
                record_audit(settings, action, target(args), f"failed: exit code {code}")
            return code

        return run

    return wrap


def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    from index.health import check_health

    problems = check_health(settings.index_dir, settings.data_dir, require_bot=not args.index_only, full=args.full)
    for problem in problems:
        print(f"unhealthy: {problem}", file=sys.stderr)
    if not problems:
        print("healthy")
    return 1 if problems else 0


def _pdf_text(data: bytes) -> str:
    """A PDF's plain text layer (pypdf), the raw side the defect scan compares the ingested text with."""
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def cmd_inspect(args: argparse.Namespace, settings: Settings) -> int:
    """Ingest files as a build would and show what came out: profile, passages, kinds, sections and defects."""
    from collections import Counter

    from index.chunking import passages_for
    from index.ingest_check import defects
    from index.loaders import SourceFile, decode_text, doc_id_for, load_document, sniff_kind

    failed = 0
    for name in args.paths:
        path = Path(name)
        print(f"== {path}")
        try:
            doc = load_document(SourceFile(path, doc_id_for(path)))
            data = path.read_bytes()
            source = _pdf_text(data) if sniff_kind(data) == "pdf" else decode_text(data, path.name)
        except (DocumentError, OSError) as exc:
            print(f"  not ingested: {exc}")
            failed += 1
            continue
        passages = passages_for(doc)
        paragraph_kinds = Counter(p.kind for p in doc.paragraphs)
        passage_kinds = Counter(p.kind for p in passages)
        print(f"  title: {doc.meta.title}  (language {doc.meta.language or '?'})")
        print(f"  profile: {doc.profile or doc.meta.format}   format: {doc.meta.format}")
        print(f"  paragraphs: {len(doc.paragraphs)} ({_counts(paragraph_kinds)})   passages: {len(passages)} ({_counts(passage_kinds)})")
        pages = sorted(
            {p.page_start for p in passages if p.page_start is not None} | {p.page_end for p in passages if p.page_end is not None}
        )
        if pages:
            print(f"  pages: {pages[0]}–{pages[-1]} ({len(pages)} with text)")
        print(f"  sections ({len(doc.headings)}): " + (" · ".join(doc.headings) if doc.headings else "none"))
        found = defects(doc, source)
        if not found:
            print("  defects: none")
        else:
            by_kind = Counter(d.kind for d in found)
            print(f"  defects: {len(found)} in {len({d.paragraph for d in found})} paragraphs")
            for kind, count in by_kind.most_common():
                examples = [d for d in found if d.kind == kind][: args.examples]
                print(f"    {kind} ×{count}")
                for defect in examples:
                    print(f"      ¶{defect.paragraph}: {defect.example}")
        if args.passages:
            for passage in passages:
                where = f"p. {passage.page}" if passage.page else f"¶{passage.paragraph}"
                print(f"  [{passage.id} {where} {passage.kind} § {passage.section}]")
                print("    " + passage.text.replace("\n", "\n    "))
    return 1 if failed else 0


def _counts(counter: dict[str, int]) -> str:
    return ", ".join(f"{kind} {count}" for kind, count in sorted(counter.items(), key=lambda item: -item[1])) or "none"


def answer_example(settings: Settings) -> int:
    """What `verbatim start` does without a bot token: answer an example question and say how to start the bot."""
    service = open_service(settings)
    print(format_answer(service.ask(EXAMPLE_QUESTION)))
    print()
    print("No DISCORD_TOKEN is set, so the Discord bot was not started.")
    print("To start it: put DISCORD_TOKEN=... in .env (see .env.example), then run `verbatim run`.")
    print('Ask your own questions with: verbatim ask "QUESTION"')
    return 0


AddCommand = Callable[[str, Handler, str], argparse.ArgumentParser]
"""Registers a subcommand: name, handler, help text; returns its parser for the command's own arguments."""


def build_parser(extensions: Iterable[Callable[[AddCommand], None]] = ()) -> argparse.ArgumentParser:
    """The parser of the index's commands, plus the commands each extension registers (the bot's, from `verbatim.cli`)."""
    parser = argparse.ArgumentParser(prog="verbatim", description="Answer questions about your documents with verbatim, cited quotes.")
    parser.add_argument("--knowledge", help="knowledge directory (default: $VERBATIM_KNOWLEDGE_DIR or ./knowledge)")
    parser.add_argument("--index", help="index directory (default: $VERBATIM_INDEX_DIR or ./var/index)")
    parser.add_argument("--model", help="embedding model (default: intfloat/multilingual-e5-small)")
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING…")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--knowledge", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        p.add_argument("--index", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        p.set_defaults(handler=handler)
        return p

    p = add("build", audited("reindex")(cmd_build), "Build or refresh the index from the knowledge directory.")
    p.add_argument("--by", help="who is building (recorded in the manifest)")
    p = add("ask", cmd_ask, "Answer a question with a verified quote and its citation.")
    p.add_argument("question", nargs="?", help="the question (omit with --json to read questions from standard input)")
    p.add_argument("-k", type=int, default=3, help="how many passages to return (default 3)")
    p.add_argument("--json", action="store_true", help="print JSON (one object per question)")
    p.add_argument(
        "--translate", metavar="LANG", help="add a checked machine translation of the quote into LANG (en, ko, …; needs a provider)"
    )
    p = add("sources", cmd_sources, "List the documents in the index with their metadata.")
    p.add_argument("--json", action="store_true")
    p = add("status", cmd_status, "Show the index version, documents, passages, model and last errors.")
    p.add_argument("--json", action="store_true")
    add("rollback", audited("rollback")(cmd_rollback), "Serve the previous index version again.")
    p = add(
        "add",
        audited("add", lambda args: Path(args.file).name)(cmd_add),
        "Copy a document (.txt, .md, .pdf) into the knowledge directory and reindex.",
    )
    p.add_argument("file")
    for field_name in ("title", "author", "journal", "doi", "pages"):
        p.add_argument(f"--{field_name}")
    p.add_argument("--year", type=int)
    p.add_argument("--replace", action="store_true", help="overwrite a document with the same name")
    p = add("remove", audited("remove", lambda args: args.doc)(cmd_remove), "Remove a document from the knowledge directory and reindex.")
    p.add_argument("doc", help="document id or file name")
    p = add(
        "health",
        cmd_health,
        "Exit 0 if the index is whole (every file at its size, not marked damaged) and the bot's heartbeat is recent "
        "(for container health checks).",
    )
    p.add_argument("--index-only", action="store_true", help="check only the index, not the bot's heartbeat")
    p.add_argument("--full", action="store_true", help="also verify every checksum (reads the whole index)")
    p = add("inspect", cmd_inspect, "Ingest files without indexing them and show profile, passages, sections and defects.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="documents (.txt, .md, .pdf); a .meta.json beside each is read")
    p.add_argument("--examples", type=int, default=2, help="examples shown per kind of defect (default 2)")
    p.add_argument("--passages", action="store_true", help="also print every passage")
    register_eval(add)
    for extension in extensions:
        extension(add)
    return parser


def main(
    argv: list[str] | None = None, parser: argparse.ArgumentParser | None = None, load: Callable[..., Settings] = load_settings
) -> int:
    """Run one command; `load` reads the settings once (the `verbatim` command passes the bot's, which extend these)."""
    args = (parser or build_parser()).parse_args(argv)
    try:
        overrides = {
            "knowledge_dir": getattr(args, "knowledge", None),
            "index_dir": getattr(args, "index", None),
            "model": args.model,
            "log_level": args.log_level,
        }
        settings = load(**overrides)
        configure_logging(settings.log_level)
        started = time.perf_counter()
        code = args.handler(args, settings)
        log.debug("%s finished in %.2fs", args.command, time.perf_counter() - started)
        return code
    except ConfigError as exc:
        print(f"verbatim: {exc}", file=sys.stderr)
        return 2
    except (DocumentError, VerbatimError) as exc:
        print(f"verbatim: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("verbatim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
