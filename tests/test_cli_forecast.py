"""`ivrsched forecast` and `ivrsched plot` from the command line, and the page's examples."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
import struct
import sys
from pathlib import Path

import pytest

from ivrsched.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN = str(ROOT / "examples" / "campaign-25.json")
NOW = "2016-07-07T12:00:00+01:00"
PAGE = ROOT / "docs" / "forecast.md"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    assert exit_info.value.code == 2
    return capsys.readouterr().err


def test_csv_is_the_machine_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "forecast", CAMPAIGN, "--now", NOW, "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["bucket_start", "first_attempts", "expected_retries", "expected_total",
                       "expected_in_progress"]
    # 10 / 10 / 5 first attempts; retries 37 / 40 / 23 (worked out in test_forecast); answer
    # rate 0 by default, so the expected values are those counts with three decimals.
    assert rows[1:] == [
        ["2016-07-07T17:00:00.000+01:00", "10", "37.000", "47.000", ""],
        ["2016-07-07T18:00:00.000+01:00", "10", "40.000", "50.000", ""],
        ["2016-07-07T19:00:00.000+01:00", "5", "23.000", "28.000", ""],
    ]


def test_csv_with_rate_and_duration(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "forecast", CAMPAIGN, "--now", NOW, "--format", "csv",
              "--answer-rate", "0.3", "--call-duration", "90")[1]
    first = out.splitlines()[1].split(",")
    # 16.9078 → 16.908; + 10 = 26.908; occupancy 26.9078 × 90 / 3600 = 0.672695 → 0.673.
    assert first == ["2016-07-07T17:00:00.000+01:00", "10", "16.908", "26.908", "0.673"]


def test_quarter_hour_buckets(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "forecast", CAMPAIGN, "--now", NOW, "--format", "csv", "--bucket", "15m")[1]
    rows = list(csv.DictReader(io.StringIO(out)))
    # First attempts every 6 min from 17:00: 3, 2, 3, 2 per quarter hour, …, last one 19:24;
    # the last retry at 19:37 makes 19:30 the last bucket (11 rows from 17:00).
    assert [r["first_attempts"] for r in rows] == ["3", "2", "3", "2", "3", "2", "3", "2",
                                                    "3", "2", "0"]
    assert rows[-1]["bucket_start"] == "2016-07-07T19:30:00.000+01:00"
    # [19:30, 19:45): retry k (D = 1, 3, 8, 13 min) lands there when the first attempt is in
    # [19:30 - D, 19:45 - D). k=1 [19:29, 19:44) and k=2 [19:27, 19:42): none (the last first
    # attempt is 19:24); k=3 [19:22, 19:37): 19:24; k=4 [19:17, 19:32): 19:18 and 19:24. So 3.
    assert rows[-1]["expected_retries"] == "3.000"


def test_table_has_bars_scaled_to_the_peak(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "forecast", CAMPAIGN, "--now", NOW)[1]
    lines = out.splitlines()
    bars = [line.count("█") for line in lines if "█" in line]
    # Totals 47, 50, 28; the peak 50 gets 40 characters: 47·40/50 = 37.6 → 38, 28·40/50 =
    # 22.4 → 22.
    assert bars == [38, 40, 22]
    assert lines[0] == ("CAMPAIGN-25: 25 destinations, buckets of 1 h (UTC+01:00), "
                        "answer rate 0")
    assert "last possible attempt 2016-07-07 19:37" in lines[1]


def test_json_carries_key_instants_and_exact_values(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "forecast", CAMPAIGN, "--now", NOW, "--format", "json",
              "--answer-rate", "3/10")[1]
    document = json.loads(out)
    assert document["firstCall"] == "2016-07-07T17:00:00.000+01:00"
    assert document["lastFirstAttempt"] == "2016-07-07T19:24:00.000+01:00"
    assert document["lastAttempt"] == "2016-07-07T19:37:00.000+01:00"
    assert document["answerRate"] == "3/10"
    assert document["plannedRetries"] == [25, 25, 25, 25]
    first = document["buckets"][0]
    # 16.9078 = 169078/10000 = 84539/5000.
    assert first["expectedRetriesExact"] == "84539/5000"
    assert first["plannedRetries"] == [10, 10, 9, 8]
    assert [b["firstAttempts"] for b in document["buckets"]] == [10, 10, 5]


def test_until_limits_the_rows(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "forecast", CAMPAIGN, "--now", NOW, "--format", "csv",
              "--until", "2016-07-07T18:00:00+01:00")[1]
    assert len(out.splitlines()) == 2  # header + the 17:00 bucket


def test_campaign_with_no_attempt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"messages": [{"scenarioId": "S",
                                              "destinations": [{"to": "12"}]}]}))
    code, out, _ = run(capsys, "forecast", str(path), "--now", NOW)
    assert code == 0 and "no attempt happens" in out
    out = run(capsys, "forecast", str(path), "--now", NOW, "--format", "csv")[1]
    assert out.splitlines() == [
        "bucket_start,first_attempts,expected_retries,expected_total,expected_in_progress"]
    assert json.loads(run(capsys, "forecast", str(path), "--now", NOW,
                          "--format", "json")[1])["buckets"] == []


@pytest.mark.parametrize(("option", "value"), [
    ("--bucket", "0m"), ("--bucket", "1w"), ("--bucket", "1.5h"), ("--answer-rate", "1.5"),
    ("--answer-rate", "x"), ("--call-duration", "-3"), ("--until", "tomorrow"),
    ("--format", "xml"),
])
def test_bad_options_exit_2(option: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    err = usage_error(capsys, "forecast", CAMPAIGN, option, value)
    assert option in err and "Traceback" not in err


def test_invalid_request_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"messages": [{"destinations": [{"to": "41793026700"}]}]}))
    code, _, err = run(capsys, "forecast", str(path), "--now", NOW)
    assert code == 3 and "/messages/0/scenarioId" in err
    code, _, err = run(capsys, "plot", str(path), "--now", NOW, "-o", str(tmp_path / "x.png"))
    assert code == 3 and "/messages/0/scenarioId" in err


def test_plot_writes_a_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "campaign.png"
    code = run(capsys, "plot", CAMPAIGN, "--now", NOW, "--bucket", "15m", "--answer-rate", "0.3",
               "-o", str(target))[0]
    data = target.read_bytes()
    assert code == 0 and data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1000, 500)  # 10 in × 100 dpi, 5 in × 100 dpi


def test_plot_refuses_other_extensions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "plot", CAMPAIGN, "--now", NOW, "-o", str(tmp_path / "x.jpg"))
    assert code == 2 and ".png or .svg" in err
    usage_error(capsys, "plot", CAMPAIGN)  # -o is required


def test_plot_without_matplotlib_says_how_to_install(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    for name in [n for n in sys.modules if n == "matplotlib" or n.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    code, _, err = run(capsys, "plot", CAMPAIGN, "--now", NOW, "-o", str(tmp_path / "x.png"))
    assert code == 2
    assert "pip install 'ivrsched[plot]'" in err and "Traceback" not in err


# -- the page's console examples ------------------------------------------------------------

def console_examples() -> list[tuple[list[str], str]]:
    """Every ``$ ivrsched …`` command of docs/forecast.md and the output shown under it."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S):
        command, _, output = block.partition("\n")
        assert command.startswith("$ ivrsched ")
        examples.append((shlex.split(command[len("$ ivrsched "):]), output))
    return examples


