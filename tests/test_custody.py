"""Custody rules by example, from the domain docs: who may use, see and move which items."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import pytest

import beacon_org as bo
from beacon_org.testing import sample_items, sample_org

D = dt.date


@pytest.fixture
def org() -> bo.Org:
    return sample_org()


@pytest.fixture
def custody(org: bo.Org) -> bo.Custody:
    return bo.Custody(org, sample_items())


class Row(NamedTuple):
    """A service's own item row: not an InventoryItem, same attributes."""

    id: str
    custodian: str
    active: bool = True
    expires: dt.date | None = None


# --- building a Custody -------------------------------------------------------------------------


def test_items_may_be_any_objects_with_the_item_attributes(org: bo.Org) -> None:
    custody = bo.Custody(org, [Row("r-1", "rep-a1"), Row("r-2", "rep-a1", active=False)])
    assert custody.usable_inventory("rep-a1") == {"r-1"}
    assert custody.items["r-1"] == bo.InventoryItem("r-1", "rep-a1")


def test_items_are_read_once_so_a_generator_works(org: bo.Org) -> None:
    custody = bo.Custody(org, (item for item in sample_items()))
    assert custody.holdings("rep-a1") == {"drill-a1", "screw-a1-spare"}
    assert len(custody.items) == len(sample_items())


def test_no_items_means_nothing_to_use_or_see(org: bo.Org) -> None:
    custody = bo.Custody(org)
    assert custody.usable_inventory("rep-a1") == frozenset()
    assert custody.visible_inventory("admin-1") == frozenset()
    assert custody.can_use("rep-a1", "drill-a1").reason == "unknown-item"


def test_duplicate_item_ids_raise_naming_the_item(org: bo.Org) -> None:
    items = [bo.InventoryItem("dup", "rep-a1"), bo.InventoryItem("dup", "rep-b1")]
    with pytest.raises(bo.DuplicateIdError, match="'dup' appears twice"):
        bo.Custody(org, items)


@pytest.mark.parametrize(
    ("item", "match"),
    [
        (object(), r"item #0 has no 'id' attribute"),
        (Row("x", "rep-a1", active="yes"), r"item 'x': 'active' must be True or False"),  # type: ignore[arg-type]
        (Row("x", 7), r"item 'x': 'custodian' must be a non-empty string"),  # type: ignore[arg-type]
        (Row(3, "rep-a1"), r"item #0: 'id' must be a non-empty string"),  # type: ignore[arg-type]
        (Row("x", "rep-a1", expires=dt.datetime(2027, 1, 1)), r"item 'x': 'expires' must be"),
    ],
)
def test_malformed_items_raise_an_org_error_naming_the_item(
    org: bo.Org, item: Any, match: str
) -> None:
    with pytest.raises(bo.InvalidValueError, match=match):
        bo.Custody(org, [item])


def test_an_item_without_a_custodian_attribute_is_named_by_its_id(org: bo.Org) -> None:
    class NoCustodian:
        id = "lonely"

    with pytest.raises(bo.InvalidValueError, match=r"item 'lonely' has no 'custodian'"):
        bo.Custody(org, [NoCustodian()])


@pytest.mark.parametrize("bad", [None, "rep-a1", 42])
def test_items_must_be_an_iterable_of_items(org: bo.Org, bad: Any) -> None:
    with pytest.raises(bo.InvalidValueError, match="'items' must be an iterable"):
        bo.Custody(org, bad)


def test_custody_needs_an_org() -> None:
    with pytest.raises(bo.InvalidValueError, match="Custody needs an Org"):
        bo.Custody({"users": []}, sample_items())  # type: ignore[arg-type]


def test_holdings_lists_every_item_in_a_custody_usable_or_not(custody: bo.Custody) -> None:
    assert custody.holdings("dist-a") == {"screw-a-1", "screw-a-2", "plate-a-old"}
    assert custody.holdings("rep-gone") == {"kit-gone"}
    assert custody.holdings("rm-west") == frozenset()
    assert custody.holdings("nobody") == frozenset()
    with pytest.raises(bo.InvalidValueError, match="'custodian_id' must be a string id"):
        custody.holdings(["rep-a1"])  # type: ignore[arg-type]


