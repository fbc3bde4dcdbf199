"""Reading a JSONL attempt log file into columns at once, the verifier's fast path (SPEC S11).

:mod:`ivrsched.io.logs` reads a log row by row. For a large log file this module reads it in
columns instead, and the verifier gets integer columns (times in integer microseconds, parsed
on arrays with NumPy: no float touches a time). Two readers, tried in this order:

* the canonical lines (:func:`canonical_columns`): a file whose lines are nearly all
  ``{"messageId": "...", "attempt": N, "time": "..."[, "end": "..."]}`` exactly as Python's
  ``json.dumps`` writes them is read with array operations on its bytes alone;
* pyarrow's multithreaded JSON reader (:func:`arrow_columns`) for any other file.

The result is exactly the row reader's:

* a row in the common shape (a non-empty ``messageId`` string, no ``to``, a whole ``attempt``
  >= 1, ``time`` and optional ``end`` as ``YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|±HH:MM)``, ``end``
  not before ``time``) is read in the columns (by the canonical reader, only if its line is
  canonical too);
* any other row (named by ``to``, another time shape, a missing field, a fault) is read by the
  row reader (:func:`ivrsched.io.logs.jsonl_row`) from its own line, so its values, or its
  :class:`~ivrsched.io.logs.LogError` with its line number, are the row reader's;
* a file the columns cannot vouch for as a whole (not UTF-8; for pyarrow, JSON it rejects or
  reads otherwise than Python's ``json``: a value of another type, nested values, escapes,
  control characters, lines not starting with ``{``, …) is declined: :func:`read_jsonl_columns`
  returns None and the caller reads it row by row.

Needs NumPy and pyarrow (the ``fast`` extra), imported by whoever imports this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING, Any, NamedTuple

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
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _civil_days(year: NDArray[Any], month: NDArray[Any], day: NDArray[Any]
                ) -> tuple[BoolArray, NDArray[Any]]:
    """Whether each year-month-day is a date of years 1 on, and its days since 1970-01-01
    in the proleptic Gregorian calendar (H. Hinnant's days_from_civil), in the inputs'
    integer type (meaningless where it is no date)."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _MONTH_DAYS[np.clip(month, 1, 12) - 1] + ((month == 2) & leap)
    dated = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return dated, era * 146097 + doe - 719468


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
    ``parse_log_time`` on every string it takes: the strings' bytes are read in place by
    :func:`fixed_times`."""
    offsets, data, valid = _string_bytes(values)
    # A null is given no bytes, which is no time.
    lengths = np.where(valid, offsets[1:] - offsets[:-1], 0)
    return fixed_times(data, offsets[:-1], lengths)


def _vouched(data: bytes, buffer: NDArray[np.uint8]) -> Int64Array | None:
    """The line numbers of the file's non-blank lines when every one is a plain JSON object
    line the columns read as Python's ``json`` does, else None (see the module's docstring).
    ``data`` is UTF-8."""
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
    with open(path, "rb") as handle:
        data = handle.read()
    data = data.removeprefix(_BOM)
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None  # the row reader names the line
    buffer = np.frombuffer(data, dtype=np.uint8)
    columns = canonical_columns(data, buffer, source)
    if columns is not None:
        return columns
    return arrow_columns(data, buffer, source)


def arrow_columns(data: bytes, buffer: NDArray[np.uint8], source: str) -> LogColumns | None:
    """The log ``data`` (UTF-8, no byte order mark; ``buffer`` its bytes) read by pyarrow's JSON
    reader, or None when the columns cannot vouch for it."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pj

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


# -- the canonical line ------------------------------------------------------------------------
#
# Logs are mostly written by a program, every line in one shape; a common one is Python's
# ``json.dumps`` of ``{"messageId": ..., "attempt": ..., "time": ...[, "end": ...]}``, the
# canonical line. It is read here with array operations on the file's bytes alone, in about
# half the time of pyarrow's reader with the checks that vouch for its reading and its times
# (0.35 s against 0.7 s for 10^6 lines). A
# line is taken only when every byte outside its three or four values is the fixed text, the
# values contain no backslash and no control character (so JSON reads them verbatim, as their
# UTF-8 bytes), the attempt is a whole number without a leading zero, and the times are in the
# common shape; every other line goes to the row reader, from its own text. The file's lines
# are split at "\n" as the row reader's binary lines are.

