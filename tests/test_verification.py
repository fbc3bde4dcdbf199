"""The oracle (SPEC S11): worked examples per rule, and properties over generated requests."""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ivrsched import SeededIds, Violation, plan, verify
from ivrsched.io.logs import LogError
from ivrsched.io.outcome_files import load_outcomes_jsonl
from ivrsched.oracle.conformance import RULES, overfull, verify_report
from ivrsched.planning.planner import Plan
from ivrsched.rules.instants import US_PER_MINUTE, US_PER_SECOND, format_us, to_us
from ivrsched.rules.lifecycle import LifecycleEvent, Operation
from ivrsched.simulation.engine import simulate
from ivrsched.simulation.outcomes import Random
from ivrsched.testing import DEFAULT_NOW, attempt_logs, outcome_tables, requests

NOW = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)  # a Monday
T = to_us(NOW)
SEC = US_PER_SECOND
MIN = US_PER_MINUTE
IDS = SeededIds(7)


def request(n: int = 1, **fields: Any) -> dict[str, Any]:
    destinations = [{"to": f"4179302{6700 + i:04d}"} for i in range(n)]
    return {"messages": [{"scenarioId": "S", "destinations": destinations, **fields}]}


def row(i: int, attempt: int, at_us: int, end_us: int | None = None) -> dict[str, Any]:
    """A log row for destination i of :func:`request`, named by its number."""
    data: dict[str, Any] = {"to": f"4179302{6700 + i:04d}", "attempt": attempt,
                            "time": format_us(at_us)}
    if end_us is not None:
        data["end"] = format_us(end_us)
    return data


def rules(violations: list[Violation]) -> list[tuple[str, int | None, int | None]]:
    return [(v.rule, v.index, v.attempt) for v in violations]


def plan_rows(the_plan: Plan) -> list[dict[str, Any]]:
    """The plan's own attempts as a log, every destination named by its messageId."""
    return [{"messageId": s.message_id, "attempt": k, "time": format_us(t, s.offset_minutes)}
            for s in the_plan for k, t in enumerate(s.attempts_us, start=1)]


# -- S2 start ----------------------------------------------------------------------------------

def test_a_first_attempt_one_microsecond_before_the_start_is_early() -> None:
    # sendAt 10:00Z is later than now (09:00), so the message starts at 10:00.
    data = request(1, sendAt="2030-01-07T10:00:00Z")
    start = T + 60 * MIN
    assert verify(data, [row(0, 1, start)], now=NOW) == []
    found = verify(data, [row(0, 1, start - 1)], now=NOW)
    assert rules(found) == [("S2-early-start", 0, 1)]
    assert (found[0].time_us, found[0].limit_us, found[0].line) == (start - 1, start, 1)


# -- S3 pacing ---------------------------------------------------------------------------------

def test_speed_attempts_exactly_one_unit_apart_conform() -> None:
    # 1 per minute: 09:00 and 09:01 are in different half-open minutes.
    data = request(2, sendingSpeed={"speed": 1, "timeUnit": "minute"})
    assert verify(data, [row(0, 1, T), row(1, 1, T + MIN)], now=NOW) == []


def test_one_microsecond_closer_breaks_the_pace() -> None:
    data = request(2, sendingSpeed={"speed": 1, "timeUnit": "minute"})
    found = verify(data, [row(0, 1, T), row(1, 1, T + MIN - 1)], now=NOW)
    assert rules(found) == [("S3-pacing", 1, 1)]
    # It would have been allowed one minute after the attempt already in the window.
    assert found[0].limit_us == T + MIN


def test_two_per_minute_allows_a_pair_then_the_next_minute() -> None:
    # Two at 09:00:00, one at 09:01:00: [09:00, 09:01) holds two, (09:00, 09:01] holds one.
    data = request(3, sendingSpeed={"speed": 2, "timeUnit": "minute"})
    log = [row(0, 1, T), row(1, 1, T), row(2, 1, T + MIN)]
    assert verify(data, log, now=NOW) == []
    log[2] = row(2, 1, T + MIN - 1)
    assert rules(verify(data, log, now=NOW)) == [("S3-pacing", 2, 1)]


def test_the_blame_goes_to_the_attempt_that_overfills_the_window() -> None:
    # 1 per hour, planned at 09:00, 10:00, 11:00, 12:00. Destination 3 squeezed in at
    # 10:30 is the second within an hour of 10:00; the others keep their pace.
    data = request(4, sendingSpeed={"speed": 1, "timeUnit": "hour"})
    hour = 60 * MIN
    log = [row(0, 1, T), row(1, 1, T + hour), row(2, 1, T + 2 * hour),
           row(3, 1, T + hour + 30 * MIN)]
    assert rules(verify(data, log, now=NOW)) == [("S3-pacing", 3, 1)]


