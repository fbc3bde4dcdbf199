"""Both ends of a zoned window on DST days, in several zones (SPEC S6 extension, docs/windows.md).

The rule (docs/windows.md): on local date D the window is one contiguous stretch of real time,
from the first instant whose wall clock reaches D+from to the last instant before which the wall
clock still reads earlier than D+to. At a fall-back change the doubled part of the window is
therefore open both times it happens; at a spring-forward change a skipped ``from``/``to``
becomes the instant of the jump.

Every expected interval is worked out by hand in a comment, and checked once more against a
brute-force reference that reads the wall clock of every minute around D with zoneinfo and takes
the stretch from the first to the last minute whose reading lies inside ``[from, to)`` on D
(the transitions used here fall on whole minutes, so a minute walk is exact).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ivrsched import PlanRangeError, plan
from ivrsched.request.model import DeliveryTimeWindow, TimeOfDay, Weekday
from ivrsched.rules.instants import MAX_US, MIN_US, US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, to_us
from ivrsched.rules.windows import WindowCalendar
from ivrsched.rules.zoned import ZonedDays
from tests.window_references import stretch_by_minutes

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def us(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    """A UTC instant as integer µs."""
    return to_us(datetime(year, month, day, hour, minute, tzinfo=UTC))


def calendar(zone: str, weekday: Weekday, start: tuple[int, int] | None,
             end: tuple[int, int] | None) -> WindowCalendar:
    return WindowCalendar.from_window(DeliveryTimeWindow(
        (weekday,), None if start is None else TimeOfDay(*start),
        None if end is None else TimeOfDay(*end), zone))


# (zone, local date, from, to, expected open stretch in UTC), each worked out by hand.
DST_DAYS: list[tuple[str, date, tuple[int, int], tuple[int, int], tuple[int, int]]] = [
    # London falls back at 01:00Z on 2021-10-31 (02:00 BST -> 01:00 GMT). 00:30 BST is
    # Saturday 23:30Z; the last 01:30 is the GMT one, 01:30Z: two real hours, the second
    # 01:00-01:30 included.
    ("Europe/London", date(2021, 10, 31), (0, 30), (1, 30), (us(2021, 10, 30, 23, 30),
                                                            us(2021, 10, 31, 1, 30))),
    # to = 01:00 on that day: the clock reads 01:00 first at 00:00Z, and just before it falls
    # back to 01:00 again (at 01:00Z) it reads 01:59 BST, which is not earlier than 01:00:
    # the window ends at the first 01:00, 00:00Z.
    ("Europe/London", date(2021, 10, 31), (0, 0), (1, 0), (us(2021, 10, 30, 23),
                                                          us(2021, 10, 31, 0))),
    # London springs forward at 01:00Z on 2021-03-28 (01:00 GMT -> 02:00 BST): a to of 01:30
    # never occurs and becomes the jump, 01:00Z; 00:30 GMT is 00:30Z.
    ("Europe/London", date(2021, 3, 28), (0, 30), (1, 30), (us(2021, 3, 28, 0, 30),
                                                           us(2021, 3, 28, 1))),
    # A from of 01:15 is skipped too: it opens at the jump (01:00Z), to 03:00 BST = 02:00Z.
    ("Europe/London", date(2021, 3, 28), (1, 15), (3, 0), (us(2021, 3, 28, 1),
                                                          us(2021, 3, 28, 2))),
    # New York falls back at 06:00Z on 2021-11-07 (02:00 EDT -> 01:00 EST): 00:30 EDT = 04:30Z,
    # the last 01:30 is EST, 06:30Z.
    ("America/New_York", date(2021, 11, 7), (0, 30), (1, 30), (us(2021, 11, 7, 4, 30),
                                                              us(2021, 11, 7, 6, 30))),
    # New York springs forward at 07:00Z on 2021-03-14 (02:00 EST -> 03:00 EDT): 01:30 EST =
    # 06:30Z, 02:30 is skipped and becomes the jump, 07:00Z.
    ("America/New_York", date(2021, 3, 14), (1, 30), (2, 30), (us(2021, 3, 14, 6, 30),
                                                              us(2021, 3, 14, 7))),
    # Sydney (southern hemisphere) falls back on 2021-04-04 at 16:00Z the day before (03:00
    # AEDT -> 02:00 AEST): 01:30 AEDT = 14:30Z, the last 02:30 is AEST, 16:30Z.
    ("Australia/Sydney", date(2021, 4, 4), (1, 30), (2, 30), (us(2021, 4, 3, 14, 30),
                                                             us(2021, 4, 3, 16, 30))),
    # Lord Howe changes by half an hour: at 15:00Z on 2021-04-03, 02:00 (+11:00) -> 01:30
    # (+10:30). 01:00 +11:00 = 14:00Z; 02:00 is first read at 15:00Z, then the clock reads
    # 01:30-01:59 again, so the last instant before which it reads earlier than 02:00 is the
    # second 02:00, 15:30Z: 90 real minutes.
    ("Australia/Lord_Howe", date(2021, 4, 4), (1, 0), (2, 0), (us(2021, 4, 3, 14),
                                                              us(2021, 4, 3, 15, 30))),
    # Lord Howe springs forward at 15:30Z on 2021-10-02, 02:00 (+10:30) -> 02:30 (+11:00):
    # 01:30 +10:30 = 15:00Z, 02:15 is skipped and becomes the jump, 15:30Z.
    ("Australia/Lord_Howe", date(2021, 10, 3), (1, 30), (2, 15), (us(2021, 10, 2, 15),
                                                                 us(2021, 10, 2, 15, 30))),
    # Santiago springs forward at local midnight (04:00Z on 2021-09-05, 00:00 -04 -> 01:00 -03):
    # a from of 00:00 is skipped and opens at the jump, 04:00Z; 01:30 -03 = 04:30Z.
    ("America/Santiago", date(2021, 9, 5), (0, 0), (1, 30), (us(2021, 9, 5, 4),
                                                            us(2021, 9, 5, 4, 30))),
]


@pytest.mark.parametrize(("zone", "day", "start", "end", "expected"), DST_DAYS,
                         ids=[f"{z}-{d}-{s[0]:02d}{s[1]:02d}" for z, d, s, _, _ in DST_DAYS])
def test_a_window_on_a_dst_day_is_one_stretch_from_the_first_from_to_the_last_to(
        zone: str, day: date, start: tuple[int, int], end: tuple[int, int],
        expected: tuple[int, int]) -> None:
    assert stretch_by_minutes(zone, day, start[0] * 60 + start[1], end[0] * 60 + end[1]) == expected
    cal = calendar(zone, Weekday(day.weekday()), start, end)
    around = us(day.year, day.month, day.day) - 2 * US_PER_DAY
    assert list(cal.open_periods(around, around + 4 * US_PER_DAY)) == [expected]
    a, b = expected
    assert cal.open_between(around, around + 4 * US_PER_DAY) == b - a
    assert cal.next_open(around) == a
    assert cal.is_open(a) and cal.is_open(b - 1)
    assert not cal.is_open(a - 1) and not cal.is_open(b)
    # The last open microsecond is reached after all but one µs of the stretch.
    assert cal.advance(a, b - a - 1) == b - 1


def paced(zone: str, send_at: str, every_minutes: int, n: int, window: dict[str, Any]) -> list[int]:
    """First attempts of ``n`` destinations, one per ``every_minutes`` of open time."""
    data = {"messages": [{
        "scenarioId": "S", "destinations": [{"to": f"4420794600{i:02d}"} for i in range(n)],
        "sendAt": send_at, "sendingSpeed": {"speed": 60 // every_minutes, "timeUnit": "hour"},
        "deliveryTimeWindow": window | {"timeZone": zone}}]}
    the_plan = plan(data, now=datetime(2021, 1, 1, tzinfo=UTC))
    return [s.attempts_us[0] for s in the_plan]


SUNDAY_0030_0130 = {"days": ["SUNDAY"], "from": {"hour": 0, "minute": 30},
                    "to": {"hour": 1, "minute": 30}}


def test_london_fall_back_keeps_the_second_one_to_half_past_one() -> None:
    # Two real hours are open on Sunday 2021-10-31 (Sat 23:30Z to Sun 01:30Z); one call every
    # 30 minutes of open time makes four calls that night, the fifth the next Sunday at
    # 00:30 GMT = 00:30Z. The last of the four, 01:00Z, is the second 01:00 on the clock.
    assert paced("Europe/London", "2021-10-30T12:00:00Z", 30, 5, SUNDAY_0030_0130) == [
        us(2021, 10, 30, 23, 30), us(2021, 10, 31, 0), us(2021, 10, 31, 0, 30),
        us(2021, 10, 31, 1), us(2021, 11, 7, 0, 30)]


def test_london_spring_forward_leaves_half_an_hour() -> None:
    # On 2021-03-28 only 00:30-01:00 GMT (00:30Z-01:00Z) is open; one call every 15 minutes:
    # two that night, the third on 2021-04-04 at 00:30 BST = Saturday 23:30Z.
    assert paced("Europe/London", "2021-03-27T12:00:00Z", 15, 3, SUNDAY_0030_0130) == [
        us(2021, 3, 28, 0, 30), us(2021, 3, 28, 0, 45), us(2021, 4, 3, 23, 30)]


def test_santiago_sunday_starts_at_one_on_the_spring_day() -> None:
    # The whole of Sunday 2021-09-05 in Santiago: 00:00 never happens, the day starts at the
    # jump (04:00Z) and ends at midnight -03 (03:00Z on Monday): 23 real hours.
    cal = calendar("America/Santiago", Weekday.SUNDAY, None, None)
    assert list(cal.open_periods(us(2021, 9, 4), us(2021, 9, 7))) == [
        (us(2021, 9, 5, 4), us(2021, 9, 6, 3))]


# -- totals counted backwards from the first week asked about ----------------------------------

def test_results_do_not_depend_on_the_order_of_calls() -> None:
    # Sundays 09:00-10:00 in London. A calendar first asked about June 2030, then about March
    # 2030, totals March's weeks before its first week; the answers must be those of a fresh
    # calendar. From Friday 2030-03-01 00:00Z, 90 minutes of open time: Sunday 3 March 09:00-
    # 10:00 GMT (09:00Z-10:00Z), then 30 minutes on Sunday 10 March, 09:30Z.
    def fresh() -> WindowCalendar:
        return calendar("Europe/London", Weekday.SUNDAY, (9, 0), (10, 0))

    expected = us(2030, 3, 10, 9, 30)
    assert fresh().advance(us(2030, 3, 1), 90 * US_PER_MINUTE) == expected
    used = fresh()
    # 2 June 09:00 BST = 08:00Z; 30 minutes after it.
    assert used.advance(us(2030, 6, 1), 30 * US_PER_MINUTE) == us(2030, 6, 2, 8, 30)
    assert used.advance(us(2030, 3, 1), 90 * US_PER_MINUTE) == expected
    assert used.advance(us(2030, 3, 1), 60 * US_PER_MINUTE) == us(2030, 3, 10, 9)
    assert used.advance(us(2030, 3, 1), 1) == us(2030, 3, 3, 9) + 1
    assert used.open_between(us(2030, 3, 1), us(2030, 3, 11)) == 2 * US_PER_HOUR


def sundays_nine_to_ten() -> ZonedDays:
    return ZonedDays((6,), 9 * US_PER_HOUR, 10 * US_PER_HOUR, "Europe/London")


def test_day_for_open_finds_days_before_the_first_week_totalled() -> None:
    days = sundays_nine_to_ten()
    # Week totals start at the week of 2030-06-03 (a Monday, day 22068); the Sundays before it
    # have negative running totals: Sunday 2 June holds (-1 h, 0], Sunday 26 May (-2 h, -1 h].
    june_3 = (date(2030, 6, 3) - date(1970, 1, 1)).days
    assert days.cum(june_3) == 0
    hour = US_PER_HOUR
    assert days.day_for_open(0) == (june_3 - 1, -hour)
    assert days.day_for_open(-hour + 1) == (june_3 - 1, -hour)
    assert days.day_for_open(-hour) == (june_3 - 8, -2 * hour)
    assert days.day_for_open(-5 * hour) == (june_3 - 36, -6 * hour)
    # And forwards: Sunday 9 June holds (0, 1 h].
    assert days.day_for_open(1) == (june_3 + 6, 0)
    assert days.day_for_open(hour) == (june_3 + 6, 0)
    assert days.day_for_open(hour + 1) == (june_3 + 13, hour)


def test_running_totals_before_year_1_and_after_year_9999_are_out_of_range() -> None:
    days = sundays_nine_to_ten()
    first_day = (date(1, 1, 1) - date(1970, 1, 1)).days
    last_day = (date(9999, 12, 31) - date(1970, 1, 1)).days
    assert days.cum(first_day + 7) >= 0  # the first week of year 1 can be totalled
    with pytest.raises(PlanRangeError, match=r"outside years 1\.\.9999"):
        days.cum(first_day - 28)
    with pytest.raises(PlanRangeError, match=r"outside years 1\.\.9999"):
        days.day_for_open(-(10**6) * US_PER_DAY)
    later = sundays_nine_to_ten()
    assert later.cum(last_day - 7) >= 0
    with pytest.raises(PlanRangeError):
        later.day_for_open(10**7 * US_PER_DAY)
    with pytest.raises(PlanRangeError):
        later.cum(last_day + 30)


def test_a_window_opening_only_after_year_9999_is_out_of_range_for_an_unbounded_plan() -> None:
    # New York, Fridays 20:00-21:00. 9999-12-31 is a Friday; its 20:00 EST is 01:00Z in year
    # 10000. A paced message has no deadline (S4), so its first call would be there: S12.
    assert date(9999, 12, 31).weekday() == 4
    window = {"days": ["FRIDAY"], "from": {"hour": 20, "minute": 0},
              "to": {"hour": 21, "minute": 0}, "timeZone": "America/New_York"}
    data = {"messages": [{"scenarioId": "S", "destinations": [{"to": "12125550100"}],
                          "sendAt": "9999-12-26T00:00:00Z", "deliveryTimeWindow": window,
                          "sendingSpeed": {"speed": 1, "timeUnit": "hour"}}]}
    with pytest.raises(PlanRangeError):
        plan(data, now=datetime(9999, 12, 1, tzinfo=UTC))
    # The Friday before (9999-12-24 20:00 EST = 12-25T01:00Z) is still in range.
    data["messages"][0]["sendAt"] = "9999-12-24T00:00:00Z"
    the_plan = plan(data, now=datetime(9999, 12, 1, tzinfo=UTC))
    assert [s.attempts_us for s in the_plan] == [(us(9999, 12, 25, 1),)]


def test_zoned_calendar_at_the_first_and_last_instants() -> None:
    cal = calendar("America/New_York", Weekday.MONDAY, None, None)
    # 0001-01-01 is a Monday; New York's local mean time is -04:56:02, so that local Monday
    # began at 04:56:02Z and runs a whole day from there.
    assert date(1, 1, 1).weekday() == 0
    opening = MIN_US + (4 * 3600 + 56 * 60 + 2) * 10**6
    assert cal.next_open(MIN_US) == opening
    assert cal.open_between(MIN_US, opening + US_PER_HOUR) == US_PER_HOUR
    with pytest.raises(PlanRangeError):
        cal.next_open(MAX_US)


@pytest.mark.parametrize(("zone", "day", "jump"), [
    ("Europe/London", date(2021, 3, 28), us(2021, 3, 28, 1)),          # 01:00-01:59 skipped
    ("America/New_York", date(2021, 3, 14), us(2021, 3, 14, 7)),       # 02:00-02:59 skipped
    ("Australia/Lord_Howe", date(2021, 10, 3), us(2021, 10, 2, 15, 30)),  # 02:00-02:29 skipped
])
def test_every_skipped_minute_opens_exactly_at_the_jump(zone: str, day: date, jump: int) -> None:
    tz = ZoneInfo(zone)
    before = datetime.fromtimestamp((jump - 1) // 10**6, tz=UTC).astimezone(tz)
    after = datetime.fromtimestamp(jump // 10**6, tz=UTC).astimezone(tz)
    skipped = (after.hour * 60 + after.minute) - (before.hour * 60 + before.minute + 1)
    first = before.hour * 60 + before.minute + 1
    assert skipped in (30, 60)
    for minute in range(first, first + skipped):
        cal = calendar(zone, Weekday(day.weekday()), divmod(minute, 60), (23, 0))
        assert cal.next_open(jump - 12 * US_PER_HOUR) == jump, minute


def test_a_fresh_schedule_counts_totals_from_week_0() -> None:
    # Nothing asked before: totals count from the Monday 1969-12-29 (week 0). Sundays
    # 09:00-10:00 London: the first total is reached on Sunday 1970-01-04 (day 3), the
    # (1 h + 1)-th on Sunday 1970-01-11 (day 10).
    assert sundays_nine_to_ten().day_for_open(1) == (3, 0)
    assert sundays_nine_to_ten().day_for_open(US_PER_HOUR + 1) == (10, US_PER_HOUR)


def test_the_schedule_describes_itself() -> None:
    days = ZonedDays((0, 6), 9 * US_PER_HOUR, 10 * US_PER_HOUR, "Europe/London")
    assert repr(days) == ("ZonedDays(weekdays=[0, 6], start_us=32400000000, "
                          "end_us=36000000000, zone_name='Europe/London')")


def test_a_window_wholly_inside_a_skipped_hour_is_closed_that_day() -> None:
    # New York springs forward at 07:00Z on Sunday 2021-03-14 (02:00 EST -> 03:00 EDT): no
    # clock in New York reads 02:10-02:50 that day, so the window is shut; it opens next on
    # Sunday 2021-03-21 at 02:10 EDT = 06:10Z, for 40 minutes.
    cal = calendar("America/New_York", Weekday.SUNDAY, (2, 10), (2, 50))
    around = us(2021, 3, 12)
    assert list(cal.open_periods(around, around + 4 * US_PER_DAY)) == []
    assert cal.open_between(around, around + 4 * US_PER_DAY) == 0
    assert not cal.is_open(us(2021, 3, 14, 7))
    assert cal.next_open(around) == us(2021, 3, 21, 6, 10)
    assert cal.advance(around, 0) == us(2021, 3, 21, 6, 10)
    assert cal.advance(around, 40 * US_PER_MINUTE - 1) == us(2021, 3, 21, 6, 49, ) + 59_999_999
