"""Each dialect's response document (SPEC S8, S17), built from a plan.

IVR and advanced TTS requests get the voice response of S8: ``{"bulkId", "messages": [{"to",
"status", "messageId"}, ...]}``, one entry per destination in request order, rejected
destinations included, each with its S9 status object. ``bulkId`` is the given one, or the
generated one when the request has more than one destination; the key is left out when there is
none.

A Calls API bulk gets the platform's bulk response: ``{"bulkId", "calls": [{"callsConfigurationId",
"platform", "callId", "externalId", "from", "endpoint", "status", "reason"}, ...]}``, one call
per call request in request order. Its ``bulkId`` is the given one or a generated one (the
Calls API always assigns one). ``callId`` is generated for every call; ``externalId`` is the
given one (the ID the call's attempt keys use); ``status`` is ``PENDING`` for an accepted call
and ``FAILED`` for a rejected one, with its ``reason``. Members with nothing to say are left out.
"""

from __future__ import annotations

from collections.abc import Iterator

from ivrsched.planning.planner import DestinationSchedule, Plan
from ivrsched.request.dialects import Dialect

#: ``status`` of a call in the bulk response (the platform's ``CallsActionStatus``).
CALL_PENDING = "PENDING"
CALL_FAILED = "FAILED"


def response_entries(plan: Plan) -> Iterator[dict[str, object]]:
    """The ``messages`` entries of the voice response, one per destination, computed as they
    are consumed."""
    for schedule in plan:
        yield {
            "to": schedule.to,
            "status": schedule.status.as_json(),
            "messageId": schedule.message_id,
        }


def call_entries(plan: Plan) -> Iterator[dict[str, object]]:
    """The ``calls`` entries of a Calls bulk response, one per call request, computed as they
    are consumed."""
    extra = plan.request.extra or {}
    shared = {key: extra[key] for key in ("callsConfigurationId", "platform") if key in extra}
    for schedule in plan:
        yield {**shared, **_call(plan, schedule)}


def _call(plan: Plan, schedule: DestinationSchedule) -> dict[str, object]:
    destination = schedule.destination
    sender = plan.messages[schedule.message].message.sender
    call: dict[str, object] = {
        # Generated for every call, given an externalId or not: a call without one has the
        # same ID as its attempt keys (the destination's generated ID).
        "callId": plan.ids.message_id(schedule.message, schedule.index),
    }
    if destination.message_id is not None:
        call["externalId"] = destination.message_id
    if sender is not None:
        call["from"] = sender
    if destination.to is not None:
        call["endpoint"] = {"type": "PHONE", "phoneNumber": destination.to}
    call["status"] = CALL_PENDING if destination.accepted else CALL_FAILED
    if destination.reason is not None:
        call["reason"] = destination.reason
    return call


def response_document(plan: Plan) -> dict[str, object]:
    """The whole response document of ``plan``, in its request's dialect."""
    document: dict[str, object] = {}
    if plan.request.dialect is Dialect.CALLS_BULK:
        document["bulkId"] = plan.bulk_id if plan.bulk_id is not None else plan.ids.bulk_id()
        document["calls"] = list(call_entries(plan))
        return document
    if plan.bulk_id is not None:
        document["bulkId"] = plan.bulk_id
    document["messages"] = list(response_entries(plan))
    return document


__all__ = ["CALL_FAILED", "CALL_PENDING", "call_entries", "response_document",
           "response_entries"]