#: The fixed text of the canonical line, around its values.
_OPEN = b'{"messageId": "'
_AFTER_ID = b'", "attempt": '
_BEFORE_TIME = b', "time": "'
_BEFORE_END = b'", "end": "'
#: More odd lines than this share of all lines, and the file is better read by pyarrow (the
#: row reader takes several microseconds a line).
MOST_ODD = 1 / 16


def _word(text: bytes, at: int = 0) -> np.uint64:
    """Eight bytes of ``text`` from ``at`` as the little-endian word :func:`_words` reads."""
    return np.uint64(np.frombuffer(text[at:at + 8], dtype="<u8")[0])


def _words(data: bytes) -> NDArray[np.uint64]:
    """Every eight-byte window of ``data`` as a little-endian word (a strided view, no copy):
    comparing a word compares eight bytes at once."""
    return np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, offset=0, strides=(1,))


def _windows(buffer: NDArray[np.uint8], starts: Int64Array, width: int) -> NDArray[np.uint8]:
    """The ``width`` bytes from each of ``starts`` as the rows of a matrix (a copy); bytes past
    the buffer's end are 0."""
    limit = buffer.size - width
    if limit < 0:
        buffer = np.concatenate((buffer, np.zeros(-limit, dtype=np.uint8)))
        limit = 0
    rows = np.lib.stride_tricks.sliding_window_view(buffer, width)[np.minimum(starts, limit)]
    late = np.flatnonzero(starts > limit)
    if late.size:
        tail = np.concatenate((buffer[limit:], np.zeros(width, dtype=np.uint8)))
        rows[late] = np.lib.stride_tricks.sliding_window_view(tail, width)[starts[late] - limit]
    return rows


def fixed_times(buffer: NDArray[np.uint8], starts: Int64Array, lengths: Int64Array
                ) -> tuple[Int64Array, BoolArray]:
    """The time texts ``buffer[starts[i]:starts[i] + lengths[i]]`` in the common shape as µs,
    and which ones were, as :func:`parse_times` gives them (and so ``parse_log_time``).

    The texts are parsed in groups of one layout (one length, "Z" or an offset): within a group
    every field is at a fixed column of a byte matrix, checked and read with a few operations
    on each column; a log has one or a few layouts.
    """
    n = starts.size
    result = np.zeros(n, dtype=np.int64)
    taken = np.zeros(n, dtype=bool)
    if not n:
        return result, taken
    zulu = buffer[np.clip(starts + lengths - 1, 0, max(buffer.size - 1, 0))] == ord("Z")
    present = np.flatnonzero(np.bincount(np.clip(lengths, 0, _WIDTH + 1),
                                         minlength=_WIDTH + 2))
    for length in present.tolist():
        for z in (True, False):
            zone = 1 if z else 6
            fraction = length - 19 - zone  # 0, or "." and 1 to 6 digits
            if not (fraction == 0 or 2 <= fraction <= 7):
                continue
            chosen = (lengths == length) & (zulu == z)
            if bool(chosen.all()):  # one layout: the usual log
                return _layout(_columns(buffer, starts, length), fraction, z)
            group = np.flatnonzero(chosen)
            if group.size:
                result[group], taken[group] = _layout(
                    _columns(buffer, starts[group], length), fraction, z)
    return result, taken


def _columns(buffer: NDArray[np.uint8], starts: Int64Array, width: int) -> NDArray[np.uint8]:
    """The ``width`` bytes from each of ``starts`` as the columns of a matrix: row ``c`` holds
    the ``c``-th byte of every text, contiguous (so that each byte position is one array)."""
    return np.ascontiguousarray(_windows(buffer, starts, width).T)


