"""The vector kernel (ivrsched.rules.vector) gives exactly the scalar Timeline's integers.

The reference is the scalar path itself (``Timeline.first_attempt_us``, ``attempts_us`` and
``Calendar.next_open``), which tests/test_windows_properties.py checks against a brute-force
minute walk; here every vector answer is compared with it value by value, on random requests,
windows and zones (several with DST), at the 1 µs boundaries of the open intervals, across DST
changes, with the deadline cut, and at the ends of S12's range.
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivrsched.errors import PlanRangeError
from ivrsched.request.model import DeliveryTimeWindow, TimeOfDay, Weekday
from ivrsched.rules import vector
from ivrsched.rules.instants import MAX_US, MIN_US, US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, to_us
from ivrsched.rules.lifecycle import PausedCalendar
from ivrsched.rules.open_time import ALWAYS_OPEN, Calendar
from ivrsched.rules.pacing import Pace
from ivrsched.rules.timeline import Timeline
from ivrsched.rules.windows import WindowCalendar

#: UTC and fixed offsets (closed form), and zones with DST: whole hours, half hours (Lord Howe),
#: southern hemisphere (Santiago), a skipped day (Apia, 2011), no DST any more (Tehran).
ZONES = (None, "UTC", "Etc/GMT-14", "Etc/GMT+12", "Europe/Berlin", "America/New_York",
         "Australia/Lord_Howe", "America/Santiago", "Pacific/Apia", "Asia/Tehran",
         "Europe/London")
DST_ZONES = ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago",
             "Pacific/Apia")
Y2000 = to_us(datetime(2000, 1, 1, tzinfo=timezone.utc))
Y2030 = to_us(datetime(2030, 1, 1, tzinfo=timezone.utc))


@st.composite
def windows(draw: st.DrawFn, zones: tuple[str | None, ...] = ZONES) -> WindowCalendar:
    days = draw(st.sets(st.sampled_from(list(Weekday)), min_size=1))
    zone = draw(st.sampled_from(zones))
    if draw(st.booleans()):
        start, end = None, None
    else:
        a = draw(st.integers(0, 1438))
        b = draw(st.integers(a + 1, 1439))
        start, end = TimeOfDay(*divmod(a, 60)), TimeOfDay(*divmod(b, 60))
    window = DeliveryTimeWindow(tuple(sorted(days, key=lambda d: d.value)), start, end, zone)
    return WindowCalendar.from_window(window)


calendars = st.one_of(st.just(ALWAYS_OPEN), windows())
paces = st.one_of(
    st.none(),
    st.builds(Pace, st.integers(1, 50), st.sampled_from([10**6, 60 * 10**6, US_PER_HOUR,
                                                        US_PER_DAY])),
    st.builds(Pace, st.integers(1, 7), st.integers(1, 10**9)),
)
starts = st.integers(Y2000, Y2030)


def scalar_first(timeline: Timeline, slots: list[int]) -> list[int] | type[PlanRangeError]:
    """The scalar answers, or PlanRangeError when one raises it or leaves years 1..9999 (an
    always-open time line gives the bare integer; the planner checks its range)."""
    try:
        found = [timeline.first_attempt_us(s) for s in slots]
    except PlanRangeError:
        return PlanRangeError
    return found if all(MIN_US <= t <= MAX_US for t in found) else PlanRangeError


def vector_first(timeline: Timeline, slots: list[int]) -> list[int] | type[PlanRangeError]:
    try:
        return vector.first_attempts(timeline, np.array(slots, dtype=np.int64)).tolist()
    except PlanRangeError:
        return PlanRangeError


def scalar_columns(timeline: Timeline, slots: range) -> list[list[int]]:
    attempts = [timeline.attempts_us(s) for s in slots]
    if any(t > MAX_US for a in attempts for t in a):  # always open: unchecked integers
        raise PlanRangeError("past year 9999")
    width = 1 + len(timeline.gaps_us)
    return [[a[k] for a in attempts if len(a) > k] for k in range(width)]


@given(calendars, paces, starts, st.lists(st.integers(0, 5000), max_size=40))
def test_first_attempts_equal_the_scalar_path(calendar: Calendar, pace: Pace | None,
                                              start: int, slots: list[int]) -> None:
    timeline = Timeline(start, pace, calendar=calendar)
    assert vector_first(timeline, slots) == scalar_first(timeline, slots)


@given(calendars, paces, starts, st.integers(0, 3000), st.integers(0, 300),
       st.one_of(st.none(), st.integers(1, 2880)),
       st.lists(st.sampled_from([1, 2, 5, 10, 20, 30, 60, 120, 240, 480, 960, 1440]),
                max_size=4),
       st.integers(0, 3 * US_PER_HOUR))
def test_columns_equal_the_scalar_attempts(calendar: Calendar, pace: Pace | None, start: int,
                                           first_slot: int, count: int,
                                           validity: int | None, gaps: list[int],
                                           failure_delay: int) -> None:
    deadline = None if validity is None else start + validity * US_PER_MINUTE
    timeline = Timeline(start, pace, deadline, tuple(g * US_PER_MINUTE for g in gaps),
                        failure_delay, calendar)
    slots = range(first_slot, first_slot + count)
    got = [c.tolist() for c in vector.attempt_columns(timeline, slots)]
    assert got == scalar_columns(timeline, slots)


def boundaries(calendar: WindowCalendar, start: int, span: int) -> list[int]:
    """Every opening and closing instant of ``calendar`` in ``[start, start + span)``."""
    found: list[int] = []
    for a, b in calendar.open_periods(start, start + span):
        found.extend((a, b))
    return found


@settings(max_examples=60)
@given(windows(), starts, st.integers(1, 60))
def test_offsets_landing_on_interval_ends_to_the_microsecond(calendar: WindowCalendar,
                                                             start: int, days: int) -> None:
    # One slot per µs of open time: slot x asks for exactly x µs of open time, so slots equal
    # to the open time up to an opening or closing (and 1 µs either side) hit every boundary.
    timeline = Timeline(start, Pace(1, 1), calendar=calendar)
    slots = sorted({max(0, calendar.open_between(start, b) + d)
                    for b in boundaries(calendar, start, days * US_PER_DAY)
                    for d in (-1, 0, 1)})
    assert vector_first(timeline, slots) == scalar_first(timeline, slots)


@settings(max_examples=60)
@given(windows(), starts, st.integers(1, 60))
def test_next_open_at_interval_ends_to_the_microsecond(calendar: WindowCalendar, start: int,
                                                       days: int) -> None:
    times = sorted({t + d for t in boundaries(calendar, start, days * US_PER_DAY)
                    for d in (-1, 0, 1) if t + d >= start} | {start})
    expected = [calendar.next_open(t) for t in times]
    assert vector.next_open(calendar, times).tolist() == expected


#: Starts a few days before DST changes of the zones above (and Apia's skipped 30 Dec 2011).
DST_STARTS = [to_us(datetime(*ymd, tzinfo=timezone.utc)) for ymd in
              [(2024, 3, 28), (2024, 10, 25), (2024, 3, 8), (2024, 10, 31), (2024, 4, 3),
               (2024, 9, 4), (2011, 12, 27), (2011, 9, 22), (2024, 4, 5)]]


@settings(max_examples=80)
@given(windows(DST_ZONES), st.sampled_from(DST_STARTS), st.integers(-3 * US_PER_DAY, US_PER_DAY),
       st.integers(1, 200), st.sampled_from([60 * 10**6, US_PER_HOUR]))
def test_across_dst_changes(calendar: WindowCalendar, near: int, shift: int, speed: int,
                            unit: int) -> None:
    start = near + shift
    timeline = Timeline(start, Pace(speed, unit), None, (US_PER_HOUR, 6 * US_PER_HOUR),
                        0, calendar)
    slots = range(0, 400)
    got = [c.tolist() for c in vector.attempt_columns(timeline, slots)]
    assert got == scalar_columns(timeline, slots)
    times = [start + k * 15 * US_PER_MINUTE for k in range(7 * 96)]
    assert vector.next_open(calendar, times).tolist() == [calendar.next_open(t) for t in times]


def test_a_berlin_window_over_years_matches_slot_by_slot() -> None:
    # 10 per hour for 20,000 slots: about 8 years of Mon–Fri 09:00–17:00 in Berlin, 16 DST
    # changes; every 97th slot and the last are compared (each scalar answer is independent).
    window = DeliveryTimeWindow((Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY,
                                 Weekday.THURSDAY, Weekday.FRIDAY), TimeOfDay(9, 0),
                                TimeOfDay(17, 0), "Europe/Berlin")
    timeline = Timeline(Y2030, Pace(10, US_PER_HOUR), calendar=WindowCalendar.from_window(window))
    got = vector.first_attempts(timeline, range(20_000))
    for slot in [*range(0, 20_000, 97), 19_999]:
        assert int(got[slot]) == timeline.first_attempt_us(slot)


# -- S12 and int64 ---------------------------------------------------------------------------

def test_huge_slots_raise_like_the_scalar_path_and_do_not_overflow() -> None:
    # slot·U is far above 2^63 here: 2^62 · one day. The scalar path raises PlanRangeError (or,
    # always open, gives an integer past year 9999). The zone starts near year 9999 so that
    # the scalar reference walks only a few hundred weeks.
    for calendar, start in ((ALWAYS_OPEN, Y2030), *((WindowCalendar.from_window(
            DeliveryTimeWindow((Weekday.MONDAY,), TimeOfDay(9, 0), TimeOfDay(10, 0), zone)),
            at) for zone, at in ((None, Y2030), ("Europe/Berlin", MAX_US - 400 * US_PER_DAY)))):
        timeline = Timeline(start, Pace(1, US_PER_DAY), calendar=calendar)
        assert scalar_first(timeline, [2**62]) is PlanRangeError
        with pytest.raises(PlanRangeError):
            vector.first_attempts(timeline, [0, 1, 2**62])
        assert vector.first_attempts(timeline, [0, 1]).tolist() == [
            timeline.first_attempt_us(0), timeline.first_attempt_us(1)]


def test_slot_times_unit_above_int64_still_exact() -> None:
    # i·U = 10^11 · 8.64·10^10 ≈ 8.6·10^21 overflows int64, but i·U/s ≈ 8.6·10^12 does not.
    pace = Pace(10**9, US_PER_DAY)
    slots = [10**11, 10**11 + 1, 3 * 10**11 + 7]
    for calendar in (ALWAYS_OPEN, WindowCalendar.from_window(DeliveryTimeWindow(
            (Weekday.SATURDAY, Weekday.SUNDAY), None, None, "America/New_York"))):
        timeline = Timeline(Y2030, pace, calendar=calendar)
        expected = [Y2030 + s * US_PER_DAY // 10**9 if calendar is ALWAYS_OPEN
                    else timeline.first_attempt_us(s) for s in slots]
        assert vector.first_attempts(timeline, slots).tolist() == expected


def test_a_pace_whose_products_exceed_int64_is_computed_exactly() -> None:
    pace = Pace(2**40, 2**30 + 1)  # s·U > 2^63: the scalar path computes every slot
    timeline = Timeline(Y2030, pace)
    slots = [0, 1, 2**40 - 1, 2**45 + 3]
    assert vector.first_attempts(timeline, slots).tolist() == [
        Y2030 + s * (2**30 + 1) // 2**40 for s in slots]


@pytest.mark.parametrize("zone", [None, "Europe/Berlin", "Etc/GMT-14"])
def test_near_year_9999_the_range_error_matches(zone: str | None) -> None:
    calendar = WindowCalendar.from_window(DeliveryTimeWindow(
        (Weekday.MONDAY, Weekday.THURSDAY), TimeOfDay(8, 0), TimeOfDay(12, 30), zone))
    start = MAX_US - 40 * US_PER_DAY
    timeline = Timeline(start, Pace(1, US_PER_HOUR), None, (US_PER_DAY,), 0, calendar)
    # About 9 hours of open time a week: 40 days hold some 50 slots, then year 9999 ends.
    fine = [s for s in range(200) if scalar_first(timeline, [s]) is not PlanRangeError]
    assert 20 < len(fine) < 200
    assert vector_first(timeline, fine) == scalar_first(timeline, fine)
    assert vector_first(timeline, [*fine, fine[-1] + 1]) is PlanRangeError
    # Retries without a deadline raise where attempts_us raises; with one they are cut.
    last = range(0, len(fine))
    with pytest.raises(PlanRangeError):
        [timeline.attempts_us(s) for s in last]
    with pytest.raises(PlanRangeError):
        vector.attempt_columns(timeline, last)
    cut = Timeline(start, Pace(1, US_PER_HOUR), MAX_US + 1, (US_PER_DAY,), 0, calendar)
    assert [c.tolist() for c in vector.attempt_columns(cut, range(len(fine) + 5))] == \
        scalar_columns(cut, range(len(fine) + 5))


def test_near_year_1() -> None:
    calendar = WindowCalendar.from_window(DeliveryTimeWindow(
        (Weekday.MONDAY, Weekday.FRIDAY), TimeOfDay(1, 0), TimeOfDay(3, 0), "Europe/Berlin"))
    timeline = Timeline(MIN_US + 3 * US_PER_HOUR, Pace(2, US_PER_HOUR), None, (60 * 10**6,),
                        0, calendar)
    assert [c.tolist() for c in vector.attempt_columns(timeline, range(300))] == \
        scalar_columns(timeline, range(300))


def test_daily_offsets_see_every_change() -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Berlin")
    first = to_us(datetime(2020, 1, 1, tzinfo=timezone.utc)) // US_PER_DAY
    got = vector.daily_offsets(zone, first, 800).tolist()
    for d in range(800):
        moment = datetime.fromtimestamp((first + d) * 86400, timezone.utc).astimezone(zone)
        offset = moment.utcoffset()
        assert offset is not None
        assert got[d] == offset.total_seconds() * 10**6


@st.composite
def hour_windows(draw: st.DrawFn) -> WindowCalendar:
    """UTC windows on whole hours: with a pace of a few per hour the calendar and the pace
    repeat after a few dozen slots, so the kernel computes one period and repeats it."""
    days = draw(st.sets(st.sampled_from(list(Weekday)), min_size=1, max_size=3))
    a = draw(st.integers(0, 22))
    b = draw(st.integers(a + 1, 23))
    zone = draw(st.sampled_from([None, "Etc/GMT-3"]))
    window = DeliveryTimeWindow(tuple(sorted(days, key=lambda d: d.value)), TimeOfDay(a, 0),
                                TimeOfDay(b, 0), zone)
    return WindowCalendar.from_window(window)


@given(st.one_of(st.just(ALWAYS_OPEN), hour_windows()), st.integers(1, 4), starts,
       st.integers(0, 100), st.integers(0, 600), st.one_of(st.none(), st.integers(1, 2880)),
       st.lists(st.sampled_from([1, 60, 120, 1440]), max_size=3), st.integers(0, US_PER_HOUR))
def test_repeating_calendars_equal_the_scalar_attempts(calendar: Calendar, speed: int,
                                                       start: int, first_slot: int, count: int,
                                                       validity: int | None, gaps: list[int],
                                                       failure_delay: int) -> None:
    deadline = None if validity is None else start + validity * US_PER_MINUTE
    timeline = Timeline(start, Pace(speed, US_PER_HOUR), deadline,
                        tuple(g * US_PER_MINUTE for g in gaps), failure_delay, calendar)
    slots = range(first_slot, first_slot + count)
    got = [c.tolist() for c in vector.attempt_columns(timeline, slots)]
    assert got == scalar_columns(timeline, slots)
    assert vector.first_attempts(timeline, slots).tolist() == [
        timeline.first_attempt_us(s) for s in slots]


def test_a_calendar_the_kernel_does_not_know_is_asked_instant_by_instant() -> None:
    # A paused calendar (S13) is neither always open nor a delivery window. One call a second
    # from T, paused from T+10 s to T+40 s, one retry 5 s after each call. By hand: slots 0-9
    # at T+0..9 s, slot 10 at the resume (T+40 s), slot i >= 10 at T+(30+i) s; a retry due in
    # the pause (slots 5-9: T+10..14 s) moves to T+40 s.
    t, second = to_us(datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)), 1_000_000
    calendar = PausedCalendar(ALWAYS_OPEN, ((t + 10 * second, t + 40 * second),))
    timeline = Timeline(t, Pace(1, second), None, (5 * second,), 0, calendar)
    firsts = [t + i * second for i in range(10)] + [t + (30 + i) * second for i in range(10, 14)]
    retries = [t + (i + 5) * second for i in range(5)] + [t + 40 * second] * 5 \
        + [t + (35 + i) * second for i in range(10, 14)]
    assert vector.first_attempts(timeline, range(14)).tolist() == firsts
    assert [c.tolist() for c in vector.attempt_columns(timeline, range(14))] == [firsts, retries]
    times = np.array([t, t + 10 * second, t + 39 * second, t + 40 * second], dtype=np.int64)
    assert vector.next_open(calendar, times).tolist() == [t, t + 40 * second, t + 40 * second,
                                                          t + 40 * second]
