"""Typed value objects that carry provenance from ingestion to the citation on screen."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from collections.abc import Callable
from typing import Any


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
    # "prose", "code" (fenced or indented code, kept out of prose passages), "footnote" or "front" (title, byline).
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
        """Reference in an author–date style, e.g. 河凡植 (2019). 〈…〉. 戰略安全研析, 153, 93. DOI."""
        m = self.meta
        parts = [f"{m.author or 'Anonymous'} ({m.year or 'n.d.'}). {m.title}."]
        venue = m.journal
        if m.journal_en and m.journal_en != m.journal:
            venue = f"{venue} ({m.journal_en})" if venue else m.journal_en
        if venue:
            parts.append(f" {venue}" + (f", no. {m.issue}" if m.issue else "") + (f", p. {self.page}" if self.page else "") + ".")
        elif self.page:
            parts.append(f" p. {self.page}.")
        if m.doi:
            parts.append(f" {m.doi_url}")
        return "".join(parts)

    def chinese(self) -> str:
        """Chinese-style reference: 作者〈篇名〉，《期刊》期數（年月），頁碼。"""
        m = self.meta
        text = f"{m.author}〈{m.title}〉"
        if m.journal:
            text += f"，《{m.journal}》"
        if m.issue:
            text += f"第{m.issue}期"
        when = m.date_label or (f"{m.year}年{m.month}月" if m.year and m.month else (f"{m.year}年" if m.year else ""))
        if when:
            text += f"（{when}）"
        if self.page:
            text += f"，頁{self.page}"
        text += "。"
        if m.doi:
            text += f"DOI: {m.doi}"
        return text

    def short(self) -> str:
        """One line for a footer or terminal: author, title, journal issue, year, section, page, DOI."""
        m = self.meta
        bits = [b for b in (m.author, f"〈{m.title}〉" if m.title else "", m.journal) if b]
        if m.issue:
            bits.append(f"no. {m.issue}")
        if m.year:
            bits.append(str(m.year))
        if self.section:
            bits.append(f"§ {self.section}")
        if self.page:
            bits.append(f"p. {self.page}")
        if m.doi:
            bits.append(f"doi:{m.doi}")
        return ", ".join(bits)

    def to_dict(self) -> dict[str, Any]:
        m = self.meta
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
            "author_date": self.author_date(),
            "chinese": self.chinese(),
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

    def marked(self, escape: Callable[[str], str] = lambda s: s, bold: str = "**") -> str:
        """The quote with the answering sentences wrapped in `bold`; `escape` is applied to the text pieces."""
        out: list[str] = []
        cursor = 0
        for start, end in sorted(self.highlights):
            out.append(escape(self.text[cursor:start]))
            out.append(f"{bold}{escape(self.text[start:end])}{bold}")
            cursor = end
        out.append(escape(self.text[cursor:]))
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
