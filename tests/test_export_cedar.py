"""Cedar (cedarpy 4.12) answers exactly as beacon_org on the same org, cases and items."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from typing import Any

import cedarpy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.export import CedarExport, expected_answers, to_cedar
from beacon_org.testing import sample_cases, sample_items, sample_org
from beacon_org.testing.strategies import cases, items, orgs
from engines import COMPARED, count

GHOST = "ghost user@nowhere"

# The product's second-release rules in one shape: items on hold in each kind of custody a user
# may otherwise use, and (second org) a sharing distributor deactivated, which closes its pool.
HELD_ITEMS = (
    *sample_items(),
    bo.InventoryItem("held-org", bo.ORG_CUSTODY, on_hold=True),
    bo.InventoryItem("held-a", "dist-a", on_hold=True),
    bo.InventoryItem("held-a1", "rep-a1", on_hold=True),
)


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print(f"\nCedar decisions compared: {COMPARED.get('cedar', 0)}")


_ACTION = {("case", "view"): "view_case", ("case", "edit"): "edit_case"}
_ACTION |= {("item", "use"): "use_item", ("item", "view"): "view_item"}
_ACTION |= {("user", "create_case"): "create_case"}


def cedar_disagreements(
    org: bo.Org,
    case_list: Sequence[Any],
    item_list: Sequence[Any],
    on: datetime.date | None = None,
    export: CedarExport | None = None,
) -> list[tuple[bo.export.Answer, bool]]:
    """Cedar's disagreements with the library, ``use_item`` asked on the date ``on`` if given."""
    export = export or to_cedar(org, case_list, item_list)
    users = [*sorted(org.users), GHOST]
    expected = expected_answers(org, case_list, item_list, users=users, on=on)
    if not expected:
        return []
    policies = cedarpy.PolicySet.from_str(export.policies)
    entities = cedarpy.Entities.from_json_str(export.entities)
    requests = [
        export.request(a.user, _ACTION[a.resource_type, a.permission], a.resource_id, on=on)
        for a in expected
    ]
    results = cedarpy.is_authorized_batch(requests, policies, entities, schema=export.schema)
    for answer, result in zip(expected, results, strict=True):
        # A missing entity or a bad attribute is a silent Deny in Cedar: refuse to count it,
        # except for the ghost, which no export names (its denial is still compared).
        errors = list(result.diagnostics.errors)
        if answer.user == GHOST:
            assert all("does not exist" in e for e in errors), errors
        else:
            assert not errors, errors
    count("cedar", len(results))
    return [
        (a, r.allowed) for a, r in zip(expected, results, strict=True) if r.allowed != a.allowed
    ]


def test_policies_validate_against_the_schema() -> None:
    export = to_cedar(sample_org(), sample_cases(), sample_items())
    result = cedarpy.validate_policies(export.policies, export.schema)
    assert result.validation_passed, result.errors


def test_a_policy_that_breaks_the_schema_is_caught() -> None:
    export = to_cedar(sample_org())
    broken = export.policies.replace("resource.open", "resource.is_open", 1)
    assert broken != export.policies
    assert not cedarpy.validate_policies(broken, export.schema).validation_passed


@pytest.mark.parametrize(
    "on",
    # no date; screw-a-1's expiry date itself; the day after it
    [None, datetime.date(2027, 3, 31), datetime.date(2027, 4, 1)],
)
def test_sample_org_decisions_agree(on: datetime.date | None) -> None:
    assert cedar_disagreements(sample_org(), sample_cases(), sample_items(), on) == []


def test_an_expiry_off_by_one_day_disagrees() -> None:
    org, item_list = sample_org(), sample_items()
    export = to_cedar(org, items=item_list)
    wrong = CedarExport(
        export.schema,
        export.policies.replace("context.on <= resource.expires", "context.on < resource.expires"),
        export.entities,
    )
    assert wrong.policies != export.policies
    found = cedar_disagreements(org, [], item_list, datetime.date(2027, 3, 31), wrong)
    assert {(a.user, a.resource_id) for a, _ in found} >= {("dist-a", "screw-a-1")}


def test_items_on_hold_and_a_deactivated_distributors_pool_agree() -> None:
    org, case_list = sample_org(), sample_cases()
    assert cedar_disagreements(org, case_list, HELD_ITEMS) == []
    assert cedar_disagreements(org.deactivate("dist-a"), case_list, HELD_ITEMS) == []
    # The comparison can fail: with the pool's "active" test taken out of the policies, the reps
    # of a deactivated distributor would use its items again.
    export = to_cedar(org.deactivate("dist-a"), items=HELD_ITEMS)
    crippled = export.policies.replace("!resource.holder.inactive &&", "")
    assert crippled != export.policies
    answer = cedarpy.is_authorized(
        export.request("rep-a1", "use_item", "screw-a-1"),
        cedarpy.PolicySet.from_str(crippled),
        cedarpy.Entities.from_json_str(export.entities),
    )
    assert answer.allowed
    assert not bo.Custody(org.deactivate("dist-a"), HELD_ITEMS).can_use("rep-a1", "screw-a-1")


def test_a_wrong_policy_disagrees() -> None:
    # The comparison can fail: drop the sub-rep policy and sub-reps lose their view.
    org, case_list = sample_org(), sample_cases()
    export = to_cedar(org, case_list)
    blocks = export.policies.split("\n\n")
    kept = [b for b in blocks if '@id("view_case.sub-rep")' not in b]
    assert len(kept) == len(blocks) - 1
    crippled = CedarExport(export.schema, "\n\n".join(kept), export.entities)
    request = crippled.request("rep-a2", "view_case", "c-100")
    answer = cedarpy.is_authorized(
        request,
        cedarpy.PolicySet.from_str(crippled.policies),
        cedarpy.Entities.from_json_str(crippled.entities),
    )
    assert bo.Visibility(org).can_view_case("rep-a2", case_list[0]).allowed
    assert not answer.allowed


@settings(
    max_examples=min(60, settings().max_examples),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.data())
def test_random_orgs_decisions_agree(data: st.DataObject) -> None:
    org = data.draw(orgs(max_users=12, max_regions=3))
    case_list: list[bo.Case] = []
    if org.users:
        case_list = data.draw(st.lists(cases(org), max_size=10, unique_by=lambda c: c.id))
    item_list = data.draw(st.lists(items(org), max_size=10, unique_by=lambda i: i.id))
    on = data.draw(st.none() | st.dates(datetime.date(2024, 6, 1), datetime.date(2029, 6, 30)))
    assert cedar_disagreements(org, case_list, item_list, on) == []
