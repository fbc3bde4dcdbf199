"""The engine side of the sandbox: each accepted request is a dispatcher (S14) journaled in the
data directory; the sandbox places its attempts with outcomes from the simulation's model,
records them at their end, and turns each final status into a delivery report (S10) that is
pushed to ``notifyUrl`` and can be pulled once.

Time moves in one place, :meth:`Sandbox.run_until`: every wake-up and every outcome up to an
instant, in time order, across all campaigns. With a virtual clock that happens when a test
moves the clock; with the real clock a background task does it as time passes.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from ivrsched.dispatch import Dispatcher
from ivrsched.dispatch.attempt import Attempt
from ivrsched.errors import IvrschedError
from ivrsched.ids import SeededIds
from ivrsched.io.outcome_files import load_outcomes
from ivrsched.planning.planner import Plan, plan
from ivrsched.planning.response import response_document
from ivrsched.request.model import ContentType, Request
from ivrsched.request.parsing import parse_request
from ivrsched.rules.instants import (
    InstantSyntaxError,
    format_us,
    from_us,
    parse_instant,
    timedelta_us,
    to_us,
)
from ivrsched.rules.lifecycle import LifecycleError
from ivrsched.sandbox.clock import ClockError, SandboxClock, VirtualClock
from ivrsched.sandbox.config import SandboxConfig
from ivrsched.sandbox.reports import ReportSender
from ivrsched.sandbox.store import BulkRecord, SandboxStore
from ivrsched.simulation.outcomes import AttemptOutcome, OutcomeSource, Random
from ivrsched.simulation.reports import report_result

__all__ = ["BulkNotFound", "LifecycleRefused", "Sandbox"]

#: The most reports one pull gives out, and the number when the client names none (the
#: platform's documented default and maximum for pulled voice reports are not in SPEC.md;
#: these are ours).
DEFAULT_PULL_LIMIT = 50
MAX_PULL_LIMIT = 1000


class BulkNotFound(IvrschedError, LookupError):
    """No bulk with that ID."""


class LifecycleRefused(IvrschedError, ValueError):
    """An operation S13 does not allow now (resume when not paused, reschedule after the
    first attempt, anything after cancel)."""


@dataclass
class _Campaign:
    """One accepted request: its dispatcher, the plan it was accepted with (for the response
    and the reports) and its outcome source."""

    record: BulkRecord
    dispatcher: Dispatcher
    plan: Plan
    outcomes: OutcomeSource
    reported: set[str] = field(default_factory=set)


@dataclass(order=True, frozen=True)
class _Ending:
    """An attempt in progress whose outcome is recorded at ``end_us``."""

    end_us: int
    sequence: int
    bulk_id: str = field(compare=False)
    key: str = field(compare=False)
    outcome: AttemptOutcome = field(compare=False)
    start_us: int = field(compare=False)


class Sandbox:
    """Campaigns in a data directory, driven by a clock."""

    def __init__(self, config: SandboxConfig, clock: SandboxClock) -> None:
        self.config = config
        self.clock = clock
        self.store = SandboxStore(config.data_dir)
        self._campaigns: dict[str, _Campaign] = {}
        self._endings: list[_Ending] = []
        self._sequence = 0
        self._lock = asyncio.Lock()
        self._sender = ReportSender(config, self.store)
        self._ticker: asyncio.Task[None] | None = None
        self._scripted = (None if config.scripted_outcomes is None
                          else load_outcomes(str(config.scripted_outcomes)))

    # -- starting and stopping ------------------------------------------------------------
    async def start(self) -> None:
        """Reopen every campaign of the data directory (a restart continues where the last
        run stopped); with the real clock, start moving time."""
        for record in self.store.bulks():
            path = self.config.data_dir / record.journal
            dispatcher = Dispatcher.open(path)
            text = (self.config.data_dir / f"{record.journal}.request.json").read_text(
                encoding="utf-8")
            campaign = self._campaign(record, dispatcher, parse_request(text))
            campaign.reported = self.store.reported(record.bulk_id)
            self._campaigns[record.bulk_id] = campaign
            # Attempts handed out before the stop have no outcome yet: their outcome is a
            # function of the attempt, so it is drawn again and recorded at its end.
            for attempt in dispatcher.in_doubt():
                self._begin(campaign, attempt)
        await self._sender.start()
        if not self.clock.virtual:
            self._ticker = asyncio.create_task(self._tick())

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        await self._sender.stop()
        for campaign in self._campaigns.values():
            campaign.dispatcher.close()
        self.store.close()

    async def _tick(self) -> None:
        """The real clock: run what is due, then sleep until the next thing happens (at most
        a second, so lifecycle changes and new requests are picked up)."""
        while True:
            async with self._lock:
                now = self.clock.now_us()
                self.run_until(now)
                wake = self._next_event_us()
            await self._sender.push_due(now)
            delay = 1.0 if wake is None else min(1.0, max(0.0, (wake - now) / 1_000_000))
            await asyncio.sleep(delay)

    # -- the campaigns --------------------------------------------------------------------
    def _outcome_source(self, record: BulkRecord) -> OutcomeSource:
        fallback = Random(self.config.answer_rate, self.config.busy_rate,
                          seed=self._seed(record))
        if self._scripted is None:
            return fallback
        return self._scripted.with_fallback(fallback)

    def _seed(self, record: BulkRecord) -> str:
        return f"{self.config.seed}:{record.journal}"

    def _campaign(self, record: BulkRecord, dispatcher: Dispatcher,
                  request: Request) -> _Campaign:
        accepted = plan(request, now=from_us(record.created_us),
                        ids=SeededIds(self._seed(record)))
        return _Campaign(record, dispatcher, accepted, self._outcome_source(record))

    def _find(self, bulk_id: str) -> _Campaign:
        campaign = self._campaigns.get(bulk_id)
        if campaign is None:
            raise BulkNotFound(f"no bulk {bulk_id!r}")
        return campaign

    async def submit(self, body: Any, dialect: str) -> dict[str, object]:
        """Accept a request (a decoded JSON body): validate it as the library does, start its
        dispatcher, answer the platform's response document."""
        request = parse_request(body, dialect)
        text = json.dumps(body)
        async with self._lock:
            now = self.clock.now_us()
            self.run_until(now)
            number = self.store.bulk_count() + 1
            journal = f"bulk-{number:06d}.db"
            record = BulkRecord("", dialect, journal, now)
            accepted = plan(request, now=from_us(now), ids=SeededIds(self._seed(record)))
            document = response_document(accepted)
            first = next(iter(accepted), None)
            # The response's bulkId (a Calls bulk always has one); else the only destination's
            # messageId names the campaign.
            given = document.get("bulkId")
            bulk_id = (given if isinstance(given, str)
                       else first.message_id if first is not None else journal)
            if self.store.has_bulk(bulk_id):
                raise IvrschedError(f"bulkId {bulk_id!r} is already used by another request")
            record = BulkRecord(bulk_id, dialect, journal, now)
            (self.config.data_dir / f"{journal}.request.json").write_text(text,
                                                                          encoding="utf-8")
            dispatcher = Dispatcher.create(self.config.data_dir / journal, text,
                                           now=from_us(now), seed=self._seed(record))
            self.store.add_bulk(record)
            self._campaigns[bulk_id] = _Campaign(record, dispatcher, accepted,
                                                 self._outcome_source(record))
            self.run_until(now)
            self._collect_reports()
        await self._sender.push_due(now)
        return document

    # -- moving time ----------------------------------------------------------------------
    def _begin(self, campaign: _Campaign, attempt: Attempt) -> None:
        schedule = campaign.plan.messages[attempt.message][attempt.index]
        outcome = campaign.outcomes.outcome(schedule, attempt.number)
        start = to_us(attempt.time)
        self._sequence += 1
        heapq.heappush(self._endings, _Ending(start + outcome.duration_us, self._sequence,
                                              campaign.record.bulk_id, attempt.key, outcome,
                                              start))

    def _next_event_us(self) -> int | None:
        candidates = [to_us(w) for c in self._campaigns.values()
                      if (w := c.dispatcher.next_wakeup()) is not None]
        if self._endings:
            candidates.append(self._endings[0].end_us)
        return min(candidates, default=None)

    def run_until(self, target_us: int) -> None:
        """Every wake-up and outcome at or before ``target_us``, in time order (an outcome
        before a wake-up at the same instant: the line is free again)."""
        while True:
            wakes = [(to_us(w), bulk_id) for bulk_id, c in self._campaigns.items()
                     if (w := c.dispatcher.next_wakeup()) is not None]
            wake = min(wakes, default=None)
            ending = self._endings[0] if self._endings else None
            if ending is not None and ending.end_us <= target_us and (
                    wake is None or ending.end_us <= wake[0]):
                heapq.heappop(self._endings)
                self._record(ending)
                continue
            if wake is None or wake[0] > target_us:
                break
            campaign = self._campaigns[wake[1]]
            handed = campaign.dispatcher.due(from_us(wake[0]))
            for attempt in handed:
                self._begin(campaign, attempt)
            if not handed and campaign.dispatcher.next_wakeup() == from_us(wake[0]):
                # Nothing can happen at this instant until an outcome comes in (a capacity
                # limit): let the outcomes catch up, or stop if none is pending.
                if ending is None or ending.end_us > target_us:
                    break
                heapq.heappop(self._endings)
                self._record(ending)
        self._collect_reports()

    def _record(self, ending: _Ending) -> None:
        dispatcher = self._campaigns[ending.bulk_id].dispatcher
        answered = ending.outcome.answer_after_us
        dispatcher.record(ending.key, ending.outcome.kind, from_us(ending.end_us),
                          None if answered is None else from_us(ending.start_us + answered))

    def _collect_reports(self) -> None:
        for campaign in self._campaigns.values():
            for result in campaign.dispatcher.results():
                if result.message_id in campaign.reported:
                    continue
                campaign.reported.add(result.message_id)
                message = campaign.plan.messages[result.message].message
                url = message.notify_url
                kind = message.notify_content_type or ContentType.JSON
                self.store.add_report(campaign.record.bulk_id, result.message_id,
                                      result.at_us, report_result(campaign.plan, result),
                                      url, kind.value)

    async def move_clock(self, *, advance: object = None, to: object = None) -> None:
        """Move a virtual clock (by an ISO 8601 duration, or to an instant) and run everything
        due in between, reports included, before returning."""
        if not isinstance(self.clock, VirtualClock):
            raise ClockError("the clock is real; start the sandbox with --clock virtual")
        async with self._lock:
            now = self.clock.now_us()
            target = (now + _duration_us(advance) if advance is not None
                      else _instant_us(to, "to"))
            if target < now:
                raise ClockError("the virtual clock cannot move backwards")
            # Step through the instants at which something happens, so that each report is
            # pushed at its own time.
            while True:
                step = self._next_event_us()
                push = self.store.next_push_us()
                nexts = [t for t in (step, push) if t is not None and t <= target]
                at = min(nexts, default=target)
                self.clock.move_to(max(at, self.clock.now_us()))
                self.run_until(at)
                await self._sender.push_due(at)
                if at >= target and not [t for t in (self._next_event_us(),
                                                     self.store.next_push_us())
                                         if t is not None and t <= target]:
                    break
            self.clock.move_to(target)

    def clock_document(self) -> dict[str, object]:
        return {"now": format_us(self.clock.now_us()),
                "clock": "virtual" if self.clock.virtual else "real"}

    # -- reports and the call log ---------------------------------------------------------
    async def pull_reports(self, bulk_id: str | None, message_id: str | None,
                           limit: int | None) -> list[dict[str, object]]:
        count = DEFAULT_PULL_LIMIT if limit is None else max(1, min(limit, MAX_PULL_LIMIT))
        async with self._lock:
            return self.store.pull(bulk_id, message_id, count, self.clock.now_us())

    async def calls_log(self) -> list[dict[str, object]]:
        """Every attempt placed so far, in ``verify``'s row format, in time order."""
        async with self._lock:
            rows = [row for c in self._campaigns.values() for row in c.dispatcher.log()]
        return sorted(rows, key=lambda row: _instant_us(row["time"], "time"))

    # -- bulk management (S13) ------------------------------------------------------------
    async def _operate(self, bulk_id: str, operation: str, send_at_us: int | None = None
                       ) -> _Campaign:
        async with self._lock:
            campaign = self._find(bulk_id)
            now = self.clock.now_us()
            self.run_until(now)
            at = from_us(now)
            dispatcher = campaign.dispatcher
            try:
                if operation == "pause":
                    dispatcher.pause(at)
                elif operation == "resume":
                    dispatcher.resume(at)
                elif operation == "cancel":
                    dispatcher.cancel(at)
                else:
                    assert send_at_us is not None
                    dispatcher.reschedule(at, from_us(send_at_us))
            except LifecycleError as exc:
                raise LifecycleRefused(str(exc)) from exc
            self.run_until(now)
        return campaign

    def _start_us(self, campaign: _Campaign) -> int:
        rescheduled = campaign.dispatcher.lifecycle.start_us
        if rescheduled is not None:
            return rescheduled
        return min(m.start_us for m in campaign.plan.messages)

    def _status(self, campaign: _Campaign) -> str:
        return str(campaign.dispatcher.state.value)

    async def voice_bulk(self, bulk_id: str) -> dict[str, object]:
        campaign = self._find(bulk_id)
        return {"bulkId": bulk_id, "sendAt": format_us(self._start_us(campaign))}

    async def reschedule(self, bulk_id: str, send_at: str) -> dict[str, object]:
        campaign = await self._operate(bulk_id, "reschedule", _instant_us(send_at, "sendAt"))
        return {"bulkId": bulk_id, "sendAt": format_us(self._start_us(campaign))}

    async def voice_bulk_status(self, bulk_id: str) -> dict[str, object]:
        return {"bulkId": bulk_id, "status": self._status(self._find(bulk_id))}

    async def set_voice_bulk_status(self, bulk_id: str, status: str) -> dict[str, object]:
        operation = {"PAUSED": "pause", "PROCESSING": "resume", "CANCELED": "cancel"}[status]
        campaign = await self._operate(bulk_id, operation)
        return {"bulkId": bulk_id, "status": self._status(campaign)}

    def _calls_status(self, bulk_id: str, campaign: _Campaign) -> dict[str, object]:
        return {"bulkId": bulk_id, "startTime": format_us(self._start_us(campaign)),
                "status": self._status(campaign)}

    async def calls_bulk_status(self, bulk_id: str) -> dict[str, object]:
        return self._calls_status(bulk_id, self._find(bulk_id))

    async def calls_operation(self, bulk_id: str, operation: str) -> dict[str, object]:
        return self._calls_status(bulk_id, await self._operate(bulk_id, operation))

    async def calls_reschedule(self, bulk_id: str, start: str) -> dict[str, object]:
        campaign = await self._operate(bulk_id, "reschedule", _instant_us(start, "startTime"))
        return self._calls_status(bulk_id, campaign)

    def campaigns(self) -> Iterator[tuple[str, Dispatcher]]:
        for bulk_id, campaign in self._campaigns.items():
            yield bulk_id, campaign.dispatcher


def _instant_us(value: object, name: str) -> int:
    if not isinstance(value, str):
        raise IvrschedError(f"{name} must be an ISO 8601 instant with a UTC offset")
    try:
        return parse_instant(value)[0]
    except InstantSyntaxError as exc:
        raise IvrschedError(f"{name}: {exc}") from exc


def _duration_us(value: object) -> int:
    import isodate

    if not isinstance(value, str):
        raise IvrschedError('advance must be an ISO 8601 duration such as "PT2H"')
    try:
        duration = isodate.parse_duration(value)
    except (isodate.ISO8601Error, ValueError) as exc:
        raise IvrschedError(f"advance: not an ISO 8601 duration: {value!r}") from exc
    if not isinstance(duration, timedelta):
        raise IvrschedError("advance: months and years have no fixed length; give days or less")
    return timedelta_us(duration)
