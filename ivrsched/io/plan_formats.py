"""Plan output formats: ``jsonl`` (the machine contract), ``csv``, ``json`` and ``table``.

Every writer streams: it writes row by row from the lazy plan and holds no list of rows.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Container, Iterable, Iterator, Sequence
from typing import IO

from ivrsched.errors import Notice
from ivrsched.io.terminal_table import write_table as write_table
from ivrsched.planning.explanation import MessageSummary, summarize
from ivrsched.planning.planner import DestinationSchedule, MessagePlan, Plan
from ivrsched.planning.tally import RejectionTally, StreamSummary
from ivrsched.request.model import Destination
from ivrsched.request.status import Status
from ivrsched.rules.instants import format_us
from ivrsched.rules.rendering import Rendering
from ivrsched.rules.windows import window_record

FORMATS = ("table", "jsonl", "csv", "json")


def render(us: int, offset_minutes: int, tz: Rendering | None = None) -> str:
    """S1's text of ``us``: in the message's offset, or with ``tz`` in that zone's offset at
    that instant (``--tz``)."""
    return format_us(us, offset_minutes if tz is None else tz.offset_at(us))


def schedule_record(schedule: DestinationSchedule, deadline_us: int | None,
                    tz: Rendering | None = None) -> dict[str, object]:
    """One destination as the jsonl contract spells it (keys in this order)."""
    offset = schedule.offset_minutes
    record: dict[str, object] = {
        "message": schedule.message,
        "index": schedule.index,
        "to": schedule.to,
        "messageId": schedule.message_id,
        "status": schedule.status.value.name,
        "attempts": [render(t, offset, tz) for t in schedule.attempts_us],
        "deadline": None if deadline_us is None else render(deadline_us, offset, tz),
    }
    if schedule.zones is not None:
        # Under a calling policy only (S15): the zones the destination is called by, and how
        # its attempts end (an expired one says why: deadline, no-zone, never-open).
        record["zones"] = list(schedule.zones)
        record["ending"] = None if schedule.ending is None else schedule.ending.value
    if schedule.destination.line is not None:
        # Destinations read from a file (ivrsched.io.destination_files) keep their line number.
        record["line"] = schedule.destination.line
    return record


# The jsonl writer is the hot path of large plans. Instead of building a dict and calling
# json.dumps per row, jsonl_line assembles the same text directly: keys and status names are
# constant, rendered instants never need escaping (digits and -:.T+ only), and other strings take
# json.dumps's own path only when they contain a character it would escape.
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]')
_STATUS_JSON = {status: json.dumps(status.value.name) for status in Status}


def json_string(text: str | None) -> str:
    """``json.dumps(text, ensure_ascii=False)``, faster for text that needs no escaping."""
    if text is None:
        return "null"
    if _NEEDS_ESCAPE.search(text) is None:
        return f'"{text}"'
    return json.dumps(text, ensure_ascii=False)


def jsonl_line(message: int, index: int, destination: Destination, message_id: str,
               attempts: Sequence[str], deadline: str) -> str:
    """One jsonl row, byte for byte ``json.dumps(schedule_record(...), ensure_ascii=False)``
    plus a newline. ``attempts`` are rendered instants; ``deadline`` is the deadline already
    as JSON (see :func:`deadline_json`)."""
    attempts_json = '["' + '", "'.join(attempts) + '"]' if attempts else "[]"
    line = "" if destination.line is None else f', "line": {destination.line}'
    return (f'{{"message": {message}, "index": {index}, "to": {json_string(destination.to)}, '
            f'"messageId": {json_string(message_id)}, '
            f'"status": {_STATUS_JSON[destination.status]}, "attempts": {attempts_json}, '
            f'"deadline": {deadline}{line}}}\n')


def deadline_json(deadline_us: int | None, offset_minutes: int,
                  tz: Rendering | None = None) -> str:
    """A message's deadline as the JSON value of a jsonl row's ``deadline``."""
    return ("null" if deadline_us is None
            else json_string(render(deadline_us, offset_minutes, tz)))


def jsonl_lines(plan: Plan, tz: Rendering | None = None) -> Iterator[str]:
    """The ``jsonl`` format: one JSON object per destination, messages in order, destinations
    in request order, rejected ones included (status name, no attempts)."""
    for message_plan in plan.messages:
        offset = message_plan.offset_minutes
        deadline = deadline_json(message_plan.deadline_us, offset, tz)
        for schedule in message_plan:
            attempts = [render(t, offset, tz) for t in schedule.attempts_us]
            yield jsonl_line(schedule.message, schedule.index, schedule.destination,
                             schedule.message_id, attempts, deadline)


def write_jsonl(plan: Plan, out: IO[str], tz: Rendering | None = None) -> None:
    """Write :func:`jsonl_lines` to ``out``, row by row (a message at a time, by
    :func:`write_message_jsonl` when the message is whole, as plans and streams are); under a
    calling policy, :func:`write_policy_jsonl`."""
    if plan.policy is not None:
        write_policy_jsonl(plan, out, tz)
        return
    for message_plan in plan.messages:
        if message_plan.stream is not None or (
                message_plan.positions == range(len(message_plan.message.destinations))):
            write_message_jsonl(message_plan, out, tz=tz)
            continue
        offset = message_plan.offset_minutes
        deadline = deadline_json(message_plan.deadline_us, offset, tz)
        for schedule in message_plan:
            out.write(jsonl_line(schedule.message, schedule.index, schedule.destination,
                                 schedule.message_id,
                                 [render(t, offset, tz) for t in schedule.attempts_us],
                                 deadline))


def write_message_jsonl(message_plan: MessagePlan, out: IO[str],
                        destinations: Iterable[Destination] | None = None,
                        tz: Rendering | None = None) -> StreamSummary:
    """Write the ``jsonl`` rows of a whole message plan (or of ``destinations`` under its rules:
    its own destinations are then ignored), one at a time, and return their counts.

    The rows are byte for byte those of :func:`jsonl_lines`; this is the hot path of large
    plans and streams, so it reads the destinations itself, handing out pacing slots on the fly
    (S3), without building a schedule object per row.
    """
    source = message_plan.source if destinations is None else destinations
    attempts_of = message_plan.timeline.attempts_function(message_plan.offset_minutes)
    name = message_plan.name
    message, offset = message_plan.message_index, message_plan.offset_minutes
    deadline = deadline_json(message_plan.deadline_us, offset, tz)
    tally = RejectionTally()
    write = out.write
    slot = count = 0
    for index, destination in enumerate(source):
        count = index + 1
        if destination.accepted:
            rendered = [render(at, offset, tz) for at in attempts_of(slot)]
            slot += 1
        else:
            rendered = []
            tally.reject(destination)
        write(jsonl_line(message, index, destination, name(index, destination.message_id),
                         rendered, deadline))
    summary = tally.summary(count, slot)
    if destinations is None:
        message_plan.record_counts(summary)
    return summary


def write_policy_jsonl(plan: Plan, out: IO[str], tz: Rendering | None = None, *,
                       messages: Container[int] | None = None) -> StreamSummary:
    """The ``jsonl`` rows of a plan made under a calling policy (S15), in its row order
    (:mod:`ivrsched.planning.policy_plan`): each accepted row adds ``zones`` and ``ending``.
    Only the rows of ``messages`` when given; returns their counts (and keeps each streamed
    message's, so that no second pass is needed for them)."""
    deadlines = {m.message_index: m.deadline_us for m in plan.messages}
    tallies = {m.message_index: (RejectionTally(), [0, 0]) for m in plan.messages}
    total, total_counts = RejectionTally(), [0, 0]
    for schedule in plan:
        if messages is not None and schedule.message not in messages:
            continue
        tally, counts = tallies[schedule.message]
        for t, c in ((tally, counts), (total, total_counts)):
            c[0] += 1
            if schedule.destination.accepted:
                c[1] += 1
            else:
                t.reject(schedule.destination)
        out.write(json.dumps(schedule_record(schedule, deadlines[schedule.message], tz),
                             ensure_ascii=False) + "\n")
    for message_plan in plan.messages:
        if messages is None or message_plan.message_index in messages:
            tally, counts = tallies[message_plan.message_index]
            message_plan.record_counts(tally.summary(counts[0], counts[1]))
    return total.summary(total_counts[0], total_counts[1])


CSV_HEADER = ("message", "index", "to", "messageId", "status", "attempt", "time")
#: Under a calling policy (S15) csv rows add the destination's zones (space-separated) and its
#: ending.
CSV_POLICY_HEADER = (*CSV_HEADER, "zones", "ending")


def write_csv(plan: Plan, out: IO[str], tz: Rendering | None = None) -> None:
    """The ``csv`` format: one row per planned attempt (``attempt`` 1 for the first), and one
    row with empty ``attempt`` and ``time`` for a destination without any (rejected, or
    past the deadline), so that every destination is accounted for with its ``status``."""
    writer = csv.writer(out, lineterminator="\n")
    policy = plan.policy is not None
    writer.writerow(CSV_POLICY_HEADER if policy else CSV_HEADER)
    for schedule in plan:
        head = (schedule.message, schedule.index, schedule.to or "", schedule.message_id,
                schedule.status.value.name)
        tail: tuple[str, ...] = ()
        if policy:
            tail = (" ".join(schedule.zones or ()),
                    "" if schedule.ending is None else schedule.ending.value)
        if not schedule.attempts_us:
            writer.writerow((*head, "", "", *tail))
        for number, at in enumerate(schedule.attempts_us, start=1):
            writer.writerow((*head, number, render(at, schedule.offset_minutes, tz), *tail))


def _instant(us: int | None, offset: int, tz: Rendering | None = None) -> str | None:
    return None if us is None else render(us, offset, tz)


def _notice_record(notice: Notice) -> dict[str, str]:
    return {"path": notice.path, "code": notice.code, "message": notice.message}


def summary_record(summary: MessageSummary, tz: Rendering | None = None) -> dict[str, object]:
    """A message header for the ``json`` format."""
    offset = summary.offset_minutes
    interval = summary.interval_us
    return {
        "message": summary.message,
        "destinations": summary.destinations,
        "accepted": summary.accepted,
        "start": _instant(summary.start_us, offset, tz),
        "firstAttempt": _instant(summary.first_attempt_us, offset, tz),
        "lastFirstAttempt": _instant(summary.last_first_attempt_us, offset, tz),
        "lastAttempt": _instant(summary.last_attempt_us, offset, tz),
        "deadline": _instant(summary.deadline_us, offset, tz),
        "sendingSpeed": (None if summary.speed is None
                         else {"speed": summary.speed, "timeUnit": summary.time_unit}),
        # The exact spacing as a fraction of microseconds, so that no precision is lost.
        "intervalMicroseconds": (None if interval is None
                                 else f"{interval.numerator}/{interval.denominator}"
                                 if interval.denominator != 1 else str(interval.numerator)),
        "retryGapsMinutes": list(summary.retry_gaps_minutes),
        "validityIgnored": summary.validity_ignored,
        "deliveryTimeWindow": (None if summary.window is None
                               else window_record(summary.window)),
        "notices": [_notice_record(n) for n in summary.notices],
    }


def write_json(plan: Plan, out: IO[str], tz: Rendering | None = None) -> None:
    """The ``json`` format: one document, written piece by piece so that it streams."""
    out.write("{\n")
    out.write(f'  "bulkId": {json.dumps(plan.bulk_id)},\n')
    out.write(f'  "now": {json.dumps(render(plan.now_us, 0, tz))},\n')
    out.write(f'  "notices": {json.dumps([_notice_record(n) for n in plan.notices])},\n')
    out.write('  "messages": [')
    summaries = None
    if plan.policy is not None:
        from ivrsched.planning.policy_plan import policy_summaries

        summaries = policy_summaries(plan)
    for m, message_plan in enumerate(plan.messages):
        header = summary_record(summarize(plan, message_plan) if summaries is None
                                else summaries[message_plan.message_index], tz)
        out.write(",\n    " if m else "\n    ")
        out.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "destinations": [')
        deadline = message_plan.deadline_us
        for i, schedule in enumerate(_rows(plan, message_plan)):
            out.write(",\n      " if i else "\n      ")
            out.write(json.dumps(schedule_record(schedule, deadline, tz), ensure_ascii=False))
        out.write("\n    ]}" if len(message_plan) else "]}")
    out.write("\n  ]\n}\n" if plan.messages else "]\n}\n")


def _rows(plan: Plan, message_plan: MessagePlan) -> Iterable[DestinationSchedule]:
    """A message's rows: its own under S1–S12, the policy engine's under a policy."""
    if plan.policy is None:
        return message_plan
    from ivrsched.planning.policy_plan import message_rows

    return message_rows(plan, message_plan.message_index)


