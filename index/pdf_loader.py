"""Read a PDF by its layout (pdfplumber): body paragraphs, headings, tables and footnotes with their pages."""

from __future__ import annotations

import bisect
import io
import logging
import math
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from index.blocks import CAPTION, PARAGRAPH_BREAK, display_width, is_cjk, join_lines
from index.errors import DocumentError
from index.hyphenation import LineEndHyphens
from index.korean_breaks import breaks_inside_word, is_hangul_syllable
from index.models import CleanDocument, DocumentMeta, Paragraph

log = logging.getLogger(__name__)

MAX_PDF_PAGES = 2000

# Word boundaries: a gap wider than this share of the font size is a space (pdfTeX and LuaTeX draw no space glyphs).
_SPACE_RATIO = 0.15
# Fixed-width listings spread their letters on a grid; only a gap of about a character's width is a space there.
_MONO_SPACE_RATIO = 0.3
# A gap wider than this many font sizes separates table cells (or a margin note from the text).
_CELL_GAP = 1.5
CELL_SEPARATOR = " | "

_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"}
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"), None)
_CID = re.compile(r"\(cid:\d+\)")
_PAGE_NUMBER = re.compile(r"(?i)^[-–—\s]*(page\s*)?(\d{1,4}|[ivxlc]{1,7})(\s*(of|/)\s*\d{1,4})?[-–—\s]*$")
_NUMBERED_HEADING = re.compile(r"^(\d{1,2}(\.\d{1,2}){0,3}\.?|[IVXL]{1,5}\.|[A-Z]\.)\s+\S")
# A list item's mark: a bullet, "1." "2)" "(a)", and the full-width marks of Chinese and Korean lists ("1．", "2、",
# "（3）", "④"), which no space need follow.
_SPACED_MARK = r"[•●◦▪■○◆–—-]|\(?\d{1,2}[.)]|\(?[a-z][.)]"
_WIDE_MARK = r"[(（]?\d{1,2}[．、）]|[①-⑳]"
_LIST_ITEM = re.compile(rf"^(?:(?:{_SPACED_MARK})\s|(?:{_WIDE_MARK})\s?\S)")
_ITEM_MARK = re.compile(rf"^(?:{_SPACED_MARK}|{_WIDE_MARK})")  # the mark alone
_FOOTNOTE_MARK = re.compile(r"^([*†‡§¶]+|\d{1,3})(?=\s?[^\W\d_(\[<])")
_ROMAN_CAPITALS_HEADING = re.compile(r"^[IVXL]{1,5}\.\s+[A-Z][A-Z0-9 ,:&'’-]{2,80}$")
_SECTION_NUMBER = re.compile(r"^(\d{1,2}(\.\d{1,2}){0,3}\.?|[IVXL]{1,5}\.|[A-Z]\.?)$")
# An appendix's numbered section: "A.1", "B.2.3".
_APPENDIX_NUMBER = re.compile(r"^[A-Z](\.\d{1,2}){1,3}\.?$")
_OPENING = re.compile(
    r"(?i)^\s*(?:(?:abstract|summary|introduction|keywords|contents)\b"
    r"|摘\s*要|關鍵[詞字]|关键[词字]|前\s*言|引\s*言|緒\s*論|绪\s*论|目\s*[錄录]|초\s*록|요\s*약|서\s*론|목\s*차|키워드|주제어)"
)
_CONTENTS_ENTRY = re.compile(r"(\.\s*){3,}|\s\d{1,4}$")
_SENTENCE_END = re.compile(r"[.!?:;。！？．][)\]\"'”’」』]*$")
_WORD = re.compile(r"[^\W\d_]+")
# TeX's bold faces say so only in their short names: Computer Modern's cmbx and cmb, cm-super's SFBX and SFBI, Latin
# Modern's lmbx, and NimbusRomNo9L-Medi (the Times of pdfTeX's times package), each after a subset prefix ("KWXTQL+").
_BOLD = re.compile(r"(?i)bold|black|heavy|semibold|demi|(?:^|\+)(?:cmbx|cmb\d|sfbx|sfbi|lmbx)|-medi(?:ital)?$")
_HEAVY_CJK = re.compile(r"(?i)hei|gothic|dotum|gulim|黑")
_ICON_FONT = re.compile(r"(?i)fontawesome|dingbat|wingding|academicons|marvosym")
_MONO = re.compile(r"(?i)mono|courier|cursor|consol|menlo|monaco|cousine|typewriter|cmtt|sftt|txtt|hack|inconsolata|code")


def normalise_glyphs(text: str) -> str:
    """Fold ligatures, drop zero-width characters and unmapped glyphs, turn no-break spaces into spaces."""
    for ligature, letters in _LIGATURES.items():
        text = text.replace(ligature, letters)
    text = _CID.sub("", text).translate(_INVISIBLE)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@dataclass
class _Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    mono: bool = False
    heavy: bool = False  # a Chinese or Korean sans face (黑体, Gothic), set as bold is in Latin text where the body is not


@dataclass
class _Line:
    words: list[_Word]
    page: int  # index into the PDF's pages
    text: str = ""
    cells: list[str] = field(default_factory=list)
    size: float = 0.0
    bold: bool = False
    mono: bool = False  # set in a fixed-width font throughout (a code line)
    bullet: bool = False  # a small drawn mark (a list bullet) stands just left of the line
    main: tuple[float, float] = (0.0, 0.0)  # x-extent of the cell holding most of the text

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)


@dataclass
class _Page:
    index: int
    width: float
    height: float
    lines: list[_Line]
    columns: int = 1
    footnotes: list[list[_Line]] = field(default_factory=list)


@dataclass
class _Block:
    kind: str  # "title", "heading", "prose", "list", "table", "code", "footnote", "front"
    lines: list[_Line]
    items: set[int] = field(default_factory=set)  # indexes of the lines that start a list item


def load_pdf(data: bytes, meta: DocumentMeta, content_hash: str, *, title_given: bool = True) -> CleanDocument:
    """Read one PDF into a CleanDocument; raise DocumentError with a reason a moderator can act on."""
    pages, pdf_title = _read_pages(data)
    if not any(page.lines for page in pages):
        raise DocumentError("the PDF has no text layer (a scanned document?); add a text version instead")
    labels = _page_numbers(data, len(pages), meta.first_page)
    try:
        body_size = _body_size(pages)
        _drop_watermarks_and_line_numbers(pages, body_size)
        _drop_running_furniture(pages, body_size)
        _drop_section_headers(pages, body_size)
        _drop_margin_notes(pages, body_size)
        for page in pages:
            _split_footnotes(page, body_size)
        blocks, title = _blocks(pages, body_size)
        blocks = _rejoined_across_floats(_without_contents(blocks))
        if not title_given and (pdf_title or title):
            meta = replace(meta, title=pdf_title or title)
        joining = _LineJoining(_hyphens(pages, meta.language), _breaks_korean_words(pages))
        return _assemble(meta, blocks, labels, joining, content_hash)
    except Exception as exc:  # a layout this reader does not expect must not stop the other documents' build
        log.exception("%s: PDF layout analysis failed", meta.doc_id)
        raise DocumentError(f"its layout could not be analysed ({exc.__class__.__name__}); add a text version of it") from None


