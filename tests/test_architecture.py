"""The import contract in pyproject.toml ([tool.importlinter]) holds, and it does catch the violations it names."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import ROOT

LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def lint_imports(cwd: Path, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(config), "--no-cache"], capture_output=True, text=True, cwd=cwd, timeout=300, check=False
    )


def test_the_repository_keeps_its_import_contracts() -> None:
    result = lint_imports(ROOT, ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_the_contracts_catch_an_index_that_imports_the_bot_or_discord_or_itself_in_a_cycle(tmp_path: Path) -> None:
    """The same contracts, run on a tiny tree that breaks each one: they must all report broken."""
    files = {
        "verbatim/__init__.py": "",
        "bot/__init__.py": "",
        "bot/client.py": "import index.ok\n",
        "index/__init__.py": "",
        "index/ok.py": "",
        "index/cli.py": "def run():\n    from bot.client import run_bot\n",  # a lazy import is still an import
        "index/chat.py": "import discord\n",
        "index/one.py": "import index.two\n",
        "index/two.py": "import index.one\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (tmp_path / "contracts.toml").write_text(_toml({"tool": {"importlinter": config}}), encoding="utf-8")
    result = lint_imports(tmp_path, tmp_path / "contracts.toml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 kept, 3 broken" in result.stdout, result.stdout
    assert "index.cli -> bot.client" in result.stdout and "index.chat -> discord" in result.stdout


def _toml(data: dict[str, object]) -> str:
    """Just enough TOML for the importlinter table: strings, booleans, lists of strings, arrays of tables."""

    def value(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

    config = data["tool"]["importlinter"]  # type: ignore[index]
    lines = ["[tool.importlinter]"]
    lines += [f"{k} = {value(v)}" for k, v in config.items() if k != "contracts"]
    for contract in config["contracts"]:
        lines += ["", "[[tool.importlinter.contracts]]"] + [f"{k} = {value(v)}" for k, v in contract.items()]
    return "\n".join(lines) + "\n"
