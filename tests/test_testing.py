"""The public Hypothesis strategies of ``ivrsched.testing`` produce what they promise."""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from ivrsched import RequestError, SeededIds, parse_request, plan, verify
from ivrsched.io.outcome_files import load_outcomes_jsonl
from ivrsched.rules.instants import parse_instant
from ivrsched.testing import (
    DEFAULT_NOW,
    OUTCOMES,
    TIME_ZONES,
    attempt_logs,
    delivery_time_windows,
    invalid_requests,
    outcome_tables,
    requests,
    send_ats,
)

IDS = SeededIds(3)


def test_importing_without_hypothesis_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "ivrsched.testing")
    monkeypatch.delitem(sys.modules, "ivrsched.oracle.strategies")
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # makes `import hypothesis` fail
    with pytest.raises(ImportError, match=r"pip install 'ivrsched\[test\]'"):
        importlib.import_module("ivrsched.testing")


@given(requests(max_destinations=6, rejected=True, message_ids=True, windows=None))
def test_generated_requests_are_valid(data: dict[str, Any]) -> None:
    request = parse_request(data)
    assert request.shape == "messages"
    assert 1 <= len(request.messages) <= 3


@given(requests(max_destinations=3, paced=True, retry=False, windows=True, send_at=False,
                validity=False))
def test_knobs_set_to_true_or_false_always_hold(data: dict[str, Any]) -> None:
    for message in data["messages"]:
        assert "sendingSpeed" in message
        assert "deliveryTimeWindow" in message
        assert not {"retry", "sendAt", "validityPeriod"} & set(message)
    parse_request(data)


@given(requests(max_messages=2, max_destinations=5, min_destinations=3))
def test_sizes_are_bounded(data: dict[str, Any]) -> None:
    assert 1 <= len(data["messages"]) <= 2
    assert all(3 <= len(m["destinations"]) <= 5 for m in data["messages"])
    assert all("deliveryTimeWindow" not in m for m in data["messages"])  # windows default off


@given(requests(max_destinations=6, message_ids=True))
def test_given_message_ids_are_unique_without_rejections(data: dict[str, Any]) -> None:
    ids = [d["messageId"] for m in data["messages"] for d in m["destinations"]
           if "messageId" in d]
    assert len(ids) == len(set(ids))


@given(invalid_requests())
def test_invalid_requests_fail_with_exactly_the_expected_paths(
        case: tuple[dict[str, Any], frozenset[str]]) -> None:
    data, expected = case
    with pytest.raises(RequestError) as info:
        parse_request(data)
    assert {problem.path for problem in info.value.errors} == expected


@given(requests(max_messages=2, max_destinations=6, message_ids=True, rejected=True),
       st.data())
def test_outcome_tables_cover_every_planned_attempt(data: dict[str, Any],
                                                    draw: st.DataObject) -> None:
    rows = draw.draw(outcome_tables(data, DEFAULT_NOW, ids=IDS))
    the_plan = plan(data, now=DEFAULT_NOW, ids=IDS)
    assert len(rows) == sum(len(s.attempts_us) for s in the_plan)
    assert all(r["outcome"] in OUTCOMES and r["duration_us"] >= 0 for r in rows)
    # The rows read as an outcomes file, with the same durations.
    table = load_outcomes_jsonl(json.dumps(r) + "\n" for r in rows)
    for schedule in the_plan:
        for attempt in range(1, len(schedule.attempts_us) + 1):
            outcome = table.outcome(schedule, attempt)
            wanted = next(r for r in rows if r["attempt"] == attempt and
                          r.get("messageId", r.get("to")) in (schedule.message_id, schedule.to))
            assert outcome.duration_us == wanted["duration_us"]
            assert outcome.kind.value == wanted["outcome"]


@given(requests(max_messages=2, max_destinations=6, retry=True), st.data())
def test_attempt_logs_without_lateness_conform_exactly_also_with_ends(
        data: dict[str, Any], draw: st.DataObject) -> None:
    # The docstring promises exact=True for late=False; with ends the retries must still be at
    # their planned instants, which S11's gap from the end only allows for calls of length 0.
    log = draw.draw(attempt_logs(data, DEFAULT_NOW, ids=IDS, late=False, ends=True))
    assert verify(data, log, now=DEFAULT_NOW, ids=IDS, exact=True) == []


@given(requests(max_messages=2, max_destinations=6), st.data())
def test_attempt_logs_without_lateness_are_prefixes_of_the_plan(data: dict[str, Any],
                                                                draw: st.DataObject) -> None:
    log = draw.draw(attempt_logs(data, DEFAULT_NOW, ids=IDS, late=False, ends=False))
    the_plan = plan(data, now=DEFAULT_NOW, ids=IDS)
    planned = {}
    for schedule in the_plan:
        planned[schedule.message_id] = schedule
        if schedule.to:
            planned.setdefault(schedule.to, schedule)
    for row in log:
        schedule = planned[row.get("messageId", row.get("to"))]
        assert row["time"] == schedule.rendered_attempts()[row["attempt"] - 1]
    times = [parse_instant(row["time"])[0] for row in log]
    assert times == sorted(times)


#: Finding an example is enough here; shrinking it to the simplest one would only cost time.
FIND = settings(phases=[Phase.generate], database=None, max_examples=5000)


def test_windows_get_every_kind_of_time_zone_and_send_ats_reach_the_dst_months() -> None:
    for zone in TIME_ZONES:
        found = find(delivery_time_windows(), lambda w, zone=zone: w.get("timeZone") == zone,
                     settings=FIND)
        assert found["timeZone"] == zone
    assert "timeZone" not in find(delivery_time_windows(), lambda w: True)  # none: UTC
    never = find(delivery_time_windows(time_zones=False), lambda w: True)
    assert "timeZone" not in never
    assert "timeZone" in find(delivery_time_windows(time_zones=True), lambda w: True)
    for month in ("01", "03", "04", "09", "10", "11"):
        assert find(send_ats(), lambda s, m=month: s[5:7] == m, settings=FIND)[5:7] == month


@given(delivery_time_windows(time_zones=True), send_ats())
def test_zoned_windows_and_send_ats_parse(window: dict[str, Any], send_at: str) -> None:
    message = {"scenarioId": "S", "destinations": [{"to": "41793026700"}],
               "deliveryTimeWindow": window, "sendAt": send_at}
    parsed = parse_request({"messages": [message]}).messages[0]
    assert parsed.delivery_time_window is not None
    assert parsed.delivery_time_window.time_zone == window["timeZone"]
