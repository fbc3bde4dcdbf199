"""The parsed request as frozen values (SPEC S7).

These classes hold what the request says, after the normalisations of S4/S5; they know nothing of
time lines. :func:`ivrsched.parse_request` builds them; :func:`ivrsched.plan` reads them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import Enum, StrEnum

from ivrsched.errors import Notice
from ivrsched.request.dialects import Dialect
from ivrsched.request.status import Status
from ivrsched.rules.instants import US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND


class TimeUnit(Enum):
    """``sendingSpeed.timeUnit``; a day is 24 absolute hours (SPEC S3)."""

    SECOND = "second"
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"

    @property
    def us(self) -> int:
        """Length of the unit in microseconds (U in SPEC S3)."""
        return _UNIT_US[self]


_UNIT_US = {
    TimeUnit.SECOND: US_PER_SECOND,
    TimeUnit.MINUTE: US_PER_MINUTE,
    TimeUnit.HOUR: US_PER_HOUR,
    TimeUnit.DAY: US_PER_DAY,
}


class ContentType(StrEnum):
    """``notifyContentType``: how delivery reports are encoded (SPEC S10). The value is the
    media type as written in the request (a ``str``, so it can be sent as a header as is)."""

    JSON = "application/json"
    XML = "application/xml"


class RequestShape(StrEnum):
    """Which of the two request shapes of SPEC S7 a request was written in."""

    #: ``{"bulkId": ..., "messages": [...]}``: message objects with their destinations.
    MESSAGES = "messages"
    #: One message object at the root, with ``to`` (and ``bulkId``) beside its fields.
    FLAT = "flat"


@dataclass(frozen=True)
class SendingSpeed:
    """At most ``speed`` first attempts per ``time_unit`` (SPEC S3)."""

    speed: int
    time_unit: TimeUnit

    @property
    def unit_us(self) -> int:
        """The time unit in microseconds (U in SPEC S3)."""
        return self.time_unit.us


@dataclass(frozen=True)
class Retry:
    """The retry policy after S5's normalisation: periods on the ladder, ``max_count`` in 0..4."""

    min_period: int
    max_period: int
    max_count: int

    @property
    def gaps_minutes(self) -> tuple[int, ...]:
        """g_1..g_maxCount in minutes."""
        from ivrsched.rules.retry import gap_sequence

        return gap_sequence(self.min_period, self.max_period, self.max_count)


class Weekday(Enum):
    """Days of ``deliveryTimeWindow.days``; the value matches ``datetime.weekday()``."""

    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


@dataclass(frozen=True)
class TimeOfDay:
    """A wall-clock time of ``deliveryTimeWindow`` (``hour`` 0-23, ``minute`` 0-59)."""
    hour: int
    minute: int

    @property
    def minutes(self) -> int:
        """Minutes since midnight."""
        return self.hour * 60 + self.minute


@dataclass(frozen=True)
class DeliveryTimeWindow:
    """Days and hours in which attempts may happen (SPEC S6).

    ``start``/``end`` are both None for whole days. ``time_zone`` is an IANA name (an extension
    beyond the platform); None means UTC.
    """

    days: tuple[Weekday, ...]
    start: TimeOfDay | None = None
    end: TimeOfDay | None = None
    time_zone: str | None = None


@dataclass(frozen=True)
class Destination:
    """One destination as given, with the status S7 assigns to it.

    ``to`` is the address exactly as given (None when missing); ``message_id`` is the given one or
    None (the plan generates one). ``reason`` says in words why a rejected destination was rejected;
    ``line`` is the source line when destinations came from a file.
    """

    # accepted_destinations (below) fills these fields directly: a field added here is added
    # there (test_parsing compares the two, field by field).
    to: str | None
    message_id: str | None = None
    status: Status = Status.PENDING_ACCEPTED
    reason: str | None = None
    line: int | None = None

    @property
    def accepted(self) -> bool:
        """True unless S7 rejected the destination."""
        return not self.status.is_rejected


