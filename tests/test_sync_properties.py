"""On random orgs, SpiceDBSync keeps SpiceDB 1.54 (in-process) answering exactly as beacon_org.

Each example loads an org of 11 to 16 users with its cases and items into a new SpiceDB, then
applies a random run of org changes and case and item puts and deletes. After each write, at
least as fresh as the ZedToken it returned: SpiceDB holds exactly the export of the new snapshot;
every (user, case or item, permission) is asked with CheckBulkPermissions, and one in four of
them again as a single CheckPermission; LookupResources for every user and LookupSubjects for
every case and item answer as the library. ``item#use`` is asked with a drawn date (caveat
context) against ``can_use(..., on=date)`` and without one, where an item that expires must be a
conditional yes exactly where ``can_use(..., on=None)`` says yes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.export import SpiceDBSync, expected_answers, to_spicedb
from beacon_org.testing.strategies import cases, changes, items, orgs
from engines import COMPARED, CONDITIONAL, NO, YES, SpiceDB, count, exported

SYNC_SETTINGS = settings(
    max_examples=min(5, settings().max_examples),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# The dates asked with: around the expiry dates the item strategy draws (2025 to 2028).
DATES = st.dates(datetime.date(2024, 6, 1), datetime.date(2029, 6, 30))


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print(f"\nSpiceDB decisions compared after syncs: {COMPARED.get('spicedb-sync', 0)}")


def expect_without_date(allowed: bool, item: Any) -> int:
    # Usable but for expiry: a conditional yes when the item has a date it may be past.
    if not allowed:
        return NO
    return YES if item.expires is None else CONDITIONAL


def assert_answers_as_library(
    db: SpiceDB,
    token: str,
    org: bo.Org,
    case_list: Sequence[bo.Case],
    item_list: Sequence[bo.InventoryItem],
    on: datetime.date,
) -> None:
    assert db.relationships(token) == exported(org, case_list, item_list)
    users = sorted(org.users)
    by_id = {item.id: item for item in item_list}
    compared = 0
    for date in (None, on):
        answers = expected_answers(org, case_list, item_list, on=date)
        got = db.check_answers(answers, token=token, on=date)
        for n, (a, answer) in enumerate(zip(answers, got, strict=True)):
            if a.permission == "use" and date is None:
                want = expect_without_date(a.allowed, by_id[a.resource_id])
            else:
                want = YES if a.allowed else NO
            assert answer == want, (a, date)
            if n % 4 == 0:
                single = db.check_permission(
                    a.resource_type, a.resource_id, a.permission, a.user, token=token, on=date
                )
                assert single == want, (a, date, "CheckPermission")
                compared += 1
        compared += len(answers)

    visibility = bo.Visibility(org)
    custody = bo.Custody(org, item_list)
    for user in users:
        assert db.lookup_resources_at("case", "view", user, token=token) == dict.fromkeys(
            (c.id for c in visibility.visible_cases(user, case_list)), YES
        ), user
        assert db.lookup_resources_at("item", "view", user, token=token) == dict.fromkeys(
            custody.visible_inventory(user), YES
        ), user
        assert db.lookup_resources_at("item", "use", user, token=token, on=on) == dict.fromkeys(
            custody.usable_inventory(user, on=on), YES
        ), (user, on)
        assert db.lookup_resources_at("item", "use", user, token=token) == {
            i: expect_without_date(True, by_id[i]) for i in custody.usable_inventory(user)
        }, user
        compared += 4
    for case in case_list:
        assert db.lookup_subjects_at("case", case.id, "view", token=token) == dict.fromkeys(
            visibility.case_viewers(case), YES
        ), case
        compared += 1
    for item in item_list:
        assert db.lookup_subjects_at("item", item.id, "use", token=token, on=on) == dict.fromkeys(
            (u for u in users if custody.can_use(u, item.id, on=on)), YES
        ), (item, on)
        compared += 1
    count("spicedb-sync", compared)


@st.composite
def steps(draw: st.DrawFn) -> tuple[Any, ...]:
    """An org, its cases and items, a date, and a run of writes a service would make."""
    org = draw(orgs(min_users=11, max_users=16, max_regions=3), label="org")
    case_list = draw(st.lists(cases(org), max_size=6, unique_by=lambda c: c.id), label="cases")
    item_list = draw(st.lists(items(org), max_size=6, unique_by=lambda i: i.id), label="items")
    on = draw(DATES, label="on")
    return org, case_list, item_list, on


OPERATIONS = ("change", "put_cases", "delete_cases", "put_items", "delete_items")


@SYNC_SETTINGS
@given(steps(), st.data())
def test_random_writes_keep_spicedb_answering_as_the_library(
    start: tuple[Any, ...], data: st.DataObject
) -> None:
    org, case_list, item_list, on = start
    with SpiceDB() as db:
        sync = SpiceDBSync(db.client, batch_size=data.draw(st.sampled_from([7, 1000])))
        token = sync.load(org, case_list, item_list)
        assert_answers_as_library(db, token, org, case_list, item_list, on)
        for _ in range(data.draw(st.integers(2, 4), label="writes")):
            operation = data.draw(st.sampled_from(OPERATIONS), label="operation")
            if operation == "change":
                after = org
                for _ in range(data.draw(st.integers(1, 3))):
                    after = data.draw(changes(after), label="change").apply(after)
                # Cases and items on users the change removed from roles stay: the rules judge.
                written = sync.apply(org, after, cases=case_list, items=item_list)
                org = after
                if written is None:
                    continue
                token = written
            elif operation == "put_cases":
                drawn = data.draw(
                    st.lists(cases(org), min_size=1, max_size=3, unique_by=lambda c: c.id)
                )
                # Some of them replace a case already written (new sub-rep, status, facility).
                known = [c.id for c in case_list]
                if known and data.draw(st.booleans(), label="replace one"):
                    drawn[0] = attrs.evolve(drawn[0], id=data.draw(st.sampled_from(known)))
                    drawn = list({c.id: c for c in drawn}.values())
                token = sync.put_cases(drawn)
                put = {c.id: c for c in drawn}
                case_list = [put.pop(c.id, c) for c in case_list] + list(put.values())
            elif operation == "put_items":
                drawn_items = data.draw(
                    st.lists(items(org), min_size=1, max_size=3, unique_by=lambda i: i.id)
                )
                known = [i.id for i in item_list]
                if known and data.draw(st.booleans(), label="replace one"):
                    drawn_items[0] = attrs.evolve(
                        drawn_items[0], id=data.draw(st.sampled_from(known))
                    )
                    drawn_items = list({i.id: i for i in drawn_items}.values())
                token = sync.put_items(drawn_items)
                put_items = {i.id: i for i in drawn_items}
                item_list = [put_items.pop(i.id, i) for i in item_list] + list(put_items.values())
            elif operation == "delete_cases":
                gone = set(
                    data.draw(
                        st.lists(
                            st.sampled_from([c.id for c in case_list] or ["c-none"]), max_size=2
                        )
                    )
                )
                token = sync.delete_cases(sorted(gone))
                case_list = [c for c in case_list if c.id not in gone]
            else:
                gone = set(
                    data.draw(
                        st.lists(
                            st.sampled_from([i.id for i in item_list] or ["i-none"]), max_size=2
                        )
                    )
                )
                token = sync.delete_items(sorted(gone))
                item_list = [i for i in item_list if i.id not in gone]
            assert_answers_as_library(db, token, org, case_list, item_list, on)


@pytest.mark.parametrize(
    ("right", "wrong", "on"),
    [
        # a regional manager no longer sees its members' cases
        (
            " + representative->region_manager_as_regional_manager"
            " + sub_rep->region_manager_as_regional_manager + facility->",
            " + facility->",
            datetime.date(2027, 1, 1),
        ),
        # an item is no longer usable on its expiry date itself (screw-a-1 expires that day)
        ("|| on > expires", "|| on >= expires", datetime.date(2027, 3, 31)),
    ],
)
def test_a_planted_wrong_rule_in_the_schema_fails_the_comparison(
    monkeypatch: pytest.MonkeyPatch, right: str, wrong: str, on: datetime.date
) -> None:
    # The comparison really checks the engine: one rule changed in the rendered schema is caught.
    from beacon_org.export import _spicedb
    from beacon_org.testing import sample_cases, sample_items, sample_org

    assert _spicedb.SPICEDB_SCHEMA.count(right) == 1
    planted = _spicedb.SPICEDB_SCHEMA.replace(right, wrong)
    monkeypatch.setattr(_spicedb, "SPICEDB_SCHEMA", planted)
    assert to_spicedb(bo.Org()).schema == planted
    org, case_list, item_list = sample_org(), list(sample_cases()), list(sample_items())
    with SpiceDB() as db:
        token = SpiceDBSync(db.client).load(org, case_list, item_list)
        with pytest.raises(AssertionError):
            assert_answers_as_library(db, token, org, case_list, item_list, on)
    monkeypatch.undo()
    with SpiceDB() as db:  # the schema as rendered passes the same comparison
        token = SpiceDBSync(db.client).load(org, case_list, item_list)
        assert_answers_as_library(db, token, org, case_list, item_list, on)
