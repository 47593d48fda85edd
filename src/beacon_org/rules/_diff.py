"""What a change to an org does to everyone's access: ``diff_access`` and its records.

Snapshots share what a change did not touch, so the ids a change touched are found by comparing
only what differs (:meth:`Org.changed_ids`). Which users' access can change, and about which
cases and items, is read from the rule table: every grant is a chain of relations from the object
to the asking user, so a changed edge or a changed user in a chain can only change the answer of
the users further along that chain, about the objects further back. Only those questions are
asked: the cost follows the change, not the org.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

import attrs

from .._errors import InvalidValueError
from .._model import Case, InventoryItem, Region, User
from .._org import (
    Org,
    OrgView,
    unchecked_with_group,
    unchecked_with_manager,
    unchecked_with_regions,
    unchecked_with_sharing,
    unchecked_with_user,
)
from ._case_index import CaseIndex
from ._compile import Compiled, bars_of
from ._item_index import ItemIndex
from ._table import ACTING, RULES
from ._visibility import Visibility
from ._walk import differing_ends, forward, reverse

__all__ = ["PERMISSIONS", "AccessChange", "AccessDiff", "AccessLine", "diff_access"]

#: The permissions :func:`diff_access` compares, in the order it reports them.
PERMISSIONS = ("view_case", "edit_case", "use_item", "view_item")

_ITEM = frozenset({"use_item", "view_item"})
# The fields of the asking user itself that grants read (its role and its account bars: active,
# Training Complete, custodian-only). A user's region and facilities are edges of the table's
# relations (``region``, ``facility_manager``) and are found as edges; a change to any other
# field (name, email, directory records) cannot change anyone's access.
_NODE_FIELDS = ("role", "active", "training_complete", "custodian_only")


def _check_permission(_inst: object, _attr: object, value: Any) -> None:
    if value not in PERMISSIONS:
        msg = f"'permission' must be one of {', '.join(PERMISSIONS)} (got {value!r})"
        raise InvalidValueError(msg, field="permission", value=value)


@attrs.frozen
class AccessChange:
    """One access gained or lost: ``user`` may (or may no longer) ``permission`` ``object``.

    ``permission`` is one of ``view_case``, ``edit_case``, ``use_item`` and ``view_item``;
    ``object`` is a case or item id. ``cause`` names the change to the org that brought it: a
    change is named only if, applied alone to the earlier snapshot, it would bring this access
    change too. Several are named (joined by ``; ``) when each would alone; ``None`` when no
    single change would, only several together. ``cause`` is left out of ``==`` and ``hash``, so
    a change is the same whatever its cause.

    Examples
    --------
    >>> a = bo.AccessChange("dist-b", "view_case", "c-100", cause="rep-a1 moved from dist-a to dist-b")
    >>> a == bo.AccessChange("dist-b", "view_case", "c-100")
    True
    """

    user: str
    permission: str = attrs.field(validator=_check_permission)
    object: str
    cause: str | None = attrs.field(default=None, kw_only=True, eq=False)


@attrs.frozen
class AccessLine:
    """One row of :meth:`AccessDiff.changes`: a change and whether it was gained or lost.

    Examples
    --------
    >>> from beacon_org.testing import sample_cases, sample_items, sample_org
    >>> org = sample_org()
    >>> after = org.set_shared_inventory("dist-b", True)
    >>> line = bo.diff_access(org, after, cases=sample_cases(), items=sample_items()).changes()[0]
    >>> line.gained, line.change.user, line.change.permission, line.change.object
    (True, 'rep-b1', 'use_item', 'plate-b-1')
    >>> print(line)
    + rep-b1 use_item plate-b-1 (dist-b turned shared inventory on)
    """

    gained: bool
    change: AccessChange

    def __str__(self) -> str:
        c = self.change
        cause = f" ({c.cause})" if c.cause else ""
        return f"{'+' if self.gained else '-'} {c.user} {c.permission} {c.object}{cause}"


def _line_key(line: AccessLine) -> tuple[str, bool, str, int, bool]:
    change = line.change
    rank = PERMISSIONS.index(change.permission)
    return (change.user, rank >= 2, change.object, rank, line.gained)


@attrs.frozen(kw_only=True, repr=False)
class AccessDiff:
    """The access gained and lost between two org snapshots; false when nothing changed.

    Examples
    --------
    >>> from beacon_org.testing import sample_org, sample_cases, sample_items
    >>> before = sample_org()
    >>> after = before.unassign_rep("rep-a2").assign_rep("rep-a2", "dist-b")
    >>> diff = bo.diff_access(before, after, cases=sample_cases(), items=sample_items())
    >>> for line in diff.changes():
    ...     print(line)
    + dist-b view_case c-100 (rep-a2 moved from dist-a to dist-b)
    + dist-b edit_case c-100 (rep-a2 moved from dist-a to dist-b)
    - rep-a2 use_item plate-a-old (rep-a2 moved from dist-a to dist-b)
    - rep-a2 view_item plate-a-old (rep-a2 moved from dist-a to dist-b)
    - rep-a2 use_item screw-a-1 (rep-a2 moved from dist-a to dist-b)
    - rep-a2 view_item screw-a-1 (rep-a2 moved from dist-a to dist-b)
    - rep-a2 use_item screw-a-2 (rep-a2 moved from dist-a to dist-b)
    - rep-a2 view_item screw-a-2 (rep-a2 moved from dist-a to dist-b)
    >>> diff
    <AccessDiff: 2 gained, 6 lost>
    >>> print(bo.diff_access(before, before))
    no change in access
    >>> bool(bo.diff_access(before, before))
    False
    """

    gained: frozenset[AccessChange] = frozenset()
    lost: frozenset[AccessChange] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.gained or self.lost)

    def __len__(self) -> int:
        return len(self.gained) + len(self.lost)

    def __repr__(self) -> str:
        # Two frozensets of changes in hash order are unreadable: count them; str() lists them.
        return f"<AccessDiff: {len(self.gained)} gained, {len(self.lost)} lost>"

    def __str__(self) -> str:
        return "\n".join(str(line) for line in self.changes()) or "no change in access"

    def _repr_html_(self) -> str:
        from .._display import access_changes_html

        return access_changes_html(self.gained, self.lost)

    def changes(self) -> list[AccessLine]:
        """Every change, gained and lost, by user, then cases before items, object and permission.

        Examples
        --------
        >>> from beacon_org.testing import sample_cases, sample_items, sample_org
        >>> org = sample_org()
        >>> moved = org.unassign_rep("rep-a2")
        >>> for line in bo.diff_access(org, moved, cases=sample_cases(), items=sample_items()).changes():
        ...     print(line)
        - rep-a2 use_item plate-a-old (rep-a2 unassigned from dist-a)
        - rep-a2 view_item plate-a-old (rep-a2 unassigned from dist-a)
        - rep-a2 use_item screw-a-1 (rep-a2 unassigned from dist-a)
        - rep-a2 view_item screw-a-1 (rep-a2 unassigned from dist-a)
        - rep-a2 use_item screw-a-2 (rep-a2 unassigned from dist-a)
        - rep-a2 view_item screw-a-2 (rep-a2 unassigned from dist-a)
        """
        lines = [AccessLine(True, c) for c in self.gained]
        lines += [AccessLine(False, c) for c in self.lost]
        lines.sort(key=_line_key)
        return lines


# --- what changed between two snapshots -----------------------------------------------------------


def _user_fields(uid: str, old: User | None, new: User | None) -> list[tuple[str | None, str]]:
    """Each rule field that changed for ``uid``, in words; ``None`` for a user added or removed."""
    if old is None:
        return [(None, f"{uid} added")]
    if new is None:
        return [(None, f"{uid} removed")]
    said: list[tuple[str | None, str]] = []
    if old.role != new.role:
        said.append(("role", f"{uid} role {old.role.value} -> {new.role.value}"))
    if old.active != new.active:
        said.append(("active", f"{uid} {'reactivated' if new.active else 'deactivated'}"))
    if old.training_complete != new.training_complete:
        text = f"{uid} {'completed training' if new.training_complete else 'locked'}"
        said.append(("training_complete", text))
    if old.custodian_only != new.custodian_only:
        text = f"{uid} {'made' if new.custodian_only else 'no longer'} custodian-only"
        said.append(("custodian_only", text))
    if old.region != new.region:
        if old.region is None:
            said.append(("region", f"{uid} placed in region {new.region}"))
        elif new.region is None:
            said.append(("region", f"{uid} taken out of region {old.region}"))
        else:
            said.append(("region", f"{uid} moved from region {old.region} to {new.region}"))
    if old.facilities != new.facilities:
        parts = [f"+{f}" for f in sorted(new.facilities - old.facilities)]
        parts += [f"-{f}" for f in sorted(old.facilities - new.facilities)]
        said.append(("facilities", f"{uid} facilities {' '.join(parts)}"))
    return said


def _describe_group(uid: str, old: str | None, new: str | None) -> str:
    if old is None:
        return f"{uid} assigned to {new}"
    if new is None:
        return f"{uid} unassigned from {old}"
    return f"{uid} moved from {old} to {new}"


# --- each change alone ---------------------------------------------------------------------------


def _with_field(org: Org, uid: str, field: str, value: Any) -> Org:
    old = org.view.users[uid]
    return unchecked_with_user(org, uid, attrs.evolve(old, **{field: value}))


@attrs.frozen
class _Step:
    """One change between two snapshots, in words, and how to make it alone on a snapshot."""

    text: str
    make: Callable[[Org], Org]


class _Changed:
    """What differs between two snapshots: the ids, each change in words, the base for each alone."""

    def __init__(self, before: Org, after: Org) -> None:
        self.before, self.after = before.view, after.view
        # Snapshots share what a change did not touch: this costs in proportion to the change.
        self.ids = sorted(before.changed_ids(after))
        self.steps = self._steps()

    def _steps(self) -> list[_Step]:
        """Every change the rules can feel, one at a time."""
        vb, va = self.before, self.after
        steps: list[_Step] = []
        for uid in self.ids:
            old, new = vb.users.get(uid), va.users.get(uid)
            if old == new:
                continue
            for field, text in _user_fields(uid, old, new):
                if field is None or old is None or new is None:
                    make = functools.partial(unchecked_with_user, user_id=uid, user=new)
                else:
                    value = getattr(new, field)
                    make = functools.partial(_with_field, uid=uid, field=field, value=value)
                steps.append(_Step(text, make))
        for rep in self.ids:
            old_d, new_d = vb.distributor_of.get(rep), va.distributor_of.get(rep)
            if old_d != new_d:
                make = functools.partial(unchecked_with_group, rep_id=rep, distributor_id=new_d)
                steps.append(_Step(_describe_group(rep, old_d, new_d), make))
        for distributor in self.ids:
            on = distributor in va.sharing
            if on != (distributor in vb.sharing):
                text = f"{distributor} turned shared inventory {'on' if on else 'off'}"
                make = functools.partial(unchecked_with_sharing, distributor_id=distributor, on=on)
                steps.append(_Step(text, make))
        for rid in self.ids:
            old_r, new_r = vb.regions.get(rid), va.regions.get(rid)
            old_m = old_r.manager if old_r is not None else None
            new_m = new_r.manager if new_r is not None else None
            if old_m != new_m:
                text = f"region {rid} manager {old_m or 'none'} -> {new_m or 'none'}"
                make = functools.partial(unchecked_with_manager, region_id=rid, manager_id=new_m)
                steps.append(_Step(text, make))
        return steps

    def base(self, before: Org) -> Org:
        """``before`` plus the regions only the later snapshot has, without their managers.

        A user placed in a new region needs the region to exist for that change alone; the new
        region's manager is a change of its own.
        """
        new: list[Region] = [
            attrs.evolve(region, manager=None)
            for rid in self.ids
            if rid not in self.before.regions
            and (region := self.after.regions.get(rid)) is not None
        ]
        return unchecked_with_regions(before, new)


def _steps(before: Org, after: Org) -> list[_Step]:
    """Every change from ``before`` to ``after`` that the rules can feel, one at a time."""
    return _Changed(before, after).steps


class _Alone:
    """The org with one change alone, and the rules' answers on it, built when first asked."""

    def __init__(self, step: _Step, base: Org, items: Mapping[str, InventoryItem]) -> None:
        self.step = step
        self._base, self._items = base, items
        self._rules: tuple[Visibility, Compiled] | None = None
        self._holders: dict[tuple[str, str], _Holders] = {}

    def answer(self, uid: str, permission: str, obj: Any) -> bool:
        """The answer to ``uid``'s ``permission`` on ``obj`` with this change alone."""
        if self._rules is None:
            org = self.step.make(self._base)
            self._rules = (Visibility(org), Compiled(org.view, RULES))
        vis, compiled = self._rules
        if permission == "view_case":
            return vis.can_view_case(uid, obj).allowed
        if permission == "edit_case":
            return vis.can_view_case(uid, obj).allowed and vis.can_edit_case(uid, obj).allowed
        # Whether a user may use or view an item depends on the item's custodian alone (and,
        # for use, on the item being active and not on hold: an item whose use changed is).
        key = (uid, permission)
        if key not in self._holders:
            self._holders[key] = _granted_holders(compiled, permission, uid)
        holders = self._holders[key]
        return holders is None or self._items[obj].custodian in holders


