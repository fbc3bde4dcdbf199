"""The UTC offset each instant is rendered in: one fixed offset, or an IANA zone (``--tz``).

S1 renders every instant of a message in the UTC offset of its ``sendAt``. A :class:`Rendering`
in a zone instead gives each instant the offset that zone's clocks had at that instant, so a
campaign crossing a DST change reads the local wall-clock time on both sides of it.

A zone's offset is constant between its transitions, which in every zone are more than an hour
apart: the offset of an instant is found from the offset at the start and at the end of its UTC
hour, and only an hour holding a transition is searched (by bisection, to the microsecond) for
it. Integer arithmetic only; results are cached per hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ivrsched.errors import PlanRangeError
from ivrsched.rules.instants import MAX_US, MIN_US, US_PER_HOUR, format_offset

if TYPE_CHECKING:  # NumPy is an optional extra: only the vectorised path needs it.
    from ivrsched.rules.vector import Int64Array

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class UnknownZoneError(ValueError):
    """Text that names neither an IANA zone nor a fixed offset ``±HH:MM``."""


@dataclass(frozen=True)
class Rendering:
    """Either a fixed offset (``zone`` is None) or an IANA zone (``offset_minutes`` unused)."""

    offset_minutes: int = 0
    zone: str | None = None

    @property
    def label(self) -> str:
        """How a table header names it: ``UTC+01:00`` or ``Europe/Berlin``."""
        return f"UTC{format_offset(self.offset_minutes)}" if self.zone is None else self.zone

    def offset_at(self, us: int) -> int:
        """The UTC offset in minutes that the instant ``us`` is rendered in."""
        if self.zone is None:
            return self.offset_minutes
        _, transition, before, after = _hour_piece(self.zone, us // US_PER_HOUR)
        return before if transition is None or us < transition else after

    def offsets_at(self, values: Int64Array) -> Int64Array:
        """:meth:`offset_at` of every instant of ``values`` (vectorised: one look-up per
        distinct hour, then a search over the pieces of constant offset)."""
        import numpy as np

        if self.zone is None or not values.size:
            return np.full(values.shape, self.offset_minutes, dtype=np.int64)
        starts: list[int] = []
        offsets: list[int] = []
        for hour in np.unique(values // np.int64(US_PER_HOUR)).tolist():
            start, transition, before, after = _hour_piece(self.zone, hour)
            starts.append(start)
            offsets.append(before)
            if transition is not None:
                starts.append(transition)
                offsets.append(after)
        piece = np.searchsorted(np.array(starts, dtype=np.int64), values, side="right") - 1
        return np.array(offsets, dtype=np.int64)[piece]


def parse_rendering(text: str) -> Rendering:
    """``--tz``: an IANA zone name (``Europe/Berlin``, ``UTC``) or a fixed offset ``±HH:MM``."""
    if text[:1] in "+-" and len(text) == 6 and text[3] == ":" \
            and text[1:3].isdigit() and text[4:].isdigit():
        hours, minutes = int(text[1:3]), int(text[4:])
        if hours < 24 and minutes < 60:
            sign = -1 if text[0] == "-" else 1
            return Rendering(offset_minutes=sign * (60 * hours + minutes))
        raise UnknownZoneError(f"{text!r} is not a UTC offset (from -23:59 to +23:59)")
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownZoneError(
            f"{text!r} is not an IANA time zone (such as Europe/Berlin) "
            f"nor a UTC offset (such as +05:30)") from exc
    return Rendering(zone=text)


def _offset(zone: ZoneInfo, us: int) -> int:
    """The zone's offset in minutes at ``us``."""
    if not MIN_US <= us <= MAX_US:
        raise PlanRangeError(
            "an instant falls outside years 1..9999, the range ivrsched can represent exactly")
    try:
        offset = (_EPOCH + timedelta(microseconds=us)).astimezone(zone).utcoffset()
    except OverflowError as exc:
        raise PlanRangeError(f"an instant falls outside years 1..9999 in {zone.key}") from exc
    assert offset is not None
    if offset % timedelta(minutes=1):
        # Local mean time of the 19th century: S1 has no way to write seconds of an offset.
        raise PlanRangeError(
            f"{zone.key} had an offset of {offset} then, which is not a whole number of "
            f"minutes: an S1 instant cannot be written in it")
    return offset // timedelta(minutes=1)


@lru_cache(maxsize=4096)
def _hour_piece(zone_name: str, hour: int) -> tuple[int, int | None, int, int]:
    """For UTC hour ``hour``: its first instant, the instant of a transition inside it (or
    None), the offset before and the offset after that transition."""
    zone = ZoneInfo(zone_name)
    start = hour * US_PER_HOUR
    last = min(start + US_PER_HOUR - 1, MAX_US)
    before = _offset(zone, max(start, MIN_US))
    after = _offset(zone, last)
    if after == before:
        return start, None, before, before
    low, high = start, last  # offset(low) == before, offset(high) != before
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(zone, middle) == before:
            low = middle
        else:
            high = middle
    return start, high, before, after


__all__ = ["Rendering", "UnknownZoneError", "parse_rendering"]
