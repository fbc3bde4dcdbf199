"""Simulation: what happens to every destination when its attempts have outcomes (SPEC S5, S10).

A destination's first attempt is at its planned time. After a failed attempt *k* (no-answer, busy
or failed) that ends at *e* (its start + its duration), attempt *k+1* is at the first open instant
(S6) at or after *e* + g_k, if it is still before the deadline (S4) and retries remain (S5). The
plan's ``failure_delay`` is not used: the realised duration replaces that estimate. Every instant
comes from the message's time line (:meth:`~ivrsched.rules.timeline.Timeline.first_due_us`,
:meth:`~ivrsched.rules.timeline.Timeline.realised_retry_us`); a retry the deadline forbids does
not happen, also when it would fall beyond year 9999.

The simulation streams. First attempts are merged across messages in time order (each message
yields them in slot order, which is time order), and a heap holds only the retries that are due
later, at most one per destination still in progress. Nothing keeps the whole log.

A message may also be streamed (``ivrsched.plan(request, destinations=...)`` over e.g. a
destinations file): its schedules are read in request order with slots handed out on the fly, so
memory stays constant in its number of destinations. The stream is counted once (which checks
S12 before any record), then read twice per pass — once for its rejected destinations, whose
results come first, then for the attempts — so it must be re-iterable
(:class:`~ivrsched.io.destination_files.DestinationFile` is). The records are those of the same
destinations listed in the request, generated IDs and bulkId included.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from ivrsched.planning.planner import DestinationSchedule, MessagePlan, Plan
from ivrsched.planning.streaming import StreamingPlan
from ivrsched.request.status import Group, Status
from ivrsched.rules.instants import check_range, format_us
from ivrsched.rules.timeline import Timeline
from ivrsched.simulation.outcomes import AttemptOutcome, OutcomeSource

if TYPE_CHECKING:
    from ivrsched.policy.document import CallingPolicy


@dataclass(frozen=True)
class AttemptEvent:
    """One attempt that happened: who, which attempt (1 = first), from when to when, how."""

    message: int
    index: int
    to: str | None
    message_id: str
    attempt: int
    start_us: int
    end_us: int
    outcome: AttemptOutcome
    offset_minutes: int = 0

    @property
    def answer_us(self) -> int | None:
        """When the call was answered, or None when it was not."""
        after = self.outcome.answer_after_us
        return None if after is None else self.start_us + after

    def record(self) -> dict[str, object]:
        """The log row of the CLI's jsonl format (the names ``ivrsched verify`` reads); times
        as S1 renders them in the message's offset, ``time`` being the start."""
        return {
            "message": self.message,
            "index": self.index,
            "to": self.to,
            "messageId": self.message_id,
            "attempt": self.attempt,
            "time": format_us(self.start_us, self.offset_minutes),
            "end": format_us(self.end_us, self.offset_minutes),
            "outcome": self.outcome.kind.value,
        }


class Ending(Enum):
    """Why a destination reached its final status."""

    ANSWERED = "answered"
    DEADLINE = "deadline"
    RETRIES_EXHAUSTED = "retries-exhausted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    #: Under a calling policy (S15): no zone known for the number and no fallbackZone.
    NO_ZONE = "no-zone"
    #: Under a calling policy (S15): the destination's calendar never opens.
    NEVER_OPEN = "never-open"


def cut_ending(timeline: Timeline, last_end_us: int | None) -> tuple[Ending, int]:
    """Why and when a destination ends whose next attempt would be at or after the time
    line's cut (S4, S13): expired when the deadline is the cut (at the end of its last attempt,
    or at the deadline when it never had one), else cancelled (at the cancel, or at the end of
    an attempt still in progress then)."""
    deadline, cancel = timeline.deadline_us, timeline.cancel_us
    if deadline is not None and (cancel is None or deadline <= cancel):
        return Ending.DEADLINE, deadline if last_end_us is None else last_end_us
    assert cancel is not None, "a cut is a deadline or a cancel"
    return Ending.CANCELLED, cancel if last_end_us is None else max(last_end_us, cancel)


@dataclass(frozen=True)
class DestinationResult:
    """A destination's final status, when it was reached, and its attempts in brief.

    ``at_us`` is the end of the last attempt; for a destination with no attempt it is the
    deadline (its first attempt was not allowed) or, for a rejected one, the submission time.
    ``reason`` is S7's reason for a rejected destination (None otherwise).
    """

    message: int
    index: int
    to: str | None
    message_id: str
    status: Status
    ending: Ending
    at_us: int
    attempts: int
    first_start_us: int | None
    last: AttemptEvent | None
    offset_minutes: int = 0
    reason: str | None = None


Record = AttemptEvent | DestinationResult