# --- whose access runs through what changed, walked from the rule table --------------------------


@attrs.frozen
class _Chain:
    """A grant's chain of one compared permission: the row's field, then relations of the org."""

    on: str  # "case" or "item"
    field: str  # the relation read from the row (representative, sub_rep, facility, holder, org)
    relations: tuple[str, ...]  # the relations of the org after it, ending at the asking user
    nodes: tuple[str, ...]  # the type of each node: the field's target, then each relation's
    # The positions of the nodes before the asking user that a grant of this chain puts a
    # condition on (a shared pool's distributor: it shares, it is active).
    conditioned: frozenset[int] = frozenset()


def _compared_chains() -> tuple[_Chain, ...]:
    chains: dict[tuple[str, tuple[str, ...]], _Chain] = {}
    for name in PERMISSIONS:
        permission = RULES.permission(name)
        for grant in permission.grants:
            field, *relations = grant.chain
            key = (permission.on, grant.chain)
            conditioned = frozenset(position for position, _ in grant.via)
            if key in chains:
                conditioned |= chains[key].conditioned
            nodes = tuple(RULES.relation(r).target for r in grant.chain)
            chains[key] = _Chain(permission.on, field, tuple(relations), nodes, conditioned)
    return tuple(chains.values())


#: The chains of the permissions diff_access compares, each once.
_CHAINS = _compared_chains()
#: The relations of the org those chains walk (the edges whose change can change an answer).
_WALKED = frozenset(r for chain in _CHAINS for r in chain.relations)
_SOURCE = {name: frozenset(RULES.relation(name).source) for name in _WALKED}
_TARGET = {name: RULES.relation(name).target for name in _WALKED}


