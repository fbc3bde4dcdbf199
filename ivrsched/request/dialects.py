"""The platform's request dialects (SPEC S17), and telling them apart by a document's shape.

The same scheduling rules appear in three endpoints of the platform: the IVR message
(``POST /voice/ivr/1/messages``), the advanced TTS message (``POST /tts/3/advanced``) and the
Calls API bulk (``POST /calls/1/bulks``). Each dialect is parsed by its own module and mapped
onto the one :class:`~ivrsched.request.model.Request`; only the response layer looks at
:attr:`Request.dialect` afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from ivrsched.errors import Problem, RequestError
from ivrsched.request.fields import JsonObject, pointer


class Dialect(Enum):
    """Which of the platform's endpoints a request is written for."""

    IVR = "ivr"
    TTS_ADVANCED = "tts-advanced"
    CALLS_BULK = "calls-bulk"

    @property
    def endpoint(self) -> str:
        """The platform's endpoint that takes this dialect."""
        return _ENDPOINTS[self]

    @property
    def messages_member(self) -> str:
        """The root member that holds the message objects (``items`` for a Calls bulk)."""
        return "items" if self is Dialect.CALLS_BULK else "messages"

    @property
    def destinations_member(self) -> str:
        """The member of a message object that holds its destinations."""
        return "callRequests" if self is Dialect.CALLS_BULK else "destinations"

    @classmethod
    def named(cls, name: str | Dialect) -> Dialect:
        """The dialect of a name such as ``"calls-bulk"`` (a :class:`ValueError` otherwise)."""
        if isinstance(name, Dialect):
            return name
        for dialect in cls:
            if dialect.value == name:
                return dialect
        raise ValueError(f"unknown dialect {name!r}: one of "
                         f"{', '.join(d.value for d in cls)}")


_ENDPOINTS = {
    Dialect.IVR: "POST /voice/ivr/1/messages",
    Dialect.TTS_ADVANCED: "POST /tts/3/advanced",
    Dialect.CALLS_BULK: "POST /calls/1/bulks",
}

#: Root members only a Calls bulk has.
_CALLS_ROOT = ("items", "callsConfigurationId", "platform")
#: Root members only the IVR flat shape has (the other flat fields are shared with messages).
_IVR_ROOT = ("scenarioId", "to", "messageId", "parameters", "record")
#: Message members only an IVR message has.
_IVR_MESSAGE = ("scenarioId", "parameters", "record")
#: Message members only an advanced TTS message has.
_TTS_MESSAGE = ("text", "audioFileUrl", "language", "voice", "speechRate", "callTransfers",
                "dtmfTimeout", "maxDtmf", "repeatDtmf", "machineDetection")


def _first_marker(root: JsonObject) -> dict[Dialect, str]:
    """For each dialect, the pointer of the first member that only that dialect has."""
    found: dict[Dialect, str] = {}

    def mark(dialect: Dialect, where: str) -> None:
        found.setdefault(dialect, where)

    for key in _CALLS_ROOT:
        if key in root:
            mark(Dialect.CALLS_BULK, pointer("", key))
    for key in _IVR_ROOT:
        if key in root:
            mark(Dialect.IVR, pointer("", key))
    messages = root.get("messages")
    if isinstance(messages, list):
        for i, item in enumerate(messages):
            if not isinstance(item, Mapping):
                continue
            for dialect, keys in ((Dialect.IVR, _IVR_MESSAGE), (Dialect.TTS_ADVANCED,
                                                               _TTS_MESSAGE)):
                for key in keys:
                    if key in item:
                        mark(dialect, pointer(pointer("/messages", i), key))
    return found


def detect_dialect(root: JsonObject) -> Dialect:
    """The dialect a request object is written in, judged by members only one dialect has.

    A document with such members of exactly one dialect is that dialect. Members of several
    dialects make it ambiguous; a document with ``messages`` but no such member is read as IVR
    (an advanced TTS message needs ``text`` or ``audioFileUrl``, so it always shows one); any
    other document fits none. The last two raise :class:`RequestError`, one problem per
    dialect seen, at the member that marks it, or one at the root when none fits.
    """
    found = _first_marker(root)
    if len(found) == 1:
        return next(iter(found))
    if not found:
        if "messages" in root:
            return Dialect.IVR
        raise RequestError([Problem(
            "", "dialect", "fits none of the request dialects: expected 'messages' (ivr, "
            "tts-advanced), 'items' (calls-bulk) or the flat IVR fields 'scenarioId' and 'to'")])
    seen = ", ".join(f"{d.value} ({where})" for d, where in found.items())
    raise RequestError([
        Problem(where, "dialect", f"marks the {dialect.value} dialect, but the document mixes "
                f"dialects: {seen}; name the dialect (parse_request(data, dialect=...), "
                "CLI --dialect)")
        for dialect, where in found.items()])


__all__ = ["Dialect", "detect_dialect"]
