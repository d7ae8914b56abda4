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
    assert "5 kept, 0 broken" in result.stdout


def _contracts() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def test_every_index_module_is_either_retrieval_core_or_application() -> None:
    """A new module in index/ has to be placed in a layer, or the core contract would silently not cover it."""
    (core_contract,) = [c for c in _contracts()["contracts"] if c["type"] == "forbidden" and c["source_modules"] != ["index"]]
    core, application = set(core_contract["source_modules"]), set(core_contract["forbidden_modules"])
    modules = {f"index.{p.stem}" for p in (ROOT / "index").glob("*.py") if p.stem != "__init__"}
    assert not core & application
    assert modules == core | application, modules ^ (core | application)


def test_the_contracts_catch_an_index_that_imports_the_bot_or_discord_or_itself_in_a_cycle(tmp_path: Path) -> None:
    """The same contracts, run on a tree of empty modules with the same names, plus one breach of each: all must report broken."""
    config = _contracts()
    names = {m for c in config["contracts"] for key in ("source_modules", "forbidden_modules") for m in c.get(key, [])}
    names |= {
        f"index.{layer.strip()}"
        for c in config["contracts"]
        for row in c.get("layers", [])
        if c.get("containers")
        for layer in row.split("|")
    }
    files = {name.replace(".", "/") + ".py": "" for name in names if name.startswith("index.")}
    files |= {
        "verbatim/__init__.py": "",
        "bot/__init__.py": "",
        "bot/client.py": "import index.ok\n",
        "index/__init__.py": "",
        "index/ok.py": "",
        "index/cli.py": "import index.service\n\ndef run():\n    from bot.client import run_bot\n",  # a lazy import is still one
        "index/records.py": "import index.cli\n",  # the application layer reaching up to the command line
        "index/answer.py": "import index.service\n",  # the retrieval core reaching up to the application
        "index/chat.py": "import discord\n",
        "index/one.py": "import index.two\n",
        "index/two.py": "import index.one\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "contracts.toml").write_text(_toml({"tool": {"importlinter": config}}), encoding="utf-8")
    result = lint_imports(tmp_path, tmp_path / "contracts.toml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 kept, 5 broken" in result.stdout, result.stdout
    for breach in ("index.cli -> bot.client", "index.chat -> discord", "index.records -> index.cli", "index.answer -> index.service"):
        assert breach in result.stdout, (breach, result.stdout)


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
