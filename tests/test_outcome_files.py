"""Outcome files (SPEC S10): JSONL and CSV rows, exact durations, faults named by line."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ivrsched import SeededIds, plan, simulate
from ivrsched.io.outcome_files import (
    OutcomeFileError,
    load_outcomes,
    load_outcomes_csv,
    load_outcomes_jsonl,
)
from ivrsched.rules.instants import US_PER_SECOND
from ivrsched.simulation.outcomes import AttemptOutcome, Outcome, Random

S = US_PER_SECOND
NOW = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)


# -- files ----------------------------------------------------------------------------------

def test_jsonl_rows_are_exact_to_the_microsecond() -> None:
    text = "\n".join([
        '{"messageId": "m1", "attempt": 1, "outcome": "no-answer", "duration": 45}',
        '{"messageId": "m1", "attempt": 2, "outcome": "answered", "duration": 60.000001,'
        ' "answerAfter": 0.5}',
        "",
        '{"to": "41793026700", "outcome": "busy", "duration": "0.1"}',
        # A simulation log row: duration = end − time = 1.25 s.
        '{"messageId": "m2", "attempt": 1, "time": "2030-01-07T10:00:00.000+01:00",'
        ' "end": "2030-01-07T09:00:01.250Z", "outcome": "failed"}',
    ])
    table = load_outcomes_jsonl(io.StringIO(text))
    assert table.by_message_id[("m1", 1)] == AttemptOutcome(Outcome.NO_ANSWER, 45 * S)
    assert table.by_message_id[("m1", 2)] == AttemptOutcome(Outcome.ANSWERED, 60_000_001,
                                                            500_000)
    assert table.by_to[("41793026700", None)] == AttemptOutcome(Outcome.BUSY, 100_000)
    assert table.by_message_id[("m2", 1)] == AttemptOutcome(Outcome.FAILED, 1_250_000)


@pytest.mark.parametrize(("line", "message"), [
    ("not json", "not JSON"),
    ("[1]", "JSON object"),
    ('{"outcome": "busy"}', "give 'messageId' or 'to'"),
    ('{"to": "", "messageId": null, "outcome": "busy"}', "give 'messageId' or 'to'"),
    ('{"to": "1", "outcome": "hung-up"}', "outcome must be one of"),
    ('{"to": "1", "outcome": "busy", "attempt": 0}', "attempt must be an integer >= 1"),
    ('{"to": "1", "outcome": "busy", "duration": -1}', ">= 0"),
    ('{"to": "1", "outcome": "busy", "duration": 0.0000001}', "six decimal places"),
    ('{"to": "1", "outcome": "busy", "duration": true}', "number of seconds"),
    ('{"to": "1", "outcome": "busy", "answerAfter": 1}', "only for an answered call"),
    ('{"to": "1", "outcome": "answered", "duration": 1, "answerAfter": 2}', "longer"),
    ('{"to": "1", "outcome": "busy", "time": "2030-01-07T09:00:00Z"}', "both 'time' and"),
    ('{"to": 5, "outcome": "busy"}', "must be a string"),
])
def test_bad_jsonl_lines_are_named(line: str, message: str) -> None:
    good = '{"to": "2", "outcome": "busy"}\n'
    with pytest.raises(OutcomeFileError, match=message) as info:
        load_outcomes_jsonl(io.StringIO(good + "\n" + line + "\n"), "o.jsonl")
    # The bad line is the third physical line (a blank line sits between).
    assert info.value.line == 3 and str(info.value).startswith("o.jsonl:3: ")


def test_a_row_with_both_keys_is_keyed_by_message_id() -> None:
    table = load_outcomes_jsonl(['{"to": "41793026700", "messageId": "m", "outcome": "busy"}'])
    assert list(table.by_message_id) == [("m", None)] and not table.by_to


def test_a_repeated_key_is_an_error_naming_both_lines() -> None:
    text = '{"to": "1", "outcome": "busy"}\n{"to": "1", "outcome": "failed"}\n'
    with pytest.raises(OutcomeFileError, match="already given on line 1") as info:
        load_outcomes_jsonl(io.StringIO(text))
    assert info.value.line == 2


def test_csv_rows_with_a_header() -> None:
    text = ("messageId,to,attempt,outcome,duration,answerAfter\n"
            "m1,,1,no-answer,45,\n"
            ",41793026700,,answered,90.5,10\n")
    table = load_outcomes_csv(io.StringIO(text))
    assert table.by_message_id[("m1", 1)] == AttemptOutcome(Outcome.NO_ANSWER, 45 * S)
    assert table.by_to[("41793026700", None)] == AttemptOutcome(Outcome.ANSWERED, 90_500_000,
                                                                 10 * S)


@pytest.mark.parametrize(("text", "line", "message"), [
    ("to,duration\n1,2\n", 1, "header must name 'outcome'"),
    ("to,outcome\n1,busy,extra\n", 2, "3 fields, the header has 2"),
    ("to,outcome,attempt\n1,busy,x\n", 2, "attempt must be"),
])
def test_bad_csv_is_named(text: str, line: int, message: str) -> None:
    with pytest.raises(OutcomeFileError, match=message) as info:
        load_outcomes_csv(io.StringIO(text), "o.csv")
    assert info.value.line == line


def test_load_outcomes_picks_the_format_by_name_and_names_undecodable_lines(
        tmp_path: Path) -> None:
    csv_file = tmp_path / "o.csv"
    csv_file.write_text("to,outcome\n41793026700,busy\n", encoding="utf-8")
    assert load_outcomes(str(csv_file)).by_to[("41793026700", None)].kind is Outcome.BUSY
    bad = tmp_path / "o.jsonl"
    bad.write_bytes(b'{"to": "1", "outcome": "busy"}\n{"to": "\xff"}\n')
    with pytest.raises(OutcomeFileError, match=r"o\.jsonl:2: not UTF-8"):
        load_outcomes(str(bad))


def test_a_byte_order_mark_before_the_first_row_is_skipped(tmp_path: Path) -> None:
    # Spreadsheets save "CSV UTF-8" with a BOM; it must not stick to the first column name
    # (the header would then lack messageId) nor to the first JSON object.
    csv_file = tmp_path / "o.csv"
    csv_file.write_bytes(b"\xef\xbb\xbfmessageId,outcome\nm1,busy\n")
    assert load_outcomes(str(csv_file)).by_message_id[("m1", None)].kind is Outcome.BUSY
    jsonl_file = tmp_path / "o.jsonl"
    jsonl_file.write_bytes(b'\xef\xbb\xbf{"messageId": "m1", "outcome": "failed"}\n')
    assert load_outcomes(str(jsonl_file)).by_message_id[("m1", None)].kind is Outcome.FAILED


def test_a_simulation_log_replays_as_an_outcome_table() -> None:
    # The log's rows (messageId, attempt, time, end, outcome) are outcome rows: simulating
    # again with them gives the same log.
    data = {"messages": [{"scenarioId": "S", "retry": {"minPeriod": 1, "maxPeriod": 2,
                                                       "maxCount": 2},
                          "destinations": [{"to": f"4179302670{i}"} for i in range(8)]}]}
    the_plan = plan(data, now=NOW, ids=SeededIds(5))
    log = [e.record() for e in simulate(the_plan, Random(seed=11)).events()]
    table = load_outcomes_jsonl(json.dumps(row) for row in log)
    assert [e.record() for e in simulate(the_plan, table).events()] == log
