"""Passages: sentences packed within a paragraph, and consecutive short prose paragraphs of one section sharing one."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.blocks import section_leaf
from index.chunking import MAX_PASSAGE_CHARS, passages_for, sentence_spans
from index.ingest import clean_text
from index.loaders import SourceFile, discover, load_document
from index.models import CleanDocument, DocumentMeta, Paragraph, Passage
from index.units import units_for
from tests.conftest import ARTICLE

DATA = Path(__file__).parent / "data"

GUIDE = """# Install

Short intro line.

- first item is short
- second item is short
- third item is short

```sh
pip install x
```

After the listing.

# Use

Another section's paragraph.
"""


def markdown(text: str) -> CleanDocument:
    return clean_text(text, DocumentMeta(doc_id="guide", title="Guide"), "hash", markdown=True)


def texts(passages: list[Passage]) -> list[str]:
    return [p.text for p in passages]


def sentences(text: str) -> list[str]:
    return [text[a:b].strip() for a, b in sentence_spans(text)]


def test_short_prose_paragraphs_of_a_section_share_a_passage() -> None:
    doc = markdown(GUIDE)
    assert texts(passages_for(doc)) == [
        "Short intro line.\n\nfirst item is short\nsecond item is short\nthird item is short",
        "pip install x",  # code stays a passage of its own, and ends the run of prose
        "After the listing.",
        "Another section's paragraph.",  # another section
    ]
    shared = passages_for(doc)[0]
    assert shared.paragraph == 1 and shared.section == "Install" and doc.text[shared.start : shared.end] == shared.text


def test_a_code_listing_is_cut_at_its_lines_never_at_punctuation_in_them() -> None:
    # SemVer's regular expression was four search units cut at each "?" ("…(?" / ":-(?P<prerelease>(?"; docs/ingestion-audit.md
    # C10), and a long listing was cut into passages the same way.
    regex = r"^(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)(?:-(?P<prerelease>(?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*))*))?$"
    calls = "\n".join(f"print('step {n}? done. next!')  # why? because." for n in range(20))
    doc = markdown(f"# Regex\n\n```\n{regex}\n```\n\n```python\n{calls}\n```\n")
    passages = passages_for(doc)
    assert [p.kind for p in passages] == ["code"] * len(passages) and passages[0].text == regex
    lines = [line for p in passages[1:] for line in p.text.split("\n")]
    assert lines == calls.split("\n") and len(passages) > 2  # cut between lines only
    units = units_for(passages)
    assert [u.text(passages) for u in units if u.passage == 0] == [regex]
    assert all("\n" not in u.text(passages) and u.text(passages).startswith("print(") for u in units if u.passage > 0)


def test_a_stop_after_a_closing_bracket_ends_the_sentence_before_it() -> None:
    # opensource.guide zh-Hant: "**大膽的提問（但是要有耐心！）**。" made a unit "。 每個人參與社群…" (docs/ingestion-audit.md C11).
    assert sentences("大膽的提問（但是要有耐心！）。 每個人參與社群，開始的時候都是新手。") == [
        "大膽的提問（但是要有耐心！）。",
        "每個人參與社群，開始的時候都是新手。",
    ]
    assert sentences("他說：「好！」。然後走了。") == ["他說：「好！」。", "然後走了。"]
    assert sentences("Is it (really?). Yes, it is.") == ["Is it (really?).", "Yes, it is."]


def test_a_dot_standing_alone_ends_no_sentence() -> None:
    # OI-wiki's "`.` 表示可通行区域": inline code loses its backticks, and its dot cut the sentence (docs/ingestion-audit.md
    # C4); LaTeX's spaced ellipsis ". . ." cut the LIPIcs guide's sentences the same way.
    assert sentences("在一个迷宫矩阵中，. 表示可通行区域，# 表示障碍物．从起点出发．") == [
        "在一个迷宫矩阵中，. 表示可通行区域，# 表示障碍物．",
        "从起点出发．",
    ]
    assert sentences("Do not hide text using \\iffalse . . . \\fi constructions. Use a branch.") == [
        "Do not hide text using \\iffalse . . . \\fi constructions.",
        "Use a branch.",
    ]
    assert sentences("It ends here. Next one.") == ["It ends here.", "Next one."]


def test_a_question_or_exclamation_mark_of_inline_code_ends_no_sentence() -> None:
    # Rust's RFCs and books write `?` and `!` as inline code; without its backticks "use the `?` operator" was cut after
    # the "?" (the third audit's D3), in English, Chinese and Korean alike.
    assert sentences("You can use the ? operator to propagate errors. It only works in functions.") == [
        "You can use the ? operator to propagate errors.",
        "It only works in functions.",
    ]
    assert sentences("It must diverge (return !, e.g. return or break). Use loop { ... }, a diverging loop.") == [
        "It must diverge (return !, e.g. return or break).",
        "Use loop { ... }, a diverging loop.",
    ]
    assert sentences("我们可以使用 ? 运算符来传播错误。它只能用于函数。") == ["我们可以使用 ? 运算符来传播错误。", "它只能用于函数。"]
    assert sentences("? 연산자를 사용하면 에러를 전파할 수 있습니다. 뭐지? 그건 모른다.") == [
        "? 연산자를 사용하면 에러를 전파할 수 있습니다.",
        "뭐지?",
        "그건 모른다.",
    ]
    assert sentences("Why? Because it works! Really.") == ["Why?", "Because it works!", "Really."]


def test_a_question_heading_leads_its_answer_past_a_label_heading_under_it() -> None:
    # Conventional Commits' FAQ (heldout2): the question, then "#### When you used a type of the spec but the wrong one",
    # then the answer. The question alone was a passage, and its quote answered nothing.
    doc = markdown(
        "## FAQ\n\n### What do I do if I accidentally use the wrong commit type?\n\n"
        "#### When you used a type that's of the spec but not the correct type\n\n"
        "Prior to merging or releasing the mistake, we recommend using git rebase -i to edit the commit history.\n\n"
        "### Do all my contributors need to use the specification?\n\nNo!\n"
    )
    [first, second] = passages_for(doc)
    assert first.text.startswith("What do I do if I accidentally use the wrong commit type?") and "git rebase -i" in first.text
    assert first.section == "What do I do if I accidentally use the wrong commit type?"
    assert doc.text[first.start : first.end] == first.text  # still an exact slice, the label heading inside it
    assert second.text == "Do all my contributors need to use the specification?\n\nNo!"


def test_a_long_run_is_packed_evenly_and_never_cuts_a_paragraph() -> None:
    lines = [f"Point {n} of the checklist is written out in a sentence of about sixty characters." for n in range(12)]
    doc = markdown("# Checklist\n\n" + "\n\n".join(lines) + "\n")
    passages = passages_for(doc)
    assert len(passages) == 3  # 12 x 84 characters: 4 to a passage of at most 400
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in passages)
    assert "\n\n".join(texts(passages)) == "\n\n".join(lines)


def test_a_paragraph_longer_than_a_passage_is_cut_alone() -> None:
    long = " ".join(f"Sentence {n} of the long paragraph says one more thing about the harbour." for n in range(8))
    doc = markdown(f"# Notes\n\nBefore.\n\n{long}\n\nAfter.\n")
    passages = passages_for(doc)
    assert passages[0].text == "Before." and passages[-1].text == "After."
    assert " ".join(texts(passages[1:-1])) == long


def _paragraphs_of(doc: CleanDocument, passage: Passage) -> list[Paragraph]:
    return [p for p in doc.paragraphs if p.start < passage.end and passage.start < p.end]


def _real_documents() -> list[Path]:
    return [ARTICLE] + [
        source.path
        for folder in sorted(DATA.glob("heldout*"))
        if folder.is_dir()
        for source in discover(folder)
        if source.path.name != "SOURCES.md"
    ]


@pytest.mark.parametrize("path", _real_documents(), ids=lambda p: p.name)
def test_passages_of_real_documents_keep_their_provenance(path: Path) -> None:
    """Every paragraph of every held-out document (Markdown, PDF, text; four languages) is in exactly one passage or cut
    into several, and a passage of several paragraphs holds whole prose paragraphs of one section (or a sentence heading
    and the text it leads) and one page."""
    doc = load_document(SourceFile(path, path.stem))
    passages = passages_for(doc)
    covered: dict[int, int] = {}
    for passage in passages:
        assert 0 < len(passage.text) <= MAX_PASSAGE_CHARS
        assert doc.text[passage.start : passage.end] == passage.text
        paragraphs = _paragraphs_of(doc, passage)
        assert paragraphs[0].number == passage.paragraph
        if len(paragraphs) > 1:
            assert {p.kind for p in paragraphs} == {"prose"}
            assert len({(p.page_start, p.page_end) for p in paragraphs}) == 1
            # One section, or a heading that reads as a sentence leading the text under it (its own label subheadings).
            sections = {p.section for p in paragraphs}
            assert len(sections) == 1 or (paragraphs[0].text == section_leaf(paragraphs[0].section) and paragraphs[1].section != ""), (
                sections
            )
            assert passage.start == paragraphs[0].start and passage.end == paragraphs[-1].end
        for p in paragraphs:
            covered[p.number] = covered.get(p.number, 0) + 1
    assert set(covered) == {p.number for p in doc.paragraphs if p.text.strip()}


def test_a_text_thousands_of_sentences_long_on_one_line_is_packed_evenly(tmp_path: Path) -> None:
    # A text file with no line break is one paragraph of 2,000 sentences. The exact even partition costs
    # parts x sentences² steps (hundreds of millions here: a build that never ended); past MAX_BALANCED_UNITS sentences
    # the packing is greedy at the smallest width that needs no more passages.
    from index.chunking import MAX_BALANCED_UNITS, pack_spans

    path = tmp_path / "one-line.txt"
    path.write_text("The quick brown fox jumps over the lazy dog. " * 2000, encoding="utf-8")
    doc = load_document(SourceFile(path, "one-line"))
    passages = passages_for(doc)
    assert "".join(p.text for p in passages).replace(" ", "") == doc.text.replace(" ", "")  # nothing lost
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in passages)
    assert len(passages) == -(-len(doc.text) // 360)  # 8 sentences of 45 characters a passage: as few as fit
    text = "".join(f"Sentence {i}. " for i in range(MAX_BALANCED_UNITS + 1))
    spans = sentence_spans(text)
    assert len(spans) > MAX_BALANCED_UNITS
    chunks = pack_spans(text, spans, 400)
    assert max(e - s for s, e in chunks) - min(e - s for s, e in chunks) <= 40  # even, the last chunk too


def test_a_lead_in_ending_with_a_colon_stays_with_what_it_introduces() -> None:
    # Go's security policy: a lead-in sentence, then its list, one paragraph longer than a passage. Packed evenly at
    # sentences, the cut fell right after the colon and the lead-in became a passage that names nobody.
    lead = (
        "If you have not received a reply to your email within 48 hours, or have not heard from the security team for"
        " the past five days, please contact the following members of the Go security team directly:"
    )
    items = [
        "* Contact the primary security coordinator - Andrew Gerrand (mailto:adg@golang.org) - directly.",
        "* Contact the secondary coordinator - Adam Langley - public key directly.",
        "* Post a message to golang-dev@golang.org or the golang-dev web interface.",
    ]
    doc = markdown("# Reporting\n\n" + lead + "\n\n" + "\n".join(items) + "\n")
    # The Markdown loader keeps a list with its "…:" introduction: one paragraph, longer than a passage.
    assert len(doc.paragraphs) == 1 and len(doc.paragraphs[0].text) > MAX_PASSAGE_CHARS
    passages = passages_for(doc)
    assert len(passages) == 2
    assert passages[0].text.startswith(lead) and "primary security coordinator" in passages[0].text
    assert all(doc.text[p.start : p.end] == p.text for p in passages)
    # Without a colon the same sentences are packed as before: the even cut, wherever it falls.
    plain = markdown("# Reporting\n\n" + lead[:-1] + ".\n\n" + "\n".join(items) + "\n")
    assert texts(passages_for(plain))[0] == lead[:-1] + "."
    # A lead-in and a paragraph too long to share a passage stay apart.
    long_item = "* " + "a very long item of the list " * 12
    apart = passages_for(markdown("# Reporting\n\n" + lead + "\n\n" + long_item + "\n"))
    assert texts(apart)[0] == lead


def test_a_lead_in_paragraph_stays_with_the_paragraph_after_it_in_a_run_of_short_ones() -> None:
    # Short prose paragraphs of a section share passages, packed evenly; the even cut fell after "如下：".
    before = "專案的維護者每週開會一次，討論待處理的議題與合併請求，並把決定記錄在公開的會議紀錄裡，讓沒能出席的貢獻者也能看到。" * 3
    lead = "申請資助的流程如下："
    steps = [
        "第一步，填寫申請表並說明專案的目標、使用者與預期的里程碑，附上過去一年的貢獻紀錄與社群規模的證據。" * 3,
        "第二步，等待審核結果，通常需要四到六週。" * 4,
    ]
    doc = markdown("# 資助\n\n" + "\n\n".join([before, lead, *steps]) + "\n")
    assert len(doc.paragraphs) == 4 and all(p.kind == "prose" for p in doc.paragraphs)
    passages = passages_for(doc)
    assert [p.text.startswith(lead) for p in passages] == [False, True]
    assert steps[0] in passages[1].text and passages[0].text == before
    # The same paragraphs with a full stop instead of the colon: the lead sentence goes with the paragraph before it.
    plain = markdown("# 資助\n\n" + "\n\n".join([before, lead[:-1] + "。", *steps]) + "\n")
    assert texts(passages_for(plain))[0] == before + "\n\n" + lead[:-1] + "。"


def test_in_a_chain_of_lead_ins_the_inner_one_keeps_what_it_introduces() -> None:
    from index.chunking import bind_lead_ins

    a = "A" * 200 + ":"
    b = "B" * 100 + ":"
    c = "C" * 150
    text = f"{a}\n{b}\n{c}"
    spans = [(0, len(a)), (len(a) + 1, len(a) + 1 + len(b)), (len(text) - len(c), len(text))]
    assert bind_lead_ins(text, spans, 400) == [spans[0], (spans[1][0], spans[2][1])]  # A alone; B with C
    assert bind_lead_ins(text, spans, 500) == [(0, len(text))]  # all three fit
    assert bind_lead_ins(text, spans, 200) == spans  # nothing fits with what follows it
