"""The testing kit's strategies: only valid data, varied enough to reach every rule, shrinking small."""

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import beacon_org as bo
from beacon_org.testing import CHANGE_METHODS, Change, sample_org
from beacon_org.testing.strategies import (
    FACILITIES,
    InvalidStrategyArgument,
    cases,
    changes,
    items,
    orgs,
)

# find() searches for an example; give it room, since some features need several users at once.
# No shrinking: these tests ask whether a feature is reached, not for its smallest example.
_SEARCH = settings(
    max_examples=2000,
    database=None,
    suppress_health_check=list(HealthCheck),
    deadline=None,
    phases=[Phase.generate],
)
_SHRINK = settings(_SEARCH, phases=[Phase.generate, Phase.shrink])


def _found(strategy: st.SearchStrategy[object], condition: Callable[[object], bool]) -> object:
    return find(strategy, condition, settings=_SEARCH)


# --- orgs --------------------------------------------------------------------------------------


@given(orgs())
def test_orgs_are_valid_and_survive_the_data_format(org: bo.Org) -> None:
    # from_dict re-checks every rule, so a round trip proves the org is valid.
    assert bo.from_dict(bo.to_dict(org)) == org
    assert len(org.users) <= 20
    assert len(org.regions) <= 4


@given(orgs(min_users=2, max_users=4, max_regions=1))
def test_orgs_respect_their_bounds(org: bo.Org) -> None:
    assert 2 <= len(org.users) <= 4
    assert len(org.regions) <= 1


@given(orgs(roles=["sales", bo.Role.DISTRIBUTOR], max_users=6))
def test_orgs_draw_only_the_roles_asked_for(org: bo.Org) -> None:
    assert {u.role for u in org.users.values()} <= {bo.Role.SALES, bo.Role.DISTRIBUTOR}


def _some_user(predicate: Callable[[bo.User], bool]) -> Callable[[object], bool]:
    def check(org: object) -> bool:
        assert isinstance(org, bo.Org)
        return any(predicate(u) for u in org.users.values())

    return check


def _rep_apart_from_distributor(org: bo.Org) -> bool:
    for rep, user in org.users.items():
        distributor = org.distributor_of(rep) if user.role is bo.Role.SALES else None
        if distributor and user.region and org.users[distributor].region not in {None, user.region}:
            return True
    return False


VARIETY: dict[str, Callable[[bo.Org], bool]] = {
    "two groups, one sharing and one not": lambda o: (
        len([d for d in o.distributors if o.reps_of(d)]) >= 2
        and len({o.shares_inventory(d) for d in o.distributors if o.reps_of(d)}) == 2
    ),
    "a region with a manager": lambda o: any(r.manager for r in o.regions.values()),
    "a region without a manager": lambda o: any(r.manager is None for r in o.regions.values()),
    "a manager of two regions": lambda o: any(
        len(o.managed_regions(u)) >= 2 for u in o.users if o.users[u].role == "regional_manager"
    ),
    "a rep in no group": lambda o: any(
        u.role is bo.Role.SALES and o.distributor_of(u.id) is None for u in o.users.values()
    ),
    "a rep in another region than its distributor": _rep_apart_from_distributor,
    "a locked user": _some_user(lambda u: u.locked),
    "a deactivated user": _some_user(lambda u: not u.active),
    "a custodian-only user": _some_user(lambda u: u.custodian_only),
    "a facility manager with facilities": _some_user(
        lambda u: u.role is bo.Role.FACILITY_MANAGER and bool(u.facilities)
    ),
    "a distributor on a personal email": _some_user(
        lambda u: u.role is bo.Role.DISTRIBUTOR and u.email.endswith("@gmail.com")
    ),
    "reopening by field users on": lambda o: o.settings.field_users_can_reopen_cases,
    "transfers by field users off": lambda o: not o.settings.field_users_can_transfer,
    "a deactivated distributor sharing with reps": lambda o: any(
        not o.users[d].active and o.shares_inventory(d) and o.reps_of(d) for d in o.distributors
    ),
    **{
        f"a {role.value}": _some_user(lambda u, role=role: u.role is role)  # type: ignore[misc]
        for role in bo.Role
    },
}


