"""The plan table for people: one precision per column, days as +Nd, fitted to a terminal,
the header repeated on long output."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from typing import Any

from ivrsched import SeededIds, plan
from ivrsched.io.terminal_table import HEADER_EVERY, write_table

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)


def _table(request: dict[str, Any], **options: Any) -> list[str]:
    out = io.StringIO()
    write_table(plan(request, now=NOW, ids=SeededIds(1)), out, **options)
    return out.getvalue().splitlines()


def _rows(lines: list[str]) -> list[str]:
    return [line for line in lines if line.strip().split(" ")[0].isdigit()]


def test_each_attempt_column_has_one_precision_and_the_columns_line_up() -> None:
    # 7 a minute from 16:59 (Monday), window Monday–Tuesday 09:00–17:00: first attempts at
    # 16:59:00, 16:59:08.571428 and 16:59:17.142857 (60/7 s apart), so the first column needs
    # microseconds for all; the retries move to Tuesday 09:00 and 09:02 (whole minutes).
    request = {"messages": [{
        "scenarioId": "S", "sendAt": "2030-01-07T16:59:00Z",
        "destinations": [{"to": "41793026700"}, {"to": "41793026701"}, {"to": "bad"},
                         {"to": "41793026703"}],
        "sendingSpeed": {"speed": 7, "timeUnit": "minute"},
        "retry": {"minPeriod": 1, "maxPeriod": 60, "maxCount": 2},
        "deliveryTimeWindow": {"days": ["MONDAY", "TUESDAY"], "from": {"hour": 9, "minute": 0},
                               "to": {"hour": 17, "minute": 0}}}]}
    rows = _rows(_table(request))
    assert [row.split("  ")[-3:] for row in rows if "REJECTED" not in row] == [
        ["16:59:00.000000", "+1d 09:00", "+1d 09:02"],
        ["16:59:08.571428", "+1d 09:00", "+1d 09:02"],
        ["16:59:17.142857", "+1d 09:00", "+1d 09:02"]]
    assert rows[2].endswith("REJECTED_INVALID_DESTINATION")
    accepted = [row for row in rows if "REJECTED" not in row]
    assert len({len(row) for row in accepted}) == 1  # every cell padded to its column


def test_whole_seconds_and_milliseconds_get_their_own_precision() -> None:
    # 4 a second: 0, 250, 500, 750 ms; 1 a minute: whole minutes.
    fast = {"messages": [{"scenarioId": "S", "sendAt": "2030-01-07T09:00:00Z",
                          "destinations": [{"to": f"4179302670{i}"} for i in range(4)],
                          "sendingSpeed": {"speed": 4, "timeUnit": "second"}}]}
    assert [r.split("  ")[-1] for r in _rows(_table(fast))] == [
        "09:00:00.000", "09:00:00.250", "09:00:00.500", "09:00:00.750"]
    slow = {"messages": [{"scenarioId": "S", "sendAt": "2030-01-07T09:00:30Z",
                          "destinations": [{"to": f"4179302670{i}"} for i in range(2)],
                          "sendingSpeed": {"speed": 1, "timeUnit": "minute"}}]}
    assert [r.split("  ")[-1] for r in _rows(_table(slow))] == ["09:00:30", "09:01:30"]


def test_a_narrow_terminal_shortens_the_message_ids() -> None:
    request = {"messages": [{"scenarioId": "S", "destinations": [{"to": "41793026700"}],
                             "retry": {"minPeriod": 1, "maxPeriod": 5, "maxCount": 4}}]}
    wide = _rows(_table(request))[0]
    narrow = _rows(_table(request, width=80))[0]
    assert len(wide) > 80 and len(narrow) <= 80
    message_id = plan(request, now=NOW, ids=SeededIds(1)).messages[0][0].message_id
    assert message_id in wide and f"{message_id[:8]}…" in narrow
    assert narrow.endswith("00:00  00:01  00:03  00:08  00:13")  # gaps 1, 2, 5, 5 (S5)


def test_all_rows_repeat_the_header() -> None:
    count = 2 * HEADER_EVERY + 5
    request = {"messages": [{"scenarioId": "S",
                             "destinations": [{"to": f"417930{i:05d}"} for i in range(count)]}]}
    lines = _table(request, show_all=True)
    headers = [n for n, line in enumerate(lines) if line.lstrip().startswith("index")]
    assert len(headers) == 3 and len(_rows(lines)) == count
    assert headers[1] - headers[0] == HEADER_EVERY + 1


def test_forecast_labels_keep_their_seconds_when_buckets_are_not_whole_minutes(
        capsys: Any) -> None:
    from pathlib import Path

    from ivrsched.cli.main import main

    campaign = str(Path(__file__).resolve().parent.parent / "examples" / "campaign-25.json")
    assert main(["forecast", campaign, "--now", "2016-07-07T12:00:00Z", "--bucket", "30s",
                 "--until", "2016-07-07T16:02:00Z"]) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = lines[lines.index(next(line for line in lines if line.startswith("bucket"))) + 1:]
    assert [row[:19] for row in rows] == ["2016-07-07 17:00:00", "2016-07-07 17:00:30",
                                          "2016-07-07 17:01:00", "2016-07-07 17:01:30"]
    assert len({row.index("  ", 20) for row in rows}) == 1  # the columns start alike
