"""The transfer lifecycle as values: a ``Transfer`` record, its status and the ``Settlement`` of one.

A transfer moves items from a sender's custody to a recipient. It is pending until the recipient
(or someone who acts for it) accepts, so custody moves, or declines, so the items go back to the
sender on hold until the back office reviews and releases them ("Receiving a Transfer"). These
records only describe; :class:`~beacon_org.Custody` decides (its rules are in ``_lifecycle``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

import attrs

from .._errors import InvalidValueError
from .._model import InventoryItem
from ._rows import item_records

__all__ = ["Settlement", "Transfer", "TransferStatus"]


class TransferStatus(enum.StrEnum):
    """Where a transfer stands.

    ``pending`` waits for the recipient; ``accepted`` moved custody; ``hold`` was declined by
    someone other than an org-wide user: the items are back with the sender **on hold**, neither
    usable nor movable until the back office (an org-wide user) reviews and releases them
    (:meth:`Custody.release <beacon_org.Custody.release>`); ``declined`` was declined by an
    org-wide user, and the items are back with the sender at once.

    Examples
    --------
    >>> bo.TransferStatus("hold").is_settled, bo.TransferStatus.PENDING.is_settled
    (True, False)
    """

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    HOLD = "hold"

    @property
    def is_settled(self) -> bool:
        """True once the transfer is no longer pending."""
        return self is not TransferStatus.PENDING


def _to_status(value: object) -> TransferStatus:
    if isinstance(value, TransferStatus):
        return value
    try:
        return TransferStatus(value)  # type: ignore[arg-type]  # any value is tried; a miss is caught
    except (ValueError, TypeError):
        expected = ", ".join(s.value for s in TransferStatus)
        msg = f"{value!r} is not a transfer status; expected one of {expected}"
        raise InvalidValueError(msg, field="status", value=value) from None


def _to_item_ids(value: object) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        msg = f"'item_ids' must be a collection of item ids (got {value!r})"
        raise InvalidValueError(msg, field="item_ids", value=value)
    ids = tuple(value)
    if not ids:
        msg = "'item_ids' must name at least one item (got an empty collection)"
        raise InvalidValueError(msg, field="item_ids", value=value)
    seen: set[str] = set()
    for item_id in ids:
        if not isinstance(item_id, str) or not item_id:
            msg = f"'item_ids' must hold non-empty strings (got {item_id!r})"
            raise InvalidValueError(msg, field="item_ids", value=value)
        if item_id in seen:
            msg = f"'item_ids' names item {item_id!r} twice"
            raise InvalidValueError(msg, field="item_ids", value=value)
        seen.add(item_id)
    return ids


def _id(field: str) -> Any:
    def check(_inst: object, _attr: object, value: object) -> None:
        if not isinstance(value, str) or not value:
            msg = f"'{field}' must be a non-empty string (got {value!r})"
            raise InvalidValueError(msg, field=field, value=value)

    return check


@attrs.frozen(kw_only=True)
class Transfer:
    """A transfer of one or more items from ``sender``'s custody to ``recipient``.

    ``sender`` is the custodian the items leave (a user id or :data:`~beacon_org.ORG_CUSTODY`);
    ``started_by`` is the user who created the transfer: the sender itself, or someone who may move
    the sender's items (its distributor, a regional manager, back office, or a rep of a sharing
    distributor). ``item_ids`` keeps its order and names each item once.

    Examples
    --------
    >>> t = bo.Transfer(id="t-1", item_ids=["screw-a-1"], sender="dist-a",
    ...                 recipient="rep-b1", started_by="rep-a1")
    >>> t.status, t.item_ids
    (<TransferStatus.PENDING: 'pending'>, ('screw-a-1',))
    >>> bo.Transfer(id="t-2", item_ids=["x"], sender="rep-b1", recipient="rep-b1",
    ...             started_by="rep-b1")
    Traceback (most recent call last):
    ...
    beacon_org.InvalidValueError: transfer 't-2': sender and recipient are both 'rep-b1'
    """

    id: str = attrs.field(validator=_id("id"))
    item_ids: tuple[str, ...] = attrs.field(converter=_to_item_ids)
    sender: str = attrs.field(validator=_id("sender"))
    recipient: str = attrs.field(validator=_id("recipient"))
    started_by: str = attrs.field(validator=_id("started_by"))
    status: TransferStatus = attrs.field(default=TransferStatus.PENDING, converter=_to_status)

    @recipient.validator
    def _not_sender(self, _attr: object, value: str) -> None:
        if value == self.sender:
            msg = f"transfer {self.id!r}: sender and recipient are both {value!r}"
            raise InvalidValueError(msg, field="recipient", value=value)


@attrs.frozen(kw_only=True)
class Settlement:
    """The outcome of settling a transfer: its new status and where each of its items now is.

    ``custodians`` pairs each item id of the transfer, in the transfer's order, with its custodian
    after settlement: the recipient when accepted, the sender otherwise. After a decline into
    ``hold`` the items are also on hold. Nothing is changed in place; :meth:`apply` gives the new
    item records.

    Examples
    --------
    >>> t = bo.Transfer(id="t-1", item_ids=["kit-1"], sender="dist-a", recipient="rep-a1",
    ...                 started_by="dist-a", status="accepted")
    >>> s = bo.Settlement(transfer=t, custodians=(("kit-1", "rep-a1"),))
    >>> s.status, dict(s.custodians)
    (<TransferStatus.ACCEPTED: 'accepted'>, {'kit-1': 'rep-a1'})
    """

    transfer: Transfer
    custodians: tuple[tuple[str, str], ...]

    @property
    def status(self) -> TransferStatus:
        """The transfer's status after settlement."""
        return self.transfer.status

    def apply(self, items: Iterable[Any]) -> tuple[InventoryItem, ...]:
        """Return ``items`` as :class:`~beacon_org.InventoryItem` records with the new custodians.

        After a decline into ``hold``, the transfer's items are back with the sender and
        ``on_hold``. Items that are not part of the transfer are returned as they are. Order is
        kept; any object with ``id``, ``custodian``, ``active`` and ``expires`` is accepted, as by
        ``Custody``.

        Examples
        --------
        >>> t = bo.Transfer(id="t-1", item_ids=["kit-1"], sender="dist-a",
        ...                 recipient="rep-a1", started_by="dist-a", status="accepted")
        >>> s = bo.Settlement(transfer=t, custodians=(("kit-1", "rep-a1"),))
        >>> [(i.id, i.custodian) for i in s.apply([bo.InventoryItem("kit-1", "dist-a"),
        ...                                         bo.InventoryItem("kit-2", "dist-a")])]
        [('kit-1', 'rep-a1'), ('kit-2', 'dist-a')]
        >>> declined = bo.Transfer(id="t-2", item_ids=["kit-1"], sender="dist-a",
        ...                        recipient="rep-a1", started_by="dist-a", status="hold")
        >>> held = bo.Settlement(transfer=declined, custodians=(("kit-1", "dist-a"),))
        >>> [(i.custodian, i.on_hold) for i in held.apply([bo.InventoryItem("kit-1", "dist-a")])]
        [('dist-a', True)]
        """
        moved = dict(self.custodians)
        hold = self.transfer.status is TransferStatus.HOLD
        out: list[InventoryItem] = []
        for record in item_records(items).values():
            custodian = moved.get(record.id)
            if custodian is not None:
                if hold and not record.on_hold:
                    record = attrs.evolve(record, custodian=custodian, on_hold=True)
                elif custodian != record.custodian:
                    record = attrs.evolve(record, custodian=custodian)
            out.append(record)
        return tuple(out)
