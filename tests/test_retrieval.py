"""Retrieval: CJK tokenisation, script normalisation, the English glossary, and fused search on the article."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from index import crosslingual, scripts
from index.crosslingual import (
    Concept,
    Glossary,
    concept_coverage,
    date_concepts,
    document_aliases,
    hangul_bigrams,
    korean_reading,
    romanisation_key,
    stem,
)
from index.lexical import LexicalIndex, TokenIndex, tokens
from index.scripts import cjk_share, hangul_share, to_matching_script
from index.service import Verbatim


def test_cjk_tokens_are_character_bigrams_without_question_words() -> None:
    assert tokens("新加坡峰會") == ["新加", "加坡", "坡峰", "峰会"]
    assert "什么" not in tokens("新加坡峰會是什麼？", query=True)
    # A lone character between punctuation or digits stays a unigram; Latin words and numbers are kept.
    assert tokens("2018年 Mike Pompeo") == ["年", "2018", "mike", "pompeo"]


def test_korean_questions_lose_their_interrogatives_and_question_endings() -> None:
    # Documents are declarative: 어떻게 or -나요 in a question would otherwise reward any passage that happens to hold them.
    assert tokens("버전 번호는 어떻게 정하나요?", query=True) == ["버전", "번호", "호는", "정"]
    assert "어떻" in tokens("버전 번호는 어떻게 정하나요?") and "나요" in tokens("버전 번호는 어떻게 정하나요?")
    from index.signals import KoreanReadings

    readings = KoreanReadings(["어떻게 하는지 설명한다.", "버전 번호를 정한다."])
    scores = readings.scores("버전 번호는 어떻게 정하나요?").dense()
    assert scores[0] == 0 and scores[1] > 0


def test_hangul_runs_give_bigrams() -> None:
    assert tokens("정상회담") == ["정상", "상회", "회담"]


def test_simplified_and_traditional_fold_to_the_same_tokens() -> None:
    assert tokens("蓬佩奥和金永哲的会谈") == tokens("蓬佩奧和金永哲的會談")
    assert to_matching_script("朝鮮半島") == to_matching_script("朝鲜半岛")


def test_region_names_are_matched_across_regions() -> None:
    assert to_matching_script("川普") == to_matching_script("特朗普")
    assert to_matching_script("北韓") == to_matching_script("朝鲜")
    assert to_matching_script("歐巴馬") == to_matching_script("奥巴马")


def test_normalisation_is_for_matching_only(article_service: Verbatim) -> None:
    answer = article_service.ask("特朗普为什么愿意和朝鲜谈判？")
    for scored in answer.passages:
        assert "特朗普" not in scored.passage.text  # the documents say 川普; display text is never converted


def test_cjk_share() -> None:
    assert cjk_share("川普是誰") == 1.0
    assert cjk_share("Who is Trump?") == 0.0
    assert cjk_share("트럼프는 누구입니까?") == 0.0


def test_bm25_prefers_the_matching_text_across_scripts() -> None:
    index = LexicalIndex(["美朝在新加坡舉行高峰會議", "兩韓簽署板門店宣言", "今天天氣很好"])
    scores = index.scores("板门店宣言是什么")
    assert scores.argmax() == 1
    assert index.scores("completely unrelated").max() == 0.0


def test_ascii_text_skips_opencc_because_opencc_leaves_it_unchanged() -> None:
    every_ascii = "".join(chr(code) for code in range(1, 128))
    converter = scripts.opencc_converter()
    assert converter is not None and converter.convert(every_ascii) == every_ascii  # type: ignore[attr-defined]
    assert to_matching_script("The Panmunjom Declaration, ＡＢＣ") == "the panmunjom declaration, abc"  # NFKC, lower case
    assert to_matching_script("Trump 川普 met Kim") == "trump 特朗普 met kim"  # not ASCII: converted


def test_glossary_translates_english_words_found_in_the_documents() -> None:
    glossary = Glossary(["聯合國維持對北韓的制裁。"])
    words = glossary.translate("Were the sanctions maintained?")
    assert "制裁" in words and "维持" in words
    assert glossary.translate("sourdough bread") == []
    assert stem("sanctions") == stem("sanction")


def test_document_aliases_take_the_term_the_documents_reuse() -> None:
    texts = [
        "美國國務卿蓬佩奧（Mike Pompeo）訪問平壤。蓬佩奧與金永哲會談。",
        "北韓金永哲（Kim Yong-chol）同意，金永哲說。一次性名詞甲乙（Only Once）",
    ]
    aliases = document_aliases(texts)
    assert aliases[("mike", "pompeo")] == "蓬佩奥"  # folded; 國務卿蓬佩奧 is used once, 蓬佩奧 twice
    assert aliases[("kim", "yong-chol")] == "金永哲"  # reused in the same document
    assert ("only", "once") not in aliases  # its extent cannot be known from one use


def test_english_dates_become_the_documents_date_forms() -> None:
    def spellings(question: str) -> list[str]:
        return [s for c in date_concepts(question) for s in c.spellings]

    assert spellings("What happened on March 5, 2018?") == ["3月5日"]
    assert spellings("What happened on 5 March?") == ["3月5日"]
    assert spellings("What did they plan for November 2018?") == ["11月"]  # the year is often left out once clear
    assert spellings("What changed in 2018?") == ["2018"]
    assert spellings("Who wins in sport?") == []
    assert spellings("What may North Korea do next?") == []  # 'may' is a month only capitalised or with a day
    assert spellings("What happened on may 26?") == ["5月26日"]


def test_a_date_is_not_found_inside_a_longer_one() -> None:
    january_6 = date_concepts("What happened on January 6?")[0]
    assert not january_6.found_in("11月6日美国期中大选")
    assert january_6.found_in("2019年1月6日")
    january = date_concepts("What happened in January?")[0]
    assert not january.found_in("11月30日") and january.found_in("1月")


def test_concepts_keep_names_and_unambiguous_words_only() -> None:
    glossary = Glossary(["川普在新加坡與金正恩會面，談判陷入僵局。國務卿蓬佩奧（Mike Pompeo）與蓬佩奧的團隊。"])
    concepts = {frozenset(c.spellings): c.kind for c in glossary.concepts("Why did Trump and Pompeo hit a deadlock in Singapore?")}
    assert concepts.get(frozenset({"特朗普"})) == "name"  # a lone last word that names one thing in the documents
    assert concepts.get(frozenset({"蓬佩奥"})) == "name"  # from the documents' own gloss in brackets
    assert concepts.get(frozenset({"新加坡"})) == "name"
    assert concepts.get(frozenset({"僵局"})) == "word"  # 'impasse; deadlock': one meaning, a whole gloss
    assert glossary.concepts("Recommend a good sourdough recipe") == []


def test_common_words_and_pronouns_are_not_names() -> None:
    glossary = Glossary(["美國與北韓追求和平，現代化鐵路，設立核武工作小組（Working Group），新社會主義經濟。"])

    def spellings(question: str) -> set[str]:
        return {s for c in glossary.concepts(question) for s in c.spellings}

    assert "美国" not in spellings("What can you tell us about the railways?")  # 'us' is a pronoun, 'US' a name
    assert "美国" in spellings("What did the US want?")
    assert "现代" not in spellings("Which company benefited?")  # 现代 is 'modern' first, Hyundai second
    assert "和平" not in spellings("Did Taiwan matter?")  # 和平 is also a district of Taiwan, but mostly 'peace'
    assert "新社" not in spellings("Did Taiwan matter?")  # nor does "Xinshe district…, Taiwan" make 新社 Taiwan
    assert "workinggroup" in spellings("What was the Working Group for?")  # the documents' own English, unstemmed
    assert "和平" in glossary.without_names("谁阻碍了和平")  # a content word, not cut out as a name


def test_korean_names_match_across_romanisations() -> None:
    assert romanisation_key("Panmunjom") == romanisation_key("Panmunjeom")
    assert romanisation_key("Pyongyang") == romanisation_key("Pyeongyang")
    assert romanisation_key("Kim Jong Un") == romanisation_key("Kim Jong-un")
    glossary = Glossary(["兩韓簽署板門店宣言，於2018年見面。"])  # CC-CEDICT spells it Panmunjeom
    first = glossary.concepts("What is the Panmunjom Declaration?")[0]
    assert sorted(first.spellings) == ["板门店"]
    assert glossary.concepts("What happened in 2018?") == [Concept(frozenset({"2018"}), "date")]  # digits are no name


def test_concept_coverage_weights_rare_concepts_higher() -> None:
    from index.crosslingual import Concept

    common, rare = Concept(frozenset({"朝鲜"}), "name"), Concept(frozenset({"新加坡"}), "name")
    texts = ["朝鲜新加坡", "朝鲜", "朝鲜", "无关"]
    scores = concept_coverage([common, rare], texts)
    assert scores[0] == pytest.approx(1.0)
    assert scores[3] == 0.0
    assert 0 < scores[1] < 0.5 < scores[0]
    assert concept_coverage([], texts).tolist() == [0.0] * 4


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What was agreed on September 19?", "9月19日兩韓"),  # a date: dense alone quotes the 9月4日 envoy visit
        ("What did Trump say after meeting Moon Jae-in in Argentina?", "阿根廷"),  # a place: dense alone misses it
    ],
)
def test_english_names_and_dates_lift_the_answering_sentence(article_service: Verbatim, question: str, expected: str) -> None:
    answer = article_service.ask(question)
    assert answer.answered and answer.quote is not None
    assert expected in "".join(answer.quote.text.split())


def test_fused_search_finds_the_passage_in_every_language(article_service: Verbatim) -> None:
    retriever = article_service.answerer.retriever
    for question in (
        "新加坡峰會上川普向北韓承諾了什麼？",
        "新加坡峰会上特朗普向朝鲜承诺了什么？",
        "What did Trump promise North Korea in Singapore?",
    ):
        result = retriever.search(question, k=3)
        assert any("承諾提供安全保障" in sp.passage.text for sp in result.passages), question
        assert len(result.passages) == 3
        assert all(len(sp.passage.text) <= 400 for sp in result.passages)
        assert result.found_chinese  # the article is Chinese: what the gate's Chinese-only bars ask of the passage found


def test_passages_are_stored_passages_with_stable_ids(article_service: Verbatim) -> None:
    result = article_service.answerer.retriever.search("板門店宣言", k=3)
    stored = {p.id: p for p in article_service.loaded.passages}
    for sp in result.passages:
        assert stored[sp.passage.id] == sp.passage


def test_coverage_bank_is_cached_on_disk_and_recomputed_when_damaged(tmp_path) -> None:
    import numpy as np

    from index.coverage import CoverageBank

    class Counting:
        model, backend, dimension = "m-test", "b-test", 3
        calls = 0

        def embed_passages(self, texts):  # type: ignore[no-untyped-def]
            Counting.calls += 1
            return np.ones((len(texts), 3), dtype=np.float32)

    sentences = (f"generic sentence {tmp_path.name}", "another one")
    first = CoverageBank(Counting(), sentences, cache_dir=tmp_path).vectors  # type: ignore[arg-type]
    files = list(tmp_path.glob("bank-*.npy"))
    assert Counting.calls == 1 and len(files) == 1 and first.shape == (2, 3)
    from index import coverage

    coverage._CACHE.clear()  # a new process: only the file is left
    assert CoverageBank(Counting(), sentences, cache_dir=tmp_path).vectors.shape == (2, 3)  # type: ignore[arg-type]
    assert Counting.calls == 1
    coverage._CACHE.clear()
    np.save(files[0], np.ones((5, 3), dtype=np.float32))  # wrong shape: embedded again
    assert CoverageBank(Counting(), sentences, cache_dir=tmp_path).vectors.shape == (2, 3)  # type: ignore[arg-type]
    assert Counting.calls == 2
    coverage._CACHE.clear()


def test_glossary_is_ready_at_load_and_bridges_english_questions(article_service: Verbatim) -> None:
    from index.search import Retriever

    retriever = Retriever(article_service.loaded, article_service.answerer.retriever.embedder)
    assert len(retriever.glossary) > 0  # built at load, so no first English asker waits for it
    chinese = retriever.search("板門店宣言的目的是什麼？")
    english = retriever.search("What was the goal of the Panmunjom Declaration?")
    assert chinese.lexical_best > 0 and english.lexical_best > 0  # the English words reach the Chinese text


def test_korean_readings_of_chinese_text_meet_korean_words() -> None:
    assert korean_reading("共同聲明") == "공동성명"
    assert korean_reading("北韓 OK") == "북한 OK"
    # 金 reads 금 in the table; as a surname Korean writes 김. The initial-sound rule (로동/노동) folds away too.
    assert hangul_bigrams(korean_reading("金永哲與勞動黨")) == hangul_bigrams("김영철여노동당")
    assert "성명" in hangul_bigrams("공동성명에는 무엇이")
    assert hangul_share("공동성명은?") == 1.0 and hangul_share("共同聲明") == 0.0


def test_token_index_scores_only_known_tokens() -> None:
    index = TokenIndex([hangul_bigrams(korean_reading(t)) for t in ("美朝簽署聯合聲明", "兩韓鐵路與公路", "")])
    assert index.scores(hangul_bigrams("연합성명을 발표했다")).argmax() == 0
    assert index.scores(hangul_bigrams("남북한 철로와 공로")).argmax() == 1
    assert index.scores(hangul_bigrams("김치찌개")).max() == 0.0
    assert TokenIndex([]).scores(["x"]).shape == (0,)


def test_korean_questions_use_the_readings_index(article_service: Verbatim) -> None:
    from index.search import Retriever

    retriever = Retriever(article_service.loaded, article_service.answerer.retriever.embedder)
    assert retriever.search("板門店宣言的目的是什麼？").readings_best == 0.0  # only Korean questions use the readings
    result = retriever.search("김영철은 왜 11월 미국 방문을 취소했나요?")
    assert result.readings_best > 0
    assert any("金永哲取消11月7日訪問美國" in sp.passage.text.replace(" ", "") for sp in result.passages[:1])


def test_question_identifiers_are_names_and_numbers_written_as_documents_would() -> None:
    from index.crosslingual import question_identifiers

    assert question_identifiers("Brotli는 언제 RFC 7932로 표준화되었나요?") == ["Brotli", "RFC", "7932"]
    assert question_identifiers("MIT 라이선스와 GPL 라이선스는 어떻게 다른가요?") == ["MIT", "GPL"]
    assert question_identifiers("What changed in version 2.1 of CalVer?") == ["2.1", "CalVer"]
    assert question_identifiers("What did Trump and the US agree in Singapore?") == []  # may be written 川普, 美國, 新加坡
    assert question_identifiers("문재인 대통령은 G20에서 무엇을 논의했습니까?") == []  # letter-digit names vary across scripts
    assert question_identifiers("<@&1100000000000000002> 平壤宣言承諾了什麼？") == []  # a chat mention's id is no name
    # A gloss translating the word before it names nothing; an acronym in brackets does.
    assert question_identifiers("Astro에서 말하는 '섬(island)'이란 무엇인가요?") == ["Astro"]
    assert question_identifiers("為什麼不多發幾個小版本（minor release）？") == []
    assert question_identifiers("单页应用（SPA）的主要缺点是什么？") == ["SPA"]
    # A possessive names what it is of: a document writing RocketMQ writes what "RocketMQ's" asks about.
    assert question_identifiers("How many delay levels does RocketMQ's broker have?") == ["RocketMQ"]


def test_identifiers_the_documents_never_write_raise_the_coverage_bar() -> None:
    from index.crosslingual import Glossary
    from index.gate import required_margin
    from index.params import DEFAULT_PARAMS
    from index.search import SearchResult

    glossary = Glossary(["Semantic versioning v1.2.3 uses MAJOR.MINOR.PATCH; see CVE-2014-7189 and NOI2025."])
    assert glossary.unknown_identifiers("1.2.3 버전은 무엇인가요?") == []  # inside v1.2.3
    assert glossary.unknown_identifiers("CVE-2014-7189의 점수는?") == []
    assert glossary.unknown_identifiers("GPL과 1.5 버전은?") == ["GPL", "1.5"]
    # A dictionary word in lower case may be written in the documents' own script (hook -> 훅); a package name is a name.
    assert glossary.unknown_identifiers("寫外掛時可以在 hook 裡做耗時的工作嗎？") == []
    assert glossary.unknown_identifiers("這個專案裡 webpack 和 dotenv 的設定檔應該放在哪一個資料夾？") == ["webpack", "dotenv"]
    assert glossary.unknown_identifiers("這份文件裡的 Hook 指的是什麼東西？") == ["Hook"]  # capitalised: a name, as before
    # An English question's plain words may be written in another script, but not a file, domain or member name.
    assert glossary.unknown_identifiers("How does npm read a caret range in package.json, e.g. for U.S. users?") == ["package.json"]
    assert glossary.unknown_identifiers("Does semantic versioning use MAJOR.MINOR.PATCH?") == []  # the documents write it
    # A question's language is that of most of its words, not of its letters: long Latin names keep a Korean question
    # Korean, so all of them are identifiers, as in any Korean question.
    korean = "Prometheus 알림을 Slack으로 보내려면 Alertmanager를 어떻게 설정하나요?"
    assert glossary.unknown_identifiers(korean) == ["Prometheus", "Slack", "Alertmanager"]
    plain = SearchResult([], [], lexical_best=1.0)
    flagged = SearchResult([], [], lexical_best=1.0, unknown_identifiers=("GPL",))
    assert required_margin(plain) == DEFAULT_PARAMS.coverage_margin
    assert required_margin(flagged) == DEFAULT_PARAMS.unknown_identifier_margin > DEFAULT_PARAMS.coverage_margin


def test_the_bars_of_a_chinese_questions_shared_bigrams_apply_to_chinese_passages_only() -> None:
    from index.gate import required_margin
    from index.params import DEFAULT_PARAMS
    from index.search import SearchResult

    # Few of the question's bigrams anywhere in the documents: the higher bar when the passage found is Chinese only.
    few = {"lexical_best": 1.0, "known_share": 0.2}
    assert required_margin(SearchResult([], [], found_chinese=True, **few)) == DEFAULT_PARAMS.no_word_margin
    assert required_margin(SearchResult([], [], found_chinese=False, **few)) == DEFAULT_PARAMS.coverage_margin
    # Nothing but the documents' names in common: the same.
    names = {"lexical_best": 1.0, "content_tokens": 3, "content_share": 0.0}
    assert required_margin(SearchResult([], [], found_chinese=True, **names)) == DEFAULT_PARAMS.nothing_but_names_margin
    assert required_margin(SearchResult([], [], found_chinese=False, **names)) == DEFAULT_PARAMS.coverage_margin
    # No word in common at all still raises the bar whatever the passage's language.
    assert required_margin(SearchResult([], [], found_chinese=False)) == DEFAULT_PARAMS.no_word_margin
    # Without the scope (the earlier rule), the shares raise the bar about any passage.
    unscoped = dataclasses.replace(DEFAULT_PARAMS, chinese_shares_need_chinese_passage=False)
    assert required_margin(SearchResult([], [], found_chinese=False, **few), unscoped) == DEFAULT_PARAMS.no_word_margin


def test_english_names_are_the_capitalised_words_but_each_sentences_first() -> None:
    from index.crosslingual import Glossary, english_names

    assert english_names("What CVSS score did the Go team's report give? Which one did Zstandard get?") == ["CVSS", "Go", "Zstandard"]
    assert english_names("How do I know if the v2 API changed?") == ["API"]  # "I" and letter-digit names are left out
    assert english_names("Rust 보안 팀은 누구인가요?") == []  # not an English question: its Latin words are identifiers already
    glossary = Glossary(["The Go security team scores each report; see CVE-2014-7189."])
    assert glossary.unknown_names("What CVSS score did the Go team give CVE-2014-7189?") == ["CVSS"]


def test_chinese_questions_reach_korean_and_english_units_through_readings_and_glosses() -> None:
    from index.signals import ChineseEnglishBridge, KoreanReadings

    units = ["의존성 지옥에 빠진 것이다.", "The static dictionary contains English words.", "北韓同意棄核。"]
    readings = KoreanReadings(units)
    found = readings.chinese_scores("依賴地獄是什麼？")  # 地獄 read in Korean is 지옥
    assert found is not None
    scores = found.dense()
    assert scores[0] > 0 and scores[2] == 0  # Chinese units are left to the lexical signal
    assert readings.chinese_known_share("地獄") == 1.0 and readings.chinese_known_share("火山") == 0.0
    bridge = ChineseEnglishBridge(units)
    english = bridge.scores("靜態詞典裡有多少單詞？")
    assert english is not None and int(english.dense().argmax()) == 1
    assert bridge.known_share("詞典") == 1.0 and bridge.known_share("火山") == 0.0


def test_document_phrases_keep_the_first_spelling_whatever_the_hash_seed() -> None:
    from index.crosslingual import latin_phrases

    # Several spellings of one phrase: the first in the documents wins (it used to depend on set iteration order, so
    # answers changed between processes).
    assert latin_phrases("a working.group met; then a working group met")[("work", "group")] == "working.group"
    assert latin_phrases("a working group met; then a working.group met")[("work", "group")] == "workinggroup"


def test_a_language_resource_that_fails_to_load_is_recorded_for_status(monkeypatch: pytest.MonkeyPatch) -> None:
    assert crosslingual.language_resources() == {"OpenCC": "loaded", "CC-CEDICT": "loaded", "hanja table": "loaded"}
    monkeypatch.setitem(scripts.RESOURCES, "hanja table", "loaded")  # restored afterwards

    def missing(package: str) -> object:
        raise ModuleNotFoundError(f"No module named {package!r}")

    monkeypatch.setattr(crosslingual.resources, "files", missing)
    crosslingual._hanja_readings.cache_clear()
    try:
        assert crosslingual._hanja_readings() == {}  # degrades: Korean questions use the dense signal only
        state = crosslingual.language_resources()
        assert state["hanja table"] == "unavailable: No module named 'hanja'"
        assert state["OpenCC"] == state["CC-CEDICT"] == "loaded"
    finally:
        monkeypatch.undo()
        crosslingual._hanja_readings.cache_clear()
    assert crosslingual.language_resources()["hanja table"] == "loaded"


def test_a_question_matching_only_code_is_refused_unless_it_names_the_code() -> None:
    from index.chunking import passages_for
    from index.gate import GateDecision, only_code
    from index.loaders import SourceFile, doc_id_for, load_document
    from index.models import ScoredPassage
    from index.params import DEFAULT_PARAMS
    from index.search import SearchResult

    path = Path(__file__).parent / "fixtures" / "documents" / "en-go-security-policy-proposal.md"
    passages = passages_for(load_document(SourceFile(path, doc_id_for(path))))
    code = [ScoredPassage(p, 0.8) for p in passages if p.kind == "code"][:3]
    prose = [ScoredPassage(p, 0.8) for p in passages if p.kind == "prose"][:1]
    assert len(code) == 3 and "BEGIN PGP PUBLIC KEY BLOCK" in " ".join(sp.passage.text for sp in code)
    covered = GateDecision(True, 0.02, 0.0)
    only_code_found = SearchResult(code, [])
    refused = only_code("What is the capital of Australia?", only_code_found, covered)
    assert not refused.covered and "only code" in refused.reason and refused.margin == covered.margin
    # A question that writes code, or a word the code blocks hold, may be answered by them; prose among them too.
    assert only_code("What does `gpg --import` do?", only_code_found, covered).covered
    assert only_code("Which tool made the PGP key block?", only_code_found, covered).covered
    assert only_code("What is the capital of Australia?", SearchResult(code[:2] + prose, []), covered).covered
    # Code demoted in the ranking (`kind_demotion`) is still what the question came nearest to.
    demoted = SearchResult(prose + code[:2], [], undemoted=[sp.passage for sp in code])
    assert not only_code("What is the capital of Australia?", demoted, covered).covered
    assert only_code("Which tool made the PGP key block?", demoted, covered).covered
    # A Chinese or Korean question cannot name the code's Latin words: it is held to the ranking after the demotion, where
    # prose came first; with code first there as well it is refused too.
    assert only_code("澳洲的首都是哪裡？", demoted, covered).covered
    assert not only_code("澳洲的首都是哪裡？", only_code_found, covered).covered
    before = dataclasses.replace(DEFAULT_PARAMS, only_code_across_scripts_demoted=False)
    assert not only_code("澳洲的首都是哪裡？", demoted, covered, before).covered
    assert only_code("What is the capital of Australia?", only_code_found, GateDecision(False, -0.1, 0.0)) == GateDecision(False, -0.1, 0.0)


def test_questions_of_quantity_want_a_number_in_any_language() -> None:
    from index.answer_type import asks_for_quantity, gives_quantity

    for question in (
        "How many files does the corpus hold?",
        "How long does a review take?",
        "What percentage of users upgraded?",
        "每週要投入多少時間？",
        "分成几个组？",
        "몇 명이 참가하나요?",
        "시간이 얼마나 걸렸나요?",
    ):
        assert asks_for_quantity(question), question
    for question in ("Which license does it use?", "分成哪幾輪比賽？", "幾乎所有人都同意嗎？", "為什麼用幾何平均？", "누가 작성했나요?"):
        assert not asks_for_quantity(question), question
    for text in ("within 48 hours", "two reviewers", "三位維護者", "一年兩次", "두 번 검토한다", "다섯 가지 규칙"):
        assert gives_quantity(text), text
    for text in ("Reviewers read every change.", "維護者會審查每個變更。", "모든 변경을 검토한다."):
        assert not gives_quantity(text), text
