"""Measures a question of quantity may name (a duration, a price, a factor, a percentage) or a version it asks for,
and whether a text holds one: a number with the unit of that measure.

A question that names its measure is answered by a number of it, not by any number: "how many days" by 48 hours or
三個月, "how much does it cost" by $500 or 5만 원, "how much faster" by 50x or 2.5 %, "what share" by half or 93%,
"which version" by 3.0 or v2.1. A passage whose numbers count other things is about the subject but does not answer.
"""

from __future__ import annotations

import re

# Chinese numerals: one of these in a run or before a measure word is a number (index/answer_type.py).
CHINESE_DIGIT = "〇一二三四五六七八九十百千萬万億亿兩两半"
_CHINESE_DIGIT = CHINESE_DIGIT

# A question of quantity that names what is measured wants a number of that measure: a duration a number of seconds
# to years ("how long", 多久, 幾天, 며칠, 몇 년), a price an amount of money ("how much does it cost", 多少錢, 手續費,
# 벌금이 얼마). A text whose numbers are counts of other things does not answer "how many days" or "how much money".
_ASKS_DURATION = re.compile(
    r"\bhow\s+long\b(?!\s+(?:is|are|can|could|should|must|may|does|do)\s+(?:\w+\s+){0,3}?(?:keys?|strings?|names?|passwords?|lines?|messages?|fields?|tokens?|ids?|urls?|paths?|arrays?|lists?|titles?|prefix(?:es)?|hash(?:es)?|signatures?|texts?|labels?|cables?|inputs?|values?|identifiers?|usernames?)\b(?!\s+(?:valid|last|live|kept|stored|cached|take)))"
    r"|\bhow\s+(?:soon|often)\b|\bhow\s+much\s+time\b|\bhow\s+many\s+(?:seconds|minutes|hours|days|weeks|months|years)\b"
    r"|多久|多長時間|多长时间|多少時間|多少时间"
    r"|(?:多少|[幾几])\s*[個个]?\s*(?:秒|分鐘|分钟|小時|小时|鐘頭|钟头|天|日|週|周|星期|(?<=[個个])月|年)"
    r"|多常|多頻繁|多频繁|[耗用][時时](?:是|為|为|大概|大約|大约)?(?:多少|多久|[幾几])"
    r"|며칠|몇\s*(?:초|분(?!께|들|이\s*(?:참석|참여|오|계|필요))|시간|일|주|개월|달|년|해)|얼마나\s*(?:오래|걸리|걸렸|걸려|자주|소요)"
    r"|얼마\s*동안|어느\s*정도\s*(?:걸|소요)",
    re.IGNORECASE,
)
_ASKS_PRICE = re.compile(
    r"\bhow\s+much\b(?!\s+time\b)(?:(?![?.]).)*\b(?:cost|costs|pay|paid|charge|charged|charges|fee|fees|price|spend|spent|earn|earned"
    r"|money|funding|salary|fine|fined)\b(?!-)|\bwhat\s+(?:\w+\s+){0,3}(?:price|cost|fee|salary|fine)s?\b(?!-|\s+(?:function|model|matrix))"
    r"|(?:多少|[幾几])\s*(?:錢|钱|資金|资金|經費|经费|美元|元|塊|块)|收[費费](?:標準|标准)|(?<![耗花浪])[費费]\s*(?:是|要|為|为|大概|大約|大约)?\s*(?:多少|[幾几])"
    r"|(?:費用|费用|價格|价格|價錢|价钱|手續費|手续费|經費|经费|資金|资金|預算|预算|薪水|薪資|薪资|工資|工资|罰款|罚款|賞金|赏金|獎金|奖金)[^？?。]*(?:多少|[幾几])"
    r"|(?:多少|[幾几])[^？?。]*(?:費用|费用|價格|价格|價錢|价钱|手續費|手续费|經費|经费|資金|资金|預算|预算|薪水|薪資|薪资|工資|工资|罰款|罚款|賞金|赏金|獎金|奖金)"
    r"|(?:비용|가격|요금|돈|벌금|수수료|금액|급여|연봉|상금|회비|이용료|사용료|수강료|참가비|가입비|등록비|입장료|구독료)[^?？]*얼마|얼마[^?？]*(?:비용|가격|요금|돈|벌금|수수료|금액|급여|연봉|상금|회비|이용료|사용료|수강료|참가비|가입비|등록비|입장료|구독료)",
    re.IGNORECASE,
)
_WORD_NUMBER = (
    r"\b(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty"
    r"|hundred|several|few|many|couple\s+of)"
)
_TIME_WORD = r"(?:(?:nano|micro|milli)?seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\b"
_CJK_TIME = (
    r"(?:毫秒|微秒|納秒|纳秒|奈秒|秒|分鐘|分钟|小時|小时|鐘頭|钟头|天|日|週|周|星期|(?<=[個个])月|年"
    r"|밀리초|마이크로초|나노초|초|분(?!의)|시간|일|주|개월|달|년|해)"
)
# A year followed by 年 or 년 (2019年, 2000년) is a date, not a number of years.
_DIGITS = r"(?<![0-9０-９.])(?<![月월])(?<![月월]\s)(?!(?:1[5-9]|20)[0-9]{2}\s*[年년])(?!(?:1[5-9]|20)[0-9]0s\b)[0-9０-９][0-9０-９,.’']*"
_TIME_UNIT = re.compile(
    rf"{_DIGITS}\s*(?:[-–~～至到]\s*[0-9０-９.]+\s*)?(?:[個个]\s*)?(?:(?:working|business|calendar)\s+)?(?:{_TIME_WORD}|(?:ns|[uµμ]s|ms|[shd])\b|(?<=[0-9０-９])m\b|{_CJK_TIME})"
    rf"|{_WORD_NUMBER}\s+(?:(?:working|business|calendar)\s+)?{_TIME_WORD}"
    rf"|[{_CHINESE_DIGIT}幾几數数]+\s*[個个]?\s*(?:秒|分鐘|分钟|小時|小时|鐘頭|钟头|天|日|週|周|星期|(?<=[個个數数])月|年)"
    r"|(?<![가-힣])[한두세네수몇]\s*(?:초|분|시간|일|주|개월|달|년|해)(?![가-힣])|(?<![가-힣])(?:수년|수개월|수일|수주|하루|이틀|사흘|나흘|보름|일주일)"
    r"|\b(?:hourly|daily|weekly|monthly|yearly|annually|once|twice)\b|每(?:隔|天|日|週|周|星期|月|年|小時|小时)"
    r"|(?<![가-힣])매(?:일|주|달|월|년|해|시간)(?![가-힣]{2})"
    r"|(?<!\d)(?:1[5-9]|20)\d\d\s*[-–~～至到]\s*(?:1[5-9]|20)?\d\d(?!\d)"
    # A duration written as code: Python's timedelta(minutes=2), a keyword argument named by its unit.
    r"|\b(?:weeks|days|hours|minutes|seconds|milliseconds|microseconds)\s*=\s*[0-9]",
    re.IGNORECASE,
)
_MONEY = re.compile(
    r"[$€£¥₩￥]\s*[0-9０-９]|\b(?:USD|EUR|GBP|CNY|RMB|KRW|JPY)\s*[0-9０-９]|[0-9０-９][0-9０-９,.]*\s*(?:[kKmM]\s*)?(?:USD|EUR|GBP|CNY|RMB|KRW|JPY|dollars?\b|euros?\b|pounds?\b|cents?\b"
    r"|yuan\b|won\b|元(?![素组組件數数分类類])|圓|圆|美元|美金|歐元|欧元|英鎊|英镑|人民幣|人民币|日元|日圓|韓元|韩元|[萬万億亿千百]\s*(?:美?元|圓|圆)|달러|원(?![칙색자소론])|유로|엔|만\s*원|억\s*원)"
    rf"|[{_CHINESE_DIGIT}]+\s*(?:美元|元(?![素组組件數数分类類])|圓|圆|塊|块)"
    r"|[0-9０-９][0-9０-９,.]*\s*(?:%|％|percent\b|per\s*cent\b|퍼센트)|百分之"
    r"|\bfree\s+of\s+charge\b|\b(?:at\s+)?no\s+(?:extra\s+|additional\s+)?(?:cost|charge)\b",
    re.IGNORECASE,
)


