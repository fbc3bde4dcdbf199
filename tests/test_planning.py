"""The time line of SPEC S2–S5 through the public ``plan`` function."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from freezegun import freeze_time

from ivrsched import PlanRangeError, SeededIds, plan
from ivrsched.rules.instants import US_PER_MINUTE, US_PER_SECOND, to_us

NOW = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)  # a Monday
MIN = US_PER_MINUTE


def request(n: int = 1, **fields: Any) -> dict[str, Any]:
    destinations = [{"to": f"4179302{6700 + i:04d}"} for i in range(n)]
    return {"messages": [{"scenarioId": "S", "destinations": destinations, **fields}]}


def offsets(request_data: dict[str, Any], index: int = 0, **kwargs: Any) -> list[int]:
    """Attempt times of one destination, in µs after NOW."""
    the_plan = plan(request_data, now=NOW, ids=SeededIds(1), **kwargs)
    start = to_us(NOW)
    return [t - start for t in the_plan.messages[0][index].attempts_us]


def test_ten_per_hour_spaces_first_attempts_six_minutes_apart() -> None:
    the_plan = plan(request(25, sendingSpeed={"speed": 10, "timeUnit": "hour"}), now=NOW)
    firsts = [s.attempts_us[0] for s in the_plan.messages[0]]
    assert [b - a for a, b in itertools.pairwise(firsts)] == [6 * MIN] * 24


def test_without_sending_speed_everyone_starts_at_the_start() -> None:
    the_plan = plan(request(5), now=NOW)
    assert {s.attempts_us[0] for s in the_plan.messages[0]} == {to_us(NOW)}


def test_validity_cuts_the_retry_ladder() -> None:
    # retry (1,5,4): gaps 1, 2, 5, 5 min → attempts at 0, 1, 3, 8, 13 min; validity 10 min
    # means the deadline is +10 min, so the attempt at +13 is dropped.
    data = request(1, validityPeriod=10, retry={"minPeriod": 1, "maxPeriod": 5, "maxCount": 4})
    assert offsets(data) == [0, 1 * MIN, 3 * MIN, 8 * MIN]


def test_sending_speed_lifts_the_deadline() -> None:
    data = request(1, validityPeriod=10, retry={"minPeriod": 1, "maxPeriod": 5, "maxCount": 4},
                   sendingSpeed={"speed": 1, "timeUnit": "second"})
    assert offsets(data) == [0, 1 * MIN, 3 * MIN, 8 * MIN, 13 * MIN]
    assert plan(data, now=NOW).messages[0].deadline is None


def test_failure_delay_adds_up_at_every_retry() -> None:
    # gaps 1, 2, 5, 5 min each after the previous attempt + 45 s:
    # 0:00 → 1:45 → 4:30 → 10:15 → 16:00.
    data = request(1, retry={"minPeriod": 1, "maxPeriod": 5, "maxCount": 4},
                   sendingSpeed={"speed": 1, "timeUnit": "hour"})
    s = US_PER_SECOND
    assert offsets(data, failure_delay=timedelta(seconds=45)) == [
        0, 105 * s, 270 * s, 615 * s, 960 * s]
    without = offsets(data)
    with_delay = offsets(data, failure_delay=timedelta(seconds=45))
    assert [b - a for a, b in zip(without, with_delay, strict=True)] == [
        0, 45 * s, 90 * s, 135 * s, 180 * s]


def test_past_send_at_starts_now_with_a_notice() -> None:
    the_plan = plan(request(1, sendAt="2016-07-07T17:00:00.000+01:00"), now=NOW)
    assert the_plan.messages[0].start_us == to_us(NOW)
    assert [n.code for n in the_plan.notices if n.path == "/messages/0/sendAt"] == ["send-at-past"]


def test_future_send_at_is_the_start_rendered_in_its_own_offset() -> None:
    the_plan = plan(request(1, sendAt="2030-01-08T17:00:00.000+01:00"), now=NOW)
    first = the_plan.messages[0][0]
    assert first.rendered_attempts() == ["2030-01-08T17:00:00.000+01:00"]
    assert the_plan.messages[0].start == datetime(2030, 1, 8, 16, 0, tzinfo=timezone.utc)
    assert not [n for n in the_plan.notices if n.code.startswith("send-at")]


def test_send_at_beyond_180_days_adds_a_notice() -> None:
    the_plan = plan(request(1, sendAt="2030-07-08T09:00:00Z"), now=NOW)  # 182 days later
    assert "send-at-far" in {n.code for n in the_plan.notices}


def test_without_now_the_clock_is_read_once() -> None:
    calls: list[int] = []

    def clock() -> datetime:
        calls.append(1)
        return NOW

    the_plan = plan(request(3, sendingSpeed={"speed": 1, "timeUnit": "minute"}), clock=clock)
    list(the_plan)
    assert len(calls) == 1
    assert the_plan.messages[0].start_us == to_us(NOW)


@freeze_time("2031-02-03 04:05:06.789")
def test_default_clock_is_the_system_clock() -> None:
    the_plan = plan(request(1))
    assert the_plan.messages[0].start == datetime(2031, 2, 3, 4, 5, 6, 789000, tzinfo=timezone.utc)


def test_plans_near_year_9999_fail_clearly() -> None:
    late = datetime(9999, 12, 31, 23, 0, tzinfo=timezone.utc)
    with pytest.raises(PlanRangeError, match="9999"):
        plan(request(100, sendingSpeed={"speed": 1, "timeUnit": "hour"}), now=late)


def test_plan_whose_instants_leave_year_9999_in_the_send_at_offset_is_refused() -> None:
    # sendAt 9999-12-31T09:00+14:00 is 9999-12-30T19:00Z; validity 1500 min = 25 h puts the
    # deadline at 9999-12-31T20:00Z, in range in UTC but 10000-01-01T10:00 at +14:00, the offset
    # every instant of the message is rendered in (S1). S12: an error, not a ValueError later.
    data = request(1, sendAt="9999-12-31T09:00:00+14:00", validityPeriod=1500,
                   retry={"minPeriod": 1440, "maxPeriod": 1440, "maxCount": 1})
    with pytest.raises(PlanRangeError, match=r"\+14:00"):
        plan(data, now=datetime(9999, 12, 1, tzinfo=timezone.utc))


def test_plans_are_values() -> None:
    data = request(4, sendingSpeed={"speed": 2, "timeUnit": "minute"})
    assert plan(data, now=NOW, ids=SeededIds(3)) == plan(data, now=NOW, ids=SeededIds(3))
    assert plan(data, now=NOW, ids=SeededIds(3)) != plan(data, now=NOW, ids=SeededIds(4))


def test_rejected_destinations_take_no_pacing_slot() -> None:
    data = request(0, sendingSpeed={"speed": 1, "timeUnit": "minute"})
    data["messages"][0]["destinations"] = [{"to": "41793026700"}, {"to": "abc"}, {},
                                           {"to": "41793026701"}]
    message_plan = plan(data, now=NOW).messages[0]
    assert [len(s.attempts_us) for s in message_plan] == [1, 0, 0, 1]
    assert message_plan[3].attempts_us[0] - message_plan[0].attempts_us[0] == MIN
    assert [s.status.value.id for s in message_plan] == [26, 52, 51, 26]


def test_a_huge_message_is_lazy_and_random_access_is_exact() -> None:
    from ivrsched.request.model import Destination, Message, Request, SendingSpeed, TimeUnit

    class Numbers:
        """A read-only sequence of 10^9 destinations that exists only on demand."""

        def __len__(self) -> int:
            return 10**9

        def __getitem__(self, i: int) -> Destination:
            return Destination(to=str(10**10 + i))

    message = Message("S", Numbers(), sending_speed=SendingSpeed(1000, TimeUnit.SECOND),  # type: ignore[arg-type]
                      validity_period=None, rejected_indices=())
    message_plan = plan(Request((message,)), now=NOW).messages[0]
    assert len(message_plan) == 10**9
    last = message_plan[-1]
    assert last.index == 10**9 - 1
    assert last.attempts_us[0] - to_us(NOW) == (10**9 - 1) * US_PER_SECOND // 1000
    assert message_plan.first_attempts_before(to_us(NOW) + US_PER_SECOND) == 1000
    window = message_plan[10**9 - 5:]
    assert [s.index for s in window] == list(range(10**9 - 5, 10**9))


def test_notices_of_a_flat_request_point_into_the_flat_shape() -> None:
    flat = {"scenarioId": "S", "to": ["41793026727"], "sendAt": "2016-07-07T17:00:00Z"}
    the_plan = plan(flat, now=NOW)
    assert [n.path for n in the_plan.notices if n.code == "send-at-past"] == ["/sendAt"]


def test_seeded_ids_are_uuid4_text_and_reproducible() -> None:
    import uuid

    ids = SeededIds("s")
    text = ids.message_id(2, 9)
    parsed = uuid.UUID(text)
    assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, text)
    assert ids.message_ids(2)(9) == text == SeededIds("s").message_id(2, 9)
    assert text != ids.message_id(2, 10) and text != ids.message_id(3, 9)


def test_with_message_replaces_one_message_and_checks_its_index() -> None:
    from dataclasses import replace

    from ivrsched import parse_request

    parsed = parse_request({"messages": [request(1)["messages"][0], request(2)["messages"][0]]})
    renamed = replace(parsed.messages[1], scenario_id="T")
    changed = parsed.with_message(1, renamed)
    assert [m.scenario_id for m in changed.messages] == ["S", "T"]
    assert changed.messages[0] is parsed.messages[0] and changed.notices == parsed.notices
    with pytest.raises(IndexError):
        parsed.with_message(2, renamed)
