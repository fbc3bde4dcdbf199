"""The IVR message as the platform's client builds it, and the attempt keys of a Calls bulk
under live dispatch (SPEC S14, S17)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import infobip_api_client.models as client
import pytest

from ivrsched import Dialect, SeededIds, parse_request, plan
from ivrsched.cli.main import main
from ivrsched.dispatch import Dispatcher
from tests.client_models import MINUTE, SECOND, client_json, utc

NOW = datetime(2026, 11, 30, tzinfo=timezone.utc)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_an_ivr_request_built_by_the_client_is_planned() -> None:
    body = client.CallsLaunchScenarioRequest(bulk_id="ivr-1", messages=[client.CallsIvrMessage(
        scenario_id="6298AA7707903A4ED680B436929681AD", var_from="41793026700",
        destinations=[client.CallsDestination(to="41793026727", message_id="a"),
                      client.CallsDestination(to="41793026731")],
        send_at=datetime(2026, 12, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))),
        validity_period=3, parameters={"name": "Ana"},
        retry=client.CallsRetry(min_period=1, max_period=1, max_count=4))])
    request = parse_request(client_json(body))
    assert request.dialect is Dialect.IVR
    message = request.messages[0]
    assert message.scenario_id == "6298AA7707903A4ED680B436929681AD"
    assert dict(message.parameters or {}) == {"name": "Ana"}
    # 14:00+02:00 is 12:00Z; deadline 12:03: attempts at 12:00, 12:01, 12:02, then none.
    start = utc(2026, 12, 1, 12, 0)
    schedules = list(plan(request, now=NOW, ids=SeededIds(1)))
    assert [s.attempts_us for s in schedules] == [
        (start, start + MINUTE, start + 2 * MINUTE)] * 2
    assert schedules[0].rendered_attempts()[0] == "2026-12-01T14:00:00.000+02:00"


def test_a_calls_bulk_dispatched_live_keys_its_attempts_by_external_id(tmp_path: Path) -> None:
    text = (EXAMPLES / "calls-bulk-request.json").read_text(encoding="utf-8")
    dispatcher = Dispatcher.create(tmp_path / "journal.sqlite", text, now=NOW, seed=1)
    try:
        # The window opens at the start, 08:00Z; ten calls a minute: the third call request
        # (the second accepted) is due 6 s later; the rejected one is never handed out.
        start = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
        first = dispatcher.due(start)
        assert [(a.key, a.to) for a in first] == [("alice:1", "41793026727")]
        second = dispatcher.due(start + timedelta(microseconds=6 * SECOND))
        assert len(second) == 1
        assert second[0].to == "41793026731"
        assert second[0].key == f"{second[0].message_id}:1"
        assert second[0].message_id != "alice"
    finally:
        dispatcher.close()


def test_the_journal_keeps_the_dialect_a_campaign_was_created_with(tmp_path: Path) -> None:
    # Ambiguous by its shape (scenarioId and text): only a named dialect reads it, and the
    # journal must read it the same way when the campaign is opened again.
    text = ('{"messages": [{"scenarioId": "S1", "text": "Hi", '
            '"destinations": [{"to": "41793026727", "messageId": "m"}]}]}')
    path = tmp_path / "journal.sqlite"
    Dispatcher.create(path, text, now=NOW, seed=1, dialect="ivr").close()
    reopened = Dispatcher.open(path)
    try:
        assert reopened.request.dialect is Dialect.IVR
        assert [a.key for a in reopened.due(NOW)] == ["m:1"]
    finally:
        reopened.close()


def test_run_takes_dialect_only_with_a_request(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    journal = str(tmp_path / "journal.sqlite")
    assert main(["run", "--journal", journal, "--dialer", "true", "--dialect", "ivr"]) == 2
    assert "--dialect: only with REQUEST" in capsys.readouterr().err
