"""The documentation site builds with ``mkdocs build --strict`` and its nav lists every page.

The build (tests/conftest.py's ``built_site``) runs once; tests/test_docs_browser.py opens it too.

Strict mode turns every warning into a failure: a page missing from the nav or the nav naming a
missing page, a broken link or anchor, a docstring mkdocstrings cannot read, a missing changelog.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import tomllib
import types
from pathlib import Path
from types import ModuleType

import griffe
import pytest
import yaml
from mkdocs.exceptions import PluginError

from beacon_org.rules import SETUP_CODES
from public_names import documented_ids

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _hook(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, DOCS / "_hooks" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_markup = _hook("check_markup")
sphinx_roles = _hook("sphinx_roles")


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
    on_disk = {
        p.relative_to(DOCS).as_posix()
        for pattern in ("*.md", "*.ipynb")
        for p in DOCS.rglob(pattern)
        if ".ipynb_checkpoints" not in p.parts
    }
    assert set(pages) == on_disk


def test_the_pages_the_issue_asks_for_are_in_the_nav() -> None:
    titles = {next(iter(e)) for e in _config()["nav"]}  # type: ignore[attr-defined]
    for title in ("Getting started", "Set up a distributorship", "API reference", "Changelog"):
        assert title in titles


def test_nav_lists_the_example_notebook() -> None:
    nav = _config()["nav"]
    assert isinstance(nav, list)
    assert "notebooks/explore.ipynb" in _nav_pages(nav)


def test_site_builds_strict(built_site: Path) -> None:
    site = built_site
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    # The reference comes from the docstrings: names and their doctest examples are there.
    for name in ("can_view_case", "to_dot", "draw", "summary", "check_setup", "sample_org"):
        assert 'id="beacon_org.' in api
        assert name in api, name
    guide = (site / "setup-guide" / "index.html").read_text(encoding="utf-8")
    assert "Step 6: give the users access" in guide
    changelog = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    assert "Unreleased" in changelog
    # The notebook is a page with its outputs, and the .ipynb is there to download.
    notebook = (site / "notebooks" / "explore" / "index.html").read_text(encoding="utf-8")
    assert notebook.count("data:image/png;base64,") >= 2
    assert (site / "notebooks" / "explore" / "explore.ipynb").is_file()
    # Build code is not published.
    assert not (site / "_hooks").exists()
    assert not (site / "_overrides").exists()


def test_no_page_shows_a_raw_role(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not check_markup.RAW_ROLE.search(check_markup._visible_text(text)), page


def test_every_public_name_has_its_section_in_the_api_reference(built_site: Path) -> None:
    api = (built_site / "api" / "index.html").read_text(encoding="utf-8")
    ids = set(re.findall(r'id="([^"]+)"', api))
    missing = {name: id_ for name, id_ in documented_ids().items() if id_ not in ids}
    assert missing == {}
    # Errors are documented under their public names, not the private module defining them.
    assert "beacon_org._errors" not in api.replace("beacon_org._errors.", "")
    assert not [id_ for id_ in ids if id_.startswith("beacon_org.") and "._" in id_]


def test_the_markup_check_fails_a_page_with_a_raw_role() -> None:
    page = types.SimpleNamespace(file=types.SimpleNamespace(src_uri="api.md"))
    rendered = "<p>Returns a new :class:<code>Org</code>.</p>"
    with pytest.raises(PluginError, match="raw Sphinx role"):
        check_markup.on_post_page(rendered, page=page, config={})
    quoted = "<pre><code>:class:`Org`</code></pre><p>fine</p>"
    assert check_markup.on_post_page(quoted, page=page, config={}) == quoted


def test_roles_become_links_and_a_role_naming_nothing_warns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    extension = sphinx_roles.SphinxRoles()
    package = griffe.load(
        "beacon_org", search_paths=[str(ROOT / "src")], extensions=griffe.load_extensions(extension)
    )
    org = package["Org"]
    assert ":class:" not in org.docstring.value
    assert "[`OrgError`][beacon_org.OrgError]" in org.docstring.value
    visibility = package["rules"]["Visibility"]
    # Relative roles resolve like Sphinx's: the object, its class, its module, the public modules.
    assert sphinx_roles.ROLE.search(visibility.docstring.value) is None
    doc = griffe.Docstring(
        "See :meth:`can_view_case`, :func:`~beacon_org.export.to_spicedb` and :class:`Nowhere`.",
        parent=visibility,
    )
    visibility.docstring = doc
    with caplog.at_level(logging.WARNING):
        extension.on_package(pkg=package)
    assert doc.value.startswith(
        "See [`can_view_case()`][beacon_org.rules.Visibility.can_view_case],"
        " [`to_spicedb()`][beacon_org.export.to_spicedb] and `Nowhere`."
    )
    assert "names nothing public" in caplog.text


def test_setup_checks_page_lists_every_code_with_its_severity() -> None:
    page = (DOCS / "setup-checks.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z-]+)` \| (\w+) \|", page, re.M))
    assert rows == {code: severity.value for code, severity in SETUP_CODES.items()}


def test_license_file_is_the_mit_license_the_metadata_names() -> None:
    metadata = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert metadata["license"] == "MIT"
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in license_text


def test_install_instructions_work_from_a_checkout() -> None:
    # Nothing is published yet: a page may mention `pip install beacon-org` only as the future.
    for page in [ROOT / "README.md", *DOCS.glob("*.md")]:
        for line in page.read_text(encoding="utf-8").splitlines():
            if re.match(r"\s*pip install '?beacon-org", line):
                raise AssertionError(f"{page.name}: {line.strip()!r} finds nothing today")
