"""Campaign forecast: the load per time bucket, expected retries and the key instants.

Everything here is exact: instants are integer µs (S1), probabilities and expectations are
:class:`~fractions.Fraction`. Nothing enumerates destinations on a calendar that is always open.

The model (see docs/forecast.md):

* **First attempts** in a bucket ``[a, b)`` are counted with the O(1) inverse of pacing (S3):
  ``first_attempts_before(b) - first_attempts_before(a)``; the deadline (S4) already removes the
  first attempts that do not happen.
* **Retry k** of a slot happens, in the plan, at a known instant if the deadline allows it (S5).
  It is *made* only when the first ``k`` attempts all went unanswered, so with an answer
  probability ``p`` (independent attempts) its expected count is ``(1 - p)^k``.
  The time line counts them (:meth:`~ivrsched.rules.timeline.Timeline.attempts_before`):
  without a delivery window the k-th retry is the first attempt shifted by the fixed offset
  ``D_k = sum_{j<=k} (failure delay + g_j)``, so the k-th retries in ``[a, b)`` are the first
  attempts in ``[a - D_k, b - D_k)`` cut at ``deadline - D_k``: O(1) per bucket and k.
  With a delivery window (S6) the offset is not fixed; the time line then binary-searches the
  slots (attempt instants never decrease with the slot), O(log n) schedules per bucket and k.
* **Calls in progress**: every attempt, answered or not, is assumed to occupy a line for the mean
  call duration ``d``: ``[t, t + d)``. The value of a bucket is the expected line occupancy inside
  it divided by its length: the time-averaged expected number of calls in progress. It needs the
  sum of attempt instants in a range of slots, which pacing gives in O(log) with a floor sum;
  with a delivery window it enumerates the slots whose attempts fall in the bucket.

Only the number of accepted destinations of a message matters, never the destinations
themselves: a streamed message (``ivrsched.plan(request, destinations=file)``) is counted in one
pass, in constant memory. ``forecast(..., counts=...)`` still takes those numbers directly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, overload

from ivrsched.errors import IvrschedError, PlanRangeError
from ivrsched.planning.planner import MessagePlan, Plan
from ivrsched.rules.instants import (
    US_PER_MINUTE,
    check_range,
    format_offset,
    from_us,
    timedelta_us,
    to_us,
)
from ivrsched.rules.pacing import floor_sum  # noqa: F401 - re-exported (docs/forecast.md)
from ivrsched.rules.quantities import RateValue, exact_rate
from ivrsched.rules.rendering import Rendering

if TYPE_CHECKING:
    from ivrsched.policy.document import CallingPolicy
    from ivrsched.rules.vector import ColumnTable

#: What ``answer_rate`` accepts, read by :func:`~ivrsched.rules.quantities.exact_rate`: a float
#: through its shortest decimal text (0.3 is 3/10), not as the binary double it is.
AnswerRate = RateValue

#: Decimal places of the rendered expected values (rounded half-even from the exact fraction).
DECIMAL_PLACES = 3


def answer_rate_fraction(value: AnswerRate | None) -> Fraction:
    """``value`` as an exact probability in [0, 1]; None means 0 (no attempt is answered).

    Raises :class:`IvrschedError` for anything that is not a number in [0, 1].
    """
    if value is None:
        return Fraction(0)
    try:
        return exact_rate(value)
    except ValueError as exc:
        raise IvrschedError(f"answer rate {exc}") from None


def round_fraction(value: Fraction, places: int = DECIMAL_PLACES) -> Decimal:
    """``value`` rounded half-even to ``places`` decimal places, computed exactly."""
    scale = 10**places
    scaled = value * scale
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    twice = 2 * rest
    if twice > scaled.denominator or (twice == scaled.denominator and whole % 2 == 1):
        whole += 1
    return Decimal(whole).scaleb(-places)


@dataclass(frozen=True)
class AttemptSeries:
    """The ``number``-th attempts (0 the first attempt, k >= 1 retry k) of one message's slots,
    counted by instant. Attempt instants never decrease with the slot, which every method uses.
    ``accepted`` is the number of slots when not the message's own accepted count."""

    message_plan: MessagePlan
    number: int
    accepted: int | None = None

    @property
    def slots(self) -> int:
        """How many slots the series counts."""
        return self._slots

    @property
    def _slots(self) -> int:
        if self.accepted is not None:
            return self.accepted
        return self.message_plan.accepted_count

    def before(self, at_us: int) -> int:
        """How many slots have this attempt, strictly before ``at_us`` (a prefix of the slots)."""
        timeline = self.message_plan.timeline
        if self.number > 0 and timeline.fixed_offsets_us is None:
            # Attempts a calendar moves: the vector kernel's columns, when at hand.
            table = self._table()
            if table is not None:
                return table.before(self.number, at_us)
        return timeline.attempts_before(at_us, self._slots, self.number)

    def _table(self) -> ColumnTable | None:
        """Under a delivery window: the vector kernel's columns of every slot, when NumPy is
        installed and they fit in memory (else None: the slot-by-slot path)."""
        try:
            from ivrsched.rules.vector import column_table
        except ImportError:  # pragma: no cover - depends on the environment
            return None
        return column_table(self.message_plan.timeline, self._slots)

    def total(self) -> int:
        """How many slots have this attempt at all."""
        return self.message_plan.timeline.attempt_count(self._slots, self.number)

    def at(self, slot: int) -> int:
        """The instant of this attempt of ``slot`` (which must have it)."""
        timeline = self.message_plan.timeline
        if timeline.fixed_offsets_us is None:
            table = self._table()
            if table is not None:
                return table.at(self.number, slot)
        return timeline.attempt_us(slot, self.number)

    def instant_sum(self, lo_slot: int, hi_slot: int) -> int:
        """Sum of this attempt's instants over slots ``lo_slot <= s < hi_slot`` (all having it)."""
        timeline = self.message_plan.timeline
        if timeline.fixed_offsets_us is None and hi_slot > lo_slot:
            table = self._table()
            if table is not None:
                return table.instant_sum(self.number, lo_slot, hi_slot)
        return timeline.attempt_sum_us(lo_slot, hi_slot, self.number)

    def occupancy(self, start_us: int, end_us: int, duration_us: int) -> int:
        """Total µs, inside ``[start_us, end_us)``, of calls ``[t, t + duration_us)`` started at
        this attempt's instants t.

        With F(y) the attempts before y, the µs x is covered by the attempts in
        ``(x - d, x]``, i.e. F(x + 1) - F(x - d + 1); summing over x gives two sums of F.
        """
        if duration_us <= 0 or end_us <= start_us:
            return 0
        return (self._sum_before(start_us + 1, end_us + 1)
                - self._sum_before(start_us - duration_us + 1, end_us - duration_us + 1))

    def _sum_before(self, lo: int, hi: int) -> int:
        """``sum(before(x) for x in range(lo, hi))``: each attempt at t < hi adds the number of
        x in [lo, hi) above t."""
        below_lo, below_hi = self.before(lo), self.before(hi)
        inside = below_hi - below_lo
        return (below_lo * (hi - lo) + inside * (hi - 1)
                - self.instant_sum(below_lo, below_hi))


