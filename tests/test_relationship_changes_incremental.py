"""relationship_changes renders only the relationships a change makes or removes (and the own
facts of a user whose record changed), whatever the size of the groups and regions it touches.
Relationships rendered are counted; nothing is timed. That the answer is the full exports'
difference is tests/test_export_changes.py's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given

import beacon_org as bo
from beacon_org.export import _relations, relationship_changes
from beacon_org.export._relations import changed_org_triples
from beacon_org.testing import build_org
from beacon_org.testing.strategies import changes, orgs


def group_org(reps: int) -> bo.Org:
    """Two sharing groups of ``reps`` reps each, in one managed region, and a second region."""
    groups = {g: [f"{g}-rep-{r}" for r in range(reps)] for g in ("dist-a", "dist-b")}
    members = [m for g, rs in groups.items() for m in (g, *rs)]
    return build_org(
        groups=groups,
        shared=["dist-a", "dist-b"],
        regions={"west": members, "east": []},
        managers={"west": "rm-west", "east": "rm-east"},
        users={"owner": "primary_admin"},
    )


@contextmanager
def rendered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[_relations.Fact]]:
    """Every relationship relationship_changes renders (encodes), in order."""
    seen: list[_relations.Fact] = []
    real = _relations._Encoders.__call__

    def encode(self: Any, fact: _relations.Fact) -> _relations.Triple:
        seen.append(fact)
        return real(self, fact)

    with monkeypatch.context() as patch:
        patch.setattr(_relations._Encoders, "__call__", encode)
        yield seen


def count_for(monkeypatch: pytest.MonkeyPatch, before: bo.Org, after: bo.Org) -> tuple[int, int]:
    """(relationships rendered, relationships written or deleted) for ``before`` -> ``after``."""
    with rendered(monkeypatch) as seen:
        got = relationship_changes(before, after)
    return len(seen), len(got.writes) + len(got.deletes)


@pytest.mark.parametrize("reps", [5, 200])
def test_moving_a_rep_renders_the_two_group_edges_only(
    monkeypatch: pytest.MonkeyPatch, reps: int
) -> None:
    org = group_org(reps)
    after = org.unassign_rep("dist-a-rep-0").assign_rep("dist-a-rep-0", "dist-b")
    with rendered(monkeypatch) as seen:
        got = relationship_changes(org, after)
    assert got.deletes == (
        "user:dist-a#rep@user:dist-a-rep-0",
        "user:dist-a-rep-0#distributor@user:dist-a",
    )
    assert got.writes == (
        "user:dist-a-rep-0#distributor@user:dist-b",
        "user:dist-b#rep@user:dist-a-rep-0",
    )
    # Each edge is met from both of its ends, and nothing else is rendered: not the groups'
    # other reps, not the rep's own facts (its record did not change).
    assert sorted(set(seen)) == sorted(
        [
            ("user", "dist-a", "rep", "user", "dist-a-rep-0", None),
            ("user", "dist-a-rep-0", "distributor", "user", "dist-a", None),
            ("user", "dist-b", "rep", "user", "dist-a-rep-0", None),
            ("user", "dist-a-rep-0", "distributor", "user", "dist-b", None),
        ]
    )
    assert len(seen) == 8


def test_what_is_rendered_does_not_grow_with_the_groups_or_the_region(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small, large = group_org(3), group_org(300)
    for make in (
        lambda o: o.unassign_rep("dist-a-rep-1").assign_rep("dist-a-rep-1", "dist-b"),
        lambda o: o.set_region_manager("west", "rm-east"),
        lambda o: o.set_region("dist-a-rep-2", "east"),
        lambda o: o.deactivate("dist-a"),
        lambda o: o.set_shared_inventory("dist-b", False),
    ):
        counted_small = count_for(monkeypatch, small, make(small))
        counted_large = count_for(monkeypatch, large, make(large))
        assert counted_small == counted_large
        rendered_count, changed = counted_large
        assert 0 < changed <= rendered_count <= 2 * changed + 12  # + a user's own facts twice


def test_deactivating_a_rep_renders_its_own_facts_only(monkeypatch: pytest.MonkeyPatch) -> None:
    org = group_org(50)
    with rendered(monkeypatch) as seen:
        got = relationship_changes(org, org.deactivate("dist-b-rep-7"))
    assert got.writes == (
        "user:dist-b-rep-7#deactivated@user:dist-b-rep-7",
        "user:dist-b-rep-7#inactive@user:*",
    )
    assert got.deletes == ()
    # its role, its organisation and its new bars, on the side that has them: no edge
    assert {fact[1] for fact in seen} == {"dist-b-rep-7"}
    assert {fact[2] for fact in seen} == {"role_sales", "org", "deactivated", "inactive"}


def test_the_rule_tables_plan_is_read_once_not_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    real = _relations._Plan.__init__

    def counting(self: Any, model: Any) -> None:
        built.append(model)
        real(self, model)

    monkeypatch.setattr(_relations._Plan, "__init__", counting)
    org = group_org(3)
    relationship_changes(org, org.deactivate("dist-a"))
    assert built == []


@given(orgs(max_users=10), orgs(max_users=10))
def test_what_is_rendered_besides_changed_users_own_facts_is_in_the_difference(
    before: bo.Org, after: bo.Org
) -> None:
    check_rendered_is_the_difference(before, after)


@given(orgs(min_users=1, max_users=10).flatmap(lambda o: changes(o).map(lambda c: (o, c))))
def test_after_one_change_what_is_rendered_is_the_difference(pair: tuple[bo.Org, Any]) -> None:
    before, change = pair
    check_rendered_is_the_difference(before, change.apply(before))


def check_rendered_is_the_difference(before: bo.Org, after: bo.Org) -> None:
    old, new = changed_org_triples(before, after)
    changed_users = {
        uid
        for uid in before.changed_ids(after)
        if before.users.get(uid) != after.users.get(uid)
        or (uid in before.view.sharing) != (uid in after.view.sharing)
    }
    own = {f"user:{bo.export.spicedb_id(uid)}" for uid in changed_users}
    # Every relationship rendered on one side and not the other is a change; the ones rendered
    # on both sides are only the own facts of users whose record (or sharing) changed.
    for triple in old & new:
        resource, _relation, subject = triple
        assert resource in own, triple
        assert subject.split("[")[0] in own | {"user:*", "organization:=40org"}, triple
