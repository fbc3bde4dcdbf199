import re
from datetime import datetime, timedelta, timezone, tzinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched.errors import PlanRangeError
from ivrsched.rules.instants import (
    MAX_US,
    MIN_US,
    InstantSyntaxError,
    check_range,
    format_clock,
    format_offset,
    format_us,
    from_us,
    offset_minutes_of,
    parse_instant,
    timedelta_us,
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


# -- the ends of the range (S12), as constants known independently ----------------------------
# 0001-01-01T00:00:00Z is -62,135,596,800 s from the epoch, 9999-12-31T23:59:59Z is
# 253,402,300,799 s (the proleptic Gregorian calendar's well-known Unix times).
FIRST = -62_135_596_800 * 10**6
LAST = 253_402_300_799 * 10**6 + 999_999


def test_the_range_is_years_1_to_9999_to_the_microsecond() -> None:
    assert (MIN_US, MAX_US) == (FIRST, LAST)


@pytest.mark.parametrize(("text", "parsed"), [
    ("0001-01-01T00:00:00Z", (FIRST, 0)),
    ("0001-01-01T00:00:00.000000+00:00", (FIRST, 0)),
    ("0001-01-01T01:00:00+01:00", (FIRST, 60)),
    ("9999-12-31T23:59:59.999999Z", (LAST, 0)),
    ("9999-12-31T23:59:59.999999+14:00", (LAST - 14 * 3_600_000_000, 840)),
])
def test_the_first_and_last_instants_are_accepted(text: str, parsed: tuple[int, int]) -> None:
    assert parse_instant(text) == parsed


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+00:01", "0001-01-01T00:59:59.999999+01:00",
                                  "9999-12-31T23:59:59.999999-00:01"])
def test_one_microsecond_or_minute_beyond_the_range_is_refused(text: str) -> None:
    with pytest.raises(InstantSyntaxError, match=f"^{re.escape(repr(text))} falls outside "
                                                 r"years 1\.\.9999$"):
        parse_instant(text)


def test_refusals_say_what_is_wrong() -> None:
    with pytest.raises(InstantSyntaxError, match=r"^'2030-01-01T10:00:00' has no UTC offset "
                                                 r"\(add one such as \+01:00 or Z\)$"):
        parse_instant("2030-01-01T10:00:00")
    with pytest.raises(InstantSyntaxError, match=r"^'10000-01-01T00:00:00Z' is not an ISO 8601 "
                                                 r"date-time$"):
        parse_instant("10000-01-01T00:00:00Z")


def test_minutes_and_microseconds_are_integers() -> None:
    # No float ever stands for a time (S1): not even a whole number of minutes.
    us, offset = parse_instant("2030-01-01T10:00:00+05:30")
    assert type(us) is int and type(offset) is int and offset == 330
    assert type(timedelta_us(timedelta(minutes=1))) is int
    minutes = offset_minutes_of(datetime(2030, 1, 1, tzinfo=timezone(timedelta(hours=-3))))
    assert type(minutes) is int and minutes == -180


def test_check_range_keeps_the_ends_and_names_what_left_it() -> None:
    assert check_range(FIRST) == FIRST and check_range(LAST) == LAST
    # Read at -00:30, the first instant that is still in year 1 is 00:30Z.
    assert check_range(FIRST + 30 * 60_000_000, offset_minutes=-30) == FIRST + 30 * 60_000_000
    assert check_range(LAST - 30 * 60_000_000, offset_minutes=30) == LAST - 30 * 60_000_000
    with pytest.raises(PlanRangeError, match=r"^the instant falls outside years 1\.\.9999, the "
                                             r"range ivrsched can represent exactly$"):
        check_range(LAST + 1)
    assert check_range(LAST - 840 * 60_000_000, "deadline", 840) == LAST - 840 * 60_000_000
    with pytest.raises(PlanRangeError, match=r"^the deadline falls outside years 1\.\.9999, "):
        check_range(FIRST - 1, "deadline")
    with pytest.raises(PlanRangeError, match=r"^the start falls outside years 1\.\.9999 in UTC "
                                             r"offset \+14:00, "):
        check_range(LAST - 840 * 60_000_000 + 1, "start", 840)
    with pytest.raises(PlanRangeError, match=r"in UTC offset -00:30"):
        check_range(FIRST, offset_minutes=-30)


def test_the_ends_render_in_every_form() -> None:
    assert format_us(FIRST, 60) == "0001-01-01T01:00:00.000+01:00"
    assert format_us(LAST, -60) == "9999-12-31T22:59:59.999999-01:00"
    assert from_us(FIRST) == datetime(1, 1, 1, tzinfo=timezone.utc)
    assert from_us(LAST) == datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)
    assert from_us(FIRST, 60).utcoffset() == timedelta(hours=1)
    assert from_us(FIRST, 60).hour == 1
    assert format_clock(FIRST) == "0001-01-01 00:00"
    assert format_clock(FIRST + 1_500_000, with_date=False) == "00:00:01.500"
    assert format_clock(LAST - 999_999) == "9999-12-31 23:59:59"
    # In the instant's own offset: 2030-01-07T09:00Z read at +01:00.
    assert format_clock(1_894_006_800_000_000, 60) == "2030-01-07 10:00"


def test_offsets_and_durations() -> None:
    assert format_offset(0) == "+00:00"
    assert format_offset(-1) == "-00:01"
    assert format_offset(-570) == "-09:30"
    assert format_offset(845) == "+14:05"
    assert offset_minutes_of(datetime(2030, 1, 1, tzinfo=timezone(timedelta(minutes=-330)))) == \
        -330
    with pytest.raises(ValueError, match=r"^a naive datetime has no offset$"):
        offset_minutes_of(datetime(2030, 1, 1))
    with pytest.raises(ValueError, match=r"^a naive datetime names no instant; give it a UTC "
                                         r"offset$"):
        to_us(datetime(2030, 1, 1))

    class Unknown(tzinfo):
        """A zone that cannot say its offset: a datetime in it names no instant either."""

        def utcoffset(self, dt: datetime | None) -> timedelta | None:
            return None

    with pytest.raises(ValueError, match=r"^a naive datetime names no instant"):
        to_us(datetime(2030, 1, 1, tzinfo=Unknown()))
    assert timedelta_us(timedelta(days=1, microseconds=3)) == 86_400_000_003
