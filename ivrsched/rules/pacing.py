"""Pacing of first attempts (SPEC S3), both directions in O(1) with integer arithmetic only.

The i-th paced first attempt happens ``floor(i * unit_us / speed)`` microseconds after the start.
Because the offsets are floors of an arithmetic progression, any half-open interval of ``unit_us``
holds at most ``speed`` of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any


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


    def offset_sum(self, lo: int, hi: int) -> int:
        """``sum(offset(i) for i in range(lo, hi))`` in O(log) steps (a difference of two floor
        sums); 0 when ``hi <= lo``."""
        if hi <= lo:
            return 0
        return (floor_sum(hi, self.speed, self.unit_us, 0)
                - floor_sum(lo, self.speed, self.unit_us, 0))

    def offsets_vector(self, indices: Any) -> Any:
        """:meth:`offset` of every entry of an integer array (e.g. NumPy ``int64``).

        ``floor(i*U/s) = (i // s)*U + floor((i % s)*U/s)``: no intermediate value exceeds
        ``s*U`` or the result, so 64-bit arrays hold them even for i near 10^9 and U of a day
        (as long as ``s*U`` itself fits)."""
        quotient, remainder = divmod(indices, self.speed)
        return quotient * self.unit_us + remainder * self.unit_us // self.speed


def floor_sum(n: int, m: int, a: int, b: int) -> int:
    """``sum(floor((a*i + b) / m) for i in range(n))`` for n >= 0, m >= 1, a >= 0, b >= 0,
    in O(log m) steps (the Euclid-like reduction that swaps the roles of a and m)."""
    total = 0
    while True:
        if a >= m:
            total += n * (n - 1) // 2 * (a // m)
            a %= m
        if b >= m:
            total += n * (b // m)
            b %= m
        y_max = a * n + b
        if y_max < m:
            return total
        n, b = divmod(y_max, m)
        m, a = a, m
