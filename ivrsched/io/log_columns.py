"""Reading a JSONL attempt log file into columns at once, the verifier's fast path (SPEC S11).

:mod:`ivrsched.io.logs` reads a log row by row. For a large log file this module reads it in
columns instead: pyarrow's multithreaded JSON reader parses the file, the times are parsed on
arrays with NumPy (integer microseconds only, no float), and the verifier gets integer columns.
The result is exactly the row reader's:

* a row in the common shape (a non-empty ``messageId`` string, no ``to``, a whole ``attempt``
  >= 1, ``time`` and optional ``end`` as ``YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|±HH:MM)``, ``end``
  not before ``time``) is read in the columns;
* any other row (named by ``to``, another time shape, a missing field, a fault) is read by the
  row reader (:func:`ivrsched.io.logs.jsonl_row`) from its own line, so its values, or its
  :class:`~ivrsched.io.logs.LogError` with its line number, are the row reader's;
* a file the columns cannot vouch for as a whole (not UTF-8, JSON pyarrow rejects or reads
  otherwise than Python's ``json``: a value of another type, nested values, escapes, control
  characters, lines not starting with ``{``, …) is declined: :func:`read_jsonl_columns` returns
  None and the caller reads it row by row.

Needs NumPy and pyarrow (the ``fast`` extra), imported by whoever imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ivrsched.io.logs import UNNAMED, LogRow, jsonl_row
from ivrsched.io.text_files import BOM
from ivrsched.rules.instants import MAX_US, MIN_US

if TYPE_CHECKING:
    import pyarrow as pa

Int64Array = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: The ``end`` column's value for a row that gave no end.
NO_END = -(2**63)
#: Attempt numbers are stored in 64-bit columns; anything larger is equally wrong.
MAX_ATTEMPT = 2**62

_BOM = BOM.encode("utf-8")


@dataclass(frozen=True)
class LogColumns:
    """A log read in columns: the common-shape rows as arrays (``line``, ``attempt``, ``time``
    and ``end`` in µs, ``NO_END`` when not given; ``message_id`` a pyarrow string array), and
    every other row as the row reader read it (``rows``, in line order)."""

    line: Int64Array
    attempt: Int64Array
    time: Int64Array
    end: Int64Array
    message_id: pa.Array
    rows: tuple[LogRow, ...]

    def __len__(self) -> int:
        return int(self.line.size) + len(self.rows)


# -- times -------------------------------------------------------------------------------------

#: Widest common shape: 19 + "." + 6 digits + "+HH:MM".
_WIDTH = 32
_DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
_FIXED = ((4, ord("-")), (7, ord("-")), (10, ord("T")), (13, ord(":")), (16, ord(":")))
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _string_bytes(values: pa.Array) -> tuple[Int64Array, NDArray[np.uint8], BoolArray]:
    """A string array's offsets into its byte buffer, the buffer, and the validity."""
    import pyarrow as pa

    wide = pa.types.is_large_string(values.type)
    if not wide:
        values = values.cast(pa.string())
    if values.null_count:
        valid = ~np.asarray(values.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    else:
        valid = np.ones(len(values), dtype=bool)
    buffers = values.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64 if wide else np.int32)[
        values.offset:values.offset + len(values) + 1].astype(np.int64)
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None and \
        buffers[2].size else np.zeros(1, dtype=np.uint8)
    return offsets, data, valid


