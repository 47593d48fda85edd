"""The rules as the product's help centre states them (second release), one example per rule.

Each test names the article it follows (the digest is in the domain notes, last section). Every one
of them failed on the first release's rules.
"""

from __future__ import annotations

import pytest

import beacon_org as bo
from beacon_org.testing import sample_cases, sample_items, sample_org


@pytest.fixture
def org() -> bo.Org:
    return sample_org()


@pytest.fixture
def custody(org: bo.Org) -> bo.Custody:
    return bo.Custody(org, sample_items())


def held_items() -> tuple[bo.InventoryItem, ...]:
    # The sample items plus one item on hold in each kind of custody a user may otherwise use.
    return (
        *sample_items(),
        bo.InventoryItem("held-org", bo.ORG_CUSTODY, on_hold=True),
        bo.InventoryItem("held-a", "dist-a", on_hold=True),
        bo.InventoryItem("held-a1", "rep-a1", on_hold=True),
    )


# --- "What is a regional manager user?": transfers only between users of its regions -----------


def test_a_regional_manager_moves_items_only_to_members_of_its_regions(
    custody: bo.Custody,
) -> None:
    # rm-west manages west (dist-a, rep-a1, rep-gone); rep-b1 is in east, rep-a2 in central.
    assert custody.can_transfer("rm-west", "drill-a1", "dist-a") == bo.Decision(
        allowed=True,
        reason="regional-manager-of-member",
        path=("rm-west", "west", "rep-a1", "drill-a1"),
    )
    assert custody.can_transfer("rm-west", "drill-a1", "rep-b1") == bo.Decision(
        allowed=False, reason="recipient-outside-regions", suggestion="set rep-b1's region to west"
    )
    assert custody.can_transfer("rm-west", "drill-a1", "rep-a2").reason == (
        "recipient-outside-regions"
    )
    # Not to the organisation either, nor to a user no region can hold (no suggestion there).
    for to in (bo.ORG_CUSTODY, "fm-mercy"):
        denial = custody.can_transfer("rm-west", "drill-a1", to)
        assert denial == bo.Decision(allowed=False, reason="recipient-outside-regions"), to
    assert custody.can_transfer("rm-west", "drill-a1", "wh-quarantine").suggestion == (
        "set wh-quarantine's region to west"
    )
    assert custody.can_transfer("rm-central", "kit-solo", "rep-a2")


def test_the_suggested_region_really_grants_the_regional_managers_transfer(
    org: bo.Org,
) -> None:
    denial = bo.Custody(org, sample_items()).can_transfer("rm-west", "drill-a1", "rep-b1")
    assert denial.suggestion == "set rep-b1's region to west"
    fixed = bo.Custody(org.set_region("rep-b1", "west"), sample_items())
    assert fixed.can_transfer("rm-west", "drill-a1", "rep-b1")


# --- "What does the Facility Manager role do?": to its facilities' users and to the org --------


def test_a_facility_manager_moves_its_items_to_the_org_or_users_of_its_facilities(
    org: bo.Org,
) -> None:
    org = org.add_user(
        "fm-lukes", email="fm@st-lukes.example", role="facility_manager", facilities=["st-lukes"]
    ).complete_training("fm-lukes")
    custody = bo.Custody(org, sample_items())
    # rep-a1's directory records hold mercy-general; fm-mercy's own facility.
    assert custody.can_transfer("fm-mercy", "loaner-mercy", bo.ORG_CUSTODY).reason == (
        "own-custody"
    )
    assert custody.can_transfer("fm-mercy", "loaner-mercy", "rep-a1").reason == "own-custody"
    # rep-new has no directory records yet; fm-lukes's facilities do not hold mercy-general.
    assert custody.can_transfer("fm-mercy", "loaner-mercy", "rep-new") == bo.Decision(
        allowed=False,
        reason="recipient-not-at-facility",
        suggestion="add directory record mercy-general to rep-new",
    )
    assert custody.can_transfer("fm-mercy", "loaner-mercy", "fm-lukes").reason == (
        "recipient-not-at-facility"
    )
    # Another facility manager of the same facility is associated with it through `facilities`.
    same = org.update_user("fm-lukes", facilities=["st-lukes", "mercy-general"])
    assert bo.Custody(same, sample_items()).can_transfer("fm-mercy", "loaner-mercy", "fm-lukes")
    with_records = org.assign_directory_records("rep-new", ["mercy-general"])
    assert bo.Custody(with_records, sample_items()).can_transfer(
        "fm-mercy", "loaner-mercy", "rep-new"
    )


