"""The destinations of a plan made under a calling policy (SPEC S15), streamed.

Under a policy a destination's attempts are no longer a closed form of its index: a slot goes to
the earliest destination whose own calendar is open, and the frequency cap couples every message
that shares a number. :func:`policy_schedules` therefore runs the engine
(:func:`ivrsched.policy.pacing.run_policy`) over the whole request, with the outcome a plan
assumes (every attempt fails, known ``failure_delay`` later: S5), and turns each destination's
result into a :class:`~ivrsched.planning.planner.DestinationSchedule` carrying its chosen zones
and how it ended.

Row order (an interpretation; deterministic for a given request, policy and now): first the
rejected destinations of every message, messages in order and each in request order (they take
no slot, S3); then every accepted destination in the order its plan becomes final in the
engine — when its last attempt is placed, or when it is known to end expired. That is the order
a stream can give in memory bounded by the destinations still waiting, not by all of them; sort
by ``(message, index)`` to get request order back. There is no random access by index.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from ivrsched.planning.planner import DestinationSchedule, MessagePlan
from ivrsched.request.model import Destination

if TYPE_CHECKING:
    from ivrsched.planning.explanation import MessageSummary
    from ivrsched.planning.planner import Plan
    from ivrsched.policy.pacing import PolicyResult


class NoRandomAccessError(TypeError):
    """Indexing a plan made under a calling policy (its schedules are only known in order)."""


class RememberedDestinations:
    """A message's accepted destinations, as the engine reads them, kept until their result
    comes (so that a streamed message needs no second read to name its rows)."""

    def __init__(self, source: Iterable[Destination]) -> None:
        self._source = source
        self.waiting: dict[int, Destination] = {}

    def __iter__(self) -> Iterator[Destination]:
        waiting = self.waiting
        for index, destination in enumerate(self._source):
            if destination.accepted:
                waiting[index] = destination
            yield destination


def policy_schedules(plan: Plan) -> Iterator[DestinationSchedule]:
    """Every destination of ``plan`` (made with ``policy=``) in the row order of the module
    docstring, each with ``zones`` and ``ending`` set for the accepted ones."""
    from ivrsched.policy.pacing import MessageRun, PolicyResult, failing_after, run_policy

    policy = plan.policy
    assert policy is not None, "policy_schedules needs a plan made with policy="
    for message_plan in plan.messages:
        stream = message_plan.stream
        if stream is not None and iter(stream) is stream:
            # A one-shot iterator is read twice here (rejected rows, then the engine): the
            # counting pass holds it, as it does for any plan that must count first.
            message_plan.summary()
        yield from message_plan.rejected_schedules()
    remembered = {m.message_index: RememberedDestinations(m.source) for m in plan.messages}
    runs = [MessageRun(m.message_index, m.timeline, remembered[m.message_index])
            for m in plan.messages]
    by_index = {m.message_index: m for m in plan.messages}
    for item in run_policy(runs, policy, failing_after(plan.failure_delay_us)):
        if isinstance(item, PolicyResult):
            message_plan = by_index[item.message]
            destination = remembered[item.message].waiting.pop(item.index)
            yield _schedule(message_plan, destination, item)


def _schedule(message_plan: MessagePlan, destination: Destination,
              result: PolicyResult) -> DestinationSchedule:
    return DestinationSchedule(
        message_plan.message_index, result.index, destination,
        message_plan.name(result.index, destination.message_id), result.attempts,
        message_plan.offset_minutes, zones=result.choice.zones, ending=result.ending)


def policy_summaries(plan: Plan) -> dict[int, MessageSummary]:
    """Each message's :class:`~ivrsched.planning.explanation.MessageSummary` under the plan's
    policy: the first and last first attempts and the last attempt are those the engine places
    (one pass over the rows), not S3's closed form."""
    from ivrsched.planning.explanation import summarize

    firsts: dict[int, list[int]] = {}
    lasts: dict[int, int] = {}
    for schedule in plan:
        if not schedule.attempts_us:
            continue
        first = schedule.attempts_us[0]
        bounds = firsts.setdefault(schedule.message, [first, first])
        bounds[0], bounds[1] = min(bounds[0], first), max(bounds[1], first)
        lasts[schedule.message] = max(lasts.get(schedule.message, first),
                                      schedule.attempts_us[-1])
    summaries = {}
    for message_plan in plan.messages:
        index = message_plan.message_index
        found = firsts.get(index)
        summaries[index] = replace(
            summarize(plan, message_plan),
            first_attempt_us=None if found is None else found[0],
            last_first_attempt_us=None if found is None else found[1],
            last_attempt_us=lasts.get(index))
    return summaries


def message_rows(plan: Plan, message: int) -> Iterator[DestinationSchedule]:
    """The rows of message ``message`` under the plan's policy, in the plan's row order (one
    pass of the engine over the whole request: the cap couples messages)."""
    return (s for s in plan if s.message == message)


__all__ = ["NoRandomAccessError", "message_rows", "policy_schedules", "policy_summaries"]