@dataclass(frozen=True)
class ForecastRow:
    """One bucket ``[start_us, end_us)``: exact planned counts and expectations.

    ``retries[k - 1]`` is the number of planned k-th retries (those the deadline allows) in the
    bucket; ``expected_retries`` weighs each by ``(1 - answer_rate)^k``.
    ``expected_in_progress`` is None when no call duration was given.
    """

    start_us: int
    end_us: int
    first_attempts: int
    retries: tuple[int, ...]
    expected_retries: Fraction
    expected_in_progress: Fraction | None

    @property
    def planned_retries(self) -> int:
        """Every planned retry in the bucket (the expectation when nothing is answered)."""
        return sum(self.retries)

    @property
    def expected_total(self) -> Fraction:
        """Expected attempts in the bucket: first attempts always happen."""
        return self.first_attempts + self.expected_retries


@dataclass(frozen=True)
class _Model:
    """What a bucket needs: every attempt series of every message, and the weights."""

    series: tuple[tuple[AttemptSeries, ...], ...]  # per message: number 0, 1, …, K
    weights: tuple[Fraction, ...]  # (1 - p)^k for k = 0..max K
    duration_us: int | None

    def row(self, start_us: int, end_us: int) -> ForecastRow:
        width = max((len(s) for s in self.series), default=1) - 1
        firsts = 0
        retries = [0] * width
        occupancy = Fraction(0)
        for message_series in self.series:
            for series in message_series:
                count = series.before(end_us) - series.before(start_us)
                if series.number == 0:
                    firsts += count
                else:
                    retries[series.number - 1] += count
                if self.duration_us is not None:
                    occupancy += self.weights[series.number] * series.occupancy(
                        start_us, end_us, self.duration_us)
        expected = sum((self.weights[k + 1] * c for k, c in enumerate(retries)), Fraction(0))
        in_progress = (None if self.duration_us is None
                       else occupancy / (end_us - start_us))
        return ForecastRow(start_us, end_us, firsts, tuple(retries), expected, in_progress)


