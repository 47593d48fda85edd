"""The transfer lifecycle's rules: who may accept, decline or release, and what settling gives.

``Custody.can_accept``, ``can_decline``, ``settle``, ``can_release`` and ``release`` delegate here.
The functions read a :class:`CustodyRules` (a ``Custody``): its org, its items, and the two
permission checks the lifecycle shares with ``can_transfer`` (may this user act; may this
recipient hold inventory). Nothing here imports ``Custody``, so imports point one way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

import attrs

from .._errors import InvalidValueError, TransferError
from .._model import ORG_CUSTODY, InventoryItem, Role, User
from .._org import Org
from ._compile import Look
from ._records import Decision
from ._transfer import Settlement, Transfer, TransferStatus, _to_status

__all__ = ["CustodyRules", "can_accept", "can_decline", "can_release", "release", "settle"]

# Denials that never depend on who asks or what about: built once and handed out as they are.
_UNKNOWN_USER = Decision(allowed=False, reason="unknown-user")
_UNKNOWN_ITEM = Decision(allowed=False, reason="unknown-item")
_NOT_RECIPIENT = Decision(allowed=False, reason="not-recipient")
_NOT_ORG_WIDE = Decision(allowed=False, reason="not-org-wide")
_ITEM_NOT_ON_HOLD = Decision(allowed=False, reason="item-not-on-hold")
_NOT_PENDING = Decision(allowed=False, reason="transfer-not-pending")
_STARTED_BY_SELF = Decision(allowed=False, reason="started-by-self")


class CustodyRules(Protocol):
    """What the lifecycle reads from a :class:`~beacon_org.Custody`."""

    @property
    def org(self) -> Org: ...
    @property
    def items(self) -> Mapping[str, InventoryItem]: ...

    def _actor(self, user_id: object) -> User | Decision:
        """The known user ``user_id`` when it may act, else its denial."""
        ...

    def _recipient_denial(self, to_id: object) -> Decision | None:
        """Why ``to_id`` may not receive items, or None when it may."""
        ...

    def _look(self, permission: str, user_id: object) -> Look | Decision:
        """``user_id``'s compiled look-up for ``permission``, or the denial of a user that may not act."""
        ...


def check_transfer(transfer: object) -> None:
    """Raise :class:`~beacon_org.InvalidValueError` unless ``transfer`` is a ``bo.Transfer``."""
    if not isinstance(transfer, Transfer):
        msg = f"expected a bo.Transfer (got {transfer!r})"
        raise InvalidValueError(msg, field="transfer", value=transfer)


def _acts_for(custody: CustodyRules, user: User, transfer: Transfer) -> Decision:
    # Who acts for a transfer's recipient ("Receiving a Transfer"): the rule table's
    # act_for_recipient, compiled for `user` (who may act).
    recipient_id = transfer.recipient
    if recipient_id != ORG_CUSTODY and recipient_id not in custody.org.view.users:
        return _UNKNOWN_USER
    look = custody._look("act_for_recipient", user.id)
    if isinstance(look, Decision):  # pragma: no cover - the caller checked that `user` may act
        return look
    entry = look.match(transfer)
    return _NOT_RECIPIENT if entry is None else entry[transfer.id]


def _answer(custody: CustodyRules, user_id: str, transfer: Transfer) -> Decision:
    # Who may answer a pending transfer, accepting or declining alike: someone who acts for its
    # recipient, and never a sales user for a transfer it started.
    check_transfer(transfer)
    actor = custody._actor(user_id)
    if isinstance(actor, Decision):
        return actor
    if transfer.status is not TransferStatus.PENDING:
        return _NOT_PENDING
    grant = _acts_for(custody, actor, transfer)
    if grant.allowed and actor.role is Role.SALES and transfer.started_by == actor.id:
        return _STARTED_BY_SELF
    return grant


def can_accept(custody: CustodyRules, user_id: str, transfer: Transfer) -> Decision:
    """Decide whether ``user_id`` may accept ``transfer``; see ``Custody.can_accept``."""
    grant = _answer(custody, user_id, transfer)
    if not grant.allowed:
        return grant
    denial = custody._recipient_denial(transfer.recipient)  # only an accept moves items to it
    return grant if denial is None else denial


def can_decline(custody: CustodyRules, user_id: str, transfer: Transfer) -> Decision:
    """Decide whether ``user_id`` may decline ``transfer``; see ``Custody.can_decline``."""
    return _answer(custody, user_id, transfer)


