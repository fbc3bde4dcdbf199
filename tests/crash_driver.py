"""A dispatching process for the crash test (tests/test_dispatch_crash.py).

``python -m tests.crash_driver JOURNAL CALLS`` continues the campaign in JOURNAL with the real
runner in virtual time (resuming at the journal's clock), its calls lasting what
:func:`outcome_of` says. It notes in CALLS, one line each, written with a single append so a
kill never leaves half a line: ``open K…`` (the keys in doubt at the start), ``place K`` (a
key the dispatcher handed out, asked of the dialer), ``reask K`` (a key in doubt, asked
again), ``recorded K`` (after its outcome was committed), ``finished``. It prints ``step`` on
stdout after each commit (a handout or an outcome), so that the test kills it at points where
the campaign has made progress.
"""

from __future__ import annotations

import hashlib
import os
import sys
from datetime import timedelta

from ivrsched.dispatch import Attempt, Dispatcher, run
from ivrsched.dispatch.runner import Placed
from ivrsched.planning.planner import DestinationSchedule
from ivrsched.simulation.outcomes import AttemptOutcome, Outcome
from tests.virtual_time import VirtualTime

_KINDS = (Outcome.ANSWERED, Outcome.NO_ANSWER, Outcome.BUSY, Outcome.FAILED)


def outcome_of(to: str | None, number: int) -> AttemptOutcome:
    """A fixed outcome per (number, attempt): the same in every process and in simulate."""
    digest = hashlib.sha256(f"{to}:{number}".encode()).digest()
    kind = _KINDS[digest[0] % 4]
    duration_us = int.from_bytes(digest[1:4], "big") % 120_000 * 1000  # whole ms, < 2 min
    answer_after = duration_us // 3 if kind is Outcome.ANSWERED else None
    return AttemptOutcome(kind, duration_us, answer_after)


class Outcomes:
    """:func:`outcome_of` as an outcome source, for simulate."""

    def outcome(self, destination: DestinationSchedule, attempt: int) -> AttemptOutcome:
        return outcome_of(destination.to, attempt)


def main(journal: str, calls: str) -> None:
    fd = os.open(calls, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def note(*words: str) -> None:
        os.write(fd, (" ".join(words) + "\n").encode())

    def step() -> None:
        sys.stdout.write("step\n")
        sys.stdout.flush()

    with Dispatcher.open(journal) as d:
        doubt = {a.key for a in d.in_doubt()}
        note("open", *sorted(doubt))
        vt = VirtualTime(d.clock)

        async def place(attempt: Attempt) -> AttemptOutcome:
            if attempt.key in doubt:
                note("reask", attempt.key)
            else:
                note("place", attempt.key)
                step()
            outcome = outcome_of(attempt.to, attempt.number)
            end = attempt.time + timedelta(microseconds=outcome.duration_us)
            await vt.wait(max(end - vt.now, timedelta(0)))
            return outcome

        def recorded(attempt: Attempt, placed: Placed) -> None:
            note("recorded", attempt.key)
            step()

        vt.run(run(d, place, clock=vt.clock, sleep=vt.sleep, poll=None, on_recorded=recorded),
               max_steps=1_000_000)
        assert d.finished
    note("finished")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
