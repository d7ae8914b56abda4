"""PDF ingestion by layout: two real PDFs (see tests/fixtures/documents/SOURCES.md) and a few built ones."""

from __future__ import annotations

import io
import re
import statistics
from pathlib import Path

import pytest

from index import pdf_loader
from index.chunking import passages_for
from index.errors import DocumentError
from index.loaders import SourceFile, doc_id_for, load_document
from index.models import DocumentMeta

FIXTURES = Path(__file__).parent / "fixtures" / "documents"
LIPICS = FIXTURES / "en-lipics-authors-guidelines-2021.pdf"
BROTLI = FIXTURES / "en-brotli-compression-comparison-2015.pdf"
DEFECT_CHARS = re.compile("[\ufb00-\ufb06\u00ad\u00a0\u200b]")


def load(path: Path):  # type: ignore[no-untyped-def]
    return load_document(SourceFile(path=path, doc_id=doc_id_for(path)))


@pytest.fixture(scope="module")
def lipics():  # type: ignore[no-untyped-def]
    doc = load(LIPICS)
    return doc, passages_for(doc)


@pytest.fixture(scope="module")
def brotli():  # type: ignore[no-untyped-def]
    doc = load(BROTLI)
    return doc, passages_for(doc)


def containing(passages, needle: str):  # type: ignore[no-untyped-def]
    found = [p for p in passages if needle in p.text]
    assert found, f"no passage contains {needle!r}"
    return found[0]


@pytest.mark.parametrize("name", ["lipics", "brotli"])
def test_no_ligature_soft_hyphen_no_break_or_zero_width_space(name: str, request: pytest.FixtureRequest) -> None:
    doc, passages = request.getfixturevalue(name)
    assert not DEFECT_CHARS.search(doc.text)
    assert not [p.text for p in passages if DEFECT_CHARS.search(p.text)]
    assert "(cid:" not in doc.text


def test_running_header_gone_from_every_passage(lipics) -> None:  # type: ignore[no-untyped-def]
    doc, passages = lipics
    # Even pages carry "1:N LIPIcs: Instructions for Authors and the lipics-v2021 Class", odd ones "Dagtuhl Publishing 1:N".
    assert not [p.text for p in passages if "Dagtuhl" in p.text or re.search(r"\b1:\d{1,2}\b", p.text)]
    title_passages = [p for p in passages if "Instructions for Authors and the lipics-v2021 Class" in p.text]
    assert [p.kind for p in title_passages] == ["title"]
    assert all(not p.section.startswith(("1:", "Dagtuhl")) for p in passages)


def test_title_comes_from_the_pdf_when_no_sidecar_gives_one(lipics, brotli) -> None:  # type: ignore[no-untyped-def]
    assert lipics[0].meta.title == "LIPIcs: Instructions for Authors and the lipics-v2021 Class"
    # The brotli PDF has no Title metadata: the largest text on page 1 is the title.
    assert brotli[0].meta.title == "Comparison of Brotli, Deflate, Zopfli, LZMA, LZHAM and Bzip2 Compression Algorithms"


def test_numbered_headings_become_sections(lipics) -> None:  # type: ignore[no-untyped-def]
    doc, passages = lipics
    for heading in (
        "1 Typesetting instructions – Summary",
        "2.2.1 Paper Format",
        "2.3 Top Matter: Authors, Affiliations, and other Metadata",
        "3.2 Final Typesetting",
        "A Packages used in lipics-v2021",
        "References",
    ):
        assert heading in doc.headings
    assert containing(passages, "To ensure their long-term preservation").section == "2.2 The lipics-v2021 Class"
    assert containing(passages, "the A4 format is the mandatory paper format").section == "2.2.1 Paper Format"


def test_bold_subheadings_set_in_tex_fonts_become_sections() -> None:
    # LNCS sets its level-2 headings in bold at the body's size, in a font whose name says bold only as TeX does
    # ("KWXTQL+SFBX1000", cm-super's bold extended): they were one-line prose paragraphs (docs/ingestion-audit.md B2).
    path = FIXTURES / "en-cleangraph-lncs-pages-3-4.pdf"
    doc = load_document(SourceFile(path, doc_id_for(path)))
    for heading in (
        "2.1 Knowledge graph refinement (KGR)",
        "2.2 Knowledge graph completion (KGC)",
        "3 Key features",
        "3.1 Graph creation and data structure",
    ):
        assert heading in doc.headings
        assert heading not in [p.text for p in doc.paragraphs]
    passages = passages_for(doc)
    assert containing(passages, "KGR enhances the accuracy and relevance").section == "2.1 Knowledge graph refinement (KGR)"
    assert containing(passages, "In contrast, KGC aims to fill in the missing gaps").section == "2.2 Knowledge graph completion (KGC)"
    assert containing(passages, "Building a graph in CleanGraph").section == "3.1 Graph creation and data structure"


def test_an_ieee_two_column_page_reads_column_by_column() -> None:
    # Page 1 of an IEEEtran conference paper (the third audit's D1, D8, D11): its columns were joined line by line
    # ("…from raw byte vector p."), because sub- and superscripts made rows of their own and the full-width title's
    # words were dealt to the columns; its OT1 accents stood apart ("Re´nyi"); its small-capital section headings
    # ("I. INTRODUCTION") were prose.
    path = FIXTURES / "en-renyi-ieee-two-column-page-1.pdf"
    doc = load_document(SourceFile(path, doc_id_for(path)))
    assert doc.meta.title == "Multi-Scale Collision Counting for Rényi Entropy Rate Estimation"
    front = [p.text for p in doc.paragraphs if p.kind == "front"]
    assert front and front[0].startswith("Aditya Tiwari\nIndependent Researcher\nGoa, India")
    abstract = next(p.text for p in doc.paragraphs if p.text.startswith("Abstract"))
    assert abstract.startswith("Abstract—We present a method for estimating the Rényi 2-entropy rate h2 of stationary ergodic")
    assert "from raw byte streams. The method expands bytes to nibbles" in abstract and "priori" not in abstract
    assert doc.headings[:2] == ("I. INTRODUCTION", "II. METHOD")
    assert "´" not in doc.text and "Verdú" in doc.text


def test_a_page_made_of_tables_keeps_their_columns() -> None:
    # Page 12 of the subleq paper holds two tables and little prose: the text block's right edge was taken from the
    # table rows' first column, and every cell past it cut as a margin note ("Division† | 16" of
    # "Division† 16 91 75.0% 100%"; the third audit's D2).
    path = FIXTURES / "en-subleq-tables-page-12.pdf"
    doc = load_document(SourceFile(path, doc_id_for(path)))
    tables = "\n".join(p.text for p in doc.paragraphs if p.kind == "table")
    assert "Division† | 16 | 91 | 75.0% | 100%" in tables
    assert "8 | 99.5% | 100.0% | 99.8% | 100.0%" in tables


def test_a_paragraph_right_after_a_list_is_not_its_last_item(tmp_path: Path) -> None:
    # The subleq paper (the third audit's D6; the first audit's N4 in a thesis): a paragraph set at the margin right
    # under a numbered list, no gap between, went on with item 4, and its second line ("2.1M-parameter …") then started
    # a paragraph of its own. An item's own lines start where its text does, right of its mark.
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica", 10)
    lines = [
        (72, "Unlike tasks such as addition or sorting, where the operation is fixed, SUBLEQ execution requires the"),
        (72, "model to:"),
        (72, "1. Dereference pointers: read the instruction (a, b, c) from memory at the current PC, then read"),
        (84, "mem[a] and mem[b], addresses that vary per state."),
        (72, "2. Perform arithmetic: compute mem[b] minus mem[a] and write the result back."),
        (72, "3. Preserve everything else: copy all other memory cells unchanged."),
        (72, "We report positive results on both fronts. The hand-coded model (Round 1) is a 4-layer,"),
        (72, "2.1M-parameter transformer that exactly implements SUBLEQ on a 416-cell, 16-bit machine."),
    ]
    y = A4[1] - 72
    for x, text in lines * 2:  # twice: enough body text to measure the page by
        pdf.drawString(x, y, text)
        y -= 12
    pdf.save()
    path = tmp_path / "list.pdf"
    path.write_bytes(buffer.getvalue())
    texts = [p.text for p in load(path).paragraphs]
    paragraph = "We report positive results on both fronts. The hand-coded model (Round 1) is a 4-layer, 2.1M-parameter transformer that exactly implements SUBLEQ on a 416-cell, 16-bit machine."
    assert texts.count(paragraph) == 2
    assert [t for t in texts if t.startswith("1. Dereference")][0].endswith(
        "3. Preserve everything else: copy all other memory cells unchanged."
    )


def test_a_list_item_running_over_the_page_goes_on(tmp_path: Path) -> None:
    # The CEUR paper (the third audit's D5): "• … unless includeChilds: true is provided as input argument" at the foot of
    # page 9, "in classification, queries return NULL_REFERENCE errors …" at the top of page 10, read as two paragraphs.
    # A list was closed at every page end; an item whose sentence is unfinished now goes on, as a paragraph does.
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    words = "The server answers queries about classifications and their properties in a single request.".split()
    prose = [(72, " ".join(words[n % 5 :] + words[: n % 5])) for n in range(30)]  # varied, so that no gutter lines up
    pages = [
        prose
        + [(72, "-"), (84, "Null classification error. The field is nullable, but an error is returned instead.")]
        + [(72, "-"), (84, "Null childs error. Unless includeChilds: true is provided as input argument")],
        [(84, "in classification, queries return NULL_REFERENCE errors, breaking compliance."), *prose],
    ]
    for lines in pages:
        pdf.setFont("Helvetica", 10)
        y = A4[1] - 72
        for x, text in lines:
            pdf.drawString(x, y, text)
            y -= 0 if text == "-" else 12
        pdf.showPage()
    pdf.save()
    path = tmp_path / "over.pdf"
    path.write_bytes(buffer.getvalue())
    texts = [p.text for p in load(path).paragraphs]
    item = "- Null childs error. Unless includeChilds: true is provided as input argument in classification, queries return NULL_REFERENCE errors, breaking compliance."
    assert [t.split("\n")[-1] for t in texts if "Null" in t] == [item]
    assert not any(t.startswith("in classification") for t in texts)


def hanging_list_pdf(font: str, blocks: list[tuple[str, str]], size: float = 10.5, per_page: int = 45) -> bytes:
    """Pages of paragraphs and list items set as the ucasthesis manual sets them (XeLaTeX's enumerate in ctexbook):
    a paragraph's first line and an item's mark at the paragraph indent (two characters), every wrapped line back at
    the left margin, lines filled to the right margin (Chinese character by character, Latin word by word), `per_page`
    lines to a page. A block of kind "flush" starts at the margin; one of kind "over" is an item whose first line ends
    its page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if font not in pdfmetrics.standardFonts:
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    left, measure = 72, width - 144
    drawn = 0  # lines on the page
    for kind, text in blocks:
        indent = 0 if kind == "flush" else 2 * size
        units = list(text) if font.startswith("STSong") else [w + " " for w in text.split()]
        lines, line = [], ""
        for unit in units:
            room = measure - (indent if not lines else 0)
            if pdfmetrics.stringWidth((line + unit).rstrip(), font, size) > room:
                lines.append(line.rstrip())
                line = ""
            line += unit
        lines.append(line.rstrip())
        for i, text_line in enumerate(lines):
            if drawn == per_page or (kind == "over" and i == 1):
                pdf.showPage()
                drawn = 0
            pdf.setFont(font, size)
            pdf.drawString(left + (indent if i == 0 else 0), height - 72 - 1.45 * size * drawn, text_line)
            drawn += 1
    pdf.save()
    return buffer.getvalue()


def hanging_list_texts(tmp_path: Path, font: str, blocks: list[tuple[str, str]]) -> list[str]:
    """The paragraphs' texts of `hanging_list_pdf(font, blocks)` read as a PDF."""
    path = tmp_path / f"hanging-{len(list(tmp_path.glob('*.pdf')))}.pdf"
    path.write_bytes(hanging_list_pdf(font, blocks))
    return [p.text for p in load(path).paragraphs]


