"""Forecasts under delivery windows read the vector kernel's columns (ivrsched.rules.vector
.column_table); the slot-by-slot path they replace is the reference, and a brute-force count of
every planned attempt checks both."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivrsched.forecasting import load
from ivrsched.forecasting.load import forecast
from ivrsched.ids import SeededIds
from ivrsched.planning.planner import plan
from ivrsched.rules import vector
from tests.strategies import requests

NOW = datetime(2030, 3, 25, tzinfo=timezone.utc)  # Berlin moves its clocks on 2030-03-31


def request(zone: str) -> dict[str, Any]:
    return {"messages": [{
        "scenarioId": "S", "destinations": [{"to": str(41_790_000_000 + i)} for i in range(200)],
        "sendingSpeed": {"speed": 20, "timeUnit": "hour"},
        "retry": {"minPeriod": 20, "maxPeriod": 120, "maxCount": 3},
        "deliveryTimeWindow": {"days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
                               "from": {"hour": 9, "minute": 0}, "to": {"hour": 17, "minute": 0},
                               "timeZone": zone}}]}


@pytest.mark.parametrize("zone", ["Europe/Berlin", "UTC"])
def test_windowed_forecast_equals_the_slot_by_slot_path(zone: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    the_plan = plan(request(zone), now=NOW, ids=SeededIds(1))
    vector.column_table.cache_clear()
    fast = forecast(the_plan, call_duration=timedelta(seconds=150), answer_rate="0.25")
    fast_rows = list(fast.rows)
    assert load.AttemptSeries(the_plan.messages[0], 2)._table() is not None
    monkeypatch.setattr(vector, "column_table", lambda timeline, slots: None)
    slow = forecast(the_plan, call_duration=timedelta(seconds=150), answer_rate="0.25")
    assert list(slow.rows) == fast_rows
    # Brute force: every attempt of every destination, counted into its bucket.
    counts: dict[int, list[int]] = {}
    for schedule in the_plan.messages[0]:
        for k, at in enumerate(schedule.attempts_us):
            bucket = (at - fast.rows[0].start_us) // 3_600_000_000
            counts.setdefault(bucket, [0, 0, 0, 0])[k] += 1
    got = {i: [row.first_attempts, *row.retries] for i, row in enumerate(fast_rows)
           if row.first_attempts or any(row.retries)}
    assert got == counts


# Buckets of 10 minutes and up: with one-minute buckets the row-by-row reference walks tens of
# thousands of buckets for a campaign whose retries span days, which tells nothing more.
@settings(max_examples=20)
@given(requests(max_messages=2, max_destinations=30, windows=None, rejected=True),
       st.sampled_from([600, 3600]))
def test_count_columns_equal_the_rows(request_json: dict[str, Any], bucket_seconds: int) -> None:
    the_plan = plan(request_json, now=NOW, ids=SeededIds(1))
    rows = forecast(the_plan, bucket=timedelta(seconds=bucket_seconds)).rows
    columns = rows.count_columns()
    by_bucket = [rows[i] for i in range(len(rows))]  # the reference, bucket by bucket
    expected = [[row.first_attempts for row in by_bucket],
                *([row.retries[k] for row in by_bucket] for k in range(len(columns) - 1))]
    assert [c.tolist() for c in columns] == expected
    with mock.patch.object(vector, "column_table", lambda timeline, slots: None):
        assert [c.tolist() for c in rows.count_columns()] == expected  # edge by edge
