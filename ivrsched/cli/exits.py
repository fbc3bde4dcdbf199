"""Exit codes, :class:`CliError` and the closed-pipe fallback: what ``ivrsched --help`` and
every command need, kept apart from :mod:`ivrsched.cli.common` so that the help imports no
engine module."""

from __future__ import annotations

import os
import sys

__all__ = ["EXIT_CODES_HELP", "EXIT_INVALID_REQUEST", "EXIT_OK", "EXIT_OUT_OF_RANGE",
           "EXIT_REFUSED", "EXIT_UNREADABLE_INPUT", "EXIT_USAGE", "EXIT_VIOLATIONS", "CliError",
           "silence_stdout"]

#: Exit codes, documented in ``ivrsched --help`` and the README.
EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2
EXIT_INVALID_REQUEST = 3
EXIT_UNREADABLE_INPUT = 4

EXIT_CODES_HELP = """exit codes:
  0  success (for verify: the log conforms)
  1  verify found violations
  2  usage error (bad options or arguments, unreadable request file, unwritable output)
  3  invalid request (or not UTF-8 text): one 'PATH: message' line per problem on stderr
  4  unreadable input file (log, outcomes, destinations, events); the message names the line
  5  the plan cannot be represented (instants outside years 1..9999)
  6  the campaign (or --events) refuses an operation: resume when not paused, anything after cancel
  130  run stopped by Ctrl-C (143: SIGTERM); the journal is consistent, run --journal continues"""

EXIT_OUT_OF_RANGE = 5
EXIT_REFUSED = 6


class CliError(Exception):
    """An error to report to the user as one line on stderr, with an exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def silence_stdout() -> None:
    """After a closed pipe (``ivrsched plan R | head``): point stdout at /dev/null, so that the
    interpreter's final flush does not complain again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
