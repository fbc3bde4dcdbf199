"""Planning one message from a stream of destinations, in constant memory (SPEC S3, S5, S7, S12).

:func:`ivrsched.plan` plans a request whatever the source of its destinations
(``plan(request, destinations=...)``, see :mod:`ivrsched.planning.planner`); a streamed message's
:class:`~ivrsched.planning.planner.MessagePlan` reads its destinations as it goes, handing out
slots on the fly: the accepted destinations get slots 0, 1, 2, … in stream order and rejected
ones take none (S3), which gives exactly the schedules of a plan over the same destinations as a
list. This module keeps the pieces of that made public before: :func:`stream_plan` and
:class:`StreamingPlan` (one message of such a plan), :func:`stream_schedules` and
:func:`write_jsonl_stream` (any destinations under a message plan's rules).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

from ivrsched.ids import IdSource, generated_message_ids
from ivrsched.io.plan_formats import write_message_jsonl
from ivrsched.planning.planner import (
    Clock,
    DestinationSchedule,
    MessagePlan,
    Plan,
    plan,
    schedules_over,
    system_clock,
)
from ivrsched.planning.tally import EXAMPLES_KEPT, RejectionTally, StreamSummary
from ivrsched.request.model import Destination, Request
from ivrsched.rules.timeline import Timeline

if TYPE_CHECKING:
    from ivrsched.policy.document import CallingPolicy
    from ivrsched.rules.lifecycle import LifecycleEvent

# -- fast equivalents of the per-slot rules ---------------------------------------------------

def attempts_function(timeline: Timeline,
                      offset_minutes: int = 0) -> Callable[[int], tuple[int, ...]]:
    """``slot -> attempt instants``: :meth:`Timeline.attempts_function
    <ivrsched.rules.timeline.Timeline.attempts_function>` (equal to ``timeline.attempts_us``,
    checked against S12's range as read in ``offset_minutes``)."""
    return timeline.attempts_function(offset_minutes)


def message_id_function(ids: IdSource, message: int) -> Callable[[int], str]:
    """``index -> generated messageId``, equal to ``ids.message_id(message, index)``
    (:func:`ivrsched.ids.generated_message_ids`)."""
    return generated_message_ids(ids, message)


# -- streams of schedules ---------------------------------------------------------------------

def stream_schedules(header: MessagePlan,
                     destinations: Iterable[Destination]) -> Iterator[DestinationSchedule]:
    """The schedule of each destination of ``destinations``, in order, under ``header``'s rules.

    ``index`` is the destination's position in the stream (0-based); the header's own
    destinations are ignored. Raises :class:`~ivrsched.errors.PlanRangeError` at the first
    attempt outside years 1..9999 (S12), since a stream cannot be checked before it is read.
    """
    return schedules_over(header, destinations)


def write_jsonl_stream(header: MessagePlan, destinations: Iterable[Destination],
                       out: IO[str]) -> StreamSummary:
    """Write the ``jsonl`` rows of ``destinations`` under ``header``'s rules, one at a time
    (:func:`ivrsched.io.plan_formats.write_message_jsonl`); returns their counts."""
    return write_message_jsonl(header, out, destinations)


# -- a request planned over a stream ----------------------------------------------------------

@dataclass(frozen=True)
class StreamingPlan:
    """Message ``header.message_index`` of ``plan``, planned over ``destinations``.

    ``plan`` is the whole request's plan (:func:`ivrsched.plan` with ``destinations=``), with
    the bulkId and notices of the request listing those destinations; ``header`` is its message
    plan. Iterating gives that message's schedules (each iteration reads a re-iterable stream
    again; a generator is held, being readable only once).
    """

    plan: Plan
    header: MessagePlan
    destinations: Iterable[Destination]

    def __iter__(self) -> Iterator[DestinationSchedule]:
        if self.plan.policy is not None:
            # Under a policy the rows come from the whole request's engine (the cap couples
            # messages): this message's rows, in the plan's row order.
            index = self.header.message_index
            return (s for s in self.plan if s.message == index)
        return iter(self.header)

    def write_jsonl(self, out: IO[str]) -> StreamSummary:
        """Write the ``jsonl`` rows to ``out``; returns the counts. With NumPy (the ``fast``
        extra) the rows are assembled a chunk at a time (:mod:`ivrsched.io.chunked`, the same
        bytes, as ``ivrsched plan`` writes them), else one at a time."""
        if self.plan.policy is not None:
            from ivrsched.io.plan_formats import write_policy_jsonl

            return write_policy_jsonl(self.plan, out, messages={self.header.message_index})
        try:
            from ivrsched.io.chunked import write_jsonl_chunked
        except ImportError:  # pragma: no cover - depends on the environment
            return write_message_jsonl(self.header, out)
        summary = write_jsonl_chunked(self.header, self.header.source, out)
        self.header.record_counts(summary)
        return summary


def without_destinations(request: Request, message: int = 0) -> Request:
    """``request`` with message ``message``'s destinations removed (they will be streamed)."""
    if not 0 <= message < len(request.messages):
        raise IndexError(f"the request has no message {message}")
    emptied = replace(request.messages[message], destinations=(), rejected_indices=())
    return request.with_message(message, emptied)


def stream_plan(request: Request | dict[str, Any] | str, destinations: Iterable[Destination],
                *, message: int = 0, now: datetime | None = None,
                failure_delay: timedelta = timedelta(0), ids: IdSource | None = None,
                clock: Clock = system_clock,
                events: Iterable[LifecycleEvent] = (),
                policy: CallingPolicy | None = None) -> StreamingPlan:
    """Plan message ``message`` of ``request`` over ``destinations`` instead of its own list:
    ``plan(request, destinations, message=message, ...)`` seen as that one message.

    The keyword arguments are those of :func:`ivrsched.plan`. ``destinations`` is any iterable
    of :class:`~ivrsched.request.model.Destination` (e.g.
    :class:`ivrsched.io.destination_files.DestinationFile`); each carries the status S7 gave it.
    Under a ``policy`` (S15) iterate ``.plan``, not the message: its rows need the whole
    request (see :mod:`ivrsched.planning.policy_plan`).
    """
    the_plan = plan(request, destinations, message=message, now=now,
                    failure_delay=failure_delay, ids=ids, clock=clock, events=events,
                    policy=policy)
    return StreamingPlan(the_plan, the_plan.messages[message], destinations)


__all__ = [
    "EXAMPLES_KEPT", "RejectionTally", "StreamSummary", "StreamingPlan", "attempts_function",
    "message_id_function", "stream_plan", "stream_schedules", "without_destinations",
    "write_jsonl_stream",
]
