"""Public classes and functions report the module users import them from, not a private one.

Each package ``__init__`` calls :func:`publish` after its imports, so reprs, tracebacks, pickles
and the docs say ``beacon_org.UnknownUserError`` rather than ``beacon_org.UnknownUserError``.

The cost, on Python < 3.13: ``inspect.getsource(bo.Org)`` looks for the class in the public
module's file and finds nothing (methods and functions are still found; 3.13 records a class's
first line). The test suite's doctest collection asks :func:`defined_in` instead.
"""

from __future__ import annotations

import contextlib
import inspect
import sys
from typing import Any

import attrs

# Where each published name is written, for tools that look for its source by module (the test
# suite's doctest collection: see conftest.py).
_DEFINED_IN: dict[Any, str] = {}


def _is_private(module_name: str) -> bool:
    return any(part.startswith("_") for part in module_name.split("."))


def defined_in(value: Any) -> str | None:
    """The private module that defines a published class or function; None for anything else."""
    try:
        return _DEFINED_IN.get(value)
    except TypeError:  # unhashable: never published
        return None


def publish(module_name: str) -> None:
    """Set ``__module__`` to `module_name` on the names of its ``__all__`` defined in private modules.

    A name already published by a subpackage (``beacon_org.rules.Decision`` re-exported by
    ``beacon_org``) keeps the subpackage, where it is documented.
    """
    module = sys.modules[module_name]
    for name in module.__all__:
        value: Any = getattr(module, name)
        if not (inspect.isclass(value) or inspect.isfunction(value)):
            continue
        written_in = value.__module__
        if not _is_private(written_in):
            continue
        if inspect.isclass(value) and attrs.has(value):
            # typing.get_type_hints (so cattrs and hypothesis) looks a class's string annotations up
            # in sys.modules[cls.__module__]: resolve them once in the module that wrote them.
            with contextlib.suppress(NameError):  # a name imported only for type checking
                attrs.resolve_types(value, globalns=vars(sys.modules[written_in]))
        _DEFINED_IN[value] = written_in
        value.__module__ = module_name