def brute_force_max(times: list[int], unit: int) -> int:
    """The most attempts in any half-open interval of length ``unit`` (the fullest interval
    may be taken to start at an attempt)."""
    return max((sum(1 for u in times if t <= u < t + unit) for t in times), default=0)


@given(st.lists(st.integers(0, 60), max_size=25), st.integers(1, 4), st.integers(1, 15))
def test_the_sliding_window_agrees_with_brute_force(times: list[int], speed: int,
                                                    unit: int) -> None:
    times.sort()
    blamed = [position for position, _ in overfull(times, speed, unit)]
    assert (blamed == []) == (brute_force_max(times, unit) <= speed)
    kept = [t for i, t in enumerate(times) if i not in set(blamed)]
    assert brute_force_max(kept, unit) <= speed


# -- S4 deadline -------------------------------------------------------------------------------

def test_an_attempt_at_the_deadline_is_not_allowed() -> None:
    data = request(1, validityPeriod=10)
    deadline = T + 10 * MIN
    assert verify(data, [row(0, 1, deadline - 1)], now=NOW) == []
    found = verify(data, [row(0, 1, deadline)], now=NOW)
    assert rules(found) == [("S4-deadline", 0, 1)]
    assert found[0].limit_us == deadline


# -- S5 gaps and count -------------------------------------------------------------------------

RETRY = {"minPeriod": 1, "maxPeriod": 5, "maxCount": 2}  # gaps 1, 2 min


def test_a_retry_must_wait_its_gap_after_the_previous_start() -> None:
    data = request(1, retry=RETRY)
    assert verify(data, [row(0, 1, T), row(0, 2, T + MIN), row(0, 3, T + 3 * MIN)],
                  now=NOW) == []
    found = verify(data, [row(0, 1, T), row(0, 2, T + MIN), row(0, 3, T + 3 * MIN - 1)],
                   now=NOW)
    assert rules(found) == [("S5-gap", 0, 3)]
    assert found[0].limit_us == T + 3 * MIN  # 09:01 + g_2 = 2 min


def test_a_retry_is_measured_from_the_previous_end_when_the_log_gives_one() -> None:
    data = request(1, retry=RETRY)
    # Attempt 1 rings 09:00:00–09:00:45, so attempt 2 may not start before 09:01:45.
    log = [row(0, 1, T, T + 45 * SEC), row(0, 2, T + MIN + 45 * SEC - 1)]
    found = verify(data, log, now=NOW)
    assert rules(found) == [("S5-gap", 0, 2)]
    assert found[0].limit_us == T + MIN + 45 * SEC
    log[1] = row(0, 2, T + MIN + 45 * SEC)
    assert verify(data, log, now=NOW) == []


def test_the_failure_delay_stands_in_for_a_missing_end() -> None:
    data = request(1, retry=RETRY)
    log = [row(0, 1, T), row(0, 2, T + MIN + 30 * SEC - 1)]
    delay = timedelta(seconds=30)
    assert rules(verify(data, log, now=NOW, failure_delay=delay)) == [("S5-gap", 0, 2)]
    log[1] = row(0, 2, T + MIN + 30 * SEC)
    assert verify(data, log, now=NOW, failure_delay=delay) == []


def test_more_than_one_plus_max_count_attempts_is_too_many() -> None:
    data = request(1, retry=RETRY)  # 1 + 2 attempts allowed
    log = [row(0, 1, T), row(0, 2, T + MIN), row(0, 3, T + 3 * MIN), row(0, 4, T + 9 * MIN)]
    found = verify(data, log, now=NOW)
    assert rules(found) == [("S5-count", 0, 4)]
    assert found[0].line == 4


def test_no_retry_object_means_one_attempt() -> None:
    found = verify(request(1), [row(0, 1, T), row(0, 2, T + 60 * MIN)], now=NOW)
    assert rules(found) == [("S5-count", 0, 2)]


def test_attempt_numbers_must_run_from_one_without_gaps_or_repeats() -> None:
    data = request(2, retry=RETRY)
    log = [row(0, 1, T), row(0, 3, T + 5 * MIN), row(1, 1, T), row(1, 1, T)]
    found = verify(data, log, now=NOW)
    numbering = [(v.index, v.detail) for v in found if v.rule == "attempt-number"]
    assert [index for index, _ in numbering] == [0, 1]
    assert "numbers its attempts 1, 3" in numbering[0][1]
    assert "numbers its attempts 1, 1" in numbering[1][1]


