"""``ivrsched status``: where a campaign stands, from its journal (SPEC S13, S14)."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from ivrsched.cli.common import EXIT_OK
from ivrsched.cli.journal_arg import add_journal_argument, open_journal
from ivrsched.dispatch import Dispatcher
from ivrsched.dispatch.command_dialer import render
from ivrsched.rules.instants import format_us


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "status", help="a campaign's state, counts by status, next wake-up",
        description="Print where the campaign in --journal stands: its lifecycle state, the "
                    "final statuses so far by name, the attempts handed out without an "
                    "outcome (in progress while a run goes on; in doubt after a stop), and "
                    "the next wake-up. Safe while 'ivrsched run' works on the journal.")
    add_journal_argument(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default): one fact per line; json: one object")
    parser.set_defaults(run=run)


def status(d: Dispatcher) -> dict[str, object]:
    """The status document (``--format json``)."""
    counts = d.counts()
    statuses = Counter(result.status.value.name for result in d.results())
    wake = d.next_wakeup()
    return {
        "state": d.state.value,
        "finished": d.finished,
        # The lifecycle's floor is the submission time: what verify's --now must be.
        "submitted": format_us(d.lifecycle.floor_us),
        "clock": render(d.clock),
        "attempts": counts["attempts"],
        "inProgress": counts["inProgress"],
        "pendingRetries": counts["pendingRetries"],
        "statuses": dict(sorted(statuses.items())),
        "withoutOutcome": [a.as_json() for a in d.in_doubt()],
        "nextWakeup": None if wake is None else render(wake),
    }


def _text(document: dict[str, object]) -> str:
    statuses = document["statuses"]
    assert isinstance(statuses, dict)
    final = ", ".join(f"{n} {name}" for name, n in statuses.items()) or "none yet"
    lines = [
        f"state: {document['state']}",
        f"submitted: {document['submitted']}",
        f"clock: {document['clock']} (the latest instant the campaign was driven at)",
        f"attempts: {document['attempts']} handed out, {document['inProgress']} without an "
        f"outcome, {document['pendingRetries']} retries waiting",
        f"final: {final}",
    ]
    waiting = document["withoutOutcome"]
    assert isinstance(waiting, list)
    for attempt in waiting:
        lines.append(f"without an outcome: {attempt['key']} (to {attempt['to']}, attempt "
                     f"{attempt['attempt']}, handed out at {attempt['time']})")
    lines.append(f"next wake-up: {document['nextWakeup'] or 'none'}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    with open_journal(args.journal) as d:
        document = status(d)
    if args.format == "json":
        sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(_text(document))
    return EXIT_OK
