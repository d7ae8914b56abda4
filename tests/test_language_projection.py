"""Language-neutral cosines across languages: the directions, the projection, and the ranking on a real index."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from index.coverage import generic_bank, generic_bank_topics
from index.language_projection import LanguageProjection, language_directions, project
from index.service import Verbatim
from index.signals import CENTERING_LANGUAGES, NO_LANGUAGE, DenseSignal, QuestionScripts, prose_languages, script_language

LATIN, CHINESE, KOREAN = range(len(CENTERING_LANGUAGES))


def _translations(seed: int = 0) -> list[np.ndarray]:
    """Groups of one 'sentence' in three 'languages': a content vector plus one fixed offset per language."""
    rng = np.random.default_rng(seed)
    offsets = np.zeros((3, 16))
    offsets[0, 0], offsets[1, 1], offsets[2, 0] = 2.0, 2.0, -2.0
    return [rng.normal(size=16) * np.r_[0.0, 0.0, [1.0] * 14] + offsets + rng.normal(scale=0.01, size=(3, 16)) for _ in range(40)]


def test_the_directions_span_the_language_offsets_and_removing_them_makes_translations_alike() -> None:
    groups = _translations()
    directions, values = language_directions(groups)
    assert np.allclose(directions @ directions.T, np.eye(len(directions)), atol=1e-5)
    assert values[1] > 10 * values[2]  # two strong directions (three languages), then noise
    projection = LanguageProjection(directions[:2], np.zeros((3, 3), dtype=np.float32))
    group = groups[0]
    plain = group / np.linalg.norm(group, axis=1, keepdims=True)
    neutral = projection.apply(group)
    assert float(plain[0] @ plain[1]) < 0.9
    assert float(neutral[0] @ neutral[1]) > 0.99  # the same sentence in two languages


def _projection_and_units(seed: int, count: int) -> tuple[LanguageProjection, np.ndarray, np.random.Generator]:
    """The two language directions of `_translations`, and `count` random unit vectors."""
    rng = np.random.default_rng(seed)
    directions, _ = language_directions(_translations())
    units = rng.normal(size=(count, 16)).astype(np.float32)
    return LanguageProjection(directions[:2], np.zeros((3, 3), dtype=np.float32)), units / np.linalg.norm(units, axis=1, keepdims=True), rng


def test_projected_cosines_of_raw_unit_vectors_are_the_cosines_of_both_sides_projected() -> None:
    projection, units, rng = _projection_and_units(1, 30)
    query = projection.apply(rng.normal(size=(1, 16)))
    expected = project(units, projection.directions) @ query[0]
    assert np.allclose(projection.cosines(units, query[0]), expected, atol=1e-5)


def test_the_ranking_keeps_plain_cosines_in_the_questions_language_and_projects_the_others() -> None:
    projection, vectors, rng = _projection_and_units(2, 40)
    flat = faiss.IndexFlatIP(16)
    flat.add(vectors)
    signal = DenseSignal(flat, len(vectors), vectors)
    languages = np.array([LATIN, KOREAN, NO_LANGUAGE, CHINESE] * 10, dtype=np.uint8)
    query = rng.normal(size=(1, 16)).astype(np.float32)
    query /= np.linalg.norm(query)
    plain = signal.scores(query, 5)
    ranked = signal.projected_scores(query, plain, 5, projection, LATIN, languages)
    scores = dict(zip(ranked.candidates.tolist(), ranked.candidate_scores.tolist(), strict=True))
    projected = projection.cosines(vectors, projection.apply(query)[0])
    for unit, score in scores.items():
        own = languages[unit] in (LATIN, NO_LANGUAGE)
        assert score == pytest.approx(float(vectors[unit] @ query[0]) if own else float(projected[unit]), abs=1e-5)
    # The projected search adds the units that rank best once projected, beside the plain search's.
    assert set(plain.candidates.tolist()) <= set(scores)
    best_projected = [u for u in np.argsort(-projected).tolist() if languages[u] in (KOREAN, CHINESE)][:1]
    assert set(best_projected) <= set(scores)
    assert ranked.candidate_scores.tolist() == sorted(ranked.candidate_scores.tolist(), reverse=True)


def test_a_units_language_is_that_of_most_of_its_words_not_of_its_letters_or_addresses() -> None:
    languages = prose_languages(
        [
            "更多信息请参见：https://www.openchainproject.org/getting-started/",
            "https://www.openchainproject.org/",
            "문의: security@golang.org",
            "Keep the hive dry in winter.",
            "2015-09-22",
            "APIO、IOI 都是 IOI 赛制．",  # most of its letters are Latin, most of its words Chinese
            "OpenChain 프로젝트는 오픈 소스 라이선스 컴플라이언스를 간단하게 한다.",
            "The 유의적 버전 spec is called SemVer in English.",
        ]
    )
    assert languages.tolist() == [CHINESE, NO_LANGUAGE, KOREAN, LATIN, NO_LANGUAGE, CHINESE, KOREAN, LATIN]
    assert script_language(*_shares("APIO、IOI 都是 IOI 赛制．")) == LATIN  # by letters, as language centering counts


def test_the_banks_topics_are_one_statement_in_each_language() -> None:
    topics = generic_bank_topics()
    assert len(topics) == len(generic_bank())
    for topic in dict.fromkeys(topics):
        texts = [t for t, label in zip(generic_bank(), topics, strict=True) if label == topic]
        assert sorted(script_language(*_shares(t)) for t in texts) == [LATIN, CHINESE, CHINESE, KOREAN]


def _shares(text: str) -> tuple[float, float]:
    from index.scripts import letter_shares

    return letter_shares(text)


@pytest.fixture
def service(english_and_korean_service: Verbatim) -> Verbatim:
    return english_and_korean_service


def test_with_the_real_model_the_bank_gives_directions_that_bring_a_translation_closer(service: Verbatim) -> None:
    retriever = service.answerer.retriever
    projection = LanguageProjection.of_bank(retriever.embedder, 5)
    assert projection is not None and projection.directions.shape == (5, retriever.embedder.dimension)
    question = retriever.embedder.embed_queries(["At what temperature should green tea be brewed?"])
    units = np.asarray(retriever.embedder.embed_passages(["녹차는 섭씨 70도 정도의 물로 우려야 쓴맛이 덜하다.", "Smoke calms the bees."]))
    plain = units @ question[0]
    neutral = projection.cosines(units, projection.apply(question)[0])
    # The Korean answer gains on the English sentence about something else once the languages' directions are gone.
    assert neutral[0] - neutral[1] > plain[0] - plain[1]
    # On e5-small the projection lifts an English question's cosines with unrelated Chinese and Korean text above those
    # with unrelated English text, and lowers a Chinese or Korean question's with unrelated English text.
    assert projection.offsets.shape == (3, 3)
    assert projection.offsets[LATIN, CHINESE] > 0 and projection.offsets[LATIN, KOREAN] > 0
    assert projection.offsets[CHINESE, LATIN] < 0 and projection.offsets[KOREAN, LATIN] < 0
    assert not projection.applies_to(LATIN) and projection.applies_to(CHINESE) and projection.applies_to(KOREAN)


def test_only_questions_the_projection_does_not_bias_towards_other_languages_are_projected() -> None:
    offsets = np.array([[0.0, 0.05, 0.04], [-0.02, 0.0, 0.01], [-0.02, 0.03, 0.0]], dtype=np.float32)
    projection = LanguageProjection(np.eye(2, 4, dtype=np.float32), offsets)
    assert [projection.applies_to(language) for language in (LATIN, CHINESE, KOREAN)] == [False, True, False]
    assert not projection.applies_to(NO_LANGUAGE)


def test_a_korean_question_about_the_english_document_ranks_by_language_neutral_cosines(service: Verbatim) -> None:
    retriever = service.answerer.retriever
    before = retriever.params
    retriever.params = before.with_changes(language_directions=5)
    try:
        question = "꿀벌 여왕은 하루에 알을 몇 개 낳나요?"
        query = retriever.embedder.embed_queries([question])
        scripts = QuestionScripts.of(question)
        ranking = retriever.ranking_dense(query, scripts, retriever.dense.scores(query, retriever.params.dense_depth))
        projection = retriever._language_projection()
        assert projection is not None and projection.applies_to(KOREAN)
        languages = prose_languages(retriever.loaded.unit_texts())
        vectors = np.asarray(retriever.loaded.embeddings(), dtype=np.float32)
        neutral = projection.cosines(vectors, projection.apply(query)[0])
        for unit, score in zip(ranking.candidates.tolist(), ranking.candidate_scores.tolist(), strict=True):
            expected = float(vectors[unit] @ query[0]) if languages[unit] in (KOREAN, NO_LANGUAGE) else float(neutral[unit])
            assert score == pytest.approx(expected, abs=1e-4)
        assert "queen" in retriever.loaded.unit_texts()[int(ranking.candidates[0])]
        # An English question keeps today's ranking (language centering): the projection would favour other languages.
        english = "How many eggs does the queen lay?"
        english_query = retriever.embedder.embed_queries([english])
        english_plain = retriever.dense.scores(english_query, retriever.params.dense_depth)
        projected = retriever.ranking_dense(english_query, QuestionScripts.of(english), english_plain)
        retriever.params = before.with_changes(language_directions=0)
        centered = retriever.ranking_dense(english_query, QuestionScripts.of(english), english_plain)
        assert projected.candidates.tolist() == centered.candidates.tolist()
        assert np.allclose(projected.candidate_scores, centered.candidate_scores)
    finally:
        retriever.params = before


def test_an_index_of_one_language_is_ranked_as_before(article_service: Verbatim) -> None:
    retriever = article_service.answerer.retriever
    assert retriever.params.language_directions > 0
    assert retriever._language_projection() is None  # the article alone: Chinese units only
