"""Plans: the lazy schedule of every destination of a request (SPEC S2–S5, S8).

A :class:`MessagePlan` is a sequence of :class:`DestinationSchedule` that computes each entry on
demand: ``len()``, indexing, slicing and "how many first attempts before t" cost O(1) (O(log r)
with r rejected destinations), whatever the number of destinations.

:func:`plan` is the one way to plan a request, whatever the source of its destinations: the
request's own lists, or, for one message, ``destinations=`` — a list or other sequence, a one-shot
iterator (held compactly), or a re-iterable stream such as a
:class:`~ivrsched.io.destination_files.DestinationFile`. A streamed message is planned in
constant memory: its schedules are computed as the stream is read (accepted destinations get
slots 0, 1, 2, … in stream order, S3), and one counting pass, made only when something needs the
counts, gives its length, its bulkId decision (S8) and its notices. The schedules, generated IDs,
bulkId and notices are the same for every source of the same destinations.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Any, overload

from ivrsched.abc import Calendar
from ivrsched.abc import Clock as Clock  # its home before ivrsched.abc; still imported from here
from ivrsched.errors import IvrschedError, Notice, PlanRangeError
from ivrsched.ids import IdSource, message_id_namer, random_ids
from ivrsched.planning.tally import RejectionTally, StreamSummary
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

if TYPE_CHECKING:
    from ivrsched.policy.document import CallingPolicy
    from ivrsched.policy.pacing import PolicyEnding
    from ivrsched.rules.lifecycle import Lifecycle, LifecycleEvent

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

    Under a calling policy (``plan(..., policy=)``, S15) an accepted destination also carries
    ``zones``, the zones it is called by (``()`` when it has none), and ``ending``, how its
    attempts end (an expired one: the deadline, no zone, or a calendar that never opens); both
    are None without a policy.
    """

    message: int
    index: int
    destination: Destination
    message_id: str
    attempts_us: tuple[int, ...]
    offset_minutes: int = 0
    zones: tuple[str, ...] | None = None
    ending: PolicyEnding | None = None

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

    A *streamed* message plan (``stream`` set, see :func:`plan`) reads its destinations from
    ``stream`` instead of the message (whose list is empty): iterating computes the schedules
    as it reads, ``len()`` and :attr:`accepted_count` take one counting pass (kept), and there
    is no random access (indexing or slicing raises ``TypeError``).
    """

    message_index: int
    message: Message
    timeline: Timeline
    ids: IdSource
    offset_minutes: int = 0
    positions: range = field(default=range(0))
    stream: Iterable[Destination] | None = field(default=None, compare=False)
    _counted: _Counted = field(default_factory=lambda: _Counted(), compare=False, repr=False)
    #: The request's calling policy (S15), when planned under one: the message's schedules
    #: then depend on the whole request and are only given by iterating the :class:`Plan`.
    policy: CallingPolicy | None = field(default=None, compare=False)

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
        """Accepted destinations among this plan's positions (each takes a pacing slot)."""
        if self.stream is not None:
            return self.summary().accepted
        return len(self.positions) - sum(1 for _ in self._rejected_in_positions())

    @cached_property
    def name(self) -> Callable[[int, str | None], str]:
        """``(index, given messageId) -> messageId`` (:func:`ivrsched.ids.message_id_namer`)."""
        return message_id_namer(self.ids, self.message_index)

    def summary(self) -> StreamSummary:
        """The counts of this plan's destinations: all, accepted, rejected by status, the
        first rejected ones as examples. For a stream: one counting pass, made once (S12 is
        checked then, before anything is output, as :func:`plan` does for a list)."""
        found = self._counted.summary
        if found is not None:
            return found
        if self.stream is not None and iter(self.stream) is self.stream:
            # An iterator can be read once only: hold it, so that it can be read again.
            from ivrsched.io.destination_files import HeldDestinations

            self._counted.held = HeldDestinations(self.stream)
        tally = RejectionTally()
        count = 0
        for destination in self._destinations():
            count += 1
            if not destination.accepted:
                tally.reject(destination)
        found = tally.summary(count, count - tally.rejected)
        self._counted.summary = found
        if self.stream is not None:
            _check_range(self)
        return found

    @property
    def source(self) -> Iterable[Destination]:
        """The destinations this plan reads, in order: its stream, or its message's list (only
        the positions it covers)."""
        return self._destinations()

    def _destinations(self) -> Iterable[Destination]:
        if self._counted.held is not None:
            return self._counted.held
        if self.stream is not None:
            return self.stream
        destinations = self.message.destinations
        if self.positions == range(len(destinations)):
            return destinations
        return (destinations[p] for p in self.positions)

    def _random_access(self) -> None:
        self._closed_form()
        if self.stream is not None:
            raise TypeError("a streamed message plan has no random access; plan a sequence of "
                            "destinations (e.g. io.destination_files.HeldDestinations) for it")

    def _closed_form(self) -> None:
        if self.policy is not None:
            from ivrsched.planning.policy_plan import NoRandomAccessError

            raise NoRandomAccessError(
                "under a calling policy a destination's attempts depend on the whole request "
                "(pacing by calendar, the frequency cap): iterate the Plan, whose rows come in "
                "the order their plans are complete (see ivrsched.planning.policy_plan)")

    # -- sequence protocol ----------------------------------------------------------------
    def __len__(self) -> int:
        if self.stream is not None:
            return self.summary().destinations
        return len(self.positions)

    @overload
    def __getitem__(self, key: int) -> DestinationSchedule: ...

    @overload
    def __getitem__(self, key: slice) -> MessagePlan: ...

    def __getitem__(self, key: int | slice) -> DestinationSchedule | MessagePlan:
        self._random_access()
        if isinstance(key, slice):
            return MessagePlan(self.message_index, self.message, self.timeline, self.ids,
                               self.offset_minutes, self.positions[key])
        return self.schedule(self.positions[key])

    def __iter__(self) -> Iterator[DestinationSchedule]:
        self._closed_form()
        if self.stream is not None:
            yield from self._streamed_schedules()
            return
        for position in self.positions:
            yield self.schedule(position)

    def _streamed_schedules(self) -> Iterator[DestinationSchedule]:
        """The stream's schedules in order; a complete pass also leaves the counts behind."""
        assert self.stream is not None
        tally = RejectionTally()
        count = 0
        for schedule in schedules_over(self, self._destinations()):
            count += 1
            if not schedule.destination.accepted:
                tally.reject(schedule.destination)
            yield schedule
        self.record_counts(tally.summary(count, count - tally.rejected))

    def record_counts(self, summary: StreamSummary) -> None:
        """Keep the counts a complete pass over a stream found (writers that read the stream
        their own way call this), so that no second pass is needed for them."""
        if self.stream is not None and self._counted.summary is None:
            self._counted.summary = summary

    def rejected_schedules(self) -> Iterator[DestinationSchedule]:
        """The schedules of the rejected destinations (no attempts), in request order."""
        if self.stream is None:
            rejected = self.message.rejected
            lo, hi = 0, len(rejected)
            if self.positions.step == 1:
                lo = bisect_left(rejected, self.positions.start)
                hi = bisect_left(rejected, self.positions.stop)
            for position in rejected[lo:hi]:
                if position in self.positions:
                    destination = self.message.destinations[position]
                    yield DestinationSchedule(self.message_index, position, destination,
                                              self.name(position, destination.message_id), (),
                                              self.offset_minutes)
            return
        name, message, offset = self.name, self.message_index, self.offset_minutes
        for index, destination in enumerate(self._destinations()):
            if not destination.accepted:
                yield DestinationSchedule(message, index, destination,
                                          name(index, destination.message_id), (), offset)

    # -- per destination ------------------------------------------------------------------
    def slot(self, position: int) -> int | None:
        """The pacing slot of the destination at request position ``position``, or None when
        it is rejected (S3: rejected destinations take no slot)."""
        self._random_access()
        rejected = self.message.rejected
        before = bisect_left(rejected, position)
        if before < len(rejected) and rejected[before] == position:
            return None
        return position - before

    def schedule(self, position: int) -> DestinationSchedule:
        """The schedule of the destination at request position ``position`` (0-based)."""
        self._closed_form()
        destination = self.message.destinations[position]
        slot = self.slot(position)
        attempts = () if slot is None else self.timeline.attempts_us(slot)
        return DestinationSchedule(self.message_index, position, destination,
                                   self.name(position, destination.message_id), attempts,
                                   self.offset_minutes)

    def first_attempts_before(self, at: datetime | int) -> int:
        """How many of this message's destinations have their first attempt strictly before
        ``at`` (an aware datetime or integer µs). O(1) for a plan over all positions."""
        at_us = at if isinstance(at, int) else to_us(at)
        self._closed_form()
        if self.stream is not None:
            return self.timeline.first_attempts_before(at_us, self.accepted_count)
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


