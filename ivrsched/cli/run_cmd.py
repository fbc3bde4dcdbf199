"""``ivrsched run``: dispatch a campaign in real time through a dialer command (SPEC S14)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shlex
import signal
import sys
from collections import Counter
from datetime import timedelta

from ivrsched.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    add_dialect_argument,
    add_policy_argument,
    non_negative_seconds,
    parse_now,
    print_notices,
    read_policy,
    read_text,
    silence_stdout,
)
from ivrsched.cli.journal_arg import add_journal_argument, open_journal
from ivrsched.dispatch import Attempt, Dispatcher, DispatchError, JournalError
from ivrsched.dispatch import run as dispatch_run
from ivrsched.dispatch.command_dialer import CommandDialer, render
from ivrsched.dispatch.runner import Placed
from ivrsched.planning.planner import plan, system_clock
from ivrsched.request.parsing import parse_request
from ivrsched.rules.instants import format_us, offset_minutes_of, to_us

#: Exit codes of a run stopped by a signal (the shell's 128 + signal number); the journal is
#: consistent and ``ivrsched run --journal FILE`` continues.
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
DEFAULT_DIALER_TIMEOUT = timedelta(minutes=5)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 1 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError("must be between 1 and 1000000")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run", help="dispatch a campaign in real time through a dialer command",
        description="Create a campaign from REQUEST in the journal FILE and dispatch it in real "
                    "time: each attempt, when due, is given as one JSON object on the standard "
                    "input of DIALER, which prints how the call ended ({\"outcome\": \"busy\", "
                    "\"end\": ISO} or {\"outcome\": ..., \"duration\": SECONDS}). Without "
                    "REQUEST, continue the campaign already in FILE, asking the dialer again "
                    "about the attempts left in doubt. Each attempt's log row is printed on "
                    "stdout when its outcome is recorded; problems and a summary go to stderr. "
                    "Ctrl-C stops cleanly (exit 130).")
    parser.add_argument("request", metavar="REQUEST", nargs="?",
                        help="request JSON file, or - for standard input (absent: continue "
                             "the campaign in --journal)")
    parser.add_argument("--strict", action="store_true",
                        help="treat destination faults and unknown fields as errors")
    add_dialect_argument(parser)
    add_journal_argument(parser)
    parser.add_argument("--dialer", metavar="CMD", required=True,
                        help="the command that places one call (split like a shell would, "
                             "run without one)")
    parser.add_argument("--dialer-timeout", metavar="SECONDS", type=non_negative_seconds,
                        default=DEFAULT_DIALER_TIMEOUT,
                        help="a dialer still running after this counts as a failed attempt "
                             "(default 300)")
    parser.add_argument("--max-in-progress", metavar="N", type=_positive,
                        help="at most N calls in progress at once (default: no limit)")
    parser.add_argument("--now", metavar="ISO",
                        help="submission time of a new campaign, ISO 8601 with offset "
                             "(default: the clock)")
    parser.add_argument("--seed", type=int, metavar="N",
                        help="seed for a new campaign's generated IDs (default: a random one, "
                             "kept in the journal)")
    parser.add_argument("--destinations", metavar="FILE",
                        help="a new campaign's destinations, read lazily from FILE (one number "
                             "per line, or CSV with a 'to' column and optional 'messageId'); "
                             "the request's single message then gives none")
    add_policy_argument(parser)
    parser.set_defaults(run=run)


def _dispatcher(args: argparse.Namespace) -> Dispatcher:
    if args.request is None:
        given = [option for option, value in (("--now", args.now), ("--seed", args.seed),
                                              ("--max-in-progress", args.max_in_progress),
                                              ("--strict", args.strict or None),
                                              ("--dialect", args.dialect),
                                              ("--destinations", args.destinations),
                                              ("--policy", args.policy))
                 if value is not None]
        if given:
            raise CliError(f"{', '.join(given)}: only with REQUEST, when the campaign is "
                           "created (the journal keeps them)", EXIT_USAGE)
        return open_journal(args.journal)
    if os.path.exists(args.journal):
        raise CliError(f"{args.journal} already exists: continue its campaign with "
                       f"'ivrsched run --journal {args.journal} --dialer ...', or choose "
                       "another journal", EXIT_USAGE)
    text = read_text(args.request)
    streamed = args.destinations is not None
    # Checked here with --strict (the journal keeps the text, parsed again on every open).
    request = parse_request(text, args.dialect, strict=args.strict,
                            destinations_required=not streamed)
    stated = parse_now(args.now)
    now = stated if stated is not None else system_clock()
    print_notices(request.notices if streamed else plan(request, now=now).notices)
    policy = None if args.policy is None else read_policy(args.policy,
                                                         strict=args.strict)[1]
    # A random seed unless one is given: two campaigns of one request must not share the
    # generated messageIds, hence keys, that a dialer may be idempotent by.
    seed = args.seed if args.seed is not None else secrets.randbits(63)
    try:
        return Dispatcher.create(args.journal, text, now=now, seed=seed,
                                 max_in_progress=args.max_in_progress,
                                 destinations=args.destinations, dialect=args.dialect,
                                 policy=policy)
    except (DispatchError, JournalError) as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    except OSError as exc:
        raise CliError(f"cannot create {args.journal}: {exc.strerror or exc}",
                       EXIT_USAGE) from None


def _row(attempt: Attempt, placed: Placed) -> dict[str, object]:
    """The attempt's log row, as ``ivrsched verify`` reads it and the journal's log has it."""
    offset = offset_minutes_of(attempt.time)
    return {"message": attempt.message, "index": attempt.index, "to": attempt.to,
            "messageId": attempt.message_id, "attempt": attempt.number,
            "time": format_us(to_us(attempt.time), offset),
            "end": format_us(to_us(placed.end), offset), "outcome": placed.outcome.value}


def _problem(attempt: Attempt, reason: str) -> None:
    print(f"ivrsched: {attempt.key}: {reason}; counted as a failed attempt", file=sys.stderr)


class _Rows:
    """Each recorded attempt's row on stdout. A reader that goes away (``run ... | head``)
    does not stop the campaign: the rows are in the journal (``ivrsched log``)."""

    def __init__(self) -> None:
        self.closed = False

    def __call__(self, attempt: Attempt, placed: Placed) -> None:
        if self.closed:
            return
        try:
            sys.stdout.write(json.dumps(_row(attempt, placed), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        except BrokenPipeError:
            silence_stdout()
            self.closed = True


async def _dispatch(d: Dispatcher, dialer: CommandDialer) -> None:
    """Run to the end; SIGTERM stops like Ctrl-C does (the task is cancelled)."""
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        await dispatch_run(d, dialer, on_recorded=_Rows())
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


def _summary(d: Dispatcher) -> str:
    counts = Counter(result.status.value.name for result in d.results())
    parts = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
    return f"finished: {sum(counts.values())} destinations ({parts or 'none'})"


def run(args: argparse.Namespace) -> int:
    try:
        argv = shlex.split(args.dialer)
    except ValueError as exc:
        raise CliError(f"--dialer: {exc}", EXIT_USAGE) from None
    if not argv:
        raise CliError("--dialer: the command is empty", EXIT_USAGE)
    d = _dispatcher(args)
    doubtful = list(d.in_doubt())
    for attempt in doubtful:
        print(f"ivrsched: in doubt: {attempt.key} (to {attempt.to}, handed out at "
              f"{render(attempt.time)}): asking the dialer again", file=sys.stderr)
    dialer = CommandDialer(argv, timeout=args.dialer_timeout, clock=system_clock,
                           on_problem=_problem, in_doubt={a.key for a in doubtful})
    again = f"continue with 'ivrsched run --journal {args.journal} --dialer ...'"
    try:
        asyncio.run(_dispatch(d, dialer))
        print(_summary(d), file=sys.stderr)
    except KeyboardInterrupt:
        print(f"ivrsched: interrupted; {again}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except asyncio.CancelledError:
        print(f"ivrsched: terminated; {again}", file=sys.stderr)
        return EXIT_TERMINATED
    finally:
        d.close()
    return EXIT_OK
