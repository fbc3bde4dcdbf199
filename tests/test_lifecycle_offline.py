"""Lifecycle operations given in advance (S13 offline): plan, simulate, forecast and verify
under timed events, the event file and ``--events``, and the same log as a live dispatcher."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivrsched import plan, simulate, verify
from ivrsched.dispatch import Dispatcher
from ivrsched.dispatch.dispatcher import drive
from ivrsched.forecasting.load import forecast
from ivrsched.ids import SeededIds
from ivrsched.io.events import EventFileError, parse_events
from ivrsched.planning.planner import DestinationSchedule
from ivrsched.request.model import Destination
from ivrsched.request.status import Status
from ivrsched.rules.instants import to_us
from ivrsched.rules.lifecycle import LifecycleError, LifecycleEvent, Operation
from ivrsched.simulation.engine import Ending
from ivrsched.simulation.outcomes import AttemptOutcome, Random
from ivrsched.testing import DEFAULT_NOW, requests

ROOT = Path(__file__).resolve().parent.parent
UTC = timezone.utc
NOW = datetime(2030, 1, 1, 11, 0, tzinfo=UTC)


def at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2030, 1, 1, hour, minute, second, tzinfo=UTC)


def paced(n: int = 8, **extra: Any) -> dict[str, Any]:
    """n destinations at 10 per hour from 12:00 UTC, no retries unless given."""
    message = {"scenarioId": "S", "sendAt": "2030-01-01T12:00:00Z",
               "destinations": [{"to": f"4179302670{i}", "messageId": f"m{i}"}
                                for i in range(n)],
               "sendingSpeed": {"speed": 10, "timeUnit": "hour"}, **extra}
    return {"messages": [message]}


def firsts(the_plan: Any) -> list[str]:
    return [s.rendered_attempts()[0] if s.attempts_us else "-" for s in the_plan.messages[0]]


# -- plan under events: hand-checked ------------------------------------------------------------

def test_a_pause_is_closed_time_for_pacing() -> None:
    # 10/hour: a slot every 6 open minutes. Open 12:00-12:20 holds slots 0-3 (12:00, 12:06,
    # 12:12, 12:18); slot 4 is due 24 open minutes in: 20 before the pause + 4 after the
    # resume at 13:00 -> 13:04, then every 6 minutes.
    events = [LifecycleEvent.of("pause", at(12, 20)), LifecycleEvent.of("resume", at(13, 0))]
    the_plan = plan(paced(), now=NOW, events=events)
    assert firsts(the_plan) == [f"2030-01-01T{t}:00.000+00:00" for t in (
        "12:00", "12:06", "12:12", "12:18", "13:04", "13:10", "13:16", "13:22")]
    assert the_plan.lifecycle is not None and the_plan.lifecycle.closed == (
        (to_us(at(12, 20)), to_us(at(13, 0))),)


def test_a_retry_due_inside_a_pause_waits_for_the_resume() -> None:
    # Destination 3: first attempt 12:18; retries 1 and 2 minutes after the previous start
    # (failure delay 0): 12:19, then 12:21 - inside the pause from 12:20 -> the resume, 13:00.
    request = paced(4, retry={"minPeriod": 1, "maxPeriod": 2, "maxCount": 2})
    events = [LifecycleEvent.of("pause", at(12, 20)), LifecycleEvent.of("resume", at(13, 0))]
    schedule = plan(request, now=NOW, events=events).messages[0][3]
    assert schedule.rendered_attempts() == ["2030-01-01T12:18:00.000+00:00",
                                            "2030-01-01T12:19:00.000+00:00",
                                            "2030-01-01T13:00:00.000+00:00"]


def test_a_reschedule_moves_the_start_and_the_deadline() -> None:
    # Unpaced, validity 60 minutes: the deadline counts from the new start, 15:00 -> 16:00.
    request = {"messages": [{"scenarioId": "S", "sendAt": "2030-01-01T12:00:00Z",
                             "validityPeriod": 60, "destinations": [{"to": "41793026700"}]}]}
    events = [LifecycleEvent.of("reschedule", at(11, 30), at(15, 0))]
    message = plan(request, now=NOW, events=events).messages[0]
    assert message.start == at(15, 0) and message.deadline == at(16, 0)
    # sendAt before the reschedule's own instant: the start is the instant (max of the two).
    early = [LifecycleEvent.of("reschedule", at(11, 30), at(11, 10))]
    assert plan(request, now=NOW, events=early).messages[0].start == at(11, 30)


def test_a_cancel_cuts_every_message_and_simulate_ends_them_cancelled() -> None:
    # Slots 12:00, 12:06, 12:12, 12:18, 12:24, 12:30...; cancel at 12:24 -> slots 0-3 only.
    events = [LifecycleEvent.of("cancel", at(12, 24))]
    the_plan = plan(paced(6), now=NOW, events=events)
    assert firsts(the_plan) == ["2030-01-01T12:00:00.000+00:00", "2030-01-01T12:06:00.000+00:00",
                                "2030-01-01T12:12:00.000+00:00", "2030-01-01T12:18:00.000+00:00",
                                "-", "-"]
    results = sorted(simulate(the_plan, Random(1, 0, seed=1)).results(), key=lambda r: r.index)
    assert [r.ending for r in results[4:]] == [Ending.CANCELLED, Ending.CANCELLED]
    assert {r.status for r in results[4:]} == {Status.UNDELIVERABLE_NOT_DELIVERED}
    assert all(r.ending is Ending.ANSWERED for r in results[:4])


def test_events_s13_refuses_raise_and_name_the_event() -> None:
    with pytest.raises(LifecycleError) as raised:
        plan(paced(), now=NOW, events=[LifecycleEvent.of("pause", at(12, 20)),
                                       LifecycleEvent.of("reschedule", at(12, 30), at(15, 0))])
    assert raised.value.index == 1
    assert str(raised.value) == (
        "reschedule at 2030-01-01T12:30:00.000+00:00 to sendAt 2030-01-01T15:00:00.000+00:00: an "
        "attempt has already started; a request can only be rescheduled before its first attempt")


def test_without_events_the_plan_is_the_same() -> None:
    plain = plan(paced(), now=NOW, ids=SeededIds(1))
    empty = plan(paced(), now=NOW, ids=SeededIds(1), events=())
    assert plain == empty and plain.lifecycle is None
    assert [s.attempts_us for s in plain] == [s.attempts_us for s in empty]


def test_forecast_counts_the_attempts_of_the_plan_under_events() -> None:
    # Hourly buckets: 12:00-13:00 holds 12:00..12:18 (4); 13:00-14:00 holds 13:04..13:22 (4).
    events = [LifecycleEvent.of("pause", at(12, 20)), LifecycleEvent.of("resume", at(13, 0))]
    rows = forecast(plan(paced(), now=NOW, events=events)).rows
    assert [(row.start_us, row.first_attempts) for row in rows if row.first_attempts] == [
        (to_us(at(12, 0)), 4), (to_us(at(13, 0)), 4)]


# -- verify under events ------------------------------------------------------------------------

def test_verify_names_each_lifecycle_fault() -> None:
    events = [LifecycleEvent.of("pause", at(12, 20)), LifecycleEvent.of("resume", at(13, 0)),
              LifecycleEvent.of("cancel", at(13, 15))]
    log = [{"messageId": "m0", "attempt": 1, "time": "2030-01-01T12:00:00Z"},
           {"messageId": "m1", "attempt": 1, "time": "2030-01-01T12:30:00Z"},
           {"messageId": "m2", "attempt": 1, "time": "2030-01-01T13:20:00Z"}]
    sentences = [v.sentence for v in verify(paced(), log, now=NOW, events=events)]
    assert sentences == [
        "S13-lifecycle: message 0 destination 1 (to 41793026701, messageId m1): attempt 1 at "
        "2030-01-01T12:30:00.000+00:00 is inside the pause from 2030-01-01T12:20:00.000+00:00 "
        "(resumed at 2030-01-01T13:00:00.000+00:00) [log line 2]",
        "S13-lifecycle: message 0 destination 2 (to 41793026702, messageId m2): attempt 1 at "
        "2030-01-01T13:20:00.000+00:00 is at or after the cancel at "
        "2030-01-01T13:15:00.000+00:00 [log line 3]"]
    # Without the events the same log conforms (12:00, 12:30, 13:20 are 10/hour, no window).
    assert verify(paced(), log, now=NOW) == []


def test_verify_names_a_first_attempt_before_the_rescheduled_start() -> None:
    events = [LifecycleEvent.of("reschedule", at(11, 30), at(15, 0))]
    log = [{"messageId": "m0", "attempt": 1, "time": "2030-01-01T14:59:59.999Z"},
           {"messageId": "m1", "attempt": 1, "time": "2030-01-01T15:06:00Z"}]
    violations = verify(paced(), log, now=NOW, events=events)
    assert [(v.rule, v.message_id) for v in violations] == [("S13-lifecycle", "m0")]
    assert violations[0].detail == (
        "first attempt at 2030-01-01T14:59:59.999+00:00 is before the start "
        "2030-01-01T15:00:00.000+00:00 set by the reschedule at 2030-01-01T11:30:00.000+00:00")


# -- the event file -----------------------------------------------------------------------------

def test_an_event_file_reads_every_operation() -> None:
    lines = ['{"op": "reschedule", "at": "2030-01-01T11:30:00Z", "sendAt": "2030-01-01T15:00Z"}',
             "", '{"op": "pause", "at": "2030-01-01T15:20:00+01:00"}',
             '{"op": "resume", "at": "2030-01-01T16:00:00.5Z"}',
             '{"op": "cancel", "at": "2030-01-01T17:00:00Z"}']
    assert parse_events(lines) == (
        LifecycleEvent(Operation.RESCHEDULE, to_us(at(11, 30)), to_us(at(15, 0))),
        LifecycleEvent(Operation.PAUSE, to_us(at(14, 20))),
        LifecycleEvent(Operation.RESUME, to_us(at(16, 0)) + 500_000),
        LifecycleEvent(Operation.CANCEL, to_us(at(17, 0))))


def test_an_event_file_reports_every_faulty_line_at_once() -> None:
    lines = ['{"op": "paws", "at": "2030-01-01T12:00:00Z"}', "not json", "[1]",
             '{"op": "pause", "at": "2030-01-01T12:00:00Z", "sendAt": "2030-01-01T12:00:00Z"}',
             '{"op": "reschedule", "at": "2030-01-01T12:00:00Z"}',
             '{"op": "cancel", "at": 5, "extra": 1}',
             '{"op": "pause", "at": "2030-01-01T12:00:00Z"}']
    with pytest.raises(EventFileError) as raised:
        parse_events(lines, "ev.jsonl")
    faults = raised.value.faults
    assert [line for line, _ in faults] == [1, 2, 3, 4, 5, 6]
    assert faults[0][1] == "'op' must be one of pause, resume, reschedule, cancel (got 'paws')"
    assert faults[2][1] == "each line must be a JSON object"
    assert faults[3][1] == "'sendAt' is only for a reschedule, not a pause"
    assert faults[4][1].startswith("'sendAt' must be an ISO 8601 instant")
    assert faults[5][1] == ("unknown member(s) 'extra'; 'at' must be an ISO 8601 instant with an "
                            "offset (an integer, not a string)")
    assert str(raised.value).splitlines()[0].startswith("ev.jsonl:1: ")
    assert len(str(raised.value).splitlines()) == 6


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ivrsched", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120, check=False)


def test_the_command_line_takes_events(tmp_path: Path) -> None:
    base = ["examples/campaign-25.json", "--now", "2016-07-07T12:00:00Z", "--seed", "1"]
    plain = cli("plan", *base, "--format", "jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    assert cli("plan", *base, "--format", "jsonl", "--events", str(empty)).stdout == plain.stdout
    paused = cli("plan", *base, "--format", "jsonl", "--events", "examples/events-pause.jsonl")
    assert paused.returncode == 0, paused.stderr
    rows = [json.loads(line) for line in paused.stdout.splitlines()]
    # 10/hour from 17:00 +01:00, paused 17:20-18:00 +01:00: the fifth slot is at 18:04.
    assert [r["attempts"][0][11:16] for r in rows[:6]] == [
        "17:00", "17:06", "17:12", "17:18", "18:04", "18:10"]
    refused = tmp_path / "refused.jsonl"
    refused.write_text('{"op": "resume", "at": "2016-07-07T16:00:00Z"}\n')
    result = cli("simulate", *base, "--events", str(refused))
    assert result.returncode == 6 and "Traceback" not in result.stderr
    assert result.stderr == ("ivrsched: --events: operation 1: resume at "
                             "2016-07-07T16:00:00.000+00:00: the request is not paused\n")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"op": "pause"}\n')
    result = cli("forecast", *base, "--events", str(broken))
    assert result.returncode == 4 and result.stderr.startswith(f"ivrsched: {broken}:1: ")


def test_verify_on_the_command_line_with_events(tmp_path: Path) -> None:
    request = tmp_path / "r.json"
    request.write_text(json.dumps(paced()))
    log = tmp_path / "log.jsonl"
    log.write_text('{"messageId": "m1", "attempt": 1, "time": "2030-01-01T12:30:00Z"}\n')
    events = tmp_path / "ev.jsonl"
    events.write_text('{"op": "pause", "at": "2030-01-01T12:20:00Z"}\n'
                      '{"op": "resume", "at": "2030-01-01T13:00:00Z"}\n')
    args = ["verify", str(request), str(log), "--now", "2030-01-01T11:00:00Z"]
    assert cli(*args).returncode == 0
    result = cli(*args, "--events", str(events))
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("S13-lifecycle: message 0 destination 1 ")


# -- one engine: offline under events = a dispatcher given the same events ----------------------

@st.composite
def event_lists(draw: st.DrawFn) -> list[LifecycleEvent]:
    """Allowed operations after DEFAULT_NOW: maybe a reschedule at once, pauses and resumes
    in turn (the last one resumed), maybe a cancel."""
    base = to_us(DEFAULT_NOW)
    events: list[LifecycleEvent] = []
    if draw(st.booleans()):
        moved = base + draw(st.integers(0, 3 * 3600)) * 1_000_000
        events.append(LifecycleEvent(Operation.RESCHEDULE, base, moved))
    cuts = sorted(draw(st.lists(st.integers(1, 6 * 3600 * 1000), min_size=0, max_size=6,
                                unique=True)))
    cuts = cuts[: len(cuts) // 2 * 2]
    for k, ms in enumerate(cuts):
        op = Operation.PAUSE if k % 2 == 0 else Operation.RESUME
        events.append(LifecycleEvent(op, base + ms * 1000))
    if draw(st.booleans()):
        last = events[-1].at_us if events else base
        events.append(LifecycleEvent(Operation.CANCEL,
                                     last + draw(st.integers(0, 3 * 3600)) * 1_000_000))
    return events


def place_with(source: Random) -> Any:
    def place(attempt: Any) -> AttemptOutcome:
        schedule = DestinationSchedule(attempt.message, attempt.index,
                                       Destination(attempt.to), attempt.message_id, ())
        return source.outcome(schedule, attempt.number)
    return place


@settings(max_examples=40)
@given(requests(max_messages=2, max_destinations=6, windows=None, message_ids=True),
       event_lists(), st.integers(0, 99), st.sampled_from([0, 0.5]))
def test_a_dispatcher_given_the_same_events_logs_what_simulate_computes(
        new_journal: Callable[[], Path], request: dict[str, Any], events: list[LifecycleEvent],
        seed: int,
        answer: float) -> None:
    source = Random(answer, 0.2, seed=seed, ring_timeout=timedelta(seconds=30))
    try:
        the_plan = plan(request, now=DEFAULT_NOW, ids=SeededIds(7), events=events)
    except LifecycleError:
        # Refused offline (a reschedule after a first attempt at once): refused live too.
        with Dispatcher.create(new_journal(), request,
                               now=DEFAULT_NOW, seed=7) as d, pytest.raises(LifecycleError):
            drive(d, place_with(source), events)
        return
    simulation = simulate(the_plan, source)
    expected = [e.record() for e in simulation.events()]
    with Dispatcher.create(new_journal(), request, now=DEFAULT_NOW,
                           seed=7) as d:
        drive(d, place_with(source), events)
        log = list(d.log())
    assert log == expected
    # The log obeys the rules under the events (ends given, so retries are checked on them).
    assert verify(request, log, now=DEFAULT_NOW, ids=SeededIds(7), events=events) == []


def test_the_numpy_kernel_cuts_the_columns_at_a_cancel() -> None:
    pytest.importorskip("numpy")
    from ivrsched.rules.vector import attempt_columns

    # Slots every 6 minutes from 12:00, retries 1 and 2 minutes after each start; cancel at
    # 12:13: slot 0 has 12:00, 12:01, 12:03; slot 1 12:06, 12:07, 12:09; slot 2 12:12 only (its
    # retry at 12:13 is at the cancel); slot 3 (12:18) nothing.
    request = paced(4, retry={"minPeriod": 1, "maxPeriod": 2, "maxCount": 2})
    message = plan(request, now=NOW, events=[LifecycleEvent.of("cancel", at(12, 13))]).messages[0]
    columns = [list(map(int, c)) for c in attempt_columns(message.timeline, range(4))]
    minute = 60_000_000
    noon = to_us(at(12, 0))
    assert columns == [[noon, noon + 6 * minute, noon + 12 * minute],
                       [noon + minute, noon + 7 * minute], [noon + 3 * minute, noon + 9 * minute]]
    assert [list(s.attempts_us) for s in message] == [
        [noon, noon + minute, noon + 3 * minute], [noon + 6 * minute, noon + 7 * minute,
                                                   noon + 9 * minute], [noon + 12 * minute], []]


def test_delivery_reports_of_cancelled_destinations_say_so() -> None:
    from ivrsched.simulation.reports import report_result

    request = paced(6, retry={"minPeriod": 1, "maxPeriod": 1, "maxCount": 1})
    the_plan = plan(request, now=NOW, ids=SeededIds(1),
                    events=[LifecycleEvent.of("cancel", at(12, 0, 30))])
    # Every attempt busy (5 s): destination 0's first attempt at 12:00 ends 12:00:05, its
    # retry would be a minute later, after the cancel; the others (12:06 on) never start.
    simulation = simulate(the_plan, Random(0, 1, seed=1))
    results = sorted(simulation.results(), key=lambda r: r.index)
    errors = [report_result(the_plan, r)["error"] for r in results[:2]]
    assert errors == [
        {"name": "BUSY", "description": "Attempt 1 ended busy; then the request was cancelled.",
         "permanent": False},
        {"name": "NO_ATTEMPT", "description": "No attempt was allowed before the request was "
         "cancelled.", "permanent": False}]
