"""Microsecond edges of pacing in UTC and fixed-offset windows (SPEC S3 on S6 open time), and
the year-1/9999 edges of windowed plans (S12).

The reference here walks the window's intervals one by one (listed with ``datetime``'s own
weekday, independently of the implementation's day numbering) and spends open time interval by
interval, with exact integer µs, so starts and targets need not be whole minutes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched import PlanRangeError, plan
from ivrsched.request.model import DeliveryTimeWindow, TimeOfDay, Weekday
from ivrsched.rules.instants import MAX_US, MIN_US, US_PER_DAY, US_PER_HOUR, to_us
from ivrsched.rules.windows import (
    UtcDays,
    WindowCalendar,
    closed_periods,
    describe_days,
    describe_window,
    window_record,
)
from tests.window_references import advance_by_walk

UTC = timezone.utc
EPOCH_DATE = date(1970, 1, 1)


def us(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
       micro: int = 0) -> int:
    return to_us(datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC))


def monday_nine_to_ten(send_at: str, n: int, **extra: Any) -> list[tuple[int, ...]]:
    window = {"days": ["MONDAY"], "from": {"hour": 9, "minute": 0},
              "to": {"hour": 10, "minute": 0}}
    data = {"messages": [{
        "scenarioId": "S", "destinations": [{"to": f"4179302670{i}"} for i in range(n)],
        "sendAt": send_at, "sendingSpeed": {"speed": 1, "timeUnit": "hour"},
        "deliveryTimeWindow": window, **extra}]}
    return [s.attempts_us for s in plan(data, now=datetime(2030, 1, 1, tzinfo=UTC))]


def test_one_microsecond_after_the_opening_the_next_call_is_so_a_week_later() -> None:
    # Mondays 09:00-10:00 UTC, one call per hour of open time. From 09:00:00.000001 the hour of
    # open time is 09:00:00.000001-10:00 (1 h - 1 µs) plus 1 µs of the next Monday (14 January).
    assert monday_nine_to_ten("2030-01-07T09:00:00.000001Z", 3) == [
        (us(2030, 1, 7, 9, 0, 0, 1),), (us(2030, 1, 14, 9, 0, 0, 1),),
        (us(2030, 1, 21, 9, 0, 0, 1),)]


def test_one_microsecond_before_the_closing() -> None:
    # From 09:59:59.999999: 1 µs of this Monday, then 1 h - 1 µs of the next.
    assert monday_nine_to_ten("2030-01-07T09:59:59.999999Z", 2) == [
        (us(2030, 1, 7, 9, 59, 59, 999999),), (us(2030, 1, 14, 9, 59, 59, 999999),)]


def test_a_start_at_the_closing_waits_for_the_next_opening() -> None:
    # 10:00 is closed (the window is half-open): the first call is at the next Monday 09:00.
    assert monday_nine_to_ten("2030-01-07T10:00:00Z", 2) == [
        (us(2030, 1, 14, 9),), (us(2030, 1, 21, 9),)]
    # and 08:59:59.999999 waits 1 µs.
    assert monday_nine_to_ten("2030-01-07T08:59:59.999999Z", 2) == [
        (us(2030, 1, 7, 9),), (us(2030, 1, 14, 9),)]


def test_utc_days_find_the_day_that_reaches_each_total() -> None:
    # Tuesdays and Thursdays 09:00-10:00 UTC: allowed day k (from the Monday 1969-12-29) holds
    # the open-time totals (k h, (k + 1) h]. Day 0 of the numbering is Thursday 1970-01-01;
    # allowed day 0 is Tuesday 1969-12-30 (day -2), allowed day 1 Thursday 1970-01-01 (day 0).
    days = UtcDays((1, 3), 9 * US_PER_HOUR, 10 * US_PER_HOUR)
    hour = US_PER_HOUR
    assert days.day_for_open(1) == (-2, 0)
    assert days.day_for_open(hour) == (-2, 0)
    assert days.day_for_open(hour + 1) == (0, hour)
    assert days.day_for_open(2 * hour) == (0, hour)
    assert days.day_for_open(2 * hour + 1) == (5, 2 * hour)  # Tuesday 1970-01-06
    assert days.day_for_open(0) == (-7, -hour)  # Thursday 1969-12-25 holds (-1 h, 0]
    assert days.cum(-2) == 0 and days.cum(-1) == hour and days.cum(5) == 2 * hour


# -- against a reference that walks the intervals ---------------------------------------------

def reference_intervals(weekdays: frozenset[int], start_us: int, end_us: int, shift_us: int,
                        first: date, count: int) -> list[tuple[int, int]]:
    """The window's UTC intervals of local dates ``first`` .. ``first + count - 1``."""
    intervals = []
    for k in range(count):
        day = first + timedelta(days=k)
        if day.weekday() in weekdays:
            midnight = (day - EPOCH_DATE).days * US_PER_DAY - shift_us
            intervals.append((midnight + start_us, midnight + end_us))
    return intervals


