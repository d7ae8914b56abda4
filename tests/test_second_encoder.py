"""The second encoder (USE-m v3): its vectors written with each version and blended only where Korean meets another language."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from index import second_encoder
from index.config import Settings
from index.second_encoder import KOREAN, SECOND_DIMENSION, SECOND_MODEL, SecondDense, blended_pair, get_second_encoder
from index.service import Verbatim
from index.signals import CENTERING_LANGUAGES, DenseScores, QuestionScripts
from index.store import SECOND_EMBEDDINGS, IndexStore

DOCUMENTS = Path(__file__).parent / "fixtures" / "documents"
LATIN, CHINESE = CENTERING_LANGUAGES.index("latin"), CENTERING_LANGUAGES.index("chinese")


def test_blended_pairs_are_those_with_korean_on_one_side_only() -> None:
    units = np.array([LATIN, CHINESE, KOREAN])
    assert blended_pair(LATIN, units).tolist() == [False, False, True]
    assert blended_pair(CHINESE, units).tolist() == [False, False, True]
    assert blended_pair(KOREAN, units).tolist() == [True, True, False]


def test_the_encoder_embeds_translations_closer_than_unrelated_sentences() -> None:
    encoder = get_second_encoder()
    vectors = encoder.embed(
        ["The weather is cold today.", "오늘은 날씨가 춥다.", "今天天氣很冷。", "Versions are numbered major.minor.patch."]
    )
    assert vectors.shape == (4, SECOND_DIMENSION) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    similar = vectors @ vectors.T
    assert similar[0, 1] > similar[0, 3] + 0.2 and similar[1, 2] > similar[1, 3] + 0.2
    assert np.allclose(encoder.embed_query("오늘은 날씨가 춥다."), vectors[1], atol=1e-5)


@pytest.fixture
def korean_and_english(settings_factory: Callable[..., Settings]) -> Verbatim:
    settings = settings_factory(with_article=False)
    for name in ("ko-semantic-versioning-2.0.0.md", "en-go-security-policy-excerpt.txt"):
        shutil.copy(DOCUMENTS / name, settings.knowledge_dir / name)
    service = Verbatim(settings)
    service.ensure_ready()
    return service


def _ranking(service: Verbatim, question: str, weight: float) -> np.ndarray:
    """Every unit's ranking dense score for `question` with the second encoder at `weight`."""
    retriever = service.answerer.retriever
    retriever.params = retriever.params.with_changes(second_encoder_weight=weight)
    query = retriever.embedder.embed_queries([question])
    scripts = QuestionScripts.of(question)
    plain = retriever.dense.scores(query, retriever.params.dense_depth)
    return retriever.ranking_signals(question, query, scripts, plain).dense.scores


def test_each_version_holds_the_second_vectors_and_blends_them_for_korean_pairs_only(korean_and_english: Verbatim) -> None:
    loaded = korean_and_english.store.load()
    assert loaded.manifest.second_model == SECOND_MODEL
    assert (loaded.path / SECOND_EMBEDDINGS).is_file()
    assert not (loaded.path / "second_vectors.faiss").exists()  # no index of its own: it re-scores e5's candidates
    second = loaded.second_embeddings()
    assert second is not None and second.shape == (len(loaded.units), SECOND_DIMENSION)
    # The stored vector of a unit is the encoder's vector of its text.
    assert np.allclose(second[5], get_second_encoder().embed([loaded.unit_text(5)])[0], atol=1e-5)
    retriever = korean_and_english.answerer.retriever
    assert retriever.second is not None and retriever.dense.centering is not None
    assert korean_and_english.status()["second_encoder"] == SECOND_MODEL
    korean = retriever.dense.centering.unit_languages == KOREAN
    assert korean.any() and (~korean).any()
    for question, moved in (
        ("When must the major version be incremented?", korean),
        ("주 버전은 언제 올려야 하나요?", ~korean),
    ):
        alone, blended = _ranking(korean_and_english, question, 0.0), _ranking(korean_and_english, question, 0.25)
        assert np.array_equal(alone[~moved], blended[~moved]), question  # the question's own language: e5 alone
        assert not np.allclose(alone[moved], blended[moved]), question


def test_the_blend_is_e5_and_the_second_encoders_cosines_on_e5s_scale(korean_and_english: Verbatim) -> None:
    """Recomputed from scratch: the question's own vectors, every unit's text embedded afresh, e5's exact scores."""
    retriever = korean_and_english.answerer.retriever
    loaded = korean_and_english.store.load()
    texts = loaded.unit_texts()
    question = "When must the major version be incremented?"
    retriever.params = retriever.params.with_changes(second_encoder_weight=0.25)
    query = retriever.embedder.embed_queries([question])
    scripts = QuestionScripts.of(question)
    plain = retriever.dense.scores(query, retriever.params.dense_depth)
    signals = retriever.ranking_signals(question, query, scripts, plain)
    before, blended = signals.dense_before_second, signals.dense
    assert before is not None and before is not blended
    # e5's exact ranking scores agree with the ranking's own for its candidates (the mapping reads them for every unit).
    everyone = np.arange(len(texts))
    assert retriever.dense.vectors is not None
    first = retriever.ranking_scores_at(query, scripts, before, everyone, np.asarray(retriever.dense.vectors, dtype=np.float32)).astype(
        np.float64
    )
    assert np.allclose(first[before.candidates], before.candidate_scores, atol=1e-5)
    second = (get_second_encoder().embed(texts) @ get_second_encoder().embed_query(question)).astype(np.float64)
    mapped = (second - second.mean()) * (first.std() / second.std()) + first.mean()
    assert retriever.dense.centering is not None
    korean = retriever.dense.centering.unit_languages == KOREAN
    units = blended.candidates
    expected = np.where(korean[units], 0.75 * first[units] + 0.25 * mapped[units], before.at(units))
    assert np.allclose(blended.candidate_scores, expected, atol=2e-4)
    # The gate's view of each unit (`UnitHit.dense`) is e5's: the second encoder only ranks.
    result = retriever.search(question)
    assert all(abs(hit.dense - float(before.at(np.array([hit.unit]))[0])) < 1e-6 for hit in result.unit_hits)


