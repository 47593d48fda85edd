"""The command line's JSON bundle: an org in its data format, plus optional ``cases`` and ``items``.

Pure data in, records out; reading the file is the command line's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._errors import InvalidDataError, InvalidValueError, shown, type_name
from ._model import Case, InventoryItem
from ._org import Org
from ._serialization import (
    _TOP_KEYS,
    _keys,
    case_from_dict,
    case_to_dict,
    from_dict,
    item_from_dict,
    item_to_dict,
    to_dict,
)

__all__ = ["Bundle", "bundle_from_dict", "bundle_to_dict"]

_EXTRA_KEYS = ("cases", "items")
_KEYS = (*_TOP_KEYS, *_EXTRA_KEYS)


@attrs.frozen(kw_only=True)
class Bundle:
    """An org with the cases and inventory items asked about: what the ``beacon-org`` command reads.

    Its data format (:func:`bundle_to_dict`) is the org's, plus optional ``cases`` and ``items``
    lists in the shapes of :func:`case_to_dict` and :func:`item_to_dict`.

    Examples
    --------
    >>> from beacon_org.testing import sample_org, sample_cases, sample_items
    >>> bundle = bo.Bundle(org=sample_org(), cases=sample_cases(), items=sample_items())
    >>> len(bundle.cases), len(bundle.items)
    (8, 13)
    """

    org: Org
    cases: tuple[Case, ...] = ()
    items: tuple[InventoryItem, ...] = ()


def _rows(data: Mapping[str, Any], key: str) -> list[Any]:
    rows = data.get(key, [])
    if not isinstance(rows, list | tuple):
        msg = f"{key}: must be a list (got {type_name(rows)})"
        raise InvalidDataError(msg)
    return list(rows)


def bundle_from_dict(data: Any) -> Bundle:
    """Build a :class:`Bundle` from bundle data, checking the org, every case and every item.

    Parameters
    ----------
    data : mapping
        The org's data format (see :func:`from_dict`) plus optional ``cases`` and ``items`` lists.

    Returns
    -------
    Bundle

    Raises
    ------
    InvalidDataError
        Naming where the data is wrong, for example ``items[0].custodian: required field missing``.

    Examples
    --------
    >>> b = bo.bundle_from_dict({"version": 1, "users": [
    ...     {"id": "rep-1", "email": "r@x.example", "role": "sales"}],
    ...     "cases": [{"id": "c1", "representative": "rep-1"}]})
    >>> b.cases[0].representative, b.items
    ('rep-1', ())
    >>> bo.bundle_from_dict({"version": 1, "items": [{"id": "i1"}]})
    Traceback (most recent call last):
    ...
    beacon_org.InvalidDataError: items[0].custodian: required field missing
    """
    if not isinstance(data, Mapping):
        msg = (
            "a bundle must be a JSON object with the org's fields and optional cases and items "
            f"(got {type_name(data)})"
        )
        raise InvalidDataError(msg)
    extra = [k for k in data if k not in _KEYS]
    if extra:
        msg = f"unknown top-level key(s) {_keys(extra, quote=True)}; expected {', '.join(_KEYS)}"
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
            msg = f"{key}[{i}].id: duplicate id {shown(record_id)}"
            raise InvalidDataError(msg)
        seen.add(record_id)


def bundle_to_dict(bundle: Bundle) -> dict[str, Any]:
    """Return a bundle as JSON-ready data that :func:`bundle_from_dict` reads back.

    Examples
    --------
    >>> from beacon_org.testing import sample_org, sample_cases
    >>> data = bo.bundle_to_dict(bo.Bundle(org=sample_org(), cases=sample_cases()[:1]))
    >>> data["cases"], data["items"]
    ([{'id': 'c-100', 'representative': 'rep-a1', 'sub_rep': 'rep-a2', 'facility': 'mercy-general', 'status': 'open'}], [])
    """
    if not isinstance(bundle, Bundle):
        msg = f"bundle_to_dict() needs a Bundle (got {type_name(bundle)})"
        raise InvalidValueError(msg, field="bundle", value=bundle)
    data = to_dict(bundle.org)
    data["cases"] = [case_to_dict(c) for c in bundle.cases]
    data["items"] = [item_to_dict(i) for i in bundle.items]
    return data
