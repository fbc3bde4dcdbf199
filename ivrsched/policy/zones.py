"""Which time zones a number may be in (SPEC S15), and the zones a policy chooses for it.

Candidate zones come from the ``phonenumbers`` package's offline time-zone data (prefix tables:
``+1 212`` is America/New_York, ``+1 208`` both America/Boise and America/Los_Angeles, a French
number Europe/Paris). ``Etc/Unknown`` in that data means no zone is known. Zone names that this
machine's zoneinfo does not know are left out (the hours could not be computed in them).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from ivrsched.policy.document import CallingPolicy, known_zone
from ivrsched.request.destinations import normalize_to

#: The phonenumbers name for "no zone known".
UNKNOWN_ZONE = "Etc/Unknown"


class ZoneSource(Enum):
    """Where a destination's zones came from."""

    NUMBER = "number"        # the number's own candidate zones
    FIXED = "fixed"          # callingHours.zone names one zone for everyone
    FALLBACK = "fallback"    # no zone known for the number: callingHours.fallbackZone
    NONE = "none"            # no zone known and no fallback: not called


@dataclass(frozen=True)
class ZoneChoice:
    """The zones a destination is called by (sorted; every one of them must allow a call)."""

    zones: tuple[str, ...]
    source: ZoneSource

    @property
    def callable(self) -> bool:
        """False when the number has no zone to be called by."""
        return self.source is not ZoneSource.NONE


@lru_cache(maxsize=1 << 16)
def zones_for_number(to: str) -> tuple[str, ...]:
    """The candidate zones of an international number (``+`` optional), sorted; ``()`` when
    none is known. Needs the ``policy`` extra (phonenumbers)."""
    import phonenumbers
    from phonenumbers import timezone

    try:
        number = phonenumbers.parse("+" + normalize_to(to))
    except phonenumbers.NumberParseException:
        return ()
    names = timezone.time_zones_for_number(number)
    return tuple(sorted({z for z in names if z != UNKNOWN_ZONE and known_zone(z)}))


def choose_zones(policy: CallingPolicy, to: str) -> ZoneChoice:
    """The zones ``policy`` calls the number ``to`` by."""
    if policy.zone is not None:
        return ZoneChoice((policy.zone,), ZoneSource.FIXED)
    found = zones_for_number(to)
    if found:
        return ZoneChoice(found, ZoneSource.NUMBER)
    if policy.fallback_zone is not None:
        return ZoneChoice((policy.fallback_zone,), ZoneSource.FALLBACK)
    return ZoneChoice((), ZoneSource.NONE)


__all__ = ["UNKNOWN_ZONE", "ZoneChoice", "ZoneSource", "choose_zones", "zones_for_number"]
