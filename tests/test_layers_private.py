"""The layers of DESIGN.md hold: no module reads Org's private fields, and imports point down.

Both checks read the source with ``ast``; nothing is imported or run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import beacon_org as bo
from beacon_org._pmap import PMap

SRC = Path(bo.__file__).parent

#: Org's private names (its slots and its private methods) and PMap's internals.
ORG_PRIVATE = frozenset(
    name
    for name in (*bo.Org.__slots__, *vars(bo.Org))
    if name.startswith("_") and not name.startswith("__")
)
PMAP_PRIVATE = frozenset(
    name
    for name in (*PMap.__slots__, *vars(PMap))
    if name.startswith("_") and not name.startswith("__")
)


def modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(SRC.rglob("*.py")):
        yield path.relative_to(SRC).as_posix(), ast.parse(path.read_text(), str(path))


def private_reads(name: str, tree: ast.Module) -> list[str]:
    """Every ``X._field`` in the module where ``_field`` is private to Org (or to PMap)."""
    private = set()
    if name != "_org.py":
        private |= ORG_PRIVATE
    if name != "_pmap.py":
        private |= PMAP_PRIVATE
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or node.attr not in private:
            continue
        # A class's own attribute of the same name (self._users in a class that is not Org)
        # is its own business.
        if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
            continue
        found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_private_names_are_the_ones_meant() -> None:
    assert {"_users", "_reps", "_members", "_sharing", "_replace", "_put_user"} <= ORG_PRIVATE
    assert "_shards" in PMAP_PRIVATE


def test_no_module_reads_org_private_fields() -> None:
    offending: dict[str, list[str]] = {}
    for name, tree in modules():
        reads = private_reads(name, tree)
        if reads:
            offending[name] = reads
    assert not offending, "read Org.view (or a public Org method) instead:\n" + "\n".join(
        line for reads in offending.values() for line in reads
    )


def test_the_check_finds_a_planted_read() -> None:
    tree = ast.parse("def f(org):\n    return org._users, org.view.users, self._users\n")
    assert private_reads("rules/_new.py", tree) == ["rules/_new.py:2: org._users"]
    assert private_reads("_org.py", tree) == []


# --- imports point down ------------------------------------------------------------------------

#: Layer of each part of the package, low to high (DESIGN.md, "Layers").
LAYERS = {
    "_errors.py": 0,
    "_model.py": 1,
    "_pmap.py": 1,
    "_shape.py": 1,
    "_org.py": 1,
    "_display.py": 1,
    "graph": 2,
    "rules": 3,
}


def layer(module: str) -> int | None:
    top = module.split("/")[0].split(".")[0]
    for key in (module, top, f"{top}.py"):
        if key in LAYERS:
            return LAYERS[key]
    return None


def run_time_imports(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, first part of the package it names) of every import run at some time.

    Imports under ``if TYPE_CHECKING:`` are for annotations only and never run.
    """
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            skip.update(id(n) for child in node.body for n in ast.walk(child))
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            parts = (node.module or "").split(".")
            if node.level == 2 or not parts[0]:  # from .. import x / from . import x
                names = [alias.name for alias in node.names]
                yield from ((node.lineno, n) for n in names)
            else:
                yield node.lineno, parts[0]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("beacon_org."):
            yield node.lineno, (node.module or "").split(".")[1]


def test_imports_point_down() -> None:
    upward = []
    for name, tree in modules():
        mine = layer(name)
        if mine is None:
            continue
        for line, target in run_time_imports(tree):
            if "/" in name and name.split("/")[0] == target:
                continue  # within its own package
            theirs = layer(target if target in LAYERS else f"{target}.py")
            if theirs is not None and theirs > mine:
                upward.append(f"{name}:{line} imports {target}")
    assert not upward, "\n".join(upward)


def test_the_org_does_not_import_the_graph_package() -> None:
    tree = ast.parse((SRC / "_org.py").read_text())
    assert "graph" not in {target for _line, target in run_time_imports(tree)}


def test_the_check_finds_a_planted_upward_import() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from .rules import Visibility\n"
        "def graph(self):\n"
        "    from .graph._build import build_graph\n"
    )
    assert list(run_time_imports(tree)) == [(5, "graph")]
