"""parse_request (SPEC S4, S5, S6, S7): shapes, checks, normalisations, paths, robustness."""

from __future__ import annotations

import copy
import json
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ivrsched
from ivrsched import Notice, Problem, RequestError, Status, parse_request
from ivrsched.request.model import (
    ContentType,
    DeliveryTimeWindow,
    Request,
    RequestShape,
    Retry,
    TimeOfDay,
    TimeUnit,
    Weekday,
)

SEED_FILE = Path(__file__).resolve().parent.parent / "examples" / "seed-request.json"
M = "/messages/0"


def seed() -> dict[str, Any]:
    """A fresh copy of the seed's example request."""
    data: dict[str, Any] = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    return data


def minimal(**fields: Any) -> dict[str, Any]:
    """A valid messages-shape request with one destination, plus ``fields`` on the message."""
    message: dict[str, Any] = {"scenarioId": "S1", "destinations": [{"to": "41793026727"}]}
    message.update(fields)
    return {"messages": [message]}


def flat(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"scenarioId": "S1", "to": ["41793026727", "41793026731"]}
    data.update(fields)
    return data


def errors(data: Any, *, strict: bool = False) -> list[Problem]:
    with pytest.raises(RequestError) as info:
        parse_request(data, strict=strict)
    assert info.value.errors, "a RequestError must carry at least one problem"
    return list(info.value.errors)


def error_paths(data: Any, *, strict: bool = False) -> list[str]:
    return [p.path for p in errors(data, strict=strict)]


def notices(request: Request) -> list[tuple[str, str]]:
    return [(n.code, n.path) for n in request.notices]


# -- the seed's example ---------------------------------------------------------------------

def test_public_names_are_exported() -> None:
    assert ivrsched.parse_request is parse_request
    assert ivrsched.RequestError is RequestError
    assert ivrsched.Problem is Problem and ivrsched.Notice is Notice
    assert ivrsched.Status is Status


def test_seed_example_parses() -> None:
    request = parse_request(seed())
    assert request.shape == "messages"
    assert request.bulk_id == "BULK-ID-123-xyz"
    assert len(request.messages) == 1
    message = request.messages[0]
    assert message.scenario_id == "6298AA7707903A4ED680B436929681AD"
    assert message.sender == "41793026700"
    assert [d.to for d in message.destinations] == ["41793026727", "41793026731"]
    assert [d.status for d in message.destinations] == [Status.PENDING_ACCEPTED] * 2
    assert [d.message_id for d in message.destinations] == [None, None]
    assert dict(message.parameters or {}) == {"foo": "bar"}
    assert message.notify_url is None            # "" means absent
    assert message.notify_content_type == "application/json"
    assert message.callback_data == "DLR callback data"
    assert message.validity_period == 720
    # 17:00 at +01:00 is 16:00 UTC.
    expected = int(datetime(2016, 7, 7, 16, 0, tzinfo=timezone.utc).timestamp()) * 10**6
    assert message.send_at_us == expected
    assert message.send_at_offset == 60
    assert message.record is False
    assert message.retry == Retry(1, 5, 4)       # maxCount 5 clamped to 4
    assert message.sending_speed is None
    assert sorted(notices(request)) == [
        ("notify-url-empty", f"{M}/notifyUrl"),
        ("retry-count-clamped", f"{M}/retry/maxCount"),
    ]


def test_the_shape_and_content_type_are_enums() -> None:
    flat = parse_request({"scenarioId": "S", "to": ["41793026727"],
                          "notifyContentType": "application/xml"})
    assert flat.shape is RequestShape.FLAT
    assert flat.messages[0].notify_content_type is ContentType.XML
    nested = parse_request(seed())
    assert nested.shape is RequestShape.MESSAGES
    assert nested.messages[0].notify_content_type is ContentType.JSON
    # Their values are the request's own spelling (a content type is sent as a header as is).
    assert [c.value for c in ContentType] == ["application/json", "application/xml"]
    assert parse_request({"scenarioId": "S", "to": ["41793026727"]}).messages[0] \
        .notify_content_type is None


def test_problems_and_notices_take_their_fields_in_one_order() -> None:
    assert [f.name for f in fields(Problem)] == ["path", "code", "message"]
    assert [f.name for f in fields(Notice)] == ["path", "code", "message"]
    assert Problem("/a", "type", "must be a string") == \
        Problem(path="/a", code="type", message="must be a string")
    problem = errors({"messages": [{"scenarioId": 5, "destinations": [{"to": "41793026727"}]}]})
    assert problem == [Problem("/messages/0/scenarioId", "type",
                               "must be a string, not an integer")]


def test_json_text_and_bytes_are_accepted() -> None:
    text = SEED_FILE.read_text(encoding="utf-8")
    assert parse_request(text) == parse_request(seed())
    assert parse_request(text.encode()) == parse_request(seed())


@pytest.mark.parametrize("text", [
    "{", "", "[1,]", "{'a': 1}", b"\xff\xfe{", "[" * 100_000, "1" * 5000,
])
def test_invalid_json_is_one_error_at_the_root(text: str | bytes) -> None:
    problems = errors(text)
    assert [(p.path, p.code) for p in problems] == [("", "json")]
    assert problems[0].message.startswith("not valid JSON")


