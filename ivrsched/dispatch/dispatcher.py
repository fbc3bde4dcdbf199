"""The live dispatcher (SPEC S14): one request against the caller's clock, crash-safe.

The caller drives it: :meth:`Dispatcher.due` hands out the attempts due at ``now``,
:meth:`Dispatcher.next_wakeup` says when to ask next, :meth:`Dispatcher.record` feeds back an
outcome. The timing rules are the simulation's (S2–S6, S10, S13): a first attempt at its
planned instant, retry k+1 at the first open instant at or after the end of attempt k + g_k,
only before the cut (the deadline, or a cancel). Driven at its wake-ups with the outcomes a
simulation uses, the dispatcher's log is exactly the simulation's.

Called late, the dispatcher hands out at ``now`` what is due, and keeps the S3 cap over the
first attempts it really hands out: first attempt j (pacing slot j) of a paced message is due at
``max(planned_j, realised_{j-speed} + U)`` (moved to the next open instant), so any half-open
interval of length U holds at most ``speed`` realised first attempts, however late the caller
is. A caller on time sees realised = planned, which keeps the log equal to the simulation's.

State lives in the journal (:mod:`ivrsched.dispatch.journal`); memory holds only the attempts
in progress, the pending retries, one cursor per message into its destinations (read lazily,
from the request or from a destinations file) and the late first attempts of the last
``speed`` pacing slots.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from ivrsched.dispatch import journal
from ivrsched.dispatch.attempt import (
    Attempt,
    DispatchError,
    JournalError,
    attempt_key,
    instant_us,
    outcome_kind,
)
from ivrsched.errors import PlanRangeError
from ivrsched.ids import SeededIds
from ivrsched.io.destination_files import DestinationFile
from ivrsched.planning.planner import plan
from ivrsched.planning.streaming import message_id_function, without_destinations
from ivrsched.request.model import Destination, Request
from ivrsched.request.parsing import parse_request
from ivrsched.request.status import Status
from ivrsched.rules.instants import format_us, from_us
from ivrsched.rules.lifecycle import (
    NEVER,
    Lifecycle,
    LifecycleEvent,
    Operation,
    State,
    reschedule_refusal,
)
from ivrsched.rules.timeline import Timeline
from ivrsched.simulation.engine import (
    ENDING_STATUS,
    AttemptEvent,
    DestinationResult,
    Ending,
    cut_ending,
)
from ivrsched.simulation.outcomes import AttemptOutcome, Outcome

T = TypeVar("T")


class _Retry(NamedTuple):
    """A pending retry; heap order is (due instant, position, attempt number)."""

    due_us: int  # the first open instant at or after base_us, under the current calendar
    position: int
    number: int
    base_us: int  # end of the previous attempt + g_k
    end_us: int  # end of the previous attempt
    first_start_us: int
    to: str
    message_id: str


class _InProgress(NamedTuple):
    """An attempt handed out whose outcome is not recorded yet."""

    key: str
    message: int
    position: int
    number: int
    time_us: int
    first_start_us: int
    to: str
    message_id: str


class _Head(NamedTuple):
    """The next accepted destination of a message, waiting for its first attempt."""

    position: int
    to: str
    message_id: str


_UNREAD = object()


def _bounded(compute: Callable[[], int]) -> int:
    """An instant from the calendar, or :data:`NEVER` past year 9999 (S12) or a pause that
    has no end: such an instant is after every cut, so it is simply never due."""
    try:
        return min(compute(), NEVER)
    except PlanRangeError:
        return NEVER


@dataclass
class _Message:
    """One message object's live state."""

    index: int
    base: Timeline  # the time line without lifecycle operations
    validity: int | None
    offset: int
    source: Sequence[Destination] | DestinationFile
    message_id_of: Callable[[int], str]
    position: int = 0  # the next destination to read for a first attempt
    slot: int = 0  # the next pacing slot
    closure: tuple[Ending, int] | None = None
    timeline: Timeline = field(init=False)
    retries: list[_Retry] = field(default_factory=list)
    recent: dict[int, int] = field(default_factory=dict)  # slot -> realised, when late
    _head: object = _UNREAD
    _reader: Iterator[tuple[int, Destination]] | None = None

    def __post_init__(self) -> None:
        self.timeline = self.base

    # -- destinations, read lazily ------------------------------------------------------
    def destinations_from(self, position: int) -> Iterator[tuple[int, Destination]]:
        """(position, destination) from ``position`` on, reading the source lazily."""
        if isinstance(self.source, DestinationFile):
            return islice(enumerate(self.source), position, None)
        source = self.source
        return ((i, source[i]) for i in range(position, len(source)))

    def message_id(self, position: int, destination: Destination) -> str:
        given = destination.message_id
        return given if given is not None else self.message_id_of(position)

    def head(self) -> _Head | None:
        """The next accepted destination not yet attempted (None: no more)."""
        if self._head is _UNREAD:
            if self._reader is None:
                self._reader = self.destinations_from(self.position)
            found: _Head | None = None
            for position, destination in self._reader:
                if destination.accepted:
                    assert destination.to is not None
                    found = _Head(position, destination.to,
                                  self.message_id(position, destination))
                    break
            self._head = found
        assert self._head is None or isinstance(self._head, _Head)
        return self._head

    def consume_head(self, head: _Head) -> None:
        self.position = head.position + 1
        self.slot += 1
        self._head = _UNREAD

    # -- timing ---------------------------------------------------------------------------
    def next_open(self, at_us: int) -> int:
        if at_us >= NEVER:
            return NEVER
        return _bounded(lambda: self.timeline.calendar.next_open(at_us))

    def open_at(self, at_us: int) -> bool:
        return self.next_open(at_us) == at_us

    def cut_reached(self, clock_us: int) -> bool:
        cut = self.timeline.cut_us
        return cut is not None and cut <= clock_us

    def planned_first(self, slot: int) -> int:
        return _bounded(lambda: self.timeline.first_attempt_us(slot))

    def first_due(self) -> int | None:
        """When the next first attempt is due: its planned instant, and for a paced message
        not before ``speed`` slots earlier was realised + U (the S3 cap over realised first
        attempts)."""
        if self.closure is not None or self.head() is None:
            return None
        planned = self.planned_first(self.slot)
        pace = self.timeline.pace
        if pace is None or self.slot < pace.speed or planned >= NEVER:
            return planned
        earlier = self.slot - pace.speed
        realised = self.recent.get(earlier)
        if realised is None:
            return planned
        return self.next_open(max(planned, realised + pace.unit_us))

    def candidate(self) -> tuple[int, int, int] | None:
        """(due instant, position, attempt number) of the message's next attempt, or None."""
        best: tuple[int, int, int] | None = None
        first = self.first_due()
        if first is not None:
            head = self.head()
            assert head is not None
            best = (first, head.position, 1)
        if self.retries:
            top = self.retries[0]
            retry = (top.due_us, top.position, top.number)
            if best is None or retry < best:
                best = retry
        return best

    @property
    def pending(self) -> bool:
        """Attempts still to hand out (or destinations still to end)."""
        return bool(self.retries) or (self.closure is None and self.head() is not None)

    def prune_recent(self) -> None:
        pace = self.timeline.pace
        if pace is not None:
            for slot in [s for s in self.recent if s < self.slot - pace.speed]:
                del self.recent[slot]


