"""Destinations streamed from text and CSV files (issue 7): every line accounted for."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched.io.destination_files import (
    DestinationFile,
    DestinationFileError,
    destinations_from_csv,
    destinations_from_lines,
    layout_of,
)
from ivrsched.request.destinations import classify
from ivrsched.request.model import Destination
from ivrsched.request.status import Status

ACCEPTED = Status.PENDING_ACCEPTED


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def test_text_lines_become_destinations_with_their_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "d.txt", "41793026727\n+41793026728\r\nabc\n\n0041793026727\n123")
    found = list(DestinationFile.open(path))
    assert [(d.to, d.status, d.line) for d in found] == [
        ("41793026727", ACCEPTED, 1),
        ("+41793026728", ACCEPTED, 2),  # CRLF: the line ending is removed
        ("abc", Status.REJECTED_INVALID_DESTINATION, 3),
        ("", Status.MISSING_TO, 4),  # an empty line is a missing address, not skipped
        ("0041793026727", Status.REJECTED_INVALID_DESTINATION, 5),
        ("123", Status.REJECTED_INVALID_DESTINATION, 6),  # last line without a line ending
    ]
    assert all(d.message_id is None for d in found)
    assert found[2].reason is not None and "only digits" in found[2].reason


def test_addresses_are_judged_exactly_as_written(tmp_path: Path) -> None:
    # S7 judges an address as given: surrounding spaces are not trimmed away.
    path = write(tmp_path, "d.txt", " 41793026727\n41793026727 \n")
    assert [d.status for d in DestinationFile.open(path)] == [
        Status.REJECTED_INVALID_DESTINATION, Status.REJECTED_INVALID_DESTINATION]


def test_a_byte_order_mark_is_not_part_of_the_first_address(tmp_path: Path) -> None:
    path = write(tmp_path, "d.txt", "\ufeff41793026727\n41793026728\n")
    assert [d.to for d in DestinationFile.open(path)] == ["41793026727", "41793026728"]


lines_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"),
                     max_size=20)


@given(st.lists(st.one_of(lines_text, st.from_regex(r"\+?[1-9][0-9]{6,14}", fullmatch=True)),
                max_size=40))
def test_every_line_is_one_destination_classified_by_s7(lines: list[str]) -> None:
    found = list(destinations_from_lines(line + "\n" for line in lines))
    assert [d.to for d in found] == lines
    assert [d.line for d in found] == list(range(1, len(lines) + 1))
    # The reference: S7's classification of each line on its own.
    assert [(d.status, d.reason) for d in found] == [classify(line) for line in lines]


def test_a_file_is_read_again_on_each_iteration(tmp_path: Path) -> None:
    source = DestinationFile.open(write(tmp_path, "d.txt", "41793026727\nx\n"))
    assert list(source) == list(source)
    assert len(list(source)) == 2


def test_csv_reads_to_and_message_id_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv",
                 "name,to,messageId\n"
                 "ann,41793026727,m1\n"
                 "bob,,m2\n"  # empty address: 51
                 "cid,41793026728,m1\n"  # m1 again: 23
                 "dan,41793026729,\n"  # empty messageId: none given
                 "eve\n")  # short row: no 'to' cell at all
    found = list(DestinationFile.open(path))
    assert [(d.to, d.message_id, d.status, d.line) for d in found] == [
        ("41793026727", "m1", ACCEPTED, 2),
        ("", "m2", Status.MISSING_TO, 3),
        ("41793026728", "m1", Status.REJECTED_DUPLICATE_MESSAGE_ID, 4),
        ("41793026729", None, ACCEPTED, 5),
        (None, None, Status.MISSING_TO, 6),
    ]


def test_a_quoted_csv_cell_over_two_lines_keeps_its_first_line(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", 'to,note\n41793026727,"two\nlines"\n41793026728,x\n')
    assert [(d.to, d.line) for d in DestinationFile.open(path)] == [
        ("41793026727", 2), ("41793026728", 4)]


def test_csv_without_a_to_column_is_unreadable(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", "number\n41793026727\n")
    with pytest.raises(DestinationFileError, match=r"d\.csv:1: .*no 'to' column"):
        list(DestinationFile.open(path))
    with pytest.raises(DestinationFileError, match="empty CSV"):
        list(DestinationFile.open(write(tmp_path, "e.csv", "")))


def test_broken_csv_quoting_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", 'to\n41793026727\n"41793026728\n')
    with pytest.raises(DestinationFileError, match=r"d\.csv:3: not valid CSV"):
        list(DestinationFile.open(path))


def test_bytes_that_are_not_utf8_name_their_line(tmp_path: Path) -> None:
    path = write(tmp_path, "d.txt", b"41793026727\n41793026728\n4179\xff3026729\n")
    source = iter(DestinationFile.open(path))
    assert next(source).line == 1 and next(source).line == 2  # streamed up to the bad line
    with pytest.raises(DestinationFileError, match=r"d\.txt:3: not UTF-8"):
        next(source)


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(DestinationFileError, match=r"nope\.txt: cannot read it"):
        list(DestinationFile.open(tmp_path / "nope.txt"))


def test_layout_is_csv_for_csv_names_unless_told() -> None:
    assert layout_of("a.csv") == "csv" and layout_of("A.CSV") == "csv"
    assert layout_of("a.txt") == "text" and layout_of("numbers") == "text"
    assert layout_of("a.csv", "text") == "text" and layout_of("a.txt", "csv") == "csv"
    with pytest.raises(ValueError, match="unknown"):
        layout_of("a.txt", "xml")


def test_library_readers_take_any_iterable_of_lines() -> None:
    assert list(destinations_from_lines(["41793026727"], first_line=10)) == [
        Destination("41793026727", None, ACCEPTED, None, 10)]
    assert [d.to for d in destinations_from_csv(["to\n", "41793026727\n"])] == ["41793026727"]
