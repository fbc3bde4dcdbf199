"""``ivrsched serve``: a local sandbox of the platform, driven by the real engine (the ``server``
extra: Starlette, uvicorn, httpx, isodate). Nothing here is imported by ``import ivrsched``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivrsched._lazy import lazy_names

if TYPE_CHECKING:
    from ivrsched.sandbox.app import create_app as create_app
    from ivrsched.sandbox.clock import RealClock as RealClock
    from ivrsched.sandbox.clock import SandboxClock as SandboxClock
    from ivrsched.sandbox.clock import VirtualClock as VirtualClock
    from ivrsched.sandbox.config import Credentials as Credentials
    from ivrsched.sandbox.config import SandboxConfig as SandboxConfig

#: Each public name and the module that defines it (imported on first use).
_NAMES = {
    "create_app": "ivrsched.sandbox.app",
    "RealClock": "ivrsched.sandbox.clock",
    "SandboxClock": "ivrsched.sandbox.clock",
    "VirtualClock": "ivrsched.sandbox.clock",
    "Credentials": "ivrsched.sandbox.config",
    "SandboxConfig": "ivrsched.sandbox.config",
}

__all__ = ["Credentials", "RealClock", "SandboxClock", "SandboxConfig", "VirtualClock",
           "create_app"]
__getattr__, __dir__ = lazy_names(__name__, _NAMES, globals())