# The ucasthesis manual's list of section 2.1 (its item 3 from section 2.2.4's list) and the paragraph under it; the
# manual is not among tests/fixtures/documents (the fifth audit's sources: docs/ingestion-audit.md). Items 2 and 3 wrap;
# item 4 ends a sentence and the paragraph starts at the indent.
UCAS_LIST = [
    ("item", "1. 安装软件：根据所用操作系统和章节 1.2中的信息安装 LATEX 编译环境。"),
    (
        "item",
        "2. 获取模板：下载 ucasthesis 模板并解压。ucasthesis 模板不仅提供了相应的类文件，同时也提供了包括参考文献等在内的"
        "完成学位论文的一切要素，所以，下载时，推荐下载整个 ucasthesis 文件夹，而不是单独的文档类。",
    ),
    (
        "item",
        "3. artratex.sty: 常用宏包及文档设定，如参考文献样式、文献引用样式、页眉页脚设定等。这些功能具有开关选项，常只需在 Thesis.tex 中进行启用即可，一般无需修改 artratex.sty 本身。",
    ),
    ("item", "4. 错误处理：若编译中遇到了问题，请先查看“常见问题”（章节 2.4）。"),
    (
        "para",
        "编译完成即可获得本 PDF 说明文档。而这也完成了学习使用 ucasthesis 撰写论文的一半进程。什么？这就学成一半了，这么简单？？？，是的，就这么简单！",
    ),
]


def test_a_chinese_list_item_wrapped_back_to_the_margin_stays_one_item(tmp_path: Path) -> None:
    # The fifth audit's item 8: ucasthesis sets an item's mark at the paragraph indent and wraps its text back to the
    # left margin, left of the mark. Each wrapped line became a paragraph of its own ("2. 获取模板：…提供了相应的" |
    # "类文件，同时也提供了…"), cutting the item's sentence between two passages.
    texts = hanging_list_texts(tmp_path, "STSong-Light", UCAS_LIST * 3)
    items = "\n".join(text for _, text in UCAS_LIST[:4])
    assert texts.count(items) == 3, texts
    assert texts.count(UCAS_LIST[4][1]) == 3  # the paragraph under the list is one of its own
    assert not any(t.startswith(("类文件", "页脚设定")) for t in texts)


# The subleq paper's list and the paragraph under it (test_a_paragraph_right_after_a_list_is_not_its_last_item), set as
# ucasthesis sets its lists, the paragraph at the margin right under the last item with no gap.
SUBLEQ_LIST = [
    ("para", "Unlike tasks such as addition or sorting, where the operation is fixed, SUBLEQ execution requires the model to:"),
    (
        "item",
        "1. Dereference pointers: read the instruction (a, b, c) from memory at the current PC, then read mem[a] and mem[b], addresses that vary per state.",
    ),
    ("item", "2. Perform arithmetic: compute mem[b] minus mem[a] and write the result back."),
    ("item", "3. Preserve everything else: copy all other memory cells unchanged."),
    (
        "flush",
        "We report positive results on both fronts. The hand-coded model (Round 1) is a 4-layer, 2.1M-parameter transformer that exactly implements SUBLEQ on a 416-cell, 16-bit machine.",
    ),
]


def test_a_latin_list_item_wrapped_back_to_the_margin_stays_one_item(tmp_path: Path) -> None:
    # The same layout in English: an item's wrapped line at the margin joins it, with a space.
    texts = hanging_list_texts(tmp_path, "Helvetica", SUBLEQ_LIST * 2)
    assert texts.count("\n".join(text for _, text in SUBLEQ_LIST[1:4])) == 2, texts


def test_a_paragraph_at_the_margin_under_a_hanging_list_is_no_part_of_it(tmp_path: Path) -> None:
    # A line at the margin goes on with an item only after a line the item was wrapped at, ending no sentence. After an
    # item that ends a sentence, or a short one that ends none ("4. Texmaker 使用简介"), it starts a paragraph under the
    # list; so does ucasthesis's paragraph at the indent under "4. 错误处理：…（章节 2.4）。".
    texts = hanging_list_texts(tmp_path, "Helvetica", SUBLEQ_LIST * 2)
    assert texts.count(SUBLEQ_LIST[4][1]) == 2, texts
    after = ("flush", UCAS_LIST[4][1])
    texts = hanging_list_texts(tmp_path, "STSong-Light", [*UCAS_LIST, *UCAS_LIST[:4], after, ("item", "4. Texmaker 使用简介"), after])
    assert texts.count(UCAS_LIST[4][1]) == 3, texts
    assert "4. Texmaker 使用简介" in texts
    # An item whose sentence ends at the right margin (40 characters fill its first line) ends before a line at the margin.
    full = ("item", "①理解了上述问题后，对于初学者而言，使用此模板撰写学位论文将不存在实质性的困难。")
    texts = hanging_list_texts(tmp_path, "STSong-Light", [*UCAS_LIST, full, after, full, after])
    assert texts.count(full[1]) == 2 and texts.count(UCAS_LIST[4][1]) == 3, texts


def test_a_list_mark_drawn_apart_from_its_text_still_tells_where_the_text_starts(tmp_path: Path) -> None:
    # ucasthesis draws the "2" of "2）索引第一行 …" in XITS and "）索引第一行" in its Chinese face: two words, and the mark
    # was recognised only as a word of its own, so a paragraph at the indent after the item's sentence ended went on
    # with the item. The text starts after the mark's characters, wherever the words split them.
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    item = "）使用 Google Scholar 搜索 Document Preparation System，在目标条目下点击 Cite，展开后选择 Import into BibTeX 打开此文章的 BibTeX 索引信息，将它们 copy 添加到 ref.bib 文件中。"
    room = A4[0] - 144 - 21 - pdfmetrics.stringWidth("2", "Helvetica", 10.5)
    fits = [n for n in range(len(item)) if pdfmetrics.stringWidth(item[:n], "STSong-Light", 10.5) <= room]
    cut = max(n for n in fits if " " not in item[n - 1 : n + 1])  # between two characters, where no space is lost
    lines = [
        (93, "2", item[:cut]),
        (72, "", item[cut:]),
        (93, "", "如此，即完成了文献的索引，请查看下本文档的参考文献一章，看看是不是就是这么简单呢？"),
    ]
    y = A4[1] - 72
    for _ in range(4):
        for x, mark, text in lines:
            if mark:
                pdf.setFont("Helvetica", 10.5)
                pdf.drawString(x, y, mark)
            pdf.setFont("STSong-Light", 10.5)
            pdf.drawString(x + pdfmetrics.stringWidth(mark, "Helvetica", 10.5), y, text)
            y -= 15
        y -= 8
    pdf.save()
    path = tmp_path / "mark.pdf"
    path.write_bytes(buffer.getvalue())
    line = next(ln for page in pdf_loader._read_pages(path.read_bytes())[0] for ln in page.lines if ln.text.startswith("2）"))
    assert [w.text for w in line.words[:2]] == ["2", "）使用"]
    start = pdf_loader._item_text_start(line)
    assert start is not None and line.words[1].x0 < start < line.words[1].x1
    texts = [p.text for p in load(path).paragraphs]
    assert texts.count("2" + item) == 4, texts
    assert texts.count(lines[2][2]) == 4


def test_a_chinese_list_item_wrapped_over_the_page_goes_on(tmp_path: Path) -> None:
    # ucasthesis, pages 4 and 5: "• Frontinfo.tex：…论文封面会根据英文学位名称如" at the foot of one page, "Bachelor，Master，
    # Doctor, Postdoctor 自动切换为相应的格式。" at the top of the next, two paragraphs. Only a lower-case start went on with
    # an item over the page, and Chinese has no case: a line the item was wrapped at now goes on with it in any script.
    item = "2. 模板文档的编码为 UTF-8 编码。所有文件都必须采用 UTF-8 编码，否则编译后生成的文档将出现乱码文本。"
    after = (
        "为方便使用及更好地展示 LATEX 排版的优秀特性，ucasthesis 的框架和文件体系进行了细致地处理，尽可能地对各个功能和板块进行"
        "了模块化和封装，对于初学者来说，众多的文件目录也许一开始让人觉得有些无所适从，但阅读完下面的使用说明后，会发现原来使用"
        "思路是简单而清晰的。"
    )
    texts = hanging_list_texts(tmp_path, "STSong-Light", [*UCAS_LIST, ("over", item), ("para", after)])
    assert texts[-2:] == [item, after], texts


def test_brotli_sections_and_front_matter(brotli) -> None:  # type: ignore[no-untyped-def]
    doc, passages = brotli
    assert doc.headings == ("Introduction", "Methods", "Results", "Discussion and Conclusions", "References")
    # The title is a passage of its own kind (never quoted while another passage is a candidate), the byline "front".
    assert [p.text for p in passages if p.kind == "title"] == [doc.meta.title]
    front = [p for p in passages if p.kind == "front"]
    assert len(front) == 1 and "Google, Inc." in front[0].text
    assert containing(passages, "Much of the practical lossless data compression").section == "Introduction"


def test_footnotes_kept_apart_from_the_body(lipics) -> None:  # type: ignore[no-untyped-def]
    doc, passages = lipics
    note = containing(passages, "The city is only mandatory if it is not part of the affiliation name.")
    assert note.kind == "footnote" and note.page == "8"
    assert note.text.startswith("14 The city")
    body = containing(passages, "the main affiliation name, the city, and country have to be provided")
    assert body.kind == "prose"  # the footnote mark "14" after "city" is gone, and the note is not spliced in
    footnotes = [p for p in passages if p.kind == "footnote"]
    assert len(footnotes) >= 30
    for p in passages:
        if p.kind == "prose":
            assert "The city is only mandatory" not in p.text
            assert "Dagstuhl Publishing is currently using" not in p.text


def test_line_end_hyphens_resolved_against_the_document(lipics) -> None:  # type: ignore[no-untyped-def]
    doc, passages = lipics
    # "(espe-|cially" and "clas-|sification" are broken at line ends; both words occur elsewhere in the document.
    containing(passages, "full author names (especially with regard to the first name)")
    containing(passages, "one \\ccsdesc command per classification.")
    assert "espe-cially" not in doc.text and "clas-sification" not in doc.text
    # "high-|quality" keeps its hyphen: "highquality" is not a word of the document.
    containing(passages, "open access high-quality conference proceedings")
    assert not [p.text for p in passages if re.search(r"[a-z]{2,}- [a-z]{2,}", p.text)]


def test_page_numbers_of_known_passages(lipics, brotli) -> None:  # type: ignore[no-untyped-def]
    doc, passages = lipics
    assert containing(passages, "To ensure their long-term preservation").page == "5"
    assert containing(passages, "Table 1 Common Options for").page == "5"
    assert containing(passages, "lipics-v2021 preselects UTF-8 as input encoding").page == "6"
    # A paragraph that runs from page 7 onto page 8, with its page break at the right word.
    para = next(p for p in doc.paragraphs if "acknowledgements, and the abstract" in p.text)
    assert (para.page_start, para.page_end) == (7, 8)
    assert para.page_at(para.start + para.text.index("to clearly identify the authors")) == 7
    assert para.page_at(para.start + para.text.index("acknowledgements, and the abstract")) == 8
    bdoc, bpassages = brotli
    assert containing(bpassages, "In 2013 we launched Zopfli").page == "1"
    assert containing(bpassages, "Our results indicate that brotli").page == "6"
    assert containing(bpassages, "brotli:11 | 4.347 | 0.5 | 289.5").page == "4"