def _walk(
    view: OrgView,
    relations: Iterable[str],
    start: str,
    step: Callable[[OrgView, str, str], Iterable[str]],
) -> set[str]:
    nodes = {start}
    for relation in relations:
        nodes = {n for node in nodes for n in step(view, relation, node)}
        if not nodes:
            break
    return nodes


# (case or item, the row's relation, the id that relation names): a set of rows of the caller's.
_Rows = tuple[str, str, str]


class _Questions:
    """Which users to ask, and about which rows, for what changed between two snapshots."""

    def __init__(self) -> None:
        self.rows: dict[str, set[_Rows]] = {}
        # Chains share their relations (a case's representative and sub-rep, a case's and an
        # item's): each walk is made once per call.
        self._walks: dict[tuple[int, tuple[str, ...], str, bool], set[str]] = {}

    def _walk(self, view: OrgView, relations: tuple[str, ...], start: str, ahead: bool) -> set[str]:
        key = (id(view), relations, start, ahead)
        found = self._walks.get(key)
        if found is None:
            found = self._walks[key] = _walk(view, relations, start, forward if ahead else reverse)
        return found

    def _through(self, view: OrgView, place: _Place, start: str, end: str) -> None:
        # The users the relations ahead of the place lead to from ``end`` are asked about the
        # rows whose chains reach ``start`` by the relations behind it.
        back, ahead, kinds = place
        askers = self._walk(view, ahead, end, True)
        if not askers:
            return
        rows = {
            (on, field, first)
            for first in self._walk(view, back, start, False)
            for on, field in kinds
        }
        if rows:
            for asker in askers:
                self.rows.setdefault(asker, set()).update(rows)

    def node(self, view: OrgView, uid: str, *, account: bool) -> None:
        """A fact about the user ``uid`` changed: every chain where a grant reads such a fact.

        A grant reads the account of the user at the end of its chain (its role and bars:
        ``account``) and the conditions it puts on nodes before it (a shared pool's distributor
        sharing and active), so those are the places in a chain where ``uid`` matters.
        """
        for place in _NODE_PLACES[account]:
            self._through(view, place, uid, uid)

    def edge(self, view: OrgView, relation: str, source: str, target: str) -> None:
        """The edge ``source -relation-> target`` is in ``view`` only: every chain that walks it."""
        for place in _EDGE_PLACES.get(relation, ()):
            self._through(view, place, source, target)


