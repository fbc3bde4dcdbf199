"""Delivery time windows (SPEC S6): the calendar of a message with a ``deliveryTimeWindow``.

The open set of a window is a sequence of half-open intervals, one per allowed *local day*:
``[from, to)`` of that day (the whole day when from/to are absent). Open time is the measure of
that set; pacing (S3) is laid on open time, so the paced clock stops while the window is closed.

Everything is integer microseconds. Days are numbered as in :mod:`ivrsched.rules.instants`: day
``d`` is
the local date ``1970-01-01 + d days`` (day 0 was a Thursday).

Two day schedules provide the intervals:

- :class:`UtcDays` for a UTC window (and fixed-offset zones): the week repeats, so everything is
  closed-form arithmetic, O(1) per call.
- :class:`ivrsched.rules.zoned.ZonedDays` for an IANA zone with DST: each local day is converted
with
  zoneinfo, and week totals are cached, so a call costs O(log w) plus a walk of at most a few days
  (w: weeks between the first instant asked about and the instant asked about now).

On top of a day schedule, :class:`WindowCalendar` implements the
:class:`~ivrsched.rules.open_time.Calendar` protocol. The three answers agree exactly: for every x
>= 0
and t, ``advance(s, x) < t`` iff ``x < open_between(s, t)`` (or x == 0 and next_open(s) < t), and
``advance`` always returns an open instant (open time reached exactly at a closing moves to the
next opening, because the window is half-open).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from ivrsched.request.model import DeliveryTimeWindow, TimeOfDay, Weekday
from ivrsched.rules import open_time
from ivrsched.rules.instants import US_PER_DAY, US_PER_MINUTE, check_range
from ivrsched.rules.open_time import Calendar

#: Days are numbered from 1970-01-01, a Thursday: weekday(d) = (d + 3) % 7 with Monday = 0.
_THURSDAY_SHIFT = 3

#: Zone names that are UTC under another name (handled by the O(1) UTC schedule).
_UTC_NAMES = frozenset({"UTC", "UCT", "GMT", "Zulu", "Universal", "Greenwich", "GMT0", "GMT+0",
                        "GMT-0"})


def weekday_of_day(day: int) -> int:
    """Weekday (Monday = 0) of day number ``day``."""
    return (day + _THURSDAY_SHIFT) % 7


class DaySchedule(Protocol):
    """The open intervals of a window, one per local day, and running totals of open time.

    Intervals are half-open, non-empty, pairwise disjoint and increasing with the day.
    """

    @property
    def slack(self) -> int:
        """Every interval of a day more than ``slack`` days before the UTC day of an instant t
        ends at or before t; every interval of a day more than ``slack`` days after it starts
        after t."""
        ...

    def interval(self, day: int) -> tuple[int, int] | None:
        """The open interval of local day ``day``, or None when that day has none."""
        ...

    def cum(self, day: int) -> int:
        """Open time of the intervals of all days before ``day``, from a fixed (hidden) origin."""
        ...

    def day_for_open(self, total: int) -> tuple[int, int]:
        """The day ``d`` with ``cum(d) < total <= cum(d) + length of its interval``, and
        ``cum(d)``."""
        ...

    def rebase(self, day: int) -> None:
        """A hint given before each calendar operation (never inside one): totals may from now
        on count from an origin near ``day``. Totals are only ever compared within one
        operation, so a schedule with cached totals may move its origin here."""
        ...


@dataclass(frozen=True)
class UtcDays:
    """A window in a fixed UTC offset (UTC itself: ``shift_us`` 0): the week repeats exactly.

    ``weekdays``: allowed weekdays, ascending (Monday = 0); ``start_us``/``end_us``: the window
    inside the local day, ``0 <= start_us < end_us <= US_PER_DAY``; ``shift_us``: the zone's
    offset (local time = UTC + shift).
    """

    weekdays: tuple[int, ...]
    start_us: int
    end_us: int
    shift_us: int = 0

    def __post_init__(self) -> None:
        if not self.weekdays or list(self.weekdays) != sorted(set(self.weekdays)):
            raise ValueError("weekdays must be non-empty, ascending and distinct")
        if not 0 <= self.start_us < self.end_us <= US_PER_DAY:
            raise ValueError("the window must lie inside the day")

    @property
    def slack(self) -> int:
        # A fixed offset below one day moves a local day by at most one UTC day.
        return 1 if self.shift_us == 0 else 2

    @property
    def length_us(self) -> int:
        """Open time of one allowed day."""
        return self.end_us - self.start_us

    def interval(self, day: int) -> tuple[int, int] | None:
        """``[from, to)`` of local day ``day`` in UTC µs, or None on a day not allowed."""
        if weekday_of_day(day) not in self.weekdays:
            return None
        midnight = day * US_PER_DAY - self.shift_us
        return midnight + self.start_us, midnight + self.end_us

    def cum(self, day: int) -> int:
        """Open time of the allowed days before ``day``, in O(1)."""
        # Origin: the Monday that starts week 0 (day -3, 1969-12-29). Whole weeks by division,
        # then the allowed weekdays of the partial week.
        weeks, weekday = divmod(day + _THURSDAY_SHIFT, 7)
        allowed = weeks * len(self.weekdays) + sum(1 for w in self.weekdays if w < weekday)
        return allowed * self.length_us

    def day_for_open(self, total: int) -> tuple[int, int]:
        """The allowed day in which the open-time total reaches ``total``, in O(1)."""
        # Allowed day number k (counted from the origin) holds open time (k·L, (k+1)·L].
        k = (total - 1) // self.length_us
        weeks, j = divmod(k, len(self.weekdays))
        day = 7 * weeks - _THURSDAY_SHIFT + self.weekdays[j]
        return day, k * self.length_us

    def rebase(self, day: int) -> None:
        """Nothing to do: totals are closed-form."""


def _window_bounds(window: DeliveryTimeWindow) -> tuple[int, int]:
    """The window inside the day as µs after local midnight; whole days without from/to."""
    if window.start is None or window.end is None:
        return 0, US_PER_DAY
    return window.start.minutes * US_PER_MINUTE, window.end.minutes * US_PER_MINUTE


def _fixed_shift_us(name: str | None) -> int | None:
    """The offset of a zone that never changes it (UTC and the ``Etc/`` zones), else None."""
    if name is None or name in _UTC_NAMES:
        return 0
    if name.startswith("Etc/"):
        offset = ZoneInfo(name).utcoffset(datetime(2000, 1, 1))
        assert offset is not None
        return offset // timedelta(microseconds=1)
    return None


def day_schedule(window: DeliveryTimeWindow) -> DaySchedule:
    """The day schedule of ``window``: O(1) arithmetic for UTC and fixed offsets, zoneinfo for
    an IANA zone with DST."""
    weekdays = tuple(sorted({d.value for d in window.days}))
    start_us, end_us = _window_bounds(window)
    shift = _fixed_shift_us(window.time_zone)
    if shift is not None:
        return UtcDays(weekdays, start_us, end_us, shift)
    from ivrsched.rules.zoned import ZonedDays

    assert window.time_zone is not None
    return ZonedDays(weekdays, start_us, end_us, window.time_zone)


# -- the calendar ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WindowCalendar:
    """The :class:`~ivrsched.rules.open_time.Calendar` of a delivery time window (S6).

    Attempts are allowed at t iff ``next_open(t) == t`` (see :meth:`is_open`). Every method
    raises :class:`ivrsched.errors.PlanRangeError` for an instant (given or computed) outside
    years 1..9999 (S12).
    """

    window: DeliveryTimeWindow
    days: DaySchedule = field(compare=False, repr=False)

    @classmethod
    def from_window(cls, window: DeliveryTimeWindow) -> WindowCalendar:
        """The calendar of a parsed ``deliveryTimeWindow``."""
        return cls(window, day_schedule(window))

    def _open_before(self, at_us: int) -> int:
        """Open time before ``at_us``, from the schedule's current origin (differences only,
        within one operation)."""
        days = self.days
        utc_day = at_us // US_PER_DAY
        first = utc_day - days.slack
        total = days.cum(first)
        for day in range(first, utc_day + days.slack + 1):
            interval = days.interval(day)
            if interval is not None and interval[0] < at_us:
                total += min(interval[1], at_us) - interval[0]
        return total

    def next_open(self, at_us: int) -> int:
        """``at_us`` when the window is open then, else the next opening."""
        check_range(at_us)
        days = self.days
        day = at_us // US_PER_DAY - days.slack
        while True:
            interval = days.interval(day)
            # Intervals increase with the day: the first one ending after at_us decides.
            if interval is not None and interval[1] > at_us:
                return at_us if interval[0] <= at_us else check_range(interval[0])
            day += 1

    def advance(self, start_us: int, open_us: int) -> int:
        """The earliest open instant at which ``open_us`` of open time has elapsed since
        ``start_us``."""
        if open_us < 0:
            raise ValueError("open time cannot be negative")
        if open_us == 0:
            return self.next_open(start_us)
        check_range(start_us)
        self.days.rebase(start_us // US_PER_DAY)
        target = self._open_before(start_us) + open_us
        day, before = self.days.day_for_open(target)
        interval = self.days.interval(day)
        assert interval is not None
        # The first instant at which the target is reached; it is the interval's end (a closing
        # instant) when the target is reached exactly there, hence the final next_open.
        return self.next_open(check_range(interval[0] + (target - before)))

    def open_between(self, start_us: int, end_us: int) -> int:
        """Open time in ``[start_us, end_us)``; 0 when ``end_us <= start_us``."""
        check_range(start_us)
        if end_us <= start_us:
            return 0
        # The range is half-open: its last instant, not its end, must be representable (S12),
        # so that "open time up to the end of year 9999" can be asked.
        check_range(end_us - 1)
        self.days.rebase(start_us // US_PER_DAY)
        return self._open_before(end_us) - self._open_before(start_us)

    def is_open(self, at_us: int) -> bool:
        """Whether attempts are allowed at ``at_us`` (the S11/S6 membership test)."""
        return self.next_open(at_us) == at_us

    def open_periods(self, start_us: int, end_us: int) -> Iterator[tuple[int, int]]:
        """The maximal open periods ``[a, b)`` clipped to ``[start_us, end_us)``, in order
        (adjacent day intervals, e.g. consecutive whole days, are merged)."""
        if end_us <= start_us:
            return
        check_range(start_us)
        check_range(end_us - 1)  # half-open, as in open_between
        days = self.days
        day = start_us // US_PER_DAY - days.slack
        last_day = end_us // US_PER_DAY + days.slack
        pending: tuple[int, int] | None = None
        while day <= last_day:
            interval = days.interval(day)
            day += 1
            if interval is None:
                continue
            a, b = max(interval[0], start_us), min(interval[1], end_us)
            if a >= b:
                continue
            if pending is not None and pending[1] == a:
                pending = (pending[0], b)
                continue
            if pending is not None:
                yield pending
            pending = (a, b)
        if pending is not None:
            yield pending

    def closed_periods(self, start_us: int, end_us: int) -> Iterator[tuple[int, int]]:
        """The closed periods ``[a, b)`` within ``[start_us, end_us)``, in order: the gaps
        between :meth:`open_periods`."""
        at = start_us
        for a, b in self.open_periods(start_us, end_us):
            if a > at:
                yield at, a
            at = b
        if at < end_us:
            yield at, end_us

    def describe(self) -> str:
        """The window in words, e.g. ``Mon–Fri 09:00–17:00 UTC``."""
        return describe_window(self.window)


def closed_periods(calendar: Calendar, start_us: int, end_us: int) -> Iterator[tuple[int, int]]:
    """The closed periods ``[a, b)`` of ``calendar`` within ``[start_us, end_us)``, in order
    (for plots and reports). Works for any :class:`~ivrsched.rules.open_time.Calendar`."""
    return open_time.closed_periods(calendar, start_us, end_us)


#: The search any calendar can be asked with (kept under its old name for callers).
_closed_periods_by_search = open_time.closed_periods_by_search


# -- words ----------------------------------------------------------------------------------

_DAY_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def describe_days(days: tuple[Weekday, ...]) -> str:
    """Allowed days in words: runs of three or more as ``Mon–Fri``, ``every day`` for all."""
    values = sorted({d.value for d in days})
    if len(values) == 7:
        return "every day"
    runs: list[list[int]] = []
    for value in values:
        if runs and runs[-1][-1] == value - 1:
            runs[-1].append(value)
        else:
            runs.append([value])
    words: list[str] = []
    for run in runs:
        if len(run) >= 3:
            words.append(f"{_DAY_ABBREVIATIONS[run[0]]}–{_DAY_ABBREVIATIONS[run[-1]]}")
        else:
            words.extend(_DAY_ABBREVIATIONS[v] for v in run)
    return ", ".join(words)


def _hhmm(time: TimeOfDay) -> str:
    return f"{time.hour:02d}:{time.minute:02d}"


def describe_window(window: DeliveryTimeWindow) -> str:
    """A window in words, e.g. ``Mon–Fri 09:00–17:00 UTC`` or ``Sat, Sun all day Europe/Zagreb``."""
    hours = ("all day" if window.start is None or window.end is None
             else f"{_hhmm(window.start)}–{_hhmm(window.end)}")
    return f"{describe_days(window.days)} {hours} {window.time_zone or 'UTC'}"


def window_record(window: DeliveryTimeWindow) -> dict[str, object]:
    """A window as JSON (the request's own spelling, ``timeZone`` always present)."""
    record: dict[str, object] = {"days": [d.name for d in sorted(window.days, key=lambda d:
                                                                    d.value)]}
    if window.start is not None and window.end is not None:
        record["from"] = {"hour": window.start.hour, "minute": window.start.minute}
        record["to"] = {"hour": window.end.hour, "minute": window.end.minute}
    record["timeZone"] = window.time_zone or "UTC"
    return record


__all__ = [
    "DaySchedule",
    "UtcDays",
    "WindowCalendar",
    "closed_periods",
    "day_schedule",
    "describe_days",
    "describe_window",
    "weekday_of_day",
    "window_record",
]
