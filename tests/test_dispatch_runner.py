"""The asyncio runner under a virtual clock: it places attempts at their wake-ups, several at
once up to the cap, records their outcomes, and leaves the journal consistent when cancelled."""

from __future__ import annotations

import asyncio
import heapq
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from ivrsched.dispatch.runner import Placed, run
from ivrsched.simulation.outcomes import AttemptOutcome, Outcome
from tests.virtual_time import VirtualTime

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
S = timedelta(seconds=1)


@dataclass(frozen=True)
class FakeAttempt:
    key: str
    number: int
    time: datetime


class FakeDispatcher:
    """Destination i first at T0 + i·gap; a failed attempt is retried ``retry`` after its end,
    ``tries`` attempts at most; at most ``cap`` attempts without an outcome."""

    def __init__(self, n: int, gap: timedelta, retry: timedelta, tries: int,
                 cap: int | None = None) -> None:
        self.pending = [(T0 + i * gap, i, 1) for i in range(n)]
        heapq.heapify(self.pending)
        self.n, self.retry, self.tries, self.cap = n, retry, tries, cap
        self.open: dict[str, tuple[int, int, datetime]] = {}
        self.final: set[int] = set()
        self.recorded: list[tuple[str, str, datetime]] = []
        self.doubt: list[FakeAttempt] = []
        self.paused = False
        self.refreshes = 0

    def due(self, now: datetime) -> list[FakeAttempt]:
        out = []
        while (not self.paused and self.pending and self.pending[0][0] <= now
               and (self.cap is None or len(self.open) < self.cap)):
            _, i, number = heapq.heappop(self.pending)
            attempt = FakeAttempt(f"m{i}:{number}", number, now)
            self.open[attempt.key] = (i, number, now)
            out.append(attempt)
        return out

    def next_wakeup(self) -> datetime | None:
        return None if self.paused or not self.pending else self.pending[0][0]

    def in_doubt(self) -> list[FakeAttempt]:
        return list(self.doubt)

    def record(self, key: str, outcome: str, end: datetime,
               answered_at: datetime | None = None) -> None:
        i, number, start = self.open.pop(key)
        assert end >= start
        self.recorded.append((key, outcome, end))
        if outcome != "answered" and number < self.tries:
            heapq.heappush(self.pending, (end + self.retry, i, number + 1))
        else:
            self.final.add(i)

    def refresh(self) -> None:
        self.refreshes += 1

    @property
    def finished(self) -> bool:
        return len(self.final) == self.n


class Calls:
    """A place_call that lasts ``duration`` of virtual time and answers the ``answer_on``-th
    attempt; it notes when each call started and how many ran at once."""

    def __init__(self, vt: VirtualTime, duration: timedelta, answer_on: int) -> None:
        self.vt, self.duration, self.answer_on = vt, duration, answer_on
        self.started: list[tuple[str, datetime]] = []
        self.running = 0
        self.peak = 0
        self.cancelled: list[str] = []

    async def __call__(self, attempt: FakeAttempt) -> AttemptOutcome:
        self.started.append((attempt.key, self.vt.now))
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


def test_attempts_are_placed_at_their_wakeups() -> None:
    vt = VirtualTime(T0)
    d = FakeDispatcher(n=3, gap=60 * S, retry=120 * S, tries=3)
    calls = Calls(vt, duration=10 * S, answer_on=2)
    vt.run(run(d, calls, clock=vt.clock, sleep=vt.sleep))
    # By hand: first attempts at 0, 60, 120 s; each is busy for 10 s and retried 120 s after
    # its end (130, 190, 250 s), where it is answered.
    expected = [("m0:1", 0), ("m1:1", 60), ("m2:1", 120), ("m0:2", 130), ("m1:2", 190),
                ("m2:2", 250)]
    assert calls.started == [(key, T0 + s * S) for key, s in expected]
    assert d.finished
    assert [(k, o) for k, o, _ in d.recorded] == [
        ("m0:1", "busy"), ("m1:1", "busy"), ("m2:1", "busy"), ("m0:2", "answered"),
        ("m1:2", "answered"), ("m2:2", "answered")]
    assert d.recorded[0][2] == T0 + 10 * S


def test_the_cap_is_respected_and_filled() -> None:
    vt = VirtualTime(T0)
    d = FakeDispatcher(n=6, gap=timedelta(0), retry=S, tries=1, cap=2)
    calls = Calls(vt, duration=10 * S, answer_on=1)
    vt.run(run(d, calls, clock=vt.clock, sleep=vt.sleep))
    # Two at a time, each 10 s: starts at 0, 0, 10, 10, 20, 20 s.
    assert [t for _, t in calls.started] == [T0 + s * S for s in (0, 0, 10, 10, 20, 20)]
    assert calls.peak == 2
    assert d.finished


