"""Conformance (S11): the verifier and conformance vectors. The Hypothesis strategies are
:mod:`ivrsched.testing` (they need Hypothesis).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivrsched._lazy import lazy_names

if TYPE_CHECKING:
    from ivrsched.oracle.conformance import RULES as RULES
    from ivrsched.oracle.conformance import VerificationReport as VerificationReport
    from ivrsched.oracle.conformance import Violation as Violation
    from ivrsched.oracle.conformance import verify as verify
    from ivrsched.oracle.conformance import verify_report as verify_report
    from ivrsched.oracle.vectors import Case as Case
    from ivrsched.oracle.vectors import build_case as build_case
    from ivrsched.oracle.vectors import write_vectors as write_vectors

#: Each public name and the module that defines it (imported on first use).
_NAMES = {
    "RULES": "ivrsched.oracle.conformance",
    "VerificationReport": "ivrsched.oracle.conformance",
    "Violation": "ivrsched.oracle.conformance",
    "verify": "ivrsched.oracle.conformance",
    "verify_report": "ivrsched.oracle.conformance",
    "Case": "ivrsched.oracle.vectors",
    "build_case": "ivrsched.oracle.vectors",
    "write_vectors": "ivrsched.oracle.vectors",
}

__all__ = [
    "RULES",
    "Case",
    "VerificationReport",
    "Violation",
    "build_case",
    "verify",
    "verify_report",
    "write_vectors",
]
__getattr__, __dir__ = lazy_names(__name__, _NAMES, globals())
