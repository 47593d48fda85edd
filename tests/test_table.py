"""The rule table is consistent with itself and with how its relations are read from an org."""

from __future__ import annotations

import pytest
from hypothesis import given

from beacon_org.rules._table import RULES
from beacon_org.rules._walk import FIELD_RELATIONS, ORG_RELATIONS, forward, reverse
from beacon_org.testing import sample_org
from beacon_org.testing.strategies import orgs


def test_every_chain_names_relations_of_the_table() -> None:
    names = {r.name for r in RULES.relations}
    assert names == ORG_RELATIONS | FIELD_RELATIONS
    conditions = {c.name for c in RULES.conditions}
    for permission in RULES.permissions:
        assert set(permission.unless) <= conditions, permission.name
        for grant in permission.grants:
            assert grant.roles, (permission.name, grant.reason)
            assert set(grant.chain) <= names, (permission.name, grant.reason)
            assert set(grant.requires) <= conditions, (permission.name, grant.reason)
            assert {c for _, c in grant.via} <= conditions, (permission.name, grant.reason)
            # A chain starts on the object's own fields and then follows the org.
            assert grant.chain[0] in FIELD_RELATIONS or permission.on == "user"
            assert set(grant.chain[1:]) <= ORG_RELATIONS
            # A user whom no grant reaches is told the nearest chain's reason.
            assert grant.denial is not None or grant.chain[0] == "org", grant


def _pairs(org, relation):  # type: ignore[no-untyped-def]
    view = org.view
    sources = list(view.users) + list(view.regions) + ["@org"]
    sources += sorted({f for u in view.users.values() for f in u.facilities})
    return {(s, t) for s in sources for t in forward(view, relation, s)}, sources


@pytest.mark.parametrize("relation", sorted(ORG_RELATIONS))
def test_reverse_undoes_forward_on_the_sample_org(relation: str) -> None:
    org = sample_org()
    pairs, nodes = _pairs(org, relation)
    assert pairs or relation == "facility_manager"  # the sample has every other relation
    back = {(s, t) for t in nodes for s in reverse(org.view, relation, t)}
    assert back == pairs


@given(orgs())
def test_reverse_undoes_forward_on_random_orgs(org) -> None:  # type: ignore[no-untyped-def]
    for relation in ORG_RELATIONS:
        pairs, nodes = _pairs(org, relation)
        assert {(s, t) for t in nodes for s in reverse(org.view, relation, t)} == pairs


def test_graph_edges_are_the_tables_relations() -> None:
    drawn = {r.graph for r in RULES.relations if r.graph is not None}
    graph = sample_org().graph
    assert {d["relation"] for _, _, d in graph.edges(data=True)} == drawn
