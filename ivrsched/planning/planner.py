"""Plans: the lazy schedule of every destination of a request (SPEC S2–S5, S8).

A :class:`MessagePlan` is a sequence of :class:`DestinationSchedule` that computes each entry on
demand: ``len()``, indexing, slicing and "how many first attempts before t" cost O(1) (O(log r)
with r rejected destinations), whatever the number of destinations.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, overload

from ivrsched.abc import Calendar
from ivrsched.abc import Clock as Clock  # its home before ivrsched.abc; still imported from here
from ivrsched.errors import IvrschedError, Notice, PlanRangeError
from ivrsched.ids import IdSource, random_ids
from ivrsched.request.model import (
    DeliveryTimeWindow,
    Destination,
    Message,
    Request,
    RequestShape,
)
from ivrsched.request.status import Status
from ivrsched.rules.instants import US_PER_DAY, check_range, format_us, from_us, timedelta_us, to_us
from ivrsched.rules.open_time import ALWAYS_OPEN
from ivrsched.rules.pacing import Pace
from ivrsched.rules.retry import gaps_us
from ivrsched.rules.timeline import Timeline
from ivrsched.rules.validity import deadline_us

#: S2: a sendAt further ahead than this adds a notice.
SCHEDULING_HORIZON_US = 180 * US_PER_DAY


def system_clock() -> datetime:
    """The default clock: the system's current time, in UTC."""
    return datetime.now(timezone.utc)


def calendar_for(window: DeliveryTimeWindow | None) -> Calendar:
    """The calendar a message's attempts run on (S6)."""
    if window is None:
        return ALWAYS_OPEN
    from ivrsched.rules.windows import WindowCalendar

    return WindowCalendar.from_window(window)


@dataclass(frozen=True)
class DestinationSchedule:
    """One destination and its earliest attempt instants (first attempt, then retries).

    A rejected destination has no attempts; so has one whose first attempt would fall at or
    after its message's deadline.
    """

    message: int
    index: int
    destination: Destination
    message_id: str
    attempts_us: tuple[int, ...]
    offset_minutes: int = 0

    @property
    def to(self) -> str | None:
        """The destination's address as given (None when missing)."""
        return self.destination.to

    @property
    def status(self) -> Status:
        """The destination's S7 status (PENDING_ACCEPTED unless rejected)."""
        return self.destination.status

    @property
    def attempts(self) -> tuple[datetime, ...]:
        """The attempts as aware datetimes in the message's rendering offset."""
        return tuple(from_us(t, self.offset_minutes) for t in self.attempts_us)

    def rendered_attempts(self) -> list[str]:
        """The attempts as S1 renders them."""
        return [format_us(t, self.offset_minutes) for t in self.attempts_us]


