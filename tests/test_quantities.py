"""Exact rates and seconds (rules/quantities): one reader, used by every entry point."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched.cli.common import non_negative_seconds
from ivrsched.errors import IvrschedError
from ivrsched.forecasting.load import answer_rate_fraction
from ivrsched.io.outcome_files import load_outcomes_jsonl
from ivrsched.rules.quantities import MAX_DURATION_US, exact_rate, rational, seconds_us
from ivrsched.simulation.outcomes import Random


@pytest.mark.parametrize(("value", "expected"), [
    (0.3, Fraction(3, 10)),            # a float means its decimal repr, not the binary double
    (0.1 + 0.2, Fraction(30000000000000004, 10**17)),
    (1e-5, Fraction(1, 100_000)),
    ("0.3", Fraction(3, 10)), (" 1/3 ", Fraction(1, 3)), ("25e-2", Fraction(1, 4)),
    (Decimal("0.30"), Fraction(3, 10)), (Fraction(2, 7), Fraction(2, 7)), (1, Fraction(1)),
    (0, Fraction(0)),
])
def test_rates_are_exact(value: Any, expected: Fraction) -> None:
    assert exact_rate(value) == expected


@pytest.mark.parametrize("value", [True, None, "abc", "", "1/0", "1.01", -0.1, math.nan,
                                   math.inf, "1e-99999999999", Decimal("1e-99999999999")])
def test_bad_rates_are_value_errors(value: Any) -> None:
    with pytest.raises(ValueError):
        exact_rate(value)


@given(st.one_of(st.floats(0, 1), st.fractions(0, 1, max_denominator=10**6),
                 st.decimals(0, 1, places=6).map(lambda d: d.normalize())))
def test_the_simulation_and_the_forecast_read_a_rate_alike(value: Any) -> None:
    # One value, two entry points (the random outcome model and the forecast), one Fraction:
    # and that Fraction is the number's decimal text read exactly.
    expected = Fraction(repr(value)) if isinstance(value, float) else Fraction(str(value))
    assert Random(answer_rate=value, busy_rate=0, seed=0).answer_rate == expected
    assert answer_rate_fraction(value) == expected


def test_the_simulation_and_the_forecast_refuse_the_same_rates() -> None:
    for value in (1.5, -0.25, math.nan, "x"):
        with pytest.raises(ValueError, match="answer_rate"):
            Random(answer_rate=value, seed=0)
        with pytest.raises(IvrschedError, match="answer rate"):
            answer_rate_fraction(value)


@pytest.mark.parametrize(("value", "expected"), [
    (0, 0), ("0", 0), (90, 90_000_000), ("0.5", 500_000), (Decimal("60.000001"), 60_000_001),
    ("1e3", 1_000_000_000), (" 2.25 ", 2_250_000), ("0.1000000", 100_000),
    (timedelta.max.days * 86_400, timedelta.max.days * 86_400 * 10**6),
])
def test_seconds_are_exact_microseconds(value: Any, expected: int) -> None:
    assert seconds_us(value) == expected


@pytest.mark.parametrize(("value", "fragment"), [
    (0.5, "number of seconds"), (True, "number of seconds"), ("x", "number of seconds"),
    ("-1", ">= 0"), ("NaN", "finite"), ("Infinity", "finite"),
    ("0.0000001", "six decimal places"), ("1e-99999999999", "six decimal places"),
    ("1e99999999999", "too large"), (str(MAX_DURATION_US // 10**6 + 1), "too large"),
])
def test_bad_seconds_are_value_errors(value: Any, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        seconds_us(value)


@given(st.integers(0, 10**12), st.integers(0, 6))
def test_the_cli_and_outcome_files_read_seconds_alike(micros: int, places: int) -> None:
    text = str(Decimal(micros).scaleb(-places))
    expected = micros * 10 ** (6 - places)  # exact by construction
    assert seconds_us(text) == expected
    assert non_negative_seconds(text) == timedelta(microseconds=expected)
    table = load_outcomes_jsonl([f'{{"to": "1", "outcome": "busy", "duration": {text}}}'])
    assert table.by_to[("1", None)].duration_us == expected


def test_rational_text_is_bounded_before_it_is_computed() -> None:
    with pytest.raises(ValueError, match="exponent too large"):
        rational("1e-99999999999")
    with pytest.raises(ZeroDivisionError):
        rational("1/0")
