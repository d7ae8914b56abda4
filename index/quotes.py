"""Quotes: windows of whole sentences (or clauses of a long one) of the best passages, verified against the document."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping

from index.chunking import sentence_spans
from index.fusion import UnitHit
from index.models import Citation, Passage, Quote, ScoredPassage
from index.params import DEFAULT_PARAMS, RetrievalParams

log = logging.getLogger(__name__)

MAX_QUOTE_CHARS = 300
_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    return _WS.sub("", text)


def verify_quote(quote: str, document_text: str) -> bool:
    """True if the quote is an exact substring of the document once all whitespace is removed."""
    needle = squash(quote)
    return bool(needle) and needle in squash(document_text)


def build_quote(passage: Passage, focus: tuple[int, int], limit: int = MAX_QUOTE_CHARS) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The focus sentence with as much surrounding text of the passage as fits in `limit` characters."""
    spans = sentence_spans(passage.text) or [(0, len(passage.text))]
    focus_start, focus_end = focus
    chosen = [i for i, (s, e) in enumerate(spans) if s < focus_end and e > focus_start] or [0]
    lo, hi = chosen[0], chosen[-1]
    start, end = spans[lo][0], spans[hi][1]
    if end - start > limit:
        # The answering sentence alone is too long: the run of its clauses around the focus that fits.
        windows = _runs(passage.text, clause_spans(passage.text, start, end, limit), limit)
        around = [w for w in windows if w[0] <= max(start, focus_start) < w[1]] or windows or [(start, start + limit)]
        start, end = max(around, key=lambda w: (min(w[1], focus_end) - max(w[0], focus_start), w[1] - w[0]))
    else:
        while True:
            grew = False
            if hi + 1 < len(spans) and spans[hi + 1][1] - start <= limit:
                hi += 1
                end = spans[hi][1]
                grew = True
            if lo > 0 and end - spans[lo - 1][0] <= limit:
                lo -= 1
                start = spans[lo][0]
                grew = True
            if not grew:
                break
    raw = passage.text[start:end]
    lead = len(raw) - len(raw.lstrip())
    text = raw.strip()
    highlight_start = max(0, focus_start - start - lead)
    highlight_end = min(len(text), focus_end - start - lead)
    piece = text[highlight_start:highlight_end]
    trimmed_start = highlight_start + (len(piece) - len(piece.lstrip()))
    trimmed_end = highlight_end - (len(piece) - len(piece.rstrip()))
    highlights = ((trimmed_start, trimmed_end),) if trimmed_end > trimmed_start else ()
    return text, highlights


def quote_windows(text: str, limit: int = MAX_QUOTE_CHARS) -> list[tuple[int, int]]:
    """Every run of consecutive sentences of `text` that fits in `limit` characters once stripped.

    A sentence longer than `limit` gives instead every run of its consecutive clauses that fits (cut at clause
    punctuation, and a clause still too long at spaces between words), so the answering clause is kept whole
    wherever it sits in the sentence and no window ends mid-word.
    """
    spans = sentence_spans(text) or [(0, len(text))]
    out: list[tuple[int, int]] = []
    for a in range(len(spans)):
        for b in range(a, len(spans)):
            start, end = _strip_span(text, spans[a][0], spans[b][1])
            if end - start > limit:
                if a == b:
                    out.extend(_runs(text, clause_spans(text, start, end, limit), limit))
                break
            if end > start:
                out.append((start, end))
    return out


# Clause marks: full-width ones end a clause wherever they stand, ASCII ones only before a space (not in 3,000 or a:b).
_FULL_WIDTH_CLAUSE_MARKS = "，、；："
_ASCII_CLAUSE_MARKS = ",;:"
_CLAUSE_END = re.compile(rf"[{_FULL_WIDTH_CLAUSE_MARKS}]|[{_ASCII_CLAUSE_MARKS}](?=\s)")
_WORD_GAP = re.compile(r"\s+")


