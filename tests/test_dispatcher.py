"""The live dispatcher (S14): one engine with simulate, exactly once, the caller's clock."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivrsched import plan, simulate
from ivrsched.dispatch import Attempt, Dispatcher, State
from ivrsched.dispatch.dispatcher import drive
from ivrsched.ids import SeededIds
from ivrsched.planning.planner import DestinationSchedule
from ivrsched.request.model import Destination
from ivrsched.simulation.engine import DestinationResult
from ivrsched.simulation.outcomes import AttemptOutcome, OutcomeSource, Random
from ivrsched.testing import DEFAULT_NOW, requests

NOW = DEFAULT_NOW
SEED = 7
_counter = itertools.count()


@pytest.fixture(scope="module")
def journal_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as directory:
        yield Path(directory)


def fresh(directory: Path) -> Path:
    """A new journal path (Hypothesis runs many examples per test)."""
    return directory / f"campaign-{next(_counter)}.db"


def placer(source: OutcomeSource) -> Callable[[Attempt], AttemptOutcome]:
    """Place an attempt with the outcome ``source`` gives it (as simulate asks it)."""
    def place(attempt: Attempt) -> AttemptOutcome:
        schedule = DestinationSchedule(attempt.message, attempt.index,
                                       Destination(attempt.to), attempt.message_id, ())
        return source.outcome(schedule, attempt.number)
    return place


def simulated(request: dict[str, Any], source: OutcomeSource
              ) -> tuple[list[dict[str, object]], list[DestinationResult]]:
    sim = simulate(plan(request, now=NOW, ids=SeededIds(SEED)), source)
    return [e.record() for e in sim.events()], list(sim.results())


def by_destination(results: list[DestinationResult]) -> list[DestinationResult]:
    return sorted(results, key=lambda r: (r.message, r.index))


outcome_models = st.builds(
    lambda answer, busy, seed, ring: Random(answer, busy, seed=seed,
                                            ring_timeout=timedelta(seconds=ring)),
    st.sampled_from([0, 0.3, 0.7]), st.sampled_from([0, 0.2]), st.integers(0, 99),
    st.integers(0, 600))


@settings(max_examples=60)
@given(requests(max_messages=2, max_destinations=8, windows=None, rejected=True,
                message_ids=True), outcome_models)
def test_driven_at_its_wakeups_the_log_is_the_simulation_log(
        journal_dir: Path, request: dict[str, Any], source: Random) -> None:
    expected_log, expected_results = simulated(request, source)
    with Dispatcher.create(fresh(journal_dir), request, now=NOW, seed=SEED) as d:
        drive(d, placer(source))
        assert d.finished and d.state is State.FINISHED
        assert list(d.log()) == expected_log
        assert by_destination(list(d.results())) == by_destination(expected_results)
        assert d.next_wakeup() is None and d.in_doubt() == []
