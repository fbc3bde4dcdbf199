"""Reading attempt logs (JSONL and CSV) row by row, with line numbers in every error."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched.io.logs import (
    LogError,
    LogRow,
    decode_lines,
    format_for_path,
    parse_log_time,
    read_csv,
    read_jsonl,
    read_log,
    row_from_mapping,
    sniff_format,
)
from ivrsched.rules.instants import format_us, parse_instant

# 2030-01-01T00:00:00Z: 60 years after 1970 with 15 leap days (1972, 1976, …, 2028),
# 21,915 days × 86,400 s.
T0 = 21_915 * 86_400 * 1_000_000
SECOND = 1_000_000


def test_jsonl_rows_carry_their_fields_and_line_numbers() -> None:
    text = (
        '{"messageId": "m1", "attempt": 1, "time": "2030-01-01T01:00:00+01:00"}\n'
        "\n"
        '{"to": "41793026700", "attempt": 2, "time": "2030-01-01T00:01:00.5Z",'
        ' "end": "2030-01-01T00:01:30.5Z", "outcome": "busy"}\n'
    )
    rows = list(read_jsonl(io.StringIO(text)))
    # 01:00+01:00 is 00:00Z; 00:01:00.5Z is T0 + 60.5 s, its end 30 s later.
    assert rows == [
        LogRow(1, 1, T0, message_id="m1"),
        LogRow(3, 2, T0 + 60 * SECOND + SECOND // 2, to="41793026700",
               end_us=T0 + 90 * SECOND + SECOND // 2),
    ]


def test_csv_rows_skip_empty_cells_and_ignore_other_columns() -> None:
    text = ("message,index,to,messageId,attempt,time\n"
            "0,0,41793026700,,1,2030-01-01T00:00:00.000+00:00\n"
            "0,1,,m2,2,2030-01-01T00:00:01.000+00:00\n")
    assert list(read_csv(io.StringIO(text))) == [
        LogRow(2, 1, T0, to="41793026700"),
        LogRow(3, 2, T0 + SECOND, message_id="m2"),
    ]


def test_a_csv_line_number_counts_physical_lines() -> None:
    # The quoted messageId spans two lines, so the next record starts on line 4.
    text = ('messageId,attempt,time\n"a\nb",1,2030-01-01T00:00:00Z\n'
            "c,x,2030-01-01T00:00:00Z\n")
    with pytest.raises(LogError) as info:
        list(read_csv(io.StringIO(text, newline="")))
    assert info.value.line == 4


@pytest.mark.parametrize(("line", "fragment"), [
    ('{"attempt": 1, "time": "2030-01-01T00:00:00Z"', "not valid JSON"),
    ('[1, 2]', "JSON object"),
    ('{"attempt": 1, "time": "2030-01-01T00:00:00Z"}', "names no destination"),
    ('{"to": "4179", "time": "2030-01-01T00:00:00Z"}', "'attempt' is missing"),
    ('{"to": "4179", "attempt": 0, "time": "2030-01-01T00:00:00Z"}', ">= 1"),
    ('{"to": "4179", "attempt": true, "time": "2030-01-01T00:00:00Z"}', "whole number"),
    ('{"to": "4179", "attempt": 1.5, "time": "2030-01-01T00:00:00Z"}', "whole number"),
    ('{"to": "4179", "attempt": 1}', "'time' is missing"),
    ('{"to": "4179", "attempt": 1, "time": "2030-01-01T00:00:00"}', "no UTC offset"),
    ('{"to": "4179", "attempt": 1, "time": "soon"}', "not an ISO 8601"),
    ('{"to": "4179", "attempt": 1, "time": 1893456000}', "date-time string"),
    ('{"messageId": 7, "attempt": 1, "time": "2030-01-01T00:00:00Z"}', "must be a string"),
    ('{"to": "4179", "attempt": 1, "time": "2030-01-01T00:00:01Z",'
     ' "end": "2030-01-01T00:00:00Z"}', "'end' is before 'time'"),
])
def test_a_bad_jsonl_row_names_its_line(line: str, fragment: str) -> None:
    good = '{"to": "4179", "attempt": 1, "time": "2030-01-01T00:00:00Z"}\n'
    with pytest.raises(LogError) as info:
        list(read_jsonl(io.StringIO(good + good + line + "\n"), source="log.jsonl"))
    assert info.value.line == 3
    assert fragment in str(info.value)
    assert str(info.value).startswith("log.jsonl:3: ")  # source:line: reason, as every input file


def test_a_csv_header_must_name_the_needed_columns() -> None:
    with pytest.raises(LogError, match="lacks time, messageId or to") as info:
        list(read_csv(io.StringIO("attempt,when\n1,x\n")))
    assert info.value.line == 1


def test_a_csv_record_with_the_wrong_number_of_fields_names_its_line() -> None:
    text = "to,attempt,time\n4179,1,2030-01-01T00:00:00Z\n4179,2\n"
    with pytest.raises(LogError, match="2 fields, the header has 3") as info:
        list(read_csv(io.StringIO(text)))
    assert info.value.line == 3


def test_an_empty_csv_has_no_rows() -> None:
    assert list(read_csv(io.StringIO(""))) == []


def test_bytes_that_are_not_utf8_are_reported_at_their_line() -> None:
    raw = b'{"to": "4179", "attempt": 1, "time": "2030-01-01T00:00:00Z"}\n\n{"to": "\xff"}\n'
    with pytest.raises(LogError, match="not UTF-8 text \\(byte 9 of the line\\)") as info:
        list(read_jsonl(decode_lines(io.BytesIO(raw))))
    assert info.value.line == 3


def test_a_text_stream_that_fails_to_decode_is_a_log_error() -> None:
    # A text stream decodes ahead in chunks, so the line is only approximate here.
    raw = b'{"to": "4179", "attempt": 1, "time": "2030-01-01T00:00:00Z"}\n\xff\n'
    stream = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")
    with pytest.raises(LogError, match="not UTF-8"):
        list(read_jsonl(stream))


def test_rows_from_mappings_accept_attempt_numbers_as_text() -> None:
    row = row_from_mapping({"to": "4179", "attempt": "3", "time": "2030-01-01T00:00:00Z"}, 9)
    assert (row.line, row.attempt, row.time_us) == (9, 3, T0)


def test_read_log_dispatches_on_the_format() -> None:
    csv_text = "to,attempt,time\n4179,1,2030-01-01T00:00:00Z\n"
    assert [r.line for r in read_log(io.StringIO(csv_text), "csv")] == [2]
    jsonl_text = '{"to": "4179", "attempt": 1, "time": "2030-01-01T00:00:00Z"}\n'
    assert [r.line for r in read_log(io.StringIO(jsonl_text), "jsonl")] == [1]


@pytest.mark.parametrize(("path", "expected"), [
    ("a.csv", "csv"), ("A.CSV", "csv"), ("a.jsonl", "jsonl"), ("a.ndjson", "jsonl"),
    ("a.json", "jsonl"), ("log.txt", None), ("-", None),
])
def test_the_format_follows_the_file_name(path: str, expected: str | None) -> None:
    assert format_for_path(path) == expected


def test_sniffing_tells_json_from_csv() -> None:
    assert sniff_format('  {"to": "1"}') == "jsonl"
    assert sniff_format("to,attempt,time") == "csv"


def test_a_byte_order_mark_before_the_header_is_skipped() -> None:
    # With the BOM kept, the first column would be named "\ufeffmessageId": the rows would
    # silently fall back to `to`, which is ambiguous when the request has a number twice.
    text = "\ufeffmessageId,to,attempt,time\r\nm1,41793026700,1,2030-01-01T00:00:00Z\r\n"
    assert list(read_csv(io.StringIO(text, newline=""))) == [
        LogRow(2, 1, T0, message_id="m1", to="41793026700")]


def test_a_byte_order_mark_before_the_first_json_line_is_skipped() -> None:
    text = '\ufeff{"messageId": "m1", "attempt": 1, "time": "2030-01-01T00:00:00Z"}\n'
    assert sniff_format(text) == "jsonl"
    assert list(read_jsonl(io.StringIO(text))) == [LogRow(1, 1, T0, message_id="m1")]


# Years 2..9998, so that every offset keeps the local rendering inside years 1..9999.
@given(st.integers(-62_104_060_800 * SECOND, 253_370_764_799 * SECOND),
       st.sampled_from([0, 60, -300, 330, 840, -720]))
def test_the_fast_time_parser_agrees_with_the_general_one(us: int, offset: int) -> None:
    # Every instant S1 renders (3 or 6 fractional digits, any offset) reads back the same by
    # both parsers; the general one is the independent reference.
    text = format_us(us, offset)
    assert parse_log_time(text) == parse_instant(text)[0] == us


@pytest.mark.parametrize("text", ["2030-01-01T00:00:00+0100", "2030-01-01 00:00:00Z",
                                  "2030-01-01T00:00Z", "2030-01-01T00:00:00.1234567+00:00"])
def test_other_iso_spellings_go_through_the_general_parser(text: str) -> None:
    assert parse_log_time(text) == parse_instant(text)[0]


def test_a_plan_csv_row_without_an_attempt_is_passed_over() -> None:
    text = ("message,index,to,messageId,status,attempt,time\n"
            "0,0,41793026700,m1,PENDING_ACCEPTED,1,2030-01-01T00:00:00.000+00:00\n"
            "0,1,abc,m2,REJECTED_INVALID_DESTINATION,,\n")
    assert list(read_csv(io.StringIO(text))) == [LogRow(2, 1, T0, message_id="m1",
                                                        to="41793026700")]
    # Only both empty means "no attempt": a row with a time but no attempt number is an error.
    with pytest.raises(LogError, match="'attempt' is missing"):
        list(read_csv(io.StringIO("messageId,attempt,time\nm1,,2030-01-01T00:00:00Z\n")))
