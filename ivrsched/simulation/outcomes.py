"""What happens when an attempt is made: outcomes as data or as a model (SPEC S10).

An attempt ends answered, no-answer, busy or failed, after a duration in integer microseconds.
:func:`ivrsched.simulate` asks an :class:`OutcomeSource` for the outcome of attempt *k* of a
destination. Three sources are provided: :class:`Constant` (every attempt the same),
:class:`OutcomeTable` (data keyed by ``messageId`` or ``to`` and attempt number, loadable from
JSONL or CSV files) and :class:`Random` (a seeded model). A source must be a pure function of
(destination, attempt): a simulation may be run more than once and must see the same outcomes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum
from fractions import Fraction
from types import MappingProxyType
from typing import Protocol

from ivrsched.errors import IvrschedError
from ivrsched.io.logs import without_bom
from ivrsched.planning.planner import DestinationSchedule
from ivrsched.rules.instants import US_PER_SECOND, InstantSyntaxError, parse_instant, timedelta_us


class Outcome(Enum):
    """How an attempt ended; the value is the name used in files and logs."""

    ANSWERED = "answered"
    NO_ANSWER = "no-answer"
    BUSY = "busy"
    FAILED = "failed"


@dataclass(frozen=True)
class AttemptOutcome:
    """The outcome of one attempt: how it ended and how long it lasted, in integer µs.

    ``answer_after_us`` is, for an answered call, the time from the start of the attempt to the
    answer (0 when unknown); it is None for every other outcome.
    """

    kind: Outcome
    duration_us: int
    answer_after_us: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.duration_us, bool) or not isinstance(self.duration_us, int):
            raise TypeError("duration_us must be an integer number of microseconds")
        if self.duration_us < 0:
            raise ValueError("an attempt cannot last a negative time")
        if self.kind is Outcome.ANSWERED:
            if self.answer_after_us is None:
                object.__setattr__(self, "answer_after_us", 0)
            elif (isinstance(self.answer_after_us, bool)
                  or not isinstance(self.answer_after_us, int)
                  or not 0 <= self.answer_after_us <= self.duration_us):
                raise ValueError("answer_after_us must be an integer within the call's duration")
        elif self.answer_after_us is not None:
            raise ValueError("only an answered call has an answer time")

    @property
    def answered(self) -> bool:
        return self.kind is Outcome.ANSWERED

    @classmethod
    def of(cls, kind: Outcome | str, duration: timedelta = timedelta(0),
           answer_after: timedelta | None = None) -> AttemptOutcome:
        """Build an outcome from a kind (or its name) and ``timedelta`` durations."""
        return cls(Outcome(kind), timedelta_us(duration),
                   None if answer_after is None else timedelta_us(answer_after))


class OutcomeSource(Protocol):
    """Anything that says how attempt ``attempt`` (1 = first) of a destination ends."""

    def outcome(self, destination: DestinationSchedule, attempt: int) -> AttemptOutcome:
        """The outcome of attempt ``attempt`` of ``destination``; must be deterministic."""
        ...


class MissingOutcomeError(IvrschedError, LookupError):
    """A table has no outcome for an attempt and no fallback source."""


@dataclass(frozen=True)
class Constant:
    """Every attempt of every destination has the same outcome."""

    value: AttemptOutcome

    def outcome(self, destination: DestinationSchedule, attempt: int) -> AttemptOutcome:
        return self.value


#: A table key: the messageId or ``to``, and the attempt number (None: every attempt).
TableKey = tuple[str, int | None]


@dataclass(frozen=True)
class OutcomeTable:
    """Outcomes as data, keyed by ``messageId`` or ``to`` and attempt number.

    Lookup order: (messageId, attempt), (messageId, any attempt), (to, attempt), (to, any
    attempt), then ``fallback``; with no fallback a missing entry raises
    :class:`MissingOutcomeError`. A ``to`` key applies to that number in every message.
    """

    by_message_id: Mapping[TableKey, AttemptOutcome] = field(default_factory=dict)
    by_to: Mapping[TableKey, AttemptOutcome] = field(default_factory=dict)
    fallback: OutcomeSource | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_message_id", MappingProxyType(dict(self.by_message_id)))
        object.__setattr__(self, "by_to", MappingProxyType(dict(self.by_to)))

    def __len__(self) -> int:
        return len(self.by_message_id) + len(self.by_to)

    def outcome(self, destination: DestinationSchedule, attempt: int) -> AttemptOutcome:
        for table, key in ((self.by_message_id, destination.message_id),
                           (self.by_to, destination.to)):
            if key is None:
                continue
            for wanted in ((key, attempt), (key, None)):
                found = table.get(wanted)
                if found is not None:
                    return found
        if self.fallback is not None:
            return self.fallback.outcome(destination, attempt)
        raise MissingOutcomeError(
            f"no outcome for attempt {attempt} of messageId {destination.message_id!r} "
            f"(to {destination.to!r})")

    def with_fallback(self, fallback: OutcomeSource | None) -> OutcomeTable:
        """The same table, falling back to ``fallback`` for attempts it does not list."""
        return OutcomeTable(self.by_message_id, self.by_to, fallback)


# -- the random model ----------------------------------------------------------------------

Rate = float | Fraction | int

#: 2**53 equally likely draws per attempt: fine enough for any float rate, compared exactly.
_DRAW_BITS = 53


def _rate(value: Rate, name: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        raise TypeError(f"{name} must be a number between 0 and 1")
    rate = Fraction(value)  # exact, also for floats
    if not 0 <= rate <= 1:
        raise ValueError(f"{name} must be between 0 and 1 (got {value})")
    return rate


def _span(value: timedelta | tuple[timedelta, timedelta], name: str) -> tuple[int, int]:
    low, high = (value, value) if isinstance(value, timedelta) else value
    low_us, high_us = timedelta_us(low), timedelta_us(high)
    if not 0 <= low_us <= high_us:
        raise ValueError(f"{name} must be a non-negative time or a (low, high) pair")
    return low_us, high_us


def _bounds(rates: tuple[Fraction, Fraction, Fraction]) -> tuple[int, int, int]:
    """Cumulative rates as bounds on an integer draw d in [0, 2**53): d / 2**53 < r iff
    d < ceil(r * 2**53), so the draw is compared exactly, with integers only."""
    scale = 1 << _DRAW_BITS
    total = Fraction(0)
    bounds = []
    for rate in rates:
        total += rate
        bounds.append(-(-total.numerator * scale // total.denominator))
    return bounds[0], bounds[1], bounds[2]


@dataclass(frozen=True, init=False)
class Random:
    """A seeded model of outcomes: answered with probability ``answer_rate``, busy with
    ``busy_rate``, failed with ``failed_rate``, otherwise no-answer.

    Durations are integer µs: a no-answer attempt rings for ``ring_timeout``; an answered one is
    answered after a uniform time in [0, ring_timeout] and then lasts a uniform ``talk_time``
    (a ``timedelta`` or an inclusive ``(low, high)`` pair); busy lasts ``busy_time``, failed
    ``failed_time``. Each attempt draws from its own generator, derived by hashing (seed,
    message, index, attempt), so an outcome does not depend on which destinations were simulated
    before it, and the same seed gives the same outcomes.
    """

    answer_rate: Fraction
    busy_rate: Fraction
    failed_rate: Fraction
    seed: int | str
    ring_us: int
    talk_us: tuple[int, int]
    busy_us: int
    failed_us: int
    #: Integer draw bounds of answered, busy, failed (cumulative), derived from the rates.
    bounds: tuple[int, int, int] = field(repr=False, compare=False)

    def __init__(self, answer_rate: Rate = Fraction(1, 2), busy_rate: Rate = Fraction(1, 10),
                 *, seed: int | str, failed_rate: Rate = 0,
                 ring_timeout: timedelta = timedelta(seconds=45),
                 talk_time: timedelta | tuple[timedelta, timedelta] = (
                     timedelta(seconds=30), timedelta(seconds=120)),
                 busy_time: timedelta = timedelta(seconds=5),
                 failed_time: timedelta = timedelta(0)) -> None:
        rates = (_rate(answer_rate, "answer_rate"), _rate(busy_rate, "busy_rate"),
                 _rate(failed_rate, "failed_rate"))
        if sum(rates) > 1:
            raise ValueError("answer_rate + busy_rate + failed_rate must not exceed 1")
        ring = _span(ring_timeout, "ring_timeout")[0]
        busy = _span(busy_time, "busy_time")[0]
        failed = _span(failed_time, "failed_time")[0]
        for name, value in (("answer_rate", rates[0]), ("busy_rate", rates[1]),
                            ("failed_rate", rates[2]), ("seed", seed), ("ring_us", ring),
                            ("talk_us", _span(talk_time, "talk_time")),
                            ("busy_us", busy), ("failed_us", failed),
                            ("bounds", _bounds(rates))):
            object.__setattr__(self, name, value)

    def generator(self, message: int, index: int, attempt: int) -> random.Random:
        """The generator of one attempt: a function of the seed and the attempt's identity."""
        digest = hashlib.blake2b(repr((self.seed, message, index, attempt)).encode(),
                                 digest_size=32).digest()
        return random.Random(int.from_bytes(digest, "big"))

    def outcome(self, destination: DestinationSchedule, attempt: int) -> AttemptOutcome:
        rng = self.generator(destination.message, destination.index, attempt)
        draw = rng.getrandbits(_DRAW_BITS)
        answered, busy, failed = self.bounds
        if draw < answered:
            ring = rng.randint(0, self.ring_us)
            talk = rng.randint(*self.talk_us)
            return AttemptOutcome(Outcome.ANSWERED, ring + talk, ring)
        if draw < busy:
            return AttemptOutcome(Outcome.BUSY, self.busy_us)
        if draw < failed:
            return AttemptOutcome(Outcome.FAILED, self.failed_us)
        return AttemptOutcome(Outcome.NO_ANSWER, self.ring_us)


