"""S7 destination checks: ivrsched.request.destinations.classify and the duplicate-messageId
registry."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivrsched.request.destinations import (
    MessageIdRegistry,
    classify,
    destination_status,
    is_international,
)
from ivrsched.request.status import Status

ACCEPTED = Status.PENDING_ACCEPTED
INVALID = Status.REJECTED_INVALID_DESTINATION


@pytest.mark.parametrize("to", [
    "41793026727",          # the seed's example
    "+41793026727",         # one leading + is allowed
    "1234567",              # 7 digits: the shortest
    "123456789012345",      # 15 digits: the longest
    "+123456789012345",
    "9000000",
])
def test_international_numbers_are_accepted(to: str) -> None:
    assert classify(to) == (ACCEPTED, None)
    assert is_international(to)


@pytest.mark.parametrize("to", [
    "abc",
    "123456",               # 6 digits
    "+123456",
    "1234567890123456",     # 16 digits
    "0041793026727",        # leading 0 (national / international-prefix form)
    "+041793026727",
    "++41793026727",        # only one + is removed
    "41793026727+",
    "+",
    "4179 3026727",         # spaces are not removed
    "4179-302-6727",
    " 41793026727",
    "41793026727\n",
    "\uff14\uff11\uff17\uff19\uff13\uff10\uff12\uff16\uff17\uff12\uff17",  # full-width digits
    "\u0664\u0661\u0667\u0669\u0663\u0660\u0662\u0666\u0667\u0662\u0667",  # Arabic-Indic digits
    "4179302672\u00b2",     # superscript two: str.isdigit() says True, S7 says no
])
def test_other_addresses_are_invalid(to: str) -> None:
    status, reason = classify(to)
    assert status is INVALID
    assert status.id == 52
    assert reason is not None and "international" in reason


@pytest.mark.parametrize("to", [None, ""])
def test_missing_address(to: str | None) -> None:
    status, reason = classify(to)
    assert status is Status.MISSING_TO
    assert status.id == 51
    assert reason


def test_reasons_say_what_is_wrong() -> None:
    assert "starts with 0" in (classify("0123456789")[1] or "")
    assert "6 digits" in (classify("123456")[1] or "")
    assert "only digits" in (classify("12a4567")[1] or "")


@given(st.text(alphabet="0123456789", min_size=7, max_size=15).filter(lambda s: s[0] != "0"),
       st.booleans())
def test_every_7_to_15_digit_number_is_accepted(digits: str, plus: bool) -> None:
    assert classify(("+" if plus else "") + digits)[0] is ACCEPTED


@given(st.text())
def test_classify_agrees_with_the_rule_as_written(to: str) -> None:
    # S7 restated independently: strip one '+', then 7..15 ASCII digits, first not '0'.
    body = to[1:] if to[:1] == "+" else to
    expected_ok = (7 <= len(body) <= 15 and set(body) <= set("0123456789")
                   and not body.startswith("0"))
    status, reason = classify(to)
    if to == "":
        assert status is Status.MISSING_TO
    elif expected_ok:
        assert (status, reason) == (ACCEPTED, None)
    else:
        assert status is INVALID and reason


def test_registry_flags_only_later_uses() -> None:
    registry = MessageIdRegistry()
    assert registry.claim("a") is True
    assert registry.claim("b") is True
    assert registry.claim("a") is False
    assert registry.claim("a") is False
    assert registry.claim(None) is True
    assert registry.claim(None) is True


def test_destination_status_precedence() -> None:
    registry = MessageIdRegistry()
    assert destination_status("41793026727", "id-1", registry) == (ACCEPTED, None)
    status, reason = destination_status("41793026731", "id-1", registry)
    assert status is Status.REJECTED_DUPLICATE_MESSAGE_ID and status.id == 23
    assert reason is not None and "id-1" in reason
    # A bad address wins over a duplicate ID ...
    assert destination_status("abc", "id-1", registry)[0] is INVALID
    # ... and a rejected destination still claims its ID.
    assert destination_status(None, "id-2", registry)[0] is Status.MISSING_TO
    assert destination_status("41793026727", "id-2", registry)[0] is \
        Status.REJECTED_DUPLICATE_MESSAGE_ID
