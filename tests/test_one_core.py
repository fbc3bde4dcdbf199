"""The time line is the one core of the rules S2–S6 (issue 11): its answers against brute force,
its retry waits by hand, and no consumer asking whether a calendar is always open."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched import plan, simulate
from ivrsched.cli.main import main
from ivrsched.errors import PlanRangeError
from ivrsched.request.status import Status
from ivrsched.rules.instants import MAX_US, US_PER_HOUR, US_PER_MINUTE, to_us
from ivrsched.rules.open_time import ALWAYS_OPEN, is_always_open
from ivrsched.rules.pacing import Pace
from ivrsched.rules.timeline import BEYOND_US, Timeline
from ivrsched.rules.windows import WindowCalendar
from ivrsched.simulation.engine import DestinationResult, Ending
from ivrsched.simulation.outcomes import AttemptOutcome, Constant, Outcome

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
START = to_us(datetime(2030, 1, 4, 16, tzinfo=timezone.utc))  # a Friday
GAPS = (1 * US_PER_MINUTE, 2 * US_PER_MINUTE, 5 * US_PER_MINUTE)
WEEKDAYS_9_TO_17 = {"days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
                    "from": {"hour": 9, "minute": 0}, "to": {"hour": 17, "minute": 0}}


def window_calendar() -> WindowCalendar:
    from ivrsched.request.parsing import parse_request

    request = parse_request({"scenarioId": "S", "to": ["41793026700"],
                             "deliveryTimeWindow": WEEKDAYS_9_TO_17})
    window = request.messages[0].delivery_time_window
    assert window is not None
    return WindowCalendar.from_window(window)


def test_retry_waits_by_hand() -> None:
    timeline = Timeline(START, gaps_us=GAPS, failure_delay_us=30 * 10**6,
                        deadline_us=START + 10 * US_PER_MINUTE)
    # Planned: previous + failure delay + g_k.
    assert timeline.retry_due_us(START, 2) == START + 30 * 10**6 + 2 * US_PER_MINUTE
    # Observed without an end: the same bound; with an end: end + g_k, no failure delay.
    assert timeline.earliest_retry_us(START, 1) == START + 30 * 10**6 + US_PER_MINUTE
    assert timeline.earliest_retry_us(START, 1, START + 45 * 10**6) == (
        START + 45 * 10**6 + US_PER_MINUTE)
    # Simulated (S10): end + g_k; none at or after the deadline, none past the last gap.
    assert timeline.realised_retry_us(START + 10**6, 1) == START + 10**6 + US_PER_MINUTE
    assert timeline.realised_retry_us(START + 5 * US_PER_MINUTE, 3) is None  # 10:00 = deadline
    assert timeline.realised_retry_us(START + 5 * US_PER_MINUTE - 1, 3) == (
        START + 10 * US_PER_MINUTE - 1)
    assert timeline.realised_retry_us(START, 4) is None


def test_a_realised_retry_moves_to_the_next_opening() -> None:
    # Friday 16:59 + 2 min falls into the weekend: Monday 09:00.
    timeline = Timeline(START, gaps_us=GAPS, calendar=window_calendar())
    friday_1659 = START + 59 * US_PER_MINUTE
    monday_0900 = to_us(datetime(2030, 1, 7, 9, tzinfo=timezone.utc))
    assert timeline.realised_retry_us(friday_1659, 2) == monday_0900
    assert timeline.retry_after_us(friday_1659, 2) == monday_0900


def test_a_retry_beyond_year_9999_is_dropped_by_the_deadline_else_refused() -> None:
    late = MAX_US - 30 * US_PER_MINUTE
    with_deadline = Timeline(late, gaps_us=(60 * US_PER_MINUTE,), deadline_us=late + 1)
    assert with_deadline.realised_retry_us(late, 1) is None
    without = Timeline(late, gaps_us=(60 * US_PER_MINUTE,))
    with pytest.raises(PlanRangeError):
        without.realised_retry_us(late, 1)


def test_a_first_attempt_beyond_year_9999_falls_due_after_every_instant() -> None:
    late = MAX_US - 2 * US_PER_HOUR
    windowed = Timeline(late, deadline_us=late + US_PER_HOUR, calendar=window_calendar())
    assert windowed.attempts_us(0) == ()
    assert windowed.first_due_us(0) == BEYOND_US  # Friday 22:00; Monday is in year 10000
    unbounded = Timeline(late, calendar=window_calendar())
    with pytest.raises(PlanRangeError):
        unbounded.first_due_us(0)


timelines = st.builds(
    lambda speed, unit, start, deadline, gaps, delay, windowed: Timeline(
        START + start, Pace(speed, unit) if speed else None,
        None if deadline is None else START + start + deadline, tuple(gaps), delay,
        window_calendar() if windowed else ALWAYS_OPEN),
    st.integers(0, 7), st.sampled_from([US_PER_MINUTE, US_PER_HOUR, 7_000_001]),
    st.integers(0, 3 * US_PER_HOUR), st.none() | st.integers(1, 30 * US_PER_HOUR),
    st.lists(st.sampled_from(GAPS), max_size=3), st.integers(0, 10**8), st.booleans())


@given(timelines, st.integers(0, 12), st.integers(-US_PER_HOUR, 40 * US_PER_HOUR))
def test_counts_and_sums_equal_the_enumeration(timeline: Timeline, slots: int,
                                               probe: int) -> None:
    every = [timeline.attempts_us(s) for s in range(slots)]
    at = timeline.start_us + probe
    for number in range(1 + len(timeline.gaps_us)):
        having = [a[number] for a in every if len(a) > number]
        assert timeline.attempt_count(slots, number) == len(having)
        assert timeline.attempts_before(at, slots, number) == sum(1 for t in having if t < at)
        assert timeline.attempt_sum_us(0, len(having), number) == sum(having)
        for slot, instant in enumerate(having):
            assert timeline.attempt_us(slot, number) == instant
    happening = [a[0] for a in every if a]
    assert list(timeline.first_attempts_us(range(len(happening)))) == happening
    assert [timeline.attempts_function()(s) for s in range(slots)] == every


@given(timelines)
def test_fixed_offsets_exactly_when_the_calendar_never_closes(timeline: Timeline) -> None:
    offsets = timeline.fixed_offsets_us
    assert (offsets is not None) == is_always_open(timeline.calendar)
    if offsets is not None:
        assert list(timeline.closed_periods(START, START + 10**12)) == []
        for slot in range(5):
            first = timeline.first_attempt_us(slot)
            planned = [first + o for o in offsets]
            if timeline.deadline_us is not None:
                planned = [t for t in planned if t < timeline.deadline_us]
            assert timeline.attempts_us(slot) == tuple(planned)


def test_closed_periods_of_a_window_come_from_its_calendar() -> None:
    timeline = Timeline(START, calendar=window_calendar())
    friday_17 = START + US_PER_HOUR
    monday_09 = to_us(datetime(2030, 1, 7, 9, tzinfo=timezone.utc))
    assert list(timeline.closed_periods(START, monday_09 + US_PER_HOUR)) == [
        (friday_17, monday_09)]


# -- no consumer re-derives the rules ----------------------------------------------------------

PACKAGE = Path(__file__).resolve().parent.parent / "ivrsched"
#: The time line's consumers (issue 11): they ask it, never their calendar's kind. (Modules that
#: build calendars out of calendars, in rules/ and policy/, may look at the parts they combine.)
CONSUMERS = ("planning", "simulation", "forecasting", "oracle", "io", "cli")


def consumer_modules() -> list[Path]:
    return sorted(p for package in CONSUMERS for p in (PACKAGE / package).rglob("*.py"))


def test_only_the_rules_know_whether_a_calendar_is_always_open() -> None:
    found = []
    for path in consumer_modules():
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bAlwaysOpen\b|is_always_open|always_open", text):
            found.append(path.relative_to(PACKAGE).as_posix())
    assert found == []


def test_no_consumer_computes_pacing_or_retry_waits_itself() -> None:
    patterns = [r"\*\s*\w*\.?unit_us\s*//", r"gaps_us\[[^\]]*\]\s*\)?\s*$",
                r"\+\s*\w*\.?failure_delay_us\s*\+", r"next_open\(\s*\w+\s*\+"]
    found = []
    for path in consumer_modules():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(re.search(p, line) for p in patterns):
                found.append(f"{path.relative_to(PACKAGE).as_posix()}:{number}: {line.strip()}")
    assert found == []


# -- issue 11's defects: simulate fails where plan succeeds ------------------------------------

LATE_RETRY = {"messages": [{"scenarioId": "S", "destinations": [{"to": "41793026700"}],
                            "sendAt": "9999-12-31T23:00:00Z", "validityPeriod": 59,
                            "retry": {"minPeriod": 60, "maxPeriod": 60, "maxCount": 1}}]}
LATE_WINDOW = {"messages": [{"scenarioId": "S", "destinations": [{"to": "41793026700"}],
                             "sendAt": "9999-12-29T00:00:00Z", "validityPeriod": 59,
                             "deliveryTimeWindow": {"days": ["TUESDAY"]}}]}


def only_result(request: dict[str, Any]) -> tuple[DestinationResult, int]:
    no_answer = Constant(AttemptOutcome.of(Outcome.NO_ANSWER, timedelta(seconds=30)))
    records = list(simulate(plan(request, now=NOW), no_answer).records())
    results = [r for r in records if isinstance(r, DestinationResult)]
    assert len(results) == 1
    return results[0], len(records) - 1


def test_a_retry_past_the_deadline_near_year_9999_simply_does_not_happen() -> None:
    # 23:00 + 30 s + 60 min is past both the 23:59 deadline and year 9999.
    assert [s.attempts_us for s in plan(LATE_RETRY, now=NOW)] == [
        (to_us(datetime(9999, 12, 31, 23, tzinfo=timezone.utc)),)]
    result, attempts = only_result(LATE_RETRY)
    assert (result.status, result.ending, result.attempts, attempts) == (
        Status.EXPIRED_EXPIRED, Ending.DEADLINE, 1, 1)
    assert (result.status.id, result.status.group.value) == (15, 4)


def test_a_first_attempt_a_window_pushes_past_year_9999_expires_without_a_call() -> None:
    # 9999-12-29 is a Wednesday; the next Tuesday is in year 10000.
    assert [s.attempts_us for s in plan(LATE_WINDOW, now=NOW)] == [()]
    result, attempts = only_result(LATE_WINDOW)
    assert (result.status, result.ending, result.attempts, attempts) == (
        Status.EXPIRED_EXPIRED, Ending.DEADLINE, 0, 0)


@pytest.mark.parametrize("request_data", [LATE_RETRY, LATE_WINDOW])
def test_simulate_succeeds_on_the_command_line_where_plan_does(
        request_data: dict[str, Any], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    request = tmp_path / "request.json"
    request.write_text(json.dumps(request_data), encoding="utf-8")
    outcomes = tmp_path / "outcomes.jsonl"
    outcomes.write_text('{"to": "41793026700", "outcome": "no-answer", "duration": 30}\n',
                        encoding="utf-8")
    reports = tmp_path / "reports"
    assert main(["plan", str(request), "--now", "2030-01-01T00:00:00Z"]) == 0
    code = main(["simulate", str(request), "--now", "2030-01-01T00:00:00Z", "--seed", "1",
                 "--outcomes", str(outcomes), "--reports", str(reports),
                 "--reports-format", "jsonl"])
    err = capsys.readouterr().err
    assert code == 0, err
    report = json.loads((reports / "reports.jsonl").read_text(encoding="utf-8"))
    status = report["body"]["results"][0]["status"]
    assert (status["groupId"], status["id"], status["name"]) == (4, 15, "EXPIRED_EXPIRED")
