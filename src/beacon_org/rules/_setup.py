"""Setup checks and readiness: what the distributorship setup guide asks for, checked on an org.

``check_setup`` lists every problem and piece of advice as a :class:`Finding` with a stable code;
``readiness`` walks one distributor group through the guide's "How to set up" steps in order.
Every code is listed, with the sentence of the guide it comes from, in ``docs/setup-checks.md``.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any

import attrs

from .._display import readiness_html
from .._errors import InvalidValueError, RoleError
from .._model import ORG_CUSTODY, InventoryItem, Role, User
from .._org import Org, OrgView
from ._compile import bars_of, walk_back
from ._records import Finding, FindingList, Severity
from ._rows import case_records, item_records
from ._rows import check_on as _check_on
from ._table import HOLDERS, RULES
from ._visibility import Visibility
from ._walk import ORG_RELATIONS

__all__ = [
    "READINESS_STEPS",
    "SETUP_CODES",
    "Readiness",
    "ReadinessStep",
    "check_setup",
    "is_personal_email",
    "readiness",
]

#: Every code :func:`check_setup` may report, with its severity.
SETUP_CODES: dict[str, Severity] = {
    "no-primary-admin": Severity.ERROR,
    "item-held-by-unknown-user": Severity.ERROR,
    "item-held-by-non-holder": Severity.ERROR,
    "item-held-by-deactivated-user": Severity.ERROR,
    "case-unknown-user": Severity.ERROR,
    "rep-without-group": Severity.WARNING,
    "distributor-without-reps": Severity.WARNING,
    "distributor-inactive": Severity.WARNING,
    "user-locked": Severity.WARNING,
    "user-without-directory-records": Severity.WARNING,
    "user-without-region": Severity.WARNING,
    "region-without-manager": Severity.WARNING,
    "manager-without-region": Severity.WARNING,
    "facility-manager-without-facility": Severity.WARNING,
    "sub-rep-outside-group": Severity.WARNING,
    "sub-rep-inactive": Severity.WARNING,
    "distributor-cannot-enter-cases": Severity.WARNING,
    "expired-item": Severity.WARNING,
    "item-held-by-rep-of-sharing-distributor": Severity.ADVICE,
    "distributor-personal-email": Severity.ADVICE,
    "shared-inventory-off": Severity.ADVICE,
}

_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.ADVICE: 2}

# Mail providers anyone can sign up to: the distributor principal does not own the domain.
_FREE_MAIL = frozenset(
    {
        "aol.com",
        "att.net",
        "comcast.net",
        "gmail.com",
        "gmx.com",
        "gmx.net",
        "googlemail.com",
        "hotmail.co.uk",
        "hotmail.com",
        "icloud.com",
        "live.com",
        "mac.com",
        "mail.com",
        "me.com",
        "msn.com",
        "outlook.com",
        "proton.me",
        "protonmail.com",
        "sbcglobal.net",
        "verizon.net",
        "yahoo.co.uk",
        "yahoo.com",
        "yandex.com",
        "ymail.com",
        "zoho.com",
    }
)
# Words of a shared role mailbox (orders@, customerservice@, …) rather than one person's address.
_ROLE_WORDS = frozenset(
    {
        "accounts",
        "admin",
        "backoffice",
        "billing",
        "contact",
        "cs",
        "customercare",
        "customerservice",
        "customerservices",
        "dispatch",
        "distribution",
        "distributor",
        "hello",
        "info",
        "inventory",
        "logistics",
        "office",
        "operations",
        "ops",
        "order",
        "orders",
        "purchasing",
        "sales",
        "service",
        "services",
        "support",
        "team",
        "warehouse",
    }
)
_LOCAL_SPLIT = re.compile(r"[._+\-]+")


def is_personal_email(email: str) -> bool:
    """True when ``email`` looks like one person's address rather than a company mailbox.

    An address is personal-looking when its domain is a public mail provider (the distributor
    principal does not own it) or when no word of its local part names a role mailbox such as
    ``orders``, ``info`` or ``customerservice``.

    Examples
    --------
    >>> from beacon_org.rules import is_personal_email
    >>> is_personal_email("orders@acme-ortho.example"), is_personal_email("bob.baker@acme.example")
    (False, True)
    >>> is_personal_email("orders@gmail.com")
    True
    """
    local, _, domain = email.lower().rpartition("@")
    if domain in _FREE_MAIL:
        return True
    return not any(word in _ROLE_WORDS for word in _LOCAL_SPLIT.split(local))


# --- callers' items ------------------------------------------------------------------------------


def _expired(item: InventoryItem, on: _dt.date | None) -> bool:
    # Usable up to and including its expiry date, as Custody.can_use judges it.
    return on is not None and item.expires is not None and item.expires < on


def _label(user: User) -> str:
    return f"{user.id} ({user.name})" if user.name else user.id


# --- what the rule table says the setup checks need ------------------------------------------------

# A rep uses its distributor's items through the table's shared-inventory grant, while the
# conditions the grant puts on the distributor (the first node of its chain) hold.
_SHARED = next(g for g in RULES.permission("use_item").grants if g.reason == "shared-inventory")
_ON_A_USER: dict[str, Callable[[OrgView, str], bool]] = {
    "shares": lambda view, uid: uid in view.sharing,
    "active": lambda view, uid: (user := view.users.get(uid)) is not None and user.active,
}


def _pools(view: OrgView, distributor_id: str) -> bool:
    """True when the reps of ``distributor_id`` may use the items in its custody."""
    return all(_ON_A_USER[condition](view, distributor_id) for _node, condition in _SHARED.via)


_CREATE_CASE = RULES.permission("create_case")
_NOBODY: frozenset[str] = frozenset()


def _surely_enters_for(view: OrgView, actor: User) -> frozenset[str]:
    """The users for whom the table's ``create_case`` grants ``actor`` whatever its chain.

    Sure only when every grant the actor's role may hold stands for it unconditionally (no bar
    of the grant holds for the actor, no condition on the chain or the object, no chain through
    the organisation): then whichever grant's chain reaches a user, it grants. The users are
    those the chains reach walked back from the actor, as the compiled look-up walks them, but
    without building the look-up's entries. Empty when unsure: the full question decides.
    """
    held = _CREATE_CASE.grants_for(actor.role)
    reached: set[str] = set()
    for grant in held:
        if bars_of(actor, grant.bars) or grant.via or grant.requires:
            return _NOBODY
        if not ORG_RELATIONS.issuperset(grant.chain):
            return _NOBODY  # a chain through the organisation or a row's field: not walked here
        reached |= walk_back(view, grant.chain, 0, actor.id)[1][0]
    return frozenset(reached)


# --- check_setup ----------------------------------------------------------------------------------


def _finding(code: str, subject: str, message: str) -> Finding:
    return Finding(code=code, severity=SETUP_CODES[code], subject=subject, message=message)


def _user_findings(org: Org) -> Iterator[Finding]:
    if not any(u.role is Role.PRIMARY_ADMIN and u.active for u in org.users.values()):
        yield _finding(
            "no-primary-admin",
            ORG_CUSTODY,
            "the organisation has no active primary admin: give one account the primary_admin "
            "role so someone owns the organisation",
        )
    vis = Visibility(org)
    # Per distributor, the reps it surely enters cases for (see _case_entry_findings).
    entering: dict[str, frozenset[str]] = {}
    users = org.view.users
    for uid in sorted(users):
        user = users[uid]
        if not user.active:
            if user.role is Role.DISTRIBUTOR:
                reps = org.view.reps_of.get(uid, frozenset())
                if reps:
                    yield _finding(
                        "distributor-inactive",
                        uid,
                        f"distributor {_label(user)} is deactivated but still has reps "
                        f"({', '.join(sorted(reps))}): nobody manages their cases and inventory "
                        "as a group, and any inventory it shares is closed to them until it is "
                        "reactivated; reactivate it or move the reps to another distributor",
                    )
            # A deactivated account is out of use: the rest of the setup does not apply to it.
            continue
        yield from _active_user_findings(org, user, vis, entering)


def _active_user_findings(
    org: Org, user: User, vis: Visibility, entering: dict[str, frozenset[str]]
) -> Iterator[Finding]:
    uid, role, label = user.id, user.role, _label(user)
    if user.locked:
        yield _finding(
            "user-locked",
            uid,
            f'{label} is still locked: check "Training Complete" on the user before giving '
            "them access",
        )
    acts = not user.custodian_only and not role.is_org_wide
    if acts and not user.directory_records:
        yield _finding(
            "user-without-directory-records",
            uid,
            f"{label} has no directory records (facilities, physicians, manufacturers, product "
            "lines), so they cannot enter cases; assign the records they do business with",
        )
    if role is Role.SALES and acts and uid not in org.view.distributor_of:
        yield _finding(
            "rep-without-group",
            uid,
            f"sales rep {label} is in no distributor group: no distributor sees their cases or "
            "inventory; assign them to their distributor if they have one",
        )
    if role is Role.SALES:
        yield from _case_entry_findings(org, user, vis, entering)
    if role.has_region and acts and user.region is None:
        yield _finding(
            "user-without-region",
            uid,
            f"{role.value} {label} has no region, so no regional manager oversees them; set "
            "their region",
        )
    if role is Role.DISTRIBUTOR:
        yield from _distributor_findings(org, user)
    if role is Role.REGIONAL_MANAGER and not org.view.managed_by.get(uid):
        yield _finding(
            "manager-without-region",
            uid,
            f"regional manager {label} manages no region, so they oversee nobody; make them the "
            "manager of their regions",
        )
    if role is Role.FACILITY_MANAGER and not user.facilities:
        yield _finding(
            "facility-manager-without-facility",
            uid,
            f"facility manager {label} is tied to no facility, so they see only their own cases; "
            "add their facilities",
        )


def _case_entry_findings(
    org: Org, rep: User, vis: Visibility, entering: dict[str, frozenset[str]]
) -> Iterator[Finding]:
    # "if a back-office person [...] will be entering cases on behalf of all of the sales reps
    # in the distributorship, then it may make sense to make them the distributor": can it?
    view = org.view
    distributor_id = view.distributor_of.get(rep.id)
    if distributor_id is None:
        return  # rep-without-group
    distributor = view.users[distributor_id]
    if not distributor.active:
        return  # distributor-inactive
    surely = entering.get(distributor_id)
    if surely is None:
        surely = entering[distributor_id] = _surely_enters_for(view, distributor)
    if rep.id in surely and rep.directory_records:
        # The relation grants; the case's own data passes for each of the rep's records (an
        # active sales rep may be a representative, and its records authorise it there): the
        # question below would grant at every record. Asking it would compile the look-up of
        # every distributor, walking all of its reps.
        return
    if not rep.directory_records:
        if (
            rep.custodian_only
        ):  # a rep who does not use the system: its distributor enters its cases
            yield _finding(
                "distributor-cannot-enter-cases",
                rep.id,
                f"distributor {distributor_id} cannot enter cases for {_label(rep)}, who has no "
                "directory records (facilities, physicians, …); assign the records its cases "
                "are entered at",
            )
        return  # otherwise user-without-directory-records says so
    decisions = [
        vis.can_create_case(distributor_id, rep.id, facility=record)
        for record in sorted(rep.directory_records)
    ]
    if any(decisions):
        return
    denial = decisions[0]
    fix = f": {denial.suggestion}" if denial.suggestion else ""
    yield _finding(
        "distributor-cannot-enter-cases",
        rep.id,
        f"distributor {distributor_id} cannot enter cases for {_label(rep)} at any of its "
        f"directory records ({denial.reason}){fix}",
    )


def _distributor_findings(org: Org, user: User) -> Iterator[Finding]:
    uid, label = user.id, _label(user)
    reps = org.view.reps_of.get(uid)
    if not reps:
        yield _finding(
            "distributor-without-reps",
            uid,
            f"distributor {label} has no sales reps assigned: assign the group's reps in the "
            "distributor's User Detail screen",
        )
    elif uid not in org.view.sharing:
        yield _finding(
            "shared-inventory-off",
            uid,
            f"distributor {label} does not share inventory: consider enabling shared inventory "
            "so its reps can use the stock in its custody without inter-field transfers",
        )
    if is_personal_email(user.email):
        yield _finding(
            "distributor-personal-email",
            uid,
            f"distributor {label} uses {user.email}, which looks like a personal address; a "
            "general company address (such as orders@ or customerservice@ on the company's own "
            "domain) keeps the group's data when staff change. The email cannot be changed: "
            "this needs a new distributor account",
        )


def _region_findings(org: Org) -> Iterator[Finding]:
    for rid in sorted(org.regions):
        region = org.regions[rid]
        if region.manager is None:
            members = org.view.members_of.get(rid, frozenset())
            who = f"its {len(members)} member(s)" if members else "anyone placed in it"
            label = f"{rid} ({region.name})" if region.name else rid
            yield _finding(
                "region-without-manager",
                rid,
                f"region {label} has no regional manager, so no manager oversees {who}; set one",
            )


def _item_findings(org: Org, items: Iterable[Any], on: _dt.date | None = None) -> Iterator[Finding]:
    view = org.view
    users = view.users
    for item in item_records(items).values():
        if _expired(item, on):
            assert item.expires is not None  # for mypy: expired() checked it
            yield _finding(
                "expired-item",
                item.id,
                f"item {item.id} (held by {item.custodian}) expired on "
                f"{item.expires.isoformat()}, before {on}: nobody may use it on a case; "
                "take it out of stock",
            )
        holder = item.custodian
        if holder == ORG_CUSTODY:
            continue
        user = users.get(holder)
        if user is None:
            yield _finding(
                "item-held-by-unknown-user",
                item.id,
                f"item {item.id} is held by {holder!r}, which is not a user of the organisation",
            )
        elif user.role not in HOLDERS:
            yield _finding(
                "item-held-by-non-holder",
                item.id,
                f"item {item.id} is held by {_label(user)}, a {user.role.value}, who cannot hold "
                "inventory; transfer it to a sales rep, a distributor or the organisation",
            )
        elif not user.active:
            # A deactivated distributor's shared pool is closed too: its reps may not use it.
            pool = (
                f"; its reps cannot use it from the shared pool while {holder} is deactivated"
                if holder in view.sharing and view.reps_of.get(holder)
                else ""
            )
            yield _finding(
                "item-held-by-deactivated-user",
                item.id,
                f"item {item.id} is held by {_label(user)}, who is deactivated and cannot hold "
                f"inventory{pool}; transfer it to an active user or the organisation",
            )
        elif item.active:
            distributor = view.distributor_of.get(holder)
            # A deactivated distributor holds nothing for the group: no advice to send it stock.
            if distributor is not None and _pools(view, distributor):
                yield _finding(
                    "item-held-by-rep-of-sharing-distributor",
                    item.id,
                    f"item {item.id} is held by rep {holder}, whose distributor {distributor} "
                    f"shares inventory: transfer it to {distributor} so the whole group can use "
                    f"it, unless it is meant for {holder} alone",
                )


def _group_of(org: Org, user_id: str) -> str | None:
    # The distributor group a case's people belong to: the distributor itself, or a rep's distributor.
    user = org.view.users.get(user_id)
    if user is not None and user.role is Role.DISTRIBUTOR:
        return user_id
    return org.view.distributor_of.get(user_id)


def _case_findings(org: Org, cases: Iterable[Any]) -> Iterator[Finding]:
    users = org.view.users
    for _row, case in case_records(cases):
        case_id, representative, sub_rep = case.id, case.representative, case.sub_rep
        unknown = [p for p in (representative, sub_rep) if p is not None and p not in users]
        if unknown:
            yield _finding(
                "case-unknown-user",
                case_id,
                f"case {case_id} names {', '.join(map(repr, unknown))}, who is not a user of "
                "the organisation",
            )
            continue
        if sub_rep is None:
            continue
        if not users[sub_rep].active:
            yield _finding(
                "sub-rep-inactive",
                case_id,
                f"case {case_id} has sub-rep {sub_rep}, who is deactivated; a sub-rep must be an "
                "active user",
            )
        group = _group_of(org, representative)
        if group is None or _group_of(org, sub_rep) != group:
            where_rep = f"the group of {group}" if group else "no distributor group"
            yield _finding(
                "sub-rep-outside-group",
                case_id,
                f"case {case_id} has sub-rep {sub_rep}, who is not in the same distributor "
                f"group as its representative {representative} ({where_rep}); a sub-rep must "
                "belong to the representative's group",
            )


def check_setup(
    org: Org,
    items: Iterable[Any] = (),
    *,
    cases: Iterable[Any] = (),
    on: _dt.date | None = None,
) -> list[Finding]:
    """Return every setup problem and piece of advice the setup guide implies for ``org``.

    Deactivated users are out of use and are checked only for what they still hold (a deactivated
    distributor that still has reps, items still in their custody). The checks are listed, each
    with the sentence of the guide it comes from, in the *Setup checks* page of the docs.

    Parameters
    ----------
    org : Org
        The organisation to check.
    items : iterable of InventoryItem, optional
        Inventory (or objects with ``id``, ``custodian`` and ``active``) to check custody of.
    cases : iterable of Case, optional
        Cases (or objects with ``id``, ``representative`` and ``sub_rep``) to check sub-reps of.
    on : datetime.date, optional
        The day to judge expiry on: an active item whose ``expires`` is before ``on`` is reported
        (``expired-item``). Without it expiry is not judged; the library never reads the clock.

    Returns
    -------
    list of Finding
        Errors first, then warnings, then advice; within a severity by code, then subject.

    Raises
    ------
    InvalidValueError
        If an item or case lacks a field or has an id that is not a string, or ``on`` is not a
        ``datetime.date``.

    Examples
    --------
    >>> import datetime
    >>> from beacon_org.testing import sample_org, sample_items
    >>> findings = bo.check_setup(sample_org(), sample_items())
    >>> [(f.code, f.subject) for f in findings if f.severity is bo.Severity.ERROR]
    [('item-held-by-deactivated-user', 'kit-gone')]
    >>> print(next(f.message for f in findings if f.code == "distributor-personal-email"))
    distributor dist-b (Bob Baker) uses bob.baker@gmail.com, which looks like a personal address; ...
    >>> later = bo.check_setup(sample_org(), sample_items(), on=datetime.date(2027, 1, 1))
    >>> [f.subject for f in later if f.code == "expired-item"]
    ['plate-a-old']
    """
    if not isinstance(org, Org):
        msg = f"check_setup() needs an Org (got {type(org).__name__})"
        raise InvalidValueError(msg, field="org", value=org)
    if on is not None:
        on = _check_on(on)
    findings = [
        *_user_findings(org),
        *_region_findings(org),
        *_item_findings(org, items, on),
        *_case_findings(org, cases),
    ]
    findings.sort(key=lambda f: (_RANK[f.severity], f.code, f.subject))
    return FindingList(findings)  # a list that shows itself as a table in a notebook


# --- readiness ------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ReadinessStep:
    """One step of the setup guide for a distributor group.

    ``name`` is a stable code (``accounts``, ``reps-assigned``, ``user-setup``,
    ``shared-inventory``, ``inventory``); ``detail`` says what was found or what is missing.

    Examples
    --------
    >>> from beacon_org.testing import sample_items, sample_org
    >>> step = bo.readiness(sample_org(), "dist-b", sample_items()).steps[0]
    >>> step.name, step.done
    ('accounts', True)
    >>> step.detail
    'distributor account dist-b (Bob Baker) on bob.baker@gmail.com'
    """

    name: str
    done: bool
    detail: str

    @property
    def title(self) -> str:
        """The step as the setup guide words it."""
        return READINESS_STEPS[self.name]


#: The guide's steps, in order, as the guide words them.
READINESS_STEPS: dict[str, str] = {
    "accounts": "Create the distributor account and sales user accounts",
    "reps-assigned": "Assign sales users to the distributor",
    "user-setup": 'Assign directory records and mark users "Training Complete"',
    "shared-inventory": "Decide on shared inventory",
    "inventory": "Transfer inventory to the group",
}


@attrs.frozen(kw_only=True, repr=False)
class Readiness:
    """A distributor group's progress through the setup guide.

    ``ready`` is true once every step is done: the group's users can be given access. ``advice``
    holds the guide's recommendations for the group; advice never blocks readiness.

    Examples
    --------
    >>> from beacon_org.testing import sample_org, sample_items
    >>> r = bo.readiness(sample_org(), "dist-a", sample_items())
    >>> r.ready, [s.name for s in r.steps]
    (True, ['accounts', 'reps-assigned', 'user-setup', 'shared-inventory', 'inventory'])
    >>> bo.readiness(sample_org(), "dist-b", sample_items())
    <Readiness dist-b: not ready, missing user-setup>
    """

    distributor: str
    steps: tuple[ReadinessStep, ...]
    advice: tuple[Finding, ...] = ()

    @property
    def ready(self) -> bool:
        """True when every step is done."""
        return all(step.done for step in self.steps)

    @property
    def missing(self) -> tuple[ReadinessStep, ...]:
        """The steps not done yet, in the guide's order."""
        return tuple(step for step in self.steps if not step.done)

    def __bool__(self) -> bool:
        return self.ready

    def __repr__(self) -> str:
        # The steps' details are long sentences: name what is missing, the table shows the rest.
        if self.ready:
            return f"<Readiness {self.distributor}: ready>"
        missing = ", ".join(step.name for step in self.missing)
        return f"<Readiness {self.distributor}: not ready, missing {missing}>"

    def _repr_html_(self) -> str:
        return readiness_html(self)


