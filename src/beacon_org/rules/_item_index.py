"""Inventory items indexed by id and custodian, built once, so a question over many items (the
access diff) costs in proportion to the custodians it concerns rather than to every item."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from .._model import InventoryItem
from ._rows import item_records

__all__ = ["ItemIndex"]

_NONE: list[InventoryItem] = []


class ItemIndex:
    """A fixed collection of inventory items, indexed by id and by custodian.

    Build it once for a large set of items and pass it as ``items`` to :func:`diff_access`, as
    :class:`CaseIndex` is passed as ``cases``: a diff then reads only the items of the custodians
    a change concerns, instead of checking every item on every call. The items are checked once,
    here, as :class:`~beacon_org.InventoryItem` records (a service's own rows with the same
    attributes are accepted, as everywhere items are taken). Iterating an index gives those
    records in the order given, so it may be passed wherever items are taken
    (:class:`Custody`, :func:`check_setup`, the exports).

    Parameters
    ----------
    items : iterable of InventoryItem or item-like objects
        The inventory; an id may appear once.

    Raises
    ------
    DuplicateIdError
        If two items share an id.
    InvalidValueError
        If ``items`` is not an iterable of items, or an item is malformed.

    Examples
    --------
    >>> from beacon_org.testing import sample_items, sample_org
    >>> index = bo.ItemIndex(sample_items())
    >>> len(index), [item.id for item in index.held_by("rep-a1")]
    (13, ['drill-a1', 'screw-a1-spare'])
    >>> sorted(index.usable_of("rep-a1"))  # active and not on hold
    ['drill-a1']
    >>> org = sample_org()
    >>> diff = bo.diff_access(org, org.set_shared_inventory("dist-b", True), items=index)
    >>> sorted((c.user, c.permission, c.object) for c in diff.gained)
    [('rep-b1', 'use_item', 'plate-b-1'), ('rep-b1', 'view_item', 'plate-b-1'), ('rep-b2', 'use_item', 'plate-b-1'), ('rep-b2', 'view_item', 'plate-b-1')]
    """

    __slots__ = ("_by_custodian", "_items")

    def __init__(self, items: Iterable[Any]) -> None:
        records = item_records(items)
        # One list per custodian and nothing more: a large index is built once and kept, and
        # every object it holds is one more for the garbage collector to walk on each pass.
        by_custodian: dict[str, list[InventoryItem]] = {}
        for record in records.values():
            by_custodian.setdefault(record.custodian, []).append(record)
        self._items = records
        self._by_custodian = by_custodian

    @property
    def items(self) -> Mapping[str, InventoryItem]:
        """The items by id, as checked :class:`~beacon_org.InventoryItem` records (read-only).

        Examples
        --------
        >>> from beacon_org.testing import sample_items
        >>> bo.ItemIndex(sample_items()).items["kit-org-1"].custodian
        '@org'
        """
        return MappingProxyType(self._items)

    @property
    def custodians(self) -> frozenset[str]:
        """Every id that holds at least one item (users, :data:`~beacon_org.ORG_CUSTODY`, others).

        Examples
        --------
        >>> from beacon_org.testing import sample_items
        >>> "@org" in bo.ItemIndex(sample_items()).custodians
        True
        """
        return frozenset(self._by_custodian)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[InventoryItem]:
        return iter(self._items.values())

    def __contains__(self, item_id: object) -> bool:
        try:
            return item_id in self._items
        except TypeError:  # an unhashable id names no item
            return False

    def __repr__(self) -> str:
        return f"<ItemIndex of {len(self._items)} items>"

    def held_by(self, custodian_id: str) -> tuple[InventoryItem, ...]:
        """The items in ``custodian_id``'s custody, usable or not, in the order given.

        Examples
        --------
        >>> from beacon_org.testing import sample_items
        >>> [item.id for item in bo.ItemIndex(sample_items()).held_by("dist-a")]
        ['screw-a-1', 'screw-a-2', 'plate-a-old']
        """
        return tuple(self._held(custodian_id))

    def ids_held_by(self, custodian_id: str) -> frozenset[str]:
        """The ids of the items in ``custodian_id``'s custody, usable or not.

        Examples
        --------
        >>> from beacon_org.testing import sample_items
        >>> sorted(bo.ItemIndex(sample_items()).ids_held_by("rep-a1"))
        ['drill-a1', 'screw-a1-spare']
        """
        return frozenset([r.id for r in self._held(custodian_id)])

    def usable_of(self, custodian_id: str) -> frozenset[str]:
        """The ids of ``custodian_id``'s items that are active and not on hold (expiry aside).

        What :meth:`Custody.usable_inventory` counts of a custodian without a date.

        Examples
        --------
        >>> from beacon_org.testing import sample_items
        >>> sorted(bo.ItemIndex(sample_items()).usable_of("dist-a"))
        ['plate-a-old', 'screw-a-1', 'screw-a-2']
        """
        return frozenset([r.id for r in self._held(custodian_id) if r.active and not r.on_hold])

    def _held(self, custodian_id: str) -> list[InventoryItem]:
        try:
            return self._by_custodian.get(custodian_id, _NONE)
        except TypeError:  # an unhashable id holds nothing
            return _NONE
