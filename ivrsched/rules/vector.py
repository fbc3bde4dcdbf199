"""The vector kernel: the rules of S2–S6 and S12 on NumPy arrays of pacing slots.

:class:`~ivrsched.rules.timeline.Timeline` answers for one slot at a time; this module answers
for an array of slots at once, with exactly the same integers (a property test compares the
two on random requests, windows and zones). It needs NumPy (the ``fast`` extra) and is imported
only by the callers that use it.

How each calendar is computed, with no Python loop per slot:

- **always open**: ``start + floor(i·U/s)``, the retries a constant later.
- **UTC window** (and fixed offsets): the week repeats, so the k-th allowed day holds open time
  ``[k·L, (k+1)·L)`` counted from a fixed Monday; a target open time maps to its day and its
  position in the day by integer division. ``next_open`` looks the instant's position inside
  its week up among the week's intervals (``searchsorted``).
- **IANA zone**: the zone's open intervals over the span the slots reach are built once
  (vectorised: a day whose offset does not change around it is a shifted copy of the window;
  the few days next to a change of offset ask :class:`~ivrsched.rules.zoned.ZonedDays`), with
  their running open time; an open-time target, or an instant, is then found by
  ``searchsorted``.

S12: an instant outside years 1..9999 raises :class:`~ivrsched.errors.PlanRangeError` exactly
when the scalar path does. The kernel computes in int64 only what provably fits (open time
before the end of year 9999 is below 2^58); anything further — offsets of huge slots, instants
near the ends of the range — goes to the scalar path, element by element, which raises where it
must.

**Interpretation** (IANA zones): offsets are sampled once a week and, where two samples differ,
once a day; a zone whose offset changed and changed back within one week between two samples
would be missed. For every zone of the tz database these samples equal daily ones from 1970
on (checked over 1970–2100; after its last listed change a zone's offsets follow one yearly rule,
whose every kind of year occurs by then; docs/performance.md), so only days from 1970 on are
copied from the samples; every allowed day before 1970 takes the scalar definition (Freetown's
clock held one offset for four days of 1939, which weekly samples can step over).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from itertools import pairwise
from math import gcd
from typing import Protocol
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from ivrsched.errors import PlanRangeError
from ivrsched.rules.instants import MAX_US, MIN_US, US_PER_DAY, check_range
from ivrsched.rules.open_time import AlwaysOpen, Calendar
from ivrsched.rules.pacing import Pace
from ivrsched.rules.timeline import Timeline
from ivrsched.rules.windows import UtcDays, WindowCalendar
from ivrsched.rules.zoned import ZonedDays

Int64Array = NDArray[np.int64]

#: An instant past year 9999: what the kernel's ``next_open`` gives where the scalar path raises.
OUT_OF_RANGE = MAX_US + 1
#: Above this, an int64 sum of two values could overflow; such values are out of range anyway.
_SAFE = 2**61
_WEEK_US = 7 * US_PER_DAY
#: Day numbers of 0001-01-01 and 9999-12-31 (day 0 is 1970-01-01).
_FIRST_DAY = MIN_US // US_PER_DAY
_LAST_DAY = MAX_US // US_PER_DAY
#: Zone tables stop this many days before the ends of the range; the scalar path does the rest.
_EDGE_DAYS = 16
#: The first local day whose offsets the weekly samples are trusted for: ten days into 1970
#: (a day's steadiness reads samples from a week around it). From 1970 on they were checked
#: against daily ones for every zone (through 2100: later years repeat the yearly rules);
#: before, a zone's clock may have changed and changed back between two samples (Freetown
#: held -00:40 for four days of 1939), so every allowed day there takes the scalar definition.
_FIRST_SAMPLED_DAY = 10


class _Kernel(Protocol):
    def reach(self, need: int) -> int:
        """An open time ``cap`` (at most ``need`` when more is not cheap) such that
        :meth:`advance` is exact for every offset below it."""
        ...

    def advance(self, offsets: Int64Array) -> Int64Array:
        """``calendar.advance(start, x)`` for each offset x below :meth:`reach`'s cap."""
        ...

    def next_open(self, times: Int64Array) -> Int64Array:
        """``calendar.next_open(t)`` for each t >= start, :data:`OUT_OF_RANGE` where the scalar
        path raises :class:`PlanRangeError`."""
        ...

    def open_period(self) -> tuple[int, int] | None:
        """``(W, D)`` when advancing by W more open time always lands exactly D later and
        ``next_open(t + D) == next_open(t) + D`` (a repeating calendar), else None."""
        ...


