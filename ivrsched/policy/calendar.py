"""The calendar of one destination under a calling policy (SPEC S15).

A destination may be called at an instant t iff, in *every* one of its zones, t is inside the
policy's hours on that zone's local date and that date is not closed (a closed date or a public
holiday), and the message's own calendar (its delivery window, S6) is open at t.
:class:`PolicyCalendar` implements the :class:`~ivrsched.rules.open_time.Calendar` protocol over
exact integer µs for that set; the hours in each zone are S6's day schedules
(:func:`ivrsched.rules.windows.day_schedule`, DST-correct through
:class:`ivrsched.rules.zoned.ZonedDays`), so a zone's hours at DST changes follow the same
interpretations as a zoned delivery window (docs/windows.md).

Intersection works on *open stretches*: each part answers "the first stretch [a, b) that is open
throughout and ends after t"; the intersection is open at max(t, every a) when that is before
every b, and otherwise the search moves on to that instant. A calendar with no opening within
the search horizon of an instant (400 days plus one per closed date) is treated as never opening
from there (an empty intersection, e.g. hours that never overlap across two zones, would
otherwise be searched until year 9999).

Cost: answers for an instant inside the last open stretch found are O(1) (slots of one message
ask about increasing instants); a new stretch costs a walk over a few days per zone, with each
zone's day intervals cached. Destinations share calendars through :class:`CalendarBook`, keyed
by their set of zones: millions of numbers use a few hundred calendars.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Protocol

from ivrsched.errors import PlanRangeError
from ivrsched.policy.closures import Closures
from ivrsched.policy.document import CallingPolicy, HoursPeriod
from ivrsched.request.model import DeliveryTimeWindow
from ivrsched.rules.instants import MAX_US, US_PER_DAY
from ivrsched.rules.open_time import AlwaysOpen, Calendar
from ivrsched.rules.windows import DaySchedule, WindowCalendar, day_schedule

_EPOCH_DATE = date(1970, 1, 1)
#: The search horizon without closed dates, in days.
HORIZON_DAYS = 400
#: How far a found stretch is followed into adjacent days before it is cut (it may go on).
_EXTEND_DAYS = 7
_CACHE_LIMIT = 1 << 16
_Interval = tuple[int, int]


def date_of_day(day: int) -> date:
    """The local date of day number ``day`` (days since 1970-01-01)."""
    return _EPOCH_DATE + timedelta(days=day)


class DayParts(Protocol):
    """Open intervals per local day, sorted and disjoint within a day."""

    @property
    def slack(self) -> int:
        """As :attr:`ivrsched.rules.windows.DaySchedule.slack`."""
        ...

    def intervals(self, day: int) -> tuple[_Interval, ...]:
        """The open intervals of local day ``day``."""
        ...


class ZoneHours:
    """The policy's hours in one zone, without its closed local dates."""

    def __init__(self, zone: str, periods: Sequence[HoursPeriod], closures: Closures) -> None:
        self.zone = zone
        self._schedules: tuple[DaySchedule, ...] = tuple(
            day_schedule(DeliveryTimeWindow(period.days, period.start, period.end, zone))
            for period in periods)
        self.slack = max(s.slack for s in self._schedules)
        self._closures = closures
        self._cache: dict[int, tuple[_Interval, ...]] = {}

    def intervals(self, day: int) -> tuple[_Interval, ...]:
        found = self._cache.get(day)
        if found is not None:
            return found
        if not self._closures.empty and self._closures.reason(date_of_day(day)) is not None:
            result: tuple[_Interval, ...] = ()
        else:
            result = _union([i for s in self._schedules if (i := s.interval(day)) is not None])
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[day] = result
        return result

    def local_date(self, at_us: int) -> date:
        """The local date in this zone at ``at_us``."""
        from datetime import datetime, timezone
        from zoneinfo import ZoneInfo

        instant = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=at_us)
        return instant.astimezone(ZoneInfo(self.zone)).date()

    def in_hours(self, at_us: int) -> bool:
        """Whether ``at_us`` is inside the hours (closed dates aside)."""
        day = at_us // US_PER_DAY
        return any(a <= at_us < b for d in range(day - self.slack, day + self.slack + 1)
                   for s in self._schedules if (i := s.interval(d)) is not None
                   for a, b in (i,))

    def closed_reason(self, at_us: int) -> str | None:
        """Why the local date at ``at_us`` is closed in this zone, or None."""
        return self._closures.reason(self.local_date(at_us))


