"""What every subcommand shares: reading a request, `--now`, `--seed`, exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING

from ivrsched.cli.exits import (
    EXIT_CODES_HELP,
    EXIT_INVALID_REQUEST,
    EXIT_OK,
    EXIT_OUT_OF_RANGE,
    EXIT_REFUSED,
    EXIT_UNREADABLE_INPUT,
    EXIT_USAGE,
    EXIT_VIOLATIONS,
    CliError,
    silence_stdout,
)
from ivrsched.errors import IvrschedError, Notice, RequestError, display_path
from ivrsched.ids import IdSource, SeededIds, random_ids
from ivrsched.request.model import Request
from ivrsched.rules.instants import InstantSyntaxError, parse_instant
from ivrsched.rules.quantities import rational, seconds_us
from ivrsched.rules.rendering import Rendering, UnknownZoneError, parse_rendering

if TYPE_CHECKING:
    from ivrsched.policy.document import CallingPolicy
    from ivrsched.rules.lifecycle import LifecycleEvent

def read_text(path: str, stdin: IO[str] | None = None) -> str:
    """The text of ``path``, or of standard input for ``-``; a clear error when unreadable."""
    if path == "-":
        stream = stdin or sys.stdin
        # Decode the bytes as UTF-8 ourselves, as for a file: the text layer decodes with the
        # locale's codec and error handler (strict: a traceback; surrogateescape: stray
        # surrogates reported as if the JSON had them; latin-1: silent mojibake).
        binary = getattr(stream, "buffer", None)
        if binary is None:  # a text stream without bytes underneath (tests, IDEs)
            return stream.read()
        try:
            return bytes(binary.read()).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CliError("standard input is not UTF-8 text", EXIT_INVALID_REQUEST) from exc
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}", EXIT_USAGE) from exc
    except UnicodeDecodeError as exc:
        raise CliError(f"{path} is not UTF-8 text", EXIT_INVALID_REQUEST) from exc


def load_request(path: str, *, strict: bool = False, stdin: IO[str] | None = None,
                 dialect: str | None = None) -> Request:
    """Parse the request at ``path`` (or ``-``) in ``dialect`` (None: detected from its shape,
    S17); raises :class:`RequestError` when invalid."""
    from ivrsched.request.parsing import parse_request

    # parse_request decodes the text itself, turning every JSON fault (syntax, nesting too deep,
    # integers too long to convert) into a RequestError at the root; that one names the file.
    try:
        return parse_request(read_text(path, stdin), dialect, strict=strict)
    except RequestError as exc:
        source = "standard input" if path == "-" else path
        raise RequestError([replace(problem, message=f"{source}: {problem.message}")
                            if problem.code == "json" else problem
                            for problem in exc.errors]) from None


def parse_now(text: str | None) -> datetime | None:
    """The ``--now`` option as an aware datetime (None: read the clock)."""
    if text is None:
        return None
    try:
        us, offset = parse_instant(text)
    except InstantSyntaxError as exc:
        raise CliError(f"--now: {exc}", EXIT_USAGE) from exc
    from ivrsched.rules.instants import from_us

    return from_us(us, offset)


def ids_for(seed: int | None) -> IdSource:
    """Reproducible IDs for ``--seed N``, random ones otherwise."""
    return SeededIds(seed) if seed is not None else random_ids()


def non_negative_seconds(text: str) -> timedelta:
    """A duration option (``--failure-delay``, ``--call-duration``): whole or decimal seconds,
    exact to the microsecond (no float), read as the library reads seconds."""
    try:
        return timedelta(microseconds=seconds_us(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None




def print_notices(notices: Iterable[Notice]) -> None:
    """Each notice (a normalisation, an ignored field, a past ``sendAt``…) as one line on
    standard error, for output formats that have no place for them."""
    for notice in notices:
        print(f"notice: {display_path(notice.path)}: {notice.message}", file=sys.stderr)


def add_request_argument(parser: argparse.ArgumentParser) -> None:
    """Add the REQUEST argument (a file or ``-``), ``--dialect`` and ``--strict``."""
    parser.add_argument("request", metavar="REQUEST",
                        help="request JSON file, or - for standard input")
    add_dialect_argument(parser)
    parser.add_argument("--strict", action="store_true",
                        help="treat destination faults and unknown fields as errors")


def add_dialect_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--dialect``: which of the platform's endpoints the request is written for (S17)."""
    from ivrsched.request.dialects import Dialect

    parser.add_argument("--dialect", choices=[d.value for d in Dialect],
                        help="the platform endpoint REQUEST is written for: ivr (POST "
                             "/voice/ivr/1/messages), tts-advanced (POST /tts/3/advanced), "
                             "calls-bulk (POST /calls/1/bulks); default: detected from its "
                             "shape")


