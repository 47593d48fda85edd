"""Reading what callers hand to the rules: their item rows and the date they ask about.

A caller's rows are :class:`~beacon_org.InventoryItem` records or a service's own objects with the
same attributes; every rule module reads them here, so a bad row gets the same message everywhere.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from .._errors import InvalidValueError
from .._model import InventoryItem

__all__ = ["check_on", "item_record"]

_MISSING = object()


def item_record(item: object, position: int = 0) -> InventoryItem:
    """Return ``item`` as a checked :class:`~beacon_org.InventoryItem`.

    ``item`` is an ``InventoryItem`` (returned as it is) or any object with ``id``, ``custodian``,
    ``active`` and ``expires`` (and ``on_hold``, False when absent); ``position`` (its index in the
    caller's collection) names it in the error when it has no usable id.

    Raises
    ------
    InvalidValueError
        If an attribute is missing or has the wrong type; the message names the item.
    """
    if type(item) is InventoryItem:
        return item
    fields: dict[str, Any] = {}
    for name in ("id", "custodian", "active", "expires"):
        value = getattr(item, name, _MISSING)
        if value is _MISSING:
            item_id = getattr(item, "id", None)
            where = f"item {item_id!r}" if isinstance(item_id, str) else f"item #{position}"
            msg = f"{where} has no {name!r} attribute (got {item!r})"
            raise InvalidValueError(msg, field=name, value=item)
        fields[name] = value
    try:
        return InventoryItem(
            fields["id"],
            fields["custodian"],
            active=fields["active"],
            expires=fields["expires"],
            on_hold=getattr(item, "on_hold", False),
        )
    except InvalidValueError as exc:
        where = f"item {fields['id']!r}" if isinstance(fields["id"], str) else f"item #{position}"
        msg = f"{where}: {exc}"
        raise InvalidValueError(msg, field=exc.field, value=exc.value) from None


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