# -- outcome files ------------------------------------------------------------------------

class OutcomeFileError(IvrschedError, ValueError):
    """A line of an outcomes file that cannot be read; ``line`` is 1-based."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line


def _seconds_us(value: object, name: str) -> int:
    """Seconds (an integer, an exact decimal, or their text) as integer µs, without float."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise ValueError(f"{name} must be a number of seconds")
    try:
        seconds = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"{name} must be a number of seconds (got {value!r})") from exc
    if not seconds.is_finite() or seconds < 0:
        raise ValueError(f"{name} must be a finite number of seconds >= 0")
    micros = seconds * US_PER_SECOND
    if micros != micros.to_integral_value():
        raise ValueError(f"{name} has more than six decimal places")
    return int(micros)


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
        return _seconds_us(fields["duration"], "duration")
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
    answer_us = None if answer in (None, "") else _seconds_us(answer, "answerAfter")
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


def _jsonl_rows(lines: Iterable[str], source: str) -> Iterable[tuple[int, Mapping[str, object]]]:
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


def load_outcomes_jsonl(lines: Iterable[str], source: str = "<outcomes>") -> OutcomeTable:
    """An :class:`OutcomeTable` from JSON Lines (one object per line, see
    :func:`outcome_entry`); blank lines and a leading byte order mark are skipped. ``source``
    names the file in errors."""
    return _build(_jsonl_rows(lines, source), source)


