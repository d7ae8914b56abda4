"""Check the second held-out corpus (tests/data/heldout2/) and its questions (tests/data/heldout2.jsonl) against their rules.

The third to eighth sets (tests/data/heldout3/ ... tests/data/heldout8/) follow the same rules:
`python tests/data/check_heldout2.py heldout3` (or heldout4 ... heldout8) runs these checks on them
(`HeldoutSet`, `SETS`).

Beside the rules of check_heldout.py (evidence copied exactly, 10-60 characters, once in the document), every evidence
string must resolve the way the scorer resolves it: exactly once, whitespace removed, in the text Verbatim's own
loaders extract from its document (index.loaders.load_document), and in no other document of the set nor in the
knowledge article. No model is involved.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import itertools
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

DATA_DIR = Path(__file__).resolve().parent
ROOT = DATA_DIR.parent.parent
KNOWLEDGE_DIR = ROOT / "knowledge"

DOC_SUFFIXES = (".md", ".pdf")
EVIDENCE_CHARS = (10, 60)
PER_QUESTION_LANGUAGE = 4  # answerable questions per document in each of the four languages
NEAR_TOPIC_PER_DOC = 3
EVERYDAY_OFF_TOPIC = 6
MIN_PER_PAIR = 4
MAX_SHARED_RUN = 15
SOURCES_ROW_RE = re.compile(r"^\|\s*([a-z])\s*\|\s*`([^`]+)`")


@dataclass(frozen=True)
class HeldoutSet:
    """One held-out set built to these rules: its documents' folder, its questions and their id prefix (h2 ... h7)."""

    corpus_dir: Path
    questions_path: Path
    prefix: str

    @property
    def sources_path(self) -> Path:
        return self.corpus_dir / "SOURCES.md"

    @property
    def id_re(self) -> re.Pattern[str]:
        return re.compile(rf"^{self.prefix}-(?:[a-d]\d{{2}}|g\d{{2}})$")


HELDOUT2 = HeldoutSet(DATA_DIR / "heldout2", DATA_DIR / "heldout2.jsonl", "h2")
HELDOUT3 = HeldoutSet(DATA_DIR / "heldout3", DATA_DIR / "heldout3.jsonl", "h3")
HELDOUT4 = HeldoutSet(DATA_DIR / "heldout4", DATA_DIR / "heldout4.jsonl", "h4")
HELDOUT5 = HeldoutSet(DATA_DIR / "heldout5", DATA_DIR / "heldout5.jsonl", "h5")
HELDOUT6 = HeldoutSet(DATA_DIR / "heldout6", DATA_DIR / "heldout6.jsonl", "h6")
HELDOUT7 = HeldoutSet(DATA_DIR / "heldout7", DATA_DIR / "heldout7.jsonl", "h7")
HELDOUT8 = HeldoutSet(DATA_DIR / "heldout8", DATA_DIR / "heldout8.jsonl", "h8")
SETS = {
    "heldout2": HELDOUT2,
    "heldout3": HELDOUT3,
    "heldout4": HELDOUT4,
    "heldout5": HELDOUT5,
    "heldout6": HELDOUT6,
    "heldout7": HELDOUT7,
    "heldout8": HELDOUT8,
}
SHA_RE = re.compile(r"\b[0-9a-f]{64}\b")


def _load_first_checker() -> ModuleType:
    """The markup strip and evidence helpers of check_heldout.py (tests/data is not a package)."""
    spec = importlib.util.spec_from_file_location("check_heldout", DATA_DIR / "check_heldout.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


first = _load_first_checker()
squeeze = first.squeeze
LANGS = first.LANGS  # the languages check_meta accepts, in the order of the pair table


@dataclass(frozen=True)
class Document:
    """One corpus document: its letter, file, source text, a markup-free rendering and Verbatim's extracted text."""

    letter: str
    path: Path
    language: str
    raw: str
    stripped: str
    ingested: str


def source_text(path: Path) -> tuple[str, str]:
    """The document's own text and a markup-free rendering (for a PDF: pypdf's extraction, twice)."""
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(path.read_bytes())).pages)
        return text, text
    raw = path.read_text(encoding="utf-8")
    return raw, first.strip_markdown(raw)


