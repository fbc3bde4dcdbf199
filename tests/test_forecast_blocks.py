"""A forecast's rows computed a block of buckets at a time (ivrsched.forecasting.row_blocks) are
the rows computed bucket by bucket (``ForecastRows.__getitem__``, the reference, itself checked
against brute force in tests/test_forecast_vector.py and tests/test_forecast.py); the capacity
figures on NumPy arrays (ivrsched.forecasting.capacity_columns) are the sweeps'."""

from __future__ import annotations

import heapq
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivrsched.forecasting import capacity, capacity_columns, row_blocks
from ivrsched.forecasting.load import ForecastRow, forecast
from ivrsched.ids import SeededIds
from ivrsched.planning.planner import plan
from ivrsched.rules import vector
from ivrsched.rules.instants import to_us
from tests.strategies import requests

NOW = datetime(2030, 3, 25, tzinfo=timezone.utc)  # a week before Europe's spring change


def _by_bucket(rows: Any) -> list[ForecastRow]:
    return [rows[i] for i in range(len(rows))]


@settings(max_examples=40, deadline=None)
@given(requests(max_messages=2, max_destinations=25, windows=None, rejected=True),
       st.sampled_from([600, 3600, 86_400]),
       st.none() | st.sampled_from([0, 1, 59, 3600, 7200]),
       st.sampled_from(["0", "0.3", "1/7"]), st.sampled_from([1, 2, 5, 16_384]))
def test_rows_in_blocks_are_the_rows_bucket_by_bucket(
        request_json: dict[str, Any], bucket_seconds: int, call_seconds: int | None,
        answer_rate: str, block: int) -> None:
    the_plan = plan(request_json, now=NOW, ids=SeededIds(1))
    vector.column_table.cache_clear()
    result = forecast(the_plan, bucket=timedelta(seconds=bucket_seconds),
                      answer_rate=Fraction(answer_rate),
                      call_duration=None if call_seconds is None
                      else timedelta(seconds=call_seconds),
                      until=NOW + timedelta(days=30))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(row_blocks, "BLOCK", block)
        assert list(result.rows) == _by_bucket(result.rows)


def test_a_windowed_forecast_is_computed_in_blocks() -> None:
    """The blocks are taken under a delivery window (else the test above would compare the
    bucket-by-bucket rows with themselves)."""
    request = {"messages": [{
        "scenarioId": "S", "destinations": [{"to": str(41_790_000_000 + i)} for i in range(90)],
        "sendingSpeed": {"speed": 20, "timeUnit": "hour"},
        "retry": {"minPeriod": 20, "maxPeriod": 120, "maxCount": 3},
        "deliveryTimeWindow": {"days": ["MONDAY", "FRIDAY"], "from": {"hour": 9, "minute": 0},
                               "to": {"hour": 12, "minute": 0}, "timeZone": "Europe/Berlin"}}]}
    the_plan = plan(request, now=NOW, ids=SeededIds(1))
    result = forecast(the_plan, call_duration=timedelta(seconds=90), answer_rate="0.25")
    assert row_blocks.blocks(result.rows) is not None
    rows = list(result.rows)
    assert rows == _by_bucket(result.rows)
    # By hand: Monday 2030-03-25 09:00-12:00 Berlin is 08:00-11:00 UTC, 20 first attempts an
    # hour: the first three hourly buckets have 20 each, the fourth none.
    assert rows[0].start_us == to_us(datetime(2030, 3, 25, 8, tzinfo=timezone.utc))
    assert [row.first_attempts for row in rows[:4]] == [20, 20, 20, 0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 500), max_size=40), max_size=4),
       st.integers(0, 120))
def test_capacity_on_arrays_equals_the_sweeps(columns: list[list[int]], duration: int) -> None:
    columns = [sorted(column) for column in columns]
    starts = capacity_columns.sorted_starts(columns)
    merged = list(heapq.merge(*columns))
    assert starts.tolist() == merged
    assert capacity_columns.peak_in_progress(starts, duration) == \
        capacity.peak_in_progress(columns, duration)
    for threshold in (0, 1, 3):
        assert capacity_columns.bursts(starts, threshold) == \
            list(capacity.bursts(merged, threshold))
    scaled = np.array(merged, dtype=np.int64) * 10_000_000  # up to 5,000 s apart: hours apart
    assert capacity_columns.busy_hour(scaled) == capacity._busy_hour(scaled.tolist())


def test_capacity_peak_by_hand() -> None:
    # Calls of 10 µs starting at 0, 5, 5, 12 and 30: at 5 three are in progress (0, 5, 5);
    # at 10 the first ends (two left), so the peak of 3 lasts from 5 until 10.
    starts = capacity_columns.sorted_starts([[0, 5, 12], [5, 30]])
    assert capacity_columns.peak_in_progress(starts, 10) == capacity.Peak(3, 5, 10)
    assert capacity_columns.peak_in_progress(starts, 0) == capacity.Peak(0, None, None)
    assert capacity_columns.bursts(starts, 1) == [capacity.Burst(5, 2)]
    with pytest.raises(ValueError):
        capacity_columns.peak_in_progress(starts, -1)
