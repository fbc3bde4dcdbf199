"""A message's time line (ivrsched.rules.timeline): its answers for one slot, for many slots at
once and for counts and sums, at their edges (the microsecond at the deadline or cancel, retries
past the last wait, year 9999 with and without a cut). Expected values are worked out by hand in
a comment, or computed by an independent brute force written here: pacing offsets enumerated
as floor(i * unit / speed), each retry as failure delay plus its wait after the previous
attempt, a window calendar walked span by span (tests/window_references.py), and the deadline
applied by filtering.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched import PlanRangeError
from ivrsched.request.model import DeliveryTimeWindow, TimeOfDay, Weekday
from ivrsched.rules.instants import MAX_US, US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, to_us
from ivrsched.rules.pacing import Pace
from ivrsched.rules.timeline import BEYOND_US, Timeline
from ivrsched.rules.windows import WindowCalendar
from tests.window_references import Span, advance_by_walk

MONDAY_9 = to_us(datetime(2030, 1, 7, 9, tzinfo=timezone.utc))
MONDAYS = WindowCalendar.from_window(DeliveryTimeWindow((Weekday.MONDAY,), TimeOfDay(9, 0),
                                                        TimeOfDay(10, 0)))


def test_unpaced_first_attempts_all_happen_at_the_first_opening() -> None:
    # Start Sunday 2030-01-06 12:00Z; every first attempt is at the opening, Monday 09:00Z.
    line = Timeline(MONDAY_9 - 21 * US_PER_HOUR, calendar=MONDAYS)
    assert line.first_attempts_before(MONDAY_9, 5) == 0
    assert line.first_attempts_before(MONDAY_9 + 1, 5) == 5
    assert line.first_attempts_before(MONDAY_9 + 1, 0) == 0
    assert line.first_attempts_before(line.start_us, 5) == 0


def test_counts_reach_the_last_instant_and_never_ask_beyond_it() -> None:
    # Started at the last instant: its attempt is before anything later, however far.
    last = Timeline(MAX_US, deadline_us=None)
    assert last.first_attempts_before(10**30, 3) == 3
    paced = Timeline(MAX_US - US_PER_MINUTE, pace=Pace(1, US_PER_MINUTE))
    # Offsets 0 and 1 min: the second is at MAX_US exactly.
    assert paced.first_attempts_before(10**30, 5) == 2
    assert paced.first_attempts_before(MAX_US, 5) == 1
    # The same on a calendar that checks the range: it is asked up to the last instant only.
    fridays = WindowCalendar.from_window(DeliveryTimeWindow((Weekday.FRIDAY,)))
    windowed = Timeline(MAX_US - US_PER_MINUTE, pace=Pace(1, US_PER_MINUTE), calendar=fridays)
    assert windowed.first_attempts_before(10**30, 5) == 2


def test_a_retry_past_year_9999_is_dropped_by_a_deadline_and_refused_without_one() -> None:
    # Whole Fridays; 9999-12-31 is one. Start 30 s before the end of year 9999, the retry waits
    # a minute: it would be in year 10000, where the window has no answer.
    fridays = WindowCalendar.from_window(DeliveryTimeWindow((Weekday.FRIDAY,)))
    start = MAX_US - 30 * 10**6
    with_deadline = Timeline(start, deadline_us=MAX_US, gaps_us=(US_PER_MINUTE,),
                             calendar=fridays)
    assert with_deadline.attempts_us(0) == (start,)
    without = Timeline(start, gaps_us=(US_PER_MINUTE,), calendar=fridays)
    with pytest.raises(PlanRangeError):
        without.attempts_us(0)


# -- references ---------------------------------------------------------------------------
SECOND = 10**6
MINUTE = US_PER_MINUTE
WEEK = 7 * US_PER_DAY
FRIDAYS = WindowCalendar.from_window(DeliveryTimeWindow((Weekday.FRIDAY,)))
#: MONDAYS' open periods: Monday 09:00–10:00Z, from 2030-01-07 on, for 40 weeks (far more
#: than any example here reaches; :func:`walked` fails loudly if one did).
MONDAY_SPANS = [(MONDAY_9 + w * WEEK, MONDAY_9 + w * WEEK + US_PER_HOUR) for w in range(40)]
#: Monday 09:00Z of the weeks after MONDAY_9.
M0, M1, M2, M3 = (MONDAY_9 + w * WEEK for w in range(4))


def walked(spans: Sequence[Span] | None, start: int, open_us: int) -> int:
    """``open_us`` of open time after ``start``: wall time without spans (never closed), else
    found by walking the spans."""
    if spans is None:
        return start + open_us
    found = advance_by_walk(spans, start, open_us)
    assert found is not None, "the reference spans end too early for this example"
    return found


def reference_attempts(slot: int, *, start: int, pace: tuple[int, int] | None,
                       gaps: Sequence[int], delay: int, cut: int | None,
                       spans: Sequence[Span] | None = None) -> tuple[int, ...]:
    """S3–S6 by brute force: the first attempt floor(slot*unit/speed) of open time after the
    start, each retry failure delay plus its wait after the previous attempt moved to the next
    opening, and the first attempt at or after the cut ends the list."""
    offset = 0 if pace is None else slot * pace[1] // pace[0]
    found: list[int] = []
    at = walked(spans, start, offset)
    for number in range(len(gaps) + 1):
        if number:
            at = walked(spans, at + delay + gaps[number - 1], 0)
        if cut is not None and at >= cut:
            break
        found.append(at)
    return tuple(found)


def count_before(attempts: Sequence[tuple[int, ...]], number: int, at_us: int) -> int:
    """How many slots have attempt ``number`` strictly before ``at_us``, by counting."""
    return sum(1 for a in attempts if len(a) > number and a[number] < at_us)


#: A paced message on MONDAYS: first attempts 20 minutes of open time apart, retries 1 min
#: (failure delay) + 30 min and 1 min + 2 h later. Worked by hand (Mk = Monday 09:00Z of week k):
#:   slot 0: M0,       M0+31m, (M0+31m+121m = 11:32, closed) M1
#:   slot 1: M0+20m,   M0+51m, (11:52) M1
#:   slot 2: M0+40m,   (10:11) M1,    (M1+121m = 11:01) M2
#:   slot 3: (60 min of open time end exactly at 10:00, a closing instant) M1, M1+31m, M2
#:   slot 4: M1+20m,   M1+51m, M2
#:   slot 5: M1+40m,   M2,     M3
WINDOWED_START = MONDAY_9 - 21 * US_PER_HOUR  # Sunday 2030-01-06 12:00Z
WINDOWED_GAPS = (30 * MINUTE, 2 * US_PER_HOUR)
WINDOWED_BY_HAND = (
    (M0, M0 + 31 * MINUTE, M1),
    (M0 + 20 * MINUTE, M0 + 51 * MINUTE, M1),
    (M0 + 40 * MINUTE, M1, M2),
    (M1, M1 + 31 * MINUTE, M2),
    (M1 + 20 * MINUTE, M1 + 51 * MINUTE, M2),
    (M1 + 40 * MINUTE, M2, M3),
)


def windowed(deadline_us: int | None = None, cancel_us: int | None = None) -> Timeline:
    return Timeline(WINDOWED_START, pace=Pace(1, 20 * MINUTE), deadline_us=deadline_us,
                    gaps_us=WINDOWED_GAPS, failure_delay_us=MINUTE, calendar=MONDAYS,
                    cancel_us=cancel_us)


def windowed_reference(slot: int, cut: int | None) -> tuple[int, ...]:
    return reference_attempts(slot, start=WINDOWED_START, pace=(1, 20 * MINUTE),
                              gaps=WINDOWED_GAPS, delay=MINUTE, cut=cut, spans=MONDAY_SPANS)


#: A paced message without a window: first attempts 20 s apart (3 a minute); retries 30 s
#: (failure delay) + 2 min and 30 s + 5 min later, so attempt k of every slot is 0, 150 s and
#: 150 s + 330 s = 480 s after its first one.
S = to_us(datetime(2030, 1, 7, 12, tzinfo=timezone.utc))
FIXED_GAPS = (2 * MINUTE, 5 * MINUTE)


THREE_A_MINUTE = Pace(3, MINUTE)


def fixed(deadline_us: int | None = None, cancel_us: int | None = None,
          pace: Pace | None = THREE_A_MINUTE) -> Timeline:
    return Timeline(S, pace=pace, deadline_us=deadline_us, gaps_us=FIXED_GAPS,
                    failure_delay_us=30 * SECOND, cancel_us=cancel_us)


def test_the_windowed_reference_agrees_with_the_hand_worked_table() -> None:
    # The brute force itself is checked against the hand-worked table, so that both stand.
    assert tuple(windowed_reference(s, None) for s in range(6)) == WINDOWED_BY_HAND
    assert tuple(windowed().attempts_us(s) for s in range(6)) == WINDOWED_BY_HAND


# -- closed periods and one slot ----------------------------------------------------------
def test_closed_periods_are_the_gaps_between_openings_and_none_without_a_window() -> None:
    tuesday = M0 + 15 * US_PER_HOUR  # Tuesday 2030-01-08 00:00Z
    assert list(windowed().closed_periods(M0 - 9 * US_PER_HOUR, tuesday)) == [
        (M0 - 9 * US_PER_HOUR, M0), (M0 + US_PER_HOUR, tuesday)]
    # From Sunday 12:00 into the window: closed until 09:00, then open to the end asked.
    assert list(windowed().closed_periods(WINDOWED_START, M0 + 30 * MINUTE)) == [
        (WINDOWED_START, M0)]
    assert list(windowed().closed_periods(M0, M0 + US_PER_HOUR)) == []
    assert list(fixed().closed_periods(S, S + WEEK)) == []


def test_first_due_is_the_planned_instant_or_beyond_when_a_cut_drops_it() -> None:
    # 20 minutes of open time per slot: slot 3 is due at the next Monday's opening.
    assert windowed().first_due_us(3) == M1
    assert fixed().first_due_us(4) == S + 80 * SECOND  # 4 * 60 s / 3
    # Whole Fridays; 9999-12-31 is one. Start 30 s before its end, one first attempt a minute:
    # slot 0 is at the start, slot 1 would be in year 10000.
    start = MAX_US - 30 * SECOND
    pace = Pace(1, MINUTE)
    deadline = Timeline(start, pace=pace, deadline_us=MAX_US, calendar=FRIDAYS)
    assert deadline.first_due_us(0) == start
    assert deadline.first_due_us(1) == BEYOND_US == MAX_US + 1
    # A cancel is a cut as well as a deadline is.
    cancelled = Timeline(start, pace=pace, calendar=FRIDAYS, cancel_us=MAX_US)
    assert cancelled.first_due_us(1) == BEYOND_US
    no_cut = Timeline(start, pace=pace, calendar=FRIDAYS)
    assert no_cut.first_due_us(0) == start
    with pytest.raises(PlanRangeError, match=r"outside years 1\.\.9999"):
        no_cut.first_due_us(1)


def test_earliest_retry_counts_from_the_end_when_known_and_is_not_moved_to_an_opening() -> None:
    line = Timeline(WINDOWED_START, gaps_us=(2 * MINUTE, 5 * MINUTE, 11 * MINUTE),
                    failure_delay_us=30 * SECOND, calendar=MONDAYS)
    before = M0 + 58 * MINUTE
    # From the start: 09:58 + 30 s + 5 min = 10:03:30, closed, and not moved (S6 is apart).
    assert line.earliest_retry_us(before, 2) == M0 + 63 * MINUTE + 30 * SECOND
    assert line.earliest_retry_us(before, 1) == M0 + 60 * MINUTE + 30 * SECOND
    # From the end: 09:59 + 11 min = 10:10, the failure delay is not added.
    assert line.earliest_retry_us(before, 3, M0 + 59 * MINUTE) == M0 + 70 * MINUTE
    # An end at the epoch is an end like any other (0 is not "unknown").
    assert line.earliest_retry_us(before, 1, 0) == 2 * MINUTE


def test_realised_retry_waits_from_the_end_moves_to_an_opening_and_stops_at_the_cut() -> None:
    line = windowed()
    end = M0 + 5 * MINUTE
    # 09:05 + 30 min = 09:35, open; the failure delay is not added (S10).
    assert line.realised_retry_us(end, 1) == M0 + 35 * MINUTE
    # 09:05 + 2 h = 11:05, closed: the next Monday's opening.
    assert line.realised_retry_us(end, 2) == M1
    # Two waits, so no third retry.
    assert line.realised_retry_us(end, 3) is None
    # The opening M1 is exactly at the deadline: not allowed; a µs later it is.
    assert windowed(deadline_us=M1).realised_retry_us(end, 2) is None
    assert windowed(deadline_us=M1 + 1).realised_retry_us(end, 2) == M1
    assert windowed(deadline_us=M1 + 1, cancel_us=M1).realised_retry_us(end, 2) is None


def test_realised_retry_at_the_cut_exactly_is_dropped_and_a_microsecond_before_is_kept() -> None:
    gaps = (10 * MINUTE,)
    line = Timeline(S, deadline_us=S + US_PER_HOUR, gaps_us=gaps)
    assert line.realised_retry_us(S + 50 * MINUTE, 1) is None  # 50 + 10 min: the deadline
    assert line.realised_retry_us(S + 50 * MINUTE - 1, 1) == S + US_PER_HOUR - 1
    # A cancel earlier than the deadline is the cut.
    cancelled = Timeline(S, deadline_us=S + 2 * US_PER_HOUR, gaps_us=gaps,
                         cancel_us=S + US_PER_HOUR)
    assert cancelled.realised_retry_us(S + 50 * MINUTE, 1) is None
    assert cancelled.realised_retry_us(S + 50 * MINUTE - 1, 1) == S + US_PER_HOUR - 1
    # A cancel later than the deadline changes nothing.
    late_cancel = Timeline(S, deadline_us=S + US_PER_HOUR, gaps_us=gaps,
                           cancel_us=S + 2 * US_PER_HOUR)
    assert late_cancel.realised_retry_us(S + 50 * MINUTE, 1) is None
    assert late_cancel.realised_retry_us(S + 49 * MINUTE, 1) == S + 59 * MINUTE


def test_a_realised_retry_beyond_year_9999_is_refused_without_a_cut_and_dropped_with_one() -> None:
    gaps = (10 * MINUTE,)
    end = MAX_US - 5 * MINUTE  # the wait ends 5 min into year 10000
    with pytest.raises(PlanRangeError, match=r"^the retry falls outside years 1\.\.9999"):
        Timeline(S, gaps_us=gaps).realised_retry_us(end, 1)
    assert Timeline(S, gaps_us=gaps, deadline_us=MAX_US).realised_retry_us(end, 1) is None
    assert Timeline(S, gaps_us=gaps, cancel_us=MAX_US).realised_retry_us(end, 1) is None
    # The wait ends at the last instant exactly: representable, so it happens.
    assert Timeline(S, gaps_us=gaps).realised_retry_us(MAX_US - 10 * MINUTE, 1) == MAX_US
    # The wait ends on Thursday 9999-12-30, before a deadline at the last instant, but the
    # next Monday opening is in year 10000.
    thursday_end = MAX_US - US_PER_DAY - 10 * MINUTE
    with_cut = Timeline(S, deadline_us=MAX_US, gaps_us=gaps, calendar=MONDAYS)
    assert with_cut.realised_retry_us(thursday_end, 1) is None
    without = Timeline(S, gaps_us=gaps, calendar=MONDAYS)
    with pytest.raises(PlanRangeError):
        without.realised_retry_us(thursday_end, 1)


def test_attempt_number_k_of_a_slot() -> None:
    # Slot 4 starts 4 * 20 s = 80 s in; its retries are 150 s and 480 s later.
    line = fixed()
    assert line.attempt_us(4, 0) == S + 80 * SECOND
    assert line.attempt_us(4, 1) == S + 230 * SECOND
    assert line.attempt_us(4, 2) == S + 560 * SECOND
    assert fixed(pace=None).attempt_us(9, 2) == S + 480 * SECOND
    # On a window: from the hand-worked table.
    assert windowed().attempt_us(2, 1) == M1
    assert windowed().attempt_us(3, 0) == M1
    assert windowed().attempt_us(5, 2) == M3


# -- the fast attempts function -----------------------------------------------------------
def test_attempts_function_with_fixed_offsets_cuts_at_the_exact_microsecond() -> None:
    # Slot 4: S + 80 s, S + 230 s, S + 560 s (see test_attempt_number_k_of_a_slot).
    every = (S + 80 * SECOND, S + 230 * SECOND, S + 560 * SECOND)
    assert fixed().attempts_function()(4) == every
    assert fixed(deadline_us=S + 560 * SECOND).attempts_function()(4) == every[:2]
    assert fixed(deadline_us=S + 560 * SECOND + 1).attempts_function()(4) == every
    assert fixed(deadline_us=S + 80 * SECOND).attempts_function()(4) == ()
    assert fixed(deadline_us=S + 80 * SECOND + 1).attempts_function()(4) == every[:1]
    # The cut is the earlier of deadline and cancel.
    assert fixed(deadline_us=S + 10**9, cancel_us=S + 230 * SECOND).attempts_function()(4) == (
        every[:1])
    assert fixed(deadline_us=S + 560 * SECOND, cancel_us=S + 10**9).attempts_function()(4) == (
        every[:2])
    assert fixed(pace=None).attempts_function()(7) == (S, S + 150 * SECOND, S + 480 * SECOND)


def test_attempts_function_with_fixed_offsets_checks_the_range_in_the_rendering_offset() -> None:
    # Attempts at MAX_US - 3 h and MAX_US - 2 h: fine in UTC, and read at +02:00 the second one
    # is at the last instant exactly; at +02:01 it is a minute into year 10000.
    start = MAX_US - 3 * US_PER_HOUR
    line = Timeline(start, gaps_us=(US_PER_HOUR,))
    both = (start, start + US_PER_HOUR)
    assert line.attempts_function()(7) == both
    assert line.attempts_function(120)(7) == both
    with pytest.raises(PlanRangeError) as raised:
        line.attempts_function(121)(7)
    assert str(raised.value) == ("the attempt of slot 7 falls outside years 1..9999 in UTC "
                                 "offset +02:01, the range ivrsched can represent exactly")
    with pytest.raises(PlanRangeError, match=r"UTC offset \+14:00"):
        line.attempts_function(14 * 60)(7)
    # A deadline that drops the second attempt leaves only the first, which is in range at
    # +02:30 (MAX_US - 30 min); a µs later the second is kept, and is out of range.
    assert Timeline(start, deadline_us=start + US_PER_HOUR, gaps_us=(US_PER_HOUR,)
                    ).attempts_function(150)(0) == (start,)
    with pytest.raises(PlanRangeError):
        Timeline(start, deadline_us=start + US_PER_HOUR + 1, gaps_us=(US_PER_HOUR,)
                 ).attempts_function(150)(0)
    # West of UTC only UTC's own range binds: the last instant passes, one µs later does not.
    at_end = Timeline(MAX_US - US_PER_HOUR, gaps_us=(US_PER_HOUR,))
    assert at_end.attempts_function(-600)(0) == (MAX_US - US_PER_HOUR, MAX_US)
    past_end = Timeline(MAX_US - US_PER_HOUR + 1, gaps_us=(US_PER_HOUR,))
    with pytest.raises(PlanRangeError, match=r"^the attempt of slot 0 falls outside years "
                                             r"1\.\.9999, the range"):
        past_end.attempts_function(-600)(0)


def test_attempts_function_checks_the_last_attempt_and_reads_utc_by_default() -> None:
    # Three attempts an hour apart, the last at MAX_US exactly: in range in UTC (the default
    # offset), out of range a minute east of it; only the last attempt can be out of range.
    start = MAX_US - 2 * US_PER_HOUR
    line = Timeline(start, gaps_us=(US_PER_HOUR, US_PER_HOUR))
    assert line.attempts_function()(0) == (start, start + US_PER_HOUR, MAX_US)
    with pytest.raises(PlanRangeError, match=r"^the attempt of slot 0 falls outside years "
                                             r"1\.\.9999 in UTC offset \+00:01"):
        line.attempts_function(1)(0)


def test_attempts_function_on_a_closing_calendar_equals_the_walk() -> None:
    for cut in (None, M2, M2 + 1, M1 + 40 * MINUTE):
        function = windowed(deadline_us=cut).attempts_function()
        assert [function(s) for s in range(6)] == [windowed_reference(s, cut) for s in range(6)]
    # By hand: with the deadline at M2 exactly, slot 2 loses its retry at M2, slot 5 both.
    function = windowed(deadline_us=M2).attempts_function(14 * 60)
    assert function(2) == (M0 + 40 * MINUTE, M1)
    assert function(5) == (M1 + 40 * MINUTE,)


def test_attempts_function_on_a_closing_calendar_checks_the_range_and_skips_empty_slots() -> None:
    # Whole Fridays, one first attempt an hour from 3 h before the end of 9999-12-31 (a Friday),
    # one retry an hour later. Slot 1: MAX_US - 2 h and MAX_US - 1 h.
    line = Timeline(MAX_US - 3 * US_PER_HOUR, pace=Pace(1, US_PER_HOUR),
                    gaps_us=(US_PER_HOUR,), calendar=FRIDAYS)
    assert line.attempts_function()(1) == (MAX_US - 2 * US_PER_HOUR, MAX_US - US_PER_HOUR)
    assert line.attempts_function(60)(1) == (MAX_US - 2 * US_PER_HOUR, MAX_US - US_PER_HOUR)
    with pytest.raises(PlanRangeError) as raised:
        line.attempts_function(61)(1)
    assert str(raised.value) == ("the attempt of slot 1 falls outside years 1..9999 in UTC "
                                 "offset +01:01, the range ivrsched can represent exactly")
    # A deadline at slot 1's first attempt drops the slot: nothing to check, even at +14:00.
    cut = Timeline(MAX_US - 3 * US_PER_HOUR, pace=Pace(1, US_PER_HOUR),
                   deadline_us=MAX_US - 2 * US_PER_HOUR, gaps_us=(US_PER_HOUR,),
                   calendar=FRIDAYS)
    assert cut.attempts_function(14 * 60)(1) == ()
    # Slot 0 keeps its first attempt only (its retry is at the deadline): MAX_US - 3 h, which
    # read at +02:59 is still in year 9999.
    assert cut.attempts_function(179)(0) == (MAX_US - 3 * US_PER_HOUR,)


# -- many slots ---------------------------------------------------------------------------
def test_first_attempts_are_a_range_when_the_interval_is_whole_microseconds() -> None:
    # 4 a minute: 15 s apart, slot s at S + 15 s * s.
    line = Timeline(S, pace=Pace(4, MINUTE))
    found = line.first_attempts_us(range(3, 8))
    assert isinstance(found, range)
    assert list(found) == [S + 45 * SECOND, S + 60 * SECOND, S + 75 * SECOND, S + 90 * SECOND,
                           S + 105 * SECOND]
    assert list(line.first_attempts_us(range(5, 5))) == []
    assert list(line.first_attempts_us(range(0, 1))) == [S]


def test_first_attempts_are_floors_when_the_interval_is_not_whole() -> None:
    # 7 a minute: 60 000 000 / 7 = 8 571 428.57... µs apart, each offset floored.
    line = Timeline(S, pace=Pace(7, MINUTE))
    found = line.first_attempts_us(range(1, 4))
    assert not isinstance(found, range)
    assert list(found) == [S + 8_571_428, S + 17_142_857, S + 25_714_285]
    assert list(line.first_attempts_us(range(6, 9))) == [S + 51_428_571, S + MINUTE,
                                                         S + MINUTE + 8_571_428]


def test_first_attempts_unpaced_and_on_a_closing_calendar() -> None:
    assert list(Timeline(S).first_attempts_us(range(2, 5))) == [S, S, S]
    assert list(Timeline(S).first_attempts_us(range(2, 2))) == []
    assert list(windowed().first_attempts_us(range(1, 6))) == [a[0] for a in WINDOWED_BY_HAND[1:]]


@given(speed=st.integers(1, 12), unit=st.integers(1, 10**9), lo=st.integers(0, 10**6),
       n=st.integers(0, 20), start=st.integers(0, 10**15))
def test_first_attempts_of_a_range_are_the_floors_of_the_pacing(speed: int, unit: int, lo: int,
                                                                 n: int, start: int) -> None:
    line = Timeline(start, pace=Pace(speed, unit))
    expected = [start + i * unit // speed for i in range(lo, lo + n)]
    assert list(line.first_attempts_us(range(lo, lo + n))) == expected
    vector = line.first_attempts_vector(np.arange(lo, lo + n, dtype=np.int64))
    assert vector.dtype == np.int64
    assert vector.tolist() == expected


def test_first_attempts_vector() -> None:
    slots = np.array([0, 1, 6, 7, 10**9], dtype=np.int64)
    # 7 a minute: floor(s * 60 000 000 / 7); slot 10^9 is 10^9 / 7 minutes = 142 857 142 min
    # and 6/7 of a minute (51 428 571 µs) in.
    found = Timeline(S, pace=Pace(7, MINUTE)).first_attempts_vector(slots)
    assert found.dtype == np.int64
    assert found.tolist() == [S, S + 8_571_428, S + 51_428_571, S + MINUTE,
                              S + 142_857_142 * MINUTE + 51_428_571]
    unpaced = Timeline(S).first_attempts_vector(np.array([0, 5, 9], dtype=np.int64))
    assert unpaced.dtype == np.int64
    assert unpaced.tolist() == [S, S, S]
    with pytest.raises(ValueError, match=r"^a calendar that closes moves attempts one by one$"):
        windowed().first_attempts_vector(slots)


# -- counts and sums ----------------------------------------------------------------------
def test_attempts_before_for_first_attempts() -> None:
    # First attempts at S + 20 s * s.
    assert fixed().attempts_before(S + 60 * SECOND, 10) == 3  # 0, 20, 40 s
    assert fixed().attempts_before(S + 60 * SECOND + 1, 10) == 4
    assert fixed().attempts_before(S + 10 * MINUTE, 5) == 5  # all five
    assert fixed(deadline_us=S + 40 * SECOND).attempts_before(S + 10 * MINUTE, 10) == 2
    assert fixed(cancel_us=S + 40 * SECOND).attempts_before(S + 10 * MINUTE, 10, 0) == 2


def test_attempts_before_for_retries_with_fixed_offsets() -> None:
    # Retry 1 of slot s at S + 20 s * s + 150 s; retry 2 at S + 20 s * s + 480 s.
    assert fixed().attempts_before(S + 210 * SECOND, 10, 1) == 3  # 150, 170, 190 s
    assert fixed().attempts_before(S + 210 * SECOND + 1, 10, 1) == 4
    assert fixed().attempts_before(S + 150 * SECOND, 10, 1) == 0
    assert fixed().attempts_before(S + 150 * SECOND + 1, 10, 1) == 1
    assert fixed().attempts_before(S + 500 * SECOND, 10, 2) == 1  # 480 s only
    # A deadline at S + 190 s: retry 1 exists for slots 0 and 1 only (150, 170 s).
    cut = fixed(deadline_us=S + 190 * SECOND)
    assert cut.attempts_before(S + 10**9, 10, 1) == 2
    assert cut.attempts_before(S + 170 * SECOND, 10, 1) == 1
    assert cut.attempts_before(S + 170 * SECOND + 1, 10, 1) == 2
    assert cut.attempts_before(S + 10**9, 10, 2) == 0
    # The cut at S + 190 s + 1 µs keeps slot 2's retry 1 at 190 s.
    assert fixed(deadline_us=S + 190 * SECOND + 1).attempts_before(S + 10**9, 10, 1) == 3
    # A cancel earlier than the deadline is the cut.
    assert fixed(deadline_us=S + 10**9, cancel_us=S + 190 * SECOND).attempts_before(
        S + 10**9, 10, 1) == 2
    assert fixed(pace=None, deadline_us=S + 480 * SECOND).attempts_before(S + 10**9, 6, 1) == 6
    assert fixed(pace=None, deadline_us=S + 480 * SECOND).attempts_before(S + 10**9, 6, 2) == 0


def test_attempts_before_on_a_closing_calendar() -> None:
    # Retry 1 of the six slots (hand-worked table): M0+31m, M0+51m, M1, M1+31m, M1+51m, M2.
    line = windowed()
    assert line.attempts_before(M1, 6, 1) == 2
    assert line.attempts_before(M1 + 1, 6, 1) == 3
    assert line.attempts_before(M2 + 1, 6, 1) == 6
    assert line.attempts_before(M2 + 1, 4, 1) == 4
    # Retry 2: M1, M1, M2, M2, M2, M3.
    assert line.attempts_before(M2, 6, 2) == 2
    assert line.attempts_before(M2 + 1, 6, 2) == 5
    # The deadline at M2 drops retry 2 at M2 and later.
    assert windowed(deadline_us=M2).attempts_before(M3 + 1, 6, 2) == 2
    assert windowed(deadline_us=M2).attempts_before(M3 + 1, 6, 1) == 5
    assert windowed(deadline_us=M2 + 1).attempts_before(M3 + 1, 6, 2) == 5
    # Against the brute force, at every instant that matters (each attempt, ±1 µs).
    for cut in (None, M2, M1 + 31 * MINUTE):
        attempts = [windowed_reference(s, cut) for s in range(6)]
        line = windowed(deadline_us=cut)
        instants = sorted({a + d for row in WINDOWED_BY_HAND for a in row for d in (-1, 0, 1)})
        for at in instants:
            for number in range(3):
                assert line.attempts_before(at, 6, number) == count_before(attempts, number, at)


def test_attempt_count() -> None:
    # Without an attempt number: the first attempts (six; the cut drops two retries 1).
    assert fixed(deadline_us=S + 190 * SECOND).attempt_count(6) == 6
    # No cut: every slot has every attempt.
    assert fixed().attempt_count(7, 2) == 7
    assert windowed().attempt_count(6, 2) == 6
    # Cut at S + 190 s: first attempts at 20 s * s (all six before it), retry 1 at 150, 170 s,
    # retry 2 (480 s on) never.
    cut = fixed(deadline_us=S + 190 * SECOND)
    assert [cut.attempt_count(6, number) for number in range(3)] == [6, 2, 0]
    assert fixed(cancel_us=S + 190 * SECOND).attempt_count(6, 1) == 2
    assert fixed(deadline_us=S + 190 * SECOND, cancel_us=S + 170 * SECOND).attempt_count(6, 1) == 1
    # The window with the deadline at M2: all first attempts, retry 1 of slots 0..4, retry 2 of
    # slots 0 and 1 (hand-worked table).
    assert [windowed(deadline_us=M2).attempt_count(6, n) for n in range(3)] == [6, 5, 2]


def test_attempt_sum() -> None:
    # Retry 1 of slots 2..5: S + 150 s + 20 s * (2 + 3 + 4 + 5) over 4 slots.
    assert fixed().attempt_sum_us(2, 6, 1) == 4 * (S + 150 * SECOND) + 280 * SECOND
    assert fixed().attempt_sum_us(3, 4, 2) == S + 540 * SECOND
    assert fixed(pace=None).attempt_sum_us(0, 5, 2) == 5 * (S + 480 * SECOND)
    # 7 a minute: slots 1..3 are 8 571 428 + 17 142 857 + 25 714 285 µs in.
    seven = Timeline(S, pace=Pace(7, MINUTE))
    assert seven.attempt_sum_us(1, 4) == 3 * S + 51_428_570
    # Empty ranges.
    assert fixed().attempt_sum_us(3, 3, 1) == 0
    assert fixed().attempt_sum_us(5, 2) == 0
    assert windowed().attempt_sum_us(4, 4, 1) == 0
    # A window: retry 1 of slots 1..4 (hand-worked table).
    assert windowed().attempt_sum_us(1, 5, 1) == (M0 + 51 * MINUTE) + M1 + (M1 + 31 * MINUTE) + (
        M1 + 51 * MINUTE)
    assert windowed().attempt_sum_us(5, 6, 2) == M3


# -- properties against the brute force ---------------------------------------------------
@given(start=st.integers(0, 10**14),
       pace=st.none() | st.tuples(st.integers(1, 10), st.integers(1, 10**8)),
       gaps=st.lists(st.integers(1, 10**9), max_size=3),
       delay=st.integers(0, 10**7),
       deadline=st.none() | st.integers(0, 5 * 10**9),
       cancel=st.none() | st.integers(0, 5 * 10**9),
       slots=st.integers(0, 12),
       at=st.integers(-10**8, 6 * 10**9))
def test_fixed_offsets_agree_with_the_brute_force(
        start: int, pace: tuple[int, int] | None, gaps: list[int], delay: int,
        deadline: int | None, cancel: int | None, slots: int, at: int) -> None:
    deadline_us = None if deadline is None else start + deadline
    cancel_us = None if cancel is None else start + cancel
    cuts = [c for c in (deadline_us, cancel_us) if c is not None]
    cut = min(cuts) if cuts else None
    line = Timeline(start, pace=None if pace is None else Pace(*pace), deadline_us=deadline_us,
                    gaps_us=tuple(gaps), failure_delay_us=delay, cancel_us=cancel_us)
    uncut = [reference_attempts(s, start=start, pace=pace, gaps=gaps, delay=delay, cut=None)
             for s in range(slots)]
    kept = [reference_attempts(s, start=start, pace=pace, gaps=gaps, delay=delay, cut=cut)
            for s in range(slots)]
    function = line.attempts_function()
    assert [function(s) for s in range(slots)] == kept
    for number in range(len(gaps) + 1):
        assert [line.attempt_us(s, number) for s in range(slots)] == [a[number] for a in uncut]
        assert line.attempts_before(start + at, slots, number) == count_before(
            kept, number, start + at)
        assert line.attempt_count(slots, number) == sum(1 for a in kept if len(a) > number)
        assert line.attempt_sum_us(0, slots, number) == sum(a[number] for a in uncut)
        assert line.attempt_sum_us(slots // 2, slots, number) == sum(
            a[number] for a in uncut[slots // 2:])
    for s in range(slots):
        assert line.first_due_us(s) == uncut[s][0]
        for number in range(1, len(gaps) + 1):
            end = uncut[s][number - 1] + delay
            waited = end + gaps[number - 1]
            assert line.realised_retry_us(end, number) == (
                waited if cut is None or waited < cut else None)
            assert line.earliest_retry_us(uncut[s][number - 1], number) == uncut[s][number]
        assert line.realised_retry_us(start, len(gaps) + 1) is None