def _layout(columns: NDArray[np.uint8], fraction: int, zulu: bool
            ) -> tuple[Int64Array, BoolArray]:
    """The times of one layout (``columns``: byte ``c`` of every text in row ``c``;
    ``fraction`` bytes of "." and digits; "Z" or "±HH:MM"): µs and which ones are valid, as
    :func:`parse_times` decides."""
    width = columns.shape[0]
    fixed = {4: "-", 7: "-", 10: "T", 13: ":", 16: ":"}
    if fraction:
        fixed[19] = "."
    if zulu:
        fixed[width - 1] = "Z"
    else:
        fixed[width - 3] = ":"
    sign = columns[width - 6]
    ok = np.ones(columns.shape[1], dtype=bool) if zulu else (sign == ord("+")) | (sign == ord("-"))
    digit = columns - np.uint8(ord("0"))
    for c in range(width):
        if c in fixed:
            ok &= columns[c] == ord(fixed[c])
        elif zulu or c != width - 6:
            ok &= digit[c] <= 9  # bytes minus "0", wrapping around in uint8

    def number(*at: int) -> NDArray[np.int32]:
        value: NDArray[np.int32] = digit[at[0]].astype(np.int32)
        for k in at[1:]:
            value = value * 10 + digit[k]
        return value

    year, month, day = number(0, 1, 2, 3), number(5, 6), number(8, 9)
    hour, minute, second = number(11, 12), number(14, 15), number(17, 18)
    dated, days = _civil_days(year, month, day)
    ok &= dated & (hour <= 23) & (minute <= 59) & (second <= 59)
    # Minutes of the day, less the offset: within int32; µs need int64.
    minutes = hour * 60 + minute
    if not zulu:
        off_hours, off_minutes = number(width - 5, width - 4), number(width - 2, width - 1)
        ok &= (off_hours <= 23) & (off_minutes <= 59)
        minutes -= np.where(sign == ord("-"), np.int32(-1), np.int32(1)) * (off_hours * 60
                                                                            + off_minutes)
    us = (days.astype(np.int64) * 1440 + minutes) * 60_000_000 + second * 1_000_000
    if fraction:
        us += number(*range(20, 19 + fraction)) * 10 ** (7 - fraction)
    ok &= (us >= MIN_US) & (us <= MAX_US)
    return np.where(ok, us, 0), ok


@dataclass(frozen=True)
class _Lines:
    """A log's bytes and its lines: line ``r`` is ``begin[r]:end[r]`` (``end`` at its "\n" or
    the file's end), its text without a "\r" before the "\n" ``begin[r]:stop[r]``."""

    data: bytes
    buffer: NDArray[np.uint8]
    words: NDArray[np.uint64]
    begin: Int64Array
    end: Int64Array
    stop: Int64Array
    #: The positions of the bytes below 0x20.
    controls: Int64Array

    def word(self, at: Int64Array) -> NDArray[np.uint64]:
        """The eight bytes at each of ``at`` (clipped into the file: a position outside fails
        the checks anyway)."""
        return self.words[np.clip(at, 0, self.buffer.size - 8)]

    def byte(self, at: Int64Array) -> NDArray[np.uint8]:
        return self.buffer[np.clip(at, 0, self.buffer.size - 1)]


class _Positions(NamedTuple):
    """Where a canonical line's values end, per line (garbage where it is not one, which the
    checks then find): the quote after the messageId, the quote before ``time``, the quote
    after the time's value, and for the lines with an end (given by the checks) the quote after
    its value."""

    id_end: Int64Array
    time_key: Int64Array
    time_end: Int64Array
    end_end: Callable[[Int64Array], Int64Array]


def _by_quotes(lines: _Lines) -> _Positions | None:
    """The positions by the file's quotes: a canonical line's 4th, 7th, 10th and 14th. Exact
    for any file (the first quote after a value's start is its end), at the price of every
    quote's position."""
    quotes = np.flatnonzero(lines.buffer == ord('"'))
    if not quotes.size:
        return None
    first = np.searchsorted(quotes, lines.begin)

    def quote(n: int, of: Int64Array) -> Int64Array:
        return quotes[np.minimum(of + n, quotes.size - 1)]

    return _Positions(quote(3, first), quote(6, first), quote(9, first),
                      lambda with_end: quote(13, first[with_end]))


