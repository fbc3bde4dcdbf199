"""``--journal FILE``: the dispatcher a live command works on (SPEC S14).

Every command that reads or changes a running campaign (``run``, ``pause``, ``resume``,
``reschedule``, ``cancel``, ``status``) opens the campaign from its journal with
:func:`open_journal`; the journal is the channel between them, so ``pause`` from one terminal
reaches ``run`` in another.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from ivrsched.cli.common import EXIT_UNREADABLE_INPUT, EXIT_USAGE, CliError
from ivrsched.dispatch import Dispatcher, JournalError
from ivrsched.planning.planner import system_clock
from ivrsched.rules.instants import InstantSyntaxError, from_us, parse_instant


def add_journal_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--journal FILE`` (required)."""
    parser.add_argument("--journal", metavar="FILE", required=True,
                        help="the campaign's journal (an SQLite file)")


def add_at_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--at ISO``, the instant a lifecycle operation takes effect."""
    parser.add_argument("--at", metavar="ISO",
                        help="when the operation takes effect, ISO 8601 with offset "
                             "(default: now, from the clock)")


def parse_at(text: str | None, option: str = "--at") -> datetime:
    """An instant option, the clock's current instant when absent."""
    if text is None:
        return system_clock()
    try:
        us, offset = parse_instant(text)
        return from_us(us, offset)
    except (InstantSyntaxError, ValueError, OverflowError) as exc:
        raise CliError(f"{option}: {exc}", EXIT_USAGE) from None


def open_journal(path: str) -> Dispatcher:
    """The campaign in the journal at ``path``; a clear error when there is none."""
    try:
        return Dispatcher.open(path)
    except JournalError as exc:
        raise CliError(str(exc), EXIT_UNREADABLE_INPUT) from None
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}", EXIT_UNREADABLE_INPUT) \
            from None

