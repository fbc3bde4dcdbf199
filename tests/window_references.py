"""Brute-force references for delivery windows, shared by the window tests.

They compute what the rules say by walking, minute by minute or interval by interval, instead
of by the closed forms of ``ivrsched.rules``: slow, obviously right, and independent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from ivrsched.rules.instants import US_PER_MINUTE, to_us

Span = tuple[int, int]


def stretch_by_minutes(zone: str, day: date, start_min: int, end_min: int) -> Span | None:
    """The brute-force window of local date ``day``: from the first to just after the last UTC
    minute whose wall time in ``zone`` is on ``day`` and inside ``[start_min, end_min)``
    (minutes of the day). None when no minute is."""
    tz = ZoneInfo(zone)
    # Every UTC minute that can read as ``day`` anywhere: offsets stay within ±26 hours.
    first = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) - timedelta(days=2)
    inside: list[int] = []
    for k in range(4 * 24 * 60):
        moment = first + timedelta(minutes=k)
        wall = moment.astimezone(tz)
        if wall.date() == day and start_min <= wall.hour * 60 + wall.minute < end_min:
            inside.append(to_us(moment))
    return (inside[0], inside[-1] + US_PER_MINUTE) if inside else None


def advance_by_walk(spans: Sequence[Span], start: int, open_us: int) -> int | None:
    """The earliest instant with ``open_us`` (≥ 0) of open time of ``spans`` (sorted, disjoint)
    since ``start``, found by walking them; None past the last span."""
    left = open_us
    for a, b in spans:
        if b <= start:
            continue
        a = max(a, start)
        if left < b - a:
            return a + left
        left -= b - a
    return None