def test_paragraphs_are_not_merged_into_giant_ones(lipics, brotli) -> None:  # type: ignore[no-untyped-def]
    doc, _ = lipics
    prose = [p for p in doc.paragraphs if p.kind == "prose"]
    assert len(doc.paragraphs) >= 150
    assert statistics.median(len(p.text) for p in prose) < 500
    bdoc, _ = brotli
    assert len(bdoc.paragraphs) >= 20
    starts = [p.text for p in bdoc.paragraphs]
    assert any(s.startswith("Brotli gives slightly faster decompression") for s in starts)
    assert any(s.startswith("In compression brotli:1 is similarly") for s in starts)


def test_tables_one_row_per_line_cells_separated(lipics, brotli) -> None:  # type: ignore[no-untyped-def]
    assert "\na4paper | A4 paper format\nletterpaper | US-letter format\n" in lipics[0].text
    # A narrow gap that falls where the other rows' second column starts still separates the cells.
    assert "\nnumberwithinsect | Enables section-numbered lemma etc.\n" in lipics[0].text
    assert (
        "Algorithm: | Compression | Compression speed | Decompression\nquality setting | ratio | [MB/s] | speed [MB/s]\n" in brotli[0].text
    )
    assert "\nbrotli:1 | 3.381 | 98.3 | 334.0\nbrotli:9 | 3.965 | 17.0 | 354.5\n" in brotli[0].text
    # Their passages are of kind "table" (ranked below prose by `kind_demotion`); the text around them stays prose.
    assert containing(brotli[1], "brotli:9 | 3.965 | 17.0 | 354.5").kind == "table"
    assert containing(lipics[1], "a4paper | A4 paper format").kind == "table"
    assert containing(brotli[1], "All tests were run single-threaded on an otherwise idle computer.").kind == "prose"


def test_soft_hyphen_inside_a_line_is_the_printed_hyphen(brotli) -> None:  # type: ignore[no-untyped-def]
    doc, passages = brotli
    containing(passages, "While Zopfli is now well-accepted in the field")
    containing(passages, "Zopfli version from github 2015-09-01")
    containing(passages, "All tests were run single-threaded on an otherwise idle computer.")
    containing(passages, "Abstract—This paper compares six compression techniques")


def test_listings_are_code_paragraphs_apart_from_prose(lipics) -> None:  # type: ignore[no-untyped-def]
    doc, passages = lipics
    listing = containing(passages, "\\newtheorem{conjecture}[theorem]{Conjecture}")
    assert listing.kind == "code" and listing.text == "\\newtheorem{conjecture}[theorem]{Conjecture}"
    assert containing(passages, "See also the amsthm package documentation").kind == "prose"
    author = containing(passages, "\\author{John Q. Public}")
    assert author.kind == "code" and "\n{johnqpublic@dummyuni.org}\n" in author.text


def test_margin_notes_left_out_of_the_text(lipics) -> None:  # type: ignore[no-untyped-def]
    doc, _ = lipics
    assert (
        "must be inserted in the optional argument of \\documentclass.\n" in doc.text
        or "argument of \\documentclass. a4paper" not in doc.text
    )
    assert "can be used alternatively. | letterpaper" not in doc.text


# ---- built PDFs: page labels, the sidecar's first page, columns, limits and unreadable files ----


def built_pdf(pages: list[list[str]], *, columns: int = 1, title_line: str = "") -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for number, lines in enumerate(pages, start=1):
        y = 700
        if title_line and number == 1:
            pdf.setFont("Helvetica", 20)
            pdf.drawString(72, y, title_line)
            y -= 40
        pdf.setFont("Helvetica", 10)
        per_column = -(-len(lines) // columns)
        for column in range(columns):
            x = 72 + column * 240
            for i, line in enumerate(lines[column * per_column : (column + 1) * per_column]):
                pdf.drawString(x, y - 14 * i, line)
        pdf.drawString(300, 40, str(number))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


SENTENCES = [
    [
        f"Page {n} opens with a sentence about the harbour.",
        f"Its {word} line continues the text.",
        f"The harbour closes at {hour} in winter.",
    ]
    for n, word, hour in ((1, "second", "nine"), (2, "next", "ten"), (3, "last", "eight"))
]


def test_printed_page_labels_are_used(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(built_pdf(SENTENCES))))
    writer.set_page_label(0, 2, style="/D", start=95)
    path = tmp_path / "labelled.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    passages = passages_for(load(path))
    assert [containing(passages, f"Page {n} opens").page for n in (1, 2, 3)] == ["95", "96", "97"]


def test_sidecar_first_page_when_the_pdf_has_no_labels(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(built_pdf(SENTENCES))
    (tmp_path / "report.meta.json").write_text('{"title": "Harbour report", "first_page": 10}', encoding="utf-8")
    doc = load(path)
    assert doc.meta.title == "Harbour report"
    assert [containing(passages_for(doc), f"Page {n} opens").page for n in (1, 2, 3)] == ["10", "11", "12"]
    assert "\n3\n" not in doc.text and not doc.text.endswith("3")  # the printed page numbers are gone


def test_title_from_the_largest_text_without_sidecar_or_metadata(tmp_path: Path) -> None:
    path = tmp_path / "untitled-export.pdf"
    path.write_bytes(built_pdf(SENTENCES, title_line="Winter Timetable of the Harbour"))
    doc = load(path)
    assert doc.meta.title == "Winter Timetable of the Harbour"
    assert doc.paragraphs[0].kind == "title" and doc.paragraphs[0].text == doc.meta.title


def test_two_columns_read_one_after_the_other(tmp_path: Path) -> None:
    left = [f"Left line {i} tells the first half of it" for i in range(14)]
    right = [f"Right line {i} tells the second half" for i in range(14)]
    path = tmp_path / "columns.pdf"
    path.write_bytes(built_pdf([left + right], columns=2))
    text = load(path).text
    positions = [text.index(line) for line in left + right]
    assert positions == sorted(positions)


def test_page_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_loader, "MAX_PDF_PAGES", 2)
    path = tmp_path / "long.pdf"
    path.write_bytes(built_pdf(SENTENCES))
    with pytest.raises(DocumentError, match="3 pages; the limit is 2"):
        load(path)


