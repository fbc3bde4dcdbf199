"""Plans as data frames: Arrow, pandas and polars, one row per destination or per attempt,
with exact, zone-aware timestamp columns."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from ivrsched import Plan, SeededIds, plan
from ivrsched.rules.instants import to_us

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
#: Starts 00:59 UTC on the day Europe/Berlin moves from +01:00 to +02:00 (at 01:00 UTC).
REQUEST = {"messages": [{
    "scenarioId": "S", "sendAt": "2030-03-31T00:59:00.000001Z",
    "destinations": [{"to": "41793026727"}, {"to": "x"}, {"to": "41793026728"}],
    "sendingSpeed": {"speed": 1, "timeUnit": "minute"},
    "retry": {"minPeriod": 1, "maxPeriod": 5, "maxCount": 2}}]}


@pytest.fixture
def the_plan() -> Plan:
    return plan(REQUEST, now=NOW, ids=SeededIds(1))


def test_one_row_per_attempt_with_exact_timestamps(the_plan: Plan) -> None:
    table = the_plan.to_arrow(per="attempt")
    assert table.schema.field("time").type == pa.timestamp("us", tz="UTC")
    expected = [(s.index, n, s.message_id, at) for s in the_plan
                for n, at in enumerate(s.attempts_us, start=1)]
    got = list(zip(table.column("index").to_pylist(), table.column("attempt").to_pylist(),
                   table.column("messageId").to_pylist(),
                   table.column("time").cast(pa.int64()).to_pylist(), strict=True))
    assert got == expected
    # Destination 0: 00:59:00.000001, then 1 and 2 minutes after; the rejected one has no row.
    first = to_us(datetime(2030, 3, 31, 0, 59, 0, 1, tzinfo=timezone.utc))
    assert [t for i, _, _, t in got if i == 0] == [first, first + 60_000_000,
                                                  first + 180_000_000]
    assert 1 not in table.column("index").to_pylist()


def test_one_row_per_destination_keeps_the_jsonl_columns_and_adds_timestamps(
        the_plan: Plan) -> None:
    table = the_plan.to_arrow()
    assert table.num_rows == 3
    assert table.column("status").to_pylist()[1] == "REJECTED_INVALID_DESTINATION"
    times = table.column("times").to_pylist()
    assert times[1] == []
    assert [to_us(t) for t in times[2]] == list(the_plan.messages[0][2].attempts_us)


def test_pandas_shows_the_instants_in_a_zone_dst_correct(the_plan: Plan) -> None:
    frame = the_plan.to_pandas(per="attempt", tz="Europe/Berlin")
    assert isinstance(frame, pd.DataFrame)
    times = [t.isoformat() for t in frame["time"]]
    # 00:59 UTC is 01:59 +01:00; 01:00 UTC is already 03:00 +02:00 (the clocks jumped).
    assert times[:3] == ["2030-03-31T01:59:00.000001+01:00", "2030-03-31T03:00:00.000001+02:00",
                         "2030-03-31T03:02:00.000001+02:00"]
    assert str(frame["time"].dtype) == "datetime64[us, Europe/Berlin]"


def test_polars_gets_microsecond_zone_aware_datetimes(the_plan: Plan) -> None:
    frame = the_plan.to_polars(per="attempt", tz="America/New_York")
    assert isinstance(frame, pl.DataFrame)
    assert frame.schema["time"] == pl.Datetime("us", "America/New_York")
    assert frame.height == 6
    assert frame["attempt"].to_list() == [1, 2, 3, 1, 2, 3]


def test_an_unknown_shape_is_refused(the_plan: Plan) -> None:
    with pytest.raises(ValueError, match="per must be one of"):
        the_plan.to_arrow(per="message")


def test_a_fixed_offset_request_defaults_to_its_offset() -> None:
    request = {"messages": [{"scenarioId": "S", "sendAt": "2030-01-07T09:00:00+01:00",
                             "destinations": [{"to": "41793026727"}]}]}
    table = plan(request, now=NOW, ids=SeededIds(1)).to_arrow(per="attempt")
    assert table.schema.field("time").type == pa.timestamp("us", tz="+01:00")
    assert table.column("time").to_pylist()[0].isoformat() == "2030-01-07T09:00:00+01:00"
