"""The live dispatcher under a calling policy (SPEC S14, S15): one engine with ``simulate``.

Driven at its wake-ups, the dispatcher's log is exactly ``simulate``'s under the same policy,
lifecycle events and outcomes; reopening the journal at any point (the engine is rebuilt by
replaying the journal's steps) changes nothing; a caller who is late still gets only attempts
the policy allows (checked by ``verify --policy``, and here against zoneinfo directly).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_lifecycle_offline import event_lists, place_with

from ivrsched import plan, simulate, verify
from ivrsched.dispatch import Dispatcher, DispatchError, JournalError
from ivrsched.dispatch.dispatcher import drive
from ivrsched.errors import RequestError
from ivrsched.ids import SeededIds
from ivrsched.policy import parse_policy
from ivrsched.rules.instants import from_us, to_us
from ivrsched.rules.lifecycle import LifecycleError, LifecycleEvent, Operation
from ivrsched.simulation.outcomes import AttemptOutcome, Outcome, Random
from ivrsched.testing import DEFAULT_NOW, calling_policies, policy_requests

WEEKDAYS_8_TO_21 = {"callingHours": {"zone": "recipient",
                                     "days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY",
                                              "FRIDAY"],
                                     "from": {"hour": 8, "minute": 0},
                                     "to": {"hour": 21, "minute": 0}}}


def _results(dispatcher: Dispatcher) -> list[tuple[Any, ...]]:
    return sorted((r.message, r.index, r.to, r.message_id, r.status, r.ending, r.at_us,
                   r.attempts, r.first_start_us) for r in dispatcher.results())


def _expected_results(simulation: Any) -> list[tuple[Any, ...]]:
    return sorted((r.message, r.index, r.to, r.message_id, r.status, r.ending, r.at_us,
                   r.attempts, r.first_start_us) for r in simulation.results())


# -- one engine: the dispatcher logs what simulate computes ------------------------------------

@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(policy_requests(max_messages=2, max_destinations=5), calling_policies(min_from=240),
       event_lists(), st.integers(0, 99), st.sampled_from([0, 0.5]), st.booleans())
def test_driven_at_its_wake_ups_the_dispatcher_logs_what_simulate_computes(
        new_journal: Callable[[], Path], request: dict[str, Any], policy: dict[str, Any],
        events: list[LifecycleEvent], seed: int, answer: float, reopen: bool) -> None:
    source = Random(answer, 0.2, seed=seed, ring_timeout=timedelta(seconds=30))
    parsed = parse_policy(policy)
    try:
        the_plan = plan(request, now=DEFAULT_NOW, ids=SeededIds(7), events=events,
                        policy=parsed)
    except LifecycleError:
        return  # refused offline; the lifecycle's own tests cover refusals live
    simulation = simulate(the_plan, source)
    expected = [e.record() for e in simulation.events()]
    path = new_journal()
    with Dispatcher.create(path, request, now=DEFAULT_NOW, seed=7, policy=policy) as d:
        if reopen:
            _drive_reopening(path, d, place_with(source), events)
        else:
            drive(d, place_with(source), events)
    with Dispatcher.open(path) as d:
        assert list(d.log()) == expected
        assert _results(d) == _expected_results(simulation)
        assert d.finished
        log = list(d.log())
    assert verify(request, log, now=DEFAULT_NOW, ids=SeededIds(7), events=events,
                  policy=policy) == []


def _drive_reopening(path: Path, first: Dispatcher, place: Any,
                     events: list[LifecycleEvent]) -> None:
    """``drive``, with the journal closed and opened again before every wake-up (so the
    engine is rebuilt from the journal's steps each time)."""
    pending = list(events)
    first.close()
    for _ in range(10_000):
        with Dispatcher.open(path) as d:
            wake = d.next_wakeup()
            wake_us = None if wake is None else to_us(wake)
            if pending and (wake_us is None or pending[0].at_us <= wake_us):
                event = pending.pop(0)
                if event.op is Operation.RESCHEDULE:
                    assert event.send_at_us is not None
                    d.reschedule(from_us(event.at_us), from_us(event.send_at_us))
                else:
                    {Operation.PAUSE: d.pause, Operation.RESUME: d.resume,
                     Operation.CANCEL: d.cancel}[event.op](from_us(event.at_us))
                continue
            if wake is None:
                return
            attempts = d.due(wake)
        with Dispatcher.open(path) as d:
            for attempt in attempts:
                outcome = place(attempt)
                start = to_us(attempt.time)
                answered = outcome.answer_after_us
                d.record(attempt.key, outcome.kind, from_us(start + outcome.duration_us),
                         None if answered is None else from_us(start + answered))
    raise AssertionError("the dispatcher did not finish")


# -- calls in flight, a late caller -------------------------------------------------------

def _run_in_flight(d: Dispatcher, place: Any, delays: list[int]) -> list[str]:
    """Calls in flight end in (virtual) time and are recorded once the caller's clock reaches
    their end; the caller comes back ``delays`` seconds after each wake-up (then on time).
    Returns the keys handed out."""
    keys: list[str] = []
    in_flight: list[tuple[datetime, Any, AttemptOutcome]] = []
    for delay in itertools.chain(delays, itertools.repeat(0, 10_000)):
        wake = d.next_wakeup()
        instants = [t for t in [wake, *(end for end, _, _ in in_flight)] if t is not None]
        if not instants:
            return keys
        now = max(min(instants) + timedelta(seconds=delay), d.clock)
        for end, attempt, outcome in sorted((c for c in in_flight if c[0] <= now),
                                            key=lambda c: c[0]):
            answered = outcome.answer_after_us
            d.record(attempt.key, outcome.kind, end,
                     None if answered is None else attempt.time + timedelta(
                         microseconds=answered))
        in_flight = [c for c in in_flight if c[0] > now]
        for attempt in d.due(now):
            keys.append(attempt.key)
            outcome = place(attempt)
            in_flight.append((attempt.time + timedelta(microseconds=outcome.duration_us),
                              attempt, outcome))
    raise AssertionError("the dispatcher did not finish")


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(policy_requests(max_messages=2, max_destinations=5), calling_policies(min_from=240),
       st.integers(0, 99))
def test_calls_in_flight_recorded_as_they_end_give_simulates_log(
        new_journal: Callable[[], Path],
        request: dict[str, Any], policy: dict[str, Any], seed: int) -> None:
    source = Random(0.3, 0.2, seed=seed, ring_timeout=timedelta(seconds=30))
    simulation = simulate(plan(request, now=DEFAULT_NOW, ids=SeededIds(7),
                               policy=parse_policy(policy)), source)
    with Dispatcher.create(new_journal(), request, now=DEFAULT_NOW, seed=7,
                           policy=policy) as d:
        _run_in_flight(d, place_with(source), [])
        assert list(d.log()) == [e.record() for e in simulation.events()]
        assert _results(d) == _expected_results(simulation)


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(policy_requests(max_messages=2, max_destinations=5), calling_policies(min_from=240),
       st.lists(st.integers(0, 6 * 3600), min_size=1, max_size=40), st.integers(0, 99),
       st.sampled_from([None, 1, 2]))
def test_a_late_caller_gets_only_attempts_the_policy_allows(
        new_journal: Callable[[], Path], request: dict[str, Any], policy: dict[str, Any],
        delays: list[int], seed: int, max_in_progress: int | None) -> None:
    source = Random(0.3, 0.2, seed=seed, ring_timeout=timedelta(seconds=30))
    with Dispatcher.create(new_journal(), request, now=DEFAULT_NOW, seed=7,
                           policy=policy, max_in_progress=max_in_progress) as d:
        keys = _run_in_flight(d, place_with(source), delays)
        assert d.finished
        log = list(d.log())
        results = list(d.results())
    # No key handed out twice; every destination accounted for exactly once.
    assert len(keys) == len(set(keys)) == len(log)
    named = [(r.message, r.index) for r in results]
    everyone = [(m, i) for m, message in enumerate(request["messages"])
                for i in range(len(message["destinations"]))]
    assert sorted(named) == everyone
    assert verify(request, log, now=DEFAULT_NOW, ids=SeededIds(7), policy=policy) == []
    if max_in_progress is not None:
        _assert_never_more_in_progress(log, max_in_progress)


def _assert_never_more_in_progress(log: list[dict[str, Any]], cap: int) -> None:
    """At no instant were more than ``cap`` attempts started and not ended."""
    spans = [(datetime.fromisoformat(r["time"]), datetime.fromisoformat(r["end"]))
             for r in log]
    for start, _ in spans:
        running = sum(1 for s, e in spans if s <= start < e)
        assert running <= cap


# -- worked examples by hand ---------------------------------------------------------------

NEW_YORK = "12125550100"   # America/New_York
DENVER = "13035550100"     # America/Denver


def _request(*numbers: str, speed: int | None = None, unit: str = "hour",
             retry: dict[str, int] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"from": "41793026727", "scenarioId": "S",
                               "destinations": [{"to": n, "messageId": f"d{i}"}
                                                for i, n in enumerate(numbers)]}
    if speed is not None:
        message["sendingSpeed"] = {"speed": speed, "timeUnit": unit}
    if retry is not None:
        message["retry"] = retry
    return {"messages": [message]}


def _fail(attempt: Any) -> AttemptOutcome:
    return AttemptOutcome(Outcome.NO_ANSWER, 30_000_000)


def test_calls_wait_for_the_recipients_local_hours(tmp_path: Path) -> None:
    # Submitted Tuesday 2030-01-08 12:00 UTC = 07:00 in New York (EST), 05:00 in Denver (MST).
    # Unpaced: New York opens 08:00 EST = 13:00 UTC; Denver 08:00 MST = 15:00 UTC.
    now = datetime(2030, 1, 8, 12, tzinfo=timezone.utc)
    with Dispatcher.create(tmp_path / "j.db", _request(NEW_YORK, DENVER), now=now,
                           policy=WEEKDAYS_8_TO_21) as d:
        assert d.due(now) == []
        assert d.next_wakeup() == datetime(2030, 1, 8, 13, tzinfo=timezone.utc)
        first = d.due(datetime(2030, 1, 8, 13, tzinfo=timezone.utc))
        assert [a.to for a in first] == [NEW_YORK]
        d.record(first[0].key, "answered", datetime(2030, 1, 8, 13, 1, tzinfo=timezone.utc))
        assert d.next_wakeup() == datetime(2030, 1, 8, 15, tzinfo=timezone.utc)
        second = d.due(datetime(2030, 1, 8, 15, tzinfo=timezone.utc))
        assert [a.to for a in second] == [DENVER]


def test_a_late_caller_after_the_local_hours_waits_for_the_next_day(tmp_path: Path) -> None:
    # A New York number due 13:00 UTC on Tuesday; the caller comes back only at 02:30 UTC on
    # Wednesday = 21:30 EST Tuesday: closed; the next opening is Wednesday 08:00 EST (13:00
    # UTC), where the attempt is handed out — not at 02:30.
    now = datetime(2030, 1, 8, 12, tzinfo=timezone.utc)
    with Dispatcher.create(tmp_path / "j.db", _request(NEW_YORK), now=now,
                           policy=WEEKDAYS_8_TO_21) as d:
        assert d.due(datetime(2030, 1, 9, 2, 30, tzinfo=timezone.utc)) == []
        assert d.next_wakeup() == datetime(2030, 1, 9, 13, tzinfo=timezone.utc)
        handed = d.due(datetime(2030, 1, 9, 13, tzinfo=timezone.utc))
        assert [(a.to, a.time) for a in handed] == [
            (NEW_YORK, datetime(2030, 1, 9, 13, tzinfo=timezone.utc))]


def test_the_frequency_cap_holds_across_retries_live(tmp_path: Path) -> None:
    # One number, retries 1 min apart (maxCount 3), cap 2 attempts per 60 minutes: attempts at
    # 13:00 and 13:01:30 (+1 min after the 30 s call); the third waits for 14:00 (the first
    # attempt + 60 min), the fourth for 14:01:30.
    now = datetime(2030, 1, 8, 13, tzinfo=timezone.utc)
    policy = {**WEEKDAYS_8_TO_21, "frequencyCap": {"maxAttempts": 2, "periodMinutes": 60}}
    with Dispatcher.create(tmp_path / "j.db",
                           _request(NEW_YORK, retry={"minPeriod": 1, "maxPeriod": 1,
                                                     "maxCount": 3}),
                           now=now, policy=policy) as d:
        drive(d, _fail)
        times = [row["time"] for row in d.log()]
    assert times == ["2030-01-08T13:00:00.000+00:00", "2030-01-08T13:01:30.000+00:00",
                     "2030-01-08T14:00:00.000+00:00", "2030-01-08T14:01:30.000+00:00"]


def test_an_open_pause_holds_every_call_and_the_resume_continues(tmp_path: Path) -> None:
    # Two New York numbers at 1 per hour from 13:00 UTC (08:00 EST). Paused at 13:30, resumed
    # at 15:10: pacing runs on open time, so the second slot (one open hour after the start)
    # is at 15:10 + 30 min = 15:40.
    now = datetime(2030, 1, 8, 13, tzinfo=timezone.utc)
    path = tmp_path / "j.db"
    with Dispatcher.create(path, _request(NEW_YORK, "12125550101", speed=1), now=now,
                           policy=WEEKDAYS_8_TO_21) as d:
        assert [a.index for a in d.due(now)] == [0]
        d.pause(datetime(2030, 1, 8, 13, 30, tzinfo=timezone.utc))
        assert d.next_wakeup() is None
        assert d.due(datetime(2030, 1, 8, 15, tzinfo=timezone.utc)) == []
    with Dispatcher.open(path) as d:   # the replay holds the pause too
        assert d.next_wakeup() is None
        d.resume(datetime(2030, 1, 8, 15, 10, tzinfo=timezone.utc))
        assert d.next_wakeup() == datetime(2030, 1, 8, 15, 40, tzinfo=timezone.utc)
        assert [a.index for a in d.due(datetime(2030, 1, 8, 15, 40, tzinfo=timezone.utc))] \
            == [1]


def test_a_cancel_ends_the_destinations_waiting(tmp_path: Path) -> None:
    # Neither number opens before the cancel at 12:30 UTC (New York opens 13:00 UTC): both
    # end cancelled as soon as the cancel is known, without a call.
    now = datetime(2030, 1, 8, 12, tzinfo=timezone.utc)
    with Dispatcher.create(tmp_path / "j.db", _request(NEW_YORK, DENVER), now=now,
                           policy=WEEKDAYS_8_TO_21) as d:
        assert not d.finished
        d.cancel(datetime(2030, 1, 8, 12, 30, tzinfo=timezone.utc))
        assert d.finished and d.next_wakeup() is None
        assert d.due(datetime(2030, 1, 8, 12, 30, tzinfo=timezone.utc)) == []
        assert {(r.to, r.ending.value) for r in d.results()} == {(NEW_YORK, "cancelled"),
                                                                 (DENVER, "cancelled")}


def test_a_number_without_a_zone_ends_at_once_without_a_call(tmp_path: Path) -> None:
    now = datetime(2030, 1, 8, 12, tzinfo=timezone.utc)
    with Dispatcher.create(tmp_path / "j.db", _request("4179302"), now=now,
                           policy=WEEKDAYS_8_TO_21) as d:
        assert d.finished
        [result] = list(d.results())
    assert (result.to, result.ending.value, result.status.group.name, result.attempts) == (
        "4179302", "no-zone", "EXPIRED", 0)


def test_the_local_reading_of_each_attempt(tmp_path: Path) -> None:
    # Independent of the engine: every attempt of a run is a weekday 08:00-21:00 in the
    # number's own zone, read with zoneinfo.
    now = datetime(2030, 3, 8, 20, tzinfo=timezone.utc)  # Friday; US DST starts Sunday
    numbers = (NEW_YORK, DENVER, "13105550100")  # the last: America/Los_Angeles
    zones = {NEW_YORK: "America/New_York", DENVER: "America/Denver",
             "13105550100": "America/Los_Angeles"}
    with Dispatcher.create(tmp_path / "j.db",
                           _request(*numbers, speed=2, retry={"minPeriod": 60, "maxPeriod": 240,
                                                              "maxCount": 3}),
                           now=now, policy=WEEKDAYS_8_TO_21) as d:
        drive(d, _fail)
        log = list(d.log())
    assert len(log) == 12
    for row in log:
        local = datetime.fromisoformat(row["time"]).astimezone(ZoneInfo(zones[row["to"]]))
        assert local.weekday() < 5 and 8 <= local.hour < 21, row


def test_bad_policies_are_refused_with_every_problem(tmp_path: Path) -> None:
    with pytest.raises(RequestError) as caught:
        Dispatcher.create(tmp_path / "j.db", _request(NEW_YORK), now=DEFAULT_NOW,
                          policy={"callingHours": {"zone": "Mars/Olympus"},
                                  "frequencyCap": {"maxAttempts": 0}})
    paths = {p.path for p in caught.value.errors}
    assert {"/callingHours/zone", "/frequencyCap/maxAttempts"} <= paths
    assert not (tmp_path / "j.db").exists()
    with pytest.raises(DispatchError, match="JSON text or a dict"):
        Dispatcher.create(tmp_path / "k.db", _request(NEW_YORK), now=DEFAULT_NOW,
                          policy=parse_policy(WEEKDAYS_8_TO_21))


def test_a_journal_that_does_not_replay_is_refused(tmp_path: Path) -> None:
    import sqlite3

    now = datetime(2030, 1, 8, 13, tzinfo=timezone.utc)
    path = tmp_path / "j.db"
    with Dispatcher.create(path, _request(NEW_YORK), now=now, policy=WEEKDAYS_8_TO_21) as d:
        assert len(d.due(now)) == 1
    db = sqlite3.connect(path)
    db.execute("UPDATE attempts SET time_us = time_us + 1")
    db.commit()
    db.close()
    with pytest.raises(JournalError, match="does not replay"):
        Dispatcher.open(path)


def test_the_journal_keeps_the_policy_as_given(tmp_path: Path) -> None:
    import sqlite3

    text = json.dumps(WEEKDAYS_8_TO_21, indent=1)
    with Dispatcher.create(tmp_path / "j.db", _request(NEW_YORK), now=DEFAULT_NOW,
                           policy=text):
        pass
    db = sqlite3.connect(tmp_path / "j.db")
    [(kept,)] = db.execute("SELECT value FROM meta WHERE key = 'policy'").fetchall()
    db.close()
    assert kept == text


def test_a_late_caller_still_gets_paced_calls_one_unit_apart(tmp_path: Path) -> None:
    # Three New York numbers at 1 per hour from 13:00 UTC; the caller first asks at 16:00.
    # The three slots planned 13:00, 14:00 and 15:00 are all past, but S3 holds over the
    # calls really placed: 16:00, then 17:00, then 18:00 — not three at 16:00.
    now = datetime(2030, 1, 8, 13, tzinfo=timezone.utc)
    request = _request(NEW_YORK, "12125550101", "12125550102", speed=1)
    with Dispatcher.create(tmp_path / "j.db", request, now=now,
                           policy=WEEKDAYS_8_TO_21) as d:
        placed = []
        clock = datetime(2030, 1, 8, 16, tzinfo=timezone.utc)
        for _ in range(10):
            for attempt in d.due(clock):
                placed.append((attempt.index, attempt.time.hour))
                d.record(attempt.key, "answered", attempt.time + timedelta(seconds=20))
            wake = d.next_wakeup()
            if wake is None:
                break
            clock = wake
    assert placed == [(0, 16), (1, 17), (2, 18)]
