"""Per-guild indexes at scale: RSS and load time with 1, 10 and 50 guilds, each with one small document of its own.

    python -m bench.guilds [--guilds 1,10,50] [--budget-guilds 10] [--work var/bench-guilds]

Prepares once: the base index of knowledge/ and one index per guild (a short document each, built in-process
with the shared model). Then, for each count, a fresh child process loads the base, then that many guild
indexes through GuildLibrary (as the bot does on a guild's first question), asks one question in each, and
reports RSS before and after and the load times. A last run loads every guild under a memory budget of
--budget-guilds guilds' estimated size, to show LRU eviction keeping the process bounded. A second table does
the same with guilds whose index is a copy of the article's (19 passages, a realistic paper). Prints tables.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIRST_GUILD = 1_200_000_000_000_000_000
PLACES = ["harbour", "library", "old mill", "chapel", "market hall", "observatory", "boathouse", "school", "bakery", "station"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def guild_document(number: int) -> str:
    place = PLACES[number % len(PLACES)]
    return (
        f"# Club {number}\n\n"
        f"The chess club number {number} meets every {DAYS[number % 7]} at the {place}. "
        f"It was founded in {1900 + number} by a teacher named Ilse Marr-{number}.\n"
    )


def _rss_mb() -> dict[str, float]:
    out = {}
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as handle:
        for line in handle:
            key = line.split(":")[0]
            if key in ("VmRSS", "RssAnon", "RssFile"):
                out[key] = round(int(line.split()[1]) / 1024, 1)
    return out


def prepare(work: Path, guilds: int) -> None:
    """The base index and `guilds` guild indexes under `work` (kept between runs)."""
    from index.builder import build_index
    from index.config import Settings
    from index.service import Verbatim
    from index.store import IndexStore

    settings = Settings(_env_file=None, knowledge_dir=ROOT / "knowledge", index_dir=work / "index", data_dir=work / "data")  # type: ignore[call-arg]
    base = Verbatim(settings)
    base.ensure_ready()
    manifest = base.loaded.manifest
    embedder = base.embedder_for(manifest.model, manifest.backend)
    started = time.perf_counter()
    for number in range(guilds):
        root = settings.guilds_dir / str(FIRST_GUILD + number)
        if (root / "index" / "current").exists():
            continue
        (root / "knowledge").mkdir(parents=True, exist_ok=True)
        (root / "knowledge" / f"club-{number}.md").write_text(guild_document(number), encoding="utf-8")
        build_index(
            root / "knowledge",
            IndexStore(root / "index"),
            lambda: embedder,
            model=manifest.model,
            backend=manifest.backend,
            built_by="bench",
        )
    print(f"prepared the base and {guilds} guild indexes in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def prepare_article_guilds(work: Path, guilds: int) -> Path:
    """`work/article-guilds`: the base index again, and `guilds` guilds each holding a copy of it (no embedding)."""
    target = work / "article-guilds"
    if not (target / "index" / "current").exists():
        shutil.copytree(work / "index", target / "index", symlinks=True, ignore=shutil.ignore_patterns(".build.lock"))
    for number in range(guilds):
        index = target / "data" / "guilds" / str(FIRST_GUILD + number) / "index"
        if not (index / "current").exists():
            shutil.copytree(work / "index", index, symlinks=True, ignore=shutil.ignore_patterns(".build.lock", "cache"))
    return target


def probe(work: Path, guilds: int, budget_mb: float | None, article: bool = False) -> dict[str, Any]:
    """In a fresh process: load the base, then `guilds` guild indexes; RSS and timings."""
    from index.config import Settings
    from index.service import Verbatim
    from index.tenancy import GuildLibrary

    settings = Settings(_env_file=None, knowledge_dir=ROOT / "knowledge", index_dir=work / "index", data_dir=work / "data")  # type: ignore[call-arg]
    started = time.perf_counter()
    base = Verbatim(settings)
    base.load()
    base.ask("平壤宣言承諾了什麼？")  # warm: the model, the coverage bank, the base's lexical indexes
    base_seconds = time.perf_counter() - started
    before = _rss_mb()
    budget = int(budget_mb * 1e6) if budget_mb is not None else 10**12
    library = GuildLibrary(settings, base, budget_bytes=budget)
    loads: list[float] = []
    asks: list[float] = []
    answered = 0
    for number in range(guilds):
        guild_id = FIRST_GUILD + number
        t0 = time.perf_counter()
        view = library.view(guild_id)
        loads.append(time.perf_counter() - t0)
        t1 = time.perf_counter()
        if article:
            answer = view.ask("What did the Pyongyang declaration promise?")
            answered += bool(answer.answered)
        else:
            answer = view.ask(f"When was chess club number {number} founded?")
            answered += bool(answer.answered and answer.quote and answer.quote.passage.doc_id == f"club-{number}")
        asks.append(time.perf_counter() - t1)
    after = _rss_mb()
    footprints = [library.space(FIRST_GUILD + n).footprint for n in range(guilds)]
    return {
        "guilds": guilds,
        "budget_mb": budget_mb,
        "base_load_s": round(base_seconds, 2),
        "rss_base_mb": before["VmRSS"],
        "rss_after_mb": after["VmRSS"],
        "anon_after_mb": after.get("RssAnon"),
        "per_guild_mb": round((after["VmRSS"] - before["VmRSS"]) / guilds, 2),
        "load_total_s": round(sum(loads), 2),
        "load_p50_ms": round(statistics.median(loads) * 1000, 1),
        "load_max_ms": round(max(loads) * 1000, 1),
        "ask_p50_ms": round(statistics.median(asks) * 1000, 1),
        "answered_from_own": answered,
        "loaded_at_end": len(library.loaded_guilds()),
        "evictions": library.evictions,
        "estimate_per_guild_mb": round(statistics.mean(footprints) / 1e6, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guilds", default="1,10,50")
    parser.add_argument("--budget-guilds", type=int, default=10, help="the LRU run's budget, in guilds' estimated size")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench-guilds")
    parser.add_argument("--probe", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--budget-mb", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--article", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe is not None:
        print(json.dumps(probe(args.work, args.probe, args.budget_mb, args.article)))
        return
    counts = [int(c) for c in args.guilds.split(",") if c.strip()]
    prepare(args.work, max(counts))
    article_work = prepare_article_guilds(args.work, max(counts))
    for title, work, article in (
        ("one short document per guild (1 passage)", args.work, False),
        ("a copy of the article per guild (19 passages)", article_work, True),
    ):
        print(f"\n### {title}\n")
        _table(work, counts, args.budget_guilds, article)
    print(f"\nload average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _table(work: Path, counts: list[int], budget_guilds: int, article: bool) -> None:
    rows = []
    for count in counts:
        rows.append(_run_probe(work, count, None, article))
    per_guild_estimate = rows[-1]["estimate_per_guild_mb"]
    budget = round(per_guild_estimate * budget_guilds, 2)
    rows.append(_run_probe(work, max(counts), budget, article))
    header = "| guilds | budget | RSS base | RSS after | per guild | load total | load p50 | load max | ask p50 | own doc quoted | loaded | evicted |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for row in rows:
        budget_text = f"{row['budget_mb']} MB" if row["budget_mb"] is not None else "none"
        print(
            f"| {row['guilds']} | {budget_text} | {row['rss_base_mb']} MB | {row['rss_after_mb']} MB | {row['per_guild_mb']} MB | "
            f"{row['load_total_s']} s | {row['load_p50_ms']} ms | {row['load_max_ms']} ms | {row['ask_p50_ms']} ms | "
            f"{row['answered_from_own']}/{row['guilds']} | {row['loaded_at_end']} | {row['evictions']} |"
        )
    print(
        f"\nestimated size of one loaded guild index (GuildLibrary's accounting): {per_guild_estimate} MB; base loaded in {rows[0]['base_load_s']} s"
    )


def _run_probe(work: Path, count: int, budget_mb: float | None, article: bool) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.guilds", "--work", str(work), "--probe", str(count)]
    if budget_mb is not None:
        command += ["--budget-mb", str(budget_mb)]
    if article:
        command.append("--article")
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
