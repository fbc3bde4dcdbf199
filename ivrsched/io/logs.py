"""Reading observed attempt logs, the input of the oracle (SPEC S11), row by row.

A log row names a destination (``messageId``, or ``to`` when no messageId is given), the attempt
number (1 for the first attempt, 2 for the first retry, …) and the attempt's start ``time``,
optionally its ``end``; times are ISO 8601 with a UTC offset. Logs come as JSONL (one object per
line; blank lines are skipped; other keys are ignored, so a simulation's event log reads as is) or
as CSV with the same names as header columns (empty cells are absent values; other columns are
ignored, so ``ivrsched plan --format csv`` output reads as a log too).

Both readers stream: they yield one :class:`LogRow` at a time and keep nothing behind. A faulty
row raises :class:`LogError` naming its line.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal

from ivrsched.errors import IvrschedError
from ivrsched.rules.instants import MAX_US, MIN_US, InstantSyntaxError, parse_instant

LogFormat = Literal["jsonl", "csv"]
LOG_FORMATS: tuple[LogFormat, ...] = ("jsonl", "csv")

#: The row names a log reads; any other key or column is ignored.
FIELDS = ("messageId", "to", "attempt", "time", "end")


class LogError(IvrschedError, ValueError):
    """A log row that cannot be read; ``line`` is its 1-based line number (0 when unknown)."""

    def __init__(self, line: int, reason: str, source: str | None = None) -> None:
        self.line = line
        self.reason = reason
        self.source = source
        where = f"line {line}" if line else "the log"
        super().__init__(f"{source}: {where}: {reason}" if source else f"{where}: {reason}")


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

def _optional_text(value: object, key: str, line: int) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise LogError(line, f"'{key}' must be a string, not {type(value).__name__}")
    return value


def _attempt(value: object, line: int) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise LogError(line, f"'attempt' must be a whole number >= 1 (got {value!r})")
    if value < 1:
        raise LogError(line, f"'attempt' must be >= 1 (1 is the first attempt), got {value}")
    return value


def _instant(value: object, key: str, line: int) -> int:
    if not isinstance(value, str):
        raise LogError(line, f"'{key}' must be an ISO 8601 date-time string with an offset")
    try:
        return parse_log_time(value)
    except InstantSyntaxError as exc:
        raise LogError(line, f"'{key}': {exc}") from exc


def row_from_mapping(data: Mapping[str, object], line: int) -> LogRow:
    """One log row from its fields (a decoded JSON object or a CSV record)."""
    message_id = _optional_text(data.get("messageId"), "messageId", line)
    to = _optional_text(data.get("to"), "to", line)
    if message_id is None and to is None:
        raise LogError(line, "the row names no destination: give 'messageId' or 'to'")
    if "attempt" not in data or data["attempt"] in (None, ""):
        raise LogError(line, "'attempt' is missing (1 for the first attempt)")
    attempt = _attempt(data["attempt"], line)
    if "time" not in data or data["time"] in (None, ""):
        raise LogError(line, "'time' is missing")
    time_us = _instant(data["time"], "time", line)
    end = data.get("end")
    end_us = None if end is None or end == "" else _instant(end, "end", line)
    if end_us is not None and end_us < time_us:
        raise LogError(line, "'end' is before 'time'")
    return LogRow(line, attempt, time_us, message_id, to, end_us)


_BOM = "\ufeff"


def without_bom(lines: Iterable[str]) -> Iterator[str]:
    """The lines with a byte order mark at the start of the first one removed: editors and
    spreadsheets often write one, and it would otherwise stick to the first JSON value or CSV
    column name (a CSV log's ``messageId`` column would silently go unread)."""
    iterator = iter(lines)
    first = next(iterator, None)
    if first is None:
        return
    yield first.removeprefix(_BOM)
    yield from iterator


def read_jsonl(lines: Iterable[str], source: str | None = None) -> Iterator[LogRow]:
    """Rows of a JSONL log: one JSON object per line, blank lines skipped (a leading byte order
    mark too)."""
    number = 0
    try:
        for number, text in enumerate(without_bom(lines), start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except (ValueError, RecursionError) as exc:
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc) or \
                    "nested too deeply"
                raise LogError(number, f"not valid JSON: {reason}", source) from exc
            if not isinstance(data, dict):
                raise LogError(number, "each line must be a JSON object", source)
            yield _with_source(data, number, source)
    except UnicodeDecodeError as exc:
        raise LogError(number + 1, "not UTF-8 text (here or a little further)", source) from exc


def read_csv(lines: Iterable[str], source: str | None = None) -> Iterator[LogRow]:
    """Rows of a CSV log: a header naming ``attempt``, ``time`` and ``messageId`` and/or
    ``to`` (optionally ``end``), then one attempt per record. A leading byte order mark is
    skipped."""
    reader = csv.reader(without_bom(lines))
    try:
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise LogError(reader.line_num, f"not valid CSV: {exc}", source) from exc
        missing = [name for name in ("attempt", "time") if name not in header]
        if "messageId" not in header and "to" not in header:
            missing.append("messageId or to")
        if missing:
            raise LogError(1, f"the header lacks {', '.join(missing)} (it has "
                           f"{', '.join(header) or 'no columns'})", source)
        columns = {name: header.index(name) for name in FIELDS if name in header}
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise LogError(reader.line_num, f"not valid CSV: {exc}", source) from exc
            if not record or all(not cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raise LogError(reader.line_num, f"{len(record)} fields, the header has "
                               f"{len(header)}", source)
            data = {name: record[index] for name, index in columns.items()}
            yield _with_source(data, reader.line_num, source)
    except UnicodeDecodeError as exc:
        raise LogError(reader.line_num + 1, "not UTF-8 text (here or a little further)",
                       source) from exc


def decode_lines(lines: Iterable[bytes], source: str | None = None) -> Iterator[str]:
    """Decode a binary stream's lines as UTF-8 one by one, so that a fault names its line
    exactly (a text stream decodes ahead, in chunks)."""
    for number, raw in enumerate(lines, start=1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise LogError(number, f"not UTF-8 text (byte {exc.start + 1} of the line)",
                           source) from exc


def _with_source(data: Mapping[str, object], line: int, source: str | None) -> LogRow:
    try:
        return row_from_mapping(data, line)
    except LogError as exc:
        if exc.source is None and source is not None:
            raise LogError(exc.line, exc.reason, source) from exc
        raise


def read_log(lines: Iterable[str], log_format: LogFormat = "jsonl",
             source: str | None = None) -> Iterator[LogRow]:
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
    return "jsonl" if first_line.removeprefix(_BOM).lstrip().startswith("{") else "csv"


__all__ = [
    "FIELDS", "LOG_FORMATS", "LogError", "LogFormat", "LogRow", "decode_lines", "format_for_path",
    "parse_log_time", "read_csv", "read_jsonl", "read_log", "row_from_mapping", "sniff_format",
    "without_bom",
]
