"""The committed conformance vectors replay exactly, and the generator reproduces them."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ivrsched import SeededIds, plan
from ivrsched.cli.main import main
from ivrsched.io.logs import format_for_path, read_log
from ivrsched.io.plan_formats import jsonl_lines
from ivrsched.oracle.conformance import verify
from ivrsched.oracle.vectors import Case, build_case, violation_key, write_vectors
from ivrsched.oracle.vectors import _check as check_case_log
from ivrsched.oracle.vectors import _rows as rows_of
from ivrsched.oracle.vectors import _window as window_fault
from ivrsched.rules.instants import from_us, parse_instant

VECTORS = Path(__file__).resolve().parent / "vectors"
#: tests/vectors was written by `ivrsched vectors --count 6 --seed 2026 tests/vectors`.
COUNT, SEED = 6, 2026
CASES = sorted(p for p in VECTORS.iterdir() if p.is_dir())


def load(case: Path) -> tuple[dict[str, object], datetime, int, list[dict[str, object]]]:
    meta = json.loads((case / "case.json").read_text(encoding="utf-8"))
    request = json.loads((case / "request.json").read_text(encoding="utf-8"))
    us, offset = parse_instant(meta["now"])
    return request, from_us(us, offset), meta["idSeed"], meta["logs"]


def test_the_committed_set_has_every_case() -> None:
    assert [p.name for p in CASES] == [f"case-{n:03d}" for n in range(1, COUNT + 1)]
    assert "ivrsched vectors" in (VECTORS / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_the_plan_is_unchanged(case: Path) -> None:
    request, now, id_seed, _ = load(case)
    produced = "".join(jsonl_lines(plan(request, now=now, ids=SeededIds(id_seed))))
    assert produced == (case / "plan.jsonl").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_each_log_gives_exactly_its_violations(case: Path) -> None:
    request, now, id_seed, logs = load(case)
    assert any(log["violations"] == [] for log in logs)  # a conforming log in every case
    assert sum(1 for log in logs if log["violations"]) >= 5  # and at least 5 broken ones
    for log in logs:
        path = case / str(log["file"])
        fmt = format_for_path(path.name)
        assert fmt is not None
        modes = (False, True) if log["exact"] else (False,)
        for exact in modes:
            with open(path, encoding="utf-8", newline="") as handle:
                found = verify(request, read_log(handle, fmt, str(path)), now=now, exact=exact,
                               ids=SeededIds(id_seed))
            assert [violation_key(v.as_json()) for v in found] == log["violations"], path


def test_every_broken_log_differs_from_the_plan_in_one_targeted_way() -> None:
    # Each broken log names its rule in its file name, and its one violation carries it.
    for case in CASES:
        for log in load(case)[3]:
            if log["violations"]:
                (violation,) = log["violations"]
                assert Path(str(log["file"])).stem == violation["rule"]


def test_regenerating_gives_the_same_bytes(tmp_path: Path) -> None:
    write_vectors(tmp_path, COUNT, SEED)
    committed = sorted(p.relative_to(VECTORS) for p in VECTORS.rglob("*") if p.is_file())
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert fresh == committed
    for name in committed:
        assert (tmp_path / name).read_bytes() == (VECTORS / name).read_bytes(), name


def test_the_command_writes_the_cases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vectors", "--count", "2", "--seed", str(SEED), str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == \
        ["README.md", "case-001", "case-002"]
    assert (tmp_path / "out" / "case-002" / "plan.jsonl").read_bytes() == \
        (VECTORS / "case-002" / "plan.jsonl").read_bytes()
    assert "wrote 2 case(s)" in capsys.readouterr().err


def test_a_count_below_one_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["vectors", "--count", "0", str(tmp_path)])
    assert info.value.code == 2


def test_cases_differ_between_seeds() -> None:
    assert build_case(1, 1).request != build_case(2, 1).request


def test_a_vector_log_reads_back_as_csv_too() -> None:
    case = build_case(SEED, 1)
    (csv_log,) = [log for log in case.logs if log.csv]
    rows = list(read_log(io.StringIO(csv_log.text()), "csv"))
    assert [r.line for r in rows] == list(range(2, len(rows) + 2))


# -- delivery time windows (S6) ----------------------------------------------------------------

_DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


def _inside(window: dict[str, Any], at: datetime) -> bool:
    """Independent membership test: the local wall clock of ``at`` is on an allowed day and in
    [from, to). Valid for the committed cases, none of whose from/to falls in a changed hour."""
    local = at.astimezone(ZoneInfo(window.get("timeZone", "UTC")))
    seconds = Fraction(local.second * 10**6 + local.microsecond, 10**6)
    minutes = local.hour * 60 + local.minute + seconds / 60
    start = window["from"]["hour"] * 60 + window["from"]["minute"]
    end = window["to"]["hour"] * 60 + window["to"]["minute"]
    return _DAYS[local.weekday()] in window["days"] and start <= minutes < end


def _windowed(case: Path) -> tuple[int, dict[str, Any]] | None:
    request = json.loads((case / "request.json").read_text(encoding="utf-8"))
    for m, message in enumerate(request["messages"]):
        if "deliveryTimeWindow" in message:
            return m, message["deliveryTimeWindow"]
    return None


def _plan_rows(case: Path, message: int) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in
            (case / "plan.jsonl").read_text(encoding="utf-8").splitlines()]
    return [row for row in rows if row["message"] == message]


def test_some_cases_have_a_utc_window_and_some_a_zone() -> None:
    windows = [w for case in CASES if (found := _windowed(case)) for w in [found[1]]]
    assert any("timeZone" not in w for w in windows)
    assert any("timeZone" in w for w in windows)
    assert len(windows) < len(CASES)  # and some have none


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_every_planned_attempt_is_inside_its_window(case: Path) -> None:
    found = _windowed(case)
    if found is None:
        assert not (case / "logs" / "S6-window.jsonl").exists()
        return
    m, window = found
    attempts = [datetime.fromisoformat(a) for row in _plan_rows(case, m) for a in row["attempts"]]
    assert attempts and all(_inside(window, at) for at in attempts)


def test_a_zoned_case_crosses_each_kind_of_dst_change() -> None:
    # Offsets of the zone at the first and the last attempt of the windowed message differ:
    # the campaign runs across a change. Both directions occur in the committed set.
    directions = set()
    for case in CASES:
        found = _windowed(case)
        if found is None or "timeZone" not in found[1]:
            continue
        zone = ZoneInfo(found[1]["timeZone"])
        attempts = sorted(datetime.fromisoformat(a) for row in _plan_rows(case, found[0])
                          for a in row["attempts"])
        before, after = (attempts[i].astimezone(zone).utcoffset() for i in (0, -1))
        assert before is not None and after is not None and before != after, case.name
        directions.add("spring" if after > before else "autumn")
    assert directions == {"spring", "autumn"}


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_the_window_fault_moves_one_attempt_into_a_closed_period(case: Path) -> None:
    found = _windowed(case)
    if found is None:
        return
    _, window = found
    conforming = (case / "logs" / "conforming.jsonl").read_text(encoding="utf-8").splitlines()
    broken = (case / "logs" / "S6-window.jsonl").read_text(encoding="utf-8").splitlines()
    (moved,) = set(broken) - set(conforming)
    assert len(set(conforming) - set(broken)) == 1 and len(broken) == len(conforming)
    assert not _inside(window, datetime.fromisoformat(json.loads(moved)["time"]))


def test_without_a_moved_retry_the_window_fault_uses_the_closing_instant() -> None:
    # Every day 08:00-20:00 UTC, 1 per hour, retries after 1 minute: nothing is ever moved.
    # Destination 0 tries at 09:00 and 09:01 (Monday 2030-01-07); the fault moves its last
    # attempt to 20:00, the closing instant, which the half-open window excludes. In time order
    # the log is a 09:00, b 10:00, b 10:01, a 20:00: the moved row is line 4.
    request = {"messages": [{
        "scenarioId": "S", "destinations": [{"to": "41790000001", "messageId": "a"},
                                            {"to": "41790000002", "messageId": "b"}],
        "sendingSpeed": {"speed": 1, "timeUnit": "hour"},
        "retry": {"minPeriod": 1, "maxPeriod": 1, "maxCount": 1},
        "deliveryTimeWindow": {"days": list(_DAYS), "from": {"hour": 8, "minute": 0},
                               "to": {"hour": 20, "minute": 0}}}]}
    case = Case("synthetic", request, datetime(2030, 1, 7, 9, tzinfo=timezone.utc), 0)
    the_plan = case.plan()
    log = window_fault(the_plan, rows_of(the_plan))
    assert log is not None
    texts = [json.loads(line) for line in log.text().splitlines()]
    assert texts[-1] == {"messageId": "a", "to": "41790000001", "attempt": 2,
                         "time": "2030-01-07T20:00:00.000+00:00"}
    assert log.violations == [{"rule": "S6-window", "message": 0, "index": 0,
                               "messageId": "a", "attempt": 2, "line": 4}]
    check_case_log(case, log)  # raises unless verify reports exactly that
