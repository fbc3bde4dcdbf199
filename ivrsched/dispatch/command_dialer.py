"""Placing calls through an external command: the dialer protocol of ``ivrsched run``.

For each attempt the command is started (no shell), given the attempt as one JSON object on
its standard input::

    {"key": "m1:2", "messageId": "m1", "to": "41793026700", "attempt": 2,
     "time": "2026-03-01T09:00:00.000+00:00", "message": 0, "index": 0, "inDoubt": false}

and prints how the call ended as one JSON object on its standard output, with the end instant
or the duration in seconds (exact decimals, at most six places)::

    {"outcome": "busy", "end": "2026-03-01T09:00:12.000+00:00"}
    {"outcome": "answered", "duration": 42.5, "answerAfter": 3}

``outcome`` is one of answered, no-answer, busy, failed; an answered call may say when it was
answered (``answeredAt``, an instant, or ``answerAfter``, seconds after the attempt's time).
A dialer that cannot be started, exits non-zero, outlives its time limit or prints anything
else counts as a failed attempt that ended when that became known; the reason is reported,
never raised. ``inDoubt`` is true when the attempt was handed out before a crash and is asked
again under the same key: a dialer that remembers its keys answers without calling twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from ivrsched.dispatch.attempt import Attempt
from ivrsched.dispatch.runner import Clock, Placed
from ivrsched.rules.instants import (
    InstantSyntaxError,
    format_us,
    from_us,
    offset_minutes_of,
    parse_instant,
    to_us,
)
from ivrsched.simulation.outcomes import Outcome

#: The most a dialer may print; more is garbage (and is not read into memory).
OUTPUT_LIMIT = 64 * 1024
#: How long a dialer stopped by Ctrl-C may take to end its call before it is killed.
STOP_GRACE = timedelta(seconds=2)


#: Told of each attempt the dialer failed on, with the reason in words.
OnProblem = Callable[[Attempt, str], None]


class DialerOutputError(ValueError):
    """A dialer's output that is not an outcome."""


def render(moment: datetime) -> str:
    """An instant as S1 renders it, in the offset it carries."""
    return format_us(to_us(moment), offset_minutes_of(moment))


def attempt_document(attempt: Attempt, *, in_doubt: bool = False) -> dict[str, object]:
    """The JSON object a dialer reads on its standard input: the attempt, and whether it is
    asked again after a crash."""
    return {**attempt.as_json(), "inDoubt": in_doubt}


