"""The org's shape as plain data: its networkx graph and its summary tables.

Both are built from an org's read view alone. ``Org.graph`` and ``Org.summary`` use them and
:mod:`beacon_org.graph` offers them beside the pictures; this module sits below both, so the org
never imports the graph package (imports point down: graph -> org -> this module -> model).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ._model import Role, User

if TYPE_CHECKING:  # annotations only: nothing is imported from the org at run time
    import networkx as nx

    from ._org import OrgView

__all__ = ["MANAGES", "MEMBER", "REP", "build_graph", "summary_tables"]

#: ``relation`` values on the edges of :attr:`Org.graph`.
REP = "rep"  # distributor -> rep
MEMBER = "member"  # region -> sales or distributor user
MANAGES = "manages"  # regional manager -> region

_EMPTY: frozenset[str] = frozenset()


def build_graph(view: OrgView) -> nx.DiGraph[str]:
    """A new ``DiGraph`` of the org seen through ``view`` (the shape of :attr:`Org.graph`)."""
    import networkx as nx  # only when a graph is asked for: `import beacon_org` stays light

    graph: nx.DiGraph[str] = nx.DiGraph()
    for user in view.users.values():
        data = attrs.asdict(user, recurse=False)
        data["kind"] = "user"
        data["role"] = user.role.value
        if user.role is Role.DISTRIBUTOR:
            data["shared_inventory"] = user.id in view.sharing
        graph.add_node(user.id, **data)
    for region in view.regions.values():
        data = attrs.asdict(region, recurse=False)
        data["kind"] = "region"
        graph.add_node(region.id, **data)
        if region.manager is not None:
            graph.add_edge(region.manager, region.id, relation=MANAGES)
    for user in view.users.values():
        if user.region is not None:
            graph.add_edge(user.region, user.id, relation=MEMBER)
        distributor = view.distributor_of.get(user.id)
        if distributor is not None:
            graph.add_edge(distributor, user.id, relation=REP)
    return graph


def _status(user: User) -> str:
    if not user.active:
        return "deactivated"
    return "locked" if user.locked else "active"


def _role_rows(view: OrgView) -> list[dict[str, Any]]:
    counts = {role: {"users": 0, "active": 0, "locked": 0, "deactivated": 0} for role in Role}
    for user in view.users.values():
        row = counts[user.role]
        row["users"] += 1
        row[_status(user)] += 1
    return [{"role": role.value, **counts[role]} for role in Role]


def _group_rows(view: OrgView) -> list[dict[str, Any]]:
    users = view.users
    rows = []
    distributors = sorted(uid for uid, u in users.items() if u.role is Role.DISTRIBUTOR)
    for distributor_id in distributors:
        reps = sorted(view.reps_of.get(distributor_id, _EMPTY))
        statuses = [_status(users[rep]) for rep in reps]
        distributor = users[distributor_id]
        rows.append(
            {
                "distributor": distributor_id,
                "name": distributor.name,
                "region": distributor.region,
                "shared_inventory": distributor_id in view.sharing,
                "reps": len(reps),
                "active_reps": statuses.count("active"),
                "locked_reps": statuses.count("locked"),
                "deactivated_reps": statuses.count("deactivated"),
                "rep_ids": reps,
            }
        )
    return rows


def _region_rows(view: OrgView) -> list[dict[str, Any]]:
    rows = []
    for region_id in sorted(view.regions):
        region = view.regions[region_id]
        members = sorted(view.members_of.get(region_id, _EMPTY))
        rows.append(
            {
                "region": region_id,
                "name": region.name,
                "states": sorted(region.states),
                "manager": region.manager,
                "members": len(members),
                "member_ids": members,
            }
        )
    return rows


def summary_tables(view: OrgView) -> dict[str, list[dict[str, Any]]]:
    """The org seen through ``view`` as three tables (see :func:`beacon_org.graph.summary`)."""
    return {"roles": _role_rows(view), "groups": _group_rows(view), "regions": _region_rows(view)}
