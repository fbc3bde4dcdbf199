"""The oracle (SPEC S11) against logs that differ from the plan in every way, and the exact words
of every violation.

Every planned instant and every sentence below is worked out by hand from the request (comments
give the arithmetic); none is read back from the planner or the verifier.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from ivrsched import verify
from ivrsched.oracle.conformance import ordinal, verify_report
from ivrsched.rules.instants import US_PER_MINUTE, format_us, to_us

UTC = timezone.utc
NOW = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)  # a Monday
T = to_us(NOW)
MIN = US_PER_MINUTE
A, B = "41793026700", "41793026701"

# Unpaced, validity 10 minutes, retries 1, 2, 5, 5 minutes: attempts at 09:00, 09:01, 09:03,
# 09:08; the fifth (09:13) is at or after the deadline 09:10, so the plan is cut to four.
CUT = {"messages": [{"scenarioId": "S", "validityPeriod": 10,
                     "retry": {"minPeriod": 1, "maxPeriod": 5, "maxCount": 4},
                     "destinations": [{"to": A, "messageId": "m-0"}]}]}
PLANNED = [T, T + MIN, T + 3 * MIN, T + 8 * MIN]
WHO = f"message 0 destination 0 (to {A}, messageId m-0)"


def at(us: int) -> str:
    return format_us(us)


def log(*attempts: tuple[int, int], end: int | None = None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"messageId": "m-0", "attempt": n, "time": at(t)}
                                  for n, t in attempts]
    if end is not None:
        rows[0]["end"] = at(end)
    return rows


def sentences(data: dict[str, Any], rows: list[dict[str, Any]], **options: Any) -> list[str]:
    return [v.sentence for v in verify(data, rows, now=NOW, **options)]


def test_the_plan_itself_and_any_prefix_of_it_conform_exactly() -> None:
    full = list(enumerate(PLANNED, start=1))
    assert sentences(CUT, log(*full), exact=True) == []
    assert sentences(CUT, log(*full[:2]), exact=True) == []


def test_one_microsecond_late_or_early_is_not_exact() -> None:
    assert sentences(CUT, log((1, T + 1)), exact=True) == [
        f"exact-time: {WHO}: attempt 1 at 2030-01-07T09:00:00.000001+00:00 is not at its "
        "planned instant 2030-01-07T09:00:00.000+00:00 [log line 1]"]
    # A retry 1 µs early is also too soon after the first attempt (S5).
    assert sentences(CUT, log((1, T), (2, T + MIN - 1)), exact=True) == [
        f"S5-gap: {WHO}: attempt 2 at 2030-01-07T09:00:59.999999+00:00 is sooner than 1 min "
        "after attempt 1 started at 2030-01-07T09:00:00.000+00:00: not before "
        "2030-01-07T09:01:00.000+00:00 [log line 2]",
        f"exact-time: {WHO}: attempt 2 at 2030-01-07T09:00:59.999999+00:00 is not at its "
        "planned instant 2030-01-07T09:01:00.000+00:00 [log line 2]"]
    # Only ``exact`` cares about a late retry.
    assert sentences(CUT, log((1, T), (2, T + 2 * MIN))) == []


def test_an_attempt_beyond_a_plan_cut_short_by_the_deadline() -> None:
    # The plan has four attempts; a fifth at 09:13 is after the deadline and not planned. 1 +
    # maxCount 4 = 5 attempts are allowed, so it is not one too many.
    rows = log(*enumerate(PLANNED, start=1), (5, T + 13 * MIN))
    assert sentences(CUT, rows, exact=True) == [
        f"S4-deadline: {WHO}: attempt 5 at 2030-01-07T09:13:00.000+00:00 is at or after the "
        "deadline 2030-01-07T09:10:00.000+00:00 [log line 5]",
        f"exact-time: {WHO}: attempt 5 at 2030-01-07T09:13:00.000+00:00 is not planned (the "
        "plan has 4 attempt(s)) [log line 5]"]
    # A sixth is also one too many.
    rows.append({"messageId": "m-0", "attempt": 6, "time": at(T + 18 * MIN)})
    found = verify(CUT, rows, now=NOW, exact=True)
    assert [(v.rule, v.attempt) for v in found] == [
        ("S4-deadline", 5), ("exact-time", 5), ("S4-deadline", 6), ("exact-time", 6),
        ("S5-count", 6)]
    assert found[-1].sentence == (
        f"S5-count: {WHO}: 6 attempts, at most 5 allowed (1 + maxCount 4); attempt 6 at "
        "2030-01-07T09:18:00.000+00:00 is one too many [log line 6]")


def test_a_plan_with_no_attempt_for_a_destination() -> None:
    # Mondays only, and now is Tuesday 09:00: the next opening (Monday 14th) is past the
    # default 48-hour validity, so the plan has no attempt; any logged attempt is not planned.
    data = {"messages": [{"scenarioId": "S", "deliveryTimeWindow": {"days": ["MONDAY"]},
                          "destinations": [{"to": A, "messageId": "m-0"}]}]}
    tuesday = NOW + timedelta(days=1)
    rows = [{"messageId": "m-0", "attempt": 1, "time": at(T + 24 * 60 * MIN)}]
    found = verify(data, rows, now=tuesday, exact=True)
    assert [v.sentence for v in found] == [
        f"S6-window: {WHO}: attempt 1 at 2030-01-08T09:00:00.000+00:00 is outside the delivery "
        "time window (it next opens at 2030-01-14T00:00:00.000+00:00) [log line 1]",
        f"exact-time: {WHO}: attempt 1 at 2030-01-08T09:00:00.000+00:00 is not planned (the "
        "plan has 0 attempt(s)) [log line 1]"]
    # and require_all does not ask for a destination the plan never attempts.
    assert verify(data, [], now=tuesday, require_all=True) == []


def test_misnumbered_attempts_are_compared_by_their_number() -> None:
    # Numbers 1, 3: attempt "3" at 09:01 is compared with the third planned instant, 09:03.
    rows = log((1, T), (3, T + MIN))
    assert sentences(CUT, rows, exact=True) == [
        f"attempt-number: {WHO}: the log numbers its attempts 1, 3; expected 1 to 2 with no "
        "gaps or repeats [log line 1]",
        f"exact-time: {WHO}: attempt 3 at 2030-01-07T09:01:00.000+00:00 is not at its planned "
        "instant 2030-01-07T09:03:00.000+00:00 [log line 2]"]


def test_more_than_twelve_numbers_are_cut_in_the_sentence() -> None:
    rows = [{"messageId": "m-0", "attempt": 2, "time": at(T + k)} for k in range(13)]
    (numbering, *_) = verify(CUT, rows, now=NOW)
    assert numbering.sentence == (
        f"attempt-number: {WHO}: the log numbers its attempts 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, "
        "2, …; expected 1 to 13 with no gaps or repeats [log line 1]")
    (numbering, *_) = verify(CUT, rows[:12], now=NOW)
    assert numbering.sentence == (
        f"attempt-number: {WHO}: the log numbers its attempts 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, "
        "2; expected 1 to 12 with no gaps or repeats [log line 1]")


# -- every other sentence ----------------------------------------------------------------------

PACED = {"messages": [{"scenarioId": "S", "sendAt": "2030-01-07T10:00:00Z",
                       "sendingSpeed": {"speed": 1, "timeUnit": "minute"},
                       "retry": {"minPeriod": 1, "maxPeriod": 1, "maxCount": 1},
                       "destinations": [{"to": A, "messageId": "m-0"},
                                        {"to": B, "messageId": "m-1"}, {"to": "123"}]}]}
START = T + 60 * MIN  # sendAt 10:00Z, after now


def test_the_early_start_sentence_names_both_times() -> None:
    rows = [{"messageId": "m-0", "attempt": 1, "time": at(START - 1)}]
    assert sentences(PACED, rows) == [
        f"S2-early-start: {WHO}: first attempt at 2030-01-07T09:59:59.999999+00:00 is before "
        "the message starts at 2030-01-07T10:00:00.000+00:00 [log line 1]"]


def test_the_pacing_sentence() -> None:
    rows = [{"messageId": "m-0", "attempt": 1, "time": at(START)},
            {"messageId": "m-1", "attempt": 1, "time": at(START + 30_000_000)}]
    assert sentences(PACED, rows) == [
        f"S3-pacing: message 0 destination 1 (to {B}, messageId m-1): first attempt at "
        "2030-01-07T10:00:30.000+00:00 would be the 2nd in the 1 min starting "
        "2030-01-07T10:00:00.000+00:00 (at most 1 per 1 min); not before "
        "2030-01-07T10:01:00.000+00:00 [log line 2]"]


def test_the_gap_sentences_from_an_end_and_with_a_failure_delay() -> None:
    retried = [{"messageId": "m-0", "attempt": 1, "time": at(START)},
               {"messageId": "m-0", "attempt": 2, "time": at(START + MIN + 30_000_000)}]
    retried[0]["end"] = at(START + 40_000_000)
    assert sentences(PACED, retried) == [
        f"S5-gap: {WHO}: attempt 2 at 2030-01-07T10:01:30.000+00:00 is sooner than 1 min after "
        "attempt 1 ended at 2030-01-07T10:00:40.000+00:00: not before "
        "2030-01-07T10:01:40.000+00:00 [log line 2]"]
    del retried[0]["end"]
    assert sentences(PACED, retried, failure_delay=timedelta(seconds=45)) == [
        f"S5-gap: {WHO}: attempt 2 at 2030-01-07T10:01:30.000+00:00 is sooner than 1 min after "
        "attempt 1 started at 2030-01-07T10:00:00.000+00:00 (+ failure delay 45 s): not before "
        "2030-01-07T10:01:45.000+00:00 [log line 2]"]


def test_the_sentences_of_destinations_that_must_not_be_or_are_not_attempted() -> None:
    rows = [{"to": "123", "attempt": 1, "time": at(START)}]
    assert sentences(PACED, rows, require_all=True) == [
        f"missing-destination: {WHO}: the plan has attempts for this destination (the first "
        "at 2030-01-07T10:00:00.000+00:00) but the log has none",
        f"missing-destination: message 0 destination 1 (to {B}, messageId m-1): the plan has "
        "attempts for this destination (the first at 2030-01-07T10:01:00.000+00:00) but the "
        "log has none",
        "rejected-destination: message 0 destination 2 (to 123): the request rejected this "
        "destination (52 REJECTED_INVALID_DESTINATION) but the log has 1 attempt(s) for it "
        "[log line 1]"]


def test_the_sentences_of_rows_naming_no_destination() -> None:
    data = {"messages": [{"scenarioId": "S", "destinations": [
        {"to": A, "messageId": "m-0"}, {"to": B}, {"to": B}]}]}
    rows = [{"to": "41000000000", "attempt": 1, "time": at(T)},
            {"to": "41000000000", "attempt": 2, "time": at(T + MIN)},
            {"messageId": "m-9", "attempt": 1, "time": at(T)},
            {"to": B, "attempt": 1, "time": at(T)},
            {"messageId": "m-0", "to": B, "attempt": 1, "time": at(T)}]
    assert sentences(data, rows) == [
        "unknown-destination: destination (to 41000000000): the request has no destination "
        "with to 41000000000 (2 rows, the first shown) [log line 1]",
        "unknown-destination: destination (messageId m-9): the request has no destination "
        "with messageId m-9 (1 row) [log line 3]",
        f"ambiguous-destination: destination (to {B}): the request has to {B} more than once; "
        "the log must name these destinations by messageId (1 row) [log line 4]",
        f"unknown-destination: destination (to {B}, messageId m-0): messageId m-0 belongs to "
        f"another number than to {B} (1 row) [log line 5]"]


def test_the_summary_counts_rules_in_their_order() -> None:
    rows = log(*enumerate(PLANNED, start=1), (5, T + 13 * MIN))
    report = verify_report(CUT, rows, now=NOW, exact=True)
    assert report.summary() == (
        "does not conform: 2 violation(s) (S4-deadline ×1, exact-time ×1); 5 attempt(s) of 1 "
        "destination(s) checked")
    clean = verify_report(CUT, rows[:4], now=NOW, exact=True)
    assert clean.conforms and clean.summary() == (
        "conforms: 4 attempt(s) of 1 destination(s) checked")


@pytest.mark.parametrize(("n", "text"), [
    (1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (10, "10th"), (11, "11th"), (12, "12th"),
    (13, "13th"), (21, "21st"), (22, "22nd"), (23, "23rd"), (101, "101st"), (111, "111th"),
    (112, "112th"), (1000, "1000th"),
])
def test_ordinals(n: int, text: str) -> None:
    assert ordinal(n) == text


# -- times in the message's offset -------------------------------------------------------------

#: sendAt 10:00+01:00 is 09:00Z, NOW: the message starts then and its times are rendered at
#: UTC+01:00. Retries 10 minutes apart.
AT_PLUS_ONE = {"messages": [{"scenarioId": "S", "sendAt": "2030-01-07T10:00:00+01:00",
                             "retry": {"minPeriod": 10, "maxPeriod": 10, "maxCount": 3},
                             "destinations": [{"to": A, "messageId": "m-0"},
                                              {"to": B, "messageId": "m-1"}]}]}


def test_the_lifecycle_sentences_in_the_message_offset() -> None:
    from ivrsched.rules.lifecycle import LifecycleEvent, Operation

    # Paused 09:05Z–09:15Z, cancelled at 09:40Z: attempt 2 (09:10Z) is inside the pause,
    # attempt 3 is at the cancel itself.
    events = [LifecycleEvent(Operation.PAUSE, T + 5 * MIN),
              LifecycleEvent(Operation.RESUME, T + 15 * MIN),
              LifecycleEvent(Operation.CANCEL, T + 40 * MIN)]
    rows = log((1, T), (2, T + 10 * MIN), (3, T + 40 * MIN))
    found = verify(AT_PLUS_ONE, rows, now=NOW, events=events)
    assert [v.sentence for v in found] == [
        f"S13-lifecycle: {WHO}: attempt 2 at 2030-01-07T10:10:00.000+01:00 is inside the pause "
        "from 2030-01-07T10:05:00.000+01:00 (resumed at 2030-01-07T10:15:00.000+01:00) "
        "[log line 2]",
        f"S13-lifecycle: {WHO}: attempt 3 at 2030-01-07T10:40:00.000+01:00 is at or after the "
        "cancel at 2030-01-07T10:40:00.000+01:00 [log line 3]"]
    assert [(v.attempt, v.line, v.time_us, v.limit_us) for v in found] == [
        (2, 2, T + 10 * MIN, T + 15 * MIN), (3, 3, T + 40 * MIN, T + 40 * MIN)]
    # The pause is half-open: its first instant is inside, the resume's is not; 1 µs before
    # the cancel is allowed.
    assert [(v.rule, v.time_us) for v in verify(AT_PLUS_ONE, log((1, T + 5 * MIN)), now=NOW,
                                                 events=events)] == [
        ("S13-lifecycle", T + 5 * MIN)]
    rows = log((1, T), (2, T + 15 * MIN), (3, T + 40 * MIN - 1))
    assert verify(AT_PLUS_ONE, rows, now=NOW, events=events) == []
    # A pause never resumed lasts until the cancel at 09:30Z, and nothing is allowed after
    # it: no instant is named as the limit.
    paused = [LifecycleEvent(Operation.PAUSE, T + 5 * MIN),
              LifecycleEvent(Operation.CANCEL, T + 30 * MIN)]
    found = verify(AT_PLUS_ONE, log((1, T), (2, T + 10 * MIN)), now=NOW, events=paused)
    assert [(v.sentence, v.limit_us) for v in found] == [
        (f"S13-lifecycle: {WHO}: attempt 2 at 2030-01-07T10:10:00.000+01:00 is inside the "
         "pause from 2030-01-07T10:05:00.000+01:00 (until the cancel at "
         "2030-01-07T10:30:00.000+01:00) [log line 2]", None)]


def test_the_missing_destination_sentence_in_the_message_offset() -> None:
    # Unpaced: destination 1's first attempt is planned at the start, 09:00Z.
    assert sentences(AT_PLUS_ONE, log((1, T)), require_all=True) == [
        f"missing-destination: message 0 destination 1 (to {B}, messageId m-1): the plan has "
        "attempts for this destination (the first at 2030-01-07T10:00:00.000+01:00) but the log "
        "has none"]


def test_the_pacing_sentence_in_the_message_offset() -> None:
    # 1 a minute from 09:00Z: destination 1 at 09:00:30Z is the 2nd in that minute.
    paced = {"messages": [{**AT_PLUS_ONE["messages"][0],
                           "sendingSpeed": {"speed": 1, "timeUnit": "minute"}}]}
    rows = [{"messageId": "m-0", "attempt": 1, "time": at(T)},
            {"messageId": "m-1", "attempt": 1, "time": at(T + 30_000_000)}]
    assert sentences(paced, rows) == [
        f"S3-pacing: message 0 destination 1 (to {B}, messageId m-1): first attempt at "
        "2030-01-07T10:00:30.000+01:00 would be the 2nd in the 1 min starting "
        "2030-01-07T10:00:00.000+01:00 (at most 1 per 1 min); not before "
        "2030-01-07T10:01:00.000+01:00 [log line 2]"]
