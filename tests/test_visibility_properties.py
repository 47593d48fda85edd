"""Properties of the case rules on random valid orgs (``beacon_org.testing.strategies``)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import networkx as nx
from hypothesis import given
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.testing import sample_cases, sample_org
from beacon_org.testing.strategies import cases, orgs

CASE_QUESTIONS = ("can_view_case", "can_edit_case", "can_reopen_case")


@st.composite
def org_and_cases(draw: st.DrawFn, max_cases: int = 8) -> tuple[bo.Org, list[bo.Case]]:
    org = draw(orgs(min_users=1, max_users=14))
    drawn = draw(st.lists(cases(org), min_size=1, max_size=max_cases, unique_by=lambda c: c.id))
    return org, drawn


def _can_act(org: bo.Org, user_id: str) -> bool:
    return org.users[user_id].can_act


def _group(org: bo.Org, distributor_id: str) -> frozenset[str]:
    return org.reps_of(distributor_id) | {distributor_id}


# --- who sees a rep's case ---------------------------------------------------------------------------


@given(org_and_cases())
def test_a_reps_case_is_visible_to_its_distributor_and_its_regions_manager(
    drawn: tuple[bo.Org, list[bo.Case]],
) -> None:
    org, some_cases = drawn
    vis = bo.Visibility(org)
    for case in some_cases:
        rep = case.representative
        distributor = org.distributor_of(rep)
        if distributor is not None and _can_act(org, distributor):
            decision = vis.can_view_case(distributor, case)
            assert decision.reason == "distributor-of-representative"
            assert decision.path == (distributor, rep, case.id)
        region = org.users[rep].region
        manager = None if region is None else org.region(region).manager
        if manager is not None and _can_act(org, manager):
            decision = vis.can_view_case(manager, case)
            assert decision.reason == "regional-manager-of-representative"
            assert decision.path == (manager, region, rep, case.id)


@given(org_and_cases())
def test_field_users_see_only_cases_related_to_them(drawn: tuple[bo.Org, list[bo.Case]]) -> None:
    org, some_cases = drawn
    vis = bo.Visibility(org)
    for case in some_cases:
        people = {case.representative, case.sub_rep} - {None}
        for user_id, user in org.users.items():
            seen = bool(vis.can_view_case(user_id, case))
            if user.role is bo.Role.DISTRIBUTOR:
                # another group's distributor never sees it: no region reaches a distributor
                assert seen <= bool(people & _group(org, user_id))
            elif user.role is bo.Role.SALES:
                assert seen <= (user_id in people)
            elif user.role is bo.Role.REGIONAL_MANAGER:
                managed = org.managed_regions(user_id)
                assert seen <= any(org.users[p].region in managed for p in people)
            elif user.role is bo.Role.FACILITY_MANAGER:
                assert seen <= (case.representative == user_id or case.facility in user.facilities)
            if user.custodian_only:
                assert seen <= (case.representative == user_id)
            if not user.can_act and not user.custodian_only:
                assert not seen


@given(org_and_cases())
def test_case_viewers_are_the_users_for_whom_can_view_case_is_true(
    drawn: tuple[bo.Org, list[bo.Case]],
) -> None:
    org, some_cases = drawn
    vis = bo.Visibility(org)
    for case in some_cases:
        assert vis.case_viewers(case) == {u for u in org.users if vis.can_view_case(u, case)}


@given(org_and_cases())
def test_list_questions_agree_with_one_by_one(drawn: tuple[bo.Org, list[bo.Case]]) -> None:
    org, some_cases = drawn
    vis = bo.Visibility(org)
    for user_id in [*org.users, "nobody"]:
        one_by_one = [bool(vis.can_view_case(user_id, c)) for c in some_cases]
        assert vis.viewable(user_id, some_cases) == one_by_one
        assert vis.visible_cases(user_id, some_cases) == [
            c for c, seen in zip(some_cases, one_by_one, strict=True) if seen
        ]


@given(org_and_cases())
def test_edit_needs_view_and_reopen_needs_a_closed_case(
    drawn: tuple[bo.Org, list[bo.Case]],
) -> None:
    org, some_cases = drawn
    vis = bo.Visibility(org)
    for case in some_cases:
        for user_id, user in org.users.items():
            view = vis.can_view_case(user_id, case)
            edit = vis.can_edit_case(user_id, case)
            reopen = vis.can_reopen_case(user_id, case)
            assert edit.allowed <= view.allowed
            assert reopen.allowed <= (view.allowed and case.status.is_closed)
            if case.status.is_closed and not user.role.is_org_wide:
                assert not edit
                assert reopen.allowed <= org.settings.field_users_can_reopen_cases
            if edit or reopen:
                assert (edit or reopen).path == view.path


@given(org_and_cases())
def test_answers_do_not_depend_on_remembered_decisions(
    drawn: tuple[bo.Org, list[bo.Case]],
) -> None:
    org, some_cases = drawn
    remembering, forgetting = bo.Visibility(org), bo.Visibility(org)
    for _ in range(2):
        for user_id in org.users:
            for case in some_cases:
                for ask in CASE_QUESTIONS:
                    assert getattr(remembering, ask)(user_id, case) == getattr(forgetting, ask)(
                        user_id, case
                    )


# --- paths ---------------------------------------------------------------------------------------------


def _assert_graph_path(org: bo.Org, graph: nx.DiGraph[str], ids: tuple[str, ...]) -> None:
    assert all(node in graph for node in ids)
    assert all(graph.has_edge(a, b) for a, b in itertools.pairwise(ids))
    assert nx.is_simple_path(graph, list(ids)) or len(ids) == 1


@given(org_and_cases())
def test_every_grant_path_runs_along_the_graph_to_the_case(
    drawn: tuple[bo.Org, list[bo.Case]],
) -> None:
    org, some_cases = drawn
    graph = org.graph
    vis = bo.Visibility(org)
    for case in some_cases:
        for user_id in org.users:
            for ask in CASE_QUESTIONS:
                decision = getattr(vis, ask)(user_id, case)
                if not decision:
                    assert decision.path == ()
                    continue
                path = decision.path
                assert path[0] == user_id
                assert path[-1] == case.id
                if decision.reason == "org-wide":
                    assert path == (user_id, case.id)
                elif decision.reason == "managed-facility":
                    assert path == (user_id, case.facility, case.id)
                    assert case.facility in org.users[user_id].facilities
                else:
                    _assert_graph_path(org, graph, path[:-1])
                    assert path[-2] in {case.representative, case.sub_rep}
        for user_id in org.users:
            for about in org.users:
                decision = vis.can_pull_reports(user_id, about)
                if decision:
                    assert decision.path[0] == user_id
                    assert decision.path[-1] == about
                    if decision.reason != "org-wide":
                        _assert_graph_path(org, graph, decision.path)


# --- changes never widen access, suggestions do grant ------------------------------------------------------


def _grants(org: bo.Org, some_cases: list[bo.Case]) -> set[tuple[str, str, str]]:
    vis = bo.Visibility(org)
    granted = {
        (ask, user_id, case.id)
        for user_id in org.users
        for case in some_cases
        for ask in CASE_QUESTIONS
        if getattr(vis, ask)(user_id, case)
    }
    granted |= {
        ("can_pull_reports", user_id, about)
        for user_id in org.users
        for about in org.users
        if vis.can_pull_reports(user_id, about)
    }
    return granted


@given(org_and_cases(max_cases=5), st.data())
def test_unassigning_a_rep_or_deactivating_a_user_never_widens_access(
    drawn: tuple[bo.Org, list[bo.Case]], data: st.DataObject
) -> None:
    org, some_cases = drawn
    before = _grants(org, some_cases)
    assigned = sorted(rep for d in org.distributors for rep in org.reps_of(d))
    if assigned:
        rep = data.draw(st.sampled_from(assigned), label="unassigned rep")
        assert _grants(org.unassign_rep(rep), some_cases) <= before
    user_id = data.draw(st.sampled_from(sorted(org.users)), label="deactivated user")
    assert _grants(org.deactivate(user_id), some_cases) <= before


_CHANGES: list[tuple[re.Pattern[str], Callable[[bo.Org, re.Match[str]], bo.Org]]] = [
    (re.compile(r"reactivate (\S+)"), lambda org, m: org.reactivate(m[1])),
    (re.compile(r"complete training for (\S+)"), lambda org, m: org.complete_training(m[1])),
    (
        re.compile(r"turn off custodian-only for (\S+)"),
        lambda org, m: org.update_user(m[1], custodian_only=False),
    ),
    (re.compile(r"assign (\S+) to (\S+)"), lambda org, m: org.assign_rep(m[1], m[2])),
    (
        re.compile(r"move (\S+) from (\S+) to (\S+)"),
        lambda org, m: org.unassign_rep(m[1]).assign_rep(m[1], m[3]),
    ),
    (re.compile(r"set (\S+)'s region to (\S+)"), lambda org, m: org.set_region(m[1], m[2])),
    (
        re.compile(r"make (\S+) the manager of region (\S+)"),
        lambda org, m: org.set_region_manager(m[2], m[1]),
    ),
    (
        re.compile(r"add facility (\S+) to (\S+)"),
        lambda org, m: org.update_user(m[2], facilities=org.users[m[2]].facilities | {m[1]}),
    ),
    (
        re.compile(r"assign directory record (\S+) to (\S+)"),
        lambda org, m: org.assign_directory_records(m[2], [m[1]]),
    ),
    (
        re.compile(r"allow field users to reopen cases"),
        lambda org, m: org.configure(field_users_can_reopen_cases=True),
    ),
]


def apply_suggestion(org: bo.Org, suggestion: str) -> bo.Org:
    """Make the one change a denial's suggestion names."""
    for pattern, change in _CHANGES:
        match = pattern.fullmatch(suggestion)
        if match:
            return change(org, match)
    raise AssertionError(f"unknown suggestion {suggestion!r}")