# -- always open --------------------------------------------------------------------------

class _AlwaysOpenKernel:
    def __init__(self, start_us: int) -> None:
        self.start_us = start_us

    def reach(self, need: int) -> int:
        return max(0, MAX_US + 1 - self.start_us)

    def advance(self, offsets: Int64Array) -> Int64Array:
        return offsets + np.int64(self.start_us)

    def next_open(self, times: Int64Array) -> Int64Array:
        return np.where(times > MAX_US, np.int64(OUT_OF_RANGE), times)

    def open_period(self) -> tuple[int, int] | None:
        return 1, 1


# -- UTC windows: the week repeats ---------------------------------------------------------

class _UtcKernel:
    """Closed form over the week (see :class:`~ivrsched.rules.windows.UtcDays`)."""

    #: Day numbers count from 1970-01-01, a Thursday; week 0 starts on Monday, day -3.
    _ORIGIN_US = -3 * US_PER_DAY

    def __init__(self, calendar: WindowCalendar, days: UtcDays, start_us: int) -> None:
        self.calendar = calendar
        self.days = days
        self.start_us = start_us
        self.weekdays = np.array(days.weekdays, dtype=np.int64)
        self.length = days.length_us
        # The open time before the start, from the schedule's fixed origin (S6's totals).
        self.before_start = calendar._open_before(start_us)
        # The week's intervals relative to its Monday, for weeks -1..+2 around an instant's own
        # (a shifted interval may cross into a neighbouring week).
        firsts = [w * US_PER_DAY - days.shift_us + days.start_us for w in days.weekdays]
        starts = [a + k * _WEEK_US for k in (-1, 0, 1, 2) for a in firsts]
        self.week_starts = np.array(starts, dtype=np.int64)
        self.week_ends = self.week_starts + np.int64(self.length)
        self._cap: int | None = None

    def reach(self, need: int) -> int:
        if self._cap is None:
            # Offsets below the open time left before year 9999 ends land inside the range.
            self._cap = self.calendar.open_between(self.start_us, MAX_US + 1)
        return self._cap

    def advance(self, offsets: Int64Array) -> Int64Array:
        # Allowed day k (from the origin) holds open time [k·L, (k+1)·L); a total reached
        # exactly at a day's end is the next allowed day's opening (the window is half-open).
        total = offsets + np.int64(self.before_start)
        k, into = np.divmod(total, np.int64(self.length))
        weeks, j = np.divmod(k, np.int64(len(self.days.weekdays)))
        day = weeks * 7 + (self.weekdays[j] - 3)
        return day * US_PER_DAY + (self.days.start_us - self.days.shift_us) + into

    def open_period(self) -> tuple[int, int] | None:
        return len(self.days.weekdays) * self.length, _WEEK_US

    def next_open(self, times: Int64Array) -> Int64Array:
        safe = np.minimum(times, np.int64(MAX_US + 1))
        _, into = np.divmod(safe - np.int64(self._ORIGIN_US), np.int64(_WEEK_US))
        # The first interval of the (four-week) pattern that ends after the instant.
        i = np.searchsorted(self.week_ends, into, side="right")
        found = safe + np.maximum(self.week_starts[i] - into, 0)
        return np.where((times > MAX_US) | (found > MAX_US), np.int64(OUT_OF_RANGE), found)


