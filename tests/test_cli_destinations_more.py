"""`--destinations FILE` for `simulate`, `verify` and `forecast` (issue 7, item 1).

Each command is run twice on the same numbers: once with them inline in the request, once from a
file; the outputs must agree. A few values are also worked out by hand.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivrsched import plan, stream_plan
from ivrsched.cli.main import main
from ivrsched.errors import PlanRangeError
from ivrsched.forecasting.load import forecast
from ivrsched.ids import SeededIds
from ivrsched.io.destination_files import (
    DestinationFile,
    HeldDestinations,
    destinations_from_lines,
    with_destinations,
)
from ivrsched.request.model import Destination
from ivrsched.request.parsing import parse_request
from ivrsched.simulation.engine import simulate
from ivrsched.simulation.outcomes import Random

NOW = "2030-01-01T00:00:00Z"
NOW_DT = datetime(2030, 1, 1, tzinfo=timezone.utc)
MESSAGE: dict[str, Any] = {
    "scenarioId": "S", "sendingSpeed": {"speed": 2, "timeUnit": "second"},
    "retry": {"minPeriod": 1, "maxPeriod": 5, "maxCount": 2}}
#: Positions 1 (not a number), 2 (a leading 0) and 5 (a space inside) are rejected (S7).
LINES = ["41793026727", "bad", "0041793026727", "+41793026728", "41793026729", "4179 3026730",
         "41793026731"]
ACCEPTED = [0, 3, 4, 6]
SUMMARY = "7 destinations, 4 accepted, 3 rejected (52 REJECTED_INVALID_DESTINATION: 3)"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(path: Path, data: Any) -> str:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.fixture
def both(tmp_path: Path) -> tuple[str, str, str]:
    """(inline request, request without destinations, destinations file) of the same numbers."""
    inline = write(tmp_path / "inline.json",
                   {"messages": [{**MESSAGE, "destinations": [{"to": n} for n in LINES]}]})
    bare = write(tmp_path / "bare.json", {"messages": [MESSAGE]})
    numbers = write(tmp_path / "numbers.txt", "".join(f"{n}\n" for n in LINES))
    return inline, bare, numbers


# -- simulate ------------------------------------------------------------------------------------

def test_simulate_from_a_file_equals_simulate_inline(
        tmp_path: Path, both: tuple[str, str, str],
        capsys: pytest.CaptureFixture[str]) -> None:
    inline, bare, numbers = both
    common = ("--now", NOW, "--seed", "1", "--format", "jsonl", "--reports-format", "jsonl")
    code_a, out_a, err_a = run(capsys, "simulate", inline, *common,
                               "--reports", str(tmp_path / "a"))
    code_b, out_b, err_b = run(capsys, "simulate", bare, "--destinations", numbers, *common,
                               "--reports", str(tmp_path / "b"))
    assert code_a == code_b == 0
    assert out_b == out_a
    reports_a = (tmp_path / "a" / "reports.jsonl").read_text(encoding="utf-8")
    reports_b = (tmp_path / "b" / "reports.jsonl").read_text(encoding="utf-8")
    assert reports_b == reports_a
    # The streamed run's last stderr line is the simulation summary the inline run prints.
    assert err_b.splitlines()[-1] == err_a.splitlines()[-1]
    assert err_b.splitlines()[0] == f"{numbers}: {SUMMARY}"
    # By hand: only the accepted lines are called; 2 per second gives slots 0..3 first
    # attempts at +0, +0.5, +1, +1.5 s.
    firsts = [(r["index"], r["time"][17:23]) for r in map(json.loads, out_b.splitlines())
              if r["attempt"] == 1]
    assert firsts == [(0, "00.000"), (3, "00.500"), (4, "01.000"), (6, "01.500")]
    # Every destination has its report; the rejected ones say why (S7), with the bulkId S8
    # generates for a request of several destinations.
    reports = [json.loads(line) for line in reports_b.splitlines()]
    assert sorted(r["index"] for r in reports) == list(range(7))
    rejected = {r["index"]: r["body"]["results"][0] for r in reports
                if r["body"]["results"][0]["status"]["groupName"] == "REJECTED"}
    assert sorted(rejected) == [1, 2, 5]
    assert rejected[2]["error"]["description"] == (
        "'0041793026727' is not an international number: it starts with 0")
    assert rejected[1]["bulkId"] == SeededIds(1).bulk_id()


def test_simulate_a_csv_with_message_ids_equals_inline(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [("41793026727", "a"), ("41793026728", "a"), ("x", "b"), ("41793026729", "")]
    inline = write(tmp_path / "inline.json", {"messages": [{**MESSAGE, "destinations": [
        {"to": to, **({"messageId": mid} if mid else {})} for to, mid in rows]}]})
    bare = write(tmp_path / "bare.json", {"messages": [MESSAGE]})
    numbers = write(tmp_path / "n.csv", "to,messageId\n" + "".join(f"{t},{m}\n" for t, m in rows))
    common = ("--now", NOW, "--seed", "7", "--format", "csv")
    code_a, out_a, _ = run(capsys, "simulate", inline, *common)
    code_b, out_b, err_b = run(capsys, "simulate", bare, "--destinations", numbers, *common)
    assert code_a == code_b == 0 and out_b == out_a
    # Lines 2..5 of the file; the second "a" is a duplicate (23), "x" is not a number (52).
    assert err_b.splitlines()[0] == (f"{numbers}: 4 destinations, 2 accepted, 2 rejected "
                                     "(23 REJECTED_DUPLICATE_MESSAGE_ID: 1, "
                                     "52 REJECTED_INVALID_DESTINATION: 1)")
    called = {line.split(",")[3] for line in out_b.splitlines()[1:]}
    assert called == {"a", SeededIds(7).message_id(0, 3)}


@settings(max_examples=25)
@given(lines=st.lists(st.sampled_from(["41793026727", "+41793026728", "x", "0041793026727",
                                        "4179302672"]),
                      min_size=1, max_size=8),
       speed=st.integers(1, 3), seed=st.integers(0, 10))
def test_simulating_a_stream_gives_the_records_of_the_list(lines: list[str], speed: int,
                                                            seed: int) -> None:
    message = {**MESSAGE, "sendingSpeed": {"speed": speed, "timeUnit": "second"}}
    inline = plan({"messages": [{**message, "destinations": [{"to": n} for n in lines]}]},
                  now=NOW_DT, ids=SeededIds(seed))
    bare = parse_request({"messages": [message]}, destinations_required=False)
    # A list is re-iterable, as the simulation needs (it reads the stream twice).
    streamed = stream_plan(bare, list(destinations_from_lines(lines)), now=NOW_DT,
                           ids=SeededIds(seed))
    outcomes = Random(seed=seed)
    expected = list(simulate(inline, outcomes).records())
    assert list(simulate(streamed, outcomes).records()) == expected
    assert simulate(streamed, outcomes).request_plan is streamed.plan


# -- verify --------------------------------------------------------------------------------------

def test_verify_from_a_file_finds_what_verify_inline_finds(
        tmp_path: Path, both: tuple[str, str, str],
        capsys: pytest.CaptureFixture[str]) -> None:
    inline, bare, numbers = both
    log = write(tmp_path / "log.jsonl", "".join(json.dumps(row) + "\n" for row in [
        {"to": "41793026727", "attempt": 1, "time": "2030-01-01T00:00:00Z"},
        {"to": "+41793026728", "attempt": 1, "time": "2030-01-01T00:00:00.100Z"},
        # the third first attempt within one second, at most 2 allowed: S3
        {"to": "41793026729", "attempt": 1, "time": "2030-01-01T00:00:00.200Z"},
        {"to": "bad", "attempt": 1, "time": "2030-01-01T00:00:05Z"},          # rejected (S7)
        {"to": "41700000000", "attempt": 1, "time": "2030-01-01T00:00:05Z"},  # not requested
        {"to": "41793026731", "attempt": 1, "time": "2029-12-31T23:59:59Z"},  # before start
    ]))
    code_a, out_a, _ = run(capsys, "verify", inline, log, "--now", NOW, "--format", "jsonl")
    code_b, out_b, err_b = run(capsys, "verify", bare, log, "--destinations", numbers,
                               "--now", NOW, "--format", "jsonl")
    assert code_a == code_b == 1
    assert out_b == out_a
    found = [(v["rule"], v["index"]) for v in map(json.loads, out_b.splitlines())]
    assert sorted(found, key=str) == sorted([
        ("rejected-destination", 1), ("S3-pacing", 4), ("S2-early-start", 6),
        ("unknown-destination", None)], key=str)
    assert err_b.splitlines()[0] == f"{numbers}: {SUMMARY}"


def test_simulate_piped_into_verify_conforms(tmp_path: Path,
                                             both: tuple[str, str, str]) -> None:
    _, bare, numbers = both
    ivrsched = f"{shlex.quote(sys.executable)} -m ivrsched"
    tail = f"--destinations {shlex.quote(numbers)} --seed 1 --now {NOW}"
    command = (f"{ivrsched} simulate {shlex.quote(bare)} {tail} --format jsonl | "
               f"{ivrsched} verify {shlex.quote(bare)} - {tail} --require-all")
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("conforms: ")


def test_rows_named_by_generated_message_id_alone_are_found(
        tmp_path: Path, both: tuple[str, str, str],
        capsys: pytest.CaptureFixture[str]) -> None:
    """With --seed, a file destination's generated messageId is that of its position among all
    the file's lines (rejected ones included), as plan and simulate generate it."""
    _, bare, numbers = both
    ids = SeededIds(3)
    log = write(tmp_path / "log.jsonl", "".join(
        json.dumps({"messageId": ids.message_id(0, index), "attempt": 1,
                    "time": f"2030-01-01T00:00:0{slot // 2}.{slot % 2 * 5}Z"}) + "\n"
        for slot, index in enumerate(ACCEPTED)))
    code, out, _ = run(capsys, "verify", bare, log, "--destinations", numbers, "--seed", "3",
                       "--now", NOW, "--exact", "--require-all")
    # Each first attempt is at its slot's instant (slot s at s/2 s): nothing missing or early.
    assert (code, out) == (0, "conforms: 4 attempt(s) of 4 destination(s) checked\n")


