"""Korean line breaks in typeset text: a space between words, or a break inside a word (Kiwi's morpheme analysis)."""

from __future__ import annotations

import functools
import logging
from typing import Any

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
    return Kiwi()


def breaks_inside_word(left: str, right: str) -> bool:
    """Whether a line ending in `left` and going on with `right` breaks one Korean word rather than two words.

    Korean typesetting (ko.TeX, Typst, word processors) may break a line between any two syllables, so "금속성에" /
    "서" is one word, "금속성에서", while "하나로" / "떠오르고" are two. The break is inside a word when Kiwi reads
    the joined text with a morpheme across the break ("보|답이": 보답), or with the next line beginning in a morpheme
    that never begins a word: a particle, an ending, a suffix ("사용하|여", "있|을", "한국과학기술|원"), or a
    counter after a number ("2012|년"). Otherwise, and for any other script, it is a space.
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
            return True
        if start == cut:
            tag = str(token.tag)
            if tag.startswith(_BOUND_TAGS):
                return True
            return tag.startswith("NNB") and previous is not None and str(previous.tag) == "SN"
        previous = token
    return False
