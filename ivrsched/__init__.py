"""ivrsched: exact, offline schedules for outbound IVR campaigns.

The main entry points are :func:`parse_request` (a request dict or JSON text → a validated
:class:`Request`) and :func:`plan` (a request → a lazy :class:`Plan` of every attempt).
"""

from __future__ import annotations

from .errors import IvrschedError, Notice, PlanRangeError, Problem, RequestError
from .ids import IdSource, SeededIds
from .model import (
    DeliveryTimeWindow,
    Destination,
    Message,
    Request,
    Retry,
    SendingSpeed,
    TimeUnit,
)
from .parsing import parse_request
from .planning import DestinationSchedule, MessagePlan, Plan, plan
from .status import Group, Status

__version__ = "0.1.0"

__all__ = [
    "DeliveryTimeWindow",
    "Destination",
    "DestinationSchedule",
    "Group",
    "IdSource",
    "IvrschedError",
    "Message",
    "MessagePlan",
    "Notice",
    "Plan",
    "PlanRangeError",
    "Problem",
    "Request",
    "RequestError",
    "Retry",
    "SeededIds",
    "SendingSpeed",
    "Status",
    "TimeUnit",
    "__version__",
    "parse_request",
    "plan",
]