def ingested_text(path: Path) -> str:
    """The text Verbatim's loaders extract from the file, the text the scorer looks evidence up in."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from index.loaders import SourceFile, doc_id_for, load_document

    return load_document(SourceFile(path=path, doc_id=doc_id_for(path))).text


def load_documents(held: HeldoutSet, errors: list[str]) -> dict[str, Document]:
    """The documents in SOURCES.md order, with their checksum and metadata checked."""
    documents: dict[str, Document] = {}
    lines = [line for line in held.sources_path.read_text(encoding="utf-8").splitlines() if SOURCES_ROW_RE.match(line)]
    letters = [SOURCES_ROW_RE.match(line).group(1) for line in lines]  # type: ignore[union-attr]
    if letters != [chr(ord("a") + i) for i in range(len(lines))] or len(lines) != 4:
        errors.append(f"SOURCES.md: want rows a-d in order, got {letters}")
    listed = {SOURCES_ROW_RE.match(line).group(2) for line in lines}  # type: ignore[union-attr]
    on_disk = {p.name for p in held.corpus_dir.iterdir() if p.suffix in DOC_SUFFIXES and p.name != "SOURCES.md"}
    if listed != on_disk:
        errors.append(f"SOURCES.md lists {sorted(listed)} but the folder holds {sorted(on_disk)}")
    for line in lines:
        match = SOURCES_ROW_RE.match(line)
        assert match is not None
        letter, name = match.group(1), match.group(2)
        path = held.corpus_dir / name
        if not path.is_file():
            errors.append(f"{name}: missing")
            continue
        if hashlib.sha256(path.read_bytes()).hexdigest() not in SHA_RE.findall(line):
            errors.append(f"{name}: sha256 in SOURCES.md does not match the file")
        language = first.check_meta(path, errors)
        raw, stripped = source_text(path)
        documents[letter] = Document(letter, path, language, raw, stripped, ingested_text(path))
    if sorted(doc.language for doc in documents.values()) != sorted(LANGS):
        errors.append("want one document per language")
    return documents


def other_texts(documents: dict[str, Document], letter: str) -> list[tuple[str, str]]:
    """Every other text a scratch index of this set holds: the other documents and the knowledge article."""
    texts = [(doc.path.name, doc.ingested) for other, doc in documents.items() if other != letter]
    for path in sorted(KNOWLEDGE_DIR.iterdir()):
        if path.suffix in (".txt", ".md", ".pdf") and not path.name.endswith(".meta.json"):
            texts.append((path.name, ingested_text(path)))
    return texts


def check_evidence(qid: str, question: str, evidence: str, doc: Document, others: list[tuple[str, str]], errors: list[str]) -> None:
    """Length, exact copy, once in the source, its rendering and the extracted text, nowhere else, no split CJK word."""
    if not EVIDENCE_CHARS[0] <= len(evidence) <= EVIDENCE_CHARS[1]:
        errors.append(f"{qid}: evidence {evidence!r} has {len(evidence)} characters, want {EVIDENCE_CHARS}")
    if evidence != evidence.strip() or " ".join(evidence.split()) not in " ".join(doc.raw.split()):
        errors.append(f"{qid}: evidence {evidence!r} is not copied exactly from {doc.path.name}")
    key = squeeze(evidence)
    for label, text in (("source", doc.raw), ("stripped", doc.stripped), ("extracted", doc.ingested)):
        count = squeeze(text).count(key)
        if count != 1:
            errors.append(f"{qid}: evidence {evidence!r} occurs {count}x in the {label} text of {doc.path.name}")
    for name, text in others:
        if key in squeeze(text):
            errors.append(f"{qid}: evidence {evidence!r} also occurs in {name}")
    span = first.raw_span(doc.raw, evidence)
    if span is not None and "\n" in span:
        errors.append(f"{qid}: evidence {evidence!r} crosses a line of {doc.path.name}")
    shared = first.longest_shared_run(squeeze(question).casefold(), key.casefold())
    if shared > MAX_SHARED_RUN:
        errors.append(f"{qid}: question repeats {shared} characters of its evidence {evidence!r}")


def check_questions(held: HeldoutSet, documents: dict[str, Document], errors: list[str]) -> Counter[tuple[str, str, str]]:
    """Every line's shape and evidence; returns counts by (kind, question language, document letter)."""
    counts: Counter[tuple[str, str, str]] = Counter()
    seen: set[str] = set()
    questions: set[str] = set()
    others = {letter: other_texts(documents, letter) for letter in documents}
    for number, line in enumerate(held.questions_path.read_text(encoding="utf-8").splitlines(), start=1):
        item = json.loads(line)
        qid = item.get("id", f"line {number}")
        if list(item) != ["id", "lang", "doc", "question", "answerable", "evidence"]:
            errors.append(f"{qid}: keys {list(item)}, want the corpus.jsonl schema in its order")
            continue
        if not held.id_re.match(qid) or qid in seen:
            errors.append(f"{qid}: bad or repeated id")
        seen.add(qid)
        lang, letter, question = item["lang"], item["doc"], item["question"]
        if lang not in LANGS:
            errors.append(f"{qid}: lang {lang!r}")
        if not isinstance(question, str) or len(question.strip()) < 5 or question in questions:
            errors.append(f"{qid}: empty or repeated question")
        questions.add(question)
        if not isinstance(item["answerable"], bool) or not isinstance(item["evidence"], list):
            errors.append(f"{qid}: answerable must be a bool and evidence a list")
            continue
        if letter is None:
            if item["answerable"] or item["evidence"] or not qid.startswith(f"{held.prefix}-g"):
                errors.append(f"{qid}: an everyday off-topic question has doc null, no evidence, id {held.prefix}-gNN")
            counts[("everyday", lang, "-")] += 1
            continue
        if letter not in documents or not qid.startswith(f"{held.prefix}-{letter}"):
            errors.append(f"{qid}: doc {letter!r} unknown or not matching the id")
            continue
        if not item["answerable"]:
            if item["evidence"]:
                errors.append(f"{qid}: an off-topic question carries evidence")
            counts[("near", lang, letter)] += 1
            continue
        if not item["evidence"]:
            errors.append(f"{qid}: answerable without evidence")
        for evidence in item["evidence"]:
            check_evidence(qid, question, evidence, documents[letter], others[letter], errors)
        counts[("answerable", lang, letter)] += 1
    return counts