# --- "What to understand about your inactive inventory": not used, not transferred --------------


@pytest.mark.parametrize(
    ("actor", "to"),
    [("owner", "dist-a"), ("admin-1", bo.ORG_CUSTODY), ("rm-west", "dist-a"), ("rep-a1", "rep-a2"),
     ("dist-a", "rep-a2")],
)  # fmt: skip
def test_an_inactive_item_is_moved_by_nobody(custody: bo.Custody, actor: str, to: str) -> None:
    assert custody.can_transfer(actor, "screw-a1-spare", to) == bo.Decision(
        allowed=False, reason="item-inactive"
    )


def test_transfer_advice_calls_an_inactive_item_an_error(custody: bo.Custody) -> None:
    [finding] = custody.transfer_advice("screw-a1-spare", "dist-a")
    assert (finding.code, finding.severity) == ("item-inactive", bo.Severity.ERROR)
    assert "can no longer be used or transferred" in finding.message


# --- items on hold ("Receiving a Transfer": a declined transfer is held for review) ---------------


def test_an_item_on_hold_is_used_and_moved_by_nobody_but_still_seen(org: bo.Org) -> None:
    custody = bo.Custody(org, held_items())
    for user_id, item_id in (("admin-1", "held-org"), ("rep-a1", "held-a"), ("rep-a1", "held-a1")):
        assert custody.can_use(user_id, item_id) == bo.Decision(
            allowed=False, reason="item-on-hold"
        )
        assert item_id not in custody.usable_inventory(user_id)
        assert item_id in custody.visible_inventory(user_id)
    for actor in ("owner", "admin-1", "ops-1", "rm-west", "dist-a", "rep-a1"):
        assert custody.can_transfer(actor, "held-a1", "rep-a2").reason == "item-on-hold"
    [finding] = custody.transfer_advice("held-a1", "dist-a")
    assert (finding.code, finding.severity) == ("item-on-hold", bo.Severity.ERROR)
    assert sorted(custody.holdings("rep-a1")) == ["drill-a1", "held-a1", "screw-a1-spare"]
    # A transfer of it cannot be accepted either (declining leaves it where it is).
    pending = bo.Transfer(
        id="t-0", item_ids=["held-a1"], sender="rep-a1", recipient="rep-a2", started_by="admin-1"
    )
    with pytest.raises(bo.TransferError, match="'held-a1' is on hold and cannot move"):
        custody.settle(pending, "accepted", by="rep-a2")
    assert custody.settle(pending, "declined", by="admin-1").status is bo.TransferStatus.DECLINED


def test_only_org_wide_users_release_held_items_which_stay_with_their_custodian(
    org: bo.Org,
) -> None:
    custody = bo.Custody(org, held_items())
    assert custody.can_release("ops-1", "held-a1") == bo.Decision(
        allowed=True, reason="org-wide", path=("ops-1", "held-a1")
    )
    for user_id, reason in (
        ("rep-a1", "not-org-wide"),
        ("dist-a", "not-org-wide"),
        ("rm-west", "not-org-wide"),
        ("fm-mercy", "not-org-wide"),
        ("rep-gone", "inactive"),
        ("nobody", "unknown-user"),
    ):
        assert custody.can_release(user_id, "held-a1").reason == reason, user_id
    assert custody.can_release("admin-1", "drill-a1").reason == "item-not-on-hold"
    assert custody.can_release("admin-1", "no-such").reason == "unknown-item"

    released = custody.release("admin-1", ["held-a1", "held-org"])
    assert [i.id for i in released] == [i.id for i in held_items()]
    by_id = {i.id: i for i in released}
    assert (by_id["held-a1"].custodian, by_id["held-a1"].on_hold) == ("rep-a1", False)
    assert by_id["held-a"].on_hold  # not named, still held
    after = bo.Custody(org, released)
    assert after.can_use("rep-a1", "held-a1").reason == "own-custody"
    assert after.can_transfer("rep-a1", "held-a1", "rep-a2")


@pytest.mark.parametrize(
    ("user_id", "item_ids", "match"),
    [
        ("rep-a1", ["held-a1"], r"'rep-a1' may not release item 'held-a1' \(not-org-wide\)"),
        ("admin-1", ["held-a1", "drill-a1"], r"item 'drill-a1' \(item-not-on-hold\)"),
        ("admin-1", ["no-such"], r"\(unknown-item\)"),
        ("nobody", ["held-a1"], r"\(unknown-user\)"),
    ],
)
def test_release_refuses_what_may_not_be_released(
    org: bo.Org, user_id: str, item_ids: list[str], match: str
) -> None:
    with pytest.raises(bo.TransferError, match=match):
        bo.Custody(org, held_items()).release(user_id, item_ids)