# -- S6 window ---------------------------------------------------------------------------------

WEEKDAYS_9_TO_17 = {"days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
                    "from": {"hour": 9, "minute": 0}, "to": {"hour": 17, "minute": 0}}


def test_an_attempt_outside_the_delivery_window_is_reported_with_the_next_opening() -> None:
    data = request(1, retry={"minPeriod": 240, "maxPeriod": 240, "maxCount": 1},
                   deliveryTimeWindow=WEEKDAYS_9_TO_17)
    # The retry waits at least 4 h. Monday 09:00 is open; Monday 17:00 is closed (the window
    # ends there) and the next opening is Tuesday 09:00, 24 h after the start.
    found = verify(data, [row(0, 1, T), row(0, 2, T + 8 * 60 * MIN)], now=NOW)
    assert rules(found) == [("S6-window", 0, 2)]
    assert found[0].limit_us == T + 24 * 60 * MIN
    ok = verify(data, [row(0, 1, T), row(0, 2, T + 8 * 60 * MIN - 1)], now=NOW)
    assert ok == []


# -- destinations ------------------------------------------------------------------------------

def test_rows_for_unknown_destinations_are_grouped_per_name() -> None:
    log = [row(0, 1, T), {"to": "999999999", "attempt": 1, "time": format_us(T)},
           {"to": "999999999", "attempt": 2, "time": format_us(T + MIN)},
           {"messageId": "nope", "attempt": 1, "time": format_us(T)}]
    found = verify(request(1), log, now=NOW)
    assert [(v.rule, v.to, v.message_id, v.line) for v in found] == [
        ("unknown-destination", "999999999", None, 2),
        ("unknown-destination", None, "nope", 4),
    ]
    assert "2 rows" in found[0].sentence


def test_a_number_given_twice_must_be_named_by_message_id() -> None:
    data = {"messages": [{"scenarioId": "S", "destinations": [
        {"to": "41793026700", "messageId": "a"}, {"to": "+41793026700", "messageId": "b"}]}]}
    by_to = verify(data, [{"to": "41793026700", "attempt": 1, "time": format_us(T)}], now=NOW)
    assert [v.rule for v in by_to] == ["ambiguous-destination"]
    by_id = [{"messageId": "a", "attempt": 1, "time": format_us(T)},
             {"messageId": "b", "to": "41793026700", "attempt": 1, "time": format_us(T)}]
    assert verify(data, by_id, now=NOW) == []


def test_a_message_id_with_another_number_is_not_that_destination() -> None:
    data = {"messages": [{"scenarioId": "S", "destinations": [
        {"to": "41793026700", "messageId": "a"}]}]}
    log = [{"messageId": "a", "to": "41793026799", "attempt": 1, "time": format_us(T)}]
    assert [v.rule for v in verify(data, log, now=NOW)] == ["unknown-destination"]


def test_a_message_id_holding_a_newline_is_reported_whole() -> None:
    # The rows naming no destination are grouped by a record of what they named, not by a
    # text key joined with a newline (which split such a messageId in two).
    data = {"messages": [{"scenarioId": "S", "destinations": [
        {"to": "41793026700", "messageId": "a\nb"}]}]}
    log = [{"messageId": "a\nb", "to": "41793026799", "attempt": 1, "time": format_us(T)},
           {"messageId": "a\nb", "to": "41793026799", "attempt": 2, "time": format_us(T)}]
    found = verify(data, log, now=NOW)
    assert [(v.rule, v.message_id, v.to, v.line) for v in found] == [
        ("unknown-destination", "a\nb", "41793026799", 1)]
    assert found[0].detail == ("messageId a\nb belongs to another number than to 41793026799 "
                               "(2 rows, the first shown)")


def test_generated_message_ids_are_known_only_with_the_id_source() -> None:
    data = request(1)
    generated = plan(data, now=NOW, ids=IDS).messages[0][0].message_id
    log = [{"messageId": generated, "attempt": 1, "time": format_us(T)}]
    assert verify(data, log, now=NOW, ids=IDS) == []
    assert [v.rule for v in verify(data, log, now=NOW)] == ["unknown-destination"]
    # Without the ID source, the row's number identifies it (the ID cannot be checked).
    log[0]["to"] = "+41793026700"
    assert verify(data, log, now=NOW) == []
    assert [v.rule for v in verify(data, log, now=NOW, ids=SeededIds(8))] == \
        ["unknown-destination"]


def test_a_rejected_destination_must_not_be_attempted() -> None:
    data = {"messages": [{"scenarioId": "S", "destinations": [{"to": "123"}]}]}
    found = verify(data, [{"to": "123", "attempt": 1, "time": format_us(T)}], now=NOW)
    assert rules(found) == [("rejected-destination", 0, 1)]
    assert "52 REJECTED_INVALID_DESTINATION" in found[0].detail


