"""The word bridge: a question's words matched to the documents' words of other scripts by the real model's vectors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from index.embeddings import load_embedder
from index.fusion import fuse
from index.params import DEFAULT_PARAMS
from index.service import Verbatim
from index.signals import QuestionScripts
from index.word_bridge import CHINESE, HANGUL, LATIN, WordBridge, WordPostings, postings_path, words
from tests.conftest import make_settings

UNITS = (
    "Please report security vulnerabilities to the security team by email.",
    "The release notes list every patch of the last version.",
    "Bake the bread for forty minutes at 180 degrees.",
    "보안 취약점은 이메일로 보안 팀에 보고해 주세요.",
    "安全漏洞請寄電子郵件給安全團隊。",
    "그 빵은 180도에서 40분 동안 구우세요.",
)


def test_words_are_split_by_script_without_question_words_or_stop_words() -> None:
    assert words("Which security team handles vulnerability reports?", query=True) == [
        (LATIN, "security"),
        (LATIN, "team"),
        (LATIN, "handles"),
        (LATIN, "vulnerability"),
        (LATIN, "reports"),
    ]
    # Traditional and Simplified spellings fold to one script; Chinese splits into dictionary words.
    assert words("漏洞報告要寄到哪個電子郵件？", query=True) == words("漏洞报告要寄到哪个电子邮件？", query=True)
    assert (CHINESE, "漏洞") in words("漏洞報告要寄到哪個電子郵件？", query=True)
    assert [w for s, w in words("보안 취약점 보고") if s == HANGUL] == ["보안", "취약점", "보고"]


@pytest.fixture(scope="module")
def bridge(tmp_path_factory: pytest.TempPathFactory) -> WordBridge:
    return WordBridge.of_texts(UNITS, load_embedder(), tmp_path_factory.mktemp("bridge"))


@pytest.mark.slow
def test_a_korean_question_reaches_the_english_and_chinese_units_through_their_words(bridge: WordBridge) -> None:
    question = "보안 취약점은 어디로 보고하나요?"
    matched = bridge.matches(question, DEFAULT_PARAMS.word_bridge_threshold, DEFAULT_PARAMS.word_bridge_per_word)
    assert matched
    # Only words of other scripts are matched: the Korean unit shares the words themselves (the lexical signal's job).
    assert all(bridge.scripts[j] != HANGUL for _, j, _ in matched)
    scores = bridge.scores(question, DEFAULT_PARAMS.word_bridge_threshold, DEFAULT_PARAMS.word_bridge_per_word)
    assert scores is not None
    by_unit = scores.dense()
    assert by_unit[3] == 0.0  # the Korean unit itself
    assert int(np.argmax(by_unit)) == 0, by_unit  # the English sentence about reporting vulnerabilities (security, report)
    assert by_unit[2] == by_unit[5] == 0.0  # not the recipes


@pytest.mark.slow
def test_an_english_question_reaches_the_korean_unit(bridge: WordBridge) -> None:
    scores = bridge.scores("How long should the bread bake?", DEFAULT_PARAMS.word_bridge_threshold, DEFAULT_PARAMS.word_bridge_per_word)
    assert scores is not None
    by_unit = scores.dense()
    assert by_unit[0] == by_unit[1] == by_unit[2] == 0.0  # English units: same script, left to the lexical signal
    assert by_unit[5] > by_unit[3], by_unit  # the Korean recipe, not the Korean security sentence


@pytest.mark.slow
def test_the_question_words_are_embedded_once(bridge: WordBridge) -> None:
    first = bridge.embed_question_words("보안 팀 이메일")
    again = bridge.embed_question_words("이메일 보안 팀")
    assert first.shape == (3, bridge.vectors.shape[1])
    assert {tuple(np.round(v, 5)) for v in first} == {tuple(np.round(v, 5)) for v in again}


@pytest.mark.slow
def test_the_retriever_adds_the_bridge_to_the_fused_score_by_its_weight(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "security.md").write_text("# Security\n\n" + UNITS[0] + "\n\n" + UNITS[1] + "\n", encoding="utf-8")
    (knowledge / "baking.md").write_text("# 빵\n\n" + UNITS[5] + "\n", encoding="utf-8")
    service = Verbatim(make_settings(tmp_path, knowledge_dir=knowledge))
    service.ensure_ready()
    retriever = service.answerer.retriever
    assert len(list((tmp_path / "index" / "cache").glob("word-bridge-*.npz"))) == 1  # read back by the next process
    question = "보안 취약점은 어디로 보고하나요?"
    query = retriever.embedder.embed_queries([question])
    scripts = QuestionScripts.of(question)
    signals = retriever.signals(question, query, scripts)
    assert signals.word_bridge is not None and signals.word_bridge.max() > 0
    without = dataclasses.replace(signals, word_bridge=None)
    added = fuse(signals, scripts, retriever.params) - fuse(without, scripts, retriever.params)
    expected = retriever.params.word_bridge_weight * signals.word_bridge.dense() / signals.word_bridge.max()
    assert np.allclose(added, expected, atol=1e-6)
    assert added.max() == pytest.approx(retriever.params.word_bridge_weight)
    # Off, it is neither built nor asked.
    retriever.params = DEFAULT_PARAMS.with_changes(word_bridge_weight=0.0)
    assert retriever.signals(question, query, scripts).word_bridge is None


@pytest.mark.slow
def test_nothing_is_embedded_for_a_question_whose_script_the_documents_all_share(tmp_path: Path) -> None:
    english_only = WordBridge.of_texts(UNITS[:3], load_embedder(), tmp_path)
    assert english_only.bridged_words("Which team handles security reports?") == []
    assert english_only.embed_question_words("Which team handles security reports?").shape[0] == 0
    assert english_only.scores("Which team handles security reports?", 0.0, 3) is None
    # A Korean question still reaches the English words.
    assert [w for _, w in english_only.bridged_words("보안 팀")] == ["보안", "팀"]
    # English questions do not reach Chinese text: that pair is the English bridge's (CC-CEDICT).
    chinese_only = WordBridge.of_texts(UNITS[4:5], load_embedder(), tmp_path)
    assert chinese_only.bridged_words("Which team handles security reports?") == []


def test_postings_are_cached_per_index_version_and_rebuilt_when_unreadable(tmp_path: Path) -> None:
    path = postings_path(tmp_path, "v1", 100)
    assert path is not None
    built = WordPostings.cached(path, lambda: UNITS, 100)
    assert path.is_file()

    def not_tokenised_again() -> list[str]:
        raise AssertionError("the cached postings should have been read")

    read = WordPostings.cached(path, not_tokenised_again, 100)
    assert read.words == built.words and read.size == built.size == len(UNITS)
    for name in ("scripts", "idf", "starts", "units"):
        assert np.array_equal(getattr(read, name), getattr(built, name)), name
    # Another version's postings replace these (only the served version's are kept); a damaged file is rebuilt.
    other = postings_path(tmp_path, "v2", 100)
    assert other is not None
    WordPostings.cached(other, lambda: UNITS[:2], 100)
    assert not path.exists() and other.is_file()
    other.write_bytes(b"not an npz")
    assert WordPostings.cached(other, lambda: UNITS[:2], 100).size == 2


def test_the_common_words_keep_none_of_wordfreqs_lists_in_memory() -> None:
    from wordfreq import get_frequency_list

    from index.word_bridge import PROBE_LANGUAGES, PROBE_RANKS, probe_words

    probe_words.cache_clear()
    probes = probe_words()
    assert get_frequency_list.cache_info().currsize == 0  # each language's whole list (tens of MB) let go
    first, last = PROBE_RANKS
    assert len(PROBE_LANGUAGES) * (last - first) // 2 < len(probes) <= len(PROBE_LANGUAGES) * (last - first)
    assert probe_words() is probes  # read once per process
