"""Columnar attempt instants (issue 7): array('q') and NumPy columns equal the plan's attempts."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched.ids import SeededIds
from ivrsched.planning.columns import (
    attempt_columns,
    attempt_columns_numpy,
    first_attempts,
    first_attempts_numpy,
    slot_range,
)
from ivrsched.planning.planner import MessagePlan, plan
from ivrsched.request.model import Destination, Message, Request, SendingSpeed, TimeUnit
from ivrsched.request.status import Status
from ivrsched.rules.instants import US_PER_DAY, US_PER_MINUTE, to_us
from ivrsched.rules.pacing import Pace
from ivrsched.rules.timeline import Timeline
from tests.strategies import requests

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)


def transposed(message_plan: MessagePlan) -> list[list[int]]:
    """The reference: each accepted destination's attempts, read into columns one by one."""
    accepted = [s.attempts_us for s in message_plan if not s.status.is_rejected]
    width = 1 + len(message_plan.timeline.gaps_us)
    return [[a[k] for a in accepted if len(a) > k] for k in range(width)]


def assert_columns_match(message_plan: MessagePlan) -> None:
    expected = transposed(message_plan)
    columns = attempt_columns(message_plan)
    assert all(isinstance(c, array) and c.typecode == "q" for c in columns)
    assert [list(c) for c in columns] == expected
    numpy_columns = attempt_columns_numpy(message_plan)
    assert all(c.dtype == numpy.int64 for c in numpy_columns)
    assert [c.tolist() for c in numpy_columns] == expected
    assert list(first_attempts(message_plan)) == expected[0]
    assert first_attempts_numpy(message_plan).tolist() == expected[0]


@given(requests(max_messages=2, max_destinations=40, windows=None, rejected=True),
       st.lists(st.integers(0, 39), max_size=5), st.integers(0, 3 * 60 * 10**6))
def test_columns_equal_each_destinations_attempts(request: dict[str, Any], bad: list[int],
                                                  failure_delay_us: int) -> None:
    for message in request["messages"]:  # some rejected destinations, which take no slot
        for i in bad:
            if i < len(message["destinations"]):
                message["destinations"][i] = {"to": "not-a-number"}
    the_plan = plan(request, now=NOW, ids=SeededIds(1),
                    failure_delay=timedelta(microseconds=failure_delay_us))
    for message_plan in the_plan.messages:
        assert_columns_match(message_plan)
        assert_columns_match(message_plan[3:17])


def test_deadline_cuts_columns_to_prefixes() -> None:
    # 1 per minute, validity 10 minutes, retries 1, 2, 5 minutes after each other. Slot j's
    # attempts are at j, j+1, j+3, j+8 minutes; each must be < 10 minutes. So column 0 has slots
    # 0..9 (10 entries), column 1 slots 0..8 (9), column 2 slots 0..6 (7), column 3 slots 0..1 (2).
    message = Message("S", tuple(Destination(str(41_700_000_000 + i)) for i in range(12)),
                      validity_period=10, retry=None)
    base = plan(Request((message,)), now=NOW).messages[0]
    timeline = replace(base.timeline, gaps_us=(US_PER_MINUTE, 2 * US_PER_MINUTE,
                                               5 * US_PER_MINUTE))
    timeline = replace(timeline, pace=Pace(1, US_PER_MINUTE))
    paced = replace(base, timeline=timeline)
    assert [len(c) for c in attempt_columns(paced)] == [10, 9, 7, 2]
    assert [len(c) for c in attempt_columns_numpy(paced)] == [10, 9, 7, 2]
    assert list(attempt_columns(paced)[3]) == [to_us(NOW) + 8 * US_PER_MINUTE,
                                               to_us(NOW) + 9 * US_PER_MINUTE]


