"""Plans of a request (S2–S5, S8): lazy, streamed and columnar; what a plan amounts to, and the
response document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivrsched._lazy import lazy_names

if TYPE_CHECKING:
    from ivrsched.planning.columns import attempt_columns as attempt_columns
    from ivrsched.planning.columns import first_attempts as first_attempts
    from ivrsched.planning.explanation import MessageSummary as MessageSummary
    from ivrsched.planning.explanation import describe_duration as describe_duration
    from ivrsched.planning.explanation import explain as explain
    from ivrsched.planning.explanation import summarize as summarize
    from ivrsched.planning.planner import Clock as Clock
    from ivrsched.planning.planner import DestinationSchedule as DestinationSchedule
    from ivrsched.planning.planner import MessagePlan as MessagePlan
    from ivrsched.planning.planner import Plan as Plan
    from ivrsched.planning.planner import calendar_for as calendar_for
    from ivrsched.planning.planner import plan as plan
    from ivrsched.planning.planner import system_clock as system_clock
    from ivrsched.planning.policy_plan import NoRandomAccessError as NoRandomAccessError
    from ivrsched.planning.policy_plan import policy_schedules as policy_schedules
    from ivrsched.planning.response import response_document as response_document
    from ivrsched.planning.response import response_entries as response_entries
    from ivrsched.planning.streaming import StreamingPlan as StreamingPlan
    from ivrsched.planning.streaming import StreamSummary as StreamSummary
    from ivrsched.planning.streaming import stream_plan as stream_plan

#: Each public name and the module that defines it (imported on first use).
_NAMES = {
    "Clock": "ivrsched.planning.planner",
    "DestinationSchedule": "ivrsched.planning.planner",
    "MessagePlan": "ivrsched.planning.planner",
    "Plan": "ivrsched.planning.planner",
    "calendar_for": "ivrsched.planning.planner",
    "plan": "ivrsched.planning.planner",
    "system_clock": "ivrsched.planning.planner",
    "NoRandomAccessError": "ivrsched.planning.policy_plan",
    "policy_schedules": "ivrsched.planning.policy_plan",
    "StreamSummary": "ivrsched.planning.streaming",
    "StreamingPlan": "ivrsched.planning.streaming",
    "stream_plan": "ivrsched.planning.streaming",
    "attempt_columns": "ivrsched.planning.columns",
    "first_attempts": "ivrsched.planning.columns",
    "MessageSummary": "ivrsched.planning.explanation",
    "describe_duration": "ivrsched.planning.explanation",
    "explain": "ivrsched.planning.explanation",
    "summarize": "ivrsched.planning.explanation",
    "response_document": "ivrsched.planning.response",
    "response_entries": "ivrsched.planning.response",
}

__all__ = [
    "Clock",
    "DestinationSchedule",
    "MessagePlan",
    "MessageSummary",
    "NoRandomAccessError",
    "Plan",
    "StreamSummary",
    "StreamingPlan",
    "attempt_columns",
    "calendar_for",
    "describe_duration",
    "explain",
    "first_attempts",
    "plan",
    "policy_schedules",
    "response_document",
    "response_entries",
    "stream_plan",
    "summarize",
    "system_clock",
]
__getattr__, __dir__ = lazy_names(__name__, _NAMES, globals())
