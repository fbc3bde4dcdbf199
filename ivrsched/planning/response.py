"""The platform's response document (SPEC S8), built from a plan.

``{"bulkId", "messages": [{"to", "status", "messageId"}, ...]}``: one entry per destination in
request order, rejected destinations included, each with its S9 status object. ``bulkId`` is
the given one, or the generated one when the request has more than one destination; the key is
left out when there is none.
"""

from __future__ import annotations

from collections.abc import Iterator

from ivrsched.planning.planner import Plan


def response_entries(plan: Plan) -> Iterator[dict[str, object]]:
    """The ``messages`` entries, one per destination, computed as they are consumed."""
    for schedule in plan:
        yield {
            "to": schedule.to,
            "status": schedule.status.as_json(),
            "messageId": schedule.message_id,
        }


def response_document(plan: Plan) -> dict[str, object]:
    """The whole S8 response document of ``plan``."""
    document: dict[str, object] = {}
    if plan.bulk_id is not None:
        document["bulkId"] = plan.bulk_id
    document["messages"] = list(response_entries(plan))
    return document


__all__ = ["response_document", "response_entries"]