def _policy_text(policy: object) -> str:
    """The policy as the journal keeps it (JSON text), checked now: a policy with errors
    raises :class:`~ivrsched.errors.RequestError` listing them."""
    from ivrsched.policy.document import parse_policy

    if isinstance(policy, dict):
        text = json.dumps(policy)
    elif isinstance(policy, str):
        text = policy
    else:
        raise DispatchError("give the policy as JSON text or a dict: the journal keeps it as "
                            "given, so that it can be read again after a restart")
    parse_policy(text)
    return text


def _dispatcher_of(connection: sqlite3.Connection, path: Path) -> Dispatcher:
    """The dispatcher of an open journal: one under a calling policy when it has one."""
    try:
        has_policy = connection.execute(
            "SELECT 1 FROM meta WHERE key = 'policy'").fetchone() is not None
    except sqlite3.Error as exc:
        connection.close()
        raise JournalError(f"{path}: unreadable journal ({exc})") from exc
    if has_policy:
        from ivrsched.dispatch.policy_dispatcher import PolicyDispatcher
        return PolicyDispatcher(connection, path)
    return Dispatcher(connection, path)


def _request_text(request: Request | dict[str, Any] | str) -> str:
    if isinstance(request, str):
        return request
    if isinstance(request, dict):
        return json.dumps(request)
    raise DispatchError("give the request as JSON text or a dict: the journal keeps it as "
                        "given, so that it can be read again after a restart")


