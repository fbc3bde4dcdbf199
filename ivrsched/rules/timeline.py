"""A message's time line: the rules of S2–S6 put together, independent of its destinations.

This is the one place where pacing (S3), the deadline (S4), the retry waits (S5) and the calendar
(S6) are combined. Every consumer — plans, streams, columns, the simulation, the forecast, the
verifier, the vectors, the plot — asks its time line; none re-derives an instant, and none needs
to know whether its calendar ever closes.

A time line answers, for a pacing *slot* (the position of a destination among the message's
accepted destinations), when its attempts are; for an instant, how many attempts of a kind
happened before it; for a finished attempt, when the next one may be. When its calendar says
that open time is wall time (:func:`~ivrsched.rules.open_time.is_always_open`), every slot's
attempts sit at the same offsets after its first one (:attr:`Timeline.fixed_offsets_us`), and
the time line answers in O(1) per question.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

from ivrsched.errors import PlanRangeError
from ivrsched.rules.instants import MAX_US, US_PER_MINUTE, check_range
from ivrsched.rules.open_time import ALWAYS_OPEN, Calendar, closed_periods, is_always_open
from ivrsched.rules.pacing import Pace
from ivrsched.rules.validity import allowed

#: An instant after every representable one: where an attempt beyond year 9999 falls due.
BEYOND_US = MAX_US + 1


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

    # -- the calendar's shape ---------------------------------------------------------------
    @cached_property
    def fixed_offsets_us(self) -> tuple[int, ...] | None:
        """How long after its first attempt each attempt of *any* slot is planned (0 for the
        first, then the sums of failure delay plus g_k), when that is the same for every slot:
        when the calendar never closes. None when a calendar may move attempts."""
        if not is_always_open(self.calendar):
            return None
        offsets = [0]
        for gap in self.gaps_us:
            offsets.append(offsets[-1] + self.failure_delay_us + gap)
        return tuple(offsets)

    def closed_periods(self, start_us: int, end_us: int) -> Iterator[tuple[int, int]]:
        """When no attempt may happen within ``[start_us, end_us)`` (S6), as ``[a, b)`` periods
        in order; nothing for a calendar that never closes."""
        if is_always_open(self.calendar):
            return iter(())
        return closed_periods(self.calendar, start_us, end_us)

    # -- one slot -----------------------------------------------------------------------------
    def first_attempt_us(self, slot: int) -> int:
        """Planned instant of the first attempt of pacing slot ``slot`` (it may be past the
        deadline; :meth:`attempts_us` drops it then)."""
        offset = self.pace.offset(slot) if self.pace is not None else 0
        return self.calendar.advance(self.start_us, offset)

    def first_due_us(self, slot: int) -> int:
        """When slot ``slot``'s first attempt falls due, for ordering work in time: its planned
        instant, or :data:`BEYOND_US` when that lies beyond year 9999 and a deadline (which is
        representable) drops it anyway. Without a deadline, beyond 9999 is a PlanRangeError."""
        try:
            return self.first_attempt_us(slot)
        except PlanRangeError:
            if self.cut_us is None:
                raise
            return BEYOND_US

    def retry_due_us(self, previous_us: int, retry_number: int) -> int:
        """When retry ``retry_number`` (1-based) falls due in the plan, after an attempt at
        ``previous_us``: failure delay plus g_k later (S5), before any calendar moves it."""
        return previous_us + self.failure_delay_us + self.gaps_us[retry_number - 1]

    def retry_after_us(self, previous_us: int, retry_number: int) -> int:
        """Earliest instant of retry ``retry_number`` (1-based) after an attempt at
        ``previous_us``: :meth:`retry_due_us`, moved to the next opening (S6)."""
        return self.calendar.next_open(self.retry_due_us(previous_us, retry_number))

    def earliest_retry_us(self, previous_start_us: int, retry_number: int,
                          previous_end_us: int | None = None) -> int:
        """The S5 bound an observed retry must keep: g_k after the previous attempt *ended*
        when its end is known, else g_k after its start plus the failure delay (the plan's
        estimate). Not moved to an opening: the calendar is a rule of its own (S6)."""
        if previous_end_us is None:
            return self.retry_due_us(previous_start_us, retry_number)
        return previous_end_us + self.gaps_us[retry_number - 1]

    def realised_retry_us(self, end_us: int, retry_number: int) -> int | None:
        """When retry ``retry_number`` happens after a failed attempt that *ended* at
        ``end_us`` (S10: the realised duration replaces the failure delay): g_k later, at the
        next opening; None when the message allows no such retry — no retry left, or the
        instant is at or after the deadline (also when it lies beyond year 9999, which a
        representable deadline precedes). Without a deadline, beyond year 9999 is a
        :class:`~ivrsched.errors.PlanRangeError` (S12)."""
        if retry_number > len(self.gaps_us):
            return None
        waited = end_us + self.gaps_us[retry_number - 1]
        cut = self.cut_us
        if cut is not None and waited >= cut:
            return None  # the calendar only moves it later
        try:
            at = check_range(self.calendar.next_open(waited), "retry")
        except PlanRangeError:
            if self.cut_us is None:
                raise
            return None
        return at if allowed(at, cut) else None

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

    def attempt_us(self, slot: int, number: int) -> int:
        """Attempt ``number`` (0 the first, k retry k) of ``slot``, which must have it."""
        offsets = self.fixed_offsets_us
        if offsets is not None:
            return self.first_attempt_us(slot) + offsets[number]
        return self.attempts_us(slot)[number]

    def attempts_function(self, offset_minutes: int = 0) -> Callable[[int], tuple[int, ...]]:
        """``slot -> attempt instants``, equal to :meth:`attempts_us`, checked against S12's
        range (also as read in ``offset_minutes``, the offset they are rendered in): the fast
        form for writing millions of slots. With fixed offsets (a calendar that never closes)
        nothing but the pacing offset is computed per slot."""
        offsets = self.fixed_offsets_us
        if offsets is None:
            return partial(_checked_attempts, self.attempts_us, offset_minutes)
        start, pace, deadline = self.start_us, self.pace, self.cut_us
        # Offsets strictly increase (gaps are >= 1 minute), so keeping the attempts before the
        # deadline is the same as S5's "an attempt not allowed drops all later ones".
        # The latest instant that is still in range both in UTC and in the rendering offset.
        last_fine = MAX_US - max(0, offset_minutes) * US_PER_MINUTE

        def attempts(slot: int) -> tuple[int, ...]:
            first = start if pace is None else start + pace.offset(slot)
            if deadline is None:
                found = tuple(first + offset for offset in offsets)
            else:
                found = tuple(at for offset in offsets if (at := first + offset) < deadline)
            if found and found[-1] > last_fine:
                check_range(found[-1], f"attempt of slot {slot}", offset_minutes)
            return found

        return attempts

    # -- many slots ---------------------------------------------------------------------------
    def first_attempts_us(self, slots: range) -> Sequence[int]:
        """The first attempts of ``slots`` (consecutive), all assumed to happen; a ``range``
        when they are an arithmetic progression."""
        if self.fixed_offsets_us is None:
            return [self.first_attempt_us(slot) for slot in slots]
        start, pace = self.start_us, self.pace
        if pace is None:
            return [start] * len(slots)
        unit, speed = pace.unit_us, pace.speed
        if unit % speed == 0:
            # The interval is a whole number of µs: the instants are an arithmetic progression.
            step = unit // speed
            return range(start + slots.start * step, start + slots.stop * step, step)
        return [start + slot * unit // speed for slot in slots]

    def first_attempts_vector(self, slots: Any) -> Any:
        """The first attempts of an integer array of slots (e.g. NumPy ``int64``), computed
        vectorised. Only for fixed offsets (:attr:`fixed_offsets_us` not None); the caller
        must make sure 64-bit values cannot overflow (``speed * unit_us < 2**63``)."""
        if self.fixed_offsets_us is None:
            raise ValueError("a calendar that closes moves attempts one by one")
        if self.pace is None:
            return slots * 0 + self.start_us
        return self.start_us + self.pace.offsets_vector(slots)

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

    def attempts_before(self, at_us: int, slots: int, number: int = 0) -> int:
        """How many of the first ``slots`` slots have attempt ``number`` (0 the first, k retry
        k) strictly before ``at_us``; attempts the deadline drops are not counted. Those slots
        are a prefix: attempt instants never decrease with the slot (S3, S5, S6)."""
        if number == 0:
            return self.first_attempts_before(at_us, slots)
        offsets = self.fixed_offsets_us
        if offsets is not None:
            shift = offsets[number]
            bound = at_us - shift
            cut = self.cut_us
            if cut is not None:
                bound = min(bound, cut - shift)
            return self.first_attempts_before(bound, slots)
        # A calendar that closes: retry k of slot s is before at_us iff it exists (it is before
        # the deadline) and is before at_us; both hold for a prefix of the slots, and only
        # slots whose first attempt is before at_us can qualify.
        lo, hi = 0, self.first_attempts_before(at_us, slots)
        while lo < hi:
            mid = (lo + hi) // 2
            attempts = self.attempts_us(mid)
            if len(attempts) > number and attempts[number] < at_us:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def attempt_count(self, slots: int, number: int = 0) -> int:
        """How many of the first ``slots`` slots have attempt ``number`` at all."""
        cut = self.cut_us
        if cut is None:
            return slots
        return self.attempts_before(cut, slots, number)

    def attempt_sum_us(self, lo_slot: int, hi_slot: int, number: int = 0) -> int:
        """Sum of attempt ``number``'s instants over slots ``lo_slot <= s < hi_slot`` (all of
        which must have it): O(log) with fixed offsets (a floor sum of the pacing offsets)."""
        count = hi_slot - lo_slot
        if count <= 0:
            return 0
        offsets = self.fixed_offsets_us
        if offsets is None:
            return sum(self.attempts_us(s)[number] for s in range(lo_slot, hi_slot))
        total = count * (self.start_us + offsets[number])
        if self.pace is not None:
            total += self.pace.offset_sum(lo_slot, hi_slot)
        return total


def _checked_attempts(attempts_us: Callable[[int], tuple[int, ...]], offset_minutes: int,
                      slot: int) -> tuple[int, ...]:
    found = attempts_us(slot)
    if found:
        check_range(found[-1], f"attempt of slot {slot}", offset_minutes)
    return found
