"""readiness: the setup guide's "How to set up" steps, in order, for one distributor group."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.rules import READINESS_STEPS
from beacon_org.rules._setup import readiness_of_every_group
from beacon_org.testing import sample_items, sample_org
from beacon_org.testing.strategies import items, orgs

RECORDS = ("mercy-general", "dr-okafor")
STEPS = ["accounts", "reps-assigned", "user-setup", "shared-inventory", "inventory"]


def new_group() -> bo.Org:
    """Step 1 only: the accounts exist, nothing else is done yet."""
    return (
        bo.Org()
        .add_region("west")
        .add_user("dist-a", email="orders@acme.example", role="distributor", region="west")
        .add_user("rep-a1", email="ann@acme.example", role="sales", region="west")
        .add_user("rep-a2", email="andy@acme.example", role="sales", region="west")
    )


def set_up(org: bo.Org, *user_ids: str) -> bo.Org:
    for uid in user_ids:
        org = org.complete_training(uid).assign_directory_records(uid, RECORDS)
    return org


def step(r: bo.Readiness, name: str) -> bo.ReadinessStep:
    return next(s for s in r.steps if s.name == name)


def test_walking_through_the_guide_step_by_step() -> None:
    org = new_group()
    r = bo.readiness(org, "dist-a")
    assert [s.name for s in r.steps] == STEPS
    assert not r.ready
    assert not r
    assert [s.name for s in r.missing] == ["reps-assigned", "user-setup", "inventory"]

    # "Assign Sales Users to your Distributor in the Distributor's User Detail Screen."
    org = org.assign_rep("rep-a1", "dist-a").assign_rep("rep-a2", "dist-a")
    r = bo.readiness(org, "dist-a")
    assert step(r, "reps-assigned").done
    assert step(r, "reps-assigned").detail == "2 rep(s): rep-a1, rep-a2"

    # "Complete all other user setup steps, such as assigning directory records and marking the
    # users 'Training Complete'."
    detail = step(r, "user-setup").detail
    for uid in ("dist-a", "rep-a1", "rep-a2"):
        assert uid in detail
    org = set_up(org, "dist-a", "rep-a1")
    r = bo.readiness(org, "dist-a")
    assert step(r, "user-setup").detail == (
        'rep-a2: "Training Complete" not checked, no directory records'
    )
    org = set_up(org, "rep-a2")
    assert step(bo.readiness(org, "dist-a"), "user-setup").done

    # "Once the distributor group has been set up fully and you've transferred them inventory,
    # you can give your users access to their accounts."
    r = bo.readiness(org, "dist-a")
    assert [s.name for s in r.missing] == ["inventory"]
    assert "transfer inventory to dist-a" in step(r, "inventory").detail
    r = bo.readiness(org, "dist-a", [bo.InventoryItem("kit-1", "dist-a")])
    assert r.ready
    assert r
    assert r.missing == ()


def test_accounts_step_needs_an_active_distributor_that_can_act() -> None:
    org = set_up(new_group().assign_rep("rep-a1", "dist-a"), "dist-a", "rep-a1")
    assert step(bo.readiness(org, "dist-a"), "accounts").done
    gone = bo.readiness(org.deactivate("dist-a"), "dist-a")
    assert not step(gone, "accounts").done
    assert "deactivated" in step(gone, "accounts").detail
    only_holds = bo.readiness(org.update_user("dist-a", custodian_only=True), "dist-a")
    assert "custodian-only" in step(only_holds, "accounts").detail
    assert not only_holds.ready


def test_deactivated_reps_are_left_out_of_the_group() -> None:
    org = new_group().assign_rep("rep-a1", "dist-a").assign_rep("rep-a2", "dist-a")
    org = set_up(org, "dist-a", "rep-a1").deactivate("rep-a2")
    r = bo.readiness(org, "dist-a", [bo.InventoryItem("kit-gone", "rep-a2")])
    assert step(r, "user-setup").done
    assert "deactivated and left out: rep-a2" in step(r, "reps-assigned").detail
    # an item held by a deactivated rep is not the group's inventory
    assert not step(r, "inventory").done
    # a group whose only rep is deactivated has no reps
    lone = set_up(new_group().assign_rep("rep-a1", "dist-a"), "dist-a").deactivate("rep-a1")
    assert not step(bo.readiness(lone, "dist-a"), "reps-assigned").done


def test_inventory_step_counts_active_items_of_the_distributor_or_its_reps() -> None:
    org = set_up(new_group().assign_rep("rep-a1", "dist-a"), "dist-a", "rep-a1")
    used = bo.InventoryItem("kit-1", "dist-a", active=False)
    elsewhere = bo.InventoryItem("kit-2", "rep-a2")
    org_stock = bo.InventoryItem("kit-3", bo.ORG_CUSTODY)
    assert not step(bo.readiness(org, "dist-a", [used, elsewhere, org_stock]), "inventory").done
    at_rep = bo.readiness(org, "dist-a", [bo.InventoryItem("kit-4", "rep-a1")])
    assert step(at_rep, "inventory").done
    assert step(at_rep, "inventory").detail == "1 active item(s) held by rep-a1"


def test_shared_inventory_is_a_decision_either_way_and_advice_never_blocks() -> None:
    # "Consider enabling shared inventory ..." and "If this setting is enabled, it is recommended
    # to transfer inventory only to the Distributor account, unless the inventory should only be
    # used by a certain user."
    org = set_up(new_group().assign_rep("rep-a1", "dist-a"), "dist-a", "rep-a1")
    at_rep = [bo.InventoryItem("kit-1", "rep-a1")]
    off = bo.readiness(org, "dist-a", at_rep)
    assert off.ready
    assert step(off, "shared-inventory").detail.startswith("off")
    assert [f.code for f in off.advice] == ["shared-inventory-off"]
    on = bo.readiness(org.set_shared_inventory("dist-a", True), "dist-a", at_rep)
    assert on.ready
    assert step(on, "shared-inventory").detail.startswith("on")
    assert [(f.code, f.subject) for f in on.advice] == [
        ("item-held-by-rep-of-sharing-distributor", "kit-1")
    ]


def test_personal_email_is_advice_that_does_not_block() -> None:
    org = (
        bo.Org()
        .add_user("dist-p", email="pat.jones@gmail.com", role="distributor")
        .add_user("rep-p", email="rep@pj.example", role="sales")
        .assign_rep("rep-p", "dist-p")
    )
    org = set_up(org, "dist-p", "rep-p")
    r = bo.readiness(org, "dist-p", [bo.InventoryItem("k", "dist-p")])
    assert r.ready
    assert "distributor-personal-email" in {f.code for f in r.advice}


def test_sample_org_groups() -> None:
    a = bo.readiness(sample_org(), "dist-a", sample_items())
    assert a.ready
    b = bo.readiness(sample_org(), "dist-b", sample_items())
    assert [s.name for s in b.missing] == ["user-setup"]
    assert "rep-new" in b.missing[0].detail


def test_step_titles_follow_the_guide() -> None:
    r = bo.readiness(sample_org(), "dist-a")
    assert [s.title for s in r.steps] == list(READINESS_STEPS.values())


def test_unknown_or_wrong_user_raises() -> None:
    with pytest.raises(bo.UnknownUserError, match="nobody"):
        bo.readiness(sample_org(), "nobody")
    with pytest.raises(bo.RoleError, match=r"rep-a1.*not a distributor"):
        bo.readiness(sample_org(), "rep-a1")


def test_bad_items_raise_an_org_error() -> None:
    with pytest.raises(bo.InvalidValueError, match="'items' must be an iterable"):
        bo.readiness(sample_org(), "dist-a", 3)  # type: ignore[arg-type]


@st.composite
def group_and_items(draw: st.DrawFn) -> tuple[bo.Org, str, list[bo.InventoryItem]]:
    org = draw(orgs(min_users=1, max_users=12).filter(lambda o: bool(o.distributors)))
    distributor = draw(st.sampled_from(sorted(org.distributors)))
    its = draw(st.lists(items(org), max_size=8, unique_by=lambda i: i.id))
    return org, distributor, its


@given(group_and_items())
def test_ready_exactly_when_every_step_is_done(
    data: tuple[bo.Org, str, list[bo.InventoryItem]],
) -> None:
    org, distributor, its = data
    r = bo.readiness(org, distributor, its)
    assert [s.name for s in r.steps] == STEPS
    assert r.ready == all(s.done for s in r.steps)
    # the steps agree with the org, read through its public queries
    dist = org.user(distributor)
    reps = {x for x in org.reps_of(distributor) if org.user(x).active}
    assert step(r, "accounts").done == (dist.active and not dist.custodian_only)
    assert step(r, "reps-assigned").done == bool(reps)
    group = {distributor, *reps}
    assert step(r, "inventory").done == any(i.active and i.custodian in group for i in its)
    # a custodian-only rep needs records too: its distributor enters its cases
    setup_ok = all(
        org.user(u).training_complete
        and ((org.user(u).custodian_only and u == distributor) or org.user(u).directory_records)
        for u in group
    )
    assert step(r, "user-setup").done == setup_ok
    # advice never decides readiness: dropping it changes nothing
    assert all(f.severity is bo.Severity.ADVICE for f in r.advice)


# --- every group at once: one pass over the items -------------------------------------------------


@st.composite
def org_and_items(
    draw: st.DrawFn,
) -> tuple[bo.Org, list[bo.InventoryItem], datetime.date | None]:
    org = draw(orgs(max_users=14))
    its = draw(st.lists(items(org), max_size=12, unique_by=lambda i: i.id)) if org.users else []
    on = draw(st.none() | st.dates(datetime.date(2025, 1, 1), datetime.date(2029, 12, 31)))
    return org, its, on


@given(org_and_items())
def test_every_group_at_once_equals_one_group_at_a_time(
    data: tuple[bo.Org, list[bo.InventoryItem], datetime.date | None],
) -> None:
    org, its, on = data
    every = readiness_of_every_group(org, its, on=on)
    assert every == [bo.readiness(org, d, its, on=on) for d in sorted(org.distributors)]
    # and both agree with a plain scan of every item for each group (the items' own order)
    for r in every:
        reps = [x for x in org.reps_of(r.distributor) if org.user(x).active]
        group = {r.distributor, *reps}
        mine = [i for i in its if i.active and i.custodian in group]
        usable = [i for i in mine if not (on and i.expires and i.expires < on)]
        assert step(r, "inventory").done == bool(usable)
        if usable:
            assert step(r, "inventory").detail.startswith(f"{len(usable)} active item(s)")
        shares = org.shares_inventory(r.distributor)
        advised = [
            f.subject for f in r.advice if f.code == "item-held-by-rep-of-sharing-distributor"
        ]
        expected = [i.id for i in usable if i.custodian != r.distributor] if shares else []
        assert advised == expected


class CountedItem:
    """An item whose every attribute read is counted."""

    reads = 0

    def __init__(self, item: bo.InventoryItem) -> None:
        self._item = item

    def __getattr__(self, name: str) -> object:
        CountedItem.reads += 1
        return getattr(self._item, name)


def many_groups(distributors: int) -> tuple[bo.Org, list[CountedItem]]:
    org = bo.Org().add_region("west")
    holders = []
    for d in range(distributors):
        org = org.add_user(f"dist-{d}", email=f"orders@d{d}.example", role="distributor")
        org = org.add_user(f"rep-{d}", email=f"rep@d{d}.example", role="sales", region="west")
        org = org.assign_rep(f"rep-{d}", f"dist-{d}")
        holders += [f"dist-{d}", f"rep-{d}"]
    its = [
        CountedItem(bo.InventoryItem(f"i-{n}", holders[n % len(holders)], expires=None))
        for n in range(60)
    ]
    return org, its


@pytest.mark.parametrize("distributors", [1, 5, 30])
def test_check_and_every_readiness_read_each_item_a_bounded_number_of_times(
    distributors: int,
) -> None:
    org, its = many_groups(distributors)
    day = datetime.date(2026, 6, 1)
    CountedItem.reads = 0
    bo.check_setup(org, its, on=day)
    every = readiness_of_every_group(org, its, on=day)
    # id, custodian, active, expires and on_hold, once by check_setup and once for all the groups
    # together, whatever the number of groups
    assert CountedItem.reads <= 10 * len(its)
    assert len(every) == distributors
    assert all(step(r, "inventory").done for r in every)
    # the counter sees the per-group way: readiness() alone reads every item once per group
    CountedItem.reads = 0
    for d in sorted(org.distributors):
        bo.readiness(org, d, its, on=day)
    assert CountedItem.reads >= 3 * len(its) * distributors


def test_every_group_at_once_reads_no_items_without_distributors() -> None:
    assert readiness_of_every_group(bo.Org(), 3) == []  # type: ignore[arg-type]
    with pytest.raises(bo.InvalidValueError, match="'items' must be an iterable"):
        readiness_of_every_group(sample_org(), 3)  # type: ignore[arg-type]
    with pytest.raises(bo.InvalidValueError, match="item #0 has no 'id'"):
        readiness_of_every_group(sample_org(), [object()])
