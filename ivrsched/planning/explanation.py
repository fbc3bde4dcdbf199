"""What a message's plan amounts to, as data (for `json`/`table` headers) and in sentences
(for ``ivrsched explain``)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ivrsched.errors import Notice
from ivrsched.planning.planner import MessagePlan, Plan, message_path
from ivrsched.request.model import DeliveryTimeWindow, RequestShape
from ivrsched.rules.instants import (
    US_PER_HOUR,
    US_PER_MINUTE,
    US_PER_SECOND,
    format_clock,
    format_offset,
    format_us,
)
from ivrsched.rules.rendering import Rendering
from ivrsched.rules.windows import describe_window


@dataclass(frozen=True)
class MessageSummary:
    """The header facts of one message's plan. Instants are integer µs; ``None`` where absent."""

    message: int
    destinations: int
    accepted: int
    start_us: int
    first_attempt_us: int | None
    last_first_attempt_us: int | None
    last_attempt_us: int | None
    deadline_us: int | None
    speed: int | None
    time_unit: str | None
    interval_us: Fraction | None
    retry_gaps_minutes: tuple[int, ...]
    validity_ignored: bool
    offset_minutes: int
    notices: tuple[Notice, ...]
    window: DeliveryTimeWindow | None = None  # S6: attempts only inside it


def notices_of(plan: Plan, message: int) -> tuple[Notice, ...]:
    """The notices that concern message ``message`` (in the flat shape, every notice)."""
    if plan.request.shape is RequestShape.FLAT:
        return plan.notices
    prefix = f"{message_path(plan.request, message)}/"
    return tuple(n for n in plan.notices if n.path.startswith(prefix))


def summarize(plan: Plan, message_plan: MessagePlan) -> MessageSummary:
    """Summarise one message's plan in O(1) (plus the notices)."""
    accepted = message_plan.accepted_count
    timeline = message_plan.timeline
    happened = _first_attempts_happening(message_plan)
    first = timeline.first_attempt_us(0) if happened else None
    last_first = timeline.first_attempt_us(happened - 1) if happened else None
    speed = message_plan.message.sending_speed
    return MessageSummary(
        message=message_plan.message_index,
        destinations=len(message_plan),
        accepted=accepted,
        start_us=message_plan.start_us,
        first_attempt_us=first,
        last_first_attempt_us=last_first,
        last_attempt_us=_last_attempt(message_plan),
        deadline_us=message_plan.deadline_us,
        speed=None if speed is None else speed.speed,
        time_unit=None if speed is None else speed.time_unit.value,
        interval_us=None if message_plan.pace is None else message_plan.pace.interval,
        retry_gaps_minutes=tuple(g // US_PER_MINUTE for g in timeline.gaps_us),
        validity_ignored=speed is not None,
        offset_minutes=message_plan.offset_minutes,
        notices=notices_of(plan, message_plan.message_index),
        window=message_plan.message.delivery_time_window,
    )


def _first_attempts_happening(message_plan: MessagePlan) -> int:
    """How many accepted destinations get a first attempt (the deadline may drop the tail)."""
    timeline = message_plan.timeline
    accepted = message_plan.accepted_count
    if timeline.deadline_us is None:
        return accepted
    return timeline.first_attempts_before(timeline.deadline_us, accepted)


def _last_attempt(message_plan: MessagePlan) -> int | None:
    """The latest attempt of any destination.

    Every attempt instant is a non-decreasing function of the slot, and the deadline cuts later
    slots first, so the k-th attempts end latest at the last slot that still has k attempts.
    """
    happened = _first_attempts_happening(message_plan)
    latest: int | None = None
    for count in range(1, len(message_plan.timeline.gaps_us) + 2):
        slot = _last_slot_with_attempts(message_plan, happened, count)
        if slot is None:
            break
        attempt = message_plan.timeline.attempts_us(slot)[count - 1]
        latest = attempt if latest is None else max(latest, attempt)
    return latest


def _last_slot_with_attempts(message_plan: MessagePlan, happened: int, count: int) -> int | None:
    """The last slot below ``happened`` whose schedule has at least ``count`` attempts
    (attempt counts never increase with the slot, so a binary search finds it)."""
    timeline = message_plan.timeline
    if happened == 0 or len(timeline.attempts_us(0)) < count:
        return None
    lo, hi = 0, happened  # slot lo has enough attempts; slot hi (if any) has too few
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if len(timeline.attempts_us(mid)) >= count:
            lo = mid
        else:
            hi = mid
    return lo


def describe_duration(us: Fraction | int) -> str:
    """A duration in the largest whole unit that expresses it exactly (display only)."""
    value = Fraction(us)
    for unit, name in ((24 * US_PER_HOUR, "d"), (US_PER_HOUR, "h"), (US_PER_MINUTE, "min"),
                       (US_PER_SECOND, "s"), (1000, "ms"), (1, "µs")):
        if value >= unit and (value / unit).denominator == 1:
            return f"{value // unit} {name}"
    # Not a whole number of any unit: three decimals of the largest unit it reaches, truncated
    # with integer arithmetic (no float touches a time, not even for display).
    unit, name = next(((u, n) for u, n in ((US_PER_SECOND, "s"), (1000, "ms"))
                       if value >= u), (1, "µs"))
    thousandths = value * 1000 // unit
    whole, fraction = divmod(thousandths, 1000)
    digits = f"{fraction:03d}".rstrip("0")
    return f"about {whole}{'.' + digits if digits else ''} {name}"


def explain(summary: MessageSummary, tz: Rendering | None = None) -> str:
    """The header of a message's plan in sentences (times in ``tz`` when given)."""
    parts: list[str] = []
    offset = summary.offset_minutes
    label = format_offset(offset) if tz is None else tz.label

    def at(us: int) -> int:
        return offset if tz is None else tz.offset_at(us)

    if summary.speed is not None and summary.interval_us is not None:
        parts.append(f"{summary.speed} per {summary.time_unit}: one call every "
                     f"{describe_duration(summary.interval_us)}")
    else:
        parts.append("not paced: every first attempt at the start")
    if summary.window is not None:
        parts.append(f"calls only {describe_window(summary.window)}")
    parts.append(f"{summary.destinations} destination{'s' if summary.destinations != 1 else ''}"
                 + (f" ({summary.destinations - summary.accepted} rejected)"
                    if summary.accepted != summary.destinations else ""))
    if summary.first_attempt_us is not None and summary.last_first_attempt_us is not None:
        first_us, last_us = summary.first_attempt_us, summary.last_first_attempt_us
        same_day = (format_us(first_us, at(first_us))[:10]
                    == format_us(last_us, at(last_us))[:10])
        first = format_clock(first_us, at(first_us), with_date=not same_day)
        last = format_clock(last_us, at(last_us), with_date=not same_day)
        parts.append(f"first {first}, last {last} ({label})")
    else:
        parts.append("no first attempt happens")
    if summary.validity_ignored:
        parts.append("no deadline: validity ignored because sendingSpeed is set")
    elif summary.deadline_us is not None:
        parts.append(f"deadline {format_clock(summary.deadline_us, at(summary.deadline_us))} "
                     f"({label})")
    if summary.retry_gaps_minutes:
        gaps = ", ".join(str(g) for g in summary.retry_gaps_minutes)
        parts.append(f"retries after {gaps} min")
    else:
        parts.append("no retries")
    text = "; ".join(parts)
    for notice in summary.notices:
        text += f"\nnotice: {notice}"
    return text
