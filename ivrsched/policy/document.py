"""The calling policy document (SPEC S15) and its parser.

:func:`parse_policy` reads the JSON document to the standard of requests (S7): every fault is
collected, each at its JSON Pointer, and one :class:`~ivrsched.errors.RequestError` lists them
all. A ``comment`` member is accepted (and ignored) in every object of the document, so that a
policy can cite the law its numbers come from.

Extension beyond S15 (an interpretation, see docs/policy.md): ``callingHours`` may give
``periods``, a list of ``{days, from, to}``, instead of one ``days``/``from``/``to``; the hours
are then their union (a lunch break is two periods). ``to`` may be ``{"hour": 24, "minute": 0}``
(the end of the day).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from ivrsched.errors import Notice, Problem, RequestError
from ivrsched.request.fields import (
    JsonObject,
    Problems,
    as_object,
    pointer,
    present,
    read_array,
    read_int,
    read_object,
    read_str,
)
from ivrsched.request.model import TimeOfDay, Weekday

#: ``callingHours.zone`` value that takes the zones from each number.
RECIPIENT = "recipient"
#: Bounds on the frequency cap, generous but finite (ten years, a million attempts).
MAX_PERIOD_MINUTES = 10 * 366 * 24 * 60
MAX_ATTEMPTS = 1_000_000
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_COMMENT = "comment"


@dataclass(frozen=True)
class HoursPeriod:
    """Local days and hours in which calls are allowed: ``start``/``end`` None for whole days;
    ``end`` may be 24:00."""

    days: tuple[Weekday, ...]
    start: TimeOfDay | None = None
    end: TimeOfDay | None = None


ALL_DAYS = tuple(Weekday)


@dataclass(frozen=True)
class CallingHours:
    """``zone``: None for "recipient" (zones from the number), else an IANA name;
    ``fallback_zone``: the zone of a number with no known zone (None: such a number is not
    called); ``periods``: the allowed local hours (their union)."""

    zone: str | None = None
    fallback_zone: str | None = None
    periods: tuple[HoursPeriod, ...] = (HoursPeriod(ALL_DAYS),)


@dataclass(frozen=True)
class HolidayRegion:
    """Public holidays of ``country`` (ISO 3166-1 alpha-2), optionally of a ``subdivision``,
    as the ``holidays`` package knows them."""

    country: str
    subdivision: str | None = None

    def __str__(self) -> str:
        return self.country if self.subdivision is None else f"{self.country}-{self.subdivision}"


@dataclass(frozen=True)
class FrequencyCap:
    """At most ``max_attempts`` attempts to one number in any half-open interval of
    ``period_minutes`` minutes."""

    max_attempts: int
    period_minutes: int

    @property
    def period_us(self) -> int:
        """The period in microseconds."""
        return self.period_minutes * 60_000_000


@dataclass(frozen=True)
class CallingPolicy:
    """A parsed calling policy. Every part is optional; the empty policy changes nothing but
    the reporting of zones."""

    hours: CallingHours | None = None
    closed_dates: frozenset[date] = frozenset()
    holidays: HolidayRegion | None = None
    cap: FrequencyCap | None = None
    notices: tuple[Notice, ...] = ()

    @property
    def is_local(self) -> bool:
        """True when the policy depends on the recipient's local time (hours, closed dates or
        holidays); a cap-only policy calls numbers whatever their zone."""
        return self.hours is not None or bool(self.closed_dates) or self.holidays is not None

    @property
    def zone(self) -> str | None:
        """The fixed zone of every number, or None for the recipient's zones."""
        return None if self.hours is None else self.hours.zone

    @property
    def fallback_zone(self) -> str | None:
        """The zone of a number with no known zone, or None."""
        return None if self.hours is None else self.hours.fallback_zone

    @property
    def periods(self) -> tuple[HoursPeriod, ...]:
        """The allowed local hours (every hour of every day without ``callingHours``)."""
        return (HoursPeriod(ALL_DAYS),) if self.hours is None else self.hours.periods


# -- parsing ------------------------------------------------------------------------------------

