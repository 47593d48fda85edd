"""Inventory items indexed by custodian, so questions over items cost in proportion to the answer."""

from __future__ import annotations

import bisect
import datetime as _dt
from collections.abc import Iterable
from typing import Protocol

from ._item_index import ItemIndex as CheckedItems

__all__ = ["ItemIndex", "ItemLike"]

_EMPTY: frozenset[str] = frozenset()


class ItemLike(Protocol):
    """What ``Custody`` reads from an item: :class:`~beacon_org.InventoryItem` or a service's row."""

    @property
    def id(self) -> str: ...
    @property
    def custodian(self) -> str: ...
    @property
    def active(self) -> bool: ...
    @property
    def expires(self) -> _dt.date | None: ...

    # ``on_hold`` is read too when a row has it; a row without it is not on hold.


class ItemIndex:
    """A fixed collection of items (checked as :class:`~beacon_org.InventoryItem` records), by id
    and by custodian: every item, the usable ones (active and not on hold), and the usable ones
    without / with an expiry (sorted by date, so a date cuts them with one bisection)."""

    __slots__ = ("active", "all", "dated", "held", "records", "undated", "usable_custodian")

    def __init__(self, items: Iterable[ItemLike]) -> None:
        # The items checked and grouped by custodian once, by the public index (given one, as
        # it is: nothing is checked again); then the tables Custody's questions read.
        checked = items if isinstance(items, CheckedItems) else CheckedItems(items)
        records = dict(checked.items)
        self.records = records
        self.all = frozenset(records)
        self.held: dict[str, frozenset[str]] = {}
        self.active: dict[str, frozenset[str]] = {}
        self.undated: dict[str, frozenset[str]] = {}
        self.dated: dict[str, tuple[list[_dt.date], tuple[str, ...]]] = {}
        for custodian in checked.custodians:
            group = checked.held_by(custodian)
            self.held[custodian] = frozenset([r.id for r in group])
            active = [r for r in group if r.active and not r.on_hold]
            if not active:
                continue
            self.active[custodian] = frozenset([r.id for r in active])
            self.undated[custodian] = frozenset([r.id for r in active if r.expires is None])
            dated = sorted([(r.expires, r.id) for r in active if r.expires is not None])
            if dated:
                self.dated[custodian] = ([d for d, _ in dated], tuple([i for _, i in dated]))
        # item id -> custodian, for usable items only: can_use's one look-up for the item.
        self.usable_custodian = {
            i: r.custodian for i, r in records.items() if r.active and not r.on_hold
        }

    def usable(self, custodians: Iterable[str], on: _dt.date | None) -> frozenset[str]:
        """The usable items of ``custodians`` (unexpired on ``on``, when given)."""
        if on is None:
            parts = [self.active.get(c, _EMPTY) for c in custodians]
        else:
            parts = [self._usable_on(c, on) for c in custodians]
        if not parts:
            return _EMPTY
        return parts[0] if len(parts) == 1 else _EMPTY.union(*parts)

    def _usable_on(self, custodian: str, on: _dt.date) -> frozenset[str]:
        undated = self.undated.get(custodian, _EMPTY)
        dated = self.dated.get(custodian)
        if dated is None:
            return undated
        dates, ids = dated
        first = bisect.bisect_left(dates, on)  # the first item still good on `on`
        if first == len(ids):
            return undated
        return undated.union(ids[first:])
