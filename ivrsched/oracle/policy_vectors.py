"""Conformance vectors under a calling policy (SPEC S11, S15): ``ivrsched vectors --policy``.

A case under a policy is the case :func:`ivrsched.oracle.vectors.draw_case` draws, with its
numbers replaced by numbers whose zones the ``phonenumbers`` data knows (New York, Denver, Boise
and Los Angeles at once, Phoenix, Chicago, Paris, Zurich; some recur within and across messages,
so that the frequency cap couples them), and in every other case one number with no known zone
in the unpaced message. The expected plan is ``plan(..., policy=)`` (its rows carry ``zones``
and ``ending``, in the policy plan's row order), and the logs are the plan itself (conforming,
also exactly) and targeted changes of it:

- ``S15-hours``, ``S15-closed``, ``S15-cap``: a retry the plan moved later (to the number's next
  allowed instant) put back at the instant it fell due, where that instant breaks only the rule
  of the log; else (hours and closed days) a destination's last attempt moved later to the first
  quarter hour that breaks only that rule (within 400 days).
- ``S15-no-zone``: an attempt, at the message's start, for a number the policy leaves uncalled
  because it has no known zone (the policy has local rules and no ``fallbackZone``).
- ``S2-early-start``, ``S5-gap``, ``S4-deadline``, ``S5-count``, ``unknown-destination``,
  ``rejected-destination``: the changes of the plain vectors. The instant a change moves an
  attempt to may also break the policy (an early start at night): those violations are then
  expected too. (``S3-pacing`` and ``S6-window`` have no log under a policy: a paced slot may
  pass unused, and a retry may move for the policy rather than the window.)

The expected violations are not read off :func:`~ivrsched.verify`: each change states the one it
was designed to cause, and the policy's rules are read independently here (:class:`_Reading`:
the local wall clock and date in each zone by :mod:`zoneinfo`, the cap by its definition), for
the rows the change moved or added (and the cap for their numbers). A change tries its
candidates (destinations, attempts) in request order: an ``S15-*`` change keeps the first that
breaks its rule and no other, a plain change the first that breaks only its own rule, else its
first; a candidate the verifier does not agree with exactly is passed over (the naive reading of
the wall clock may differ from the engine's at a DST change). A policy that leaves a change no
candidate (no cap: no ``S15-cap`` log; a ``fallbackZone``: no ``S15-no-zone``) gets no such log.
Then, as without a policy, the verifier must report exactly the expected violations of every
log (the build fails otherwise).

A case's windowed message (S6) stays: its attempts lie where the window and each number's
calling hours are both open, and where they never are the destination ends never-open.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from ivrsched.oracle.conformance import RULES
from ivrsched.oracle.vectors import (
    POLICY_FILE,
    Case,
    Json,
    VectorLog,
    _expect,
    _Row,
    _rows,
    reported,
    violation_key,
)
from ivrsched.planning.planner import DestinationSchedule, Plan
from ivrsched.policy.document import RECIPIENT, CallingPolicy, HoursPeriod, parse_policy
from ivrsched.request.destinations import normalize_to
from ivrsched.rules.instants import US_PER_MINUTE

#: Number prefixes of known zones (each completed to 11 digits): New York, Denver, Boise and Los
#: Angeles (two zones), Phoenix (no DST), Chicago, Paris, Zurich.
ZONED_PREFIXES = ("1212555", "1303555", "1208555", "1602555", "1312555", "3314567", "4179")
#: A number with no known zone (too short for any).
NO_ZONE_NUMBER = "4179302"
#: The rules a policy adds, in the order the logs are written.
POLICY_LOGS = ("S15-hours", "S15-closed", "S15-cap", "S15-no-zone")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_QUARTER_US = 15 * US_PER_MINUTE
_SCAN_STEPS = 400 * 24 * 4  # 400 days of quarter hours
_RULE_ORDER = {rule: i for i, rule in enumerate(RULES)}


# -- the policy document ---------------------------------------------------------------------

def _period_document(period: HoursPeriod) -> Json:
    found: Json = {"days": [day.name for day in period.days]}
    if period.start is not None and period.end is not None:
        found["from"] = {"hour": period.start.hour, "minute": period.start.minute}
        found["to"] = {"hour": period.end.hour, "minute": period.end.minute}
    return found


def policy_document(policy: CallingPolicy) -> Json:
    """A document :func:`~ivrsched.policy.parse_policy` reads back as ``policy`` (hours as
    ``periods``, days listed, closed dates sorted; no comments, notices not kept)."""
    found: Json = {}
    if policy.hours is not None:
        hours: Json = {"zone": policy.hours.zone or RECIPIENT}
        if policy.hours.fallback_zone is not None:
            hours["fallbackZone"] = policy.hours.fallback_zone
        hours["periods"] = [_period_document(p) for p in policy.hours.periods]
        found["callingHours"] = hours
    if policy.closed_dates:
        found["closedDates"] = sorted(d.isoformat() for d in policy.closed_dates)
    if policy.holidays is not None:
        region: Json = {"country": policy.holidays.country}
        if policy.holidays.subdivision is not None:
            region["subdivision"] = policy.holidays.subdivision
        found["holidays"] = region
    if policy.cap is not None:
        found["frequencyCap"] = {"maxAttempts": policy.cap.max_attempts,
                                 "periodMinutes": policy.cap.period_minutes}
    return found


def policy_and_text(policy: CallingPolicy | Mapping[str, Any] | str
                    ) -> tuple[CallingPolicy, str]:
    """The parsed policy and the text a case keeps of it: JSON text as given, a document or a
    :class:`CallingPolicy` written out (indented). Raises
    :class:`~ivrsched.errors.RequestError` for an invalid document."""
    if isinstance(policy, CallingPolicy):
        return policy, json.dumps(policy_document(policy), indent=2, ensure_ascii=False) + "\n"
    if isinstance(policy, str):
        return parse_policy(policy), policy
    document = dict(policy)
    return parse_policy(document), json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# -- the request -------------------------------------------------------------------------------

def zoned_request(request: Json, rng: random.Random, case: int) -> Json:
    """``request`` with every accepted destination's number replaced by one of
    :data:`ZONED_PREFIXES` (three in ten reuse an earlier number of the case), and, in odd
    cases, :data:`NO_ZONE_NUMBER` added to the unpaced message (message 1)."""
    found: Json = json.loads(json.dumps(request))
    pool: list[str] = []
    for message in found["messages"]:
        for destination in message["destinations"]:
            if destination["to"] == "12345":  # the rejected destination stays
                continue
            if pool and rng.random() < 0.3:
                destination["to"] = rng.choice(pool)
                continue
            prefix = rng.choice(ZONED_PREFIXES)
            width = 11 - len(prefix)
            destination["to"] = prefix + f"{rng.randrange(10 ** width):0{width}d}"
            pool.append(destination["to"])
    if case % 2 == 1:
        destinations = found["messages"][1]["destinations"]
        destinations.insert(rng.randrange(len(destinations) + 1),
                            {"to": NO_ZONE_NUMBER, "messageId": f"c{case}-m1-no-zone"})
    return found


# -- the policy's rules, read independently ---------------------------------------------------

class _Reading:
    """The policy's rules read naively from their definitions (S15): an attempt is inside
    the hours in a zone when that zone's wall clock at the instant is inside one of the periods
    on its weekday; closed when that zone's local date is a closed date or a public holiday;
    over the cap as the S3 check blames (in time order, an attempt finding ``maxAttempts`` kept
    attempts to its number in the period ending at it is blamed and not kept)."""

    def __init__(self, policy: CallingPolicy, schedules: Mapping[tuple[int, int],
                                                                 DestinationSchedule]) -> None:
        self.policy = policy
        self.schedules = schedules
        self._holidays: Any = None

    def local(self, at_us: int, zone: str) -> datetime:
        return (_EPOCH + timedelta(microseconds=at_us)).astimezone(ZoneInfo(zone))

    def in_hours(self, at_us: int, zone: str) -> bool:
        moment = self.local(at_us, zone)
        clock = ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 10**6 \
            + moment.microsecond
        for period in self.policy.periods:
            if moment.weekday() not in [day.value for day in period.days]:
                continue
            if period.start is None or period.end is None:
                return True
            start = (period.start.hour * 60 + period.start.minute) * US_PER_MINUTE
            end = (period.end.hour * 60 + period.end.minute) * US_PER_MINUTE
            if start <= clock < end:
                return True
        return False

    def closed(self, at_us: int, zone: str) -> bool:
        day = self.local(at_us, zone).date()
        if day in self.policy.closed_dates:
            return True
        region = self.policy.holidays
        if region is None:
            return False
        if self._holidays is None:
            import holidays

            self._holidays = holidays.country_holidays(region.country,
                                                       subdiv=region.subdivision)
        return bool(day in self._holidays)

    def may_close(self, from_day: date) -> bool:
        """Whether some day from ``from_day`` on can be closed."""
        return self.policy.holidays is not None or any(d >= from_day
                                                       for d in self.policy.closed_dates)

    def attempt_rules(self, at_us: int, zones: Sequence[str]) -> list[str]:
        """The hours and closed-day rules an attempt at ``at_us`` breaks, one per zone."""
        found = []
        for zone in zones:
            if not self.in_hours(at_us, zone):
                found.append("S15-hours")
            if self.closed(at_us, zone):
                found.append("S15-closed")
        return found

    def violations(self, log: VectorLog) -> list[Json]:
        """The policy violations of ``log``, as :func:`violation_key` gives them. The hours and
        closed days are read for the rows the change moved or added only: the others are the
        plan's, which the verifier finds conforming (the conforming logs), so that a reading of
        the wall clock that differs from the engine's at a DST change (docs/windows.md) cannot
        blame them."""
        found: list[Json] = []
        by_destination: dict[tuple[int, int], list[_Row]] = {}
        for row in log.rows:
            if row.index >= 0:
                by_destination.setdefault((row.message, row.index), []).append(row)
        if self.policy.is_local:
            for who, rows in sorted(by_destination.items()):
                schedule = self.schedules[who]
                if not schedule.destination.accepted:
                    continue  # a rejected destination is S7's, not the policy's
                rows.sort(key=lambda r: (r.attempt, r.time_us, log.line_of(r)))
                zones = schedule.zones or ()
                if not zones:
                    found.append(self._violation(log, rows[0], "S15-no-zone", schedule))
                    continue
                planned = schedule.attempts_us
                for row in rows:
                    if row.attempt <= len(planned) and planned[row.attempt - 1] == row.time_us:
                        continue  # the plan's own attempt
                    found.extend(self._violation(log, row, rule, schedule)
                                 for rule in self.attempt_rules(row.time_us, zones))
        found.extend(self._cap(log, by_destination))
        return found

    def _cap(self, log: VectorLog, by_destination: dict[tuple[int, int], list[_Row]]
             ) -> Iterator[Json]:
        cap = self.policy.cap
        if cap is None:
            return
        period = cap.period_minutes * US_PER_MINUTE
        by_number: dict[str, list[_Row]] = {}
        for who, rows in by_destination.items():
            to = self.schedules[who].to
            if to:
                by_number.setdefault(normalize_to(to), []).extend(rows)
        for rows in by_number.values():
            rows.sort(key=lambda r: (r.time_us, r.message, r.index, r.attempt, log.line_of(r)))
            kept: list[int] = []
            for row in rows:
                within = [t for t in kept if t > row.time_us - period]
                if len(within) < cap.max_attempts:
                    kept.append(row.time_us)
                else:
                    yield self._violation(log, row, "S15-cap",
                                          self.schedules[(row.message, row.index)])

    @staticmethod
    def _violation(log: VectorLog, row: _Row, rule: str, schedule: DestinationSchedule) -> Json:
        return {"rule": rule, "message": schedule.message, "index": schedule.index,
                "messageId": schedule.message_id, "attempt": row.attempt,
                "line": log.line_of(row)}


def _order(violation: Json) -> tuple[int, int, int, int, int]:
    """The verifier's order: message, destination, attempt, rule; unknown destinations last."""
    big = 2**63
    message, index = violation["message"], violation["index"]
    return (big if message is None else message, big if index is None else index,
            violation["attempt"] or 0, _RULE_ORDER[violation["rule"]], violation["line"] or 0)


