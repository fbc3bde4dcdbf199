"""Plan output formats: ``jsonl`` (the machine contract), ``csv``, ``json`` and ``table``.

Every writer streams: it writes row by row from the lazy plan and holds no list of rows.
"""

from __future__ import annotations

import csv
import json
import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

from ivrsched.errors import Notice
from ivrsched.planning.explanation import MessageSummary, describe_duration, explain, summarize
from ivrsched.planning.planner import DestinationSchedule, MessagePlan, Plan
from ivrsched.planning.tally import RejectionTally, StreamSummary
from ivrsched.request.model import Destination
from ivrsched.request.status import Status
from ivrsched.rules.instants import format_clock, format_offset, format_us
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
    :func:`write_message_jsonl` when the message is whole, as plans and streams are)."""
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


CSV_HEADER = ("message", "index", "to", "messageId", "attempt", "time")


def write_csv(plan: Plan, out: IO[str], tz: Rendering | None = None) -> None:
    """The ``csv`` format: one row per planned attempt; ``attempt`` is 1 for the first."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for schedule in plan:
        for number, at in enumerate(schedule.attempts_us, start=1):
            writer.writerow((schedule.message, schedule.index, schedule.to or "",
                             schedule.message_id, number, render(at, schedule.offset_minutes, tz)))


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
    for m, message_plan in enumerate(plan.messages):
        header = summary_record(summarize(plan, message_plan), tz)
        out.write(",\n    " if m else "\n    ")
        out.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "destinations": [')
        deadline = message_plan.deadline_us
        for i, schedule in enumerate(message_plan):
            out.write(",\n      " if i else "\n      ")
            out.write(json.dumps(schedule_record(schedule, deadline, tz), ensure_ascii=False))
        out.write("\n    ]}" if len(message_plan) else "]}")
    out.write("\n  ]\n}\n" if plan.messages else "]\n}\n")


def _table_row(schedule: DestinationSchedule, start_date: str,
               tz: Rendering | None = None) -> str:
    """One destination for people: its attempts as clock times in the message's offset, with
    the date only for attempts not on the start's date (jsonl/csv/json keep S1's full form)."""
    if schedule.status.is_rejected:
        times = schedule.status.value.name
    elif not schedule.attempts_us:
        times = "(no attempt before the deadline)"
    else:
        fixed = schedule.offset_minutes
        offsets = [fixed if tz is None else tz.offset_at(t) for t in schedule.attempts_us]
        times = "  ".join(
            format_clock(t, offset, with_date=format_us(t, offset)[:10] != start_date)
            for t, offset in zip(schedule.attempts_us, offsets, strict=True))
    return f"{schedule.index:>8}  {schedule.to or '-':<16} {schedule.message_id:<36}  {times}"


def write_table(plan: Plan, out: IO[str], *, head: int = 10, show_all: bool = False,
                tz: Rendering | None = None) -> None:
    """The human table: a header per message, then its destinations (the first and last
    ``head`` rows with a count between them, unless ``show_all``)."""
    if plan.bulk_id is not None:
        out.write(f"bulkId {plan.bulk_id}\n")
    for message_plan in plan.messages:
        summary = summarize(plan, message_plan)
        out.write(f"\nmessage {summary.message}: {explain(summary, tz)}\n")
        offset = summary.offset_minutes
        out.write(f"  start {render(summary.start_us, offset, tz)}")
        if summary.interval_us is not None:
            out.write(f", pace one every {describe_duration(summary.interval_us)}")
        deadline = ("none (sendingSpeed)" if summary.validity_ignored
                    else _instant(summary.deadline_us, offset, tz))
        out.write(f", deadline {deadline}\n")
        start_date = render(summary.start_us, offset, tz)[:10]
        label = f"UTC{format_offset(offset)}" if tz is None else tz.label
        out.write(f"{'index':>8}  {'to':<16} {'messageId':<36}  attempts (on {start_date} "
                  f"unless dated, {label})\n")
        _write_rows(message_plan, out, head, show_all, start_date, tz)


def _write_rows(message_plan: MessagePlan, out: IO[str], head: int, show_all: bool,
                start_date: str, tz: Rendering | None = None) -> None:
    # One pass, so that a streamed message is read once more at most: the first ``head`` rows
    # are written as they come, the last ``head`` are held until the count is known.
    count = 0
    tail: deque[DestinationSchedule] = deque(maxlen=head + 1)
    for schedule in message_plan:
        count += 1
        if show_all or count <= head:
            out.write(_table_row(schedule, start_date, tz) + "\n")
        else:
            tail.append(schedule)
    if show_all:
        return
    if count > 2 * head + 1:
        out.write(f"{'…':>8}  ({count - 2 * head} more destinations; --all shows every row)\n")
        while len(tail) > head:
            tail.popleft()
    for schedule in tail:
        out.write(_table_row(schedule, start_date, tz) + "\n")