@dataclass(frozen=True)
class ForecastRows(Sequence[ForecastRow]):
    """The buckets of a forecast, computed on demand (O(1) each on always-open calendars)."""

    model: _Model
    first_start_us: int
    bucket_us: int
    length: int

    def __len__(self) -> int:
        return self.length

    @overload
    def __getitem__(self, key: int) -> ForecastRow: ...

    @overload
    def __getitem__(self, key: slice) -> tuple[ForecastRow, ...]: ...

    def __getitem__(self, key: int | slice) -> ForecastRow | tuple[ForecastRow, ...]:
        if isinstance(key, slice):
            return tuple(self[i] for i in range(self.length)[key])
        index = range(self.length)[key]
        start = self.first_start_us + index * self.bucket_us
        return self.model.row(start, start + self.bucket_us)

    def __iter__(self) -> Iterator[ForecastRow]:
        """The rows in order: a block of buckets at a time from the vector kernel's columns
        where a series has them (:mod:`ivrsched.forecasting.row_blocks`, the same values),
        else bucket by bucket."""
        from ivrsched.forecasting.row_blocks import blocks

        in_blocks = blocks(self)
        if in_blocks is not None:
            yield from in_blocks
            return
        for index in range(self.length):
            yield self[index]

    def count_columns(self) -> tuple[Any, ...]:
        """The planned counts of every bucket at once, as NumPy ``int64`` arrays: the first
        attempts (``[row.first_attempts for row in self]``), then each retry number's
        (``[row.retries[k] for row in self]``). One search of the bucket edges per attempt
        series in the vector kernel's columns (needs NumPy, the ``fast`` extra); a series too
        large for columns is asked edge by edge."""
        import numpy as np

        from ivrsched.rules.vector import column_table

        width = max((len(s) for s in self.model.series), default=1)
        edges = (self.first_start_us
                 + np.arange(self.length + 1, dtype=np.int64) * self.bucket_us)
        totals = [np.zeros(self.length, dtype=np.int64) for _ in range(width)]
        from ivrsched.forecasting.policy_load import SortedSeries

        for message_series in self.model.series:
            for series in message_series:
                if isinstance(series, SortedSeries):
                    below = np.searchsorted(np.asarray(series.times, dtype=np.int64), edges,
                                            side="left")
                    totals[series.number] += np.diff(below)
                    continue
                table = column_table(series.message_plan.timeline, series.slots)
                if table is None:
                    below = np.array([series.before(edge) for edge in edges.tolist()],
                                     dtype=np.int64)
                else:
                    below = np.searchsorted(table.columns[series.number], edges, side="left")
                totals[series.number] += np.diff(below)
        return tuple(totals)


