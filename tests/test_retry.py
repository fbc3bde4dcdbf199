import pytest

from ivrsched.rules.retry import LADDER, MAX_COUNT, gap_sequence, gaps_us, next_rung, snap_to_ladder


@pytest.mark.parametrize(("low", "high", "gaps"), [
    (1, 5, (1, 2, 5, 5)),
    (5, 30, (5, 10, 20, 30)),
    (60, 1440, (60, 120, 240, 480)),
    (10, 10, (10, 10, 10, 10)),
])
def test_spec_examples_of_gap_sequences(low: int, high: int, gaps: tuple[int, ...]) -> None:
    assert gap_sequence(low, high, 4) == gaps


@pytest.mark.parametrize(("given", "rung"), [
    (1, 1), (3, 5), (7, 10), (11, 20), (31, 60), (61, 120), (1439, 1440), (1440, 1440),
    (2000, 1440),
])
def test_snapping_raises_to_the_next_rung_and_caps_at_a_day(given: int, rung: int) -> None:
    assert snap_to_ladder(given) == rung


def test_snapping_refuses_periods_below_a_minute() -> None:
    with pytest.raises(ValueError):
        snap_to_ladder(0)


def test_every_rung_climbs_to_the_next_one() -> None:
    assert gap_sequence(1, 1440, 12) == LADDER


def test_zero_count_means_no_retries() -> None:
    assert gap_sequence(1, 5, 0) == ()


def test_the_top_rung_stays_and_every_other_climbs_one() -> None:
    assert [next_rung(r) for r in LADDER] == [*LADDER[1:], 1440]


def test_a_gap_never_climbs_above_the_max_period() -> None:
    # From 20 the ladder climbs to 30, then 60 is above the max period 30: capped there.
    assert gap_sequence(20, 30, 4) == (20, 30, 30, 30)
    assert gap_sequence(1440, 1440, 2) == (1440, 1440)


def test_gaps_in_microseconds() -> None:
    assert gaps_us(1, 5, 3) == (60_000_000, 120_000_000, 300_000_000)
    assert gaps_us(1, 5, 0) == ()


def test_snapping_at_the_bottom_and_top_of_the_ladder() -> None:
    assert snap_to_ladder(1) == 1
    assert snap_to_ladder(2) == 2
    assert snap_to_ladder(10**9) == 1440
    with pytest.raises(ValueError, match=r"^a retry period must be at least 1 minute$"):
        snap_to_ladder(-3)


def test_the_ladder_and_the_count_cap_are_the_platforms() -> None:
    assert LADDER == (1, 2, 5, 10, 20, 30, 60, 120, 240, 480, 960, 1440)
    assert MAX_COUNT == 4
