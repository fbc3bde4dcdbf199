"""The live dispatcher (S14): one engine with simulate, exactly once, the caller's clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivrsched import plan, simulate, verify
from ivrsched.dispatch import (
    Attempt,
    Dispatcher,
    DispatchError,
    JournalError,
    LifecycleError,
    State,
)
from ivrsched.dispatch.dispatcher import drive
from ivrsched.ids import SeededIds
from ivrsched.planning.planner import DestinationSchedule
from ivrsched.request.model import Destination
from ivrsched.rules.instants import from_us, to_us
from ivrsched.simulation.engine import DestinationResult, Ending
from ivrsched.simulation.outcomes import AttemptOutcome, Outcome, OutcomeSource, Random
from ivrsched.testing import DEFAULT_NOW, requests

NOW = DEFAULT_NOW
SEED = 7


def placer(source: OutcomeSource) -> Callable[[Attempt], AttemptOutcome]:
    """Place an attempt with the outcome ``source`` gives it (as simulate asks it)."""
    def place(attempt: Attempt) -> AttemptOutcome:
        schedule = DestinationSchedule(attempt.message, attempt.index,
                                       Destination(attempt.to), attempt.message_id, ())
        return source.outcome(schedule, attempt.number)
    return place


def simulated(request: dict[str, Any], source: OutcomeSource
              ) -> tuple[list[dict[str, object]], list[DestinationResult]]:
    sim = simulate(plan(request, now=NOW, ids=SeededIds(SEED)), source)
    return [e.record() for e in sim.events()], list(sim.results())


def by_destination(results: list[DestinationResult]) -> list[DestinationResult]:
    return sorted(results, key=lambda r: (r.message, r.index))


outcome_models = st.builds(
    lambda answer, busy, seed, ring: Random(answer, busy, seed=seed,
                                            ring_timeout=timedelta(seconds=ring)),
    st.sampled_from([0, 0.3, 0.7]), st.sampled_from([0, 0.2]), st.integers(0, 99),
    st.integers(0, 600))


@settings(max_examples=60)
@given(requests(max_messages=2, max_destinations=8, windows=None, rejected=True,
                message_ids=True), outcome_models)
def test_driven_at_its_wakeups_the_log_is_the_simulation_log(
        new_journal: Callable[[], Path], request: dict[str, Any], source: Random) -> None:
    expected_log, expected_results = simulated(request, source)
    with Dispatcher.create(new_journal(), request, now=NOW, seed=SEED) as d:
        drive(d, placer(source))
        assert d.finished and d.state is State.FINISHED
        assert list(d.log()) == expected_log
        assert by_destination(list(d.results())) == by_destination(expected_results)
        assert d.next_wakeup() is None and d.in_doubt() == []


def reopened(d: Dispatcher) -> Dispatcher:
    """The dispatcher a restarted process gets: only the journal survives."""
    path = d._path
    d.close()
    return Dispatcher.open(path)


@settings(max_examples=40)
@given(requests(max_messages=2, max_destinations=6, windows=None, rejected=True,
                message_ids=True), outcome_models, st.data())
def test_restarts_at_any_point_lose_nothing_and_repeat_nothing(
        new_journal: Callable[[], Path],
        request: dict[str, Any], source: Random, data: st.DataObject) -> None:
    expected_log, expected_results = simulated(request, source)
    place = placer(source)
    d = Dispatcher.create(new_journal(), request, now=NOW, seed=SEED)
    handed: list[str] = []
    try:
        for _ in range(10_000):
            if data.draw(st.booleans(), label="restart before asking"):
                d = reopened(d)
            # After a restart the attempts in doubt are settled first, under their own keys.
            for attempt in d.in_doubt():
                outcome = place(attempt)
                start = to_us(attempt.time)
                d.record(attempt.key, outcome.kind,
                         from_us(start + outcome.duration_us),
                         None if outcome.answer_after_us is None
                         else from_us(start + outcome.answer_after_us))
            wake = d.next_wakeup()
            if wake is None:
                break
            attempts = d.due(wake)
            handed.extend(a.key for a in attempts)
            if attempts and data.draw(st.booleans(), label="restart before the outcomes"):
                d = reopened(d)
                assert [a.key for a in d.in_doubt()] == [a.key for a in attempts]
                continue
            for attempt in attempts:
                outcome = place(attempt)
                start = to_us(attempt.time)
                d.record(attempt.key, outcome.kind, from_us(start + outcome.duration_us),
                         None if outcome.answer_after_us is None
                         else from_us(start + outcome.answer_after_us))
        assert len(handed) == len(set(handed)), "a key was handed out twice"
        assert d.finished
        d = reopened(d)
        assert list(d.log()) == expected_log
        assert by_destination(list(d.results())) == by_destination(expected_results)
    finally:
        d.close()


T0 = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)  # a Monday


def paced(n: int, speed: int = 10, unit: str = "second", **extra: Any) -> dict[str, Any]:
    return {"messages": [{"scenarioId": "S", "sendingSpeed": {"speed": speed, "timeUnit": unit},
                          "destinations": [{"to": f"4179302{i:04d}"} for i in range(n)],
                          **extra}]}


def most_in_any_window(times: list[int], length: int) -> int:
    """Brute force: the most instants of ``times`` in any half-open interval of ``length``
    (an interval holding the most can start at one of them)."""
    return max((sum(1 for u in times if t <= u < t + length) for t in times), default=0)


def test_a_late_caller_gets_no_burst(new_journal: Callable[[], Path]) -> None:
    # 10 calls a second, the caller asks every 10 s. By hand: at 09:00:00 only slot 0 is due;
    # at 09:00:10 slots 1..10 (slot 10 may go: slot 0 was realised a second before); slot 11
    # must wait until a second after slot 1 was realised (09:00:11). So ten per call after the
    # first, never more than ten in a second.
    with Dispatcher.create(new_journal(), paced(100), now=T0) as d:
        per_call = []
        for k in range(12):
            handed = d.due(T0 + timedelta(seconds=10 * k))
            per_call.append(len(handed))
            for a in handed:
                d.record(a.key, "answered", a.time)
        assert per_call == [1] + [10] * 9 + [9, 0]
        times = [to_us(datetime.fromisoformat(str(r["time"]))) for r in d.log()]
        assert most_in_any_window(times, 1_000_000) == 10
        assert d.finished
        assert verify(paced(100), d.log(), now=T0, ids=SeededIds(SEED)) == []


@settings(max_examples=40)
@given(requests(max_messages=2, max_destinations=12, paced=True, windows=None),
       st.lists(st.integers(0, 3_600_000_000), min_size=1, max_size=30))
def test_called_late_the_log_still_conforms(
        new_journal: Callable[[], Path], request: dict[str, Any],
                                             gaps: list[int]) -> None:
    with Dispatcher.create(new_journal(), request, now=NOW, seed=SEED) as d:
        now = to_us(NOW)
        for gap in gaps:
            now += gap
            for a in d.due(from_us(now)):
                d.record(a.key, "no-answer", from_us(now + 30_000_000))
        drive(d, lambda a: AttemptOutcome(Outcome.BUSY, 5_000_000))
        assert d.finished
        assert verify(request, d.log(), now=NOW, ids=SeededIds(SEED)) == []


@settings(max_examples=30)
@given(requests(max_messages=2, max_destinations=10, windows=None), st.integers(1, 3),
       outcome_models)
def test_never_more_in_progress_than_the_cap(
        new_journal: Callable[[], Path], request: dict[str, Any],
                                              cap: int, source: Random) -> None:
    place = placer(source)
    with Dispatcher.create(new_journal(), request, now=NOW, seed=SEED,
                           max_in_progress=cap) as d:
        in_flight: list[Attempt] = []
        for _ in range(10_000):
            wake = d.next_wakeup()
            if wake is None and not in_flight:
                break
            if wake is not None:
                in_flight.extend(d.due(max(wake, d.clock)))
            assert len(d.in_doubt()) == len(in_flight) <= cap
            if in_flight:  # the oldest call returns
                a = in_flight.pop(0)
                outcome = place(a)
                d.record(a.key, outcome.kind, a.time + timedelta(
                    microseconds=outcome.duration_us))
        assert d.finished
        assert verify(request, d.log(), now=NOW, ids=SeededIds(SEED)) == []


def test_the_cap_holds_attempts_back_until_an_outcome(new_journal: Callable[[], Path]) -> None:
    request = {"messages": [{"scenarioId": "S", "validityPeriod": 60,
                             "destinations": [{"to": f"4179302{i:04d}"} for i in range(5)]}]}
    with Dispatcher.create(new_journal(), request, now=T0, max_in_progress=2) as d:
        first = d.due(T0)
        assert [a.index for a in first] == [0, 1]
        assert d.due(T0) == []
        assert d.next_wakeup() == T0 + timedelta(minutes=60)  # only the deadline is ahead
        d.record(first[0].key, "answered", T0 + timedelta(seconds=30))
        assert d.next_wakeup() == T0  # due since 09:00, now there is room
        later = d.due(T0 + timedelta(seconds=30))
        assert [(a.index, a.time) for a in later] == [(2, T0 + timedelta(seconds=30))]


def snapshot(d: Dispatcher) -> tuple[object, ...]:
    return (list(d.log()), [a.key for a in d.in_doubt()], d.next_wakeup(), d.clock,
            d.lifecycle, d.counts())


def test_refused_calls_change_nothing(new_journal: Callable[[], Path]) -> None:
    request = paced(5, speed=1, unit="minute",
                    retry={"minPeriod": 1, "maxPeriod": 1, "maxCount": 1})
    path = new_journal()
    later = T0 + timedelta(minutes=2)
    with Dispatcher.create(path, request, now=T0) as d:
        [a] = d.due(T0)
        d.record(a.key, "busy", T0 + timedelta(seconds=5))
        [b] = d.due(T0 + timedelta(minutes=1))
        before = snapshot(d)
        refused: list[tuple[Any, ...]] = [
            (d.due, datetime(2030, 1, 7, 9, 5)),  # naive
            (d.due, T0),  # before the clock
            (d.record, "nobody:1", "busy", later),
            (d.record, a.key, "answered", later),  # a second outcome
            (d.record, b.key, "busy", T0 + timedelta(seconds=30)),  # before its attempt
            (d.record, b.key, "hung up", later),
            (d.record, b.key, "busy", later, later),  # answered_at, not answered
            (d.record, b.key, "answered", later, later + timedelta(seconds=1)),  # after end
            (d.resume, later),  # not paused
            (d.reschedule, later, T0 + timedelta(hours=1)),  # started
            (d.pause, T0),  # before the clock
        ]
        for call, *args in refused:
            with pytest.raises((DispatchError, LifecycleError)):
                call(*args)
            assert snapshot(d) == before, (call, args)
        d.cancel(later)
        with pytest.raises(LifecycleError, match="cancelled"):
            d.pause(later + timedelta(seconds=1))
    with Dispatcher.open(path) as again:
        assert again.state is State.CANCELED
        assert [(row["index"], row["attempt"]) for row in again.log()] == [(0, 1), (1, 1)]


def test_pause_resume_and_cancel_live(new_journal: Callable[[], Path]) -> None:
    # One call a minute from 09:00, paused 09:02:30-09:10. Pacing runs on open time: slot 3
    # (planned 09:03) had 30 s of open time to go at the pause, so it goes at 09:10:30 and slot
    # 4 at 09:11:30. Cancelled at 09:12: slots 5..7 never start.
    request = paced(8, speed=1, unit="minute")
    with Dispatcher.create(new_journal(), request, now=T0) as d:
        def step() -> None:
            wake = d.next_wakeup()
            assert wake is not None
            for a in d.due(wake):
                d.record(a.key, "answered", a.time)
        for _ in range(3):
            step()
        d.pause(T0 + timedelta(minutes=2, seconds=30))
        assert d.state is State.PAUSED
        assert d.next_wakeup() is None  # paused, no deadline under pacing
        d.resume(T0 + timedelta(minutes=10))
        assert d.next_wakeup() == T0 + timedelta(minutes=10, seconds=30)
        step()
        step()
        d.cancel(T0 + timedelta(minutes=12))
        assert d.next_wakeup() == T0 + timedelta(minutes=12)
        assert d.due(T0 + timedelta(minutes=12)) == []
        assert d.finished and d.state is State.CANCELED
        times = [str(r["time"]) for r in d.log()]
        assert times == ["2030-01-07T09:00:00.000+00:00", "2030-01-07T09:01:00.000+00:00",
                         "2030-01-07T09:02:00.000+00:00", "2030-01-07T09:10:30.000+00:00",
                         "2030-01-07T09:11:30.000+00:00"]
        endings = sorted((r.index, r.ending) for r in d.results())
        assert endings == [(i, Ending.ANSWERED) for i in range(5)] + [
            (i, Ending.CANCELLED) for i in range(5, 8)]


def test_reschedule_before_the_start(new_journal: Callable[[], Path]) -> None:
    request = {"messages": [{"scenarioId": "S", "sendAt": "2030-01-07T10:00:00Z",
                             "validityPeriod": 30, "destinations": [{"to": "41793026700"}],
                             "retry": {"minPeriod": 60, "maxPeriod": 60, "maxCount": 1}}]}
    with Dispatcher.create(new_journal(), request, now=T0) as d:
        d.reschedule(T0 + timedelta(minutes=5), T0 + timedelta(hours=3))
        assert d.next_wakeup() == T0 + timedelta(hours=3)
        [a] = d.due(T0 + timedelta(hours=3))
        d.record(a.key, "no-answer", a.time + timedelta(seconds=45))
        # The retry (an hour later) is past the new deadline (30 minutes from the new start):
        # the destination expires when the deadline comes, at the end of its attempt.
        assert d.next_wakeup() == T0 + timedelta(hours=3, minutes=30)
        assert not d.finished
        assert d.due(T0 + timedelta(hours=3, minutes=30)) == []
        [result] = d.results()
        assert (result.ending, result.at_us) == (Ending.DEADLINE,
                                                 to_us(T0 + timedelta(hours=3, seconds=45)))


def test_a_journal_is_created_once(new_journal: Callable[[], Path]) -> None:
    path = new_journal()
    Dispatcher.create(path, paced(1), now=T0).close()
    with pytest.raises(JournalError, match="already"):
        Dispatcher.create(path, paced(1), now=T0)
    with pytest.raises(JournalError, match="no such journal"):
        Dispatcher.open(new_journal().with_name("missing.db"))


def test_attempt_times_are_rendered_as_every_output_renders_them(
        new_journal: Callable[[], Path]) -> None:
    # S1: milliseconds, six digits only with a sub-millisecond part, in the sendAt's offset.
    # Three a second from 10:00 +01:00: slots at 0, 1/3 s and 2/3 s (floor, in µs).
    request = {"messages": [{"scenarioId": "S", "sendAt": "2030-01-07T10:00:00+01:00",
                             "sendingSpeed": {"speed": 3, "timeUnit": "second"},
                             "destinations": [{"to": f"4179302{i:04d}"} for i in range(3)]}]}
    expected = ["2030-01-07T10:00:00.000+01:00", "2030-01-07T10:00:00.333333+01:00",
                "2030-01-07T10:00:00.666666+01:00"]
    with Dispatcher.create(new_journal(), request, now=T0) as d:
        documents = []
        while (wake := d.next_wakeup()) is not None:
            for a in d.due(wake):
                documents.append(a.as_json()["time"])
                assert [r["time"] for r in d.log()][-1] == documents[-1]  # in progress
                d.record(a.key, "answered", a.time + timedelta(seconds=1))
        assert documents == expected
        assert [r["time"] for r in d.log()] == expected
        sim = simulate(plan(request, now=T0, ids=SeededIds(SEED)), Random(1, 0, seed=0))
        assert [e.record()["time"] for e in sim.events()] == expected


#: S3's units in µs, by hand.
UNIT_US = {"second": 1_000_000, "minute": 60_000_000, "hour": 3_600_000_000,
           "day": 86_400_000_000}


@settings(max_examples=40)
@given(requests(max_messages=2, max_destinations=25, paced=True, windows=None),
       st.lists(st.one_of(st.integers(0, 2_000_000), st.integers(0, 3_600_000_000)),
                min_size=1, max_size=30),
       st.sampled_from(["answered", "busy"]))
def test_a_late_caller_never_breaks_the_cap_over_realised_first_attempts(
        new_journal: Callable[[], Path],
        request: dict[str, Any], gaps: list[int], outcome: str) -> None:
    # However late and irregular the caller's polls, any half-open interval of U holds at most
    # `speed` first attempts of a message as they were really handed out (S3, S14).
    with Dispatcher.create(new_journal(), request, now=NOW, seed=SEED) as d:
        now = to_us(NOW)
        for gap in gaps:
            now += gap
            for a in d.due(from_us(now)):
                d.record(a.key, outcome, a.time + timedelta(seconds=1))
        drive(d, lambda a: AttemptOutcome(Outcome.NO_ANSWER, 3_000_000))
        rows = list(d.log())
    for number, message in enumerate(request["messages"]):
        speed = message["sendingSpeed"]
        firsts = [to_us(datetime.fromisoformat(str(r["time"]))) for r in rows
                  if r["message"] == number and r["attempt"] == 1]
        assert most_in_any_window(firsts, UNIT_US[speed["timeUnit"]]) <= speed["speed"]


NAIVE = datetime(2030, 1, 7, 9, 5)


@settings(max_examples=60)
@given(requests(max_messages=2, max_destinations=6, windows=None), st.data())
def test_any_refused_call_at_any_point_changes_nothing(
        new_journal: Callable[[], Path], request: dict[str, Any], data: st.DataObject) -> None:
    path = new_journal()
    with Dispatcher.create(path, request, now=NOW, seed=SEED) as d:
        in_flight: list[Attempt] = []
        done: list[Attempt] = []
        for _ in range(data.draw(st.integers(0, 8), label="wake-ups")):
            wake = d.next_wakeup()
            if wake is None:
                break
            in_flight.extend(d.due(max(wake, d.clock)))
            if in_flight and data.draw(st.booleans(), label="an outcome comes"):
                a = in_flight.pop(0)
                d.record(a.key, "busy", a.time + timedelta(seconds=5))
                done.append(a)
        if not d.finished and data.draw(st.booleans(), label="cancelled"):
            d.cancel(d.clock)
        clock = d.clock
        later = clock + timedelta(hours=1)
        refused: list[tuple[Callable[..., object], tuple[object, ...]]] = [
            (d.due, (NAIVE,)),
            (d.due, (clock - timedelta(microseconds=1),)),
            (d.record, ("nobody:1", "busy", later)),
            (d.pause, (NAIVE,)),
            (d.pause, (clock - timedelta(microseconds=1),)),
            (d.cancel, (clock - timedelta(microseconds=1),)),
        ]
        for a in done:
            refused.append((d.record, (a.key, "answered", later)))  # a second outcome
        for a in in_flight:
            refused += [
                (d.record, (a.key, "busy", a.time - timedelta(microseconds=1))),  # before it
                (d.record, (a.key, "hung up", later)),
                (d.record, (a.key, "busy", NAIVE)),
                (d.record, (a.key, "busy", later, later)),  # answered_at, not answered
                (d.record, (a.key, "answered", later, later + timedelta(seconds=1))),
            ]
        if not d.lifecycle.paused or d.lifecycle.cancelled:
            refused.append((d.resume, (clock,)))
        if d.lifecycle.cancelled:
            refused += [(d.pause, (clock,)), (d.cancel, (clock,)),
                        (d.reschedule, (clock, later))]
        elif list(d.log()):
            refused.append((d.reschedule, (clock, later)))  # an attempt has started
        before = snapshot(d)
        call, args = data.draw(st.sampled_from(refused), label="refused call")
        with pytest.raises((DispatchError, LifecycleError)):
            call(*args)
        assert snapshot(d) == before
    with Dispatcher.open(path) as again:
        assert snapshot(again) == before