def accepted_destinations(tos: Sequence[str], message_ids: Sequence[str]) -> list[Destination]:
    """``[Destination(to, message_id) for to, message_id in zip(tos, message_ids)]``, built
    faster: the request parser's constructor for a large block of accepted destinations.

    A frozen dataclass's ``__init__`` stores each field with one ``object.__setattr__`` call;
    for hundreds of thousands of destinations those calls, and the cycle collector's passes
    over the growing heap (see :func:`collector_paused`), were most of the parsing time (0.32 s
    of 0.53 s for 200,000; 0.10 s here). Here each object's ``__dict__`` is filled directly, in
    the fields' declared order (so the objects are the same as the constructor's: equal,
    hash-equal, still frozen), at the cost of a materialised ``__dict__`` (about 64 bytes more
    per destination than the constructor's inline attributes). ``test_parsing`` checks it
    against the constructor, field by field.
    """
    new = object.__new__
    accepted = Status.PENDING_ACCEPTED
    built: list[Destination] = []
    append = built.append
    with collector_paused():
        for to, message_id in zip(tos, message_ids, strict=True):
            destination = new(Destination)
            fields_ = destination.__dict__
            fields_["to"] = to
            fields_["message_id"] = message_id
            fields_["status"] = accepted
            fields_["reason"] = None
            fields_["line"] = None
            append(destination)
    return built


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for a bulk build of acyclic objects (such as
    :func:`accepted_destinations`), then resumed if it was running.

    The collector runs after every 700 new container objects and, as the heap grows, over the
    whole heap; building hundreds of thousands of objects it would traverse them (and the
    caller's request document) again and again, finding no cycle: about half the build's
    time. The pause is process-wide, so it is kept to loops that only build values.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


@dataclass(frozen=True)
class Message:
    """One message object of the request: a scenario sent to its destinations under one policy.

    ``validity_period`` is the effective validity in minutes, or None when ``sending_speed`` makes
    S4 ignore it. ``send_at_us``/``send_at_offset`` are the parsed ``sendAt`` (microseconds and the
    offset, in minutes, it was written in). ``rejected_indices`` lists, ascending, the positions of
    rejected destinations; it lets a plan map a position to its pacing slot without a scan.
    ``scenario_id`` is None in dialects without scenarios (S17); ``extra`` holds a dialect's
    other non-timing fields, checked, under their JSON names; ``start_field`` is the pointer,
    relative to the message, of the field its start came from (notices about the start name it).
    """

    scenario_id: str | None
    destinations: Sequence[Destination]
    sender: str | None = None
    parameters: Mapping[str, object] | None = None
    notify_url: str | None = None
    notify_content_type: ContentType | None = None
    notify_content_version: int | None = None
    callback_data: str | None = None
    validity_period: int | None = 2880
    send_at_us: int | None = None
    send_at_offset: int = 0
    record: bool | None = None
    retry: Retry | None = None
    sending_speed: SendingSpeed | None = None
    delivery_time_window: DeliveryTimeWindow | None = None
    ring_timeout: int | None = None
    call_timeout: int | None = None
    pause: int | None = None
    extra: Mapping[str, object] | None = None
    start_field: str = "sendAt"
    rejected_indices: tuple[int, ...] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.rejected_indices is None:
            rejected = tuple(i for i, d in enumerate(self.destinations) if not d.accepted)
            object.__setattr__(self, "rejected_indices", rejected)

    @property
    def rejected(self) -> tuple[int, ...]:
        """Positions of rejected destinations, ascending."""
        assert self.rejected_indices is not None
        return self.rejected_indices

    @property
    def accepted_count(self) -> int:
        """How many destinations S7 accepted (each takes a pacing slot)."""
        return len(self.destinations) - len(self.rejected)


@dataclass(frozen=True)
class Request:
    """A whole parsed request: its messages, every notice the parsing left, and the shape it
    was written in (which decides the JSON Pointers of its messages).

    ``dialect`` is the endpoint the request was written for (S17); only the response layer
    reads it. ``extra`` holds the dialect's other root fields, checked, under their JSON names.
    """

    messages: tuple[Message, ...]
    bulk_id: str | None = None
    notices: tuple[Notice, ...] = ()
    shape: RequestShape = RequestShape.MESSAGES
    dialect: Dialect = Dialect.IVR
    extra: Mapping[str, object] | None = None

    def with_message(self, index: int, message: Message) -> Request:
        """This request with message ``index`` replaced by ``message``."""
        if not 0 <= index < len(self.messages):
            raise IndexError(f"the request has no message {index}")
        messages = (*self.messages[:index], message, *self.messages[index + 1:])
        return replace(self, messages=messages)

    @property
    def destination_count(self) -> int:
        """Destinations over all messages, rejected ones included."""
        return sum(len(m.destinations) for m in self.messages)