def test_require_all_reports_destinations_the_log_never_mentions() -> None:
    # 1 per hour: destination 1 is planned at 10:00 (pacing lifts the deadline).
    data = request(2, sendingSpeed={"speed": 1, "timeUnit": "hour"})
    assert verify(data, [row(0, 1, T)], now=NOW) == []
    found = verify(data, [row(0, 1, T)], now=NOW, require_all=True)
    assert rules(found) == [("missing-destination", 1, None)]
    assert found[0].limit_us == T + 60 * MIN


# -- exact -------------------------------------------------------------------------------------

def test_exact_requires_the_planned_instants() -> None:
    data = request(2, sendingSpeed={"speed": 1, "timeUnit": "minute"}, retry=RETRY)
    # Planned: destination 0 at 09:00, 09:01, 09:03; destination 1 at 09:01, 09:02, 09:04.
    log = [row(0, 1, T), row(0, 2, T + MIN), row(0, 3, T + 3 * MIN),
           row(1, 1, T + MIN), row(1, 2, T + 2 * MIN + 1)]
    assert verify(data, log, now=NOW) == []
    found = verify(data, log, now=NOW, exact=True)
    assert rules(found) == [("exact-time", 1, 2)]
    assert found[0].limit_us == T + 2 * MIN


# -- the violation as text and data ------------------------------------------------------------

def test_a_violation_reads_as_a_sentence_in_the_message_offset() -> None:
    data = {"messages": [{"scenarioId": "S", "validityPeriod": 10,
                          "sendAt": "2030-01-07T10:00:00+01:00",
                          "destinations": [{"to": "41793026700", "messageId": "m-1"}]}]}
    # sendAt 10:00+01:00 is 09:00Z = now; the deadline is 09:10Z, rendered 10:10+01:00.
    log = [{"messageId": "m-1", "attempt": 1, "time": "2030-01-07T09:10:00Z"}]
    (found,) = verify(data, log, now=NOW)
    assert found.sentence == (
        "S4-deadline: message 0 destination 0 (to 41793026700, messageId m-1): attempt 1 at "
        "2030-01-07T10:10:00.000+01:00 is at or after the deadline "
        "2030-01-07T10:10:00.000+01:00 [log line 1]")
    assert found.as_json() == {
        "rule": "S4-deadline", "message": 0, "index": 0, "to": "41793026700",
        "messageId": "m-1", "attempt": 1, "line": 1,
        "time": "2030-01-07T10:10:00.000+01:00", "limit": "2030-01-07T10:10:00.000+01:00",
        "sentence": found.sentence,
    }
    json.dumps(found.as_json())  # serialisable as is


def test_the_report_counts_rows_and_destinations() -> None:
    report = verify_report(request(2), [row(0, 1, T), row(1, 1, T - 1)], now=NOW)
    assert (report.rows, report.destinations, report.conforms) == (2, 2, False)
    assert report.summary() == ("does not conform: 1 violation(s) (S2-early-start ×1); "
                                "2 attempt(s) of 2 destination(s) checked")


def test_a_malformed_row_is_a_log_error_naming_its_position() -> None:
    with pytest.raises(LogError, match=r"^<log>:2: "):
        verify(request(1), [row(0, 1, T), {"to": "41793026700", "attempt": 1}], now=NOW)


def test_every_rule_has_an_order() -> None:
    assert len(set(RULES)) == len(RULES)


# -- properties --------------------------------------------------------------------------------

@given(requests(max_messages=2, max_destinations=8, message_ids=True, rejected=True,
                windows=None))
def test_a_plan_written_out_as_a_log_conforms_also_exactly(data: dict[str, Any]) -> None:
    the_plan = plan(data, now=NOW, ids=IDS)
    log = plan_rows(the_plan)
    assert verify(data, log, now=NOW, ids=IDS) == []
    assert verify(data, log, now=NOW, ids=IDS, exact=True) == []
    assert verify(data, log, now=NOW, ids=IDS, require_all=True) == []


@given(requests(max_messages=2, max_destinations=6, message_ids=True, windows=None),
       st.data())
def test_generated_conforming_logs_conform_in_any_order(data: dict[str, Any],
                                                       draw: st.DataObject) -> None:
    log = draw.draw(attempt_logs(data, NOW))
    shuffled = draw.draw(st.permutations(log))
    assert verify(data, shuffled, now=NOW) == []


