"""Destinations streamed from a file (SPEC S7), in constant memory.

Two layouts are read:

* **text**: one address per line;
* **csv**: a header row naming a ``to`` column and, optionally, a ``messageId`` column; other
  columns are ignored.

Surrounding white space is trimmed from addresses and messageIds (a number pasted with a
trailing space is still that number). Blank lines and comment lines (starting with ``#``) are
passed over and counted in a :class:`SkippedLines` the caller may give.

Every line becomes one :class:`~ivrsched.request.model.Destination` with its 1-based line number in
``Destination.line`` and the status S7 gives it: a faulty line is *rejected*, never dropped, so the
destinations yielded account for every line of the file (a CSV header is not a destination). Only
faults that make the file itself unreadable (bytes that are not UTF-8, a CSV without a ``to``
column) raise :class:`DestinationFileError` (an
:class:`~ivrsched.io.text_files.InputFileError`), which names the file and the line.

Memory stays constant, except for one thing: S7's duplicate ``messageId`` check must remember every
``messageId`` given, so a CSV with a ``messageId`` column holds those IDs in a set.
"""

from __future__ import annotations

import csv
import re
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Literal, overload

from ivrsched.io.text_files import BOM, InputFileError, decoded_lines, read_lines
from ivrsched.request.destinations import MessageIdRegistry, classify, destination_status
from ivrsched.request.model import Destination, Request
from ivrsched.request.status import Status

Layout = Literal["text", "csv"]
LAYOUTS: tuple[str, ...] = ("auto", "text", "csv")


class DestinationFileError(InputFileError):
    """A destinations file that cannot be read at all (as opposed to a faulty line, which is a
    rejected destination): ``source``, 1-based ``line`` (None when the fault is not on one
    line) and ``reason``."""


def layout_of(path: str | Path, layout: str = "auto") -> Layout:
    """The layout to read ``path`` with: ``auto`` means csv for a ``.csv`` name, else text."""
    if layout == "text":
        return "text"
    if layout == "csv":
        return "csv"
    if layout != "auto":
        raise ValueError(f"unknown destinations layout {layout!r}; use one of {LAYOUTS}")
    return "csv" if Path(path).suffix.lower() == ".csv" else "text"


@dataclass
class SkippedLines:
    """How many blank and comment lines a reading passed over (it counts as it goes)."""

    count: int = 0


def _skipped(text: str) -> bool:
    return not text or text[0] == "#"


def destinations_from_lines(lines: Iterable[str], *, first_line: int = 1,
                            skipped: SkippedLines | None = None) -> Iterator[Destination]:
    """One destination per line of text, trimmed of surrounding white space and classified by
    S7; blank and ``#`` comment lines are passed over (and counted in ``skipped``). Text lines
    carry no ``messageId``, so no ID is remembered: constant memory."""
    accepted = Status.PENDING_ACCEPTED
    tally = skipped if skipped is not None else SkippedLines()
    for number, line in enumerate(lines, start=first_line):
        to = line.strip()
        if _skipped(to):
            tally.count += 1
            continue
        status, reason = classify(to)
        if status is accepted:
            # The common case, kept lean: most lines of a real file are good numbers.
            yield Destination(to, None, accepted, None, number)
        else:
            yield Destination(to, None, status, reason, number)


def destinations_from_csv(lines: Iterable[str], *, source: str = "<csv>",
                          skipped: SkippedLines | None = None) -> Iterator[Destination]:
    """One destination per CSV record after the header (which must name a ``to`` column).

    Cells are trimmed of surrounding white space. An empty or absent ``to`` cell is 51
    MISSING_TO; an empty ``messageId`` cell means none was given. A record whose cells are all
    blank, or whose first cell starts with ``#``, is passed over (and counted in ``skipped``).
    ``line`` is the physical line the record starts on (a quoted cell may span lines).
    """
    tally = skipped if skipped is not None else SkippedLines()
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise DestinationFileError(source, None, "empty CSV file: expected a header row "
                                                     "with a 'to' column")
        names = [name.strip().lstrip(BOM) for name in header]
        if "to" not in names:
            raise DestinationFileError(source, 1, f"the CSV header {header!a} has no 'to' column")
        to_column = names.index("to")
        id_column = names.index("messageId") if "messageId" in names else None
        registry = MessageIdRegistry()
        previous_end = reader.line_num
        for record in reader:
            line, previous_end = previous_end + 1, reader.line_num
            cells = [cell.strip() for cell in record]
            if not any(cells) or cells[0].startswith("#"):
                tally.count += 1
                continue
            to = cells[to_column] if to_column < len(cells) else None
            message_id = (cells[id_column] or None
                          if id_column is not None and id_column < len(cells) else None)
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
    #: The name errors give the file (None: its path), e.g. ``standard input`` for a copy.
    name: str | None = None

    @classmethod
    def open(cls, path: str | Path, layout: str = "auto", *,
             name: str | None = None) -> DestinationFile:
        """A :class:`DestinationFile` for ``path``; ``layout`` ``auto`` decides by its name."""
        return cls(Path(path), layout_of(path, layout), name)

    def __iter__(self) -> Iterator[Destination]:
        return self.read()

    def read(self, skipped: SkippedLines | None = None) -> Iterator[Destination]:
        """The file's destinations, read again from the start; blank and comment lines passed
        over are counted in ``skipped``."""
        source = self.name if self.name is not None else str(self.path)
        lines = read_lines(self.path, source, DestinationFileError)
        try:
            if self.layout == "csv":
                yield from destinations_from_csv(lines, source=source, skipped=skipped)
            else:
                yield from destinations_from_lines(lines, skipped=skipped)
        finally:
            lines.close()

    def blocks(self, size: int, skipped: SkippedLines | None = None) -> Iterator[Block]:
        """The destinations of :meth:`read`, in blocks of at most ``size`` lines (a block may
        hold fewer destinations, when it has blank or comment lines): a block of a text file
        whose every line is an accepted address as written is :class:`PlainLines`, any other
        a list of destinations. An unreadable line raises after the destinations before it."""
        if self.layout == "csv":
            return destination_lists(self.read(skipped), size)
        source = self.name if self.name is not None else str(self.path)
        return _text_blocks(self.path, source, size, skipped)


