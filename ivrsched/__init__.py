"""ivrsched: exact, offline schedules for outbound IVR campaigns.

The main entry points are :func:`parse_request` (a request dict or JSON text → a validated
:class:`Request`) and :func:`plan` (a request → a lazy :class:`Plan` of every attempt).
"""

from __future__ import annotations

from . import outcomes
from .errors import IvrschedError, Notice, PlanRangeError, Problem, RequestError
from .forecast import Forecast, forecast
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
from .simulation import Simulation, simulate
from .sources import DestinationFile, DestinationFileError
from .status import Group, Status
from .streaming import StreamingPlan, StreamSummary, stream_plan
from .verification import Violation, verify
from .windows import WindowCalendar, closed_periods

__version__ = "0.1.0"

__all__ = [
    "DeliveryTimeWindow",
    "Destination",
    "DestinationFile",
    "DestinationFileError",
    "DestinationSchedule",
    "Forecast",
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
    "Simulation",
    "Status",
    "StreamSummary",
    "StreamingPlan",
    "TimeUnit",
    "Violation",
    "WindowCalendar",
    "__version__",
    "closed_periods",
    "forecast",
    "outcomes",
    "parse_request",
    "plan",
    "simulate",
    "stream_plan",
    "verify",
]
