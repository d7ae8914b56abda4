"""What a question asks for and whether a text can give it: a quantity wants a number, a past date wants a date."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from index import measures as measure_rules
from index.measures import CHINESE_DIGIT as _CHINESE_DIGIT

# "How many / how much / how long…", 多少 / 幾個 / 多久, 몇 / 얼마: the answer is a number (of things, of time, of money).
# 哪幾 / 哪几 ("which ones"), 幾乎 ("almost") and 幾何 ("geometry") are not questions of quantity.
_ASKS_QUANTITY = re.compile(
    r"\bhow\s+(?:many|much|long|often|soon|old|far)\b"
    r"|\bwhat\s+(?:\w+\s+)?(?:percentage|share|proportion|fraction|number|ratio|rate|score|amount|price|cost|fee|size)s?\b"
    r"|多少|多久|多長|多长|(?<![哪])[幾几](?![乎何])|몇|얼마",
    re.IGNORECASE,
)
# Chinese numerals count as a number in a run of two (一半, 二十) or before a measure word or unit (三位, 兩次, 一年):
# alone they are also letters of words (一些, 一般, 統一, 半島).
_MEASURE = "個个位名人次回年歲岁月日號号天週周時时分鐘钟秒倍項项種种類类條条件本篇章節节隊队國国家場场輪轮屆届題题組组元塊块度里米克斤層层點点期版級级代份張张票"
_NUMERAL = re.compile(
    rf"[0-9０-９]|[{_CHINESE_DIGIT}]{{2,}}|[{_CHINESE_DIGIT}][{_MEASURE}]"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|thousands?"
    r"|millions?|billions?|half|dozens?|once|twice|single|double|several)\b"
    r"|하나|둘|셋|넷|다섯|여섯|일곱|여덟|아홉|[한두세네]\s?(?:개|번|명|가지|달|해|주|시간|차례)",
    re.IGNORECASE,
)


def asks_for_quantity(question: str) -> bool:
    """Whether the question asks how many, how much, how long or how often."""
    return bool(_ASKS_QUANTITY.search(question))


# A token of the question with a digit in it (NOI2025, CVE-2014-7189, 1.0.0, 2024): a name, not the quantity asked.
_NUMBERED_TOKEN = re.compile(r"[^\W_]*[0-9０-９][\w.\-^]*")


@functools.lru_cache(maxsize=256)
def _numbered_names(question: str) -> re.Pattern[str] | None:
    """One pattern for the numbered tokens of a question (longest first), or None when it has none."""
    names = sorted({t.rstrip(".-") for t in _NUMBERED_TOKEN.findall(question)} - {""}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(rf"(?<![\w.])(?:{'|'.join(map(re.escape, names))})(?!\w)", re.IGNORECASE)


def _without_numbered_names(text: str, question: str) -> str:
    pattern = _numbered_names(question)
    return pattern.sub(" ", text) if pattern is not None else text


# The label of an item of a numbered list ("1) ", "2. ", "(3) ", "4、", "（5）" at the start of a line) counts items, not a
# quantity. Full-width forms are followed by the item's text directly.
_LIST_LABEL = re.compile(r"(?m)^[ \t]*(?:(?:\(\d{1,2}\)|\d{1,2}[.)])(?=\s|$)|（\d{1,2}）|\d{1,2}[）、]|\d{1,2}．(?!\d))")
# What the line before an item is: blank, or it ends a sentence or a lead-in, or it is another item. A number after a
# line that ends otherwise ("The limit is\n50. Larger uploads fail.") is a hard line break in running text, not a label.
_BEFORE_ITEM = tuple(".:;!?。：；！？)）")


def _without_list_labels(text: str) -> str:
    def label(match: re.Match[str]) -> str:
        before = text[: match.start()].rsplit("\n", 2)[-2].strip() if match.start() else ""  # the line above
        is_label = not before or before.endswith(_BEFORE_ITEM) or _LIST_LABEL.match(before) is not None
        return " " if is_label else match.group(0)

    return _LIST_LABEL.sub(label, text)


def gives_quantity(text: str, question: str = "") -> bool:
    """Whether a text holds a number (digits, Chinese numerals, English and Korean number words) besides the numbered
    names the question itself writes and the labels of a numbered list."""
    return bool(_NUMERAL.search(_without_list_labels(_without_numbered_names(text, question))))


# "When was / did…", "what year", 是什麼時候…的 / 哪一年 / 哪天, 언제…했나요: a point in the past, answered by a date.
# Not "when is / should / will" (a procedure or a condition: "within 6 hours", "when you first create the project").
_ASKS_DATE = re.compile(
    r"\bwhen\s+(?:and\s+where\s+)?(?:was|were|did)\b|\b(?:what|which|in\s+which)\s+year\b|\bwhat\s+date\b"
    r"|(?:什麼時候|什么时候|何時|何时|哪一?天)[^？?，,。；;]*的|哪一?年"
    r"|언제[^?？]*(?:었|았|였|했|됐)",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"(?<!\d)(?<!\d\.)(?:1[5-9]|20)\d\d(?!\d|\.\d)|[0-9０-９]{1,2}\s*[月日號号월일]|[0-9０-９]{4}\s*[年년]|[〇一二三四五六七八九十]+[年月]"
    r"|\b(?:January|February|March|April|June|July|August|September|October|November|December)\b|\bMay\s+\d"
)


def asks_for_date(question: str) -> bool:
    """Whether the question asks when something happened (a date or year)."""
    return bool(_ASKS_DATE.search(question))


def gives_date(text: str, question: str = "") -> bool:
    """Whether a text holds a date or a year besides the numbered names the question itself writes."""
    return bool(_DATE.search(_without_numbered_names(text, question)))


# "Why…", "for what reason", 為什麼 / 为什么 / 為何 / 何故, 왜 / 이유: the answer is a reason, which a text most often gives in
# the sentence after the one restating what the question asks about.
_ASKS_REASON = re.compile(r"\bwhy\b|\bfor\s+what\s+reason\b|\bhow\s+come\b|為什麼|为什么|為何|为何|何故|왜|이유", re.IGNORECASE)


def asks_for_reason(question: str) -> bool:
    """Whether the question asks why."""
    return bool(_ASKS_REASON.search(question))


def _beside_named_numbers(test: Callable[[str], bool]) -> Callable[[str, str], bool]:
    """A test of a text (index/measures.py) that disregards the numbered names the question itself writes."""

    def gives(text: str, question: str = "") -> bool:
        return test(_without_numbered_names(text, question))

    gives.__doc__ = test.__doc__
    return gives


gives_duration = _beside_named_numbers(measure_rules.gives_duration)
gives_price = _beside_named_numbers(measure_rules.gives_price)
gives_ratio = _beside_named_numbers(measure_rules.gives_ratio)
gives_percentage = _beside_named_numbers(measure_rules.gives_percentage)


def gives_version(text: str, question: str = "") -> bool:
    """Whether a text holds a version (3.0, v2.1.0, version 4, 3.0版本, 버전 2) besides those the question names, or
    names the latest one (最新版本, 최신 버전) where the question does not ask which the latest is."""
    text = _without_numbered_names(text, question)
    return measure_rules.gives_version(text) or (measure_rules.names_latest(text) and not measure_rules.names_latest(question))


@dataclass(frozen=True)
class AnswerType:
    """A kind of answer a question wants, and the test that a text holds one."""

    name: str
    gives: Callable[[str, str], bool]


QUANTITY = AnswerType("quantity", gives_quantity)
DURATION = AnswerType("duration", gives_duration)
PRICE = AnswerType("price", gives_price)
RATIO = AnswerType("ratio", gives_ratio)
PERCENTAGE = AnswerType("percentage", gives_percentage)
VERSION = AnswerType("version", gives_version)
DATE = AnswerType("date", gives_date)
_NAMED_MEASURES = {t.name: t for t in (PRICE, DURATION, RATIO, PERCENTAGE, VERSION)}


def answer_type(question: str, measures: bool = True) -> AnswerType | None:
    """The kind of answer the question wants, when it is one a text can be checked for (None: any text may answer it).

    With `measures` a question of quantity that names its measure (a duration, a price, a factor, a percentage) wants
    a number of it, and a question of which version wants a version (index/measures.py).
    """
    named = _NAMED_MEASURES.get(measure_rules.named_measure(question) or "") if measures else None
    if named is not None and named is not VERSION:
        return named
    if asks_for_quantity(question):
        return QUANTITY
    if asks_for_date(question):
        return DATE
    return named
