"""``ivrsched serve``: the sandbox answers the platform's own Python client, times every attempt
as ``simulate`` does, pushes and gives out reports once, and survives a restart.

Every server here listens on 127.0.0.1 only; every wait is bounded.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import Counter
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import pytest
from infobip_api_client import ApiClient, Configuration
from infobip_api_client.api.voice_api import VoiceApi
from infobip_api_client.exceptions import ApiException
from infobip_api_client.models.calls_bulk_status import CallsBulkStatus
from infobip_api_client.models.calls_launch_scenario_request import CallsLaunchScenarioRequest
from infobip_api_client.models.calls_update_status_request import CallsUpdateStatusRequest

from ivrsched import SeededIds, plan, simulate
from ivrsched.rules.instants import to_us
from ivrsched.sandbox import Credentials, SandboxConfig, VirtualClock
from ivrsched.simulation.outcomes import Random
from ivrsched.simulation.reports import report_result
from tests.sandbox_harness import receiver, running_sandbox

START = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)
KEY = "sandbox-key"
SEED = 5


def _request(notify_url: str | None = None, count: int = 6) -> dict[str, Any]:
    message: dict[str, Any] = {
        "scenarioId": "SCENARIO", "from": "41793026700",
        "destinations": [{"to": f"4179302{6700 + i:04d}"} for i in range(count)],
        "sendingSpeed": {"speed": 2, "timeUnit": "minute"},
        "retry": {"minPeriod": 1, "maxPeriod": 5, "maxCount": 3},
        "callbackData": "cb",
    }
    if notify_url is not None:
        message["notifyUrl"] = notify_url
    return {"bulkId": "BULK-1", "messages": [message]}


def _config(tmp_path: Path, **changes: Any) -> SandboxConfig:
    settings: dict[str, Any] = {"data_dir": tmp_path / "data",
                                "credentials": Credentials(api_key=KEY), "seed": SEED,
                                "answer_rate": Fraction(1, 3), "busy_rate": Fraction(1, 3),
                                "report_backoff_us": 10_000_000}
    settings.update(changes)
    return SandboxConfig(**settings)


def _voice_api(url: str, key: str = KEY) -> VoiceApi:
    configuration = Configuration(host=url, api_key=key)
    return VoiceApi(ApiClient(configuration))


def _headers(key: str = KEY) -> dict[str, str]:
    return {"Authorization": f"App {key}"}


def _expected(request: dict[str, Any], bulk: int = 1) -> tuple[Any, Any]:
    """The plan and the simulation of ``request`` as the sandbox's ``bulk``-th campaign: its
    IDs and outcomes are seeded with ``SEED:bulk-NNNNNN.db`` (docs/sandbox.md)."""
    seed = f"{SEED}:bulk-{bulk:06d}.db"
    the_plan = plan(request, now=START, ids=SeededIds(seed))
    return the_plan, simulate(the_plan, Random(Fraction(1, 3), Fraction(1, 3), seed=seed))


def _advance(url: str, duration: str) -> dict[str, Any]:
    answer = httpx.post(f"{url}/sandbox/clock", json={"advance": duration}, headers=_headers(),
                        timeout=120)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _calls(url: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{url}/sandbox/calls", headers=_headers(), timeout=60)
    assert answer.status_code == 200
    return list(answer.json()["calls"])


def test_the_platform_client_launches_a_campaign_and_reads_its_response(tmp_path: Path) -> None:
    clock = VirtualClock(to_us(START))
    request = _request()
    with running_sandbox(_config(tmp_path), clock) as sandbox:
        api = _voice_api(sandbox.url)
        body = CallsLaunchScenarioRequest.from_dict(request)
        assert body is not None
        response = api.send_voice_messages_with_an_ivr_scenario(body)
    the_plan, _ = _expected(request)
    assert response.bulk_id == "BULK-1"
    assert [m.message_id for m in response.messages or []] == [s.message_id for s in the_plan]
    assert {m.status.name for m in response.messages or [] if m.status} == {"PENDING_ACCEPTED"}


def test_a_virtual_campaign_places_exactly_the_attempts_simulate_computes(
        tmp_path: Path) -> None:
    clock = VirtualClock(to_us(START))
    with receiver() as inbox:
        request = _request(notify_url=inbox.url)
        with running_sandbox(_config(tmp_path), clock) as sandbox:
            answer = httpx.post(f"{sandbox.url}/voice/ivr/1/messages", json=request,
                                headers=_headers(), timeout=60)
            assert answer.status_code == 200, answer.text
            assert _calls(sandbox.url)[0]["attempt"] == 1  # the first call went at once
            _advance(sandbox.url, "PT3H")
            calls = _calls(sandbox.url)
        the_plan, simulation = _expected(request)
        expected = sorted((e.record() for e in simulation.events()),
                          key=lambda r: (r["time"], r["messageId"]))
        assert sorted(calls, key=lambda r: (r["time"], r["messageId"])) == expected
        # Every destination's report, pushed once, equal to the simulation's.
        expected_reports = sorted((report_result(the_plan, r) for r in simulation.results()),
                                  key=lambda r: str(r["messageId"]))
        assert sorted(inbox.reports(), key=lambda r: str(r["messageId"])) == expected_reports


def test_pulled_reports_are_given_out_once(tmp_path: Path) -> None:
    clock = VirtualClock(to_us(START))
    request = _request()
    with running_sandbox(_config(tmp_path), clock) as sandbox:
        api = _voice_api(sandbox.url)
        httpx.post(f"{sandbox.url}/voice/ivr/1/messages", json=request, headers=_headers(),
                   timeout=60).raise_for_status()
        _advance(sandbox.url, "PT3H")
        first = api.get_voice_delivery_reports(bulk_id="BULK-1", limit=4)
        rest = api.get_voice_delivery_reports(bulk_id="BULK-1")
        again = api.get_voice_delivery_reports(bulk_id="BULK-1")
    got = [r.message_id for r in (first.results or []) + (rest.results or [])]
    assert len(first.results or []) == 4
    assert sorted(got) == sorted(s.message_id for s in _expected(request)[0])
    assert not again.results


def test_pause_and_resume_through_the_platform_client(tmp_path: Path) -> None:
    clock = VirtualClock(to_us(START))
    request = _request(count=10)
    with running_sandbox(_config(tmp_path), clock) as sandbox:
        api = _voice_api(sandbox.url)
        httpx.post(f"{sandbox.url}/voice/ivr/1/messages", json=request, headers=_headers(),
                   timeout=60).raise_for_status()
        paused = api.manage_sent_bulks_status(
            "BULK-1", CallsUpdateStatusRequest(status=CallsBulkStatus.PAUSED))
        assert paused.status == CallsBulkStatus.PAUSED
        _advance(sandbox.url, "PT1H")
        # Only the first call went out, at submission; nothing starts while paused.
        assert [c["time"] for c in _calls(sandbox.url)] == ["2030-01-07T09:00:00.000+00:00"]
        resumed = api.manage_sent_bulks_status(
            "BULK-1", CallsUpdateStatusRequest(status=CallsBulkStatus.PROCESSING))
        assert resumed.status == CallsBulkStatus.PROCESSING
        _advance(sandbox.url, "PT1M")
        firsts = [c["time"] for c in _calls(sandbox.url) if c["attempt"] == 1]
        # Pacing runs on open time: the second first attempt is 30 s of open time after the
        # first, so 30 s after the resume at 10:00 (S13), then every 30 s.
        assert firsts[:3] == ["2030-01-07T09:00:00.000+00:00", "2030-01-07T10:00:30.000+00:00",
                              "2030-01-07T10:01:00.000+00:00"]
        with pytest.raises(ApiException) as refused:
            api.manage_sent_bulks_status(
                "BULK-1", CallsUpdateStatusRequest(status=CallsBulkStatus.PROCESSING))
        assert refused.value.status == 400


def test_a_restarted_sandbox_continues_with_no_attempt_or_report_twice(tmp_path: Path) -> None:
    request_bulk = _request(count=8)
    with receiver() as inbox:
        request_bulk["messages"][0]["notifyUrl"] = inbox.url
        config = _config(tmp_path)
        clock = VirtualClock(to_us(START))
        with running_sandbox(config, clock) as sandbox:
            httpx.post(f"{sandbox.url}/voice/ivr/1/messages", json=request_bulk,
                       headers=_headers(), timeout=60).raise_for_status()
            _advance(sandbox.url, "PT2M")
            before = len(_calls(sandbox.url))
        # A new server on the same data directory, with its clock where the last one stopped.
        with running_sandbox(config, VirtualClock(clock.now_us())) as sandbox:
            _advance(sandbox.url, "PT3H")
            calls = _calls(sandbox.url)
    assert 0 < before < len(calls)
    keys = Counter((c["messageId"], c["attempt"]) for c in calls)
    assert max(keys.values()) == 1
    _, simulation = _expected(request_bulk)
    assert sorted(calls, key=lambda r: (r["time"], r["messageId"])) == sorted(
        (e.record() for e in simulation.events()), key=lambda r: (r["time"], r["messageId"]))
    reported = Counter(r["messageId"] for r in inbox.reports())
    assert set(reported.values()) == {1} and len(reported) == 8


def test_a_failing_receiver_gets_each_report_again_until_it_accepts(tmp_path: Path) -> None:
    with receiver(fail_first=2) as inbox:
        request = _request(notify_url=inbox.url, count=1)
        with running_sandbox(_config(tmp_path), VirtualClock(to_us(START))) as sandbox:
            httpx.post(f"{sandbox.url}/voice/ivr/1/messages", json=request, headers=_headers(),
                       timeout=60).raise_for_status()
            _advance(sandbox.url, "PT3H")
    assert inbox.seen == 3  # two refusals (500), then accepted
    assert len(inbox.reports()) == 1


def test_reports_go_only_to_allowed_hosts(tmp_path: Path) -> None:
    with receiver() as inbox:
        # 127.0.0.2 is this machine too, but not an allowed report host by default.
        elsewhere = inbox.url.replace("127.0.0.1", "127.0.0.2")
        request = _request(notify_url=elsewhere, count=2)
        with running_sandbox(_config(tmp_path), VirtualClock(to_us(START))) as sandbox:
            httpx.post(f"{sandbox.url}/voice/ivr/1/messages", json=request, headers=_headers(),
                       timeout=60).raise_for_status()
            _advance(sandbox.url, "PT3H")
            pulled = httpx.get(f"{sandbox.url}/voice/1/reports", headers=_headers(),
                               timeout=60).json()
    assert inbox.seen == 0
    assert len(pulled["results"]) == 2  # still there to be pulled


def test_authentication_and_the_platforms_error_shapes(tmp_path: Path) -> None:
    config = _config(tmp_path, credentials=Credentials("user", "secret", KEY),
                     max_body_bytes=10_000)
    with running_sandbox(config, VirtualClock(to_us(START))) as sandbox:
        url = f"{sandbox.url}/voice/ivr/1/messages"
        assert httpx.post(url, json=_request(), timeout=60).status_code == 401
        assert httpx.post(url, json=_request(), headers=_headers("wrong"),
                          timeout=60).status_code == 401
        assert httpx.post(url, json=_request(), auth=("user", "secret"),
                          timeout=60).status_code == 200
        assert httpx.post(url, json=_request(), auth=("user", "nope"),
                          timeout=60).status_code == 401
        bad = httpx.post(url, content=b"{not json", headers=_headers(), timeout=60)
        assert bad.status_code == 400
        assert bad.json()["requestError"]["serviceException"]["messageId"] == "BAD_REQUEST"
        invalid = httpx.post(url, json={"messages": [{"destinations": [{"to": "41793026700"}],
                                                      "validityPeriod": "x"}]},
                             headers=_headers(), timeout=60)
        assert invalid.status_code == 400
        errors = invalid.json()["requestError"]["serviceException"]["validationErrors"]
        assert set(errors) == {"/messages/0/scenarioId", "/messages/0/validityPeriod"}
        huge = httpx.post(url, content=b" " * 20_000, headers=_headers(), timeout=60)
        assert huge.status_code == 413
        missing = httpx.get(f"{sandbox.url}/tts/3/bulks/status", params={"bulkId": "nope"},
                            headers=_headers(), timeout=60)
        assert missing.status_code == 404
        for answer in (bad, invalid, huge, missing):
            assert "Traceback" not in answer.text


def test_fifty_clients_submitting_at_once_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def submit(number: int, url: str) -> None:
        request = _request(count=2)
        request["bulkId"] = f"BULK-{number}"
        answer = httpx.post(f"{url}/voice/ivr/1/messages", json=request, headers=_headers(),
                            timeout=120)
        with lock:
            answers.append(answer)

    with running_sandbox(_config(tmp_path), VirtualClock(to_us(START))) as sandbox:
        threads = [threading.Thread(target=submit, args=(n, sandbox.url)) for n in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        calls = _calls(sandbox.url)
    assert [a.status_code for a in answers] == [200] * 50
    bulks = {a.json()["bulkId"] for a in answers}
    assert bulks == {f"BULK-{n}" for n in range(50)}
    message_ids = [m["messageId"] for a in answers for m in a.json()["messages"]]
    assert len(set(message_ids)) == 100
    # Each campaign's first destination was called at submission, exactly once.
    firsts = Counter(c["messageId"] for c in calls)
    assert len(firsts) == 50 and set(firsts.values()) == {1}


def test_the_clock_moves_only_forward_and_only_when_virtual(tmp_path: Path) -> None:
    with running_sandbox(_config(tmp_path), VirtualClock(to_us(START))) as sandbox:
        now = httpx.get(f"{sandbox.url}/sandbox/clock", headers=_headers(), timeout=60).json()
        assert now == {"now": "2030-01-07T09:00:00.000+00:00", "clock": "virtual"}
        back = httpx.post(f"{sandbox.url}/sandbox/clock", json={"to": "2030-01-07T08:00:00Z"},
                          headers=_headers(), timeout=60)
        assert back.status_code == 400
        moved = _advance(sandbox.url, "PT1H30M")
        assert moved["now"] == "2030-01-07T10:30:00.000+00:00"
        months = httpx.post(f"{sandbox.url}/sandbox/clock", json={"advance": "P1M"},
                            headers=_headers(), timeout=60)
        assert months.status_code == 400
        assert json.loads(months.text)["requestError"]["serviceException"]["text"]


def test_the_walkthrough_runs_the_served_command_and_prints_what_simulate_computes() -> None:
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, str(root / "examples" / "sandbox_walkthrough.py")],
                          capture_output=True, text=True, timeout=300, cwd=root)
    assert done.returncode == 0, done.stderr
    request = json.loads((root / "examples" / "sandbox-request.json").read_text("utf-8"))
    seed = "1:bulk-000001.db"  # --seed 1, the sandbox's first request
    the_plan = plan(request, now=datetime(2030, 1, 7, 9, tzinfo=timezone.utc),
                    ids=SeededIds(seed))
    simulation = simulate(the_plan, Random(Fraction(1, 2), Fraction(1, 10), seed=seed))
    calls = [f"{e.record()['time']}  {e.to}  attempt {e.attempt}  {e.outcome.kind.value}"
             for e in sorted(simulation.events(), key=lambda e: (e.start_us, e.message_id))]
    reports = sorted(f"report {r.to}: {r.status.name}" for r in simulation.results())
    lines = done.stdout.splitlines()
    assert lines[0] == "accepted bulk SANDBOX-1: 4 calls"
    assert lines[1:1 + len(calls)] == calls
    assert sorted(lines[1 + len(calls):]) == reports


def test_serve_refuses_a_host_that_is_not_an_address(capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path) -> None:
    from ivrsched.cli.main import main

    assert main(["serve", "--data", str(tmp_path), "--host", "example.invalid"]) == 2
    assert "not an IP address" in capsys.readouterr().err


def test_an_advanced_tts_message_through_the_platform_client(tmp_path: Path) -> None:
    from infobip_api_client.models.calls_advanced_body import CallsAdvancedBody

    request = {"bulkId": "TTS-1", "messages": [{
        "from": "41793026700", "text": "Your appointment is tomorrow.", "language": "en",
        "destinations": [{"to": "41793026727"}, {"to": "41793026731"}],
        "sendingSpeed": {"speed": 1, "timeUnit": "minute"},
        "retry": {"minPeriod": 1, "maxPeriod": 2, "maxCount": 1}}]}
    with running_sandbox(_config(tmp_path), VirtualClock(to_us(START))) as sandbox:
        body = CallsAdvancedBody.from_dict(request)
        assert body is not None
        response = _voice_api(sandbox.url).send_advanced_voice_tts(body)
        _advance(sandbox.url, "PT1H")
        calls = _calls(sandbox.url)
    seed = f"{SEED}:bulk-000001.db"
    the_plan = plan(request, now=START, ids=SeededIds(seed))
    assert response.bulk_id == "TTS-1"
    assert [m.message_id for m in response.messages or []] == [s.message_id for s in the_plan]
    simulation = simulate(the_plan, Random(Fraction(1, 3), Fraction(1, 3), seed=seed))
    assert sorted(calls, key=lambda r: (r["time"], r["messageId"])) == sorted(
        (e.record() for e in simulation.events()), key=lambda r: (r["time"], r["messageId"]))


def test_a_calls_bulk_is_created_paused_and_resumed_through_the_calls_api(
        tmp_path: Path) -> None:
    from infobip_api_client.api.calls_api import CallsApi
    from infobip_api_client.models.call_bulk_request import CallBulkRequest
    from infobip_api_client.models.calls_status import CallsStatus

    request = {"bulkId": "CALLS-1", "callsConfigurationId": "config", "items": [{
        "from": "41793026700",
        "callRequests": [
            {"externalId": "alice", "endpoint": {"type": "PHONE", "phoneNumber": "41793026727"}},
            {"externalId": "bob", "endpoint": {"type": "PHONE", "phoneNumber": "41793026731"}},
            {"externalId": "carol", "endpoint": {"type": "PHONE",
                                                 "phoneNumber": "41793026745"}}],
        "callRate": {"maxCalls": 1, "timeUnit": "MINUTES"},
        "retryOptions": {"minWaitPeriod": 1, "maxWaitPeriod": 2, "maxAttempts": 1}}]}
    with running_sandbox(_config(tmp_path), VirtualClock(to_us(START))) as sandbox:
        api = CallsApi(ApiClient(Configuration(host=sandbox.url, api_key=KEY)))
        body = CallBulkRequest.from_dict(request)
        assert body is not None
        created = api.create_bulk(body)
        assert created.bulk_id == "CALLS-1"
        assert [c.external_id for c in created.calls or []] == ["alice", "bob", "carol"]
        paused = api.pause_bulk("CALLS-1")
        assert paused.status == CallsStatus.PAUSED
        _advance(sandbox.url, "PT10M")
        during = _calls(sandbox.url)
        resumed = api.resume_bulk("CALLS-1")
        assert resumed.status == CallsStatus.PROCESSING
        _advance(sandbox.url, "PT1H")
        after = _calls(sandbox.url)
        status = api.get_bulk_status("CALLS-1")
    # Only alice's first call went out before the pause; the attempt keys use externalId.
    assert [(c["messageId"], c["attempt"]) for c in during] == [("alice", 1)]
    firsts = [(c["messageId"], c["time"]) for c in after if c["attempt"] == 1]
    # One call a minute on open time: bob one open minute after alice, at 09:11 (resumed at
    # 09:10), carol a minute later.
    assert firsts == [("alice", "2030-01-07T09:00:00.000+00:00"),
                      ("bob", "2030-01-07T09:11:00.000+00:00"),
                      ("carol", "2030-01-07T09:12:00.000+00:00")]
    assert status.status == CallsStatus.FINISHED


def test_xml_reports_are_pushed_as_xml(tmp_path: Path) -> None:
    from ivrsched.simulation.reports import parse_xml_report

    with receiver() as inbox:
        request = _request(notify_url=inbox.url, count=2)
        request["messages"][0]["notifyContentType"] = "application/xml"
        with running_sandbox(_config(tmp_path), VirtualClock(to_us(START))) as sandbox:
            httpx.post(f"{sandbox.url}/voice/ivr/1/messages", json=request, headers=_headers(),
                       timeout=60).raise_for_status()
            _advance(sandbox.url, "PT3H")
    assert {kind for kind, _ in inbox.bodies} == {"application/xml"}
    the_plan, simulation = _expected(request)
    received = sorted((entry for _, body in inbox.bodies
                       for entry in parse_xml_report(body)["results"]),  # type: ignore[attr-defined]
                      key=lambda r: str(r["messageId"]))
    expected = sorted((report_result(the_plan, r) for r in simulation.results()),
                      key=lambda r: str(r["messageId"]))
    assert received == expected


def test_with_the_real_clock_the_first_call_goes_at_once(tmp_path: Path) -> None:
    from ivrsched.sandbox import RealClock

    request = _request(count=1)
    config = _config(tmp_path)
    with running_sandbox(config, RealClock()) as sandbox:  # type: ignore[arg-type]
        httpx.post(f"{sandbox.url}/voice/ivr/1/messages", json=request, headers=_headers(),
                   timeout=60).raise_for_status()
        calls = _calls(sandbox.url)
        clock = httpx.get(f"{sandbox.url}/sandbox/clock", headers=_headers(), timeout=60).json()
        refused = httpx.post(f"{sandbox.url}/sandbox/clock", json={"advance": "PT1H"},
                             headers=_headers(), timeout=60)
    assert [c["attempt"] for c in calls] == [1]
    assert clock["clock"] == "real"
    assert refused.status_code == 400


def test_scripted_outcomes_per_number_decide_the_calls(tmp_path: Path) -> None:
    # The first number is busy twice and answers on its third attempt; the second is never
    # scripted and falls back to the seeded model.
    script = tmp_path / "outcomes.jsonl"
    script.write_text(
        '{"to": "41793026700", "attempt": 1, "outcome": "busy", "duration": 5}\n'
        '{"to": "41793026700", "attempt": 2, "outcome": "busy", "duration": 5}\n'
        '{"to": "41793026700", "attempt": 3, "outcome": "answered", "duration": 60}\n',
        encoding="utf-8")
    request = _request(count=2)
    with running_sandbox(_config(tmp_path, scripted_outcomes=script),
                         VirtualClock(to_us(START))) as sandbox:
        httpx.post(f"{sandbox.url}/voice/ivr/1/messages", json=request, headers=_headers(),
                   timeout=60).raise_for_status()
        _advance(sandbox.url, "PT3H")
        calls = _calls(sandbox.url)
    first = [(c["attempt"], c["time"], c["outcome"]) for c in calls
             if c["to"] == "41793026700"]
    # Busy 5 s at 09:00, retry 1 min later (09:01:05), busy 5 s, retry 2 min later (09:03:10).
    assert first == [(1, "2030-01-07T09:00:00.000+00:00", "busy"),
                     (2, "2030-01-07T09:01:05.000+00:00", "busy"),
                     (3, "2030-01-07T09:03:10.000+00:00", "answered")]
    from ivrsched.io.outcome_files import load_outcomes

    seed = f"{SEED}:bulk-000001.db"
    the_plan = plan(request, now=START, ids=SeededIds(seed))
    outcomes = load_outcomes(str(script)).with_fallback(
        Random(Fraction(1, 3), Fraction(1, 3), seed=seed))
    expected = sorted((e.record() for e in simulate(the_plan, outcomes).events()),
                      key=lambda r: (r["time"], r["messageId"]))
    assert sorted(calls, key=lambda r: (r["time"], r["messageId"])) == expected
