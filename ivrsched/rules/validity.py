"""Validity period and deadline (SPEC S4)."""

from __future__ import annotations

from ivrsched.rules.instants import US_PER_MINUTE

#: The platform default and maximum: 48 hours.
MAX_VALIDITY_MINUTES = 2880
DEFAULT_VALIDITY_MINUTES = MAX_VALIDITY_MINUTES


def deadline_us(start_us: int, validity_minutes: int | None) -> int | None:
    """The first instant at which no attempt is allowed, or None when nothing limits attempts."""
    if validity_minutes is None:
        return None
    return start_us + validity_minutes * US_PER_MINUTE


def allowed(at_us: int, deadline: int | None) -> bool:
    """An attempt at ``at_us`` is allowed iff it is strictly before the deadline."""
    return deadline is None or at_us < deadline