# -- one fault at a time: exactly one error, at the right path --------------------------------

def _set(data: dict[str, Any], pointer: str, value: Any) -> dict[str, Any]:
    *parents, last = pointer.strip("/").split("/")
    target: Any = data
    for token in parents:
        target = target[int(token)] if isinstance(target, list) else target[token]
    if value is _DELETE:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return data


_DELETE = object()

SINGLE_FAULTS = [
    # (pointer to change, new value, pointer of the expected error)
    (f"{M}/from", "12", f"{M}/from"),
    (f"{M}/from", "123456789012345", f"{M}/from"),
    (f"{M}/from", "4179302670a", f"{M}/from"),
    (f"{M}/from", 41793026700, f"{M}/from"),
    (f"{M}/scenarioId", _DELETE, f"{M}/scenarioId"),
    (f"{M}/scenarioId", "", f"{M}/scenarioId"),
    (f"{M}/scenarioId", None, f"{M}/scenarioId"),
    (f"{M}/callbackData", "x" * 201, f"{M}/callbackData"),
    (f"{M}/callbackData", 7, f"{M}/callbackData"),
    (f"{M}/notifyContentType", "text/plain", f"{M}/notifyContentType"),
    (f"{M}/notifyUrl", "ftp://example.com/dlr", f"{M}/notifyUrl"),
    (f"{M}/notifyUrl", "example.com/dlr", f"{M}/notifyUrl"),
    (f"{M}/notifyUrl", "https://", f"{M}/notifyUrl"),
    (f"{M}/notifyUrl", "https://example.com/a b", f"{M}/notifyUrl"),
    (f"{M}/notifyUrl", "https://example.com:99999/", f"{M}/notifyUrl"),
    (f"{M}/validityPeriod", 0, f"{M}/validityPeriod"),
    (f"{M}/validityPeriod", "60", f"{M}/validityPeriod"),
    (f"{M}/validityPeriod", 60.0, f"{M}/validityPeriod"),
    (f"{M}/validityPeriod", True, f"{M}/validityPeriod"),
    (f"{M}/sendAt", "2016-07-07T17:00:00", f"{M}/sendAt"),
    (f"{M}/sendAt", "yesterday", f"{M}/sendAt"),
    (f"{M}/sendAt", 1467907200, f"{M}/sendAt"),
    (f"{M}/record", "false", f"{M}/record"),
    (f"{M}/parameters", ["foo"], f"{M}/parameters"),
    (f"{M}/retry/maxCount", _DELETE, f"{M}/retry/maxCount"),
    (f"{M}/retry/maxCount", -1, f"{M}/retry/maxCount"),
    (f"{M}/retry/minPeriod", 0, f"{M}/retry/minPeriod"),
    (f"{M}/retry/maxPeriod", -5, f"{M}/retry/maxPeriod"),
    (f"{M}/retry/minPeriod", "1", f"{M}/retry/minPeriod"),
    (f"{M}/retry", [1, 5, 4], f"{M}/retry"),
    (f"{M}/destinations", [], f"{M}/destinations"),
    (f"{M}/destinations", {"to": "41793026727"}, f"{M}/destinations"),
    (f"{M}/destinations/1", "41793026731", f"{M}/destinations/1"),
    (f"{M}/destinations/1/to", 41793026731, f"{M}/destinations/1/to"),
    (f"{M}/destinations/1/messageId", 5, f"{M}/destinations/1/messageId"),
    (f"{M}/destinations", _DELETE, f"{M}/destinations"),
    ("/bulkId", 123, "/bulkId"),
    ("/messages", [], "/messages"),
    ("/messages/0", "hello", "/messages/0"),
]


@pytest.mark.parametrize(("where", "value", "expected"), SINGLE_FAULTS)
def test_single_fault_is_reported_alone_at_its_path(where: str, value: Any, expected: str) -> None:
    assert error_paths(_set(seed(), where, value)) == [expected]


def test_retry_min_above_max_is_an_error_after_snapping() -> None:
    data = minimal(retry={"minPeriod": 60, "maxPeriod": 5, "maxCount": 2})
    [problem] = errors(data)
    assert problem.path == f"{M}/retry/minPeriod"
    assert "60" in problem.message and "5" in problem.message


def test_retry_min_above_max_that_snaps_to_equal_is_fine() -> None:
    # 4 -> 5 and 3 -> 5: equal after snapping, so no error (S5: "after that").
    message = parse_request(minimal(retry={"minPeriod": 4, "maxPeriod": 3,
                                           "maxCount": 1})).messages[0]
    assert message.retry == Retry(5, 5, 1)


@pytest.mark.parametrize(("speed", "expected"), [
    ({"speed": 0, "timeUnit": "minute"}, "/speed"),
    ({"speed": 10, "timeUnit": "week"}, "/timeUnit"),
    ({"speed": True, "timeUnit": "minute"}, "/speed"),
    ({"speed": 5.0, "timeUnit": "minute"}, "/speed"),
    ({"speed": "10", "timeUnit": "minute"}, "/speed"),
    ({"speed": 10, "timeUnit": "MINUTES"}, "/timeUnit"),
    ({"speed": 10}, "/timeUnit"),
    ({"timeUnit": "hour"}, "/speed"),
    (10, ""),
])
def test_bad_sending_speed(speed: Any, expected: str) -> None:
    assert error_paths(minimal(sendingSpeed=speed)) == [f"{M}/sendingSpeed{expected}"]


