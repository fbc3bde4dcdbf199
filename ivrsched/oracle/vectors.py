"""Conformance vectors: small, reproducible test cases for other implementations (SPEC S11).

Each case is a request (in some cases with a delivery time window, S6, in UTC or in a zone
across a DST change), a submission time, the expected plan (the ``plan`` JSONL) and a few
attempt logs — one conforming, the others each broken in one targeted way — with the violations
:func:`ivrsched.verify` must report for them. Cases come from :class:`random.Random` seeded with a
string, so the same ``(seed, count)`` always writes the same bytes; Hypothesis is not needed.

The expected violations are not read off :func:`verify`: each mutation states the one violation
it was designed to cause, and :func:`build_case` then checks that the verifier agrees, refusing
to write a case where it does not.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ivrsched.ids import SeededIds
from ivrsched.io.plan_formats import jsonl_lines, write_policy_jsonl
from ivrsched.oracle.conformance import verify
from ivrsched.planning.planner import DestinationSchedule, MessagePlan, Plan, plan
from ivrsched.rules.instants import US_PER_DAY, US_PER_MINUTE, format_us, from_us, to_us
from ivrsched.rules.retry import LADDER

if TYPE_CHECKING:
    from ivrsched.policy.document import CallingPolicy

Json = dict[str, Any]

#: The file a case made under a calling policy keeps the policy document in.
POLICY_FILE = "policy.json"
#: The log row names, in the order the vectors write them.
LOG_COLUMNS = ("messageId", "to", "attempt", "time")
_BASE_NOW = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)  # a Monday
_WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


@dataclass(frozen=True)
class DstChange:
    """A daylight saving time change a zoned case crosses: the zone, the UTC instant of the
    change (a Sunday early morning in both zones) and the zone's UTC offset before it."""

    zone: str
    at: datetime
    offset_before: int


#: The changes a zoned case may cross: spring (a skipped hour) and autumn (a doubled hour) in a
#: zone east and a zone west of UTC.
DST_CHANGES = (
    DstChange("Europe/Zagreb", datetime(2030, 3, 31, 1, 0, tzinfo=timezone.utc), 60),
    DstChange("Europe/Zagreb", datetime(2030, 10, 27, 1, 0, tzinfo=timezone.utc), 120),
    DstChange("America/New_York", datetime(2030, 3, 10, 7, 0, tzinfo=timezone.utc), -300),
    DstChange("America/New_York", datetime(2030, 11, 3, 6, 0, tzinfo=timezone.utc), -240),
)


def window_kind(number: int) -> str | None:
    """Which windowed message case ``number`` gets: ``"utc"``, ``"zone"`` or None (every third
    case has none, so any three consecutive cases hold one of each)."""
    return ("utc", "zone", None)[(number - 1) % 3]


@dataclass
class _Row:
    """One attempt of a vector log (kept as µs until written)."""

    message: int
    index: int
    attempt: int
    time_us: int
    offset: int
    fields: dict[str, str]

    def record(self) -> Json:
        return {**self.fields, "attempt": self.attempt,
                "time": format_us(self.time_us, self.offset)}


@dataclass
class VectorLog:
    """A log of a case and the violations it must produce (``exact``: it must also conform
    with exact checking)."""

    name: str
    rows: list[_Row]
    violations: list[Json] = field(default_factory=list)
    exact: bool = False
    csv: bool = False

    @property
    def file(self) -> str:
        return f"logs/{self.name}.{'csv' if self.csv else 'jsonl'}"

    def ordered(self) -> list[_Row]:
        """Rows as written: in time order, then request order."""
        return sorted(self.rows, key=lambda r: (r.time_us, r.message, r.index, r.attempt))

    def text(self) -> str:
        rows = [row.record() for row in self.ordered()]
        if not self.csv:
            return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        out = io.StringIO()
        writer = csv.DictWriter(out, LOG_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: row.get(key, "") for key in LOG_COLUMNS})
        return out.getvalue()

    def line_of(self, row: _Row) -> int:
        """The 1-based line of ``row`` in the written file (a CSV header is line 1)."""
        position = next(i for i, r in enumerate(self.ordered()) if r is row)
        return position + (2 if self.csv else 1)


