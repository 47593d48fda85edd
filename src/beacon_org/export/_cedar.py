"""The Cedar export: a schema, policies stating beacon_org's rules, and the entities of one org."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from typing import Any

import attrs

from .._errors import InvalidValueError
from .._model import ORG_CUSTODY, Role
from .._org import Org
from ._relations import case_records, item_records

__all__ = ["CEDAR_POLICIES", "CEDAR_SCHEMA", "CedarExport", "to_cedar"]

#: The Cedar schema (human-readable format) of every export, in namespace ``Beacon``.
CEDAR_SCHEMA = """\
namespace Beacon {
  entity Region = { "manager"?: User };
  entity User = {
    "role": String,
    "active": Bool,
    "training_complete": Bool,
    "custodian_only": Bool,
    "facilities": Set<String>,
    "distributor"?: User,
    "region"?: Region,
    "shares_inventory": Bool,
  };
  entity Case = {
    "representative": User,
    "sub_rep"?: User,
    "facility"?: String,
    "closed": Bool,
  };
  entity Item = { "holder"?: User, "org_custody": Bool, "active": Bool, "on_hold": Bool, "expires"?: datetime };
  action view_case, edit_case appliesTo { principal: User, resource: Case };
  action use_item appliesTo { principal: User, resource: Item, context: { "on"?: datetime } };
  action view_item appliesTo { principal: User, resource: Item };
  action create_case appliesTo { principal: User, resource: User };
}
"""

# Who may act: active, past Training Complete unless org-wide, and not custodian-only. Cedar has
# no macros, so each policy repeats it (ACTING) and the org-wide test (ORG_WIDE).
_ORG_WIDE = '["primary_admin", "admin", "operations"].contains(principal.role)'
_SIGNED_IN = f"principal.active && (principal.training_complete || {_ORG_WIDE})"
_ACTING = f"{_SIGNED_IN} && !principal.custodian_only"
_FIELD = '["sales", "distributor", "facility_manager"].contains(principal.role)'
_VIEW = 'action == Beacon::Action::"view_case"'
_EDIT = 'action == Beacon::Action::"edit_case"'
_CASES = 'action in [Beacon::Action::"view_case", Beacon::Action::"edit_case"]'
# With the request's date (context "on"), an item is usable up to and including its expiry date;
# without one, expiry is not judged, as with can_use(..., on=None).
_UNEXPIRED = (
    "(if resource has expires && context has on then context.on <= resource.expires else true)"
)


def _overseer(user: str) -> str:
    # The user's distributor, or the regional manager of the user's region.
    return (
        f"({user} has distributor && {user}.distributor == principal) || "
        f"({user} has region && {user}.region has manager && {user}.region.manager == principal)"
    )


# The item's holder is the principal's distributor, active and sharing its inventory.
_POOL = (
    "resource.holder.shares_inventory && resource.holder.active && principal has distributor && "
    "principal.distributor == resource.holder"
)

_CASE_OVERSEER = (
    f"({_overseer('resource.representative')}) || "
    f"(resource has sub_rep && ({_overseer('resource.sub_rep')}))"
)

#: The Cedar policies of every export: one ``permit`` per way a permission is granted.
CEDAR_POLICIES = f"""\
// Org-wide roles (primary_admin, admin, operations) view and edit every case, closed ones too.
@id("case-org-wide")
permit (principal, {_CASES}, resource)
when {{ {_ACTING} && {_ORG_WIDE} }};

// The representative views its case; a custodian-only representative too (read-only).
@id("case-view-representative")
permit (principal, {_VIEW}, resource)
when {{ {_SIGNED_IN} && {_FIELD} && resource.representative == principal }};

// A sales or distributor sub-rep views the case.
@id("case-view-sub-rep")
permit (principal, {_VIEW}, resource)
when {{
  {_ACTING} && ["sales", "distributor"].contains(principal.role) &&
  resource has sub_rep && resource.sub_rep == principal
}};

// A distributor and a regional manager view the cases of the users they oversee.
@id("case-view-overseer")
permit (principal, {_VIEW}, resource)
when {{ {_ACTING} && ({_CASE_OVERSEER}) }};

// A facility manager views the cases at its facilities.
@id("case-view-facility")
permit (principal, {_VIEW}, resource)
when {{
  {_ACTING} && principal.role == "facility_manager" &&
  resource has facility && principal.facilities.contains(resource.facility)
}};

// Field users edit an open case as its representative.
@id("case-edit-representative")
permit (principal, {_EDIT}, resource)
when {{ !resource.closed && {_ACTING} && {_FIELD} && resource.representative == principal }};

// A distributor edits an open case where it is the sub-rep.
@id("case-edit-sub-rep")
permit (principal, {_EDIT}, resource)
when {{
  !resource.closed && {_ACTING} && principal.role == "distributor" &&
  resource has sub_rep && resource.sub_rep == principal
}};

