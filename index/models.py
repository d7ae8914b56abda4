"""Typed value objects that carry provenance from ingestion to the citation on screen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from index import citations


@dataclass(frozen=True)
class DocumentMeta:
    """Bibliographic metadata of one knowledge document (from its `.meta.json` sidecar)."""

    doc_id: str
    title: str
    author: str = ""
    affiliation: str = ""
    journal: str = ""
    journal_en: str = ""
    issue: str = ""
    year: int | None = None
    month: int | None = None
    date_label: str = ""
    first_page: int | None = None
    last_page: int | None = None
    doi: str = ""
    language: str = ""
    source_file: str = ""
    format: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentMeta:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""


@dataclass(frozen=True)
class Paragraph:
    """One recovered paragraph of a cleaned document, with where it sits."""

    number: int
    text: str
    start: int
    end: int
    section: str
    page_start: int | None
    page_end: int | None
    page_breaks: tuple[tuple[int, int], ...] = ()
    # "prose", "code" (fenced or indented code, kept out of prose passages), "footnote", "title" (a PDF's), "front"
    # (its byline), "reference" (an entry under a references heading, index/loaders.py) or "table" (a row per line).
    kind: str = "prose"

    def page_at(self, offset: int) -> int | None:
        """The page on which a document offset inside this paragraph falls."""
        page = self.page_start
        for break_offset, break_page in self.page_breaks:
            if offset >= break_offset:
                page = break_page
        return page


@dataclass(frozen=True)
class CleanDocument:
    """A document after ingestion: cleaned text, paragraphs and headings, and its content hash."""

    meta: DocumentMeta
    text: str
    paragraphs: tuple[Paragraph, ...]
    headings: tuple[str, ...]
    content_hash: str
    # Which loader read it: "markdown", "plain text", "pdf-extracted text" or "pdf".
    profile: str = ""


def page_label(page_start: int | None, page_end: int | None) -> str:
    """'95', '95–96', or '' when the page is unknown."""
    if page_start is None:
        return ""
    if page_end is None or page_end == page_start:
        return str(page_start)
    return f"{page_start}–{page_end}"


@dataclass(frozen=True)
class Passage:
    """A retrievable unit of at most 400 characters with citation-grade provenance."""

    id: str
    doc_id: str
    text: str
    section: str
    page_start: int | None
    page_end: int | None
    paragraph: int
    start: int
    end: int
    kind: str = "prose"  # the kind of the paragraph it comes from (see Paragraph.kind)

    @property
    def page(self) -> str:
        return page_label(self.page_start, self.page_end)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Passage:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class Citation:
    """Everything needed to cite one passage: the document's metadata plus section and page."""

    meta: DocumentMeta
    passage_id: str
    section: str
    page: str

    def author_date(self) -> str:
        """The reference in the document's default author–date style (GB/T 7714 for Chinese sources, APA otherwise)."""
        return citations.render(self, citations.default_style(self.meta))

    def chinese(self) -> str:
        """The reference in the Chinese national standard, GB/T 7714—2015 (author–date)."""
        return citations.render(self, citations.CHINESE_DEFAULT)

    def styles(self) -> dict[str, str]:
        """The reference in every offered style (see index.citations.STYLES), the document's default first."""
        return citations.references(self)

    def bibtex(self) -> str:
        return citations.bibtex(self)

    def ris(self) -> str:
        return citations.ris(self)

    def short(self) -> str:
        """One line for a footer or terminal: author, title, journal issue, year, section, page, DOI."""
        return citations.short(self)

    def to_dict(self) -> dict[str, Any]:
        m = self.meta
        rendered = citations.rendered(self)
        return {
            "author": m.author,
            "affiliation": m.affiliation,
            "title": m.title,
            "journal": m.journal,
            "issue": m.issue,
            "year": m.year,
            "section": self.section,
            "page": self.page,
            "doi": m.doi,
            "doi_url": m.doi_url,
            "passage_id": self.passage_id,
            "text": self.short(),
            "author_date": rendered.reference,
            "chinese": rendered.references[citations.CHINESE_DEFAULT],
            "styles": rendered.references,
            "bibtex": rendered.bibtex,
            "ris": rendered.ris,
        }


