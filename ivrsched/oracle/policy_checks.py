"""The calling-policy rules of the verifier (SPEC S15): does an observed log obey a policy?

:mod:`ivrsched.oracle.conformance` reads the log and checks S2–S6; under a policy it asks this
module for four more rules and for the plan ``exact`` compares with:

- ``S15-no-zone``: a number with no known zone (and no ``fallbackZone``) must not be called.
- ``S15-hours``: every attempt inside the local calling hours of *every* candidate zone of its
  number (the intersection rule); the violation names the zone, the local time there and the
  allowed hours.
- ``S15-closed``: no attempt on a closed date or a public holiday, each judged by the local date
  in each candidate zone; the violation names the date and the holiday's name.
- ``S15-cap``: at most ``maxAttempts`` attempts to one number in any half-open interval of
  ``periodMinutes``, across every message of the request; the violation names the attempts of
  the full interval (message, destination, attempt and time of each).

The expected plan under a policy (``exact=True``, ``require_all=True``) is the policy engine
(:func:`ivrsched.policy.pacing.run_policy`) replayed with the log's own outcomes: an attempt the
log follows with no further attempt of its destination ends the destination (answered, or the
ladder or the deadline ended it: either way nothing follows), and an attempt ends at its start
plus the log's duration (its ``end`` − ``time``), or plus the failure delay when the log gives
no end. A plan-shaped log (every attempt fails after the failure delay) replays as the plan
itself; a log with realised outcomes replays as the run a correct dispatcher makes, in which a
destination answered early frees its number's cap for the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from ivrsched.oracle.conformance import ordinal
from ivrsched.planning.explanation import describe_duration
from ivrsched.policy.calendar import CalendarBook
from ivrsched.policy.document import ALL_DAYS, CallingPolicy, HoursPeriod
from ivrsched.policy.pacing import Destinations, MessageRun, PolicyAttempt, run_policy
from ivrsched.policy.zones import ZoneChoice, ZoneSource, choose_zones
from ivrsched.request.model import TimeOfDay, Weekday
from ivrsched.rules.instants import format_us

#: The policy rules, in the order violations of one attempt are listed.
POLICY_RULES: tuple[str, ...] = (
    "S15-no-zone",  # a number with no known zone and no fallbackZone was called
    "S15-hours",    # an attempt outside the local calling hours of a candidate zone
    "S15-closed",   # an attempt on a closed date or public holiday of a candidate zone
    "S15-cap",      # more than maxAttempts attempts to one number in one rolling period
)

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Called:
    """One logged attempt as the policy checks read it."""

    number: int     # the attempt number the log gives
    time_us: int
    line: int


@dataclass(frozen=True)
class Finding:
    """A broken policy rule of one attempt: the conformance module turns it into a
    :class:`~ivrsched.oracle.conformance.Violation` of the attempt's destination."""

    rule: str
    detail: str
    attempt: Called
    limit_us: int | None = None


@dataclass(frozen=True)
class CapEntry:
    """One logged attempt to a number, for the frequency cap: ``who`` is its destination
    (message, index)."""

    time_us: int
    who: tuple[int, int]
    attempt: int
    line: int


# -- describing the policy ---------------------------------------------------------------------

def describe_days(days: Sequence[Weekday]) -> str:
    """``every day``, ``MONDAY to FRIDAY`` (a run of consecutive days), else a list."""
    if tuple(days) == ALL_DAYS:
        return "every day"
    values = [d.value for d in days]
    if len(values) > 2 and values == list(range(values[0], values[0] + len(values))):
        return f"{days[0].name} to {days[-1].name}"
    return ", ".join(d.name for d in days)


def _clock(time: TimeOfDay) -> str:
    return f"{time.hour:02d}:{time.minute:02d}"


def describe_period(period: HoursPeriod) -> str:
    """One period of allowed hours: ``MONDAY to FRIDAY 10:00–13:00``."""
    days = describe_days(period.days)
    if period.start is None or period.end is None:
        return f"{days}, all day"
    return f"{days} {_clock(period.start)}–{_clock(period.end)}"


def describe_hours(periods: Sequence[HoursPeriod]) -> str:
    """The allowed hours: the periods joined by ``and`` (their union)."""
    return " and ".join(describe_period(p) for p in periods)


def local_time(at_us: int, zone: str) -> datetime:
    """The local date and time in ``zone`` at ``at_us``."""
    return (_EPOCH + timedelta(microseconds=at_us)).astimezone(ZoneInfo(zone))


def describe_local(at_us: int, zone: str) -> str:
    """``19:30:00 on MONDAY 2030-01-07 (UTC-05:00)``: the wall clock and the offset in use."""
    moment = local_time(at_us, zone)
    offset = moment.utcoffset() or timedelta(0)
    minutes = offset // timedelta(minutes=1)
    sign = "+" if minutes >= 0 else "-"
    return (f"{moment:%H:%M:%S} on {Weekday(moment.weekday()).name} {moment:%Y-%m-%d} "
            f"(UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})")


# -- closed days ---------------------------------------------------------------------------------

class ClosedDays:
    """Why a local date is closed under the policy, in the words of a violation."""

    def __init__(self, policy: CallingPolicy) -> None:
        self._closed = policy.closed_dates
        self._region = policy.holidays
        self._holidays: Any = None

    def reason(self, day: date) -> str | None:
        """``a closed date of the policy`` or ``a public holiday in US-FL: Christmas Day``;
        None when the date is open."""
        if day in self._closed:
            return "a closed date of the policy"
        if self._region is None:
            return None
        if self._holidays is None:
            import holidays

            self._holidays = holidays.country_holidays(self._region.country,
                                                       subdiv=self._region.subdivision)
        name = self._holidays.get(day)
        return None if name is None else f"a public holiday in {self._region}: {name}"


