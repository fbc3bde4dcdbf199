"""Live dispatch (SPEC S14): the dispatcher, its asyncio runner and the command dialer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivrsched._lazy import lazy_names

if TYPE_CHECKING:
    from ivrsched.dispatch.attempt import Attempt as Attempt
    from ivrsched.dispatch.attempt import DestinationResult as DestinationResult
    from ivrsched.dispatch.attempt import DispatchError as DispatchError
    from ivrsched.dispatch.attempt import Ending as Ending
    from ivrsched.dispatch.attempt import JournalError as JournalError
    from ivrsched.dispatch.command_dialer import CommandDialer as CommandDialer
    from ivrsched.dispatch.command_dialer import DialerOutputError as DialerOutputError
    from ivrsched.dispatch.dispatcher import Dispatcher as Dispatcher
    from ivrsched.dispatch.runner import run as run
    from ivrsched.rules.lifecycle import LifecycleError as LifecycleError
    from ivrsched.rules.lifecycle import State as State

#: Each public name and the module that defines it (imported on first use).
_NAMES = {
    "Attempt": "ivrsched.dispatch.attempt",
    "DestinationResult": "ivrsched.dispatch.attempt",
    "DispatchError": "ivrsched.dispatch.attempt",
    "Ending": "ivrsched.dispatch.attempt",
    "JournalError": "ivrsched.dispatch.attempt",
    "Dispatcher": "ivrsched.dispatch.dispatcher",
    "run": "ivrsched.dispatch.runner",
    "CommandDialer": "ivrsched.dispatch.command_dialer",
    "DialerOutputError": "ivrsched.dispatch.command_dialer",
    "LifecycleError": "ivrsched.rules.lifecycle",
    "State": "ivrsched.rules.lifecycle",
}

__all__ = [
    "Attempt",
    "CommandDialer",
    "DestinationResult",
    "DialerOutputError",
    "DispatchError",
    "Dispatcher",
    "Ending",
    "JournalError",
    "LifecycleError",
    "State",
    "run",
]
__getattr__, __dir__ = lazy_names(__name__, _NAMES, globals())
