"""Writing a file all at once or not at all.

A command that fails halfway (invalid input found late, a full disk, Ctrl-C, a kill) must not
leave a half-written file where a complete one is expected. :func:`atomic_text_file` writes to a
temporary file in the target's directory and renames it over the target only once everything is
written and flushed to disk: ``os.replace`` is atomic on POSIX and Windows, so a reader sees the
old file or the new one, never a mixture.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TextIO

__all__ = ["atomic_text_file"]


def _creation_mode() -> int:
    """The permissions an ordinary ``open(path, "w")`` would give a new file (0666 less the
    umask); ``mkstemp`` makes its files private (0600), which is right while writing only."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_text_file(path: str | os.PathLike[str], *,
                     encoding: str = "utf-8") -> Iterator[TextIO]:
    """A text stream whose content replaces ``path`` when the ``with`` block ends normally.

    If the block raises (anything, ``KeyboardInterrupt`` included), the temporary file is
    removed and ``path`` is left as it was. Errors creating the temporary file (no such
    directory, no permission) are raised as :class:`OSError` before the block runs.
    """
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    fd, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".part",
                                     dir=directory)
    try:
        with os.fdopen(fd, "w", encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _creation_mode())
        os.replace(temporary, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
