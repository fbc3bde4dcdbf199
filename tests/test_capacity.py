"""S16: the exact peak of calls in progress, bursts, and Erlang B against published tables."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivrsched import SeededIds, plan
from ivrsched.forecasting.capacity import (
    Burst,
    Peak,
    bursts,
    erlang_b,
    peak_in_progress,
    plan_capacity,
)
from ivrsched.rules.instants import to_us
from ivrsched.testing import DEFAULT_NOW, requests


def brute_force_peak(starts: list[int], duration: int) -> Peak:
    """Count the calls in progress at every instant that matters, one by one."""
    instants = sorted({s for s in starts} | {s + duration for s in starts})

    def in_progress(t: int) -> int:
        return sum(1 for s in starts if s <= t < s + duration)

    counts = [(t, in_progress(t)) for t in instants]
    best = max((c for _, c in counts), default=0)
    if best == 0:
        return Peak(0, None, None)
    at = min(t for t, c in counts if c == best)
    after = [t for t, c in counts if t > at and c < best]
    return Peak(best, at, min(after) if after else None)


@given(st.lists(st.lists(st.integers(0, 60), max_size=8), max_size=4),
       st.integers(0, 20))
def test_the_peak_is_what_counting_every_instant_gives(columns: list[list[int]],
                                                       duration: int) -> None:
    columns = [sorted(c) for c in columns]
    every = [s for c in columns for s in c]
    assert peak_in_progress(columns, duration) == brute_force_peak(every, duration)


def test_worked_example_three_calls_overlap_from_10_to_12() -> None:
    # calls [0,12), [5,17), [10,22), [12,24): three at once from 10 until the first ends at 12
    # (at 12 one ends and one starts: still three), then two from 17.
    assert peak_in_progress([[0, 5, 10], [12]], 12) == Peak(3, 10, 17)


def test_calls_of_no_duration_are_never_in_progress() -> None:
    assert peak_in_progress([[1, 1, 1]], 0) == Peak(0, None, None)


def test_a_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError):
        peak_in_progress([[1]], -1)


def test_bursts_are_instants_with_more_starts_than_the_threshold() -> None:
    assert list(bursts([1, 5, 5, 5, 7, 9, 9], 2)) == [Burst(5, 3)]
    assert list(bursts([1, 5, 5, 5, 7, 9, 9], 1)) == [Burst(5, 3), Burst(9, 2)]
    assert list(bursts([], 0)) == []
    assert list(bursts([4, 4], 1)) == [Burst(4, 2)]


# Published Erlang B table values: the offered traffic (erlangs) that N lines carry at a
# grade of service of 1% (ITU-T E.520-style tables, reproduced in every teletraffic text:
# N=1 → 0.0101, N=2 → 0.153, N=5 → 1.361, N=10 → 4.461, N=20 → 12.031, N=50 → 37.901).
PUBLISHED_ONE_PERCENT = [(1, "0.0101"), (2, "0.153"), (5, "1.361"), (10, "4.461"),
                         (20, "12.031"), (50, "37.901")]


@pytest.mark.parametrize(("channels", "traffic"), PUBLISHED_ONE_PERCENT)
def test_erlang_b_matches_the_published_one_percent_table(channels: int, traffic: str) -> None:
    blocking = erlang_b(Fraction(traffic), channels)
    # The tables round the traffic to 3–4 significant digits, so the blocking is 1% to within
    # what that rounding moves it.
    assert abs(blocking - Decimal("0.01")) < Decimal("0.0002")


def test_erlang_b_edges() -> None:
    assert erlang_b(0, 5) == 0
    assert erlang_b(3, 0) == 1
    assert erlang_b(1, 1) == Decimal("0.5")  # A/(1+A)
    # two lines, one erlang: B = (A²/2) / (1 + A + A²/2) = 0.5/2.5 = 0.2
    assert erlang_b(1, 2) == Decimal("0.2")
    with pytest.raises(ValueError):
        erlang_b(-1, 2)


# -- a plan's capacity ----------------------------------------------------------------------

WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]


def test_retries_held_overnight_burst_at_the_opening() -> None:
    # 100 per hour from Monday 16:00 UTC inside a weekday 09:00–17:00 window: 100 first attempts
    # on Monday (36 s apart); their retries (60 s call + 60 min) fall after 17:00 and move to
    # Tuesday 09:00, where the 101st first attempt is due too: 101 starts at once.
    request = {"messages": [{
        "scenarioId": "S", "sendAt": "2030-01-07T16:00:00Z",
        "destinations": [{"to": f"417930{i:05d}"} for i in range(200)],
        "sendingSpeed": {"speed": 100, "timeUnit": "hour"},
        "retry": {"minPeriod": 60, "maxPeriod": 60, "maxCount": 2},
        "deliveryTimeWindow": {"days": WEEKDAYS, "from": {"hour": 9, "minute": 0},
                               "to": {"hour": 17, "minute": 0}}}]}
    the_plan = plan(request, now=datetime(2030, 1, 1, tzinfo=timezone.utc), ids=SeededIds(1))
    capacity = plan_capacity(the_plan, timedelta(seconds=60), channels=10)
    tuesday_nine = to_us(datetime(2030, 1, 8, 9, tzinfo=timezone.utc))
    assert capacity.opening_bursts == (Burst(tuesday_nine, 101),)
    # At 09:00:36 the 102nd first attempt starts while the 101 calls of 09:00 still run; they
    # end at 09:01:00.
    assert capacity.peak == Peak(102, tuesday_nine + 36_000_000, tuesday_nine + 60_000_000)
    # Tuesday 09:00–10:00: the 100 held retries and first attempts 101–200.
    assert capacity.busy_hour_attempts == 200
    assert capacity.offered_erlangs == Fraction(10, 3)
    assert capacity.blocking == erlang_b(Fraction(10, 3), 10)


@settings(max_examples=40)
@given(requests(max_messages=2, max_destinations=12), st.integers(0, 3_600_000_000))
def test_the_peak_is_that_of_the_plan_whose_attempts_all_fail_after_the_call(
        request: dict[str, Any], duration_us: int) -> None:
    duration = timedelta(microseconds=duration_us)
    the_plan = plan(request, now=DEFAULT_NOW, ids=SeededIds(1))
    capacity = plan_capacity(the_plan, duration)
    # The independent reference: the plan made with a failure delay of the call's duration,
    # destination by destination, counted at every instant.
    worst = plan(request, now=DEFAULT_NOW, ids=SeededIds(1), failure_delay=duration)
    starts = [at for schedule in worst for at in schedule.attempts_us]
    assert capacity.attempts == len(starts)
    assert capacity.peak == brute_force_peak(starts, duration_us)
    hour = 3_600_000_000
    assert capacity.busy_hour_attempts == max(
        (sum(1 for t in starts if s <= t < s + hour) for s in starts), default=0)


def test_forecast_names_the_peak_and_the_burst(tmp_path: Any, capsys: Any) -> None:
    import json

    from ivrsched.cli.main import main

    # 2 per hour from Monday 16:00 inside a weekday 09:00–17:00 window (UTC): first attempts
    # Monday 16:00 and 16:30; their retries (1 min call + 60 min) fall after 17:00 and move to
    # Tuesday 09:00, with the third first attempt: 3 calls at once, until 09:01. Tuesday
    # 09:00–10:00 holds those 3 and the 09:30 first attempt: 4 × 1 min = 1/15 erlang; two lines
    # block (A²/2) / (1 + A + A²/2) = 1/481 of the calls.
    request = {"messages": [{
        "scenarioId": "S", "sendAt": "2030-01-07T16:00:00Z", "bulkId": None,
        "destinations": [{"to": f"4179300000{i}"} for i in range(1, 5)],
        "sendingSpeed": {"speed": 2, "timeUnit": "hour"},
        "retry": {"minPeriod": 60, "maxPeriod": 60, "maxCount": 1},
        "deliveryTimeWindow": {"days": WEEKDAYS, "from": {"hour": 9, "minute": 0},
                               "to": {"hour": 17, "minute": 0}}}]}
    del request["messages"][0]["bulkId"]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(request), encoding="utf-8")
    argv = ["forecast", str(path), "--now", "2030-01-01T00:00:00Z", "--call-duration", "60"]
    assert main([*argv, "--channels", "2"]) == 0
    out, err = capsys.readouterr()
    assert err.startswith("notice: 3 attempts start at once at 2030-01-08T09:00:00.000+00:00,")
    assert ("peak 3 in progress at 2030-01-08T09:00:00.000+00:00 until "
            "2030-01-08T09:01:00.000+00:00; busiest hour 4 attempts; Erlang B with 2 lines at "
            "0.067 erlangs: 0.21% blocked") in out
    assert main([*argv, "--format", "json", "--channels", "2"]) == 0
    capacity = json.loads(capsys.readouterr().out)["capacity"]
    assert capacity["peakInProgress"] == 3 and capacity["offeredErlangsExact"] == "1/15"
    assert Decimal(capacity["blocking"]) == erlang_b(Fraction(1, 15), 2)
    assert abs(Decimal(capacity["blocking"]) - Decimal(1) / 481) < Decimal("1e-30")
    assert main([*argv[:-2], "--channels", "2"]) == 2  # --channels needs --call-duration
