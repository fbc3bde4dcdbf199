"""The deadline (SPEC S4) and the calendar of a message without a window (S6 absent)."""

from __future__ import annotations

from ivrsched.rules.instants import US_PER_MINUTE
from ivrsched.rules.open_time import ALWAYS_OPEN, AlwaysOpen
from ivrsched.rules.validity import (
    DEFAULT_VALIDITY_MINUTES,
    MAX_VALIDITY_MINUTES,
    allowed,
    deadline_us,
)


def test_the_platform_default_and_maximum_are_48_hours() -> None:
    assert MAX_VALIDITY_MINUTES == DEFAULT_VALIDITY_MINUTES == 48 * 60


def test_the_deadline_is_the_validity_after_the_start() -> None:
    assert deadline_us(1_000, 90) == 1_000 + 90 * 60_000_000
    assert deadline_us(-5, 1) == -5 + US_PER_MINUTE
    assert deadline_us(1_000, None) is None


def test_an_attempt_is_allowed_strictly_before_the_deadline() -> None:
    assert allowed(99, 100)
    assert not allowed(100, 100)
    assert not allowed(101, 100)
    assert allowed(10**18, None)


def test_without_a_window_every_instant_is_open() -> None:
    assert AlwaysOpen() == ALWAYS_OPEN
    assert ALWAYS_OPEN.next_open(-7) == -7
    assert ALWAYS_OPEN.advance(10, 5) == 15
    assert ALWAYS_OPEN.advance(10, 0) == 10
    assert ALWAYS_OPEN.open_between(10, 25) == 15
    assert ALWAYS_OPEN.open_between(10, 10) == 0
    assert ALWAYS_OPEN.open_between(25, 10) == 0