@dataclass(frozen=True)
class EveryOtherHour:
    """A test calendar: open during even UTC hours only (an independent, simple window)."""

    def next_open(self, at_us: int) -> int:
        hour = at_us // 3_600_000_000
        return at_us if hour % 2 == 0 else (hour + 1) * 3_600_000_000

    def advance(self, start_us: int, open_us: int) -> int:
        at = self.next_open(start_us)
        while True:  # walk hour by hour: the tests use small offsets
            end_of_hour = (at // 3_600_000_000 + 1) * 3_600_000_000
            if at + open_us < end_of_hour:
                return at + open_us
            open_us -= end_of_hour - at
            at = self.next_open(end_of_hour)

    def open_between(self, start_us: int, end_us: int) -> int:  # pragma: no cover - unused
        raise NotImplementedError


@given(st.integers(1, 200), st.sampled_from([TimeUnit.MINUTE, TimeUnit.HOUR]),
       st.integers(1, 30), st.one_of(st.none(), st.integers(60, 2880)))
def test_columns_under_a_window_calendar_match_slot_by_slot(speed: int, unit: TimeUnit,
                                                            count: int,
                                                            validity: int | None) -> None:
    message = Message("S", tuple(Destination(str(41_700_000_000 + i)) for i in range(count)),
                      sending_speed=SendingSpeed(speed, unit), validity_period=None)
    base = plan(Request((message,)), now=NOW).messages[0]
    deadline = None if validity is None else base.start_us + validity * US_PER_MINUTE
    timeline = Timeline(base.start_us, base.pace, deadline, (US_PER_MINUTE, 20 * US_PER_MINUTE),
                        0, EveryOtherHour())
    assert_columns_match(replace(base, timeline=timeline))


class Huge:
    """10^9 destinations on demand (none rejected)."""

    def __len__(self) -> int:
        return 10**9

    def __getitem__(self, i: int) -> Destination:
        return Destination(str(10**10 + i))


@pytest.mark.parametrize("speed", [1000, 7919, 2**40])
def test_huge_slots_do_not_overflow_int64(speed: int) -> None:
    # 1000 per day: i·U near 10^9 × 8.64·10^10 ≈ 8.6·10^19 > 2^63 ≈ 9.2·10^18, which a naive
    # int64 product overflows, while the instants (≈ 2,700 years on) are representable.
    # speed 2^40 per day makes speed·U itself exceed 2^63 (the exact Python fallback).
    message = Message("S", Huge(), sending_speed=SendingSpeed(speed, TimeUnit.DAY),  # type: ignore[arg-type]
                      validity_period=None, rejected_indices=())
    tail = plan(Request((message,)), now=NOW).messages[0][10**9 - 4:]
    assert slot_range(tail) == range(10**9 - 4, 10**9)
    expected = [to_us(NOW) + i * US_PER_DAY // speed for i in range(10**9 - 4, 10**9)]
    assert list(first_attempts(tail)) == expected
    assert first_attempts_numpy(tail).tolist() == expected


def test_slot_range_skips_rejected_positions() -> None:
    destinations = (Destination("41700000000"), Destination("", status=Status.MISSING_TO),
                    Destination("41700000001"), Destination("41700000002"))
    message_plan = plan(Request((Message("S", destinations),)), now=NOW).messages[0]
    # Positions 0..3 hold slots 0, -, 1, 2; positions 1..3 hold slots 1 and 2.
    assert slot_range(message_plan) == range(0, 3)
    assert slot_range(message_plan[1:]) == range(1, 3)
    assert slot_range(message_plan[1:2]) == range(1, 1)
    with pytest.raises(ValueError, match="consecutive"):
        slot_range(message_plan[::2])


def test_columns_under_a_real_delivery_window() -> None:
    # Mon–Fri 09:00–17:00 UTC, 10 per hour, from Friday 2030-01-04 16:00 (2030-01-01 is a
    # Tuesday): slots 0..9 at 16:00, 16:06, …, 16:54 on Friday, then slot 10 on Monday 09:00.
    request = {"messages": [{"scenarioId": "S", "sendAt": "2030-01-04T16:00:00Z",
                             "destinations": [{"to": str(41_700_000_000 + i)} for i in range(12)],
                             "sendingSpeed": {"speed": 10, "timeUnit": "hour"},
                             "retry": {"minPeriod": 30, "maxPeriod": 60, "maxCount": 2},
                             "deliveryTimeWindow": {
                                 "days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
                                 "from": {"hour": 9, "minute": 0},
                                 "to": {"hour": 17, "minute": 0}}}]}
    message_plan = plan(request, now=NOW).messages[0]
    assert_columns_match(message_plan)
    first = first_attempts(message_plan)
    friday = to_us(datetime(2030, 1, 4, 16, tzinfo=timezone.utc))
    monday = to_us(datetime(2030, 1, 7, 9, tzinfo=timezone.utc))
    assert list(first[:3]) == [friday, friday + 6 * US_PER_MINUTE, friday + 12 * US_PER_MINUTE]
    assert first[10] == monday
