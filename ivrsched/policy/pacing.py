"""Attempts under a calling policy (SPEC S15): pacing, retries and the frequency cap together.

The engine places every attempt of a request in time order, across its messages (the frequency
cap couples messages that share a number):

- A paced message (S3) offers *slots* on its own open time (its window): slot k at
  ``timeline.first_attempt_us(k)``, so the message's S3 cap holds. A slot goes to the earliest
  destination in request order, among those still waiting for a first attempt, whose own
  calendar (:mod:`ivrsched.policy.calendar`) is open at the slot's instant and whose number the
  cap allows then; a slot nobody can take passes unused.
- Without ``sendingSpeed`` a destination's first attempt is its own first opening at or after
  the start.
- Retry k+1 waits g_k after attempt k ends (its start + the failure delay in a plan, its realised
  end in a simulation), then moves to the destination's next allowed instant.
- An attempt the cap forbids moves to the earliest instant the cap allows at which its calendar
  is open (a first attempt of a paced message waits for a later slot instead).
- A destination that cannot be called before the deadline (S4) ends expired; so does one with
  no zone to be called by, or whose calendar never opens.

Ties at one instant (an interpretation): messages in request order; within a message, attempts
of destinations already known (retries, unpaced first attempts) before its slot; among those,
request order.

Speed: destinations of a paced message are grouped by calendar. Each group keeps its waiting
destinations in a heap by request index; the groups open at the slot's instant sit in a heap
keyed by their first waiting index, the closed ones in a heap keyed by their next opening, and
destinations the cap holds back wait in a heap keyed by the instant the cap frees them. A slot
costs O(log groups) (plus a calendar question for a group that has just opened or closed).
Destinations are read lazily, in request order, only while no group open at the slot has
anyone waiting (an unread destination comes later in request order than every read one). When
nobody can take a slot, the engine jumps to the first slot at or after the next instant a group
opens or the cap frees someone. Memory: the waiting destinations, pending retries and the cap's
recent attempts per number.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from ivrsched.errors import PlanRangeError
from ivrsched.policy.calendar import CalendarBook, PolicyCalendar
from ivrsched.policy.cap import CapLedger
from ivrsched.policy.document import CallingPolicy
from ivrsched.policy.zones import ZoneChoice, choose_zones
from ivrsched.request.model import Destination
from ivrsched.rules.timeline import Timeline

#: ``(message, index, attempt number, start) -> (answered, end)``.
OutcomeFunction = Callable[[int, int, int, int], tuple[bool, int]]


class PolicyEnding(Enum):
    """How a destination's attempts ended under a policy."""

    ANSWERED = "answered"
    RETRIES_EXHAUSTED = "retries-exhausted"
    DEADLINE = "deadline"          # no allowed instant before the deadline
    NO_ZONE = "no-zone"            # no zone known for the number and no fallbackZone
    NEVER_OPEN = "never-open"      # the destination's calendar has no opening

    @property
    def expired(self) -> bool:
        """True for the endings that leave the destination EXPIRED (S15)."""
        return self in (PolicyEnding.DEADLINE, PolicyEnding.NO_ZONE, PolicyEnding.NEVER_OPEN)


@dataclass(frozen=True)
class PolicyAttempt:
    """An attempt placed by the engine."""

    message: int
    index: int
    attempt: int
    start_us: int
    end_us: int


@dataclass(frozen=True)
class PolicyResult:
    """A destination's attempts (start instants) and how they ended."""

    message: int
    index: int
    attempts: tuple[int, ...]
    choice: ZoneChoice
    ending: PolicyEnding


@dataclass(frozen=True)
class MessageRun:
    """One message for the engine: its time line (S2–S6) and its destinations in request
    order (rejected ones are skipped: they take no slot)."""

    message: int
    timeline: Timeline
    destinations: Iterable[Destination]


