"""The one reader of callers' rows: cases and items, as ``bo.Case`` / ``bo.InventoryItem`` or a
service's own objects with the same attributes, and the date a question is asked about.

Every rule, the access diff, the setup check and the exports read rows here, so a bad row gets the
same error, worded the same way, whichever question reads it. A row is named by its id when it has
a usable one, else by its position in the caller's collection (``case #3``); the message then
says which field is wrong and what it holds.

- a missing attribute: ``InvalidValueError`` ("case 'c-1' has no 'status' attribute (...)"),
- a field of the wrong type or value, or an unknown status: ``InvalidValueError`` with the
  model's own message after the row's name ("item 'kit-1': 'active' must be True or False ..."),
- an id used twice in one collection: ``DuplicateIdError`` ("case id 'c-1' appears twice: ..."),
- a collection that is not one (a number, a string, a mapping): ``InvalidValueError``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .._errors import DuplicateIdError, InvalidValueError, shown
from .._model import _STATUSES, Case, InventoryItem, _fail, well_formed_case

__all__ = [
    "case_list",
    "case_record",
    "case_records",
    "case_row",
    "check_case_rows",
    "check_on",
    "item_record",
    "item_records",
    "rows_by_id",
]

_MISSING = object()

# What each kind of row must have (an item's ``expires`` and ``on_hold`` may be absent: None and
# False), and how a message says so.
_CASE_FIELDS = ("id", "representative", "sub_rep", "facility", "status")
_ITEM_FIELDS = ("id", "custodian", "active")
_NEEDS = {
    "case": "a case needs id, representative, sub_rep, facility and status",
    "item": "an item needs id, custodian and active (expires and on_hold if it has them)",
}
_BUILDER = {"case": "bo.case_from_dict", "item": "bo.item_from_dict"}
_A = {"case": "a case", "item": "an item"}
_PLURAL = {"case": ("cases", "cases"), "item": ("items", "inventory items")}


# --- naming a row and what is wrong with it ---------------------------------------------------------


def _where(kind: str, row: object, position: int | None) -> str:
    # By its id when it has a usable one, else by its place in the caller's collection.
    row_id = getattr(row, "id", None)
    if isinstance(row_id, str) and row_id:
        return f"{kind} {shown(row_id)}"
    return kind if position is None else f"{kind} #{position}"


def _missing(kind: str, row: object, name: str, position: int | None) -> InvalidValueError:
    where = _where(kind, row, position)
    if isinstance(row, Mapping):
        msg = f"{where} is a mapping, not {_A[kind]} (build one with {_BUILDER[kind]}(...))"
    else:
        msg = f"{where} has no {name!r} attribute ({_NEEDS[kind]}; got {shown(row)})"
    return InvalidValueError(msg, field=name, value=row)


def _bad_field(
    kind: str, row: object, exc: InvalidValueError, position: int | None
) -> InvalidValueError:
    where = _where(kind, row, position)
    text = str(exc)
    # The model's own message names the row already when it is about the row as a whole.
    msg = text if text.startswith(f"{where}:") else f"{where}: {text}"
    return InvalidValueError(msg, field=exc.field, value=exc.value)


def _duplicate(kind: str, row_id: str, first: int, position: int) -> DuplicateIdError:
    msg = (
        f"{kind} id {shown(row_id)} appears twice: {kind} #{first} and {kind} #{position}; "
        f"each {kind} needs its own id"
    )
    return DuplicateIdError(msg)


def _collection(kind: str, rows: object) -> Iterable[Any]:
    # A str is iterable and a mapping iterates its keys, but neither is a collection of rows.
    if isinstance(rows, str | bytes | Mapping) or not isinstance(rows, Iterable):
        name, noun = _PLURAL[kind]
        msg = f"{name!r} must be an iterable of {noun} (got {shown(rows)})"
        raise InvalidValueError(msg, field=name, value=rows)
    return rows


def _first_missing(row: object, names: tuple[str, ...]) -> str:
    # Rows are read attribute by attribute in the fast path; on a miss, name the first one missing.
    return next((name for name in names if not hasattr(row, name)), names[0])


# --- cases ----------------------------------------------------------------------------------------


def case_row(row: object, position: int | None = None) -> Any:
    """Return ``row`` itself when it reads as a well-formed case, else a checked ``Case``.

    The fast path of the rules: a ``Case``, or a service's row with plain ``str`` ids and a known
    status, is read in place (a few type checks, no ``Case`` built). Anything else goes through
    :func:`case_record`, which raises the one message for what is wrong; ``position`` names a
    row without a usable id there.
    """
    if type(row) is Case:
        return row
    try:
        if (
            well_formed_case(row.id, row.representative, row.sub_rep, row.facility)  # type: ignore[attr-defined]
            and row.status in _STATUSES  # type: ignore[attr-defined]
        ):
            return row
    except (AttributeError, TypeError):  # a missing attribute, an unhashable status
        pass
    return case_record(row, position)


def check_case_rows(cases: list[Any] | tuple[Any, ...]) -> None:
    """Check every row of ``cases`` as :func:`case_row` does, naming a bad one by its position."""
    for position, row in enumerate(cases):
        if type(row) is not Case:
            case_row(row, position)


def case_record(row: object, position: int | None = None) -> Case:
    """Return ``row`` as a checked :class:`~beacon_org.Case` (a ``Case`` is returned as it is).

    ``position``, the row's index in the caller's collection, names it when it has no usable id.

    Raises
    ------
    InvalidValueError
        If an attribute is missing or holds a bad value; the message names the case and the field.
    """
    if type(row) is Case:
        return row
    try:
        return Case(
            row.id,  # type: ignore[attr-defined]
            row.representative,  # type: ignore[attr-defined]
            sub_rep=row.sub_rep,  # type: ignore[attr-defined]
            facility=row.facility,  # type: ignore[attr-defined]
            status=row.status,  # type: ignore[attr-defined]
        )
    except AttributeError:
        raise _missing("case", row, _first_missing(row, _CASE_FIELDS), position) from None
    except InvalidValueError as exc:
        raise _bad_field("case", row, exc, position) from None


def case_list(cases: object) -> list[Any]:
    """Return ``cases`` as a list, once it is known to be a collection (rows are not read).

    Raises
    ------
    InvalidValueError
        If ``cases`` is not an iterable of cases (a string, a mapping or a number).
    """
    rows = _collection("case", cases)
    return rows if isinstance(rows, list) else list(rows)


def case_records(cases: object) -> Iterator[tuple[Any, Case]]:
    """Yield each row of ``cases`` with its checked ``Case``, in order; ids must be unique.

    Raises
    ------
    InvalidValueError
        If ``cases`` is not a collection, or a case is malformed.
    DuplicateIdError
        If two cases have the same id.
    """
    seen: dict[str, int] = {}
    for position, row in enumerate(_collection("case", cases)):
        record = case_record(row, position)
        first = seen.setdefault(record.id, position)
        if first != position:
            raise _duplicate("case", record.id, first, position)
        yield row, record


# --- items ----------------------------------------------------------------------------------------


def item_record(row: object, position: int | None = None) -> InventoryItem:
    """Return ``row`` as a checked :class:`~beacon_org.InventoryItem` (one is returned as it is).

    ``row`` has ``id``, ``custodian`` and ``active``, and ``expires`` and ``on_hold`` if it has
    them (None and False when absent); ``position``, its index in the caller's collection, names
    it when it has no usable id.

    Raises
    ------
    InvalidValueError
        If an attribute is missing or holds a bad value; the message names the item and the field.
    """
    if type(row) is InventoryItem:
        return row
    try:
        return InventoryItem(
            row.id,  # type: ignore[attr-defined]
            row.custodian,  # type: ignore[attr-defined]
            active=row.active,  # type: ignore[attr-defined]
            expires=getattr(row, "expires", None),
            on_hold=getattr(row, "on_hold", False),
        )
    except AttributeError:
        raise _missing("item", row, _first_missing(row, _ITEM_FIELDS), position) from None
    except InvalidValueError as exc:
        raise _bad_field("item", row, exc, position) from None


def item_records(items: object) -> dict[str, InventoryItem]:
    """Return the checked items of ``items`` by id, in order; ids must be unique.

    Raises
    ------
    InvalidValueError
        If ``items`` is not a collection, or an item is malformed.
    DuplicateIdError
        If two items have the same id.
    """
    records: dict[str, InventoryItem] = {}
    positions: dict[str, int] = {}
    for position, row in enumerate(_collection("item", items)):
        record = item_record(row, position)
        first = positions.setdefault(record.id, position)
        if first != position:
            raise _duplicate("item", record.id, first, position)
        records[record.id] = record
    return records


# --- ids alone ------------------------------------------------------------------------------------


def rows_by_id(rows: object, kind: str) -> dict[str, Any]:
    """Return the rows of ``rows`` (``kind`` is ``"case"`` or ``"item"``) by id, reading only ids.

    For matching two collections by id before reading further: the id is checked as the full
    readers check it, with the same messages.

    Raises
    ------
    InvalidValueError
        If ``rows`` is not a collection, or a row has no usable id.
    DuplicateIdError
        If two rows have the same id.
    """
    out: dict[str, Any] = {}
    positions: dict[str, int] = {}
    for position, row in enumerate(_collection(kind, rows)):
        row_id = getattr(row, "id", _MISSING)
        if type(row_id) is not str or not row_id:
            if row_id is _MISSING:
                raise _missing(kind, row, "id", position)
            if not isinstance(row_id, str) or not row_id:  # a str subclass is a usable id
                raise _bad_field(kind, row, _fail("id", row_id, "a non-empty string"), position)
        first = positions.setdefault(row_id, position)
        if first != position:
            raise _duplicate(kind, row_id, first, position)
        out[row_id] = row
    return out


# --- the day a question is about ------------------------------------------------------------------


def check_on(on: object) -> _dt.date:
    """Return ``on``, the day a question is asked about, once it is known to be a date.

    Raises
    ------
    InvalidValueError
        If ``on`` is not a ``datetime.date`` (a ``datetime.datetime`` is refused too).
    """
    # datetime is a date subclass, but "usable at 09:00" is not a day: refuse it as InventoryItem does.
    if not isinstance(on, _dt.date) or isinstance(on, _dt.datetime):
        msg = f"'on' must be a datetime.date or None (got {on!r})"
        raise InvalidValueError(msg, field="on", value=on)
    return on
