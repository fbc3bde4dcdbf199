"""The capacity figures of :mod:`ivrsched.forecasting.capacity` computed on NumPy arrays.

The scalar functions sweep every attempt in Python (a heap merge of the columns); these sort
the attempts once and answer with searches over the sorted array. Same definitions, same
values (``tests/test_capacity_columns.py`` compares them on random columns); used by
:func:`~ivrsched.forecasting.capacity.plan_capacity` when NumPy (the ``fast`` extra) is there.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ivrsched.forecasting.capacity import BUSY_HOUR_US, Burst, Peak
from ivrsched.rules.vector import Int64Array


def sorted_starts(columns: Sequence[Sequence[int]]) -> Int64Array:
    """Every attempt of ``columns`` (array('q') or lists of µs) in time order."""
    parts = [np.asarray(column, dtype=np.int64) for column in columns if len(column)]
    if not parts:
        return np.empty(0, dtype=np.int64)
    return np.sort(np.concatenate(parts), kind="stable")


def peak_in_progress(starts: Int64Array, duration_us: int) -> Peak:
    """:func:`~ivrsched.forecasting.capacity.peak_in_progress` of the sorted ``starts``: calls
    in progress at t are those with start <= t < start + duration."""
    if duration_us < 0:
        raise ValueError("a call cannot last a negative time")
    ends = starts + np.int64(duration_us)

    def in_progress(at: Int64Array) -> Int64Array:
        return (np.searchsorted(starts, at, side="right")
                - np.searchsorted(ends, at, side="right")).astype(np.int64)

    # The count only rises at a start, so its highest value is reached at one.
    at_starts = in_progress(starts)
    best = int(at_starts.max()) if at_starts.size else 0
    if best <= 0:
        return Peak(0, None, None)
    best_at = int(starts[int(np.argmax(at_starts == best))])
    # It only falls at an end: the first end after the peak's instant with fewer.
    later = ends[ends > best_at]
    fewer = later[in_progress(later) < best]
    return Peak(best, best_at, int(fewer[0]) if fewer.size else None)


def bursts(starts: Int64Array, threshold: int) -> list[Burst]:
    """:func:`~ivrsched.forecasting.capacity.bursts` of the sorted ``starts``."""
    instants, counts = np.unique(starts, return_counts=True)
    many = counts > threshold
    return [Burst(at, count) for at, count in zip(instants[many].tolist(),
                                                  counts[many].tolist(), strict=True)]


def busy_hour(starts: Int64Array) -> int:
    """The most starts in any half-open hour (``capacity._busy_hour``): for each start, the
    starts in the hour that ends with it."""
    if not starts.size:
        return 0
    low = np.searchsorted(starts, starts - np.int64(BUSY_HOUR_US), side="right")
    return int((np.arange(1, starts.size + 1) - low).max())


__all__ = ["bursts", "busy_hour", "peak_in_progress", "sorted_starts"]
