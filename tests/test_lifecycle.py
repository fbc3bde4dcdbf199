"""S13: paused time is closed time, and the operations S13 allows (rules/lifecycle.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched.rules.instants import US_PER_MINUTE, US_PER_SECOND, to_us
from ivrsched.rules.lifecycle import (
    NEVER,
    Lifecycle,
    LifecycleError,
    LifecycleEvent,
    Operation,
    PausedCalendar,
    offline_lifecycle,
)
from ivrsched.rules.open_time import ALWAYS_OPEN
from ivrsched.rules.pacing import Pace
from ivrsched.rules.timeline import Timeline

#: The brute-force calendars below decide every instant of [0, HORIZON) one by one.
HORIZON = 120


@dataclass(frozen=True)
class SetCalendar:
    """A brute-force calendar: open at the instants of ``open`` below HORIZON; at and after
    HORIZON open unless ``closed_after`` (then closed for ever)."""

    open: frozenset[int]
    closed_after: bool = False

    def is_open(self, t: int) -> bool:
        return t in self.open if t < HORIZON else not self.closed_after

    def next_open(self, at_us: int) -> int:
        t = at_us
        while not self.is_open(t):
            if t >= HORIZON:
                return NEVER
            t += 1
        return t

    def open_between(self, start_us: int, end_us: int) -> int:
        return sum(1 for t in range(start_us, end_us) if self.is_open(t))

    def advance(self, start_us: int, open_us: int) -> int:
        # The earliest open instant u with open_us of open time in [start, u).
        t, seen = start_us, 0
        while True:
            if seen >= open_us and self.is_open(t):
                return t
            if t >= HORIZON and self.closed_after:
                return NEVER
            seen += 1 if self.is_open(t) else 0
            t += 1


instants = st.integers(0, HORIZON - 1)
open_sets = st.frozensets(instants, max_size=HORIZON).map(frozenset)


@st.composite
def pauses(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    cuts = sorted(draw(st.sets(st.integers(0, HORIZON), max_size=8)))
    pairs = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    if pairs and draw(st.booleans()):
        pairs[-1] = (pairs[-1][0], NEVER)
    return tuple(pairs)


def reference(inner: SetCalendar, closed: tuple[tuple[int, int], ...]) -> SetCalendar:
    paused = {t for a, b in closed for t in range(a, min(b, HORIZON))}
    forever = bool(closed) and closed[-1][1] == NEVER
    return SetCalendar(frozenset(inner.open - paused), forever or inner.closed_after)


@given(open_sets, pauses(), instants, st.integers(0, HORIZON), st.integers(0, HORIZON))
def test_paused_calendar_is_the_calendar_minus_the_pauses(open_set: frozenset[int],
                                                         closed: tuple[tuple[int, int], ...],
                                                         start: int, end: int,
                                                         open_us: int) -> None:
    inner = SetCalendar(open_set)
    paused = PausedCalendar(inner, closed)
    expected = reference(inner, closed)
    assert paused.next_open(start) == expected.next_open(start)
    assert paused.open_between(start, end) == expected.open_between(start, end)
    assert paused.advance(start, open_us) == expected.advance(start, open_us)


@given(pauses(), instants, st.integers(0, HORIZON))
def test_paused_always_open(closed: tuple[tuple[int, int], ...], start: int,
                            open_us: int) -> None:
    paused = PausedCalendar(ALWAYS_OPEN, closed)
    expected = reference(SetCalendar(frozenset(range(HORIZON))), closed)
    assert paused.next_open(start) == expected.next_open(start)
    assert paused.advance(start, open_us) == expected.advance(start, open_us)


def test_pauses_must_be_in_order() -> None:
    with pytest.raises(ValueError):
        PausedCalendar(ALWAYS_OPEN, ((5, 9), (7, 12)))
    with pytest.raises(ValueError):
        PausedCalendar(ALWAYS_OPEN, ((5, 5),))


T0 = datetime(2030, 1, 7, 10, 0, tzinfo=timezone.utc)


def at(minutes: float) -> int:
    return to_us(T0) + int(minutes * US_PER_MINUTE)


def event(op: str, minutes: float, send_at: float | None = None) -> LifecycleEvent:
    return LifecycleEvent(Operation(op), at(minutes), None if send_at is None else at(send_at))


def never_started(at_us: int) -> str | None:
    return None


def test_pause_then_resume_closes_the_interval() -> None:
    lifecycle = Lifecycle(at(0))
    lifecycle = lifecycle.then(event("pause", 120), refuse_reschedule=never_started)
    assert lifecycle.paused and lifecycle.closed == ((at(120), NEVER),)
    lifecycle = lifecycle.then(event("resume", 240), refuse_reschedule=never_started)
    assert not lifecycle.paused and lifecycle.closed == ((at(120), at(240)),)


@pytest.mark.parametrize(("events", "message"), [
    ([("resume", 5)], "not paused"),
    ([("pause", 5), ("pause", 6)], "already paused"),
    ([("cancel", 5), ("pause", 6)], "already cancelled"),
    ([("cancel", 5), ("cancel", 6)], "already cancelled"),
    ([("pause", 5), ("resume", 4)], "before the previous operation"),
    ([("pause", -1)], "before the submission time"),
])
def test_operations_s13_does_not_allow(events: list[tuple[str, float]], message: str) -> None:
    lifecycle = Lifecycle(at(0))
    *allowed, refused = events
    for op, minutes in allowed:
        lifecycle = lifecycle.then(event(op, minutes), refuse_reschedule=never_started)
    before = lifecycle
    with pytest.raises(LifecycleError, match=message):
        lifecycle.then(event(*refused), refuse_reschedule=never_started)
    assert lifecycle == before


def test_reschedule_only_before_the_first_attempt() -> None:
    lifecycle = Lifecycle(at(0))
    with pytest.raises(LifecycleError, match="already started"):
        lifecycle.then(event("reschedule", 10, 60),
                       refuse_reschedule=lambda t: "an attempt has already started"
                       if t > at(5) else None)
    moved = lifecycle.then(event("reschedule", 10, 60), refuse_reschedule=never_started)
    assert moved.start_us == at(60)
    # A sendAt in the past of the operation starts at the operation.
    moved = lifecycle.then(event("reschedule", 10, 3), refuse_reschedule=never_started)
    assert moved.start_us == at(10)


def test_cancel_ends_an_open_pause_at_the_cancel() -> None:
    lifecycle = Lifecycle(at(0)).then(event("pause", 5), refuse_reschedule=never_started)
    lifecycle = lifecycle.then(event("cancel", 9), refuse_reschedule=never_started)
    assert lifecycle.closed == ((at(5), at(9)),) and lifecycle.cancel_us == at(9)


def test_a_reschedule_event_needs_a_send_at() -> None:
    with pytest.raises(ValueError):
        LifecycleEvent(Operation.RESCHEDULE, 0)
    with pytest.raises(ValueError):
        LifecycleEvent(Operation.PAUSE, 0, 5)
    with pytest.raises(ValueError):
        LifecycleEvent.of("pause", datetime(2030, 1, 1))


# -- worked examples on a time line ---------------------------------------------------------

PACED = Timeline(start_us=at(0), pace=Pace(10, US_PER_SECOND), deadline_us=None,
                 gaps_us=(5 * US_PER_MINUTE,))


def test_pause_stops_the_paced_clock_no_burst_at_resume() -> None:
    # 10 calls a second from 10:00; paused from 10:00:01 to 10:00:31. By hand: slot 10 would
    # be at 10:00:01 (paused), so it goes at the resume; slot 11 a tenth of a second later.
    lifecycle = Lifecycle(at(0)).then(event("pause", 1 / 60), refuse_reschedule=never_started)
    lifecycle = lifecycle.then(event("resume", 31 / 60), refuse_reschedule=never_started)
    timeline = lifecycle.timeline(PACED, None)
    resume = at(31 / 60)
    assert timeline.first_attempt_us(9) == at(0) + 900_000
    assert timeline.first_attempt_us(10) == resume
    assert timeline.first_attempt_us(11) == resume + 100_000
    assert timeline.first_attempt_us(29) == resume + 1_900_000


def test_a_retry_inside_a_pause_moves_to_the_resume() -> None:
    lifecycle = Lifecycle(at(0)).then(event("pause", 2), refuse_reschedule=never_started)
    lifecycle = lifecycle.then(event("resume", 60), refuse_reschedule=never_started)
    timeline = lifecycle.timeline(PACED, None)
    # Slot 0 at 10:00, its retry 5 minutes later at 10:05 falls in the pause: 11:00.
    assert timeline.attempts_us(0) == (at(0), at(60))


def test_validity_is_wall_time_and_reschedule_recomputes_the_deadline() -> None:
    base = Timeline(start_us=at(0), deadline_us=at(90), gaps_us=(60 * US_PER_MINUTE,))
    lifecycle = Lifecycle(at(0)).then(event("pause", 30), refuse_reschedule=never_started)
    lifecycle = lifecycle.then(event("resume", 100), refuse_reschedule=never_started)
    paused = lifecycle.timeline(base, 90)
    assert paused.deadline_us == at(90)  # the pause did not move it
    assert paused.attempts_us(0) == (at(0),)  # the retry at 11:00 is paused past the deadline
    moved = Lifecycle(at(0)).then(event("reschedule", 0, 30),
                                  refuse_reschedule=never_started).timeline(base, 90)
    assert (moved.start_us, moved.deadline_us) == (at(30), at(120))
    assert moved.attempts_us(0) == (at(30), at(90))


def test_cancel_is_a_cut() -> None:
    lifecycle = Lifecycle(at(0)).then(event("cancel", 3 / 60), refuse_reschedule=never_started)
    timeline = lifecycle.timeline(PACED, None)
    assert timeline.cut_us == at(3 / 60)
    assert timeline.attempts_us(29) == (at(0) + 2_900_000,)  # its retry is after the cancel
    assert timeline.attempts_us(30) == ()
    assert timeline.first_attempts_before(at(60), 1000) == 30


def test_offline_events_check_reschedule_against_the_plan() -> None:
    def timelines(lifecycle: Lifecycle) -> list[tuple[Timeline, int]]:
        return [(lifecycle.timeline(PACED, None), 5)]

    with pytest.raises(LifecycleError) as raised:
        offline_lifecycle([event("pause", 1), event("resume", 2), event("reschedule", 3, 9)],
                          at(0), timelines)
    assert raised.value.index == 2
    deadline = Timeline(start_us=at(0), deadline_us=at(5))
    with pytest.raises(LifecycleError, match="deadline has passed"):
        offline_lifecycle([event("reschedule", 6, 9)], at(0), lambda _: [(deadline, 0)])
    # Before the first attempt (10:00) a reschedule is allowed: at 10:00 itself it comes first.
    moved = offline_lifecycle([event("reschedule", 0, 9)], at(0), timelines)
    assert moved.start_us == at(9)
    with pytest.raises(LifecycleError, match="paused"):
        offline_lifecycle([event("pause", 1)], at(0), timelines)
    assert offline_lifecycle([], at(0), timelines) == Lifecycle(at(0))
