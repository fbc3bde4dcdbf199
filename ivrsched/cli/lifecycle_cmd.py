"""``ivrsched pause|resume|cancel|reschedule``: change a campaign's lifecycle (SPEC S13).

Each command writes one operation to the campaign's journal; a ``run`` working on the same
journal in another process sees it within a second.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime

from ivrsched.cli.common import EXIT_OK, EXIT_REFUSED, CliError
from ivrsched.cli.journal_arg import add_at_argument, add_journal_argument, open_journal, parse_at
from ivrsched.dispatch import Dispatcher, DispatchError, LifecycleError
from ivrsched.dispatch.command_dialer import render

_HELP = {
    "pause": ("pause a campaign: no attempt starts until resume",
              "Pause the campaign in --journal at --at (rule S13 in the docs' Rules page): "
              "no attempt starts until it is resumed; calls in progress run to their end. "
              "The deadline does not move."),
    "resume": ("resume a paused campaign",
               "Resume the paused campaign in --journal at --at (rule S13 in the docs' "
               "Rules page). The paused time counts as closed time: pacing continues without "
               "a burst, and retries due during the pause go out at the resume."),
    "cancel": ("cancel a campaign: no attempt starts any more",
               "Cancel the campaign in --journal at --at (rule S13 in the docs' Rules page): "
               "no attempt starts at or after it; calls in progress run to their end; every "
               "destination not yet final ends as UNDELIVERABLE_NOT_DELIVERED."),
    "reschedule": ("move the start of a campaign that has not started",
                   "Move the start of the campaign in --journal to --send-at (rule S13 in the "
                   "docs' Rules page), allowed while none of its attempts has started; the new "
                   "start is the later of --send-at and --at, and the deadline counts from it."),
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for name, (help_text, description) in _HELP.items():
        parser = subparsers.add_parser(name, help=help_text, description=description)
        add_journal_argument(parser)
        add_at_argument(parser)
        if name == "reschedule":
            parser.add_argument("--send-at", metavar="ISO", required=True,
                                help="the new sendAt, ISO 8601 with offset")
        parser.set_defaults(run=_command(name))


#: How often an operation without --at reads the clock again when a running ``run`` has just
#: moved the journal's clock past it.
_NOW_TRIES = 5


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        send_at = parse_at(args.send_at, "--send-at") if name == "reschedule" else None
        with open_journal(args.journal) as d:
            for tries_left in range(_NOW_TRIES - 1, -1, -1):
                at = parse_at(args.at)
                try:
                    _apply(d, name, at, send_at)
                    break
                except (DispatchError, LifecycleError) as exc:
                    # Without --at the operation is "now": a run working on the journal may
                    # have moved its clock past the instant read a moment ago; read it again.
                    if args.at is None and at < d.clock and tries_left:
                        continue
                    raise CliError(f"{name} refused: {exc}", EXIT_REFUSED) from None
        done = {"pause": "paused", "resume": "resumed", "cancel": "cancelled",
                "reschedule": "rescheduled"}[name]
        detail = f" to start at {render(send_at)}" if send_at is not None else ""
        print(f"{done} at {render(at)}{detail}")
        return EXIT_OK
    return run


def _apply(d: Dispatcher, name: str, at: datetime, send_at: datetime | None) -> None:
    if name == "pause":
        d.pause(at)
    elif name == "resume":
        d.resume(at)
    elif name == "cancel":
        d.cancel(at)
    else:
        assert send_at is not None
        d.reschedule(at, send_at)
