"""Text input files, read one way: UTF-8, a byte order mark skipped, every fault on its line.

Destination files, attempt logs and outcome files are all read through :func:`read_lines` (a
file) or :func:`decoded_lines` (any stream of bytes), and every fault that makes one unreadable
is an :class:`InputFileError` naming the file, the line and the reason (the CLI exits 4 on it).

Lines are decoded one by one, so that bytes that are not UTF-8 are reported on their exact line
(a text stream decodes ahead, in chunks). Only LF ends a line (CR LF too, with the CR kept for
the reader to remove): U+2028 and the other Unicode line separators may sit inside a JSON string
or a CSV cell.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from pathlib import Path

from ivrsched.errors import IvrschedError

#: The byte order mark editors and spreadsheets often put before the first line ("CSV UTF-8").
BOM = "\ufeff"


class InputFileError(IvrschedError, ValueError):
    """An input file, or one of its lines, that cannot be read.

    ``source`` names the file (or the stream, such as ``<stdin>``), ``line`` is the 1-based line
    number (None when the fault is not on one line, e.g. a file that cannot be opened) and
    ``reason`` says what is wrong. The message reads ``source:line: reason``.
    """

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        where = source if line is None else f"{source}:{line}"
        super().__init__(f"{where}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason


def without_bom(lines: Iterable[str]) -> Iterator[str]:
    """The lines with a byte order mark at the start of the first one removed: it would
    otherwise stick to the first JSON value or CSV column name (a CSV's first column would
    silently go unread)."""
    iterator = iter(lines)
    first = next(iterator, None)
    if first is None:
        return
    yield first.removeprefix(BOM)
    yield from iterator


def decoded_lines(raw_lines: Iterable[bytes], source: str,
                  error: type[InputFileError] = InputFileError, *,
                  first_line: int = 1) -> Iterator[str]:
    """UTF-8 lines (line endings kept) of a binary stream, a leading byte order mark removed.

    Raises ``error`` (an :class:`InputFileError`, or the subclass of the file's kind) at the
    first line that is not UTF-8, naming it. ``first_line`` is the number of the first of
    ``raw_lines`` in its file (for a block read from the middle of one).
    """
    for number, raw in enumerate(raw_lines, start=first_line):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise error(source, number, f"not UTF-8 text (byte {exc.start + 1} of the line)"
                        ) from None
        yield line.removeprefix(BOM) if number == 1 else line


def read_lines(path: str | Path, source: str | None = None,
               error: type[InputFileError] = InputFileError) -> Generator[str, None, None]:
    """The lines of the file at ``path``, as :func:`decoded_lines` gives them, streamed (the
    file is open while the iterator runs and closed when it ends or is closed).

    ``source`` names the file in errors (default: ``path``). Raises ``error`` when the file
    cannot be opened (line None) or a line is not UTF-8.
    """
    name = str(path) if source is None else source
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below
    except OSError as exc:
        raise error(name, None, f"cannot read it: {exc.strerror or exc}") from None
    try:
        yield from decoded_lines(handle, name, error)
    finally:
        handle.close()


__all__ = ["BOM", "InputFileError", "decoded_lines", "read_lines", "without_bom"]
