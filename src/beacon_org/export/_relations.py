"""The org, its cases and its items as relationships: the data SpiceDB, OpenFGA and Cedar load.

Which relations exist comes from the rule table, compiled for the engines (``export/_render.py``):
a relation no rendered grant uses is neither declared nor written. How each is read: the org's
relations through ``rules/_walk.py`` (the one place that reads them from an org), a case's and an
item's from its row, the flags of the table's conditions and the user's own facts (its role, its
account bars) by the readers below. Every fact a rule depends on is a relationship, including the
ones that take access away (inactive, locked, custodian-only users, closed cases, inactive items
and items on hold), so that a change to the org is a change to relationships and nothing is left
to the caller. A user's own facts are relationships from the user to itself
(``user:X#role_sales@user:X``, ``user:X#locked@user:X``): a check then reads the relationships of
the users on its path, never one object's list of every user; and as the barring facts are the
exceptions, the sets an engine scans stay small.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import attrs

from .._model import ORG_CUSTODY, User
from .._org import Org, OrgView
from ..rules._rows import case_records as read_cases
from ..rules._rows import item_records as read_items
from ..rules._rows import rows_by_id
from ..rules._table import RULES, Bar, RuleTable
from ..rules._walk import ORG_RELATIONS, differing_ends, forward, reverse
from ._ids import spicedb_id
from ._render import EXPIRY_CAVEAT, EngineModel, model_of

__all__ = [
    "EXPIRY_CAVEAT",
    "ORGANIZATION",
    "WILDCARD",
    "CaseFacts",
    "Fact",
    "ItemFacts",
    "Triple",
    "case_records",
    "facts",
    "item_records",
    "relationship_triples",
]

#: The one ``organization`` object; it is also the custodian of ``ORG_CUSTODY`` items.
ORGANIZATION = ORG_CUSTODY
#: A subject id meaning "every user" (``user:*``), used for yes/no flags on cases and items.
WILDCARD = "*"

#: One relationship as encoded strings: (``type:id`` of the resource, relation, ``type:id`` of
#: the subject). Sorting triples sorts their ``resource#relation@subject`` strings alike, as
#: ``#`` and ``@`` sort before every character of an encoded id and a relation name.
Triple = tuple[str, str, str]

#: One relationship with beacon_org's own ids: (resource type, resource id, relation, subject
#: type, subject id, caveat). The caveat is ``name:{context}`` (the expiry date) or None.
Fact = tuple[str, str, str, str, str, str | None]


class _Encoders:
    # ``type:encoded-id`` of each object, memoised for one export: a user id recurs in many
    # relationships.
    def __init__(self) -> None:
        self._known: dict[tuple[str, str], str] = {}

    def __call__(self, fact: Fact) -> Triple:
        rtype, rid, relation, stype, sid, caveat = fact
        known = self._known
        resource = known.get((rtype, rid)) or self._encode(rtype, rid)
        if sid == WILDCARD:
            subject = f"{stype}:{WILDCARD}"
        else:
            subject = known.get((stype, sid)) or self._encode(stype, sid)
        if caveat is not None:
            subject = f"{subject}[{caveat}]"
        return (resource, relation, subject)

    def _encode(self, object_type: str, id: str) -> str:
        found = self._known[object_type, id] = f"{object_type}:{spicedb_id(id)}"
        return found


class _Plan:
    # What an export writes, per object type, read off the compiled model once.
    def __init__(self, model: EngineModel) -> None:
        relations = {d.type: d.relations for d in model.definitions}
        # The relations a row's fields give, and its flags, each with its reader.
        self.fields = {
            t: tuple(
                (r.name, _FIELDS[t, r.name])
                for r in rs
                if r.kind == "edge" and r.name not in ORG_RELATIONS
            )
            for t, rs in relations.items()
        }
        self.flags = {
            t: tuple((r.name, _FLAGS[t, r.name]) for r in rs if r.kind == "flag")
            for t, rs in relations.items()
        }
        # (source type, relation, target types) of each relation read from the org.
        self.org_edges = [
            (t, r.name, r.subjects)
            for t, rs in relations.items()
            for r in rs
            if r.kind == "edge" and r.name in ORG_RELATIONS
        ]
        self.roles = dict(model.role_relations)
        self.bars = model.bar_relations


# --- how each fact is read ----------------------------------------------------------------------

# An account bar of the table, as a fact about a user.
_BAR_HOLDS: dict[Bar, Callable[[User], bool]] = {
    Bar.INACTIVE: lambda user: not user.active,
    Bar.LOCKED: lambda user: user.locked,
    Bar.CUSTODIAN_ONLY: lambda user: user.custodian_only,
}

_Pairs = tuple[tuple[str, str], ...]
_IN_ORG: _Pairs = (("organization", ORGANIZATION),)


def _holder(item: ItemFacts) -> _Pairs:
    if item.custodian == ORG_CUSTODY:
        return _IN_ORG
    return (("user", item.custodian),)


def _expiry(item: ItemFacts) -> bool | str:
    # Caveated: past its date (given with the request) nobody uses the item.
    if item.expires is None:
        return False
    context = json.dumps({"expires": item.expires}, separators=(",", ":"))
    return f"{EXPIRY_CAVEAT}:{context}"


# (type, relation) -> the (type, id) each row's field leads to: the relations a chain starts
# with, read from the user's, the case's or the item's row.
_FIELDS: dict[tuple[str, str], Callable[[Any], _Pairs]] = {
    ("user", "org"): lambda user: _IN_ORG,
    ("case", "org"): lambda case: _IN_ORG,
    ("case", "representative"): lambda case: (("user", case.representative),),
    ("case", "sub_rep"): lambda case: () if case.sub_rep is None else (("user", case.sub_rep),),
    ("case", "facility"): lambda case: (
        () if case.facility is None else (("facility", case.facility),)
    ),
    ("item", "org"): lambda item: _IN_ORG,
    ("item", "holder"): _holder,
}
# (type, flag) -> whether a row carries the flag (export/_render.py's FLAGS: how the table's
# conditions are recorded); a string: carried, with this caveat.
_FLAGS: dict[tuple[str, str], Callable[[Any, Any], bool | str]] = {  # (view, row)
    ("user", "inactive"): lambda view, user: not user.active,
    ("user", "shares_inventory"): lambda view, user: user.id in view.sharing,
    ("user", "holds_no_inventory"): lambda view, user: not user.role.can_hold_inventory,
    ("case", "open"): lambda view, case: not case.closed,
    ("item", "inactive"): lambda view, item: not item.active,
    ("item", "on_hold"): lambda view, item: item.on_hold,
    ("item", "expired"): lambda view, item: _expiry(item),
}


#: What an export of the project's own rule table writes (its model is compiled at import too).
_RULES_PLAN = _Plan(model_of(RULES))


def _row_facts(
    plan: _Plan, rtype: str, view: OrgView | None, rows: Iterable[Any]
) -> Iterator[Fact]:
    # Each row's own relations and flags that the model declares on its type.
    fields = plan.fields.get(rtype, ())
    flags = plan.flags.get(rtype, ())
    for row in rows:
        rid = row.id
        for name, read in fields:
            for stype, sid in read(row):
                yield (rtype, rid, name, stype, sid, None)
        for name, holds in flags:
            value = holds(view, row)
            if value:
                caveat = value if isinstance(value, str) else None
                yield (rtype, rid, name, "user", WILDCARD, caveat)


def _user_facts(plan: _Plan, view: OrgView, user: User) -> Iterator[Fact]:
    # The user's own facts: its role and bars (to itself), its flags and its row's relations.
    uid = user.id
    role = plan.roles.get(user.role)
    if role is not None:
        yield ("user", uid, role, "user", uid, None)
    for bar, relation in plan.bars:
        if _BAR_HOLDS[bar](user):
            yield ("user", uid, relation, "user", uid, None)
    yield from _row_facts(plan, "user", view, (user,))


def _edges_at(plan: _Plan, view: OrgView, kind: str, oid: str, *, both: bool) -> Iterator[Fact]:
    # The org's relationships that end at ``oid`` (of type ``kind``); with ``both``, also those
    # that start there. Each relationship ends at exactly one user or region.
    for source, relation, targets in plan.org_edges:
        if kind in targets:
            for sid in reverse(view, relation, oid):
                yield (source, sid, relation, kind, oid, None)
        if both and source == kind:
            for tid in forward(view, relation, oid):
                stype = targets[0] if len(targets) == 1 else _kind(view, tid)
                yield (source, oid, relation, stype, tid, None)


def _kind(view: OrgView, oid: str) -> str:
    return "region" if oid in view.regions else "user"


def _org_facts(plan: _Plan, view: OrgView) -> Iterator[Fact]:
    for user in view.users.values():
        yield from _user_facts(plan, view, user)
        yield from _edges_at(plan, view, "user", user.id, both=False)
    for region_id in view.regions:
        yield from _edges_at(plan, view, "region", region_id, both=False)


def _plan_of(rules: RuleTable) -> _Plan:
    return _RULES_PLAN if rules is RULES else _Plan(model_of(rules))


def _differing_edges(
    plan: _Plan, before: OrgView | None, after: OrgView | None, kind: str, oid: str
) -> tuple[list[Fact], list[Fact]]:
    # The org's relationships that start or end at ``oid`` (of type ``kind``; None: a snapshot
    # without it) in one snapshot and not the other: the ids at the far end are compared as sets
    # and only the differing ones rendered. A relationship is its two ends and its relation, so
    # one in both snapshots is the same in both.
    gone: list[Fact] = []
    came: list[Fact] = []
    for source, relation, targets in plan.org_edges:
        if kind in targets:
            lost, gained = differing_ends(before, after, relation, oid, back=True)
            gone += [(source, sid, relation, kind, oid, None) for sid in lost]
            came += [(source, sid, relation, kind, oid, None) for sid in gained]
        if source == kind:
            lost, gained = differing_ends(before, after, relation, oid)
            for view, ends, out in ((before, lost, gone), (after, gained, came)):
                for tid in ends:  # none when the snapshot lacks ``oid`` (view is None)
                    assert view is not None
                    stype = targets[0] if len(targets) == 1 else _kind(view, tid)
                    out.append((source, oid, relation, stype, tid, None))
    return gone, came


def changed_org_triples(
    before: Org, after: Org, rules: RuleTable = RULES
) -> tuple[set[Triple], set[Triple]]:
    """Return relationships of ``before`` and of ``after`` whose difference is the change's.

    A relationship of the org joins two ids, or is a user's own fact; it can differ between the
    snapshots only when one of its ids is among :meth:`~beacon_org.Org.changed_ids`. For each of
    those ids, a user's own facts are rendered on both sides when its record or its sharing
    differs, and of the relationships that start or end there only those in one snapshot and not
    the other (their far ends compared as id sets). What is left out is the same on both sides:
    the difference of the two sets is the difference of the two full exports, and the cost
    follows the relationships that change, not the size of the groups or regions they touch.
    """
    plan = _plan_of(rules)
    enc = _Encoders()
    old: set[Triple] = set()
    new: set[Triple] = set()
    vb, va = before.view, after.view
    for oid in before.changed_ids(after):
        was, now = vb.users.get(oid), va.users.get(oid)
        if was is not None or now is not None:
            if (was is not now and was != now) or ((oid in vb.sharing) != (oid in va.sharing)):
                if was is not None:
                    old.update(map(enc, _user_facts(plan, vb, was)))
                if now is not None:
                    new.update(map(enc, _user_facts(plan, va, now)))
            gone, came = _differing_edges(
                plan, vb if was is not None else None, va if now is not None else None, "user", oid
            )
            old.update(map(enc, gone))
            new.update(map(enc, came))
        region_before, region_after = oid in vb.regions, oid in va.regions
        if region_before or region_after:
            gone, came = _differing_edges(
                plan, vb if region_before else None, va if region_after else None, "region", oid
            )
            old.update(map(enc, gone))
            new.update(map(enc, came))
    return old, new


@attrs.frozen
class CaseFacts:
    """What the rules read of a case, checked."""

    id: str
    representative: str
    sub_rep: str | None
    facility: str | None
    closed: bool


@attrs.frozen
class ItemFacts:
    """What the rules read of an item, checked; ``expires`` as ``YYYY-MM-DD`` (or None)."""

    id: str
    custodian: str
    active: bool
    expires: str | None = None
    on_hold: bool = False


def case_records(cases: Iterable[Any]) -> list[CaseFacts]:
    """Check ``cases`` (any objects with Case's attributes) and return what the rules read."""
    return [
        CaseFacts(c.id, c.representative, c.sub_rep, c.facility, c.status.is_closed)
        for _row, c in read_cases(cases)
    ]


def item_records(items: Iterable[Any]) -> list[ItemFacts]:
    """Check ``items`` (any objects with InventoryItem's attributes) and return what rules read."""
    return [
        ItemFacts(
            i.id,
            i.custodian,
            i.active,
            None if i.expires is None else i.expires.isoformat(),
            i.on_hold,
        )
        for i in read_items(items).values()
    ]


def _case_facts(plan: _Plan, cases: Iterable[CaseFacts]) -> Iterator[Fact]:
    return _row_facts(plan, "case", None, cases)


def _item_facts(plan: _Plan, items: Iterable[ItemFacts]) -> Iterator[Fact]:
    return _row_facts(plan, "item", None, items)


F = TypeVar("F", CaseFacts, ItemFacts)


def _changed_facts(
    before: Iterable[Any], after: Iterable[Any], records: Callable[[list[Any]], list[F]], what: str
) -> tuple[list[F], list[F]]:
    # The rows only one side has, or whose facts differ, matched by id. A row that is the same
    # object on both sides has the same facts on both: it costs one look-up and is not read.
    old = rows_by_id(before, what)
    new = rows_by_id(after, what)
    old_facts = {f.id: f for f in records([r for i, r in old.items() if new.get(i) is not r])}
    new_facts = {f.id: f for f in records([r for i, r in new.items() if old.get(i) is not r])}
    return (
        [f for i, f in old_facts.items() if new_facts.get(i) != f],
        [f for i, f in new_facts.items() if old_facts.get(i) != f],
    )


def changed_triples(
    before: Org,
    after: Org,
    cases: Iterable[Any] | None = None,
    items: Iterable[Any] | None = None,
    after_cases: Iterable[Any] | None = None,
    after_items: Iterable[Any] | None = None,
    rules: RuleTable = RULES,
) -> tuple[set[Triple], set[Triple]]:
    """Return the relationships of the two snapshots that can differ: ``before``'s and ``after``'s.

    The org's part is :func:`changed_org_triples`. Cases (and items) are read only when
    ``after_cases`` (``after_items``) is given: rows are matched by id (which is checked, and must
    be unique on each side); a row that is the same object on both sides is not read further, the
    others are checked as :func:`case_records` does, and only those added, removed or whose facts
    changed are rendered.
    """
    plan = _plan_of(rules)
    old, new = changed_org_triples(before, after, rules)
    enc = _Encoders()
    if after_cases is not None:
        gone, came = _changed_facts(cases or (), after_cases, case_records, "case")
        old.update(map(enc, _case_facts(plan, gone)))
        new.update(map(enc, _case_facts(plan, came)))
    if after_items is not None:
        gone_i, came_i = _changed_facts(items or (), after_items, item_records, "item")
        old.update(map(enc, _item_facts(plan, gone_i)))
        new.update(map(enc, _item_facts(plan, came_i)))
    return old, new


def facts(
    org: Org, cases: Iterable[Any] = (), items: Iterable[Any] = (), rules: RuleTable = RULES
) -> Iterator[Fact]:
    """Every relationship of ``org``, ``cases`` and ``items`` with beacon_org's own ids.

    Raises :class:`~beacon_org.InvalidValueError` for a malformed case or item, before any is
    yielded.
    """
    plan = _plan_of(rules)
    case_facts, item_facts = case_records(cases), item_records(items)
    yield from _org_facts(plan, org.view)
    yield from _case_facts(plan, case_facts)
    yield from _item_facts(plan, item_facts)


def relationship_triples(
    org: Org, cases: Iterable[Any] = (), items: Iterable[Any] = (), rules: RuleTable = RULES
) -> list[Triple]:
    """Return every relationship for ``org``, ``cases`` and ``items``, sorted, each once."""
    enc = _Encoders()
    return sorted(set(map(enc, facts(org, cases, items, rules))))
