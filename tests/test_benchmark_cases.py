"""The benchmark's case functions compute the same results as their baselines (tiny sizes; the
benchmark itself, with its timings, is ``python benchmarks/run.py``, not part of the tests)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ivrsched_benchmarks_run",
                                                  ROOT / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_random_access_case_is_exact_at_both_ends(bench: ModuleType) -> None:
    huge = bench.lazy_message_plan(10**9)
    indices = [0, 1, 999, 10**9 - 1]
    assert bench.random_access(huge, indices) == bench.random_access_expected(indices)
    # Independently: index 10^9 - 1 at 100/s is (10^9 - 1) × 10 ms after the start.
    last_first = bench.random_access(huge, [10**9 - 1])[0][0]
    assert last_first - bench.random_access(huge, [0])[0][0] == (10**9 - 1) * 10_000


def test_first_attempt_columns_equal_the_baseline_loop(bench: ModuleType) -> None:
    message_plan = bench.lazy_message_plan(257)
    expected = bench.first_attempts_baseline(257)
    assert list(bench.first_attempts_array(message_plan)) == expected
    assert bench.first_attempts_numpy(message_plan).tolist() == expected
    assert expected[1] - expected[0] == 10_000  # 10 ms


def test_jsonl_case_writes_the_same_bytes_as_the_baseline(bench: ModuleType,
                                                          tmp_path: Path) -> None:
    source = tmp_path / "numbers.txt"
    bench.write_numbers(source, 300)
    ours, baseline = tmp_path / "ours.jsonl", tmp_path / "baseline.jsonl"
    assert bench.jsonl_ours(source, ours) == bench.jsonl_baseline(source, baseline) == 300
    assert ours.read_bytes() == baseline.read_bytes()
    assert len(source.read_text().splitlines()) == 300


def test_verify_case_checks_every_row_of_a_conforming_log(bench: ModuleType,
                                                          tmp_path: Path) -> None:
    if not bench.verify_available():  # pragma: no cover - verification is part of the project
        pytest.fail("ivrsched.oracle.conformance is missing")
    log = tmp_path / "log.jsonl"
    request = bench.write_attempt_log(log, 40)
    assert bench.verify_ours(request, log) == (200, 0)  # 40 destinations × 5 attempts
    assert bench.verify_baseline(log) == (200, 0)


def test_cli_peak_measurement_runs_the_cli(bench: ModuleType, tmp_path: Path) -> None:
    request = tmp_path / "request.json"
    request.write_text(__import__("json").dumps(bench.REQUEST_WITHOUT_DESTINATIONS))
    source = tmp_path / "numbers.txt"
    bench.write_numbers(source, 50)
    target = tmp_path / "out.jsonl"
    peak, seconds = bench.cli_jsonl_peak(request, source, target)
    assert peak > 0 and seconds > 0
    assert len(target.read_text().splitlines()) == 50


def test_the_table_marks_missed_targets(bench: ModuleType) -> None:
    report = bench.Report()
    report.rows.append(bench.Row("a", "1 ms", "2 ms", 2.0, "≥ 3", False))
    report.rows.append(bench.Row("b", "1 ms", "9 ms", 9.0, "≥ 3", True))
    assert [r.case for r in report.failed] == ["a"]
    lines = report.table().splitlines()
    assert lines[2].split("|")[-2].strip() == "NO" and lines[3].split("|")[-2].strip() == "yes"
