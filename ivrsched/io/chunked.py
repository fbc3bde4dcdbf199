"""Plan exports assembled in vectors and written in chunks: ``jsonl`` and ``csv`` (SPEC S1).

The rows are byte for byte those of :func:`ivrsched.io.plan_formats.write_jsonl` /
:func:`~ivrsched.io.plan_formats.write_csv` and of the streaming writer
(:func:`ivrsched.planning.streaming.write_jsonl_stream`); only the way they are computed differs:
destinations are read a chunk at a time (a few tens of thousands), the chunk's attempts come
from the vector kernel (:mod:`ivrsched.rules.vector`) and are rendered all at once, and only then
is the chunk's text joined and written. Memory stays constant in the number of destinations.

The writers take a text stream or a byte stream. Most chunks are made as ASCII bytes; a byte
stream gets them as they are (the text in UTF-8), which spares decoding them only for a text
stream to encode them again: ``ivrsched plan`` writes its files and standard output that way.

Needs NumPy (the ``fast`` extra); the callers fall back to the row-by-row writers without it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, repeat
from typing import IO, Any, Protocol, cast, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from ivrsched.errors import PlanRangeError
from ivrsched.ids import SeededIds
from ivrsched.io import row_bytes
from ivrsched.io.destination_files import Block, PlainLines, destination_lists
from ivrsched.io.plan_formats import CSV_HEADER, deadline_json, json_string
from ivrsched.planning.planner import MessagePlan, Plan
from ivrsched.planning.streaming import (
    RejectionTally,
    StreamSummary,
    write_jsonl_stream,
)
from ivrsched.request.model import Destination
from ivrsched.request.status import Status
from ivrsched.rules import vector
from ivrsched.rules.instants import US_PER_DAY, US_PER_MINUTE, check_range, format_offset
from ivrsched.rules.rendering import Rendering
from ivrsched.rules.vector import Int64Array

#: Destinations per chunk: big enough for NumPy to pay off, small enough to stay in cache-sized
#: memory (a chunk of 5-attempt rows is about 10 MiB of text).
CHUNK = 32_768

TextArray = NDArray[np.str_]
#: Where the writers write: a text stream, or a byte stream (given the rows in UTF-8).
Output = IO[str] | IO[bytes]
#: A chunk of rows: text, or ASCII bytes.
Rows = str | bytes

#: The characters json.dumps(..., ensure_ascii=False) escapes (as json_string checks).
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]')


def render_instants(values: Int64Array, offset_minutes: int = 0, *,
                    as_bytes: bool = False) -> TextArray:
    """S1's rendering of each instant, equal to :func:`ivrsched.rules.instants.format_us`:
    ``YYYY-MM-DDTHH:MM:SS.fff±HH:MM``, six fractional digits when the sub-millisecond part is
    not zero; with ``as_bytes``, as ASCII bytes (a NumPy ``S`` array, NUL-padded). Raises
    :class:`PlanRangeError` for an instant outside years 1..9999 (also as read in the
    offset)."""
    if not values.size:
        return np.empty(0, dtype="S29" if as_bytes else "U29")
    for extreme in (int(values.min()), int(values.max())):
        check_range(extreme, offset_minutes=offset_minutes)
    whole_ms = values % 1000 == 0  # the offset is whole minutes: same sub-millisecond part
    if bool(whole_ms.all()):
        return _rendered(values, offset_minutes, millis=True, as_bytes=as_bytes)
    micro = _rendered(values, offset_minutes, millis=False, as_bytes=as_bytes)
    if not bool(whole_ms.any()):
        return micro
    return np.where(whole_ms, _rendered(values, offset_minutes, millis=True,
                                        as_bytes=as_bytes), micro)


def render_in(values: Int64Array, offset_minutes: int, tz: Rendering | None, *,
              as_bytes: bool = False) -> TextArray:
    """:func:`render_instants` in the message's offset, or with ``tz`` each instant in that
    zone's offset at it (the instants of each distinct offset rendered together)."""
    if tz is None or not values.size:
        return render_instants(values, offset_minutes, as_bytes=as_bytes)
    offsets = tz.offsets_at(values)
    distinct = np.unique(offsets).tolist()
    if len(distinct) == 1:
        return render_instants(values, int(distinct[0]), as_bytes=as_bytes)
    parts = [(offsets == offset, render_instants(values[offsets == offset], int(offset),
                                                 as_bytes=as_bytes))
             for offset in distinct]
    out = np.empty(values.size, dtype=max(part.dtype for _, part in parts))
    for where, part in parts:
        out[where] = part
    return out


