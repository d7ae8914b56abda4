"""Check the held-out corpus (tests/data/heldout/) and its questions (tests/data/heldout.jsonl) against their rules."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
CORPUS_DIR = DATA_DIR / "heldout"
QUESTIONS_PATH = DATA_DIR / "heldout.jsonl"
SOURCES_PATH = CORPUS_DIR / "SOURCES.md"

LANGS = ("zh-Hant", "zh-Hans", "en", "ko")
META_KEYS = {"title", "author", "year", "language", "source", "licence"}
DOC_CHARS = (4_000, 15_000)
EVIDENCE_CHARS = (10, 60)
NATIVE_PER_DOC = 6
CROSS_PER_DOC = 4
NEAR_TOPIC_PER_DOC = 3
EVERYDAY_OFF_TOPIC = 6
# A question sharing this many characters in a row (whitespace removed, case folded) with its own
# evidence copies the document instead of asking as a user would.
MAX_SHARED_RUN = 15
ID_RE = re.compile(r"^h-(?:[a-d]\d{2}|g\d{2})$")
SOURCES_ROW_RE = re.compile(r"^\|\s*([a-z])\s*\|\s*`([^`]+)`")
SHA_RE = re.compile(r"\b[0-9a-f]{64}\b")

_IMAGE_RE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG_RE = re.compile(r"<[^>]+>")
_LINE_MARKER_RE = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d+\.[ \t]+)+", re.MULTILINE)
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_EMPHASIS_RE = re.compile(r"[*_`]")


@dataclass(frozen=True)
class Document:
    """One corpus document: its letter, file, raw Markdown and a markup-free rendering."""

    letter: str
    path: Path
    language: str
    raw: str
    stripped: str


def strip_markdown(text: str) -> str:
    """A rough plain-text rendering: link text kept, tags, emphasis, code ticks and line markers removed."""
    text = _IMAGE_RE.sub(r"\1", text)
    previous = None
    while previous != text:  # nested links such as [![..](..)](..)
        previous = text
        text = _LINK_RE.sub(r"\1", text)
    text = _TAG_RE.sub("", text)
    text = _LINE_MARKER_RE.sub("", text)
    text = _ESCAPE_RE.sub(r"\1", text)
    return _EMPHASIS_RE.sub("", text)


def squeeze(text: str) -> str:
    """Remove all whitespace, as the scorer does."""
    return "".join(text.split())


def is_cjk(char: str) -> bool:
    """Han, kana or Hangul: scripts that write words without spaces between syllables."""
    name = unicodedata.name(char, "")
    return name.startswith(("CJK ", "HANGUL ", "HIRAGANA ", "KATAKANA "))


def raw_span(raw: str, evidence: str) -> str | None:
    """The stretch of raw text the evidence matches once whitespace is ignored (first match)."""
    positions = [i for i, ch in enumerate(raw) if not ch.isspace()]
    joined = "".join(raw[i] for i in positions)
    start = joined.find(squeeze(evidence))
    if start < 0:
        return None
    end = start + len(squeeze(evidence)) - 1
    return raw[positions[start] : positions[end] + 1]


def breaks_cjk_word(span: str) -> bool:
    """True if a line break inside the span sits between two CJK characters."""
    for match in re.finditer(r"\s*\n\s*", span):
        before = span[: match.start()]
        after = span[match.end() :]
        if before and after and is_cjk(before[-1]) and is_cjk(after[0]):
            return True
    return False


def longest_shared_run(a: str, b: str) -> int:
    """Length of the longest common substring of a and b."""
    best = 0
    previous = [0] * (len(b) + 1)
    for ch_a in a:
        current = [0] * (len(b) + 1)
        for j, ch_b in enumerate(b, start=1):
            if ch_a == ch_b:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def check_meta(path: Path, errors: list[str]) -> str:
    """The language of a document's `.meta.json` beside it, after checking the file exists with exactly the keys
    wanted and a language of the four ("" when it cannot be read)."""
    meta_path = path.with_name(path.stem + ".meta.json")
    if not meta_path.is_file():
        errors.append(f"{meta_path.name}: missing")
        return ""
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if set(meta) != META_KEYS:
        errors.append(f"{meta_path.name}: keys {sorted(meta)}, want {sorted(META_KEYS)}")
    language = str(meta.get("language", ""))
    if language not in LANGS:
        errors.append(f"{meta_path.name}: language {language!r}")
    return language


def load_documents(errors: list[str]) -> dict[str, Document]:
    """The documents in SOURCES.md order, with their size, metadata and checksum checked."""
    documents: dict[str, Document] = {}
    sources = SOURCES_PATH.read_text(encoding="utf-8")
    rows = [SOURCES_ROW_RE.match(line) for line in sources.splitlines()]
    rows = [row for row in rows if row]
    expected_letters = [chr(ord("a") + i) for i in range(len(rows))]
    if [row.group(1) for row in rows] != expected_letters or len(rows) != 4:
        errors.append(f"SOURCES.md: want rows a-d in order, got {[row.group(1) for row in rows]}")
    listed = {row.group(2) for row in rows}
    on_disk = {p.name for p in CORPUS_DIR.iterdir() if p.suffix == ".md" and p.name != "SOURCES.md"}
    if listed != on_disk:
        errors.append(f"SOURCES.md lists {sorted(listed)} but the folder holds {sorted(on_disk)}")
    for row, line in zip(rows, [ln for ln in sources.splitlines() if SOURCES_ROW_RE.match(ln)]):
        letter, name = row.group(1), row.group(2)
        path = CORPUS_DIR / name
        if not path.is_file():
            errors.append(f"{name}: missing")
            continue
        data = path.read_bytes()
        shas = SHA_RE.findall(line)
        if hashlib.sha256(data).hexdigest() not in shas:
            errors.append(f"{name}: sha256 in SOURCES.md does not match the file")
        raw = data.decode("utf-8")
        if not DOC_CHARS[0] <= len(raw) <= DOC_CHARS[1]:
            errors.append(f"{name}: {len(raw)} characters, want {DOC_CHARS}")
        language = check_meta(path, errors)
        documents[letter] = Document(letter, path, language, raw, strip_markdown(raw))
    if len({doc.language for doc in documents.values()}) != len(documents):
        errors.append("want one document per language")
    return documents


def check_evidence(qid: str, question: str, evidence: str, doc: Document, errors: list[str]) -> None:
    """One evidence string: length, exact copy, unique in raw and stripped text, no split CJK word."""
    if not EVIDENCE_CHARS[0] <= len(evidence) <= EVIDENCE_CHARS[1]:
        errors.append(f"{qid}: evidence {evidence!r} has {len(evidence)} characters, want {EVIDENCE_CHARS}")
    if evidence != evidence.strip() or " ".join(evidence.split()) not in " ".join(doc.raw.split()):
        errors.append(f"{qid}: evidence {evidence!r} is not copied exactly from {doc.path.name}")
    key = squeeze(evidence)
    for label, text in (("raw", doc.raw), ("stripped", doc.stripped)):
        count = squeeze(text).count(key)
        if count != 1:
            errors.append(f"{qid}: evidence {evidence!r} occurs {count}x in the {label} text of {doc.path.name}")
    span = raw_span(doc.raw, evidence)
    if span is not None and breaks_cjk_word(span):
        errors.append(f"{qid}: evidence {evidence!r} crosses a line break inside a CJK word")
    shared = longest_shared_run(squeeze(question).casefold(), key.casefold())
    if shared > MAX_SHARED_RUN:
        errors.append(f"{qid}: question repeats {shared} characters of its evidence {evidence!r}")


def check_questions(documents: dict[str, Document], errors: list[str]) -> Counter[tuple[str, str, str]]:
    """Every line's shape and evidence; returns counts by (kind, question language, document letter)."""
    counts: Counter[tuple[str, str, str]] = Counter()
    seen: set[str] = set()
    questions: set[str] = set()
    lines = QUESTIONS_PATH.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        item = json.loads(line)
        qid = item.get("id", f"line {number}")
        if set(item) != {"id", "lang", "doc", "question", "answerable", "evidence"}:
            errors.append(f"{qid}: keys {sorted(item)}")
            continue
        if not ID_RE.match(qid) or qid in seen:
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
            if item["answerable"] or item["evidence"] or not qid.startswith("h-g"):
                errors.append(f"{qid}: an everyday off-topic question has doc null, no evidence, id h-gNN")
            counts[("everyday", lang, "-")] += 1
            continue
        if letter not in documents or not qid.startswith(f"h-{letter}"):
            errors.append(f"{qid}: doc {letter!r} unknown or not matching the id")
            continue
        doc = documents[letter]
        if not item["answerable"]:
            if item["evidence"]:
                errors.append(f"{qid}: an off-topic question carries evidence")
            counts[("near", lang, letter)] += 1
            continue
        if not item["evidence"]:
            errors.append(f"{qid}: answerable without evidence")
        for evidence in item["evidence"]:
            check_evidence(qid, question, evidence, doc, errors)
        counts[("native" if lang == doc.language else "cross", lang, letter)] += 1
    return counts


