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
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from itertools import groupby
from operator import itemgetter

__all__ = ["Burst", "Peak", "bursts", "erlang_b", "peak_in_progress"]


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
