"""``ivrsched run`` and the lifecycle commands end to end, as separate processes.

The dialers are small scripts written here and run with this interpreter. Waits are bounded
polls with generous limits; no assertion depends on how fast the machine is.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from ivrsched.cli.main import main
from ivrsched.dispatch import Dispatcher
from ivrsched.rules.instants import parse_instant

ROOT = Path(__file__).resolve().parent.parent
#: The most any wait of these tests lasts; reached only when something is broken.
PATIENCE = 60.0

#: A dialer that acts by the number it calls: ...00 answers, ...01 hangs, ...02 exits 3,
#: ...03 prints garbage; every call is noted (key, inDoubt) in CALLS.
DIALER = """
import json, os, sys, time
attempt = json.load(sys.stdin)
fd = os.open(os.environ["CALLS"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
os.write(fd, (json.dumps({"key": attempt["key"], "inDoubt": attempt["inDoubt"],
                          "pid": os.getpid()}) + "\\n").encode())
os.close(fd)
behaviour = os.environ.get("BEHAVE", "by-number")
last = attempt["to"][-2:]
if behaviour == "gate":
    # The first call lasts until the test opens the gate (a file), bounded.
    for _ in range(1200):
        if attempt["key"] != "d0:1" or os.path.exists(os.environ["GATE"]):
            break
        time.sleep(0.05)
    last = "00"
if behaviour == "sleep":
    time.sleep(float(os.environ.get("SLEEP", "0")))
    last = "00"
if last == "00":
    print(json.dumps({"outcome": "answered", "duration": 2.5, "answerAfter": 1}))
elif last == "01":
    time.sleep(600)
elif last == "02":
    print("line busy?", file=sys.stderr)
    sys.exit(3)
else:
    print("<html>oops</html>")
"""


def request(tmp_path: Path, n: int, **fields: Any) -> Path:
    destinations = [{"to": f"417930267{i:02d}", "messageId": f"d{i}"} for i in range(n)]
    path = tmp_path / "request.json"
    message = {"scenarioId": "S", "destinations": destinations, **fields}
    path.write_text(json.dumps({"bulkId": "B", "messages": [message]}), encoding="utf-8")
    return path


def dialer(tmp_path: Path) -> str:
    path = tmp_path / "dialer.py"
    path.write_text(DIALER, encoding="utf-8")
    return f"{sys.executable} {path}"


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "CALLS": str(tmp_path / "calls.jsonl"), **extra}


def calls(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "calls.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def ivrsched(*argv: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ivrsched", *argv], capture_output=True,
                          text=True, cwd=ROOT, timeout=PATIENCE, check=False, **kwargs)


def start(*argv: str, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "ivrsched", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, **kwargs)


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def just_now() -> str:
    """A submission instant slightly in the past, so that the first attempts are due at once."""
    return (datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat()


def status(journal: Path) -> dict[str, Any]:
    result = ivrsched("status", "--journal", str(journal), "--format", "json")
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def log_rows(journal: Path) -> list[dict[str, Any]]:
    result = ivrsched("log", "--journal", str(journal))
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def verify(request_path: Path, journal: Path, now: str) -> subprocess.CompletedProcess[str]:
    log = journal.with_suffix(".jsonl")
    log.write_text("".join(json.dumps(r) + "\n" for r in log_rows(journal)), encoding="utf-8")
    return ivrsched("verify", str(request_path), str(log), "--now", now)


def test_a_dialer_that_hangs_fails_or_prints_garbage_is_a_failed_attempt(
        tmp_path: Path) -> None:
    req, journal, now = request(tmp_path, 4), tmp_path / "c.db", just_now()
    result = ivrsched("run", str(req), "--journal", str(journal), "--dialer", dialer(tmp_path),
                      "--dialer-timeout", "0.5", "--now", now, "--seed", "1",
                      env=env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted((r["messageId"], r["outcome"]) for r in rows) == [
        ("d0", "answered"), ("d1", "failed"), ("d2", "failed"), ("d3", "failed")]
    answered = next(r for r in rows if r["messageId"] == "d0")
    # The duration the dialer gave is measured from the attempt's time, exactly.
    start_us, _ = parse_instant(answered["time"])
    end_us, _ = parse_instant(answered["end"])
    assert end_us - start_us == 2_500_000
    assert "d1:1: the dialer gave no outcome within 0.5 s" in result.stderr
    assert "d2:1: the dialer exited with status 3" in result.stderr
    assert "d3:1: the dialer's output is not an outcome: not JSON" in result.stderr
    assert "line busy?" in result.stderr  # the dialer's own stderr reaches the user
    assert "finished: 4 destinations (1 DELIVERED_TO_HANDSET, 3 UNDELIVERABLE_NOT_DELIVERED)" \
        in result.stderr
    assert sorted(c["key"] for c in calls(tmp_path)) == ["d0:1", "d1:1", "d2:1", "d3:1"]
    document = status(journal)
    assert document["state"] == "FINISHED" and document["finished"] is True
    assert document["statuses"] == {"DELIVERED_TO_HANDSET": 1, "UNDELIVERABLE_NOT_DELIVERED": 3}
    assert document["withoutOutcome"] == [] and document["nextWakeup"] is None
    # stdout has the rows in the order the outcomes came, the journal's log in handout order.
    assert log_rows(journal) == sorted(rows, key=lambda r: r["index"])
    checked = verify(req, journal, now)
    assert checked.returncode == 0, checked.stdout


def test_the_cap_holds_the_calls_in_progress(tmp_path: Path) -> None:
    req, journal = request(tmp_path, 6), tmp_path / "c.db"
    # Each call notes when it starts and ends; with at most two at once, no third overlaps.
    timed = tmp_path / "timed.py"
    timed.write_text("""
import json, os, sys, time
attempt = json.load(sys.stdin)
path = os.environ["CALLS"]
def note(what):
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, (json.dumps({"key": attempt["key"], "what": what}) + "\\n").encode())
    os.close(fd)
note("start")
time.sleep(0.3)
note("end")
print(json.dumps({"outcome": "answered", "duration": 0.3}))
""", encoding="utf-8")
    result = ivrsched("run", str(req), "--journal", str(journal), "--max-in-progress", "2",
                      "--dialer", f"{sys.executable} {timed}", "--now", just_now(),
                      env=env(tmp_path))
    assert result.returncode == 0, result.stderr
    running, peak = 0, 0
    for entry in calls(tmp_path):
        running += 1 if entry["what"] == "start" else -1
        peak = max(peak, running)
    assert peak <= 2
    assert status(journal)["statuses"] == {"DELIVERED_TO_HANDSET": 6}


def test_in_doubt_attempts_are_asked_again_under_their_keys(tmp_path: Path) -> None:
    req, journal = request(tmp_path, 3), tmp_path / "c.db"
    now = datetime.now(timezone.utc) - timedelta(seconds=1)
    with Dispatcher.create(journal, req.read_text(), now=now, seed=3) as d:
        handed = [a.key for a in d.due(now)]
        d.record("d0:1", "busy", now + timedelta(seconds=1))
    # A crash here: d1:1 and d2:1 were handed out, their outcomes never recorded.
    assert handed == ["d0:1", "d1:1", "d2:1"]
    assert [a["key"] for a in status(journal)["withoutOutcome"]] == ["d1:1", "d2:1"]
    result = ivrsched("run", "--journal", str(journal), "--dialer", dialer(tmp_path),
                      env=env(tmp_path, BEHAVE="sleep"))
    assert result.returncode == 0, result.stderr
    assert "in doubt: d1:1 (to 41793026701" in result.stderr
    assert "in doubt: d2:1 (to 41793026702" in result.stderr
    assert sorted((c["key"], c["inDoubt"]) for c in calls(tmp_path)) == [
        ("d1:1", True), ("d2:1", True)]
    keys = [r["messageId"] + ":" + str(r["attempt"]) for r in log_rows(journal)]
    assert keys == ["d0:1", "d1:1", "d2:1"]


@pytest.mark.parametrize(("signal_number", "code", "said"), [
    (signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")])
def test_ctrl_c_stops_cleanly_and_run_continues(tmp_path: Path, signal_number: int, code: int,
                                                said: str) -> None:
    req, journal = request(tmp_path, 1), tmp_path / "c.db"
    # In a session of its own, so that the signal goes to its whole process group, as a
    # Ctrl-C at a terminal does.
    process = start("run", str(req), "--journal", str(journal), "--dialer", dialer(tmp_path),
                    "--now", just_now(), env=env(tmp_path, BEHAVE="sleep", SLEEP="600"),
                    start_new_session=True)
    try:
        wait_for(lambda: len(calls(tmp_path)) == 1, "the call to start")
        os.killpg(process.pid, signal_number)
        _, err = process.communicate(timeout=PATIENCE)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == code, err
    assert f"{said}; continue with 'ivrsched run --journal" in err
    assert "Traceback" not in err
    # The call in flight was stopped with the run.
    pid = calls(tmp_path)[0]["pid"]
    wait_for(lambda: not _alive(pid), "the dialer to be stopped")
    assert [a["key"] for a in status(journal)["withoutOutcome"]] == ["d0:1"]
    result = ivrsched("run", "--journal", str(journal), "--dialer", dialer(tmp_path),
                      env=env(tmp_path, BEHAVE="sleep"))
    assert result.returncode == 0, result.stderr
    assert [(c["key"], c["inDoubt"]) for c in calls(tmp_path)] == [
        ("d0:1", False), ("d0:1", True)]
    assert status(journal)["statuses"] == {"DELIVERED_TO_HANDSET": 1}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie child of the (finished) run has been reaped by init; one that is still listed
    # must not be running.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(")")[-1].split()[0] != "Z"


def _instant(text: str) -> int:
    us, _ = parse_instant(text)
    return us


def _counts(journal: Path) -> dict[str, int]:
    with Dispatcher.open(journal) as d:
        return d.counts()


def _gated_run(tmp_path: Path, n: int) -> tuple[Path, subprocess.Popen[str]]:
    """A paced run of n calls, one at a time, whose first call lasts until the gate opens:
    until then nothing else is handed out, whatever the machine's speed."""
    req = request(tmp_path, n, sendingSpeed={"speed": 4, "timeUnit": "second"})
    journal = tmp_path / "c.db"
    process = start("run", str(req), "--journal", str(journal), "--dialer", dialer(tmp_path),
                    "--max-in-progress", "1", "--now", just_now(),
                    env=env(tmp_path, BEHAVE="gate", GATE=str(tmp_path / "gate")))
    wait_for(lambda: len(calls(tmp_path)) >= 1, "the first call")
    return journal, process


def test_pause_and_resume_from_another_process_while_run_runs(tmp_path: Path) -> None:
    journal, process = _gated_run(tmp_path, 6)
    try:
        paused = ivrsched("pause", "--journal", str(journal))
        assert paused.returncode == 0, paused.stderr
        pause_us = _instant(paused.stdout.split()[2])
        (tmp_path / "gate").touch()
        wait_for(lambda: _counts(journal)["attempts"] == 1
                 and _counts(journal)["inProgress"] == 0, "the first call's outcome")
        document = status(journal)
        assert document["state"] == "PAUSED" and document["withoutOutcome"] == []
        assert process.poll() is None
        resumed = ivrsched("resume", "--journal", str(journal))
        assert resumed.returncode == 0, resumed.stderr
        resume_us = _instant(resumed.stdout.split()[2])
        _, err = process.communicate(timeout=PATIENCE)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0, err
    times = [_instant(r["time"]) for r in log_rows(journal)]
    # The first before the pause; the five others after the resume, none in between.
    assert len(times) == 6 and times[0] < pause_us
    assert all(t >= resume_us for t in times[1:])
    assert status(journal)["statuses"] == {"DELIVERED_TO_HANDSET": 6}


def test_cancel_from_another_process_ends_the_run(tmp_path: Path) -> None:
    journal, process = _gated_run(tmp_path, 6)
    try:
        cancelled = ivrsched("cancel", "--journal", str(journal))
        assert cancelled.returncode == 0, cancelled.stderr
        (tmp_path / "gate").touch()
        _, err = process.communicate(timeout=PATIENCE)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0, err
    document = status(journal)
    assert document["state"] == "CANCELED"
    # The call in progress ran to its end; the five others never started (S13).
    assert document["statuses"] == {"DELIVERED_TO_HANDSET": 1, "UNDELIVERABLE_NOT_DELIVERED": 5}
    assert [r["messageId"] for r in log_rows(journal)] == ["d0"]


def test_lifecycle_commands_refuse_what_s13_does_not_allow(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    req, journal = request(tmp_path, 2, sendAt="2030-01-07T10:00:00Z"), tmp_path / "c.db"
    submitted = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)
    Dispatcher.create(journal, req.read_text(), now=submitted, seed=1).close()
    at = ["--journal", str(journal), "--at", "2030-01-07T09:10:00Z"]
    assert main(["resume", *at]) == 6
    assert "resume refused:" in capsys.readouterr().err
    assert main(["reschedule", *at, "--send-at", "2030-01-07T12:00:00+02:00"]) == 0
    assert capsys.readouterr().out == ("rescheduled at 2030-01-07T09:10:00.000+00:00 to start "
                                       "at 2030-01-07T12:00:00.000+02:00\n")
    assert main(["status", "--journal", str(journal), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["state"] == "PENDING"
    assert document["submitted"] == "2030-01-07T09:00:00.000+00:00"
    assert _instant(document["nextWakeup"]) == _instant("2030-01-07T10:00:00Z")
    assert main(["pause", *at]) == 0
    assert main(["status", "--journal", str(journal)]) == 0
    text = capsys.readouterr().out
    # Paused, nothing is due; the next wake-up is the deadline, 48 h after the start (S4),
    # where the destinations expire unless resumed before.
    assert "state: PAUSED" in text
    assert "next wake-up: 2030-01-09T10:00:00.000+00:00" in text
    assert main(["cancel", *at]) == 0
    assert main(["pause", *at]) == 6
    err = capsys.readouterr().err
    assert err.startswith("ivrsched: pause refused:")
    # An instant before the journal's clock is refused too.
    assert main(["pause", "--journal", str(journal), "--at", "2030-01-07T08:00:00Z"]) == 6


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["status", "--journal", "{tmp}/missing.db"], 4, "no such journal"),
    (["log", "--journal", "{tmp}/request.json"], 4, "not an SQLite journal"),
    (["pause", "--journal", "{tmp}/c.db", "--at", "tomorrow"], 2, "--at:"),
    (["run", "--journal", "{tmp}/c.db", "--dialer", "x", "--seed", "1"], 2, "only with REQUEST"),
    (["run", "{tmp}/request.json", "--journal", "{tmp}/c.db", "--dialer", "x"], 2,
     "already exists"),
    (["run", "--journal", "{tmp}/c.db", "--dialer", "'unclosed"], 2, "--dialer:"),
    (["run", "--journal", "{tmp}/c.db", "--dialer", " "], 2, "the command is empty"),
])
def test_errors_are_one_line_and_an_exit_code(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int,
        message: str) -> None:
    req = request(tmp_path, 1)
    Dispatcher.create(tmp_path / "c.db", req.read_text(), now=datetime.now(timezone.utc),
                      seed=1).close()
    assert main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_an_invalid_request_is_refused_before_a_journal_is_made(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"messages": [{"destinations": [{"to": "41793026700"}]}]}))
    assert main(["run", str(bad), "--journal", str(tmp_path / "c.db"), "--dialer", "x"]) == 3
    assert "/messages/0/scenarioId" in capsys.readouterr().err
    assert not (tmp_path / "c.db").exists()


