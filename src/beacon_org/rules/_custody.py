"""Custody rules: which items a user may use, see and move.

``Custody`` indexes the items once by custodian, so list answers cost in proportion to the answer and
yes/no answers are a few dictionary look-ups. Its transfer advice (``_advice``) and the transfer
lifecycle (``_lifecycle``: accept, decline, settle, release) are methods here that delegate there.
"""

from __future__ import annotations

import bisect
import datetime as _dt
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Protocol

from .._errors import DuplicateIdError, InvalidValueError
from .._model import ORG_CUSTODY, InventoryItem, Role, User
from .._org import Org
from . import _advice, _lifecycle
from ._records import Decision, Finding
from ._rows import check_on as _check_on
from ._rows import item_record
from ._transfer import Settlement, Transfer, TransferStatus

__all__ = ["Custody", "ItemLike"]

_EMPTY: frozenset[str] = frozenset()

# Denials that never depend on who asks or what about: built once and handed out as they are.
_UNKNOWN_USER = Decision(allowed=False, reason="unknown-user")
_UNKNOWN_ITEM = Decision(allowed=False, reason="unknown-item")
_ITEM_INACTIVE = Decision(allowed=False, reason="item-inactive")
_ITEM_ON_HOLD = Decision(allowed=False, reason="item-on-hold")
_TRANSFERS_DISABLED = Decision(
    allowed=False, reason="transfers-disabled", suggestion="allow field users to start transfers"
)
_ITEM_EXPIRED = Decision(allowed=False, reason="item-expired")
_CANNOT_HOLD = Decision(allowed=False, reason="cannot-hold")
_ALREADY_CUSTODIAN = Decision(allowed=False, reason="already-custodian")
_RECIPIENT_CANNOT_HOLD = Decision(allowed=False, reason="recipient-cannot-hold")

# The roles the organisation's field_users_can_transfer setting applies to.
_FIELD_ROLES = frozenset({Role.SALES, Role.DISTRIBUTOR})

# A user's custody sources for using items: custodian id -> (grant reason, path up to the item).
_Sources = dict[str, tuple[str, tuple[str, ...]]]


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


def _actor_denial(user: User) -> Decision | None:
    # The order is the order a back-office person fixes things in: reactivate, train, let it act.
    if not user.active:
        return Decision(allowed=False, reason="inactive", suggestion=f"reactivate {user.id}")
    if user.locked:
        return Decision(
            allowed=False, reason="locked", suggestion=f"complete training for {user.id}"
        )
    if user.custodian_only:
        return Decision(
            allowed=False,
            reason="custodian-only",
            suggestion=f"turn off custodian-only for {user.id}",
        )
    return None


