"""Public Hypothesis strategies for testing a dispatcher against ivrsched (and ivrsched itself).

The strategies live in :mod:`ivrsched.oracle.strategies`; this is their public name. Importing it
needs Hypothesis (the test extra: ``pip install 'ivrsched[test]'``).
"""

from __future__ import annotations

from ivrsched.oracle.strategies import *  # noqa: F403 - the public face of the oracle's strategies
from ivrsched.oracle.strategies import __all__ as __all__
