"""The rolling frequency cap (SPEC S15): at most ``maxAttempts`` attempts to one number in any
half-open interval of ``periodMinutes``, counting every message of the request, first attempts
and retries alike.

Attempts are recorded in time order (the policy engine places them that way). Then an attempt
at t keeps the cap iff fewer than M recorded attempts lie in (t − P, t]: the last attempt of any
interval [a, a + P) saw all the others of that interval already recorded, so no interval holds
more than M. The earliest instant the cap allows is the M-th most recent attempt + P, so the
ledger keeps only the last M instants per number (and forgets numbers whose last attempt is a
period old).
"""

from __future__ import annotations

from collections import deque

from ivrsched.policy.document import FrequencyCap
from ivrsched.request.destinations import normalize_to


class CapLedger:
    """The attempts recorded so far per number; without a cap every instant is allowed."""

    def __init__(self, cap: FrequencyCap | None) -> None:
        self.cap = cap
        self._recent: dict[str, deque[int]] = {}
        self._prune_at = 1024

    @staticmethod
    def key(to: str) -> str:
        """The number a destination address counts for (a leading ``+`` does not matter)."""
        return normalize_to(to)

    def earliest(self, number: str, at_us: int) -> int:
        """The earliest instant >= ``at_us`` at which an attempt to ``number`` keeps the cap,
        given the attempts recorded so far (all at or before ``at_us``)."""
        cap = self.cap
        if cap is None:
            return at_us
        recent = self._recent.get(number)
        if recent is None or len(recent) < cap.max_attempts:
            return at_us
        return max(at_us, recent[0] + cap.period_us)

    def record(self, number: str, at_us: int) -> None:
        """Record an attempt to ``number`` at ``at_us`` (not before any recorded one)."""
        cap = self.cap
        if cap is None:
            return
        recent = self._recent.get(number)
        if recent is None:
            recent = self._recent[number] = deque(maxlen=cap.max_attempts)
        recent.append(at_us)
        if len(self._recent) >= self._prune_at:
            # Numbers whose last attempt is a whole period old constrain nothing any more.
            old = at_us - cap.period_us
            self._recent = {n: r for n, r in self._recent.items() if r[-1] > old}
            self._prune_at = 2 * len(self._recent) + 1024


__all__ = ["CapLedger"]
