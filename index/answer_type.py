"""What a question asks for and whether a text can give it: a quantity wants a number in the quote."""

from __future__ import annotations

import re

# "How many / how much / how long…", 多少 / 幾個 / 多久, 몇 / 얼마: the answer is a number (of things, of time, of money).
# 哪幾 / 哪几 ("which ones"), 幾乎 ("almost") and 幾何 ("geometry") are not questions of quantity.
_ASKS_QUANTITY = re.compile(
    r"\bhow\s+(?:many|much|long|often|soon|old|far)\b|\bwhat\s+(?:percentage|share|proportion|fraction|number)\b"
    r"|多少|多久|多長|多长|(?<![哪])[幾几](?![乎何])|몇|얼마",
    re.IGNORECASE,
)
_NUMERAL = re.compile(
    r"[0-9０-９〇一二三四五六七八九十百千萬万億亿兩两半]"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|thousands?"
    r"|millions?|billions?|half|dozens?|once|twice|single|double|several)\b"
    r"|하나|둘|셋|넷|다섯|여섯|일곱|여덟|아홉|[한두세네]\s?(?:개|번|명|가지|달|해|주|시간|차례)",
    re.IGNORECASE,
)


def asks_for_quantity(question: str) -> bool:
    """Whether the question asks how many, how much, how long or how often."""
    return bool(_ASKS_QUANTITY.search(question))


def gives_quantity(text: str) -> bool:
    """Whether a text holds a number: digits, Chinese numerals, or English and Korean number words."""
    return bool(_NUMERAL.search(text))
