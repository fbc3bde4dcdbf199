"""A simulation under a calling policy (SPEC S10, S15): the policy engine's attempts, with the
outcomes of the simulation's :class:`~ivrsched.simulation.outcomes.OutcomeSource`.

:func:`ivrsched.policy.pacing.run_policy` places every attempt (slots to the earliest
destination its calendar and the frequency cap allow, retries at the destination's next allowed
instant g_k after the realised end of the attempt before); this module only asks the outcome
source how each attempt ends — exactly as a simulation without a policy asks it, by destination
and attempt number — and turns the engine's records into the simulation's
(:class:`~ivrsched.simulation.engine.AttemptEvent`,
:class:`~ivrsched.simulation.engine.DestinationResult`).

A destination the policy leaves uncalled ends EXPIRED (S15) with its ending: ``deadline`` (no
allowed instant before the deadline; ``cancelled`` when a cancel, S13, came first), ``no-zone``
(no zone known for the number and no ``fallbackZone``) or ``never-open`` (its calendar never
opens).

Memory: the engine's (waiting destinations, pending retries, the cap's ledger) plus, for each
destination read and not yet final, its name and its last attempt.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ivrsched.planning.planner import DestinationSchedule, MessagePlan, Plan
from ivrsched.request.model import Destination
from ivrsched.rules.instants import check_range
from ivrsched.rules.timeline import Timeline
from ivrsched.simulation.outcomes import AttemptOutcome, OutcomeSource

if TYPE_CHECKING:
    from ivrsched.policy.document import CallingPolicy
    from ivrsched.policy.pacing import PolicyEnding
    from ivrsched.simulation.engine import AttemptEvent, DestinationResult, Ending, Record


class _Known:
    """The destinations read by the engine and not yet final: their schedules (what an outcome
    source is asked with) and their last attempt."""

    def __init__(self) -> None:
        self.schedules: dict[tuple[int, int], DestinationSchedule] = {}
        self.last: dict[tuple[int, int], AttemptEvent] = {}
        self.outcomes: dict[tuple[int, int, int], AttemptOutcome] = {}

    def reading(self, message_plan: MessagePlan) -> Iterator[Destination]:
        """The message's destinations, in request order, each remembered as it is read."""
        name, message, offset = (message_plan.name, message_plan.message_index,
                                 message_plan.offset_minutes)
        for index, destination in enumerate(message_plan.source):
            if destination.accepted:
                self.schedules[(message, index)] = DestinationSchedule(
                    message, index, destination, name(index, destination.message_id), (),
                    offset)
            yield destination


def policy_records(the_plan: Plan, policy: CallingPolicy,
                   outcomes: OutcomeSource) -> Iterator[Record]:
    """The records of the accepted destinations of ``the_plan`` under ``policy``, in the
    engine's order: attempts in start order, each destination's result as soon as it is
    final (see :meth:`ivrsched.simulation.engine.Simulation.records`)."""
    from ivrsched.policy.pacing import MessageRun, PolicyAttempt, run_policy
    from ivrsched.simulation.engine import AttemptEvent

    known = _Known()
    runs = [MessageRun(m.message_index, m.timeline, _Reread(known, m))
            for m in the_plan.messages]
    timelines = [m.timeline for m in the_plan.messages]

    def outcome(message: int, index: int, attempt: int, start_us: int) -> tuple[bool, int]:
        found = outcomes.outcome(known.schedules[(message, index)], attempt)
        known.outcomes[(message, index, attempt)] = found
        return found.answered, check_range(start_us + found.duration_us, "end of an attempt")

    for record in run_policy(runs, policy, outcome):
        key = (record.message, record.index)
        schedule = known.schedules[key]
        if isinstance(record, PolicyAttempt):
            event = AttemptEvent(record.message, record.index, schedule.to,
                                 schedule.message_id, record.attempt, record.start_us,
                                 record.end_us,
                                 known.outcomes.pop((record.message, record.index,
                                                     record.attempt)),
                                 schedule.offset_minutes)
            known.last[key] = event
            yield event
            continue
        del known.schedules[key]
        last = known.last.pop(key, None)
        yield _result(timelines[record.message], schedule, record.ending, last,
                      record.attempts)


class _Reread(Iterable[Destination]):
    """A message's destinations for the engine, remembered as they are read."""

    def __init__(self, known: _Known, message_plan: MessagePlan) -> None:
        self._known = known
        self._plan = message_plan

    def __iter__(self) -> Iterator[Destination]:
        return self._known.reading(self._plan)


def ending_of(policy_ending: PolicyEnding, timeline: Timeline,
              last_end_us: int | None) -> tuple[Ending, int]:
    """The simulation's ending of a destination the engine ended with ``policy_ending``, and
    when it ended: the end of its last attempt; without one the cut (the deadline or a cancel),
    or the start when the message has none."""
    from ivrsched.policy.pacing import PolicyEnding
    from ivrsched.simulation.engine import Ending, cut_ending

    cut = timeline.cut_us
    if policy_ending is PolicyEnding.DEADLINE and cut is not None:
        return cut_ending(timeline, last_end_us)
    direct = {PolicyEnding.ANSWERED: Ending.ANSWERED,
              PolicyEnding.RETRIES_EXHAUSTED: Ending.RETRIES_EXHAUSTED,
              # Without a cut: the calendar closed for good (or beyond year 9999).
              PolicyEnding.DEADLINE: Ending.DEADLINE,
              PolicyEnding.NO_ZONE: Ending.NO_ZONE,
              PolicyEnding.NEVER_OPEN: Ending.NEVER_OPEN}
    if last_end_us is not None:
        return direct[policy_ending], last_end_us
    return direct[policy_ending], cut if cut is not None else timeline.start_us


def _result(timeline: Timeline, schedule: DestinationSchedule, policy_ending: PolicyEnding,
            last: AttemptEvent | None, attempts: tuple[int, ...]) -> DestinationResult:
    from ivrsched.simulation.engine import ENDING_STATUS, DestinationResult

    ending, at_us = ending_of(policy_ending, timeline, None if last is None else last.end_us)
    return DestinationResult(schedule.message, schedule.index, schedule.to,
                             schedule.message_id, ENDING_STATUS[ending], ending, at_us,
                             len(attempts), attempts[0] if attempts else None, last,
                             schedule.offset_minutes)


__all__ = ["ending_of", "policy_records"]
