"""verify's fast path (ivrsched.oracle.column_checks) changes no report: on random logs, clean
and broken, the report is the one the scalar verifier alone writes; and it clears the messages
a conforming log has (so the scalar checks are skipped for them)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivrsched.ids import SeededIds
from ivrsched.oracle import column_checks, conformance
from ivrsched.oracle.conformance import VerificationReport, verify_report
from ivrsched.rules.instants import format_us, parse_instant
from ivrsched.testing import DEFAULT_NOW, attempt_logs, requests

IDS = SeededIds(4)


def _scalar_report(request: Any, log: list[dict[str, Any]], **options: Any
                   ) -> VerificationReport:
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(conformance._Verifier, "_cleared", lambda self: {})
        return verify_report(request, log, now=DEFAULT_NOW, ids=IDS, **options)


def _broken(draw: st.DrawFn, log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``log`` with a few rows moved in time, renumbered, repeated or dropped."""
    rows = [dict(row) for row in log]
    for _ in range(draw(st.integers(0, 3))):
        if not rows:
            break
        i = draw(st.integers(0, len(rows) - 1))
        fault = draw(st.sampled_from(["shift", "number", "repeat", "drop", "end"]))
        if fault == "shift":
            us, offset = parse_instant(rows[i]["time"])
            delta = draw(st.sampled_from([-1, 1, -60_000_000, 3_600_000_000, -86_400_000_000,
                                          7 * 86_400_000_000]))
            rows[i]["time"] = format_us(us + delta, offset)
            rows[i].pop("end", None)  # an end before the time is an unreadable row
        elif fault == "number":
            rows[i]["attempt"] = draw(st.integers(1, 7))
        elif fault == "repeat":
            rows.append(dict(rows[i]))
        elif fault == "drop":
            del rows[i]
        else:
            us, offset = parse_instant(rows[i]["time"])
            rows[i]["end"] = format_us(us + draw(st.integers(0, 2 * 3_600_000_000)), offset)
    return rows


@st.composite
def cases(draw: st.DrawFn) -> tuple[Any, list[dict[str, Any]]]:
    request = draw(requests(max_messages=2, max_destinations=8))
    log = draw(attempt_logs(request, ids=IDS))
    if draw(st.booleans()):
        log = _broken(draw, log)
    return request, log


@settings(max_examples=80, deadline=None)
@given(cases(), st.sampled_from([timedelta(0), timedelta(seconds=30)]))
def test_the_report_is_the_scalar_verifiers(case: tuple[Any, list[dict[str, Any]]],
                                            failure_delay: timedelta) -> None:
    request, log = case
    report = verify_report(request, log, now=DEFAULT_NOW, ids=IDS, failure_delay=failure_delay)
    assert report == _scalar_report(request, log, failure_delay=failure_delay)


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_a_conforming_log_is_cleared_without_the_scalar_checks(data: st.DataObject) -> None:
    request = data.draw(requests(max_messages=2, max_destinations=8))
    log = data.draw(attempt_logs(request, ids=IDS))
    cleared: list[dict[int, int]] = []
    original = conformance._Verifier._cleared

    def spy(self: conformance._Verifier) -> dict[int, int]:
        cleared.append(original(self))
        return cleared[-1]

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(conformance._Verifier, "_cleared", spy)
        report = verify_report(request, log, now=DEFAULT_NOW, ids=IDS)
    assert report.conforms
    the_request = conformance.plan(request, now=DEFAULT_NOW, ids=IDS).request
    # Every message is cleared, with the count of its destinations the log names.
    assert set(cleared[0]) == set(range(len(the_request.messages)))
    assert sum(cleared[0].values()) == report.destinations


def test_each_rule_sends_its_message_the_scalar_way() -> None:
    # One message, 2 a minute, 1 retry 5 minutes after: each log below breaks one rule.
    request = {"messages": [{"scenarioId": "S", "sendingSpeed": {"speed": 2, "timeUnit": "minute"},
                             "retry": {"minPeriod": 5, "maxPeriod": 5, "maxCount": 1},
                             "destinations": [{"to": "41000000001", "messageId": "a"},
                                              {"to": "41000000002", "messageId": "b"},
                                              {"to": "41000000003", "messageId": "c"}]}]}
    start = "2030-01-01T00:00:00.000+00:00"  # DEFAULT_NOW's first attempts
    good = [{"messageId": "a", "attempt": 1, "time": start},
            {"messageId": "b", "attempt": 1, "time": "2030-01-01T00:00:30.000+00:00"},
            {"messageId": "a", "attempt": 2, "time": "2030-01-01T00:05:00.000+00:00"}]
    the_plan = conformance.plan(request, now=DEFAULT_NOW, ids=IDS)
    assert format_us(the_plan.messages[0].timeline.start_us) == start

    def cleared(log: list[dict[str, Any]]) -> bool:
        verifier = conformance._Verifier(the_plan, conformance._Directory(the_plan.request, IDS),
                                         False, False)
        verifier.read(log)
        return 0 in verifier._cleared()

    assert cleared(good)
    early = [{**good[0], "time": "2029-12-31T23:59:59.999+00:00"}, *good[1:]]
    pace = [*good, {"messageId": "c", "attempt": 1, "time": "2030-01-01T00:00:59.999+00:00"}]
    gap = [*good[:2], {**good[2], "time": "2030-01-01T00:04:59.999+00:00"}]
    count = [*good, {"messageId": "a", "attempt": 3, "time": "2030-01-01T00:10:00.000+00:00"}]
    numbering = [*good[:2], {**good[2], "attempt": 3}]
    for broken in (early, pace, gap, count, numbering):
        assert not cleared(broken), broken
    assert column_checks.__all__


def test_a_message_with_nothing_to_check_is_cleared_naming_no_destination() -> None:
    # Message 0: an accepted destination and a rejected one ("123" is no valid number), the
    # log attempting only the accepted one; message 1: no row at all. Both conform.
    request = {"messages": [{"scenarioId": "S",
                             "destinations": [{"to": "41000000001", "messageId": "a"},
                                              {"to": "123", "messageId": "r"}]},
                            {"scenarioId": "S",
                             "destinations": [{"to": "41000000002", "messageId": "b"}]}]}
    the_plan = conformance.plan(request, now=DEFAULT_NOW, ids=IDS)
    assert the_plan.request.messages[0].rejected_indices == (1,)

    def cleared(log: list[dict[str, Any]]) -> dict[int, int]:
        verifier = conformance._Verifier(the_plan, conformance._Directory(the_plan.request, IDS),
                                         False, False)
        verifier.read(log)
        return verifier._cleared()

    log = [{"messageId": "a", "attempt": 1, "time": "2030-01-01T00:00:00.000+00:00"}]
    assert cleared(log) == {0: 1, 1: 0}
    assert cleared([]) == {0: 0, 1: 0}
    # The rejected destination attempted: message 0 goes the scalar way (rejected-destination).
    assert cleared([*log, {"messageId": "r", "attempt": 1,
                           "time": "2030-01-01T00:00:00.000+00:00"}]) == {1: 0}


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(-1, 1)),
                max_size=12))
def test_rows_already_in_order_are_known_without_a_sort(rows: list[tuple[int, int, int]]
                                                        ) -> None:
    import numpy as np

    keys = [np.array([row[k] for row in rows], dtype=np.int64) for k in range(3)]
    # Independently: Python's tuple order.
    assert column_checks._ordered(*keys) == (rows == sorted(rows))
    assert column_checks._ordered(*keys) == (
        np.lexsort(keys[::-1]).tolist() == list(range(len(rows))))
