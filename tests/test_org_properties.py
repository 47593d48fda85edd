"""Properties of the Org over random valid orgs and random sequences of valid changes."""

import json

from hypothesis import given
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.testing.strategies import changes, orgs


def assert_invariants(org: bo.Org) -> None:
    """Every rule of the model holds, and every derived look-up agrees with the records."""
    users, regions = org.users, org.regions
    assert not set(users) & set(regions)
    assert bo.ORG_CUSTODY not in users
    assert bo.ORG_CUSTODY not in regions
    emails = [u.email for u in users.values()]
    assert len(emails) == len(set(emails))
    for uid, user in users.items():
        assert user.id == uid
        assert user.email == user.email.lower()
        if user.region is not None:
            assert user.role.has_region
            assert user.region in regions
        if user.custodian_only:
            assert user.role.can_hold_inventory
        distributor = org.distributor_of(uid)
        if distributor is not None:
            assert user.role is bo.Role.SALES
            assert users[distributor].role is bo.Role.DISTRIBUTOR
            assert uid in org.reps_of(distributor)
    for uid, user in users.items():
        for rep in org.reps_of(uid):
            assert org.distributor_of(rep) == uid
        managed = {rid for rid, r in regions.items() if r.manager == uid}
        assert org.managed_regions(uid) == managed
        if org.shares_inventory(uid):
            assert user.role is bo.Role.DISTRIBUTOR
    for rid, region in regions.items():
        assert region.id == rid
        members = {uid for uid, u in users.items() if u.region == rid}
        assert org.region_members(rid) == members
        if region.manager is not None:
            assert users[region.manager].role is bo.Role.REGIONAL_MANAGER
    graph = org.graph
    assert set(graph.nodes) == set(users) | set(regions)
    for a, b, relation in graph.edges(data="relation"):
        if relation == "rep":
            assert org.distributor_of(b) == a
        elif relation == "member":
            assert users[b].region == a
        else:
            assert relation == "manages"
            assert regions[b].manager == a


@given(orgs(max_users=25))
def test_round_trip_through_json(org: bo.Org) -> None:
    data = json.loads(json.dumps(bo.to_dict(org)))
    back = bo.from_dict(data)
    assert back == org
    assert hash(back) == hash(org)
    assert bo.to_dict(back) == data


@given(st.data())
def test_a_change_never_alters_its_receiver(data: st.DataObject) -> None:
    org = data.draw(orgs(max_users=15))
    before = bo.to_dict(org)
    change = data.draw(changes(org))
    after = change.apply(org)
    assert bo.to_dict(org) == before
    assert_invariants(after)


@given(st.data())
def test_invariants_hold_after_any_sequence_of_valid_changes(data: st.DataObject) -> None:
    org = data.draw(orgs(max_users=10))
    assert_invariants(org)
    for _ in range(data.draw(st.integers(1, 12), label="steps")):
        org = data.draw(changes(org)).apply(org)
    assert_invariants(org)
    assert bo.from_dict(bo.to_dict(org)) == org