def schedules_over(message_plan: MessagePlan,
                   destinations: Iterable[Destination]) -> Iterator[DestinationSchedule]:
    """The schedule of each of ``destinations``, in order, under ``message_plan``'s rules (its
    own destinations are ignored): slots are handed out on the fly, 0, 1, 2, … to the accepted
    ones (S3), and ``index`` is the position in ``destinations``. Raises
    :class:`~ivrsched.errors.PlanRangeError` at the first attempt outside years 1..9999 (S12)."""
    attempts_of = message_plan.timeline.attempts_function(message_plan.offset_minutes)
    name, message, offset = (message_plan.name, message_plan.message_index,
                             message_plan.offset_minutes)
    slot = 0
    for index, destination in enumerate(destinations):
        attempts: tuple[int, ...] = ()
        if destination.accepted:
            attempts = attempts_of(slot)
            slot += 1
        yield DestinationSchedule(message, index, destination,
                                  name(index, destination.message_id), attempts, offset)


@dataclass
class _Counted:
    """Where a streamed message plan keeps the counts of its first complete pass."""

    summary: StreamSummary | None = None
    #: A one-shot stream (an iterator) read into memory because it had to be counted first.
    held: Sequence[Destination] | None = None


@dataclass(frozen=True)
class Plan:
    """The plan of a whole request: one :class:`MessagePlan` per message object, in order.

    ``planned_notices`` are the notices known without reading a stream (the request's, S2's);
    :attr:`notices` adds S7's count notice of each streamed message, and :attr:`bulk_id` decides
    S8's generated bulkId on the count of every destination, streamed ones included (both take
    a stream's counting pass when the counts are not known yet).
    """

    request: Request
    now_us: int
    failure_delay_us: int
    ids: IdSource
    messages: tuple[MessagePlan, ...]
    planned_notices: tuple[Notice, ...]
    #: The lifecycle operations (S13) the plan was made under; None without any.
    lifecycle: Lifecycle | None = None
    #: The calling policy the plan obeys (S15), or None. Under a policy, iterating the plan
    #: runs the policy engine (:mod:`ivrsched.planning.policy_plan`: its row order, no random
    #: access); simulations, forecasts and checks read it from here.
    policy: CallingPolicy | None = None

    @property
    def notices(self) -> tuple[Notice, ...]:
        """Every notice about the request and its plan (see the class docstring)."""
        from ivrsched.request.parsing import too_many_destinations

        counted = tuple(notice for m in self.messages if m.stream is not None
                        if (notice := too_many_destinations(
                            len(m), destinations_path(self.request, m.message_index)))
                        is not None)
        return self.planned_notices + counted

    @property
    def bulk_id(self) -> str | None:
        """The given bulkId, else the generated one when the request has more than one
        destination (S8), else None."""
        if self.request.bulk_id is not None:
            return self.request.bulk_id
        return self.ids.bulk_id() if self.destination_count > 1 else None

    @property
    def destination_count(self) -> int:
        """Destinations over all messages, rejected and streamed ones included."""
        return sum(len(m) for m in self.messages)

    def __len__(self) -> int:
        return self.destination_count

    def __iter__(self) -> Iterator[DestinationSchedule]:
        if self.policy is not None:
            from ivrsched.planning.policy_plan import policy_schedules

            yield from policy_schedules(self)
            return
        for message_plan in self.messages:
            yield from message_plan

    @property
    def now(self) -> datetime:
        """The submission time the plan was made for, in UTC."""
        return from_us(self.now_us)

    def to_arrow(self, per: str = "destination", tz: str | None = None) -> Any:
        """The plan as a ``pyarrow.Table``, one row per destination or (``per="attempt"``)
        per attempt, with timestamp columns shown in ``tz`` (the ``arrow`` extra; the columns
        are described in :mod:`ivrsched.io.frames`)."""
        from ivrsched.io.frames import frame_table

        return frame_table(self, per, tz)  # type: ignore[arg-type]

    def to_pandas(self, per: str = "destination", tz: str | None = None) -> Any:
        """The plan as a ``pandas.DataFrame`` (see :meth:`to_arrow`; needs pandas)."""
        from ivrsched.io.frames import to_pandas

        return to_pandas(self, per, tz)  # type: ignore[arg-type]

    def to_polars(self, per: str = "destination", tz: str | None = None) -> Any:
        """The plan as a ``polars.DataFrame`` (see :meth:`to_arrow`; needs polars)."""
        from ivrsched.io.frames import to_polars

        return to_polars(self, per, tz)  # type: ignore[arg-type]


