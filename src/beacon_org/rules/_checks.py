"""Checks of the data a question brings that are procedure, not relations of the rule table.

Entering a case: who may enter one for a representative is the table's ``create_case``; the new
case's data is checked here (the representative holds inventory, is authorised at the facility,
has its sub-rep in its group). Transferring: who may move the item is the table's ``move_item``;
the recipient is checked here (it may hold inventory; a regional manager or facility manager
sends only within its regions or facilities). Fix texts come from the table.
"""

from __future__ import annotations

from collections.abc import Callable

from .._errors import InvalidValueError
from .._model import ORG_CUSTODY, Role, User
from .._org import OrgView
from ._compile import Compiled
from ._explain import edge
from ._records import Decision
from ._table import (
    ADD_RECORD,
    ASSIGN_RECORD,
    CANNOT_BE_REPRESENTATIVE,
    NOT_AUTHORISED_FOR_FACILITY,
    NOT_IN_GROUP,
    RECIPIENT_CANNOT_HOLD,
    RECIPIENT_INACTIVE,
    RECIPIENT_NOT_AT_FACILITY,
    RECIPIENT_OUTSIDE_REGIONS,
    RULES,
    SUB_REP_NOT_IN_GROUP,
    UNKNOWN_USER,
    Bar,
)

__all__ = ["can_create_case", "outside_scope", "recipient_denial"]

_DENY_UNKNOWN = Decision(allowed=False, reason=UNKNOWN_USER)
_RECIPIENT_CANNOT_HOLD = Decision(allowed=False, reason=RECIPIENT_CANNOT_HOLD)
_EMPTY: frozenset[str] = frozenset()
_BAR_REASONS = frozenset(bar.reason for bar in Bar)
_ADD_FACILITY = str(RULES.relation("facility_manager").creates)


def can_create_case(
    compiled: Compiled,
    relation_of: Callable[[str], Decision],
    actor_id: str,
    representative_id: str,
    facility: str | None,
    sub_rep: str | None,
) -> Decision:
    """:meth:`Visibility.can_create_case`; ``relation_of(actor_id)`` is the table's answer."""
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
    view = compiled.view
    actor = view.users.get(actor_id)
    rep = view.users.get(representative_id)
    if actor is None or rep is None:
        return _DENY_UNKNOWN
    relation = relation_of(actor_id)
    barred = not relation.allowed and relation.reason in _BAR_REASONS
    group = (
        representative_id
        if rep.role is Role.DISTRIBUTOR
        else view.distributor_of.get(representative_id)
    )
    sub_denial = _sub_rep_denial(compiled, rep, group, sub_rep)
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
            _sub_rep_denial(compiled, rep, actor_id, sub_rep) is None
        )
    else:
        grants = all(d.suggestion == fix for d in failures)
    return first if grants else Decision(allowed=False, reason=first.reason)


def _sub_rep_denial(
    compiled: Compiled, rep: User, group: str | None, sub_rep: str | None
) -> Decision | None:
    # ``group``: the distributor of the representative's group (itself, for a distributor).
    if sub_rep is None:
        return None
    view = compiled.view
    sub = view.users.get(sub_rep)
    if sub is None or sub_rep == rep.id:
        return Decision(allowed=False, reason=SUB_REP_NOT_IN_GROUP)
    inside = group is not None and (sub_rep == group or view.distributor_of.get(sub_rep) == group)
    if inside and sub.active:
        return None
    fix: str | None = None
    if inside:
        fix = Bar.INACTIVE.fix.format(user=sub_rep)
    elif sub.active and group is not None:
        fix = edge(compiled, "distributor", sub_rep, group)
    return Decision(allowed=False, reason=SUB_REP_NOT_IN_GROUP, suggestion=fix)


def _representative_denial(rep: User) -> Decision | None:
    # A case's representative is an active user whose role holds inventory.
    if rep.role.can_hold_inventory:
        if rep.active:
            return None
        fix: str | None = Bar.INACTIVE.fix.format(user=rep.id)
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
        fix = _ADD_FACILITY.format(source=facility, target=rep.id)
    elif facility is None or facility in rep.directory_records:
        return None
    else:
        fix = ASSIGN_RECORD.format(facility=facility, user=rep.id)
    return Decision(allowed=False, reason=NOT_AUTHORISED_FOR_FACILITY, suggestion=fix)


# --- a transfer's recipient ---------------------------------------------------------------------


def recipient_denial(view: OrgView, to_id: object) -> Decision | None:
    """Why ``to_id`` may not receive items, or None when it may."""
    if to_id == ORG_CUSTODY:
        return None
    recipient = view.users.get(to_id) if isinstance(to_id, str) else None
    if recipient is None:
        return _DENY_UNKNOWN
    if not recipient.active:
        fix = Bar.INACTIVE.fix.format(user=recipient.id)
        return Decision(allowed=False, reason=RECIPIENT_INACTIVE, suggestion=fix)
    if not recipient.role.can_hold_inventory:
        return _RECIPIENT_CANNOT_HOLD
    return None


def outside_scope(compiled: Compiled, actor: User, to_id: str) -> Decision | None:
    """Why ``actor`` may not send to ``to_id`` (known to be able to hold inventory), or None.

    A regional manager or a facility manager sends within its regions or facilities; others send
    to anyone who may hold inventory.
    """
    view = compiled.view
    recipient = view.users.get(to_id)  # None for ORG_CUSTODY
    if actor.role is Role.REGIONAL_MANAGER:
        # "What is a regional manager user?": transfers between users assigned to its regions.
        managed = view.managed_by.get(actor.id, _EMPTY)
        if recipient is not None and recipient.region in managed:
            return None
        fix = None
        if recipient is not None and managed:
            fix = edge(compiled, "region", to_id, min(managed))
        return Decision(allowed=False, reason=RECIPIENT_OUTSIDE_REGIONS, suggestion=fix)
    if actor.role is Role.FACILITY_MANAGER and recipient is not None:
        # "What does the Facility Manager role do?": to users associated with its facilities.
        if actor.facilities & (recipient.facilities | recipient.directory_records):
            return None
        fix = None
        if actor.facilities:
            fix = ADD_RECORD.format(facility=min(actor.facilities), user=to_id)
        return Decision(allowed=False, reason=RECIPIENT_NOT_AT_FACILITY, suggestion=fix)
    return None
