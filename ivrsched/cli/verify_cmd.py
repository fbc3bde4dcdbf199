"""``ivrsched verify``: does an observed attempt log obey the rules? (SPEC S11)"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import IO

from ivrsched.cli.common import (
    EXIT_OK,
    EXIT_UNREADABLE_INPUT,
    EXIT_USAGE,
    EXIT_VIOLATIONS,
    CliError,
    add_events_argument,
    add_now_argument,
    add_policy_argument,
    add_request_argument,
    add_seed_argument,
    ids_for,
    load_events,
    load_policy,
    load_request,
    non_negative_seconds,
    parse_now,
    print_notices,
    silence_stdout,
)
from ivrsched.cli.destinations_arg import (
    add_destinations_argument,
    load_streamed,
    print_stream_summary,
    summarize_destinations,
)
from ivrsched.io.destination_files import HeldDestinations
from ivrsched.io.logs import (
    LOG_FORMATS,
    LogError,
    LogFormat,
    LogRow,
    decode_lines,
    format_for_path,
    read_log,
    sniff_format,
)
from ivrsched.oracle.conformance import ColumnarLog, verify_report
from ivrsched.planning.planner import system_clock
from ivrsched.planning.streaming import StreamSummary
from ivrsched.request.model import Request


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "verify", help="check an observed attempt log against the rules",
        description="Check that the attempts in LOG obey rule S11 (the Rules page of the "
                    "documentation) for REQUEST "
                    "submitted at --now: start, pacing, deadline, retry gaps and count, "
                    "delivery window, known destinations; with --policy also the calling "
                    "policy (local calling hours in every zone of a number, closed dates and "
                    "holidays, the frequency cap per number). Exit 0 when the log conforms, "
                    "1 when it does not.")
    add_request_argument(parser)
    parser.add_argument("log", metavar="LOG",
                        help="attempt log, JSONL or CSV (rows: messageId or to, attempt, time, "
                             "optional end), or - for standard input")
    add_now_argument(parser)
    add_seed_argument(parser)
    parser.add_argument("--exact", action="store_true",
                        help="also require every attempt at its planned instant (with --policy: "
                             "the policy plan, replayed with the log's own outcomes)")
    parser.add_argument("--format", choices=("text", "jsonl"), default="text",
                        help="text: one sentence per violation and a summary line; jsonl: one "
                             "JSON object per violation")
    parser.add_argument("--log-format", choices=LOG_FORMATS, default=None,
                        help="format of LOG (default: by its extension, else by its first line)")
    parser.add_argument("--failure-delay", type=non_negative_seconds, default=timedelta(0),
                        metavar="SECONDS",
                        help="added after an attempt's start when the log gives no end")
    parser.add_argument("--require-all", action="store_true",
                        help="also report accepted destinations the log never mentions")
    add_destinations_argument(parser)
    add_events_argument(parser)
    add_policy_argument(parser)
    parser.set_defaults(run=run)


def _open_log(path: str) -> tuple[IO[bytes] | None, Iterator[str]]:
    """The log's lines, decoded one by one (so that bad UTF-8 names its line), and the file
    to close afterwards (None for standard input)."""
    if path == "-":
        binary = getattr(sys.stdin, "buffer", None)
        if binary is None:  # a text stream without bytes underneath (tests, IDEs)
            return None, iter(sys.stdin)
        return None, decode_lines(binary, "<stdin>")
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the caller
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}", EXIT_UNREADABLE_INPUT) \
            from exc
    return handle, decode_lines(handle, path)


def _regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _sniffed(lines: Iterator[str], path: str) -> tuple[LogFormat | None, Iterator[str]]:
    """The format the file name implies, else the one its first line shows; and the lines."""
    chosen = format_for_path(path) if path != "-" else None
    if chosen is not None:
        return chosen, lines
    first = next(lines, "")
    return (sniff_format(first) if first else None), itertools.chain([first], lines)


def _request(args: argparse.Namespace
             ) -> tuple[Request, HeldDestinations | None, StreamSummary | None]:
    """The request, ``--destinations``' file read into memory, and the file's counts.

    A log may name the destinations in any order, so the verifier needs them all at hand: the
    file is read once and held compactly (O(destinations) memory, like the verifier's own
    lookup tables), unlike the other commands, which stream it.
    """
    if args.destinations is None:
        return load_request(args.request, strict=args.strict, dialect=args.dialect), None, None
    request, destinations = load_streamed(args)
    held = HeldDestinations(destinations)
    return request, held, summarize_destinations(held)


def run(args: argparse.Namespace) -> int:
    if args.request == "-" and args.log == "-":
        raise CliError("REQUEST and LOG cannot both be standard input (-)", EXIT_USAGE)
    request, held, file_summary = _request(args)
    policy = load_policy(args.policy, strict=args.strict)
    now = parse_now(args.now)
    events = load_events(args.events)
    ids = ids_for(args.seed) if args.seed is not None else None
    name = "<stdin>" if args.log == "-" else args.log
    handle, lines = _open_log(args.log)
    try:
        sniffed, lines = _sniffed(lines, args.log)
        log_format: LogFormat = args.log_format or sniffed or "jsonl"
        rows = read_log(lines, log_format, name)
        log: Iterable[LogRow] | ColumnarLog = rows
        if log_format == "jsonl" and handle is not None and _regular(args.log):
            # A regular file can be read in columns at once (the same report, faster); the
            # row reader stays the fallback for a file the columns decline.
            log = ColumnarLog(args.log, name, rows)
        report = verify_report(request, log,
                               now=now if now is not None else system_clock(),
                               exact=args.exact, failure_delay=args.failure_delay, ids=ids,
                               require_all=args.require_all, destinations=held,
                               events=events, policy=policy)
    except LogError as exc:
        raise CliError(str(exc), EXIT_UNREADABLE_INPUT) from exc
    finally:
        if handle is not None:
            handle.close()
    print_notices(report.notices)
    if file_summary is not None:
        print_stream_summary(file_summary, args.destinations)
    code = EXIT_OK if report.conforms else EXIT_VIOLATIONS
    out = sys.stdout
    try:
        if args.format == "jsonl":
            for violation in report.violations:
                out.write(json.dumps(violation.as_json(), ensure_ascii=False) + "\n")
        else:
            for violation in report.violations:
                out.write(violation.sentence + "\n")
            out.write(report.summary() + "\n")
        out.flush()
    except BrokenPipeError:
        # A reader that stopped early (``verify R LOG | head -1``) must not turn a
        # non-conforming log into exit 0: the verdict is known, so it is still the exit code.
        silence_stdout()
    return code
