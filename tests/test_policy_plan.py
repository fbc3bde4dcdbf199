"""Plans under a calling policy (SPEC S15): ``plan(policy=)``, its row order and outputs, and
``plan --policy`` on the command line. The properties check every attempt against an
independent reading of the policy (zoneinfo wall clocks, the ``holidays`` package), not the
engine's calendars; the examples' times are computed by hand in the comments."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ivrsched
from ivrsched.ids import SeededIds
from ivrsched.io.plan_formats import write_csv, write_json, write_jsonl
from ivrsched.planning.planner import plan
from ivrsched.planning.policy_plan import NoRandomAccessError
from ivrsched.planning.streaming import stream_plan
from ivrsched.policy import CallingPolicy, parse_policy
from ivrsched.policy.pacing import PolicyEnding
from ivrsched.request.destinations import normalize_to
from ivrsched.request.model import Destination
from ivrsched.rules.instants import to_us
from ivrsched.testing import calling_policies, requests, zoned_numbers

NOW = datetime(2026, 3, 7, 0, 0, tzinfo=timezone.utc)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
HOURS_8_21 = {"callingHours": {"zone": "recipient", "from": {"hour": 8, "minute": 0},
                               "to": {"hour": 21, "minute": 0}}}


def _us(text: str) -> int:
    return to_us(datetime.fromisoformat(text))


def _rows(the_plan: ivrsched.Plan) -> dict[tuple[int, int], Any]:
    return {(s.message, s.index): s for s in the_plan}


# -- the independent reading of a policy -----------------------------------------------------

def _allowed_in(policy: CallingPolicy, zone: str, at_us: int) -> bool:
    local = (EPOCH + timedelta(microseconds=at_us)).astimezone(ZoneInfo(zone))
    if local.date() in policy.closed_dates:
        return False
    if policy.holidays is not None:
        import holidays

        region = holidays.country_holidays(policy.holidays.country,
                                           subdiv=policy.holidays.subdivision,
                                           years=local.year)
        if local.date() in region:
            return False
    minute = local.hour * 60 + local.minute
    for period in policy.periods:
        if local.weekday() not in {d.value for d in period.days}:
            continue
        start = 0 if period.start is None else period.start.minutes
        end = 24 * 60 if period.end is None else period.end.minutes
        if start <= minute < end:
            return True
    return False


def _policy_requests() -> st.SearchStrategy[Any]:
    """Requests over a few zoned numbers (shared across messages, so the cap couples them),
    paced in minutes or hours when paced, starting on Saturday 2026-03-07."""
    @st.composite
    def build(draw: st.DrawFn) -> Any:
        request = draw(requests(3, 6, windows=False, send_at=False, rejected=True))
        pool = draw(st.lists(zoned_numbers(), min_size=1, max_size=3))
        for message in request["messages"]:
            for destination in message["destinations"]:
                if destination.get("to") and draw(st.integers(0, 5)):
                    destination["to"] = draw(st.sampled_from(pool))
            if "sendingSpeed" in message:
                message["sendingSpeed"] = {"speed": draw(st.integers(1, 4)),
                                           "timeUnit": draw(st.sampled_from(["minute", "hour"]))}
        return request
    return build()


@given(_policy_requests(), calling_policies(first_day="2026-03-07", days=10, min_from=240),
       st.integers(0, 3))
def test_a_plan_under_a_policy_obeys_it(request: Any, policy_json: Any, delay: int) -> None:
    policy = parse_policy(policy_json)
    the_plan = plan(request, now=NOW, ids=SeededIds(1), policy=policy,
                    failure_delay=timedelta(minutes=delay))
    assert the_plan.policy is policy
    rows = list(the_plan)
    # Every destination exactly once, rejected ones included.
    keys = [(s.message, s.index) for s in rows]
    expected = {(m, i) for m, message in enumerate(the_plan.request.messages)
                for i in range(len(message.destinations))}
    assert len(keys) == len(set(keys)) and set(keys) == expected
    by_number: dict[str, list[int]] = {}
    firsts: dict[int, list[int]] = {}
    for s in rows:
        if s.status.is_rejected:
            assert s.zones is None and s.ending is None and not s.attempts_us
            continue
        assert s.zones is not None and s.ending is not None
        if not s.zones and policy.is_local:
            assert s.ending is PolicyEnding.NO_ZONE and not s.attempts_us
        message_plan = the_plan.messages[s.message]
        gaps = message_plan.timeline.gaps_us
        assert len(s.attempts_us) <= 1 + len(gaps)
        for k, at in enumerate(s.attempts_us):
            assert at >= message_plan.start_us
            deadline = message_plan.deadline_us if message_plan.pace is None else None
            assert deadline is None or at < deadline
            # Inside the hours of every candidate zone, on none of its closed days or holidays.
            assert all(_allowed_in(policy, zone, at) for zone in s.zones), (s, at)
            if k:
                # S5: each retry waits at least g_k after the previous attempt failed.
                previous = s.attempts_us[k - 1]
                assert at >= previous + delay * 60_000_000 + gaps[k - 1]
        if s.attempts_us:
            assert s.to is not None
            by_number.setdefault(normalize_to(s.to), []).extend(s.attempts_us)
            firsts.setdefault(s.message, []).append(s.attempts_us[0])
        if s.ending is PolicyEnding.RETRIES_EXHAUSTED:
            assert len(s.attempts_us) == 1 + len(gaps)
    if policy.cap is not None:
        m, period = policy.cap.max_attempts, policy.cap.period_minutes * 60_000_000
        for times in by_number.values():
            times.sort()
            assert all(times[i + m] - times[i] >= period for i in range(len(times) - m))
    for message, times in firsts.items():
        pace = the_plan.messages[message].pace
        if pace is not None:
            times.sort()
            assert all(times[i + pace.speed] - times[i] >= pace.unit_us
                       for i in range(len(times) - pace.speed))


@given(_policy_requests(), calling_policies(first_day="2026-03-07", days=10))
def test_the_row_order_is_deterministic_and_every_output_has_every_row(
        request: Any, policy_json: Any) -> None:
    policy = parse_policy(policy_json)
    first = plan(request, now=NOW, ids=SeededIds(2), policy=policy)
    again = plan(request, now=NOW, ids=SeededIds(2), policy=policy)
    assert list(first) == list(again)
    out = io.StringIO()
    write_jsonl(first, out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["message"], r["index"]) for r in lines] == [(s.message, s.index) for s in first]
    # Rejected destinations come first (in request order), accepted ones after.
    rejected = [r["status"] != "PENDING_ACCEPTED" for r in lines]
    assert rejected == sorted(rejected, reverse=True)


# -- hand-checked examples across DST ---------------------------------------------------------

def _unpaced(numbers: list[str], send_at: str, retry: dict[str, int] | None = None,
             validity: int | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"scenarioId": "S", "sendAt": send_at,
                               "destinations": [{"to": n} for n in numbers]}
    if retry is not None:
        message["retry"] = retry
    if validity is not None:
        message["validityPeriod"] = validity
    return {"messages": [message]}


NY, DENVER, PHOENIX = "12125550100", "13035550100", "16025550100"


def test_first_attempts_open_at_08_local_after_the_spring_change() -> None:
    # US clocks went forward on Sunday 2026-03-08 at 02:00 local. At 10:00Z that day:
    # New York is on EDT (UTC-4): 06:00 local, it opens at 08:00 EDT = 12:00Z;
    # Denver is on MDT (UTC-6): 04:00 local, opens at 08:00 MDT = 14:00Z;
    # Phoenix stays on MST (UTC-7): opens at 08:00 MST = 15:00Z.
    the_plan = plan(_unpaced([NY, DENVER, PHOENIX], "2026-03-08T10:00:00Z"), now=NOW,
                    policy=parse_policy(HOURS_8_21))
    rows = _rows(the_plan)
    assert rows[0, 0].attempts_us == (_us("2026-03-08T12:00:00+00:00"),)
    assert rows[0, 1].attempts_us == (_us("2026-03-08T14:00:00+00:00"),)
    assert rows[0, 2].attempts_us == (_us("2026-03-08T15:00:00+00:00"),)
    assert rows[0, 0].zones == ("America/New_York",)
    assert rows[0, 2].zones == ("America/Phoenix",)


def test_the_day_before_the_spring_change_denver_opens_an_hour_later() -> None:
    # Saturday 2026-03-07, still winter time: New York EST (UTC-5) opens at 13:00Z, Denver MST
    # (UTC-7) at 15:00Z, the same instant as Phoenix (MST all year).
    rows = _rows(plan(_unpaced([NY, DENVER, PHOENIX], "2026-03-07T10:00:00Z"), now=NOW,
                      policy=parse_policy(HOURS_8_21)))
    assert [rows[0, i].attempts_us for i in range(3)] == [
        (_us("2026-03-07T13:00:00+00:00"),), (_us("2026-03-07T15:00:00+00:00"),),
        (_us("2026-03-07T15:00:00+00:00"),)]


def test_after_the_autumn_change_denver_and_phoenix_open_together() -> None:
    # US clocks went back on Sunday 2026-11-01 at 02:00 local. At 11:00Z that day:
    # New York is on EST (UTC-5) since 06:00Z: opens at 08:00 EST = 13:00Z;
    # Denver is on MST (UTC-7) since 08:00Z: opens at 15:00Z, as Phoenix (MST) does.
    rows = _rows(plan(_unpaced([NY, DENVER, PHOENIX], "2026-11-01T11:00:00Z"), now=NOW,
                      policy=parse_policy(HOURS_8_21)))
    assert [rows[0, i].attempts_us for i in range(3)] == [
        (_us("2026-11-01T13:00:00+00:00"),), (_us("2026-11-01T15:00:00+00:00"),),
        (_us("2026-11-01T15:00:00+00:00"),)]


def test_a_retry_after_closing_time_moves_to_the_next_local_morning_across_dst() -> None:
    # Saturday 2026-10-31 20:30 EDT (UTC-4) = 00:30Z on 1 November: the first attempt in New
    # York. The retry 60 min later would be 21:30 EDT, after 21:00: it moves to 08:00 the next
    # morning, which is Sunday 1 November, on EST (UTC-5) by then: 13:00Z.
    rows = _rows(plan(_unpaced([NY], "2026-11-01T00:30:00Z",
                               retry={"minPeriod": 60, "maxPeriod": 60, "maxCount": 1}),
                      now=NOW, policy=parse_policy(HOURS_8_21)))
    assert rows[0, 0].attempts_us == (_us("2026-11-01T00:30:00+00:00"),
                                      _us("2026-11-01T13:00:00+00:00"))
    assert rows[0, 0].ending is PolicyEnding.RETRIES_EXHAUSTED


def test_a_paced_message_gives_each_slot_to_the_first_open_destination() -> None:
    # 2 per hour from 12:00Z on 2026-03-08 (slots 12:00, 12:30, 13:00, …). Only New York is
    # open at 12:00Z (08:00 EDT); Denver opens at 14:00Z (08:00 MDT), Phoenix at 15:00Z; +1 208
    # is both America/Boise (MDT: 14:00Z) and America/Los_Angeles (PDT, UTC-7: 15:00Z), so
    # the intersection opens at 15:00Z, whose slot Phoenix (earlier in request order) takes:
    # Boise gets 15:30Z.
    request = {"messages": [{"scenarioId": "S", "sendAt": "2026-03-08T12:00:00Z",
                             "sendingSpeed": {"speed": 2, "timeUnit": "hour"},
                             "destinations": [{"to": t} for t in
                                              (NY, DENVER, PHOENIX, "12085550100")]}]}
    the_plan = plan(request, now=NOW, policy=parse_policy(HOURS_8_21))
    rows = list(the_plan)
    assert [(s.index, s.attempts_us) for s in rows] == [
        (0, (_us("2026-03-08T12:00:00+00:00"),)), (1, (_us("2026-03-08T14:00:00+00:00"),)),
        (2, (_us("2026-03-08T15:00:00+00:00"),)), (3, (_us("2026-03-08T15:30:00+00:00"),))]
    assert rows[3].zones == ("America/Boise", "America/Los_Angeles")


def test_a_destination_that_cannot_be_reached_before_the_deadline_expires() -> None:
    # 22:00Z on 2026-03-08 is 18:00 EDT in New York (open) but 15:00 MST in Phoenix... so use
    # a validity of 60 min from 02:00Z (22:00 EDT, closed until 08:00): New York expires.
    rows = _rows(plan(_unpaced([NY, "4179302"], "2026-03-09T02:00:00Z", validity=60),
                      now=NOW, policy=parse_policy(HOURS_8_21)))
    assert rows[0, 0].attempts_us == () and rows[0, 0].ending is PolicyEnding.DEADLINE
    # +4179302 has no zone and the policy names no fallback: not called, expired.
    assert rows[0, 1].zones == () and rows[0, 1].ending is PolicyEnding.NO_ZONE
    assert rows[0, 1].ending.expired


# -- the plan's shape -------------------------------------------------------------------------

def test_message_plans_under_a_policy_refuse_random_access() -> None:
    the_plan = plan(_unpaced([NY], "2026-03-08T10:00:00Z"), now=NOW,
                    policy=parse_policy(HOURS_8_21))
    with pytest.raises(NoRandomAccessError, match="iterate the Plan"):
        the_plan.messages[0][0]
    with pytest.raises(TypeError):
        list(the_plan.messages[0])
    assert len(the_plan.messages[0]) == 1


def test_a_streamed_plan_under_a_policy_has_the_rows_of_a_listed_one() -> None:
    request = _unpaced([NY], "2026-03-08T10:00:00Z")
    destinations = [Destination(t) for t in (NY, "x", DENVER, PHOENIX)]
    policy = parse_policy(HOURS_8_21)
    listed = list(plan(request, destinations, now=NOW, ids=SeededIds(3), policy=policy))
    streamed = stream_plan(request, iter(destinations), now=NOW, ids=SeededIds(3),
                           policy=policy)
    assert [(s.index, s.attempts_us, s.zones) for s in streamed] == [
        (s.index, s.attempts_us, s.zones) for s in listed]
    assert streamed.plan.policy is policy
    assert [s.index for s in listed] == [1, 0, 2, 3]


def test_the_top_level_package_exports_the_policy() -> None:
    assert ivrsched.CallingPolicy is CallingPolicy
    assert ivrsched.parse_policy is parse_policy
    assert {"CallingPolicy", "parse_policy"} <= set(ivrsched.__all__)


# -- outputs ----------------------------------------------------------------------------------

def test_without_a_policy_the_outputs_are_those_of_s1_to_s12() -> None:
    # Written by hand from S3 (1 per minute from 12:00Z) and S8; no zones, no ending.
    request = {"messages": [{"scenarioId": "S", "sendAt": "2026-03-08T12:00:00Z",
                             "sendingSpeed": {"speed": 1, "timeUnit": "minute"},
                             "destinations": [{"to": NY, "messageId": "a"},
                                              {"to": DENVER, "messageId": "b"}]}]}
    for the_plan in (plan(request, now=NOW), plan(request, now=NOW, policy=None)):
        out = io.StringIO()
        write_jsonl(the_plan, out)
        assert out.getvalue() == (
            '{"message": 0, "index": 0, "to": "12125550100", "messageId": "a", '
            '"status": "PENDING_ACCEPTED", "attempts": ["2026-03-08T12:00:00.000+00:00"], '
            '"deadline": null}\n'
            '{"message": 0, "index": 1, "to": "13035550100", "messageId": "b", '
            '"status": "PENDING_ACCEPTED", "attempts": ["2026-03-08T12:01:00.000+00:00"], '
            '"deadline": null}\n')
        out = io.StringIO()
        write_csv(the_plan, out)
        assert out.getvalue().splitlines()[0] == "message,index,to,messageId,status,attempt,time"


def test_policy_rows_in_jsonl_csv_and_json() -> None:
    request = _unpaced([DENVER, "4179302"], "2026-03-08T10:00:00Z")
    request["messages"][0]["destinations"][0]["messageId"] = "d"
    request["messages"][0]["destinations"][1]["messageId"] = "z"
    the_plan = plan(request, now=NOW, policy=parse_policy(HOURS_8_21))
    out = io.StringIO()
    write_jsonl(the_plan, out)
    # The no-zone destination is final when it is read, Denver when its attempt is placed.
    assert out.getvalue().splitlines() == [
        '{"message": 0, "index": 1, "to": "4179302", "messageId": "z", '
        '"status": "PENDING_ACCEPTED", "attempts": [], '
        '"deadline": "2026-03-10T10:00:00.000+00:00", "zones": [], "ending": "no-zone"}',
        '{"message": 0, "index": 0, "to": "13035550100", "messageId": "d", '
        '"status": "PENDING_ACCEPTED", "attempts": ["2026-03-08T14:00:00.000+00:00"], '
        '"deadline": "2026-03-10T10:00:00.000+00:00", "zones": ["America/Denver"], '
        '"ending": "retries-exhausted"}']
    out = io.StringIO()
    write_csv(the_plan, out)
    assert out.getvalue().splitlines() == [
        "message,index,to,messageId,status,attempt,time,zones,ending",
        "0,1,4179302,z,PENDING_ACCEPTED,,,,no-zone",
        "0,0,13035550100,d,PENDING_ACCEPTED,1,2026-03-08T14:00:00.000+00:00,America/Denver,"
        "retries-exhausted"]
    out = io.StringIO()
    write_json(the_plan, out)
    document = json.loads(out.getvalue())
    header = document["messages"][0]
    assert header["firstAttempt"] == "2026-03-08T14:00:00.000+00:00"
    assert [d["zones"] for d in header["destinations"]] == [[], ["America/Denver"]]


def test_policy_rows_in_arrow() -> None:
    pytest.importorskip("pyarrow")
    the_plan = plan(_unpaced([DENVER, "x"], "2026-03-08T10:00:00Z"), now=NOW,
                    policy=parse_policy(HOURS_8_21))
    table = the_plan.to_arrow()
    assert table.column("zones").to_pylist() == [None, ["America/Denver"]]
    assert table.column("ending").to_pylist() == [None, "retries-exhausted"]
    assert table.column("attempts_us").to_pylist() == [[], [_us("2026-03-08T14:00:00+00:00")]]


# -- the command line -------------------------------------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ivrsched", *args], capture_output=True,
                          text=True, timeout=60, check=False)


def test_plan_policy_on_the_command_line(tmp_path: Path) -> None:
    request = tmp_path / "r.json"
    request.write_text(json.dumps(_unpaced([NY, DENVER], "2026-03-08T10:00:00Z")))
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps(HOURS_8_21))
    without = _cli("plan", str(request), "--now", "2026-03-07T00:00:00Z", "--seed", "1")
    under = _cli("plan", str(request), "--now", "2026-03-07T00:00:00Z", "--seed", "1",
                 "--policy", str(policy))
    assert without.returncode == under.returncode == 0, under.stderr
    assert "zones" not in without.stdout
    rows = [json.loads(line) for line in under.stdout.splitlines()]
    assert [(r["index"], r["zones"], r["attempts"]) for r in rows] == [
        (0, ["America/New_York"], ["2026-03-08T12:00:00.000+00:00"]),
        (1, ["America/Denver"], ["2026-03-08T14:00:00.000+00:00"])]
    # Without a policy the first attempts are at the start, 10:00Z (S2).
    assert json.loads(without.stdout.splitlines()[1])["attempts"] == [
        "2026-03-08T10:00:00.000+00:00"]
    for fmt in ("csv", "json", "table"):
        shown = _cli("plan", str(request), "--now", "2026-03-07T00:00:00Z", "--seed", "1",
                     "--policy", str(policy), "--format", fmt)
        assert shown.returncode == 0 and "America/Denver" in shown.stdout, (fmt, shown.stderr)


def test_a_bad_policy_file_exits_3_naming_every_problem(tmp_path: Path) -> None:
    request = tmp_path / "r.json"
    request.write_text(json.dumps(_unpaced([NY], "2026-03-08T10:00:00Z")))
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({"callingHours": {"from": {"hour": 25, "minute": 0}},
                                  "frequencyCap": {"maxAttempts": 0}}))
    done = _cli("plan", str(request), "--policy", str(policy))
    assert done.returncode == 3
    assert done.stderr.count(str(policy)) >= 2 and "Traceback" not in done.stderr


def test_holidays_close_whole_local_days() -> None:
    # 2026-11-26 is Thanksgiving (US federal holiday): a call planned for 14:00Z that day in
    # New York moves to the next day's 08:00 EST = 13:00Z on Friday 27 November.
    policy = parse_policy({**HOURS_8_21, "holidays": {"country": "US"}})
    rows = _rows(plan(_unpaced([NY], "2026-11-26T14:00:00Z"), now=NOW, policy=policy))
    assert rows[0, 0].attempts_us == (_us("2026-11-27T13:00:00+00:00"),)
    assert date(2026, 11, 26).weekday() == 3  # a Thursday, as the holiday is
