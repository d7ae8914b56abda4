"""Security at the index level: uploads cannot escape knowledge/ or lie about their type; the token never leaks."""

from __future__ import annotations

import json
import logging
import sys
import types
from pathlib import Path

import pytest

from bot.settings import BotSettings, load_bot_settings
from index.errors import ConfigError, DocumentError
from index.knowledge import add_document
from tests.conftest import ARTICLE, ARTICLE_META
from verbatim import cli

TEXT = "一段安全的文字。A safe paragraph of text.\n".encode()
PDF_HEAD = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() and not p.is_symlink() else b"") for p in root.rglob("*")}


SAVED_AS = {
    "../../x.txt": "x.txt",
    "/etc/passwd.txt": "passwd.txt",
    "..\\..\\x.md": "x.md",
    "C:\\Windows\\system32\\evil.txt": "evil.txt",
    ".hidden.txt": "hidden.txt",
    "....//....//y.txt": "y.txt",
    "a\x00b.txt": "ab.txt",
    "report\u202etxt.pdf.txt": "reporttxt.pdf.txt",
    "zero\u200bwidth.md": "zerowidth.md",
    "spaces and $ymbols!.txt": "spaces and _ymbols.txt",
    "UPPER.TXT": "UPPER.txt",
}

REFUSED = {
    "no extension": ("passwd", "no extension"),
    "only dots": ("..", "no extension"),
    "dot-dot-slash only": ("../", "no extension"),
    "unsupported extension": ("payload.exe", "not supported"),
    "RTL override hiding .exe": ("invoice\u202etxt.exe", "not supported"),
    "NUL before a fake extension": ("x.exe\x00.txt", None),
    "empty stem": ("./.txt", None),
    "only emoji": ("😀😀😀.txt", "no usable characters"),
}


@pytest.mark.parametrize("name", list(SAVED_AS), ids=[repr(n) for n in SAVED_AS])
def test_hostile_names_land_inside_knowledge(tmp_path: Path, name: str) -> None:
    knowledge = tmp_path / "deep" / "knowledge"
    knowledge.mkdir(parents=True)
    outside_before = snapshot(tmp_path / "deep")
    saved = add_document(knowledge, name, TEXT)
    assert saved.parent == knowledge
    assert saved.name == SAVED_AS[name]
    assert not saved.name.startswith(".")
    assert saved.read_bytes() == TEXT
    new = set(snapshot(tmp_path / "deep")) - set(outside_before)
    assert all(path.startswith("knowledge/") or path == "knowledge" for path in new), new
    assert not list(knowledge.glob(".*")), "temporary upload files were left behind"


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
def test_unusable_names_refused(tmp_path: Path, case: str) -> None:
    name, message = REFUSED[case]
    before = snapshot(tmp_path)
    try:
        saved = add_document(tmp_path / "knowledge", name, TEXT)
    except DocumentError as exc:
        assert message is None or message in str(exc)
        assert set(snapshot(tmp_path)) - set(before) <= {"knowledge"}
        return
    # Whatever is accepted must be a plain supported file inside knowledge/.
    assert message is None
    assert saved.parent == tmp_path / "knowledge" and saved.suffix in {".txt", ".md", ".pdf"}


@pytest.mark.parametrize(
    "long_name",
    ["a" * 300 + ".txt", "中" * 200 + ".md", "😀" * 150 + "筆記" * 90 + ".txt", "é" * 250 + ".txt"],
    ids=["ascii", "cjk", "emoji and cjk", "latin"],
)
def test_very_long_names(tmp_path: Path, long_name: str) -> None:
    """The file system limit is 255 bytes, not characters; the sidecar and upload temp names are longer still."""
    knowledge = tmp_path / "knowledge"
    saved = add_document(knowledge, long_name, TEXT, {"title": "long"})
    assert saved.parent == knowledge and saved.is_file()
    assert len(saved.name.encode()) <= 255
    sidecars = list(knowledge.glob("*.meta.json"))
    assert len(sidecars) == 1 and json.loads(sidecars[0].read_text(encoding="utf-8"))["title"] == "long"


CONTENT = {
    "PDF named .txt": ("paper.txt", PDF_HEAD, "a PDF"),
    "PDF named .md": ("paper.md", PDF_HEAD, "a PDF"),
    "binary named .md": ("notes.md", bytes(range(256)) * 2, "binary"),
    "ELF named .txt": ("tool.txt", b"\x7fELF\x02\x01\x01\x00" + bytes(512), "binary"),
    "text named .pdf": ("paper.pdf", TEXT, "not a PDF"),
    "empty": ("empty.txt", b"", "empty"),
    "whitespace": ("blank.md", b"  \n\t\n", "empty"),
    "too large": ("big.txt", b"x" * 2048, "too large"),
}


@pytest.mark.parametrize("case", list(CONTENT), ids=list(CONTENT))
def test_content_type_judged_by_content(tmp_path: Path, case: str) -> None:
    name, data, message = CONTENT[case]
    knowledge = tmp_path / "knowledge"
    with pytest.raises(DocumentError, match=message):
        add_document(knowledge, name, data, max_bytes=1024)
    assert not knowledge.exists() or not any(knowledge.iterdir()), "a refused upload left a file behind"


def test_symlink_in_knowledge_cannot_redirect_a_write(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("do not touch", encoding="utf-8")
    (knowledge / "link.txt").symlink_to(secret)
    with pytest.raises(DocumentError):
        add_document(knowledge, "link.txt", TEXT, replace=True)
    assert secret.read_text(encoding="utf-8") == "do not touch"


def test_upload_cannot_hijack_another_documents_metadata(tmp_path: Path) -> None:
    """A .md with the article's stem would share its id and metadata sidecar: refuse it rather than overwrite."""
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / ARTICLE.name).write_bytes(ARTICLE.read_bytes())
    (knowledge / ARTICLE_META.name).write_bytes(ARTICLE_META.read_bytes())
    with pytest.raises(DocumentError, match="already"):
        add_document(knowledge, ARTICLE.stem + ".md", TEXT, {"title": "Hijacked", "author": "Mallory"})
    assert (knowledge / ARTICLE_META.name).read_bytes() == ARTICLE_META.read_bytes()
    assert not (knowledge / (ARTICLE.stem + ".md")).exists()


