"""How a sandbox is set up: where it keeps its journals, who may call it, what outcomes calls
have, which hosts may receive delivery reports."""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

__all__ = ["Credentials", "SandboxConfig"]

#: Request bodies larger than this are refused with 413 (the platform's own limit is not
#: published; 20,000 destinations in the messages shape take about 1 MiB).
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Credentials:
    """Who may call the sandbox: HTTP Basic ``username:password``, an ``App <key>`` API key,
    or both. With neither, every request is accepted (a sandbox on loopback for one test)."""

    username: str | None = None
    password: str | None = None
    api_key: str | None = None

    @property
    def required(self) -> bool:
        """Whether requests must authenticate at all."""
        return self.username is not None or self.api_key is not None

    def accepts(self, authorization: str | None) -> bool:
        """Whether an ``Authorization`` header value authenticates (constant-time compares)."""
        if not self.required:
            return True
        if authorization is None:
            return False
        scheme, _, value = authorization.strip().partition(" ")
        scheme = scheme.lower()
        if scheme == "app" and self.api_key is not None:
            return hmac.compare_digest(value.strip().encode(), self.api_key.encode())
        if scheme == "basic" and self.username is not None:
            try:
                decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return False
            expected = f"{self.username}:{self.password or ''}"
            return hmac.compare_digest(decoded.encode(), expected.encode())
        return False


def _loopback_hosts() -> frozenset[str]:
    return frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class SandboxConfig:
    """A sandbox's settings. ``data_dir`` holds one journal per accepted request, so a restarted
    sandbox continues where it stopped. Outcomes come from the simulation's seeded model
    (``seed`` and the rates) unless ``scripted`` gives outcomes per number."""

    data_dir: Path
    credentials: Credentials = Credentials()
    seed: int = 0
    answer_rate: Fraction = Fraction(1, 2)
    busy_rate: Fraction = Fraction(1, 10)
    scripted_outcomes: Path | None = None
    report_hosts: frozenset[str] = field(default_factory=_loopback_hosts)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    #: How often a failed report push is tried in all, and the first wait between tries (µs);
    #: each wait doubles.
    report_tries: int = 5
    report_backoff_us: int = 1_000_000