def test_a_rebuild_embeds_only_new_units_and_a_version_without_second_vectors_ranks_by_e5(korean_and_english: Verbatim) -> None:
    settings = korean_and_english.settings
    before = korean_and_english.store.load()
    # Named to sort first, so that its units come before the others': rows move, and vectors must follow their keys.
    shutil.copy(DOCUMENTS / "zh-hans-oi-wiki-command-line.md", settings.knowledge_dir / "a-zh-hans-oi-wiki-command-line.md")
    events: list[tuple[str, int, int]] = []
    report = korean_and_english.build(progress=lambda stage, done, total: events.append((stage, done, total)))
    after = korean_and_english.store.load()
    second_totals = {total for stage, _, total in events if stage == "second-encoder"}
    new_units = len(after.units) - len(before.units)
    assert len(report.added) == 1 and second_totals and max(second_totals) <= new_units
    old_second, new_second = before.second_embeddings(), after.second_embeddings()
    assert old_second is not None and new_second is not None
    row_of = {key: row for row, key in enumerate(after.unit_keys)}
    kept = [row_of[key] for key in before.unit_keys]
    assert kept != list(range(len(kept)))  # the old units did move
    assert np.array_equal(new_second[kept], np.asarray(old_second))
    assert np.allclose(new_second, get_second_encoder().embed(after.unit_texts()), atol=1e-5)  # every row is its unit's

    # A version written before the second encoder: no such files, "" in its manifest; it loads and answers by e5.
    store = IndexStore(settings.index_dir)
    manifest = after.manifest
    manifest.second_model, manifest.version = "", "20200101T000000Z-000000"
    staging = store.new_staging_dir(manifest.version)
    store.activate(
        store.write_version(staging, manifest, after.passages, after.units, after.unit_keys, np.asarray(after.embeddings()), after.texts)
    )
    service = Verbatim(settings)
    service.load()
    assert not (store.current_path() / SECOND_EMBEDDINGS).exists()  # type: ignore[operator]
    assert service.answerer.retriever.second is None and service.status()["second_encoder"] is None
    assert service.ask("When must the major version be incremented?").passages


def test_a_large_index_maps_the_second_encoder_by_a_sample_as_by_every_unit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    size = 20_000
    centres = rng.normal(size=(40, 16)).astype(np.float32)
    second = centres[rng.integers(40, size=size)] + 0.6 * rng.normal(size=(size, 16)).astype(np.float32)
    second /= np.linalg.norm(second, axis=1, keepdims=True)
    e5 = rng.normal(size=(size, 8)).astype(np.float32)
    languages = rng.choice([LATIN, CHINESE, KOREAN], size=size)
    # As stored: memory-mapped files, whose rows are read with pread.
    np.save(tmp_path / "second.npy", second)
    np.save(tmp_path / "e5.npy", e5)
    mapped_second, mapped_e5 = np.load(tmp_path / "second.npy", mmap_mode="r"), np.load(tmp_path / "e5.npy", mmap_mode="r")
    sampled = SecondDense(mapped_second, languages, mapped_e5)
    monkeypatch.setattr(second_encoder, "MAPPING_SAMPLE", size)
    exact = SecondDense(second, languages, e5)
    assert len(sampled.population) == 4096 < size == len(exact.population)
    assert np.array_equal(sampled.population_e5, e5[sampled.population])
    assert np.array_equal(sampled.population_second, second[sampled.population])
    # e5's ranking scores of every unit (exact, as the retriever computes them), its 400 best its candidates.
    query = second[7] + 0.3 * second[11]
    query /= np.linalg.norm(query)
    scores = (e5 @ rng.normal(size=8).astype(np.float32) * 0.1 + 0.8).astype(np.float32)
    best = np.argsort(-scores)[:400]
    ranking = DenseScores(best, scores[best], float(scores[best].min()), size)
    a = sampled.blend(ranking, query, CHINESE, 0.25, scores[sampled.population])
    b = exact.blend(ranking, query, CHINESE, 0.25, scores)
    assert np.array_equal(np.sort(a.candidates), np.sort(best)) and np.array_equal(np.sort(b.candidates), np.sort(best))
    assert np.allclose(a.at(b.candidates), b.candidate_scores, atol=2e-3)
    assert len(np.intersect1d(a.candidates[:20], b.candidates[:20])) >= 18
    # Only Korean units moved, each by 0.25 x (its USE-m cosine on e5's scale - e5's score).
    korean = languages[b.candidates] == KOREAN
    assert np.array_equal(b.candidate_scores[~korean], scores[b.candidates[~korean]])
    cosines = (second @ query).astype(np.float64)
    on_e5 = (cosines - cosines.mean()) * (scores.std() / cosines.std()) + scores.mean()
    units = b.candidates[korean]
    assert np.allclose(b.candidate_scores[korean], 0.75 * scores[units] + 0.25 * on_e5[units], atol=1e-5)
    moved = b.candidate_scores[korean] - scores[b.candidates[korean]]
    assert moved.std() > 0.1 * scores[b.candidates].std()  # USE-m's term is not flattened by the index's size
    assert b.floor == ranking.floor  # units left out keep e5's floor
