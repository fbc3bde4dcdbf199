"""Forecast output formats: ``table`` (for people), ``csv`` (the machine contract), ``json``.

Expected values are rendered from their exact fractions, rounded half-even to
:data:`~ivrsched.forecasting.load.DECIMAL_PLACES` places; ``json`` also carries the exact
fractions. Rows are written as they are computed (a forecast's rows are lazy).
"""

from __future__ import annotations

import csv
import json
from fractions import Fraction
from typing import IO

from ivrsched.forecasting.capacity import Capacity
from ivrsched.forecasting.load import Forecast, ForecastRow, round_fraction
from ivrsched.io.capacity_text import capacity_record, capacity_sentence
from ivrsched.planning.explanation import describe_duration
from ivrsched.rules.instants import US_PER_MINUTE, format_clock, format_us

FORECAST_FORMATS = ("table", "csv", "json")
CSV_HEADER = ("bucket_start", "first_attempts", "expected_retries", "expected_total",
              "expected_in_progress")
#: Width of the table's bar at the peak bucket, in characters.
BAR_WIDTH = 40


def write_forecast(result: Forecast, fmt: str, out: IO[str],
                   capacity: Capacity | None = None) -> None:
    """Write ``result`` to ``out`` in ``fmt``, one of :data:`FORECAST_FORMATS`; ``capacity``
    (S16) is stated in the table's and the json's summary (csv rows have no place for it)."""
    if fmt == "csv":
        write_csv(result, out)
    elif fmt == "json":
        write_json(result, out, capacity)
    elif fmt == "table":
        write_table(result, out, capacity)
    else:
        raise ValueError(f"unknown forecast format {fmt!r}; use one of {FORECAST_FORMATS}")


def decimal_text(value: Fraction | None) -> str:
    """An expectation as the csv renders it: fixed decimals, rounded half-even; empty if None."""
    return "" if value is None else str(round_fraction(value))


def write_csv(result: Forecast, out: IO[str]) -> None:
    """The machine contract: one row per bucket, from the first call's bucket on."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in result.rows:
        writer.writerow((format_us(row.start_us, result.offset_at(row.start_us)),
                         row.first_attempts,
                         decimal_text(row.expected_retries), decimal_text(row.expected_total),
                         decimal_text(row.expected_in_progress)))


def _exact(value: Fraction | None) -> str | None:
    if value is None:
        return None
    return str(value.numerator) if value.denominator == 1 else str(value)


def _instant(us: int | None, result: Forecast) -> str | None:
    return None if us is None else format_us(us, result.offset_at(us))


def write_json(result: Forecast, out: IO[str], capacity: Capacity | None = None) -> None:
    """One document: the summary (with the capacity, S16, when given), then the rows
    (decimals as text, exact fractions beside)."""
    out.write("{\n")
    header: dict[str, object] = {
        "bulkId": result.plan.bulk_id,
        "bucketMicroseconds": result.bucket_us,
        "answerRate": _exact(result.answer_rate),
        "callDurationMicroseconds": result.call_duration_us,
        "destinations": result.destinations,
        "firstCall": _instant(result.first_call_us, result),
        "lastFirstAttempt": _instant(result.last_first_attempt_us, result),
        "lastAttempt": _instant(result.last_attempt_us, result),
        "deadlines": [_instant(d, result) for d in result.deadlines_us],
        "firstAttempts": result.first_attempts,
        "plannedRetries": list(result.retries),
        "expectedRetries": decimal_text(result.expected_retries),
        "expectedRetriesExact": _exact(result.expected_retries),
        "expectedTotal": decimal_text(result.expected_total),
    }
    if capacity is not None:
        header["capacity"] = capacity_record(capacity, result.offset_at)
    for key, value in header.items():
        out.write(f"  {json.dumps(key)}: {json.dumps(value)},\n")
    out.write('  "buckets": [')
    for i, row in enumerate(result.rows):
        out.write(",\n    " if i else "\n    ")
        out.write(json.dumps(_row_record(row, result.offset_at(row.start_us))))
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


def write_table(result: Forecast, out: IO[str], capacity: Capacity | None = None) -> None:
    """The human table: a summary (with the capacity, S16, when given), then one line per
    bucket with a bar scaled to the peak."""
    at = result.offset_at
    name = result.plan.bulk_id or "campaign"
    rate = decimal_text(result.answer_rate).rstrip("0").rstrip(".")
    out.write(f"{name}: {result.destinations} destinations, buckets of "
              f"{describe_duration(result.bucket_us)} ({result.offset_label}), "
              f"answer rate {rate}\n")
    if result.first_call_us is None:
        out.write("no attempt happens\n")
        return
    last_first, last = result.last_first_attempt_us or 0, result.last_attempt_us or 0
    out.write(f"first call {format_clock(result.first_call_us, at(result.first_call_us))}; "
              f"last first attempt {format_clock(last_first, at(last_first))}; "
              f"last possible attempt {format_clock(last, at(last))}\n")
    out.write(f"expected attempts {decimal_text(result.expected_total)} = "
              f"{result.first_attempts} first + {decimal_text(result.expected_retries)} "
              f"retries\n")
    if capacity is not None:
        out.write(capacity_sentence(capacity, at) + "\n")
    out.write("\n")
    peak = max((row.expected_total for row in result.rows), default=Fraction(0))
    in_progress = result.call_duration_us is not None
    # Every label has the same precision: seconds when the buckets are not whole minutes.
    seconds = result.bucket_us % US_PER_MINUTE != 0
    label_width = 19 if seconds else 16

    def label(at_us: int) -> str:
        text = format_us(at_us, at(at_us))
        return f"{text[:10]} {text[11:19] if seconds else text[11:16]}"

    header = f"{'bucket start':<{label_width + 1}} {'first':>9} {'retries':>12} {'total':>12}"
    if in_progress:
        header += f" {'in progress':>12}"
    out.write(header + "\n")
    for row in result.rows:
        line = (f"{label(row.start_us):<{label_width + 1}} {row.first_attempts:>9} "
                f"{decimal_text(row.expected_retries):>12} "
                f"{decimal_text(row.expected_total):>12}")
        if in_progress:
            line += f" {decimal_text(row.expected_in_progress):>12}"
        out.write(f"{line}  {bar(row.expected_total, peak)}\n")


__all__ = ["BAR_WIDTH", "CSV_HEADER", "FORECAST_FORMATS", "bar", "decimal_text", "write_csv",
           "write_forecast", "write_json", "write_table"]
