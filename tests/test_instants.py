from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched.errors import PlanRangeError
from ivrsched.rules.instants import (
    MAX_US,
    MIN_US,
    InstantSyntaxError,
    format_us,
    from_us,
    parse_instant,
    to_us,
)


def test_epoch_is_zero() -> None:
    assert to_us(datetime(1970, 1, 1, tzinfo=timezone.utc)) == 0


def test_seed_send_at_parses_to_its_instant_and_offset() -> None:
    # 17:00 at +01:00 is 16:00 UTC on 2016-07-07; 1467907200 is 2016-07-07T16:00:00Z.
    assert parse_instant("2016-07-07T17:00:00.000+01:00") == (1_467_907_200_000_000, 60)


@pytest.mark.parametrize("text", ["2016-07-07T16:00:00Z", "2016-07-07T17:00:00+0100",
                                  "2016-07-07T17:00:00.000+01:00", "2016-07-07T12:00:00-04:00"])
def test_offset_spellings_name_the_same_instant(text: str) -> None:
    assert parse_instant(text)[0] == 1_467_907_200_000_000


@pytest.mark.parametrize("text", ["2016-07-07T17:00:00", "yesterday", "2016-07-07", "", "17:00"])
def test_text_without_an_instant_is_refused(text: str) -> None:
    with pytest.raises(InstantSyntaxError):
        parse_instant(text)


def test_rendering_uses_milliseconds_unless_finer_digits_exist() -> None:
    assert format_us(1_467_907_200_000_000, 60) == "2016-07-07T17:00:00.000+01:00"
    assert format_us(1_467_907_200_123_000, 0) == "2016-07-07T16:00:00.123+00:00"
    assert format_us(1_467_907_200_333_333, 0) == "2016-07-07T16:00:00.333333+00:00"
    assert format_us(1_467_907_200_000_000, -330) == "2016-07-07T10:30:00.000-05:30"


def test_range_ends_render_and_beyond_them_is_an_error() -> None:
    assert format_us(MIN_US) == "0001-01-01T00:00:00.000+00:00"
    assert format_us(MAX_US) == "9999-12-31T23:59:59.999999+00:00"
    with pytest.raises(PlanRangeError):
        format_us(MAX_US + 1)
    with pytest.raises(PlanRangeError):
        from_us(MIN_US - 1)


def test_an_instant_is_in_range_only_if_its_rendering_offset_keeps_it_there() -> None:
    # MAX_US is 9999-12-31T23:59:59.999999Z; 14 h earlier it reads 9999-12-31T23:59:59.999999
    # at +14:00, one µs later it would read 10000-01-01T00:00 there, which S1 cannot write.
    assert format_us(MAX_US - 14 * 3_600_000_000, 840) == "9999-12-31T23:59:59.999999+14:00"
    with pytest.raises(PlanRangeError):
        format_us(MAX_US - 14 * 3_600_000_000 + 1, 840)
    with pytest.raises(PlanRangeError):
        from_us(MAX_US - 14 * 3_600_000_000 + 1, 840)
    # MIN_US read at -00:30 is 0000-12-31T23:30, before year 1.
    with pytest.raises(PlanRangeError):
        format_us(MIN_US, -30)
    assert format_us(MIN_US + 30 * 60_000_000, -30) == "0001-01-01T00:00:00.000-00:30"


@given(st.integers(MIN_US + 10**11, MAX_US - 10**11), st.integers(-840, 840))
def test_rendering_agrees_with_datetime_isoformat(us: int, offset: int) -> None:
    # An independent computation: the standard library's own rendering of the same instant.
    moment = (datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=us)).astimezone(
        timezone(timedelta(minutes=offset)))
    expected = moment.isoformat(timespec="microseconds")
    if moment.microsecond % 1000 == 0:
        expected = moment.isoformat(timespec="milliseconds")
    assert format_us(us, offset) == expected
    assert parse_instant(format_us(us, offset)) == (us, offset)