class WindowDays:
    """A message's delivery window (S6) as day intervals."""

    def __init__(self, schedule: DaySchedule) -> None:
        self._schedule = schedule
        self.slack = schedule.slack

    def intervals(self, day: int) -> tuple[_Interval, ...]:
        interval = self._schedule.interval(day)
        return () if interval is None else (interval,)


def _union(intervals: list[_Interval]) -> tuple[_Interval, ...]:
    if len(intervals) <= 1:
        return tuple(intervals)
    intervals.sort()
    merged = [intervals[0]]
    for a, b in intervals[1:]:
        last_a, last_b = merged[-1]
        if a <= last_b:
            merged[-1] = (last_a, max(last_b, b))
        else:
            merged.append((a, b))
    return tuple(merged)


def _stretch(part: DayParts, at_us: int, limit_us: int) -> _Interval | None:
    """The first stretch [a, b) of ``part`` open throughout with b > ``at_us`` (a may be
    earlier), or None when none starts before ``limit_us``."""
    day = at_us // US_PER_DAY - part.slack
    last_day = limit_us // US_PER_DAY + part.slack
    start = end = 0
    found_day: int | None = None
    try:
        while day <= last_day:
            for a, b in part.intervals(day):
                if found_day is None:
                    if b > at_us:
                        start, end, found_day = a, b, day
                elif a <= end:
                    end = max(end, b)
                else:
                    return (start, end) if start < limit_us else None
            if found_day is not None and day >= found_day + _EXTEND_DAYS:
                break
            day += 1
    except (PlanRangeError, OverflowError, ValueError):
        pass  # the search ran past year 9999: what was found so far stands
    if found_day is None or start >= limit_us:
        return None
    return start, end


class PolicyCalendar:
    """The intersection of day parts (each zone's hours, the message window) as a
    :class:`~ivrsched.rules.open_time.Calendar`. ``zones`` names the zones, for reports."""

    def __init__(self, zones: tuple[str, ...], parts: Sequence[DayParts],
                 horizon_days: int = HORIZON_DAYS) -> None:
        self.zones = zones
        self._parts = tuple(parts)
        self._horizon_us = horizon_days * US_PER_DAY
        # The last answer: [asked, opens) closed, [opens, closes) open.
        self._asked = self._opens = self._closes = 0

    def __repr__(self) -> str:
        return f"PolicyCalendar(zones={self.zones!r})"

    def open_stretch(self, at_us: int) -> _Interval | None:
        """The first stretch [a, b) open throughout with a >= ``at_us`` minimal (a ==
        ``at_us`` when open then), or None when nothing opens within the horizon."""
        if self._asked <= at_us < self._closes:
            return max(at_us, self._opens), self._closes
        limit = min(at_us + self._horizon_us, MAX_US + 1)
        x = at_us
        while x < limit:
            lo, hi = x, MAX_US + 1
            for part in self._parts:
                found = _stretch(part, x, limit)
                if found is None:
                    return None
                lo, hi = max(lo, found[0]), min(hi, found[1])
            if lo < hi:
                if lo >= limit:
                    return None
                self._asked, self._opens, self._closes = at_us, lo, hi
                return lo, hi
            x = lo
        return None

    def is_open(self, at_us: int) -> bool:
        """Whether a call is allowed at ``at_us``."""
        found = self.open_stretch(at_us)
        return found is not None and found[0] == at_us

    def next_opening(self, at_us: int) -> int | None:
        """``next_open`` that answers None instead of raising when nothing opens."""
        found = self.open_stretch(at_us)
        return None if found is None else found[0]

    # -- the Calendar protocol ----------------------------------------------------------------
    def next_open(self, at_us: int) -> int:
        found = self.open_stretch(at_us)
        if found is None:
            raise PlanRangeError("the destination's calendar has no opening within "
                                 f"{self._horizon_us // US_PER_DAY} days")
        return found[0]

    def advance(self, start_us: int, open_us: int) -> int:
        if open_us < 0:
            raise ValueError("open time cannot be negative")
        x, remaining = start_us, open_us
        while True:
            a, b = self.open_stretch(x) or self._none(x)
            if remaining < b - a:
                return a + remaining
            remaining -= b - a
            x = b
            if remaining == 0:
                return self.next_open(x)

    def open_between(self, start_us: int, end_us: int) -> int:
        total, x = 0, start_us
        while x < end_us:
            found = self.open_stretch(x)
            if found is None or found[0] >= end_us:
                break
            total += min(found[1], end_us) - found[0]
            x = found[1]
        return total

    def _none(self, at_us: int) -> _Interval:
        self.next_open(at_us)  # raises
        raise AssertionError  # pragma: no cover


