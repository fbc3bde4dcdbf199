"""When attempts may happen: the calendar a time line runs on (SPEC S6).

Pacing (S3) is laid on *open time*, the time that elapses while attempts are allowed. A calendar
maps between wall instants and open time. :class:`AlwaysOpen` is the calendar of a message without a
delivery time window, where open time and wall time are the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivrsched.abc import Calendar


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

__all__ = ["ALWAYS_OPEN", "AlwaysOpen", "Calendar"]
