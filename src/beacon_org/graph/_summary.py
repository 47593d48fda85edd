"""Plain-data summaries of an org: counts per role, distributor groups and regions as table rows.

Each table is a list of dicts of JSON-ready values, so ``pandas.DataFrame(rows)`` turns one into a
data frame without the library depending on pandas.
"""

from __future__ import annotations

from typing import Any

from .._org import Org

__all__ = ["summary"]


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
    return org.summary()