class Dispatcher:
    """A request dispatched live; see the module documentation. Build one with
    :meth:`create` or :meth:`open`."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self._path = path
        self._dirty = False
        self._load()

    # -- creating and opening -----------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, request: Request | dict[str, Any] | str, *,
               now: datetime, seed: int | str = 7, max_in_progress: int | None = None,
               policy: object | None = None, destinations: str | Path | None = None,
               destinations_message: int = 0, dialect: str | None = None) -> Dispatcher:
        """A new journal at ``path`` (which must not hold one) for ``request`` (JSON text or
        a dict) submitted at ``now``.

        ``seed`` fixes the generated bulkId and messageIds (kept in the journal, so they
        survive restarts). ``max_in_progress``: at most that many attempts handed out without
        an outcome. ``destinations``: a destinations file (text or CSV, as ``plan
        --destinations`` reads) that replaces the destinations of message
        ``destinations_message``; it is read lazily and must not change while the campaign
        runs. ``policy``: a calling policy (S15, JSON text or a dict, as ``plan --policy`` reads
        it; the ``policy`` extra) that every attempt obeys (see
        :mod:`ivrsched.dispatch.policy_dispatcher`). ``dialect`` (S17): the
        request's dialect, detected from its shape when None; the journal keeps the one used.
        """
        now_us = instant_us(now, "now")
        policy_text = None if policy is None else _policy_text(policy)
        if max_in_progress is not None and (isinstance(max_in_progress, bool)
                                            or not isinstance(max_in_progress, int)
                                            or max_in_progress < 1):
            raise DispatchError("max_in_progress must be an integer >= 1, or None")
        text = _request_text(request)
        file: Path | None = None
        if destinations is not None:
            file = Path(destinations).resolve()
            DestinationFile.open(file)  # the layout must be known now
        parsed = parse_request(text, dialect, destinations_required=file is None)
        if file is not None and not 0 <= destinations_message < len(parsed.messages):
            raise DispatchError(f"the request has no message {destinations_message}")
        connection = journal.connect(path, create=True)
        meta = {
            "format": journal.FORMAT,
            "request": text,
            "now_us": str(now_us),
            "seed": json.dumps(seed),
            "max_in_progress": "" if max_in_progress is None else str(max_in_progress),
            "destinations": "" if file is None else str(file),
            "destinations_message": str(destinations_message),
            "dialect": parsed.dialect.value,
            "version": "0",
            "clock_us": str(now_us),
        }
        if policy_text is not None:
            meta["policy"] = policy_text
        with journal.transaction(connection) as db:
            db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
            db.executemany("INSERT INTO cursors (message, position, slot) VALUES (?, 0, 0)",
                           [(m,) for m in range(len(parsed.messages))])
            journal.bump_version(db)
        dispatcher = _dispatcher_of(connection, Path(path))
        dispatcher._created()
        return dispatcher

    @classmethod
    def open(cls, path: str | Path) -> Dispatcher:
        """The dispatcher of the journal at ``path``, in the state its last committed change
        left (after a crash too)."""
        return _dispatcher_of(journal.connect(path, create=False), Path(path))

    def _created(self) -> None:
        """Just created: journal what is decided at the submission already."""

    def close(self) -> None:
        """Close the journal (every change is committed already)."""
        self._db.close()

    def __enter__(self) -> Dispatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the state, from the journal ----------------------------------------------------
    def _load(self) -> None:
        """(Re)build the whole in-memory state from the journal."""
        db = self._db
        try:
            meta = journal.read_meta(db)
            if meta.get("format") != journal.FORMAT:
                raise JournalError(f"{self._path}: journal format {meta.get('format')!r}, "
                                   f"this version reads {journal.FORMAT!r}")
            self._version = int(meta["version"])
            self._now_us = int(meta["now_us"])
            self._clock = int(meta["clock_us"])
            cap = meta["max_in_progress"]
            self.max_in_progress: int | None = int(cap) if cap else None
            seed = json.loads(meta["seed"])
            file = meta["destinations"]
            file_message = int(meta["destinations_message"])
            # A journal written before dialects has no "dialect": detect it, as then.
            request = parse_request(meta["request"], meta.get("dialect") or None,
                                    destinations_required=not file)
        except (KeyError, ValueError, sqlite3.Error) as exc:
            raise JournalError(f"{self._path}: unreadable journal ({exc})") from exc
        self.seed: int | str = seed
        ids = SeededIds(seed)
        planned_request = without_destinations(request, file_message) if file else request
        the_plan = plan(planned_request, now=from_us(self._now_us), ids=ids)
        self.bulk_id = the_plan.bulk_id
        self.request = request
        messages: list[_Message] = []
        for message_plan in the_plan.messages:
            number = message_plan.message_index
            source: Sequence[Destination] | DestinationFile = message_plan.message.destinations
            if file and number == file_message:
                source = DestinationFile.open(file)
            messages.append(_Message(number, message_plan.timeline,
                                     message_plan.message.validity_period,
                                     message_plan.offset_minutes, source,
                                     message_id_function(ids, number)))
        self._messages = messages
        lifecycle = Lifecycle(self._now_us)
        for op, at_us, send_at_us in db.execute(
                "SELECT op, at_us, send_at_us FROM operations ORDER BY seq"):
            # Checked when it was journaled; replayed as it was.
            lifecycle = lifecycle.then(LifecycleEvent(Operation(op), at_us, send_at_us),
                                       refuse_reschedule=lambda _: None)
        self._lifecycle = lifecycle
        for m in messages:
            m.timeline = lifecycle.timeline(m.base, m.validity)
        for message, position, slot in db.execute("SELECT message, position, slot FROM cursors"):
            messages[message].position, messages[message].slot = position, slot
        for message, ending, at_us in db.execute("SELECT message, ending, at_us FROM closures"):
            messages[message].closure = (Ending(ending), at_us)
        self._in_progress: dict[str, _InProgress] = {}
        for row in db.execute(
                "SELECT key, message, position, number, time_us, first_start_us, to_address, "
                "message_id FROM attempts WHERE outcome IS NULL ORDER BY seq"):
            self._in_progress[row[0]] = _InProgress(*row)
        # Pending retries: a failed attempt, no later attempt, no final status yet.
        for message, position, number, end_us, first_start, to, message_id in db.execute(
                "SELECT a.message, a.position, a.number, a.end_us, a.first_start_us, "
                "a.to_address, a.message_id FROM attempts a "
                "WHERE a.outcome IS NOT NULL AND a.outcome != 'answered' "
                "AND NOT EXISTS (SELECT 1 FROM results r WHERE r.message = a.message "
                "AND r.position = a.position) "
                "AND NOT EXISTS (SELECT 1 FROM attempts b WHERE b.message = a.message "
                "AND b.position = a.position AND b.number = a.number + 1)"):
            m = messages[message]
            base = end_us + m.timeline.gaps_us[number - 1]
            m.retries.append(_Retry(m.next_open(base), position, number + 1, base, end_us,
                                    first_start, to, message_id))
        for m in messages:
            heapq.heapify(m.retries)
            pace = m.timeline.pace
            if pace is not None:
                for slot, time_us in db.execute(
                        "SELECT slot, time_us FROM attempts WHERE message = ? AND number = 1 "
                        "AND slot >= ?", (m.index, m.slot - pace.speed)):
                    if time_us != m.planned_first(slot):
                        m.recent[slot] = time_us
        self._started = db.execute("SELECT EXISTS (SELECT 1 FROM attempts)").fetchone()[0] == 1
        self._dirty = False

    def _change(self, apply: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``apply`` as one journal transaction. The state is reloaded first when another
        process changed the journal; on any error the transaction is rolled back and, when
        ``apply`` had begun to change the state (``self._dirty``), the state is reloaded."""
        try:
            with journal.transaction(self._db) as db:
                if journal.version(db) != self._version:
                    self._load()
                result = apply(db)
                self._version = journal.bump_version(db)
        except BaseException:
            if self._dirty:
                self._load()
            raise
        self._dirty = False
        return result

    def refresh(self) -> bool:
        """Reload the state when another process changed the journal (e.g. ``ivrsched pause``
        from another terminal); True when it did."""
        if journal.version(self._db) == self._version:
            return False
        self._load()
        return True

    # -- the caller's clock -------------------------------------------------------------
    @property
    def clock(self) -> datetime:
        """The latest ``now`` given to :meth:`due` (the submission time before the first)."""
        return from_us(self._clock)

    def _check_clock(self, at_us: int, name: str) -> None:
        if at_us < self._clock:
            raise DispatchError(f"{name} ({format_us(at_us)}) is before the dispatcher's clock "
                                f"({format_us(self._clock)}): instants only move forward")

    # -- handing out ------------------------------------------------------------------------
    def due(self, now: datetime) -> list[Attempt]:
        """The attempts to place at ``now``, each journaled (committed) before this returns.

        ``now`` must not be before the previous ``now``. Destinations whose next attempt can
        no longer be before the deadline (or a cancel) reach their final status once ``now``
        reaches it.
        """
        now_us = instant_us(now, "now")

        def apply(db: sqlite3.Connection) -> list[Attempt]:
            self._check_clock(now_us, "now")
            self._dirty = True
            self._clock = now_us
            db.execute("UPDATE meta SET value = ? WHERE key = 'clock_us'", (str(now_us),))
            for m in self._messages:
                if m.cut_reached(now_us):
                    self._close(db, m)
            return self._hand_out(db, now_us)

        return self._change(apply)

    def _room(self) -> int | None:
        if self.max_in_progress is None:
            return None
        return self.max_in_progress - len(self._in_progress)

    def _hand_out(self, db: sqlite3.Connection, now_us: int) -> list[Attempt]:
        handed: list[Attempt] = []
        room = self._room()
        while room is None or room > 0:
            best: tuple[tuple[int, int, int, int], _Message] | None = None
            for m in self._messages:
                if m.cut_reached(now_us) or not m.pending or not m.open_at(now_us):
                    continue
                candidate = m.candidate()
                if candidate is None or candidate[0] > now_us:
                    continue
                order = (candidate[0], m.index, candidate[1], candidate[2])
                if best is None or order < best[0]:
                    best = (order, m)
            if best is None:
                break
            (_, _, _, number), m = best
            handed.append(self._start(db, m, number, now_us))
            if room is not None:
                room -= 1
        return handed

    def _start(self, db: sqlite3.Connection, m: _Message, number: int, now_us: int) -> Attempt:
        slot: int | None = None
        if number == 1:
            head = m.head()
            assert head is not None
            position, to, message_id, first_start = head.position, head.to, head.message_id, now_us
            slot = m.slot
            pace = m.timeline.pace
            if pace is not None and now_us != m.planned_first(slot):
                m.recent[slot] = now_us
            m.consume_head(head)
            m.prune_recent()
            db.execute("UPDATE cursors SET position = ?, slot = ? WHERE message = ?",
                       (m.position, m.slot, m.index))
        else:
            retry = heapq.heappop(m.retries)
            position, to, message_id = retry.position, retry.to, retry.message_id
            first_start = retry.first_start_us
        key = attempt_key(message_id, number)
        db.execute("INSERT INTO attempts (key, message, position, slot, to_address, message_id, "
                   "number, time_us, first_start_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (key, m.index, position, slot, to, message_id, number, now_us, first_start))
        self._in_progress[key] = _InProgress(key, m.index, position, number, now_us,
                                             first_start, to, message_id)
        self._started = True
        return Attempt(key, message_id, to, number, from_us(now_us, m.offset), m.index,
                       position)

    def _close(self, db: sqlite3.Connection, m: _Message) -> None:
        """The cut of ``m`` is reached: every destination still waiting ends (S4, S13)."""
        for retry in m.retries:
            ending, at_us = cut_ending(m.timeline, retry.end_us)
            self._final(db, m.index, retry.position, ending, at_us, retry.number - 1,
                        retry.first_start_us, attempt_key(retry.message_id, retry.number - 1))
        m.retries = []
        if m.closure is None:
            m.closure = cut_ending(m.timeline, None)
            db.execute("INSERT INTO closures (message, ending, at_us) VALUES (?, ?, ?)",
                       (m.index, m.closure[0].value, m.closure[1]))

    def _final(self, db: sqlite3.Connection, message: int, position: int, ending: Ending,
               at_us: int, attempts: int, first_start_us: int | None,
               last_key: str | None) -> None:
        db.execute("INSERT INTO results (message, position, status, ending, at_us, attempts, "
                   "first_start_us, last_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (message, position, ENDING_STATUS[ending].value.id, ending.value, at_us,
                    attempts, first_start_us, last_key))

    # -- outcomes ---------------------------------------------------------------------------
    def record(self, key: str, outcome: Outcome | str, end: datetime,
               answered_at: datetime | None = None) -> None:
        """Record how attempt ``key`` ended (``answered``, ``no-answer``, ``busy`` or
        ``failed``) and when; ``answered_at``: when an answered call was answered. Committed
        before this returns; a retry, if one is allowed, becomes due (S10, S14)."""
        kind = outcome_kind(outcome)
        end_us = instant_us(end, "end")
        answered_us = None if answered_at is None else instant_us(answered_at, "answered_at")
        if not isinstance(key, str):
            raise DispatchError("the attempt key must be text")

        def apply(db: sqlite3.Connection) -> None:
            entry = self._in_progress.get(key)
            if entry is None:
                row = db.execute("SELECT outcome FROM attempts WHERE key = ?", (key,)).fetchone()
                if row is None:
                    raise DispatchError(f"no attempt with key {key!r} was handed out")
                raise DispatchError(f"attempt {key!r} already has its outcome ({row[0]})")
            if end_us < entry.time_us:
                raise DispatchError(f"attempt {key!r} ends at {format_us(end_us)}, before it "
                                    f"was handed out at {format_us(entry.time_us)}")
            if answered_us is not None and kind is not Outcome.ANSWERED:
                raise DispatchError("answered_at is only for an answered call")
            if answered_us is not None and not entry.time_us <= answered_us <= end_us:
                raise DispatchError("answered_at must lie between the attempt and its end")
            self._dirty = True
            db.execute("UPDATE attempts SET outcome = ?, end_us = ?, answered_at_us = ? "
                       "WHERE key = ?", (kind.value, end_us, answered_us, key))
            del self._in_progress[key]
            self._settle(db, entry, kind, end_us)

        self._change(apply)

    def _settle(self, db: sqlite3.Connection, entry: _InProgress, kind: Outcome,
                end_us: int) -> None:
        """An outcome is journaled: the destination's retry is queued, or its result final."""
        m = self._messages[entry.message]
        ending: Ending | None = None
        ended = end_us
        if kind is Outcome.ANSWERED:
            ending = Ending.ANSWERED
        elif entry.number > len(m.timeline.gaps_us):
            ending = Ending.RETRIES_EXHAUSTED
        elif m.cut_reached(self._clock):
            ending, ended = cut_ending(m.timeline, end_us)
        else:
            base = end_us + m.timeline.gaps_us[entry.number - 1]
            heapq.heappush(m.retries, _Retry(m.next_open(base), entry.position,
                                             entry.number + 1, base, end_us,
                                             entry.first_start_us, entry.to,
                                             entry.message_id))
        if ending is not None:
            self._final(db, entry.message, entry.position, ending, ended, entry.number,
                        entry.first_start_us, entry.key)

    # -- lifecycle (S13) --------------------------------------------------------------------
    def pause(self, at: datetime) -> None:
        """No attempt starts from ``at`` until :meth:`resume` (attempts in progress run on)."""
        self._operate(LifecycleEvent(Operation.PAUSE, instant_us(at, "at")))

    def resume(self, at: datetime) -> None:
        """End the pause at ``at``: the paused time was closed time (no burst, S13)."""
        self._operate(LifecycleEvent(Operation.RESUME, instant_us(at, "at")))

    def reschedule(self, at: datetime, send_at: datetime) -> None:
        """Move the start to ``max(send_at, at)`` and recompute the deadline; only before the
        first attempt."""
        self._operate(LifecycleEvent(Operation.RESCHEDULE, instant_us(at, "at"),
                                     instant_us(send_at, "send_at")))

    def cancel(self, at: datetime) -> None:
        """No attempt starts at or after ``at``; every destination not final by then ends
        UNDELIVERABLE_NOT_DELIVERED, ending ``cancelled``."""
        self._operate(LifecycleEvent(Operation.CANCEL, instant_us(at, "at")))

    def _refuse_reschedule(self, at_us: int) -> str | None:
        if self._started:
            return "an attempt has already started"
        starts: list[int | None] = []
        for m in self._messages:
            first = m.first_due()
            starts.append(first if first is not None and m.timeline.allows(first) else None)
        return reschedule_refusal(at_us, (m.timeline.deadline_us for m in self._messages),
                                  starts)

    def _operate(self, event: LifecycleEvent) -> None:
        def apply(db: sqlite3.Connection) -> None:
            self._check_clock(event.at_us, "the operation's instant")
            lifecycle = self._lifecycle.then(event, refuse_reschedule=self._refuse_reschedule)
            self._dirty = True
            db.execute("INSERT INTO operations (op, at_us, send_at_us) VALUES (?, ?, ?)",
                       (event.op.value, event.at_us, event.send_at_us))
            self._lifecycle = lifecycle
            for m in self._messages:
                m.timeline = lifecycle.timeline(m.base, m.validity)
            self._operated(db, event)

        self._change(apply)

    def _operated(self, db: sqlite3.Connection, event: LifecycleEvent) -> None:
        """A lifecycle operation is journaled and the time lines follow it: pending retries
        move with the calendar, and messages whose cut is reached close."""
        for m in self._messages:
            m.retries = [r._replace(due_us=m.next_open(r.base_us)) for r in m.retries]
            heapq.heapify(m.retries)
            if m.cut_reached(self._clock):
                self._close(db, m)

    # -- questions ----------------------------------------------------------------------------
    def next_wakeup(self) -> datetime | None:
        """When to call :meth:`due` next: the earliest instant an attempt becomes due, or a
        deadline (or cancel) at which waiting destinations end. None: nothing will be due until
        something else happens (an outcome is recorded, a pause is resumed) — or nothing is
        left (see :attr:`finished`)."""
        full = self.max_in_progress is not None and len(self._in_progress) >= \
            self.max_in_progress
        wakes: list[int] = []
        for m in self._messages:
            if not m.pending:
                continue
            cut = m.timeline.cut_us
            if cut is not None and cut <= self._clock:
                wakes.append(self._clock)
                continue
            if not full:
                candidate = m.candidate()
                if candidate is not None:
                    wake = m.next_open(max(candidate[0], self._clock))
                    if wake < NEVER and (cut is None or wake < cut):
                        wakes.append(wake)
                        continue
            if cut is not None:
                wakes.append(cut)
        return from_us(min(wakes)) if wakes else None

    def in_doubt(self) -> list[Attempt]:
        """The attempts handed out without a recorded outcome (after a restart: those handed
        out before it), in the order they were handed out. Settle each with :meth:`record`."""
        return [Attempt(e.key, e.message_id, e.to, e.number,
                        from_us(e.time_us, self._messages[e.message].offset), e.message,
                        e.position) for e in self._in_progress.values()]

    @property
    def finished(self) -> bool:
        """Every destination has its final status."""
        return not self._in_progress and not any(m.pending for m in self._messages)

    @property
    def state(self) -> State:
        """Where the campaign stands (the platform's bulk statuses)."""
        if self._lifecycle.cancelled:
            return State.CANCELED
        if self.finished:
            return State.FINISHED
        if self._lifecycle.paused:
            return State.PAUSED
        return State.PROCESSING if self._started else State.PENDING

    @property
    def lifecycle(self) -> Lifecycle:
        """The lifecycle operations applied so far."""
        return self._lifecycle

    def _event(self, row: Sequence[Any]) -> AttemptEvent:
        message, position, to, message_id, number, time_us, outcome, end_us, answered = row
        kind = Outcome(outcome)
        answer_after = None if answered is None else answered - time_us
        return AttemptEvent(message, position, to, message_id, number, time_us, end_us,
                            AttemptOutcome(kind, end_us - time_us, answer_after),
                            self._messages[message].offset)

    _EVENT_COLUMNS = ("message, position, to_address, message_id, number, time_us, outcome, "
                      "end_us, answered_at_us")

    def log(self) -> Iterator[dict[str, object]]:
        """Every attempt handed out so far, in that order, as the rows ``ivrsched verify``
        reads (those of ``simulate``'s log); an attempt in progress has no ``end`` and no
        ``outcome`` yet."""
        rows = self._db.execute(f"SELECT {self._EVENT_COLUMNS} FROM attempts ORDER BY seq")
        for row in rows.fetchall():
            if row[6] is not None:
                yield self._event(row).record()
                continue
            message, position, to, message_id, number, time_us = row[:6]
            yield {"message": message, "index": position, "to": to, "messageId": message_id,
                   "attempt": number,
                   "time": format_us(time_us, self._messages[message].offset)}

    def results(self) -> Iterator[DestinationResult]:
        """The final status of every destination that has one, as ``simulate`` reports it:
        rejected destinations first (S7), then in the order the statuses became final, then
        the destinations of each message that ended without an attempt (deadline, cancel)."""
        yield from self._rejected_results()
        rows = self._db.execute(
            f"SELECT r.status, r.ending, r.at_us, r.attempts, r.first_start_us, "
            f"{', '.join('a.' + c.strip() for c in self._EVENT_COLUMNS.split(','))} "
            "FROM results r JOIN attempts a ON a.key = r.last_key ORDER BY r.seq").fetchall()
        for status, ending, at_us, attempts, first_start, *event_row in rows:
            event = self._event(event_row)
            yield DestinationResult(event.message, event.index, event.to, event.message_id,
                                    Status.by_id(status), Ending(ending), at_us, attempts,
                                    first_start, event, event.offset_minutes)
        for m in self._messages:
            if m.closure is None:
                continue
            ending, at_us = m.closure
            for position, destination in m.destinations_from(m.position):
                if destination.accepted:
                    yield DestinationResult(m.index, position, destination.to,
                                            m.message_id(position, destination),
                                            ENDING_STATUS[ending], ending, at_us, 0, None, None,
                                            m.offset)

    def _rejected_results(self) -> Iterator[DestinationResult]:
        """The rejected destinations (S7), final from the submission, in request order."""
        for m in self._messages:
            for position, destination in m.destinations_from(0):
                if not destination.accepted:
                    yield DestinationResult(m.index, position, destination.to,
                                            m.message_id(position, destination),
                                            destination.status, Ending.REJECTED, self._now_us,
                                            0, None, None, m.offset, destination.reason)

    def counts(self) -> dict[str, int]:
        """Attempts handed out, in progress, and final statuses by group name (from the
        journal; destinations that ended without an attempt are not counted here)."""
        db = self._db
        counts = {"attempts": db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0],
                  "inProgress": len(self._in_progress),
                  "pendingRetries": sum(len(m.retries) for m in self._messages)}
        for status, n in db.execute("SELECT status, COUNT(*) FROM results GROUP BY status"):
            group = Status.by_id(status).group.name
            counts[group] = counts.get(group, 0) + n
        return counts


