"""Simulation output formats: the attempt log (``jsonl``, ``csv``, ``table``) and the summary line.

The ``jsonl`` log rows carry the names ``ivrsched verify`` reads back (see
:meth:`~ivrsched.simulation.engine.AttemptEvent.record`); ``csv`` has the same columns, an
absent value as an empty cell; ``table`` is for people. Rows are written one at a time, as the
simulation yields them.
"""

from __future__ import annotations

import csv
import json
from typing import IO

from ivrsched.rules.instants import format_us
from ivrsched.simulation.engine import AttemptEvent, SimulationSummary

LOG_FORMATS = ("jsonl", "csv", "table")
LOG_FIELDS = ("message", "index", "to", "messageId", "attempt", "time", "end", "outcome")


class AttemptLog:
    """The attempt log in one of :data:`LOG_FORMATS`, written row by row to ``out`` (a header
    first for ``csv`` and ``table``)."""

    def __init__(self, fmt: str, out: IO[str]) -> None:
        if fmt not in LOG_FORMATS:
            raise ValueError(f"unknown log format {fmt!r}; use one of {LOG_FORMATS}")
        self.fmt = fmt
        self.out = out
        self.csv = csv.writer(out, lineterminator="\n") if fmt == "csv" else None
        if self.csv is not None:
            self.csv.writerow(LOG_FIELDS)
        elif fmt == "table":
            out.write(f"{'time':<32}  {'end':<32}  {'#':>1}  {'outcome':<9}  "
                      f"{'msg':>3} {'index':>6}  {'to':<16} messageId\n")

    def write(self, event: AttemptEvent) -> None:
        """Write one attempt."""
        row = event.record()
        if self.csv is not None:
            self.csv.writerow(["" if row[k] is None else row[k] for k in LOG_FIELDS])
        elif self.fmt == "jsonl":
            self.out.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            self.out.write(f"{row['time']!s:<32}  {row['end']!s:<32}  {event.attempt:>1}  "
                           f"{row['outcome']!s:<9}  {event.message:>3} {event.index:>6}  "
                           f"{event.to or '-':<16} {event.message_id}\n")


def summary_line(summary: SimulationSummary) -> str:
    """The simulation's summary in one line: final statuses, attempts, peak concurrency."""
    peak = "no call in progress at any time"
    if summary.peak_at_us is not None:
        peak = (f"peak {_count(summary.peak, 'call')} in progress at "
                f"{format_us(summary.peak_at_us, summary.peak_offset_minutes)}")
    return (f"{_count(summary.destinations, 'destination')}: {summary.delivered} delivered, "
            f"{summary.expired} expired, {summary.undeliverable} undeliverable, "
            f"{summary.rejected} rejected; {_count(summary.attempts, 'attempt')}; {peak}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


__all__ = ["LOG_FIELDS", "LOG_FORMATS", "AttemptLog", "summary_line"]
