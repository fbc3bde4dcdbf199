"""The Calls API bulk (SPEC S17): built by the platform's client, parsed, planned."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import infobip_api_client.models as client
import pytest

from ivrsched import Dialect, RequestError, SeededIds, Status, parse_request, plan
from ivrsched.request.model import Retry, SendingSpeed, TimeUnit
from tests.client_models import MINUTE, SECOND, client_json, utc

NOW = datetime(2026, 11, 30, tzinfo=timezone.utc)
PLUS_ONE = timezone(timedelta(hours=1))
WEEKDAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]


def call(number: str, external_id: str | None = None) -> client.CallsBulkCallRequest:
    return client.CallsBulkCallRequest(
        external_id=external_id,
        endpoint=client.CallsBulkPhoneEndpoint(phone_number=number,
                                               type=client.CallsBulkEndpointType.PHONE))


def bulk(*items: client.CallsBulkItem) -> client.CallBulkRequest:
    return client.CallBulkRequest(bulk_id="bulk-1", calls_configuration_id="cfg-1",
                                  platform=client.Platform(application_id="app-1"),
                                  items=list(items))


def test_a_paced_bulk_built_by_the_client_is_planned() -> None:
    item = client.CallsBulkItem(
        var_from="41793026700",
        call_requests=[call("41793026727", "alice"), call("0123", "bob"),
                       call("41793026731")],
        call_rate=client.CallRate(max_calls=10, time_unit=client.CallsTimeUnit.MINUTES),
        retry_options=client.CallsRetryOptions(min_wait_period=3, max_wait_period=30,
                                               max_attempts=6),
        validity_period=60, connect_timeout=30,
        scheduling_options=client.CallsSchedulingOptions(
            start_time=datetime(2026, 12, 1, 9, 0, tzinfo=PLUS_ONE),
            calling_time_window=client.DeliveryTimeWindow(
                days=WEEKDAYS, var_from=client.DeliveryTime(hour=8, minute=0),
                to=client.DeliveryTime(hour=9, minute=0))),
        machine_detection=client.CallsMachineDetectionRequest(enabled=True),
        custom_data={"campaign": "winter"})
    request = parse_request(client_json(bulk(item)))
    assert request.dialect is Dialect.CALLS_BULK
    assert request.bulk_id == "bulk-1"
    assert dict(request.extra or {}) == {"callsConfigurationId": "cfg-1",
                                         "platform": {"applicationId": "app-1"}}
    message = request.messages[0]
    assert message.sending_speed == SendingSpeed(10, TimeUnit.MINUTE)
    assert message.retry == Retry(5, 30, 4)  # 3 raised to the rung 5; 6 attempts capped at 4
    assert message.validity_period is None  # the IVR rule: paced, so no deadline
    assert message.sender == "41793026700"
    # The client fills in its defaults (maxDuration 28800, detectionTime 3.7); both are carried.
    assert dict(message.extra or {}) == {
        "maxDuration": 28800, "connectTimeout": 30,
        "machineDetection": {"enabled": True, "detectionTime": 3.7},
        "customData": {"campaign": "winter"}}
    assert [d.message_id for d in message.destinations] == ["alice", "bob", None]
    assert [d.status for d in message.destinations] == [
        Status.PENDING_ACCEPTED, Status.REJECTED_INVALID_DESTINATION, Status.PENDING_ACCEPTED]
    assert {(n.code, n.path) for n in request.notices} == {
        ("validity-ignored", "/items/0/validityPeriod"),
        ("retry-min-snapped", "/items/0/retryOptions/minWaitPeriod"),
        ("retry-count-clamped", "/items/0/retryOptions/maxAttempts")}

    schedules = list(plan(request, now=NOW, ids=SeededIds(1)))
    # Tuesday 09:00+01:00 is 08:00Z, the window's opening; ten calls a minute: 6 s apart (the
    # rejected call takes no slot). Retries 5, 10, 20, 30 minutes after each attempt; the
    # fourth falls after 09:00, so it moves to Wednesday's opening.
    day = utc(2026, 12, 1, 8, 0)
    wednesday = utc(2026, 12, 2, 8, 0)
    assert schedules[0].attempts_us == (day, day + 5 * MINUTE, day + 15 * MINUTE,
                                        day + 35 * MINUTE, wednesday)
    assert schedules[1].attempts_us == ()
    second = day + 6 * SECOND
    assert schedules[2].attempts_us == (second, second + 5 * MINUTE, second + 15 * MINUTE,
                                        second + 35 * MINUTE, wednesday)
    # externalId is the ID the attempt keys use; a call without one gets a generated ID.
    assert schedules[0].message_id == "alice"
    assert schedules[2].message_id == SeededIds(1).message_id(0, 2)


def test_validity_period_and_start_of_an_unpaced_item() -> None:
    item = client.CallsBulkItem(
        call_requests=[call("41793026727"), call("41793026731")],
        validity_period=4,
        retry_options=client.CallsRetryOptions(min_wait_period=1, max_wait_period=2,
                                               max_attempts=4),
        scheduling_options=client.CallsSchedulingOptions(
            start_time=datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)))
    schedules = list(plan(parse_request(client_json(bulk(item))), now=NOW, ids=SeededIds(1)))
    start = utc(2026, 12, 1, 12, 0)
    # Deadline 12:04: attempts at 12:00, 12:01, 12:03; the next (12:05) is past it.
    assert [s.attempts_us for s in schedules] == [
        (start, start + MINUTE, start + 3 * MINUTE)] * 2


def test_validity_is_clamped_to_48_hours_as_in_ivr() -> None:
    data = {"callsConfigurationId": "cfg", "items": [{"validityPeriod": 5000, "callRequests": [
        {"endpoint": {"type": "PHONE", "phoneNumber": "41793026727"}}]}]}
    request = parse_request(data)
    assert request.messages[0].validity_period == 2880
    assert [(n.code, n.path) for n in request.notices] == [
        ("validity-clamped", "/items/0/validityPeriod")]


def test_a_past_start_time_is_named_where_it_was_given() -> None:
    data = {"callsConfigurationId": "cfg", "items": [
        {"callRequests": [{"endpoint": {"type": "PHONE", "phoneNumber": "41793026727"}}]},
        {"schedulingOptions": {"startTime": "2026-11-01T00:00:00Z"},
         "callRequests": [{"endpoint": {"type": "PHONE", "phoneNumber": "41793026731"}}]}]}
    result = plan(parse_request(data), now=NOW, ids=SeededIds(1))
    assert [(n.code, n.path) for n in result.notices] == [
        ("send-at-past", "/items/1/schedulingOptions/startTime")]
    assert result.notices[0].message == "startTime is in the past; the message starts now"


def _paths(data: Any, **kwargs: Any) -> set[str]:
    with pytest.raises(RequestError) as info:
        parse_request(data, **kwargs)
    return {p.path for p in info.value.errors}


def test_every_problem_of_a_bulk_at_once() -> None:
    item = "/items/0"
    data = {"bulkId": 7, "platform": {"entityId": "e" * 256}, "items": [{
        "from": "abc",
        "callRequests": [{"externalId": ""}, {"endpoint": {"type": "SIP", "phoneNumber": 5}},
                         "41793026727", {"endpoint": {"phoneNumber": "41793026727"}}],
        "callRate": {"maxCalls": 0, "timeUnit": "WEEKS"},
        "retryOptions": {"minWaitPeriod": 10, "maxAttempts": -1},
        "validityPeriod": "60", "connectTimeout": 61, "maxDuration": 0,
        "schedulingOptions": {"startTime": "tomorrow", "callingTimeWindow": {"days": []}},
        "recording": {"channels": "QUAD", "filePrefix": ""},
        "machineDetection": {"detectionTime": 6, "messageDetectionTimeout": 61},
        "customData": {"k": 1},
    }, 3]}
    assert _paths(data) == {
        "/bulkId", "/callsConfigurationId", "/platform/entityId", "/items/1",
        f"{item}/from", f"{item}/callRequests/0/externalId", f"{item}/callRequests/0/endpoint",
        f"{item}/callRequests/1/endpoint/type", f"{item}/callRequests/1/endpoint/phoneNumber",
        f"{item}/callRequests/2", f"{item}/callRequests/3/endpoint/type",
        f"{item}/callRate/maxCalls", f"{item}/callRate/timeUnit",
        f"{item}/retryOptions/maxWaitPeriod", f"{item}/retryOptions/maxAttempts",
        f"{item}/validityPeriod", f"{item}/connectTimeout", f"{item}/maxDuration",
        f"{item}/schedulingOptions/startTime", f"{item}/schedulingOptions/callingTimeWindow/days",
        f"{item}/recording/recordingType", f"{item}/recording/channels",
        f"{item}/recording/filePrefix", f"{item}/machineDetection/enabled",
        f"{item}/machineDetection/detectionTime",
        f"{item}/machineDetection/messageDetectionTimeout", f"{item}/customData/k",
    }


def test_call_faults_reject_the_call_and_strict_mode_refuses_them() -> None:
    def calls(*entries: dict[str, Any]) -> dict[str, Any]:
        return {"callsConfigurationId": "cfg", "items": [{"callRequests": list(entries)}]}

    data = calls({"externalId": "a", "endpoint": {"type": "PHONE", "phoneNumber": "41793026727"}},
                 {"externalId": "a", "endpoint": {"type": "PHONE", "phoneNumber": "41793026731"}},
                 {"endpoint": {"type": "PHONE", "phoneNumber": "+0800"}},
                 {"endpoint": {"type": "PHONE"}})
    destinations = parse_request(data).messages[0].destinations
    assert [d.status for d in destinations] == [
        Status.PENDING_ACCEPTED, Status.REJECTED_DUPLICATE_MESSAGE_ID,
        Status.REJECTED_INVALID_DESTINATION, Status.MISSING_TO]
    base = "/items/0/callRequests"
    assert _paths(data, strict=True) == {f"{base}/1/externalId", f"{base}/2/endpoint/phoneNumber",
                                         f"{base}/3/endpoint/phoneNumber"}


def test_retry_options_need_all_three_members_and_order() -> None:
    def item(**retry: int) -> dict[str, Any]:
        return {"callsConfigurationId": "cfg", "items": [{"retryOptions": retry, "callRequests": [
            {"endpoint": {"type": "PHONE", "phoneNumber": "41793026727"}}]}]}

    assert _paths(item(minWaitPeriod=60, maxWaitPeriod=5, maxAttempts=1)) == {
        "/items/0/retryOptions/minWaitPeriod"}
    assert _paths(item()) == {f"/items/0/retryOptions/{k}" for k in
                              ("minWaitPeriod", "maxWaitPeriod", "maxAttempts")}
    request = parse_request(item(minWaitPeriod=2000, maxWaitPeriod=3000, maxAttempts=0))
    assert request.messages[0].retry == Retry(1440, 1440, 0)


@pytest.mark.parametrize(("unit", "expected"), [
    ("SECONDS", TimeUnit.SECOND), ("MINUTES", TimeUnit.MINUTE), ("HOURS", TimeUnit.HOUR),
    ("DAYS", TimeUnit.DAY)])
def test_each_call_rate_unit(unit: str, expected: TimeUnit) -> None:
    data = {"callsConfigurationId": "cfg", "items": [{
        "callRate": {"maxCalls": 3, "timeUnit": unit},
        "callRequests": [{"endpoint": {"type": "PHONE", "phoneNumber": "41793026727"}}]}]}
    assert parse_request(data).messages[0].sending_speed == SendingSpeed(3, expected)
    assert _paths({**data, "items": [{**data["items"][0],
                                      "callRate": {"maxCalls": 3, "timeUnit": unit.lower()}}]}
                  ) == {"/items/0/callRate/timeUnit"}


def test_unknown_fields_at_every_level() -> None:
    data = {"callsConfigurationId": "cfg", "colour": 1, "items": [{
        "speed": 1, "callRate": {"maxCalls": 1, "timeUnit": "SECONDS", "burst": 2},
        "callRequests": [{"endpoint": {"type": "PHONE", "phoneNumber": "41793026727",
                                       "ext": "1"}, "tag": "x"}]}]}
    expected = {"/colour", "/items/0/speed", "/items/0/callRate/burst",
                "/items/0/callRequests/0/endpoint/ext", "/items/0/callRequests/0/tag"}
    assert {n.path for n in parse_request(data).notices} == expected
    assert _paths(data, strict=True) == expected