def _check_suggestions(org: bo.Org, some_cases: list[bo.Case]) -> int:
    vis = bo.Visibility(org)
    applied = 0
    for user_id in org.users:
        for case in some_cases:
            for ask in CASE_QUESTIONS:
                decision = getattr(vis, ask)(user_id, case)
                if decision.suggestion is not None:
                    assert not decision
                    changed = bo.Visibility(apply_suggestion(org, decision.suggestion))
                    assert getattr(changed, ask)(user_id, case), (decision, case)
                    applied += 1
        for about in org.users:
            decision = vis.can_pull_reports(user_id, about)
            if decision.suggestion is not None:
                changed = bo.Visibility(apply_suggestion(org, decision.suggestion))
                assert changed.can_pull_reports(user_id, about), decision
                applied += 1
        applied += _check_create_suggestions(org, vis, user_id, some_cases)
    return applied


def _check_create_suggestions(
    org: bo.Org, vis: bo.Visibility, user_id: str, some_cases: list[bo.Case]
) -> int:
    # Entering a case for each user, at each case's facility and with its sub-rep, and at a
    # facility nobody is authorised for.
    applied = 0
    entered = {(None, None), ("fac-9", None), *((c.facility, c.sub_rep) for c in some_cases)}
    for rep in org.users:
        for facility, sub_rep in sorted(entered, key=str):
            decision = vis.can_create_case(user_id, rep, facility=facility, sub_rep=sub_rep)
            if decision.suggestion is not None:
                assert not decision
                changed = bo.Visibility(apply_suggestion(org, decision.suggestion))
                again = changed.can_create_case(user_id, rep, facility=facility, sub_rep=sub_rep)
                assert again, (decision, user_id, rep, facility, sub_rep, again)
                applied += 1
    return applied


