"""Plans as Apache Arrow tables and Parquet files (the ``arrow`` extra: ``pyarrow``).

One row per destination, the columns of the ``jsonl`` contract in its order, plus the attempts
as integers:

=============  =======================  ================================================
column         type                     value
=============  =======================  ================================================
message        int32                    the message object's position in the request
index          int64                    the destination's position in its message
to             string (null: missing)   the address as given
messageId      string                   given or generated (S8)
status         string                   the S7 status name
attempts       list<string>             the attempts as S1 renders them
deadline       string (null: none)      the deadline as S1 renders it
line           int64 (null)             the line of a destinations file (issue 7)
attempts_us    list<int64>              the same attempts in µs since the epoch (UTC)
=============  =======================  ================================================

Under a calling policy (S15) two columns follow ``attempts_us``: ``zones`` (list<string>, null
for a rejected destination), the zones the destination is called by, and ``ending`` (string,
null for a rejected destination), how its attempts end; rows come in the plan's row order
(:mod:`ivrsched.planning.policy_plan`).

**Interpretation:** ``attempts`` keeps S1's strings so that the message's UTC offset and the
exact microseconds survive every reader; ``attempts_us`` carries the same instants as integers
for computing (Arrow's timestamp type would drop the offset). Both are exact.

Files are written a chunk of destinations at a time (one row group each), so memory stays
constant in the number of destinations.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import IO, Any

import numpy as np

from ivrsched.ids import SeededIds
from ivrsched.io import row_bytes
from ivrsched.io.chunked import CHUNK, SlotRows, blocks_of, interleave, render_instants
from ivrsched.io.destination_files import PlainLines
from ivrsched.planning.planner import MessagePlan, Plan
from ivrsched.planning.streaming import RejectionTally, StreamSummary
from ivrsched.request.model import Destination
from ivrsched.rules.instants import format_us


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("Arrow and Parquet output need pyarrow: "
                          "pip install 'ivrsched[arrow]'") from exc
    return pyarrow


def schema() -> Any:
    """The Arrow schema of a plan table (see the module docstring)."""
    pa = _pyarrow()
    return pa.schema([
        ("message", pa.int32()), ("index", pa.int64()), ("to", pa.string()),
        ("messageId", pa.string()), ("status", pa.string()),
        ("attempts", pa.list_(pa.string())), ("deadline", pa.string()),
        ("line", pa.int64()), ("attempts_us", pa.list_(pa.int64())),
    ])


def policy_schema() -> Any:
    """The Arrow schema of a plan table under a calling policy (see the module docstring)."""
    pa = _pyarrow()
    base = schema()
    return base.append(pa.field("zones", pa.list_(pa.string()))).append(
        pa.field("ending", pa.string()))


def policy_batches(plan: Plan, *, chunk_size: int = CHUNK) -> Iterator[Any]:
    """Arrow record batches of a plan made under a calling policy, in its row order, a chunk
    of rows at a time (the policy engine places the attempts, not the vector kernel)."""
    pa = _pyarrow()
    plans = {m.message_index: m for m in plan.messages}
    rows = iter(plan)
    while chunk := list(islice(rows, chunk_size)):
        deadlines = []
        for s in chunk:
            header = plans[s.message]
            deadlines.append(None if header.deadline_us is None
                             else format_us(header.deadline_us, header.offset_minutes))
        yield pa.record_batch([
            pa.array([s.message for s in chunk], type=pa.int32()),
            pa.array([s.index for s in chunk], type=pa.int64()),
            pa.array([s.to for s in chunk], type=pa.string()),
            pa.array([s.message_id for s in chunk], type=pa.string()),
            pa.array([s.status.value.name for s in chunk], type=pa.string()),
            pa.array([s.rendered_attempts() for s in chunk], type=pa.list_(pa.string())),
            pa.array(deadlines, type=pa.string()),
            pa.array([s.destination.line for s in chunk], type=pa.int64()),
            pa.array([list(s.attempts_us) for s in chunk], type=pa.list_(pa.int64())),
            pa.array([None if s.zones is None else list(s.zones) for s in chunk],
                     type=pa.list_(pa.string())),
            pa.array([None if s.ending is None else s.ending.value for s in chunk],
                     type=pa.string()),
        ], schema=policy_schema())


def _batches(header: MessagePlan, destinations: Iterable[Destination], tally: RejectionTally,
             rows: SlotRows, chunk_size: int) -> Iterator[Any]:
    pa = _pyarrow()
    deadline = (None if header.deadline_us is None
                else format_us(header.deadline_us, header.offset_minutes))
    index = 0
    for chunk in blocks_of(destinations, chunk_size):
        if isinstance(chunk, PlainLines):  # every line accepted, no messageId given
            accepted = np.ones(len(chunk), dtype=bool)
            tos: Sequence[str | None] = chunk.tos
            ids: Any = [header.name(index + i, None) for i in range(len(chunk))] \
                if not isinstance(header.ids, SeededIds) else _strings(pa, row_bytes.uuid_texts(
                    header.ids.message_digests(header.message_index, index,
                                               index + len(chunk))))
            statuses = pa.repeat("PENDING_ACCEPTED", len(chunk))
            lines: Any = np.arange(chunk.first_line, chunk.first_line + len(chunk),
                                   dtype=np.int64)
        else:
            accepted = np.array([not d.status.is_rejected for d in chunk], dtype=bool)
            for destination, ok in zip(chunk, accepted.tolist(), strict=True):
                if not ok:
                    tally.reject(destination)
            tos = [d.to for d in chunk]
            ids = [header.name(index + i, d.message_id) for i, d in enumerate(chunk)]
            statuses = pa.array([d.status.value.name for d in chunk], type=pa.string())
            lines = [d.line for d in chunk]
        count = int(accepted.sum())
        slots = range(rows.slot, rows.slot + count)
        rows.slot += count
        from ivrsched.rules import vector

        columns = vector.attempt_columns(rows.timeline, slots, rows.kernel)
        # Attempts per destination: per accepted slot, how many columns reach it.
        per_slot = np.zeros(count, dtype=np.int32)
        for column in columns:
            per_slot[:column.size] += 1
        per_row = np.zeros(len(chunk), dtype=np.int32)
        per_row[accepted] = per_slot
        offsets = np.concatenate([[0], np.cumsum(per_row, dtype=np.int32)]).astype(np.int32)
        values = interleave(columns).astype(np.int64)
        rendered = interleave([render_instants(c, header.offset_minutes, as_bytes=True)
                               for c in columns])
        yield pa.record_batch([
            pa.array(np.full(len(chunk), header.message_index, dtype=np.int32)),
            pa.array(np.arange(index, index + len(chunk), dtype=np.int64)),
            pa.array(tos, type=pa.string()),
            pa.array(ids, type=pa.string()),
            statuses,
            pa.ListArray.from_arrays(pa.array(offsets),
                                     _strings(pa, row_bytes.byte_texts(rendered))),
            pa.array([deadline] * len(chunk), type=pa.string()),
            pa.array(lines, type=pa.int64()),
            pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, type=pa.int64())),
        ], schema=schema())
        index += len(chunk)


def _strings(pa: Any, texts: row_bytes.ByteMatrix) -> Any:
    """A byte matrix of ASCII texts (NUL-padded) as an Arrow string array: straight from
    its bytes when every text has the matrix's width, as most chunks' do."""
    count, width = texts.shape
    if count and bool(texts.all()):
        offsets = np.arange(0, (count + 1) * width, width, dtype=np.int32)
        return pa.Array.from_buffers(pa.string(), count, [
            None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(texts))])
    return pa.array([bytes(row).rstrip(b"\x00").decode("ascii") for row in texts],
                    type=pa.string())


def message_batches(header: MessagePlan, destinations: Iterable[Destination], *,
                    chunk_size: int = CHUNK, tally: RejectionTally | None = None
                    ) -> Iterator[Any]:
    """Arrow record batches of ``destinations`` planned under ``header``'s rules (as
    :func:`ivrsched.planning.streaming.stream_schedules` plans them), a chunk at a time."""
    return _batches(header, destinations, tally or RejectionTally(), SlotRows(header), chunk_size)


def plan_table(plan: Plan) -> Any:
    """The whole plan as one ``pyarrow.Table`` (``Plan.to_arrow()``)."""
    pa = _pyarrow()
    if plan.policy is not None:
        return pa.Table.from_batches(list(policy_batches(plan)), schema=policy_schema())
    batches = [batch for message_plan in plan.messages
               for batch in message_batches(message_plan, message_plan.source)]
    return pa.Table.from_batches(batches, schema=schema())


def write_parquet_stream(header: MessagePlan, destinations: Iterable[Destination],
                         out: IO[bytes], *, chunk_size: int = CHUNK) -> StreamSummary:
    """Write ``destinations`` planned under ``header``'s rules to ``out`` as Parquet, one row
    group per chunk; returns the counts."""
    import pyarrow.parquet as pq

    tally = RejectionTally()
    rows = SlotRows(header)
    count = 0
    with pq.ParquetWriter(out, schema()) as writer:
        for batch in _batches(header, destinations, tally, rows, chunk_size):
            writer.write_batch(batch)
            count += batch.num_rows
    return tally.summary(count, rows.slot)


def write_parquet(plan: Plan, out: IO[bytes], *, chunk_size: int = CHUNK) -> None:
    """Write the whole plan to ``out`` as Parquet, a chunk of destinations at a time."""
    import pyarrow.parquet as pq

    if plan.policy is not None:
        with pq.ParquetWriter(out, policy_schema()) as writer:
            for batch in policy_batches(plan, chunk_size=chunk_size):
                writer.write_batch(batch)
        return
    with pq.ParquetWriter(out, schema()) as writer:
        for message_plan in plan.messages:
            for batch in message_batches(message_plan, message_plan.source,
                                         chunk_size=chunk_size):
                writer.write_batch(batch)


__all__ = ["message_batches", "plan_table", "policy_batches", "policy_schema", "schema",
           "write_parquet", "write_parquet_stream"]
