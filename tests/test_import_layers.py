"""Imports inside ``beacon_org`` point one way: no module imports, even lazily, one that imports it.

Every module of ``src/beacon_org`` is parsed (not imported) with ``ast``; each import names an
edge from the importing module to the module it loads, imports inside functions included, those
under ``if TYPE_CHECKING:`` left out (they never run). A cycle in that graph fails the test.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import networkx as nx

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "beacon_org"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted((SRC / PACKAGE).rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    # Every import statement, at any depth, except under `if TYPE_CHECKING:` (its else runs).
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                yield from _imports(ast.Module(body=[child], type_ignores=[]))
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _imports(node)


def _targets(
    module: str, is_package: bool, node: ast.Import | ast.ImportFrom, modules: Iterable[str]
) -> set[str]:
    # The modules an import statement loads (the parent packages it loads on the way are left
    # out: every submodule would otherwise "import" its package's __init__).
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    source = node.module or ""
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join([*base, *([node.module] if node.module else [])])
    # `from x import y` loads the module x.y when there is one, else x (y is a name in it).
    return {
        f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
        for alias in node.names
    }


def import_graph() -> nx.DiGraph[str]:
    """The import edges between the modules of ``beacon_org``."""
    modules = _modules()
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(modules)
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _imports(tree):
            for target in _targets(module, path.name == "__init__.py", node, modules):
                if target in modules and target != module:
                    graph.add_edge(module, target)
    return graph


def _cycles() -> list[frozenset[str]]:
    graph = import_graph()
    return [frozenset(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]


def test_the_import_graph_sees_lazy_imports_and_skips_type_checking_ones() -> None:
    # The parser itself: a lazy import inside a function counts, a TYPE_CHECKING one does not.
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from .a import A\n"
        "def f():\n    from .b import B\n    return B\n"
    )
    modules = {"pkg.a", "pkg.b", "pkg.m"}
    found = {t for node in _imports(tree) for t in _targets("pkg.m", False, node, modules)}
    assert found == {"typing", "pkg.b"}


def test_the_graph_holds_the_edges_it_should() -> None:
    graph = import_graph()
    assert graph.has_edge("beacon_org.rules._transfers", "beacon_org.rules._lifecycle")
    assert graph.has_edge("beacon_org.rules._transfers", "beacon_org.rules._advice")
    assert graph.has_edge("beacon_org.rules._custody", "beacon_org.rules._transfers")
    assert graph.has_edge("beacon_org", "beacon_org.rules")
    assert len(graph) > 30


def test_no_import_cycles_between_modules() -> None:
    unexpected = [sorted(c) for c in _cycles()]
    assert not unexpected, f"import cycles: {unexpected}"


def test_the_display_helpers_point_nowhere_back() -> None:
    # Issue 12's "_display <-> rules/_records": the records import the HTML helpers, and the
    # helpers take plain values, so not even a TYPE_CHECKING import points back.
    tree = ast.parse((SRC / PACKAGE / "_display.py").read_text(encoding="utf-8"))
    ours = [
        node
        for node in ast.walk(tree)
        if (isinstance(node, ast.ImportFrom) and (node.level or PACKAGE in (node.module or "")))
        or (isinstance(node, ast.Import) and any(PACKAGE in a.name for a in node.names))
    ]
    assert ours == []
    assert import_graph().has_edge("beacon_org.rules._records", "beacon_org._display")
