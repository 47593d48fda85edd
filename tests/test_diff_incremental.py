"""diff_access costs what a change touches: it asks the rules only about the users and the rows
the rule table says a change can reach. Operations are counted; nothing is timed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given

import beacon_org as bo
from beacon_org._org import unchecked_with_user
from beacon_org.rules._diff import _Changed, _questions
from beacon_org.testing.strategies import orgs

GROUPS, REPS, CASES_EACH = 4, 15, 4


def big_org() -> tuple[bo.Org, bo.CaseIndex]:
    """Four groups of fifteen reps over two regions, four cases per rep (and per distributor)."""
    org = bo.Org().add_user("owner", email="owner@x.example", role="primary_admin")
    for r in ("north", "south"):
        manager = f"rm-{r}"
        org = org.add_user(manager, email=f"{manager}@x.example", role="regional_manager")
        org = org.complete_training(manager).add_region(r, manager=manager)
    for g in range(GROUPS):
        region = ("north", "south")[g % 2]
        dist = f"dist-{g}"
        org = org.add_user(dist, email=f"{dist}@x.example", role="distributor", region=region)
        org = org.complete_training(dist)
        for i in range(REPS):
            rep = f"rep-{g}-{i}"
            org = org.add_user(rep, email=f"{rep}@x.example", role="sales", region=region)
            org = org.complete_training(rep).assign_rep(rep, dist)
    field = sorted(u for u, user in org.users.items() if user.role.has_region)
    cases = [bo.Case(f"c-{u}-{n}", u) for u in field for n in range(CASES_EACH)]
    return org, bo.CaseIndex(cases)


@contextmanager
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """Every (asking user, case id) diff_access asks Visibility about, in order."""
    asked: list[tuple[str, str]] = []
    original = bo.Visibility.can_view_case

    def can_view_case(self: bo.Visibility, user_id: str, case: Any) -> bo.Decision:
        asked.append((user_id, case.id))
        return original(self, user_id, case)

    with monkeypatch.context() as patch:
        patch.setattr(bo.Visibility, "can_view_case", can_view_case)
        yield asked


def test_moving_a_rep_asks_its_two_distributors_about_its_cases_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org, index = big_org()
    after = org.unassign_rep("rep-0-3").assign_rep("rep-0-3", "dist-1")
    with counted(monkeypatch) as asked:
        diff = bo.diff_access(org, after, cases=index)
    own = {c.id for c in index.concerning("rep-0-3")}
    assert len(own) == CASES_EACH
    # dist-0 loses and dist-1 gains view and edit of each of the rep's cases
    assert len(diff.lost) == len(diff.gained) == 2 * CASES_EACH
    # asked: only the two distributors, only about the moved rep's cases, before and after
    assert {user for user, _ in asked} == {"dist-0", "dist-1"}
    assert {case for _, case in asked} == own
    assert len(asked) == 2 * 2 * CASES_EACH
    # a diff that asked every user about every case would have asked this many times more
    assert len(org.users) * len(index) > 500 * len(asked)


def test_deactivating_a_rep_asks_only_it_about_its_own_cases(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org, index = big_org()
    with counted(monkeypatch) as asked:
        diff = bo.diff_access(org, org.deactivate("rep-2-0"), cases=index)
    assert {c.user for c in diff.lost} == {"rep-2-0"}
    # The table bars only the asking user's account: its distributor and manager keep seeing
    # its cases, so only the rep is asked, about the cases it could reach.
    assert {user for user, _ in asked} == {"rep-2-0"}
    assert {case for _, case in asked} == {c.id for c in index.concerning("rep-2-0")}


def test_deactivating_a_sharing_distributor_asks_its_reps_about_its_items(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org, index = big_org()
    org = org.set_shared_inventory("dist-1", True)
    items = [bo.InventoryItem(f"i-{n}", "dist-1") for n in range(2)]
    items += [bo.InventoryItem("i-rep", "rep-1-0")]
    diff = bo.diff_access(org, org.deactivate("dist-1"), cases=index, items=items)
    users = {c.user for c in diff.lost if c.permission == "use_item"}
    assert users == set(org.reps_of("dist-1")) | {"dist-1"}


def test_replacing_a_manager_asks_the_two_managers_about_the_region_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org, index = big_org()
    with counted(monkeypatch) as asked:
        diff = bo.diff_access(org, org.set_region_manager("north", "rm-south"), cases=index)
    north = {c.id for u in org.region_members("north") for c in index.concerning(u)}
    assert {c.object for c in diff.lost} == north
    assert {user for user, _ in asked} == {"rm-north", "rm-south"}
    assert {case for _, case in asked} == north


def test_a_change_no_rule_reads_asks_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    org, index = big_org()
    with counted(monkeypatch) as asked:
        assert not bo.diff_access(org, org.update_user("rep-1-1", name="Renamed"), cases=index)
    assert asked == []


def hand_written_neighbours(org: bo.Org, uid: str) -> set[str]:
    """What diff_access used to list by hand: the distributor, the reps, the region's manager."""
    view = org.view
    found = set(view.reps_of.get(uid, ()))
    if uid in view.distributor_of:
        found.add(view.distributor_of[uid])
    user = view.users.get(uid)
    if user is not None and user.region is not None:
        manager = view.regions[user.region].manager
        if manager is not None:
            found.add(manager)
    return found