@pytest.mark.parametrize("feature", sorted(VARIETY))
def test_orgs_reach_every_feature(feature: str) -> None:
    condition = VARIETY[feature]
    org = _found(orgs(), lambda o: condition(o))  # type: ignore[arg-type]
    assert condition(org)  # type: ignore[arg-type]


def test_orgs_shrink_towards_fewer_users_and_groups() -> None:
    # The smallest org with a shared group is a distributor and one rep. Hypothesis' shrinker does
    # not always delete every bystander from a list of wide records, so allow one spare user.
    org = find(
        orgs(),
        lambda o: any(o.shares_inventory(d) and o.reps_of(d) for d in o.distributors),
        settings=_SHRINK,
    )
    assert isinstance(org, bo.Org)
    assert len(org.users) <= 3
    assert len(org.distributors) == 1
    assert not org.regions
    # A failing example that needs a rep shrinks to a single trained, active, ordinary rep.
    rep = find(orgs(), _some_user(lambda u: u.role is bo.Role.SALES), settings=_SHRINK)
    assert isinstance(rep, bo.Org)
    (user,) = rep.users.values()
    assert user.training_complete
    assert user.active
    assert not user.custodian_only
    assert not user.directory_records
    # Two groups shrink to two distributors with no reps, regions or settings.
    two = find(orgs(), lambda o: len(o.distributors) >= 2, settings=_SHRINK)
    assert isinstance(two, bo.Org)
    assert len(two.users) <= 3
    assert not any(two.reps_of(d) for d in two.distributors)
    assert two.settings == bo.OrgSettings()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"min_users": -1}, "min_users"),
        ({"max_users": 1.5}, "max_users"),
        ({"max_regions": True}, "max_regions"),
        ({"min_users": 3, "max_users": 2}, "min_users"),
        ({"roles": "sales"}, "roles"),
        ({"roles": ["wizard"]}, "roles"),
        ({"roles": []}, "roles"),
    ],
)
def test_orgs_reject_bad_arguments_at_once(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidStrategyArgument) as raised:
        orgs(**kwargs)  # type: ignore[arg-type]
    assert raised.value.field == field
    assert isinstance(raised.value, InvalidArgument)
    assert isinstance(raised.value, bo.OrgError)


def test_orgs_without_roles_may_still_be_empty() -> None:
    assert find(orgs(roles=[], max_users=0), lambda o: True) == bo.Org()


# --- cases -------------------------------------------------------------------------------------


@given(st.data())
def test_cases_name_the_orgs_users(data: st.DataObject) -> None:
    org = data.draw(orgs(min_users=1))
    case = data.draw(cases(org))
    assert case.representative in org.users
    assert case.sub_rep is None or (
        case.sub_rep in org.users and case.sub_rep != case.representative
    )
    assert case.facility is None or case.facility in FACILITIES


@given(cases(sample_org(), statuses=["paid", bo.CaseStatus.CLOSED]))
def test_cases_keep_to_the_statuses_asked_for(case: bo.Case) -> None:
    assert case.status in {bo.CaseStatus.PAID, bo.CaseStatus.CLOSED}


def test_cases_reach_sub_reps_of_the_same_group_and_every_status() -> None:
    org = sample_org()
    same = _found(
        cases(org),
        lambda c: (
            c.sub_rep is not None  # type: ignore[attr-defined]
            and org.distributor_of(c.sub_rep) == org.distributor_of(c.representative) is not None
        ),  # type: ignore[attr-defined]
    )
    assert isinstance(same, bo.Case)
    assert {
        _found(cases(org), lambda c, s=s: c.status is s).status  # type: ignore[attr-defined,misc]
        for s in bo.CaseStatus
    } == set(bo.CaseStatus)
    fm_case = _found(cases(org), lambda c: c.facility in org.users["fm-mercy"].facilities)  # type: ignore[attr-defined]
    assert isinstance(fm_case, bo.Case)


