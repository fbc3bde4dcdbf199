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
  no zone to be called by, or whose calendar never opens. "Never" is the calendars' search
  horizon (:mod:`ivrsched.policy.calendar`: 400 days plus one per closed date): a calendar with
  no opening that far ahead never opens, and the destinations of a paced message that found no
  slot for longer than the horizon (their openings miss the slots) end as never-open too.

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
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from ivrsched.errors import PlanRangeError
from ivrsched.policy.calendar import CalendarBook, PolicyCalendar
from ivrsched.policy.cap import CapLedger
from ivrsched.policy.document import CallingPolicy
from ivrsched.policy.zones import ZoneChoice, choose_zones
from ivrsched.request.model import Destination
from ivrsched.rules.instants import US_PER_DAY
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

    def expire(self, ending: PolicyEnding = PolicyEnding.DEADLINE) -> list[PolicyResult]:
        """Every destination still waiting or unread ends expired (by default: the
        deadline)."""
        results, self.finished = self.finished, []
        for group in self._groups.values():
            results.extend(p.result(ending) for _, p in group.waiting)
            group.waiting.clear()
        results.extend(p.result(ending) for _, _, p in self._held)
        self._held.clear()
        if self._unread is not None:
            for index, destination in self._unread:
                pending = self._source.pending(self.run, index, destination)
                ending = PolicyEnding.NO_ZONE if pending.calendar is None else ending
                results.append(pending.result(ending))
            self._unread = None
        self._waiting = 0
        return results


# -- the engine ---------------------------------------------------------------------------------

_SLOT, _KNOWN = 1, 0

#: An event of the engine: (instant, message, phase, slot or index, destination of a known one).
_Event = tuple[int, int, int, int, "_Pending | None"]


@dataclass(frozen=True)
class PolicyStart:
    """An attempt the engine has started; its end is not known yet (see
    :meth:`PolicyEngine.record`)."""

    message: int
    index: int
    attempt: int
    start_us: int


