"""``ivrsched plot``: the forecast as a PNG or SVG picture (needs the ``plot`` extra)."""

from __future__ import annotations

import argparse

from ivrsched.cli.common import EXIT_OK, EXIT_USAGE, CliError
from ivrsched.cli.destinations_arg import report_file
from ivrsched.cli.forecast_cmd import add_forecast_arguments, forecast_of
from ivrsched.errors import IvrschedError, PlanRangeError, RequestError
from ivrsched.forecasting.plot import plot_forecast, plot_format


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "plot", help="draw the forecast as a PNG or SVG picture",
        description="Draw REQUEST's forecast: stacked bars of first attempts and expected "
                    "retries per bucket, the deadline, closed delivery-window periods. Needs "
                    "matplotlib: pip install 'ivrsched[plot]'.")
    add_forecast_arguments(parser)
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the picture to write: FILE.png or FILE.svg")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        plot_format(args.output)  # a bad name fails before any work
        result = forecast_of(args)
        plot_forecast(result, args.output)
    except (RequestError, PlanRangeError):
        raise  # main reports these with their own exit codes
    except IvrschedError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    report_file(result.plan, args)
    return EXIT_OK