windows = st.tuples(
    st.frozensets(st.integers(0, 6), min_size=1),
    st.integers(0, US_PER_DAY - 2).flatmap(
        lambda a: st.tuples(st.just(a), st.integers(a + 1, min(US_PER_DAY, a + 3 * US_PER_HOUR)))),
    st.sampled_from([0, 2 * US_PER_HOUR, -5 * US_PER_HOUR, 14 * US_PER_HOUR]),
)


@given(windows, st.integers(0, 14 * US_PER_DAY), st.data())
def test_advance_and_open_between_agree_with_the_walked_intervals(
        window: tuple[frozenset[int], tuple[int, int], int], start_offset: int,
        data: st.DataObject) -> None:
    weekdays, (start_us, end_us), shift_us = window
    # Up to four days' worth of open time, from a start in the first two weeks: the answer lies
    # inside the eight walked weeks.
    open_us = data.draw(st.integers(0, 4 * (end_us - start_us)))
    days = UtcDays(tuple(sorted(weekdays)), start_us, end_us, shift_us)
    cal = WindowCalendar(DeliveryTimeWindow((Weekday.MONDAY,)), days)
    first = date(2030, 1, 1)
    intervals = reference_intervals(weekdays, start_us, end_us, shift_us,
                                    first - timedelta(days=3), 8 * 7)
    start = us(2030, 1, 1) + start_offset
    expected = advance_by_walk(intervals, start, open_us)
    assert expected is not None, "walked past the reference's intervals"
    assert cal.advance(start, open_us) == expected
    assert cal.open_between(start, expected) == open_us
    assert cal.open_between(start, expected + 1) == open_us + 1


# -- year 1 and year 9999 ---------------------------------------------------------------------

def test_a_window_plan_from_the_first_instant() -> None:
    # 0001-01-01 is a Monday; Mondays 09:00-10:00 UTC, one call per hour of open time.
    assert date(1, 1, 1).weekday() == 0
    data = {"messages": [{
        "scenarioId": "S", "destinations": [{"to": "41793026700"}, {"to": "41793026701"}],
        "sendAt": "0001-01-01T00:00:00Z", "sendingSpeed": {"speed": 1, "timeUnit": "hour"},
        "deliveryTimeWindow": {"days": ["MONDAY"], "from": {"hour": 9, "minute": 0},
                               "to": {"hour": 10, "minute": 0}}}]}
    attempts = [s.attempts_us for s in plan(data, now=datetime(1, 1, 1, tzinfo=UTC))]
    assert attempts == [(MIN_US + 9 * US_PER_HOUR,), (MIN_US + (7 * 24 + 9) * US_PER_HOUR,)]


@pytest.mark.parametrize("zone", [None, "Etc/GMT+5"])
def test_a_utc_window_opening_after_year_9999_is_out_of_range(zone: str | None) -> None:
    # Fridays 20:00-21:00; Etc/GMT+5 is UTC-05:00 all year, so its 9999-12-31 20:00 is in year
    # 10000 UTC, and there is no later Friday either way after 9999-12-31.
    window: dict[str, Any] = {"days": ["FRIDAY"], "from": {"hour": 20, "minute": 0},
                              "to": {"hour": 21, "minute": 0}}
    if zone is not None:
        window["timeZone"] = zone
    data = {"messages": [{"scenarioId": "S", "destinations": [{"to": "12125550100"}],
                          "sendAt": "9999-12-31T22:00:00Z" if zone is None
                          else "9999-12-26T00:00:00Z", "deliveryTimeWindow": window,
                          "sendingSpeed": {"speed": 1, "timeUnit": "hour"}}]}
    with pytest.raises(PlanRangeError):
        plan(data, now=datetime(9999, 12, 1, tzinfo=UTC))


def test_the_last_window_microsecond_is_open() -> None:
    # Whole Fridays (from/to absent): 9999-12-31 is open to its last microsecond.
    cal = WindowCalendar.from_window(DeliveryTimeWindow((Weekday.FRIDAY,)))
    assert cal.is_open(MAX_US)
    assert cal.open_between(MAX_US - US_PER_HOUR, MAX_US + 1) == US_PER_HOUR + 1
    with pytest.raises(PlanRangeError):
        cal.advance(MAX_US, 1)


# -- words and closed periods ----------------------------------------------------------------

def test_runs_of_three_days_or_more_are_ranges() -> None:
    assert describe_days((Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY)) == "Mon–Wed"
    assert describe_days((Weekday.MONDAY, Weekday.TUESDAY, Weekday.THURSDAY)) == "Mon, Tue, Thu"
    assert describe_days(tuple(Weekday)[:4]) == "Mon–Thu"
    assert describe_days(tuple(Weekday)) == "every day"


def test_a_window_with_one_bound_only_is_whole_days() -> None:
    # The parser never builds one (it wants both or neither); the model reads it as whole days,
    # like the calendar does.
    half = DeliveryTimeWindow((Weekday.MONDAY,), TimeOfDay(9, 0), None)
    assert describe_window(half) == "Mon all day UTC"
    assert window_record(half) == {"days": ["MONDAY"], "timeZone": "UTC"}
    other = DeliveryTimeWindow((Weekday.MONDAY,), None, TimeOfDay(10, 0))
    assert describe_window(other) == "Mon all day UTC"
    assert window_record(other) == {"days": ["MONDAY"], "timeZone": "UTC"}
    monday = us(2030, 1, 7)
    for window in (half, other):
        cal = WindowCalendar.from_window(window)
        assert list(cal.open_periods(monday - US_PER_DAY, monday + 2 * US_PER_DAY)) == [
            (monday, monday + US_PER_DAY)]