# -- the changes -------------------------------------------------------------------------------

class _Builder:
    """The logs of one case under a policy."""

    def __init__(self, case: Case, the_plan: Plan, schedules: list[DestinationSchedule]
                 ) -> None:
        assert case.policy is not None
        self.case = case
        self.plan = the_plan
        self.schedules = {(s.message, s.index): s for s in schedules}
        self.order = sorted(self.schedules)
        self.reading = _Reading(case.policy, self.schedules)

    def rows(self) -> list[_Row]:
        return _rows(self.schedules[who] for who in self.order)

    def called(self, *, messages: Callable[[int], bool] = lambda m: True,
               at_least: int = 1) -> Iterator[DestinationSchedule]:
        """The accepted destinations with ``at_least`` planned attempts, request order, of the
        messages ``messages`` admits and without a delivery window."""
        for who in self.order:
            schedule = self.schedules[who]
            message_plan = self.plan.messages[schedule.message]
            if (schedule.destination.accepted and len(schedule.attempts_us) >= at_least
                    and messages(schedule.message)
                    and message_plan.message.delivery_time_window is None):
                yield schedule

    def expected(self, log: VectorLog) -> list[Json]:
        """The designed violations of ``log`` and the policy's, in the verifier's order."""
        return sorted([violation_key(v) for v in log.violations]
                      + self.reading.violations(log), key=_order)

    def first(self, candidates: Iterator[VectorLog], only: str | None = None
              ) -> VectorLog | None:
        """The first candidate whose expected violations are all of rule ``only`` (at least
        one); without ``only``, the first whose expected violations are only the designed ones,
        else the first. Its violations are set to the expected ones."""
        fallback: VectorLog | None = None
        fallback_want: list[Json] = []
        for log in candidates:
            designed = {v["rule"] for v in log.violations}
            want = self.expected(log)
            rules = {v["rule"] for v in want}
            if only is None and fallback is None:
                fallback = log
                fallback_want = want
            if rules == ({only} if only is not None else designed) and self.agrees(log, want):
                log.violations = want
                return log
        if fallback is not None and self.agrees(fallback, fallback_want):
            fallback.violations = fallback_want
            return fallback
        return None

    def agrees(self, log: VectorLog, want: list[Json]) -> bool:
        """Whether the verifier reports exactly ``want`` for ``log``: a candidate it does not is
        passed over (the naive reading of the wall clock may differ from the engine's at a DST
        change), never given the verifier's answer."""
        return reported(self.case, log) == want

    def _find(self, rows: list[_Row], schedule: DestinationSchedule, attempt: int) -> _Row:
        return next(r for r in rows if (r.message, r.index, r.attempt)
                    == (schedule.message, schedule.index, attempt))

    # -- the policy's rules
    def put_back(self, name: str) -> Iterator[VectorLog]:
        """Each retry the plan moved later than it fell due, put back at that instant."""
        for schedule in self.called(at_least=2):
            timeline = self.plan.messages[schedule.message].timeline
            attempts = schedule.attempts_us
            for k in range(1, len(attempts)):
                due = timeline.retry_due_us(attempts[k - 1], k)
                if due != attempts[k]:
                    rows = self.rows()
                    self._find(rows, schedule, k + 1).time_us = due
                    yield VectorLog(name, rows)

    def moved_later(self, name: str, breaks: Callable[[int, tuple[str, ...]], bool]
                    ) -> Iterator[VectorLog]:
        """Each destination's last attempt (of a message without deadline) moved later to the
        first quarter hour at which ``breaks(instant, zones)``."""
        for schedule in self.called(at_least=2):
            if self.plan.messages[schedule.message].deadline_us is not None:
                continue
            zones = schedule.zones or ()
            last = schedule.attempts_us[-1]
            at = last + _QUARTER_US - last % _QUARTER_US
            for _ in range(_SCAN_STEPS):
                if breaks(at, zones):
                    rows = self.rows()
                    self._find(rows, schedule, len(schedule.attempts_us)).time_us = at
                    yield VectorLog(name, rows)
                    break
                at += _QUARTER_US

    def hours(self) -> VectorLog | None:
        reading = self.reading
        if not self.case.policy or self.case.policy.hours is None:
            return None
        return self.first(self.put_back("S15-hours"), "S15-hours") or self.first(
            self.moved_later("S15-hours", lambda at, zones: bool(zones) and set(
                reading.attempt_rules(at, zones)) == {"S15-hours"}), "S15-hours")

    def closed(self) -> VectorLog | None:
        reading = self.reading
        if not reading.may_close(self.case.now.date()):
            return None
        return self.first(self.put_back("S15-closed"), "S15-closed") or self.first(
            self.moved_later("S15-closed", lambda at, zones: bool(zones) and set(
                reading.attempt_rules(at, zones)) == {"S15-closed"}), "S15-closed")

    def cap(self) -> VectorLog | None:
        if self.reading.policy.cap is None:
            return None
        return self.first(self.put_back("S15-cap"), "S15-cap")

    def no_zone(self) -> VectorLog | None:
        def candidates() -> Iterator[VectorLog]:
            for who in self.order:
                schedule = self.schedules[who]
                message_plan = self.plan.messages[schedule.message]
                if (schedule.destination.accepted and schedule.zones == ()
                        and not schedule.attempts_us and message_plan.pace is None):
                    rows = self.rows()
                    rows.append(_Row(schedule.message, schedule.index, 1, message_plan.start_us,
                                     schedule.offset_minutes,
                                     {"messageId": schedule.message_id, "to": schedule.to or ""}))
                    yield VectorLog("S15-no-zone", rows)

        return self.first(candidates(), "S15-no-zone")

    # -- the plain changes, under the policy
    def _changed(self, name: str, rule: str, schedules: Iterator[DestinationSchedule],
                 change: Callable[[list[_Row], DestinationSchedule], _Row | None]
                 ) -> Iterator[VectorLog]:
        for schedule in schedules:
            rows = self.rows()
            row = change(rows, schedule)
            if row is None:
                continue
            log = VectorLog(name, rows)
            _expect(log, row, rule, schedule)
            yield log

    def early_start(self) -> VectorLog | None:
        # The earliest first attempt of the paced message one µs before the start: an interval
        # of one unit holding that instant holds at most the slots 0..speed-1 besides, which the
        # earliest first attempt is one of (or they passed unused). Then unpaced destinations.
        def change(rows: list[_Row], schedule: DestinationSchedule) -> _Row:
            row = self._find(rows, schedule, 1)
            row.time_us = self.plan.messages[schedule.message].start_us - 1
            return row

        paced = sorted(self.called(messages=lambda m: m == 0),
                       key=lambda s: (s.attempts_us[0], s.index))[:1]
        unpaced = [s for s in self.called(messages=lambda m: m == 1)]
        return self.first(self._changed("S2-early-start", "S2-early-start",
                                        iter(paced + unpaced), change))

    def gap(self) -> VectorLog | None:
        def change(rows: list[_Row], schedule: DestinationSchedule) -> _Row:
            timeline = self.plan.messages[schedule.message].timeline
            row = self._find(rows, schedule, 2)
            row.time_us = timeline.earliest_retry_us(schedule.attempts_us[0], 1) - 1
            return row

        return self.first(self._changed("S5-gap", "S5-gap", self.called(at_least=2), change))

    def deadline(self) -> VectorLog | None:
        def change(rows: list[_Row], schedule: DestinationSchedule) -> _Row | None:
            deadline = self.plan.messages[schedule.message].deadline_us
            if deadline is None:
                return None
            row = self._find(rows, schedule, len(schedule.attempts_us))
            row.time_us = deadline
            return row

        return self.first(self._changed("S4-deadline", "S4-deadline",
                                        self.called(messages=lambda m: m == 1), change))

    def count(self) -> VectorLog | None:
        def change(rows: list[_Row], schedule: DestinationSchedule) -> _Row | None:
            timeline = self.plan.messages[schedule.message].timeline
            if (timeline.deadline_us is not None or not timeline.gaps_us
                    or len(schedule.attempts_us) != 1 + len(timeline.gaps_us)):
                return None  # one attempt more than allowed, or not S5-count
            last = self._find(rows, schedule, len(schedule.attempts_us))
            extra = _Row(last.message, last.index, last.attempt + 1,
                         last.time_us + timeline.gaps_us[-1], last.offset, last.fields)
            rows.append(extra)
            return extra

        return self.first(self._changed("S5-count", "S5-count",
                                        self.called(at_least=2), change))

    def unknown(self) -> VectorLog | None:
        rows = self.rows()
        extra = _Row(1, -1, 1, self.plan.messages[1].start_us, 0,
                     {"messageId": "no-such-message"})
        rows.append(extra)
        log = VectorLog("unknown-destination", rows)
        _expect(log, extra, "unknown-destination", None)
        return self.first(iter([log]))

    def rejected(self) -> VectorLog | None:
        message_plan = self.plan.messages[1]
        target = next((s for who, s in sorted(self.schedules.items())
                       if who[0] == 1 and not s.destination.accepted), None)
        if target is None:
            return None
        rows = self.rows()
        extra = _Row(1, target.index, 1, message_plan.start_us, target.offset_minutes,
                     {"to": target.to or ""})
        rows.append(extra)
        log = VectorLog("rejected-destination", rows)
        _expect(log, extra, "rejected-destination", target)
        return self.first(iter([log]))

    def logs(self) -> list[VectorLog]:
        changes = (self.hours, self.closed, self.cap, self.no_zone, self.early_start, self.gap,
                   self.deadline, self.count, self.unknown, self.rejected)
        return [log for change in changes if (log := change()) is not None]


