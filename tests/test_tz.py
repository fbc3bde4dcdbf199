"""``--tz ZONE``: instants rendered in an IANA zone, each in the offset the zone had at it, or in
a fixed offset. Expected local times are worked out by hand from the EU rule (clocks change at
01:00 UTC on the last Sunday of March and of October: 2030-03-31 and 2030-10-27)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivrsched.cli.main import main
from ivrsched.errors import PlanRangeError
from ivrsched.ids import SeededIds
from ivrsched.io import chunked
from ivrsched.io.plan_formats import write_csv, write_jsonl
from ivrsched.planning.planner import plan
from ivrsched.rules.instants import parse_instant
from ivrsched.rules.rendering import Rendering, UnknownZoneError, parse_rendering
from tests.strategies import requests

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
BERLIN = Rendering(zone="Europe/Berlin")


def us(text: str) -> int:
    return parse_instant(text)[0]


@pytest.mark.parametrize(("instant", "offset"), [
    ("2030-03-31T00:59:00Z", 60), ("2030-03-31T00:59:59.999999Z", 60),
    ("2030-03-31T01:00:00Z", 120), ("2030-07-01T12:00:00Z", 120),
    ("2030-10-27T00:59:59.999999Z", 120), ("2030-10-27T01:00:00Z", 60),
    ("2030-12-24T18:00:00Z", 60)])
def test_berlin_offsets_on_both_sides_of_each_change(instant: str, offset: int) -> None:
    assert BERLIN.offset_at(us(instant)) == offset
    assert BERLIN.offsets_at(np.array([us(instant)], dtype=np.int64)).tolist() == [offset]


ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
         "America/Santiago", "UTC"]


@settings(max_examples=200)
@given(st.sampled_from(ZONES),
       st.lists(st.integers(us("2029-01-01T00:00:00Z"), us("2032-01-01T00:00:00Z")),
                min_size=1, max_size=40))
def test_offsets_equal_zoneinfo_per_instant(zone: str, values: list[int]) -> None:
    # The reference: zoneinfo's own offset of each instant, one datetime at a time.
    expected = [(EPOCH + timedelta(microseconds=v)).astimezone(ZoneInfo(zone)).utcoffset()
                // timedelta(minutes=1) for v in values]  # type: ignore[operator]
    rendering = Rendering(zone=zone)
    assert [rendering.offset_at(v) for v in values] == expected
    assert rendering.offsets_at(np.array(values, dtype=np.int64)).tolist() == expected


def test_parse_rendering() -> None:
    assert parse_rendering("+05:30") == Rendering(offset_minutes=330)
    assert parse_rendering("-03:00") == Rendering(offset_minutes=-180)
    assert parse_rendering("Europe/Berlin") == BERLIN
    assert parse_rendering("+05:30").label == "UTC+05:30"
    for bad in ("Mars/Base", "+25:00", "+05:60", "0530", "", "../etc/passwd"):
        with pytest.raises(UnknownZoneError):
            parse_rendering(bad)


def campaign(tmp_path: Path, send_at: str) -> str:
    """Two destinations one minute apart, each retried once a minute later."""
    request = {"messages": [{
        "scenarioId": "S", "from": "41793026700",
        "destinations": [{"to": "41793026800", "messageId": "a"},
                         {"to": "41793026801", "messageId": "b"}],
        "sendAt": send_at, "sendingSpeed": {"speed": 1, "timeUnit": "minute"},
        "retry": {"minPeriod": 1, "maxPeriod": 1, "maxCount": 1}}]}
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request))
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# (sendAt, zone, the attempts of a and of b as written by hand)
CASES = [
    ("2030-03-31T00:59:00.000+00:00", "Europe/Berlin",
     [["2030-03-31T01:59:00.000+01:00", "2030-03-31T03:00:00.000+02:00"],
      ["2030-03-31T03:00:00.000+02:00", "2030-03-31T03:01:00.000+02:00"]]),
    ("2030-10-27T00:59:00.000+00:00", "Europe/Berlin",
     [["2030-10-27T02:59:00.000+02:00", "2030-10-27T02:00:00.000+01:00"],
      ["2030-10-27T02:00:00.000+01:00", "2030-10-27T02:01:00.000+01:00"]]),
    ("2030-03-31T00:59:00.000+00:00", "+05:30",
     [["2030-03-31T06:29:00.000+05:30", "2030-03-31T06:30:00.000+05:30"],
      ["2030-03-31T06:30:00.000+05:30", "2030-03-31T06:31:00.000+05:30"]]),
]


@pytest.mark.parametrize(("send_at", "zone", "attempts"), CASES)
def test_every_format_renders_the_same_local_times(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, send_at: str, zone: str,
        attempts: list[list[str]]) -> None:
    request = campaign(tmp_path, send_at)
    common = (request, "--now", "2030-01-01T00:00:00Z", "--seed", "1", "--tz", zone)
    code, out, _ = run(capsys, "plan", *common, "--format", "jsonl")
    assert code == 0
    assert [json.loads(line)["attempts"] for line in out.splitlines()] == attempts
    code, out, _ = run(capsys, "plan", *common, "--format", "csv")
    assert code == 0
    assert [row["time"] for row in csv.DictReader(io.StringIO(out))] == [
        t for row in attempts for t in row]
    code, out, _ = run(capsys, "plan", *common, "--format", "json")
    assert code == 0
    document = json.loads(out)
    message = document["messages"][0]
    assert [d["attempts"] for d in message["destinations"]] == attempts
    assert message["firstAttempt"] == attempts[0][0]
    assert message["lastAttempt"] == attempts[1][1]
    code, out, _ = run(capsys, "plan", *common, "--format", "table")
    assert code == 0
    rows = out.splitlines()[-2:]
    assert [row.split()[3:] for row in rows] == [[t[11:16] for t in row] for row in attempts]
    label = zone if "/" in zone else f"UTC{zone}"
    assert f"+Nd: N days later; {label})" in out


def test_no_tz_keeps_the_sendat_offset(capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path) -> None:
    request = campaign(tmp_path, "2030-03-31T01:59:00.000+01:00")
    code, out, _ = run(capsys, "plan", request, "--now", "2030-01-01T00:00:00Z", "--seed", "1",
                       "--format", "jsonl")
    assert code == 0
    assert json.loads(out.splitlines()[0])["attempts"] == [
        "2030-03-31T01:59:00.000+01:00", "2030-03-31T02:00:00.000+01:00"]


@pytest.mark.parametrize("zone", ["Mars/Base", "+24:00", "Berlin"])
def test_an_unknown_zone_is_a_usage_error_in_one_line(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, zone: str) -> None:
    request = campaign(tmp_path, "2030-03-31T00:59:00.000+00:00")
    code, out, err = run(capsys, "plan", request, "--tz", zone)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "--tz" in err


@settings(max_examples=40)
@given(requests(max_messages=2, max_destinations=25, windows=None, rejected=True,
                message_ids=True), st.sampled_from(["Europe/Berlin", "America/Santiago"]),
       st.integers(1, 7))
def test_chunked_writers_equal_the_row_writers_in_a_zone(request: dict[str, Any], zone: str,
                                                        chunk: int) -> None:
    tz = Rendering(zone=zone)
    the_plan = plan(request, now=datetime(2030, 1, 1, tzinfo=timezone.utc), ids=SeededIds(3))
    expected_jsonl, expected_csv = io.StringIO(), io.StringIO()
    write_jsonl(the_plan, expected_jsonl, tz)
    write_csv(the_plan, expected_csv, tz)
    got_jsonl, got_csv = io.StringIO(), io.StringIO()
    got_csv.write("message,index,to,messageId,status,attempt,time\n")
    for message_plan in the_plan.messages:
        chunked.write_jsonl_chunked(message_plan, message_plan.message.destinations, got_jsonl,
                                    chunk_size=chunk, tz=tz)
        chunked.write_csv_chunked(message_plan, message_plan.message.destinations, got_csv,
                                  chunk_size=chunk, header_row=False, tz=tz)
    assert got_jsonl.getvalue() == expected_jsonl.getvalue()
    assert got_csv.getvalue() == expected_csv.getvalue()
    whole = io.StringIO()
    chunked.write_plan_jsonl(the_plan, whole, tz)
    assert whole.getvalue() == expected_jsonl.getvalue()


def sixty_first_attempts(tmp_path: Path) -> str:
    """One call a minute from 00:30 UTC on the day Berlin's clocks go forward, no retries:
    the first attempts run 00:30–01:29 UTC, 01:30 CET to 03:29 CEST."""
    request = {"messages": [{
        "scenarioId": "S", "from": "41793026700",
        "destinations": [{"to": str(41793026800 + i), "messageId": f"m{i}"} for i in range(60)],
        "sendAt": "2030-03-31T00:30:00.000+00:00",
        "sendingSpeed": {"speed": 1, "timeUnit": "minute"}}]}
    path = tmp_path / "sixty.json"
    path.write_text(json.dumps(request))
    return str(path)


@pytest.mark.parametrize(("zone", "buckets"), [
    # Hourly buckets aligned in the zone's offset at the first call (+01:00): 00:00 and 01:00
    # UTC, which read 01:00 CET and 03:00 CEST.
    ("Europe/Berlin", [("2030-03-31T01:00:00.000+01:00", 30),
                       ("2030-03-31T03:00:00.000+02:00", 30)]),
    # At +05:30 hours start at :30 UTC, so all sixty fall into 06:00–07:00.
    ("+05:30", [("2030-03-31T06:00:00.000+05:30", 60)]),
    (None, [("2030-03-31T00:00:00.000+00:00", 30), ("2030-03-31T01:00:00.000+00:00", 30)]),
])
def test_forecast_buckets_in_a_zone(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    zone: str | None, buckets: list[tuple[str, int]]) -> None:
    request = sixty_first_attempts(tmp_path)
    tz = () if zone is None else ("--tz", zone)
    code, out, _ = run(capsys, "forecast", request, "--now", "2030-01-01T00:00:00Z", *tz,
                       "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))[1:]
    assert [(row[0], int(row[1])) for row in rows] == buckets
    code, out, _ = run(capsys, "forecast", request, "--now", "2030-01-01T00:00:00Z", *tz,
                       "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert [(b["bucketStart"], b["firstAttempts"]) for b in document["buckets"]] == buckets
    if zone == "Europe/Berlin":
        assert document["firstCall"] == "2030-03-31T01:30:00.000+01:00"
        assert document["lastFirstAttempt"] == "2030-03-31T03:29:00.000+02:00"
    code, out, _ = run(capsys, "forecast", request, "--now", "2030-01-01T00:00:00Z", *tz)
    assert code == 0
    starts = [line.split()[1] for line in out.splitlines() if line.startswith("2030-03-31 ")]
    assert starts == [start[11:16] for start, _ in buckets]
    if zone == "Europe/Berlin":
        assert "(Europe/Berlin)" in out
        assert "first call 2030-03-31 01:30; last first attempt 2030-03-31 03:29" in out


def test_plot_title_and_ticks_in_a_zone(tmp_path: Path) -> None:
    from ivrsched.forecasting.load import forecast
    from ivrsched.forecasting.plot import _tick_labels, title_of

    the_plan = plan(json.loads(Path(sixty_first_attempts(tmp_path)).read_text()),
                    now=datetime(2030, 1, 1, tzinfo=timezone.utc))
    result = forecast(the_plan, tz=BERLIN)
    title = title_of(result)
    assert "first call 2030-03-31 01:30, last first attempt 03:29" in title
    assert "(Europe/Berlin)" in title
    starts = [row.start_us for row in result.rows]
    assert _tick_labels(starts, result.offset_at) == ["01:00\n2030-03-31", "03:00"]


def test_forecast_refuses_an_unknown_zone(capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    code, out, err = run(capsys, "forecast", sixty_first_attempts(tmp_path), "--tz", "Nowhere")
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1


def test_the_doubled_autumn_hour_is_two_buckets(tmp_path: Path) -> None:
    from ivrsched.forecasting.load import forecast
    from ivrsched.rules.instants import format_us

    request = json.loads(Path(sixty_first_attempts(tmp_path)).read_text())
    request["messages"][0]["sendAt"] = "2030-10-27T00:30:00.000+00:00"
    the_plan = plan(request, now=datetime(2030, 1, 1, tzinfo=timezone.utc))
    result = forecast(the_plan, tz=BERLIN)
    # 00:30-00:59 UTC is 02:30-02:59 CEST, 01:00-01:29 UTC is 02:00-02:29 CET.
    assert [(format_us(row.start_us, result.offset_at(row.start_us)), row.first_attempts)
            for row in result.rows] == [("2030-10-27T02:00:00.000+02:00", 30),
                                        ("2030-10-27T02:00:00.000+01:00", 30)]


# -- the edges of a rendering, by hand ------------------------------------------------------

LORD_HOWE = Rendering(zone="Australia/Lord_Howe")


@pytest.mark.parametrize(("instant", "offset"), [
    # Lord Howe's clocks change half-way through a UTC hour, at 02:00 local: +10:30 to +11:00
    # on Sunday 6 October 2030 (15:30 UTC the day before), back on Sunday 7 April (15:00 UTC).
    ("2030-10-05T15:00:00Z", 630), ("2030-10-05T15:29:59.999999Z", 630),
    ("2030-10-05T15:30:00Z", 660), ("2030-10-05T15:59:59.999999Z", 660),
    ("2030-04-06T14:59:59.999999Z", 660), ("2030-04-06T15:00:00Z", 630),
])
def test_an_offset_change_inside_a_utc_hour_is_found_to_the_microsecond(instant: str,
                                                                        offset: int) -> None:
    assert LORD_HOWE.offset_at(us(instant)) == offset


def test_many_instants_across_a_change_inside_an_hour() -> None:
    change = us("2030-10-05T15:30:00Z")
    values = [change - 3_600_000_000, change - 1, change, change + 1, change - 1_800_000_000,
              change + 1_799_999_999, us("2030-12-25T00:00:00Z")]
    expected = [630, 630, 660, 660, 630, 660, 660]
    assert LORD_HOWE.offsets_at(np.array(values, dtype=np.int64)).tolist() == expected
    got = LORD_HOWE.offsets_at(np.array(values, dtype=np.int64))
    assert got.dtype == np.int64
    fixed = Rendering(offset_minutes=-90).offsets_at(np.array(values, dtype=np.int64))
    assert fixed.tolist() == [-90] * 7 and fixed.dtype == np.int64


def test_instants_beyond_2_to_the_53_take_the_offset_of_their_own_hour() -> None:
    # London springs forward at 01:00Z on Sunday 5000-03-30 (its rule goes on for ever). Near
    # 10^17 µs a float is 16 µs coarse: an instant 9 µs after the change, asked with one two
    # hours before it, must still get its own hour's offset (+01:00), as zoneinfo says.
    london = Rendering(zone="Europe/London")
    change = us("5000-03-30T01:00:00Z")
    assert change > 2**53
    values = [change - 2 * 3_600_000_000, change - 1, change, change + 9, change + 15]
    expected = [(EPOCH + timedelta(microseconds=v)).astimezone(ZoneInfo("Europe/London"))
                .utcoffset() // timedelta(minutes=1) for v in values]  # type: ignore[operator]
    assert expected == [0, 0, 60, 60, 60]
    for pair in ([values[0], values[3]], [values[0], values[4]]):
        assert london.offsets_at(np.array(pair, dtype=np.int64)).tolist() == [0, 60]
    assert london.offsets_at(np.array(values, dtype=np.int64)).tolist() == expected


def test_a_zone_at_the_ends_of_the_range() -> None:
    first, last = us("0001-01-01T00:00:00Z"), us("9999-12-31T23:59:59.999999Z")
    utc = Rendering(zone="UTC")
    assert utc.offset_at(first) == 0 and utc.offset_at(last) == 0
    with pytest.raises(PlanRangeError) as raised:
        utc.offset_at(last + 1)
    assert str(raised.value) == ("an instant falls outside years 1..9999, the range ivrsched "
                                 "can represent exactly")
    # Tokyo's local time of the last instant is in year 10000.
    with pytest.raises(PlanRangeError) as raised:
        Rendering(zone="Asia/Tokyo").offset_at(last)
    assert str(raised.value) == "an instant falls outside years 1..9999 in Asia/Tokyo"
    # Amsterdam kept its local mean time, +00:19:32, until 1937.
    with pytest.raises(PlanRangeError) as raised:
        Rendering(zone="Europe/Amsterdam").offset_at(us("1900-01-01T00:00:00Z"))
    assert str(raised.value) == (
        "Europe/Amsterdam had an offset of 0:19:32 then, which is not a whole number of "
        "minutes: an S1 instant cannot be written in it")


@pytest.mark.parametrize(("text", "message"), [
    ("+24:00", "'+24:00' is not a UTC offset (from -23:59 to +23:59)"),
    ("-00:60", "'-00:60' is not a UTC offset (from -23:59 to +23:59)"),
    ("+0a:30", "'+0a:30' is not an IANA time zone (such as Europe/Berlin) nor a UTC offset "
               "(such as +05:30)"),
    ("+a5:30", "'+a5:30' is not an IANA time zone (such as Europe/Berlin) nor a UTC offset "
               "(such as +05:30)"),
    ("+05:a0", "'+05:a0' is not an IANA time zone (such as Europe/Berlin) nor a UTC offset "
               "(such as +05:30)"),
    ("X05:30", "'X05:30' is not an IANA time zone (such as Europe/Berlin) nor a UTC offset "
               "(such as +05:30)"),
    ("1234567", "'1234567' is not an IANA time zone (such as Europe/Berlin) nor a UTC offset "
                "(such as +05:30)"),
])
def test_the_words_of_a_refused_zone(text: str, message: str) -> None:
    with pytest.raises(UnknownZoneError) as raised:
        parse_rendering(text)
    assert str(raised.value) == message


def test_offsets_from_minus_to_plus_23_59() -> None:
    assert parse_rendering("-23:59") == Rendering(offset_minutes=-1439)
    assert parse_rendering("+00:00").label == "UTC+00:00"
    assert Rendering(zone="Asia/Kolkata").label == "Asia/Kolkata"


def test_an_offset_of_an_odd_number_of_minutes() -> None:
    # Nepal has kept +05:45 since 1986; Chatham Islands +12:45 in its winter.
    assert Rendering(zone="Asia/Kathmandu").offset_at(us("2030-06-01T00:00:00Z")) == 345
    assert Rendering(zone="Pacific/Chatham").offset_at(us("2030-07-01T00:00:00Z")) == 765


def test_offsets_in_year_9999_each_instant_its_own() -> None:
    # Instants of year 9999 exceed 2**53 µs: the hour of each is found in integers. Berlin is
    # on +01:00 in January and +02:00 in July of every year its rule runs.
    winter = [us("9999-01-15T10:00:00Z") + k * 7_777_777 + 1 for k in range(8)]
    summer = us("9999-07-15T10:00:00.000001Z")
    values = np.array([*winter, summer], dtype=np.int64)
    assert BERLIN.offsets_at(values).tolist() == [60] * 8 + [120]
    assert [BERLIN.offset_at(v) for v in values.tolist()] == [60] * 8 + [120]
