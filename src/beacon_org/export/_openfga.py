"""The OpenFGA export: an authorization model stating beacon_org's rules, tuples, and a test file."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .._org import Org
from ._answers import Answer
from ._ids import spicedb_id
from ._relations import relationship_triples

__all__ = ["OPENFGA_MODEL", "OpenFGAExport", "to_openfga"]

#: The OpenFGA model (DSL, schema 1.1) of every export: the same relations as the SpiceDB schema.
OPENFGA_MODEL = """\
model
  schema 1.1

type user
  relations
    define distributor: [user]
    define rep: [user]
    define region: [region]
    define shares_inventory: [user:*]
    define role_back_office: [user]
    define role_regional_manager: [user]
    define role_distributor: [user]
    define role_sales: [user]
    define role_facility_manager: [user]
    define deactivated: [user]
    define locked: [user]
    define custodian_only: [user]
    define org: [organization]
    define inactive: [user:*]
    define signed_out: deactivated or locked
    define barred: signed_out or custodian_only
    define org_wide: role_back_office but not barred
    define acting_manager: role_regional_manager but not barred
    define acting_distributor: role_distributor but not barred
    define acting_facility_manager: role_facility_manager but not barred
    define field: role_sales or role_distributor or role_facility_manager
    define field_acting: field but not barred
    define representative_viewer: field but not signed_out
    define party: role_sales or role_distributor
    define sub_rep_viewer: party but not barred
    define overseer: acting_distributor from distributor or acting_manager from region
    define pool: shares_inventory and field_acting from rep
    define may_create_case: org_wide from org or field_acting or overseer
    define create_case: may_create_case but not inactive

type region
  relations
    define manager: [user]
    define acting_manager: acting_manager from manager

type facility
  relations
    define manager: [user]
    define acting_manager: acting_facility_manager from manager

type organization
  relations
    define back_office: [user]
    define org_wide: org_wide from back_office

type case
  relations
    define org: [organization]
    define representative: [user]
    define sub_rep: [user]
    define facility: [facility]
    define open: [user:*]
    define overseer: overseer from representative or overseer from sub_rep
    define view: org_wide from org or representative_viewer from representative or sub_rep_viewer from sub_rep or overseer or acting_manager from facility
    define field_edit: field_acting from representative or acting_distributor from sub_rep or overseer
    define edit: org_wide from org or (open and field_edit)

type item
  relations
    define org: [organization]
    define holder: [user]
    define org_custody: [organization]
    define inactive: [user:*]
    define expired: [user:* with past_expiry]
    define on_hold: [user:*]
    define unusable: inactive or on_hold
    define custody_use: org_wide from org_custody or field_acting from holder or pool from holder
    define active_use: custody_use but not unusable
    define use: active_use but not expired
    define view: org_wide from org or field_acting from holder or overseer from holder or pool from holder