// A distributor and a regional manager edit the open cases of the users they oversee.
@id("case-edit-overseer")
permit (principal, {_EDIT}, resource)
when {{ !resource.closed && {_ACTING} && ({_CASE_OVERSEER}) }};

// Who may enter a case for a representative (the resource): an active user whose role holds
// inventory; by org-wide users, itself, its distributor and its region's manager. The case's
// facility and sub-rep are checks of the case's data, left to the service.
@id("case-create")
permit (principal, action == Beacon::Action::"create_case", resource)
when {{
  {_ACTING} && resource.active &&
  ["sales", "distributor", "facility_manager"].contains(resource.role) &&
  ({_ORG_WIDE} || resource == principal || {_overseer("resource")})
}};

// Org-wide roles use the organisation's own active items that are not on hold, and see every item.
@id("item-org-wide")
permit (principal, action in [Beacon::Action::"use_item", Beacon::Action::"view_item"], resource)
when {{
  {_ACTING} && {_ORG_WIDE} &&
  (action == Beacon::Action::"view_item" ||
   (resource.active && !resource.on_hold && resource.org_custody && {_UNEXPIRED}))
}};

// A field user uses its own active items that are not on hold and, while its distributor shares
// and is active, the distributor's.
@id("item-use-holder")
permit (principal, action == Beacon::Action::"use_item", resource)
when {{
  resource.active && !resource.on_hold && {_UNEXPIRED} && {_ACTING} && {_FIELD} && resource has holder &&
  (resource.holder == principal ||
   ({_POOL}))
}};