@dataclass
class Case:
    """One conformance case."""

    name: str
    request: Json
    now: datetime
    id_seed: int
    logs: list[VectorLog] = field(default_factory=list)
    #: The calling policy the case is planned and verified under (S15), or None, and the text
    #: of its document (written beside the request as :data:`POLICY_FILE`).
    policy: CallingPolicy | None = None
    policy_text: str | None = None

    def plan(self) -> Plan:
        return plan(self.request, now=self.now, ids=SeededIds(self.id_seed), policy=self.policy)

    def case_json(self) -> Json:
        found: Json = {"now": format_us(to_us(self.now)), "idSeed": self.id_seed}
        if self.policy is not None:
            found["policy"] = POLICY_FILE
        found["logs"] = [{"file": log.file, "exact": log.exact, "violations": log.violations}
                         for log in self.logs]
        return found


# -- requests ----------------------------------------------------------------------------------

def _destinations(rng: random.Random, case: int, message: int, count: int,
                  rejected: bool) -> list[Json]:
    out: list[Json] = []
    for i in range(count):
        destination: Json = {"to": f"4179{case % 100:02d}{message}{i:04d}"}
        if rng.random() < 0.5:
            destination["messageId"] = f"c{case}-m{message}-d{i}"
        out.append(destination)
    if rejected:
        out.insert(rng.randrange(len(out) + 1), {"to": "12345"})
    return out


def _retry(rng: random.Random, min_count: int) -> Json:
    low = rng.randrange(5)
    high = rng.randrange(low, 7)
    return {"minPeriod": LADDER[low], "maxPeriod": LADDER[high],
            "maxCount": rng.randint(min_count, 3)}


def generate_request(rng: random.Random, case: int, now: datetime) -> Json:
    """A two-message request: message 0 paced with retries (no deadline), message 1 unpaced
    with a validity period (and sometimes a rejected destination)."""
    speed = rng.randint(1, 3)
    paced: Json = {
        "scenarioId": f"SCENARIO-{case}",
        "destinations": _destinations(rng, case, 0, speed + rng.randint(2, 4), False),
        "sendingSpeed": {"speed": speed, "timeUnit": rng.choice(("second", "minute", "hour"))},
        "retry": _retry(rng, 1),
    }
    if rng.random() < 0.5:
        offset = rng.choice((60, -300, 330))
        at = from_us(to_us(now) + rng.randint(1, 90) * US_PER_MINUTE, offset)
        paced["sendAt"] = at.isoformat(timespec="milliseconds")
    unpaced: Json = {
        "scenarioId": f"SCENARIO-{case}",
        "destinations": _destinations(rng, case, 1, rng.randint(2, 4), rng.random() < 0.5),
        "validityPeriod": rng.choice((3, 10, 60, 2880)),
    }
    if rng.random() < 0.7:
        unpaced["retry"] = _retry(rng, 0)
    return {"messages": [paced, unpaced]}


def _ladder_retry(rng: random.Random) -> Json:
    # Gaps of 30 minutes to 8 hours against windows of 1 to 3 hours: most retries fall due
    # while the window is closed and move to the next opening (S6).
    low = rng.randrange(5, 9)
    high = rng.randrange(low, 10)
    return {"minPeriod": LADDER[low], "maxPeriod": LADDER[high],
            "maxCount": rng.randint(1, 3)}


def _send_at(rng: random.Random, now: datetime, offset: int) -> str:
    at = from_us(to_us(now) + rng.randint(1, 90) * US_PER_MINUTE, offset)
    return at.isoformat(timespec="milliseconds")


