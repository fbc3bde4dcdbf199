"""The columnar log reader (ivrsched.io.log_columns) against the row reader: the same times, the
same reports, the same errors, whichever path a log file takes."""

from __future__ import annotations

import json
import sys
from array import array
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ivrsched import SeededIds
from ivrsched.io.logs import LogError, decode_lines, parse_log_time, read_log
from ivrsched.oracle import conformance
from ivrsched.oracle.conformance import ColumnarLog, VerificationReport, verify_report
from ivrsched.rules.instants import InstantSyntaxError

pa = pytest.importorskip("pyarrow")
np = pytest.importorskip("numpy")

from ivrsched.io import log_columns  # noqa: E402
from ivrsched.io.log_columns import fixed_times, parse_times, read_jsonl_columns  # noqa: E402

NOW = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)
NUMBERS = [f"4179302{6700 + i:04d}" for i in range(5)]
REQUEST: dict[str, Any] = {"messages": [
    {"scenarioId": "A", "retry": {"minPeriod": 1, "maxPeriod": 10, "maxCount": 2},
     "sendingSpeed": {"speed": 2, "timeUnit": "minute"},
     "destinations": [{"to": NUMBERS[0], "messageId": "a"}, {"to": NUMBERS[1], "messageId": "b"},
                      {"to": NUMBERS[2]}, {"to": NUMBERS[3]}, {"to": NUMBERS[3]},
                      {"to": "12", "messageId": "r"}]},
    {"scenarioId": "B", "validityPeriod": 60,
     "destinations": [{"to": NUMBERS[4], "messageId": "c"}, {"to": NUMBERS[0], "messageId": "d"}]},
]}


# -- times -------------------------------------------------------------------------------------

def _scalar(text: str) -> int | None:
    try:
        return parse_log_time(text)
    except InstantSyntaxError:
        return None


def _two(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: f"{n:02d}")


#: Strings of about the common shape, with every field a little out of range now and then.
shapes = st.builds(
    lambda year, month, day, hour, minute, second, sep, fraction, zone: (
        f"{year:04d}-{month}-{day}{sep}{hour}:{minute}:{second}{fraction}{zone}"),
    st.sampled_from([0, 1, 2, 4, 1600, 1900, 1970, 2000, 2024, 2030, 2100, 9999])
    | st.integers(0, 9999),
    _two(0, 13), _two(0, 32), _two(0, 24), _two(0, 60), _two(0, 60),
    st.sampled_from(["T", "T", "T", "t", " "]),
    st.sampled_from(["", ""]) | st.text("0123456789", min_size=0, max_size=8).map(
        lambda d: "." + d),
    st.sampled_from(["Z", "Z", "z", "+00:00", "-00:00", "+24:00", "+01:60", "+0100", ""])
    | st.builds(lambda s, h, m: f"{s}{h}:{m}", st.sampled_from("+-"), _two(0, 23), _two(0, 59)),
)


def _fixed(texts: list[str], before: int = 0) -> tuple[Any, Any]:
    """:func:`fixed_times` of ``texts`` laid out in one buffer (``before`` bytes first, the
    last text at the buffer's very end), as a log line has them."""
    raw = [text.encode("utf-8") for text in texts]
    starts, at = [], before
    for text in raw:
        starts.append(at)
        at += len(text) + 4
    buffer = np.frombuffer(b"x" * before + b'", "'.join(raw), dtype=np.uint8)
    return fixed_times(buffer, np.array(starts, dtype=np.int64),
                       np.array([len(text) for text in raw], dtype=np.int64))


PARSERS = {"arrow": lambda texts: parse_times(pa.array(texts, type=pa.string())),
           "fixed": _fixed, "fixed-late": lambda texts: _fixed(texts, 40)}


@pytest.mark.parametrize("parser", PARSERS)
@given(texts=st.lists(shapes, min_size=1, max_size=20))
def test_the_vector_time_parser_agrees_with_the_scalar_one(parser: str, texts: list[str]
                                                           ) -> None:
    us, taken = PARSERS[parser](texts)
    for text, value, took in zip(texts, us.tolist(), taken.tolist(), strict=True):
        if took:
            assert _scalar(text) == value, text


@pytest.mark.parametrize("parser", PARSERS)
@given(moment=st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30)),
       offset=st.integers(-23 * 60 - 59, 23 * 60 + 59), digits=st.integers(0, 6))