// A field user sees its own items, its active distributor's when shared, and those of the users
// it oversees (a regional manager: the members of its regions).
@id("item-view-holder")
permit (principal, action == Beacon::Action::"view_item", resource)
when {{
  {_ACTING} && resource has holder &&
  ((resource.holder == principal && {_FIELD}) || ({_overseer("resource.holder")}) ||
   ({_POOL}))
}};
"""


@attrs.frozen
class CedarExport:
    """An org, its cases and its items for Cedar: schema, policies and entities (JSON).

    Ask with principal ``Beacon::User::"ID"``, action ``Beacon::Action::"view_case"``,
    ``"edit_case"``, ``"use_item"``, ``"view_item"`` or ``"create_case"``, and resource
    ``Beacon::Case::"ID"``, ``Beacon::Item::"ID"`` or (``create_case``: the representative)
    ``Beacon::User::"ID"``; ids are beacon_org's own (Cedar takes any string).

    Examples
    --------
    >>> import json
    >>> from beacon_org.export import to_cedar
    >>> from beacon_org.testing import sample_cases, sample_items, sample_org
    >>> export = to_cedar(sample_org(), sample_cases(), sample_items())
    >>> export.schema.startswith("namespace Beacon {")
    True
    >>> entities = json.loads(export.entities)
    >>> {"type": "Beacon::User", "id": "rep-a1"} in [entity["uid"] for entity in entities]
    True
    """

    schema: str
    policies: str
    entities: str

    def request(
        self, user_id: str, action: str, object_id: str, *, on: datetime.date | None = None
    ) -> dict[str, Any]:
        """Return a ``cedarpy.is_authorized`` request: may ``user_id`` do ``action`` on the object.

        ``action`` is ``view_case``, ``edit_case``, ``use_item``, ``view_item`` or
        ``create_case`` (whose object is the representative's user id). With ``on``,
        ``use_item`` is asked on that date (context ``{"on": datetime("YYYY-MM-DD")}``) and
        answers as ``can_use(..., on=on)``; without it, expiry is not judged (``on=None``).

        Raises
        ------
        beacon_org.InvalidValueError
            If ``action`` is none of those five.

        Examples
        --------
        >>> from beacon_org.export import to_cedar
        >>> print(to_cedar(bo.Org()).request('say "hi"', "use_item", "i-1")["principal"])
        Beacon::User::"say \\"hi\\""
        """
        kind = _ACTION_RESOURCE.get(action)
        if kind is None:
            msg = f"action must be one of {', '.join(_ACTION_RESOURCE)} (got {action!r})"
            raise InvalidValueError(msg, field="action", value=action)
        return {
            "principal": f"Beacon::User::{json.dumps(user_id)}",
            "action": f"Beacon::Action::{json.dumps(action)}",
            "resource": f"Beacon::{kind}::{json.dumps(object_id)}",
            "context": {} if on is None or action != "use_item" else {"on": _datetime(on)},
        }


_ACTION_RESOURCE = {
    "view_case": "Case",
    "edit_case": "Case",
    "use_item": "Item",
    "view_item": "Item",
    "create_case": "User",
}


def _datetime(day: datetime.date | str) -> dict[str, Any]:
    # Cedar's datetime extension takes a bare YYYY-MM-DD as midnight UTC of that day.
    text = day if isinstance(day, str) else day.isoformat()
    return {"__extn": {"fn": "datetime", "arg": text}}


def _ref(kind: str, id: str) -> dict[str, Any]:
    return {"__entity": {"type": f"Beacon::{kind}", "id": id}}


def _user_entity(org: Org, user_id: str) -> dict[str, Any]:
    user = org.users[user_id]
    attrs_: dict[str, Any] = {
        "role": user.role.value,
        "active": user.active,
        "training_complete": user.training_complete,
        "custodian_only": user.custodian_only,
        "facilities": sorted(user.facilities) if user.role is Role.FACILITY_MANAGER else [],
        "shares_inventory": user.role is Role.DISTRIBUTOR and org.shares_inventory(user_id),
    }
    distributor = org.distributor_of(user_id) if user.role is Role.SALES else None
    if distributor is not None:
        attrs_["distributor"] = _ref("User", distributor)
    if user.region is not None:
        attrs_["region"] = _ref("Region", user.region)
    return {"uid": {"type": "Beacon::User", "id": user_id}, "attrs": attrs_, "parents": []}


def _unknown_user(user_id: str) -> dict[str, Any]:
    # A case or item may name a user the org lacks; such a user can do nothing.
    attrs_ = {
        "role": "",
        "active": False,
        "training_complete": False,
        "custodian_only": False,
        "facilities": [],
        "shares_inventory": False,
    }
    return {"uid": {"type": "Beacon::User", "id": user_id}, "attrs": attrs_, "parents": []}


def to_cedar(org: Org, cases: Iterable[Any] = (), items: Iterable[Any] = ()) -> CedarExport:
    """Return the Cedar schema, policies and entities that answer as beacon_org's rules do.

    ``view_case``, ``edit_case``, ``use_item`` and ``view_item`` answer as ``can_view_case``,
    ``can_edit_case``, ``can_use`` and ``visible_inventory``; ``create_case`` on a
    ``User`` (the representative) answers who may enter a case for whom, as ``can_create_case``
    does without a facility or sub-rep (a case's facility and sub-rep are checks of its data).
    An item's ``expires`` is a Cedar ``datetime`` attribute: ``use_item`` asked with the date
    (``CedarExport.request(..., on=)``, context ``on``) answers as ``can_use(..., on=date)``;
    without it, expiry is not judged, as with ``on=None``.

    Raises
    ------
    beacon_org.InvalidValueError
        If a case or item lacks an attribute or has a bad value.
    beacon_org.DuplicateIdError
        If a case or item shares its id with another.

    Examples
    --------
    >>> import json
    >>> from beacon_org.export import to_cedar
    >>> from beacon_org.testing import sample_org
    >>> entities = json.loads(to_cedar(sample_org()).entities)
    >>> rep = next(e for e in entities if e["uid"]["id"] == "rep-a1")
    >>> rep["attrs"]["distributor"], rep["attrs"]["region"]
    ({'__entity': {'type': 'Beacon::User', 'id': 'dist-a'}}, {'__entity': {'type': 'Beacon::Region', 'id': 'west'}})
    """
    entities: list[dict[str, Any]] = [_user_entity(org, uid) for uid in sorted(org.users)]
    named: set[str] = set()
    for region in sorted(org.regions.values(), key=lambda r: r.id):
        region_attrs = {} if region.manager is None else {"manager": _ref("User", region.manager)}
        entities.append(
            {
                "uid": {"type": "Beacon::Region", "id": region.id},
                "attrs": region_attrs,
                "parents": [],
            }
        )
    for case in case_records(cases):
        case_attrs: dict[str, Any] = {
            "representative": _ref("User", case.representative),
            "closed": case.closed,
        }
        named.add(case.representative)
        if case.sub_rep is not None:
            case_attrs["sub_rep"] = _ref("User", case.sub_rep)
            named.add(case.sub_rep)
        if case.facility is not None:
            case_attrs["facility"] = case.facility
        entities.append(
            {"uid": {"type": "Beacon::Case", "id": case.id}, "attrs": case_attrs, "parents": []}
        )
    for item in item_records(items):
        item_attrs: dict[str, Any] = {
            "org_custody": item.custodian == ORG_CUSTODY,
            "active": item.active,
            "on_hold": item.on_hold,
        }
        if item.expires is not None:
            item_attrs["expires"] = _datetime(item.expires)
        if item.custodian != ORG_CUSTODY:
            item_attrs["holder"] = _ref("User", item.custodian)
            named.add(item.custodian)
        entities.append(
            {"uid": {"type": "Beacon::Item", "id": item.id}, "attrs": item_attrs, "parents": []}
        )
    entities.extend(_unknown_user(uid) for uid in sorted(named - org.users.keys()))
    return CedarExport(CEDAR_SCHEMA, CEDAR_POLICIES, json.dumps(entities, indent=1))
