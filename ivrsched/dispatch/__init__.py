"""Live dispatch (SPEC S14): the dispatcher and its asyncio runner."""

from ivrsched.dispatch.runner import run

__all__ = ["run"]
