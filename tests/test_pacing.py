import itertools
from bisect import bisect_left

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched.rules.instants import US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND
from ivrsched.rules.pacing import Pace

UNITS = st.sampled_from([US_PER_SECOND, US_PER_MINUTE, US_PER_HOUR, US_PER_DAY])


def test_ten_per_hour_is_one_every_six_minutes() -> None:
    pace = Pace(10, US_PER_HOUR)
    offsets = [pace.offset(i) for i in range(25)]
    assert all(b - a == 6 * US_PER_MINUTE for a, b in itertools.pairwise(offsets))
    assert offsets[24] == 144 * US_PER_MINUTE  # 24 × 6 min = 2 h 24 min


def test_three_per_second_floors_each_offset() -> None:
    pace = Pace(3, US_PER_SECOND)
    # i·10^6/3 floored: 0, 333333.3…→333333, 666666.6…→666666, 1000000.
    assert [pace.offset(i) for i in range(4)] == [0, 333_333, 666_666, 1_000_000]


def test_one_per_day_is_24_hours_apart() -> None:
    pace = Pace(1, US_PER_DAY)
    assert pace.offset(1) - pace.offset(0) == 24 * US_PER_HOUR
    assert pace.offset(7) == 7 * 86_400 * 10**6


def test_no_drift_at_the_trillionth_destination() -> None:
    pace = Pace(7, US_PER_HOUR)
    assert pace.offset(10**12) == 10**12 * 3_600_000_000 // 7
    assert pace.count_before(pace.offset(10**12)) == 10**12


def test_pace_refuses_zero() -> None:
    with pytest.raises(ValueError):
        Pace(0, US_PER_SECOND)


@given(st.integers(1, 5000), UNITS, st.integers(1, 400))
def test_every_half_open_window_of_one_unit_holds_at_most_speed(speed: int, unit: int,
                                                                 n: int) -> None:
    pace = Pace(speed, unit)
    offsets = [pace.offset(i) for i in range(n)]
    assert offsets == sorted(offsets)
    # The window starting at each first attempt is the tightest one; count with bisect.
    for i, start in enumerate(offsets):
        inside = bisect_left(offsets, start + unit) - i
        assert inside <= speed


@given(st.integers(1, 10**6), UNITS, st.integers(0, 10**9))
def test_inverse_agrees_with_forward_map_when_offsets_are_distinct(speed: int, unit: int,
                                                                   i: int) -> None:
    # With speed <= U (in µs) consecutive offsets differ, so the count is exact.
    pace = Pace(min(speed, unit), unit)
    assert pace.count_before(pace.offset(i)) == i
    assert pace.count_before(pace.offset(i) + 1) > i


@given(st.integers(1, 10**9), UNITS, st.integers(0, 10**9))
def test_inverse_brackets_the_forward_map_for_any_speed(speed: int, unit: int, i: int) -> None:
    # Above one per µs several attempts share an instant: i is among those counted at
    # offset(i)+1 and not all of them are before offset(i).
    pace = Pace(speed, unit)
    assert pace.count_before(pace.offset(i)) <= i < pace.count_before(pace.offset(i) + 1)


@given(st.integers(1, 50), st.integers(1, 10**7), st.integers(-10, 10**7))
def test_count_before_matches_enumeration(speed: int, unit: int, t: int) -> None:
    pace = Pace(speed, unit)
    brute = 0
    while pace.offset(brute) < t:
        brute += 1
    assert pace.count_before(t) == brute
