"""Shared pytest configuration: Hypothesis profiles.

``default`` explores new random examples on every run; ``ci`` (chosen when the CI variable is
set, as ``.ci/run`` runs) uses the same bounded number of examples but derandomised, so that a
CI run is reproducible; ``thorough`` is for a long local run:
``HYPOTHESIS_PROFILE=thorough pytest``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("default", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=100, derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
_CHOSEN = os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
settings.load_profile(_CHOSEN)
