"""``-o/--output FILE`` and ``-q/--quiet`` for every subcommand.

Commands write their results to standard output. ``-o FILE`` sends that output to ``FILE``
instead, written atomically (:func:`ivrsched.io.atomic.atomic_text_file`): a run that fails
(exit code 2 or more, an exception, Ctrl-C) leaves ``FILE`` as it was. ``verify`` exits 1 when it
finds violations; its report is still complete, so the file is written.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TextIO

from ivrsched.cli.exits import EXIT_USAGE, EXIT_VIOLATIONS, CliError

__all__ = ["add_output_option", "add_quiet_option", "output_to", "quiet_stderr"]

#: The exit codes after which the output is complete and is kept.
KEPT_EXIT_CODES = frozenset({0, EXIT_VIOLATIONS})


def add_output_option(parser: argparse.ArgumentParser) -> None:
    """Add ``-o/--output FILE`` to ``parser`` unless the command already has its own."""
    if any("--output" in action.option_strings for action in parser._actions):
        return
    parser.add_argument("-o", "--output", metavar="FILE", dest="stdout_file",
                        help="write the output to FILE instead of standard output, atomically: "
                             "a failed run leaves FILE as it was ('-' is standard output)")


def add_quiet_option(parser: argparse.ArgumentParser) -> None:
    """Add ``-q/--quiet`` to ``parser``."""
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print nothing on standard error but errors: no notices, "
                             "summaries or progress")


@contextmanager
def quiet_stderr(quiet: bool) -> Iterator[None]:
    """While the block runs, standard error is discarded when ``quiet``. Commands print only
    notices, summaries and progress there themselves; errors reach the user as exceptions,
    which are reported after the block, on the real standard error."""
    if not quiet:
        yield
        return
    saved = sys.stderr
    with open(os.devnull, "w", encoding="utf-8") as sink:
        sys.stderr = sink
        try:
            yield
        finally:
            sys.stderr = saved


class _Discarded(Exception):
    """The command ended with an exit code after which its output is not kept."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@contextmanager
def _stdout_replaced(stream: TextIO) -> Iterator[None]:
    saved = sys.stdout
    sys.stdout = stream
    try:
        yield
    finally:
        sys.stdout = saved


def output_to(path: str | None, run: Callable[[], int]) -> int:
    """Run ``run`` with standard output sent to ``path`` (None or ``-``: left as it is).

    The file is replaced only when ``run`` returns an exit code in :data:`KEPT_EXIT_CODES`.
    """
    if path is None or path == "-":
        return run()
    if os.path.isdir(path):
        raise CliError(f"cannot write {path}: it is a directory", EXIT_USAGE)
    # Imported here: tempfile is not needed by ``--help`` nor by output to stdout.
    from ivrsched.io.atomic import atomic_text_file

    stack = ExitStack()
    try:
        handle = stack.enter_context(atomic_text_file(path))
    except OSError as exc:  # no such directory, no permission: nothing has run yet
        raise CliError(f"cannot write {path}: {exc.strerror or exc}", EXIT_USAGE) from exc
    try:
        with stack, _stdout_replaced(handle):
            code = run()
            if code not in KEPT_EXIT_CODES:
                raise _Discarded(code)
    except _Discarded as discarded:
        return discarded.code
    return code
