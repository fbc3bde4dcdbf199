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


# -- the bounds and the words, at their edges (values by hand) ------------------------------


def test_an_exponent_is_judged_by_its_digits_without_underscores() -> None:
    # Python number syntax allows underscores between digits: 2e1_0 is 2 × 10**10.
    assert rational("2e1_0") == 2 * 10**10
    assert rational("1e0_1_0_0") == 10**100  # four digits, seven characters
    # Six digits of exponent are read (leading zeros included); seven are refused unread.
    assert rational("1e000100") == 10**100
    with pytest.raises(ValueError, match=r"^exponent too large \(at most 1000\)$"):
        rational("1e0000100")


def test_an_exponent_over_1000_is_refused_before_the_value_is_computed() -> None:
    # 1e1001 would also have too many digits; the message says it is the exponent.
    for text in ("1e1001", "1e-1001", "1E+1001"):
        with pytest.raises(ValueError, match=r"^exponent too large \(at most 1000\)$"):
            rational(text)
    # An exponent of exactly 1000 is allowed when the value has at most 1000 digits.
    assert rational("0.5e1000") == 5 * 10**999
    assert rational("10e-1000") == Fraction(1, 10**999)


def test_a_numerator_or_denominator_has_at_most_1000_digits() -> None:
    assert rational("9" * 1000) == 10**1000 - 1
    assert rational("-" + "9" * 1000) == -(10**1000 - 1)
    assert rational("1/" + "9" * 1000) == Fraction(1, 10**1000 - 1)
    for text in ("1" + "0" * 1000, "-1" + "0" * 1000, "1/1" + "0" * 1000,
                 "1" + "0" * 1000 + "/3"):
        with pytest.raises(ValueError, match=r"^more than 1000 digits$"):
            rational(text)


@pytest.mark.parametrize(("value", "message"), [
    (True, "must be a number between 0 and 1, not bool"),
    (None, "must be a number between 0 and 1, not NoneType"),
    ([0.5], "must be a number between 0 and 1, not list"),
    (math.nan, "nan is not a finite number"),
    (-math.inf, "-inf is not a finite number"),
    ("abc", "'abc' is not a number (Invalid literal for Fraction: 'abc')"),
    ("1/0", "'1/0' is not a number (Fraction(1, 0))"),
    ("1.01", "1.01 is not between 0 and 1"),
    (Fraction(-1, 3), "-1/3 is not between 0 and 1"),
    (2, "2 is not between 0 and 1"),
])
def test_the_words_of_a_refused_rate(value: Any, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        exact_rate(value)
    assert str(raised.value) == message


def test_a_float_rate_is_its_shortest_decimal_text() -> None:
    # repr and str of a float are the same text in Python 3: 1/3 as a float is
    # 0.3333333333333333, sixteen 3s, read exactly.
    assert exact_rate(1 / 3) == Fraction(3333333333333333, 10**16)


@pytest.mark.parametrize(("value", "expected"), [
    ("1", 1_000_000), (1, 1_000_000), ("0.000001", 1), ("1.000001", 1_000_001),
    # timedelta.max: 999999999 days, 23:59:59.999999 = 86,399,999,999,999.999999 s.
    ("86399999999999.999999", 86_399_999_999_999_999_999),
    ("99999999999999e-6", 99_999_999_999_999),
])
def test_seconds_at_their_edges(value: Any, expected: int) -> None:
    assert seconds_us(value) == expected
    assert expected <= MAX_DURATION_US


@pytest.mark.parametrize(("value", "message"), [
    (0.5, "must be a number of seconds, not float"),
    (None, "must be a number of seconds, not NoneType"),
    (False, "must be a number of seconds, not bool"),
    ("x", "must be a number of seconds (got 'x')"),
    ("-0.5", "must be a finite number of seconds >= 0"),
    ("sNaN", "must be a finite number of seconds >= 0"),
    ("0.0000001", "at most six decimal places (microseconds)"),
    ("1.0000005", "at most six decimal places (microseconds)"),
    ("1e-7", "at most six decimal places (microseconds)"),
    ("86400000000000", "too large: at most 999999999 days"),
    ("86399999999999.9999991", "at most six decimal places (microseconds)"),
    ("86400000000000.000000", "too large: at most 999999999 days"),
    ("1e20", "too large: at most 999999999 days"),
    ("1e21", "too large: at most 999999999 days"),
])
def test_the_words_of_refused_seconds(value: Any, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        seconds_us(value)
    assert str(raised.value) == message
