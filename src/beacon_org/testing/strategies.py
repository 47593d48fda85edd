"""Hypothesis strategies for valid orgs, cases, inventory items and changes (needs ``hypothesis``).

Every org is built through the public change methods, so it is valid by construction; cases and
items name the org's users. Examples shrink towards small orgs: fewer users (so fewer distributor
groups) first, then fewer regions, then trained, active, ordinary users.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .._changes import Change
from .._errors import InvalidValueError
from .._model import ORG_CUSTODY, Case, CaseStatus, InventoryItem, Role, to_role
from .._org import Org

__all__ = [
    "DIRECTORY_RECORDS",
    "FACILITIES",
    "InvalidStrategyArgument",
    "cases",
    "changes",
    "items",
    "orgs",
]

#: The facilities cases and facility managers are drawn from (small, so that they meet).
FACILITIES = ("mercy-general", "st-lukes", "county-ortho")
#: The directory records users are given (facilities, a physician, a manufacturer).
DIRECTORY_RECORDS = (*FACILITIES, "dr-okafor", "stryde-implants")

_STATES = ("CA", "OR", "TX", "NY", "NJ", "MA")
_FIRST_DAY = _dt.date(2025, 1, 1)
_LAST_DAY = _dt.date(2028, 12, 31)
# Sales first: a failing example shrinks towards reps, the commonest users. Repeats weight the draw.
_ROLE_ORDER: tuple[Role, ...] = (
    Role.SALES,
    Role.DISTRIBUTOR,
    Role.SALES,
    Role.REGIONAL_MANAGER,
    Role.SALES,
    Role.DISTRIBUTOR,
    Role.FACILITY_MANAGER,
    Role.ADMIN,
    Role.OPERATIONS,
    Role.PRIMARY_ADMIN,
)
_PREFIX = {
    Role.PRIMARY_ADMIN: "owner",
    Role.ADMIN: "admin",
    Role.OPERATIONS: "ops",
    Role.REGIONAL_MANAGER: "rm",
    Role.DISTRIBUTOR: "dist",
    Role.SALES: "rep",
    Role.FACILITY_MANAGER: "fm",
}
# A distributor on a shared company address or on a personal one (setup checks tell them apart).
_DOMAINS = ("acme-ortho.example", "bakermed.example", "gmail.com")


class InvalidStrategyArgument(InvalidValueError, InvalidArgument):
    """A strategy got an argument it cannot use.

    Both a :class:`beacon_org.InvalidValueError` and hypothesis' ``InvalidArgument``, so either
    ``except`` catches it.

    Examples
    --------
    >>> from hypothesis.errors import InvalidArgument
    >>> from beacon_org.testing.strategies import orgs
    >>> try:
    ...     orgs(max_users=-1)
    ... except InvalidArgument as error:
    ...     print(error)
    max_users=-1 must be a non-negative int
    """


def _fail(msg: str, field: str, value: object) -> InvalidStrategyArgument:
    return InvalidStrategyArgument(msg, field=field, value=value)


def _check_count(name: str, value: object) -> int:
    if type(value) is not int or value < 0:
        raise _fail(f"{name}={value!r} must be a non-negative int", name, value)
    return value


def _check_org(org: object) -> Org:
    if not isinstance(org, Org):
        raise _fail(f"expected a beacon_org.Org (got {org!r})", "org", org)
    return org


def _sometimes(one_in: int) -> st.SearchStrategy[bool]:
    # True about once in ``one_in`` draws; shrinks to False.
    return st.integers(0, one_in - 1).map(lambda n: n == one_in - 1)


def _maybe(choices: Iterable[str]) -> st.SearchStrategy[str | None]:
    # None first, so a failing example shrinks towards "not set".
    pool = sorted(choices)
    if not pool:
        return st.none()
    return st.none() | st.sampled_from(pool)


# Built once: making strategies inside a draw costs more than drawing from them.
_LOCKED = _sometimes(4)
_INACTIVE = _sometimes(6)
_CUSTODIAN_ONLY = _sometimes(8)
_SHOUTED = _sometimes(5)
_TRANSFERS_OFF = _sometimes(4)
_ON_HOLD = _sometimes(6)
_DOMAIN = st.sampled_from(_DOMAINS)
_FM_FACILITIES = st.frozensets(st.sampled_from(FACILITIES), min_size=1, max_size=2)
_RECORDS = st.frozensets(st.sampled_from(DIRECTORY_RECORDS), max_size=3)
_REGION_STATES = st.frozensets(st.sampled_from(_STATES), max_size=2)
# A link to another record (a user's region or distributor, a region's manager) is drawn with the
# record that holds it, as a slot taken modulo the number of candidates, or None one time in three.
# Drawing it there, rather than from the final list of candidates, lets the shrinker delete a user
# without changing what every other user is linked to.
_SLOT = st.one_of(st.none(), st.integers(0, 7), st.integers(0, 7))


def _pick(slot: int | None, candidates: list[str]) -> str | None:
    return None if slot is None or not candidates else candidates[slot % len(candidates)]


@st.composite
def _user_spec(draw: st.DrawFn, roles: st.SearchStrategy[Role]) -> dict[str, Any]:
    # Every field is drawn whatever the role, so that all users take the same shape of choices:
    # the shrinker then deletes and aligns users far better than with role-dependent draws.
    role = draw(roles)
    spec: dict[str, Any] = {
        "role": role,
        "locked": draw(_LOCKED),
        "inactive": draw(_INACTIVE),
        "custodian_only": draw(_CUSTODIAN_ONLY) and role.can_hold_inventory,
        "domain": draw(_DOMAIN),
        "shouted_email": draw(_SHOUTED),
        "records": draw(_RECORDS),
        "shares": draw(st.booleans()) and role is Role.DISTRIBUTOR,
    }
    facilities = draw(_FM_FACILITIES)
    region = draw(_SLOT)
    distributor = draw(_SLOT)
    spec["facilities"] = facilities if role is Role.FACILITY_MANAGER else frozenset()
    spec["region"] = region if role.has_region else None
    spec["distributor"] = distributor if role is Role.SALES else None
    return spec


_REGION_SPEC = st.tuples(_SLOT, _REGION_STATES)


@st.composite
def _orgs(
    draw: st.DrawFn, min_users: int, max_users: int, max_regions: int, roles: tuple[Role, ...]
) -> Org:
    role_choices = st.sampled_from(roles) if roles else st.nothing()
    specs = draw(st.lists(_user_spec(role_choices), min_size=min_users, max_size=max_users))
    region_specs = draw(st.lists(_REGION_SPEC, max_size=max_regions))
    reopen = draw(st.booleans())
    no_field_transfers = draw(_TRANSFERS_OFF)
    org = Org()
    ids: list[str] = []
    by_role: dict[Role, list[str]] = {role: [] for role in Role}
    for spec in specs:
        role: Role = spec["role"]
        # Numbered within the role, so deleting a user of one role renames no other user.
        user_id = f"{_PREFIX[role]}-{len(by_role[role])}"
        local = user_id.upper() if spec["shouted_email"] else user_id
        org = org.add_user(
            user_id,
            email=f"{local}@{spec['domain']}",
            role=role,
            name=user_id.replace("-", " ").title(),
            facilities=spec["facilities"],
            custodian_only=spec["custodian_only"],
            training_complete=not spec["locked"],
        )
        if spec["records"]:
            org = org.assign_directory_records(user_id, spec["records"])
        ids.append(user_id)
        by_role[role].append(user_id)
    region_ids = [f"region-{n}" for n in range(len(region_specs))]
    for region_id, (manager_slot, states) in zip(region_ids, region_specs, strict=True):
        org = org.add_region(
            region_id,
            name=region_id.title(),
            states=states,
            manager=_pick(manager_slot, by_role[Role.REGIONAL_MANAGER]),
        )
    for user_id, spec in zip(ids, specs, strict=True):
        region = _pick(spec["region"], region_ids)
        if region is not None:
            org = org.set_region(user_id, region)
        distributor = _pick(spec["distributor"], by_role[Role.DISTRIBUTOR])
        if distributor is not None:
            org = org.assign_rep(user_id, distributor)
        if spec["shares"]:
            org = org.set_shared_inventory(user_id, True)
    # Deactivated last, as in the product: a user leaves after its groups were set up.
    for user_id, spec in zip(ids, specs, strict=True):
        if spec["inactive"]:
            org = org.deactivate(user_id)
    if reopen:
        org = org.configure(field_users_can_reopen_cases=True)
    if no_field_transfers:
        org = org.configure(field_users_can_transfer=False)
    return org


def orgs(
    *,
    min_users: int = 0,
    max_users: int = 20,
    max_regions: int = 4,
    roles: Iterable[Role | str] | None = None,
) -> st.SearchStrategy[Org]:
    """Return a strategy for valid orgs, built through the public change methods.

    The orgs hold users of every role (or only ``roles``), regions with and without a manager, one
    or more distributor groups with sharing on or off, reps in no group, locked (not yet trained),
    deactivated and custodian-only users, directory records, facility managers' facilities from
    :data:`FACILITIES`, the ``field_users_can_reopen_cases`` setting on or off, and now and then
    ``field_users_can_transfer`` off (it is on by default). User ids read
    as their role and are numbered within it (``rep-0``, ``rep-1``, ``dist-0``, ``rm-0``,
    ``fm-0``, ``admin-0``, ``ops-0``, ``owner-0``); region ids are ``region-0``, ``region-1``, ...

    Failing examples shrink towards fewer users (and so fewer distributor groups), fewer regions,
    and users that are trained, active and not custodian-only.

    Parameters
    ----------
    min_users, max_users : int
        Bounds on the number of users.
    max_regions : int
        The most regions an org has.
    roles : iterable of Role or str, optional
        The roles users are drawn from (default: every role).

    Raises
    ------
    InvalidStrategyArgument
        At once, for a negative or non-int bound, ``min_users > max_users``, an unknown role, or
        an empty ``roles`` with ``max_users > 0``.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from beacon_org.testing.strategies import orgs
    >>> @settings(max_examples=20)
    ... @given(orgs(min_users=3, max_users=5))
    ... def test_every_rep_has_at_most_one_distributor(org):
    ...     assert 3 <= len(org.users) <= 5
    ...     for distributor in org.distributors:
    ...         assert all(org.distributor_of(rep) == distributor for rep in org.reps_of(distributor))
    >>> test_every_rep_has_at_most_one_distributor()
    >>> orgs(min_users=4, max_users=2)
    Traceback (most recent call last):
    ...
    beacon_org.testing.strategies.InvalidStrategyArgument: min_users=4 is more than max_users=2
    """
    _check_count("min_users", min_users)
    _check_count("max_users", max_users)
    _check_count("max_regions", max_regions)
    if min_users > max_users:
        msg = f"min_users={min_users} is more than max_users={max_users}"
        raise _fail(msg, "min_users", min_users)
    if roles is None:
        pool = _ROLE_ORDER
    else:
        if isinstance(roles, str):
            raise _fail(f"roles must be a collection of roles (got {roles!r})", "roles", roles)
        try:
            wanted = {to_role(r) for r in roles}
        except InvalidValueError as exc:
            raise _fail(str(exc), "roles", roles) from None
        pool = tuple(r for r in dict.fromkeys(_ROLE_ORDER) if r in wanted)
        if not pool and max_users > 0:
            raise _fail("roles is empty: no user can be drawn", "roles", roles)
    return _orgs(min_users, max_users, max_regions, pool)


def cases(
    org: Org, *, statuses: Iterable[CaseStatus | str] | None = None
) -> st.SearchStrategy[Case]:
    """Return a strategy for cases on ``org``: the representative and sub-rep are its users.

    The representative is most often a sales or distributor user but may be anyone; the sub-rep,
    when there is one, is another user (often one of the same distributor group); the facility is
    drawn from :data:`FACILITIES`, which facility managers also use; the status is any status (or
    one of ``statuses``). Case ids are ``c-0`` to ``c-999``: draw a list with
    ``st.lists(cases(org), unique_by=lambda c: c.id)``.

    An org without users has no cases: the strategy is then ``st.nothing()``.

    Raises
    ------
    InvalidStrategyArgument
        At once, if ``org`` is not an ``Org`` or a status is not a case status.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from beacon_org.testing import sample_org
    >>> from beacon_org.testing.strategies import cases
    >>> org = sample_org()
    >>> @settings(max_examples=20)
    ... @given(cases(org))
    ... def test_cases_name_org_users(case):
    ...     assert case.representative in org.users and case.sub_rep in {None, *org.users}
    >>> test_cases_name_org_users()
    """
    org = _check_org(org)
    if statuses is None:
        status_pool = tuple(CaseStatus)
    else:
        try:
            status_pool = tuple(dict.fromkeys(CaseStatus(s) for s in statuses))
        except ValueError:
            raise _fail(f"statuses={statuses!r} holds a non-status", "statuses", statuses) from None
        if not status_pool:
            raise _fail("statuses is empty", "statuses", statuses)
    user_ids = sorted(org.users)
    if not user_ids:
        return st.nothing()
    field = [u for u in user_ids if org.users[u].role in (Role.SALES, Role.DISTRIBUTOR)]
    representatives = (
        st.sampled_from(field) | st.sampled_from(user_ids) if field else st.sampled_from(user_ids)
    )
    return _cases(org, representatives, status_pool)


def _group_of(org: Org, user_id: str) -> frozenset[str]:
    distributor = org.distributor_of(user_id) or (
        user_id if org.users[user_id].role is Role.DISTRIBUTOR else None
    )
    if distributor is None:
        return frozenset()
    return org.reps_of(distributor) | {distributor}


@st.composite
def _cases(
    draw: st.DrawFn,
    org: Org,
    representatives: st.SearchStrategy[str],
    statuses: tuple[CaseStatus, ...],
) -> Case:
    case_id = f"c-{draw(st.integers(0, 999))}"
    representative = draw(representatives)
    others = sorted(set(org.users) - {representative})
    same_group = sorted(_group_of(org, representative) - {representative})
    sub_rep_choices: st.SearchStrategy[str | None] = st.none()
    if same_group:
        sub_rep_choices |= st.sampled_from(same_group)
    if others:
        sub_rep_choices |= st.sampled_from(others)
    return Case(
        case_id,
        representative,
        sub_rep=draw(sub_rep_choices),
        facility=draw(_maybe(FACILITIES)),
        status=draw(st.sampled_from(statuses)),
    )


def items(org: Org, *, holders_only: bool = False) -> st.SearchStrategy[InventoryItem]:
    """Return a strategy for inventory items held by ``org``'s users or by ``ORG_CUSTODY``.

    By default the custodian may be any user, including ones that cannot hold inventory (regional
    managers, back office, deactivated users), so that rules can be tested on bad data too; with
    ``holders_only=True`` it is an active user whose role may hold inventory, or ``ORG_CUSTODY``.
    About one item in five is inactive and one in six on hold; expiry dates fall between 2025 and
    2028, or are absent.
    Item ids are ``i-0`` to ``i-999``: draw a list with
    ``st.lists(items(org), unique_by=lambda i: i.id)``.

    Raises
    ------
    InvalidStrategyArgument
        At once, if ``org`` is not an ``Org`` or ``holders_only`` is not a bool.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from beacon_org.testing.strategies import items
    >>> @settings(max_examples=20)
    ... @given(items(bo.Org(), holders_only=True))
    ... def test_an_empty_org_holds_everything_itself(item):
    ...     assert item.custodian == bo.ORG_CUSTODY
    >>> test_an_empty_org_holds_everything_itself()
    """
    org = _check_org(org)
    if type(holders_only) is not bool:
        raise _fail(
            f"holders_only must be True or False (got {holders_only!r})",
            "holders_only",
            holders_only,
        )
    custodians = [
        u.id
        for u in org.users.values()
        if not holders_only or (u.active and u.role.can_hold_inventory)
    ]
    return st.builds(
        InventoryItem,
        st.integers(0, 999).map(lambda n: f"i-{n}"),
        st.sampled_from([ORG_CUSTODY, *sorted(custodians)]),
        active=_sometimes(5).map(lambda inactive: not inactive),
        expires=st.none() | st.dates(_FIRST_DAY, _LAST_DAY),
        on_hold=_ON_HOLD,
    )


def changes(org: Org) -> st.SearchStrategy[Change]:
    """Return a strategy for changes that ``org`` accepts: applying one never raises.

    Every change method is drawn from whenever the org allows it: new users of every role (fresh
    ids and emails), new regions, region and manager moves, group assignments and removals,
    sharing on and off, Training Complete, directory records, deactivation and reactivation,
    custodian-only on and off, operations users promoted to admin, and both settings. A change may leave the org as it was (deactivating a
    deactivated user is allowed).

    Raises
    ------
    InvalidStrategyArgument
        At once, if ``org`` is not an ``Org``.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> from beacon_org.testing import sample_org
    >>> from beacon_org.testing.strategies import changes
    >>> org = sample_org()
    >>> @settings(max_examples=20)
    ... @given(changes(org))
    ... def test_changes_apply(change):
    ...     assert change.apply(org).users.keys() >= org.users.keys()
    >>> test_changes_apply()
    """
    org = _check_org(org)
    users = org.users
    by_role = {role: sorted(u for u, user in users.items() if user.role is role) for role in Role}
    user_ids = sorted(users)
    region_ids = sorted(org.regions)
    taken = set(users) | set(org.regions)
    n = len(taken)
    fresh_user = (
        st.integers(n, n + 50).map(lambda k: f"new-user-{k}").filter(lambda u: u not in taken)
    )
    fresh_region = (
        st.integers(n, n + 50).map(lambda k: f"new-region-{k}").filter(lambda r: r not in taken)
    )
    options: list[st.SearchStrategy[Change]] = [
        st.builds(
            _add_user, fresh_user, st.sampled_from(tuple(Role)), _maybe(region_ids), st.just(org)
        ),
        st.builds(
            lambda rid, manager, states: Change(
                "add_region", (rid,), {"name": rid.title(), "states": states, "manager": manager}
            ),
            fresh_region,
            _maybe(by_role[Role.REGIONAL_MANAGER]),
            st.frozensets(st.sampled_from(_STATES), max_size=2),
        ),
        st.builds(
            lambda name, v: Change("configure", (), {name: v}),
            st.sampled_from(("field_users_can_reopen_cases", "field_users_can_transfer")),
            st.booleans(),
        ),
    ]
    if by_role[Role.OPERATIONS]:
        options.append(
            st.sampled_from(by_role[Role.OPERATIONS]).map(
                lambda u: Change("promote_to_admin", (u,))
            )
        )
    if user_ids:
        any_user = st.sampled_from(user_ids)
        records = st.frozensets(st.sampled_from(DIRECTORY_RECORDS), max_size=2)
        options += [
            any_user.map(lambda u: Change("complete_training", (u,))),
            any_user.map(lambda u: Change("deactivate", (u,))),
            any_user.map(lambda u: Change("reactivate", (u,))),
            st.builds(lambda u, r: Change("assign_directory_records", (u, r)), any_user, records),
            st.builds(lambda u, r: Change("remove_directory_records", (u, r)), any_user, records),
            st.builds(
                lambda u, name: Change("update_user", (u,), {"name": name}),
                any_user,
                st.sampled_from(("", "Pat", "Sam Solo")),
            ),
        ]
    holders = sorted(u for u, user in users.items() if user.role.can_hold_inventory)
    if holders:
        options.append(
            st.builds(
                lambda u, on: Change("update_user", (u,), {"custodian_only": on}),
                st.sampled_from(holders),
                st.booleans(),
            )
        )
    field = by_role[Role.SALES] + by_role[Role.DISTRIBUTOR]
    if field:
        options.append(
            st.builds(
                lambda u, r: Change("set_region", (u, r)),
                st.sampled_from(field),
                _maybe(region_ids),
            )
        )
    if region_ids:
        options.append(
            st.builds(
                lambda r, m: Change("set_region_manager", (r, m)),
                st.sampled_from(region_ids),
                _maybe(by_role[Role.REGIONAL_MANAGER]),
            )
        )
    if by_role[Role.DISTRIBUTOR]:
        distributors = st.sampled_from(by_role[Role.DISTRIBUTOR])
        options.append(
            st.builds(
                lambda d, on: Change("set_shared_inventory", (d, on)), distributors, st.booleans()
            )
        )
        free_reps = [r for r in by_role[Role.SALES] if org.distributor_of(r) is None]
        if free_reps:
            options.append(
                st.builds(
                    lambda r, d: Change("assign_rep", (r, d)),
                    st.sampled_from(free_reps),
                    distributors,
                )
            )
    grouped = [r for r in by_role[Role.SALES] if org.distributor_of(r) is not None]
    if grouped:
        options.append(st.sampled_from(grouped).map(lambda r: Change("unassign_rep", (r,))))
    return st.one_of(options)


def _add_user(user_id: str, role: Role, region: str | None, org: Org) -> Change:
    emails = {u.email for u in org.users.values()}
    email = f"{user_id}@new.example"
    while email in emails:  # only when an earlier user took this address on purpose
        email = "x" + email
    kwargs: dict[str, Any] = {"email": email, "role": role.value}
    if role.has_region and region is not None:
        kwargs["region"] = region
    if role is Role.FACILITY_MANAGER:
        kwargs["facilities"] = (FACILITIES[0],)
    return Change("add_user", (user_id,), kwargs)