def _setup_gaps(user: User, distributor_id: str | None = None) -> list[str]:
    # ``distributor_id``: the user is a rep of that group, whose distributor enters its cases.
    gaps = []
    if user.locked:
        gaps.append('"Training Complete" not checked')
    if not user.directory_records:
        if not user.custodian_only:
            gaps.append("no directory records")
        elif distributor_id is not None:
            gaps.append(f"no directory records, so {distributor_id} cannot enter its cases")
    return gaps


def readiness(
    org: Org, distributor_id: str, items: Iterable[Any] = (), *, on: _dt.date | None = None
) -> Readiness:
    """Return how far the group of ``distributor_id`` is through the setup guide's steps.

    The steps, in the guide's order: the distributor account is active and able to act
    (``accounts``); at least one active sales rep is assigned (``reps-assigned``); the distributor
    and every active rep have directory records and Training Complete (``user-setup``; a
    custodian-only rep needs the records too, as its distributor enters its cases); shared
    inventory is decided: always done, the detail says which way (``shared-inventory``); the
    group (the distributor or its active reps) holds at least one active item (``inventory``),
    unexpired on ``on`` when a date is given.
    Deactivated reps are left out of the group's steps.

    Parameters
    ----------
    org : Org
        The organisation.
    distributor_id : str
        The distributor account whose group is checked.
    items : iterable of InventoryItem, optional
        Inventory (or objects with ``id``, ``custodian`` and ``active``).
    on : datetime.date, optional
        The day to judge expiry on: an item whose ``expires`` is before it is not usable stock.
        Without it expiry is not judged.

    Returns
    -------
    Readiness

    Raises
    ------
    UnknownUserError
        If ``distributor_id`` names no user.
    RoleError
        If the user is not a distributor.
    InvalidValueError
        If an item lacks a field or has an id that is not a string, or ``on`` is not a date.

    Examples
    --------
    >>> from beacon_org.testing import sample_org, sample_items
    >>> r = bo.readiness(sample_org(), "dist-b", sample_items())
    >>> r.ready, [s.name for s in r.missing]
    (False, ['user-setup'])
    >>> print(r.missing[0].detail)
    rep-new (Nina New): "Training Complete" not checked, no directory records
    """
    distributor = org.user(distributor_id)
    if distributor.role is not Role.DISTRIBUTOR:
        msg = (
            f"{distributor_id!r} is a {distributor.role.value}, not a distributor: readiness is "
            "checked per distributor group"
        )
        raise RoleError(msg)
    if on is not None:
        on = _check_on(on)
    view = org.view
    group = {
        distributor_id,
        *(r for r in view.reps_of.get(distributor_id, ()) if view.users[r].active),
    }
    return _group_readiness(org, distributor, _index_items(items, group), on)


