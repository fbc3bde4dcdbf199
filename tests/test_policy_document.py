"""The calling policy document (SPEC S15): parsing, every problem at once, zones, closures."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given

from ivrsched.errors import RequestError
from ivrsched.policy import CallingPolicy, FrequencyCap, HolidayRegion, parse_policy
from ivrsched.policy.closures import Closures
from ivrsched.policy.zones import ZoneSource, choose_zones, zones_for_number
from ivrsched.request.model import TimeOfDay, Weekday
from ivrsched.testing import calling_policies

SPEC_EXAMPLE = {
    "callingHours": {"zone": "recipient", "fallbackZone": "America/New_York",
                     "days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY",
                              "SATURDAY"],
                     "from": {"hour": 8, "minute": 0}, "to": {"hour": 21, "minute": 0}},
    "closedDates": ["2026-12-25", "2027-01-01"],
    "holidays": {"country": "US", "subdivision": "FL"},
    "frequencyCap": {"maxAttempts": 3, "periodMinutes": 1440},
}


def paths(data: object) -> set[str]:
    with pytest.raises(RequestError) as caught:
        parse_policy(data)
    return {p.path for p in caught.value.errors}


def test_the_spec_example_parses() -> None:
    policy = parse_policy(SPEC_EXAMPLE)
    assert policy.zone is None and policy.fallback_zone == "America/New_York"
    (period,) = policy.periods
    assert period.days == tuple(Weekday)[:6]
    assert (period.start, period.end) == (TimeOfDay(8, 0), TimeOfDay(21, 0))
    assert policy.closed_dates == {date(2026, 12, 25), date(2027, 1, 1)}
    assert policy.holidays == HolidayRegion("US", "FL")
    assert policy.cap == FrequencyCap(3, 1440)
    assert policy.cap.period_us == 86_400_000_000
    assert policy.notices == ()


def test_every_part_is_optional() -> None:
    assert parse_policy("{}") == CallingPolicy()
    assert not CallingPolicy().is_local


def test_comment_is_accepted_everywhere_and_unknown_members_are_notices() -> None:
    policy = parse_policy({"comment": "47 CFR 64.1200(c)(1)",
                           "callingHours": {"comment": "x", "from": {"hour": 8, "minute": 0},
                                            "to": {"hour": 21, "minute": 0}},
                           "frequencyCap": {"comment": "y", "maxAttempts": 1,
                                            "periodMinutes": 60},
                           "colour": "blue"})
    assert [n.path for n in policy.notices] == ["/colour"]
    assert paths_strict({"colour": "blue"}) == {"/colour"}


def paths_strict(data: object) -> set[str]:
    with pytest.raises(RequestError) as caught:
        parse_policy(data, strict=True)
    return {p.path for p in caught.value.errors}


def test_every_problem_is_reported_at_once() -> None:
    bad = {
        "callingHours": {"zone": "Mars/Olympus", "fallbackZone": "Nowhere",
                         "days": ["MONDAY", "FUNDAY", "MONDAY"],
                         "from": {"hour": 25, "minute": 0}, "to": {"hour": 8, "minute": 60}},
        "closedDates": ["2026-02-30", "26-12-25", 20261225],
        "holidays": {"country": "US", "subdivision": "ZZ"},
        "frequencyCap": {"maxAttempts": 0, "periodMinutes": 1.5},
    }
    assert paths(bad) == {
        "/callingHours/zone", "/callingHours/fallbackZone", "/callingHours/days/1",
        "/callingHours/days/2", "/callingHours/from/hour", "/callingHours/to/minute",
        "/closedDates/0", "/closedDates/1", "/closedDates/2", "/holidays/subdivision",
        "/frequencyCap/maxAttempts", "/frequencyCap/periodMinutes",
    }


@pytest.mark.parametrize(("data", "expected"), [
    ({"holidays": {"country": "XX"}}, {"/holidays/country"}),
    ({"holidays": {}}, {"/holidays/country"}),
    ({"frequencyCap": {"maxAttempts": 2}}, {"/frequencyCap/periodMinutes"}),
    ({"frequencyCap": {"maxAttempts": True, "periodMinutes": -1}},
     {"/frequencyCap/maxAttempts", "/frequencyCap/periodMinutes"}),
    ({"callingHours": {"from": {"hour": 9, "minute": 0}}}, {"/callingHours/to"}),
    ({"callingHours": {"from": {"hour": 9, "minute": 0}, "to": {"hour": 9, "minute": 0}}},
     {"/callingHours/to"}),
    ({"callingHours": {"from": {"hour": 9, "minute": 0}, "to": {"hour": 24, "minute": 1}}},
     {"/callingHours/to/minute"}),
    ({"callingHours": {"days": []}}, {"/callingHours/days"}),
    ({"callingHours": {"periods": [{"days": ["MONDAY"]}, 3], "days": ["MONDAY"]}},
     {"/callingHours/days", "/callingHours/periods/1"}),
    ({"callingHours": "8-21"}, {"/callingHours"}),
    ({"closedDates": "2026-12-25"}, {"/closedDates"}),
    ([], {""}),
    ("{", {""}),
])
def test_single_faults(data: object, expected: set[str]) -> None:
    assert paths(data) == expected


def test_periods_and_24_00() -> None:
    policy = parse_policy({"callingHours": {"zone": "Europe/Paris", "periods": [
        {"days": ["MONDAY"], "from": {"hour": 10, "minute": 0}, "to": {"hour": 13, "minute": 0}},
        {"from": {"hour": 14, "minute": 0}, "to": {"hour": 24, "minute": 0}}]}})
    assert policy.zone == "Europe/Paris"
    assert [p.end for p in policy.periods] == [TimeOfDay(13, 0), TimeOfDay(24, 0)]
    assert policy.periods[1].days == tuple(Weekday)


@given(calling_policies())
def test_generated_policies_parse(data: dict[str, object]) -> None:
    policy = parse_policy(data)
    assert policy.notices == ()
    assert policy.is_local == ("callingHours" in data or "holidays" in data
                               or bool(data.get("closedDates")))


# -- zones ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("to", "zones"), [
    ("12125550100", ("America/New_York",)),
    ("+13035550100", ("America/Denver",)),
    ("12085550100", ("America/Boise", "America/Los_Angeles")),
    ("33145678901", ("Europe/Paris",)),
    ("4179302", ()),  # phonenumbers: Etc/Unknown
])
def test_candidate_zones(to: str, zones: tuple[str, ...]) -> None:
    assert zones_for_number(to) == zones


def test_zone_choice() -> None:
    recipient = parse_policy({"callingHours": {"fallbackZone": "America/Chicago"}})
    assert choose_zones(recipient, "12085550100").source is ZoneSource.NUMBER
    fallback = choose_zones(recipient, "4179302")
    assert (fallback.zones, fallback.source) == (("America/Chicago",), ZoneSource.FALLBACK)
    none = choose_zones(CallingPolicy(), "4179302")
    assert (none.zones, none.source, none.callable) == ((), ZoneSource.NONE, False)
    fixed = choose_zones(parse_policy({"callingHours": {"zone": "Europe/Paris"}}),
                         "12125550100")
    assert (fixed.zones, fixed.source) == (("Europe/Paris",), ZoneSource.FIXED)


# -- closures ------------------------------------------------------------------------------------

def test_closures_name_the_day() -> None:
    closures = Closures.of(parse_policy(SPEC_EXAMPLE))
    assert closures.reason(date(2026, 12, 25)) == "closed date 2026-12-25"
    # 2026-07-04 is a Saturday: the federal holiday is observed on Friday 3 July.
    assert closures.reason(date(2026, 7, 3)) == \
        "public holiday Independence Day (observed) (US-FL)"
    assert closures.reason(date(2026, 11, 26)) == "public holiday Thanksgiving Day (US-FL)"
    assert closures.reason(date(2026, 7, 6)) is None
    assert Closures.of(CallingPolicy()).empty
