"""Request parsing and validation (SPEC S4, S5, S6, S7).

:func:`parse_request` turns a request (a dict, or JSON text) into a frozen
:class:`~ivrsched.request.model.Request`. It reads every field, collects every fault, and raises one
:class:`~ivrsched.errors.RequestError` listing them all; it raises nothing else, whatever JSON
value it is given. Every problem and notice names its field by an RFC 6901 JSON Pointer into the
input. Field-by-field documentation: ``docs/request.md``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from urllib.parse import urlsplit

from ivrsched.errors import Notice, Problem, RequestError
from ivrsched.request.destinations import MessageIdRegistry, destination_status
from ivrsched.request.dialects import Dialect, detect_dialect
from ivrsched.request.fields import (
    MISSING,
    UNPAIRED_SURROGATE,
    JsonObject,
    Problems,
    as_object,
    get,
    is_unicode,
    json_type,
    non_xml_char,
    pointer,
    present,
    read_array,
    read_bool,
    read_int,
    read_object,
    read_str,
)
from ivrsched.request.model import (
    ContentType,
    Destination,
    Message,
    Request,
    RequestShape,
    accepted_destinations,
)
from ivrsched.request.status import Status
from ivrsched.request.timing_fields import parse_retry, parse_sending_speed, parse_window
from ivrsched.rules.instants import InstantSyntaxError, parse_instant
from ivrsched.rules.validity import DEFAULT_VALIDITY_MINUTES, MAX_VALIDITY_MINUTES

#: S7: more destinations than this in one message adds a notice (the platform's request limit).
MAX_DESTINATIONS = 20_000
#: ``callbackData`` length limit, in characters (Unicode code points).
MAX_CALLBACK_CHARS = 200
NOTIFY_CONTENT_TYPES: tuple[str, ...] = tuple(ContentType)

#: Fields of a message object shared by both shapes.
COMMON_FIELDS = (
    "scenarioId", "from", "parameters", "notifyUrl", "notifyContentType", "notifyContentVersion",
    "callbackData", "validityPeriod", "sendAt", "record", "retry", "sendingSpeed",
    "deliveryTimeWindow", "ringTimeout", "callTimeout", "pause",
)
MESSAGE_FIELDS = (*COMMON_FIELDS, "destinations")
FLAT_FIELDS = ("bulkId", "to", "messageId", *COMMON_FIELDS)
ROOT_FIELDS = ("bulkId", "messages")
DESTINATION_FIELDS = ("to", "messageId")

_SENDER = re.compile(r"[0-9]{3,14}")

_STRICT_CODES = {
    Status.MISSING_TO: "missing-to",
    Status.REJECTED_INVALID_DESTINATION: "invalid-destination",
    Status.REJECTED_DUPLICATE_MESSAGE_ID: "duplicate-message-id",
}


def parse_request(data: object, dialect: Dialect | str | None = None, *, strict: bool = False,
                  destinations_required: bool = True) -> Request:
    """Parse and validate a request of either S7 shape, or of another dialect (S17).

    ``data`` is a JSON value already decoded (normally a dict) or JSON text (``str``/``bytes``).
    ``dialect`` (a :class:`Dialect` or its name: ``ivr``, ``tts-advanced``, ``calls-bulk``) is
    the endpoint the request is written for; None detects it from the document's shape
    (:func:`~ivrsched.request.dialects.detect_dialect`).
    With ``strict``, unknown fields and destination-level faults (S7: missing or invalid ``to``,
    duplicate ``messageId``) are errors instead of notices and rejected destinations.
    With ``destinations_required=False`` a message may leave out its destinations (``to`` in
    the flat shape); it then has none, for a caller that streams them from elsewhere
    (:mod:`ivrsched.planning.streaming`).

    Raises :class:`RequestError` listing every problem; returns the request otherwise.
    """
    p = Problems(strict=strict)
    if isinstance(data, (str, bytes, bytearray)):
        data = _decode(data)
    root = as_object(p, data, "")
    if root is None:
        raise RequestError(p.errors)
    chosen = detect_dialect(root) if dialect is None else Dialect.named(dialect)
    if chosen is Dialect.TTS_ADVANCED:
        from ivrsched.request.tts_advanced import parse_tts_advanced

        return parse_tts_advanced(p, root, destinations_required)
    if chosen is Dialect.CALLS_BULK:
        from ivrsched.request.calls_bulk import parse_calls_bulk

        return parse_calls_bulk(p, root, destinations_required)
    registry = MessageIdRegistry()
    bulk_id = read_str(p, root, "bulkId", "", non_empty=True)
    if _any_wants_xml(root):
        # Every report of an XML message carries the bulkId.
        _xml_fault(p, bulk_id, "/bulkId")
    if "messages" in root:
        shape = RequestShape.MESSAGES
        p.check_keys(root, "", ROOT_FIELDS)
        messages = _parse_messages(p, root, registry, destinations_required)
    else:
        shape = RequestShape.FLAT
        p.check_keys(root, "", FLAT_FIELDS)
        messages = _parse_flat(p, root, registry, destinations_required)
    if p.errors or messages is None:
        raise RequestError(p.errors or [Problem("", "required", "the request has no message")])
    return Request(messages, bulk_id, tuple(p.notices), shape)


#: The most digits an integer of a request may have (Python's own limit for converting text).
MAX_INTEGER_DIGITS = 4300


class _IntegerTooLong(ValueError):
    def __init__(self, digits: int) -> None:
        super().__init__(f"a number has {digits} digits; at most {MAX_INTEGER_DIGITS} are read")


def _integer(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INTEGER_DIGITS:
        raise _IntegerTooLong(digits)
    return int(text)


def _decode(text: str | bytes | bytearray) -> object:
    try:
        return json.loads(text, parse_int=_integer)
    except _IntegerTooLong as exc:
        message = f"not valid JSON: {exc}"
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
    except RecursionError:
        message = "not valid JSON: nested too deeply"
    except ValueError as exc:  # undecodable bytes, integers too long to convert, ...
        message = f"not valid JSON: {exc}"
    raise RequestError([Problem("", "json", message)])


# -- the two shapes ---------------------------------------------------------------------------

#: Reads the destinations of one message object at a path (None: faulty, already reported).
DestinationsReader = Callable[[JsonObject, str], list[Destination] | None]
#: Reads one message object at a path with its destinations (None: faulty, already reported).
MessageReader = Callable[[JsonObject, str, list[Destination] | None], Message | None]


def parse_message_items(p: Problems, items: Sequence[object] | None, member: str,
                        fields: Iterable[str], *, destinations_member: str,
                        destinations_required: bool, read_destinations: DestinationsReader,
                        read_message: MessageReader) -> list[Message]:
    """The message objects of a dialect's array ``member`` (``messages``, a Calls bulk's
    ``items``): each must be an object with only ``fields``; its destinations (the array
    ``destinations_member``) are read unless they may be left out and are; faults go to ``p``.
    """
    messages: list[Message] = []
    for i, item in enumerate(items or ()):
        path = pointer(f"/{member}", i)
        obj = as_object(p, item, path)
        if obj is None:
            continue
        p.check_keys(obj, path, fields)
        destinations: list[Destination] | None = []
        if destinations_required or present(obj, destinations_member):
            destinations = read_destinations(obj, path)
        message = read_message(obj, path, destinations)
        if message is not None:
            messages.append(message)
    return messages


def _parse_messages(p: Problems, root: JsonObject, registry: MessageIdRegistry,
                    destinations_required: bool) -> tuple[Message, ...] | None:
    items = read_array(p, root, "messages", "", required=True, non_empty=True)
    if items is None:
        return None
    return tuple(parse_message_items(
        p, items, "messages", MESSAGE_FIELDS, destinations_member="destinations",
        destinations_required=destinations_required,
        read_destinations=lambda obj, path: _parse_destinations(p, obj, path, registry),
        read_message=lambda obj, path, found: parse_message(p, obj, path, found)))


def _parse_flat(p: Problems, root: JsonObject, registry: MessageIdRegistry,
                destinations_required: bool) -> tuple[Message, ...] | None:
    """The seed's property table: one message; ``to`` is an array of address strings.

    A ``messageId`` identifies one destination, so it is only allowed with exactly one ``to``.
    """
    message_id = read_str(p, root, "messageId", "", non_empty=True)
    if _wants_xml(root):
        _xml_fault(p, message_id, "/messageId")
    if not destinations_required and not present(root, "to"):
        if message_id is not None:
            p.error("/messageId", "value",
                    "a messageId names one destination, but there is no 'to'")
        message = parse_message(p, root, "", [])
        return None if message is None else (message,)
    addresses = read_array(p, root, "to", "", required=True, non_empty=True)
    destinations: list[Destination] | None = None
    if addresses is not None:
        if message_id is not None and len(addresses) > 1:
            p.error("/messageId", "value", f"a messageId names one destination, but 'to' has "
                    f"{len(addresses)}; give one address or use the messages shape")
        destinations = []
        xml = _wants_xml(root)
        for i, to in enumerate(addresses):
            where = pointer("/to", i)
            if not _address_writable(p, to, where, xml):
                continue
            destinations.append(_destination(p, to if isinstance(to, str) else None, message_id,
                                             where, "/messageId", registry))
        _count_notice(p, destinations, "/to")
    message = parse_message(p, root, "", destinations)
    return None if message is None else (message,)


def _parse_destinations(p: Problems, obj: JsonObject, path: str,
                        registry: MessageIdRegistry) -> list[Destination] | None:
    items = read_array(p, obj, "destinations", path, required=True, non_empty=True)
    if items is None:
        return None
    base = pointer(path, "destinations")
    if not p.strict:
        block = _accepted_block(items, registry)
        if block is not None:
            _count_notice(p, block, base)
            return block
    xml = _wants_xml(obj)
    destinations: list[Destination] = []
    strict = p.strict
    for i, item in enumerate(items):
        if not strict and type(item) is dict and _plain(item):
            # The common case, decided without the general path's field readers: two ASCII
            # strings (printable, so nothing an XML report could not carry), no other member.
            # It gives the same Destination, and there is nothing to report but S7's status.
            to, message_id = item["to"], item.get("messageId")
            destinations.append(Destination(to, message_id,
                                            *destination_status(to, message_id, registry)))
            continue
        where = pointer(base, i)
        entry = as_object(p, item, where)
        if entry is None:
            continue
        p.check_keys(entry, where, DESTINATION_FIELDS)
        to = get(entry, "to")
        if not _address_writable(p, None if to is MISSING else to, pointer(where, "to"), xml):
            continue
        message_id = read_str(p, entry, "messageId", where, non_empty=True)
        if xml:
            _xml_fault(p, message_id, pointer(where, "messageId"))
        destinations.append(_destination(p, to if isinstance(to, str) else None, message_id,
                                         pointer(where, "to"), pointer(where, "messageId"),
                                         registry))
    _count_notice(p, destinations, base)
    return destinations


#: International numbers (see ivrsched.request.destinations), one a line.
_NUMBERS = re.compile(r"(?:\+?[1-9][0-9]{6,14}\n)*\+?[1-9][0-9]{6,14}")


def _accepted_block(items: Sequence[object], registry: MessageIdRegistry
                    ) -> list[Destination] | None:
    """The destinations of ``items`` when every one is ``{"to": ..., "messageId": ...}`` with
    an international number and a new, unique, non-empty printable ASCII messageId, decided
    for the whole list at once: then each is accepted, with nothing to report. None
    otherwise (each item then goes its own way, from the start)."""
    if not all(type(item) is dict and len(item) == 2 for item in items):
        return None
    try:
        tos = [item["to"] for item in items]  # type: ignore[index]
        ids = [item["messageId"] for item in items]  # type: ignore[index]
    except KeyError:
        return None
    if not (all(type(to) is str for to in tos) and all(type(i) is str and i for i in ids)):
        return None
    numbers, names = "\n".join(tos), "".join(ids)
    if numbers.count("\n") != len(tos) - 1 or _NUMBERS.fullmatch(numbers) is None:
        return None
    if not (names.isascii() and names.isprintable()):
        return None
    unique = set(ids)
    if len(unique) != len(ids) or not unique.isdisjoint(registry.seen):
        return None
    registry.seen.update(unique)
    return _AllAccepted(accepted_destinations(tos, ids))


class _AllAccepted(list[Destination]):
    """Destinations known to be all accepted (so their message has no rejected index to look
    for, one by one)."""


def _plain(item: dict[str, object]) -> bool:
    """Whether a destination object is ``{"to": ..., "messageId": ...}`` (or ``{"to": ...}``)
    with printable ASCII strings, a non-empty messageId: one the field readers would take as it
    is, with no error or notice."""
    to = item.get("to")
    if type(to) is not str or not (to.isascii() and to.isprintable()):
        return False
    if len(item) == 1:
        return True
    message_id = item.get("messageId")
    return len(item) == 2 and type(message_id) is str and message_id != "" and \
        message_id.isascii() and message_id.isprintable()


def _address_writable(p: Problems, to: object, where: str, xml: bool) -> bool:
    """Whether a ``to`` can be judged and written out: a string (or absent), with no unpaired
    surrogate, and, for XML reports, only characters XML 1.0 carries. An address that is no
    international number is still writable: S7 rejects that destination, not the request."""
    if to is None:
        return True
    if not isinstance(to, str):
        p.error(where, "type", "must be a string (an address such as \"41793026727\"), "
                f"not {json_type(to)}")
        return False
    if not is_unicode(to):
        p.error(where, "value", UNPAIRED_SURROGATE)
        return False
    return not (xml and _xml_fault(p, to, where))


def _destination(p: Problems, to: str | None, message_id: str | None, to_path: str,
                 id_path: str, registry: MessageIdRegistry) -> Destination:
    """One destination with its S7 status; in strict mode a rejection is an error instead."""
    status, reason = destination_status(to, message_id, registry)
    if reason is not None and p.strict:
        where = id_path if status is Status.REJECTED_DUPLICATE_MESSAGE_ID else to_path
        p.error(where, _STRICT_CODES.get(status, "destination"), f"{reason} (strict mode)")
    return Destination(to, message_id, status, reason)


def too_many_destinations(count: int, path: str) -> Notice | None:
    """S7's notice for ``count`` destinations at ``path``, more than the platform accepts in one
    request (None within the limit): the one place it is written, for lists and streams."""
    if count <= MAX_DESTINATIONS:
        return None
    return Notice(path, "too-many-destinations",
                  f"{count} destinations, more than the platform's limit of "
                  f"{MAX_DESTINATIONS} per request; planned anyway")


def _count_notice(p: Problems, destinations: list[Destination], path: str) -> None:
    notice = too_many_destinations(len(destinations), path)
    if notice is not None:
        p.notices.append(notice)


# -- one message object -----------------------------------------------------------------------

def parse_message(p: Problems, obj: JsonObject, path: str,
                  destinations: list[Destination] | None) -> Message | None:
    """The fields shared by both shapes, at ``path``; None when a required part is unusable."""
    scenario_id = read_str(p, obj, "scenarioId", path, required=True, non_empty=True)
    sender = _read_sender(p, obj, path)
    parameters = read_object(p, obj, "parameters", path)
    notify_url = _read_notify_url(p, obj, path)
    content_type = _read_content_type(p, obj, path)
    content_version = read_int(p, obj, "notifyContentVersion", path)
    callback_data = _read_callback_data(p, obj, path, content_type)
    send_at = _read_send_at(p, obj, path)
    record = read_bool(p, obj, "record", path)
    retry = parse_retry(get(obj, "retry"), pointer(path, "retry"), p)
    speed = parse_sending_speed(get(obj, "sendingSpeed"), pointer(path, "sendingSpeed"), p)
    paced = present(obj, "sendingSpeed")
    validity = _read_validity(p, obj, path, paced)
    window = parse_window(get(obj, "deliveryTimeWindow"), pointer(path, "deliveryTimeWindow"), p)
    ring_timeout = read_int(p, obj, "ringTimeout", path, minimum=0)
    call_timeout = read_int(p, obj, "callTimeout", path, minimum=0)
    pause = read_int(p, obj, "pause", path, minimum=0)
    if scenario_id is None or destinations is None:
        return None
    rejected = () if isinstance(destinations, _AllAccepted) else \
        tuple(i for i, d in enumerate(destinations) if not d.accepted)
    return Message(
        scenario_id=scenario_id,
        destinations=tuple(destinations),
        sender=sender,
        parameters=None if parameters is None else MappingProxyType(dict(parameters)),
        notify_url=notify_url,
        notify_content_type=content_type,
        notify_content_version=content_version,
        callback_data=callback_data,
        validity_period=validity,
        send_at_us=None if send_at is None else send_at[0],
        send_at_offset=0 if send_at is None else send_at[1],
        record=record,
        retry=retry,
        sending_speed=speed,
        delivery_time_window=window,
        ring_timeout=ring_timeout,
        call_timeout=call_timeout,
        pause=pause,
        rejected_indices=rejected,
    )


def _read_sender(p: Problems, obj: JsonObject, path: str) -> str | None:
    sender = read_str(p, obj, "from", path)
    if sender is not None and _SENDER.fullmatch(sender) is None:
        p.error(pointer(path, "from"), "format",
                f"must be a numeric sender ID of 3 to 14 digits (got {sender!a})")
        return None
    return sender


def _read_notify_url(p: Problems, obj: JsonObject, path: str) -> str | None:
    url = read_str(p, obj, "notifyUrl", path)
    where = pointer(path, "notifyUrl")
    if url == "":
        p.notice(where, "notify-url-empty", "notifyUrl is empty: no delivery report is sent")
        return None
    if url is None:
        return None
    fault = http_url_fault(url)
    if fault is not None:
        p.error(where, "format", f"must be an absolute http or https URL: {fault}")
        return None
    return url


def http_url_fault(url: str) -> str | None:
    """Why ``url`` is not an absolute http(s) URL, or None when it is one."""
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return "it contains spaces or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        return f"it cannot be parsed ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return f"the scheme is {parts.scheme!r}, not http or https" if parts.scheme else \
            "it has no scheme (http:// or https://)"
    if not parts.hostname:
        return "it has no host"
    return None


def _read_content_type(p: Problems, obj: JsonObject, path: str) -> ContentType | None:
    content_type = read_str(p, obj, "notifyContentType", path)
    if content_type is not None and content_type not in NOTIFY_CONTENT_TYPES:
        p.error(pointer(path, "notifyContentType"), "value", "must be application/json or "
                f"application/xml (got {content_type!a})")
        return None
    return None if content_type is None else ContentType(content_type)


def _read_callback_data(p: Problems, obj: JsonObject, path: str,
                        content_type: ContentType | None,
                        limit: int = MAX_CALLBACK_CHARS) -> str | None:
    data = read_str(p, obj, "callbackData", path)
    if data is None:
        return None
    where = pointer(path, "callbackData")
    if len(data) > limit:
        p.error(where, "range", f"must be at most {limit} characters (got {len(data)})")
        return None
    if content_type is ContentType.XML and _xml_fault(p, data, where):
        return None
    return data


# -- text an XML delivery report must carry (S10) -------------------------------------------

def _wants_xml(obj: JsonObject) -> bool:
    """Whether a message object asks for XML delivery reports. Read raw: a faulty
    ``notifyContentType`` is reported where the field itself is read."""
    value = get(obj, "notifyContentType")
    return isinstance(value, str) and value == ContentType.XML


def _any_wants_xml(root: JsonObject) -> bool:
    """Whether any message of the request (either shape) asks for XML delivery reports."""
    items = get(root, "messages") if "messages" in root else [root]
    return isinstance(items, list) and any(
        isinstance(item, Mapping) and _wants_xml(item) for item in items)


def _xml_fault(p: Problems, text: str | None, where: str) -> bool:
    """Report ``text`` at ``where`` when it holds a character XML 1.0 cannot carry (a control
    other than TAB/LF/CR, U+FFFE, U+FFFF): the XML delivery report could not be written."""
    bad = None if text is None else non_xml_char(text)
    if bad is None:
        return False
    p.error(where, "value", f"contains U+{ord(bad):04X}, which an XML delivery report "
            "(notifyContentType application/xml) cannot carry")
    return True


def _read_send_at(p: Problems, obj: JsonObject, path: str,
                  name: str = "sendAt") -> tuple[int, int] | None:
    """The instant field ``name`` (``sendAt``, or a Calls bulk's ``startTime``) as
    ``(µs, offset minutes)``; S1: an offset is required."""
    text = read_str(p, obj, name, path)
    if text is None:
        return None
    try:
        return parse_instant(text)
    except InstantSyntaxError as exc:
        p.error(pointer(path, name), "format", str(exc))
        return None


def _read_validity(p: Problems, obj: JsonObject, path: str, paced: bool,
                   pacing_field: str = "sendingSpeed") -> int | None:
    """S4: minutes >= 1, default 2880, clamped to 2880; ignored (None) when paced (by
    ``pacing_field``)."""
    where = pointer(path, "validityPeriod")
    given = present(obj, "validityPeriod")
    validity = read_int(p, obj, "validityPeriod", path, minimum=1)
    if paced:
        if given:
            p.notice(where, "validity-ignored",
                     f"validityPeriod is ignored because {pacing_field} is given (no deadline)")
        return None
    if validity is None:
        return DEFAULT_VALIDITY_MINUTES
    if validity > MAX_VALIDITY_MINUTES:
        p.notice(where, "validity-clamped", f"validityPeriod {validity} is more than 48 hours; "
                 f"set to {MAX_VALIDITY_MINUTES}")
        return MAX_VALIDITY_MINUTES
    return validity


__all__ = [
    "MAX_CALLBACK_CHARS", "MAX_DESTINATIONS", "NOTIFY_CONTENT_TYPES", "http_url_fault",
    "parse_message", "parse_request", "parse_retry", "parse_sending_speed", "parse_window",
    "too_many_destinations",
]