def message_path(request: Request, index: int) -> str:
    """JSON Pointer of message ``index`` in the request as given (the flat shape is the root)."""
    if request.shape is RequestShape.FLAT:
        return ""
    return f"/{request.dialect.messages_member}/{index}"


def destinations_path(request: Request, index: int) -> str:
    """JSON Pointer of message ``index``'s destinations (``/to`` in the flat shape)."""
    if request.shape is RequestShape.FLAT:
        return "/to"
    return f"{message_path(request, index)}/{request.dialect.destinations_member}"


def _field_name(message: Message) -> str:
    """The name of the field the message's start came from (``sendAt`` in IVR)."""
    return message.start_field.rsplit("/", 1)[-1]


def _message_plan(index: int, message: Message, prefix: str, now_us: int,
                  failure_delay_us: int, ids: IdSource, notices: list[Notice],
                  stream: Iterable[Destination] | None = None,
                  policy: CallingPolicy | None = None) -> MessagePlan:
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
                       range(len(message.destinations)), stream, policy=policy)
    if stream is None:
        _check_range(plan)
    else:
        # The last slot is known once the stream is counted (MessagePlan.summary); the start
        # and the deadline can be checked now.
        _check_range(plan, slots=0)
    return plan


def _check_range(plan: MessagePlan, slots: int | None = None) -> None:
    """S12: refuse a plan whose instants leave years 1..9999, before anyone iterates it
    (``slots``: its accepted destinations, when not the plan's own count)."""
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
        last = (plan.accepted_count if slots is None else slots) - 1
        if last >= 0:
            for at in plan.timeline.attempts_us(last):
                check_range(at, f"last attempt of {where}", offset)
    except OverflowError as exc:
        if isinstance(exc, PlanRangeError):
            raise
        raise PlanRangeError(f"the plan of message {plan.message_index} leaves years 1..9999"
                             ) from exc


