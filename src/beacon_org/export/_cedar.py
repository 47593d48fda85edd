"""The Cedar export: a schema, policies stating beacon_org's rules, and the entities of one org."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from typing import Any

import attrs

from .._errors import InvalidValueError
from .._org import Org
from ..rules._table import RULES, RuleTable
from ._relations import facts
from ._render import cedar_attribute, cedar_policies, cedar_schema, model_of

__all__ = ["CEDAR_POLICIES", "CEDAR_SCHEMA", "CedarExport", "to_cedar"]

#: The Cedar schema (human-readable format) of every export, in namespace ``Beacon``, rendered
#: from the rule table (``beacon_org.export._render``).
CEDAR_SCHEMA = cedar_schema(RULES)

#: The Cedar policies of every export: one ``permit`` per grant of the rule table
#: (``beacon_org.export._render``).
CEDAR_POLICIES = cedar_policies(RULES)


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
            "context": {} if on is None or action not in _DATED else {"on": _datetime(on)},
        }


# Cedar action -> resource type, and whether it takes the request's date ("on").
_ACTION_RESOURCE = {action: on.capitalize() for action, on, _ in model_of(RULES).actions}
_DATED = frozenset(action for action, _, dated in model_of(RULES).actions if dated)


def _datetime(day: datetime.date | str) -> dict[str, Any]:
    # Cedar's datetime extension takes a bare YYYY-MM-DD as midnight UTC of that day.
    text = day if isinstance(day, str) else day.isoformat()
    return {"__extn": {"fn": "datetime", "arg": text}}


def _ref(kind: str, id: str) -> dict[str, Any]:
    return {"__entity": {"type": f"Beacon::{kind}", "id": id}}


def to_cedar(
    org: Org,
    cases: Iterable[Any] = (),
    items: Iterable[Any] = (),
    *,
    rules: RuleTable = RULES,
) -> CedarExport:
    """Return the Cedar schema, policies and entities that answer as beacon_org's rules do.

    ``view_case``, ``edit_case``, ``use_item`` and ``view_item`` answer as ``can_view_case``,
    ``can_edit_case``, ``can_use`` and ``visible_inventory``; ``create_case`` on a
    ``User`` (the representative) answers who may enter a case for whom, as ``can_create_case``
    does without a facility or sub-rep (a case's facility and sub-rep are checks of its data).
    An item's ``expires`` is a Cedar ``datetime`` attribute: ``use_item`` asked with the date
    (``CedarExport.request(..., on=)``, context ``on``) answers as ``can_use(..., on=date)``;
    without it, expiry is not judged, as with ``on=None``. The entities are the relationships of
    :func:`~beacon_org.export.to_spicedb` as attributes: a relation is an entity (or a set of
    them), a user's own fact (``role_sales``, ``locked``) and a flag (``open``, ``on_hold``) a
    Bool. ``rules``: the rule table the schema, policies and entities are rendered from.

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
    >>> rep["attrs"]["distributor"], rep["attrs"]["region"], rep["attrs"]["role_sales"]
    ({'__entity': {'type': 'Beacon::User', 'id': 'dist-a'}}, {'__entity': {'type': 'Beacon::Region', 'id': 'west'}}, True)
    """
    model = model_of(rules)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    declared_on = {(d.type, r.name): r for d in model.definitions for r in d.relations}
    stored_on = {d.type: d.relations for d in model.definitions}
    for rtype, rid, relation, stype, sid, caveat in facts(org, cases, items, rules):
        attributes = found.setdefault((rtype, rid), {})
        declared = declared_on[rtype, relation]  # facts() writes only what the model declares
        if caveat is not None:  # the expiry date, which the policies compare with the request's
            attributes["expires"] = _datetime(json.loads(caveat.partition(":")[2])["expires"])
        elif declared.kind != "edge":  # a user's own fact, or a flag
            attributes[relation] = True
        else:
            found.setdefault((stype, sid), {})  # every entity a relation names exists
            name = cedar_attribute(rules, relation, stype)
            if declared.many:
                attributes.setdefault(name, []).append(_ref(stype.capitalize(), sid))
            else:
                attributes[name] = _ref(stype.capitalize(), sid)
    for user_id in org.view.users:
        found.setdefault(("user", user_id), {})
    entities = []
    for (rtype, rid), attributes in sorted(found.items()):
        for stored in stored_on.get(rtype, ()):
            if stored.kind in ("self", "flag") and stored.caveat is None:
                attributes.setdefault(stored.name, False)
            elif stored.many:
                for subject in stored.subjects:
                    attributes.setdefault(cedar_attribute(rules, stored.name, subject), [])
        uid = {"type": f"Beacon::{rtype.capitalize()}", "id": rid}
        entities.append({"uid": uid, "attrs": attributes, "parents": []})
    return CedarExport(
        CEDAR_SCHEMA if rules is RULES else cedar_schema(rules),
        CEDAR_POLICIES if rules is RULES else cedar_policies(rules),
        json.dumps(entities, indent=1),
    )
