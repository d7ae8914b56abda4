"""The `verbatim` command line as a user runs it: build, ask (text and JSON, one question or stdin), sources, run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, copy_article

VERBATIM = [sys.executable, "-m", "verbatim.cli"]


def run_cli(
    args: list[str], env_dirs: Path, stdin: str | None = None, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERBATIM_", "DISCORD_"))}
    env.update(
        VERBATIM_KNOWLEDGE_DIR=str(env_dirs / "knowledge"),
        VERBATIM_INDEX_DIR=str(env_dirs / "index"),
        VERBATIM_DATA_DIR=str(env_dirs / "data"),
        PYTHONPATH=str(ROOT),
    )
    env.update(extra_env or {})
    # Run from the temporary directory so a developer's .env is never read.
    return subprocess.run(VERBATIM + args, input=stdin, capture_output=True, text=True, env=env, cwd=env_dirs, timeout=300)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli")
    copy_article(tmp / "knowledge")
    return tmp


def check_answer_json(data: dict, question: str) -> None:
    assert data["question"] == question
    assert isinstance(data["answered"], bool)
    assert data["passages"], "passages are always returned, best first"
    scores = [p["score"] for p in data["passages"]]
    assert scores == sorted(scores, reverse=True)
    for passage in data["passages"]:
        assert set(passage) >= {"id", "text", "doc", "title", "section", "page", "score"}
        assert len(passage["text"]) <= 400
    if data["answered"]:
        answer = data["answer"]
        assert set(answer) >= {"quote", "passage_id", "citation"}
        assert len(answer["quote"]) <= 300
        assert answer["citation"]["author"] == "河凡植"
        assert answer["citation"]["doi"] == "10.30382/SSA.201812_(153).0009"
    else:
        assert data["answer"] is None


def test_ask_builds_a_missing_index_then_answers_json(workdir):
    question = "平壤宣言承諾了什麼？"
    result = run_cli(["ask", question, "--json"], workdir)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    check_answer_json(data, question)
    assert data["answered"] is True
    assert "平壤宣言" in data["answer"]["quote"]
    assert (workdir / "index" / "current" / "manifest.json").is_file()


def test_rebuild_reports_no_change(workdir):
    result = run_cli(["build"], workdir)
    assert result.returncode == 0, result.stderr
    assert "0 embedded" in result.stdout and "1 unchanged" in result.stdout


def test_stdin_mode_prints_one_object_per_line(workdir):
    questions = ["美朝新加坡峰會是哪一天舉行的？", "How do I bake sourdough bread?", "蓬佩奥和金永哲7月的会谈结果如何？"]
    result = run_cli(["ask", "--json", "-k", "3"], workdir, stdin="\n".join(questions) + "\n\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [line["question"] for line in lines] == questions
    for data, question in zip(lines, questions, strict=True):
        check_answer_json(data, question)
        assert len(data["passages"]) == 3


def test_text_answer_shows_quote_and_citation(workdir):
    result = run_cli(["ask", "美朝新加坡峰會是哪一天舉行的？"], workdir)
    assert result.returncode == 0, result.stderr
    assert "「" in result.stdout and "河凡植" in result.stdout and "p. 9" in result.stdout
    assert "https://doi.org/10.30382/SSA.201812_(153).0009" in result.stdout


def test_sources_lists_metadata(workdir):
    result = run_cli(["sources", "--json"], workdir)
    assert result.returncode == 0, result.stderr
    (doc,) = json.loads(result.stdout)
    assert doc["title"] == "朝鮮半島無核化以及終戰宣言對話與觀察" and doc["journal"] == "戰略安全研析"


def test_run_without_token_fails_clearly(workdir):
    result = run_cli(["run"], workdir)
    assert result.returncode == 2
    assert "DISCORD_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_start_without_token_answers_the_example(workdir):
    result = run_cli(["start"], workdir)
    assert result.returncode == 0, result.stderr
    assert "平壤宣言" in result.stdout and "verbatim run" in result.stdout