def test_the_vector_time_parser_takes_every_common_time(parser: str, moment: datetime,
                                                        offset: int, digits: int) -> None:
    zone = timezone(timedelta(minutes=offset))
    local = moment.replace(tzinfo=zone)
    text = f"{local.year:04d}-{local.month:02d}-{local.day:02d}T{local.hour:02d}:" \
        f"{local.minute:02d}:{local.second:02d}"
    if digits:
        text += "." + f"{local.microsecond:06d}"[:digits]
    hours, minutes = divmod(abs(offset), 60)
    text += "Z" if offset == 0 and digits % 2 else f"{'-' if offset < 0 else '+'}" \
        f"{hours:02d}:{minutes:02d}"
    # The expected value, from the datetime itself (not from the parsers).
    truncated = local.replace(microsecond=int(
        f"{local.microsecond:06d}"[:digits].ljust(6, "0")))
    expected = (truncated - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(
        microseconds=1)
    us, taken = PARSERS[parser]([text, "2030-01-07T09:00:00"])  # the second takes no zone
    if -62_135_596_800_000_000 <= expected <= 253_402_300_799_999_999:
        assert taken.tolist() == [True, False] and int(us[0]) == expected, text
    else:
        assert not taken[0]


@pytest.mark.parametrize("parser", PARSERS)
def test_years_1_and_9999_and_their_edges(parser: str) -> None:
    texts = ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z",
             "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00",
             "0001-01-01T01:00:00+01:00", "2024-02-29T12:00:00.5+05:30", "2023-02-29T12:00:00Z",
             "2030-01-07T09:00:00.000001-00:00", "2030-01-07T09:00:00,01:00"]
    us, taken = PARSERS[parser](texts)
    assert taken.tolist() == [True, True, False, False, True, True, False, True, False]
    assert us.tolist()[:2] == [-62_135_596_800_000_000, 253_402_300_799_999_999]
    assert int(us[4]) == -62_135_596_800_000_000
    assert int(us[5]) == 1_709_188_200_500_000  # 06:30Z, independently: 19782 days + 6.5 h


@pytest.mark.parametrize("parser", PARSERS)
def test_february_29_by_the_gregorian_leap_rule(parser: str) -> None:
    # Leap: divisible by 4, except centuries not divisible by 400.
    years = [4, 100, 400, 1900, 2000, 2023, 2024, 2100, 2400, 9996]
    us, taken = PARSERS[parser]([f"{year:04d}-02-29T00:00:00Z" for year in years])
    assert taken.tolist() == [True, False, True, False, True, False, True, False, True, True]
    for year, value, took in zip(years, us.tolist(), taken.tolist(), strict=True):
        if took:  # the day after February 28, counted by the standard library
            expected = datetime(year, 2, 28, tzinfo=timezone.utc) + timedelta(days=1)
            assert value == (expected - datetime(1970, 1, 1, tzinfo=timezone.utc)
                             ) // timedelta(microseconds=1)


# -- whole logs: the columnar path against the row path ----------------------------------------

def _row_report(path: Path, **options: Any) -> VerificationReport | str:
    try:
        with path.open(encoding="utf-8") as lines:
            return verify_report(REQUEST, read_log(lines), now=NOW, **options)
    except LogError as exc:
        return f"LogError: {exc}"


def _column_report(path: Path, **options: Any) -> VerificationReport | str:
    try:
        with path.open(encoding="utf-8") as lines:
            log = ColumnarLog(path, "<log>", read_log(lines))
            return verify_report(REQUEST, log, now=NOW, **options)
    except LogError as exc:
        return f"LogError: {exc}"


def _time(minutes: int, offset: int = 0, digits: int = 0) -> str:
    moment = NOW + timedelta(minutes=minutes, microseconds=123456)
    local = moment.astimezone(timezone(timedelta(minutes=offset)))
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        text += "." + f"{local.microsecond:06d}"[:digits]
    return text + ("Z" if offset == 0 else local.strftime("%z")[:3] + ":" +
                   local.strftime("%z")[3:])


def _line(fields: dict[str, Any]) -> str:
    return json.dumps(fields)


#: How the columns read a file: as they choose, only by pyarrow, or by the canonical lines
#: whatever their share (unless the canonical reader declines the file as a whole).
READERS = ("chosen", "arrow", "canonical")


def _reader(monkeypatch: pytest.MonkeyPatch, reader: str) -> None:
    if reader == "arrow":
        monkeypatch.setattr(log_columns, "canonical_columns", lambda *args: None)
    elif reader == "canonical":
        monkeypatch.setattr(log_columns, "MOST_ODD", 1.0)