def build_policy_case(drawn: Case, policy: CallingPolicy, policy_text: str | None) -> Case:
    """The case ``drawn`` (a request and a submission time) under ``policy``: numbers with
    known zones, the policy plan, the conforming logs and the changes of the module docstring.
    Raises AssertionError when the verifier does not report exactly the violations expected of
    a log."""
    from ivrsched.oracle.vectors import _check

    number = int(drawn.name.rsplit("-", 1)[1])
    rng = random.Random(f"ivrsched-vectors:{drawn.id_seed}:{number}:policy")
    text = policy_text if policy_text is not None else policy_and_text(policy)[1]
    case = replace(drawn, request=zoned_request(drawn.request, rng, number), logs=[],
                   policy=policy, policy_text=text)
    the_plan = case.plan()
    builder = _Builder(case, the_plan, list(the_plan))
    case.logs.append(VectorLog("conforming", builder.rows(), exact=True))
    case.logs.append(VectorLog("conforming", builder.rows(), exact=True, csv=True))
    case.logs.extend(builder.logs())
    for log in case.logs:
        _check(case, log)
    return case


def policy_readme(readme: str, count: int, seed: int) -> str:
    """The README of a vector set written under a policy: the plain one, with the command
    named and :data:`POLICY_README` added."""
    plain = f"`ivrsched vectors --count {count} --seed {seed} DIR`"
    assert plain in readme
    return readme.replace(plain, f"`ivrsched vectors --count {count} --seed {seed} "
                                 "--policy FILE DIR`", 1) + POLICY_README


