"""Planning from a stream of destinations (issue 7): same schedules as a plan, constant memory."""

from __future__ import annotations

import io
import json
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched.errors import PlanRangeError
from ivrsched.ids import SeededIds
from ivrsched.io.destination_files import DestinationFile
from ivrsched.io.plan_formats import deadline_json, jsonl_line, schedule_record, write_jsonl
from ivrsched.planning.planner import DestinationSchedule, plan
from ivrsched.planning.streaming import (
    message_id_function,
    stream_plan,
    stream_schedules,
    without_destinations,
    write_jsonl_stream,
)
from ivrsched.request.destinations import MessageIdRegistry, destination_status
from ivrsched.request.model import Destination, Request
from ivrsched.request.parsing import parse_request
from ivrsched.request.status import Status
from ivrsched.rules.instants import US_PER_MINUTE, US_PER_SECOND, format_us, to_us
from tests.strategies import requests

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
MESSAGE = {"scenarioId": "S", "destinations": [{"to": "10000000"}],
           "sendingSpeed": {"speed": 100, "timeUnit": "second"},
           "retry": {"minPeriod": 1, "maxPeriod": 10, "maxCount": 4}}
PACED = {"messages": [MESSAGE]}


def destinations_of(addresses: list[str | None], ids: list[str | None]) -> list[Destination]:
    registry = MessageIdRegistry()
    found = []
    for line, (to, message_id) in enumerate(zip(addresses, ids, strict=True), start=1):
        status, reason = destination_status(to, message_id, registry)
        found.append(Destination(to, message_id, status, reason, line))
    return found


addresses = st.lists(st.one_of(st.from_regex(r"[1-9][0-9]{6,14}", fullmatch=True),
                               st.sampled_from(["", "abc", "0123456", "12", None])),
                     min_size=0, max_size=25)


@given(requests(max_messages=1, windows=None), addresses, st.data())
def test_a_stream_plans_exactly_like_a_plan_of_the_same_destinations(
        request: dict[str, Any], to: list[str | None], data: st.DataObject) -> None:
    ids_given = data.draw(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "c"])),
                                   min_size=len(to), max_size=len(to)))
    destinations = destinations_of(to, ids_given)
    parsed = parse_request(request)
    # The reference: the ordinary lazy plan over the same destinations as a tuple.
    full = replace(parsed, messages=(replace(parsed.messages[0], destinations=tuple(destinations),
                                             rejected_indices=None),))
    reference = plan(full, now=NOW, ids=SeededIds(3))
    streaming = stream_plan(parsed, iter(destinations), now=NOW, ids=SeededIds(3))
    assert list(streaming) == list(reference.messages[0])

    out = io.StringIO()
    summary = stream_plan(parsed, destinations, now=NOW, ids=SeededIds(3)).write_jsonl(out)
    expected = io.StringIO()
    write_jsonl(reference, expected)
    assert out.getvalue() == expected.getvalue()  # byte for byte
    assert summary.destinations == len(destinations)
    assert summary.accepted == sum(1 for d in destinations if d.accepted)
    assert sum(summary.rejected_by_status.values()) == summary.rejected


@given(st.one_of(st.integers(), st.text(max_size=10)), st.integers(0, 5), st.integers(0, 10**12))
def test_fast_message_ids_equal_seeded_ids(seed: int | str, message: int, index: int) -> None:
    ids = SeededIds(seed)
    assert message_id_function(ids, message)(index) == ids.message_id(message, index)


def test_other_id_sources_are_called_as_they_are() -> None:
    class Counting:
        def bulk_id(self) -> str:
            return "bulk"

        def message_id(self, message: int, index: int) -> str:
            return f"{message}-{index}"

    assert message_id_function(Counting(), 2)(7) == "2-7"


@given(st.text(max_size=15), st.one_of(st.none(), st.text(max_size=15)),
       st.sampled_from(list(Status)), st.one_of(st.none(), st.integers(1, 10**9)),
       st.lists(st.integers(0, 10**17), max_size=5))
def test_jsonl_line_is_byte_identical_to_json_dumps(message_id: str, to: str | None,
                                                    status: Status, line: int | None,
                                                    attempts: list[int]) -> None:
    schedule = DestinationSchedule(1, 42, Destination(to, None, status, None, line), message_id,
                                   tuple(attempts), 60)
    expected = json.dumps(schedule_record(schedule, 10**16), ensure_ascii=False) + "\n"
    rendered = [format_us(at, 60) for at in attempts]
    line_text = jsonl_line(1, 42, schedule.destination, message_id, rendered,
                           deadline_json(10**16, 60))
    assert line_text == expected


