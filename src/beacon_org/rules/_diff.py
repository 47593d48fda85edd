"""What a change to an org does to everyone's access: ``diff_access`` and its records.

The org keeps its look-ups in persistent maps whose untouched shards are shared between snapshots,
so the users a change touched are found by comparing only the shards that differ. Only those users
and the users whose access runs through them (their distributor, their reps, their regions'
managers) are asked about, and only about the cases and items their access can reach.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import attrs

from .._errors import InvalidValueError
from .._model import InventoryItem, User
from .._org import Org
from .._pmap import PMap
from ._case_index import CaseIndex
from ._custody import Custody
from ._rows import item_records
from ._visibility import Visibility

__all__ = ["PERMISSIONS", "AccessChange", "AccessDiff", "AccessLine", "diff_access"]

#: The permissions :func:`diff_access` compares, in the order it reports them.
PERMISSIONS = ("view_case", "edit_case", "use_item", "view_item")

K = TypeVar("K")
V = TypeVar("V")
_MISSING: Any = object()
_EMPTY: frozenset[str] = frozenset()
_ITEM = frozenset({"use_item", "view_item"})
# The user fields the rules read; a change to any other field (name, email, directory records)
# cannot change anyone's access.
_RULE_FIELDS = ("role", "active", "training_complete", "custodian_only", "facilities", "region")


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


def _changed_keys(before: Mapping[K, V], after: Mapping[K, V]) -> Iterator[K]:
    """Yield the keys whose values differ, comparing only the shards the two maps do not share."""
    pairs: Iterable[tuple[Mapping[K, V], Mapping[K, V]]]
    if isinstance(before, PMap) and isinstance(after, PMap):
        pairs = zip(before._shards, after._shards, strict=True)
    else:
        pairs = [(before, after)]
    for old, new in pairs:
        if old is new:
            continue
        for key in old.keys() | new.keys():
            if old.get(key, _MISSING) != new.get(key, _MISSING):
                yield key


def _describe_user(uid: str, old: User | None, new: User | None) -> list[str]:
    return [text for _field, text in _user_fields(uid, old, new)]


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


class _Changes:
    """The users a change touched, with what happened to each, in words."""

    def __init__(self, before: Org, after: Org) -> None:
        self.said: dict[str, list[str]] = {}
        for uid in _changed_keys(before._users, after._users):
            old, new = before._users.get(uid), after._users.get(uid)
            if (
                old is not None
                and new is not None
                and all(getattr(old, f) == getattr(new, f) for f in _RULE_FIELDS)
            ):
                continue
            self._say(uid, *_describe_user(uid, old, new))
        for uid in _changed_keys(before._distributor_of, after._distributor_of):
            old_d, new_d = before._distributor_of.get(uid), after._distributor_of.get(uid)
            text = _describe_group(uid, old_d, new_d)
            self._say(uid, text)
            for distributor in (old_d, new_d):
                if distributor is not None:
                    self._say(distributor, text)
        for uid in _changed_keys(before._sharing, after._sharing):
            state = "on" if uid in after._sharing else "off"
            self._say(uid, f"{uid} turned shared inventory {state}")
        for rid in _changed_keys(before._regions, after._regions):
            old_r, new_r = before._regions.get(rid), after._regions.get(rid)
            old_m = old_r.manager if old_r is not None else None
            new_m = new_r.manager if new_r is not None else None
            if old_m == new_m:
                continue
            text = f"region {rid} manager {old_m or 'none'} -> {new_m or 'none'}"
            for manager in (old_m, new_m):
                if manager is not None:
                    self._say(manager, text)

    def _say(self, uid: str, *texts: str) -> None:
        said = self.said.setdefault(uid, [])
        said.extend(t for t in texts if t not in said)


def _neighbours(org: Org, uid: str) -> Iterator[str]:
    """The users whose access runs through ``uid``: its distributor, its reps, its region's manager."""
    distributor = org._distributor_of.get(uid)
    if distributor is not None:
        yield distributor
    yield from org._reps.get(uid, _EMPTY)
    user = org._users.get(uid)
    if user is not None and user.region is not None:
        manager = org._regions[user.region].manager
        if manager is not None:
            yield manager


# --- each change alone ---------------------------------------------------------------------------


def _base(before: Org, after: Org) -> Org:
    """``before`` plus the regions only ``after`` has, without their managers.

    A user placed in a new region needs the region to exist for that change alone; the new
    region's manager is a change of its own.
    """
    regions = before._regions
    for rid in after._regions.keys() - before._regions.keys():
        regions = regions.set(rid, attrs.evolve(after._regions[rid], manager=None))
    return before._replace(_regions=regions) if regions is not before._regions else before


# Each change alone is made on the persistent maps of the snapshot, as the org's own changes
# are: it costs a few shard copies, not a copy of the org.


def _drop(index: PMap[str, frozenset[str]], key: str, member: str) -> PMap[str, frozenset[str]]:
    rest = index.get(key, _EMPTY) - {member}
    return index.set(key, rest) if rest else index.delete(key)


