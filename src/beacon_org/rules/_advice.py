"""The setup guide's advice on a transfer: what stops it, what needs a look, what the guide suggests.

``Custody.transfer_advice`` delegates here. The advice reads a :class:`AdviceRules` (a
``Custody``): its org, its items and whether a distributor's pool is open to its reps.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Protocol

from .._model import ORG_CUSTODY, InventoryItem, User
from .._org import Org
from ._records import Finding, Severity
from ._rows import check_on

__all__ = ["AdviceRules", "transfer_advice"]


class AdviceRules(Protocol):
    """What the advice reads from a :class:`~beacon_org.Custody`."""

    @property
    def org(self) -> Org: ...
    @property
    def items(self) -> Mapping[str, InventoryItem]: ...

    def _shares(self, distributor_id: str) -> bool:
        """True when ``distributor_id``'s pool is open to its reps (it shares and is active)."""
        ...


def _finding(code: str, severity: Severity, subject: str, message: str) -> Finding:
    return Finding(code=code, severity=severity, subject=subject, message=message)


def transfer_advice(
    custody: AdviceRules, item_id: str, to_id: str, *, on: _dt.date | None = None
) -> list[Finding]:
    """Return the advice on transferring ``item_id`` to ``to_id``; see ``Custody.transfer_advice``."""
    if on is not None:
        on = check_on(on)
    users = custody.org.users
    findings: list[Finding] = []
    record = custody.items.get(item_id) if isinstance(item_id, str) else None
    if record is None:
        msg = f"no item {item_id!r} is known"
        findings.append(_finding("unknown-item", Severity.ERROR, str(item_id), msg))
    recipient: User | None = None
    if to_id != ORG_CUSTODY:
        recipient = users.get(to_id) if isinstance(to_id, str) else None
        if recipient is None:
            msg = f"no user {to_id!r} is known to receive the item"
            findings.append(_finding("unknown-recipient", Severity.ERROR, str(to_id), msg))
            return findings
    if record is not None:
        findings.extend(_item_advice(users, record, to_id, on))
    if recipient is not None:
        findings.extend(_recipient_advice(custody, recipient))
    return findings


def _item_advice(
    users: Mapping[str, User], record: InventoryItem, to_id: str, on: _dt.date | None
) -> list[Finding]:
    findings: list[Finding] = []
    item_id, custodian = record.id, record.custodian
    if custodian == to_id:
        msg = f"{item_id} is already in the custody of {to_id}"
        findings.append(_finding("already-custodian", Severity.ERROR, item_id, msg))
    if custodian != ORG_CUSTODY and custodian not in users:
        msg = f"{item_id} is held by {custodian!r}, which is not a user of the org; only back office can move it"
        findings.append(_finding("unknown-custodian", Severity.WARNING, item_id, msg))
    if not record.active:
        msg = f"{item_id} is inactive (used on a closed case or deactivated): inactive inventory can no longer be used or transferred"
        findings.append(_finding("item-inactive", Severity.ERROR, item_id, msg))
    elif record.on_hold:
        msg = f"{item_id} is on hold after a declined transfer: back office must review and release it before it moves again"
        findings.append(_finding("item-on-hold", Severity.ERROR, item_id, msg))
    elif on is not None and record.expires is not None and record.expires < on:
        msg = f"{item_id} expired on {record.expires.isoformat()}: the recipient cannot use it"
        findings.append(_finding("item-expired", Severity.WARNING, item_id, msg))
    return findings


def _recipient_advice(custody: AdviceRules, recipient: User) -> list[Finding]:
    to_id = recipient.id
    if not recipient.active:
        msg = f"{to_id} is deactivated: a deactivated user cannot hold inventory"
        return [_finding("recipient-inactive", Severity.ERROR, to_id, msg)]
    if not recipient.role.can_hold_inventory:
        msg = f"{to_id} is a {recipient.role.value}: regional managers, admins and operations never hold inventory"
        return [_finding("recipient-cannot-hold", Severity.ERROR, to_id, msg)]
    findings: list[Finding] = []
    if recipient.locked:
        msg = f"{to_id} is still locked (Training Complete not checked): it cannot accept the transfer or use the item until it is"
        findings.append(_finding("recipient-locked", Severity.WARNING, to_id, msg))
    if recipient.custodian_only:
        msg = f"{to_id} is custodian-only and never acts: someone who acts for it (back office, its distributor or regional manager) must accept the transfer"
        findings.append(_finding("recipient-custodian-only", Severity.ADVICE, to_id, msg))
    distributor = custody.org.distributor_of(to_id)
    if distributor is not None and custody._shares(distributor):
        msg = (
            f"{to_id}'s distributor {distributor} shares its inventory: transfer to "
            f"{distributor} instead, unless the item is meant for {to_id} alone"
        )
        findings.append(_finding("transfer-to-distributor", Severity.ADVICE, to_id, msg))
    return findings
