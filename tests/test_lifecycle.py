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
    first_start_us,
    offline_lifecycle,
    reschedule_refusal,
    with_pauses,
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


# -- edges of the operations, by hand ---------------------------------------------------------


def test_a_resume_at_the_pause_instant_leaves_no_closed_interval() -> None:
    lifecycle = Lifecycle(at(0)).then(event("pause", 5), refuse_reschedule=never_started)
    resumed = lifecycle.then(event("resume", 5), refuse_reschedule=never_started)
    assert resumed.closed == () and not resumed.paused
    assert resumed.timeline(PACED, None).calendar is PACED.calendar
    cancelled = lifecycle.then(event("cancel", 5), refuse_reschedule=never_started)
    assert cancelled.closed == () and cancelled.cancel_us == at(5)


def test_every_pause_is_kept_and_a_pause_may_start_at_a_resume() -> None:
    lifecycle = Lifecycle(at(0))
    for op, minutes in [("pause", 1), ("resume", 2), ("pause", 2), ("resume", 4),
                        ("pause", 6), ("cancel", 7)]:
        lifecycle = lifecycle.then(event(op, minutes), refuse_reschedule=never_started)
    assert lifecycle.closed == ((at(1), at(2)), (at(2), at(4)), (at(6), at(7)))
    # Touching pauses are one closed stretch: 10:01 to 10:04 is closed, 10:04 opens.
    calendar = PausedCalendar(ALWAYS_OPEN, lifecycle.closed)
    assert calendar.next_open(at(1)) == at(4)
    assert calendar.open_between(at(0), at(5)) == 2 * US_PER_MINUTE


def test_every_operation_is_recorded_in_order() -> None:
    ops = [event("pause", 1), event("resume", 2), event("reschedule", 3, 30), event("cancel", 4)]
    lifecycle = Lifecycle(at(0))
    for count, op in enumerate(ops, 1):
        lifecycle = lifecycle.then(op, refuse_reschedule=never_started)
        assert lifecycle.events == tuple(ops[:count])
        assert lifecycle.last_us == op.at_us


@pytest.mark.parametrize(("events", "message"), [
    ([("resume", 5)],
     "resume at 2030-01-07T10:05:00.000+00:00: the request is not paused"),
    ([("pause", 5), ("pause", 6)],
     "pause at 2030-01-07T10:06:00.000+00:00: the request is already paused"),
    ([("cancel", 5), ("resume", 6)],
     "resume at 2030-01-07T10:06:00.000+00:00: the request is already cancelled"),
    ([("pause", 5), ("resume", 4)],
     "resume at 2030-01-07T10:04:00.000+00:00: before the previous operation "
     "(2030-01-07T10:05:00.000+00:00)"),
    ([("pause", -1)],
     "pause at 2030-01-07T09:59:00.000+00:00: before the submission time "
     "(2030-01-07T10:00:00.000+00:00)"),
])
def test_the_words_and_index_of_a_refused_operation(events: list[tuple[str, float]],
                                                    message: str) -> None:
    lifecycle = Lifecycle(at(0))
    *allowed, refused = events
    for op, minutes in allowed:
        lifecycle = lifecycle.then(event(op, minutes), refuse_reschedule=never_started)
    with pytest.raises(LifecycleError) as raised:
        lifecycle.then(event(*refused), refuse_reschedule=never_started, index=7)
    assert str(raised.value) == message and raised.value.index == 7


def test_the_words_of_a_refused_reschedule() -> None:
    with pytest.raises(LifecycleError) as raised:
        Lifecycle(at(0)).then(event("reschedule", 10, 60), index=3,
                              refuse_reschedule=lambda t: "an attempt has already started")
    assert str(raised.value) == (
        "reschedule at 2030-01-07T10:10:00.000+00:00 to sendAt 2030-01-07T11:00:00.000+00:00: "
        "an attempt has already started; a request can only be rescheduled before its first "
        "attempt")
    assert raised.value.index == 3


def test_a_reschedule_is_refused_from_a_deadline_on_and_after_a_first_attempt() -> None:
    # At the deadline instant the destinations have expired (validity is half-open).
    assert reschedule_refusal(at(5), [at(5)], [None]) == "a deadline has passed"
    assert reschedule_refusal(at(5), [None, at(6)], [None]) is None
    # An attempt at the reschedule instant has not started before it.
    assert reschedule_refusal(at(5), [None], [at(5)]) is None
    assert reschedule_refusal(at(5), [None], [at(4), None]) == "an attempt has already started"