@given(org_and_cases(max_cases=5))
def test_the_suggested_change_grants_what_was_denied(drawn: tuple[bo.Org, list[bo.Case]]) -> None:
    org, some_cases = drawn
    _check_suggestions(org, some_cases)


def test_every_suggestion_on_the_sample_org_grants_what_was_denied() -> None:
    org = sample_org()
    assert _check_suggestions(org, list(sample_cases())) > 50
    assert _check_suggestions(org.configure(field_users_can_reopen_cases=True), []) > 0


# --- the yes/no forms --------------------------------------------------------------------------------


@st.composite
def org_cases_and_rows(draw: st.DrawFn) -> tuple[bo.Org, list[object]]:
    org, drawn = draw(org_and_cases())
    as_rows = draw(st.booleans())
    return org, [_Row(c) for c in drawn] if as_rows else list(drawn)


class _Row:
    """A service's own row (not a ``bo.Case``), status as its string."""

    __slots__ = ("facility", "id", "representative", "status", "sub_rep")

    def __init__(self, case: bo.Case) -> None:
        self.id, self.representative, self.sub_rep = case.id, case.representative, case.sub_rep
        self.facility, self.status = case.facility, case.status.value


@given(org_cases_and_rows(), st.booleans())
def test_the_yes_no_forms_answer_as_the_decisions(
    drawn: tuple[bo.Org, list[object]], reopen_setting: bool
) -> None:
    org, some_cases = drawn
    org = org.configure(field_users_can_reopen_cases=reopen_setting)
    vis = bo.Visibility(org)
    for user_id in [*org.users, "nobody"]:
        for case in some_cases:
            assert vis.may_view_case(user_id, case) is vis.can_view_case(user_id, case).allowed
            assert vis.may_edit_case(user_id, case) is vis.can_edit_case(user_id, case).allowed


