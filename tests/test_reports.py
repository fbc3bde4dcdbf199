"""Delivery reports (SPEC S10): fields worked out by hand, and the XML round trip."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ivrsched import RequestError, SeededIds, parse_request, plan, simulate
from ivrsched.planning.planner import DestinationSchedule
from ivrsched.rules.instants import US_PER_SECOND
from ivrsched.simulation.outcomes import AttemptOutcome, Constant, Outcome
from ivrsched.simulation.reports import (
    JSON,
    XML,
    ReportDirectory,
    ReportEncodingError,
    ReportStream,
    delivery_report,
    parse_xml_report,
    render,
    xml_report,
)

S = US_PER_SECOND
NOW = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)


def reports(data: dict[str, Any], outcomes: Any) -> dict[int, dict[str, Any]]:
    the_plan = plan(data, now=NOW, ids=SeededIds(1))
    return {r.index: delivery_report(the_plan, r)
            for r in simulate(the_plan, outcomes).results()}


class ByIndex:
    def __init__(self, outcomes: dict[int, AttemptOutcome]) -> None:
        self.outcomes = outcomes

    def outcome(self, destination: DestinationSchedule, attempt: int) -> AttemptOutcome:
        return self.outcomes[destination.index]


MESSAGE = {
    "scenarioId": "S", "from": "41793026727", "callbackData": "order 7",
    "sendAt": "2030-01-07T11:00:00.000+01:00",  # 10:00 UTC, an hour after NOW
    "validityPeriod": 1, "retry": {"minPeriod": 1, "maxPeriod": 1, "maxCount": 1},
    "notifyUrl": "https://example.com/dlr", "notifyContentType": "application/json",
    "destinations": [{"to": "41793026700", "messageId": "a"},
                     {"to": "41793026701", "messageId": "b"},
                     {"to": "oops", "messageId": "c"}],
}


def test_reports_by_hand() -> None:
    got = reports({"bulkId": "B1", "messages": [MESSAGE]}, ByIndex({
        # Answered 5 s after 11:00:00, ends 35.5 s after: 30.5 s talked → duration 30.
        0: AttemptOutcome(Outcome.ANSWERED, 35_500_000, 5 * S),
        # Rings 45 s: 11:00:00 → 11:00:45; the retry would be at 11:01:45, not before the
        # 11:01:00 deadline (validity 1 min) → EXPIRED after one attempt.
        1: AttemptOutcome(Outcome.NO_ANSWER, 45 * S)}))
    common = {"bulkId": "B1", "from": "41793026727", "callbackData": "order 7",
              "sentAt": "2030-01-07T11:00:00.000+01:00"}
    assert got[0] == {"results": [{
        **common, "messageId": "a", "to": "41793026700",
        "status": {"groupId": 3, "groupName": "DELIVERED", "id": 5,
                   "name": "DELIVERED_TO_HANDSET",
                   "description": "Message delivered to the handset."},
        "error": None,
        "voiceCall": {"startTime": "2030-01-07T11:00:00.000+01:00",
                      "answerTime": "2030-01-07T11:00:05.000+01:00",
                      "endTime": "2030-01-07T11:00:35.500+01:00", "duration": 30}}]}
    expired = got[1]["results"][0]
    assert expired["status"]["id"] == 15 and expired["status"]["groupId"] == 4
    assert expired["error"]["name"] == "NO_ANSWER" and expired["error"]["permanent"] is False
    assert expired["voiceCall"] == {"startTime": "2030-01-07T11:00:00.000+01:00",
                                    "answerTime": None,
                                    "endTime": "2030-01-07T11:00:45.000+01:00", "duration": 0}
    rejected = got[2]["results"][0]
    assert rejected["status"]["id"] == 52 and rejected["voiceCall"] is None
    assert rejected["error"]["name"] == "REJECTED" and rejected["error"]["permanent"] is True
    # No call was made: sentAt is the message's start.
    assert rejected["sentAt"] == "2030-01-07T11:00:00.000+01:00"
    assert [list(r["results"][0]) for r in got.values()] == [[
        "bulkId", "messageId", "from", "to", "sentAt", "callbackData", "status", "error",
        "voiceCall"]] * 3


def test_all_answered_reports_carry_callback_data() -> None:
    data = {"messages": [{**MESSAGE, "callbackData": "<&\"'é>"}]}
    got = reports(data, Constant(AttemptOutcome(Outcome.ANSWERED, 60 * S)))
    delivered = [r["results"][0] for i, r in got.items() if i < 2]
    assert [r["status"]["name"] for r in delivered] == ["DELIVERED_TO_HANDSET"] * 2
    assert {r["callbackData"] for r in got_all(got)} == {"<&\"'é>"}


def got_all(got: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    return [r["results"][0] for r in got.values()]


def xml_message(callback_data: str, message_id: str = "m-1") -> dict[str, Any]:
    return {"bulkId": "bulk & <co>", "messages": [{
        "scenarioId": "S", "callbackData": callback_data,
        "notifyContentType": "application/xml",
        "destinations": [{"to": "41793026700", "messageId": message_id}, {"to": "x"}]}]}


def round_trip_all(data: dict[str, Any]) -> None:
    the_plan = plan(data, now=NOW, ids=SeededIds(0))
    outcome = AttemptOutcome(Outcome.ANSWERED, 61_000_001, 1)
    for result in simulate(the_plan, Constant(outcome)).results():
        report = delivery_report(the_plan, result)
        document = xml_report(report)
        assert document.startswith(b"<?xml")
        assert parse_xml_report(document) == report
        assert parse_xml_report(document.decode("utf-8")) == report


def test_xml_round_trip_of_awkward_text() -> None:
    text = "a<b & c>d \"q\" 'r' é ü 😀 \r\n\t  lead and trail  \r"
    round_trip_all(xml_message(text, message_id="id <&> \"'"))


XML_ISH = st.text(alphabet=st.sampled_from(list("<>&\"';=/ \r\n\t\x00\x01\x7f\x85éü€😀\u2028"
                                                "\ud800\ufffe\uffff")), max_size=40)


@given(st.one_of(st.text(max_size=200), XML_ISH))
def test_xml_round_trip_for_every_accepted_callback_data(callback_data: str) -> None:
    data = xml_message(callback_data)
    try:
        parse_request(data)
    except RequestError:
        assume(False)
    round_trip_all(data)


# A lone surrogate ("\ud800") is refused for every content type: see test_parsing.
@pytest.mark.parametrize("bad", ["\x00", "a\x01b", "\uffff", "\x1b[0m"])
def test_validation_rejects_callback_data_xml_cannot_carry(bad: str) -> None:
    with pytest.raises(RequestError, match="callbackData"):
        parse_request(xml_message(bad))
    # The same text is fine for JSON reports, and survives their round trip.
    data = {**xml_message(bad)}
    data["messages"] = [{**data["messages"][0], "notifyContentType": "application/json"}]
    the_plan = plan(data, now=NOW, ids=SeededIds(0))
    result = next(simulate(the_plan, Constant(AttemptOutcome(Outcome.BUSY, 0))).results())
    report = delivery_report(the_plan, result)
    assert json.loads(render(report, JSON)) == report


def test_rendering_refuses_what_xml_cannot_carry_when_validation_was_bypassed() -> None:
    # Validation refuses such fields for XML messages (see test_parsing); a report built by
    # hand still cannot smuggle one into an XML document.
    data = xml_message("fine")
    the_plan = plan(data, now=NOW, ids=SeededIds(0))
    results = simulate(the_plan, Constant(AttemptOutcome(Outcome.BUSY, 0))).results()
    report = delivery_report(the_plan, next(r for r in results if r.index == 0))
    report["results"][0]["to"] = "bad\x01to"
    with pytest.raises(ReportEncodingError, match="to contains U\\+0001"):
        render(report, XML)


def test_xml_is_one_result_element_with_attributes_and_child_objects() -> None:
    data = xml_message("cb")
    the_plan = plan(data, now=NOW, ids=SeededIds(0))
    # Destination 0 (busy once, no retry); results list the rejected destination 1 first.
    result = next(r for r in simulate(the_plan, Constant(AttemptOutcome(Outcome.BUSY, 2 * S)))
                  .results() if r.index == 0)
    root = ET.fromstring(xml_report(delivery_report(the_plan, result)))
    (element,) = list(root)
    assert (root.tag, element.tag) == ("results", "result")
    assert [child.tag for child in element] == ["status", "error", "voiceCall"]
    assert element.get("callbackData") == "cb" and element.get("from") is None
    assert element.find("voiceCall").get("answerTime") is None  # type: ignore[union-attr]


@pytest.mark.parametrize(("document", "message"), [
    (b"<results><result>", "not well-formed"),
    (b"<other/>", "not <results>"),
    (b"<results><x/></results>", "unexpected <x>"),
    (b"<results><result><status/><status/></result></results>", "repeated"),
    (b'<results><result><status id="five"/></result></results>', "not an integer"),
    (b'<results><result><error permanent="yes"/></result></results>', "true or false"),
])
def test_parse_xml_report_refuses_other_documents(document: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_xml_report(document)


def test_report_directory_and_stream(tmp_path: Path) -> None:
    data = {"bulkId": "B", "messages": [
        {**MESSAGE, "destinations": MESSAGE["destinations"][:1]},
        {**xml_message("x&y")["messages"][0], "notifyUrl": "https://example.com/x",
         "destinations": [{"to": "41793026705"}]}]}
    the_plan = plan(data, now=NOW, ids=SeededIds(0))
    results = list(simulate(the_plan, Constant(AttemptOutcome(Outcome.BUSY, 0))).results())
    directory = ReportDirectory(tmp_path)
    out = io.StringIO()
    for result in results:
        directory.write(the_plan, result)
        ReportStream(out).write(the_plan, result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report-0-0.json", "report-1-0.xml"]
    as_json = json.loads((tmp_path / "report-0-0.json").read_text(encoding="utf-8"))
    as_xml = parse_xml_report((tmp_path / "report-1-0.xml").read_bytes())
    # Message 1 starts at NOW, message 0 an hour later (sendAt): message 1 is reported first.
    lines = [json.loads(line) for line in out.getvalue().splitlines()][::-1]
    assert [(x["message"], x["contentType"], x["notifyUrl"]) for x in lines] == [
        (0, JSON, "https://example.com/dlr"), (1, XML, "https://example.com/x")]
    assert lines[0]["body"] == as_json
    assert parse_xml_report(lines[1]["body"]) == as_xml
    assert as_xml["results"][0]["callbackData"] == "x&y"  # type: ignore[index]


def test_a_destination_that_never_got_a_call_reports_no_attempt() -> None:
    # NOW is Monday 09:00, validity 60 min; the window opens on Thursdays only.
    data = {"messages": [{"scenarioId": "S", "validityPeriod": 60,
                          "deliveryTimeWindow": {"days": ["THURSDAY"]},
                          "destinations": [{"to": "41793026700"}]}]}
    (report,) = reports(data, Constant(AttemptOutcome(Outcome.ANSWERED, 0))).values()
    entry = report["results"][0]
    assert entry["status"]["name"] == "EXPIRED_EXPIRED" and entry["voiceCall"] is None
    assert entry["error"]["name"] == "NO_ATTEMPT"
    assert entry["sentAt"] == "2030-01-07T09:00:00.000+00:00"  # the message's start


def _xml_char(c: str) -> bool:
    # XML 1.0's Char production, written out from the specification.
    n = ord(c)
    return c in "\t\n\r" or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or n >= 0x10000


# Half of the draws hold only characters XML can carry, so that both outcomes are common.
XML_SAFE = st.one_of(
    st.text(st.characters().filter(_xml_char), min_size=1, max_size=30),
    st.text(st.sampled_from("<>&\"';= \r\n\té😀\u2028"), min_size=1, max_size=30))
ANY_TEXT = st.one_of(XML_SAFE, st.text(max_size=30), XML_ISH)


@given(ANY_TEXT, st.lists(ANY_TEXT, min_size=1, max_size=3), ANY_TEXT)
def test_every_accepted_xml_request_round_trips_its_identifiers(
        bulk_id: str, message_ids: list[str], callback_data: str) -> None:
    data = {"bulkId": bulk_id, "messages": [{
        "scenarioId": "S", "callbackData": callback_data, "notifyContentType": XML,
        "destinations": [{"to": f"4179302670{i}", "messageId": m}
                         for i, m in enumerate(message_ids)]}]}
    # Independently: which fields must be refused (bulkId and messageId may not be empty;
    # callbackData has at most 200 characters; none may hold a character XML cannot carry).
    fields = [("/bulkId", bulk_id, True), ("/messages/0/callbackData", callback_data, False)]
    fields += [(f"/messages/0/destinations/{i}/messageId", m, True)
               for i, m in enumerate(message_ids)]
    refused = {path for path, text, ident in fields
               if (ident and text == "") or not all(_xml_char(c) for c in text)
               or (not ident and len(text) > 200)}
    try:
        parse_request(data)
    except RequestError as error:
        assert {p.path for p in error.errors} == refused
        return
    assert refused == set()
    round_trip_all(data)
    the_plan = plan(data, now=NOW, ids=SeededIds(0))
    for result in simulate(the_plan, Constant(AttemptOutcome(Outcome.BUSY, 0))).results():
        (entry,) = parse_xml_report(xml_report(delivery_report(the_plan, result)))["results"]
        assert entry["bulkId"] == bulk_id  # type: ignore[index]
        assert entry["messageId"] == message_ids[result.index]  # type: ignore[index]
        assert entry["callbackData"] == callback_data  # type: ignore[index]