def windowed_message(rng: random.Random, case: int, now: datetime,
                     change: DstChange | None) -> Json:
    """A paced message with retries and a ``deliveryTimeWindow`` (S6), with more destinations
    than its first opening holds, so that pacing stops at a closing and resumes at the next
    opening. ``change`` None: a UTC window on 2 to 5 random weekdays. Otherwise a window in
    ``change.zone`` on Saturday, Sunday (the day of the change) and some of Monday–Thursday,
    and a ``sendAt`` in the offset before the change (so every attempt, also after the change,
    is rendered in that offset, S1). ``now`` must be one to two days before the change: Friday
    is never open, so at most Saturday's opening and the part of Sunday's before the change
    (5 hours of open time) come before it, and the destinations, more than 6 hours of pacing,
    always carry the campaign across it."""
    speed = rng.randint(1, 2)
    if change is None:
        days = sorted(rng.sample(range(7), rng.randint(2, 5)))
        start = rng.randrange(0, 21 * 60, 30)
        length = rng.choice((60, 90, 120, 180))
        hours = -(-length // 60)
    else:
        days = [5, 6, *sorted(rng.sample(range(4), rng.randint(0, 2)))]
        # A night window holding the changed hour, or a morning one after it.
        start, length = rng.choice(((60, 180), (9 * 60, 150)))
        hours = 6
    window: Json = {"days": [_WEEKDAYS[d] for d in sorted(days)],
                    "from": {"hour": start // 60, "minute": start % 60},
                    "to": {"hour": (start + length) // 60, "minute": (start + length) % 60}}
    if change is not None:
        window["timeZone"] = change.zone
    message: Json = {
        "scenarioId": f"SCENARIO-{case}",
        "destinations": _destinations(rng, case, 2, speed * hours + rng.randint(1, 3), False),
        "sendingSpeed": {"speed": speed, "timeUnit": "hour"},
        "retry": _ladder_retry(rng),
        "deliveryTimeWindow": window,
    }
    if change is not None:
        message["sendAt"] = _send_at(rng, now, change.offset_before)
    elif rng.random() < 0.5:
        message["sendAt"] = _send_at(rng, now, rng.choice((60, -300, 330)))
    return message


# -- logs --------------------------------------------------------------------------------------

def _rows(schedules: Iterable[DestinationSchedule]) -> list[_Row]:
    """The planned attempts of ``schedules`` as log rows, in that order."""
    rows = []
    for schedule in schedules:
        fields = {"messageId": schedule.message_id}
        if schedule.to:
            fields["to"] = schedule.to
        for number, at in enumerate(schedule.attempts_us, start=1):
            rows.append(_Row(schedule.message, schedule.index, number, at,
                             schedule.offset_minutes, fields))
    return rows


def _find(rows: list[_Row], message: int, index: int, attempt: int) -> _Row:
    return next(r for r in rows if (r.message, r.index, r.attempt) == (message, index, attempt))


def _expect(log: VectorLog, row: _Row, rule: str, schedule: DestinationSchedule | None) -> None:
    log.violations.append({
        "rule": rule,
        "message": None if schedule is None else schedule.message,
        "index": None if schedule is None else schedule.index,
        "messageId": row.fields.get("messageId") if schedule is None else schedule.message_id,
        "attempt": None if schedule is None else row.attempt,
        "line": log.line_of(row),
    })


def _accepted(message_plan: MessagePlan) -> list[DestinationSchedule]:
    return [s for s in message_plan if s.attempts_us]


Mutation = Callable[[Plan, list[_Row]], VectorLog | None]


def _early_start(the_plan: Plan, rows: list[_Row]) -> VectorLog | None:
    # The first paced destination (slot 0) one µs before the start: its window then holds
    # itself and slots 1..speed-1 only, so pacing still holds.
    target = _accepted(the_plan.messages[0])[0]
    row = _find(rows, 0, target.index, 1)
    row.time_us = the_plan.messages[0].start_us - 1
    log = VectorLog("S2-early-start", rows)
    _expect(log, row, "S2-early-start", target)
    return log


def _pacing(the_plan: Plan, rows: list[_Row]) -> VectorLog | None:
    # The last paced destination moved back to the second-last one's instant T: the window
    # (T - U, T] already holds `speed` planned first attempts, so it is the one too many.
    accepted = _accepted(the_plan.messages[0])
    target, previous = accepted[-1], accepted[-2]
    row = _find(rows, 0, target.index, 1)
    row.time_us = previous.attempts_us[0]
    log = VectorLog("S3-pacing", rows)
    _expect(log, row, "S3-pacing", target)
    return log


def _gap(the_plan: Plan, rows: list[_Row]) -> VectorLog | None:
    # The first retry of a paced destination one µs sooner than g_1 after its first attempt.
    message_plan = the_plan.messages[0]
    target = _accepted(message_plan)[0]
    row = _find(rows, 0, target.index, 2)
    row.time_us = message_plan.timeline.earliest_retry_us(target.attempts_us[0], 1) - 1
    log = VectorLog("S5-gap", rows)
    _expect(log, row, "S5-gap", target)
    return log


def _deadline(the_plan: Plan, rows: list[_Row]) -> VectorLog | None:
    # An unpaced destination's last attempt moved exactly to the deadline (not allowed: S4).
    message_plan = the_plan.messages[1]
    assert message_plan.deadline_us is not None
    target = _accepted(message_plan)[0]
    row = _find(rows, 1, target.index, len(target.attempts_us))
    row.time_us = message_plan.deadline_us
    log = VectorLog("S4-deadline", rows)
    _expect(log, row, "S4-deadline", target)
    return log


def _count(the_plan: Plan, rows: list[_Row]) -> VectorLog | None:
    # One attempt more than 1 + maxCount, well after the last (message 0 has no deadline).
    message_plan = the_plan.messages[0]
    target = _accepted(message_plan)[0]
    last = _find(rows, 0, target.index, len(target.attempts_us))
    extra = _Row(0, target.index, last.attempt + 1,
                 last.time_us + message_plan.timeline.gaps_us[-1], last.offset, last.fields)
    rows.append(extra)
    log = VectorLog("S5-count", rows)
    _expect(log, extra, "S5-count", target)
    return log


def _unknown(the_plan: Plan, rows: list[_Row]) -> VectorLog | None:
    extra = _Row(1, -1, 1, the_plan.messages[1].start_us, 0, {"messageId": "no-such-message"})
    rows.append(extra)
    log = VectorLog("unknown-destination", rows)
    _expect(log, extra, "unknown-destination", None)
    return log


def _rejected(the_plan: Plan, rows: list[_Row]) -> VectorLog | None:
    message_plan = the_plan.messages[1]
    target = next((s for s in message_plan if s.status.is_rejected), None)
    if target is None:
        return None
    extra = _Row(1, target.index, 1, message_plan.start_us, target.offset_minutes,
                 {"to": target.to or ""})
    rows.append(extra)
    log = VectorLog("rejected-destination", rows)
    _expect(log, extra, "rejected-destination", target)
    return log


def _moved_retry(message_plan: MessagePlan) -> tuple[DestinationSchedule, int, int] | None:
    """The first retry (in request order) that the plan moved to a window opening: its
    destination, its attempt number and the instant it fell due."""
    timeline = message_plan.timeline
    for target in _accepted(message_plan):
        for k in range(1, len(target.attempts_us)):
            due = timeline.retry_due_us(target.attempts_us[k - 1], k)
            if due != target.attempts_us[k]:
                return target, k + 1, due
    return None


def _window(the_plan: Plan, rows: list[_Row]) -> VectorLog | None:
    # A closed instant for one attempt of the windowed message (paced: no deadline). Preferably
    # the first retry the plan moved to an opening, put back at the instant it fell due (the
    # previous attempt + g_k, inside a closed period): the gap still holds exactly and later
    # retries only wait longer. If no retry was moved, the last attempt of the first destination
    # moved later, to the closing of its window (closed: the window is half-open).
    message_plan = next((m for m in the_plan.messages
                         if m.message.delivery_time_window is not None), None)
    if message_plan is None:
        return None
    m = message_plan.message_index
    moved = _moved_retry(message_plan)
    if moved is not None:
        target, attempt, due = moved
        row = _find(rows, m, target.index, attempt)
        row.time_us = due
    else:
        target = _accepted(message_plan)[0]
        row = _find(rows, m, target.index, len(target.attempts_us))
        closing, _ = next(message_plan.timeline.closed_periods(row.time_us,
                                                               row.time_us + 8 * US_PER_DAY))
        row.time_us = closing
    log = VectorLog("S6-window", rows)
    _expect(log, row, "S6-window", target)
    return log


MUTATIONS: tuple[Mutation, ...] = (_early_start, _pacing, _gap, _deadline, _count, _window,
                                   _unknown, _rejected)


# -- cases -------------------------------------------------------------------------------------

def draw_case(seed: int, number: int) -> Case:
    """The request and submission time of case ``number`` (1-based) of the vector set
    ``seed``, without logs."""
    rng = random.Random(f"ivrsched-vectors:{seed}:{number}")
    # The windowed message draws from its own stream, so that the first two messages of a case
    # do not depend on whether it has one.
    window_rng = random.Random(f"ivrsched-vectors:{seed}:{number}:window")
    kind = window_kind(number)
    minutes = rng.randrange(7 * 24 * 60)
    # Zoned cases take the changes in turn, so a set of 6 cases crosses a spring and an autumn one.
    change = DST_CHANGES[(number // 3) % len(DST_CHANGES)] if kind == "zone" else None
    if change is None:
        now = _BASE_NOW + timedelta(minutes=minutes)
    else:
        # One to two days before the change (see windowed_message).
        now = change.at - timedelta(days=2) + timedelta(minutes=minutes % (24 * 60))
    request = generate_request(rng, number, now)
    if kind is not None:
        request["messages"].append(windowed_message(window_rng, number, now, change))
    return Case(f"case-{number:03d}", request, now, seed)


def build_case(seed: int, number: int, policy: CallingPolicy | None = None,
               policy_text: str | None = None) -> Case:
    """Case ``number`` (1-based) of the vector set ``seed``; raises AssertionError when the
    verifier does not report exactly the violations a mutation was designed to cause.

    With ``policy`` (and the text of its document, ``policy_text``), the case under that
    calling policy: see :mod:`ivrsched.oracle.policy_vectors`."""
    if policy is not None:
        from ivrsched.oracle.policy_vectors import build_policy_case

        return build_policy_case(draw_case(seed, number), policy, policy_text)
    case = draw_case(seed, number)
    the_plan = case.plan()
    case.logs.append(VectorLog("conforming", _rows(the_plan), exact=True))
    case.logs.append(VectorLog("conforming", _rows(the_plan), exact=True, csv=True))
    for mutation in MUTATIONS:
        log = mutation(the_plan, _rows(the_plan))
        if log is not None:
            case.logs.append(log)
    for log in case.logs:
        _check(case, log)
    return case


def _check(case: Case, log: VectorLog) -> None:
    for exact in (False, True) if log.exact else (False,):
        got = reported(case, log, exact)
        want = [violation_key(v) for v in log.violations]
        if got != want:
            raise AssertionError(f"{case.name} {log.file}: expected {want}, verify found {got}")


def reported(case: Case, log: VectorLog, exact: bool = False) -> list[Json]:
    """What :func:`verify` reports for ``log`` of ``case`` (read back from its text, under the
    case's policy), as :func:`violation_key` gives each violation."""
    from ivrsched.io.logs import read_log

    found = verify(case.request, read_log(io.StringIO(log.text()), "csv" if log.csv else "jsonl"),
                   now=case.now, exact=exact, ids=SeededIds(case.id_seed), policy=case.policy)
    return [violation_key(v.as_json()) for v in found]


def violation_key(violation: Json) -> Json:
    """The part of a violation a vector pins: rule, destination, attempt, log line."""
    return {key: violation.get(key) for key in
            ("rule", "message", "index", "messageId", "attempt", "line")}


def write_case(case: Case, directory: Path) -> None:
    """Write one case's files under ``directory/<case name>``."""
    root = directory / case.name
    (root / "logs").mkdir(parents=True, exist_ok=True)
    _write(root / "request.json", json.dumps(case.request, indent=2, ensure_ascii=False) + "\n")
    _write(root / "case.json", json.dumps(case.case_json(), indent=2, ensure_ascii=False) + "\n")
    if case.policy is None:
        _write(root / "plan.jsonl", "".join(jsonl_lines(case.plan())))
    else:
        assert case.policy_text is not None
        _write(root / POLICY_FILE, case.policy_text)
        rows = io.StringIO()
        write_policy_jsonl(case.plan(), rows)
        _write(root / "plan.jsonl", rows.getvalue())
    for log in case.logs:
        _write(root / log.file, log.text())


def _write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def write_vectors(directory: Path, count: int, seed: int, *,
                  policy: CallingPolicy | Mapping[str, Any] | str | None = None) -> list[Case]:
    """Write ``count`` cases and a README to ``directory``; returns the cases.

    ``policy`` (a :class:`~ivrsched.policy.CallingPolicy`, a policy document, or its JSON
    text) generates every case under that calling policy (S15, needs the ``policy`` extra):
    each case directory gets the document as :data:`POLICY_FILE` (JSON text as given, else
    written out), the expected plan is the policy plan and the logs add the policy's rules; see
    :mod:`ivrsched.oracle.policy_vectors`. Raises :class:`~ivrsched.errors.RequestError` for an
    invalid policy."""
    parsed: CallingPolicy | None = None
    text: str | None = None
    if policy is not None:
        from ivrsched.oracle.policy_vectors import policy_and_text

        parsed, text = policy_and_text(policy)
    directory.mkdir(parents=True, exist_ok=True)
    cases = []
    for number in range(1, count + 1):
        # Each case is written as soon as it is built, so a long run shows progress on disk.
        case = build_case(seed, number, parsed, text)
        write_case(case, directory)
        cases.append(case)
    readme = README.format(count=count, seed=seed)
    if parsed is not None:
        from ivrsched.oracle.policy_vectors import policy_readme

        readme = policy_readme(readme, count, seed)
    _write(directory / "README.md", readme)
    return cases


README = """\
# ivrsched conformance vectors

{count} cases written by `ivrsched vectors --count {count} --seed {seed} DIR`. They let another
implementation of the scheduling rules (SPEC.md S1–S11) check itself against ivrsched, in any
language, without running ivrsched.

## Layout

```
case-NNN/
  request.json   the request (POST /voice/ivr/1/messages body, "messages" shape)
  case.json      {{"now": submission time, "idSeed": ..., "logs": [...]}}
  plan.jsonl     the expected plan: one JSON object per destination, request order
  logs/*.jsonl   attempt logs (one is also given as CSV) to feed to a verifier
```

**plan.jsonl** is exactly `ivrsched plan request.json --now NOW --seed IDSEED --format jsonl`:
`{{"message", "index", "to", "messageId", "status", "attempts", "deadline"}}` where `attempts` are
the earliest attempt instants (first attempt, then each retry, failure delay 0) and times are
rendered as S1 says (`YYYY-MM-DDTHH:MM:SS.fff±HH:MM`, six fractional digits when there are
microseconds, in the offset of the message's `sendAt`, else `+00:00`). Rejected destinations have
their status name and no attempts. A planner passes when it produces the same instants.

**Delivery time windows.** In some cases a third message has a `deliveryTimeWindow` (S6): a
UTC window, or one in an IANA `timeZone` (an ivrsched extension) with a campaign that crosses a
daylight saving time change. Each allowed day's window is the half-open interval `[from, to)` of
that day's wall-clock time (an attempt at `to` is outside). Pacing runs on open time only: the
paced clock stops while the window is closed, so the i-th first attempt is where
`floor(i·U/speed)` of open time has elapsed since the start (an offset reached exactly at a
closing moves to the next opening). A retry that falls due while the window is closed moves to
the next opening. How a window reads on the day of a change (a skipped or a doubled hour inside
it) is ivrsched's interpretation, documented in its `docs/windows.md`. Times are still rendered
in the offset of the message's `sendAt`, also after a change.

**messageIds.** Destinations without a `messageId` in the request get a generated one. Yours will
differ: take the generated IDs from `plan.jsonl` (ivrsched derives them from `idSeed`). Every log
row names its destination by `messageId` (and also `to` where there is one).

**Logs.** Rows are `{{"messageId", "to", "attempt", "time"}}`: `attempt` 1 is the first attempt,
2 the first retry, …; `time` is when the attempt started. In CSV the same names are the header.
Line numbers count from 1; in CSV the header is line 1.

**case.json `logs`.** For each log: `file`, `exact` (true: the log is the plan itself, so it must
also pass a check that every attempt is at its planned instant) and `violations`, the exact list
a verifier must report, in this order: by message, destination index, attempt; rows naming no
destination of the request last. Each violation is `{{"rule", "message", "index", "messageId",
"attempt", "line"}}` (`message`/`index`/`attempt` are null for an unknown destination). Rules:

| rule | the log broke |
|---|---|
| `S2-early-start` | a first attempt before the message's start (the later of `sendAt` and now) |
| `S3-pacing` | more than `speed` first attempts of a message within one `timeUnit` (1) |
| `S4-deadline` | an attempt at or after start + `validityPeriod` |
| `S5-gap` | retry k sooner than g_k after attempt k (its end, when the log gives one) |
| `S5-count` | more than 1 + `maxCount` attempts for a destination |
| `S6-window` | an attempt while the delivery time window is closed |
| `unknown-destination` | a row naming no destination of the request |
| `rejected-destination` | an attempt for a destination the request rejected (S7) |

(1) The interval is half-open: `speed` first attempts exactly one unit apart are fine. The
violation is blamed on the first attempt that would make an interval overfull, scanning in time
order (attempts already blamed do not count for later intervals).

Each log except `conforming` is the plan with one targeted change, named by the file. In
`S6-window` (cases with a window only) it is the first retry that the plan moved to a window
opening, put back at the instant it fell due, inside a closed period (the previous attempt +
g_k, so its gap still holds); when the plan moved no retry, it is a destination's last attempt
moved to the closing instant of its window.
"""


__all__ = ["DST_CHANGES", "LOG_COLUMNS", "MUTATIONS", "POLICY_FILE", "README", "Case", "DstChange",
           "VectorLog", "build_case", "draw_case", "generate_request", "reported",
           "violation_key", "window_kind", "windowed_message", "write_case", "write_vectors"]