def test_without_polling_the_runner_sleeps_exactly_until_each_wakeup() -> None:
    vt = VirtualTime(T0)
    d = FakeDispatcher(n=3, gap=300 * S, retry=S, tries=1)
    calls = Calls(vt, duration=5 * S, answer_on=1)
    vt.run(run(d, calls, clock=vt.clock, sleep=vt.sleep, poll=None))
    # At 0 s: sleep 300 s to the next wake-up, woken at 5 s by the first call's return; then
    # 295 s to the second first attempt; the same for the third.
    assert vt.sleeps == [300 * S, 295 * S, 300 * S, 295 * S]
    assert d.refreshes == 0


def test_polling_rereads_the_journal_every_second_at_most() -> None:
    vt = VirtualTime(T0)
    d = FakeDispatcher(n=2, gap=30 * S, retry=S, tries=1)
    calls = Calls(vt, duration=2 * S, answer_on=1)
    vt.run(run(d, calls, clock=vt.clock, sleep=vt.sleep))
    assert max(vt.sleeps) == S
    assert d.refreshes >= 30
    assert [t for _, t in calls.started] == [T0, T0 + 30 * S]


def test_a_paused_campaign_waits_for_resume() -> None:
    vt = VirtualTime(T0)
    d = FakeDispatcher(n=2, gap=10 * S, retry=S, tries=1)
    d.paused = True
    calls = Calls(vt, duration=S, answer_on=1)

    async def resume_later() -> None:
        await vt.wait(100 * S)
        d.paused = False

    async def both() -> None:
        await asyncio.gather(run(d, calls, clock=vt.clock, sleep=vt.sleep), resume_later())

    vt.run(both())
    # Both attempts were due while paused; after the resume at 100 s the runner sees it at its
    # next poll (within a second) and places them.
    assert [k for k, _ in calls.started] == ["m0:1", "m1:1"]
    assert all(T0 + 100 * S <= t <= T0 + 101 * S for _, t in calls.started)


def test_in_doubt_attempts_are_placed_first_under_their_keys() -> None:
    vt = VirtualTime(T0)
    d = FakeDispatcher(n=1, gap=S, retry=S, tries=1)
    heapq.heappop(d.pending)
    doubtful = FakeAttempt("m0:1", 1, T0 - 50 * S)
    d.open[doubtful.key] = (0, 1, doubtful.time)
    d.doubt = [doubtful]
    calls = Calls(vt, duration=3 * S, answer_on=1)
    vt.run(run(d, calls, clock=vt.clock, sleep=vt.sleep))
    assert calls.started == [("m0:1", T0)]
    # Its outcome is measured from the attempt's own time, not from the re-asking.
    assert d.recorded == [("m0:1", "answered", T0 - 47 * S)]


def test_cancelling_the_runner_leaves_calls_in_flight_unrecorded() -> None:
    vt = VirtualTime(T0)
    d = FakeDispatcher(n=3, gap=timedelta(0), retry=S, tries=1)
    calls = Calls(vt, duration=60 * S, answer_on=1)

    async def cancel_soon() -> None:
        task = asyncio.ensure_future(run(d, calls, clock=vt.clock, sleep=vt.sleep))
        await vt.wait(5 * S)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    vt.run(cancel_soon())
    assert sorted(calls.cancelled) == ["m0:1", "m1:1", "m2:1"]
    assert d.recorded == []
    assert sorted(d.open) == ["m0:1", "m1:1", "m2:1"]


def test_a_failing_place_call_propagates_and_stops_the_others() -> None:
    vt = VirtualTime(T0)
    d = FakeDispatcher(n=2, gap=timedelta(0), retry=S, tries=1)
    slow = Calls(vt, duration=60 * S, answer_on=1)

    async def place(attempt: FakeAttempt) -> AttemptOutcome:
        if attempt.key == "m1:1":
            raise RuntimeError("no line")
        return await slow(attempt)

    with pytest.raises(RuntimeError, match="no line"):
        vt.run(run(d, place, clock=vt.clock, sleep=vt.sleep))
    assert slow.cancelled == ["m0:1"]
    assert d.recorded == []


def test_a_placed_result_carries_its_own_end_and_answer() -> None:
    vt = VirtualTime(T0)
    d = FakeDispatcher(n=1, gap=S, retry=S, tries=1)
    seen: list[Placed] = []

    async def place(attempt: FakeAttempt) -> Placed:
        return Placed(Outcome.ANSWERED, attempt.time + 42 * S, attempt.time + 2 * S)

    vt.run(run(d, place, clock=vt.clock, sleep=vt.sleep,
               on_recorded=lambda a, p: seen.append(p)))
    assert d.recorded == [("m0:1", "answered", T0 + 42 * S)]
    assert seen == [Placed(Outcome.ANSWERED, T0 + 42 * S, T0 + 2 * S)]


def test_placed_after_measures_from_the_attempt() -> None:
    attempt = FakeAttempt("x:1", 1, T0)
    outcome = AttemptOutcome.of(Outcome.ANSWERED, 30 * S, 4 * S)
    assert Placed.after(attempt, outcome) == Placed(Outcome.ANSWERED, T0 + 30 * S, T0 + 4 * S)
    busy = AttemptOutcome.of(Outcome.BUSY, 7 * S)
    assert Placed.after(attempt, busy) == Placed(Outcome.BUSY, T0 + 7 * S, None)