def test_a_200000_line_file_streams_with_every_line_accounted_for(tmp_path: Path) -> None:
    lines = 200_000
    bad = {1: "0041793026727", 7: "abc", 50_000: "+0793026727", 123_456: "4179302672x",
           200_000: "12"}
    source = tmp_path / "numbers.txt"
    with source.open("w", encoding="utf-8") as handle:
        for number in range(1, lines + 1):
            handle.write(bad.get(number, str(41_700_000_000 + number)) + "\n")
    target = tmp_path / "plan.jsonl"
    streaming = stream_plan(PACED, DestinationFile.open(source), now=NOW, ids=SeededIds(1))
    with target.open("w", encoding="utf-8") as out:
        summary = streaming.write_jsonl(out)

    assert (summary.destinations, summary.accepted, summary.rejected) == (lines, lines - 5, 5)
    assert dict(summary.rejected_by_status) == {Status.REJECTED_INVALID_DESTINATION: 5}
    assert [d.line for d in summary.examples] == sorted(bad)
    rows = 0
    start = to_us(NOW)
    with target.open(encoding="utf-8") as handle:
        for rows, text in enumerate(handle, start=1):
            row = json.loads(text)
            assert row["line"] == rows and row["index"] == rows - 1
            if rows in bad:
                assert row["to"] == bad[rows] and row["attempts"] == []
                assert row["status"] == "REJECTED_INVALID_DESTINATION"
            elif rows in (2, 100_000):
                # Line 2 is the first accepted one (line 1 starts with 0): slot 0, at the start.
                # Line 100000 has lines 1 and 7 and 50000 rejected before it: slot 99996, at
                # 99996 × 10 ms = 999.96 s after the start; retries 1, 2, 5, 10 min apart.
                slot = 0 if rows == 2 else 99_996
                first = start + slot * 10_000
                gaps = [0, 1, 3, 8, 18]  # minutes after the first attempt, cumulated
                expected = [first + g * US_PER_MINUTE for g in gaps]
                assert [to_us(datetime.fromisoformat(a)) for a in row["attempts"]] == expected
    assert rows == lines


class Sink(io.TextIOBase):
    """Discards what is written, so that only the planner's own memory is measured."""

    def write(self, text: str) -> int:
        return len(text)


def numbers(count: int) -> Iterator[Destination]:
    for i in range(count):
        yield Destination(str(41_700_000_000 + i), None, Status.PENDING_ACCEPTED, None, i + 1)


def peak_bytes(count: int) -> int:
    header = stream_plan(PACED, (), now=NOW, ids=SeededIds(1)).header
    tracemalloc.start()
    try:
        write_jsonl_stream(header, numbers(count), Sink())
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streaming_memory_does_not_grow_with_the_number_of_destinations() -> None:
    peak_bytes(100)  # warm up: first-use caches (regular expressions, rendering tables)
    small, large = peak_bytes(2_000), peak_bytes(20_000)
    # Ten times the destinations, and the peak is the same up to a few bytes of cache: a list
    # entry per destination would add at least 18,000 × 8 bytes = 144 KB.
    assert large - small < 16 * 1024, (small, large)


def test_schedules_stream_lazily_from_an_endless_source() -> None:
    def endless() -> Iterator[Destination]:
        i = 0
        while True:
            yield Destination(str(41_700_000_000 + i))
            i += 1

    header = stream_plan(PACED, (), now=NOW, ids=SeededIds(1)).header
    schedules = stream_schedules(header, endless())
    for _ in range(999):
        next(schedules)
    # The 1000th destination is slot 999: 999 × 10 ms = 9.99 s after the start.
    assert next(schedules).attempts_us[0] == to_us(NOW) + 9_990_000


def test_a_stream_leaving_year_9999_is_an_error_when_reached() -> None:
    request = {"messages": [{**MESSAGE, "sendingSpeed": {"speed": 1, "timeUnit": "day"},
                             "sendAt": "9999-12-30T00:00:00Z"}]}
    schedules = iter(stream_plan(request, numbers(5), now=NOW, ids=SeededIds(1)))
    # Slot 0 is on 9999-12-30 and slot 1 on 9999-12-31, each with retries up to 18 minutes
    # later: still in range. Slot 2 would be on 10000-01-01.
    assert [next(schedules).index, next(schedules).index] == [0, 1]
    with pytest.raises(PlanRangeError):
        next(schedules)


def test_without_destinations_keeps_the_other_messages() -> None:
    request = parse_request({"messages": [MESSAGE, {**MESSAGE, "scenarioId": "T"}]})
    emptied = without_destinations(request, 1)
    assert emptied.messages[0] == request.messages[0]
    assert emptied.messages[1].destinations == () and emptied.messages[1].scenario_id == "T"
    with pytest.raises(IndexError):
        without_destinations(request, 2)
    assert isinstance(emptied, Request)


def test_more_than_20000_destinations_add_s7_notice() -> None:
    header = stream_plan(PACED, (), now=NOW, ids=SeededIds(1)).header
    summary = write_jsonl_stream(header, numbers(20_001), Sink())
    assert [n.code for n in summary.notices()] == ["too-many-destinations"]
    assert write_jsonl_stream(header, numbers(20_000), Sink()).notices() == ()


def test_pacing_is_per_accepted_destination_of_the_stream() -> None:
    stream = [Destination("41793026727"), Destination("x", status=Status.MISSING_TO),
              Destination("41793026728")]
    header = stream_plan(PACED, (), now=NOW, ids=SeededIds(1)).header
    found = list(stream_schedules(header, stream))
    # The rejected one takes no slot: the third destination is slot 1, 10 ms after the start.
    assert [s.attempts_us[:1] for s in found] == [(to_us(NOW),), (),
                                                   (to_us(NOW) + US_PER_SECOND // 100,)]


def test_attempts_are_checked_in_the_offset_they_are_rendered_in() -> None:
    from ivrsched.errors import PlanRangeError
    from ivrsched.planning.streaming import attempts_function
    from ivrsched.rules.instants import MAX_US, US_PER_HOUR
    from ivrsched.rules.timeline import Timeline

    # A first attempt 12 h before the last representable UTC instant is in range in UTC, but
    # reads as year 10000 at +14:00, the offset its row would be written in (S1, S12).
    timeline = Timeline(start_us=MAX_US - 12 * US_PER_HOUR)
    assert attempts_function(timeline)(0) == (MAX_US - 12 * US_PER_HOUR,)
    with pytest.raises(PlanRangeError, match="\\+14:00"):
        attempts_function(timeline, 14 * 60)(0)
