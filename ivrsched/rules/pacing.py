"""Pacing of first attempts (SPEC S3), both directions in O(1) with integer arithmetic only.

The i-th paced first attempt happens ``floor(i * unit_us / speed)`` microseconds after the start.
Because the offsets are floors of an arithmetic progression, any half-open interval of ``unit_us``
holds at most ``speed`` of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Pace:
    """``speed`` first attempts per ``unit_us`` microseconds."""

    speed: int
    unit_us: int

    def __post_init__(self) -> None:
        if self.speed < 1 or self.unit_us < 1:
            raise ValueError("speed and unit must be positive")

    @property
    def interval(self) -> Fraction:
        """The exact spacing between consecutive first attempts, in microseconds."""
        return Fraction(self.unit_us, self.speed)

    def offset(self, index: int) -> int:
        """Offset from the start of the ``index``-th first attempt (0-based)."""
        return index * self.unit_us // self.speed

    def count_before(self, offset: int) -> int:
        """How many first attempts have an offset strictly less than ``offset``.

        The number of i >= 0 with floor(i*U/s) < t, i.e. with i*U < t*s, is ceil(t*s/U) for t > 0.
        """
        if offset <= 0:
            return 0
        return -(-offset * self.speed // self.unit_us)

