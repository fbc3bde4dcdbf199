"""Running a sandbox and a report receiver on 127.0.0.1 for a test, and stopping them.

Both listen on a port the system picks (bound here first, so the test knows it before the
server starts); every wait is bounded.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import uvicorn

from ivrsched.sandbox import SandboxConfig, VirtualClock
from ivrsched.sandbox.app import create_app

LOOPBACK = "127.0.0.1"
START_TIMEOUT_SECONDS = 30


def _socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, 0))
    return sock


@dataclass
class RunningSandbox:
    url: str
    clock: VirtualClock
    server: uvicorn.Server
    app: Any


@contextmanager
def running_sandbox(config: SandboxConfig, clock: VirtualClock) -> Iterator[RunningSandbox]:
    """A sandbox served by uvicorn in a thread until the block ends."""
    sock = _socket()
    app = create_app(config, clock)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the sandbox did not start")
        time.sleep(0.01)
    host, port = sock.getsockname()[:2]
    try:
        yield RunningSandbox(f"http://{host}:{port}", clock, server, app)
    finally:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT_SECONDS)
        sock.close()


@dataclass
class Receiver:
    """Collects the delivery reports posted to it; answers 500 to the first ``fail_first``."""

    url: str
    bodies: list[tuple[str, bytes]] = field(default_factory=list)
    fail_first: int = 0
    seen: int = 0

    def reports(self) -> list[dict[str, Any]]:
        """Every report entry received as JSON, in arrival order."""
        return [entry for kind, body in self.bodies if kind == "application/json"
                for entry in json.loads(body)["results"]]


@contextmanager
def receiver(fail_first: int = 0) -> Iterator[Receiver]:
    """An HTTP server on 127.0.0.1 that records every POST, until the block ends."""
    server = ThreadingHTTPServer((LOOPBACK, 0), BaseHTTPRequestHandler)
    host, port = server.server_address[:2]
    state = Receiver(f"http://{host}:{port}/reports", fail_first=fail_first)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                state.seen += 1
                failing = state.seen <= state.fail_first
                if not failing:
                    state.bodies.append((self.headers.get("Content-Type", ""), body))
            self.send_response(500 if failing else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=START_TIMEOUT_SECONDS)