@dataclass(frozen=True)
class Forecast:
    """A campaign's forecast: key instants, totals and the per-bucket rows (lazy).

    Instants are integer µs; ``offset_minutes`` is the offset they are rendered and buckets are
    aligned in (the first message's, S1). ``deadlines_us`` has one entry per message.
    """

    bucket_us: int
    offset_minutes: int
    answer_rate: Fraction
    call_duration_us: int | None
    first_call_us: int | None
    last_first_attempt_us: int | None
    last_attempt_us: int | None
    deadlines_us: tuple[int | None, ...]
    destinations: int
    first_attempts: int
    retries: tuple[int, ...]
    expected_retries: Fraction
    rows: ForecastRows
    plan: Plan = field(repr=False, compare=False)
    #: The ``(destinations, accepted)`` counts the forecast was given in place of the
    #: messages' own destination lists (streamed destinations), or None.
    counts: tuple[tuple[int, int], ...] | None = field(default=None, repr=False)
    #: ``--tz``: instants rendered in this zone's offset at each (buckets aligned in its offset
    #: at the first call); None: everything in ``offset_minutes``.
    tz: Rendering | None = None
    #: The calling policy (S15) the attempts obey, or None.
    policy: CallingPolicy | None = field(default=None, repr=False, compare=False)

    def offset_at(self, us: int) -> int:
        """The UTC offset in minutes the instant ``us`` is rendered in."""
        return self.offset_minutes if self.tz is None else self.tz.offset_at(us)

    @property
    def offset_label(self) -> str:
        """How headers name the rendering: ``UTC+01:00`` or ``Europe/Berlin``."""
        return f"UTC{format_offset(self.offset_minutes)}" if self.tz is None else self.tz.label

    @property
    def expected_total(self) -> Fraction:
        """Expected attempts of the whole campaign."""
        return self.first_attempts + self.expected_retries

    @property
    def first_call(self) -> datetime | None:
        """The first call of the campaign as an aware datetime, or None."""
        return self._datetime(self.first_call_us)

    @property
    def last_first_attempt(self) -> datetime | None:
        """The last first attempt as an aware datetime, or None."""
        return self._datetime(self.last_first_attempt_us)

    @property
    def last_attempt(self) -> datetime | None:
        """The last possible attempt as an aware datetime, or None."""
        return self._datetime(self.last_attempt_us)

    def _datetime(self, us: int | None) -> datetime | None:
        return None if us is None else from_us(us, self.offset_at(us))


def bucket_start(at_us: int, bucket_us: int, offset_minutes: int) -> int:
    """The start of the bucket holding ``at_us``: buckets are aligned to the epoch as read in
    the rendering offset (whole local hours for 1 h, local midnights for 1 d)."""
    local = at_us + offset_minutes * US_PER_MINUTE
    return at_us - local % bucket_us


def check_last_slot(message_plan: MessagePlan, slots: int) -> None:
    """S12 for a message of ``slots`` accepted destinations that its plan did not know of:
    raise :class:`~ivrsched.errors.PlanRangeError` when the last slot's attempts (the latest
    of all) leave years 1..9999, as :func:`ivrsched.plan` does for a list."""
    where = f"last attempt of message {message_plan.message_index}"
    try:
        for at in message_plan.timeline.attempts_us(slots - 1):
            check_range(at, where, message_plan.offset_minutes)
    except OverflowError as exc:
        if isinstance(exc, PlanRangeError):
            raise
        raise PlanRangeError(f"the {where} falls outside years 1..9999") from exc


