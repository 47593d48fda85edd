"""The transfer questions of :class:`~beacon_org.Custody`: advice, accepting, declining, settling
and releasing, as its methods over the procedure in ``_advice`` and ``_lifecycle``.

They are procedure that uses the rules (who may act, who may hold items), not permissions of the
rule table, so they live apart from ``Custody``'s permission questions, which it inherits them with.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import cast

from .._model import InventoryItem
from . import _advice, _lifecycle
from ._records import Decision, Finding
from ._transfer import Settlement, Transfer, TransferStatus

__all__ = ["TransferQuestions"]


class TransferQuestions:
    """Methods of :class:`~beacon_org.Custody` (its base class; not used alone)."""

    __slots__ = ()

    def _lifecycle_view(self) -> _lifecycle.CustodyRules:
        return cast("_lifecycle.CustodyRules", self)

    def _rules_view(self) -> _advice.AdviceRules:
        return cast("_advice.AdviceRules", self)

    # --- advice ------------------------------------------------------------------------------------

    def transfer_advice(
        self, item_id: str, to_id: str, *, on: _dt.date | None = None
    ) -> list[Finding]:
        """Return the setup guide's advice on transferring item ``item_id`` to ``to_id``.

        Errors say the transfer cannot go ahead, warnings that it needs a look, advice is the
        guide's recommendation (codes are listed in the *Custody* docs page): ``unknown-item``,
        ``unknown-recipient``, ``recipient-inactive``, ``recipient-cannot-hold``,
        ``already-custodian``, ``item-inactive``, ``item-on-hold`` (errors); ``item-expired``
        (with ``on``), ``unknown-custodian``, ``recipient-locked`` (warnings);
        ``transfer-to-distributor``, ``recipient-custodian-only`` (advice). No finding means
        nothing to add.

        Examples
        --------
        >>> from beacon_org.testing import sample_org, sample_items
        >>> custody = bo.Custody(sample_org(), sample_items())
        >>> [f.code for f in custody.transfer_advice("kit-org-1", "rep-a1")]
        ['transfer-to-distributor']
        >>> custody.transfer_advice("kit-org-1", "rm-west")[0].severity
        <Severity.ERROR: 'error'>
        >>> custody.transfer_advice("kit-org-1", "dist-a")
        []
        """
        return _advice.transfer_advice(self._rules_view(), item_id, to_id, on=on)

    # --- the transfer lifecycle ------------------------------------------------------------------

    def can_accept(self, user_id: str, transfer: Transfer) -> Decision:
        """Decide whether ``user_id`` may accept a pending ``transfer``, moving custody to its recipient.

        The recipient accepts, or someone who acts for it ("Receiving a Transfer"): org-wide roles
        (the only ones for :data:`~beacon_org.ORG_CUSTODY`), the recipient's distributor (a
        distributor acts for itself and its reps), or the regional manager of the recipient's
        region. A sales user cannot accept a transfer it started, and a recipient that can no
        longer hold inventory cannot receive it. A grant's ``path`` runs from the user to the
        transfer id.

        Denial reasons: those of any actor (``unknown-user``, ``inactive``, ``locked``,
        ``custodian-only``), ``transfer-not-pending``, ``unknown-user`` for an unknown recipient,
        ``not-recipient``, ``started-by-self``, ``recipient-inactive``, ``recipient-cannot-hold``.

        Examples
        --------
        >>> from beacon_org.testing import sample_org, sample_items
        >>> custody = bo.Custody(sample_org(), sample_items())
        >>> t = bo.Transfer(id="t-1", item_ids=["screw-a-1"], sender="dist-a",
        ...                 recipient="rep-a1", started_by="rep-a1")
        >>> custody.can_accept("rep-a1", t).reason, custody.can_accept("dist-a", t).path
        ('started-by-self', ('dist-a', 'rep-a1', 't-1'))
        """
        return _lifecycle.can_accept(self._lifecycle_view(), user_id, transfer)

    def can_decline(self, user_id: str, transfer: Transfer) -> Decision:
        """Decide whether ``user_id`` may decline a pending ``transfer``.

        The same people as for :meth:`can_accept`, and, as there, never a sales user for a transfer
        it started ("Receiving a Transfer"); whatever the recipient's state, since a decline moves
        nothing to it. A decline by an org-wide user is final; anyone else's puts the items on hold
        (see :meth:`settle`).

        Examples
        --------
        >>> from beacon_org.testing import sample_org, sample_items
        >>> custody = bo.Custody(sample_org(), sample_items())
        >>> t = bo.Transfer(id="t-1", item_ids=["screw-a-1"], sender="dist-a",
        ...                 recipient="rep-a1", started_by="rep-a1")
        >>> custody.can_decline("rep-a1", t).reason, custody.can_decline("rep-b1", t).reason
        ('started-by-self', 'not-recipient')
        >>> custody.can_decline("dist-a", t).reason
        'distributor-of-rep'
        """
        return _lifecycle.can_decline(self._lifecycle_view(), user_id, transfer)

    def settle(
        self, transfer: Transfer, outcome: TransferStatus | str, *, by: str | None = None
    ) -> Settlement:
        """Return what becomes of a pending ``transfer`` when it is accepted or declined.

        ``outcome`` is ``"accepted"`` (custody moves to the recipient) or ``"declined"``: the items
        go back to the sender **on hold** and the transfer's status is ``hold``, for the back office
        to review and release (:meth:`release`), except when ``by`` is an org-wide user: then the
        items are back at once and the status is ``declined`` ("Receiving a Transfer"). With
        ``by``, the user who accepts or declines, :meth:`can_accept` or :meth:`can_decline` must
        allow it. Nothing changes in place: apply the returned :class:`~beacon_org.Settlement` to
        your items.

        Raises
        ------
        TransferError
            If the transfer is not pending, one of its items is unknown or not held by the sender,
            an accepted transfer holds an inactive item or one on hold, its recipient cannot hold
            inventory, or ``by`` may not do this.
        InvalidValueError
            If ``outcome`` is not accepted or declined.

        Examples
        --------
        >>> from beacon_org.testing import sample_org, sample_items
        >>> custody = bo.Custody(sample_org(), sample_items())
        >>> t = bo.Transfer(id="t-1", item_ids=["plate-b-1"], sender="dist-b",
        ...                 recipient="rep-b1", started_by="dist-b")
        >>> s = custody.settle(t, "declined", by="rep-b1")
        >>> s.status, s.custodians
        (<TransferStatus.HOLD: 'hold'>, (('plate-b-1', 'dist-b'),))
        >>> [(i.custodian, i.on_hold) for i in s.apply(sample_items()) if i.id == "plate-b-1"]
        [('dist-b', True)]
        >>> custody.settle(t, "accepted", by="rep-b1").custodians
        (('plate-b-1', 'rep-b1'),)
        >>> custody.settle(t, "declined", by="admin-1").status
        <TransferStatus.DECLINED: 'declined'>
        """
        return _lifecycle.settle(self._lifecycle_view(), transfer, outcome, by=by)

    # --- releasing held items ----------------------------------------------------------------------

    def can_release(self, user_id: str, item_id: str) -> Decision:
        """Decide whether ``user_id`` may release item ``item_id`` from hold.

        A declined transfer puts its items on hold with the sender for the back office to review
        and confirm ("Receiving a Transfer"): only org-wide users release them. The item stays
        with its custodian. A grant's ``path`` is the user, then the item.

        Denial reasons: those of any actor (``unknown-user``, ``inactive``, ``locked``,
        ``custodian-only``), ``not-org-wide``, ``unknown-item`` and ``item-not-on-hold``.

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> custody = bo.Custody(sample_org(), [bo.InventoryItem("kit-1", "rep-a1", on_hold=True)])
        >>> print(custody.can_release("ops-1", "kit-1"))
        allowed (org-wide): ops-1 → kit-1
        >>> custody.can_release("dist-a", "kit-1").reason
        'not-org-wide'
        """
        return _lifecycle.can_release(self._lifecycle_view(), user_id, item_id)

    def release(self, user_id: str, item_ids: Iterable[str]) -> tuple[InventoryItem, ...]:
        """Return this custody's items, in their order, with ``item_ids`` no longer on hold.

        Each item keeps its custodian; nothing changes in place (build a new ``Custody`` over the
        result). :meth:`can_release` must allow ``user_id`` every item named.

        Raises
        ------
        TransferError
            If ``user_id`` may not release one of the items (the message gives the reason).
        InvalidValueError
            If ``item_ids`` is not a collection of ids.

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> held = [bo.InventoryItem("kit-1", "rep-a1", on_hold=True), bo.InventoryItem("kit-2", "rep-a1")]
        >>> custody = bo.Custody(sample_org(), held)
        >>> custody.can_use("rep-a1", "kit-1").reason
        'item-on-hold'
        >>> released = custody.release("admin-1", ["kit-1"])
        >>> [(i.id, i.custodian, i.on_hold) for i in released]
        [('kit-1', 'rep-a1', False), ('kit-2', 'rep-a1', False)]
        >>> custody.release("rep-a1", ["kit-1"])
        Traceback (most recent call last):
        ...
        beacon_org.TransferError: 'rep-a1' may not release item 'kit-1' (not-org-wide)
        """
        return _lifecycle.release(self._lifecycle_view(), user_id, item_ids)
