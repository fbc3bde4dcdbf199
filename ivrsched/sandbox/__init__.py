"""``ivrsched serve``: a local sandbox of the platform, driven by the real engine (the ``server``
extra: Starlette, uvicorn, httpx).

:func:`create_app` builds the ASGI application from a :class:`SandboxConfig`; the command line
serves it with uvicorn. Nothing here is imported by ``import ivrsched``.
"""

from ivrsched.sandbox.clock import RealClock, SandboxClock, VirtualClock
from ivrsched.sandbox.config import Credentials, SandboxConfig

__all__ = ["Credentials", "RealClock", "SandboxClock", "SandboxConfig", "VirtualClock",
           "create_app"]


def __getattr__(name: str) -> object:
    # The application needs Starlette, an optional extra: imported when asked for.
    if name == "create_app":
        from ivrsched.sandbox.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