def plan(request: Request | dict[str, Any] | str,
         destinations: Iterable[Destination] | None = None, *, message: int = 0,
         now: datetime | None = None, failure_delay: timedelta = timedelta(0),
         ids: IdSource | None = None, clock: Clock = system_clock,
         events: Iterable[LifecycleEvent] = (),
         policy: CallingPolicy | None = None) -> Plan:
    """Plan every destination of ``request`` (a parsed :class:`Request`, or anything
    :func:`ivrsched.parse_request` accepts).

    ``destinations``, when given, replaces message ``message``'s own destinations (the one
    way to plan destinations that come from elsewhere, see the module docstring): a sequence is
    planned as a list; any other iterable is streamed in constant memory — a re-iterable one
    (e.g. a :class:`~ivrsched.io.destination_files.DestinationFile`) is read again for each
    pass, a one-shot iterator (e.g. a generator) is held compactly when it must be counted
    before it is read.
    Each destination carries the status S7 gave it; its index is its position in
    ``destinations``. The schedules, generated IDs, bulkId and notices are those of a request
    listing the same destinations.

    ``now`` is the submission time (aware); when None, ``clock`` is read once. ``failure_delay``
    is how long an attempt takes to be known as failed. ``ids`` generates missing IDs (default:
    a random seed per plan; pass :class:`ivrsched.ids.SeededIds` for reproducible IDs).

    ``events`` are lifecycle operations (S13: pause, resume, reschedule, cancel as
    :class:`~ivrsched.rules.lifecycle.LifecycleEvent`) applied to the whole request at their
    instants, as a dispatcher applies them live: pauses are closed time, a reschedule moves
    the start and the deadline, a cancel cuts every message. A sequence S13 does not allow
    raises :class:`~ivrsched.rules.lifecycle.LifecycleError` naming the event.

    ``policy`` (a :class:`~ivrsched.policy.document.CallingPolicy`, S15) makes every attempt
    obey recipient-local calling hours, closed dates, holidays and a frequency cap per number.
    The plan then has no closed form per index: iterate it (constant memory in destinations,
    rows in the order of :mod:`ivrsched.planning.policy_plan`); its message plans refuse
    indexing. ``None`` gives exactly the plan of S1–S12.
    """
    if not isinstance(request, Request):
        from ivrsched.request.parsing import parse_request

        request = parse_request(request, destinations_required=destinations is None)
    if failure_delay < timedelta(0):
        raise IvrschedError("failure_delay must not be negative")
    now_us = to_us(now if now is not None else clock())
    ids = ids if ids is not None else random_ids()
    notices = list(request.notices)
    stream: Iterable[Destination] | None = None
    if destinations is not None:
        request, stream = _replace_destinations(request, destinations, message)
        if stream is None:
            from ivrsched.request.parsing import too_many_destinations

            count = len(request.messages[message].destinations)
            notice = too_many_destinations(count, destinations_path(request, message))
            if notice is not None:
                notices.append(notice)
    failure_delay_us = timedelta_us(failure_delay)
    messages = tuple(_message_plan(i, m, message_path(request, i), now_us, failure_delay_us,
                                   ids, notices, stream if i == message else None, policy)
                     for i, m in enumerate(request.messages))
    events = tuple(events)
    if not events:
        return Plan(request, now_us, failure_delay_us, ids, messages, tuple(notices),
                    policy=policy)
    lifecycle, messages = _under_lifecycle(messages, events, now_us)
    return Plan(request, now_us, failure_delay_us, ids, messages, tuple(notices), lifecycle,
                policy)


