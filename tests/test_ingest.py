"""Ingestion of the article: paragraphs, headings, pages, CJK joining, front matter and passages."""

from __future__ import annotations

import json
import re

import pytest

from index.chunking import MAX_PASSAGE_CHARS, passages_for
from index.ingest import join_lines
from index.loaders import SourceFile, doc_id_for, load_document
from tests.conftest import ARTICLE, ARTICLE_META

HEADINGS = ("美朝達成無核化共識", "美朝對北韓棄核進程的分歧與兩韓關係", "未來觀察重點")
CJK_SPACE_CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff60\u3000-\u303f] +[\u3400-\u9fff\uff01-\uff60\u3000-\u303f]")


@pytest.fixture(scope="module")
def article():
    return load_document(SourceFile(ARTICLE, doc_id_for(ARTICLE)))


@pytest.fixture(scope="module")
def passages(article):
    return passages_for(article)


def passage_containing(passages, needle: str):
    squashed = needle.replace(" ", "")
    return next(p for p in passages if squashed in p.text.replace(" ", ""))


def test_headings_are_found_in_order(article):
    assert article.headings == HEADINGS


def test_paragraph_count_and_sections(article):
    # Front matter, the opening paragraph, then 5 + 3 + 2 body paragraphs under the three headings.
    assert len(article.paragraphs) == 12
    sections = [p.section for p in article.paragraphs]
    assert sections.count("") == 2
    assert sections.count(HEADINGS[0]) == 5
    assert sections.count(HEADINGS[1]) == 3
    assert sections.count(HEADINGS[2]) == 2
    assert article.paragraphs[1].text.startswith("2018年 6月 12日，美朝在新加坡舉行高峰會議")
    assert article.paragraphs[-1].text.endswith("瓶頸、挑戰。")


def test_pages_span_91_to_98(article):
    pages = {p.page_start for p in article.paragraphs} | {p.page_end for p in article.paragraphs}
    assert min(pages) == 91 and max(pages) == 98
    assert sorted(pages) == list(range(91, 99))


PAGE_OPENINGS = [
    # The first words of each page, as the extraction's page-break artifacts (a leading space) show them.
    ("2018年 6月 12日，美朝在新加坡", 91),
    ("的第一個任期內完成無核化，且於", 92),
    ("同時表明不排除採取軍事行動", 93),
    ("段性、同步的措施", 94),
    ("先前對北韓無核化的要求", 95),
    ("試驗場和射架", 96),
    ("由於美朝無核化談判三度陷入僵局", 97),
    ("問題的第一個總統", 98),
]


@pytest.mark.parametrize(("needle", "page"), PAGE_OPENINGS)
def test_page_of_known_text(article, needle, page):
    offset = article.text.index(needle)
    para = next(p for p in article.paragraphs if p.start <= offset < p.end)
    assert para.page_at(offset) == page
    if page > 91 and para.start < offset - 1:
        assert para.page_at(offset - 1) == page - 1


def test_passage_crossing_a_page_says_so(passages):
    crossing = passage_containing(passages, "的第一個任期內完成無核化，且於")
    assert crossing.page_start == 91 and crossing.page_end == 92 and crossing.page == "91–92"
    inside = passage_containing(passages, "2018年 7月 6日美國國務卿蓬佩奧")
    assert inside.page == "95"


def test_no_spaces_split_cjk_text(article):
    for para in article.paragraphs:
        assert not CJK_SPACE_CJK.search(para.text), para.text[:40]


def test_latin_spaces_are_kept(article):
    text = article.text
    for phrase in ("Mike Pompeo", "Working Group", "Kim Yong-chol", "The Countries Directly Concerned"):
        assert phrase in text


def test_original_characters_are_kept(article):
    raw = ARTICLE.read_text(encoding="utf-8")
    squashed_raw = re.sub(r"\s+", "", raw)
    for para in article.paragraphs[1:]:
        assert re.sub(r"\s+", "", para.text) in squashed_raw
    # Traditional characters and full-width punctuation survive untouched.
    assert "無核化" in article.text and "无核化" not in article.text
    assert "「川金會」" in article.text and "，" in article.text


def test_front_matter_and_footnote(article):
    front = article.paragraphs[0]
    meta = json.loads(ARTICLE_META.read_text(encoding="utf-8"))
    assert front.text.splitlines()[0] == meta["title"]
    assert "河凡植" in front.text
    assert "國立高雄大學東亞語文學系副教授" in front.text  # the author's footnote
    assert front.page_start == 91
    body = "\n".join(p.text for p in article.paragraphs[1:])
    # Running header, the DOI line and the footnote do not leak into body paragraphs.
    for furniture in ("Journal of Strategic", "戰略安全研析", "doi:", "第一五三期", "作者為"):
        assert furniture not in body


def test_metadata_is_read(article):
    meta = article.meta
    assert meta.title == "朝鮮半島無核化以及終戰宣言對話與觀察"
    assert meta.author == "河凡植"
    assert meta.journal == "戰略安全研析" and meta.issue == "153" and meta.year == 2019
    assert meta.first_page == 91 and meta.doi == "10.30382/SSA.201812_(153).0009"
    assert meta.language == "zh-Hant"


def test_every_passage_has_provenance(article, passages):
    ids = [p.id for p in passages]
    assert len(ids) == len(set(ids))
    for passage in passages:
        assert passage.doc_id == "korean-peninsula-denuclearization-2019"
        assert 0 < len(passage.text) <= MAX_PASSAGE_CHARS
        assert article.text[passage.start : passage.end] == passage.text
        assert passage.page_start is not None and 91 <= passage.page_start <= 98
        assert passage.paragraph >= 1
        assert re.fullmatch(r"p-[0-9a-f]{12}", passage.id)
    sections = {p.section for p in passages}
    assert set(HEADINGS) <= sections


def test_passage_ids_depend_only_on_content(article):
    first = [p.id for p in passages_for(article)]
    again = [p.id for p in passages_for(article)]
    assert first == again


def test_join_lines():
    assert join_lines("美朝在新加坡", "舉行高峰會議") == "美朝在新加坡舉行高峰會議"
    assert join_lines("國務卿 Mike", "Pompeo 赴平壤") == "國務卿 Mike Pompeo 赴平壤"
    assert join_lines("因此 2018", "年 6月") == "因此 2018年 6月"
