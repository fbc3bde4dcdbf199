"""Destinations files read in blocks (plain lines unbuilt) give the chunked exports exactly the
rows, counts and errors of the row-by-row writers reading the same file line by line."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivrsched.errors import IvrschedError
from ivrsched.ids import SeededIds
from ivrsched.io import chunked
from ivrsched.io.arrow_export import write_parquet_stream
from ivrsched.io.destination_files import DestinationFile, PlainLines, SkippedLines
from ivrsched.io.plan_formats import write_csv
from ivrsched.planning.planner import plan
from ivrsched.planning.streaming import stream_plan, write_jsonl_stream
from ivrsched.request.model import Destination

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)

#: Lines of every kind: plain numbers (the fast blocks), and what sends a block the slow way.
LINE = st.sampled_from([
    b"41793026727", b"+41793026728", b"1234567", b"123456789012345",  # accepted as written
    b"1234567890123456", b"123456", b"0123456", b"bad", b"+", b"",  # rejected, or blank
    b"# a comment", b" 41793026729 ", b"41793026730\r", b"\xc3\xa9t\xc3\xa9",  # trimmed, é
])

MESSAGES: list[dict[str, Any]] = [
    {"scenarioId": "S", "sendingSpeed": {"speed": 1, "timeUnit": "minute"},
     "retry": {"minPeriod": 10, "maxPeriod": 60, "maxCount": 4}},
    # No pace: the validity cuts the retries of later slots (runs of fewer attempts).
    {"scenarioId": "S", "validityPeriod": 1, "retry": {"minPeriod": 1, "maxPeriod": 1,
                                                      "maxCount": 3}},
    {"scenarioId": "S", "sendingSpeed": {"speed": 2, "timeUnit": "hour"},
     "deliveryTimeWindow": {"days": ["TUESDAY"], "from": {"hour": 9, "minute": 0},
                            "to": {"hour": 10, "minute": 0}, "timeZone": "Europe/Berlin"}},
    # The window opens after the deadline: accepted destinations with no attempt at all.
    {"scenarioId": "S", "validityPeriod": 1,
     "deliveryTimeWindow": {"days": ["FRIDAY"], "from": {"hour": 9, "minute": 0},
                            "to": {"hour": 10, "minute": 0}}},
    # Sub-millisecond slots (7 a second), rendered in the offset of sendAt.
    {"scenarioId": "S", "sendAt": "2030-01-02T10:00:00.000+05:30",
     "sendingSpeed": {"speed": 7, "timeUnit": "second"},
     "retry": {"minPeriod": 1, "maxPeriod": 3, "maxCount": 2}},
]


class QuotingIds:
    """Generated IDs that JSON must escape and CSV must quote."""

    def bulk_id(self) -> str:
        return "bulk"

    def message_id(self, message: int, index: int) -> str:
        return f'id "{index}", \\ {message}'


class ShortIds(QuotingIds):
    """Generated IDs of plain ASCII text and of several lengths."""

    def message_id(self, message: int, index: int) -> str:
        return f"m{message}-{'x' * (index % 3)}{index}"


class AccentedIds(QuotingIds):
    """Generated IDs with a character outside ASCII (written as it is, not escaped)."""

    def message_id(self, message: int, index: int) -> str:
        return f"é{index}"


ID_SOURCES = [SeededIds(5), QuotingIds(), ShortIds(), AccentedIds()]


def _file(tmp_path: Path, lines: list[bytes], bom: bool, bad_byte: int | None,
          newline_at_end: bool) -> DestinationFile:
    if bad_byte is not None and lines:
        lines = [*lines]
        lines[bad_byte % len(lines)] += b"\xff"
    data = b"\n".join(lines) + (b"\n" if newline_at_end and lines else b"")
    path = tmp_path / "numbers.txt"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return DestinationFile.open(path)


def _run(write: Any) -> tuple[str | bytes, str | None]:
    """What a writer writes, and the error it ends with (None: it finished)."""
    try:
        return write(), None
    except IvrschedError as exc:
        return "", f"{type(exc).__name__}: {exc}"


files = st.tuples(st.lists(LINE, max_size=40), st.booleans(),
                  st.none() | st.integers(0, 100), st.booleans())


@settings(max_examples=80, deadline=None)
@given(files, st.sampled_from(range(len(MESSAGES))), st.integers(1, 9),
       st.sampled_from(range(len(ID_SOURCES))))
def test_blocks_write_what_the_row_writers_write(tmp_path_factory: pytest.TempPathFactory,
                                                 file: Any, message: int, size: int,
                                                 id_source: int) -> None:
    source = _file(tmp_path_factory.mktemp("blocks"), *file)
    ids: Any = ID_SOURCES[id_source]
    streaming = stream_plan({"messages": [MESSAGES[message]]}, [], now=NOW, ids=ids)
    header = streaming.header

    def rows_and_error(writer: Any, source_of_rows: Any) -> tuple[str, str | None, Any]:
        out = io.StringIO()
        summary: list[Any] = []
        _, error = _run(lambda: summary.append(writer(header, source_of_rows, out)))
        return out.getvalue(), error, summary

    expected = rows_and_error(write_jsonl_stream, source)
    got = rows_and_error(lambda h, s, o: chunked.write_jsonl_chunked(h, s, o, chunk_size=size),
                         source)
    assert got == expected

    # CSV: the row-by-row writer over the destinations the file gives line by line.
    read: list[Destination] = []
    _, read_error = _run(lambda: read.extend(source.read()))
    reference = io.StringIO()
    write_csv(plan({"messages": [MESSAGES[message]]}, read, now=NOW, ids=ids), reference)
    out = io.StringIO()
    _, csv_error = _run(lambda: chunked.write_csv_chunked(header, source, out, chunk_size=size))
    assert out.getvalue() == reference.getvalue()
    assert csv_error == read_error == expected[1]

    # A byte stream gets the same rows, in UTF-8.
    for writer, text in ((chunked.write_jsonl_chunked, expected[0]),
                         (chunked.write_csv_chunked, reference.getvalue())):
        binary = io.BytesIO()
        _run(lambda writer=writer, binary=binary: writer(header, source, binary, chunk_size=size))
        assert binary.getvalue() == text.encode("utf-8")


@settings(max_examples=40, deadline=None)
@given(files, st.integers(1, 9))
def test_blocks_are_the_destinations_read_line_by_line(
        tmp_path_factory: pytest.TempPathFactory, file: Any, size: int) -> None:
    source = _file(tmp_path_factory.mktemp("blocks"), *file)
    by_line: list[Destination] = []
    skipped_by_line = SkippedLines()
    _, error = _run(lambda: by_line.extend(source.read(skipped_by_line)))
    by_block: list[Destination] = []
    skipped_by_block = SkippedLines()

    def read_blocks() -> None:
        for block in source.blocks(size, skipped_by_block):
            assert 0 < len(block) <= size
            by_block.extend(block.destinations() if isinstance(block, PlainLines) else block)

    assert _run(read_blocks)[1] == error
    assert by_block == by_line
    if error is None:
        assert skipped_by_block == skipped_by_line


def test_a_file_of_plain_numbers_is_read_as_plain_blocks(tmp_path: Path) -> None:
    path = tmp_path / "n.txt"
    path.write_bytes(b"41700000000\n+41700000001\n41700000002\n# comment\n41700000003")
    blocks = list(DestinationFile.open(path).blocks(2))
    assert blocks[0] == PlainLines(["41700000000", "+41700000001"], 1)
    assert blocks[1] == [Destination("41700000002", line=3)]  # the comment's block
    assert blocks[2] == PlainLines(["41700000003"], 5)


def test_parquet_from_blocks_equals_parquet_from_the_destinations(tmp_path: Path) -> None:
    path = tmp_path / "n.txt"
    path.write_bytes(b"".join(b"%d\n" % (41700000000 + i) for i in range(50)) + b"bad\n\n"
                     + b"".join(b"%d\n" % (41800000000 + i) for i in range(30)))
    source = DestinationFile.open(path)
    header = stream_plan({"messages": [MESSAGES[0]]}, [], now=NOW, ids=SeededIds(1)).header
    from_blocks, from_list = io.BytesIO(), io.BytesIO()
    write_parquet_stream(header, source, from_blocks, chunk_size=7)
    write_parquet_stream(header, list(source), from_list, chunk_size=7)
    from_blocks.seek(0)
    from_list.seek(0)
    assert pq.read_table(from_blocks).equals(pq.read_table(from_list))


@pytest.mark.parametrize("message", range(len(MESSAGES)))
def test_blocks_in_a_rendering_zone_write_what_the_row_writers_write(tmp_path: Path,
                                                                     message: int) -> None:
    """``--tz``: each instant in the zone's offset at it, the chunked way as row by row."""
    from ivrsched.io.plan_formats import write_jsonl
    from ivrsched.rules.rendering import parse_rendering

    path = tmp_path / "n.txt"
    path.write_bytes(b"".join(b"%d\n" % (41700000000 + i) for i in range(60)))
    tz = parse_rendering("America/New_York")
    for chunked_writer, row_writer in ((chunked.write_plan_jsonl, write_jsonl),
                                       (chunked.write_plan_csv, write_csv)):
        outputs = []
        for writer in (chunked_writer, row_writer):
            the_plan = plan({"messages": [MESSAGES[message]]}, DestinationFile.open(path),
                            now=datetime(2030, 3, 10, 6, 50, tzinfo=timezone.utc),
                            ids=SeededIds(2))
            out = io.StringIO()
            writer(the_plan, out, tz)
            outputs.append(out.getvalue())
        assert outputs[0] == outputs[1]
        assert "-04:00" in outputs[0] or message != 0  # the spring-forward day is crossed


@pytest.mark.parametrize("message", range(len(MESSAGES)))
@pytest.mark.parametrize("id_source", [0, 2])
def test_parquet_from_blocks_holds_the_row_writers_rows(tmp_path: Path, message: int,
                                                        id_source: int) -> None:
    """Plain blocks and others, attempts of several widths (three or six fractional digits),
    destinations with no attempt, generated IDs of one width or of several."""
    import json

    path = tmp_path / "n.txt"
    path.write_bytes(b"".join(b"%d\n" % (41700000000 + i) for i in range(25)) + b"bad\n"
                     + b"".join(b"%d\n" % (4180000000 + i) for i in range(12)))
    source = DestinationFile.open(path)
    header = stream_plan({"messages": [MESSAGES[message]]}, [], now=NOW,
                         ids=ID_SOURCES[id_source]).header
    expected = io.StringIO()
    write_jsonl_stream(header, source, expected)
    out = io.BytesIO()
    write_parquet_stream(header, source, out, chunk_size=8)
    out.seek(0)
    table = pq.read_table(out).to_pylist()
    rows = [json.loads(line) for line in expected.getvalue().splitlines()]
    assert [{k: v for k, v in row.items() if k != "attempts_us"} for row in table] == rows
