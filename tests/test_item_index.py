"""ItemIndex: items checked and indexed by custodian once, so diff_access reads only the items of
the custodians a change concerns. Its answers are the list form's; nothing is timed."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.rules import _rows
from beacon_org.testing import sample_cases, sample_items, sample_org
from beacon_org.testing.strategies import cases, changes, items, orgs

ITEMS = sample_items()


def test_an_index_keeps_the_items_checked_in_order() -> None:
    row = SimpleNamespace(id="kit-row", custodian="rep-a1", active=True)  # no expires, on_hold
    index = bo.ItemIndex([*ITEMS, row])
    assert len(index) == len(ITEMS) + 1
    assert list(index) == [*ITEMS, bo.InventoryItem("kit-row", "rep-a1")]
    assert index.items["kit-row"] == bo.InventoryItem("kit-row", "rep-a1")
    assert "drill-a1" in index
    assert "nothing" not in index
    assert ["unhashable"] not in index
    assert repr(index) == f"<ItemIndex of {len(ITEMS) + 1} items>"
    assert [i.id for i in index.held_by("rep-a1")] == ["drill-a1", "screw-a1-spare", "kit-row"]
    assert index.ids_held_by("rep-a1") == {"drill-a1", "screw-a1-spare", "kit-row"}
    assert index.usable_of("rep-a1") == {"drill-a1", "kit-row"}  # screw-a1-spare is inactive
    assert index.held_by("nobody") == ()
    assert index.ids_held_by(["unhashable"]) == frozenset()  # type: ignore[arg-type]
    assert index.usable_of("nobody") == frozenset()
    assert index.custodians == {i.custodian for i in ITEMS}


def test_an_item_on_hold_is_held_but_not_usable() -> None:
    index = bo.ItemIndex([bo.InventoryItem("kit-1", "rep-a1", on_hold=True)])
    assert index.ids_held_by("rep-a1") == {"kit-1"}
    assert index.usable_of("rep-a1") == frozenset()


def test_an_index_is_read_like_the_items_it_was_built_from() -> None:
    org, index = sample_org(), bo.ItemIndex(ITEMS)
    on = dt.date(2026, 6, 1)
    from_index, from_list = bo.Custody(org, index), bo.Custody(org, ITEMS)
    for user in org.users:
        assert from_index.usable_inventory(user, on=on) == from_list.usable_inventory(user, on=on)
        assert from_index.visible_inventory(user) == from_list.visible_inventory(user)
    assert bo.check_setup(org, index, on=on) == bo.check_setup(org, ITEMS, on=on)


@pytest.mark.parametrize(
    ("items_arg", "error", "message"),
    [
        (5, bo.InvalidValueError, "'items' must be an iterable of inventory items (got 5)"),
        ("kit-1", bo.InvalidValueError, "'items' must be an iterable of inventory items"),
        ({"kit-1": ITEMS[0]}, bo.InvalidValueError, "'items' must be an iterable of inventory"),
        (
            [ITEMS[0], ITEMS[0]],
            bo.DuplicateIdError,
            "item id 'kit-org-1' appears twice: item #0 and item #1; each item needs its own id",
        ),
        ([object()], bo.InvalidValueError, "item #0 has no 'id' attribute"),
        (
            [SimpleNamespace(id="kit-9", custodian="rep-a1", active="yes")],
            bo.InvalidValueError,
            "item 'kit-9': 'active' must be True or False (got 'yes')",
        ),
    ],
)
def test_bad_items_raise_an_org_error_with_a_short_message(
    items_arg: Any, error: type[bo.OrgError], message: str
) -> None:
    with pytest.raises(error) as info:
        bo.ItemIndex(items_arg)
    assert str(info.value).startswith(message)
    assert len(str(info.value)) < 200
    # diff_access says the same, given the same items as a list
    with pytest.raises(error) as again:
        bo.diff_access(sample_org(), sample_org().deactivate("rep-a1"), items=items_arg)
    assert str(again.value) == str(info.value)


def test_diff_access_reads_no_item_row_when_given_an_index(monkeypatch: pytest.MonkeyPatch) -> None:
    org = sample_org()
    index = bo.ItemIndex(ITEMS)
    read: list[object] = []
    real = _rows.item_record

    def counting(row: object, position: int | None = None) -> bo.InventoryItem:
        read.append(row)
        return real(row, position)

    monkeypatch.setattr(_rows, "item_record", counting)
    after = org.set_shared_inventory("dist-a", False)
    with_index = bo.diff_access(org, after, cases=sample_cases(), items=index)
    assert read == []  # checked once, when the index was built
    with_list = bo.diff_access(org, after, cases=sample_cases(), items=ITEMS)
    assert len(read) == len(ITEMS)  # the list form checks every item on every call
    assert with_index == with_list
    assert {c.object for c in with_index.lost} == {"screw-a-1", "screw-a-2", "plate-a-old"}


@st.composite
def org_change_and_objects(
    draw: st.DrawFn,
) -> tuple[bo.Org, bo.Org, list[bo.Case], list[bo.InventoryItem]]:
    before = draw(orgs(max_users=10))
    after = before
    for _ in range(draw(st.integers(1, 3))):
        after = draw(changes(after)).apply(after)
    some_cases = (
        draw(st.lists(cases(before), max_size=8, unique_by=lambda c: c.id)) if before.users else []
    )
    some_items = draw(st.lists(items(before), max_size=10, unique_by=lambda i: i.id))
    return before, after, some_cases, some_items


@given(org_change_and_objects())
def test_diff_access_over_indexes_answers_as_over_lists(
    data: tuple[bo.Org, bo.Org, list[bo.Case], list[bo.InventoryItem]],
) -> None:
    before, after, some_cases, some_items = data
    listed = bo.diff_access(before, after, cases=some_cases, items=some_items)
    indexed = bo.diff_access(
        before, after, cases=bo.CaseIndex(some_cases), items=bo.ItemIndex(some_items)
    )
    assert indexed == listed
    # the causes too (they are left out of ==)
    assert sorted(str(line) for line in indexed.changes()) == sorted(
        str(line) for line in listed.changes()
    )


@given(orgs(max_users=8), orgs(max_users=8))
def test_diff_access_over_an_index_between_unrelated_orgs(before: bo.Org, after: bo.Org) -> None:
    shared = sorted(set(before.users) & set(after.users))
    rows = [bo.InventoryItem(f"i-{i}", u, active=i % 3 != 0) for i, u in enumerate(shared)]
    rows += [bo.InventoryItem("i-org", bo.ORG_CUSTODY), bo.InventoryItem("i-away", "nobody")]
    assert bo.diff_access(before, after, items=bo.ItemIndex(rows)) == bo.diff_access(
        before, after, items=rows
    )