def test_cases_of_an_org_without_users_are_empty() -> None:
    assert cases(bo.Org()).is_empty


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: cases("org"), "org"),  # type: ignore[arg-type]
        (lambda: cases(bo.Org(), statuses=["lost"]), "statuses"),
        (lambda: cases(bo.Org(), statuses=[]), "statuses"),
        (lambda: items(None), "org"),  # type: ignore[arg-type]
        (lambda: items(bo.Org(), holders_only="yes"), "holders_only"),  # type: ignore[arg-type]
        (lambda: changes(sample_org), "org"),  # type: ignore[arg-type]
    ],
)
def test_case_item_and_change_strategies_reject_bad_arguments(
    call: Callable[[], object], field: str
) -> None:
    with pytest.raises(InvalidStrategyArgument) as raised:
        call()
    assert raised.value.field == field


# --- items -------------------------------------------------------------------------------------


@given(st.data())
def test_items_are_held_by_users_or_the_org(data: st.DataObject) -> None:
    org = data.draw(orgs())
    item = data.draw(items(org))
    assert item.custodian == bo.ORG_CUSTODY or item.custodian in org.users


@given(st.data())
def test_holders_only_items_are_held_by_users_who_may_hold(data: st.DataObject) -> None:
    org = data.draw(orgs())
    item = data.draw(items(org, holders_only=True))
    if item.custodian != bo.ORG_CUSTODY:
        holder = org.users[item.custodian]
        assert holder.active
        assert holder.role.can_hold_inventory


def test_items_reach_bad_holders_expired_and_inactive_ones() -> None:
    org = sample_org()
    strategy = items(org)
    assert _found(strategy, lambda i: i.custodian == "rm-west")  # type: ignore[attr-defined]
    assert _found(strategy, lambda i: i.custodian == "rep-gone")  # type: ignore[attr-defined]
    assert _found(strategy, lambda i: i.custodian == bo.ORG_CUSTODY)  # type: ignore[attr-defined]
    assert _found(strategy, lambda i: not i.active)  # type: ignore[attr-defined]
    assert _found(strategy, lambda i: i.expires is not None)  # type: ignore[attr-defined]
    assert _found(strategy, lambda i: i.on_hold)  # type: ignore[attr-defined]


# --- changes -----------------------------------------------------------------------------------


@given(st.data())
def test_changes_always_apply_and_leave_the_org_untouched(data: st.DataObject) -> None:
    org = data.draw(orgs(max_users=8))
    before = bo.to_dict(org)
    for _ in range(3):
        change = data.draw(changes(org))
        new = change.apply(org)
        assert bo.to_dict(org) == before
        assert bo.from_dict(bo.to_dict(new)) == new
        org, before = new, bo.to_dict(new)


@pytest.mark.parametrize("method", sorted(CHANGE_METHODS))
def test_changes_reach_every_change_method(method: str) -> None:
    change = _found(changes(sample_org()), lambda c: c.method == method)  # type: ignore[attr-defined]
    assert isinstance(change, Change)


# --- Change records ----------------------------------------------------------------------------


def test_a_change_reads_as_the_call_and_is_a_hashable_value() -> None:
    a = Change("assign_rep", ("rep-solo", "dist-a"))
    assert str(a) == "assign_rep('rep-solo', 'dist-a')"
    assert a == Change("assign_rep", ["rep-solo", "dist-a"])
    assert len({a, Change("assign_rep", ("rep-solo", "dist-a"))}) == 1
    org = sample_org()
    assert a.apply(org).distributor_of("rep-solo") == "dist-a"
    assert org.distributor_of("rep-solo") is None


@pytest.mark.parametrize(
    "make",
    [
        lambda: Change("drop_table"),
        lambda: Change("assign_rep", ("rep-solo",)),
        lambda: Change(
            "add_user", ("u",), {"colour": "red", "email": "u@x.example", "role": "sales"}
        ),
        lambda: Change("deactivate", "rep-solo"),
        lambda: Change("configure", (), [("x",)]),
    ],
)
def test_a_change_the_method_cannot_take_is_refused_when_made(make: Callable[[], Change]) -> None:
    with pytest.raises(bo.OrgError):
        make()


def test_a_change_raises_what_its_method_raises() -> None:
    with pytest.raises(bo.AssignmentError):
        Change("assign_rep", ("rep-a1", "dist-b")).apply(sample_org())
    with pytest.raises(bo.InvalidValueError):
        Change("deactivate", ("rep-a1",)).apply("org")  # type: ignore[arg-type]
