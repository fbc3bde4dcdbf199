"""The plan as a table for people (``plan --format table``).

Per message a header (the ``explain`` sentence, notices, start, pace, deadline), then one line
per destination with its attempts as clock times in the message's offset. The columns line up:

* each attempt column has one precision, the finest any of its shown times needs (``HH:MM``,
  ``HH:MM:SS``, ``HH:MM:SS.fff`` or ``HH:MM:SS.ffffff``), so that ``09:00`` never stands next
  to ``09:00:00.360``;
* a time on a later date than the start's says how many days later (``+1d 09:00``), instead of
  a full date in every cell;
* on a terminal narrower than a line, the messageId is shortened to its first characters;
* with ``--all`` the column header is repeated every :data:`HEADER_EVERY` rows.

Above ``2 × head + 1`` destinations only the first and last ``head`` are shown, with the count
between them; ``--all`` shows every row.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO

from ivrsched.planning.explanation import describe_duration, explain, summarize
from ivrsched.planning.planner import DestinationSchedule, Plan
from ivrsched.rules.instants import (
    US_PER_DAY,
    US_PER_MINUTE,
    US_PER_SECOND,
    format_offset,
    format_us,
)
from ivrsched.rules.rendering import Rendering

__all__ = ["HEADER_EVERY", "write_table"]

#: With ``--all``, the column header is written again after this many rows.
HEADER_EVERY = 50
#: A messageId shortened to fit a narrow terminal keeps this many characters (and an ellipsis).
SHORT_ID = 8

#: Clock precisions, coarsest first: (microseconds per step, characters of ``HH:MM:SS.ffffff``).
_PRECISIONS = ((US_PER_MINUTE, 5), (US_PER_SECOND, 8), (1000, 12), (1, 15))


def _precision(times: Iterable[int], offset_minutes: int) -> int:
    """The characters of the clock that the finest of ``times`` needs."""
    finest = 0
    for at in times:
        local = at + offset_minutes * US_PER_MINUTE
        finest = max(finest, next(i for i, (step, _) in enumerate(_PRECISIONS)
                                  if local % step == 0))
        if finest == len(_PRECISIONS) - 1:
            break
    return _PRECISIONS[finest][1]


def _clock(at_us: int, offset_minutes: int) -> str:
    """``HH:MM:SS.ffffff`` of the local time, by integer arithmetic (cut to a precision)."""
    of_day = (at_us + offset_minutes * US_PER_MINUTE) % US_PER_DAY
    seconds, micro = divmod(of_day, US_PER_SECOND)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return f"{hour:02d}:{minute:02d}:{second:02d}.{micro:06d}"


def _day(at_us: int, offset_minutes: int) -> int:
    return (at_us + offset_minutes * US_PER_MINUTE) // US_PER_DAY


@dataclass(frozen=True)
class _Layout:
    """How a message's rows are laid out: each attempt column's clock width and cell width,
    and how wide the messageId column is; ``tz`` renders each instant in a zone's offset at
    that instant (``--tz``) instead of the message's fixed one."""

    offset_minutes: int
    start_day: int
    clocks: tuple[int, ...]
    cells: tuple[int, ...]
    id_width: int
    tz: Rendering | None = None

    def offset(self, at_us: int) -> int:
        return self.offset_minutes if self.tz is None else self.tz.offset_at(at_us)

    def cell(self, column: int, at_us: int) -> str:
        offset = self.offset(at_us)
        clock = _clock(at_us, offset)[:self.clocks[column]]
        later = _day(at_us, offset) - self.start_day
        return f"+{later}d {clock}" if later else clock

    def row(self, schedule: DestinationSchedule) -> str:
        message_id = schedule.message_id
        if len(message_id) > self.id_width:
            message_id = message_id[:SHORT_ID] + "…"
        head = f"{schedule.index:>8}  {schedule.to or '-':<16} {message_id:<{self.id_width}}  "
        if schedule.status.is_rejected:
            return head + schedule.status.value.name
        policy = ""
        if schedule.zones is not None:
            # Under a calling policy: the zones called by, and an expired ending.
            zones = " ".join(schedule.zones) or "no zone"
            expired = schedule.ending is not None and schedule.ending.expired
            policy = f"  [{zones}]" + (f" expired: {schedule.ending.value}"
                                       if expired and schedule.ending is not None else "")
        if not schedule.attempts_us:
            if schedule.zones is not None:
                return head + "(no attempt)" + policy
            return head + "(no attempt before the deadline)"
        cells = [self.cell(k, at).rjust(self.cells[k])
                 for k, at in enumerate(schedule.attempts_us)]
        return (head + "  ".join(cells)).rstrip() + policy