def test_the_first_attempt_of_a_message() -> None:
    paced = Timeline(start_us=at(0), pace=Pace(1, US_PER_SECOND), deadline_us=None)
    # Slot 0 starts at the start, whatever the pace; a message without destinations has none.
    assert first_start_us(paced, 1) == at(0)
    assert first_start_us(paced, 3) == at(0)
    assert first_start_us(paced, 0) is None
    # A first attempt at or past the deadline or the cancel is no attempt.
    assert first_start_us(Timeline(start_us=at(0), deadline_us=at(0)), 2) is None
    assert first_start_us(Timeline(start_us=at(0), deadline_us=None, cancel_us=at(0)), 2) is None
    assert first_start_us(Timeline(start_us=at(0), deadline_us=at(0) + 1), 2) == at(0)


def test_a_message_without_destinations_never_blocks_a_reschedule() -> None:
    lines = [(Timeline(start_us=at(0), deadline_us=None), 0)]
    moved = offline_lifecycle([event("reschedule", 10, 20)], at(0), lambda _: lines)
    assert moved.start_us == at(20)


def test_events_that_leave_the_request_paused_name_the_last_event() -> None:
    with pytest.raises(LifecycleError) as raised:
        offline_lifecycle([event("pause", 1), event("resume", 2), event("pause", 3)], at(0),
                          lambda _: [])
    assert str(raised.value) == ("the events leave the request paused: add a resume, "
                                 "or a cancel")
    assert raised.value.index == 2


def test_a_lifecycle_event_from_datetimes_and_in_words() -> None:
    t, later = datetime(2030, 1, 7, 10, 5, tzinfo=timezone.utc), datetime(2030, 1, 7, 11, 0,
                                                                          tzinfo=timezone.utc)
    assert LifecycleEvent.of("pause", t) == LifecycleEvent(Operation.PAUSE, at(5))
    assert LifecycleEvent.of(Operation.RESCHEDULE, t, later) == LifecycleEvent(
        Operation.RESCHEDULE, at(5), at(60))
    assert LifecycleEvent.of("reschedule", t, later).describe() == (
        "reschedule at 2030-01-07T10:05:00.000+00:00 to sendAt 2030-01-07T11:00:00.000+00:00")
    assert LifecycleEvent.of("cancel", t).describe() == (
        "cancel at 2030-01-07T10:05:00.000+00:00")
    with pytest.raises(ValueError) as raised:
        LifecycleEvent(Operation.RESCHEDULE, 0)
    assert str(raised.value) == "a reschedule, and only a reschedule, has a sendAt"


def test_a_paused_calendar_at_its_edges() -> None:
    calendar = PausedCalendar(ALWAYS_OPEN, ((10, 20), (30, NEVER)))
    # Paused from the pause instant itself; open again at the resume instant.
    assert calendar.next_open(10) == 20 and calendar.next_open(19) == 20
    assert calendar.next_open(20) == 20 and calendar.next_open(9) == 9
    assert calendar.next_open(30) == NEVER
    assert calendar.open_between(15, 15) == 0 and calendar.open_between(16, 12) == 0
    assert calendar.open_between(0, 30) == 20
    assert calendar.advance(0, 15) == 25 and calendar.advance(20, 0) == 20
    assert calendar.advance(0, 20) == NEVER
    with pytest.raises(ValueError) as raised:
        calendar.advance(0, -1)
    assert str(raised.value) == "open time cannot be negative"
    for closed in (((5, 9), (7, 12)), ((5, 5),), ((9, 12), (5, 8))):
        with pytest.raises(ValueError) as raised:
            PausedCalendar(ALWAYS_OPEN, closed)
        assert str(raised.value) == "paused intervals must be non-empty, disjoint and in order"
    assert PausedCalendar(ALWAYS_OPEN, ((5, 9), (9, 12))).next_open(5) == 12
    # One µs of open time: the next µs when open; from the last open µs before a pause, the
    # pause's end (the µs that elapsed is before it); from inside a pause, a µs after its end.
    assert calendar.advance(5, 1) == 6
    assert calendar.advance(9, 1) == 20
    assert calendar.advance(15, 1) == 21
    assert calendar.advance(29, 1) == NEVER


def test_a_calendar_without_pauses_is_itself() -> None:
    assert with_pauses(ALWAYS_OPEN, ()) is ALWAYS_OPEN
    assert with_pauses(ALWAYS_OPEN, ((1, 2),)) == PausedCalendar(ALWAYS_OPEN, ((1, 2),))
