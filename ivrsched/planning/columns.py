"""Columnar attempt instants for bulk consumers: integer µs in ``array('q')`` or NumPy arrays.

A message's attempts form columns indexed by pacing slot (slot j is the j-th accepted
destination, S3): column 0 holds the first attempts, column k the k-th retry (S5).

**Lengths, not sentinels.** A slot whose k-th attempt would fall at or after the deadline (S4) has
none, and S5 drops its later attempts too. Column k therefore has one entry per slot that has
at least k+1 attempts, and those slots are a prefix of the slots: the k-th attempt of a slot is
never earlier than that of the slot before it (first attempts are non-decreasing in the slot,
S3; moving forward in time and to the next window opening, S5/S6, keep that order), so once the
deadline cuts it, it cuts it for every later slot too. ``column[k][j]`` is slot ``j``'s k-th
attempt exactly when ``j < len(column[k])``; lengths never increase with k.

The pure-Python functions return ``array('q')``; the ``*_numpy`` ones return ``numpy.int64``
arrays with identical values (install the ``fast`` extra: ``pip install ivrsched[fast]``).
When the time line has fixed offsets (no delivery window: :attr:`Timeline.fixed_offsets_us
<ivrsched.rules.timeline.Timeline.fixed_offsets_us>`) the columns are computed as progressions
(NumPy: vectorised). Otherwise both use the vector kernel (:mod:`ivrsched.rules.vector`) when
NumPy is installed, and compute slot by slot without it (the same values, more slowly).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ivrsched.planning.planner import MessagePlan
from ivrsched.rules.timeline import Timeline

if TYPE_CHECKING:
    import numpy
    from numpy.typing import NDArray

    Int64Array = NDArray[numpy.int64]

#: Products above this would overflow NumPy's int64.
INT64_LIMIT = 2**63


def slot_range(message_plan: MessagePlan) -> range:
    """The pacing slots of the accepted destinations among ``message_plan``'s positions.

    A plan or a slice of consecutive positions covers consecutive slots; a slice with a step
    other than 1 does not, and raises ``ValueError``.
    """
    positions = message_plan.positions
    if positions.step != 1 and len(positions) > 1:
        raise ValueError("columns need consecutive positions (a slice with step 1)")
    rejected = message_plan.message.rejected
    if not positions:
        return range(0)
    first, stop = positions[0], positions[-1] + 1
    return range(first - bisect_left(rejected, first), stop - bisect_left(rejected, stop))


def column_lengths(timeline: Timeline, slots: range) -> tuple[int, ...]:
    """How many of ``slots`` have a k-th attempt, for each k: the slots with one are a prefix
    of all slots (see the module docstring), counted by the time line (O(1) per column with
    fixed offsets, the inverse of pacing, S3)."""
    return tuple(max(0, min(timeline.attempt_count(slots.stop, k), slots.stop) - slots.start)
                 for k in range(1 + len(timeline.gaps_us)))


def attempt_columns(message_plan: MessagePlan) -> tuple[array[int], ...]:
    """Column k (0 = first attempts, k = k-th retry) of the plan's accepted destinations, as
    ``array('q')`` of integer µs; column k's length is the number of slots with k+1 attempts."""
    return slot_columns(message_plan.timeline, slot_range(message_plan))


def slot_columns(timeline: Timeline, slots: range) -> tuple[array[int], ...]:
    """:func:`attempt_columns` of the pacing slots ``slots`` of ``timeline`` (for destinations
    that are counted, not listed: a streamed file's accepted lines are slots 0, 1, …)."""
    offsets = timeline.fixed_offsets_us
    if offsets is None:
        return _windowed_columns(timeline, slots)
    lengths = column_lengths(timeline, slots)
    first = _first_attempts(timeline, slots.start, lengths[0])
    columns = [first]
    for offset, length in zip(offsets[1:], lengths[1:], strict=True):
        columns.append(array("q", [at + offset for at in first[:length]]))
    return tuple(columns)


def first_attempts(message_plan: MessagePlan) -> array[int]:
    """The first-attempt instants of the plan's accepted destinations, by slot (column 0)."""
    timeline = message_plan.timeline
    slots = slot_range(message_plan)
    if timeline.fixed_offsets_us is None:
        return _windowed_columns(replace(timeline, gaps_us=()), slots)[0]
    return _first_attempts(timeline, slots.start, column_lengths(timeline, slots)[0])


def _first_attempts(timeline: Timeline, first_slot: int, count: int) -> array[int]:
    return array("q", timeline.first_attempts_us(range(first_slot, first_slot + count)))


def _windowed_columns(timeline: Timeline, slots: range) -> tuple[array[int], ...]:
    """A delivery window: the vector kernel's columns when NumPy is there, else slot by slot."""
    try:
        from ivrsched.rules import vector
    except ImportError:  # pragma: no cover - depends on the environment
        return _columns_slot_by_slot(timeline, slots)
    columns = []
    for column in vector.attempt_columns(timeline, slots):
        values = array("q")
        values.frombytes(column.tobytes())  # both native-endian int64
        columns.append(values)
    return tuple(columns)


def _columns_slot_by_slot(timeline: Timeline, slots: range) -> tuple[array[int], ...]:
    """Any calendar (a delivery window): each slot's attempts, appended to their columns."""
    columns = tuple(array("q") for _ in range(1 + len(timeline.gaps_us)))
    for slot in slots:
        attempts = timeline.attempts_us(slot)
        if not attempts:
            break  # no first attempt: no later slot has one either (see the module docstring)
        for column, at in zip(columns, attempts, strict=False):
            column.append(at)
    return columns


# -- NumPy ------------------------------------------------------------------------------------

def _numpy() -> Any:
    try:
        import numpy
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("NumPy columns need NumPy: pip install 'ivrsched[fast]'") from exc
    return numpy


def first_attempts_numpy(message_plan: MessagePlan) -> Int64Array:
    """:func:`first_attempts` as a NumPy ``int64`` array (same values)."""
    return attempt_columns_numpy(message_plan, retries=False)[0]


def attempt_columns_numpy(message_plan: MessagePlan, *,
                          retries: bool = True) -> tuple[Int64Array, ...]:
    """:func:`attempt_columns` as NumPy ``int64`` arrays (same values and lengths); only the
    first column when ``retries`` is False."""
    np = _numpy()
    timeline = message_plan.timeline
    slots = slot_range(message_plan)
    pace = timeline.pace
    offsets = timeline.fixed_offsets_us
    if offsets is None:
        from ivrsched.rules import vector

        return vector.attempt_columns(timeline if retries else replace(timeline, gaps_us=()),
                                      slots)
    if pace is not None and pace.speed * pace.unit_us >= INT64_LIMIT:
        # A pace whose products could overflow int64: compute exactly in Python.
        columns = attempt_columns(message_plan) if retries else (first_attempts(message_plan),)
        return tuple(np.array(column, dtype=np.int64) for column in columns)
    lengths = column_lengths(timeline, slots)
    slot = np.arange(slots.start, slots.start + lengths[0], dtype=np.int64)
    first = timeline.first_attempts_vector(slot)
    if not retries:
        return (first,)
    return (first, *(first[:length] + offset
                     for offset, length in zip(offsets[1:], lengths[1:], strict=True)))
