"""The asyncio runner: sleeps between a dispatcher's wake-ups and places its attempts (SPEC S14).

A :class:`~ivrsched.dispatch.Dispatcher` never sleeps and never reads a clock; :func:`run` does
both, through the ``clock`` and ``sleep`` it is given (the system's by default, a virtual pair
in tests). Each attempt the dispatcher hands out is placed by ``place_call`` in its own asyncio
task, so up to ``max_in_progress`` calls (the dispatcher's cap) run at once; each outcome is
recorded as soon as its call returns, which may make a retry due or free a place under the cap.

The journal is the only state: every attempt is journaled by ``due()`` before the runner sees
it, every outcome by ``record()``. Cancelling the runner's task (Ctrl-C) cancels the calls in
flight and leaves their attempts in doubt; the next :func:`run` on the reopened dispatcher
places them again under the same key, so a ``place_call`` that is idempotent by key settles
them without calling anyone twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from ivrsched.planning.planner import system_clock
from ivrsched.simulation.outcomes import AttemptOutcome, Outcome

#: How often, at most, the runner goes without re-reading the lifecycle state from the journal
#: (a pause or cancel written by another process is seen within this time).
DEFAULT_POLL = timedelta(seconds=1)


class AttemptLike(Protocol):
    """What the runner needs of an attempt handed out."""

    @property
    def key(self) -> str: ...

    @property
    def time(self) -> datetime: ...


A = TypeVar("A", bound=AttemptLike)
A_co = TypeVar("A_co", bound=AttemptLike, covariant=True)


class Driven(Protocol[A_co]):
    """What the runner needs of a dispatcher (:class:`ivrsched.dispatch.Dispatcher` has it)."""

    def due(self, now: datetime) -> Iterable[A_co]: ...

    def next_wakeup(self) -> datetime | None: ...

    def in_doubt(self) -> Iterable[A_co]: ...

    def record(self, key: str, outcome: str, end: datetime,
               answered_at: datetime | None = None) -> object: ...

    def refresh(self) -> object: ...

    @property
    def finished(self) -> bool: ...


@dataclass(frozen=True)
class Placed:
    """How a placed call ended: its outcome, its end instant (aware), and for an answered call
    when it was answered (None: unknown)."""

    outcome: Outcome
    end: datetime
    answered_at: datetime | None = None

    @classmethod
    def after(cls, attempt: AttemptLike, outcome: AttemptOutcome) -> Placed:
        """An outcome measured from the attempt's start (its duration, as S10 gives it)."""
        answered = None
        if outcome.answer_after_us is not None:
            answered = attempt.time + timedelta(microseconds=outcome.answer_after_us)
        return cls(outcome.kind, attempt.time + timedelta(microseconds=outcome.duration_us),
                   answered)


#: ``place_call(attempt)``: place one call and say how it ended, as a :class:`Placed` or as an
#: :class:`~ivrsched.simulation.outcomes.AttemptOutcome` (a duration from the attempt's time).
PlaceCall = Callable[[A], Awaitable[Placed | AttemptOutcome]]
Clock = Callable[[], datetime]
Sleep = Callable[[timedelta], Awaitable[None]]
#: Called after each outcome is recorded, with the attempt and how it ended.
OnRecorded = Callable[[A, Placed], None]


async def system_sleep(delay: timedelta) -> None:
    """The default sleep. The event loop's timer takes float seconds; this is the one place a
    time leaves integer arithmetic, and only to wait (no instant is computed from it)."""
    await asyncio.sleep(max(delay, timedelta(0)).total_seconds())


async def _place(place_call: PlaceCall[A], attempt: A) -> Placed:
    result = await place_call(attempt)
    return Placed.after(attempt, result) if isinstance(result, AttemptOutcome) else result


def _delay(wake: datetime | None, now: datetime, calls_in_flight: bool,
           poll: timedelta | None) -> timedelta | None:
    """How long to sleep before asking again (None: until a call returns).

    A wake-up that has come while calls are in flight means attempts wait for a place under
    ``max_in_progress``: a returning call, not the clock, frees it, so the runner does not spin.
    """
    delay: timedelta | None = None
    if wake is not None and not (wake <= now and calls_in_flight):
        delay = max(wake - now, timedelta(0))
    if poll is not None and (delay is None or delay > poll):
        delay = poll
    return delay


async def run(d: Driven[A], place_call: PlaceCall[A], *, clock: Clock = system_clock,
              sleep: Sleep = system_sleep, poll: timedelta | None = DEFAULT_POLL,
              on_recorded: OnRecorded[A] | None = None) -> None:
    """Dispatch ``d`` until it is finished: hand out each attempt when it is due, place it with
    ``place_call``, record its outcome.

    Attempts left in doubt by an earlier run are placed first, under their own keys. ``clock``
    gives the current instant (aware); ``sleep`` waits a ``timedelta``. Every ``poll`` at the
    latest the runner re-reads the lifecycle state from the journal (``d.refresh()``), so a
    pause, resume, reschedule or cancel written by another process takes effect; with ``poll``
    None it does not, and it returns when nothing is in flight and nothing is due to be handed
    out (a paused campaign). An exception from ``place_call`` propagates, after the calls still
    in flight are cancelled (their attempts stay in doubt).
    """
    in_flight: dict[asyncio.Task[Placed], A] = {}

    def start(attempts: Iterable[A]) -> None:
        for attempt in attempts:
            in_flight[asyncio.ensure_future(_place(place_call, attempt))] = attempt

    sleeper: asyncio.Future[None] | None = None
    try:
        start(d.in_doubt())
        while True:
            if poll is not None:
                d.refresh()
            now = clock()
            start(d.due(now))
            if not in_flight and d.finished:
                return
            delay = _delay(d.next_wakeup(), now, bool(in_flight), poll)
            if delay is None and not in_flight:
                return
            waiting: set[asyncio.Future[Placed] | asyncio.Future[None]] = set(in_flight)
            if delay is not None:
                sleeper = asyncio.ensure_future(sleep(delay))
                waiting.add(sleeper)
            done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if sleeper is not None:
                if sleeper in done:
                    sleeper.result()
                else:
                    sleeper.cancel()
                sleeper = None
            # Record in the order the calls were handed out, so that a run is reproducible
            # when several calls return at once.
            for task in [t for t in in_flight if t in done]:
                attempt = in_flight.pop(task)
                placed = task.result()
                d.record(attempt.key, placed.outcome.value, placed.end, placed.answered_at)
                if on_recorded is not None:
                    on_recorded(attempt, placed)
    finally:
        pending: list[asyncio.Future[Placed] | asyncio.Future[None]] = list(in_flight)
        if sleeper is not None:
            pending.append(sleeper)
        for future in pending:
            future.cancel()
        # Let the cancelled calls clean up (a dialer process is stopped) before returning.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*pending, return_exceptions=True)


__all__ = ["DEFAULT_POLL", "AttemptLike", "Driven", "OnRecorded", "PlaceCall", "Placed", "run",
           "system_sleep"]
