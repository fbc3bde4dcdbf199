"""The example policies of examples/policies (US federal, Florida, France): they parse, cite
their source, and a small plan under each obeys them at times computed by hand below."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from ivrsched.planning.planner import plan
from ivrsched.policy import CallingPolicy, parse_policy
from ivrsched.policy.pacing import PolicyEnding
from ivrsched.rules.instants import to_us

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "policies"
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _policy(name: str) -> CallingPolicy:
    return parse_policy((EXAMPLES / name).read_text(encoding="utf-8"), strict=True)


def _us(text: str) -> int:
    return to_us(datetime.fromisoformat(text))


def _attempts(request: dict[str, Any], policy: CallingPolicy) -> dict[tuple[int, int], Any]:
    return {(s.message, s.index): s for s in plan(request, now=NOW, policy=policy)}


@pytest.mark.parametrize("name", ["us-federal.json", "florida.json", "france.json"])
def test_each_example_parses_and_cites_its_source(name: str) -> None:
    policy = _policy(name)
    assert policy.notices == ()
    document = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    assert "not legal advice" in document["comment"]
    assert "http" in document["comment"]


def _retrying(send_at: str, numbers: list[str], period: int, count: int) -> dict[str, Any]:
    return {"scenarioId": "S", "sendAt": send_at,
            "retry": {"minPeriod": period, "maxPeriod": period, "maxCount": count},
            "destinations": [{"to": n} for n in numbers]}


def test_us_federal_08_to_21_at_the_called_party() -> None:
    # Saturday 2026-07-04 11:00Z; retries every 480 min (8 h), two of them.
    # New York (EDT, UTC-4): 07:00 local, opens 08:00 = 12:00Z; retry 20:00Z (16:00 EDT);
    #   the next would be 04:00Z (00:00 EDT): closed until 08:00 EDT = 12:00Z on 5 July.
    # Denver (MDT, UTC-6): 14:00Z, 22:00Z (16:00 MDT), then 06:00Z (00:00) -> 14:00Z 5 July.
    # Phoenix (MST, UTC-7): 15:00Z, 23:00Z (16:00 MST), then 07:00Z (00:00) -> 15:00Z 5 July.
    request = {"messages": [_retrying("2026-07-04T11:00:00Z",
                                      ["12125550100", "13035550100", "16025550100"], 480, 2)]}
    rows = _attempts(request, _policy("us-federal.json"))
    assert rows[0, 0].attempts_us == (_us("2026-07-04T12:00:00+00:00"),
                                      _us("2026-07-04T20:00:00+00:00"),
                                      _us("2026-07-05T12:00:00+00:00"))
    assert rows[0, 1].attempts_us == (_us("2026-07-04T14:00:00+00:00"),
                                      _us("2026-07-04T22:00:00+00:00"),
                                      _us("2026-07-05T14:00:00+00:00"))
    assert rows[0, 2].attempts_us == (_us("2026-07-04T15:00:00+00:00"),
                                      _us("2026-07-04T23:00:00+00:00"),
                                      _us("2026-07-05T15:00:00+00:00"))


def test_florida_08_to_20_and_three_calls_per_24_hours() -> None:
    # +1 305 (Miami) is America/New_York, on EDT (UTC-4) on Tuesday 2026-03-10.
    # Message 0: from 13:00Z (09:00 EDT), retries every 60 min, four of them. Attempts 1-3 at
    # 13:00Z, 14:00Z, 15:00Z; the 4th (due 16:00Z) would be the 4th in 24 h: it waits until
    # 13:00Z on 11 March, when the 13:00Z attempt of the 10th leaves the rolling 24 h (09:00
    # EDT, open). The 5th is due at 14:00Z on the 11th; the 24 h before it, (14:00Z 10th,
    # 14:00Z 11th], hold 15:00Z and 13:00Z only: allowed.
    # Message 1: +1 407 (Orlando, America/New_York) at 23:30Z (19:30 EDT); its retry 60 min
    # later would be 20:30 EDT, after 20:00: moved to 08:00 EDT on the 11th = 12:00Z.
    request = {"messages": [_retrying("2026-03-10T13:00:00Z", ["13055550100"], 60, 4),
                            _retrying("2026-03-10T23:30:00Z", ["14075550100"], 60, 1)]}
    rows = _attempts(request, _policy("florida.json"))
    assert rows[0, 0].attempts_us == (
        _us("2026-03-10T13:00:00+00:00"), _us("2026-03-10T14:00:00+00:00"),
        _us("2026-03-10T15:00:00+00:00"), _us("2026-03-11T13:00:00+00:00"),
        _us("2026-03-11T14:00:00+00:00"))
    assert rows[1, 0].attempts_us == (_us("2026-03-10T23:30:00+00:00"),
                                      _us("2026-03-11T12:00:00+00:00"))


def test_france_weekdays_lunch_break_holidays_and_four_calls_per_30_days() -> None:
    # Friday 2026-05-01 is a public holiday (fete du Travail), then a weekend: the first
    # opening is Monday 4 May 10:00 CEST (UTC+2) = 08:00Z. Paced (1 per minute), so there is
    # no deadline. Retries every 120 min: 10:00Z (12:00 CEST), 12:00Z (14:00 CEST: the
    # afternoon opens at 14:00), 14:00Z (16:00 CEST). The 5th attempt (due 16:00Z) would be
    # the 5th in 30 days: it waits until 08:00Z on 3 June (30 days after the first), a
    # Wednesday, 10:00 CEST: open.
    request = {"messages": [{**_retrying("2026-05-01T08:00:00Z", ["33145678901"], 120, 4),
                             "sendingSpeed": {"speed": 1, "timeUnit": "minute"}}]}
    rows = _attempts(request, _policy("france.json"))
    assert rows[0, 0].zones == ("Europe/Paris",)
    assert rows[0, 0].attempts_us == (
        _us("2026-05-04T08:00:00+00:00"), _us("2026-05-04T10:00:00+00:00"),
        _us("2026-05-04T12:00:00+00:00"), _us("2026-05-04T14:00:00+00:00"),
        _us("2026-06-03T08:00:00+00:00"))


def test_france_a_retry_in_the_lunch_break_waits_until_14_00() -> None:
    # Tuesday 2026-05-05 10:30Z = 12:30 CEST; the retry 60 min later is 13:30 CEST, in the
    # lunch break: moved to 14:00 CEST = 12:00Z. Default validity (48 h) is not reached.
    request = {"messages": [_retrying("2026-05-05T10:30:00Z", ["33145678901"], 60, 1)]}
    rows = _attempts(request, _policy("france.json"))
    assert rows[0, 0].attempts_us == (_us("2026-05-05T10:30:00+00:00"),
                                      _us("2026-05-05T12:00:00+00:00"))


def test_france_a_short_validity_over_a_holiday_weekend_expires() -> None:
    # From Friday 1 May (holiday) 08:00Z with the default 48 h validity: the deadline is
    # Sunday 3 May 08:00Z, before the first opening (Monday): expired, no attempt.
    request = {"messages": [_retrying("2026-05-01T08:00:00Z", ["33145678901"], 60, 1)]}
    rows = _attempts(request, _policy("france.json"))
    assert rows[0, 0].attempts_us == ()
    assert rows[0, 0].ending is PolicyEnding.DEADLINE


def test_explain_policy_summarises_the_zones(tmp_path: Path) -> None:
    import subprocess
    import sys

    # +1 212 New York, +1 208 both Boise and Los Angeles, +41 79302 no zone; the us-federal
    # policy has no fallbackZone, so that one is not called.
    request = tmp_path / "r.json"
    request.write_text(json.dumps({"messages": [{
        "scenarioId": "S", "sendAt": "2026-07-06T12:00:00Z",
        "destinations": [{"to": t} for t in ("12125550100", "12125550101", "12085550100",
                                             "4179302")]}]}))
    done = subprocess.run([sys.executable, "-m", "ivrsched", "explain", str(request),
                           "--now", "2026-07-01T00:00:00Z", "--policy",
                           str(EXAMPLES / "us-federal.json")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert ("zones: 2 destinations in America/New_York, 1 in both America/Boise and "
            "America/Los_Angeles (the intersection is used), 1 with no known zone and no "
            "fallbackZone: not called (expired)") in done.stdout
    # 12:00Z on Monday 6 July is 08:00 EDT: New York's first attempts are at the start; +1 208
    # opens at 08:00 PDT (Los Angeles, UTC-7) = 15:00Z.
    assert "first 12:00, last 15:00" in done.stdout


def test_the_zone_sentence_with_a_fallback() -> None:
    from ivrsched.policy.zone_summary import describe_zones, summarize_zones
    from ivrsched.request.model import Destination

    policy = parse_policy({"callingHours": {"fallbackZone": "America/New_York"}})
    numbers = ["12125550100"] * 1204 + ["12085550100"] * 310 + ["4179302"] * 12
    sentence = describe_zones(summarize_zones(policy, [Destination(n) for n in numbers]))
    assert sentence == ("1,204 destinations in America/New_York, 310 in both America/Boise "
                        "and America/Los_Angeles (the intersection is used), 12 with no known "
                        "zone: fallback America/New_York")
