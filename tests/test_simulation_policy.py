"""simulate under a calling policy (SPEC S10, S15): what S15 promises holds on simulated runs
under random outcomes, checked against a reading of local time made here with zoneinfo;
worked examples by hand; ``simulate --policy``."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from ivrsched import plan, simulate
from ivrsched.policy import parse_policy
from ivrsched.policy.zones import choose_zones
from ivrsched.request.destinations import normalize_to
from ivrsched.request.status import Status
from ivrsched.rules.instants import US_PER_MINUTE, US_PER_SECOND, to_us
from ivrsched.simulation.engine import AttemptEvent, DestinationResult, Ending
from ivrsched.simulation.outcomes import AttemptOutcome, Constant, Outcome, Random
from ivrsched.testing import calling_policies, policy_requests, requests

NOW = datetime(2030, 3, 8, 12, 0, tzinfo=timezone.utc)  # US DST begins on Sunday 10 March
MIN = US_PER_MINUTE
WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
EXPIRING = {Ending.DEADLINE, Ending.NO_ZONE, Ending.NEVER_OPEN}


def _us(text: str) -> int:
    return to_us(datetime.fromisoformat(text))


def outcome_sources() -> st.SearchStrategy[Random]:
    return st.builds(lambda seed, answer: Random(answer, 0, seed=seed, failed_rate=0),
                     st.integers(0, 10**6), st.sampled_from(["0", "1/4", "1/2"]))


def _periods(policy_json: dict[str, Any]) -> list[dict[str, Any]] | None:
    block = policy_json.get("callingHours")
    if block is None:
        return None
    if "periods" in block:
        return list(block["periods"])
    return [{k: v for k, v in block.items() if k in ("days", "from", "to")}]


def _minutes(time: dict[str, int] | None, default: int) -> int:
    return default if time is None else time["hour"] * 60 + time["minute"]


def allowed_locally(policy_json: dict[str, Any], zone: str, at_us: int) -> bool:
    """Whether the policy document allows a call at ``at_us`` in ``zone``, read here from the
    document and zoneinfo (no holidays: the strategy below leaves them out)."""
    local = (datetime(1970, 1, 1, tzinfo=timezone.utc)
             + timedelta(microseconds=at_us)).astimezone(ZoneInfo(zone))
    if local.date() in {date.fromisoformat(d) for d in policy_json.get("closedDates", [])}:
        return False
    periods = _periods(policy_json)
    if periods is None:
        return True
    minute = local.hour * 60 + local.minute
    day = WEEKDAYS[local.weekday()]
    return any(day in period.get("days", WEEKDAYS)
               and _minutes(period.get("from"), 0) <= minute < _minutes(period.get("to"),
                                                                        24 * 60)
               for period in periods)


@given(policy_requests(3, 6), calling_policies(holidays=False, min_from=240,
                                           first_day="2030-03-08", days=10),
       outcome_sources())
def test_what_s15_promises_holds_on_simulated_runs(request: Any, policy_json: Any,
                                                   outcomes: Random) -> None:
    policy = parse_policy(policy_json)
    the_plan = plan(request, now=NOW)
    records = list(simulate(the_plan, outcomes, policy=policy).records())
    events = [r for r in records if isinstance(r, AttemptEvent)]
    results = [r for r in records if isinstance(r, DestinationResult)]
    # Every destination accounted for exactly once.
    assert sorted((r.message, r.index) for r in results) == sorted(
        (m, i) for m, message in enumerate(request["messages"])
        for i in range(len(message["destinations"])))
    assert [e.start_us for e in events] == sorted(e.start_us for e in events)
    by_number: dict[str, list[int]] = {}
    firsts: dict[int, list[int]] = {}
    previous: dict[tuple[int, int], AttemptEvent] = {}
    for event in events:
        timeline = the_plan.messages[event.message].timeline
        assert event.to is not None
        choice = choose_zones(policy, event.to)
        assert choice.callable or not policy.is_local
        for zone in choice.zones:
            assert allowed_locally(policy_json, zone, event.start_us), (zone, event)
        assert timeline.calendar.next_open(event.start_us) == event.start_us
        assert event.start_us >= timeline.start_us
        assert timeline.cut_us is None or event.start_us < timeline.cut_us
        # The outcome is the source's, for that destination and attempt (S10).
        assert event.outcome == outcomes.outcome(the_plan.messages[event.message]
                                                 .schedule(event.index), event.attempt)
        assert event.end_us == event.start_us + event.outcome.duration_us
        key = (event.message, event.index)
        if event.attempt == 1:
            assert key not in previous
            firsts.setdefault(event.message, []).append(event.start_us)
        else:
            before = previous[key]
            assert before.attempt == event.attempt - 1 and not before.outcome.answered
            assert event.start_us >= before.end_us + timeline.gaps_us[before.attempt - 1]
        previous[key] = event
        by_number.setdefault(normalize_to(event.to), []).append(event.start_us)
    if policy.cap is not None:
        m, period = policy.cap.max_attempts, policy.cap.period_us
        for times in by_number.values():
            assert all(times[i + m] - times[i] >= period for i in range(len(times) - m))
    for message, times in firsts.items():
        pace = the_plan.messages[message].timeline.pace
        if pace is not None:
            assert all(times[i + pace.speed] - times[i] >= pace.unit_us
                       for i in range(len(times) - pace.speed))
    for result in results:
        last = previous.get((result.message, result.index))
        assert result.attempts == (0 if last is None else last.attempt)
        assert result.last == last
        if result.ending in EXPIRING:
            assert result.status is Status.EXPIRED_EXPIRED
        if result.ending is Ending.ANSWERED:
            assert last is not None and last.outcome.answered
        if result.ending is Ending.NO_ZONE:
            assert last is None
            assert result.to is not None
            assert not choose_zones(policy, result.to).callable


@given(requests(3, 6, windows=None, retry=None), outcome_sources())
def test_a_policy_that_restricts_nothing_changes_nothing(request: Any,
                                                         outcomes: Random) -> None:
    the_plan = plan(request, now=NOW)
    without = list(simulate(the_plan, outcomes).records())
    under = list(simulate(the_plan, outcomes, policy=parse_policy({})).records())
    assert [r for r in under if isinstance(r, AttemptEvent)] == \
        [r for r in without if isinstance(r, AttemptEvent)]
    key = lambda r: (r.message, r.index)  # noqa: E731
    assert sorted((r for r in under if isinstance(r, DestinationResult)), key=key) == \
        sorted((r for r in without if isinstance(r, DestinationResult)), key=key)


# -- worked examples -------------------------------------------------------------------------

FEDERAL = {"callingHours": {"from": {"hour": 8, "minute": 0}, "to": {"hour": 21, "minute": 0}}}
LOS_ANGELES, NEW_YORK, NO_ZONE = "13105550100", "12125550100", "4179302"


def test_slots_retries_and_a_number_without_a_zone_by_hand() -> None:
    request = {"messages": [{"scenarioId": "S",
                             "sendingSpeed": {"speed": 1, "timeUnit": "hour"},
                             "retry": {"minPeriod": 30, "maxPeriod": 30, "maxCount": 1},
                             "destinations": [{"to": LOS_ANGELES}, {"to": NEW_YORK},
                                              {"to": NO_ZONE}]}]}
    ring = AttemptOutcome(Outcome.NO_ANSWER, 45 * US_PER_SECOND)
    records = list(simulate(plan(request, now=NOW), Constant(ring),
                            policy=parse_policy(FEDERAL)).records())
    events = [(e.index, e.attempt, e.start_us) for e in records if isinstance(e, AttemptEvent)]
    # A plan made under the policy carries it: simulate needs no second mention.
    carried = simulate(plan(request, now=NOW, policy=parse_policy(FEDERAL)), Constant(ring))
    assert [(e.index, e.attempt, e.start_us) for e in carried.records()
            if isinstance(e, AttemptEvent)] == events
    # Friday 8 March 2030, EST/PST. 12:00Z is 07:00 in New York: the slot passes unused.
    # 13:00Z (08:00 EST): New York takes it; its retry is 30 min after the end, 13:30:45Z.
    # Los Angeles opens at 16:00Z (08:00 PST), the slot then; retry at 16:30:45Z.
    assert events == [(1, 1, _us("2030-03-08T13:00:00+00:00")),
                      (1, 2, _us("2030-03-08T13:30:45+00:00")),
                      (0, 1, _us("2030-03-08T16:00:00+00:00")),
                      (0, 2, _us("2030-03-08T16:30:45+00:00"))]
    results = {r.index: r for r in records if isinstance(r, DestinationResult)}
    assert results[2].ending is Ending.NO_ZONE
    assert results[2].status is Status.EXPIRED_EXPIRED
    assert results[2].attempts == 0
    # A paced message has no deadline (S4): it ends at the start, known uncallable then.
    assert results[2].at_us == _us("2030-03-08T12:00:00+00:00")
    assert results[0].ending is results[1].ending is Ending.RETRIES_EXHAUSTED
    assert results[1].at_us == _us("2030-03-08T13:31:30+00:00")


def test_a_retry_that_would_fall_after_hours_waits_for_the_next_morning() -> None:
    request = {"messages": [{"scenarioId": "S", "validityPeriod": 3 * 24 * 60,
                             "retry": {"minPeriod": 60, "maxPeriod": 60, "maxCount": 1},
                             "destinations": [{"to": NEW_YORK}]}]}
    busy = AttemptOutcome(Outcome.BUSY, 5 * US_PER_SECOND)
    now = datetime(2030, 3, 8, 1, 30, tzinfo=timezone.utc)  # 20:30 EST, Thursday 7 March
    records = list(simulate(plan(request, now=now), Constant(busy),
                            policy=parse_policy(FEDERAL)).records())
    starts = [e.start_us for e in records if isinstance(e, AttemptEvent)]
    # First attempt at once (20:30 EST); the retry, due 21:30:05 EST, waits for 08:00 EST.
    assert starts == [_us("2030-03-08T01:30:00+00:00"), _us("2030-03-08T13:00:00+00:00")]


def test_the_deadline_expires_a_destination_the_hours_never_reach() -> None:
    # Validity 60 minutes from 07:00 EST: the hours open at 08:00, at the deadline.
    request = {"messages": [{"scenarioId": "S", "validityPeriod": 60,
                             "destinations": [{"to": NEW_YORK}]}]}
    records = list(simulate(plan(request, now=NOW), Constant(AttemptOutcome(
        Outcome.ANSWERED, 0)), policy=parse_policy(FEDERAL)).records())
    assert len(records) == 1
    result = records[0]
    assert isinstance(result, DestinationResult)
    assert (result.ending, result.status, result.attempts) == (
        Ending.DEADLINE, Status.EXPIRED_EXPIRED, 0)
    assert result.at_us == _us("2030-03-08T13:00:00+00:00")


# -- the command line ------------------------------------------------------------------------

def _simulate(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"messages": [{
        "scenarioId": "S", "sendingSpeed": {"speed": 1, "timeUnit": "hour"},
        "destinations": [{"to": LOS_ANGELES}, {"to": NEW_YORK}, {"to": NO_ZONE}]}]}))
    return subprocess.run([sys.executable, "-m", "ivrsched", "simulate", str(request),
                           "--now", "2030-03-08T12:00:00Z", "--seed", "3",
                           "--answer-rate", "1", *extra],
                          capture_output=True, text=True, check=False)


def test_simulate_policy_file(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(FEDERAL))
    done = _simulate(tmp_path, "--policy", str(policy), "--reports", str(tmp_path / "r"),
                     "--reports-format", "jsonl")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["index"], r["time"]) for r in rows] == [
        (1, "2030-03-08T13:00:00.000+00:00"), (0, "2030-03-08T16:00:00.000+00:00")]
    assert "1 destination with no known time zone and no fallbackZone" in done.stderr
    assert "3 destinations: 2 delivered, 1 expired" in done.stderr
    reports = [json.loads(line) for line in
               (tmp_path / "r" / "reports.jsonl").read_text().splitlines()]
    no_zone = next(r for r in reports if r["index"] == 2)["body"]["results"][0]
    assert no_zone["status"]["name"] == "EXPIRED_EXPIRED"
    assert "No time zone is known" in no_zone["error"]["description"]


def test_simulate_policy_errors_exit_3(tmp_path: Path) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"frequencyCap": {"maxAttempts": 0}}))
    done = _simulate(tmp_path, "--policy", str(policy))
    assert done.returncode == 3
    assert str(policy) in done.stderr
    assert done.stdout == ""