def test_the_org_and_items_are_read_only(custody: bo.Custody, org: bo.Org) -> None:
    assert custody.org is org
    with pytest.raises(TypeError):
        custody.items["new"] = bo.InventoryItem("new", "rep-a1")  # type: ignore[index]


# --- usable inventory ----------------------------------------------------------------------------


def test_a_rep_of_a_sharing_distributor_uses_its_own_and_the_pool(custody: bo.Custody) -> None:
    assert custody.usable_inventory("rep-a1") == {
        "drill-a1",
        "screw-a-1",
        "screw-a-2",
        "plate-a-old",
    }
    assert custody.usable_inventory("rep-a2") == {"screw-a-1", "screw-a-2", "plate-a-old"}


def test_a_rep_of_a_distributor_that_does_not_share_uses_its_own_only(
    custody: bo.Custody,
) -> None:
    assert custody.usable_inventory("rep-b1") == {"plate-b1-1"}
    assert custody.usable_inventory("rep-b2") == frozenset()


def test_a_distributor_uses_its_own_custody_not_its_reps(custody: bo.Custody) -> None:
    assert custody.usable_inventory("dist-a") == {"screw-a-1", "screw-a-2", "plate-a-old"}
    assert custody.usable_inventory("dist-b") == {"plate-b-1"}


def test_org_wide_roles_use_the_organisations_custody(custody: bo.Custody) -> None:
    for user_id in ("owner", "admin-1", "ops-1"):
        assert custody.usable_inventory(user_id) == {"kit-org-1", "kit-org-2"}


def test_others_use_their_own_custody(custody: bo.Custody) -> None:
    assert custody.usable_inventory("fm-mercy") == {"loaner-mercy"}
    assert custody.usable_inventory("rep-solo") == {"kit-solo"}


def test_regional_managers_hold_and_use_nothing(custody: bo.Custody) -> None:
    assert custody.usable_inventory("rm-west") == frozenset()


def test_an_item_wrongly_held_by_a_regional_manager_is_not_usable(org: bo.Org) -> None:
    custody = bo.Custody(org, [bo.InventoryItem("odd", "rm-west")])
    assert custody.usable_inventory("rm-west") == frozenset()
    assert custody.can_use("rm-west", "odd") == bo.Decision(allowed=False, reason="cannot-hold")


@pytest.mark.parametrize("user_id", ["rep-new", "rep-gone", "wh-quarantine", "nobody", "@org"])
def test_users_that_cannot_act_use_nothing(custody: bo.Custody, user_id: str) -> None:
    assert custody.usable_inventory(user_id) == frozenset()
    assert custody.usable_inventory(user_id, on=D(2026, 1, 1)) == frozenset()


def test_an_unhashable_user_id_is_just_unknown(custody: bo.Custody) -> None:
    assert custody.usable_inventory(["rep-a1"]) == frozenset()  # type: ignore[arg-type]
    assert custody.visible_inventory(["rep-a1"]) == frozenset()  # type: ignore[arg-type]
    assert custody.can_use(["rep-a1"], "drill-a1").reason == "unknown-user"  # type: ignore[arg-type]
    assert custody.can_use("rep-a1", ["drill-a1"]).reason == "unknown-item"  # type: ignore[arg-type]
    assert custody.can_use("rep-new", ["drill-a1"]).reason == "locked"  # type: ignore[arg-type]


def test_expiry_counts_only_on_a_given_date_and_the_expiry_day_is_usable(
    custody: bo.Custody,
) -> None:
    # plate-a-old expires 2026-01-31, screw-a-1 on 2027-03-31; screw-a-2 never.
    assert "plate-a-old" in custody.usable_inventory("rep-a1")  # on=None never checks expiry
    assert "plate-a-old" in custody.usable_inventory("rep-a1", on=D(2026, 1, 31))
    assert custody.usable_inventory("rep-a1", on=D(2026, 2, 1)) == {
        "drill-a1",
        "screw-a-1",
        "screw-a-2",
    }
    assert custody.usable_inventory("dist-a", on=D(2027, 4, 1)) == {"screw-a-2"}
    assert custody.usable_inventory("admin-1", on=D(2027, 7, 1)) == {"kit-org-1"}
    assert custody.usable_inventory("rep-b1", on=D(2028, 1, 1)) == frozenset()


