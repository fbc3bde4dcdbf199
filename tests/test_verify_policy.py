"""``verify`` under a calling policy (SPEC S15): the four S15 rules in hand-written sentences,
the policy plan ``exact`` compares with, and properties: a log the policy engine places
verifies clean (plan-shaped and with random outcomes), and moving one of its attempts outside
the hours, onto a closed date or over the cap is flagged by the right rule."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import assume, given, note
from hypothesis import strategies as st

from ivrsched.oracle.conformance import RULES, verify, verify_report
from ivrsched.policy import parse_policy
from ivrsched.policy.zones import choose_zones
from ivrsched.request.destinations import normalize_to
from ivrsched.testing import (
    DEFAULT_NOW,
    calling_policies,
    policy_attempt_logs,
    policy_requests,
)

NOW = datetime(2030, 1, 7, 12, 0, tzinfo=timezone.utc)  # a Monday; New York is at UTC-05:00
FEDERAL = {"callingHours": {"zone": "recipient",
                            "days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY",
                                     "SATURDAY"],
                            "from": {"hour": 8, "minute": 0}, "to": {"hour": 21, "minute": 0}}}
NEW_YORK, BOISE, NO_ZONE = "12125550100", "12085550100", "4179302"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def request_of(*messages: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    """A request of unpaced messages, each a list of (to, messageId)."""
    return {"messages": [{"scenarioId": "S", **extra,
                          "destinations": [{"to": to, "messageId": mid} for to, mid in m]}
                         for m in messages]}


def row(mid: str, attempt: int, at: str, end: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"messageId": mid, "attempt": attempt, "time": at}
    if end is not None:
        found["end"] = end
    return found


def sentences(request: dict[str, Any], log: list[dict[str, Any]], policy: Any,
              now: datetime = NOW, **options: Any) -> list[str]:
    return [v.sentence for v in verify(request, log, now=now, policy=policy, **options)]


# -- the sentences, by hand ------------------------------------------------------------------------

def test_s15_hours_names_the_zone_its_local_time_and_the_allowed_hours() -> None:
    # 12:30Z on Monday 7 January 2030 is 07:30 in New York (EST, UTC-05:00).
    got = sentences(request_of([(NEW_YORK, "a")]), [row("a", 1, "2030-01-07T12:30:00Z")],
                    FEDERAL)
    assert got == [
        "S15-hours: message 0 destination 0 (to 12125550100, messageId a): attempt 1 at "
        "2030-01-07T12:30:00.000+00:00 is outside the calling hours in America/New_York: it is "
        "07:30:00 on MONDAY 2030-01-07 (UTC-05:00) there; calls are allowed MONDAY to SATURDAY "
        "08:00–21:00 [log line 1]"]


def test_s15_hours_in_two_zones_blames_only_the_closed_one() -> None:
    # +1 208 is both America/Boise (MST, UTC-07:00) and America/Los_Angeles (PST, UTC-08:00):
    # 15:30Z is 08:30 in Boise (allowed) and 07:30 in Los Angeles (not).
    got = sentences(request_of([(BOISE, "b")]), [row("b", 1, "2030-01-07T15:30:00Z")], FEDERAL)
    assert got == [
        "S15-hours: message 0 destination 0 (to 12085550100, messageId b): attempt 1 at "
        "2030-01-07T15:30:00.000+00:00 is outside the calling hours in America/Los_Angeles: it "
        "is 07:30:00 on MONDAY 2030-01-07 (UTC-08:00) there; calls are allowed MONDAY to "
        "SATURDAY 08:00–21:00 [log line 1]"]
    # At 16:00Z both are open (09:00 and 08:00).
    assert sentences(request_of([(BOISE, "b")]), [row("b", 1, "2030-01-07T16:00:00Z")],
                     FEDERAL) == []


def test_s15_hours_end_is_exclusive_and_several_periods_are_listed() -> None:
    policy = {"callingHours": {"zone": "Europe/Paris", "periods": [
        {"days": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
         "from": {"hour": 10, "minute": 0}, "to": {"hour": 13, "minute": 0}},
        {"days": ["MONDAY", "WEDNESDAY", "FRIDAY"],
         "from": {"hour": 14, "minute": 0}, "to": {"hour": 20, "minute": 0}}]}}
    # 12:00Z is 13:00 in Paris (CET, UTC+01:00): the end of the morning period, not inside.
    now = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)
    got = sentences(request_of([(NEW_YORK, "a")]), [row("a", 1, "2030-01-07T12:00:00Z")],
                    policy, now)
    assert got == [
        "S15-hours: message 0 destination 0 (to 12125550100, messageId a): attempt 1 at "
        "2030-01-07T12:00:00.000+00:00 is outside the calling hours in Europe/Paris: it is "
        "13:00:00 on MONDAY 2030-01-07 (UTC+01:00) there; calls are allowed MONDAY to FRIDAY "
        "10:00–13:00 and MONDAY, WEDNESDAY, FRIDAY 14:00–20:00 [log line 1]"]
    assert sentences(request_of([(NEW_YORK, "a")]), [row("a", 1, "2030-01-07T11:59:59Z")],
                     policy, now) == []


def test_s15_closed_names_the_holiday_by_the_local_date() -> None:
    policy = {"holidays": {"country": "US"}}
    now = datetime(2029, 12, 31, 12, 0, tzinfo=timezone.utc)
    # 03:00Z on 2 January is still 1 January (22:00) in New York: New Year's Day there.
    got = sentences(request_of([(NEW_YORK, "a")]), [row("a", 1, "2030-01-02T03:00:00Z")],
                    policy, now)
    assert got == [
        "S15-closed: message 0 destination 0 (to 12125550100, messageId a): attempt 1 at "
        "2030-01-02T03:00:00.000+00:00 is on 2030-01-01 in America/New_York, a public holiday "
        "in US: New Year's Day [log line 1]"]
    # 05:00Z on 2 January is 00:00 on 2 January in New York: an ordinary day.
    assert sentences(request_of([(NEW_YORK, "a")]), [row("a", 1, "2030-01-02T05:00:00Z")],
                     policy, now) == []


def test_s15_closed_names_a_closed_date_and_a_subdivision_holiday() -> None:
    policy = {"closedDates": ["2030-01-08"], "holidays": {"country": "US", "subdivision": "FL"}}
    got = sentences(request_of([(NEW_YORK, "a")]), [row("a", 1, "2030-01-08T16:00:00Z")],
                    policy)
    assert got == [
        "S15-closed: message 0 destination 0 (to 12125550100, messageId a): attempt 1 at "
        "2030-01-08T16:00:00.000+00:00 is on 2030-01-08 in America/New_York, a closed date of "
        "the policy [log line 1]"]
    # Monday 21 January 2030 is the third Monday of January.
    now = datetime(2030, 1, 21, 12, 0, tzinfo=timezone.utc)
    got = sentences(request_of([(NEW_YORK, "a")]), [row("a", 1, "2030-01-21T16:00:00Z")],
                    policy, now)
    assert got == [
        "S15-closed: message 0 destination 0 (to 12125550100, messageId a): attempt 1 at "
        "2030-01-21T16:00:00.000+00:00 is on 2030-01-21 in America/New_York, a public holiday "
        "in US-FL: Martin Luther King Jr. Day [log line 1]"]


def test_s15_cap_names_the_attempts_of_the_full_period_across_messages() -> None:
    policy = {"frequencyCap": {"maxAttempts": 2, "periodMinutes": 60}}
    request = {"messages": [
        {"scenarioId": "S", "retry": {"minPeriod": 10, "maxPeriod": 10, "maxCount": 2},
         "destinations": [{"to": NEW_YORK, "messageId": "a"}]},
        {"scenarioId": "S", "destinations": [{"to": "+" + NEW_YORK, "messageId": "c"}]}]}
    log = [row("a", 1, "2030-01-07T14:00:00Z"), row("a", 2, "2030-01-07T14:10:00Z"),
           row("c", 1, "2030-01-07T14:20:00Z")]
    assert sentences(request, log, policy) == [
        "S15-cap: message 1 destination 0 (to +12125550100, messageId c): attempt 1 at "
        "2030-01-07T14:20:00.000+00:00 would be the 3rd attempt to 12125550100 within 1 h (at "
        "most 2 per 1 h): message 0 destination 0 attempt 1 at 2030-01-07T14:00:00.000+00:00, "
        "message 0 destination 0 attempt 2 at 2030-01-07T14:10:00.000+00:00; not before "
        "2030-01-07T15:00:00.000+00:00 [log line 3]"]
    # The period is half-open: at 15:00 the attempt of 14:00 no longer counts.
    log[2] = row("c", 1, "2030-01-07T15:00:00Z")
    assert sentences(request, log, policy) == []


def test_s15_no_zone_without_a_fallback_and_the_fallback_zone_s_hours() -> None:
    request = request_of([(NO_ZONE, "z")])
    log = [row("z", 1, "2030-01-07T12:30:00Z")]
    assert sentences(request, log, FEDERAL) == [
        "S15-no-zone: message 0 destination 0 (to 4179302, messageId z): the policy knows no "
        "time zone for 4179302 and gives no fallbackZone, so it must not be called; the log "
        "has 1 attempt(s) for it, the first at 2030-01-07T12:30:00.000+00:00 [log line 1]"]
    fallback = {"callingHours": {**FEDERAL["callingHours"], "fallbackZone": "America/Chicago"}}
    # 12:30Z is 06:30 in Chicago (CST, UTC-06:00).
    assert sentences(request, log, fallback) == [
        "S15-hours: message 0 destination 0 (to 4179302, messageId z): attempt 1 at "
        "2030-01-07T12:30:00.000+00:00 is outside the calling hours in America/Chicago: it is "
        "06:30:00 on MONDAY 2030-01-07 (UTC-06:00) there; calls are allowed MONDAY to SATURDAY "
        "08:00–21:00 [log line 1]"]
    # A cap-only policy calls numbers whatever their zone.
    assert sentences(request, log, {"frequencyCap": {"maxAttempts": 1,
                                                     "periodMinutes": 5}}) == []


def test_the_rules_are_listed_and_the_summary_counts_them() -> None:
    assert RULES.index("S6-window") < RULES.index("S15-no-zone") < RULES.index("S15-hours") \
        < RULES.index("S15-closed") < RULES.index("S15-cap") < RULES.index("exact-time")
    report = verify_report(request_of([(NEW_YORK, "a")]),
                           [row("a", 1, "2030-01-07T12:30:00Z")], now=NOW, policy=FEDERAL)
    assert report.summary() == ("does not conform: 1 violation(s) (S15-hours ×1); 1 attempt(s) "
                                "of 1 destination(s) checked")
    v = report.violations[0]
    assert (v.rule, v.attempt, v.line, v.time_us) == ("S15-hours", 1, 1,
                                                      _us("2030-01-07T12:30:00+00:00"))


# -- exact and require_all under a policy ----------------------------------------------------------

def test_exact_compares_with_the_policy_plan() -> None:
    # Two New York numbers paced one per hour from 12:00Z (07:00 EST): the first slot no one
    # can take; 13:00Z (08:00) goes to destination 0, 14:00Z to destination 1.
    request = {"messages": [{"scenarioId": "S", "sendingSpeed": {"speed": 1, "timeUnit": "hour"},
                             "destinations": [{"to": NEW_YORK, "messageId": "a"},
                                              {"to": "13125550100", "messageId": "b"}]}]}
    good = [row("a", 1, "2030-01-07T13:00:00Z"), row("b", 1, "2030-01-07T14:00:00Z")]
    assert sentences(request, good, FEDERAL, exact=True, require_all=True) == []
    # Without the policy the plan has them at 12:00Z and 13:00Z.
    assert [v.rule for v in verify(request, good, now=NOW, exact=True)] == ["exact-time",
                                                                            "exact-time"]
    late = [row("a", 1, "2030-01-07T13:00:00Z"), row("b", 1, "2030-01-07T15:00:00Z")]
    assert sentences(request, late, FEDERAL, exact=True) == [
        "exact-time: message 0 destination 1 (to 13125550100, messageId b): attempt 1 at "
        "2030-01-07T15:00:00.000+00:00 is not at its planned instant "
        "2030-01-07T14:00:00.000+00:00 [log line 2]"]


def test_exact_replays_the_log_s_outcomes() -> None:
    # One number in two messages, at most 1 attempt per 60 minutes, a retry after 10 minutes.
    request = {"messages": [
        {"scenarioId": "S", "retry": {"minPeriod": 10, "maxPeriod": 10, "maxCount": 1},
         "destinations": [{"to": NEW_YORK, "messageId": "a"}]},
        {"scenarioId": "S", "destinations": [{"to": NEW_YORK, "messageId": "c"}]}]}
    policy = {"frequencyCap": {"maxAttempts": 1, "periodMinutes": 60}}
    # a answered at once: no retry, so c takes 13:00 (a's 12:00 + 60 min).
    answered = [row("a", 1, "2030-01-07T12:00:00Z", "2030-01-07T12:01:00Z"),
                row("c", 1, "2030-01-07T13:00:00Z")]
    assert sentences(request, answered, policy, exact=True, require_all=True) == []
    # a failed and was retried (12:11 due, the cap moves it to 13:00): c waits until 14:00.
    retried = [row("a", 1, "2030-01-07T12:00:00Z", "2030-01-07T12:01:00Z"),
               row("a", 2, "2030-01-07T13:00:00Z"), row("c", 1, "2030-01-07T14:00:00Z")]
    assert sentences(request, retried, policy, exact=True, require_all=True) == []


def test_require_all_does_not_ask_for_a_destination_the_policy_never_calls() -> None:
    request = request_of([(NO_ZONE, "z"), (NEW_YORK, "a")])
    # 13:00Z is 08:00 in New York; 4179302 has no zone and is never called.
    log = [row("a", 1, "2030-01-07T13:00:00Z")]
    assert sentences(request, log, FEDERAL, exact=True, require_all=True) == []
    assert [v.rule for v in verify(request, [], now=NOW, policy=FEDERAL, require_all=True)] == \
        ["missing-destination"]


def test_exact_under_a_policy_plans_nothing_for_a_number_it_never_calls() -> None:
    # 4179302 has no zone: the policy plan has no attempt for it, though the plan without the
    # policy has one at NOW (12:00Z).
    got = sentences(request_of([(NO_ZONE, "z")]), [row("z", 1, "2030-01-07T12:00:00Z")],
                    FEDERAL, exact=True)
    assert got[1:] == [
        "exact-time: message 0 destination 0 (to 4179302, messageId z): attempt 1 at "
        "2030-01-07T12:00:00.000+00:00 is not planned (the plan has 0 attempt(s)) [log line 1]"]
    assert got[0].startswith("S15-no-zone: ")


def test_exact_replays_an_attempt_that_ended_as_it_started() -> None:
    # 13:00Z is 08:00 in New York, the first instant the hours allow after NOW. Attempt 1 ends
    # as it starts (a duration of 0): its retry is due 10 minutes after 13:00Z, at 13:10Z.
    request = request_of([(NEW_YORK, "a")], retry={"minPeriod": 10, "maxPeriod": 10,
                                                   "maxCount": 1})
    log = [row("a", 1, "2030-01-07T13:00:00Z", "2030-01-07T13:00:00Z"),
           row("a", 2, "2030-01-07T13:10:00Z")]
    assert sentences(request, log, FEDERAL, exact=True, require_all=True) == []
    log[1] = row("a", 2, "2030-01-07T13:10:00.000001Z")
    assert sentences(request, log, FEDERAL, exact=True) == [
        "exact-time: message 0 destination 0 (to 12125550100, messageId a): attempt 2 at "
        "2030-01-07T13:10:00.000001+00:00 is not at its planned instant "
        "2030-01-07T13:10:00.000+00:00 [log line 2]"]


# -- the words of the S15 sentences ----------------------------------------------------------------

#: sendAt 13:00+01:00 is NOW (12:00Z): the message's times are rendered at UTC+01:00.
AT_PLUS_ONE = {"sendAt": "2030-01-07T13:00:00+01:00"}


def test_s15_hours_names_a_run_of_days_by_its_ends_and_two_days_by_both_names() -> None:
    def policy(*days: str) -> dict[str, Any]:
        return {"callingHours": {"zone": "Europe/London", "days": list(days),
                                 "from": {"hour": 8, "minute": 0},
                                 "to": {"hour": 21, "minute": 0}}}

    # Monday 12:30Z is 12:30 in London (GMT, an offset of +00:00, written with a plus sign);
    # the message's own times are rendered at its offset, +01:00.
    request = request_of([(NEW_YORK, "a")], **AT_PLUS_ONE)
    log = [row("a", 1, "2030-01-07T12:30:00Z")]
    assert sentences(request, log, policy("TUESDAY", "WEDNESDAY", "THURSDAY")) == [
        "S15-hours: message 0 destination 0 (to 12125550100, messageId a): attempt 1 at "
        "2030-01-07T13:30:00.000+01:00 is outside the calling hours in Europe/London: it is "
        "12:30:00 on MONDAY 2030-01-07 (UTC+00:00) there; calls are allowed TUESDAY to "
        "THURSDAY 08:00–21:00 [log line 1]"]
    # Tuesday 12:30Z; two consecutive days are not a run.
    log = [row("a", 1, "2030-01-08T12:30:00Z")]
    assert sentences(request, log, policy("WEDNESDAY", "THURSDAY")) == [
        "S15-hours: message 0 destination 0 (to 12125550100, messageId a): attempt 1 at "
        "2030-01-08T13:30:00.000+01:00 is outside the calling hours in Europe/London: it is "
        "12:30:00 on TUESDAY 2030-01-08 (UTC+00:00) there; calls are allowed WEDNESDAY, "
        "THURSDAY 08:00–21:00 [log line 1]"]


def test_s15_no_zone_and_cap_render_times_at_the_message_offset() -> None:
    request = request_of([(NO_ZONE, "z")], **AT_PLUS_ONE)
    assert sentences(request, [row("z", 1, "2030-01-07T12:30:00Z")], FEDERAL) == [
        "S15-no-zone: message 0 destination 0 (to 4179302, messageId z): the policy knows no "
        "time zone for 4179302 and gives no fallbackZone, so it must not be called; the log "
        "has 1 attempt(s) for it, the first at 2030-01-07T13:30:00.000+01:00 [log line 1]"]
    # At most 1 attempt an hour: the retry 10 minutes after 12:00Z is not allowed before 13:00Z.
    request = request_of([(NEW_YORK, "a")], **AT_PLUS_ONE,
                         retry={"minPeriod": 10, "maxPeriod": 10, "maxCount": 1})
    log = [row("a", 1, "2030-01-07T12:00:00Z"), row("a", 2, "2030-01-07T12:10:00Z")]
    assert sentences(request, log, {"frequencyCap": {"maxAttempts": 1, "periodMinutes": 60}}) \
        == ["S15-cap: message 0 destination 0 (to 12125550100, messageId a): attempt 2 at "
            "2030-01-07T13:10:00.000+01:00 would be the 2nd attempt to 12125550100 within 1 h "
            "(at most 1 per 1 h): message 0 destination 0 attempt 1 at "
            "2030-01-07T13:00:00.000+01:00; not before 2030-01-07T14:00:00.000+01:00 "
            "[log line 2]"]


def test_s15_cap_counts_every_number_after_a_destination_with_none() -> None:
    # Message 0: x has no number (rejected, yet attempted first), a is New York; message 1
    # (rendered at +01:00): c is New York too. At most 1 attempt an hour to a number.
    request = {"messages": [
        {"scenarioId": "S", "destinations": [{"messageId": "x"},
                                             {"to": NEW_YORK, "messageId": "a"}]},
        {"scenarioId": "S", **AT_PLUS_ONE, "destinations": [{"to": NEW_YORK, "messageId": "c"}]}]}
    log = [row("x", 1, "2030-01-07T12:00:00Z"), row("a", 1, "2030-01-07T12:00:00Z"),
           row("c", 1, "2030-01-07T12:30:00Z")]
    found = verify(request, log, now=NOW,
                   policy={"frequencyCap": {"maxAttempts": 1, "periodMinutes": 60}})
    assert [v.sentence for v in found] == [
        "rejected-destination: message 0 destination 0 (messageId x): the request rejected this "
        "destination (51 MISSING_TO) but the log has 1 attempt(s) for it [log line 1]",
        "S15-cap: message 1 destination 0 (to 12125550100, messageId c): attempt 1 at "
        "2030-01-07T13:30:00.000+01:00 would be the 2nd attempt to 12125550100 within 1 h (at "
        "most 1 per 1 h): message 0 destination 1 attempt 1 at 2030-01-07T13:00:00.000+01:00; "
        "not before 2030-01-07T14:00:00.000+01:00 [log line 3]"]
    assert found[1].as_json() == {
        "rule": "S15-cap", "message": 1, "index": 0, "to": NEW_YORK, "messageId": "c",
        "attempt": 1, "line": 3, "time": "2030-01-07T13:30:00.000+01:00",
        "limit": "2030-01-07T14:00:00.000+01:00", "sentence": found[1].sentence}


def test_s15_hours_gives_the_attempt_as_data_in_the_message_offset() -> None:
    (found,) = verify(request_of([(NEW_YORK, "a")], **AT_PLUS_ONE),
                      [row("a", 1, "2030-01-07T12:30:00Z")], now=NOW, policy=FEDERAL)
    assert found.as_json() == {
        "rule": "S15-hours", "message": 0, "index": 0, "to": NEW_YORK, "messageId": "a",
        "attempt": 1, "line": 1, "time": "2030-01-07T13:30:00.000+01:00", "limit": None,
        "sentence": found.sentence}


def test_s15_closed_knows_a_holiday_only_the_subdivision_has() -> None:
    # Friday 15 February 2030 is Susan B. Anthony Day in Florida, not a federal holiday.
    now = datetime(2030, 2, 15, 12, 0, tzinfo=timezone.utc)
    log = [row("a", 1, "2030-02-15T16:00:00Z")]
    got = sentences(request_of([(NEW_YORK, "a")]), log,
                    {"holidays": {"country": "US", "subdivision": "FL"}}, now)
    assert got == [
        "S15-closed: message 0 destination 0 (to 12125550100, messageId a): attempt 1 at "
        "2030-02-15T16:00:00.000+00:00 is on 2030-02-15 in America/New_York, a public holiday "
        "in US-FL: Susan B. Anthony Day [log line 1]"]
    assert sentences(request_of([(NEW_YORK, "a")]), log, {"holidays": {"country": "US"}},
                     now) == []


# -- properties ------------------------------------------------------------------------------------

POLICIES = calling_policies(first_day="2030-01-01", days=10, min_from=240)


@given(policy_requests(), POLICIES, st.sampled_from([0, 30_000_000]), st.data())
def test_a_plan_shaped_policy_log_verifies_clean(request: Any, policy: Any, delay_us: int,
                                                 data: st.DataObject) -> None:
    log = data.draw(policy_attempt_logs(request, policy, failure_delay_us=delay_us,
                                        outcomes=False))
    note(f"log: {log}")
    assert verify(request, log, now=DEFAULT_NOW, policy=policy, exact=True, require_all=True,
                  failure_delay=timedelta(microseconds=delay_us)) == []


@given(policy_requests(), POLICIES, st.data())
def test_a_policy_log_with_random_outcomes_verifies_clean(request: Any, policy: Any,
                                                          data: st.DataObject) -> None:
    log = data.draw(policy_attempt_logs(request, policy, outcomes=True))
    note(f"log: {log}")
    assert verify(request, log, now=DEFAULT_NOW, policy=policy, exact=True,
                  require_all=True) == []


def _us(text: str) -> int:
    return (datetime.fromisoformat(text) - _EPOCH) // timedelta(microseconds=1)


def _text(us: int) -> str:
    return (_EPOCH + timedelta(microseconds=us)).isoformat()


def _zones(request: Any, mid: str, policy: Any) -> tuple[str, ...]:
    m, i = (int(x) for x in mid[1:].split("-"))
    return choose_zones(parse_policy(policy), request["messages"][m]["destinations"][i]["to"]
                        ).zones


def _naive_open(policy: Any, zone: str, us: int) -> bool:
    """Inside the hours by a plain reading of the local wall clock (the hours start at 04:00
    or later, clear of the night's DST changes)."""
    hours = policy.get("callingHours")
    if hours is None:
        return True
    local = (_EPOCH + timedelta(microseconds=us)).astimezone(ZoneInfo(zone))
    minutes = local.hour * 60 + local.minute
    names = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
    for period in hours.get("periods", [hours]):
        if names[local.weekday()] not in period.get("days", names):
            continue
        if "from" not in period:
            return True
        start = period["from"]["hour"] * 60 + period["from"]["minute"]
        end = period["to"]["hour"] * 60 + period["to"]["minute"]
        if start <= minutes < end:
            return True
    return False


@given(policy_requests(), calling_policies(hours=True, first_day="2030-01-01", days=10,
                                           min_from=240), st.data())
def test_an_attempt_moved_outside_the_hours_is_flagged(request: Any, policy: Any,
                                                       data: st.DataObject) -> None:
    log = data.draw(policy_attempt_logs(request, policy))
    assume(log)
    k = data.draw(st.integers(0, len(log) - 1))
    moved = dict(log[k])
    zones = _zones(request, moved["messageId"], policy)
    assume(zones)
    start = _us(moved["time"])
    # The next quarter hour (within a week) outside the hours of some candidate zone.
    target = next((start + q * 15 * 60_000_000 for q in range(1, 7 * 96)
                   if not all(_naive_open(policy, z, start + q * 15 * 60_000_000)
                              for z in zones)), None)
    assume(target is not None)
    assert target is not None
    moved["time"] = _text(target)
    moved.pop("end", None)
    log[k] = moved
    found = {(v.rule, v.line) for v in verify(request, log, now=DEFAULT_NOW, policy=policy)}
    assert ("S15-hours", k + 1) in found


@given(policy_requests(), calling_policies(closed_dates=True, first_day="2030-01-01", days=10),
       st.data())
def test_an_attempt_moved_onto_a_closed_date_is_flagged(request: Any, policy: Any,
                                                        data: st.DataObject) -> None:
    assume(policy["closedDates"])
    log = data.draw(policy_attempt_logs(request, policy))
    assume(log)
    k = data.draw(st.integers(0, len(log) - 1))
    moved = dict(log[k])
    zones = _zones(request, moved["messageId"], policy)
    assume(zones)
    zone = data.draw(st.sampled_from(zones))
    day = date.fromisoformat(data.draw(st.sampled_from(policy["closedDates"])))
    local_noon = datetime.combine(day, time(12, 0), tzinfo=ZoneInfo(zone))
    moved["time"] = local_noon.isoformat()
    moved.pop("end", None)
    log[k] = moved
    found = {(v.rule, v.line) for v in verify(request, log, now=DEFAULT_NOW, policy=policy)}
    assert ("S15-closed", k + 1) in found


@given(policy_requests(max_numbers=1), calling_policies(hours=False, closed_dates=False,
                                                        holidays=False, cap=True), st.data())
def test_an_attempt_moved_over_the_cap_is_flagged(request: Any, policy: Any,
                                                  data: st.DataObject) -> None:
    cap = policy["frequencyCap"]
    limit, period = cap["maxAttempts"], cap["periodMinutes"] * 60_000_000
    log = data.draw(policy_attempt_logs(request, policy))
    by_number: dict[str, list[int]] = {}
    for k, r in enumerate(log):
        m, i = (int(x) for x in r["messageId"][1:].split("-"))
        to = normalize_to(request["messages"][m]["destinations"][i]["to"])
        by_number.setdefault(to, []).append(k)
    # A row r and an instant T at which `limit` other rows of its number lie in (T - P, T]:
    # moved to T, r makes that period hold limit + 1 attempts.
    choices = []
    for rows in by_number.values():
        for r in rows:
            for s in rows:
                t = _us(log[s]["time"])
                inside = [o for o in rows if o != r and t - period < _us(log[o]["time"]) <= t]
                if len(inside) >= limit:
                    choices.append((r, t))
    assume(choices)
    r, t = data.draw(st.sampled_from(choices))
    moved = dict(log[r])
    moved["time"] = _text(t)
    moved.pop("end", None)
    log[r] = moved
    assert "S15-cap" in {v.rule for v in verify(request, log, now=DEFAULT_NOW, policy=policy)}


# -- the command ---------------------------------------------------------------------------------

def _files(tmp_path: Any, policy: Any, log: list[dict[str, Any]]) -> list[str]:
    import json

    (tmp_path / "request.json").write_text(json.dumps(request_of([(NEW_YORK, "a")])),
                                           encoding="utf-8")
    (tmp_path / "policy.json").write_text(policy if isinstance(policy, str)
                                          else json.dumps(policy), encoding="utf-8")
    (tmp_path / "log.jsonl").write_text("".join(json.dumps(r) + "\n" for r in log),
                                        encoding="utf-8")
    return [str(tmp_path / "request.json"), str(tmp_path / "log.jsonl"), "--now",
            "2030-01-07T12:00:00Z", "--policy", str(tmp_path / "policy.json")]


def test_the_command_prints_each_violation_as_a_sentence_and_exits_1(
        tmp_path: Any, capsys: Any) -> None:
    from ivrsched.cli.main import main

    argv = _files(tmp_path, FEDERAL, [row("a", 1, "2030-01-07T12:30:00Z")])
    assert main(["verify", *argv]) == 1
    out = capsys.readouterr().out
    assert out == (
        "S15-hours: message 0 destination 0 (to 12125550100, messageId a): attempt 1 at "
        "2030-01-07T12:30:00.000+00:00 is outside the calling hours in America/New_York: it is "
        "07:30:00 on MONDAY 2030-01-07 (UTC-05:00) there; calls are allowed MONDAY to SATURDAY "
        "08:00–21:00 [log line 1]\n"
        "does not conform: 1 violation(s) (S15-hours ×1); 1 attempt(s) of 1 destination(s) "
        "checked\n")
    argv = _files(tmp_path, FEDERAL, [row("a", 1, "2030-01-07T13:00:00Z")])
    assert main(["verify", *argv, "--exact", "--require-all"]) == 0
    # Without --policy the same log is only early for the plan's instant (12:00Z), not wrong.
    assert main(["verify", *argv[:4]]) == 0


def test_an_invalid_policy_exits_3_naming_every_problem(tmp_path: Any, capsys: Any) -> None:
    import subprocess
    import sys

    bad = {"callingHours": {"zone": "Mars/Olympus", "from": {"hour": 25, "minute": 0},
                            "to": {"hour": 8, "minute": 0}},
           "frequencyCap": {"maxAttempts": 0, "periodMinutes": 60}}
    argv = _files(tmp_path, bad, [row("a", 1, "2030-01-07T13:00:00Z")])
    done = subprocess.run([sys.executable, "-m", "ivrsched", "verify", *argv],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    policy_path = argv[-1]
    for pointer in ("/callingHours/zone", "/callingHours/from/hour", "/frequencyCap/maxAttempts"):
        assert any(pointer in line and policy_path in line for line in done.stderr.splitlines()), \
            (pointer, done.stderr)
    argv = _files(tmp_path, "{not json", [])
    done = subprocess.run([sys.executable, "-m", "ivrsched", "verify", *argv],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 3 and "Traceback" not in done.stderr
