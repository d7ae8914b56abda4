"""English words that carry no topic, in one place: one list for the lexical (BM25) signal, one for the dictionary bridge."""

from __future__ import annotations

# Dropped from the Latin-script tokens of questions and passages before BM25 (index/lexical.py).
LEXICAL_STOP_WORDS = frozenset(
    "a an and are as at be by did do does for from how in is it of on or the to was were what when where which who whom why with "
    "this that these those their its into about after before during between has have had will would can could should".split()
)

# Dropped from English questions and from CC-CEDICT glosses before they are matched (index/crosslingual.py). It is
# wider than the lexical list on purpose: glosses are full of dictionary filler ("sb", "sth", "abbr", "variant"…),
# and pronouns that would join unrelated entries. Merging the lists would change what each signal matches.
BRIDGE_STOP_WORDS = frozenset(
    "a an the to of and or in on at by for with from as is are was were be been being do does did what which who whom whose "
    "when where why how that this these those it its their his her they them he she we you i me my our your not no "
    "about into after before during between over under up down out than then so such can could would should will shall may might "
    "one sb sth etc also other kind sort used person thing abbr variant lit fig cl".split()
)
