"""A picture of a forecast: stacked bars per bucket, deadlines, closed delivery-window periods.

matplotlib is an optional extra (``pip install 'ivrsched[plot]'``) imported only when a picture is
drawn. Times stay integer µs until the very last step, where they become bar positions (bucket
numbers) for drawing; nothing drawn feeds back into a computation.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

from ivrsched.errors import IvrschedError
from ivrsched.forecasting.load import DECIMAL_PLACES, Forecast, round_fraction
from ivrsched.planning.explanation import describe_duration
from ivrsched.rules.instants import format_clock

#: Output formats, chosen by the file's extension.
PLOT_FORMATS = ("png", "svg")

MISSING_MATPLOTLIB = ("plotting needs matplotlib, which is not installed: "
                      "pip install 'ivrsched[plot]'")

FIRST_COLOUR = "#1f5f99"
RETRY_COLOUR = "#f0a030"
DEADLINE_COLOUR = "#c0282d"
CLOSED_COLOUR = "#9a9a9a"


def plot_format(path: str | os.PathLike[str]) -> str:
    """``png`` or ``svg`` from the file name; anything else is an :class:`IvrschedError`."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in PLOT_FORMATS:
        raise IvrschedError(f"cannot tell the picture format of {os.fspath(path)!r}: "
                            "name it .png or .svg")
    return suffix


def _tick_labels(starts: list[int], offset_at: Callable[[int], int]) -> list[str]:
    """Time of day under each bar, with the date on the first tick and wherever it changes."""
    labels: list[str] = []
    previous_date = None
    for start in starts:
        date, _, time = format_clock(start, offset_at(start)).partition(" ")
        labels.append(time if date == previous_date else f"{time}\n{date}")
        previous_date = date
    return labels


def title_of(result: Forecast) -> str:
    """The campaign summary in two lines: who, how many, when; and the expectation."""
    plan = result.plan
    # A bulkId the plan generated is a random identifier, no name for a picture.
    name = plan.request.bulk_id or "campaign"
    at = result.offset_at
    when = "no attempt happens"
    if result.first_call_us is not None and result.last_attempt_us is not None:
        last_first = result.last_first_attempt_us
        assert last_first is not None
        first = format_clock(result.first_call_us, at(result.first_call_us))
        day = first.partition(" ")[0]

        def short(us: int) -> str:
            # The date only when it differs from the first call's.
            text = format_clock(us, at(us))
            return text.partition(" ")[2] if text.startswith(day + " ") else text

        when = (f"first call {first}, last first attempt {short(last_first)}, "
                f"last possible attempt {short(result.last_attempt_us)}")
        deadlines = sorted({d for d in result.deadlines_us if d is not None})
        if deadlines:
            when += f", deadline {short(deadlines[-1])}"
        when += f" ({result.offset_label})"
    rate = result.answer_rate
    expected = (f"answer rate {_decimal(rate)}: expected {_decimal(result.expected_total)} "
                f"attempts ({result.first_attempts} first + {_decimal(result.expected_retries)} "
                f"retries)")
    return (f"{name}: {result.destinations} destinations, buckets of "
            f"{describe_duration(result.bucket_us)}\n{expected}\n{when}")


def _decimal(value: Fraction) -> str:
    """A fraction as a short decimal (trailing zeros dropped) for titles."""
    text = str(round_fraction(value, DECIMAL_PLACES))
    return text.rstrip("0").rstrip(".") if "." in text else text


def closed_periods(result: Forecast, start_us: int, end_us: int) -> list[tuple[int, int]]:
    """The periods in ``[start_us, end_us)`` when a message's delivery window is closed, as
    each message's time line reports them (S6)."""
    periods: list[tuple[int, int]] = []
    for message_plan in result.plan.messages:
        periods.extend((max(a, start_us), min(b, end_us))
                       for a, b in message_plan.timeline.closed_periods(start_us, end_us)
                       if a < end_us and b > start_us)
    return periods


#: Title font size in points.
TITLE_POINTS = 10
#: A generous average width of a title character, in ems (DejaVu Sans averages about 0.55):
#: wrapping at this estimate keeps every line inside the figure.
CHARACTER_EMS = Fraction(13, 20)


