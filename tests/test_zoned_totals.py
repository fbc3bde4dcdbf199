"""Week totals of zoned windows (ivrsched.rules.zoned): open time summed over weeks whose totals
differ (DST days), days whose windows overlap across a fold at midnight, and the schedule's
refusals. Expected values are worked out by hand from the zones' published changes.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from ivrsched import PlanRangeError
from ivrsched.request.model import DeliveryTimeWindow, TimeOfDay, Weekday
from ivrsched.rules.instants import MAX_US, US_PER_HOUR, to_us
from ivrsched.rules.windows import WindowCalendar
from ivrsched.rules.zoned import ZonedDays

UTC = timezone.utc
EPOCH = date(1970, 1, 1)


def us(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    return to_us(datetime(year, month, day, hour, minute, tzinfo=UTC))


def zagreb_sunday_nights() -> WindowCalendar:
    # Sundays 01:00-04:00 in Zagreb: 3 real hours, 2 on the spring day (02:00-03:00 never is),
    # 4 on the autumn day (02:00-03:00 happens twice).
    return WindowCalendar.from_window(DeliveryTimeWindow(
        (Weekday.SUNDAY,), TimeOfDay(1, 0), TimeOfDay(4, 0), "Europe/Zagreb"))


def test_open_time_over_weeks_of_different_totals() -> None:
    # From Thursday 2030-03-28 to Monday 2030-04-15: Sundays 31 March (spring: 2 h), 7 and 14
    # April (3 h each).
    assert zagreb_sunday_nights().open_between(us(2030, 3, 28), us(2030, 4, 15)) == \
        8 * US_PER_HOUR
    # From Thursday 2030-03-21 to Monday 2030-04-08: 24 March (3 h), 31 March (2 h), 7 April.
    assert zagreb_sunday_nights().open_between(us(2030, 3, 21), us(2030, 4, 8)) == \
        8 * US_PER_HOUR
    # From Thursday 2030-10-24 to Monday 2030-11-11: 27 October (autumn: 4 h), 3 and 10 November.
    assert zagreb_sunday_nights().open_between(us(2030, 10, 24), us(2030, 11, 11)) == \
        10 * US_PER_HOUR
    # And backwards from a calendar first asked about later weeks.
    cal = zagreb_sunday_nights()
    assert cal.open_between(us(2030, 5, 2), us(2030, 5, 6)) == 3 * US_PER_HOUR
    assert cal.open_between(us(2030, 3, 28), us(2030, 4, 15)) == 8 * US_PER_HOUR


def test_a_fold_at_midnight_is_counted_once_between_two_allowed_days() -> None:
    # Santiago fell back at local midnight on 2021-04-04 (00:00 -03 = 03:00Z -> 23:00 -04):
    # Saturday's 23:00-24:00 happened twice. Whole Saturdays and Sundays: Saturday runs from
    # 00:00 -03 (03:00Z on the 3rd) to the last time the clock passes midnight (04:00Z on the
    # 4th), Sunday from there to Monday 00:00 -04 (04:00Z on the 5th): 49 real hours in one
    # stretch, the doubled hour counted once.
    cal = WindowCalendar.from_window(DeliveryTimeWindow(
        (Weekday.SATURDAY, Weekday.SUNDAY), None, None, "America/Santiago"))
    assert list(cal.open_periods(us(2021, 4, 2), us(2021, 4, 6))) == [
        (us(2021, 4, 3, 3), us(2021, 4, 5, 4))]
    assert cal.open_between(us(2021, 4, 2), us(2021, 4, 6)) == 49 * US_PER_HOUR
    # The stretch is contiguous: 26 hours of open time from Saturday's start end at 05:00Z on
    # the 4th (01:00 -04 on Sunday).
    assert cal.advance(us(2021, 4, 3, 3), 26 * US_PER_HOUR) == us(2021, 4, 4, 5)


def test_a_schedule_needs_days_and_part_of_a_day() -> None:
    message = "^a window needs days and a non-empty part of the day$"
    for weekdays, start, end in [((), 0, US_PER_HOUR), ((0,), US_PER_HOUR, US_PER_HOUR),
                                 ((0,), 2 * US_PER_HOUR, US_PER_HOUR),
                                 ((0,), 0, 25 * US_PER_HOUR)]:
        with pytest.raises(ValueError, match=message):
            ZonedDays(weekdays, start, end, "Europe/London")


def test_the_range_errors_say_which_end_was_left() -> None:
    cal = WindowCalendar.from_window(DeliveryTimeWindow(
        (Weekday.MONDAY,), TimeOfDay(9, 0), TimeOfDay(10, 0), "Europe/London"))
    with pytest.raises(PlanRangeError,
                       match=r"^the next opening of the window falls after year 9999$"):
        cal.next_open(MAX_US - 10)
    days = ZonedDays((6,), 9 * US_PER_HOUR, 10 * US_PER_HOUR, "Europe/London")
    first_day = (date(1, 1, 1) - EPOCH).days
    days.cum(first_day + 7)
    with pytest.raises(PlanRangeError,
                       match=r"^the window's open time runs outside years 1\.\.9999$"):
        days.cum(first_day - 28)


def test_totals_reach_two_weeks_before_year_1_and_are_zero_there() -> None:
    # The local Sunday 0001-01-07 09:00-10:00 London (mean time, -00:01:15) is the first open
    # hour; nothing is open before year 1, so the totals before it are all the same.
    days = ZonedDays((6,), 9 * US_PER_HOUR, 10 * US_PER_HOUR, "Europe/London")
    first_day = (date(1, 1, 1) - EPOCH).days
    assert days.cum(first_day + 7) == 0
    assert days.cum(first_day) == -US_PER_HOUR
    assert days.cum(first_day - 8) == -US_PER_HOUR
    assert days.cum(first_day - 14) == -US_PER_HOUR


def test_a_fold_just_after_midnight_is_not_counted_twice() -> None:
    # Goose Bay fell back one minute after midnight on 2009-11-01 (00:01 ADT = 03:01Z -> 23:01
    # AST on the 31st): Sunday's 00:00 is first read at 03:00Z, and Saturday ends when the clock
    # passes midnight for the last time, 04:00Z. Sunday's window starts where Saturday's ends:
    # one stretch from Saturday 00:00 ADT (03:00Z on the 31st) to Monday 00:00 AST (04:00Z on
    # 2 November), 49 real hours, the hour both days claim counted once.
    cal = WindowCalendar.from_window(DeliveryTimeWindow(
        (Weekday.SATURDAY, Weekday.SUNDAY), None, None, "America/Goose_Bay"))
    assert list(cal.open_periods(us(2009, 10, 30), us(2009, 11, 3))) == [
        (us(2009, 10, 31, 3), us(2009, 11, 2, 4))]
    assert cal.open_between(us(2009, 10, 30), us(2009, 11, 3)) == 49 * US_PER_HOUR
    # Sundays only: from the end of Saturday's claim, 04:00Z, to 04:00Z on Monday.
    sundays = WindowCalendar.from_window(DeliveryTimeWindow(
        (Weekday.SUNDAY,), None, None, "America/Goose_Bay"))
    assert list(sundays.open_periods(us(2009, 10, 30), us(2009, 11, 3))) == [
        (us(2009, 11, 1, 3), us(2009, 11, 2, 4))]
