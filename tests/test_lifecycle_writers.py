"""Lifecycle events (S13) seen by every writer: the vectorised writers give the row writers'
bytes under pauses, cancels and reschedules, with and without a window; and exact timing
checks need the events when a pause moved an attempt."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ivrsched import plan, simulate, verify
from ivrsched.ids import SeededIds
from ivrsched.io import chunked, plan_formats
from ivrsched.rules.lifecycle import LifecycleError, LifecycleEvent, Operation
from ivrsched.simulation.outcomes import AttemptOutcome, Constant, Outcome
from ivrsched.testing import DEFAULT_NOW, requests

NOW = datetime(2030, 1, 1, 11, 0, tzinfo=timezone.utc)
SEED = 11


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 1, 1, hour, minute, tzinfo=timezone.utc)


def ev(op: str, when: datetime, send_at: datetime | None = None) -> LifecycleEvent:
    return LifecycleEvent.of(op, when, send_at)


def paced(n: int, **extra: Any) -> dict[str, Any]:
    """n destinations, 10 an hour from 12:00 (one every 6 minutes)."""
    message = {"scenarioId": "S", "sendAt": "2030-01-01T12:00:00.000+00:00",
               "sendingSpeed": {"speed": 10, "timeUnit": "hour"},
               "destinations": [{"to": f"4179{i:07d}"} for i in range(n)], **extra}
    return {"messages": [message]}


@pytest.mark.parametrize("window", [None, {"days": ["TUESDAY"], "from": {"hour": 12, "minute": 10},
                                           "to": {"hour": 14, "minute": 0}}])
@pytest.mark.parametrize("events", [
    [ev("pause", at(12, 20)), ev("resume", at(13))],
    [ev("cancel", at(12, 30))],
    [ev("reschedule", at(11, 30), at(12, 40))],
])
def test_every_writer_agrees_under_events(window: dict[str, Any] | None,
                                          events: list[LifecycleEvent]) -> None:
    extra: dict[str, Any] = {"retry": {"minPeriod": 1, "maxPeriod": 5, "maxCount": 3}}
    if window is not None:
        extra["deliveryTimeWindow"] = window
    the_plan = plan(paced(30, **extra), now=NOW, ids=SeededIds(1), events=events)
    rows, vectorised = io.StringIO(), io.StringIO()
    plan_formats.write_jsonl(the_plan, rows)
    chunked.write_plan_jsonl(the_plan, vectorised)
    assert rows.getvalue() == vectorised.getvalue()
    expected = [s.rendered_attempts() for s in the_plan]
    assert [json.loads(line)["attempts"] for line in rows.getvalue().splitlines()] == expected


@st.composite
def paused_campaigns(draw: st.DrawFn) -> tuple[dict[str, Any], tuple[LifecycleEvent, ...]]:
    """A request and pause/resume pairs whose instants fall inside its campaign."""
    request = draw(requests(max_messages=2, max_destinations=6, windows=None))
    base = plan(request, now=DEFAULT_NOW, ids=SeededIds(SEED))
    attempts = [t for s in base for t in s.attempts_us]
    assume(attempts)
    lo, hi = min(attempts), max(attempts) + 60_000_000
    points = sorted(set(draw(st.lists(st.integers(0, 1000), min_size=2, max_size=6))))
    if len(points) % 2:
        points = points[:-1]
    assume(points)
    events = tuple(LifecycleEvent(Operation.PAUSE if k % 2 == 0 else Operation.RESUME,
                                  lo + p * (hi - lo) // 1000) for k, p in enumerate(points))
    try:
        plan(request, now=DEFAULT_NOW, ids=SeededIds(SEED), events=events)
    except LifecycleError:
        assume(False)
    return request, events


#: Every attempt fails at once: the realised retries are the planned ones (failure delay 0).
FAILING = Constant(AttemptOutcome(Outcome.FAILED, 0))


@settings(max_examples=50, suppress_health_check=[HealthCheck.filter_too_much,
                                                  HealthCheck.too_slow])
@given(paused_campaigns())
def test_exact_timing_needs_the_events_when_a_pause_moved_an_attempt(
        campaign: tuple[dict[str, Any], tuple[LifecycleEvent, ...]]) -> None:
    request, events = campaign
    paused = plan(request, now=DEFAULT_NOW, ids=SeededIds(SEED), events=events)
    log = [e.record() for e in simulate(paused, FAILING).events()]
    assert verify(request, log, now=DEFAULT_NOW, ids=SeededIds(SEED), exact=True,
                  events=events) == []
    plain = plan(request, now=DEFAULT_NOW, ids=SeededIds(SEED))
    # Without the events, exact timing fails iff the pauses moved or dropped an attempt the
    # paused run made: its attempts are not a prefix of the unpaused plan's.
    moved = any(p.attempts_us != u.attempts_us[:len(p.attempts_us)]
                for p, u in zip(paused, plain, strict=True))
    found = verify(request, log, now=DEFAULT_NOW, ids=SeededIds(SEED), exact=True)
    assert bool(found) == moved
    assert {v.rule for v in found} <= {"exact-time"}
