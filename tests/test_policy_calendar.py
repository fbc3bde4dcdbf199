"""Destination calendars under a calling policy (SPEC S15): the intersection over candidate
zones of the local hours minus closed local dates, and the message's own window; checked
against a naive reading of local wall time, and by hand across DST in several US zones."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched.errors import PlanRangeError
from ivrsched.policy import parse_policy
from ivrsched.policy.calendar import CalendarBook
from ivrsched.policy.closures import Closures
from ivrsched.request.model import DeliveryTimeWindow, TimeOfDay, Weekday
from ivrsched.rules.instants import US_PER_MINUTE
from ivrsched.rules.open_time import ALWAYS_OPEN, Calendar
from ivrsched.rules.windows import WindowCalendar
from ivrsched.testing import calling_policies

UTC = timezone.utc
MIN = US_PER_MINUTE
US_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
            "America/Los_Angeles", "America/Boise")


def us(text: str) -> int:
    return (datetime.fromisoformat(text) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(
        microseconds=1)


def federal(**extra: Any) -> dict[str, Any]:
    return {"callingHours": {"from": {"hour": 8, "minute": 0},
                             "to": {"hour": 21, "minute": 0}}, **extra}


def calendar(policy: dict[str, Any], zones: tuple[str, ...],
             message_calendar: Calendar = ALWAYS_OPEN) -> Any:
    return CalendarBook(parse_policy(policy)).calendar(zones, 0, message_calendar)


# -- a naive reference: local wall time, minute by minute ----------------------------------------

def naive_open(policy: dict[str, Any], zones: tuple[str, ...], at_us: int,
               window: DeliveryTimeWindow | None = None) -> bool:
    parsed = parse_policy(policy)
    closures = Closures.of(parsed)
    instant = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=at_us)
    for zone in zones:
        local = instant.astimezone(ZoneInfo(zone))
        if parsed.is_local and closures.reason(local.date()) is not None:
            return False
        minutes = local.hour * 60 + local.minute
        if parsed.is_local and not any(
                Weekday(local.weekday()) in period.days
                and (period.start is None or period.start.minutes <= minutes)
                and (period.end is None or minutes < period.end.minutes)
                for period in parsed.periods):
            return False
    if window is not None:
        local = instant.astimezone(ZoneInfo(window.time_zone or "UTC"))
        minutes = local.hour * 60 + local.minute
        assert window.start is not None and window.end is not None
        if Weekday(local.weekday()) not in window.days or not \
                window.start.minutes <= minutes < window.end.minutes:
            return False
    return True


START = us("2030-03-05T00:00:00+00:00")  # the US DST change of 2030 is on 10 March


@given(calling_policies(min_from=240, first_day="2030-03-05", days=14),
       st.lists(st.sampled_from((*US_ZONES, "Europe/Paris")), min_size=1, max_size=3,
                unique=True),
       st.integers(0, 14 * 24 * 60 - 1))
def test_membership_and_next_open_agree_with_local_wall_time(
        policy: dict[str, Any], zones: list[str], minute: int) -> None:
    zone_tuple = tuple(sorted(zones))
    cal = calendar(policy, zone_tuple)
    at = START + minute * MIN
    assert cal.is_open(at) == naive_open(policy, zone_tuple, at)
    opening = cal.next_opening(at)
    if opening is None:
        # Nothing within the horizon: nothing in the next week either.
        assert not any(naive_open(policy, zone_tuple, at + k * 60 * MIN)
                       for k in range(7 * 24))
        return
    assert opening >= at and opening % MIN == 0
    assert naive_open(policy, zone_tuple, opening)
    probe = at
    while probe < min(opening, at + 3 * 24 * 60 * MIN):
        assert not naive_open(policy, zone_tuple, probe)
        probe = (probe // MIN + 1) * MIN


@given(calling_policies(min_from=240, first_day="2030-03-05", days=14, holidays=False),
       st.lists(st.sampled_from(US_ZONES), min_size=1, max_size=2, unique=True),
       st.integers(0, 10 * 24 * 60), st.integers(0, 3 * 24 * 60), st.integers(0, 4 * 24 * 60))
def test_open_time_and_advance_agree(policy: dict[str, Any], zones: list[str], offset: int,
                                     length: int, open_minutes: int) -> None:
    zone_tuple = tuple(sorted(zones))
    cal = calendar(policy, zone_tuple)
    start = START + offset * MIN
    end = start + length * MIN
    expected = sum(MIN for k in range(length) if naive_open(policy, zone_tuple, start + k * MIN))
    assert cal.open_between(start, end) == expected
    try:
        reached = cal.advance(start, open_minutes * MIN)
    except PlanRangeError:
        return
    assert cal.is_open(reached)
    # advance(s, x) < t iff x < open_between(s, t), at t = reached and just after it.
    assert cal.open_between(start, reached) <= open_minutes * MIN
    assert cal.open_between(start, reached + 1) > open_minutes * MIN or open_minutes == 0


@given(st.lists(st.sampled_from(US_ZONES), min_size=1, max_size=2, unique=True),
       st.integers(0, 14 * 24 * 60 - 1))
def test_the_message_window_is_intersected(zones: list[str], minute: int) -> None:
    window = DeliveryTimeWindow((Weekday.MONDAY, Weekday.TUESDAY, Weekday.SATURDAY),
                                TimeOfDay(15, 30), TimeOfDay(23, 0), None)
    zone_tuple = tuple(sorted(zones))
    cal = calendar(federal(), zone_tuple, WindowCalendar.from_window(window))
    at = START + minute * MIN
    assert cal.is_open(at) == naive_open(federal(), zone_tuple, at, window)


# -- by hand, across DST -------------------------------------------------------------------------

def test_new_york_across_the_spring_change() -> None:
    cal = calendar(federal(), ("America/New_York",))
    # Saturday 9 March 2030, EST (UTC-5): 08:00-21:00 local is 13:00Z-02:00Z.
    assert cal.next_open(us("2030-03-09T06:00:00+00:00")) == us("2030-03-09T13:00:00+00:00")
    assert cal.is_open(us("2030-03-10T01:59:59+00:00"))
    assert not cal.is_open(us("2030-03-10T02:00:00+00:00"))
    # Sunday 10 March, EDT (UTC-4) from 02:00 local: 08:00 local is 12:00Z.
    assert cal.next_open(us("2030-03-10T02:00:00+00:00")) == us("2030-03-10T12:00:00+00:00")
    assert cal.open_between(us("2030-03-09T00:00:00+00:00"),
                            us("2030-03-11T00:00:00+00:00")) == (2 + 13 + 12) * 60 * MIN


def test_boise_and_los_angeles_intersect() -> None:
    # +1 208 may be Mountain or Pacific time: 08:00 Pacific to 21:00 Mountain.
    cal = calendar(federal(), ("America/Boise", "America/Los_Angeles"))
    # Wednesday 6 March 2030: PST (UTC-8), MST (UTC-7): 16:00Z to 04:00Z.
    assert cal.next_open(us("2030-03-06T10:00:00+00:00")) == us("2030-03-06T16:00:00+00:00")
    assert cal.next_open(us("2030-03-07T04:00:00+00:00")) == us("2030-03-07T16:00:00+00:00")
    assert cal.open_between(us("2030-03-06T00:00:00+00:00"),
                            us("2030-03-07T00:00:00+00:00")) == (4 + 8) * 60 * MIN
    # After the change (both zones move together): 15:00Z to 03:00Z.
    assert cal.next_open(us("2030-03-12T10:00:00+00:00")) == us("2030-03-12T15:00:00+00:00")


def test_phoenix_keeps_its_time_while_denver_moves() -> None:
    cal = calendar(federal(), ("America/Denver", "America/Phoenix"))
    # Winter: both UTC-7, the full 08:00-21:00 (15:00Z-04:00Z).
    assert cal.open_between(us("2030-03-06T12:00:00+00:00"),
                            us("2030-03-07T12:00:00+00:00")) == 13 * 60 * MIN
    # Summer: Denver UTC-6, Phoenix UTC-7: 08:00 Phoenix (15:00Z) to 21:00 Denver (03:00Z).
    assert cal.next_open(us("2030-07-10T12:00:00+00:00")) == us("2030-07-10T15:00:00+00:00")
    assert cal.open_between(us("2030-07-10T12:00:00+00:00"),
                            us("2030-07-11T12:00:00+00:00")) == 12 * 60 * MIN


def test_chicago_across_the_autumn_change() -> None:
    cal = calendar(federal(), ("America/Chicago",))
    # Sunday 3 November 2030 ends CDT at 02:00 local: a 25-hour local day, same hours.
    # 03:00Z on the 3rd is 22:00 CDT on Saturday the 2nd.
    assert cal.next_open(us("2030-11-03T03:00:00+00:00")) == us("2030-11-03T14:00:00+00:00")
    assert cal.next_open(us("2030-11-04T03:00:00+00:00")) == us("2030-11-04T14:00:00+00:00")


def test_holidays_and_closed_dates_are_whole_local_days() -> None:
    policy = federal(holidays={"country": "US"}, closedDates=["2030-12-24"])
    new_york = calendar(policy, ("America/New_York",))
    los_angeles = calendar(policy, ("America/Los_Angeles",))
    # Christmas 2030 is a Wednesday; 24 December closed too: New York reopens on the 26th at
    # 08:00 EST (13:00Z).
    assert new_york.next_open(us("2030-12-24T05:00:00+00:00")) == us("2030-12-26T13:00:00+00:00")
    # 20:30Z on the 23rd is 12:30 PST in Los Angeles (open) but already 15:30 EST in New
    # York on the 23rd (open too); 02:30Z on the 24th is the 23rd in Los Angeles (18:30 PST).
    assert los_angeles.is_open(us("2030-12-24T02:30:00+00:00"))
    assert not new_york.is_open(us("2030-12-24T02:30:00+00:00"))
    both = calendar(policy, ("America/Los_Angeles", "America/New_York"))
    assert both.next_open(us("2030-12-24T05:00:00+00:00")) == us("2030-12-26T16:00:00+00:00")
    assert Closures.of(parse_policy(policy)).reason(date(2030, 12, 25)) == \
        "public holiday Christmas Day (US)"


def test_france_lunch_break_as_two_periods() -> None:
    policy = {"callingHours": {"zone": "Europe/Paris", "periods": [
        {"days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
         "from": {"hour": 10, "minute": 0}, "to": {"hour": 13, "minute": 0}},
        {"days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
         "from": {"hour": 14, "minute": 0}, "to": {"hour": 20, "minute": 0}}]},
        "holidays": {"country": "FR"}}
    cal = calendar(policy, ("Europe/Paris",))
    # Monday 8 July 2030, CEST (UTC+2): 08:00Z-11:00Z and 12:00Z-18:00Z.
    assert cal.next_open(us("2030-07-08T11:00:00+00:00")) == us("2030-07-08T12:00:00+00:00")
    assert cal.open_between(us("2030-07-08T00:00:00+00:00"),
                            us("2030-07-09T00:00:00+00:00")) == 9 * 60 * MIN
    # Friday 12 July 18:00Z closes for the weekend; Sunday 14 July is a holiday anyway.
    assert cal.next_open(us("2030-07-12T18:00:00+00:00")) == us("2030-07-15T08:00:00+00:00")


def test_hours_that_never_overlap_never_open() -> None:
    policy = {"callingHours": {"from": {"hour": 8, "minute": 0},
                               "to": {"hour": 9, "minute": 0}}}
    cal = calendar(policy, ("America/Los_Angeles", "Europe/Paris"))
    assert cal.next_opening(us("2030-01-01T00:00:00+00:00")) is None
    with pytest.raises(PlanRangeError):
        cal.next_open(us("2030-01-01T00:00:00+00:00"))


def test_calendars_are_shared_by_their_zones() -> None:
    book = CalendarBook(parse_policy(federal()))
    first = book.calendar(("America/New_York",), 0, ALWAYS_OPEN)
    assert book.calendar(("America/New_York",), 0, ALWAYS_OPEN) is first
    assert book.calendar(("America/Chicago",), 0, ALWAYS_OPEN) is not first
    assert book.size == 2
