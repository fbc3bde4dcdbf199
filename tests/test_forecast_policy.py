"""forecast and plot under a calling policy (SPEC S15, S16): the counts per bucket equal a count
made here of the policy plan's attempts; worked examples by hand; ``forecast --policy``."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ivrsched import forecast, plan
from ivrsched.forecasting.capacity import plan_capacity
from ivrsched.policy import parse_policy
from ivrsched.policy.pacing import MessageRun, PolicyAttempt, failing_after, run_policy
from ivrsched.rules.instants import to_us
from ivrsched.testing import calling_policies, policy_requests

NOW = datetime(2030, 3, 8, 12, 0, tzinfo=timezone.utc)
HOUR = 3_600_000_000
FEDERAL = {"callingHours": {"from": {"hour": 8, "minute": 0}, "to": {"hour": 21, "minute": 0}}}
LOS_ANGELES, NEW_YORK = "13105550100", "12125550100"


def _us(text: str) -> int:
    return to_us(datetime.fromisoformat(text))


@given(policy_requests(2, 5), calling_policies(first_day="2030-03-08", days=10),
       st.sampled_from([timedelta(minutes=15), timedelta(hours=1), timedelta(days=1)]))
def test_the_counts_per_bucket_are_the_policy_plans_attempts(request: Any, policy_json: Any,
                                                            bucket: timedelta) -> None:
    policy = parse_policy(policy_json)
    the_plan = plan(request, now=NOW)
    result = forecast(the_plan, bucket=bucket, policy=policy)
    # The attempts, counted here per (bucket start, attempt number) with plain arithmetic.
    runs = [MessageRun(m.message_index, m.timeline, m.message.destinations)
            for m in the_plan.messages]
    width = bucket // timedelta(microseconds=1)
    counted: Counter[tuple[int, int]] = Counter()
    starts = []
    for record in run_policy(runs, policy, failing_after(the_plan.failure_delay_us)):
        if isinstance(record, PolicyAttempt):
            counted[(record.start_us - record.start_us % width, record.attempt)] += 1
            starts.append(record.start_us)
    assert result.first_attempts + sum(result.retries) == len(starts)
    assert result.first_call_us == min(starts, default=None)
    assert result.last_attempt_us == max(starts, default=None)
    seen: Counter[tuple[int, int]] = Counter()
    for row in result.rows:
        assert row.end_us - row.start_us == width
        if row.first_attempts:
            seen[(row.start_us, 1)] = row.first_attempts
        for k, n in enumerate(row.retries):
            if n:
                seen[(row.start_us, k + 2)] = n
    assert seen == counted


def test_hours_move_first_attempts_into_later_buckets_by_hand() -> None:
    request = {"messages": [{"scenarioId": "S",
                             "sendingSpeed": {"speed": 1, "timeUnit": "hour"},
                             "destinations": [{"to": LOS_ANGELES}, {"to": NEW_YORK},
                                              {"to": LOS_ANGELES}]}]}
    result = forecast(plan(request, now=NOW), policy=parse_policy(FEDERAL))
    # 12:00Z passes (07:00 EST), New York 13:00Z, Los Angeles 16:00Z and 17:00Z (08:00 PST).
    assert [(row.start_us, row.first_attempts) for row in result.rows] == [
        (_us("2030-03-08T13:00:00+00:00"), 1), (_us("2030-03-08T14:00:00+00:00"), 0),
        (_us("2030-03-08T15:00:00+00:00"), 0), (_us("2030-03-08T16:00:00+00:00"), 1),
        (_us("2030-03-08T17:00:00+00:00"), 1)]
    # A plan made under the policy carries it.
    carried = forecast(plan(request, now=NOW, policy=parse_policy(FEDERAL)))
    assert [row.first_attempts for row in carried.rows] == [1, 0, 0, 1, 1]
    # Without the policy: 12:00, 13:00, 14:00.
    plain = forecast(plan(request, now=NOW))
    assert [row.first_attempts for row in plain.rows] == [1, 1, 1]


def test_the_exact_peak_under_a_policy_by_hand() -> None:
    # Two Los Angeles numbers, unpaced, at 12:00Z: both wait for 08:00 PST (16:00Z), and
    # with 10-minute calls both are in progress from 16:00Z; their retries (5 min after the
    # end) start together at 16:15Z.
    request = {"messages": [{"scenarioId": "S",
                             "retry": {"minPeriod": 5, "maxPeriod": 5, "maxCount": 1},
                             "destinations": [{"to": LOS_ANGELES}, {"to": "13105550101"}]}]}
    the_plan = plan(request, now=NOW)
    policy = parse_policy(FEDERAL)
    capacity = plan_capacity(the_plan, timedelta(minutes=10), policy=policy)
    assert capacity.attempts == 4
    assert (capacity.peak.count, capacity.peak.at_us, capacity.peak.until_us) == (
        2, _us("2030-03-08T16:00:00+00:00"), _us("2030-03-08T16:10:00+00:00"))
    result = forecast(the_plan, policy=policy, call_duration=timedelta(minutes=10))
    (row,) = result.rows
    assert row.start_us == _us("2030-03-08T16:00:00+00:00")
    # The forecast's retries follow the plan's failure delay (0): at 16:05Z, same bucket.
    assert (row.first_attempts, row.retries) == (2, (2,))
    # 4 calls of 10 minutes inside the hour: 40 minutes of calls over 60, 2/3 on average.
    assert row.expected_in_progress == Fraction(2, 3)


def _run(tmp_path: Path, command: str, *extra: str) -> subprocess.CompletedProcess[str]:
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"messages": [{
        "scenarioId": "S", "sendingSpeed": {"speed": 1, "timeUnit": "hour"},
        "destinations": [{"to": LOS_ANGELES}, {"to": NEW_YORK}, {"to": LOS_ANGELES}]}]}))
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(FEDERAL))
    return subprocess.run([sys.executable, "-m", "ivrsched", command, str(request),
                           "--now", "2030-03-08T12:00:00Z", "--seed", "1",
                           "--policy", str(policy), *extra],
                          capture_output=True, text=True, check=False)


def test_forecast_policy_file(tmp_path: Path) -> None:
    done = _run(tmp_path, "forecast", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()
    assert rows[1].startswith("2030-03-08T13:00:00")
    assert len(rows) == 1 + 5
    peak = _run(tmp_path, "forecast", "--format", "json", "--call-duration", "600")
    assert peak.returncode == 0, peak.stderr
    assert '"2030-03-08T13:00:00' in peak.stdout


def test_plot_policy_file(tmp_path: Path) -> None:
    import pytest

    pytest.importorskip("matplotlib")
    done = _run(tmp_path, "plot", "-o", str(tmp_path / "p.svg"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "p.svg").read_text().lstrip().startswith("<?xml")
