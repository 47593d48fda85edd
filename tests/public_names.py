"""The public modules and, for each public name, the id under which the API reference documents it.

A class or function is documented under its ``__module__`` (which ``beacon_org._public`` sets to the
public module it is imported from); a constant under the deepest public module that exports it.
"""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType

PUBLIC_MODULES = (
    "beacon_org",
    "beacon_org.rules",
    "beacon_org.graph",
    "beacon_org.export",
    "beacon_org.testing",
    "beacon_org.testing.strategies",
)


def modules() -> dict[str, ModuleType]:
    return {name: importlib.import_module(name) for name in PUBLIC_MODULES}


def documented_id(module_name: str, name: str) -> str:
    found = modules()
    value = getattr(found[module_name], name)
    if inspect.isclass(value) or inspect.isfunction(value):
        return f"{value.__module__}.{value.__qualname__}"
    exporters = [
        other
        for other, module in found.items()
        if name in getattr(module, "__all__", ()) and getattr(module, name) is value
    ]
    return f"{max(exporters, key=len)}.{name}"


def documented_ids() -> dict[str, str]:
    """``{"beacon_org.rules.Decision": id, ...}`` for every name of every public module's ``__all__``."""
    return {
        f"{module_name}.{name}": documented_id(module_name, name)
        for module_name, module in modules().items()
        for name in module.__all__
    }


def public_callables() -> dict[str, object]:
    """Every public class and function, and every public method a public class defines itself.

    ``{"beacon_org.Org.add_user": function, ...}``, each under its documented name; names re-exported
    by a second module (``bo.Decision``) appear once.
    """
    found: dict[str, object] = {}
    for module_name, module in modules().items():
        for name in module.__all__:
            value = getattr(module, name)
            if not (inspect.isclass(value) or inspect.isfunction(value)):
                continue
            path = documented_id(module_name, name)
            found[path] = value
            if inspect.isclass(value):
                for attr, member in vars(value).items():
                    function = getattr(member, "__func__", member)
                    if not attr.startswith("_") and inspect.isfunction(function):
                        found[f"{path}.{attr}"] = function
    return found
