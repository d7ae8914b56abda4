"""Split paragraphs into sentences and pack them into passages of at most 400 characters with stable ids."""

from __future__ import annotations

import hashlib
import re

from index.blocks import CLOSERS, PARAGRAPH_BREAK, is_cjk, section_leaf
from index.models import CleanDocument, Paragraph, Passage

MAX_PASSAGE_CHARS = 400

_ENDS = "。！？．"  # ending a sentence wherever they stand (． is the full-width full stop of some Simplified-Chinese texts)
# "!" and "?" end one unless a Latin letter, a digit, a Hangul syllable or a code or URL character follows at once:
# `panic!`을 (a Korean particle after a Rust macro), panic!("…"), https://example.org/?q=1 are no sentence ends; nor
# does one followed by a comma or a colon, or by a space and a lower-case Latin word, or standing alone between spaces:
# inline code that lost its backticks ("use the ? operator", "(return !, e.g. return or break)", "使用 ? 运算符").
_IN_WORD = r"0-9A-Za-z\uac00-\ud7a3_(=&/`"
_CODE_MARK = rf"(?:[!?](?:[{_IN_WORD},;:]|\s+[a-z])|(?<!\S)[!?](?=\s|$))"
_END = rf"(?:[{_ENDS}]|(?!{_CODE_MARK})[!?])"
_NOT_END = rf"(?:[^{_ENDS}!?]|(?={_CODE_MARK})[!?])"
# A sentence end takes the closing brackets and quotes after it, and a stop after those: "（但是要有耐心！）。".
_SENTENCE = re.compile(rf"{_NOT_END}*{_END}+(?:[{re.escape(CLOSERS)}]+(?:{_END}|\.)*)*|{_NOT_END}+$")
# Korean and English: ".", "?" or "!" (and any closing quote) followed by a space, then anything but a lower-case Latin letter.
# Nor a closing bracket or a comma: "loop { ... }, a diverging function" (code that lost its backticks).
_SPACED_END = re.compile(r"([.!?][\"'”’)\]]*)(\s+)(?=[^\sa-z)\]},;:])")
# A Korean sentence ending (…다. …요. …죠. …까?) runs straight into the next sentence in some texts (machine
# translations: "배웠습니다.이 이론을"); after these syllables a full stop ends the sentence even without a space. Other
# Hangul before a dot is no ending: "주.부.수" (major.minor.patch) stays whole.
_UNSPACED_KOREAN_END = re.compile(r"(?<=[다요죠까])([.!?])(?=[\uac00-\ud7a3A-Z(\[\"“‘'])")
_WORD_BEFORE = re.compile(r"([\w.]*)[.!?][\"'”’)\]]*$")
_ABBREVIATIONS = frozenset(
    {"e.g", "i.e", "mr", "mrs", "ms", "dr", "prof", "st", "vs", "cf", "fig", "no", "vol", "pp", "p", "ch", "sec", "eq", "ed", "jr", "sr"}
)
_CLAUSE = re.compile(r"[^，、；;,]*[，、；;,]+|[^，、；;,]+$")


def _ends_here(text: str, start: int, cut: int) -> bool:
    """Whether a spaced full stop ends a sentence, not an abbreviation, an initial, a list number ("3. "), nor a mark
    standing alone after a space (a dot also after Chinese punctuation): inline code that lost its backticks,
    "矩阵中，`.` 表示可通行", "使用 `?` 运算符"."""
    mark = text[start:cut].rstrip("\"'”’)]")
    before = mark[-2] if len(mark) > 1 else " "
    if before.isspace() or (mark.endswith(".") and is_cjk(before) and not before.isalnum()):
        return False
    word = _WORD_BEFORE.search(text, start, cut)
    token = word.group(1) if word else ""
    if token.lower() in _ABBREVIATIONS or (len(token) == 1 and token.isupper()):
        return False
    return not (token.isdigit() and not text[start : word.start(1)].strip()) if word else True


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence boundaries as (start, end) offsets into `text`; line breaks (list items, table rows) are boundaries too."""
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        for match in _SENTENCE.finditer(text, line_start, line_end):
            start, end = match.span()
            if start == end:
                continue
            sub_start = start
            cuts = [(cut.end(1), cut.end()) for cut in _SPACED_END.finditer(text, start, end)]
            cuts += [(cut.end(), cut.end()) for cut in _UNSPACED_KOREAN_END.finditer(text, start, end)]
            for cut_end, next_start in sorted(cuts):
                if next_start < end and _ends_here(text, sub_start, cut_end):
                    spans.append((sub_start, cut_end))
                    sub_start = next_start
            spans.append((sub_start, end))
        line_start = line_end + 1
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _split_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Cut a span longer than `limit` at clause punctuation, or hard at `limit` if there is none."""
    pieces: list[tuple[int, int]] = []
    cur_start = start
    cur_end = start
    for match in _CLAUSE.finditer(text, start, end):
        m_start, m_end = match.span()
        if m_end - cur_start > limit and cur_end > cur_start:
            pieces.append((cur_start, cur_end))
            cur_start = m_start
        while m_end - cur_start > limit:
            pieces.append((cur_start, cur_start + limit))
            cur_start += limit
        cur_end = m_end
    if cur_end > cur_start:
        pieces.append((cur_start, cur_end))
    return pieces


