"""Simulation (SPEC S5, S10): worked examples by hand and properties against a reference."""

from __future__ import annotations

import copy
import itertools
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ivrsched import SeededIds, parse_request, plan, simulate
from ivrsched.planning.planner import DestinationSchedule
from ivrsched.request.status import Status
from ivrsched.rules.instants import US_PER_MINUTE, US_PER_SECOND, parse_instant, to_us
from ivrsched.simulation.engine import AttemptEvent, DestinationResult, Ending, Tally
from ivrsched.simulation.outcomes import AttemptOutcome, Constant, Outcome, OutcomeTable, Random
from tests.strategies import requests

NOW = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)
T0 = to_us(NOW)
S = US_PER_SECOND
MIN = US_PER_MINUTE
NO_ANSWER_45 = AttemptOutcome(Outcome.NO_ANSWER, 45 * S)
RETRY_1_5_4 = {"minPeriod": 1, "maxPeriod": 5, "maxCount": 4}


def request(n: int = 1, **fields: Any) -> dict[str, Any]:
    destinations = [{"to": f"4179302{6700 + i:04d}"} for i in range(n)]
    return {"messages": [{"scenarioId": "S", "destinations": destinations, **fields}]}


def run(data: dict[str, Any], outcomes: Any) -> tuple[list[AttemptEvent],
                                                       list[DestinationResult]]:
    records = list(simulate(plan(data, now=NOW, ids=SeededIds(1)), outcomes).records())
    return ([r for r in records if isinstance(r, AttemptEvent)],
            [r for r in records if isinstance(r, DestinationResult)])


def test_all_answered_makes_one_attempt_each_and_all_are_delivered() -> None:
    answered = AttemptOutcome(Outcome.ANSWERED, 30 * S, 5 * S)
    events, results = run(request(4, retry=RETRY_1_5_4), Constant(answered))
    assert [(e.index, e.attempt, e.start_us - T0, e.end_us - T0) for e in events] == [
        (i, 1, 0, 30 * S) for i in range(4)]
    assert [r.status for r in results] == [Status.DELIVERED_TO_HANDSET] * 4
    assert all(r.ending is Ending.ANSWERED and r.attempts == 1 for r in results)


def test_no_answer_under_a_ten_minute_validity_expires_after_three_attempts() -> None:
    # Ring timeout 45 s, retry (1,5,4): gaps 1, 2, 5, 5 min, each counted from the attempt's end.
    #   attempt 1: 0:00 → 0:45
    #   attempt 2: 0:45 + 1 min = 1:45 → 2:30
    #   attempt 3: 2:30 + 2 min = 4:30 → 5:15
    #   attempt 4 would be 5:15 + 5 min = 10:15, not before the 10:00 deadline → EXPIRED.
    events, results = run(request(1, validityPeriod=10, retry=RETRY_1_5_4),
                          Constant(NO_ANSWER_45))
    assert [(e.start_us - T0, e.end_us - T0) for e in events] == [
        (0, 45 * S), (105 * S, 150 * S), (270 * S, 315 * S)]
    (result,) = results
    assert result.status is Status.EXPIRED_EXPIRED and result.ending is Ending.DEADLINE
    assert result.attempts == 3 and result.at_us - T0 == 315 * S


def test_the_same_without_a_deadline_makes_five_attempts_and_is_undeliverable() -> None:
    # sendingSpeed lifts the deadline (S4). From the example above: attempt 4 at 10:15 → 11:00,
    # attempt 5 at 11:00 + 5 min = 16:00 → 16:45; maxCount 4 retries are used up.
    events, results = run(request(1, validityPeriod=10, retry=RETRY_1_5_4,
                                  sendingSpeed={"speed": 1, "timeUnit": "second"}),
                          Constant(NO_ANSWER_45))
    assert [e.start_us - T0 for e in events] == [0, 105 * S, 270 * S, 615 * S, 960 * S]
    assert [e.attempt for e in events] == [1, 2, 3, 4, 5]
    (result,) = results
    assert result.status is Status.UNDELIVERABLE_NOT_DELIVERED
    assert result.ending is Ending.RETRIES_EXHAUSTED and result.at_us - T0 == 1005 * S


def test_without_retry_one_failed_attempt_is_final() -> None:
    busy = AttemptOutcome(Outcome.BUSY, 3 * S)
    events, results = run(request(1), Constant(busy))
    assert len(events) == 1 and results[0].status is Status.UNDELIVERABLE_NOT_DELIVERED


WEEK = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]


