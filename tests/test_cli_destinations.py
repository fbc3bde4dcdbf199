"""`ivrsched plan REQUEST --destinations FILE` (issue 7)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ivrsched.cli.main import main

NOW = "2030-01-01T00:00:00Z"
MESSAGE = {"scenarioId": "S", "sendingSpeed": {"speed": 2, "timeUnit": "second"},
           "retry": {"minPeriod": 1, "maxPeriod": 5, "maxCount": 2}}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def files(tmp_path: Path, request: dict[str, Any], name: str, content: str | bytes
          ) -> tuple[str, str]:
    request_path = tmp_path / "request.json"
    request_path.write_text(json.dumps(request), encoding="utf-8")
    destinations = tmp_path / name
    if isinstance(content, bytes):
        destinations.write_bytes(content)
    else:
        destinations.write_text(content, encoding="utf-8")
    return str(request_path), str(destinations)


def test_a_text_file_is_planned_line_by_line_with_a_summary(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request, numbers = files(tmp_path, {"messages": [MESSAGE]}, "n.txt",
                             "41793026727\nbad\n\n+41793026728\n")
    code, out, err = run(capsys, "plan", request, "--destinations", numbers, "--now", NOW,
                         "--seed", "1")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    # The blank line 3 is passed over: three destinations, the last one from line 4.
    assert [(r["index"], r["line"], r["status"]) for r in rows] == [
        (0, 1, "PENDING_ACCEPTED"), (1, 2, "REJECTED_INVALID_DESTINATION"),
        (2, 4, "PENDING_ACCEPTED")]
    # 2 per second: the second accepted line (slot 1) is 0.5 s after the start; retries wait
    # 1 then 2 minutes.
    assert rows[2]["attempts"] == ["2030-01-01T00:00:00.500+00:00",
                                   "2030-01-01T00:01:00.500+00:00",
                                   "2030-01-01T00:03:00.500+00:00"]
    assert rows[1]["attempts"] == []
    summary = err.splitlines()
    assert summary[0] == f"{numbers}: 1 blank or comment line skipped"
    assert summary[1] == (f"{numbers}: 3 destinations, 2 accepted, 1 rejected "
                          "(52 REJECTED_INVALID_DESTINATION: 1)")
    assert summary[2].startswith(f"  rejected {numbers}:2: REJECTED_INVALID_DESTINATION: 'bad'")


def test_the_flat_shape_and_csv_with_message_ids(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request, numbers = files(tmp_path, MESSAGE, "n.csv",
                             "to,messageId\n41793026727,first\n41793026728,first\n")
    code, out, err = run(capsys, "plan", request, "--destinations", numbers, "--now", NOW)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["messageId"], r["status"], r["line"]) for r in rows] == [
        ("first", "PENDING_ACCEPTED", 2), ("first", "REJECTED_DUPLICATE_MESSAGE_ID", 3)]
    assert "2 destinations, 1 accepted, 1 rejected (23 REJECTED_DUPLICATE_MESSAGE_ID: 1)" in err


def test_the_layout_can_be_forced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request, numbers = files(tmp_path, {"messages": [MESSAGE]}, "n.txt", "to\n41793026727\n")
    code, out, _ = run(capsys, "plan", request, "--destinations", numbers,
                       "--destinations-format", "csv", "--now", NOW)
    assert code == 0 and len(out.splitlines()) == 1  # the header is not a destination


@pytest.mark.parametrize(("request_data", "message"), [
    ({"messages": [{**MESSAGE, "destinations": [{"to": "41793026727"}]}]},
     "must not have /messages/0/destinations"),
    ({"messages": [MESSAGE, MESSAGE]}, "exactly one message object; this one has 2"),
    ({**MESSAGE, "to": ["41793026727"]}, "must not have /to"),
])
def test_requests_that_would_be_ambiguous_are_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], request_data: dict[str, Any],
        message: str) -> None:
    request, numbers = files(tmp_path, request_data, "n.txt", "41793026727\n")
    code, out, err = run(capsys, "plan", request, "--destinations", numbers, "--now", NOW)
    assert (code, out) == (2, "")
    assert message in err


def test_a_flat_message_id_without_its_destination_is_an_invalid_request(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request, numbers = files(tmp_path, {**MESSAGE, "messageId": "m"}, "n.txt", "41793026727\n")
    code, out, err = run(capsys, "plan", request, "--destinations", numbers, "--now", NOW)
    assert (code, out) == (3, "")
    assert err.startswith("/messageId: a messageId names one destination")


def test_every_format_is_available(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Issue 11 lifted issue 7's "only --format jsonl": a file plans like a list in every format
    # (tests/test_one_plan.py compares them byte for byte).
    request, numbers = files(tmp_path, {"messages": [MESSAGE]}, "n.txt", "41793026727\n")
    code, out, _ = run(capsys, "plan", request, "--destinations", numbers, "--format", "table",
                       "--now", NOW)
    assert code == 0 and "41793026727" in out


def test_an_invalid_request_is_reported_as_without_destinations(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request, numbers = files(tmp_path, {"messages": [{"retry": {"minPeriod": 0}}]}, "n.txt",
                             "41793026727\n")
    code, out, err = run(capsys, "plan", request, "--destinations", numbers, "--now", NOW)
    assert code == 3 and out == ""
    assert "/messages/0/scenarioId" in err
    assert "destinations" not in err  # absent destinations are no fault here


def test_broken_json_is_reported_by_the_parser(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    request = tmp_path / "r.json"
    request.write_text("{not json", encoding="utf-8")
    code, _, err = run(capsys, "plan", str(request), "--destinations", str(request))
    assert code == 3 and "not valid JSON" in err


def test_unreadable_files_name_the_file_and_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request, numbers = files(tmp_path, {"messages": [MESSAGE]}, "n.txt",
                             b"41793026727\n4179\xff3026728\n")
    code, out, err = run(capsys, "plan", request, "--destinations", numbers, "--now", NOW)
    assert code == 4
    assert len(out.splitlines()) == 1  # streamed up to the bad line
    assert f"{numbers}:2: not UTF-8" in err
    code, out, err = run(capsys, "plan", request, "--destinations", str(tmp_path / "none.txt"))
    assert (code, out) == (4, "")
    assert "cannot read destinations file" in err and "none.txt" in err
    assert "Traceback" not in err


def test_strict_mode_stops_at_the_first_rejected_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request, numbers = files(tmp_path, {"messages": [MESSAGE]}, "n.txt", "41793026727\n12\n")
    code, _, err = run(capsys, "plan", request, "--destinations", numbers, "--strict")
    assert code == 3
    assert f"{numbers}:2: '12' is not an international number" in err and "strict" in err


def test_a_line_an_xml_report_cannot_carry_fails_an_xml_request_like_inline(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Inline, such an address is a request error under XML reports (docs/request.md); from a
    # file it stops the command at that line with the same exit code (rows of the lines read
    # before it are already out, as in strict mode).
    xml = {"messages": [{**MESSAGE, "notifyContentType": "application/xml"}]}
    request, numbers = files(tmp_path, xml, "n.txt", "41793026727\nbad\x01\n")
    code, out, err = run(capsys, "plan", request, "--destinations", numbers, "--now", NOW)
    assert code == 3 and len(out.splitlines()) == 1
    assert f"{numbers}:2: to contains U+0001" in err
    as_json = {"messages": [{**MESSAGE, "notifyContentType": "application/json"}]}
    request, numbers = files(tmp_path, as_json, "n.txt", "41793026727\nbad\x01\n")
    code, out, _ = run(capsys, "plan", request, "--destinations", numbers, "--now", NOW)
    assert code == 0 and '"REJECTED_INVALID_DESTINATION"' in out.splitlines()[1]


def test_destinations_from_standard_input_skipping_comments_with_a_count(
        tmp_path: Path) -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    request = tmp_path / "bare.json"
    request.write_text(json.dumps({"messages": [MESSAGE]}), encoding="utf-8")
    numbers = "# June campaign\n41793026727\n\nbad\n 41793026728 \n"
    argv = [sys.executable, "-m", "ivrsched", "simulate", str(request), "--destinations", "-",
            "--now", NOW, "--seed", "1"]
    done = subprocess.run(argv, input=numbers, capture_output=True, text=True, timeout=60,
                          cwd=root)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    # Lines 2, 4 and 5 are destinations 0, 1 and 2; the comment and the blank line are not.
    assert {r["index"] for r in rows} == {0, 2} and {r["to"] for r in rows} == {
        "41793026727", "41793026728"}
    err = done.stderr.splitlines()
    assert "standard input: 2 blank or comment lines skipped" in err
    assert ("standard input: 3 destinations, 2 accepted, 1 rejected "
            "(52 REJECTED_INVALID_DESTINATION: 1)") in err
    # The same numbers from a file give the same log (simulate reads them twice).
    path = tmp_path / "numbers.txt"
    path.write_text(numbers, encoding="utf-8")
    argv[argv.index("-")] = str(path)
    assert subprocess.run(argv, capture_output=True, text=True, timeout=60,
                          cwd=root).stdout == done.stdout
    both = subprocess.run([*argv[:4], "-", "--destinations", "-", "--now", NOW], input="{}",
                          capture_output=True, text=True, timeout=60, cwd=root)
    assert both.returncode == 2 and "cannot both be standard input" in both.stderr