# A place in the chains: the relations behind it (walked back from it), those ahead of it (to
# the asking users), and the rows' (case or item, field) of the chains that pass there. Chains
# that pass a place the same way share it: one walk each way for all of them.
_Place = tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]


def _grouped(places: Iterable[tuple[_Chain, int, int]]) -> tuple[_Place, ...]:
    # (chain, end of the relations behind the place, start of those ahead of it), grouped.
    found: dict[tuple[tuple[str, ...], tuple[str, ...]], list[tuple[str, str]]] = {}
    for chain, behind, ahead in places:
        key = (chain.relations[:behind][::-1], chain.relations[ahead:])
        found.setdefault(key, []).append((chain.on, chain.field))
    return tuple(
        (back, ahead, tuple(dict.fromkeys(kinds))) for (back, ahead), kinds in found.items()
    )


def _node_places(account: bool) -> tuple[_Place, ...]:
    places = []
    for chain in _CHAINS:
        last = len(chain.relations)
        at = set(chain.conditioned)
        if account and chain.nodes[last] == "user":
            at.add(last)
        places += [(chain, i, i) for i in sorted(at)]
    return _grouped(places)


#: Where a fact about a user matters: with and without its account changed.
_NODE_PLACES = {account: _node_places(account) for account in (True, False)}
#: Where an edge of each relation is walked.
_EDGE_PLACES = {
    relation: _grouped(
        (chain, j, j + 1)
        for chain in _CHAINS
        for j, walked in enumerate(chain.relations)
        if walked == relation
    )
    for relation in _WALKED
}


