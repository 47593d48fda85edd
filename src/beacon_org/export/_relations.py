"""The org, its cases and its items as relationship tuples: the data SpiceDB and OpenFGA share.

Both engines get the same tuples; only their schema languages differ. Every fact a rule depends on
is a tuple, including the ones that take access away (inactive, locked, custodian-only users,
closed cases, inactive items), so that a change to the org is a change to tuples and nothing is
left to the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from .._errors import InvalidValueError
from .._model import ORG_CUSTODY, Role, to_case_status
from .._org import Org
from ._ids import spicedb_id

__all__ = [
    "ORGANIZATION",
    "WILDCARD",
    "CaseFacts",
    "ItemFacts",
    "Tuple",
    "case_records",
    "item_records",
    "relationship_tuples",
]

#: The one ``organization`` object; it is also the custodian of ``ORG_CUSTODY`` items.
ORGANIZATION = ORG_CUSTODY
#: A subject id meaning "every user" (``user:*``), used for yes/no flags on cases and items.
WILDCARD = "*"

_ORG_WIDE_ROLES = frozenset(r for r in Role if r.is_org_wide)
# The organization relation that records each non-org-wide role that takes part in case rules.
_ROLE_RELATION = {
    Role.DISTRIBUTOR: "distributor",
    Role.SALES: "sales",
    Role.FACILITY_MANAGER: "facility_manager",
}


@attrs.frozen(order=True)
class Tuple:
    """One relationship: ``resource_type:resource_id#relation@subject_type:subject_id``."""

    resource_type: str
    resource_id: str
    relation: str
    subject_type: str
    subject_id: str

    def resource(self) -> str:
        """``type:encoded-id`` of the resource."""
        return f"{self.resource_type}:{spicedb_id(self.resource_id)}"

    def subject(self) -> str:
        """``type:encoded-id`` of the subject (``user:*`` for the wildcard)."""
        if self.subject_id == WILDCARD:
            return f"{self.subject_type}:{WILDCARD}"
        return f"{self.subject_type}:{spicedb_id(self.subject_id)}"

    def __str__(self) -> str:
        return f"{self.resource()}#{self.relation}@{self.subject()}"


def _org_fact(relation: str, user_id: str) -> Tuple:
    return Tuple("organization", ORGANIZATION, relation, "user", user_id)


def _user_tuples(org: Org) -> Iterator[Tuple]:
    for user in org.users.values():
        uid = user.id
        if user.role in _ORG_WIDE_ROLES:
            yield _org_fact("back_office", uid)
        elif user.role in _ROLE_RELATION:
            yield _org_fact(_ROLE_RELATION[user.role], uid)
        if user.active:
            yield _org_fact("active", uid)
        if user.training_complete:
            yield _org_fact("trained", uid)
        if user.custodian_only:
            yield _org_fact("custodian_only", uid)
        if user.region is not None:
            yield Tuple("user", uid, "region", "region", user.region)
        if user.role is Role.FACILITY_MANAGER:
            for facility in user.facilities:
                yield Tuple("facility", facility, "manager", "user", uid)
        if user.role is Role.DISTRIBUTOR:
            for rep in org.reps_of(uid):
                yield Tuple("user", rep, "distributor", "user", uid)
                yield Tuple("user", uid, "rep", "user", rep)
            if org.shares_inventory(uid):
                yield Tuple("user", uid, "shares_inventory", "user", WILDCARD)
    for region in org.regions.values():
        if region.manager is not None:
            yield Tuple("region", region.id, "manager", "user", region.manager)


def _field(record: object, name: str, what: str, *, optional: bool = False) -> Any:
    # Cases and items may be a service's own row type: check what is read, name what is wrong.
    value = getattr(record, name, _MISSING)
    if value is _MISSING:
        msg = f"{what} {record!r} has no {name!r} attribute"
        raise InvalidValueError(msg, field=name, value=record)
    if (value is None and optional) or (isinstance(value, str) and value):
        return value
    if name in ("status", "active"):
        return value
    msg = f"{what} {record!r}: {name!r} must be a non-empty string (got {value!r})"
    raise InvalidValueError(msg, field=name, value=value)


_MISSING = object()


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for one in ids:
        if one in seen:
            msg = f"two {what}s have the id {one!r}; each {what} needs its own id"
            raise InvalidValueError(msg, field="id", value=one)
        seen.add(one)


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
    """What the rules read of an item (``on=None``: never its expiry), checked."""

    id: str
    custodian: str
    active: bool


def case_records(cases: Iterable[Any]) -> list[CaseFacts]:
    """Check ``cases`` (any objects with Case's attributes) and return what the rules read."""
    out = [
        CaseFacts(
            _field(case, "id", "case"),
            _field(case, "representative", "case"),
            _field(case, "sub_rep", "case", optional=True),
            _field(case, "facility", "case", optional=True),
            to_case_status(_field(case, "status", "case")).is_closed,
        )
        for case in cases
    ]
    _unique([case.id for case in out], "case")
    return out


def item_records(items: Iterable[Any]) -> list[ItemFacts]:
    """Check ``items`` (any objects with InventoryItem's attributes) and return what rules read."""
    out = []
    for item in items:
        iid = _field(item, "id", "item")
        active = _field(item, "active", "item")
        if type(active) is not bool:
            msg = f"item {iid!r}: 'active' must be True or False (got {active!r})"
            raise InvalidValueError(msg, field="active", value=active)
        out.append(ItemFacts(iid, _field(item, "custodian", "item"), active))
    _unique([item.id for item in out], "item")
    return out


def _case_tuples(cases: Iterable[Any]) -> Iterator[Tuple]:
    for case in case_records(cases):
        cid = case.id
        yield Tuple("case", cid, "org", "organization", ORGANIZATION)
        yield Tuple("case", cid, "representative", "user", case.representative)
        if case.sub_rep is not None:
            yield Tuple("case", cid, "sub_rep", "user", case.sub_rep)
        if case.facility is not None:
            yield Tuple("case", cid, "facility", "facility", case.facility)
        if not case.closed:
            yield Tuple("case", cid, "open", "user", WILDCARD)


def _item_tuples(items: Iterable[Any]) -> Iterator[Tuple]:
    for item in item_records(items):
        iid = item.id
        yield Tuple("item", iid, "org", "organization", ORGANIZATION)
        if item.custodian == ORG_CUSTODY:
            yield Tuple("item", iid, "org_custody", "organization", ORGANIZATION)
        else:
            yield Tuple("item", iid, "holder", "user", item.custodian)
        if item.active:
            yield Tuple("item", iid, "active", "user", WILDCARD)


def relationship_tuples(
    org: Org, cases: Iterable[Any] = (), items: Iterable[Any] = ()
) -> list[Tuple]:
    """Return every tuple for ``org``, ``cases`` and ``items``, sorted and without duplicates."""
    return sorted({*_user_tuples(org), *_case_tuples(cases), *_item_tuples(items)})
