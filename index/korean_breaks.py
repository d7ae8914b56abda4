"""Korean line breaks in typeset text: a space between words, or a break inside a word (Kiwi's morpheme analysis)."""

from __future__ import annotations

import functools
import logging
from typing import Any

from index.blocks import join_lines

log = logging.getLogger(__name__)

# Morphemes that never begin a Korean word: particles (J…), endings (E…), suffixes (XS…) and the copula (VCP).
_BOUND_TAGS = ("J", "E", "XS", "VCP")
_WINDOW = 2  # words of context on each side of the break


def is_hangul_syllable(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


@functools.lru_cache(maxsize=1)
def _kiwi() -> Any:
    from kiwipiepy import Kiwi

    log.info("loading Kiwi (Korean morphemes) to read line breaks inside Korean words")
    # Without the typo and multi-word dictionaries, which reading a line break does not need: ~330 MB instead of ~510.
    return Kiwi(num_workers=-1, load_typo_dict=False, load_multi_dict=False)


def release() -> None:
    """Let the analyser's memory go (it is loaded again, in about a second, for the next Korean document)."""
    _kiwi.cache_clear()


def breaks_inside_word(left: str, right: str, *, anywhere: bool = True) -> bool:
    """Whether a line ending in `left` and going on with `right` breaks one Korean word rather than two words.

    Korean typesetting (ko.TeX, Typst, word processors) may break a line between any two syllables, so "금속성에" /
    "서" is one word, "금속성에서", while "하나로" / "떠오르고" are two. The break is inside a word when Kiwi reads
    the joined text with a morpheme across the break ("보|답이": 보답), or with the next line beginning in a morpheme
    that never begins a word: a particle, an ending, a suffix ("사용하|여", "있|을", "한국과학기술|원"), or a
    counter after a number ("2012|년"). Otherwise, and for any other script, it is a space.

    Text wrapped by an editor breaks between words, and a compound noun may be read across a space ("버그 | 수정은",
    bug fix, where Kiwi reads one noun): with `anywhere` false only a bound morpheme at or across the break joins.
    """
    if not left or not right or not is_hangul_syllable(right[0]):
        return False
    if not (is_hangul_syllable(left[-1]) or left[-1].isdigit()):
        return False
    head = " ".join(left.split()[-_WINDOW:])
    tail = " ".join(right.split()[:_WINDOW])
    cut = len(head)
    tokens = _kiwi().tokenize(head + tail)
    previous = None
    for token in tokens:
        start, end = token.start, token.start + token.len
        if start < cut < end:
            return anywhere or str(token.tag).startswith(_BOUND_TAGS)
        if start == cut:
            tag = str(token.tag)
            if tag.startswith(_BOUND_TAGS):
                return True
            return tag.startswith("NNB") and previous is not None and str(previous.tag) == "SN"
        previous = token
    return False


def join_typeset(left: str, right: str) -> str:
    """Join two lines of text typeset in a PDF and copied out of it: a Korean word broken between syllables without a
    space, otherwise by script (`join_lines`)."""
    return left + right if breaks_inside_word(left, right) else join_lines(left, right)


def join_wrapped(left: str, right: str) -> str:
    """Join two lines of plain text wrapped by an editor or a tool: a Korean word broken before a particle, an ending
    or a suffix without a space ("금속성에" / "서"), otherwise by script (`join_lines`)."""
    return left + right if breaks_inside_word(left, right, anywhere=False) else join_lines(left, right)
