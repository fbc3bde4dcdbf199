"""The rules as pure functions over integer microseconds: instants (S1, S12), pacing (S3),
validity (S4), retries (S5), calendars and delivery windows (S6), their time line, the lifecycle
of a request (S13) and exact quantities.

The NumPy kernel, :mod:`ivrsched.rules.vector`, is imported by name only (it needs NumPy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivrsched._lazy import lazy_names

if TYPE_CHECKING:
    from ivrsched.rules.instants import MAX_US as MAX_US
    from ivrsched.rules.instants import MIN_US as MIN_US
    from ivrsched.rules.instants import US_PER_DAY as US_PER_DAY
    from ivrsched.rules.instants import US_PER_HOUR as US_PER_HOUR
    from ivrsched.rules.instants import US_PER_MINUTE as US_PER_MINUTE
    from ivrsched.rules.instants import US_PER_SECOND as US_PER_SECOND
    from ivrsched.rules.instants import InstantSyntaxError as InstantSyntaxError
    from ivrsched.rules.instants import check_range as check_range
    from ivrsched.rules.instants import format_clock as format_clock
    from ivrsched.rules.instants import format_offset as format_offset
    from ivrsched.rules.instants import format_us as format_us
    from ivrsched.rules.instants import from_us as from_us
    from ivrsched.rules.instants import offset_minutes_of as offset_minutes_of
    from ivrsched.rules.instants import parse_instant as parse_instant
    from ivrsched.rules.instants import timedelta_us as timedelta_us
    from ivrsched.rules.instants import to_us as to_us
    from ivrsched.rules.lifecycle import Lifecycle as Lifecycle
    from ivrsched.rules.lifecycle import LifecycleError as LifecycleError
    from ivrsched.rules.lifecycle import LifecycleEvent as LifecycleEvent
    from ivrsched.rules.lifecycle import Operation as Operation
    from ivrsched.rules.lifecycle import PausedCalendar as PausedCalendar
    from ivrsched.rules.lifecycle import offline_lifecycle as offline_lifecycle
    from ivrsched.rules.lifecycle import with_pauses as with_pauses
    from ivrsched.rules.open_time import ALWAYS_OPEN as ALWAYS_OPEN
    from ivrsched.rules.open_time import AlwaysOpen as AlwaysOpen
    from ivrsched.rules.open_time import Calendar as Calendar
    from ivrsched.rules.pacing import Pace as Pace
    from ivrsched.rules.quantities import exact_rate as exact_rate
    from ivrsched.rules.quantities import rational as rational
    from ivrsched.rules.quantities import seconds_us as seconds_us
    from ivrsched.rules.retry import LADDER as LADDER
    from ivrsched.rules.retry import MAX_COUNT as MAX_COUNT
    from ivrsched.rules.retry import gap_sequence as gap_sequence
    from ivrsched.rules.retry import gaps_us as gaps_us
    from ivrsched.rules.retry import next_rung as next_rung
    from ivrsched.rules.retry import snap_to_ladder as snap_to_ladder
    from ivrsched.rules.timeline import Timeline as Timeline
    from ivrsched.rules.validity import DEFAULT_VALIDITY_MINUTES as DEFAULT_VALIDITY_MINUTES
    from ivrsched.rules.validity import MAX_VALIDITY_MINUTES as MAX_VALIDITY_MINUTES
    from ivrsched.rules.validity import allowed as allowed
    from ivrsched.rules.validity import deadline_us as deadline_us
    from ivrsched.rules.windows import WindowCalendar as WindowCalendar
    from ivrsched.rules.windows import closed_periods as closed_periods
    from ivrsched.rules.windows import describe_window as describe_window
    from ivrsched.rules.zoned import ZonedDays as ZonedDays

#: Each public name and the module that defines it (imported on first use).
_NAMES = {
    "MAX_US": "ivrsched.rules.instants",
    "MIN_US": "ivrsched.rules.instants",
    "US_PER_DAY": "ivrsched.rules.instants",
    "US_PER_HOUR": "ivrsched.rules.instants",
    "US_PER_MINUTE": "ivrsched.rules.instants",
    "US_PER_SECOND": "ivrsched.rules.instants",
    "InstantSyntaxError": "ivrsched.rules.instants",
    "check_range": "ivrsched.rules.instants",
    "format_clock": "ivrsched.rules.instants",
    "format_offset": "ivrsched.rules.instants",
    "format_us": "ivrsched.rules.instants",
    "from_us": "ivrsched.rules.instants",
    "offset_minutes_of": "ivrsched.rules.instants",
    "parse_instant": "ivrsched.rules.instants",
    "timedelta_us": "ivrsched.rules.instants",
    "to_us": "ivrsched.rules.instants",
    "ALWAYS_OPEN": "ivrsched.rules.open_time",
    "AlwaysOpen": "ivrsched.rules.open_time",
    "Calendar": "ivrsched.rules.open_time",
    "Pace": "ivrsched.rules.pacing",
    "DEFAULT_VALIDITY_MINUTES": "ivrsched.rules.validity",
    "MAX_VALIDITY_MINUTES": "ivrsched.rules.validity",
    "allowed": "ivrsched.rules.validity",
    "deadline_us": "ivrsched.rules.validity",
    "LADDER": "ivrsched.rules.retry",
    "MAX_COUNT": "ivrsched.rules.retry",
    "gap_sequence": "ivrsched.rules.retry",
    "gaps_us": "ivrsched.rules.retry",
    "next_rung": "ivrsched.rules.retry",
    "snap_to_ladder": "ivrsched.rules.retry",
    "WindowCalendar": "ivrsched.rules.windows",
    "closed_periods": "ivrsched.rules.windows",
    "describe_window": "ivrsched.rules.windows",
    "ZonedDays": "ivrsched.rules.zoned",
    "Timeline": "ivrsched.rules.timeline",
    "Lifecycle": "ivrsched.rules.lifecycle",
    "LifecycleError": "ivrsched.rules.lifecycle",
    "LifecycleEvent": "ivrsched.rules.lifecycle",
    "Operation": "ivrsched.rules.lifecycle",
    "PausedCalendar": "ivrsched.rules.lifecycle",
    "offline_lifecycle": "ivrsched.rules.lifecycle",
    "with_pauses": "ivrsched.rules.lifecycle",
    "exact_rate": "ivrsched.rules.quantities",
    "rational": "ivrsched.rules.quantities",
    "seconds_us": "ivrsched.rules.quantities",
}

__all__ = [
    "ALWAYS_OPEN",
    "DEFAULT_VALIDITY_MINUTES",
    "LADDER",
    "MAX_COUNT",
    "MAX_US",
    "MAX_VALIDITY_MINUTES",
    "MIN_US",
    "US_PER_DAY",
    "US_PER_HOUR",
    "US_PER_MINUTE",
    "US_PER_SECOND",
    "AlwaysOpen",
    "Calendar",
    "InstantSyntaxError",
    "Lifecycle",
    "LifecycleError",
    "LifecycleEvent",
    "Operation",
    "Pace",
    "PausedCalendar",
    "Timeline",
    "WindowCalendar",
    "ZonedDays",
    "allowed",
    "check_range",
    "closed_periods",
    "deadline_us",
    "describe_window",
    "exact_rate",
    "format_clock",
    "format_offset",
    "format_us",
    "from_us",
    "gap_sequence",
    "gaps_us",
    "next_rung",
    "offline_lifecycle",
    "offset_minutes_of",
    "parse_instant",
    "rational",
    "seconds_us",
    "snap_to_ladder",
    "timedelta_us",
    "to_us",
    "with_pauses",
]
__getattr__, __dir__ = lazy_names(__name__, _NAMES, globals())
