"""The command line's JSON bundle: an org in its data format, plus optional ``cases`` and ``items``.

Pure data in, records out; reading the file is the command line's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._errors import InvalidDataError
from ._model import Case, InventoryItem
from ._org import Org
from ._serialization import (
    case_from_dict,
    case_to_dict,
    from_dict,
    item_from_dict,
    item_to_dict,
    to_dict,
)

__all__ = ["Bundle", "bundle_from_dict", "bundle_to_dict"]

_EXTRA_KEYS = ("cases", "items")


@attrs.frozen(kw_only=True)
class Bundle:
    """An org with the cases and inventory items the command line asks about."""

    org: Org
    cases: tuple[Case, ...] = ()
    items: tuple[InventoryItem, ...] = ()


def _rows(data: Mapping[str, Any], key: str) -> list[Any]:
    rows = data.get(key, [])
    if not isinstance(rows, list):
        msg = f"{key}: must be a list (got {type(rows).__name__})"
        raise InvalidDataError(msg)
    return rows


def bundle_from_dict(data: Any) -> Bundle:
    """Build a :class:`Bundle` from bundle data; raise :class:`InvalidDataError` naming where.

    Examples
    --------
    >>> from beacon_org._bundle import bundle_from_dict
    >>> b = bundle_from_dict({"version": 1, "users": [
    ...     {"id": "rep-1", "email": "r@x.example", "role": "sales"}],
    ...     "cases": [{"id": "c1", "representative": "rep-1"}]})
    >>> b.cases[0].representative, b.items
    ('rep-1', ())
    >>> bundle_from_dict({"version": 1, "items": [{"id": "i1"}]})
    Traceback (most recent call last):
    ...
    beacon_org.InvalidDataError: items[0].custodian: required field missing
    """
    if not isinstance(data, Mapping):
        msg = f"a bundle must be a JSON object with the org's fields and optional cases and items (got {type(data).__name__})"
        raise InvalidDataError(msg)
    org = from_dict({k: v for k, v in data.items() if k not in _EXTRA_KEYS})
    cases = tuple(case_from_dict(row, f"cases[{i}]") for i, row in enumerate(_rows(data, "cases")))
    items = tuple(item_from_dict(row, f"items[{i}]") for i, row in enumerate(_rows(data, "items")))
    _check_unique("cases", [c.id for c in cases])
    _check_unique("items", [i.id for i in items])
    return Bundle(org=org, cases=cases, items=items)


def _check_unique(key: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i, record_id in enumerate(ids):
        if record_id in seen:
            msg = f"{key}[{i}].id: duplicate id {record_id!r}"
            raise InvalidDataError(msg)
        seen.add(record_id)


def bundle_to_dict(bundle: Bundle) -> dict[str, Any]:
    """Return a bundle as JSON-ready data that :func:`bundle_from_dict` reads back."""
    data = to_dict(bundle.org)
    data["cases"] = [case_to_dict(c) for c in bundle.cases]
    data["items"] = [item_to_dict(i) for i in bundle.items]
    return data
