"""``--destinations FILE``: a subcommand's destinations streamed from a file.

Any subcommand takes it in two steps (``plan`` is the model)::

    add_destinations_argument(parser)                 # in register()
    the_plan = planned(args, ids=ids_for(args.seed))  # in run(): ivrsched.plan(request, file)
    ...
    report_file(the_plan, args)                       # notices and the file's counts, on stderr

The request must then have exactly one message object, without destinations of its own (the
file replaces them; a request with both is refused rather than silently merged).

``plan`` writes as it reads (its json and table formats count the file first, for their headers);
``simulate`` and ``forecast`` count it first (so that a bad file fails before any output, and for
the counts they need), then read it as their work requires; ``verify`` holds it
(:func:`~ivrsched.io.destination_files.with_destinations`), a log naming destinations in any
order.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ivrsched.cli.common import (
    EXIT_INVALID_REQUEST,
    EXIT_UNREADABLE_INPUT,
    EXIT_USAGE,
    CliError,
    load_events,
    load_request,
    parse_now,
    read_text,
)
from ivrsched.cli.progress import count_lines, interactive, with_progress
from ivrsched.errors import display_path
from ivrsched.ids import IdSource
from ivrsched.io.destination_files import (
    LAYOUTS,
    Block,
    DestinationFile,
    DestinationFileError,
    PlainLines,
    SkippedLines,
    destination_lists,
)
from ivrsched.planning.planner import Plan, plan
from ivrsched.planning.streaming import RejectionTally, StreamSummary
from ivrsched.request.fields import non_xml_char
from ivrsched.request.model import ContentType, Destination, Request, RequestShape

if TYPE_CHECKING:
    from ivrsched.policy.document import CallingPolicy


def add_destinations_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--destinations FILE`` and ``--destinations-format``."""
    parser.add_argument("--destinations", metavar="FILE",
                        help="read the destinations from FILE ('-': standard input), streaming "
                             "(one number per line, or CSV with a 'to' column and optional "
                             "'messageId'; blank and # comment lines are skipped); the request "
                             "then gives none")
    parser.add_argument("--destinations-format", choices=LAYOUTS, default="auto",
                        help="layout of --destinations (default auto: csv for *.csv, else text)")


def load_request_for_stream(path: str, *, strict: bool = False,
                            stdin: IO[str] | None = None, dialect: str | None = None) -> Request:
    """The request at ``path``, whose single message's destinations are to be streamed from a
    file. Raises :class:`RequestError` when invalid, :class:`CliError` when it has several
    messages or destinations of its own (a request with both is refused, not merged)."""
    from ivrsched.request.parsing import parse_request

    request = parse_request(read_text(path, stdin), dialect, strict=strict,
                            destinations_required=False)
    if len(request.messages) != 1:
        raise CliError(f"--destinations needs a request with exactly one message object; "
                       f"this one has {len(request.messages)}", EXIT_USAGE)
    if len(request.messages[0].destinations):
        where = "/to" if request.shape is RequestShape.FLAT else \
            f"/{request.dialect.messages_member}/0/{request.dialect.destinations_member}"
        raise CliError(f"with --destinations the request must not have {where}: the file "
                       "replaces them", EXIT_USAGE)
    return request


def load_streamed(args: argparse.Namespace) -> tuple[Request, Iterable[Destination]]:
    """The request of ``args.request`` and the destinations of ``args.destinations`` that
    replace its own, for a subcommand given ``--destinations``."""
    if args.request == "-" and args.destinations == "-":
        raise CliError("the request and --destinations cannot both be standard input",
                       EXIT_USAGE)
    request = load_request_for_stream(args.request, strict=args.strict, dialect=args.dialect)
    xml = request.messages[0].notify_content_type is ContentType.XML
    return request, file_destinations(args.destinations, args.destinations_format,
                                      strict=args.strict, xml=xml)