class PolicyEngine:
    """The engine, fed outcomes as they become known (the live dispatcher's core; the offline
    :func:`run_policy` feeds each outcome at once).

    :meth:`step` processes the earliest event — a slot of a paced message, or an attempt of a
    destination already known — and returns what it decided: attempts started
    (:class:`PolicyStart`) and destinations whose result is final (:class:`PolicyResult`).
    :meth:`record` gives an attempt's outcome, which may queue its retry.

    Outcomes may come after other events were processed: a retry is decided at the instant it
    is queued for, once its attempt's outcome is recorded. So when every outcome is recorded
    before the engine is stepped at or after the attempt's end (as :func:`run_policy` does, and
    as a caller does who records each call when it ends), events are processed in the same
    order, and decided the same way, as with every outcome known at once: a retry is queued
    after its attempt's end, so no event before that end could have been preceded by it.

    Processed late (``now_us`` after the event's instant), an event is decided at ``now_us``:
    the attempt starts then if the destination's calendar is open and the frequency cap allows
    it, otherwise it moves to the next instant both allow; a paced message's slots keep the S3
    cap over the first attempts really started (slot j is not before the start of the first
    attempt ``speed`` attempts earlier + U, moved to the message's next open instant).
    """

    def __init__(self, runs: Sequence[MessageRun], policy: CallingPolicy,
                 source: Destinations | None = None) -> None:
        self._source = source if source is not None else Destinations(policy)
        self._ledger = CapLedger(policy.cap)
        self._events: list[_Event] = []
        self._pacers: dict[int, _Pacer] = {}
        self._timelines = {run.message: run.timeline for run in runs}
        self._started: dict[tuple[int, int, int], _Pending] = {}
        self._realised: dict[int, deque[int]] = {}
        self._last_taken: dict[int, int] = {}
        self._horizon_us = self._source.book.horizon_days * US_PER_DAY
        self.ready: list[PolicyStart | PolicyResult] = []  # decided while building
        for run in runs:
            timeline = run.timeline
            if timeline.pace is not None:
                pacer = self._pacers[run.message] = _Pacer(run, self._source, self._ledger)
                self._realised[run.message] = deque(maxlen=timeline.pace.speed)
                self._last_taken[run.message] = timeline.start_us
                first = _slot_time(timeline, 0)
                if first is not None:
                    heapq.heappush(self._events, (first, run.message, _SLOT, 0, None))
                else:
                    self.ready.extend(pacer.expire())
                continue
            for index, destination in enumerate(run.destinations):
                if not destination.accepted:
                    continue
                pending = self._source.pending(run, index, destination)
                ending = _schedule(self._events, pending, timeline, timeline.start_us)
                if ending is not None:
                    self.ready.append(pending.result(ending))

    @property
    def in_progress(self) -> int:
        """Attempts started whose outcome is not recorded yet."""
        return len(self._started)

    @property
    def finished(self) -> bool:
        """Every destination has its result (nothing queued, nothing awaiting an outcome)."""
        return not self._events and not self._started

    @property
    def queued_retries(self) -> int:
        """Retries queued (destinations with an attempt waiting for their next one)."""
        return sum(1 for event in self._events
                   if event[2] == _KNOWN and event[4] is not None and event[4].attempts)

    def next_message(self) -> int:
        """The message of the earliest event (there must be one)."""
        return self._events[0][1]

    def next_instant(self) -> int | None:
        """The instant of the earliest event, or None when none is queued."""
        return self._events[0][0] if self._events else None

    def step(self, now_us: int | None = None, hold_us: int | None = None
             ) -> list[PolicyStart | PolicyResult] | None:
        """Process the earliest event if it is due at ``now_us`` (any, when None); None when
        there is none. ``hold_us``: nothing
        starts at or after it (an open pause): an event that would be decided in
        ``[hold_us, cut)`` is left queued (None is returned)."""
        at = self.next_instant()
        if at is None or (now_us is not None and at > now_us):
            return None
        _, message, phase, key, queued = self._events[0]
        timeline = self._timelines[message]
        late = now_us is not None and now_us > at
        if late:
            assert now_us is not None
            at = now_us
        cut = timeline.cut_us
        if hold_us is not None and at >= hold_us and (cut is None or at < cut):
            return None
        heapq.heappop(self._events)
        out: list[PolicyStart | PolicyResult] = []
        if phase == _SLOT:
            self._slot(out, message, key, at, timeline)
            return out
        assert queued is not None
        if cut is not None and at >= cut:
            out.append(queued.result(PolicyEnding.DEADLINE))
            return out
        if late:
            assert queued.calendar is not None
            if not queued.calendar.is_open(at):
                ending = _schedule(self._events, queued, timeline, at)
                if ending is not None:
                    out.append(queued.result(ending))
                return out
        frees = self._ledger.earliest(queued.number, at)
        if frees > at:
            ending = _schedule(self._events, queued, timeline, frees)
            if ending is not None:
                out.append(queued.result(ending))
            return out
        out.append(self._start(queued, at))
        return out

    def _slot(self, out: list[PolicyStart | PolicyResult], message: int, slot: int, at: int,
              timeline: Timeline) -> None:
        pacer = self._pacers[message]
        deadline = timeline.cut_us
        if deadline is not None and at >= deadline:
            out.extend(pacer.expire())
            return
        chosen = pacer.take(at)
        out.extend(pacer.finished)
        pacer.finished = []
        if chosen is not None:
            self._realised[message].append(at)
            self._last_taken[message] = at
            out.append(self._start(chosen, at))
        elif at - self._last_taken[message] > self._horizon_us:
            # No waiting destination could take any slot for longer than the calendars'
            # search horizon: their openings miss the message's slots (e.g. one open minute a
            # week against a slot every 20 minutes, with no deadline to end the search).
            out.extend(pacer.expire(PolicyEnding.NEVER_OPEN))
            return
        following = _next_slot(pacer, timeline, slot, chosen is not None,
                               self._last_taken[message] + self._horizon_us + 1)
        if following is not None:
            index, planned = following
            when = _realised_cap(timeline, self._realised[message], planned)
            if when is not None:
                heapq.heappush(self._events, (when, message, _SLOT, index, None))
                return
        if not pacer.exhausted:
            out.extend(pacer.expire())

    def _start(self, pending: _Pending, at: int) -> PolicyStart:
        self._ledger.record(pending.number, at)
        pending.attempts.append(at)
        number = len(pending.attempts)
        self._started[(pending.message, pending.index, number)] = pending
        return PolicyStart(pending.message, pending.index, number, at)

    def record(self, message: int, index: int, attempt: int, answered: bool,
               end_us: int) -> list[PolicyResult]:
        """The outcome of a started attempt: answered or not, and its end (not before its
        start). Returns the destination's result when this makes it final."""
        pending = self._started.pop((message, index, attempt))
        timeline = self._timelines[message]
        if answered:
            return [pending.result(PolicyEnding.ANSWERED)]
        if attempt > len(timeline.gaps_us):
            return [pending.result(PolicyEnding.RETRIES_EXHAUSTED)]
        ending = _schedule(self._events, pending, timeline,
                           end_us + timeline.gaps_us[attempt - 1])
        return [] if ending is None else [pending.result(ending)]


