"""Telling the request dialects apart by a document's shape (SPEC S17)."""

from __future__ import annotations

from typing import Any

import pytest

from ivrsched import Dialect, RequestError, parse_request
from ivrsched.request.dialects import detect_dialect

IVR = {"messages": [{"scenarioId": "S1", "destinations": [{"to": "41793026727"}]}]}
IVR_FLAT = {"scenarioId": "S1", "to": ["41793026727"]}
TTS = {"messages": [{"text": "Hello", "destinations": [{"to": "41793026727"}]}]}
CALLS = {"callsConfigurationId": "cfg", "items": [{"callRequests": [
    {"endpoint": {"type": "PHONE", "phoneNumber": "41793026727"}}]}]}


@pytest.mark.parametrize(("data", "dialect"), [
    (IVR, Dialect.IVR), (IVR_FLAT, Dialect.IVR), (TTS, Dialect.TTS_ADVANCED),
    (CALLS, Dialect.CALLS_BULK),
    ({"messages": [{"audioFileUrl": "https://example.com/a.mp3",
                    "destinations": [{"to": "41793026727"}]}]}, Dialect.TTS_ADVANCED),
])
def test_each_dialect_is_detected(data: dict[str, Any], dialect: Dialect) -> None:
    assert detect_dialect(data) is dialect
    assert parse_request(data).dialect is dialect
    assert parse_request(data, dialect).dialect is dialect
    assert parse_request(data, dialect.value).dialect is dialect


def _problems(data: Any, dialect: Any = None) -> set[tuple[str, str]]:
    with pytest.raises(RequestError) as info:
        parse_request(data, dialect)
    return {(p.path, p.code) for p in info.value.errors}


def test_a_document_mixing_dialects_is_ambiguous_at_each_marker() -> None:
    mixed = {"messages": [{"destinations": [{"to": "41793026727"}]},
                          {"text": "Hi", "scenarioId": "S1"}],
             "items": []}
    assert _problems(mixed) == {("/items", "dialect"), ("/messages/1/text", "dialect"),
                                ("/messages/1/scenarioId", "dialect")}
    # Naming the dialect settles it: the members of the others are then unknown fields.
    request = parse_request({"messages": [{"scenarioId": "S1", "text": "Hi",
                                           "destinations": [{"to": "41793026727"}]}]}, "ivr")
    assert [(n.code, n.path) for n in request.notices] == [
        ("unknown-field", "/messages/0/text")]


def test_a_document_no_dialect_fits_is_one_root_problem() -> None:
    assert _problems({}) == {("", "dialect")}
    assert _problems({"bulkId": "b", "destinations": []}) == {("", "dialect")}


def test_messages_without_markers_are_read_as_ivr() -> None:
    # Neither dialect's marker: read as IVR, whose errors then say what it needs.
    assert _problems({"messages": [{"destinations": [{"to": "41793026727"}]}]}) == {
        ("/messages/0/scenarioId", "required")}


def test_a_named_dialect_skips_detection() -> None:
    assert _problems(IVR, "calls-bulk") == {("/callsConfigurationId", "required"),
                                            ("/items", "required"),
                                            }
    with pytest.raises(ValueError, match="unknown dialect"):
        parse_request(IVR, "sms")


def test_not_an_object_is_refused_before_detection() -> None:
    assert _problems([TTS]) == {("", "type")}