def test_unreadable_pdfs_say_why(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    meta = DocumentMeta(doc_id="x", title="x")
    good = BROTLI.read_bytes()
    with pytest.raises(DocumentError, match="damaged"):
        pdf_loader.load_pdf(good[: len(good) // 2], meta, "hash")
    with pytest.raises(DocumentError, match="damaged"):
        pdf_loader.load_pdf(b"%PDF-1.4\nnot a pdf body\n", meta, "hash")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(built_pdf(SENTENCES))))
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(DocumentError, match="password"):
        pdf_loader.load_pdf(locked.getvalue(), meta, "hash")


def test_line_joining_rules() -> None:
    words = pdf_loader.LineEndHyphens(frozenset({"prominent", "well", "known"}))  # no word list: the document decides
    assert pdf_loader._join("a promi\u00ad", "nent result", pdf_loader.LineEndHyphens()) == "a prominent result"  # discretionary
    assert pdf_loader._join("a promi-", "nent result", words) == "a prominent result"  # the joined word occurs elsewhere
    assert pdf_loader._join("a well-", "known result", words) == "a well-known result"  # kept otherwise
    assert pdf_loader._join("see Table", "2 below", words) == "see Table 2 below"
    assert pdf_loader.normalise_glyphs("e\ufb03cient \ufb01eld\u00a0of\u200b \ufb02ow") == "efficient field of flow"


def test_margin_line_numbers_of_a_draft_are_left_out_even_beside_a_sidebar() -> None:
    # A JOSS draft: line numbers 1-60 in the left margin, right-aligned, on page 1 sharing their lines with the
    # journal's sidebar (so they are not the first word of a line); footnote marks elsewhere stay (the LIPIcs tests).
    doc = load(Path(__file__).parent / "data" / "heldout2" / "en-multivae-joss-paper-2025.pdf")
    assert "In recent years, multimodal machine learning" in doc.text
    assert "6 In recent years" not in doc.text
    assert "(Antelmi et al., 2019; Lawry Aguila et al., 2023)" in doc.text
    assert "implementations of multimodal VAEs" in doc.text and "on fully or partially observed data" in doc.text
    assert not re.search(r"\b(3[4-9]|[45]\d|60) [A-Za-z]", doc.text[doc.text.index("Data Augmentation") :][:3000])


def cjk_pdf(font: str, title: str, paragraphs: list[str], byline: str = "") -> bytes:
    """A page set in one of the Adobe Asian fonts reportlab ships (no font file needed): a title, an optional centred
    byline, then paragraphs wrapped character by character to the full width, their first lines indented."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(font))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    y = height - 72
    pdf.setFont(font, 18)
    pdf.drawString(72, y, title)
    y -= 36
    if byline:
        pdf.setFont(font, 10.5)
        pdf.drawCentredString(width / 2, y, byline)
        y -= 30
    for paragraph in paragraphs:
        lines, line = [], ""
        for ch in paragraph:
            indent = 21 if not lines else 0
            if pdfmetrics.stringWidth(line + ch, font, 10.5) > width - 144 - indent:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
        pdf.setFont(font, 10.5)
        for i, text in enumerate(lines):
            pdf.drawString(72 + (21 if i == 0 else 0), y, text)
            y -= 15
        y -= 8
    pdf.save()
    return buffer.getvalue()


ZH_PARAGRAPHS = [
    "消息队列在分布式系统中用于解耦生产者和消费者。当消费者处理失败时，系统会在一段时间后重新投递消息，最多重试十六次，"
    "之后消息进入死信队列，由人工处理。这样可以保证消息不会因为临时故障而丢失。",
    "顺序消息分为全局顺序和分区顺序两种。全局顺序要求同一个主题下的所有消息严格按照先进先出的顺序发布和消费；分区顺序则只要求同一个分区内的消息有序。",
]


def test_a_sans_face_over_serif_chinese_or_korean_text_counts_as_bold() -> None:
    # The ctex manual sets "2.3.1 只能用于文档类的选项" in 黑体 (SimHei) at the body's size over 宋体 text, as Latin text
    # sets a heading bold (the third audit's D11); Korean documents do the same with a Gothic face over a Myeongjo one.
    # Where the body itself is in such a face (the OpenChain leaflet in Malgun Gothic), it marks nothing. reportlab's
    # Asian fonts cannot show this end to end (pdfminer names a page's non-embedded CID fonts alike), so the rule is
    # tested on the words the loader reads.
    def word(text: str, top: float, font: str) -> dict[str, object]:
        return {
            "text": text,
            "x0": 72.0,
            "x1": 72.0 + 10 * len(text),
            "top": top,
            "bottom": top + 10,
            "size": 10.0,
            "fontname": font,
            "upright": True,
        }

    def page(body_font: str) -> list[pdf_loader._Word]:
        raw = [word("2.3.1 只能用于文档类的选项", 100, "ABCDEF+SimHei")]
        raw += [word("下面的选项可能会是最经常使用的。但是它们只能用于文档类。", 120 + 12 * i, body_font) for i in range(20)]
        return pdf_loader._words(raw)

    serif = page("ABCDEF+SimSun")
    assert [w.heavy for w in serif[:2]] == [True, False] and not serif[0].bold
    pdf_loader._heavy_faces_as_bold([serif])
    assert [w.bold for w in serif[:2]] == [True, False]
    sans = page("ABCDEF+MalgunGothic")
    pdf_loader._heavy_faces_as_bold([sans])
    assert not any(w.bold for w in sans)


def test_a_chinese_heading_whose_number_is_in_the_latin_face_is_a_heading() -> None:
    # ucasthesis's manual (mohuangrui/ucasthesis at aec46ba1, 模板使用说明.pdf, LPPL 1.3c) sets "1.1 研究背景" with the
    # number in XITS (the Latin text face, not bold) and the title in 黑体 at the body's size: 3 of 7 characters not
    # bold, so no line was, and 15 of its 33 sections were not found ("1.1 研究背景" a one-line paragraph,
    # every passage of chapter 1 under "第 1 章 引言"). A body line with a few words in 黑体 stays prose, and so does a
    # caption set the same way ("表 2.1 实验结果": a review of the rule found it read as a heading).
    def word(text: str, x0: float, top: float, font: str) -> dict[str, object]:
        return {
            "text": text,
            "x0": x0,
            "x1": x0 + 12 * len(text),
            "top": top,
            "bottom": top + 12,
            "size": 12.0,
            "fontname": font,
            "upright": True,
        }

    raw = [word("1.1", 72, 100, "SEAPCL+XITS-Regular"), word("研究背景", 114, 100, "VYBGSC+SimHei")]
    raw += [word("2.2.2", 72, 130, "SEAPCL+XITS-Regular"), word("编译脚本", 138, 130, "VYBGSC+SimHei")]
    raw += [word("A.3", 72, 145, "SEAPCL+XITS-Regular"), word("测试生僻字", 114, 145, "VYBGSC+SimHei")]
    raw += [word("注意：", 72, 160, "VYBGSC+SimHei"), word("下面的选项可能会是最经常使用的。", 110, 160, "MNSVZT+SimSun")]
    raw += [word("表", 72, 176, "VYBGSC+SimHei"), word("2.1", 90, 176, "SEAPCL+XITS-Regular"), word("实验结果", 130, 176, "VYBGSC+SimHei")]
    raw += [word("考虑到许多同学可能缺乏使用经验，模板将复杂性高度封装。", 72, 192 + 16 * i, "MNSVZT+SimSun") for i in range(20)]
    words = pdf_loader._words(raw)
    pdf_loader._heavy_faces_as_bold([words])
    lines, _ = pdf_loader._lines(words, 1, [])
    headings = [ln.text for ln in lines if pdf_loader._is_heading(ln, 12.0)]
    assert headings == ["1.1 研究背景", "2.2.2 编译脚本", "A.3 测试生僻字"]


def test_a_short_chinese_or_korean_pdf_keeps_its_first_paragraphs_as_prose(tmp_path: Path) -> None:
    # The first page's lines after the title were taken for a byline up to 8 lines: a page of a title and a few short
    # paragraphs came out as one "front" passage, its lines joined by line breaks.
    ko = [
        "메시지 큐는 분산 시스템에서 생산자와 소비자를 분리하는 데 사용됩니다. 소비자가 처리에 실패하면 시스템은 일정 시간 후에 메시지를 다시 전달합니다.",
        "순서 메시지는 전역 순서와 파티션 순서의 두 가지로 나뉩니다.",
    ]
    for name, font, title, paragraphs in (
        ("zh.pdf", "STSong-Light", "消息队列的可靠投递", ZH_PARAGRAPHS),
        ("ko.pdf", "HYSMyeongJo-Medium", "메시지 큐의 신뢰성 있는 전달", ko),
    ):
        path = tmp_path / name
        path.write_bytes(cjk_pdf(font, title, paragraphs))
        doc = load(path)
        assert doc.meta.title == title
        assert [p.kind for p in doc.paragraphs] == ["title", "prose", "prose"], [(p.kind, p.text[:30]) for p in doc.paragraphs]
    zh = load(tmp_path / "zh.pdf")
    assert "系统会在一段时间后重新投递消息" in zh.text.replace("\n", "")  # Chinese lines joined without a space
    assert zh.paragraphs[1].text.startswith("消息队列在分布式系统中") and "\n" not in zh.paragraphs[1].text


def test_a_chinese_byline_ends_at_the_abstract(tmp_path: Path) -> None:
    path = tmp_path / "paper.pdf"
    path.write_bytes(cjk_pdf("STSong-Light", "消息队列的可靠投递", ["摘要", *ZH_PARAGRAPHS], byline="王小明 國立高雄大學資訊工程學系"))
    doc = load(path)
    kinds = [(p.kind, p.text) for p in doc.paragraphs]
    assert kinds[0] == ("title", "消息队列的可靠投递")
    assert kinds[1] == ("front", "王小明 國立高雄大學資訊工程學系")
    assert all(kind == "prose" for kind, _ in kinds[2:]), kinds


def test_letter_spaced_chinese_and_korean_lines_read_as_written(tmp_path: Path) -> None:
    # Justified or spread-out lines set every character apart (character spacing 3 pt at 10.5 pt): they read as the
    # words they are, not "消 息 队 列" or "메 시 지 큐"; a Korean line keeps the spaces between its words.
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    cases = (
        ("STSong-Light", ["消息队列在分布式系统中用于解耦生产者和消费者。当消费者处理失败时，", "系统会在一段时间后重新投递消息。"]),
        (
            "HYSMyeongJo-Medium",
            ["메시지 큐는 분산 시스템에서 생산자와 소비자를 분리하는 데 사용됩니다.", "소비자가 처리에 실패하면 메시지를 다시 전달합니다."],
        ),
    )
    for font, lines in cases:
        pdfmetrics.registerFont(UnicodeCIDFont(font))
        for spacing in (0.0, 1.5, 3.0):
            path = tmp_path / f"{font}-{spacing}.pdf"
            pdf = canvas.Canvas(str(path), pagesize=A4)
            text = pdf.beginText(72, 700)
            text.setFont(font, 10.5)
            text.setCharSpace(spacing)
            for line in lines:
                text.textLine(line)
            pdf.drawText(text)
            pdf.save()
            expected = "".join(lines) if font == "STSong-Light" else " ".join(lines)
            assert load(path).text == expected, (font, spacing, load(path).text)


def test_a_korean_line_with_words_drawn_in_pieces_keeps_its_spaces(tmp_path: Path) -> None:
    # Word processors draw a word in several runs where its font changes ("따" "라", "확" "률" "을": the Bitcoin white
    # paper's Korean translation, LibreOffice). Those pieces touch; they made the line look letter-spaced, and its real
    # spaces were taken for letter-spacing: "결과를실행하면, z 에따라지수적으로감소하는확률을볼수있다."
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "HYSMyeongJo-Medium"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    words = [
        ["결과를"],
        ["실행하면,"],
        ["z"],
        ["에"],
        ["따", "라"],
        ["지수적으로"],
        ["감", "소하는"],
        ["확", "률", "을"],
        ["볼"],
        ["수"],
        ["있다."],
    ]
    path = tmp_path / "pieces.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    x, size = 72.0, 8.0
    for word in words:
        for index, piece in enumerate(word):
            pdf.setFont(font, size + 0.01 * (index % 2))  # a run of its own, as a font subset of its own makes it
            pdf.drawString(x, 700, piece)
            x += pdfmetrics.stringWidth(piece, font, size)
        x += 0.35 * size  # the narrow space of the white paper's 8-pt lines
    pdf.save()
    assert load(path).text == "결과를 실행하면, z 에 따라 지수적으로 감소하는 확률을 볼 수 있다."


def test_a_display_equation_set_larger_than_the_body_is_no_heading(tmp_path: Path) -> None:
    # A word processor's equation, set larger than the body, was taken for a heading: the Korean Bitcoin white paper's
    # section 11 "계산" had its 19 passages filed under "∑ { }" and "q" (fourth audit PDF-9).
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "HYSMyeongJo-Medium"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    path = tmp_path / "equation.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for size, x, y, text in (
        (18, 72, 770, "비트코인: 개인 대 개인 전자 화폐 시스템"),
        (13, 72, 730, "11. 계산"),
        (10.5, 72, 706, "공격자가 따라잡을 확률을 얻기 위해 각 진척 규모별 푸아송 밀도를 곱한다:"),
        (12, 150, 676, "∑ λ k e −λ / k! ⋅ { q/ p }"),
        (12, 150, 652, "q"),
        (10.5, 72, 622, "블록 수가 늘어날수록 그럴 수 있는 확률은 지수적으로 감소한다."),
    ):
        pdf.setFont(font, size)
        pdf.drawString(x, y, text)
    pdf.save()
    sections = {p.section for p in load(path).paragraphs if p.kind == "prose"}
    assert sections == {"11. 계산"}, sections


def test_a_sentence_goes_on_past_a_caption_at_the_top_of_the_next_column(tmp_path: Path) -> None:
    # An Elsevier two-column paper (audit 4, PDF-8): the left column ends mid-sentence ("…a high level conceptualization
    # of a number"), the right column opens with a figure's caption, then the sentence goes on ("of viewpoints or …").
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    left = [
        "The following section introduces an exhaustive collection of",
        "theoretical and empirical community vitality indicators that",
        "originate from the performed systematic literature review and",
        "from the expert interviews that were conducted at the company.",
        "Table 3 depicts the indicator names and their descriptions and",
        "also their particular origins in the literature or interviews.",
        "The indicators are meant to be read together with the context",
        "of each community, since the numbers vary between projects and",
        "between the kinds of software that the communities produce. It",
        "is important to keep this in mind when the indicators are used.",
        "The indicators can be seen as a high level conceptualization of",
        "a number",
    ]
    right = [
        "Figure 2: Systematic literature review: paper selection process",
        "of viewpoints or aspects of open source communities. It is",
        "important to highlight that all quantifiable attributes should",
        "be considered as relative values, dependent on the realities of",
        "each community. For instance, online popularity or the number of",
        "downloads can vary greatly between different kinds of projects.",
        "Despite low absolute numbers, a niche project with a small core",
        "team or a low number of downloads can still be healthy and also",
        "successful. This view is supported by recent publications that",
        "argue that the relative weight of vitality variables can vary.",
        "The indicators are therefore not meant as a ranking of projects",
        "but as a way to see where a community may need some attention.",
    ]
    from reportlab.pdfbase.pdfmetrics import stringWidth

    path = tmp_path / "columns.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Helvetica", 9)
    gutter = 56 + max(stringWidth(line, "Helvetica", 9) for line in left) + 18
    for column, x in ((left, 56), (right, gutter)):
        y = 760.0
        for line in column:
            caption = line.startswith("Figure")
            pdf.setFont("Helvetica", 8 if caption else 9)  # a caption, smaller, with space under it
            pdf.drawString(x, y, line)
            y -= 22 if caption else 11
    pdf.save()
    texts = [p.text for p in load(path).paragraphs]
    assert any("conceptualization of a number of viewpoints or aspects" in t for t in texts), texts
    assert "Figure 2: Systematic literature review: paper selection process" in texts


def test_a_chinese_paper_gives_its_title_byline_sections_and_references(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    width, height = A4
    body = ZH_PARAGRAPHS[0]
    path = tmp_path / "paper.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    y = height - 72
    pdf.setFont(font, 20)
    pdf.drawCentredString(width / 2, y, "消息队列可靠性研究")
    y -= 30
    pdf.setFont(font, 10.5)
    pdf.drawCentredString(width / 2, y, "王小明 李大华")
    y -= 30
    headings = ("摘要", "一、研究背景", "二、重试机制", "（一）重试次数", "参考文献")
    for heading in headings:
        pdf.setFont(font, 13)
        pdf.drawString(72, y, heading)
        y -= 22
        pdf.setFont(font, 10.5)
        line = ""
        for ch in body:
            if pdfmetrics.stringWidth(line + ch, font, 10.5) > width - 144:
                pdf.drawString(72, y, line)
                y -= 15
                line = ""
            line += ch
        pdf.drawString(72, y, line)
        y -= 25
    pdf.save()
    doc = load(path)
    assert doc.meta.title == "消息队列可靠性研究" and doc.headings == headings
    kinds = [(p.kind, p.section) for p in doc.paragraphs]
    assert kinds == [("title", ""), ("front", ""), *(("prose", h) for h in headings[:-1]), ("reference", "参考文献")]
    assert all(p.text == body for p in doc.paragraphs[2:])  # lines joined without spaces, whole paragraphs


# ---- JOSS paper drafts (tests/data/heldout*/): the margin box, line-end hyphens by word list, broken URLs ----

FASTPCA = Path(__file__).parent / "data" / "heldout4" / "en-fastpca-joss-paper-draft.pdf"
MULTIVAE = Path(__file__).parent / "data" / "heldout2" / "en-multivae-joss-paper-2025.pdf"


@pytest.fixture(scope="module")
def fastpca():  # type: ignore[no-untyped-def]
    doc = load(FASTPCA)
    return doc, passages_for(doc)


def test_joss_margin_box_is_not_spliced_into_the_summary(fastpca) -> None:  # type: ignore[no-untyped-def]
    doc, passages = fastpca
    # Page 1: the sidebar's licence lines stand a few points left of the summary's lines, on the same baselines.
    summary = containing(
        passages, "Developed for biological data such as single-cell RNA-sequencing, spatial transcriptomics, or matrix-assisted"
    )
    assert summary.kind == "prose"
    assert (
        "or matrix-assisted laser desorption/ionization (MALDI imaging), FastPCA can efficiently and accurately identify "
        "the leading singular values in high-dimensional data." in doc.text
    )
    for furniture in (
        "Authors of papers retain copyright",
        "release the work under",
        "Creative Commons",
        "a Cre-",
        "ative Commons",
        "In- rately",
    ):
        assert furniture not in doc.text
    # The other JOSS paper with the box (heldout3's Melodie draft has none): its licence line met "sharing models.".
    multivae = load(MULTIVAE)
    assert "tools for monitoring and sharing models." in multivae.text
    assert "retain copyright" not in multivae.text and "Creative Commons" not in multivae.text


def test_line_end_hyphens_undone_by_the_word_list_compounds_kept(fastpca) -> None:  # type: ignore[no-untyped-def]
    doc, passages = fastpca
    containing(passages, "spatial profiling technologies have dramatically increased the scale")
    containing(passages, "For biological studies, parameter tuning and rapid iteration")
    containing(passages, "the default backend for calculating singular values for compatability, but offers")  # sic
    containing(passages, "Future development of FastPCA aims to be hardware agnostic")
    containing(passages, "and BiocSingular deviated slightly from the exact")
    for broken in ("dra-matically", "parame-ter", "compata-bility", "develop-ment", "de-viated", "accu-rately"):
        assert broken not in doc.text
    # Compounds keep their hyphen, at a line end ("matrix-" / "assisted") as inside a line.
    for compound in ("single-cell", "matrix-assisted laser", "out-of-core", "high-dimensional", "non-linear"):
        assert compound in doc.text
    assert "matrixassisted" not in doc.text


def test_word_list_decides_only_where_it_knows_the_language() -> None:
    english = pdf_loader.LineEndHyphens(language="en")
    assert pdf_loader._join("have dra-", "matically increased", english) == "have dramatically increased"
    assert pdf_loader._join("for compata-", "bility, but", english) == "for compatability, but"  # no half is a word
    assert pdf_loader._join("single-", "cell data", english) == "single-cell data"
    assert pdf_loader._join("an out-of-", "core method", english) == "an out-of-core method"
    assert pdf_loader._join("a multi-", "view model", english) == "a multi-view model"  # "multiview" is rare: unsure
    # The document's own spelling wins over the list: "non-linear" printed inside a line keeps it at a line end.
    printed = pdf_loader.LineEndHyphens.of(["linear or non-linear combinations"], "en")
    assert pdf_loader._join("a non-", "linear map", printed) == "a non-linear map"
    assert pdf_loader._join("a non-", "linear map", english) == "a nonlinear map"
    # Another Latin-script language: its own list; a language the list lacks, or an unlabelled non-English text: kept.
    french = pdf_loader.LineEndHyphens.of(["un texte"], "fr")
    assert pdf_loader._join("le dévelop-", "pement du", french) == "le développement du"
    assert pdf_loader._join("le dévelop-", "pement du", pdf_loader.LineEndHyphens(language="")) == "le dévelop-pement du"
    assert pdf_loader.LineEndHyphens.of(["tekstia"], "fi-FI").word_list == "fi"
    assert pdf_loader.LineEndHyphens.of(["metin"], "tr").word_list == ""  # wordfreq has no large Turkish list
    turkish = pdf_loader.LineEndHyphens.of(["metin"], "tr")
    assert pdf_loader._join("bir geliş-", "tirme süreci", turkish) == "bir geliş-tirme süreci"
    english = [
        "The package provides an interface to optimized matrix multiplication libraries for the purpose of singular",
        "value decomposition, and it drastically reduces the computational time compared to other truncated methods",
        "developed for biological data such as spatial transcriptomics",
    ]
    assert pdf_loader.LineEndHyphens.of(english, "").word_list == "en"  # unlabelled, and its words are English
    unlabelled = " ".join(["Het ontwikkelingsproces van deze bibliotheek verloopt voorspoedig volgens planning"] * 5)
    assert pdf_loader.LineEndHyphens.of([unlabelled, "ontwikkelaars schrijven documentatie zorgvuldig"], "").word_list == ""


def test_a_url_broken_at_a_line_end_gets_no_space(fastpca) -> None:  # type: ignore[no-untyped-def]
    doc, passages = fastpca
    containing(passages, "The full script can be found https://github.com/ACSoupir/FastPCA/blob/main/docs_acs/paper/archive/")
    assert "https://github. com" not in doc.text
    words = pdf_loader.LineEndHyphens()
    assert (
        pdf_loader._join("see https://openreview.net/", "forum?id=k5THrhXDV3 for", words)
        == "see https://openreview.net/forum?id=k5THrhXDV3 for"
    )
    assert (
        pdf_loader._join("see https://doi.org/10.1007/", "978-3-031-43907-0_41", words)
        == "see https://doi.org/10.1007/978-3-031-43907-0_41"
    )
    # A URL that ends at the line end: the sentence goes on after a space.
    assert pdf_loader._join("at https://github.com/dagstuhl-publishing/styles/", "archived at swh", words).endswith(
        "/styles/ archived at swh"
    )
    assert pdf_loader._join("see https://tinygrad.org.", "The next", words) == "see https://tinygrad.org. The next"
    assert pdf_loader._join("see https://example.com", "for details", words) == "see https://example.com for details"


def test_right_aligned_table_columns_and_reference_entries(fastpca) -> None:  # type: ignore[no-untyped-def]
    doc, passages = fastpca
    # Table 1's numbers are set flush right; a wide number stands closer to its neighbour than a cell gap.
    table = containing(passages, "irlba | 413.15s | 423.73s | 429.99s | 466.80s")
    assert table.kind == "table"
    assert "Implementation | Min | Median | Mean | Max" in doc.text
    assert "BiocSingular (rSVD) | 606.71s | 615.53s | 623.30s | 646.58s" in doc.text
    assert "bigstatsr (Partial) | 104.08s | 106.94s | 106.43s | 107.73s" in doc.text
    # Page 6: a justified reference line with one wide word gap is not a table row.
    entry = containing(passages, "Li, Z., Meisner, J., & Albrechtsen, A. (2023). Fast and accurate out-of-core PCA framework")
    assert entry.kind == "reference" and " | " not in entry.text
    # Entries set with a hanging indent are paragraphs of their own, not run together.
    paragraphs = {p.text.split(" (")[0]: p for p in doc.paragraphs if p.kind == "reference"}
    for author in ("Akoglu, H.", "Baglama, J., Reichel, L., & Lewis, B. W.", "Li, Z., Meisner, J., & Albrechtsen, A."):
        assert author in paragraphs
    assert paragraphs["Li, Z., Meisner, J., & Albrechtsen, A."].text.endswith("1599–1608. doi:10.1101/gr.277525.122")
    assert "analysis of large-scale genome-wide data" in doc.text  # a compound at a line end, in a reference


def test_a_word_broken_without_a_hyphen_is_joined_only_when_its_head_is_no_word() -> None:
    english = pdf_loader.LineEndHyphens(language="en")
    # heldout5's regioncode paper: "China's Corruption Investigatio" / "ns Dataset" (the PDF prints no hyphen).
    assert pdf_loader._join("Corruption Investigatio", "ns Dataset", english) == "Corruption Investigations Dataset"
    # A word at the line end stays a word; a name or term nobody knows is not glued to the next word.
    assert pdf_loader._join("a small is", "land nearby", english) == "a small is land nearby"
    assert pdf_loader._join("we use irlba", "as backend", english) == "we use irlba as backend"
    assert pdf_loader._join("the FastPCA", "package", english) == "the FastPCA package"
    # Without a word list for the language, nothing is joined.
    assert pdf_loader._join("Corruption Investigatio", "ns Dataset", pdf_loader.LineEndHyphens(language="")) != (
        "Corruption Investigations Dataset"
    )


def test_the_regioncode_paper_reads_investigations_and_its_listing_over_the_page_break() -> None:
    doc = load(Path(__file__).parent / "data" / "heldout5" / "en-regioncode-joss-paper-draft.pdf")
    assert "Corruption Investigations Dataset" in doc.text
    assert "Investigatio ns" not in doc.text
    # Its R listing runs over the page break (the footer between removed): one code paragraph, not two.
    listing = [p.text for p in doc.paragraphs if p.text.startswith("# Full, official names")]
    assert len(listing) == 1, listing
    assert 'regioncode(data_input = corruption$prefecture,\nconvert_to = "name",' in listing[0]
    assert listing[0].endswith('incomplete_name = "to")')  # the part on the next page


HELDOUT6 = Path(__file__).parent / "data" / "heldout6"


@pytest.fixture(scope="module")
def korean_leaflet():  # type: ignore[no-untyped-def]
    """OpenChain's Korean licence-compliance leaflet (CC0; tests/data/heldout6/SOURCES.md): 8 pt type set 14 pt apart,
    two columns, bold set twice, a dotted table of contents."""
    return load(HELDOUT6 / "ko-openchain-oss-license-compliance-guide.pdf")


def paragraph_with(doc, needle: str):  # type: ignore[no-untyped-def]
    return next(p for p in doc.paragraphs if needle in p.text)


def test_loosely_leaded_korean_lines_join_into_paragraphs(korean_leaflet) -> None:  # type: ignore[no-untyped-def]
    # Each printed line was a paragraph (340 of them); the gap between paragraphs is twice the one between lines.
    assert len(korean_leaflet.paragraphs) < 120
    sentence = "안타깝게도 회사가 OSS 라이선스 의무를 준수하지 않아 저작권 소유자의 소송으로 귀결되는 사례가 있었습니다."
    assert paragraph_with(korean_leaflet, sentence).text == sentence
    opening = paragraph_with(korean_leaflet, "“OSS란 무엇인가요?”라는 질문에")
    assert opening.text.endswith("그러나 대부분의 사람은 다음 내용에 동의합니다.")
    # Full-width list marks ("1．") keep their items on lines of their own.
    assert "1． 오픈 소스 소프트웨어란 무엇인가요?\n2． OSS의 혜택을 누리기 위해 해야 할 일" in korean_leaflet.text
    bullets = paragraph_with(korean_leaflet, "• 개발자 및 엔지니어:")
    assert "하드웨어용 장치 드라이버 소프트웨어" in bullets.text and "\n• 구매 담당자:" in bullets.text


def test_a_right_column_that_starts_a_hair_apart_is_read_as_a_column(korean_leaflet) -> None:  # type: ignore[no-untyped-def]
    # Page 9's right column (lines starting at 316.2-317.9 pt) was lost among table cells.
    policy = paragraph_with(korean_leaflet, "영업 담당자는 OSS와 관련하여 고객과 소통해야 합니다.")
    assert policy.text.endswith("예를 들어, 회사에 특정 라이선스로 OSS를 사용하지 못하도록 하는 OSS 정책이 있을 수 있습니다.")
    legal = paragraph_with(korean_leaflet, "OSS 라이선스를 이해하려면 법무 및 지적 재산 담당자와의 협력이 필수입니다.")
    assert legal.section == "법무/지적 재산 담당자" and legal.kind == "prose"


def test_text_printed_twice_for_bold_and_a_dotted_contents_are_not_text(korean_leaflet) -> None:  # type: ignore[no-untyped-def]
    assert "오픈오픈" not in korean_leaflet.text and "소스소스" not in korean_leaflet.text
    assert "....." not in korean_leaflet.text
    assert not any(".." in h for h in korean_leaflet.headings)
    assert "오픈 소스 소프트웨어 알아보기" in korean_leaflet.headings


def test_a_two_page_handout_loses_its_running_footer() -> None:
    doc = load(HELDOUT6 / "zh-hans-openchain-onboarding-handout.pdf")
    assert "Linux 基金会" not in doc.text and "此文档在" not in doc.text
    assert doc.paragraphs[-1].text.startswith("OpenChain 拥有九个铂金会员")


def sectioned_pdf(pages: list[tuple[str, list[tuple[str, str]]]]) -> bytes:
    """Pages of a Chinese manual: a running header naming the section (left) and the chapter (right) above the text,
    then headings (set larger) and paragraphs."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    for header, content in pages:
        if header:
            section, _, chapter = header.partition("|")
            pdf.setFont(font, 10)
            pdf.drawString(72, height - 58, section.strip())
            pdf.drawRightString(width - 72, height - 58, chapter.strip())
        y = height - 100
        for kind, text in content:
            pdf.setFont(font, {"title": 22, "heading": 15}.get(kind, 10.5))
            pdf.drawString(72, y, text)
            y -= 22 if kind == "body" else 34
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_running_headers_naming_the_section_are_left_out(tmp_path: Path) -> None:
    # ThuThesis's manual (tuna/thuthesis v7.1.0, thuthesis.pdf, LPPL 1.3c; lines quoted from its pages 4-7) heads each
    # page with the current section and chapter, "3.3 编译论文 … 3 安装": the text changes with the section, so it was
    # not seen to repeat, and it was read into the sentences ("4.5 封面信息 4 使用说明}另外本科生要求…").
    pages = [
        (
            "",
            [
                ("title", "THUTHESIS：清华大学学位论文模板"),
                ("heading", "3 安装"),
                ("body", "THUTHESIS 已经包含在主要的 TEX 发行版中，但是通常版本较旧。"),
                ("heading", "3.1 模板的组成"),
            ],
        ),
        ("3.1 模板的组成 | 3 安装", [("body", "下表列出了 THUTHESIS 的主要文件及其功能介绍。"), ("heading", "3.2 生成模板")]),
        ("3.2 生成模板 | 3 安装", [("body", "模板的源文件中包含了大量的注释。"), ("heading", "3.3 编译论文")]),
        ("3.3 编译论文 | 3 安装", [("body", "本节介绍几种常见的生成论文的方法。用户可根据自己的情况选择。"), ("heading", "4 使用说明")]),
        ("4 使用说明 | 4 使用说明", [("body", "本手册假定用户已经能处理一般的 LATEX 文档。")]),
    ]
    path = tmp_path / "manual.pdf"
    path.write_bytes(sectioned_pdf(pages))
    prose = [p for p in load(path).paragraphs if p.kind == "prose"]
    assert [p.text for p in prose] == [
        "THUTHESIS 已经包含在主要的 TEX 发行版中，但是通常版本较旧。",
        "下表列出了 THUTHESIS 的主要文件及其功能介绍。",
        "模板的源文件中包含了大量的注释。",
        "本节介绍几种常见的生成论文的方法。用户可根据自己的情况选择。",
        "本手册假定用户已经能处理一般的 LATEX 文档。",
    ]
    assert [p.section for p in prose] == ["3 安装", "3.1 模板的组成", "3.2 生成模板", "3.3 编译论文", "4 使用说明"]


def test_a_table_of_contents_is_no_passage(lipics) -> None:  # type: ignore[no-untyped-def]
    # Its entries lead with dots to page numbers ("2.1 Preparation . . . . . 4"); they were one "table" passage that
    # answered questions with a list of section titles.
    doc, _ = lipics
    assert not any(re.search(r"(\. ){4,}", p.text) for p in doc.paragraphs)
    assert not [p for p in doc.paragraphs if p.section == "Contents"]
    assert any(p.section.endswith("Preparation") for p in doc.paragraphs)


@pytest.mark.parametrize(
    ("font", "mono"),
    [
        ("ABCDEF+TeXGyreCursor-Regular", True),  # ctex's and ThuThesis's typewriter face
        ("SFTT1000", True),  # cm-super's
        ("NewTXTT", True),
        ("LMMono10-Regular", True),
        ("TeXGyrePagella-Regular", False),
        ("FandolSong-Regular", False),
    ],
)
def test_typewriter_faces_are_known_as_code(font: str, mono: bool) -> None:
    raw = [{"text": "\\thusetup{", "x0": 0, "x1": 50, "top": 0, "bottom": 10, "size": 10, "fontname": font, "upright": True}]
    assert pdf_loader._words(raw)[0].mono is mono


def test_the_longest_ragged_lines_keep_their_last_words(tmp_path: Path) -> None:
    # Slides set ragged right (jaepil-choi/kaist-thesis, "Thesis Writing and Presentation", a lecture deck in Arial): the
    # text block's right edge was taken from its longer lines, and the words of the longest ones that ran past it were
    # dropped as margin notes: "then you need to look the existing literature", "replicate paper".
    lines = [
        "First, you need to ask yourself what area you are interested in.",
        "Since you are writing a thesis for the financial engineering",
        "Master's degree, the topic should be closely related to the",
        "finance area, which is a broad one.",
        "If the broad area for the thesis is decided, then you need to look over",
        "the existing literature in the area, and how the other people have",
        "thought of the issues in the area.",
        "Next, you need to fix a concrete question you want to deliver in your",
        "thesis, and it should be answerable with your data.",
        "Find a key paper (or papers) for the question, and then replicate the",
        "paper with your own data. Then think about how to adjust/expand the",
        "key paper to the one that suits well with your idea or data.",
    ]
    path = tmp_path / "slides.pdf"
    path.write_bytes(built_pdf([lines]))
    text = " ".join(p.text for p in load(path).paragraphs)
    assert "then you need to look over the existing literature" in text
    assert "deliver in your thesis" in text and "replicate the paper" in text and "adjust/expand the key paper" in text


def test_contents_entries_without_leaders_go_with_the_contents(tmp_path: Path) -> None:
    # HUST's thesis template (hust-latex/hustthesis at f405da8d, hustthesis-zh-example.pdf, LPPL 1.3c): under "目 录"
    # the front-matter entries have no dot leaders and their roman page numbers stand apart ("摘要", "插图索引"); they
    # were passages of their own.
    pages = [
        (
            "",
            [
                ("title", "LATEX模板使用示例"),
                ("heading", "目 录"),
                ("body", "摘要"),
                ("body", "插图索引"),
                ("body", "1 基本格式测试 . . . . . . . . . . . . . . . . 1"),
                ("body", "1.1 第一层 . . . . . . . . . . . . . . . . . . 1"),
            ],
        ),
        ("", [("heading", "1 基本格式测试"), ("body", "这是一个 LATEX 模板使用实例文件，该模板用于华中科技大学毕业设计。")]),
    ]
    path = tmp_path / "thesis.pdf"
    path.write_bytes(sectioned_pdf(pages))
    prose = [p for p in load(path).paragraphs if p.kind == "prose"]
    assert [(p.section, p.text) for p in prose] == [("1 基本格式测试", "这是一个 LATEX 模板使用实例文件，该模板用于华中科技大学毕业设计。")]


def test_numbered_slide_titles_are_headings_not_running_headers(tmp_path: Path) -> None:
    # A deck whose slides go on under one title, numbered (jaepil-choi/kaist-thesis, "Thesis Writing and Presentation"):
    # "Thesis Writing (2)", "(3)" … read as one running header, digits aside, and were dropped, so the last point of a
    # slide ran on into the first of the next ("References, Tables and Figures What should be included in …").
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.pdfgen import canvas

    slides = [
        ("Thesis Writing", ["The contents of thesis", "Introduction", "Conclusion", "References, Tables and Figures"]),
        ("Thesis Writing (2)", ["What should be included in Introduction", "The motivation of the paper"]),
        ("Thesis Writing (3)", ["The contribution of the paper", "The brief introduction and conclusion"]),
        ("Thesis Writing (4)", ["The structure of the paper", "Hypotheses development and data"]),
    ]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=landscape(letter))
    width, height = landscape(letter)
    for number, (title, points) in enumerate(slides, start=1):
        pdf.setFont("Helvetica-Bold", 20)
        pdf.drawString(81, height - 80, title)
        pdf.setFont("Helvetica", 18)
        for i, point in enumerate(points):
            pdf.drawString(117, height - 150 - 52 * i, point)
        pdf.setFont("Helvetica", 10)
        pdf.drawString(width - 120, 40, str(number))
        pdf.showPage()
    pdf.save()
    path = tmp_path / "slides.pdf"
    path.write_bytes(buffer.getvalue())
    paragraphs = load(path).paragraphs
    sections = {p.text: p.section for p in paragraphs}
    assert sections["What should be included in Introduction"] == "Thesis Writing (2)"
    assert sections["The structure of the paper"] == "Thesis Writing (4)"
    assert "References, Tables and Figures" in sections


