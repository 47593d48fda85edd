"""relationship_changes renders only what a change touches, and answers as the full exports' difference.

The reference below is the computation relationship_changes made before it became incremental:
render both exports whole and compare them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.export import RelationshipChanges, _relations, relationship_changes, to_spicedb
from beacon_org.testing import build_org, sample_cases, sample_items, sample_org
from beacon_org.testing.strategies import cases, changes, items, orgs


def _full_changes(
    before: bo.Org,
    after: bo.Org,
    cases: Iterable[Any] = (),
    items: Iterable[Any] = (),
    *,
    after_cases: Iterable[Any] | None = None,
    after_items: Iterable[Any] | None = None,
) -> RelationshipChanges:
    """Both exports rendered whole and compared (relationship_changes before issue 13)."""
    cases, items = tuple(cases), tuple(items)
    old = set(to_spicedb(before, cases, items).relationships)
    new = set(
        to_spicedb(
            after,
            cases if after_cases is None else after_cases,
            items if after_items is None else after_items,
        ).relationships
    )
    writes = new - old
    rewritten = {r.partition("[")[0] for r in writes}
    deletes = {r for r in old - new if r.partition("[")[0] not in rewritten}
    return RelationshipChanges(writes=tuple(sorted(writes)), deletes=tuple(sorted(deletes)))


@st.composite
def _histories(draw: st.DrawFn) -> list[bo.Org]:
    """An org and the snapshots after each of up to five random changes."""
    org = draw(orgs(min_users=1, max_users=10))
    history = [org]
    for _ in range(draw(st.integers(0, 5))):
        org = draw(changes(org)).apply(org)
        history.append(org)
    return history


@given(_histories(), st.data())
def test_each_change_gives_the_full_exports_difference(
    history: list[bo.Org], data: st.DataObject
) -> None:
    first = history[0]
    some_cases = data.draw(st.lists(cases(first), unique_by=lambda c: c.id, max_size=5))
    some_items = data.draw(st.lists(items(first), unique_by=lambda i: i.id, max_size=5))
    for before, after in itertools.pairwise(history):
        got = relationship_changes(before, after, some_cases, some_items)
        assert got == _full_changes(before, after, some_cases, some_items)
    # Over the whole history at once, too: many changes between the two snapshots.
    assert relationship_changes(history[0], history[-1]) == _full_changes(history[0], history[-1])


@given(_histories(), st.data())
def test_changed_rows_give_the_full_exports_difference(
    history: list[bo.Org], data: st.DataObject
) -> None:
    before, after = history[0], history[-1]
    old_cases = data.draw(st.lists(cases(before), unique_by=lambda c: c.id, max_size=6))
    new_cases = data.draw(st.lists(cases(after), unique_by=lambda c: c.id, max_size=6))
    old_items = data.draw(st.lists(items(before), unique_by=lambda i: i.id, max_size=6))
    new_items = data.draw(st.lists(items(after), unique_by=lambda i: i.id, max_size=6))
    # Keep some rows as they were, so that unchanged, changed, added and removed rows all occur.
    new_cases += [c for c in old_cases[:3] if c.id not in {n.id for n in new_cases}]
    new_items += [i for i in old_items[:3] if i.id not in {n.id for n in new_items}]
    for after_cases, after_items in ((new_cases, None), (None, new_items), (new_cases, new_items)):
        got = relationship_changes(
            before, after, old_cases, old_items, after_cases=after_cases, after_items=after_items
        )
        assert got == _full_changes(
            before, after, old_cases, old_items, after_cases=after_cases, after_items=after_items
        )


@given(orgs(max_users=8), orgs(max_users=8))
def test_unrelated_orgs_give_the_full_exports_difference(before: bo.Org, after: bo.Org) -> None:
    # Snapshots that share nothing: every shard is compared by value.
    assert relationship_changes(before, after) == _full_changes(before, after)


@given(_histories())
def test_changed_ids_are_the_ids_any_query_answers_differently_for(history: list[bo.Org]) -> None:
    before, after = history[0], history[-1]

    def facts(org: bo.Org, oid: str) -> tuple[Any, ...]:
        if oid in org.users:
            return (
                org.user(oid),
                org.distributor_of(oid),
                org.reps_of(oid),
                org.shares_inventory(oid),
                org.managed_regions(oid),
            )
        if oid in org.regions:
            return (org.region(oid), org.region_members(oid))
        return ()

    ids = {*before.users, *before.regions, *after.users, *after.regions}
    expected = {oid for oid in ids if facts(before, oid) != facts(after, oid)}
    assert before.changed_ids(after) == expected
    assert after.changed_ids(before) == expected


def test_caveat_change_is_only_a_write() -> None:
    import datetime

    org = sample_org()
    item = bo.InventoryItem("kit-x", "rep-a1", expires=datetime.date(2027, 1, 1))
    later = bo.InventoryItem("kit-x", "rep-a1", expires=datetime.date(2028, 1, 1))
    got = relationship_changes(org, org, items=[item], after_items=[later])
    assert got.writes == ('item:kit-x#expired@user:*[past_expiry:{"expires":"2028-01-01"}]',)
    assert got.deletes == ()


def test_bad_rows_still_raise_when_new_rows_are_given() -> None:
    org = sample_org()
    with pytest.raises(bo.InvalidValueError):
        relationship_changes(org, org, [object()], after_cases=sample_cases())
    twice = [*sample_items()[:1], *sample_items()[:1]]
    with pytest.raises(bo.DuplicateIdError):
        relationship_changes(org, org, items=sample_items(), after_items=twice)


# --- what one change costs: counted, not timed ----------------------------------------------------


def _large_org(n_groups: int = 100, reps_per_group: int = 19) -> bo.Org:
    """2,000 field users: 100 distributors with 19 reps each, in 10 managed regions."""
    groups = {f"dist-{g}": [f"rep-{g}-{r}" for r in range(reps_per_group)] for g in range(n_groups)}
    regions = {
        f"region-{k}": [
            member for g in range(k, n_groups, 10) for member in (f"dist-{g}", *groups[f"dist-{g}"])
        ]
        for k in range(10)
    }
    return build_org(
        groups=groups,
        shared=[f"dist-{g}" for g in range(0, n_groups, 2)],
        regions=regions,
        managers={f"region-{k}": f"rm-{k}" for k in range(10)},
        users={"owner": "primary_admin"},
    )


@pytest.fixture(scope="module")
def large_org() -> bo.Org:
    return _large_org()


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the users whose relationships are rendered, one entry per rendering."""
    seen: list[str] = []
    real = _relations._user_facts

    def counting(model: Any, view: Any, user: bo.User) -> Iterator[_relations.Fact]:
        seen.append(user.id)
        return real(model, view, user)

    monkeypatch.setattr(_relations, "_user_facts", counting)
    return seen