def failing_after(failure_delay_us: int) -> OutcomeFunction:
    """The outcome a plan assumes: every attempt fails, known ``failure_delay_us`` later."""
    def outcome(message: int, index: int, attempt: int, start_us: int) -> tuple[bool, int]:
        return False, start_us + failure_delay_us
    return outcome


class _Pending:
    """A destination still to be attempted."""

    __slots__ = ("attempts", "calendar", "choice", "group", "index", "message", "number")

    def __init__(self, message: int, index: int, number: str, choice: ZoneChoice,
                 calendar: PolicyCalendar | None) -> None:
        self.message = message
        self.index = index
        self.number = number
        self.choice = choice
        self.calendar = calendar
        self.attempts: list[int] = []
        self.group: _Group | None = None

    def result(self, ending: PolicyEnding) -> PolicyResult:
        return PolicyResult(self.message, self.index, tuple(self.attempts), self.choice, ending)


class Destinations:
    """Turns destinations into pending records: zones chosen, calendars shared."""

    def __init__(self, policy: CallingPolicy, book: CalendarBook | None = None) -> None:
        self.policy = policy
        self.book = book if book is not None else CalendarBook(policy)

    def pending(self, run: MessageRun, index: int, destination: Destination) -> _Pending:
        assert destination.to is not None
        choice = choose_zones(self.policy, destination.to)
        calendar = None
        if choice.callable or not self.policy.is_local:
            calendar = self.book.calendar(choice.zones, run.message, run.timeline.calendar)
        return _Pending(run.message, index, CapLedger.key(destination.to), choice, calendar)


# -- a paced message ----------------------------------------------------------------------------

class _Group:
    """The waiting destinations of one calendar, in a heap by request index."""

    __slots__ = ("calendar", "dead", "ident", "is_open", "waiting")

    def __init__(self, ident: int, calendar: PolicyCalendar) -> None:
        self.ident = ident
        self.calendar = calendar
        self.waiting: list[tuple[int, _Pending]] = []
        self.is_open = False  # as last classified; checked again before a slot is given
        self.dead = False     # the calendar has no opening any more