def test_a_double_spaced_thesis_keeps_its_paragraphs_and_loses_its_roman_numbered_footer(tmp_path: Path) -> None:
    # NTU's thesis template (andy0130tw/ntu-thesis-template at 65348dc2, thesis-sample.pdf, MIT) sets its text double
    # spaced: every line was a paragraph of its own, sentences cut in two ("…, a sophisticated document" / "converter
    # made by John MacFarlane."). Its footer, "iii doi:10.6342/NTUXXXXXXXXX", counts the front matter in roman numerals,
    # which made every page's footer a different text.
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pages = [
        ("iii", ["This thesis is proudly processed with Pandoc, a sophisticated document", "converter made by John MacFarlane."]),
        ("iv", ["I will repeat Section 1.1 but in English. This is the first chapter. In fact,", "there is another chapter: Chapter 2."]),
        ("v", ["You can write your thesis in a supported markup language you are familiar with,", "and Pandoc takes care of the rest."]),
        ("vi", ["This is a refined NTU thesis XeLaTeX template based on former works, and it", "is still maintained."]),
    ]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    for folio, lines in pages:
        pdf.setFont("Helvetica", 12)
        for i, line in enumerate(lines * 3):
            pdf.drawString(85 if i % 2 else 109, height - 150 - 28 * i, line)
        pdf.setFont("Helvetica", 10)
        pdf.drawString(width / 2 - 60, 30, f"{folio} doi:10.6342/NTUXXXXXXXXX")
        pdf.showPage()
    pdf.save()
    path = tmp_path / "thesis.pdf"
    path.write_bytes(buffer.getvalue())
    texts = [p.text for p in load(path).paragraphs]
    assert "This thesis is proudly processed with Pandoc, a sophisticated document converter made by John MacFarlane." in " ".join(texts)
    assert not any(text.startswith("converter made by") for text in texts)
    assert not any("doi:10.6342" in text for text in texts)