def check_counts(documents: dict[str, Document], counts: Counter[tuple[str, str, str]], errors: list[str]) -> None:
    """Four answerable questions per document in each language, three near-topic ones, six everyday ones."""
    for letter in documents:
        for lang in LANGS:
            if counts[("answerable", lang, letter)] != PER_QUESTION_LANGUAGE:
                errors.append(f"doc {letter}: {counts[('answerable', lang, letter)]} answerable in {lang}, want {PER_QUESTION_LANGUAGE}")
        near = sum(n for (kind, _lang, d), n in counts.items() if kind == "near" and d == letter)
        if near != NEAR_TOPIC_PER_DOC:
            errors.append(f"doc {letter}: {near} near-topic off-topic questions, want {NEAR_TOPIC_PER_DOC}")
    everyday = [lang for (kind, lang, _d), n in counts.items() if kind == "everyday" for _ in range(n)]
    if len(everyday) != EVERYDAY_OFF_TOPIC or len(set(everyday)) < 3:
        errors.append(f"{len(everyday)} everyday off-topic questions in {sorted(set(everyday))}, want {EVERYDAY_OFF_TOPIC} in 3+ languages")
    grid = pair_counts(documents, counts)
    for q_lang, d_lang in itertools.product(LANGS, LANGS):
        if grid[(q_lang, d_lang)] < MIN_PER_PAIR:
            errors.append(f"{q_lang} -> {d_lang}: {grid[(q_lang, d_lang)]} answerable questions, want {MIN_PER_PAIR}+")


def pair_counts(documents: dict[str, Document], counts: Counter[tuple[str, str, str]]) -> Counter[tuple[str, str]]:
    grid: Counter[tuple[str, str]] = Counter()
    for (kind, lang, letter), n in counts.items():
        if kind == "answerable":
            grid[(lang, documents[letter].language)] += n
    return grid


def pair_table(documents: dict[str, Document], counts: Counter[tuple[str, str, str]]) -> str:
    """Answerable questions by question language (rows) and document language (columns)."""
    grid = pair_counts(documents, counts)
    lines = ["question \\ document " + " ".join(f"{d:>8}" for d in LANGS)]
    for q_lang in LANGS:
        lines.append(f"{q_lang:<20}" + " ".join(f"{grid[(q_lang, d)]:>8}" for d in LANGS))
    return "\n".join(lines)


def run_checks(held: HeldoutSet = HELDOUT2) -> tuple[list[str], str]:
    """All checks; returns the errors found and a summary table."""
    errors: list[str] = []
    documents = load_documents(held, errors)
    counts = check_questions(held, documents, errors)
    check_counts(documents, counts, errors)
    return errors, pair_table(documents, counts)


def main(held: HeldoutSet = HELDOUT2) -> int:
    errors, table = run_checks(held)
    print(table)
    for error in errors:
        print("ERROR:", error)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(SETS[sys.argv[1]] if len(sys.argv) > 1 else HELDOUT2))
