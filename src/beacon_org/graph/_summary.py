"""Plain-data summaries of an org: counts per role, distributor groups and regions as table rows.

Each table is a list of dicts of JSON-ready values, so ``pandas.DataFrame(rows)`` turns one into a
data frame without the library depending on pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._model import Role

if TYPE_CHECKING:
    from .._org import Org

__all__ = ["summary"]


def _status(org: Org, user_id: str) -> str:
    user = org._users[user_id]
    if not user.active:
        return "deactivated"
    return "locked" if user.locked else "active"


def _role_rows(org: Org) -> list[dict[str, Any]]:
    counts = {role: {"users": 0, "active": 0, "locked": 0, "deactivated": 0} for role in Role}
    for user_id, user in org._users.items():
        row = counts[user.role]
        row["users"] += 1
        row[_status(org, user_id)] += 1
    return [{"role": role.value, **counts[role]} for role in Role]


def _group_rows(org: Org) -> list[dict[str, Any]]:
    rows = []
    for distributor_id in sorted(org.distributors):
        distributor = org._users[distributor_id]
        reps = sorted(org._reps.get(distributor_id, frozenset()))
        statuses = [_status(org, rep) for rep in reps]
        rows.append(
            {
                "distributor": distributor_id,
                "name": distributor.name,
                "region": distributor.region,
                "shared_inventory": distributor_id in org._sharing,
                "reps": len(reps),
                "active_reps": statuses.count("active"),
                "locked_reps": statuses.count("locked"),
                "deactivated_reps": statuses.count("deactivated"),
                "rep_ids": reps,
            }
        )
    return rows


def _region_rows(org: Org) -> list[dict[str, Any]]:
    rows = []
    for region_id in sorted(org._regions):
        region = org._regions[region_id]
        members = sorted(org._members.get(region_id, frozenset()))
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


def summary(org: Org) -> dict[str, list[dict[str, Any]]]:
    """Return the org as three small tables: ``"roles"``, ``"groups"`` and ``"regions"``.

    Every table is a list of rows (dicts) whose values are strings, numbers, booleans, ``None`` or
    sorted lists of ids, so it is JSON-ready and ``pandas.DataFrame(table)`` takes it as it is.

    - ``roles``: one row per role, in :class:`~beacon_org.Role` order, even when no user has it:
      ``role``, ``users``, and how many of them are ``active``, ``locked`` (no Training Complete
      yet) or ``deactivated``.
    - ``groups``: one row per distributor account, by id: ``distributor``, ``name``, ``region``,
      ``shared_inventory``, ``reps`` (how many), ``active_reps``, ``locked_reps``,
      ``deactivated_reps`` and ``rep_ids``.
    - ``regions``: one row per region, by id: ``region``, ``name``, ``states``, ``manager``,
      ``members`` (how many sales and distributor users are in it) and ``member_ids``.

    Parameters
    ----------
    org
        The org to summarise (also available as :meth:`beacon_org.Org.summary`).

    Returns
    -------
    dict
        ``{"roles": [...], "groups": [...], "regions": [...]}``.

    Examples
    --------
    >>> from beacon_org.graph import summary
    >>> from beacon_org.testing import sample_org
    >>> tables = summary(sample_org())
    >>> [(r["role"], r["users"]) for r in tables["roles"] if r["users"]][:4]
    [('primary_admin', 1), ('admin', 1), ('operations', 1), ('regional_manager', 3)]
    >>> [(g["distributor"], g["reps"], g["locked_reps"]) for g in tables["groups"]]
    [('dist-a', 2, 0), ('dist-b', 3, 1)]
    >>> tables["regions"][0]
    {'region': 'central', 'name': 'Central', 'states': ['KS', 'OK', 'TX'], 'manager': 'rm-central', 'members': 2, 'member_ids': ['rep-a2', 'rep-solo']}
    """
    return {"roles": _role_rows(org), "groups": _group_rows(org), "regions": _region_rows(org)}
