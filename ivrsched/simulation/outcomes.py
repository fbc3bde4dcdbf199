"""What happens when an attempt is made: outcomes as data or as a model (SPEC S10).

An attempt ends answered, no-answer, busy or failed, after a duration in integer microseconds.
:func:`ivrsched.simulate` asks an :class:`OutcomeSource` for the outcome of attempt *k* of a
destination. Three sources are provided: :class:`Constant` (every attempt the same),
:class:`OutcomeTable` (data keyed by ``messageId`` or ``to`` and attempt number; read from JSONL
or CSV files by :mod:`ivrsched.io.outcome_files`) and :class:`Random` (a seeded model). A source
must be a pure function of (destination, attempt): a simulation may be run more than once and
must see the same outcomes.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum
from fractions import Fraction
from types import MappingProxyType

from ivrsched.abc import OutcomeSource
from ivrsched.errors import IvrschedError
from ivrsched.planning.planner import DestinationSchedule
from ivrsched.rules.instants import timedelta_us
from ivrsched.rules.quantities import RateValue, exact_rate


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

#: A rate: a Fraction, int, float, Decimal or text, read by
#: :func:`~ivrsched.rules.quantities.exact_rate` (a float 0.3 is 3/10, as in the forecast).
Rate = RateValue

#: 2**53 equally likely draws per attempt: fine enough for any rate, compared exactly.
_DRAW_BITS = 53


def _rate(value: Rate, name: str) -> Fraction:
    try:
        return exact_rate(value)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


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


__all__ = [
    "AttemptOutcome", "Constant", "MissingOutcomeError", "Outcome", "OutcomeSource",
    "OutcomeTable", "Random", "Rate", "TableKey",
]
