"""The campaign forecast: worked examples, a huge campaign, brute-force and simulation checks."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, overload

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched import Forecast, IvrschedError, forecast, plan
from ivrsched.forecasting.load import answer_rate_fraction, bucket_start, floor_sum, round_fraction
from ivrsched.planning.planner import MessagePlan, Plan
from ivrsched.request.model import Destination, Message, Request, Retry, SendingSpeed, TimeUnit
from ivrsched.rules.instants import US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND, to_us
from ivrsched.rules.open_time import Calendar
from ivrsched.rules.timeline import Timeline
from ivrsched.simulation.engine import simulate
from ivrsched.simulation.outcomes import Random
from tests.strategies import requests

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN = json.loads((ROOT / "examples" / "campaign-25.json").read_text())
CAMPAIGN_NOW = datetime(2016, 7, 7, 12, 0, tzinfo=timezone(timedelta(hours=1)))
MIN = US_PER_MINUTE


def campaign_forecast(**kwargs: Any) -> Forecast:
    return forecast(plan(CAMPAIGN, now=CAMPAIGN_NOW), **kwargs)


def local(hour: int, minute: int = 0) -> int:
    """2016-07-07 hour:minute at +01:00, in µs."""
    return to_us(datetime(2016, 7, 7, hour, minute, tzinfo=timezone(timedelta(hours=1))))


# -- worked examples ------------------------------------------------------------------------

def test_twenty_five_at_ten_per_hour_from_17_gives_10_10_5() -> None:
    # First attempts every 6 min from 17:00: 17:00…17:54 (10), 18:00…18:54 (10), 19:00…19:24 (5).
    rows = list(campaign_forecast().rows)
    assert [row.start_us for row in rows] == [local(17), local(18), local(19)]
    assert [row.first_attempts for row in rows] == [10, 10, 5]


def test_planned_retries_per_bucket_by_hand() -> None:
    # Retry gaps 1, 2, 5, 5 min, so retry k is D = 1, 3, 8, 13 min after the first attempt.
    # Retry k falls in [17:00, 18:00) iff the first attempt is before 18:00 - D:
    #   k=1: before 17:59 → 17:00…17:54 = 10;  k=2: before 17:57 → 10;
    #   k=3: before 17:52 → 17:00…17:48 = 9;   k=4: before 17:47 → 17:00…17:42 = 8.
    # [18:00, 19:00): first attempts in [18:00 - D, 19:00 - D): 10 for every k.
    # [19:00, 20:00): k=1 [18:59, 19:59) → 19:00…19:24 = 5; k=2 → 5;
    #   k=3 [18:52, 19:52) → 18:54…19:24 = 6; k=4 [18:47, 19:47) → 18:48…19:24 = 7.
    rows = list(campaign_forecast().rows)
    assert [row.retries for row in rows] == [(10, 10, 9, 8), (10, 10, 10, 10), (5, 5, 6, 7)]
    # Answer rate None means 0: every planned retry is expected.
    assert [row.expected_retries for row in rows] == [37, 40, 23]
    assert [row.expected_total for row in rows] == [47, 50, 28]


def test_expected_retries_weigh_retry_k_by_the_k_failures_before_it() -> None:
    # p = 0.3: retry k needs k unanswered attempts, weight 0.7^k = 0.7, 0.49, 0.343, 0.2401.
    # 17:00 bucket: 10·0.7 + 10·0.49 + 9·0.343 + 8·0.2401 = 7 + 4.9 + 3.087 + 1.9208 = 16.9078.
    result = campaign_forecast(answer_rate="0.3")
    first = result.rows[0]
    assert first.expected_retries == Fraction("16.9078")
    assert first.expected_total == Fraction("26.9078")
    # Whole campaign: 25 of each retry: 25 · (0.7 + 0.49 + 0.343 + 0.2401) = 25 · 1.7731.
    assert result.expected_retries == 25 * Fraction("1.7731")
    assert result.retries == (25, 25, 25, 25)
    assert result.first_attempts == 25


def test_key_instants_of_the_campaign() -> None:
    # Last destination at 17:00 + 24 · 6 min = 19:24; its last retry 13 min later, 19:37.
    result = campaign_forecast()
    assert (result.first_call_us, result.last_first_attempt_us, result.last_attempt_us) == (
        local(17), local(19, 24), local(19, 37))
    assert result.first_call == datetime(2016, 7, 7, 17, 0,
                                         tzinfo=timezone(timedelta(hours=1)))
    assert result.deadlines_us == (None,)  # sendingSpeed lifts the validity (S4)


def test_calls_in_progress_average_the_line_occupancy_over_the_bucket() -> None:
    # 90 s calls. In [17:00, 18:00) every call starts and ends inside the bucket (the latest
    # start is 17:57, the 2nd retry of the 17:54 destination), so the average concurrency is
    # expected attempts × 90 s / 3600 s = 26.9078 / 40 = 0.672695.
    result = campaign_forecast(answer_rate=Decimal("0.3"), call_duration=timedelta(seconds=90))
    assert result.rows[0].expected_in_progress == Fraction("26.9078") / 40


def test_a_call_running_over_the_bucket_edge_counts_in_both() -> None:
    # One destination, no retry, unpaced, starting 17:59; a 2-minute call covers 1 min of the
    # 17:00 bucket and 1 min of the 18:00 bucket: 60 s / 3600 s = 1/60 each. The rows reach
    # the bucket of the call's last µs.
    request = {"messages": [{"scenarioId": "S", "destinations": [{"to": "41793026700"}],
                             "sendAt": "2016-07-07T17:59:00+01:00"}]}
    result = forecast(plan(request, now=CAMPAIGN_NOW), call_duration=timedelta(minutes=2))
    assert [row.start_us for row in result.rows] == [local(17), local(18)]
    assert [row.expected_in_progress for row in result.rows] == [Fraction(1, 60)] * 2
    assert forecast(plan(request, now=CAMPAIGN_NOW)).rows[0].expected_in_progress is None


def test_the_deadline_cuts_retries_and_the_last_attempt() -> None:
    # Unpaced, validity 10 min, retries 1, 2, 5, 5 min: attempts at +0, +1, +3, +8; +13 is at
    # or after the deadline (+10) and does not happen.
    request = {"messages": [{"scenarioId": "S", "validityPeriod": 10,
                             "destinations": [{"to": f"4179302670{i}"} for i in range(3)],
                             "retry": {"minPeriod": 1, "maxPeriod": 5, "maxCount": 4},
                             "sendAt": "2016-07-07T17:00:00+01:00"}]}
    result = forecast(plan(request, now=CAMPAIGN_NOW), bucket=timedelta(minutes=1))
    assert result.retries == (3, 3, 3, 0)
    assert result.last_attempt_us == local(17, 8)
    assert result.deadlines_us == (local(17, 10),)
    counts = {row.start_us - local(17): (row.first_attempts, row.retries) for row in result.rows}
    assert len(counts) == 9  # buckets 17:00 … 17:08
    assert counts[0] == (3, (0, 0, 0, 0))
    assert counts[MIN] == (0, (3, 0, 0, 0))
    assert counts[3 * MIN] == (0, (0, 3, 0, 0))
    assert counts[8 * MIN] == (0, (0, 0, 3, 0))


def test_buckets_are_aligned_in_the_first_messages_offset() -> None:
    # sendAt 17:20 at +05:30; hourly buckets start on whole local hours: 17:00 +05:30, i.e.
    # 11:30 UTC. A one-day bucket starts at local midnight, 18:30 UTC the day before.
    at = to_us(datetime(2030, 1, 7, 17, 20, tzinfo=timezone(timedelta(hours=5, minutes=30))))
    offset = 330
    assert bucket_start(at, US_PER_HOUR, offset) == to_us(
        datetime(2030, 1, 7, 11, 30, tzinfo=timezone.utc))
    assert bucket_start(at, US_PER_DAY, offset) == to_us(
        datetime(2030, 1, 6, 18, 30, tzinfo=timezone.utc))


def test_messages_merge_into_the_same_buckets() -> None:
    # Message 0: the 25-destination campaign; message 1: 4 unpaced destinations at 18:30 with
    # no retry. The 18:00 bucket holds 10 + 4 first attempts.
    second = {"scenarioId": "S", "destinations": [{"to": f"4179302670{i}"} for i in range(4)],
              "sendAt": "2016-07-07T18:30:00+01:00"}
    request = {"messages": [*CAMPAIGN["messages"], second]}
    result = forecast(plan(request, now=CAMPAIGN_NOW))
    assert [row.first_attempts for row in result.rows] == [10, 14, 5]
    assert [row.retries for row in result.rows] == [(10, 10, 9, 8), (10, 10, 10, 10),
                                                    (5, 5, 6, 7)]
    assert result.destinations == 29


def test_until_drops_later_buckets() -> None:
    result = campaign_forecast(until=local(18, 1))
    assert [row.start_us for row in result.rows] == [local(17), local(18)]
    assert len(campaign_forecast(until=local(16)).rows) == 0


def test_rows_are_a_lazy_sequence() -> None:
    rows = campaign_forecast().rows
    assert rows[-1] == rows[2] == list(rows)[2]
    assert rows[1:] == (rows[1], rows[2])
    with pytest.raises(IndexError):
        rows[3]


def test_a_campaign_with_no_attempt_has_no_rows() -> None:
    request = {"messages": [{"scenarioId": "S", "destinations": [{"to": "123"}]}]}  # rejected
    result = forecast(plan(request, now=CAMPAIGN_NOW))
    assert len(result.rows) == 0 and result.first_call_us is None and result.last_attempt is None


# -- parameters ------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (None, Fraction(0)), ("0.3", Fraction(3, 10)), (" 1/3 ", Fraction(1, 3)),
    (Decimal("0.25"), Fraction(1, 4)), (1, Fraction(1)), (Fraction(2, 7), Fraction(2, 7)),
    # A float is read through its shortest decimal text, not as the binary double 0.299999….
    (0.3, Fraction(3, 10)),
])
def test_answer_rates_are_exact(value: Any, expected: Fraction) -> None:
    assert answer_rate_fraction(value) == expected


@pytest.mark.parametrize("value", ["1.01", "-0.1", "abc", "", True, math.nan, math.inf, "1/0"])
def test_bad_answer_rates_are_refused(value: Any) -> None:
    with pytest.raises(IvrschedError):
        answer_rate_fraction(value)


def test_bad_bucket_and_duration_are_refused() -> None:
    the_plan = plan(CAMPAIGN, now=CAMPAIGN_NOW)
    with pytest.raises(IvrschedError):
        forecast(the_plan, bucket=timedelta(0))
    with pytest.raises(IvrschedError):
        forecast(the_plan, call_duration=timedelta(seconds=-1))


@pytest.mark.parametrize(("value", "text"), [
    (Fraction(16908, 1000) - Fraction(2, 10**4), "16.908"),  # 16.9078
    (Fraction(1, 8000), "0.000"),  # 0.000125 rounds down
    (Fraction(5, 10**4), "0.000"),  # exactly half: to the even 0.000
    (Fraction(15, 10**4), "0.002"),  # exactly half: to the even 0.002
    (Fraction(2, 3), "0.667"),
    (Fraction(40), "40.000"),
])
def test_rounding_is_half_even_from_the_exact_fraction(value: Fraction, text: str) -> None:
    assert str(round_fraction(value)) == text


@given(st.integers(0, 300), st.integers(1, 50), st.integers(0, 10**9), st.integers(0, 10**6))
def test_floor_sum_matches_the_loop(n: int, m: int, a: int, b: int) -> None:
    assert floor_sum(n, m, a, b) == sum((a * i + b) // m for i in range(n))


# -- a huge campaign: nothing enumerated ------------------------------------------------------

class ManyDestinations(Sequence[Destination]):
    """10^9 destinations, made on demand."""

    def __init__(self, count: int) -> None:
        self.size = count

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> Destination: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Destination]: ...

    def __getitem__(self, index: int | slice) -> Destination | Sequence[Destination]:
        if isinstance(index, slice):
            raise NotImplementedError
        return Destination(f"+{10**10 + range(self.size)[index]}")

    def __iter__(self) -> Iterator[Destination]:
        raise AssertionError("the forecast must not walk the destinations")


def test_a_billion_destinations_forecast_the_first_day_without_enumerating(
        monkeypatch: pytest.MonkeyPatch) -> None:
    message = Message("S", ManyDestinations(10**9), validity_period=None,
                      retry=Retry(1, 5, 4), sending_speed=SendingSpeed(1000, TimeUnit.SECOND),
                      rejected_indices=())
    now = datetime(2030, 1, 7, tzinfo=timezone.utc)
    the_plan = plan(Request((message,)), now=now)
    calls = {"attempts_us": 0, "schedule": 0}
    original_attempts, original_schedule = Timeline.attempts_us, MessagePlan.schedule

    def counting_attempts(self: Timeline, slot: int) -> tuple[int, ...]:
        calls["attempts_us"] += 1
        return original_attempts(self, slot)

    def counting_schedule(self: MessagePlan, position: int) -> Any:
        calls["schedule"] += 1
        return original_schedule(self, position)

    monkeypatch.setattr(Timeline, "attempts_us", counting_attempts)
    monkeypatch.setattr(MessagePlan, "schedule", counting_schedule)
    start = to_us(now)
    result = forecast(the_plan, answer_rate="0.5", call_duration=timedelta(seconds=30),
                      until=start + US_PER_DAY)
    rows = list(result.rows)
    assert calls == {"attempts_us": 0, "schedule": 0}

    # 1000 per second: 3,600,000 first attempts in every hour of the first day.
    assert len(rows) == 24
    assert {row.first_attempts for row in rows} == {3_600_000}
    # Retry k is D = 1, 3, 8, 13 min after the first attempt; in the first hour only the first
    # attempts of the first 60 - D minutes have it: (60 - D) · 60 · 1000.
    assert rows[0].retries == (3_540_000, 3_420_000, 3_120_000, 2_820_000)
    assert rows[1].retries == (3_600_000,) * 4
    # Last first attempt: slot 10^9 - 1 at (10^9 - 1) ms; the last attempt 13 min later.
    assert result.last_first_attempt_us == start + (10**9 - 1) * 1000
    assert result.last_attempt_us == start + (10**9 - 1) * 1000 + 13 * MIN
    # From the second hour on, the line holds 1000/s × 30 s = 30,000 first-attempt calls, plus
    # retries weighted 1/2, 1/4, 1/8, 1/16: 30,000 × (1 + 15/16) on average.
    assert rows[5].expected_in_progress == 30_000 * Fraction(31, 16)


# -- references: brute-force enumeration and simulations ----------------------------------------

NOW = datetime(2029, 12, 31, 12, tzinfo=timezone.utc)
MAX_ROWS = 150


def brute_force(the_plan: Plan, bucket_us: int, rate: Fraction, duration_us: int | None,
                first_start: int, count: int) -> list[tuple[int, list[int], Fraction, Fraction]]:
    """Per bucket, by walking every destination's attempts: first attempts, planned retries by
    number, expected retries and expected occupancy / bucket length."""
    depth = max(len(m.timeline.gaps_us) for m in the_plan.messages)
    firsts = [0] * count
    retries = [[0] * depth for _ in range(count)]
    expected = [Fraction(0)] * count
    occupancy = [Fraction(0)] * count
    for schedule in the_plan:
        for number, at in enumerate(schedule.attempts_us):
            weight = (1 - rate) ** number
            index = (at - first_start) // bucket_us
            if 0 <= index < count:
                if number == 0:
                    firsts[index] += 1
                else:
                    retries[index][number - 1] += 1
                    expected[index] += weight
            if duration_us:
                last = min(count - 1, (at + duration_us - 1 - first_start) // bucket_us)
                for i in range(max(0, index), last + 1):
                    a = first_start + i * bucket_us
                    overlap = min(at + duration_us, a + bucket_us) - max(at, a)
                    occupancy[i] += weight * Fraction(overlap, bucket_us)
    return list(zip(firsts, retries, expected, occupancy, strict=True))


def check_against_brute_force(the_plan: Plan, bucket_us: int, rate: Fraction,
                              duration_us: int | None) -> None:
    every = [(n, at) for s in the_plan for n, at in enumerate(s.attempts_us)]
    probe = forecast(the_plan, bucket=timedelta(microseconds=bucket_us))
    if not every:
        assert len(probe.rows) == 0 and probe.first_call_us is None
        return
    offset = the_plan.messages[0].offset_minutes
    first_start = bucket_start(min(at for _, at in every), bucket_us, offset)
    until = first_start + MAX_ROWS * bucket_us
    result = forecast(the_plan, bucket=timedelta(microseconds=bucket_us), answer_rate=rate,
                      call_duration=None if duration_us is None
                      else timedelta(microseconds=duration_us), until=until)
    last_busy = max(at for _, at in every) + max(0, (duration_us or 0) - 1)
    expected_count = min(MAX_ROWS, (bucket_start(last_busy, bucket_us, offset) - first_start)
                         // bucket_us + 1)
    assert len(result.rows) == expected_count
    assert result.first_call_us == min(at for n, at in every if n == 0)
    assert result.last_first_attempt_us == max(at for n, at in every if n == 0)
    assert result.last_attempt_us == max(at for _, at in every)
    assert result.first_attempts == sum(1 for n, _ in every if n == 0)
    assert sum(result.retries) == sum(1 for n, _ in every if n > 0)
    reference = brute_force(the_plan, bucket_us, rate, duration_us, first_start, expected_count)
    for row, (firsts, retries, expected, occupancy) in zip(result.rows, reference, strict=True):
        assert row.first_attempts == firsts
        assert list(row.retries) == retries
        assert row.expected_retries == expected
        if duration_us is not None:
            assert row.expected_in_progress == occupancy


buckets = st.one_of(st.sampled_from([MIN, 7 * MIN, US_PER_HOUR, 6 * US_PER_HOUR, US_PER_DAY]),
                    st.integers(1, 3 * US_PER_HOUR))
durations = st.one_of(st.none(), st.integers(0, 3 * US_PER_HOUR))
rates = st.fractions(0, 1, max_denominator=20)


@given(requests(max_messages=2, max_destinations=8), buckets)
def test_answer_rate_zero_expects_exactly_the_enumerated_attempts(
        data: dict[str, Any], bucket_us: int) -> None:
    check_against_brute_force(plan(data, now=NOW), bucket_us, Fraction(0), None)


@given(requests(max_messages=2, max_destinations=8), buckets, rates, durations,
       st.integers(0, 120 * US_PER_SECOND))
def test_any_rate_and_duration_match_the_enumeration(
        data: dict[str, Any], bucket_us: int, rate: Fraction, duration_us: int | None,
        failure_delay_us: int) -> None:
    the_plan = plan(data, now=NOW, failure_delay=timedelta(microseconds=failure_delay_us))
    check_against_brute_force(the_plan, bucket_us, rate, duration_us)


class ClosedFirstThirdOfEachHour:
    """A test calendar, independent of ivrsched.rules.windows: closed in [h:00, h:20) every hour."""

    closed = 20 * MIN
    open_per_hour = US_PER_HOUR - 20 * MIN

    def _open_before(self, at: int) -> int:
        hours, into = divmod(at, US_PER_HOUR)
        return hours * self.open_per_hour + max(0, into - self.closed)

    def next_open(self, at_us: int) -> int:
        into = at_us % US_PER_HOUR
        return at_us - into + self.closed if into < self.closed else at_us

    def advance(self, start_us: int, open_us: int) -> int:
        hours, into = divmod(self._open_before(start_us) + open_us, self.open_per_hour)
        return hours * US_PER_HOUR + self.closed + into

    def open_between(self, start_us: int, end_us: int) -> int:
        return max(0, self._open_before(end_us) - self._open_before(start_us))


def with_calendar(the_plan: Plan, calendar: Calendar) -> Plan:
    messages = tuple(replace(m, timeline=replace(m.timeline, calendar=calendar))
                     for m in the_plan.messages)
    return replace(the_plan, messages=messages)


@given(requests(max_messages=2, max_destinations=8), buckets, rates, durations)
def test_a_calendar_with_closed_hours_matches_the_enumeration(
        data: dict[str, Any], bucket_us: int, rate: Fraction, duration_us: int | None) -> None:
    # The forecast cannot shift first attempts here; it takes its slower, general path.
    the_plan = with_calendar(plan(data, now=NOW), ClosedFirstThirdOfEachHour())
    check_against_brute_force(the_plan, bucket_us, rate, duration_us)


def test_a_delivery_window_campaign_matches_the_enumeration() -> None:
    # Mon–Fri 09:00–17:00 UTC from Friday 16:00 (ivrsched.rules.windows' own calendar).
    request = {"messages": [{
        "scenarioId": "S", "destinations": [{"to": f"41793026{i:03d}"} for i in range(60)],
        "sendingSpeed": {"speed": 10, "timeUnit": "hour"}, "sendAt": "2030-01-04T16:00:00Z",
        "retry": {"minPeriod": 30, "maxPeriod": 60, "maxCount": 2},
        "deliveryTimeWindow": {"days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
                               "from": {"hour": 9, "minute": 0}, "to": {"hour": 17, "minute": 0}},
    }]}
    the_plan = plan(request, now=datetime(2030, 1, 1, tzinfo=timezone.utc))
    check_against_brute_force(the_plan, US_PER_HOUR, Fraction(1, 3), 5 * MIN)


def exact_moments(the_plan: Plan, bucket_us: int, rate: Fraction,
                  first_start: int, count: int) -> list[tuple[Fraction, Fraction]]:
    """Per bucket, the exact mean and variance of the attempts made, by enumerating how many
    attempts each destination makes (M = m with probability p(1-p)^(m-1), the last one taking
    the rest); destinations are independent, so means and variances add up."""
    moments = [(Fraction(0), Fraction(0)) for _ in range(count)]
    for schedule in the_plan:
        attempts = schedule.attempts_us
        n = len(attempts)
        if n == 0:
            continue
        law = [rate * (1 - rate) ** (m - 1) for m in range(1, n)] + [(1 - rate) ** (n - 1)]
        for i in range(count):
            a = first_start + i * bucket_us
            inside = [a <= t < a + bucket_us for t in attempts]
            values = [sum(inside[:m]) for m in range(1, n + 1)]
            mean = sum((p * v for p, v in zip(law, values, strict=True)), Fraction(0))
            square = sum((p * v * v for p, v in zip(law, values, strict=True)), Fraction(0))
            moments[i] = (moments[i][0] + mean, moments[i][1] + square - mean * mean)
    return moments


def test_expectations_match_the_mean_of_seeded_simulations() -> None:
    # Two messages: 12 destinations at 20/hour with retries, and 6 unpaced ones whose retries a
    # 10-minute validity cuts. No-answer attempts last 0 s, so the simulation's realised retry
    # times are the planned ones (S10 measures from the attempt's end).
    messages = [
        {"scenarioId": "S", "destinations": [{"to": f"4179302{i:04d}"} for i in range(12)],
         "sendingSpeed": {"speed": 20, "timeUnit": "hour"},
         "retry": {"minPeriod": 5, "maxPeriod": 10, "maxCount": 3}},
        {"scenarioId": "S", "destinations": [{"to": f"4179303{i:04d}"} for i in range(6)],
         "validityPeriod": 10, "retry": {"minPeriod": 1, "maxPeriod": 5, "maxCount": 4}},
    ]
    the_plan = plan({"messages": messages}, now=NOW)
    rate = Fraction(3, 10)
    bucket_us = 10 * MIN
    result = forecast(the_plan, bucket=timedelta(microseconds=bucket_us), answer_rate=rate)
    count, first_start = len(result.rows), result.rows.first_start_us
    runs = 300
    totals = [0] * count
    for seed in range(runs):
        outcomes = Random(answer_rate=rate, busy_rate=0, seed=seed, ring_timeout=timedelta(0))
        for event in simulate(the_plan, outcomes).events():
            totals[(event.start_us - first_start) // bucket_us] += 1

    moments = exact_moments(the_plan, bucket_us, rate, first_start, count)
    for row, (mean, variance), total in zip(result.rows, moments, totals, strict=True):
        # The forecast equals the exact mean of the independent enumeration…
        assert row.expected_total == mean
        # …and the simulated average is within 5 standard errors of it. The average of `runs`
        # independent runs has variance Var/runs; by the central limit theorem a deviation
        # beyond 5 standard errors has probability below 6e-7 per bucket, and the seeds are
        # fixed, so this cannot flake. A zero variance (a bucket of first attempts only) must
        # then match exactly.
        tolerance = 5 * math.sqrt(variance / runs)
        assert abs(Fraction(total, runs) - mean) <= tolerance
    assert sum(totals) > 0


def test_answer_rates_of_absurd_size_are_refused_at_once() -> None:
    from decimal import Decimal

    from ivrsched.errors import IvrschedError
    from ivrsched.forecasting.load import answer_rate_fraction

    # Without a bound, Fraction would compute 10**99999999999 (hours of work).
    for value in ("1e-99999999999", Decimal("1e-99999999999")):
        with pytest.raises(IvrschedError, match="not a number"):
            answer_rate_fraction(value)
    assert answer_rate_fraction(Decimal("0.25")) == Fraction(1, 4)
    assert answer_rate_fraction(" 1/3 ") == Fraction(1, 3)