def test_expiry_boundaries_for_can_use(custody: bo.Custody) -> None:
    assert custody.can_use("rep-a1", "plate-a-old", on=D(2026, 1, 31))
    denied = custody.can_use("rep-a1", "plate-a-old", on=D(2026, 2, 1))
    assert denied == bo.Decision(allowed=False, reason="item-expired")
    assert custody.can_use("rep-a1", "plate-a-old")  # no date, no expiry check


def test_inactive_items_are_never_usable(custody: bo.Custody) -> None:
    assert "screw-a1-spare" not in custody.usable_inventory("rep-a1")
    assert custody.can_use("rep-a1", "screw-a1-spare").reason == "item-inactive"


@pytest.mark.parametrize("on", [dt.datetime(2026, 1, 1, 9), "2026-01-01", 20260101])
def test_on_must_be_a_date(custody: bo.Custody, on: Any) -> None:
    with pytest.raises(bo.InvalidValueError, match=r"'on' must be a datetime\.date"):
        custody.usable_inventory("rep-a1", on=on)
    with pytest.raises(bo.InvalidValueError, match=r"'on' must be a datetime\.date"):
        custody.can_use("rep-a1", "drill-a1", on=on)


def test_turning_sharing_off_ends_the_reps_access_at_once(org: bo.Org) -> None:
    after = bo.Custody(org.set_shared_inventory("dist-a", False), sample_items())
    assert after.usable_inventory("rep-a1") == {"drill-a1"}
    assert after.usable_inventory("rep-a2") == frozenset()
    decision = after.can_use("rep-a1", "screw-a-1")
    assert decision.reason == "not-shared"
    assert decision.suggestion == "turn on shared inventory for dist-a"
    # Custody never moved, so nothing went back: the distributor still holds the pool.
    assert after.holdings("dist-a") == {"screw-a-1", "screw-a-2", "plate-a-old"}


def test_turning_sharing_on_gives_the_reps_the_pool(org: bo.Org) -> None:
    after = bo.Custody(org.set_shared_inventory("dist-b", True), sample_items())
    assert after.usable_inventory("rep-b2") == {"plate-b-1"}
    assert after.can_use("rep-b1", "plate-b-1").path == ("rep-b1", "dist-b", "plate-b-1")
    assert after.usable_inventory("rep-new") == frozenset()  # still locked


def test_a_rep_leaving_the_group_loses_the_pool_at_once(org: bo.Org) -> None:
    after = bo.Custody(org.unassign_rep("rep-a2"), sample_items())
    assert after.usable_inventory("rep-a2") == frozenset()
    assert after.can_use("rep-a2", "screw-a-1").reason == "not-custodian"
    moved = bo.Custody(org.unassign_rep("rep-a2").assign_rep("rep-a2", "dist-b"), sample_items())
    assert moved.usable_inventory("rep-a2") == frozenset()


def test_reps_of_other_groups_never_get_the_pool(custody: bo.Custody) -> None:
    for rep in ("rep-b1", "rep-b2", "rep-solo"):
        assert not custody.usable_inventory(rep) & custody.holdings("dist-a")
        assert not custody.can_use(rep, "screw-a-2")


# --- can_use -------------------------------------------------------------------------------------


def test_can_use_grants_explain_themselves(custody: bo.Custody) -> None:
    assert custody.can_use("rep-a1", "drill-a1") == bo.Decision(
        allowed=True, reason="own-custody", path=("rep-a1", "drill-a1")
    )
    assert custody.can_use("rep-a1", "screw-a-1") == bo.Decision(
        allowed=True, reason="shared-inventory", path=("rep-a1", "dist-a", "screw-a-1")
    )
    assert custody.can_use("admin-1", "kit-org-1") == bo.Decision(
        allowed=True, reason="org-custody", path=("admin-1", bo.ORG_CUSTODY, "kit-org-1")
    )
    assert custody.can_use("fm-mercy", "loaner-mercy").path == ("fm-mercy", "loaner-mercy")


