"""ivrsched: exact, offline schedules for outbound IVR campaigns.

The main entry points are :func:`parse_request` (a request dict or JSON text → a validated
:class:`Request`) and :func:`plan` (a request → a lazy :class:`Plan` of every attempt).
"""

from __future__ import annotations

from ivrsched.errors import IvrschedError, Notice, PlanRangeError, Problem, RequestError
from ivrsched.forecasting.load import Forecast, forecast
from ivrsched.ids import IdSource, SeededIds
from ivrsched.io.destination_files import DestinationFile, DestinationFileError
from ivrsched.oracle.conformance import Violation, verify
from ivrsched.planning.planner import DestinationSchedule, MessagePlan, Plan, plan
from ivrsched.planning.streaming import StreamingPlan, StreamSummary, stream_plan
from ivrsched.request.dialects import Dialect
from ivrsched.request.model import (
    DeliveryTimeWindow,
    Destination,
    Message,
    Request,
    Retry,
    SendingSpeed,
    TimeUnit,
)
from ivrsched.request.parsing import parse_request
from ivrsched.request.status import Group, Status
from ivrsched.rules.windows import WindowCalendar, closed_periods
from ivrsched.simulation import outcomes
from ivrsched.simulation.engine import Simulation, simulate

__version__ = "0.1.0"

__all__ = [
    "DeliveryTimeWindow",
    "Destination",
    "DestinationFile",
    "DestinationFileError",
    "DestinationSchedule",
    "Dialect",
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
