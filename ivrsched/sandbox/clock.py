"""The sandbox's time: the machine's clock, or a virtual one that stands still until moved.

Both are read as integer microseconds (S1). A virtual clock only ever moves forward: the
campaigns it drives have already placed the attempts before the current instant.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Protocol

from ivrsched.errors import IvrschedError
from ivrsched.rules.instants import to_us

__all__ = ["ClockError", "RealClock", "SandboxClock", "VirtualClock"]


class ClockError(IvrschedError, ValueError):
    """A virtual clock was asked to move backwards, or a real clock to move at all."""


class SandboxClock(Protocol):
    """What the sandbox asks of its clock."""

    @property
    def virtual(self) -> bool:
        """True when time moves only when told to."""
        ...

    def now_us(self) -> int:
        """The current instant."""
        ...


class RealClock:
    """The machine's clock (``--clock real``)."""

    virtual = False

    def now_us(self) -> int:
        return to_us(datetime.now(timezone.utc))


class VirtualClock:
    """A clock that stands still until :meth:`move_to` (``--clock virtual``)."""

    virtual = True

    def __init__(self, start_us: int) -> None:
        self._now_us = start_us
        self._lock = threading.Lock()

    def now_us(self) -> int:
        with self._lock:
            return self._now_us

    def move_to(self, at_us: int) -> None:
        """Set the clock to ``at_us``, which must not be before the current instant."""
        with self._lock:
            if at_us < self._now_us:
                raise ClockError("the virtual clock cannot move backwards")
            self._now_us = at_us
