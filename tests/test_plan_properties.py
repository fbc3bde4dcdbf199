"""Hypothesis properties of whole plans (SPEC S3–S5), checked against the request as given."""

from __future__ import annotations

import itertools
from bisect import bisect_left
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ivrsched import SeededIds, parse_request, plan
from ivrsched.rules.instants import US_PER_MINUTE, to_us
from ivrsched.rules.retry import LADDER
from tests.strategies import requests

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
UNIT_US = {"second": 10**6, "minute": 60 * 10**6, "hour": 3600 * 10**6, "day": 86400 * 10**6}


@given(requests(), st.integers(0, 120))
def test_every_destination_is_accounted_for_exactly_once(data: dict[str, Any],
                                                         delay_s: int) -> None:
    the_plan = plan(data, now=NOW, ids=SeededIds(0), failure_delay=timedelta(seconds=delay_s))
    seen = [(s.message, s.index) for s in the_plan]
    expected = [(m, i) for m, message in enumerate(data["messages"])
                for i in range(len(message["destinations"]))]
    assert seen == expected
    assert len(the_plan) == len(expected)
    assert len({s.message_id for s in the_plan}) == len(expected)


@given(requests())
def test_pacing_cap_holds_in_every_half_open_unit_window(data: dict[str, Any]) -> None:
    the_plan = plan(data, now=NOW, ids=SeededIds(0))
    for message, message_plan in zip(data["messages"], the_plan.messages, strict=True):
        speed = message.get("sendingSpeed")
        firsts = sorted(s.attempts_us[0] for s in message_plan if s.attempts_us)
        if speed is None:
            assert len(set(firsts)) <= 1
            continue
        unit = UNIT_US[speed["timeUnit"]]
        for i, start in enumerate(firsts):
            assert bisect_left(firsts, start + unit) - i <= speed["speed"]


@given(requests(), st.integers(0, 600))
def test_no_attempt_at_or_after_the_deadline_and_none_before_the_start(
        data: dict[str, Any], delay_s: int) -> None:
    the_plan = plan(data, now=NOW, ids=SeededIds(0), failure_delay=timedelta(seconds=delay_s))
    for message, message_plan in zip(data["messages"], the_plan.messages, strict=True):
        start = to_us(NOW)
        if "sendAt" in message:
            start = max(start, to_us(datetime.fromisoformat(message["sendAt"])))
        validity = min(message.get("validityPeriod", 2880), 2880)
        deadline = None if "sendingSpeed" in message else start + validity * US_PER_MINUTE
        assert message_plan.deadline_us == deadline
        for schedule in message_plan:
            for at in schedule.attempts_us:
                assert at >= start
                assert deadline is None or at < deadline


def snapped(minutes: int) -> int:
    return min([r for r in LADDER if r >= minutes] or [1440])


@given(requests(), st.integers(0, 600))
def test_retry_gaps_climb_the_ladder_and_count_is_capped(data: dict[str, Any],
                                                         delay_s: int) -> None:
    delay = delay_s * 10**6
    the_plan = plan(data, now=NOW, ids=SeededIds(0), failure_delay=timedelta(seconds=delay_s))
    for message, message_plan in zip(data["messages"], the_plan.messages, strict=True):
        retry = message.get("retry")
        for schedule in message_plan:
            attempts = schedule.attempts_us
            if retry is None:
                assert len(attempts) <= 1
                continue
            assert len(attempts) <= 1 + min(retry["maxCount"], 4)
            # Recompute the expected gap independently: start at the snapped minimum, move one
            # rung up per retry, never above the snapped maximum.
            gap = snapped(retry["minPeriod"])
            top = snapped(retry["maxPeriod"])
            for before, after in itertools.pairwise(attempts):
                assert after - before == delay + gap * US_PER_MINUTE
                gap = min(LADDER[min(LADDER.index(gap) + 1, len(LADDER) - 1)], top)


@given(requests(max_messages=1), st.integers(-10**9, 10**11))
def test_time_to_count_agrees_with_enumeration(data: dict[str, Any], shift: int) -> None:
    the_plan = plan(data, now=NOW, ids=SeededIds(0))
    message_plan = the_plan.messages[0]
    at = message_plan.start_us + shift
    brute = sum(1 for s in message_plan if s.attempts_us and s.attempts_us[0] < at)
    assert message_plan.first_attempts_before(at) == brute


@given(requests(max_messages=1), st.data())
def test_slices_are_lazy_views_with_the_same_entries(data: dict[str, Any],
                                                     draw: st.DataObject) -> None:
    message_plan = plan(data, now=NOW, ids=SeededIds(0)).messages[0]
    n = len(message_plan)
    start = draw.draw(st.integers(-n, n))
    stop = draw.draw(st.integers(-n, n))
    step = draw.draw(st.sampled_from([1, 2, 3, -1]))
    everything = list(message_plan)
    assert list(message_plan[start:stop:step]) == everything[start:stop:step]


@given(requests())
def test_parsed_and_dict_requests_plan_alike(data: dict[str, Any]) -> None:
    assert plan(parse_request(data), now=NOW, ids=SeededIds(5)) == plan(
        data, now=NOW, ids=SeededIds(5))
