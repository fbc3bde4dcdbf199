"""Calendars in general (ivrsched.rules.open_time): what a calendar says about itself, and the
closed periods of any calendar found from its three questions alone (SPEC S6).

The calendars under test here are small ones built from a list of open spans, whose three
answers are computed by walking the spans; the expected closed periods are the gaps between
the spans, written out by hand or computed as a plain complement.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from ivrsched.request.model import DeliveryTimeWindow, TimeOfDay, Weekday
from ivrsched.rules.instants import US_PER_DAY, US_PER_HOUR
from ivrsched.rules.open_time import (
    ALWAYS_OPEN,
    closed_periods,
    closed_periods_by_search,
    is_always_open,
)
from ivrsched.rules.windows import WindowCalendar

Span = tuple[int, int]


@dataclass(frozen=True)
class SpanCalendar:
    """Open exactly within ``spans`` (sorted, disjoint, half-open); closed after the last one
    until ``horizon`` (next_open answers ``horizon`` there), so every question has an answer."""

    spans: tuple[Span, ...]
    horizon: int = 10**6

    def next_open(self, at_us: int) -> int:
        for a, b in self.spans:
            if at_us < b:
                return max(a, at_us)
        return max(at_us, self.horizon)

    def advance(self, start_us: int, open_us: int) -> int:
        raise AssertionError("the search needs only next_open and open_between")

    def open_between(self, start_us: int, end_us: int) -> int:
        return sum(max(0, min(b, end_us) - max(a, start_us)) for a, b in self.spans)


@dataclass(frozen=True)
class SaysItself(SpanCalendar):
    """A span calendar that answers its closed periods itself (here: a fixed marker)."""

    def closed_periods(self, start_us: int, end_us: int) -> Iterator[Span]:
        return iter([(start_us, -1)])


def complement(spans: tuple[Span, ...], start: int, end: int) -> list[Span]:
    """The closed periods within ``[start, end)``: the gaps between the open spans."""
    gaps: list[Span] = []
    at = start
    for a, b in spans:
        if a > at:
            gaps.append((at, min(a, end)))
        at = max(at, b)
        if at >= end:
            break
    if at < end:
        gaps.append((at, end))
    return [(a, b) for a, b in gaps if a < b]


def test_only_a_calendar_that_says_so_is_always_open() -> None:
    assert ALWAYS_OPEN.always_open is True
    assert is_always_open(ALWAYS_OPEN)
    weekdays = WindowCalendar.from_window(DeliveryTimeWindow((Weekday.MONDAY,)))
    assert not is_always_open(weekdays)
    assert not is_always_open(SpanCalendar(((0, 10),)))

    @dataclass(frozen=True)
    class Truthy(SpanCalendar):
        always_open = 1  # truthy, but not the True a calendar must say

    assert not is_always_open(Truthy(()))


def test_the_always_open_calendar_has_no_closed_period() -> None:
    assert list(ALWAYS_OPEN.closed_periods(0, 10**9)) == []
    assert list(closed_periods(ALWAYS_OPEN, -5, 5)) == []


def test_closed_periods_by_hand() -> None:
    # Open [10, 20) and [30, 35): within [0, 50) closed [0, 10), [20, 30), [35, 50).
    calendar = SpanCalendar(((10, 20), (30, 35)))
    assert list(closed_periods_by_search(calendar, 0, 50)) == [(0, 10), (20, 30), (35, 50)]
    # Starting inside an open span, ending inside a closed one.
    assert list(closed_periods_by_search(calendar, 15, 25)) == [(20, 25)]
    # Starting in a closed period, ending exactly at the next opening.
    assert list(closed_periods_by_search(calendar, 22, 30)) == [(22, 30)]
    # Starting at an opening, ending one µs after the next closing.
    assert list(closed_periods_by_search(calendar, 10, 21)) == [(20, 21)]
    # Entirely open, and empty.
    assert list(closed_periods_by_search(calendar, 11, 20)) == []
    assert list(closed_periods_by_search(calendar, 40, 40)) == []
    # One µs spans: open [5, 6) only.
    assert list(closed_periods_by_search(SpanCalendar(((5, 6),)), 4, 8)) == [(4, 5), (6, 8)]


@given(st.lists(st.integers(0, 200), max_size=12, unique=True), st.integers(0, 220),
       st.integers(0, 220))
def test_closed_periods_are_the_gaps_between_the_open_spans(edges: list[int], start: int,
                                                            end: int) -> None:
    edges = sorted(edges)[: len(edges) // 2 * 2]
    spans = tuple(zip(edges[::2], edges[1::2], strict=True))
    calendar = SpanCalendar(spans)
    assert list(closed_periods_by_search(calendar, start, end)) == complement(spans, start, end)
    assert list(closed_periods(calendar, start, end)) == complement(spans, start, end)


@dataclass(frozen=True)
class EndsAt(SpanCalendar):
    """A span calendar with no answer at or after ``horizon`` (as a window has none after
    year 9999): asking about such an instant fails the test."""

    def next_open(self, at_us: int) -> int:
        assert at_us < self.horizon, f"next_open asked at {at_us}"
        return super().next_open(at_us)

    def open_between(self, start_us: int, end_us: int) -> int:
        assert start_us < self.horizon and end_us <= self.horizon, (start_us, end_us)
        return super().open_between(start_us, end_us)


@given(st.lists(st.integers(0, 99), max_size=8, unique=True), st.integers(0, 100))
def test_the_search_asks_nothing_at_or_after_the_end(edges: list[int], start: int) -> None:
    # Closed periods up to the calendar's last instant with an answer.
    edges = sorted(edges)[: len(edges) // 2 * 2]
    spans = tuple(zip(edges[::2], edges[1::2], strict=True))
    calendar = EndsAt(spans, horizon=100)
    assert list(closed_periods_by_search(calendar, start, 100)) == complement(spans, start, 100)


def test_the_search_up_to_the_end_by_hand() -> None:
    calendar = EndsAt(((10, 20),), horizon=100)
    assert list(closed_periods_by_search(calendar, 100, 100)) == []
    assert list(closed_periods_by_search(calendar, 15, 100)) == [(20, 100)]
    assert list(closed_periods_by_search(calendar, 0, 100)) == [(0, 10), (20, 100)]


def test_a_calendar_with_its_own_answer_is_asked_and_not_searched() -> None:
    calendar = SaysItself(((10, 20),))
    assert list(closed_periods(calendar, 3, 4)) == [(3, -1)]


def test_a_window_is_searched_to_its_own_closed_periods() -> None:
    # Mondays 09:00–10:00 UTC over a fortnight from Sunday 2030-01-06: closed until Monday
    # 09:00, from 10:00 to the next Monday 09:00, and from 10:00 to the end.
    sunday = 1_893_888_000 * 10**6  # 2030-01-06T00:00:00Z
    mondays = WindowCalendar.from_window(DeliveryTimeWindow((Weekday.MONDAY,), TimeOfDay(9, 0),
                                                            TimeOfDay(10, 0)))
    end = sunday + 14 * US_PER_DAY
    monday_9 = sunday + US_PER_DAY + 9 * US_PER_HOUR
    expected = [(sunday, monday_9), (monday_9 + US_PER_HOUR, monday_9 + 7 * US_PER_DAY),
                (monday_9 + 7 * US_PER_DAY + US_PER_HOUR, end)]
    assert list(closed_periods_by_search(mondays, sunday, end)) == expected
    assert list(closed_periods(mondays, sunday, end)) == expected
