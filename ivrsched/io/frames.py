"""Plans as data frames: Arrow tables with timestamp columns, and pandas or polars frames built
from them (the ``arrow`` extra, plus ``pandas`` or ``polars``).

Two shapes, by ``per``:

* ``"destination"``: one row per destination, the columns of :mod:`ivrsched.io.arrow_export`
  plus ``times``, the attempts as ``list<timestamp[us, tz]>``;
* ``"attempt"``: one row per planned attempt: ``message``, ``index``, ``to``, ``messageId``,
  ``attempt`` (1 for the first), ``time`` (``timestamp[us, tz]``) and ``line``; destinations
  without an attempt (rejected, or past the deadline) have no row.

Timestamps are exact: they are the integer microseconds of the plan (S1), typed, never
converted through floats. ``tz`` names the zone the timestamps are shown in (an IANA name such
as ``Europe/Berlin``, DST-correct per instant, or a fixed offset such as ``+01:00``); by default
the messages' common rendering offset, or UTC when they differ.
"""

from __future__ import annotations

import importlib.util
from typing import Any, Literal

from ivrsched.io.arrow_export import plan_table
from ivrsched.planning.planner import Plan
from ivrsched.rules.instants import format_offset

__all__ = ["Per", "frame_table", "to_pandas", "to_polars"]

Per = Literal["destination", "attempt"]
PER: tuple[str, ...] = ("destination", "attempt")


def default_zone(plan: Plan) -> str:
    """The messages' common rendering offset (``+01:00``), or ``UTC`` when they differ."""
    offsets = {m.offset_minutes for m in plan.messages}
    if len(offsets) != 1:
        return "UTC"
    offset = offsets.pop()
    return "UTC" if offset == 0 else format_offset(offset)


def frame_table(plan: Plan, per: Per = "destination", tz: str | None = None) -> Any:
    """The plan as a ``pyarrow.Table`` of the shape ``per``, with timestamps in ``tz``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if per not in PER:
        raise ValueError(f"per must be one of {PER}, not {per!r}")
    zone = tz if tz is not None else default_zone(plan)
    stamp = pa.timestamp("us", tz=zone)
    table = plan_table(plan)
    # attempts_us holds the exact integer µs; casting int64 to timestamp[us] reinterprets them
    # as the same instants, nothing is rounded.
    times = pc.cast(table.column("attempts_us"), pa.list_(stamp))
    if per == "destination":
        return table.append_column("times", times)
    flat = pc.list_flatten(times)
    parents = pc.list_parent_indices(times)
    taken = table.select(["message", "index", "to", "messageId", "line"]).take(parents)
    numbers = _attempt_numbers(table.column("attempts_us"))
    columns = {name: taken.column(name) for name in ("message", "index", "to", "messageId")}
    columns["attempt"] = numbers
    columns["time"] = flat
    columns["line"] = taken.column("line")
    return pa.table(columns)


def _attempt_numbers(attempts: Any) -> Any:
    """1, 2, … within each destination's list of attempts, flattened: an attempt's position
    in the flat values less the offset of its destination's list."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    lists = attempts.combine_chunks() if attempts.num_chunks else pa.array(
        [], pa.list_(pa.int64()))
    offsets = np.asarray(lists.offsets)
    parents = np.asarray(pc.list_parent_indices(lists))
    positions = np.arange(offsets[0], offsets[0] + len(parents))
    return pa.array(positions - offsets[parents] + 1, type=pa.int32())


def to_pandas(plan: Plan, per: Per = "destination", tz: str | None = None) -> Any:
    """The plan as a ``pandas.DataFrame`` (timestamps as zone-aware ``datetime64[us]``)."""
    if importlib.util.find_spec("pandas") is None:
        raise ImportError("to_pandas needs pandas: pip install pandas")
    return frame_table(plan, per, tz).to_pandas()


def to_polars(plan: Plan, per: Per = "destination", tz: str | None = None) -> Any:
    """The plan as a ``polars.DataFrame`` (timestamps as ``Datetime("us", tz)``)."""
    try:
        import polars
    except ImportError as exc:
        raise ImportError("to_polars needs polars: pip install polars") from exc
    return polars.from_arrow(frame_table(plan, per, tz))