@given(requests(max_messages=2, max_destinations=6, message_ids=True, windows=None),
       st.integers(0, 2**32), st.fractions(0, 1))
def test_simulated_logs_conform(data: dict[str, Any], seed: int, rate: Fraction) -> None:
    the_plan = plan(data, now=NOW, ids=IDS)
    log = [event.record() for event in simulate(the_plan, Random(rate, 0, seed=seed)).events()]
    assert verify(data, log, now=NOW, ids=IDS) == []


@given(requests(max_messages=2, max_destinations=6, message_ids=True), st.data())
def test_simulated_logs_from_outcome_tables_conform(data: dict[str, Any],
                                                     draw: st.DataObject) -> None:
    rows = draw.draw(outcome_tables(data, DEFAULT_NOW, ids=IDS))
    table = load_outcomes_jsonl(json.dumps(r) + "\n" for r in rows)
    the_plan = plan(data, now=DEFAULT_NOW, ids=IDS)
    log = [event.record() for event in simulate(the_plan, table).events()]
    assert verify(data, log, now=DEFAULT_NOW, ids=IDS) == []


# -- the mutation property ---------------------------------------------------------------------

MUTATIONS = ("early-start", "pacing", "gap", "deadline", "count", "unknown")
TARGET_RULE = {"early-start": "S2-early-start", "pacing": "S3-pacing", "gap": "S5-gap",
               "deadline": "S4-deadline", "count": "S5-count", "unknown": "unknown-destination"}


def mutate(the_plan: Plan, log: list[dict[str, Any]], kind: str,
           draw: st.DataObject) -> tuple[int | None, int | None, str | None]:
    """Apply one targeted fault; returns the destination it targets (message, index, id)."""
    def find(message_id: str, attempt: int) -> dict[str, Any]:
        return next(r for r in log if (r["messageId"], r["attempt"]) == (message_id, attempt))

    def at(us: int, offset: int) -> str:
        return format_us(us, offset)

    schedules = [s for s in the_plan if s.attempts_us]
    if kind == "unknown":
        log.append({"messageId": "no-such-destination", "attempt": 1,
                    "time": at(the_plan.now_us, 0)})
        return None, None, "no-such-destination"
    if kind == "early-start":
        # Slot 0 of a message, one µs before its start: it cannot crowd a pacing window,
        # since slots 1..speed-1 are the only others within a unit of it.
        firsts = [next(s for s in schedules if s.message == m.message_index)
                  for m in the_plan.messages
                  if any(s.message == m.message_index for s in schedules)]
        target = draw.draw(st.sampled_from(firsts))
        start = the_plan.messages[target.message].start_us
        find(target.message_id, 1)["time"] = at(start - 1, target.offset_minutes)
    elif kind == "pacing":
        # The last slot moved back to the second-last one's instant t: (t - U, t] already
        # holds `speed` planned first attempts.
        full = [m for m in the_plan.messages if m.pace is not None
                and sum(1 for s in schedules if s.message == m.message_index) > m.pace.speed]
        assume(full)
        message_plan = draw.draw(st.sampled_from(full))
        mine = [s for s in schedules if s.message == message_plan.message_index]
        target, previous = mine[-1], mine[-2]
        find(target.message_id, 1)["time"] = at(previous.attempts_us[0], target.offset_minutes)
    elif kind == "gap":
        retried = [s for s in schedules if len(s.attempts_us) > 1]
        assume(retried)
        target = draw.draw(st.sampled_from(retried))
        k = draw.draw(st.integers(1, len(target.attempts_us) - 1))
        gap = the_plan.messages[target.message].timeline.gaps_us[k - 1]
        find(target.message_id, k + 1)["time"] = at(target.attempts_us[k - 1] + gap - 1,
                                                    target.offset_minutes)
    elif kind == "deadline":
        limited = [s for s in schedules if the_plan.messages[s.message].deadline_us is not None]
        assume(limited)
        target = draw.draw(st.sampled_from(limited))
        deadline = the_plan.messages[target.message].deadline_us
        assert deadline is not None
        find(target.message_id, len(target.attempts_us))["time"] = at(deadline,
                                                                      target.offset_minutes)
    else:  # count: attempts up to 2 + maxCount, spaced by the largest gap
        target = draw.draw(st.sampled_from(schedules))
        gaps = the_plan.messages[target.message].timeline.gaps_us
        step = gaps[-1] if gaps else MIN
        last = target.attempts_us[-1]
        for number in range(len(target.attempts_us) + 1, len(gaps) + 3):
            last += step
            log.append({"messageId": target.message_id, "attempt": number,
                        "time": at(last, target.offset_minutes)})
    return target.message, target.index, target.message_id


