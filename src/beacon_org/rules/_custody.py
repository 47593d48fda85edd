"""Custody rules: which items a user may use, see and move.

Thin questions over the rule table's compiled look-ups (:mod:`._compile`: per asking user, the
custodians whose items it uses, sees or moves, each with the start of its path). ``Custody``
indexes the items once by custodian, so list answers cost in proportion to the answer and yes/no
answers are a few dictionary look-ups. Its transfer advice (``_advice``) and the transfer
lifecycle (``_lifecycle``: accept, decline, settle, release) are its methods too, inherited from
``_transfers.TransferQuestions``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from .._errors import InvalidValueError
from .._model import InventoryItem, User
from .._org import Org
from . import _checks
from ._compile import Compiled, Grants, Look, denial, grant
from ._explain import missing_edge
from ._inventory import ItemIndex, ItemLike
from ._records import Decision
from ._rows import check_on as _check_on
from ._table import (
    ALREADY_CUSTODIAN,
    RECIPIENT_CANNOT_HOLD,
    RULES,
    UNKNOWN_ITEM,
    UNKNOWN_USER,
    RuleTable,
)
from ._transfers import TransferQuestions
from ._walk import NODE_CONDITIONS

__all__ = ["Custody", "ItemLike"]

_EMPTY: frozenset[str] = frozenset()
_UNKNOWN_USER = Decision(allowed=False, reason=UNKNOWN_USER)
_UNKNOWN_ITEM = Decision(allowed=False, reason=UNKNOWN_ITEM)
_ALREADY_CUSTODIAN = Decision(allowed=False, reason=ALREADY_CUSTODIAN)
_RECIPIENT_CANNOT_HOLD = Decision(allowed=False, reason=RECIPIENT_CANNOT_HOLD)


class Custody(TransferQuestions):
    """The custody rules of an org over a collection of inventory items.

    ``items`` is any iterable of :class:`~beacon_org.InventoryItem` or of objects with the same
    attributes (``id``, ``custodian``, ``active``, and ``expires`` and ``on_hold`` if they have
    them);
    it is read once and indexed by custodian. Like its org, a ``Custody`` never changes: build a new one for new items or a new org.

    An item whose custodian is neither a user of the org nor :data:`~beacon_org.ORG_CUSTODY` is kept:
    org-wide roles see it and may move it, nobody may use it, and :meth:`transfer_advice` warns
    about it.

    Parameters
    ----------
    org : Org
        The org snapshot whose users, groups, regions and sharing settings apply.
    items : iterable of InventoryItem or item-like objects
        The inventory. Item ids must be unique.

    Raises
    ------
    DuplicateIdError
        If two items have the same id.
    InvalidValueError
        If ``org`` is not an ``Org`` or an item is malformed; the message names the item.

    Examples
    --------
    >>> from beacon_org.testing import sample_org, sample_items
    >>> custody = bo.Custody(sample_org(), sample_items())
    >>> sorted(custody.usable_inventory("rep-a1"))
    ['drill-a1', 'plate-a-old', 'screw-a-1', 'screw-a-2']
    >>> custody.can_use("rep-a1", "screw-a-1")
    Decision(allowed=True, reason='shared-inventory', path=('rep-a1', 'dist-a', 'screw-a-1'), suggestion=None)
    >>> custody.can_use("rep-b1", "screw-a-1").reason
    'not-custodian'
    """

    __slots__ = ("_compiled", "_direct", "_index", "_item_denials", "_org", "_usable", "_use")

    def __init__(
        self, org: Org, items: Iterable[ItemLike] = (), *, _rules: RuleTable = RULES
    ) -> None:
        if not isinstance(org, Org):
            msg = f"Custody needs an Org (got {org!r})"
            raise InvalidValueError(msg, field="org", value=org)
        self._org = org
        self._compiled = compiled = Compiled(org.view, _rules)
        # can_use's hot path reads an item's holder (the first hop of every use_item grant of
        # the real table) from the compiled look-ups; a table with other first hops always
        # takes the full path.
        self._direct = compiled.hops(_rules.permission("use_item")) == ("holder",)
        self._use = compiled.looks["use_item"] if self._direct else {}
        # The denials of an item's own state, from the table's conditions.
        self._item_denials = {
            c: Decision(allowed=False, reason=_rules.condition(c).denial)
            for c in ("item_active", "not_on_hold", "unexpired")
        }
        self._index = ItemIndex(items)
        self._usable = self._index.usable_custodian

    # --- basic queries ---------------------------------------------------------------------------

    @property
    def org(self) -> Org:
        """The org these rules read."""
        return self._org

    @property
    def items(self) -> Mapping[str, InventoryItem]:
        """The items by id, as checked :class:`~beacon_org.InventoryItem` records (read-only)."""
        return MappingProxyType(self._index.records)

    def holdings(self, custodian_id: str) -> frozenset[str]:
        """Return the ids of every item in ``custodian_id``'s custody, usable or not.

        ``custodian_id`` is a user id, :data:`~beacon_org.ORG_CUSTODY`, or any other id items
        name as custodian; an id that holds nothing gives an empty set.

        Examples
        --------
        >>> from beacon_org.testing import sample_org, sample_items
        >>> custody = bo.Custody(sample_org(), sample_items())
        >>> sorted(custody.holdings("rep-a1")), sorted(custody.holdings(bo.ORG_CUSTODY))
        (['drill-a1', 'screw-a1-spare'], ['kit-org-1', 'kit-org-2'])
        """
        try:
            return self._index.held.get(custodian_id, _EMPTY)
        except TypeError:
            msg = f"'custodian_id' must be a string id (got {custodian_id!r})"
            raise InvalidValueError(msg, field="custodian_id", value=custodian_id) from None

    def _look(self, permission: str, user_id: object) -> Look | Decision:
        # The user's look-up, or the denial of a user who is unknown or may not act.
        look = self._compiled.look(permission, user_id)
        if look is None:
            return _UNKNOWN_USER
        return look if look.acting is None else look.acting

    def _holders(self, permission: str, user_id: str) -> Iterable[str]:
        # The custodians whose items ``permission`` grants ``user_id`` (None: every item).
        try:
            look = self._look(permission, user_id)
        except TypeError:
            return ()
        if isinstance(look, Decision):
            return ()
        if look.every is not None:
            return self._index.held  # every custodian
        return dict(look.granting()).get("holder", _EMPTY)

    # --- using items -----------------------------------------------------------------------------

    def _shares(self, distributor_id: str) -> bool:
        # Sharing needs an active distributor: a deactivated user holds inventory for nobody, so
        # its pool is closed to its reps until it is reactivated (the setting itself is kept).
        view = self._org.view
        return all(NODE_CONDITIONS[c](view, distributor_id) for c in ("shares", "active"))

    def usable_inventory(self, user_id: str, *, on: _dt.date | None = None) -> frozenset[str]:
        """Return the ids of the items ``user_id`` may put on a case where it is the representative.

        Active items not on hold in its own custody, plus, for a sales rep whose active distributor
        shares inventory, those in the distributor's custody; for org-wide roles, the items in
        :data:`~beacon_org.ORG_CUSTODY`. Regional managers hold nothing and use nothing. A user that
        may not act (unknown, inactive, locked or custodian-only) gets an empty set. With ``on`` (a
        ``datetime.date``), items whose ``expires`` is before ``on`` are left out; an item is usable
        on its expiry date. With ``on=None`` expiry is not checked: the library never reads the clock.

        Costs in proportion to the answer, not to the number of items.

        Raises
        ------
        InvalidValueError
            If ``on`` is neither None nor a ``datetime.date``.

        Examples
        --------
        >>> import datetime
        >>> from beacon_org.testing import sample_org, sample_items
        >>> custody = bo.Custody(sample_org(), sample_items())
        >>> sorted(custody.usable_inventory("rep-a1", on=datetime.date(2026, 6, 1)))
        ['drill-a1', 'screw-a-1', 'screw-a-2']
        >>> sorted(custody.usable_inventory("admin-1")), custody.usable_inventory("rep-new")
        (['kit-org-1', 'kit-org-2'], frozenset())
        """
        if on is not None:
            on = _check_on(on)
        return self._index.usable(self._holders("use_item", user_id), on)

    def can_use(self, user_id: str, item_id: str, *, on: _dt.date | None = None) -> Decision:
        """Decide whether ``user_id`` may put item ``item_id`` on a case where it is the representative.

        Agrees with :meth:`usable_inventory`. A grant's ``path`` runs from the user to the item:
        ``("rep-a1", "drill-a1")`` for its own item, ``("rep-a1", "dist-a", "screw-a-1")`` for a
        sharing distributor's, ``("admin-1", "@org", "kit-org-1")`` for the organisation's custody.

        Denial reasons: ``unknown-user``, ``inactive``, ``locked``, ``custodian-only``,
        ``unknown-item``, ``item-inactive``, ``item-on-hold``, ``item-expired``, ``cannot-hold``
        (regional managers), ``not-shared`` (the rep's distributor holds it but does not share),
        ``distributor-inactive`` (it shares but is deactivated) and ``not-custodian``.

        Raises
        ------
        InvalidValueError
            If ``on`` is neither None nor a ``datetime.date``.

        Examples
        --------
        >>> from beacon_org.testing import sample_org, sample_items
        >>> custody = bo.Custody(sample_org(), sample_items())
        >>> custody.can_use("rep-b1", "plate-b-1")
        Decision(allowed=False, reason='not-shared', path=(), suggestion='turn on shared inventory for dist-b')
        >>> custody.can_use("rep-a1", "screw-a1-spare").reason
        'item-inactive'
        """
        try:
            look = self._use.get(user_id)
            custodian = self._usable.get(item_id)
        except TypeError:  # an unhashable id names nothing
            return self._can_use(user_id, item_id, on)
        if on is not None:
            return self._can_use(user_id, item_id, on)  # a date to check
        if look is None:  # a first ask: compile the user's look-up (or deny who may not act)
            if not self._direct:
                return self._can_use(user_id, item_id, on)  # another table: always in full
            found = self._look("use_item", user_id)
            if isinstance(found, Decision):
                return found
            look = found
        else:
            acting = look.acting
            if acting is not None:
                return acting
        if custodian is None:  # an unknown item, or one that nobody may use
            record = self._index.records.get(item_id)
            if record is None:
                return _UNKNOWN_ITEM
            return self._item_denials["item_active" if not record.active else "not_on_hold"]
        # A usable item: the entry of its holder (every use_item grant's first hop). A Grants
        # entry builds its grant, a Const holds its decision (entry[id] says the same, through
        # __missing__: one Python call more per answer).
        entry = look.t0.get(custodian)
        if entry is not None:
            if type(entry) is Grants:
                return grant(entry.reason, entry.prefix + (item_id,))  # noqa: RUF005 (as in Visibility)
            return entry.decision  # type: ignore[union-attr]
        by_id = look.by_id
        if by_id is not None:  # the nearest chain's suggestion, around the item's id
            return denial(look.denial, by_id[0] + item_id + by_id[1])
        miss = look.miss
        if miss is not None:
            return miss
        return missing_edge(self._compiled, look, self._index.records[item_id])[0]

    def may_use(self, user_id: str, item_id: str, *, on: _dt.date | None = None) -> bool:
        """Whether ``user_id`` may use item ``item_id``: :meth:`can_use` without the why.

        For callers that need only yes or no: the same look-ups, no :class:`Decision` built and
        no suggestion worked out for a denial. ``may_use(u, i, on=d) == can_use(u, i,
        on=d).allowed`` always; a bad ``on`` raises as there.

        Examples
        --------
        >>> from beacon_org.testing import sample_org, sample_items
        >>> custody = bo.Custody(sample_org(), sample_items())
        >>> custody.may_use("rep-a1", "drill-a1"), custody.may_use("rep-b1", "plate-b-1")
        (True, False)
        """
        try:
            look = self._use.get(user_id)
            custodian = self._usable.get(item_id)
        except TypeError:  # an unhashable id: as can_use
            return self.can_use(user_id, item_id, on=on).allowed
        if look is None or on is not None:  # a first ask or a date to check: as can_use
            return self.can_use(user_id, item_id, on=on).allowed
        if look.acting is not None or custodian is None:
            return False
        entry = look.t0.get(custodian)
        return entry is not None and (type(entry) is Grants or entry.decision.allowed)  # type: ignore[union-attr]

    def _can_use(self, user_id: object, item_id: object, on: object) -> Decision:
        # can_use in full: the checks in the order its denials are documented, then the entry
        # that decides the item (any first hop) or the nearest chain's denial.
        if on is not None:
            on = _check_on(on)
        found = self._look("use_item", user_id)
        if isinstance(found, Decision):
            return found
        look = found
        try:
            record = self._index.records.get(item_id)  # type: ignore[call-overload]
        except TypeError:  # an unhashable id names nothing
            record = None
        if record is None:
            return _UNKNOWN_ITEM
        if not record.active:
            return self._item_denials["item_active"]
        if record.on_hold:
            return self._item_denials["not_on_hold"]
        if on is not None and record.expires is not None and record.expires < on:
            return self._item_denials["unexpired"]
        entry = look.match(record)
        if entry is not None:
            return entry[record.id]
        return missing_edge(self._compiled, look, record)[0]

    # --- seeing items ----------------------------------------------------------------------------

    def visible_inventory(self, user_id: str) -> frozenset[str]:
        """Return the ids of the items ``user_id`` may see, usable or not.

        Org-wide roles see every item; a regional manager the items held by members of its regions;
        a distributor its own and its reps'; a sales rep its own and, while its distributor shares
        and is active, the distributor's; anyone else (a facility manager) its own. Items on hold
        and inactive items are seen like any other. A user that may not act
        (unknown, inactive, locked or custodian-only) sees none. Costs in proportion to the answer
        (for a regional manager, to its members).

        Examples
        --------
        >>> from beacon_org.testing import sample_org, sample_items
        >>> org = sample_org()
        >>> custody = bo.Custody(org, sample_items())
        >>> sorted(custody.visible_inventory("rm-central"))
        ['kit-solo']
        >>> sorted(custody.visible_inventory("dist-b"))
        ['plate-b-1', 'plate-b1-1']
        """
        held = self._index.held
        holders = self._holders("view_item", user_id)
        if holders is held:
            return self._index.all
        return _EMPTY.union(*(held.get(c, _EMPTY) for c in holders))

    # --- moving items ----------------------------------------------------------------------------

    def _recipient_denial(self, to_id: object) -> Decision | None:
        return _checks.recipient_denial(self._org.view, to_id)

    def _actor(self, user_id: object) -> User | Decision:
        look = self._look("move_item", user_id)
        if isinstance(look, Decision):
            return look
        assert look.user is not None
        return look.user

    def can_transfer(self, actor_id: str, item_id: str, to_id: str) -> Decision:
        """Decide whether ``actor_id`` may transfer item ``item_id`` to ``to_id``.

        The actor must be able to move the item: org-wide roles any item; a regional manager items
        held by members of its regions; a distributor items held by itself or its reps; a sales rep
        its own and, while its distributor shares and is active, the distributor's; a facility
        manager its own. While ``org.settings.field_users_can_transfer`` is off, sales and
        distributor users start no transfers. An inactive item, or one on hold, is moved by nobody.
        The recipient must be able to hold inventory (an active user that is not a regional manager
        or back office, or :data:`~beacon_org.ORG_CUSTODY`) and not already be the custodian; a
        regional manager sends only to members of its regions, a facility manager only to
        ``ORG_CUSTODY`` or to users whose facilities or directory records hold one of its
        facilities.

        A grant's ``path`` runs from the actor to the item, e.g.
        ``("rm-west", "west", "rep-a1", "drill-a1")``. Denial reasons: ``unknown-user`` (the actor
        or the recipient), ``inactive``, ``locked``, ``custodian-only``, ``transfers-disabled``,
        ``unknown-item``, ``item-inactive``, ``item-on-hold``, ``cannot-move``, ``not-shared``,
        ``distributor-inactive``, ``recipient-inactive``, ``recipient-cannot-hold``,
        ``already-custodian``, ``recipient-outside-regions`` and ``recipient-not-at-facility``.

        Examples
        --------
        >>> from beacon_org.testing import sample_org, sample_items
        >>> org = sample_org()
        >>> custody = bo.Custody(org, sample_items())
        >>> custody.can_transfer("rm-west", "drill-a1", "dist-a").path
        ('rm-west', 'west', 'rep-a1', 'drill-a1')
        >>> custody.can_transfer("rm-west", "drill-a1", "rep-b1").reason
        'recipient-outside-regions'
        >>> custody.can_transfer("rep-a2", "screw-a-1", "rep-b1").reason
        'shared-inventory'
        >>> custody.can_transfer("dist-a", "drill-a1", "rm-west").reason
        'recipient-cannot-hold'
        >>> custody.can_transfer("admin-1", "screw-a1-spare", "dist-a").reason
        'item-inactive'
        """
        look = self._look("move_item", actor_id)
        if isinstance(look, Decision):
            return look
        if look.unmet is not None:
            return look.unmet  # transfers are off for its role
        record = self._index.records.get(item_id) if isinstance(item_id, str) else None
        if record is None:
            return _UNKNOWN_ITEM
        if not record.active or record.on_hold:
            return self._item_denials["item_active" if not record.active else "not_on_hold"]
        entry = look.match(record)
        if entry is None:
            grant = look.miss or missing_edge(self._compiled, look, record)[0]
        else:
            grant = entry[record.id]
        if not grant.allowed:
            return grant
        denial = self._recipient_denial(to_id)
        if denial is None and to_id == record.custodian:
            denial = _ALREADY_CUSTODIAN
        if denial is None:
            assert look.user is not None
            denial = _checks.outside_scope(self._compiled, look.user, to_id)
        return grant if denial is None else denial
