"""Language centering of the dense signal, with the real model and FAISS on an English and a Korean document."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from index.search_tables import TABLES, load_search_tables
from index.service import Verbatim
from index.signals import CENTERING_LANGUAGES, LanguageCentering, QuestionScripts, script_language

LATIN, CHINESE, KOREAN = range(len(CENTERING_LANGUAGES))


@pytest.fixture
def service(english_and_korean_service: Verbatim) -> Verbatim:
    return english_and_korean_service


def test_units_get_the_language_of_their_script() -> None:
    assert script_language(0.0, 0.0) == LATIN
    assert script_language(0.9, 0.0) == CHINESE
    assert script_language(0.0, 1.0) == KOREAN
    assert script_language(0.2, 0.3) == LATIN  # mostly Latin letters


def test_the_statistics_are_saved_with_the_version_and_are_those_of_its_vectors(service: Verbatim) -> None:
    loaded = service.loaded
    tables = load_search_tables(Path(loaded.path), len(loaded.units), len(loaded.passages))
    assert tables is not None and tables.centering is not None
    saved = tables.centering
    vectors = np.asarray(loaded.embeddings(), dtype=np.float32)
    again = LanguageCentering.of(vectors, loaded.unit_texts())
    assert np.array_equal(np.asarray(saved.unit_languages), again.unit_languages)
    assert saved.counts[LATIN] > 0 and saved.counts[KOREAN] > 0 and saved.counts[CHINESE] == 0
    for language in (LATIN, KOREAN):
        members = vectors[again.unit_languages == language]
        assert np.allclose(saved.means[language], members.mean(axis=0), atol=1e-5)
    expected_norms = np.linalg.norm(vectors - saved.means[again.unit_languages], axis=1)
    assert np.allclose(np.asarray(saved.norms), expected_norms, atol=1e-4)


@pytest.mark.parametrize("offsets_only", [False, True])
def test_centered_scores_are_the_formula_over_every_unit(service: Verbatim, offsets_only: bool) -> None:
    retriever = service.answerer.retriever
    question = "여왕벌은 하루에 알을 몇 개 낳나요?"
    query = retriever.embedder.embed_queries([question])
    query_mean = retriever._generic_question_means()[KOREAN]
    plain = retriever.dense.scores(query, 400)
    got = retriever.dense.centered_scores(query, query_mean, plain, 400, 1.0, offsets_only=offsets_only)
    centering = retriever.dense.centering
    assert centering is not None  # written with the version
    vectors = np.asarray(service.loaded.embeddings(), dtype=np.float32)
    means = centering.means[centering.unit_languages]
    centered_query = query[0] - query_mean
    if offsets_only:  # plain cosine + the per-language part of the centered inner product
        expected = vectors @ query[0] - (means @ centered_query + means @ query_mean)
    else:
        centered = vectors - means
        expected = (centered @ centered_query) / np.linalg.norm(centered, axis=1) * centering.mean_norm
    assert sorted(got.candidates.tolist()) == list(range(len(vectors)))  # a small index: every unit is a candidate
    assert np.allclose(got.at(np.arange(len(vectors))), expected, atol=1e-4)
    assert int(got.candidates[0]) == int(np.argmax(expected))


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("여왕벌은 하루에 알을 몇 개 낳나요?", "A honey bee colony has one queen"),
        ("How hot should the water be for green tea?", "녹차는 섭씨 70도"),
    ],
)
def test_a_question_finds_the_sentence_in_the_other_language(service: Verbatim, question: str, answer: str) -> None:
    retriever = service.answerer.retriever
    before = retriever.params
    try:
        # Centering alone: the word bridge would add its own evidence ("hot water" is in 뜨거운 물로 헹구고 too), and the
        # language-neutral projection would take centering's place for the Korean question.
        retriever.params = before.with_changes(language_centering=0.0, word_bridge_weight=0.0, language_directions=0)
        plain = retriever.search(question)
        retriever.params = before.with_changes(language_centering=1.0, word_bridge_weight=0.0, language_directions=0)
        centered = retriever.search(question)
    finally:
        retriever.params = before
    top = service.loaded.unit_text(centered.unit_hits[0].unit)
    assert top.startswith(answer), top
    # Plain cosines put a sentence in the question's own language first (what centering is for).
    assert not service.loaded.unit_text(plain.unit_hits[0].unit).startswith(answer)
    # Ranking only: the coverage gate still measures plain cosines.
    assert centered.margin == plain.margin
    assert QuestionScripts.of(question).english == question.startswith("How")


def test_a_version_without_the_statistics_still_loads_its_tables(service: Verbatim, tmp_path: Path) -> None:
    loaded = service.loaded
    copy = tmp_path / "version"
    shutil.copytree(loaded.path, copy)
    for name in ("unit_languages.npy", "language_means.npy", "centered_norms.npy"):
        (copy / TABLES / name).unlink()
    tables = load_search_tables(copy, len(loaded.units), len(loaded.passages))
    assert tables is not None and tables.centering is None


def test_a_version_without_the_statistics_is_ranked_by_plain_cosines(service: Verbatim) -> None:
    retriever = service.answerer.retriever
    query = retriever.embedder.embed_queries(["여왕벌은 하루에 알을 몇 개 낳나요?"])
    plain = retriever.dense.scores(query, 400)
    scripts = QuestionScripts.of("여왕벌은 하루에 알을 몇 개 낳나요?")
    assert retriever.dense.centering is not None and retriever.ranking_dense(query, scripts, plain) is not plain
    saved, retriever.dense.centering = retriever.dense.centering, None
    try:
        assert retriever.ranking_dense(query, scripts, plain) is plain  # nothing computed on the serving path
        assert retriever.dense.centering is None
    finally:
        retriever.dense.centering = saved
