"""`ivrsched plan` and `ivrsched explain` from the command line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ivrsched.cli.main import main
from ivrsched.io.plan_formats import write_jsonl
from ivrsched.planning.planner import plan
from ivrsched.request.model import Destination, Message, Request, SendingSpeed, TimeUnit

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN = str(ROOT / "examples" / "campaign-25.json")
NOW = "2016-07-07T12:00:00Z"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_jsonl_is_one_object_per_destination_in_request_order(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", CAMPAIGN, "--now", NOW, "--format", "jsonl", "--seed", "1")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["index"] for r in rows] == list(range(25))
    assert list(rows[0]) == ["message", "index", "to", "messageId", "status", "attempts",
                             "deadline"]
    # Destination 24 starts 24 × 6 min = 2 h 24 min after 17:00; retries 1, 2, 5, 5 min later.
    assert rows[24]["attempts"] == [
        "2016-07-07T19:24:00.000+01:00", "2016-07-07T19:25:00.000+01:00",
        "2016-07-07T19:27:00.000+01:00", "2016-07-07T19:32:00.000+01:00",
        "2016-07-07T19:37:00.000+01:00"]
    assert rows[0]["deadline"] is None and rows[0]["status"] == "PENDING_ACCEPTED"


def test_seed_makes_output_reproducible(capsys: pytest.CaptureFixture[str]) -> None:
    first = run(capsys, "plan", CAMPAIGN, "--now", NOW, "--format", "jsonl", "--seed", "7")[1]
    second = run(capsys, "plan", CAMPAIGN, "--now", NOW, "--format", "jsonl", "--seed", "7")[1]
    other = run(capsys, "plan", CAMPAIGN, "--now", NOW, "--format", "jsonl", "--seed", "8")[1]
    assert first == second != other


def test_rejected_destinations_are_listed_with_their_status(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = {"messages": [{"scenarioId": "S", "destinations": [
        {"to": "41793026727"}, {"to": "abc"}, {"messageId": "x"}]}]}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(request))
    rows = [json.loads(line) for line in
            run(capsys, "plan", str(path), "--now", NOW, "--format", "jsonl")[1].splitlines()]
    assert [(r["status"], r["attempts"] == []) for r in rows] == [
        ("PENDING_ACCEPTED", False), ("REJECTED_INVALID_DESTINATION", True),
        ("MISSING_TO", True)]
    # No sendAt: rendered in UTC; no validityPeriod: 48 h deadline after now.
    assert rows[0]["attempts"] == ["2016-07-07T12:00:00.000+00:00"]
    assert rows[0]["deadline"] == "2016-07-09T12:00:00.000+00:00"


def test_csv_has_one_row_per_attempt(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "plan", CAMPAIGN, "--now", NOW, "--format", "csv", "--seed", "1")[1]
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 25 * 5
    assert list(rows[0]) == ["message", "index", "to", "messageId", "status", "attempt",
                             "time"]
    assert {r["status"] for r in rows} == {"PENDING_ACCEPTED"}
    assert [r["attempt"] for r in rows[:5]] == ["1", "2", "3", "4", "5"]
    assert rows[5]["time"] == "2016-07-07T17:06:00.000+01:00"


def test_json_is_one_document_with_headers(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "plan", CAMPAIGN, "--now", NOW, "--format", "json", "--seed", "1")[1]
    document = json.loads(out)
    header = document["messages"][0]
    assert header["start"] == "2016-07-07T17:00:00.000+01:00"
    assert header["lastFirstAttempt"] == "2016-07-07T19:24:00.000+01:00"
    # The last destination's last retry: 19:24 + 1 + 2 + 5 + 5 min = 19:37.
    assert header["lastAttempt"] == "2016-07-07T19:37:00.000+01:00"
    assert header["intervalMicroseconds"] == "360000000"
    assert header["retryGapsMinutes"] == [1, 2, 5, 5]
    assert len(header["destinations"]) == 25
    assert document["bulkId"] == "CAMPAIGN-25"


def test_table_shows_first_and_last_rows_unless_all(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "plan", CAMPAIGN, "--now", NOW, "--format", "table", "--seed", "1")[1]
    assert "(5 more destinations; --all shows every row)" in out
    assert "41793026724" in out and "41793026712" not in out
    full = run(capsys, "plan", CAMPAIGN, "--now", NOW, "--format", "table", "--all")[1]
    assert "41793026712" in full and "more destinations" not in full
    assert "deadline none (sendingSpeed)" in out


def test_explain_says_it_in_sentences(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", CAMPAIGN, "--now", NOW)
    assert code == 0
    assert out.splitlines()[0] == (
        "10 per hour: one call every 6 min; 25 destinations; first 17:00, last 19:24 (+01:00); "
        "no deadline: validity ignored because sendingSpeed is set; retries after 1, 2, 5, 5 min")


def test_failure_delay_option_is_exact(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "plan", CAMPAIGN, "--now", NOW, "--format", "jsonl",
              "--failure-delay", "0.000001")[1]
    first = json.loads(out.splitlines()[0])
    assert first["attempts"][1] == "2016-07-07T17:01:00.000001+01:00"


@pytest.mark.parametrize("argv", [
    ["plan", CAMPAIGN, "--failure-delay", "-1"],
    ["plan", CAMPAIGN, "--failure-delay", "0.0000001"],
    ["plan", CAMPAIGN, "--format", "xml"],
    ["plan", CAMPAIGN, "--now", "tomorrow"],
    ["plan"],
])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        code = main(argv)
        raise SystemExit(code)
    assert exit_info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_out_of_range_plan_exits_5_without_traceback(tmp_path: Path) -> None:
    request = {"messages": [{"scenarioId": "S", "destinations": [{"to": "41793026727"}] * 3,
                             "sendingSpeed": {"speed": 1, "timeUnit": "day"},
                             "sendAt": "9999-12-31T00:00:00Z"}]}
    path = tmp_path / "late.json"
    path.write_text(json.dumps(request))
    result = subprocess.run([sys.executable, "-m", "ivrsched", "plan", str(path), "--now", NOW],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 5
    assert "9999" in result.stderr and "Traceback" not in result.stderr


def test_plan_past_year_9999_in_its_offset_exits_5_without_traceback(tmp_path: Path) -> None:
    # Every instant here is in range in UTC, but the retry at 9999-12-31T19:00Z reads
    # 10000-01-01T09:00 at +14:00 (and the deadline, 9999-12-31T20:00Z, 10:00 there).
    request = {"messages": [{"scenarioId": "S", "destinations": [{"to": "41793026727"}],
                             "sendAt": "9999-12-31T09:00:00+14:00", "validityPeriod": 1500,
                             "retry": {"minPeriod": 1440, "maxPeriod": 1440, "maxCount": 1}}]}
    path = tmp_path / "late.json"
    path.write_text(json.dumps(request))
    for command in (["plan", "--format", "jsonl"], ["explain"], ["forecast"]):
        result = subprocess.run([sys.executable, "-m", "ivrsched", command[0], str(path),
                                 *command[1:], "--now", "9999-12-01T00:00:00Z"],
                                capture_output=True, text=True, check=False)
        assert result.returncode == 5, command
        assert "9999" in result.stderr and "Traceback" not in result.stderr


class CountingDestinations:
    """A million destinations made on demand, counting how many were looked at."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.touched = 0

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> Destination:
        self.touched += 1
        return Destination(to=str(41_700_000_000 + i))

    def __iter__(self) -> Iterator[Destination]:
        return (self[i] for i in range(self.n))


