"""The rule table: who may do what in a Beacon organisation, stated once, as data.

Read this module first. Each *relation* of the org is named once, with the change to the org that
creates it (the text a denial suggests). Each *permission* is a short list of *grants*; a grant is
a chain of relations from the object asked about to the asking user, the roles that may stand at
the end of the chain, the account bars that stop it, and its reason code. "A regional manager
sees the cases of the members of the regions it manages" is the one line::

    Grant("regional-manager-of-representative", ("representative", "region", "manager"),
          {Role.REGIONAL_MANAGER})

Everything else is derived from this table: the in-process evaluator's per-user look-ups, the
explanation paths (the chain walked back from the asking user), the denial suggestions (the
missing edge of a chain), the reverse questions (``case_viewers``), the access diff's neighbours,
and the SpiceDB, Cedar and OpenFGA texts. The hand-written reference model in
``tests/test_stateful.py`` is the independent check of this table.

What is procedure rather than relation stays code that uses the table: setup checks and
readiness, the transfer lifecycle, expiry dates, the checks of a new case's data.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from .._model import Role
from .._org import MANAGES, MEMBER, REP

__all__ = [
    "ACTING",
    "ALL_ROLES",
    "BACK_OFFICE",
    "CASE_PERMISSIONS",
    "FIELD",
    "HOLDERS",
    "PERMISSIONS",
    "RELATIONS",
    "RULES",
    "SIGNED_IN",
    "Bar",
    "Condition",
    "Grant",
    "Permission",
    "Relation",
    "RuleTable",
]


class Bar(enum.Enum):
    """A fact about an account that keeps it from acting, with its reason code and fix."""

    INACTIVE = ("inactive", "reactivate {user}")
    LOCKED = ("locked", "complete training for {user}")
    CUSTODIAN_ONLY = ("custodian-only", "turn off custodian-only for {user}")

    @property
    def reason(self) -> str:
        """The reason code of a denial this bar causes."""
        return self.value[0]

    @property
    def fix(self) -> str:
        """The change that lifts the bar (``{user}``: the barred user's id)."""
        return self.value[1]


#: A user may act only while active and trained, and not custodian-only (order: the order a
#: back-office person fixes things in, which is the order denials name them).
ACTING = (Bar.INACTIVE, Bar.LOCKED, Bar.CUSTODIAN_ONLY)
#: Signed in: active and trained. A custodian-only user still views its own cases.
SIGNED_IN = (Bar.INACTIVE, Bar.LOCKED)

BACK_OFFICE = frozenset({Role.PRIMARY_ADMIN, Role.ADMIN, Role.OPERATIONS})
FIELD = frozenset({Role.SALES, Role.DISTRIBUTOR, Role.FACILITY_MANAGER})
HOLDERS = FIELD  # the roles that hold inventory (and ORG_CUSTODY, which is not a user)
ALL_ROLES = frozenset(Role)


@attrs.frozen
class Relation:
    """One kind of edge of the org, from objects of the types ``source`` to one of type ``target``.

    ``creates`` is the change to the org that adds such an edge, as a suggestion template:
    ``{source}`` and ``{target}`` are the two ids (None: no change to the org creates it, for
    example a case's own fields). ``moves``: the template when the source already has such an
    edge to ``{current}`` (a rep has one distributor). ``source_roles`` / ``target_roles``: the
    roles a user at that end of a new edge must have (None: any, or not a user). ``in_path`` is
    False for an edge that explanation paths skip (the organisation node between a case and the
    back office). ``graph``: the ``relation`` attribute of this relation's edges in
    :attr:`~beacon_org.Org.graph` (None: not drawn there).
    """

    name: str
    source: tuple[str, ...]
    target: str
    doc: str
    creates: str | None = None
    in_path: bool = True
    graph: str | None = None
    moves: str | None = None
    source_roles: frozenset[Role] | None = None
    target_roles: frozenset[Role] | None = None


@attrs.frozen
class Condition:
    """A fact about the object (or a node of a chain) a grant needs, with the denial it gives."""

    name: str
    denial: str
    doc: str
    fix: str | None = None


def _roles(roles: Iterable[Role]) -> frozenset[Role]:
    return frozenset(roles)


@attrs.frozen
class Grant:
    """One way to hold a permission: the chain from the object to the asking user.

    ``chain`` names relations walked from the object asked about; the asking user is the last
    node. ``roles``: the roles it may have; ``bars``: the account facts that stop it;
    ``requires``: conditions on the object; ``via``: conditions on the chain's intermediate nodes,
    keyed by their position in the chain (0: the node the first relation reaches). ``denial``:
    the reason code of a user of these roles whom no grant reaches, when this is the nearest
    chain (the first of its role's grants that a change to the org can complete).
    """

    reason: str
    chain: tuple[str, ...]
    roles: frozenset[Role] = attrs.field(converter=_roles)
    bars: tuple[Bar, ...] = ACTING
    requires: tuple[str, ...] = ()
    via: tuple[tuple[int, str], ...] = ()
    denial: str | None = None


@attrs.frozen
class Permission:
    """A question services ask, on objects of type ``on``: the union of its grants.

    ``unless``: conditions on the object that deny whatever the grants say (checked first);
    ``read_only``: reason code of a grant of ``like`` -> the denial given when that grant holds
    for ``like`` but not for this permission (a sales sub-rep views but does not edit).
    ``not_for_role``: the denial of a user whose role holds none of this permission's grants
    although ``like`` grants it (a regional manager never reopens), or who holds nothing at all.
    ``suggests``: the relations whose missing edge a denial may suggest creating (None: any that
    a change creates); ``moves``: whether it may suggest moving an edge (a rep from another
    group) rather than only adding one.
    """

    name: str
    on: str
    grants: tuple[Grant, ...]
    unless: tuple[str, ...] = ()
    like: str | None = None
    read_only: tuple[tuple[str, str], ...] = ()
    not_for_role: str | None = None
    suggests: tuple[str, ...] | None = None
    moves: bool = True

    def grants_for(self, role: Role) -> tuple[Grant, ...]:
        """The grants a user of ``role`` may hold, in the table's order."""
        return tuple(g for g in self.grants if role in g.roles)

    def hops(self) -> tuple[str, ...]:
        """The first relations of the grants' chains, each once, in the table's order."""
        return tuple(dict.fromkeys(g.chain[0] for g in self.grants))


@attrs.frozen
class RuleTable:
    """The relations, the conditions and the permissions, by name."""

    relations: tuple[Relation, ...]
    conditions: tuple[Condition, ...]
    permissions: tuple[Permission, ...]

    def relation(self, name: str) -> Relation:
        """The relation called ``name``."""
        for r in self.relations:
            if r.name == name:
                return r
        raise KeyError(name)

    def condition(self, name: str) -> Condition:
        """The condition called ``name``."""
        for c in self.conditions:
            if c.name == name:
                return c
        raise KeyError(name)

    def permission(self, name: str) -> Permission:
        """The permission called ``name``."""
        for p in self.permissions:
            if p.name == name:
                return p
        raise KeyError(name)


RM = frozenset({Role.REGIONAL_MANAGER})
DIST = frozenset({Role.DISTRIBUTOR})
SALES = frozenset({Role.SALES})
FM = frozenset({Role.FACILITY_MANAGER})
SALES_DIST = SALES | DIST

# --- the relations ------------------------------------------------------------------------------
# fmt: off
R = Relation
RELATIONS = (
    # the fields of a case, of an item, and what everything belongs to
    R("org", ("case", "item", "user", "transfer"), "organization", "everything belongs to the organisation", in_path=False),
    R("representative", ("case",), "user", "the case's representative"),
    R("sub_rep", ("case",), "user", "the case's sub-rep"),
    R("facility", ("case",), "facility", "the facility where the case takes place"),
    R("holder", ("item",), "user", "the item's custodian (a user, or ORG_CUSTODY: the organisation)", creates="transfer {source} to {target}"),
    R("recipient", ("transfer",), "user", "a transfer's recipient (a user, or ORG_CUSTODY: the organisation)"),
    # the org
    R("distributor", ("user",), "user", "a sales rep's distributor", creates="assign {source} to {target}", moves="move {source} from {current} to {target}", source_roles=SALES, target_roles=DIST),
    R("rep", ("user",), "user", "a distributor's reps", creates="assign {target} to {source}", graph=REP, source_roles=DIST, target_roles=SALES),
    R("region", ("user",), "region", "a sales or distributor user's region", creates="set {source}'s region to {target}", graph=MEMBER, source_roles=SALES_DIST),
    R("manager", ("region",), "user", "a region's regional manager", creates="make {target} the manager of region {source}", graph=MANAGES, target_roles=RM),
    R("facility_manager", ("facility",), "user", "the facility managers of a facility", creates="add facility {source} to {target}", target_roles=FM),
    R("back_office", ("organization",), "user", "the primary admin, admin and operations users", in_path=False),
    R("self", ("user",), "user", "a user itself"),
)

C = Condition
CONDITIONS = (
    C("open", "case-closed", "the case is not closed (paid, completed, closed, cancelled)"),
    C("closed", "case-open", "the case is closed: only a closed case is reopened"),
    C("reopen_setting", "reopen-disabled", "org.settings.field_users_can_reopen_cases", fix="allow field users to reopen cases"),
    C("transfer_setting", "transfers-disabled", "org.settings.field_users_can_transfer", fix="allow field users to start transfers"),
    C("item_active", "item-inactive", "the item is active"),
    C("not_on_hold", "item-on-hold", "the item is not on hold after a declined transfer"),
    C("unexpired", "item-expired", "the item's expires date is not before the date asked about"),
    C("shares", "not-shared", "the distributor shares its inventory with its reps", fix="turn on shared inventory for {node}"),
    C("active", "distributor-inactive", "the distributor is active (else its pool is closed)", fix="reactivate {node}"),
)

# --- the permissions ----------------------------------------------------------------------------

G = Grant
OPEN = ("open",)
POOL = ((0, "shares"), (0, "active"))  # the holder: a distributor that shares and is active
ORG_WIDE = G("org-wide", ("org", "back_office"), BACK_OFFICE)

# The denial of a user whom no grant reaches (the nearest chain's, see Grant.denial).
NOT_OWN = "not-own-case"
NOT_IN_GROUP = "not-in-group"
NOT_IN_REGION = "not-in-managed-region"
NOT_AT_FACILITY = "not-at-managed-facility"
NOT_SELF = "not-self"
NOT_CUSTODIAN = "not-custodian"
CANNOT_MOVE = "cannot-move"
NOT_RECIPIENT = "not-recipient"
# Entering a case: checks of the new case's data (procedure in _visibility.py), not relations.
CANNOT_BE_REPRESENTATIVE = "cannot-be-representative"
NOT_AUTHORISED_FOR_FACILITY = "not-authorised-for-facility"
SUB_REP_NOT_IN_GROUP = "sub-rep-not-in-group"
ASSIGN_RECORD = "assign directory record {facility} to {user}"
# Transferring: checks of the recipient (procedure in _checks.py).
ADD_RECORD = "add directory record {facility} to {user}"
RECIPIENT_INACTIVE = "recipient-inactive"
RECIPIENT_CANNOT_HOLD = "recipient-cannot-hold"
RECIPIENT_OUTSIDE_REGIONS = "recipient-outside-regions"
RECIPIENT_NOT_AT_FACILITY = "recipient-not-at-facility"
ALREADY_CUSTODIAN = "already-custodian"
# Whoever asks about what: an id that names nobody or nothing.
UNKNOWN_USER = "unknown-user"
UNKNOWN_ITEM = "unknown-item"

VIEW_CASE = Permission("view_case", "case", (
    ORG_WIDE,
    G("representative", ("representative",), FIELD, bars=SIGNED_IN, denial=NOT_OWN),
    G("sub-rep", ("sub_rep",), SALES_DIST, denial=NOT_OWN),
    G("distributor-of-representative", ("representative", "distributor"), DIST, denial=NOT_IN_GROUP),
    G("distributor-of-sub-rep", ("sub_rep", "distributor"), DIST, denial=NOT_IN_GROUP),
    G("regional-manager-of-representative", ("representative", "region", "manager"), RM, denial=NOT_IN_REGION),
    G("regional-manager-of-sub-rep", ("sub_rep", "region", "manager"), RM, denial=NOT_IN_REGION),
    G("managed-facility", ("facility", "facility_manager"), FM, denial=NOT_AT_FACILITY),
))

EDIT_CASE = Permission("edit_case", "case", (
    ORG_WIDE,
    G("representative", ("representative",), FIELD, requires=OPEN, denial=NOT_OWN),
    G("sub-rep", ("sub_rep",), DIST, requires=OPEN, denial=NOT_OWN),
    G("distributor-of-representative", ("representative", "distributor"), DIST, requires=OPEN, denial=NOT_IN_GROUP),
    G("distributor-of-sub-rep", ("sub_rep", "distributor"), DIST, requires=OPEN, denial=NOT_IN_GROUP),
    G("regional-manager-of-representative", ("representative", "region", "manager"), RM, requires=OPEN, denial=NOT_IN_REGION),
    G("regional-manager-of-sub-rep", ("sub_rep", "region", "manager"), RM, requires=OPEN, denial=NOT_IN_REGION),
), like="view_case", read_only=(("sub-rep", "sub-rep-read-only"), ("managed-facility", "facility-read-only")))

# Reopening: a closed case, by org-wide roles, and by the sales and distributor users who could
# edit it were it open, while the setting allows it ("What settings are available...").
REOPEN_CASE = Permission("reopen_case", "case", (
    ORG_WIDE,
    *(attrs.evolve(g, roles=g.roles & SALES_DIST, requires=("reopen_setting",)) for g in EDIT_CASE.grants[1:] if g.roles & SALES_DIST),
), unless=("closed",), like="edit_case",
   read_only=tuple((g.reason, "reopen-not-for-role") for g in EDIT_CASE.grants[1:]),
   not_for_role="reopen-not-for-role")

PULL_REPORTS = Permission("pull_reports", "user", (
    ORG_WIDE,
    G("self", ("self",), ALL_ROLES, denial=NOT_SELF),
    G("distributor-of-rep", ("distributor",), DIST, denial=NOT_IN_GROUP),
    G("regional-manager-of-member", ("region", "manager"), RM, denial=NOT_IN_REGION),
))

# Entering a case with this user as its representative (the facility and sub-rep are checks of
# the new case's data, not relations).
CREATE_CASE = Permission("create_case", "user", (
    ORG_WIDE,
    G("representative", ("self",), FIELD, denial=NOT_OWN),
    G("distributor-of-representative", ("distributor",), DIST, denial=NOT_IN_GROUP),
    G("regional-manager-of-representative", ("region", "manager"), RM, denial=NOT_IN_REGION),
))

USE_ITEM = Permission("use_item", "item", (
    G("org-custody", ("holder", "back_office"), BACK_OFFICE, denial=NOT_CUSTODIAN),
    G("own-custody", ("holder",), HOLDERS, denial=NOT_CUSTODIAN),
    G("shared-inventory", ("holder", "rep"), SALES, via=POOL, denial=NOT_CUSTODIAN),
), unless=("item_active", "not_on_hold", "unexpired"), not_for_role="cannot-hold", suggests=("holder",))

VIEW_ITEM = Permission("view_item", "item", (
    G("org-wide", ("org", "back_office"), BACK_OFFICE),
    G("own-custody", ("holder",), HOLDERS, denial=NOT_CUSTODIAN),
    G("distributor-of-rep", ("holder", "distributor"), DIST, denial=NOT_CUSTODIAN),
    G("regional-manager-of-member", ("holder", "region", "manager"), RM, denial=NOT_CUSTODIAN),
    G("shared-inventory", ("holder", "rep"), SALES, via=POOL, denial=NOT_CUSTODIAN),
))

# Moving an item (the recipient's own checks are the transfer's procedure, in _transfer.py).
MOVE_ITEM = Permission("move_item", "item", (
    G("org-wide", ("org", "back_office"), BACK_OFFICE),
    G("regional-manager-of-member", ("holder", "region", "manager"), RM, denial=CANNOT_MOVE),
    G("own-custody", ("holder",), SALES_DIST, requires=("transfer_setting",), denial=CANNOT_MOVE),
    G("own-custody", ("holder",), FM, denial=CANNOT_MOVE),
    G("distributor-of-rep", ("holder", "distributor"), DIST, requires=("transfer_setting",), denial=CANNOT_MOVE),
    G("shared-inventory", ("holder", "rep"), SALES, requires=("transfer_setting",), via=POOL, denial=CANNOT_MOVE),
), unless=("item_active", "not_on_hold"), suggests=("distributor",), moves=False)

# Who accepts or declines a transfer for its recipient ("Receiving a Transfer").
ACT_FOR_RECIPIENT = Permission("act_for_recipient", "transfer", (
    ORG_WIDE,
    G("recipient", ("recipient",), ALL_ROLES, denial=NOT_RECIPIENT),
    G("distributor-of-rep", ("recipient", "distributor"), DIST, denial=NOT_RECIPIENT),
    G("regional-manager-of-member", ("recipient", "region", "manager"), RM, denial=NOT_RECIPIENT),
))
# fmt: on

CASE_PERMISSIONS = (VIEW_CASE, EDIT_CASE, REOPEN_CASE)
PERMISSIONS = (
    VIEW_CASE,
    EDIT_CASE,
    REOPEN_CASE,
    PULL_REPORTS,
    CREATE_CASE,
    USE_ITEM,
    VIEW_ITEM,
    MOVE_ITEM,
    ACT_FOR_RECIPIENT,
)

#: The rule table of beacon_org.
RULES = RuleTable(RELATIONS, CONDITIONS, PERMISSIONS)
