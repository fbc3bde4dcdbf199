"""The committed conformance vectors replay exactly, and the generator reproduces them."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

import pytest

from ivrsched import SeededIds, plan
from ivrsched.cli.main import main
from ivrsched.formats import jsonl_lines
from ivrsched.instants import from_us, parse_instant
from ivrsched.logs import format_for_path, read_log
from ivrsched.vectors import build_case, violation_key, write_vectors
from ivrsched.verification import verify

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
