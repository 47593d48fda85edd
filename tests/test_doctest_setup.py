"""The doctest set-up in conftest.py: a drawing example is skipped, not failed, without matplotlib."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRAW = ROOT / "src" / "beacon_org" / "graph" / "_draw.py"

# pytest in a fresh interpreter in which `import matplotlib` fails, as where it is not installed.
WITHOUT_MATPLOTLIB = (
    "import sys; sys.modules['matplotlib'] = None; import pytest; "
    "sys.exit(pytest.main(sys.argv[1:]))"
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_MATPLOTLIB, "-p", "no:cacheprovider", "-rs", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_draw_doctest_is_skipped_without_matplotlib() -> None:
    result = _run(f"{DRAW}::beacon_org.graph._draw.draw")
    assert result.returncode == 0, result.stdout[-2000:]
    assert "1 skipped" in result.stdout
    assert "matplotlib, which is not installed" in result.stdout


def test_examples_that_do_not_draw_still_run_without_matplotlib() -> None:
    result = _run(str(ROOT / "src" / "beacon_org" / "graph" / "__init__.py"), str(DRAW))
    assert result.returncode == 0, result.stdout[-2000:]
    assert " passed" in result.stdout
    assert " failed" not in result.stdout