@pytest.mark.parametrize("bad", ["held-a1", 7, None])
def test_release_takes_a_collection_of_ids(org: bo.Org, bad: object) -> None:
    with pytest.raises(bo.InvalidValueError, match="'item_ids' must be a collection"):
        bo.Custody(org, held_items()).release("admin-1", bad)  # type: ignore[arg-type]


def test_a_service_row_may_say_on_hold(org: bo.Org) -> None:
    class Row:
        id, custodian, active, expires, on_hold = "row-1", "rep-b1", True, None, True

    custody = bo.Custody(org, [Row()])
    assert custody.can_use("rep-b1", "row-1").reason == "item-on-hold"
    assert custody.items["row-1"].on_hold

    class Bad(Row):
        on_hold = "yes"

    with pytest.raises(bo.InvalidValueError, match="'on_hold' must be True or False"):
        bo.Custody(org, [Bad()])


# --- "Receiving a Transfer": accept, decline, hold -------------------------------------------------


def shared_pull() -> bo.Transfer:
    # rep-a1 moves an item of dist-a's shared pool to itself.
    return bo.Transfer(
        id="t-1", item_ids=["screw-a-1"], sender="dist-a", recipient="rep-a1", started_by="rep-a1"
    )


def test_a_sales_user_neither_accepts_nor_declines_a_transfer_it_started(
    custody: bo.Custody,
) -> None:
    started_by_self = bo.Decision(allowed=False, reason="started-by-self")
    assert custody.can_accept("rep-a1", shared_pull()) == started_by_self
    assert custody.can_decline("rep-a1", shared_pull()) == started_by_self
    for user_id in ("dist-a", "rm-west", "admin-1"):
        assert custody.can_decline(user_id, shared_pull()), user_id
    with pytest.raises(bo.TransferError, match=r"'rep-a1' may not decline .* \(started-by-self\)"):
        custody.settle(shared_pull(), "declined", by="rep-a1")


def test_a_distributor_declines_for_itself_and_a_manager_for_its_members(
    custody: bo.Custody,
) -> None:
    to_dist = bo.Transfer(
        id="t-2", item_ids=["kit-org-1"], sender=bo.ORG_CUSTODY, recipient="dist-a",
        started_by="admin-1",
    )  # fmt: skip
    assert custody.can_decline("dist-a", to_dist).reason == "recipient"
    assert custody.can_decline("rm-west", to_dist).reason == "regional-manager-of-member"
    assert custody.can_decline("dist-b", to_dist).reason == "not-recipient"
    assert custody.can_decline("rep-a1", to_dist).reason == "not-recipient"


def test_a_decline_puts_the_items_back_with_the_sender_on_hold(custody: bo.Custody) -> None:
    t = bo.Transfer(
        id="t-3", item_ids=["plate-b-1"], sender="dist-b", recipient="rep-b1", started_by="dist-b"
    )
    settled = custody.settle(t, "declined", by="rep-b1")
    assert settled.status is bo.TransferStatus.HOLD
    after = settled.apply(sample_items())
    [plate] = [i for i in after if i.id == "plate-b-1"]
    assert (plate.custodian, plate.on_hold) == ("dist-b", True)
    assert [i for i in after if i.id != "plate-b-1"] == [
        i for i in sample_items() if i.id != "plate-b-1"
    ]
    held = bo.Custody(custody.org, after)
    # The sender can neither use nor resend it until back office releases it.
    assert held.can_use("dist-b", "plate-b-1").reason == "item-on-hold"
    assert held.can_transfer("dist-b", "plate-b-1", "rep-b2").reason == "item-on-hold"
    released = bo.Custody(custody.org, held.release("ops-1", ["plate-b-1"]))
    assert released.can_transfer("dist-b", "plate-b-1", "rep-b2")


def test_a_decline_by_back_office_returns_the_items_at_once(custody: bo.Custody) -> None:
    t = bo.Transfer(
        id="t-4", item_ids=["plate-b-1"], sender="dist-b", recipient="rep-b1", started_by="dist-b"
    )
    settled = custody.settle(t, "declined", by="admin-1")
    assert settled.status is bo.TransferStatus.DECLINED
    assert settled.apply(sample_items()) == sample_items()


def test_hold_means_held_for_back_office_review() -> None:
    doc = bo.TransferStatus.__doc__ or ""
    assert "sender's review" not in doc
    assert "on hold" in doc
    assert "releases" in doc


