"""``ivrsched forecast``: the campaign's load per time bucket (table, csv or json)."""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from datetime import timedelta
from fractions import Fraction
from typing import IO

from ivrsched.cli.common import (
    EXIT_OK,
    add_now_argument,
    add_request_argument,
    load_request,
    non_negative_seconds,
    parse_now,
    rational,
)
from ivrsched.cli.destinations_arg import (
    add_destinations_argument,
    load_streamed,
    print_stream_summary,
    summarize_destinations,
    with_bulk_id,
)
from ivrsched.errors import IvrschedError
from ivrsched.forecasting.load import (
    Forecast,
    ForecastRow,
    answer_rate_fraction,
    forecast,
    round_fraction,
)
from ivrsched.planning.explanation import describe_duration
from ivrsched.planning.planner import plan
from ivrsched.rules.instants import (
    InstantSyntaxError,
    format_clock,
    format_offset,
    format_us,
    parse_instant,
)

FORECAST_FORMATS = ("table", "csv", "json")
CSV_HEADER = ("bucket_start", "first_attempts", "expected_retries", "expected_total",
              "expected_in_progress")

_BUCKET = re.compile(r"(\d+)\s*(s|sec|m|min|h|d)", re.IGNORECASE)
_BUCKET_UNITS = {"s": timedelta(seconds=1), "sec": timedelta(seconds=1),
                 "m": timedelta(minutes=1), "min": timedelta(minutes=1),
                 "h": timedelta(hours=1), "d": timedelta(days=1)}

#: Width of the table's bar at the peak bucket, in characters.
BAR_WIDTH = 40


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
    parser.add_argument("--bucket", type=bucket_length, default=timedelta(hours=1),
                        metavar="LENGTH", help="bucket length: 30s, 15m, 1h, 1d … (default 1h)")
    parser.add_argument("--answer-rate", type=answer_rate, default=Fraction(0), metavar="P",
                        help="probability that an attempt is answered (default 0: every "
                             "planned retry happens)")
    parser.add_argument("--until", type=instant, default=None, metavar="ISO",
                        help="leave out the buckets that start at or after this instant")
    add_destinations_argument(parser)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "forecast", help="forecast the calls per time bucket",
        description="Forecast REQUEST's load per time bucket: exact first attempts, expected "
                    "retries for an answer rate, expected calls in progress for a mean call "
                    "duration, and the key instants. Buckets are aligned to whole multiples "
                    "of their length in the first message's UTC offset.")
    add_forecast_arguments(parser)
    parser.add_argument("--call-duration", type=non_negative_seconds, default=None,
                        metavar="SECONDS",
                        help="mean duration of an attempt, for the expected calls in progress")
    parser.add_argument("--format", choices=FORECAST_FORMATS, default="table",
                        help="output format (default table)")
    parser.set_defaults(run=run)


def forecast_of(args: argparse.Namespace, call_duration: timedelta | None = None) -> Forecast:
    """The forecast the shared options ask for.

    With ``--destinations`` the file is read once, in constant memory, to count its accepted
    lines (the forecast needs nothing else of them); the counts go to stderr.
    """
    if args.destinations is None:
        request = load_request(args.request, strict=args.strict, dialect=args.dialect)
        the_plan = plan(request, now=parse_now(args.now))
        return forecast(the_plan, bucket=args.bucket, answer_rate=args.answer_rate,
                        call_duration=call_duration, until=args.until)
    request, destinations = load_streamed(args)
    summary = summarize_destinations(destinations)
    the_plan = with_bulk_id(plan(request, now=parse_now(args.now)), summary.destinations)
    result = forecast(the_plan, bucket=args.bucket, answer_rate=args.answer_rate,
                      call_duration=call_duration, until=args.until,
                      counts=((summary.destinations, summary.accepted),))
    print_stream_summary(summary, args.destinations)
    return result


def run(args: argparse.Namespace) -> int:
    result = forecast_of(args, args.call_duration)
    out = sys.stdout
    if args.format == "csv":
        write_csv(result, out)
    elif args.format == "json":
        write_json(result, out)
    else:
        write_table(result, out)
    return EXIT_OK


def decimal_text(value: Fraction | None) -> str:
    """An expectation as the csv renders it: fixed decimals, rounded half-even; empty if None."""
    return "" if value is None else str(round_fraction(value))


