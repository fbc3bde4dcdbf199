"""Destinations streamed from a file (SPEC S7), in constant memory.

Two layouts are read:

* **text**: one address per line, judged exactly as written (only the line ending is removed);
* **csv**: a header row naming a ``to`` column and, optionally, a ``messageId`` column; other
  columns are ignored.

Every line becomes one :class:`~ivrsched.model.Destination` with its 1-based line number in
``Destination.line`` and the status S7 gives it: a faulty line is *rejected*, never dropped, so the
destinations yielded account for every line of the file (a CSV header is not a destination). Only
faults that make the file itself unreadable (bytes that are not UTF-8, a CSV without a ``to``
column) raise :class:`DestinationFileError`, which names the file and the line.

Memory stays constant, except for one thing: S7's duplicate ``messageId`` check must remember every
``messageId`` given, so a CSV with a ``messageId`` column holds those IDs in a set.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .destinations import MessageIdRegistry, classify, destination_status
from .errors import IvrschedError
from .model import Destination
from .status import Status

Layout = Literal["text", "csv"]
LAYOUTS: tuple[str, ...] = ("auto", "text", "csv")

_BOM = "\ufeff"


class DestinationFileError(IvrschedError):
    """A destinations file that cannot be read at all (as opposed to a faulty line, which is a
    rejected destination). ``line`` is 1-based, or None when the fault is not on one line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        where = path if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.reason = message


def layout_of(path: str | Path, layout: str = "auto") -> Layout:
    """The layout to read ``path`` with: ``auto`` means csv for a ``.csv`` name, else text."""
    if layout == "text":
        return "text"
    if layout == "csv":
        return "csv"
    if layout != "auto":
        raise ValueError(f"unknown destinations layout {layout!r}; use one of {LAYOUTS}")
    return "csv" if Path(path).suffix.lower() == ".csv" else "text"


def destinations_from_lines(lines: Iterable[str], *, first_line: int = 1) -> Iterator[Destination]:
    """One destination per line of text (line endings are removed, nothing else), classified by
    S7. Text lines carry no ``messageId``, so no ID is remembered: constant memory."""
    accepted = Status.PENDING_ACCEPTED
    for number, line in enumerate(lines, start=first_line):
        to = line.removesuffix("\n").removesuffix("\r")
        status, reason = classify(to)
        if status is accepted:
            # The common case, kept lean: most lines of a real file are good numbers.
            yield Destination(to, None, accepted, None, number)
        else:
            yield Destination(to, None, status, reason, number)


def destinations_from_csv(lines: Iterable[str], *, source: str = "<csv>"
                          ) -> Iterator[Destination]:
    """One destination per CSV record after the header (which must name a ``to`` column).

    An empty or absent ``to`` cell is 51 MISSING_TO; an empty ``messageId`` cell means none was
    given. ``line`` is the physical line the record starts on (a quoted cell may span lines).
    """
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise DestinationFileError(source, None, "empty CSV file: expected a header row "
                                                     "with a 'to' column")
        names = [name.strip().lstrip(_BOM) for name in header]
        if "to" not in names:
            raise DestinationFileError(source, 1, f"the CSV header {header!a} has no 'to' column")
        to_column = names.index("to")
        id_column = names.index("messageId") if "messageId" in names else None
        registry = MessageIdRegistry()
        previous_end = reader.line_num
        for record in reader:
            line, previous_end = previous_end + 1, reader.line_num
            to = record[to_column] if to_column < len(record) else None
            message_id = (record[id_column] or None
                          if id_column is not None and id_column < len(record) else None)
            status, reason = destination_status(to, message_id, registry)
            yield Destination(to, message_id, status, reason, line)
    except csv.Error as exc:
        raise DestinationFileError(source, reader.line_num, f"not valid CSV: {exc}") from exc


@dataclass(frozen=True)
class DestinationFile:
    """A destinations file, read lazily: each iteration opens the file and streams it again.

    ``layout`` is ``text`` or ``csv`` (see :func:`layout_of`). Iterating raises
    :class:`DestinationFileError` when the file cannot be opened or is not UTF-8 text.
    """

    path: Path
    layout: Layout = "text"

    @classmethod
    def open(cls, path: str | Path, layout: str = "auto") -> DestinationFile:
        """A :class:`DestinationFile` for ``path``; ``layout`` ``auto`` decides by its name."""
        return cls(Path(path), layout_of(path, layout))

    def __iter__(self) -> Iterator[Destination]:
        source = str(self.path)
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - closed in the finally below
        except OSError as exc:
            raise DestinationFileError(source, None,
                                       f"cannot read it: {exc.strerror or exc}") from exc
        try:
            text = _decoded_lines(handle, source)
            if self.layout == "csv":
                yield from destinations_from_csv(text, source=source)
            else:
                yield from destinations_from_lines(text)
        finally:
            handle.close()


def _decoded_lines(raw_lines: Iterable[bytes], source: str) -> Iterator[str]:
    """UTF-8 lines (line endings kept), a leading byte order mark removed. Decoding line by line
    lets an undecodable byte be reported with its exact line number."""
    for number, raw in enumerate(raw_lines, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DestinationFileError(source, number, f"not UTF-8 text ({exc.reason} at byte "
                                                       f"{exc.start} of the line)") from exc
        yield line.removeprefix(_BOM) if number == 1 else line