def forecast(plan: Plan, *, bucket: timedelta = timedelta(hours=1),
             answer_rate: AnswerRate | None = None, call_duration: timedelta | None = None,
             until: datetime | int | None = None,
             counts: Sequence[tuple[int, int]] | None = None,
             tz: Rendering | None = None, policy: CallingPolicy | None = None) -> Forecast:
    """Forecast the load of ``plan`` per ``bucket``.

    ``answer_rate``: probability that an attempt is answered (a Fraction, Decimal, int or
    decimal text such as ``"0.3"``; a float is read through ``str()``); None means 0, so that the
    expected retries are every planned retry (the worst case). ``call_duration``: mean duration
    of every attempt, for the expected calls in progress (None: not computed). ``until`` (aware
    datetime or µs) drops the buckets that start at or after it, so that a long campaign can be
    forecast over a short range. Rows run from the first call's bucket to the bucket of the last
    possible attempt (or of the last µs of its call, with a call duration).

    ``counts``, one ``(destinations, accepted)`` pair per message, replaces the counts of the
    messages' own destination lists: the forecast of destinations that are streamed rather
    than listed (their count is all it needs). The plan could not check S12's range for slots
    it did not know, so the last accepted slot's attempts are checked here.

    ``tz`` renders every instant in a zone (each in the zone's offset at it) or a fixed offset;
    buckets are then aligned in the offset ``tz`` has at the first call.

    ``policy`` (S15, the ``policy`` extra): count the attempts the policy engine places, every
    attempt failing the plan's ``failure_delay`` after it starts (the plan's assumption), per
    bucket, instead of the closed form per slot; the answer rate weighs retries as without a
    policy. The attempts are computed once (one integer each in memory). When None, the plan's
    own policy (``plan(..., policy=...)``) applies.
    """
    if policy is None:
        policy = plan.policy
    bucket_us = timedelta_us(bucket)
    if bucket_us <= 0:
        raise IvrschedError("the bucket must be a positive duration")
    rate = answer_rate_fraction(answer_rate)
    duration_us = None if call_duration is None else timedelta_us(call_duration)
    if duration_us is not None and duration_us < 0:
        raise IvrschedError("the call duration must not be negative")
    until_us = until if until is None or isinstance(until, int) else to_us(until)
    if counts is not None and len(counts) != len(plan.messages):
        raise IvrschedError(f"counts has {len(counts)} entries for {len(plan.messages)} "
                            "messages")
    accepted = [None if counts is None else counts[i][1] for i in range(len(plan.messages))]
    for message_plan, slots in zip(plan.messages, accepted, strict=True):
        if slots:
            check_last_slot(message_plan, slots)

    # A message's own count when none was given (a streamed message is counted once here).
    slots_of = [m.accepted_count if a is None else a for m, a in zip(plan.messages, accepted,
                                                                       strict=True)]
    series = tuple(tuple(AttemptSeries(m, k, slots_of[m.message_index])
                         for k in range(len(m.timeline.gaps_us) + 1))
                   for m in plan.messages)
    if policy is not None:
        from ivrsched.forecasting.policy_load import SortedSeries, policy_columns

        columns = policy_columns(plan, policy, plan.failure_delay_us)
        series = tuple(tuple(SortedSeries.of(one, columns[m][one.number]) for one in message)
                       for m, message in enumerate(series))
    depth = max((len(s) for s in series), default=1)
    weights = tuple((1 - rate) ** k for k in range(depth))
    totals = [0] * depth
    firsts: list[int] = []
    lasts_first: list[int] = []
    lasts: list[int] = []
    for message_series in series:
        for one in message_series:
            total = one.total()
            totals[one.number] += total
            if total == 0:
                continue
            last = one.at(total - 1)
            lasts.append(last)
            if one.number == 0:
                firsts.append(one.at(0))
                lasts_first.append(last)

    offset = plan.messages[0].offset_minutes if plan.messages else 0
    first_call = min(firsts, default=None)
    last_attempt = max(lasts, default=None)
    if tz is not None:
        offset = tz.offset_at(plan.now_us if first_call is None else first_call)
    count = 0
    first_start = 0
    if first_call is not None and last_attempt is not None:
        first_start = bucket_start(first_call, bucket_us, offset)
        last_busy = last_attempt + max(0, (duration_us or 0) - 1)
        count = (bucket_start(last_busy, bucket_us, offset) - first_start) // bucket_us + 1
        if until_us is not None:
            count = max(0, min(count, -(-(until_us - first_start) // bucket_us)))
    model = _Model(series, weights, duration_us)
    return Forecast(
        bucket_us=bucket_us,
        offset_minutes=offset,
        answer_rate=rate,
        call_duration_us=duration_us,
        first_call_us=first_call,
        last_first_attempt_us=max(lasts_first, default=None),
        last_attempt_us=last_attempt,
        deadlines_us=tuple(m.deadline_us for m in plan.messages),
        destinations=(sum(len(m) for m in plan.messages) if counts is None
                      else sum(total for total, _ in counts)),
        first_attempts=totals[0],
        retries=tuple(totals[1:]),
        expected_retries=sum((weights[k] * totals[k] for k in range(1, depth)), Fraction(0)),
        rows=ForecastRows(model, first_start, bucket_us, count),
        plan=plan,
        counts=None if counts is None else tuple(counts),
        tz=tz,
        policy=policy,
    )