def file_destinations(path: str, layout: str = "auto", *, strict: bool = False,
                      xml: bool = False) -> Iterable[Destination]:
    """The destinations of the file at ``path``, streamed; each iteration reads the file again.
    The file is opened now, so that an unreadable one fails before any output; a fault found
    later raises :class:`CliError` naming the file and line (exit 4; exit 3 for a rejected line
    in strict mode, and, with ``xml``, for an address or messageId an XML delivery report could
    not carry, as for a request that lists its destinations)."""
    if path == "-":
        # A command may read its destinations more than once (simulate does), so standard
        # input is copied to a private temporary file first, removed when the command ends.
        source = DestinationFile.open(_spooled_stdin(), "text" if layout == "auto" else layout,
                                      name=STDIN_NAME)
        return _GuardedFile(source, STDIN_NAME, strict, xml)
    source = DestinationFile.open(path, layout)
    try:
        with open(source.path, "rb"):
            pass
    except OSError as exc:
        raise CliError(f"cannot read destinations file {path}: {exc.strerror or exc}",
                       EXIT_UNREADABLE_INPUT) from exc
    return _GuardedFile(source, path, strict, xml)


#: How messages name destinations read from standard input (``--destinations -``).
STDIN_NAME = "standard input"


def _spooled_stdin() -> Path:
    with tempfile.NamedTemporaryFile(prefix="ivrsched-destinations-", delete=False) as copy:
        shutil.copyfileobj(sys.stdin.buffer, copy, 1 << 20)
    atexit.register(_remove, copy.name)
    return Path(copy.name)


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


class _GuardedFile:
    """A destinations file whose faults are :class:`CliError`; re-iterable like the file.

    Each pass shows its progress on a terminal, and the first complete pass says on standard
    error how many blank and comment lines it passed over."""

    def __init__(self, source: DestinationFile, path: str, strict: bool,
                 xml: bool = False) -> None:
        self.source = source
        self.path = path
        self.strict = strict
        self.xml = xml
        self._skipped_told = False

    def __iter__(self) -> Iterator[Destination]:
        skipped = SkippedLines()
        total = count_lines(self.source.path) if interactive() else None
        lines = with_progress(self.source.read(skipped), total=total, description=self.path,
                              unit="line")
        try:
            for destination in lines:
                self._check(destination)
                yield destination
        except DestinationFileError as exc:
            raise CliError(str(exc), EXIT_UNREADABLE_INPUT) from exc
        self._tell_skipped(skipped)

    def blocks(self, size: int) -> Iterator[Block]:
        """The destinations of :meth:`__iter__` in blocks (:meth:`DestinationFile.blocks
        <ivrsched.io.destination_files.DestinationFile.blocks>`), with the same checks and
        reports. Plain lines are accepted numbers of digits: strict mode and XML have nothing
        to object to in them. On a terminal, where progress is shown line by line, the blocks
        are lists of destinations."""
        if interactive():
            yield from destination_lists(self, size)
            return
        skipped = SkippedLines()
        try:
            for block in self.source.blocks(size, skipped):
                if not isinstance(block, PlainLines):
                    for position, destination in enumerate(block):
                        try:
                            self._check(destination)
                        except CliError:
                            if position:  # the rows before the line come out first
                                yield block[:position]
                            raise
                yield block
        except DestinationFileError as exc:
            raise CliError(str(exc), EXIT_UNREADABLE_INPUT) from exc
        self._tell_skipped(skipped)

    def _check(self, destination: Destination) -> None:
        if self.strict and not destination.accepted:
            raise CliError(f"{self.path}:{destination.line}: {destination.reason} "
                           "(strict mode)", EXIT_INVALID_REQUEST)
        if self.xml:
            self._check_xml(destination)

    def _tell_skipped(self, skipped: SkippedLines) -> None:
        if skipped.count and not self._skipped_told:
            self._skipped_told = True
            plural = "line" if skipped.count == 1 else "lines"
            print(f"{self.path}: {skipped.count} blank or comment {plural} skipped",
                  file=sys.stderr)

    def _check_xml(self, destination: Destination) -> None:
        for name, text in (("to", destination.to), ("messageId", destination.message_id)):
            bad = None if text is None else non_xml_char(text)
            if bad is not None:
                raise CliError(f"{self.path}:{destination.line}: {name} contains "
                               f"U+{ord(bad):04X}, which an XML delivery report "
                               "(notifyContentType application/xml) cannot carry",
                               EXIT_INVALID_REQUEST)