class Custody:
    """The custody rules of an org over a collection of inventory items.

    ``items`` is any iterable of :class:`~beacon_org.InventoryItem` or of objects with the same
    attributes (``id``, ``custodian``, ``active``, ``expires``, and ``on_hold`` if they have it);
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

    __slots__ = (
        "_access",
        "_active",
        "_all",
        "_dated",
        "_distributor_of",
        "_held",
        "_items",
        "_managed",
        "_members",
        "_org",
        "_sharing",
        "_undated",
        "_usable",
        "_usable_custodian",
        "_users",
    )

    def __init__(self, org: Org, items: Iterable[ItemLike] = ()) -> None:
        if not isinstance(org, Org):
            msg = f"Custody needs an Org (got {org!r})"
            raise InvalidValueError(msg, field="org", value=org)
        if isinstance(items, str | bytes) or not isinstance(items, Iterable):
            msg = f"'items' must be an iterable of inventory items (got {items!r})"
            raise InvalidValueError(msg, field="items", value=items)
        self._org = org
        # The org's own look-ups, read directly: each is one hash and two dict look-ups.
        self._users = org._users
        self._distributor_of = org._distributor_of
        self._sharing = org._sharing
        self._managed = org._managed
        self._members = org._members

        records: dict[str, InventoryItem] = {}
        by_custodian: dict[str, list[InventoryItem]] = {}
        for position, item in enumerate(items):
            record = item if type(item) is InventoryItem else item_record(item, position)
            item_id = record.id
            if item_id in records:
                msg = f"item id {item_id!r} appears twice (item #{position})"
                raise DuplicateIdError(msg)
            records[item_id] = record
            held = by_custodian.get(record.custodian)
            if held is None:
                by_custodian[record.custodian] = [record]
            else:
                held.append(record)
        self._items = records
        self._all = frozenset(records)
        # Per custodian: every item, the usable ones (active and not on hold), and the usable ones
        # without / with an expiry (sorted by date, so a date cuts them with one bisection).
        self._held: dict[str, frozenset[str]] = {}
        self._active: dict[str, frozenset[str]] = {}
        self._undated: dict[str, frozenset[str]] = {}
        self._dated: dict[str, tuple[list[_dt.date], tuple[str, ...]]] = {}
        for custodian, group in by_custodian.items():
            self._held[custodian] = frozenset([r.id for r in group])
            active = [r for r in group if r.active and not r.on_hold]
            if not active:
                continue
            self._active[custodian] = frozenset([r.id for r in active])
            self._undated[custodian] = frozenset([r.id for r in active if r.expires is None])
            dated = sorted([(r.expires, r.id) for r in active if r.expires is not None])
            if dated:
                self._dated[custodian] = ([d for d, _ in dated], tuple([i for _, i in dated]))
        # item id -> custodian, for usable items only: can_use's one look-up for the item.
        self._usable_custodian = {
            i: r.custodian for i, r in records.items() if r.active and not r.on_hold
        }
        # user id -> its denial, or its custody sources; filled on first use (the org never changes).
        self._access: dict[str, Decision | _Sources] = {}
        # Answers already given with on=None: user -> item -> Decision, and user -> usable ids.
        # (user id, item id) -> the on=None answer already given.
        self._usable: dict[str, frozenset[str]] = {}

    # --- basic queries ---------------------------------------------------------------------------

    @property
    def org(self) -> Org:
        """The org these rules read."""
        return self._org

    @property
    def items(self) -> Mapping[str, InventoryItem]:
        """The items by id, as checked :class:`~beacon_org.InventoryItem` records (read-only)."""
        return MappingProxyType(self._items)

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
            return self._held.get(custodian_id, _EMPTY)
        except TypeError:
            msg = f"'custodian_id' must be a string id (got {custodian_id!r})"
            raise InvalidValueError(msg, field="custodian_id", value=custodian_id) from None

    # --- using items -----------------------------------------------------------------------------

    def _sources(self, user_id: object) -> Decision | _Sources:
        # The slow half of the access look-up: decide once per user, then serve from _access.
        user = self._users.get(user_id) if isinstance(user_id, str) else None
        if user is None:
            return _UNKNOWN_USER  # not cached: arbitrary unknown ids must not grow the cache
        denial = _actor_denial(user)
        access: Decision | _Sources
        if denial is not None:
            access = denial
        elif user.role.is_org_wide:
            access = {ORG_CUSTODY: ("org-custody", (user.id, ORG_CUSTODY))}
        elif user.role is Role.REGIONAL_MANAGER:
            access = {}
        else:
            access = {user.id: ("own-custody", (user.id,))}
            if user.role is Role.SALES:
                distributor = self._distributor_of.get(user.id)
                if distributor is not None and self._shares(distributor):
                    access[distributor] = ("shared-inventory", (user.id, distributor))
        self._access[user.id] = access
        return access

    def _shares(self, distributor_id: str) -> bool:
        # Sharing needs an active distributor: a deactivated user holds inventory for nobody, so
        # its pool is closed to its reps until it is reactivated (the setting itself is kept).
        if distributor_id not in self._sharing:
            return False
        holder = self._users.get(distributor_id)
        return holder is not None and holder.active

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
        if on is None:
            try:
                usable = self._usable.get(user_id)
            except TypeError:
                return _EMPTY
            if usable is not None:
                return usable
        else:
            on = _check_on(on)
        try:
            access = self._access.get(user_id)
        except TypeError:
            return _EMPTY
        if access is None:
            access = self._sources(user_id)
        if isinstance(access, Decision):
            return _EMPTY
        if on is None:
            parts = [self._active.get(c, _EMPTY) for c in access]
        else:
            parts = [self._usable_on(c, on) for c in access]
        usable = parts[0] if len(parts) == 1 else _EMPTY.union(*parts)
        if on is None:
            self._usable[user_id] = usable  # one set per known user at most
        return usable

    def _usable_on(self, custodian: str, on: _dt.date) -> frozenset[str]:
        undated = self._undated.get(custodian, _EMPTY)
        dated = self._dated.get(custodian)
        if dated is None:
            return undated
        dates, ids = dated
        first = bisect.bisect_left(dates, on)  # the first item still good on `on`
        if first == len(ids):
            return undated
        return undated.union(ids[first:])

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
        # Nothing is remembered per question: the per-user sources and the per-item custodian
        # are look-ups built from the org and the items, and the answer is worked out each time.
        return self._decide_use(user_id, item_id, None if on is None else _check_on(on))

    def _decide_use(self, user_id: str, item_id: str, on: _dt.date | None) -> Decision:
        try:
            access = self._access.get(user_id)
            custodian = self._usable_custodian.get(item_id)
        except TypeError:
            return self._use_bad_ids(user_id, item_id)
        if access is None:
            access = self._sources(user_id)
        if isinstance(access, Decision):
            return access
        if custodian is None:
            record = self._items.get(item_id)
            if record is None:
                return _UNKNOWN_ITEM
            return _ITEM_INACTIVE if not record.active else _ITEM_ON_HOLD
        if on is not None:
            expires = self._items[item_id].expires
            if expires is not None and expires < on:
                return _ITEM_EXPIRED
        grant = access.get(custodian)
        if grant is None:
            return self._use_denied(user_id, item_id, custodian)
        reason, via = grant
        return Decision(allowed=True, reason=reason, path=(*via, item_id))

    def _use_bad_ids(self, user_id: object, item_id: object) -> Decision:
        # An unhashable id names nothing: the same answer as any unknown id, never a TypeError.
        try:
            hash(user_id)
        except TypeError:
            return _UNKNOWN_USER
        access = self._sources(user_id)
        return access if isinstance(access, Decision) else _UNKNOWN_ITEM

    def _use_denied(self, user_id: str, item_id: str, custodian: str) -> Decision:
        user = self._users[user_id]
        if user.role is Role.REGIONAL_MANAGER:
            return _CANNOT_HOLD
        if user.role is Role.SALES and self._distributor_of.get(user_id) == custodian:
            return self._pool_denial(custodian)
        target = ORG_CUSTODY if user.role.is_org_wide else user_id
        return Decision(
            allowed=False, reason="not-custodian", suggestion=f"transfer {item_id} to {target}"
        )

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
        try:
            user = self._users.get(user_id)
        except TypeError:
            return _EMPTY
        if user is None or not user.can_act:
            return _EMPTY
        role, held = user.role, self._held
        if role.is_org_wide:
            return self._all
        custodians: Iterable[str]
        if role is Role.REGIONAL_MANAGER:
            members = self._members
            custodians = [
                m for r in self._managed.get(user_id, _EMPTY) for m in members.get(r, _EMPTY)
            ]
        elif role is Role.DISTRIBUTOR:
            custodians = [user_id, *self._reps_of(user_id)]
        elif role is Role.SALES:
            custodians = [user_id]
            distributor = self._distributor_of.get(user_id)
            if distributor is not None and self._shares(distributor):
                custodians.append(distributor)
        else:
            return held.get(user_id, _EMPTY)
        return _EMPTY.union(*(held.get(c, _EMPTY) for c in custodians))

    def _pool_denial(self, distributor_id: str) -> Decision:
        # Why a rep may not use or move its own distributor's items.
        if distributor_id in self._sharing:
            return Decision(
                allowed=False,
                reason="distributor-inactive",
                suggestion=f"reactivate {distributor_id}",
            )
        return Decision(
            allowed=False,
            reason="not-shared",
            suggestion=f"turn on shared inventory for {distributor_id}",
        )

    def _reps_of(self, distributor_id: str) -> frozenset[str]:
        return self._org._reps.get(distributor_id, _EMPTY)

    # --- moving items ----------------------------------------------------------------------------

    def _actor(self, user_id: object) -> User | Decision:
        user = self._users.get(user_id) if isinstance(user_id, str) else None
        if user is None:
            return _UNKNOWN_USER
        denial = _actor_denial(user)  # a denial is falsy: `denial or user` would let it act
        return user if denial is None else denial

    def _recipient_denial(self, to_id: object) -> Decision | None:
        if to_id == ORG_CUSTODY:
            return None
        recipient = self._users.get(to_id) if isinstance(to_id, str) else None
        if recipient is None:
            return _UNKNOWN_USER
        if not recipient.active:
            return Decision(
                allowed=False,
                reason="recipient-inactive",
                suggestion=f"reactivate {recipient.id}",
            )
        if not recipient.role.can_hold_inventory:
            return _RECIPIENT_CANNOT_HOLD
        return None

    def _move_grant(self, actor: User, custodian: str, item_id: str) -> Decision:
        actor_id, role = actor.id, actor.role
        if role.is_org_wide:
            return Decision(allowed=True, reason="org-wide", path=(actor_id, item_id))
        if role is Role.REGIONAL_MANAGER:
            holder = self._users.get(custodian)
            if holder is not None and holder.region in self._managed.get(actor_id, _EMPTY):
                path: tuple[str, ...] = (actor_id, holder.region, custodian, item_id)
                return Decision(allowed=True, reason="regional-manager-of-member", path=path)
            return Decision(allowed=False, reason="cannot-move")
        if custodian == actor_id:
            return Decision(allowed=True, reason="own-custody", path=(actor_id, item_id))
        if role is Role.DISTRIBUTOR:
            if self._distributor_of.get(custodian) == actor_id:
                path = (actor_id, custodian, item_id)
                return Decision(allowed=True, reason="distributor-of-rep", path=path)
            holder = self._users.get(custodian)
            if (
                holder is not None
                and holder.role is Role.SALES
                and custodian not in self._distributor_of
            ):
                return Decision(
                    allowed=False,
                    reason="cannot-move",
                    suggestion=f"assign {custodian} to {actor_id}",
                )
        elif role is Role.SALES and self._distributor_of.get(actor_id) == custodian:
            if self._shares(custodian):
                path = (actor_id, custodian, item_id)
                return Decision(allowed=True, reason="shared-inventory", path=path)
            return self._pool_denial(custodian)
        return Decision(allowed=False, reason="cannot-move")

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
        actor = self._actor(actor_id)
        if isinstance(actor, Decision):
            return actor
        if actor.role in _FIELD_ROLES and not self._org._settings.field_users_can_transfer:
            return _TRANSFERS_DISABLED
        record = self._item(item_id)
        if record is None:
            return _UNKNOWN_ITEM
        if not record.active:
            return _ITEM_INACTIVE
        if record.on_hold:
            return _ITEM_ON_HOLD
        grant = self._move_grant(actor, record.custodian, record.id)
        if not grant.allowed:
            return grant
        denial = self._recipient_denial(to_id)
        if denial is not None:
            return denial
        if to_id == record.custodian:
            return _ALREADY_CUSTODIAN
        denial = self._outside_scope(actor, to_id)
        return grant if denial is None else denial

    def _outside_scope(self, actor: User, to_id: str) -> Decision | None:
        # Who a regional manager or a facility manager may send to; the recipient is known to be
        # able to hold inventory. Others send to anyone who may hold it.
        role = actor.role
        if role is Role.REGIONAL_MANAGER:
            # "What is a regional manager user?": transfers between users assigned to its regions.
            managed = self._managed.get(actor.id, _EMPTY)
            recipient = self._users.get(to_id)  # None for ORG_CUSTODY
            if recipient is not None and recipient.region in managed:
                return None
            fix = None
            if recipient is not None and recipient.role.has_region and managed:
                fix = f"set {to_id}'s region to {min(managed)}"
            return Decision(allowed=False, reason="recipient-outside-regions", suggestion=fix)
        if role is Role.FACILITY_MANAGER and to_id != ORG_CUSTODY:
            # "What does the Facility Manager role do?": to users associated with its facilities.
            recipient = self._users[to_id]
            if actor.facilities & (recipient.facilities | recipient.directory_records):
                return None
            fix = None
            if actor.facilities:
                fix = f"add directory record {min(actor.facilities)} to {to_id}"
            return Decision(allowed=False, reason="recipient-not-at-facility", suggestion=fix)
        return None

    def _item(self, item_id: object) -> InventoryItem | None:
        if not isinstance(item_id, str):
            return None
        return self._items.get(item_id)

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
        return _advice.transfer_advice(self, item_id, to_id, on=on)

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
        return _lifecycle.can_accept(self, user_id, transfer)

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
        return _lifecycle.can_decline(self, user_id, transfer)

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
        return _lifecycle.settle(self, transfer, outcome, by=by)

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
        return _lifecycle.can_release(self, user_id, item_id)

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
        return _lifecycle.release(self, user_id, item_ids)