# Whether the request's date "on" is past an item's "expires" date (both YYYY-MM-DD; an item is
# usable on its expiry date itself); a malformed "on" counts as past.
condition past_expiry(on: string, expires: string) {
  !on.matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}$") || on > expires
}
"""


def _q(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(text)


@attrs.frozen
class OpenFGAExport:
    """An org, its cases and its items for OpenFGA: the model and the tuples to write.

    ``tuples`` are ``{"user": ..., "relation": ..., "object": ...}`` dicts as OpenFGA's Write API
    and ``.fga.yaml`` files take them; ids are encoded with :func:`~beacon_org.export.spicedb_id`.
    An item's ``expires`` date is ``item:ID#expired@user:*`` with the condition ``past_expiry``
    (``"condition": {"name": "past_expiry", "context": {"expires": "YYYY-MM-DD"}}``): a check of
    ``use`` then takes the date as context ``{"on": "YYYY-MM-DD"}`` and answers as
    ``can_use(..., on=date)``; without it, OpenFGA answers such an item with an error (missing
    context parameter ``on``), never a yes. An item without ``expires`` never needs the date.

    Examples
    --------
    >>> from beacon_org.export import to_openfga
    >>> from beacon_org.testing import sample_org
    >>> export = to_openfga(sample_org())
    >>> {"user": "user:rep-a1", "relation": "distributor", "object": "user:dist-a"} in export.tuples
    False
    >>> {"user": "user:dist-a", "relation": "distributor", "object": "user:rep-a1"} in export.tuples
    True
    """

    model: str
    tuples: tuple[Mapping[str, Any], ...]

    def test_yaml(
        self,
        answers: Iterable[Answer] = (),
        *,
        list_objects: bool = False,
        name: str = "beacon_org",
        on: datetime.date | None = None,
    ) -> str:
        """Return a ``.fga.yaml`` file for ``fga model test``: model, tuples and assertions.

        Parameters
        ----------
        answers : iterable of Answer
            From :func:`~beacon_org.export.expected_answers`: each becomes a ``check``.
        list_objects : bool
            Also assert, for each user and permission, the list of objects it has; only right when
            ``answers`` cover every case or item of the export for that user.
        name : str
            The test's name.
        on : datetime.date, optional
            The date every check and list is asked with (context ``{"on": "YYYY-MM-DD"}``); give
            it, and the ``answers`` for it, when an item has an ``expires`` date.

        Examples
        --------
        >>> from beacon_org.export import expected_answers, to_openfga
        >>> org = bo.Org().add_user("ops-1", email="ops@x.example", role="operations")
        >>> items = [bo.InventoryItem("i-1", bo.ORG_CUSTODY)]
        >>> text = to_openfga(org, items=items).test_yaml(expected_answers(org, items=items))
        >>> print(text[text.index("tests:"):])
        tests:
          - name: "beacon_org"
            check:
              - {user: "user:ops-1", object: "item:i-1", assertions: {use: true, view: true}}
              - {user: "user:ops-1", object: "user:ops-1", assertions: {create_case: false}}
        <BLANKLINE>
        """
        lines = [f"name: {_q(name)}", "model: |"]
        lines.extend(f"  {line}" if line else "" for line in self.model.splitlines())
        lines.append("tuples:" if self.tuples else "tuples: []")
        lines.extend(
            f"  - {{user: {_q(t['user'])}, relation: {_q(t['relation'])}, "
            f"object: {_q(t['object'])}"
            + (f", condition: {json.dumps(t['condition'])}" if "condition" in t else "")
            + "}"
            for t in self.tuples
        )
        context = "" if on is None else f"context: {{on: {_q(on.isoformat())}}}, "
        checks: dict[tuple[str, str], dict[str, bool]] = {}
        listed: dict[tuple[str, str], dict[str, list[str]]] = {}
        for answer in answers:
            user = f"user:{spicedb_id(answer.user)}"
            obj = f"{answer.resource_type}:{spicedb_id(answer.resource_id)}"
            checks.setdefault((user, obj), {})[answer.permission] = answer.allowed
            found = listed.setdefault((user, answer.resource_type), {})
            found.setdefault(answer.permission, [])
            if answer.allowed:
                found[answer.permission].append(obj)
        lines += ["tests:", f"  - name: {_q(name)}"]
        lines.append("    check:" if checks else "    check: []")
        lines.extend(
            f"      - {{user: {_q(user)}, object: {_q(obj)}, {context}assertions: {{"
            + ", ".join(f"{rel}: {str(v).lower()}" for rel, v in expected.items())
            + "}}"
            for (user, obj), expected in checks.items()
        )
        if list_objects and listed:
            lines.append("    list_objects:")
            lines.extend(
                f"      - {{user: {_q(user)}, type: {_q(kind)}, {context}assertions: {{"
                + ", ".join(
                    f"{rel}: [{', '.join(_q(o) for o in sorted(objs))}]"
                    for rel, objs in expected.items()
                )
                + "}}"
                for (user, kind), expected in listed.items()
            )
        return "\n".join(lines) + "\n"


def to_openfga(org: Org, cases: Iterable[Any] = (), items: Iterable[Any] = ()) -> OpenFGAExport:
    """Return the OpenFGA model and tuples that answer as beacon_org's rules do.

    The same relations and permissions as :func:`~beacon_org.export.to_spicedb`: ``case#view``,
    ``case#edit``, ``item#use`` and ``item#view`` for ``user:ID``, and ``user:REP#create_case``
    (who may enter a case for the representative; its facility and sub-rep are checks of data).

    Raises
    ------
    beacon_org.InvalidValueError
        If a case or item lacks an attribute or has a bad value.
    beacon_org.DuplicateIdError
        If a case or item shares its id with another.

    Examples
    --------
    >>> from beacon_org.export import to_openfga
    >>> from beacon_org.testing import sample_org, sample_items
    >>> export = to_openfga(sample_org(), items=sample_items()[:1])
    >>> [t for t in export.tuples if t["object"].startswith("item:")]  # doctest: +NORMALIZE_WHITESPACE
    [{'user': 'organization:=40org', 'relation': 'org', 'object': 'item:kit-org-1'},
     {'user': 'organization:=40org', 'relation': 'org_custody', 'object': 'item:kit-org-1'}]
    """
    return OpenFGAExport(
        OPENFGA_MODEL,
        tuple(_tuple(*triple) for triple in relationship_triples(org, cases, items)),
    )


def _tuple(resource: str, relation: str, subject: str) -> Mapping[str, Any]:
    user, _, caveat = subject.partition("[")
    out: dict[str, Any] = {"user": user, "relation": relation, "object": resource}
    if caveat:
        # ``name:{context}]``, as the shared triples carry SpiceDB's caveat: OpenFGA's condition.
        name, _, context = caveat.removesuffix("]").partition(":")
        out["condition"] = {"name": name, "context": json.loads(context)}
    return out
