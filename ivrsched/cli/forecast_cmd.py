"""``ivrsched forecast``: the campaign's load per time bucket (table, csv or json)."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import timedelta
from fractions import Fraction

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
    rational,
)
from ivrsched.cli.destinations_arg import add_destinations_argument, planned, report_file
from ivrsched.errors import IvrschedError
from ivrsched.forecasting.capacity import plan_capacity
from ivrsched.forecasting.load import Forecast, answer_rate_fraction, forecast
from ivrsched.io.capacity_text import burst_sentence
from ivrsched.io.forecast_formats import FORECAST_FORMATS, write_forecast
from ivrsched.rules.instants import InstantSyntaxError, parse_instant

_BUCKET = re.compile(r"(\d+)\s*(s|sec|m|min|h|d)", re.IGNORECASE)
_BUCKET_UNITS = {"s": timedelta(seconds=1), "sec": timedelta(seconds=1),
                 "m": timedelta(minutes=1), "min": timedelta(minutes=1),
                 "h": timedelta(hours=1), "d": timedelta(days=1)}



def bucket_length(text: str) -> timedelta:
    """``--bucket``: a whole number and a unit, ``30s``, ``15m``, ``1h``, ``1d``."""
    match = _BUCKET.fullmatch(text.strip())
    too_large = argparse.ArgumentTypeError(
        f"bucket length {text!r} is too large (at most {timedelta.max.days} days)")
    try:
        count = None if match is None else int(match.group(1))
    except ValueError as exc:  # more digits than Python converts (4300)
        raise too_large from exc
    if match is None or count is None or count < 1:
        raise argparse.ArgumentTypeError(
            f"not a bucket length: {text!r} (use e.g. 30s, 15m, 1h, 1d)")
    try:
        return count * _BUCKET_UNITS[match.group(2).lower()]
    except OverflowError as exc:
        raise too_large from exc


def answer_rate(text: str) -> Fraction:
    """``--answer-rate``: a probability in [0, 1], read exactly (``0.3`` is 3/10)."""
    try:
        rational(text.strip())  # bounds its size first: a huge exponent would take forever
    except (ValueError, ZeroDivisionError) as exc:
        raise argparse.ArgumentTypeError(f"answer rate {text!r} is not a number "
                                         f"({exc})") from exc
    try:
        return answer_rate_fraction(text)
    except IvrschedError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def instant(text: str) -> int:
    """``--until``: ISO 8601 with an offset, as µs."""
    try:
        return parse_instant(text)[0]
    except InstantSyntaxError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def add_forecast_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``forecast`` and ``plot``."""
    add_request_argument(parser)
    add_now_argument(parser)
    add_seed_argument(parser)
    parser.add_argument("--bucket", type=bucket_length, default=timedelta(hours=1),
                        metavar="LENGTH", help="bucket length: 30s, 15m, 1h, 1d … (default 1h)")
    parser.add_argument("--answer-rate", type=answer_rate, default=Fraction(0), metavar="P",
                        help="probability that an attempt is answered (default 0: every "
                             "planned retry happens)")
    parser.add_argument("--until", type=instant, default=None, metavar="ISO",
                        help="leave out the buckets that start at or after this instant")
    add_tz_argument(parser)
    add_destinations_argument(parser)
    add_events_argument(parser)
    add_policy_argument(parser)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "forecast", help="forecast the calls per time bucket",
        description="Forecast REQUEST's load per time bucket: exact first attempts, expected "
                    "retries for an answer rate, expected calls in progress for a mean call "
                    "duration, and the key instants. Buckets are aligned to whole multiples "
                    "of their length in the first message's UTC offset (with --tz: in the "
                    "zone's offset at the first call).")
    add_forecast_arguments(parser)
    parser.add_argument("--call-duration", type=non_negative_seconds, default=None,
                        metavar="SECONDS",
                        help="mean duration of an attempt, for the expected calls in progress")
    parser.add_argument("--channels", type=_channels, default=None, metavar="N",
                        help="with --call-duration: the Erlang B blocking of N lines offered "
                             "the busiest hour's calls, beside the exact peak")
    parser.add_argument("--format", choices=FORECAST_FORMATS, default="table",
                        help="output format (default table)")
    parser.set_defaults(run=run)


def _channels(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def forecast_of(args: argparse.Namespace, call_duration: timedelta | None = None) -> Forecast:
    """The forecast the shared options ask for, of the one plan every command makes
    (:func:`~ivrsched.cli.destinations_arg.planned`; with ``--destinations`` the file is
    counted once, in constant memory: the forecast needs nothing else of it)."""
    tz = parse_tz(args.tz)
    policy = load_policy(args.policy, strict=args.strict)
    the_plan = planned(args, ids=ids_for(args.seed))
    return forecast(the_plan, bucket=args.bucket, answer_rate=args.answer_rate,
                    call_duration=call_duration, until=args.until, tz=tz, policy=policy)


def run(args: argparse.Namespace) -> int:
    if args.channels is not None and args.call_duration is None:
        raise CliError("--channels needs --call-duration", EXIT_USAGE)
    result = forecast_of(args, args.call_duration)
    capacity = None
    if args.call_duration is not None:
        # S16: the exact peak and the bursts, for the worst case of every attempt made.
        capacity = plan_capacity(result.plan, args.call_duration, channels=args.channels,
                                 counts=result.counts, policy=result.policy)
        for burst in capacity.opening_bursts:
            print(f"notice: {burst_sentence(burst, result.offset_at)}", file=sys.stderr)
    write_forecast(result, args.format, sys.stdout, capacity)
    sys.stdout.flush()
    report_file(result.plan, args)
    return EXIT_OK