def clause_spans(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """A long sentence cut after clause punctuation; a piece still over `limit` is cut at spaces (or, in text
    without spaces, every `limit` characters), so every piece fits."""
    cuts = [start] + [m.end() for m in _CLAUSE_END.finditer(text, start, end) if m.end() < end] + [end]
    pieces: list[tuple[int, int]] = []
    for s, e in zip(cuts, cuts[1:]):
        while e - s > limit:
            gaps = [m.start() for m in _WORD_GAP.finditer(text, s, s + limit + 1) if m.start() > s]
            cut = gaps[-1] if gaps else s + limit
            pieces.append((s, cut))
            s = cut
        pieces.append((s, e))
    return [_strip_span(text, s, e) for s, e in pieces if text[s:e].strip()]


def _runs(text: str, pieces: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    runs = []
    for a in range(len(pieces)):
        for b in range(a, len(pieces)):
            if pieces[b][1] - pieces[a][0] > limit:
                break
            runs.append((pieces[a][0], pieces[b][1]))
    return runs


def with_next_sentence(text: str, start: int, end: int, limit: int = MAX_QUOTE_CHARS) -> int:
    """The end of the window [start, end) of `text` grown by the sentence after it, or by as many of that sentence's
    leading clauses as fit in `limit` (never mid-word), or not at all."""
    for sentence_start, sentence_end in sentence_spans(text):
        next_start, next_end = _strip_span(text, sentence_start, sentence_end)
        if next_start >= end and next_end > next_start:
            if next_end - start <= limit:
                return next_end
            clauses = [e for _, e in clause_spans(text, next_start, next_end, limit) if e - start <= limit]
            # Only a cut at a clause mark, not one clause_spans made at a space to fit the limit.
            at_mark = clauses and text[clauses[-1] - 1] in _FULL_WIDTH_CLAUSE_MARKS + _ASCII_CLAUSE_MARKS
            return clauses[-1] if at_mark else end
    return end


def _cut_flags(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether a window starts or ends inside one of the text's sentences."""
    spans = sentence_spans(text) or [(0, len(text))]
    starts = {_strip_span(text, s, e)[0] for s, e in spans}
    ends = {_strip_span(text, s, e)[1] for s, e in spans}
    return start not in starts, end not in ends


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    raw = text[start:end]
    return start + (len(raw) - len(raw.lstrip())), end - (len(raw) - len(raw.rstrip()))


def _inside(hit: UnitHit, start: int, end: int) -> bool:
    """A unit counts as inside a window if at least half of it is."""
    overlap = min(end, hit.end) - max(start, hit.start)
    return overlap > 0 and 2 * overlap >= hit.end - hit.start


def best_window(
    passage: Passage, hits: list[UnitHit], floor: float, support: float = DEFAULT_PARAMS.window_support
) -> tuple[float, int, int, list[UnitHit]] | None:
    """The quote window of one passage with the highest score (best unit + `support` x the others' rise above `floor`)."""
    best: tuple[float, int, int, list[UnitHit]] | None = None
    for start, end in quote_windows(passage.text):
        inside = sorted((h for h in hits if _inside(h, start, end)), key=lambda h: -h.score)
        if not inside:
            continue
        # Support leaves out the English name/date bonus: it marks sentences as relevant, not as more of the answer.
        score = inside[0].score + support * sum(max(0.0, h.score - h.bridge - floor) for h in inside[1:])
        # Ties (nothing else above the floor) go to the longer window: more context for the reader.
        if best is None or score > best[0] + 1e-9 or (abs(score - best[0]) <= 1e-9 and end - start > best[2] - best[1]):
            best = (score, start, end, inside)
    return best


def support_floor(hits: list[UnitHit], unit_median: float, rank: int) -> float:
    """The level above which a unit supports a window: the median score of every unit, or the `rank`-th best score among
    the hits the quote is chosen from (bridge bonus left out, as in the support itself) when that is higher.

    The median of every unit falls as documents unrelated to the question join the index (0.822 on the article alone,
    0.765 beside five other documents), and a lower floor lets every weakly related sentence of a long passage add
    support. The `rank`-th best unit stays where the question's own neighbourhood puts it; on a small index, where it
    would be the weakest unit of all, the median still holds.
    """
    if rank <= 0 or not hits:
        return unit_median
    scores = sorted((h.score - h.bridge for h in hits), reverse=True)
    return max(unit_median, scores[min(rank, len(scores)) - 1])


# Passages that give the quote only when no other kind is among the candidates: code (a shell command, a regular
# expression), the entries of a list of works cited, and a title (the citation names it; it answers nothing).
NOT_QUOTED_FIRST = frozenset({"code", "reference", "title"})


def choose_quote(
    passages: list[ScoredPassage],
    hits: list[UnitHit],
    unit_median: float,
    position: Mapping[str, int],
    document_text: Mapping[str, str],
    cite: Callable[[Passage], Citation],
    params: RetrievalParams = DEFAULT_PARAMS,
    reason: bool = False,
) -> Quote | None:
    """A verified quote: the best-scoring window among the first passages, its best unit(s) highlighted.

    Code, reference-list entries and titles (NOT_QUOTED_FIRST) never give the quote while another passage is a
    candidate. For a question that asks why (`reason`), the sentence after the window joins it where it fits.
    """
    if not passages:
        return None
    best: tuple[float, Passage, int, int, list[UnitHit]] | None = None
    candidates = passages[: params.quote_passages]
    floor = support_floor(hits, unit_median, params.window_floor_rank)
    prose = [sp for sp in candidates if sp.passage.kind not in NOT_QUOTED_FIRST]
    for scored in prose or candidates:
        passage = scored.passage
        at = position.get(passage.id)
        own = [h for h in hits if h.passage == at]
        window = best_window(passage, own, floor, params.window_support)
        if window is not None and (best is None or window[0] > best[0]):
            best = (window[0], passage, window[1], window[2], window[3])
    if best is None:  # no scored unit in any passage: fall back to the top passage's opening
        passage = (prose or candidates)[0].passage
        text, highlights = build_quote(passage, (0, len(passage.text)))
    else:
        _, passage, start, end, inside = best
        if reason and params.reason_next_sentence:
            end = with_next_sentence(passage.text, start, end)
        text = passage.text[start:end]
        top_score = inside[0].score
        spans = sorted(
            (max(h.start, start) - start, min(h.end, end) - start) for h in inside if h.score >= top_score - params.highlight_gap
        )
        highlights = tuple(_strip_span(text, a, b) for a, b in spans if text[a:b].strip())
    if not verify_quote(text, document_text.get(passage.doc_id, "")):
        log.error("quote from %s failed verification; not shown", passage.id)
        return None
    offset = passage.text.find(text)
    cut_start, cut_end = _cut_flags(passage.text, offset, offset + len(text)) if offset >= 0 else (False, False)
    return Quote(text=text, highlights=highlights, passage=passage, citation=cite(passage), cut_start=cut_start, cut_end=cut_end)
