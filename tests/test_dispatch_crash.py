"""Exactly once across crashes: a dispatching process is killed with SIGKILL at random points,
many times, and reopened each time (SPEC S14).

The process (tests/crash_driver.py) runs the real runner and dispatcher in virtual time and
notes every call it makes. After the kills and a last run to the end, the notes and the
journal must show: no key handed out twice; every key in doubt after a crash asked again under
that same key and never one whose outcome had been committed; every attempt of the journal's
log asked of the dialer, and nothing else; the log of the campaign exactly the simulation's
with the same outcomes; and ``ivrsched verify`` accepting it.
"""

from __future__ import annotations

import json
import random
import selectors
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from ivrsched import plan, simulate
from ivrsched.dispatch import Dispatcher
from ivrsched.ids import SeededIds
from ivrsched.policy import parse_policy
from ivrsched.testing import DEFAULT_NOW
from tests.crash_driver import Outcomes

ROOT = Path(__file__).resolve().parent.parent
KILLS = 20
PATIENCE = 120.0

REQUEST = {"bulkId": "CRASH", "messages": [
    {"scenarioId": "S", "sendingSpeed": {"speed": 4, "timeUnit": "minute"},
     "retry": {"minPeriod": 1, "maxPeriod": 5, "maxCount": 2},
     "destinations": [{"to": f"4179302670{i:02d}", "messageId": f"a{i}"} for i in range(12)]},
    {"scenarioId": "S", "validityPeriod": 6,
     "retry": {"minPeriod": 2, "maxPeriod": 2, "maxCount": 3},
     "destinations": [{"to": f"4179302680{i:02d}", "messageId": f"b{i}"} for i in range(6)]},
]}


def driver(journal: Path, calls: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "tests.crash_driver", str(journal),
                             str(calls)], cwd=ROOT, stdout=subprocess.PIPE)


def read_steps(process: subprocess.Popen[bytes], count: int) -> bool:
    """Wait for ``count`` progress lines; False when the process ended first."""
    assert process.stdout is not None
    deadline = time.monotonic() + PATIENCE
    seen = 0
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while seen < count:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                raise AssertionError("the dispatching process made no progress")
            line = process.stdout.readline()
            if not line:
                return False
            seen += 1
    return True


def notes(calls: Path) -> list[list[str]]:
    return [line.split() for line in calls.read_text().splitlines()]


#: A calling policy that moves attempts (2030-01-01 00:00 UTC is 01:00 in Zurich, the fallback
#: zone of the request's numbers, which have no zone of their own) and whose cap binds a
#: destination's third attempt: under it the journal is replayed on every restart.
POLICY = {"callingHours": {"zone": "recipient", "fallbackZone": "Europe/Zurich", "periods": [
              {"from": {"hour": 1, "minute": 3}, "to": {"hour": 1, "minute": 9}},
              {"from": {"hour": 1, "minute": 15}, "to": {"hour": 3, "minute": 0}}]},
          "frequencyCap": {"maxAttempts": 2, "periodMinutes": 10}}