def lazy_plan(n: int) -> tuple[Any, CountingDestinations]:
    destinations = CountingDestinations(n)
    message = Message("S", destinations,  # type: ignore[arg-type]
                      sending_speed=SendingSpeed(100, TimeUnit.SECOND), validity_period=None,
                      rejected_indices=())
    from datetime import datetime, timezone

    return plan(Request((message,)), now=datetime(2030, 1, 1, tzinfo=timezone.utc)), destinations


def test_jsonl_output_streams_its_first_line_before_the_last_is_computed() -> None:
    the_plan, destinations = lazy_plan(1_000_000)

    class FirstLine(io.StringIO):
        def write(self, text: str) -> int:
            raise StopIteration(destinations.touched)

    with pytest.raises(StopIteration) as stop:
        write_jsonl(the_plan, FirstLine())
    assert stop.value.value == 1  # one destination computed when the first line is written


def test_jsonl_memory_does_not_grow_with_the_campaign() -> None:
    class Sink(io.TextIOBase):
        def write(self, text: str) -> int:
            return len(text)

    peaks = []
    for n in (2_000, 40_000):
        the_plan, _ = lazy_plan(n)
        tracemalloc.start()
        write_jsonl(the_plan, Sink())
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    # Twenty times the destinations, but no more than a small constant more memory.
    assert peaks[1] < peaks[0] + 64_000


