"""Build the networkx view of an org: user and region nodes, and the edges that grant access."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._org import MANAGES, MEMBER, REP, Org
from .._shape import build_graph as _build_from_view

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["MANAGES", "MEMBER", "REP", "build_graph"]


def build_graph(org: Org) -> nx.DiGraph[str]:
    """Return a new ``DiGraph`` of ``org`` (see :attr:`beacon_org.Org.graph` for its shape).

    Examples
    --------
    >>> from beacon_org.graph import REP, build_graph
    >>> from beacon_org.testing import sample_org
    >>> graph = build_graph(sample_org())
    >>> graph.nodes["rep-a1"]["role"], graph.edges["dist-a", "rep-a1"]["relation"] == REP
    ('sales', True)
    >>> graph.add_node("scratch")  # a new graph of its own, free to change
    """
    return _build_from_view(org.view)