def test_a_reschedule_from_another_process_is_seen_while_run_waits(tmp_path: Path) -> None:
    # The campaign would start in an hour; run would sleep until then. Rescheduled to now from
    # another process, it starts at once: the test's bounded wait only passes if run saw it.
    start_at = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
    req, journal = request(tmp_path, 2, sendAt=start_at), tmp_path / "c.db"
    process = start("run", str(req), "--journal", str(journal), "--dialer", dialer(tmp_path),
                    "--now", just_now(), env=env(tmp_path, BEHAVE="sleep"))
    try:
        wait_for(lambda: journal.exists() and ivrsched(
            "status", "--journal", str(journal)).returncode == 0, "the journal")
        assert status(journal)["state"] == "PENDING"
        moved = ivrsched("reschedule", "--journal", str(journal), "--send-at", just_now())
        assert moved.returncode == 0, moved.stderr
        at_us = _instant(moved.stdout.split()[2])
        _, err = process.communicate(timeout=PATIENCE)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0, err
    times = [_instant(r["time"]) for r in log_rows(journal)]
    # The new start is max(sendAt, the operation's instant) = the operation's instant (S13).
    assert len(times) == 2 and all(t >= at_us for t in times)
    assert status(journal)["statuses"] == {"DELIVERED_TO_HANDSET": 2}


