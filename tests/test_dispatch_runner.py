"""The asyncio runner, driving the real dispatcher under a virtual clock: it places attempts at
their wake-ups, several at once up to the cap, records their outcomes, sees lifecycle operations
written by another connection, and leaves the journal consistent when cancelled."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivrsched import plan, simulate
from ivrsched.dispatch import Attempt, Dispatcher
from ivrsched.dispatch.runner import Placed, run
from ivrsched.ids import SeededIds
from ivrsched.oracle.conformance import verify
from ivrsched.planning.planner import DestinationSchedule
from ivrsched.request.model import Destination
from ivrsched.simulation.outcomes import AttemptOutcome, Constant, Outcome, OutcomeSource, Random
from ivrsched.testing import DEFAULT_NOW, requests
from tests.virtual_time import VirtualTime

T0 = DEFAULT_NOW
S = timedelta(seconds=1)
_journals = itertools.count()


def journal(tmp_path: Path) -> Path:
    return tmp_path / f"campaign-{next(_journals)}.db"


def campaign(n: int, *, per_minute: int | None = None, retry: tuple[int, int, int] | None = None
             ) -> dict[str, Any]:
    """n destinations m0…, paced ``per_minute``, with ``retry`` (min, max, count)."""
    message: dict[str, Any] = {"scenarioId": "S", "destinations": [
        {"to": f"417930267{i:02d}", "messageId": f"m{i}"} for i in range(n)]}
    if per_minute is not None:
        message["sendingSpeed"] = {"speed": per_minute, "timeUnit": "minute"}
    if retry is not None:
        message["retry"] = dict(zip(("minPeriod", "maxPeriod", "maxCount"), retry, strict=True))
    return {"messages": [message]}


class Calls:
    """A place_call that lasts ``duration`` of virtual time and answers the ``answer_on``-th
    attempt (busy before); it notes when each call started and how many ran at once."""

    def __init__(self, vt: VirtualTime, duration: timedelta, answer_on: int = 1) -> None:
        self.vt, self.duration, self.answer_on = vt, duration, answer_on
        self.started: list[tuple[str, timedelta]] = []
        self.running = 0
        self.peak = 0
        self.cancelled: list[str] = []

    async def __call__(self, attempt: Attempt) -> AttemptOutcome:
        self.started.append((attempt.key, self.vt.now - T0))
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await self.vt.wait(self.duration)
        except asyncio.CancelledError:
            self.cancelled.append(attempt.key)
            raise
        finally:
            self.running -= 1
        kind = Outcome.ANSWERED if attempt.number == self.answer_on else Outcome.BUSY
        return AttemptOutcome.of(kind, self.duration)


def outcomes(d: Dispatcher) -> list[tuple[str, object, object]]:
    return [(f"{r['messageId']}:{r['attempt']}", r.get("outcome"), r.get("end"))
            for r in d.log()]


def test_attempts_are_placed_at_their_wakeups(tmp_path: Path) -> None:
    vt = VirtualTime(T0)
    calls = Calls(vt, duration=10 * S, answer_on=2)
    with Dispatcher.create(journal(tmp_path), campaign(3, per_minute=1, retry=(2, 2, 2)),
                           now=T0, seed=7) as d:
        vt.run(run(d, calls, clock=vt.clock, sleep=vt.sleep))
        assert d.finished
        assert [o for _, o, _ in outcomes(d)] == ["busy"] * 3 + ["answered"] * 3
    # By hand: first attempts at 0, 60, 120 s (one a minute); each is busy for 10 s and
    # retried 2 min after its end (130, 190, 250 s), where it is answered.
    assert calls.started == [("m0:1", 0 * S), ("m1:1", 60 * S), ("m2:1", 120 * S),
                             ("m0:2", 130 * S), ("m1:2", 190 * S), ("m2:2", 250 * S)]


def test_without_polling_the_runner_sleeps_exactly_until_each_wakeup(tmp_path: Path) -> None:
    vt = VirtualTime(T0)
    calls = Calls(vt, duration=5 * S)
    with Dispatcher.create(journal(tmp_path), campaign(3, per_minute=1), now=T0, seed=7) as d:
        vt.run(run(d, calls, clock=vt.clock, sleep=vt.sleep, poll=None))
        assert d.finished
    # At 0 s: sleep 60 s to the next wake-up, woken at 5 s by the first call's return; then
    # 55 s to the second first attempt; the same for the third, whose return ends the run.
    assert vt.sleeps == [60 * S, 55 * S, 60 * S, 55 * S]
    assert [at for _, at in calls.started] == [0 * S, 60 * S, 120 * S]


def test_polling_rereads_the_journal_every_second_at_most(tmp_path: Path) -> None:
    vt = VirtualTime(T0)
    calls = Calls(vt, duration=2 * S)
    with Dispatcher.create(journal(tmp_path), campaign(2, per_minute=2), now=T0, seed=7) as d:
        vt.run(run(d, calls, clock=vt.clock, sleep=vt.sleep))
    assert max(vt.sleeps) == S
    assert [at for _, at in calls.started] == [0 * S, 30 * S]


def test_a_pause_from_another_process_is_seen_and_resumed(tmp_path: Path) -> None:
    path = journal(tmp_path)
    vt = VirtualTime(T0)
    calls = Calls(vt, duration=S)
    with Dispatcher.create(path, campaign(2, per_minute=6), now=T0, seed=7) as d:
        async def other_terminal() -> None:
            # Another connection to the journal, as `ivrsched pause` from another terminal.
            await vt.wait(5 * S)
            with Dispatcher.open(path) as other:
                other.pause(T0 + 5 * S)
            await vt.wait(95 * S)
            with Dispatcher.open(path) as other:
                other.resume(T0 + 100 * S)

        async def both() -> None:
            await asyncio.gather(run(d, calls, clock=vt.clock, sleep=vt.sleep),
                                 other_terminal())

        vt.run(both())
        assert d.finished
    # m1 was planned 10 s after m0; 5 s of open time had passed at the pause, so it goes out
    # 5 s of open time after the resume (S13: paused time is closed time).
    assert calls.started == [("m0:1", 0 * S), ("m1:1", 105 * S)]


def test_in_doubt_attempts_are_placed_first_under_their_keys(tmp_path: Path) -> None:
    path = journal(tmp_path)
    with Dispatcher.create(path, campaign(1), now=T0, seed=7) as d:
        assert [a.key for a in d.due(T0)] == ["m0:1"]
    # A crash: the attempt was handed out, no outcome recorded. Later the campaign is reopened.
    vt = VirtualTime(T0 + 50 * S)
    calls = Calls(vt, duration=3 * S)
    with Dispatcher.open(path) as d:
        vt.run(run(d, calls, clock=vt.clock, sleep=vt.sleep))
        # Its outcome is measured from the attempt's own time, not from the asking again.
        assert outcomes(d) == [("m0:1", "answered", "2030-01-01T00:00:03.000+00:00")]
    assert calls.started == [("m0:1", 50 * S)]


def test_cancelling_the_runner_leaves_the_calls_in_flight_in_doubt(tmp_path: Path) -> None:
    path = journal(tmp_path)
    vt = VirtualTime(T0)
    calls = Calls(vt, duration=60 * S)
    with Dispatcher.create(path, campaign(3), now=T0, seed=7) as d:
        async def cancel_soon() -> None:
            task = asyncio.ensure_future(run(d, calls, clock=vt.clock, sleep=vt.sleep))
            await vt.wait(5 * S)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        vt.run(cancel_soon())
    assert sorted(calls.cancelled) == ["m0:1", "m1:1", "m2:1"]
    with Dispatcher.open(path) as d:
        assert [a.key for a in d.in_doubt()] == ["m0:1", "m1:1", "m2:1"]
        assert [o for _, o, _ in outcomes(d)] == [None, None, None]


def test_a_failing_place_call_propagates_and_stops_the_others(tmp_path: Path) -> None:
    vt = VirtualTime(T0)
    slow = Calls(vt, duration=60 * S)

    async def place(attempt: Attempt) -> AttemptOutcome:
        if attempt.key == "m1:1":
            raise RuntimeError("no line")
        return await slow(attempt)

    with Dispatcher.create(journal(tmp_path), campaign(2), now=T0, seed=7) as d:
        with pytest.raises(RuntimeError, match="no line"):
            vt.run(run(d, place, clock=vt.clock, sleep=vt.sleep))
        assert [a.key for a in d.in_doubt()] == ["m0:1", "m1:1"]
    assert slow.cancelled == ["m0:1"]


def test_a_placed_result_carries_its_own_end_and_answer(tmp_path: Path) -> None:
    vt = VirtualTime(T0)
    seen: list[Placed] = []

    async def place(attempt: Attempt) -> Placed:
        return Placed(Outcome.ANSWERED, attempt.time + 42 * S, attempt.time + 2 * S)

    with Dispatcher.create(journal(tmp_path), campaign(1), now=T0, seed=7) as d:
        vt.run(run(d, place, clock=vt.clock, sleep=vt.sleep,
                   on_recorded=lambda a, p: seen.append(p)))
        assert outcomes(d) == [("m0:1", "answered", "2030-01-01T00:00:42.000+00:00")]
    assert seen == [Placed(Outcome.ANSWERED, T0 + 42 * S, T0 + 2 * S)]


def test_placed_after_measures_from_the_attempt() -> None:
    attempt = Attempt("x:1", "x", "41793026700", 1, T0, 0, 0)
    outcome = AttemptOutcome.of(Outcome.ANSWERED, 30 * S, 4 * S)
    assert Placed.after(attempt, outcome) == Placed(Outcome.ANSWERED, T0 + 30 * S, T0 + 4 * S)
    busy = AttemptOutcome.of(Outcome.BUSY, 7 * S)
    assert Placed.after(attempt, busy) == Placed(Outcome.BUSY, T0 + 7 * S, None)


# -- the runner with the real dispatcher -----------------------------------------------------

class SimulatedCalls:
    """A place_call whose calls last, in virtual time, what ``source`` says (as simulate asks
    it), noting when each call started and the most in progress at once."""

    def __init__(self, vt: VirtualTime, source: OutcomeSource) -> None:
        self.vt, self.source = vt, source
        self.started: list[tuple[Attempt, datetime]] = []
        self.running = 0
        self.peak = 0

    async def __call__(self, attempt: Attempt) -> AttemptOutcome:
        self.started.append((attempt, self.vt.now))
        self.running += 1
        self.peak = max(self.peak, self.running)
        schedule = DestinationSchedule(attempt.message, attempt.index, Destination(attempt.to),
                                       attempt.message_id, ())
        outcome = self.source.outcome(schedule, attempt.number)
        try:
            await self.vt.wait(timedelta(microseconds=outcome.duration_us))
        finally:
            self.running -= 1
        return outcome


outcome_models = st.builds(
    lambda answer, busy, seed, ring: Random(answer, busy, seed=seed,
                                            ring_timeout=timedelta(seconds=ring)),
    st.sampled_from([0, Fraction(1, 3)]), st.sampled_from([0, Fraction(1, 5)]),
    st.integers(0, 99), st.integers(0, 600))


@settings(max_examples=25, deadline=None)
@given(requests(max_messages=2, max_destinations=6, windows=None, rejected=True,
                message_ids=True), outcome_models)
def test_run_in_virtual_time_gives_the_simulation_log(tmp_path_factory: pytest.TempPathFactory,
                                                      request: dict[str, Any],
                                                      source: Random) -> None:
    # One engine (S14): the runner, its calls lasting what the outcomes say, places each
    # attempt when it is due and yields exactly the log of simulate with those outcomes.
    expected = [e.record() for e in
                simulate(plan(request, now=DEFAULT_NOW, ids=SeededIds(7)), source).events()]
    vt = VirtualTime(DEFAULT_NOW)
    calls = SimulatedCalls(vt, source)
    path = journal(tmp_path_factory.getbasetemp())
    with Dispatcher.create(path, request, now=DEFAULT_NOW, seed=7) as d:
        vt.run(run(d, calls, clock=vt.clock, sleep=vt.sleep, poll=None))
        assert d.finished
        assert list(d.log()) == expected
    # Each call was placed at the instant it was handed out.
    assert all(attempt.time == at for attempt, at in calls.started)


def test_run_respects_max_in_progress_with_the_real_dispatcher(tmp_path: Path) -> None:
    request = campaign(7, per_minute=6, retry=(1, 2, 2))
    vt = VirtualTime(DEFAULT_NOW)
    # Every call is busy for 45 s: with pacing every 10 s, five would overlap without a cap.
    calls = SimulatedCalls(vt, Constant(AttemptOutcome.of(Outcome.BUSY, 45 * S)))
    with Dispatcher.create(journal(tmp_path), request, now=DEFAULT_NOW, seed=7,
                           max_in_progress=2) as d:
        vt.run(run(d, calls, clock=vt.clock, sleep=vt.sleep, poll=None))
        assert d.finished
        log = list(d.log())
    assert calls.peak == 2
    assert len(log) == 21  # 7 destinations x 3 attempts, all busy
    # By hand: two calls at a time, 45 s each; m0 and m1 start at 0 and 10 s; m2 waits for
    # m0's end at 45 s, m3 for m1's at 55 s.
    firsts = [(a.key, at - DEFAULT_NOW) for a, at in calls.started][:4]
    assert firsts == [("m0:1", 0 * S), ("m1:1", 10 * S), ("m2:1", 45 * S), ("m3:1", 55 * S)]
    violations = verify(request, log, now=DEFAULT_NOW, ids=SeededIds(7))
    assert violations == [], [v.sentence for v in violations]


@pytest.mark.parametrize("operation", ["cancel", "reschedule", "resume"])
def test_an_operation_from_another_process_is_seen_within_a_second(
        tmp_path: Path, operation: str) -> None:
    # The runner waits for a wake-up far ahead (or none, paused); another connection changes
    # the lifecycle at 100 s. The runner must act on it within a second of (virtual) time.
    path = journal(tmp_path)
    request = campaign(3, per_minute=1)
    if operation == "reschedule":
        request["messages"][0]["sendAt"] = (T0 + timedelta(hours=1)).isoformat()
    vt = VirtualTime(T0)
    calls = Calls(vt, duration=S)
    ended: list[timedelta] = []
    with Dispatcher.create(path, request, now=T0, seed=7) as d:
        if operation == "resume":
            d.pause(T0)

        async def other_terminal() -> None:
            await vt.wait(100 * S)
            with Dispatcher.open(path) as other:
                if operation == "cancel":
                    other.cancel(T0 + 100 * S)
                elif operation == "reschedule":
                    other.reschedule(T0 + 100 * S, T0 + 100 * S)
                else:
                    other.resume(T0 + 100 * S)

        async def dispatching() -> None:
            await run(d, calls, clock=vt.clock, sleep=vt.sleep)
            ended.append(vt.now - T0)

        async def both() -> None:
            await asyncio.gather(dispatching(), other_terminal())

        vt.run(both())
        assert d.finished
    if operation == "cancel":
        # m0 and m1 went out at 0 s and 60 s; m2 would at 120 s: the cancel ends the run first.
        assert [key for key, _ in calls.started] == ["m0:1", "m1:1"]
        assert 100 * S <= ended[0] <= 101 * S
    else:
        # Nothing went out before the operation; the first call within a second after it.
        first = calls.started[0]
        assert first[0] == "m0:1" and 100 * S <= first[1] <= 101 * S
