"""The ``ivrsched`` command: a thin argparse front over the library."""

from __future__ import annotations

import argparse
import importlib
import io
import sys
from collections.abc import Sequence

from ivrsched import __version__
from ivrsched.cli.exits import (
    EXIT_CODES_HELP,
    EXIT_INVALID_REQUEST,
    EXIT_OUT_OF_RANGE,
    EXIT_REFUSED,
    EXIT_UNREADABLE_INPUT,
    EXIT_USAGE,
    CliError,
    silence_stdout,
)
from ivrsched.cli.output import add_output_option, add_quiet_option, output_to, quiet_stderr

#: Subcommand modules under ``ivrsched.cli``; each has ``register(subparsers)``, which adds its
#: parser(s) and sets ``run`` (a function ``(args) -> exit code``) as a default.
COMMANDS: tuple[str, ...] = ("plan", "explain", "respond", "simulate", "verify", "vectors",
                              "forecast", "plot", "run", "lifecycle", "status", "log",
                              "serve")

#: Every command name, in the order of ``ivrsched --help``: the module of :data:`COMMANDS` that
#: registers it and its one-line summary. A command's module imports the engine it runs, so the
#: top-level help and each command other than the one asked for are built from this table
#: alone (a test checks it against what the modules register).
SUMMARIES: dict[str, tuple[str, str]] = {
    "plan": ("plan", "print every destination's planned attempt times"),
    "explain": ("explain", "describe each message's plan in sentences"),
    "respond": ("respond", "print the response the platform would give to a request"),
    "simulate": ("simulate", "simulate every attempt under given or random outcomes"),
    "verify": ("verify", "check an observed attempt log against the rules"),
    "vectors": ("vectors", "write conformance test cases for another implementation"),
    "forecast": ("forecast", "forecast the calls per time bucket"),
    "plot": ("plot", "draw the forecast as a PNG or SVG picture"),
    "run": ("run", "dispatch a campaign in real time through a dialer command"),
    "pause": ("lifecycle", "pause a campaign: no attempt starts until resume"),
    "resume": ("lifecycle", "resume a paused campaign"),
    "cancel": ("lifecycle", "cancel a campaign: no attempt starts any more"),
    "reschedule": ("lifecycle", "move the start of a campaign that has not started"),
    "status": ("status", "a campaign's state, counts by status, next wake-up"),
    "log": ("log", "a campaign's attempt log, from its journal"),
    "serve": ("serve", "serve a local sandbox of the platform's voice API"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every subcommand of :data:`COMMANDS` registered.

    With ``only`` (a command name), only that command's module is imported and registers its
    full parser; every other command gets a placeholder parser carrying its summary, which is
    all ``ivrsched --help`` shows. ``only=""`` builds placeholders alone.
    """
    parser = argparse.ArgumentParser(
        prog="ivrsched",
        description="Exact, offline schedules for outbound IVR campaigns.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ivrsched {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    wanted = COMMANDS if only is None else (
        (SUMMARIES[only][0],) if only in SUMMARIES else ())
    registered: set[str] = set()
    for name, (module, summary) in SUMMARIES.items():
        if module in registered:
            continue
        if module in wanted:
            importlib.import_module(f"{__package__}.{module}_cmd").register(subparsers)
            registered.add(module)
        else:
            subparsers.add_parser(name, help=summary)
    for subparser in subparsers.choices.values():
        add_output_option(subparser)
        add_quiet_option(subparser)
    return parser


def _command_asked_for(argv: Sequence[str]) -> str:
    """The subcommand named in ``argv``: its first word that is not an option (the top-level
    options, ``-h`` and ``--version``, take no value), or ``""``."""
    for word in argv:
        if not word.startswith("-"):
            return word
    return ""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    words = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(_command_asked_for(words)).parse_args(words)
    if not hasattr(args, "run"):  # named in a way the first word did not show: build them all
        args = build_parser().parse_args(words)
    # Imported only now: ``--help`` and usage errors have exited above without them.
    from ivrsched.errors import PlanRangeError, RequestError, display_path
    from ivrsched.io.text_files import InputFileError
    from ivrsched.rules.lifecycle import LifecycleError

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
    except LifecycleError as exc:  # --events that the lifecycle rules refuse
        which = "" if exc.index is None else f"--events: operation {exc.index + 1}: "
        print(f"ivrsched: {which}{exc}", file=sys.stderr)
        return EXIT_REFUSED
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
