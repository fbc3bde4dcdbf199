"""Progress of long work on standard error, with tqdm, only where a person is watching.

A bar is shown when standard error is a terminal (never in a pipe or a file, never under
``-q``, which points standard error elsewhere) and tqdm is installed (the ``progress`` extra);
otherwise the items pass through untouched, at no cost.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

__all__ = ["count_lines", "interactive", "with_progress"]

T = TypeVar("T")

#: A bar is redrawn at most this often (seconds): drawing costs nothing measurable then.
REDRAW_SECONDS = 0.5


def interactive() -> bool:
    """Whether standard error is a terminal that can show a bar."""
    stream = sys.stderr
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def count_lines(path: str | Path) -> int:
    """The number of lines of a file (a last line without a line ending counts), read in
    1 MiB blocks: about a second for 10^7 numbers, spent only when a bar is shown."""
    lines = 0
    last = b"\n"
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")


def with_progress(items: Iterable[T], *, total: int | None, description: str,
                  unit: str = "line") -> Iterator[T]:
    """``items``, showing how many have passed (of ``total``, with an ETA) when
    :func:`interactive`."""
    if not interactive():
        return iter(items)
    try:
        from tqdm import tqdm
    except ImportError:
        return iter(items)
    return iter(tqdm(items, total=total, desc=description, unit=unit, unit_scale=True,
                     file=sys.stderr, leave=False, mininterval=REDRAW_SECONDS,
                     dynamic_ncols=True))