def _add(index: PMap[str, frozenset[str]], key: str, member: str) -> PMap[str, frozenset[str]]:
    return index.set(key, index.get(key, _EMPTY) | {member})


def _with_user(org: Org, uid: str, user: User | None) -> Org:
    old = org._users.get(uid)
    if user is not None:
        return org._put_user(old, user)
    assert old is not None  # a user removed was in the earlier snapshot
    # A user removed takes its region membership, group links, sharing and managed regions along.
    members = _drop(org._members, old.region, uid) if old.region is not None else org._members
    distributor_of, reps = org._distributor_of, org._reps
    distributor = distributor_of.get(uid)
    if distributor is not None:
        distributor_of, reps = distributor_of.delete(uid), _drop(reps, distributor, uid)
    for rep in reps.get(uid, _EMPTY):
        distributor_of = distributor_of.delete(rep)
    regions = org._regions
    for rid in org._managed.get(uid, _EMPTY):
        regions = regions.set(rid, attrs.evolve(regions[rid], manager=None))
    return org._replace(
        _users=org._users.delete(uid),
        _members=members,
        _distributor_of=distributor_of,
        _reps=reps.delete(uid),
        _sharing=org._sharing.delete(uid),
        _regions=regions,
        _managed=org._managed.delete(uid),
    )


def _with_field(org: Org, uid: str, field: str, value: Any) -> Org:
    old = org._users[uid]
    return org._put_user(old, attrs.evolve(old, **{field: value}))


def _with_group(org: Org, rep: str, distributor: str | None) -> Org:
    distributor_of, reps = org._distributor_of, org._reps
    current = distributor_of.get(rep)
    if current is not None:
        distributor_of, reps = distributor_of.delete(rep), _drop(reps, current, rep)
    if distributor is not None:
        distributor_of, reps = distributor_of.set(rep, distributor), _add(reps, distributor, rep)
    return org._replace(_distributor_of=distributor_of, _reps=reps)


def _with_sharing(org: Org, distributor: str, on: bool) -> Org:
    sharing = org._sharing.set(distributor, True) if on else org._sharing.delete(distributor)
    return org._replace(_sharing=sharing)


def _with_manager(org: Org, rid: str, manager: str | None) -> Org:
    region = org._regions[rid]
    managed = org._managed
    if region.manager is not None:
        managed = _drop(managed, region.manager, rid)
    if manager is not None:
        managed = _add(managed, manager, rid)
    regions = org._regions.set(rid, attrs.evolve(region, manager=manager))
    return org._replace(_regions=regions, _managed=managed)


@attrs.frozen
class _Step:
    """One change between two snapshots, in words, and how to make it alone on a snapshot."""

    text: str
    make: Callable[[Org], Org]


def _steps(before: Org, after: Org) -> list[_Step]:
    """Every change from ``before`` to ``after`` that the rules can feel, one at a time."""
    steps: list[_Step] = []
    for uid in sorted(_changed_keys(before._users, after._users)):
        old, new = before._users.get(uid), after._users.get(uid)
        for field, text in _user_fields(uid, old, new):
            if field is None or old is None or new is None:
                steps.append(_Step(text, functools.partial(_with_user, uid=uid, user=new)))
            else:
                value = getattr(new, field)
                make = functools.partial(_with_field, uid=uid, field=field, value=value)
                steps.append(_Step(text, make))
    for rep in sorted(_changed_keys(before._distributor_of, after._distributor_of)):
        old_d, new_d = before._distributor_of.get(rep), after._distributor_of.get(rep)
        make = functools.partial(_with_group, rep=rep, distributor=new_d)
        steps.append(_Step(_describe_group(rep, old_d, new_d), make))
    for distributor in sorted(_changed_keys(before._sharing, after._sharing)):
        on = distributor in after._sharing
        text = f"{distributor} turned shared inventory {'on' if on else 'off'}"
        steps.append(_Step(text, functools.partial(_with_sharing, distributor=distributor, on=on)))
    for rid in sorted(_changed_keys(before._regions, after._regions)):
        old_r, new_r = before._regions.get(rid), after._regions.get(rid)
        old_m = old_r.manager if old_r is not None else None
        new_m = new_r.manager if new_r is not None else None
        if old_m != new_m:
            text = f"region {rid} manager {old_m or 'none'} -> {new_m or 'none'}"
            steps.append(_Step(text, functools.partial(_with_manager, rid=rid, manager=new_m)))
    return steps


class _Alone:
    """The org with one change alone, and the rules' answers on it, built when first asked."""

    def __init__(self, step: _Step, base: Org, records: list[InventoryItem]) -> None:
        self.step = step
        self._base, self._records = base, records
        self._rules: tuple[Visibility, Custody] | None = None
        self._inventory: dict[tuple[str, str], frozenset[str]] = {}

    def answer(self, uid: str, permission: str, obj: Any) -> bool:
        """The answer to ``uid``'s ``permission`` on ``obj`` with this change alone."""
        if self._rules is None:
            org = self.step.make(self._base)
            # Whether a user may use or view an item depends on that item's record alone: only
            # the items whose access changed are read.
            self._rules = (Visibility(org), Custody(org, self._records))
        vis, custody = self._rules
        if permission == "view_case":
            return vis.can_view_case(uid, obj).allowed
        if permission == "edit_case":
            return vis.can_view_case(uid, obj).allowed and vis.can_edit_case(uid, obj).allowed
        key = (uid, permission)
        if key not in self._inventory:
            self._inventory[key] = (
                custody.usable_inventory(uid)
                if permission == "use_item"
                else custody.visible_inventory(uid)
            )
        return obj in self._inventory[key]