def _realised_cap(timeline: Timeline, realised: deque[int], planned: int) -> int | None:
    """A slot's instant under the S3 cap over first attempts really started: not before the
    start ``speed`` first attempts ago + U (the planned instant when the engine is on time)."""
    pace = timeline.pace
    assert pace is not None
    if len(realised) < pace.speed or realised[0] + pace.unit_us <= planned:
        return planned
    try:
        return timeline.calendar.next_open(realised[0] + pace.unit_us)
    except PlanRangeError:
        return None


def run_policy(runs: Sequence[MessageRun], policy: CallingPolicy, outcome: OutcomeFunction,
               source: Destinations | None = None) -> Iterator[PolicyAttempt | PolicyResult]:
    """Every attempt of ``runs`` under ``policy``, in time order, each destination's result
    as soon as it is final (accepted destinations only); ``outcome`` says how each attempt
    ends as soon as it starts."""
    engine = PolicyEngine(runs, policy, source)

    def settled(items: list[PolicyStart | PolicyResult]
                ) -> Iterator[PolicyAttempt | PolicyResult]:
        for item in items:
            if isinstance(item, PolicyResult):
                yield item
                continue
            answered, end = outcome(item.message, item.index, item.attempt, item.start_us)
            yield PolicyAttempt(item.message, item.index, item.attempt, item.start_us, end)
            yield from engine.record(item.message, item.index, item.attempt, answered, end)

    yield from settled(engine.ready)
    while (items := engine.step()) is not None:
        yield from settled(items)


def _slot_time(timeline: Timeline, slot: int) -> int | None:
    try:
        return timeline.first_attempt_us(slot)
    except PlanRangeError:
        return None


def _next_slot(pacer: _Pacer, timeline: Timeline, slot: int, taken: bool,
               horizon_at: int) -> tuple[int, int] | None:
    """The next slot worth offering: the next one after a slot taken; after one nobody took,
    the first at or after the next instant a group opens or the cap frees someone — but not
    past the first slot at or after ``horizon_at``, where the waiting ones may end."""
    if pacer.exhausted:
        return None
    following = slot + 1
    if not taken:
        wake = pacer.wake_up()
        if wake is None:
            return None
        wake = min(wake, horizon_at)
        pace = timeline.pace
        assert pace is not None
        try:
            elapsed = timeline.calendar.open_between(timeline.start_us, wake)
        except PlanRangeError:
            return None
        following = max(following, pace.count_before(elapsed))
    at = _slot_time(timeline, following)
    return None if at is None else (following, at)


def _schedule(events: list[_Event], pending: _Pending,
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


__all__ = ["Destinations", "MessageRun", "OutcomeFunction", "PolicyAttempt", "PolicyEnding",
           "PolicyEngine", "PolicyResult", "PolicyStart", "failing_after", "run_policy"]