def slowed_down(data: dict[str, Any], draw: st.DataObject) -> dict[str, Any]:
    """Speeds below each paced message's destination count, so that its windows fill up."""
    for message in data["messages"]:
        if "sendingSpeed" in message:
            most = max(1, len(message["destinations"]) - 1)
            message["sendingSpeed"]["speed"] = draw.draw(st.integers(1, most))
    return data


#: Requests each fault can apply to (the fault needs retries, pacing, a deadline, …).
REQUESTS_FOR = {
    "early-start": requests(2, 8, message_ids=True, rejected=True),
    "pacing": requests(2, 8, min_destinations=2, message_ids=True, paced=True),
    "gap": requests(2, 8, message_ids=True, rejected=True, retry=True),
    "deadline": requests(2, 8, message_ids=True, rejected=True, paced=False),
    "count": requests(2, 8, message_ids=True, rejected=True),
    "unknown": requests(2, 8, message_ids=True, rejected=True),
}


@pytest.mark.parametrize("kind", MUTATIONS)
@settings(max_examples=30)
@given(draw=st.data())
def test_one_targeted_fault_is_reported_for_its_destination_only(kind: str,
                                                                 draw: st.DataObject) -> None:
    data = draw.draw(REQUESTS_FOR[kind])
    if kind == "pacing":
        data = slowed_down(data, draw)
    the_plan = plan(data, now=NOW, ids=IDS)
    assume(any(s.attempts_us for s in the_plan))
    log = plan_rows(the_plan)
    message, index, message_id = mutate(the_plan, log, kind, draw)
    log = draw.draw(st.permutations(log))
    found = verify(data, log, now=NOW, ids=IDS)
    assert all((v.message, v.index, v.message_id) == (message, index, message_id)
               for v in found), [v.sentence for v in found]
    found_rules = {v.rule for v in found}
    if kind == "count":
        # Extra attempts past a deadline are also too late; nothing else may show up.
        assert "S5-count" in found_rules <= {"S5-count", "S4-deadline"}
    else:
        assert found_rules == {TARGET_RULE[kind]}


def test_the_log_of_a_paced_plan_conforms() -> None:
    # The plan of 3 destinations at 2 per minute is 09:00:00, 09:00:30, 09:01:00
    # (floor(i·60 s/2)); the log of it conforms and the times are 30 s apart.
    the_plan = plan(request(3, sendingSpeed={"speed": 2, "timeUnit": "minute"}), now=NOW,
                    ids=IDS)
    firsts = [s.attempts_us[0] for s in the_plan]
    assert [b - a for a, b in itertools.pairwise(firsts)] == [30 * SEC, 30 * SEC]
    assert verify(the_plan.request, plan_rows(the_plan), now=NOW, ids=IDS) == []


def test_destinations_given_apart_replace_the_message_s_own() -> None:
    from ivrsched.io.destination_files import destinations_from_lines

    data = request(1)  # its own destination: 41793026700
    lines = ["41793026701", "41793026702"]
    log = [{"to": "41793026702", "attempt": 1, "time": format_us(T)},
           {"to": "41793026700", "attempt": 1, "time": format_us(T)}]
    found = verify(data, log, now=NOW, destinations=destinations_from_lines(lines))
    assert [(v.rule, v.to, v.line) for v in found] == [
        ("unknown-destination", "41793026700", 2)]
    assert verify(data, log[:1], now=NOW, destinations=list(destinations_from_lines(lines))) \
        == []


def test_a_row_whose_message_id_and_number_are_both_unknown_is_unknown_by_message_id() -> None:
    log = [{"messageId": "nope", "to": "999999999", "attempt": 1, "time": format_us(T)}]
    assert [(v.rule, v.message_id, v.to) for v in verify(request(1), log, now=NOW)] == [
        ("unknown-destination", "nope", None)]


def test_an_unknown_message_id_is_not_read_as_a_destination_that_has_its_own() -> None:
    # Without the ID source a row's number stands in for a generated messageId only: here the
    # destination's messageId is given (a), so a row calling it zzz is unknown.
    data = {"messages": [{"scenarioId": "S", "destinations": [
        {"to": "41793026700", "messageId": "a"}]}]}
    log = [{"messageId": "zzz", "to": "41793026700", "attempt": 1, "time": format_us(T)}]
    assert [(v.rule, v.message_id, v.to) for v in verify(data, log, now=NOW)] == [
        ("unknown-destination", "zzz", None)]


