"""``ivrsched vectors --policy`` (SPEC S11, S15): cases planned and checked under a calling
policy, and the plain vectors left byte for byte as they were."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given

from ivrsched.cli.main import main
from ivrsched.oracle.policy_vectors import NO_ZONE_NUMBER, policy_document
from ivrsched.oracle.vectors import README, build_case, violation_key, write_vectors
from ivrsched.policy import parse_policy
from ivrsched.testing import calling_policies

ROOT = Path(__file__).resolve().parent.parent
FRANCE = ROOT / "examples" / "policies" / "france.json"
POLICY_RULES = ("S15-hours", "S15-closed", "S15-cap", "S15-no-zone")
_WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


def digest(root: Path) -> str:
    """SHA-256 over every file under ``root``: its relative path and its bytes, sorted."""
    found = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        found.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes()
                     + b"\0")
    return found.hexdigest()


# -- without a policy nothing changed ----------------------------------------------------------

#: Digests of ``ivrsched vectors OUT --count COUNT --seed SEED`` written by the code before
#: ``--policy`` existed (commit 97c846e), hashed by :func:`digest`.
PLAIN_DIGESTS = {
    (6, 0): "5e477af9dde699eab90ffb07adb154de03628184913e12e6b8e0387b1b0962c8",
    (6, 7): "d991b886b04d33fbfe97708f7c02a32c7592ce678ee7e08fe2bf5413d19a5c30",
    (9, 3): "b29c3d9a793036e51c8b18622b45cfcdb9f53a64c69ef03c5d9bd0548a6a5445",
}


@pytest.mark.parametrize(("count", "seed"), sorted(PLAIN_DIGESTS))
def test_without_a_policy_the_vectors_are_byte_identical_to_before(
        tmp_path: Path, count: int, seed: int) -> None:
    assert main(["vectors", str(tmp_path / "out"), "--count", str(count),
                 "--seed", str(seed)]) == 0
    assert digest(tmp_path / "out") == PLAIN_DIGESTS[count, seed]
    assert not list((tmp_path / "out").rglob("policy.json"))


def test_the_plain_readme_is_unchanged_and_the_policy_one_explains_the_policy(
        tmp_path: Path) -> None:
    write_vectors(tmp_path / "plain", 1, 4)
    assert (tmp_path / "plain" / "README.md").read_text(encoding="utf-8") == \
        README.format(count=1, seed=4)
    write_vectors(tmp_path / "policy", 1, 4, policy=FRANCE.read_text(encoding="utf-8"))
    text = (tmp_path / "policy" / "README.md").read_text(encoding="utf-8")
    assert text.startswith(README.format(count=1, seed=4).replace(
        "--seed 4 DIR`", "--seed 4 --policy FILE DIR`"))
    for words in ("policy.json", '"policy": "policy.json"', "--now NOW --seed IDSEED --policy",
                  "`zones`", "`ending`", *POLICY_RULES):
        assert words in text, words


# -- the command -------------------------------------------------------------------------------

def _verify_cli(case: Path, log: dict[str, Any], meta: dict[str, Any], exact: bool,
                capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    argv = ["verify", str(case / "request.json"), str(case / log["file"]), "--now", meta["now"],
            "--seed", str(meta["idSeed"]), "--policy", str(case / meta["policy"]),
            "--format", "jsonl", *(["--exact"] if exact else [])]
    code = main(argv)
    out = capsys.readouterr().out
    found = [violation_key(json.loads(line)) for line in out.splitlines()]
    assert code == (1 if found else 0), argv
    return found


def test_vectors_policy_writes_cases_whose_logs_verify_gives_exactly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["vectors", str(out), "--count", "3", "--seed", "5",
                 "--policy", str(FRANCE)]) == 0
    assert "wrote 3 case(s)" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "case-001", "case-002",
                                                      "case-003"]
    rules: set[str] = set()
    for case in sorted(p for p in out.iterdir() if p.is_dir()):
        meta = json.loads((case / "case.json").read_text(encoding="utf-8"))
        assert meta["policy"] == "policy.json"
        assert (case / "policy.json").read_bytes() == FRANCE.read_bytes()
        # plan.jsonl is exactly `plan --policy --format jsonl`.
        assert main(["plan", str(case / "request.json"), "--now", meta["now"], "--seed",
                     str(meta["idSeed"]), "--policy", str(case / "policy.json"),
                     "--format", "jsonl"]) == 0
        shown = capsys.readouterr().out
        assert shown == (case / "plan.jsonl").read_text(encoding="utf-8")
        rows = [json.loads(line) for line in shown.splitlines()]
        accepted = [r for r in rows if r["status"] == "PENDING_ACCEPTED"]
        assert accepted and all("zones" in r and "ending" in r for r in accepted)
        # Every number but the one meant to have none has a known zone.
        assert all(r["zones"] for r in accepted if r["to"] != NO_ZONE_NUMBER)
        files = {str(p.relative_to(case)) for p in (case / "logs").iterdir()}
        assert files == {log["file"] for log in meta["logs"]}
        for log in meta["logs"]:
            for exact in (False, True) if log["exact"] else (False,):
                assert _verify_cli(case, log, meta, exact, capsys) == log["violations"], \
                    (case.name, log["file"], exact)
            rules.update(v["rule"] for v in log["violations"])
    assert rules >= set(POLICY_RULES)


def test_a_bad_policy_file_exits_3_naming_each_problem_at_its_pointer(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"callingHours": {"zone": "Mars/Olympus",
                                                "from": {"hour": 25, "minute": 0},
                                                "to": {"hour": 8, "minute": 0}},
                               "frequencyCap": {"maxAttempts": 0, "periodMinutes": 60}}),
                   encoding="utf-8")
    out = tmp_path / "out"
    assert main(["vectors", str(out), "--policy", str(bad)]) == 3
    lines = capsys.readouterr().err.splitlines()
    for pointer in ("/callingHours/zone", "/callingHours/from/hour", "/frequencyCap/maxAttempts"):
        assert any(line.startswith(pointer + ":") and str(bad) in line for line in lines), \
            (pointer, lines)
    assert not out.exists()  # refused before anything is written
    bad.write_text("{not json", encoding="utf-8")
    assert main(["vectors", str(out), "--policy", str(bad)]) == 3
    assert str(bad) in capsys.readouterr().err and not out.exists()


# -- every rule of the policy, checked by hand ---------------------------------------------------

#: A policy under which every S15 rule can be broken: two periods on weekdays, closed days in
#: the weeks the cases run, US holidays, a tight cap and no fallbackZone.
SYNTHETIC = {"callingHours": {"zone": "recipient", "periods": [
    {"days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
     "from": {"hour": 9, "minute": 0}, "to": {"hour": 12, "minute": 0}},
    {"days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY"],
     "from": {"hour": 13, "minute": 30}, "to": {"hour": 19, "minute": 0}}]},
    "closedDates": ["2030-01-09", "2030-01-10", "2030-01-15", "2030-03-11", "2030-10-28"],
    "holidays": {"country": "US"},
    "frequencyCap": {"maxAttempts": 2, "periodMinutes": 120}}


def _inside(document: dict[str, Any], local: datetime) -> bool:
    """Independent membership: the local wall clock is in one of the periods on its day."""
    hours = document["callingHours"]
    periods = hours.get("periods", [hours])
    minutes = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
    for period in periods:
        if _WEEKDAYS[local.weekday()] not in period.get("days", _WEEKDAYS):
            continue
        start = period["from"]["hour"] * 60 + period["from"]["minute"]
        end = period["to"]["hour"] * 60 + period["to"]["minute"]
        if start <= minutes < end:
            return True
    return False


def _closed(document: dict[str, Any], day: date) -> bool:
    region = document.get("holidays")
    return day.isoformat() in document.get("closedDates", []) or (
        region is not None and day in holidays.country_holidays(
            region["country"], subdiv=region.get("subdivision")))


def _moved(conforming: list[dict[str, Any]], broken: list[dict[str, Any]]
           ) -> list[dict[str, Any]]:
    plain = [json.dumps(r, sort_keys=True) for r in conforming]
    return [r for r in broken if json.dumps(r, sort_keys=True) not in plain]


@pytest.mark.parametrize("document", [SYNTHETIC, json.loads(FRANCE.read_text("utf-8"))],
                         ids=["synthetic", "france"])
def test_each_policy_rule_is_broken_in_some_log_across_a_few_seeds(
        document: dict[str, Any]) -> None:
    policy = parse_policy(document)
    text = json.dumps(document)
    period = timedelta(minutes=document["frequencyCap"]["periodMinutes"])
    found: dict[str, int] = dict.fromkeys(POLICY_RULES, 0)
    for seed in range(3):
        for number in range(1, 5):
            case = build_case(seed, number, policy, text)  # raises unless verify agrees
            logs = {log.name: log for log in case.logs if not log.csv}
            conforming = [json.loads(line) for line in logs["conforming"].text().splitlines()]
            schedules = {(s.message, s.index): s for s in case.plan()}
            for rule in POLICY_RULES:
                log = logs.get(rule)
                if log is None:
                    continue
                found[rule] += 1
                assert log.violations and {v["rule"] for v in log.violations} == {rule}
                rows = [json.loads(line) for line in log.text().splitlines()]
                (changed,) = _moved(conforming, rows)  # one row moved or added
                assert all(v["line"] == rows.index(changed) + 1 for v in log.violations)
                at = datetime.fromisoformat(changed["time"])
                mine = next(s for s in schedules.values() if s.message_id == changed["messageId"])
                zones = mine.zones or ()
                if rule == "S15-no-zone":
                    assert changed["to"] == NO_ZONE_NUMBER and zones == ()
                    assert len(rows) == len(conforming) + 1
                    continue
                assert len(rows) == len(conforming)
                local = [at.astimezone(ZoneInfo(z)) for z in zones]
                if rule == "S15-hours":
                    outside = [t for t in local if not _inside(document, t)]
                    assert outside and len(log.violations) == len(outside)
                elif rule == "S15-closed":
                    assert all(_inside(document, t) for t in local)
                    closed = [t for t in local if _closed(document, t.date())]
                    assert closed and len(log.violations) == len(closed)
                else:  # S15-cap: the period ending at it already holds maxAttempts others
                    others = [r for r in rows if r is not changed and r["to"] == changed["to"]
                              and at - period < datetime.fromisoformat(r["time"]) <= at]
                    assert len(others) >= document["frequencyCap"]["maxAttempts"]
                    assert all(_inside(document, t) for t in local)
    assert all(found.values()), found


# -- the library -------------------------------------------------------------------------------

def test_write_vectors_takes_a_policy_object_or_document(tmp_path: Path) -> None:
    policy = parse_policy(SYNTHETIC)
    write_vectors(tmp_path / "object", 2, 1, policy=policy)
    write_vectors(tmp_path / "document", 2, 1, policy=SYNTHETIC)
    for kind in ("object", "document"):
        kept = (tmp_path / kind / "case-002" / "policy.json").read_text(encoding="utf-8")
        assert parse_policy(kept) == policy
    assert json.loads((tmp_path / "document" / "case-001" / "policy.json").read_text(
        encoding="utf-8")) == SYNTHETIC
    # The same cases either way: only policy.json is written differently.
    for name in ("request.json", "case.json", "plan.jsonl", "logs/S15-cap.jsonl"):
        assert (tmp_path / "object" / "case-001" / name).read_bytes() == \
            (tmp_path / "document" / "case-001" / name).read_bytes()


@given(calling_policies())
def test_a_policy_document_reads_back_as_the_policy(document: dict[str, Any]) -> None:
    policy = parse_policy(document)
    assert parse_policy(policy_document(policy)) == replace(policy, notices=())