# Intervals, timeouts and retention periods are durations: "what is the default scrape interval", 超時多久, 보관 기간.
_ASKS_INTERVAL = re.compile(
    r"(?:\b(?:interval|timeout|time-out|retention|ttl|expiry|expiration(?!\s+date)|lifetime)(?![a-z])(?<!confidence interval)"
    r"|間隔|间隔|超時|超时|時長|时长|有效期|保留期|保存期|過期|过期|간격|주기|타임아웃|유효\s*기간|보관\s*기간|보존\s*기간|만료)"
    r"(?=.*(?:\bwhat(?:'s|\s+is|\s+are|\s+was)\s+(?!an?\b)|\bhow\s+(?:long|many|much|often|soon)\b|\bdefault\b|多少|多久|[幾几]|多長|多长|默[认認]|預設|预设|얼마|몇|기본값))"
    r"|(?:\bwhat(?:'s|\s+is|\s+are|\s+was)\s+(?!an?\b)|\bhow\s+(?:long|many|much|often|soon)\b|\bdefault\b|多少|多久|[幾几]|多長|多长|默[认認]|預設|预设|얼마|몇|기본값).*"
    r"(?:\b(?:interval|timeout|time-out|retention|ttl|expiry|expiration(?!\s+date)|lifetime)(?![a-z])(?<!confidence interval)"
    r"|間隔|间隔|超時|超时|時長|时长|有效期|保留期|保存期|過期|过期|간격|주기|타임아웃|유효\s*기간|보관\s*기간|보존\s*기간|만료)",
    re.IGNORECASE,
)
# A factor between two things: "how much faster", "how many times larger", 幾倍, 快多少, 몇 배, 얼마나 더 빠른.
_ASKS_RATIO = re.compile(
    r"\bhow\s+much\s+(?:faster|slower|larger|smaller|bigger|quicker|higher|lower|better|worse|cheaper)\b"
    r"|\bhow\s+many\s+times\s+(?:faster|slower|larger|smaller|bigger|more|less|higher|lower|as)\b|\bhow\s+(?:fast|quick)\b.*\b(?:than|compared)\b|\bby\s+what\s+factor\b"
    r"|[幾几多少]\s*倍|(?<!最)(?:快|慢|高|低|強|强|長|长|短)(?:了|出)?多少"
    r"|몇\s*배|얼마나\s*더\s*(?:빠르|빨라|느리|느려|크|커|작|높|낮|많|적)",
    re.IGNORECASE,
)
_ASKS_PERCENTAGE = re.compile(
    r"\bwhat\s+(?:\w+\s+){0,2}(?:percentage|percent|share|proportion|fraction|accuracy)\b|\bhow\s+many\s+percent\b"
    r"|百分之?(?:多少|[幾几])|百分比|[佔占]比|比例是?多少|[準准]確率|准确率|正確率|正确率|命中率|成功率|召回率|[佔占]多少|[幾几]成"
    r"|몇\s*(?:퍼센트|%|프로)|비율|정확도|비중|점유율|성공률",
    re.IGNORECASE,
)
# Which version: the minimum, first or latest one, since which (not "which part of the version number", nor the
# plural "which versions", answered by channel names: Stable and Canary).
_ASKS_VERSION = re.compile(
    r"\b(?:which|what)\s+(?:[\w.\-]+\s+){0,2}(?:version|release)\b(?!\s*(?:number|s\b|control|notes?|cycle|history))"
    r"|\b(?:minimum|min|required|latest|earliest|first)\s+(?:[\w.\-]+\s+){0,2}(?:version|release)\b(?!\s*(?:number|control|notes?|cycle|history))"
    r"|(?:哪|什[麼么])\s*[個个一]?\s*版本?(?![本]?[號号]的?[哪什])|(?:最低|最早|最新|首個|首个|第一個|第一个)\S{0,6}版本"
    r"|(?:어떤|어느|몇|무슨)\s*(?:\S+\s+)?버전(?!들|\s*번호)|(?:최소|최신|최초|처음)\s*(?:\S+\s+)?버전(?!들|\s*번호)",
    re.IGNORECASE,
)
_FACTOR = re.compile(
    r"[0-9０-９][0-9０-９.,]*\s*(?:x|×|times|fold|倍|배)(?![a-z])|\b(?:twice|double|triple|half|halved|doubled|tripled)\b"
    rf"|一半|[{_CHINESE_DIGIT}]+\s*倍|(?<![가-힣])[두세네]\s*배(?![가-힣]{{2}})|절반"
    r"|[0-9０-９][0-9０-９.,]*\s*(?:%|％|percent\b|per\s*cent\b|퍼센트)|百分之",
    re.IGNORECASE,
)
_SHARE = re.compile(
    r"[0-9０-９][0-9０-９.,]*\s*(?:%|％|percent\b|per\s*cent\b|퍼센트|프로)|百分之|(?<![\d.])0?\.\d+(?![\d.])"
    r"|\b(?:half|a\s+third|two\s+thirds|a\s+quarter|three\s+quarters|majority|minority)\b|一半|半數|半数|分之|절반|분의\s*[0-9一-九]"
    rf"|\b\d+\s+(?:of|out\s+of|in)\s+(?:every\s+)?\d+\b|[{_CHINESE_DIGIT}]成(?![為为功立員员本果])",
    re.IGNORECASE,
)
_VERSION = re.compile(
    r"(?<![\w.])(?!\d{1,3}(?:\.\d{1,3}){3}(?!\w|\.\d))(?!(?:19|20)\d\d\.\d{1,2}\.\d{1,2}(?!\d))v?\d+(?:\.\d+)+(?![\w])"
    r"(?!\s*(?:%|％|×|x\b|[kMGT]i?B\b|[kMG]?Hz\b|(?:nano|micro|milli)?seconds?\b|secs?\b|ms\b|s\b|mins?\b|minutes?\b|h\b|hrs?\b|hours?\b"
    r"|days?\b|weeks?\b|months?\b|years?\b|points?\b|pp\b|dollars?\b|euros?\b|times\b|fold\b|percent\b"
    r"|[個个倍元分秒天年週周]|小[時时]|시간|초|분|일|배|원|달러|퍼센트))|\b(?:version|release|v)\s*\d+|\d+\s*(?:版|버전)|版本\s*v?\d|버전\s*\d"
    r"|\b(?:ES|ECMAScript|Python|Node(?:\.js)?|Java|PHP|Ruby|Go|Rust|Vue|React)\s*\d+\b",
    re.IGNORECASE,
)