class _Pending(NamedTuple):
    """A heap entry: an attempt still to make. The first four fields identify the attempt, so
    comparison (in this order: start, message, position, attempt) never reaches the schedule."""

    at_us: int
    message: int
    position: int  # the destination's index in its message (``index`` is a tuple method)
    attempt: int
    first_start_us: int
    schedule: DestinationSchedule


def _request_plan(plan: Plan | StreamingPlan) -> Plan:
    return plan if isinstance(plan, Plan) else plan.plan


def _first_attempts(message_plan: MessagePlan) -> Iterator[_Pending]:
    """A message's accepted destinations with their planned first attempt, in time order."""
    timeline = message_plan.timeline
    slot = 0
    for schedule in message_plan:
        if schedule.status.is_rejected:
            continue
        at = timeline.first_due_us(slot)
        slot += 1
        yield _Pending(at, schedule.message, schedule.index, 1, at, schedule)


def _rejected(plan: Plan) -> Iterator[DestinationResult]:
    """Rejected destinations keep their S7 status; rejection happens at submission."""
    for message_plan in plan.messages:
        for schedule in message_plan.rejected_schedules():
            yield DestinationResult(schedule.message, schedule.index, schedule.to,
                                    schedule.message_id, schedule.status, Ending.REJECTED,
                                    plan.now_us, 0, None, None, schedule.offset_minutes,
                                    schedule.destination.reason)


@dataclass(frozen=True)
class Simulation:
    """The simulated run of a plan under an outcome source; every method is a fresh streaming
    pass (the outcome source is deterministic, so passes agree).

    ``plan`` is a :class:`~ivrsched.planning.planner.Plan`, or a
    :class:`~ivrsched.planning.streaming.StreamingPlan` whose message is read from its (re-iterable)
    destinations; :attr:`request_plan` is the :class:`~ivrsched.planning.planner.Plan` either way.

    ``policy``: a calling policy (S15) the attempts obey (see
    :mod:`ivrsched.simulation.policy_run`), or None.
    """

    plan: Plan | StreamingPlan
    outcomes: OutcomeSource
    policy: CallingPolicy | None = None

    @property
    def request_plan(self) -> Plan:
        """The plan of the request (also when a :class:`StreamingPlan` was simulated)."""
        return _request_plan(self.plan)

    def records(self) -> Iterator[Record]:
        """Every record in one pass: first the rejected destinations' results, then attempts
        in start order (ties by message, index, attempt), each destination's result right
        after its last attempt."""
        the_plan = _request_plan(self.plan)
        for message_plan in the_plan.messages:
            # A streamed message is counted (and its range checked, S12) before any record.
            len(message_plan)
        yield from _rejected(the_plan)
        if self.policy is not None:
            from ivrsched.simulation.policy_run import policy_records

            yield from policy_records(the_plan, self.policy, self.outcomes)
            return
        timelines = [m.timeline for m in the_plan.messages]
        firsts = heapq.merge(*(_first_attempts(m) for m in the_plan.messages))
        retries: list[_Pending] = []
        upcoming = next(firsts, None)
        while upcoming is not None or retries:
            if upcoming is not None and (not retries or upcoming < retries[0]):
                current, upcoming = upcoming, next(firsts, None)
            else:
                current = heapq.heappop(retries)
            at, message, index, attempt, first_start, schedule = current
            timeline = timelines[message]
            if not timeline.allows(at):
                # Only a first attempt can get here (retries are checked before they are
                # queued): the window (S6) or a pause (S13) pushed it to or past the cut
                # (maybe beyond year 9999, which a representable cut precedes).
                why, when = cut_ending(timeline, None)
                yield DestinationResult(message, index, schedule.to, schedule.message_id,
                                        _STATUS[why], why, when, 0,
                                        None, None, schedule.offset_minutes)
                continue
            outcome = self.outcomes.outcome(schedule, attempt)
            end = check_range(at + outcome.duration_us, "end of an attempt")
            event = AttemptEvent(message, index, schedule.to, schedule.message_id, attempt, at,
                                 end, outcome, schedule.offset_minutes)
            yield event
            ending: Ending | None = None
            ended = end
            if outcome.answered:
                ending = Ending.ANSWERED
            elif attempt > len(timeline.gaps_us):
                ending = Ending.RETRIES_EXHAUSTED
            else:
                later = timeline.realised_retry_us(end, attempt)
                if later is not None:
                    heapq.heappush(retries, _Pending(later, message, index, attempt + 1,
                                                     first_start, schedule))
                else:
                    ending, ended = cut_ending(timeline, end)
            if ending is not None:
                yield DestinationResult(message, index, schedule.to, schedule.message_id,
                                        _STATUS[ending], ending, ended, attempt, first_start,
                                        event, schedule.offset_minutes)

    def __iter__(self) -> Iterator[AttemptEvent]:
        return self.events()

    def events(self) -> Iterator[AttemptEvent]:
        """The event log: every attempt, in start order."""
        return (r for r in self.records() if isinstance(r, AttemptEvent))

    def results(self) -> Iterator[DestinationResult]:
        """Every destination's final status: rejected ones first, then in the start order of
        each destination's last attempt."""
        return (r for r in self.records() if isinstance(r, DestinationResult))

    def summary(self) -> SimulationSummary:
        """Counts and peak concurrency (one full pass)."""
        tally = Tally()
        for record in self.records():
            tally.add(record)
        return tally.summary()


