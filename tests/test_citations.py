"""Citations: CSL styles chosen by the document's language (GB/T 7714, APA, Chicago), BibTeX and RIS exports."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts

from index import citations
from index.models import Citation, DocumentMeta

ROOT = Path(__file__).resolve().parents[1]
ARTICLE_ID = "korean-peninsula-denuclearization-2019"
ARTICLE_DOI = "10.30382/SSA.201812_(153).0009"


def article_meta() -> DocumentMeta:
    data = json.loads((ROOT / "knowledge" / f"{ARTICLE_ID}.meta.json").read_text(encoding="utf-8"))
    return DocumentMeta.from_dict({**data, "doc_id": ARTICLE_ID})


def english_meta(**changes: object) -> DocumentMeta:
    data: dict[str, object] = {
        "doc_id": "attention-2017",
        "title": "Attention is all you need",
        "author": "Ashish Vaswani, Noam Shazeer and Niki Parmar",
        "journal": "Advances in Neural Information Processing Systems",
        "issue": "30",
        "year": 2017,
        "month": 12,
        "doi": "10.5555/3295222.3295349",
        "language": "en",
    }
    return DocumentMeta.from_dict({**data, **changes})


def cite(meta: DocumentMeta, page: str = "93", section: str = "") -> Citation:
    return Citation(meta=meta, passage_id="p-0123456789ab", section=section, page=page)


def test_the_article_renders_in_gb_t_7714_by_default() -> None:
    citation = cite(article_meta(), page="93")
    expected = f"河凡植, 2019. 朝鮮半島無核化以及終戰宣言對話與觀察[J/OL]. 戰略安全研析(153): 93. DOI:{ARTICLE_DOI}."
    assert citations.default_style(citation.meta) == "gb-t-7714"
    assert citation.author_date() == expected and citation.chinese() == expected
    styles = citation.styles()
    assert list(styles) == ["gb-t-7714", "apa", "chicago"] and styles["gb-t-7714"] == expected
    assert styles["apa"] == f"河凡植. (2019). 朝鮮半島無核化以及終戰宣言對話與觀察. 戰略安全研析, (153), 93. https://doi.org/{ARTICLE_DOI}"
    assert styles["chicago"].startswith("河凡植. 2019. “朝鮮半島無核化以及終戰宣言對話與觀察.” 戰略安全研析, no. 153 (January): 93.")


def test_the_passage_page_range_follows_each_style() -> None:
    styles = cite(article_meta(), page="91–92").styles()
    assert "戰略安全研析(153): 91-92." in styles["gb-t-7714"]  # GB/T 7714 joins a range with a hyphen
    assert "(153), 91–92." in styles["apa"] and ": 91–92." in styles["chicago"]


def test_an_english_document_renders_in_apa_without_chinese_brackets() -> None:
    citation = cite(english_meta(), page="3", section="3 Model Architecture")
    assert citations.default_style(citation.meta) == "apa"
    apa = "Vaswani, A., Shazeer, N., & Parmar, N. (2017). Attention is all you need. Advances in Neural Information Processing Systems, (30), 3. https://doi.org/10.5555/3295222.3295349"
    assert citation.author_date() == apa
    styles = citation.styles()
    assert list(styles) == ["apa", "gb-t-7714", "chicago"]
    # Chicago keeps full given names and puts the period inside the closing quote (American English).
    assert styles["chicago"].startswith("Vaswani, Ashish, Noam Shazeer, and Niki Parmar. 2017. “Attention Is All You Need.” Advances")
    assert styles["gb-t-7714"].startswith("VASWANI A, SHAZEER N, PARMAR N, 2017. Attention is all you need[J/OL].")
    short = citation.short()
    assert short == (
        "Ashish Vaswani, Noam Shazeer, Niki Parmar, “Attention is all you need”, Advances in Neural Information Processing Systems, "
        "no. 30, 2017, § 3 Model Architecture, p. 3, doi:10.5555/3295222.3295349"
    )
    for text in [short, *styles.values(), citation.bibtex(), citation.ris()]:
        assert "〈" not in text and "〉" not in text


def test_the_one_line_citation_brackets_only_cjk_titles() -> None:
    short = cite(article_meta(), page="91–92", section="二、終戰宣言").short()
    assert (
        short
        == f"河凡植, 〈朝鮮半島無核化以及終戰宣言對話與觀察〉, 戰略安全研析, no. 153, 2019, § 二、終戰宣言, p. 91–92, doi:{ARTICLE_DOI}"
    )
    assert citations.title_text("Attention is all you need") == "Attention is all you need"
    assert citations.title_text("핵 협상의 전망") == "〈핵 협상의 전망〉"
    assert citations.byline(article_meta()) == "河凡植〈朝鮮半島無核化以及終戰宣言對話與觀察〉"
    assert citations.byline(english_meta(author="Ashish Vaswani")) == "Ashish Vaswani, “Attention is all you need”"


@pytest.mark.parametrize(
    ("language", "title", "style"),
    [
        ("zh-Hant", "x", "gb-t-7714"),
        ("zh-Hans", "x", "gb-t-7714"),
        ("zh", "x", "gb-t-7714"),
        ("zh_TW", "x", "gb-t-7714"),
        ("en", "朝鮮", "apa"),
        ("ko", "한반도", "apa"),
        ("", "朝鮮半島", "gb-t-7714"),
        ("", "日本の核政策", "apa"),
        ("", "Peace", "apa"),
    ],
)
def test_the_default_style_follows_the_language(language: str, title: str, style: str) -> None:
    assert citations.default_style(english_meta(language=language, title=title)) == style


@pytest.mark.parametrize(
    ("author", "names"),
    [
        ("河凡植", [{"literal": "河凡植"}]),
        ("河凡植、李明", [{"literal": "河凡植"}, {"literal": "李明"}]),
        ("김정은, 문재인", [{"literal": "김정은"}, {"literal": "문재인"}]),
        (
            "Ashish Vaswani, Noam Shazeer and Niki Parmar",
            [{"family": "Vaswani", "given": "Ashish"}, {"family": "Shazeer", "given": "Noam"}, {"family": "Parmar", "given": "Niki"}],
        ),
        ("Vaswani, Ashish", [{"family": "Vaswani", "given": "Ashish"}]),
        (
            "Smith, J. K., Jones, A.; Ng, Andrew",
            [{"family": "Smith", "given": "J. K."}, {"family": "Jones", "given": "A."}, {"family": "Ng", "given": "Andrew"}],
        ),
        (
            "Ludwig van Beethoven & Martin Luther King Jr.",
            [
                {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
                {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
            ],
        ),
        (
            "Martin Luther King, Jr., Ashish Vaswani",
            [{"family": "King", "given": "Martin Luther", "suffix": "Jr."}, {"family": "Vaswani", "given": "Ashish"}],
        ),
        ("", []),
    ],
)
def test_authors_are_split_into_csl_names(author: str, names: list[dict[str, str]]) -> None:
    assert [citations.csl_name(n) for n in citations.split_authors(author)] == names


def _parse_bibtex(text: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts()])
    assert not library.failed_blocks
    return library


def test_bibtex_parses_back_with_the_right_fields() -> None:
    [entry] = _parse_bibtex(cite(article_meta(), page="91–92").bibtex()).entries
    assert (entry.entry_type, entry.key) == ("article", ARTICLE_ID)
    values = {f.key: f.value for f in entry.fields}
    assert values["title"] == "朝鮮半島無核化以及終戰宣言對話與觀察" and values["journal"] == "戰略安全研析"
    assert (values["year"], values["number"], values["pages"], values["doi"], values["month"]) == (
        "2019",
        "153",
        "91--92",
        ARTICLE_DOI,
        "jan",
    )
    [author] = values["author"]
    assert author.last == ["{河凡植}"] and author.first == []  # one unit, never split into given/family

    [entry] = _parse_bibtex(cite(english_meta(title="Q&A: 100% of #1 {sic}"), page="3").bibtex()).entries
    values = {f.key: f.value for f in entry.fields}
    assert values["title"] == r"Q\&A: 100\% of \#1 \{sic\}"
    assert [(a.last, a.first) for a in values["author"]] == [(["Vaswani"], ["Ashish"]), (["Shazeer"], ["Noam"]), (["Parmar"], ["Niki"])]
    assert values["month"] == "dec" and values["pages"] == "3"

    [entry] = _parse_bibtex(cite(english_meta(author="Martin Luther King Jr. and Ludwig van Beethoven")).bibtex()).entries
    assert [(a.von, a.last, a.jr, a.first) for a in entry.fields_dict["author"].value] == [
        ([], ["King"], ["Jr."], ["Martin", "Luther"]),
        (["van"], ["Beethoven"], [], ["Ludwig"]),
    ]


def test_a_document_without_a_journal_is_a_generic_entry() -> None:
    citation = cite(english_meta(journal="", issue="", doi="", doc_id="docker guide/v2"), page="4")
    [entry] = _parse_bibtex(citation.bibtex()).entries
    assert (entry.entry_type, entry.key) == ("misc", "docker-guide-v2") and "journal" not in entry.fields_dict
    assert citation.ris().splitlines()[0] == "TY  - GEN"
    assert citation.styles()["apa"] == "Vaswani, A., Shazeer, N., & Parmar, N. (2017, December). Attention is all you need (p. 4)."


def test_ris_has_the_tagged_lines() -> None:
    lines = cite(article_meta(), page="91–92").ris().splitlines()
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines)
    tags = [line[:2] for line in lines]
    assert tags[0] == "TY" and tags[-1] == "ER" and lines[0] == "TY  - JOUR"
    for wanted in (
        "AU  - 河凡植",
        "TI  - 朝鮮半島無核化以及終戰宣言對話與觀察",
        "T2  - 戰略安全研析",
        "PY  - 2019",
        "DA  - 2019/01//",
        "SP  - 91",
        "EP  - 92",
        f"DO  - {ARTICLE_DOI}",
    ):
        assert wanted in lines, wanted
    english = cite(english_meta(), page="3").ris().splitlines()
    assert [line for line in english if line.startswith("AU")] == ["AU  - Vaswani, Ashish", "AU  - Shazeer, Noam", "AU  - Parmar, Niki"]


def test_to_dict_keeps_its_keys_and_adds_styles_and_exports() -> None:
    citation = cite(article_meta(), page="93", section="二、終戰宣言")
    data = citation.to_dict()
    old = {
        "author",
        "title",
        "journal",
        "issue",
        "year",
        "section",
        "page",
        "doi",
        "doi_url",
        "passage_id",
        "text",
        "author_date",
        "chinese",
    }
    assert old | {"styles", "bibtex", "ris"} <= set(data)
    assert data["styles"] == citation.styles() and data["bibtex"] == citation.bibtex() and data["ris"] == citation.ris()
    assert data["text"] == citation.short() and data["page"] == "93" and data["doi"] == ARTICLE_DOI
    json.dumps(data, ensure_ascii=False)  # the CLI prints it as JSON


def test_styles_are_loaded_once_and_render_the_same_from_many_threads() -> None:
    assert citations._load_style("apa") is citations._load_style("apa")
    jobs = [(article_meta(), str(p), style) for p in range(91, 99) for style in citations.STYLES]
    jobs += [(english_meta(), str(p), style) for p in range(1, 5) for style in citations.STYLES]
    alone = [citations.render_uncached(*job) for job in jobs]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda job: citations.render_uncached(*job), jobs * 3))
    assert together == alone * 3
    assert "戰略安全研析(153): 95." in alone[4 * len(citations.STYLES)]
    # A reference depends only on the document and the page: the cached result is the rendering itself.
    assert citations.render(cite(article_meta(), page="95", section="other"), "apa") == citations.render_uncached(
        article_meta(), "95", "apa"
    )


def test_venue_and_date_pieces_for_the_embeds() -> None:
    meta = article_meta()
    assert citations.venue_text(meta) == "《戰略安全研析》 (Journal of Strategic and Security Analyses) no. 153"
    assert citations.date_text(meta) == "民國108年1月 (2019)" and citations.pages_text(meta) == "91–98"
    english = english_meta()
    assert (
        citations.venue_text(english) == "Advances in Neural Information Processing Systems no. 30"
        and citations.date_text(english) == "2017"
    )


def test_the_cost_script_prints_a_row_per_style() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bench.citation_cost", "--runs", "1", "--warm", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    rows = [line for line in out.stdout.splitlines() if line.startswith("| ") and not line.startswith("| style")]
    assert [row.split(" | ")[0].strip("| ") for row in rows] == list(citations.STYLES)
    assert all(float(cell) > 0 for row in rows for cell in row.strip("| ").split(" | ")[1:])
