"""Outcome files: the outcomes of attempts as data, in JSON Lines or CSV (SPEC S10).

Each row names a destination (``messageId`` or ``to``), an ``outcome`` (answered, no-answer,
busy, failed), optionally an ``attempt`` (1 = first; absent: every attempt), a duration
(``duration`` in seconds, or ``time`` and ``end`` instants, as a simulation's event log gives
them) and, for an answered call, ``answerAfter`` in seconds. The rows become an
:class:`~ivrsched.simulation.outcomes.OutcomeTable`. A faulty row raises
:class:`OutcomeFileError` (an :class:`~ivrsched.io.text_files.InputFileError`) naming the file
and the line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal

from ivrsched.io.text_files import InputFileError, read_lines, without_bom
from ivrsched.rules.instants import InstantSyntaxError, parse_instant
from ivrsched.rules.quantities import seconds_us
from ivrsched.simulation.outcomes import AttemptOutcome, Outcome, OutcomeTable, TableKey

#: How an outcomes file is named in errors when its reader was not told.
UNNAMED = "<outcomes>"


class OutcomeFileError(InputFileError):
    """A line of an outcomes file that cannot be read: ``source``, 1-based ``line``, ``reason``."""


def _seconds(value: object, name: str) -> int:
    """Seconds (an integer, an exact decimal, or their text) as integer µs, without float."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise ValueError(f"{name}: must be a number of seconds, not {type(value).__name__}")
    try:
        return seconds_us(value)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _attempt_number(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.isdecimal():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"attempt must be an integer >= 1 (got {value!r})")
    return value


def _duration_us(fields: Mapping[str, object]) -> int:
    """``duration`` in seconds, else ``end`` − ``time`` (as a simulation log gives them)."""
    if fields.get("duration") not in (None, ""):
        return _seconds(fields["duration"], "duration")
    start, end = fields.get("time"), fields.get("end")
    if start in (None, "") and end in (None, ""):
        return 0
    if not isinstance(start, str) or not isinstance(end, str):
        raise ValueError("give both 'time' and 'end' (ISO 8601 instants), or 'duration'")
    try:
        elapsed = parse_instant(end)[0] - parse_instant(start)[0]
    except InstantSyntaxError as exc:
        raise ValueError(str(exc)) from exc
    if elapsed < 0:
        raise ValueError("'end' is before 'time'")
    return elapsed


def outcome_entry(fields: Mapping[str, object]) -> tuple[str, TableKey, AttemptOutcome]:
    """One row of an outcomes file: (``"messageId"`` or ``"to"``, key, outcome).

    Fields: ``messageId`` or ``to`` (messageId wins when both are given); ``outcome``
    (answered, no-answer, busy, failed); optional ``attempt`` (1 = first; absent: every
    attempt); ``duration`` in seconds, or ``time`` and ``end`` instants; ``answerAfter`` in
    seconds for an answered call.
    Raises ValueError with a plain message.
    """
    # messageId is the more specific key: a row giving both (as a simulation log does) is
    # keyed by it.
    ids = [name for name in ("messageId", "to") if fields.get(name) not in (None, "")]
    if not ids:
        raise ValueError("give 'messageId' or 'to'")
    name = ids[0]
    key = fields[name]
    if not isinstance(key, str):
        raise ValueError(f"{name} must be a string")
    kind_text = fields.get("outcome")
    try:
        kind = Outcome(kind_text)
    except ValueError:
        names = ", ".join(o.value for o in Outcome)
        raise ValueError(f"outcome must be one of {names} (got {kind_text!r})") from None
    attempt = _attempt_number(fields.get("attempt"))
    duration = _duration_us(fields)
    answer = fields.get("answerAfter")
    answer_us = None if answer in (None, "") else _seconds(answer, "answerAfter")
    if answer_us is not None and kind is not Outcome.ANSWERED:
        raise ValueError("answerAfter is only for an answered call")
    if answer_us is not None and answer_us > duration:
        raise ValueError("answerAfter is longer than the call")
    return name, (key, attempt), AttemptOutcome(kind, duration, answer_us)


def _build(rows: Iterable[tuple[int, Mapping[str, object]]], source: str) -> OutcomeTable:
    tables: dict[str, dict[TableKey, AttemptOutcome]] = {"messageId": {}, "to": {}}
    seen: dict[tuple[str, TableKey], int] = {}
    for line, fields in rows:
        try:
            name, key, value = outcome_entry(fields)
        except ValueError as exc:
            raise OutcomeFileError(source, line, str(exc)) from None
        if (name, key) in seen:
            raise OutcomeFileError(source, line, f"{name} {key[0]!r} attempt "
                                   f"{key[1] or 'any'} is already given on line "
                                   f"{seen[(name, key)]}")
        seen[(name, key)] = line
        tables[name][key] = value
    return OutcomeTable(tables["messageId"], tables["to"])


def _jsonl_rows(lines: Iterable[str], source: str) -> Iterator[tuple[int, Mapping[str, object]]]:
    for number, text in enumerate(without_bom(lines), start=1):
        if not text.strip():
            continue
        try:
            value = json.loads(text, parse_float=Decimal)
        except (ValueError, RecursionError) as exc:
            raise OutcomeFileError(source, number, f"not JSON ({exc})") from None
        if not isinstance(value, dict):
            raise OutcomeFileError(source, number, "each line must be a JSON object")
        yield number, value


def _csv_rows(lines: Iterable[str], source: str) -> Iterator[tuple[int, Mapping[str, object]]]:
    reader = csv.reader(without_bom(lines))
    try:
        header = next(reader, None)
        if header is None:
            return
        if "outcome" not in header or not {"messageId", "to"} & set(header):
            raise OutcomeFileError(source, 1, "the header must name 'outcome' and "
                                   "'messageId' or 'to'")
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise OutcomeFileError(source, reader.line_num, f"{len(row)} fields, the "
                                       f"header has {len(header)}")
            yield reader.line_num, dict(zip(header, row, strict=True))
    except csv.Error as exc:
        raise OutcomeFileError(source, reader.line_num, f"bad CSV ({exc})") from None


def load_outcomes_jsonl(lines: Iterable[str], source: str = UNNAMED) -> OutcomeTable:
    """An :class:`~ivrsched.simulation.outcomes.OutcomeTable` from JSON Lines (one object per
    line, see :func:`outcome_entry`); blank lines and a leading byte order mark are skipped.
    ``source`` names the file in errors."""
    return _build(_jsonl_rows(lines, source), source)


def load_outcomes_csv(lines: Iterable[str], source: str = UNNAMED) -> OutcomeTable:
    """An :class:`~ivrsched.simulation.outcomes.OutcomeTable` from CSV with a header row naming
    the fields of :func:`outcome_entry` (extra columns, such as a simulation log's, are
    ignored); a leading byte order mark is skipped."""
    return _build(_csv_rows(lines, source), source)


def load_outcomes(path: str) -> OutcomeTable:
    """Read an outcomes file: CSV when its name ends in ``.csv``, JSON Lines otherwise.

    Raises :class:`OutcomeFileError`, naming the line, for bad content, bytes that are not
    UTF-8, or a file that cannot be opened (line None).
    """
    lines = read_lines(path, path, OutcomeFileError)
    try:
        if path.lower().endswith(".csv"):
            return load_outcomes_csv(lines, path)
        return load_outcomes_jsonl(lines, path)
    finally:
        lines.close()


__all__ = [
    "UNNAMED", "OutcomeFileError", "load_outcomes", "load_outcomes_csv", "load_outcomes_jsonl",
    "outcome_entry",
]