def test_the_yes_no_forms_on_the_sample_org_every_user_and_case() -> None:
    org = sample_org().complete_training("rm-west")
    vis = bo.Visibility(org)
    seen = {True: 0, False: 0}
    for user_id in [*sorted(org.users), "nobody"]:
        for case in sample_cases():
            for status in ("open", "paid"):
                asked = bo.Case(
                    case.id,
                    case.representative,
                    sub_rep=case.sub_rep,
                    facility=case.facility,
                    status=status,
                )
                view = vis.can_view_case(user_id, asked).allowed
                assert vis.may_view_case(user_id, asked) is view
                edit = vis.can_edit_case(user_id, asked).allowed
                assert vis.may_edit_case(user_id, asked) is edit
                seen[view] += 1
                seen[edit] += 1
    assert seen[True] > 0
    assert seen[False] > 0


# --- a suggestion by one field of the case --------------------------------------------------------


def _suggestions(org: bo.Org, user_id: str, case: bo.Case) -> tuple[bo.Decision, bo.Decision, bool]:
    """The denial of ``case`` by ``user_id``'s view look-up, with the compiled ``by_field`` and by
    the full walk over the suggestion candidates, and whether ``by_field`` was compiled."""
    from beacon_org.rules._compile import Compiled, candidates
    from beacon_org.rules._explain import missing_edge
    from beacon_org.rules._table import RULES

    compiled = Compiled(org.view, RULES)
    look = compiled.look("view_case", user_id)
    assert look is not None
    fast = missing_edge(compiled, look, case)[0]
    candidates(compiled, look)
    compiled_by_field = look.by_field is not None
    look.by_field = None
    return fast, missing_edge(compiled, look, case)[0], compiled_by_field


@given(org_and_cases())
def test_a_suggestion_by_one_field_is_the_one_the_walk_finds(
    drawn: tuple[bo.Org, list[bo.Case]],
) -> None:
    org, some_cases = drawn
    vis = bo.Visibility(org)
    for user_id in org.users:
        for case in some_cases:
            look = vis._compiled.look("view_case", user_id)
            if look is None or look.match(case) is not None:
                continue  # a chain reaches the case: its entry decides, not a missing edge
            fast, walked, _ = _suggestions(org, user_id, case)
            assert fast == walked == vis.can_view_case(user_id, case), (user_id, case)


def test_a_facility_managers_suggestion_is_compiled_by_the_cases_facility() -> None:
    org = sample_org()
    at_other = bo.Case("c-1", "rep-b1", facility="fac-zz")
    fast, walked, compiled_by_field = _suggestions(org, "fm-mercy", at_other)
    assert compiled_by_field
    assert fast == walked
    assert fast.suggestion == "add facility fac-zz to fm-mercy"
    # Without a facility there is no such fix: the walk goes on (and finds none here).
    fast, walked, _ = _suggestions(org, "fm-mercy", bo.Case("c-2", "rep-b1"))
    assert fast == walked
    assert fast.suggestion is None
    # A distributor's nearest fix moves the case's representative: not by one field's text.
    assert not _suggestions(org, "dist-b", at_other)[2]


def test_an_edit_denial_whose_suggestion_edit_drops_is_the_walks() -> None:
    # A facility manager's view suggestion (add the facility) never grants an edit: the edit
    # denial drops it, whether worked out by the walk or skipped through ``by_field``.
    org = sample_org()
    vis = bo.Visibility(org)
    at_other = bo.Case("c-1", "rep-b1", facility="fac-zz")
    first = vis.can_edit_case("fm-mercy", at_other)  # walks, and compiles by_field
    look = vis._compiled.look("view_case", "fm-mercy")
    assert look is not None
    assert look.by_field is not None
    again = vis.can_edit_case("fm-mercy", bo.Case("c-2", "rep-b1", facility="fac-yy"))
    assert first == again
    assert first.reason == vis.can_view_case("fm-mercy", at_other).reason
    assert first.suggestion is None


@given(org_and_cases())
def test_edit_answers_with_by_field_are_the_walks(drawn: tuple[bo.Org, list[bo.Case]]) -> None:
    org, some_cases = drawn
    fast, walking = bo.Visibility(org), bo.Visibility(org)
    for user_id in org.users:
        for case in some_cases:
            fast.can_edit_case(user_id, case)  # a first denial works out the candidates
            walking.can_edit_case(user_id, case)
            look = walking._compiled.look("view_case", user_id)
            assert look is not None
            look.by_field = None  # ... which the walking one then never uses
            assert fast.can_edit_case(user_id, case) == walking.can_edit_case(user_id, case)
