"""The ``ivrsched`` command: a thin argparse front over the library."""

from __future__ import annotations

import argparse
import importlib
import io
import sys
from collections.abc import Sequence

from ivrsched import __version__
from ivrsched.cli.common import (
    EXIT_CODES_HELP,
    EXIT_INVALID_REQUEST,
    EXIT_OUT_OF_RANGE,
    EXIT_UNREADABLE_INPUT,
    EXIT_USAGE,
    CliError,
    silence_stdout,
)
from ivrsched.cli.output import add_output_option, add_quiet_option, output_to, quiet_stderr
from ivrsched.errors import PlanRangeError, RequestError, display_path
from ivrsched.io.text_files import InputFileError

#: Subcommand modules under ``ivrsched.cli``; each has ``register(subparsers)``, which adds its
#: parser and sets ``run`` (a function ``(args) -> exit code``) as a default.
COMMANDS: tuple[str, ...] = ("plan", "explain", "respond", "simulate", "verify", "vectors",
                              "forecast", "plot", "run", "lifecycle", "status", "log",
                              "serve")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand of :data:`COMMANDS` registered."""
    parser = argparse.ArgumentParser(
        prog="ivrsched",
        description="Exact, offline schedules for outbound IVR campaigns.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ivrsched {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"{__package__}.{name}_cmd").register(subparsers)
    for subparser in subparsers.choices.values():
        add_output_option(subparser)
        add_quiet_option(subparser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # Text the locale cannot encode (an unpaired surrogate, which a JSON escape can carry into
    # a member name, or any non-ASCII character under an ASCII locale) is written as its
    # backslash escape instead of ending the command with a traceback halfway through.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        with quiet_stderr(args.quiet):
            code: int = output_to(getattr(args, "stdout_file", None), lambda: args.run(args))
            # Flushed here, not by the interpreter at exit, so that a write error (a full
            # disk) is reported below instead of as a traceback after the exit code was chosen.
            sys.stdout.flush()
    except RequestError as exc:
        for problem in exc.errors:
            print(f"{display_path(problem.path)}: {problem.message}", file=sys.stderr)
        return EXIT_INVALID_REQUEST
    except PlanRangeError as exc:
        print(f"ivrsched: {exc}", file=sys.stderr)
        return EXIT_OUT_OF_RANGE
    except InputFileError as exc:  # a log, outcome or destination file a command did not catch
        print(f"ivrsched: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE_INPUT
    except CliError as exc:
        print(f"ivrsched: {exc}", file=sys.stderr)
        return exc.code
    except BrokenPipeError:
        # A closed pipe (``ivrsched plan R | head``) is the reader's choice, not an error.
        # (A command whose exit code carries a verdict, verify, catches it itself.)
        silence_stdout()
        return 0
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        # Reading errors are reported by the commands themselves (with the file's name); what
        # reaches here is output that could not be written (ENOSPC, EIO, a closed descriptor).
        print(f"ivrsched: cannot write output: {exc.strerror or exc}", file=sys.stderr)
        silence_stdout()
        return EXIT_USAGE
    return code


def entry() -> None:
    """The console script: run :func:`main` and exit with its code."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
