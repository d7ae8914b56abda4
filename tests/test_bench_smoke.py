"""Smoke test of the benchmark script at a tiny size: it runs end to end and prints its tables (no timing asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEV_SET, ROOT


@pytest.mark.slow  # a minute or two on a busy 2-core machine: it loads the model in four processes
def test_bench_runs_at_a_tiny_size_and_prints_the_tables(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    done = subprocess.run(
        [
            sys.executable, "-m", "bench.run",
            "--sizes", "300", "--runs", "1", "--limit-questions", "4",
            "--questions", str(DEV_SET), "--work", str(tmp_path / "work"), "--out", str(out),
            "--skip-build-bench", "--skip-memory", "--skip-hnsw", "--omp-threads", "",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    printed = done.stdout
    assert "### Query path" in printed
    assert "| article |" in printed and "| 300 passages |" in printed
    assert "### Exact versus approximate search at 300 passages" in printed
    for row in (
        "| flat (exact) |",
        "| ivf-sq8 as stored",
        "| ivf-sq8, FAISS's 8-bit scores |",
        "| ivf float32 lists",
        "| ivf float32, nprobe 32 |",
    ):
        assert row in printed
    assert "load " in printed  # the load average is reported with the figures
    written = out.read_text(encoding="utf-8")
    assert "<!-- bench:begin" in written and "| 300 passages |" in written