# --- the cases a user's access can reach ----------------------------------------------------------


class _ItemIndex:
    def __init__(self, items: Iterable[Any]) -> None:
        self.items: dict[str, InventoryItem] = item_records(items)
        self.by_custodian: dict[str, list[str]] = {}
        for record in self.items.values():
            self.by_custodian.setdefault(record.custodian, []).append(record.id)

    def reachable(self, org: Org, subjects: Iterable[str]) -> set[str]:
        """A superset of the items any of ``subjects`` may use or view in ``org``."""
        custodians: set[str] = set()
        for uid in subjects:
            user = org._users.get(uid)
            if user is None:
                continue
            if user.role.is_org_wide:
                return set(self.items)
            custodians.add(uid)
            custodians.update(org._reps.get(uid, _EMPTY))
            distributor = org._distributor_of.get(uid)
            if distributor is not None:
                custodians.add(distributor)
            for region in org._managed.get(uid, _EMPTY):
                custodians.update(org._members.get(region, _EMPTY))
        return {i for c in custodians for i in self.by_custodian.get(c, ())}


class _Collector:
    def __init__(self, steps: list[_Step]) -> None:
        self.steps = steps
        self.found: list[tuple[str, str, Any, bool]] = []

    def add(self, uid: str, permission: str, obj: Any, was: bool, now: bool) -> None:
        if was != now:
            self.found.append((uid, permission, obj, now))

    def diff(self, before: Org, after: Org, records: list[InventoryItem]) -> AccessDiff:
        gained: set[AccessChange] = set()
        lost: set[AccessChange] = set()
        if len(self.steps) == 1:
            # One change: it alone made every difference.
            alone: list[_Alone] = []
            only: str | None = self.steps[0].text
        else:
            base = _base(before, after)
            changed = {obj for _uid, permission, obj, _now in self.found if permission in _ITEM}
            held = [r for r in records if r.id in changed]
            alone = [_Alone(step, base, held) for step in self.steps]
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

    The cost follows the change, not the org: only the users a change touched and those whose
    access runs through them are asked about, and only about the cases and items they can reach
    before or after. Reading ``cases`` and ``items`` costs one pass over each.

    Parameters
    ----------
    before, after : Org
        Two snapshots, usually one derived from the other by changes.
    cases : iterable of Case, optional
        Cases (or objects with the same attributes) to compare access to.
    items : iterable of InventoryItem, optional
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
    """
    for name, org in (("before", before), ("after", after)):
        if not isinstance(org, Org):
            msg = f"diff_access() needs an Org as {name!r} (got {type(org).__name__})"
            raise InvalidValueError(msg, field=name, value=org)
    index = cases if isinstance(cases, CaseIndex) else CaseIndex(cases)
    held = _ItemIndex(items)
    changes = _Changes(before, after)
    if not changes.said:
        return AccessDiff()

    subjects = set(changes.said)
    for uid in changes.said:
        subjects.update(_neighbours(before, uid))
        subjects.update(_neighbours(after, uid))

    vis_before, vis_after = Visibility(before), Visibility(after)
    out = _Collector(_steps(before, after))
    for uid in sorted(subjects):
        reachable = {c.id: c for c in index.reachable(before, uid)}
        reachable.update((c.id, c) for c in index.reachable(after, uid))
        for case in reachable.values():
            view_was = vis_before.can_view_case(uid, case).allowed
            view_now = vis_after.can_view_case(uid, case).allowed
            out.add(uid, "view_case", case, view_was, view_now)
            edit_was = view_was and vis_before.can_edit_case(uid, case).allowed
            edit_now = view_now and vis_after.can_edit_case(uid, case).allowed
            out.add(uid, "edit_case", case, edit_was, edit_now)

    records: list[InventoryItem] = []
    if held.items:
        # The rules are asked only about the items the subjects can reach: building Custody over
        # every item would cost a pass over all of them, twice, for a change that touches a few.
        reach = held.reachable(before, subjects) | held.reachable(after, subjects)
        records = [held.items[i] for i in sorted(reach)]
        custody_before = Custody(before, records)
        custody_after = Custody(after, records)
        for uid in sorted(subjects):
            for permission, was_set, now_set in (
                (
                    "use_item",
                    custody_before.usable_inventory(uid),
                    custody_after.usable_inventory(uid),
                ),
                (
                    "view_item",
                    custody_before.visible_inventory(uid),
                    custody_after.visible_inventory(uid),
                ),
            ):
                for item_id in was_set ^ now_set:
                    out.add(uid, permission, item_id, item_id in was_set, item_id in now_set)
    return out.diff(before, after, records)