@pytest.mark.parametrize(("field", "value"), [
    ("ringTimeout", -1), ("callTimeout", "30"), ("pause", 1.5), ("notifyContentVersion", "1"),
    ("record", 0),
])
def test_carried_fields_are_type_checked(field: str, value: Any) -> None:
    assert error_paths(minimal(**{field: value})) == [f"{M}/{field}"]


def test_carried_fields_are_carried() -> None:
    message = parse_request(minimal(ringTimeout=30, callTimeout=0, pause=2,
                                    notifyContentVersion=2, record=True,
                                    notifyUrl="https://example.com/dlr?x=1")).messages[0]
    assert (message.ring_timeout, message.call_timeout, message.pause) == (30, 0, 2)
    assert message.notify_content_version == 2
    assert message.record is True
    assert message.notify_url == "https://example.com/dlr?x=1"


def test_request_that_is_a_json_array() -> None:
    problems = errors([seed()])
    assert [p.path for p in problems] == [""]
    assert error_paths("[1, 2]") == [""]
    assert error_paths("null") == [""]


def test_five_faults_at_once_are_all_reported() -> None:
    data = seed()
    message = data["messages"][0]
    message["from"] = "12"
    del message["scenarioId"]
    message["validityPeriod"] = "60"
    message["sendAt"] = "yesterday"
    message["retry"]["minPeriod"] = 0
    assert sorted(error_paths(data)) == sorted([
        f"{M}/from", f"{M}/scenarioId", f"{M}/validityPeriod", f"{M}/sendAt",
        f"{M}/retry/minPeriod",
    ])


def test_faults_in_two_messages_name_each_message() -> None:
    data = {"messages": [minimal()["messages"][0], {"destinations": [{"to": "41793026727"}],
                                                    "from": "1"}]}
    assert sorted(error_paths(data)) == ["/messages/1/from", "/messages/1/scenarioId"]


def test_callback_data_of_200_characters_is_fine() -> None:
    # 200 code points, some outside the BMP (they would be 2 UTF-16 units each).
    text = "\U0001F600" * 100 + "a" * 100
    assert parse_request(minimal(callbackData=text)).messages[0].callback_data == text
    assert error_paths(minimal(callbackData=text + "b")) == [f"{M}/callbackData"]


@pytest.mark.parametrize("text", ["a\x01b", "\x00", "x\ufffe", "\uffff", "\x1b[0m"])
def test_callback_data_an_xml_report_cannot_carry(text: str) -> None:
    assert error_paths(minimal(callbackData=text, notifyContentType="application/xml")) == \
        [f"{M}/callbackData"]
    # The same text is fine for a JSON delivery report.
    assert parse_request(minimal(callbackData=text,
                                 notifyContentType="application/json")).messages[0]


def test_callback_data_with_tabs_and_newlines_is_fine_for_xml() -> None:
    text = "a\tb\nc\rd <&> \u00e9\U0001F600"
    message = parse_request(minimal(callbackData=text,
                                    notifyContentType="application/xml")).messages[0]
    assert message.callback_data == text


# -- destination-level faults (S7) ----------------------------------------------------------

def test_destination_faults_do_not_fail_the_request() -> None:
    data = minimal()
    data["messages"][0]["destinations"] = [
        {"to": "41793026727"}, {}, {"to": "abc"}, {"to": ""}, {"to": None},
        {"to": "+41793026731", "messageId": "m1"}, {"to": "41793026732", "messageId": "m1"},
    ]
    message = parse_request(data).messages[0]
    assert [d.status.id for d in message.destinations] == [26, 51, 52, 51, 51, 26, 23]
    assert [d.to for d in message.destinations] == [
        "41793026727", None, "abc", "", None, "+41793026731", "41793026732"]
    assert message.rejected == (1, 2, 3, 4, 6)
    assert message.accepted_count == 2
    assert all(d.reason for d in message.destinations if not d.accepted)


def test_duplicate_message_ids_across_messages() -> None:
    first = {"scenarioId": "A", "destinations": [{"to": "41793026727", "messageId": "x"}]}
    second = {"scenarioId": "B", "destinations": [{"to": "41793026731", "messageId": "x"},
                                                  {"to": "41793026732", "messageId": "y"}]}
    request = parse_request({"messages": [first, second]})
    assert request.messages[0].destinations[0].status is Status.PENDING_ACCEPTED
    assert [d.status for d in request.messages[1].destinations] == [
        Status.REJECTED_DUPLICATE_MESSAGE_ID, Status.PENDING_ACCEPTED]


def test_strict_mode_turns_destination_faults_into_errors() -> None:
    data = minimal()
    data["messages"][0]["destinations"] = [
        {"to": "41793026727", "messageId": "a"}, {"messageId": "b"}, {"to": "abc"},
        {"to": "41793026731", "messageId": "a"},
    ]
    problems = errors(data, strict=True)
    assert [(p.path, p.code) for p in problems] == [
        (f"{M}/destinations/1/to", "missing-to"),
        (f"{M}/destinations/2/to", "invalid-destination"),
        (f"{M}/destinations/3/messageId", "duplicate-message-id"),
    ]


