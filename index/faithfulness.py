"""Does a machine translation keep a quote's facts? Numbers, dates, percentages, names of people and places, shape.

A translation is shown under a verified quote only if `FaithfulnessCheck` passes it: every number, month and
percentage of the quote is in it and none is added, every name the documents' glossary knows is there in a form the
target language writes it, and its length and script are those of a translation (not of an answer, a refusal or an
echo). It cannot judge ordinary words; docs/translation.md says what it does and does not check.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

from index.crosslingual import Glossary, english_words, hangul_bigrams, korean_reading, romanisation_key
from index.scripts import to_matching_script

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {
    "en": "English",
    "ko": "Korean",
    "zh-Hant": "Traditional Chinese",
    "zh-Hans": "Simplified Chinese",
    "ja": "Japanese",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
}

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
KANA = re.compile(r"[\u3040-\u30ff]")


def base_language(code: str) -> str:
    """'zh-Hant' -> 'zh', 'en' -> 'en'."""
    return code.split("-")[0].lower()


_MONTH_WORDS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_WORD = re.compile(r"\b(" + "|".join(sorted(_MONTH_WORDS, key=len, reverse=True)) + r")\b\.?", re.IGNORECASE)
_MONTH_CJK = re.compile(r"(?<![\d.])(\d{1,2})\s*[月월]")
_ISO_DATE = re.compile(r"\b\d{4}[-/.](\d{1,2})[-/.]\d{1,2}\b")
_NUMBER = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)*")
_PERCENT_WORDS = re.compile(r"\s*(?:per\s*cent\b|percent\b|퍼센트|프로(?!그))|\s+%", re.IGNORECASE)
_PERCENT = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d+)*)%")
_CHINESE_PERCENT = re.compile(r"百分之([零〇一二三四五六七八九十百兩两]+)")
_CHINESE_NUMERAL = re.compile(r"[零〇一二三四五六七八九十百千兩两]+")
_CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
_SPACES = re.compile(r"\s+")
# Two-character names made of two country abbreviations (美朝 "US-North Korea", 韓美, 中朝) name a pair, not one
# place; translations spell pairs many ways ("the US and North Korea", "Washington and Pyongyang"), so they are not
# required. Their countries are checked wherever the quote names them in full.
_COUNTRY_ABBREVIATIONS = frozenset("美朝韩中日俄台英法德欧南北")
# 南北韓 "the two Koreas" would fold to 南朝鲜 "South Korea": a pair too.
_PAIRS = re.compile(r"南北[韓韩]")
# Korean names of places that Korean does not call by the Sino-Korean reading of their Chinese name.
KOREAN_EXONYMS: dict[str, tuple[str, ...]] = {
    "朝鲜半岛": ("한반도",),
    "朝鲜": ("북한", "조선", "북측"),
    "韩国": ("한국", "남한", "대한민국"),
    "南朝鲜": ("남한", "한국"),
    "联合国": ("유엔", "국제연합"),
    "美国": ("미국",),
    "东亚": ("동아시아",),
}
# Length of a translation relative to its source, counted in "weight" (a Han character 1, a Hangul syllable 0.75, a
# Latin letter or digit 0.3): checked so that a reply that obeys an instruction in the passage, or answers it, or
# adds commentary, is not shown even when it happens to keep the facts. See docs/translation.md for the calibration.
MIN_WEIGHT_RATIO = 0.5
MAX_WEIGHT_RATIO = 2.2


def _weight(text: str) -> float:
    han = len(HAN.findall(text)) + len(KANA.findall(text))
    hangul = len(HANGUL.findall(text))
    latin = sum(1 for ch in text if ch.isascii() and ch.isalnum())
    return han + 0.75 * hangul + 0.3 * latin


def chinese_numeral(text: str) -> int | None:
    """十二 -> 12, 兩 -> 2, 一百零五 -> 105, 二〇一八 -> 2018 (digit by digit when there is no unit)."""
    if not any(ch in _CHINESE_UNITS for ch in text):
        digits = [_CHINESE_DIGITS.get(ch) for ch in text]
        return int("".join(str(d) for d in digits)) if digits and None not in digits else None
    total, current = 0, 0
    for ch in text:
        if ch in _CHINESE_DIGITS:
            current = _CHINESE_DIGITS[ch]
        elif ch in _CHINESE_UNITS:
            total += (current or 1) * _CHINESE_UNITS[ch]
            current = 0
    return total + current


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _number_value(token: str) -> str:
    """'1,000' -> '1000', '3.50' -> '3.5', '07' -> '7': numbers compared by value."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", token):
        token = token.replace(",", "")
    token = token.replace(",", ".")
    if "." in token:
        token = token.rstrip("0").rstrip(".")
    return token.lstrip("0") or "0"