ODD_LINES = [
    f'{{"to": "{NUMBERS[2]}", "attempt": 1, "time": "{_time(1)}"}}',
    f'{{"to": "{NUMBERS[3]}", "attempt": 1, "time": "{_time(1)}"}}',
    f'{{"messageId": "a", "to": "{NUMBERS[1]}", "attempt": 2, "time": "{_time(30)}"}}',
    f'{{"messageId": "zz", "attempt": 1, "time": "{_time(2)}"}}',
    f'{{"messageId": "zz", "attempt": 2, "time": "{_time(20)}"}}',
    f'{{"messageId": "", "to": "{NUMBERS[2]}", "attempt": 1, "time": "{_time(3)}"}}',
    f'{{"messageId": "r", "attempt": 1, "time": "{_time(4)}"}}',
    '{"messageId": "c", "attempt": 1, "time": "2030-01-07 09:10:00Z"}',
    '{"messageId": "c", "attempt": 1, "time": "2030-01-07T09:10Z"}',
    f'{{"messageId": "d", "attempt": 1, "time": "{_time(5)}", "end": ""}}',
    f'{{"messageId": "d", "attempt": 999999999999999999, "time": "{_time(5)}"}}',
    f'{{"messageId": "d", "attempt": 1000000000000000000, "time": "{_time(5)}"}}',
    '{"messageId": "d", "attempt": 1, "time": "0001-01-01T00:00:00Z"}',
    '{"messageId": "d", "attempt": 1, "time": "9999-12-31T23:59:59.999999Z"}',
]
FAULTY_LINES = [
    f'{{"messageId": "a", "attempt": 0, "time": "{_time(1)}"}}',
    '{"messageId": "a", "attempt": 1}',
    f'{{"messageId": "a", "time": "{_time(1)}"}}',
    f'{{"attempt": 1, "time": "{_time(1)}"}}',
    f'{{"messageId": "a", "attempt": 1, "time": "{_time(5)}", "end": "{_time(4)}"}}',
    '{"messageId": "a", "attempt": 1, "time": "2030-02-30T09:00:00Z"}',
    '{"messageId": "a", "attempt": 1, "time": "0001-01-01T00:00:00+01:00"}',
    '{"messageId": "a", "attempt": 1, "time": "yesterday"}',
    f'{{"messageId": 5, "attempt": 1, "time": "{_time(1)}"}}',
    f'{{"messageId": "a", "attempt": "2", "time": "{_time(1)}"}}',
    f'{{"messageId": "a", "attempt": 1.0, "time": "{_time(1)}"}}',
    f'{{"messageId": "a", "attempt": true, "time": "{_time(1)}"}}',
    '{"messageId": "a", "attempt": 1, "time": 5}',
    f'{{"messageId": "a", "attempt": 1, "time": "{_time(1)}"',
    '["messageId"]',
    f'{{"messageId": "a", "attempt": 1, "attempt": 2, "time": "{_time(1)}"}}',
    f'{{"messageId": "a\\u0062", "attempt": 1, "time": "{_time(1)}"}}',
    f'{{"messageId": "a", "attempt": 1, "time": "{_time(1)}", "x": {{"y": 1}}}}',
    f'{{"messageId": "a", "attempt": 99999999999999999999, "time": "{_time(1)}"}}',
    f'{{"messageId": "a", "attempt": 01, "time": "{_time(1)}"}}',
    f'{{"messageId": "a", "attempt": -1, "time": "{_time(1)}"}}',
    f'{{"messageId": "a", "attempt": 1e0, "time": "{_time(1)}"}}',
    f'{{"messageId": "a", "attempt": 1, "time": "{_time(1)}"}}}}',
    f'{{"messageId": "a\tb", "attempt": 1, "time": "{_time(1)}"}}',
    f'{{"messageId": "a, "attempt": 1, "time": "{_time(1)}"}}',
    f'{{"messageId": "a", "attempt": 1, "time": "{_time(1)}}}',  # a string to the line's end
    f'{{"messageId": "a", "attempt": 1, "time": "{_time(1)}"}} {{"messageId": "b"}}',
    '   ',
    f'\t{{"messageId": "a", "attempt": 1, "time": "{_time(1)}"}}',
]


def _common(draw: st.DrawFn) -> str:
    who = draw(st.sampled_from(["a", "b", "c", "d", "r"]))
    fields: dict[str, Any] = {"messageId": who, "attempt": draw(st.integers(1, 4)),
                              "time": _time(draw(st.integers(-30, 90)),
                                            draw(st.sampled_from([0, 0, 60, -90, 330])),
                                            draw(st.integers(0, 6)))}
    if draw(st.booleans()):
        fields["end"] = _time(draw(st.integers(-30, 95)), 0, draw(st.integers(0, 6)))
    if draw(st.booleans()):
        fields["other"] = draw(st.sampled_from([1, "x", None, True]))
    return _line(fields)


@st.composite
def log_files(draw: st.DrawFn) -> bytes:
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 14))):
        kind = draw(st.sampled_from(["common"] * 6 + ["odd", "odd", "blank", "faulty"]))
        if kind == "common":
            lines.append(_common(draw))
        elif kind == "odd":
            lines.append(draw(st.sampled_from(ODD_LINES)))
        elif kind == "blank":
            lines.append("")
        else:
            lines.append(draw(st.sampled_from(FAULTY_LINES)))
    end = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    text = end.join(lines) + draw(st.sampled_from([end, ""]))
    raw = text.encode("utf-8")
    return (b"\xef\xbb\xbf" if draw(st.integers(0, 4)) == 0 else b"") + raw


