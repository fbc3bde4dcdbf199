"""A message's time line: the rules of S2–S6 put together, independent of its destinations.

A time line answers, for a pacing *slot* (the position of a destination among the message's
accepted destinations), when its attempts are, and for an instant, how many first attempts
happened before it. Both take O(1) work on an :class:`~ivrsched.rules.open_time.AlwaysOpen`
calendar.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivrsched.errors import PlanRangeError
from ivrsched.rules.instants import MAX_US
from ivrsched.rules.open_time import ALWAYS_OPEN, Calendar
from ivrsched.rules.pacing import Pace
from ivrsched.rules.validity import allowed


@dataclass(frozen=True)
class Timeline:
    """``start_us``: when the message starts (S2); ``pace``: None when unpaced (S3);
    ``deadline_us``: None when no validity applies (S4); ``gaps_us``: g_1..g_n (S5);
    ``failure_delay_us``: how long an attempt takes to be known as failed (S5);
    ``cancel_us``: when the request was cancelled (S13), a cut like the deadline."""

    start_us: int
    pace: Pace | None = None
    deadline_us: int | None = None
    gaps_us: tuple[int, ...] = ()
    failure_delay_us: int = 0
    calendar: Calendar = ALWAYS_OPEN
    cancel_us: int | None = None

    @property
    def cut_us(self) -> int | None:
        """The first instant no attempt may start at: the deadline (S4) or the cancel (S13),
        whichever is first; None when neither applies."""
        cuts = [c for c in (self.deadline_us, self.cancel_us) if c is not None]
        return min(cuts) if cuts else None

    def allows(self, at_us: int) -> bool:
        """Whether an attempt may start at ``at_us`` (before the deadline and any cancel)."""
        return allowed(at_us, self.cut_us)

    def first_attempt_us(self, slot: int) -> int:
        """Planned instant of the first attempt of pacing slot ``slot`` (it may be past the
        deadline; :meth:`attempts_us` drops it then)."""
        offset = self.pace.offset(slot) if self.pace is not None else 0
        return self.calendar.advance(self.start_us, offset)

    def retry_after_us(self, previous_us: int, retry_number: int) -> int:
        """Earliest instant of retry ``retry_number`` (1-based) after an attempt at
        ``previous_us``: failure delay plus g_k later, moved to the next opening."""
        waited = previous_us + self.failure_delay_us + self.gaps_us[retry_number - 1]
        return self.calendar.next_open(waited)

    def attempts_us(self, slot: int) -> tuple[int, ...]:
        """Earliest attempt instants of slot ``slot``: the first, then each retry, cut at the
        deadline (an attempt not allowed drops all later ones too)."""
        try:
            at = self.first_attempt_us(slot)
        except PlanRangeError:
            if self.cut_us is None:
                raise
            return ()  # beyond year 9999, so past any (representable) deadline: dropped
        if not self.allows(at):
            return ()
        attempts = [at]
        for retry_number in range(1, len(self.gaps_us) + 1):
            try:
                at = self.retry_after_us(at, retry_number)
            except PlanRangeError:
                if self.cut_us is None:
                    raise
                break  # as above: the deadline drops it before year 9999 ends
            if not self.allows(at):
                break
            attempts.append(at)
        return tuple(attempts)

    def first_attempts_before(self, at_us: int, slots: int) -> int:
        """How many of the first ``slots`` slots have a first attempt strictly before ``at_us``.

        A first attempt at or after the deadline does not happen, so it is not counted.
        Any ``at_us`` may be asked about, also one outside years 1..9999 (S12): no first
        attempt is before the start, and none is after the last representable instant.
        """
        if self.cut_us is not None:
            at_us = min(at_us, self.cut_us)
        if at_us <= self.start_us:
            return 0
        at_us = min(at_us, MAX_US + 1)
        if self.pace is None:
            try:
                opening = self.calendar.next_open(self.start_us)
            except PlanRangeError:
                return 0  # no opening before year 9999 ends
            return slots if opening < at_us else 0
        elapsed = self.calendar.open_between(self.start_us, at_us)
        return min(slots, self.pace.count_before(elapsed))
