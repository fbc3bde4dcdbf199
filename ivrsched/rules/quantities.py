"""Exact quantities from text and numbers: rates (probabilities such as ``0.3``, ``1/3``,
``25e-2``) as :class:`Fraction`, durations in seconds as integer µs. No float is ever computed with.

These are the only readers of rates and seconds: the library (outcome files, the random outcome
model, the forecast) and the command line (``--answer-rate``, ``--failure-delay``, ...) all read
them here, so that the same text or number means the same quantity everywhere.

``Fraction`` parses any decimal text exactly, but a huge exponent (``1e-99999999999``) makes it
work for hours, so sizes are bounded before it is asked.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from ivrsched.rules.instants import US_PER_SECOND

#: Largest decimal exponent, and most digits, of an exact rational option (a rate): beyond them
#: ``Fraction`` would work for hours (``1e-99999999999``), or its text could not be printed back
#: (Python converts integers of more than 4300 digits to text only on request).
MAX_RATIONAL_DIGITS = 1000
_EXPONENT = re.compile(r"[eE][-+]?([\d_]+)")

#: What :func:`exact_rate` reads. A float means its shortest decimal text (``repr(0.3)`` is
#: ``0.3``, so 3/10), not the binary double it is stored as (5404319552844595/2**54): the number
#: a person wrote.
RateValue = Fraction | Decimal | str | int | float

#: What :func:`seconds_us` reads: an integer, an exact decimal, or their text (never a float,
#: whose binary value is not the decimal written).
SecondsValue = int | Decimal | str

#: The longest duration :func:`seconds_us` accepts (that of ``timedelta.max``, 999999999 days).
MAX_DURATION_US = timedelta.max // timedelta(microseconds=1)


def rational(text: str) -> Fraction:
    """An exact rational number (``0.3``, ``1/3``, ``25e-2``) as a :class:`Fraction`.

    Raises ``ZeroDivisionError`` for ``n/0``, and ``ValueError`` for text that is not a number
    or that has more than :data:`MAX_RATIONAL_DIGITS` digits in its exponent's worth or its
    numerator or denominator.
    """
    for match in _EXPONENT.finditer(text):
        digits = match.group(1).replace("_", "")
        if len(digits) > 6 or int(digits) > MAX_RATIONAL_DIGITS:
            raise ValueError(f"exponent too large (at most {MAX_RATIONAL_DIGITS})")
    value = Fraction(text)
    limit = 10**MAX_RATIONAL_DIGITS
    if abs(value.numerator) >= limit or value.denominator >= limit:
        raise ValueError(f"more than {MAX_RATIONAL_DIGITS} digits")
    return value


def exact_rate(value: RateValue) -> Fraction:
    """A rate (a probability) as an exact :class:`Fraction` in [0, 1].

    Text is read exactly (:func:`rational`, surrounding white space ignored); a ``Decimal`` is
    read through its text (so the size bound applies); a float through its shortest decimal
    text (0.3 is 3/10); an ``int`` or ``Fraction`` as it is. Raises ``ValueError`` (with a
    plain message) for a boolean, anything that is not a number, and a number outside [0, 1].
    """
    if isinstance(value, bool) or not isinstance(value, Fraction | Decimal | str | int | float):
        raise ValueError(f"must be a number between 0 and 1, not {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value!r} is not a finite number")
    if isinstance(value, int | Fraction):
        rate = Fraction(value)
    else:
        text = repr(value) if isinstance(value, float) else str(value).strip()
        try:
            rate = rational(text)
        except (ValueError, ZeroDivisionError) as exc:
            raise ValueError(f"{value!r} is not a number ({exc})") from None
    if not 0 <= rate <= 1:
        raise ValueError(f"{value} is not between 0 and 1")
    return rate


def seconds_us(value: SecondsValue) -> int:
    """A number of seconds >= 0 (``90``, ``0.5``, ``1e3``, ``Decimal("2.25")`` or their text)
    as integer µs, exactly: at most six decimal places, at most :data:`MAX_DURATION_US`.

    Raises ``ValueError`` with a plain message otherwise (a float is refused: its binary value
    is not the decimal that was written).
    """
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise ValueError(f"must be a number of seconds, not {type(value).__name__}")
    try:
        seconds = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"must be a number of seconds (got {value!r})") from None
    if not seconds.is_finite() or seconds < 0:
        raise ValueError("must be a finite number of seconds >= 0")
    if seconds == 0:
        return 0
    # Judged exactly, not by Decimal arithmetic, which rounds to 28 digits and over- or
    # underflows at extreme exponents; the exponent is bounded first so that the exact value
    # stays small enough to compute (``1e-99999999999`` would take forever).
    too_large = f"too large: at most {timedelta.max.days} days"
    if seconds.adjusted() < -6:
        raise ValueError("at most six decimal places (microseconds)")
    if seconds.adjusted() > len(str(MAX_DURATION_US)):
        raise ValueError(too_large)
    micros = Fraction(seconds) * US_PER_SECOND
    if micros.denominator != 1:
        raise ValueError("at most six decimal places (microseconds)")
    if micros.numerator > MAX_DURATION_US:
        raise ValueError(too_large)
    return micros.numerator


__all__ = [
    "MAX_DURATION_US", "MAX_RATIONAL_DIGITS", "RateValue", "SecondsValue", "exact_rate",
    "rational", "seconds_us",
]