@dataclass(frozen=True, eq=True)
class MessagePlan(Sequence[DestinationSchedule]):
    """The plan of one message object: its time line and, lazily, each destination's schedule.

    Positions are the destinations' positions in the request (rejected ones included). Slicing
    gives another lazy :class:`MessagePlan` over the selected positions.
    """

    message_index: int
    message: Message
    timeline: Timeline
    ids: IdSource
    offset_minutes: int = 0
    positions: range = field(default=range(0))

    # -- the message's header -------------------------------------------------------------
    @property
    def start_us(self) -> int:
        """When the message starts (S2), in integer µs."""
        return self.timeline.start_us

    @property
    def start(self) -> datetime:
        """When the message starts (S2), in its rendering offset."""
        return from_us(self.start_us, self.offset_minutes)

    @property
    def deadline_us(self) -> int | None:
        """The first instant no attempt is allowed at (S4), or None without a deadline."""
        return self.timeline.deadline_us

    @property
    def deadline(self) -> datetime | None:
        """The deadline (S4) in the rendering offset, or None."""
        d = self.deadline_us
        return None if d is None else from_us(d, self.offset_minutes)

    @property
    def pace(self) -> Pace | None:
        """The pacing of first attempts (S3), or None when unpaced."""
        return self.timeline.pace

    @property
    def retry_gaps(self) -> tuple[timedelta, ...]:
        """g_1..g_n of S5, the waits before each retry."""
        return tuple(timedelta(microseconds=g) for g in self.timeline.gaps_us)

    @property
    def accepted_count(self) -> int:
        """Accepted destinations among this plan's positions."""
        return len(self.positions) - sum(1 for _ in self._rejected_in_positions())

    # -- sequence protocol ----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.positions)

    @overload
    def __getitem__(self, key: int) -> DestinationSchedule: ...

    @overload
    def __getitem__(self, key: slice) -> MessagePlan: ...

    def __getitem__(self, key: int | slice) -> DestinationSchedule | MessagePlan:
        if isinstance(key, slice):
            return MessagePlan(self.message_index, self.message, self.timeline, self.ids,
                               self.offset_minutes, self.positions[key])
        return self.schedule(self.positions[key])

    def __iter__(self) -> Iterator[DestinationSchedule]:
        for position in self.positions:
            yield self.schedule(position)

    # -- per destination ------------------------------------------------------------------
    def slot(self, position: int) -> int | None:
        """The pacing slot of the destination at request position ``position``, or None when
        it is rejected (S3: rejected destinations take no slot)."""
        rejected = self.message.rejected
        before = bisect_left(rejected, position)
        if before < len(rejected) and rejected[before] == position:
            return None
        return position - before

    def schedule(self, position: int) -> DestinationSchedule:
        """The schedule of the destination at request position ``position`` (0-based)."""
        destination = self.message.destinations[position]
        slot = self.slot(position)
        attempts = () if slot is None else self.timeline.attempts_us(slot)
        message_id = destination.message_id
        if message_id is None:
            message_id = self.ids.message_id(self.message_index, position)
        return DestinationSchedule(self.message_index, position, destination, message_id,
                                   attempts, self.offset_minutes)

    def first_attempts_before(self, at: datetime | int) -> int:
        """How many of this message's destinations have their first attempt strictly before
        ``at`` (an aware datetime or integer µs). O(1) for a plan over all positions."""
        at_us = at if isinstance(at, int) else to_us(at)
        if self.positions == range(len(self.message.destinations)):
            return self.timeline.first_attempts_before(at_us, self.message.accepted_count)
        # A slice: count its accepted slots below the bound.
        slots = [s for p in self.positions if (s := self.slot(p)) is not None]
        bound = self.timeline.first_attempts_before(at_us, self.message.accepted_count)
        return sum(1 for s in slots if s < bound)

    def _rejected_in_positions(self) -> Iterator[int]:
        rejected = self.message.rejected
        if self.positions.step == 1:
            lo = bisect_left(rejected, self.positions.start)
            hi = bisect_left(rejected, self.positions.stop)
            yield from rejected[lo:hi]
        else:
            yield from (r for r in rejected if r in self.positions)


@dataclass(frozen=True)
class Plan:
    """The plan of a whole request: one :class:`MessagePlan` per message object, in order."""

    request: Request
    now_us: int
    failure_delay_us: int
    ids: IdSource
    messages: tuple[MessagePlan, ...]
    notices: tuple[Notice, ...]
    bulk_id: str | None

    def __len__(self) -> int:
        return sum(len(m) for m in self.messages)

    def __iter__(self) -> Iterator[DestinationSchedule]:
        for message_plan in self.messages:
            yield from message_plan

    @property
    def now(self) -> datetime:
        """The submission time the plan was made for, in UTC."""
        return from_us(self.now_us)

    def to_arrow(self) -> Any:
        """The plan as a ``pyarrow.Table``, one row per destination (the ``arrow`` extra; the
        columns are described in :mod:`ivrsched.io.arrow_export`)."""
        from ivrsched.io.arrow_export import plan_table

        return plan_table(self)


def message_path(request: Request, index: int) -> str:
    """JSON Pointer of message ``index`` in the request as given (the flat shape is the root)."""
    if request.shape is RequestShape.FLAT:
        return ""
    return f"/{request.dialect.messages_member}/{index}"


