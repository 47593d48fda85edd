"""Griffe extension: the docstrings' Sphinx roles become mkdocstrings cross-references.

The source docstrings keep the Sphinx roles a reader of the code knows (:class:`Org`,
:meth:`Visibility.visible_cases`, :func:`~beacon_org.export.to_spicedb`, :data:`ORG_CUSTODY`); at
build time each one is looked up like Sphinx would (the object itself, its class, its module,
then the public modules) and replaced by ``[`Org`][beacon_org.Org]``, pointing at the public name
the API reference documents it under. A role in a documented object that names nothing is logged
as a warning, which ``mkdocs build --strict`` turns into a failure.

mkdocs.yml loads it with ``extensions: [docs/_hooks/sphinx_roles.py]``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import griffe

_LOGGER = logging.getLogger("mkdocs.plugins.beacon_org.sphinx_roles")

ROLE = re.compile(r":(?:py:)?(class|meth|func|attr|data|exc|mod|obj|const):`([^`]+)`")
_EXPLICIT = re.compile(r"^(.*?)\s*<([^>]+)>$")
_CALLABLE_ROLES = {"func", "meth"}


def _is_private(path: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in path.split("."))


def _public_path(path: str) -> str:
    return ".".join(part for part in path.split(".") if not part.startswith("_"))


def _target(obj: griffe.Object | griffe.Alias) -> griffe.Object | None:
    try:
        return obj.final_target if obj.is_alias else obj  # type: ignore[union-attr,return-value]
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def _walk(scope: griffe.Object, parts: list[str]) -> griffe.Object | None:
    current: griffe.Object | None = scope
    for part in parts:
        # A class's members include those it inherits (Custody's transfer questions).
        members = (
            None
            if current is None
            else (current.all_members if current.is_class else current.members)
        )
        if members is None or part not in members:
            return None
        member = members[part]
        # An inherited member is documented on the class that inherits it: keep that alias.
        current = member if getattr(member, "inherited", False) else _target(member)  # type: ignore[assignment]
    return current


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles in every docstring of the package into resolved cross-references."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        if pkg.name != "beacon_org":
            return
        self.pkg = pkg
        self.public_modules = [m for m in self._modules(pkg) if not _is_private(m.path)]
        self.home = self._homes()
        for obj in self._objects(pkg):
            if obj.docstring is None and obj.is_attribute:
                self._read_comment_docstring(obj)
            if obj.docstring is not None and ROLE.search(obj.docstring.value):
                obj.docstring.value = ROLE.sub(
                    lambda match, obj=obj: self._replace(match, obj), obj.docstring.value
                )

    @staticmethod
    def _read_comment_docstring(attr: griffe.Object) -> None:
        """Give an attribute documented Sphinx's way, ``#:`` lines above it, that docstring."""
        if attr.filepath is None or attr.lineno is None:
            return
        try:
            lines = attr.lines_collection[attr.filepath]
        except KeyError:
            return
        comment: list[str] = []
        number = attr.lineno - 2  # lines are numbered from 1; start at the line above
        while number >= 0 and lines[number].strip().startswith("#:"):
            comment.insert(0, lines[number].strip()[2:].strip())
            number -= 1
        if comment:
            attr.docstring = griffe.Docstring(" ".join(comment), parent=attr)

    # -- what is public, and under which name the API reference documents it

    def _modules(self, module: griffe.Module) -> list[griffe.Module]:
        found = [module]
        for member in module.members.values():
            if not member.is_alias and member.is_module:
                found.extend(self._modules(member))  # type: ignore[arg-type]
        return found

    def _homes(self) -> dict[str, str]:
        """Canonical path -> documented public path, the rule ``beacon_org._public`` follows."""
        candidates: dict[str, list[str]] = {}
        for module in self.public_modules:
            candidates.setdefault(module.path, []).append(module.path)
            for name in module.exports or ():
                name = name if isinstance(name, str) else name.name
                target = _target(module.members[name]) if name in module.members else None
                if target is not None:
                    candidates.setdefault(target.path, []).append(f"{module.path}.{name}")
        home: dict[str, str] = {}
        for canonical, paths in candidates.items():
            stripped = _public_path(canonical)
            home[canonical] = stripped if stripped in paths else max(paths, key=len)
        return home

    def _documented_path(self, obj: griffe.Object) -> str | None:
        suffix: list[str] = []
        current: griffe.Object | None = obj
        while current is not None:
            if current.path in self.home:
                if any(_is_private(name) for name in suffix):
                    return None
                return ".".join([self.home[current.path], *reversed(suffix)])
            if current.is_module:
                return None
            suffix.append(current.name)
            current = current.parent  # type: ignore[assignment]
        return None

    def _objects(self, obj: griffe.Object) -> list[griffe.Object]:
        found = [obj]
        for member in obj.members.values():
            if not member.is_alias:
                found.extend(self._objects(member))  # type: ignore[arg-type]
        return found

    # -- one role

    def _resolve(self, written: str, obj: griffe.Object) -> griffe.Object | None:
        parts = written.split(".")
        if parts[0] == "beacon_org":
            return _walk(self.pkg, parts[1:])
        scopes: list[griffe.Object] = []
        current: griffe.Object | None = obj
        while current is not None:
            scopes.append(current)
            current = current.parent  # type: ignore[assignment]
        scopes.extend(self.public_modules)
        for scope in scopes:
            found = _walk(scope, parts)
            if found is not None:
                return found
        return None

    def _replace(self, match: re.Match[str], obj: griffe.Object) -> str:
        role, text = match.group(1), match.group(2).strip()
        explicit = _EXPLICIT.match(text)
        if explicit:
            display, written = explicit.group(1), explicit.group(2)
        else:
            written = text.lstrip("~")
            display = written.rsplit(".", 1)[-1] if text.startswith("~") else written
        if role in _CALLABLE_ROLES and not display.endswith(")"):
            display += "()"
        found = self._resolve(written, obj)
        path = self._documented_path(found) if found is not None else None
        if path is None:
            if self._documented_path(obj) is not None:
                _LOGGER.warning("%s: %s names nothing public", obj.path, match.group(0))
            return f"`{display}`"
        return f"[`{display}`][{path}]"