def _from_the_end(lines: _Lines) -> _Positions:
    """The positions read back from each line's end: its last value ends before '"}'; the
    key before a value shows where the value starts, for the lengths a time may have (a
    canonical value is a time); the attempt's digits end before the time's key. Right for a
    canonical line whose messageId has no quote, which :func:`_quotes_add_up` checks."""
    time_key3, end_key3 = _word(_BEFORE_TIME, 3), _word(_BEFORE_END, 3)
    # The lengths to try, the most frequent in a sample of lines first.
    sample = np.linspace(0, lines.begin.size - 1, num=min(lines.begin.size, 64)).astype(np.int64)
    seen: dict[int, int] = {}
    for r in sample.tolist():
        close = int(lines.stop[r]) - 2
        length = close - lines.data.rfind(b'"', int(lines.begin[r]), close) - 1
        seen[length] = seen.get(length, 0) + 1
    lengths = sorted(range(20, _WIDTH + 1), key=lambda n: -seen.get(n, 0))

    def value(close: Int64Array) -> tuple[Int64Array, NDArray[np.uint64]]:
        """Where each value ending at ``close`` starts (-1: none), and its key's last word."""
        # The first length on every line at once; the others on the lines left.
        start = close - lengths[0]
        key = lines.word(start - 8)
        hit = (key == time_key3) | (key == end_key3)
        start[~hit] = -1
        todo = np.flatnonzero(~hit)
        for length in lengths[1:]:
            if not todo.size:
                break
            at = close[todo] - length
            found = lines.word(at - 8)
            hit = (found == time_key3) | (found == end_key3)
            start[todo[hit]], key[todo[hit]] = at[hit], found[hit]
            todo = todo[~hit]
        return start, key

    last_end = lines.stop - 2
    start, key = value(last_end)
    ended = np.flatnonzero(key == end_key3)
    time_start = np.where(start >= 0, start, -2**40)  # no value found: no line's position
    time_end = last_end.copy()
    if ended.size:
        time_end[ended] = start[ended] - 11
        before, key_before = value(time_end[ended])
        time_start[ended] = np.where((before >= 0) & (key_before == time_key3), before, -2**40)
    time_key = time_start - 9
    # The attempt's digits, counted back from the byte before ', "time"' (at most 19: more
    # are not canonical anyway).
    digits_end = time_key - 2
    digits = (lines.byte(digits_end - 1) - np.uint8(ord("0")) <= 9).astype(np.int64)
    todo = np.flatnonzero(digits)
    for j in range(1, 19):
        if not todo.size:
            break
        is_digit = lines.byte(digits_end[todo] - 1 - j) - np.uint8(ord("0")) <= 9
        todo = todo[is_digit]
        digits[todo] += 1
    return _Positions(digits_end - digits - 14, time_key, time_end,
                      lambda with_end: last_end[with_end])


class _Found(NamedTuple):
    """The lines found canonical, and their values (meaningful where ``ok``)."""

    ok: BoolArray
    ended: BoolArray
    attempt: Int64Array
    time: Int64Array
    end: Int64Array


def _check(lines: _Lines, at: _Positions) -> _Found:
    """Which lines are canonical given the positions ``at``, and their values."""
    begin, stop, buffer, word = lines.begin, lines.stop, lines.buffer, lines.word
    id_end, time_key, time_end = at.id_end, at.time_key, at.time_end
    # The fixed text: '{"messageId": "' at the line's start; after the messageId (not empty)
    # '", "attempt": '; before the time ', "time": "'; then '"}' and the line's end, or an
    # end: '", "end": "', its value, '"}'.
    ok = (stop - begin >= 64) & (id_end > begin + 15)
    ok &= (word(begin) == _word(_OPEN)) & (word(begin + 7) == _word(_OPEN, 7))
    ok &= (word(id_end) == _word(_AFTER_ID)) & (word(id_end + 6) == _word(_AFTER_ID, 6))
    ok &= (word(time_key - 2) == _word(_BEFORE_TIME)) & (
        word(time_key + 1) == _word(_BEFORE_TIME, 3))
    after = lines.byte(time_end + 1)
    ok &= ((after == ord("}")) & (stop == time_end + 2)) | (after == ord(","))
    ended = ok & (after == ord(","))
    with_end = np.flatnonzero(ended)
    end_end = at.end_end(with_end)
    te = time_end[with_end]
    ok[with_end] = ((word(te) == _word(_BEFORE_END)) & (word(te + 3) == _word(_BEFORE_END, 3))
                    & (lines.byte(end_end + 1) == ord("}")) & (stop[with_end] == end_end + 2))
    # The attempt's digits: 1 to 18 of them, the first not 0.
    digits_at = id_end + 14
    digits = time_key - 2 - digits_at
    ok &= (digits >= 1) & (digits <= 18)
    first = np.where(ok, digits_at, 0)
    lead = buffer[first] - np.uint8(ord("1"))
    ok &= lead <= 8
    attempt = lead.astype(np.int64) + 1
    for j in range(1, int(digits[ok].max(initial=1))):
        more = ok & (digits > j)
        value = buffer[np.where(more, first + j, 0)] - np.uint8(ord("0"))
        ok &= ~more | (value <= 9)
        attempt = np.where(more, attempt * 10 + value, attempt)
    # No backslash (an escape) and no control character inside a line.
    if b"\\" in lines.data or lines.controls.size != int(
            np.count_nonzero(lines.end < buffer.size)) + int(np.count_nonzero(stop < lines.end)):
        bad = np.concatenate((lines.controls[buffer[lines.controls] != ord("\n")],
                              np.flatnonzero(buffer == ord("\\"))))
        line_of = np.searchsorted(begin, bad, side="right") - 1
        ok[line_of[bad < stop[line_of]]] = False
    time, timed = fixed_times(buffer, time_key + 9, time_end - time_key - 9)
    ok &= timed
    end_time = np.full(begin.size, NO_END, dtype=np.int64)
    if with_end.size:
        start = te + 11
        end_time[with_end], end_timed = fixed_times(buffer, start, end_end - start)
        ok[with_end] &= end_timed & (end_time[with_end] >= time[with_end])
    return _Found(ok, ended & ok, attempt, time, end_time)


