"""The org, its cases and its items as relationship tuples: the data SpiceDB and OpenFGA share.

Both engines get the same tuples; only their schema languages differ. Every fact a rule depends on
is a tuple, including the ones that take access away (inactive, locked, custodian-only users,
closed cases, inactive items and items on hold), so that a change to the org is a change to tuples and nothing is
left to the caller. A user's own facts are tuples from the user to itself: its role
(``user:X#role_sales@user:X``) and what bars it (``deactivated``, ``locked``, ``custodian_only``).
A check then reads the relationships of the users on its path, never one object's list of every
user; and as the barring facts are the exceptions, the sets an engine scans stay small.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import attrs

from .._model import ORG_CUSTODY, Region, Role, User
from .._org import Org
from ..rules._rows import case_records as read_cases
from ..rules._rows import item_records as read_items
from ..rules._rows import rows_by_id
from ._ids import spicedb_id

__all__ = [
    "EXPIRY_CAVEAT",
    "ORGANIZATION",
    "WILDCARD",
    "CaseFacts",
    "ItemFacts",
    "Triple",
    "case_records",
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

# The self-relation that records each role's group (org-wide roles are one group).
_ROLE_RELATION = {
    Role.PRIMARY_ADMIN: "role_back_office",
    Role.ADMIN: "role_back_office",
    Role.OPERATIONS: "role_back_office",
    Role.REGIONAL_MANAGER: "role_regional_manager",
    Role.DISTRIBUTOR: "role_distributor",
    Role.SALES: "role_sales",
    Role.FACILITY_MANAGER: "role_facility_manager",
}


def _encoder(object_type: str) -> Callable[[str], str]:
    # ``type:encoded-id``, memoised for one export: a user id recurs in many relationships.
    known: dict[str, str] = {}

    def encode(id: str) -> str:
        found = known.get(id)
        if found is None:
            found = known[id] = f"{object_type}:{spicedb_id(id)}"
        return found

    return encode


@attrs.frozen
class _Encoders:
    user: Callable[[str], str] = attrs.field(factory=lambda: _encoder("user"))
    region: Callable[[str], str] = attrs.field(factory=lambda: _encoder("region"))
    facility: Callable[[str], str] = attrs.field(factory=lambda: _encoder("facility"))
    case: Callable[[str], str] = attrs.field(factory=lambda: _encoder("case"))
    item: Callable[[str], str] = attrs.field(factory=lambda: _encoder("item"))


#: The caveat (SpiceDB) and condition (OpenFGA) that judges an item's expiry from the request's
#: date: ``past_expiry(on, expires)``, both ``YYYY-MM-DD`` strings.
EXPIRY_CAVEAT = "past_expiry"

_ORGANIZATION = f"organization:{spicedb_id(ORGANIZATION)}"
_EVERYONE = f"user:{WILDCARD}"


def _user_triples(org: Org, enc: _Encoders) -> Iterator[Triple]:
    for user in org.users.values():
        yield from _one_user_triples(org, user, enc)
    for region in org.regions.values():
        yield from _region_triples(region, enc)


def _one_user_triples(org: Org, user: User, enc: _Encoders) -> Iterator[Triple]:
    # Every relationship this user's record, reps and sharing give; they read nothing else, and
    # no other user's or region's relationships repeat one of them (see ``changed_org_triples``).
    me = enc.user(user.id)
    role = user.role
    yield (me, _ROLE_RELATION[role], me)
    if role.is_org_wide:
        # The few org-wide users: the path from every case and item to their own facts.
        yield (_ORGANIZATION, "back_office", me)
    if not user.active:
        yield (me, "deactivated", me)
        # The same fact as every subject sees it: create_case excludes them all.
        yield (me, "inactive", _EVERYONE)
    if role.can_hold_inventory:
        # A possible representative: the back office may enter its cases.
        yield (me, "org", _ORGANIZATION)
    if not (user.training_complete or role.is_org_wide):
        yield (me, "locked", me)
    if user.custodian_only:
        yield (me, "custodian_only", me)
    if user.region is not None:
        yield (me, "region", enc.region(user.region))
    if role is Role.FACILITY_MANAGER:
        for facility in user.facilities:
            yield (enc.facility(facility), "manager", me)
    elif role is Role.DISTRIBUTOR:
        for rep_id in org.reps_of(user.id):
            rep = enc.user(rep_id)
            yield (rep, "distributor", me)
            yield (me, "rep", rep)
        # Sharing needs an active distributor: its pool is closed while it is deactivated.
        if user.active and org.shares_inventory(user.id):
            yield (me, "shares_inventory", _EVERYONE)


def _region_triples(region: Region, enc: _Encoders) -> Iterator[Triple]:
    if region.manager is not None:
        yield (enc.region(region.id), "manager", enc.user(region.manager))


def changed_org_triples(before: Org, after: Org) -> tuple[set[Triple], set[Triple]]:
    """Return the relationships of ``before`` and of ``after`` that the change between them can touch.

    Each user's relationships read only its record, its reps and whether it shares
    (:func:`_one_user_triples`), each region's only its record, and every relationship has one
    such owner (the user or region it is rendered for): so rendering the owners
    :meth:`~beacon_org.Org.changed_ids` names, on both sides, gives every relationship that
    differs, and what the rest render is the same on both sides. The difference of the two sets is
    the difference of the two full exports.
    """
    enc = _Encoders()
    old: set[Triple] = set()
    new: set[Triple] = set()
    for oid in before.changed_ids(after):
        for org, out in ((before, old), (after, new)):
            user = org.users.get(oid)
            if user is not None:
                out.update(_one_user_triples(org, user, enc))
            region = org.regions.get(oid)
            if region is not None:
                out.update(_region_triples(region, enc))
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


def _case_triples(cases: Iterable[Any], enc: _Encoders) -> Iterator[Triple]:
    return _case_fact_triples(case_records(cases), enc)


def _case_fact_triples(cases: Iterable[CaseFacts], enc: _Encoders) -> Iterator[Triple]:
    for case in cases:
        me = enc.case(case.id)
        yield (me, "org", _ORGANIZATION)
        yield (me, "representative", enc.user(case.representative))
        if case.sub_rep is not None:
            yield (me, "sub_rep", enc.user(case.sub_rep))
        if case.facility is not None:
            yield (me, "facility", enc.facility(case.facility))
        if not case.closed:
            yield (me, "open", _EVERYONE)


def _item_triples(items: Iterable[Any], enc: _Encoders) -> Iterator[Triple]:
    return _item_fact_triples(item_records(items), enc)


def _item_fact_triples(items: Iterable[ItemFacts], enc: _Encoders) -> Iterator[Triple]:
    for item in items:
        me = enc.item(item.id)
        yield (me, "org", _ORGANIZATION)
        if item.custodian == ORG_CUSTODY:
            yield (me, "org_custody", _ORGANIZATION)
        else:
            yield (me, "holder", enc.user(item.custodian))
        if not item.active:
            yield (me, "inactive", _EVERYONE)
        if item.expires is not None:
            # Caveated: past its date (given with the request) nobody uses the item.
            context = json.dumps({"expires": item.expires}, separators=(",", ":"))
            yield (me, "expired", f"{_EVERYONE}[{EXPIRY_CAVEAT}:{context}]")
        if item.on_hold:
            yield (me, "on_hold", _EVERYONE)


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
) -> tuple[set[Triple], set[Triple]]:
    """Return the relationships of the two snapshots that can differ: ``before``'s and ``after``'s.

    The org's part is :func:`changed_org_triples`. Cases (and items) are read only when
    ``after_cases`` (``after_items``) is given: rows are matched by id (which is checked, and must
    be unique on each side); a row that is the same object on both sides is not read further, the
    others are checked as :func:`case_records` does, and only those added, removed or whose facts
    changed are rendered.
    """
    old, new = changed_org_triples(before, after)
    enc = _Encoders()
    if after_cases is not None:
        gone, came = _changed_facts(cases or (), after_cases, case_records, "case")
        old.update(_case_fact_triples(gone, enc))
        new.update(_case_fact_triples(came, enc))
    if after_items is not None:
        gone_i, came_i = _changed_facts(items or (), after_items, item_records, "item")
        old.update(_item_fact_triples(gone_i, enc))
        new.update(_item_fact_triples(came_i, enc))
    return old, new


def relationship_triples(
    org: Org, cases: Iterable[Any] = (), items: Iterable[Any] = ()
) -> list[Triple]:
    """Return every relationship for ``org``, ``cases`` and ``items``, sorted, each once."""
    enc = _Encoders()
    return sorted(
        {*_user_triples(org, enc), *_case_triples(cases, enc), *_item_triples(items, enc)}
    )
