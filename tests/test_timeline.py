"""A message's time line (ivrsched.rules.timeline) at its edges: counts of first attempts before
an instant for unpaced messages in a window, and attempts that would leave year 9999. Expected
values are worked out by hand.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ivrsched import PlanRangeError
from ivrsched.request.model import DeliveryTimeWindow, TimeOfDay, Weekday
from ivrsched.rules.instants import MAX_US, US_PER_HOUR, US_PER_MINUTE, to_us
from ivrsched.rules.pacing import Pace
from ivrsched.rules.timeline import Timeline
from ivrsched.rules.windows import WindowCalendar

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