def load_outcomes_csv(lines: Iterable[str], source: str = "<outcomes>") -> OutcomeTable:
    """An :class:`OutcomeTable` from CSV with a header row naming the fields of
    :func:`outcome_entry` (extra columns, such as a simulation log's, are ignored); a leading
    byte order mark is skipped."""
    reader = csv.reader(without_bom(lines))

    def rows() -> Iterable[tuple[int, Mapping[str, object]]]:
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

    return _build(rows(), source)


def load_outcomes(path: str) -> OutcomeTable:
    """Read an outcomes file: CSV when its name ends in ``.csv``, JSON Lines otherwise.

    Raises :class:`OutcomeFileError` (naming the line) for bad content, OSError when the file
    cannot be opened.
    """
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise OutcomeFileError(path, line, "not UTF-8 text") from None
    # Only CR and LF end lines: U+2028 and friends may sit inside a JSON string or CSV field.
    lines = io.StringIO(text, newline="")
    if path.lower().endswith(".csv"):
        return load_outcomes_csv(lines, path)
    return load_outcomes_jsonl(lines, path)


__all__ = [
    "AttemptOutcome", "Constant", "MissingOutcomeError", "Outcome", "OutcomeFileError",
    "OutcomeSource", "OutcomeTable", "Random", "load_outcomes", "load_outcomes_csv",
    "load_outcomes_jsonl", "outcome_entry",
]
