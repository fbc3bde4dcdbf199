"""Destination-level checks of SPEC S7, as pure functions.

These decide the status of one destination without failing the request: a missing or empty
``to`` is 51 MISSING_TO, a ``to`` that is not an international number is 52
REJECTED_INVALID_DESTINATION, and a ``messageId`` already used earlier in the request is 23
REJECTED_DUPLICATE_MESSAGE_ID. The request parser uses them, and so can any other source of
destinations (a file of numbers, one per line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ivrsched.request.status import Status

#: Digits only (ASCII), 7 to 15 of them, the first not 0; one optional leading ``+`` is removed
#: before the check.
_INTERNATIONAL = re.compile(r"[1-9][0-9]{6,14}")

MIN_DIGITS = 7
MAX_DIGITS = 15


def is_international(to: str) -> bool:
    """True when ``to`` is an international number as S7 defines it (``+`` prefix optional)."""
    digits = to[1:] if to.startswith("+") else to
    return _INTERNATIONAL.fullmatch(digits) is not None


def classify(to: str | None) -> tuple[Status, str | None]:
    """The S7 status of a destination address, and why it was rejected (None when accepted).

    ``None`` and ``""`` are a missing address (51). Anything else must be an international
    number (52 otherwise). The address is judged exactly as given: no spaces, dashes or
    brackets are removed.
    """
    if to is None or to == "":
        return Status.MISSING_TO, "the destination has no 'to' address"
    if is_international(to):
        return Status.PENDING_ACCEPTED, None
    return Status.REJECTED_INVALID_DESTINATION, _why_not_international(to)


def _why_not_international(to: str) -> str:
    digits = to[1:] if to.startswith("+") else to
    shown = ascii(to)
    if not digits or not all("0" <= c <= "9" for c in digits):
        return f"{shown} is not an international number: only digits (and one leading +) allowed"
    if digits.startswith("0"):
        return f"{shown} is not an international number: it starts with 0"
    return (f"{shown} is not an international number: it has {len(digits)} digits, "
            f"not {MIN_DIGITS} to {MAX_DIGITS}")


@dataclass
class MessageIdRegistry:
    """Remembers the ``messageId`` values of one request, to find later duplicates (S7)."""

    seen: set[str] = field(default_factory=set)

    def claim(self, message_id: str | None) -> bool:
        """Record ``message_id``; False when it was already used (None is never a duplicate)."""
        if message_id is None:
            return True
        if message_id in self.seen:
            return False
        self.seen.add(message_id)
        return True


def destination_status(to: str | None, message_id: str | None,
                       registry: MessageIdRegistry) -> tuple[Status, str | None]:
    """The full S7 verdict on one destination: address first, then the messageId.

    The messageId is claimed even when the address is rejected, so a later destination with the
    same ID is a duplicate either way. When both are wrong, the address status wins.
    """
    unique = registry.claim(message_id)
    status, reason = classify(to)
    if status is Status.PENDING_ACCEPTED and not unique:
        return (Status.REJECTED_DUPLICATE_MESSAGE_ID,
                f"messageId {message_id!a} was already used earlier in the request")
    return status, reason


def normalize_to(to: str) -> str:
    """The form in which a log's ``to`` is compared with the request's: one leading ``+`` is
    dropped, since numbers are written both ways."""
    return to[1:] if to.startswith("+") else to
