"""S8 response documents built from plans."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ivrsched import SeededIds, parse_request, plan
from ivrsched.planning.response import response_document, response_entries

SEED_FILE = Path(__file__).resolve().parent.parent / "examples" / "seed-request.json"
NOW = datetime(2016, 7, 1, 12, 0, tzinfo=timezone.utc)

ACCEPTED = {"groupId": 1, "groupName": "PENDING", "id": 26, "name": "PENDING_ACCEPTED",
            "description": "Message accepted, pending for delivery."}


def respond(data: Any, seed: int = 7) -> dict[str, Any]:
    return response_document(plan(parse_request(data), now=NOW, ids=SeededIds(seed)))


def test_seed_example_response() -> None:
    document = respond(json.loads(SEED_FILE.read_text(encoding="utf-8")))
    assert list(document) == ["bulkId", "messages"]
    assert document["bulkId"] == "BULK-ID-123-xyz"
    messages = document["messages"]
    assert [m["to"] for m in messages] == ["41793026727", "41793026731"]
    assert [m["status"] for m in messages] == [ACCEPTED, ACCEPTED]
    assert all(list(m) == ["to", "status", "messageId"] for m in messages)
    ids = [m["messageId"] for m in messages]
    assert len(set(ids)) == 2
    # Generated IDs come from the injected source, by (message, position).
    assert ids == [SeededIds(7).message_id(0, 0), SeededIds(7).message_id(0, 1)]


def test_given_message_ids_and_rejected_destinations_in_request_order() -> None:
    request = {"bulkId": "B", "messages": [
        {"scenarioId": "A", "destinations": [
            {"to": "41793026727", "messageId": "m-1"},
            {"to": "abc", "messageId": "m-2"},
            {"messageId": "m-3"},
            {"to": "41793026731", "messageId": "m-1"},
        ]},
        {"scenarioId": "B", "destinations": [{"to": "+385993061678", "messageId": "m-9"}]},
    ]}
    messages = respond(request)["messages"]
    assert [(m["to"], m["messageId"]) for m in messages] == [
        ("41793026727", "m-1"), ("abc", "m-2"), (None, "m-3"), ("41793026731", "m-1"),
        ("+385993061678", "m-9")]
    assert [(m["status"]["groupId"], m["status"]["id"], m["status"]["name"]) for m in messages] \
        == [(1, 26, "PENDING_ACCEPTED"), (5, 52, "REJECTED_INVALID_DESTINATION"),
            (5, 51, "MISSING_TO"), (5, 23, "REJECTED_DUPLICATE_MESSAGE_ID"),
            (1, 26, "PENDING_ACCEPTED")]
    assert messages[1]["status"]["groupName"] == "REJECTED"


def test_bulk_id_is_left_out_for_a_single_destination_without_one() -> None:
    document = respond({"scenarioId": "S", "to": ["41793026727"]})
    assert list(document) == ["messages"]
    assert len(document["messages"]) == 1


def test_bulk_id_is_generated_for_several_destinations() -> None:
    document = respond({"scenarioId": "S", "to": ["41793026727", "41793026731"]}, seed=3)
    assert document["bulkId"] == SeededIds(3).bulk_id()
    assert document["bulkId"] != SeededIds(4).bulk_id()


def test_same_seed_same_document_other_seed_other_ids() -> None:
    data = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    assert respond(data, 11) == respond(data, 11)
    assert [m["messageId"] for m in respond(data, 11)["messages"]] != \
        [m["messageId"] for m in respond(data, 12)["messages"]]


def test_entries_are_produced_lazily() -> None:
    request = {"scenarioId": "S", "to": ["41793026727"] * 50_000}
    entries = response_entries(plan(parse_request(request), now=NOW, ids=SeededIds(1)))
    assert iter(entries) is entries           # a generator, not a built list
    first = next(entries)
    assert first["to"] == "41793026727" and first["status"] == ACCEPTED
    assert sum(1 for _ in entries) == 49_999


def test_document_is_json_serialisable() -> None:
    document = respond({"scenarioId": "S", "to": ["41793026727", "", "x"]})
    assert json.loads(json.dumps(document)) == document
