"""``ivrsched verify``: exit codes, output formats, log formats and stdin."""

from __future__ import annotations

import doctest
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from ivrsched.cli.main import main

NOW = "2030-01-07T09:00:00Z"
# Two destinations, 1 per minute, one retry after 1 minute: planned 09:00 and 09:01 for the
# first, 09:01 and 09:02 for the second.
REQUEST = {"messages": [{
    "scenarioId": "S", "sendingSpeed": {"speed": 1, "timeUnit": "minute"},
    "retry": {"minPeriod": 1, "maxPeriod": 1, "maxCount": 1},
    "destinations": [{"to": "41793026700", "messageId": "a"}, {"to": "41793026701"}]}]}
GOOD = [
    {"messageId": "a", "attempt": 1, "time": "2030-01-07T09:00:00Z"},
    {"to": "41793026701", "attempt": 1, "time": "2030-01-07T09:01:00Z"},
    {"messageId": "a", "attempt": 2, "time": "2030-01-07T09:01:00Z"},
    {"to": "41793026701", "attempt": 2, "time": "2030-01-07T09:02:00Z"},
]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "request.json").write_text(json.dumps(REQUEST), encoding="utf-8")
    return tmp_path


def jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_conforming_log_exits_0_with_a_summary(files: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (files / "log.jsonl").write_text(jsonl(GOOD), encoding="utf-8")
    code, out, _ = run(capsys, "verify", str(files / "request.json"), str(files / "log.jsonl"),
                       "--now", NOW, "--exact")
    assert (code, out) == (0, "conforms: 4 attempt(s) of 2 destination(s) checked\n")


def test_violations_exit_1_one_sentence_each(files: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    rows = [*GOOD[:3], {"to": "41793026701", "attempt": 2, "time": "2030-01-07T09:01:59Z"}]
    (files / "log.jsonl").write_text(jsonl(rows), encoding="utf-8")
    code, out, _ = run(capsys, "verify", str(files / "request.json"), str(files / "log.jsonl"),
                       "--now", NOW)
    lines = out.splitlines()
    assert code == 1
    assert lines[0].startswith("S5-gap: message 0 destination 1 (to 41793026701): attempt 2 "
                               "at 2030-01-07T09:01:59.000+00:00 is sooner than 1 min")
    assert lines[0].endswith("[log line 4]")
    assert lines[1].startswith("does not conform: 1 violation(s) (S5-gap ×1)")


def test_jsonl_output_has_one_object_per_violation(files: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{**GOOD[0], "time": "2030-01-07T08:59:59Z"}, *GOOD[1:],
            {"to": "4100000000", "attempt": 1, "time": NOW}]
    (files / "log.jsonl").write_text(jsonl(rows), encoding="utf-8")
    code, out, _ = run(capsys, "verify", str(files / "request.json"), str(files / "log.jsonl"),
                       "--now", NOW, "--format", "jsonl")
    objects = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [(o["rule"], o["messageId"], o["line"]) for o in objects] == [
        ("S2-early-start", "a", 1), ("unknown-destination", None, 5)]
    assert objects[0]["limit"] == "2030-01-07T09:00:00.000+00:00"


def test_plan_csv_output_verifies_with_the_same_seed(files: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", str(files / "request.json"), "--now", NOW,
                       "--seed", "5", "--format", "csv")
    assert code == 0
    (files / "plan.csv").write_text(out, encoding="utf-8")
    code, out, _ = run(capsys, "verify", str(files / "request.json"), str(files / "plan.csv"),
                       "--now", NOW, "--seed", "5", "--exact", "--require-all")
    assert (code, out) == (0, "conforms: 4 attempt(s) of 2 destination(s) checked\n")


def test_a_simulation_piped_into_verify_conforms(files: Path,
                                                 capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(capsys, "simulate", str(files / "request.json"), "--now", NOW,
                       "--seed", "9", "--format", "jsonl")
    assert code == 0 and out
    monkeypatch.setattr(sys, "stdin", io.StringIO(out))
    code, out, _ = run(capsys, "verify", str(files / "request.json"), "-", "--now", NOW,
                       "--seed", "9")
    assert code == 0, out


def test_stdin_is_sniffed_as_csv(files: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    text = "messageId,to,attempt,time\na,,1,2030-01-07T09:00:00Z\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code, out, _ = run(capsys, "verify", str(files / "request.json"), "-", "--now", NOW)
    assert (code, out) == (0, "conforms: 1 attempt(s) of 1 destination(s) checked\n")


def test_the_log_format_option_overrides_the_extension(
        files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "log.txt").write_text("to,attempt,time\n41793026701,1,2030-01-07T09:01:00Z\n",
                                   encoding="utf-8")
    code, _, err = run(capsys, "verify", str(files / "request.json"), str(files / "log.txt"),
                       "--now", NOW, "--log-format", "jsonl")
    assert code == 4 and f"{files / 'log.txt'}:1: not valid JSON" in err
    code, _, _ = run(capsys, "verify", str(files / "request.json"), str(files / "log.txt"),
                     "--now", NOW, "--log-format", "csv")
    assert code == 0


def test_an_unreadable_row_exits_4_naming_file_and_line(
        files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "log.jsonl").write_text(jsonl(GOOD[:2]) + '{"to": "41793026700", "attempt": 1, '
                                     '"time": "yesterday"}\n', encoding="utf-8")
    code, out, err = run(capsys, "verify", str(files / "request.json"),
                         str(files / "log.jsonl"), "--now", NOW)
    assert (code, out) == (4, "")
    assert err.startswith(f"ivrsched: {files / 'log.jsonl'}:3: 'time': ")
    assert "Traceback" not in err


def test_bad_utf8_exits_4_at_its_line(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "log.jsonl").write_bytes(jsonl(GOOD[:1]).encode() + b'{"to": "\xe9"}\n')
    code, _, err = run(capsys, "verify", str(files / "request.json"), str(files / "log.jsonl"),
                       "--now", NOW)
    assert code == 4 and f"{files / 'log.jsonl'}:2: not UTF-8" in err


def test_a_missing_log_file_exits_4(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "verify", str(files / "request.json"), str(files / "no.jsonl"),
                       "--now", NOW)
    assert code == 4 and "cannot read" in err


def test_an_invalid_request_exits_3(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (files / "bad.json").write_text('{"messages": [{"destinations": [{"to": "41793026700"}]}]}',
                                    encoding="utf-8")
    (files / "log.jsonl").write_text(jsonl(GOOD), encoding="utf-8")
    code, _, err = run(capsys, "verify", str(files / "bad.json"), str(files / "log.jsonl"),
                       "--now", NOW)
    assert code == 3 and "/messages/0/scenarioId" in err


def test_request_and_log_cannot_both_be_stdin(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "verify", "-", "-", "--now", NOW)
    assert code == 2 and "both be standard input" in err


def test_the_failure_delay_option_widens_the_gaps(files: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (files / "log.jsonl").write_text(jsonl(GOOD), encoding="utf-8")
    # With 30 s to learn that an attempt failed, 09:01 is too early for the retry of "a".
    code, out, _ = run(capsys, "verify", str(files / "request.json"), str(files / "log.jsonl"),
                       "--now", NOW, "--failure-delay", "30")
    assert code == 1 and "not before 2030-01-07T09:01:30.000+00:00" in out


def test_the_shell_example_of_the_docs(files: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # The request of docs/oracle.md: 3 destinations × (1 + maxCount 1) = 6 planned attempts.
    doc_request = {"messages": [{
        "scenarioId": "S", "sendingSpeed": {"speed": 2, "timeUnit": "minute"},
        "retry": {"minPeriod": 1, "maxPeriod": 5, "maxCount": 1},
        "destinations": [{"to": "41793026700", "messageId": "a"},
                         {"to": "41793026701", "messageId": "b"},
                         {"to": "41793026702", "messageId": "c"}]}]}
    request = str(files / "doc.json")
    Path(request).write_text(json.dumps(doc_request), encoding="utf-8")
    _, csv_text, _ = run(capsys, "plan", request, "--now", NOW, "--seed", "5", "--format", "csv")
    (files / "plan.csv").write_text(csv_text, encoding="utf-8")
    code, out, _ = run(capsys, "verify", request, str(files / "plan.csv"), "--now", NOW,
                       "--seed", "5", "--exact")
    assert (code, out) == (0, "conforms: 6 attempt(s) of 3 destination(s) checked\n")
    _, events, _ = run(capsys, "simulate", request, "--now", NOW, "--seed", "5",
                       "--format", "jsonl")
    monkeypatch.setattr(sys, "stdin", io.StringIO(events))
    code, out, _ = run(capsys, "verify", request, "-", "--now", NOW, "--seed", "5")
    assert code == 0 and out.startswith("conforms: ")


def test_the_oracle_page_examples_run() -> None:
    page = Path(__file__).resolve().parent.parent / "docs" / "oracle.md"
    result = doctest.testfile(str(page), module_relative=False,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 10
    assert result.failed == 0


def test_a_closed_output_pipe_keeps_the_verdict(files: Path) -> None:
    # ``verify R LOG | head -1`` after a reader that stopped early: still exit 1 for a log
    # with a violation (it was 0, "conforms"), and nothing on stderr.
    import os
    import subprocess

    rows = [*GOOD[:3], {"to": "41793026701", "attempt": 2, "time": "2030-01-07T09:01:59Z"}]
    (files / "log.jsonl").write_text(jsonl(rows), encoding="utf-8")
    for log, expected in (("log.jsonl", 1), ("good.jsonl", 0)):
        (files / "good.jsonl").write_text(jsonl(GOOD), encoding="utf-8")
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            result = subprocess.run([sys.executable, "-m", "ivrsched", "verify",
                                     str(files / "request.json"), str(files / log),
                                     "--now", NOW], stdout=write_end, stderr=subprocess.PIPE,
                                    check=False, timeout=60)
        finally:
            os.close(write_end)
        assert result.returncode == expected
        assert result.stderr == b""
