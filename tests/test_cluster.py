"""SpiceDB as it is deployed: two ``spicedb serve`` nodes over gRPC on one PostgreSQL database.

Every write goes through node A with ``SpiceDBSync`` on an ``authzed.api.v1.SyncClient``; every
check is asked on node B at the ZedToken the write returned (``at_least_as_fresh``), and must
answer as beacon_org does: CheckBulkPermissions for every (user, case or item, permission),
single CheckPermission calls, and LookupResources against ``visible_cases``, ``usable_inventory``
and ``visible_inventory``. ``tests/cluster.py`` starts and stops the servers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.export import SpiceDBSync, expected_answers
from beacon_org.testing import sample_cases, sample_items, sample_org
from beacon_org.testing.strategies import changes
from cluster import Cluster, Reader, at_least_as_fresh
from engines import org_cases_items

# A user id no org has: SpiceDB must deny it everything, as beacon_org does.
GHOST = "ghost user@nowhere"
# item#use judges expiry from the date given with each check (caveat context {"on": ...}).
ON = dt.date(2026, 6, 1)
# Each example writes to PostgreSQL through one node and reads through the other (~0.3 s):
# a handful of random orgs keeps the CI time of this module modest.
CLUSTER_SETTINGS = settings(
    max_examples=min(8, settings().max_examples),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def assert_alike(
    reader: Reader,
    token: str,
    org: bo.Org,
    case_list: Sequence[Any],
    item_list: Sequence[Any],
) -> None:
    """Node ``reader`` at least as fresh as ``token`` answers every question as beacon_org."""
    fresh = at_least_as_fresh(token)
    users = [*sorted(org.users), GHOST]
    answers = expected_answers(org, case_list, item_list, users=users, on=ON)
    on = ON.isoformat()
    got = reader.check(answers, fresh, on=on)
    wrong = [a for a, allowed in zip(answers, got, strict=True) if a.allowed != allowed]
    assert not wrong, f"node disagrees with beacon_org on {len(wrong)}: {wrong[:5]}"

    visibility = bo.Visibility(org)
    custody = bo.Custody(org, item_list)
    for user in users:
        assert reader.lookup_resources("case", "view", user, fresh) == {
            c.id for c in visibility.visible_cases(user, case_list)
        }, user
        assert reader.lookup_resources("item", "use", user, fresh, on=on) == set(
            custody.usable_inventory(user, on=ON)
        ), user
        assert reader.lookup_resources("item", "view", user, fresh) == set(
            custody.visible_inventory(user)
        ), user


def test_sample_org_loaded_on_a_answers_alike_on_b(cluster: Cluster) -> None:
    org, case_list, item_list = sample_org(), list(sample_cases()), list(sample_items())
    # Small batches: the load and the bigger changes take several writes each.
    sync = SpiceDBSync(cluster.nodes["a"].client(), batch_size=25)
    b = Reader(cluster.nodes["b"].client())

    token = sync.load(org, case_list, item_list)
    assert_alike(b, token, org, case_list, item_list)
    fresh = at_least_as_fresh(token)
    assert b.check_one("case", "c-100", "view", "rep-a2", fresh)
    assert not b.check_one("case", "c-100", "edit", "rep-a2", fresh)

    # An org change: the distributor leaves, its reps lose its pool and its cases.
    after = org.deactivate("dist-a")
    token = sync.apply(org, after, cases=case_list, items=item_list)
    assert token is not None
    assert_alike(b, token, after, case_list, item_list)
    assert not b.check_one("case", "c-100", "view", "dist-a", at_least_as_fresh(token))
    org = after

    # Nothing changed: no write, no token.
    assert sync.apply(org, org, cases=case_list, items=item_list) is None

    # Case writes: one closes, one moves to another representative, one is new, one goes.
    first, second, *rest = case_list
    changed_cases = [
        attrs.evolve(first, status=bo.CaseStatus.CLOSED),
        attrs.evolve(second, representative="rep-a1", sub_rep=None),
        bo.Case("c-new", "rep-a2", facility="mercy-general"),
    ]
    token = sync.put_cases(changed_cases)
    case_list = [*changed_cases, *rest]
    assert_alike(b, token, org, case_list, item_list)
    gone = case_list.pop()
    token = sync.delete_cases([gone.id])
    assert_alike(b, token, org, case_list, item_list)
    assert not b.lookup_resources("case", "view", "admin-1", at_least_as_fresh(token)) & {gone.id}

    # Item writes: one moves to org custody, one turns inactive, one is new, one goes.
    first_item, second_item, *rest_items = item_list
    changed_items = [
        attrs.evolve(first_item, custodian=bo.ORG_CUSTODY),
        attrs.evolve(second_item, active=False),
        bo.InventoryItem("i-new", "rep-a1"),
    ]
    token = sync.put_items(changed_items)
    item_list = [*changed_items, *rest_items]
    assert_alike(b, token, org, case_list, item_list)
    token = sync.delete_items([item_list.pop().id])
    assert_alike(b, token, org, case_list, item_list)


@CLUSTER_SETTINGS
@given(st.data())
def test_random_orgs_and_changes_written_on_a_answer_alike_on_b(
    cluster: Cluster, data: st.DataObject
) -> None:
    cluster.reset()
    before, case_list, item_list = data.draw(org_cases_items(), label="before")
    after = before
    for _ in range(data.draw(st.integers(1, 4), label="changes")):
        after = data.draw(changes(after), label="change").apply(after)
    other, other_cases, other_items = data.draw(org_cases_items(), label="other")
    sync = SpiceDBSync(cluster.nodes["a"].client(), batch_size=20)
    b = Reader(cluster.nodes["b"].client())

    token = sync.load(before, case_list, item_list)
    assert_alike(b, token, before, case_list, item_list)
    token = sync.apply(before, after, cases=case_list, items=item_list) or token
    assert_alike(b, token, after, case_list, item_list)
    # Then a different org altogether, with its own cases and items.
    token = (
        sync.apply(
            after,
            other,
            cases=case_list,
            items=item_list,
            after_cases=other_cases,
            after_items=other_items,
        )
        or token
    )
    assert_alike(b, token, other, other_cases, other_items)