def readiness_of_every_group(
    org: Org, items: Iterable[Any] = (), *, on: _dt.date | None = None
) -> list[Readiness]:
    # readiness() of every distributor, sorted by id, from one pass over ``items``: the items are
    # indexed by custodian once and each group reads only the items its members hold, so the cost
    # follows users plus items, not distributors times items. No distributors: the items are not
    # read (as asking readiness of nobody never did).
    if on is not None:
        on = _check_on(on)
    distributors = sorted(org.distributors)
    if not distributors:
        return []
    users = org.view.users
    # Only the items of a group's members are kept (held by the org or by others, none is read).
    holders = {*distributors, *org.view.distributor_of}
    index = _index_items(items, holders)
    return [_group_readiness(org, users[d], index, on) for d in distributors]


# The active items of each custodian, each with its place in the caller's iterable.
_ItemsByHolder = dict[str, list[tuple[int, InventoryItem]]]


def _index_items(items: Iterable[Any], holders: Collection[str]) -> _ItemsByHolder:
    # Every item is read (and checked); only the active items of ``holders`` are kept.
    index: _ItemsByHolder = {}
    for position, item in enumerate(item_records(items).values()):
        if item.active and item.custodian in holders:
            index.setdefault(item.custodian, []).append((position, item))
    return index


