"""Worked examples of delivery time windows (SPEC S6, issue 6).

Every expected instant is worked out by hand in a comment; the properties against a brute-force
reference are in test_windows_properties.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ivrsched import PlanRangeError, RequestError, forecast, parse_request, plan
from ivrsched.planning.planner import calendar_for
from ivrsched.request.model import DeliveryTimeWindow, TimeOfDay, Weekday
from ivrsched.rules.instants import MAX_US, MIN_US, US_PER_HOUR, US_PER_MINUTE, format_us, to_us
from ivrsched.rules.open_time import ALWAYS_OPEN
from ivrsched.rules.windows import (
    WindowCalendar,
    _closed_periods_by_search,
    closed_periods,
    describe_window,
    window_record,
)

UTC = timezone.utc
WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
OFFICE = {"days": WEEKDAYS, "from": {"hour": 9, "minute": 0}, "to": {"hour": 17, "minute": 0}}


def us(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> int:
    """A UTC instant as integer µs."""
    return to_us(datetime(year, month, day, hour, minute, tzinfo=UTC))


def request(window: dict[str, Any] | None, n: int, **extra: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "scenarioId": "scenario",
        "destinations": [{"to": f"38591{i:07d}"} for i in range(n)],
        **extra,
    }
    if window is not None:
        message["deliveryTimeWindow"] = window
    return {"messages": [message]}


def window(days: tuple[Weekday, ...], start: tuple[int, int] | None,
           end: tuple[int, int] | None, zone: str | None = None) -> DeliveryTimeWindow:
    return DeliveryTimeWindow(days, None if start is None else TimeOfDay(*start),
                              None if end is None else TimeOfDay(*end), zone)


# -- the weekend check ------------------------------------------------------------

FRIDAY_1600 = datetime(2030, 1, 4, 16, 0, tzinfo=UTC)


def weekend_plan() -> list[int]:
    p = plan(request(OFFICE, 100, sendingSpeed={"speed": 10, "timeUnit": "hour"}),
             now=FRIDAY_1600)
    return [s.attempts_us[0] for s in p]


def test_friday_afternoon_then_monday_morning() -> None:
    assert FRIDAY_1600.weekday() == 4  # a Friday
    firsts = weekend_plan()
    # 10 per hour: one every 6 minutes of open time. Friday 16:00-17:00 holds offsets
    # 0, 6, ..., 54 min (slots 0..9); slot 10 reaches 60 min exactly at the 17:00 closing, so it
    # moves to Monday 09:00; then Monday 09:06, 09:12, ...
    assert firsts[:10] == [us(2030, 1, 4, 16, 6 * k) for k in range(10)]
    assert firsts[10:13] == [us(2030, 1, 7, 9, 0), us(2030, 1, 7, 9, 6), us(2030, 1, 7, 9, 12)]
    # Monday 09:00-17:00 holds 8 h × 10 = 80 slots (10..89); slots 90..99 are Tuesday
    # 09:00..09:54.
    assert firsts[89] == us(2030, 1, 7, 16, 54)
    assert firsts[90] == us(2030, 1, 8, 9, 0)
    assert firsts[99] == us(2030, 1, 8, 9, 54)


def test_no_call_on_the_weekend_and_all_inside_the_window() -> None:
    for at in weekend_plan():
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=at)
        assert moment.weekday() < 5
        assert 9 <= moment.hour < 17


def test_rate_cap_holds_in_every_hour_also_across_the_weekend() -> None:
    firsts = weekend_plan()
    # The busiest half-open hour starts at an attempt, so these windows are all we must check.
    for a in firsts:
        assert sum(1 for t in firsts if a <= t < a + US_PER_HOUR) <= 10
    # Across the weekend: Friday 16:30 + 1 h of wall time has Friday's 16:30..16:54 only (5).
    assert sum(1 for t in firsts if us(2030, 1, 4, 16, 30) <= t < us(2030, 1, 4, 17, 30)) == 5


def test_first_attempts_before_agrees_at_the_window_boundaries() -> None:
    p = plan(request(OFFICE, 100, sendingSpeed={"speed": 10, "timeUnit": "hour"}),
             now=FRIDAY_1600)
    message = p.messages[0]
    # Strictly before Friday 16:54: slots 0..8; at 16:54:00.000001 slot 9 is counted too.
    assert message.first_attempts_before(us(2030, 1, 4, 16, 54)) == 9
    assert message.first_attempts_before(us(2030, 1, 4, 16, 54) + 1) == 10
    # The whole weekend, up to and including Monday 09:00 itself: still 10.
    assert message.first_attempts_before(us(2030, 1, 5, 12)) == 10
    assert message.first_attempts_before(us(2030, 1, 7, 9)) == 10
    assert message.first_attempts_before(us(2030, 1, 7, 9) + 1) == 11


def test_start_in_a_closed_period_waits_for_the_opening() -> None:
    # Saturday noon: everything waits for Monday 09:00 (unpaced: all at the opening), which is
    # before the deadline (Saturday 12:00 + 48 h = Monday 12:00).
    p = plan(request(OFFICE, 3), now=datetime(2030, 1, 5, 12, tzinfo=UTC))
    assert [s.attempts_us for s in p] == [(us(2030, 1, 7, 9),)] * 3
    # Paced, 10/hour: 09:00, 09:06, 09:12 on Monday.
    p = plan(request(OFFICE, 3, sendingSpeed={"speed": 10, "timeUnit": "hour"}),
             now=datetime(2030, 1, 5, 12, tzinfo=UTC))
    assert [s.attempts_us[0] for s in p] == [us(2030, 1, 7, 9, 6 * k) for k in range(3)]


# -- retries ------------------------------------------------------------------------------


def test_retry_in_a_closed_period_moves_to_the_next_opening() -> None:
    # Thursday 2030-01-03 16:30; retries 60, 60 min. Retry 1 at 17:30 is closed (17:00 ends the
    # window) -> Friday 09:00; retry 2 at Friday 10:00 is open. Deadline: 48 h after the start,
    # Saturday 16:30, cuts neither.
    p = plan(request(OFFICE, 1, retry={"minPeriod": 60, "maxPeriod": 60, "maxCount": 2}),
             now=datetime(2030, 1, 3, 16, 30, tzinfo=UTC))
    assert p.messages[0][0].attempts_us == (us(2030, 1, 3, 16, 30), us(2030, 1, 4, 9),
                                            us(2030, 1, 4, 10))


def test_validity_cuts_a_moved_retry() -> None:
    # Retries every 480 min. Thursday 16:30 + 8 h = Friday 00:30 -> Friday 09:00 (open);
    # Friday 09:00 + 8 h = 17:00, the closing instant, is closed -> Monday 09:00, which is after
    # the deadline (Saturday 16:30): dropped, and so is the third retry.
    p = plan(request(OFFICE, 1, retry={"minPeriod": 480, "maxPeriod": 480, "maxCount": 3}),
             now=datetime(2030, 1, 3, 16, 30, tzinfo=UTC))
    assert p.messages[0][0].attempts_us == (us(2030, 1, 3, 16, 30), us(2030, 1, 4, 9))


# -- the calendar's three answers at boundaries -------------------------------------------


def office_calendar() -> WindowCalendar:
    return WindowCalendar.from_window(window(tuple(Weekday)[:5], (9, 0), (17, 0)))


def test_window_is_half_open() -> None:
    cal = office_calendar()
    assert cal.is_open(us(2030, 1, 7, 9))  # Monday 09:00 opens
    assert not cal.is_open(us(2030, 1, 7, 17))  # Monday 17:00 is closed
    assert cal.is_open(us(2030, 1, 7, 17) - 1)
    assert cal.next_open(us(2030, 1, 7, 17)) == us(2030, 1, 8, 9)
    assert cal.next_open(us(2030, 1, 4, 17)) == us(2030, 1, 7, 9)  # Friday close -> Monday


def test_advance_never_returns_a_closing_instant() -> None:
    cal = office_calendar()
    monday = us(2030, 1, 7, 9)
    assert cal.advance(monday, 8 * US_PER_HOUR - 1) == us(2030, 1, 7, 17) - 1
    assert cal.advance(monday, 8 * US_PER_HOUR) == us(2030, 1, 8, 9)
    # 40 h of open time = one working week: Monday 09:00 + 40 h -> next Monday 09:00.
    assert cal.advance(monday, 40 * US_PER_HOUR) == us(2030, 1, 14, 9)


def test_open_between_counts_only_open_time() -> None:
    cal = office_calendar()
    # Friday 12:00 -> Monday 12:00: Friday 12-17 (5 h) + Monday 09-12 (3 h) = 8 h.
    assert cal.open_between(us(2030, 1, 4, 12), us(2030, 1, 7, 12)) == 8 * US_PER_HOUR
    assert cal.open_between(us(2030, 1, 7, 12), us(2030, 1, 4, 12)) == 0
    # A year of weeks: 52 weeks × 40 h, from Monday 2030-01-07 00:00 to Monday 2031-01-06.
    assert cal.open_between(us(2030, 1, 7), us(2031, 1, 6)) == 52 * 40 * US_PER_HOUR


def test_huge_index_is_constant_time() -> None:
    cal = office_calendar()
    # 10^6 weeks of open time would leave year 9999: an error, computed without walking.
    with pytest.raises(PlanRangeError):
        cal.advance(us(2030, 1, 7, 9), 10**6 * 40 * US_PER_HOUR)
    # 100 000 weeks after Monday 2030-01-07 09:00 (700 000 days later) is a Monday at 09:00.
    expected = to_us(datetime(2030, 1, 7, 9, tzinfo=UTC) + timedelta(days=700_000))
    assert cal.advance(us(2030, 1, 7, 9), 100_000 * 40 * US_PER_HOUR) == expected


def test_whole_consecutive_days_are_one_open_stretch() -> None:
    # Saturday and Sunday all day: Saturday 00:00 -> Monday 00:00, 48 h in one piece.
    cal = WindowCalendar.from_window(window((Weekday.SATURDAY, Weekday.SUNDAY), None, None))
    saturday = us(2030, 1, 5)
    assert cal.advance(saturday, 24 * US_PER_HOUR) == us(2030, 1, 6)  # Sunday midnight: open
    assert cal.advance(saturday, 48 * US_PER_HOUR) == us(2030, 1, 12)  # next Saturday
    assert list(cal.open_periods(us(2030, 1, 1), us(2030, 1, 15))) == [
        (us(2030, 1, 5), us(2030, 1, 7)), (us(2030, 1, 12), us(2030, 1, 14))]


def test_every_day_all_day_is_always_open() -> None:
    cal = WindowCalendar.from_window(window(tuple(Weekday), None, None))
    start = us(2030, 1, 1, 3, 7)
    for x in (0, 1, US_PER_HOUR, 10**12):
        assert cal.advance(start, x) == ALWAYS_OPEN.advance(start, x)
    assert list(closed_periods(cal, start, start + 10**12)) == []


def test_closed_periods_for_plots() -> None:
    cal = office_calendar()
    # Friday 12:00 -> Tuesday 12:00: closed Friday 17:00 -> Monday 09:00, Monday 17:00 ->
    # Tuesday 09:00.
    start, end = us(2030, 1, 4, 12), us(2030, 1, 8, 12)
    expected = [(us(2030, 1, 4, 17), us(2030, 1, 7, 9)), (us(2030, 1, 7, 17), us(2030, 1, 8, 9))]
    assert list(closed_periods(cal, start, end)) == expected
    assert list(_closed_periods_by_search(cal, start, end)) == expected
    assert list(closed_periods(ALWAYS_OPEN, start, end)) == []
    # A range that starts and ends closed is clipped to it.
    assert list(closed_periods(cal, us(2030, 1, 5), us(2030, 1, 6))) == [
        (us(2030, 1, 5), us(2030, 1, 6))]


# -- Europe/Zagreb on its DST days ---------------------------------------------------------

ZAGREB = "Europe/Zagreb"
SPRING = date(2030, 3, 31)  # last Sunday of March: 02:00 CET -> 03:00 CEST (01:00Z)
AUTUMN = date(2030, 10, 27)  # last Sunday of October: 03:00 CEST -> 02:00 CET (01:00Z)


def test_zagreb_dates_are_the_dst_days() -> None:
    # Independent check of the dates: the offset at local noon changes across them.
    zone = ZoneInfo(ZAGREB)
    for day, before, after in ((SPRING, 1, 2), (AUTUMN, 2, 1)):
        assert day.weekday() == 6
        noon_before = datetime(day.year, day.month, day.day - 1, 12, tzinfo=zone)
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
        assert noon_before.utcoffset() == timedelta(hours=before)
        assert noon.utcoffset() == timedelta(hours=after)


def test_zagreb_nine_to_eleven_is_two_real_hours_on_both_dst_days() -> None:
    cal = WindowCalendar.from_window(window((Weekday.SUNDAY,), (9, 0), (11, 0), ZAGREB))
    # Spring: 09:00 CEST = 07:00Z, 11:00 CEST = 09:00Z. Autumn: 09:00 CET = 08:00Z, 10:00Z.
    for day, opening in ((SPRING, 7), (AUTUMN, 8)):
        midnight = us(day.year, day.month, day.day)
        assert cal.open_between(midnight, midnight + 24 * US_PER_HOUR) == 2 * US_PER_HOUR
        assert cal.next_open(midnight) == us(day.year, day.month, day.day, opening)
        assert list(cal.open_periods(midnight, midnight + 24 * US_PER_HOUR)) == [
            (us(day.year, day.month, day.day, opening),
             us(day.year, day.month, day.day, opening + 2))]


def test_zagreb_paced_across_the_spring_change() -> None:
    # One call every 30 min, 09:00-11:00 Zagreb every day, from Saturday 2030-03-30 08:00Z.
    # Saturday (CET, +1): 09:00, 09:30, 10:00, 10:30 local = 08:00..09:30Z.
    # Sunday (CEST, +2): 09:00, ... local = 07:00..08:30Z. Monday likewise 07:00Z...
    p = plan(request({"days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY",
                               "SATURDAY", "SUNDAY"],
                      "from": {"hour": 9, "minute": 0}, "to": {"hour": 11, "minute": 0},
                      "timeZone": ZAGREB},
                     9, sendingSpeed={"speed": 2, "timeUnit": "hour"}),
             now=datetime(2030, 3, 30, 8, tzinfo=UTC))
    firsts = [s.attempts_us[0] for s in p]
    assert firsts == [us(2030, 3, 30, 8), us(2030, 3, 30, 8, 30), us(2030, 3, 30, 9),
                      us(2030, 3, 30, 9, 30), us(2030, 3, 31, 7), us(2030, 3, 31, 7, 30),
                      us(2030, 3, 31, 8), us(2030, 3, 31, 8, 30), us(2030, 4, 1, 7)]


def test_zagreb_window_over_the_changed_hours() -> None:
    # 01:00-04:00 local covers the skipped hour (spring) and the doubled hour (autumn).
    cal = WindowCalendar.from_window(window((Weekday.SUNDAY,), (1, 0), (4, 0), ZAGREB))
    # Spring: 01:00 CET = 00:00Z .. 04:00 CEST = 02:00Z: 2 real hours (02:00-03:00 never is).
    spring = us(2030, 3, 31)
    assert list(cal.open_periods(spring - 12 * US_PER_HOUR, spring + 12 * US_PER_HOUR)) == [
        (us(2030, 3, 31, 0), us(2030, 3, 31, 2))]
    # Autumn: 01:00 CEST = Saturday 23:00Z .. 04:00 CET = 03:00Z: 4 real hours (the doubled hour
    # is open both times it happens).
    autumn = us(2030, 10, 27)
    assert list(cal.open_periods(autumn - 12 * US_PER_HOUR, autumn + 12 * US_PER_HOUR)) == [
        (us(2030, 10, 26, 23), us(2030, 10, 27, 3))]


def test_no_attempt_in_a_missing_hour_and_none_twice_in_a_doubled_hour() -> None:
    cal = WindowCalendar.from_window(window((Weekday.SUNDAY,), (1, 0), (4, 0), ZAGREB))
    zone = ZoneInfo(ZAGREB)
    # Spring, every 30 min from Saturday noon: 00:00Z, 00:30Z, 01:00Z, 01:30Z = 01:00, 01:30 CET,
    # 03:00, 03:30 CEST (02:xx does not exist); 2 h of open time, so the 5th is next Sunday.
    spring = [cal.advance(us(2030, 3, 30, 12), k * 30 * US_PER_MINUTE) for k in range(5)]
    assert spring == [us(2030, 3, 31, 0), us(2030, 3, 31, 0, 30), us(2030, 3, 31, 1),
                      us(2030, 3, 31, 1, 30), us(2030, 4, 6, 23)]  # 7 April 01:00 CEST
    # Autumn, every 30 min from 23:00Z: 01:00, 01:30, 02:00, 02:30 CEST (fold 0), 02:00, 02:30
    # CET (fold 1), 03:00, 03:30 CET; 4 h of open time, so the 9th is next Sunday 01:00 CET.
    autumn = [cal.advance(us(2030, 10, 26, 12), k * 30 * US_PER_MINUTE) for k in range(9)]
    assert autumn == [us(2030, 10, 26, 23) + k * 30 * US_PER_MINUTE for k in range(8)] + [
        us(2030, 11, 3, 0)]
    readings = []
    for at in spring + autumn:
        local = datetime.fromtimestamp(at // 10**6, tz=UTC).astimezone(zone)
        # The local reading (with its fold) names exactly this instant: it exists.
        assert to_us(local) == at
        readings.append((local.replace(tzinfo=None), local.fold))
    # Each attempt once: no two share a reading, even in the doubled hour.
    assert len(set(readings)) == len(readings)
    assert [r for r in readings if r[0].hour == 2] == [
        (datetime(2030, 10, 27, 2, 0), 0), (datetime(2030, 10, 27, 2, 30), 0),
        (datetime(2030, 10, 27, 2, 0), 1), (datetime(2030, 10, 27, 2, 30), 1)]


def test_skipped_from_opens_at_the_jump() -> None:
    # 02:30-05:00 local: on the spring day 02:30 does not exist; the window opens at the jump,
    # 03:00 CEST = 01:00Z, and closes at 05:00 CEST = 03:00Z.
    cal = WindowCalendar.from_window(window((Weekday.SUNDAY,), (2, 30), (5, 0), ZAGREB))
    assert cal.next_open(us(2030, 3, 31)) == us(2030, 3, 31, 1)
    assert cal.open_between(us(2030, 3, 31), us(2030, 4, 1)) == 2 * US_PER_HOUR


def test_fixed_offset_zone_is_the_utc_calendar_shifted() -> None:
    # Etc/GMT-2 is UTC+2 all year: 09:00-17:00 local = 07:00-15:00Z.
    cal = WindowCalendar.from_window(window(tuple(Weekday)[:5], (9, 0), (17, 0), "Etc/GMT-2"))
    assert cal.next_open(us(2030, 1, 4, 15)) == us(2030, 1, 7, 7)
    assert cal.advance(us(2030, 1, 7, 7), 8 * US_PER_HOUR) == us(2030, 1, 8, 7)


# -- range (S12) --------------------------------------------------------------------------


@pytest.mark.parametrize(("zone", "opening_hour"), [(None, 9), (ZAGREB, 8)])
def test_instants_outside_years_1_to_9999_raise_plan_range_error(zone: str | None,
                                                                 opening_hour: int) -> None:
    cal = WindowCalendar.from_window(window((Weekday.MONDAY,), (9, 0), (10, 0), zone))
    # 9999-12-31 is a Friday: after its 00:00 the next Monday opening is in year 10000.
    assert date(9999, 12, 31).weekday() == 4
    with pytest.raises(PlanRangeError):
        cal.next_open(MAX_US - 10)
    with pytest.raises(PlanRangeError):
        cal.next_open(MAX_US + 1)
    with pytest.raises(PlanRangeError):
        cal.open_between(MIN_US - 1, 0)
    with pytest.raises(PlanRangeError):
        cal.advance(us(9999, 12, 1), 10 * US_PER_HOUR)
    # The last Monday of year 9999 (27 December) still opens (09:00 CET is 08:00Z).
    assert cal.next_open(us(9999, 12, 20, 10)) == us(9999, 12, 27, opening_hour)
    assert cal.advance(us(9999, 12, 20, 10), 30 * US_PER_MINUTE) == \
        us(9999, 12, 27, opening_hour, 30)


def test_a_plan_that_leaves_the_range_is_refused() -> None:
    with pytest.raises(PlanRangeError):
        plan(request(OFFICE, 2, sendingSpeed={"speed": 1, "timeUnit": "day"}),
             now=datetime(9999, 12, 29, tzinfo=UTC))


@pytest.mark.parametrize("zone", [None, ZAGREB])
def test_an_opening_after_year_9999_is_past_the_deadline_not_an_error(zone: str | None) -> None:
    # Start Wednesday 9999-12-29 00:00Z, deadline 01:00Z; the window opens on Mondays only, and
    # the next Monday is in year 10000: no attempt happens, and the plan is in range (S12).
    mondays = {"days": ["MONDAY"]} | ({} if zone is None else {"timeZone": zone})
    data = request(mondays, 2, sendAt="9999-12-29T00:00:00Z", validityPeriod=60,
                   retry={"minPeriod": 1, "maxPeriod": 1, "maxCount": 1})
    message_plan = plan(data, now=datetime(9999, 12, 1, tzinfo=UTC)).messages[0]
    assert [s.attempts_us for s in message_plan] == [(), ()]
    assert message_plan.first_attempts_before(MAX_US) == 0


@pytest.mark.parametrize(("zone", "closing"), [
    # Friday 9999-12-31 all day: Zagreb (CET, +01:00) closes at local midnight = 23:00Z;
    # St John's (-03:30 in December) would close at 10000-01-01T03:30Z, past the range, so its
    # window runs to the end of representable time (MAX_US + 1).
    (ZAGREB, us(9999, 12, 31, 23)),
    ("America/St_Johns", MAX_US + 1),
    (None, MAX_US + 1),
])
def test_the_last_day_of_year_9999_opens_in_every_zone(zone: str | None, closing: int) -> None:
    cal = WindowCalendar.from_window(window((Weekday.FRIDAY,), None, None, zone))
    ten = us(9999, 12, 31, 10)
    assert cal.next_open(ten) == ten
    assert cal.open_between(ten, MAX_US + 1) == closing - ten
    assert cal.advance(ten, 3 * US_PER_HOUR) == us(9999, 12, 31, 13)
    # Three calls an hour apart from 10:00Z, all on that Friday: a plan and its forecast.
    friday = {"days": ["FRIDAY"]} | ({} if zone is None else {"timeZone": zone})
    data = request(friday, 3, sendAt="9999-12-31T10:00:00Z",
                   sendingSpeed={"speed": 1, "timeUnit": "hour"})
    the_plan = plan(data, now=datetime(9999, 12, 1, tzinfo=UTC))
    assert [s.attempts_us for s in the_plan.messages[0]] == [
        (ten,), (ten + US_PER_HOUR,), (ten + 2 * US_PER_HOUR,)]
    # One 1-day bucket, 9999-12-31T00:00Z up to the end of the range: all three.
    rows = forecast(the_plan, bucket=timedelta(days=1)).rows
    assert [(r.start_us, r.first_attempts) for r in rows] == [(us(9999, 12, 31), 3)]


def test_the_first_day_of_year_1_opens_from_the_first_instant() -> None:
    # 0001-01-01 is a Monday; in Zagreb (local mean time, +01:03:52 then) that local day began
    # before year 1 in UTC: its window counts from the first representable instant.
    cal = WindowCalendar.from_window(window((Weekday.MONDAY,), None, None, ZAGREB))
    assert cal.next_open(MIN_US) == MIN_US
    assert cal.open_between(MIN_US, MIN_US + US_PER_HOUR) == US_PER_HOUR


# -- wiring and words ----------------------------------------------------------------------


def test_plan_uses_the_window_calendar() -> None:
    parsed = parse_request(request(OFFICE | {"timeZone": ZAGREB}, 1))
    cal = calendar_for(parsed.messages[0].delivery_time_window)
    assert isinstance(cal, WindowCalendar)
    assert cal.describe() == "Mon–Fri 09:00–17:00 Europe/Zagreb"


def test_describe_and_record() -> None:
    w = window((Weekday.SUNDAY, Weekday.MONDAY, Weekday.WEDNESDAY), None, None)
    assert describe_window(w) == "Mon, Wed, Sun all day UTC"
    assert describe_window(window(tuple(Weekday), (8, 5), (20, 0))) == "every day 08:05–20:00 UTC"
    assert window_record(window((Weekday.FRIDAY, Weekday.MONDAY), (9, 0), (17, 30))) == {
        "days": ["MONDAY", "FRIDAY"], "from": {"hour": 9, "minute": 0},
        "to": {"hour": 17, "minute": 30}, "timeZone": "UTC"}


def test_rendering_of_a_moved_attempt_keeps_the_send_at_offset() -> None:
    # sendAt Friday 17:30+01:00 (16:30Z) with 10/hour: slot 5 = 16:30Z + 30 min open ->
    # Friday's window closes at 17:00Z after 30 min, so slot 5 is Monday 09:00Z = 10:00+01:00.
    p = plan(request(OFFICE, 6, sendingSpeed={"speed": 10, "timeUnit": "hour"},
                     sendAt="2030-01-04T17:30:00+01:00"),
             now=datetime(2030, 1, 1, tzinfo=UTC))
    assert list(p)[5].rendered_attempts() == ["2030-01-07T10:00:00.000+01:00"]
    assert format_us(list(p)[4].attempts_us[0]) == "2030-01-04T16:54:00.000+00:00"


# -- validation (through parse_request) ----------------------------------------------------

BAD_WINDOWS = [
    ({"days": []}, "/days"),
    ({"days": ["FUNDAY"]}, "/days/0"),
    ({"days": ["MONDAY", "MONDAY"]}, "/days/1"),
    ({"days": ["MONDAY"], "from": {"hour": 9, "minute": 0}}, "/to"),
    ({"days": ["MONDAY"], "to": {"hour": 9, "minute": 0}}, "/from"),
    ({"days": ["MONDAY"], "from": {"hour": 9, "minute": 0}, "to": {"hour": 9, "minute": 30}},
     "/to"),
    ({"days": ["MONDAY"], "from": {"hour": 9, "minute": 0}, "to": {"hour": 8, "minute": 0}},
     "/to"),
    ({"days": ["MONDAY"], "from": {"hour": 24, "minute": 0}, "to": {"hour": 23, "minute": 0}},
     "/from/hour"),
    ({"days": ["MONDAY"], "from": {"hour": 9, "minute": 0}, "to": {"hour": 10, "minute": 60}},
     "/to/minute"),
    ({"days": ["MONDAY"], "timeZone": "Mars/Olympus"}, "/timeZone"),
]


@pytest.mark.parametrize(("bad", "where"), BAD_WINDOWS)
def test_invalid_windows_are_reported_with_their_paths(bad: dict[str, Any], where: str) -> None:
    with pytest.raises(RequestError) as caught:
        parse_request(request(bad, 1))
    paths = [p.path for p in caught.value.errors]
    assert paths == [f"/messages/0/deliveryTimeWindow{where}"]


def test_missing_half_of_from_to_names_the_missing_one() -> None:
    with pytest.raises(RequestError) as caught:
        parse_request(request({"days": ["MONDAY"], "from": {"hour": 9, "minute": 0}}, 1))
    assert "'from' is given" in caught.value.errors[0].message
    with pytest.raises(RequestError) as caught:
        parse_request(request({"days": ["MONDAY"], "to": {"hour": 9, "minute": 0}}, 1))
    assert "'to' is given" in caught.value.errors[0].message


def test_exactly_sixty_minutes_and_a_known_zone_are_accepted() -> None:
    parsed = parse_request(request({"days": ["SUNDAY", "MONDAY"], "from": {"hour": 22,
                                    "minute": 59}, "to": {"hour": 23, "minute": 59},
                                    "timeZone": ZAGREB}, 1))
    w = parsed.messages[0].delivery_time_window
    assert w == DeliveryTimeWindow((Weekday.SUNDAY, Weekday.MONDAY), TimeOfDay(22, 59),
                                   TimeOfDay(23, 59), ZAGREB)


def test_explain_table_and_json_name_the_window() -> None:
    from ivrsched.io.plan_formats import summary_record
    from ivrsched.planning.explanation import explain, summarize

    p = plan(request(OFFICE, 2, sendingSpeed={"speed": 10, "timeUnit": "hour"}),
             now=FRIDAY_1600)
    summary = summarize(p, p.messages[0])
    assert "calls only Mon–Fri 09:00–17:00 UTC" in explain(summary)
    assert summary_record(summary)["deliveryTimeWindow"] == {
        "days": WEEKDAYS, "from": {"hour": 9, "minute": 0}, "to": {"hour": 17, "minute": 0},
        "timeZone": "UTC"}
    unwindowed = plan(request(None, 1), now=FRIDAY_1600)
    summary = summarize(unwindowed, unwindowed.messages[0])
    assert "calls only" not in explain(summary)
    assert summary_record(summary)["deliveryTimeWindow"] is None


def test_the_docs_page_examples_run() -> None:
    import doctest
    from pathlib import Path

    page = Path(__file__).resolve().parent.parent / "docs" / "windows.md"
    result = doctest.testfile(str(page), module_relative=False,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 10
    assert result.failed == 0
