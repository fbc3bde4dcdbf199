"""A virtual clock for asyncio code that takes an injected ``clock`` and ``sleep``.

Time moves only when every task is waiting on a virtual sleep: then the clock jumps to the
earliest wake-up and that sleeper continues. Nothing depends on how fast the machine is.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Coroutine
from datetime import datetime, timedelta
from typing import Any, TypeVar

T = TypeVar("T")

#: Rounds of the event loop given to runnable tasks before the clock may move.
_SETTLE_ROUNDS = 200


class VirtualTime:
    def __init__(self, start: datetime) -> None:
        self.now = start
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self.sleeps: list[timedelta] = []

    def clock(self) -> datetime:
        return self.now

    async def sleep(self, delay: timedelta) -> None:
        """The sleep to inject: noted in :attr:`sleeps`."""
        self.sleeps.append(delay)
        await self.wait(delay)

    async def wait(self, delay: timedelta) -> None:
        """A virtual wait that is not noted (for the tasks a test plays itself)."""
        assert delay >= timedelta(0), delay
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + delay, next(self._seq), future))
        await future

    async def _settle(self, task: asyncio.Future[Any]) -> None:
        for _ in range(_SETTLE_ROUNDS):
            if task.done():
                return
            await asyncio.sleep(0)

    async def drive(self, main: Coroutine[Any, Any, T], *, max_steps: int = 100_000) -> T:
        """Run ``main`` to its end, moving the virtual clock whenever everything sleeps."""
        task = asyncio.ensure_future(main)
        for _ in range(max_steps):
            await self._settle(task)
            if task.done():
                return task.result()
            while self._sleepers and self._sleepers[0][2].cancelled():
                heapq.heappop(self._sleepers)
            if not self._sleepers:
                task.cancel()
                raise AssertionError("every task waits, but nothing sleeps: a deadlock")
            wake, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, wake)
            future.set_result(None)
        task.cancel()
        raise AssertionError(f"not finished after {max_steps} clock moves")

    def run(self, main: Coroutine[Any, Any, T], *, max_steps: int = 100_000) -> T:
        return asyncio.run(self.drive(main, max_steps=max_steps))
