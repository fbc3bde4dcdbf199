"""When attempts may happen: the calendar a time line runs on (SPEC S6).

Pacing (S3) is laid on *open time*, the time that elapses while attempts are allowed. A calendar
maps between wall instants and open time. :class:`AlwaysOpen` is the calendar of a message without a
delivery time window, where open time and wall time are the same.

A calendar answers three questions (:class:`Calendar`). Everything else a time line needs (is an
instant open, which periods are closed) follows from those, and :func:`closed_periods` answers it
for any calendar; a calendar may answer faster itself with a ``closed_periods`` method. A calendar
may also *say* that open time equals wall time (a true ``always_open`` attribute), which lets the
time line (:mod:`ivrsched.rules.timeline`) take its O(1) shortcuts; only the time line asks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from ivrsched.abc import Calendar


@dataclass(frozen=True)
class AlwaysOpen:
    """No delivery time window: every instant is open."""

    #: Open time is wall time: the time line may shift attempts by fixed offsets.
    always_open: ClassVar[bool] = True

    def next_open(self, at_us: int) -> int:
        return at_us

    def advance(self, start_us: int, open_us: int) -> int:
        return start_us + open_us

    def open_between(self, start_us: int, end_us: int) -> int:
        return max(0, end_us - start_us)

    def closed_periods(self, start_us: int, end_us: int) -> Iterator[tuple[int, int]]:
        """Never closed."""
        return iter(())


ALWAYS_OPEN = AlwaysOpen()


def is_always_open(calendar: Calendar) -> bool:
    """Whether ``calendar`` says that open time equals wall time (it never closes). A calendar
    that does not say so is taken to close at times, which is always correct, only slower."""
    return getattr(calendar, "always_open", False) is True


def closed_periods(calendar: Calendar, start_us: int, end_us: int) -> Iterator[tuple[int, int]]:
    """The closed periods ``[a, b)`` of ``calendar`` within ``[start_us, end_us)``, in order
    (for plots and reports). Works for any :class:`Calendar`: one with a ``closed_periods``
    method answers itself, any other is searched with its three questions."""
    own = getattr(calendar, "closed_periods", None)
    if callable(own):
        periods: Iterator[tuple[int, int]] = own(start_us, end_us)
        return periods
    return closed_periods_by_search(calendar, start_us, end_us)


def closed_periods_by_search(calendar: Calendar, start_us: int,
                             end_us: int) -> Iterator[tuple[int, int]]:
    """Closed periods of any calendar, found with its three questions only: an open run from
    ``a`` ends at the smallest c with ``open_between(a, c) < c - a`` (binary search)."""
    at = start_us
    while at < end_us:
        opening = min(calendar.next_open(at), end_us)
        if opening > at:
            yield at, opening
            at = opening
            if at >= end_us:
                return
        lo, hi = at, end_us  # [at, lo) is open throughout; hi is past the run or end_us
        if calendar.open_between(at, hi) == hi - at:
            return
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if calendar.open_between(at, mid) == mid - at:
                lo = mid
            else:
                hi = mid
        at = lo


__all__ = ["ALWAYS_OPEN", "AlwaysOpen", "Calendar", "closed_periods", "closed_periods_by_search",
           "is_always_open"]