def test_too_many_destinations_is_a_notice() -> None:
    data = minimal()
    data["messages"][0]["destinations"] = [{"to": "41793026727"}] * 20_001
    request = parse_request(data)
    assert notices(request) == [("too-many-destinations", f"{M}/destinations")]
    assert len(request.messages[0].destinations) == 20_001
    data["messages"][0]["destinations"] = [{"to": "41793026727"}] * 20_000
    assert notices(parse_request(data)) == []


# -- the flat shape ---------------------------------------------------------------------------

def test_flat_shape_is_one_message() -> None:
    request = parse_request(flat(bulkId="B1", **{"from": "41793026700"}, validityPeriod=30))
    assert request.shape == "flat"
    assert request.bulk_id == "B1"
    [message] = request.messages
    assert [d.to for d in message.destinations] == ["41793026727", "41793026731"]
    assert message.sender == "41793026700"
    assert message.validity_period == 30


def test_flat_shape_paths() -> None:
    data = flat(**{"from": "12"}, retry={"minPeriod": 1, "maxPeriod": 5})
    data["to"] = ["41793026727", 41793026731, "41793026732"]
    assert sorted(error_paths(data)) == ["/from", "/retry/maxCount", "/to/1"]
    assert error_paths({"to": ["41793026727"]}) == ["/scenarioId"]
    assert error_paths({"scenarioId": "S"}) == ["/to"]
    assert error_paths(flat(to=[])) == ["/to"]
    assert error_paths(flat(to="41793026727")) == ["/to"]


def test_flat_destination_faults() -> None:
    message = parse_request(flat(to=["41793026727", "", None, "abc"])).messages[0]
    assert [d.status.id for d in message.destinations] == [26, 51, 51, 52]
    assert [p.path for p in errors(flat(to=["41793026727", "abc"]), strict=True)] == ["/to/1"]


def test_flat_message_id_names_a_single_destination() -> None:
    message = parse_request(flat(to=["41793026727"], messageId="m-1")).messages[0]
    assert message.destinations[0].message_id == "m-1"
    assert error_paths(flat(messageId="m-1")) == ["/messageId"]


def test_flat_fields_at_the_root_of_the_messages_shape_are_unknown() -> None:
    data = seed()
    data["scenarioId"] = "X"
    request = parse_request(data)
    assert ("unknown-field", "/scenarioId") in notices(request)


# -- normalisation (S4, S5) -------------------------------------------------------------------

@pytest.mark.parametrize(("given_min", "given_max", "retry", "codes"), [
    (1, 5, Retry(1, 5, 4), []),
    (3, 30, Retry(5, 30, 4), [("retry-min-snapped", "minPeriod")]),
    (7, 7, Retry(10, 10, 4), [("retry-min-snapped", "minPeriod"),
                              ("retry-max-snapped", "maxPeriod")]),
    (2000, 3000, Retry(1440, 1440, 4), [("retry-min-snapped", "minPeriod"),
                                        ("retry-max-snapped", "maxPeriod")]),
    (60, 1440, Retry(60, 1440, 4), []),
])
def test_retry_periods_snap_to_the_ladder(given_min: int, given_max: int, retry: Retry,
                                          codes: list[tuple[str, str]]) -> None:
    request = parse_request(minimal(retry={"minPeriod": given_min, "maxPeriod": given_max,
                                           "maxCount": 4}))
    assert request.messages[0].retry == retry
    assert notices(request) == [(code, f"{M}/retry/{key}") for code, key in codes]


def test_snapped_retry_gives_the_spec_gaps() -> None:
    # S5's worked examples.
    cases = {(1, 5): (1, 2, 5, 5), (3, 30): (5, 10, 20, 30), (60, 1440): (60, 120, 240, 480),
             (7, 7): (10, 10, 10, 10)}
    for (low, high), gaps in cases.items():
        retry = parse_request(minimal(retry={"minPeriod": low, "maxPeriod": high,
                                             "maxCount": 4})).messages[0].retry
        assert retry is not None and retry.gaps_minutes == gaps


def test_max_count_is_clamped_to_4() -> None:
    request = parse_request(minimal(retry={"minPeriod": 1, "maxPeriod": 5, "maxCount": 9}))
    assert request.messages[0].retry == Retry(1, 5, 4)
    assert notices(request) == [("retry-count-clamped", f"{M}/retry/maxCount")]
    zero = parse_request(minimal(retry={"minPeriod": 1, "maxPeriod": 5, "maxCount": 0}))
    assert zero.messages[0].retry == Retry(1, 5, 0)
    assert notices(zero) == []


def test_validity_period() -> None:
    clamped = parse_request(minimal(validityPeriod=5000))
    assert clamped.messages[0].validity_period == 2880
    assert notices(clamped) == [("validity-clamped", f"{M}/validityPeriod")]
    assert parse_request(minimal(validityPeriod=2880)).messages[0].validity_period == 2880
    assert parse_request(minimal(validityPeriod=1)).messages[0].validity_period == 1
    default = parse_request(minimal())
    assert default.messages[0].validity_period == 2880
    assert notices(default) == []


