"""Destinations streamed from text and CSV files: every line accounted for, as a destination
or as a blank or comment line passed over."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched.io.destination_files import (
    DestinationFile,
    DestinationFileError,
    SkippedLines,
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
    skipped = SkippedLines()
    found = list(DestinationFile.open(path).read(skipped))
    assert [(d.to, d.status, d.line) for d in found] == [
        ("41793026727", ACCEPTED, 1),
        ("+41793026728", ACCEPTED, 2),  # CRLF: the line ending is removed
        ("abc", Status.REJECTED_INVALID_DESTINATION, 3),
        # line 4 is blank: passed over, and counted
        ("0041793026727", Status.REJECTED_INVALID_DESTINATION, 5),
        ("123", Status.REJECTED_INVALID_DESTINATION, 6),  # last line without a line ending
    ]
    assert skipped.count == 1
    assert all(d.message_id is None for d in found)
    assert found[2].reason is not None and "only digits" in found[2].reason


def test_surrounding_spaces_are_trimmed_and_comments_and_blank_lines_skipped(
        tmp_path: Path) -> None:
    path = write(tmp_path, "d.txt", "# campaign of June\n 41793026727\n41793026728 \n\t\n"
                                    "   # indented comment\n4179302 6729\n")
    skipped = SkippedLines()
    found = list(DestinationFile.open(path).read(skipped))
    assert [(d.to, d.status, d.line) for d in found] == [
        ("41793026727", ACCEPTED, 2), ("41793026728", ACCEPTED, 3),
        # a space inside the number is not trimmed: still rejected, as S7 says
        ("4179302 6729", Status.REJECTED_INVALID_DESTINATION, 6)]
    assert skipped.count == 3
    # Reading again counts again, from nothing: each reading has its own count.
    again = SkippedLines()
    assert len(list(DestinationFile.open(path).read(again))) == 3 and again.count == 3


def test_a_byte_order_mark_is_not_part_of_the_first_address(tmp_path: Path) -> None:
    path = write(tmp_path, "d.txt", "\ufeff41793026727\n41793026728\n")
    assert [d.to for d in DestinationFile.open(path)] == ["41793026727", "41793026728"]


lines_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"),
                     max_size=20)


@given(st.lists(st.one_of(lines_text, st.from_regex(r"\+?[1-9][0-9]{6,14}", fullmatch=True)),
                max_size=40))
def test_every_line_is_one_destination_classified_by_s7_or_skipped(lines: list[str]) -> None:
    skipped = SkippedLines()
    found = list(destinations_from_lines((line + "\n" for line in lines), skipped=skipped))
    # The reference, line by line: blank (after trimming) or '#' lines are passed over; every
    # other line, trimmed, is classified by S7 on its own.
    kept = [(number, line.strip()) for number, line in enumerate(lines, start=1)
            if line.strip() and not line.strip().startswith("#")]
    assert [(d.line, d.to) for d in found] == kept
    assert [(d.status, d.reason) for d in found] == [classify(to) for _, to in kept]
    assert skipped.count == len(lines) - len(kept)


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
                 "eve\n"  # short row: no 'to' cell at all
                 "\n"  # blank: passed over
                 "# a comment,x,y\n"  # comment: passed over
                 "fay, 41793026730 , m3 \n")  # cells are trimmed
    skipped = SkippedLines()
    found = list(DestinationFile.open(path).read(skipped))
    assert [(d.to, d.message_id, d.status, d.line) for d in found] == [
        ("41793026727", "m1", ACCEPTED, 2),
        ("", "m2", Status.MISSING_TO, 3),
        ("41793026728", "m1", Status.REJECTED_DUPLICATE_MESSAGE_ID, 4),
        ("41793026729", None, ACCEPTED, 5),
        (None, None, Status.MISSING_TO, 6),
        ("41793026730", "m3", ACCEPTED, 9),
    ]
    assert skipped.count == 2


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
