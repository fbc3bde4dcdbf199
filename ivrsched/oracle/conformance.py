"""The oracle: does an observed attempt log obey the rules? (SPEC S11)

:func:`verify` plans the request (to know each message's start, pace, deadline, retry gaps and
delivery window), reads the log once, groups its rows per destination and checks every rule of
S11. Each broken rule becomes a :class:`Violation` naming the rule, the destination, the log line
and the instants involved, as a sentence and as data.

Memory: the log is read once, as a stream; each row is kept as five integers in compact
``array('q')`` columns (40 bytes a row), because a log need not be ordered by destination and the
pacing rule needs each message's first attempts sorted by time. Rows are then bucketed per
destination with a counting sort (O(rows + destinations), no per-row objects), and each message's
first attempts are sorted once (O(n log n)) and checked with a sliding window (O(n)). Beyond the
columns, the verifier holds lookup tables over the request's destinations (O(destinations), the
size of the request itself) and the sorted first attempts of one message at a time.

Destinations streamed from a file (:func:`with_destinations`) cannot be verified in constant
memory: a log row may name any destination, in any order, so the verifier needs random access to
them. They are read once and held compactly (:class:`HeldDestinations`): per destination, the
address and the line number; whole objects only for the exceptions (rejected ones, given
messageIds).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum
from os import PathLike, fspath
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from ivrsched.abc import Calendar
from ivrsched.errors import Notice
from ivrsched.ids import IdSource, SeededIds, generated_message_ids
from ivrsched.io.logs import LogRow, row_from_mapping
from ivrsched.planning.explanation import describe_duration
from ivrsched.planning.planner import MessagePlan, Plan, plan
from ivrsched.request.destinations import normalize_to
from ivrsched.request.model import Destination, Request
from ivrsched.rules.instants import MIN_US, format_us
from ivrsched.rules.lifecycle import Lifecycle, LifecycleEvent, Operation, PausedCalendar

if TYPE_CHECKING:
    from ivrsched.io.log_columns import LogColumns
    from ivrsched.oracle.policy_checks import Finding, PolicyChecks
    from ivrsched.policy.document import CallingPolicy

#: Every rule name a violation may carry, in the order violations of one attempt are listed.
RULES: tuple[str, ...] = (
    "attempt-number",         # attempt numbers of a destination are not 1, 2, …, n
    "rejected-destination",   # a destination the request rejected (S7) was attempted
    "S2-early-start",         # a first attempt before its message's start
    "S3-pacing",              # more than `speed` first attempts of a message in a time unit
    "S4-deadline",            # an attempt at or after the deadline
    "S5-gap",                 # a retry sooner than g_k after the previous attempt
    "S6-window",              # an attempt outside the delivery time window
    "S13-lifecycle",          # an attempt in a pause, at/after a cancel, before a rescheduled start
    "S15-no-zone",            # (policy) a number with no known zone and no fallbackZone called
    "S15-hours",              # (policy) outside the local calling hours of a candidate zone
    "S15-closed",             # (policy) on a closed date or public holiday of a candidate zone
    "S15-cap",                # (policy) over the frequency cap of the number
    "exact-time",             # (exact=True) an attempt not at its planned instant
    "S5-count",               # more than 1 + maxCount attempts
    "missing-destination",    # (require_all=True) an accepted destination never attempted
    "unknown-destination",    # the log names a destination the request does not have
    "ambiguous-destination",  # the log names by `to` a number the request has twice
)
_RULE_ORDER = {rule: i for i, rule in enumerate(RULES)}
#: Sentinel in the ``end`` column: the row gave no end.
_NO_END = -(2**63)
#: Attempt numbers are stored in 64-bit columns; anything larger is equally wrong.
_MAX_ATTEMPT = 2**62
_AMBIGUOUS = -1


@dataclass(frozen=True)
class Violation:
    """One broken rule.

    ``rule`` is one of :data:`RULES`. The destination is ``message`` (message index) and
    ``index`` (its position in the request), with its ``to`` and ``message_id`` (the given one,
    or the generated one when the verifier was given the ID source; None otherwise); for an
    unknown or ambiguous destination ``message``/``index`` are None and ``to``/``message_id`` are
    what the log said. ``attempt`` and ``line`` locate the offending log row, ``time_us`` is its
    instant and ``limit_us`` the bound it broke (the start, the deadline, the earliest allowed
    instant, the planned instant, …). ``detail`` says what is wrong; :attr:`sentence` adds who.
    """

    rule: str
    detail: str
    message: int | None = None
    index: int | None = None
    to: str | None = None
    message_id: str | None = None
    attempt: int | None = None
    line: int | None = None
    time_us: int | None = None
    limit_us: int | None = None
    offset_minutes: int = 0

    @property
    def destination(self) -> str:
        """Who, in words: the message and position, or what the log called it."""
        names = []
        if self.to is not None:
            names.append(f"to {self.to}")
        if self.message_id is not None:
            names.append(f"messageId {self.message_id}")
        named = ", ".join(names)
        if self.message is None:
            return f"destination ({named})" if named else "destination"
        return f"message {self.message} destination {self.index}" + (f" ({named})" if named
                                                                       else "")

    @property
    def sentence(self) -> str:
        """The violation as one readable sentence."""
        where = f" [log line {self.line}]" if self.line is not None else ""
        return f"{self.rule}: {self.destination}: {self.detail}{where}"

    def as_json(self) -> dict[str, object]:
        """The violation as a JSON object (times rendered as S1 says, in the message's offset)."""
        return {
            "rule": self.rule,
            "message": self.message,
            "index": self.index,
            "to": self.to,
            "messageId": self.message_id,
            "attempt": self.attempt,
            "line": self.line,
            "time": self._render(self.time_us),
            "limit": self._render(self.limit_us),
            "sentence": self.sentence,
        }

    def _render(self, us: int | None) -> str | None:
        return None if us is None else format_us(us, self.offset_minutes)

    def sort_key(self) -> tuple[int, int, int, int, int]:
        """Request order: message, destination, attempt, rule; unknown destinations last."""
        big = 2**63
        return (big if self.message is None else self.message,
                big if self.index is None else self.index,
                self.attempt or 0, _RULE_ORDER[self.rule], self.line or 0)


@dataclass(frozen=True)
class VerificationReport:
    """Everything :func:`verify_report` found: the violations and how much was checked."""

    violations: tuple[Violation, ...]
    rows: int
    destinations: int
    #: The notices of the plan the log was checked against (the same every command gives).
    notices: tuple[Notice, ...] = ()

    @property
    def conforms(self) -> bool:
        """True when no violation was found."""
        return not self.violations

    def summary(self) -> str:
        """One line: the verdict and the counts."""
        checked = f"{self.rows} attempt(s) of {self.destinations} destination(s) checked"
        if self.conforms:
            return f"conforms: {checked}"
        counts: dict[str, int] = {}
        for v in self.violations:
            counts[v.rule] = counts.get(v.rule, 0) + 1
        rules = ", ".join(f"{rule} ×{n}" for rule, n in sorted(
            counts.items(), key=lambda item: _RULE_ORDER[item[0]]))
        return f"does not conform: {len(self.violations)} violation(s) ({rules}); {checked}"


# -- the pacing window -------------------------------------------------------------------------

def overfull(times: Sequence[int], speed: int, unit_us: int) -> Iterator[tuple[int, int]]:
    """Blame the first attempts that break "at most ``speed`` in any half-open interval of
    length ``unit_us``" (S3). ``times`` must be sorted.

    Scans in time order keeping the attempts not blamed so far; an attempt that finds ``speed``
    kept ones in the interval ``(t - unit_us, t]`` is blamed and not kept. Yields, per blamed
    attempt, its position in ``times`` and the instant of the oldest kept attempt of that full
    window (the attempt would have been allowed at that instant + ``unit_us``). The log conforms
    iff nothing is yielded, and removing the blamed attempts leaves a conforming log. O(n).
    """
    kept: list[int] = []
    oldest = 0
    for position, at in enumerate(times):
        while oldest < len(kept) and kept[oldest] <= at - unit_us:
            oldest += 1
        if len(kept) - oldest >= speed:
            yield position, kept[oldest]
        else:
            kept.append(at)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, …, 11th, 12th, 13th, …, 21st."""
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# -- finding a log row's destination -----------------------------------------------------------

@dataclass
class _Directory:
    """Maps a log row to a destination's global number (its position across all messages)."""

    request: Request
    ids: IdSource | None
    bases: list[int] = field(default_factory=list)
    by_id: dict[str, int] = field(default_factory=dict)
    _by_to: dict[str, int] | None = None

    def __post_init__(self) -> None:
        given: list[str | None] = []
        base = 0
        for message in self.request.messages:
            self.bases.append(base)
            given.extend([destination.message_id for destination in message.destinations])
            base += len(message.destinations)
        self.bases.append(base)
        # The first use owns an ID; later uses are rejected duplicates (S7). Built from the
        # end, so that the first use is the last written (one C-level dict build instead of
        # a setdefault per destination; the keys' order is of no account).
        owners: dict[str | None, int] = dict(zip(reversed(given), range(base - 1, -1, -1),
                                                       strict=True))
        owners.pop(None, None)
        self.by_id = cast(dict[str, int], owners)
        if self.ids is not None:
            for m, message in enumerate(self.request.messages):
                generated = generated_message_ids(self.ids, m)
                for position, destination in enumerate(message.destinations):
                    if destination.message_id is None:
                        self.by_id.setdefault(generated(position), self.bases[m] + position)

    @property
    def by_to(self) -> dict[str, int]:
        """The destinations by normalised ``to`` (:data:`_AMBIGUOUS` for a number given more
        than once); built on first use, as only rows naming a number need it."""
        if self._by_to is None:
            by_to: dict[str, int] = {}
            gid = 0
            for message in self.request.messages:
                for destination in message.destinations:
                    if destination.to:
                        key = normalize_to(destination.to)
                        by_to[key] = _AMBIGUOUS if key in by_to else gid
                    gid += 1
            self._by_to = by_to
        return self._by_to

    @property
    def size(self) -> int:
        return self.bases[-1]

    def locate(self, gid: int) -> tuple[int, int]:
        m = bisect_right(self.bases, gid) - 1
        return m, gid - self.bases[m]

    def destination(self, gid: int) -> Destination:
        m, position = self.locate(gid)
        return self.request.messages[m].destinations[position]

    def id_arrays(self) -> tuple[Any, Any]:
        """The messageIds a row may name (a pyarrow string array) and their destinations'
        global numbers (a NumPy array), for looking rows up at once."""
        import numpy as np
        import pyarrow as pa

        return (pa.array(list(self.by_id), type=pa.string()),
                np.fromiter(self.by_id.values(), dtype=np.int64, count=len(self.by_id)))

    def resolve(self, row: LogRow) -> int | _Unresolved:
        """The row's destination, or why there is none."""
        if row.message_id is not None:
            gid = self.by_id.get(row.message_id)
            if gid is not None:
                to = self.destination(gid).to
                if row.to is not None and normalize_to(row.to) != normalize_to(to or ""):
                    return _Unresolved("unknown-destination", _NamedBy.BOTH, row.message_id,
                                       row.to)
                return gid
            if self.ids is None and row.to is not None:
                # A messageId the request did not give was generated by the implementation;
                # without its ID source the verifier identifies the row by its number instead.
                gid = self.by_to.get(normalize_to(row.to))
                if gid is not None and gid != _AMBIGUOUS and \
                        self.destination(gid).message_id is None:
                    return gid
            return _Unresolved("unknown-destination", _NamedBy.MESSAGE_ID,
                               message_id=row.message_id)
        assert row.to is not None
        gid = self.by_to.get(normalize_to(row.to))
        if gid is None:
            return _Unresolved("unknown-destination", _NamedBy.TO, to=row.to)
        if gid == _AMBIGUOUS:
            return _Unresolved("ambiguous-destination", _NamedBy.TO, to=row.to)
        return gid


class _NamedBy(Enum):
    """What a log row named its destination by, as the violation's sentence says it."""

    MESSAGE_ID = "messageId"
    TO = "to"
    BOTH = "messageId+to"  # a known messageId, but with another number than its own


@dataclass(frozen=True, slots=True)
class _Unresolved:
    """Why a log row names no destination of the request. Rows with equal values are one
    violation (so this is a dictionary key)."""

    rule: str  # unknown-destination or ambiguous-destination
    named_by: _NamedBy
    message_id: str | None = None
    to: str | None = None


@dataclass
class _Stranger:
    """Rows naming no destination of the request, grouped by what they named."""

    key: _Unresolved
    line: int
    time_us: int
    rows: int = 0

    def violation(self) -> Violation:
        plural = f"{self.rows} rows, the first shown" if self.rows > 1 else "1 row"
        key = self.key
        if key.named_by is _NamedBy.BOTH:
            detail = (f"messageId {key.message_id} belongs to another number than to {key.to} "
                      f"({plural})")
        elif key.rule == "ambiguous-destination":
            detail = (f"the request has to {key.to} more than once; the log must name these "
                      f"destinations by messageId ({plural})")
        else:
            value = key.to if key.named_by is _NamedBy.TO else key.message_id
            detail = (f"the request has no destination with {key.named_by.value} {value} "
                      f"({plural})")
        return Violation(key.rule, detail, to=key.to, message_id=key.message_id,
                         line=self.line, time_us=self.time_us)


# -- the columns -------------------------------------------------------------------------------

@dataclass
class _Columns:
    """The log's resolved rows, five 64-bit integers each."""

    gid: array[int] = field(default_factory=lambda: array("q"))
    attempt: array[int] = field(default_factory=lambda: array("q"))
    time: array[int] = field(default_factory=lambda: array("q"))
    end: array[int] = field(default_factory=lambda: array("q"))
    line: array[int] = field(default_factory=lambda: array("q"))

    def add(self, gid: int, row: LogRow) -> None:
        self.gid.append(gid)
        self.attempt.append(min(row.attempt, _MAX_ATTEMPT))
        self.time.append(row.time_us)
        self.end.append(_NO_END if row.end_us is None else row.end_us)
        self.line.append(row.line)

    def buckets(self, size: int) -> tuple[array[int], array[int]]:
        """A counting sort by destination: ``(starts, order)`` where the rows of destination g
        are ``order[starts[g]:starts[g + 1]]``, in log order."""
        try:
            import numpy as np
        except ImportError:  # NumPy is an optional extra: the same sort in Python
            return self._buckets(size)
        gid = np.frombuffer(self.gid, dtype=np.int64)  # empty when no row was read
        counts = np.bincount(gid, minlength=size)
        starts = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        # A stable sort keeps each destination's rows in log order, as the counting sort does.
        order = np.argsort(gid, kind="stable").astype(np.int64)
        return array("q", starts.tobytes()), array("q", order.tobytes())

    def _buckets(self, size: int) -> tuple[array[int], array[int]]:
        starts = array("q", bytes(8 * (size + 1)))
        for gid in self.gid:
            starts[gid + 1] += 1
        for g in range(size):
            starts[g + 1] += starts[g]
        fill = array("q", starts)
        order = array("q", bytes(8 * len(self.gid)))
        for row, gid in enumerate(self.gid):
            order[fill[gid]] = row
            fill[gid] += 1
        return starts, order


class _Attempt(NamedTuple):
    """One log row of a destination as the checks read it; rows sort by attempt number, then
    time (a named tuple: built once per row, so kept as light as a tuple)."""

    number: int
    time_us: int
    line: int
    end_us: int  # _NO_END when the row gave no end


# -- the checks of one destination -------------------------------------------------------------

@dataclass(frozen=True)
class _Who:
    message: int
    index: int
    to: str | None
    message_id: str | None
    offset: int

    def violation(self, rule: str, detail: str, attempt: _Attempt | None = None,
                  limit_us: int | None = None) -> Violation:
        return Violation(rule, detail, self.message, self.index, self.to, self.message_id,
                         None if attempt is None else attempt.number,
                         None if attempt is None else attempt.line,
                         None if attempt is None else attempt.time_us, limit_us, self.offset)


def _numbering(who: _Who, attempts: Sequence[_Attempt]) -> Iterator[Violation]:
    numbers = [a.number for a in attempts]
    if numbers == list(range(1, len(numbers) + 1)):
        return
    shown = ", ".join(str(n) for n in numbers[:12]) + (", …" if len(numbers) > 12 else "")
    yield who.violation("attempt-number",
                        f"the log numbers its attempts {shown}; expected 1 to {len(numbers)} "
                        "with no gaps or repeats", attempts[0])


def _last_reschedule(lifecycle: Lifecycle) -> LifecycleEvent | None:
    """The reschedule that set the start (the last one), if any."""
    moves = [e for e in lifecycle.events if e.op is Operation.RESCHEDULE]
    return moves[-1] if moves else None


def _lifecycle_faults(who: _Who, attempt: _Attempt, timeline_calendar: Calendar,
                      cancel_us: int | None) -> Iterator[Violation]:
    """S13: an attempt inside a pause, or at or after the cancel."""
    number, time_us = attempt.number, attempt.time_us

    def at(us: int) -> str:
        return format_us(us, who.offset)

    if cancel_us is not None and time_us >= cancel_us:
        yield who.violation("S13-lifecycle", f"attempt {number} at {at(time_us)} is at or after "
                            f"the cancel at {at(cancel_us)}", attempt, cancel_us)
    if isinstance(timeline_calendar, PausedCalendar):
        for a, b in timeline_calendar.closed:
            if a <= time_us < b:
                # A cancel ends a pause still open (S13), so every pause ends: at its resume,
                # or at the cancel (then it was not resumed, and nothing is allowed after it).
                resumed = b != cancel_us
                until = f"resumed at {at(b)}" if resumed else f"until the cancel at {at(b)}"
                yield who.violation("S13-lifecycle", f"attempt {number} at {at(time_us)} is "
                                    f"inside the pause from {at(a)} ({until})", attempt,
                                    b if resumed else None)


def _check_destination(who: _Who, message_plan: MessagePlan, slot: int, attempts: list[_Attempt],
                       exact: bool, lifecycle: Lifecycle | None = None,
                       expected: Sequence[int] | None = None) -> Iterator[Violation]:
    """The S2–S6 checks of one destination (and S13 with ``lifecycle``); ``expected``
    replaces the plan's attempts for ``exact`` (under a calling policy, the policy plan's)."""
    timeline = message_plan.timeline
    render = who.offset

    def at(us: int) -> str:
        return format_us(us, render)

    yield from _numbering(who, attempts)
    first = attempts[0]
    moved = None if lifecycle is None else _last_reschedule(lifecycle)
    if moved is not None and first.time_us < timeline.start_us:
        yield who.violation("S13-lifecycle", f"first attempt at {at(first.time_us)} is before "
                            f"the start {at(timeline.start_us)} set by the {moved.op.value} at "
                            f"{at(moved.at_us)}", first, timeline.start_us)
    elif first.time_us < timeline.start_us:
        yield who.violation("S2-early-start", f"first attempt at {at(first.time_us)} is before the "
                            f"message starts at {at(timeline.start_us)}", first,
                            timeline.start_us)
    deadline = timeline.deadline_us
    calendar = timeline.calendar
    gaps = timeline.gaps_us
    # The plan's failure delay estimates a previous attempt's end when the log gives none.
    failure_delay_us = timeline.failure_delay_us
    planned = (tuple(expected) if expected is not None else timeline.attempts_us(slot)) \
        if exact else ()
    for k, attempt in enumerate(attempts):
        number, time_us = attempt.number, attempt.time_us
        if deadline is not None and time_us >= deadline:
            yield who.violation("S4-deadline", f"attempt {number} at {at(time_us)} is at or "
                                f"after the deadline {at(deadline)}", attempt, deadline)
        if 0 < k <= len(gaps):
            previous = attempts[k - 1]
            ended = None if previous.end_us == _NO_END else previous.end_us
            if ended is not None:
                since = f"attempt {previous.number} ended at {at(ended)}"
            else:
                since = f"attempt {previous.number} started at {at(previous.time_us)}" + (
                    f" (+ failure delay {describe_duration(failure_delay_us)})"
                    if failure_delay_us else "")
            earliest = timeline.earliest_retry_us(previous.time_us, k, ended)
            if time_us < earliest:
                yield who.violation(
                    "S5-gap", f"attempt {number} at {at(time_us)} is sooner than "
                    f"{describe_duration(gaps[k - 1])} after {since}: not before {at(earliest)}",
                    attempt, earliest)
        yield from _lifecycle_faults(who, attempt, calendar, timeline.cancel_us)
        # Under a pause only the message's own window decides S6 (the pause is S13's).
        window = calendar.inner if isinstance(calendar, PausedCalendar) else calendar
        opens = window.next_open(time_us)
        if opens != time_us:
            yield who.violation("S6-window", f"attempt {number} at {at(time_us)} is outside "
                                f"the delivery time window (it next opens at {at(opens)})",
                                attempt, opens)
        if exact:
            if number - 1 < len(planned):
                if time_us != planned[number - 1]:
                    yield who.violation(
                        "exact-time", f"attempt {number} at {at(time_us)} is not at its planned "
                        f"instant {at(planned[number - 1])}", attempt, planned[number - 1])
            else:
                yield who.violation("exact-time", f"attempt {number} at {at(time_us)} is not "
                                    f"planned (the plan has {len(planned)} attempt(s))", attempt)
    allowed = 1 + len(gaps)
    if len(attempts) > allowed:
        extra = attempts[allowed]
        yield who.violation("S5-count", f"{len(attempts)} attempts, at most {allowed} allowed "
                            f"(1 + maxCount {len(gaps)}); attempt {extra.number} at "
                            f"{at(extra.time_us)} "
                            "is one too many", extra)


# -- the whole log -----------------------------------------------------------------------------

@dataclass
class _Verifier:
    the_plan: Plan
    directory: _Directory
    exact: bool
    require_all: bool
    #: Under a calling policy: its checks (S15).
    policy: PolicyChecks | None = None
    columns: _Columns = field(default_factory=_Columns)
    #: Under a calling policy, with ``exact`` or ``require_all``: the policy plan replayed
    #: with the log's outcomes, per destination's global number.
    expected: dict[int, list[int]] | None = None
    strangers: dict[_Unresolved, _Stranger] = field(default_factory=dict)
    rows: int = 0
    _buckets: tuple[array[int], array[int]] = field(
        default_factory=lambda: (array("q"), array("q")))

    def read_columns(self, log: LogColumns) -> None:
        """Read a log in columns (:mod:`ivrsched.io.log_columns`): the common rows' messageIds
        are looked up at once; the rows that lookup does not settle (unknown IDs, the odd rows)
        are resolved one by one as :meth:`read` would, and the columns are laid out in log
        order, as :meth:`read` lays them out."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        from ivrsched.io.log_columns import NO_END

        self.rows += len(log)
        keys, gids = self.directory.id_arrays()
        found = pc.index_in(log.message_id, value_set=keys)
        known = np.asarray(found.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        index = np.asarray(found.fill_null(0).to_numpy(), dtype=np.int64)
        gid = gids[index] if gids.size else np.zeros(index.size, dtype=np.int64)
        unknown = np.flatnonzero(~known)
        # Scalar rows, in log order: the odd ones and the common ones of unknown messageIds.
        scalar = list(log.rows)
        if unknown.size:
            names = log.message_id.take(pa.array(unknown)).to_pylist()
            line, attempt = log.line[unknown].tolist(), log.attempt[unknown].tolist()
            time, end = log.time[unknown].tolist(), log.end[unknown].tolist()
            scalar.extend(LogRow(line[i], attempt[i], time[i], names[i], None,
                                 None if end[i] == NO_END else end[i])
                          for i in range(unknown.size))
            scalar.sort(key=lambda row: row.line)
        extra = _Columns()
        for row in scalar:
            resolved = self.directory.resolve(row)
            if isinstance(resolved, int):
                extra.add(resolved, row)
                continue
            stranger = self.strangers.get(resolved)
            if stranger is None:
                stranger = self.strangers[resolved] = _Stranger(resolved, row.line, row.time_us)
            stranger.rows += 1

        def column(values: array[int]) -> Any:
            return np.frombuffer(values, dtype=np.int64) if len(values) else \
                np.empty(0, dtype=np.int64)

        # The usual log: every row in the columns, of a known messageId, already in log order.
        everyone = not unknown.size
        keep = slice(None) if everyone else np.flatnonzero(known)
        order = None
        if len(extra.line):
            lines = np.concatenate((log.line[keep], column(extra.line)))
            order = np.argsort(lines, kind="stable")
        c = self.columns
        for name, fast in (("gid", gid[keep]), ("attempt", log.attempt[keep]),
                           ("time", log.time[keep]), ("end", log.end[keep]),
                           ("line", log.line[keep])):
            values = fast if order is None else \
                np.concatenate((fast, column(getattr(extra, name))))[order]
            getattr(c, name).frombytes(np.ascontiguousarray(values, dtype=np.int64).tobytes())

    def read(self, log: Iterable[LogRow | Mapping[str, Any]]) -> None:
        for number, item in enumerate(log, start=1):
            row = item if isinstance(item, LogRow) else row_from_mapping(item, number)
            self.rows += 1
            found = self.directory.resolve(row)
            if isinstance(found, int):
                self.columns.add(found, row)
                continue
            stranger = self.strangers.get(found)
            if stranger is None:
                stranger = self.strangers[found] = _Stranger(found, row.line, row.time_us)
            stranger.rows += 1

    def who(self, message_plan: MessagePlan, position: int) -> _Who:
        destination = message_plan.message.destinations[position]
        message_id = destination.message_id
        if self.directory.ids is not None:
            # The plan generates with the directory's ID source (see verify_report).
            message_id = message_plan.name(position, message_id)
        return _Who(message_plan.message_index, position, destination.to, message_id,
                    message_plan.offset_minutes)

    def check(self) -> VerificationReport:
        self._buckets = starts, order = self.columns.buckets(self.directory.size)
        capped: dict[int, list[Violation]] = {}
        if self.policy is not None:
            capped = self._policy_cap()
            if self.exact or self.require_all:
                self.expected = self._policy_plan()
        cleared = {} if self.policy is not None else self._cleared()
        violations: list[Violation] = []
        seen = sum(cleared.values())
        for message_plan in self.the_plan.messages:
            if message_plan.message_index in cleared:
                continue
            found: list[Violation] = []
            base = self.directory.bases[message_plan.message_index]
            firsts: list[int] = []
            width = max(1, len(message_plan.message.destinations))
            for position in range(len(message_plan.message.destinations)):
                lo, hi = starts[base + position], starts[base + position + 1]
                if lo == hi:
                    found.extend(self._missing(message_plan, position))
                    continue
                seen += 1
                attempts = sorted(self._attempt(order[r]) for r in range(lo, hi))
                slot = message_plan.slot(position)
                if slot is None:
                    found.append(self._rejected(message_plan, position, attempts))
                    continue
                who = self.who(message_plan, position)
                expected = None if self.expected is None else \
                    self.expected.get(base + position, [])
                found.extend(_check_destination(who, message_plan, slot, attempts, self.exact,
                                                self.the_plan.lifecycle, expected))
                if self.policy is not None:
                    found.extend(self._policy_findings(who, attempts))
                    found.extend(capped.get(base + position, ()))
                if message_plan.pace is not None:
                    firsts.append((attempts[0].time_us - MIN_US) * width + position)
            found.extend(self._pacing(message_plan, firsts, width))
            found.sort(key=Violation.sort_key)
            violations.extend(found)
        strangers = sorted(self.strangers.values(), key=lambda s: s.line)
        violations.extend(s.violation() for s in strangers)
        return VerificationReport(tuple(violations), self.rows, seen + len(strangers))

    def _cleared(self) -> dict[int, int]:
        """The fast path: the messages whose rows NumPy's column checks
        (:mod:`ivrsched.oracle.column_checks`) find to conform, each with the number of its
        destinations the log names; the others are checked row by row below. None is cleared
        without NumPy, or for the checks the columns do not make (``exact``, ``require_all``,
        lifecycle events):
        a check added here must be added there, or bypass it too."""
        if self.exact or self.require_all or self.the_plan.lifecycle is not None:
            return {}  # the column checks know neither these options nor S13's operations
        try:
            from ivrsched.oracle import column_checks
        except ImportError:  # NumPy is an optional extra
            return {}
        c = self.columns
        return column_checks.clear(self.the_plan.messages, self.directory.bases,
                                   column_checks.LogColumns(c.gid, c.attempt, c.time, c.end,
                                                            _NO_END)).seen

    def _attempt(self, row: int) -> _Attempt:
        c = self.columns
        return _Attempt(c.attempt[row], c.time[row], c.line[row], c.end[row])

    def _missing(self, message_plan: MessagePlan, position: int) -> list[Violation]:
        if not self.require_all:
            return []
        slot = message_plan.slot(position)
        if slot is None:
            return []
        if self.expected is not None:
            planned = self.expected.get(self.directory.bases[message_plan.message_index]
                                        + position)
            if not planned:
                return []  # the policy leaves it uncalled (no zone, expired)
            first = planned[0]
        elif not message_plan.timeline.attempts_us(slot):
            return []
        else:
            first = message_plan.timeline.first_attempt_us(slot)
        who = self.who(message_plan, position)
        return [who.violation("missing-destination", "the plan has attempts for this "
                              f"destination (the first at {format_us(first, who.offset)}) but "
                              "the log has none", limit_us=first)]

    def _rejected(self, message_plan: MessagePlan, position: int,
                  attempts: list[_Attempt]) -> Violation:
        destination = message_plan.message.destinations[position]
        status = destination.status.value
        return self.who(message_plan, position).violation(
            "rejected-destination", f"the request rejected this destination ({status.id} "
            f"{status.name}) but the log has {len(attempts)} attempt(s) for it", attempts[0])

    def _pacing(self, message_plan: MessagePlan, firsts: list[int],
                width: int) -> Iterator[Violation]:
        pace = message_plan.pace
        if pace is None or len(firsts) <= pace.speed:
            return
        firsts.sort()
        times = [key // width + MIN_US for key in firsts]
        unit = describe_duration(pace.unit_us)
        for position, oldest in overfull(times, pace.speed, pace.unit_us):
            index = firsts[position] % width
            who = self.who(message_plan, index)
            attempt = self._first_row(self.directory.bases[message_plan.message_index] + index)
            allowed = oldest + pace.unit_us
            yield who.violation(
                "S3-pacing", f"first attempt at {format_us(times[position], who.offset)} "
                f"would be the {ordinal(pace.speed + 1)} in the {unit} starting "
                f"{format_us(oldest, who.offset)} (at most {pace.speed} per {unit}); "
                f"not before {format_us(allowed, who.offset)}", attempt, allowed)

    # -- under a calling policy (S15, see ivrsched.oracle.policy_checks) ----------------------
    def _policy_findings(self, who: _Who, attempts: list[_Attempt]) -> Iterator[Violation]:
        from ivrsched.oracle.policy_checks import Called

        assert self.policy is not None
        if who.to is None:
            return
        called = [Called(a.number, a.time_us, a.line) for a in attempts]
        for finding in self.policy.destination(who.to, called, who.offset):
            yield self._violation(who, finding)

    @staticmethod
    def _violation(who: _Who, finding: Finding) -> Violation:
        a = finding.attempt
        return Violation(finding.rule, finding.detail, who.message, who.index, who.to,
                         who.message_id, a.number, a.line, a.time_us, finding.limit_us,
                         who.offset)

    def _policy_cap(self) -> dict[int, list[Violation]]:
        """The frequency-cap violations, per destination's global number: every logged attempt
        to a number counts, whichever message it belongs to."""
        from ivrsched.oracle.policy_checks import CapEntry

        assert self.policy is not None
        if self.policy.policy.cap is None:
            return {}
        by_number: dict[str, list[CapEntry]] = {}
        c = self.columns
        for row, gid in enumerate(c.gid):
            to = self.directory.destination(gid).to
            if not to:
                continue
            entry = CapEntry(c.time[row], self.directory.locate(gid), c.attempt[row],
                             c.line[row])
            by_number.setdefault(normalize_to(to), []).append(entry)
        plans = self.the_plan.messages

        def name(who: tuple[int, int]) -> str:
            return f"message {who[0]} destination {who[1]}"

        def offset_of(who: tuple[int, int]) -> int:
            return plans[who[0]].offset_minutes

        found: dict[int, list[Violation]] = {}
        for number, entries in by_number.items():
            for entry, detail, allowed in self.policy.cap(entries, number, name, offset_of):
                m, position = entry.who
                who = self.who(plans[m], position)
                found.setdefault(self.directory.bases[m] + position, []).append(Violation(
                    "S15-cap", detail, who.message, who.index, who.to, who.message_id,
                    entry.attempt, entry.line, entry.time_us, allowed, who.offset))
        return found

    def _policy_plan(self) -> dict[int, list[int]]:
        """The policy plan replayed with the log's outcomes (see policy_checks)."""
        from ivrsched.oracle.policy_checks import expected_attempts
        from ivrsched.policy.pacing import MessageRun

        assert self.policy is not None
        starts, order = self._buckets
        bases = self.directory.bases
        c = self.columns

        def logged(message: int, index: int, number: int) -> tuple[bool, int | None]:
            gid = bases[message] + index
            more, duration = False, None
            for r in range(starts[gid], starts[gid + 1]):
                row = order[r]
                if c.attempt[row] > number:
                    more = True
                elif c.attempt[row] == number and duration is None and c.end[row] != _NO_END:
                    duration = c.end[row] - c.time[row]
            return more, duration

        runs = [MessageRun(m.message_index, m.timeline, m.message.destinations)
                for m in self.the_plan.messages]
        replayed = expected_attempts(runs, self.policy.policy, self.policy.book,
                                     self.the_plan.failure_delay_us, logged)
        return {bases[m] + i: times for (m, i), times in replayed.items()}

    def _first_row(self, gid: int) -> _Attempt:
        starts, order = self._buckets
        return min(self._attempt(order[r]) for r in range(starts[gid], starts[gid + 1]))


def verify_report(request: Request | dict[str, Any] | str,
                  log: Iterable[LogRow | Mapping[str, Any]] | PathLike[str] | ColumnarLog,
                  *, now: datetime, exact: bool = False, failure_delay: timedelta = timedelta(0),
                  ids: IdSource | None = None, require_all: bool = False,
                  destinations: Iterable[Destination] | None = None,
                  events: Iterable[LifecycleEvent] = (),
                  policy: CallingPolicy | dict[str, Any] | str | None = None
                  ) -> VerificationReport:
    """Like :func:`verify`, with the counts of rows and destinations checked and the plan's
    notices. ``destinations`` replaces the (single) message's own, as in :func:`ivrsched.plan`;
    they are held for random access (a log may name them in any order)."""
    if destinations is not None and not isinstance(destinations, Sequence):
        from ivrsched.io.destination_files import HeldDestinations

        destinations = HeldDestinations(destinations)
    the_plan = plan(request, destinations, now=now, failure_delay=failure_delay,
                    ids=ids if ids is not None else SeededIds(0), events=events)
    checks = None
    if policy is not None:
        from ivrsched.oracle.policy_checks import PolicyChecks
        from ivrsched.policy.document import CallingPolicy, parse_policy

        checks = PolicyChecks(policy if isinstance(policy, CallingPolicy)
                              else parse_policy(policy))
    verifier = _Verifier(the_plan, _Directory(the_plan.request, ids), exact, require_all,
                         checks)
    if isinstance(log, PathLike):
        _read_file(verifier, log)
    elif isinstance(log, ColumnarLog):
        columns = read_log_columns(log.path, log.source)
        if columns is None:
            verifier.read(log.rows)
        else:
            verifier.read_columns(columns)
    else:
        verifier.read(log)
    return replace(verifier.check(), notices=the_plan.notices)


@dataclass(frozen=True)
class ColumnarLog:
    """A JSONL log file for :func:`verify_report` to read in columns when it can (NumPy and
    pyarrow installed, a file :mod:`ivrsched.io.log_columns` takes), else through ``rows``, the
    row reader of the same file; ``source`` names it in errors. The report is the same."""

    path: str | PathLike[str]
    source: str
    rows: Iterable[LogRow]


def _read_file(verifier: _Verifier, path: PathLike[str]) -> None:
    """A log file: in columns when it can be (a JSONL file, NumPy and pyarrow installed, see
    :mod:`ivrsched.io.log_columns`), else row by row; the same rows either way."""
    from ivrsched.io.logs import decode_lines, format_for_path, read_log, sniff_format

    source = fspath(path)
    log_format = format_for_path(source)
    if log_format is None:
        with open(path, "rb") as handle:
            first = handle.readline().decode("utf-8", errors="replace")
        log_format = sniff_format(first) if first else "jsonl"
    if log_format == "jsonl":
        columns = read_log_columns(path, source)
        if columns is not None:
            verifier.read_columns(columns)
            return
    with open(path, "rb") as handle:
        verifier.read(read_log(decode_lines(handle, source), log_format, source))


def read_log_columns(path: str | PathLike[str], source: str) -> LogColumns | None:
    """The JSONL log file at ``path`` in columns, or None when it must be read row by row
    (NumPy or pyarrow missing, or a file the columns decline)."""
    try:
        from ivrsched.io.log_columns import read_jsonl_columns
    except ImportError:  # NumPy and pyarrow are an optional extra
        return None
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return None
    return read_jsonl_columns(path, source)


def verify(request: Request | dict[str, Any] | str,
           log: Iterable[LogRow | Mapping[str, Any]] | PathLike[str], *, now: datetime,
           exact: bool = False, failure_delay: timedelta = timedelta(0),
           ids: IdSource | None = None, require_all: bool = False,
           destinations: Iterable[Destination] | None = None,
           events: Iterable[LifecycleEvent] = (),
           policy: CallingPolicy | dict[str, Any] | str | None = None) -> list[Violation]:
    """Check an observed attempt log against ``request`` submitted at ``now`` (SPEC S11).

    ``log`` is any iterable of :class:`~ivrsched.io.logs.LogRow` or of mappings with the log's row
    names (``messageId`` and/or ``to``, ``attempt``, ``time``, optional ``end``; times as ISO
    8601 text), or the path of a log file (an :class:`os.PathLike`, JSONL or CSV by its name,
    else by its first line), read in columns when NumPy and pyarrow are installed (see
    :mod:`ivrsched.io.log_columns`; the same report either way). It is read once. Returns the
    violations in request order (message, destination, attempt), then rows naming no
    destination of the request; an empty list means the log conforms.

    ``exact`` also requires each attempt to be at its planned instant. ``failure_delay`` is
    added after an attempt's start when the log gives no end (as the plan does). ``ids`` is the
    ID source the implementation used for generated messageIds (e.g. ``SeededIds(seed)``): with
    it, rows may name those destinations by generated messageId. ``require_all`` also reports
    accepted destinations the plan attempts but the log never mentions. ``destinations``
    replaces a message's own, as in :func:`ivrsched.plan` (held in memory: a log may name them
    in any order). ``events`` are the lifecycle operations (S13) the request went through: the
    log is checked against the time lines they give (paused time closed, the start and
    deadline a reschedule set, nothing at or after a cancel), and an attempt they forbid is an
    ``S13-lifecycle`` violation.

    ``policy`` (a :class:`~ivrsched.policy.CallingPolicy`, or a document
    :func:`~ivrsched.policy.parse_policy` accepts) also checks the calling policy (S15):
    ``S15-hours``, ``S15-closed``, ``S15-cap`` and ``S15-no-zone``; ``exact`` and
    ``require_all`` then compare with the policy plan replayed with the log's own outcomes (see
    :mod:`ivrsched.oracle.policy_checks`).

    Raises :class:`~ivrsched.errors.RequestError` for an invalid request or policy,
    :class:`~ivrsched.rules.lifecycle.LifecycleError` for events S13 does not allow, and
    :class:`~ivrsched.io.logs.LogError` for an unreadable row.
    """
    return list(verify_report(request, log, now=now, exact=exact, failure_delay=failure_delay,
                              ids=ids, require_all=require_all,
                              destinations=destinations, events=events,
                              policy=policy).violations)


__all__ = ["RULES", "ColumnarLog", "VerificationReport", "Violation", "overfull", "verify",
           "verify_report"]
