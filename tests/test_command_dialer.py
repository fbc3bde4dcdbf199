"""The dialer protocol of ``ivrsched run``: what a dialer command is told and what it may
answer; every way it can fail is a failed attempt, reported, never an exception."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ivrsched.dispatch import Attempt
from ivrsched.dispatch.command_dialer import (
    OUTPUT_LIMIT,
    CommandDialer,
    DialerOutputError,
    attempt_document,
    parse_outcome,
)
from ivrsched.dispatch.runner import Placed
from ivrsched.simulation.outcomes import Outcome

T = datetime(2026, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=1)))
LATER = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
S = timedelta(seconds=1)


def attempt(key: str = "m1:2", time: datetime = T) -> Attempt:
    message_id, number = key.split(":")
    return Attempt(key, message_id, "41793026700", int(number), time, 0, 3)


def test_the_attempt_document() -> None:
    assert attempt_document(attempt(), in_doubt=True) == {
        "key": "m1:2", "messageId": "m1", "to": "41793026700", "attempt": 2,
        "time": "2026-03-01T09:00:00.000+01:00", "message": 0, "index": 3, "inDoubt": True}


@pytest.mark.parametrize(("text", "expected"), [
    ('{"outcome": "busy", "end": "2026-03-01T08:00:12.5Z"}',
     Placed(Outcome.BUSY, T + timedelta(seconds=12.5))),
    ('{"outcome": "no-answer", "duration": 30}', Placed(Outcome.NO_ANSWER, T + 30 * S)),
    # Exact decimals: 0.000001 s is one microsecond, not a float's approximation.
    ('{"outcome": "failed", "duration": 0.000001}',
     Placed(Outcome.FAILED, T + timedelta(microseconds=1))),
    ('{"outcome": "answered", "duration": 60, "answerAfter": 4.25}',
     Placed(Outcome.ANSWERED, T + 60 * S, T + timedelta(microseconds=4_250_000))),
    ('{"outcome": "answered", "end": "2026-03-01T09:01:00+01:00", '
     '"answeredAt": "2026-03-01T09:00:05+01:00"}',
     Placed(Outcome.ANSWERED, T + 60 * S, T + 5 * S)),
])
def test_outcomes_a_dialer_may_print(text: str, expected: Placed) -> None:
    assert parse_outcome(text, attempt()) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("", "not JSON"),
    ("ok", "not JSON"),
    ("[1]", "not a JSON object"),
    ('{"outcome": "maybe", "duration": 1}', "outcome must be one of"),
    ('{"outcome": "busy"}', "either end or duration"),
    ('{"outcome": "busy", "duration": 1, "end": "2026-03-01T09:00:00Z"}', "either end or"),
    ('{"outcome": "busy", "duration": -1}', "between 0 and"),
    ('{"outcome": "busy", "duration": "5"}', "number of seconds"),
    ('{"outcome": "busy", "duration": true}', "number of seconds"),
    ('{"outcome": "busy", "duration": 1e400}', "between 0 and"),
    ('{"outcome": "busy", "duration": 0.0000001}', "six decimal places"),
    ('{"outcome": "busy", "end": "2026-03-01T09:00:00"}', "end"),
    ('{"outcome": "busy", "end": "2026-03-01T07:59:59Z"}', "before the attempt's time"),
    ('{"outcome": "busy", "duration": 9, "answerAfter": 1}', "only an answered call"),
    ('{"outcome": "answered", "duration": 9, "answerAfter": 10}', "outside the call"),
    ('{"outcome": "answered", "duration": 9, "answerAfter": 1, '
     '"answeredAt": "2026-03-01T08:00:01Z"}', "not both"),
])
def test_garbage_is_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(DialerOutputError, match=reason):
        parse_outcome(text, attempt())


def _script(tmp_path: Path, name: str, body: str) -> list[str]:
    path = tmp_path / f"{name}.py"
    path.write_text(body, encoding="utf-8")
    return [sys.executable, str(path)]


def _dial(argv: list[str], to_place: Attempt | None = None, *,
          timeout: timedelta = 30 * S, in_doubt: frozenset[str] = frozenset()
          ) -> tuple[Placed, list[str]]:
    problems: list[str] = []
    dialer = CommandDialer(argv, timeout=timeout, clock=lambda: LATER,
                           on_problem=lambda a, why: problems.append(why), in_doubt=in_doubt)
    return asyncio.run(dialer(to_place or attempt())), problems


def test_the_dialer_reads_the_attempt_and_its_answer_is_recorded(tmp_path: Path) -> None:
    seen = tmp_path / "seen.json"
    argv = _script(tmp_path, "echo", f"""
import json, sys
attempt = json.load(sys.stdin)
open({str(seen)!r}, "w").write(json.dumps(attempt))
print(json.dumps({{"outcome": "busy", "duration": 7}}))
""")
    placed, problems = _dial(argv, in_doubt=frozenset({"m1:2"}))
    assert placed == Placed(Outcome.BUSY, T + 7 * S)
    assert problems == []
    assert json.loads(seen.read_text())["inDoubt"] is True


@pytest.mark.parametrize(("body", "reason"), [
    ("import sys; sys.exit(3)", "exited with status 3"),
    ("print('all good')", "not an outcome: not JSON"),
    ("import sys; sys.stdout.buffer.write(b'\\xff\\xfe')", "not UTF-8"),
    ("print('x' * " + str(OUTPUT_LIMIT + 10) + ")", f"more than {OUTPUT_LIMIT} bytes"),
    # Exits at once without reading its input: that is its answer (garbage here).
    ("pass", "not an outcome"),
])
def test_a_broken_dialer_is_a_failed_attempt(tmp_path: Path, body: str, reason: str) -> None:
    placed, problems = _dial(_script(tmp_path, "broken", body))
    # It ended when the failure became known: the clock's instant.
    assert placed == Placed(Outcome.FAILED, LATER)
    assert len(problems) == 1
    assert reason in problems[0]


def test_a_dialer_that_hangs_is_stopped_at_its_time_limit(tmp_path: Path) -> None:
    argv = _script(tmp_path, "hang", "import time; time.sleep(600)")
    placed, problems = _dial(argv, timeout=timedelta(milliseconds=300))
    assert placed == Placed(Outcome.FAILED, LATER)
    assert problems == ["the dialer gave no outcome within 0.3 s"]


def test_a_dialer_that_cannot_start_is_a_failed_attempt(tmp_path: Path) -> None:
    placed, problems = _dial([str(tmp_path / "no-such-dialer")])
    assert placed.outcome is Outcome.FAILED
    assert problems[0].startswith("cannot start the dialer")


def test_a_failure_known_before_the_attempt_time_ends_at_the_attempt() -> None:
    early = attempt(time=LATER + 60 * S)
    placed, _ = _dial([sys.executable, "-c", "import sys; sys.exit(1)"], early)
    assert placed == Placed(Outcome.FAILED, early.time)


def test_the_example_dialer_answers_the_same_key_the_same_way(tmp_path: Path) -> None:
    dialer = Path(__file__).resolve().parent.parent / "examples" / "dialer.py"
    calls = tmp_path / "calls.jsonl"
    argv = [sys.executable, str(dialer), "--seed", "3", "--calls", str(calls)]
    answers = [_dial(argv, attempt(k)) for k in ("a:1", "b:1", "a:1")]
    assert all(problems == [] for _, problems in answers)
    assert answers[0][0] == answers[2][0]
    # The second ask of a:1 was answered from its file, not called again.
    assert [json.loads(line)["key"] for line in calls.read_text().splitlines()] == ["a:1", "b:1"]