def add_now_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--now ISO``, the submission time."""
    parser.add_argument("--now", metavar="ISO",
                        help="submission time, ISO 8601 with offset (default: the clock)")


def add_tz_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--tz ZONE``: render instants in an IANA zone or a fixed offset."""
    parser.add_argument("--tz", metavar="ZONE",
                        help="render times in this IANA time zone (Europe/Berlin), each "
                             "instant in the offset the zone had then, or in a fixed offset "
                             "(+05:30); default: each message's sendAt offset")


def parse_tz(text: str | None) -> Rendering | None:
    """The ``--tz`` option (None: each message's own offset, as S1 says)."""
    if text is None:
        return None
    try:
        return parse_rendering(text)
    except UnknownZoneError as exc:
        raise CliError(f"--tz: {exc}", EXIT_USAGE) from None


def add_policy_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--policy FILE``: a calling policy (recipient-local hours, closed dates, holidays,
    a frequency cap per number) applied on top of the request's own rules."""
    parser.add_argument("--policy", metavar="FILE",
                        help="calling policy JSON (local calling hours, closed dates, "
                             "holidays, frequency cap per number); needs the policy extra")


def load_policy(path: str | None, *, strict: bool = False) -> CallingPolicy | None:
    """The calling policy of ``--policy FILE`` (None without the option); raises
    :class:`RequestError` (exit 3) listing every problem, each path prefixed by the file."""
    if path is None:
        return None
    return read_policy(path, strict=strict)[0]


def read_policy(path: str, *, strict: bool = False) -> tuple[CallingPolicy, str]:
    """The calling policy at ``path`` (or ``-``) and the text it was read from (read once);
    errors and notices as :func:`load_policy` gives them."""
    from ivrsched.policy.document import parse_policy

    text = read_text(path)
    try:
        policy = parse_policy(text, strict=strict)
    except RequestError as exc:
        raise RequestError([replace(problem, message=f"{path}: {problem.message}")
                            for problem in exc.errors]) from None
    print_notices(replace(notice, message=f"{path}: {notice.message}")
                  for notice in policy.notices)
    return policy, text


def add_events_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--events FILE``: lifecycle operations (pause, resume, reschedule, cancel) at given
    instants, applied as a dispatcher applies them live."""
    parser.add_argument("--events", metavar="FILE",
                        help="lifecycle operations, one JSON object a line: "
                             '{"op": "pause", "at": ISO}, resume, cancel, or {"op": '
                             '"reschedule", "at": ISO, "sendAt": ISO}; "what if we pause '
                             'from 12:00 to 14:00?"')


def load_events(path: str | None) -> tuple[LifecycleEvent, ...]:
    """The events of ``--events FILE`` (none without the option, ``-`` for standard input);
    an unreadable file raises :class:`~ivrsched.io.text_files.InputFileError` (exit 4)."""
    if path is None:
        return ()
    from ivrsched.io.events import parse_events, read_events

    if path == "-":
        return parse_events(read_text("-").splitlines(), "<stdin>")
    return read_events(path)


def add_seed_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--seed N`` for reproducible generated IDs."""
    parser.add_argument("--seed", type=int, metavar="N",
                        help="seed for generated IDs (reproducible output)")


__all__ = [
    "EXIT_CODES_HELP", "EXIT_INVALID_REQUEST", "EXIT_OK", "EXIT_OUT_OF_RANGE", "EXIT_REFUSED",
    "EXIT_UNREADABLE_INPUT", "EXIT_USAGE", "EXIT_VIOLATIONS", "CliError", "IvrschedError",
    "add_dialect_argument", "add_events_argument", "add_now_argument", "add_policy_argument",
    "add_request_argument", "add_seed_argument", "add_tz_argument", "ids_for", "load_events",
    "load_policy", "load_request", "non_negative_seconds", "parse_now", "parse_tz", "rational",
    "read_policy", "read_text", "silence_stdout",
]