@pytest.mark.parametrize("reader", READERS)
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=log_files(), seeded=st.booleans())
def test_a_log_file_gives_the_same_report_or_error_either_way(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str, raw: bytes,
        seeded: bool) -> None:
    _reader(monkeypatch, reader)
    path = tmp_path / "log.jsonl"
    path.write_bytes(raw)
    options: dict[str, Any] = {"ids": SeededIds(3)} if seeded else {}
    assert _column_report(path, **options) == _row_report(path, **options)


#: What a line may gain or have replaced: each byte the canonical reader tells apart.
_NOISE = [" ", '"', "\\", "\t", "\r", "\x00", "0", "1", "9", "{", "}", ",", ":", ".", "+", "-",
          "Z", "T", "e", "x", "\u00e9", "\u2028", "\\u0061", "\\n", '\\"']


@st.composite
def near_canonical_lines(draw: st.DrawFn) -> str:
    """A canonical line (json.dumps of messageId, attempt, time and maybe end), a few of its
    characters inserted, deleted or replaced now and then."""
    fields: dict[str, Any] = {
        "messageId": draw(st.sampled_from(["a", "b", "c", "d", "r", "zz", "a\u00e9", "\u00e9",
                                           'a"b', "a\\b", "a\tb", "a\u2028"])),
        "attempt": draw(st.sampled_from([1, 2, 3, 10, 12, 0, 2**63, 10**18, 10**17 + 1])),
        "time": _time(draw(st.integers(-30, 90)), draw(st.sampled_from([0, 60, -90])),
                      draw(st.integers(0, 6)))}
    if draw(st.booleans()):
        fields["end"] = _time(draw(st.integers(-30, 95)), 0, draw(st.integers(0, 6)))
    line = json.dumps(fields, ensure_ascii=draw(st.booleans()))
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3]))):
        at = draw(st.integers(0, len(line)))
        change = draw(st.sampled_from(["insert", "delete", "replace"]))
        noise = draw(st.sampled_from(_NOISE))
        if change == "insert":
            line = line[:at] + noise + line[at:]
        elif change == "delete":
            line = line[:at] + line[at + 1:]
        else:
            line = line[:at] + noise + line[at + 1:]
    return line


@pytest.mark.parametrize("reader", ["chosen", "canonical"])
@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(near_canonical_lines(), min_size=1, max_size=8),
       end=st.sampled_from(["\n", "\n", "\r\n"]))
def test_near_canonical_lines_are_read_as_the_row_reader_reads_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str, lines: list[str],
        end: str) -> None:
    _reader(monkeypatch, reader)
    path = tmp_path / "log.jsonl"
    path.write_bytes((end.join(lines) + end).encode("utf-8"))
    assert _column_report(path) == _row_report(path)
    # A path is read by its binary lines (split at "\n" only), in columns or by rows.
    try:
        with path.open("rb") as raw:
            by_rows: object = verify_report(REQUEST, read_log(decode_lines(raw, str(path)), "jsonl",
                                                              str(path)), now=NOW)
    except LogError as exc:
        by_rows = f"LogError: {exc}"
    try:
        by_path: object = verify_report(REQUEST, path, now=NOW)
    except LogError as exc:
        by_path = f"LogError: {exc}"
    assert by_path == by_rows


