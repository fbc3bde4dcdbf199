"""``ivrsched explain``: a message's plan in sentences."""

from __future__ import annotations

import argparse
import sys

from ivrsched.cli.common import (
    EXIT_OK,
    add_now_argument,
    add_policy_argument,
    add_request_argument,
    load_policy,
    load_request,
    parse_now,
)
from ivrsched.planning.explanation import explain, summarize
from ivrsched.planning.planner import plan


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "explain", help="describe each message's plan in sentences",
        description="Print the header of each message's plan: pace, destinations, first and "
                    "last first attempt, deadline, retry gaps and notices; with --policy, "
                    "also the zones the destinations are called by.")
    add_request_argument(parser)
    add_now_argument(parser)
    add_policy_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    request = load_request(args.request, strict=args.strict, dialect=args.dialect)
    policy = load_policy(args.policy, strict=args.strict)
    the_plan = plan(request, now=parse_now(args.now), policy=policy)
    summaries = None
    if policy is not None:
        from ivrsched.planning.policy_plan import policy_summaries

        summaries = policy_summaries(the_plan)
    for message_plan in the_plan.messages:
        summary = (summarize(the_plan, message_plan) if summaries is None
                   else summaries[message_plan.message_index])
        prefix = f"message {summary.message}: " if len(the_plan.messages) > 1 else ""
        text = explain(summary)
        if policy is not None:
            from ivrsched.policy.zone_summary import describe_zones, summarize_zones

            zones = describe_zones(summarize_zones(policy, message_plan.source))
            text = text.replace("\n", f"\nzones: {zones}\n", 1) if "\n" in text \
                else f"{text}\nzones: {zones}"
        print(prefix + text, file=sys.stdout)
    return EXIT_OK