@pytest.mark.parametrize(
    ("user_id", "item_id", "reason", "suggestion"),
    [
        ("nobody", "drill-a1", "unknown-user", None),
        ("rep-a1", "no-such-item", "unknown-item", None),
        ("rep-gone", "kit-gone", "inactive", "reactivate rep-gone"),
        ("rep-new", "plate-b-1", "locked", "complete training for rep-new"),
        ("wh-quarantine", "returned-1", "custodian-only", "turn off custodian-only for wh-quarantine"),
        ("rep-b1", "plate-b-1", "not-shared", "turn on shared inventory for dist-b"),
        ("rep-b1", "drill-a1", "not-custodian", "transfer drill-a1 to rep-b1"),
        ("dist-a", "drill-a1", "not-custodian", "transfer drill-a1 to dist-a"),
        ("admin-1", "drill-a1", "not-custodian", "transfer drill-a1 to @org"),
        ("rm-west", "drill-a1", "cannot-hold", None),
    ],
)  # fmt: skip
def test_can_use_denials(
    custody: bo.Custody, user_id: str, item_id: str, reason: str, suggestion: str | None
) -> None:
    decision = custody.can_use(user_id, item_id)
    assert decision == bo.Decision(allowed=False, reason=reason, suggestion=suggestion)
    assert not decision
    assert item_id not in custody.usable_inventory(user_id)


def test_can_use_answers_the_same_when_asked_again(custody: bo.Custody) -> None:
    first = [custody.can_use(u, i) for u in ("rep-a1", "rep-b1") for i in ("drill-a1", "kit-x")]
    again = [custody.can_use(u, i) for u in ("rep-a1", "rep-b1") for i in ("drill-a1", "kit-x")]
    assert first == again
    assert custody.can_use("rep-a1", "screw-a-1", on=D(2027, 4, 1)).reason == "item-expired"
    assert custody.can_use("rep-a1", "screw-a-1").reason == "shared-inventory"


def test_can_use_agrees_with_usable_inventory_for_every_user_and_item(
    custody: bo.Custody, org: bo.Org
) -> None:
    for on in (None, D(2026, 6, 1), D(2027, 12, 31)):
        for user_id in [*org.users, "nobody"]:
            usable = custody.usable_inventory(user_id, on=on)
            granted = {i for i in custody.items if custody.can_use(user_id, i, on=on)}
            assert granted == usable, (user_id, on)


# --- items held by an id that is not a user --------------------------------------------------------


def test_items_of_an_unknown_custodian_are_used_by_nobody_and_moved_by_back_office(
    org: bo.Org,
) -> None:
    custody = bo.Custody(org, [bo.InventoryItem("stray", "old-warehouse")])
    assert all(not custody.can_use(u, "stray") for u in org.users)
    assert custody.visible_inventory("admin-1") == {"stray"}
    assert custody.visible_inventory("rm-west") == frozenset()
    assert custody.holdings("old-warehouse") == {"stray"}
    assert custody.can_transfer("ops-1", "stray", bo.ORG_CUSTODY).reason == "org-wide"
    assert custody.can_transfer("dist-a", "stray", "dist-a").reason == "cannot-move"
    codes = [f.code for f in custody.transfer_advice("stray", bo.ORG_CUSTODY)]
    assert codes == ["unknown-custodian"]


# --- visible inventory -----------------------------------------------------------------------------


def test_org_wide_roles_see_every_item(custody: bo.Custody) -> None:
    every = {item.id for item in sample_items()}
    for user_id in ("owner", "admin-1", "ops-1"):
        assert custody.visible_inventory(user_id) == every


def test_a_regional_manager_sees_items_held_by_members_of_its_regions(
    custody: bo.Custody,
) -> None:
    # west: dist-a, rep-a1, rep-gone (rep-a2 sits in central although dist-a is in west).
    assert custody.visible_inventory("rm-west") == {
        "screw-a-1",
        "screw-a-2",
        "plate-a-old",
        "drill-a1",
        "screw-a1-spare",
        "kit-gone",
    }
    assert custody.visible_inventory("rm-central") == {"kit-solo"}
    assert custody.visible_inventory("rm-east") == {"plate-b-1", "plate-b1-1"}


def test_a_regional_manager_of_several_regions_sees_them_all(org: bo.Org) -> None:
    custody = bo.Custody(org.set_region_manager("east", "rm-west"), sample_items())
    assert custody.visible_inventory("rm-west") >= {"plate-b-1", "drill-a1"}
    assert custody.visible_inventory("rm-east") == frozenset()


