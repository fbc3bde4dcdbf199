"""Capacity (SPEC S16): the exact peak of calls in progress, bursts at window openings, and an
Erlang B figure as a cross-check.

A call that starts at ``s`` and lasts ``d`` is in progress over ``[s, s + d)``. The peak is the
largest number of calls in progress at one instant, found by a sweep over the starts and ends in
time order (an end at ``t`` is taken before a start at ``t``: a line freed at ``t`` can carry
the next call at ``t``). Everything is integer microseconds.

Erlang B is a model of random (Poisson) arrivals, which a paced campaign is not; it is offered
beside the exact count, never instead of it.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal, localcontext
from fractions import Fraction
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING

from ivrsched.rules.instants import timedelta_us

if TYPE_CHECKING:
    from ivrsched.planning.planner import MessagePlan, Plan
    from ivrsched.policy.document import CallingPolicy
    from ivrsched.rules.timeline import Timeline

__all__ = ["Burst", "Capacity", "Peak", "bursts", "erlang_b", "peak_in_progress",
           "plan_capacity"]


@dataclass(frozen=True)
class Peak:
    """``count`` calls in progress at ``at_us`` (the earliest instant with that many), and
    ``until_us``, the first instant after it with fewer. ``count`` is 0 (and the instants None)
    when there is no call at all."""

    count: int
    at_us: int | None
    until_us: int | None


def _ends(starts: Iterable[int], duration_us: int) -> Iterator[tuple[int, int]]:
    return ((start + duration_us, -1) for start in starts)


def _starts(starts: Iterable[int]) -> Iterator[tuple[int, int]]:
    return ((start, 1) for start in starts)


def peak_in_progress(sorted_starts: Iterable[Sequence[int]], duration_us: int) -> Peak:
    """The peak of calls in progress, given the call starts as several sequences each sorted in
    time order (e.g. one per attempt number: first attempts, first retries, ...) and a call
    duration ``duration_us`` >= 0. Each sequence is read twice (for the starts and for the
    ends); memory is O(number of sequences)."""
    if duration_us < 0:
        raise ValueError("a call cannot last a negative time")
    columns = list(sorted_starts)
    events = heapq.merge(*(_ends(column, duration_us) for column in columns),
                         *(_starts(column) for column in columns))
    in_progress = best = 0
    best_at: int | None = None
    best_until: int | None = None
    # Every start and end at one instant is applied before the count is read: calls in
    # progress at t are those with start <= t < end.
    for at, group in groupby(events, key=itemgetter(0)):
        in_progress += sum(delta for _, delta in group)
        if in_progress > best:
            best, best_at, best_until = in_progress, at, None
        elif best_at is not None and best_until is None and in_progress < best:
            best_until = at
    return Peak(best, best_at, best_until)


@dataclass(frozen=True)
class Burst:
    """``count`` attempts that start at the same instant ``at_us``."""

    at_us: int
    count: int


def bursts(sorted_starts: Iterable[int], threshold: int) -> Iterator[Burst]:
    """Every instant at which more than ``threshold`` attempts start, from starts sorted in
    time order (a merge of sorted columns is fine)."""
    current: int | None = None
    count = 0
    for start in sorted_starts:
        if start == current:
            count += 1
            continue
        if current is not None and count > threshold:
            yield Burst(current, count)
        current, count = start, 1
    if current is not None and count > threshold:
        yield Burst(current, count)


def erlang_b(traffic_erlangs: Fraction | int, channels: int, *, digits: int = 40) -> Decimal:
    """The Erlang B blocking probability of ``channels`` lines offered ``traffic_erlangs``
    (arrival rate × mean call duration), by the standard recurrence
    ``B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1))``, in decimal arithmetic of ``digits``
    significant digits (the recurrence is stable; exact fractions would grow without bound)."""
    if channels < 0:
        raise ValueError("the number of channels cannot be negative")
    if traffic_erlangs < 0:
        raise ValueError("offered traffic cannot be negative")
    with localcontext() as context:
        context.prec = digits
        traffic = Decimal(Fraction(traffic_erlangs).numerator) / Fraction(
            traffic_erlangs).denominator
        blocking = Decimal(1)
        for n in range(1, channels + 1):
            blocking = traffic * blocking / (n + traffic * blocking)
        return +blocking


#: The window over which the offered traffic of Erlang B is measured: the busiest hour.
BUSY_HOUR_US = 3_600_000_000


@dataclass(frozen=True)
class Capacity:
    """What a plan asks of the lines when every attempt lasts ``call_duration_us``.

    Every planned attempt happens, each retry ``call_duration + g_k`` after the attempt before
    it started (the worst case: nobody answers). ``peak`` is the exact peak of calls in
    progress; ``opening_bursts`` are the instants at which more attempts start at once than
    the message's pace allows in a unit (or than one, unpaced) right after closed time (a
    window opening or a resume): retries held back while it was closed. ``busy_hour_attempts``
    is the most attempts that start in any hour, and ``blocking`` the Erlang B probability of
    ``channels`` lines offered that hour's traffic (None without ``channels``).
    """

    call_duration_us: int
    attempts: int
    peak: Peak
    opening_bursts: tuple[Burst, ...]
    busy_hour_attempts: int
    channels: int | None = None
    blocking: Decimal | None = None

    @property
    def offered_erlangs(self) -> Fraction:
        """The busiest hour's attempts times the call duration, in erlangs (exact)."""
        return Fraction(self.busy_hour_attempts * self.call_duration_us, BUSY_HOUR_US)


