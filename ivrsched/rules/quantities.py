"""Exact rational numbers from text (probabilities such as ``0.3``, ``1/3``, ``25e-2``).

``Fraction`` parses any decimal text exactly, but a huge exponent (``1e-99999999999``) makes it
work for hours, so sizes are bounded before it is asked.
"""

from __future__ import annotations

import re
from fractions import Fraction

#: Largest decimal exponent, and most digits, of an exact rational option (a rate): beyond them
#: ``Fraction`` would work for hours (``1e-99999999999``), or its text could not be printed back
#: (Python converts integers of more than 4300 digits to text only on request).
MAX_RATIONAL_DIGITS = 1000
_EXPONENT = re.compile(r"[eE][-+]?([\d_]+)")


def rational(text: str) -> Fraction:
    """An exact rational number (``0.3``, ``1/3``, ``25e-2``) as a :class:`Fraction`.

    Raises ``ValueError`` for text that is not one, or that has more than
    :data:`MAX_RATIONAL_DIGITS` digits in its exponent's worth or its numerator or denominator.
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
