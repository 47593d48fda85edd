"""Hypothesis profiles (``default`` for CI, ``fast`` while editing) and the SpiceDB cluster fixtures."""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "fast", max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("BEACON_HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def spicedb_cluster() -> Iterator[Any]:
    """PostgreSQL and two ``spicedb serve`` nodes (tests/cluster.py), for the whole session."""
    from cluster import Cluster

    with Cluster() as started:
        yield started


@pytest.fixture
def cluster(spicedb_cluster: Any) -> Any:
    """The session's cluster with every process running and no relationships stored."""
    spicedb_cluster.ensure_running()
    spicedb_cluster.reset()
    return spicedb_cluster