def test_a_retry_outside_the_window_moves_to_the_next_opening() -> None:
    # Window 09:00–10:30 UTC; NOW is Monday 09:00; retry 60 min twice; deadline +48 h.
    #   attempt 1: Mon 09:00:00 → 09:00:45; attempt 2: 09:00:45 + 60 min = 10:00:45 → 10:01:30
    #   attempt 3: 10:01:30 + 60 min = 11:01:30 is closed → Tue 09:00, before Wed 09:00.
    window = {"from": {"hour": 9, "minute": 0}, "to": {"hour": 10, "minute": 30}}
    retry = {"minPeriod": 60, "maxPeriod": 60, "maxCount": 2}
    events, results = run(request(1, retry=retry, deliveryTimeWindow={"days": WEEK, **window}),
                          Constant(NO_ANSWER_45))
    assert [e.start_us - T0 for e in events] == [0, 3645 * S, 24 * 60 * MIN]
    assert results[0].status is Status.UNDELIVERABLE_NOT_DELIVERED
    # Mondays only: the next opening is Monday 14th, after the deadline → EXPIRED after two.
    events, results = run(request(1, retry=retry,
                                  deliveryTimeWindow={"days": ["MONDAY"], **window}),
                          Constant(NO_ANSWER_45))
    assert len(events) == 2 and results[0].status is Status.EXPIRED_EXPIRED


def test_a_first_attempt_pushed_past_the_deadline_expires_without_a_call() -> None:
    # NOW is Monday 09:00, validity 60 min → deadline 10:00; the window opens Thursday only.
    window = {"days": ["THURSDAY"]}
    events, results = run(request(1, validityPeriod=60, deliveryTimeWindow=window),
                          Constant(NO_ANSWER_45))
    assert events == []
    (result,) = results
    assert (result.status, result.ending, result.attempts) == (
        Status.EXPIRED_EXPIRED, Ending.DEADLINE, 0)
    assert result.at_us == T0 + 60 * MIN and result.last is None


def test_plan_failure_delay_is_not_added_to_realised_retries() -> None:
    # The real duration (45 s) replaces the plan's estimate: the retry is at 0:45 + 1 min.
    data = request(1, retry={"minPeriod": 1, "maxPeriod": 1, "maxCount": 1})
    the_plan = plan(data, now=NOW, failure_delay=timedelta(seconds=30))
    events = list(simulate(the_plan, Constant(NO_ANSWER_45)).events())
    assert [e.start_us - T0 for e in events] == [0, 105 * S]


def test_rejected_destinations_keep_their_status_and_make_no_attempt() -> None:
    data = {"messages": [{"scenarioId": "S", "destinations": [
        {"to": "41793026700"}, {"to": "not a number"}, {}]}]}
    events, results = run(data, Constant(NO_ANSWER_45))
    assert [e.index for e in events] == [0]
    by_index = {r.index: r for r in results}
    assert by_index[1].status is Status.REJECTED_INVALID_DESTINATION
    assert by_index[2].status is Status.MISSING_TO
    assert by_index[1].attempts == 0 and by_index[1].last is None
    assert by_index[1].ending is Ending.REJECTED and by_index[1].at_us == T0