@given(orgs())
def test_the_neighbours_walked_from_the_table_are_the_hand_written_ones(org: bo.Org) -> None:
    # Whose access a user's removal (every fact about it at once) can change, as the questions
    # walked from the table find them: the user and those the old hand-written list named.
    for uid in org.users:
        removed = unchecked_with_user(org, uid, None)
        asked = set(_questions(_Changed(org, removed)).rows)
        assert asked - {uid} == hand_written_neighbours(org, uid), uid


@contextmanager
def items_read(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every custodian whose items diff_access reads from its ItemIndex, in order."""
    read: list[str] = []
    for name in ("held_by", "ids_held_by", "usable_of"):
        original = getattr(bo.ItemIndex, name)

        def reading(self: bo.ItemIndex, custodian: str, original: Any = original) -> Any:
            read.append(custodian)
            return original(self, custodian)

        monkeypatch.setattr(bo.ItemIndex, name, reading)
    yield read


@pytest.mark.parametrize("as_index", [False, True])
def test_turning_sharing_off_reads_only_the_distributors_items(
    monkeypatch: pytest.MonkeyPatch, as_index: bool
) -> None:
    org, index = big_org()
    org = org.set_shared_inventory("dist-3", True)
    holders = sorted(u for u, user in org.users.items() if user.role.has_region)
    rows = [bo.InventoryItem(f"i-{u}-{n}", u) for u in holders for n in range(3)]
    items = bo.ItemIndex(rows) if as_index else rows
    with counted(monkeypatch) as asked, items_read(monkeypatch) as read:
        diff = bo.diff_access(
            org, org.set_shared_inventory("dist-3", False), cases=index, items=items
        )
    assert {c.user for c in diff.lost} == set(org.reps_of("dist-3"))
    assert {c.object for c in diff.lost} == {f"i-dist-3-{n}" for n in range(3)}
    # only the distributor's items are read (for use and for view), whatever the number of
    # items and custodians; no case is asked about
    assert set(read) == {"dist-3"}
    assert len(read) == 2
    assert len(holders) > 50
    assert asked == []


def test_moving_a_rep_reads_only_the_items_of_its_own_and_its_two_pools(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org, index = big_org()
    org = org.set_shared_inventory("dist-0", True).set_shared_inventory("dist-1", True)
    holders = sorted(u for u, user in org.users.items() if user.role.has_region)
    items = bo.ItemIndex([bo.InventoryItem(f"i-{u}-{n}", u) for u in holders for n in range(2)])
    after = org.unassign_rep("rep-0-3").assign_rep("rep-0-3", "dist-1")
    with items_read(monkeypatch) as read:
        diff = bo.diff_access(org, after, cases=index, items=items)
    monkeypatch.undo()
    assert diff == bo.diff_access(org, after, cases=index, items=list(items))
    # The rep changes pools; dist-0 stops and dist-1 starts seeing the rep's own items.
    pools = {c.object for c in diff.lost | diff.gained if c.user == "rep-0-3"}
    assert pools == {f"i-{d}-{n}" for d in ("dist-0", "dist-1") for n in range(2)}
    assert {(c.user, c.object) for c in diff.lost if c.permission == "view_item"} >= {
        ("dist-0", "i-rep-0-3-0")
    }
    # Each custodian's items read once per permission, only the three the change concerns.
    assert set(read) == {"dist-0", "dist-1", "rep-0-3"}
    assert len(read) == len(set(read)) + 2  # the pools for use and for view, the rep's for view
