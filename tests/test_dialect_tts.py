"""The advanced TTS message (SPEC S17): built by the platform's client, parsed, planned."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import infobip_api_client.models as client
import pytest

from ivrsched import Dialect, RequestError, SeededIds, Status, parse_request, plan
from ivrsched.request.model import Retry, SendingSpeed, TimeUnit, Weekday
from tests.client_models import MINUTE, SECOND, client_json, utc

NOW = datetime(2026, 11, 30, tzinfo=timezone.utc)
PLUS_ONE = timezone(timedelta(hours=1))


def advanced(**fields: Any) -> client.CallsAdvancedBody:
    """A body of one advanced message with three destinations, plus ``fields``."""
    message = client.CallsAdvancedMessage(
        destinations=[client.CallsDestination(to="41793026727", message_id="m1"),
                      client.CallsDestination(to="41793026731"),
                      client.CallsDestination(to="41793026785")],
        text="Your appointment is tomorrow at nine.",
        language="en",
        voice=client.CallsVoice(name="Joanna", gender="female"),
        **fields)
    return client.CallsAdvancedBody(bulk_id="tts-1", messages=[message])


def test_paced_message_built_by_the_client_is_planned() -> None:
    body = advanced(
        send_at=datetime(2026, 12, 1, 9, 0, tzinfo=PLUS_ONE),
        sending_speed=client.CallsSendingSpeed(speed=2, time_unit="minute"),
        retry=client.CallsRetry(min_period=1, max_period=2, max_count=2),
        validity_period=30, machine_detection="hangup", speech_rate=1.5,
        callback_data="x" * 700, repeat_dtmf="1", max_dtmf=1, dtmf_timeout=5,
        call_transfers=[client.CallTransfer(var_if="dtmf", equals="1",
                                            transfer_to="41793026700")])
    request = parse_request(client_json(body))
    assert request.dialect is Dialect.TTS_ADVANCED
    assert request.bulk_id == "tts-1"
    message = request.messages[0]
    assert message.scenario_id is None
    assert message.sending_speed == SendingSpeed(2, TimeUnit.MINUTE)
    assert message.retry == Retry(1, 2, 2)
    assert message.validity_period is None  # S4: paced, so ignored
    assert message.callback_data == "x" * 700
    assert dict(message.extra or {}) == {
        "text": "Your appointment is tomorrow at nine.", "language": "en",
        "voice": {"gender": "female", "name": "Joanna"}, "speechRate": 1.5,
        "machineDetection": "hangup", "dtmfTimeout": 5, "maxDtmf": 1, "repeatDtmf": "1",
        "callTransfers": [{"if": "dtmf", "equals": "1", "transferTo": "41793026700"}]}
    assert [(n.code, n.path) for n in request.notices] == [
        ("validity-ignored", "/messages/0/validityPeriod")]
    schedules = list(plan(request, now=NOW, ids=SeededIds(1)))
    # sendAt 09:00+01:00 is 08:00Z; two per minute: 30 s apart; retries 1 then 2 minutes later.
    start = utc(2026, 12, 1, 8, 0)
    assert [s.attempts_us for s in schedules] == [
        (start, start + MINUTE, start + 3 * MINUTE),
        (start + 30 * SECOND, start + 90 * SECOND, start + 210 * SECOND),
        (start + 60 * SECOND, start + 120 * SECOND, start + 240 * SECOND),
    ]
    assert schedules[0].message_id == "m1"
    assert [s.offset_minutes for s in schedules] == [60, 60, 60]


def test_validity_and_window_of_an_advanced_message() -> None:
    # Tuesday 2026-12-01; the window opens 08:00-10:00 UTC on weekdays; validity 3 minutes.
    body = advanced(
        send_at=datetime(2026, 12, 1, 7, 59, tzinfo=timezone.utc),
        validity_period=3,
        retry=client.CallsRetry(min_period=1, max_period=1, max_count=4),
        delivery_time_window=client.DeliveryTimeWindow(
            days=["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
            var_from=client.DeliveryTime(hour=8, minute=0),
            to=client.DeliveryTime(hour=10, minute=0)))
    request = parse_request(client_json(body))
    message = request.messages[0]
    assert message.delivery_time_window is not None
    assert message.delivery_time_window.days[0] is Weekday.MONDAY
    schedules = list(plan(request, now=NOW, ids=SeededIds(1)))
    # Start 07:59, deadline 08:02; the window holds every first attempt until 08:00, then the
    # retries a minute apart: 08:00, 08:01; 08:02 is at the deadline, not before it.
    opening = utc(2026, 12, 1, 8, 0)
    assert [s.attempts_us for s in schedules] == [(opening, opening + MINUTE)] * 3


def test_audio_file_message_and_the_flat_destination_fields() -> None:
    body = client.CallsAdvancedBody(messages=[client.CallsAdvancedMessage(
        destinations=[client.CallsDestination(to="+41793026727"),
                      client.CallsDestination(to="0800123")],
        audio_file_url="https://example.com/message.mp3", var_from="41793026700",
        notify_url="https://example.com/reports", notify_content_type="application/json",
        ring_timeout=30, call_timeout=120, pause=2)])
    request = parse_request(client_json(body))
    message = request.messages[0]
    assert message.sender == "41793026700"
    assert (message.ring_timeout, message.call_timeout, message.pause) == (30, 120, 2)
    assert dict(message.extra or {}) == {"audioFileUrl": "https://example.com/message.mp3"}
    assert [d.status for d in message.destinations] == [
        Status.PENDING_ACCEPTED, Status.REJECTED_INVALID_DESTINATION]
    assert message.validity_period == 2880


def _paths(data: Any, **kwargs: Any) -> set[str]:
    with pytest.raises(RequestError) as info:
        parse_request(data, **kwargs)
    return {p.path for p in info.value.errors}


def test_every_problem_of_an_advanced_message_at_once() -> None:
    M = "/messages/0"
    data = {"bulkId": "", "messages": [{
        "destinations": [{"to": 41793026727}, {"to": "41793026731", "messageId": ""}],
        "text": "?!...", "audioFileUrl": "ftp://example.com/a.mp3",
        "language": 5, "voice": {"gender": "other", "name": ""},
        "speechRate": "fast", "machineDetection": "maybe", "dtmfTimeout": -1, "maxDtmf": 0,
        "repeatDtmf": "#", "callbackData": "x" * 701, "from": "12",
        "callTransfers": [{"if": "dtmf"}, {"if": "always", "transferTo": "0123"}, 7],
        "retry": {"minPeriod": 0, "maxPeriod": 5, "maxCount": 1},
        "sendingSpeed": {"speed": 0, "timeUnit": "week"},
        "sendAt": "2026-12-01T09:00:00", "notifyContentType": "text/plain",
        "notifyUrl": "example.com", "validityPeriod": 0, "ringTimeout": True,
        "deliveryTimeWindow": {"days": []},
    }]}
    assert _paths(data, dialect="tts-advanced") == {
        "/bulkId", f"{M}/destinations/0/to", f"{M}/destinations/1/messageId",
        f"{M}/text", f"{M}/audioFileUrl", f"{M}/language", f"{M}/voice/gender",
        f"{M}/voice/name", f"{M}/speechRate", f"{M}/machineDetection", f"{M}/dtmfTimeout",
        f"{M}/maxDtmf", f"{M}/repeatDtmf", f"{M}/callbackData", f"{M}/from",
        f"{M}/callTransfers/0/equals", f"{M}/callTransfers/0/transferTo",
        f"{M}/callTransfers/1/if", f"{M}/callTransfers/1/transferTo", f"{M}/callTransfers/2",
        f"{M}/retry/minPeriod", f"{M}/sendingSpeed/speed", f"{M}/sendingSpeed/timeUnit",
        f"{M}/sendAt", f"{M}/notifyContentType", f"{M}/notifyUrl", f"{M}/validityPeriod",
        f"{M}/ringTimeout", f"{M}/deliveryTimeWindow/days",
    }


def test_text_or_audio_is_required_and_not_both() -> None:
    base = {"destinations": [{"to": "41793026727"}]}
    assert _paths({"messages": [base]}, dialect=Dialect.TTS_ADVANCED) == {"/messages/0/text"}
    both = {**base, "text": "Hello", "audioFileUrl": "https://example.com/a.mp3"}
    assert _paths({"messages": [both]}) == {"/messages/0/audioFileUrl"}


def test_speech_rate_is_clamped_exactly_with_a_notice() -> None:
    def rate(value: object) -> tuple[object, list[str]]:
        request = parse_request({"messages": [{"text": "Hi", "speechRate": value,
                                               "destinations": [{"to": "41793026727"}]}]})
        return ((request.messages[0].extra or {})["speechRate"],
                [n.code for n in request.notices])

    assert rate(0.5) == (0.5, [])
    assert rate(2) == (2, [])
    assert rate(0.49999999) == (0.5, ["speech-rate-clamped"])
    assert rate(2.0000001) == (2, ["speech-rate-clamped"])
    assert _paths('{"messages": [{"text": "Hi", "speechRate": NaN, '
                  '"destinations": [{"to": "41793026727"}]}]}') == {"/messages/0/speechRate"}


def test_unknown_fields_are_notices_or_strict_errors() -> None:
    data = {"messages": [{"text": "Hi", "scenarioKey": "x",
                          "voice": {"name": "Joanna", "accent": "US"},
                          "destinations": [{"to": "41793026727"}]}]}
    request = parse_request(data)
    assert [(n.code, n.path) for n in request.notices] == [
        ("unknown-field", "/messages/0/scenarioKey"),
        ("unknown-field", "/messages/0/voice/accent")]
    assert _paths(data, strict=True) == {"/messages/0/scenarioKey", "/messages/0/voice/accent"}


def test_xml_reports_check_the_text_they_carry() -> None:
    data = {"bulkId": "b\x01", "messages": [{
        "text": "Hi", "notifyContentType": "application/xml", "callbackData": "\x02",
        "destinations": [{"to": "41793026727", "messageId": "m\x03"}]}]}
    assert _paths(data) == {"/bulkId", "/messages/0/callbackData",
                            "/messages/0/destinations/0/messageId"}


def test_streamed_destinations_may_be_left_out() -> None:
    request = parse_request({"messages": [{"text": "Hi"}]}, destinations_required=False)
    assert request.messages[0].destinations == ()
    assert json.dumps(dict(request.messages[0].extra or {})) == '{"text": "Hi"}'