def test_sending_speed_makes_validity_ignored() -> None:
    speed = {"speed": 10, "timeUnit": "hour"}
    request = parse_request(minimal(sendingSpeed=speed, validityPeriod=720))
    message = request.messages[0]
    assert message.validity_period is None
    assert message.sending_speed is not None
    assert (message.sending_speed.speed, message.sending_speed.time_unit) == (10, TimeUnit.HOUR)
    assert notices(request) == [("validity-ignored", f"{M}/validityPeriod")]
    quiet = parse_request(minimal(sendingSpeed=speed))
    assert quiet.messages[0].validity_period is None
    assert notices(quiet) == []


# -- unknown fields and pointer escaping -----------------------------------------------------

def test_unknown_fields_are_notices_or_strict_errors() -> None:
    data = minimal(colour="blue", **{"a/b~c": 1})
    data["messages"][0]["destinations"][0]["extra"] = True
    data["messages"][0]["retry"] = {"minPeriod": 1, "maxPeriod": 1, "maxCount": 1, "x": 0}
    request = parse_request(data)
    assert sorted(notices(request)) == sorted([
        ("unknown-field", f"{M}/colour"),
        ("unknown-field", f"{M}/a~1b~0c"),
        ("unknown-field", f"{M}/destinations/0/extra"),
        ("unknown-field", f"{M}/retry/x"),
    ])
    assert sorted((p.path, p.code) for p in errors(data, strict=True)) == sorted([
        (f"{M}/colour", "unknown-field"),
        (f"{M}/a~1b~0c", "unknown-field"),
        (f"{M}/destinations/0/extra", "unknown-field"),
        (f"{M}/retry/x", "unknown-field"),
    ])


# -- deliveryTimeWindow (S6) ------------------------------------------------------------------

def test_delivery_time_window_parses() -> None:
    window = {"days": ["MONDAY", "FRIDAY"], "from": {"hour": 9, "minute": 0},
              "to": {"hour": 17, "minute": 30}, "timeZone": "Europe/Zagreb"}
    message = parse_request(minimal(deliveryTimeWindow=window)).messages[0]
    assert message.delivery_time_window == DeliveryTimeWindow(
        (Weekday.MONDAY, Weekday.FRIDAY), TimeOfDay(9, 0), TimeOfDay(17, 30), "Europe/Zagreb")
    whole_days = parse_request(minimal(deliveryTimeWindow={"days": ["SUNDAY"]})).messages[0]
    assert whole_days.delivery_time_window == DeliveryTimeWindow((Weekday.SUNDAY,))


W = f"{M}/deliveryTimeWindow"


@pytest.mark.parametrize(("window", "expected"), [
    ({"days": []}, [f"{W}/days"]),
    ({}, [f"{W}/days"]),
    ({"days": ["MONDAY", "FUNDAY", "monday"]}, [f"{W}/days/1", f"{W}/days/2"]),
    ({"days": ["MONDAY", "TUESDAY", "MONDAY"]}, [f"{W}/days/2"]),
    ({"days": ["MONDAY"], "from": {"hour": 9, "minute": 0}}, [f"{W}/to"]),
    ({"days": ["MONDAY"], "to": {"hour": 9, "minute": 0}}, [f"{W}/from"]),
    ({"days": ["MONDAY"], "from": {"hour": 9, "minute": 0}, "to": {"hour": 9, "minute": 59}},
     [f"{W}/to"]),
    ({"days": ["MONDAY"], "from": {"hour": 10, "minute": 0}, "to": {"hour": 9, "minute": 0}},
     [f"{W}/to"]),
    ({"days": ["MONDAY"], "from": {"hour": 24, "minute": 0}, "to": {"hour": 23, "minute": 60}},
     [f"{W}/from/hour", f"{W}/to/minute"]),
    ({"days": ["MONDAY"], "from": {"hour": 9}, "to": {"hour": 11, "minute": 0}},
     [f"{W}/from/minute"]),
    ({"days": ["MONDAY"], "timeZone": "Mars/Olympus_Mons"}, [f"{W}/timeZone"]),
    ({"days": ["MONDAY"], "timeZone": "../../etc/passwd"}, [f"{W}/timeZone"]),
    ({"days": ["MONDAY"], "timeZone": ""}, [f"{W}/timeZone"]),
    ("MONDAY", [W]),
])
def test_bad_delivery_time_window(window: Any, expected: list[str]) -> None:
    assert error_paths(minimal(deliveryTimeWindow=window)) == expected


def test_window_of_exactly_60_minutes_is_fine() -> None:
    window = {"days": ["MONDAY"], "from": {"hour": 9, "minute": 30},
              "to": {"hour": 10, "minute": 30}}
    parsed = parse_request(minimal(deliveryTimeWindow=window)).messages[0].delivery_time_window
    assert parsed is not None and parsed.end == TimeOfDay(10, 30)


# -- robustness: any JSON value ---------------------------------------------------------------

FIELD_NAMES = [
    "bulkId", "messages", "scenarioId", "from", "to", "destinations", "messageId", "parameters",
    "notifyUrl", "notifyContentType", "notifyContentVersion", "callbackData", "validityPeriod",
    "sendAt", "record", "retry", "minPeriod", "maxPeriod", "maxCount", "sendingSpeed", "speed",
    "timeUnit", "deliveryTimeWindow", "days", "hour", "minute", "timeZone", "ringTimeout",
    "callTimeout", "pause",
]

scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text()
           | st.sampled_from(["41793026727", "", "MONDAY", "minute", "application/xml",
                              "2016-07-07T17:00:00Z", "http://x", "~/", "0"]))
keys = st.sampled_from(FIELD_NAMES) | st.text(max_size=6)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=6),
    max_leaves=25,
)


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def assert_pointer_parent_exists(document: Any, pointer: str) -> None:
    """RFC 6901 syntax, and every token but the last resolves in ``document``; the last one is
    an existing index of an array, or any member name of an object."""
    if pointer == "":
        return
    assert pointer.startswith("/"), pointer
    raw_tokens = pointer[1:].split("/")
    for raw in raw_tokens:
        assert "~" not in raw.replace("~0", "").replace("~1", ""), pointer
    tokens = [_unescape(t) for t in raw_tokens]
    target = document
    for depth, token in enumerate(tokens):
        last = depth == len(tokens) - 1
        if isinstance(target, list):
            assert token.isdigit() and (token == "0" or not token.startswith("0")), pointer
            assert int(token) < len(target), pointer
            target = target[int(token)]
        else:
            assert isinstance(target, dict), pointer
            if last:
                return
            assert token in target, pointer
            target = target[token]


def check_any_value(value: Any, strict: bool) -> None:
    try:
        request = parse_request(value, strict=strict)
    except RequestError as exc:
        assert exc.errors
        for problem in exc.errors:
            assert isinstance(problem.message, str) and problem.message
            assert_pointer_parent_exists(value, problem.path)
    else:
        assert isinstance(request, Request)
        for notice in request.notices:
            assert_pointer_parent_exists(value, notice.path)


@given(json_values, st.booleans())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_any_json_value_gives_a_request_or_a_request_error(value: Any, strict: bool) -> None:
    check_any_value(value, strict)