@pytest.mark.parametrize("argv", [
    # Past what Decimal's context holds (it overflowed) or timedelta holds (OverflowError).
    ["plan", CAMPAIGN, "--failure-delay", "1e999999999"],
    ["plan", CAMPAIGN, "--failure-delay", "99999999999999999999999"],
    # 10^-99999999999 s is not a whole number of µs; Decimal arithmetic underflowed it to 0.
    ["plan", CAMPAIGN, "--failure-delay", "1e-99999999999"],
])
def test_extreme_durations_are_usage_errors(argv: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", "ivrsched", *argv, "--now", NOW],
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "--failure-delay" in result.stderr


def test_the_largest_failure_delay_is_accepted_and_leaves_the_range() -> None:
    # timedelta's largest value, 999999999 days minus 1 µs, is a valid option; the plan then
    # leaves years 1..9999 (S12), exit 5.
    result = subprocess.run([sys.executable, "-m", "ivrsched", "plan", CAMPAIGN, "--now", NOW,
                             "--failure-delay", "86399999999999.999999"],
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 5, result.stderr
    assert "Traceback" not in result.stderr


MEMBER = "a\udc00b\nc"   # an unpaired surrogate and a newline, both legal in a JSON member name


@pytest.mark.parametrize("argv", [
    ["explain"], ["plan", "--format", "json"], ["plan", "--format", "table"],
    ["respond", "--strict"],
])
def test_odd_member_names_are_escaped_in_every_output(tmp_path: Path, argv: list[str]) -> None:
    path = tmp_path / "odd.json"
    path.write_text(json.dumps({"scenarioId": "S", "to": ["41793026727"], MEMBER: 1}),
                    encoding="ascii")
    result = subprocess.run([sys.executable, "-m", "ivrsched", argv[0], str(path), *argv[1:],
                             "--now", NOW], capture_output=True, check=False, timeout=60)
    err = result.stderr.decode("utf-8")
    assert "Traceback" not in err
    assert result.returncode == (3 if "--strict" in argv else 0), err
    if argv[-1] == "json":
        assert json.loads(result.stdout)["notices"][0]["path"] == "/" + MEMBER
        return
    lines = (result.stdout + result.stderr).decode("utf-8").splitlines()
    # The pointer /a\udc00b\nc, shown escaped on one line (not split at the newline).
    [shown] = [line for line in lines if "unknown field" in line]
    assert "/a\\udc00b\\nc" in shown


def readme_console_examples() -> list[tuple[str, str]]:
    """The README's ``$ ivrsched …`` lines and the output shown under each."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.findall(r"```console\n(.*?)```", text.split("## A first example")[1], re.S)[0]
    examples: list[tuple[str, str]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            examples.append((line[2:], ""))
        else:
            command, shown = examples[-1]
            examples[-1] = (command, shown + line + "\n")
    return examples


def test_the_readme_first_example_shows_what_the_commands_print() -> None:
    examples = readme_console_examples()
    assert len(examples) == 2
    for command, shown in examples:
        result = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True,
                                check=False, timeout=60,
                                env={**__import__("os").environ,
                                     "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"})
        assert result.stdout + result.stderr == shown, command


def test_notices_go_to_stderr_when_the_format_has_no_place_for_them(
        capsys: pytest.CaptureFixture[str]) -> None:
    notice = ("notice: /messages/0/validityPeriod: validityPeriod is ignored because "
              "sendingSpeed is given (no deadline)")
    for fmt in ("jsonl", "csv"):
        _, out, err = run(capsys, "plan", CAMPAIGN, "--now", NOW, "--format", fmt)
        assert err.splitlines() == [notice] and "notice" not in out
    _, out, err = run(capsys, "plan", CAMPAIGN, "--now", NOW, "--format", "table")
    assert err == "" and "validityPeriod is ignored" in out
    _, _, err = run(capsys, "simulate", CAMPAIGN, "--now", NOW, "--seed", "1")
    assert notice in err.splitlines()


def test_durations_are_described_exactly_or_truncated_without_floats() -> None:
    from fractions import Fraction

    from ivrsched.planning.explanation import describe_duration

    assert describe_duration(360_000_000) == "6 min"
    assert describe_duration(Fraction(10**6, 3)) == "about 333.333 ms"   # 333333.33… µs
    assert describe_duration(Fraction(10**7, 3)) == "about 3.333 s"
    assert describe_duration(Fraction(1, 10)) == "about 0.1 µs"          # 10^7 per second
    assert describe_duration(Fraction(3, 2) * 10**6) == "1500 ms"


@pytest.mark.parametrize(("tty", "first_line"), [
    (True, "bulkId CAMPAIGN-25"),  # the table's first line
    (False, '{"message": 0, "index": 0, "to": "41793026700", '),  # a jsonl row
])
def test_the_default_format_is_table_on_a_terminal_else_jsonl(
        tty: bool, first_line: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: tty)
    code, out, _ = run(capsys, "plan", CAMPAIGN, "--now", NOW, "--seed", "1")
    assert code == 0
    assert out.startswith(first_line)
    if tty:  # 25 rows: the first and last 10 with the count of the 5 between them
        assert "(5 more destinations; --all shows every row)" in out
    else:  # one object per destination
        assert [json.loads(line)["index"] for line in out.splitlines()] == list(range(25))


def test_table_rows_show_clock_times_and_dates_only_off_the_start_day(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "plan", CAMPAIGN, "--now", NOW, "--format", "table", "--seed", "1")[1]
    # Destination 0: 17:00, then retries 1, 2, 5, 5 minutes apart (S5).
    row = next(line for line in out.splitlines() if "41793026700" in line)
    assert row.endswith("  17:00  17:01  17:03  17:08  17:13")
    assert "attempts (on 2016-07-07, +Nd: N days later; UTC+01:00)" in out
    # One a day from 23:30 +01:00: the second destination's call falls on the next date.
    request = {"messages": [{"scenarioId": "S", "sendAt": "2030-01-01T23:30:00+01:00",
                             "sendingSpeed": {"speed": 1, "timeUnit": "day"},
                             "destinations": [{"to": "41793026727"}, {"to": "41793026728"}]}]}
    path = tmp_path / "daily.json"
    path.write_text(json.dumps(request))
    out = run(capsys, "plan", str(path), "--now", NOW, "--format", "table")[1]
    rows = [line for line in out.splitlines() if "4179302672" in line]
    assert rows[0].endswith("  23:30") and rows[1].endswith("  +1d 23:30")