POLICY_README = f"""
## Under a calling policy (S15)

This set was written with `--policy FILE`: every case is planned and checked under that calling
policy (local calling hours in each zone of a number, closed dates, public holidays, a frequency
cap per number). Each case directory holds a copy of the file as `{POLICY_FILE}`, and
`case.json` names it (`"policy": "{POLICY_FILE}"`).

**Numbers.** Destinations are numbers whose time zones the `phonenumbers` data knows: `+1 212`
(America/New_York), `+1 303` (America/Denver), `+1 208` (America/Boise *and*
America/Los_Angeles: a call must be allowed in both), `+1 602` (America/Phoenix), `+1 312`
(America/Chicago), `+33 1` (Europe/Paris), `+41 79` (Europe/Zurich). Some numbers recur, within
and across messages: the frequency cap counts every attempt to a number. Every other case adds
`{NO_ZONE_NUMBER}`, a number with no known zone: without a `fallbackZone` it is not called.

**plan.jsonl** is exactly `ivrsched plan request.json --now NOW --seed IDSEED --policy
{POLICY_FILE} --format jsonl`. Its rows are in the policy plan's order: first the rejected
destinations, then each accepted one when its plan is final (sort by `message`, `index` for
request order). Accepted rows add `zones` (the zones the number is called by; empty when none)
and `ending`: `retries-exhausted`, or for a destination left expired `deadline` (no allowed
instant before it), `no-zone` or `never-open`. Paced slots still follow S3 on the message's
open time; each goes to the earliest destination, in request order, whose own calendar is open
and whose number the cap allows, and a slot nobody can take passes unused. Retries move to the
destination's next allowed instant.

**Messages.** A case under a policy has the paced and the unpaced message only (no
`deliveryTimeWindow`).

**Logs.** Besides the logs above (there is no `S3-pacing` or `S6-window` log under a policy),
the policy's rules:

| rule | the log broke |
|---|---|
| `S15-hours` | an attempt outside the calling hours in a zone of its number (one per zone) |
| `S15-closed` | an attempt on a closed date or holiday in a zone of its number (one per zone) |
| `S15-cap` | more than `maxAttempts` attempts to one number within `periodMinutes` (2) |
| `S15-no-zone` | attempts to a number with no known zone and no `fallbackZone` (one, the first) |

(2) Every attempt to the number counts, in every message. The interval is half-open, and the
violation is blamed as for `S3-pacing`: in time order, on the attempt that finds `maxAttempts`
attempts (not themselves blamed) in the interval that ends at it.

`S15-hours`, `S15-closed` and `S15-cap` put a retry the plan moved later back at the instant it
fell due (or move a destination's last attempt later, to the first quarter hour that breaks the
rule), so that it breaks that rule and no other; `S15-no-zone` adds an attempt for the number
with no zone. A log is left out when the policy allows no such change (no cap, no closed day, a
`fallbackZone`, …). The change of another log may move an attempt to an instant that also
breaks the policy (an early start at night): its `violations` then list those too, in the order
given above; within one attempt the rules come in the order S2, S4, S5-gap, S15-no-zone,
S15-hours, S15-closed, S15-cap, S5-count.
"""


__all__ = ["NO_ZONE_NUMBER", "POLICY_LOGS", "POLICY_README", "ZONED_PREFIXES",
           "build_policy_case", "policy_and_text", "policy_document", "policy_readme",
           "zoned_request"]