def _group_readiness(
    org: Org, distributor: User, index: _ItemsByHolder, on: _dt.date | None
) -> Readiness:
    distributor_id = distributor.id
    users = org.view.users
    all_reps = [users[r] for r in sorted(org.view.reps_of.get(distributor_id, frozenset()))]
    active = [rep for rep in all_reps if rep.active]
    reps = [rep.id for rep in active]
    gone = [rep.id for rep in all_reps if not rep.active]
    steps = [
        _accounts_step(distributor),
        _reps_step(distributor_id, reps, gone),
        _user_setup_step(distributor, active),
        _sharing_step(org, distributor_id),
    ]
    # The group's active items in the caller's order (the advice lists them in that order).
    group_items = [entry for member in (distributor_id, *reps) for entry in index.get(member, ())]
    group_items.sort(key=lambda entry: entry[0])
    held = []
    expired = []
    advice = [f for f in _distributor_findings(org, distributor) if f.severity is Severity.ADVICE]
    sharing = distributor_id in org.view.sharing
    for _, item in group_items:
        if _expired(item, on):
            expired.append(item.id)
            continue
        held.append(item)
        if sharing and item.custodian != distributor_id:
            advice.append(
                _finding(
                    "item-held-by-rep-of-sharing-distributor",
                    item.id,
                    f"item {item.id} is held by rep {item.custodian}: transfer it to "
                    f"{distributor_id} so the whole group can use it, unless it is meant "
                    f"for {item.custodian} alone",
                )
            )
    steps.append(_inventory_step(distributor_id, held, expired, on))
    return Readiness(distributor=distributor_id, steps=tuple(steps), advice=tuple(advice))


