"""Requests as given (S7): the model, field readers, parsing, destinations and statuses (S9)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivrsched._lazy import lazy_names

if TYPE_CHECKING:
    from ivrsched.request.calls_bulk import parse_calls_bulk as parse_calls_bulk
    from ivrsched.request.destinations import MessageIdRegistry as MessageIdRegistry
    from ivrsched.request.destinations import classify as classify
    from ivrsched.request.destinations import destination_status as destination_status
    from ivrsched.request.destinations import is_international as is_international
    from ivrsched.request.destinations import normalize_to as normalize_to
    from ivrsched.request.dialects import Dialect as Dialect
    from ivrsched.request.dialects import detect_dialect as detect_dialect
    from ivrsched.request.fields import Problems as Problems
    from ivrsched.request.model import ContentType as ContentType
    from ivrsched.request.model import DeliveryTimeWindow as DeliveryTimeWindow
    from ivrsched.request.model import Destination as Destination
    from ivrsched.request.model import Message as Message
    from ivrsched.request.model import Request as Request
    from ivrsched.request.model import RequestShape as RequestShape
    from ivrsched.request.model import Retry as Retry
    from ivrsched.request.model import SendingSpeed as SendingSpeed
    from ivrsched.request.model import TimeOfDay as TimeOfDay
    from ivrsched.request.model import TimeUnit as TimeUnit
    from ivrsched.request.model import Weekday as Weekday
    from ivrsched.request.parsing import MAX_CALLBACK_CHARS as MAX_CALLBACK_CHARS
    from ivrsched.request.parsing import MAX_DESTINATIONS as MAX_DESTINATIONS
    from ivrsched.request.parsing import parse_request as parse_request
    from ivrsched.request.status import Group as Group
    from ivrsched.request.status import Status as Status
    from ivrsched.request.status import StatusInfo as StatusInfo
    from ivrsched.request.tts_advanced import parse_tts_advanced as parse_tts_advanced

#: Each public name and the module that defines it (imported on first use).
_NAMES = {
    "ContentType": "ivrsched.request.model",
    "DeliveryTimeWindow": "ivrsched.request.model",
    "Destination": "ivrsched.request.model",
    "Message": "ivrsched.request.model",
    "Request": "ivrsched.request.model",
    "RequestShape": "ivrsched.request.model",
    "Retry": "ivrsched.request.model",
    "SendingSpeed": "ivrsched.request.model",
    "TimeOfDay": "ivrsched.request.model",
    "TimeUnit": "ivrsched.request.model",
    "Weekday": "ivrsched.request.model",
    "MAX_CALLBACK_CHARS": "ivrsched.request.parsing",
    "MAX_DESTINATIONS": "ivrsched.request.parsing",
    "parse_request": "ivrsched.request.parsing",
    "Problems": "ivrsched.request.fields",
    "MessageIdRegistry": "ivrsched.request.destinations",
    "classify": "ivrsched.request.destinations",
    "destination_status": "ivrsched.request.destinations",
    "is_international": "ivrsched.request.destinations",
    "normalize_to": "ivrsched.request.destinations",
    "Group": "ivrsched.request.status",
    "Status": "ivrsched.request.status",
    "StatusInfo": "ivrsched.request.status",
    "Dialect": "ivrsched.request.dialects",
    "detect_dialect": "ivrsched.request.dialects",
    "parse_tts_advanced": "ivrsched.request.tts_advanced",
    "parse_calls_bulk": "ivrsched.request.calls_bulk",
}

__all__ = [
    "MAX_CALLBACK_CHARS",
    "MAX_DESTINATIONS",
    "ContentType",
    "DeliveryTimeWindow",
    "Destination",
    "Dialect",
    "Group",
    "Message",
    "MessageIdRegistry",
    "Problems",
    "Request",
    "RequestShape",
    "Retry",
    "SendingSpeed",
    "Status",
    "StatusInfo",
    "TimeOfDay",
    "TimeUnit",
    "Weekday",
    "classify",
    "destination_status",
    "detect_dialect",
    "is_international",
    "normalize_to",
    "parse_calls_bulk",
    "parse_request",
    "parse_tts_advanced",
]
__getattr__, __dir__ = lazy_names(__name__, _NAMES, globals())
