"""A message's policy objects: ``retry`` (S5), ``sendingSpeed`` (S3), ``deliveryTimeWindow`` (S6).

Each ``parse_*`` function takes the raw JSON value (or :data:`~ivrsched.request.fields.MISSING`),
its JSON
Pointer and the :class:`~ivrsched.request.fields.Problems` collector; it returns the model value,
or None
when the object is absent or faulty (the faults are recorded, never raised).
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ivrsched.request.fields import (
    MISSING,
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
from ivrsched.request.model import (
    DeliveryTimeWindow,
    Retry,
    SendingSpeed,
    TimeOfDay,
    TimeUnit,
    Weekday,
)
from ivrsched.rules.retry import MAX_COUNT, snap_to_ladder

#: Minimum length of a delivery time window, in minutes (S6).
MIN_WINDOW_MINUTES = 60


@dataclass(frozen=True)
class RetryFields:
    """The member names of a dialect's retry object (S17: the Calls API names them apart)."""

    min_period: str = "minPeriod"
    max_period: str = "maxPeriod"
    max_count: str = "maxCount"


def parse_retry(value: object, path: str, p: Problems,
                names: RetryFields = RetryFields()) -> Retry | None:
    """S5: ``{minPeriod, maxPeriod, maxCount}`` (or the ``names`` given), all required; periods
    snapped to the ladder."""
    if value is MISSING or value is None:
        return None
    obj = as_object(p, value, path)
    if obj is None:
        return None
    p.check_keys(obj, path, (names.min_period, names.max_period, names.max_count))
    low = _read_period(p, obj, names.min_period, path, "retry-min-snapped")
    high = _read_period(p, obj, names.max_period, path, "retry-max-snapped")
    count = read_int(p, obj, names.max_count, path, required=True, minimum=0)
    if count is not None and count > MAX_COUNT:
        p.notice(pointer(path, names.max_count), "retry-count-clamped",
                 f"{names.max_count} {count} is more than {MAX_COUNT}; set to {MAX_COUNT}")
        count = MAX_COUNT
    if low is None or high is None or count is None:
        return None
    if low[1] > high[1]:
        snapped = "" if low[0] == low[1] and high[0] == high[1] else \
            f" (on the ladder: {low[1]} > {high[1]})"
        p.error(pointer(path, names.min_period), "range", f"{names.min_period} {low[0]} is "
                f"greater than {names.max_period} {high[0]}{snapped}")
        return None
    return Retry(low[1], high[1], count)


def _read_period(p: Problems, obj: JsonObject, key: str, path: str,
                 code: str) -> tuple[int, int] | None:
    """A retry period as ``(given, snapped)`` minutes; a notice when snapping changed it."""
    given = read_int(p, obj, key, path, required=True, minimum=1)
    if given is None:
        return None
    snapped = snap_to_ladder(given)
    if snapped != given:
        how = "raised to the next rung" if snapped > given else "lowered to the top rung"
        p.notice(pointer(path, key), code,
                 f"{key} {given} is not on the retry ladder; {how}, {snapped}")
    return given, snapped


def parse_sending_speed(value: object, path: str, p: Problems) -> SendingSpeed | None:
    """S3: ``{speed: int >= 1, timeUnit: second|minute|hour|day}``, both required."""
    if value is MISSING or value is None:
        return None
    obj = as_object(p, value, path)
    if obj is None:
        return None
    p.check_keys(obj, path, ("speed", "timeUnit"))
    speed = read_int(p, obj, "speed", path, required=True, minimum=1)
    unit_name = read_str(p, obj, "timeUnit", path, required=True)
    unit = None
    if unit_name is not None:
        units = {u.value: u for u in TimeUnit}
        unit = units.get(unit_name)
        if unit is None:
            p.error(pointer(path, "timeUnit"), "value", f"must be one of {', '.join(units)} "
                    f"(got {unit_name!a})")
    if speed is None or unit is None:
        return None
    return SendingSpeed(speed, unit)


def parse_window(value: object, path: str, p: Problems) -> DeliveryTimeWindow | None:
    """S6: ``{days, from?, to?, timeZone?}`` as a :class:`DeliveryTimeWindow`.

    Checks: ``days`` a non-empty array of distinct MONDAY..SUNDAY; ``from``/``to`` both or
    neither, each ``{hour: 0..23, minute: 0..59}``, ``to`` at least 60 minutes after ``from``;
    ``timeZone`` (an extension) a name zoneinfo knows.
    """
    if value is MISSING or value is None:
        return None
    obj = as_object(p, value, path)
    if obj is None:
        return None
    p.check_keys(obj, path, ("days", "from", "to", "timeZone"))
    days = _read_days(p, obj, path)
    start = _read_time_of_day(p, obj, "from", path)
    end = _read_time_of_day(p, obj, "to", path)
    given = {key: present(obj, key) for key in ("from", "to")}
    if given["from"] != given["to"]:
        missing = "to" if given["from"] else "from"
        p.error(pointer(path, missing), "required",
                f"is required when '{'from' if given['from'] else 'to'}' "
                "is given (give both or neither)")
    elif start is not None and end is not None and \
            end.minutes - start.minutes < MIN_WINDOW_MINUTES:
        p.error(pointer(path, "to"), "range",
                f"must be at least {MIN_WINDOW_MINUTES} minutes after "
                f"'from' ({start.hour:02d}:{start.minute:02d})")
    zone = read_str(p, obj, "timeZone", path)
    if zone is not None and not _known_zone(zone):
        p.error(pointer(path, "timeZone"), "value", f"unknown time zone {zone!a} (an IANA name "
                "such as Europe/Zagreb)")
        zone = None
    if days is None or (given["from"] and (start is None or end is None)):
        return None
    return DeliveryTimeWindow(days, start, end, zone)


def _read_days(p: Problems, obj: JsonObject, path: str) -> tuple[Weekday, ...] | None:
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
            p.error(pointer(base, i), "value", "must be one of MONDAY, TUESDAY, WEDNESDAY, "
                    f"THURSDAY, FRIDAY, SATURDAY, SUNDAY (got {item!a})")
            ok = False
        elif day in days:
            p.error(pointer(base, i), "value", f"{day.name} is listed twice")
            ok = False
        else:
            days.append(day)
    return tuple(days) if ok else None


def _read_time_of_day(p: Problems, obj: JsonObject, key: str, path: str) -> TimeOfDay | None:
    value = read_object(p, obj, key, path)
    if value is None:
        return None
    where = pointer(path, key)
    p.check_keys(value, where, ("hour", "minute"))
    hour = read_int(p, value, "hour", where, required=True, minimum=0, maximum=23)
    minute = read_int(p, value, "minute", where, required=True, minimum=0, maximum=59)
    if hour is None or minute is None:
        return None
    return TimeOfDay(hour, minute)


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return False
    return True


__all__ = ["MIN_WINDOW_MINUTES", "RetryFields", "parse_retry", "parse_sending_speed",
           "parse_window"]