def _kind(vb: OrgView, va: OrgView, node: str) -> str | None:
    if node in vb.users or node in va.users:
        return "user"
    if node in vb.regions or node in va.regions:
        return "region"
    return None


def _questions(changed: _Changed) -> _Questions:
    vb, va = changed.before, changed.after
    out = _Questions()
    for node in changed.ids:
        kind = _kind(vb, va, node)
        if kind is None:
            continue
        old, new = vb.users.get(node), va.users.get(node)
        account = (
            kind == "user"
            and old != new
            and (
                old is None
                or new is None
                or any(getattr(old, f) != getattr(new, f) for f in _NODE_FIELDS)
            )
        )
        if account or (node in vb.sharing) != (node in va.sharing):
            for view in (vb, va):
                out.node(view, node, account=account)
        # Every edge of a walked relation at this node, in one snapshot and not the other.
        for relation in _WALKED:
            # (the same frozenset on both sides, shared by the snapshots, is not compared)
            if kind in _SOURCE[relation]:
                lost, gained = differing_ends(vb, va, relation, node)
                for target in lost:
                    out.edge(vb, relation, node, target)
                for target in gained:
                    out.edge(va, relation, node, target)
            if kind == _TARGET[relation]:
                lost, gained = differing_ends(vb, va, relation, node, back=True)
                for source in lost:
                    out.edge(vb, relation, source, node)
                for source in gained:
                    out.edge(va, relation, source, node)
    return out


