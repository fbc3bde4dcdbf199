"""The chunked, vectorised exports (ivrsched.io.chunked, ivrsched.io.arrow_export) write exactly
what the row-by-row writers write: the references are plan_formats.write_jsonl / write_csv,
streaming.write_jsonl_stream and format_us, each tested on its own elsewhere."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivrsched.cli.plan_cmd import _rows_target
from ivrsched.errors import PlanRangeError
from ivrsched.ids import SeededIds
from ivrsched.io import chunked
from ivrsched.io.arrow_export import write_parquet_stream
from ivrsched.io.destination_files import destinations_from_lines
from ivrsched.io.plan_formats import write_csv, write_jsonl
from ivrsched.planning.planner import plan
from ivrsched.planning.streaming import stream_plan, write_jsonl_stream
from ivrsched.rules.instants import MAX_US, MIN_US, US_PER_MINUTE, format_us
from tests.strategies import requests

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parent.parent


@given(st.lists(st.integers(MIN_US, MAX_US), max_size=60),
       st.integers(-14 * 60, 14 * 60), st.booleans())
def test_rendering_equals_format_us(values: list[int], offset: int, whole_ms: bool) -> None:
    if whole_ms:
        values = [v - v % 1000 for v in values]
    shift = offset * US_PER_MINUTE
    values = [v for v in values if MIN_US <= v + shift <= MAX_US]
    got = chunked.render_instants(np.array(values, dtype=np.int64), offset).tolist()
    assert got == [format_us(v, offset) for v in values]


def test_rendering_at_the_ends_of_the_range_and_outside() -> None:
    values = [MIN_US, MIN_US + 1, -1, 0, 1, 999, 1000, MAX_US - 999, MAX_US]
    got = chunked.render_instants(np.array(values, dtype=np.int64), 0).tolist()
    assert got[0] == "0001-01-01T00:00:00.000+00:00"
    assert got[2] == "1969-12-31T23:59:59.999999+00:00"
    assert got[-1] == "9999-12-31T23:59:59.999999+00:00"
    assert got == [format_us(v) for v in values]
    with pytest.raises(PlanRangeError):
        chunked.render_instants(np.array([MAX_US], dtype=np.int64), 60)


@settings(max_examples=60)
@given(requests(max_messages=2, max_destinations=25, windows=None, rejected=True,
                message_ids=True), st.integers(1, 7))
def test_plan_exports_equal_the_row_writers(request: dict[str, Any], chunk: int) -> None:
    the_plan = plan(request, now=NOW, ids=SeededIds(3))
    expected_jsonl, expected_csv = io.StringIO(), io.StringIO()
    write_jsonl(the_plan, expected_jsonl)
    write_csv(the_plan, expected_csv)
    got_jsonl, got_csv = io.StringIO(), io.StringIO()
    for message_plan in the_plan.messages:
        chunked.write_jsonl_chunked(message_plan, message_plan.message.destinations, got_jsonl,
                                    chunk_size=chunk)
    got_csv.write("message,index,to,messageId,status,attempt,time\n")
    for message_plan in the_plan.messages:
        chunked.write_csv_chunked(message_plan, message_plan.message.destinations, got_csv,
                                  chunk_size=chunk, header_row=False)
    assert got_jsonl.getvalue() == expected_jsonl.getvalue()
    assert got_csv.getvalue() == expected_csv.getvalue()
    whole_jsonl, whole_csv = io.StringIO(), io.StringIO()
    chunked.write_plan_jsonl(the_plan, whole_jsonl)
    chunked.write_plan_csv(the_plan, whole_csv)
    assert whole_jsonl.getvalue() == expected_jsonl.getvalue()
    assert whole_csv.getvalue() == expected_csv.getvalue()
    # A byte stream gets the same rows in UTF-8.
    jsonl_bytes, csv_bytes = io.BytesIO(), io.BytesIO()
    chunked.write_plan_jsonl(the_plan, jsonl_bytes)
    chunked.write_plan_csv(the_plan, csv_bytes)
    assert jsonl_bytes.getvalue() == expected_jsonl.getvalue().encode("utf-8")
    assert csv_bytes.getvalue() == expected_csv.getvalue().encode("utf-8")


LINES = ["41793026727", "bad", "", "+41793026728", "0123456", "41793026729", "4179302673"]


@pytest.mark.parametrize("window", [None, {"days": ["TUESDAY", "WEDNESDAY"],
                                           "from": {"hour": 9, "minute": 0},
                                           "to": {"hour": 10, "minute": 0},
                                           "timeZone": "Europe/Berlin"}])
@pytest.mark.parametrize("chunk", [1, 2, 5, 1000])
def test_streamed_rows_and_summary_equal_the_row_writer(window: dict[str, Any] | None,
                                                        chunk: int) -> None:
    message: dict[str, Any] = {"scenarioId": "S", "destinations": [{"to": "1000000"}],
                               "sendingSpeed": {"speed": 1, "timeUnit": "minute"},
                               "retry": {"minPeriod": 10, "maxPeriod": 60, "maxCount": 4}}
    if window is not None:
        message["deliveryTimeWindow"] = window
    lines = LINES * 7
    streaming = stream_plan({"messages": [message]}, destinations_from_lines(lines), now=NOW,
                            ids=SeededIds(9))
    expected = io.StringIO()
    expected_summary = write_jsonl_stream(streaming.header, destinations_from_lines(lines),
                                          expected)
    got = io.StringIO()
    summary = chunked.write_jsonl_chunked(streaming.header, destinations_from_lines(lines), got,
                                          chunk_size=chunk)
    assert got.getvalue() == expected.getvalue()
    assert summary == expected_summary
    rows = [json.loads(line) for line in expected.getvalue().splitlines()]
    csv_text = io.StringIO()
    chunked.write_csv_chunked(streaming.header, destinations_from_lines(lines), csv_text,
                              chunk_size=chunk)
    # Every destination: a row per attempt, or one row without attempt and time.
    expected_csv = ["message,index,to,messageId,status,attempt,time"] + [
        line for r in rows for line in (
            [f"0,{r['index']},{r['to']},{r['messageId']},{r['status']},{k},{t}"
             for k, t in enumerate(r["attempts"], start=1)]
            or [f"0,{r['index']},{r['to']},{r['messageId']},{r['status']},,"])]
    assert csv_text.getvalue().splitlines() == expected_csv


def test_parquet_holds_the_jsonl_rows(tmp_path: Path) -> None:
    message = {"scenarioId": "S", "destinations": [{"to": "1000000"}],
               "sendingSpeed": {"speed": 3, "timeUnit": "hour"},
               "retry": {"minPeriod": 1, "maxPeriod": 60, "maxCount": 4},
               "sendAt": "2030-01-01T00:00:00.000+05:30"}
    lines = LINES * 3
    streaming = stream_plan({"messages": [message]}, destinations_from_lines(lines), now=NOW,
                            ids=SeededIds(2))
    expected = io.StringIO()
    expected_summary = write_jsonl_stream(streaming.header, destinations_from_lines(lines),
                                          expected)
    path = tmp_path / "plan.parquet"
    with path.open("wb") as out:
        summary = write_parquet_stream(streaming.header, destinations_from_lines(lines), out,
                                       chunk_size=4)
    assert summary == expected_summary
    table = pq.read_table(path).to_pylist()
    rows = [json.loads(line) for line in expected.getvalue().splitlines()]
    assert [{k: v for k, v in row.items() if k != "attempts_us"} for row in table] == rows
    for row in table:  # the integers are the rendered instants
        assert [format_us(t, 330) for t in row["attempts_us"]] == row["attempts"]


def test_plan_to_arrow_has_a_row_per_destination() -> None:
    request = {"messages": [{"scenarioId": "S", "destinations": [{"to": "41793026727"},
                                                                 {"to": "x"}]},
                            {"scenarioId": "T", "destinations": [{"to": "41793026728"}],
                             "retry": {"minPeriod": 5, "maxPeriod": 5, "maxCount": 1}}]}
    table = plan(request, now=NOW, ids=SeededIds(1)).to_arrow()
    assert table.column("message").to_pylist() == [0, 0, 1]
    assert table.column("status").to_pylist() == ["PENDING_ACCEPTED",
                                                  "REJECTED_INVALID_DESTINATION",
                                                  "PENDING_ACCEPTED"]
    assert table.column("attempts").to_pylist() == [
        ["2030-01-01T00:00:00.000+00:00"], [],
        ["2030-01-01T00:00:00.000+00:00", "2030-01-01T00:05:00.000+00:00"]]


def test_a_stream_past_year_9999_fails_after_the_same_rows() -> None:
    message = {"scenarioId": "S", "destinations": [{"to": "1000000"}],
               "sendingSpeed": {"speed": 1, "timeUnit": "day"},
               "sendAt": "9999-12-25T00:00:00.000+00:00"}
    now = datetime(9999, 12, 1, tzinfo=timezone.utc)
    lines = LINES * 3
    streaming = stream_plan({"messages": [message]}, destinations_from_lines(lines), now=now,
                            ids=SeededIds(2))
    expected, got = io.StringIO(), io.StringIO()
    with pytest.raises(PlanRangeError):
        write_jsonl_stream(streaming.header, destinations_from_lines(lines), expected)
    with pytest.raises(PlanRangeError):
        chunked.write_jsonl_chunked(streaming.header, destinations_from_lines(lines), got,
                                    chunk_size=4)
    assert got.getvalue() == expected.getvalue()
    assert expected.getvalue().count("\n") > 4  # a few chunks were written before
    got_bytes = io.BytesIO()
    with pytest.raises(PlanRangeError):
        chunked.write_jsonl_chunked(streaming.header, destinations_from_lines(lines), got_bytes,
                                    chunk_size=4)
    assert got_bytes.getvalue() == expected.getvalue().encode("ascii")


def test_cli_plan_csv_and_parquet_from_a_destinations_file(tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"messages": [{
        "scenarioId": "S", "sendingSpeed": {"speed": 2, "timeUnit": "second"},
        "retry": {"minPeriod": 1, "maxPeriod": 2, "maxCount": 1}}]}))
    numbers = tmp_path / "numbers.txt"
    numbers.write_text("41793026727\nbad\n41793026728\n")
    base = [sys.executable, "-m", "ivrsched", "plan", str(request), "--destinations",
            str(numbers), "--now", "2030-01-01T00:00:00Z", "--seed", "1"]
    done = subprocess.run([*base, "--format", "csv"], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    ids = [json.loads(line)["messageId"] for line in subprocess.run(
        [*base, "--format", "jsonl"], capture_output=True, text=True, cwd=ROOT,
        check=True).stdout.splitlines()]
    assert done.stdout.splitlines() == [
        "message,index,to,messageId,status,attempt,time",
        f"0,0,41793026727,{ids[0]},PENDING_ACCEPTED,1,2030-01-01T00:00:00.000+00:00",
        f"0,0,41793026727,{ids[0]},PENDING_ACCEPTED,2,2030-01-01T00:01:00.000+00:00",
        f"0,1,bad,{ids[1]},REJECTED_INVALID_DESTINATION,,",
        f"0,2,41793026728,{ids[2]},PENDING_ACCEPTED,1,2030-01-01T00:00:00.500+00:00",
        f"0,2,41793026728,{ids[2]},PENDING_ACCEPTED,2,2030-01-01T00:01:00.500+00:00",
    ]
    out = tmp_path / "plan.parquet"
    subprocess.run([*base, "--format", "parquet", "-o", str(out)], capture_output=True,
                   cwd=ROOT, check=True)
    assert pq.read_table(out).column("messageId").to_pylist() == ids
    # Written to a file (-o) and through a standard output that is not UTF-8 (its text
    # stream, not the bytes under it, gets the rows): the same rows.
    csv_file = tmp_path / "plan.csv"
    subprocess.run([*base, "--format", "csv", "-o", str(csv_file)], cwd=ROOT, check=True)
    assert csv_file.read_text(encoding="utf-8") == done.stdout
    latin = subprocess.run([*base, "--format", "csv"], capture_output=True, cwd=ROOT,
                           check=True, env={**os.environ, "PYTHONIOENCODING": "latin-1"})
    assert latin.stdout.decode("latin-1") == done.stdout


def test_the_cli_gives_the_chunked_writers_bytes_only_under_a_utf8_text_stream() -> None:
    text = io.StringIO()
    assert _rows_target(text) is text
    latin = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
    assert _rows_target(latin) is latin
    utf8 = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    utf8.write("head\n")
    target = _rows_target(utf8)
    assert target is utf8.buffer
    target.write(b"rows\n")
    utf8.write("tail\n")
    utf8.flush()
    assert utf8.buffer.getvalue() == b"head\nrows\ntail\n"
