"""Terminal helpers shared by the command lines: build progress bars, the build report, opening the service."""

from __future__ import annotations

import sys
from collections.abc import Callable

from index.config import Settings
from index.models import BuildReport
from index.service import Verbatim


def terminal_progress() -> Callable[[str, int, int], None]:
    """A tqdm bar per build stage, shown only when the stage takes longer than a second."""
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def update(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(
                total=total,
                desc=stage,
                unit={"embedding": "passage", "second-encoder": "sentence"}.get(stage, "item"),
                delay=1.0,
                file=sys.stderr,
                leave=False,
            )
        bar.total = total
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


def print_report(report: BuildReport) -> None:
    if report.skipped_write:
        print(f"Index unchanged ({report.version}): nothing to embed.")
    print(report.summary())


def open_service(settings: Settings, *, build_if_missing: bool = True) -> Verbatim:
    """The service, loaded; built first (with progress on the terminal) when there is no index yet."""
    service = Verbatim(settings)
    if build_if_missing:
        report = service.ensure_ready(progress=terminal_progress())
        if report is not None:
            print_report(report)
            print()
    else:
        service.load()
    return service
