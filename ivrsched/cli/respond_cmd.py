"""``ivrsched respond REQUEST``: the platform's response to a request (SPEC S8), as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ivrsched.cli.common import (
    EXIT_OK,
    add_now_argument,
    add_request_argument,
    add_seed_argument,
    ids_for,
    load_request,
    parse_now,
    print_notices,
)
from ivrsched.planning.planner import plan
from ivrsched.planning.response import response_document


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "respond",
        help="print the response the platform would give to a request",
        description="Print the response document (bulkId, and per destination: to, status, "
                    "messageId) for REQUEST. Rejected destinations are listed with their status. "
                    "Notices (normalisations, ignored fields) go to standard error.",
    )
    add_request_argument(parser)
    add_now_argument(parser)
    add_seed_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    request = load_request(args.request, strict=args.strict, dialect=args.dialect)
    result = plan(request, now=parse_now(args.now), ids=ids_for(args.seed))
    document = response_document(result)
    print_notices(result.notices)
    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return EXIT_OK