def settle(
    custody: CustodyRules,
    transfer: Transfer,
    outcome: TransferStatus | str,
    *,
    by: str | None = None,
) -> Settlement:
    """Return what becomes of a pending ``transfer``; see ``Custody.settle``."""
    check_transfer(transfer)
    result = _to_status(outcome)
    if result not in (TransferStatus.ACCEPTED, TransferStatus.DECLINED):
        msg = f"outcome must be 'accepted' or 'declined' (got {str(result)!r})"
        raise InvalidValueError(msg, field="outcome", value=outcome)
    if transfer.status is not TransferStatus.PENDING:
        msg = f"transfer {transfer.id!r} is already {transfer.status.value}; only a pending transfer settles"
        raise TransferError(msg)
    accepted = result is TransferStatus.ACCEPTED
    _check_items(custody.items, transfer, accepted)
    org_wide = False
    if by is not None:
        decision = (can_accept if accepted else can_decline)(custody, by, transfer)
        if not decision.allowed:
            verb = "accept" if accepted else "decline"
            msg = f"{by!r} may not {verb} transfer {transfer.id!r} ({decision.reason})"
            raise TransferError(msg)
        org_wide = custody.org.users[by].role.is_org_wide
    if accepted:
        denial = custody._recipient_denial(transfer.recipient)
        if denial is not None:
            msg = f"transfer {transfer.id!r}: recipient {transfer.recipient!r} cannot hold inventory ({denial.reason})"
            raise TransferError(msg)
        status, custodian = TransferStatus.ACCEPTED, transfer.recipient
    else:
        status = TransferStatus.DECLINED if org_wide else TransferStatus.HOLD
        custodian = transfer.sender
    return Settlement(
        transfer=attrs.evolve(transfer, status=status),
        custodians=tuple((item_id, custodian) for item_id in transfer.item_ids),
    )


def _check_items(items: Mapping[str, InventoryItem], transfer: Transfer, accepted: bool) -> None:
    # Every item must be known and with the sender; an accepted transfer moves only movable items.
    for item_id in transfer.item_ids:
        record = items.get(item_id)
        if record is None:
            msg = f"transfer {transfer.id!r}: no item {item_id!r} is known"
            raise TransferError(msg)
        if record.custodian != transfer.sender:
            msg = (
                f"transfer {transfer.id!r}: item {item_id!r} is held by "
                f"{record.custodian!r}, not by the sender {transfer.sender!r}"
            )
            raise TransferError(msg)
        if accepted and (not record.active or record.on_hold):
            # Inactive and held items move for nobody; a decline leaves them where they are.
            state = "inactive" if not record.active else "on hold"
            msg = f"transfer {transfer.id!r}: item {item_id!r} is {state} and cannot move"
            raise TransferError(msg)


def can_release(custody: CustodyRules, user_id: str, item_id: str) -> Decision:
    """Decide whether ``user_id`` may release ``item_id`` from hold; see ``Custody.can_release``."""
    actor = custody._actor(user_id)
    if isinstance(actor, Decision):
        return actor
    if not actor.role.is_org_wide:
        return _NOT_ORG_WIDE
    record = custody.items.get(item_id) if isinstance(item_id, str) else None
    if record is None:
        return _UNKNOWN_ITEM
    if not record.on_hold:
        return _ITEM_NOT_ON_HOLD
    return Decision(allowed=True, reason="org-wide", path=(actor.id, record.id))


def release(
    custody: CustodyRules, user_id: str, item_ids: Iterable[str]
) -> tuple[InventoryItem, ...]:
    """Return the custody's items with ``item_ids`` no longer on hold; see ``Custody.release``."""
    if isinstance(item_ids, str | bytes) or not isinstance(item_ids, Iterable):
        msg = f"'item_ids' must be a collection of item ids (got {item_ids!r})"
        raise InvalidValueError(msg, field="item_ids", value=item_ids)
    named = list(item_ids)
    for item_id in named:
        decision = can_release(custody, user_id, item_id)
        if not decision.allowed:
            msg = f"{user_id!r} may not release item {item_id!r} ({decision.reason})"
            raise TransferError(msg)
    released = set(named)
    return tuple(
        attrs.evolve(record, on_hold=False) if record.id in released else record
        for record in custody.items.values()
    )
