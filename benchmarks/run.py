"""Benchmarks: each case against a plain baseline, in one run.

    python benchmarks/run.py            # the full run (about 5 minutes on 2 cores)
    python benchmarks/run.py --quick    # smaller sizes, no 10M-line file (about 1 minute)

Every case is timed as the median of several repeats, against a baseline written the way a user
would write it without ivrsched (a loop of ``datetime + i * timedelta``, a dict per destination,
``json.dumps`` per row). The table shows medians and ratios; the script exits with status 1 when
a target ratio is missed, so it can serve as a check. ``docs/performance.md`` holds a run's
results. The case functions are small and pure so that ``tests/test_benchmark_cases.py`` can run
them at tiny sizes and check that ours and the baselines compute the same thing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ivrsched.ids import SeededIds
from ivrsched.io.destination_files import DestinationFile
from ivrsched.planning.columns import first_attempts
from ivrsched.planning.planner import MessagePlan, plan
from ivrsched.planning.streaming import stream_plan
from ivrsched.request.model import Destination, Message, Request, Retry, SendingSpeed, TimeUnit
from ivrsched.rules.instants import US_PER_SECOND

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
NOW_TEXT = "2030-01-01T00:00:00Z"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
ONE_US = timedelta(microseconds=1)
#: 100 first attempts per second: one every 10 ms, a whole number of µs, so that the baseline's
#: ``start + i * timedelta(milliseconds=10)`` is exact and comparable.
SPEED = 100
STEP = timedelta(milliseconds=10)
#: Retries 1, 2, 5 and 10 minutes apart (4 retries: 5 attempts per destination).
RETRY = {"minPeriod": 1, "maxPeriod": 10, "maxCount": 4}
GAPS_MINUTES = (1, 2, 5, 10)
REQUEST = {"messages": [{"scenarioId": "BENCH", "sendingSpeed": {"speed": SPEED,
                                                                  "timeUnit": "second"},
                         "retry": RETRY, "destinations": [{"to": "10000000"}]}]}
REQUEST_WITHOUT_DESTINATIONS = {"messages": [{"scenarioId": "BENCH", "retry": RETRY,
                                              "sendingSpeed": {"speed": SPEED,
                                                               "timeUnit": "second"}}]}
FIRST_NUMBER = 41_700_000_000
SEED = 1


# -- inputs ------------------------------------------------------------------------------------

class LazyNumbers(Sequence[Destination]):
    """``count`` accepted destinations that exist only when indexed (a 10^9 message in O(1))."""

    def __init__(self, count: int) -> None:
        self.size = count

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            raise TypeError("slice the plan, not its destinations")
        if not -self.size <= i < self.size:
            raise IndexError(i)
        return Destination(str(FIRST_NUMBER + i % self.size))


def lazy_message_plan(count: int) -> MessagePlan:
    """A paced message of ``count`` destinations with retries, built in O(1)."""
    message = Message("BENCH", LazyNumbers(count), validity_period=None, rejected_indices=(),
                      sending_speed=SendingSpeed(SPEED, TimeUnit.SECOND),
                      retry=Retry(1, 10, 4))
    return plan(Request((message,)), now=NOW, ids=SeededIds(SEED)).messages[0]


def write_numbers(path: Path, count: int) -> None:
    """A destinations file of ``count`` numbers, written in chunks (constant memory)."""
    chunk = 100_000
    with path.open("w", encoding="utf-8") as out:
        for base in range(0, count, chunk):
            out.write("".join(f"{FIRST_NUMBER + i}\n" for i in range(base, min(count,
                                                                                base + chunk))))


# -- case 1: random access ---------------------------------------------------------------------

def random_access(message_plan: MessagePlan, indices: Sequence[int]) -> list[tuple[int, ...]]:
    """``plan[i]`` for each index: the attempts of each."""
    return [message_plan[i].attempts_us for i in indices]


def random_access_expected(indices: Sequence[int]) -> list[tuple[int, ...]]:
    """The reference for :func:`random_access`: start + i × 10 ms, retries 1, 2, 5, 10 min."""
    start = (NOW - EPOCH) // ONE_US
    result = []
    for i in indices:
        at = start + i * US_PER_SECOND // SPEED
        attempts = [at]
        for minutes in GAPS_MINUTES:
            at += minutes * 60 * US_PER_SECOND
            attempts.append(at)
        result.append(tuple(attempts))
    return result


# -- case 2: first attempts as integers --------------------------------------------------------

def first_attempts_baseline(count: int) -> list[int]:
    """What a user writes: a loop of ``datetime + i * timedelta``, each made an integer µs."""
    return [(NOW + i * STEP - EPOCH) // ONE_US for i in range(count)]


def first_attempts_array(message_plan: MessagePlan) -> array[int]:
    return first_attempts(message_plan)


def first_attempts_numpy(message_plan: MessagePlan) -> Any:
    from ivrsched.planning.columns import first_attempts_numpy as numpy_column

    return numpy_column(message_plan)


# -- case 3: a JSONL plan from a destinations file ---------------------------------------------

def jsonl_ours(source: Path, target: Path) -> int:
    """ivrsched: stream the file into JSONL; returns the number of rows."""
    streaming = stream_plan(REQUEST, DestinationFile.open(source), now=NOW, ids=SeededIds(SEED))
    with target.open("w", encoding="utf-8") as out:
        return streaming.write_jsonl(out).destinations


_NUMBER = re.compile(r"\+?[1-9][0-9]{6,14}")


def jsonl_baseline(source: Path, target: Path) -> int:
    """What a user writes: a loop over the lines, a dict per destination, json.dumps per row
    (the same rows, checked number, same generated messageIds)."""
    ids = SeededIds(SEED)
    gaps = [timedelta(minutes=m) for m in GAPS_MINUTES]
    rows = slot = 0
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for index, line in enumerate(lines):
            to = line.rstrip("\n")
            attempts = []
            if _NUMBER.fullmatch(to):
                at = NOW + slot * STEP
                slot += 1
                attempts.append(at.isoformat(timespec="milliseconds"))
                for gap in gaps:
                    at += gap
                    attempts.append(at.isoformat(timespec="milliseconds"))
            row = {"message": 0, "index": index, "to": to,
                   "messageId": ids.message_id(0, index),
                   "status": "PENDING_ACCEPTED" if attempts else "REJECTED_INVALID_DESTINATION",
                   "attempts": attempts, "deadline": None, "line": index + 1}
            out.write(json.dumps(row) + "\n")
            rows += 1
    return rows


# -- case 4: peak memory of the CLI ------------------------------------------------------------

#: Runs a command with stdout to a file and prints its peak RSS. A small fresh process of its
#: own does the measuring: a child forked from this (large) benchmark process would count the
#: parent's pages it shares before exec in its maximum RSS.
_MEASURE = """
import resource, subprocess, sys
with open(sys.argv[1], "wb") as out:
    code = subprocess.run(sys.argv[2:], stdout=out).returncode
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def cli_jsonl_peak(request: Path, source: Path, target: Path) -> tuple[int, float]:
    """Run ``ivrsched plan`` in a fresh process; returns (peak RSS in KiB, seconds)."""
    command = [sys.executable, "-m", "ivrsched", "plan", str(request), "--destinations",
               str(source), "--format", "jsonl", "--now", NOW_TEXT, "--seed", str(SEED)]
    started = time.perf_counter()
    measured = subprocess.run([sys.executable, "-c", _MEASURE, str(target), *command],
                              capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    code, peak = (int(word) for word in measured.stdout.split())
    if code != 0:
        raise RuntimeError(f"ivrsched plan failed ({code}): {measured.stderr}")
    return peak, elapsed  # ru_maxrss is in KiB on Linux


# -- case 5: verify ----------------------------------------------------------------------------

def write_attempt_log(path: Path, destinations: int) -> dict[str, Any]:
    """A conforming log of every planned attempt of ``destinations`` destinations (5 each);
    returns the request it belongs to."""
    request = {"messages": [{"scenarioId": "BENCH", "retry": RETRY,
                             "sendingSpeed": {"speed": SPEED, "timeUnit": "second"},
                             "destinations": [{"to": str(FIRST_NUMBER + i), "messageId": f"m{i}"}
                                              for i in range(destinations)]}]}
    gaps = [timedelta(minutes=m) for m in GAPS_MINUTES]
    with path.open("w", encoding="utf-8") as out:
        for i in range(destinations):
            at = NOW + i * STEP
            rows = [{"messageId": f"m{i}", "attempt": 1,
                     "time": at.isoformat(timespec="milliseconds")}]
            for number, gap in enumerate(gaps, start=2):
                at += gap
                rows.append({"messageId": f"m{i}", "attempt": number,
                             "time": at.isoformat(timespec="milliseconds")})
            out.write("".join(json.dumps(row) + "\n" for row in rows))
    return request


def verify_available() -> bool:
    try:
        from ivrsched.oracle.conformance import verify_report  # noqa: F401
    except ImportError:
        return False
    return True


def verify_ours(request: dict[str, Any], log: Path) -> tuple[int, int]:
    """ivrsched's verifier over the log; returns (rows checked, violations)."""
    from ivrsched.io.logs import read_log
    from ivrsched.oracle.conformance import verify_report

    with log.open(encoding="utf-8") as lines:
        report = verify_report(request, read_log(lines), now=NOW)
    return report.rows, len(report.violations)


def verify_baseline(log: Path) -> tuple[int, int]:
    """The least any verifier must do: decode every row (no rule checked)."""
    with log.open(encoding="utf-8") as lines:
        rows = sum(1 for line in lines if json.loads(line))
    return rows, 0


# -- timing and reporting ----------------------------------------------------------------------

def median_seconds(function: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@dataclass
class Row:
    """One line of the results table; ``ratio`` is baseline/ours unless ``lower_is_better``."""

    case: str
    ours: str
    baseline: str
    ratio: float | None
    target: str
    ok: bool | None


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"  {row.case}: ours {row.ours}, baseline {row.baseline}, ratio "
              f"{'-' if row.ratio is None else f'{row.ratio:.2f}'} (target {row.target})",
              flush=True)

    def table(self) -> str:
        head = ("case", "ours (median)", "baseline (median)", "ratio", "target", "met")
        cells = [head] + [(r.case, r.ours, r.baseline,
                           "-" if r.ratio is None else f"{r.ratio:.2f}", r.target,
                           "-" if r.ok is None else ("yes" if r.ok else "NO")) for r in self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
        lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
                 for row in cells]
        lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
        return "\n".join(lines)

    @property
    def failed(self) -> list[Row]:
        return [r for r in self.rows if r.ok is False]


def seconds_text(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import numpy

        numpy_version = numpy.__version__
    except ImportError:
        numpy_version = "not installed"
    return (f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()} "
            f"({platform.python_implementation()}), NumPy {numpy_version}, "
            f"{platform.system()} {platform.release()}")


# -- the run -----------------------------------------------------------------------------------

def bench_random_access(report: Report, repeats: int) -> None:
    huge, small = lazy_message_plan(10**9), lazy_message_plan(10**3)
    near_end = range(10**9 - 1000, 10**9)
    near_thousand = range(0, 10**3)
    assert random_access(huge, near_end[-3:]) == random_access_expected(near_end[-3:])
    ours = median_seconds(lambda: random_access(huge, near_end), repeats) / len(near_end)
    base = median_seconds(lambda: random_access(small, near_thousand), repeats) / 1000
    ratio = ours / base
    report.add(Row("random access plan[i]: i near 10^9 of 10^9 (ours) vs near 10^3 of 10^3",
                   seconds_text(ours), seconds_text(base), ratio, "≤ 2 (time ratio)",
                   ratio <= 2))


def bench_first_attempts(report: Report, repeats: int, count: int) -> None:
    message_plan = lazy_message_plan(count)
    expected = first_attempts_baseline(count)
    assert list(first_attempts_array(message_plan)) == expected
    base = median_seconds(lambda: first_attempts_baseline(count), repeats)
    ours = median_seconds(lambda: first_attempts_array(message_plan), repeats)
    report.add(Row(f"{count:,} first attempts as integers, array('q')", seconds_text(ours),
                   seconds_text(base), base / ours, "≥ 3", base / ours >= 3))
    try:
        import numpy  # noqa: F401
    except ImportError:
        report.add(Row(f"{count:,} first attempts, NumPy", "not available (pip install "
                       "'ivrsched[fast]')", seconds_text(base), None, "≥ 30", None))
        return
    assert first_attempts_numpy(message_plan).tolist() == expected
    ours = median_seconds(lambda: first_attempts_numpy(message_plan), repeats)
    report.add(Row(f"{count:,} first attempts as integers, NumPy", seconds_text(ours),
                   seconds_text(base), base / ours, "≥ 30", base / ours >= 30))


def bench_jsonl(report: Report, repeats: int, count: int, workdir: Path) -> None:
    source = workdir / f"numbers-{count}.txt"
    write_numbers(source, count)
    ours_out, base_out = workdir / "ours.jsonl", workdir / "baseline.jsonl"
    assert jsonl_ours(source, ours_out) == jsonl_baseline(source, base_out) == count
    assert ours_out.read_bytes() == base_out.read_bytes(), "ours and the baseline differ"
    ours = median_seconds(lambda: jsonl_ours(source, ours_out), repeats)
    base = median_seconds(lambda: jsonl_baseline(source, base_out), repeats)
    report.add(Row(f"JSONL plan, {count:,} destinations × 5 attempts, file to file",
                   f"{count / ours:,.0f} dest/s", f"{count / base:,.0f} dest/s", base / ours,
                   "≥ 1.5 (rows/s ratio)", base / ours >= 1.5))
    ours_out.unlink()
    base_out.unlink()


def bench_memory(report: Report, sizes: tuple[int, int], workdir: Path) -> None:
    request = workdir / "request.json"
    request.write_text(json.dumps(REQUEST_WITHOUT_DESTINATIONS), encoding="utf-8")
    peaks = []
    for count in sizes:
        source = workdir / f"numbers-{count}.txt"
        if not source.exists():
            print(f"  (writing a {count:,}-line destinations file)", flush=True)
            write_numbers(source, count)
        target = workdir / "cli.jsonl"
        peak, seconds = cli_jsonl_peak(request, source, target)
        target.unlink()
        source.unlink()
        peaks.append(peak)
        report.notes.append(f"`ivrsched plan --destinations` with {count:,} lines: "
                            f"{count / seconds:,.0f} destinations/s end to end (process start "
                            f"included), peak RSS {peak / 1024:.1f} MiB")
        print(f"  {report.notes[-1]}", flush=True)
    small, large = sizes
    ratio = peaks[1] / peaks[0]
    report.add(Row(f"peak RSS of the CLI JSONL run, {large:,} vs {small:,} destinations",
                   f"{peaks[1] / 1024:.1f} MiB", f"{peaks[0] / 1024:.1f} MiB", ratio,
                   "≤ 1.2 (RSS ratio)", ratio <= 1.2))


def bench_verify(report: Report, repeats: int, attempts: int, workdir: Path) -> None:
    if not verify_available():
        report.add(Row(f"verify of a {attempts:,}-attempt log", "not available "
                       "(ivrsched.oracle.conformance missing)", "-", None, "rows/s printed", None))
        return
    log = workdir / "attempts.jsonl"
    request = write_attempt_log(log, attempts // 5)
    rows, violations = verify_ours(request, log)
    assert (rows, violations) == (attempts, 0), (rows, violations)
    ours = median_seconds(lambda: verify_ours(request, log), repeats)
    base = median_seconds(lambda: verify_baseline(log), repeats)
    report.add(Row(f"verify of a {attempts:,}-attempt log (baseline: json.loads per row only)",
                   f"{attempts / ours:,.0f} rows/s", f"{attempts / base:,.0f} rows/s",
                   base / ours, "rows/s printed", None))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smaller sizes; memory compared at 100k vs 1M lines, not 1M vs 10M")
    args = parser.parse_args(argv)
    quick = args.quick
    print(f"machine: {machine()}", flush=True)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="ivrsched-bench-") as tmp:
        workdir = Path(tmp)
        bench_random_access(report, repeats=7)
        bench_first_attempts(report, repeats=5, count=1_000_000)
        bench_jsonl(report, repeats=3, count=200_000 if quick else 1_000_000, workdir=workdir)
        bench_memory(report, (100_000, 1_000_000) if quick else (1_000_000, 10_000_000),
                     workdir)
        bench_verify(report, repeats=3, attempts=200_000 if quick else 1_000_000,
                     workdir=workdir)
    print()
    print(report.table())
    for note in report.notes:
        print(f"- {note}")
    if report.failed:
        print(f"\nMISSED {len(report.failed)} target(s): "
              + "; ".join(r.case for r in report.failed))
        return 1
    print("\nall targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
