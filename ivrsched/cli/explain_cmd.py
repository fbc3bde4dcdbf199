"""``ivrsched explain``: a message's plan in sentences."""

from __future__ import annotations

import argparse
import sys

from ivrsched.cli.common import (
    EXIT_OK,
    add_now_argument,
    add_request_argument,
    load_request,
    parse_now,
)
from ivrsched.planning.explanation import explain, summarize
from ivrsched.planning.planner import plan


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "explain", help="describe each message's plan in sentences",
        description="Print the header of each message's plan: pace, destinations, first and "
                    "last first attempt, deadline, retry gaps and notices.")
    add_request_argument(parser)
    add_now_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    request = load_request(args.request, strict=args.strict, dialect=args.dialect)
    the_plan = plan(request, now=parse_now(args.now))
    for message_plan in the_plan.messages:
        summary = summarize(the_plan, message_plan)
        prefix = f"message {summary.message}: " if len(the_plan.messages) > 1 else ""
        print(prefix + explain(summary), file=sys.stdout)
    return EXIT_OK
