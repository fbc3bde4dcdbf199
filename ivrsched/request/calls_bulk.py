"""The Calls API bulk (``POST /calls/1/bulks``, SPEC S17) as a :class:`Request`.

``{"bulkId", "callsConfigurationId", "platform", "items": [{"callRequests": [{"externalId",
"endpoint": {"type": "PHONE", "phoneNumber"}}], "callRate", "validityPeriod", "retryOptions",
"schedulingOptions", …}]}``. Each item is one message of the engine:

- ``callRate {maxCalls, timeUnit}`` is the pacing of S3 (``SECONDS`` … ``DAYS``);
- ``retryOptions {minWaitPeriod, maxWaitPeriod, maxAttempts}`` is S5's ``retry`` (minutes, as
  the platform's client documents them; ``maxAttempts`` counts retries, at most 4);
- ``schedulingOptions.startTime`` is the start (S2) and ``callingTimeWindow`` the window (S6);
- ``validityPeriod`` is S4's, with the IVR rules where the Calls API publishes none;
- each call request is a destination: ``endpoint.phoneNumber`` its address, ``externalId`` the
  ID its attempt keys use.

The other fields are checked and carried in ``Message.extra`` (``Request.extra`` for the root's
``callsConfigurationId`` and ``platform``). Field list and interpretations: ``docs/dialects.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Final

from ivrsched.errors import Problem, RequestError
from ivrsched.request.destinations import MessageIdRegistry
from ivrsched.request.dialect_fields import (
    frozen,
    in_range,
    read_choice,
    read_number,
    read_phone,
    read_string_map,
    read_text,
)
from ivrsched.request.dialects import Dialect
from ivrsched.request.fields import (
    JsonObject,
    Problems,
    as_object,
    get,
    pointer,
    present,
    read_array,
    read_bool,
    read_int,
    read_object,
    read_str,
)
from ivrsched.request.model import (
    Destination,
    Message,
    Request,
    RequestShape,
    SendingSpeed,
    TimeUnit,
)
from ivrsched.request.parsing import (
    _address_writable,
    _count_notice,
    _destination,
    _read_send_at,
    _read_validity,
    parse_message_items,
)
from ivrsched.request.timing_fields import RetryFields, parse_retry, parse_window

ROOT_FIELDS = ("bulkId", "callsConfigurationId", "platform", "items")
#: Fields of an item, as the platform's ``CallsBulkItem`` lists them.
ITEM_FIELDS = (
    "from", "callRequests", "recording", "machineDetection", "maxDuration", "connectTimeout",
    "callRate", "validityPeriod", "retryOptions", "schedulingOptions", "customData",
)
CALL_REQUEST_FIELDS = ("externalId", "endpoint")
ENDPOINT_TYPES = ("PHONE",)
#: ``callRate.timeUnit`` → the engine's pacing unit.
CALL_RATE_UNITS: Final = {
    "SECONDS": TimeUnit.SECOND,
    "MINUTES": TimeUnit.MINUTE,
    "HOURS": TimeUnit.HOUR,
    "DAYS": TimeUnit.DAY,
}
RETRY_FIELDS = RetryFields("minWaitPeriod", "maxWaitPeriod", "maxAttempts")
#: ``connectTimeout`` upper bound, in seconds (the platform's).
MAX_CONNECT_TIMEOUT = 60
#: ``maxDuration`` when absent, in seconds (the platform's client default).
DEFAULT_MAX_DURATION = 28_800
RECORDING_TYPES = ("AUDIO", "AUDIO_AND_VIDEO")
RECORDING_CHANNELS = ("MONO", "STEREO")
MAX_FILE_PREFIX = 214
MAX_PLATFORM_ID = 255
MAX_MESSAGE_DETECTION_TIMEOUT = 60
DETECTION_TIME_MIN = Fraction(1)
DETECTION_TIME_MAX = Fraction(5)
#: Where an item's start comes from, relative to the item (notices about the start name it).
START_FIELD = "schedulingOptions/startTime"


def parse_calls_bulk(p: Problems, root: JsonObject, destinations_required: bool) -> Request:
    """The request of a Calls bulk document (its root object already read)."""
    p.check_keys(root, "", ROOT_FIELDS)
    bulk_id = read_str(p, root, "bulkId", "", non_empty=True)
    extra = frozen({
        "callsConfigurationId": read_str(p, root, "callsConfigurationId", "", required=True,
                                         non_empty=True),
        "platform": _read_platform(p, root),
    })
    items = read_array(p, root, "items", "", required=True, non_empty=True)
    registry = MessageIdRegistry()
    messages = parse_message_items(
        p, items, "items", ITEM_FIELDS, destinations_member="callRequests",
        destinations_required=destinations_required,
        read_destinations=lambda obj, path: _parse_call_requests(p, obj, path, registry),
        read_message=lambda obj, path, found: _parse_item(p, obj, path, found))
    if p.errors or not messages:
        raise RequestError(p.errors or [Problem("", "required", "the request has no item")])
    return Request(tuple(messages), bulk_id, tuple(p.notices), RequestShape.MESSAGES,
                   Dialect.CALLS_BULK, extra)


def _read_platform(p: Problems, root: JsonObject) -> dict[str, object] | None:
    platform = read_object(p, root, "platform", "")
    if platform is None:
        return None
    p.check_keys(platform, "/platform", ("entityId", "applicationId"))
    return dict(frozen({
        key: read_text(p, platform, key, "/platform", minimum=0, maximum=MAX_PLATFORM_ID)
        for key in ("entityId", "applicationId")
    }))


def _parse_call_requests(p: Problems, obj: JsonObject, path: str,
                         registry: MessageIdRegistry) -> list[Destination] | None:
    """Each call request as a destination: its phone number judged by S7 (a missing or invalid
    number rejects the call, not the bulk), its ``externalId`` as the destination's ID."""
    items = read_array(p, obj, "callRequests", path, required=True, non_empty=True)
    if items is None:
        return None
    base = pointer(path, "callRequests")
    destinations: list[Destination] = []
    for i, item in enumerate(items):
        where = pointer(base, i)
        entry = as_object(p, item, where)
        if entry is None:
            continue
        p.check_keys(entry, where, CALL_REQUEST_FIELDS)
        external_id = read_str(p, entry, "externalId", where, non_empty=True)
        endpoint = read_object(p, entry, "endpoint", where, required=True)
        if endpoint is None:
            continue
        at = pointer(where, "endpoint")
        p.check_keys(endpoint, at, ("type", "phoneNumber"))
        kind = read_choice(p, endpoint, "type", at, ENDPOINT_TYPES, required=True)
        number = get(endpoint, "phoneNumber")
        number_at = pointer(at, "phoneNumber")
        if not _address_writable(p, None if not present(endpoint, "phoneNumber") else number,
                                 number_at, False) or kind is None:
            continue
        destinations.append(_destination(p, number if isinstance(number, str) else None,
                                         external_id, number_at, pointer(where, "externalId"),
                                         registry))
    _count_notice(p, destinations, base)
    return destinations


