"""Public classes and functions report the module users import them from, not a private one.

Each package ``__init__`` calls :func:`publish` after its imports, so reprs, tracebacks, pickles
and the docs say ``beacon_org.UnknownUserError`` rather than ``beacon_org.UnknownUserError``.
"""

from __future__ import annotations

import contextlib
import inspect
import sys
from typing import Any

import attrs


def _is_private(module_name: str) -> bool:
    return any(part.startswith("_") for part in module_name.split("."))


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
        defined_in = value.__module__
        if not _is_private(defined_in):
            continue
        if inspect.isclass(value) and attrs.has(value):
            # typing.get_type_hints (so cattrs and hypothesis) looks a class's string annotations up
            # in sys.modules[cls.__module__]: resolve them once in the module that wrote them.
            with contextlib.suppress(NameError):  # a name imported only for type checking
                attrs.resolve_types(value, globalns=vars(sys.modules[defined_in]))
        value.__module__ = module_name
        if inspect.isclass(value):
            # Its methods too: doctest collects a class's method examples only when the methods
            # come from the same module as the class.
            for member in vars(value).values():
                function = member.fget if isinstance(member, property) else member
                function = getattr(function, "__func__", function)
                if inspect.isfunction(function) and function.__module__ == defined_in:
                    function.__module__ = module_name
