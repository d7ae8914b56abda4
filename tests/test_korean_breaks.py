"""Korean line breaks in PDFs: a break inside a word joins without a space, a break between words keeps one."""

from __future__ import annotations

import pytest

from index.hyphenation import LineEndHyphens
from index.korean_breaks import breaks_inside_word, join_typeset, join_wrapped
from index.pdf_loader import _join

# Line ends and line starts as Typst and ko.TeX set them (jaepil-choi/kaist-thesis at 08579134: the KAIST thesis
# samples thesis/paper/typst/example-korean.pdf and …/latex/Thesis_Template/sample_in_Korean.pdf; a few words each,
# no licence stated) and as the Linux kernel's Korean memory-barriers.txt wraps them (GPL-2.0).
INSIDE_A_WORD = [
    ("흑연을 감는 세세한 방법에 따라 전기적 특성이 금속성에", "서 1eV의 띠간격을 가지는"),  # 금속성에서: a particle
    ("밀접결합근사 모형을 사용하", "여 전기적 특성과 그 제어 방법"),  # 사용하여: an ending
    ("한글 논문에는 영", "어를 쓰지 마시기 바랍니다."),  # 영어를: one noun across the break
    ("끝으로 오늘의 제가 있", "을 수 있도록 사랑으로"),
    ("조금이나마 보", "답이 되기를 바랍니다."),
    ("알맞은 전 이중 통신, 한국과학기술", "원 석사 학위 논문, 2016."),  # a suffix
    ("한국통신학회 2012", "년 11월."),  # a counter after a number
]
BETWEEN_WORDS = [
    ("다가오는 나노기술 분야의 이상적인 기초물질중의 하나로", "떠오르고 있다."),
    ("이것들은 자동으로 차례에", "들어가게 됩니다."),
    ("이 문서는 리눅스에서 제공하는 다양한 메모리 배리어들을 사용하기 위한", "안내서입니다만,"),
    ("관련 문서를 참고해서 해결될 수", "있을 겁니다."),
    ("CPU 는 프로그램이 인과관계를 어기지 않는 상태로 관리된다고", "보일 수만 있다면"),
    ("전기적 특성과 그 제어 방법, 자기적 특성, 그리고 수송", "특성 등을 다루고자 한다."),
    ("메모리 배리어", "시퀀스의 예"),  # two nouns: the space stays
]


@pytest.mark.parametrize(("left", "right"), INSIDE_A_WORD)
def test_a_korean_word_broken_between_syllables_is_joined(left, right):
    assert breaks_inside_word(left, right)
    assert _join(left, right, LineEndHyphens.of([], "ko")) == left + right


@pytest.mark.parametrize(("left", "right"), BETWEEN_WORDS)
def test_a_break_between_korean_words_keeps_its_space(left, right):
    assert not breaks_inside_word(left, right)
    assert _join(left, right, LineEndHyphens.of([], "ko")) == f"{left} {right}"


def test_other_scripts_are_not_asked():
    assert not breaks_inside_word("The quick brown", "fox jumps")
    assert not breaks_inside_word("这是一个", "测试")
    assert not breaks_inside_word("버전 2.0", "release notes")


def test_plain_text_joins_a_korean_word_broken_before_a_particle_or_an_ending(tmp_path):
    # The same thesis abstract as a PDF viewer copies it (pypdf's text of the Typst sample), read as plain text: a line
    # that opens with a particle or an ending ("서", "여") goes on with the word before it; a break between words keeps
    # its space, also between two nouns that Kiwi would read as one compound ("버그 / 수정은", semver's preface).
    from index.loaders import SourceFile, load_document

    text = (
        "지난 10여 년간 탄소 나노튜브는 자체의 독특한 전기적, 기계적 성질로 인하여 다가오는 나노기술 분야의 이상적인\n"
        "기초물질중의 하나로 떠오르고 있다. 흑연을 감는 세세한 방법에 따라 전기적 특성이 금속성에\n"
        "서 1eV의 띠간격을 가지는 반도체 특성까지 다양한 분포로 존재한다. 본 학위논문에서는 탄소 나노튜브의\n"
        "여러 물리적 성질에 대해 고찰하는데, 기본적으로 제일원리 밀도함수 이론과 밀접결합근사 모형을 사용하\n"
        "여 전기적 특성과 그 제어 방법, 자기적 특성, 그리고 수송특성 등을 다루고자 한다.\n"
    )
    path = tmp_path / "abstract.txt"
    path.write_text(text, encoding="utf-8")
    doc = load_document(SourceFile(path, "abstract"))
    joined = " ".join(p.text for p in doc.paragraphs)
    assert "이상적인 기초물질중의" in joined and "금속성에서 1eV의" in joined
    assert "모형을 사용하여 전기적" in joined
    assert join_wrapped("API에 영향이 없는 버그", "수정은 수(修)버전을 올리고") == "API에 영향이 없는 버그 수정은 수(修)버전을 올리고"


def test_text_copied_from_a_typeset_pdf_joins_inside_a_noun_too():
    # The PDF-extracted profile reads text a typesetter broke anywhere, as the PDF loader does; plain text does not.
    assert join_typeset("한글 논문에는 영", "어를 쓰지 마시기") == "한글 논문에는 영어를 쓰지 마시기"
    assert join_wrapped("한글 논문에는 영", "어를 쓰지 마시기") == "한글 논문에는 영 어를 쓰지 마시기"
