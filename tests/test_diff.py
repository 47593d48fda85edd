"""diff_access: access gained and lost between two snapshots, checked against every decision."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.rules import PERMISSIONS
from beacon_org.rules._diff import _changed_keys
from beacon_org.rules._diff import _steps as diff_steps
from beacon_org.testing import sample_cases, sample_items, sample_org
from beacon_org.testing.strategies import cases, changes, items, orgs

CASES = sample_cases()
ITEMS = sample_items()


def triples(changes: frozenset[bo.AccessChange]) -> set[tuple[str, str, str]]:
    return {(c.user, c.permission, c.object) for c in changes}


def every_access(
    org: bo.Org, users: set[str], cases: list[bo.Case], items: list[bo.InventoryItem]
) -> set[tuple[str, str, str]]:
    """Ask every question of every user about every object: the slow, obvious answer."""
    vis = bo.Visibility(org)
    custody = bo.Custody(org, items)
    out = set()
    for user in users:
        for case in cases:
            if vis.can_view_case(user, case):
                out.add((user, "view_case", case.id))
            if vis.can_edit_case(user, case):
                out.add((user, "edit_case", case.id))
        visible = custody.visible_inventory(user)
        for item in items:
            if custody.can_use(user, item.id):
                out.add((user, "use_item", item.id))
            if item.id in visible:
                out.add((user, "view_item", item.id))
    return out


def check_against_every_decision(
    before: bo.Org, after: bo.Org, cases: list[bo.Case], items: list[bo.InventoryItem]
) -> bo.AccessDiff:
    diff = bo.diff_access(before, after, cases=cases, items=items)
    users = set(before.users) | set(after.users)
    was = every_access(before, users, cases, items)
    now = every_access(after, users, cases, items)
    assert triples(diff.gained) == now - was
    assert triples(diff.lost) == was - now
    return diff


# --- examples -------------------------------------------------------------------------------------


def test_an_org_with_itself_is_empty() -> None:
    org = sample_org()
    diff = bo.diff_access(org, org, cases=CASES, items=ITEMS)
    assert diff == bo.AccessDiff()
    assert not diff
    assert len(diff) == 0
    assert diff.changes() == []


def test_changes_that_touch_no_rule_field_change_nothing() -> None:
    org = sample_org()
    after = org.update_user("rep-a1", name="Ann A.").assign_directory_records("rep-a1", ["x-ray"])
    assert not bo.diff_access(org, after, cases=CASES, items=ITEMS)


def test_moving_a_rep_between_groups() -> None:
    before = sample_org()
    after = before.unassign_rep("rep-a1").assign_rep("rep-a1", "dist-b")
    diff = check_against_every_decision(before, after, list(CASES), list(ITEMS))
    assert ("dist-b", "view_case", "c-101") in triples(diff.gained)
    assert ("dist-a", "view_case", "c-101") in triples(diff.lost)
    # dist-a keeps c-100: its sub-rep rep-a2 is still in the group
    assert ("dist-a", "view_case", "c-100") not in triples(diff.lost)
    # rep-a1 leaves a sharing group: it loses the distributor's stock
    assert ("rep-a1", "use_item", "screw-a-2") in triples(diff.lost)
    assert ("dist-b", "view_item", "drill-a1") in triples(diff.gained)
    assert {c.cause for c in diff.gained | diff.lost} == {"rep-a1 moved from dist-a to dist-b"}


def test_turning_sharing_off_only_takes_away() -> None:
    before = sample_org()
    after = before.set_shared_inventory("dist-a", False)
    diff = check_against_every_decision(before, after, list(CASES), list(ITEMS))
    assert not diff.gained
    assert triples(diff.lost) >= {
        ("rep-a1", "use_item", "screw-a-1"),
        ("rep-a2", "view_item", "screw-a-2"),
    }
    assert {c.cause for c in diff.lost} == {"dist-a turned shared inventory off"}


def test_training_a_regional_manager_grants_its_regions() -> None:
    # A new manager over region east is locked: completing its training opens the region.
    before = (
        sample_org()
        .add_user("rm-new", email="rm.new@acme-ortho.example", role="regional_manager")
        .set_region_manager("east", "rm-new")
    )
    after = before.complete_training("rm-new")
    diff = check_against_every_decision(before, after, list(CASES), list(ITEMS))
    assert not diff.lost
    assert ("rm-new", "view_case", "c-200") in triples(diff.gained)
    assert ("rm-new", "view_item", "plate-b-1") in triples(diff.gained)
    assert {c.cause for c in diff.gained} == {"rm-new completed training"}


def test_replacing_a_region_manager() -> None:
    before = sample_org()
    after = before.set_region_manager("east", "rm-west")
    diff = check_against_every_decision(before, after, list(CASES), list(ITEMS))
    assert ("rm-west", "view_case", "c-200") in triples(diff.gained)
    assert ("rm-east", "view_case", "c-200") in triples(diff.lost)
    assert {c.cause for c in diff.gained} == {"region east manager rm-east -> rm-west"}


def test_deactivating_back_office_loses_every_case() -> None:
    before = sample_org()
    diff = check_against_every_decision(
        before, before.deactivate("ops-1"), list(CASES), list(ITEMS)
    )
    assert {c.object for c in diff.lost if c.permission == "view_case"} == {c.id for c in CASES}


def test_new_facility_for_a_facility_manager() -> None:
    before = sample_org().complete_training("fm-mercy")
    after = before.update_user("fm-mercy", facilities={"mercy-general", "st-lukes"})
    diff = check_against_every_decision(before, after, list(CASES), list(ITEMS))
    assert ("fm-mercy", "view_case", "c-300") in triples(diff.gained)
    assert next(iter(diff.gained)).cause == "fm-mercy facilities +st-lukes"


def test_cases_and_items_may_be_foreign_rows() -> None:
    row = SimpleNamespace(
        id="c9", representative="rep-b2", sub_rep=None, facility=None, status="open"
    )
    kit = SimpleNamespace(id="k9", custodian="rep-b2", active=True, expires=None)
    before = sample_org()
    diff = bo.diff_access(before, before.deactivate("rep-b2"), cases=[row], items=[kit])
    assert triples(diff.lost) == {
        ("rep-b2", "view_case", "c9"),
        ("rep-b2", "edit_case", "c9"),
        ("rep-b2", "use_item", "k9"),
        ("rep-b2", "view_item", "k9"),
    }


def test_access_change_is_the_triple_whatever_its_cause() -> None:
    a = bo.AccessChange("u", "view_case", "c1", cause="x")
    assert a == bo.AccessChange("u", "view_case", "c1", cause="y")
    assert hash(a) == hash(bo.AccessChange("u", "view_case", "c1"))
    with pytest.raises(bo.InvalidValueError, match="'permission' must be one of"):
        bo.AccessChange("u", "delete_case", "c1")


def test_lines_print_gained_and_lost_in_order() -> None:
    before = sample_org()
    after = before.unassign_rep("rep-b2").assign_rep("rep-b2", "dist-a")
    lines = [str(line) for line in bo.diff_access(before, after, cases=CASES).changes()]
    # c-200 stays with dist-b through its representative rep-b1; closed c-201 is view-only
    assert lines == [
        "+ dist-a view_case c-200 (rep-b2 moved from dist-b to dist-a)",
        "+ dist-a edit_case c-200 (rep-b2 moved from dist-b to dist-a)",
        "+ dist-a view_case c-201 (rep-b2 moved from dist-b to dist-a)",
        "- dist-b view_case c-201 (rep-b2 moved from dist-b to dist-a)",
    ]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"before": "org"}, "needs an Org as 'before'"),
        ({"cases": 5}, "'cases' must be an iterable"),
        ({"items": "kit"}, "'items' must be an iterable"),
        ({"cases": [object()]}, "case #0 has no 'id' attribute"),
        ({"items": [object()]}, "has no 'id'"),
        ({"cases": [CASES[0], CASES[0]]}, "appears twice"),
    ],
)
def test_bad_input_raises_an_org_error(kwargs: dict[str, object], needle: str) -> None:
    args: dict[str, object] = {"before": sample_org(), "after": sample_org()}
    args.update(kwargs)
    with pytest.raises(bo.OrgError) as info:
        bo.diff_access(args.pop("before"), args.pop("after"), **args)  # type: ignore[arg-type]
    assert needle in str(info.value)


def test_only_unshared_shards_are_compared() -> None:
    org = sample_org()
    after = org.deactivate("rep-a1")
    assert list(_changed_keys(org._users, after._users)) == ["rep-a1"]
    assert list(_changed_keys(org._users, org._users)) == []
    assert list(_changed_keys({"a": 1, "b": 2}, {"a": 1, "c": 3})) in (["b", "c"], ["c", "b"])


# --- properties -----------------------------------------------------------------------------------


@st.composite
def org_and_objects(draw: st.DrawFn) -> tuple[bo.Org, list[bo.Case], list[bo.InventoryItem]]:
    org = draw(orgs(max_users=10))
    cs = draw(st.lists(cases(org), max_size=8, unique_by=lambda c: c.id)) if org.users else []
    its = draw(st.lists(items(org), max_size=8, unique_by=lambda i: i.id))
    return org, cs, its


@given(org_and_objects())
def test_an_org_with_itself_is_always_empty(
    data: tuple[bo.Org, list[bo.Case], list[bo.InventoryItem]],
) -> None:
    org, cs, its = data
    assert not bo.diff_access(org, org, cases=cs, items=its)
    # an equal org built separately (no shared shards) is empty too
    assert not bo.diff_access(org, bo.from_dict(bo.to_dict(org)), cases=cs, items=its)


@given(org_and_objects(), st.data())
def test_agrees_with_every_decision_after_a_few_changes(
    data: tuple[bo.Org, list[bo.Case], list[bo.InventoryItem]], draw: st.DataObject
) -> None:
    before, cs, its = data
    after = before
    for _ in range(draw.draw(st.integers(1, 3))):
        after = draw.draw(changes(after)).apply(after)
    diff = check_against_every_decision(before, after, cs, its)
    assert all(c.permission in PERMISSIONS for c in diff.gained | diff.lost)
    # a single change (one step) is the cause of everything it changes
    if len(diff_steps(before, after)) == 1:
        assert all(c.cause for c in diff.gained | diff.lost)
    # the reverse diff swaps gained and lost
    back = bo.diff_access(after, before, cases=cs, items=its)
    assert back.gained == diff.lost
    assert back.lost == diff.gained


@given(orgs(max_users=8), orgs(max_users=8))
def test_agrees_with_every_decision_between_unrelated_orgs(before: bo.Org, after: bo.Org) -> None:
    shared = sorted(set(before.users) & set(after.users))
    cs = [bo.Case(f"c-{i}", u) for i, u in enumerate(shared)]
    its = [bo.InventoryItem(f"i-{i}", u) for i, u in enumerate(shared)]
    check_against_every_decision(before, after, cs, its)


# --- causes: a change is named only if it alone would cause the access change ---------------------


def test_two_changes_at_once_blame_only_the_one_that_alone_causes_a_loss() -> None:
    # dist-a stops sharing and rep-a1 moves to dist-b at once: rep-a2 loses dist-a's stock
    # because of the sharing switch alone; moving rep-a1 alone changes nothing for rep-a2.
    before = sample_org()
    after = before.set_shared_inventory("dist-a", False).unassign_rep("rep-a1")
    after = after.assign_rep("rep-a1", "dist-b")
    diff = check_against_every_decision(before, after, list(CASES), list(ITEMS))
    causes = {(c.user, c.permission, c.object): c.cause for c in diff.lost}
    assert causes[("rep-a2", "use_item", "screw-a-1")] == "dist-a turned shared inventory off"
    assert causes[("dist-a", "view_case", "c-101")] == "rep-a1 moved from dist-a to dist-b"
    # rep-a1 loses dist-a's stock either way: each change alone would do it, so both are named
    assert causes[("rep-a1", "use_item", "screw-a-1")] == (
        "rep-a1 moved from dist-a to dist-b; dist-a turned shared inventory off"
    )


def test_an_access_change_only_both_changes_together_cause_names_no_cause() -> None:
    # fm-mercy gains edit on a case only when the case's rep is in its facility's... simpler:
    # rep-b2 gains use of dist-a's stock only if it both joins dist-a and dist-a shares; dist-a
    # already shares, so turn it off first and build the pair from there.
    start = sample_org().set_shared_inventory("dist-a", False)
    after = start.set_shared_inventory("dist-a", True).unassign_rep("rep-b2")
    after = after.assign_rep("rep-b2", "dist-a")
    diff = check_against_every_decision(start, after, list(CASES), list(ITEMS))
    gained = {(c.user, c.permission, c.object): c.cause for c in diff.gained}
    assert gained[("rep-b2", "use_item", "screw-a-1")] is None
    assert gained[("rep-a1", "use_item", "screw-a-1")] == "dist-a turned shared inventory on"


def _causes(diff: bo.AccessDiff) -> dict[tuple[bool, bo.AccessChange], set[str]]:
    out = {}
    for gained, group in ((True, diff.gained), (False, diff.lost)):
        for c in group:
            out[(gained, c)] = set(c.cause.split("; ")) if c.cause else set()
    return out


@given(org_and_objects(), st.data())
def test_on_random_pairs_a_cause_is_named_only_if_it_alone_would_cause_it(
    data: tuple[bo.Org, list[bo.Case], list[bo.InventoryItem]], draw: st.DataObject
) -> None:
    before, cs, its = data
    first, second = draw.draw(changes(before)), draw.draw(changes(before))
    try:
        after = second.apply(first.apply(before))
        assume(after == first.apply(second.apply(before)))  # two independent changes
    except bo.OrgError:
        assume(False)
    combined = _causes(check_against_every_decision(before, after, cs, its))
    event(f"{len(diff_steps(before, after))} step(s), {'some' if combined else 'no'} access change")
    alone = [
        _causes(bo.diff_access(before, change.apply(before), cases=cs, items=its))
        for change in (first, second)
    ]
    for key, named in combined.items():
        # exactly the causes each change, diffed alone, gives for the same access change
        expected = set().union(*(causes.get(key, set()) for causes in alone))
        assert named == expected, key
