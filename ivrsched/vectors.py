"""Conformance vectors: small, reproducible test cases for other implementations (SPEC S11).

Each case is a request, a submission time, the expected plan (the ``plan`` JSONL) and a few
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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .formats import jsonl_lines
from .ids import SeededIds
from .instants import US_PER_MINUTE, format_us, from_us, to_us
from .planning import DestinationSchedule, MessagePlan, Plan, plan
from .retry import LADDER
from .verification import verify

Json = dict[str, Any]

#: The log row names, in the order the vectors write them.
LOG_COLUMNS = ("messageId", "to", "attempt", "time")
_BASE_NOW = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)  # a Monday


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

    def plan(self) -> Plan:
        return plan(self.request, now=self.now, ids=SeededIds(self.id_seed))

    def case_json(self) -> Json:
        return {
            "now": format_us(to_us(self.now)),
            "idSeed": self.id_seed,
            "logs": [{"file": log.file, "exact": log.exact, "violations": log.violations}
                     for log in self.logs],
        }


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


# -- logs --------------------------------------------------------------------------------------

def _rows(the_plan: Plan) -> list[_Row]:
    rows = []
    for schedule in the_plan:
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
    row.time_us = target.attempts_us[0] + message_plan.timeline.gaps_us[0] - 1
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


MUTATIONS: tuple[Mutation, ...] = (_early_start, _pacing, _gap, _deadline, _count, _unknown,
                                   _rejected)


# -- cases -------------------------------------------------------------------------------------

def build_case(seed: int, number: int) -> Case:
    """Case ``number`` (1-based) of the vector set ``seed``; raises AssertionError when the
    verifier does not report exactly the violations a mutation was designed to cause."""
    rng = random.Random(f"ivrsched-vectors:{seed}:{number}")
    now = _BASE_NOW + timedelta(minutes=rng.randrange(7 * 24 * 60))
    case = Case(f"case-{number:03d}", generate_request(rng, number, now), now, seed)
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
    from .logs import read_log

    for exact in (False, True) if log.exact else (False,):
        found = verify(case.request, read_log(io.StringIO(log.text()),
                                              "csv" if log.csv else "jsonl"),
                       now=case.now, exact=exact, ids=SeededIds(case.id_seed))
        got = [violation_key(v.as_json()) for v in found]
        want = [violation_key(v) for v in log.violations]
        if got != want:
            raise AssertionError(f"{case.name} {log.file}: expected {want}, verify found {got}")


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
    _write(root / "plan.jsonl", "".join(jsonl_lines(case.plan())))
    for log in case.logs:
        _write(root / log.file, log.text())


def _write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def write_vectors(directory: Path, count: int, seed: int) -> list[Case]:
    """Write ``count`` cases and a README to ``directory``; returns the cases."""
    directory.mkdir(parents=True, exist_ok=True)
    cases = [build_case(seed, number) for number in range(1, count + 1)]
    for case in cases:
        write_case(case, directory)
    _write(directory / "README.md", README.format(count=count, seed=seed))
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
| `unknown-destination` | a row naming no destination of the request |
| `rejected-destination` | an attempt for a destination the request rejected (S7) |

(1) The interval is half-open: `speed` first attempts exactly one unit apart are fine. The
violation is blamed on the first attempt that would make an interval overfull, scanning in time
order (attempts already blamed do not count for later intervals).

Each log except `conforming` is the plan with one targeted change, named by the file.
"""


__all__ = ["LOG_COLUMNS", "MUTATIONS", "README", "Case", "VectorLog", "build_case",
           "generate_request", "violation_key", "write_case", "write_vectors"]
