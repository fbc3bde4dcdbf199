"""Planning one message from a stream of destinations, in constant memory (SPEC S3, S5, S7, S12).

A :class:`~ivrsched.planning.planner.MessagePlan` needs its destinations as a sequence, so that it
can
map a position to a pacing slot without a scan. A destination *stream* (a 10-million-line file, a
generator) is planned instead by handing out slots on the fly: the accepted destinations get slots
0, 1, 2, … in stream order and rejected ones take none (S3), which gives exactly the schedules a
``MessagePlan`` over the same destinations gives. Nothing but a few counters is kept per stream.

The rules of the message (start, pace, deadline, retry gaps, calendar, rendering offset, ID
source) come from a *header*: a ``MessagePlan`` of the request whose destinations are ignored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from types import MappingProxyType
from typing import IO, Any

from ivrsched.errors import Notice
from ivrsched.ids import IdSource, SeededIds
from ivrsched.io.plan_formats import deadline_json, jsonl_line
from ivrsched.planning.planner import (
    Clock,
    DestinationSchedule,
    MessagePlan,
    Plan,
    plan,
    system_clock,
)
from ivrsched.request.model import Destination, Request
from ivrsched.request.status import Status
from ivrsched.rules.instants import format_us
from ivrsched.rules.timeline import Timeline

#: How many rejected destinations a :class:`StreamSummary` keeps as examples.
EXAMPLES_KEPT = 5

# -- fast equivalents of the per-slot rules ---------------------------------------------------

def attempts_function(timeline: Timeline,
                      offset_minutes: int = 0) -> Callable[[int], tuple[int, ...]]:
    """``slot -> attempt instants``: :meth:`Timeline.attempts_function
    <ivrsched.rules.timeline.Timeline.attempts_function>` (equal to ``timeline.attempts_us``,
    checked against S12's range as read in ``offset_minutes``)."""
    return timeline.attempts_function(offset_minutes)


def message_id_function(ids: IdSource, message: int) -> Callable[[int], str]:
    """``index -> generated messageId``, equal to ``ids.message_id(message, index)`` (the fast
    path of :meth:`SeededIds.message_ids` when available)."""
    if isinstance(ids, SeededIds):
        return ids.message_ids(message)
    return partial(ids.message_id, message)


# -- streams of schedules ---------------------------------------------------------------------

def stream_schedules(header: MessagePlan,
                     destinations: Iterable[Destination]) -> Iterator[DestinationSchedule]:
    """The schedule of each destination of ``destinations``, in order, under ``header``'s rules.

    ``index`` is the destination's position in the stream (0-based); the header's own
    destinations are ignored. Raises :class:`~ivrsched.errors.PlanRangeError` at the first
    attempt outside years 1..9999 (S12), since a stream cannot be checked before it is read.
    """
    attempts_of = attempts_function(header.timeline, header.offset_minutes)
    message_id_of = message_id_function(header.ids, header.message_index)
    message, offset = header.message_index, header.offset_minutes
    slot = 0
    for index, destination in enumerate(destinations):
        attempts: tuple[int, ...] = ()
        if destination.accepted:
            attempts = attempts_of(slot)
            slot += 1
        message_id = destination.message_id
        if message_id is None:
            message_id = message_id_of(index)
        yield DestinationSchedule(message, index, destination, message_id, attempts, offset)


@dataclass(frozen=True)
class StreamSummary:
    """What a stream held: ``destinations`` in all, ``accepted`` of them, the rejected ones
    counted per status, and the first few rejected ones as examples (with their lines)."""

    destinations: int
    accepted: int
    rejected_by_status: Mapping[Status, int] = field(default_factory=dict)
    examples: tuple[Destination, ...] = ()

    @property
    def rejected(self) -> int:
        """How many destinations were rejected."""
        return self.destinations - self.accepted

    def notices(self, path: str = "/messages/0/destinations") -> tuple[Notice, ...]:
        """S7's notice for more destinations than the platform accepts in one request."""
        from ivrsched.request.parsing import MAX_DESTINATIONS

        if self.destinations <= MAX_DESTINATIONS:
            return ()
        return (Notice(path, "too-many-destinations",
                       f"{self.destinations} destinations, more than the platform's limit of "
                       f"{MAX_DESTINATIONS} per request; planned anyway"),)


class RejectionTally:
    """Counts rejected destinations while a stream is read; keeps a few as examples."""

    def __init__(self) -> None:
        self.by_status: Counter[Status] = Counter()
        self.examples: list[Destination] = []

    def reject(self, destination: Destination) -> None:
        self.by_status[destination.status] += 1
        if len(self.examples) < EXAMPLES_KEPT:
            self.examples.append(destination)

    @property
    def rejected(self) -> int:
        """How many destinations were rejected so far."""
        return sum(self.by_status.values())

    def summary(self, destinations: int, accepted: int) -> StreamSummary:
        """The summary of a stream of ``destinations`` of which ``accepted`` were accepted."""
        by_status = MappingProxyType(dict(sorted(self.by_status.items(), key=lambda i: i[0].id)))
        return StreamSummary(destinations, accepted, by_status, tuple(self.examples))


def write_jsonl_stream(header: MessagePlan, destinations: Iterable[Destination],
                       out: IO[str]) -> StreamSummary:
    """Write the ``jsonl`` rows of ``destinations`` under ``header``'s rules, one at a time.

    The rows are byte for byte those :func:`ivrsched.io.plan_formats.write_jsonl` writes for a
    plan of
    the same destinations (it is :func:`stream_schedules` without the intermediate objects).
    """
    attempts_of = attempts_function(header.timeline, header.offset_minutes)
    message_id_of = message_id_function(header.ids, header.message_index)
    message, offset = header.message_index, header.offset_minutes
    deadline = deadline_json(header.deadline_us, offset)
    tally = RejectionTally()
    write = out.write
    slot = count = 0
    for index, destination in enumerate(destinations):
        count = index + 1
        if destination.accepted:
            rendered = [format_us(at, offset) for at in attempts_of(slot)]
            slot += 1
        else:
            rendered = []
            tally.reject(destination)
        message_id = destination.message_id
        if message_id is None:
            message_id = message_id_of(index)
        write(jsonl_line(message, index, destination, message_id, rendered, deadline))
    return tally.summary(count, slot)


# -- a request planned over a stream ----------------------------------------------------------

@dataclass(frozen=True)
class StreamingPlan:
    """Message ``header.message_index`` of ``plan``'s request, planned over ``destinations``.

    Iterating gives the schedules (each iteration reads ``destinations`` again, which a
    :class:`~ivrsched.io.destination_files.DestinationFile` allows; a generator can be read only
    once).
    ``plan`` is the request planned without those destinations: its ``now_us``, ``notices`` and
    ``ids`` are the stream's.
    """

    plan: Plan
    header: MessagePlan
    destinations: Iterable[Destination]

    def __iter__(self) -> Iterator[DestinationSchedule]:
        return stream_schedules(self.header, self.destinations)

    def write_jsonl(self, out: IO[str]) -> StreamSummary:
        """Write the ``jsonl`` rows to ``out``; returns the counts."""
        return write_jsonl_stream(self.header, self.destinations, out)


def without_destinations(request: Request, message: int = 0) -> Request:
    """``request`` with message ``message``'s destinations removed (they will be streamed)."""
    if not 0 <= message < len(request.messages):
        raise IndexError(f"the request has no message {message}")
    emptied = replace(request.messages[message], destinations=(), rejected_indices=())
    return request.with_message(message, emptied)


def stream_plan(request: Request | dict[str, Any] | str, destinations: Iterable[Destination],
                *, message: int = 0, now: datetime | None = None,
                failure_delay: timedelta = timedelta(0), ids: IdSource | None = None,
                clock: Clock = system_clock) -> StreamingPlan:
    """Plan message ``message`` of ``request`` over ``destinations`` instead of its own list.

    The keyword arguments are those of :func:`ivrsched.plan`. ``destinations`` is any iterable
    of :class:`~ivrsched.request.model.Destination` (e.g.
    :class:`ivrsched.io.destination_files.DestinationFile`);
    each carries the status S7 gave it.
    """
    if not isinstance(request, Request):
        from ivrsched.request.parsing import parse_request

        request = parse_request(request)
    the_plan = plan(without_destinations(request, message), now=now,
                    failure_delay=failure_delay, ids=ids, clock=clock)
    return StreamingPlan(the_plan, the_plan.messages[message], destinations)
