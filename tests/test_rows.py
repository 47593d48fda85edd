"""One reader of callers' rows: a bad case or item row gets the same error, worded the same way,
whichever public entry point reads it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import attrs
import pytest

import beacon_org as bo
from beacon_org.export import relationship_changes, to_cedar, to_openfga, to_spicedb
from beacon_org.rules._rows import case_row
from beacon_org.testing import sample_cases, sample_items, sample_org

ORG = sample_org()
VIS = bo.Visibility(ORG)
GOOD_CASE = sample_cases()[0]
GOOD_ITEM = sample_items()[0]


@attrs.define
class CaseRow:
    """A service's own case row."""

    id: Any
    representative: Any
    sub_rep: Any = None
    facility: Any = None
    status: Any = "open"


@attrs.define
class ItemRow:
    """A service's own item row, without ``on_hold``."""

    id: Any
    custodian: Any
    active: Any = True
    expires: Any = None


# --- the entry points -----------------------------------------------------------------------------

# Each reads the bad row as the second of its collection (position 1), after a good one.
CASE_COLLECTIONS: dict[str, Callable[[list[Any]], object]] = {
    "Visibility.visible_cases": lambda rows: VIS.visible_cases("owner", rows),
    "Visibility.viewable": lambda rows: VIS.viewable("owner", rows),
    "CaseIndex": bo.CaseIndex,
    "diff_access": lambda rows: bo.diff_access(ORG, ORG.deactivate("rep-a1"), cases=rows),
    "check_setup": lambda rows: bo.check_setup(ORG, cases=rows),
    "export.to_spicedb": lambda rows: to_spicedb(ORG, rows),
    "export.to_openfga": lambda rows: to_openfga(ORG, rows),
    "export.to_cedar": lambda rows: to_cedar(ORG, rows),
    "export.relationship_changes": lambda rows: relationship_changes(
        ORG, ORG, [], after_cases=rows
    ),
}
# Each reads one case, so it has no position to name a row without an id by.
ONE_CASE: dict[str, Callable[[Any], object]] = {
    "Visibility.can_view_case": lambda row: VIS.can_view_case("owner", row),
    "Visibility.can_edit_case": lambda row: VIS.can_edit_case("owner", row),
    "Visibility.can_reopen_case": lambda row: VIS.can_reopen_case("owner", row),
    "Visibility.may_view_case": lambda row: VIS.may_view_case("owner", row),
    "Visibility.may_edit_case": lambda row: VIS.may_edit_case("owner", row),
    "Visibility.case_viewers": VIS.case_viewers,
    "Visibility.viewable_by": lambda row: VIS.viewable_by(["owner"], row),
}
ITEM_COLLECTIONS: dict[str, Callable[[list[Any]], object]] = {
    "Custody": lambda rows: bo.Custody(ORG, rows),
    "diff_access": lambda rows: bo.diff_access(ORG, ORG.deactivate("rep-a1"), items=rows),
    "check_setup": lambda rows: bo.check_setup(ORG, rows),
    "readiness": lambda rows: bo.readiness(ORG, "dist-a", rows),
    "Settlement.apply": lambda rows: _SETTLEMENT.apply(rows),
    "export.to_spicedb": lambda rows: to_spicedb(ORG, items=rows),
    "export.to_openfga": lambda rows: to_openfga(ORG, items=rows),
    "export.to_cedar": lambda rows: to_cedar(ORG, items=rows),
    "export.relationship_changes": lambda rows: relationship_changes(
        ORG, ORG, items=[], after_items=rows
    ),
}
_SETTLEMENT = bo.Settlement(
    transfer=bo.Transfer(
        id="t-1", item_ids=["kit-x"], sender="dist-a", recipient="rep-a1", started_by="dist-a"
    ),
    custodians=(("kit-x", "rep-a1"),),
)

# Filters over the rows as given: a repeated id is answered twice, not refused (checking would
# cost a set of every id on the hot path).
NO_UNIQUE_IDS = {"Visibility.visible_cases", "Visibility.viewable"}


def _error(call: Callable[[Any], object], rows: Any) -> tuple[type[Exception], str]:
    with pytest.raises(bo.OrgError) as info:
        call(rows)
    return type(info.value), str(info.value)


def _same_everywhere(
    entry_points: dict[str, Callable[[Any], object]], rows: Any
) -> tuple[type[Exception], str]:
    found = {name: _error(call, rows) for name, call in entry_points.items()}
    kinds = set(found.values())
    assert len(kinds) == 1, "\n".join(f"{name}: {error}" for name, error in found.items())
    return kinds.pop()


# --- bad case rows --------------------------------------------------------------------------------

_NEEDS_CASE = "a case needs id, representative, sub_rep, facility and status"

BAD_CASES = {
    "missing attribute": (
        SimpleNamespace(id="c-9", representative="rep-a1", sub_rep=None, facility=None),
        "case 'c-9' has no 'status' attribute ({needs}; got namespace(",
    ),
    "no id at all": (object(), "case #1 has no 'id' attribute ({needs}; got <object object"),
    "wrong type": (
        CaseRow("c-9", 42),
        "case 'c-9': 'representative' must be a non-empty string (got 42)",
    ),
    "id of the wrong type": (
        CaseRow(7, "rep-a1"),
        "case #1: 'id' must be a non-empty string (got 7)",
    ),
    "bad status": (
        CaseRow("c-9", "rep-a1", status="lost"),
        "case 'c-9': 'lost' is not a case status; expected one of open,",
    ),
    "sub-rep is the representative": (
        CaseRow("c-9", "rep-a1", sub_rep="rep-a1"),
        "case 'c-9': sub_rep 'rep-a1' is also its representative",
    ),
    "a mapping": (
        {"id": "c-9", "representative": "rep-a1"},
        "case #1 is a mapping, not a case (build one with bo.case_from_dict(...))",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_CASES))
