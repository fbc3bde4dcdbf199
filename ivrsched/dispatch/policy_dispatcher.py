"""The live dispatcher under a calling policy (SPEC S14, S15).

The rules are the policy engine's (:class:`ivrsched.policy.pacing.PolicyEngine`, the one that
``plan --policy`` and ``simulate --policy`` run): slots of a paced message go to the earliest
destination its own calendar and the frequency cap allow, retries move to the destination's
next allowed instant, a destination that cannot be called before the deadline ends EXPIRED.
The engine here is fed each outcome when the caller records it. A caller who asks at the
wake-ups and records each call by its end (before asking again at or after that end) gets
exactly ``simulate``'s log under the policy, with the same outcomes.

Called late, the dispatcher decides at ``now`` what was due before: an attempt starts at
``now`` only if the destination's calendar is open then and the cap allows it (otherwise it
moves on to the next instant both allow), and a paced message's slots keep the S3 cap over the
first attempts really started.

State. The engine's state is not a few cursors, as without a policy: which destination a slot
went to depends on every earlier decision. The journal therefore keeps, besides the attempts
and results, every input in order (table ``policy_steps``: each ``due()`` that decided
something, with its ``now``; each outcome; each lifecycle operation), and opening a journal
replays them through a new engine, checking that it hands out exactly the journaled attempts.
A lifecycle operation rebuilds the engine the same way under the new lifecycle: before the
operation's instant the calendars are unchanged, so the attempts replay identically, and
destinations the operation leaves no allowed instant end then. Opening a journal therefore
takes time in proportion to the steps so far (memory stays the engine's: the destinations
waiting, the retries pending and the cap's recent attempts).

A pause that has not been resumed is not part of the engine's calendars (they would have no
end); instead nothing is decided at or after its start, except that destinations end once
their message's cut is reached.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime

from ivrsched.dispatch import journal
from ivrsched.dispatch.attempt import Attempt, JournalError, attempt_key
from ivrsched.dispatch.dispatcher import Dispatcher, T, _InProgress, _Message
from ivrsched.errors import RequestError
from ivrsched.planning.policy_plan import RememberedDestinations
from ivrsched.policy.document import CallingPolicy, parse_policy
from ivrsched.policy.pacing import MessageRun, PolicyEngine, PolicyResult, PolicyStart
from ivrsched.request.model import Destination
from ivrsched.request.status import Status
from ivrsched.rules.instants import from_us
from ivrsched.rules.lifecycle import Lifecycle, LifecycleEvent, Operation, reschedule_refusal
from ivrsched.rules.timeline import Timeline
from ivrsched.simulation.engine import ENDING_STATUS, DestinationResult, Ending
from ivrsched.simulation.outcomes import Outcome
from ivrsched.simulation.policy_run import ending_of

#: A result row as the journal keeps it:
#: (status, ending, at_us, attempts, first_start_us, last_key).
_ResultRow = tuple[int, str, int, int, int | None, str | None]

_STEP_DUE, _STEP_OUTCOME, _STEP_OPERATION = "due", "outcome", "operation"


class _Active:
    """A destination with an attempt and no result yet: what its result row needs."""

    __slots__ = ("first_start_us", "last_end_us", "last_key")

    def __init__(self, first_start_us: int, last_key: str) -> None:
        self.first_start_us = first_start_us
        self.last_key = last_key
        self.last_end_us: int | None = None


class PolicyDispatcher(Dispatcher):
    """A :class:`~ivrsched.dispatch.Dispatcher` whose attempts obey a calling policy; made by
    :meth:`Dispatcher.create` with ``policy=`` and by :meth:`Dispatcher.open` on its
    journal. See the module documentation."""

    policy: CallingPolicy

    # -- state: the journal replayed ------------------------------------------------------
    def _load(self) -> None:
        super()._load()
        try:
            self.policy = parse_policy(journal.read_meta(self._db)["policy"])
        except (KeyError, RequestError) as exc:
            raise JournalError(f"{self._path}: unreadable policy ({exc})") from exc
        self._replay()
        self._dirty = False

    def _engine_lifecycle(self, lifecycle: Lifecycle) -> tuple[Lifecycle, int | None]:
        """The lifecycle the engine's calendars use, and the start of a pause not resumed
        (nothing is decided from then on)."""
        if lifecycle.paused:
            return replace(lifecycle, closed=lifecycle.closed[:-1]), lifecycle.closed[-1][0]
        return lifecycle, None

    def _new_engine(self) -> None:
        lifecycle, _ = self._engine_lifecycle(self._lifecycle)
        self._timelines: dict[int, Timeline] = {}
        self._remembered: dict[int, RememberedDestinations] = {}
        runs = []
        for m in self._messages:
            timeline = lifecycle.timeline(m.base, m.validity)
            self._timelines[m.index] = timeline
            remembered = self._remembered[m.index] = RememberedDestinations(_Reiterable(m))
            runs.append(MessageRun(m.index, timeline, remembered))
        self._engine = PolicyEngine(runs, self.policy)
        self._active: dict[tuple[int, int], _Active] = {}
        self._in_progress = {}
        self._unjournaled: list[tuple[int, int, _ResultRow]] = []

    def _replay(self) -> None:
        """A new engine fed the journal's steps in order; the attempts it hands out must be
        exactly the journaled ones. Results it decides that the journal lacks (a lifecycle
        operation was just applied, or the journal was just created) are kept to be written
        by the next change."""
        db = self._db
        self._new_engine()
        journaled = db.execute("SELECT key, message, position, number, time_us FROM attempts "
                               "ORDER BY seq")
        lifecycle = Lifecycle(self._now_us)
        replayer = _Replayer(self, journaled)
        replayer.absorb(self._engine.ready)
        self._engine.ready = []
        steps = db.execute("SELECT kind, at_us, ref FROM policy_steps ORDER BY seq").fetchall()
        for kind, at_us, ref in steps:
            if kind == _STEP_DUE:
                _, hold = self._engine_lifecycle(lifecycle)
                self._decide(at_us, hold, replayer)
            elif kind == _STEP_OUTCOME:
                row = db.execute("SELECT message, position, number, outcome, end_us FROM "
                                 "attempts WHERE key = ?", (ref,)).fetchone()
                if row is None or row[3] is None:
                    raise JournalError(f"{self._path}: the outcome of {ref!r} is missing")
                message, position, number, outcome, end_us = row
                self._settled(replayer, message, position, number, Outcome(outcome), end_us)
            else:
                op, op_at, send_at = db.execute(
                    "SELECT op, at_us, send_at_us FROM operations WHERE seq = ?",
                    (int(ref),)).fetchone()
                lifecycle = lifecycle.then(LifecycleEvent(Operation(op), op_at, send_at),
                                           refuse_reschedule=lambda _: None)
        if journaled.fetchone() is not None:
            raise JournalError(f"{self._path}: the journal holds attempts its steps do not "
                               "replay")
        self._unjournaled = replayer.missing
        journaled_count = db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        if journaled_count > replayer.matched + replayer.differing:
            raise JournalError(f"{self._path}: the journal holds results its steps do not "
                               "replay")

    def _created(self) -> None:
        self._change(lambda db: None)

    def _change(self, apply: Callable[[sqlite3.Connection], T]) -> T:
        def reconciled(db: sqlite3.Connection) -> T:
            self._write_unjournaled(db)
            result = apply(db)
            self._write_unjournaled(db)
            return result
        return super()._change(reconciled)

    def _write_unjournaled(self, db: sqlite3.Connection) -> None:
        for message, position, row in self._unjournaled:
            db.execute("INSERT OR REPLACE INTO results (message, position, status, ending, "
                       "at_us, attempts, first_start_us, last_key) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (message, position, *row))
        self._unjournaled = []

    # -- deciding ---------------------------------------------------------------------------
    def _decide(self, now_us: int, hold_us: int | None, sink: _Sink) -> bool:
        """Let the engine decide every event due at ``now_us`` (within ``max_in_progress``);
        True when it decided any."""
        engine = self._engine
        decided = False
        while self.max_in_progress is None or engine.in_progress < self.max_in_progress:
            items = engine.step(now_us, hold_us)
            if items is None:
                break
            decided = True
            sink.absorb(items)
        return decided

    def _hand_out(self, db: sqlite3.Connection, now_us: int) -> list[Attempt]:
        _, hold = self._engine_lifecycle(self._lifecycle)
        sink = _Writer(self, db)
        if self._decide(now_us, hold, sink):
            db.execute("INSERT INTO policy_steps (kind, at_us) VALUES (?, ?)",
                       (_STEP_DUE, now_us))
        return sink.handed

    def _close(self, db: sqlite3.Connection, m: _Message) -> None:
        """Destinations end through the engine (at its events), not by closing a message."""

    def _settle(self, db: sqlite3.Connection, entry: _InProgress, kind: Outcome,
                end_us: int) -> None:
        db.execute("INSERT INTO policy_steps (kind, ref) VALUES (?, ?)",
                   (_STEP_OUTCOME, entry.key))
        self._settled(_Writer(self, db), entry.message, entry.position, entry.number, kind,
                      end_us)

    def _settled(self, sink: _Sink, message: int, position: int, number: int, kind: Outcome,
                 end_us: int) -> None:
        active = self._active.get((message, position))
        if active is not None:
            active.last_end_us = end_us
        self._in_progress.pop(sink.key_of(message, position, number), None)
        sink.absorb(self._engine.record(message, position, number, kind is Outcome.ANSWERED,
                                        end_us))

    def _operated(self, db: sqlite3.Connection, event: LifecycleEvent) -> None:
        seq = db.execute("SELECT MAX(seq) FROM operations").fetchone()[0]
        db.execute("INSERT INTO policy_steps (kind, ref) VALUES (?, ?)",
                   (_STEP_OPERATION, str(seq)))
        if event.op is Operation.RESCHEDULE:
            # Only before the first attempt: every result so far was decided from the start,
            # which has moved; the replay decides them again.
            db.execute("DELETE FROM results")
        self._replay()

    def _refuse_reschedule(self, at_us: int) -> str | None:
        if self._started:
            return "an attempt has already started"
        return reschedule_refusal(at_us, (t.deadline_us for t in self._timelines.values()),
                                  [self._engine.next_instant()])

    # -- questions ----------------------------------------------------------------------------
    def next_wakeup(self) -> datetime | None:
        engine = self._engine
        if self.max_in_progress is not None and engine.in_progress >= self.max_in_progress:
            return None
        at = engine.next_instant()
        if at is None:
            return None
        at = max(at, self._clock)
        _, hold = self._engine_lifecycle(self._lifecycle)
        if hold is not None and at >= hold:
            cut = self._timelines[engine.next_message()].cut_us
            return None if cut is None else from_us(max(cut, at))
        return from_us(at)

    @property
    def finished(self) -> bool:
        return self._engine.finished

    def counts(self) -> dict[str, int]:
        counts = super().counts()
        counts["pendingRetries"] = self._engine.queued_retries
        return counts

    def results(self) -> Iterator[DestinationResult]:
        """As :meth:`Dispatcher.results`: rejected destinations first, then every final
        status in the order it became final (destinations the policy left uncalled among
        them, in the engine's order)."""
        rows = self._db.execute(
            f"SELECT r.message, r.position, r.status, r.ending, r.at_us, r.attempts, "
            f"r.first_start_us, r.last_key IS NOT NULL, "
            f"{', '.join('a.' + c.strip() for c in self._EVENT_COLUMNS.split(','))} "
            "FROM results r LEFT JOIN attempts a ON a.key = r.last_key ORDER BY r.seq")
        uncalled: dict[int, set[int]] = {}
        for row in self._db.execute("SELECT message, position FROM results "
                                    "WHERE last_key IS NULL"):
            uncalled.setdefault(row[0], set()).add(row[1])
        names = self._names(uncalled)
        yield from self._rejected_results()
        for message, position, status, ending, at_us, attempts, first_start, called, \
                *event_row in rows:
            offset = self._messages[message].offset
            if called:
                event = self._event(event_row)
                yield DestinationResult(message, position, event.to, event.message_id,
                                        Status.by_id(status), Ending(ending), at_us, attempts,
                                        first_start, event, offset)
                continue
            to, message_id = names[(message, position)]
            yield DestinationResult(message, position, to, message_id, Status.by_id(status),
                                    Ending(ending), at_us, 0, None, None, offset)

    def _names(self, wanted: dict[int, set[int]]) -> dict[tuple[int, int], tuple[str, str]]:
        """The address and messageId of the destinations in ``wanted`` (one pass over each
        message that has any)."""
        names: dict[tuple[int, int], tuple[str, str]] = {}
        for message, positions in wanted.items():
            m = self._messages[message]
            for position, destination in m.destinations_from(0):
                if position in positions:
                    assert destination.to is not None
                    names[(message, position)] = (destination.to,
                                                  m.message_id(position, destination))
        return names


class _Reiterable:
    """A message's destinations, read afresh each time they are iterated."""

    def __init__(self, m: _Message) -> None:
        self._m = m

    def __iter__(self) -> Iterator[Destination]:
        return (destination for _, destination in self._m.destinations_from(0))


class _Sink:
    """Where the engine's decisions go: written to the journal, or checked against it."""

    def __init__(self, dispatcher: PolicyDispatcher) -> None:
        self.d = dispatcher

    def key_of(self, message: int, position: int, number: int) -> str:
        destination = self.d._remembered[message].waiting[position]
        return attempt_key(self.d._messages[message].message_id(position, destination), number)

    def absorb(self, items: Iterable[PolicyStart | PolicyResult]) -> None:
        for item in items:
            if isinstance(item, PolicyStart):
                self.start(item)
            else:
                self.result(item)

    def start(self, item: PolicyStart) -> None:
        d = self.d
        m = d._messages[item.message]
        destination = d._remembered[item.message].waiting[item.index]
        assert destination.to is not None
        message_id = m.message_id(item.index, destination)
        key = attempt_key(message_id, item.attempt)
        active = d._active.get((item.message, item.index))
        if active is None:
            active = d._active[(item.message, item.index)] = _Active(item.start_us, key)
        active.last_key = key
        entry = _InProgress(key, item.message, item.index, item.attempt, item.start_us,
                            active.first_start_us, destination.to, message_id)
        d._in_progress[key] = entry
        d._started = True
        self.started(entry)

    def started(self, entry: _InProgress) -> None:
        raise NotImplementedError

    def result(self, item: PolicyResult) -> None:
        d = self.d
        d._remembered[item.message].waiting.pop(item.index)
        active = d._active.pop((item.message, item.index), None)
        timeline = d._timelines[item.message]
        ending, at_us = ending_of(item.ending, timeline,
                                  None if active is None else active.last_end_us)
        row: _ResultRow = (ENDING_STATUS[ending].value.id, ending.value, at_us,
                           len(item.attempts), None if active is None else active.first_start_us,
                           None if active is None else active.last_key)
        self.final(item.message, item.index, row)

    def final(self, message: int, position: int, row: _ResultRow) -> None:
        raise NotImplementedError


class _Writer(_Sink):
    """Decisions made live: journaled in the change's transaction."""

    def __init__(self, dispatcher: PolicyDispatcher, db: sqlite3.Connection) -> None:
        super().__init__(dispatcher)
        self.db = db
        self.handed: list[Attempt] = []

    def started(self, entry: _InProgress) -> None:
        self.db.execute(
            "INSERT INTO attempts (key, message, position, slot, to_address, message_id, "
            "number, time_us, first_start_us) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?)",
            (entry.key, entry.message, entry.position, entry.to, entry.message_id,
             entry.number, entry.time_us, entry.first_start_us))
        offset = self.d._messages[entry.message].offset
        self.handed.append(Attempt(entry.key, entry.message_id, entry.to, entry.number,
                                   from_us(entry.time_us, offset), entry.message,
                                   entry.position))

    def final(self, message: int, position: int, row: _ResultRow) -> None:
        self.db.execute("INSERT INTO results (message, position, status, ending, at_us, "
                        "attempts, first_start_us, last_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (message, position, *row))


class _Replayer(_Sink):
    """Decisions made again from the journal's steps: attempts checked against the journal's,
    results not journaled yet collected."""

    def __init__(self, dispatcher: PolicyDispatcher, journaled: sqlite3.Cursor) -> None:
        super().__init__(dispatcher)
        self._journaled = journaled
        self.missing: list[tuple[int, int, _ResultRow]] = []
        self.matched = 0    # journaled as replayed
        self.differing = 0  # journaled otherwise (decided again under a new lifecycle)

    def started(self, entry: _InProgress) -> None:
        row = self._journaled.fetchone()
        replayed = (entry.key, entry.message, entry.position, entry.number, entry.time_us)
        if row is None or tuple(row) != replayed:
            raise JournalError(f"{self.d._path}: the journal does not replay: attempt "
                               f"{json.dumps(entry.key)} at {entry.time_us} µs is not the "
                               "next journaled attempt")

    def final(self, message: int, position: int, row: _ResultRow) -> None:
        found = self.d._db.execute(
            "SELECT status, ending, at_us, attempts, first_start_us, last_key FROM results "
            "WHERE message = ? AND position = ?", (message, position)).fetchone()
        if found is not None and tuple(found) == row:
            self.matched += 1
            return
        self.differing += found is not None
        self.missing.append((message, position, row))


__all__ = ["PolicyDispatcher"]
