"""Instants as integer microseconds since the Unix epoch (SPEC S1, S12).

Every time computation in the library happens on ``int``; ``datetime`` appears only at the edges
(parsing input, rendering output), and rendering uses integer arithmetic so that it is exact.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache

from dateutil.parser import isoparse

from ivrsched.errors import PlanRangeError

US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
US_PER_HOUR = 60 * US_PER_MINUTE
US_PER_DAY = 24 * US_PER_HOUR

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EPOCH_ORDINAL = _EPOCH.toordinal()

#: First and last representable instants: 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z.
MIN_US = (datetime(1, 1, 1, tzinfo=timezone.utc) - _EPOCH) // timedelta(microseconds=1)
MAX_US = (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc) - _EPOCH) // timedelta(
    microseconds=1
)


def to_us(moment: datetime) -> int:
    """An aware ``datetime`` as integer microseconds since the epoch."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a naive datetime names no instant; give it a UTC offset")
    return (moment - _EPOCH) // timedelta(microseconds=1)


def timedelta_us(delta: timedelta) -> int:
    """A ``timedelta`` as integer microseconds (exact: timedelta is itself integral)."""
    return delta // timedelta(microseconds=1)


def check_range(us: int, what: str = "instant", offset_minutes: int = 0) -> int:
    """Return ``us`` unchanged, or raise :class:`PlanRangeError` when it leaves years 1..9999.

    With ``offset_minutes``, the instant must also stay inside that range as read in that UTC
    offset: an instant is rendered there (S1), and 9999-12-31T20:00Z read at +14:00 is in year
    10000, which no S1 string (and no ``datetime``) can hold.
    """
    if not MIN_US <= us <= MAX_US:
        raise PlanRangeError(
            f"the {what} falls outside years 1..9999, the range ivrsched can represent exactly"
        )
    if offset_minutes and not MIN_US <= us + offset_minutes * US_PER_MINUTE <= MAX_US:
        raise PlanRangeError(
            f"the {what} falls outside years 1..9999 in UTC offset "
            f"{format_offset(offset_minutes)}, the range ivrsched can represent exactly"
        )
    return us


def from_us(us: int, offset_minutes: int = 0) -> datetime:
    """The instant ``us`` as an aware ``datetime`` in the fixed UTC offset ``offset_minutes``."""
    check_range(us, offset_minutes=offset_minutes)
    tz = timezone.utc if offset_minutes == 0 else timezone(timedelta(minutes=offset_minutes))
    return (_EPOCH + timedelta(microseconds=us)).astimezone(tz)


def offset_minutes_of(moment: datetime) -> int:
    """The whole-minute UTC offset of an aware datetime."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("a naive datetime has no offset")
    return offset // timedelta(minutes=1)


@lru_cache(maxsize=64)
def format_offset(offset_minutes: int) -> str:
    """A UTC offset in minutes as ``±HH:MM``."""
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


# Rendering is the hot path of every plan writer (a JSONL row holds up to five instants), so
# format_us avoids building a datetime per call: the text up to the minute is cached per local
# minute (consecutive attempts mostly share a few minutes), and seconds and milliseconds come
# from small precomputed tables. A bounded LRU cache keeps memory constant on endless streams.
_SECONDS = tuple(f"{s:02d}" for s in range(60))
_MILLIS = tuple(f".{ms:03d}" for ms in range(1000))


@lru_cache(maxsize=1024)
def _minute_prefix(local_minute: int) -> str:
    """``YYYY-MM-DDTHH:MM:`` of a minute counted from the epoch in local (offset) time."""
    days, minute_of_day = divmod(local_minute, 24 * 60)
    date = datetime.fromordinal(_EPOCH_ORDINAL + days)
    hour, minute = divmod(minute_of_day, 60)
    return f"{date.year:04d}-{date.month:02d}-{date.day:02d}T{hour:02d}:{minute:02d}:"


def format_us(us: int, offset_minutes: int = 0) -> str:
    """Render an instant as S1 says: ``YYYY-MM-DDTHH:MM:SS.fff±HH:MM``.

    Three fractional digits, or six when the sub-millisecond part is not zero.
    """
    local = us + offset_minutes * US_PER_MINUTE
    if not (MIN_US <= us <= MAX_US and MIN_US <= local <= MAX_US):
        check_range(us, offset_minutes=offset_minutes)
    minute, in_minute = divmod(local, US_PER_MINUTE)
    second, micros = divmod(in_minute, US_PER_SECOND)
    millis, sub_milli = divmod(micros, 1000)
    fraction = _MILLIS[millis] if sub_milli == 0 else f".{micros:06d}"
    return f"{_minute_prefix(minute)}{_SECONDS[second]}{fraction}{format_offset(offset_minutes)}"


def format_clock(us: int, offset_minutes: int = 0, *, with_date: bool = True) -> str:
    """A short label for people: ``YYYY-MM-DD HH:MM`` (or ``HH:MM`` without the date), with
    seconds and their fraction only when they are not zero."""
    text = format_us(us, offset_minutes)[:23]  # YYYY-MM-DDTHH:MM:SS.fff
    for tail in (":00.000", ".000"):
        if text.endswith(tail):
            text = text[: -len(tail)]
            break
    return f"{text[:10]} {text[11:]}" if with_date else text[11:]


class InstantSyntaxError(ValueError):
    """Text that is not an ISO 8601 instant with a UTC offset."""


def parse_instant(text: str) -> tuple[int, int]:
    """Parse ISO 8601 text with an offset into ``(microseconds, offset_minutes)``.

    Accepts ``+01:00``, ``+0100`` and ``Z`` offsets, fractional seconds optional. Text without an
    offset names no instant and is refused, as is an offset that is not a whole number of minutes.
    """
    try:
        moment = isoparse(text)
    except (ValueError, OverflowError) as exc:
        raise InstantSyntaxError(f"{text!r} is not an ISO 8601 date-time") from exc
    offset = moment.utcoffset()
    if offset is None:
        raise InstantSyntaxError(
            f"{text!r} has no UTC offset (add one such as +01:00 or Z)"
        )
    if offset % timedelta(minutes=1):
        raise InstantSyntaxError(f"{text!r} has an offset that is not a whole number of minutes")
    try:
        us = to_us(moment)
    except OverflowError as exc:  # pragma: no cover - isoparse already bounds the year
        raise InstantSyntaxError(f"{text!r} is out of range") from exc
    if not MIN_US <= us <= MAX_US:
        raise InstantSyntaxError(f"{text!r} falls outside years 1..9999")
    return us, offset // timedelta(minutes=1)