def test_held_destinations_give_back_what_was_read() -> None:
    read = [*destinations_from_lines(["41793026727", "x", "0041793026727", "41793026728"]),
            Destination("41793026729", "given", line=9)]
    held = HeldDestinations(iter(read))  # read once: an iterator is enough
    assert list(held) == read and [held[i] for i in range(-5, 5)] == read + read
    assert held[1:3] == tuple(read[1:3]) and len(held) == 5
    assert held.rejected == (1, 2)
    request = with_destinations(parse_request({"messages": [MESSAGE]},
                                              destinations_required=False), held)
    assert request.messages[0].destinations is held
    assert request.messages[0].rejected == (1, 2) and request.messages[0].accepted_count == 3
    with pytest.raises(IndexError):
        held[5]


# -- forecast ------------------------------------------------------------------------------------

def test_forecast_from_a_file_equals_forecast_inline(
        both: tuple[str, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    inline, bare, numbers = both
    common = ("--now", NOW, "--bucket", "1m", "--answer-rate", "1/2", "--call-duration", "30",
              "--format", "json")
    code_a, out_a, _ = run(capsys, "forecast", inline, *common)
    code_b, out_b, err_b = run(capsys, "forecast", bare, "--destinations", numbers, *common)
    assert code_a == code_b == 0
    a, b = json.loads(out_a), json.loads(out_b)
    # No --seed for forecast: each run generates its own bulkId (S8: several destinations).
    assert a.pop("bulkId") is not None and b.pop("bulkId") is not None
    assert b == a
    # By hand: 7 lines, 4 accepted, each with 2 planned retries.
    assert (b["destinations"], b["firstAttempts"], b["plannedRetries"]) == (7, 4, [4, 4])
    assert err_b.splitlines()[0] == f"{numbers}: {SUMMARY}"


@pytest.mark.parametrize("window", [None, {"days": ["WEDNESDAY"], "from": {"hour": 9,
                                                                          "minute": 0},
                                          "to": {"hour": 10, "minute": 0}}])
def test_forecast_counts_replace_the_list(window: dict[str, Any] | None) -> None:
    message = {**MESSAGE, **({"deliveryTimeWindow": window} if window else {})}
    lines = ["41793026727", "x", *(f"417930267{i:02}" for i in range(40))]
    inline = plan({"messages": [{**message, "destinations": [{"to": n} for n in lines]}]},
                  now=NOW_DT)
    bare = plan(parse_request({"messages": [message]}, destinations_required=False), now=NOW_DT)
    kwargs: dict[str, Any] = {"answer_rate": "0.25"}
    expected = forecast(inline, **kwargs)
    got = forecast(bare, counts=((42, 41),), **kwargs)
    assert list(got.rows) == list(expected.rows)
    assert (got.destinations, got.first_attempts, got.retries) == (
        42, 41, expected.retries)
    assert got.last_attempt_us == expected.last_attempt_us


# -- faults --------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [("simulate",), ("verify", "log.jsonl"), ("forecast",)])
def test_an_unreadable_file_exits_4_naming_it(
        tmp_path: Path, both: tuple[str, str, str], command: tuple[str, ...],
        capsys: pytest.CaptureFixture[str]) -> None:
    _, bare, _ = both
    write(tmp_path / "log.jsonl", "")
    extra = [str(tmp_path / c) if c.endswith(".jsonl") else c for c in command]
    missing = str(tmp_path / "missing.txt")
    code, out, err = run(capsys, extra[0], bare, *extra[1:], "--destinations", missing,
                         "--now", NOW)
    assert code == 4 and out == ""
    assert err == f"ivrsched: cannot read destinations file {missing}: No such file or directory\n"


@pytest.mark.parametrize("command", ["simulate", "forecast"])
def test_bad_bytes_fail_before_any_output(
        tmp_path: Path, both: tuple[str, str, str], command: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    _, bare, _ = both
    numbers = tmp_path / "bytes.txt"
    numbers.write_bytes(b"41793026727\n41793026728\n\xff\n")
    code, out, err = run(capsys, command, bare, "--destinations", str(numbers), "--now", NOW)
    assert code == 4 and out == ""
    assert err.startswith(f"ivrsched: {numbers}:3: not UTF-8 text")


@pytest.mark.parametrize("command", [("simulate",), ("verify", "log.jsonl"), ("forecast",)])
def test_strict_mode_stops_at_the_first_rejected_line(
        tmp_path: Path, both: tuple[str, str, str], command: tuple[str, ...],
        capsys: pytest.CaptureFixture[str]) -> None:
    _, bare, numbers = both
    write(tmp_path / "log.jsonl", "")
    extra = [str(tmp_path / c) if c.endswith(".jsonl") else c for c in command]
    code, out, err = run(capsys, extra[0], bare, *extra[1:], "--destinations", numbers,
                         "--now", NOW, "--strict")
    assert code == 3 and out == ""
    assert err.startswith(f"ivrsched: {numbers}:2: 'bad' is not an international number")


def test_a_request_with_its_own_destinations_is_refused(
        both: tuple[str, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    inline, _, numbers = both
    code, _, err = run(capsys, "forecast", inline, "--destinations", numbers, "--now", NOW)
    assert code == 2 and "must not have /messages/0/destinations" in err


def test_the_file_source_is_read_again_on_every_pass(tmp_path: Path) -> None:
    numbers = tmp_path / "n.txt"
    numbers.write_text("41793026727\nx\n41793026728\n", encoding="utf-8")
    bare = parse_request({"messages": [MESSAGE]}, destinations_required=False)
    streamed = stream_plan(bare, DestinationFile.open(numbers), now=NOW_DT, ids=SeededIds(0))
    simulation = simulate(streamed, Random(seed=0))
    # Two full passes agree, each reading the file twice (rejected ones, then attempts).
    assert list(simulation.records()) == list(simulation.records())
    assert simulation.summary().destinations == 3 and simulation.summary().rejected == 1


def test_a_count_beyond_year_9999_is_refused_before_any_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # One a day from 2030: slot 10^7 would be about 27,000 years later (S12).
    slow = {"scenarioId": "S", "sendingSpeed": {"speed": 1, "timeUnit": "day"}}
    bare = plan(parse_request({"messages": [slow]}, destinations_required=False), now=NOW_DT)
    with pytest.raises(PlanRangeError):
        forecast(bare, counts=((10**7, 10**7),))
    # 3 lines of a day each from 9999-12-30: the third is in year 10000.
    late = write(tmp_path / "late.json", {"messages": [{**slow, "sendAt": "9999-12-30T00:00:00Z"}]})
    numbers = write(tmp_path / "n.txt", "41793026727\n41793026728\n41793026729\n")
    for command in ("simulate", "forecast"):
        code, out, _ = run(capsys, command, late, "--destinations", numbers, "--now", NOW)
        assert (code, out) == (5, "")
