"""The retry ladder and the waiting times between attempts (SPEC S5)."""

from __future__ import annotations

from bisect import bisect_left

from ivrsched.rules.instants import US_PER_MINUTE

#: The platform's retry ladder, in minutes.
LADDER: tuple[int, ...] = (1, 2, 5, 10, 20, 30, 60, 120, 240, 480, 960, 1440)
#: Retries beyond this are clamped to it.
MAX_COUNT = 4


def snap_to_ladder(minutes: int) -> int:
    """The rung a period is raised to: the smallest rung >= ``minutes``, and 1440 at most.

    ``minutes`` must be >= 1 (a smaller period is an error, which is the parser's to report).
    """
    if minutes < 1:
        raise ValueError("a retry period must be at least 1 minute")
    position = bisect_left(LADDER, minutes)
    return LADDER[min(position, len(LADDER) - 1)]


def next_rung(minutes: int) -> int:
    """The rung after ``minutes`` (itself a rung); the top rung stays where it is."""
    position = LADDER.index(minutes)
    return LADDER[min(position + 1, len(LADDER) - 1)]


def gap_sequence(min_period: int, max_period: int, count: int) -> tuple[int, ...]:
    """g_1..g_count in minutes: from ``min_period`` up the ladder, never above ``max_period``.

    Both periods must already be rungs with ``min_period <= max_period``.
    """
    gaps: list[int] = []
    gap = min_period
    for _ in range(count):
        gaps.append(gap)
        gap = min(next_rung(gap), max_period)
    return tuple(gaps)


def gaps_us(min_period: int, max_period: int, count: int) -> tuple[int, ...]:
    """The same gaps in microseconds."""
    return tuple(g * US_PER_MINUTE for g in gap_sequence(min_period, max_period, count))