def test_the_destinations_after_a_rejected_one_are_checked_too() -> None:
    # Destination 0 ("123") is rejected, yet attempted; destination 1's attempt is early.
    data = {"messages": [{"scenarioId": "S", "destinations": [{"to": "123"},
                                                              {"to": "41793026700"}]}]}
    log = [{"to": "123", "attempt": 1, "time": format_us(T)},
           {"to": "41793026700", "attempt": 1, "time": format_us(T - 1)}]
    report = verify_report(data, log, now=NOW)
    assert [(v.rule, v.index) for v in report.violations] == [("rejected-destination", 0),
                                                              ("S2-early-start", 1)]
    assert report.destinations == 2


# -- the report's order and data ---------------------------------------------------------------

def test_the_report_carries_the_plan_s_notices() -> None:
    # sendAt 08:00Z is before now (09:00Z): the plan starts the message now and says so.
    report = verify_report(request(1, sendAt="2030-01-07T08:00:00Z"), [], now=NOW)
    assert [(n.path, n.code) for n in report.notices] == [("/messages/0/sendAt", "send-at-past")]


def test_the_summary_counts_each_rule_and_lists_the_rules_in_their_order() -> None:
    # Both first attempts are early; destination 1's is also numbered 2. RULES puts
    # attempt-number before S2-early-start (not the alphabetical order).
    report = verify_report(request(2), [row(0, 1, T - 1), row(1, 2, T - 1)], now=NOW)
    assert report.summary() == ("does not conform: 3 violation(s) (attempt-number ×1, "
                                "S2-early-start ×2); 2 attempt(s) of 2 destination(s) checked")


def test_the_violations_of_one_attempt_number_follow_the_log_lines() -> None:
    # Two rows both numbered 1, both past the deadline (09:10Z): the later one is on line 1.
    # Per attempt number, violations are listed by rule, then log line.
    log = [row(0, 1, T + 20 * MIN), row(0, 1, T + 15 * MIN)]
    found = verify(request(1, validityPeriod=10), log, now=NOW)
    assert [(v.rule, v.attempt, v.line, v.time_us) for v in found] == [
        ("attempt-number", 1, 2, T + 15 * MIN),
        ("S4-deadline", 1, 1, T + 20 * MIN),
        ("S4-deadline", 1, 2, T + 15 * MIN),
        ("S5-count", 1, 1, T + 20 * MIN)]


def test_a_row_naming_no_destination_gives_its_time() -> None:
    log = [{"to": "999999999", "attempt": 1, "time": format_us(T + MIN)}]
    (found,) = verify(request(1), log, now=NOW)
    assert (found.rule, found.time_us, found.limit_us) == ("unknown-destination", T + MIN, None)
    assert found.as_json()["time"] == "2030-01-07T09:01:00.000+00:00"
    # The report counts what the rows name: one destination of the request, one unknown.
    report = verify_report(request(1), [row(0, 1, T), *log], now=NOW)
    assert (report.rows, report.destinations) == (2, 2)


# -- S13: the start a reschedule set -----------------------------------------------------------

def test_an_early_first_attempt_names_the_last_reschedule_or_else_s2() -> None:
    # sendAt 12:00Z; three reschedules before it, the last (at 09:30Z) to sendAt 11:00Z: the
    # start is 11:00Z.
    data = request(1, sendAt="2030-01-07T12:00:00Z")
    moves = [LifecycleEvent(Operation.RESCHEDULE, T + 10 * MIN, T + 180 * MIN),
             LifecycleEvent(Operation.RESCHEDULE, T + 20 * MIN, T + 240 * MIN),
             LifecycleEvent(Operation.RESCHEDULE, T + 30 * MIN, T + 120 * MIN)]
    found = verify(data, [row(0, 1, T + 120 * MIN - 1)], now=NOW, events=moves)
    assert [v.sentence for v in found] == [
        "S13-lifecycle: message 0 destination 0 (to 41793026700): first attempt at "
        "2030-01-07T10:59:59.999999+00:00 is before the start 2030-01-07T11:00:00.000+00:00 set "
        "by the reschedule at 2030-01-07T09:30:00.000+00:00 [log line 1]"]
    assert found[0].limit_us == T + 120 * MIN
    assert verify(data, [row(0, 1, T + 120 * MIN)], now=NOW, events=moves) == []
    # Under a pause and a resume only, an attempt before the start (NOW) is S2's.
    pause = [LifecycleEvent(Operation.PAUSE, T + 10 * MIN),
             LifecycleEvent(Operation.RESUME, T + 20 * MIN)]
    found = verify(request(1), [row(0, 1, T - 1)], now=NOW, events=pause)
    assert [v.sentence for v in found] == [
        "S2-early-start: message 0 destination 0 (to 41793026700): first attempt at "
        "2030-01-07T08:59:59.999999+00:00 is before the message starts at "
        "2030-01-07T09:00:00.000+00:00 [log line 1]"]


