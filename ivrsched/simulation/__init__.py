"""Outcomes, simulated runs and delivery reports (S10)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivrsched._lazy import lazy_names

if TYPE_CHECKING:
    from ivrsched.simulation.engine import AttemptEvent as AttemptEvent
    from ivrsched.simulation.engine import DestinationResult as DestinationResult
    from ivrsched.simulation.engine import Ending as Ending
    from ivrsched.simulation.engine import Simulation as Simulation
    from ivrsched.simulation.engine import SimulationSummary as SimulationSummary
    from ivrsched.simulation.engine import simulate as simulate
    from ivrsched.simulation.outcomes import AttemptOutcome as AttemptOutcome
    from ivrsched.simulation.outcomes import Constant as Constant
    from ivrsched.simulation.outcomes import MissingOutcomeError as MissingOutcomeError
    from ivrsched.simulation.outcomes import Outcome as Outcome
    from ivrsched.simulation.outcomes import OutcomeSource as OutcomeSource
    from ivrsched.simulation.outcomes import OutcomeTable as OutcomeTable
    from ivrsched.simulation.outcomes import Random as Random
    from ivrsched.simulation.reports import ReportDirectory as ReportDirectory
    from ivrsched.simulation.reports import ReportEncodingError as ReportEncodingError
    from ivrsched.simulation.reports import ReportStream as ReportStream
    from ivrsched.simulation.reports import delivery_report as delivery_report

#: Each public name and the module that defines it (imported on first use).
_NAMES = {
    "AttemptOutcome": "ivrsched.simulation.outcomes",
    "Constant": "ivrsched.simulation.outcomes",
    "MissingOutcomeError": "ivrsched.simulation.outcomes",
    "Outcome": "ivrsched.simulation.outcomes",
    "OutcomeSource": "ivrsched.simulation.outcomes",
    "OutcomeTable": "ivrsched.simulation.outcomes",
    "Random": "ivrsched.simulation.outcomes",
    "AttemptEvent": "ivrsched.simulation.engine",
    "DestinationResult": "ivrsched.simulation.engine",
    "Ending": "ivrsched.simulation.engine",
    "Simulation": "ivrsched.simulation.engine",
    "SimulationSummary": "ivrsched.simulation.engine",
    "simulate": "ivrsched.simulation.engine",
    "ReportDirectory": "ivrsched.simulation.reports",
    "ReportEncodingError": "ivrsched.simulation.reports",
    "ReportStream": "ivrsched.simulation.reports",
    "delivery_report": "ivrsched.simulation.reports",
}

__all__ = [
    "AttemptEvent",
    "AttemptOutcome",
    "Constant",
    "DestinationResult",
    "Ending",
    "MissingOutcomeError",
    "Outcome",
    "OutcomeSource",
    "OutcomeTable",
    "Random",
    "ReportDirectory",
    "ReportEncodingError",
    "ReportStream",
    "Simulation",
    "SimulationSummary",
    "delivery_report",
    "simulate",
]
__getattr__, __dir__ = lazy_names(__name__, _NAMES, globals())