class CalendarBook:
    """Every destination calendar of one policy, built once per set of zones and message
    calendar, and each zone's hours built once."""

    def __init__(self, policy: CallingPolicy) -> None:
        self.policy = policy
        self.closures = Closures.of(policy)
        self._zones: dict[str, ZoneHours] = {}
        self._calendars: dict[tuple[tuple[str, ...], int], PolicyCalendar] = {}
        self._windows: dict[int, tuple[DayParts, ...] | None] = {}
        self.horizon_days = HORIZON_DAYS + len(policy.closed_dates)

    def zone_hours(self, zone: str) -> ZoneHours:
        """The hours of ``zone`` under the policy."""
        hours = self._zones.get(zone)
        if hours is None:
            hours = self._zones[zone] = ZoneHours(zone, self.policy.periods, self.closures)
        return hours

    def calendar(self, zones: tuple[str, ...], message: int,
                 message_calendar: Calendar) -> PolicyCalendar:
        """The calendar of a destination of message ``message`` (whose own calendar is
        ``message_calendar``) called by ``zones``."""
        key = (zones, message)
        found = self._calendars.get(key)
        if found is None:
            parts: list[DayParts] = []
            if self.policy.is_local:
                parts.extend(self.zone_hours(z) for z in zones)
            parts.extend(_message_parts(message_calendar))
            found = self._calendars[key] = PolicyCalendar(zones, parts, self.horizon_days)
        return found

    @property
    def size(self) -> int:
        """How many distinct calendars were built."""
        return len(self._calendars)


def _message_parts(calendar: Calendar) -> list[DayParts]:
    if isinstance(calendar, AlwaysOpen):
        return []
    if isinstance(calendar, WindowCalendar):
        return [WindowDays(calendar.days)]
    return [CalendarParts(calendar)]


class CalendarParts:
    """Any other :class:`~ivrsched.rules.open_time.Calendar` as day parts, found with its own
    questions (the open runs within each UTC day, by binary search)."""

    slack = 0

    def __init__(self, calendar: Calendar) -> None:
        self._calendar = calendar
        self._cache: dict[int, tuple[_Interval, ...]] = {}

    def intervals(self, day: int) -> tuple[_Interval, ...]:
        found = self._cache.get(day)
        if found is not None:
            return found
        start, end = day * US_PER_DAY, (day + 1) * US_PER_DAY
        runs: list[_Interval] = []
        at = start
        while at < end:
            opens = self._calendar.next_open(at)
            if opens >= end:
                break
            lo, hi = opens, end  # [opens, lo] open; the run ends by hi
            if self._calendar.open_between(opens, hi) != hi - opens:
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    if self._calendar.open_between(opens, mid) == mid - opens:
                        lo = mid
                    else:
                        hi = mid
                hi = lo
            runs.append((opens, hi))
            at = hi
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[day] = result = tuple(runs)
        return result


__all__ = ["HORIZON_DAYS", "CalendarBook", "CalendarParts", "DayParts", "PolicyCalendar",
           "WindowDays", "ZoneHours", "date_of_day"]
