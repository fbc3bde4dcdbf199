"""When attempts may happen: the calendar a time line runs on (SPEC S6).

Pacing (S3) is laid on *open time*, the time that elapses while attempts are allowed. A calendar
maps between wall instants and open time. :class:`AlwaysOpen` is the calendar of a message without a
delivery time window, where open time and wall time are the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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


@dataclass(frozen=True)
class AlwaysOpen:
    """No delivery time window: every instant is open."""

    def next_open(self, at_us: int) -> int:
        return at_us

    def advance(self, start_us: int, open_us: int) -> int:
        return start_us + open_us

    def open_between(self, start_us: int, end_us: int) -> int:
        return max(0, end_us - start_us)


ALWAYS_OPEN = AlwaysOpen()
