"""Zoned windows (ivrsched.rules.zoned) on fixed cases, each compared with an independent
computation: a brute-force walk of the wall clock (zoneinfo) minute by minute around each local
day, or a value worked out by hand at the ends of years 1 and 9999.

The rule (docs/windows.md): on an allowed local date D the window is one contiguous stretch of
real time, from the first instant whose wall clock reaches D+from to the last instant before
which it still reads earlier than D+to; where the previous allowed day's stretch runs into it (a
fold across midnight), it starts where that one ends. The reference below takes, for each day,
the first and last UTC minute whose wall reading is on D and inside ``[from, to)`` (the changes
used here fall on whole minutes, so a minute walk is exact), then merges; every answer of the
schedule and its calendar (intervals, open periods, open time between instants, the next
opening, advancing by open time, running totals and the day holding a total) must equal it, to
the microsecond at each edge.

The cases are deterministic and cheap (about a second together), so that they also judge the
mutants of ``ivrsched.rules.zoned`` (pyproject.toml's ``[tool.ivrsched.mutation_tests]``); the
random properties of tests/test_windows_properties.py explore further in the normal suite.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import cache

import pytest

from ivrsched.errors import PlanRangeError
from ivrsched.request.model import DeliveryTimeWindow, TimeOfDay, Weekday
from ivrsched.rules.instants import MAX_US, MIN_US, US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, to_us
from ivrsched.rules.windows import WindowCalendar
from ivrsched.rules.zoned import ZonedDays
from tests.window_references import Span, advance_by_walk, stretch_by_minutes

UTC = timezone.utc
EPOCH = date(1970, 1, 1)
SECOND = 10**6


def us(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    return to_us(datetime(year, month, day, hour, minute, tzinfo=UTC))


def day_number(d: date) -> int:
    return (d - EPOCH).days


@cache
def stretch(zone: str, day: int, start_min: int, end_min: int) -> Span | None:
    """The brute-force stretch of local day ``day`` (days since 1970-01-01)."""
    return stretch_by_minutes(zone, EPOCH + timedelta(days=day), start_min, end_min)


def reference_interval(zone: str, weekdays: tuple[int, ...], start_min: int, end_min: int,
                       day: int) -> Span | None:
    """The day's interval by the rule: its stretch, starting no earlier than the previous
    allowed day's stretch ends."""
    if (day + 3) % 7 not in weekdays:
        return None
    own = stretch(zone, day, start_min, end_min)
    if own is None:
        return None
    previous = next(day - k for k in range(1, 8) if (day - k + 3) % 7 in weekdays)
    before = stretch(zone, previous, start_min, end_min)
    start = max(own[0], before[1]) if before is not None else own[0]
    return (start, own[1]) if start < own[1] else None


