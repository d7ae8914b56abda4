"""Ingestion of real Markdown and plain-text documents (zh-Hant, zh-Hans, English, Korean) and the article's profile."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from index.blocks import Block, assemble, reads_as_sentence
from index.chunking import passages_for, sentence_spans
from index.extracted_text import extraction_signals, looks_hard_wrapped
from index.ingest import join_lines
from index.ingest_check import defects
from index.loaders import SourceFile, doc_id_for, load_document
from index.models import DocumentMeta
from tests.conftest import ARTICLE, ARTICLE_META

DOCUMENTS = Path(__file__).parent / "fixtures" / "documents"
ZH_HANT = DOCUMENTS / "zh-hant-getting-paid-for-open-source.md"
ZH_HANS = DOCUMENTS / "zh-hans-oi-competitions-and-formats.md"
ZH_HANS_CMD = DOCUMENTS / "zh-hans-oi-wiki-command-line.md"
EN_MD = DOCUMENTS / "en-go-security-policy-proposal.md"
KO_MD = DOCUMENTS / "ko-semantic-versioning-2.0.0.md"
EN_TXT = DOCUMENTS / "en-go-security-policy-excerpt.txt"
KO_TXT = DOCUMENTS / "ko-semver-preface-wrapped.txt"
ALL = [ZH_HANT, ZH_HANS, ZH_HANS_CMD, EN_MD, KO_MD, EN_TXT, KO_TXT]

# Markup that must never reach the text of a prose passage (code passages keep their characters).
MARKUP = ("**", "](", "<aside", "<img", "</", "```", "||", "---|", "{term:", "redirect_from:", "lang: zh", "author: Ir1d")


def load(path: Path):
    return load_document(SourceFile(path, doc_id_for(path)))


def load_written(path: Path, text: str):
    """The document a Markdown text gives once written to `path`."""
    path.write_text(text, encoding="utf-8")
    return load(path)


@pytest.fixture(scope="module")
def docs():
    return {path.name: load(path) for path in ALL}


@pytest.fixture(scope="module")
def passages(docs):
    return {name: passages_for(doc) for name, doc in docs.items()}


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_no_markup_or_debris_in_any_passage(docs, passages, path):
    doc = docs[path.name]
    assert defects(doc, path.read_text(encoding="utf-8")) == []
    for passage in passages[path.name]:
        assert doc.text[passage.start : passage.end] == passage.text  # every quote is checked against this text
        if passage.kind != "code":
            for mark in MARKUP:
                assert mark not in passage.text, (mark, passage.text[:80])


def test_defect_scan_finds_what_it_looks_for():
    raw = "Intro **bold** and [a link](http://x)\nhere <aside> and pro- mised \ufb01le\u00a0x\n\nsoft\u00adhyphen"
    doc = assemble(DocumentMeta(doc_id="x", title="x"), [Block("body", raw, None, None)], "h")
    kinds = {d.kind for d in defects(doc)}
    assert {
        "bold/italic markers",
        "link syntax",
        "HTML tag",
        "line-end hyphen",
        "ligature",
        "no-break space U+00A0",
        "soft hyphen U+00AD",
    } <= kinds
    glued = assemble(DocumentMeta(doc_id="x", title="x"), [Block("body", "의존성이 높은 시스템에서는새 패키지", None, None)], "h")
    assert [d.kind for d in defects(glued, "의존성이 높은 시스템에서는\n새 패키지")] == ["words glued across a line break"]
    code = assemble(DocumentMeta(doc_id="x", title="x"), [Block("code", "x = a**b  # [x](y)", None, None)], "h")
    assert defects(code) == []  # code keeps its characters


def test_front_matter_is_metadata_not_text(docs):
    zh_hant, ko = docs[ZH_HANT.name], docs[KO_MD.name]
    assert zh_hant.meta.title == "透過為開源專案工作而獲得報酬"  # no sidecar: the front matter's title
    assert ko.meta.title == "유의적 버전 2.0.0" and ko.meta.language == "ko"
    for doc in (zh_hant, ko):
        assert "---" not in doc.text and "title:" not in doc.text
    assert "redirect_from" not in zh_hant.text and "getting-paid" not in zh_hant.text
    # MkDocs' leading `author:` line is metadata too.
    zh_hans = docs[ZH_HANS.name]
    assert zh_hans.meta.author.startswith("Ir1d, Planet6174") and "Ir1d" not in zh_hans.text
    assert zh_hans.text.startswith("赛事简介")


def test_sidecar_title_wins_over_front_matter(tmp_path):
    shutil.copy(KO_MD, tmp_path / KO_MD.name)
    (tmp_path / (KO_MD.stem + ".meta.json")).write_text('{"title": "Semantic Versioning (ko)"}', encoding="utf-8")
    doc = load(tmp_path / KO_MD.name)
    assert doc.meta.title == "Semantic Versioning (ko)" and doc.meta.language == "ko"


def test_headings_become_sections(docs):
    assert docs[ZH_HANT.name].headings[:2] == ("為何有人尋求經濟上的支持", "為你的貢獻募資")
    assert {"赛事简介", "OI 赛制", "IOI 赛制", "Codeforces (CF) 赛制", "参考资料"} <= set(docs[ZH_HANS.name].headings)
    # Setext headings (=== and ---) in the Korean specification.
    assert docs[KO_MD.name].headings[:4] == ("유의적 버전 2.0.0-ko2", "요약", "머리말", "유의적 버전 명세 (SemVer)")
    assert {"Abstract", "Background", "Disclosure Process", "Plaintext PGP Key for security@golang.org"} <= set(docs[EN_MD.name].headings)
    # A footnote mark is not part of a section's name.
    assert "语法和常用命令" in docs[ZH_HANS_CMD.name].headings


def test_comments_inside_code_are_not_headings(docs):
    cmd = docs[ZH_HANS_CMD.name]
    assert not any(h.startswith(("这里一定要", "$", "#")) for h in cmd.headings)
    code = [p for p in cmd.paragraphs if p.kind == "code"]
    assert any("# 这里一定要把 > input 写在前面" in p.text for p in code)
    assert any(p.text == "root@seniorious:~# apt-get install gcc" for p in code)


def test_code_is_its_own_passages(docs, passages):
    for name in (ZH_HANS_CMD.name, KO_MD.name, EN_MD.name):
        code = [p for p in passages[name] if p.kind == "code"]
        prose = [p for p in passages[name] if p.kind != "code"]
        assert code and prose
        for passage in code:
            para = next(p for p in docs[name].paragraphs if p.number == passage.paragraph)
            assert para.kind == "code"
    pgp = [p for p in passages[EN_MD.name] if "BEGIN PGP PUBLIC KEY BLOCK" in p.text]
    assert len(pgp) == 1 and pgp[0].kind == "code" and "security" not in pgp[0].text.split("-----")[0]
    bnf = [p for p in passages[KO_MD.name] if "<유의적 버전> ::= <버전 몸통>" in p.text]
    assert bnf and bnf[0].kind == "code" and bnf[0].section == "유효한 유의적 버전의 BNF(Backus-Naur Form) 문법"
    # Prose around the code never shares a passage with it.
    assert not any("$ git" in p.text or "$ mkfifo" in p.text for p in passages[ZH_HANS_CMD.name] if p.kind != "code")


def test_list_items_and_table_rows_keep_their_lines(docs):
    zh_hans = docs[ZH_HANS.name].text
    assert "全国青少年信息学奥林匹克联赛（NOIP）\n全国青少年信息学奥林匹克竞赛（NOI）\n" in zh_hans
    assert "OI 竞赛种类繁多，仅中国就包括：\n全国青少年" in zh_hans  # a list stays with its introduction
    en = docs[EN_MD.name].text
    assert "Python Security Policy\nRuby on Rails Security Policy\nRust Security Policy" in en
    assert "1. Once the security report is received" in en and "\n2. The problem will be confirmed" in en
    cmd = docs[ZH_HANS_CMD.name].text
    assert "分类 | Windows 系统 | Unix 系统\n文件列表 | dir | ls\n切换目录 | cd | cd\n" in cmd
    assert "Bash | 文件路径、PATH 中的命令名、内建命令名、函数名、命令参数\nZsh |" in cmd
    kinds = {p.text.split("\n")[0]: p.kind for p in docs[ZH_HANS_CMD.name].paragraphs}
    assert kinds["分类 | Windows 系统 | Unix 系统"] == "table"
    assert all(kind != "table" for first, kind in kinds.items() if " | " not in first)
    # Korean numbered rules keep their numbers; each is a line or paragraph of its own.
    ko = docs[KO_MD.name]
    assert any(p.text.startswith("9. 수버전 바로 뒤에 붙임표(-)를 붙이고") for p in ko.paragraphs)
    # A list item never runs into the next one.
    for doc in docs.values():
        for para in doc.paragraphs:
            assert not re.search(r"[。．！？.][-*]\s", para.text)


def test_links_emphasis_and_html_become_their_text(docs):
    zh_hant = docs[ZH_HANT.name].text
    assert '— @gvanrossum, "撰寫 Python"' in zh_hant  # the <aside> quote's credit line, link text only
    assert "後來我將這門語言叫做 Python。\n— @gvanrossum" in zh_hant
    assert "他們本來就有一份自己熱愛的全職工作，這可以讓他們" in zh_hant
    assert "avatars" not in zh_hant and "pquote" not in zh_hant
    cmd = docs[ZH_HANS_CMD.name].text
    assert "使用补全的快捷键一般是Tab，" in cmd  # <kbd>Tab</kbd>
    assert "images/" not in docs[EN_MD.name].text
    en = docs[EN_MD.name].text
    assert "modern cryptography package. Since" in en
    assert "a third-party system" in en  # "third-" / "party" across a line break joins without a space


def test_admonitions_keep_title_and_text(docs):
    zh_hans = docs[ZH_HANS.name]
    para = next(p for p in zh_hans.paragraphs if p.text.startswith("自评测工具 selfEval\n"))
    assert "现如今，在一些 NOI 系列赛中，提供了 selfEval 自评测工具．" in para.text
    assert "???" not in zh_hans.text and "!!!" not in zh_hans.text


def test_footnotes_are_kept_apart(docs):
    notes = [p for p in docs[ZH_HANS_CMD.name].paragraphs if p.kind == "footnote"]
    assert [n.text[:3] for n in notes] == ["[1]", "[2]", "[3]"]
    assert "刘汝佳《算法竞赛入门经典（第 2 版）》" in notes[0].text


def test_korean_spaces_are_kept_across_line_breaks(docs):
    source_paragraphs = _preface_paragraphs()
    wrapped = [p.text for p in docs[KO_TXT.name].paragraphs]
    assert wrapped[1:] == source_paragraphs  # every line break stood for one space, and is one again
    assert "위험이 있다(의존하는 모든 패키지의" in docs[KO_TXT.name].text


def _preface_paragraphs() -> list[str]:
    lines = KO_MD.read_text(encoding="utf-8").split("\n")
    start = lines.index("머리말") + 2
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("유의적 버전 명세"))
    return [line.strip() for line in lines[start:end] if line.strip()]


def test_plain_text_is_not_taken_for_a_pdf_extraction(docs):
    ko_raw = KO_TXT.read_text(encoding="utf-8")
    assert looks_hard_wrapped(ko_raw)  # wrapped at one width, yet ...
    assert not extraction_signals(ko_raw).is_extraction  # ... none of the extraction's artefacts
    for name in (KO_TXT.name, EN_TXT.name):
        assert docs[name].profile == "plain text"
    # A short line alone between blank lines, before a paragraph, is a heading (fourth audit, mdtxt-6).
    assert docs[KO_TXT.name].headings == ("머리말",)
    assert docs[EN_TXT.name].headings == ("Abstract", "Early Disclosure", "Security Review Team Membership")
    en = docs[EN_TXT.name]
    texts = [p.text for p in en.paragraphs]
    assert texts[0] == "Proposal: Security Policy for Go\nJason Buberel"  # a title line is not run into the byline
    assert (
        texts[-1]
        == "* PGP key pair needed for security@golang.org address.\n* Need to designate a primary and secondary alternative contact."
    )
    md_paragraphs = {p.text for p in docs[EN_MD.name].paragraphs}
    assert sum(text in md_paragraphs for text in texts) == 4  # the four prose paragraphs read as in the Markdown original


def test_article_profile_is_recognised_from_its_text(tmp_path):
    shutil.copy(ARTICLE, tmp_path / ARTICLE.name)  # no sidecar: no "format": "pdf-extracted"
    raw = ARTICLE.read_text(encoding="utf-8")
    signals = extraction_signals(raw)
    assert signals.is_extraction and signals.running_header and signals.page_break_lines >= 5
    doc = load(tmp_path / ARTICLE.name)
    assert doc.profile == "pdf-extracted text"
    # Without the sidecar's title the title line reads as a heading; the article's own headings are all found.
    assert doc.headings[-3:] == ("美朝達成無核化共識", "美朝對北韓棄核進程的分歧與兩韓關係", "未來觀察重點")
    pages = {p.page_start for p in doc.paragraphs} | {p.page_end for p in doc.paragraphs}
    assert min(pages) == 91 and max(pages) == 98


ARTICLE_PASSAGES = [
    ("p-527a6838874c", 91, 91),
    ("p-c990bc8782d0", 91, 91),
    ("p-a91f91d1ac02", 91, 92),
    ("p-0218ccad16f4", 92, 92),
    ("p-13eb8481737e", 92, 93),
    ("p-0cbbc7e9c65b", 93, 93),
    ("p-ac7d3c0b5167", 93, 94),
    ("p-981aa4c78dcf", 94, 94),
    ("p-8ade1eee16be", 94, 94),
    ("p-727c9644ef71", 94, 95),
    ("p-78add861784a", 95, 95),
    ("p-742299347f46", 95, 96),
    ("p-1a6540a3e1cb", 96, 96),
    ("p-f22dfa0f0cc9", 96, 96),
    ("p-9bcb9d524b6e", 97, 97),
    ("p-5288b5f94e5d", 97, 97),
    ("p-42c7e5f0d1f8", 97, 98),
    ("p-e4048e8d8a90", 98, 98),
    ("p-0cc6723a13cb", 98, 98),
]


def test_article_passages_are_unchanged():
    passages = passages_for(load(ARTICLE))
    assert [(p.id, p.page_start, p.page_end) for p in passages] == ARTICLE_PASSAGES
    assert ARTICLE_META.exists()


def test_article_body_line_with_a_box_rule_is_kept(tmp_path):
    # Before the fix, any line containing "│" was dropped as a running header, even in the body.
    raw = ARTICLE.read_text(encoding="utf-8").replace("因此雙方舉行高層會談", "因此雙方│舉行高層會談", 1)
    (tmp_path / ARTICLE.name).write_text(raw, encoding="utf-8")
    shutil.copy(ARTICLE_META, tmp_path / ARTICLE_META.name)
    assert "因此雙方│舉行高層會談" in load(tmp_path / ARTICLE.name).text


def test_join_lines_by_script():
    assert join_lines("美朝在新加坡", "舉行高峰會議") == "美朝在新加坡舉行高峰會議"
    assert join_lines("「川金會」", "之後") == "「川金會」之後"
    assert join_lines("버전에 갇히게 될", "위험이 있다") == "버전에 갇히게 될 위험이 있다"
    assert join_lines("문제가 있다.", "시스템 규모가") == "문제가 있다. 시스템 규모가"
    assert join_lines("the current process is very", "informal.") == "the current process is very informal."
    assert join_lines("version 2.0", "2015") == "version 2.0 2015"
    assert join_lines("a third-", "party system") == "a third-party system"
    assert join_lines("日本語の", "テキスト") == "日本語のテキスト"
    assert join_lines("deployed (as", "part)") == "deployed (as part)"
    assert join_lines("deployed (", "as part") == "deployed (as part"
    assert join_lines("as part", ") of it") == "as part) of it"


def _sentences(text: str) -> list[str]:
    return [text[s:e].strip() for s, e in sentence_spans(text)]


def test_sentences_split_in_korean_english_and_fullwidth_stops():
    ko = _preface_paragraphs()[0]
    assert _sentences(ko) == [
        '소프트웨어 관리의 세계에는 "의존성 지옥"이라 불리는 성가신 문제가 있다.',
        "시스템 규모가 커질수록, 그리고 더 많은 패키지를 가져다 쓸수록, 언젠가, 이 절망의 늪에 빠진 자신을 발견하기 쉽다.",
    ]
    assert _sentences("Go programs are deployed. Although Go has a good history, e.g. in crypto, it is informal.") == [
        "Go programs are deployed.",
        "Although Go has a good history, e.g. in crypto, it is informal.",
    ]
    assert _sentences("选手仅有一次提交机会．比赛时无法看到评测结果，评分会在赛后公布．") == [
        "选手仅有一次提交机会．",
        "比赛时无法看到评测结果，评分会在赛后公布．",
    ]
    # A list number, an initial or a version number is no sentence end; a line break between items is.
    assert _sentences("3. 특정 버전으로 패키지를 배포한다. 변경분이 있다면 새 버전으로 한다.") == [
        "3. 특정 버전으로 패키지를 배포한다.",
        "변경분이 있다면 새 버전으로 한다.",
    ]
    assert _sentences("Jason R. Buberel wrote it. Then 1.0.0 shipped.") == ["Jason R. Buberel wrote it.", "Then 1.0.0 shipped."]
    assert _sentences("公开仓库\n免费个人账户") == ["公开仓库", "免费个人账户"]
    # "!" and "?" inside a word, a call or a URL end nothing; before a Chinese character or a space they do.
    assert _sentences("언제 panic!을 써야 할까요? 상황에 따라 다릅니다.") == ["언제 panic!을 써야 할까요?", "상황에 따라 다릅니다."]
    assert _sentences('Call panic!("oops") or see https://example.org/?q=1 now. Done!') == [
        'Call panic!("oops") or see https://example.org/?q=1 now.',
        "Done!",
    ]
    assert _sentences("这是什么?然后呢!好的") == ["这是什么?", "然后呢!", "好的"]
    # A Korean ending runs into the next sentence without a space (d2l-ai/d2l-ko, naive-bayes.md, CC BY-SA 4.0);
    # other Hangul before a dot ends nothing ("주.부.수", major.minor.patch).
    assert _sentences("이전 섹션에서 확률 이론과 랜덤 변수에 대해 배웠습니다.이 이론을 적용하기 위해 분류기를 소개하겠습니다.") == [
        "이전 섹션에서 확률 이론과 랜덤 변수에 대해 배웠습니다.",
        "이 이론을 적용하기 위해 분류기를 소개하겠습니다.",
    ]
    assert _sentences("버전을 주.부.수 형식으로 올린다.") == ["버전을 주.부.수 형식으로 올린다."]


def test_korean_markdown_passages_end_at_sentences(passages):
    for passage in passages[KO_MD.name]:
        if passage.kind == "prose" and len(passage.text) > 200:
            assert passage.text.rstrip().endswith((".", "?", "!", ")", '"', "다")), passage.text[-40:]


def _rendered(source: str) -> list[tuple[str, str]]:
    from index.markdown_loader import parse_markdown

    return [(block.kind, block.text) for block in parse_markdown(source).blocks]


def test_markdown_constructs_render_as_a_reader_sees_them():
    # Snippets of the constructs the issue reported leaking (the real documents above cover the rest).
    assert _rendered("Docker Hub 提供：\n- 公开仓库\n- 免费个人账户\n") == [("body", "Docker Hub 提供：\n公开仓库\n免费个人账户")]
    assert _rendered("```bash\n$ docker login\n$ docker push\n## 完整格式\n```\n") == [
        ("code", "$ docker login\n$ docker push\n## 完整格式")
    ]
    assert _rendered("See the {term:registry} and [the docs][ref].\n\n[ref]: https://example.com/docs\n") == [
        ("body", "See the registry and the docs.")
    ]
    assert _rendered("![diagram](img/a.png)\n\nText.{: .note}\n") == [("body", "Text.")]
    html = '<table><tr><th>Name</th><th>Size</th></tr><tr><td><img src="x.png">alpine</td><td>5 MB</td></tr></table>\n'
    assert _rendered(html) == [("body", "Name | Size\nalpine | 5 MB")]
    assert _rendered("> quoted **bold** line\n> goes on\n") == [("body", "quoted bold line goes on")]
    assert _rendered("1. step one\n\n   ```\n   make\n   ```\n2. step two\n") == [
        ("body", "1. step one"),
        ("code", "make"),
        ("body", "2. step two"),
    ]
    assert _rendered("Title\n=====\n\nText <!-- hidden --> here.\n") == [("heading", "Title"), ("body", "Text here.")]


def test_inspect_command_reports_profile_sections_and_defects(capsys, tmp_path):
    from index.cli import main

    leaky = tmp_path / "leaky.txt"
    leaky.write_text("Intro **bold** and [a link](http://x) here, pro- mised.\n", encoding="utf-8")
    assert main(["inspect", str(KO_MD), str(leaky)]) == 0
    out = capsys.readouterr().out
    korean, plain = out.split("== ")[1:]
    assert "profile: markdown" in korean and "머리말 · 유의적 버전 명세 (SemVer)" in korean and "defects: none" in korean
    assert "code 3" in korean  # paragraphs by kind
    assert "profile: plain text" in plain and "link syntax ×1" in plain and "line-end hyphen ×1" in plain
    assert "¶1: Intro **bold** and [a link](http://x)" in plain
    assert main(["inspect", str(tmp_path / "missing.md")]) == 1
    assert "not ingested" in capsys.readouterr().out


def test_plain_text_keeps_intended_line_breaks_and_list_lines():
    from index.text_loader import plain_blocks

    body = "朝鮮半島無核化以及終戰宣言對話與觀察，美朝在新加坡舉行高峰會議，"
    raw = f"第一章\n{body}\n{body}\n\n- 公开仓库\n- 免费个人账户\n"
    assert [b.text for b in plain_blocks(raw)] == [f"第一章\n{body}{body}", "- 公开仓库\n- 免费个人账户"]


def test_a_chinese_line_that_ends_no_sentence_runs_on_however_short(tmp_path):
    # pdftotext's text of ElegantBook's Chinese manual (fourth audit, mdtxt-7): a justified line is cut at its wide gaps
    # into short lines, one of them ending inside a word (美 / 观); they were kept as breaks and cut the search units.
    from index.chunking import passages_for
    from index.units import units_for

    raw = (
        "1.1 ElegantBook 更新说明\n"
        "在这几年间，我们收到了很多用户的反馈，主要的问题涉及到字体安装，编码支持，定\n理浮动，\n定理跨页，\n"
        "交叉引用等等。我们思前想后，\n原先让用户安装字体以追求视觉上的美\n"
        "观并不完美，用户陷入了巨大的麻烦，这违背了我们的模板初衷。因此我们在新版中删除\n"
        "了这部分，用户无需安装任何字体。主要内容有：\n1. 删除了自定义字体设置，\n改用 ctex 宏包支持中文；\n"
        "2. 模板拆分为中英文模式；\n"
    )
    doc = load_written(tmp_path / "elegantbook.txt", raw)
    assert doc.headings == ("1.1 ElegantBook 更新说明",)  # a title: no comma or stop; split off, being numbered
    assert [p.text for p in doc.paragraphs] == [
        "在这几年间，我们收到了很多用户的反馈，主要的问题涉及到字体安装，编码支持，定理浮动，定理跨页，交叉引用等等。"
        "我们思前想后，原先让用户安装字体以追求视觉上的美观并不完美，用户陷入了巨大的麻烦，这违背了我们的模板初衷。"
        "因此我们在新版中删除了这部分，用户无需安装任何字体。主要内容有：\n"
        "1. 删除了自定义字体设置，改用 ctex 宏包支持中文；\n2. 模板拆分为中英文模式；"
    ]
    passages = passages_for(doc)
    units = [u.text(passages) for u in units_for(passages)]
    assert "我们思前想后，原先让用户安装字体以追求视觉上的美观并不完美，用户陷入了巨大的麻烦，这违背了我们的模板初衷。" in units
    # Fields (a short label and a colon) stay apart, however short.
    fields = load_written(tmp_path / "fields.txt", raw + "\n收件人：张三\n地址：北京市海淀区\n电话：12345\n")
    assert fields.paragraphs[-1].text == "收件人：张三\n地址：北京市海淀区\n电话：12345"


def test_chinese_verse_and_short_parallel_lines_keep_their_breaks(tmp_path):
    # A review of the run-on rule above: once a paragraph was two lines, every later break between Chinese characters
    # joined, and a quatrain came out as "床前明月光\n疑是地上霜举头望明月低头思故乡". Short lines without punctuation
    # side by side are verse or a list; a line runs on when it nears the wrap width or either line is punctuated.
    intro = "李白是唐代最著名的诗人之一，他的诗歌以豪放飘逸著称，被后人誉为诗仙。他一生游历四方，写下了大量描写山水\n" * 3
    poem = load_written(tmp_path / "poem.txt", intro + "\n床前明月光\n疑是地上霜\n举头望明月\n低头思故乡\n\n")
    assert poem.paragraphs[-1].text == "床前明月光\n疑是地上霜\n举头望明月\n低头思故乡"
    steps = load_written(tmp_path / "steps.txt", intro + "\n第一步 打开设置\n第二步 选择网络\n第三步 输入密码\n")
    assert steps.paragraphs[-1].text == "第一步 打开设置\n第二步 选择网络\n第三步 输入密码"
    # A line near the wrap width, or a punctuated one, still runs on.
    tail = "\n但是这一行却没有任何标点符号并且已经很长了差不多到了宽度的位置\n后面接着的这一行也没有\n短短一行\n接着一行，\n"
    prose = load_written(tmp_path / "prose.txt", intro + tail)
    assert (
        prose.paragraphs[-1].text
        == "但是这一行却没有任何标点符号并且已经很长了差不多到了宽度的位置后面接着的这一行也没有\n短短一行接着一行，"
    )


def test_chapter_headings_are_no_running_heads(tmp_path):
    # A review of the running-head rule: "CHAPTER n" every 20-odd lines counted as a line recurring with a rising page
    # number, and "Chapter n" / "* Changes in Foo 3.4" at each page's top (numbers ignored) as a head: all dropped. A
    # number is a page number only when set off as one; a head without one recurs with its numbers as they are.
    words = "glass mouth wound forty log daughter keeper archive morning village lamp storm rock bay".split()

    def body(n: int, lines: int) -> str:
        return "".join(" ".join(words[(n + k + i) % len(words)] for i in range(14)).capitalize() + "\n" for k in range(lines))

    noff = "".join(f"CHAPTER {n}\n\n" + "".join(body(n + k, 5) + "\n" for k in range(4)) for n in range(1, 6))
    doc = load_written(tmp_path / "noff.txt", noff)
    assert doc.headings == tuple(f"CHAPTER {n}" for n in range(1, 6))
    assert all(p.page_start is None for p in doc.paragraphs)
    for name, head in (("ff.txt", "Chapter {}"), ("news.txt", "* Changes in Foo 3.{}")):
        paged = "\f".join(head.format(n) + "\n\n" + body(n, 3) + "\n" + body(n + 5, 2) + f"The end of part {n}.\n" for n in range(1, 5))
        doc = load_written(tmp_path / name, paged)
        assert doc.headings == tuple(head.format(n) for n in range(1, 5))
        assert [p.page_start for p in doc.paragraphs] == [1, 1, 2, 2, 3, 3, 4, 4]
    # Set off as page numbers, they are: alone, "Page n", "– n –", after 3 spaces.
    for foot in ("{}", "Page {}", "– {} –", "Fette & Melnikov    Standards Track    {}"):
        pages = (body(n, 2) + f"The end of part {n}.\n\n" + foot.format(n + 4) + "\n" for n in range(4))
        doc = load_written(tmp_path / "feet.txt", "\f".join(pages))
        assert [p.page_start for p in doc.paragraphs] == [4, 5, 6, 7], foot
        assert all(str(n + 4) not in p.text for n, p in enumerate(doc.paragraphs))


def test_form_feeds_at_a_text_edge_or_inside_a_line_make_no_pages(tmp_path):
    # A review of the paging rule: a text opening with a form feed had every paragraph on page 2; one inside a line
    # ("the sea\fcould throw") split its paragraph. Empty first and last pages go, one page of text has no page
    # numbers, and a form feed inside a line breaks only the line.
    text = "The Keeper\n\nThe lighthouse stood on a rock at the mouth of the bay.\n\nHer diary survives in the archive.\n"
    for raw in ("\f" + text, text + "\f\n", "\f\n" + text + "\f"):
        doc = load_written(tmp_path / "edge.txt", raw)
        assert [(p.text, p.page_start) for p in doc.paragraphs] == [
            ("The lighthouse stood on a rock at the mouth of the bay.", None),
            ("Her diary survives in the archive.", None),
        ]
    inside = load_written(tmp_path / "inside.txt", text.replace("of the bay", "of\fthe bay"))
    assert [p.text for p in inside.paragraphs] == [
        "The lighthouse stood on a rock at the mouth of the bay.",
        "Her diary survives in the archive.",
    ]
    paged = load_written(tmp_path / "paged.txt", "\f" + text.replace("\n\nHer", "\n\f\nHer") + "\f")
    assert [p.page_start for p in paged.paragraphs] == [1, 2]


def test_project_gutenberg_italics_are_prose_not_code(tmp_path):
    # A review of the code rule: Project Gutenberg marks italics with underscores, and an indented address in them read
    # as mostly no words, a code block. Emphasis marks around a word, initials and a joined dash are prose.
    prose = "It was a cold morning in the village when the letter came, and the keeper read it twice before he\n" * 3
    raw = prose + "\n    _Mr. John Smith, Esq._,\n    _No. 12, High Street_,\n    _London, W.C._\n\n" + prose
    raw += "\n    Tis the last *rose* of summer--\n    Left blooming alone;\n\n" + prose
    doc = load_written(tmp_path / "gutenberg.txt", raw)
    assert [p.kind for p in doc.paragraphs] == ["prose"] * 5
    assert doc.paragraphs[1].text == "_Mr. John Smith, Esq._,\n_No. 12, High Street_,\n_London, W.C._"


def _rfc_pages(form_feeds: bool) -> str:
    """Four pages laid out as an IETF RFC's .txt: body three spaces in, a foot with the page number, a head after it;
    each page but the last ends inside a sentence that goes on on the next one."""
    line = "   The endpoint MUST close the connection after sending the {} frame and before any further data is"
    words = ["Close", "Ping", "Pong", "Text", "Binary"]
    pages = []
    for number in range(1, 5):
        body = [] if number == 1 else [f"   sent to the {words[number]} peer, as the other side expects.", ""]
        if number in (1, 3):
            body += [f"{number}.  Section on {words[number]} frames", ""]
        for paragraph in range(4):
            body += [line.format(word) for word in words] + [f"   sent, as the {words[paragraph]} side expects.", ""]
        body += [line.format(words[number]), line.format(words[number - 1])] if number < 4 else ["   The end."]
        head = "" if number == 1 else "RFC 6455                 The WebSocket Protocol            December 2011\n\n\n"
        foot = f"\n\n\nFette & Melnikov             Standards Track                    [Page {number}]\n"
        pages.append(head + "\n".join(body) + foot)
    return ("\f\n" if form_feeds else "").join(pages)


@pytest.mark.parametrize("form_feeds", [True, False])
def test_an_rfc_as_text_loses_its_page_heads_and_feet_and_keeps_its_pages(tmp_path, form_feeds):
    # RFC 6455 as .txt (fourth audit, mdtxt-5 and mdtxt-11): its feet ("Fette & Melnikov  Standards Track  [Page 1]")
    # and heads ("RFC 6455  The WebSocket Protocol  December 2011") were paragraphs cutting sentences in two, no page
    # was known, and its indented lines counted as page-break artefacts, which routed parts of it to the PDF profile.
    raw = _rfc_pages(form_feeds)
    assert extraction_signals(raw).page_break_lines == 0  # its lines are all indented alike: no page-break artefact
    doc = load_written(tmp_path / "rfc.txt", raw)
    assert doc.profile == "plain text"
    texts = [p.text for p in doc.paragraphs]
    assert not [t for t in texts if "[Page" in t or "December 2011" in t]
    cut = doc.paragraphs[4]  # the last paragraph of page 1, whole
    assert cut.text.endswith("before any further data is sent to the Pong peer, as the other side expects.")
    assert cut.text.count("MUST") == 2 and (cut.page_start, cut.page_end) == (1, 2)
    assert [p.page_start for p in doc.paragraphs if p.section == "3.  Section on Text frames"][:2] == [3, 3]
    assert (doc.paragraphs[-1].text, doc.paragraphs[-1].page_start) == ("The end.", 4)


def test_code_figures_and_rules_in_plain_text_are_read_as_such(tmp_path):
    # Fourth audit, mdtxt-6 and mdtxt-10: RFC 6455's frame diagram and HTTP examples, set in from its 3-space margin,
    # were joined into prose lines ("0 1 2 3 … |F|R|R|R| opcode|M|…"); a kernel translation's example, at the margin,
    # too ("flags) CPU A:  val = readl(my_status);"); reST's title underlines, separators and directives were text.
    prose = "   This wire format for the data transfer part is described by the ABNF given in detail in\n" * 3
    raw = (
        "5.2.  Base Framing Protocol\n\n" + prose + "   in this section.\n\n"
        "   The handshake from the server looks as follows:\n\n"
        "        HTTP/1.1 101 Switching Protocols\n        Upgrade: websocket\n        Connection: Upgrade\n"
        "        Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n\n"
        "   A high-level overview of the framing is given in the following figure.\n\n"
        "      0                   1                   2                   3\n"
        "      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1\n"
        "     +-+-+-+-+-------+-+-------------+-------------------------------+\n"
        "     |F|R|R|R| opcode|M| Payload len |    Extended payload length    |\n"
        "     +-+-+-+-+-------+-+-------------+-------------------------------+\n\n"
        "   FIN:  1 bit\n\n"
        "      Indicates that this is the final fragment in a message.  The first\n"
        "      fragment MAY also be the final fragment, as the sender decides it.\n\n" + prose
    )
    doc = load_written(tmp_path / "rfc.txt", raw)
    kinds = [(p.kind, p.text.split("\n")[0]) for p in doc.paragraphs]
    assert kinds[2] == ("code", "HTTP/1.1 101 Switching Protocols")
    assert kinds[4] == ("code", " 0                   1                   2                   3")
    assert "\n|F|R|R|R| opcode|M| Payload len |    Extended payload length    |\n" in doc.paragraphs[4].text
    assert [k for k, _ in kinds] == ["prose", "prose", "code", "prose", "code", "prose", "prose", "prose"]  # set-in prose
    assert doc.paragraphs[6].text.startswith("Indicates that this is the final fragment in a message.  The first fragment")

    kernel = (
        ".. SPDX-License-Identifier: GPL-2.0\n\n.. include:: ../disclaimer-zh_TW.rst\n\n"
        "清除 WARN_ONCE\n--------------\n\n"
        "Traditional Chinese maintainer: Hu Haowen <2023002089@link.tyut.edu.cn>\n"
        "---------------------------------------------------------------------\n"
        "Documentation/driver-api/io_ordering.rst 的繁體中文翻譯\n\n"
        "以下爲正文\n---------------------------------------------------------------------\n\n"
        "在某些平台上，所謂的內存映射I/O是弱順序。在這些平台上，驅動開發者有責任\n"
        "保證I/O內存映射地址的寫操作按程序圖意的順序達到設備。\n\n假設一個設備驅動程的具體例子：\n\n"
        "        ...\nCPU A:  spin_lock_irqsave(&dev_lock, flags)\nCPU A:  val = readl(my_status);\nCPU A:  ...\n"
        "CPU A:  writel(newval, ring_ptr);\nCPU A:  spin_unlock_irqrestore(&dev_lock, flags)\n        ...\n\n"
        "上述例子中，設備可能會先接收到newval2的值，然後接收到newval的值，問題就\n發生了。\n"
    )
    doc = load_written(tmp_path / "kernel.txt", kernel)
    assert doc.headings == ("清除 WARN_ONCE", "以下爲正文")  # an underlined short line; a long one's rule separates
    assert [(p.kind, p.section, p.text.split("\n")[0]) for p in doc.paragraphs] == [
        ("prose", "清除 WARN_ONCE", "Traditional Chinese maintainer: Hu Haowen <2023002089@link.tyut.edu.cn>"),
        ("prose", "清除 WARN_ONCE", "Documentation/driver-api/io_ordering.rst 的繁體中文翻譯"),
        (
            "prose",
            "以下爲正文",
            "在某些平台上，所謂的內存映射I/O是弱順序。在這些平台上，驅動開發者有責任保證I/O內存映射地址的寫操作按程序圖意的順序達到設備。",
        ),
        ("prose", "以下爲正文", "假設一個設備驅動程的具體例子："),
        ("code", "以下爲正文", "        ..."),
        ("prose", "以下爲正文", "上述例子中，設備可能會先接收到newval2的值，然後接收到newval的值，問題就發生了。"),
    ]
    assert doc.paragraphs[4].text.split("\n")[2] == "CPU A:  val = readl(my_status);"


def test_an_rfcs_one_line_examples_and_header_blocks_are_code(tmp_path):
    # RFC 6455 (fourth audit, after mdtxt-6): an example of one line set in ("Sec-WebSocket-Protocol: chat") and a block
    # of header fields no line introduces ("HTTP/1.1 101 Switching Protocols" / "Upgrade: websocket" / …) stayed prose.
    prose = "   The server selects one or none of the acceptable protocols and echoes that value in\n" * 2
    raw = (
        "                         The WebSocket Protocol\n\n" + prose + "   its handshake.\n\n"
        "        Sec-WebSocket-Protocol: chat\n\n" + prose + "   the server.\n\n"
        "        HTTP/1.1 101 Switching Protocols\n        Upgrade: websocket\n        Connection: Upgrade\n"
        "        Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n\n"
        "   The client MUST close the connection:\n\n" + prose + "   the end.\n"
    )
    doc = load_written(tmp_path / "rfc.txt", raw)
    assert [(p.kind, p.text.split("\n")[0]) for p in doc.paragraphs if not p.text.startswith("The server")] == [
        ("prose", "The WebSocket Protocol"),  # a centred title: no code
        ("code", "Sec-WebSocket-Protocol: chat"),
        ("code", "HTTP/1.1 101 Switching Protocols"),
        ("prose", "The client MUST close the connection:"),  # at the margin: introduces no code
    ]


def test_drawn_tables_and_rows_of_columns_in_plain_text_keep_their_lines(tmp_path):
    # RFC 6455 (fourth audit): its IANA tables, drawn with "+----+" rules at the body's margin or with "-+----|" set
    # in, and the two columns of its first page's header were joined into one line of prose.
    prose = "   IANA has added initial values to the registry as follows, as this document requires from\n" * 2
    rule = "   +--------+-----------------------------------------+----------+\n"
    raw = (
        "Internet Engineering Task Force (IETF)                          I. Fette\n"
        "Request for Comments: 6455                                  Google, Inc.\n\n"
        + prose
        + "   it.\n\n"
        + rule
        + "   |Version |                Reference                |  Status  |\n"
        + rule
        + "   | 0      + draft-ietf-hybi-thewebsocketprotocol-00 | Interim  |\n"
        + rule
        + "\n"
        + prose
        + "   it.\n\n"
        "     |Opcode  | Meaning                             | Reference |\n"
        "    -+--------+-------------------------------------+-----------|\n"
        "     | 0      | Continuation Frame                  | RFC 6455  |\n"
        "    -+--------+-------------------------------------+-----------|\n"
    )
    doc = load_written(tmp_path / "rfc.txt", raw)
    assert doc.paragraphs[0].text == (
        "Internet Engineering Task Force (IETF)                          I. Fette\n"
        "Request for Comments: 6455                                  Google, Inc."
    )
    tables = [p.text.split("\n") for p in doc.paragraphs if p.kind == "code"]
    assert [len(t) for t in tables] == [5, 4]
    assert tables[0][1] == "|Version |                Reference                |  Status  |"
    assert tables[1][2] == " | 0      | Continuation Frame                  | RFC 6455  |"


def test_consecutive_field_lines_keep_their_breaks(tmp_path):
    # A kernel translation's header (fourth audit, zh-hant io_ordering.txt): three long field lines ran on into one,
    # "…tyut.edu.cn>繁體中文版翻譯者： 胡皓文 …"; RFC 6455's header examples ("Sec-WebSocket-Extensions: foo") too.
    fields = (
        "繁體中文版維護者： 胡皓文 Hu Haowen <2023002089@link.tyut.edu.cn>\n"
        "繁體中文版翻譯者： 胡皓文 Hu Haowen <2023002089@link.tyut.edu.cn>\n"
        "Traditional Chinese maintainer: Hu Haowen <2023002089@link.tyut.edu.cn>\n"
    )
    prose = "如果想評論或更新本文的內容，請直接聯繫原文檔的維護者。如果你使用英文交流有困難的話，也可以\n" * 3
    doc = load_written(tmp_path / "fields.txt", prose + "\n" + fields + "\n" + prose)
    assert doc.paragraphs[1].text == fields.strip()


def test_a_restructuredtext_literal_block_marker_reads_as_sphinx_shows_it(tmp_path):
    # reST read as .txt (fourth audit, mdtxt-10's kind): "::" introduces a literal block and shows as ":" (or nothing).
    raw = (
        "清除 WARN_ONCE\n--------------\n\n"
        "WARN_ONCE / WARN_ON_ONCE / printk_once 僅僅打印一次消息，可以用下面的命令清除這種狀態::\n\n"
        "    echo 1 > /sys/kernel/debug/clear_warn_once\n    cat /sys/kernel/debug/clear_warn_once\n\n"
        "這對於運行測試集後重現問題很有用 ::\n\n    x = readl(my_status);\n    writel(x, ring_ptr);\n\n"
        "::\n\n    y = readl(my_status);\n    writel(y, ring_ptr);\n"
    )
    doc = load_written(tmp_path / "warn.txt", raw)
    assert [(p.kind, p.text.split("\n")[0]) for p in doc.paragraphs] == [
        ("prose", "WARN_ONCE / WARN_ON_ONCE / printk_once 僅僅打印一次消息，可以用下面的命令清除這種狀態:"),
        ("code", "echo 1 > /sys/kernel/debug/clear_warn_once"),
        ("prose", "這對於運行測試集後重現問題很有用"),
        ("code", "x = readl(my_status);"),
        ("code", "y = readl(my_status);"),
    ]


def test_a_numbered_title_opening_a_paragraph_is_split_off_as_its_heading(tmp_path):
    # pdftotext sets no blank line under a section title (fourth audit, ElegantBook): "2.3 Color Themes" opened the
    # paragraph under it, and the section stayed the chapter's.
    from index.text_loader import plain_blocks

    body = "This template contains 5 color themes, they are green, cyan, blue, gray and black, chosen as options."
    raw = f"2.3 Color Themes\n{body}\n{body}\n\n2.5.1 Environments\n{body}\n\n1. Install it\n{body}\n"
    blocks = plain_blocks(raw)
    assert [(b.kind, b.level, b.text[:18]) for b in blocks] == [
        ("heading", 2, "2.3 Color Themes"),
        ("body", None, body[:18]),
        ("heading", 3, "2.5.1 Environments"),
        ("body", None, body[:18]),
        ("body", None, "1. Install it\nThis"),  # a list item, not a title
    ]


def test_a_folio_set_off_by_dashes_at_a_page_edge_is_dropped_even_once():
    # A three-page pdftotext extract of ElegantBook (fourth audit, mdtxt-8): its one folio "–3/12–" was a paragraph.
    from index.text_loader import plain_blocks

    body = "If you want to customize the colors, please select nocolor or use color=none, then define the colors."
    raw = f"Contents\n\n1 Templates\n\f2.4 Chapter Title Display Styles\n\n–3/12–\n\n{body}\n\f\n– 4 –\n"
    assert [b.text for b in plain_blocks(raw)] == ["Contents", "1 Templates", "2.4 Chapter Title Display Styles", body]


def test_plain_text_with_blank_lines_finds_its_numbered_and_short_headings(tmp_path):
    # RFC 6455 as .txt (fourth audit, mdtxt-6): "5.2.  Base Framing Protocol" was a paragraph and every paragraph had
    # section "": headings were only inferred in text without blank lines.
    body = "   This wire format for the data transfer part is described by the ABNF given in detail in this\n" * 2
    raw = (
        "Abstract\n\n" + body + "\n"
        "Status of This Memo\n\n   This is an Internet Standards Track document.\n\n"
        "5.  Data Framing\n\n" + body + "\n"
        "5.2.  Base Framing Protocol\n\n" + body + "\n"
        "   FIN:  1 bit\n\n      Indicates that this is the final fragment in a message.\n\n"
        "Figure 3: Frame layout\n\n" + body + "\n"
        "1. Install it\n\n2. Run it\n\n"
        "Appendix A.  Examples\n\n" + body
    )
    doc = load_written(tmp_path / "rfc.txt", raw)
    assert doc.headings == (
        "Abstract",
        "Status of This Memo",  # short, before a paragraph set in from the margin
        "5.  Data Framing",
        "5.2.  Base Framing Protocol",
        "Appendix A.  Examples",
    )
    sections = {p.text[:12]: p.section for p in doc.paragraphs}
    assert sections["FIN:  1 bit"] == "5.  Data Framing › 5.2.  Base Framing Protocol"  # set in: no heading
    assert sections["Figure 3: Fr"] == sections["1. Install i"] == sections["2. Run it"] == sections["FIN:  1 bit"]
    assert doc.paragraphs[-1].section == "Appendix A.  Examples"


def test_line_end_hyphens_of_plain_and_pdf_extracted_text_are_decided_as_in_pdfs():
    # pdftotext -layout of ElegantBook's manual (fourth audit, mdtxt-9): "solu-" / "tion2" and "tris-" / "tique" kept
    # their hyphens; the word list (the PDF loader's LineEndHyphens) decides, and a compound keeps its hyphen.
    from index.extracted_text import extracted_blocks
    from index.text_loader import plain_blocks

    raw = (
        "Conclusion Environments, including conclusion, assumption, property, remark, solu-\n"
        "tion2 environment, all of these begin with boldfaced words, and the contents are the same as a third-\n"
        "party paragraph of the manual, which has no relationship with the rest.\n"
    )
    expected = (
        "Conclusion Environments, including conclusion, assumption, property, remark, solution2 environment, all of"
        " these begin with boldfaced words, and the contents are the same as a third-party paragraph of the manual,"
        " which has no relationship with the rest."
    )
    assert [b.text for b in plain_blocks(raw, "en")] == [expected]
    blocks, _ = extracted_blocks(raw, DocumentMeta(doc_id="x", title=""), None)
    assert [b.text for b in blocks] == [expected]


def test_contents_that_pdftotext_spreads_over_paragraphs_are_dropped(tmp_path):
    # pdftotext's default output of ElegantBook's manual (fourth audit, mdtxt-8): every number, title and page of the
    # contents a paragraph of its own, 52 of them before the first chapter.
    toc = [
        "Contents", "1", "2", "ElegantLATEX Templates", "1", "1.1", "1",
        "ElegantBook Updates . . . . . . . . . . . . . . . . . . . . . . .",
        "ElegantBook Settings", "2", "2.1", "Compilation Methods . . . . . . . . . . . . . . . . . . . . . . .",
        "2", "2.2", "Languages . . . . . . . . . . . . . . . . . . . . . . . . . . .", "3\n3",
    ]  # fmt: skip
    prose = (
        "On the occasion of this release, we, ElegantLATEX Program, want to reintroduce our work to you. We are\n"
        "committed to creating a series of beautiful, elegant, easy to use templates for the users to write with.\n"
    )
    raw = "Victory won't come to us unless we go to it.\n\n" + "\n\n".join(toc) + "\n\nChapter 1 Templates\n\n" + prose
    doc = load_written(tmp_path / "book.txt", raw)
    assert [(p.section, p.text[:20]) for p in doc.paragraphs] == [
        ("", "Victory won't come t"),
        ("Chapter 1 Templates", "On the occasion of t"),
    ]


def test_bullets_pdftotext_sets_apart_from_their_items_go_back_before_them(tmp_path):
    # pdftotext 22.12's default output of FastAPI's "About HTTPS" page in Korean set by LibreOffice (fastapi/fastapi at
    # c3f316b7, docs/ko/docs/deployment/https.md, MIT; the sixth audit): each bullet alone on its line, a blank line, then
    # its item. The bullets were passages of their own ("•") or ran onto the line before ("…보유해야 합니다. •"), and a
    # numbered item with a bullet run onto it was taken for a heading naming two sections.
    raw = (
        "이제 개발자 관점에서 HTTPS 를 생각할 때 염두에 두어야 할 여러 가지가 있습니다:\n"
        '1. HTTPS 를 사용하려면, 서버가 제 3 자가 생성한 "인증서(certificates)"를 보유해야 합니다.\n•\n\n'
        "이 인증서는 실제로 '생성'되는 것이 아니라 제 3 자로부터 발급/획득하는 것입니다.\n\n"
        "2. 인증서에는 유효 기간이 있습니다.\n•\n\n즉, 만료됩니다.\n\n•\n\n"
        "그리고 나면 제 3 자로부터 다시 갱신해서 재발급/재획득해야 합니다.\n\n"
        "\f•\n\nHTTP 프로토콜로 전송되더라도, 내용은 암호화되어 있습니다.\n"
    )
    doc = load_written(tmp_path / "https.txt", raw)
    texts = [p.text for p in doc.paragraphs]
    assert not any(t == "•" or t.endswith(" •") or "\n•\n" in t for t in texts), texts
    assert "• 즉, 만료됩니다." in doc.text and "• 그리고 나면 제 3 자로부터 다시 갱신해서 재발급/재획득해야 합니다." in texts
    assert "• HTTP 프로토콜로 전송되더라도, 내용은 암호화되어 있습니다." in texts
    assert {p.section for p in doc.paragraphs} == {""}
    # A bullet before its item, and a lone mark that is no bullet ("-"), are left as they were.
    assert [p.text for p in load_written(tmp_path / "kept.txt", "• 항목 하나.\n\n-\n\n다음 글.\n").paragraphs] == [
        "• 항목 하나.",
        "-",
        "다음 글.",
    ]


def test_entries_under_a_references_heading_are_references_not_prose(tmp_path):
    text = (
        "# Compression notes\n\nBrotli uses a static dictionary of common words.\n\n"
        "## 7 References\n\n1. Alakuijala, J. (2015). Comparison of Brotli, Deflate, Zopfli, LZMA. https://example.org/a.pdf\n\n"
        "2. Another entry, 2016.\n\n## 참고 문헌\n\n- 한 논문, 2020.\n\n## Results\n\nThe static dictionary helps small files.\n"
    )
    doc = load_written(tmp_path / "notes.md", text)
    kinds = {p.text[:12]: p.kind for p in doc.paragraphs}
    assert kinds["Brotli uses "] == "prose" and kinds["The static d"] == "prose"
    references = [p for p in doc.paragraphs if p.section in ("7 References", "참고 문헌")]
    assert {p.section for p in references} == {"7 References", "참고 문헌"}
    assert all(p.kind == "reference" for p in references)


def test_site_generator_markup_is_rendered_as_a_reader_sees_it(tmp_path):
    text = (
        "# 安全 {#security}\n\n"
        '這意味著{{Glossary("MitM", "中間人")}}攻擊者可以讀取 {{HTTPHeader("Set-Cookie")}} 標頭。\n\n'
        "{{HTTPSidebar}}\n\n"
        "> [!NOTE]\n> 要查看儲存的 Cookie，可以使用開發者工具。\n\n"
        ":::warning 警告\n用户提供的 HTML 永远不能被认为是 100% 安全的。\n:::\n\n"
        "::: tip\n提示内容写在这里。\n:::\n\n"
        "## Vue 사용 방법 {#ways-of-using-vue .tabs}\n\n"
        "A template's {{ message }} is left as written.\n"
    )
    doc = load_written(tmp_path / "site.md", text)
    # MDN macros: the text they show; a macro alone in its paragraph is a widget, no text.
    assert "這意味著中間人攻擊者可以讀取 Set-Cookie 標頭。" in doc.text and "{{H" not in doc.text and "HTTPSidebar" not in doc.text
    # GitHub alerts: the note without GitHub's "[!NOTE]" marker or its English title.
    assert "[!NOTE]" not in doc.text and "Note" not in doc.text
    assert any(p.text == "要查看儲存的 Cookie，可以使用開發者工具。" for p in doc.paragraphs)
    # ":::" containers: the fences gone, the title a line of its own, never run into the sentence.
    assert ":::" not in doc.text
    assert any(p.text == "警告\n用户提供的 HTML 永远不能被认为是 100% 安全的。" for p in doc.paragraphs)
    assert any(p.text == "提示内容写在这里。" for p in doc.paragraphs)
    # Heading attribute lists are not part of the section's name.
    assert "{#" not in doc.text
    assert {p.section for p in doc.paragraphs} >= {"安全", "Vue 사용 방법"}
    assert "{{ message }}" in doc.text


def test_mdn_and_vitepress_pages_lose_their_markup():
    heldout4 = Path(__file__).parent / "data" / "heldout4"
    mdn = load(heldout4 / "zh-hant-mdn-using-http-cookies.md")
    assert "{{" not in mdn.text and "[!NOTE]" not in mdn.text
    vue = load(heldout4 / "zh-hans-vue-security-best-practices.md")
    assert ":::" not in vue.text and "{#" not in vue.text and "安全" in vue.headings


def test_hugo_shortcodes_show_their_text(tmp_path):
    # Kubernetes' docs and their Chinese and Korean translations are written with Hugo's shortcodes.
    text = (
        "{{% capture overview %}}\n\n"
        '控制器会监视{{< glossary_tooltip text="集群" term_id="cluster" >}}的状态，'
        '并通过 {{< glossary_tooltip term_id="kube-apiserver" >}} 请求变更。\n\n'
        "{{% /capture %}}\n\n"
        '## {{% heading "prerequisites" %}}\n\n'
        "{{< note >}}\n你需要先准备一个 Kubernetes 集群。\n{{< /note >}}\n\n"
        '{{< feature-state for_k8s_version="v1.19" state="stable" >}}\n\n'
        "Kubernetes 管理所有镜像的生命周期。\n"
    )
    doc = load_written(tmp_path / "k8s.md", text)
    assert [p.text for p in doc.paragraphs] == [
        "控制器会监视集群的状态，并通过 kube apiserver 请求变更。",
        "你需要先准备一个 Kubernetes 集群。",
        "Kubernetes 管理所有镜像的生命周期。",
    ]
    assert doc.headings == ("prerequisites",) and "{{" not in doc.text


def test_shortcodes_macros_and_includes_written_tight_show_what_a_reader_sees(tmp_path):
    # The third audit: Kubernetes' Korean pages write {{<note>}} without spaces, which left "{{}}" (D14); MDN's
    # {{HTTPStatus(200)}} takes a bare argument, and was dropped with it (D7); the Rust book's listings are
    # {{#rustdoc_include …}} lines, which the book fills in from files the page does not hold (D15).
    text = (
        "{{<note>}}\n삭제 요청이 이루어진 다음에는 해당 오브젝트를 되살릴 수 없다.\n{{</note>}}\n\n"
        '- {{HTTPStatus(200)}}: OK。請求已成功。\n- {{HTTPStatus("404")}}: Not Found。\n\n'
        "```rust\n{{#rustdoc_include ../listings/ch15/listing-15-06/src/main.rs}}\n```\n\n"
        "```console\n{{#include ../listings/ch15/output.txt}}\n$ cargo run\n```\n"
    )
    doc = load_written(tmp_path / "tight.md", text)
    assert [(p.kind, p.text) for p in doc.paragraphs] == [
        ("prose", "삭제 요청이 이루어진 다음에는 해당 오브젝트를 되살릴 수 없다."),
        ("prose", "200: OK。請求已成功。\n404: Not Found。"),
        ("code", "$ cargo run"),
    ]


def test_mdx_module_lines_and_mkdocs_content_tabs_are_not_text(tmp_path):
    text = (
        "import Tabs from '@theme/Tabs';\nimport TabItem from '@theme/TabItem';\n\n"
        "# 安装指南\n\n"
        '=== "Windows"\n\n    在 Windows 上运行安装程序。\n\n'
        '=== "macOS"\n\n    在 macOS 上使用 Homebrew 安装。\n\n    ```\n    brew install tool\n    ```\n\n'
        "export const meta = { sidebar: true };\n\n"
        "正文内容写在这里。\n"
    )
    doc = load_written(tmp_path / "install.mdx.md", text)
    assert [(p.kind, p.text) for p in doc.paragraphs] == [
        ("prose", "在 Windows 上运行安装程序。"),  # a tab's body, not an indented code block
        ("prose", "在 macOS 上使用 Homebrew 安装。"),
        ("code", "brew install tool"),
        ("prose", "正文内容写在这里。"),
    ]


def test_content_tabs_nested_in_a_tab_are_opened_too(tmp_path):
    # OI-wiki's "C++" tab holds "非递归实现" and "递归实现" tabs: their fences stayed inside one code paragraph as text
    # (docs/ingestion-audit.md C6).
    text = (
        "## 实现\n\n"
        '=== "C++"\n    === "非递归实现"\n        ```cpp\n        int a = 0;\n        ```\n\n'
        '    === "递归实现"\n        说明在这里。\n\n        ```cpp\n        int b = 1;\n        ```\n\n'
        '=== "Python"\n    ```python\n    c = 2\n    ```\n\n'
        "    Python 版的说明。\n\n正文。\n"
    )
    doc = load_written(tmp_path / "impl.md", text)
    assert [(p.kind, p.text) for p in doc.paragraphs] == [
        ("code", "int a = 0;"),
        ("prose", "说明在这里。"),
        ("code", "int b = 1;"),
        ("code", "c = 2"),
        ("prose", "Python 版的说明。"),  # still the Python tab's: indented under it
        ("prose", "正文。"),
    ]


def test_snippet_includes_are_not_text(tmp_path):
    # OI-wiki's "??? note "参考实现"" holds only `--8<-- "docs/search/code/bfs/bfs-1.cpp"`: the site shows that file,
    # which the page does not hold; the title alone labelled nothing (docs/ingestion-audit.md C9).
    text = (
        '正文。\n\n??? note "参考实现"\n    ```cpp\n    --8<-- "docs/search/code/bfs/bfs-1.cpp"\n    ```\n\n'
        '```cpp\n--8<-- "a.cpp"\nint main() {}\n```\n'
    )
    doc = load_written(tmp_path / "bfs.md", text)
    assert [(p.kind, p.text) for p in doc.paragraphs] == [("prose", "正文。"), ("code", "int main() {}")]


def test_mdx_comments_are_not_text_outside_code(tmp_path):
    # react.dev and its translations give every heading its id as an MDX comment; a reader sees none of them.
    text = (
        "## 일반 변수로 충분하지 않은 경우 {/*when-a-regular-variable-isnt-enough*/}\n\n"
        "지역 변수는 렌더링 사이에 유지되지 않습니다. {/* 번역 메모:\n여러 줄 */}다음 문장.\n\n"
        "```jsx\n{/* 코드 안의 주석은 그대로 */}\n<div />\n```\n"
    )
    doc = load_written(tmp_path / "state.md", text)
    assert [(p.section, p.kind, p.text) for p in doc.paragraphs] == [
        ("일반 변수로 충분하지 않은 경우", "prose", "지역 변수는 렌더링 사이에 유지되지 않습니다. 다음 문장."),
        ("일반 변수로 충분하지 않은 경우", "code", "{/* 코드 안의 주석은 그대로 */}\n<div />"),
    ]


@pytest.mark.parametrize(
    ("text", "paragraphs"),
    [
        pytest.param(
            # ethereum.org's gas page (heldout5): "10<sup>-9</sup>" had become "10-9", ten minus nine.
            "# 燃料\n\n每一 gwei 等於一以太幣的十億分之一（0.000000001 以太幣或 10<sup>-9</sup> 以太幣）。\n\n"
            "Water is H<sub>2</sub>O; the area grows with r<sup>2</sup>. She came 1<sup>st</sup>.\n",
            [
                "每一 gwei 等於一以太幣的十億分之一（0.000000001 以太幣或 10⁻⁹ 以太幣）。",
                "Water is H₂O; the area grows with r². She came 1st.",  # Unicode has no superscript "st": as written
            ],
            id="superscripts and subscripts",
        ),
        pytest.param(
            # APISIX's plugin page (heldout5): the nested numbering read "1. … 1. … 2. … 2. …", the levels lost.
            "# 插件\n\n插件执行顺序：\n\n1. 绑定到路由的插件\n   1. rewrite 阶段的插件\n   2. access 阶段的插件\n"
            "2. 绑定到其他对象的插件\n   1. rewrite 阶段的插件\n\n- fruit\n  - apple\n    - green\n",
            [
                "插件执行顺序：\n1. 绑定到路由的插件\n  1. rewrite 阶段的插件\n  2. access 阶段的插件\n2. 绑定到其他对象的插件\n  1. rewrite 阶段的插件",
                "fruit\n  apple\n    green",
            ],
            id="nested list items indented",
        ),
    ],
)
def test_markdown_reads_as_a_reader_sees_it(tmp_path, text, paragraphs):
    assert [p.text for p in load_written(tmp_path / "page.md", text).paragraphs] == paragraphs


def test_a_line_break_in_a_markdown_heading_is_a_space(tmp_path):
    # NCKU's thesis template README (wengan-li/ncku-thesis-template-latex, README.md, CC BY-NC-SA 4.0): a bilingual
    # title broken with <br>; the section of every passage under it carried the line break.
    text = (
        "# National Cheng Kung University (NCKU) Thesis/Dissertation Template in LaTex<br>台灣國立成功大學碩博士用畢業論文 LaTex 模版\n\n"
        "本專案並非國立成功大學官方軟體。\n"
    )
    doc = load_written(tmp_path / "readme.md", text)
    assert [p.section for p in doc.paragraphs] == [
        "National Cheng Kung University (NCKU) Thesis/Dissertation Template in LaTex 台灣國立成功大學碩博士用畢業論文 LaTex 模版"
    ]


def test_text_copied_out_of_a_pdf_without_blank_lines_gets_its_paragraphs(tmp_path):
    # What a PDF reader copies out of the KAIST thesis sample (jaepil-choi/kaist-thesis, the Typst example-korean.pdf,
    # pypdf's text): no blank line anywhere, so the whole thesis was one paragraph, its contents' dot leaders in it.
    lines = [
        "Abstract",
        "For the last decade, carbon nanotubes have been emerging as one of ideal materials for the building block",
        "of the forthcoming nanotechnology, due to their unique electrical and mechanical properties. Depending on",
        "detailed wrapping-up methods, their electronic properties show a wide spectrum from metals to large-gap",
        "semiconductors with band gaps of 1eV.",
        "Keywords a, b, c",
        "– ii –",
        "Contents",
        "1 Introduction . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . 1",
        "2 Writing the text . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . 2",
        "2.1 Writing . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . 2",
        "Chapter 1. Introduction",
        "It is best to begin a thesis written in Korean with an introduction. Citations are written as follows [2] - [3].",
        "The citation has a field after it where the reference is written, and you should refer to it when you cite",
        "[4], [5].",
        "– 1 –",
        "Chapter 2. Writing the text",
        "You may write the body in chapters, sections and subsections, and they are put in the table of contents",
        "automatically, without anything to do.",
        "2.1 Writing",
        "This is the first section. It has only one sentence in its paragraph, which is enough for the sample here.",
        "– 2 –",
    ]
    doc = load_written(tmp_path / "thesis.txt", "\n".join(lines) + "\n")
    assert [(p.section, p.text[:40]) for p in doc.paragraphs] == [
        ("Abstract", "For the last decade, carbon nanotubes ha"),
        ("Abstract", "Keywords a, b, c"),
        ("Chapter 1. Introduction", "It is best to begin a thesis written in "),
        ("Chapter 2. Writing the text", "You may write the body in chapters, sect"),
        ("2.1 Writing", "This is the first section. It has only o"),
    ]


def test_an_mdx_page_is_read_as_markdown(tmp_path):
    # Starlight / Docusaurus pages (the ingestion audit's tauri-docs MDX, docs/ingestion-audit.md N14) were refused for
    # their suffix; read as Markdown they lose their module lines and keep their text.
    from index.knowledge import safe_filename
    from index.loaders import discover

    assert safe_filename("sidecar.MDX") == "sidecar.mdx"
    page = tmp_path / "sidecar.mdx"
    page.write_text(
        "---\ntitle: 嵌入外部二进制文件\n---\n\nimport { Tabs, TabItem } from '@astrojs/starlight/components';\n\n"
        "# 嵌入外部二进制文件\n\n你可能需要嵌入外部二进制文件来为应用程序添加额外的功能。\n",
        encoding="utf-8",
    )
    assert [source.path.name for source in discover(tmp_path)] == ["sidecar.mdx"]
    doc = load(page)
    assert doc.profile == "markdown" and doc.meta.title == "嵌入外部二进制文件"
    assert [p.text for p in doc.paragraphs] == ["你可能需要嵌入外部二进制文件来为应用程序添加额外的功能。"]


def test_a_markdown_section_is_the_path_of_headings_above_it(tmp_path):
    # OI-wiki's sorting pages name three algorithms' passages "定义" alike (docs/ingestion-audit.md B6): the citation
    # names the headings above too. The title (the only top-level heading) is the citation's title, not a step of the
    # path; an HTML heading has its level; a heading that reads as a sentence is no step either, and passage ids, made
    # of the text alone, do not change with the section.
    from index.chunking import passages_for

    text = (
        "# 快速排序\n\n开头。\n\n## 三路快速排序\n\n### 定义\n\n三路的定义。\n\n## 内省排序\n\n### 定义\n\n内省的定义。\n\n"
        "<h3>性质</h3>\n\n内省的性质。\n\n## 为什么要这样做？\n\n#### 原因\n\n回答。\n"
    )
    doc = load_written(tmp_path / "sort.md", text)
    assert [(p.section, p.text) for p in doc.paragraphs] == [
        ("快速排序", "开头。"),
        ("三路快速排序 › 定义", "三路的定义。"),
        ("内省排序 › 定义", "内省的定义。"),
        ("内省排序 › 性质", "内省的性质。"),
        ("为什么要这样做？", "为什么要这样做？"),
        ("原因", "回答。"),
    ]
    renamed = load_written(tmp_path / "sort.md", text.replace("## 内省排序", "## 另一种排序"))
    before, after = passages_for(doc), passages_for(renamed)
    assert [p.section for p in after][2] == "另一种排序 › 定义" != before[2].section
    assert [p.id for p in after] == [p.id for p in before]


def test_tex_between_dollars_is_read_as_written(tmp_path):
    # OI-wiki and d2l write formulas in TeX between dollars; CommonMark took "\\{" and "\\\\" inside them for escapes and
    # "_" for emphasis, so "$\\{ a_i \\}$" read "${ a_i }$" (docs/ingestion-audit.md C3). Money is not math.
    text = (
        "定义 $A_{i,j}$ 为 $\\{ a_i, a_{i+1}, \\dots, a_j \\}$，其中 $\\mathbf{x}_i$ 与 $\\mathbf{x}_j$ 不同．\n\n"
        "$$\n\\begin{aligned} E[X] & = \\sum_{i} X_i \\\\ & = O(n \\log n) \\end{aligned}\n$$\n\n"
        "A ticket costs $5 to $10, and *a $1 fee* is added.\n"
    )
    doc = load_written(tmp_path / "math.md", text)
    assert [p.text for p in doc.paragraphs] == [
        "定义 $A_{i,j}$ 为 $\\{ a_i, a_{i+1}, \\dots, a_j \\}$，其中 $\\mathbf{x}_i$ 与 $\\mathbf{x}_j$ 不同．",
        "$$\n\\begin{aligned} E[X] & = \\sum_{i} X_i \\\\ & = O(n \\log n) \\end{aligned}\n$$",
        "A ticket costs $5 to $10, and a $1 fee is added.",
    ]


def test_a_heading_that_says_something_is_text_too(tmp_path):
    # An FAQ's question headings, and headings written as sentences, are what a reader searches for; a label names its
    # section only. The question shares a passage with its answer (consecutive short paragraphs of one section).
    text = (
        "# 유의적 버전\n\n## FAQ\n\n### 버전 문자열 길이에 제한이 있나?\n\n없다. 다만 상식적으로 판단하라.\n\n"
        "## Canaries must be pinned.\n\nA framework that bundles React pins one commit.\n"
    )
    doc = load_written(tmp_path / "semver.md", text)
    assert [(p.section, p.text) for p in doc.paragraphs] == [
        ("FAQ › 버전 문자열 길이에 제한이 있나?", "버전 문자열 길이에 제한이 있나?"),
        ("FAQ › 버전 문자열 길이에 제한이 있나?", "없다. 다만 상식적으로 판단하라."),
        ("Canaries must be pinned.", "Canaries must be pinned."),
        ("Canaries must be pinned.", "A framework that bundles React pins one commit."),
    ]
    passages = passages_for(doc)
    assert passages[0].text == "버전 문자열 길이에 제한이 있나?\n\n없다. 다만 상식적으로 판단하라."
    assert not reads_as_sentence("FAQ") and not reads_as_sentence("Why?") and not reads_as_sentence("3.1 Results")


def test_bold_next_to_chinese_or_korean_text_loses_its_asterisks(tmp_path):
    # CommonMark cannot close "**" after punctuation before a letter; GitHub shows these bold (a second ingestion audit:
    # opensource.guide's zh-Hant and Korean pages). Asterisks elsewhere stay as written.
    text = (
        "* **測試你的工作！**用原本寫好的測試來跑你寫好的新功能。\n"
        "* **[저장소를 포크](https://guides.github.com/activities/forking/)**하고 로컬에 복제합니다.\n\n"
        "計算 2**10 次，`a**b**c`中文。\n"
    )
    doc = load_written(tmp_path / "contribute.md", text)
    assert [p.text for p in doc.paragraphs] == [
        "測試你的工作！用原本寫好的測試來跑你寫好的新功能。\n저장소를 포크하고 로컬에 복제합니다.",
        "計算 2**10 次，a**b**c中文。",
    ]


def test_myst_directives_and_roles_read_as_a_reader_sees_them():
    # Jupyter Book / MyST (QuantEcon's lectures): a note, an example or an exercise is prose, never a code listing, and
    # the option lines that configure it are no text; a role shows its text, not its target.
    source = (
        "## {index}`向量 <single: Vectors>`\n\n"
        "```{index} single: Vectors; Norm\n```\n\n"
        "```{note}\n与数字乘积不同，$A B$ 和 $B A$ 通常不相等。\n```\n\n"
        "```{admonition} 注意\n:class: attention\n\n**无法**直接转移数据。\n```\n\n"
        "```{prf:example}\n:label: le_ex_dim\n\n平面是所有数对的集合。\n```\n\n"
        "```{solution-start} lin_eqs_ex1\n:class: dropdown\n```\n\n"
        ":::{tip} Colon fences too\n:class: dropdown\n\nThey hold Markdown.\n:::\n\n"
        "```{code-cell} ipython3\n:tags: [hide-output]\n\nimport numpy as np\n```\n\n"
        "```{math}\n:label: two_eq_demand\n\nq = 100 - 10 p\n```\n\n"
        "代入{eq}`two_eq_demand`，见{ref}`之前的讨论<gdp_growth>`。\n"
    )
    assert _rendered(source) == [
        ("heading", "向量"),
        ("body", "与数字乘积不同，$A B$ 和 $B A$ 通常不相等。"),
        ("body", "注意\n无法直接转移数据。"),
        ("body", "平面是所有数对的集合。"),
        ("body", "Colon fences too\nThey hold Markdown."),
        ("code", "import numpy as np"),
        ("body", "$$q = 100 - 10 p$$"),
        ("body", "代入(two_eq_demand)，见之前的讨论。"),
    ]
    # Any other `{name}` fence is code: R Markdown's and Quarto's chunks.
    assert _rendered("```{r}\nlibrary(ggplot2)\nsummary(cars)\n```\n") == [("code", "library(ggplot2)\nsummary(cars)")]
    # A colon fence's option line with no blank line under it takes nothing of the text with it.
    assert _rendered(":::{note}\n:class: dropdown\nA note.\n:::\n") == [("body", "A note.")]


def test_docusaurus_and_vitepress_titles_components_and_markers(tmp_path):
    source = (
        ":::warning[注意]\nNoneBot 自 2.2.0 起兼容 Pydantic v2。\n:::\n\n"
        ":::tip[Use the CLI tool]\nRun the command below.\n:::\n\n"
        '<Messenger\n  msgs={[\n    { position: "right", msg: "/天气" },\n  ]}\n/>\n\n'
        '只有标题中包含 <Badge text="NRV" type="warning" /> 的部分适用。\n\n'
        "[[toc]]\n"
    )
    assert _rendered(source) == [
        ("body", "注意\nNoneBot 自 2.2.0 起兼容 Pydantic v2。"),
        ("body", "Use the CLI tool\nRun the command below."),
        ("body", "只有标题中包含 NRV 的部分适用。"),
    ]
    assert _rendered('<Tip\n  kind="a"> Words after the tag stay.\n') == [("body", "Words after the tag stay.")]
    tabs = '<Tabs\n  values={[\n    {label: "a > b", value: "x"},\n  ]}>\n<TabItem value="x">\n\nInside.\n\n</TabItem>\n</Tabs>\n'
    assert _rendered(tabs) == [("body", "Inside.")]  # a ">" inside the braces does not end the tag


def test_a_lower_case_tag_opened_over_several_lines_is_no_text(tmp_path):
    # nodejs.org's security page in Korean (nodejs/nodejs.org at 6f94c8a6, apps/site/pages/ko/about/security-reporting.mdx,
    # MIT; the fifth audit's item 11): the OpenSSF badge's link and image, their open tags set over lines of their own.
    # CommonMark takes an HTML block only from an open tag complete on its first line, and the lone ">" is a block
    # quote, so the attributes were two passages of markup ("<a href=… style={{ display: 'inline-flex' }}").
    source = (
        "## OpenSSF 모범 사례\n\n"
        "<a\n"
        '  href="https://bestpractices.coreinfrastructure.org/projects/29"\n'
        "  style={{ display: 'inline-flex' }}\n"
        ">\n"
        "  <img\n"
        '    alt="OpenSSF 배지"\n'
        '    src="https://bestpractices.coreinfrastructure.org/projects/29/badge"\n'
        "    style={{ display: 'inline' }}\n"
        "  />\n"
        "</a>\n\n"
        "Open Source Security Foundation(OpenSSF) [모범 사례 배지](https://github.com/coreinfrastructure/best-practices-badge)는 "
        "자유/오픈 소스 소프트웨어(FLOSS) 프로젝트가 모범 사례를 따르고 있음을 보여주는 방법입니다.\n"
    )
    prose = "Open Source Security Foundation(OpenSSF) 모범 사례 배지는 자유/오픈 소스 소프트웨어(FLOSS) 프로젝트가 모범 사례를 따르고 있음을 보여주는 방법입니다."
    assert _rendered(source) == [("heading", "OpenSSF 모범 사례"), ("body", prose)]
    doc = load_written(tmp_path / "security-reporting.md", source)
    assert [p.text for p in passages_for(doc)] == [prose] and prose in doc.text
    # What the tags hold is read as before: a link's text, in a list item and a block quote too; a ">" inside a
    # braced attribute does not end the tag.
    link = '<a\n  href="https://nodejs.org"\n  onClick={() => count > 0}\n>\n  노드 **누리집**\n</a>\n\nAfter it.\n'
    assert _rendered(link) == [("body", "노드 누리집"), ("body", "After it.")]
    assert _rendered('- 항목\n\n  <img\n    alt="배지"\n    src="b.svg"\n  />\n\n  항목의 글.\n') == [
        ("body", "항목"),
        ("body", "항목의 글."),
    ]
    assert _rendered('> <a\n>   href="x"\n> >\n> 인용한 글.\n') == [("body", "인용한 글.")]
    # In a listing it is code, as it was.
    assert _rendered('```jsx\n<a\n  href="x"\n>\n```\n') == [("code", '<a\n  href="x"\n>')]


def test_inline_html_and_less_than_signs_in_prose_are_left_as_they_were():
    assert _rendered("a < b, and x<y holds.\n\n1 <2 and 3 < 4\n") == [("body", "a < b, and x<y holds."), ("body", "1 <2 and 3 < 4")]
    assert _rendered('Press <kbd>Ctrl</kbd> and follow <a href="https://x">the link</a>.\n') == [
        ("body", "Press Ctrl and follow the link.")
    ]
    # A line opening with "<b" that no ">" closes is text; a tag complete on its line, or with text after its ">",
    # is CommonMark's to read, as before.
    assert _rendered("<b\n는 굵게 쓰는 태그입니다.\n") == [("body", "<b 는 굵게 쓰는 태그입니다.")]
    assert _rendered('<a href="https://x">\n링크 글\n</a>\n') == [("body", "링크 글")]
    assert _rendered('<Tip\n  kind="a"> Words after the tag stay.\n') == [("body", "Words after the tag stay.")]


def test_a_components_blocks_do_not_run_together():
    # Astro's <IslandsDiagram>: each <Fragment> is a box of the diagram; their labels ran into one sentence
    # ("頁首（互動式島嶼）側邊欄（靜態 HTML）…"). A component tag that opens or closes its line lays out blocks.
    source = (
        "<IslandsDiagram>\n"
        '  <Fragment slot="headerApp">頁首（互動式島嶼）</Fragment>\n'
        '  <Fragment slot="sidebarApp">側邊欄（靜態 HTML）</Fragment>\n'
        "</IslandsDiagram>\n"
    )
    assert _rendered(source) == [("body", "頁首（互動式島嶼）\n側邊欄（靜態 HTML）")]
    # Inside a line a component is inline, as <kbd> is: the sentence around it stays whole.
    assert _rendered("<p>Press <Kbd>Ctrl</Kbd> to copy.</p>\n") == [("body", "Press Ctrl to copy.")]


def test_a_docusaurus_tab_shows_its_label_above_what_it_holds():
    source = '<Tabs>\n  <TabItem value="env" label="系统环境变量">\n\n在系统环境变量中设置。\n\n  </TabItem>\n</Tabs>\n'
    assert _rendered(source) == [("body", "系统环境变量\n在系统环境变量中设置。")]
    over_code = '<Tabs>\n  <TabItem value="pip" label="使用 pip">\n\n```shell\npip install nonebot2\n```\n\n  </TabItem>\n</Tabs>\n'
    assert _rendered(over_code) == [("code", "pip install nonebot2")]
    empty = '<Tabs>\n<TabItem label="Empty">\n</TabItem>\n</Tabs>\n\nNext paragraph outside.\n'
    assert _rendered(empty) == [("body", "Next paragraph outside.")]  # an empty tab's label labels nothing


def test_toml_front_matter_is_metadata_not_text(tmp_path):
    doc = load_written(
        tmp_path / "post.md",
        '+++\npath = "inside-rust/2022/07/27/keyword-generics"\ntitle = "Announcing the Keyword Generics Initiative"\n'
        'authors = ["Yoshua Wuyts"]\n\n[extra]\nteam = "The Keyword Generics Initiative"\n+++\n\nWe are excited to announce it.\n',
    )
    assert doc.meta.title == "Announcing the Keyword Generics Initiative" and doc.meta.author == "Yoshua Wuyts"
    assert doc.text.strip() == "We are excited to announce it."


def test_text_copied_out_of_a_pdf_with_a_few_blank_lines_gets_its_paragraphs(tmp_path):
    # What pypdf copies out of ucasthesis's manual (mohuangrui/ucasthesis at aec46ba1, 模板使用说明.pdf, LPPL 1.3c): a
    # blank line where a page's text ended with one (after the cover pages), none anywhere else. Only a text with no
    # blank line at all had its paragraphs inferred, so everything after the abstract (19,000 characters) was one
    # paragraph, its contents' "⋅ ⋅ ⋅" leaders, page numbers and sections inside it.
    cover = ["硕士学位论文", "中国科学院大学学位论文 LATEX 模板", "作者姓名： 莫晃锐", "2014 年 6 月", ""]
    body = [
        "摘 要",
        "本文是中国科学院大学学位论文模板 ucasthesis 的使用说明文档。主要内容",
        "为介绍 LATEX 文档类 ucasthesis 的用法，以及如何使用 LATEX 快速高效地撰写学",
        "位论文。",
        "I",
        "目 录",
        "第 1 章 引言 ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ 1",
        "1.1 研究背景 ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ 1",
        "1.2 系统要求 ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ ⋅ 1",
        "第 1 章 引言",
        "1.1 研究背景",
        "考虑到许多同学可能缺乏 LATEX 使用经验，ucasthesis 将 LATEX 的复杂性高度",
        "封装，开放出简单的接口，以便轻易使用。同时，对用 LATEX 撰写论文的一些主要",
        "难题，如制图、制表、文献索引等，进行了详细说明，并提供了相应的代码样本。",
        "1",
        "1.2 系统要求",
        "ucasthesis 宏包可以在目前主流的 LATEX 编译系统中使用，如 TEXLive 和",
        "MiKTEX。因 CTEX 套装已停止维护，不再建议使用。",
        "2",
    ]
    doc = load_written(tmp_path / "manual.txt", "\n".join(cover + body * 3) + "\n")
    prose = [(p.section, p.text[:10]) for p in doc.paragraphs if len(p.text) > 30]
    assert prose[:2] == [("摘 要", "本文是中国科学院大学"), ("1.1 研究背景", "考虑到许多同学可能缺")]
    assert not any("⋅ ⋅" in p.text for p in doc.paragraphs)


def test_an_ellipsis_in_chinese_or_korean_prose_is_no_contents_entry(tmp_path):
    # "………" and "······" are how Chinese and Korean prose often write an ellipsis: read as dot leaders, a short
    # paragraph holding one would go as a contents entry. Leaders are full stops, "⋅" (the test above) or spaced dots.
    paragraphs = [f"第{n}段的文字很长，写到这里才结束，句号在行末。" for n in range(6)]
    paragraphs[3] = "他停了一下………然后说：好。"
    paragraphs[4] = "그는 잠시 말을 멈추었다······. 그리고 웃었다."  # the Korean ellipsis of six middle dots
    doc = load_written(tmp_path / "story.txt", "\n\n".join(paragraphs) + "\n")
    assert [p.text for p in doc.paragraphs] == paragraphs


def test_a_list_of_links_to_the_pages_headings_is_no_passage(tmp_path):
    # A table of contents written as a list of in-page links: the Korean TOML spec (toml-lang/toml.io at bd6fb2f2,
    # specs/ko/v1.0.0.md, MIT) and every Kubernetes KEP's "<!-- toc -->" (kubernetes/enhancements at 64765b4b,
    # keps/sig-api-machinery/2340-Consistent-reads-from-cache/README.md, Apache-2.0) were a passage whose every line
    # was a search unit ("  Monitoring", "  Pagination"). A list with some text besides its links stays.
    text = (
        "# TOML v1.0.0\n\n목차\n-----------------\n\n"
        "- [명세](#명세)\n- [주석](#주석)\n- [키/값 쌍](#키값-쌍)\n\n"
        "<!-- toc -->\n- [Summary](#summary)\n- [Design Details](#design-details)\n"
        "  - [Monitoring](#monitoring)\n  - [Pagination](#pagination)\n<!-- /toc -->\n\n"
        "명세\n----\n\n* TOML은 대소문자를 구별합니다.\n\n"
        "참고:\n\n- [명세](#명세)를 보세요.\n- [주석](#주석)\n- [키](#키)\n"
    )
    doc = load_written(tmp_path / "toml.md", text)
    assert [(p.section, p.text) for p in doc.paragraphs] == [
        ("명세", "TOML은 대소문자를 구별합니다."),
        ("명세", "참고:\n명세를 보세요.\n주석\n키"),
    ]


def test_javascript_info_text_boxes_written_as_fences_are_text(tmp_path):
    # javascript.info's translations write their notes as fences (javascript-tutorial/ko.javascript.info at a51db1fe,
    # 6-data-storage/01-cookie/article.md, CC BY-NC-SA 4.0): ```warn header="쿠키의 한계", ```smart, ```online; they
    # were code passages, a Korean sentence searched as code, its title lost. About 260 in the Korean book.
    text = (
        "## 쿠키 쓰기\n\n"
        "```online\n쿠키는 [HTTP 쿠키](/cookie) 페이지에서 볼 수 있습니다.\n```\n\n"
        "```offline\n쿠키는 HTTP 쿠키 페이지에서 볼 수 있습니다.\n```\n\n"
        '```warn header="쿠키의 한계"\n쿠키엔 몇 가지 제약 사항이 있습니다.\n\n'
        "- `encodeURIComponent`로 인코딩한 이후의 `name=value` 쌍은 4KB를 넘을 수 없습니다.\n```\n\n"
        "```smart\n스크립트에서 쿠키를 설정한 경우에 만들어지는 쿠키는 현재 페이지의 도메인에 속하게 됩니다.\n```\n\n"
        "```js run\nalert( document.cookie ); // cookie1=value1\n```\n"
    )
    doc = load_written(tmp_path / "cookie.md", text)
    assert [(p.kind, p.text) for p in doc.paragraphs] == [
        ("prose", "쿠키는 HTTP 쿠키 페이지에서 볼 수 있습니다."),
        ("prose", "쿠키의 한계\n쿠키엔 몇 가지 제약 사항이 있습니다."),
        ("prose", "encodeURIComponent로 인코딩한 이후의 name=value 쌍은 4KB를 넘을 수 없습니다."),
        ("prose", "스크립트에서 쿠키를 설정한 경우에 만들어지는 쿠키는 현재 페이지의 도메인에 속하게 됩니다."),
        ("code", "alert( document.cookie ); // cookie1=value1"),
    ]


def test_pymdownx_blocks_and_file_includes_read_as_a_reader_sees_them(tmp_path):
    # FastAPI's docs in Korean (fastapi/fastapi at c3f316b7, docs/ko/docs/tutorial/body.md, MIT; the sixth audit): pymdownx
    # blocks (`/// note | 참고` … `///`) and FastAPI's `{* file hl[…] *}` includes of a listing from another file. The
    # block's fences and title were a passage each ("/// note | 참고", "///") and the include lines prose passages.
    source = (
        "# 요청 본문 { #request-body }\n\n"
        "**요청** 본문을 선언하기 위해서 모든 강력함과 이점을 갖춘 [Pydantic](https://pydantic.dev/docs/) 모델을 사용합니다.\n\n"
        "/// note | 참고\n\n"
        "데이터를 보내기 위해, `POST` (가장 일반적), `PUT`, `DELETE` 혹은 `PATCH` 중에 하나를 사용하는 것이 좋습니다.\n\n"
        "///\n\n"
        "## Pydantic의 `BaseModel` 임포트 { #import-pydantics-basemodel }\n\n"
        "먼저 `pydantic`에서 `BaseModel`를 임포트해야 합니다:\n\n"
        "{* ../../docs_src/body/tutorial001_py310.py hl[2] *}\n\n"
        "/// tip\n\n"
        "만약 PyCharm를 편집기로 사용한다면, Pydantic PyCharm Plugin을 사용할 수 있습니다.\n\n"
        "///\n"
    )
    doc = load_written(tmp_path / "body.md", source)
    assert [(p.section, p.kind, p.text) for p in doc.paragraphs] == [
        ("요청 본문", "prose", "요청 본문을 선언하기 위해서 모든 강력함과 이점을 갖춘 Pydantic 모델을 사용합니다."),
        (
            "요청 본문",
            "prose",
            "참고\n데이터를 보내기 위해, POST (가장 일반적), PUT, DELETE 혹은 PATCH 중에 하나를 사용하는 것이 좋습니다.",
        ),
        ("Pydantic의 BaseModel 임포트", "prose", "먼저 pydantic에서 BaseModel를 임포트해야 합니다:"),
        # no title: the theme's English "Tip" is not the document's
        ("Pydantic의 BaseModel 임포트", "prose", "만약 PyCharm를 편집기로 사용한다면, Pydantic PyCharm Plugin을 사용할 수 있습니다."),
    ]
    # Tabs (`//// tab | 테스트`, docs/ko/docs/_llm-test.md) hold blocks nested in them and lead with their label; a
    # block's indented option lines configure it; an html block's "| div" names a tag, no title.
    tabs = (
        "//// tab | 테스트\n\n어제 제 친구가 이렇게 썼습니다.\n\n/// note | 참고\n\nLLM은 아마 이것을 잘못 번역할 것입니다.\n\n///\n\n////\n\n"
        "/// warning | 경고\n    type: danger\n\n조심하세요.\n\n///\n\n/// html | div\n\n안의 글.\n\n///\n"
    )
    assert _rendered(tabs) == [
        ("body", "테스트\n어제 제 친구가 이렇게 썼습니다."),
        ("body", "참고\nLLM은 아마 이것을 잘못 번역할 것입니다."),
        ("body", "경고\n조심하세요."),
        ("body", "안의 글."),
    ]
    # A "///" comment in prose, an include inside a listing and a `{*` in text are left as they were.
    assert _rendered("/// 주석이 아닌 글.\n\n```python\n{* a.py *}\n```\n\n별표 {* 와 *} 사이.\n") == [
        ("body", "/// 주석이 아닌 글."),
        ("code", "{* a.py *}"),
        ("body", "별표 {* 와 *} 사이."),
    ]


def test_html_cells_and_a_summary_inside_a_table_cell_keep_their_words_apart():
    # FastAPI's "Metadata and Docs URLs" in Traditional Chinese (fastapi/fastapi at c3f316b7,
    # docs/zh-hant/docs/tutorial/metadata.md, MIT; the sixth audit): a table in a <details> inside a Markdown table's cell.
    # Its tags were dropped with nothing in their place, gluing cells into words: "…可包含多個欄位。contact 欄位參數型別說明
    # namestr聯絡人／組織的識別名稱。urlstr指向…".
    source = (
        "| 參數 | 型別 | 說明 |\n|------------|------|-------------|\n"
        "| `contact` | `dict` | 對外公開的 API 聯絡資訊。可包含多個欄位。<details><summary><code>contact</code> 欄位</summary>"
        "<table><thead><tr><th>參數</th><th>型別</th><th>說明</th></tr></thead><tbody><tr><td><code>name</code></td>"
        "<td><code>str</code></td><td>聯絡人／組織的識別名稱。</td></tr><tr><td><code>url</code></td><td><code>str</code></td>"
        "<td>指向聯絡資訊的 URL。必須是 URL 格式。</td></tr></tbody></table></details> |\n"
    )
    assert _rendered(source) == [
        (
            "table",
            "參數 | 型別 | 說明\ncontact | dict | 對外公開的 API 聯絡資訊。可包含多個欄位。 contact 欄位 參數 型別 說明 name str "
            "聯絡人／組織的識別名稱。 url str 指向聯絡資訊的 URL。必須是 URL 格式。",
        )
    ]
    # Tags that set nothing apart stay joined to their words, as a reader sees them: "H<sub>2</sub>O", "<b>굵게</b>체".
    assert _rendered("H<sub>2</sub>O 와 <b>굵게</b>체.\n") == [("body", "H₂O 와 굵게체.")]
