"""``ivrsched plan``: every destination's attempt times."""

from __future__ import annotations

import argparse
import codecs
import io
import os
import shutil
import sys
from datetime import timedelta
from types import ModuleType
from typing import IO

from ivrsched.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    CliError,
    add_events_argument,
    add_now_argument,
    add_policy_argument,
    add_request_argument,
    add_seed_argument,
    add_tz_argument,
    ids_for,
    load_policy,
    non_negative_seconds,
    parse_tz,
    print_notices,
)
from ivrsched.cli.destinations_arg import add_destinations_argument, planned, report_file
from ivrsched.io.plan_formats import FORMATS, write_csv, write_json, write_jsonl, write_table


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "plan", help="print every destination's planned attempt times",
        description="Plan every destination of REQUEST: first attempt and retries, as the "
                    "rules S1-S6 (the Rules page of the documentation) say.")
    add_request_argument(parser)
    add_now_argument(parser)
    add_seed_argument(parser)
    parser.add_argument("--format", choices=(*FORMATS, "parquet"), default=None,
                        help="output format (default: table on a terminal, else jsonl; "
                             "parquet needs pyarrow)")
    parser.add_argument("--failure-delay", type=non_negative_seconds, default=timedelta(0),
                        metavar="SECONDS",
                        help="how long an attempt takes to be known as failed (default 0)")
    parser.add_argument("--all", action="store_true", help="table: show every row")
    add_tz_argument(parser)
    add_destinations_argument(parser)
    add_events_argument(parser)
    add_policy_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # One plan whatever the source of the destinations (the request's lists, or --destinations
    # FILE, streamed in constant memory): every format, the same rows and IDs.
    tz = parse_tz(args.tz)
    if tz is not None and args.format == "parquet":
        raise CliError("--tz does not apply to --format parquet, whose timestamps are "
                       "instants (UTC)", EXIT_USAGE)
    policy = load_policy(args.policy, strict=args.strict)
    the_plan = planned(args, failure_delay=args.failure_delay, ids=ids_for(args.seed),
                       policy=policy)
    fmt = args.format or ("table" if sys.stdout.isatty() else "jsonl")
    out = sys.stdout
    streamed = args.destinations is not None
    if fmt in ("jsonl", "csv", "parquet") and not streamed:
        print_notices(the_plan.notices)  # json and table carry them in their headers
    # The chunked writers compute S3's closed form; under a policy the engine places attempts.
    chunked = _chunked_writers() if policy is None else None
    if fmt == "parquet":
        from ivrsched.io.arrow_export import write_parquet

        out.flush()
        write_parquet(the_plan, _binary(out))
    elif fmt == "jsonl" and chunked is not None:
        chunked.write_plan_jsonl(the_plan, _rows_target(out), tz)
    elif fmt == "jsonl":
        write_jsonl(the_plan, out, tz)
    elif fmt == "csv" and chunked is not None:
        chunked.write_plan_csv(the_plan, _rows_target(out), tz)
    elif fmt == "csv":
        write_csv(the_plan, out, tz)
    elif fmt == "json":
        write_json(the_plan, out, tz)
    else:
        width = shutil.get_terminal_size().columns if out.isatty() else None
        write_table(the_plan, out, show_all=args.all, width=width, tz=tz)
    out.flush()
    if streamed:
        # A file's notices (its count among them) are known once it has been read.
        report_file(the_plan, args, notices=fmt in ("jsonl", "csv", "parquet"))
    return EXIT_OK


def _chunked_writers() -> ModuleType | None:
    """The vectorised, chunked jsonl/csv writers (same bytes), or None without NumPy."""
    try:
        from ivrsched.io import chunked
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return chunked


def _rows_target(out: IO[str]) -> IO[str] | IO[bytes]:
    """Where the chunked writers write: the byte stream under ``out`` when writing UTF-8 bytes
    there is what ``out`` itself would do, which spares decoding rows made as bytes; else
    ``out``. ``out`` is this command's standard output or a file it opened: a text stream
    whose line ends are the system's, so it is enough that the system's are ``\\n``."""
    binary = getattr(out, "buffer", None)
    encoding = getattr(out, "encoding", None)
    if (not isinstance(out, io.TextIOWrapper) or binary is None or encoding is None
            or codecs.lookup(encoding).name != "utf-8" or os.linesep != "\n"):
        return out
    out.flush()  # what was written as text goes first
    return binary  # type: ignore[no-any-return]


def _binary(out: IO[str]) -> IO[bytes]:
    """The byte stream under a text stream (Parquet is binary)."""
    binary = getattr(out, "buffer", None)
    if binary is None:
        raise CliError("--format parquet needs a file or a pipe to write bytes to", EXIT_USAGE)
    return binary  # type: ignore[no-any-return]
