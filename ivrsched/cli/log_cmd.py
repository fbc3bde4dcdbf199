"""``ivrsched log``: every attempt of a campaign so far, from its journal, as verify reads it."""

from __future__ import annotations

import argparse
import json
import sys

from ivrsched.cli.common import EXIT_OK
from ivrsched.cli.journal_arg import add_journal_argument, open_journal


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "log", help="a campaign's attempt log, from its journal",
        description="Print every attempt handed out so far in the campaign in --journal, in "
                    "the order it was handed out, one JSON object per line: the rows of "
                    "'ivrsched simulate' that 'ivrsched verify' reads (an attempt without an "
                    "outcome yet has no end and no outcome).")
    add_journal_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_journal(args.journal) as d:
        out = sys.stdout
        for row in d.log():
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        out.flush()
    return EXIT_OK
