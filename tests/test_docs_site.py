"""The documentation site builds with ``mkdocs build --strict`` and its nav lists every page.

Strict mode turns every warning into a failure: a page missing from the nav or the nav naming a
missing page, a broken link or anchor, a docstring mkdocstrings cannot read, a missing changelog.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _nav_pages(nav: list[object]) -> list[str]:
    pages: list[str] = []
    for entry in nav:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        if isinstance(value, list):
            pages.extend(_nav_pages(value))
        else:
            pages.append(str(value))
    return pages


def _config() -> dict[str, object]:
    # mkdocs.yml may use !!python tags in other projects; this one is plain YAML.
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert isinstance(config, dict)
    return config


def test_nav_lists_exactly_the_pages_in_docs() -> None:
    nav = _config()["nav"]
    assert isinstance(nav, list)
    pages = _nav_pages(nav)
    assert len(pages) == len(set(pages)), "a page is in the nav twice"
    on_disk = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert set(pages) == on_disk


def test_the_pages_the_issue_asks_for_are_in_the_nav() -> None:
    titles = {next(iter(e)) for e in _config()["nav"]}  # type: ignore[attr-defined]
    for title in ("Getting started", "Set up a distributorship", "API reference", "Changelog"):
        assert title in titles


def test_site_builds_strict(tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "WARNING" not in result.stderr
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    # The reference comes from the docstrings: names and their doctest examples are there.
    for name in ("can_view_case", "to_dot", "draw", "summary", "check_setup", "sample_org"):
        assert 'id="beacon_org.' in api
        assert name in api, name
    guide = (site / "setup-guide" / "index.html").read_text(encoding="utf-8")
    assert "Step 6: give the users access" in guide
    changelog = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    assert "Unreleased" in changelog
    # The notebook is published with the site, as a file to download.
    assert (site / "notebooks" / "explore.ipynb").is_file()
