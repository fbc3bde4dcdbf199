"""ivrsched: exact, offline schedules for outbound IVR campaigns.

The main entry points are :func:`parse_request` (a request dict or JSON text → a validated
:class:`Request`) and :func:`plan` (a request → a lazy :class:`Plan` of every attempt).

This is the curated public API. Each name is imported from its module on first use (PEP 562),
so ``import ivrsched`` loads nothing else, and the command line loads only what a subcommand
uses. The subpackages (``rules``, ``request``, ``planning``, ``simulation``, ``oracle``,
``forecasting``, ``io``, ``dispatch``, ``policy``) each list their own public names; the
interfaces are in :mod:`ivrsched.abc`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivrsched._lazy import lazy_names

if TYPE_CHECKING:
    from ivrsched.abc import Calendar as Calendar
    from ivrsched.abc import Clock as Clock
    from ivrsched.abc import IdSource as IdSource
    from ivrsched.abc import OutcomeSource as OutcomeSource
    from ivrsched.errors import IvrschedError as IvrschedError
    from ivrsched.errors import Notice as Notice
    from ivrsched.errors import PlanRangeError as PlanRangeError
    from ivrsched.errors import Problem as Problem
    from ivrsched.errors import RequestError as RequestError
    from ivrsched.forecasting.load import Forecast as Forecast
    from ivrsched.forecasting.load import forecast as forecast
    from ivrsched.ids import SeededIds as SeededIds
    from ivrsched.io.destination_files import DestinationFile as DestinationFile
    from ivrsched.io.destination_files import DestinationFileError as DestinationFileError
    from ivrsched.io.text_files import InputFileError as InputFileError
    from ivrsched.oracle.conformance import Violation as Violation
    from ivrsched.oracle.conformance import verify as verify
    from ivrsched.planning.planner import DestinationSchedule as DestinationSchedule
    from ivrsched.planning.planner import MessagePlan as MessagePlan
    from ivrsched.planning.planner import Plan as Plan
    from ivrsched.planning.planner import plan as plan
    from ivrsched.planning.streaming import StreamingPlan as StreamingPlan
    from ivrsched.planning.streaming import StreamSummary as StreamSummary
    from ivrsched.planning.streaming import stream_plan as stream_plan
    from ivrsched.policy.document import CallingPolicy as CallingPolicy
    from ivrsched.policy.document import parse_policy as parse_policy
    from ivrsched.request.dialects import Dialect as Dialect
    from ivrsched.request.model import ContentType as ContentType
    from ivrsched.request.model import DeliveryTimeWindow as DeliveryTimeWindow
    from ivrsched.request.model import Destination as Destination
    from ivrsched.request.model import Message as Message
    from ivrsched.request.model import Request as Request
    from ivrsched.request.model import RequestShape as RequestShape
    from ivrsched.request.model import Retry as Retry
    from ivrsched.request.model import SendingSpeed as SendingSpeed
    from ivrsched.request.model import TimeUnit as TimeUnit
    from ivrsched.request.parsing import parse_request as parse_request
    from ivrsched.request.status import Group as Group
    from ivrsched.request.status import Status as Status
    from ivrsched.rules.windows import WindowCalendar as WindowCalendar
    from ivrsched.rules.windows import closed_periods as closed_periods
    from ivrsched.simulation import outcomes as outcomes
    from ivrsched.simulation.engine import Simulation as Simulation
    from ivrsched.simulation.engine import simulate as simulate

__version__ = "0.1.0"

#: Each public name and the module that defines it (imported on first use); ``outcomes``
#: is the module :mod:`ivrsched.simulation.outcomes` itself.
_NAMES = {
    "IvrschedError": "ivrsched.errors",
    "Notice": "ivrsched.errors",
    "PlanRangeError": "ivrsched.errors",
    "Problem": "ivrsched.errors",
    "RequestError": "ivrsched.errors",
    "Calendar": "ivrsched.abc",
    "Clock": "ivrsched.abc",
    "IdSource": "ivrsched.abc",
    "OutcomeSource": "ivrsched.abc",
    "SeededIds": "ivrsched.ids",
    "ContentType": "ivrsched.request.model",
    "DeliveryTimeWindow": "ivrsched.request.model",
    "Destination": "ivrsched.request.model",
    "Message": "ivrsched.request.model",
    "Request": "ivrsched.request.model",
    "RequestShape": "ivrsched.request.model",
    "Retry": "ivrsched.request.model",
    "SendingSpeed": "ivrsched.request.model",
    "TimeUnit": "ivrsched.request.model",
    "parse_request": "ivrsched.request.parsing",
    "Dialect": "ivrsched.request.dialects",
    "Group": "ivrsched.request.status",
    "Status": "ivrsched.request.status",
    "WindowCalendar": "ivrsched.rules.windows",
    "closed_periods": "ivrsched.rules.windows",
    "DestinationSchedule": "ivrsched.planning.planner",
    "MessagePlan": "ivrsched.planning.planner",
    "Plan": "ivrsched.planning.planner",
    "plan": "ivrsched.planning.planner",
    "StreamSummary": "ivrsched.planning.streaming",
    "StreamingPlan": "ivrsched.planning.streaming",
    "stream_plan": "ivrsched.planning.streaming",
    "CallingPolicy": "ivrsched.policy.document",
    "parse_policy": "ivrsched.policy.document",
    "InputFileError": "ivrsched.io.text_files",
    "DestinationFile": "ivrsched.io.destination_files",
    "DestinationFileError": "ivrsched.io.destination_files",
    "Simulation": "ivrsched.simulation.engine",
    "simulate": "ivrsched.simulation.engine",
    "outcomes": "ivrsched.simulation.outcomes",
    "Violation": "ivrsched.oracle.conformance",
    "verify": "ivrsched.oracle.conformance",
    "Forecast": "ivrsched.forecasting.load",
    "forecast": "ivrsched.forecasting.load",
}

__all__ = [
    "Calendar",
    "CallingPolicy",
    "Clock",
    "ContentType",
    "DeliveryTimeWindow",
    "Destination",
    "DestinationFile",
    "DestinationFileError",
    "DestinationSchedule",
    "Dialect",
    "Forecast",
    "Group",
    "IdSource",
    "InputFileError",
    "IvrschedError",
    "Message",
    "MessagePlan",
    "Notice",
    "OutcomeSource",
    "Plan",
    "PlanRangeError",
    "Problem",
    "Request",
    "RequestError",
    "RequestShape",
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
    "parse_policy",
    "parse_request",
    "plan",
    "simulate",
    "stream_plan",
    "verify",
]
__getattr__, __dir__ = lazy_names(__name__, _NAMES, globals())
