"""`ivrsched simulate` from the command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from ivrsched.cli.main import main
from ivrsched.simulation.reports import parse_xml_report

NOW = "2030-01-07T09:00:00Z"
RETRY = {"minPeriod": 1, "maxPeriod": 5, "maxCount": 4}


def write_request(tmp_path: Path, **fields: Any) -> str:
    destinations = fields.pop("destinations", [{"to": "41793026700", "messageId": "a"},
                                               {"to": "41793026701", "messageId": "b"}])
    path = tmp_path / "request.json"
    message = {"scenarioId": "S", "destinations": destinations, **fields}
    path.write_text(json.dumps({"bulkId": "B", "messages": [message]}), encoding="utf-8")
    return str(path)


def write_outcomes(tmp_path: Path, rows: list[dict[str, Any]]) -> str:
    path = tmp_path / "outcomes.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_jsonl_log_and_summary_for_the_worked_example(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = write_request(tmp_path, validityPeriod=10, retry=RETRY,
                            sendAt="2030-01-07T10:00:00.000+01:00")
    outcomes = write_outcomes(tmp_path, [
        {"messageId": "a", "outcome": "no-answer", "duration": 45},
        {"messageId": "b", "attempt": 1, "outcome": "busy", "duration": 5},
        {"messageId": "b", "attempt": 2, "outcome": "answered", "duration": 30,
         "answerAfter": 4}])
    code, out, err = run(capsys, "simulate", request, "--now", NOW, "--outcomes", outcomes,
                         "--format", "jsonl")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert list(rows[0]) == ["message", "index", "to", "messageId", "attempt", "time", "end",
                             "outcome"]
    # a: no-answer 45 s each: 10:00:00, 10:01:45, 10:04:30, then 10:10:15 ≥ the 10:10 deadline.
    # b: busy 5 s at 10:00:00 → ends 10:00:05; retry at 10:01:05, answered, ends 10:01:35.
    assert [(r["messageId"], r["attempt"], r["time"][11:19], r["end"][11:19], r["outcome"])
            for r in rows] == [
        ("a", 1, "10:00:00", "10:00:45", "no-answer"),
        ("b", 1, "10:00:00", "10:00:05", "busy"),
        ("b", 2, "10:01:05", "10:01:35", "answered"),
        ("a", 2, "10:01:45", "10:02:30", "no-answer"),
        ("a", 3, "10:04:30", "10:05:15", "no-answer")]
    assert rows[0]["time"] == "2030-01-07T10:00:00.000+01:00"
    # Peak: two calls from 10:00:00 (a's [0:00,0:45) and b's [0:00,0:05)).
    assert ("2 destinations: 1 delivered, 1 expired, 0 undeliverable, 0 rejected; 5 attempts; "
            "peak 2 calls in progress at 2030-01-07T10:00:00.000+01:00") in err


def test_csv_and_table_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = write_request(tmp_path)
    code, out, _ = run(capsys, "simulate", request, "--now", NOW, "--seed", "1",
                       "--format", "csv", "--answer-rate", "1")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["messageId"] for r in rows] == ["a", "b"]
    assert {r["outcome"] for r in rows} == {"answered"} and rows[0]["attempt"] == "1"
    code, out, _ = run(capsys, "simulate", request, "--now", NOW, "--seed", "1",
                       "--format", "table", "--answer-rate", "1")
    assert code == 0 and out.splitlines()[0].split()[:4] == ["time", "end", "#", "outcome"]
    assert len(out.splitlines()) == 3


def test_the_same_seed_gives_the_same_output(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    request = write_request(tmp_path, retry=RETRY, destinations=[
        {"to": f"417930267{i:02d}"} for i in range(20)])
    args = ("simulate", request, "--now", NOW, "--seed", "42", "--format", "jsonl")
    first, second = run(capsys, *args), run(capsys, *args)
    assert first == second and first[1].count("\n") >= 20
    other = run(capsys, "simulate", request, "--now", NOW, "--seed", "43", "--format", "jsonl")
    assert other[1] != first[1]


def test_without_a_seed_the_seed_used_is_printed(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    request = write_request(tmp_path, retry=RETRY)
    code, out, err = run(capsys, "simulate", request, "--now", NOW, "--format", "jsonl")
    seed = err.split()[1]
    again = run(capsys, "simulate", request, "--now", NOW, "--format", "jsonl", "--seed", seed)
    assert code == 0 and again[1] == out


def test_bad_outcomes_file_exits_4_naming_the_line(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    request = write_request(tmp_path)
    path = tmp_path / "outcomes.jsonl"
    path.write_text('{"to": "41793026700", "outcome": "busy"}\n{"to": "1", "outcome": "x"}\n',
                    encoding="utf-8")
    code, out, err = run(capsys, "simulate", request, "--now", NOW, "--outcomes", str(path))
    assert code == 4 and out == ""
    assert err.startswith(f"ivrsched: {path}:2: outcome must be one of") and err[-1] == "\n"
    code, _, err = run(capsys, "simulate", request, "--now", NOW, "--outcomes",
                       str(tmp_path / "missing.jsonl"))
    assert code == 4 and "cannot read" in err


def test_rates_above_one_together_are_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = write_request(tmp_path)
    code, _, err = run(capsys, "simulate", request, "--answer-rate", "0.7", "--busy-rate",
                       "2/5")
    assert code == 2 and "must not exceed 1" in err
    # Alone, a high answer rate lowers the default busy rate (0.1) to what it leaves: 0.05.
    code, _, _ = run(capsys, "simulate", request, "--now", NOW, "--answer-rate", "0.95")
    assert code == 0
    with pytest.raises(SystemExit) as info:
        main(["simulate", request, "--answer-rate", "1.5"])
    assert info.value.code == 2


def test_reports_as_files_and_as_a_stream(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    request = write_request(tmp_path, callbackData="<&é>", notifyContentType="application/xml",
                            destinations=[{"to": "41793026700"}, {"to": "oops"}])
    files = tmp_path / "files"
    code, _, err = run(capsys, "simulate", request, "--now", NOW, "--seed", "1",
                       "--answer-rate", "1", "--reports", str(files), "--format", "jsonl")
    assert code == 0 and "1 delivered" in err and "1 rejected" in err
    assert sorted(p.name for p in files.iterdir()) == ["report-0-0.xml", "report-0-1.xml"]
    delivered = parse_xml_report((files / "report-0-0.xml").read_bytes())["results"]
    assert delivered[0]["callbackData"] == "<&é>"  # type: ignore[index]
    assert delivered[0]["status"]["name"] == "DELIVERED_TO_HANDSET"  # type: ignore[index]
    stream = tmp_path / "stream"
    code, _, _ = run(capsys, "simulate", request, "--now", NOW, "--seed", "1",
                     "--answer-rate", "1", "--reports", str(stream), "--reports-format",
                     "jsonl", "--format", "jsonl")
    lines = (stream / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    assert code == 0 and [json.loads(x)["index"] for x in lines] == [1, 0]
    assert parse_xml_report(json.loads(lines[1])["body"])["results"] == delivered


def test_an_invalid_request_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"messages": [{"destinations": []}]}', encoding="utf-8")
    code, out, err = run(capsys, "simulate", str(path), "--now", NOW)
    assert code == 3 and out == "" and "scenarioId" in err


def test_a_simulated_log_passes_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # `ivrsched simulate R | ivrsched verify R -`: the log's rows are what verify reads, and a
    # simulation obeys S11 (paced first attempts, gaps from each end, nothing past the deadline).
    request = write_request(tmp_path, validityPeriod=30, retry=RETRY,
                            sendingSpeed={"speed": 2, "timeUnit": "minute"},
                            destinations=[{"to": f"417930267{i:02d}"} for i in range(12)])
    args = (request, "--now", NOW, "--seed", "5")
    code, log, _ = run(capsys, "simulate", *args, "--answer-rate", "0.2", "--format", "jsonl")
    assert code == 0 and log.count("\n") > 12
    monkeypatch.setattr("sys.stdin", io.StringIO(log))
    code, out, _ = run(capsys, "verify", request, "-", "--now", NOW, "--seed", "5")
    assert code == 0, out
    # The check has teeth: a retry moved back onto its previous attempt's start is refused.
    rows = [json.loads(line) for line in log.splitlines()]
    retry = next(r for r in rows if r["attempt"] == 2)
    first = next(r for r in rows if r["messageId"] == retry["messageId"] and r["attempt"] == 1)
    retry["time"] = first["time"]
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(json.dumps(r) + "\n" for r in rows)))
    code, _, _ = run(capsys, "verify", request, "-", "--now", NOW, "--seed", "5")
    assert code == 1


@pytest.mark.parametrize("rate", ["1e-99999999999", "1e-4400", "1e999999999999"])
def test_rates_with_huge_exponents_are_usage_errors_at_once(tmp_path: Path, rate: str) -> None:
    # Fraction("1e-99999999999") computes 10**99999999999 (hours); 1e-4400 parsed, but an
    # exact rate of 4400 digits cannot be printed back. A subprocess, so that a hang fails.
    import subprocess
    import sys

    request = write_request(tmp_path)
    result = subprocess.run([sys.executable, "-m", "ivrsched", "simulate", request, "--now", NOW,
                             "--seed", "1", "--answer-rate", rate],
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "--answer-rate" in result.stderr and "Traceback" not in result.stderr


def test_rates_keep_their_exact_forms() -> None:
    from fractions import Fraction

    from ivrsched.cli.simulate_cmd import probability

    # 25e-2 = 25/100 = 1/4; "1/3" stays a third; 0.1 is 1/10, not the float.
    assert probability("25e-2") == Fraction(1, 4)
    assert probability("1/3") == Fraction(1, 3)
    assert probability("0.1") == Fraction(1, 10)