def summarize_destinations(destinations: Iterable[Destination]) -> StreamSummary:
    """The counts of one pass over ``destinations`` (constant memory), as
    :meth:`ivrsched.planning.streaming.StreamingPlan.write_jsonl` returns them."""
    tally = RejectionTally()
    count = 0
    for destination in destinations:
        count += 1
        if not destination.accepted:
            tally.reject(destination)
    return tally.summary(count, count - tally.rejected)


def planned(args: argparse.Namespace, *, failure_delay: timedelta = timedelta(0),
            ids: IdSource | None = None, policy: CallingPolicy | None = None) -> Plan:
    """The plan of ``args.request`` submitted at ``--now``: the one way every subcommand plans.
    With ``--destinations FILE`` the file's destinations replace the request's (streamed in
    constant memory: :func:`ivrsched.plan` with ``destinations=``); the plan is the same as
    for a request listing them, bulkId, generated IDs and notices included. With ``--events
    FILE`` the plan is made under those lifecycle operations; ``policy``: the calling policy of
    ``--policy`` (S15), if any."""
    now = parse_now(args.now)
    events = load_events(getattr(args, "events", None))
    if getattr(args, "destinations", None) is None:
        request = load_request(args.request, strict=args.strict, dialect=args.dialect)
        return plan(request, now=now, failure_delay=failure_delay, ids=ids, events=events,
                    policy=policy)
    request, destinations = load_streamed(args)
    return plan(request, destinations, now=now, failure_delay=failure_delay, ids=ids,
                events=events, policy=policy)


def report_file(the_plan: Plan, args: argparse.Namespace, *, notices: bool = True,
                err: IO[str] | None = None) -> None:
    """After a command's output: the plan's notices (when the output has no place for them)
    and, with ``--destinations``, the file's counts (known once it has been read)."""
    stream = err if err is not None else sys.stderr
    if notices:
        for notice in the_plan.notices:
            print(f"notice: {display_path(notice.path)}: {notice.message}", file=stream)
    if getattr(args, "destinations", None) is not None:
        print_stream_summary(the_plan.messages[0].summary(), args.destinations, stream)


def stream_summary_lines(summary: StreamSummary, path: str) -> list[str]:
    """The summary for stderr: counts of accepted and rejected lines, rejected ones by status,
    the first few rejected lines with their reasons (S7's notice on a large count is one of the
    plan's notices)."""
    path = STDIN_NAME if path == "-" else path
    by_status = ", ".join(f"{status.id} {status.value.name}: {count}"
                          for status, count in summary.rejected_by_status.items())
    lines = [f"{path}: {summary.destinations} destinations, {summary.accepted} accepted, "
             f"{summary.rejected} rejected" + (f" ({by_status})" if by_status else "")]
    for destination in summary.examples:
        lines.append(f"  rejected {path}:{destination.line}: {destination.status.value.name}: "
                     f"{destination.reason}")
    if summary.rejected > len(summary.examples):
        lines.append(f"  … {summary.rejected - len(summary.examples)} more rejected; "
                     f"the output has every line with its status")
    return lines


def print_stream_summary(summary: StreamSummary, path: str, err: IO[str] | None = None) -> None:
    """Print :func:`stream_summary_lines` to ``err`` (default standard error)."""
    stream = err if err is not None else sys.stderr
    for line in stream_summary_lines(summary, path):
        print(line, file=stream)