# --- sharing needs an active distributor [ours, from "A deactivated user cannot hold inventory"] --


def test_a_deactivated_distributors_pool_is_closed_to_its_reps(org: bo.Org) -> None:
    custody = bo.Custody(org.deactivate("dist-a"), sample_items())
    assert sorted(custody.usable_inventory("rep-a1")) == ["drill-a1"]
    assert custody.visible_inventory("rep-a2") == frozenset()
    assert custody.can_use("rep-a1", "screw-a-1") == bo.Decision(
        allowed=False, reason="distributor-inactive", suggestion="reactivate dist-a"
    )
    assert custody.can_transfer("rep-a2", "screw-a-1", "rep-b1") == bo.Decision(
        allowed=False, reason="distributor-inactive", suggestion="reactivate dist-a"
    )
    # Nobody is advised to send stock to a distributor that cannot hold it.
    assert custody.transfer_advice("kit-org-1", "rep-a1") == []


def test_reactivating_the_distributor_opens_its_pool_again(org: bo.Org) -> None:
    back = org.deactivate("dist-a").reactivate("dist-a")
    assert back == org
    custody = bo.Custody(back, sample_items())
    assert custody.can_use("rep-a1", "screw-a-1").reason == "shared-inventory"
    assert "screw-a-1" in custody.visible_inventory("rep-a2")


def test_diff_access_shows_the_pool_closing_with_the_distributor(org: bo.Org) -> None:
    diff = bo.diff_access(org, org.deactivate("dist-a"), items=sample_items())
    lost = {(c.user, c.permission, c.object) for c in diff.lost}
    for rep in ("rep-a1", "rep-a2"):
        for item in ("screw-a-1", "screw-a-2", "plate-a-old"):
            assert (rep, "use_item", item) in lost
            assert (rep, "view_item", item) in lost
    assert {c.cause for c in diff.lost if c.user == "rep-a1"} == {"dist-a deactivated"}


def test_the_setup_check_on_a_deactivated_distributors_items_names_the_closed_pool(
    org: bo.Org,
) -> None:
    findings = bo.check_setup(org.deactivate("dist-a"), sample_items())
    held = [f for f in findings if f.code == "item-held-by-deactivated-user"]
    assert {f.subject for f in held} == {"kit-gone", "screw-a-1", "screw-a-2", "plate-a-old"}
    for finding in held:
        if finding.subject != "kit-gone":
            assert finding.severity is bo.Severity.ERROR
            assert "its reps cannot use it from the shared pool" in finding.message
    [inactive] = [f for f in findings if f.code == "distributor-inactive"]
    assert "closed to them until it is reactivated" in inactive.message
    # No advice to move a rep's item to a distributor that cannot hold it.
    codes = {(f.code, f.subject) for f in findings}
    assert ("item-held-by-rep-of-sharing-distributor", "drill-a1") not in codes
    assert ("item-held-by-rep-of-sharing-distributor", "drill-a1") in {
        (f.code, f.subject) for f in bo.check_setup(org, sample_items())
    }


# --- "What settings are available to set for each user role?" ----------------------------------


def test_the_reopen_setting_names_sales_and_distributor_users_only(org: bo.Org) -> None:
    vis = bo.Visibility(org.configure(field_users_can_reopen_cases=True))
    paid = sample_cases()[1]  # rep-a1's paid case
    assert vis.can_reopen_case("rep-a1", paid).reason == "representative"
    assert vis.can_reopen_case("dist-a", paid).reason == "distributor-of-representative"
    assert vis.can_reopen_case("admin-1", paid).reason == "org-wide"
    assert vis.can_reopen_case("rm-west", paid) == bo.Decision(
        allowed=False, reason="reopen-not-for-role"
    )
    own_closed = bo.Case("c-fm", "fm-mercy", facility="mercy-general", status="closed")
    assert vis.can_edit_case("fm-mercy", bo.Case("c-fm", "fm-mercy", facility="mercy-general"))
    assert vis.can_reopen_case("fm-mercy", own_closed).reason == "reopen-not-for-role"
    # A locked manager is told it is locked, without a suggestion training would not fulfil.
    locked = (
        org.configure(field_users_can_reopen_cases=True)
        .add_user("rm-new", email="rm.new@x.example", role="regional_manager")
        .set_region_manager("west", "rm-new")
    )
    denial = bo.Visibility(locked).can_reopen_case("rm-new", paid)
    assert (denial.reason, denial.suggestion) == ("locked", None)