# -- IANA zones: a table of open intervals -------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ONE_US = timedelta(microseconds=1)


def _offset_at_day(zone: ZoneInfo, day: int) -> int:
    """The zone's UTC offset (µs) at UTC midnight of day ``day``."""
    offset = (_EPOCH + timedelta(days=day)).astimezone(zone).utcoffset()
    assert offset is not None
    return offset // _ONE_US


def daily_offsets(zone: ZoneInfo, first_day: int, count: int) -> Int64Array:
    """The zone's offset at UTC midnight of days ``first_day .. first_day + count - 1``: sampled
    weekly, and daily between two weekly samples that differ."""
    samples = list(range(first_day, first_day + count, 7))
    if samples[-1] != first_day + count - 1:
        samples.append(first_day + count - 1)
    values = [_offset_at_day(zone, day) for day in samples]
    result = np.empty(count, dtype=np.int64)
    pairs = list(zip(samples, values, strict=True))
    for (a, va), (b, vb) in pairwise(pairs):
        if va == vb:
            result[a - first_day:b - first_day] = va
        else:
            result[a - first_day:b - first_day] = [va] + [_offset_at_day(zone, d)
                                                         for d in range(a + 1, b)]
    result[-1] = values[-1]
    return result


class _ZonedKernel:
    """The zone's open intervals from the start on, built in chunks as far as asked."""

    def __init__(self, calendar: WindowCalendar, days: ZonedDays, start_us: int) -> None:
        self.calendar = calendar
        self.days = days
        self.start_us = start_us
        self.zone = ZoneInfo(days.zone_name)
        self.weekdays = frozenset(days._weekdays)
        self.window = (days._start_us, days._end_us)
        self.starts = np.empty(0, dtype=np.int64)
        self.ends = np.empty(0, dtype=np.int64)
        self.cum_ends = np.empty(0, dtype=np.int64)  # open time from the start to each end
        first = start_us // US_PER_DAY - ZonedDays.slack - 1
        self.next_day = first
        # Near the ends of the range the scalar path answers (it knows S12's edges).
        self.last_day = _LAST_DAY - _EDGE_DAYS
        if first < _FIRST_DAY + _EDGE_DAYS:
            self.last_day = first

    @property
    def exhausted(self) -> bool:
        return self.next_day >= self.last_day

    def _grow(self, days: int) -> None:
        """Add the intervals of the next ``days`` local days (fewer at the range's end)."""
        first = self.next_day
        count = min(max(days, 64), self.last_day - first)
        if count <= 0:
            return
        self.next_day = first + count
        # Offsets at the UTC midnights from 2 days before to 3 days after each day.
        offsets = daily_offsets(self.zone, first - 2, count + 6)
        day = np.arange(first, first + count, dtype=np.int64)
        steady = np.ones(count, dtype=bool)
        own = offsets[2:2 + count]
        for shift in range(6):
            steady &= offsets[shift:shift + count] == own
        steady &= day >= _FIRST_SAMPLED_DAY
        allowed = np.isin((day + 3) % 7, np.array(sorted(self.weekdays), dtype=np.int64))
        s, e = self.window
        starts = day * US_PER_DAY + s - own
        ends = day * US_PER_DAY + e - own
        keep = allowed.copy()
        # Days next to a change of offset: the scalar definition (folds, skipped hours).
        for index in np.flatnonzero(allowed & ~steady).tolist():
            interval = self.days.interval(first + index)
            if interval is None:
                keep[index] = False
            else:
                starts[index], ends[index] = interval
        starts, ends = starts[keep], ends[keep]
        if self.starts.size == 0:
            # The first interval is the one open at or after the start, clipped to it.
            later = ends > self.start_us
            starts, ends = starts[later], ends[later]
            if starts.size:
                starts[0] = max(int(starts[0]), self.start_us)
        base = int(self.cum_ends[-1]) if self.cum_ends.size else 0
        cum_ends = np.cumsum(ends - starts) + np.int64(base)
        self.starts = np.concatenate([self.starts, starts])
        self.ends = np.concatenate([self.ends, ends])
        self.cum_ends = np.concatenate([self.cum_ends, cum_ends])

    def _days_for_open(self, open_us: int) -> int:
        per_week = len(self.weekdays) * (self.window[1] - self.window[0])
        return open_us // per_week * 7 + 14

    def reach(self, need: int) -> int:
        while (not self.cum_ends.size or int(self.cum_ends[-1]) < need) and not self.exhausted:
            have = int(self.cum_ends[-1]) if self.cum_ends.size else 0
            self._grow(self._days_for_open(need - have) + (self.next_day - self.start_us
                                                           // US_PER_DAY) // 4)
        return int(self.cum_ends[-1]) if self.cum_ends.size else 0

    def open_period(self) -> tuple[int, int] | None:
        return None  # DST: the zone's weeks differ

    def advance(self, offsets: Int64Array) -> Int64Array:
        # Interval i holds the open time [cum_ends[i-1], cum_ends[i]) from the start; a total
        # reached exactly at an end is the next interval's opening.
        shift = self.starts - (self.cum_ends - (self.ends - self.starts))
        return offsets + _pick(self.cum_ends, shift, offsets)

    def next_open(self, times: Int64Array) -> Int64Array:
        if not times.size:
            return times.copy()
        latest = int(times.max())
        while (not self.ends.size or int(self.ends[-1]) <= latest) and not self.exhausted:
            self._grow((min(latest, MAX_US) - (self.next_day * US_PER_DAY)) // US_PER_DAY + 64)
        covered = int(self.ends[-1]) if self.ends.size else self.start_us
        if int(times.max()) < covered:
            return np.maximum(times, _pick(self.ends, self.starts, times))
        inside = times < covered
        result = np.empty_like(times)
        result[inside] = np.maximum(times[inside], _pick(self.ends, self.starts, times[inside]))
        rest = np.flatnonzero(~inside)
        if rest.size:
            result[rest] = [_scalar_next_open(self.calendar, t) for t in times[rest].tolist()]
        return result


def _pick(edges: Int64Array, values: Int64Array, keys: Int64Array) -> Int64Array:
    """``values[i]`` for each key, i the number of ``edges`` (ascending) at or below the key
    (every key is below the last edge). Ascending keys (the usual case: slots in order) take a
    search per edge and one ``repeat`` instead of a search per key."""
    if keys.size > 4 * edges.size and bool(np.all(keys[1:] >= keys[:-1])):
        counts = np.diff(np.searchsorted(keys, edges, side="left"), prepend=0)
        return np.repeat(values, counts)
    return values[np.searchsorted(edges, keys, side="right")]


def _scalar_next_open(calendar: Calendar, at_us: int) -> int:
    if at_us > MAX_US:
        return OUT_OF_RANGE
    try:
        return calendar.next_open(at_us)
    except PlanRangeError:
        return OUT_OF_RANGE


class _ScalarKernel:
    """Any other calendar: its own three answers, one instant at a time."""

    def __init__(self, calendar: Calendar, start_us: int) -> None:
        self.calendar = calendar
        self.start_us = start_us

    def reach(self, need: int) -> int:
        return 0  # advance is never asked: every offset goes to the scalar path

    def open_period(self) -> tuple[int, int] | None:
        return None

    def advance(self, offsets: Int64Array) -> Int64Array:
        return np.array([self.calendar.advance(self.start_us, x) for x in offsets.tolist()],
                        dtype=np.int64)

    def next_open(self, times: Int64Array) -> Int64Array:
        return np.array([_scalar_next_open(self.calendar, t) for t in times.tolist()],
                        dtype=np.int64)


def kernel_for(calendar: Calendar, start_us: int) -> _Kernel:
    """The kernel of ``calendar`` for offsets counted from ``start_us``."""
    if isinstance(calendar, AlwaysOpen):
        return _AlwaysOpenKernel(start_us)
    if isinstance(calendar, WindowCalendar):
        if isinstance(calendar.days, UtcDays):
            return _UtcKernel(calendar, calendar.days, start_us)
        if isinstance(calendar.days, ZonedDays):
            return _ZonedKernel(calendar, calendar.days, start_us)
    return _ScalarKernel(calendar, start_us)


# -- pacing offsets ---------------------------------------------------------------------------

def pace_offsets(pace: Pace, slots: Int64Array) -> Int64Array:
    """``floor(i·U/s)`` for each slot i, exact in int64 when ``s·U < 2^63`` and every offset
    is below 2^62: ``(i // s)·U + floor((i % s)·U/s)`` keeps each product within those."""
    speed, unit = pace.speed, pace.unit_us
    if unit % speed == 0:
        return slots * np.int64(unit // speed)
    quotient, remainder = np.divmod(slots, np.int64(speed))
    return quotient * np.int64(unit) + remainder * np.int64(unit) // np.int64(speed)


def _tiling(kernel: _Kernel, pace: Pace, count: int) -> tuple[int, int] | None:
    """``(P, D)`` when slot i + P's attempts are exactly slot i's plus D (a repeating calendar
    and pace), with P small enough against ``count`` to be worth computing P slots only."""
    period = kernel.open_period()
    if period is None:
        return None
    week_open, week = period
    speed, unit = pace.speed, pace.unit_us
    # P slots later is P·U/s more open time: a whole number of periods when s·W divides P·U.
    slots = speed * week_open // gcd(unit, speed * week_open)
    if 2 * slots > count:
        return None
    return slots, slots * unit // (speed * week_open) * week


def _tiled(base: Int64Array, count: int, shift: int) -> Int64Array:
    """``base`` repeated to ``count`` values, each repetition ``shift`` later than the last."""
    if base.size == 1:  # an arithmetic progression: NumPy's own loop, one pass
        return np.arange(int(base[0]), int(base[0]) + count * shift, shift, dtype=np.int64)
    rows = -(-count // base.size)
    out = np.empty((rows, base.size), dtype=np.int64)
    np.add(base[None, :], (np.arange(rows, dtype=np.int64) * np.int64(shift))[:, None], out=out)
    return out.reshape(-1)[:count]


def _advance_slots(kernel: _Kernel, pace: Pace, first: int, count: int) -> Int64Array:
    """The kernel's first attempts of slots ``first .. first + count - 1`` (all below the
    kernel's cap): the first period's, repeated, when the calendar repeats."""
    tiling = _tiling(kernel, pace, count)
    if tiling is not None:
        slots, shift = tiling
        base = kernel.advance(pace_offsets(pace, np.arange(first, first + slots, dtype=np.int64)))
        return _tiled(base, count, shift)
    return kernel.advance(pace_offsets(pace, np.arange(first, first + count, dtype=np.int64)))


# -- the public answers -----------------------------------------------------------------------

def _as_slots(slots: Iterable[int] | Int64Array) -> Int64Array:
    if isinstance(slots, range):
        return np.arange(slots.start, slots.stop, slots.step, dtype=np.int64)
    array = np.asarray(slots, dtype=np.int64)
    if array.ndim != 1:
        raise ValueError("slots must be one-dimensional")
    if array.size and int(array.min()) < 0:
        raise ValueError("slots are never negative")
    return array


def first_attempts(timeline: Timeline, slots: Iterable[int] | Int64Array) -> Int64Array:
    """``timeline.first_attempt_us(slot)`` for each slot, as int64; raises
    :class:`PlanRangeError` exactly when the scalar path raises for one of them or gives an
    instant outside years 1..9999."""
    array = _as_slots(slots)
    pace = timeline.pace
    if not array.size:
        return np.empty(0, dtype=np.int64)
    if pace is None:
        return np.full(array.shape, timeline.calendar.next_open(timeline.start_us),
                       dtype=np.int64)
    kernel = kernel_for(timeline.calendar, timeline.start_us)
    cap = 0
    if pace.speed * pace.unit_us < 2**63:
        need = pace.offset(int(array.max())) + 1
        cap = min(kernel.reach(min(need, _SAFE)), _SAFE)
    # Slots below ``fine`` have offsets below the cap: the kernel's; the others: the scalar's.
    fine = pace.count_before(cap)
    if isinstance(slots, range) and slots.step == 1 and slots.stop <= fine:
        return _advance_slots(kernel, pace, slots.start, len(slots))
    if int(array.max()) < fine:
        return kernel.advance(pace_offsets(pace, array))
    result = np.empty_like(array)
    inside = array < fine
    result[inside] = kernel.advance(pace_offsets(pace, array[inside]))
    rest = np.flatnonzero(~inside)
    # S12: past year 9999 is an error here even where the scalar answer is a bare integer
    # (always open: the planner checks the range once, for the last slot).
    result[rest] = [check_range(timeline.first_attempt_us(slot), f"first attempt of slot {slot}")
                    for slot in array[rest].tolist()]
    return result


def next_open(calendar: Calendar, times: Iterable[int] | Int64Array) -> Int64Array:
    """``calendar.next_open(t)`` for each t, as int64, with :data:`OUT_OF_RANGE` where the
    scalar path raises :class:`PlanRangeError` (an instant past year 9999)."""
    array = np.asarray(times, dtype=np.int64)
    if not array.size:
        return array.copy()
    if int(array.min()) < MIN_US:
        raise PlanRangeError("an instant falls before year 1")
    return kernel_for(calendar, int(array.min())).next_open(array)


def attempt_columns(timeline: Timeline, slots: range,
                    kernel: _Kernel | None = None) -> tuple[Int64Array, ...]:
    """The attempts of ``slots`` (a range of consecutive slots) as columns: column 0 the first
    attempts, column k the k-th retry, each cut at the deadline (S4, S5) — the values and
    lengths of :func:`ivrsched.planning.columns.attempt_columns`. Without a deadline, an attempt
    outside years 1..9999 raises :class:`PlanRangeError`, as ``timeline.attempts_us`` does."""
    if slots.step != 1:
        raise ValueError("columns need consecutive slots")
    kernel = kernel or kernel_for(timeline.calendar, timeline.start_us)
    if isinstance(kernel, _ScalarKernel):
        return _columns_slot_by_slot(timeline, slots)
    deadline = timeline.cut_us  # the deadline (S4) or the cancel (S13), whichever is first
    if deadline is not None:
        # The slots with a first attempt before the deadline are a prefix, counted in O(1)
        # (S3's inverse), and all of them are in range.
        below = timeline.first_attempts_before(deadline, slots.stop)
        slots = range(slots.start, max(slots.start, below))
    first = first_attempts(timeline, slots)
    columns = [first]
    tiling = None if timeline.pace is None else _tiling(kernel, timeline.pace, first.size)
    previous = first
    for number, gap in enumerate(timeline.gaps_us, start=1):
        wait = timeline.failure_delay_us + gap
        if not previous.size:
            columns.append(previous)
            continue
        if wait >= _SAFE:
            found = np.full(previous.shape, OUT_OF_RANGE, dtype=np.int64)
        elif tiling is not None and previous.size >= 2 * tiling[0]:
            # The first column repeats (see _advance_slots) and so does the calendar, so each
            # retry column does too; a period reaching past year 9999 is computed in full.
            found = kernel.next_open(previous[:tiling[0]] + np.int64(wait))
            if int(found.max()) <= MAX_US:
                found = _tiled(found, previous.size, tiling[1])
            else:
                found = kernel.next_open(previous + np.int64(wait))
        else:
            found = kernel.next_open(previous + np.int64(wait))
        allowed = found <= MAX_US
        if deadline is not None:
            allowed &= found < deadline
        elif not bool(allowed.all()):
            # The scalar path raises here: let it, with its own words.
            bad = int(np.argmin(allowed))
            timeline.retry_after_us(int(previous[bad]), number)
            raise PlanRangeError("a retry falls outside years 1..9999")
        # A retry not allowed drops the later ones of its slot; the allowed are a prefix.
        length = found.size if bool(allowed.all()) else int(np.argmin(allowed))
        previous = found[:length]
        columns.append(previous)
    return tuple(columns)


class ColumnTable:
    """All attempt columns of a time line's first ``slots`` slots, for answering many
    questions about them (a forecast's buckets): how many k-th attempts are before an instant
    (``searchsorted``), the k-th attempt of a slot, and the exact sum of the k-th attempts of a
    range of slots (running sums of the high and low 32 bits, each within int64 for fewer than
    2^31 slots, made on first use)."""

    def __init__(self, columns: tuple[Int64Array, ...]) -> None:
        self.columns = columns
        self._sums: dict[int, tuple[Int64Array, Int64Array]] = {}

    @classmethod
    def build(cls, timeline: Timeline, slots: int) -> ColumnTable:
        return cls(attempt_columns(timeline, range(slots)))

    def before(self, number: int, at_us: int) -> int:
        """How many slots have attempt ``number`` strictly before ``at_us``."""
        return int(np.searchsorted(self.columns[number], at_us, side="left"))

    def at(self, number: int, slot: int) -> int:
        return int(self.columns[number][slot])

    def instant_sum(self, number: int, lo: int, hi: int) -> int:
        """Sum of attempt ``number`` over slots ``lo <= s < hi`` (all having it), exactly."""
        if number not in self._sums:
            column, zero = self.columns[number], np.zeros(1, dtype=np.int64)
            self._sums[number] = (np.concatenate([zero, np.cumsum(column >> 32)]),
                                  np.concatenate([zero, np.cumsum(column & 0xFFFF_FFFF)]))
        high, low = self._sums[number]
        return (int(high[hi]) - int(high[lo])) * 2**32 + int(low[hi]) - int(low[lo])


#: Tables above this many slots would hold too much memory; their users ask slot by slot.
TABLE_SLOTS = 20_000_000


@lru_cache(maxsize=4)
def column_table(timeline: Timeline, slots: int) -> ColumnTable | None:
    """The :class:`ColumnTable` of ``timeline``'s first ``slots`` slots (kept for the last few
    time lines asked about), or None above :data:`TABLE_SLOTS` slots."""
    if slots > TABLE_SLOTS or slots >= 2**31:
        return None
    return ColumnTable.build(timeline, slots)


def _columns_slot_by_slot(timeline: Timeline, slots: range) -> tuple[Int64Array, ...]:
    """A calendar the kernel does not know: its own answers, slot by slot."""
    columns: list[list[int]] = [[] for _ in range(1 + len(timeline.gaps_us))]
    for slot in slots:
        attempts = timeline.attempts_us(slot)
        if not attempts:
            break  # no first attempt: no later slot has one either
        for column, at in zip(columns, attempts, strict=False):
            column.append(check_range(at, f"attempt of slot {slot}"))
    return tuple(np.array(column, dtype=np.int64) for column in columns)


__all__ = [
    "OUT_OF_RANGE",
    "TABLE_SLOTS",
    "ColumnTable",
    "Int64Array",
    "attempt_columns",
    "column_table",
    "daily_offsets",
    "first_attempts",
    "kernel_for",
    "next_open",
    "pace_offsets",
]