def test_the_canonical_lines_are_read_in_columns_and_the_others_by_rows(
        monkeypatch: pytest.MonkeyPatch) -> None:
    canonical = [_line({"messageId": "a", "attempt": 1, "time": _time(0)}),
                 _line({"messageId": "b", "attempt": 12, "time": _time(1, 60, 3),
                        "end": _time(2, 0, 6)}),
                 json.dumps({"messageId": "a\u00e9\u2028", "attempt": 2, "time": _time(3)},
                            ensure_ascii=False),
                 # The most digits, and the longest time (32 characters).
                 _line({"messageId": "c", "attempt": 10**18 - 1, "time": _time(4, 60, 6)})]
    others = [_line({"messageId": "a", "time": _time(0), "attempt": 1}),  # another order
              _line({"messageId": "a\u00e9", "attempt": 1, "time": _time(0)}),  # an escape
              _line({"messageId": "a", "attempt": 1, "time": _time(0), "x": 1}),  # more
              '{"messageId":"a","attempt":1,"time":"' + _time(0) + '"}',  # other spacing
              _line({"messageId": "a", "attempt": 1, "time": _time(0)}) + " ",
              _line({"messageId": "a", "attempt": 1, "time": "2030-01-07 09:00:00Z"}),
              _line({"to": NUMBERS[2], "attempt": 1, "time": _time(0)}), "  "]
    text = "\n".join([canonical[0], *others, *canonical[1:]]) + "\n"
    raw = text.encode("utf-8") * 3
    monkeypatch.setattr(log_columns, "MOST_ODD", 1.0)
    # No messageId has a quote: the lines are read back from their ends, not by the quotes.
    monkeypatch.setattr(log_columns, "_by_quotes", None)
    assert len(_time(4, 60, 6)) == 32
    found = log_columns.canonical_columns(raw, np.frombuffer(raw, dtype=np.uint8))
    assert found is not None
    n = 1 + len(others) + 3
    # Independently: line numbers by position in the text.
    assert found.line.tolist() == [start + k for start in (1, n + 1, 2 * n + 1)
                                   for k in (0, n - 3, n - 2, n - 1)]
    assert found.message_id.to_pylist() == ["a", "b", "a\u00e9\u2028", "c"] * 3
    assert found.attempt.tolist() == [1, 12, 2, 10**18 - 1] * 3
    assert found.time.tolist() == [parse_log_time(_time(0)), parse_log_time(_time(1, 60, 3)),
                                   parse_log_time(_time(3)), parse_log_time(_time(4, 60, 6))] * 3
    assert found.end.tolist() == [log_columns.NO_END, parse_log_time(_time(2, 0, 6)),
                                  log_columns.NO_END, log_columns.NO_END] * 3
    # The others by the row reader, but the blank one; one of them is read in the columns
    # by pyarrow, all of them by the row reader.
    assert [row.line for row in found.rows] == [start + k for start in (1, n + 1, 2 * n + 1)
                                                for k in range(1, len(others))]
    assert len(found) == 3 * (n - 1)
    # The quotes add up, with the other lines' own.
    more = raw + _line({"messageId": 'a"b', "attempt": 1, "time": _time(0)}).encode() + b"\n"
    monkeypatch.setattr(log_columns, "_by_quotes", lambda lines: None)
    found = log_columns.canonical_columns(more, np.frombuffer(more, dtype=np.uint8))
    assert found is not None and found.rows[-1].message_id == 'a"b'
    # Past MOST_ODD of the lines, the canonical reader leaves the file to pyarrow.
    monkeypatch.undo()

    def read(lines: list[str]) -> object:
        data = ("\n".join(lines) + "\n").encode("utf-8")
        return log_columns.canonical_columns(data, np.frombuffer(data, dtype=np.uint8))

    assert read([canonical[0]] * 15 + others[:1]) is not None
    assert read([canonical[0]] * 14 + others[:1]) is None
    assert read(raw.decode("utf-8").splitlines()) is None


def test_odd_rows_are_read_row_by_row_and_the_rest_in_columns(tmp_path: Path) -> None:
    common = [_line({"messageId": "a", "attempt": 1, "time": _time(0)}),
              _line({"messageId": "a", "attempt": 2, "time": _time(1, 60, 3)}),
              _line({"messageId": "b", "attempt": 1, "time": _time(0), "end": _time(1)})]
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join([*common[:2], "", *ODD_LINES, common[2]]) + "\n",
                    encoding="utf-8")
    columns = read_jsonl_columns(path)
    assert columns is not None
    # Rows by ``to``, with an empty messageId or end, or another time shape are read row by
    # row; the rest (unknown messageIds and years 1 and 9999 too) in columns. The blank line 3
    # counts as a line.
    by_rows = [0, 1, 2, 5, 7, 8, 9]
    assert [row.line for row in columns.rows] == [4 + i for i in by_rows]
    assert columns.line.tolist() == [1, 2] + [4 + i for i in range(len(ODD_LINES))
                                              if i not in by_rows] + [4 + len(ODD_LINES)]
    assert _column_report(path) == _row_report(path)
    report = _column_report(path)
    assert isinstance(report, VerificationReport) and report.rows == 3 + len(ODD_LINES)
    rules = {v.rule for v in report.violations}
    assert {"unknown-destination", "ambiguous-destination", "rejected-destination",
            "S4-deadline"} <= rules


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("faulty", FAULTY_LINES)
def test_a_faulty_row_is_the_row_readers_error_at_its_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, faulty: str, reader: str) -> None:
    _reader(monkeypatch, reader)
    good = _line({"messageId": "a", "attempt": 1, "time": _time(0)})
    path = tmp_path / "log.jsonl"
    path.write_text(f"{good}\n\n{faulty}\n{good}\n", encoding="utf-8")
    row = _row_report(path)
    assert _column_report(path) == row
    if isinstance(row, str):
        assert row.startswith("LogError: <log>:3: ")