def test_log_is_in_start_order_with_ties_by_message_then_index() -> None:
    # Message 0 paced 1 per minute: first attempts at 0, 1, 2 min. Message 1 unpaced: all at 0.
    # Every attempt is busy for 30 s with retry (1,1,1): retries at 1:30, 2:30, 3:30 and 1:30.
    data = {"messages": [
        {"scenarioId": "A", "sendingSpeed": {"speed": 1, "timeUnit": "minute"},
         "retry": {"minPeriod": 1, "maxPeriod": 1, "maxCount": 1},
         "destinations": [{"to": "41793026700"}, {"to": "41793026701"}, {"to": "41793026702"}]},
        {"scenarioId": "B", "retry": {"minPeriod": 1, "maxPeriod": 1, "maxCount": 1},
         "destinations": [{"to": "41793026703"}, {"to": "41793026704"}]}]}
    events, _ = run(data, Constant(AttemptOutcome(Outcome.BUSY, 30 * S)))
    assert [((e.start_us - T0) // S, e.message, e.index, e.attempt) for e in events] == [
        (0, 0, 0, 1), (0, 1, 0, 1), (0, 1, 1, 1),
        (60, 0, 1, 1),
        (90, 0, 0, 2), (90, 1, 0, 2), (90, 1, 1, 2),
        (120, 0, 2, 1),
        (150, 0, 1, 2),
        (210, 0, 2, 2)]


class ByIndex:
    """Outcomes scripted per destination index (every attempt alike)."""

    def __init__(self, outcomes: dict[int, AttemptOutcome]) -> None:
        self.outcomes = outcomes

    def outcome(self, destination: DestinationSchedule, attempt: int) -> AttemptOutcome:
        return self.outcomes[destination.index]


def test_peak_concurrency_by_hand() -> None:
    # Six per minute: first attempts at 0, 10, 20, 30 s, answered, lasting 25, 5, 15, 1 s:
    # calls [0,25) [10,15) [20,35) [30,31). At 10 s two calls; at 20 s [10,15) has ended, so
    # two again; at 30 s [0,25) has ended: two. Peak 2, first reached at 10 s.
    durations = {0: 25, 1: 5, 2: 15, 3: 1}
    source = ByIndex({i: AttemptOutcome(Outcome.ANSWERED, d * S) for i, d in durations.items()})
    the_plan = plan(request(4, sendingSpeed={"speed": 6, "timeUnit": "minute"}), now=NOW)
    summary = simulate(the_plan, source).summary()
    assert (summary.peak, summary.peak_at_us) == (2, T0 + 10 * S)
    assert (summary.destinations, summary.delivered, summary.attempts) == (4, 4, 4)


def test_a_call_ending_when_another_starts_does_not_overlap_it() -> None:
    # Calls [0,10) and [10,20): never two at once; a zero-length call is never in progress.
    source = ByIndex({0: AttemptOutcome(Outcome.ANSWERED, 10 * S),
                      1: AttemptOutcome(Outcome.ANSWERED, 10 * S),
                      2: AttemptOutcome(Outcome.FAILED, 0)})
    the_plan = plan(request(3, sendingSpeed={"speed": 6, "timeUnit": "minute"}), now=NOW)
    summary = simulate(the_plan, source).summary()
    assert (summary.peak, summary.peak_at_us) == (1, T0)


def test_summary_counts_each_final_group() -> None:
    data = {"messages": [
        {"scenarioId": "A", "validityPeriod": 1, "retry": {"minPeriod": 1, "maxPeriod": 1,
                                                          "maxCount": 1},
         "destinations": [{"to": "41793026700"}, {"to": "41793026701"}, {"to": "bad"}]},
        {"scenarioId": "B", "destinations": [{"to": "41793026702"}]}]}
    # Message A: 45 s no-answer, retry at 1:45 ≥ the 1:00 deadline → EXPIRED (both).
    # Message B: one attempt, no retry → UNDELIVERABLE. "bad" is REJECTED.
    summary = simulate(plan(data, now=NOW), Constant(NO_ANSWER_45)).summary()
    assert (summary.destinations, summary.delivered, summary.expired, summary.undeliverable,
            summary.rejected, summary.attempts) == (4, 0, 2, 1, 1, 3)


def test_simulation_streams_instead_of_computing_everything_first() -> None:
    calls: list[int] = []

    class Counting:
        def outcome(self, destination: DestinationSchedule, attempt: int) -> AttemptOutcome:
            calls.append(destination.index)
            return NO_ANSWER_45

    the_plan = plan(request(2000), now=NOW)
    first = list(itertools.islice(simulate(the_plan, Counting()).events(), 5))
    assert [e.index for e in first] == [0, 1, 2, 3, 4]
    assert calls == [0, 1, 2, 3, 4]


def test_tally_equals_summary_of_a_fresh_pass() -> None:
    sim = simulate(plan(request(5, retry=RETRY_1_5_4), now=NOW), Random(seed=3))
    tally = Tally()
    for record in sim.records():
        tally.add(record)
    assert tally.summary() == sim.summary()
    assert sum(1 for _ in sim.results()) == 5
    assert list(sim) == list(sim.events())


# -- properties -------------------------------------------------------------------------------

LADDER = [1, 2, 5, 10, 20, 30, 60, 120, 240, 480, 960, 1440]
UNIT_US = {"second": S, "minute": MIN, "hour": 60 * MIN, "day": 1440 * MIN}


def reference_gaps(retry: dict[str, int] | None) -> list[int]:
    """S5 from the text, independently of ivrsched.rules.retry: snap up the ladder, climb, cap."""
    if retry is None:
        return []
    low = next((r for r in LADDER if r >= retry["minPeriod"]), 1440)
    high = next((r for r in LADDER if r >= retry["maxPeriod"]), 1440)
    gaps, gap = [], low
    for _ in range(min(retry["maxCount"], 4)):
        gaps.append(gap * MIN)
        gap = min(LADDER[min(LADDER.index(gap) + 1, len(LADDER) - 1)], high)
    return gaps


def reference_start(message: dict[str, Any]) -> int:
    send_at = message.get("sendAt")
    return T0 if send_at is None else max(T0, parse_instant(send_at)[0])


def reference_deadline(message: dict[str, Any]) -> int | None:
    if "sendingSpeed" in message:
        return None
    return reference_start(message) + min(message.get("validityPeriod", 2880), 2880) * MIN


KINDS = st.sampled_from(list(Outcome))


@st.composite
def simulated(draw: st.DrawFn) -> tuple[dict[str, Any], Any, list[Any]]:
    """A random request, a random outcome table by messageId and attempt, and the simulation's
    records."""
    data = draw(requests(max_messages=2, max_destinations=15))
    the_plan = plan(data, now=NOW, ids=SeededIds(draw(st.integers(0, 9))))
    entries = {}
    for schedule in the_plan:
        for attempt in range(1, 6):
            kind = draw(KINDS)
            duration = draw(st.integers(0, 20 * MIN))
            entries[(schedule.message_id, attempt)] = AttemptOutcome(
                kind, duration, draw(st.integers(0, duration)) if kind is Outcome.ANSWERED
                else None)
    table = OutcomeTable(by_message_id=entries)
    return data, the_plan, list(simulate(the_plan, table).records())


@given(simulated())
def test_every_destination_ends_in_exactly_one_final_status(case: Any) -> None:
    data, _, records = case
    results = [r for r in records if isinstance(r, DestinationResult)]
    expected = {(m, i) for m, message in enumerate(data["messages"])
                for i in range(len(message["destinations"]))}
    assert sorted((r.message, r.index) for r in results) == sorted(expected)
    assert all(r.status.is_final for r in results)


@given(simulated())
def test_attempts_follow_s5_and_never_reach_the_deadline(case: Any) -> None:
    data, _, records = case
    events = [r for r in records if isinstance(r, AttemptEvent)]
    results = {(r.message, r.index): r for r in records if isinstance(r, DestinationResult)}
    keys = [(e.start_us, e.message, e.index, e.attempt) for e in events]
    assert keys == sorted(keys)
    for (m, i), group in itertools.groupby(sorted(events, key=lambda e: (e.message, e.index)),
                                           key=lambda e: (e.message, e.index)):
        attempts = list(group)
        message = data["messages"][m]
        gaps = reference_gaps(message.get("retry"))
        deadline = reference_deadline(message)
        assert len(attempts) <= 1 + len(gaps)
        assert [a.attempt for a in attempts] == list(range(1, len(attempts) + 1))
        speed = message.get("sendingSpeed")
        offset = 0 if speed is None else i * UNIT_US[speed["timeUnit"]] // speed["speed"]
        assert attempts[0].start_us == reference_start(message) + offset
        for previous, current in itertools.pairwise(attempts):
            assert previous.outcome.kind is not Outcome.ANSWERED
            # No delivery window here: each retry is exactly previous end + g_k.
            assert current.start_us == previous.end_us + gaps[previous.attempt - 1]
        assert all(deadline is None or a.start_us < deadline for a in attempts)
        last, result = attempts[-1], results[(m, i)]
        assert result.attempts == len(attempts) and result.last == last
        if last.outcome.kind is Outcome.ANSWERED:
            assert result.status is Status.DELIVERED_TO_HANDSET
        elif len(attempts) == 1 + len(gaps):
            assert result.status is Status.UNDELIVERABLE_NOT_DELIVERED
        else:
            assert deadline is not None and last.end_us + gaps[last.attempt - 1] >= deadline
            assert result.status is Status.EXPIRED_EXPIRED


def log_text(data: dict[str, Any], seed: int) -> str:
    the_plan = plan(data, now=NOW, ids=SeededIds(seed))
    return "".join(json.dumps(e.record()) + "\n"
                   for e in simulate(the_plan, Random(seed=seed)).events())


@given(requests(max_messages=2, max_destinations=10), st.integers(0, 2**32))
def test_the_same_seed_gives_the_same_log(data: dict[str, Any], seed: int) -> None:
    first = log_text(data, seed)
    assert first == log_text(copy.deepcopy(data), seed)
    # Every accepted destination makes at least one attempt (no deadline is shorter than a
    # minute, and first attempts are before it): the log is not trivially empty.
    assert first.count("\n") >= parse_request(data).messages[0].accepted_count


@given(requests(max_messages=2, max_destinations=10), st.integers(0, 2**32), st.randoms())
def test_random_outcomes_do_not_depend_on_the_order_of_questions(
        data: dict[str, Any], seed: int, rnd: Any) -> None:
    the_plan = plan(data, now=NOW, ids=SeededIds(0))
    model = Random(seed=seed)
    questions = [(s, k) for s in the_plan for k in range(1, 4)]
    forward = {(s.message, s.index, k): model.outcome(s, k) for s, k in questions}
    rnd.shuffle(questions)
    again = Random(seed=seed)
    assert {(s.message, s.index, k): again.outcome(s, k) for s, k in questions} == forward