def test_one_change_renders_only_the_users_it_touches(
    large_org: bo.Org, rendered: list[str]
) -> None:
    assert len(large_org.users) > 2000
    after = large_org.set_shared_inventory("dist-0", False).deactivate("rep-1-3")
    changes = relationship_changes(large_org, after)
    assert changes.deletes == ("user:dist-0#shares_inventory@user:*",)
    assert changes.writes == (
        "user:rep-1-3#deactivated@user:rep-1-3",
        "user:rep-1-3#inactive@user:*",
    )
    # Each touched user on both sides, nobody else.
    assert sorted(rendered) == ["dist-0", "dist-0", "rep-1-3", "rep-1-3"]


def test_moving_a_rep_renders_its_old_and_new_distributor(
    large_org: bo.Org, rendered: list[str]
) -> None:
    after = large_org.unassign_rep("rep-5-0").assign_rep("rep-5-0", "dist-6")
    changes = relationship_changes(large_org, after)
    # No user's own facts changed: only the group's edges that differ are rendered (counted in
    # tests/test_relationship_changes_incremental.py), never the two groups' other reps.
    assert rendered == []
    assert "user:rep-5-0#distributor@user:dist-6" in changes.writes
    assert "user:rep-5-0#distributor@user:dist-5" in changes.deletes
    rendered.clear()
    assert changes == _full_changes(large_org, after)  # the reference renders everyone twice
    assert len(rendered) == 2 * len(large_org.users)


def test_unchanged_rows_are_compared_not_rendered(
    large_org: bo.Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    some_cases = [bo.Case(f"c-{n}", f"rep-{n % 100}-{n % 19}") for n in range(2000)]
    later = [*some_cases[:-1], bo.Case("c-1999", "rep-0-0", status="closed")]
    seen: list[str] = []
    real = _relations._case_facts

    def counting(model: Any, facts: Iterable[Any]) -> Iterator[_relations.Fact]:
        facts = list(facts)
        seen.extend(f.id for f in facts)
        return real(model, facts)

    monkeypatch.setattr(_relations, "_case_facts", counting)
    changes = relationship_changes(large_org, large_org, some_cases, after_cases=later)
    assert seen == ["c-1999", "c-1999"]
    assert changes.deletes == (
        "case:c-1999#open@user:*",
        "case:c-1999#representative@user:rep-99-4",
    )
    assert changes.writes == ("case:c-1999#representative@user:rep-0-0",)


def test_rows_that_are_the_same_object_are_not_read(
    large_org: bo.Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    some_items = [bo.InventoryItem(f"i-{n}", f"rep-{n % 100}-{n % 19}") for n in range(2000)]
    # One row changed, one a new object with the same facts, the rest the very same objects.
    later = [
        *some_items[:-2],
        bo.InventoryItem("i-1998", "rep-98-3"),
        bo.InventoryItem("i-1999", "rep-0-0"),
    ]
    read: list[str] = []
    real = _relations.item_records

    def counting(rows: Iterable[Any]) -> list[_relations.ItemFacts]:
        found = real(rows)
        read.extend(f.id for f in found)
        return found

    monkeypatch.setattr(_relations, "item_records", counting)
    changes = relationship_changes(large_org, large_org, items=some_items, after_items=later)
    assert sorted(read) == ["i-1998", "i-1998", "i-1999", "i-1999"]
    assert changes.deletes == ("item:i-1999#holder@user:rep-99-4",)
    assert changes.writes == ("item:i-1999#holder@user:rep-0-0",)


def test_a_manager_or_member_leaving_and_coming_back_changes_nothing() -> None:
    # The org's look-ups drop an emptied entry, so a round trip gives the same look-ups and
    # changed_ids sees nothing (it used to report the manager and the region).
    org = sample_org()
    rm = org.region("east").manager
    assert rm is not None
    back = org.set_region_manager("east", None).set_region_manager("east", rm)
    assert org.changed_ids(back) == frozenset()
    solo = org.add_region("north")
    moved = solo.set_region("rep-b1", "north").set_region("rep-b1", org.user("rep-b1").region)
    assert solo.changed_ids(moved) == frozenset()