def asks_for_duration(question: str) -> bool:
    """Whether the question asks how long, how soon or how often, or for an interval, a timeout or a retention."""
    return bool(_ASKS_DURATION.search(question) or _ASKS_INTERVAL.search(question))


def named_measure(question: str) -> str | None:
    """The measure the question names: "price", "duration", "ratio", "percentage", "version", or None."""
    if _ASKS_PRICE.search(question):
        return "price"
    if asks_for_duration(question):
        return "duration"
    if _ASKS_RATIO.search(question):
        return "ratio"
    if _ASKS_PERCENTAGE.search(question):
        return "percentage"
    if _ASKS_VERSION.search(question):
        return "version"
    return None


def gives_duration(text: str) -> bool:
    """Whether a text holds a number of a unit of time, a frequency word or a span of years."""
    return bool(_TIME_UNIT.search(text))


def gives_price(text: str) -> bool:
    """Whether a text holds an amount of money or a share."""
    return bool(_MONEY.search(text))


def gives_ratio(text: str) -> bool:
    """Whether a text holds a factor or a percentage."""
    return bool(_FACTOR.search(text))


def gives_percentage(text: str) -> bool:
    """Whether a text holds a percentage, a decimal share or a fraction."""
    return bool(_SHARE.search(text))


def gives_version(text: str) -> bool:
    """Whether a text holds a version number."""
    return bool(_VERSION.search(text))


_LATEST = re.compile(r"\b(?:latest|newest|most\s+recent)\b|最新|최신", re.IGNORECASE)


def names_latest(text: str) -> bool:
    """Whether a text speaks of the latest version ("use the latest version", 最新版本, 최신 버전)."""
    return bool(_LATEST.search(text))
