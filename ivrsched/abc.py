"""The interfaces of ivrsched, in one place: what the library asks of the things it is given.

* :class:`Calendar`: when attempts are allowed (SPEC S6); a time line runs on one.
  :class:`~ivrsched.rules.open_time.AlwaysOpen` and
  :class:`~ivrsched.rules.windows.WindowCalendar` implement it.
* :class:`IdSource`: where generated ``bulkId`` and ``messageId`` values come from (S8).
  :class:`~ivrsched.ids.SeededIds` implements it.
* :class:`OutcomeSource`: how each attempt ends, for a simulation (S10).
  :mod:`ivrsched.simulation.outcomes` has three.
* :data:`Clock`: the current time, for a plan made "now" (S2).
  :func:`~ivrsched.planning.planner.system_clock` is the default.

Each is also importable from the module that uses it (``ivrsched.rules.open_time.Calendar``,
``ivrsched.ids.IdSource``, ``ivrsched.simulation.outcomes.OutcomeSource``,
``ivrsched.planning.planner.Clock``). This module imports nothing of the library at run time,
so any module can depend on it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ivrsched.planning.planner import DestinationSchedule
    from ivrsched.simulation.outcomes import AttemptOutcome

#: A clock: called with no argument, it returns the current time as an aware ``datetime``.
Clock = Callable[[], datetime]


class Calendar(Protocol):
    """The three questions a time line asks of its calendar. All instants are integer µs."""

    def next_open(self, at_us: int) -> int:
        """``at_us`` when attempts are allowed then, else the next instant at which they are."""
        ...

    def advance(self, start_us: int, open_us: int) -> int:
        """The earliest allowed instant at which ``open_us`` of open time has elapsed since
        ``start_us``."""
        ...

    def open_between(self, start_us: int, end_us: int) -> int:
        """Open time elapsed in ``[start_us, end_us)``; 0 when ``end_us <= start_us``."""
        ...


class IdSource(Protocol):
    """Where generated ``bulkId`` and ``messageId`` values come from."""

    def bulk_id(self) -> str:
        """The bulkId of a request that gave none."""
        ...

    def message_id(self, message: int, index: int) -> str:
        """The messageId of destination ``index`` of message ``message``, when it gave none."""
        ...


class OutcomeSource(Protocol):
    """Anything that says how attempt ``attempt`` (1 = first) of a destination ends."""

    def outcome(self, destination: DestinationSchedule, attempt: int) -> AttemptOutcome:
        """The outcome of attempt ``attempt`` of ``destination``; must be deterministic."""
        ...


__all__ = ["Calendar", "Clock", "IdSource", "OutcomeSource"]
