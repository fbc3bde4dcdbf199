"""Readers for the field kinds the advanced TTS and Calls API dialects add (SPEC S17).

Same contract as :mod:`ivrsched.request.fields`: each reader records a problem at the field's
JSON Pointer and returns None instead of raising, so that every fault is reported together.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from types import MappingProxyType

from ivrsched.request.destinations import is_international
from ivrsched.request.fields import (
    MISSING,
    JsonObject,
    Problems,
    get,
    json_type,
    pointer,
    read_object,
    read_str,
)


def read_number(p: Problems, obj: JsonObject, key: str, path: str) -> int | float | None:
    """A finite JSON number (integer or not; never a boolean). Such numbers are carried as
    given, never used in time arithmetic."""
    where = pointer(path, key)
    value = get(obj, key)
    if value is MISSING or value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        p.error(where, "type", f"must be a number, not {json_type(value)}")
        return None
    if isinstance(value, float) and not math.isfinite(value):
        p.error(where, "value", "must be a finite number")
        return None
    return value


def in_range(p: Problems, value: int | float, where: str, low: Fraction,
             high: Fraction) -> bool:
    """Whether ``low <= value <= high``, judged exactly; an error when not."""
    if low <= Fraction(value) <= high:
        return True
    p.error(where, "range", f"must be between {_show(low)} and {_show(high)} (got {value})")
    return False


def _show(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def read_choice(p: Problems, obj: JsonObject, key: str, path: str, choices: Sequence[str], *,
                required: bool = False) -> str | None:
    """A string that must be one of ``choices`` (exactly, case-sensitive)."""
    value = read_str(p, obj, key, path, required=required)
    if value is not None and value not in choices:
        p.error(pointer(path, key), "value", f"must be one of {', '.join(choices)} (got {value!a})")
        return None
    return value


def read_text(p: Problems, obj: JsonObject, key: str, path: str, *, maximum: int,
              minimum: int = 1, required: bool = False) -> str | None:
    """A string of ``minimum`` to ``maximum`` characters (Unicode code points)."""
    value = read_str(p, obj, key, path, required=required, non_empty=minimum > 0)
    if value is None:
        return None
    if not minimum <= len(value) <= maximum:
        p.error(pointer(path, key), "range", f"must be {minimum} to {maximum} characters long "
                f"(got {len(value)})")
        return None
    return value


def read_phone(p: Problems, obj: JsonObject, key: str, path: str, *,
               required: bool = False) -> str | None:
    """A phone number in E.164 form: an international number as S7 defines it (digits only,
    one optional leading ``+``, 7 to 15 digits, the first not 0)."""
    value = read_str(p, obj, key, path, required=required)
    if value is not None and not is_international(value):
        p.error(pointer(path, key), "format", f"must be a phone number in E.164 form such as "
                f"41793026727 (got {value!a})")
        return None
    return value


def read_string_map(p: Problems, obj: JsonObject, key: str,
                    path: str) -> Mapping[str, str] | None:
    """An object whose every member is a string (``customData``), as a read-only mapping."""
    value = read_object(p, obj, key, path)
    if value is None:
        return None
    where = pointer(path, key)
    strings: dict[str, str] = {}
    for name, item in value.items():
        if isinstance(item, str):
            strings[name] = item
        else:
            p.error(pointer(where, name), "type", f"must be a string, not {json_type(item)}")
    return MappingProxyType(strings) if len(strings) == len(value) else None


def frozen(values: Mapping[str, object | None]) -> Mapping[str, object]:
    """The non-None entries of ``values`` as a read-only mapping (a dialect's ``extra``)."""
    return MappingProxyType({k: v for k, v in values.items() if v is not None})


__all__ = ["frozen", "in_range", "read_choice", "read_number", "read_phone", "read_string_map",
           "read_text"]