def line_spans(text: str) -> list[tuple[int, int]]:
    """The non-blank lines of `text` as (start, end) offsets: how a code listing is cut, never at a "?" or "." in it."""
    spans: list[tuple[int, int]] = []
    start = 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((start, start + len(line.rstrip())))
        start += len(line) + 1
    return spans


LEAD_IN_ENDS = (":", "：")


def bind_lead_ins(text: str, spans: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Spans where one ending with a colon (a lead-in: "please contact the following members:", "方法如下：") is joined
    to the span after it, when the two fit in `limit`, so that packing does not cut right after the colon.

    Joined from the last span back: in a chain "A: B: C" the inner lead-in B keeps C when A, B and C do not fit together.
    """
    out: list[tuple[int, int]] = []
    for start, end in reversed(spans):
        if out and text[start:end].rstrip().endswith(LEAD_IN_ENDS) and out[-1][1] - start <= limit:
            out[-1] = (start, out[-1][1])
        else:
            out.append((start, end))
    out.reverse()
    return out


def pack_spans(text: str, spans: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Pack consecutive sentence spans into as few chunks of at most `limit` as possible, evenly sized."""
    units: list[tuple[int, int]] = []
    for s, e in spans:
        units.extend(_split_long(text, s, e, limit) if e - s > limit else [(s, e)])
    if not units:
        return []
    count = len(units)
    if count > MAX_BALANCED_UNITS:
        return _evened_greedily(units, limit)
    total = units[-1][1] - units[0][0]
    for chunks_wanted in range(max(1, -(-total // limit)), count + 1):
        cuts = _balanced_cuts(units, chunks_wanted)
        if cuts is not None and all(e - s <= limit for s, e in cuts):
            return cuts
    return units


# The exact partition below costs parts × units² steps: beyond this many units (a text with no line breaks, or a
# paragraph thousands of sentences long) packing is greedy at the smallest width that needs no more chunks.
MAX_BALANCED_UNITS = 200


def _greedy(units: list[tuple[int, int]], width: int) -> list[tuple[int, int]]:
    """Consecutive units packed into chunks of at most `width` characters (a unit wider than that alone)."""
    chunks: list[tuple[int, int]] = []
    start, end = units[0]
    for s, e in units[1:]:
        if e - start > width:
            chunks.append((start, end))
            start = s
        end = e
    chunks.append((start, end))
    return chunks


def _evened_greedily(units: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """As few chunks of at most `limit` as greedy packing makes, each as short as that number allows: the smallest
    width (found by bisection) at which greedy packing needs no more chunks than at `limit`."""
    wanted = len(_greedy(units, limit))
    low, high = max(e - s for s, e in units), limit
    while low < high:
        middle = (low + high) // 2
        if len(_greedy(units, middle)) <= wanted:
            high = middle
        else:
            low = middle + 1
    return _greedy(units, high)


def _balanced_cuts(units: list[tuple[int, int]], parts: int) -> list[tuple[int, int]] | None:
    """Partition units into `parts` consecutive groups minimising the longest group (small DP)."""
    n = len(units)
    if parts > n:
        return None
    inf = float("inf")
    best = [[inf] * (n + 1) for _ in range(parts + 1)]
    back = [[0] * (n + 1) for _ in range(parts + 1)]
    best[0][0] = 0
    for k in range(1, parts + 1):
        for j in range(k, n + 1):
            for i in range(k - 1, j):
                cost = max(best[k - 1][i], units[j - 1][1] - units[i][0])
                if cost < best[k][j]:
                    best[k][j] = cost
                    back[k][j] = i
    groups: list[tuple[int, int]] = []
    j = n
    for k in range(parts, 0, -1):
        i = back[k][j]
        groups.append((units[i][0], units[j - 1][1]))
        j = i
    return groups[::-1]


def passage_id(doc_id: str, text: str, occurrence: int = 0) -> str:
    """A short id derived from the document and the passage text only, so it survives rebuilds."""
    normalised = re.sub(r"\s+", "", text)
    key = f"{doc_id}\x00{normalised}\x00{occurrence}" if occurrence else f"{doc_id}\x00{normalised}"
    return "p-" + hashlib.blake2b(key.encode("utf-8"), digest_size=6).hexdigest()


# Only prose paragraphs share passages: a code listing, a table, a footnote, an entry of a list of works cited or a
# title stays one passage of its own (or several, when long).
SHARED_KINDS = frozenset({"prose"})
MAX_HEADING_GAP = 200  # the label headings between a sentence heading and the text it leads


def paragraph_groups(doc: CleanDocument, limit: int = MAX_PASSAGE_CHARS) -> list[tuple[Paragraph, ...]]:
    """The document's paragraphs in reading order, consecutive short prose ones of one section and page packed together
    (at most `limit` characters with the blank lines between them, as evenly as `pack_spans` packs sentences).

    A list's items, or a lead sentence and the paragraph it introduces, then share a passage: passages are ranked by
    their best sentence, so the three shown carry the text around it, which a paragraph of one short line did not
    (docs/ingestion.md, "Short paragraphs share a passage"). A paragraph longer than `limit` is cut into sentences alone;
    a passage never spans more pages than its paragraphs did, so its citation's page stays as exact.
    """
    groups: list[tuple[Paragraph, ...]] = []
    run: list[Paragraph] = []

    def flush() -> None:
        if run:
            cuts = pack_spans(doc.text, bind_lead_ins(doc.text, [(p.start, p.end) for p in run], limit), limit)
            for start, end in cuts:
                groups.append(tuple(p for p in run if start <= p.start and p.end <= end))
            run.clear()

    for para in doc.paragraphs:
        # A heading that reads as a sentence or a question is a paragraph of its own section (index/blocks.py): it goes
        # with what follows it even past a label heading under it (an FAQ's question, then "#### When the type is wrong").
        led = bool(run) and run[-1].text == section_leaf(run[-1].section)
        gap = para.start - run[-1].end if run else 0
        joins = (
            run
            and (para.section == run[-1].section or led)
            and (para.page_start, para.page_end) == (run[-1].page_start, run[-1].page_end)
            and (gap == len(PARAGRAPH_BREAK) or (led and 0 < gap <= MAX_HEADING_GAP))
        )
        if not joins:
            flush()
        if len(para.text) <= limit and para.kind in SHARED_KINDS:
            run.append(para)
        else:
            flush()
            groups.append((para,))
    flush()
    return groups


def passages_for(doc: CleanDocument, limit: int = MAX_PASSAGE_CHARS) -> list[Passage]:
    """Every passage of a cleaned document, in reading order, with provenance and stable ids."""
    passages: list[Passage] = []
    seen: dict[str, int] = {}
    for group in paragraph_groups(doc, limit):
        first, last = group[0], group[-1]
        if len(group) > 1:
            pieces = [(first.start, doc.text[first.start : last.end])]
        else:
            spans = line_spans(first.text) if first.kind == "code" else bind_lead_ins(first.text, sentence_spans(first.text), limit)
            pieces = [(first.start + s, first.text[s:e]) for s, e in pack_spans(first.text, spans, limit)]
        for piece_start, raw in pieces:
            text = raw.strip()
            if not text:
                continue
            start = piece_start + len(raw) - len(raw.lstrip())
            end = start + len(text)
            page_start = first.page_at(start)
            page_end = last.page_at(max(start, end - 1))  # the group's last paragraph (the only one, when not shared)
            base = passage_id(doc.meta.doc_id, text)
            occurrence = seen.get(base, 0)
            seen[base] = occurrence + 1
            passages.append(
                Passage(
                    id=passage_id(doc.meta.doc_id, text, occurrence),
                    doc_id=doc.meta.doc_id,
                    text=text,
                    section=first.section,
                    page_start=page_start,
                    page_end=page_end,
                    paragraph=first.number,
                    start=start,
                    end=end,
                    kind=first.kind,
                )
            )
    return passages