def _slots(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """Every (container path, key) slot of a document, for mutation."""
    slots: list[tuple[tuple[Any, ...], Any]] = []
    if isinstance(value, dict):
        for key, child in value.items():
            slots.append((prefix, key))
            slots.extend(_slots(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            slots.append((prefix, index))
            slots.extend(_slots(child, (*prefix, index)))
    return slots


def _container(document: Any, path: tuple[Any, ...]) -> Any:
    target = document
    for token in path:
        target = target[token]
    return target


VALID_BASES = [
    seed(),
    minimal(sendingSpeed={"speed": 5, "timeUnit": "minute"},
            deliveryTimeWindow={"days": ["MONDAY"], "from": {"hour": 9, "minute": 0},
                                "to": {"hour": 17, "minute": 0}, "timeZone": "UTC"},
            notifyContentType="application/xml", callbackData="cb", ringTimeout=3),
    flat(messageId=None, retry={"minPeriod": 2, "maxPeriod": 20, "maxCount": 3}),
]


@given(st.sampled_from(range(len(VALID_BASES))), st.data(), st.booleans())
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_mutated_valid_requests_never_crash(base: int, data: st.DataObject,
                                            strict: bool) -> None:
    document = copy.deepcopy(VALID_BASES[base])
    for _ in range(data.draw(st.integers(1, 4))):
        slots = _slots(document)
        if not slots:
            break
        parent, key = data.draw(st.sampled_from(slots))
        container = _container(document, parent)
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            container[key] = data.draw(json_values)
        elif action == "delete":
            del container[key]
        elif isinstance(container, dict):
            container[data.draw(keys)] = data.draw(json_values)
        else:
            container.append(data.draw(json_values))
    check_any_value(document, strict)
    # The same document as JSON text gives the same verdict.
    try:
        as_dict: Any = parse_request(document, strict=strict)
    except RequestError as exc:
        as_dict = [p.path for p in exc.errors]
    try:
        as_text: Any = parse_request(json.dumps(document), strict=strict)
    except RequestError as exc:
        as_text = [p.path for p in exc.errors]
    # NaN (which free-form ``parameters`` may hold) is unequal to itself, so two equal parses
    # holding one compare unequal; their texts still agree.
    assert as_dict == as_text or repr(as_dict) == repr(as_text)


def test_the_valid_bases_are_valid() -> None:
    for document in VALID_BASES:
        assert isinstance(parse_request(document), Request)


def test_non_string_keys_and_python_objects_do_not_crash() -> None:
    problems = errors({"messages": [{1: 2, "scenarioId": "S", "destinations": [{"to": ()}]}]})
    assert [p.path for p in problems] == [f"{M}/destinations/0/to"]


def test_docs_example_output_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    doc = (SEED_FILE.parent.parent / "docs" / "request.md").read_text(encoding="utf-8")
    code = doc.split("```python\n", 1)[1].split("```", 1)[0]
    shown = doc.split("Output:\n\n```text\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "docs/request.md", "exec"), {})
    assert capsys.readouterr().out == shown


@pytest.mark.parametrize("where", ["bulkId", "to", "messageId", "callbackData"])
def test_unpaired_surrogates_are_refused_wherever_a_string_is_written_out(where: str) -> None:
    # json.loads turns the escape "\ud800" into a lone surrogate that UTF-8 cannot encode.
    destination = {"to": "41793026727"}
    message: dict[str, object] = {"scenarioId": "S", "destinations": [destination]}
    request: dict[str, object] = {"messages": [message]}
    lone = json.loads('"a\\ud800b"')
    if where == "bulkId":
        request["bulkId"] = lone
        path = "/bulkId"
    elif where == "callbackData":
        message["callbackData"] = lone
        path = "/messages/0/callbackData"
    else:
        destination[where] = lone
        path = f"/messages/0/destinations/0/{where}"
    with pytest.raises(RequestError) as info:
        parse_request(request)
    assert [e.path for e in info.value.errors] == [path]
    assert "surrogate" in info.value.errors[0].message


def test_destinations_may_be_left_out_for_a_caller_that_streams_them() -> None:
    without = {"bulkId": "b", "messages": [{"scenarioId": "S"}]}
    with pytest.raises(RequestError) as info:
        parse_request(without)
    assert [e.path for e in info.value.errors] == ["/messages/0/destinations"]
    request = parse_request(without, destinations_required=False)
    assert len(request.messages[0].destinations) == 0
    flat = parse_request({"scenarioId": "S"}, destinations_required=False)
    assert (flat.shape, len(flat.messages[0].destinations)) == ("flat", 0)


def test_left_out_destinations_do_not_excuse_broken_ones() -> None:
    cases = [
        ({"messages": [{"scenarioId": "S", "destinations": []}]}, "/messages/0/destinations"),
        ({"messages": [{"scenarioId": "S", "destinations": "x"}]}, "/messages/0/destinations"),
        ({"scenarioId": "S", "messageId": "m"}, "/messageId"),
        ({"scenarioId": "S", "to": []}, "/to"),
    ]
    for data, path in cases:
        with pytest.raises(RequestError) as info:
            parse_request(data, destinations_required=False)
        assert [e.path for e in info.value.errors] == [path]


# -- identifiers an XML delivery report must carry (S10) -------------------------------------

XML_TYPE = {"notifyContentType": "application/xml"}


@pytest.mark.parametrize("text", ["a\x01b", "\x00", "x\ufffe", "\uffff", "\x1b[0m"])
def test_message_ids_an_xml_report_cannot_carry(text: str) -> None:
    data = minimal(**XML_TYPE, destinations=[{"to": "41793026727", "messageId": "fine"},
                                             {"to": "41793026728", "messageId": text}])
    problems = errors(data)
    assert [p.path for p in problems] == [f"{M}/destinations/1/messageId"]
    assert f"U+{ord(next(c for c in text if c not in 'abx[0m')):04X}" in problems[0].message
    # JSON reports escape anything: the same request with JSON reports is accepted.
    json_data = minimal(notifyContentType="application/json",
                        destinations=data["messages"][0]["destinations"])
    assert parse_request(json_data).messages[0].destinations[1].message_id == text


def test_tabs_newlines_and_markup_in_xml_identifiers_are_fine() -> None:
    text = "a\tb\nc\rd <&> \"'\u00e9\U0001F600"
    request = parse_request({"bulkId": text, "messages": [{
        "scenarioId": "S", **XML_TYPE,
        "destinations": [{"to": "41793026727", "messageId": text}]}]})
    assert (request.bulk_id, request.messages[0].destinations[0].message_id) == (text, text)


def test_the_bulk_id_must_suit_xml_when_any_message_uses_xml() -> None:
    json_message = {"scenarioId": "S", "destinations": [{"to": "41793026727"}]}
    xml_message = {**json_message, **XML_TYPE, "destinations": [{"to": "41793026728"}]}
    assert error_paths({"bulkId": "b\x07", "messages": [json_message, xml_message]}) == \
        ["/bulkId"]
    # No message uses XML (absent content type means JSON, S10): any text is fine.
    assert parse_request({"bulkId": "b\x07", "messages": [json_message]}).bulk_id == "b\x07"


def test_flat_shape_xml_identifiers() -> None:
    data = {"bulkId": "\x02", "scenarioId": "S", "to": ["41793026727"], "messageId": "m\x03",
            **XML_TYPE}
    assert error_paths(data) == ["/bulkId", "/messageId"]


def test_xml_identifier_problems_come_with_every_other_problem() -> None:
    # Destination 0 is not an object and is skipped: the paths still count it (index 1, 2).
    data = {"bulkId": "\x01", "messages": [{
        "scenarioId": "S", **XML_TYPE, "callbackData": "\x00", "validityPeriod": 0,
        "destinations": [7, {"to": "41793026727", "messageId": "\x0b"},
                         {"to": "41793026728", "messageId": "\ufffe"}]}]}
    assert sorted(error_paths(data)) == sorted([
        "/bulkId", f"{M}/callbackData", f"{M}/validityPeriod", f"{M}/destinations/0",
        f"{M}/destinations/1/messageId", f"{M}/destinations/2/messageId"])


def test_a_faulty_content_type_is_not_read_as_xml() -> None:
    # Only the content type itself is wrong; the identifiers are judged as for JSON reports.
    for bad in ("application/XML", ["application/xml"], 5):
        data = {"bulkId": "\x01", "messages": [{
            "scenarioId": "S", "notifyContentType": bad,
            "destinations": [{"to": "41793026727", "messageId": "\x01"}]}]}
        assert error_paths(data) == [f"{M}/notifyContentType"]


def test_xml_checks_on_malformed_requests_raise_only_request_errors() -> None:
    cases: list[Any] = [
        {"bulkId": "\x01", "messages": "not a list"},
        {"bulkId": "\x01", "messages": [5, {**XML_TYPE}]},
        {"bulkId": "\x01", "messages": [{**XML_TYPE, "destinations": [{"messageId": 5}]}]},
        {"bulkId": 5, **XML_TYPE, "messageId": ["\x01"], "to": "x"},
    ]
    expected = [
        ["/messages"],
        ["/bulkId", f"{M}", "/messages/1/scenarioId", "/messages/1/destinations"],
        ["/bulkId", f"{M}/destinations/0/messageId", f"{M}/scenarioId"],
        ["/bulkId", "/messageId", "/to", "/scenarioId"],
    ]
    for data, paths in zip(cases, expected, strict=True):
        assert sorted(error_paths(data)) == sorted(paths), data


def test_an_address_xml_cannot_carry_fails_an_xml_request_but_only_rejects_under_json() -> None:
    # Under JSON reports a control character is just another non-number: status 52 (S7).
    def request(content_type: str) -> dict[str, object]:
        return {"messages": [{"scenarioId": "S", "notifyContentType": content_type,
                              "destinations": [{"to": "4179\x01"}, {"to": "41793026727"}]}]}

    destination = parse_request(request("application/json")).messages[0].destinations[0]
    assert destination.status.id == 52
    # An XML report of that destination could not be written, so the request is refused.
    with pytest.raises(RequestError) as info:
        parse_request(request("application/xml"))
    assert [(e.path, "U+0001" in e.message) for e in info.value.errors] == [
        ("/messages/0/destinations/0/to", True)]
    flat = {"scenarioId": "S", "notifyContentType": "application/xml", "to": ["x\x1f"]}
    with pytest.raises(RequestError) as info:
        parse_request(flat)
    assert [e.path for e in info.value.errors] == ["/to/0"]


def test_problems_render_odd_member_names_on_one_encodable_line() -> None:
    from ivrsched.errors import display_path

    name = "a\nb\u2028c\udc00d"
    with pytest.raises(RequestError) as info:
        parse_request({"scenarioId": "S", "to": ["41793026727"], name: 1}, strict=True)
    [problem] = info.value.errors
    assert problem.path == "/" + name                     # the exact pointer is kept
    # Shown with Python escapes: \n, \u2028 and \udc00 are 2, 6 and 6 characters.
    assert display_path(problem.path) == "/a\\nb\\u2028c\\udc00d"
    assert str(problem).encode("utf-8").count(b"\n") == 0
    assert display_path("/é/~1") == "/é/~1"                # printable text is left alone
    assert display_path("") == "(root)"


# -- the all-accepted block's fast constructor ------------------------------------------------

def _block_request(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    return {"messages": [{"scenarioId": "S1", "destinations": [
        {"to": to, "messageId": message_id} for to, message_id in pairs]}]}


@given(st.lists(st.tuples(st.from_regex(r"\+?[1-9][0-9]{6,14}", fullmatch=True),
                          st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E),
                                  min_size=1, max_size=8)),
                min_size=1, max_size=30, unique_by=lambda pair: pair[1]))
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
def test_the_accepted_block_gives_the_destinations_of_the_general_path(
        pairs: list[tuple[str, str]]) -> None:
    from ivrsched.request import parsing

    calls: list[int] = []
    built = parsing.accepted_destinations

    def spy(tos: Any, ids: Any) -> Any:
        calls.append(len(tos))
        return built(tos, ids)

    original = parsing.accepted_destinations
    parsing.accepted_destinations = spy
    try:
        fast = parse_request(_block_request(pairs)).messages[0].destinations
    finally:
        parsing.accepted_destinations = original
    assert calls == [len(pairs)]  # the block path was taken
    # Strict mode reads each destination with the field readers and the public constructor.
    general = parse_request(_block_request(pairs), strict=True).messages[0].destinations
    assert len(fast) == len(general) == len(pairs)
    for a, b, (to, message_id) in zip(fast, general, pairs, strict=True):
        assert type(a) is type(b) is ivrsched.Destination
        # Field by field, in the declared order, and nothing else in the object.
        assert list(vars(a).items()) == list(vars(b).items()) == [
            ("to", to), ("message_id", message_id), ("status", Status.PENDING_ACCEPTED),
            ("reason", None), ("line", None)]
        assert [getattr(a, f.name) for f in fields(a)] == [getattr(b, f.name) for f in fields(b)]
        assert a == b and hash(a) == hash(b) and a.accepted
    assert fast == general


def test_block_destinations_stay_frozen() -> None:
    from dataclasses import FrozenInstanceError

    from ivrsched.request.model import accepted_destinations

    built = accepted_destinations(["41793026727"], ["m"])
    assert built == [ivrsched.Destination("41793026727", "m")]
    with pytest.raises(FrozenInstanceError):
        built[0].to = "41793026731"  # type: ignore[misc]
    assert built[0].to == "41793026727"
    with pytest.raises(ValueError):
        accepted_destinations(["41793026727"], [])  # the two lists must be of one length