def test_field_users_may_be_barred_from_starting_transfers(org: bo.Org) -> None:
    barred = org.configure(field_users_can_transfer=False)
    assert org.settings.field_users_can_transfer
    custody = bo.Custody(barred, sample_items())
    disabled = bo.Decision(
        allowed=False,
        reason="transfers-disabled",
        suggestion="allow field users to start transfers",
    )
    assert custody.can_transfer("rep-a1", "drill-a1", "rep-a2") == disabled
    assert custody.can_transfer("rep-a2", "screw-a-1", "rep-a1") == disabled
    assert custody.can_transfer("dist-a", "screw-a-1", "rep-a1") == disabled
    # Back office, regional managers and facility managers are not affected.
    assert custody.can_transfer("admin-1", "drill-a1", "rep-a2")
    assert custody.can_transfer("rm-west", "drill-a1", "dist-a")
    assert custody.can_transfer("fm-mercy", "loaner-mercy", bo.ORG_CUSTODY)
    # Accepting and declining are not starting a transfer.
    t = bo.Transfer(
        id="t-5", item_ids=["kit-org-1"], sender=bo.ORG_CUSTODY, recipient="rep-a1",
        started_by="admin-1",
    )  # fmt: skip
    assert custody.can_accept("rep-a1", t)
    assert custody.can_decline("dist-a", t)
    assert bo.from_dict(bo.to_dict(barred)) == barred
    assert bo.to_dict(barred)["settings"]["field_users_can_transfer"] is False


def test_the_transfer_setting_is_a_bool(org: bo.Org) -> None:
    with pytest.raises(bo.InvalidValueError, match="field_users_can_transfer"):
        org.configure(field_users_can_transfer="no")
    with pytest.raises(bo.InvalidDataError, match=r"settings\.field_users_can_transfer"):
        bo.from_dict({"version": 1, "settings": {"field_users_can_transfer": 0}})


# --- "What is the primary admin role?": operations promoted to admin, one way --------------------


def test_an_operations_user_is_promoted_to_admin_one_way(org: bo.Org) -> None:
    promoted = org.promote_to_admin("ops-1")
    assert promoted.user("ops-1").role is bo.Role.ADMIN
    assert org.user("ops-1").role is bo.Role.OPERATIONS  # the receiver is untouched
    assert promoted.user("ops-1").email == org.user("ops-1").email
    for user_id in ("ops-1", "admin-1", "owner", "rep-a1", "dist-a", "rm-west", "fm-mercy"):
        with pytest.raises(bo.RoleError, match="only an operations user is promoted to admin"):
            promoted.promote_to_admin(user_id)
    with pytest.raises(bo.UnknownUserError):
        org.promote_to_admin("nobody")
    # update_user still refuses every role change, the promotion's included.
    with pytest.raises(bo.ImmutableFieldError, match="role cannot change"):
        org.update_user("ops-1", role="admin")
    with pytest.raises(bo.ImmutableFieldError, match="role cannot change"):
        promoted.update_user("ops-1", role="operations")


def test_a_promoted_user_round_trips_and_its_access_is_diffed(org: bo.Org) -> None:
    promoted = org.promote_to_admin("ops-1")
    data = bo.to_dict(promoted)
    [row] = [u for u in data["users"] if u["id"] == "ops-1"]
    assert row["role"] == "admin"
    assert bo.from_dict(data) == promoted != org
    # Operations and admin hold the same four permissions, so nothing is gained or lost...
    everything = {"cases": sample_cases(), "items": sample_items()}
    assert not bo.diff_access(org, promoted, **everything)
    # ...and when it comes with a reactivation, the gains are the reactivation's alone: a change is
    # named as a cause only when it alone would cause the access change.
    reactivated = org.deactivate("ops-1")
    diff = bo.diff_access(reactivated, reactivated.reactivate("ops-1").promote_to_admin("ops-1"),
                          **everything)  # fmt: skip
    gained = {(c.user, c.permission, c.object) for c in diff.gained}
    assert ("ops-1", "view_case", "c-100") in gained
    assert ("ops-1", "use_item", "kit-org-1") in gained
    assert {c.cause for c in diff.gained} == {"ops-1 reactivated"}


def test_a_promotion_is_a_change_value(org: bo.Org) -> None:
    from beacon_org.testing import Change

    change = Change("promote_to_admin", ("ops-1",))
    assert change.apply(org) == org.promote_to_admin("ops-1")
    with pytest.raises(bo.RoleError):
        Change("promote_to_admin", ("rep-a1",)).apply(org)