# -- blocks of lines, for the writers that work a chunk at a time -------------------------------

#: A block of lines each of which is an address S7 accepts exactly as written (an optional
#: ``+``, then 7 to 15 ASCII digits, the first not 0), with nothing to trim around it and no
#: ``\r``: the lines of most real files. Anything else in a block (a BOM, white space, a blank
#: or comment line, a bad number, non-ASCII text) sends that block the line-by-line way.
_PLAIN_BLOCK = re.compile(rb"(?:\+?[1-9][0-9]{6,14}\n)*(?:\+?[1-9][0-9]{6,14})?")


@dataclass(frozen=True)
class PlainLines:
    """Consecutive lines of a text destinations file, every one an accepted address with no
    ``messageId``: ``tos[k]`` is on line ``first_line + k``. The destinations they stand for
    (:meth:`destinations`) are never built by the chunked writers, which is what makes them
    fast."""

    tos: list[str]
    first_line: int

    def __len__(self) -> int:
        return len(self.tos)

    def destinations(self) -> list[Destination]:
        """The :class:`~ivrsched.request.model.Destination` of each line."""
        return [Destination(to, line=line)
                for line, to in enumerate(self.tos, start=self.first_line)]


#: What :meth:`DestinationFile.blocks` yields: plain lines, or destinations of any kind.
Block = PlainLines | list[Destination]


def destination_lists(destinations: Iterable[Destination], size: int
                      ) -> Iterator[list[Destination]]:
    """``destinations`` in lists of ``size`` (the last one shorter). When reading fails (an
    unreadable line of a file), the destinations read before it come first, so that their
    rows are written before the error, as the row-by-row writers do."""
    it = iter(destinations)
    while True:
        chunk: list[Destination] = []
        try:
            chunk.extend(islice(it, size))
        except Exception:
            if chunk:
                yield chunk
            raise
        if not chunk:
            return
        yield chunk


def _text_blocks(path: Path, source: str, size: int,
                 skipped: SkippedLines | None) -> Iterator[Block]:
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below
    except OSError as exc:
        raise DestinationFileError(source, None, f"cannot read it: {exc.strerror or exc}"
                                   ) from None
    try:
        number = 1
        while raw := list(islice(handle, size)):
            text = b"".join(raw)
            if _PLAIN_BLOCK.fullmatch(text):
                tos = text.decode("ascii").split("\n")
                if not tos[-1]:
                    tos.pop()
                yield PlainLines(tos, number)
            else:
                lines = decoded_lines(raw, source, DestinationFileError, first_line=number)
                yield from destination_lists(
                    destinations_from_lines(lines, first_line=number, skipped=skipped), size)
            number += len(raw)
    finally:
        handle.close()


# -- destinations held for random access -------------------------------------------------------

class HeldDestinations(Sequence[Destination]):
    """Destinations read once from any iterable and held for random access, compactly.

    Most destinations of a large file are accepted numbers without a given messageId: for those
    only the address and the line number are kept (the
    :class:`~ivrsched.request.model.Destination` is
    rebuilt on access); any other destination is kept whole. Memory is O(n), about a third of a
    list of :class:`~ivrsched.request.model.Destination` objects.
    """

    def __init__(self, destinations: Iterable[Destination]) -> None:
        self._to: list[str | None] = []
        self._lines = array("q")  # 0: no line
        self._whole: dict[int, Destination] = {}
        plain = Status.PENDING_ACCEPTED
        for index, destination in enumerate(destinations):
            self._to.append(destination.to)
            self._lines.append(destination.line or 0)
            if (destination.status is not plain or destination.message_id is not None
                    or destination.reason is not None):
                self._whole[index] = destination
        # Positions of the rejected destinations, ascending (the dict keeps insertion order).
        self.rejected = tuple(i for i, d in self._whole.items() if not d.accepted)

    def __len__(self) -> int:
        return len(self._to)

    @overload
    def __getitem__(self, key: int) -> Destination: ...

    @overload
    def __getitem__(self, key: slice) -> tuple[Destination, ...]: ...

    def __getitem__(self, key: int | slice) -> Destination | tuple[Destination, ...]:
        if isinstance(key, slice):
            return tuple(self._at(i) for i in range(len(self._to))[key])
        return self._at(range(len(self._to))[key])

    def __iter__(self) -> Iterator[Destination]:
        return (self._at(i) for i in range(len(self._to)))

    def _at(self, index: int) -> Destination:
        whole = self._whole.get(index)
        if whole is not None:
            return whole
        return Destination(self._to[index], line=self._lines[index] or None)


def with_destinations(request: Request, destinations: Iterable[Destination],
                      message: int = 0) -> Request:
    """``request`` with message ``message``'s destinations replaced by ``destinations`` (e.g. a
    :class:`~ivrsched.io.destination_files.DestinationFile`), read once into
    :class:`HeldDestinations` (:func:`ivrsched.planning.planner.with_destinations`).

    Positions are the destinations' positions in ``destinations``, so generated messageIds
    are those ``ivrsched.plan(request, destinations)`` gives for the same destinations.
    """
    from ivrsched.planning.planner import with_destinations as replaced

    held = (destinations if isinstance(destinations, HeldDestinations)
            else HeldDestinations(destinations))
    return replaced(request, held, message)