KO_WRAPPED_ANYWHERE = (
    "메시지 큐는 분산 시스템에서 생산자와 소비자를 분리하는 데 사용됩니다. 소비자가 처리에 실패하면 시스템은 일정 시간 후에 "
    "메시지를 다시 전달합니다. 최대 열여섯 번까지 재시도한 뒤에는 메시지가 데드 레터 큐로 옮겨지고, 운영자가 직접 처리합니다. "
    "이렇게 하면 일시적인 장애 때문에 메시지가 사라지지 않습니다. 순서 메시지는 전역 순서와 파티션 순서의 두 가지로 나뉩니다. "
    "전역 순서는 한 주제의 모든 메시지를 들어온 순서대로 발행하고 소비하도록 요구합니다."
)


def test_korean_lines_broken_between_syllables_or_between_words_read_as_written(tmp_path: Path, korean_leaflet) -> None:  # type: ignore[no-untyped-def]
    # Set character by character, the lines break inside words ("뒤" / "에는", "나뉩" / "니다") and between them.
    path = tmp_path / "ko.pdf"
    path.write_bytes(cjk_pdf("HYSMyeongJo-Medium", "메시지 큐의 신뢰성 있는 전달", [KO_WRAPPED_ANYWHERE]))
    assert load(path).paragraphs[1].text == KO_WRAPPED_ANYWHERE
    # The leaflet breaks only between words: no compound is read across its line ends ("장치" / "드라이버").
    assert "하드웨어용 장치 드라이버 소프트웨어" in korean_leaflet.text
    assert "필수 소프트웨어 도구에 대한 투자" in korean_leaflet.text


