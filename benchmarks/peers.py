"""ivrsched against the tools a planner would otherwise reach for, in one run.

    pip install -e '.[bench]'            # numpy, pandas, polars, duckdb, pyarrow
    python benchmarks/peers.py           # the full run (10^6 and 10^7 where targets say so)
    python benchmarks/peers.py --quick   # tiny sizes: checks that every pair agrees, no timing

Each case has ivrsched's way and a peer's way of computing the same table (same instants, same
rows); the script checks that they agree before it times them, then prints the best of a few
runs of each and the ratio peer-time ÷ ivrsched-time (≥ 1: ivrsched is faster) against the
target. ``tests/test_benchmark_peers.py`` runs the quick mode, which checks agreement
only: no test ever asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from ivrsched.ids import SeededIds
from ivrsched.io.destination_files import DestinationFile
from ivrsched.planning.streaming import stream_plan
from ivrsched.request.model import DeliveryTimeWindow, TimeOfDay, Weekday
from ivrsched.rules import vector
from ivrsched.rules.instants import US_PER_HOUR, US_PER_MINUTE, to_us
from ivrsched.rules.pacing import Pace
from ivrsched.rules.timeline import Timeline
from ivrsched.rules.windows import WindowCalendar

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)  # a Tuesday
NOW_TEXT = "2030-01-01T00:00:00Z"
START = to_us(NOW)
SEED = 1
#: 10 first attempts an hour: one every 6 minutes; 4 retries 1, 2, 5 and 10 minutes apart.
SPEED, STEP = 10, US_PER_HOUR // 10
GAPS_MINUTES = (1, 2, 5, 10)
OFFSETS = tuple(sum(GAPS_MINUTES[:k]) * US_PER_MINUTE for k in range(5))
RETRY = {"minPeriod": 1, "maxPeriod": 10, "maxCount": 4}
REQUEST = {"messages": [{"scenarioId": "BENCH", "retry": RETRY,
                         "sendingSpeed": {"speed": SPEED, "timeUnit": "hour"},
                         "destinations": [{"to": "10000000"}]}]}
#: The same message for ``--destinations`` (which refuses a request with destinations).
CLI_REQUEST = {"messages": [{"scenarioId": "BENCH", "retry": RETRY,
                             "sendingSpeed": {"speed": SPEED, "timeUnit": "hour"}}]}
FIRST_NUMBER = 41_700_000_000
WEEKDAYS = tuple(Weekday(d) for d in range(5))


# -- first attempts ----------------------------------------------------------------------------

def timeline(zone: str | None = None, *, window: bool = True) -> Timeline:
    """10 an hour from 2030-01-01, under Mon–Fri 09:00–17:00 in ``zone`` (or no window)."""
    if not window:
        return Timeline(START, Pace(SPEED, US_PER_HOUR))
    calendar = WindowCalendar.from_window(DeliveryTimeWindow(WEEKDAYS, TimeOfDay(9, 0),
                                                             TimeOfDay(17, 0), zone))
    return Timeline(START, Pace(SPEED, US_PER_HOUR), calendar=calendar)


def arange_peer(count: int) -> Any:
    """numpy.arange: the limit for an unwindowed pace whose interval is whole µs."""
    return START + np.arange(count, dtype=np.int64) * STEP


def busday_peer(count: int) -> Any:
    """A hand-written NumPy formula for Mon–Fri 09:00–17:00 UTC at 10 an hour: 80 slots a
    business day, the day by numpy.busday_offset, the slot inside it by arithmetic."""
    slot = np.arange(count, dtype=np.int64)
    day, inside = np.divmod(slot, 80)
    start_day = np.datetime64(NOW.date().isoformat(), "D")
    days = np.busday_offset(start_day, day, roll="forward", weekmask="1111100")
    midnight = days.astype("datetime64[us]").astype(np.int64)
    return midnight + 9 * US_PER_HOUR + inside * STEP


# -- whole plans from a destinations file ------------------------------------------------------

def write_numbers(path: Path, count: int) -> None:
    chunk = 100_000
    with path.open("w", encoding="utf-8") as out:
        for base in range(0, count, chunk):
            out.write("".join(f"{FIRST_NUMBER + i}\n"
                              for i in range(base, min(count, base + chunk))))


def _streaming(source: Path) -> Any:
    return stream_plan(REQUEST, DestinationFile.open(source), now=NOW, ids=SeededIds(SEED))


def ours_jsonl(source: Path, target: Path) -> None:
    from ivrsched.io.chunked import write_jsonl_chunked

    streaming = _streaming(source)
    with target.open("wb") as out:  # a byte stream, as ``ivrsched plan`` writes its files
        write_jsonl_chunked(streaming.header, streaming.destinations, out)


def ours_csv(source: Path, target: Path) -> None:
    from ivrsched.io.chunked import write_csv_chunked

    streaming = _streaming(source)
    with target.open("wb") as out:  # a byte stream, as ``ivrsched plan`` writes its files
        write_csv_chunked(streaming.header, streaming.destinations, out)


def ours_parquet(source: Path, target: Path) -> None:
    from ivrsched.io.arrow_export import write_parquet_stream

    streaming = _streaming(source)
    with target.open("wb") as out:
        write_parquet_stream(streaming.header, streaming.destinations, out)


def message_ids(count: int) -> list[str]:
    """The generated messageIds, handed to the peers ready-made (they cannot compute S8's)."""
    make = SeededIds(SEED).message_ids(0)
    return [make(i) for i in range(count)]


def polars_frame(source: Path, ids: list[str], *, long: bool = False,
                 with_integers: bool = False) -> Any:
    """polars builds the plan table from NumPy arrays: the numbers read from the file, the
    attempts from numpy.arange, rendered by strftime (one row per attempt when ``long``)."""
    import polars as pl

    numbers = pl.read_csv(source, has_header=False, new_columns=["to"],
                          schema_overrides={"to": pl.String})["to"]
    count = len(numbers)
    first = START + np.arange(count, dtype=np.int64) * STEP
    times = [pl.Series(first + offset).cast(pl.Datetime("us"))
             .dt.strftime("%Y-%m-%dT%H:%M:%S%.3f+00:00") for offset in OFFSETS]
    index = pl.Series("index", np.arange(count, dtype=np.int64))
    if long:
        frame = pl.DataFrame({"message": pl.Series(np.zeros(count, dtype=np.int32)),
                              "index": index, "to": numbers,
                              "messageId": pl.Series(ids, dtype=pl.String),
                              "status": pl.repeat("PENDING_ACCEPTED", count, eager=True)})
        frame = frame.with_columns(
            pl.concat_list([pl.lit(k, dtype=pl.Int64) for k in range(1, 6)]).alias("attempt"),
            pl.concat_list([pl.lit(t) for t in times]).alias("time"))
        return frame.explode(["attempt", "time"])
    columns: dict[str, Any] = {
        "message": pl.Series(np.zeros(count, dtype=np.int32)), "index": index, "to": numbers,
        "messageId": pl.Series(ids, dtype=pl.String),
        "status": pl.repeat("PENDING_ACCEPTED", count, eager=True),
    }
    frame = pl.DataFrame(columns).with_columns(
        pl.concat_list([pl.lit(t) for t in times]).alias("attempts"),
        pl.lit(None, dtype=pl.String).alias("deadline"),
        pl.Series("line", np.arange(1, count + 1, dtype=np.int64)))
    if with_integers:
        frame = frame.with_columns(pl.concat_list(
            [pl.lit(pl.Series(first + offset)) for offset in OFFSETS]).alias("attempts_us"))
    return frame


def polars_jsonl(source: Path, target: Path, ids: list[str]) -> None:
    polars_frame(source, ids).write_ndjson(target)


def polars_csv(source: Path, target: Path, ids: list[str]) -> None:
    polars_frame(source, ids, long=True).write_csv(target)


def polars_parquet(source: Path, target: Path, ids: list[str]) -> None:
    polars_frame(source, ids, with_integers=True).write_parquet(target)


def same_ndjson(a: Path, b: Path) -> bool:
    import polars as pl

    return bool(pl.read_ndjson(a).equals(pl.read_ndjson(b)))


def same_bytes(a: Path, b: Path) -> bool:
    return a.read_bytes() == b.read_bytes()


def same_parquet(a: Path, b: Path) -> bool:
    import polars as pl

    return bool(pl.read_parquet(a).equals(pl.read_parquet(b)))


# -- forecast ----------------------------------------------------------------------------------

def forecast_request(count: int) -> dict[str, Any]:
    return {"messages": [{"scenarioId": "BENCH", "retry": RETRY,
                          "sendingSpeed": {"speed": SPEED, "timeUnit": "hour"},
                          "destinations": [{"to": "41700000000"}]}]}


def ours_forecast(count: int) -> Any:
    """ivrsched.forecast's hourly buckets: first attempts and each retry per bucket (the
    rows' counts as columns, ``ForecastRows.count_columns``)."""
    from ivrsched.forecasting.load import forecast
    from ivrsched.planning.planner import plan

    the_plan = plan(forecast_request(count), now=NOW, ids=SeededIds(SEED))
    result = forecast(the_plan, counts=[(count, count)])
    return np.stack(result.rows.count_columns(), axis=1)


def bincount_forecast(count: int) -> Any:
    """numpy.bincount over the materialised attempt times, per hour from the first."""
    first = START + np.arange(count, dtype=np.int64) * STEP
    columns = [np.bincount((first + offset - START) // US_PER_HOUR) for offset in OFFSETS]
    width = max(c.size for c in columns)
    table = np.zeros((len(columns), width), dtype=np.int64)
    for k, c in enumerate(columns):
        table[k, :c.size] = c
    return table.T


# -- verify ------------------------------------------------------------------------------------

def write_log(path: Path, count: int) -> dict[str, Any]:
    """A conforming log of every attempt of ``count`` destinations (5 each, 10 an hour)."""
    from ivrsched.io.chunked import render_instants

    first = START + np.arange(count, dtype=np.int64) * STEP
    times = [render_instants(first + offset).tolist() for offset in OFFSETS]
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            out.write("".join(f'{{"messageId": "m{i}", "attempt": {k + 1}, '
                              f'"time": "{times[k][i]}"}}\n' for k in range(5)))
    return {"messages": [{"scenarioId": "BENCH", "retry": RETRY, "validityPeriod": 2880,
                          "sendingSpeed": {"speed": SPEED, "timeUnit": "hour"},
                          "destinations": [{"to": str(FIRST_NUMBER + i), "messageId": f"m{i}"}
                                           for i in range(count)]}]}


def ours_verify(request: dict[str, Any], log: Path) -> tuple[int, int]:
    """ivrsched verify, every S11 rule, of the log file as ``ivrsched verify`` reads it (in
    columns, with the ``fast`` extra): (rows, violations)."""
    from ivrsched.oracle.conformance import verify_report

    report = verify_report(request, log, now=NOW)
    return report.rows, len(report.violations)


def duckdb_verify(log: Path) -> tuple[int, int]:
    """DuckDB, the rate cap (at most 10 first attempts in any hour) and the deadline only."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE TABLE log AS SELECT * FROM read_json('{log}', format='newline_delimited',"
                " columns={messageId: 'VARCHAR', attempt: 'INTEGER', time: 'TIMESTAMPTZ'})")
    rows = con.execute("SELECT count(*) FROM log").fetchone()
    rate = con.execute(
        f"SELECT count(*) FROM (SELECT time, lead(time, {SPEED}) OVER (ORDER BY time) AS later "
        "FROM log WHERE attempt = 1) WHERE later - time < INTERVAL 1 HOUR").fetchone()
    # The deadline: none here (sendingSpeed makes S4 ignore the validity), so NULL.
    late = con.execute("SELECT count(*) FROM log WHERE time >= CAST(NULL AS TIMESTAMPTZ)"
                       ).fetchone()
    con.close()
    assert rows is not None and rate is not None and late is not None
    return int(rows[0]), int(rate[0]) + int(late[0])


# -- process start -----------------------------------------------------------------------------

def run_help() -> str:
    return subprocess.run([sys.executable, "-m", "ivrsched", "--help"], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


def run_imports() -> str:
    return subprocess.run([sys.executable, "-c", "import argparse, json, datetime"],
                          capture_output=True, text=True, check=True).stdout


_MEASURE = """
import resource, subprocess, sys
with open(sys.argv[1], "wb") as out:
    code = subprocess.run(sys.argv[2:], stdout=out).returncode
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def cli_peak_kib(request: Path, source: Path, target: Path, fmt: str) -> int:
    """Peak RSS of ``ivrsched plan --destinations`` in a fresh process (KiB, Linux)."""
    command = [sys.executable, "-m", "ivrsched", "plan", str(request), "--destinations",
               str(source), "--format", fmt, "--now", NOW_TEXT, "--seed", str(SEED)]
    measured = subprocess.run([sys.executable, "-c", _MEASURE, str(target), *command],
                              capture_output=True, text=True, check=True, cwd=ROOT)
    code, peak = (int(word) for word in measured.stdout.split())
    if code != 0:
        raise RuntimeError(f"ivrsched plan failed ({code}): {measured.stderr}")
    return peak


# -- the run -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One row: ivrsched's way, the peer's way, how to tell they agree, the target ratio."""

    name: str
    ours: Callable[[], Any]
    peer: Callable[[], Any]
    same: Callable[[Any, Any], bool]
    target: float
    repeats: int = 3


def best_of(function: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def _berlin_checked(ours: Any, peer: Any) -> bool:
    """The Berlin window has no NumPy peer computing it: check ours against the scalar time
    line on a sample of slots (the property tests compare every value on smaller cases)."""
    line = timeline("Europe/Berlin")
    sample = sorted({0, ours.size - 1, *range(0, ours.size, max(1, ours.size // 500))})
    return ours.size == peer.size and all(int(ours[s]) == line.first_attempt_us(s)
                                          for s in sample)


def _arrays_equal(a: Any, b: Any) -> bool:
    return bool(np.array_equal(a, b))


def _equal(a: Any, b: Any) -> bool:
    return bool(a == b)


def cases(sizes: Sequence[int], file_size: int, workdir: Path, *, heavy: bool = True
          ) -> list[Case]:
    found: list[Case] = []
    for n in sizes:
        found.append(Case(f"first attempts, no window, {n:,}",
                          lambda n=n: vector.first_attempts(timeline(window=False), range(n)),
                          lambda n=n: arange_peer(n), _arrays_equal, 0.5))
        found.append(Case(f"first attempts, Mon–Fri 09–17 UTC, {n:,} (peer: busday_offset)",
                          lambda n=n: vector.first_attempts(timeline(), range(n)),
                          lambda n=n: busday_peer(n), _arrays_equal, 1.0))
        found.append(Case(f"first attempts, Mon–Fri 09–17 Europe/Berlin, {n:,} (peer: the "
                          "UTC formula)",
                          lambda n=n: vector.first_attempts(timeline("Europe/Berlin"), range(n)),
                          lambda n=n: busday_peer(n), _berlin_checked, 0.3))
    numbers = workdir / "numbers.txt"
    write_numbers(numbers, file_size)
    ids = message_ids(file_size)
    for fmt, ours, peer, same in (("JSONL", ours_jsonl, polars_jsonl, same_ndjson),
                                  ("CSV", ours_csv, polars_csv, same_bytes),
                                  ("Parquet", ours_parquet, polars_parquet, same_parquet)):
        a, b = workdir / f"ours.{fmt}", workdir / f"peer.{fmt}"
        found.append(Case(f"plan of {file_size:,} destinations × 5 attempts from a file to "
                          f"{fmt} (peer: polars)",
                          lambda ours=ours, a=a: (ours(numbers, a), a)[1],
                          lambda peer=peer, b=b: (peer(numbers, b, ids), b)[1],
                          same, 1.0, repeats=2 if heavy else 1))
    found.append(Case(f"forecast at 10/h of {file_size:,} destinations, hourly "
                      "(peer: numpy.bincount)",
                      lambda: ours_forecast(file_size), lambda: bincount_forecast(file_size),
                      _arrays_equal, 1.0, repeats=2 if heavy else 1))
    log = workdir / "log.jsonl"
    log_destinations = max(1, file_size // 5)
    request = write_log(log, log_destinations)
    found.append(Case(f"verify of a {5 * log_destinations:,}-row log (peer: DuckDB, rate cap "
                      "and deadline only)",
                      lambda: ours_verify(request, log), lambda: duckdb_verify(log),
                      _equal, 1.0, repeats=1))
    found.append(Case("`ivrsched --help` (peer: python -c 'import argparse, json, datetime'; "
                      "target: ≤ 3× its time)",
                      run_help, run_imports, lambda a, b: "plan" in a and b == "", 1 / 3,
                      repeats=5))
    return found


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    import duckdb
    import polars

    load = os.getloadavg()[0]
    return (f"{os.cpu_count()} CPUs ({model}), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, NumPy {np.__version__}, polars "
            f"{polars.__version__}, DuckDB {duckdb.__version__}; load average {load:.1f} "
            "at the end")


def seconds_text(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes; check that every pair agrees, time nothing")
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--rss-formats", default="jsonl,csv",
                        help="formats whose peak memory is measured at 10^6 and 10^7 lines")
    args = parser.parse_args(argv)
    sizes = (1000, 4001) if args.quick else (10**6, 10**7)
    file_size = 2000 if args.quick else 10**6
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        selected = [c for c in cases(sizes, file_size, workdir, heavy=not args.quick)
                    if args.only in c.name]
        rows = []
        for case in selected:
            ours, peer = case.ours(), case.peer()
            if not case.same(ours, peer):
                print(f"DISAGREE: {case.name}", file=sys.stderr)
                return 1
            if args.quick:
                print(f"agree: {case.name}")
                continue
            ours_s = best_of(case.ours, case.repeats)
            peer_s = best_of(case.peer, case.repeats)
            ratio = peer_s / ours_s
            met = "yes" if ratio >= case.target else "no"
            row = (f"| {case.name} | {seconds_text(ours_s)} | {seconds_text(peer_s)} | "
                   f"{ratio:.2f} | ≥ {case.target:.2f} | {met} |")
            print(row, flush=True)
            rows.append(row)
        if not args.quick and not args.only:
            request = workdir / "request.json"
            request.write_text(json.dumps(CLI_REQUEST))
            for fmt in args.rss_formats.split(","):
                peaks = []
                for count in (10**6, 10**7):
                    source = workdir / f"n{count}.txt"
                    if not source.exists():
                        write_numbers(source, count)
                    peaks.append(cli_peak_kib(request, source, workdir / "out", fmt) / 1024)
                print(f"peak RSS of `ivrsched plan --destinations --format {fmt}`: "
                      f"{peaks[0]:.1f} MiB at 10^6, {peaks[1]:.1f} MiB at 10^7", flush=True)
            print(machine())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
