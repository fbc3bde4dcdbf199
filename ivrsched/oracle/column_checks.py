"""The rules of S11 checked on the columns of a log at once, with NumPy: the verifier's fast path.

:mod:`ivrsched.oracle.conformance` reads a log into integer columns (destination, attempt
number, time, end, line). This module runs every check of S11 on those columns for each
message in a few vector operations and answers one question per message: does the log, for
this message, conform? A message it cannot clear (a violation, or a case it leaves to the
scalar verifier) is checked there, row by row, and only there are sentences written; a message
it clears has no violation to report. So the report is the scalar verifier's, whichever path a
message takes.

The checks are conservative: whatever they are unsure of (an attempt before the message's
start, an attempt number out of order) sends the message the scalar way. Needs NumPy.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ivrsched.planning.planner import MessagePlan
from ivrsched.rules import vector

Int64Array = NDArray[np.int64]


@dataclass(frozen=True)
class LogColumns:
    """The resolved rows of a log: for row r, its destination's global number ``gid[r]``, its
    attempt number, start, end (``no_end`` when not given) and line."""

    gid: array[int]
    attempt: array[int]
    time: array[int]
    end: array[int]
    no_end: int


@dataclass(frozen=True)
class Cleared:
    """The messages the columns show to conform, and for each how many of its destinations the
    log has rows for (the count the report gives)."""

    seen: dict[int, int]


def _column(values: array[int]) -> Int64Array:
    return np.frombuffer(values, dtype=np.int64) if len(values) else np.empty(0, np.int64)


def clear(messages: Sequence[MessagePlan], bases: Sequence[int],
          columns: LogColumns) -> Cleared:
    """Which of ``messages`` (message m's destinations have global numbers ``bases[m]`` to
    ``bases[m + 1] - 1``) conform on ``columns``, under every check of S11 but ``exact`` and
    ``require_all`` (whose callers take the scalar way)."""
    gid = _column(columns.gid)
    attempt = _column(columns.attempt)
    time = _column(columns.time)
    end = _column(columns.end)
    # Rows by destination, then as the scalar verifier sorts a destination's attempts (by
    # number, then time; line and end only break ties between equal rows, which the checks
    # below do not tell apart).
    if not _ordered(gid, attempt, time, end):  # a log written in that order needs no sort
        order = np.lexsort((end, time, attempt, gid))
        gid, attempt, time, end = gid[order], attempt[order], time[order], end[order]
    group_start = np.ones(gid.size, dtype=bool)
    group_start[1:] = gid[1:] != gid[:-1]
    first_row = np.flatnonzero(group_start)
    # Each row's rank in its destination's rows: 1, 2, …
    rank = np.arange(gid.size, dtype=np.int64) - np.repeat(
        first_row, np.diff(np.append(first_row, gid.size))) + 1
    seen: dict[int, int] = {}
    for message_plan in messages:
        m = message_plan.message_index
        lo, hi = np.searchsorted(gid, [bases[m], bases[m + 1]])
        if _conforms(message_plan, bases[m], gid[lo:hi], attempt[lo:hi], time[lo:hi],
                     end[lo:hi], rank[lo:hi], group_start[lo:hi], columns.no_end):
            seen[m] = int(group_start[lo:hi].sum())
    return Cleared(seen)


def _ordered(*keys: Int64Array) -> bool:
    """Whether the rows are in the order of ``keys`` (the first the most significant), ties
    in any order: then ``np.lexsort`` (stable) would leave them as they are."""
    if keys[0].size < 2:
        return True
    before = np.zeros(keys[0].size - 1, dtype=bool)  # row r sorts strictly before row r + 1
    tied = np.ones(keys[0].size - 1, dtype=bool)  # rows r and r + 1 have the keys so far equal
    for key in keys:
        a, b = key[:-1], key[1:]
        before |= tied & (a < b)
        tied &= a == b
    return bool((before | tied).all())


def _conforms(message_plan: MessagePlan, base: int, gid: Int64Array, attempt: Int64Array,
              time: Int64Array, end: Int64Array, rank: Int64Array, first: NDArray[np.bool_],
              no_end: int) -> bool:
    if not gid.size:
        return True
    timeline = message_plan.timeline
    message = message_plan.message
    if message.rejected_indices and bool(np.isin(gid - base, message.rejected_indices).any()):
        return False  # rejected-destination
    if not bool((attempt == rank).all()):
        return False  # attempt-number (1, 2, …, n with no gaps or repeats)
    gaps = np.array(timeline.gaps_us, dtype=np.int64)
    if int(rank.max()) > 1 + gaps.size:
        return False  # S5-count
    if int(time.min()) < timeline.start_us:
        return False  # S2-early-start for a first attempt; the scalar way for any other
    deadline = timeline.deadline_us
    if deadline is not None and int(time.max()) >= deadline:
        return False  # S4-deadline
    retry = np.flatnonzero(~first)  # rows with a previous attempt of the same destination
    if retry.size:
        previous = retry - 1
        k = rank[retry] - 1  # the retry's number, 1-based: its gap is gaps[k - 1]
        gap = gaps[k - 1]
        ended = end[previous]
        earliest = np.where(ended == no_end,
                            time[previous] + np.int64(timeline.failure_delay_us) + gap,
                            ended + gap)
        if bool((time[retry] < earliest).any()):
            return False  # S5-gap
    kernel = vector.kernel_for(timeline.calendar, timeline.start_us)
    if not bool((kernel.next_open(time) == time).all()):
        return False  # S6-window
    pace = message_plan.pace
    if pace is not None:
        firsts = np.sort(time[first])
        speed = pace.speed
        # At most ``speed`` first attempts in any half-open interval of one unit: exactly when
        # no first attempt is less than a unit after the one ``speed`` places before it.
        if firsts.size > speed and bool(
                (firsts[speed:] - firsts[:-speed] < pace.unit_us).any()):
            return False  # S3-pacing
    return True


__all__ = ["Cleared", "LogColumns", "clear"]