# --- the rows those questions name -----------------------------------------------------------------


def _cases(index: CaseIndex, rows: Collection[_Rows]) -> dict[str, Case]:
    found: dict[str, Case] = {}
    people: set[str] = set()
    for on, field, first in rows:
        if on != "case":
            continue
        if field == "org":
            return dict(index.cases)
        if field == "facility":
            found.update((c.id, c) for c in index.at_facility(first))
        elif first not in people:  # representative or sub-rep: the cases concerning them
            people.add(first)
            found.update((c.id, c) for c in index.concerning(first))
    return found


# The custodians whose items a permission grants a user; None: every custodian (a grant through
# the organisation: an org-wide user views every item).
_Holders = frozenset[str] | None
_NO_HOLDERS: frozenset[str] = frozenset()


def _granted_holders(compiled: Compiled, permission: str, uid: str) -> _Holders:
    """The custodians whose items ``permission`` grants ``uid`` (None: all of them).

    As :class:`Custody` answers ``usable_inventory`` (without a date) and ``visible_inventory``:
    a user's access to an item follows from the item's custodian, through the user's compiled
    look-up; the items themselves are not read.
    """
    user = compiled.view.users.get(uid)
    if user is None or bars_of(user, ACTING):
        return _NO_HOLDERS  # a user that may not act uses and sees no item: nothing to compile
    look = compiled.look(permission, uid)
    if look is None or look.acting is not None:
        return _NO_HOLDERS
    if look.every is not None:
        return None
    return dict(look.granting()).get("holder", _NO_HOLDERS)


def _named_holders(held: ItemIndex, rows: Collection[_Rows]) -> Collection[str]:
    """The custodians of the items ``rows`` name (every custodian for a grant through the org)."""
    found: set[str] = set()
    for on, field, first in rows:
        if on != "item":
            continue
        if field == "org":
            return held.custodians
        found.add(first)
    return found


class _Collector:
    def __init__(self, steps: list[_Step]) -> None:
        self.steps = steps
        self.found: list[tuple[str, str, Any, bool]] = []

    def add(self, uid: str, permission: str, obj: Any, was: bool, now: bool) -> None:
        if was != now:
            self.found.append((uid, permission, obj, now))

    def diff(self, base: Callable[[], Org], held: ItemIndex) -> AccessDiff:
        gained: set[AccessChange] = set()
        lost: set[AccessChange] = set()
        if len(self.steps) == 1:
            # One change: it alone made every difference.
            alone: list[_Alone] = []
            only: str | None = self.steps[0].text
        else:
            start, records = base(), held.items
            alone = [_Alone(step, start, records) for step in self.steps]
            only = None
        for uid, permission, obj, now in self.found:
            cause = only
            if alone:
                named = [a.step.text for a in alone if a.answer(uid, permission, obj) is now]
                cause = "; ".join(named) or None
            object_id = obj if isinstance(obj, str) else obj.id
            (gained if now else lost).add(AccessChange(uid, permission, object_id, cause=cause))
        return AccessDiff(gained=frozenset(gained), lost=frozenset(lost))


