import itertools
from bisect import bisect_left
from datetime import datetime, timezone
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched import PlanRangeError, plan
from ivrsched.rules.instants import US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, US_PER_SECOND
from ivrsched.rules.pacing import Pace, floor_sum

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


def test_pace_refuses_a_zero_unit_and_negatives() -> None:
    for speed, unit in [(1, 0), (-1, US_PER_SECOND), (1, -1)]:
        with pytest.raises(ValueError, match=r"^speed and unit must be positive$"):
            Pace(speed, unit)
    assert Pace(1, 1).offset(5) == 5  # the smallest pace is allowed


def test_the_interval_is_the_exact_ratio() -> None:
    assert Pace(3, US_PER_SECOND).interval == Fraction(1_000_000, 3)
    assert Pace(7, US_PER_HOUR).interval * 7 == US_PER_HOUR


def test_count_before_at_the_microsecond_edges() -> None:
    pace = Pace(1, US_PER_HOUR)
    # Offsets 0, 1 h, 2 h, …: none strictly before 0 (or before), one up to 1 h inclusive.
    assert [pace.count_before(t) for t in (-5, 0, 1, US_PER_HOUR, US_PER_HOUR + 1)] == \
        [0, 0, 1, 1, 2]
    thirds = Pace(3, US_PER_SECOND)  # offsets 0, 333333, 666666, 1000000
    assert [thirds.count_before(t) for t in (333_333, 333_334, 666_666, 666_667)] == [1, 2, 2, 3]


def test_a_plan_from_the_first_instant_of_year_1() -> None:
    # sendAt 0001-01-01T00:00:00Z is a valid start: one call per day from it.
    first = -62_135_596_800 * 10**6  # 0001-01-01T00:00:00Z
    data = {"messages": [{"scenarioId": "S", "sendAt": "0001-01-01T00:00:00Z",
                          "sendingSpeed": {"speed": 1, "timeUnit": "day"},
                          "destinations": [{"to": "41793026700"}, {"to": "41793026701"}]}]}
    the_plan = plan(data, now=datetime(1, 1, 1, tzinfo=timezone.utc))
    assert [s.attempts_us for s in the_plan] == [(first,), (first + US_PER_DAY,)]


def test_a_paced_plan_that_runs_past_year_9999_is_out_of_range() -> None:
    # Two calls a day apart from 9999-12-31T00:00Z: the second would be in year 10000 (S12).
    data = {"messages": [{"scenarioId": "S", "sendAt": "9999-12-31T00:00:00Z",
                          "sendingSpeed": {"speed": 1, "timeUnit": "day"},
                          "destinations": [{"to": "41793026700"}, {"to": "41793026701"}]}]}
    with pytest.raises(PlanRangeError, match="falls outside years"):
        plan(data, now=datetime(9999, 12, 1, tzinfo=timezone.utc))
    data["messages"][0]["destinations"].pop()
    the_plan = plan(data, now=datetime(9999, 12, 1, tzinfo=timezone.utc))
    assert [s.attempts_us for s in the_plan] == [(253_402_214_400 * 10**6,)]  # 9999-12-31


# -- sums and arrays of offsets (the forecast's and the vector kernel's forms) -----------------

@given(st.integers(0, 60), st.integers(1, 40), st.integers(0, 90), st.integers(0, 90))
def test_floor_sum_is_the_sum_of_the_floors(n: int, m: int, a: int, b: int) -> None:
    assert floor_sum(n, m, a, b) == sum((a * i + b) // m for i in range(n))


def test_floor_sum_by_hand() -> None:
    # floor((3i + 1) / 2) for i = 0..4: 0, 2, 3, 5, 6 → 16.
    assert floor_sum(5, 2, 3, 1) == 16
    # floor((2i + 7) / 5) for i = 0..3: 1, 1, 2, 2 → 6 (b ≥ m and a < m).
    assert floor_sum(4, 5, 2, 7) == 6
    # floor((7i + 3) / 3) for i = 0..2: 1, 3, 5 → 9 (a ≥ m and b ≥ m).
    assert floor_sum(3, 3, 7, 3) == 9
    assert floor_sum(0, 7, 5, 3) == 0
    assert floor_sum(1, 1, 0, 0) == 0
    # Ten million terms of floor(i·3600·10^6 / 7): the closed form, checked by the formula
    # sum(floor(i·U/s)) = (U·n(n-1)/2 − sum((i·U) mod s)) / s, the remainders repeating with
    # period s.
    n, unit, speed = 10**7, US_PER_HOUR, 7
    remainders = sum((i * unit) % speed for i in range(speed)) * (n // speed) + \
        sum((i * unit) % speed for i in range(n - n % speed, n))
    assert floor_sum(n, speed, unit, 0) == (unit * n * (n - 1) // 2 - remainders) // speed


@given(st.integers(1, 50), UNITS, st.integers(0, 300), st.integers(0, 300))
def test_offset_sum_is_the_sum_of_the_offsets(speed: int, unit: int, lo: int, hi: int) -> None:
    pace = Pace(speed, unit)
    assert pace.offset_sum(lo, hi) == sum(pace.offset(i) for i in range(lo, hi))


def test_offset_sum_by_hand() -> None:
    thirds = Pace(3, US_PER_SECOND)  # offsets 0, 333333, 666666, 1000000, 1333333
    assert thirds.offset_sum(1, 5) == 333_333 + 666_666 + 1_000_000 + 1_333_333
    assert thirds.offset_sum(0, 1) == 0
    assert thirds.offset_sum(2, 2) == 0
    assert thirds.offset_sum(5, 1) == 0  # an empty range, not a negative sum


def test_offsets_of_an_array_are_the_offsets_of_each_entry() -> None:
    np = pytest.importorskip("numpy")
    thirds = Pace(3, US_PER_SECOND)
    assert thirds.offsets_vector(np.arange(5, dtype=np.int64)).tolist() == \
        [0, 333_333, 666_666, 1_000_000, 1_333_333]
    # 2·10^8 slots at 7 a day: i·U alone (1.7·10^19) would not fit in 64 bits, the result
    # (2.5·10^18 µs) does; compared with Python's exact integers.
    week = Pace(7, US_PER_DAY)
    slots = np.array([0, 1, 6, 7, 2 * 10**8 - 1, 2 * 10**8], dtype=np.int64)
    assert 2 * 10**8 * US_PER_DAY > 2**63 - 1
    assert week.offsets_vector(slots).tolist() == [int(i) * US_PER_DAY // 7 for i in slots]


@given(st.integers(1, 10**6), UNITS, st.lists(st.integers(0, 10**9), max_size=20))
def test_offsets_vector_agrees_with_offset(speed: int, unit: int, slots: list[int]) -> None:
    pace = Pace(speed, unit)
    # Plain integers work the same way (divmod and floor division): no NumPy needed to check.
    assert [pace.offsets_vector(i) for i in slots] == [pace.offset(i) for i in slots]
