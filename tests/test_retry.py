import pytest

from ivrsched.rules.retry import LADDER, gap_sequence, snap_to_ladder


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