def wrap_title(title: str, width_inches: float, points: int = TITLE_POINTS) -> str:
    """Each line of ``title`` wrapped at spaces so that it fits ``width_inches`` of picture."""
    columns = max(20, int(Fraction(width_inches) * 72 / (points * CHARACTER_EMS)))
    return "\n".join("\n".join(textwrap.wrap(line, columns, break_on_hyphens=False)) or line
                     for line in title.splitlines())


def plot_forecast(result: Forecast, path: str | os.PathLike[str], *,
                  width_inches: float = 10.0, height_inches: float = 5.0, dpi: int = 100) -> None:
    """Draw ``result`` into ``path`` (``.png`` or ``.svg``): stacked bars of first attempts and
    expected retries per bucket, each message's deadline as a vertical line, closed
    delivery-window periods shaded, the campaign summary as the title.

    A PNG is ``width_inches * dpi`` by ``height_inches * dpi`` pixels; an SVG is
    ``width_inches * 72`` by ``height_inches * 72`` points.
    """
    fmt = plot_format(path)
    figure = draw_forecast(result, width_inches=width_inches, height_inches=height_inches,
                           dpi=dpi)
    metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
    try:
        figure.savefig(os.fspath(path), format=fmt, metadata=metadata)
    except OSError as exc:
        raise IvrschedError(f"cannot write {os.fspath(path)}: {exc.strerror or exc}") from exc


def draw_forecast(result: Forecast, *, width_inches: float = 10.0, height_inches: float = 5.0,
                  dpi: int = 100) -> Any:
    """The matplotlib ``Figure`` that :func:`plot_forecast` saves."""
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise IvrschedError(MISSING_MATPLOTLIB) from exc

    figure = Figure(figsize=(width_inches, height_inches), dpi=dpi, layout="constrained")
    axes = figure.add_subplot()
    rows = list(result.rows)
    origin = result.rows.first_start_us
    bucket = result.bucket_us

    def position(us: int) -> float:
        # Bucket i is drawn centred on i; its start is at i - 0.5. Display only.
        return float(Fraction(us - origin, bucket)) - 0.5

    positions = list(range(len(rows)))
    firsts = [row.first_attempts for row in rows]
    retries = [float(row.expected_retries) for row in rows]
    axes.bar(positions, firsts, width=0.85, color=FIRST_COLOUR, label="first attempts", zorder=2)
    axes.bar(positions, retries, width=0.85, bottom=firsts, color=RETRY_COLOUR, zorder=2,
             label=f"expected retries (answer rate {_decimal(result.answer_rate)})")

    end = origin + len(rows) * bucket
    shaded = False
    for start_us, end_us in closed_periods(result, origin, end):
        axes.axvspan(position(start_us), position(end_us), color=CLOSED_COLOUR, alpha=0.25,
                     linewidth=0, zorder=0, label=None if shaded else "delivery window closed")
        shaded = True
    # A deadline shortly after the last bucket is worth widening the picture for; one far
    # beyond it would squash the bars, and the title names it anyway.
    right = max(len(rows), 1) - 0.4
    drawn: set[int] = set()
    for deadline in result.deadlines_us:
        if deadline is None or deadline in drawn or not origin <= deadline <= 2 * end - origin:
            continue
        right = max(right, position(deadline) + 0.6)
        axes.axvline(position(deadline), color=DEADLINE_COLOUR, linewidth=2, linestyle="--",
                     zorder=3, label="deadline" if not drawn else None)
        drawn.add(deadline)

    step = max(1, -(-len(rows) // 12))
    ticks = positions[::step]
    axes.set_xticks(ticks)
    axes.set_xticklabels(_tick_labels([rows[i].start_us for i in ticks], result.offset_at),
                         fontsize=9)
    axes.set_xlim(-0.6, right)
    peak = max((f + r for f, r in zip(firsts, retries, strict=True)), default=0.0)
    axes.set_ylim(0, max(peak, 1.0) * 1.25)  # headroom for the legend
    axes.set_xlabel(f"bucket start ({result.offset_label})")
    axes.set_ylabel(f"calls per {describe_duration(bucket)}")
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    axes.legend(loc="upper left", fontsize=9, ncols=3)
    # Centred on the figure, not on the axes (which the y label pushes right), so that a line
    # wrapped to the figure's width stays inside it.
    figure.suptitle(wrap_title(title_of(result), width_inches), fontsize=TITLE_POINTS)
    return figure