def test_crlf_a_byte_order_mark_and_bad_utf8(tmp_path: Path) -> None:
    good = _line({"messageId": "a", "attempt": 1, "time": _time(0)}).encode()
    path = tmp_path / "log.jsonl"
    for raw in (b"\xef\xbb\xbf" + good + b"\r\n" + good + b"\r\n",
                good + b"\n" + good[:-2] + b'\xff"}\n', good + b"\r" + good):
        path.write_bytes(raw)
        assert _column_report(path) == _row_report(path)
    path.write_bytes(b"\xef\xbb\xbf" + good + b"\r\n" + good.replace(b'"a"', b'"b"'))
    assert read_jsonl_columns(path) is not None


def test_a_path_is_read_in_columns_or_by_rows_with_the_same_report(tmp_path: Path,
                                                                   monkeypatch: Any) -> None:
    path = tmp_path / "attempts.log"  # no extension: the first line says JSONL
    path.write_text("\n".join([_line({"messageId": "a", "attempt": 1, "time": _time(0)}),
                               *ODD_LINES]) + "\n", encoding="utf-8")
    fast = verify_report(REQUEST, path, now=NOW)
    assert fast == _row_report(path)
    # Without pyarrow (or NumPy) the same report, by rows and the Python counting sort.
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "numpy", None)
    assert conformance.read_log_columns(path, "x") is None
    assert verify_report(REQUEST, path, now=NOW) == fast


def test_the_counting_sorts_agree() -> None:
    columns = conformance._Columns()
    gids = [3, 0, 3, 1, 0, 3, 5]
    columns.gid.extend(gids)
    starts, order = columns.buckets(6)
    # Independently: the rows of each destination, in log order.
    expected = [r for g in range(6) for r, x in enumerate(gids) if x == g]
    assert list(order) == expected
    assert list(starts) == [0, 2, 3, 3, 6, 6, 7]
    assert columns.buckets(6) == columns._buckets(6)
    # Many rows (a sort of more than a few elements need not keep equal keys in order unless
    # it is stable), and no rows at all.
    many = conformance._Columns()
    gids = [(row * 7919) % 13 for row in range(3000)]
    many.gid.extend(gids)
    starts, order = many.buckets(20)
    assert list(order) == [r for g in range(20) for r, x in enumerate(gids) if x == g]
    assert list(starts) == [sum(1 for x in gids if x < g) for g in range(21)]
    assert many.buckets(20) == many._buckets(20)
    empty = conformance._Columns()
    assert empty.buckets(3) == empty._buckets(3) == (array("q", [0] * 4), array("q"))