#: The code points of "00".."99", for writing the digits of dates by table look-up.
_TWO = np.array([[48 + i // 10, 48 + i % 10] for i in range(100)], dtype=np.uint32)
#: "HH:MM:" of each minute of the day; "SS." of each second of the minute; "000".."999".
_MINUTES = np.array([f"{m // 60:02d}:{m % 60:02d}:" for m in range(1440)], dtype="U6")
_SECONDS = np.array([f"{s:02d}." for s in range(60)], dtype="U3")
_THREE = np.array([f"{i:03d}" for i in range(1000)], dtype="U3")
#: The same tables as ASCII bytes.
_TABLES = {False: (_MINUTES, _SECONDS, _THREE),
           True: (_MINUTES.astype("S6"), _SECONDS.astype("S3"), _THREE.astype("S3"))}


def _codes(text: str) -> NDArray[np.uint32]:
    return np.array([ord(c) for c in text], dtype=np.uint32)


def _dates(days: Int64Array) -> NDArray[np.uint32]:
    """``YYYY-MM-DDT`` of each day number as code points (the proleptic Gregorian calendar by
    its 400-year era and year-of-era, integer arithmetic only)."""
    z = days + 719_468  # days since 0000-03-01
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    out = np.empty((days.size, 11), dtype=np.uint32)
    out[:] = _codes("0000-00-00T")
    out[:, 0:2] = _TWO[year // 100]
    out[:, 2:4] = _TWO[year % 100]
    out[:, 5:7] = _TWO[month]
    out[:, 8:10] = _TWO[day]
    return out


def _rendered(values: Int64Array, offset_minutes: int, *, millis: bool,
              as_bytes: bool = False) -> TextArray:
    """The S1 text of each instant with three (``millis``) or six fractional digits. Each
    string is a record of fixed-width text fields (date, ``HH:MM:``, ``SS.``, milliseconds,
    microseconds, offset) laid end to end, so that the record *is* the string: every field is
    a look-up in a small table of ready-made text (the dates in a table of the days spanned),
    copied whole, and no digit is written one by one. ``as_bytes``: the same in ASCII."""
    kind = "S" if as_bytes else "U"
    minutes, seconds, three = _TABLES[as_bytes]
    local = values + np.int64(offset_minutes * US_PER_MINUTE)
    days, in_day = np.divmod(local, np.int64(US_PER_DAY))
    suffix = format_offset(offset_minutes)
    fields = [("date", f"{kind}11"), ("minute", f"{kind}6"), ("second", f"{kind}3"),
              ("milli", f"{kind}3")]
    if not millis:
        fields.append(("micro", f"{kind}3"))
    fields.append(("offset", f"{kind}{len(suffix)}"))
    out = np.empty(values.size, dtype=np.dtype(fields))
    first, last = int(days.min()), int(days.max())
    if last - first < values.size:
        # Plans span few days against their instants: render each day once.
        dates = _date_texts(np.arange(first, last + 1, dtype=np.int64), as_bytes)
        out["date"] = dates[days - first]
    else:
        out["date"] = _date_texts(days, as_bytes)
    minute, in_minute = np.divmod(in_day, np.int64(US_PER_MINUTE))
    out["minute"] = minutes[minute]
    second, micros = np.divmod(in_minute, np.int64(1_000_000))
    out["second"] = seconds[second]
    out["milli"] = three[micros // 1000]
    if not millis:
        out["micro"] = three[micros % 1000]
    out["offset"] = suffix.encode("ascii") if as_bytes else suffix
    return out.view(f"{kind}{20 + (3 if millis else 6) + len(suffix)}")


def _date_texts(days: Int64Array, as_bytes: bool) -> TextArray:
    codes = _dates(days)
    return (codes.astype(np.uint8).view("S11") if as_bytes else codes.view("U11")).ravel()


#: ``destinations`` in lists of a given size (the name the writers knew it by).
chunks_of = destination_lists


@runtime_checkable
class BlockSource(Protocol):
    """Destinations that can be read in blocks (:meth:`DestinationFile.blocks
    <ivrsched.io.destination_files.DestinationFile.blocks>`), plain lines unbuilt."""

    def blocks(self, size: int) -> Iterator[Block]: ...


def blocks_of(destinations: Iterable[Destination], size: int) -> Iterator[Block]:
    """``destinations`` in blocks of at most ``size``: the source's own blocks when it reads
    in blocks (a file), else lists of destinations."""
    if isinstance(destinations, BlockSource):
        return destinations.blocks(size)
    return destination_lists(destinations, size)


class SlotRows:
    """The attempts of consecutive slots, chunk after chunk, rendered (one kernel for all)."""

    def __init__(self, header: MessagePlan, tz: Rendering | None = None) -> None:
        self.timeline = header.timeline
        self.offset = header.offset_minutes
        self.tz = tz
        self.kernel = vector.kernel_for(self.timeline.calendar, self.timeline.start_us)
        self.slot = 0

    def next_slots(self, count: int) -> list[list[str]]:
        """Rendered attempts of the next ``count`` slots, column by column (column k has an
        entry per slot with a (k+1)-th attempt: a prefix)."""
        return [column.tolist() for column in self.next_slot_texts(count)]

    def next_slot_texts(self, count: int, *, as_bytes: bool = False) -> list[TextArray]:
        """:meth:`next_slots` as NumPy arrays of text (of ASCII bytes with ``as_bytes``)."""
        slots = range(self.slot, self.slot + count)
        self.slot += count
        columns = vector.attempt_columns(self.timeline, slots, self.kernel)
        return [render_in(column, self.offset, self.tz, as_bytes=as_bytes)
                for column in columns]


def _runs(columns: list[list[str]]) -> Iterator[tuple[int, int, list[list[str]]]]:
    """The runs of slots with the same number of attempts: ``(lo, hi, columns)`` for slots
    ``lo <= s < hi``, each having exactly ``len(columns)`` attempts (lengths never grow with k,
    so the widest run holds the first slots)."""
    columns = [column for column in columns if column]
    for width in range(len(columns), 0, -1):
        lo = len(columns[width]) if width < len(columns) else 0
        hi = len(columns[width - 1])
        if hi > lo:
            yield lo, hi, [column[lo:hi] for column in columns[:width]]


def _attempt_lists(columns: list[list[str]], count: int) -> list[str]:
    """Each slot's attempts as a JSON array of strings (``[]`` when it has none)."""
    lists: list[str] = []
    for _, _, run in _runs(columns):
        lists.extend('["' + '", "'.join(times) + '"]' for times in zip(*run, strict=True))
    return lists + ["[]"] * (count - len(lists))


def _joined(pieces: Sequence[Iterable[str] | str]) -> str:
    """The rows whose k-th piece is the next of ``pieces[k]`` (a ``str``: the same text in every
    row), all joined. Rows of text are put together by ``zip`` and ``join`` in C, with no
    Python-level formatting per row (at least one of ``pieces`` must be finite)."""
    # Not strict: the repeated texts are endless; the finite pieces have one length.
    return "".join(chain.from_iterable(zip(*(repeat(piece) if isinstance(piece, str)
                                             else piece for piece in pieces), strict=False)))


def _generated_ids(header: MessagePlan, first_index: int, count: int,
                   name: Callable[[int, str | None], str]) -> row_bytes.ByteMatrix | None:
    """The generated messageIds of destinations ``first_index`` on as a byte matrix, or None
    when some ID is not plain ASCII text (JSON or CSV would have to escape or quote it)."""
    if isinstance(header.ids, SeededIds):
        return row_bytes.uuid_texts(header.ids.message_digests(
            header.message_index, first_index, first_index + count))
    ids = [name(index, None) for index in range(first_index, first_index + count)]
    joined = "".join(ids)
    if not joined.isascii() or _NEEDS_ESCAPE.search(joined) or _CSV_SPECIAL.search(joined):
        return None
    return row_bytes.ascii_texts(ids)


def _plain_jsonl_chunk(header: MessagePlan, chunk: PlainLines, first_index: int,
                       rows: SlotRows, deadline: str,
                       name: Callable[[int, str | None], str]) -> Rows:
    """The rows of plain lines: every one accepted, its address digits, its messageId
    generated. The rows are laid out as a byte matrix (:mod:`ivrsched.io.row_bytes`), or, in
    the rare chunk whose IDs JSON would escape, joined from strings."""
    count = len(chunk)
    if not count:
        return ""
    ids_matrix = _generated_ids(header, first_index, count, name)
    if ids_matrix is None:
        return _plain_jsonl_strings(header, chunk, first_index, rows, deadline, name)
    texts = rows.next_slot_texts(count, as_bytes=True)
    attempts = [row_bytes.Band(['"' if k == 0 else ', "', row_bytes.byte_texts(column), '"'],
                               len(column))
                for k, column in enumerate(texts) if len(column)]
    return row_bytes.rows_bytes([
        f'{{"message": {header.message_index}, "index": ',
        row_bytes.digits(np.arange(first_index, first_index + count, dtype=np.int64)),
        ', "to": "', row_bytes.ascii_texts(chunk.tos), '", "messageId": "', ids_matrix,
        '", "status": "PENDING_ACCEPTED", "attempts": [', *attempts,
        f'], "deadline": {deadline}, "line": ',
        row_bytes.digits(np.arange(chunk.first_line, chunk.first_line + count, dtype=np.int64)),
        "}\n"], count)


def _plain_jsonl_strings(header: MessagePlan, chunk: PlainLines, first_index: int,
                         rows: SlotRows, deadline: str,
                         name: Callable[[int, str | None], str]) -> str:
    count = len(chunk)
    columns = rows.next_slots(count)
    ids = [name(index, None) for index in range(first_index, first_index + count)]
    if _NEEDS_ESCAPE.search("".join(ids)) is not None:
        ids = [json_string(message_id)[1:-1] for message_id in ids]
    parts = []
    runs = [*_runs(columns)]
    end = runs[-1][1] if runs else 0
    if end < count:  # the last slots have no attempt at all
        runs.append((end, count, []))
    for lo, hi, run in runs:
        pieces: list[Iterable[str] | str] = [
            f'{{"message": {header.message_index}, "index": ',
            map(str, range(first_index + lo, first_index + hi)), ', "to": "', chunk.tos[lo:hi],
            '", "messageId": "', ids[lo:hi], '", "status": "PENDING_ACCEPTED", "attempts": ']
        if run:
            pieces.append('["')
            for k, column in enumerate(run):
                pieces.extend([column] if k == 0 else ['", "', column])
            pieces.append(f'"], "deadline": {deadline}, "line": ')
        else:
            pieces.append(f'[], "deadline": {deadline}, "line": ')
        pieces.extend([map(str, range(chunk.first_line + lo, chunk.first_line + hi)), "}\n"])
        parts.append(_joined(pieces))
    return "".join(parts)


def _jsonl_chunk(header: MessagePlan, chunk: Block, first_index: int,
                 rows: SlotRows, tally: RejectionTally | None, deadline: str,
                 name: Callable[[int, str | None], str]) -> Rows:
    if isinstance(chunk, PlainLines):
        return _plain_jsonl_chunk(header, chunk, first_index, rows, deadline, name)
    accepted = [not d.status.is_rejected for d in chunk]
    count = sum(accepted)
    attempts = iter(_attempt_lists(rows.next_slots(count), count))
    status_json = {status: f'"{status.value.name}"' for status in Status}
    indices = range(first_index, first_index + len(chunk))
    ids = [name(index, d.message_id) for d, index in zip(chunk, indices, strict=True)]
    tos = [d.to for d in chunk]
    # One search for the whole chunk: most chunks hold no character JSON would escape, and
    # then every string is written between quotes as it is (json_string's fast case).
    plain = None not in tos and _NEEDS_ESCAPE.search(
        "".join(to or "" for to in tos) + "".join(ids)) is None
    head = f'{{"message": {header.message_index}, "index": '
    parts = []
    for destination, ok, index, to, message_id in zip(chunk, accepted, indices, tos, ids,
                                                      strict=True):
        if ok:
            attempts_json = next(attempts)
        else:
            attempts_json = "[]"
            if tally is not None:
                tally.reject(destination)
        line = "" if destination.line is None else f', "line": {destination.line}'
        if plain:
            parts.append(f'{head}{index}, "to": "{to}", "messageId": "{message_id}", '
                         f'"status": {status_json[destination.status]}, '
                         f'"attempts": {attempts_json}, "deadline": {deadline}{line}}}\n')
        else:
            parts.append(f'{head}{index}, "to": {json_string(to)}, '
                         f'"messageId": {json_string(message_id)}, '
                         f'"status": {status_json[destination.status]}, '
                         f'"attempts": {attempts_json}, "deadline": {deadline}{line}}}\n')
    return "".join(parts)


class _Writer:
    """Writes chunks of rows, text or ASCII bytes, to a text or a byte stream."""

    def __init__(self, out: Output) -> None:
        self.binary = isinstance(out, (io.RawIOBase, io.BufferedIOBase))
        self.out = out

    def write(self, rows: Rows) -> None:
        if self.binary:
            cast(IO[bytes], self.out).write(rows if isinstance(rows, bytes)
                                            else rows.encode("utf-8"))
        else:
            cast(IO[str], self.out).write(rows if isinstance(rows, str)
                                          else rows.decode("ascii"))


def write_jsonl_chunked(header: MessagePlan, destinations: Iterable[Destination], out: Output,
                        *, chunk_size: int = CHUNK,
                        tz: Rendering | None = None) -> StreamSummary:
    """The ``jsonl`` rows of ``destinations`` under ``header``'s rules (as
    :func:`~ivrsched.planning.streaming.write_jsonl_stream` writes them), a chunk at a time.

    An attempt outside years 1..9999 (S12) raises :class:`PlanRangeError` after the rows
    before it were written, as the row-by-row writer does (its chunk is rewritten row by row).
    ``out`` is a text stream or a byte stream (see the module's docstring).
    """
    writer = _Writer(out)
    rows = SlotRows(header, tz)
    tally = RejectionTally()
    deadline = deadline_json(header.deadline_us, header.offset_minutes, tz)
    index = 0
    for chunk in blocks_of(destinations, chunk_size):
        slot = rows.slot
        try:
            text = _jsonl_chunk(header, chunk, index, rows, tally, deadline, header.name)
        except PlanRangeError:
            if tz is None:
                _rewrite_failing_chunk(header, _listed(chunk), index, slot, writer)
            raise  # pragma: no cover - the row-by-row writer raises first
        writer.write(text)
        index += len(chunk)
    return tally.summary(index, rows.slot)


def _listed(chunk: Block) -> list[Destination]:
    return chunk.destinations() if isinstance(chunk, PlainLines) else chunk


def _rewrite_failing_chunk(header: MessagePlan, chunk: list[Destination], first_index: int,
                           first_slot: int, out: _Writer) -> None:
    """Write a chunk whose attempts leave the range row by row: the rows before the failing
    one, then the scalar writer's own :class:`PlanRangeError`."""
    # Indices and slots continue from the chunk's: stand-ins take the places before it.
    skipped: list[Destination] = []
    if first_index:
        placeholder = Destination(None, "-", Status.REJECTED_INVALID_DESTINATION)
        accepted_stand_in = Destination("0")
        skipped = [accepted_stand_in] * first_slot + [placeholder] * (first_index - first_slot)
    sink = _Sink(out, len(skipped))
    write_jsonl_stream(header, [*skipped, *chunk], cast(IO[str], sink))


class _Sink(io.TextIOBase):
    """A text stream that drops its first ``skip`` rows and passes the rest on."""

    def __init__(self, out: _Writer, skip: int) -> None:
        self.out = out
        self.skip = skip

    def write(self, text: str) -> int:
        if self.skip:
            self.skip -= 1
        else:
            self.out.write(text)
        return len(text)


# -- csv ---------------------------------------------------------------------------------------

#: The characters that make ``csv.writer`` quote a field (minimal quoting).
_CSV_SPECIAL = re.compile('[,"\r\n]')


def _csv_field(text: str) -> str:
    """A field as ``csv.writer`` (minimal quoting) writes it."""
    if _CSV_SPECIAL.search(text) is not None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow([text])
        return buffer.getvalue()
    return text


def _csv_chunk(header: MessagePlan, chunk: Block, first_index: int, rows: SlotRows,
               tally: RejectionTally | None, name: Callable[[int, str | None], str]) -> Rows:
    message = header.message_index
    if isinstance(chunk, PlainLines):
        fast = _plain_csv_chunk(header, chunk, first_index, rows, name)
        if fast is not None:
            return fast
        # Addresses of digits need no quoting; generated IDs seldom do (checked per ID).
        count = len(chunk)
        columns = rows.next_slots(count)
        ids = [name(index, None) for index in range(first_index, first_index + count)]
        if _CSV_SPECIAL.search("".join(ids)) is not None:
            ids = [_csv_field(message_id) for message_id in ids]
        prefixes = [f"{message},{index},{to},{message_id},PENDING_ACCEPTED,"
                    for index, to, message_id in zip(range(first_index, first_index + count),
                                                     chunk.tos, ids, strict=True)]
        accepted = [True] * count
        if count and columns and len(columns[0]) == count:
            return _csv_rows(prefixes, columns)
        return _csv_mixed_chunk(prefixes, accepted, columns)
    accepted = [not d.status.is_rejected for d in chunk]
    count = sum(accepted)
    columns = rows.next_slots(count)
    prefixes = []
    for offset, destination in enumerate(chunk):
        index = first_index + offset
        message_id = name(index, destination.message_id)
        prefixes.append(f"{message},{index},{_csv_field(destination.to or '')},"
                        f"{_csv_field(message_id)},{destination.status.value.name},")
    if tally is not None:
        for destination, ok in zip(chunk, accepted, strict=True):
            if not ok:
                tally.reject(destination)
    with_attempts = len(columns[0]) if columns else 0
    if count != len(chunk) or with_attempts != count:
        return _csv_mixed_chunk(prefixes, accepted, columns)
    return _csv_rows(prefixes, columns)


def _plain_csv_chunk(header: MessagePlan, chunk: PlainLines, first_index: int,
                     rows: SlotRows, name: Callable[[int, str | None], str]) -> bytes | None:
    """The rows of plain lines as a byte matrix of destinations × attempts × row text (a
    destination with no attempt has one row with empty ``attempt`` and ``time``), or None
    when an ID would need quoting (nothing is consumed then)."""
    count = len(chunk)
    if not count:
        return b""
    ids_matrix = _generated_ids(header, first_index, count, name)
    if ids_matrix is None:
        return None
    times = [row_bytes.byte_texts(column)
             for column in rows.next_slot_texts(count, as_bytes=True) if len(column)]
    prefix = row_bytes.rows_matrix([
        f"{header.message_index},",
        row_bytes.digits(np.arange(first_index, first_index + count, dtype=np.int64)), ",",
        row_bytes.ascii_texts(chunk.tos), ",", ids_matrix, ",PENDING_ACCEPTED,"], count)
    # Each destination's rows in turn: a block of ``max(1, attempts)`` rows of the matrix, the
    # k-th "prefix,k,time\n" (the destinations with no attempt: "prefix,\n" alone).
    rows_parts = [[row_bytes.Band([prefix[:len(column)], f"{k + 1},", column, "\n"],
                                  len(column))] for k, column in enumerate(times)]
    without = len(times[0]) if times else 0  # the destinations with no attempt at all
    width = max([row_bytes.width_of(parts) for parts in rows_parts]
                + [prefix.shape[1] + 2])
    matrix = np.zeros((count, max(1, len(times)), width), dtype=np.uint8)
    for k, parts in enumerate(rows_parts):
        row_bytes.fill(matrix[:, k, :], parts)
    if without < count:
        row_bytes.fill(matrix[without:, 0, :], [prefix[without:], ",\n"])
    return row_bytes.squeezed(matrix)


def _csv_rows(prefixes: list[str], columns: list[list[str]]) -> str:
    """The common chunk: every destination accepted and attempted. Row order: each
    destination's attempts in turn, each line its prefix, ``attempt,time`` and a newline."""
    text: list[str] = []
    for lo, hi, run in _runs(columns):
        heads = prefixes[lo:hi]
        pieces: list[Iterable[str] | str] = []
        for number, column in enumerate(run, 1):
            pieces.extend([heads, f"{number},", column, "\n"])
        text.append(_joined(pieces))
    return "".join(text)


def _csv_mixed_chunk(prefixes: list[str], accepted: list[bool],
                     columns: Sequence[Sequence[str]]) -> str:
    """A chunk with rejected destinations, or accepted ones without an attempt: each gets one
    row with empty ``attempt`` and ``time``, in request order among the others' rows."""
    parts: list[str] = []
    slot = 0
    for prefix, ok in zip(prefixes, accepted, strict=True):
        times = []
        if ok:
            times = [column[slot] for column in columns if slot < len(column)]
            slot += 1
        if not times:
            parts.append(f"{prefix},\n")
        parts.extend(f"{prefix}{number},{at}\n" for number, at in enumerate(times, start=1))
    return "".join(parts)


def interleave(columns: Sequence[NDArray[Any]]) -> NDArray[Any]:
    """The values of attempt columns in row order (slot 0's attempts, then slot 1's, ...).
    Column lengths never grow with k, so the slots with exactly w attempts are a run: each run
    is its w columns stacked side by side, the widest run (the first slots) first."""
    columns = [column for column in columns if len(column)]
    if not columns:
        return np.empty(0, dtype=np.int64)
    runs = []
    for width in range(len(columns), 0, -1):
        lo = len(columns[width]) if width < len(columns) else 0
        hi = len(columns[width - 1])
        if hi > lo:
            runs.append(np.stack([column[lo:hi] for column in columns[:width]], axis=1).ravel())
    return np.concatenate(runs)


def write_csv_chunked(header: MessagePlan, destinations: Iterable[Destination], out: Output,
                      *, chunk_size: int = CHUNK, header_row: bool = True,
                      tz: Rendering | None = None) -> StreamSummary:
    """The ``csv`` rows (one per attempt) of ``destinations`` under ``header``'s rules, a chunk
    at a time; with ``header_row``, the header line first. ``out`` is a text stream or a byte
    stream (see the module's docstring)."""
    writer = _Writer(out)
    rows = SlotRows(header, tz)
    tally = RejectionTally()
    if header_row:
        writer.write(",".join(CSV_HEADER) + "\n")
    index = 0
    for chunk in blocks_of(destinations, chunk_size):
        writer.write(_csv_chunk(header, chunk, index, rows, tally, header.name))
        index += len(chunk)
    return tally.summary(index, rows.slot)


# -- whole plans ---------------------------------------------------------------------------------

def _full(message_plan: MessagePlan) -> bool:
    return message_plan.positions == range(len(message_plan.message.destinations))


def write_plan_jsonl(plan: Plan, out: Output, tz: Rendering | None = None) -> None:
    """:func:`ivrsched.io.plan_formats.write_jsonl`, chunked."""
    for message_plan in plan.messages:
        message_plan.record_counts(write_jsonl_chunked(message_plan, _positions(message_plan),
                                                       out, tz=tz))


def write_plan_csv(plan: Plan, out: Output, tz: Rendering | None = None) -> None:
    """:func:`ivrsched.io.plan_formats.write_csv`, chunked."""
    _Writer(out).write(",".join(CSV_HEADER) + "\n")
    for message_plan in plan.messages:
        message_plan.record_counts(write_csv_chunked(message_plan, _positions(message_plan), out,
                                                     header_row=False, tz=tz))


def _positions(message_plan: MessagePlan) -> Iterable[Destination]:
    if message_plan.stream is not None:
        return message_plan.source
    if not _full(message_plan):
        raise ValueError("chunked writers take whole message plans")
    return message_plan.message.destinations


__all__ = [
    "CHUNK",
    "blocks_of",
    "render_instants",
    "write_csv_chunked",
    "write_jsonl_chunked",
    "write_plan_csv",
    "write_plan_jsonl",
]