def _accounts_step(distributor: User) -> ReadinessStep:
    label = _label(distributor)
    if not distributor.active:
        return ReadinessStep(
            name="accounts", done=False, detail=f"distributor {label} is deactivated"
        )
    if distributor.custodian_only:
        return ReadinessStep(
            name="accounts",
            done=False,
            detail=f"distributor {label} is custodian-only and cannot act for the group",
        )
    return ReadinessStep(
        name="accounts", done=True, detail=f"distributor account {label} on {distributor.email}"
    )


def _reps_step(distributor_id: str, reps: list[str], gone: list[str]) -> ReadinessStep:
    left_out = f"; deactivated and left out: {', '.join(gone)}" if gone else ""
    if not reps:
        return ReadinessStep(
            name="reps-assigned",
            done=False,
            detail=f"no active sales rep is assigned to {distributor_id}{left_out}",
        )
    return ReadinessStep(
        name="reps-assigned",
        done=True,
        detail=f"{len(reps)} rep(s): {', '.join(reps)}{left_out}",
    )


def _user_setup_step(distributor: User, reps: list[User]) -> ReadinessStep:
    missing = []
    for user in (distributor, *reps):
        gaps = _setup_gaps(user, None if user is distributor else distributor.id)
        if gaps:
            missing.append(f"{_label(user)}: {', '.join(gaps)}")
    if missing:
        return ReadinessStep(name="user-setup", done=False, detail="; ".join(missing))
    return ReadinessStep(
        name="user-setup",
        done=True,
        detail=f"all {len(reps) + 1} user(s) have directory records and Training Complete",
    )


def _sharing_step(org: Org, distributor_id: str) -> ReadinessStep:
    # The org records the setting, not whether it was considered: either value is a decision.
    if distributor_id in org.view.sharing:
        detail = f"on: the reps use the inventory in {distributor_id}'s custody"
    else:
        detail = "off: each rep uses only the inventory in its own custody"
    return ReadinessStep(name="shared-inventory", done=True, detail=detail)


def _inventory_step(
    distributor_id: str, held: list[InventoryItem], expired: list[str], on: _dt.date | None
) -> ReadinessStep:
    left_out = (
        f"; expired before {on} and not counted: {', '.join(sorted(expired))}" if expired else ""
    )
    if not held:
        what = "no unexpired active item" if on is not None else "no active item"
        return ReadinessStep(
            name="inventory",
            done=False,
            detail=f"the group holds {what}: transfer inventory to {distributor_id}{left_out}",
        )
    holders = sorted({item.custodian for item in held})
    return ReadinessStep(
        name="inventory",
        done=True,
        detail=f"{len(held)} active item(s) held by {', '.join(holders)}{left_out}",
    )