@dataclass(frozen=True)
class Facts:
    """The numbers, months and percentages of a text (values as strings), and its Chinese-numeral values."""

    numbers: tuple[str, ...]
    months: tuple[int, ...]
    percentages: tuple[str, ...]
    spelled: frozenset[str]


def extract_facts(text: str) -> Facts:
    text = _normal(text)
    months: list[int] = []
    consumed: list[tuple[int, int]] = []
    for pattern in (_MONTH_CJK, _ISO_DATE):
        for match in pattern.finditer(text):
            month = int(match.group(1))
            if 1 <= month <= 12:
                months.append(month)
                consumed.append(match.span(1))
    months.extend(_MONTH_WORDS[m.group(1).lower()] for m in _MONTH_WORD.finditer(text) if _is_month_word(m))
    numbers = [_number_value(m.group(0)) for m in _NUMBER.finditer(text) if not any(start <= m.start() < end for start, end in consumed)]
    percent_text = _PERCENT_WORDS.sub("%", text)
    percentages = [_number_value(m.group(1)) for m in _PERCENT.finditer(percent_text)]
    percentages += [str(v) for m in _CHINESE_PERCENT.finditer(text) if (v := chinese_numeral(m.group(1))) is not None]
    spelled = {str(v) for m in _CHINESE_NUMERAL.finditer(text) if (v := chinese_numeral(m.group(0))) is not None}
    return Facts(tuple(numbers), tuple(months), tuple(percentages), frozenset(spelled))


def _is_month_word(match: re.Match[str]) -> bool:
    word = match.group(1)
    # "may", "mar", "dec", "jan"… are words too: only a capitalised one is a month.
    return word[:1].isupper() and (len(word) > 3 or word.lower() in ("may", "jun", "jul"))


@dataclass(frozen=True)
class CheckResult:
    """Whether a translation keeps the quote's facts; `checked` lists what was looked for, `problems` what failed."""

    passed: bool
    checked: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        return "; ".join(self.problems) if self.problems else "passed"

    def to_dict(self) -> dict[str, object]:
        return {"passed": self.passed, "checked": list(self.checked), "problems": list(self.problems)}


class FaithfulnessCheck:
    """Numbers, dates, percentages and the names of people and places in a quote must survive its translation."""

    def __init__(self, glossary: Glossary | None = None) -> None:
        self.glossary = glossary

    def check(self, source: str, translation: str, target: str) -> CheckResult:
        checked: list[str] = []
        problems: list[str] = []
        src, out = extract_facts(source), extract_facts(translation)
        self._check_numbers(src, out, checked, problems)
        self._check_names(source, translation, target, checked, problems)
        self._check_shape(source, translation, target, problems)
        return CheckResult(not problems, tuple(checked), tuple(problems))

    @staticmethod
    def _check_numbers(src: Facts, out: Facts, checked: list[str], problems: list[str]) -> None:
        have = set(out.numbers)
        for number in dict.fromkeys(src.numbers):
            checked.append(f"number {number}")
            if number not in have:
                problems.append(f"number {number} missing")
        for month in dict.fromkeys(src.months):
            checked.append(f"month {month}")
            if month not in out.months:
                problems.append(f"month {month} missing")
        for percent in dict.fromkeys(src.percentages):
            checked.append(f"percentage {percent}%")
            if percent not in out.percentages:
                problems.append(f"percentage {percent}% missing")
        # A number the quote does not have (in digits, as a month, or in Chinese numerals) was changed or made up.
        allowed = set(src.numbers) | {str(m) for m in src.months} | src.spelled | set(src.percentages)
        for number in dict.fromkeys(out.numbers):
            if number not in allowed:
                problems.append(f"number {number} not in the quote")

    def _check_names(self, source: str, translation: str, target: str, checked: list[str], problems: list[str]) -> None:
        if self.glossary is None:
            return
        folded = _SPACES.sub("", to_matching_script(_PAIRS.sub("，", source)))
        matcher = _NameMatcher(translation, target)
        for name, renderings in self.glossary.names_in(folded).items():
            if len(name) == 2 and all(ch in _COUNTRY_ABBREVIATIONS for ch in name):
                continue
            checked.append(f"name {name}")
            if not matcher.finds(name, renderings):
                problems.append(f"name {name} missing")

    @staticmethod
    def _check_shape(source: str, translation: str, target: str, problems: list[str]) -> None:
        ratio = _weight(translation) / max(1.0, _weight(source))
        if not MIN_WEIGHT_RATIO <= ratio <= MAX_WEIGHT_RATIO:
            problems.append(f"length {ratio:.2f}× the quote's (allowed {MIN_WEIGHT_RATIO}–{MAX_WEIGHT_RATIO})")
        letters = [ch for ch in translation if ch.isalpha()]
        if not letters:
            problems.append("no text")
            return
        han = sum(1 for ch in letters if HAN.match(ch) or KANA.match(ch)) / len(letters)
        hangul = sum(1 for ch in letters if HANGUL.match(ch)) / len(letters)
        base = base_language(target)
        wrong_script = (
            (base == "ko" and hangul < 0.5)
            or (base in ("zh", "ja") and han < 0.5)
            or (base not in ("ko", "zh", "ja") and han + hangul > 0.1)
        )
        if wrong_script:
            problems.append(f"not written in {LANGUAGE_NAMES.get(target, target)}")