def _read_pages(data: bytes) -> tuple[list[_Page], str]:
    """Every page's lines (with pdfplumber), and the title in the PDF's metadata; DocumentError if unreadable."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        cause = exc.__cause__ or exc.__context__ or exc
        if isinstance(exc, PDFPasswordIncorrect) or isinstance(cause, PDFPasswordIncorrect):
            raise DocumentError("the PDF is password-protected; add a copy without a password") from None
        raise DocumentError(f"the PDF could not be read ({exc.__class__.__name__}: {exc}); it may be damaged, export it again") from None
    with pdf:
        try:
            count = len(pdf.pages)
        except Exception as exc:
            raise DocumentError(
                f"the PDF's page tree could not be read ({exc.__class__.__name__}); it may be damaged, export it again"
            ) from None
        if count > MAX_PDF_PAGES:
            raise DocumentError(f"the PDF has {count:,} pages; the limit is {MAX_PDF_PAGES:,} (split it into parts)")
        title = str(pdf.metadata.get("Title") or "").strip() if isinstance(pdf.metadata, dict) else ""
        read: list[tuple[int, float, float, list[_Word], list[tuple[float, float, float, float]]]] = []
        for index, page in enumerate(pdf.pages):
            try:
                # Text set bold by printing it twice, a hair apart, reads "오픈오픈 소스소스" unless the copies are dropped.
                words = _accents_joined(page.dedupe_chars(tolerance=1)).extract_words(
                    x_tolerance_ratio=_SPACE_RATIO, y_tolerance=2, extra_attrs=["size", "fontname"]
                )
                bullets = [
                    (float(g["x0"]), float(g["x1"]), float(g["top"]), float(g["bottom"]))
                    for g in page.rects + page.curves
                    if 1 <= float(g["x1"]) - float(g["x0"]) <= 8 and 1 <= float(g["bottom"]) - float(g["top"]) <= 8
                ]
            except Exception as exc:
                raise DocumentError(
                    f"page {index + 1} of the PDF could not be read ({exc.__class__.__name__}); it may be damaged"
                ) from None
            finally:
                page.close()  # frees the page's parsed objects: memory stays flat on long documents
            read.append((index, float(page.width), float(page.height), _words(words), bullets))
    _heavy_faces_as_bold([words for _, _, _, words, _ in read])
    _drop_line_number_column([words for _, _, _, words, _ in read])
    pages = []
    for index, width, height, page_words, bullets in read:
        lines, columns = _lines(page_words, index, bullets, width)
        pages.append(_Page(index, width, height, lines, columns))
    return pages, _usable_title(title)


# TeX's OT1 fonts set an accent as a glyph of its own over the letter: pdfplumber gives "Re´nyi", "Verdu´", "R´ENYI".
_SPACING_ACCENTS = {
    "´": "\u0301",
    "`": "\u0300",
    "¨": "\u0308",
    "ˆ": "\u0302",
    "˜": "\u0303",
    "¸": "\u0327",
    "ˇ": "\u030c",
    "˘": "\u0306",
    "˙": "\u0307",
    "˚": "\u030a",
    "¯": "\u0304",
    "˝": "\u030b",
}


def _accents_joined(page: Any) -> Any:
    """The page with each accent glyph set over a letter joined to it ("Re´nyi" -> "Rényi"): an accent whose centre
    falls within a letter of the same line, and narrower than it. A backtick or tilde of code stands in a cell of its
    own and is left."""
    chars = page.chars
    accents = [c for c in chars if c.get("text") in _SPACING_ACCENTS and c.get("upright", True)]
    if not accents:
        return page
    letters = [c for c in chars if len(c.get("text", "")) == 1 and c["text"].isalpha() and c.get("upright", True)]
    joined: set[int] = set()
    for accent in accents:
        centre = (float(accent["x0"]) + float(accent["x1"])) / 2
        height = float(accent["bottom"]) - float(accent["top"])
        bases = [
            c
            for c in letters
            if float(c["x0"]) <= centre <= float(c["x1"])
            and float(accent["x1"]) - float(accent["x0"]) < float(c["x1"]) - float(c["x0"]) + 0.5
            and min(float(c["bottom"]), float(accent["bottom"])) - max(float(c["top"]), float(accent["top"])) > 0.3 * height
        ]
        if bases:
            base = min(bases, key=lambda c: abs((float(c["x0"]) + float(c["x1"])) / 2 - centre))
            base["text"] = unicodedata.normalize("NFC", base["text"] + _SPACING_ACCENTS[accent["text"]])
            joined.add(id(accent))
    return page.filter(lambda obj: id(obj) not in joined) if joined else page


_LINE_NUMBER = re.compile(r"^\d{1,4}$")


def _drop_line_number_column(pages: list[list[_Word]]) -> None:
    """Remove a draft's margin line numbers found as words: integers aligned on one edge, one per line, increasing down
    every page, on at least two pages (one page of numbers aligned in a column is a table's, kept).

    The line-by-line rule (`_drop_watermarks_and_line_numbers`) stays beside this one: it takes numbers that open a
    line, also on a one-page document and numbered every n lines (lineno's modulo), which this rule's one-per-line test
    rejects; this one takes them where a margin box (a journal's sidebar) shares their lines, so they open no line.
    """
    if len(pages) < 2:
        return
    for edge in ("x1", "x0"):
        groups: dict[int, list[tuple[int, _Word]]] = {}
        for number, words in enumerate(pages):
            for word in words:
                if _LINE_NUMBER.match(word.text):
                    groups.setdefault(round(getattr(word, edge)), []).append((number, word))
        for position in sorted(groups, key=lambda p: -len(groups[p])):
            found = [item for p in (position - 1, position, position + 1) for item in groups.get(p, [])]
            if len(found) < 20 or len({number for number, _ in found}) < 2:
                break
            per_page = Counter(number for number, _ in found)
            if statistics.median(per_page.values()) < 10:  # a few a page: footnote marks or a list, not every line
                continue
            found.sort(key=lambda item: (item[0], item[1].top))
            # Down a page the numbers only grow, mostly by one (a blank line may skip one); a new page continues or restarts.
            steps = [int(b.text) - int(a.text) for (p, a), (q, b) in zip(found, found[1:]) if p == q]
            if not steps or min(steps) <= 0 or sum(step == 1 for step in steps) < 0.7 * len(steps):
                continue
            # One per line: consecutive numbers about a line apart (footnote marks, also aligned and growing, are sparse).
            gaps = [b.top - a.top for (p, a), (q, b) in zip(found, found[1:]) if p == q and int(b.text) - int(a.text) == 1]
            line_height = statistics.median(w.bottom - w.top for number in {n for n, _ in found} for w in pages[number])
            if not gaps or statistics.median(gaps) > 2 * line_height:
                continue
            drop = {id(word) for _, word in found}
            for words in pages:
                words[:] = [w for w in words if id(w) not in drop]
            return


def _usable_title(title: str) -> str:
    """The metadata title, unless it is empty or a placeholder such as "untitled" or a file name."""
    title = normalise_glyphs(title).strip()
    if not title or title.lower() in {"untitled", "title"} or re.search(r"(?i)\.(docx?|tex|pdf|indd)$|^microsoft word", title):
        return ""
    return title


def _words(raw: Iterable[dict[str, Any]]) -> list[_Word]:
    """pdfplumber's words with clean glyphs; rotated text and icon glyphs left out."""
    words = []
    for w in raw:
        text = normalise_glyphs(str(w["text"]))
        if not text.strip() or not w.get("upright", True) or _ICON_FONT.search(str(w["fontname"])):
            continue  # icons (an envelope by an e-mail address, an ORCID logo) are not text
        words.append(
            _Word(
                text.strip(),
                float(w["x0"]),
                float(w["x1"]),
                float(w["top"]),
                float(w["bottom"]),
                round(float(w["size"]), 1),
                bool(_BOLD.search(str(w["fontname"]))),
                bool(_MONO.search(str(w["fontname"]))),
                bool(_HEAVY_CJK.search(str(w["fontname"]))),
            )
        )
    return words


def _heavy_faces_as_bold(pages: list[list[_Word]]) -> None:
    """Chinese and Korean texts set headings in a sans face (黑体, 고딕) where the body is in a serif one (宋体, 明朝, 바탕),
    as Latin texts set them bold: such words count as bold. Not where the body itself is set in one (Microsoft YaHei
    slides, a leaflet in Malgun Gothic), where every line would be."""
    cjk = heavy = 0
    for words in pages:
        for w in words:
            count = sum(1 for ch in w.text if is_cjk(ch))
            cjk += count
            heavy += count if w.heavy else 0
    if not heavy or heavy > 0.3 * cjk:
        return
    for words in pages:
        for w in words:
            if w.heavy:
                w.bold = True


def _lines(
    words: list[_Word], page: int, bullets: list[tuple[float, float, float, float]], page_width: float | None = None
) -> tuple[list[_Line], int]:
    """Group words into lines (vertical overlap with a line's main band), one reading column after another."""
    lines: list[_Line] = []
    columns = _columns(words, page_width)
    for column in columns:
        current: list[tuple[_Line, list[float]]] = []
        for word in sorted(column, key=lambda w: (-w.size, w.top, w.x0)):
            for line, band in current:
                overlap = min(band[1], word.bottom) - max(band[0], word.top)
                heights = sorted((band[1] - band[0], word.bottom - word.top))
                # Same line: enough vertical overlap, and no giant glyph (a watermark, a drop cap) swallowing lines.
                if overlap >= 0.4 * heights[0] and heights[1] <= 2.5 * heights[0]:
                    line.words.append(word)
                    break
            else:
                current.append((_Line([word], page), [word.top, word.bottom]))
        lines.extend(sorted((line for line, _ in current), key=lambda ln: ln.top))
    for line in lines:
        _finish_line(line)
        line.bullet = any(b[1] <= line.x0 + 1 and line.x0 - b[1] < 15 and line.top <= (b[2] + b[3]) / 2 <= line.bottom for b in bullets)
    return lines, sum(1 for part in columns if len(part) >= 10)


def _columns(words: list[_Word], page_width: float | None = None) -> list[list[_Word]]:
    """Words split into reading columns when the page has a vertical gutter near its middle."""
    if len(words) < 40:
        return [words]
    left_edge = min(w.x0 for w in words)
    right_edge = max(w.x1 for w in words)
    width = right_edge - left_edge
    xs = [left_edge + width * (0.3 + 0.4 * i / 200) for i in range(201)]
    counts = [sum(1 for w in words if w.x0 < x < w.x1) for x in xs]
    best_count = min(counts)
    # The gutter is the widest run of positions that the fewest words cross.
    runs: list[list[float]] = []
    for i, (x, count) in enumerate(zip(xs, counts)):
        if count == best_count:
            if runs and i and counts[i - 1] == best_count:
                runs[-1].append(x)
            else:
                runs.append([x])
    widest = max(runs, key=len)
    best_x = (widest[0] + widest[-1]) / 2
    left = [w for w in words if w.x1 <= best_x]
    right = [w for w in words if w.x0 >= best_x]
    spanning = [w for w in words if w.x0 < best_x < w.x1]
    if best_count > 0.03 * len(words) or not _two_text_columns(left, right, width, page_width or right_edge + left_edge):
        return [words]
    # The right column's left edge: the most words starting within 2 pt of one another (its lines start a hair apart:
    # 316.2-317.9 pt on a page of the Korean OpenChain leaflet, whose right column was lost among table cells); or, for
    # a column of bulleted items set with hanging indents (ICML's first page: its lines start at the margin, at the
    # bullets and at the items' text), most rows starting at its leftmost edge or a few ems right of it. The cells of a
    # table's right half, centred or set flush right, start all over, as do the right halves of one column's lines.
    lefts = sorted(w.x0 for w in right if w.x0 - best_x < 0.15 * width)
    aligned = max((bisect.bisect_right(lefts, x + 2.0) - i for i, x in enumerate(lefts)), default=0)
    starts = _rows(right)
    if aligned < 0.5 * len(starts) and not (_indented_from_one_edge(starts) and _share_right_edge(_rows(left))):
        return [words]
    # The columns start below the last page-wide row above their first row with words either side of the gutter: above
    # it a title, a byline and a full-width abstract run across the gutter, and their words on either side of it belong
    # to those lines, not to the columns (an IEEE paper's title; an Elsevier abstract under an "Abstract" label, a row
    # on the left only, was dealt to the columns). A row reaching into the gutter, past where the columns' lines end
    # and start, runs across it too (a table centred on the page).
    rows = sorted(_rows(words).items())
    band = _gutter_band(left, right, best_x)
    wide = [_page_wide(row, best_x, band) for _, row in rows]
    two_sided = [
        i for i, (_, row) in enumerate(rows) if not wide[i] and any(w.x1 <= best_x for w in row) and any(w.x0 >= best_x for w in row)
    ]
    column_top: float
    if two_sided:
        column_top = rows[max((i for i in range(two_sided[0]) if wide[i]), default=-1) + 1][0]
    else:
        column_rows = [top for (top, _), is_wide in zip(rows, wide) if not is_wide]
        column_top = column_rows[0] if column_rows else min(w.top for w in left + right)
    heading = {id(w) for top, row in rows if top < column_top for w in row}
    above = [w for w in words if id(w) in heading]
    left = [w for w in left if id(w) not in heading]
    right = [w for w in right if id(w) not in heading]
    below = [w for w in spanning if id(w) not in heading]
    return [part for part in (above, left, right, below) if part]


def _indented_from_one_edge(rows: dict[int, list[_Word]]) -> bool:
    """Whether seven rows of running text in ten start at one of at most three sharp edges (each shared by a tenth of the rows or more,
    within 2 pt) lying within five ems of one another: a column's margin, its paragraphs' indent, a list's bullets
    and hanging lines, a description list's hanging indent."""
    spans = [(min(w.x0 for w in row), max(w.x1 for w in row)) for row in rows.values()]
    if not spans:
        return False
    widest = max(x1 - x0 for x0, x1 in spans)
    # Rows of running text only: a display formula or a figure's label, narrower, is centred anywhere in the column.
    firsts = sorted(x0 for x0, x1 in spans if x1 - x0 >= 0.6 * widest)
    size = statistics.median(w.size for row in rows.values() for w in row)
    edges: list[tuple[float, int]] = []
    left = list(firsts)
    for _ in range(3):
        count, i = max(((bisect.bisect_right(left, x + 2.0) - i, i) for i, x in enumerate(left)), default=(0, 0))
        if count < max(2, 0.1 * len(firsts)):
            break
        edges.append((left[i], count))
        left = left[:i] + left[i + count :]
    if not edges or max(x for x, _ in edges) - min(x for x, _ in edges) > 5 * size:
        return False
    return sum(count for _, count in edges) >= 0.7 * len(firsts)


def _share_right_edge(rows: dict[int, list[_Word]]) -> bool:
    """Whether two rows in five end within 2 pt of one another: a justified column's right edge. The left halves of one
    column's lines, split at a river of word gaps, end all over."""
    ends = sorted(max(w.x1 for w in row) for row in rows.values())
    shared = max((bisect.bisect_right(ends, x + 2.0) - i for i, x in enumerate(ends)), default=0)
    return shared >= 0.4 * len(ends) > 0


def _gutter_band(left: list[_Word], right: list[_Word], gutter: float) -> tuple[float, float]:
    """Where the left column's lines end and the right column's start: the rightmost end and the leftmost start that
    three rows and a tenth of the rows share (within 2 pt), nearest the gutter."""

    def shared(xs: list[float]) -> list[float]:
        xs = sorted(xs)
        least = max(3, 0.1 * len(xs))
        return [x for i, x in enumerate(xs) if bisect.bisect_right(xs, x + 2.0) - i >= least]

    ends = shared([-max(w.x1 for w in row) for row in _rows(left).values()])
    starts = shared([min(w.x0 for w in row) for row in _rows(right).values()])
    return (-ends[0] if ends else gutter), (starts[0] if starts else gutter)


def _page_wide(row: list[_Word], gutter: float, band: tuple[float, float] | None = None) -> bool:
    """A row running across the gutter: a word crosses it, or the words either side of it are a word space apart (less
    than an em of the row's largest type), not a column gap, or a word reaches well into the gutter, past where the
    columns' lines end and start."""
    if any(w.x0 < gutter < w.x1 for w in row):
        return True
    if band is not None and any(band[0] + 4 < w.x1 <= gutter or gutter <= w.x0 < band[1] - 4 for w in row):
        return True
    left = [w.x1 for w in row if w.x1 <= gutter]
    right = [w.x0 for w in row if w.x0 >= gutter]
    return bool(left and right) and min(right) - max(left) < max(w.size for w in row)


def _rows(words: list[_Word]) -> dict[int, list[_Word]]:
    """Words by the row they sit on, keyed by its rounded top. Words whose tops are within a third of their size share
    a row (an accent raises one a point: "Rényi"). Words set smaller than most, sub- and superscripts ("h2", "x^n"),
    join the nearest row within their size, and make rows of their own only where there is none: not a narrow row
    each beside their line (an IEEE paper's right column of formulas read as a table)."""
    if not words:
        return {}
    usual = statistics.median(w.size for w in words)
    rows: dict[int, list[_Word]] = {}
    top = float("-inf")
    for w in sorted((w for w in words if w.size >= 0.85 * usual), key=lambda w: w.top):
        if w.top > top + w.size / 3:
            top = w.top
            rows[round(top)] = []
        rows[round(top)].append(w)
    for w in words:
        if w.size < 0.85 * usual:
            near = [key for key in rows if key - w.size <= w.top <= key + w.size]
            rows.setdefault(min(near, key=lambda key: abs(key - w.top)) if near else round(w.top), []).append(w)
    return rows


def _two_text_columns(left: list[_Word], right: list[_Word], width: float, page_width: float) -> bool:
    """Whether the words either side of a gutter are two columns of running text: one of them a column of ten rows or
    more, the other too or a short one set in a column as wide, mirrored across the page (a last page's headings and
    acknowledgements beside a full column: read as one, its right column was dropped past the text's edge)."""
    if _is_text_column(left, width):
        return _is_text_column(right, width) or _is_short_text_column(right, left, width, page_width, right_side=True)
    return _is_text_column(right, width) and _is_short_text_column(left, right, width, page_width, right_side=False)


def _is_text_column(words: list[_Word], page_width: float) -> bool:
    """At least ten rows, mostly letters, most of them wide or eight of them wide (a column of running text, not the
    cells of a table; a figure's tick labels or an algorithm's short lines at its top make most rows narrow)."""
    rows = _rows(words)
    if len(rows) < 10 or not _mostly_letters(words):
        return False
    widths = [max(w.x1 for w in row) - min(w.x0 for w in row) for row in rows.values()]
    return statistics.median(widths) >= 0.35 * page_width or sum(w >= 0.35 * page_width for w in widths) >= 8


def _is_short_text_column(words: list[_Word], beside: list[_Word], width: float, page_width: float, *, right_side: bool) -> bool:
    """A column of fewer rows beside a text column: mostly letters, its rows starting at one edge, and set where the
    column beside it, mirrored across the page's middle, would stand (two-column pages are symmetric): a margin note's
    lines start nearer the text, and the half of a table is no such column."""
    rows = _rows(words)
    if len(rows) < 2 or not _mostly_letters(words):
        return False
    firsts = sorted(min(w.x0 for w in row) for row in rows.values())
    edge, count = max(((x, bisect.bisect_right(firsts, x + 2.0) - i) for i, x in enumerate(firsts)), key=lambda pair: pair[1])
    if count < 0.6 * len(rows):
        return False
    slack = 0.03 * width
    if right_side:
        mirrored = page_width - max(w.x1 for w in beside)  # where the beside column's right edge falls, mirrored
        return abs(edge - mirrored) <= slack and min(w.x0 for w in words) >= mirrored - slack
    mirrored = page_width - min(w.x0 for w in beside)
    return abs(edge - (page_width - max(w.x1 for w in beside))) <= slack and max(w.x1 for w in words) <= mirrored + slack


def _mostly_letters(words: list[_Word]) -> bool:
    chars = "".join(w.text for w in words)
    return sum(ch.isalpha() for ch in chars) >= 0.5 * len(chars)


def _finish_line(line: _Line) -> None:
    """Order a line's words and derive its size, weight, font kind, text and cells."""
    line.words.sort(key=lambda w: w.x0)
    sizes: Counter[float] = Counter()
    text_sizes: Counter[float] = Counter()  # inline code is often set smaller; the line's size is its text's
    bold_chars = mono_chars = cjk_chars = cjk_bold = 0
    for w in line.words:
        sizes[w.size] += len(w.text)
        if not w.mono:
            text_sizes[w.size] += len(w.text)
        bold_chars += len(w.text) if w.bold else 0
        mono_chars += len(w.text) if w.mono else 0
        cjk = sum(1 for ch in w.text if is_cjk(ch))
        cjk_chars += cjk
        cjk_bold += cjk if w.bold else 0
    total = sum(sizes.values())
    line.size = (text_sizes if sum(text_sizes.values()) >= 0.2 * total else sizes).most_common(1)[0][0]
    # A numbered Chinese or Korean heading whose number or Latin words are set in the Latin text face (ucasthesis:
    # "1.1" in XITS, "研究背景" in 黑体) is bold when all its Chinese or Korean characters are, and they are most of
    # the line past its number. Only after a section number: a caption set the same way ("表 2.1 实验结果") is no
    # heading.
    first = line.words[0].text if line.words else ""
    numbered = bool(_SECTION_NUMBER.match(first) or _APPENDIX_NUMBER.match(first)) and len(line.words) > 1
    line.bold = bold_chars >= 0.9 * total or (
        numbered and cjk_chars >= 2 and cjk_bold == cjk_chars and bold_chars >= 0.5 * (total - len(first))
    )
    line.mono = mono_chars >= 0.9 * total
    _render(line)


def _render(line: _Line) -> None:
    """The line's text with spaces where the gaps are, and its cells where the gaps are wide."""
    cells: list[str] = []
    spans: list[tuple[float, float]] = []
    text = ""
    previous: _Word | None = None
    cell_start: _Word | None = None
    spread = _spread_gap(line)
    for word in line.words:
        if previous is None or word.x0 - previous.x1 > _CELL_GAP * line.size:
            if previous is not None:
                cells.append(text)
            text, cell_start = word.text, word
            spans.append((word.x0, word.x1))
        else:
            gap = word.x0 - previous.x1
            ratio = _MONO_SPACE_RATIO if word.mono and previous.mono else _SPACE_RATIO
            spaced = gap > ratio * min(word.size, previous.size) and not _is_marker(word, line)
            spaced = spaced and not _letter_spacing(previous, word, gap, spread)
            # A note's own number at the start of a footnote ("¹Since …") is followed by a space.
            if spaced or (previous is cell_start and _is_marker(previous, line)):
                text = f"{text} {word.text}"
            else:
                text += word.text
            spans[-1] = (spans[-1][0], word.x1)
        previous = word
    cells.append(text)
    cells = [re.sub(r"\s+", " ", cell).strip() for cell in cells]
    if len(cells) == 2 and _SECTION_NUMBER.match(cells[0]) and line.bold:
        cells = [f"{cells[0]} {cells[1]}"]
        spans = [(spans[0][0], spans[1][1])]
    line.main = max(zip(cells, spans), key=lambda pair: len(pair[0]))[1]
    line.cells = cells
    line.text = CELL_SEPARATOR.join(cells)


def _spread_gap(line: _Line) -> float | None:
    """The usual gap between Chinese characters or Hangul syllables set apart one by one (a justified or spread-out
    line: each is a word of its own), or None when the line's Chinese and Korean words are whole words."""
    east = [w for w in line.words if w.text and is_cjk(w.text[0])]
    # Pieces that touch (a run of text drawn in two parts, "따" "라") are one word whatever the line: they say nothing.
    single = [
        (a, b)
        for a, b in zip(line.words, line.words[1:])
        if len(a.text) == 1 and is_cjk(a.text) and b.text and is_cjk(b.text[0]) and b.x0 - a.x1 > _SPACE_RATIO * min(a.size, b.size)
    ]
    if len(single) < 4 or len(single) < 0.6 * len(east):
        return None
    return float(statistics.median(b.x0 - a.x1 for a, b in single))


def _letter_spacing(previous: _Word, word: _Word, gap: float, spread: float | None) -> bool:
    """Whether a gap between two words of a spread-out line is letter-spacing, not a space: narrower than half as wide
    again as the line's usual gap, between Chinese characters, Hangul syllables or their punctuation."""
    if spread is None or gap > 1.5 * spread:
        return False
    before, after = previous.text[-1], word.text[0]
    punctuation = unicodedata.category(before).startswith("P") or unicodedata.category(after).startswith("P")
    return (is_cjk(before) or is_cjk(after)) and (is_cjk(before) == is_cjk(after) or punctuation)


def _is_marker(word: _Word, line: _Line) -> bool:
    """A superscript (smaller and raised) attached to the word before it, e.g. a footnote number."""
    return word.size <= 0.8 * line.size and word.bottom < max(w.bottom for w in line.words) - 1


def _body_line_test(lines: list[_Line], body_size: float) -> Callable[[_Line], bool]:
    """Whether a line of page one is running text, not a byline: set at the body size, reaching the body's right edge,
    from its left edge or a paragraph's indent. Authors and affiliations are centred, set in another size, or short."""
    body = [ln for ln in lines if abs(ln.size - body_size) <= 0.6]
    if not body:
        return lambda line: False
    left = min(ln.x0 for ln in body)
    right = max(ln.x1 for ln in body)
    return lambda line: abs(line.size - body_size) <= 0.6 and line.x1 >= right - 2.0 and line.x0 - left <= 3.0 * body_size


def _body_size(pages: list[_Page]) -> float:
    """The font size most of the text is set in."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            sizes[round(line.size * 2) / 2] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _drop_margin_notes(pages: list[_Page], body_size: float) -> None:
    """Remove marginal notes: words standing well outside the text block of their page."""
    bounds: dict[int, tuple[float, float]] = {}
    for page in pages:
        # A table's rows are no running text: on a page made mostly of tables their first column's end would be taken
        # for the text block's edge, and every cell past it cut as a margin note.
        body = [ln for ln in page.lines if abs(ln.size - body_size) <= 0.6 and len(ln.text) > 30 and len(ln.cells) <= 1]
        if len(body) >= 8:
            starts = Counter(round(ln.main[0]) for ln in body)
            left: float = min(x for x, count in starts.items() if count >= 0.15 * len(body) or count == max(starts.values()))
            ends = [round(ln.main[1]) for ln in body]
            justified = max(set(ends), key=lambda x: sum(abs(e - x) <= 2 for e in ends))
            cluster = [e for e in ends if abs(e - justified) <= 2]
            right: float = (
                max(cluster) if len(cluster) >= 0.2 * len(body) else sorted(ln.main[1] for ln in body)[int(0.9 * (len(body) - 1))]
            )
            bounds[page.index] = (left, right)
    for page in pages:
        same_parity = [b for i, b in bounds.items() if i % 2 == page.index % 2]
        if page.columns > 1:
            continue  # margin notes belong to single-column layouts; a second column is not one
        if page.index in bounds:
            left, right = bounds[page.index]
        elif same_parity:
            left, right = statistics.median(b[0] for b in same_parity), statistics.median(b[1] for b in same_parity)
        else:
            continue
        # Room for a second column as wide as the text beside it is no margin: a two-column page read as one (a short
        # column, a figure at a column's top) kept its other column's words past the edge, and lost them as notes.
        if page.width - right > right - left:
            right = math.inf
        if left > right - left:
            left = -math.inf
        kept_lines = []
        for line in page.lines:
            words = [
                w
                for cell in _cell_words(line)
                if max(w.x1 for w in cell) >= left - 8
                for w in _within_right_edge(_without_margin_column(cell, left, line.size), right, line.size)
            ]
            if words:
                if len(words) != len(line.words):
                    line.words = words
                    _finish_line(line)
                kept_lines.append(line)
        page.lines = kept_lines


def _within_right_edge(cell: list[_Word], right: float, size: float) -> list[_Word]:
    """A cell up to the text block's right edge: a word past it is a margin note when it stands apart (a gap wider than a
    word space) or opens the cell; a word that goes on at a word space is the line running long. Ragged lines (slides,
    left-aligned text) end past an edge taken from their longer lines, and a title page's lines past the other pages'
    edge: their last words were cut ("look over the existing literature" lost "over", "遵守 LATEX" lost "ATEX")."""
    kept: list[_Word] = []
    for word in cell:
        if word.x0 > right + 6 and (not kept or word.x0 - kept[-1].x1 > 0.6 * size):
            break
        kept.append(word)
    return kept


def _without_margin_column(cell: list[_Word], left: float, size: float) -> list[_Word]:
    """A cell without the words of a sidebar beside the text block (a journal's margin box) that share its line.

    A sidebar's line can stand closer to a body line than a cell gap and so open its cell ("and release the work
    under a Cre-" + "assisted laser …"): its words end before the body's left edge and the body starts right at it.
    Only words far out in the margin with letters among them go, so a hanging section number or bullet stays.
    """
    for index, word in enumerate(cell[1:], start=1):
        if word.x0 >= left - 2:
            margin = cell[:index]
            if margin[-1].x1 < left - 2 and margin[0].x0 < left - 4 * size and sum(ch.isalpha() for w in margin for ch in w.text) >= 3:
                return cell[index:]
            break
    return cell


def _drop_watermarks_and_line_numbers(pages: list[_Page], body_size: float) -> None:
    """Remove a draft's giant watermark letters (repeated on pages) and its margin line numbers (1, 2, 3, … down the page)."""
    giant: Counter[str] = Counter()
    for page in pages:
        giant.update({ln.text for ln in page.lines if ln.size >= 3 * body_size})
    for page in pages:
        page.lines = [ln for ln in page.lines if not (ln.size >= 3 * body_size and giant[ln.text] >= 2)]
        numbered = [
            ln for ln in page.lines if len(ln.words) > 1 and ln.words[0].text.isdigit() and ln.words[1].x0 - ln.words[0].x1 > 0.3 * ln.size
        ]
        if len(numbered) < 10:
            continue
        ends = [ln.words[0].x1 for ln in numbered]
        values = [int(ln.words[0].text) for ln in sorted(numbered, key=lambda ln: ln.top)]
        if max(ends) - min(ends) > 3 or values != sorted(values) or len(set(values)) != len(values):
            continue
        for line in numbered:
            line.words = line.words[1:]
            _finish_line(line)
        page.lines = [
            ln for ln in page.lines if not (len(ln.words) == 1 and ln.words[0].text.isdigit() and abs(ln.words[0].x1 - max(ends)) <= 3)
        ]


def _cell_words(line: _Line) -> list[list[_Word]]:
    """A line's words grouped by cell (split at wide gaps)."""
    cells: list[list[_Word]] = []
    for word in line.words:
        if cells and word.x0 - cells[-1][-1].x1 <= _CELL_GAP * line.size:
            cells[-1].append(word)
        else:
            cells.append([word])
    return cells


# A page number in roman numerals at either end of a line (front matter: "ix doi:10.6342/NTU…", "Preface xiii").
_ROMAN_AT_END = re.compile(r"(?i)^[ivxlc]{1,7}\b|\b[ivxlc]{1,7}$")


def _furniture_key(line: _Line) -> str:
    """A line's text with digits and an end's roman numerals as # (page numbers vary, running headers do not)."""
    text = re.sub(r"[\s|]+", " ", re.sub(r"\d+", "#", line.text)).strip()
    return _ROMAN_AT_END.sub("#", text).lower()


def _drop_running_furniture(pages: list[_Page], body_size: float) -> None:
    """Remove running headers/footers (same place and text, digits aside, on many pages) and page numbers.

    A numbered title set larger than the body ("Thesis Writing (2)", "(3)" … on a deck of slides) stays: a running
    header larger than the body repeats as it is ("华中科技大学学士学位论文"), and one that counts is a small footer."""
    candidates: Counter[tuple[int, str]] = Counter()
    texts: dict[tuple[int, str], set[str]] = {}
    edges: dict[int, list[_Line]] = {}
    for page in pages:
        ordered = sorted(page.lines, key=lambda ln: ln.top)
        candidates_on_page = ordered[:2] + ordered[-2:] if len(ordered) > 4 else ordered
        edges[page.index] = [ln for ln in candidates_on_page if ln.top < 0.12 * page.height or ln.bottom > 0.88 * page.height]
        for line in edges[page.index]:
            key = (round(line.top / 4), _furniture_key(line))
            candidates[key] += 1
            texts.setdefault(key, set()).add(line.text if line.size > body_size + 0.6 else "")
    threshold = max(2, round(0.3 * len(pages)))
    # Two pages are enough: the same line at the same place at the edge of both (the OpenChain handout's two-line footer
    # ran into its last paragraph on each page).
    repeated = {key for key, count in candidates.items() if count >= threshold and len(texts[key]) == 1} if len(pages) >= 2 else set()
    for page in pages:
        drop = set()
        for line in edges[page.index]:
            if (round(line.top / 4), _furniture_key(line)) in repeated or _PAGE_NUMBER.match(line.text):
                drop.add(id(line))
        page.lines = [ln for ln in page.lines if id(ln) not in drop]


# What is left of a heading or a running header without its numbering: "3.3 编译论文" and "编译论文", "CHAPTER 2.
# METHODS" and "2 Methods" read the same.
_NUMBERING = re.compile(r"(?i)\bchapter\b|\bsection\b|\bpart\b|第|章|节|節|[\d\W_]+")


def _heading_core(text: str) -> str:
    return _NUMBERING.sub("", text).lower()


def _drop_section_headers(pages: list[_Page], body_size: float) -> None:
    """Remove running headers that name the current chapter or section ("3.3 编译论文 | 3 安装" over the pages of
    that section): text that changes from page to page, so `_drop_running_furniture` cannot see it repeat. A line is
    one when it stands at the top of the page where such lines stand on many pages, is set no larger than the body,
    is no heading itself, and every cell of it is a heading of the document (not a contents entry) or a page number."""
    if len(pages) < 3:
        return
    headings = {
        core for page in pages for line in page.lines if _is_heading(line, body_size) and len(core := _heading_core(line.text)) >= 2
    }
    if not headings:
        return
    tops: dict[int, list[_Line]] = {}
    for page in pages:
        for line in sorted(page.lines, key=lambda ln: ln.top)[:1]:
            if line.top < 0.12 * page.height:
                tops.setdefault(page.index, []).append(line)
    bands = Counter(round(line.top / 4) for lines in tops.values() for line in lines)
    threshold = max(3, round(0.3 * len(pages)))

    def is_header(line: _Line) -> bool:
        if bands[round(line.top / 4)] < threshold or line.size > body_size + 0.6 or _is_heading(line, body_size):
            return False
        cells = [cell.strip() for cell in line.cells] or [line.text]
        named = [cell for cell in cells if _heading_core(cell) in headings and not _CONTENTS_ENTRY.search(cell)]
        return bool(named) and all(cell in named or _PAGE_NUMBER.match(cell) for cell in cells)

    for page in pages:
        drop = {id(line) for line in tops.get(page.index, []) if is_header(line)}
        if drop:
            page.lines = [ln for ln in page.lines if id(ln) not in drop]


def _split_footnotes(page: _Page, body_size: float) -> None:
    """Move the small-type notes at the foot of the page (of each column on a page of columns) out of its body lines."""
    if page.columns == 1:
        _split_foot_block(page, page.lines, body_size)
        return
    # The foot of each column: a walk up the whole page stops at the other column's body lines. A note the left column
    # ends in may run on at the foot of the right one, without a mark.
    middle = page.width / 2
    _split_foot_block(page, [ln for ln in page.lines if ln.x0 + ln.x1 < 2 * middle], body_size)
    _split_foot_block(page, [ln for ln in page.lines if ln.x0 + ln.x1 >= 2 * middle], body_size, runs_on=bool(page.footnotes))


def _split_foot_block(page: _Page, lines: list[_Line], body_size: float, *, runs_on: bool = False) -> None:
    """Move the small-type notes at the foot of these lines out of the page's body lines: from the first one with a
    note's mark; on the first page also the lines above it, or a block with no mark at all (an unmarked notice: ACM's
    permission block, "Submitted to …", "Preprint submitted to …" read as body text, inside a sentence)."""
    group: list[_Line] = []
    for line in sorted(lines, key=lambda ln: ln.top, reverse=True):
        if line.size > body_size - 0.6 or line.top < 0.5 * page.height or len(line.cells) > 1:
            break
        if group and group[-1].top - line.bottom > 2.0 * (line.bottom - line.top):
            break
        group.append(line)
    group.reverse()
    notice: list[_Line] = []
    while group and not _FOOTNOTE_MARK.match(group[0].text):
        notice.append(group.pop(0))
    if runs_on and notice:
        # The last note goes on here: below it, or beside it when it runs across the page (its rows then split at the
        # gutter, read row by row).
        last = page.footnotes[-1]
        rows = [ln.bottom for ln in last]  # bottoms: a note's raised mark lifts its first line's top
        key = {id(ln): (min(rows, key=lambda b: abs(b - ln.bottom)), 1) for ln in notice}
        key.update({id(ln): (ln.bottom, 0) for ln in last})
        for ln in notice:
            if abs(key[id(ln)][0] - ln.bottom) > 1.5:
                key[id(ln)] = (ln.bottom + 1000.0, 1)
        last[:] = sorted(last + notice, key=lambda ln: key[id(ln)])
        in_notice = {id(ln) for ln in notice}
        page.lines = [ln for ln in page.lines if id(ln) not in in_notice]
        notice = []
    if page.index > 0:
        notice = []
    if not group and not notice:
        return
    left = min(ln.x0 for ln in group) if group else 0.0
    indent = group[0].x0 if group else 0.0  # a note's mark may be indented past its wrapped lines (JOSS: 177 pt against 167 pt)
    notes: list[list[_Line]] = [notice] if notice else []
    for line in group:
        starts = _FOOTNOTE_MARK.match(line.text) and (line.x0 <= left + 2 or abs(line.x0 - indent) <= 2)
        if not notes or starts or abs(line.size - notes[-1][-1].size) > 0.6:
            notes.append([line])
        else:
            notes[-1].append(line)
    page.footnotes = sorted(page.footnotes + notes, key=lambda note: (note[0].x0 > page.width / 2, note[0].top))
    in_notes = {id(ln) for note in notes for ln in note}
    page.lines = [ln for ln in page.lines if id(ln) not in in_notes]
    markers = {m.group(0) for note in notes if (m := _FOOTNOTE_MARK.match(note[0].text))}
    for line in page.lines:
        kept: list[_Word] = []
        for word in line.words:
            if _is_marker(word, line) and word.text in markers and kept:
                kept[-1] = replace(kept[-1], x1=word.x1)
            else:
                kept.append(word)
        if len(kept) != len(line.words):
            line.words = kept
            _finish_line(line)


def _is_formula(text: str) -> bool:
    """A display equation's line: a glyph of a private-use font (a word processor's equation editor draws its brackets
    and relation signs so), math symbols for at least a tenth of its characters ("∑ { }"), or three or more tokens of
    which none is a word; never a line with Chinese or Korean. Set larger than the body, it is no heading."""
    marks = [ch for ch in text if not ch.isspace()]
    if any("\ue000" <= ch <= "\uf8ff" for ch in marks):
        return True
    if not marks or any(is_cjk(ch) for ch in marks):
        return False
    if sum(unicodedata.category(ch) == "Sm" or ch in "∑∞" for ch in marks) >= 0.1 * len(marks):
        return True
    # Variables and operators apart, no word: "∑ λ k e λ / k! { q/ p }".
    tokens = text.split()
    return len(tokens) >= 3 and not any(sum(ch.isalpha() for ch in token) >= 3 for token in tokens)


def _is_heading(line: _Line, body_size: float) -> bool:
    """Larger than the body text, or bold and numbered or without closing punctuation; never a contents entry."""
    text = line.text
    letters = sum(ch.isalpha() for ch in text)
    # One letter is an appendix's "A" or "B", or a formula's variable ("q").
    if len(line.cells) > 1 or len(text) > 150 or not letters or (letters == 1 and not text.strip().isupper()) or _is_formula(text):
        return False
    larger = line.size >= body_size * 1.12
    numbered = bool(_NUMBERED_HEADING.match(text))
    if not larger and _CONTENTS_ENTRY.search(text):
        return False
    # A bold run that opens a bulleted item or breaks a word at the line's end is a sentence's emphasis, not a heading.
    emphasis = text[:1] in "•●◦▪■" or text.endswith("-")
    if larger or (line.bold and not emphasis and line.size >= body_size - 0.6 and (numbered or not _SENTENCE_END.search(text))):
        return not text.rstrip().endswith(",")
    # IEEE's section headings are set in small capitals, neither larger nor bold: "II. METHOD", its capitals at the body's
    # size and the rest smaller.
    return bool(_ROMAN_CAPITALS_HEADING.match(text)) and max(w.size for w in line.words) >= body_size - 0.6


def _introduced_item(prev: _Line | None, line: _Line, body_size: float) -> bool:
    """Whether a bold numbered line at the body's size is the first item of a list a paragraph introduces with a colon,
    not a heading: FastAPI's Korean HTTPS page set by LibreOffice, "…널리 쓰이는 방법은 다음과 같습니다:" / "1. 일부 DNS
    레코드 수정." (its words in bold) named the section of the rest of the page (the sixth audit)."""
    return (
        prev is not None
        and prev.page == line.page
        and line.top > prev.top
        and prev.text.rstrip().endswith((":", "："))
        and line.size < body_size * 1.12
        and bool(_LIST_ITEM.match(line.text))
    )


def _blocks(pages: list[_Page], body_size: float) -> tuple[list[_Block], str]:
    """Headings, paragraphs, tables and footnotes in reading order; and the largest text on page one."""
    extra = _extra_leading(pages, body_size)
    blocks: list[_Block] = []
    title = ""
    first = pages[0].lines if pages else []
    if first:
        biggest = max(ln.size for ln in first)
        title_lines = [ln for ln in first if ln.size == biggest and ln.top < 0.5 * pages[0].height]
        if title_lines and biggest >= body_size * 1.25:
            title = " ".join(ln.text for ln in title_lines)
            blocks.append(_Block("title", title_lines))
    if blocks and first:
        byline: list[_Line] = []
        in_title = {id(ln) for ln in blocks[0].lines}
        body_like = _body_line_test([ln for ln in first if id(ln) not in in_title], body_size)
        for line in first:
            if id(line) in in_title:
                continue
            if _OPENING.match(line.text) or _NUMBERED_HEADING.match(line.text) or body_like(line) or len(byline) >= 8:
                break
            byline.append(line)
        if len(byline) < 8:
            blocks.append(_Block("front", byline))
    title_ids = {id(ln) for b in blocks for ln in b.lines}
    pending_notes: list[list[_Line]] = []
    open_block: _Block | None = None
    last_rights: dict[int, float] = {}  # the right edges of the last page's lines

    def close() -> None:
        nonlocal open_block
        open_block = None
        while pending_notes:
            blocks.append(_Block("footnote", pending_notes.pop(0)))

    for page in pages:
        # The right edge of the text a line belongs to: the farthest end among the lines stacked with it (its column).
        rights = {id(ln): max(o.x1 for o in page.lines if o.x0 < ln.x1 and ln.x0 < o.x1) for ln in page.lines}
        lefts = {id(ln): min(o.x0 for o in page.lines if o.x0 < ln.x1 and ln.x0 < o.x1) for ln in page.lines}
        # Running text set across the measure is no row of a table, even when a long URL or word stretched its gaps past
        # the cell gap: it neither opens a table nor goes on with one (a table took every line after such a line).
        running = [ln for ln in page.lines if _fills_measure(ln, lefts[id(ln)], rights[id(ln)]) and _reads_as_sentence(ln)]
        prose = {id(ln) for ln in running if _evenly_spread(ln) or (_one_wide_gap(ln) and not _is_table_row(ln, page.lines))}
        for line in running:
            if id(line) in prose and len(line.cells) > 1:
                _as_one_cell(line)
        for line in page.lines:
            if id(line) in title_ids:
                continue
            right = rights[id(line)]
            prev = open_block.lines[-1] if open_block else None
            if _is_heading(line, body_size) and not _introduced_item(prev, line, body_size):
                if (
                    open_block
                    and open_block.kind == "heading"
                    and prev
                    and prev.page == line.page
                    and line.top - prev.bottom < line.size
                    and abs(prev.size - line.size) < 0.6
                ):
                    open_block.lines.append(line)
                    continue
                close()
                open_block = _Block("heading", [line])
                blocks.append(open_block)
                continue
            if len(line.cells) > 1 or (
                open_block
                and open_block.kind == "table"
                and prev
                and line.top - prev.bottom < 1.2 * line.size + extra
                and line.page == prev.page
                and id(line) not in prose
            ):
                if not (open_block and open_block.kind == "table"):
                    close()
                    open_block = _Block("table", [])
                    blocks.append(open_block)
                open_block.lines.append(line)
                continue
            if line.mono and (
                open_block is None
                or prev is None
                or open_block.kind not in {"prose", "list"}
                or _starts_paragraph(prev, line, right, extra)
            ):
                if not (open_block and open_block.kind == "code"):
                    close()
                    open_block = _Block("code", [])
                    blocks.append(open_block)
                open_block.lines.append(line)
                continue
            run_in = prev is not None and open_block is not None and open_block.kind == "prose" and _continues_enumeration(prev, line)
            if (_LIST_ITEM.match(line.text) or line.bullet) and not run_in:
                if not (open_block and open_block.kind == "list" and prev and line.top - prev.bottom < 1.2 * line.size + extra):
                    close()
                    open_block = _Block("list", [])
                    blocks.append(open_block)
                open_block.items.add(len(open_block.lines))
                open_block.lines.append(line)
                continue
            if open_block and open_block.kind == "list" and prev and line.page == prev.page:
                item = open_block.lines[max(open_block.items)]
                if (
                    line.x0 > item.x0 - 2
                    and line.top - prev.bottom < 0.7 * line.size + extra
                    and not _leaves_list(item, prev, line, rights[id(prev)])
                ) or _wraps_item(prev, line, rights[id(prev)], extra):
                    open_block.lines.append(line)
                    continue
            if open_block and open_block.kind == "list" and prev and line.page != prev.page and _item_goes_on(prev, line, last_rights):
                # An item's sentence running off the page goes on at the top of the next, as a paragraph's does.
                open_block.lines.append(line)
                continue
            if (
                open_block is None
                or open_block.kind != "prose"
                or prev is None
                or _starts_paragraph(prev, line, right, extra)
                or _ends_hanging_indent(open_block.lines, line)
            ):
                close()
                open_block = _Block("prose", [line])
                blocks.append(open_block)
            else:
                open_block.lines.append(line)
        pending_notes.extend(page.footnotes)
        # A paragraph, a list item or a code listing may go on over the page (a listing continues if the next page begins
        # in code, an item if the next page begins with the rest of its sentence).
        if (
            open_block is None
            or open_block.kind not in {"prose", "code", "list"}
            or (open_block.kind in {"prose", "list"} and _SENTENCE_END.search(open_block.lines[-1].text))
        ):
            close()
        last_rights = rights
    close()
    out: list[_Block] = []
    loose: _Block | None = None  # the last paragraph of a "table" read back as prose, if it ended no sentence
    for block in blocks:
        parts = _untable(block)
        if len(parts) == 1 and parts[0].kind == "table":
            parts = _prose_after_table(block, extra)
        if loose is not None and block.kind == "prose" and _goes_on_after(loose, block):
            loose.lines.extend(block.lines)  # its sentence goes on in the paragraph after it ("…then vari-" | "ation is…")
            loose = None
            continue
        out.extend(parts)
        loose = parts[-1] if parts and parts[-1] is not block and parts[-1].kind == "prose" else None
    return out, title


def _goes_on_after(loose: _Block, block: _Block) -> bool:
    """Whether a paragraph goes on with the prose of the paragraph before it: on the same page, its last line in the
    same type (past a row of sub- or superscripts under it) ending in a word, a comma or a hyphen, and a lower-case word
    with more of the sentence after it. A table's row in smaller type is no sentence that goes on."""
    first = block.lines[0]
    same = [ln for ln in loose.lines if abs(ln.size - first.size) <= 0.75]
    if not same or same[-1].page != first.page:
        return False
    last = same[-1].text
    return (last[-1:].isalpha() or last[-1:] in {",", "-"}) and bool(_GOES_ON.match(first.text))


_RUNS_ON = re.compile(r"[A-Za-z][A-Za-z,]?$")  # a line ending in a word or a comma: the sentence goes on
_GOES_ON = re.compile(r"^[a-z]{2,}\b(?:\S*\s+\S+){3}")  # a lower-case word, and more of the sentence after it


def _rejoined_across_floats(blocks: list[_Block]) -> list[_Block]:
    """A paragraph that runs off the foot of a page or column without ending its sentence goes on after what the next
    page or column sets above it (a table or figure floated to its top, their captions, a running header): the first
    paragraph there that starts in lower case is its continuation ("…are designed to" | table | "handle large-scale
    knowledge graphs…"; "…a high level conceptualization of a number" | "Figure 2: …" | "of viewpoints…")."""
    out = list(blocks)
    for i, block in enumerate(out):
        if block.kind != "prose" or len(block.lines) < 2 or not _RUNS_ON.search(block.lines[-1].text):
            continue
        last = block.lines[-1]
        for j in range(i + 1, min(len(out), i + 8)):
            other = out[j]
            if not other.lines or other.kind in {"table", "footnote"}:
                continue
            first = other.lines[0]
            # The next page, or the next column of this one (a block that starts higher up on the same page).
            if other.kind != "prose" or not (first.page == last.page + 1 or (first.page == last.page and first.top < last.top)):
                break
            if _GOES_ON.match(first.text):
                block.lines.extend(other.lines)
                del out[j]
                break
            if len(other.lines) > 1 and not CAPTION.match(first.text):
                break  # body text of the new page: the sentence did not go on
    return out


# Dot leaders (to a page number, which may stand apart in its own column): an entry of a table of contents, or of a
# list of figures or tables. The dots may be full stops, middle dots, or the dot operator "⋅" (U+22C5) that unicode-math
# fonts (XITS, as ucasthesis sets its contents) draw for \cdot leaders.
_LEADERS = re.compile(r"(?:\.\s?){5,}|(?:[·⋅∙]\s?){5,}|…{3,}")
_CONTENTS_HEADING = re.compile(
    r"(?i)^\s*(?:table\s+of\s+contents|contents|list\s+of\s+(?:figures|tables|algorithms)|目\s*[录錄次]|"
    r"(?:插\s*图|插\s*圖|表\s*格|图|圖|表)\s*(?:索\s*引|目\s*[录錄]|清\s*[单單])|목\s*차|차\s*례|(?:그림|표)\s*목\s*차)\s*$"
)
_ENDS_IN_PAGE_NUMBER = re.compile(r"(?i)\s(?:\d{1,4}|[ivxlc]{1,7})$")


def _block_plain_text(block: _Block) -> str:
    return " ".join(line.text.strip() for line in block.lines)


def _is_contents(block: _Block) -> bool:
    """Most of the block's lines lead with dots to a page number, or some do and nearly all end in a page number
    (chapter entries are set without leaders): contents, not text."""
    if block.kind not in {"prose", "list", "table"} or not block.lines:
        return False
    leaders = sum(bool(_LEADERS.search(line.text)) for line in block.lines)
    numbered = sum(bool(_ENDS_IN_PAGE_NUMBER.search(line.text.strip())) for line in block.lines)
    return leaders >= 0.5 * len(block.lines) or (leaders >= 0.25 * len(block.lines) and numbered >= 0.8 * len(block.lines))


def _is_contents_entry(block: _Block) -> bool:
    """Under a contents heading: dot leaders, lines ending in page numbers, or short lines ("摘要", "插图索引"; a body
    line runs to the full width)."""
    if _is_contents(block):
        return True
    lines = [line.text.strip() for line in block.lines]
    return all(_ENDS_IN_PAGE_NUMBER.search(text) for text in lines) or all(display_width(text) <= 50 for text in lines)


def _without_contents(blocks: list[_Block]) -> list[_Block]:
    """The blocks without the tables of contents and lists of figures and tables. They point at the document's headings
    and pages and answer nothing; their entries were quoted as answers, two-column contents as table rows ("3.1 |
    模板的组成 . . . . . | 4 | 4.8.1 参考文献 . . . . | 16"). Dot leaders mark an entry wherever it stands; under a
    contents heading ("目录", "Contents", "목차", "插图索引") entries without leaders go too, up to the first block that
    reads as text."""
    kept: list[_Block] = []
    in_contents = False
    for block in blocks:
        if block.kind == "footnote":  # a page's notes, set out of the flow, end no contents
            kept.append(block)
            continue
        if block.kind == "heading":
            if _LEADERS.search(_block_plain_text(block)):  # an entry set as large as a heading (OpenChain's Korean leaflet)
                continue
            in_contents = bool(_CONTENTS_HEADING.match(_block_plain_text(block)))
            if in_contents:
                continue
        elif _is_contents(block) or (in_contents and block.kind in {"prose", "list", "table"} and _is_contents_entry(block)):
            continue
        else:
            in_contents = False
        kept.append(block)
    return kept


def _fills_measure(line: _Line, left: float, right: float) -> bool:
    """A line across the full measure of its text: from its left edge (or a paragraph's indent) to its right edge."""
    return line.x0 - left <= 3.0 * line.size and line.x1 >= right - 2.0


def _reads_as_sentence(line: _Line) -> bool:
    """Running text: mostly letters, several words, one of them a lower-case word ("and", "the"), as a sentence has."""
    text = line.text.replace(CELL_SEPARATOR, " ")
    chars = text.replace(" ", "")
    words = text.split()
    return (
        len(words) >= 4
        and sum(ch.isalpha() for ch in chars) >= 0.6 * len(chars)
        and any(len(word) >= 2 and word.isalpha() and word.islower() for word in words)
    )


_PLAIN_WORD = re.compile(r"^[(\[“‘\"']?[^\W\d_]+(?:[-’'][^\W\d_]+)*[-)\]”’\"',.;:!?]*$")


def _evenly_spread(line: _Line) -> bool:
    """Whether a line's word gaps are all alike: a justified line stretched evenly (a long URL or word left too few
    spaces to take up the measure: "The  molecular  interconversion  software  programs  Inter-", 22 pt each). The gaps
    between plain words set the measure; a gap after a sentence's punctuation may be wider (TeX stretches it more), and
    one beside a formula or a number narrower or wider (math spacing), but never twice as wide: no column's gap."""
    gaps = [(a, b, b.x0 - a.x1) for a, b in zip(line.words, line.words[1:]) if b.x0 - a.x1 > _SPACE_RATIO * line.size]
    plain = [gap for a, b, gap in gaps if _PLAIN_WORD.match(a.text) and _PLAIN_WORD.match(b.text) and not _SENTENCE_END.search(a.text)]
    if len(plain) < 2:  # few plain words ("Mol  (https://github.com/…)  and  ParmEd"): all the gaps
        plain = [gap for a, _, gap in gaps if not _SENTENCE_END.search(a.text)]
    if len(plain) < 2 or max(plain) - min(plain) > max(0.5, 0.1 * max(plain)):
        return False
    for a, _, gap in gaps:
        punctuated = bool(_SENTENCE_END.search(a.text)) or a.text.endswith(",")
        if gap < min(plain) - 0.5 and punctuated or gap > 2 * max(plain) and not punctuated:
            return False
    return True


def _one_wide_gap(line: _Line) -> bool:
    """Whether a line is split in two cells by one wide gap, its other gaps word spaces (at most twice the usual one): a
    justified line with one stretched gap, where a table's row of text has a gap at each of its columns."""
    gaps = sorted(b.x0 - a.x1 for a, b in zip(line.words, line.words[1:]) if b.x0 - a.x1 > _SPACE_RATIO * line.size)
    return len(line.cells) == 2 and len(gaps) >= 2 and gaps[-2] <= 2 * statistics.median(gaps[:-1])


def _boundaries(line: _Line) -> tuple[list[float], list[float], list[float]]:
    """Where a line's cells start (all but the first), end (all but the last) and centre (all but the ends)."""
    cells = _cell_words(line)
    starts = [cell[0].x0 for cell in cells[1:]]
    ends = [cell[-1].x1 for cell in cells[:-1]]
    centres = [(cell[0].x0 + cell[-1].x1) / 2 for cell in cells[1:-1]]
    return starts, ends, centres


def _aligned(a: _Line, b: _Line) -> bool:
    """Whether two lines of cells agree on a column: a cell of one starts, ends or centres where one of the other does."""
    pairs = zip(_boundaries(a), _boundaries(b))
    return any(abs(x - y) <= 2.0 for mine, theirs in pairs for x in mine for y in theirs)


def _is_table_row(line: _Line, lines: list[_Line]) -> bool:
    """Whether a line of cells is a row of a table: a line of cells near it (within eight lines: a table's cells wrap)
    agrees with it on a column. A table's rows share their columns; a justified line that one wide gap split shares
    them with no other line."""
    return any(
        other is not line
        and len(other.cells) > 1
        and other.page == line.page
        and abs(other.top - line.top) <= 8 * line.size
        and other.x0 < line.x1
        and line.x0 < other.x1
        and _aligned(line, other)
        for other in lines
    )


def _as_one_cell(line: _Line) -> None:
    line.cells = [" ".join(line.cells)]
    line.text = line.cells[0]


def _untable(block: _Block) -> list[_Block]:
    """A "table" with one line of cells is justified text with one wide word gap (a reference entry): prose again,
    one paragraph per entry where the lines hang."""
    if block.kind != "table" or sum(len(ln.cells) > 1 for ln in block.lines) >= 2:
        return [block]
    parts: list[_Block] = []
    for line in block.lines:
        if len(line.cells) > 1:
            _as_one_cell(line)
        if parts and not _ends_hanging_indent(parts[-1].lines, line):
            parts[-1].lines.append(line)
        else:
            parts.append(_Block("prose", [line]))
    return parts


def _prose_after_table(block: _Block, extra: float) -> list[_Block]:
    """A table, and the paragraphs under it that it took in as lines of one cell: past its last row of cells, lines
    that start back at (or left of) the table's left edge, one of them running text (`_reads_as_prose`) reaching over
    the start of the second column, which no cell of the first column can (LibreOffice's FastAPI metadata table took the three short paragraphs under it: "license_info |
    dict | …" / "你可以這樣設定它們：" / "你可以在 description 欄位中撰寫 Markdown…", the sixth audit). They are paragraphs
    again, parted where a paragraph starts (`_starts_paragraph`)."""
    columns = _table_columns(block.lines)
    # A row: cells apart by a cell gap, or by a narrower one on a column (`_table_row`), unless the line is running text.
    rows = [
        i
        for i, ln in enumerate(block.lines)
        if len(ln.cells) > 1 or (CELL_SEPARATOR in _table_row(ln, columns) and not _reads_as_prose(ln))
    ]
    if not rows or len(columns.starts) < 2:
        return [block]
    left, second = columns.starts[0], columns.starts[1]
    cut = len(block.lines)
    while cut - 1 > rows[-1] and block.lines[cut - 1].x0 <= left + 2:
        cut -= 1
    after = block.lines[cut:]
    if not any(ln.x1 > second + ln.size and _reads_as_prose(ln) for ln in after):
        return [block]
    right = max(ln.x1 for ln in after)
    parts = [_Block("table", block.lines[:cut]), _Block("prose", [after[0]])]
    for prev, line in zip(after, after[1:]):
        if _starts_paragraph(prev, line, right, extra):
            parts.append(_Block("prose", [line]))
        else:
            parts[-1].lines.append(line)
    return parts


def _reads_as_prose(line: _Line) -> bool:
    """Running text in any script: a sentence's words (`_reads_as_sentence`), or ten Chinese or Korean characters."""
    return _reads_as_sentence(line) or sum(is_cjk(ch) for ch in line.text) >= 10


def _ends_hanging_indent(lines: list[_Line], line: _Line) -> bool:
    """A line back at the first line's start after indented ones: the next entry of a list set with a hanging indent
    (works cited), also at the top of the next page (an entry ending in a DOI ends no sentence, and went on with the
    next page's entries). A paragraph whose first line is indented returns to the left on its second line, not to the
    first."""
    first, prev = lines[0], lines[-1]
    return (
        len(lines) >= 2
        and ((line.page == prev.page and line.top > prev.top) or line.page == prev.page + 1)
        and abs(line.x0 - first.x0) <= 2
        and all(ln.x0 >= first.x0 + 0.8 * line.size for ln in lines[1:])
    ) or _outdented(lines, line)


def _outdented(lines: list[_Line], line: _Line) -> bool:
    """A line starting left of a paragraph whose lines all start at one indent: the next entry of works cited set with a
    hanging indent, when the entry before began a paragraph of its own at a line ending in a colon ("… Finding structure
    with randomness:" | "Probabilistic algorithms …" | "Li, Z., …"). A paragraph's own lines never start left of its
    second line. Only the paragraph's lines on the line's page count: one that went on from the page before may hold the
    indented first line of a paragraph that starts on this one."""
    here = [ln for ln in lines if ln.page == line.page]
    # Its lines but the last run to the right edge: not a short paragraph and the first line of the next, indented.
    right = max((ln.x1 for ln in here), default=0.0)
    return (
        len(here) >= 2
        and all(ln.x1 >= right - line.size for ln in here[:-1])
        and line.top > here[-1].top
        and max(ln.x0 for ln in here) - min(ln.x0 for ln in here) <= 2
        and line.x0 <= min(ln.x0 for ln in here) - 0.8 * line.size
    )


def _extra_leading(pages: list[_Page], body_size: float) -> float:
    """How much wider than single spacing the body's lines are set: 0 for single spacing; for a thesis or a manuscript
    set one-and-a-half or double spaced, the extra gap, which every distance that separates paragraphs must add (each
    line of "This thesis is proudly processed with Pandoc, a sophisticated document" / "converter made by John
    MacFarlane." was a paragraph of its own)."""
    gaps = [
        line.top - prev.bottom
        for page in pages
        for prev, line in zip(page.lines, page.lines[1:])
        if abs(prev.size - body_size) <= 0.6
        and abs(line.size - body_size) <= 0.6
        and prev.x0 < line.x1
        and line.x0 < prev.x1
        and 0 < line.top - prev.bottom < 2.5 * body_size
    ]
    if len(gaps) < 10:
        return 0.0
    # The lower quartile: the gap inside paragraphs, not the wider one between them or between the points of a slide.
    leading = sorted(gaps)[len(gaps) // 4]
    return leading - 0.2 * body_size if leading > 0.5 * body_size else 0.0


_ENUMERATION_MARK = re.compile(r"^\(([0-9]{1,2}|[a-z])\)\s")


def _continues_enumeration(prev: _Line, line: _Line) -> bool:
    """Whether a line starting "(2)" or "(b)" goes on with an enumeration run into the sentence of the line before
    ("…operations include (1) the addition of nodes," / "(2) item review…"): that line names "(1)" or "(a)" past its
    start and ends no sentence. A list item would start its own line after a colon or a full stop."""
    mark = _ENUMERATION_MARK.match(line.text)
    if mark is None or line.page != prev.page or _SENTENCE_END.search(prev.text):
        return False
    label = mark.group(1)
    before = str(int(label) - 1) if label.isdigit() else chr(ord(label) - 1)
    return f"({before})" in prev.text[1:]


def _item_goes_on(prev: _Line, line: _Line, rights: dict[int, float]) -> bool:
    """Whether `line`, first on its page, goes on with the list item `prev` ended the last page with (a list stays open
    over a page only where its last line ends no sentence): in the same type, a lower-case start, or any start after a
    line the item was wrapped at (`_wrapped`: Chinese has no lower case, and "…根据英文学位名称如" | "Bachelor，Master…"
    is one item over the page). `rights` holds the right edges of the last page's lines."""
    if abs(prev.size - line.size) > 0.75:
        return False
    return line.text[:1].islower() or (id(prev) in rights and _wrapped(prev, line, rights[id(prev)]))


def _wrapped(prev: _Line, line: _Line, right: float) -> bool:
    """Whether `prev` ends where it does because the start of `line` did not fit after it: it comes within the width of
    `line`'s first word (and half a space) of the right edge of its text. Chinese and Japanese lines break after any
    character, so before one of those only its first character counts. A list item's or a paragraph's short last line
    leaves room for it."""
    first = line.words[0]
    width = first.x1 - first.x0
    if is_cjk(first.text[0]):
        width /= len(first.text)
    return prev.x1 + width + 0.5 * line.size >= right


def _wraps_item(prev: _Line, line: _Line, right: float, extra: float = 0.0) -> bool:
    """Whether `line`, starting left of the list item `prev` belongs to, is the item's wrapped line: a hanging layout
    sets an item's mark at the paragraph indent and wraps its text back to the margin ("2. 获取模板：下载 ucasthesis 模板并
    解压。ucasthesis 模板不仅提供了相应的" | "类文件，同时也提供了…"). It goes on where `prev` ends no sentence and was wrapped
    (`_wrapped`), below it in the same column, and is no new paragraph by `_starts_paragraph` (size, gap, list mark). A
    line at the margin after an item that ends a sentence, or after a short one, starts a paragraph under the list."""
    return (
        line.top > prev.top
        and line.x0 < prev.x1
        and prev.x0 < line.x1
        and not _SENTENCE_END.search(prev.text)
        and _wrapped(prev, line, right)
        and not _starts_paragraph(prev, line, right, extra)
    )


def _leaves_list(item: _Line, prev: _Line, line: _Line, right: float) -> bool:
    """Whether `line` starts a paragraph under a list rather than going on with its last item: it starts back at the
    item's mark ("4." at the margin), left of where the item's text starts after the mark, as its own wrapped lines do,
    after a sentence's end ("…is a 4-layer," joined item 4 of a list in the subleq paper; the first audit's N4) or
    under an item of one line that was not wrapped (`_wrapped`): a word processor's last item "3. X-Forwarded-Host"
    ran into the paragraph under it, "X-Forwarded-Host然而，因為應用伺服器…" (the sixth audit). A short line further down
    an item may be a break the item was set with (ucasthesis's "…最为通用的\\chapter{item name}" | "来显式实现的"), so
    it goes on there as before."""
    start = _item_text_start(item)
    if start is None or line.x0 >= start - 0.8 * line.size:
        return False
    return bool(_SENTENCE_END.search(prev.text)) or (prev is item and not _wrapped(prev, line, right))


def _item_text_start(item: _Line) -> float | None:
    """Where a list item's text starts after its mark: the next word after a mark of its own ("4." | "The"); inside the
    word the mark ends in, by its share of the word's characters, where the mark is set in another face than its text and
    split over words ("2" | "）索引第一行", a full-width mark with no space after it). None for a drawn bullet or no mark."""
    if len(item.words) < 2 or item.bullet or not _LIST_ITEM.match(item.text):
        return None
    mark = _ITEM_MARK.match(item.text)
    if mark is None:
        return None
    left = len(mark.group(0))
    for index, word in enumerate(item.words):
        if left < len(word.text):
            return word.x0 + (word.x1 - word.x0) * left / len(word.text)
        left -= len(word.text)
        if left == 0 and index + 1 < len(item.words):
            return item.words[index + 1].x0
    return None


def _starts_paragraph(prev: _Line, line: _Line, right: float, extra: float = 0.0) -> bool:
    """Whether `line` begins a new paragraph after `prev` (gap, indent, size, a short last line, a list item)."""
    if abs(prev.size - line.size) > 0.75 or line.bullet or (_LIST_ITEM.match(line.text) and not _continues_enumeration(prev, line)):
        return True
    if line.page != prev.page or line.top < prev.top:
        # Next page or column: a paragraph continues unless the previous line ended a sentence.
        return bool(_SENTENCE_END.search(prev.text)) and not line.text[:1].islower()
    if line.top - prev.bottom > 0.7 * line.size + extra:
        return True
    if not _SENTENCE_END.search(prev.text) or not any(ch.isalnum() for ch in line.text):
        return False  # a line of marks alone is no paragraph: an end-of-proof sign set at the right ("◁")
    if line.x0 > prev.x0 + 0.8 * line.size:
        return True
    first_word = line.words[0]
    return prev.x1 + (first_word.x1 - first_word.x0) + 0.5 * line.size < right


def _hyphens(pages: list[_Page], language: str) -> LineEndHyphens:
    """The document's words and compounds, and its language's word list, to decide line-end hyphens."""
    lines = (ln.text for page in pages for ln in page.lines + [ln for note in page.footnotes for ln in note])
    return LineEndHyphens.of(lines, language)


# The end of a URL that goes on past a line end: a URL broken by the url package gets no space (nor a hyphen).
_URL_AT_END = re.compile(r"(?:https?://|www\.)\S*$")
_URL_JOINER = "/.-_~?#=&%:+"


def _continues_url(left: str, right: str) -> bool:
    """Whether `left` ends inside a URL that `right` goes on with ("https://github." / "com/ACSoupir/…").

    The next line goes on with the URL when it starts with a URL's joining mark, or when the URL stops at one and the
    next word is itself URL-like (a path, a host, a query: "forum?id=…", "978-3-031…"); a plain word after a URL
    ending in "/" or "." ("…/styles/" / "archived at") is the sentence going on, so it keeps its space.
    """
    match = _URL_AT_END.search(left)
    if not match or not right or right[0].isspace():
        return False
    url, first = match.group(0), right.split(None, 1)[0]
    core = first.rstrip(".,;:)]}>\"'”’")
    if first[0] in "/?#=&%~":
        return True
    if url.endswith(tuple(_URL_JOINER)) and not url.endswith("."):
        return bool(re.search(r"[/.?#=&%~_\d-]", core))
    return url.endswith(".") and core[:1].isalnum() and bool(re.search(r"[/?#=&%~]|\.\w", core))


@dataclass(frozen=True)
class _LineJoining:
    """What decides how a document's lines join: its line-end hyphens, and whether it breaks Korean lines inside words."""

    hyphens: LineEndHyphens
    # Whether a Korean word may be broken anywhere at a line end (read by Kiwi across the break), or only where the next
    # line opens with a particle, an ending or a suffix, as in text wrapped between words.
    korean_inside_words: bool = True


# A document breaks Korean lines between syllables when this many of its Korean line breaks, and this share, put a
# particle, an ending or a suffix at the start of a line: a document wrapped between words has none.
_INSIDE_WORD_BREAKS = 2
_INSIDE_WORD_SHARE = 0.02


def _breaks_korean_words(pages: list[_Page]) -> bool:
    """Whether the document breaks Korean lines inside words (ko.TeX, Typst, justified word processors) rather than
    between them. Kiwi reads a compound across a space too (OpenChain's leaflet, wrapped between words, read "장치 /
    드라이버" as 장치드라이버 and 17 more such), so a morpheme across the break joins only in a document that shows
    breaks before a particle or an ending ("금속성에" / "서")."""
    korean = inside = 0
    for page in pages:
        for prev, line in zip(page.lines, page.lines[1:], strict=False):
            left, right = prev.text, line.text
            if left and right and is_hangul_syllable(left[-1]) and is_hangul_syllable(right[0]):
                korean += 1
                inside += breaks_inside_word(left, right, anywhere=False)
    return inside >= max(_INSIDE_WORD_BREAKS, _INSIDE_WORD_SHARE * korean)


def _join(left: str, right: str, hyphens: LineEndHyphens, *, korean_inside_words: bool = True) -> str:
    """Join two lines: URLs, discretionary and line-end hyphens and Korean words broken between syllables resolved,
    otherwise by script (join_lines)."""
    if left.endswith("\u00ad"):
        return left[:-1] + right.lstrip()
    if _continues_url(left, right):
        return left + right
    if left.endswith("-") and len(left) > 1 and left[-2].isalpha() and right[:1].islower():
        head = _WORD.findall(left[:-1])
        tail = _WORD.match(right)
        if head and tail and hyphens.is_soft(head[-1], tail.group(0)):
            return left[:-1] + right
        return left + right
    if left[-1:].isalpha() and right[:1].islower():
        head = _WORD.findall(left)
        tail = _WORD.match(right)
        if head and tail and hyphens.is_unmarked_break(head[-1], tail.group(0)):
            log.debug("joined a word broken without a hyphen: %s|%s", head[-1], tail.group(0))
            return left + right
    if breaks_inside_word(left, right, anywhere=korean_inside_words):
        return left + right
    return join_lines(left, right)


# A short heading set letter by letter ("초 록", "핵 심 낱 말", "目 录", "参 考 文 献"): every word of it one Hangul syllable
# or one Chinese character. Korean and Chinese theses space their front-matter headings out so; the heading names the
# section in every citation, and is read as written (초록, 目录).
_LETTER_SPACED_HEADING = re.compile(r"(?:[\uac00-\ud7a3\u4e00-\u9fff] ){1,7}[\uac00-\ud7a3\u4e00-\u9fff]")


def _unspaced_heading(text: str) -> str:
    return text.replace(" ", "") if _LETTER_SPACED_HEADING.fullmatch(text) else text


def _soft_hyphens(text: str) -> str:
    """A soft hyphen left inside a line is what the page shows as a hyphen (Google Docs exports)."""
    return text.replace("\u00ad", "-")


@dataclass(frozen=True)
class _Columns:
    """Where a table's cells start, and the right edges (with the leftmost start) of its right-aligned columns."""

    starts: list[float]
    right_aligned: list[tuple[float, float]]


def _table_columns(lines: list[_Line]) -> _Columns:
    """A table's columns from the rows with the most cells: their cell starts, and the columns set flush right.

    A column of numbers is aligned on the right, so its cells start where their widths put them ("8.35s" at 343,
    "413.15s" at 333): a cell of it is found by its right edge, which all the rows share.
    """
    rows = [cells for ln in lines if len(cells := _cell_words(ln)) > 1]
    widest = max((len(cells) for cells in rows), default=0)
    full = [cells for cells in rows if len(cells) == widest]
    starts: list[float] = []
    for x in sorted(min(w.x0 for w in cell) for cells in full for cell in cells):
        if not starts or x - starts[-1] > 6:
            starts.append(x)
    right_aligned = []
    if len(full) >= 3:
        for j in range(1, widest):
            ends = [max(w.x1 for w in cells[j]) for cells in full]
            if max(ends) - min(ends) <= 2:
                right_aligned.append((statistics.median(ends), min(min(w.x0 for w in cells[j]) for cells in full)))
    return _Columns(starts, right_aligned)


def _table_row(line: _Line, columns: _Columns) -> str:
    """A row's cells, also split where a narrow gap falls on a column start, or before a cell of a right-aligned column."""
    cells: list[list[_Word]] = []
    for cell in _cell_words(line):
        current: list[_Word] = []
        for word in cell:
            if (
                current
                and word.x0 - current[-1].x1 > _SPACE_RATIO * line.size
                and (
                    any(abs(word.x0 - x) <= 3 for x in columns.starts)
                    or any(
                        abs(word.x1 - end) <= 2 and word.x0 >= start - line.size > current[-1].x1 - line.size
                        for end, start in columns.right_aligned
                    )
                )
            ):
                cells.append(current)
                current = []
            current.append(word)
        cells.append(current)
    if len(cells) == len(line.cells):
        return line.text
    parts = []
    for cell in cells:
        row = _Line(cell, line.page)
        _finish_line(row)
        parts.append(row.text)
    return CELL_SEPARATOR.join(parts)


def _page_numbers(data: bytes, count: int, first_page: int | None) -> list[int | None]:
    """Printed page numbers from the PDF's /PageLabels when they are numbers, else first_page (or 1) onwards."""
    start = first_page or 1
    fallback: list[int | None] = [start + i for i in range(count)]
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        root = reader.trailer["/Root"]
        if "/PageLabels" not in root:  # type: ignore[operator]  # pypdf types trailer entries as PdfObject; /Root is a dictionary
            return fallback
        labels = list(reader.page_labels)
    except Exception as exc:  # labels are a nicety: a PDF pdfminer reads but pypdf does not still loads
        log.debug("page labels unreadable: %s", exc)
        return fallback
    if len(labels) != count or not any(label.isdigit() for label in labels):
        return fallback
    return [int(label) if label.isdigit() else None for label in labels]


def _assemble(
    meta: DocumentMeta, blocks: list[_Block], labels: list[int | None], joining: _LineJoining, content_hash: str
) -> CleanDocument:
    """Lay the blocks out as one text (blank line between) with offsets, sections and pages."""
    pieces: list[str] = []
    paragraphs: list[Paragraph] = []
    headings: list[str] = []
    section = ""
    offset = 0
    for block in blocks:
        text, breaks = _block_text(block, labels, joining)
        if not text:
            continue
        if pieces:
            offset += len(PARAGRAPH_BREAK)
        start = offset
        pieces.append(text)
        offset += len(text)
        if block.kind == "heading":
            section = text
            headings.append(text)
            continue
        pages = [labels[ln.page] for ln in block.lines]
        paragraphs.append(
            Paragraph(
                number=len(paragraphs) + 1,
                text=text,
                start=start,
                end=offset,
                section=section,
                page_start=pages[0],
                page_end=pages[-1],
                page_breaks=tuple((start + at, page) for at, page in breaks),
                kind={"list": "prose"}.get(block.kind, block.kind),
            )
        )
    return CleanDocument(
        meta=meta, text=PARAGRAPH_BREAK.join(pieces), paragraphs=tuple(paragraphs), headings=tuple(headings), content_hash=content_hash
    )


def _block_text(block: _Block, labels: list[int | None], joining: _LineJoining) -> tuple[str, list[tuple[int, int]]]:
    """A block's text (lines joined; table rows and headings kept apart) and where its pages change."""
    text = ""
    breaks: list[tuple[int, int]] = []
    page = block.lines[0].page if block.lines else 0
    columns = _table_columns(block.lines) if block.kind == "table" else _Columns([], [])
    for index, line in enumerate(block.lines):
        part = line.text.strip()
        if not text:
            text = _table_row(line, columns) if block.kind == "table" else part
        elif block.kind == "table":
            part = _table_row(line, columns)
            text = f"{text}\n{part}"
        elif block.kind == "code" or index in block.items:
            text = f"{text}\n{part}"
        elif block.kind in {"heading", "title"}:
            text = f"{text} {part}"
        elif block.kind == "front":
            text = f"{text}\n{part}"
        else:
            text = _join(text, part, joining.hyphens, korean_inside_words=joining.korean_inside_words)
        if line.page != page:
            number = labels[line.page]
            if number is not None:
                breaks.append((len(text) - len(part), number))
            page = line.page
    if block.kind in {"heading", "title"} and not breaks:
        text = _unspaced_heading(text)
    return _soft_hyphens(text), breaks
