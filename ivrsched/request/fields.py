"""Typed readers for JSON request fields, and the collector of problems and notices (SPEC S7).

Every reader takes the JSON object that holds the field, the JSON Pointer of that object and the
field's name; it returns the value when it has the right type, or records a :class:`Problem` at
the field's pointer and returns None. Nothing here raises on bad input: the caller looks at
:attr:`Problems.errors` once everything has been read, so that every fault is reported together.

JSON rules applied throughout: a boolean is never an integer, a number with a decimal point or
exponent (``5.0``, ``5e0``) is not an integer, and a number written as a string (``"60"``) is a
string. ``null`` for an optional field means "absent".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from ivrsched.errors import Notice, Problem

#: Marks a key that is not in its object (distinct from a JSON ``null``).
MISSING: Final = object()

JsonObject = Mapping[str, object]


def escape_token(token: str) -> str:
    """One reference token of an RFC 6901 JSON Pointer: ``~`` becomes ``~0``, ``/`` ``~1``."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer(parent: str, key: str | int) -> str:
    """The pointer of ``key`` (an object member or array index) inside the value at ``parent``."""
    return f"{parent}/{escape_token(str(key))}"


def json_type(value: object) -> str:
    """The JSON type of a value, in words, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number with a fraction or exponent" if value == value else "NaN"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__} (not a JSON value)"


@dataclass
class Problems:
    """Collects the errors and notices of one parse.

    ``strict`` turns what would be a notice about an unknown field (and, in the parser,
    destination-level faults) into errors.
    """

    strict: bool = False
    errors: list[Problem] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    def error(self, path: str, code: str, message: str) -> None:
        """Record a fault at JSON Pointer ``path`` (the same argument order as :meth:`notice`)."""
        self.errors.append(Problem(path, code, message))

    def notice(self, path: str, code: str, message: str) -> None:
        """Record a notice (a change made to the request, or a fact worth knowing)."""
        self.notices.append(Notice(path, code, message))

    def check_keys(self, obj: JsonObject, path: str, known: Iterable[str]) -> None:
        """Report every member of ``obj`` whose name is not in ``known``."""
        allowed = frozenset(known)
        for key in obj:
            if key in allowed:
                continue
            name = key if isinstance(key, str) else repr(key)
            where = pointer(path, name)
            if self.strict:
                self.error(where, "unknown-field", f"unknown field {name!r} (strict mode)")
            else:
                self.notice(where, "unknown-field", f"unknown field {name!r} is ignored")


def get(obj: JsonObject, key: str) -> object:
    """The member ``key`` of ``obj``, or :data:`MISSING`."""
    return obj.get(key, MISSING)


def present(obj: JsonObject, key: str) -> bool:
    """True when ``obj`` has the member ``key`` with a value other than ``null``."""
    value = get(obj, key)
    return value is not MISSING and value is not None


def _absent(p: Problems, value: object, where: str, required: bool) -> bool:
    """True when the field is absent (missing or null); records an error if it was required."""
    if value is MISSING or value is None:
        if required:
            p.error(where, "required", "is required" if value is MISSING
                    else "is required and must not be null")
        return True
    return False


_SURROGATE = re.compile("[\ud800-\udfff]")
UNPAIRED_SURROGATE = ("contains an unpaired UTF-16 surrogate (a \\ud800-\\udfff escape), which "
                      "no output can carry")


def is_unicode(text: str) -> bool:
    """False for text holding an unpaired surrogate, which JSON escapes allow but UTF-8 cannot
    encode (``json.loads`` joins paired escapes into one character, so any surrogate left is
    unpaired)."""
    return _SURROGATE.search(text) is None


#: A character XML 1.0 cannot carry: controls other than TAB/LF/CR, surrogates, U+FFFE/U+FFFF.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def non_xml_char(text: str) -> str | None:
    """The first character of ``text`` that XML 1.0 cannot carry, or None when there is none
    (an XML delivery report, S10, could not hold the text)."""
    bad = _NOT_XML_CHAR.search(text)
    return None if bad is None else bad.group()


def read_str(p: Problems, obj: JsonObject, key: str, path: str, *, required: bool = False,
             non_empty: bool = False) -> str | None:
    """A string member; with ``non_empty`` the empty string is an error."""
    where = pointer(path, key)
    value = get(obj, key)
    if _absent(p, value, where, required):
        return None
    if not isinstance(value, str):
        p.error(where, "type", f"must be a string, not {json_type(value)}")
        return None
    if not is_unicode(value):
        p.error(where, "value", UNPAIRED_SURROGATE)
        return None
    if non_empty and value == "":
        p.error(where, "value", "must not be empty")
        return None
    return value


def as_int(p: Problems, value: object, where: str, *, minimum: int | None = None,
           maximum: int | None = None) -> int | None:
    """``value`` if it is a JSON integer in ``minimum..maximum``; else an error, None."""
    if isinstance(value, bool) or not isinstance(value, int):
        p.error(where, "type", f"must be an integer, not {json_type(value)}")
        return None
    if minimum is not None and value < minimum:
        p.error(where, "range", f"must be at least {minimum} (got {value})")
        return None
    if maximum is not None and value > maximum:
        p.error(where, "range", f"must be at most {maximum} (got {value})")
        return None
    return value


def read_int(p: Problems, obj: JsonObject, key: str, path: str, *, required: bool = False,
             minimum: int | None = None, maximum: int | None = None) -> int | None:
    """An integer member, optionally bounded."""
    where = pointer(path, key)
    value = get(obj, key)
    if _absent(p, value, where, required):
        return None
    return as_int(p, value, where, minimum=minimum, maximum=maximum)


def read_bool(p: Problems, obj: JsonObject, key: str, path: str) -> bool | None:
    """A boolean member (``true``/``false`` only)."""
    where = pointer(path, key)
    value = get(obj, key)
    if _absent(p, value, where, False):
        return None
    if not isinstance(value, bool):
        p.error(where, "type", f"must be true or false, not {json_type(value)}")
        return None
    return value


def as_object(p: Problems, value: object, where: str) -> JsonObject | None:
    """``value`` if it is a JSON object; else an error, None."""
    if not isinstance(value, Mapping):
        p.error(where, "type", f"must be an object, not {json_type(value)}")
        return None
    return value


def read_object(p: Problems, obj: JsonObject, key: str, path: str, *,
                required: bool = False) -> JsonObject | None:
    """An object member."""
    where = pointer(path, key)
    value = get(obj, key)
    if _absent(p, value, where, required):
        return None
    return as_object(p, value, where)


def read_array(p: Problems, obj: JsonObject, key: str, path: str, *, required: bool = False,
               non_empty: bool = False) -> list[object] | None:
    """An array member; with ``non_empty`` the empty array is an error."""
    where = pointer(path, key)
    value = get(obj, key)
    if _absent(p, value, where, required):
        return None
    if not isinstance(value, list):
        p.error(where, "type", f"must be an array, not {json_type(value)}")
        return None
    if non_empty and not value:
        p.error(where, "value", "must not be empty")
        return None
    return value