@dataclass(frozen=True)
class ScoredPassage:
    """A passage with its retrieval score (higher is better)."""

    passage: Passage
    score: float
    title: str = ""


@dataclass(frozen=True)
class Quote:
    """A verified verbatim excerpt of one passage; `highlights` are the answering sentences (offsets in text)."""

    text: str
    highlights: tuple[tuple[int, int], ...]
    passage: Passage
    citation: Citation
    # The quote starts (ends) inside a sentence cut at a clause boundary: shown with an ellipsis outside `text`.
    cut_start: bool = False
    cut_end: bool = False

    def marked(self, escape: Callable[[str], str] = lambda s: s, bold: str = "**") -> str:
        """The quote with the answering sentences wrapped in `bold` and an ellipsis where a sentence was cut."""
        out: list[str] = ["…"] if self.cut_start else []
        cursor = 0
        for start, end in sorted(self.highlights):
            out.append(escape(self.text[cursor:start]))
            out.append(f"{bold}{escape(self.text[start:end])}{bold}")
            cursor = end
        out.append(escape(self.text[cursor:]))
        if self.cut_end:
            out.append("…")
        return "".join(out)


@dataclass(frozen=True)
class Answer:
    """The outcome of one question: a verified quote with its citation, or an honest 'not covered'."""

    question: str
    answered: bool
    quote: Quote | None
    passages: tuple[ScoredPassage, ...]
    index_version: str = ""
    reason: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)
    # Why it was answered or refused: the coverage features, the margin and the bar it had to clear.
    gate: dict[str, float] = field(default_factory=dict)
    # Refused because the question asks for a kind of answer (index/answer_type.py: "quantity", "date", "duration",
    # "price", "ratio", "percentage", "version"; "author": index/authorship.py) that no passage found gives, though they
    # are about its subject.
    missing: str = ""

    def to_json(self) -> dict[str, Any]:
        answer = None
        if self.quote is not None:
            answer = {
                "quote": self.quote.text,
                "quote_marked": self.quote.marked(),
                "passage_id": self.quote.passage.id,
                "doc": self.quote.passage.doc_id,
                "section": self.quote.passage.section,
                "page": self.quote.passage.page,
                "citation": self.quote.citation.to_dict(),
            }
        return {
            "question": self.question,
            "answered": self.answered,
            "answer": answer,
            "reason": self.reason,
            "missing": self.missing,
            "gate": {k: round(float(v), 4) for k, v in self.gate.items()},
            "index_version": self.index_version,
            "passages": [
                {
                    "id": sp.passage.id,
                    "text": sp.passage.text,
                    "doc": sp.passage.doc_id,
                    "title": sp.title,
                    "section": sp.passage.section,
                    "page": sp.passage.page,
                    "paragraph": sp.passage.paragraph,
                    "score": round(float(sp.score), 4),
                }
                for sp in self.passages
            ],
        }


@dataclass
class DocumentFailure:
    """A document that could not be ingested, and why."""

    source_file: str
    reason: str


@dataclass
class BuildReport:
    """What a build did: documents added/changed/removed/unchanged/failed, passage counts, timing."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[DocumentFailure] = field(default_factory=list)
    passages_before: int = 0
    passages_after: int = 0
    passages_embedded: int = 0
    seconds: float = 0.0
    version: str = ""
    skipped_write: bool = False
    # Seconds per build stage: load previous, read and parse, chunk, load model, reuse vectors, embed, write.
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [
            f"documents: {len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
            f"{len(self.unchanged)} unchanged, {len(self.failed)} failed",
            f"passages: {self.passages_before} -> {self.passages_after} ({self.passages_embedded} embedded)",
            f"index version: {self.version}",
            f"seconds: {self.seconds:.2f}",
        ]
        for failure in self.failed:
            lines.append(f"  failed: {failure.source_file}: {failure.reason}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