def test_the_page_shows_the_commands_output(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT)
    examples = console_examples()
    assert len(examples) == 3
    for argv, shown in examples:
        if argv[0] == "plot":
            # The documented image command: run it into a scratch file, check the committed one.
            output = argv.index("-o") + 1
            committed = ROOT / argv[output]
            argv[output] = str(tmp_path / "forecast.png")
            assert run(capsys, *argv)[0] == 0
            assert committed.read_bytes()[16:24] == (tmp_path / "forecast.png").read_bytes()[16:24]
            continue
        code, out, _ = run(capsys, *argv)
        assert code == 0
        assert out == shown


@pytest.mark.parametrize("option", [
    ["--bucket", "99999999999999999999d"],          # int × timedelta overflowed
    ["--bucket", "9" * 5000 + "h"],                  # more digits than int() converts
    ["--call-duration", "1e30"],                     # timedelta(microseconds=...) overflowed
    ["--answer-rate", "1e-99999999999"],             # Fraction would work for hours
    ["--answer-rate", "1e-4400"],                    # its exact text could not be printed
])
def test_extreme_option_values_are_usage_errors(option: list[str]) -> None:
    import subprocess

    result = subprocess.run([sys.executable, "-m", "ivrsched", "forecast", CAMPAIGN, "--now", NOW,
                             "--format", "json", *option],
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 2, result.stderr[-500:]
    assert option[0] in result.stderr and "Traceback" not in result.stderr


def test_the_largest_bucket_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    # 999999999 days is timedelta's largest whole-day length: one bucket holds all 25 calls.
    code, out, _ = run(capsys, "forecast", CAMPAIGN, "--now", NOW, "--bucket", "999999999d",
                       "--format", "csv")
    assert code == 0
    rows = out.splitlines()[1:]
    assert len(rows) == 1 and rows[0].split(",")[1] == "25"