def test_a_distributor_sees_its_own_and_its_reps_items(custody: bo.Custody) -> None:
    assert custody.visible_inventory("dist-a") == {
        "screw-a-1",
        "screw-a-2",
        "plate-a-old",
        "drill-a1",
        "screw-a1-spare",
    }
    assert custody.visible_inventory("dist-b") == {"plate-b-1", "plate-b1-1"}


def test_a_rep_sees_its_own_and_a_sharing_distributors_items(custody: bo.Custody) -> None:
    assert custody.visible_inventory("rep-a2") == {"screw-a-1", "screw-a-2", "plate-a-old"}
    assert custody.visible_inventory("rep-a1") == {
        "drill-a1",
        "screw-a1-spare",
        "screw-a-1",
        "screw-a-2",
        "plate-a-old",
    }
    assert custody.visible_inventory("rep-b1") == {"plate-b1-1"}


def test_a_facility_manager_sees_its_own(custody: bo.Custody) -> None:
    assert custody.visible_inventory("fm-mercy") == {"loaner-mercy"}


@pytest.mark.parametrize("user_id", ["rep-new", "rep-gone", "wh-quarantine", "nobody"])
def test_users_that_cannot_act_see_no_inventory(custody: bo.Custody, user_id: str) -> None:
    assert custody.visible_inventory(user_id) == frozenset()


def test_locked_regional_managers_see_nothing() -> None:
    org = (
        sample_org()
        .add_user("rm-new", email="rm.new@acme-ortho.example", role="regional_manager")
        .set_region_manager("west", "rm-new")
    )
    custody = bo.Custody(org, sample_items())
    assert custody.visible_inventory("rm-new") == frozenset()
    assert custody.can_transfer("rm-new", "drill-a1", "rep-a2").reason == "locked"
    trained = bo.Custody(org.complete_training("rm-new"), sample_items())
    assert "drill-a1" in trained.visible_inventory("rm-new")


# --- can_transfer ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "item", "to", "reason", "path"),
    [
        ("owner", "drill-a1", "rep-b1", "org-wide", ("owner", "drill-a1")),
        ("admin-1", "kit-org-1", "dist-a", "org-wide", ("admin-1", "kit-org-1")),
        ("ops-1", "kit-gone", bo.ORG_CUSTODY, "org-wide", ("ops-1", "kit-gone")),
        ("rm-west", "drill-a1", "dist-a", "regional-manager-of-member", ("rm-west", "west", "rep-a1", "drill-a1")),
        ("rm-west", "kit-gone", "dist-a", "regional-manager-of-member", ("rm-west", "west", "rep-gone", "kit-gone")),
        ("dist-a", "screw-a-1", "rep-b1", "own-custody", ("dist-a", "screw-a-1")),
        ("dist-a", "drill-a1", "dist-a", "distributor-of-rep", ("dist-a", "rep-a1", "drill-a1")),
        ("rep-a1", "drill-a1", "rep-a2", "own-custody", ("rep-a1", "drill-a1")),
        ("rep-a2", "screw-a-1", "rep-b1", "shared-inventory", ("rep-a2", "dist-a", "screw-a-1")),
        ("rep-a1", "screw-a-2", "rep-a1", "shared-inventory", ("rep-a1", "dist-a", "screw-a-2")),
        ("fm-mercy", "loaner-mercy", bo.ORG_CUSTODY, "own-custody", ("fm-mercy", "loaner-mercy")),
        ("dist-b", "plate-b-1", "wh-quarantine", "own-custody", ("dist-b", "plate-b-1")),
        ("dist-b", "plate-b-1", "rep-new", "own-custody", ("dist-b", "plate-b-1")),
    ],
)  # fmt: skip
def test_who_may_move_what(
    custody: bo.Custody, actor: str, item: str, to: str, reason: str, path: tuple[str, ...]
) -> None:
    assert custody.can_transfer(actor, item, to) == bo.Decision(
        allowed=True, reason=reason, path=path
    )


