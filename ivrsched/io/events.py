"""Event files: lifecycle operations (SPEC S13) given in advance, one JSON object a line.

Each line is ``{"op": "pause", "at": "…"}``, ``{"op": "resume", "at": "…"}``, ``{"op":
"cancel", "at": "…"}`` or ``{"op": "reschedule", "at": "…", "sendAt": "…"}``, with instants
in ISO 8601 as a request gives them (S1). Blank lines are skipped. Every faulty line is
reported at once: :class:`EventFileError` (an
:class:`~ivrsched.io.text_files.InputFileError`, exit 4 on the command line) names the file
and each line with what is wrong. Whether the operations are allowed in that order is the
lifecycle's question (:func:`ivrsched.rules.lifecycle.offline_lifecycle`), not the reader's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from ivrsched.io.text_files import InputFileError, read_lines, without_bom
from ivrsched.request.fields import json_type
from ivrsched.rules.instants import InstantSyntaxError, parse_instant
from ivrsched.rules.lifecycle import LifecycleEvent, Operation

#: How an event file is named in errors when its reader was not told.
UNNAMED = "<events>"

_MEMBERS = {"op", "at", "sendAt"}


class EventFileError(InputFileError):
    """Lines of an event file that cannot be read. ``line`` and ``reason`` are those of the
    first fault; ``faults`` lists every ``(line, reason)``, and the message shows them all,
    one ``source:line: reason`` a line."""

    def __init__(self, source: str, line: int | None, reason: str,
                 faults: tuple[tuple[int | None, str], ...] = ()) -> None:
        super().__init__(source, line, reason)
        self.faults = faults or ((line, reason),)
        if len(self.faults) > 1:
            self.args = ("\n".join(
                f"{source}:{n}: {why}" if n is not None else f"{source}: {why}"
                for n, why in self.faults),)


def _instant(fields: dict[str, object], name: str) -> int:
    value = fields.get(name)
    if not isinstance(value, str):
        shown = "missing" if value is None else f"{json_type(value)}, not a string"
        raise ValueError(f"{name!r} must be an ISO 8601 instant with an offset ({shown})")
    try:
        return parse_instant(value)[0]
    except InstantSyntaxError as exc:
        raise ValueError(f"{name!r}: {exc}") from None


def event_of(fields: object) -> LifecycleEvent:
    """One decoded line as an event; raises ValueError saying every fault of the line."""
    if not isinstance(fields, dict):
        raise ValueError("each line must be a JSON object")
    faults: list[str] = []
    unknown = sorted(set(fields) - _MEMBERS)
    if unknown:
        faults.append("unknown member(s) " + ", ".join(repr(k) for k in unknown))
    op_text = fields.get("op")
    op: Operation | None = None
    try:
        op = Operation(op_text)
    except ValueError:
        names = ", ".join(o.value for o in Operation)
        faults.append(f"'op' must be one of {names} (got {op_text!r})")
    at_us: int | None = None
    try:
        at_us = _instant(fields, "at")
    except ValueError as exc:
        faults.append(str(exc))
    send_at_us: int | None = None
    if op is Operation.RESCHEDULE:
        try:
            send_at_us = _instant(fields, "sendAt")
        except ValueError as exc:
            faults.append(str(exc))
    elif "sendAt" in fields and op is not None:
        faults.append(f"'sendAt' is only for a reschedule, not a {op.value}")
    if faults or op is None or at_us is None:
        raise ValueError("; ".join(faults))
    return LifecycleEvent(op, at_us, send_at_us)


def parse_events(lines: Iterable[str], source: str = UNNAMED) -> tuple[LifecycleEvent, ...]:
    """The events of an event file's lines, in file order; raises :class:`EventFileError`
    listing every faulty line."""
    events: list[LifecycleEvent] = []
    faults: list[tuple[int | None, str]] = []
    for number, text in enumerate(without_bom(lines), start=1):
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as exc:
            faults.append((number, f"not JSON ({exc})"))
            continue
        try:
            events.append(event_of(value))
        except ValueError as exc:
            faults.append((number, str(exc)))
    if faults:
        line, reason = faults[0]
        raise EventFileError(source, line, reason, tuple(faults))
    return tuple(events)


def read_events(path: str | Path, source: str | None = None) -> tuple[LifecycleEvent, ...]:
    """The events of the file at ``path`` (``source`` names it in errors)."""
    name = str(path) if source is None else source
    return parse_events(read_lines(path, name, EventFileError), name)


__all__ = ["UNNAMED", "EventFileError", "event_of", "parse_events", "read_events"]
