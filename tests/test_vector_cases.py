"""The vector kernel (ivrsched.rules.vector) on fixed, small cases: each answer equals the
scalar engine's (``Timeline``, ``WindowCalendar``, ``ZonedDays``, ``PausedCalendar``, which
tests/test_windows_properties.py checks against a brute-force minute walk) or a value worked
out by hand in the test.

The cases are deterministic and cheap (well under a second together), so that they also judge
the kernel's mutants (pyproject.toml's ``[tool.ivrsched.mutation_tests]``); the random
properties of tests/test_vector_kernel.py explore further in the normal suite. They cover UTC
windows, fixed offsets whose window crosses midnight UTC, zones with DST (fall-back and
spring-forward, a half-hour change, a skipped day), openings and closings to the microsecond,
retries with and without a deadline, the ends of years 1 and 9999, and calendars the kernel
does not know (a paused one).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

import numpy as np
import pytest

from ivrsched.errors import PlanRangeError
from ivrsched.request.model import DeliveryTimeWindow, TimeOfDay, Weekday
from ivrsched.rules import vector
from ivrsched.rules.instants import MAX_US, MIN_US, US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, to_us
from ivrsched.rules.lifecycle import NEVER, PausedCalendar
from ivrsched.rules.open_time import ALWAYS_OPEN, Calendar
from ivrsched.rules.pacing import Pace
from ivrsched.rules.timeline import Timeline
from ivrsched.rules.windows import WindowCalendar

MON, TUE, WED, THU, FRI, SAT, SUN = (Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY,
                                     Weekday.THURSDAY, Weekday.FRIDAY, Weekday.SATURDAY,
                                     Weekday.SUNDAY)
SECOND = 10**6
#: The stand-in for "past year 9999" in next_open's answers: the first instant after it.
PAST_9999 = MAX_US + 1


def utc(*args: int) -> int:
    return to_us(datetime(*args, tzinfo=timezone.utc))  # type: ignore[arg-type, misc]


def window(days: Sequence[Weekday], start: tuple[int, int] | None, end: tuple[int, int] | None,
           zone: str | None) -> WindowCalendar:
    return WindowCalendar.from_window(DeliveryTimeWindow(
        tuple(days), None if start is None else TimeOfDay(*start),
        None if end is None else TimeOfDay(*end), zone))


# -- the scalar references -------------------------------------------------------------------

def scalar_first(timeline: Timeline, slots: Sequence[int]) -> list[int] | type[PlanRangeError]:
    """The scalar first attempts, or PlanRangeError when one raises or leaves years 1..9999
    (always open, the scalar path gives a bare integer; the planner checks its range)."""
    try:
        found = [timeline.first_attempt_us(s) for s in slots]
    except PlanRangeError:
        return PlanRangeError
    return found if all(MIN_US <= t <= MAX_US for t in found) else PlanRangeError


def vector_first(timeline: Timeline, slots: Sequence[int] | range
                 ) -> list[int] | type[PlanRangeError]:
    try:
        found: list[int] = vector.first_attempts(timeline, slots).tolist()
    except PlanRangeError:
        return PlanRangeError
    return found


def scalar_next_open(calendar: Calendar, times: Sequence[int]) -> list[int]:
    found = []
    for t in times:
        try:
            at = calendar.next_open(t)
        except PlanRangeError:
            at = PAST_9999
        found.append(at if at <= MAX_US else PAST_9999)
    return found


def scalar_columns(timeline: Timeline, slots: range) -> list[list[int]] | type[PlanRangeError]:
    try:
        attempts = [timeline.attempts_us(s) for s in slots]
    except PlanRangeError:
        return PlanRangeError
    if any(not MIN_US <= t <= MAX_US for a in attempts for t in a):
        return PlanRangeError
    width = 1 + len(timeline.gaps_us)
    return [[a[k] for a in attempts if len(a) > k] for k in range(width)]


def vector_columns(timeline: Timeline, slots: range) -> list[list[int]] | type[PlanRangeError]:
    try:
        return [c.tolist() for c in vector.attempt_columns(timeline, slots)]
    except PlanRangeError:
        return PlanRangeError


def boundaries(calendar: WindowCalendar, start: int, end: int) -> list[int]:
    """Every opening and closing of ``calendar`` in ``[start, end)``, from the scalar engine."""
    return [t for a, b in calendar.open_periods(start, end) for t in (a, b)]


def check_to_the_microsecond(calendar: WindowCalendar, start: int, days: int) -> None:
    """One slot per µs of open time: slot x asks for x µs of open time after ``start``, so the
    slots of the open time up to each opening and closing, and 1 µs either side, land on every
    boundary; and next_open at every boundary and 1 µs either side."""
    edges = boundaries(calendar, start, start + days * US_PER_DAY)
    assert edges
    timeline = Timeline(start, Pace(1, 1), calendar=calendar)
    slots = sorted({max(0, calendar.open_between(start, b) + d) for b in edges
                    for d in (-1, 0, 1)})
    assert vector_first(timeline, slots) == scalar_first(timeline, slots)
    assert vector_first(timeline, slots[::-1]) == scalar_first(timeline, slots[::-1])
    times = sorted({t + d for t in edges for d in (-1, 0, 1) if t + d >= start} | {start})
    assert vector.next_open(calendar, times).tolist() == scalar_next_open(calendar, times)
    assert vector.next_open(calendar, times[::-1]).tolist() == \
        scalar_next_open(calendar, times[::-1])


# -- calendars and starts --------------------------------------------------------------------

#: A Monday, 2030-01-07, 00:00 UTC.
MONDAY = utc(2030, 1, 7)

UTC_CALENDARS = {
    "utc-office": window((MON, TUE, WED, THU, FRI), (9, 0), (17, 0), None),
    "utc-two-days": window((MON, THU), (8, 0), (12, 30), "UTC"),
    "utc-whole-sunday": window((SUN,), None, None, None),
    "utc-one-minute": window((WED,), (23, 59), None, None),
    # +14:00 and -12:00: the window crosses midnight UTC, into the neighbouring week.
    "plus-14": window((MON, SUN), (1, 0), (20, 0), "Etc/GMT-14"),
    # Monday 00:00-01:00 at +14:00 is Sunday 10:00-11:00 UTC: after it, the next opening is
    # in the UTC week after next, counted from that Monday.
    "plus-14-monday": window((MON,), (0, 0), (1, 0), "Etc/GMT-14"),
    "minus-12": window((SAT, SUN), (13, 0), (23, 0), "Etc/GMT+12"),
}
ZONED_CALENDARS = {
    "berlin": window((MON, TUE, WED, THU, FRI, SAT, SUN), (1, 30), (3, 30), "Europe/Berlin"),
    "berlin-office": window((MON, TUE, WED, THU, FRI), (9, 0), (17, 0), "Europe/Berlin"),
    "new-york": window((SAT, SUN), (0, 30), (2, 30), "America/New_York"),
    "lord-howe": window((MON, TUE, WED, THU, FRI, SAT, SUN), (1, 0), (3, 0),
                        "Australia/Lord_Howe"),
    "apia": window((THU, FRI, SAT), (0, 0), (23, 0), "Pacific/Apia"),
}
#: Starts a few days before a change of offset: Berlin's spring-forward and fall-back of 2030,
#: New York's of 2030, Lord Howe's half-hour change (2030-04-07), Apia's skipped 30 Dec 2011.
ZONED_STARTS = {
    "berlin": (utc(2030, 3, 28, 5), utc(2030, 10, 24, 1, 45)),
    "berlin-office": (utc(2030, 3, 27, 12), utc(2030, 10, 23)),
    "new-york": (utc(2030, 3, 6), utc(2030, 10, 30, 4, 40)),
    "lord-howe": (utc(2030, 4, 3),),
    "apia": (utc(2011, 12, 27),),
}


@pytest.mark.parametrize("name", sorted(UTC_CALENDARS))
def test_utc_windows_to_the_microsecond(name: str) -> None:
    calendar = UTC_CALENDARS[name]
    for start in (MONDAY, MONDAY + 9 * US_PER_HOUR + 1, MONDAY + 3 * US_PER_DAY - 1):
        check_to_the_microsecond(calendar, start, 16)


@pytest.mark.parametrize("name", sorted(ZONED_CALENDARS))
def test_zoned_windows_across_changes_of_offset_to_the_microsecond(name: str) -> None:
    calendar = ZONED_CALENDARS[name]
    for start in ZONED_STARTS[name]:
        check_to_the_microsecond(calendar, start, 12)


def test_a_start_inside_an_open_zoned_interval_counts_from_the_start() -> None:
    # Berlin in winter is UTC+1: 09:00-17:00 local is 08:00-16:00 UTC. From Wednesday
    # 2030-01-09 10:00 UTC, 6 hours remain that day; one slot an hour: slots 0-5 that day,
    # slot 6 at Thursday's opening (08:00 UTC), slot 14 at Friday's.
    calendar = ZONED_CALENDARS["berlin-office"]
    start = utc(2030, 1, 9, 10)
    timeline = Timeline(start, Pace(1, US_PER_HOUR), calendar=calendar)
    expected = [start + i * US_PER_HOUR for i in range(6)] + \
        [utc(2030, 1, 10, 8) + i * US_PER_HOUR for i in range(8)] + [utc(2030, 1, 11, 8)]
    assert vector.first_attempts(timeline, range(15)).tolist() == expected
    assert vector.first_attempts(timeline, list(range(15))[::-1]).tolist() == expected[::-1]


def test_a_utc_window_by_hand() -> None:
    # Monday and Thursday 08:00-12:30 UTC, 4.5 hours a day; one slot every 90 minutes, from
    # Monday 2030-01-07 00:00: three slots a day, at 08:00, 09:30 and 11:00; the total reached
    # exactly at 12:30 is Thursday's opening.
    calendar = UTC_CALENDARS["utc-two-days"]
    timeline = Timeline(MONDAY, Pace(2, 3 * US_PER_HOUR), calendar=calendar)
    opens = [MONDAY, MONDAY + 3 * US_PER_DAY, MONDAY + 7 * US_PER_DAY, MONDAY + 10 * US_PER_DAY]
    expected = [o + h for o in opens for h in (8 * US_PER_HOUR, 19 * US_PER_HOUR // 2,
                                               11 * US_PER_HOUR)]
    assert vector.first_attempts(timeline, range(12)).tolist() == expected
    assert vector.first_attempts(timeline, np.arange(12)).tolist() == expected
    # next_open: open at 08:00 itself and at 12:29:59.999999, closed at 12:30.
    times = [MONDAY + 8 * US_PER_HOUR - 1, MONDAY + 8 * US_PER_HOUR,
             MONDAY + 12 * US_PER_HOUR + 30 * US_PER_MINUTE - 1,
             MONDAY + 12 * US_PER_HOUR + 30 * US_PER_MINUTE]
    assert vector.next_open(calendar, times).tolist() == [
        MONDAY + 8 * US_PER_HOUR, MONDAY + 8 * US_PER_HOUR, times[2],
        MONDAY + 3 * US_PER_DAY + 8 * US_PER_HOUR]


def test_a_berlin_night_window_by_hand_across_both_changes() -> None:
    # Every day 01:30-03:30 in Berlin. Spring forward on Sunday 2030-03-31: 02:00 CET becomes
    # 03:00 CEST, so that day's window is 00:30-01:00 UTC and 01:00-01:30 UTC, one hour long,
    # [00:30, 01:30) UTC. Fall back on Sunday 2030-10-27: 03:00 CEST becomes 02:00 CET, the
    # window runs from 01:30 CEST (23:30 UTC on the 26th) to 03:30 CET (02:30 UTC), 3 hours.
    calendar = ZONED_CALENDARS["berlin"]
    assert vector.next_open(calendar, [utc(2030, 3, 30, 23)]).tolist() == [utc(2030, 3, 31, 0, 30)]
    assert vector.next_open(calendar, [utc(2030, 3, 31, 1, 30)]).tolist() == \
        [utc(2030, 3, 31, 23, 30)]
    spring = Timeline(utc(2030, 3, 31), Pace(1, US_PER_HOUR), calendar=calendar)
    assert vector.first_attempts(spring, range(3)).tolist() == [
        utc(2030, 3, 31, 0, 30), utc(2030, 3, 31, 23, 30), utc(2030, 4, 1, 0, 30)]
    autumn = Timeline(utc(2030, 10, 26, 12), Pace(1, US_PER_HOUR), calendar=calendar)
    assert vector.first_attempts(autumn, range(5)).tolist() == [
        utc(2030, 10, 26, 23, 30), utc(2030, 10, 27, 0, 30), utc(2030, 10, 27, 1, 30),
        utc(2030, 10, 28, 0, 30), utc(2030, 10, 28, 1, 30)]
    assert vector.next_open(calendar, [utc(2030, 10, 27, 2, 30) - 1,
                                       utc(2030, 10, 27, 2, 30)]).tolist() == [
        utc(2030, 10, 27, 2, 30) - 1, utc(2030, 10, 28, 0, 30)]


def test_apia_skipped_friday_has_no_window() -> None:
    # Apia skipped Friday 2011-12-30 (Thursday 23:59:59 -10:00 was followed by Saturday 00:00
    # +14:00): a Thursday-to-Saturday window has Thursday 29 and Saturday 31 only.
    calendar = ZONED_CALENDARS["apia"]
    thursday_end = utc(2011, 12, 30, 9)  # 23:00 at -10:00
    saturday_open = utc(2011, 12, 30, 10)  # 00:00 at +14:00
    assert vector.next_open(calendar, [thursday_end - 1, thursday_end]).tolist() == [
        thursday_end - 1, saturday_open]


# -- pacing, repetition and many slots -------------------------------------------------------

@pytest.mark.parametrize(("speed", "unit"), [(1, 1), (3, 10), (4, US_PER_HOUR), (7, US_PER_HOUR),
                                             (6, US_PER_DAY), (1000, US_PER_DAY)])
def test_pace_offsets_are_floor_of_slot_times_interval(speed: int, unit: int) -> None:
    slots = [0, 1, 2, speed - 1, speed, speed + 1, 5 * speed + 3, 10**8 + 7]
    got = vector.pace_offsets(Pace(speed, unit), np.array(slots, dtype=np.int64)).tolist()
    assert got == [s * unit // speed for s in slots]


def test_pace_offsets_do_not_overflow_for_large_slots() -> None:
    # (i % s)·U is below s·U < 2^63 although i·U is far above: i = 3·10^12 + 999, s = 10^6,
    # U = 7·10^9 (i·U ≈ 2.1·10^22, the offset ≈ 2.1·10^16).
    slots = np.array([3 * 10**12 + 999], dtype=np.int64)
    assert vector.pace_offsets(Pace(10**6, 7 * 10**9), slots).tolist() == [
        (3 * 10**12 + 999) * 7 * 10**9 // 10**6]


@pytest.mark.parametrize("name", ["always", *sorted(UTC_CALENDARS)])
@pytest.mark.parametrize(("speed", "unit"), [(1, US_PER_HOUR), (3, US_PER_HOUR), (7, 10 * SECOND),
                                             (5, 7 * US_PER_MINUTE), (2, 3 * US_PER_DAY)])
def test_repeating_calendars_many_slots(name: str, speed: int, unit: int) -> None:
    # Enough slots for the kernel to compute one period and repeat it (a UTC week, a pace
    # interval): every slot compared, first attempts and two retries.
    # In year 5000 an instant is above 2^53 µs: a float would lose its odd microseconds.
    # The scalar engine answers each slot once; every range's expectation is read from it.
    calendar = ALWAYS_OPEN if name == "always" else UTC_CALENDARS[name]
    for start in (MONDAY + 10 * US_PER_HOUR + 7, utc(5000, 1, 1, 10) + 7):
        timeline = Timeline(start, Pace(speed, unit), None, (US_PER_HOUR, 2 * US_PER_DAY + 1),
                            3 * SECOND, calendar)
        expected = scalar_columns(timeline, range(0, 700))
        assert isinstance(expected, list)  # no slot here leaves years 1..9999
        for slots in (range(0, 700), range(1, 2), range(5, 6), range(13, 300)):
            # No deadline: every slot has all its attempts, so a column's index is the slot.
            columns = [column[slots.start:slots.stop] for column in expected]
            assert vector_first(timeline, slots) == columns[0]
            assert vector_columns(timeline, slots) == columns
        assert vector.first_attempts(timeline, range(700)).dtype == np.int64


@pytest.mark.parametrize("name", sorted(ZONED_CALENDARS))
def test_zoned_calendars_many_slots_and_retries(name: str) -> None:
    calendar = ZONED_CALENDARS[name]
    for start in ZONED_STARTS[name]:
        timeline = Timeline(start, Pace(7, US_PER_HOUR), None,
                            (US_PER_MINUTE, US_PER_HOUR, 3 * US_PER_DAY), 1, calendar)
        slots = range(0, 600)
        assert vector_columns(timeline, slots) == scalar_columns(timeline, slots)
        picked = [599, 3, 0, 250, 251, 100]
        assert vector_first(timeline, picked) == scalar_first(timeline, picked)


def test_a_zoned_table_grown_in_many_chunks() -> None:
    # Two years of a one-day-a-week window, asked first near, then far: the table is built
    # in several pieces, each one's running open time continuing the last's.
    calendar = window((TUE,), (10, 0), (11, 0), "America/New_York")
    start = utc(2030, 1, 1)
    timeline = Timeline(start, Pace(1, 20 * US_PER_MINUTE), None, (US_PER_DAY,), 0, calendar)
    slots = [0, 1, 2, 3, 40, 41, 150, 151, 300, 301, 302]
    assert vector_first(timeline, slots) == scalar_first(timeline, slots)
    assert vector_columns(timeline, range(320)) == scalar_columns(timeline, range(320))
    times = [start + k * 13 * US_PER_DAY + k * 997 for k in range(60)]
    assert vector.next_open(calendar, times).tolist() == scalar_next_open(calendar, times)
    kernel = vector.kernel_for(calendar, start)
    assert kernel.next_open(np.array([start + 700 * US_PER_DAY], dtype=np.int64)).tolist() == \
        scalar_next_open(calendar, [start + 700 * US_PER_DAY])
    assert kernel.next_open(np.array([start], dtype=np.int64)).tolist() == [utc(2030, 1, 1, 15)]


def test_an_unpaced_timeline_attempts_every_slot_at_the_first_opening() -> None:
    calendar = UTC_CALENDARS["utc-office"]
    start = MONDAY - 1  # Sunday 23:59:59.999999
    timeline = Timeline(start, None, None, (US_PER_DAY,), 0, calendar)
    opening = MONDAY + 9 * US_PER_HOUR
    assert vector.first_attempts(timeline, [0, 5, 2]).tolist() == [opening] * 3
    assert vector_columns(timeline, range(3)) == [[opening] * 3, [opening + US_PER_DAY] * 3]


# -- deadlines and retries ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["always", "utc-office", "plus-14", "berlin-office", "new-york"])
def test_the_deadline_cuts_first_attempts_and_retries(name: str) -> None:
    calendar = ALWAYS_OPEN if name == "always" else {**UTC_CALENDARS, **ZONED_CALENDARS}[name]
    start = utc(2030, 3, 6, 9, 15)
    for minutes in (1, 60, 600, 2 * 24 * 60 + 7, 9 * 24 * 60):
        deadline = start + minutes * US_PER_MINUTE
        timeline = Timeline(start, Pace(3, US_PER_HOUR), deadline,
                            (20 * US_PER_MINUTE, US_PER_DAY), 2 * SECOND, calendar)
        for slots in (range(0, 400), range(7, 9)):
            assert vector_columns(timeline, slots) == scalar_columns(timeline, slots)
    # A cancel cuts like a deadline.
    cancelled = Timeline(start, Pace(3, US_PER_HOUR), None, (20 * US_PER_MINUTE,), 0, calendar,
                         cancel_us=start + 3 * US_PER_DAY)
    assert vector_columns(cancelled, range(400)) == scalar_columns(cancelled, range(400))


def test_retries_by_hand_always_open() -> None:
    # One slot a minute from T; retries 30 s after the 5 s failure delay, then 2 min after
    # that; a deadline 3 min after T: slots 0-2 attempt, slot 0's second retry at T+2:10 and
    # slot 1's at T+3:10 (cut), slot 2's first retry at T+2:35, its second cut.
    t = MONDAY
    timeline = Timeline(t, Pace(1, US_PER_MINUTE), t + 3 * US_PER_MINUTE,
                        (30 * SECOND, 2 * US_PER_MINUTE), 5 * SECOND)
    minute = US_PER_MINUTE
    assert vector_columns(timeline, range(10)) == [
        [t, t + minute, t + 2 * minute],
        [t + 35 * SECOND, t + minute + 35 * SECOND, t + 2 * minute + 35 * SECOND],
        [t + 35 * SECOND + 125 * SECOND],
    ]


def test_a_retry_landing_on_the_deadline_is_cut() -> None:
    t = MONDAY
    deadline = t + 10 * SECOND
    # Slot 0's retry falls exactly at the deadline: not allowed (half-open); 1 µs less is.
    for gap, expected in ((10 * SECOND, [[t], []]), (10 * SECOND - 1, [[t], [deadline - 1]])):
        timeline = Timeline(t, Pace(1, US_PER_HOUR), deadline, (gap,), 0)
        assert vector_columns(timeline, range(1)) == expected


# -- the ends of years 1 and 9999 (S12) ------------------------------------------------------

def test_always_open_to_the_last_microsecond_of_9999() -> None:
    start = MAX_US - 10
    timeline = Timeline(start, Pace(1, 1))
    assert vector_first(timeline, range(11)) == list(range(start, MAX_US + 1))
    assert vector_first(timeline, list(range(11))) == list(range(start, MAX_US + 1))
    assert vector_first(timeline, range(12)) is PlanRangeError
    assert vector_first(timeline, [0, 11]) is PlanRangeError
    with pytest.raises(PlanRangeError, match="first attempt of slot 11 falls outside"):
        vector.first_attempts(timeline, [3, 11])
    assert vector.next_open(ALWAYS_OPEN, [MAX_US - 1, MAX_US, MAX_US + 1, MAX_US + 5]).tolist() \
        == [MAX_US - 1, MAX_US, PAST_9999, PAST_9999]
    # A retry past year 9999 without a deadline is an error; with one it is dropped.
    retrying = Timeline(MAX_US - 10, Pace(1, 1), None, (5,), 0)
    assert vector_columns(retrying, range(6)) == [list(range(MAX_US - 10, MAX_US - 4)),
                                                  list(range(MAX_US - 5, MAX_US + 1))]
    assert vector_columns(retrying, range(7)) is PlanRangeError
    with pytest.raises(PlanRangeError, match=r"^a retry falls outside years 1\.\.9999$"):
        vector.attempt_columns(retrying, range(7))
    cut = Timeline(MAX_US - 10, Pace(1, 1), MAX_US, (5,), 0)
    assert vector_columns(cut, range(12)) == [list(range(MAX_US - 10, MAX_US)),
                                              list(range(MAX_US - 5, MAX_US))]


def test_the_start_at_the_last_microsecond_of_9999() -> None:
    timeline = Timeline(MAX_US, Pace(1, 1))
    assert vector_first(timeline, [0]) == [MAX_US]
    assert vector_first(timeline, [1]) is PlanRangeError
    assert vector_first(timeline, range(2)) is PlanRangeError


@pytest.mark.parametrize("name", ["utc-office", "plus-14", "minus-12", "berlin", "new-york",
                                  "utc-whole-sunday"])
def test_windows_near_the_end_of_9999(name: str) -> None:
    calendar = {**UTC_CALENDARS, **ZONED_CALENDARS}[name]
    start = MAX_US - 30 * US_PER_DAY
    timeline = Timeline(start, Pace(1, US_PER_HOUR), None, (US_PER_DAY,), 0, calendar)
    fine = [s for s in range(0, 800, 3) if scalar_first(timeline, [s]) is not PlanRangeError]
    assert 3 < len(fine) < 267
    assert vector_first(timeline, fine) == scalar_first(timeline, fine)
    assert vector_first(timeline, [*fine, fine[-1] + 3]) is PlanRangeError
    assert vector_columns(timeline, range(fine[-1] + 5)) == \
        scalar_columns(timeline, range(fine[-1] + 5))
    cut = Timeline(start, Pace(1, US_PER_HOUR), MAX_US + 1, (US_PER_DAY, 2 * SECOND), 0,
                   calendar)
    assert vector_columns(cut, range(fine[-1] + 9)) == scalar_columns(cut, range(fine[-1] + 9))
    # The last openings of year 9999 to the microsecond, and instants past it.
    edges = boundaries(calendar, start, MAX_US)
    times = sorted({t + d for t in edges for d in (-1, 0, 1)} | {MAX_US, MAX_US + 1})
    assert vector.next_open(calendar, times).tolist() == scalar_next_open(calendar, times)
    check_to_the_microsecond(calendar, MAX_US - 20 * US_PER_DAY, 19)


def test_a_window_whose_last_opening_is_in_9999_offers_nothing_after() -> None:
    # 9999-12-31 is a Friday; a Thursday window: the last opening is 9999-12-30 09:00 UTC.
    calendar = window((THU,), (9, 0), (10, 0), None)
    last = MAX_US + 1 - 2 * US_PER_DAY + 9 * US_PER_HOUR
    times = [last - 1, last, last + US_PER_HOUR - 1, last + US_PER_HOUR, MAX_US]
    assert vector.next_open(calendar, times).tolist() == [last, last, last + US_PER_HOUR - 1,
                                                          PAST_9999, PAST_9999]
    timeline = Timeline(last - US_PER_DAY, Pace(1, 30 * US_PER_MINUTE), None, (), 0, calendar)
    assert vector_first(timeline, [0, 1]) == [last, last + 30 * US_PER_MINUTE]
    assert vector_first(timeline, [2]) is PlanRangeError


@pytest.mark.parametrize("zone", [None, "Europe/Berlin", "Etc/GMT+12"])
def test_windows_near_the_start_of_year_1(zone: str | None) -> None:
    calendar = window((MON, FRI), (1, 0), (3, 0), zone)
    timeline = Timeline(MIN_US + 3 * US_PER_HOUR, Pace(2, US_PER_HOUR), None, (US_PER_MINUTE,),
                        0, calendar)
    assert vector_columns(timeline, range(200)) == scalar_columns(timeline, range(200))
    later = Timeline(MIN_US + 40 * US_PER_DAY, Pace(2, US_PER_HOUR), None, (US_PER_MINUTE,),
                     0, calendar)
    assert vector_columns(later, range(200)) == scalar_columns(later, range(200))
    times = [MIN_US, MIN_US + 1, MIN_US + 5 * US_PER_DAY, MIN_US + 37 * US_PER_DAY + 7]
    assert vector.next_open(calendar, times).tolist() == scalar_next_open(calendar, times)


def test_an_instant_before_year_1_is_refused() -> None:
    with pytest.raises(PlanRangeError, match=r"^an instant falls before year 1$"):
        vector.next_open(ALWAYS_OPEN, [MIN_US, MIN_US - 1])
    assert vector.next_open(ALWAYS_OPEN, [MIN_US]).tolist() == [MIN_US]


def test_huge_slots_and_gaps() -> None:
    # Offsets past year 9999 raise, as the scalar path does; so does a retry gap of 2^61 µs
    # (about 73,000 years) without a deadline, and with one it is dropped.
    # The zone starts near year 9999, so that its table (and the scalar reference) spans only
    # a few hundred days.
    for calendar, start in ((ALWAYS_OPEN, MONDAY), (UTC_CALENDARS["utc-office"], MONDAY),
                            (ZONED_CALENDARS["new-york"], MAX_US - 400 * US_PER_DAY)):
        timeline = Timeline(start, Pace(1, US_PER_DAY), None, (), 0, calendar)
        assert vector_first(timeline, [0, 2**62]) is PlanRangeError
        assert vector_first(timeline, [0, 2**40]) is PlanRangeError
        assert vector_first(timeline, [1, 0]) == scalar_first(timeline, [1, 0])
        for gap in (2**61, 2**61 - start - 1, 2**58):
            far = Timeline(start, Pace(1, US_PER_HOUR), None, (gap,), 0, calendar)
            assert vector_columns(far, range(3)) is PlanRangeError
            dropped = Timeline(start, Pace(1, US_PER_HOUR), MAX_US, (US_PER_HOUR, gap, 1), 0,
                               calendar)
            assert vector_columns(dropped, range(3)) == scalar_columns(dropped, range(3))


@pytest.mark.parametrize(("speed", "unit"), [(2**40, 2**30 + 1), (2**33, 2**31 - 1),
                                             (2**31, 2**32 - 1)])
def test_a_pace_whose_products_exceed_int64(speed: int, unit: int) -> None:
    timeline = Timeline(MONDAY, Pace(speed, unit))
    slots = [0, 1, speed - 1, speed, 3 * speed - 1, 2**45 + 3]
    assert vector_first(timeline, slots) == [MONDAY + s * unit // speed for s in slots]


# -- calendars the kernel does not know ------------------------------------------------------

def test_a_paused_calendar_by_hand() -> None:
    # One call a second from T, paused from T+10 s to T+40 s, one retry 5 s after each call:
    # slots 0-9 at T+0..9 s, slot i >= 10 at T+(30+i) s; a retry due in the pause moves to
    # T+40 s.
    t = MONDAY + 9 * US_PER_HOUR
    calendar = PausedCalendar(ALWAYS_OPEN, ((t + 10 * SECOND, t + 40 * SECOND),))
    timeline = Timeline(t, Pace(1, SECOND), None, (5 * SECOND,), 0, calendar)
    firsts = [t + i * SECOND for i in range(10)] + [t + (30 + i) * SECOND for i in range(10, 14)]
    retries = [t + (i + 5) * SECOND for i in range(5)] + [t + 40 * SECOND] * 5 \
        + [t + (35 + i) * SECOND for i in range(10, 14)]
    assert vector.first_attempts(timeline, range(14)).tolist() == firsts
    assert vector.first_attempts(timeline, list(range(14))).tolist() == firsts
    assert vector_columns(timeline, range(14)) == [firsts, retries]
    times = [t, t + 10 * SECOND, t + 39 * SECOND, t + 40 * SECOND]
    assert vector.next_open(calendar, times).tolist() == [t, t + 40 * SECOND, t + 40 * SECOND,
                                                          t + 40 * SECOND]
    kernel = vector.kernel_for(calendar, t)
    assert kernel.advance(np.array([0, 10 * SECOND], dtype=np.int64)).tolist() == [
        t, t + 40 * SECOND]


def test_a_pause_never_resumed_ends_the_columns() -> None:
    # Paused from T+3 s for good: slots 0-2 only, their retries (T+1..3 s + 1 s) before the
    # pause except slot 2's, which is dropped; slot 3 on has no first attempt.
    t = MONDAY
    calendar = PausedCalendar(ALWAYS_OPEN, ((t + 3 * SECOND, NEVER),))
    timeline = Timeline(t, Pace(1, SECOND), NEVER, (SECOND,), 0, calendar)
    assert vector_columns(timeline, range(6)) == scalar_columns(timeline, range(6))
    assert vector.first_attempts(timeline, range(3)).tolist() == [t, t + SECOND, t + 2 * SECOND]
    assert vector.attempt_columns(timeline, range(6))[0].tolist() == [t, t + SECOND,
                                                                      t + 2 * SECOND]
    assert vector.next_open(calendar, [t + 2 * SECOND, t + 3 * SECOND]).tolist() == [
        t + 2 * SECOND, PAST_9999]


def test_a_paused_window_past_9999_raises_without_a_deadline() -> None:
    calendar = PausedCalendar(ALWAYS_OPEN, ((MAX_US - 5, MAX_US - 2),))
    timeline = Timeline(MAX_US - 8, Pace(1, 1), None, (), 0, calendar)
    assert vector_columns(timeline, range(5)) == [[MAX_US - 8, MAX_US - 7, MAX_US - 6,
                                                   MAX_US - 2, MAX_US - 1]]
    with pytest.raises(PlanRangeError, match="attempt of slot 6 falls outside"):
        vector.attempt_columns(timeline, range(8))


# -- inputs and tables -----------------------------------------------------------------------

def test_slots_must_be_a_flat_list_of_non_negative_numbers() -> None:
    timeline = Timeline(MONDAY, Pace(1, SECOND))
    with pytest.raises(ValueError, match=r"^slots must be one-dimensional$"):
        vector.first_attempts(timeline, np.zeros((2, 2), dtype=np.int64))
    with pytest.raises(ValueError, match=r"^slots are never negative$"):
        vector.first_attempts(timeline, [3, -1])
    assert vector.first_attempts(timeline, []).tolist() == []
    assert vector.first_attempts(timeline, range(0)).tolist() == []
    assert vector.first_attempts(timeline, range(4, 10, 3)).tolist() == [
        MONDAY + 4 * SECOND, MONDAY + 7 * SECOND]
    assert vector.first_attempts(timeline, range(4, 10, 2)).tolist() == [
        MONDAY + 4 * SECOND, MONDAY + 6 * SECOND, MONDAY + 8 * SECOND]
    # The answers are int64 arrays, also when there are none.
    assert vector.first_attempts(timeline, [0]).dtype == np.int64
    assert vector.first_attempts(timeline, []).dtype == np.int64
    assert vector.next_open(ALWAYS_OPEN, []).tolist() == []
    assert vector.next_open(ALWAYS_OPEN, []).dtype == np.int64
    with pytest.raises(ValueError, match=r"^columns need consecutive slots$"):
        vector.attempt_columns(timeline, range(0, 10, 2))
    assert vector_columns(Timeline(MONDAY, Pace(1, SECOND), None, (SECOND,)), range(0)) == [[],
                                                                                           []]


def test_every_kernel_answers_int64_arrays_also_for_no_instants() -> None:
    empty = np.empty(0, dtype=np.int64)
    paused = PausedCalendar(ALWAYS_OPEN, ((MONDAY + SECOND, MONDAY + 2 * SECOND),))
    for calendar in (ALWAYS_OPEN, UTC_CALENDARS["utc-office"], ZONED_CALENDARS["berlin"], paused):
        kernel = vector.kernel_for(calendar, MONDAY)
        assert kernel.next_open(empty).tolist() == []
        assert kernel.next_open(empty).dtype == np.int64
    assert vector.kernel_for(paused, MONDAY).advance(empty).dtype == np.int64


def test_daily_offsets_by_hand() -> None:
    from zoneinfo import ZoneInfo

    # Berlin: +1 h until Sunday 2030-03-31 (its UTC midnight is still +1 h), +2 h from
    # 2030-04-01 to 2030-10-27 (its UTC midnight is +2 h), +1 h from 2030-10-28.
    day = utc(2030, 3, 25) // US_PER_DAY
    hour = US_PER_HOUR
    assert vector.daily_offsets(ZoneInfo("Europe/Berlin"), day, 10).tolist() == \
        [hour] * 7 + [2 * hour] * 3
    autumn = utc(2030, 10, 20) // US_PER_DAY
    assert vector.daily_offsets(ZoneInfo("Europe/Berlin"), autumn, 15).tolist() == \
        [2 * hour] * 8 + [hour] * 7
    assert vector.daily_offsets(ZoneInfo("Europe/Berlin"), autumn, 1).tolist() == [2 * hour]
    assert vector.daily_offsets(ZoneInfo("Asia/Kolkata"), autumn, 9).tolist() == \
        [11 * hour // 2] * 9
    # Lord Howe: +10:30 in winter, +11 from the first Sunday of October (2030-10-06 02:00
    # local, 2030-10-05 15:30 UTC).
    october = utc(2030, 10, 1) // US_PER_DAY
    assert vector.daily_offsets(ZoneInfo("Australia/Lord_Howe"), october, 8).tolist() == \
        [21 * hour // 2] * 5 + [11 * hour] * 3


def test_the_column_table_counts_reads_and_sums_exactly() -> None:
    # Always open from year 1 (negative µs, below -2^32) and from 2030, one slot a second,
    # one retry 10 s later; a deadline 5 s after the start keeps 5 first attempts.
    for start in (MIN_US, MONDAY, MAX_US - 100 * SECOND):
        timeline = Timeline(start, Pace(1, SECOND), start + 5 * SECOND, (10 * SECOND,), 0)
        vector.column_table.cache_clear()
        table = vector.column_table(timeline, 8)
        assert table is not None
        firsts = [start + i * SECOND for i in range(5)]
        assert [c.tolist() for c in table.columns] == [firsts, []]
        assert table.before(0, start) == 0
        assert table.before(0, start + 1) == 1
        assert table.before(0, start + 2 * SECOND) == 2
        assert table.before(0, start + 2 * SECOND + 1) == 3
        assert table.at(0, 3) == start + 3 * SECOND
        assert table.instant_sum(0, 0, 5) == sum(firsts)
        assert table.instant_sum(0, 1, 4) == sum(firsts[1:4])
        assert table.instant_sum(0, 2, 2) == 0
    assert vector.column_table(Timeline(MONDAY, Pace(1, SECOND)), vector.TABLE_SLOTS + 1) is None
    assert vector.column_table(Timeline(MONDAY, Pace(1, SECOND)), 2**31) is None
    built = vector.ColumnTable.build(Timeline(MONDAY, Pace(1, SECOND), None, (SECOND,)), 3)
    assert [c.tolist() for c in built.columns] == [
        [MONDAY, MONDAY + SECOND, MONDAY + 2 * SECOND],
        [MONDAY + SECOND, MONDAY + 2 * SECOND, MONDAY + 3 * SECOND]]
    assert built.instant_sum(1, 0, 3) == 3 * MONDAY + 6 * SECOND


def test_table_limits() -> None:
    assert vector.TABLE_SLOTS == 20_000_000
    assert vector.OUT_OF_RANGE == PAST_9999


# -- more rules, each case worked out by hand or from the scalar engine ------------------------

def test_slots_of_another_integer_type_give_the_same_instants() -> None:
    # int32 slots; the pace's s·U is above 2^63, so every slot takes the scalar path.
    timeline = Timeline(MONDAY, Pace(2**40, 2**30 + 1))
    slots = np.array([0, 1, 2**30], dtype=np.int32)
    assert vector.first_attempts(timeline, slots).tolist() == [
        MONDAY + s * (2**30 + 1) // 2**40 for s in (0, 1, 2**30)]


def test_a_pace_above_int64_under_a_zoned_window() -> None:
    # s > U: the first slots' offsets are 0 µs, all at the window's first opening.
    calendar = ZONED_CALENDARS["berlin-office"]
    timeline = Timeline(MONDAY, Pace(2**40, 2**30 + 1), calendar=calendar)
    assert vector_first(timeline, [0, 1, 5]) == [MONDAY + 8 * US_PER_HOUR] * 3
    assert vector_first(timeline, range(3)) == [MONDAY + 8 * US_PER_HOUR] * 3


def test_an_interval_of_more_than_2_to_the_53_microseconds() -> None:
    # 2^53 + 1 µs (about 285 years) between first attempts, exactly.
    step = 2**53 + 1
    timeline = Timeline(MONDAY, Pace(1, step))
    assert vector.first_attempts(timeline, [0, 1, 2]).tolist() == [MONDAY, MONDAY + step,
                                                                   MONDAY + 2 * step]
    assert vector.pace_offsets(Pace(1, step), np.arange(3)).tolist() == [0, step, 2 * step]


def test_a_pace_whose_calendar_period_is_huge_asks_only_for_its_slots() -> None:
    # 7 calls per 10^9 + 7 µs (a prime) against 40 open hours a week: the pace and the week
    # repeat together only after about 10^12 slots; ten slots are ten answers.
    calendar = UTC_CALENDARS["utc-office"]
    timeline = Timeline(MONDAY, Pace(7, 10**9 + 7), None, (US_PER_HOUR,), 0, calendar)
    assert vector_first(timeline, range(10)) == scalar_first(timeline, list(range(10)))
    assert vector_columns(timeline, range(10)) == scalar_columns(timeline, range(10))


def test_slots_out_of_order_starting_with_the_smallest() -> None:
    # Many slots (more than four per interval of the zone's table), in no order but the first
    # the smallest: each gets its own instant.
    calendar = ZONED_CALENDARS["berlin-office"]
    start = ZONED_STARTS["berlin-office"][0]
    timeline = Timeline(start, Pace(7, US_PER_HOUR), calendar=calendar)
    slots = [0, *range(900, 0, -1)]
    assert vector_first(timeline, slots) == scalar_first(timeline, slots)
    times = [start, *range(start + 40 * US_PER_DAY, start, -US_PER_HOUR // 3)]
    assert vector.next_open(calendar, times).tolist() == scalar_next_open(calendar, times)


def test_the_last_microsecond_of_9999_is_open_when_the_window_is() -> None:
    # 9999-12-31 is a Friday: a whole-Friday window, in UTC and in London (UTC+0 in winter),
    # and a pause that ended before, are open at MAX_US itself.
    paused = PausedCalendar(ALWAYS_OPEN, ((MAX_US - 9, MAX_US - 2),))
    for calendar in (window((FRI,), None, None, None), window((FRI,), None, None,
                                                              "Europe/London"), paused):
        assert vector.next_open(calendar, [MAX_US - 1, MAX_US]).tolist() == [MAX_US - 1, MAX_US]
        assert vector.next_open(calendar, [MAX_US]).tolist() == [MAX_US]
        assert vector.next_open(calendar, [MAX_US - 5, MAX_US + 3]).tolist() == \
            scalar_next_open(calendar, [MAX_US - 5, MAX_US + 3])


def test_a_start_past_9999_or_paused_for_good_has_no_first_attempt() -> None:
    with pytest.raises(PlanRangeError):
        vector.first_attempts(Timeline(MAX_US + 1, Pace(1, 1)), [0])
    with pytest.raises(PlanRangeError):
        vector.first_attempts(Timeline(MAX_US + 1, Pace(1, 1)), range(1))
    t = MONDAY
    never = PausedCalendar(ALWAYS_OPEN, ((t, NEVER),))
    assert scalar_first(Timeline(t + 1, Pace(1, SECOND), calendar=never), [0]) is PlanRangeError
    for slots in ([0], range(1)):
        with pytest.raises(PlanRangeError):
            vector.first_attempts(Timeline(t + 1, Pace(1, SECOND), calendar=never), slots)


def test_a_retry_past_9999_raises_the_scalar_paths_own_error() -> None:
    # 20 days to the first retry (1 µs to the second), from 30 days before the end of 9999:
    # the first retries of the later slots fall past it.
    for calendar in (UTC_CALENDARS["utc-office"], ZONED_CALENDARS["new-york"]):
        start = MAX_US - 30 * US_PER_DAY
        timeline = Timeline(start, Pace(1, US_PER_HOUR), None, (20 * US_PER_DAY, 1), 0, calendar)
        slots = range(0, 120)
        with pytest.raises(PlanRangeError) as scalar:
            [timeline.attempts_us(s) for s in slots]
        with pytest.raises(PlanRangeError) as vectored:
            vector.attempt_columns(timeline, slots)
        assert str(vectored.value) == str(scalar.value)


def test_exact_sums_beyond_2_to_the_53() -> None:
    # 3,000,001 instants of 2^45 + 2^32 - 1 µs: the sums of their low 32 bits pass 2^53.
    value, count = 2**45 + 2**32 - 1, 3_000_001
    table = vector.ColumnTable((np.full(count, value, dtype=np.int64),))
    assert table.instant_sum(0, 0, count) == count * value
    assert table.instant_sum(0, 1, count) == (count - 1) * value


def test_daily_offsets_at_the_edges_of_a_run() -> None:
    from zoneinfo import ZoneInfo

    hour = US_PER_HOUR
    # Ten days up to Saturday 2030-03-30 in Berlin: all +1 h; the change is the next day.
    day = utc(2030, 3, 21) // US_PER_DAY
    assert vector.daily_offsets(ZoneInfo("Europe/Berlin"), day, 10).tolist() == [hour] * 10
    # Before 1970 (negative day numbers): Kolkata was at +5:30 all through 1960.
    day = utc(1960, 1, 1) // US_PER_DAY
    assert vector.daily_offsets(ZoneInfo("Asia/Kolkata"), day, 20).tolist() == \
        [11 * hour // 2] * 20


def test_a_zoned_table_extended_on_a_second_request() -> None:
    # The kernel's table, asked for more open time (or a later instant) again, continues: its
    # running open time, and its last day before the scalar path takes over near year 9999.
    calendar = ZONED_CALENDARS["berlin"]
    start = utc(2030, 3, 1, 2)
    kernel = vector.kernel_for(calendar, start)
    first = kernel.reach(10 * US_PER_HOUR)
    more = kernel.reach(first + 300 * US_PER_HOUR)
    assert more >= first + 300 * US_PER_HOUR
    offsets = sorted({0, 1, first - 1, first, first + 1, (first + more) // 2, more - 1})
    assert kernel.advance(np.array(offsets, dtype=np.int64)).tolist() == [
        calendar.advance(start, x) for x in offsets]
    # Near the end: a first request builds the table up to one day before its last day, the
    # second the last day, then the scalar path answers.
    last_day = MAX_US // US_PER_DAY - 16
    late = (last_day - 70) * US_PER_DAY
    kernel = vector.kernel_for(calendar, late)
    near = (last_day - 65) * US_PER_DAY + US_PER_HOUR
    assert kernel.next_open(np.array([near], dtype=np.int64)).tolist() == \
        scalar_next_open(calendar, [near])
    far = [MAX_US - 3 * US_PER_DAY, MAX_US - 14 * US_PER_DAY]
    assert kernel.next_open(np.array(far, dtype=np.int64)).tolist() == \
        scalar_next_open(calendar, far)


@pytest.mark.parametrize("name", ["berlin", "new-york", "utc-office"])
def test_next_open_of_each_boundary_alone_near_9999(name: str) -> None:
    calendar = {**UTC_CALENDARS, **ZONED_CALENDARS}[name]
    for t in boundaries(calendar, MAX_US - 40 * US_PER_DAY, MAX_US):
        assert vector.next_open(calendar, [t]).tolist() == scalar_next_open(calendar, [t])
        assert vector.next_open(calendar, [t - 1]).tolist() == scalar_next_open(calendar, [t - 1])


def test_columns_of_a_calendar_the_kernel_does_not_know_are_int64() -> None:
    # Paused between the first attempts and their retries, until after the deadline: no
    # retry is left, and that column is empty.
    t = MONDAY
    calendar = PausedCalendar(ALWAYS_OPEN, ((t + 3 * SECOND, t + 100 * SECOND),))
    timeline = Timeline(t, Pace(1, SECOND), t + 50 * SECOND, (5 * SECOND,), 0, calendar)
    columns = vector.attempt_columns(timeline, range(3))
    assert [c.tolist() for c in columns] == [[t, t + SECOND, t + 2 * SECOND], []]
    assert [c.dtype for c in columns] == [np.int64, np.int64]


@pytest.mark.parametrize("name", ["utc-office", "new-york"])
def test_a_deadline_past_9999_drops_what_falls_past_it(name: str) -> None:
    # A validity period from late 9999 ends after the year does: the retries whose opening
    # would be in year 10000 are dropped, as the scalar path drops them.
    calendar = {**UTC_CALENDARS, **ZONED_CALENDARS}[name]
    start = MAX_US - 30 * US_PER_DAY
    timeline = Timeline(start, Pace(1, US_PER_HOUR), MAX_US + 60 * US_PER_DAY,
                        (20 * US_PER_DAY,), 0, calendar)
    slots = range(0, 400)
    expected = scalar_columns(timeline, slots)
    assert isinstance(expected, list)
    assert len(expected[1]) < len(expected[0])
    assert vector_columns(timeline, slots) == expected


def test_daily_offsets_see_a_change_that_lasted_one_week() -> None:
    from zoneinfo import ZoneInfo

    # Recife kept summer time (-2:00 for -3:00) for one week in October 2000: the UTC
    # midnights of 9 to 15 October. Sampled once a week, one sample always falls inside it.
    hour = US_PER_HOUR
    first = utc(2000, 10, 8) // US_PER_DAY
    assert vector.daily_offsets(ZoneInfo("America/Recife"), first, 16).tolist() == \
        [-3 * hour] + [-2 * hour] * 7 + [-3 * hour] * 8


@pytest.mark.parametrize("start", [utc(1939, 8, 20) + k * US_PER_DAY for k in range(7)])
def test_freetowns_four_days_of_1939_are_not_missed_by_the_weekly_samples(start: int) -> None:
    # Freetown's clock read -00:40 from 1939-09-01 to 09-05 only (-01:00 before and after): at
    # UTC midnights, 4 days of a different offset, which samples a week apart can step over
    # (the seven starts put the samples at every phase). The kernel's intervals must be the
    # scalar engine's there too: 08:00-09:00 local is 08:40Z-09:40Z on those days, else
    # 09:00Z-10:00Z.
    calendar = window((MON, TUE, WED, THU, FRI, SAT, SUN), (8, 0), (9, 0), "Africa/Freetown")
    assert (utc(1939, 9, 3, 8, 40), utc(1939, 9, 3, 9, 40)) in \
        list(calendar.open_periods(utc(1939, 9, 3), utc(1939, 9, 4)))
    check_to_the_microsecond(calendar, start, 21)


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Asia/Kathmandu"])
def test_zones_before_1970_and_after_2040_agree_with_the_scalar_engine(zone: str) -> None:
    # Before 1970 every day takes the scalar definition; after 2040 the samples (checked against
    # daily ones) must still give the scalar engine's answers: London's double summer time of
    # 1941, New York's war time of 1942, Kathmandu's +05:41:16 mean time of 1919, and 2075.
    calendar = window((MON, THU, SUN), (1, 0), (3, 30), zone)
    for start in (utc(1941, 4, 1), utc(1942, 1, 30), utc(1919, 12, 20), utc(2075, 3, 1)):
        check_to_the_microsecond(calendar, start, 14)


@pytest.mark.parametrize("start", [utc(2040, 10, 14) + k * US_PER_DAY for k in range(7)])
def test_gazas_week_long_offsets_after_2040_are_found_by_the_weekly_samples(start: int) -> None:
    # The tz database lists Palestine's clock changes up to the 2080s, with offsets kept for
    # only a week (7 UTC midnights, 20 to 26 October 2040 among them): a week always holds one
    # weekly sample, so the kernel finds them; its intervals must be the scalar engine's at
    # every phase.
    from zoneinfo import ZoneInfo

    first = start // US_PER_DAY
    zone = ZoneInfo("Asia/Gaza")
    sampled = vector.daily_offsets(zone, first, 400).tolist()
    assert sampled == [vector._offset_at_day(zone, first + k) for k in range(400)]
    calendar = window((MON, TUE, WED, THU, FRI, SAT, SUN), (0, 30), (2, 0), "Asia/Gaza")
    check_to_the_microsecond(calendar, start, 21)