def test_a_bad_case_row_gets_one_error_from_every_entry_point(kind: str) -> None:
    row, start = BAD_CASES[kind]
    error, message = _same_everywhere(CASE_COLLECTIONS, [GOOD_CASE, row])
    assert error is bo.InvalidValueError
    assert message.startswith(start.format(needs=_NEEDS_CASE)), message
    # Asked about on its own, the same row gets the same message, less a position it has not got.
    one_error, one_message = _same_everywhere(ONE_CASE, row)
    assert (one_error, one_message) == (error, message.replace("case #1", "case"))


def test_a_repeated_case_id_is_one_error_wherever_ids_must_be_unique() -> None:
    rows = [GOOD_CASE, CaseRow("c-9", "rep-a1"), CaseRow("c-9", "rep-b1")]
    unique = {k: v for k, v in CASE_COLLECTIONS.items() if k not in NO_UNIQUE_IDS}
    error, message = _same_everywhere(unique, rows)
    assert error is bo.DuplicateIdError
    assert message == "case id 'c-9' appears twice: case #1 and case #2; each case needs its own id"
    assert VIS.viewable("owner", rows) == [True, True, True]


@pytest.mark.parametrize("cases", [7, "c-100", b"c-100", {"c-100": GOOD_CASE}])
def test_cases_that_are_not_a_collection_get_one_error(cases: object) -> None:
    error, message = _same_everywhere(CASE_COLLECTIONS, cases)
    assert error is bo.InvalidValueError
    assert message.startswith("'cases' must be an iterable of cases (got ")


# --- bad item rows --------------------------------------------------------------------------------

_NEEDS_ITEM = "an item needs id, custodian and active (expires and on_hold if it has them)"

BAD_ITEMS = {
    "missing attribute": (
        SimpleNamespace(id="kit-9", active=True),
        "item 'kit-9' has no 'custodian' attribute ({needs}; got namespace(",
    ),
    "no id at all": (object(), "item #1 has no 'id' attribute ({needs}; got <object object"),
    "wrong type": (
        ItemRow("kit-9", "rep-a1", active="yes"),
        "item 'kit-9': 'active' must be True or False (got 'yes')",
    ),
    "id of the wrong type": (
        ItemRow(3, "rep-a1"),
        "item #1: 'id' must be a non-empty string (got 3)",
    ),
    "a time for a date": (
        ItemRow("kit-9", "rep-a1", expires=dt.datetime(2027, 1, 1)),
        "item 'kit-9': 'expires' must be a datetime.date or None (got datetime.datetime(2027",
    ),
    "a mapping": (
        {"id": "kit-9", "custodian": "rep-a1"},
        "item #1 is a mapping, not an item (build one with bo.item_from_dict(...))",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_ITEMS))
def test_a_bad_item_row_gets_one_error_from_every_entry_point(kind: str) -> None:
    row, start = BAD_ITEMS[kind]
    error, message = _same_everywhere(ITEM_COLLECTIONS, [GOOD_ITEM, row])
    assert error is bo.InvalidValueError
    assert message.startswith(start.format(needs=_NEEDS_ITEM)), message


def test_a_repeated_item_id_is_one_error_from_every_entry_point() -> None:
    rows = [GOOD_ITEM, ItemRow("kit-9", "rep-a1"), ItemRow("kit-9", "dist-a")]
    error, message = _same_everywhere(ITEM_COLLECTIONS, rows)
    assert error is bo.DuplicateIdError
    assert (
        message == "item id 'kit-9' appears twice: item #1 and item #2; each item needs its own id"
    )


@pytest.mark.parametrize("items", [7, "kit-1", b"kit-1", {"kit-1": GOOD_ITEM}])
def test_items_that_are_not_a_collection_get_one_error(items: object) -> None:
    error, message = _same_everywhere(ITEM_COLLECTIONS, items)
    assert error is bo.InvalidValueError
    assert message.startswith("'items' must be an iterable of inventory items (got ")


# --- what a good row reads as ---------------------------------------------------------------------


def test_a_well_formed_row_is_read_in_place_and_others_as_a_checked_case() -> None:
    row = CaseRow("c-9", "rep-a1", status="paid")
    assert case_row(row) is row  # the fast path: no Case is built

    class Id(str):
        pass

    odd = CaseRow(Id("c-9"), "rep-a1")  # a str subclass: fine, but not the fast path's plain str
    assert case_row(odd) == bo.Case("c-9", "rep-a1")


def test_an_item_row_may_leave_out_expires_and_on_hold() -> None:
    row = SimpleNamespace(id="kit-9", custodian="rep-a1", active=True)
    custody = bo.Custody(ORG, [row])
    assert custody.items["kit-9"] == bo.InventoryItem("kit-9", "rep-a1")