def parse_policy(data: object, *, strict: bool = False) -> CallingPolicy:
    """Parse and validate a calling policy (a decoded JSON value or JSON text).

    Raises :class:`~ivrsched.errors.RequestError` listing every problem. With ``strict``
    unknown members are errors instead of notices.
    """
    p = Problems(strict=strict)
    if isinstance(data, (str, bytes, bytearray)):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise RequestError([Problem("", code="syntax", message=(
                f"the policy is not valid JSON: {exc.msg} at line {exc.lineno} column "
                f"{exc.colno}"))]) from exc
        except (ValueError, RecursionError) as exc:
            raise RequestError([Problem("", code="syntax",
                                        message=f"the policy cannot be read: {exc}")]) from exc
    root = as_object(p, data, "")
    if root is None:
        raise RequestError(p.errors)
    p.check_keys(root, "", ("callingHours", "closedDates", "holidays", "frequencyCap",
                            _COMMENT))
    hours = _parse_hours(p, root)
    closed = _parse_closed_dates(p, root)
    region = _parse_holidays(p, root)
    cap = _parse_cap(p, root)
    if p.errors:
        raise RequestError(p.errors)
    return CallingPolicy(hours, closed, region, cap, tuple(p.notices))


def _parse_hours(p: Problems, root: JsonObject) -> CallingHours | None:
    path = "/callingHours"
    obj = read_object(p, root, "callingHours", "")
    if obj is None:
        return None
    p.check_keys(obj, path, ("zone", "fallbackZone", "days", "from", "to", "periods",
                             _COMMENT))
    zone = read_str(p, obj, "zone", path)
    fixed: str | None = None
    if zone is not None and zone != RECIPIENT:
        if known_zone(zone):
            fixed = zone
        else:
            _error(p, pointer(path, "zone"), f"must be \"recipient\" or an IANA time zone name "
                    f"such as America/New_York (got {zone!a})", "value")
    fallback = read_str(p, obj, "fallbackZone", path)
    if fallback is not None and not known_zone(fallback):
        _error(p, pointer(path, "fallbackZone"), f"unknown time zone {fallback!a} (an IANA name "
                "such as America/New_York)", "value")
        fallback = None
    periods: tuple[HoursPeriod, ...] | None
    if present(obj, "periods"):
        for key in ("days", "from", "to"):
            if present(obj, key):
                _error(p, pointer(path, key), "give either 'periods' or days/from/to, not both",
                        "value")
        periods = _parse_periods(p, obj, path)
    else:
        one = _parse_period(p, obj, path)
        periods = None if one is None else (one,)
    if periods is None:
        return None
    return CallingHours(fixed, fallback, periods)


def _parse_periods(p: Problems, obj: JsonObject, path: str) -> tuple[HoursPeriod, ...] | None:
    items = read_array(p, obj, "periods", path, required=True, non_empty=True)
    if items is None:
        return None
    base = pointer(path, "periods")
    found: list[HoursPeriod] = []
    ok = True
    for i, item in enumerate(items):
        where = pointer(base, i)
        period_obj = as_object(p, item, where)
        if period_obj is None:
            ok = False
            continue
        p.check_keys(period_obj, where, ("days", "from", "to", _COMMENT))
        period = _parse_period(p, period_obj, where)
        if period is None:
            ok = False
        else:
            found.append(period)
    return tuple(found) if ok else None


def _parse_period(p: Problems, obj: JsonObject, path: str) -> HoursPeriod | None:
    """``days`` (optional: every day), ``from``/``to`` (both or neither), ``to`` after
    ``from``."""
    days = _parse_days(p, obj, path) if present(obj, "days") else ALL_DAYS
    start = _parse_time(p, obj, "from", path, allow_24=False)
    end = _parse_time(p, obj, "to", path, allow_24=True)
    given = {key: present(obj, key) for key in ("from", "to")}
    if given["from"] != given["to"]:
        missing, other = ("to", "from") if given["from"] else ("from", "to")
        _error(p, pointer(path, missing), f"is required when '{other}' is given (give both or "
                "neither)", "required")
        return None
    if start is not None and end is not None and end.minutes <= start.minutes:
        _error(p, pointer(path, "to"), f"must be after 'from' ({start.hour:02d}:"
                f"{start.minute:02d})", "range")
        return None
    if days is None or (given["from"] and (start is None or end is None)):
        return None
    return HoursPeriod(days, start, end)