# -- the checks --------------------------------------------------------------------------------

class PolicyChecks:
    """The S15 checks of one verification under ``policy``."""

    def __init__(self, policy: CallingPolicy) -> None:
        self.policy = policy
        self.book = CalendarBook(policy)
        self._closed = ClosedDays(policy)

    def choice(self, to: str) -> ZoneChoice:
        """The zones the policy calls ``to`` by."""
        return choose_zones(self.policy, to)

    def destination(self, to: str, attempts: Sequence[Called], offset: int
                    ) -> Iterator[Finding]:
        """The hours, closed-day and no-zone findings of one destination's attempts (times in
        the sentences rendered at ``offset`` minutes, the message's)."""
        policy = self.policy
        if not policy.is_local or not attempts:
            return  # a cap-only policy calls numbers whatever their zone
        choice = self.choice(to)
        if choice.source is ZoneSource.NONE:
            first = attempts[0]
            yield Finding("S15-no-zone", f"the policy knows no time zone for {to} and gives "
                          "no fallbackZone, so it must not be called; the log has "
                          f"{len(attempts)} attempt(s) for it, the first at "
                          f"{format_us(first.time_us, offset)}", first)
            return
        hours_text = describe_hours(policy.periods)
        for attempt in attempts:
            at = format_us(attempt.time_us, offset)
            for zone in choice.zones:
                hours = self.book.zone_hours(zone)
                if not hours.in_hours(attempt.time_us):
                    yield Finding("S15-hours", f"attempt {attempt.number} at {at} is outside the "
                                  f"calling hours in {zone}: it is "
                                  f"{describe_local(attempt.time_us, zone)} there; calls are "
                                  f"allowed {hours_text}", attempt)
                day = local_time(attempt.time_us, zone).date()
                reason = self._closed.reason(day)
                if reason is not None:
                    yield Finding("S15-closed", f"attempt {attempt.number} at {at} is on "
                                  f"{day.isoformat()} in {zone}, {reason}", attempt)

    def cap(self, entries: list[CapEntry], to: str, name: Callable[[tuple[int, int]], str],
            offset_of: Callable[[tuple[int, int]], int]) -> Iterator[tuple[CapEntry, str, int]]:
        """The frequency-cap findings of every logged attempt to one number ``to``: per blamed
        attempt, the attempt, the sentence and the earliest instant the cap allowed it.

        As the S3 check does (:func:`ivrsched.oracle.conformance.overfull`): in time order,
        an attempt that finds ``maxAttempts`` kept attempts in the period ending at it is
        blamed and not kept, so removing the blamed ones leaves a log within the cap.
        """
        cap = self.policy.cap
        if cap is None or len(entries) <= cap.max_attempts:
            return
        entries.sort(key=lambda e: (e.time_us, e.who, e.attempt, e.line))
        period = describe_duration(cap.period_us)
        kept: list[CapEntry] = []
        oldest = 0
        for entry in entries:
            while oldest < len(kept) and kept[oldest].time_us <= entry.time_us - cap.period_us:
                oldest += 1
            if len(kept) - oldest < cap.max_attempts:
                kept.append(entry)
                continue
            window = kept[oldest:]
            offset = offset_of(entry.who)
            others = ", ".join(f"{name(e.who)} attempt {e.attempt} at "
                               f"{format_us(e.time_us, offset)}" for e in window)
            allowed = window[0].time_us + cap.period_us
            yield entry, (
                f"attempt {entry.attempt} at {format_us(entry.time_us, offset)} would be the "
                f"{ordinal(len(window) + 1)} attempt to {to} within {period} (at most "
                f"{cap.max_attempts} per {period}): {others}; not before "
                f"{format_us(allowed, offset)}"), allowed


# -- the expected plan under a policy ------------------------------------------------------------

Logged = Callable[[int, int, int], tuple[bool, int | None]]


def expected_attempts(runs: Sequence[MessageRun], policy: CallingPolicy, book: CalendarBook,
                      failure_delay_us: int, logged: Logged) -> dict[tuple[int, int], list[int]]:
    """The policy engine replayed with the log's outcomes: per (message, index) the attempt
    instants a correct dispatcher makes. ``logged(message, index, number)`` answers whether the
    log has an attempt after attempt ``number`` of the destination, and the log's duration of
    attempt ``number`` (None when it gives no end)."""
    def outcome(message: int, index: int, number: int, start_us: int) -> tuple[bool, int]:
        more, duration = logged(message, index, number)
        ends = start_us + (failure_delay_us if duration is None else max(0, duration))
        return not more, ends

    found: dict[tuple[int, int], list[int]] = {}
    for record in run_policy(runs, policy, outcome, Destinations(policy, book)):
        if isinstance(record, PolicyAttempt):
            found.setdefault((record.message, record.index), []).append(record.start_us)
    return found


__all__ = [
    "POLICY_RULES",
    "Called",
    "CapEntry",
    "ClosedDays",
    "Finding",
    "PolicyChecks",
    "describe_days",
    "describe_hours",
    "describe_local",
    "describe_period",
    "expected_attempts",
    "local_time",
]
