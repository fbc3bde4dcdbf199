"""Text input files (io/text_files): one reader and one error for logs, outcomes, destinations."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ivrsched.io.destination_files import DestinationFile, DestinationFileError
from ivrsched.io.logs import LogError, decode_lines, read_jsonl
from ivrsched.io.outcome_files import OutcomeFileError, load_outcomes
from ivrsched.io.text_files import InputFileError, decoded_lines, read_lines, without_bom


def test_the_error_names_source_line_and_reason() -> None:
    error = InputFileError("a.csv", 3, "bad")
    assert (error.source, error.line, error.reason, str(error)) == ("a.csv", 3, "bad",
                                                                    "a.csv:3: bad")
    assert str(InputFileError("a.csv", None, "cannot read it")) == "a.csv: cannot read it"
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("kind", [LogError, OutcomeFileError, DestinationFileError])
def test_each_file_kind_adds_only_a_name(kind: type[InputFileError]) -> None:
    assert issubclass(kind, InputFileError)
    assert kind.__init__ is InputFileError.__init__
    added = set(vars(kind)) - {"__module__", "__qualname__", "__doc__"}
    assert added == set()
    error = kind("f", 2, "why")
    assert (error.source, error.line, error.reason, str(error)) == ("f", 2, "why", "f:2: why")


def test_lines_are_decoded_one_by_one_with_the_byte_order_mark_removed() -> None:
    raw = [b"\xef\xbb\xbfone\r\n", b"\xef\xbb\xbftwo\n", "thr\u2028ee".encode()]
    # Only the first line's mark is a byte order mark; U+2028 does not end a line.
    assert list(decoded_lines(raw, "f")) == ["one\r\n", "\ufefftwo\n", "thr\u2028ee"]
    assert list(without_bom(["\ufeffa", "\ufeffb"])) == ["a", "\ufeffb"]
    assert list(without_bom([])) == []


def test_bytes_that_are_not_utf8_stop_at_their_line() -> None:
    lines = decoded_lines(iter([b"ok\n", b"ab\xff\n", b"never read\n"]), "f")
    assert next(lines) == "ok\n"
    with pytest.raises(InputFileError) as info:
        next(lines)
    assert (info.value.line, str(info.value)) == (2, "f:2: not UTF-8 text (byte 3 of the line)")


def test_read_lines_streams_a_file_and_names_one_it_cannot_open(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"\xef\xbb\xbfa\nb")
    assert list(read_lines(path)) == ["a\n", "b"]
    with pytest.raises(InputFileError) as info:
        list(read_lines(tmp_path / "none.txt", "none.txt"))
    assert info.value.line is None
    assert str(info.value).startswith("none.txt: cannot read it: ")


def test_every_reader_reports_bad_utf8_the_same_way(tmp_path: Path) -> None:
    # The same second line, undecodable at its fifth byte, in each kind of input file.
    good = {"log": b'{"to": "4179", "attempt": 1, "time": "2030-01-01T00:00:00Z"}\n',
            "outcomes.jsonl": b'{"to": "1", "outcome": "busy"}\n',
            "numbers.txt": b"41793026700\n"}
    bad = b"4179\xff\n"
    messages = []
    for name, first in good.items():
        path = tmp_path / name
        path.write_bytes(first + bad)
        with pytest.raises(InputFileError) as info:
            if name == "log":
                list(read_jsonl(decode_lines(io.BytesIO(first + bad), str(path)), str(path)))
            elif name == "outcomes.jsonl":
                load_outcomes(str(path))
            else:
                list(DestinationFile.open(path))
        messages.append(str(info.value))
    assert messages == [f"{tmp_path / name}:2: not UTF-8 text (byte 5 of the line)"
                        for name in good]


def test_every_reader_reports_a_missing_file_the_same_way(tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    with pytest.raises(OutcomeFileError) as outcome_error:
        load_outcomes(str(missing))
    with pytest.raises(DestinationFileError) as destination_error:
        list(DestinationFile.open(missing))
    assert str(outcome_error.value) == str(destination_error.value)
    assert str(outcome_error.value).startswith(f"{missing}: cannot read it: ")