@pytest.mark.parametrize(
    ("actor", "item", "to", "reason", "suggestion"),
    [
        ("nobody", "drill-a1", "rep-b1", "unknown-user", None),
        ("rep-gone", "kit-gone", "rep-a1", "inactive", "reactivate rep-gone"),
        ("rep-new", "plate-b-1", "rep-b1", "locked", "complete training for rep-new"),
        ("wh-quarantine", "returned-1", "rep-a1", "custodian-only", "turn off custodian-only for wh-quarantine"),
        ("rep-a1", "no-such-item", "rep-b1", "unknown-item", None),
        ("rm-west", "kit-solo", "rep-a1", "cannot-move", None),
        ("rm-central", "drill-a1", "rep-solo", "cannot-move", None),
        ("dist-a", "plate-b1-1", "rep-a1", "cannot-move", None),
        ("dist-a", "kit-solo", "rep-a1", "cannot-move", "assign rep-solo to dist-a"),
        ("rep-a1", "plate-b-1", "rep-a2", "cannot-move", None),
        ("rep-a2", "drill-a1", "rep-a2", "cannot-move", None),
        ("rep-b1", "plate-b-1", "rep-b2", "not-shared", "turn on shared inventory for dist-b"),
        ("fm-mercy", "kit-solo", "fm-mercy", "cannot-move", None),
        ("rep-a1", "drill-a1", "nobody", "unknown-user", None),
        ("rep-a1", "drill-a1", "rep-gone", "recipient-inactive", "reactivate rep-gone"),
        ("rep-a1", "drill-a1", "rm-west", "recipient-cannot-hold", None),
        ("rep-a1", "drill-a1", "admin-1", "recipient-cannot-hold", None),
        ("rep-a1", "drill-a1", "ops-1", "recipient-cannot-hold", None),
        ("rep-a1", "drill-a1", "owner", "recipient-cannot-hold", None),
        ("rep-a1", "drill-a1", "west", "unknown-user", None),
        ("admin-1", "drill-a1", "rep-a1", "already-custodian", None),
        ("admin-1", "kit-org-1", bo.ORG_CUSTODY, "already-custodian", None),
    ],
)  # fmt: skip
def test_transfer_denials(
    custody: bo.Custody, actor: str, item: str, to: str, reason: str, suggestion: str | None
) -> None:
    assert custody.can_transfer(actor, item, to) == bo.Decision(
        allowed=False, reason=reason, suggestion=suggestion
    )


def test_bad_ids_in_can_transfer_are_denials_not_crashes(custody: bo.Custody) -> None:
    assert custody.can_transfer(None, "drill-a1", "rep-b1").reason == "unknown-user"  # type: ignore[arg-type]
    assert custody.can_transfer("rep-a1", ["drill-a1"], "rep-b1").reason == "unknown-item"  # type: ignore[arg-type]
    assert custody.can_transfer("rep-a1", "drill-a1", {"x": 1}).reason == "unknown-user"  # type: ignore[arg-type]


def test_turning_sharing_off_ends_the_reps_right_to_transfer_the_pool(org: bo.Org) -> None:
    after = bo.Custody(org.set_shared_inventory("dist-a", False), sample_items())
    assert after.can_transfer("rep-a1", "screw-a-1", "rep-b1").reason == "not-shared"
    assert after.can_transfer("dist-a", "screw-a-1", "rep-b1")


# --- transfer advice -------------------------------------------------------------------------------


def _codes(findings: list[bo.Finding]) -> list[tuple[str, str, str]]:
    return [(f.code, f.severity.value, f.subject) for f in findings]


def test_advice_to_transfer_to_a_sharing_distributor_rather_than_its_rep(
    custody: bo.Custody,
) -> None:
    [finding] = custody.transfer_advice("kit-org-1", "rep-a2")
    assert (finding.code, finding.severity, finding.subject) == (
        "transfer-to-distributor",
        bo.Severity.ADVICE,
        "rep-a2",
    )
    assert "transfer to dist-a instead" in finding.message
    assert "meant for rep-a2 alone" in finding.message
    assert custody.transfer_advice("kit-org-1", "dist-a") == []
    assert custody.transfer_advice("kit-org-1", "rep-b1") == []  # dist-b does not share


