"""Live dispatch (SPEC S14): the dispatcher and its asyncio runner."""

from ivrsched.dispatch.attempt import (
    Attempt,
    DestinationResult,
    DispatchError,
    Ending,
    JournalError,
)
from ivrsched.dispatch.dispatcher import Dispatcher
from ivrsched.dispatch.runner import run
from ivrsched.rules.lifecycle import LifecycleError, State

__all__ = ["Attempt", "DestinationResult", "DispatchError", "Dispatcher", "Ending",
           "JournalError", "LifecycleError", "State", "run"]
