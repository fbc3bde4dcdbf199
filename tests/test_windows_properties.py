"""Delivery time windows (S6) against a brute-force reference that walks minute by minute.

The reference knows nothing of the implementation: it reads the local wall clock of every
minute with zoneinfo, marks a minute open when it lies between the first minute whose wall time
reaches a day's ``from`` and the last minute whose wall time is still before its ``to`` (the
definition in docs/windows.md), and then accumulates open time minute by minute. Window bounds
and every DST transition used here fall on whole minutes, so a minute walk is exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from ivrsched.request.model import DeliveryTimeWindow, TimeOfDay, Weekday
from ivrsched.rules.instants import US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND
from ivrsched.rules.pacing import Pace
from ivrsched.rules.timeline import Timeline
from ivrsched.rules.windows import UtcDays, WindowCalendar, closed_periods
from ivrsched.rules.zoned import ZonedDays

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class Reference:
    """Open flags of the minutes ``first_minute + k`` (minutes since the epoch)."""

    first_minute: int
    flags: Sequence[bool]

    @property
    def end_us(self) -> int:
        return (self.first_minute + len(self.flags)) * US_PER_MINUTE

    def is_open_minute(self, minute: int) -> bool:
        return self.flags[minute - self.first_minute]

    def next_open(self, at_us: int) -> int | None:
        minute = at_us // US_PER_MINUTE
        if self.is_open_minute(minute):
            return at_us
        for later in range(minute + 1, self.first_minute + len(self.flags)):
            if self.is_open_minute(later):
                return later * US_PER_MINUTE
        return None

    def open_between(self, a: int, b: int) -> int:
        total = 0
        for minute in range(a // US_PER_MINUTE, -(-b // US_PER_MINUTE)):
            if self.is_open_minute(minute):
                lo, hi = max(a, minute * US_PER_MINUTE), min(b, (minute + 1) * US_PER_MINUTE)
                total += max(0, hi - lo)
        return total

    def advance_all(self, start: int, targets: Sequence[int]) -> list[int | None]:
        """For each open-time target (ascending), the earliest open instant u >= start with
        that much open time in [start, u); None beyond the walked minutes. One walk for all."""
        results: list[int | None] = []
        pending = iter(targets)
        target = next(pending, None)
        elapsed = 0
        minute = start // US_PER_MINUTE
        while target is not None and minute < self.first_minute + len(self.flags):
            if not self.is_open_minute(minute):
                minute += 1
                continue
            lo = max(start, minute * US_PER_MINUTE)
            hi = (minute + 1) * US_PER_MINUTE
            if target - elapsed < hi - lo:  # reached inside this open minute
                results.append(lo + max(0, target - elapsed))
                target = next(pending, None)
                continue
            elapsed += hi - lo
            minute += 1
        return results + [None] * (len(targets) - len(results))

    def closed_periods(self, a: int, b: int) -> list[tuple[int, int]]:
        periods: list[tuple[int, int]] = []
        for minute in range(a // US_PER_MINUTE, -(-b // US_PER_MINUTE)):
            if self.is_open_minute(minute):
                continue
            lo, hi = max(a, minute * US_PER_MINUTE), min(b, (minute + 1) * US_PER_MINUTE)
            if periods and periods[-1][1] == lo:
                periods[-1] = (periods[-1][0], hi)
            else:
                periods.append((lo, hi))
        return periods


def reference(days: frozenset[int], from_minute: int, to_minute: int, zone: ZoneInfo,
              first_minute: int, minutes: int) -> Reference:
    """Open flags by the definition: for each allowed local date D, open from the first minute
    whose wall time is >= D+from up to (and including) the last minute whose wall time is
    < D+to. The walk extends a day beyond each end so that edge days are complete."""
    margin = MINUTES_PER_DAY
    base = first_minute - margin
    walls = [(EPOCH + timedelta(minutes=base + k)).astimezone(zone).replace(tzinfo=None)
             for k in range(minutes + 2 * margin)]
    flags = [False] * len(walls)
    for local_date in sorted({w.date() for w in walls}):
        if local_date.weekday() not in days:
            continue
        opening = datetime.combine(local_date, time()) + timedelta(minutes=from_minute)
        closing = datetime.combine(local_date, time()) + timedelta(minutes=to_minute)
        # Only minutes within a day of the date can belong to it (offsets are below a day).
        utc_midnight = (datetime.combine(local_date, time(), timezone.utc) - EPOCH) \
            // timedelta(minutes=1)
        lo = max(0, utc_midnight - MINUTES_PER_DAY - base)
        hi = min(len(walls), utc_midnight + 2 * MINUTES_PER_DAY - base)
        if lo >= hi:
            continue
        first = next((k for k in range(lo, hi) if walls[k] >= opening), None)
        last = next((k for k in range(hi - 1, lo - 1, -1) if walls[k] < closing), None)
        if first is None or last is None:
            continue
        for k in range(first, last + 1):
            flags[k] = True
    return Reference(first_minute, flags[margin:margin + minutes])


def make_window(days: frozenset[int], bounds: tuple[int, int] | None,
                zone: str | None) -> DeliveryTimeWindow:
    weekdays = tuple(Weekday(d) for d in sorted(days))
    if bounds is None:
        return DeliveryTimeWindow(weekdays, None, None, zone)
    lo, hi = bounds
    return DeliveryTimeWindow(weekdays, TimeOfDay(*divmod(lo, 60)), TimeOfDay(*divmod(hi, 60)),
                              zone)


@st.composite
def windows(draw: st.DrawFn) -> tuple[frozenset[int], tuple[int, int] | None]:
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    if draw(st.booleans()) and draw(st.booleans()):
        return days, None  # whole days, a quarter of the time
    lo = draw(st.integers(0, MINUTES_PER_DAY - 1 - 60))
    hi = draw(st.integers(lo + 60, MINUTES_PER_DAY - 1))
    return days, (lo, hi)


UNITS = (US_PER_SECOND, US_PER_MINUTE, US_PER_HOUR, US_PER_DAY)


def check(window: DeliveryTimeWindow, ref: Reference, start: int, pace: Pace, n: int,
          probes: list[int]) -> None:
    cal = WindowCalendar.from_window(window)
    # Index -> time: every paced first attempt the reference can resolve.
    expected = ref.advance_all(start, [pace.offset(i) for i in range(n)])
    for i, want in enumerate(expected):
        if want is not None:
            assert cal.advance(start, pace.offset(i)) == want, i
    # Time -> count, next opening, open time, through the Timeline too.
    timeline = Timeline(start_us=start, pace=pace, calendar=cal)
    for t in probes:
        want_open = ref.next_open(t)
        if want_open is not None:
            assert cal.next_open(t) == want_open
        assert cal.open_between(start, t) == (ref.open_between(start, t) if t > start else 0)
        happened = sum(1 for a in expected if a is not None and a < t)
        assert timeline.first_attempts_before(t, n) == happened
    assert list(closed_periods(cal, start, ref.end_us)) == ref.closed_periods(start, ref.end_us)


@given(window=windows(),
       start_minute=st.integers(0, 14 * MINUTES_PER_DAY),
       start_fraction=st.one_of(st.just(0), st.integers(0, US_PER_MINUTE - 1)),
       speed=st.integers(1, 40), unit=st.sampled_from(UNITS[1:]), n=st.integers(1, 40),
       # The reference walks 9 days past the start's minute; a probe adds the start's and its
       # own fractions (together up to 2 minutes less 2 µs), so it stays 2 minutes inside.
       probe_minutes=st.lists(st.integers(-MINUTES_PER_DAY, 9 * MINUTES_PER_DAY - 2),
                              max_size=8),
       probe_fraction=st.integers(0, US_PER_MINUTE - 1), at_opening=st.booleans())
def test_utc_window_matches_the_minute_walk(window: tuple[frozenset[int], tuple[int, int] | None],
                                            start_minute: int, start_fraction: int, speed: int,
                                            unit: int, n: int, probe_minutes: list[int],
                                            probe_fraction: int, at_opening: bool) -> None:
    days, bounds = window
    origin = (datetime(2030, 1, 1, tzinfo=timezone.utc) - EPOCH) // timedelta(minutes=1)
    from_minute, to_minute = bounds if bounds is not None else (0, MINUTES_PER_DAY)
    first = origin + start_minute - MINUTES_PER_DAY
    ref = reference(days, from_minute, to_minute, ZoneInfo("UTC"), first,
                    10 * MINUTES_PER_DAY)
    start = (origin + start_minute) * US_PER_MINUTE + start_fraction
    probes = [start + m * US_PER_MINUTE + probe_fraction for m in probe_minutes]
    if at_opening:
        # Starting at an opening makes pacing offsets meet closings exactly far more often.
        opening = ref.next_open(start - start_fraction)
        assert opening is not None  # 10 days always hold an opening
        start = opening
    check(make_window(days, bounds, None), ref, start, Pace(speed, unit), n, probes)


#: Zones, dates around which their clocks change (every change on a whole minute), and the
#: local minute of the day where the change happens (windows are drawn near it half the time).
DST_CASES = [
    ("Europe/Zagreb", date(2030, 3, 31), 120),  # 02:00 -> 03:00
    ("Europe/Zagreb", date(2030, 10, 27), 120),  # 03:00 -> 02:00
    ("America/New_York", date(2030, 3, 10), 120),
    ("America/New_York", date(2030, 11, 3), 60),
    ("Australia/Lord_Howe", date(2030, 4, 7), 90),  # 02:00 -> 01:30, a 30-minute change
    ("Australia/Lord_Howe", date(2030, 10, 6), 120),
    ("America/Havana", date(2030, 3, 10), 0),  # 00:00 -> 01:00: a skipped midnight
    ("America/Havana", date(2030, 11, 3), 0),  # 01:00 -> 00:00: a doubled midnight hour
    ("America/Santiago", date(2030, 4, 7), 1380),  # Saturday 24:00 -> 23:00
    ("America/Santiago", date(2030, 9, 8), 0),
    ("Pacific/Apia", date(2011, 12, 30), 0),  # the day that did not happen
    ("Asia/Kolkata", date(2030, 6, 1), 0),  # no DST at all
]


@st.composite
def zoned_cases(draw: st.DrawFn) -> tuple[str, date, frozenset[int], tuple[int, int] | None]:
    zone, change_date, hint = draw(st.sampled_from(DST_CASES))
    days, bounds = draw(windows())
    if bounds is not None and draw(st.booleans()):
        near = hint + draw(st.integers(-30, 90))
        if draw(st.booleans()):  # `from` near the change
            lo = min(max(near, 0), MINUTES_PER_DAY - 1 - 60)
            bounds = (lo, draw(st.integers(lo + 60, MINUTES_PER_DAY - 1)))
        else:  # `to` near the change
            hi = min(max(near, 60), MINUTES_PER_DAY - 1)
            bounds = (draw(st.integers(0, hi - 60)), hi)
    return zone, change_date, days, bounds


@settings(max_examples=max(1, settings().max_examples * 3 // 5))
@given(case=zoned_cases(), start_minute=st.integers(-4 * MINUTES_PER_DAY, MINUTES_PER_DAY),
       speed=st.integers(1, 12), unit=st.sampled_from(UNITS[2:]), n=st.integers(1, 30),
       probe_minutes=st.lists(st.integers(0, 8 * MINUTES_PER_DAY - 1), max_size=6))
def test_zoned_window_matches_the_minute_walk(case: tuple[str, date, frozenset[int],
                                                          tuple[int, int] | None],
                                              start_minute: int, speed: int, unit: int, n: int,
                                              probe_minutes: list[int]) -> None:
    zone_name, change_date, days, bounds = case
    origin = (datetime.combine(change_date, time(), timezone.utc) - EPOCH) \
        // timedelta(minutes=1)
    from_minute, to_minute = bounds if bounds is not None else (0, MINUTES_PER_DAY)
    start = (origin + start_minute) * US_PER_MINUTE
    ref = reference(days, from_minute, to_minute, ZoneInfo(zone_name), origin + start_minute,
                    8 * MINUTES_PER_DAY)
    probes = [start + m * US_PER_MINUTE for m in probe_minutes]
    check(make_window(days, bounds, zone_name), ref, start, Pace(speed, unit), n, probes)


@given(window=windows(), start_minute=st.integers(0, 14 * MINUTES_PER_DAY),
       speed=st.integers(1, 60), n=st.integers(2, 200))
def test_rate_cap_holds_in_every_interval_of_one_unit(window: tuple[frozenset[int],
                                                                    tuple[int, int] | None],
                                                      start_minute: int, speed: int,
                                                      n: int) -> None:
    # S3 + S6: open time never runs faster than wall time, so at most `speed` first attempts
    # fall in any half-open hour, across closings too.
    days, bounds = window
    cal = WindowCalendar.from_window(make_window(days, bounds, None))
    start = ((datetime(2030, 1, 1, tzinfo=timezone.utc) - EPOCH) // timedelta(minutes=1)
             + start_minute) * US_PER_MINUTE
    pace = Pace(speed, US_PER_HOUR)
    firsts = [cal.advance(start, pace.offset(i)) for i in range(n)]
    assert firsts == sorted(firsts)
    for i, a in enumerate(firsts):
        assert cal.is_open(a)
        # The busiest interval starts at an attempt: count from there.
        assert sum(1 for t in firsts[i:] if t < a + US_PER_HOUR) <= speed


@given(window=windows(), zone_and_shift=st.sampled_from([("Etc/GMT-2", 120), ("Etc/GMT+11", -660),
                                                         ("Asia/Kolkata", 330)]),
       start=st.integers(0, 400 * US_PER_DAY), speed=st.integers(1, 50), n=st.integers(1, 400),
       probe=st.integers(-US_PER_DAY, 400 * US_PER_DAY))
def test_fixed_offset_arithmetic_agrees_with_the_zoneinfo_walk(
        window: tuple[frozenset[int], tuple[int, int] | None], zone_and_shift: tuple[str, int],
        start: int, speed: int, n: int, probe: int) -> None:
    # Kolkata has kept +05:30 since 1945: in 2030 the closed-form UTC schedule shifted by the
    # offset and the zoneinfo day walk must agree on every answer.
    days, bounds = window
    zone, shift_minutes = zone_and_shift
    base = (datetime(2030, 1, 1, tzinfo=timezone.utc) - EPOCH) // timedelta(microseconds=1)
    w = make_window(days, bounds, zone)
    lo, hi = bounds if bounds is not None else (0, MINUTES_PER_DAY)
    weekdays = tuple(sorted(days))
    fast = WindowCalendar(w, UtcDays(weekdays, lo * US_PER_MINUTE, hi * US_PER_MINUTE,
                                     shift_minutes * US_PER_MINUTE))
    walked = WindowCalendar(w, ZonedDays(weekdays, lo * US_PER_MINUTE, hi * US_PER_MINUTE, zone))
    pace = Pace(speed, US_PER_HOUR)
    s, t = base + start, base + probe
    assert fast.advance(s, pace.offset(n)) == walked.advance(s, pace.offset(n))
    assert fast.next_open(t) == walked.next_open(t)
    assert fast.open_between(s, t) == walked.open_between(s, t)