_STATUS = {
    Ending.ANSWERED: Status.DELIVERED_TO_HANDSET,
    Ending.DEADLINE: Status.EXPIRED_EXPIRED,
    Ending.RETRIES_EXHAUSTED: Status.UNDELIVERABLE_NOT_DELIVERED,
    Ending.CANCELLED: Status.UNDELIVERABLE_NOT_DELIVERED,
    Ending.NO_ZONE: Status.EXPIRED_EXPIRED,
    Ending.NEVER_OPEN: Status.EXPIRED_EXPIRED,
}
#: The final status each ending gives (S10, S13).
ENDING_STATUS = MappingProxyType(_STATUS)


def simulate(plan: Plan | StreamingPlan, outcomes: OutcomeSource, *,
             policy: CallingPolicy | None = None) -> Simulation:
    """Simulate ``plan`` with attempt outcomes from ``outcomes`` (see
    :mod:`ivrsched.simulation.outcomes`).

    ``policy``: a calling policy (S15; the ``policy`` extra) that every attempt obeys:
    recipient-local hours, closed dates, holidays and the frequency cap, pacing and retries as
    S15 says; destinations it leaves uncalled end EXPIRED with their ending (``deadline``,
    ``no-zone``, ``never-open``). When None, the plan's own policy (``plan(..., policy=...)``)
    applies; without any the results are exactly those of S1–S12.

    ``plan`` may be a :class:`~ivrsched.planning.streaming.StreamingPlan`
    (:func:`ivrsched.stream_plan`)
    over a re-iterable source of destinations: the simulation then keeps constant memory in
    that message's number of destinations, and gives the records a plan of the same
    destinations as a list gives.

    The result is lazy: iterate :meth:`Simulation.events`, :meth:`Simulation.results` or
    :meth:`Simulation.records`, or ask for :meth:`Simulation.summary`.
    """
    if policy is None:
        policy = _request_plan(plan).policy
    return Simulation(plan, outcomes, policy)


@dataclass(frozen=True)
class SimulationSummary:
    """Final statuses by group, attempts made, and the most calls in progress at once.

    A call is in progress during [start, end): one ending when another starts does not overlap
    it, and a zero-length attempt is never in progress. ``peak_at_us`` is the first instant the
    peak was reached (None when no call was ever in progress); ``peak_offset_minutes`` is the
    rendering offset of the message whose attempt reached it.
    """

    destinations: int
    delivered: int
    expired: int
    undeliverable: int
    rejected: int
    attempts: int
    peak: int
    peak_at_us: int | None
    peak_offset_minutes: int = 0


_GROUP_FIELD = {
    Group.DELIVERED: "delivered",
    Group.EXPIRED: "expired",
    Group.UNDELIVERABLE: "undeliverable",
    Group.REJECTED: "rejected",
}


class Tally:
    """A running summary, fed with records in the order :meth:`Simulation.records` yields them.

    Peak concurrency is a sweep: attempts arrive in start order, and a heap holds the end times
    of the calls still in progress, so memory is bounded by the peak itself.
    """

    def __init__(self) -> None:
        self._counts = dict.fromkeys(_GROUP_FIELD.values(), 0)
        self._destinations = 0
        self._attempts = 0
        self._ends: list[int] = []
        self._peak = 0
        self._peak_at: int | None = None
        self._peak_offset = 0

    def add(self, record: Record) -> None:
        """Count one record."""
        if isinstance(record, DestinationResult):
            self._destinations += 1
            self._counts[_GROUP_FIELD[record.status.group]] += 1
            return
        self._attempts += 1
        while self._ends and self._ends[0] <= record.start_us:
            heapq.heappop(self._ends)
        if record.end_us > record.start_us:
            heapq.heappush(self._ends, record.end_us)
            if len(self._ends) > self._peak:
                self._peak = len(self._ends)
                self._peak_at = record.start_us
                self._peak_offset = record.offset_minutes

    def summary(self) -> SimulationSummary:
        """The counts so far."""
        return SimulationSummary(self._destinations, attempts=self._attempts, peak=self._peak,
                                 peak_at_us=self._peak_at, peak_offset_minutes=self._peak_offset,
                                 **self._counts)


__all__ = [
    "ENDING_STATUS",
    "AttemptEvent",
    "DestinationResult",
    "Ending",
    "Record",
    "Simulation",
    "SimulationSummary",
    "Tally",
    "cut_ending",
    "simulate",
]