def check_counts(documents: dict[str, Document], counts: Counter[tuple[str, str, str]], errors: list[str]) -> None:
    """Questions per document and kind, and every question-language to document-language pair covered."""
    for letter in documents:
        per_kind = Counter()
        for (kind, _lang, doc_letter), n in counts.items():
            if doc_letter == letter:
                per_kind[kind] += n
        want = {"native": NATIVE_PER_DOC, "cross": CROSS_PER_DOC, "near": NEAR_TOPIC_PER_DOC}
        if dict(per_kind) != want:
            errors.append(f"doc {letter}: {dict(per_kind)}, want {want}")
    everyday = sum(n for (kind, _l, _d), n in counts.items() if kind == "everyday")
    if everyday != EVERYDAY_OFF_TOPIC:
        errors.append(f"{everyday} everyday off-topic questions, want {EVERYDAY_OFF_TOPIC}")
    if len({lang for (kind, lang, _d) in counts if kind == "everyday"}) < 3:
        errors.append("everyday off-topic questions should mix at least three languages")
    language_of = {letter: doc.language for letter, doc in documents.items()}
    pairs = {(lang, language_of[letter]) for (kind, lang, letter) in counts if kind == "cross"}
    for q_lang, d_lang in itertools.permutations(LANGS, 2):
        if (q_lang, d_lang) not in pairs:
            errors.append(f"no answerable question in {q_lang} about the {d_lang} document")


def pair_table(documents: dict[str, Document], counts: Counter[tuple[str, str, str]]) -> str:
    """Answerable questions by question language (rows) and document language (columns)."""
    language_of = {letter: doc.language for letter, doc in documents.items()}
    grid: Counter[tuple[str, str]] = Counter()
    for (kind, lang, letter), n in counts.items():
        if kind in ("native", "cross"):
            grid[(lang, language_of[letter])] += n
    lines = ["question \\ document " + " ".join(f"{d:>8}" for d in LANGS)]
    for q_lang in LANGS:
        lines.append(f"{q_lang:<20}" + " ".join(f"{grid[(q_lang, d)]:>8}" for d in LANGS))
    return "\n".join(lines)


def run_checks() -> tuple[list[str], str]:
    """All checks; returns the errors found and a summary table."""
    errors: list[str] = []
    documents = load_documents(errors)
    counts = check_questions(documents, errors)
    check_counts(documents, counts, errors)
    return errors, pair_table(documents, counts)


def main() -> int:
    errors, table = run_checks()
    print(table)
    for error in errors:
        print("ERROR:", error)
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