# -- the directory of destinations -------------------------------------------------------------

@given(st.lists(st.lists(st.tuples(
    st.sampled_from([None, "", "41793026700", "+41793026700", "41793026701", "42"]),
    st.sampled_from([None, "a", "b", "c"])), max_size=6), min_size=1, max_size=3),
    st.booleans())
def test_the_directory_maps_ids_and_numbers_as_a_scan_in_request_order_does(
        messages: list[list[tuple[str | None, str | None]]], with_ids: bool) -> None:
    from ivrsched.ids import generated_message_ids
    from ivrsched.oracle.conformance import _AMBIGUOUS, _Directory
    from ivrsched.request.destinations import normalize_to
    from ivrsched.request.parsing import parse_request

    data = {"messages": [{"scenarioId": "S", "destinations": [
        {k: v for k, v in (("to", to), ("messageId", mid)) if v is not None}
        for to, mid in destinations] or [{"to": "41793026799"}]} for destinations in messages]}
    the_request = parse_request(data)
    ids = IDS if with_ids else None
    # The reference: one scan in request order; the first use of an ID owns it, then the
    # generated IDs of destinations without one; a number given twice is ambiguous.
    by_id: dict[str, int] = {}
    by_to: dict[str, int] = {}
    everyone = [(m, p, d) for m, message in enumerate(the_request.messages)
                for p, d in enumerate(message.destinations)]
    for gid, (_, _, d) in enumerate(everyone):
        if d.message_id is not None and d.message_id not in by_id:
            by_id[d.message_id] = gid
        if d.to:
            key = normalize_to(d.to)
            by_to[key] = _AMBIGUOUS if key in by_to else gid
    if ids is not None:
        for gid, (m, p, d) in enumerate(everyone):
            if d.message_id is None:
                by_id.setdefault(generated_message_ids(ids, m)(p), gid)
    directory = _Directory(the_request, ids)
    assert directory.by_id == by_id
    assert directory.by_to == by_to
    assert directory.size == len(everyone)
    keys, gids = directory.id_arrays()
    assert dict(zip(keys.to_pylist(), gids.tolist(), strict=True)) == by_id


def test_violations_sort_by_message_destination_attempt_rule_and_line() -> None:
    # The key's order, with each field deciding where the ones before it tie; a destination
    # the request does not have (no message, no index) sorts after every known one, however
    # large its message and index; a violation of no attempt (a destination never called)
    # before its attempts, of no line before its lines.
    def v(rule: str, message: int | None, index: int | None, attempt: int | None = None,
          line: int | None = None) -> Violation:
        return Violation(rule, "d", message, index, attempt=attempt, line=line)

    ordered = [
        v("S5-gap", 0, 0, None, 4),
        v("S2-early-start", 0, 0, 1, 9),
        v("S4-deadline", 0, 0, 1, None),
        v("S4-deadline", 0, 0, 1, 1),
        v("S4-deadline", 0, 0, 2, 1),
        v("S4-deadline", 0, 1, 1, 1),
        v("attempt-number", 0, 2**40, 1, 1),
        v("attempt-number", 200, 0, 1, 1),
        v("S4-deadline", 2**40, 2**40, 1, 1),
        v("unknown-destination", 2**40, None, 1, 1),
        v("unknown-destination", None, None, 1, 1),
        v("unknown-destination", None, None, 1, 2),
    ]
    assert sorted(reversed(ordered), key=Violation.sort_key) == ordered
    assert RULES.index("S2-early-start") < RULES.index("S4-deadline") < RULES.index("S5-gap")


def test_a_row_giving_a_number_for_a_destination_without_one_names_no_destination() -> None:
    # Destination x has no number (the request rejected it, 51 MISSING_TO): a row naming x
    # with any number, whatever its text, names a destination the request does not have; a
    # row naming x alone is an attempt of the rejected destination.
    request = {"messages": [{"scenarioId": "A", "destinations": [
        {"messageId": "x"}, {"to": "41793026700", "messageId": "y"}]}]}
    now = datetime(2030, 1, 7, 9, tzinfo=timezone.utc)
    row = {"messageId": "x", "attempt": 1, "time": "2030-01-07T09:00:00Z"}
    for to in ("XXXX", "0", "41793026700"):
        report = verify_report(request, [{**row, "to": to}], now=now)
        assert [(v.rule, v.message_id, v.to) for v in report.violations] == \
            [("unknown-destination", "x", to)]
    assert [v.rule for v in verify_report(request, [row], now=now).violations] == \
        ["rejected-destination"]