def _field_name(message: Message) -> str:
    """The name of the field the message's start came from (``sendAt`` in IVR)."""
    return message.start_field.rsplit("/", 1)[-1]


def _message_plan(index: int, message: Message, prefix: str, now_us: int,
                  failure_delay_us: int, ids: IdSource, notices: list[Notice]) -> MessagePlan:
    start = now_us
    if message.send_at_us is not None:
        if message.send_at_us < now_us:
            notices.append(Notice(f"{prefix}/{message.start_field}", "send-at-past",
                                  f"{_field_name(message)} is in the past; the message starts now"))
        else:
            start = message.send_at_us
            if message.send_at_us - now_us > SCHEDULING_HORIZON_US:
                notices.append(Notice(f"{prefix}/{message.start_field}", "send-at-far",
                                      f"{_field_name(message)} is more than 180 days ahead"))
    speed = message.sending_speed
    retry = message.retry
    timeline = Timeline(
        start_us=start,
        pace=None if speed is None else Pace(speed.speed, speed.unit_us),
        deadline_us=deadline_us(start, message.validity_period),
        gaps_us=() if retry is None else gaps_us(retry.min_period, retry.max_period,
                                                 retry.max_count),
        failure_delay_us=failure_delay_us,
        calendar=calendar_for(message.delivery_time_window),
    )
    plan = MessagePlan(index, message, timeline, ids, message.send_at_offset,
                       range(len(message.destinations)))
    _check_range(plan)
    return plan


def _check_range(plan: MessagePlan) -> None:
    """S12: refuse a plan whose instants leave years 1..9999, before anyone iterates it."""
    try:
        where = f"message {plan.message_index}"
        # Every instant is rendered in the message's offset (S1), so it must be in range there
        # too, not only in UTC.
        offset = plan.offset_minutes
        check_range(plan.start_us, f"start of {where}", offset)
        if plan.deadline_us is not None:
            check_range(plan.deadline_us, f"deadline of {where}", offset)
        # Later slots never attempt earlier than earlier ones, and every attempt of any slot
        # is before the deadline when there is one: the last slot and the deadline bound all.
        last = plan.message.accepted_count - 1
        if last >= 0:
            for at in plan.timeline.attempts_us(last):
                check_range(at, f"last attempt of {where}", offset)
    except OverflowError as exc:
        if isinstance(exc, PlanRangeError):
            raise
        raise PlanRangeError(f"the plan of message {plan.message_index} leaves years 1..9999"
                             ) from exc


def plan(request: Request | dict[str, Any] | str, *, now: datetime | None = None,
         failure_delay: timedelta = timedelta(0), ids: IdSource | None = None,
         clock: Clock = system_clock) -> Plan:
    """Plan every destination of ``request`` (a parsed :class:`Request`, or anything
    :func:`ivrsched.parse_request` accepts).

    ``now`` is the submission time (aware); when None, ``clock`` is read once. ``failure_delay``
    is how long an attempt takes to be known as failed. ``ids`` generates missing IDs (default:
    a random seed per plan; pass :class:`ivrsched.ids.SeededIds` for reproducible IDs).
    """
    if not isinstance(request, Request):
        from ivrsched.request.parsing import parse_request

        request = parse_request(request)
    if failure_delay < timedelta(0):
        raise IvrschedError("failure_delay must not be negative")
    now_us = to_us(now if now is not None else clock())
    ids = ids if ids is not None else random_ids()
    notices = list(request.notices)
    failure_delay_us = timedelta_us(failure_delay)
    messages = tuple(_message_plan(i, m, message_path(request, i), now_us, failure_delay_us,
                                   ids, notices)
                     for i, m in enumerate(request.messages))
    bulk_id = request.bulk_id
    if bulk_id is None and request.destination_count > 1:
        bulk_id = ids.bulk_id()
    return Plan(request, now_us, failure_delay_us, ids, messages, tuple(notices), bulk_id)
