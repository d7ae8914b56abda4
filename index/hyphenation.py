"""Whether a hyphen at a line end is the typesetter's (a broken word: drop it) or the word's own (a compound: keep it).

The document itself decides first (the joined word, or the hyphenated compound, printed elsewhere in it); otherwise
a word list (wordfreq's frequencies, in the document's language) does. In a language the list does not cover, or when
the document's language is not known and its words are not English, the hyphen stays: a kept hyphen misquotes less
than a wrongly joined compound.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

log = logging.getLogger(__name__)

# Zipf frequency (log10 of uses per billion words) from which the joined form counts as a word of the language:
# "deviated" 2.8, "benchmarking" 2.7 are; the joins of compounds are not ("highquality" 1.8, "outof" 1.8, "singlecell" 0).
KNOWN_WORD = 2.5
# Below this neither half is a word on its own, so the hyphen cannot join two words: "compata-" / "bility" (1.4).
FRAGMENT = 2.0
# Share of a document's longer words the English list must know to take an unlabelled document as English.
_ENGLISH_SHARE = 0.8

_WORD = re.compile(r"[^\W\d_]+")
_COMPOUND = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")


@lru_cache(maxsize=1)
def _languages() -> frozenset[str]:
    try:
        from wordfreq import available_languages
    except ImportError:  # pragma: no cover - a core dependency; without it only the document decides
        log.warning("wordfreq is not installed: line-end hyphens are resolved against the document's words only")
        return frozenset()
    return frozenset(available_languages(wordlist="large"))


def _zipf(word: str, language: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, language, wordlist="large"))


def known_english_word(word: str) -> bool:
    """Whether wordfreq's English list knows `word` as a word of the language (hook, cookie; not webpack, dotenv)."""
    return _zipf(word.lower(), "en") >= KNOWN_WORD


@dataclass(frozen=True)
class LineEndHyphens:
    """What a document says about its own words, and its declared language ("" when not known)."""

    words: frozenset[str] = frozenset()
    compounds: frozenset[str] = frozenset()
    language: str = ""

    @classmethod
    def of(cls, lines: Iterable[str], language: str) -> LineEndHyphens:
        """From a document's lines (lower-cased words and hyphenated compounds) and its declared language."""
        text = "\n".join(lines)
        words = frozenset(w.lower() for w in _WORD.findall(text))
        compounds = frozenset(c.lower() for c in _COMPOUND.findall(text))
        return cls(words, compounds, language)

    @cached_property
    def word_list(self) -> str:
        """The wordfreq language to consult, "" for none; worked out (and the list loaded) at the first hyphen."""
        return _word_list_language(self.language, self.words)

    def is_soft(self, head: str, tail: str) -> bool:
        """Whether "head-" at a line end and "tail" on the next line are one word broken by the typesetter."""
        head, tail = head.lower(), tail.lower()
        joined = head + tail
        if joined in self.words or joined.rstrip("s") in self.words or joined + "s" in self.words:
            return True
        if f"{head}-{tail}" in self.compounds or not self.word_list:
            return False
        if _zipf(joined, self.word_list) >= KNOWN_WORD:
            return True
        return _zipf(head, self.word_list) < FRAGMENT and _zipf(tail, self.word_list) < FRAGMENT

    def is_unmarked_break(self, head: str, tail: str) -> bool:
        """Whether a line ending in "head" and the next beginning with "tail" are one word broken without a hyphen
        (some PDF exports drop it: "Investigatio" / "ns"): only when "head" is no word of the language at all and the
        joined word is one (the document's own, or a known word of its language)."""
        if not (head.isascii() and tail.isascii()) or not self.word_list:
            return False
        head, tail = head.lower(), tail.lower()
        if _zipf(head, self.word_list) >= FRAGMENT:
            return False
        joined = head + tail
        return _zipf(joined, self.word_list) >= KNOWN_WORD


def _word_list_language(language: str, words: frozenset[str]) -> str:
    """The word list to consult: the document's language if wordfreq has it, English if its words are English."""
    available = _languages()
    code = language.strip().replace("_", "-")
    if code:
        base = code.split("-")[0].lower()
        return base if base in available else ""
    sample = [w for w in words if len(w) >= 4 and w.isascii()]
    if "en" not in available or len(sample) < 20:
        return ""
    known = sum(_zipf(w, "en") > 0 for w in sample)
    return "en" if known >= _ENGLISH_SHARE * len(sample) else ""