def _parse_item(p: Problems, obj: JsonObject, path: str,
                destinations: list[Destination] | None) -> Message | None:
    scheduling = read_object(p, obj, "schedulingOptions", path)
    send_at = window = None
    if scheduling is not None:
        at = pointer(path, "schedulingOptions")
        p.check_keys(scheduling, at, ("startTime", "callingTimeWindow"))
        send_at = _read_send_at(p, scheduling, at, "startTime")
        window = parse_window(get(scheduling, "callingTimeWindow"),
                              pointer(at, "callingTimeWindow"), p)
    speed = _parse_call_rate(p, obj, path)
    validity = _read_validity(p, obj, path, present(obj, "callRate"), "callRate")
    retry = parse_retry(get(obj, "retryOptions"), pointer(path, "retryOptions"), p,
                        RETRY_FIELDS)
    sender = read_phone(p, obj, "from", path)
    max_duration = read_int(p, obj, "maxDuration", path, minimum=1)
    extra = frozen({
        "maxDuration": DEFAULT_MAX_DURATION if max_duration is None else max_duration,
        "connectTimeout": read_int(p, obj, "connectTimeout", path, minimum=1,
                                   maximum=MAX_CONNECT_TIMEOUT),
        "recording": _read_recording(p, obj, path),
        "machineDetection": _read_machine_detection(p, obj, path),
        "customData": _plain(read_string_map(p, obj, "customData", path)),
    })
    if destinations is None:
        return None
    return Message(
        scenario_id=None,
        destinations=tuple(destinations),
        sender=sender,
        validity_period=validity,
        send_at_us=None if send_at is None else send_at[0],
        send_at_offset=0 if send_at is None else send_at[1],
        retry=retry,
        sending_speed=speed,
        delivery_time_window=window,
        extra=extra,
        start_field=START_FIELD,
        rejected_indices=tuple(i for i, d in enumerate(destinations) if not d.accepted),
    )