def _worst_case(message_plan: MessagePlan, call_duration_us: int, accepted: int | None
                ) -> tuple[Timeline, tuple[Sequence[int], ...]]:
    """The message's time line with every attempt failing after ``call_duration_us``, and its
    attempt columns (each sorted in time); ``accepted`` counts destinations not listed."""
    from ivrsched.planning.columns import attempt_columns, slot_columns

    timeline = replace(message_plan.timeline, failure_delay_us=call_duration_us)
    if accepted is None and message_plan.stream is not None:
        accepted = message_plan.accepted_count  # a streamed message: its slots 0, 1, …
    if accepted is not None:
        return timeline, slot_columns(timeline, range(accepted))
    return timeline, attempt_columns(replace(message_plan, timeline=timeline))


def _opening_bursts(timeline: Timeline, columns: Sequence[Sequence[int]]) -> list[Burst]:
    """Instants just after closed time at which more attempts start than the pace allows in a
    unit (more than one, unpaced)."""
    threshold = 1 if timeline.pace is None else timeline.pace.speed
    try:
        from ivrsched.forecasting import capacity_columns
    except ImportError:  # pragma: no cover - depends on the environment
        found: Iterable[Burst] = bursts(heapq.merge(*columns), threshold)
    else:
        found = capacity_columns.bursts(capacity_columns.sorted_starts(columns), threshold)
    return [burst for burst in found
            if burst.at_us > timeline.start_us and not _open_just_before(timeline, burst.at_us)]


def _open_just_before(timeline: Timeline, at_us: int) -> bool:
    return timeline.calendar.next_open(at_us - 1) == at_us - 1


def _busy_hour(sorted_starts: Sequence[int]) -> int:
    """The most starts in any half-open hour, by a sliding window over sorted starts."""
    best = low = 0
    for high, start in enumerate(sorted_starts):
        while sorted_starts[low] <= start - BUSY_HOUR_US:
            low += 1
        best = max(best, high - low + 1)
    return best


def _sweep(columns: Sequence[Sequence[int]], duration_us: int) -> tuple[int, Peak, int]:
    """The number of attempts, the peak in progress and the busy hour's attempts: on NumPy
    arrays when it is installed (:mod:`ivrsched.forecasting.capacity_columns`, the same
    values), else by the sweeps above."""
    try:
        from ivrsched.forecasting import capacity_columns
    except ImportError:  # pragma: no cover - depends on the environment
        starts = list(heapq.merge(*columns))
        return len(starts), peak_in_progress(columns, duration_us), _busy_hour(starts)
    ordered = capacity_columns.sorted_starts(columns)
    return (int(ordered.size), capacity_columns.peak_in_progress(ordered, duration_us),
            capacity_columns.busy_hour(ordered))


def plan_capacity(plan: Plan, call_duration: timedelta, *, channels: int | None = None,
                  counts: Sequence[tuple[int, int]] | None = None,
                  policy: CallingPolicy | None = None) -> Capacity:
    """The :class:`Capacity` of ``plan`` for calls of ``call_duration``; ``counts`` (one
    ``(destinations, accepted)`` pair per message, as :func:`ivrsched.forecast` takes them)
    stands for destinations that are streamed rather than listed. ``policy`` (S15): the
    attempts the policy engine places, each failing after ``call_duration``."""
    duration_us = timedelta_us(call_duration)
    if duration_us < 0:
        raise ValueError("a call cannot last a negative time")
    if channels is not None and channels < 1:
        raise ValueError("the number of channels must be at least 1")
    columns: list[Sequence[int]] = []
    opening: list[Burst] = []
    placed = None
    if policy is not None:
        from ivrsched.forecasting.policy_load import policy_columns

        placed = policy_columns(plan, policy, duration_us)
    for message_plan in plan.messages:
        accepted = None if counts is None else counts[message_plan.message_index][1]
        timeline, message_columns = _worst_case(message_plan, duration_us, accepted)
        if placed is not None:
            message_columns = tuple(placed[message_plan.message_index])
        columns.extend(message_columns)
        opening.extend(_opening_bursts(timeline, message_columns))
    attempts, peak, busiest = _sweep(columns, duration_us)
    capacity = Capacity(duration_us, attempts, peak,
                        tuple(sorted(opening, key=lambda b: (-b.count, b.at_us))),
                        busiest, channels)
    if channels is None:
        return capacity
    return replace(capacity, blocking=erlang_b(capacity.offered_erlangs, channels))
