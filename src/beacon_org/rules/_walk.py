"""How each relation of the rule table is read from an org: the one place that knows it.

:func:`forward` follows a relation from its source to its targets, :func:`reverse` from a target
back to its sources, both over the org's read view (:class:`~beacon_org.OrgView`). The relations
on a case's or an item's own fields (``org``, ``representative``, ``sub_rep``, ``facility``,
``holder``) are read from the row, not the org: they are the first hop of a chain, and the
evaluator keys its look-ups by them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .._model import ORG_CUSTODY, CaseStatus, Role
from .._org import OrgView

__all__ = [
    "CASE_CONDITIONS",
    "FIELD_ATTRIBUTES",
    "FIELD_RELATIONS",
    "NODE_CONDITIONS",
    "ORG_RELATIONS",
    "SETTINGS",
    "differing_ends",
    "forward",
    "reverse",
]

_EMPTY: frozenset[str] = frozenset()

Step = Callable[[OrgView, str], Iterable[str]]


def _distributor(view: OrgView, user_id: str) -> Iterable[str]:
    distributor = view.distributor_of.get(user_id)
    return () if distributor is None else (distributor,)


def _reps(view: OrgView, user_id: str) -> Iterable[str]:
    return view.reps_of.get(user_id, _EMPTY)


def _region(view: OrgView, user_id: str) -> Iterable[str]:
    user = view.users.get(user_id)
    return () if user is None or user.region is None else (user.region,)


def _members(view: OrgView, region_id: str) -> Iterable[str]:
    return view.members_of.get(region_id, _EMPTY)


def _manager(view: OrgView, region_id: str) -> Iterable[str]:
    region = view.regions.get(region_id)
    return () if region is None or region.manager is None else (region.manager,)


def _managed(view: OrgView, user_id: str) -> Iterable[str]:
    return view.managed_by.get(user_id, _EMPTY)


def _facility_managers(view: OrgView, facility_id: str) -> Iterable[str]:
    # No index by facility: a scan (used for explanations and reverse questions, not decisions).
    return [
        u.id
        for u in view.users.values()
        if u.role is Role.FACILITY_MANAGER and facility_id in u.facilities
    ]


def _facilities(view: OrgView, user_id: str) -> Iterable[str]:
    user = view.users.get(user_id)
    if user is None or user.role is not Role.FACILITY_MANAGER:
        return ()
    return user.facilities


def _back_office(view: OrgView, org_id: str) -> Iterable[str]:
    if org_id != ORG_CUSTODY:
        return ()
    return [u.id for u in view.users.values() if u.role.is_org_wide]


def _organisation(view: OrgView, user_id: str) -> Iterable[str]:
    user = view.users.get(user_id)
    return (ORG_CUSTODY,) if user is not None and user.role.is_org_wide else ()


def _self(view: OrgView, user_id: str) -> Iterable[str]:
    return (user_id,) if user_id in view.users else ()


# relation name -> (forward, reverse)
_STEPS: dict[str, tuple[Step, Step]] = {
    "distributor": (_distributor, _reps),
    "rep": (_reps, _distributor),
    "region": (_region, _members),
    "manager": (_manager, _managed),
    "facility_manager": (_facility_managers, _facilities),
    "back_office": (_back_office, _organisation),
    "self": (_self, _self),
}

#: The relations read from the org (the rest are fields of the case or item asked about).
ORG_RELATIONS = frozenset(_STEPS)
#: The relations read from a case's or an item's row.
FIELD_RELATIONS = frozenset({"org", "representative", "sub_rep", "facility", "holder", "recipient"})
#: The attribute of the row each of them reads ("org": none, every row belongs to the organisation).
FIELD_ATTRIBUTES = {
    "representative": "representative",
    "sub_rep": "sub_rep",
    "facility": "facility",
    "holder": "custodian",
    "recipient": "recipient",
}


def forward(view: OrgView, relation: str, source: str) -> Iterable[str]:
    """The ids ``relation`` leads to from ``source`` (empty for unknown ids)."""
    return _STEPS[relation][0](view, source)


def reverse(view: OrgView, relation: str, target: str) -> Iterable[str]:
    """The ids from which ``relation`` leads to ``target`` (empty for unknown ids)."""
    return _STEPS[relation][1](view, target)


def differing_ends(
    before: OrgView | None, after: OrgView | None, relation: str, node: str, *, back: bool = False
) -> tuple[frozenset[str], frozenset[str]]:
    """The far ends of ``relation`` at ``node`` in ``before`` only, and in ``after`` only.

    Forward from ``node`` (``back``: the sources leading to it); a view that is None is a
    snapshot without ``node``. The org keeps a group's reps and a region's members as frozensets,
    shared by snapshots a change did not touch there: those are not compared.
    """
    step = reverse if back else forward
    was = _EMPTY if before is None else _frozen(step(before, relation, node))
    now = _EMPTY if after is None else _frozen(step(after, relation, node))
    if was is now:
        return _EMPTY, _EMPTY
    return was - now, now - was


def _frozen(ends: Iterable[str]) -> frozenset[str]:
    return ends if type(ends) is frozenset else frozenset(ends)


# --- the table's conditions, read the same way ----------------------------------------------------

_CLOSED = frozenset(s for s in CaseStatus if s.is_closed)


def _shares(view: OrgView, node: str) -> bool:
    return node in view.sharing


def _active(view: OrgView, node: str) -> bool:
    user = view.users.get(node)
    return user is not None and user.active


#: Conditions on a node of a chain (the pool: a distributor that shares and is active).
NODE_CONDITIONS: dict[str, Callable[[OrgView, str], bool]] = {"shares": _shares, "active": _active}
#: Conditions that are org-wide settings.
SETTINGS: dict[str, Callable[[OrgView], bool]] = {
    "reopen_setting": lambda view: view.settings.field_users_can_reopen_cases,
    "transfer_setting": lambda view: view.settings.field_users_can_transfer,
}
#: Conditions on a case's row, as the statuses for which each holds (a row's status may be a
#: CaseStatus or its string value: they hash and compare alike).
CASE_CONDITIONS: dict[str, frozenset[CaseStatus]] = {
    "open": frozenset(CaseStatus) - _CLOSED,
    "closed": _CLOSED,
}
