"""The advanced TTS message (``POST /tts/3/advanced``, SPEC S17) as a :class:`Request`.

``{"bulkId", "messages": [{text | audioFileUrl, "destinations": [{"to", "messageId"}], …}]}``:
the timing fields (``sendAt``, ``validityPeriod``, ``retry``, ``sendingSpeed``,
``deliveryTimeWindow``) and the delivery-report fields are read exactly as in an IVR message
(S1, S3–S7). The message content and call handling (text, language, voice, DTMF, machine
detection, call transfers) are checked here and carried in ``Message.extra``; nothing schedules
on them. Field list and interpretations: ``docs/dialects.md``.
"""

from __future__ import annotations

from fractions import Fraction

from ivrsched.errors import Problem, RequestError
from ivrsched.request.destinations import MessageIdRegistry
from ivrsched.request.dialect_fields import (
    frozen,
    read_choice,
    read_number,
    read_phone,
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
    read_int,
    read_object,
    read_str,
)
from ivrsched.request.model import Destination, Message, Request, RequestShape
from ivrsched.request.parsing import (
    _any_wants_xml,
    _parse_destinations,
    _read_callback_data,
    _read_content_type,
    _read_notify_url,
    _read_send_at,
    _read_validity,
    _xml_fault,
    http_url_fault,
    parse_message_items,
)
from ivrsched.request.timing_fields import parse_retry, parse_sending_speed, parse_window

ROOT_FIELDS = ("bulkId", "messages")
#: Fields of an advanced message, as the platform's ``CallsAdvancedMessage`` lists them.
MESSAGE_FIELDS = (
    "audioFileUrl", "callTimeout", "callTransfers", "callbackData", "deliveryTimeWindow",
    "destinations", "dtmfTimeout", "from", "language", "machineDetection", "maxDtmf",
    "notifyContentType", "notifyContentVersion", "notifyUrl", "pause", "repeatDtmf", "retry",
    "ringTimeout", "sendAt", "sendingSpeed", "speechRate", "text", "validityPeriod", "voice",
)
TRANSFER_FIELDS = ("callTransferMaxDuration", "equals", "if", "transferTo")
#: ``callbackData`` limit of the advanced message, in characters (the IVR message has 200).
MAX_CALLBACK_CHARS = 700
#: ``text`` limit, in characters.
MAX_TEXT_CHARS = 1400
#: ``speechRate`` bounds; a value outside is replaced by the nearer bound (the platform's rule).
SPEECH_RATE_MIN = Fraction(1, 2)
SPEECH_RATE_MAX = Fraction(2)
MACHINE_DETECTION = ("hangup", "continue")
VOICE_GENDERS = ("male", "female")
TRANSFER_CONDITIONS = ("dtmf", "anyDtmf")
#: Keys a ``repeatDtmf`` may name: ``#`` ends the end user's input, so it cannot be collected.
_DTMF_KEYS = frozenset("0123456789*")


def parse_tts_advanced(p: Problems, root: JsonObject, destinations_required: bool) -> Request:
    """The request of an advanced TTS document (its root object already read)."""
    bulk_id = read_str(p, root, "bulkId", "", non_empty=True)
    if _any_wants_xml(root):
        _xml_fault(p, bulk_id, "/bulkId")
    p.check_keys(root, "", ROOT_FIELDS)
    items = read_array(p, root, "messages", "", required=True, non_empty=True)
    registry = MessageIdRegistry()
    messages = parse_message_items(
        p, items, "messages", MESSAGE_FIELDS, destinations_member="destinations",
        destinations_required=destinations_required,
        read_destinations=lambda obj, path: _parse_destinations(p, obj, path, registry),
        read_message=lambda obj, path, found: _parse_message(p, obj, path, found))
    if p.errors or not messages:
        raise RequestError(p.errors or [Problem("", "required", "the request has no message")])
    return Request(tuple(messages), bulk_id, tuple(p.notices), RequestShape.MESSAGES,
                   Dialect.TTS_ADVANCED)


def _parse_message(p: Problems, obj: JsonObject, path: str,
                   destinations: list[Destination] | None) -> Message | None:
    content_type = _read_content_type(p, obj, path)
    send_at = _read_send_at(p, obj, path)
    retry = parse_retry(get(obj, "retry"), pointer(path, "retry"), p)
    speed = parse_sending_speed(get(obj, "sendingSpeed"), pointer(path, "sendingSpeed"), p)
    validity = _read_validity(p, obj, path, present(obj, "sendingSpeed"))
    window = parse_window(get(obj, "deliveryTimeWindow"), pointer(path, "deliveryTimeWindow"), p)
    sender = read_phone(p, obj, "from", path)
    notify_url = _read_notify_url(p, obj, path)
    content_version = read_int(p, obj, "notifyContentVersion", path)
    callback_data = _read_callback_data(p, obj, path, content_type, MAX_CALLBACK_CHARS)
    ring_timeout = read_int(p, obj, "ringTimeout", path, minimum=0)
    call_timeout = read_int(p, obj, "callTimeout", path, minimum=0)
    pause = read_int(p, obj, "pause", path, minimum=0)
    extra = _read_content(p, obj, path)
    if destinations is None:
        return None
    return Message(
        scenario_id=None,
        destinations=tuple(destinations),
        sender=sender,
        notify_url=notify_url,
        notify_content_type=content_type,
        notify_content_version=content_version,
        callback_data=callback_data,
        validity_period=validity,
        send_at_us=None if send_at is None else send_at[0],
        send_at_offset=0 if send_at is None else send_at[1],
        retry=retry,
        sending_speed=speed,
        delivery_time_window=window,
        ring_timeout=ring_timeout,
        call_timeout=call_timeout,
        pause=pause,
        extra=frozen(extra),
        rejected_indices=tuple(i for i, d in enumerate(destinations) if not d.accepted),
    )