@pytest.mark.parametrize(
    ("heading", "read"),
    [
        ("초 록", "초록"),  # KAIST's thesis samples (docs/ingestion-audit.md N7)
        ("핵 심 낱 말", "핵심낱말"),
        ("参 考 文 献", "参考文献"),
        ("目 录", "目录"),
        ("오픈 소스 소프트웨어 알아보기", "오픈 소스 소프트웨어 알아보기"),  # words of several syllables keep their spaces
        ("3 安装", "3 安装"),
        ("A B", "A B"),
    ],
)
def test_a_short_heading_set_letter_by_letter_reads_as_written(heading: str, read: str) -> None:
    assert pdf_loader._unspaced_heading(heading) == read


def test_a_letter_spaced_title_of_a_korean_pdf(tmp_path: Path) -> None:
    path = tmp_path / "ko.pdf"
    path.write_bytes(cjk_pdf("HYSMyeongJo-Medium", "초 록", [KO_WRAPPED_ANYWHERE]))
    doc = load(path)
    assert doc.paragraphs[0].kind == "title" and doc.paragraphs[0].text == "초록"


def test_an_enumeration_run_into_a_sentence_stays_one_paragraph(tmp_path: Path) -> None:
    # A paper's run-in enumeration (CleanGraph, LNCS style, in a second ingestion audit): a line that happens to start
    # with "(2)" after a line naming "(1)" went on with the sentence, yet was read as a list item and cut it in two.
    lines = [
        "Our tool keeps every change to the graph in a history that can be reviewed later.",
        "The operations that are supported to edit the data include (1) the addition",
        "of new nodes or edges to the graph, (2) the review of items for errors and",
        "(3) the deletion of items. These operations make the graph easier to repair.",
        "A list of its own still reads as one:",
        "(1) Install the package.",
        "(2) Load the graph.",
    ]
    path = tmp_path / "paper.pdf"
    path.write_bytes(built_pdf([lines]))
    texts = [p.text for p in load(path).paragraphs]
    assert any("include (1) the addition of new nodes or edges to the graph, (2) the review of items" in t for t in texts), texts
    assert any(t.startswith("(2) Load the graph.") or "\n(2) Load the graph." in t for t in texts), texts


def test_a_sentence_goes_on_past_a_table_floated_to_the_top_of_the_next_page(tmp_path: Path) -> None:
    # LaTeX floats tables to the top of a page: a sentence running off the foot of page 9 went on under the table on page
    # 10 and was cut in two (CleanGraph, LNCS style, in a second ingestion audit).
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica", 10)
    page_one = [
        "Table 1 compares our tool with existing tools for knowledge graph management.",
        "While most tools, such as AllegroGraph and Neo4J, are designed to",
    ]
    for i, line in enumerate(page_one):
        pdf.drawString(72, 700 - 14 * i, line)
    pdf.showPage()
    pdf.setFont("Helvetica", 8)
    pdf.drawString(72, 760, "Table 1. Comparison of the tools for knowledge graph management and manipulation.")
    pdf.drawString(72, 748, "Tool        Visualisation        Querying        Review")
    pdf.setFont("Helvetica", 10)
    page_two = [
        "handle large-scale knowledge graphs and lack review support, our tool focuses on",
        "smaller text-based graphs with careful review by people.",
        "Existing tools excel in storing and querying large graph structures.",
    ]
    for i, line in enumerate(page_two):
        pdf.drawString(72, 700 - 14 * i, line)
    pdf.showPage()
    pdf.save()
    path = tmp_path / "paper.pdf"
    path.write_bytes(buffer.getvalue())
    paragraphs = load(path).paragraphs
    [whole] = [p for p in paragraphs if "are designed to" in p.text]
    assert "are designed to handle large-scale knowledge graphs and lack review support" in whole.text, [p.text for p in paragraphs]
    assert (whole.page_start, whole.page_end) == (1, 2)
    assert any(p.text.startswith("Table 1. Comparison") for p in paragraphs)  # the caption stays, after the sentence


def test_footnotes_whose_marks_are_indented_are_told_apart_and_their_marks_leave_the_text(tmp_path: Path) -> None:
    # A JOSS paper (OpenQuestion, in a second ingestion audit) indents each note's number past its wrapped lines: the two
    # notes read as one, so the body's "Python²" kept its mark as "Python2".
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica", 10)
    pdf.drawString(72, 700, "OpenQuestion keeps each survey in a folder that researchers can version and share with others.")
    before = "Every survey is controlled by Python"
    pdf.drawString(72, 686, before)
    x = 72 + pdf.stringWidth(before, "Helvetica", 10)
    pdf.setFont("Helvetica", 7)
    pdf.drawString(x, 690, "2")  # the note's number, smaller and raised
    pdf.setFont("Helvetica", 10)
    pdf.drawString(x + pdf.stringWidth("2", "Helvetica", 7), 686, " and JSON files that any text editor can open and change.")
    pdf.drawString(72, 672, "Reports are rendered in the browser and can be exported for the papers that use them later.")
    pdf.setFont("Helvetica", 8)
    notes = [
        (82, 120, "1 OpenQuestion is built with the open source Anvil App Server, a runtime engine for writing"),
        (72, 110, "full-stack web applications in Python."),
        (82, 100, "2 Those without Python knowledge can simply use the graphical interface of OpenQuestion."),
    ]
    for x, y, text in notes:
        pdf.drawString(x, y, text)
    pdf.showPage()
    pdf.save()
    path = tmp_path / "paper.pdf"
    path.write_bytes(buffer.getvalue())
    paragraphs = load(path).paragraphs
    prose = " ".join(p.text for p in paragraphs if p.kind == "prose")
    assert "controlled by Python and JSON" in prose, prose
    footnotes = [p.text for p in paragraphs if p.kind == "footnote"]
    assert [n[:2] for n in footnotes] == ["1 ", "2 "], footnotes


def a4_canvas(path: Path):  # type: ignore[no-untyped-def]
    """A reportlab canvas on an A4 page whose `save()` writes the PDF to `path`."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    return canvas.Canvas(str(path), pagesize=A4)


def _justified(pdf, y: float, text: str, left: float = 72, right: float = 523, size: float = 10) -> None:  # type: ignore[no-untyped-def]
    """Draw a line word by word across the measure, its gaps stretched evenly as a justified line's are."""
    words = text.split()
    widths = [pdf.stringWidth(word, "Helvetica", size) for word in words]
    gap = (right - left - sum(widths)) / (len(words) - 1)
    x = left
    for word, width in zip(words, widths):
        pdf.drawString(x, y, word)
        x += width + gap


def test_a_justified_line_stretched_past_the_cell_gap_opens_no_table(tmp_path: Path) -> None:
    # The svjour3 paper (audit 4, PDF-3): a long URL left a justified line six words, its gaps stretched to 22 pt, wider
    # than the cell gap; the line opened a "table" that took every line after it, two paragraphs of prose. After a
    # display equation (set as cells) the prose under it was table rows too (third audit D4). A table's rows share
    # their columns; running text across the measure, evenly spread, is no row of one. A real table stays one.
    from reportlab.lib.pagesizes import A4

    path = tmp_path / "stretched.pdf"
    pdf = a4_canvas(path)
    pdf.setFont("Helvetica", 10)
    body = [
        "Earlier work compared the energies of single configurations across several simulation",
        "engines, but the conversion of input files between them was done by hand for each of",
        "the programs, which made the comparison slow and prone to errors of many kinds.",
    ]
    lines = [
        *body,
        "The molecular interconversion software programs named",
        "InterMol (https://github.com/shirtsgroup/InterMol-converter) and ParmEd",
        "(http://github.com/ParmEd/ParmEd) were used to perform comparisons between",
        "five different simulation input parameter files and engines for this study of ours.",
    ]
    y = A4[1] - 72
    for text in lines:
        _justified(pdf, y, text)
        y -= 12
    pdf.drawString(72, y, "from the program average.")
    y -= 24
    for cells in (("1", "N"), ("E =", "E_i - E_p")):  # a display equation: cells, centred
        pdf.drawString(250, y, cells[0])
        pdf.drawString(300, y, cells[1])
        y -= 12
    after = [
        "Each statistical measure gives somewhat different information about the trials, as",
        "the mean difference shows how an energy term deviates from the program average, while",
        "the absolute difference shows the size of that deviation without any cancellation of",
    ]
    for text in after:
        _justified(pdf, y, text)
        y -= 12
    pdf.drawString(72, y, "which we report below.")
    y -= 24
    for row in (("Engine", "Version", "Energy"), ("GROMACS", "2018.3", "-1204.5"), ("LAMMPS", "2018", "-1204.7")):
        for x, cell in zip((150, 260, 370), row):
            pdf.drawString(x, y, cell)
        y -= 12
    pdf.save()
    paragraphs = load(path).paragraphs
    texts = [p.text for p in paragraphs]
    assert (
        "The molecular interconversion software programs named InterMol (https://github.com/shirtsgroup/InterMol-converter)"
        " and ParmEd (http://github.com/ParmEd/ParmEd) were used to perform comparisons between five different simulation"
        " input parameter files and engines for this study of ours." in " ".join(texts)
    )
    assert not any(p.kind == "table" and "Earlier work" in p.text for p in paragraphs)
    assert any(p.text.startswith("Each statistical measure") and p.text.endswith("which we report below.") for p in paragraphs)
    tables = [p.text for p in paragraphs if p.kind == "table"]
    assert "Engine | Version | Energy\nGROMACS | 2018.3 | -1204.5\nLAMMPS | 2018 | -1204.7" in tables


def test_a_short_column_a_figure_or_a_bulleted_column_still_makes_two_columns(tmp_path: Path) -> None:
    # Audit 4, PDF-2 and PDF-5: a two-column page was read as one when a column is short (the ACM paper's last page:
    # headings and an acknowledgement beside a full column, the right column then dropped past the text's edge), when a
    # figure's tick labels sit at a column's top (most of its rows narrow), or when the right column is a bulleted list
    # with hanging indents (its lines start at three edges). Lines of both columns were then merged across the gutter.
    from reportlab.lib.pagesizes import A4

    path = tmp_path / "columns.pdf"
    pdf = a4_canvas(path)
    width = A4[0]
    left, measure = 54.0, 236.0
    right = width - left - measure  # the right column mirrors the left one
    words = "the timing vectors are identical to their focal vector except for the values of objectives that tie".split()

    def column(x: float, top: float, count: int, seed: int = 0) -> None:
        for n in range(count):
            line = " ".join((words[(n + seed) % 7 :] + words[: (n + seed) % 7])[:8])
            _justified(pdf, top - 11 * n, line, left=x, right=x + measure, size=9)

    pdf.setFont("Helvetica", 9)
    column(left, 780, 50)
    pdf.setFont("Helvetica-Bold", 10)
    for n, heading in enumerate(("5 SOFTWARE", "6 DISCUSSION", "7 CONCLUSION", "ACKNOWLEDGMENTS")):
        pdf.drawString(right, 780 - 16 * n, heading)
    pdf.setFont("Helvetica", 9)
    pdf.drawString(right, 780 - 16 * 4, "We would like to thank the members of the lab for their help.")
    pdf.showPage()

    pdf.setFont("Helvetica", 7)
    for n in range(8):  # a plot's axis at the top of the left column
        pdf.drawString(left + 6, 780 - 12 * n, str(160 - 20 * n))
    pdf.setFont("Helvetica", 9)
    column(left, 670, 40, seed=3)
    y = 780.0
    for _ in range(12):
        pdf.drawString(right, y, "-")
        _justified(pdf, y, "Keep your abstract brief and self-contained, in", left=right + 9, right=right + measure, size=9)
        pdf.drawString(right + 9, y - 11, "one paragraph of four to six sentences.")
        y -= 26
    column(right, y, 12, seed=5)
    pdf.showPage()
    pdf.save()
    doc = load(path)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "We would like to thank the members of the lab for their help." in text
    assert [p.section.split()[-1] for p in doc.paragraphs if "thank the members" in p.text] == ["ACKNOWLEDGMENTS"]
    items = [p for p in doc.paragraphs if "Keep your abstract" in p.text]
    assert items and all(
        t.startswith("- Keep your abstract brief") and t.endswith("in one paragraph of four to six sentences.")
        for p in items
        for t in p.text.split("\n")
    )
    assert not any(p.kind == "table" for p in doc.paragraphs)
    assert not any("timing" in t and "Keep your" in t for p in doc.paragraphs for t in p.text.split("\n"))


