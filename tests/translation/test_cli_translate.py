"""`verbatim ask --translate LANG`: the quote, then its checked translation (text and JSON), via a fake provider."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from index.service import Verbatim
from tests.translation.fakeprovider import FakeProvider

QUESTION = "Why did the US and North Korea become willing to talk about denuclearization?"


def run_cli(args: list[str], service: Verbatim, tmp: Path, provider: FakeProvider) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERBATIM_", "DISCORD_"))}
    env.update(
        VERBATIM_KNOWLEDGE_DIR=str(service.settings.knowledge_dir),
        VERBATIM_INDEX_DIR=str(service.settings.index_dir),  # the session's index, only read
        VERBATIM_DATA_DIR=str(tmp / "data"),
        VERBATIM_TRANSLATE_KIND="libretranslate",
        VERBATIM_TRANSLATE_URL=provider.url,
        VERBATIM_TRANSLATE_KEY="lt-secret-0123456789",
    )
    command = [sys.executable, "-c", "import sys; from verbatim.cli import main; sys.exit(main())", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp, timeout=300)


def test_ask_translate_prints_the_checked_translation(article_service: Verbatim, provider: FakeProvider, tmp_path: Path) -> None:
    quote = article_service.ask(QUESTION).quote
    assert quote is not None
    expected = provider.good(quote.text, "en")
    assert expected is not None
    done = run_cli(["ask", "--translate", "en", QUESTION], article_service, tmp_path, provider)
    assert done.returncode == 0, done.stderr
    assert quote.text[:20] in done.stdout
    assert "Machine translation (en, LibreTranslate; checked: number 2018, month 2" in done.stdout and expected in done.stdout
    assert "lt-secret" not in done.stdout + done.stderr
    done = run_cli(["ask", "--json", "--translate", "en", QUESTION], article_service, tmp_path, provider)
    data = json.loads(done.stdout)
    assert data["answer"]["quote"] == quote.text  # the quote is unchanged
    translation = data["translation"]
    assert translation["text"] == expected and translation["check"]["passed"] and translation["cached"]  # second ask: cache
    assert len(provider.requests) == 1
    provider.mode = "change_name"
    done = run_cli(["ask", "--translate", "ko", "평양 선언은 무엇을 약속했습니까?"], article_service, tmp_path, provider)
    assert "not shown: it failed the check against the quote: name 金正恩 missing" in done.stdout


def test_ask_translate_without_a_provider(article_service: Verbatim, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERBATIM_", "DISCORD_"))}
    env.update(VERBATIM_INDEX_DIR=str(article_service.settings.index_dir), VERBATIM_DATA_DIR=str(tmp_path))
    command = [sys.executable, "-c", "import sys; from verbatim.cli import main; sys.exit(main())", "ask", "--translate", "en", QUESTION]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 2 and "VERBATIM_TRANSLATE_KIND" in done.stderr