def _read_content(p: Problems, obj: JsonObject, path: str) -> dict[str, object]:
    """What the message says and how the call is handled: checked, carried, not scheduled on."""
    text = _read_message_text(p, obj, path)
    audio = _read_audio_url(p, obj, path)
    if present(obj, "text") == present(obj, "audioFileUrl"):
        if present(obj, "text"):
            p.error(pointer(path, "audioFileUrl"), "value",
                    "give either text or audioFileUrl, not both")
        else:
            p.error(pointer(path, "text"), "required",
                    "is required (or audioFileUrl): the message has nothing to say")
    return dict(frozen({
        "text": text,
        "audioFileUrl": audio,
        "language": read_str(p, obj, "language", path, non_empty=True),
        "voice": _read_voice(p, obj, path),
        "speechRate": _read_speech_rate(p, obj, path),
        "machineDetection": read_choice(p, obj, "machineDetection", path, MACHINE_DETECTION),
        "dtmfTimeout": read_int(p, obj, "dtmfTimeout", path, minimum=0),
        "maxDtmf": read_int(p, obj, "maxDtmf", path, minimum=1),
        "repeatDtmf": _read_repeat_dtmf(p, obj, path),
        "callTransfers": _read_transfers(p, obj, path),
    }))


def _read_message_text(p: Problems, obj: JsonObject, path: str) -> str | None:
    text = read_text(p, obj, "text", path, maximum=MAX_TEXT_CHARS)
    if text is not None and not any(c.isalnum() for c in text):
        p.error(pointer(path, "text"), "value", "must not be only punctuation (it has no letter or "
                "digit)")
        return None
    return text


def _read_audio_url(p: Problems, obj: JsonObject, path: str) -> str | None:
    url = read_str(p, obj, "audioFileUrl", path)
    if url is None:
        return None
    fault = http_url_fault(url)
    if fault is not None:
        p.error(pointer(path, "audioFileUrl"), "format", f"must be an absolute http or https URL: "
                f"{fault}")
        return None
    return url


def _read_voice(p: Problems, obj: JsonObject, path: str) -> dict[str, object] | None:
    voice = read_object(p, obj, "voice", path)
    if voice is None:
        return None
    where = pointer(path, "voice")
    p.check_keys(voice, where, ("gender", "name"))
    return dict(frozen({
        "gender": read_choice(p, voice, "gender", where, VOICE_GENDERS),
        "name": read_str(p, voice, "name", where, non_empty=True),
    }))


def _read_speech_rate(p: Problems, obj: JsonObject, path: str) -> int | float | None:
    """0.5 to 2; outside, the nearer bound with a notice (as the platform does)."""
    rate = read_number(p, obj, "speechRate", path)
    if rate is None:
        return None
    exact = Fraction(rate)
    if SPEECH_RATE_MIN <= exact <= SPEECH_RATE_MAX:
        return rate
    bound = 0.5 if exact < SPEECH_RATE_MIN else 2
    p.notice(pointer(path, "speechRate"), "speech-rate-clamped",
             f"speechRate {rate} is outside 0.5 to 2; set to {bound}")
    return bound


def _read_repeat_dtmf(p: Problems, obj: JsonObject, path: str) -> str | None:
    keys = read_str(p, obj, "repeatDtmf", path, non_empty=True)
    if keys is not None and not set(keys) <= _DTMF_KEYS:
        p.error(pointer(path, "repeatDtmf"), "value", "must be DTMF keys 0-9 or * (# ends the "
                f"input and cannot be collected; got {keys!a})")
        return None
    return keys


def _read_transfers(p: Problems, obj: JsonObject, path: str) -> list[object] | None:
    items = read_array(p, obj, "callTransfers", path)
    if items is None:
        return None
    base = pointer(path, "callTransfers")
    transfers: list[object] = []
    for i, item in enumerate(items):
        where = pointer(base, i)
        entry = as_object(p, item, where)
        if entry is None:
            continue
        p.check_keys(entry, where, TRANSFER_FIELDS)
        condition = read_choice(p, entry, "if", where, TRANSFER_CONDITIONS, required=True)
        equals = read_str(p, entry, "equals", where, non_empty=True)
        if condition == "dtmf" and equals is None and not present(entry, "equals"):
            p.error(pointer(where, "equals"), "required",
                    "is required when 'if' is dtmf (the digits that transfer the call)")
        transfers.append(frozen({
            "if": condition,
            "equals": equals,
            "transferTo": read_phone(p, entry, "transferTo", where, required=True),
            "callTransferMaxDuration": read_int(p, entry, "callTransferMaxDuration", where,
                                                minimum=1),
        }))
    return transfers


__all__ = ["MAX_CALLBACK_CHARS", "MAX_TEXT_CHARS", "MESSAGE_FIELDS", "parse_tts_advanced"]
