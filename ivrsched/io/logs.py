"""Reading observed attempt logs, the input of the oracle (SPEC S11), row by row.

A log row names a destination (``messageId``, or ``to`` when no messageId is given), the attempt
number (1 for the first attempt, 2 for the first retry, …) and the attempt's start ``time``,
optionally its ``end``; times are ISO 8601 with a UTC offset. Logs come as JSONL (one object per
line; blank lines are skipped; other keys are ignored, so a simulation's event log reads as is) or
as CSV with the same names as header columns (empty cells are absent values; other columns are
ignored, so ``ivrsched plan --format csv`` output reads as a log too).

Both readers stream: they yield one :class:`LogRow` at a time and keep nothing behind. A faulty
row raises :class:`LogError` (an :class:`~ivrsched.io.text_files.InputFileError`) naming the log
and the line; ``source`` names the log (``<log>`` when not given).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal

from ivrsched.io.text_files import BOM, InputFileError, decoded_lines, without_bom
from ivrsched.rules.instants import MAX_US, MIN_US, InstantSyntaxError, parse_instant

LogFormat = Literal["jsonl", "csv"]
LOG_FORMATS: tuple[LogFormat, ...] = ("jsonl", "csv")

#: The row names a log reads; any other key or column is ignored.
FIELDS = ("messageId", "to", "attempt", "time", "end")


#: How a log is named in errors when its reader was not told.
UNNAMED = "<log>"


class LogError(InputFileError):
    """A log row that cannot be read: ``source``, 1-based ``line`` and ``reason``."""


@dataclass(frozen=True, slots=True)
class LogRow:
    """One observed attempt. Times are integer µs since the epoch (S1); ``end_us`` is None when
    the log does not say when the attempt ended."""

    line: int
    attempt: int
    time_us: int
    message_id: str | None = None
    to: str | None = None
    end_us: int | None = None


# -- times -------------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ONE_US = timedelta(microseconds=1)
#: The shape almost every log uses; the standard library parses it quickly. Anything else goes
#: through the general ISO 8601 parser of :mod:`ivrsched.rules.instants`.
_COMMON = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)")


def parse_log_time(text: str) -> int:
    """An ISO 8601 instant with an offset as integer µs; :class:`InstantSyntaxError` otherwise."""
    if _COMMON.fullmatch(text) is None:
        return parse_instant(text)[0]
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return parse_instant(text)[0]
    offset = moment.utcoffset()
    if offset is None or offset % timedelta(minutes=1):  # pragma: no cover - the regex excludes
        return parse_instant(text)[0]
    us = (moment - _EPOCH) // _ONE_US
    if not MIN_US <= us <= MAX_US:  # pragma: no cover - four-digit years are always inside
        raise InstantSyntaxError(f"{text!r} falls outside years 1..9999")
    return us


# -- rows --------------------------------------------------------------------------------------

def _optional_text(value: object, key: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be a string, not {type(value).__name__}")
    return value


def _attempt(value: object) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"'attempt' must be a whole number >= 1 (got {value!r})")
    if value < 1:
        raise ValueError(f"'attempt' must be >= 1 (1 is the first attempt), got {value}")
    return value


def _instant(value: object, key: str) -> int:
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be an ISO 8601 date-time string with an offset")
    try:
        return parse_log_time(value)
    except InstantSyntaxError as exc:
        raise ValueError(f"'{key}': {exc}") from exc


def row_from_mapping(data: Mapping[str, object], line: int,
                     source: str = UNNAMED) -> LogRow:
    """One log row from its fields (a decoded JSON object or a CSV record) found on ``line``
    of ``source``; :class:`LogError` when they are not a row."""
    try:
        return _row(data, line)
    except ValueError as exc:
        raise LogError(source, line, str(exc)) from exc


def _row(data: Mapping[str, object], line: int) -> LogRow:
    message_id = _optional_text(data.get("messageId"), "messageId")
    to = _optional_text(data.get("to"), "to")
    if message_id is None and to is None:
        raise ValueError("the row names no destination: give 'messageId' or 'to'")
    if "attempt" not in data or data["attempt"] in (None, ""):
        raise ValueError("'attempt' is missing (1 for the first attempt)")
    attempt = _attempt(data["attempt"])
    if "time" not in data or data["time"] in (None, ""):
        raise ValueError("'time' is missing")
    time_us = _instant(data["time"], "time")
    end = data.get("end")
    end_us = None if end is None or end == "" else _instant(end, "end")
    if end_us is not None and end_us < time_us:
        raise ValueError("'end' is before 'time'")
    return LogRow(line, attempt, time_us, message_id, to, end_us)


def jsonl_row(text: str, number: int, source: str = UNNAMED) -> LogRow | None:
    """The row of one JSONL line (line ``number`` of ``source``), None for a blank line;
    :class:`LogError` when it is not a row."""
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc) or \
            "nested too deeply"
        raise LogError(source, number, f"not valid JSON: {reason}") from exc
    if not isinstance(data, dict):
        raise LogError(source, number, "each line must be a JSON object")
    return row_from_mapping(data, number, source)


def read_jsonl(lines: Iterable[str], source: str = UNNAMED) -> Iterator[LogRow]:
    """Rows of a JSONL log: one JSON object per line, blank lines skipped (a leading byte order
    mark too)."""
    number = 0
    try:
        for number, text in enumerate(without_bom(lines), start=1):
            row = jsonl_row(text, number, source)
            if row is not None:
                yield row
    except UnicodeDecodeError as exc:
        # A text stream decodes ahead, in chunks: the fault is on this line or a little later.
        raise LogError(source, number + 1, "not UTF-8 text (here or a little further)") from exc


def read_csv(lines: Iterable[str], source: str = UNNAMED) -> Iterator[LogRow]:
    """Rows of a CSV log: a header naming ``attempt``, ``time`` and ``messageId`` and/or
    ``to`` (optionally ``end``), then one attempt per record; a record whose ``attempt`` and
    ``time`` are both empty names a destination without an attempt and is passed over. A leading
    byte order mark is skipped."""
    reader = csv.reader(without_bom(lines))
    try:
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise LogError(source, reader.line_num, f"not valid CSV: {exc}") from exc
        missing = [name for name in ("attempt", "time") if name not in header]
        if "messageId" not in header and "to" not in header:
            missing.append("messageId or to")
        if missing:
            raise LogError(source, 1, f"the header lacks {', '.join(missing)} (it has "
                           f"{', '.join(header) or 'no columns'})")
        columns = {name: header.index(name) for name in FIELDS if name in header}
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise LogError(source, reader.line_num, f"not valid CSV: {exc}") from exc
            if not record or all(not cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raise LogError(source, reader.line_num, f"{len(record)} fields, the header has "
                               f"{len(header)}")
            data = {name: record[index] for name, index in columns.items()}
            if data["attempt"] == "" and data["time"] == "":
                # A destination without an attempt (a ``plan --format csv`` row of a rejected
                # destination): nothing happened, so there is nothing to check.
                continue
            yield row_from_mapping(data, reader.line_num, source)
    except UnicodeDecodeError as exc:
        raise LogError(source, reader.line_num + 1,
                       "not UTF-8 text (here or a little further)") from exc


def decode_lines(lines: Iterable[bytes], source: str = UNNAMED) -> Iterator[str]:
    """A binary log's lines decoded as UTF-8 one by one (see
    :func:`~ivrsched.io.text_files.decoded_lines`), faults raised as :class:`LogError`."""
    return decoded_lines(lines, source, LogError)


def read_log(lines: Iterable[str], log_format: LogFormat = "jsonl",
             source: str = UNNAMED) -> Iterator[LogRow]:
    """Rows of a log in ``log_format`` (``jsonl`` or ``csv``); ``source`` names it in errors."""
    if log_format == "csv":
        return read_csv(lines, source)
    return read_jsonl(lines, source)


def format_for_path(path: str) -> LogFormat | None:
    """The log format a file name implies (``.csv`` → csv; ``.jsonl``/``.ndjson``/``.json`` →
    jsonl), or None when the name says nothing."""
    lowered = path.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    return None


def sniff_format(first_line: str) -> LogFormat:
    """Guess a log's format from its first line: a JSON object starts with ``{`` (after any
    byte order mark and white space)."""
    return "jsonl" if first_line.removeprefix(BOM).lstrip().startswith("{") else "csv"


__all__ = [
    "FIELDS", "LOG_FORMATS", "UNNAMED", "LogError", "LogFormat", "LogRow", "decode_lines",
    "format_for_path", "jsonl_row", "parse_log_time", "read_csv", "read_jsonl", "read_log",
    "row_from_mapping", "sniff_format", "without_bom",
]
