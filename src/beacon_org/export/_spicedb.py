"""The SpiceDB export: a schema that states beacon_org's rules and the relationships of one org."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from .._org import Org
from ._answers import Answer
from ._relations import Triple, changed_triples, relationship_triples

__all__ = [
    "SPICEDB_SCHEMA",
    "RelationshipChanges",
    "SpiceDBExport",
    "relationship_changes",
    "to_spicedb",
]

#: The SpiceDB schema of every export. ``case#view``, ``case#edit``, ``item#use`` and
#: ``item#view`` for ``user:ID`` answer as ``can_view_case``, ``can_edit_case``, ``can_use``
#: and ``visible_inventory``; ``user:REP#create_case`` for ``user:ID`` answers the
#: actor-representative part of ``can_create_case`` (see :func:`to_spicedb`). ``item#use`` takes
#: the date as caveat context ``{"on": "YYYY-MM-DD"}`` and then answers as
#: ``can_use(..., on=date)``; without it, an item that has an ``expires`` date is a conditional
#: answer (``PERMISSIONSHIP_CONDITIONAL_PERMISSION``, missing ``on``) wherever
#: ``can_use(..., on=None)`` says yes. One statement per line, as SpiceDB requires.
SPICEDB_SCHEMA = """\
/** beacon_org: who may see and act on what in a Beacon organisation (generated; do not edit). */

/** A user account. Its own facts are relationships to itself (user:X#role_sales@user:X, user:X#deactivated@user:X), so each permission below holds for user:X only when asked about user:X: a check reads the relationships of the users on its path, never a list of every user on one object. Accounts are barred by exception (deactivated, locked, custodian_only), so those sets stay small. */
/** Whether the request's date "on" is past an item's "expires" date (both YYYY-MM-DD; an item is usable on its expiry date itself); a malformed "on" counts as past. */
caveat past_expiry(on string, expires string) {
    !on.matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}$") || on > expires
}

definition user {
    /** on a sales rep: the distributor of its group */
    relation distributor: user
    /** on a distributor: each rep of its group */
    relation rep: user
    /** on a sales or distributor user: its region */
    relation region: region
    /** on a distributor: user:* while it shares its inventory with its reps and is active (a deactivated distributor's pool is closed) */
    relation shares_inventory: user:*
    /** itself, when its role is primary_admin, admin or operations */
    relation role_back_office: user
    /** itself, when its role is regional_manager */
    relation role_regional_manager: user
    /** itself, when its role is distributor */
    relation role_distributor: user
    /** itself, when its role is sales */
    relation role_sales: user
    /** itself, when its role is facility_manager */
    relation role_facility_manager: user
    /** itself, while deactivated */
    relation deactivated: user
    /** itself, until Training Complete (org-wide roles are never locked) */
    relation locked: user
    /** itself, when it holds inventory but never acts */
    relation custodian_only: user
    /** on a user that may be a case's representative (sales, distributor, facility_manager): the organisation, whose back office enters cases for it */
    relation org: organization
    /** user:* while deactivated: no one enters a case for it (deactivated is the same fact, for its own permissions) */
    relation inactive: user:*
    /** what keeps a user from signing in, and from acting */
    permission signed_out = deactivated + locked
    permission barred = signed_out + custodian_only
    /** itself, while it may act as an org-wide user */
    permission org_wide = role_back_office - barred
    /** itself, while it may act as the regional manager of a region */
    permission acting_manager = role_regional_manager - barred
    /** itself, while it may act as a distributor (also: may edit a case as its sub-rep) */
    permission acting_distributor = role_distributor - barred
    /** itself, while it may act as a facility manager */
    permission acting_facility_manager = role_facility_manager - barred
    /** the roles that hold inventory and take part in cases */
    permission field = role_sales + role_distributor + role_facility_manager
    permission field_acting = field - barred
    /** may view a case as its representative (custodian-only users too: read-only) */
    permission representative_viewer = field - signed_out
    /** may view a case as its sub-rep (sales and distributor users) */
    permission sub_rep_viewer = (role_sales + role_distributor) - barred
    /** who oversees this user's cases and inventory and may act: its distributor, its regional manager */
    permission overseer = distributor->acting_distributor + region->acting_manager
    /** on a distributor that shares its inventory: its reps who may act */
    permission pool = shares_inventory & rep->field_acting
    /** who may enter a case with this user as its representative (can_create_case without facility and sub-rep: those are checks of the case's data) */
    permission create_case = (org->org_wide + field_acting + overseer) - inactive
}

definition region {
    relation manager: user
    permission acting_manager = manager->acting_manager
}

/** A hospital or clinic; its managers are the facility_manager users tied to it. */
definition facility {
    relation manager: user
    permission acting_manager = manager->acting_facility_manager
}

/** The organisation itself (id spicedb_id(ORG_CUSTODY)). */
definition organization {
    /** the primary_admin, admin and operations users: a few, whatever the size of the org */
    relation back_office: user
    permission org_wide = back_office->org_wide
}

