"""Who may view, edit and reopen a case, and pull reports on a user: ``Visibility``.

A check is a few dictionary look-ups: per asking user, the ids whose cases it sees are gathered once
per org snapshot (lazily), each with the fixed start of its explanation path. Nothing is remembered
per question: an answer is a pure function of those per-user look-ups (themselves a pure function of
the immutable org) and the case's fields read at call time. Denials that depend on nothing else are
constants; a grant is built with the path it names.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any, Protocol

import attrs

from .._errors import InvalidValueError, shown
from .._model import Case, CaseStatus, Role, User
from .._org import Org
from ._case_index import CaseIndex
from ._records import Decision
from ._rows import case_list as _case_list
from ._rows import case_row as _read_case
from ._rows import check_case_rows as _check_rows

__all__ = ["CaseLike", "Visibility"]


class CaseLike(Protocol):
    """What the rules read from a case: :class:`~beacon_org.Case` or any object with these attributes.

    ``status`` may be a :class:`~beacon_org.CaseStatus` or its string value.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from beacon_org.testing import sample_org
    >>> row = SimpleNamespace(
    ...     id="row-7", representative="rep-a1", sub_rep=None, facility=None, status="open"
    ... )
    >>> bool(bo.Visibility(sample_org()).can_view_case("dist-a", row))
    True
    """

    @property
    def id(self) -> str: ...
    @property
    def representative(self) -> str: ...
    @property
    def sub_rep(self) -> str | None: ...
    @property
    def facility(self) -> str | None: ...
    @property
    def status(self) -> CaseStatus | str: ...


# --- reason codes (docs/rules.md lists them with examples) ----------------------------------------

ORG_WIDE = "org-wide"
REPRESENTATIVE = "representative"
SUB_REP = "sub-rep"
DISTRIBUTOR_OF_REPRESENTATIVE = "distributor-of-representative"
DISTRIBUTOR_OF_SUB_REP = "distributor-of-sub-rep"
REGIONAL_MANAGER_OF_REPRESENTATIVE = "regional-manager-of-representative"
REGIONAL_MANAGER_OF_SUB_REP = "regional-manager-of-sub-rep"
MANAGED_FACILITY = "managed-facility"
SELF = "self"
DISTRIBUTOR_OF_REP = "distributor-of-rep"
REGIONAL_MANAGER_OF_MEMBER = "regional-manager-of-member"

UNKNOWN_USER = "unknown-user"
INACTIVE = "inactive"
LOCKED = "locked"
CUSTODIAN_ONLY = "custodian-only"
NOT_OWN_CASE = "not-own-case"
NOT_IN_GROUP = "not-in-group"
NOT_IN_MANAGED_REGION = "not-in-managed-region"
NOT_AT_MANAGED_FACILITY = "not-at-managed-facility"
NOT_SELF = "not-self"
SUB_REP_READ_ONLY = "sub-rep-read-only"
FACILITY_READ_ONLY = "facility-read-only"
CASE_CLOSED = "case-closed"
CASE_OPEN = "case-open"
REOPEN_DISABLED = "reopen-disabled"
REOPEN_NOT_FOR_ROLE = "reopen-not-for-role"
# Entering a case for a representative (can_create_case). Its grants are the representative
# relations above (org-wide, representative, distributor-of-representative,
# regional-manager-of-representative): the ``by_rep`` tables of the asking user's scope, which
# also grant editing an open case. These denials are about the representative and the case's data.
CANNOT_BE_REPRESENTATIVE = "cannot-be-representative"
NOT_AUTHORISED_FOR_FACILITY = "not-authorised-for-facility"
SUB_REP_NOT_IN_GROUP = "sub-rep-not-in-group"

_EMPTY: frozenset[str] = frozenset()
_CLOSED = frozenset(s for s in CaseStatus if s.is_closed)
_DENY_UNKNOWN = Decision(allowed=False, reason=UNKNOWN_USER)
_DENY_CLOSED = Decision(allowed=False, reason=CASE_CLOSED)
_DENY_NOT_OWN = Decision(allowed=False, reason=NOT_OWN_CASE)
_DENY_OPEN = Decision(allowed=False, reason=CASE_OPEN)
_DENY_SUB_REP_EDIT = Decision(allowed=False, reason=SUB_REP_READ_ONLY)
_DENY_FACILITY_EDIT = Decision(allowed=False, reason=FACILITY_READ_ONLY)
_REOPEN_SUGGESTION = "allow field users to reopen cases"
_DENY_REOPEN_SETTING = Decision(
    allowed=False, reason=REOPEN_DISABLED, suggestion=_REOPEN_SUGGESTION
)
_DENY_REOPEN_ROLE = Decision(allowed=False, reason=REOPEN_NOT_FOR_ROLE)
# The field roles the reopen setting names ("What settings are available to set for each user
# role?"): regional managers and facility managers never reopen.
_REOPENING_ROLES = frozenset({Role.SALES, Role.DISTRIBUTOR})

# A grant is built on every ask (nothing is remembered), so it is built directly: the fields set as
# Decision.__init__ sets them, without its keyword parsing and path converter (about a third of a
# grant's cost). The check below stops the import if Decision's fields ever change.
_DECISION_FIELDS = ("allowed", "reason", "path", "suggestion")
if tuple(f.name for f in attrs.fields(Decision)) != _DECISION_FIELDS:  # pragma: no cover
    msg = "Decision's fields changed: update _grant in rules/_visibility.py"
    raise RuntimeError(msg)
_new = object.__new__
_set = object.__setattr__


def _grant(reason: str, path: tuple[str, ...]) -> Decision:
    """``Decision(allowed=True, reason=reason, path=path)`` for a ``path`` that is a tuple."""
    decision: Decision = _new(Decision)
    _set(decision, "allowed", True)
    _set(decision, "reason", reason)
    _set(decision, "path", path)
    _set(decision, "suggestion", None)
    return decision


class _Grants(dict[str, Decision]):
    """The grant for one (asking user, related user) pair: ``table[case_id]`` builds it.

    Always empty (nothing is remembered): the look-up falls through to ``__missing__``, which
    builds the ``Decision`` with the path ``prefix`` + the case id.
    """

    __slots__ = ("prefix", "reason")

    def __init__(self, reason: str, prefix: tuple[str, ...]) -> None:
        super().__init__()
        self.reason = reason
        self.prefix = prefix

    def __missing__(self, case_id: str) -> Decision:
        return _grant(self.reason, (*self.prefix, case_id))


class _Fixed(dict[str, Decision]):
    """A table that answers every case id with one denial (a user who may not act)."""

    __slots__ = ("decision", "reason")

    def __init__(self, reason: str, decision: Decision) -> None:
        super().__init__()
        self.reason = reason  # the grant this relation would give, were the user able to act
        self.decision = decision

    def __missing__(self, case_id: str) -> Decision:
        return self.decision


class _Scope:
    """What one asking user sees, for one org snapshot.

    ``by_rep`` / ``by_sub`` map a case's representative / sub-rep id to the table of decisions for
    cases so related; ``every`` is the one table of an org-wide user. ``miss`` answers the rest.
    """

    __slots__ = (
        "by_facility",
        "by_rep",
        "by_sub",
        "edit_block",
        "every",
        "fix_relation",
        "fixed_miss",
        "miss_decision",
        "role",
        "role_block",
        "sets",
        "user",
        "vis",
    )

    def __init__(self, vis: Visibility, user: User | None) -> None:
        self.vis = vis
        self.user = user
        self.role: Role | None = None if user is None else user.role
        self.every: dict[str, Decision] | None = None
        self.by_rep: dict[str, dict[str, Decision]] = {}
        self.by_sub: dict[str, dict[str, Decision]] = {}
        self.by_facility: dict[str, dict[str, Decision]] = {}
        # A denial that does not depend on the case (None: it does, see _miss).
        self.miss_decision: Decision | None = _DENY_UNKNOWN
        # miss_decision when no facility table comes first: the hot path returns it directly.
        self.fixed_miss: Decision | None = _DENY_UNKNOWN
        # Grant reason -> the denial that replaces it when editing (read-only relations).
        self.edit_block: dict[str, Decision] = {}
        # The relations its role only reads (sales as sub-rep, facility manager by facility).
        self.role_block: frozenset[str] = _EMPTY
        # The relation the suggestion of a ``miss`` would create.
        self.fix_relation: str | None = None
        self.sets: tuple[frozenset[str], frozenset[str], frozenset[str]] | None = None
        if user is not None:
            self._build(user)
            self.fixed_miss = None if self.by_facility else self.miss_decision

    # --- building --------------------------------------------------------------------------

    def _build(self, user: User) -> None:
        vis, uid, role = self.vis, user.id, user.role
        org = vis.org
        blocks = [r for r, on in ((INACTIVE, not user.active), (LOCKED, user.locked)) if on]
        fixes = {INACTIVE: f"reactivate {uid}", LOCKED: f"complete training for {uid}"}
        uncustodian = f"turn off custodian-only for {uid}"

        def table(
            reason: str, prefix: tuple[str, ...], *, own: bool = False
        ) -> dict[str, Decision]:
            # A match is a grant unless something about the asking user blocks it; the denial
            # suggests the fix when exactly one thing blocks it.
            found = list(blocks)
            if user.custodian_only and not own:
                found.append(CUSTODIAN_ONLY)
            if not found:
                return _Grants(reason, prefix)
            fix = (fixes.get(found[0]) or uncustodian) if len(found) == 1 else None
            return _Fixed(reason, Decision(allowed=False, reason=found[0], suggestion=fix))

        if blocks:
            self.miss_decision = Decision(allowed=False, reason=blocks[0])
        elif user.custodian_only:
            self.miss_decision = Decision(allowed=False, reason=CUSTODIAN_ONLY)
        elif role is Role.SALES:
            # No change to the org makes another user's case a sales rep's own.
            self.miss_decision = _DENY_NOT_OWN
        else:
            self.miss_decision = None

        if role.is_org_wide:
            self.every = table(ORG_WIDE, (uid,))
            return
        if role is Role.SALES or role is Role.DISTRIBUTOR:
            self.by_rep[uid] = table(REPRESENTATIVE, (uid,), own=True)
            self.by_sub[uid] = table(SUB_REP, (uid,))
            if role is Role.SALES:
                self.edit_block[SUB_REP] = _DENY_SUB_REP_EDIT
                self.role_block = frozenset({SUB_REP})
        if role is Role.DISTRIBUTOR:
            self.fix_relation = DISTRIBUTOR_OF_REPRESENTATIVE
            for rep in org._reps.get(uid, _EMPTY):
                self.by_rep[rep] = table(DISTRIBUTOR_OF_REPRESENTATIVE, (uid, rep))
                self.by_sub[rep] = table(DISTRIBUTOR_OF_SUB_REP, (uid, rep))
        elif role is Role.REGIONAL_MANAGER:
            self.fix_relation = REGIONAL_MANAGER_OF_REPRESENTATIVE
            for region in org._managed.get(uid, _EMPTY):
                for member in org._members.get(region, _EMPTY):
                    path = (uid, region, member)
                    self.by_rep[member] = table(REGIONAL_MANAGER_OF_REPRESENTATIVE, path)
                    self.by_sub[member] = table(REGIONAL_MANAGER_OF_SUB_REP, path)
        elif role is Role.FACILITY_MANAGER:
            self.by_rep[uid] = table(REPRESENTATIVE, (uid,), own=True)
            for facility in user.facilities:
                self.by_facility[facility] = table(MANAGED_FACILITY, (uid, facility))
            self.edit_block[MANAGED_FACILITY] = _DENY_FACILITY_EDIT
            self.role_block = frozenset({MANAGED_FACILITY})
            self.fix_relation = MANAGED_FACILITY
        if user.custodian_only:
            # Read-only: even its own cases are never edited. (A blocked user never gets here:
            # its own cases are already denied for viewing.)
            self.edit_block[REPRESENTATIVE] = Decision(
                allowed=False, reason=CUSTODIAN_ONLY, suggestion=uncustodian
            )

    # --- answering ---------------------------------------------------------------------------

    def granting(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """The representative, sub-rep and facility ids whose cases this user may view."""
        if self.sets is None:
            self.sets = tuple(
                frozenset(k for k, t in m.items() if not isinstance(t, _Fixed))
                for m in (self.by_rep, self.by_sub, self.by_facility)
            )  # type: ignore[assignment]
        assert self.sets is not None
        return self.sets

    def relation(self, case: CaseLike) -> tuple[str | None, Decision]:
        """The relation that decides ``case`` (its grant reason; None for none) and the view decision."""
        table = self.every
        if table is None:
            table = self.by_rep.get(case.representative)
            if table is None:
                table = self.by_sub.get(case.sub_rep)  # type: ignore[arg-type]
                if table is None:
                    table = self.by_facility.get(case.facility)  # type: ignore[arg-type]
                    if table is None:
                        return None, self.miss(case)
        return table.reason, table[case.id]  # type: ignore[attr-defined]

    def representing(self, rep_id: str) -> Decision:
        """May this user enter a case for ``rep_id`` (the representative's own state aside)?

        The grant is the relation that would let it edit an open case of ``rep_id``'s, with a path
        that ends at the representative; a denial is the one viewing gives, or ``not-own-case``.
        """
        user = self.user
        assert user is not None  # unknown users are answered before
        table = self.every if self.every is not None else self.by_rep.get(rep_id)
        if table is None:
            if self.miss_decision is not None:
                return self.miss_decision  # barred, or a sales user's someone else
            org, uid = self.vis.org, user.id
            if self.role is Role.DISTRIBUTOR:
                fix = _group_fix(org, uid, (rep_id,))
                return Decision(allowed=False, reason=NOT_IN_GROUP, suggestion=fix)
            if self.role is Role.REGIONAL_MANAGER:
                fix = _region_fix(org, uid, (rep_id,))
                return Decision(allowed=False, reason=NOT_IN_MANAGED_REGION, suggestion=fix)
            return _DENY_NOT_OWN  # a facility manager enters cases for itself only
        if isinstance(table, _Fixed):
            denial = table.decision
            if denial.suggestion is None or self.may_edit_after_fix(table.reason, denial, None):
                return denial
            return _without_suggestion(denial)  # its fix would leave its own cases read-only
        assert isinstance(table, _Grants)
        block = self.edit_block.get(table.reason)  # a custodian-only user's own cases: read-only
        if block is not None:
            return block
        path = (*table.prefix, rep_id) if table is self.every else table.prefix
        return Decision(allowed=True, reason=table.reason, path=path)

    def may_edit_after_fix(
        self, relation: str | None, view: Decision, case: CaseLike | None
    ) -> bool:
        """Would the change a view denial suggests also let the user edit the case (were it open)?"""
        if self.every is not None:
            return True
        if relation is None:
            relation = self.fix_relation
        # Turning custodian-only off leaves the role's read-only relations; other fixes leave all.
        blocked = self.role_block if view.reason == CUSTODIAN_ONLY else self.edit_block
        return relation not in blocked

    def miss(self, case: CaseLike) -> Decision:
        """The decision for a case that no representative or sub-rep relation grants."""
        if self.by_facility:
            table = self.by_facility.get(case.facility)  # type: ignore[arg-type]
            if table is not None:
                return table[case.id]
        if self.miss_decision is not None:
            return self.miss_decision
        # The denial depends on the facility (facility manager) or the people (the others).
        return self._denial(case)

    def _denial(self, case: CaseLike) -> Decision:
        user = self.user
        assert user is not None  # unknown users have a fixed miss_decision
        org, uid, role = self.vis.org, user.id, user.role
        subjects = [s for s in (case.representative, case.sub_rep) if s is not None]
        if role is Role.DISTRIBUTOR:
            return Decision(
                allowed=False,
                reason=NOT_IN_GROUP,
                suggestion=_group_fix(org, uid, subjects),
            )
        if role is Role.REGIONAL_MANAGER:
            return Decision(
                allowed=False,
                reason=NOT_IN_MANAGED_REGION,
                suggestion=_region_fix(org, uid, subjects),
            )
        if role is Role.FACILITY_MANAGER:
            fix = None if case.facility is None else f"add facility {case.facility} to {uid}"
            return Decision(allowed=False, reason=NOT_AT_MANAGED_FACILITY, suggestion=fix)
        return _DENY_NOT_OWN


def _without_suggestion(decision: Decision) -> Decision:
    # A denial whose suggested change would not be enough for this question.
    return Decision(allowed=False, reason=decision.reason)


def _group_fix(org: Org, distributor_id: str, subjects: Iterable[str]) -> str | None:
    for subject in subjects:
        user = org._users.get(subject)
        if user is None or user.role is not Role.SALES:
            continue
        current = org._distributor_of.get(subject)
        if current is None:
            return f"assign {subject} to {distributor_id}"
        return f"move {subject} from {current} to {distributor_id}"
    return None


def _representative_denial(rep: User) -> Decision | None:
    # A case's representative is an active user whose role holds inventory.
    if rep.role.can_hold_inventory:
        if rep.active:
            return None
        fix: str | None = f"reactivate {rep.id}"
    else:
        fix = None
    return Decision(allowed=False, reason=CANNOT_BE_REPRESENTATIVE, suggestion=fix)


def _facility_denial(actor: User, rep: User, facility: str | None) -> Decision | None:
    # The representative's directory records authorise it at a facility; a facility manager's
    # facilities do, and it enters its own cases only at one of them.
    if rep.role is Role.FACILITY_MANAGER:
        if facility is None:
            if actor.id != rep.id:
                return None
            return Decision(allowed=False, reason=NOT_AUTHORISED_FOR_FACILITY)
        if facility in rep.facilities:
            return None
        fix = f"add facility {facility} to {rep.id}"
    elif facility is None or facility in rep.directory_records:
        return None
    else:
        fix = f"assign directory record {facility} to {rep.id}"
    return Decision(allowed=False, reason=NOT_AUTHORISED_FOR_FACILITY, suggestion=fix)


def _sub_rep_denial(org: Org, rep: User, group: str | None, sub_rep: str | None) -> Decision | None:
    # ``group``: the distributor of the representative's group (itself, for a distributor).
    if sub_rep is None:
        return None
    sub = org._users.get(sub_rep)
    if sub is None or sub_rep == rep.id:
        return Decision(allowed=False, reason=SUB_REP_NOT_IN_GROUP)
    inside = group is not None and (sub_rep == group or org._distributor_of.get(sub_rep) == group)
    if inside and sub.active:
        return None
    fix: str | None = None
    if inside:
        fix = f"reactivate {sub_rep}"
    elif sub.active and group is not None:
        fix = _group_fix(org, group, (sub_rep,))
    return Decision(allowed=False, reason=SUB_REP_NOT_IN_GROUP, suggestion=fix)


_ACTOR_BARS = frozenset({INACTIVE, LOCKED, CUSTODIAN_ONLY})


def _region_fix(org: Org, manager_id: str, subjects: Iterable[str]) -> str | None:
    managed = org._managed.get(manager_id, _EMPTY)
    for subject in subjects:
        user = org._users.get(subject)
        if user is None or not user.role.has_region:
            continue
        if managed:
            return f"set {subject}'s region to {min(managed)}"
        if user.region is not None:
            return f"make {manager_id} the manager of region {user.region}"
    return None


class Visibility:
    """Who may view, edit and reopen cases, and pull reports, in one org snapshot.

    Cases may be :class:`~beacon_org.Case` or any object with ``id``, ``representative``,
    ``sub_rep``, ``facility`` and ``status`` (a :class:`~beacon_org.CaseStatus` or its string
    value), so services can pass their own rows; such an object is checked as a ``Case`` would be
    and a malformed one raises :class:`~beacon_org.InvalidValueError`.

    Every answer is a :class:`~beacon_org.Decision` whose ``reason`` is a stable code (see the
    *Rules* page) and whose ``path`` runs from the asking user to the case along the org's graph,
    for example ``("dist-a", "rep-a1", "c-100")``; a denial's ``suggestion`` names the single
    change to the org that would grant it, where one exists.

    A ``Visibility`` answers for the org it was made with: make a new one for a changed org. It
    keeps, per asking user, the ids whose cases that user sees (a function of the org alone) and
    nothing per question: every answer is worked out from those look-ups and the case's fields as
    they read when asked, so a check costs a few dictionary look-ups, first ask or not.

    Parameters
    ----------
    org : Org
        The org snapshot to answer for.
    memo_size : int, optional
        Deprecated and without effect: decisions are no longer remembered. Still accepted (a
        non-negative int) so existing callers keep working; passing it warns
        (``DeprecationWarning``).

    Examples
    --------
    >>> from beacon_org.testing import sample_org, sample_cases
    >>> org = sample_org()
    >>> vis = bo.Visibility(org)
    >>> c100 = sample_cases()[0]
    >>> c100.representative, c100.sub_rep
    ('rep-a1', 'rep-a2')
    >>> vis.can_view_case("dist-a", c100)
    Decision(allowed=True, reason='distributor-of-representative', path=('dist-a', 'rep-a1', 'c-100'), suggestion=None)
    >>> vis.can_view_case("rm-central", c100).path
    ('rm-central', 'central', 'rep-a2', 'c-100')
    >>> vis.can_view_case("dist-b", c100)
    Decision(allowed=False, reason='not-in-group', path=(), suggestion='move rep-a1 from dist-a to dist-b')
    """

    __slots__ = ("_facility_managers", "_org_wide", "_scopes", "org")

    org: Org

    def __init__(self, org: Org, *, memo_size: int | None = None) -> None:
        if not isinstance(org, Org):
            msg = f"Visibility needs an Org (got {type(org).__name__})"
            raise InvalidValueError(msg, field="org", value=org)
        if memo_size is not None:
            if type(memo_size) is not int or memo_size < 0:
                msg = f"'memo_size' must be a non-negative int (got {memo_size!r})"
                raise InvalidValueError(msg, field="memo_size", value=memo_size)
            warnings.warn(
                "Visibility(memo_size=...) is deprecated and has no effect: nothing is "
                "remembered per question",
                DeprecationWarning,
                stacklevel=2,
            )
        self.org = org
        # user id -> what that user sees: a function of the (immutable) org, built on first ask.
        self._scopes: dict[str, _Scope] = {}
        self._org_wide: frozenset[str] | None = None
        self._facility_managers: dict[str, frozenset[str]] = {}

    def __repr__(self) -> str:
        return f"<Visibility of {self.org!r}>"

    def _scope_of(self, user_id: str) -> _Scope:
        try:
            return self._scopes[user_id]
        except (KeyError, TypeError):
            return self._scope(user_id)

    def _scope(self, user_id: object) -> _Scope:
        if not isinstance(user_id, str):
            msg = f"a user id must be a string (got {shown(user_id)})"
            raise InvalidValueError(msg, field="user_id", value=user_id)
        user = self.org._users.get(user_id)
        if user is None:
            return _UNKNOWN  # not remembered: any string may be asked about
        scope = _Scope(self, user)
        self._scopes[user_id] = scope
        return scope

    # --- cases -----------------------------------------------------------------------------

    def can_view_case(self, user_id: str, case: CaseLike) -> Decision:
        """May ``user_id`` view ``case``?

        Org-wide roles see every case; a sales user the cases where it is the representative or
        sub-rep; a distributor those whose representative or sub-rep is itself or one of its reps;
        a regional manager those whose representative or sub-rep is a member of a region it
        manages; a facility manager those at its facilities and its own. A custodian-only user
        sees only the cases where it is the representative.

        Parameters
        ----------
        user_id : str
            The asking user; an unknown id is a denial with reason ``"unknown-user"``.
        case : Case or CaseLike
            The case.

        Returns
        -------
        Decision

        Raises
        ------
        InvalidValueError
            If ``case`` is not a well-formed case, or ``user_id`` is not a string.

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> vis = bo.Visibility(sample_org())
        >>> vis.can_view_case("rep-a2", bo.Case("c1", "rep-a1", sub_rep="rep-a2")).reason
        'sub-rep'
        >>> vis.can_view_case("rep-new", bo.Case("c2", "rep-new"))
        Decision(allowed=False, reason='locked', path=(), suggestion='complete training for rep-new')
        """
        if type(case) is not Case:
            case = _read_case(case)
        try:
            scope = self._scopes[user_id]
        except (KeyError, TypeError):
            scope = self._scope(user_id)
        table = scope.every
        if table is None:
            table = scope.by_rep.get(case.representative)
            if table is None:
                table = scope.by_sub.get(case.sub_rep)  # type: ignore[arg-type]
                if table is None:
                    fixed = scope.fixed_miss
                    return fixed if fixed is not None else scope.miss(case)
        return table[case.id]

    def can_edit_case(self, user_id: str, case: CaseLike) -> Decision:
        """May ``user_id`` edit ``case``?

        As viewing, except that a sales user edits only as representative, a facility manager only
        its own cases, a custodian-only user nothing, and a closed case is edited by org-wide roles
        alone (reason ``"case-closed"``).

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> vis = bo.Visibility(sample_org())
        >>> vis.can_edit_case("rep-a2", bo.Case("c1", "rep-a1", sub_rep="rep-a2")).reason
        'sub-rep-read-only'
        >>> vis.can_edit_case("dist-a", bo.Case("c2", "rep-a1", status="paid")).reason
        'case-closed'
        >>> vis.can_edit_case("ops-1", bo.Case("c2", "rep-a1", status="paid")).path
        ('ops-1', 'c2')
        """
        if type(case) is not Case:
            case = _read_case(case)
        try:
            scope = self._scopes[user_id]
        except (KeyError, TypeError):
            scope = self._scope(user_id)
        # As _Scope.relation, inline, so that a grant editing would not give is never built.
        every = table = scope.every
        if table is None:
            table = scope.by_rep.get(case.representative)
            if table is None:
                table = scope.by_sub.get(case.sub_rep)  # type: ignore[arg-type]
                if table is None and scope.by_facility:
                    table = scope.by_facility.get(case.facility)  # type: ignore[arg-type]
        closed = case.status in _CLOSED
        if type(table) is _Grants:
            if every is not None:
                return table[case.id]
            if closed:
                return _DENY_CLOSED
            block = scope.edit_block.get(table.reason)
            return block if block is not None else table[case.id]
        relation: str | None
        if table is None:
            relation, view = None, scope.miss(case)
        else:
            assert isinstance(table, _Fixed)
            relation, view = table.reason, table.decision
        if view.suggestion is None or (
            (every is not None or not closed) and scope.may_edit_after_fix(relation, view, case)
        ):
            return view
        return _without_suggestion(view)

    def can_reopen_case(self, user_id: str, case: CaseLike) -> Decision:
        """May ``user_id`` reopen the closed ``case``?

        Only a closed case can be reopened (an open one is a denial with ``"case-open"``): by
        org-wide roles, and by sales and distributor users who could edit it if it were open only
        while ``org.settings.field_users_can_reopen_cases`` is on (else ``"reopen-disabled"``).
        Regional managers and facility managers never reopen (``"reopen-not-for-role"``).

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org()
        >>> paid = bo.Case("c1", "rep-a1", status="paid")
        >>> bo.Visibility(org).can_reopen_case("rep-a1", paid).reason
        'reopen-disabled'
        >>> org = org.configure(field_users_can_reopen_cases=True)
        >>> bo.Visibility(org).can_reopen_case("rep-a1", paid).reason
        'representative'
        """
        if type(case) is not Case:
            case = _read_case(case)
        scope = self._scope_of(user_id)
        relation, view = scope.relation(case)
        closed = case.status in _CLOSED
        role = scope.role
        never = role is not None and not role.is_org_wide and role not in _REOPENING_ROLES
        reopening = self.org.settings.field_users_can_reopen_cases and not never
        if not view.allowed:
            if view.suggestion is None or (
                closed
                and (scope.every is not None or reopening)
                and scope.may_edit_after_fix(relation, view, case)
            ):
                return view
            return _without_suggestion(view)
        if not closed:
            return _DENY_OPEN
        if scope.every is not None:
            return view
        if never:
            return _DENY_REOPEN_ROLE
        block = scope.edit_block.get(relation)  # type: ignore[arg-type]
        if block is not None:
            if block.suggestion is not None and not reopening:
                # Turning custodian-only off would not be enough: reopening is off too.
                return _without_suggestion(block)
            return block
        if not reopening:
            return _DENY_REOPEN_SETTING
        return view

    def visible_cases(self, user_id: str, cases: Iterable[CaseLike]) -> list[Any]:
        """Return the cases ``user_id`` may view, in the order given (empty for an unknown user).

        Costs O(1) per case passed; the cases returned are the objects passed in. Given a
        :class:`CaseIndex` instead, it costs in proportion to the answer (and to the people the
        user oversees), whatever the number of cases indexed.

        Examples
        --------
        >>> from beacon_org.testing import sample_org, sample_cases
        >>> vis = bo.Visibility(sample_org())
        >>> [c.id for c in vis.visible_cases("dist-a", sample_cases())]
        ['c-100', 'c-101', 'c-102']
        >>> [c.id for c in vis.visible_cases("fm-mercy", sample_cases())]
        ['c-100', 'c-102', 'c-201', 'c-400', 'c-500']
        """
        if isinstance(cases, CaseIndex):
            return self._visible_in(user_id, cases)
        rows = cases if isinstance(cases, list | tuple) else _case_list(cases)
        flags = self._viewable(user_id, rows)
        return [case for case, seen in zip(rows, flags, strict=True) if seen]

    def _visible_in(self, user_id: str, index: CaseIndex) -> list[Any]:
        # Only the cases of the people and facilities this user's grants name are looked at.
        try:
            scope = self._scopes[user_id]
        except (KeyError, TypeError):
            scope = self._scope(user_id)
        if scope.every is not None:
            return [] if isinstance(scope.every, _Fixed) else list(index.rows.values())
        reps, subs, facilities = scope.granting()
        found: dict[str, Case] = {}
        for person in reps | subs:
            for case in index.by_person.get(person, ()):
                if case.representative in reps or case.sub_rep in subs:
                    found[case.id] = case
        for facility in facilities:
            for case in index.by_facility.get(facility, ()):
                found[case.id] = case
        position, rows = index.position, index.rows
        return [rows[case_id] for case_id in sorted(found, key=position.__getitem__)]

    def viewable(self, user_id: str, cases: Iterable[CaseLike]) -> list[bool]:
        """Return, for each case in order, whether ``user_id`` may view it.

        The batch form of :meth:`can_view_case` for one user and many cases: no ``Decision`` is
        built, so it costs less per case than asking one by one.

        Examples
        --------
        >>> from beacon_org.testing import sample_org, sample_cases
        >>> bo.Visibility(sample_org()).viewable("rep-b2", sample_cases()[3:6])
        [True, True, False]
        """
        rows = cases if isinstance(cases, list | tuple) else _case_list(cases)
        return self._viewable(user_id, rows)

    def _viewable(self, user_id: str, cases: list[Any] | tuple[Any, ...]) -> list[bool]:
        _check_rows(cases)
        try:
            scope = self._scopes[user_id]
        except (KeyError, TypeError):
            scope = self._scope(user_id)
        if scope.every is not None:
            return [not isinstance(scope.every, _Fixed)] * len(cases)
        reps, subs, facilities = scope.granting()
        if facilities:
            return [
                c.representative in reps or c.sub_rep in subs or c.facility in facilities
                for c in cases
            ]
        if subs:
            return [c.representative in reps or c.sub_rep in subs for c in cases]
        return [c.representative in reps for c in cases]

    def case_viewers(self, case: CaseLike) -> frozenset[str]:
        """Return the ids of every user that may view ``case``.

        Costs in proportion to the answer: the candidates are the org-wide users, the case's
        representative and sub-rep, their distributors and regional managers, and the facility
        managers of its facility (the org-wide users and facility managers are indexed once per
        ``Visibility``).

        Examples
        --------
        >>> from beacon_org.testing import sample_org, sample_cases
        >>> sorted(bo.Visibility(sample_org()).case_viewers(sample_cases()[0]))
        ['admin-1', 'dist-a', 'fm-mercy', 'ops-1', 'owner', 'rep-a1', 'rep-a2', 'rm-central', 'rm-west']
        """
        if type(case) is not Case:
            case = _read_case(case)
        org = self.org
        if self._org_wide is None:
            self._index()
        assert self._org_wide is not None
        candidates = set(self._org_wide)
        for subject in (case.representative, case.sub_rep):
            user = org._users.get(subject) if subject is not None else None
            if user is None:
                continue
            candidates.add(subject)  # type: ignore[arg-type]
            distributor = org._distributor_of.get(user.id)
            if distributor is not None:
                candidates.add(distributor)
            if user.region is not None:
                manager = org._regions[user.region].manager
                if manager is not None:
                    candidates.add(manager)
        if case.facility is not None:
            candidates |= self._facility_managers.get(case.facility, _EMPTY)
        return frozenset(c for c in candidates if self.can_view_case(c, case).allowed)

    def viewable_by(self, user_ids: Iterable[str], case: CaseLike) -> list[bool]:
        """Return, for each user in order, whether it may view ``case``.

        The batch form of :meth:`can_view_case` for many users and one case: the case's viewers
        are found once (see :meth:`case_viewers`), then each user costs one set look-up. An
        unknown id (or one that is not a string) is False.

        Examples
        --------
        >>> from beacon_org.testing import sample_org, sample_cases
        >>> bo.Visibility(sample_org()).viewable_by(["dist-a", "dist-b", "nobody"], sample_cases()[0])
        [True, False, False]
        """
        viewers = self.case_viewers(case)
        ids = user_ids if isinstance(user_ids, list | tuple) else list(user_ids)
        try:
            return [user_id in viewers for user_id in ids]
        except TypeError:  # an unhashable id names nobody
            return [isinstance(user_id, str) and user_id in viewers for user_id in ids]

    def _index(self) -> None:
        org_wide: set[str] = set()
        by_facility: dict[str, set[str]] = {}
        for user in self.org._users.values():
            if user.role.is_org_wide:
                if user.active:
                    org_wide.add(user.id)
            elif user.role is Role.FACILITY_MANAGER:
                for facility in user.facilities:
                    by_facility.setdefault(facility, set()).add(user.id)
        self._org_wide = frozenset(org_wide)
        self._facility_managers = {f: frozenset(ids) for f, ids in by_facility.items()}

    # --- entering a case ---------------------------------------------------------------------

    def can_create_case(
        self,
        actor_id: str,
        representative_id: str,
        *,
        facility: str | None = None,
        sub_rep: str | None = None,
    ) -> Decision:
        """May ``actor_id`` enter a case whose representative is ``representative_id``?

        The seed's "entering cases on behalf of all of the sales reps": the actor must be able to
        act and be org-wide, the representative itself, the representative's distributor or the
        manager of the representative's region, exactly the relations that let it edit an open
        case of the representative's. The representative must be an active user whose role holds
        inventory (``"cannot-be-representative"``). With ``facility``, the representative's
        directory records (a facility manager's: its facilities) must hold it
        (``"not-authorised-for-facility"``); a facility manager enters cases for itself only, at
        one of its facilities, so its own case without a ``facility`` is denied so too. With
        ``sub_rep``, it must be an active user of the representative's distributor group other
        than the representative (``"sub-rep-not-in-group"``).

        A grant's ``path`` runs from the actor to the representative, e.g. ``("rm-central",
        "central", "rep-a2")``; the reason is the relation, as for :meth:`can_edit_case`. A
        denial's reason is the first that applies in the order actor (``unknown-user``,
        ``inactive``, ``locked``, ``custodian-only``), representative, relation (``not-own-case``,
        ``not-in-group``, ``not-in-managed-region``), facility, sub-rep; its ``suggestion`` is the
        one change to the org that grants the question, where one exists.

        Parameters
        ----------
        actor_id : str
            The user entering the case; an unknown id is a denial with ``"unknown-user"``.
        representative_id : str
            The case's representative; an unknown id is a denial with ``"unknown-user"``.
        facility : str, optional
            The case's facility.
        sub_rep : str, optional
            The case's sub-rep.

        Returns
        -------
        Decision

        Raises
        ------
        InvalidValueError
            If an id is not a string (``facility`` and ``sub_rep`` may be None).

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> vis = bo.Visibility(sample_org())
        >>> vis.can_create_case("dist-a", "rep-a1", facility="st-lukes", sub_rep="rep-a2")
        Decision(allowed=True, reason='distributor-of-representative', path=('dist-a', 'rep-a1'), suggestion=None)
        >>> vis.can_create_case("dist-a", "rep-b1").suggestion
        'move rep-b1 from dist-b to dist-a'
        >>> vis.can_create_case("rep-a1", "rep-a1", facility="fac-9").suggestion
        'assign directory record fac-9 to rep-a1'
        >>> vis.can_create_case("fm-mercy", "fm-mercy").reason
        'not-authorised-for-facility'
        """
        for name, value, optional in (
            ("actor_id", actor_id, False),
            ("representative_id", representative_id, False),
            ("facility", facility, True),
            ("sub_rep", sub_rep, True),
        ):
            if not (isinstance(value, str) or (optional and value is None)):
                what = "a string id or None" if optional else "a string user id"
                msg = f"{name!r} must be {what} (got {value!r})"
                raise InvalidValueError(msg, field=name, value=value)
        org = self.org
        actor = org._users.get(actor_id)
        rep = org._users.get(representative_id)
        if actor is None or rep is None:
            return _DENY_UNKNOWN
        relation = self._scope_of(actor_id).representing(representative_id)
        barred = not relation.allowed and relation.reason in _ACTOR_BARS
        group = (
            representative_id
            if rep.role is Role.DISTRIBUTOR
            else org._distributor_of.get(representative_id)
        )
        sub_denial = _sub_rep_denial(org, rep, group, sub_rep)
        failures = [
            d
            for d in (
                relation if barred else None,
                _representative_denial(rep),
                None if barred or relation.allowed else relation,
                _facility_denial(actor, rep, facility),
                sub_denial,
            )
            if d is not None
        ]
        if not failures:
            return relation
        first, fix = failures[0], failures[0].suggestion
        if fix is None:
            return first
        if first.reason == NOT_IN_GROUP:
            # Moving the representative into the actor's group also changes whom its sub-rep
            # may be: the suggestion holds only if that is all that is missing.
            grants = all(d is first or d is sub_denial for d in failures) and (
                _sub_rep_denial(org, rep, actor_id, sub_rep) is None
            )
        else:
            grants = all(d.suggestion == fix for d in failures)
        return first if grants else _without_suggestion(first)

    # --- reports -----------------------------------------------------------------------------

    def can_pull_reports(self, user_id: str, about_user_id: str) -> Decision:
        """May ``user_id`` pull reports on ``about_user_id``?

        Org-wide roles on anyone; a distributor on its reps; a regional manager on the members of
        its regions; every user that may act, on itself. An unknown user on either side is a
        denial with ``"unknown-user"``.

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> vis = bo.Visibility(sample_org().complete_training("rm-east"))
        >>> vis.can_pull_reports("rm-east", "rep-b1").path
        ('rm-east', 'east', 'rep-b1')
        >>> vis.can_pull_reports("dist-a", "rep-solo")
        Decision(allowed=False, reason='not-in-group', path=(), suggestion='assign rep-solo to dist-a')
        """
        org = self.org
        for name, value in (("user_id", user_id), ("about_user_id", about_user_id)):
            if not isinstance(value, str):
                msg = f"'{name}' must be a string user id (got {shown(value)})"
                raise InvalidValueError(msg, field=name, value=value)
        user = org._users.get(user_id)
        about = org._users.get(about_user_id)
        if user is None or about is None:
            return _DENY_UNKNOWN
        uid, role = user.id, user.role
        grant: Decision | None = None
        if role.is_org_wide:
            grant = Decision(allowed=True, reason=ORG_WIDE, path=(uid, about_user_id))
        elif about_user_id == uid:
            grant = Decision(allowed=True, reason=SELF, path=(uid,))
        elif role is Role.DISTRIBUTOR and org._distributor_of.get(about_user_id) == uid:
            grant = Decision(allowed=True, reason=DISTRIBUTOR_OF_REP, path=(uid, about_user_id))
        elif (
            role is Role.REGIONAL_MANAGER
            and about.region is not None
            and about.region in org._managed.get(uid, _EMPTY)
        ):
            grant = Decision(
                allowed=True,
                reason=REGIONAL_MANAGER_OF_MEMBER,
                path=(uid, about.region, about_user_id),
            )
        blocks = [
            reason
            for reason, on in (
                (INACTIVE, not user.active),
                (LOCKED, user.locked),
                (CUSTODIAN_ONLY, user.custodian_only),
            )
            if on
        ]
        if blocks:
            fix = None
            if grant is not None and len(blocks) == 1:
                fix = {
                    INACTIVE: f"reactivate {uid}",
                    LOCKED: f"complete training for {uid}",
                    CUSTODIAN_ONLY: f"turn off custodian-only for {uid}",
                }[blocks[0]]
            return Decision(allowed=False, reason=blocks[0], suggestion=fix)
        if grant is not None:
            return grant
        if role is Role.DISTRIBUTOR:
            fix = _group_fix(org, uid, (about_user_id,))
            return Decision(allowed=False, reason=NOT_IN_GROUP, suggestion=fix)
        if role is Role.REGIONAL_MANAGER:
            fix = _region_fix(org, uid, (about_user_id,))
            return Decision(allowed=False, reason=NOT_IN_MANAGED_REGION, suggestion=fix)
        return Decision(allowed=False, reason=NOT_SELF)


_UNKNOWN = _Scope.__new__(_Scope)
_UNKNOWN.user = None
_UNKNOWN.role = None
_UNKNOWN.every = None
_UNKNOWN.by_rep = {}
_UNKNOWN.by_sub = {}
_UNKNOWN.by_facility = {}
_UNKNOWN.miss_decision = _DENY_UNKNOWN
_UNKNOWN.fixed_miss = _DENY_UNKNOWN
_UNKNOWN.edit_block = {}
_UNKNOWN.sets = (_EMPTY, _EMPTY, _EMPTY)
_UNKNOWN.role_block = _EMPTY
_UNKNOWN.fix_relation = None
