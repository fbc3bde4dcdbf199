"""A forecast's rows a block of buckets at a time, from the vector kernel's columns.

:meth:`ForecastRows.__getitem__ <ivrsched.forecasting.load.ForecastRows.__getitem__>` computes
one bucket at a time: per attempt series, counts of attempts before an instant and sums of
instants — O(1) each on an always-open calendar, but a walk of the calendar under a delivery
window, several per bucket and series with a call duration. Here the series a delivery window
moves (and a calling policy's sorted series) are answered for a whole block of bucket edges at
once from their columns (``searchsorted``), the calls in progress from running sums of the
columns; the other series are asked bucket by bucket as before. The rows are the same values
(``tests/test_forecast_blocks.py`` compares them with ``__getitem__``); only each row's exact
fractions are made one by one.

**Exact in 64 bits.** A bucket's occupancy is sums and differences of products of counts,
instants and sums of instants, which may leave int64 while the result — at most the calls
touching the bucket times the shorter of the call and the bucket — does not. NumPy's int64
arithmetic wraps around (it is arithmetic modulo 2^64), so a result known to lie in int64 is
exact whatever the intermediate values did. A block whose bound could leave int64 is computed
bucket by bucket instead.

Needs NumPy (the ``fast`` extra); without it :func:`blocks` answers None.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction
from math import lcm
from typing import TYPE_CHECKING

from ivrsched.forecasting.load import AttemptSeries, ForecastRow

if TYPE_CHECKING:
    from ivrsched.forecasting.load import ForecastRows
    from ivrsched.rules.vector import Int64Array

#: Buckets computed together: the arrays of a block stay small however long the forecast.
BLOCK = 16_384
#: A series' occupancies below this bound are exact in int64.
_SAFE = 2**62


def blocks(rows: ForecastRows) -> Iterator[ForecastRow] | None:
    """The rows of ``rows`` in order, a block of buckets at a time; None without NumPy, or
    when no series has columns to search (bucket by bucket is O(1) then)."""
    try:
        import numpy as np

        from ivrsched.forecasting.policy_load import SortedSeries
        from ivrsched.rules.vector import column_table
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    columns: list[Int64Array | None] = []
    for message_series in rows.model.series:
        for series in message_series:
            column = None
            if isinstance(series, SortedSeries):
                column = np.asarray(series.times, dtype=np.int64)
            elif series.message_plan.timeline.fixed_offsets_us is None:
                table = column_table(series.message_plan.timeline, series.slots)
                column = None if table is None else table.columns[series.number]
            columns.append(column)
    if all(column is None for column in columns):
        return None
    return _rows(rows, columns)


def _rows(rows: ForecastRows, columns: Sequence[Int64Array | None]) -> Iterator[ForecastRow]:
    import numpy as np

    model = rows.model
    flat = [series for message_series in model.series for series in message_series]
    numbers = max((len(s) for s in model.series), default=1)
    duration = model.duration_us
    for first in range(0, rows.length, BLOCK):
        size = min(BLOCK, rows.length - first)
        starts = (rows.first_start_us
                  + np.arange(first, first + size, dtype=np.int64) * rows.bucket_us)
        counts = [[0] * size for _ in range(numbers)]
        occupancy = [[0] * size for _ in range(numbers)]
        for series, column in zip(flat, columns, strict=True):
            found = None if column is None else _vector(column, starts, rows.bucket_us,
                                                        duration)
            if found is None:
                found = _scalar(series, starts.tolist(), rows.bucket_us, duration)
            k = series.number
            counts[k] = [a + b for a, b in zip(counts[k], found[0], strict=True)]
            occupancy[k] = [a + b for a, b in zip(occupancy[k], found[1], strict=True)]
        yield from _assemble(starts.tolist(), rows.bucket_us, counts, occupancy,
                             model.weights, duration)


def _scalar(series: AttemptSeries, starts: list[int], bucket_us: int, duration: int | None
            ) -> tuple[list[int], list[int]]:
    """A series' counts and occupancies bucket by bucket, by its own methods."""
    found = [series.before(s + bucket_us) - series.before(s) for s in starts]
    if duration is None:
        return found, [0] * len(starts)
    return found, [series.occupancy(s, s + bucket_us, duration) for s in starts]


def _vector(column: Int64Array, starts: Int64Array, bucket_us: int, duration: int | None
            ) -> tuple[list[int], list[int]] | None:
    """A column's counts and occupancies for every bucket at once (occupancies 0 without a
    duration); None when an occupancy could leave int64."""
    import numpy as np

    def before(at: Int64Array) -> Int64Array:
        return np.searchsorted(column, at, side="left").astype(np.int64)

    ends = starts + bucket_us
    found = before(ends) - before(starts)
    if duration is None or duration <= 0:
        return found.tolist(), [0] * starts.size
    # Every call touching a bucket started in [start - duration + 1, end).
    touching = before(ends) - before(starts - duration + 1)
    if int(touching.max()) * min(duration, bucket_us) >= _SAFE:
        return None
    prefix = np.zeros(column.size + 1, dtype=np.int64)
    with np.errstate(over="ignore"):
        np.cumsum(column, out=prefix[1:])  # wraps; only differences are read

        def sum_before(lo: Int64Array, hi: Int64Array) -> Int64Array:
            """``sum(before(x) for x in range(lo, hi))``, as the series' own."""
            below_lo, below_hi = before(lo), before(hi)
            total: Int64Array = (below_lo * (hi - lo) + (below_hi - below_lo) * (hi - 1)
                                 - (prefix[below_hi] - prefix[below_lo]))
            return total

        occupied = (sum_before(starts + 1, ends + 1)
                    - sum_before(starts - duration + 1, ends - duration + 1))
    return found.tolist(), occupied.tolist()


def _assemble(starts: list[int], bucket_us: int, counts: list[list[int]],
              occupancy: list[list[int]], weights: Sequence[Fraction], duration: int | None
              ) -> Iterator[ForecastRow]:
    """The rows of a block from its counts and occupancies per attempt number, weighted
    exactly: over one common denominator, so that a row makes two fractions."""
    numbers = len(counts)
    common = lcm(*(weight.denominator for weight in weights[:numbers]))
    scaled = [weight.numerator * (common // weight.denominator) for weight in weights[:numbers]]
    for b, start in enumerate(starts):
        retries = tuple(counts[k][b] for k in range(1, numbers))
        expected = Fraction(sum(scaled[k] * counts[k][b] for k in range(1, numbers)), common)
        in_progress = None
        if duration is not None:
            in_progress = Fraction(sum(scaled[k] * occupancy[k][b] for k in range(numbers)),
                                   common * bucket_us)
        yield ForecastRow(start, start + bucket_us, counts[0][b], retries, expected,
                          in_progress)


__all__ = ["BLOCK", "blocks"]