def _seconds(value: object, name: str) -> timedelta:
    """A JSON number of seconds (read as a Decimal, so exactly), at most six decimals."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise DialerOutputError(f"{name} must be a number of seconds")
    seconds = Decimal(value)
    if not seconds.is_finite() or seconds < 0 or seconds.adjusted() > 10:
        raise DialerOutputError(f"{name} must be between 0 and 10^10 seconds")
    micros = seconds.scaleb(6)
    if micros != micros.to_integral_value():
        raise DialerOutputError(f"{name} has more than six decimal places")
    return timedelta(microseconds=int(micros))


def _instant(value: object, name: str) -> datetime:
    if not isinstance(value, str):
        raise DialerOutputError(f"{name} must be an ISO 8601 instant with an offset")
    try:
        us, offset = parse_instant(value)
        return from_us(us, offset)
    except (InstantSyntaxError, ValueError, OverflowError) as exc:
        raise DialerOutputError(f"{name}: {exc}") from None


def parse_outcome(text: str, attempt: Attempt) -> Placed:
    """The outcome a dialer printed, checked against its attempt."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:
        raise DialerOutputError(f"not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise DialerOutputError("not a JSON object")
    try:
        outcome = Outcome(data.get("outcome"))
    except ValueError:
        raise DialerOutputError("outcome must be one of "
                                + ", ".join(o.value for o in Outcome)) from None
    if ("end" in data) == ("duration" in data):
        raise DialerOutputError("give either end or duration")
    if "end" in data:
        end = _instant(data["end"], "end")
    else:
        end = attempt.time + _seconds(data["duration"], "duration")
    if end < attempt.time:
        raise DialerOutputError(f"end {render(end)} is before the attempt's time "
                                f"{render(attempt.time)}")
    answered_at = None
    if "answeredAt" in data and "answerAfter" in data:
        raise DialerOutputError("give answeredAt or answerAfter, not both")
    if "answeredAt" in data:
        answered_at = _instant(data["answeredAt"], "answeredAt")
    elif "answerAfter" in data:
        answered_at = attempt.time + _seconds(data["answerAfter"], "answerAfter")
    if answered_at is not None:
        if outcome is not Outcome.ANSWERED:
            raise DialerOutputError("only an answered call has an answer time")
        if not attempt.time <= answered_at <= end:
            raise DialerOutputError("the answer time is outside the call")
    return Placed(outcome, end, answered_at)


class CommandDialer:
    """A ``place_call`` for :func:`ivrsched.dispatch.run` that runs ``argv`` per attempt.

    ``timeout`` bounds each run of the command; ``in_doubt`` holds the keys to mark as asked
    again; ``on_problem`` hears of each failure of the command itself.
    """

    def __init__(self, argv: Sequence[str], *, timeout: timedelta, clock: Clock,
                 on_problem: OnProblem, in_doubt: Collection[str] = ()) -> None:
        if not argv:
            raise ValueError("the dialer command is empty")
        self.argv = tuple(argv)
        self.timeout = timeout
        self.clock = clock
        self.on_problem = on_problem
        self.in_doubt = frozenset(in_doubt)

    def _failed(self, attempt: Attempt, reason: str) -> Placed:
        self.on_problem(attempt, reason)
        return Placed(Outcome.FAILED, max(self.clock(), attempt.time))

    async def __call__(self, attempt: Attempt) -> Placed:
        document = attempt_document(attempt, in_doubt=attempt.key in self.in_doubt)
        payload = (json.dumps(document, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            # In a session of its own: a Ctrl-C at the terminal reaches the runner, which
            # stops its dialers itself, and is not taken for a dialer's failure.
            process = await asyncio.create_subprocess_exec(
                *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                start_new_session=True)
        except (OSError, ValueError) as exc:
            return self._failed(attempt, f"cannot start the dialer: {exc}")
        try:
            output = await asyncio.wait_for(self._talk(process, payload),
                                            self.timeout.total_seconds())
        except TimeoutError:
            await _stop(process)
            return self._failed(attempt, f"the dialer gave no outcome within "
                                         f"{self.timeout.total_seconds():g} s")
        except BaseException:
            # Cancelled (Ctrl-C): stop the call's process too (asked first, then killed), and
            # leave the attempt in doubt.
            await asyncio.shield(_stop(process, grace=STOP_GRACE))
            raise
        if output is None:
            await _stop(process)
            return self._failed(attempt, f"the dialer printed more than {OUTPUT_LIMIT} bytes")
        if process.returncode != 0:
            return self._failed(attempt, f"the dialer exited with status {process.returncode}")
        try:
            return parse_outcome(output.decode("utf-8").strip(), attempt)
        except UnicodeDecodeError:
            return self._failed(attempt, "the dialer's output is not UTF-8")
        except DialerOutputError as exc:
            return self._failed(attempt, f"the dialer's output is not an outcome: {exc}")

    @staticmethod
    async def _talk(process: asyncio.subprocess.Process, payload: bytes) -> bytes | None:
        """Write the attempt, read at most :data:`OUTPUT_LIMIT` bytes, wait for the exit.
        None: the dialer printed too much."""
        assert process.stdin is not None and process.stdout is not None
        # A dialer may exit without reading its input; that is its answer, not an error.
        with contextlib.suppress(ConnectionError):
            process.stdin.write(payload)
            await process.stdin.drain()
        with contextlib.suppress(ConnectionError):
            process.stdin.close()
        chunks: list[bytes] = []
        size = 0
        while chunk := await process.stdout.read(OUTPUT_LIMIT + 1 - size):
            chunks.append(chunk)
            size += len(chunk)
            if size > OUTPUT_LIMIT:
                return None
        await process.wait()
        return b"".join(chunks)


async def _stop(process: asyncio.subprocess.Process, grace: timedelta | None = None) -> None:
    """End the dialer: with a ``grace``, SIGTERM first and SIGKILL only after it; else at once."""
    if process.returncode is not None:
        return
    if grace is not None:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), grace.total_seconds())
            return
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    await process.wait()


__all__ = ["OUTPUT_LIMIT", "CommandDialer", "DialerOutputError",
           "attempt_document", "parse_outcome", "render"]
