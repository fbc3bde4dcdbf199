"""Hypothesis strategies shared by the test suite: the public ones of
:mod:`ivrsched.testing`.

The project's tests use the same strategies it publishes for other projects' test suites.
"""

from __future__ import annotations

from ivrsched.testing import (
    UNITS,
    attempt_logs,
    bad_numbers,
    delivery_time_windows,
    invalid_requests,
    messages,
    numbers,
    outcome_tables,
    requests,
    retries,
    send_ats,
    sending_speeds,
)

__all__ = [
    "UNITS", "attempt_logs", "bad_numbers", "delivery_time_windows", "invalid_requests",
    "messages", "numbers", "outcome_tables", "requests", "retries", "send_ats",
    "sending_speeds",
]
