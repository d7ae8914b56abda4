"""PNG charts of bot activity (questions per day, answered versus not covered, 👍/👎) drawn with matplotlib's Agg backend."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence

from index.records import DayActivity

log = logging.getLogger(__name__)

COLOR_ANSWERED = "#2E7D32"
COLOR_NOT_COVERED = "#9E9E9E"
COLOR_UP = "#1565C0"
COLOR_DOWN = "#C62828"


def activity_chart(days: Sequence[DayActivity], *, title: str = "Verbatim: the last 30 days") -> bytes:
    """Two stacked panels: questions per day (answered / not covered) and feedback per day (up / down), as PNG bytes.

    Uses the object-oriented API with its own Agg canvas (no pyplot state), so it is safe to call from worker threads.
    Text is kept to ASCII labels: the fonts that ship with matplotlib have no CJK or emoji glyphs.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels = [d.day[5:] for d in days]  # MM-DD
    x = list(range(len(days)))
    answered = [d.answered for d in days]
    not_covered = [d.not_covered for d in days]
    up = [d.up for d in days]
    down = [d.down for d in days]

    figure = Figure(figsize=(10, 5.5), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    top.bar(x, answered, color=COLOR_ANSWERED, label="answered")
    top.bar(x, not_covered, bottom=answered, color=COLOR_NOT_COVERED, label="not covered")
    top.set_ylabel("questions")
    top.set_title(title)
    top.legend(loc="upper left", frameon=False)

    width = 0.4
    bottom.bar([i - width / 2 for i in x], up, width=width, color=COLOR_UP, label="thumbs up")
    bottom.bar([i + width / 2 for i in x], down, width=width, color=COLOR_DOWN, label="thumbs down")
    bottom.set_ylabel("feedback")
    bottom.legend(loc="upper left", frameon=False)
    bottom.set_xticks(x[::3] if len(x) > 10 else x, [labels[i] for i in (x[::3] if len(x) > 10 else x)], rotation=45, ha="right")
    for axes in (top, bottom):
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(bottom=0, top=max(1, axes.get_ylim()[1]))
        axes.spines[["top", "right"]].set_visible(False)
        axes.grid(axis="y", alpha=0.3)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