def test_status_prints_counts_by_status_the_attempts_in_doubt_and_the_next_wakeup(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    req = request(tmp_path, 3, retry={"minPeriod": 1, "maxPeriod": 1, "maxCount": 1})
    journal = tmp_path / "c.db"
    t0 = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)
    with Dispatcher.create(journal, req.read_text(), now=t0, seed=1) as d:
        assert [a.key for a in d.due(t0)] == ["d0:1", "d1:1", "d2:1"]
        d.record("d0:1", "answered", t0 + timedelta(seconds=30))
        d.record("d1:1", "busy", t0 + timedelta(seconds=10))
    # A stop here: d2:1 is in doubt; d1's retry is due at 09:00:10 + 1 min (S5).
    assert main(["status", "--journal", str(journal)]) == 0
    assert capsys.readouterr().out == (
        "state: PROCESSING\n"
        "submitted: 2030-01-07T09:00:00.000+00:00\n"
        "clock: 2030-01-07T09:00:00.000+00:00 (the latest instant the campaign was driven at)\n"
        "attempts: 3 handed out, 1 without an outcome, 1 retries waiting\n"
        "final: 1 DELIVERED_TO_HANDSET\n"
        "without an outcome: d2:1 (to 41793026702, attempt 1, handed out at "
        "2030-01-07T09:00:00.000+00:00)\n"
        "next wake-up: 2030-01-07T09:01:10.000+00:00\n")
    assert main(["status", "--journal", str(journal), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["statuses"] == {"DELIVERED_TO_HANDSET": 1}
    assert [a["key"] for a in document["withoutOutcome"]] == ["d2:1"]
    assert document["withoutOutcome"][0]["time"] == "2030-01-07T09:00:00.000+00:00"
    assert document["nextWakeup"] == "2030-01-07T09:01:10.000+00:00"


def test_an_operation_without_at_is_now_even_when_a_run_just_moved_the_clock(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
        ) -> None:
    # A run moved the journal's clock to 12:00:01 just after `pause` read the clock (12:00:00):
    # the pause is "now", so it reads the clock again (12:00:02) instead of being refused.
    request = {"messages": [{"scenarioId": "S", "destinations": [{"to": "41793026700"}],
                             "sendAt": "2030-01-01T13:00:00Z"}]}
    journal = tmp_path / "c.db"
    start = datetime(2030, 1, 1, 12, tzinfo=timezone.utc)
    with Dispatcher.create(journal, request, now=start) as d:
        assert d.due(start + timedelta(seconds=1)) == []
    readings = iter([start, start + timedelta(seconds=2)])
    monkeypatch.setattr("ivrsched.cli.journal_arg.system_clock", lambda: next(readings))
    assert main(["pause", "--journal", str(journal)]) == 0
    assert capsys.readouterr().out == "paused at 2030-01-01T12:00:02.000+00:00\n"
    # With --at the instant is the user's: refused, not moved.
    assert main(["resume", "--journal", str(journal), "--at", "2030-01-01T12:00:01Z"]) == 6


ALL_DAY = {"callingHours": {"zone": "recipient", "from": {"hour": 0, "minute": 0},
                            "to": {"hour": 24, "minute": 0}}}


def test_run_obeys_a_calling_policy_kept_in_the_journal(tmp_path: Path) -> None:
    # Every local hour is open, but a number needs a known zone: the New York number is
    # called (it answers: ...00), the one phonenumbers has no zone for is never called and
    # ends EXPIRED (no-zone).
    req = tmp_path / "request.json"
    req.write_text(json.dumps({"messages": [{"scenarioId": "S", "destinations": [
        {"to": "12125550100", "messageId": "ny"}, {"to": "4179302", "messageId": "nz"}]}]}))
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(ALL_DAY))
    journal, now = tmp_path / "c.db", just_now()
    result = ivrsched("run", str(req), "--journal", str(journal), "--dialer", dialer(tmp_path),
                      "--now", now, "--seed", "1", "--policy", str(policy), env=env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert [c["key"] for c in calls(tmp_path)] == ["ny:1"]
    document = status(journal)
    assert document["finished"] is True
    assert document["statuses"] == {"DELIVERED_TO_HANDSET": 1, "EXPIRED_EXPIRED": 1}
    log = journal.with_suffix(".jsonl")
    log.write_text("".join(json.dumps(r) + "\n" for r in log_rows(journal)), encoding="utf-8")
    checked = ivrsched("verify", str(req), str(log), "--now", now, "--policy", str(policy))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_run_refuses_a_bad_policy_before_a_journal_is_made_and_on_continuing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    req = request(tmp_path, 1)
    bad = tmp_path / "policy.json"
    bad.write_text(json.dumps({"callingHours": {"zone": "Mars/Olympus"},
                               "frequencyCap": {"maxAttempts": 0}}))
    journal = tmp_path / "c.db"
    assert main(["run", str(req), "--journal", str(journal), "--dialer", "x",
                 "--policy", str(bad)]) == 3
    err = capsys.readouterr().err
    assert "/callingHours/zone" in err and "/frequencyCap/maxAttempts" in err
    assert "Traceback" not in err and not journal.exists()
    Dispatcher.create(journal, req.read_text(), now=datetime.now(timezone.utc), seed=1).close()
    assert main(["run", "--journal", str(journal), "--dialer", "x", "--policy",
                 str(bad)]) == 2
    assert "--policy: only with REQUEST" in capsys.readouterr().err
