"""The lifecycle of a request: pause, resume, reschedule and cancel as timed events (SPEC S13).

An operation applies to the whole request at an instant. Its effect on the rules:

- A pause ``[pause, resume)`` is closed time, exactly like a closed delivery window (S6):
  :class:`PausedCalendar` wraps a message's calendar and closes the paused intervals, so pacing
  runs on open time (no burst at the resume instant) and a retry that falls inside a pause moves
  to the resume instant. Validity stays wall time: a pause does not move the deadline (S4).
- ``reschedule(t, sendAt)`` moves every message's start to ``max(sendAt, t)`` and recomputes its
  deadline from it (S4 counts from the start).
- ``cancel(t)`` is a cut like the deadline: no attempt starts at or after ``t``
  (:attr:`Lifecycle.cancel_us`, which :class:`~ivrsched.rules.timeline.Timeline` carries).

:meth:`Lifecycle.then` checks that an operation is allowed (resume only while paused,
reschedule only before the first attempt, nothing after cancel, instants in order) and raises
:class:`LifecycleError`, changing nothing, when it is not.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum

from ivrsched.errors import IvrschedError
from ivrsched.rules.instants import MAX_US, format_us, to_us
from ivrsched.rules.open_time import Calendar
from ivrsched.rules.timeline import Timeline
from ivrsched.rules.validity import deadline_us

#: "Never": the end of a pause that has not been resumed. Past every representable instant, so
#: it compares after every deadline and is never handed to an inner calendar.
NEVER = MAX_US + 1


class Operation(Enum):
    """A lifecycle operation; the value is its name in event files and journals."""

    PAUSE = "pause"
    RESUME = "resume"
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"


class LifecycleError(IvrschedError, ValueError):
    """An operation S13 does not allow at that point; nothing was changed.

    ``index`` is the operation's position (0-based) in the list of events it came from, when
    it came from one.
    """

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class LifecycleEvent:
    """One operation at an instant (integer µs); ``send_at_us`` is the new ``sendAt`` of a
    reschedule and None for the other operations."""

    op: Operation
    at_us: int
    send_at_us: int | None = None

    def __post_init__(self) -> None:
        if (self.op is Operation.RESCHEDULE) != (self.send_at_us is not None):
            raise ValueError("a reschedule, and only a reschedule, has a sendAt")

    @classmethod
    def of(cls, op: Operation | str, at: datetime,
           send_at: datetime | None = None) -> LifecycleEvent:
        """An event from aware datetimes (a naive one raises ValueError)."""
        return cls(Operation(op), to_us(at), None if send_at is None else to_us(send_at))

    def describe(self) -> str:
        """The event in words, e.g. ``pause at 2030-01-01T12:00:00.000+00:00``."""
        text = f"{self.op.value} at {format_us(self.at_us)}"
        if self.send_at_us is not None:
            text += f" to sendAt {format_us(self.send_at_us)}"
        return text


# -- the calendar with pauses ---------------------------------------------------------------


@dataclass(frozen=True)
class PausedCalendar:
    """A message's calendar with the paused intervals closed (a
    :class:`~ivrsched.rules.open_time.Calendar`).

    ``closed``: disjoint, non-empty half-open intervals ``[a, b)`` in increasing order; the end
    of the last may be :data:`NEVER` (paused, not resumed). While a pause has no end, instants
    after it are :data:`NEVER` too.
    """

    inner: Calendar
    closed: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        previous_end: int | None = None
        for a, b in self.closed:
            if not a < b or (previous_end is not None and a < previous_end):
                raise ValueError("paused intervals must be non-empty, disjoint and in order")
            previous_end = b

    def _pause_at(self, at_us: int) -> tuple[int, int] | None:
        """The paused interval holding ``at_us``, if any."""
        position = bisect_right(self.closed, (at_us, NEVER)) - 1
        if position >= 0:
            a, b = self.closed[position]
            if a <= at_us < b:
                return a, b
        return None

    def next_open(self, at_us: int) -> int:
        at = at_us
        while True:
            at = self.inner.next_open(at)
            pause = self._pause_at(at)
            if pause is None:
                return at
            if pause[1] == NEVER:
                return NEVER
            at = pause[1]

    def open_between(self, start_us: int, end_us: int) -> int:
        if end_us <= start_us:
            return 0
        total = self.inner.open_between(start_us, end_us)
        for a, b in self.closed:
            lo, hi = max(a, start_us), min(b, end_us)
            if lo < hi:
                total -= self.inner.open_between(lo, hi)
        return total

    def advance(self, start_us: int, open_us: int) -> int:
        if open_us < 0:
            raise ValueError("open time cannot be negative")
        if open_us == 0:
            return self.next_open(start_us)
        at, remaining = start_us, open_us
        for a, b in self.closed:
            if b <= at:
                continue
            before = self.inner.open_between(at, a) if a > at else 0
            # inner.advance(at, r) < a iff r < open time in [at, a): then no pause intervenes.
            if remaining < before:
                return self.inner.advance(at, remaining)
            remaining -= before
            if b == NEVER:
                return NEVER
            at = b
        return self.inner.advance(at, remaining)


def with_pauses(calendar: Calendar, closed: tuple[tuple[int, int], ...]) -> Calendar:
    """``calendar`` with ``closed`` paused; itself when nothing is paused."""
    return PausedCalendar(calendar, closed) if closed else calendar


# -- the state of the lifecycle -------------------------------------------------------------


class State(Enum):
    """Where a request stands in its lifecycle: the platform's bulk statuses (a dispatcher
    knows when it is FINISHED)."""

    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    PAUSED = "PAUSED"
    CANCELED = "CANCELED"
    FINISHED = "FINISHED"


@dataclass(frozen=True)
class Lifecycle:
    """The operations applied so far, and what they add up to.

    ``floor_us``: no operation may be earlier (the submission time, or a dispatcher's clock).
    ``closed``: the paused intervals (the last may end :data:`NEVER`); ``start_us``: the start
    set by the last reschedule (None: the messages' own starts); ``cancel_us``: the cancel
    instant, if cancelled.
    """

    floor_us: int
    events: tuple[LifecycleEvent, ...] = ()
    closed: tuple[tuple[int, int], ...] = ()
    start_us: int | None = None
    cancel_us: int | None = None

    @property
    def paused(self) -> bool:
        """Paused and not resumed."""
        return bool(self.closed) and self.closed[-1][1] == NEVER

    @property
    def cancelled(self) -> bool:
        return self.cancel_us is not None

    @property
    def last_us(self) -> int:
        """The instant of the last operation, or the floor."""
        return self.events[-1].at_us if self.events else self.floor_us

    def then(self, event: LifecycleEvent, *, refuse_reschedule: Callable[[int], str | None],
             index: int | None = None) -> Lifecycle:
        """This lifecycle after ``event``; raises :class:`LifecycleError` when S13 does not
        allow it. ``refuse_reschedule(t)`` says why a reschedule at ``t`` is not allowed (an
        attempt started before ``t``, or a deadline is past), or None when it is."""
        at = event.at_us
        what = event.describe()
        if at < self.last_us:
            earlier = "the submission time" if not self.events else "the previous operation"
            raise LifecycleError(f"{what}: before {earlier} ({format_us(self.last_us)})", index)
        if self.cancelled:
            raise LifecycleError(f"{what}: the request is already cancelled", index)
        op = event.op
        if op is Operation.PAUSE:
            if self.paused:
                raise LifecycleError(f"{what}: the request is already paused", index)
            return replace(self, events=(*self.events, event),
                           closed=(*self.closed, (at, NEVER)))
        if op is Operation.RESUME:
            if not self.paused:
                raise LifecycleError(f"{what}: the request is not paused", index)
            start = self.closed[-1][0]
            closed = self.closed[:-1] + (((start, at),) if start < at else ())
            return replace(self, events=(*self.events, event), closed=closed)
        if op is Operation.RESCHEDULE:
            refusal = refuse_reschedule(at)
            if refusal is not None:
                raise LifecycleError(f"{what}: {refusal}; a request can only be rescheduled "
                                     "before its first attempt", index)
            assert event.send_at_us is not None
            return replace(self, events=(*self.events, event),
                           start_us=max(event.send_at_us, at))
        # Cancel: a pause still open ends here, which changes nothing (no attempt starts at or
        # after the cancel anyway) and keeps every instant of the calendar finite.
        closed = self.closed
        if self.paused:
            start = closed[-1][0]
            closed = closed[:-1] + (((start, at),) if start < at else ())
        return replace(self, events=(*self.events, event), closed=closed, cancel_us=at)

    def timeline(self, base: Timeline, validity_minutes: int | None) -> Timeline:
        """``base`` (a message's time line without operations) under this lifecycle.

        ``validity_minutes`` is the message's effective validity (None: no deadline), from
        which a rescheduled start gets its deadline."""
        start, deadline = base.start_us, base.deadline_us
        if self.start_us is not None:
            start, deadline = self.start_us, deadline_us(self.start_us, validity_minutes)
        return replace(base, start_us=start, deadline_us=deadline,
                       calendar=with_pauses(base.calendar, self.closed),
                       cancel_us=self.cancel_us)


def reschedule_refusal(at_us: int, deadlines: Iterable[int | None],
                       first_starts: Iterable[int | None]) -> str | None:
    """Why a reschedule at ``at_us`` is not allowed, given each message's deadline and first
    attempt (None: none), or None when it is: S13 allows it only before the first attempt, and
    not once a deadline has passed (its destinations have expired)."""
    if any(d is not None and d <= at_us for d in deadlines):
        return "a deadline has passed"
    if any(s is not None and s < at_us for s in first_starts):
        return "an attempt has already started"
    return None


def first_start_us(timeline: Timeline, accepted: int) -> int | None:
    """The first attempt of a message with ``accepted`` destinations (its slot 0), or None when
    it has none or that attempt is not allowed."""
    if accepted == 0:
        return None
    at = timeline.first_attempt_us(0)
    return at if timeline.allows(at) else None


def offline_lifecycle(events: Iterable[LifecycleEvent], now_us: int,
                      timelines: Callable[[Lifecycle], Iterable[tuple[Timeline, int]]]
                      ) -> Lifecycle:
    """The lifecycle of a list of timed events given in advance (plan, simulate, forecast and
    verify take them), checked as a dispatcher checks them live.

    ``timelines(lifecycle)`` gives each message's time line under a lifecycle and its number of
    accepted destinations; a reschedule at t is allowed when no message's first attempt is
    before t. The events must not leave the request paused (nothing would happen after the
    pause: end it with a resume, or a cancel).
    """
    lifecycle = Lifecycle(now_us)
    index = -1
    for index, event in enumerate(events):
        current = lifecycle

        def refusal(at: int, current: Lifecycle = current) -> str | None:
            lines = list(timelines(current))
            return reschedule_refusal(at, (t.deadline_us for t, _ in lines),
                                      (first_start_us(t, n) for t, n in lines))

        lifecycle = lifecycle.then(event, refuse_reschedule=refusal, index=index)
    if lifecycle.paused:
        raise LifecycleError("the events leave the request paused: add a resume, or a cancel",
                             index)
    return lifecycle


__all__ = [
    "NEVER",
    "Lifecycle",
    "LifecycleError",
    "LifecycleEvent",
    "Operation",
    "PausedCalendar",
    "State",
    "first_start_us",
    "offline_lifecycle",
    "reschedule_refusal",
    "with_pauses",
]