def _layout(shown: Sequence[DestinationSchedule], offset_minutes: int, start_us: int,
            width: int | None, tz: Rendering | None = None) -> _Layout:
    probe = _Layout(offset_minutes, 0, (), (), 36, tz)
    start_day = _day(start_us, probe.offset(start_us))
    depth = max((len(s.attempts_us) for s in shown), default=0)
    columns = [[s.attempts_us[k] for s in shown if len(s.attempts_us) > k] for k in range(depth)]
    # Precision per column, judged in the offset each instant is shown in.
    clocks = tuple(max((_precision([at], probe.offset(at)) for at in column), default=5)
                   for column in columns)
    probe = _Layout(offset_minutes, start_day, clocks, (0,) * depth, 36, tz)
    cells = tuple(max(len(probe.cell(k, at)) for at in column)
                  for k, column in enumerate(columns))
    id_width = max((len(s.message_id) for s in shown), default=9)
    id_width = max(id_width, len("messageId"))
    line = 8 + 2 + 16 + 1 + id_width + 2 + sum(cells) + 2 * max(0, depth - 1)
    if width is not None and line > width:
        id_width = max(SHORT_ID + 1, len("messageId"))
    return _Layout(offset_minutes, start_day, clocks, cells, id_width, tz)


def _header(layout: _Layout, start_date: str) -> str:
    label = (f"UTC{format_offset(layout.offset_minutes)}" if layout.tz is None
             else layout.tz.label)
    return (f"{'index':>8}  {'to':<16} {'messageId':<{layout.id_width}}  attempts "
            f"(on {start_date}, +Nd: N days later; {label})")


def write_table(plan: Plan, out: IO[str], *, head: int = 10, show_all: bool = False,
                width: int | None = None, tz: Rendering | None = None) -> None:
    """Write the table of ``plan`` to ``out``; ``width`` is the terminal's width (None: not a
    terminal, nothing is shortened); ``tz`` shows every instant in that zone (``--tz``)."""
    if plan.bulk_id is not None:
        out.write(f"bulkId {plan.bulk_id}\n")
    summaries = None
    if plan.policy is not None:
        from ivrsched.planning.policy_plan import policy_summaries

        summaries = policy_summaries(plan)
        out.write("under a calling policy: rows in the order their plans are complete, "
                  "[the zones each is called by]\n")
    for message_plan in plan.messages:
        summary = (summarize(plan, message_plan) if summaries is None
                   else summaries[message_plan.message_index])
        offset = summary.offset_minutes
        out.write(f"\nmessage {summary.message}: {explain(summary, tz)}\n")
        out.write(f"  start {_instant(summary.start_us, offset, tz)}")
        if summary.interval_us is not None:
            out.write(f", pace one every {describe_duration(summary.interval_us)}")
        deadline = ("none (sendingSpeed)" if summary.validity_ignored
                    else _instant(summary.deadline_us, offset, tz))
        out.write(f", deadline {deadline}\n")
        rows: Iterable[DestinationSchedule] = message_plan
        if plan.policy is not None:
            from ivrsched.planning.policy_plan import message_rows

            rows = message_rows(plan, message_plan.message_index)
        _write_rows(rows, message_plan.offset_minutes, out, head, show_all, width,
                    summary.start_us, tz)


def _instant(us: int | None, offset: int, tz: Rendering | None = None) -> str | None:
    if us is None:
        return None
    return format_us(us, offset if tz is None else tz.offset_at(us))


def _write_rows(schedules: Iterable[DestinationSchedule], offset: int, out: IO[str], head: int,
                show_all: bool, width: int | None, start_us: int,
                tz: Rendering | None = None) -> None:
    start_date = _instant(start_us, offset, tz) or ""
    start_date = start_date[:10]
    # One pass, so that a streamed message is read once more at most: the rows shown are held
    # (the first ``head`` and the last ``head`` of them, or all with ``--all``) to size the
    # columns before anything is written.
    first: list[DestinationSchedule] = []
    tail: deque[DestinationSchedule] = deque(maxlen=None if show_all else head + 1)
    count = 0
    for schedule in schedules:
        count += 1
        if not show_all and count <= head:
            first.append(schedule)
        else:
            tail.append(schedule)
    hidden = 0 if show_all else max(0, count - 2 * head)
    if hidden == 1:  # one hidden row takes no less room than the line that says so
        hidden = 0
    elif hidden:
        while len(tail) > head:
            tail.popleft()
    rows = first + list(tail)
    layout = _layout(rows, offset, start_us, width, tz)
    header = _header(layout, start_date)
    out.write(header + "\n")
    for number, schedule in enumerate(rows):
        if show_all and number and number % HEADER_EVERY == 0:
            out.write(header + "\n")
        if hidden and number == len(first):
            out.write(f"{'…':>8}  ({hidden} more destinations; --all shows every row)\n")
        out.write(layout.row(schedule) + "\n")
