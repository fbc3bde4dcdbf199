"""S16: the exact peak of calls in progress, bursts, and Erlang B against published tables."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched.forecasting.capacity import Burst, Peak, bursts, erlang_b, peak_in_progress


def brute_force_peak(starts: list[int], duration: int) -> Peak:
    """Count the calls in progress at every instant that matters, one by one."""
    instants = sorted({s for s in starts} | {s + duration for s in starts})

    def in_progress(t: int) -> int:
        return sum(1 for s in starts if s <= t < s + duration)

    counts = [(t, in_progress(t)) for t in instants]
    best = max((c for _, c in counts), default=0)
    if best == 0:
        return Peak(0, None, None)
    at = min(t for t, c in counts if c == best)
    after = [t for t, c in counts if t > at and c < best]
    return Peak(best, at, min(after) if after else None)


@given(st.lists(st.lists(st.integers(0, 60), max_size=8), max_size=4),
       st.integers(0, 20))
def test_the_peak_is_what_counting_every_instant_gives(columns: list[list[int]],
                                                       duration: int) -> None:
    columns = [sorted(c) for c in columns]
    every = [s for c in columns for s in c]
    assert peak_in_progress(columns, duration) == brute_force_peak(every, duration)


def test_worked_example_three_calls_overlap_from_10_to_12() -> None:
    # calls [0,12), [5,17), [10,22), [12,24): three at once from 10 until the first ends at 12
    # (at 12 one ends and one starts: still three), then two from 17.
    assert peak_in_progress([[0, 5, 10], [12]], 12) == Peak(3, 10, 17)


def test_calls_of_no_duration_are_never_in_progress() -> None:
    assert peak_in_progress([[1, 1, 1]], 0) == Peak(0, None, None)


def test_a_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError):
        peak_in_progress([[1]], -1)


def test_bursts_are_instants_with_more_starts_than_the_threshold() -> None:
    assert list(bursts([1, 5, 5, 5, 7, 9, 9], 2)) == [Burst(5, 3)]
    assert list(bursts([1, 5, 5, 5, 7, 9, 9], 1)) == [Burst(5, 3), Burst(9, 2)]
    assert list(bursts([], 0)) == []
    assert list(bursts([4, 4], 1)) == [Burst(4, 2)]


# Published Erlang B table values: the offered traffic (erlangs) that N lines carry at a
# grade of service of 1% (ITU-T E.520-style tables, reproduced in every teletraffic text:
# N=1 → 0.0101, N=2 → 0.153, N=5 → 1.361, N=10 → 4.461, N=20 → 12.031, N=50 → 37.901).
PUBLISHED_ONE_PERCENT = [(1, "0.0101"), (2, "0.153"), (5, "1.361"), (10, "4.461"),
                         (20, "12.031"), (50, "37.901")]


@pytest.mark.parametrize(("channels", "traffic"), PUBLISHED_ONE_PERCENT)
def test_erlang_b_matches_the_published_one_percent_table(channels: int, traffic: str) -> None:
    blocking = erlang_b(Fraction(traffic), channels)
    # The tables round the traffic to 3–4 significant digits, so the blocking is 1% to within
    # what that rounding moves it.
    assert abs(blocking - Decimal("0.01")) < Decimal("0.0002")


def test_erlang_b_edges() -> None:
    assert erlang_b(0, 5) == 0
    assert erlang_b(3, 0) == 1
    assert erlang_b(1, 1) == Decimal("0.5")  # A/(1+A)
    # two lines, one erlang: B = (A²/2) / (1 + A + A²/2) = 0.5/2.5 = 0.2
    assert erlang_b(1, 2) == Decimal("0.2")
    with pytest.raises(ValueError):
        erlang_b(-1, 2)
