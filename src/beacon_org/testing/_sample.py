"""The sample organisation the README, the docs and ``beacon-org demo`` use.

Acme Ortho sells implants through two distributor groups in three regions:

- ``dist-a`` (orders@acme-ortho.example, a shared company address) shares its inventory with
  ``rep-a1`` and ``rep-a2``; ``rep-a2`` sits in region ``central`` while ``dist-a`` is in ``west``.
- ``dist-b`` (on a personal address) does not share; its reps are ``rep-b1``, ``rep-b2`` and
  ``rep-new``, created this week and still locked (no Training Complete).
- ``rep-solo`` belongs to no group; ``rep-gone`` has been deactivated; ``wh-quarantine`` is a
  custodian-only warehouse that holds returned stock.
- Regions ``west``, ``central`` and ``east`` are managed by ``rm-west``, ``rm-central`` and
  ``rm-east``.
- Back office: ``owner`` (primary admin), ``admin-1`` (admin), ``ops-1`` (operations).
- ``fm-mercy`` manages the facility ``mercy-general``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping

from .._errors import InvalidValueError, RoleError, UnknownUserError
from .._model import ORG_CUSTODY, Case, CaseStatus, InventoryItem, Role, to_role
from .._org import Org

__all__ = ["build_org", "sample_cases", "sample_items", "sample_org"]

_TRAINED_RECORDS = ("mercy-general", "st-lukes", "dr-okafor", "stryde-implants")


def sample_org() -> Org:
    """Return the sample organisation (a new, equal ``Org`` on every call).

    Examples
    --------
    >>> from beacon_org.testing import sample_org
    >>> org = sample_org()
    >>> sorted(org.reps_of("dist-a")), org.shares_inventory("dist-a")
    (['rep-a1', 'rep-a2'], True)
    """
    org = (
        Org()
        .add_user("owner", email="owner@acme-ortho.example", role="primary_admin", name="Olivia Owner")
        .add_user("admin-1", email="backoffice@acme-ortho.example", role="admin", name="Ari Admin")
        .add_user("ops-1", email="ops@acme-ortho.example", role="operations", name="Omar Ops")
        .add_user("rm-west", email="rm.west@acme-ortho.example", role="regional_manager", name="Wendy West")
        .add_user("rm-central", email="rm.central@acme-ortho.example", role="regional_manager", name="Carl Central")
        .add_user("rm-east", email="rm.east@acme-ortho.example", role="regional_manager", name="Erin East")
        .add_region("west", name="West", states=("CA", "OR", "WA"), manager="rm-west")
        .add_region("central", name="Central", states=("TX", "OK", "KS"), manager="rm-central")
        .add_region("east", name="East", states=("NY", "NJ", "MA"), manager="rm-east")
        .add_user("dist-a", email="orders@acme-ortho.example", role="distributor", name="Acme Ortho West (orders desk)", region="west")
        .add_user("rep-a1", email="ann.alvarez@acme-ortho.example", role="sales", name="Ann Alvarez", region="west")
        .add_user("rep-a2", email="andy.ames@acme-ortho.example", role="sales", name="Andy Ames", region="central")
        .add_user("dist-b", email="bob.baker@gmail.com", role="distributor", name="Bob Baker", region="east")
        .add_user("rep-b1", email="bea.brown@bakermed.example", role="sales", name="Bea Brown", region="east")
        .add_user("rep-b2", email="ben.burke@bakermed.example", role="sales", name="Ben Burke", region="east")
        .add_user("rep-new", email="nina.new@bakermed.example", role="sales", name="Nina New", region="east")
        .add_user("rep-solo", email="sam.solo@acme-ortho.example", role="sales", name="Sam Solo", region="central")
        .add_user("rep-gone", email="gary.gone@acme-ortho.example", role="sales", name="Gary Gone", region="west")
        .add_user("wh-quarantine", email="quarantine@acme-ortho.example", role="sales", name="Quarantine warehouse", custodian_only=True)
        .add_user("fm-mercy", email="supply@mercy-general.example", role="facility_manager", name="Mercy General supply desk", facilities=("mercy-general",))
        .assign_rep("rep-a1", "dist-a")
        .assign_rep("rep-a2", "dist-a")
        .assign_rep("rep-b1", "dist-b")
        .assign_rep("rep-b2", "dist-b")
        .assign_rep("rep-new", "dist-b")
        .set_shared_inventory("dist-a", True)
    )  # fmt: skip
    for user_id in (
        "rm-west", "rm-central", "rm-east", "dist-a", "rep-a1", "rep-a2", "dist-b", "rep-b1",
        "rep-b2", "rep-solo", "rep-gone", "wh-quarantine", "fm-mercy",
    ):  # fmt: skip
        org = org.complete_training(user_id).assign_directory_records(user_id, _TRAINED_RECORDS)
    return org.deactivate("rep-gone")


def sample_cases() -> tuple[Case, ...]:
    """Return the sample org's cases: open and closed ones, some with a sub-rep.

    Examples
    --------
    >>> from beacon_org.testing import sample_cases
    >>> [c.id for c in sample_cases() if c.sub_rep]
    ['c-100', 'c-200']
    """
    return (
        Case("c-100", "rep-a1", sub_rep="rep-a2", facility="mercy-general"),
        Case("c-101", "rep-a1", facility="st-lukes", status=CaseStatus.PAID),
        Case("c-102", "dist-a", facility="mercy-general", status=CaseStatus.PENDING_PO),
        Case("c-200", "rep-b1", sub_rep="rep-b2", facility="st-lukes"),
        Case("c-201", "rep-b2", facility="mercy-general", status=CaseStatus.CLOSED),
        Case("c-300", "rep-solo", facility="st-lukes"),
        Case("c-400", "rep-gone", facility="mercy-general", status=CaseStatus.CANCELLED),
        Case("c-500", "fm-mercy", facility="mercy-general", status=CaseStatus.PENDING_PAYMENT),
    )


def sample_items() -> tuple[InventoryItem, ...]:
    """Return the sample org's inventory: items in every kind of custody, some expired or inactive.

    Examples
    --------
    >>> from beacon_org.testing import sample_items
    >>> sorted({i.custodian for i in sample_items()})[:3]
    ['@org', 'dist-a', 'dist-b']
    """
    return (
        InventoryItem("kit-org-1", ORG_CUSTODY),
        InventoryItem("kit-org-2", ORG_CUSTODY, expires=_dt.date(2027, 6, 30)),
        InventoryItem("screw-a-1", "dist-a", expires=_dt.date(2027, 3, 31)),
        InventoryItem("screw-a-2", "dist-a"),
        InventoryItem("plate-a-old", "dist-a", expires=_dt.date(2026, 1, 31)),
        InventoryItem("drill-a1", "rep-a1"),
        InventoryItem("screw-a1-spare", "rep-a1", active=False),
        InventoryItem("plate-b-1", "dist-b"),
        InventoryItem("plate-b1-1", "rep-b1", expires=_dt.date(2027, 12, 31)),
        InventoryItem("kit-solo", "rep-solo"),
        InventoryItem("kit-gone", "rep-gone"),
        InventoryItem("returned-1", "wh-quarantine"),
        InventoryItem("loaner-mercy", "fm-mercy"),
    )


def _ids(name: str, value: object) -> list[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        msg = f"build_org(): {name!r} must be a collection of ids (got {value!r})"
        raise InvalidValueError(msg, field=name, value=value)
    out = list(value)
    for v in out:
        if not isinstance(v, str):
            msg = f"build_org(): {name!r} must hold string ids (got {v!r})"
            raise InvalidValueError(msg, field=name, value=value)
    return out


def _mapping(name: str, value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        msg = f"build_org(): {name!r} must be a mapping (got {value!r})"
        raise InvalidValueError(msg, field=name, value=value)
    return value


def build_org(
    *,
    groups: Mapping[str, Iterable[str]] | None = None,
    shared: Iterable[str] = (),
    regions: Mapping[str, Iterable[str]] | None = None,
    managers: Mapping[str, str] | None = None,
    users: Mapping[str, Role | str] | None = None,
    facilities: Mapping[str, Iterable[str]] | None = None,
    locked: Iterable[str] = (),
    inactive: Iterable[str] = (),
    custodian_only: Iterable[str] = (),
    field_users_can_reopen_cases: bool = False,
    field_users_can_transfer: bool = True,
) -> Org:
    """Build a small org from a few mappings, for a test that needs just that shape.

    Users are made from the ids they appear under, with the email ``<id>@example.test`` and
    Training Complete checked (except those in ``locked``): the keys of ``groups`` are
    distributors and its values their sales reps, the values of ``managers`` are regional
    managers, the keys of ``facilities`` facility managers, and ``users`` gives any other user a
    role (back office, a rep in no group, a custodian-only warehouse). A region member that
    appears nowhere else is a sales rep in no group. Everything goes through the public change
    methods, so a shape that breaks a rule raises the change's own error.

    Parameters
    ----------
    groups : mapping of str to iterable of str, optional
        Distributor id -> the ids of its sales reps.
    shared : iterable of str
        The distributors that share their inventory.
    regions : mapping of str to iterable of str, optional
        Region id -> the ids of its sales and distributor members.
    managers : mapping of str to str, optional
        Region id -> its regional manager's id (the region is created if it has no members).
    users : mapping of str to Role or str, optional
        Other users and their roles.
    facilities : mapping of str to iterable of str, optional
        Facility manager id -> its facilities.
    locked, inactive, custodian_only : iterable of str
        Users left without Training Complete, deactivated, or made custodian-only.
    field_users_can_reopen_cases, field_users_can_transfer : bool
        The organisation settings of those names.

    Raises
    ------
    RoleError
        If one id is given two roles.
    OrgError
        Whatever the change methods raise for a shape that breaks a rule.

    Examples
    --------
    >>> from beacon_org.testing import build_org
    >>> org = build_org(
    ...     groups={"dist-1": ["rep-1", "rep-2"]},
    ...     shared=["dist-1"],
    ...     regions={"west": ["dist-1", "rep-1"]},
    ...     managers={"west": "rm-1"},
    ...     users={"adm": "admin"},
    ...     locked=["rep-2"],
    ... )
    >>> sorted(org.reps_of("dist-1")), org.shares_inventory("dist-1"), org.managed_regions("rm-1")
    (['rep-1', 'rep-2'], True, frozenset({'west'}))
    >>> org.user("rep-2").locked, org.user("rep-1").email
    (True, 'rep-1@example.test')
    """
    group_map = {
        d: _ids(f"groups[{d!r}]", reps) for d, reps in _mapping("groups", groups or {}).items()
    }
    region_map = {
        r: _ids(f"regions[{r!r}]", m) for r, m in _mapping("regions", regions or {}).items()
    }
    manager_map = _mapping("managers", managers or {})
    facility_map = {
        f: _ids(f"facilities[{f!r}]", ids)
        for f, ids in _mapping("facilities", facilities or {}).items()
    }
    roles: dict[str, Role] = {}

    def declare(user_id: object, role: Role) -> None:
        if not isinstance(user_id, str):
            msg = f"build_org(): user ids must be strings (got {user_id!r})"
            raise InvalidValueError(msg, field="id", value=user_id)
        if roles.setdefault(user_id, role) is not role:
            msg = f"build_org(): {user_id!r} is given two roles, {roles[user_id].value} and {role.value}"
            raise RoleError(msg)

    for user_id, role in _mapping("users", users or {}).items():
        declare(user_id, to_role(role))
    for distributor, reps in group_map.items():
        declare(distributor, Role.DISTRIBUTOR)
        for rep in reps:
            declare(rep, Role.SALES)
    for manager in manager_map.values():
        declare(manager, Role.REGIONAL_MANAGER)
    for facility_manager in facility_map:
        declare(facility_manager, Role.FACILITY_MANAGER)
    for members in region_map.values():
        for member in members:
            roles.setdefault(member, Role.SALES)
    locked_ids = set(_ids("locked", locked))
    custodians = set(_ids("custodian_only", custodian_only))
    for name, named in (("locked", locked_ids), ("custodian_only", custodians)):
        for user_id in sorted(named - roles.keys()):
            msg = (
                f"build_org(): {name} names {user_id!r}, which is no user; give it a role in users"
            )
            raise UnknownUserError(msg, id=user_id)

    org = Org()
    for user_id, role in roles.items():
        org = org.add_user(
            user_id,
            email=f"{user_id}@example.test",
            role=role,
            facilities=facility_map.get(user_id, ()),
            custodian_only=user_id in custodians,
            training_complete=user_id not in locked_ids,
        )
    for region_id in dict.fromkeys([*region_map, *manager_map]):
        manager = manager_map.get(region_id)
        org = org.add_region(region_id, manager=manager if isinstance(manager, str) else None)
        for member in region_map.get(region_id, ()):
            org = org.set_region(member, region_id)
    for distributor, reps in group_map.items():
        for rep in reps:
            org = org.assign_rep(rep, distributor)
    for distributor in _ids("shared", shared):
        org = org.set_shared_inventory(distributor, True)
    for user_id in _ids("inactive", inactive):
        org = org.deactivate(user_id)
    if field_users_can_reopen_cases:
        org = org.configure(field_users_can_reopen_cases=field_users_can_reopen_cases)
    if field_users_can_transfer is not True:  # a non-bool fails in configure, as it should
        org = org.configure(field_users_can_transfer=field_users_can_transfer)
    return org