class _Pacer:
    """The slots of one paced message (see the module docstring)."""

    def __init__(self, run: MessageRun, source: Destinations, ledger: CapLedger) -> None:
        self.run = run
        self._source = source
        self._ledger = ledger
        self._unread: Iterator[tuple[int, Destination]] | None = iter(
            (i, d) for i, d in enumerate(run.destinations) if d.accepted)
        self._groups: dict[int, _Group] = {}
        self._open: list[tuple[int, int]] = []      # (first waiting index, group)
        self._closed: list[tuple[int, int]] = []    # (next opening, group)
        self._held: list[tuple[int, int, _Pending]] = []  # (cap frees at, index, pending)
        self._waiting = 0
        self.finished: list[PolicyResult] = []

    @property
    def exhausted(self) -> bool:
        """No destination left to read or waiting."""
        return self._unread is None and self._waiting == 0 and not self._held

    def _add(self, pending: _Pending, at_us: int) -> None:
        calendar = pending.calendar
        if calendar is None:
            self.finished.append(pending.result(PolicyEnding.NO_ZONE))
            return
        group = self._groups.get(id(calendar))
        if group is None:
            group = self._groups[id(calendar)] = _Group(id(calendar), calendar)
            self._classify(group, at_us)
        if group.dead:
            self.finished.append(pending.result(PolicyEnding.NEVER_OPEN))
            return
        heapq.heappush(group.waiting, (pending.index, pending))
        self._waiting += 1
        if group.is_open and group.waiting[0][1] is pending:
            heapq.heappush(self._open, (pending.index, group.ident))

    def _classify(self, group: _Group, at_us: int) -> None:
        """Put ``group`` in the open or closed heap by its calendar at ``at_us``."""
        opening = group.calendar.next_opening(at_us)
        if opening is None:
            group.dead = True
            group.is_open = False
            self._waiting -= len(group.waiting)
            self.finished.extend(p.result(PolicyEnding.NEVER_OPEN) for _, p in group.waiting)
            group.waiting.clear()
        elif opening == at_us:
            group.is_open = True
            if group.waiting:
                heapq.heappush(self._open, (group.waiting[0][0], group.ident))
        else:
            group.is_open = False
            heapq.heappush(self._closed, (opening, group.ident))

    def _read_one(self, at_us: int) -> bool:
        if self._unread is None:
            return False
        item = next(self._unread, None)
        if item is None:
            self._unread = None
            return False
        index, destination = item
        self._add(self._source.pending(self.run, index, destination), at_us)
        return True

    def take(self, at_us: int) -> _Pending | None:
        """The destination the slot at ``at_us`` goes to, or None."""
        held, closed, opened = self._held, self._closed, self._open
        while held and held[0][0] <= at_us:
            _, _, pending = heapq.heappop(held)
            self._waiting -= 1  # _add counts it again
            self._add(pending, at_us)
        while closed and closed[0][0] <= at_us:
            _, ident = heapq.heappop(closed)
            group = self._groups[ident]
            if not group.is_open and not group.dead:
                self._classify(group, at_us)
        while True:
            if not opened:
                if self._read_one(at_us):
                    continue
                return None
            head, ident = opened[0]
            group = self._groups[ident]
            if not group.is_open or not group.waiting or group.waiting[0][0] != head:
                heapq.heappop(opened)  # stale
                continue
            if not group.calendar.is_open(at_us):
                heapq.heappop(opened)
                group.is_open = False
                self._classify(group, at_us)
                continue
            pending = group.waiting[0][1]
            frees = self._ledger.earliest(pending.number, at_us)
            heapq.heappop(opened)
            heapq.heappop(group.waiting)
            if group.waiting:
                heapq.heappush(opened, (group.waiting[0][0], ident))
            if frees > at_us:
                heapq.heappush(held, (frees, pending.index, pending))
                continue
            self._waiting -= 1
            return pending

    def wake_up(self) -> int | None:
        """After a slot nobody took with nothing left to read: the next instant at which a
        group opens or the cap frees a destination (None when nobody waits)."""
        times = [t for t in (self._closed[0][0] if self._closed else None,
                             self._held[0][0] if self._held else None) if t is not None]
        return min(times) if times else None

    def expire(self) -> list[PolicyResult]:
        """Every destination still waiting or unread ends expired (the deadline)."""
        results, self.finished = self.finished, []
        for group in self._groups.values():
            results.extend(p.result(PolicyEnding.DEADLINE) for _, p in group.waiting)
            group.waiting.clear()
        results.extend(p.result(PolicyEnding.DEADLINE) for _, _, p in self._held)
        self._held.clear()
        if self._unread is not None:
            for index, destination in self._unread:
                pending = self._source.pending(self.run, index, destination)
                ending = PolicyEnding.NO_ZONE if pending.calendar is None \
                    else PolicyEnding.DEADLINE
                results.append(pending.result(ending))
            self._unread = None
        self._waiting = 0
        return results


# -- the engine ---------------------------------------------------------------------------------

_SLOT, _KNOWN = 1, 0


