"""Custody rules on random valid orgs and items (strategies from ``beacon_org.testing.strategies``)."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.testing.strategies import items, orgs

ON = st.none() | st.dates(dt.date(2025, 1, 1), dt.date(2029, 1, 1))


@st.composite
def custodies(draw: st.DrawFn, max_users: int = 12) -> bo.Custody:
    org = draw(orgs(max_users=max_users))
    stock = draw(st.lists(items(org), max_size=25, unique_by=lambda i: i.id))
    return bo.Custody(org, stock)


def _askers(org: bo.Org) -> list[str]:
    return [*sorted(org.users), "nobody", bo.ORG_CUSTODY]


def _items_of(custody: bo.Custody) -> tuple[bo.InventoryItem, ...]:
    return tuple(custody.items.values())


@given(custodies(), ON)
def test_can_use_agrees_with_usable_inventory(custody: bo.Custody, on: dt.date | None) -> None:
    for user_id in _askers(custody.org):
        usable = custody.usable_inventory(user_id, on=on)
        assert usable <= custody.items.keys()
        for item_id in [*custody.items, "no-such-item"]:
            decision = custody.can_use(user_id, item_id, on=on)
            assert decision.allowed == (item_id in usable), (user_id, item_id, decision)
            assert bool(decision) == decision.allowed
            if decision:
                assert decision.path[0] == user_id
                assert decision.path[-1] == item_id
                assert decision.suggestion is None


@given(custodies(), ON)
def test_usable_inventory_is_within_visible_inventory(
    custody: bo.Custody, on: dt.date | None
) -> None:
    for user_id in _askers(custody.org):
        assert custody.usable_inventory(user_id, on=on) <= custody.visible_inventory(user_id)


@given(custodies(), ON)
def test_usable_items_are_active_unexpired_and_held_by_a_source(
    custody: bo.Custody, on: dt.date | None
) -> None:
    org = custody.org
    for user_id, user in org.users.items():
        for item_id in custody.usable_inventory(user_id, on=on):
            item = custody.items[item_id]
            assert item.active
            assert not item.on_hold
            assert on is None or item.expires is None or on <= item.expires
            if user.role.is_org_wide:
                assert item.custodian == bo.ORG_CUSTODY
            elif item.custodian != user_id:
                # The only other source: the sharing distributor of a sales rep.
                assert user.role is bo.Role.SALES
                assert org.distributor_of(user_id) == item.custodian
                assert org.shares_inventory(item.custodian)
                assert org.user(item.custodian).active  # sharing needs an active distributor


@given(custodies(), ON)
def test_turning_sharing_off_never_widens_anyones_inventory(
    custody: bo.Custody, on: dt.date | None
) -> None:
    org = custody.org
    for distributor in org.distributors:
        if not org.shares_inventory(distributor):
            continue
        after = bo.Custody(org.set_shared_inventory(distributor, False), _items_of(custody))
        for user_id in _askers(org):
            assert after.usable_inventory(user_id, on=on) <= custody.usable_inventory(
                user_id, on=on
            )
            assert after.visible_inventory(user_id) <= custody.visible_inventory(user_id)
        # ... and it takes the whole pool from every rep of that group at once.
        for rep in org.reps_of(distributor):
            assert not after.usable_inventory(rep) & after.holdings(distributor)


@given(custodies(), st.data())
def test_a_rep_leaving_its_group_or_a_user_leaving_never_widens_access(
    custody: bo.Custody, data: st.DataObject
) -> None:
    org = custody.org
    reps = sorted(org._distributor_of)
    users = sorted(u for u, user in org.users.items() if user.active)
    changed = []
    if reps:
        changed.append(org.unassign_rep(data.draw(st.sampled_from(reps))))
    if users:
        changed.append(org.deactivate(data.draw(st.sampled_from(users))))
    for new_org in changed:
        after = bo.Custody(new_org, _items_of(custody))
        for user_id in _askers(org):
            assert after.usable_inventory(user_id) <= custody.usable_inventory(user_id)
            assert after.visible_inventory(user_id) <= custody.visible_inventory(user_id)


@given(custodies())
def test_whoever_may_move_an_item_sees_it_and_grants_follow_the_org_graph(
    custody: bo.Custody,
) -> None:
    org = custody.org
    graph = org.graph
    recipients = [*sorted(org.users), bo.ORG_CUSTODY]
    for actor in sorted(org.users):
        visible = custody.visible_inventory(actor)
        for item_id, item in custody.items.items():
            for to in recipients:
                decision = custody.can_transfer(actor, item_id, to)
                if not decision:
                    continue
                assert item_id in visible
                assert to != item.custodian
                assert to == bo.ORG_CUSTODY or org.user(to).active
                assert to == bo.ORG_CUSTODY or org.user(to).role.can_hold_inventory
                path = decision.path
                assert (path[0], path[-1]) == (actor, item_id)
                # Every hop between org nodes is an edge of the org graph, one way or the other.
                for a, b in itertools.pairwise(path[:-1]):
                    assert graph.has_edge(a, b) or graph.has_edge(b, a), path
                if len(path) > 2:
                    assert path[-2] == item.custodian
                # The product's own rules: inactive and held items never move; the managers
                # send only inside their scope; field users only while the setting allows it.
                assert item.active
                assert not item.on_hold
                role = org.user(actor).role
                if role in (bo.Role.SALES, bo.Role.DISTRIBUTOR):
                    assert org.settings.field_users_can_transfer
                if role is bo.Role.REGIONAL_MANAGER:
                    assert org.user(to).region in org.managed_regions(actor)
                if role is bo.Role.FACILITY_MANAGER and to != bo.ORG_CUSTODY:
                    recipient = org.user(to)
                    associated = recipient.facilities | recipient.directory_records
                    assert org.user(actor).facilities & associated


@given(custodies(), st.data())
def test_deactivating_a_distributor_closes_its_pool_and_reactivating_reopens_it(
    custody: bo.Custody, data: st.DataObject
) -> None:
    org = custody.org
    sharing = sorted(d for d in org.distributors if org.shares_inventory(d) and org.user(d).active)
    if not sharing:
        return
    distributor = data.draw(st.sampled_from(sharing))
    closed = bo.Custody(org.deactivate(distributor), _items_of(custody))
    pool = custody.holdings(distributor)
    for rep in org.reps_of(distributor):
        assert not closed.usable_inventory(rep) & pool
        assert not closed.visible_inventory(rep) & pool
        for item_id in pool:
            for to in [*org.users, bo.ORG_CUSTODY]:
                assert not closed.can_transfer(rep, item_id, to)
    reopened = bo.Custody(org.deactivate(distributor).reactivate(distributor), _items_of(custody))
    for user_id in _askers(org):
        assert reopened.usable_inventory(user_id) == custody.usable_inventory(user_id)
        assert reopened.visible_inventory(user_id) == custody.visible_inventory(user_id)


@st.composite
def settlements(draw: st.DrawFn) -> tuple[bo.Custody, bo.Transfer, str, str | None]:
    custody = draw(custodies())
    by_custodian: dict[str, list[str]] = {}
    for item in custody.items.values():
        by_custodian.setdefault(item.custodian, []).append(item.id)
    org = custody.org
    everyone = [*sorted(org.users), bo.ORG_CUSTODY]
    if by_custodian:
        sender = draw(st.sampled_from(sorted(by_custodian)))
        held = sorted(by_custodian[sender])
        # Mostly the sender's items; now and then one it does not hold, which must be refused.
        moved = draw(st.lists(st.sampled_from(held), min_size=1, unique=True))
        if draw(st.integers(0, 5)) == 0:
            moved.append(draw(st.sampled_from([*custody.items, "no-such-item"])))
            moved = list(dict.fromkeys(moved))
    else:
        sender, moved = bo.ORG_CUSTODY, ["no-such-item"]
    recipient = draw(st.sampled_from([u for u in [*everyone, "nobody"] if u != sender]))
    transfer = bo.Transfer(
        id="t-1",
        item_ids=moved,
        sender=sender,
        recipient=recipient,
        started_by=draw(st.sampled_from(everyone)),
        status=draw(st.sampled_from(["pending", "pending", "pending", *bo.TransferStatus])),
    )
    outcome = draw(st.sampled_from(["accepted", "declined"]))
    by = draw(st.none() | st.sampled_from([*everyone, "nobody"]))
    return custody, transfer, outcome, by


@given(settlements())
def test_a_settled_transfer_leaves_every_item_with_exactly_one_custodian(
    case: tuple[bo.Custody, bo.Transfer, str, str | None],
) -> None:
    custody, transfer, outcome, by = case
    before = _items_of(custody)
    org = custody.org
    held_by_sender = all(
        i in custody.items and custody.items[i].custodian == transfer.sender
        for i in transfer.item_ids
    )
    recipient = org.users.get(transfer.recipient)
    can_hold = transfer.recipient == bo.ORG_CUSTODY or (
        recipient is not None and recipient.active and recipient.role.can_hold_inventory
    )
    if outcome == "accepted":
        movable = all(
            custody.items[i].active and not custody.items[i].on_hold
            for i in transfer.item_ids
            if i in custody.items
        )
        permitted = (by is None or bool(custody.can_accept(by, transfer))) and can_hold and movable
    else:
        permitted = by is None or bool(custody.can_decline(by, transfer))
    settles = transfer.status is bo.TransferStatus.PENDING and held_by_sender and permitted
    try:
        settled = custody.settle(transfer, outcome, by=by)
    except bo.TransferError:
        assert not settles  # refused exactly when a rule says no
        return
    assert settles
    assert transfer.status is bo.TransferStatus.PENDING
    assert settled.transfer.id == transfer.id
    after = settled.apply(before)
    assert [i.id for i in after] == [i.id for i in before]  # no item lost, none doubled
    moved = set(transfer.item_ids)
    held = settled.status is bo.TransferStatus.HOLD
    for old, new in zip(before, after, strict=True):
        assert new.custodian  # never none
        assert (new.active, new.expires) == (old.active, old.expires)
        # A decline into hold puts the transfer's items on hold; nothing else changes hold.
        assert new.on_hold == (old.on_hold or (held and old.id in transfer.item_ids))
        if old.id in moved and settled.status is bo.TransferStatus.ACCEPTED:
            assert new.custodian == transfer.recipient
        else:
            assert new.custodian == old.custodian
    if settled.status is bo.TransferStatus.ACCEPTED:
        assert outcome == "accepted"
        assert by is None or custody.can_accept(by, transfer)
        # Custody moved, so a Custody over the new items is valid and counts every item once.
        moved_custody = bo.Custody(org, after)
        assert sum(len(moved_custody.holdings(c)) for c in {i.custodian for i in after}) == len(
            after
        )
    else:
        assert outcome == "declined"
        declined_by_back_office = by is not None and org.user(by).role.is_org_wide
        expected = bo.TransferStatus.DECLINED if declined_by_back_office else bo.TransferStatus.HOLD
        assert settled.status is expected