def parse_times(values: pa.Array) -> tuple[Int64Array, BoolArray]:
    """Each string of ``values`` in the common shape ``YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|±HH:MM)``
    as integer µs since the epoch, and which ones were (the others, null or of another shape or
    out of range, are 0 and left to :func:`ivrsched.io.logs.parse_log_time`). Agrees with
    ``parse_log_time`` on every string it takes."""
    offsets, data, valid = _string_bytes(values)
    length_all = offsets[1:] - offsets[:-1]
    result = np.zeros(length_all.size, dtype=np.int64)
    taken = np.zeros(length_all.size, dtype=bool)
    candidates = np.flatnonzero(valid & (length_all >= 20) & (length_all <= _WIDTH))
    if not candidates.size:
        return result, taken
    starts = offsets[:-1][candidates]
    length = length_all[candidates]
    # Each candidate's first 32 bytes as a row of a matrix (a window over the buffer, copied
    # a row at a time); bytes past a string's end are masked below by its length. Its last 6
    # (the offset, or the fraction's end and "Z") are inside: candidates have 20 to 32 bytes.
    padded = np.concatenate((data, np.zeros(_WIDTH, dtype=np.uint8)))
    rows = np.lib.stride_tricks.sliding_window_view(padded, _WIDTH)[starts]
    # Transposed, so that each byte position is one contiguous array.
    head = np.ascontiguousarray(rows.T)
    n = candidates.size
    across = np.arange(n)
    tail = np.stack([head[length - 6 + j, across] for j in range(6)])
    # Bytes minus "0", wrapping around in uint8: a digit is exactly a value <= 9.
    head_digit, tail_digit = head[:26] - np.uint8(ord("0")), tail - np.uint8(ord("0"))
    head_is_digit = head_digit <= 9
    ok = head_is_digit[_DATE_DIGITS].all(axis=0)
    for k, expected in _FIXED:
        ok &= head[k] == expected

    def number(*positions: int) -> Int64Array:
        value = np.zeros(n, dtype=np.int64)
        for k in positions:
            value = value * 10 + head_digit[k]
        return value

    year, month, day = number(0, 1, 2, 3), number(5, 6), number(8, 9)
    hour, minute, second = number(11, 12), number(14, 15), number(17, 18)
    zulu = tail[5] == ord("Z")
    body = np.where(zulu, length - 1, length - 6)
    sign = tail[0]
    zoned = (~zulu & ((sign == ord("+")) | (sign == ord("-"))) & (tail[3] == ord(":"))
             & (tail_digit[[1, 2, 4, 5]] <= 9).all(axis=0))
    off_hours = tail_digit[1].astype(np.int64) * 10 + tail_digit[2]
    off_minutes = tail_digit[4].astype(np.int64) * 10 + tail_digit[5]
    off_hours = np.where(zulu, 0, off_hours)
    off_minutes = np.where(zulu, 0, off_minutes)
    ok &= zulu | zoned
    fraction = body - 19  # 0, or "." and 1 to 6 digits
    ok &= (fraction == 0) | ((fraction >= 2) & (fraction <= 7) & (head[19] == ord(".")))
    micros = np.zeros(n, dtype=np.int64)
    for k in range(20, 26):
        inside = k < body
        ok &= ~inside | head_is_digit[k]
        micros = micros * 10 + np.where(inside, head_digit[k].astype(np.int64), 0)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(month, 1, 12) - 1] + ((month == 2) & leap)
    ok &= (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
    ok &= zulu | ((off_hours <= 23) & (off_minutes <= 59))
    # Days since the epoch of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = era * 146097 + doe - 719468
    offset = np.where(zulu, 0, np.where(sign == ord("-"), -1, 1)
                      * (off_hours * 60 + off_minutes))
    us = ((days * 86400 + hour * 3600 + minute * 60 + second) * 1_000_000 + micros
          - offset * 60_000_000)
    ok &= (us >= MIN_US) & (us <= MAX_US)
    result[candidates] = np.where(ok, us, 0)
    taken[candidates] = ok
    return result, taken


# -- the file ----------------------------------------------------------------------------------

def _vouched(data: bytes, buffer: NDArray[np.uint8]) -> Int64Array | None:
    """The line numbers of the file's non-blank lines when every one is a plain JSON object
    line the columns read as Python's ``json`` does, else None (see the module's docstring)."""
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    if b"\\u" in data or b"[" in data:
        return None  # escapes (surrogates, spelled keys) and nesting: the row reader's
    newline = np.flatnonzero(buffer == ord("\n"))
    returns = 0
    if b"\r" in data:
        returns = data.count(b"\r")
        if returns != data.count(b"\r\n"):
            return None
    if int(np.count_nonzero(buffer < 0x20)) != newline.size + returns:
        return None  # control characters other than line ends
    begin = np.concatenate(([0], newline + 1))
    end = np.concatenate((newline, [buffer.size]))
    filled = end > begin
    first = buffer[np.minimum(begin[filled], max(buffer.size - 1, 0))]
    if not bool((first == ord("{")).all()):
        return None
    numbers = np.flatnonzero(filled).astype(np.int64) + 1
    if int(np.count_nonzero(buffer == ord("{"))) != numbers.size:
        return None  # nested objects, or a brace in a string
    return numbers


def read_jsonl_columns(path: str | PathLike[str], source: str = UNNAMED) -> LogColumns | None:
    """The JSONL log file at ``path`` in columns, or None when it must be read row by row
    (see the module's docstring). ``source`` names it in errors. Raises
    :class:`~ivrsched.io.logs.LogError` for the first faulty row, as the row reader would."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pj

    with open(path, "rb") as handle:
        data = handle.read()
    data = data.removeprefix(_BOM)
    buffer = np.frombuffer(data, dtype=np.uint8)
    numbers = _vouched(data, buffer)
    if numbers is None:
        return None
    schema = pa.schema([("messageId", pa.string()), ("to", pa.string()),
                        ("attempt", pa.int64()), ("time", pa.string()), ("end", pa.string())])
    try:
        table = pj.read_json(pa.BufferReader(data), parse_options=pj.ParseOptions(
            explicit_schema=schema, unexpected_field_behavior="ignore"))
    except (pa.ArrowException, ValueError):
        return None  # the row reader says what is wrong, and where
    if table.num_rows != numbers.size:
        return None
    message_id = table.column("messageId").combine_chunks()
    to = table.column("to").combine_chunks()
    attempt_column = table.column("attempt").combine_chunks()
    attempt = np.asarray(attempt_column.fill_null(0).to_numpy(), dtype=np.int64)
    time, timed = parse_times(table.column("time").combine_chunks())
    end_column = table.column("end").combine_chunks()
    end, ended = parse_times(end_column)
    no_end = np.asarray(end_column.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    named = np.asarray(pc.fill_null(pc.greater(pc.binary_length(message_id), 0), False)
                       .to_numpy(zero_copy_only=False), dtype=bool)
    common = (named & np.asarray(to.is_null().to_numpy(zero_copy_only=False), dtype=bool)
              & (attempt >= 1) & timed & (no_end | (ended & (end >= time))))
    odd = np.flatnonzero(~common)
    rows: list[LogRow] = []
    if odd.size:
        begin = np.concatenate(([0], np.flatnonzero(buffer == ord("\n")) + 1))
        for r in odd.tolist():
            number = int(numbers[r])
            start = int(begin[number - 1])
            stop = data.find(b"\n", start)
            text = data[start:stop if stop >= 0 else len(data)].decode("utf-8")
            row = jsonl_row(text, number, source)
            assert row is not None  # a vouched line is not blank
            rows.append(row)
    keep = np.flatnonzero(common)
    return LogColumns(numbers[keep], np.minimum(attempt[keep], MAX_ATTEMPT), time[keep],
                      np.where(no_end, NO_END, end)[keep], message_id.take(pa.array(keep)),
                      tuple(rows))


__all__ = ["MAX_ATTEMPT", "NO_END", "LogColumns", "parse_times", "read_jsonl_columns"]
