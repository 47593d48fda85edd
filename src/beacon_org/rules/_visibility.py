"""Who may view, edit and reopen a case, and pull reports on a user: ``Visibility``.

Thin questions over the rule table's compiled look-ups (:mod:`._compile`): per asking user, the
ids whose cases it sees, each with the start of its explanation path, built once per org snapshot
on first ask. Nothing is remembered per question: an answer is a pure function of those look-ups
and the case's fields read at call time. Denials and their suggestions come from the table too
(:mod:`._explain`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

from .._errors import InvalidValueError, shown
from .._model import Case
from .._org import Org
from . import _checks
from ._case_index import CaseIndex, CaseLike
from ._compile import Compiled, Derived, Grants, Look, grant
from ._explain import derived_answer, derived_denial, missing_edge
from ._records import Decision
from ._rows import case_list, check_case_rows
from ._rows import case_row as read_case
from ._table import NOT_AUTHORISED_FOR_FACILITY, RULES, UNKNOWN_USER, RuleTable

__all__ = ["NOT_AUTHORISED_FOR_FACILITY", "CaseLike", "Visibility"]


_DENY_UNKNOWN = Decision(allowed=False, reason=UNKNOWN_USER)

# The hot paths read a case's first hops in the order the table names them (Look.t0, t1, t2):
# this stops the import if the table's order changes, and Visibility refuses a table whose does.
_CASE_HOPS = ("representative", "sub_rep", "facility")


def _hops(rules: RuleTable) -> tuple[str, ...]:
    return tuple(h for h in rules.permission("view_case").hops() if h != "org")


if _hops(RULES) != _CASE_HOPS:  # pragma: no cover
    msg = "the view_case grants' first hops changed: update the hot paths in rules/_visibility.py"
    raise RuntimeError(msg)


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

    __slots__ = ("_compiled", "_edit", "_reopen", "_unknown", "_view", "org")

    org: Org

    def __init__(
        self, org: Org, *, memo_size: int | None = None, _rules: RuleTable = RULES
    ) -> None:
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
        if _hops(_rules) != _CASE_HOPS:
            msg = f"a rule table for Visibility must key cases by {_CASE_HOPS} in this order"
            raise InvalidValueError(msg, field="_rules", value=_rules)
        self.org = org
        # The compiled look-ups (a function of the immutable org and the table), per asking user.
        self._compiled = compiled = Compiled(org.view, _rules)
        self._view = compiled.looks["view_case"]
        self._edit = compiled.derived["edit_case"]
        self._reopen = compiled.derived["reopen_case"]
        self._unknown = Look(None, _rules.permission("view_case"))
        self._unknown.miss = self._unknown.fixed = _DENY_UNKNOWN

    def __repr__(self) -> str:
        return f"<Visibility of {self.org!r}>"

    def _look(self, permission: str, user_id: object) -> Look:
        if not isinstance(user_id, str):
            msg = f"a user id must be a string (got {shown(user_id)})"
            raise InvalidValueError(msg, field="user_id", value=user_id)
        look = self._compiled.look(permission, user_id)
        return self._unknown if look is None else look

    def _derived(self, permission: str, user_id: object) -> Derived | None:
        self._look("view_case", user_id)  # the same check of the id
        return self._compiled.derived_look(permission, user_id)

    def _miss(self, look: Look, obj: Any) -> Decision:
        return missing_edge(self._compiled, look, obj)[0]

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
            case = read_case(case)
        try:
            look = self._view[user_id]
        except (KeyError, TypeError):
            look = self._look("view_case", user_id)
        entry = look.every
        if entry is None:
            # The table's first hops in its order (checked at import, see _CASE_HOPS).
            entry = look.t0.get(case.representative)
            if entry is None:
                entry = look.t1.get(case.sub_rep)
                if entry is None:
                    fixed = look.fixed
                    if fixed is not None:
                        return fixed
                    entry = look.t2.get(case.facility)
                    if entry is None:
                        miss = look.miss
                        return miss if miss is not None else self._miss(look, case)
        # A Grants entry builds its grant; a Const holds its decision (entry[id] says the same,
        # through __missing__: one Python call more per answer).
        if type(entry) is Grants:
            return grant(entry.reason, entry.prefix + (case.id,))  # noqa: RUF005 (concatenation: a third of the unpacking form's cost)
        return entry.decision  # type: ignore[union-attr]

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
            case = read_case(case)
        try:
            derived = self._edit[user_id]
        except (KeyError, TypeError):
            found = self._derived("edit_case", user_id)
            if found is None:
                return _DENY_UNKNOWN
            derived = found
        # As can_view_case, inline: then the plan for the view grant found (see _compile.Derived).
        look = derived.root
        entry = look.every
        if entry is None:
            entry = look.t0.get(case.representative)
            if entry is None:
                entry = look.t1.get(case.sub_rep)
                if entry is None:
                    fixed = look.fixed  # a fixed denial suggests nothing: the same here
                    if fixed is not None:
                        return fixed
                    entry = look.t2.get(case.facility)
        if type(entry) is Grants:
            checks, final = derived.plans[entry.index]
            for holds, denial in checks:
                if case.status not in holds:
                    return denial
            if type(final) is str:
                return grant(final, entry.prefix + (case.id,))  # noqa: RUF005 (concatenation: a third of the unpacking form's cost)
            return final  # type: ignore[return-value]
        if entry is not None and entry.decision.suggestion is None:  # type: ignore[union-attr]
            return entry.decision  # type: ignore[union-attr]
        return derived_denial(self._compiled, derived, entry, case)

    def may_view_case(self, user_id: str, case: CaseLike) -> bool:
        """Whether ``user_id`` may view ``case``: :meth:`can_view_case` without the why.

        For callers that need only yes or no: the same look-ups, no :class:`Decision` built and
        no suggestion worked out for a denial, so it costs about a dictionary look-up per field
        of the case it reads. ``may_view_case(u, c) == can_view_case(u, c).allowed`` always; a
        malformed case or a user id that is not a string raises as there.

        Examples
        --------
        >>> from beacon_org.testing import sample_org, sample_cases
        >>> vis = bo.Visibility(sample_org())
        >>> c100 = sample_cases()[0]
        >>> vis.may_view_case("dist-a", c100), vis.may_view_case("dist-b", c100)
        (True, False)
        >>> vis.may_view_case("nobody", c100)
        False
        """
        if type(case) is not Case:
            case = read_case(case)
        try:
            look = self._view[user_id]
        except (KeyError, TypeError):
            look = self._look("view_case", user_id)
        entry = look.every
        if entry is None:
            entry = look.t0.get(case.representative)
            if entry is None:
                entry = look.t1.get(case.sub_rep)
                if entry is None:
                    entry = look.t2.get(case.facility)
                    if entry is None:
                        return False
        return type(entry) is Grants or entry.decision.allowed  # type: ignore[union-attr]

    def may_edit_case(self, user_id: str, case: CaseLike) -> bool:
        """Whether ``user_id`` may edit ``case``: :meth:`can_edit_case` without the why.

        ``may_edit_case(u, c) == can_edit_case(u, c).allowed`` always; see :meth:`may_view_case`.

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> vis = bo.Visibility(sample_org())
        >>> vis.may_edit_case("rep-a1", bo.Case("c1", "rep-a1", sub_rep="rep-a2"))
        True
        >>> vis.may_edit_case("rep-a2", bo.Case("c1", "rep-a1", sub_rep="rep-a2"))
        False
        """
        if type(case) is not Case:
            case = read_case(case)
        try:
            derived = self._edit[user_id]
        except (KeyError, TypeError):
            found = self._derived("edit_case", user_id)
            if found is None:
                return False
            derived = found
        look = derived.root
        entry = look.every
        if entry is None:
            entry = look.t0.get(case.representative)
            if entry is None:
                entry = look.t1.get(case.sub_rep)
                if entry is None:
                    entry = look.t2.get(case.facility)
                    if entry is None:
                        return False
        if type(entry) is Grants:
            checks, final = derived.plans[entry.index]
            for holds, _ in checks:
                if case.status not in holds:
                    return False
            return type(final) is str or final.allowed  # type: ignore[union-attr]
        return entry.decision.allowed  # type: ignore[union-attr]

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
            case = read_case(case)
        try:
            derived: Derived | None = self._reopen[user_id]
        except (KeyError, TypeError):
            derived = self._derived("reopen_case", user_id)
        return _DENY_UNKNOWN if derived is None else derived_answer(self._compiled, derived, case)

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
        rows = cases if isinstance(cases, list | tuple) else case_list(cases)
        flags = self._viewable(user_id, rows)
        return [case for case, seen in zip(rows, flags, strict=True) if seen]

    def _visible_in(self, user_id: str, index: CaseIndex) -> list[Any]:
        # Only the cases of the people and facilities this user's grants name are looked at.
        look = self._look("view_case", user_id)
        if look.every is not None:
            return list(index.rows.values()) if look.every[""].allowed else []
        found = {
            case.id: case
            for case in index.by_keys(look.granting())
            if (entry := look.match(case)) is not None and entry[case.id].allowed
        }
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
        rows = cases if isinstance(cases, list | tuple) else case_list(cases)
        return self._viewable(user_id, rows)

    def _viewable(self, user_id: str, cases: list[Any] | tuple[Any, ...]) -> list[bool]:
        check_case_rows(cases)
        look = self._look("view_case", user_id)
        if look.every is not None:
            return [look.every[""].allowed] * len(cases)
        granted = [(name, keys) for name, keys in look.granting() if keys]
        make = self._compiled.generated("granted", tuple(name for name, _ in granted))
        return make(*(keys for _, keys in granted))(cases)  # type: ignore[no-any-return]

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
            case = read_case(case)
        users = self.org.view.users
        candidates = {
            user_id
            for user_id, roles in self._compiled.reached(case)
            if (user := users.get(user_id)) is not None and user.role in roles
        }
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
        return _checks.can_create_case(
            self._compiled,
            lambda actor: self._about("create_case", actor, representative_id),
            actor_id,
            representative_id,
            facility,
            sub_rep,
        )

    def _about(self, permission: str, user_id: str, about_id: str) -> Decision:
        # A question about a user (``about_id``), both known.
        look = self._look(permission, user_id)
        entry = look.match(about_id)
        return self._miss(look, about_id) if entry is None else entry[about_id]

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
        for name, value in (("user_id", user_id), ("about_user_id", about_user_id)):
            if not isinstance(value, str):
                msg = f"'{name}' must be a string user id (got {shown(value)})"
                raise InvalidValueError(msg, field=name, value=value)
        users = self.org.view.users
        if user_id not in users or about_user_id not in users:
            return _DENY_UNKNOWN
        return self._about("pull_reports", user_id, about_user_id)