# Consonant skeletons let a transliteration be matched across scripts: Trump / 트럼프 -> tlmp, Singapore / 싱가포르
# -> snkpl, Pompeo / 폼페이오 -> pmp. Vowels, h, w and y are left out; voiced and voiceless pairs, r and l meet.
_INITIAL_SKELETON = ("k", "k", "n", "t", "t", "l", "m", "p", "p", "s", "s", "", "j", "j", "j", "k", "t", "p", "")
_FINAL_SKELETON = (
    "",
    "k",
    "k",
    "ks",
    "n",
    "nj",
    "n",
    "t",
    "l",
    "lk",
    "lm",
    "lp",
    "ls",
    "lt",
    "lp",
    "l",
    "m",
    "p",
    "ps",
    "t",
    "t",
    "nk",
    "t",
    "t",
    "k",
    "t",
    "p",
    "",
)
_LATIN_DIGRAPHS = (("ch", "j"), ("sh", "s"), ("ph", "p"), ("th", "t"), ("ng", "nk"), ("x", "ks"))
_LATIN_SKELETON = str.maketrans({"c": "k", "q": "k", "g": "k", "d": "t", "b": "p", "f": "p", "v": "p", "r": "l", "z": "j"})
MIN_SKELETON = 3
_WORD_SPLIT = re.compile(r"[^\w'-]+")


def skeleton(text: str) -> str:
    """The consonant skeleton of Latin letters and Hangul syllables (other characters are skipped)."""
    out: list[str] = []
    latin = ""

    def flush() -> None:
        nonlocal latin
        word = latin.lower()
        for old, new in _LATIN_DIGRAPHS:
            word = word.replace(old, new)
        out.append(re.sub(r"[aeiouyhw]", "", word.translate(_LATIN_SKELETON)))
        latin = ""

    for ch in text:
        code = ord(ch) - 0xAC00
        if ch.isascii() and ch.isalpha():
            latin += ch
            continue
        if latin:
            flush()
        if 0 <= code < 11172:
            initial, rest = divmod(code, 588)
            out.append(_INITIAL_SKELETON[initial] + _FINAL_SKELETON[rest % 28])
    if latin:
        flush()
    return re.sub(r"(.)\1+", r"\1", "".join(out))


class _NameMatcher:
    """Looks for one name of the quote in a translation, in the forms the target language may write it."""

    def __init__(self, translation: str, target: str) -> None:
        self.target = target
        self.text = _normal(translation)
        words = english_words(self.text)
        self.keys = [romanisation_key("".join(words[i : i + n])) for n in range(1, 5) for i in range(len(words) - n + 1)]
        raw_words = [w for w in _WORD_SPLIT.split(self.text) if w]
        self.skeletons = [skeleton("".join(raw_words[i : i + n])) for n in range(1, 4) for i in range(len(raw_words) - n + 1)]
        self.hangul = "".join(hangul_bigrams(self.text.replace(" ", "")))
        self.hangul_runs = "".join(re.findall(r"[\uac00-\ud7a3]+", _SPACES.sub("", self.text)))
        self.folded = _SPACES.sub("", to_matching_script(self.text))

    def finds(self, name: str, renderings: set[tuple[str, ...]]) -> bool:
        for words in renderings:
            key = romanisation_key("".join(words))
            if key and any(k == key or (len(key) >= 4 and k.startswith(key) and len(k) - len(key) <= 3) for k in self.keys):
                return True
            bones = skeleton(" ".join(words))
            if len(bones) >= MIN_SKELETON and any(s.startswith(bones) for s in self.skeletons):
                return True
        base = base_language(self.target)
        if base == "ko":
            if any(exonym in self.hangul_runs for exonym in KOREAN_EXONYMS.get(name, ())):
                return True
            reading = "".join(hangul_bigrams(korean_reading(name)))
            if reading and reading in self.hangul:
                return True
        if base in ("zh", "ja") and name in self.folded:
            return True
        return False
