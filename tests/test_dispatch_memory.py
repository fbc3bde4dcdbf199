"""A campaign of 10^6 destinations from a file starts at once and keeps a flat memory (S14:
O(attempts in progress + pending retries), not O(destinations)).

Each size runs in a fresh interpreter, which reports its peak resident set
(``resource.getrusage``): the peak with 10^6 destinations must stay within a small margin of
the peak with 10^4, doing the same work (the same attempts, retries and lifecycle operations).
Holding the destinations in memory would cost well over 100 MiB at 10^6. No timing is measured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

resource = pytest.importorskip("resource")

ROOT = Path(__file__).resolve().parent.parent

# Creates the campaign, drives five wake-ups (20 first attempts each, every one busy, so that
# retries wait), restarts, cancels, and prints its peak RSS in KiB (Linux) or bytes (macOS).
PROBE = r"""
import json, resource, sys
from datetime import datetime, timedelta, timezone
from ivrsched.dispatch import Dispatcher

file, journal = sys.argv[1], sys.argv[2]
t0 = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)
request = {"messages": [{"scenarioId": "S",
                         "sendingSpeed": {"speed": 20, "timeUnit": "second"},
                         "retry": {"minPeriod": 1, "maxPeriod": 1, "maxCount": 2}}]}
d = Dispatcher.create(journal, json.dumps(request), now=t0, destinations=file)
handed = 0
for _ in range(5):
    wake = d.next_wakeup()
    for a in d.due(wake + timedelta(seconds=1)):
        handed += 1
        d.record(a.key, "busy", a.time + timedelta(seconds=2))
counts = d.counts()
d.close()
d = Dispatcher.open(journal)
d.pause(d.clock)
d.resume(d.clock + timedelta(seconds=1))
d.cancel(d.clock + timedelta(seconds=2))
d.due(d.clock + timedelta(seconds=2))
print(json.dumps({"handed": handed, "retries": counts["pendingRetries"],
                  "finished": d.finished,
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
d.close()
"""


def numbers(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.writelines(f"41{793000000 + i}\n" for i in range(n))
    return path


def peak(tmp_path: Path, n: int) -> dict[str, object]:
    file = numbers(tmp_path / f"numbers-{n}.txt", n)
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", PROBE, str(file), str(tmp_path / f"{n}.db")],
                          capture_output=True, text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_a_million_destinations_keep_the_memory_of_ten_thousand(tmp_path: Path) -> None:
    small = peak(tmp_path, 10_000)
    large = peak(tmp_path, 1_000_000)
    # The same work in both: 5 wake-ups of 20 first attempts, each one's retry pending.
    for report in (small, large):
        assert (report["handed"], report["retries"], report["finished"]) == (100, 100, True)
    unit = 1 if sys.platform != "darwin" else 1024  # ru_maxrss: KiB on Linux, bytes on macOS
    small_kib, large_kib = int(str(small["rss"])) // unit, int(str(large["rss"])) // unit
    assert large_kib <= small_kib * 13 // 10 + 4 * 1024, (small_kib, large_kib)
