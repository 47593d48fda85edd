"""Hypothesis profiles: ``default`` for CI, ``fast`` (BEACON_HYPOTHESIS_PROFILE=fast) while editing."""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fast", max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("BEACON_HYPOTHESIS_PROFILE", "default"))