def _parse_call_rate(p: Problems, obj: JsonObject, path: str) -> SendingSpeed | None:
    """S3 from ``callRate``: ``maxCalls`` an integer >= 1 and ``timeUnit``, both required."""
    rate = read_object(p, obj, "callRate", path)
    if rate is None:
        return None
    at = pointer(path, "callRate")
    p.check_keys(rate, at, ("maxCalls", "timeUnit"))
    calls = read_int(p, rate, "maxCalls", at, required=True, minimum=1)
    unit = read_choice(p, rate, "timeUnit", at, tuple(CALL_RATE_UNITS), required=True)
    if calls is None or unit is None:
        return None
    return SendingSpeed(calls, CALL_RATE_UNITS[unit])


def _read_recording(p: Problems, obj: JsonObject, path: str) -> dict[str, object] | None:
    recording = read_object(p, obj, "recording", path)
    if recording is None:
        return None
    at = pointer(path, "recording")
    p.check_keys(recording, at, ("recordingType", "customData", "filePrefix", "channels"))
    return dict(frozen({
        "recordingType": read_choice(p, recording, "recordingType", at, RECORDING_TYPES,
                                     required=True),
        "customData": _plain(read_string_map(p, recording, "customData", at)),
        "filePrefix": read_text(p, recording, "filePrefix", at, maximum=MAX_FILE_PREFIX),
        "channels": read_choice(p, recording, "channels", at, RECORDING_CHANNELS),
    }))


def _read_machine_detection(p: Problems, obj: JsonObject, path: str) -> dict[str, object] | None:
    detection = read_object(p, obj, "machineDetection", path)
    if detection is None:
        return None
    at = pointer(path, "machineDetection")
    p.check_keys(detection, at, ("enabled", "messageDetectionTimeout", "detectionTime"))
    enabled = read_bool(p, detection, "enabled", at)
    if enabled is None and not present(detection, "enabled"):
        p.error(pointer(at, "enabled"), "required", "is required")
    timeout = read_int(p, detection, "messageDetectionTimeout", at, minimum=0,
                       maximum=MAX_MESSAGE_DETECTION_TIMEOUT)
    seconds = read_number(p, detection, "detectionTime", at)
    where = pointer(at, "detectionTime")
    if seconds is not None and not in_range(p, seconds, where, DETECTION_TIME_MIN,
                                            DETECTION_TIME_MAX):
        seconds = None
    elif seconds is not None and timeout not in (None, 0) and Fraction(seconds) >= timeout:
        p.error(where, "range", f"must be lower than messageDetectionTimeout ({timeout})")
        seconds = None
    return dict(frozen({"enabled": enabled, "messageDetectionTimeout": timeout,
                        "detectionTime": seconds}))


def _plain(mapping: Mapping[str, str] | None) -> dict[str, str] | None:
    """A read-only mapping as a plain dict (nested ``extra`` values stay JSON-ready)."""
    return None if mapping is None else dict(mapping)


__all__ = ["CALL_RATE_UNITS", "ITEM_FIELDS", "RETRY_FIELDS", "parse_calls_bulk"]