def test_the_cli_reads_a_regular_file_in_columns_with_the_same_output(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    from ivrsched.cli.common import EXIT_UNREADABLE_INPUT, EXIT_VIOLATIONS
    from ivrsched.cli.main import main

    request = tmp_path / "request.json"
    request.write_text(json.dumps(REQUEST), encoding="utf-8")
    path = tmp_path / "log.jsonl"
    read: list[object] = []
    columnar = conformance.read_log_columns

    def spied(*args: Any) -> Any:
        read.append(found := columnar(*args))
        return found

    def run(*extra: str) -> tuple[int, str, str]:
        try:
            code = main(["verify", str(request), str(path), "--now", "2030-01-07T09:00:00Z",
                         *extra])
        except SystemExit as exc:  # pragma: no cover - main returns its code
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    first = _line({"messageId": "a", "attempt": 1, "time": _time(0)})
    for expected, text in ((EXIT_VIOLATIONS, "\n".join([first, *ODD_LINES]) + "\n"),
                           (EXIT_UNREADABLE_INPUT,
                            f"{_line({'messageId': 'a', 'attempt': 1, 'time': _time(0)})}\n"
                            '{"messageId": "a", "attempt": 1, "time": "x"}\n')):
        path.write_text(text, encoding="utf-8")
        monkeypatch.setattr(conformance, "read_log_columns", spied)
        by_columns = [run(), run("--format", "jsonl")]
        assert read and read[-1] is not None  # the columns took this file
        monkeypatch.setattr(conformance, "read_log_columns", lambda *args: None)
        by_rows = [run(), run("--format", "jsonl")]
        assert by_columns == by_rows
        assert [code for code, _, _ in by_rows] == [expected, expected]


# -- the request's plain destinations ------------------------------------------------------------

_addresses = st.sampled_from(["41793026700", "+41793026701", "41793026700", "0123456", "12",
                              "", "4179 3026", "41793026\u00e9", "4179302\t67", "x"])
_ids = st.sampled_from(["m1", "m2", "m1", "", "m\u00e9", "a\nb", "id with space", 5, None])


@st.composite
def _destination_objects(draw: st.DrawFn) -> object:
    item: dict[str, object] = {}
    if draw(st.integers(0, 9)):
        item["to"] = draw(_addresses | st.sampled_from([41793026700, None]))
    if draw(st.booleans()):
        item["messageId"] = draw(_ids)
    if not draw(st.integers(0, 9)):
        item["other"] = 1
    return item if draw(st.integers(0, 9)) else draw(st.sampled_from([5, "x", None]))


@given(st.lists(_destination_objects(), min_size=1, max_size=12), st.booleans(),
       st.booleans())
def test_plain_destination_objects_parse_as_through_the_field_readers(
        items: list[object], strict: bool, xml: bool) -> None:
    from types import MappingProxyType

    from ivrsched.errors import RequestError
    from ivrsched.request.parsing import parse_request

    def parsed(destinations: list[object]) -> object:
        message: dict[str, object] = {"scenarioId": "S", "destinations": destinations}
        if xml:
            message["notifyContentType"] = "application/xml"
        try:
            return parse_request({"messages": [message]}, strict=strict)
        except RequestError as exc:
            return f"RequestError: {exc}"

    # A mapping that is not a dict takes the general path of the field readers.
    general = [MappingProxyType(item) if isinstance(item, dict) else item for item in items]
    assert parsed(items) == parsed(general)


@pytest.mark.parametrize(("tail", "rejected"), [
    ([], ()), ([{"to": "41793026709", "messageId": "m0"}], (50,)),
    ([{"to": "0123456", "messageId": "z"}], (50,)),
    ([{"to": "4179302670\n41793026701", "messageId": "z"}], (50,)),
    ([{"to": "+41793026709"}], ()), ([{"to": "41793026709", "messageId": "z\u00e9"}], ()),
    ([{"to": "41793026709", "messageId": ""}], None),
])
def test_a_list_of_plain_accepted_destinations_parses_as_one_by_one(
        tail: list[object], rejected: tuple[int, ...] | None) -> None:
    from types import MappingProxyType

    from ivrsched.errors import RequestError
    from ivrsched.request.parsing import parse_request

    items: list[object] = [{"to": f"+4179302{6700 + i:04d}", "messageId": f"m{i}"}
                           for i in range(50)] + tail
    general = [MappingProxyType(item) if isinstance(item, dict) else item for item in items]

    def parsed(destinations: list[object]) -> object:
        try:
            request = parse_request({"messages": [{"scenarioId": "S",
                                                   "destinations": destinations}]})
        except RequestError as exc:
            return f"RequestError: {exc}"
        return request, request.messages[0].rejected_indices

    fast = parsed(items)
    assert fast == parsed(general)
    if rejected is None:
        assert isinstance(fast, str)
    else:
        assert isinstance(fast, tuple) and fast[1] == rejected


def test_every_byte_of_the_canonical_text_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(log_columns, "MOST_ODD", 1.0)
    values = {"messageId": "a", "attempt": 12, "time": _time(0), "end": _time(1)}
    for shape in (dict(list(values.items())[:3]), values):
        line = _line(shape)
        # The bytes of the fixed text: all but the values' (independently, by search).
        inside: set[int] = set()
        for value in shape.values():
            text = value if isinstance(value, str) else str(value)
            at = line.index(f" {text}" if isinstance(value, int) else f'"{text}"') + 1
            inside.update(range(at, at + len(text)))
        fixed = [i for i in range(len(line)) if i not in inside]
        assert len(fixed) == len(line) - sum(len(str(v)) for v in shape.values())
        for i in fixed:
            for other in ("x", "'"):
                changed = line[:i] + other + line[i + 1:]
                data = ("\n".join([line] * 3 + [changed]) + "\n").encode("utf-8")
                try:
                    found = log_columns.canonical_columns(data, np.frombuffer(data, np.uint8))
                except LogError:
                    continue  # the row reader read it: not JSON any more
                assert found is not None
                assert found.line.tolist() == [1, 2, 3], changed


@pytest.mark.parametrize("inside", ['a"b', '"', 'a", "b'])
def test_a_quote_inside_a_message_id_is_no_canonical_line(monkeypatch: pytest.MonkeyPatch,
                                                          inside: str) -> None:
    # Not JSON, but each byte outside the messageId is the canonical text: read from the
    # line's end, it would look canonical; the quotes of the file do not add up, so it is
    # read by its quotes and goes to the row reader.
    good = _line({"messageId": "a", "attempt": 1, "time": _time(0)})
    bad = good.replace('"a"', f'"{inside}"')
    data = ("\n".join([good] * 20 + [bad]) + "\n").encode("utf-8")
    with pytest.raises(LogError, match=":21: not valid JSON"):
        log_columns.canonical_columns(data, np.frombuffer(data, dtype=np.uint8))
    # Two such lines, the second's extra quote making up for... nothing: quotes only add.
    data = ("\n".join([good] * 20 + [bad, good]) + "\n").encode("utf-8")
    with pytest.raises(LogError, match=":21: "):
        log_columns.canonical_columns(data, np.frombuffer(data, dtype=np.uint8))


def test_a_line_of_canonical_bytes_around_more_fields_is_read_by_the_row_reader(
        monkeypatch: pytest.MonkeyPatch) -> None:
    good = _line({"messageId": "a", "attempt": 1, "time": _time(0)})
    # JSON, with a repeated key: the row reader takes the last one.
    other = good.replace('"a"', '"b", "attempt": 3, "x": "a"')
    data = ("\n".join([good] * 20 + [other]) + "\n").encode("utf-8")
    found = log_columns.canonical_columns(data, np.frombuffer(data, dtype=np.uint8))
    assert found is not None and found.line.tolist() == list(range(1, 21))
    assert [(row.line, row.message_id, row.attempt) for row in found.rows] == [(21, "b", 1)]


@pytest.mark.parametrize("destinations", [
    [{"to": NUMBERS[0], "messageId": "a"}],  # a single messageId to look rows up in
    [{"to": NUMBERS[0]}, {"to": NUMBERS[1]}],  # none: no ID source, nothing given
])
@pytest.mark.parametrize("named", [["zz"], ["a", "zz", "yy"]])
def test_rows_naming_unknown_ids_against_few_or_no_ids(tmp_path: Path,
                                                       destinations: list[dict[str, str]],
                                                       named: list[str]) -> None:
    request = {"messages": [{"scenarioId": "A", "destinations": destinations,
                             "sendingSpeed": {"speed": 2, "timeUnit": "minute"}}]}
    path = tmp_path / "attempts.jsonl"
    path.write_text("".join(
        _line({"messageId": name, "attempt": 1, "time": _time(k), "end": _time(k + 1)}) + "\n"
        for k, name in enumerate(named)), encoding="utf-8")
    fast = verify_report(request, path, now=NOW)
    with path.open(encoding="utf-8") as lines:
        by_rows = verify_report(request, read_log(lines), now=NOW)
    assert fast == by_rows
    # Every row naming an ID the request does not have is reported, at its own line.
    unknown = [k + 1 for k, name in enumerate(named)
               if name not in {d.get("messageId") for d in destinations}]
    assert sorted(v.line for v in fast.violations if v.line in unknown) == unknown
    assert fast.rows == len(named)


def test_a_log_file_is_read_by_the_reader_its_name_or_first_line_says(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """JSONL files (named so, or unnamed with a JSON first line) go to the columnar reader;
    CSV files (named so, or unnamed with any other first line) and empty unnamed files are
    read by rows; the report is what the row reader gives for the same rows."""
    asked: list[str] = []
    real = conformance.read_log_columns

    def recording(path: Any, source: str) -> Any:
        asked.append(Path(path).name)
        return real(path, source)

    monkeypatch.setattr(conformance, "read_log_columns", recording)
    rows = [{"messageId": "a", "attempt": 1, "time": _time(0)},
            {"messageId": "c", "attempt": 1, "time": _time(0)}]
    jsonl = "\n".join(_line(row) for row in rows) + "\n"
    csv = "messageId,attempt,time\n" + "".join(f"{r['messageId']},1,{r['time']}\n" for r in rows)
    files = {"named.jsonl": jsonl, "unnamed.log": jsonl, "named.csv": csv, "unnamed.txt": csv,
             "empty.log": "", "spaced.log": "  " + jsonl}
    reports = {}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        reports[name] = verify_report(REQUEST, tmp_path / name, now=NOW)
    assert asked == ["named.jsonl", "unnamed.log", "empty.log", "spaced.log"]
    by_rows = verify_report(REQUEST, read_log(jsonl.splitlines()), now=NOW)
    assert by_rows.rows == 2
    assert reports["named.jsonl"] == reports["unnamed.log"] == reports["named.csv"] == \
        reports["unnamed.txt"] == reports["spaced.log"] == by_rows
    assert reports["empty.log"] == verify_report(REQUEST, [], now=NOW)
    assert reports["empty.log"].rows == 0


def test_an_unnamed_log_with_bad_utf8_is_a_log_error_naming_the_file(tmp_path: Path) -> None:
    # The first line is only sniffed (undecodable bytes replaced); the row reader then reports
    # the bytes as the log's own fault, with the file's name and the line.
    path = tmp_path / "attempts"
    path.write_bytes(b"messageId,attempt,time\n\xff\xfe,1," + _time(0).encode() + b"\n")
    with pytest.raises(LogError) as caught:
        verify_report(REQUEST, path, now=NOW)
    assert caught.value.source == str(path)
    assert caught.value.line == 2
    path.write_bytes(b"\xff" + _line({"messageId": "a", "attempt": 1,
                                      "time": _time(0)}).encode() + b"\n")
    with pytest.raises(LogError) as caught:
        verify_report(REQUEST, path, now=NOW)
    assert (caught.value.source, caught.value.line) == (str(path), 1)
    assert "UTF-8" in str(caught.value)