@pytest.mark.parametrize("policy", [None, POLICY], ids=["no-policy", "policy"])
def test_kill_nine_at_random_points_loses_nothing_and_calls_nobody_twice(
        tmp_path: Path, policy: dict[str, Any] | None) -> None:
    journal, calls = tmp_path / "campaign.db", tmp_path / "calls.txt"
    Dispatcher.create(journal, REQUEST, now=DEFAULT_NOW, seed=7, policy=policy).close()
    rng = random.Random(13)
    kills = 0
    for _ in range(KILLS):
        process = driver(journal, calls)
        try:
            alive = read_steps(process, rng.randint(1, 5))
            if alive:
                # Let it run on a little, so that the kill also lands inside a transaction.
                time.sleep(rng.choice((0, 0, 0.001, 0.005, 0.02)))
                process.send_signal(signal.SIGKILL)
                kills += 1
        finally:
            process.kill()
            process.wait(timeout=PATIENCE)
        if not alive:
            break
    assert kills >= 10  # the campaign is long enough for many kills
    last = driver(journal, calls)
    last.communicate(timeout=PATIENCE)
    assert last.returncode == 0
    lines = notes(calls)
    assert lines[-1] == ["finished"]

    placed = Counter(words[1] for words in lines if words[0] == "place")
    # Exactly once: no key was handed out twice, across every crash.
    assert max(placed.values()) == 1
    recorded_before: set[str] = set()
    asked_before: set[str] = set()
    doubt: set[str] = set()
    restarts_with_doubt = 0
    for words in lines:
        kind, keys = words[0], words[1:]
        if kind == "open":
            doubt = set(keys)
            restarts_with_doubt += bool(doubt)
            # An outcome once committed is never in doubt again...
            assert not doubt & recorded_before
            # ...and of the keys asked but not noted as recorded, only the one whose outcome
            # was being committed when the kill came can be missing from the doubt.
            assert len(asked_before - recorded_before - doubt) <= 1
            recorded_before |= asked_before - doubt  # committed, but the note was cut off
        elif kind == "reask":
            assert keys[0] in doubt  # asked again under its own key
            asked_before.add(keys[0])
        elif kind == "place":
            assert keys[0] not in asked_before
            asked_before.add(keys[0])
        elif kind == "recorded":
            recorded_before.add(keys[0])
    assert restarts_with_doubt >= 1  # some kills left attempts in doubt

    with Dispatcher.open(journal) as d:
        assert d.finished and d.in_doubt() == []
        log = list(d.log())
    keys = [f"{row['messageId']}:{row['attempt']}" for row in log]
    assert len(keys) == len(set(keys))
    # Every attempt in the journal was asked of the dialer, and no other key ever was.
    asked = {words[1] for words in lines if words[0] in ("place", "reask")}
    assert asked == set(keys)
    # One engine: across all the crashes, the log is the simulation's with the same outcomes.
    parsed = None if policy is None else parse_policy(policy)
    expected = [e.record() for e in
                simulate(plan(REQUEST, now=DEFAULT_NOW, ids=SeededIds(7), policy=parsed),
                         Outcomes()).events()]
    assert log == expected

    log_file = tmp_path / "log.jsonl"
    log_file.write_text("".join(json.dumps(row) + "\n" for row in log), encoding="utf-8")
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps(REQUEST), encoding="utf-8")
    policy_args: list[str] = []
    if policy is not None:
        (tmp_path / "policy.json").write_text(json.dumps(policy), encoding="utf-8")
        policy_args = ["--policy", str(tmp_path / "policy.json")]
    verdict = subprocess.run([sys.executable, "-m", "ivrsched", "verify", str(request_file),
                              str(log_file), "--now", DEFAULT_NOW.isoformat(), "--seed", "7",
                              *policy_args],
                             cwd=ROOT, capture_output=True, text=True, timeout=PATIENCE,
                             check=False)
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr


def test_run_killed_again_and_again_with_a_dialer_that_remembers_calls_nobody_twice(
        tmp_path: Path) -> None:
    # The command line's story: `ivrsched run` is killed with SIGKILL while calls are in
    # flight, and continued each time; the bundled dialer remembers the keys it has called
    # (--calls), so an attempt asked again after a crash is answered without a second call.
    request_file = ROOT / "examples" / "paced-10.json"
    journal, remembered = tmp_path / "campaign.db", tmp_path / "dialed.jsonl"
    now = (datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat()
    dialer = (f"{sys.executable} {ROOT / 'examples' / 'dialer.py'} --seed 5 --wait --talk 1 "
              f"--calls {remembered}")

    def dialed() -> list[str]:
        if not remembered.exists():
            return []
        return [json.loads(line)["key"] for line in remembered.read_text().splitlines()]

    def ivrsched_run(*argv: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "ivrsched", "run", *argv, "--journal",
                                 str(journal), "--dialer", dialer], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    first = [str(request_file), "--now", now, "--seed", "1", "--max-in-progress", "3"]
    kills = 0
    for round_number in range(5):
        before = len(dialed())
        process = ivrsched_run(*(first if round_number == 0 else []))
        try:
            deadline = time.monotonic() + PATIENCE
            while len(dialed()) == before and process.poll() is None:
                assert time.monotonic() < deadline, "no call was made"
                time.sleep(0.02)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                kills += 1
        finally:
            process.kill()
            process.wait(timeout=PATIENCE)
    assert kills >= 1
    last = ivrsched_run()
    assert last.wait(timeout=PATIENCE) == 0
    with Dispatcher.open(journal) as d:
        assert d.finished
        log = list(d.log())
    keys = [f"{row['messageId']}:{row['attempt']}" for row in log]
    assert sorted(keys) == sorted(f"paced-{i}:1" for i in range(10))
    # Nobody was called twice, and everybody in the log was called.
    assert sorted(dialed()) == sorted(keys)
    log_file = tmp_path / "log.jsonl"
    log_file.write_text("".join(json.dumps(row) + "\n" for row in log), encoding="utf-8")
    verdict = subprocess.run([sys.executable, "-m", "ivrsched", "verify", str(request_file),
                              str(log_file), "--now", now, "--seed", "1"], cwd=ROOT,
                             capture_output=True, text=True, timeout=PATIENCE, check=False)
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
