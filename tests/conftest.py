"""Hypothesis profiles: ``default`` for CI, ``fast`` (BEACON_HYPOTHESIS_PROFILE=fast) while editing.

And the documentation site, built once for the tests that read it, and the SpiceDB cluster
fixtures (tests/cluster.py).
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
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
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documentation site, built once per test run with ``mkdocs build --strict``.

    tests/test_docs_site.py reads its HTML; tests/test_docs_browser.py opens it in Chromium.
    """
    site = tmp_path_factory.mktemp("docs") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # mkdocs' own warnings (strict mode fails on them anyway); the notebook kernel's log is not one.
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings == [], result.stderr[-3000:]
    return site


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