def merged(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for a, b in spans:
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def open_in(spans: list[Span], a: int, b: int) -> int:
    return sum(max(0, min(y, b) - max(x, a)) for x, y in spans)


def next_open_in(spans: list[Span], t: int) -> int | None:
    for x, y in spans:
        if y > t:
            return max(x, t)
    return None


# (zone, allowed weekdays (Monday = 0), from and to in minutes, local days checked, why).
CASES: list[tuple[str, tuple[int, ...], int, int, date, int, str]] = [
    # London falls back at 01:00Z on Sunday 2021-10-31 (01:00-01:59 twice) and springs forward
    # at 01:00Z on Sunday 2021-03-28 (01:00-01:59 never).
    ("Europe/London", (6,), 30, 90, date(2021, 10, 24), 15, "london-fall-0030-0130"),
    ("Europe/London", (6,), 60, 120, date(2021, 10, 24), 15, "london-fall-0100-0200"),
    ("Europe/London", (6,), 0, 60, date(2021, 10, 24), 15, "london-fall-0000-0100"),
    ("Europe/London", (6,), 90, 150, date(2021, 10, 24), 15, "london-fall-0130-0230"),
    ("Europe/London", (6,), 30, 90, date(2021, 3, 21), 15, "london-spring-0030-0130"),
    ("Europe/London", (6,), 75, 180, date(2021, 3, 21), 15, "london-spring-0115-0300"),
    ("Europe/London", (6,), 60, 120, date(2021, 3, 21), 15, "london-spring-0100-0200"),
    ("Europe/London", (5, 6, 0), 0, 1440, date(2021, 3, 25), 10, "london-spring-whole-days"),
    ("Europe/London", (5, 6, 0), 0, 1440, date(2021, 10, 28), 10, "london-fall-whole-days"),
    # New York: 02:00-02:59 skipped at 07:00Z on 2021-03-14, 01:00-01:59 doubled at 06:00Z on
    # 2021-11-07.
    ("America/New_York", (6,), 90, 150, date(2021, 3, 7), 15, "ny-spring-0130-0230"),
    ("America/New_York", (6,), 130, 170, date(2021, 3, 7), 15, "ny-spring-inside-jump"),
    ("America/New_York", (6,), 120, 180, date(2021, 3, 7), 15, "ny-spring-0200-0300"),
    ("America/New_York", (6,), 60, 120, date(2021, 10, 31), 15, "ny-fall-0100-0200"),
    ("America/New_York", (6,), 90, 95, date(2021, 10, 31), 15, "ny-fall-0130-0135"),
    ("America/New_York", (0, 1, 2, 3, 4, 5, 6), 1380, 1440, date(2021, 11, 5), 5,
     "ny-fall-every-late-hour"),
    # Lord Howe changes by 30 minutes: 01:30-01:59 doubled at 15:00Z on 2021-04-03, 02:00-02:29
    # skipped at 15:30Z on 2021-10-02.
    ("Australia/Lord_Howe", (6,), 60, 120, date(2021, 3, 28), 15, "lordhowe-fall-0100-0200"),
    ("Australia/Lord_Howe", (6,), 105, 135, date(2021, 3, 28), 15, "lordhowe-fall-0145-0215"),
    ("Australia/Lord_Howe", (6,), 90, 135, date(2021, 9, 26), 15, "lordhowe-spring-0130-0215"),
    ("Australia/Lord_Howe", (6,), 120, 150, date(2021, 9, 26), 15, "lordhowe-spring-0200-0230"),
    # Apia skipped Friday 2011-12-30 (Thursday 24:00 -10 was Saturday 00:00 +14).
    ("Pacific/Apia", (3, 4, 5), 0, 1440, date(2011, 12, 27), 7, "apia-whole-days"),
    ("Pacific/Apia", (4,), 540, 1020, date(2011, 12, 20), 21, "apia-fridays"),
    ("Pacific/Apia", (3, 5), 1320, 1440, date(2011, 12, 27), 7, "apia-late-evenings"),
    # Offsets not whole hours: Kathmandu went from +05:30 to +05:45 at local midnight on
    # 1986-01-01 (00:00-00:14 skipped); Chatham (+13:45 -> +12:45) doubled 02:45-03:44 on
    # 2021-04-04; Kolkata is +05:30 throughout.
    ("Asia/Kathmandu", (2,), 0, 30, date(1985, 12, 25), 15, "kathmandu-0000-0030"),
    ("Asia/Kathmandu", (1, 2), 0, 1440, date(1985, 12, 30), 4, "kathmandu-whole-days"),
    ("Pacific/Chatham", (6,), 150, 210, date(2021, 3, 28), 15, "chatham-fall-0230-0330"),
    ("Asia/Kolkata", (0, 4), 540, 1050, date(2021, 3, 1), 14, "kolkata-weekdays"),
    # Santiago changes at local midnight: Saturday 23:00-23:59 doubled on 2021-04-03/04,
    # Sunday 00:00-00:59 skipped on 2021-09-05.
    ("America/Santiago", (5, 6), 0, 1440, date(2021, 4, 1), 7, "santiago-fall-whole-days"),
    ("America/Santiago", (5,), 1380, 1440, date(2021, 3, 27), 15, "santiago-fall-2300-2400"),
    ("America/Santiago", (6,), 0, 60, date(2021, 3, 28), 15, "santiago-fall-0000-0100"),
    ("America/Santiago", (5, 6), 1380, 1440, date(2021, 4, 1), 7, "santiago-fall-late-sat-sun"),
    ("America/Santiago", (6,), 0, 90, date(2021, 8, 29), 15, "santiago-spring-0000-0130"),
    ("America/Santiago", (5, 6), 0, 1440, date(2021, 9, 2), 7, "santiago-spring-whole-days"),
]


def spans_of(case: tuple[str, tuple[int, ...], int, int, date, int, str]) -> tuple[
        list[Span], int, int]:
    """The reference open stretches of the days walked and 3 days around (a local day can
    start or end a UTC day away), and the UTC days walked, ``[lo, hi)``."""
    zone, weekdays, start_min, end_min, first, count, _ = case
    d0 = day_number(first)
    intervals = [reference_interval(zone, weekdays, start_min, end_min, d)
                 for d in range(d0 - 3, d0 + count + 3)]
    return merged([i for i in intervals if i is not None]), d0 * US_PER_DAY, \
        (d0 + count) * US_PER_DAY


def schedule(case: tuple[str, tuple[int, ...], int, int, date, int, str]) -> ZonedDays:
    zone, weekdays, start_min, end_min, *_ = case
    return ZonedDays(weekdays, start_min * US_PER_MINUTE, end_min * US_PER_MINUTE, zone)


def calendar(case: tuple[str, tuple[int, ...], int, int, date, int, str]) -> WindowCalendar:
    """The calendar over the case's schedule (its window object only names it)."""
    zone, weekdays, *_ = case
    window = DeliveryTimeWindow(tuple(Weekday(w) for w in weekdays), None, None, zone)
    return WindowCalendar(window, schedule(case))


IDS = [case[-1] for case in CASES]


def test_the_reference_sees_the_changes_the_cases_are_about() -> None:
    # The brute force itself, on the published changes: London's doubled hour gives a two-hour
    # stretch, Apia's skipped Friday none, Kathmandu's skipped quarter starts at the jump
    # (1985-12-31 18:30Z), Lord Howe's doubled half hour 90 minutes.
    assert stretch("Europe/London", day_number(date(2021, 10, 31)), 30, 90) == (
        us(2021, 10, 30, 23, 30), us(2021, 10, 31, 1, 30))
    assert stretch("Pacific/Apia", day_number(date(2011, 12, 30)), 0, 1440) is None
    assert stretch("Asia/Kathmandu", day_number(date(1986, 1, 1)), 0, 30) == (
        us(1985, 12, 31, 18, 30), us(1985, 12, 31, 18, 45))
    assert stretch("Australia/Lord_Howe", day_number(date(2021, 4, 4)), 60, 120) == (
        us(2021, 4, 3, 14), us(2021, 4, 3, 15, 30))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_each_days_interval_is_the_wall_clock_stretch(
        case: tuple[str, tuple[int, ...], int, int, date, int, str]) -> None:
    zone, weekdays, start_min, end_min, first, count, _ = case
    days = schedule(case)
    d0 = day_number(first)
    for d in range(d0, d0 + count):
        assert days.interval(d) == reference_interval(zone, weekdays, start_min, end_min, d), d


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_calendar_answers_as_the_stretches_say(
        case: tuple[str, tuple[int, ...], int, int, date, int, str]) -> None:
    spans, lo, hi = spans_of(case)
    cal = calendar(case)
    clipped = [(max(a, lo), min(b, hi)) for a, b in spans]
    assert list(cal.open_periods(lo, hi)) == [(a, b) for a, b in clipped if a < b]
    probes = sorted({lo, hi, *(t + e for span in spans for t in span for e in (-1, 0, 1)
                               if lo <= t + e <= hi)})
    for t in probes:
        assert cal.is_open(t) == any(x <= t < y for x, y in spans), t
        expected = next_open_in(spans, t)
        if expected is not None:
            assert cal.next_open(t) == expected, t
    for i, a in enumerate(probes):
        for b in probes[i::11]:
            assert cal.open_between(a, b) == open_in(spans, a, b), (a, b)
    total = open_in(spans, lo, hi)
    for t in probes[::5]:
        for k in (1, US_PER_MINUTE, 30 * US_PER_MINUTE, total // 2, total - 1):
            expected = advance_by_walk(spans, t, k)
            if k > 0 and expected is not None and expected < hi - 8 * US_PER_DAY:
                assert cal.advance(t, k) == expected, (t, k)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_running_totals_and_the_day_of_a_total(
        case: tuple[str, tuple[int, ...], int, int, date, int, str]) -> None:
    zone, weekdays, start_min, end_min, first, count, _ = case
    d0 = day_number(first)
    lengths = {}
    for d in range(d0 - 8, d0 + count + 8):
        span = reference_interval(zone, weekdays, start_min, end_min, d)
        lengths[d] = 0 if span is None else span[1] - span[0]
    # Totals count from the Monday of the first week asked about: a Monday in the middle.
    monday = 7 * ((d0 + 3) // 7) - 3 + 7
    days = schedule(case)
    assert days.cum(monday) == 0
    cum = {d: (sum(lengths[e] for e in range(monday, d)) if d >= monday
               else -sum(lengths[e] for e in range(d, monday))) for d in lengths}
    for d in range(d0 - 7, d0 + count + 7):
        assert days.cum(d) == cum[d], d
    open_days = [d for d in range(d0 - 7, d0 + count + 1) if lengths[d]]
    for d in open_days:
        for total in (cum[d] + 1, cum[d] + lengths[d]):
            assert days.day_for_open(total) == (d, cum[d]), (d, total)


def test_totals_are_found_backwards_from_a_later_anchor() -> None:
    # Sundays 00:30-01:30 London, anchored in December 2021: the Sundays of October and March
    # before it (their totals negative) hold 2 h (31 Oct), 1 h and 30 min (28 Mar).
    days = ZonedDays((6,), 30 * US_PER_MINUTE, 90 * US_PER_MINUTE, "Europe/London")
    anchor = day_number(date(2021, 12, 6))  # a Monday
    assert days.cum(anchor) == 0
    oct_31, mar_28 = day_number(date(2021, 10, 31)), day_number(date(2021, 3, 28))
    # Sundays from 31 Oct to 5 Dec: 31 Oct (2 h) and 5 more of 1 h.
    assert days.cum(oct_31) == -7 * US_PER_HOUR
    assert days.day_for_open(-5 * US_PER_HOUR) == (oct_31, -7 * US_PER_HOUR)
    assert days.day_for_open(-5 * US_PER_HOUR + 1) == (oct_31 + 7, -5 * US_PER_HOUR)
    # 28 Mar's half hour (30 weeks of 1 h and 31 Oct's 2 h between it and 31 Oct's 2 h).
    weeks = (oct_31 - mar_28) // 7  # Sundays 28 Mar .. 24 Oct: 31 of them
    before_mar = -7 * US_PER_HOUR - (weeks - 1) * US_PER_HOUR - 30 * US_PER_MINUTE
    assert days.cum(mar_28) == before_mar
    assert days.day_for_open(before_mar + 1) == (mar_28, before_mar)
    assert days.day_for_open(before_mar + 30 * US_PER_MINUTE) == (mar_28, before_mar)
    after_mar = before_mar + 30 * US_PER_MINUTE
    assert days.day_for_open(after_mar + 1) == (mar_28 + 7, after_mar)
    assert days.day_for_open(before_mar) == (mar_28 - 7, before_mar - US_PER_HOUR)


# -- the ends of years 1 and 9999, by hand -----------------------------------------------------

FIRST_DAY = day_number(date(1, 1, 1))
LAST_DAY = day_number(date(9999, 12, 31))
#: Tokyo's local mean time is +09:18:59, New York's -04:56:02 (before their standard times).
TOKYO_LMT = (9 * 3600 + 18 * 60 + 59) * SECOND
NEW_YORK_LMT = (4 * 3600 + 56 * 60 + 2) * SECOND


def test_year_1_in_a_zone_ahead_of_utc_starts_at_the_first_instant() -> None:
    # 0001-01-01 (a Monday) began in Tokyo before the first representable instant: its whole
    # day's window starts at MIN_US and ends at local midnight, 14:41:01Z.
    assert date(1, 1, 1).weekday() == 0
    whole = ZonedDays((0,), 0, US_PER_DAY, "Asia/Tokyo")
    assert whole.interval(FIRST_DAY) == (MIN_US, MIN_US + US_PER_DAY - TOKYO_LMT)
    # 10:00-11:00 Tokyo is 00:41:01Z-01:41:01Z.
    morning = ZonedDays((0,), 10 * US_PER_HOUR, 11 * US_PER_HOUR, "Asia/Tokyo")
    assert morning.interval(FIRST_DAY) == (MIN_US + 10 * US_PER_HOUR - TOKYO_LMT,
                                           MIN_US + 11 * US_PER_HOUR - TOKYO_LMT)
    # 02:00-03:00 Tokyo on that day lies wholly before year 1 in UTC: it ends before the
    # range, nothing is left.
    early = ZonedDays((0,), 2 * US_PER_HOUR, 3 * US_PER_HOUR, "Asia/Tokyo")
    assert early.interval(FIRST_DAY) is None
    # The Sunday before (day FIRST_DAY - 1, year 0) has no window at all.
    sunday = ZonedDays((6,), 0, US_PER_DAY, "Asia/Tokyo")
    assert sunday.interval(FIRST_DAY - 1) is None
    # And the calendar: open from the first instant, then closed at 14:41:01Z.
    cal = WindowCalendar.from_window(DeliveryTimeWindow((Weekday.MONDAY,), None, None,
                                                         "Asia/Tokyo"))
    assert cal.next_open(MIN_US) == MIN_US
    end = MIN_US + US_PER_DAY - TOKYO_LMT
    assert cal.is_open(end - 1) and not cal.is_open(end)
    assert cal.open_between(MIN_US, end + US_PER_HOUR) == end - MIN_US
    assert cal.advance(MIN_US, end - MIN_US) == MIN_US + 7 * US_PER_DAY - TOKYO_LMT


def test_year_1_in_a_zone_behind_utc_starts_at_local_midnight() -> None:
    # New York's 0001-01-01 began at 04:56:02Z; 23:00-24:00 there is 0001-01-02T03:56:02Z to
    # 04:56:02Z.
    late = ZonedDays((0,), 23 * US_PER_HOUR, US_PER_DAY, "America/New_York")
    assert late.interval(FIRST_DAY) == (MIN_US + 23 * US_PER_HOUR + NEW_YORK_LMT,
                                        MIN_US + US_PER_DAY + NEW_YORK_LMT)
    # The Sunday before began in year 0: nothing (the local date does not exist).
    sunday = ZonedDays((6,), 23 * US_PER_HOUR, US_PER_DAY, "America/New_York")
    assert sunday.interval(FIRST_DAY - 1) is None


def test_year_9999_in_a_zone_behind_utc_ends_after_the_last_instant() -> None:
    # 9999-12-31 is a Friday; New York (-05:00) opens it at 05:00Z and the day runs past the
    # last instant: its window ends just after it.
    assert date(9999, 12, 31).weekday() == 4
    whole = ZonedDays((4,), 0, US_PER_DAY, "America/New_York")
    assert whole.interval(LAST_DAY) == (us(9999, 12, 31, 5), MAX_US + 1)
    # 18:00-24:00 there: 23:00Z on, to past the range.
    evening = ZonedDays((4,), 18 * US_PER_HOUR, US_PER_DAY, "America/New_York")
    assert evening.interval(LAST_DAY) == (us(9999, 12, 31, 23), MAX_US + 1)
    # 12:00-13:00: 17:00Z-18:00Z, inside the year.
    noon = ZonedDays((4,), 12 * US_PER_HOUR, 13 * US_PER_HOUR, "America/New_York")
    assert noon.interval(LAST_DAY) == (us(9999, 12, 31, 17), us(9999, 12, 31, 18))
    # 19:00-20:00 (00:00Z-01:00Z in year 10000) and later: past the range, nothing.
    night = ZonedDays((4,), 19 * US_PER_HOUR, 20 * US_PER_HOUR, "America/New_York")
    assert night.interval(LAST_DAY) is None
    cal = WindowCalendar.from_window(DeliveryTimeWindow((Weekday.FRIDAY,), None, None,
                                                         "America/New_York"))
    assert cal.is_open(MAX_US)
    assert cal.next_open(us(9999, 12, 30)) == us(9999, 12, 31, 5)
    assert cal.open_between(us(9999, 12, 30), MAX_US + 1) == MAX_US + 1 - us(9999, 12, 31, 5)
    assert cal.advance(us(9999, 12, 31, 5), MAX_US - us(9999, 12, 31, 5)) == MAX_US
    with pytest.raises(PlanRangeError):
        cal.advance(us(9999, 12, 31, 5), MAX_US + 1 - us(9999, 12, 31, 5))


def test_year_9999_in_a_zone_ahead_of_utc_ends_inside_the_range() -> None:
    # Kiritimati (+14:00): Friday 9999-12-31 runs from 12-30T10:00Z to 12-31T10:00Z.
    whole = ZonedDays((4,), 0, US_PER_DAY, "Pacific/Kiritimati")
    assert whole.interval(LAST_DAY) == (us(9999, 12, 30, 10), us(9999, 12, 31, 10))
    cal = WindowCalendar.from_window(DeliveryTimeWindow((Weekday.FRIDAY,), None, None,
                                                         "Pacific/Kiritimati"))
    assert cal.is_open(us(9999, 12, 31, 10) - 1)
    # After it nothing opens again within the range.
    with pytest.raises(PlanRangeError, match="after year 9999"):
        cal.next_open(us(9999, 12, 31, 10))
    assert cal.open_between(us(9999, 12, 31, 10), MAX_US + 1) == 0
    # Saturday 10000-01-01 in Kiritimati would begin at 9999-12-31T10:00Z: no such date.
    saturday = ZonedDays((5,), 0, US_PER_DAY, "Pacific/Kiritimati")
    assert saturday.interval(LAST_DAY + 1) is None


def test_the_search_for_an_opening_stops_just_past_year_9999() -> None:
    # Days up to 9999-12-31 + 6 can be asked (a local day starts at most a day before its UTC
    # one, and the calendar looks 3 days around); one further is a search past the range.
    whole = ZonedDays((0, 1, 2, 3, 4, 5, 6), 0, US_PER_DAY, "Europe/London")
    assert whole.interval(LAST_DAY + 6) is None
    with pytest.raises(PlanRangeError, match="after year 9999"):
        whole.interval(LAST_DAY + 7)


def test_week_totals_reach_the_weeks_at_both_ends_of_the_range() -> None:
    # The week holding 9999-12-31 (Monday 12-27 to Sunday 10000-01-02) can be totalled (its
    # Friday, whole, in London's UTC+00 winter); the one after it is outside.
    fridays = ZonedDays((4,), 0, US_PER_DAY, "Europe/London")
    last_monday = day_number(date(9999, 12, 27))
    assert fridays.cum(last_monday) == 0
    assert fridays.cum(last_monday + 7) == US_PER_DAY
    with pytest.raises(PlanRangeError):
        fridays.cum(last_monday + 14)
    # At the start: the week before 0001-01-01 (a Monday) holds nothing and can be totalled,
    # and the one before it too; the third before is outside.
    mondays = ZonedDays((0,), 0, US_PER_DAY, "Europe/London")
    assert mondays.cum(FIRST_DAY + 7) == 0
    assert mondays.cum(FIRST_DAY) == -US_PER_DAY
    assert mondays.cum(FIRST_DAY - 14) == -US_PER_DAY
    with pytest.raises(PlanRangeError, match=r"outside years 1\.\.9999"):
        mondays.cum(FIRST_DAY - 15)


def test_totals_far_apart_give_the_same_answers() -> None:
    # A calendar asked in 2021, then in 2030, then in 2021 again answers as fresh ones: Sundays
    # 00:30-01:30 London, 90 minutes of open time from Saturday 2021-10-30 00:00Z end at
    # Sunday 01:30Z (the doubled hour); from Saturday 2030-06-01 they end on 2030-06-09 at
    # 00:00Z (01:00 BST), 30 minutes into that Sunday.
    def fresh() -> WindowCalendar:
        return WindowCalendar.from_window(DeliveryTimeWindow(
            (Weekday.SUNDAY,), TimeOfDay(0, 30), TimeOfDay(1, 30), "Europe/London"))

    ninety = 90 * US_PER_MINUTE
    used = fresh()
    for _ in range(2):
        assert used.advance(us(2021, 10, 30), ninety) == us(2021, 10, 31, 1)
        assert used.advance(us(2030, 6, 1), ninety) == us(2030, 6, 9, 0)
        assert used.advance(us(2021, 10, 30), 2 * US_PER_HOUR) == us(2021, 11, 7, 0, 30)
        assert used.open_between(us(2021, 10, 30), us(2030, 6, 10)) == \
            fresh().open_between(us(2021, 10, 30), us(2030, 6, 10))
    # The Sundays from 2021-10-31 to 2030-06-09, by hand: every one 1 h, the fall-back ones
    # 2 h, the spring-forward ones 30 min.
    sundays = (date(2030, 6, 9) - date(2021, 10, 31)).days // 7 + 1
    falls = 9  # the last Sundays of October 2021..2029
    springs = 9  # the last Sundays of March 2022..2030
    assert fresh().open_between(us(2021, 10, 30), us(2030, 6, 10)) == (
        sundays * US_PER_HOUR + falls * US_PER_HOUR - springs * 30 * US_PER_MINUTE)


# -- totals across a week without open time ---------------------------------------------------

def ny_skipped_sundays() -> WindowCalendar:
    # Sundays 02:10-02:50 in New York: 40 minutes a week, none in the week of 2021-03-14 (the
    # clock jumps from 02:00 to 03:00 that Sunday). Sunday 2021-03-07 02:10 EST is 07:10Z;
    # Sunday 2021-03-21 02:10 EDT is 06:10Z.
    return WindowCalendar.from_window(DeliveryTimeWindow(
        (Weekday.SUNDAY,), TimeOfDay(2, 10), TimeOfDay(2, 50), "America/New_York"))


def test_a_total_reached_at_the_anchor_skips_an_empty_week_before_it() -> None:
    # Totals anchored at the week of Monday 2021-03-15 (just after the empty week): the total 0
    # is reached on the last open day before it, Sunday 03-07, two weeks back, 40 min before.
    days = ZonedDays((6,), 130 * US_PER_MINUTE, 170 * US_PER_MINUTE, "America/New_York")
    march_15 = day_number(date(2021, 3, 15))
    assert days.cum(march_15) == 0
    assert days.day_for_open(0) == (march_15 - 8, -40 * US_PER_MINUTE)
    # Through the calendar: anchored there by a first question, then 40 minutes of open time
    # from Sunday 03-07 00:00Z end at 07:50Z, a closing: the next opening is 03-21 06:10Z.
    cal = ny_skipped_sundays()
    assert cal.advance(us(2021, 3, 16), 1) == us(2021, 3, 21, 6, 10) + 1
    assert cal.advance(us(2021, 3, 7), 40 * US_PER_MINUTE) == us(2021, 3, 21, 6, 10)
    assert cal.advance(us(2021, 3, 7), 40 * US_PER_MINUTE - 1) == us(2021, 3, 7, 7, 50) - 1


def test_a_total_at_a_week_boundary_before_the_anchor_skips_an_empty_week() -> None:
    # Anchored at Monday 2021-03-22: the week of 03-21 holds 40 minutes, that of 03-14 none,
    # that of 03-07 40 more. The total -40 min (reached at the end of 03-07's window) lies on
    # Sunday 03-07, whose day begins at -80 min.
    days = ZonedDays((6,), 130 * US_PER_MINUTE, 170 * US_PER_MINUTE, "America/New_York")
    march_22 = day_number(date(2021, 3, 22))
    assert days.cum(march_22) == 0
    assert days.day_for_open(-40 * US_PER_MINUTE) == (march_22 - 15, -80 * US_PER_MINUTE)
    assert days.day_for_open(-40 * US_PER_MINUTE + 1) == (march_22 - 1, -40 * US_PER_MINUTE)
    cal = ny_skipped_sundays()
    assert cal.advance(us(2021, 3, 23), 1) == us(2021, 3, 28, 6, 10) + 1
    assert cal.advance(us(2021, 3, 7), 40 * US_PER_MINUTE) == us(2021, 3, 21, 6, 10)
    assert cal.open_between(us(2021, 3, 7), us(2021, 3, 22)) == 80 * US_PER_MINUTE