def _quotes_add_up(lines: _Lines, found: _Found) -> bool:
    """Whether the file has no quote but the canonical lines' own (10, or 14 with an end) and
    the other lines': then no messageId holds one, and the positions read from the lines' ends
    are the quotes' (each canonical line has its own quotes where they were found)."""
    own = 10 * int(np.count_nonzero(found.ok)) + 4 * int(np.count_nonzero(found.ended))
    others = sum(lines.data.count(b'"', int(lines.begin[r]), int(lines.end[r]))
                 for r in np.flatnonzero(~found.ok).tolist())
    return int(np.count_nonzero(lines.buffer == ord('"'))) == own + others


def canonical_columns(data: bytes, buffer: NDArray[np.uint8], source: str = UNNAMED
                      ) -> LogColumns | None:
    """The log ``data`` (UTF-8, no byte order mark; ``buffer`` its bytes) read by its canonical
    lines (see above) and the row reader for the others; None when too many lines are not
    canonical (see :data:`MOST_ODD`). Raises :class:`~ivrsched.io.logs.LogError` for the first
    faulty row."""
    size = buffer.size
    if size < 64:
        return None  # too short to gain anything (and the word reads need room)
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None  # a lone "\r" ends a line for some readers, not for others
    # The control characters (line ends among them), found in the one pass.
    controls = np.flatnonzero(buffer < 0x20)
    newline = controls[buffer[controls] == ord("\n")]
    begin = np.concatenate(([0], newline + 1))
    end = np.concatenate((newline, [size]))
    if begin[-1] == size:  # the file ends with a line end: no line after it
        begin, end = begin[:-1], end[:-1]
    # A "\r" before the "\n" ends the line too (JSON reads it as white space).
    stop = end - ((end > begin) & (buffer[np.maximum(end - 1, 0)] == ord("\r")))
    lines = _Lines(data, buffer, _words(data), begin, end, stop, controls)
    # Read back from the lines' ends (no search for every quote), unless a messageId has a
    # quote: then by the quotes.
    at = _from_the_end(lines)
    found = _check(lines, at)
    if int(np.count_nonzero(~found.ok)) <= begin.size * MOST_ODD and not _quotes_add_up(
            lines, found):
        by_quotes = _by_quotes(lines)
        if by_quotes is None:
            return None
        at, found = by_quotes, _check(lines, by_quotes)
    ok = found.ok
    odd = np.flatnonzero(~ok)
    if odd.size > begin.size * MOST_ODD:
        return None
    rows: list[LogRow] = []
    for r in odd.tolist():
        # With its line end, as the row reader reads it (a JSON error may depend on it).
        text = data[int(begin[r]):int(end[r]) + 1].decode("utf-8")
        row = jsonl_row(text, r + 1, source)
        if row is not None:  # a blank line
            rows.append(row)
    keep = np.flatnonzero(ok)
    id_starts, id_lengths = begin[keep] + 15, at.id_end[keep] - begin[keep] - 15
    offsets = np.zeros(keep.size + 1, dtype=np.int64)
    np.cumsum(id_lengths, out=offsets[1:])
    if offsets[-1] >= 2**31:
        return None  # beyond a string array's 32-bit offsets: pyarrow's reader decides
    import pyarrow as pa

    # The messageIds' bytes, one after another, and their offsets: a pyarrow string array.
    # (32-bit positions where the file allows: half the memory of the index.)
    wide = np.int64 if size >= 2**31 else np.int32
    gather = np.repeat((id_starts - offsets[:-1]).astype(wide), id_lengths) + np.arange(
        offsets[-1], dtype=wide)
    message_id = pa.Array.from_buffers(pa.string(), keep.size, [
        None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(buffer[gather])])
    return LogColumns(keep + 1, np.minimum(found.attempt[keep], MAX_ATTEMPT), found.time[keep],
                      found.end[keep], message_id, tuple(rows))


__all__ = ["MAX_ATTEMPT", "NO_END", "LogColumns", "arrow_columns", "canonical_columns",
           "parse_times", "read_jsonl_columns"]
