"""What a question asks for and whether a text can give it: a quantity wants a number, a past date wants a date."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

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
_CHINESE_DIGIT = "〇一二三四五六七八九十百千萬万億亿兩两半"
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


def gives_quantity(text: str, question: str = "") -> bool:
    """Whether a text holds a number (digits, Chinese numerals, English and Korean number words) besides the numbered
    names the question itself writes."""
    return bool(_NUMERAL.search(_without_numbered_names(text, question)))


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


# A question of quantity that names what is measured wants a number of that measure: a duration a number of seconds
# to years ("how long", 多久, 幾天, 며칠, 몇 년), a price an amount of money ("how much does it cost", 多少錢, 手續費,
# 벌금이 얼마). A text whose numbers are counts of other things does not answer "how many days" or "how much money".
_ASKS_DURATION = re.compile(
    r"\bhow\s+(?:long|soon|often)\b|\bhow\s+many\s+(?:seconds|minutes|hours|days|weeks|months|years)\b"
    r"|多久|多長時間|多长时间|多少時間|多少时间"
    r"|(?:多少|[幾几])\s*[個个]?\s*(?:秒|分鐘|分钟|小時|小时|鐘頭|钟头|天|日|週|周|星期|月|年)"
    r"|多常|多頻繁|多频繁"
    r"|며칠|몇\s*(?:초|분|시간|일|주|개월|달|년|해)|얼마나\s*(?:오래|걸리|걸렸|걸려|자주)",
    re.IGNORECASE,
)
_ASKS_PRICE = re.compile(
    r"\bhow\s+much\b(?:(?![?.]).)*\b(?:cost|costs|pay|paid|charge|charged|charges|fee|fees|price|spend|spent|earn|earned"
    r"|money|funding|salary|fine|fined)\b|\bwhat\s+(?:\w+\s+)?(?:price|cost|fee|salary|fine)s?\b"
    r"|(?:多少|[幾几])\s*(?:錢|钱|資金|资金|經費|经费|美元|元|塊|块)"
    r"|(?:費用|费用|價格|价格|價錢|价钱|手續費|手续费|薪水|薪資|薪资|工資|工资|罰款|罚款|賞金|赏金|獎金|奖金)[^？?。]*(?:多少|[幾几])"
    r"|(?:多少|[幾几])[^？?。]*(?:費用|费用|價格|价格|價錢|价钱|手續費|手续费|薪水|薪資|薪资|工資|工资|罰款|罚款|賞金|赏金|獎金|奖金)"
    r"|(?:비용|가격|요금|돈|벌금|수수료|금액|급여|연봉|상금|회비)[^?？]*얼마|얼마[^?？]*(?:비용|가격|요금|돈|벌금|수수료|금액|급여|연봉|상금|회비)",
    re.IGNORECASE,
)
_WORD_NUMBER = (
    r"\b(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty"
    r"|hundred|several|few|many)"
)
_TIME_WORD = r"(?:(?:nano|micro|milli)?seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\b"
_CJK_TIME = (
    r"(?:毫秒|微秒|納秒|纳秒|奈秒|秒|分鐘|分钟|小時|小时|鐘頭|钟头|天|日|週|周|星期|月|年"
    r"|밀리초|마이크로초|나노초|초|분|시간|일|주|개월|달|년|해)"
)
# A year followed by 年 or 년 (2019年, 2000년) is a date, not a number of years.
_DIGITS = r"(?<![0-9０-９.])(?!(?:1[5-9]|20)[0-9]{2}\s*[年년])[0-9０-９][0-9０-９,.’']*"
_TIME_UNIT = re.compile(
    rf"{_DIGITS}\s*(?:[-–~～至到]\s*[0-9０-９.]+\s*)?(?:[個个]\s*)?(?:(?:working|business|calendar)\s+)?(?:{_TIME_WORD}|(?:ns|[uµμ]s|ms|[smhd])\b|{_CJK_TIME})"
    rf"|{_WORD_NUMBER}\s+(?:(?:working|business|calendar)\s+)?{_TIME_WORD}"
    rf"|[{_CHINESE_DIGIT}幾几數数]+\s*[個个]?\s*(?:秒|分鐘|分钟|小時|小时|鐘頭|钟头|天|日|週|周|星期|月|年)"
    r"|(?<![가-힣])[한두세네수몇]\s*(?:초|분|시간|일|주|개월|달|년|해)(?![가-힣])|(?<![가-힣])(?:수년|수개월|수일|수주)"
    r"|\b(?:hourly|daily|weekly|monthly|yearly|annually|once|twice)\b|每(?:隔|天|日|週|周|星期|月|年|小時|小时)"
    r"|(?<![가-힣])매(?:일|주|달|월|년|해|시간)(?![가-힣]{2})"
    r"|(?<!\d)(?:1[5-9]|20)\d\d\s*[-–~～至到]\s*(?:1[5-9]|20)?\d\d(?!\d)",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"[$€£¥₩￥]\s*[0-9０-９]|\b(?:USD|EUR|GBP|CNY|RMB|KRW|JPY)\s*[0-9０-９]|[0-9０-９][0-9０-９,.]*\s*(?:[kKmM]\s*)?(?:USD|EUR|GBP|CNY|RMB|KRW|JPY|dollars?\b|euros?\b|pounds?\b|cents?\b"
    r"|yuan\b|won\b|元|圓|圆|美元|美金|歐元|欧元|英鎊|英镑|人民幣|人民币|日元|日圓|韓元|韩元|[萬万億亿千百]\s*(?:美?元|圓|圆)|달러|원|유로|엔|만\s*원|억\s*원)"
    rf"|[{_CHINESE_DIGIT}]+\s*(?:美元|元|圓|圆|塊|块)"
    r"|[0-9０-９][0-9０-９,.]*\s*(?:%|％|percent\b|per\s*cent\b|퍼센트)|百分之",
    re.IGNORECASE,
)


def asks_for_duration(question: str) -> bool:
    """Whether the question asks how long, how soon or how often (a number of seconds, days, years…)."""
    return bool(_ASKS_DURATION.search(question))


def asks_for_price(question: str) -> bool:
    """Whether the question asks what something costs, pays or is fined (an amount of money, or a fee's share)."""
    return bool(_ASKS_PRICE.search(question))


def gives_duration(text: str, question: str = "") -> bool:
    """Whether a text holds a number of a unit of time (48 hours, 三個月, 2주, twice a year, 2001-2006)."""
    return bool(_TIME_UNIT.search(_without_numbered_names(text, question)))


def gives_price(text: str, question: str = "") -> bool:
    """Whether a text holds an amount of money ($500, 300 元, 5만 원) or a share (a fee of 6%)."""
    return bool(_MONEY.search(_without_numbered_names(text, question)))


@dataclass(frozen=True)
class AnswerType:
    """A kind of answer a question wants, and the test that a text holds one."""

    name: str
    gives: Callable[[str, str], bool]


QUANTITY = AnswerType("quantity", gives_quantity)
DURATION = AnswerType("duration", gives_duration)
PRICE = AnswerType("price", gives_price)
DATE = AnswerType("date", gives_date)


def answer_type(question: str, measures: bool = True) -> AnswerType | None:
    """The kind of answer the question wants, when it is one a text can be checked for (None: any text may answer it).

    With `measures` a question of quantity that names its measure (a duration, a price) wants a number of it.
    """
    if asks_for_quantity(question) or (measures and asks_for_duration(question)):
        if measures and asks_for_price(question):
            return PRICE
        if measures and asks_for_duration(question):
            return DURATION
        return QUANTITY
    if asks_for_date(question):
        return DATE
    return None