# -- the token ------------------------------------------------------------------------------------

FAKE_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA.GfAkEe.Zx9-sEcReT_" + "q" * 24  # 70 characters, Discord-shaped
assert len(FAKE_TOKEN) == 70


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from an empty directory (no .env) with no Verbatim/Discord variables set."""
    import os

    for key in list(os.environ):
        if key.startswith(("DISCORD_", "VERBATIM_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VERBATIM_KNOWLEDGE_DIR", str(tmp_path / "knowledge"))
    monkeypatch.setenv("VERBATIM_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("VERBATIM_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def assert_no_token(token: str, *texts: str) -> None:
    for text in texts:
        assert token not in text
        assert token[-30:] not in text  # not even a tail of it


def test_token_never_logged_or_shown(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", FAKE_TOKEN)
    monkeypatch.setenv("VERBATIM_LOG_LEVEL", "DEBUG")
    seen: list[BotSettings] = []

    def run_bot(settings: BotSettings) -> None:
        seen.append(settings)
        logging.getLogger("bot.main").debug("starting with %r / %s", settings, settings)
        print(settings)

    stub = types.ModuleType("bot.main")
    stub.run_bot = run_bot  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.main", stub)
    with caplog.at_level(logging.DEBUG):
        settings = load_bot_settings()
        assert settings.require_token() == FAKE_TOKEN
        assert cli.main(["--log-level", "DEBUG", "run"]) == 0
    assert seen, "the run path did not reach the bot"
    out = capsys.readouterr()
    assert_no_token(
        FAKE_TOKEN,
        caplog.text,
        out.out,
        out.err,
        repr(settings),
        str(settings),
        settings.model_dump_json(),
        json.dumps(settings.model_dump(mode="json")),
    )


@pytest.mark.parametrize(
    "bad",
    [FAKE_TOKEN[:35] + " " + FAKE_TOKEN[35:], FAKE_TOKEN[:18], FAKE_TOKEN + "\nsecond-line", "Bot " + FAKE_TOKEN],
    ids=["inner space", "truncated", "newline", "Bot prefix"],
)
def test_malformed_token_error_never_echoes_it(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", bad)
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(ConfigError) as caught:
            load_bot_settings().require_token()
        assert "DISCORD_TOKEN" in str(caught.value)
        assert cli.main(["--log-level", "DEBUG", "run"]) == 2
    out = capsys.readouterr()
    assert "DISCORD_TOKEN" in out.err
    secret = bad.strip()
    assert_no_token(secret[:18] if len(secret) < 20 else secret, str(caught.value), caplog.text, out.out, out.err)


def test_invalid_settings_error_never_echoes_the_token(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", FAKE_TOKEN)
    monkeypatch.setenv("DISCORD_SHARD_COUNT", FAKE_TOKEN)
    monkeypatch.setenv("VERBATIM_MODERATOR_ROLE_IDS", FAKE_TOKEN)
    with pytest.raises(ConfigError) as caught:
        load_bot_settings()
    assert "DISCORD_SHARD_COUNT" in str(caught.value) or "shard" in str(caught.value).lower()
    assert_no_token(FAKE_TOKEN, str(caught.value))


def test_comma_separated_role_ids(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERBATIM_MODERATOR_ROLE_IDS", "123,456")
    assert load_bot_settings().moderator_role_ids == [123, 456]


def test_missing_token_is_a_clear_error(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ConfigError, match="DISCORD_TOKEN is not set"):
        load_bot_settings().require_token()
    assert cli.main(["run"]) == 2
    assert "DISCORD_TOKEN is not set" in capsys.readouterr().err


# -- where secrets come from -----------------------------------------------------------------------


def test_token_read_from_dotenv(clean_env: Path) -> None:
    (clean_env / ".env").write_text(f"DISCORD_TOKEN={FAKE_TOKEN}\n", encoding="utf-8")
    assert load_bot_settings().require_token() == FAKE_TOKEN


def test_environment_wins_over_dotenv(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_env / ".env").write_text("DISCORD_TOKEN=from-dotenv-" + "d" * 40 + "\n", encoding="utf-8")
    monkeypatch.setenv("DISCORD_TOKEN", FAKE_TOKEN)
    assert load_bot_settings().require_token() == FAKE_TOKEN


def test_token_comes_from_nowhere_else(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Not from the command line (which would put it in shell history and `ps`)...
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["--token", FAKE_TOKEN, "run"])
    capsys.readouterr()
    # ...nor from other files in the working directory, nor from a .env when the caller opts out.
    (clean_env / "env").write_text(f"DISCORD_TOKEN={FAKE_TOKEN}\n", encoding="utf-8")
    (clean_env / ".env.example").write_text(f"DISCORD_TOKEN={FAKE_TOKEN}\n", encoding="utf-8")
    assert load_bot_settings().discord_token is None
    (clean_env / ".env").write_text(f"DISCORD_TOKEN={FAKE_TOKEN}\n", encoding="utf-8")
    assert BotSettings(_env_file=None).discord_token is None  # type: ignore[call-arg]
    # A blank value counts as unset, not as a token.
    (clean_env / ".env").write_text("DISCORD_TOKEN=   \n", encoding="utf-8")
    assert load_bot_settings().discord_token is None