def run_policy(runs: Sequence[MessageRun], policy: CallingPolicy, outcome: OutcomeFunction,
               source: Destinations | None = None) -> Iterator[PolicyAttempt | PolicyResult]:
    """Every attempt of ``runs`` under ``policy``, in time order, each destination's result
    as soon as it is final (accepted destinations only)."""
    source = source if source is not None else Destinations(policy)
    ledger = CapLedger(policy.cap)
    events: list[tuple[int, int, int, int, _Pending | None]] = []
    pacers: dict[int, _Pacer] = {}
    for run in runs:
        timeline = run.timeline
        if timeline.pace is not None:
            pacers[run.message] = _Pacer(run, source, ledger)
            first = _slot_time(timeline, 0)
            if first is not None:
                heapq.heappush(events, (first, run.message, _SLOT, 0, None))
            else:
                yield from pacers[run.message].expire()
            continue
        for index, destination in enumerate(run.destinations):
            if not destination.accepted:
                continue
            pending = source.pending(run, index, destination)
            ending = _schedule(events, pending, timeline, timeline.start_us)
            if ending is not None:
                yield pending.result(ending)
    by_message = {run.message: run for run in runs}
    while events:
        at, message, phase, key, queued = heapq.heappop(events)
        timeline = by_message[message].timeline
        deadline = timeline.cut_us
        if phase == _SLOT:
            pacer = pacers[message]
            if deadline is not None and at >= deadline:
                yield from pacer.expire()
                continue
            chosen = pacer.take(at)
            yield from pacer.finished
            pacer.finished = []
            if chosen is not None:
                yield from _attempt(events, chosen, at, timeline, ledger, outcome)
            following = _next_slot(pacer, timeline, key, chosen is not None)
            if following is not None:
                heapq.heappush(events, (following[1], message, _SLOT, following[0], None))
            elif not pacer.exhausted:
                yield from pacer.expire()
            continue
        assert queued is not None
        frees = ledger.earliest(queued.number, at)
        if frees > at:
            ending = _schedule(events, queued, timeline, frees)
            if ending is not None:
                yield queued.result(ending)
            continue
        yield from _attempt(events, queued, at, timeline, ledger, outcome)


def _slot_time(timeline: Timeline, slot: int) -> int | None:
    try:
        return timeline.first_attempt_us(slot)
    except PlanRangeError:
        return None


def _next_slot(pacer: _Pacer, timeline: Timeline, slot: int,
               taken: bool) -> tuple[int, int] | None:
    if pacer.exhausted:
        return None
    following = slot + 1
    if not taken:
        wake = pacer.wake_up()
        if wake is None:
            return None
        pace = timeline.pace
        assert pace is not None
        try:
            elapsed = timeline.calendar.open_between(timeline.start_us, wake)
        except PlanRangeError:
            return None
        following = max(following, pace.count_before(elapsed))
    at = _slot_time(timeline, following)
    return None if at is None else (following, at)


def _schedule(events: list[tuple[int, int, int, int, _Pending | None]], pending: _Pending,
              timeline: Timeline, earliest_us: int) -> PolicyEnding | None:
    """Queue ``pending``'s next attempt at its first opening at or after ``earliest_us``; the
    ending instead when there is none before the deadline."""
    if pending.calendar is None:
        return PolicyEnding.NO_ZONE
    at = pending.calendar.next_opening(earliest_us)
    if at is None:
        return PolicyEnding.NEVER_OPEN if not pending.attempts else PolicyEnding.DEADLINE
    if timeline.cut_us is not None and at >= timeline.cut_us:
        return PolicyEnding.DEADLINE
    heapq.heappush(events, (at, pending.message, _KNOWN, pending.index, pending))
    return None


def _attempt(events: list[tuple[int, int, int, int, _Pending | None]], pending: _Pending,
             at: int, timeline: Timeline, ledger: CapLedger,
             outcome: OutcomeFunction) -> Iterator[PolicyAttempt | PolicyResult]:
    ledger.record(pending.number, at)
    pending.attempts.append(at)
    number = len(pending.attempts)
    answered, end = outcome(pending.message, pending.index, number, at)
    yield PolicyAttempt(pending.message, pending.index, number, at, end)
    if answered:
        yield pending.result(PolicyEnding.ANSWERED)
    elif number > len(timeline.gaps_us):
        yield pending.result(PolicyEnding.RETRIES_EXHAUSTED)
    else:
        ending = _schedule(events, pending, timeline, end + timeline.gaps_us[number - 1])
        if ending is not None:
            yield pending.result(ending)


__all__ = ["Destinations", "MessageRun", "OutcomeFunction", "PolicyAttempt", "PolicyEnding",
           "PolicyResult", "failing_after", "run_policy"]
