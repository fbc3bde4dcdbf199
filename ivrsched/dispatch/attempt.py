"""The values a dispatcher hands out and reports (SPEC S14), and its errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ivrsched.errors import IvrschedError
from ivrsched.rules.instants import format_us, offset_minutes_of, to_us
from ivrsched.simulation.engine import DestinationResult, Ending
from ivrsched.simulation.outcomes import Outcome


class DispatchError(IvrschedError, ValueError):
    """A call a dispatcher refuses (a naive instant, an unknown key, a second outcome, an
    outcome before its attempt, an instant before the dispatcher's clock, a journal that is not
    one); the journal and the dispatcher are left as they were."""


class JournalError(IvrschedError):
    """A journal file that cannot be created, opened or read as a dispatcher's journal."""


@dataclass(frozen=True)
class Attempt:
    """One attempt handed out: place a call to ``to`` now.

    ``key`` is ``"{messageId}:{number}"``, stable across restarts (a dialer can be idempotent
    by it); ``number`` is 1 for the first attempt; ``time`` is the instant it was handed out
    (aware, in the message's rendering offset, S1). ``message`` and ``index`` locate the
    destination in the request (message index, position in its destinations).
    """

    key: str
    message_id: str
    to: str
    number: int
    time: datetime
    message: int
    index: int

    def as_json(self) -> dict[str, object]:
        """The attempt as JSON (what a dialer reads on its standard input). ``time`` is
        rendered as every instant of ivrsched's output (S1): milliseconds, or microseconds when
        the sub-millisecond part is not zero, in the offset ``time`` carries (the message's),
        exactly as the ``time`` of the attempt's row in ``simulate``'s and ``d.log()``'s log."""
        return {"key": self.key, "messageId": self.message_id, "to": self.to,
                "attempt": self.number,
                "time": format_us(to_us(self.time), offset_minutes_of(self.time)),
                "message": self.message, "index": self.index}


def attempt_key(message_id: str, number: int) -> str:
    """The stable key of attempt ``number`` of the destination with ``message_id``."""
    return f"{message_id}:{number}"


def instant_us(value: object, name: str) -> int:
    """An aware datetime argument as integer µs; anything else is a :class:`DispatchError`."""
    if not isinstance(value, datetime):
        raise DispatchError(f"{name} must be an aware datetime (got {type(value).__name__})")
    if value.tzinfo is None or value.utcoffset() is None:
        raise DispatchError(f"{name} is a naive datetime, which names no instant; give it a "
                            "UTC offset")
    return to_us(value)


def outcome_kind(value: object) -> Outcome:
    """``answered``, ``no-answer``, ``busy`` or ``failed`` (text or :class:`Outcome`)."""
    if isinstance(value, Outcome):
        return value
    try:
        return Outcome(value)
    except ValueError:
        names = ", ".join(o.value for o in Outcome)
        raise DispatchError(f"the outcome must be one of {names} (got {value!r})") from None


__all__ = ["Attempt", "DestinationResult", "DispatchError", "Ending", "JournalError",
           "attempt_key", "instant_us", "outcome_kind"]
