"""Which zones a message's destinations are called by under a calling policy (SPEC S15), counted
and said in a sentence (``ivrsched explain --policy``).

One pass over the message's accepted destinations, in constant memory in destinations: the
count per distinct choice of zones (a few hundred at most, however many numbers).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ivrsched.policy.document import CallingPolicy
from ivrsched.policy.zones import ZoneChoice, ZoneSource, choose_zones
from ivrsched.request.model import Destination


@dataclass(frozen=True)
class ZoneCount:
    """How many destinations are called by one choice of zones."""

    choice: ZoneChoice
    count: int


@dataclass(frozen=True)
class ZoneSummary:
    """The zone choices of a message's accepted destinations, most frequent first (ties by
    zone names), and the policy's fallback zone."""

    counts: tuple[ZoneCount, ...]
    fallback_zone: str | None
    #: False for a policy without local hours, closed dates or holidays (a cap only): a number
    #: with no known zone is called anyway.
    local: bool = True

    @property
    def destinations(self) -> int:
        """Accepted destinations counted."""
        return sum(c.count for c in self.counts)


def summarize_zones(policy: CallingPolicy, destinations: Iterable[Destination]) -> ZoneSummary:
    """Count the zone choice of each accepted destination of ``destinations``."""
    found: Counter[ZoneChoice] = Counter()
    for destination in destinations:
        if destination.accepted and destination.to is not None:
            found[choose_zones(policy, destination.to)] += 1
    # Most frequent first; among equal counts, known zones before the fallback and no zone.
    rank = {source: i for i, source in enumerate(ZoneSource)}
    ordered = sorted(found.items(), key=lambda item: (-item[1], rank[item[0].source],
                                                      item[0].zones))
    return ZoneSummary(tuple(ZoneCount(choice, count) for choice, count in ordered),
                       policy.fallback_zone, policy.is_local)


def _zones(zones: tuple[str, ...]) -> str:
    if len(zones) == 1:
        return zones[0]
    if len(zones) == 2:
        return f"both {zones[0]} and {zones[1]}"
    return f"all of {', '.join(zones[:-1])} and {zones[-1]}"


def _part(count: ZoneCount, first: bool, local: bool) -> str:
    n = f"{count.count:,}"
    noun = (" destination" if count.count == 1 else " destinations") if first else ""
    choice = count.choice
    if choice.source is ZoneSource.FALLBACK:
        return f"{n}{noun} with no known zone: fallback {choice.zones[0]}"
    if choice.source is ZoneSource.NONE and not local:
        return f"{n}{noun} with no known zone (no local hours in the policy: called anyway)"
    if choice.source is ZoneSource.NONE:
        return f"{n}{noun} with no known zone and no fallbackZone: not called (expired)"
    where = f"{n}{noun} in {_zones(choice.zones)}"
    if len(choice.zones) > 1:
        where += " (the intersection is used)"
    if choice.source is ZoneSource.FIXED:
        where += " (callingHours.zone)"
    return where


def describe_zones(summary: ZoneSummary) -> str:
    """The summary in one sentence, as ``explain --policy`` prints it: "1,204 destinations in
    America/New_York, 310 in both America/Denver and America/Boise (the intersection is used),
    12 with no known zone: fallback America/New_York"."""
    if not summary.counts:
        return "no accepted destination to call"
    return ", ".join(_part(count, i == 0, summary.local) for i, count in enumerate(summary.counts))


__all__ = ["ZoneCount", "ZoneSummary", "describe_zones", "summarize_zones"]
