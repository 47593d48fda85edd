"""SpiceDB 1.54 (in-process) answers exactly as beacon_org on the same org, cases and items.

Every (user, case, permission) and (user, item, permission) is checked with CheckBulkPermissions;
LookupResources is compared with ``visible_cases``, ``usable_inventory`` and
``visible_inventory``; LookupSubjects with ``case_viewers``; and after streaming
``relationship_changes`` from one org to the next, SpiceDB answers as the second org does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.export import expected_answers, relationship_changes, to_spicedb
from beacon_org.testing import sample_cases, sample_items, sample_org
from beacon_org.testing.strategies import changes
from engines import COMPARED, SpiceDB, org_cases_items

# A user id no org has: every engine must deny it everything, as beacon_org does.
GHOST = "ghost user@nowhere"
# The product's second-release rules in one shape: items on hold in each kind of custody a user
# may otherwise use, and (second org) a sharing distributor deactivated, which closes its pool.
HELD_ITEMS = (
    *sample_items(),
    bo.InventoryItem("held-org", bo.ORG_CUSTODY, on_hold=True),
    bo.InventoryItem("held-a", "dist-a", on_hold=True),
    bo.InventoryItem("held-a1", "rep-a1", on_hold=True),
)

# Each example starts its own SpiceDB (about 60 ms); a few dozen orgs keep CI time modest.
# (fewer under BEACON_HYPOTHESIS_PROFILE=fast).
ENGINE_SETTINGS = settings(
    max_examples=min(25, settings().max_examples),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def spicedb() -> Iterator[SpiceDB]:
    with SpiceDB() as db:
        db.load(to_spicedb(bo.Org()))  # the schema; each example replaces the relationships
        yield db
    print(f"\nSpiceDB decisions compared: {COMPARED.get('spicedb', 0)}")


def assert_same_answers(
    db: SpiceDB, org: bo.Org, case_list: Sequence[Any], item_list: Sequence[Any]
) -> None:
    users = [*sorted(org.users), GHOST]
    expected = expected_answers(org, case_list, item_list, users=users)
    got = db.check(expected)
    wrong = [a for a, allowed in zip(expected, got, strict=True) if a.allowed != allowed]
    assert not wrong, f"SpiceDB disagrees with beacon_org on {len(wrong)}: {wrong[:5]}"

    visibility = bo.Visibility(org)
    custody = bo.Custody(org, item_list)
    for user in users:
        assert db.lookup_resources("case", "view", user) == {
            c.id for c in visibility.visible_cases(user, case_list)
        }, user
        assert db.lookup_resources("item", "use", user) == set(custody.usable_inventory(user)), user
        assert db.lookup_resources("item", "view", user) == set(custody.visible_inventory(user)), (
            user
        )
    for case in case_list:
        assert db.lookup_subjects("case", case.id, "view") == set(visibility.case_viewers(case)), (
            case
        )
    # user#create_case: the representatives each user may enter cases for.
    creates = {
        (a.user, a.resource_id) for a in expected if a.permission == "create_case" and a.allowed
    }
    for user in users:
        assert db.lookup_resources("user", "create_case", user) == {
            rep for actor, rep in creates if actor == user
        }, user


def test_sample_org_answers_match() -> None:
    org, case_list, item_list = sample_org(), sample_cases(), sample_items()
    with SpiceDB() as db:
        db.load(to_spicedb(org, case_list, item_list))
        assert_same_answers(db, org, case_list, item_list)
        assert "c-100" in db.lookup_resources("case", "view", "rm-west")
        # A new manager over region west starts locked; trained, it sees its members' cases.
        locked = org.add_user(
            "rm-new", email="rm.new@acme-ortho.example", role="regional_manager"
        ).set_region_manager("west", "rm-new")
        db.apply(relationship_changes(org, locked, case_list, item_list))
        assert_same_answers(db, locked, case_list, item_list)
        assert db.lookup_resources("case", "view", "rm-new") == set()
        trained = locked.complete_training("rm-new")
        db.apply(relationship_changes(locked, trained, case_list, item_list))
        assert_same_answers(db, trained, case_list, item_list)
        assert "c-100" in db.lookup_resources("case", "view", "rm-new")


def test_a_wrong_create_case_rule_disagrees() -> None:
    # The comparison can fail: forget that no one enters a case for a deactivated user.
    org = sample_org()
    export = to_spicedb(org)
    line = next(x for x in export.schema.splitlines() if "permission create_case =" in x)
    assert line.endswith(" - inactive - holds_no_inventory"), line
    wrong = export.schema.replace(line, line.replace(" - inactive", ""))
    assert wrong != export.schema
    question = expected_answers(org, users=["owner"], representatives=["rep-gone"])
    with SpiceDB() as db:
        db.load(export)
        assert db.check(question) == [False]
        db.load(type(export)(wrong, export.relationships))
        assert db.check(question) == [True]
    assert not bo.Visibility(org).can_create_case("owner", "rep-gone")


def test_items_on_hold_and_a_deactivated_distributors_pool_answer_alike() -> None:
    org, case_list = sample_org(), sample_cases()
    closed = org.deactivate("dist-a")
    with SpiceDB() as db:
        db.load(to_spicedb(org, case_list, HELD_ITEMS))
        assert_same_answers(db, org, case_list, HELD_ITEMS)
        usable = db.lookup_resources("item", "use", "rep-a1")
        assert {"drill-a1", "screw-a-1"} <= usable
        assert not usable & {"held-a", "held-a1"}
        assert "held-org" not in db.lookup_resources("item", "use", "admin-1")
        assert "held-a1" in db.lookup_resources("item", "view", "rep-a1")
        db.apply(relationship_changes(org, closed, case_list, HELD_ITEMS))
        assert_same_answers(db, closed, case_list, HELD_ITEMS)
        assert db.lookup_resources("item", "use", "rep-a1") == {"drill-a1"}
        assert db.lookup_resources("item", "view", "rep-a2") == set()
        # The comparison can fail: without the on_hold relationships SpiceDB would let rep-a1
        # use its held item, which beacon_org refuses.
        db.replace(to_spicedb(org, case_list, HELD_ITEMS))
        db.apply(
            bo.export.RelationshipChanges(
                writes=(),
                deletes=tuple(
                    r for r in to_spicedb(org, items=HELD_ITEMS).relationships if "#on_hold@" in r
                ),
            )
        )
        assert "held-a1" in db.lookup_resources("item", "use", "rep-a1")
        assert not bo.Custody(org, HELD_ITEMS).can_use("rep-a1", "held-a1")


def test_an_unreachable_library_fails_instead_of_skipping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPICEDB_LIBRARY_PATH", "/nonexistent/libspicedb.so")
    with pytest.raises(RuntimeError, match=r"names no libspicedb\.so"):
        SpiceDB()


@ENGINE_SETTINGS
@given(org_cases_items())
def test_random_orgs_answer_alike(
    spicedb: SpiceDB, data: tuple[bo.Org, list[bo.Case], list[bo.InventoryItem]]
) -> None:
    org, case_list, item_list = data
    spicedb.replace(to_spicedb(org, case_list, item_list))
    assert_same_answers(spicedb, org, case_list, item_list)


@ENGINE_SETTINGS
@given(st.data())
def test_relationship_changes_bring_spicedb_to_the_next_org(
    spicedb: SpiceDB, data: st.DataObject
) -> None:
    before, case_list, item_list = data.draw(org_cases_items(), label="before")
    # A run of valid changes (what a service streams), then a different random org altogether.
    after = before
    for _ in range(data.draw(st.integers(1, 5), label="changes")):
        after = data.draw(changes(after), label="change").apply(after)
    other, other_cases, other_items = data.draw(org_cases_items(), label="other")
    spicedb.replace(to_spicedb(before, case_list, item_list))
    spicedb.apply(relationship_changes(before, after, case_list, item_list))
    assert_same_answers(spicedb, after, case_list, item_list)
    spicedb.apply(
        relationship_changes(
            after, other, case_list, item_list, after_cases=other_cases, after_items=other_items
        )
    )
    assert_same_answers(spicedb, other, other_cases, other_items)
