"""What a pass over a message's destinations counted: totals, rejections by status, examples.

A streamed message (destinations read from a file or any re-iterable source) is counted in one
pass, in constant memory; the counts give its length, its accepted destinations (its pacing
slots, S3), S7's notice for more than the platform's limit, and the summary the CLI prints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ivrsched.errors import Notice
from ivrsched.request.model import Destination
from ivrsched.request.status import Status

#: How many rejected destinations a :class:`StreamSummary` keeps as examples.
EXAMPLES_KEPT = 5


@dataclass(frozen=True)
class StreamSummary:
    """What a stream held: ``destinations`` in all, ``accepted`` of them, the rejected ones
    counted per status, and the first few rejected ones as examples (with their lines)."""

    destinations: int
    accepted: int
    rejected_by_status: Mapping[Status, int] = field(default_factory=dict)
    examples: tuple[Destination, ...] = ()

    @property
    def rejected(self) -> int:
        """How many destinations were rejected."""
        return self.destinations - self.accepted

    def notices(self, path: str = "/messages/0/destinations") -> tuple[Notice, ...]:
        """S7's notice for more destinations than the platform accepts in one request."""
        from ivrsched.request.parsing import too_many_destinations

        notice = too_many_destinations(self.destinations, path)
        return () if notice is None else (notice,)


class RejectionTally:
    """Counts rejected destinations while a stream is read; keeps a few as examples."""

    def __init__(self) -> None:
        self.by_status: Counter[Status] = Counter()
        self.examples: list[Destination] = []

    def reject(self, destination: Destination) -> None:
        """Count one rejected destination."""
        self.by_status[destination.status] += 1
        if len(self.examples) < EXAMPLES_KEPT:
            self.examples.append(destination)

    @property
    def rejected(self) -> int:
        """How many destinations were rejected so far."""
        return sum(self.by_status.values())

    def summary(self, destinations: int, accepted: int) -> StreamSummary:
        """The summary of a stream of ``destinations`` of which ``accepted`` were accepted."""
        by_status = MappingProxyType(dict(sorted(self.by_status.items(), key=lambda i: i[0].id)))
        return StreamSummary(destinations, accepted, by_status, tuple(self.examples))


def count_destinations(destinations: Iterable[Destination]) -> StreamSummary:
    """The summary of one pass over ``destinations`` (an iterable of
    :class:`~ivrsched.request.model.Destination`), in constant memory."""
    tally = RejectionTally()
    count = 0
    for destination in destinations:
        count += 1
        if not destination.accepted:
            tally.reject(destination)
    return tally.summary(count, count - tally.rejected)


__all__ = ["EXAMPLES_KEPT", "RejectionTally", "StreamSummary", "count_destinations"]
