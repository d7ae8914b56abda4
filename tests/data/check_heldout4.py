"""Check the fourth held-out corpus (tests/data/heldout4/) and its questions (tests/data/heldout4.jsonl) against the
rules of the second (check_heldout2.py, which holds every check)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

DATA_DIR = Path(__file__).resolve().parent


def _second_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_heldout2", DATA_DIR / "check_heldout2.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run_checks() -> tuple[list[str], str]:
    second = _second_checker()
    result: tuple[list[str], str] = second.run_checks(second.HELDOUT4)
    return result


if __name__ == "__main__":
    second = _second_checker()
    sys.exit(second.main(second.HELDOUT4))
