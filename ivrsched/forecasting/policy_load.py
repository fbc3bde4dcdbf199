"""The attempts of a plan under a calling policy (SPEC S15, S16), as sorted columns for the
forecast and the capacity.

Under a policy the attempt instants are no longer a closed form per slot: the policy engine
(:func:`ivrsched.policy.pacing.run_policy`) places them, every attempt failing a fixed delay
after its start (the plan's ``failure_delay``, or the call duration for S16's worst case), as
a plan assumes. The engine yields attempts in time order, so each column (one per message and
attempt number) is sorted as it is filled; memory is one integer per attempt.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING

from ivrsched.forecasting.load import AttemptSeries

if TYPE_CHECKING:
    from ivrsched.planning.planner import Plan
    from ivrsched.policy.document import CallingPolicy


def policy_columns(plan: Plan, policy: CallingPolicy,
                   failure_delay_us: int) -> list[list[list[int]]]:
    """Per message, per attempt number (0 the first attempt, k retry k): the sorted start
    instants of the attempts ``policy`` places when every attempt fails ``failure_delay_us``
    after it starts."""
    from ivrsched.policy.pacing import MessageRun, PolicyAttempt, failing_after, run_policy

    columns: list[list[list[int]]] = [[[] for _ in range(len(m.timeline.gaps_us) + 1)]
                                      for m in plan.messages]
    runs = [MessageRun(m.message_index, m.timeline, m.source) for m in plan.messages]
    for record in run_policy(runs, policy, failing_after(failure_delay_us)):
        if isinstance(record, PolicyAttempt):
            columns[record.message][record.attempt - 1].append(record.start_us)
    return columns


@dataclass(frozen=True)
class SortedSeries(AttemptSeries):
    """An attempt series given by its sorted instants (see :class:`AttemptSeries`): the
    ``number``-th attempts of one message under a policy."""

    times: Sequence[int] = ()
    prefix: Sequence[int] = field(default=(0,), repr=False)

    @classmethod
    def of(cls, series: AttemptSeries, times: Sequence[int]) -> SortedSeries:
        return cls(series.message_plan, series.number, series.accepted, tuple(times),
                   tuple(accumulate(times, initial=0)))

    @property
    def slots(self) -> int:
        return len(self.times)

    def before(self, at_us: int) -> int:
        return bisect_left(self.times, at_us)

    def total(self) -> int:
        return len(self.times)

    def at(self, slot: int) -> int:
        return self.times[slot]

    def instant_sum(self, lo_slot: int, hi_slot: int) -> int:
        return self.prefix[hi_slot] - self.prefix[lo_slot]


__all__ = ["SortedSeries", "policy_columns"]