def test_utc_days_and_the_calendar_refuse_what_is_no_window() -> None:
    for weekdays, start, end, message in [
        ((), 0, US_PER_HOUR, "weekdays must be non-empty, ascending and distinct"),
        ((2, 1), 0, US_PER_HOUR, "weekdays must be non-empty, ascending and distinct"),
        ((1, 1), 0, US_PER_HOUR, "weekdays must be non-empty, ascending and distinct"),
        ((1,), US_PER_HOUR, US_PER_HOUR, "the window must lie inside the day"),
        ((1,), -1, US_PER_HOUR, "the window must lie inside the day"),
        ((1,), 0, US_PER_DAY + 1, "the window must lie inside the day"),
    ]:
        with pytest.raises(ValueError, match=f"^{message}$"):
            UtcDays(weekdays, start, end)
    cal = WindowCalendar.from_window(DeliveryTimeWindow((Weekday.MONDAY,)))
    with pytest.raises(ValueError, match=r"^open time cannot be negative$"):
        cal.advance(us(2030, 1, 7), -1)


def test_ranges_are_half_open_up_to_the_end_of_representable_time() -> None:
    cal = WindowCalendar.from_window(DeliveryTimeWindow((Weekday.MONDAY,), TimeOfDay(9, 0),
                                                        TimeOfDay(10, 0)))
    # An empty range is empty, even at the first instant.
    assert cal.open_between(MIN_US, MIN_US) == 0
    assert list(cal.open_periods(MIN_US, MIN_US)) == []
    # The range may end just after the last instant, not later.
    friday = us(9999, 12, 31)
    assert cal.open_between(friday, MAX_US + 1) == 0
    assert list(cal.open_periods(friday, MAX_US + 1)) == []
    with pytest.raises(PlanRangeError):
        cal.open_between(friday, MAX_US + 2)
    with pytest.raises(PlanRangeError):
        list(cal.open_periods(friday, MAX_US + 2))
    # A range that ends exactly at an opening holds no open period, not an empty one.
    assert list(cal.open_periods(us(2030, 1, 7, 8), us(2030, 1, 7, 9))) == []
    assert list(cal.open_periods(us(2030, 1, 7, 8), us(2030, 1, 7, 9, 30))) == [
        (us(2030, 1, 7, 9), us(2030, 1, 7, 9, 30))]


class ClosedTenToTwenty:
    """A calendar open everywhere but [10, 20), that (like the range's end) cannot be asked
    about an instant at or after 20."""

    def _check(self, at: int) -> None:
        if at >= 20:
            raise PlanRangeError("beyond this calendar")

    def next_open(self, at_us: int) -> int:
        self._check(at_us)
        return 20 if 10 <= at_us < 20 else at_us

    def advance(self, start_us: int, open_us: int) -> int:  # pragma: no cover - not asked
        raise NotImplementedError

    def open_between(self, start_us: int, end_us: int) -> int:
        self._check(start_us)
        if end_us <= start_us:
            return 0
        self._check(end_us - 1)
        return (end_us - start_us) - max(0, min(end_us, 20) - max(start_us, 10))


def test_closed_periods_of_any_calendar_never_ask_about_the_end() -> None:
    # The end of the range asked about is exclusive and need not be representable.
    assert list(closed_periods(ClosedTenToTwenty(), 0, 20)) == [(10, 20)]
    assert list(closed_periods(ClosedTenToTwenty(), 12, 20)) == [(12, 20)]
    assert list(closed_periods(ClosedTenToTwenty(), 0, 10)) == []
    assert list(closed_periods(ClosedTenToTwenty(), 5, 15)) == [(10, 15)]


def test_a_fixed_offset_window_beyond_2_to_the_53_counts_single_microseconds() -> None:
    # Mondays 09:00-17:00 at UTC+14 (Etc/GMT-14): Monday 9000-01-06 opens at 19:00Z on Sunday
    # 9000-01-05. Its instants are near 2.2 * 10^17 µs, where a float is 32 µs coarse: one
    # microsecond of open time after the opening is still the opening plus one, an integer.
    cal = WindowCalendar.from_window(DeliveryTimeWindow(
        (Weekday.MONDAY,), TimeOfDay(9, 0), TimeOfDay(17, 0), "Etc/GMT-14"))
    opening = us(9000, 1, 5, 19)
    assert opening > 2**53
    assert cal.next_open(opening - 1) == opening
    for k in (1, 7, 8 * US_PER_HOUR - 1):
        reached = cal.advance(opening, k)
        assert reached == opening + k and type(reached) is int
        assert cal.open_between(opening, opening + k) == k
    assert cal.advance(opening - US_PER_HOUR, 1) == opening + 1