def _under_lifecycle(messages: tuple[MessagePlan, ...], events: tuple[LifecycleEvent, ...],
                     now_us: int) -> tuple[Lifecycle, tuple[MessagePlan, ...]]:
    """The lifecycle of ``events`` (checked as a dispatcher checks them) and each message plan
    with its time line under it."""
    from ivrsched.rules.lifecycle import offline_lifecycle

    def under(lifecycle: Lifecycle) -> tuple[MessagePlan, ...]:
        return tuple(replace(m, timeline=lifecycle.timeline(m.timeline,
                                                            m.message.validity_period))
                     for m in messages)

    def timelines(lifecycle: Lifecycle) -> Iterator[tuple[Timeline, int]]:
        # A reschedule is refused once a message's first attempt is before it; only whether a
        # message has an accepted destination matters, so a stream is not counted for it.
        for m in under(lifecycle):
            yield m.timeline, _has_accepted(m)

    lifecycle = offline_lifecycle(events, now_us, timelines)
    planned = under(lifecycle)
    for m in planned:
        _check_range(m, slots=0 if m.stream is not None else None)
    return lifecycle, planned


def _has_accepted(message_plan: MessagePlan) -> int:
    """1 when the message plan has an accepted destination, else 0 (reads at most until the
    first accepted one of a stream)."""
    if message_plan.stream is None:
        return 1 if message_plan.accepted_count > 0 else 0
    return 1 if any(d.accepted for d in message_plan.stream) else 0


def _replace_destinations(request: Request, destinations: Iterable[Destination], message: int
                          ) -> tuple[Request, Iterable[Destination] | None]:
    """``request`` with message ``message``'s destinations replaced: by ``destinations`` when
    they are a sequence, else emptied, with the stream to read them from."""
    if not 0 <= message < len(request.messages):
        raise IndexError(f"the request has no message {message}")
    if isinstance(destinations, Sequence):
        return with_destinations(request, destinations, message), None
    emptied = replace(request.messages[message], destinations=(), rejected_indices=())
    return request.with_message(message, emptied), destinations


def with_destinations(request: Request, destinations: Iterable[Destination],
                      message: int = 0) -> Request:
    """``request`` with message ``message``'s destinations replaced by ``destinations``, held
    for random access: a sequence as it is, anything else read once into
    :class:`~ivrsched.io.destination_files.HeldDestinations`. Positions are the destinations'
    positions in ``destinations`` (so generated messageIds are those of any other source)."""
    if not 0 <= message < len(request.messages):
        raise IndexError(f"the request has no message {message}")
    from ivrsched.io.destination_files import HeldDestinations

    held: Sequence[Destination]
    if isinstance(destinations, HeldDestinations):
        held, rejected = destinations, destinations.rejected
    elif isinstance(destinations, Sequence):
        held = destinations
        rejected = tuple(i for i, d in enumerate(destinations) if not d.accepted)
    else:
        held = HeldDestinations(destinations)
        rejected = held.rejected
    replaced = replace(request.messages[message], destinations=held, rejected_indices=rejected)
    return request.with_message(message, replaced)
