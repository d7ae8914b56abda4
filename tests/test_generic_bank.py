"""The generic bank and generic calibration questions (index/data/*.tsv) parse and stay well-formed (no model)."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from importlib.resources import files

import pytest

from index.coverage import GENERIC_BANK

LANGS = ("en", "zh-Hant", "zh-Hans", "ko")
CJK = re.compile(r"[\u4e00-\u9fff]")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]")


def read_rows(name: str) -> list[tuple[str, str, str]]:
    """The (topic, lang, text) rows of one packaged TSV file, header checked and dropped."""
    text = files("index").joinpath("data", name).read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["topic", "lang", "text"]
    body = rows[1:]
    assert all(len(row) == 3 for row in body), [row for row in body if len(row) != 3]
    return [(topic, lang, sentence) for topic, lang, sentence in body]


def by_topic(rows: list[tuple[str, str, str]]) -> dict[str, dict[str, str]]:
    """Topic -> lang -> text; fails on a repeated (topic, lang) pair."""
    topics: dict[str, dict[str, str]] = defaultdict(dict)
    for topic, lang, sentence in rows:
        assert lang not in topics[topic], f"{topic}/{lang} appears twice"
        topics[topic][lang] = sentence
    return topics


@pytest.fixture(scope="module")
def bank() -> list[tuple[str, str, str]]:
    return read_rows("generic_bank.tsv")


@pytest.fixture(scope="module")
def questions() -> list[tuple[str, str, str]]:
    return read_rows("generic_questions.tsv")


@pytest.mark.parametrize("name", ["bank", "questions"])
def test_every_topic_has_exactly_the_four_languages_in_order(name: str, request: pytest.FixtureRequest) -> None:
    rows = request.getfixturevalue(name)
    assert len(rows) % 4 == 0
    for start in range(0, len(rows), 4):
        block = rows[start : start + 4]
        assert len({topic for topic, _, _ in block}) == 1, block
        assert tuple(lang for _, lang, _ in block) == LANGS, block
    topics = by_topic(rows)
    assert len(topics) == len(rows) // 4, "a topic name is reused for two blocks"
    assert all(tuple(langs) == LANGS for langs in topics.values())


def test_sizes(bank: list[tuple[str, str, str]], questions: list[tuple[str, str, str]]) -> None:
    assert len(by_topic(bank)) >= 72
    assert len(by_topic(questions)) == 24


def test_bank_starts_with_the_built_in_bank_in_order(bank: list[tuple[str, str, str]]) -> None:
    assert tuple(sentence for _, _, sentence in bank[: len(GENERIC_BANK)]) == GENERIC_BANK


def test_no_topic_is_both_in_the_bank_and_among_the_questions(
    bank: list[tuple[str, str, str]], questions: list[tuple[str, str, str]]
) -> None:
    assert not set(by_topic(bank)) & set(by_topic(questions))
    assert not {s for _, _, s in bank} & {s for _, _, s in questions}


@pytest.mark.parametrize("name", ["bank", "questions"])
def test_scripts_match_the_language(name: str, request: pytest.FixtureRequest) -> None:
    for topic, lang, sentence in request.getfixturevalue(name):
        assert sentence.strip() == sentence and sentence, (topic, lang)
        if lang == "en":
            assert LATIN.search(sentence) and sentence.isascii(), (topic, sentence)
        elif lang == "ko":
            assert HANGUL.search(sentence) and not CJK.search(sentence), (topic, sentence)
        else:
            assert CJK.search(sentence) and not HANGUL.search(sentence), (topic, lang, sentence)


@pytest.mark.parametrize("name", ["bank", "questions"])
def test_traditional_and_simplified_are_written_separately(name: str, request: pytest.FixtureRequest) -> None:
    topics = by_topic(request.getfixturevalue(name))
    differing = sum(langs["zh-Hant"] != langs["zh-Hans"] for langs in topics.values())
    assert differing >= 0.8 * len(topics), f"only {differing}/{len(topics)} topics differ"


def test_questions_are_questions(questions: list[tuple[str, str, str]]) -> None:
    for topic, lang, sentence in questions:
        assert sentence.endswith(("?", "？")), (topic, lang, sentence)


def test_new_bank_sentences_are_single_statements_of_moderate_length(bank: list[tuple[str, str, str]]) -> None:
    added = bank[len(GENERIC_BANK) :]
    for topic, lang, sentence in added:
        assert not sentence.endswith(("?", "？")), (topic, lang, sentence)
        if lang == "en":
            assert 10 <= len(sentence.split()) <= 25, (topic, sentence)