definition case {
    relation org: organization
    relation representative: user
    relation sub_rep: user
    relation facility: facility
    /** user:* while the case is not closed (paid, completed, closed, cancelled) */
    relation open: user:*
    permission overseer = representative->overseer + sub_rep->overseer
    permission view = org->org_wide + representative->representative_viewer + sub_rep->sub_rep_viewer + overseer + facility->acting_manager
    permission edit = org->org_wide + (open & (representative->field_acting + sub_rep->acting_distributor + overseer))
}

/** An inventory item, held by one user or by the organisation (ORG_CUSTODY). */
definition item {
    relation org: organization
    relation holder: user
    /** the organisation, when the item is in ORG_CUSTODY */
    relation org_custody: organization
    /** user:* while the item is inactive (used on a closed case, or deactivated) */
    relation inactive: user:*
    /** user:* with the item's expiry date (caveat past_expiry), when it has one */
    relation expired: user:* with past_expiry
    /** user:* while the item is on hold after a declined transfer, until back office releases it */
    relation on_hold: user:*
    permission use = (org_custody->org_wide + holder->field_acting + holder->pool) - inactive - on_hold - expired
    permission view = org->org_wide + holder->field_acting + holder->overseer + holder->pool
}
"""


def _yaml_block(text: str) -> str:
    return "".join(f"  {line}\n" if line else "\n" for line in text.splitlines())


@attrs.frozen
class SpiceDBExport:
    """An org, its cases and its items for SpiceDB: the schema and the relationships to write.

    ``relationships`` are strings ``resource:id#relation@subject:id`` (ids encoded with
    :func:`~beacon_org.export.spicedb_id`), sorted, each once.

    Examples
    --------
    >>> from beacon_org.export import to_spicedb
    >>> from beacon_org.testing import sample_org, sample_cases
    >>> export = to_spicedb(sample_org(), sample_cases()[:1])
    >>> [r for r in export.relationships if r.startswith("case:")]  # doctest: +NORMALIZE_WHITESPACE
    ['case:c-100#facility@facility:mercy-general', 'case:c-100#open@user:*',
     'case:c-100#org@organization:=40org', 'case:c-100#representative@user:rep-a1',
     'case:c-100#sub_rep@user:rep-a2']
    """

    schema: str
    relationships: tuple[str, ...]

    def validation_yaml(self, answers: Iterable[Answer] = ()) -> str:
        """Return a ``zed validate`` file: the schema, the relationships and assertions.

        ``answers`` (from :func:`~beacon_org.export.expected_answers`) become ``assertTrue`` and
        ``assertFalse`` entries, so ``zed validate`` in a service's repository checks that SpiceDB
        still answers as beacon_org does.

        Examples
        --------
        >>> from beacon_org.export import expected_answers, to_spicedb
        >>> from beacon_org.testing import sample_org, sample_items
        >>> org, items = sample_org(), sample_items()[:1]
        >>> text = to_spicedb(org, items=items).validation_yaml(
        ...     expected_answers(org, items=items, users=["owner"], representatives=["rep-a1"]))
        >>> print(text[text.index("assertions"):])
        assertions:
          assertTrue:
            - "item:kit-org-1#use@user:owner"
            - "item:kit-org-1#view@user:owner"
            - "user:rep-a1#create_case@user:owner"
          assertFalse: []
        <BLANKLINE>
        """
        answers = list(answers)
        lines = ["schema: |-", _yaml_block(self.schema).rstrip("\n"), "relationships: |-"]
        lines.extend(f"  {r}" for r in self.relationships)
        lines.append("assertions:")
        for key, allowed in (("assertTrue", True), ("assertFalse", False)):
            found = [a.relationship() for a in answers if a.allowed is allowed]
            if found:
                lines.append(f"  {key}:")
                lines.extend(f'    - "{a}"' for a in found)
            else:
                lines.append(f"  {key}: []")
        return "\n".join(lines) + "\n"


def to_spicedb(org: Org, cases: Iterable[Any] = (), items: Iterable[Any] = ()) -> SpiceDBExport:
    """Return the SpiceDB schema and relationships that answer as beacon_org's rules do.

    In the result, the permissions ``case#view``, ``case#edit``, ``item#use`` and ``item#view``
    for ``user:ID`` answer exactly as ``Visibility(org).can_view_case``, ``can_edit_case``,
    ``Custody(org, items).can_use`` and ``visible_inventory``. An item's ``expires`` date is a
    caveated relationship (``item:ID#expired@user:*[past_expiry:{"expires":"YYYY-MM-DD"}]``):
    with the caveat context ``{"on": "YYYY-MM-DD"}``, ``item#use`` answers as ``can_use(...,
    on=date)``; without it, an item that expires gives a conditional answer where ``can_use``
    with ``on=None`` says yes (an item without ``expires`` never needs the date).
    ``user:REP#create_case`` for ``user:ID`` answers ``can_create_case(ID, REP)`` on who may
    enter a case for whom; the facility and the sub-rep of a new case are checks of its data that
    stay with the service (a facility manager's own case, which needs one of its facilities, is
    granted here), see *When one process is not enough* in the docs. Inactive, locked and
    custodian-only users, closed cases, inactive items and items on hold are relationships too, so
    deactivating a user is two relationship writes (``deactivated`` for its own permissions,
    ``inactive@user:*`` for ``create_case``), three for a sharing distributor, whose
    ``shares_inventory`` is written only while it is active.

    Parameters
    ----------
    org : beacon_org.Org
        The organisation.
    cases, items : iterable of Case and InventoryItem
        Any objects with their attributes; ids must be unique within each.

    Returns
    -------
    SpiceDBExport
        ``schema`` (:data:`SPICEDB_SCHEMA`) and ``relationships``.

    Raises
    ------
    beacon_org.InvalidValueError
        If a case or item lacks an attribute or has a bad value.
    beacon_org.DuplicateIdError
        If a case or item shares its id with another.

    Examples
    --------
    >>> from beacon_org.export import to_spicedb
    >>> from beacon_org.testing import sample_org
    >>> export = to_spicedb(sample_org())
    >>> [r for r in export.relationships if r.startswith("user:rep-gone#")]  # doctest: +NORMALIZE_WHITESPACE
    ['user:rep-gone#deactivated@user:rep-gone', 'user:rep-gone#inactive@user:*',
     'user:rep-gone#org@organization:=40org', 'user:rep-gone#region@region:west',
     'user:rep-gone#role_sales@user:rep-gone']
    >>> export.schema.splitlines()[0]
    '/** beacon_org: who may see and act on what in a Beacon organisation (generated; do not edit). */'
    """
    relationships = tuple(
        f"{resource}#{relation}@{subject}"
        for resource, relation, subject in relationship_triples(org, cases, items)
    )
    return SpiceDBExport(SPICEDB_SCHEMA, relationships)


@attrs.frozen
class RelationshipChanges:
    """The relationship writes and deletes that bring SpiceDB from one snapshot to the next.

    Apply ``deletes`` with ``OPERATION_DELETE`` and ``writes`` with ``OPERATION_TOUCH``, in
    batches of at most 1,000 updates (SpiceDB's limit per ``WriteRelationships``). Both are sorted.
    A relationship whose caveat context changed (an item's new ``expires``) is only in ``writes``:
    TOUCH replaces it, and a DELETE of the old one would remove the new one.
    :class:`~beacon_org.export.SpiceDBSync` does all of this.
    ``bool(changes)`` is False when there is nothing to do.

    Examples
    --------
    >>> from beacon_org.export import relationship_changes
    >>> from beacon_org.testing import sample_org
    >>> org = sample_org()
    >>> relationship_changes(org, org.set_shared_inventory("dist-b", True))
    RelationshipChanges(writes=('user:dist-b#shares_inventory@user:*',), deletes=())
    >>> bool(relationship_changes(org, org))
    False
    """

    writes: tuple[str, ...]
    deletes: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.writes or self.deletes)


def relationship_changes(
    before: Org,
    after: Org,
    cases: Iterable[Any] = (),
    items: Iterable[Any] = (),
    *,
    after_cases: Iterable[Any] | None = None,
    after_items: Iterable[Any] | None = None,
) -> RelationshipChanges:
    """Return the writes and deletes that turn ``to_spicedb(before, ...)`` into ``to_spicedb(after, ...)``.

    What a service streams to SpiceDB when the org changes. ``cases`` and ``items`` are taken as
    the same on both sides unless ``after_cases`` or ``after_items`` give the new ones; without
    them they cannot differ and are not read. Neither export is rendered whole: only the users
    and regions :meth:`~beacon_org.Org.changed_ids` names, and the cases and items whose rows
    differ, so one change costs in proportion to what it touches. Given ``after_cases`` or
    ``after_items``, rows are matched by id: one that is the same object on both sides costs a
    look-up and is not read further; the others are checked and compared by their facts.

    Examples
    --------
    >>> from beacon_org.export import relationship_changes
    >>> from beacon_org.testing import sample_org
    >>> before = sample_org()
    >>> changes = relationship_changes(before, before.set_shared_inventory("dist-a", False).complete_training("rep-new"))
    >>> changes.writes, changes.deletes
    ((), ('user:dist-a#shares_inventory@user:*', 'user:rep-new#locked@user:rep-new'))
    >>> bool(relationship_changes(before, before))
    False
    """
    old_triples, new_triples = changed_triples(
        before, after, cases, items, after_cases=after_cases, after_items=after_items
    )
    old = {_text(t) for t in old_triples}
    new = {_text(t) for t in new_triples}
    writes = new - old
    rewritten = {_key(r) for r in writes}
    deletes = {r for r in old - new if _key(r) not in rewritten}
    return RelationshipChanges(writes=tuple(sorted(writes)), deletes=tuple(sorted(deletes)))


def _text(triple: Triple) -> str:
    resource, relation, subject = triple
    return f"{resource}#{relation}@{subject}"


def _key(relationship: str) -> str:
    # What SpiceDB identifies a relationship by: all but its caveat.
    return relationship.partition("[")[0]