def diff_access(
    before: Org,
    after: Org,
    *,
    cases: Iterable[Any] = (),
    items: Iterable[Any] = (),
) -> AccessDiff:
    """Return every access gained and lost between ``before`` and ``after``.

    Compares ``view_case`` and ``edit_case`` (as :class:`Visibility` answers them) on ``cases``, and
    ``use_item`` (:meth:`Custody.usable_inventory` without a date) and ``view_item``
    (:meth:`Custody.visible_inventory`) on ``items``. Each :class:`AccessChange` carries in
    ``cause`` the org changes to the user, to the case's representative or sub-rep, or to the
    item's custodian or its distributor, that brought it, where that can be told.

    The cost follows the change, not the org: the rule table's grant chains say whose access can
    run through what changed (a user, or an edge such as a rep's group or a region's manager),
    and those users are asked only about the cases and items whose chain passes there. Pass the
    cases as a :class:`CaseIndex` and the items as an :class:`ItemIndex`, each built once, to
    keep them from being read on every call; a list of either costs one pass over it each call.

    Parameters
    ----------
    before, after : Org
        Two snapshots, usually one derived from the other by changes.
    cases : CaseIndex or iterable of Case, optional
        Cases (or objects with the same attributes) to compare access to.
    items : ItemIndex or iterable of InventoryItem, optional
        Inventory (or objects with the same attributes) to compare access to.

    Returns
    -------
    AccessDiff

    Raises
    ------
    InvalidValueError
        If ``before`` or ``after`` is not an ``Org``, or a case or item is malformed or repeated.

    Examples
    --------
    >>> from beacon_org.testing import sample_org, sample_cases
    >>> before = sample_org()
    >>> diff = bo.diff_access(before, before.deactivate("rep-b2"), cases=sample_cases())
    >>> sorted((c.permission, c.object) for c in diff.lost)
    [('view_case', 'c-200'), ('view_case', 'c-201')]
    >>> {c.cause for c in diff.lost}
    {'rep-b2 deactivated'}
    >>> from beacon_org.testing import sample_items
    >>> cases, items = bo.CaseIndex(sample_cases()), bo.ItemIndex(sample_items())  # built once
    >>> moved = before.unassign_rep("rep-a2").assign_rep("rep-a2", "dist-b")
    >>> bo.diff_access(before, moved, cases=cases, items=items)
    <AccessDiff: 2 gained, 6 lost>
    """
    for name, org in (("before", before), ("after", after)):
        if not isinstance(org, Org):
            msg = f"diff_access() needs an Org as {name!r} (got {type(org).__name__})"
            raise InvalidValueError(msg, field=name, value=org)
    index = cases if isinstance(cases, CaseIndex) else CaseIndex(cases)
    held = items if isinstance(items, ItemIndex) else ItemIndex(items)
    changed = _Changed(before, after)
    if not changed.steps:
        return AccessDiff()
    questions = _questions(changed)

    vis_before, vis_after = Visibility(before), Visibility(after)
    out = _Collector(changed.steps)
    for uid in sorted(questions.rows):
        for case in _cases(index, questions.rows[uid]).values():
            view_was = vis_before.can_view_case(uid, case).allowed
            view_now = vis_after.can_view_case(uid, case).allowed
            out.add(uid, "view_case", case, view_was, view_now)
            edit_was = view_was and vis_before.can_edit_case(uid, case).allowed
            edit_now = view_now and vis_after.can_edit_case(uid, case).allowed
            out.add(uid, "edit_case", case, edit_was, edit_now)

    if len(held):
        # An item's use and view follow from its custodian: each asked user's granted custodians
        # are compared, and only the items of a custodian granted on one side are read.
        compiled_before = Compiled(before.view, RULES)
        compiled_after = Compiled(after.view, RULES)
        readers = {"use_item": held.usable_of, "view_item": held.ids_held_by}
        read: dict[tuple[str, str], frozenset[str]] = {}  # a custodian's items, read once
        for uid in sorted(questions.rows):
            holders = _named_holders(held, questions.rows[uid])
            if not holders:
                continue
            for permission, ids_of in readers.items():
                was = _granted_holders(compiled_before, permission, uid)
                now = _granted_holders(compiled_after, permission, uid)
                if was == now:
                    continue
                for holder in holders:
                    had = was is None or holder in was
                    has = now is None or holder in now
                    if had != has:
                        key = (permission, holder)
                        if key not in read:
                            read[key] = ids_of(holder)
                        for item_id in read[key]:
                            out.add(uid, permission, item_id, had, has)
    return out.diff(lambda: changed.base(before), held)
