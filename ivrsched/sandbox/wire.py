"""The platform's error documents, as its clients read them.

A request error is ``{"requestError": {"serviceException": {"messageId", "text",
"validationErrors"}}}``; ``validationErrors`` maps each faulty field (here its JSON Pointer) to
its messages. The shape follows the platform's published error model; the texts are ours.
"""

from __future__ import annotations

from collections.abc import Iterable

from ivrsched.errors import Problem

__all__ = ["bad_request", "service_error", "validation_error"]


def service_error(message_id: str, text: str,
                  validation_errors: dict[str, list[str]] | None = None) -> dict[str, object]:
    """An error document with the platform's ``serviceException`` shape."""
    exception: dict[str, object] = {"messageId": message_id, "text": text}
    if validation_errors:
        exception["validationErrors"] = validation_errors
    return {"requestError": {"serviceException": exception}}


def bad_request(text: str) -> dict[str, object]:
    """400 for a body that is not a request at all (not JSON, not an object)."""
    return service_error("BAD_REQUEST", text)


def validation_error(problems: Iterable[Problem]) -> dict[str, object]:
    """400 for a request with faults: every problem, grouped by its JSON Pointer."""
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem.path or "/", []).append(problem.message)
    return service_error("BAD_REQUEST", "Bad request", grouped)