def drive(dispatcher: Dispatcher, place: Callable[[Attempt], AttemptOutcome],
          events: Iterable[LifecycleEvent] = ()) -> None:
    """Run ``dispatcher`` to its end in virtual time, at its wake-ups: each attempt handed out
    is placed with ``place(attempt)`` (how it ends, S10) and recorded at once;
    ``events`` (in time order) are applied at their instants, before the attempts due then.

    This is how a simulation runs on the dispatcher; tests use it to compare the two.
    """
    pending = list(events)
    while True:
        wake = dispatcher.next_wakeup()
        wake_us = None if wake is None else instant_us(wake, "wake-up")
        if pending and (wake_us is None or pending[0].at_us <= wake_us):
            event = pending.pop(0)
            operate = {Operation.PAUSE: dispatcher.pause, Operation.RESUME: dispatcher.resume,
                       Operation.CANCEL: dispatcher.cancel}
            if event.op is Operation.RESCHEDULE:
                assert event.send_at_us is not None
                dispatcher.reschedule(from_us(event.at_us), from_us(event.send_at_us))
            else:
                operate[event.op](from_us(event.at_us))
            continue
        if wake is None:
            return
        for attempt in dispatcher.due(wake):
            outcome = place(attempt)
            start_us = instant_us(attempt.time, "time")
            answered = outcome.answer_after_us
            dispatcher.record(attempt.key, outcome.kind, from_us(start_us + outcome.duration_us),
                              None if answered is None else from_us(start_us + answered))


__all__ = ["Dispatcher", "drive"]
