"""Pacing, retries and the frequency cap under a calling policy (SPEC S15): the engine against
a brute-force reference (every slot scans every destination, the cap counts every attempt),
and the properties S15 promises."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from ivrsched.planning.planner import plan
from ivrsched.policy import CallingPolicy, parse_policy
from ivrsched.policy.calendar import CalendarBook
from ivrsched.policy.pacing import (
    Destinations,
    MessageRun,
    OutcomeFunction,
    PolicyAttempt,
    PolicyEnding,
    PolicyResult,
    run_policy,
)
from ivrsched.request.destinations import normalize_to
from ivrsched.rules.instants import US_PER_MINUTE
from ivrsched.testing import calling_policies, policy_requests

NOW = datetime(2030, 3, 8, 12, 0, tzinfo=timezone.utc)  # the US DST change is on 10 March


def outcome_of(seed: int) -> OutcomeFunction:
    """A deterministic outcome table: some attempts answered, durations of 0 to 3 minutes."""
    def outcome(message: int, index: int, attempt: int, start: int) -> tuple[bool, int]:
        mix = (message * 7 + index * 13 + attempt * 5 + seed) % 11
        return mix == 0, start + (mix % 4) * US_PER_MINUTE
    return outcome


def runs_of(request: dict[str, Any]) -> list[MessageRun]:
    the_plan = plan(request, now=NOW)
    return [MessageRun(m.message_index, m.timeline, m.message.destinations)
            for m in the_plan.messages]


# -- the reference -------------------------------------------------------------------------------

class ReferenceTooSlow(Exception):
    """The reference walks slot by slot; a campaign whose calendars open once a week may need
    more steps than a test can wait for. Such an example is discarded (not a failure: the
    reference could not decide it)."""


def reference(runs: list[MessageRun], policy: CallingPolicy,
              outcome: OutcomeFunction) -> tuple[list[PolicyAttempt], dict[tuple[int, int], Any]]:
    source = Destinations(policy, CalendarBook(policy))
    cap = policy.cap
    placed: dict[str, list[int]] = {}
    attempts: list[PolicyAttempt] = []
    results: dict[tuple[int, int], Any] = {}

    def cap_allows(number: str, at: int) -> bool:
        if cap is None:
            return True
        return sum(1 for t in placed.get(number, []) if at - cap.period_us < t <= at) \
            < cap.max_attempts

    def cap_frees(number: str, at: int) -> int:
        # Walk forward one recorded attempt at a time until the cap allows.
        while not cap_allows(number, at):
            assert cap is not None
            at = min(t + cap.period_us for t in placed[number] if t + cap.period_us > at)
        return at

    def finish(p: Any, ending: PolicyEnding) -> None:
        results[(p.message, p.index)] = (tuple(p.attempts), ending)

    # Every event: [time, message, phase (0 known, 1 slot), key, pending].
    events: list[list[Any]] = []
    waiting: dict[int, list[Any]] = {}
    slots: dict[int, int] = {}
    for run in runs:
        pendings = [source.pending(run, i, d) for i, d in enumerate(run.destinations)
                    if d.accepted]
        for p in pendings:
            p.attempts = []
        if run.timeline.pace is not None:
            waiting[run.message] = []
            for p in pendings:
                if p.calendar is None:
                    finish(p, PolicyEnding.NO_ZONE)
                else:
                    waiting[run.message].append(p)
            if waiting[run.message]:
                events.append([run.timeline.first_attempt_us(0), run.message, 1, 0, None])
                slots[run.message] = 0
            continue
        for p in pendings:
            schedule(events, p, run.timeline, run.timeline.start_us, finish)

    def attempt(p: Any, at: int, timeline: Any) -> None:
        placed.setdefault(p.number, []).append(at)
        p.attempts.append(at)
        answered, end = outcome(p.message, p.index, len(p.attempts), at)
        attempts.append(PolicyAttempt(p.message, p.index, len(p.attempts), at, end))
        if answered:
            finish(p, PolicyEnding.ANSWERED)
        elif len(p.attempts) > len(timeline.gaps_us):
            finish(p, PolicyEnding.RETRIES_EXHAUSTED)
        else:
            schedule(events, p, timeline, end + timeline.gaps_us[len(p.attempts) - 1], finish)

    timelines = {run.message: run.timeline for run in runs}
    last_taken = {run.message: run.timeline.start_us for run in runs}
    horizon_us = source.book.horizon_days * 86_400_000_000
    steps = 0
    while events:
        steps += 1
        if steps >= 200_000:
            raise ReferenceTooSlow
        event = min(events, key=lambda e: (e[0], e[1], e[2], e[3]))
        events.remove(event)
        at, message, phase, key, p = event
        timeline = timelines[message]
        if phase == 1:
            chosen = None
            for candidate in list(waiting[message]):
                if candidate.calendar.next_opening(at) is None:
                    waiting[message].remove(candidate)
                    finish(candidate, PolicyEnding.NEVER_OPEN)
                elif chosen is None and candidate.calendar.is_open(at) and \
                        cap_allows(candidate.number, at):
                    chosen = candidate
            if chosen is not None:
                waiting[message].remove(chosen)
                attempt(chosen, at, timeline)
                last_taken[message] = at
            elif waiting[message] and at - last_taken[message] > horizon_us:
                # No slot taken for longer than the calendars' horizon: the rest never open.
                for candidate in waiting.pop(message):
                    finish(candidate, PolicyEnding.NEVER_OPEN)
                waiting[message] = []
            if waiting[message]:
                events.append([timeline.first_attempt_us(key + 1), message, 1, key + 1, None])
            continue
        if not cap_allows(p.number, at):
            schedule(events, p, timeline, cap_frees(p.number, at), finish)
            continue
        attempt(p, at, timeline)
    return attempts, results


def schedule(events: list[list[Any]], p: Any, timeline: Any, earliest: int, finish: Any) -> None:
    if p.calendar is None:
        finish(p, PolicyEnding.NO_ZONE)
        return
    at = p.calendar.next_opening(earliest)
    if at is None:
        finish(p, PolicyEnding.DEADLINE if p.attempts else PolicyEnding.NEVER_OPEN)
    elif timeline.cut_us is not None and at >= timeline.cut_us:
        finish(p, PolicyEnding.DEADLINE)
    else:
        events.append([at, p.message, 0, p.index, p])


def engine(runs: list[MessageRun], policy: CallingPolicy,
           outcome: OutcomeFunction) -> tuple[list[PolicyAttempt], dict[tuple[int, int], Any]]:
    attempts: list[PolicyAttempt] = []
    results: dict[tuple[int, int], Any] = {}
    for record in run_policy(runs, policy, outcome):
        if isinstance(record, PolicyAttempt):
            attempts.append(record)
        else:
            assert isinstance(record, PolicyResult)
            key = (record.message, record.index)
            assert key not in results, "a destination ended twice"
            results[key] = (record.attempts, record.ending)
    return attempts, results


@given(policy_requests(), calling_policies(first_day="2030-03-08", days=10),
       st.integers(0, 10))
def test_the_engine_equals_the_brute_force_reference(request: Any, policy_json: Any,
                                                    seed: int) -> None:
    policy = parse_policy(policy_json)
    runs = runs_of(request)
    fast_attempts, fast_results = engine(runs, policy, outcome_of(seed))
    try:
        slow_attempts, slow_results = reference(runs_of(request), policy, outcome_of(seed))
    except ReferenceTooSlow:
        assume(False)
    assert sorted(fast_attempts, key=lambda a: (a.start_us, a.message, a.index)) == \
        sorted(slow_attempts, key=lambda a: (a.start_us, a.message, a.index))
    assert fast_results == slow_results


@given(policy_requests(), calling_policies(first_day="2030-03-08", days=10),
       st.integers(0, 10))
def test_what_s15_promises(request: Any, policy_json: Any, seed: int) -> None:
    policy = parse_policy(policy_json)
    runs = runs_of(request)
    attempts, results = engine(runs, policy, outcome_of(seed))
    # Every accepted destination is accounted for exactly once.
    accepted = {(run.message, i) for run in runs for i, d in enumerate(run.destinations)
                if d.accepted}
    assert set(results) == accepted
    book = CalendarBook(policy)
    by_number: dict[str, list[int]] = {}
    firsts: dict[int, list[int]] = {}
    for a in attempts:
        run = runs[a.message]
        destination = run.destinations[a.index]
        assert destination.to is not None
        choice = Destinations(policy, book).pending(run, a.index, destination).choice
        calendar = book.calendar(choice.zones, a.message, run.timeline.calendar)
        # Inside every candidate zone's hours, on no closed date, inside the window.
        assert calendar.is_open(a.start_us)
        assert run.timeline.calendar.next_open(a.start_us) == a.start_us
        deadline = run.timeline.cut_us
        assert deadline is None or a.start_us < deadline
        assert a.start_us >= run.timeline.start_us
        by_number.setdefault(normalize_to(destination.to), []).append(a.start_us)
        if a.attempt == 1:
            firsts.setdefault(a.message, []).append(a.start_us)
    if policy.cap is not None:
        m, period = policy.cap.max_attempts, policy.cap.period_us
        for times in by_number.values():
            times.sort()
            assert all(times[i + m] - times[i] >= period for i in range(len(times) - m))
    for message, times in firsts.items():
        pace = runs[message].timeline.pace
        if pace is None:
            continue
        times.sort()
        assert all(times[i + pace.speed] - times[i] >= pace.unit_us
                   for i in range(len(times) - pace.speed))
    for (message, _), (made, ending) in results.items():
        assert len(made) <= 1 + len(runs[message].timeline.gaps_us)
        if ending is PolicyEnding.ANSWERED or ending is PolicyEnding.RETRIES_EXHAUSTED:
            assert made


def test_without_a_zone_a_destination_is_not_called_and_expires() -> None:
    request = {"messages": [{"scenarioId": "S", "destinations": [{"to": "4179302"},
                                                                 {"to": "12125550100"}]}]}
    policy = parse_policy({"callingHours": {"from": {"hour": 8, "minute": 0},
                                            "to": {"hour": 21, "minute": 0}}})
    attempts, results = engine(runs_of(request), policy, outcome_of(1))
    assert results[(0, 0)] == ((), PolicyEnding.NO_ZONE)
    assert PolicyEnding.NO_ZONE.expired
    # 12:00Z on Friday 8 March is 07:00 EST in New York: the first attempt waits for 08:00.
    assert [a.start_us for a in attempts] == [_us("2030-03-08T13:00:00+00:00")]


def _us(text: str) -> int:
    return (datetime.fromisoformat(text) - datetime(1970, 1, 1, tzinfo=timezone.utc)) \
        // timedelta(microseconds=1)


def _paced(numbers: list[str], speed: int = 1) -> dict[str, Any]:
    return {"messages": [{"scenarioId": "S", "sendingSpeed": {"speed": speed,
                                                             "timeUnit": "hour"},
                          "destinations": [{"to": n} for n in numbers]}]}


def test_slots_go_to_the_earliest_destination_whose_zone_is_open() -> None:
    # Federal hours, paced one an hour from 12:00Z on Friday 8 March 2030 (EST/PST).
    policy = parse_policy({"callingHours": {"from": {"hour": 8, "minute": 0},
                                            "to": {"hour": 21, "minute": 0}}})
    los_angeles, new_york = "13105550100", "12125550100"
    attempts, _ = engine(runs_of(_paced([los_angeles, los_angeles, new_york])), policy,
                         outcome_of(1))
    starts = {(a.index): a.start_us for a in attempts}
    # 12:00Z: nobody (07:00 New York); 13:00Z: New York opens, index 2 takes it; Los Angeles
    # opens at 16:00Z (08:00 PST): index 0 then, index 1 at 17:00Z.
    assert starts == {2: _us("2030-03-08T13:00:00+00:00"), 0: _us("2030-03-08T16:00:00+00:00"),
                      1: _us("2030-03-08T17:00:00+00:00")}


def test_the_cap_counts_across_messages_and_moves_attempts() -> None:
    # One number in two unpaced messages with retries; at most 2 attempts per 60 minutes.
    number = "12125550100"
    message = {"scenarioId": "S", "retry": {"minPeriod": 10, "maxPeriod": 10, "maxCount": 2},
               "destinations": [{"to": number}]}
    request = {"messages": [message, dict(message)]}
    policy = parse_policy({"frequencyCap": {"maxAttempts": 2, "periodMinutes": 60}})
    attempts, results = engine(runs_of(request), policy, lambda m, i, n, t: (False, t))
    at = _us("2030-03-08T12:00:00+00:00")
    minute = US_PER_MINUTE
    # 12:00 both first attempts (message 0 then 1); their retries at 12:10 must wait for
    # 13:00 (the cap frees at 12:00 + 60 min), then 13:10 waits for 14:00, and so on.
    assert [(a.message, a.start_us - at) for a in attempts] == [
        (0, 0), (1, 0), (0, 60 * minute), (1, 60 * minute), (0, 120 * minute),
        (1, 120 * minute)]
    assert {r[1] for r in results.values()} == {PolicyEnding.RETRIES_EXHAUSTED}


def test_openings_that_miss_every_slot_end_never_open_within_the_horizon() -> None:
    # Paced three an hour from 12:00Z: slots at :00, :20 and :40, with no deadline (a paced
    # message has none). Calling hours 08:13-08:14 in New York (13:13Z in winter, 12:13Z in
    # summer) never hold a slot: after no slot taken for longer than the calendars' horizon
    # (400 days) the destination ends never-open, without an attempt — rather than the engine
    # offering slots until year 9999. Hours 08:10-08:30 do hold one: 13:20Z on the first day.
    new_york = "12125550100"
    narrow = parse_policy({"callingHours": {"from": {"hour": 8, "minute": 13},
                                            "to": {"hour": 8, "minute": 14}}})
    attempts, results = engine(runs_of(_paced([new_york], speed=3)), narrow, outcome_of(1))
    assert attempts == [] and results == {(0, 0): ((), PolicyEnding.NEVER_OPEN)}
    wider = parse_policy({"callingHours": {"from": {"hour": 8, "minute": 10},
                                           "to": {"hour": 8, "minute": 30}}})
    attempts, _ = engine(runs_of(_paced([new_york], speed=3)), wider, outcome_of(1))
    assert attempts[0].start_us == _us("2030-03-08T13:20:00+00:00")
