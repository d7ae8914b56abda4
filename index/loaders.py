"""Find knowledge documents and load them (plain text, Markdown, PDF) with their metadata, or say why not."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from index import korean_breaks
from index.blocks import assemble, section_leaf
from index.errors import DocumentError
from index.ingest import clean_text
from index.markdown_loader import PROFILE as MARKDOWN_PROFILE
from index.markdown_loader import parse_markdown
from index.models import CleanDocument, DocumentMeta
from index.pdf_loader import load_pdf

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".text"}
# MDX (Docusaurus, Starlight, Nextra) is Markdown with module lines and components, which the Markdown loader reads as a
# reader sees the page (docs/ingestion.md, ingestion 13).
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdx"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | PDF_SUFFIXES
META_SUFFIX = ".meta.json"
# Raised whenever the ingestion rules change what passages a document gives, so the next build re-reads every document
# instead of keeping the previous version as "unchanged" (2: Markdown by markdown-it-py, PDF by layout; 3: a PDF's
# margin line numbers found as a column of words, also where a sidebar shares their lines; 4: "!" and "?" directly
# before a letter, a digit or a URL character no longer end a sentence; 5: paragraphs under a references heading are
# of kind "reference"; 6: tables of kind "table"; 7: a PDF's title of kind "title"; 8: Markdown's GitHub alerts,
# ":::" containers, heading attribute lists and MDN macros rendered as a reader sees them; 9: a PDF's byline ends at
# the first line of running text, and at a Chinese or Korean abstract heading; 10: a PDF's letter-spaced Chinese and
# Korean lines read without a space between their characters; 11: a PDF's margin box kept out of its sentences, line-end
# hyphens undone by the document and a word list, URLs broken at a line end joined, right-aligned table columns,
# works cited one entry a paragraph: docs/ingestion.md; 12: Markdown's Hugo shortcodes rendered as a reader sees them;
# 13: MDX module lines dropped, MkDocs content tabs read as their text; 14: Markdown's <sup> and <sub> as superscript
# and subscript characters where Unicode has them: 10⁻⁹, H₂O; 15: a PDF's word broken at a line end without a hyphen
# joined when its head is no word and the whole is one: "Investigatio" / "ns"; 16: a PDF's code listing goes on over
# a page break; 17: Markdown's nested list items indented two spaces a level; 18: consecutive short prose paragraphs of one
# section and page share a passage; 19: Chinese and Korean PDFs - leading per type size, full-width list marks, bold
# printed twice, dotted contents, a right column starting a hair apart, two-page footers; 20: the ingestion audit - a
# Korean word broken between syllables at a line end joined (Kiwi), a Korean sentence ending that runs into the next one
# split, a PDF's running headers naming the section, tables of contents, more typewriter faces, words running past a
# ragged right edge, numbered slide titles, double spacing and roman-numbered footers; paragraphs of a text without blank
# lines inferred: docs/ingestion.md, docs/ingestion-audit.md; 21: a PDF's short heading set letter by letter read as
# written, 초 록 -> 초록; 22: MDX comments {/* … */}, react.dev's heading ids, taken out of Markdown outside code; 23: a
# PDF line starting "(2)" after a line naming "(1)" that ends no sentence goes on with the enumeration run into it; 24: a heading that reads as a sentence or a question - an FAQ's "Is there a
# size limit?" - is a paragraph too, besides naming its section; 25: bold that
# CommonMark leaves unpaired beside Chinese or Korean text loses its asterisks; 26: a PDF sentence running off a page
# goes on after a table or figure floated to the top of the next one; 27: a sentence heading shares a passage with the
# text it leads past a label heading under it; 29 (28 was a measured experiment's): PDF footnotes whose marks are indented past their wrapped lines told
# apart, so the body's marks for them leave the text: "Python2" -> "Python"; 30: a Markdown section is the path of
# headings above it, "三路快速排序 › 定义"; 31: TeX's bold faces (cmbx, SFBX, NimbusRomNo9L-Medi) are bold, so an
# LNCS paper's "2.1 …" subheadings are headings; 32: TeX between dollars in Markdown is math, read as written, "\{"
# and "\\" kept; 34 (33 was a measured experiment's): a code listing is cut into passages and search units at its
# lines, never at a "?" or "." inside one; 35: a stop after a closing bracket ends the sentence before it, "（…！）。";
# 36: a dot standing alone after a space or Chinese punctuation ends no sentence, "中，. 表示", ". . ."; 37: MkDocs
# content tabs nested in a tab are opened too, and pymdownx snippet includes (--8<-- "file") are not text; 38: a "?"
# or "!" of inline code ends no sentence, "use the ? operator", "(return !, e.g. …)", "使用 ? 运算符"; 39: Hugo
# shortcodes written without spaces, MDN macros with a bare argument, mdBook's include lines; 40: a PDF's rows group
# sub- and superscripts with their line and a full-width title stays above the columns, so an IEEE two-column page
# reads column by column; OT1 accents join their letters, "Rényi"; IEEE's small-capital "II. METHOD" is a heading;
# 41: a page's text block is measured on its running text, not its table rows, so a page of tables keeps their columns;
# 42: a Chinese or Korean sans face (黑体, Gothic) over a serif body counts as bold, so ctex's "2.3.1 …" is a heading;
# 43: a PDF paragraph set at the margin right under a numbered list is not its last item; 44: a list item whose
# sentence runs off the page goes on at the top of the next; 45: MyST directives and roles, Docusaurus titles in
# brackets, multi-line JSX components and TOML front matter, from the fourth audit; 46: a Docusaurus tab's label
# leads the paragraph it opens with; 47: plain text from the fourth audit: CJK lines that end no sentence run on,
# running heads and feet of paged text dropped and read for page numbers, headings in text with blank lines,
# line-end hyphens, tables of contents; a Korean PDF line whose words are drawn in touching pieces keeps its spaces;
# 48: an MDX component tag on its own line lays out blocks, so a diagram's labels no longer run together; 49: code,
# figures, drawn tables, title rules and reST directives of plain text read as such; 50: a `{name}` fence is code
# unless MyST shows it as text (R Markdown's ```{r} chunks), a colon fence's option lines never take its text,
# an empty tab's label labels nothing; 51: PDFs from the fourth audit: a stretched justified line opens no table,
# short, figure-topped and bulleted columns, a full-width abstract above the columns, first-page notices as notes;
# 52: a display equation set larger than the body is no PDF heading; 53: from a review of 47-49: Chinese verse and
# short parallel lines keep their breaks, chapter headings are no running heads, form feeds at a text's edge or inside
# a line make no pages, Gutenberg's _italics_ are prose; a paragraph of thousands of sentences is packed greedily;
# 54: a PDF sentence goes on past a caption at the top of the next column, as past a float at the next page's top;
# 55: a sentence or paragraph ending with a colon stays in the passage of what it introduces, when both fit; 56: from
# the fifth audit: text copied out of a PDF with a few blank lines (one to 40 lines or more) has its paragraphs
# inferred as one with none, "⋅ ⋅ ⋅" (U+22C5) leaders mark contents in PDFs and text, and a Markdown list of links to
# the page's own headings is a table of contents, no passage; 57: a Chinese or Korean PDF heading whose number or Latin
# words are in the Latin face, its Chinese or Korean all in 黑体, is bold, "1.1 研究背景"; 58: javascript.info's text
# boxes written as fences (```smart header="…", ```warn, ```quote) are text under their header, not code; 59: a PDF
# list item's line wrapped back to the margin, left of its mark, goes on with the item, over a page too, and a Markdown
# lower-case tag whose open tag spans lines of its own (MDX's `<a` / `style={{…}}` / `>`) is markup, no text; 60: from
# the sixth audit: pymdownx blocks (`/// note | 참고`) read as their Markdown under their title and `{* file *}` includes
# are no text, inline HTML cells and rows keep their words apart, a PDF paragraph under a one-line last item or under a
# table is its own, a bold first item under a lead-in is no heading, and pdftotext's lone bullets go back before their
# items).
INGEST_VERSION = 60
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class SourceFile:
    """A knowledge file on disk and the id its passages will carry."""

    path: Path
    doc_id: str

    @property
    def meta_path(self) -> Path:
        return meta_path_for(self.path)


def meta_path_for(path: Path) -> Path:
    return path.with_name(path.stem + META_SUFFIX)


def doc_id_for(path: Path) -> str:
    """A readable, stable document id from the file name (letters of any script, digits, - and _)."""
    stem = re.sub(r"[^\w\-]+", "-", path.stem, flags=re.UNICODE).strip("-_").lower()
    return stem or "document"


def discover(knowledge_dir: Path) -> list[SourceFile]:
    """Every supported document under `knowledge_dir` (sorted, hidden files skipped)."""
    if not knowledge_dir.is_dir():
        return []
    files = []
    for path in sorted(knowledge_dir.rglob("*")):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(knowledge_dir).parts):
            continue
        if path.name.endswith(META_SUFFIX) or path.suffix.lower() not in SUPPORTED_SUFFIXES:
            continue
        files.append(SourceFile(path=path, doc_id=doc_id_for(path)))
    return files


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_meta(source: SourceFile, fmt: str, defaults: dict[str, str] | None = None) -> DocumentMeta:
    """The sidecar metadata, then what the document says about itself (`defaults`), then a record named after the file."""
    data: dict[str, object] = {}
    if source.meta_path.is_file():
        try:
            data = json.loads(source.meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DocumentError(f"its metadata file {source.meta_path.name} is not valid JSON ({exc})") from None
        if not isinstance(data, dict):
            raise DocumentError(f"its metadata file {source.meta_path.name} must hold a JSON object")
    for key, value in (defaults or {}).items():
        if not data.get(key):
            data[key] = value
    data.setdefault("title", source.path.stem)
    data.setdefault("format", fmt)
    data["doc_id"] = source.doc_id
    data["source_file"] = source.path.name
    try:
        return DocumentMeta.from_dict(data)
    except TypeError as exc:
        raise DocumentError(f"its metadata is invalid ({exc})") from None


def sniff_kind(data: bytes) -> str:
    """'pdf', 'text' or 'binary', judged by content, not by file name."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    sample = data[:65536]
    if b"\x00" in sample:
        # UTF-16 text has NULs; everything else with NULs is binary.
        if sample[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return "text"
        return "binary"
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return "binary" if sample and controls / len(sample) > 0.02 else "text"


def decode_text(data: bytes, name: str = "") -> str:
    """UTF-8 first; otherwise the encoding charset-normalizer detects (Big5 and GB18030 are common)."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    candidates = []
    best = from_bytes(data).best()
    if best is not None:
        candidates.append(best.encoding)
    candidates += ["big5", "cp950", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if _looks_like_text(text):
            log.warning("%s is not UTF-8: decoded as %s", name or "document", encoding)
            return text
    raise DocumentError("it is not UTF-8 and its encoding could not be detected")


def _looks_like_text(text: str) -> bool:
    if not text.strip():
        return False
    odd = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\f"))
    return odd / len(text) < 0.01


def load_document(source: SourceFile, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> CleanDocument:
    """Read, decode and clean one document; raise DocumentError with a reason a moderator can act on."""
    try:
        size = source.path.stat().st_size
        if size > max_bytes:
            raise DocumentError(f"it is too large ({size / 2**20:.1f} MiB; the limit is {max_bytes / 2**20:.0f} MiB)")
        data = source.path.read_bytes()
    except FileNotFoundError:
        raise DocumentError("the file disappeared while it was being read") from None
    except OSError as exc:
        raise DocumentError(f"it could not be read ({exc.strerror or exc})") from None
    if not data.strip():
        raise DocumentError("the file is empty")
    digest = content_hash(data)
    kind = sniff_kind(data)
    suffix = source.path.suffix.lower()
    if kind == "binary":
        raise DocumentError("it holds binary content, not text")
    if suffix in PDF_SUFFIXES and kind != "pdf":
        raise DocumentError("its name says PDF but its content is not a PDF")
    if kind == "pdf" and suffix not in PDF_SUFFIXES:
        raise DocumentError(f"its content is a PDF but its name ends in {suffix}")
    try:
        if kind == "pdf":
            meta = read_meta(source, "pdf")
            doc = load_pdf(data, meta, digest, title_given=meta.title != source.path.stem)
        elif suffix in MARKDOWN_SUFFIXES:
            parsed = parse_markdown(decode_text(data, source.path.name))
            doc = assemble(read_meta(source, "markdown", parsed.metadata), parsed.blocks, digest, MARKDOWN_PROFILE)
        else:
            doc = clean_text(decode_text(data, source.path.name), read_meta(source, "plain"), digest)
    finally:
        korean_breaks.release()  # the Korean analyser's memory (~330 MB) is not kept between documents
    if not doc.paragraphs:
        raise DocumentError("no text could be extracted from it")
    return mark_references(doc)


# The heading of a list of works cited, in the four languages, perhaps numbered ("7 References", "6. 참고 문헌").
_REFERENCES_HEADING = re.compile(
    r"(?:\d+(?:\.\d+)*\.?\s*)?(?:references|bibliography|works cited|literature cited|参考文献|參考文獻|参考资料|參考資料"
    r"|참고\s*문헌|참고\s*자료)\s*:?",
    re.IGNORECASE,
)


def mark_references(doc: CleanDocument) -> CleanDocument:
    """The prose paragraphs under a references heading marked "reference": entries of a list of works cited are
    citations, not statements, and sit close to any question in the embedding space (a URL, a venue, a year)."""
    paragraphs = tuple(
        dataclasses.replace(p, kind="reference")
        if p.kind == "prose" and _REFERENCES_HEADING.fullmatch(section_leaf(p.section).strip())
        else p
        for p in doc.paragraphs
    )
    return doc if paragraphs == doc.paragraphs else dataclasses.replace(doc, paragraphs=paragraphs)