def test_a_full_width_abstract_under_a_label_is_not_dealt_to_the_columns(tmp_path: Path) -> None:
    # Audit 4, PDF-1 (an Elsevier preprint): the columns started at the first row that is not page-wide, the
    # "Abstract" label set on the left alone, so each full-width abstract line below it was cut at the gutter and its
    # halves dealt to the two columns. The columns now start below the last page-wide row above their first row with
    # words either side of the gutter.
    from reportlab.lib.pagesizes import A4

    path = tmp_path / "abstract.pdf"
    pdf = a4_canvas(path)
    width = A4[0]
    left, measure = 54.0, 236.0
    right = width - left - measure
    pdf.setFont("Helvetica-Bold", 10)
    pdf.drawString(left, 760, "Abstract")
    pdf.setFont("Helvetica", 9)
    abstract = [
        "Context: Implementing open source components into commercial applications has many advantages for",
        "software developers. However, an unforeseen decline in the health of the supplying community can lead to",
        "a number of complications or large expenses, caused by transition costs to an alternative component.",
    ]
    for n, line in enumerate(abstract):
        _justified(pdf, 745 - 11 * n, line, left=left, right=width - left, size=9)
    pdf.drawString(left, 745 - 11 * 3, "Successful managers assess the health of the communities they depend on.")
    words = "product managers must be able to assess the health of the communities their products depend on".split()
    for x, seed in ((left, 0), (right, 4)):
        for n in range(40):
            line = " ".join((words[(n + seed) % 9 :] + words[: (n + seed) % 9])[:8])
            _justified(pdf, 690 - 11 * n, line, left=x, right=x + measure, size=9)
    pdf.save()
    texts = [p.text for p in load(path).paragraphs]
    assert (
        "Context: Implementing open source components into commercial applications has many advantages for software"
        " developers. However, an unforeseen decline in the health of the supplying community can lead to a number of"
        " complications or large expenses, caused by transition costs to an alternative component. Successful managers"
        " assess the health of the communities they depend on." in texts
    )


def test_an_unmarked_notice_at_the_foot_of_a_first_page_column_is_a_note(tmp_path: Path) -> None:
    # Audit 4, PDF-4 (ACM's permission block, NeurIPS's "Submitted to …", Elsevier's "Preprint submitted to …"): the
    # walk up from the page's foot stopped at the right column's last body line and never reached the left column's
    # foot, and lines without a note's mark were left in the body, so the notice stood inside a sentence running from
    # the left column to the right one.
    from reportlab.lib.pagesizes import A4

    path = tmp_path / "notice.pdf"
    pdf = a4_canvas(path)
    width = A4[0]
    left, measure = 54.0, 236.0
    right = width - left - measure
    words = "problems that we regularly encounter are in the class of problems we can verify quickly".split()
    lines = [" ".join((words[n % 7 :] + words[: n % 7])[:8]) for n in range(70)]
    lines[39] = "Some problems are easy in the sense that solutions for"
    lines[40] = "them have been found in polynomial time by now."
    pdf.setFont("Helvetica", 9)
    for n, line in enumerate(lines[:40]):
        _justified(pdf, 780 - 11 * n, line, left=left, right=left + measure, size=9)
    pdf.drawString(right, 780, lines[40])  # the sentence's last line, short
    for n, line in enumerate(lines[41:], start=1):
        _justified(pdf, 780 - 11 * n, line, left=right, right=right + measure, size=9)
    pdf.setFont("Helvetica", 7)
    notice = [
        "Permission to make digital or hard copies of all or part of this",
        "work for personal or classroom use is granted without fee.",
        "GECCO 2023, 2023, Portugal",
    ]
    for n, line in enumerate(notice):
        pdf.drawString(left, 780 - 11 * 40 - 30 - 8 * n, line)
    pdf.save()
    paragraphs = load(path).paragraphs
    assert any("Some problems are easy in the sense that solutions for them have been found" in p.text for p in paragraphs)
    [note] = [p for p in paragraphs if "Permission to make" in p.text]
    assert note.kind == "footnote" and note.text.endswith("GECCO 2023, 2023, Portugal")


def test_a_paragraph_under_a_last_item_of_one_short_line_is_no_part_of_it(tmp_path: Path) -> None:
    # The sixth audit: FastAPI's "About HTTPS" page in Traditional Chinese and in English (fastapi/fastapi at c3f316b7,
    # docs/zh-hant/docs/deployment/https.md and docs/en/docs/deployment/https.md, MIT), set by LibreOffice as a word
    # processor sets a numbered list: the mark at the margin, the text after a tab, wrapped lines under the text, and
    # the paragraph under the list back at the margin with no more space than between items. The last item, one short
    # line ending no sentence, took the paragraph in: "3. X-Forwarded-Host然而，因為應用伺服器並不知道…".
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    lists = [
        (
            "STSong-Light",
            "這些代理標頭包括：",
            ["X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"],
            "然而，因為應用伺服器並不知道自己在受信任的代理之後，預設情況下它不會信任這些標頭。",
        ),
        (
            "Helvetica",
            "The proxy headers are:",
            ["X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"],
            "Nevertheless, as the application server doesn't know it is behind a trusted proxy, by default, it won't trust those headers.",
        ),
    ]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    y = A4[1] - 72
    for font, lead, items, after in lists:
        pdf.setFont(font, 10.5)
        pdf.drawString(72, y, lead)
        for number, item in enumerate(items, 1):
            y -= 14
            pdf.drawString(72, y, f"{number}.")
            pdf.drawString(90, y, item)
        y -= 14
        pdf.drawString(72, y, after)
        y -= 30
    pdf.showPage()
    pdf.save()
    path = tmp_path / "https.pdf"
    path.write_bytes(buffer.getvalue())
    texts = [p.text for p in load(path).paragraphs]
    for _, _lead, items, after in lists:
        assert after in texts, texts
        assert not any(t.endswith(items[-1] + after) or t.endswith(f"{items[-1]} {after}") for t in texts)
    # An item wrapped under its text still goes on, and so does the rest of a sentence after a short line further down
    # an item (a break the item was set with, as ucasthesis's "…最为通用的\chapter{item name}" | "来显式实现的…").
    texts = hanging_list_texts(tmp_path, "STSong-Light", UCAS_LIST)
    assert "\n".join(text for _, text in UCAS_LIST[:4]) in texts, texts


def test_paragraphs_under_a_table_are_not_its_rows(tmp_path: Path) -> None:
    # The sixth audit: FastAPI's "Metadata and Docs URLs" in Traditional Chinese (fastapi/fastapi at c3f316b7,
    # docs/zh-hant/docs/tutorial/metadata.md, MIT), its table set by LibreOffice: cells padded in from the margin, the
    # third column's text wrapped in it. The short paragraphs right under the table were read as more of its rows (lines of
    # one cell, as the wrapped cells' lines are): "license_info | dict | …" / "你可以這樣設定它們：" / "你可以在 description 欄位中…".
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    rows = [
        ["參數", "型別", "說明"],
        ["title", "str", "API 的標題。"],
        ["summary", "str", "API 的簡短摘要。自 OpenAPI", "3.1.0、FastAPI 0.99.0 起可", "用。"],
        ["terms_of_service", "str", "指向 API 服務條款的 URL。若", "提供，必須是 URL。"],
        ["license_info", "dict", "對外公開的 API 授權資訊。可", "包含多個欄位。"],
    ]
    after = [
        "你可以這樣設定它們：",
        "你可以在 description 欄位中撰寫 Markdown，輸出時會被正確渲染。",
        "使用這些設定後，自動產生的 API 文件會像這樣：",
    ]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("STSong-Light", 10.5)
    y = A4[1] - 72
    pdf.drawString(71, y, "你可以設定下列欄位，這些欄位會用在 OpenAPI 規格與自動產生的 API 文件介面中：")
    y -= 24
    for row in rows:
        for x, cell in zip((74, 225, 376), row[:3]):
            pdf.drawString(x, y, cell)
        for wrapped in row[3:]:
            y -= 14
            pdf.drawString(376, y, wrapped)
        y -= 20
    for text in after:
        pdf.drawString(71, y, text)
        y -= 21
    pdf.showPage()
    pdf.save()
    path = tmp_path / "metadata.pdf"
    path.write_bytes(buffer.getvalue())
    paragraphs = load(path).paragraphs
    assert [(p.kind, p.text) for p in paragraphs if p.text in after] == [("prose", text) for text in after], paragraphs
    (table,) = [p for p in paragraphs if p.kind == "table"]
    assert table.text.startswith("參數 | 型別 | 說明") and table.text.endswith("包含多個欄位。")


def test_a_bold_first_item_under_a_lead_in_is_no_heading(tmp_path: Path) -> None:
    # The sixth audit: FastAPI's "About HTTPS" page (fastapi/fastapi at c3f316b7, docs/ko/docs/deployment/https.md and
    # docs/en/docs/deployment/https.md, MIT) set by LibreOffice. Its first item's words are bold ("* **일부 DNS 레코드
    # 수정**."), so "1. 일부 DNS 레코드 수정." was a numbered bold line, a heading: the item was no text and it named the
    # section of the rest of the page. Right under a paragraph that introduces it with a colon it is the list's item.
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    lines = [
        ("Helvetica-Bold", 20, 72, "About HTTPS"),
        ("Helvetica-Bold", 14, 72, "Renewing Certificates"),
        ("Helvetica", 10.5, 72, "So, to renew the certificates, the renewal program needs to prove to the authority (Let's"),
        ("Helvetica", 10.5, 72, 'Encrypt) that it indeed "owns" and controls that domain.'),
        ("Helvetica", 10.5, 72, "To do that, and to accommodate different application needs, there are several ways it can do"),
        ("Helvetica", 10.5, 72, "it. Some popular ways are:"),
        ("Helvetica-Bold", 10.5, 72, "1. Modify some DNS records."),
        ("Helvetica", 10.5, 90, "• For this, the renewal program needs to support the APIs of the DNS provider."),
        ("Helvetica", 10.5, 72, "2. Run as a server (at least during the certificate acquisition process)."),
        ("Helvetica", 10.5, 90, "• As we said above, only one process can be listening on a specific IP and port."),
    ]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    y = A4[1] - 72
    for font, size, x, text in lines:
        pdf.setFont(font, size)
        pdf.drawString(x, y, text)
        y -= 24 if size > 11 else 15
    pdf.showPage()
    pdf.save()
    path = tmp_path / "renewal.pdf"
    path.write_bytes(buffer.getvalue())
    paragraphs = load(path).paragraphs
    assert not any("Modify" in p.section for p in paragraphs), paragraphs
    assert any(p.text.startswith("1. Modify some DNS records.") for p in paragraphs), paragraphs