def _parse_days(p: Problems, obj: JsonObject, path: str) -> tuple[Weekday, ...] | None:
    items = read_array(p, obj, "days", path, required=True, non_empty=True)
    if items is None:
        return None
    base = pointer(path, "days")
    names = {d.name: d for d in Weekday}
    days: list[Weekday] = []
    ok = True
    for i, item in enumerate(items):
        day = names.get(item) if isinstance(item, str) else None
        if day is None:
            _error(p, pointer(base, i), "must be one of MONDAY, TUESDAY, WEDNESDAY, THURSDAY, "
                    f"FRIDAY, SATURDAY, SUNDAY (got {_shown(item)})", "value")
            ok = False
        elif day in days:
            _error(p, pointer(base, i), f"{day.name} is listed twice", "value")
            ok = False
        else:
            days.append(day)
    return tuple(sorted(days, key=lambda d: d.value)) if ok else None


def _parse_time(p: Problems, obj: JsonObject, key: str, path: str, *,
                allow_24: bool) -> TimeOfDay | None:
    value = read_object(p, obj, key, path)
    if value is None:
        return None
    where = pointer(path, key)
    p.check_keys(value, where, ("hour", "minute"))
    hour = read_int(p, value, "hour", where, required=True, minimum=0,
                    maximum=24 if allow_24 else 23)
    minute = read_int(p, value, "minute", where, required=True, minimum=0, maximum=59)
    if hour is None or minute is None:
        return None
    if hour == 24 and minute != 0:
        _error(p, pointer(where, "minute"), "must be 0 when hour is 24 (the end of the day)",
                "range")
        return None
    return TimeOfDay(hour, minute)


def _parse_closed_dates(p: Problems, root: JsonObject) -> frozenset[date]:
    items = read_array(p, root, "closedDates", "")
    if items is None:
        return frozenset()
    found: set[date] = set()
    for i, item in enumerate(items):
        where = pointer("/closedDates", i)
        if not isinstance(item, str) or _DATE.fullmatch(item) is None:
            _error(p, where, f"must be a date written YYYY-MM-DD (got {_shown(item)})", "value")
            continue
        try:
            found.add(date.fromisoformat(item))
        except ValueError:
            _error(p, where, f"{item} is not a calendar date", "value")
    return frozenset(found)


def _parse_holidays(p: Problems, root: JsonObject) -> HolidayRegion | None:
    path = "/holidays"
    obj = read_object(p, root, "holidays", "")
    if obj is None:
        return None
    p.check_keys(obj, path, ("country", "subdivision", _COMMENT))
    country = read_str(p, obj, "country", path, required=True, non_empty=True)
    subdivision = read_str(p, obj, "subdivision", path, non_empty=True)
    if country is None:
        return None
    from ivrsched.policy.closures import region_problem

    problem = region_problem(country, subdivision)
    if problem is not None:
        key, message = problem
        _error(p, pointer(path, key), message, "value")
        return None
    return HolidayRegion(country, subdivision)


def _parse_cap(p: Problems, root: JsonObject) -> FrequencyCap | None:
    path = "/frequencyCap"
    obj = read_object(p, root, "frequencyCap", "")
    if obj is None:
        return None
    p.check_keys(obj, path, ("maxAttempts", "periodMinutes", _COMMENT))
    attempts = read_int(p, obj, "maxAttempts", path, required=True, minimum=1,
                        maximum=MAX_ATTEMPTS)
    minutes = read_int(p, obj, "periodMinutes", path, required=True, minimum=1,
                       maximum=MAX_PERIOD_MINUTES)
    if attempts is None or minutes is None:
        return None
    return FrequencyCap(attempts, minutes)


def _error(p: Problems, path: str, message: str, code: str) -> None:
    p.error(path, code=code, message=message)


def known_zone(name: str) -> bool:
    """True when zoneinfo knows the IANA zone ``name``."""
    if not name or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return False
    return True


def _shown(value: object) -> str:
    return ascii(value) if isinstance(value, str) else json.dumps(value, default=str)[:40]


__all__ = ["ALL_DAYS", "RECIPIENT", "CallingHours", "CallingPolicy", "FrequencyCap",
           "HolidayRegion", "HoursPeriod", "known_zone", "parse_policy"]
