"""Each dialect's response document (SPEC S8, S17), read back by the platform's client, and
``--dialect`` on the command line."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import infobip_api_client.models as client
import pytest

from ivrsched import Dialect, SeededIds, parse_request, plan
from ivrsched.cli.main import main
from ivrsched.planning.response import response_document

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
NOW = datetime(2026, 11, 30, tzinfo=timezone.utc)
ACCEPTED = {"groupId": 1, "groupName": "PENDING", "id": 26, "name": "PENDING_ACCEPTED",
            "description": "Message accepted, pending for delivery."}


def respond(data: Any, seed: int = 1) -> dict[str, Any]:
    return response_document(plan(parse_request(data), now=NOW, ids=SeededIds(seed)))


def test_a_calls_bulk_gets_the_bulk_response_the_client_reads() -> None:
    data = json.loads((EXAMPLES / "calls-bulk-request.json").read_text(encoding="utf-8"))
    document = respond(data)
    ids = SeededIds(1)
    common = {"callsConfigurationId": "winter-config", "from": "41793026700"}
    assert document == {"bulkId": "winter-campaign", "calls": [
        {**common, "callId": ids.message_id(0, 0), "externalId": "alice",
         "endpoint": {"type": "PHONE", "phoneNumber": "41793026727"}, "status": "PENDING"},
        {**common, "callId": ids.message_id(0, 1), "externalId": "bob",
         "endpoint": {"type": "PHONE", "phoneNumber": "0123"}, "status": "FAILED",
         "reason": "'0123' is not an international number: it starts with 0"},
        {**common, "callId": ids.message_id(0, 2),
         "endpoint": {"type": "PHONE", "phoneNumber": "41793026731"}, "status": "PENDING"},
    ]}
    parsed = client.CallBulkResponse.from_json(json.dumps(document))
    assert parsed is not None and parsed.calls is not None
    assert parsed.bulk_id == "winter-campaign"
    assert [c.external_id for c in parsed.calls] == ["alice", "bob", None]
    assert [c.status for c in parsed.calls] == [
        client.CallsActionStatus.PENDING, client.CallsActionStatus.FAILED,
        client.CallsActionStatus.PENDING]
    assert [c.endpoint.phone_number for c in parsed.calls  # type: ignore[union-attr]
            ] == ["41793026727", "0123", "41793026731"]
    assert parsed.calls[0].calls_configuration_id == "winter-config"


def test_a_bulk_without_bulk_id_gets_one_even_for_one_call() -> None:
    data = {"callsConfigurationId": "c", "platform": {"entityId": "e"}, "items": [
        {"callRequests": [{"endpoint": {"type": "PHONE"}}]}]}
    document = respond(data, seed=7)
    assert document == {"bulkId": SeededIds(7).bulk_id(), "calls": [
        {"callsConfigurationId": "c", "platform": {"entityId": "e"},
         "callId": SeededIds(7).message_id(0, 0), "status": "FAILED",
         "reason": "the destination has no 'to' address"}]}
    parsed = client.CallBulkResponse.from_dict(document)
    assert parsed is not None and parsed.calls is not None
    assert parsed.calls[0].platform is not None
    assert parsed.calls[0].platform.entity_id == "e"


def test_an_advanced_message_gets_the_voice_response_the_client_reads() -> None:
    data = json.loads((EXAMPLES / "tts-advanced-request.json").read_text(encoding="utf-8"))
    document = respond(data)
    assert document == {"bulkId": "appointments-2026-12-01", "messages": [
        {"to": "41793026727", "status": ACCEPTED, "messageId": "reminder-1"},
        {"to": "41793026731", "status": ACCEPTED, "messageId": SeededIds(1).message_id(0, 1)},
        {"to": "41793026785", "status": ACCEPTED, "messageId": SeededIds(1).message_id(0, 2)},
    ]}
    parsed = client.CallsVoiceResponse.from_json(json.dumps(document))
    assert parsed is not None and parsed.messages is not None
    assert [m.message_id for m in parsed.messages] == [
        "reminder-1", SeededIds(1).message_id(0, 1), SeededIds(1).message_id(0, 2)]
    assert parsed.messages[0].status is not None
    assert parsed.messages[0].status.name == "PENDING_ACCEPTED"


def test_an_ivr_request_keeps_its_voice_response() -> None:
    data = json.loads((EXAMPLES / "seed-request.json").read_text(encoding="utf-8"))
    assert parse_request(data).dialect is Dialect.IVR
    parsed = client.CallsVoiceResponse.from_dict(respond(data))
    assert parsed is not None and parsed.messages is not None


@pytest.mark.parametrize(("name", "dialect", "key"), [
    ("calls-bulk-request.json", "calls-bulk", "calls"),
    ("tts-advanced-request.json", "tts-advanced", "messages"),
    ("seed-request.json", "ivr", "messages"),
])
def test_respond_prints_each_dialects_document(name: str, dialect: str, key: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / name)
    args = ["respond", path, "--now", "2026-11-30T00:00:00Z", "--seed", "3"]
    assert main(args) == 0
    detected = capsys.readouterr().out
    assert main([*args, "--dialect", dialect]) == 0
    named = capsys.readouterr().out
    assert detected == named
    assert key in json.loads(named)


def test_every_command_takes_dialect(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "calls-bulk-request.json")
    for command in (["plan"], ["explain"], ["forecast"], ["simulate", "--seed", "1"],
                    ["respond"]):
        assert main([*command, path, "--dialect", "calls-bulk",
                     "--now", "2026-11-30T00:00:00Z"]) == 0, command
    capsys.readouterr()
    # Read as another dialect, the same document is invalid: exit 3, one line per problem.
    assert main(["plan", path, "--dialect", "tts-advanced", "--now", "2026-11-30T00:00:00Z"]) == 3
    err = capsys.readouterr().err
    assert "/messages: is required" in err


def test_an_ambiguous_document_on_the_command_line(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps({"messages": [{"scenarioId": "S", "text": "Hi",
                                              "destinations": [{"to": "41793026727"}]}]}),
                    encoding="utf-8")
    assert main(["respond", str(path), "--now", "2026-11-30T00:00:00Z"]) == 3
    err = capsys.readouterr().err
    assert "/messages/0/scenarioId: marks the ivr dialect" in err
    assert "/messages/0/text: marks the tts-advanced dialect" in err
    assert main(["respond", str(path), "--dialect", "ivr", "--now",
                 "2026-11-30T00:00:00Z"]) == 0
    with pytest.raises(SystemExit) as info:
        main(["respond", str(path), "--dialect", "sms"])
    assert info.value.code == 2