@pytest.mark.parametrize(
    ("item", "to", "expected"),
    [
        ("no-such", "rep-a1", [("unknown-item", "error", "no-such"), ("transfer-to-distributor", "advice", "rep-a1")]),
        ("kit-org-1", "nobody", [("unknown-recipient", "error", "nobody")]),
        ("no-such", "nobody", [("unknown-item", "error", "no-such"), ("unknown-recipient", "error", "nobody")]),
        ("kit-org-1", "rm-west", [("recipient-cannot-hold", "error", "rm-west")]),
        ("kit-org-1", "admin-1", [("recipient-cannot-hold", "error", "admin-1")]),
        ("kit-org-1", "ops-1", [("recipient-cannot-hold", "error", "ops-1")]),
        ("kit-org-1", "owner", [("recipient-cannot-hold", "error", "owner")]),
        ("kit-org-1", "rep-gone", [("recipient-inactive", "error", "rep-gone")]),
        ("drill-a1", "rep-a1", [("already-custodian", "error", "drill-a1"), ("transfer-to-distributor", "advice", "rep-a1")]),
        ("kit-org-1", "rep-new", [("recipient-locked", "warning", "rep-new")]),
        ("kit-org-1", "wh-quarantine", [("recipient-custodian-only", "advice", "wh-quarantine")]),
        ("screw-a1-spare", "dist-a", [("item-inactive", "error", "screw-a1-spare")]),
        ("kit-solo", bo.ORG_CUSTODY, []),
        ("kit-org-1", "fm-mercy", []),
    ],
)  # fmt: skip
def test_transfer_advice_codes(
    custody: bo.Custody, item: str, to: str, expected: list[tuple[str, str, str]]
) -> None:
    assert _codes(custody.transfer_advice(item, to)) == expected


def test_expiry_advice_needs_a_date(custody: bo.Custody) -> None:
    assert custody.transfer_advice("plate-a-old", "rep-b1") == []
    [finding] = custody.transfer_advice("plate-a-old", "rep-b1", on=D(2026, 2, 1))
    assert (finding.code, finding.severity) == ("item-expired", bo.Severity.WARNING)
    assert "2026-01-31" in finding.message
    assert custody.transfer_advice("plate-a-old", "rep-b1", on=D(2026, 1, 31)) == []
    with pytest.raises(bo.InvalidValueError):
        custody.transfer_advice("plate-a-old", "rep-b1", on="2026-02-01")  # type: ignore[arg-type]


def test_every_advice_message_names_its_subject(custody: bo.Custody, org: bo.Org) -> None:
    seen = set()
    for item in [*custody.items, "no-such"]:
        for to in [*org.users, bo.ORG_CUSTODY, "nobody"]:
            for finding in custody.transfer_advice(item, to, on=D(2027, 1, 1)):
                assert finding.subject in finding.message
                seen.add(finding.code)
    assert seen >= {"transfer-to-distributor", "recipient-cannot-hold", "recipient-locked"}


def test_advice_errors_agree_with_can_transfer_for_back_office(
    custody: bo.Custody, org: bo.Org
) -> None:
    # Back office may move any item, so whether its transfer is allowed is exactly whether the
    # advice holds no error.
    for item in [*custody.items, "no-such"]:
        for to in [*org.users, bo.ORG_CUSTODY, "nobody"]:
            errors = [
                f for f in custody.transfer_advice(item, to) if f.severity is bo.Severity.ERROR
            ]
            assert bool(custody.can_transfer("admin-1", item, to)) == (not errors), (item, to)


def test_an_unhashable_user_id_with_a_date_is_just_unknown(custody: bo.Custody) -> None:
    assert custody.usable_inventory({"id": 1}, on=D(2026, 1, 1)) == frozenset()  # type: ignore[arg-type]


def test_nothing_is_remembered_per_question(custody: bo.Custody, org: bo.Org) -> None:
    # Only per-user look-ups are kept: asking every question twice leaves at most one entry per
    # known user, and the answers do not change.
    fresh = bo.Custody(org, sample_items())
    for _ in range(2):
        for user_id in [*org.users, "nobody"]:
            for item_id in [*fresh.items, "no-item"]:
                assert fresh.can_use(user_id, item_id) == custody.can_use(user_id, item_id)
    compiled = fresh._compiled  # the one cache: compiled look-ups per known user
    for kept in (*compiled.looks.values(), *compiled.derived.values()):
        assert set(kept) <= set(org.users)
        assert not any(isinstance(k, tuple) for k in kept)
