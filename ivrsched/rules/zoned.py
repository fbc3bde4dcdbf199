"""Delivery time windows in an IANA time zone (the S6 extension), DST-correct via zoneinfo.

A window in a zone is defined by local wall-clock times. For local date D the open interval is

    [first instant at which the local clock reads D+from or later,
     last instant at which the local clock reads earlier than D+to)

which is the usual ``[from, to)`` whenever the clock runs normally. At DST changes
(documented in docs/windows.md, each an interpretation):

- a ``from``/``to`` inside a skipped hour (spring forward) becomes the first instant after the
  jump (the transition instant);
- a ``from`` inside a doubled hour (fall back) is its first occurrence, a ``to`` inside it is its
  last occurrence: the day's window is one contiguous stretch of real time that contains every
  instant whose wall time is inside ``[from, to)``.

Cost: open-time totals are cached per local week (Monday to Sunday) from the first week asked
about, so a call costs a binary search plus a walk over at most a few days; building the totals
is a one-off walk over the weeks spanned, proportional to the time the campaign spans and never
to its number of destinations.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from ivrsched.errors import PlanRangeError
from ivrsched.rules.instants import MAX_US, MIN_US, US_PER_DAY

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_EPOCH_ORDINAL = _EPOCH.toordinal()
_ONE_US = timedelta(microseconds=1)
#: Day numbers of 0001-01-01 and 9999-12-31.
_FIRST_DAY = date(1, 1, 1).toordinal() - _EPOCH_ORDINAL
_LAST_DAY = date(9999, 12, 31).toordinal() - _EPOCH_ORDINAL
#: Bound on the raw-interval cache, so that a very long walk does not hold every day.
_CACHE_LIMIT = 65_536


class ZonedDays:
    """The :class:`ivrsched.rules.windows.DaySchedule` of a window in an IANA zone.

    ``weekdays``: allowed weekdays ascending (Monday = 0); ``start_us``/``end_us``: the window
    as µs after local midnight (``end_us`` may be one day: whole days). Results never depend on
    the order of calls; only the caches do.
    """

    #: A local date differs from the UTC date by at most one day (offsets are below 24 h), and
    #: no zone's clock ever went back by two days: three days of slack cover both.
    slack = 3

    __slots__ = ("_anchor", "_backward", "_end_us", "_forward", "_previous_allowed", "_raw",
                 "_start_us", "_weekdays", "_zone", "zone_name")

    def __init__(self, weekdays: tuple[int, ...], start_us: int, end_us: int,
                 zone_name: str) -> None:
        if not weekdays or not 0 <= start_us < end_us <= US_PER_DAY:
            raise ValueError("a window needs days and a non-empty part of the day")
        self.zone_name = zone_name
        self._zone = ZoneInfo(zone_name)
        self._weekdays = frozenset(weekdays)
        self._start_us = start_us
        self._end_us = end_us
        # How many days back the previous allowed day is, per weekday (7 with a single day).
        self._previous_allowed = tuple(
            next(k for k in range(1, 8) if (w - k) % 7 in self._weekdays) for w in range(7)
        )
        self._raw: dict[int, tuple[int, int] | None] = {}
        self._anchor: int | None = None
        self._forward = [0]  # _forward[k]: open time of weeks [anchor, anchor + k)
        self._backward = [0]  # _backward[k]: open time of weeks [anchor - k, anchor)

    def __repr__(self) -> str:
        return (f"ZonedDays(weekdays={sorted(self._weekdays)}, start_us={self._start_us}, "
                f"end_us={self._end_us}, zone_name={self.zone_name!r})")

    # -- local wall time ------------------------------------------------------------------
    def _utc_of(self, wall: datetime, fold: int) -> int:
        return (wall.replace(tzinfo=self._zone, fold=fold) - _EPOCH) // _ONE_US

    def _wall_at(self, us: int) -> datetime:
        return (_EPOCH + timedelta(microseconds=us)).astimezone(self._zone).replace(tzinfo=None)

    def _first_reaching(self, wall: datetime) -> int:
        """The first instant at which the local clock reads ``wall`` or later."""
        first = self._utc_of(wall, 0)  # fold=0: the first occurrence of a doubled time
        if self._wall_at(first) == wall:
            return first
        return self._jump_over(wall)

    def _last_passing(self, wall: datetime) -> int:
        """The last instant before which the local clock reads earlier than ``wall``."""
        last = self._utc_of(wall, 1)  # fold=1: the second occurrence of a doubled time
        if self._wall_at(last) != wall:
            return self._jump_over(wall)
        if self._wall_at(last - 1) >= wall:
            # The clock fell back to exactly ``wall`` here, so it never read earlier than
            # ``wall`` after its first occurrence.
            return self._utc_of(wall, 0)
        return last

    def _jump_over(self, wall: datetime) -> int:
        """``wall`` never occurs (the clock jumps over it): the instant of that jump, the first
        whose wall time is later than ``wall``."""
        # PEP 495: fold=0 reads a skipped time with the offset before the jump, fold=1 with the
        # offset after it, so the two readings bracket the jump.
        a, b = self._utc_of(wall, 0), self._utc_of(wall, 1)
        lo, hi = min(a, b), max(a, b)
        while not (self._wall_at(lo) < wall < self._wall_at(hi)):
            lo, hi = lo - US_PER_DAY, hi + US_PER_DAY  # pragma: no cover, no mutate - defensive
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._wall_at(mid) > wall:
                hi = mid
            else:
                lo = mid
        return hi

    def _raw_interval(self, day: int) -> tuple[int, int] | None:
        """The day's window before removing overlaps with the previous allowed day's (they
        overlap only when a fold crosses the boundary between them)."""
        if day in self._raw:
            return self._raw[day]
        result: tuple[int, int] | None = None
        try:
            midnight = datetime.fromordinal(_EPOCH_ORDINAL + day)
        except ValueError:
            midnight = None  # a local date outside years 1..9999 has no window
        if midnight is not None:
            # S12 at the edges: on the first and last local days a window may run past year 1
            # or 9999 (datetime overflows there); its representable part still counts, so an
            # end past the range is clamped to just after the last instant, a start before it
            # to the first instant. A start past the range (or an end before it) leaves nothing.
            start: int | None
            end: int | None
            try:
                start = self._first_reaching(midnight + timedelta(microseconds=self._start_us))
            except OverflowError:
                start = MIN_US if day < 0 else None
            try:
                end = self._window_end(midnight)
            except OverflowError:
                end = MAX_US + 1 if day > 0 else None
            if start is not None and end is not None:
                result = (start, end)
        if len(self._raw) >= _CACHE_LIMIT:
            self._raw.clear()
        self._raw[day] = result
        return result

    def _window_end(self, midnight: datetime) -> int:
        """The end of the window of the local day starting at ``midnight``."""
        try:
            end_wall = midnight + timedelta(microseconds=self._end_us)
        except OverflowError:
            # A whole day's window on 9999-12-31 ends at a local midnight of year 10000, which
            # no datetime holds: the window ends just after the day's last microsecond.
            return self._last_passing(midnight + timedelta(microseconds=self._end_us - 1)) + 1
        return self._last_passing(end_wall)

    # -- the DaySchedule protocol ---------------------------------------------------------
    def interval(self, day: int) -> tuple[int, int] | None:
        """The open interval of local day ``day`` (None when not allowed or empty)."""
        if day > _LAST_DAY + 2 * self.slack:
            # Only a search for an opening after 9999-12-31 gets here.
            raise PlanRangeError("the next opening of the window falls after year 9999")
        weekday = (day + 3) % 7
        if weekday not in self._weekdays:
            return None
        raw = self._raw_interval(day)
        if raw is None:
            return None
        start, end = raw
        # Starts and ends both increase with the day, so only the previous allowed day's
        # interval can overlap this one.
        previous = self._raw_interval(day - self._previous_allowed[weekday])
        if previous is not None:
            start = max(start, previous[1])
        return (start, end) if start < end else None

    def rebase(self, day: int) -> None:
        """Start the week totals afresh at ``day``'s week when it lies more than a year away
        from the weeks already totalled (so that a far jump costs no walk over the gap)."""
        week = (day + 3) // 7
        anchor = self._anchor
        if anchor is not None and \
                anchor - len(self._backward) - 52 <= week <= anchor + len(self._forward) + 52:
            return
        self._anchor = week
        self._forward = [0]
        self._backward = [0]

    def _length(self, day: int) -> int:
        interval = self.interval(day)
        return 0 if interval is None else interval[1] - interval[0]

    def _week_open(self, week: int) -> int:
        first = 7 * week - 3
        if first > _LAST_DAY + 7 or first < _FIRST_DAY - 14:
            raise PlanRangeError("the window's open time runs outside years 1..9999")
        return sum(self._length(day) for day in range(first, first + 7))

    def _anchor_week(self, week: int) -> int:
        if self._anchor is None:
            self._anchor = week
        return self._anchor

    def _week_cum(self, week: int) -> int:
        """Open time of the weeks before ``week``, from the anchor week."""
        anchor = self._anchor_week(week)
        k = week - anchor
        if k >= 0:
            forward = self._forward
            while len(forward) <= k:
                forward.append(forward[-1] + self._week_open(anchor + len(forward) - 1))
            return forward[k]
        backward = self._backward
        while len(backward) <= -k:
            backward.append(backward[-1] + self._week_open(anchor - len(backward)))
        return -backward[-k]

    def cum(self, day: int) -> int:
        """Open time of all days before ``day``, from the anchor week's Monday."""
        week = (day + 3) // 7
        total = self._week_cum(week)
        for earlier in range(7 * week - 3, day):
            total += self._length(earlier)
        return total

    def day_for_open(self, total: int) -> tuple[int, int]:
        """The day whose interval holds the instant at which the open-time total reaches
        ``total``, and the total before that day."""
        # Totals only mean something relative to the anchor that cum() fixed; week 0 serves
        # when nothing was asked before.
        anchor = self._anchor_week(0)
        forward, backward = self._forward, self._backward
        if total > 0:
            while forward[-1] < total:
                forward.append(forward[-1] + self._week_open(anchor + len(forward) - 1))
            week = anchor + bisect_left(forward, total) - 1
        else:
            while -backward[-1] >= total:
                backward.append(backward[-1] + self._week_open(anchor - len(backward)))
            week = anchor - bisect_right(backward, -total)
        before = self._week_cum(week)
        for day in range(7 * week - 3, 7 * week + 4):
            length = self._length(day)
            if length and before + length >= total:
                return day, before
            before += length
        raise AssertionError("week totals and day lengths disagree")  # pragma: no cover, no mutate


__all__ = ["ZonedDays"]