def write_csv(result: Forecast, out: IO[str]) -> None:
    """The machine contract: one row per bucket, from the first call's bucket on."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in result.rows:
        writer.writerow((format_us(row.start_us, result.offset_minutes), row.first_attempts,
                         decimal_text(row.expected_retries), decimal_text(row.expected_total),
                         decimal_text(row.expected_in_progress)))


def _exact(value: Fraction | None) -> str | None:
    if value is None:
        return None
    return str(value.numerator) if value.denominator == 1 else str(value)


def _instant(us: int | None, offset: int) -> str | None:
    return None if us is None else format_us(us, offset)


def write_json(result: Forecast, out: IO[str]) -> None:
    """One document: the summary, then the rows (decimals as text, exact fractions beside)."""
    offset = result.offset_minutes
    out.write("{\n")
    header = {
        "bulkId": result.plan.bulk_id,
        "bucketMicroseconds": result.bucket_us,
        "answerRate": _exact(result.answer_rate),
        "callDurationMicroseconds": result.call_duration_us,
        "destinations": result.destinations,
        "firstCall": _instant(result.first_call_us, offset),
        "lastFirstAttempt": _instant(result.last_first_attempt_us, offset),
        "lastAttempt": _instant(result.last_attempt_us, offset),
        "deadlines": [_instant(d, offset) for d in result.deadlines_us],
        "firstAttempts": result.first_attempts,
        "plannedRetries": list(result.retries),
        "expectedRetries": decimal_text(result.expected_retries),
        "expectedRetriesExact": _exact(result.expected_retries),
        "expectedTotal": decimal_text(result.expected_total),
    }
    for key, value in header.items():
        out.write(f"  {json.dumps(key)}: {json.dumps(value)},\n")
    out.write('  "buckets": [')
    for i, row in enumerate(result.rows):
        out.write(",\n    " if i else "\n    ")
        out.write(json.dumps(_row_record(row, offset)))
    out.write("\n  ]\n}\n" if result.rows else "]\n}\n")


def _row_record(row: ForecastRow, offset: int) -> dict[str, object]:
    return {
        "bucketStart": format_us(row.start_us, offset),
        "firstAttempts": row.first_attempts,
        "plannedRetries": list(row.retries),
        "expectedRetries": decimal_text(row.expected_retries),
        "expectedTotal": decimal_text(row.expected_total),
        "expectedInProgress": (None if row.expected_in_progress is None
                               else decimal_text(row.expected_in_progress)),
        "expectedRetriesExact": _exact(row.expected_retries),
        "expectedInProgressExact": _exact(row.expected_in_progress),
    }


def bar(value: Fraction, peak: Fraction, width: int = BAR_WIDTH) -> str:
    """``█`` characters proportional to ``value / peak`` (rounded; at least one when > 0)."""
    if peak <= 0 or value <= 0:
        return ""
    return "█" * max(1, round(value * width / peak))


def write_table(result: Forecast, out: IO[str]) -> None:
    """The human table: a summary, then one line per bucket with a bar scaled to the peak."""
    offset = result.offset_minutes
    name = result.plan.bulk_id or "campaign"
    rate = decimal_text(result.answer_rate).rstrip("0").rstrip(".")
    out.write(f"{name}: {result.destinations} destinations, buckets of "
              f"{describe_duration(result.bucket_us)} (UTC{format_offset(offset)}), "
              f"answer rate {rate}\n")
    if result.first_call_us is None:
        out.write("no attempt happens\n")
        return
    out.write(f"first call {format_clock(result.first_call_us, offset)}; last first attempt "
              f"{format_clock(result.last_first_attempt_us or 0, offset)}; last possible attempt "
              f"{format_clock(result.last_attempt_us or 0, offset)}\n")
    out.write(f"expected attempts {decimal_text(result.expected_total)} = "
              f"{result.first_attempts} first + {decimal_text(result.expected_retries)} "
              f"retries\n\n")
    peak = max((row.expected_total for row in result.rows), default=Fraction(0))
    in_progress = result.call_duration_us is not None
    header = f"{'bucket start':<17} {'first':>9} {'retries':>12} {'total':>12}"
    if in_progress:
        header += f" {'in progress':>12}"
    out.write(header + "\n")
    for row in result.rows:
        line = (f"{format_clock(row.start_us, offset):<17} {row.first_attempts:>9} "
                f"{decimal_text(row.expected_retries):>12} "
                f"{decimal_text(row.expected_total):>12}")
        if in_progress:
            line += f" {decimal_text(row.expected_in_progress):>12}"
        out.write(f"{line}  {bar(row.expected_total, peak)}\n")
