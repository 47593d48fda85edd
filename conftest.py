"""Doctest set-up for every module and docs page.

- Module doctests get ``bo`` (beacon_org) in their namespace; docs pages do not, so every page
  imports what it uses, as a reader copying its examples must.
- A doctest that draws (its examples import matplotlib) is skipped where matplotlib is not
  installed: ``draw()`` needs the ``[draw]`` extra, ``import beacon_org`` never does.
- Doctests are collected from the file that writes them, although the public classes report
  their public module (``beacon_org.Org``, not ``beacon_org._org.Org``).
"""

from __future__ import annotations

import doctest
from typing import Any

import pytest

import beacon_org
from beacon_org import _public

_from_module = doctest.DocTestFinder._from_module


def _from_defining_module(self: doctest.DocTestFinder, module: Any, value: Any) -> bool:
    # doctest looks for a class's examples in sys.modules[cls.__module__] and finds them by its
    # source there; a published class's source is in the private module that defines it.
    written_in = _public.defined_in(value)
    if written_in is not None and module is not None:
        return bool(module.__name__ == written_in)
    return bool(_from_module(self, module, value))


doctest.DocTestFinder._from_module = _from_defining_module  # type: ignore[method-assign]


def _needs_matplotlib(test: doctest.DocTest) -> bool:
    return any("matplotlib" in example.source for example in test.examples)


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(autouse=True)
def _doctest_namespace(request: pytest.FixtureRequest, doctest_namespace: dict[str, Any]) -> None:
    test = getattr(request.node, "dtest", None)
    if test is None:
        return
    if _needs_matplotlib(test) and not _has_matplotlib():
        pytest.skip(
            "draws with matplotlib, which is not installed (pip install 'beacon-org[draw]')"
        )
    if request.node.path.suffix != ".md":
        doctest_namespace["bo"] = beacon_org
