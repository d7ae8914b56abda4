"""Code, footnotes, works cited and tables rank below prose by `kind_demotion`, while the gate still sees the nearest passages."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.evaluate import corpus_settings
from index.params import DEFAULT_PARAMS
from index.service import Verbatim
from tests.conftest import make_settings

HELDOUT3 = Path(__file__).parent / "data" / "heldout3"
# A paper (English PDF: title, footnotes "2 Link to Melodie repository: https://…", code listings) and a page of
# Markdown with many code blocks (React's "Keeping Components Pure" in Traditional Chinese).
DOCUMENTS = ("en-melodie-joss-paper-draft-2023", "zh-hant-react-keeping-components-pure")
QUESTIONS = (
    "What is Melodie?",
    "Where is the Melodie code published?",
    "Melodie 的模組分成哪幾大類？",
    "에이전트 기반 모델에서 에이전트는 무엇인가요?",
    "React 元件為什麼要保持純粹？",
    "Why should React components be pure?",
    "What's a simple recipe for banana bread?",
)
DEMOTED = set(DEFAULT_PARAMS.demoted_kinds.split())


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Verbatim]:
    tmp = tmp_path_factory.mktemp("kinds")
    corpus = tmp / "docs"
    corpus.mkdir()
    for stem in DOCUMENTS:
        for path in HELDOUT3.glob(f"{stem}.*"):
            shutil.copy(path, corpus / path.name)
    service = Verbatim(corpus_settings(make_settings(tmp), [corpus]))
    service.ensure_ready()
    yield service


@pytest.mark.slow
def test_demoted_kinds_rank_below_prose_within_the_demotion(service: Verbatim) -> None:
    retriever = service.answerer.retriever
    assert {"code", "footnote", "reference", "table"} == DEMOTED and DEFAULT_PARAMS.kind_demotion > 0
    kinds = {p.kind for p in retriever.passages}
    assert {"code", "footnote", "prose"} <= kinds, kinds
    moved = 0
    try:
        for question in QUESTIONS:
            retriever.params = DEFAULT_PARAMS.with_changes(kind_demotion=0.0)
            plain = retriever.search(question)
            retriever.params = DEFAULT_PARAMS
            demoted = retriever.search(question)
            plain_ids = [sp.passage.id for sp in plain.passages]
            # The gate reads the nearest passages by fused score alone: the same as without the demotion.
            assert [p.id for p in demoted.undemoted or [sp.passage for sp in demoted.passages]] == plain_ids, question
            shown = demoted.passages
            # Ranked by score less the demotion of its kind; scores are the fused ones less it.
            adjusted = [sp.score for sp in shown]
            assert adjusted == sorted(adjusted, reverse=True), question
            plain_scores = {sp.passage.id: sp.score for sp in plain.passages}
            for sp in shown:
                if sp.passage.id in plain_scores:
                    expected = plain_scores[sp.passage.id] - (DEFAULT_PARAMS.kind_demotion if sp.passage.kind in DEMOTED else 0.0)
                    assert sp.score == pytest.approx(expected, abs=1e-5), (question, sp.passage.id)
            before = sum(sp.passage.kind in DEMOTED for sp in plain.passages)
            after = sum(sp.passage.kind in DEMOTED for sp in shown)
            assert after <= before, question
            moved += after < before
    finally:
        retriever.params = DEFAULT_PARAMS
    assert moved >= 2, "the demotion moved no code or footnote out of any top 3: this test checks nothing"


@pytest.mark.slow
def test_a_question_near_only_code_is_still_refused_when_prose_is_shown(service: Verbatim) -> None:
    # An everyday question: e5 puts the code blocks nearest (they sit close to every question); the demotion shows
    # prose instead, but what decides "no prose answers it" is still the nearest passages.
    retriever = service.answerer.retriever
    nearest_all_code = []
    for question in QUESTIONS[-1:] + ("Can you recommend a good podcast for my commute?", "How do I bake sourdough?"):
        result = retriever.search(question)
        if result.undemoted and all(p.kind == "code" for p in result.undemoted):
            nearest_all_code.append(question)
            assert any(sp.passage.kind != "code" for sp in result.passages), question
            answer = service.ask(question)
            assert not answer.answered and answer.quote is None, (question, answer.reason, answer.gate)
    assert nearest_all_code, "no everyday question had only code nearest: this test checks nothing"
