"""A plan's capacity (S16) in words and as JSON."""

from __future__ import annotations

from collections.abc import Callable

from ivrsched.forecasting.capacity import Burst, Capacity
from ivrsched.planning.explanation import describe_duration
from ivrsched.rules.instants import format_us

__all__ = ["burst_sentence", "capacity_record", "capacity_sentence"]


#: The UTC offset (minutes) an instant is shown in: a message's fixed offset, or a zone's
#: offset at that instant (``--tz``).
OffsetAt = Callable[[int], int]


def _instant(us: int | None, offset_at: OffsetAt) -> str | None:
    return None if us is None else format_us(us, offset_at(us))


def burst_sentence(burst: Burst, offset_at: OffsetAt) -> str:
    """``101 attempts start at once at …, right after closed time (…)``."""
    return (f"{burst.count:,} attempts start at once at {_instant(burst.at_us, offset_at)}, "
            "right after closed time: retries held back while the delivery window was closed "
            "(or the campaign paused) all fall due at its opening")


def capacity_sentence(capacity: Capacity, offset_at: OffsetAt) -> str:
    """The peak, the busiest hour and (with channels) the Erlang B figure, in one line."""
    duration = describe_duration(capacity.call_duration_us)
    peak = capacity.peak
    if peak.at_us is None:
        text = f"calls of {duration}: none in progress"
    else:
        text = (f"calls of {duration}, every planned attempt made: peak {peak.count:,} in "
                f"progress at {_instant(peak.at_us, offset_at)}")
        if peak.until_us is not None:
            text += f" until {_instant(peak.until_us, offset_at)}"
    text += f"; busiest hour {capacity.busy_hour_attempts:,} attempts"
    if capacity.channels is not None and capacity.blocking is not None:
        erlangs = capacity.offered_erlangs
        text += (f"; Erlang B with {capacity.channels:,} lines at "
                 f"{float(erlangs):.3f} erlangs: {float(capacity.blocking):.2%} blocked "
                 "(a model of random arrivals, for comparison only)")
    return text


def capacity_record(capacity: Capacity, offset_at: OffsetAt) -> dict[str, object]:
    """The capacity as JSON: exact integers and instants; the Erlang figures as text."""
    erlangs = capacity.offered_erlangs
    return {
        "callDurationMicroseconds": capacity.call_duration_us,
        "attempts": capacity.attempts,
        "peakInProgress": capacity.peak.count,
        "peakAt": _instant(capacity.peak.at_us, offset_at),
        "peakUntil": _instant(capacity.peak.until_us, offset_at),
        "busyHourAttempts": capacity.busy_hour_attempts,
        "openingBursts": [{"at": _instant(b.at_us, offset_at), "attempts": b.count}
                          for b in capacity.opening_bursts],
        "channels": capacity.channels,
        "offeredErlangsExact": (str(erlangs.numerator) if erlangs.denominator == 1
                                else str(erlangs)),
        "blocking": None if capacity.blocking is None else str(capacity.blocking),
    }
