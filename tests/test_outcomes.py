"""Outcomes (SPEC S10): values, tables and the seeded random model (files: test_outcome_files)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest

from ivrsched.planning.planner import DestinationSchedule
from ivrsched.request.model import Destination
from ivrsched.rules.instants import US_PER_SECOND
from ivrsched.simulation.outcomes import (
    AttemptOutcome,
    Constant,
    MissingOutcomeError,
    Outcome,
    OutcomeTable,
    Random,
)

S = US_PER_SECOND
NOW = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)


def schedule(message_id: str = "m1", to: str = "41793026700", message: int = 0,
             index: int = 0) -> DestinationSchedule:
    return DestinationSchedule(message, index, Destination(to, message_id), message_id, ())


# -- values ---------------------------------------------------------------------------------

def test_an_answered_outcome_defaults_its_answer_to_the_start() -> None:
    assert AttemptOutcome(Outcome.ANSWERED, 10 * S).answer_after_us == 0
    assert AttemptOutcome.of("busy", timedelta(seconds=2.5)).duration_us == 2_500_000


@pytest.mark.parametrize(("args", "error"), [
    ((Outcome.BUSY, -1), ValueError),
    ((Outcome.BUSY, 1.5), TypeError),
    ((Outcome.BUSY, True), TypeError),
    ((Outcome.NO_ANSWER, 10, 0), ValueError),
    ((Outcome.ANSWERED, 10, 11), ValueError),
])
def test_bad_outcome_values_are_refused(args: tuple[object, ...], error: type) -> None:
    with pytest.raises(error):
        AttemptOutcome(*args)  # type: ignore[arg-type]


# -- tables ---------------------------------------------------------------------------------

A = AttemptOutcome(Outcome.ANSWERED, 1 * S)
B = AttemptOutcome(Outcome.BUSY, 2 * S)
N = AttemptOutcome(Outcome.NO_ANSWER, 3 * S)
F = AttemptOutcome(Outcome.FAILED, 4 * S)


def test_table_lookup_prefers_message_id_then_to_then_fallback() -> None:
    table = OutcomeTable(by_message_id={("m1", 2): A, ("m1", None): B},
                         by_to={("41793026700", 3): N, ("41793026700", None): F},
                         fallback=Constant(A))
    assert table.outcome(schedule("m1"), 2) is A       # messageId and attempt
    assert table.outcome(schedule("m1"), 5) is B       # messageId, any attempt
    assert table.outcome(schedule("m2"), 3) is N       # to and attempt
    assert table.outcome(schedule("m2"), 1) is F       # to, any attempt
    assert table.outcome(schedule("m2", to="41793026799"), 1) is A  # fallback
    assert len(table) == 4


def test_table_without_fallback_names_the_missing_attempt() -> None:
    with pytest.raises(MissingOutcomeError, match="attempt 2 of messageId 'm9'"):
        OutcomeTable().outcome(schedule("m9"), 2)


# -- the random model -----------------------------------------------------------------------

def test_random_is_reproducible_and_the_seed_matters() -> None:
    targets = [schedule(f"m{i}", index=i) for i in range(50)]
    first = [Random(seed=1).outcome(t, 1) for t in targets]
    assert first == [Random(seed=1).outcome(t, 1) for t in targets]
    assert first != [Random(seed=2).outcome(t, 1) for t in targets]


def test_random_durations_follow_the_model() -> None:
    model = Random(answer_rate=Fraction(1, 2), busy_rate=0.25, failed_rate=0.125, seed=4,
                   ring_timeout=timedelta(seconds=45),
                   talk_time=(timedelta(seconds=10), timedelta(seconds=20)),
                   busy_time=timedelta(seconds=3), failed_time=timedelta(seconds=1))
    outcomes = [model.outcome(schedule(index=i), k) for i in range(500) for k in (1, 2)]
    for o in outcomes:
        assert isinstance(o.duration_us, int)
        if o.kind is Outcome.ANSWERED:
            assert o.answer_after_us is not None and 0 <= o.answer_after_us <= 45 * S
            assert 10 * S <= o.duration_us - o.answer_after_us <= 20 * S
        else:
            assert o.duration_us == {Outcome.BUSY: 3 * S, Outcome.FAILED: 1 * S,
                                     Outcome.NO_ANSWER: 45 * S}[o.kind]
    counts = Counter(o.kind for o in outcomes)
    # Expected shares of 1000 draws: 500 answered, 250 busy, 125 failed, 125 no-answer; the
    # draws are fixed by the seed, so these bounds (±60) cannot flake.
    assert abs(counts[Outcome.ANSWERED] - 500) < 60
    assert abs(counts[Outcome.BUSY] - 250) < 60
    assert abs(counts[Outcome.FAILED] - 125) < 60
    assert abs(counts[Outcome.NO_ANSWER] - 125) < 60


def test_extreme_rates_are_exact() -> None:
    targets = [schedule(index=i) for i in range(200)]
    assert {Random(1, 0, seed=0).outcome(t, 1).kind for t in targets} == {Outcome.ANSWERED}
    assert {Random(0, 0, seed=0).outcome(t, 1).kind for t in targets} == {Outcome.NO_ANSWER}
    assert {Random(0, 1, seed=0).outcome(t, 1).kind for t in targets} == {Outcome.BUSY}


@pytest.mark.parametrize("kwargs", [
    {"answer_rate": 0.7, "busy_rate": 0.4},
    {"answer_rate": -0.1},
    {"answer_rate": 1.5},
])
def test_bad_rates_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Random(seed=0, **kwargs)
