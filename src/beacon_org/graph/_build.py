"""Build the networkx view of an org: user and region nodes, and the edges that grant access."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import networkx as nx

if TYPE_CHECKING:
    from .._org import Org

__all__ = ["MANAGES", "MEMBER", "REP", "build_graph"]

from .._org import MANAGES, MEMBER, REP


def _node_attrs(record: Any) -> dict[str, Any]:
    return attrs.asdict(record, recurse=False)


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
    graph: nx.DiGraph[str] = nx.DiGraph()
    for user in org.users.values():
        data = _node_attrs(user)
        data["kind"] = "user"
        data["role"] = user.role.value
        if user.role.value == "distributor":
            data["shared_inventory"] = org.shares_inventory(user.id)
        graph.add_node(user.id, **data)
    for region in org.regions.values():
        data = _node_attrs(region)
        data["kind"] = "region"
        graph.add_node(region.id, **data)
        if region.manager is not None:
            graph.add_edge(region.manager, region.id, relation=MANAGES)
    for user in org.users.values():
        if user.region is not None:
            graph.add_edge(user.region, user.id, relation=MEMBER)
        distributor = org.distributor_of(user.id)
        if distributor is not None:
            graph.add_edge(distributor, user.id, relation=REP)
    return graph
