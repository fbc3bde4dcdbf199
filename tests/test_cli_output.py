"""Where output goes: ``-o/--output`` (atomic), write errors as one line with exit 2, and the
small things a user trips over (stale vectors, unnamed files, Python's own messages)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ivrsched.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
NOW = "2030-01-07T09:00:00Z"
#: A request with no notices, so that standard error holds only what a test looks for.
REQUEST = {"bulkId": "b", "messages": [{"scenarioId": "S", "sendAt": "2030-01-07T10:00:00Z",
                         "sendingSpeed": {"speed": 2, "timeUnit": "minute"},
                         "retry": {"minPeriod": 1, "maxPeriod": 5, "maxCount": 2},
                         "destinations": [{"to": f"4179302670{i}", "messageId": f"m{i}"}
                                          for i in range(5)]}]}


@pytest.fixture
def request_file(tmp_path: Path) -> Path:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(REQUEST), encoding="utf-8")
    return path


def _log_file(tmp_path: Path, request_file: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["simulate", str(request_file), "--now", NOW, "--seed", "1"]) == 0
    log = tmp_path / "log.jsonl"
    log.write_text(capsys.readouterr().out, encoding="utf-8")
    return log


COMMANDS = [
    ["plan", "{request}", "--format", "csv"],
    ["explain", "{request}"],
    ["respond", "{request}", "--seed", "3"],
    ["simulate", "{request}", "--seed", "1"],
    ["verify", "{request}", "{log}"],
    ["forecast", "{request}"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: a[0])
def test_output_file_holds_exactly_what_standard_output_would(
        argv: list[str], tmp_path: Path, request_file: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    log = _log_file(tmp_path, request_file, capsys)
    args = [a.format(request=request_file, log=log) for a in argv] + ["--now", NOW]
    assert main(args) == 0
    expected = capsys.readouterr().out
    assert expected  # every one of these commands prints something
    target = tmp_path / "out.txt"
    assert main([*args, "-o", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert target.read_text(encoding="utf-8") == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.jsonl", "out.txt", "request.json"]


def test_verify_with_violations_still_writes_its_complete_report(
        tmp_path: Path, request_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text('{"messageId": "m0", "attempt": 1, "time": "2030-01-07T09:00:00Z"}\n',
                   encoding="utf-8")
    target = tmp_path / "report.txt"
    assert main(["verify", str(request_file), str(log), "--now", NOW, "-o", str(target)]) == 1
    assert "before" in target.read_text(encoding="utf-8")  # the S2 early-start sentence


def test_a_failed_run_leaves_the_output_file_as_it_was(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"messages": [{"destinations": []}]}', encoding="utf-8")
    target = tmp_path / "plan.jsonl"
    target.write_text("the previous plan\n", encoding="utf-8")
    assert main(["plan", str(bad), "--now", NOW, "-o", str(target)]) == 3
    assert target.read_text(encoding="utf-8") == "the previous plan\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "plan.jsonl"]
    assert "scenarioId" in capsys.readouterr().err


def test_an_output_file_in_a_missing_directory_is_one_line_and_exit_2(
        tmp_path: Path, request_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "no" / "such" / "dir" / "plan.jsonl"
    assert main(["plan", str(request_file), "--now", NOW, "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert err == f"ivrsched: cannot write {target}: No such file or directory\n"


def test_an_output_that_is_a_directory_is_refused(
        tmp_path: Path, request_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", str(request_file), "--now", NOW, "-o", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"ivrsched: cannot write {tmp_path}: it is a directory\n"


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: a[0])
def test_a_full_disk_is_one_line_and_exit_2(argv: list[str], tmp_path: Path,
                                            request_file: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    if not Path("/dev/full").exists():  # Linux has it; the CI machine is Linux
        pytest.fail("this test needs /dev/full")
    log = _log_file(tmp_path, request_file, capsys)
    args = [a.format(request=request_file, log=log) for a in argv] + ["--now", NOW]
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "ivrsched", *args], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2, done.stderr
    assert done.stderr == "ivrsched: cannot write output: No space left on device\n"


def test_killing_a_run_that_writes_a_file_leaves_no_half_file(tmp_path: Path) -> None:
    request = json.loads(json.dumps(REQUEST))
    del request["messages"][0]["destinations"]  # they come from the file
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps(request), encoding="utf-8")
    numbers = tmp_path / "numbers.txt"
    numbers.write_text("".join(f"4179{i:07d}\n" for i in range(400_000)), encoding="utf-8")
    target = tmp_path / "plan.jsonl"
    process = subprocess.Popen([sys.executable, "-m", "ivrsched", "plan", str(request_file),
                                "--destinations", str(numbers), "--now", NOW, "--seed", "1",
                                "--format", "jsonl", "-o", str(target)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    try:
        # Wait (bounded) until the run is writing: its temporary file exists and has grown.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            parts = list(tmp_path.glob(".plan.jsonl.*.part"))
            if parts and parts[0].stat().st_size > 100_000:
                break
            time.sleep(0.01)
        assert process.poll() is None, "the run ended before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    assert not target.exists()  # only the (private) temporary file is left behind


def test_vectors_refuse_a_non_empty_directory_unless_forced(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "vectors"
    assert main(["vectors", "--count", "3", str(out)]) == 0
    assert main(["vectors", "--count", "1", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "case-001", "case-002",
                                                      "case-003"]
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["vectors", "--count", "1", str(out), "--force"]) == 0
    # The stale cases 2 and 3 are gone; a file vectors did not write is kept.
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "case-001", "notes.txt"]


def test_a_malformed_request_file_is_named_in_its_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text('{"messages": [', encoding="utf-8")
    assert main(["plan", str(bad), "--now", NOW]) == 3
    assert capsys.readouterr().err == (
        f"(root): {bad}: not valid JSON: Expecting value at line 1 column 15\n")


def test_an_integer_of_5000_digits_gets_our_message_not_pythons(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.json"
    big.write_text('{"messages": [{"scenarioId": "S", "validityPeriod": ' + "9" * 5000
                   + ', "destinations": [{"to": "41793026700"}]}]}', encoding="utf-8")
    assert main(["plan", str(big), "--now", NOW]) == 3
    err = capsys.readouterr().err
    assert err == (f"(root): {big}: not valid JSON: a number has 5000 digits; "
                   "at most 4300 are read\n")


def test_quiet_silences_notices_and_summaries_but_not_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    campaign = str(ROOT / "examples" / "campaign-25.json")  # its request has a notice
    assert main(["simulate", campaign, "--now", NOW, "--seed", "1"]) == 0
    loud = capsys.readouterr()
    assert "notice: /messages/0/validityPeriod" in loud.err and "25 destinations" in loud.err
    assert main(["simulate", campaign, "--now", NOW, "--seed", "1", "-q"]) == 0
    quiet = capsys.readouterr()
    assert quiet.err == "" and quiet.out == loud.out
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert main(["plan", str(bad), "-q"]) == 3
    assert "not valid JSON" in capsys.readouterr().err
