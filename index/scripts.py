"""Script normalisation for matching only: Traditional/Simplified via OpenCC, region-specific names, width and case.

Never used for display: quotes and passages are always shown as stored.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Iterable

log = logging.getLogger(__name__)

# Names of people and places that differ between Taiwan and mainland usage (general knowledge, not
# taken from any question set). Keys and values are in Simplified script, because matching text is
# first converted with OpenCC's tw2sp; every key is rewritten to its value on both sides.
REGION_NAMES: dict[str, str] = {
    "川普": "特朗普",
    "北韩": "朝鲜",
    "南韩": "韩国",
    "欧巴马": "奥巴马",
    "布希": "布什",
    "柯林顿": "克林顿",
    "普丁": "普京",
    "梅克尔": "默克尔",
    "马克宏": "马克龙",
    "贺锦丽": "哈里斯",
    "希拉蕊": "希拉里",
    "波顿": "博尔顿",
    "纽西兰": "新西兰",
    "义大利": "意大利",
    "雪梨": "悉尼",
    "寮国": "老挝",
    "星国": "新加坡",
    "沙乌地阿拉伯": "沙特阿拉伯",
    "川金会": "特金会",
}
_NAMES = re.compile("|".join(sorted((re.escape(k) for k in REGION_NAMES), key=len, reverse=True)))


# The optional language resources (OpenCC, CC-CEDICT, the hanja table) as each loader left them: "loaded" or
# "unavailable: <reason>". A failed load degrades matching rather than stopping Verbatim, so `verbatim status` shows it.
RESOURCES: dict[str, str] = {}


def record_resource(name: str, failure: BaseException | None) -> None:
    """Note whether an optional language resource loaded (called by its loader, once: the loaders are cached)."""
    RESOURCES[name] = "loaded" if failure is None else f"unavailable: {failure}"


@functools.lru_cache(maxsize=1)
def opencc_converter() -> object | None:
    """OpenCC's Taiwan-to-mainland converter, or None (recorded in RESOURCES) when OpenCC cannot load."""
    try:
        import opencc

        converter = opencc.OpenCC("tw2sp")
    except Exception as exc:  # the package or its config missing: match without script folding
        log.warning("OpenCC unavailable (%s): Simplified and Traditional text will not be matched to each other", exc)
        record_resource("OpenCC", exc)
        return None
    record_resource("OpenCC", None)
    return converter


def to_matching_script(text: str) -> str:
    """Fold a text to the form used for matching: NFKC, lower case, Simplified mainland script and names."""
    text = unicodedata.normalize("NFKC", text).lower()
    if text.isascii():  # OpenCC's tables and the region names change Chinese characters only
        return text
    converter = opencc_converter()
    if converter is not None:
        text = converter.convert(text)  # type: ignore[attr-defined]
    return _NAMES.sub(lambda m: REGION_NAMES[m.group(0)], text)


def is_cjk_ideograph(ch: str) -> bool:
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FA1F


def is_hangul(ch: str) -> bool:
    code = ord(ch)
    return 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F


def _runs_class(codes: Iterable[int]) -> str:
    """A regex character class body for these code points (ascending), as ranges."""
    parts: list[str] = []
    start = previous = -2
    for code in codes:
        if code != previous + 1:
            if start >= 0:
                parts.append(f"{re.escape(chr(start))}-{re.escape(chr(previous))}")
            start = code
        previous = code
    if start >= 0:
        parts.append(f"{re.escape(chr(start))}-{re.escape(chr(previous))}")
    return "".join(parts)


_CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))
_HANGUL_RANGES = ((0xAC00, 0xD7AF), (0x1100, 0x11FF), (0x3130, 0x318F))


@functools.lru_cache(maxsize=1)
def _letter_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Runs of what is *not* a letter, not a Chinese letter, not a Hangul letter (`str.isalpha` and the ranges above).

    Deleting such runs leaves exactly the letters `cjk_share` and `hangul_share` count, in C rather than per character.
    """
    letters = [code for code in range(0x110000) if chr(code).isalpha()]

    def within(ranges: tuple[tuple[int, int], ...]) -> list[int]:
        return sorted(code for low, high in ranges for code in range(low, high + 1) if chr(code).isalpha())

    return (
        re.compile(f"[^{_runs_class(letters)}]+"),
        re.compile(f"[^{_runs_class(within(_CJK_RANGES))}]+"),
        re.compile(f"[^{_runs_class(within(_HANGUL_RANGES))}]+"),
    )


def cjk_share(text: str) -> float:
    """The share of the letters of `text` that are Chinese characters (0 for English or Korean)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if is_cjk_ideograph(ch)) / len(letters)


def hangul_share(text: str) -> float:
    """The share of the letters of `text` that are Hangul (1 for a Korean question, 0 for Chinese or English)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if is_hangul(ch)) / len(letters)


def latin_share(text: str) -> float:
    """The share of the letters of `text` that are Latin (1 for English, 0 for Chinese or Korean)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if ch.isascii() or "\u00c0" <= ch <= "\u024f") / len(letters)


# What a text's language is counted in: a Latin word, a Chinese character and a run of Hangul count one each.
_SCRIPT_WORDS = (
    re.compile(r"[A-Za-z\u00c0-\u024f]+"),
    re.compile("[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]"),
    re.compile("[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]+"),
)


def word_counts(text: str) -> tuple[int, int, int]:
    """How many Latin words, Chinese characters and runs of Hangul `text` writes: "APIO、IOI 都是 IOI 赛制" has 3, 4
    and 0, so it reads as Chinese, though most of its letters are Latin."""
    latin, chinese, korean = (len(pattern.findall(text)) for pattern in _SCRIPT_WORDS)
    return latin, chinese, korean


def letter_shares(text: str) -> tuple[float, float]:
    """(`cjk_share(text)`, `hangul_share(text)`), the same figures counted in C: for the many units of a build.

    Its patterns take a few tenths of a second to make, once; a question's shares use the functions above.
    """
    not_letters, not_cjk, not_hangul = _letter_patterns()
    letters = len(not_letters.sub("", text))
    if not letters:
        return 0.0, 0.0
    return len(not_cjk.sub("", text)) / letters, len(not_hangul.sub("", text)) / letters
