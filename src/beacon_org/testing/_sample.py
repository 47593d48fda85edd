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

from .._model import ORG_CUSTODY, Case, CaseStatus, InventoryItem
from .._org import Org

__all__ = ["sample_cases", "sample_items", "sample_org"]

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
        "dist-a", "rep-a1", "rep-a2", "dist-b", "rep-b1", "rep-b2", "rep-solo", "rep-gone",
        "wh-quarantine", "fm-mercy",
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
