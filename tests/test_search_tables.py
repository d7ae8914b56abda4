"""The search tables saved with a version load memory-mapped and score exactly as the tables built in memory."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.models import DocumentMeta, Passage
from index.scripts import to_matching_script
from index.search_tables import TABLES, build_search_tables, load_search_tables
from index.signals import QuestionScripts
from index.store import IndexStore, LoadedIndex, Manifest, new_version_id
from index.units import input_key, units_for

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
