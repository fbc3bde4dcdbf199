"""``ivrsched simulate``: run a request's attempts under outcomes; log, summary, reports (S10)."""

from __future__ import annotations

import argparse
import secrets
import sys
from fractions import Fraction
from pathlib import Path
from typing import IO

from ivrsched.cli.common import (
    EXIT_INVALID_REQUEST,
    EXIT_OK,
    EXIT_UNREADABLE_INPUT,
    EXIT_USAGE,
    CliError,
    add_events_argument,
    add_now_argument,
    add_policy_argument,
    add_request_argument,
    add_seed_argument,
    ids_for,
    load_policy,
    rational,
)
from ivrsched.cli.destinations_arg import add_destinations_argument, planned, report_file
from ivrsched.io.outcome_files import OutcomeFileError, load_outcomes
from ivrsched.io.simulation_formats import LOG_FORMATS, AttemptLog, summary_line
from ivrsched.planning.planner import Plan
from ivrsched.simulation.engine import AttemptEvent, DestinationResult, Ending, Tally, simulate
from ivrsched.simulation.outcomes import OutcomeSource, Random
from ivrsched.simulation.reports import ReportDirectory, ReportEncodingError, ReportStream

#: Defaults of the random model: half the calls answered, one in ten busy, the rest unanswered.
DEFAULT_ANSWER_RATE = Fraction(1, 2)
DEFAULT_BUSY_RATE = Fraction(1, 10)


def probability(text: str) -> Fraction:
    """A rate option: a decimal or a fraction such as ``1/3``, exactly, in [0, 1]."""
    try:
        value = rational(text)
    except ZeroDivisionError:
        raise argparse.ArgumentTypeError(f"not a probability: {text!r}") from None
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a probability: {text!r} ({exc})") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (got {text})")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "simulate", help="simulate every attempt under given or random outcomes",
        description="Run REQUEST's attempts (rules S5, S10: the Rules page of the "
                    "documentation): first attempts as planned, each retry its retry gap "
                    "after the previous attempt ended, none at or after the "
                    "deadline. Prints the attempt log on stdout (time order) and a summary on "
                    "stderr; writes delivery reports with --reports.")
    add_request_argument(parser)
    add_now_argument(parser)
    add_seed_argument(parser)
    parser.add_argument("--answer-rate", type=probability, default=DEFAULT_ANSWER_RATE,
                        metavar="P", help="random model: share of answered calls (default 0.5)")
    parser.add_argument("--busy-rate", type=probability, default=None, metavar="P",
                        help="random model: share of busy calls (default 0.1, or what "
                             "--answer-rate leaves when that is less)")
    parser.add_argument("--outcomes", metavar="FILE",
                        help="outcomes by messageId or to and attempt (JSONL, or CSV when the "
                             "name ends in .csv); attempts it does not list use the random "
                             "model")
    parser.add_argument("--format", choices=LOG_FORMATS, default=None,
                        help="log format (default: table on a terminal, else jsonl)")
    parser.add_argument("--reports", metavar="DIR", type=Path,
                        help="write a delivery report per destination into DIR")
    parser.add_argument("--reports-format", choices=("files", "jsonl"), default="files",
                        help="files: one file per destination; jsonl: DIR/reports.jsonl")
    add_destinations_argument(parser)
    add_events_argument(parser)
    add_policy_argument(parser)
    parser.set_defaults(run=run)


def _outcomes(args: argparse.Namespace, seed: int) -> OutcomeSource:
    busy_rate = args.busy_rate
    if busy_rate is None:
        busy_rate = min(DEFAULT_BUSY_RATE, 1 - args.answer_rate)
    if args.answer_rate + busy_rate > 1:
        raise CliError("--answer-rate plus --busy-rate must not exceed 1", EXIT_USAGE)
    model = Random(args.answer_rate, busy_rate, seed=seed)
    if args.outcomes is None:
        return model
    try:
        table = load_outcomes(args.outcomes)
    except OutcomeFileError as exc:
        raise CliError(str(exc), EXIT_UNREADABLE_INPUT) from None
    except OSError as exc:
        raise CliError(f"cannot read {args.outcomes}: {exc.strerror or exc}",
                       EXIT_UNREADABLE_INPUT) from None
    return table.with_fallback(model)


def run(args: argparse.Namespace) -> int:
    policy = load_policy(args.policy, strict=args.strict)
    seed = args.seed if args.seed is not None else secrets.randbits(63)
    the_plan = planned(args, ids=ids_for(seed))
    # Count the destinations (a file is read once for it) before any output: a bad file, or a
    # plan leaving years 1..9999 (S12), fails first, as for a request listing them.
    len(the_plan)
    outcomes = _outcomes(args, seed)
    # A lone surrogate is a valid JSON escape but cannot be UTF-8: write it back as the escape.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    log = AttemptLog(args.format or ("table" if sys.stdout.isatty() else "jsonl"), sys.stdout)
    tally = Tally()
    no_zone = 0
    stream: IO[str] | None = None
    try:
        sink: ReportDirectory | ReportStream | None = None
        if args.reports is not None:
            try:
                args.reports.mkdir(parents=True, exist_ok=True)
                if args.reports_format == "jsonl":
                    stream = open(args.reports / "reports.jsonl", "w", encoding="utf-8",  # noqa: SIM115
                                  errors="backslashreplace")
                    sink = ReportStream(stream)
                else:
                    sink = ReportDirectory(args.reports)
            except OSError as exc:
                raise CliError(f"cannot write reports into {args.reports}: "
                               f"{exc.strerror or exc}", EXIT_USAGE) from None
        for record in simulate(the_plan, outcomes, policy=policy).records():
            tally.add(record)
            if isinstance(record, AttemptEvent):
                log.write(record)
                continue
            no_zone += record.ending is Ending.NO_ZONE
            if sink is not None:
                _write_report(sink, the_plan, record)
    finally:
        if stream is not None:
            stream.close()
    sys.stdout.flush()
    if args.seed is None:
        print(f"seed {seed} (pass --seed {seed} to reproduce this run)", file=sys.stderr)
    report_file(the_plan, args)
    if no_zone:
        print(f"notice: {args.policy}: {no_zone} destination{'' if no_zone == 1 else 's'} "
              "with no known time zone and no fallbackZone: not called, expired",
              file=sys.stderr)
    print(summary_line(tally.summary()), file=sys.stderr)
    return EXIT_OK


def _write_report(sink: ReportDirectory | ReportStream, the_plan: Plan,
                  result: DestinationResult) -> None:
    try:
        sink.write(the_plan, result)
    except ReportEncodingError as exc:
        raise CliError(f"report of message {result.message} destination {result.index}: {exc}",
                       EXIT_INVALID_REQUEST) from None
    except OSError as exc:
        raise CliError(f"cannot write a report: {exc.strerror or exc}", EXIT_USAGE) from None
