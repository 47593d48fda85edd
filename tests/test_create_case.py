"""Entering a case on behalf of a representative: ``Visibility.can_create_case``, from the domain.

The seed: "if a back-office person or customer service representative will be entering cases on
behalf of all of the sales reps in the distributorship, then it may make sense to make them the
distributor"; regional managers "can create cases and transfers" for the users of their regions;
a user needs its directory assignments before cases can be entered for it; a facility manager
"may create cases at its facilities for itself only".

The org is the sample org (see ``beacon_org.testing``): every user but ``rep-new`` has Training
Complete and the directory records mercy-general, st-lukes, dr-okafor and stryde-implants;
``fm-mercy``'s one facility is mercy-general.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.cli import main
from beacon_org.testing import build_org, sample_org
from beacon_org.testing.strategies import orgs

ORG = sample_org()
VIS = bo.Visibility(ORG)

# One user of each role, as actor and as representative.
BY_ROLE = {
    "primary_admin": "owner",
    "admin": "admin-1",
    "operations": "ops-1",
    "regional_manager": "rm-west",
    "distributor": "dist-a",
    "sales": "rep-a1",
    "facility_manager": "fm-mercy",
}
ORG_WIDE = ("owner", "admin-1", "ops-1")
NOT_REPRESENTATIVES = ("owner", "admin-1", "ops-1", "rm-west")

# actor -> representative -> (reason, path of a grant); every role against every role, no facility.
ROLE_MATRIX: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    actor: {
        **dict.fromkeys(NOT_REPRESENTATIVES, ("cannot-be-representative", ())),
        "dist-a": ("org-wide", (actor, "dist-a")),
        "rep-a1": ("org-wide", (actor, "rep-a1")),
        "fm-mercy": ("org-wide", (actor, "fm-mercy")),
    }
    for actor in ORG_WIDE
}
ROLE_MATRIX["rm-west"] = {
    **dict.fromkeys(NOT_REPRESENTATIVES, ("cannot-be-representative", ())),
    "dist-a": ("regional-manager-of-representative", ("rm-west", "west", "dist-a")),
    "rep-a1": ("regional-manager-of-representative", ("rm-west", "west", "rep-a1")),
    "fm-mercy": ("not-in-managed-region", ()),
}
ROLE_MATRIX["dist-a"] = {
    **dict.fromkeys(NOT_REPRESENTATIVES, ("cannot-be-representative", ())),
    "dist-a": ("representative", ("dist-a",)),
    "rep-a1": ("distributor-of-representative", ("dist-a", "rep-a1")),
    "fm-mercy": ("not-in-group", ()),
}
ROLE_MATRIX["rep-a1"] = {
    **dict.fromkeys(NOT_REPRESENTATIVES, ("cannot-be-representative", ())),
    "dist-a": ("not-own-case", ()),
    "rep-a1": ("representative", ("rep-a1",)),
    "fm-mercy": ("not-own-case", ()),
}
ROLE_MATRIX["fm-mercy"] = {
    **dict.fromkeys(NOT_REPRESENTATIVES, ("cannot-be-representative", ())),
    "dist-a": ("not-own-case", ()),
    "rep-a1": ("not-own-case", ()),
    # for itself only at one of its facilities: without a facility, no
    "fm-mercy": ("not-authorised-for-facility", ()),
}
GRANTS = {
    "org-wide",
    "representative",
    "distributor-of-representative",
    "regional-manager-of-representative",
}


def test_the_matrix_covers_every_role_both_ways() -> None:
    assert set(ROLE_MATRIX) == set(BY_ROLE.values())
    assert all(set(row) == set(BY_ROLE.values()) for row in ROLE_MATRIX.values())
    assert {ORG.users[u].role.value for u in ROLE_MATRIX} == {r.value for r in bo.Role}


@pytest.mark.parametrize(
    ("actor", "rep"), [(a, r) for a, row in ROLE_MATRIX.items() for r in row], ids=str
)
def test_every_role_against_every_representative_role(actor: str, rep: str) -> None:
    reason, path = ROLE_MATRIX[actor][rep]
    decision = VIS.can_create_case(actor, rep)
    assert decision.reason == reason
    assert decision.allowed is (reason in GRANTS)
    assert decision.path == path
    assert decision.suggestion is None  # none of these has one change that grants it


# (actor, representative, facility, sub-rep, reason, path of a grant, suggestion of a denial)
TABLE: list[tuple[str, str, str | None, str | None, str, tuple[str, ...], str | None]] = [
    # the back office enters cases for anyone who can be a representative
    ("admin-1", "rep-solo", "st-lukes", None, "org-wide", ("admin-1", "rep-solo"), None),
    ("ops-1", "wh-quarantine", None, None, "org-wide", ("ops-1", "wh-quarantine"), None),
    ("owner", "rep-new", None, None, "org-wide", ("owner", "rep-new"), None),
    # the distributor, for itself and its reps (the back-office-as-distributor advice)
    ("dist-a", "rep-a2", "st-lukes", "rep-a1", "distributor-of-representative", ("dist-a", "rep-a2"), None),
    ("dist-a", "rep-a1", None, "dist-a", "distributor-of-representative", ("dist-a", "rep-a1"), None),
    ("dist-a", "dist-a", "mercy-general", "rep-a2", "representative", ("dist-a",), None),
    ("dist-b", "rep-new", None, "rep-b1", "distributor-of-representative", ("dist-b", "rep-new"), None),
    ("dist-a", "rep-b1", None, None, "not-in-group", (), "move rep-b1 from dist-b to dist-a"),
    ("dist-a", "rep-solo", None, None, "not-in-group", (), "assign rep-solo to dist-a"),
    ("dist-a", "dist-b", None, None, "not-in-group", (), None),
    # moving rep-b1 to dist-a also makes rep-a2 a sub-rep of its group; rep-b2 it would not
    ("dist-a", "rep-b1", None, "rep-a2", "not-in-group", (), "move rep-b1 from dist-b to dist-a"),
    ("dist-a", "rep-b1", None, "rep-b2", "not-in-group", (), None),
    ("dist-a", "rep-b1", "fac-9", None, "not-in-group", (), None),
    # a regional manager, for the members of its regions, whatever their group
    ("rm-central", "rep-a2", None, "rep-a1", "regional-manager-of-representative", ("rm-central", "central", "rep-a2"), None),
    ("rm-central", "rep-solo", "st-lukes", None, "regional-manager-of-representative", ("rm-central", "central", "rep-solo"), None),
    ("rm-east", "dist-b", None, None, "regional-manager-of-representative", ("rm-east", "east", "dist-b"), None),
    ("rm-west", "rep-a2", None, None, "not-in-managed-region", (), "set rep-a2's region to west"),
    # a sales rep, for itself only
    ("rep-a1", "rep-a1", "mercy-general", "rep-a2", "representative", ("rep-a1",), None),
    ("rep-a1", "rep-a2", None, None, "not-own-case", (), None),
    ("rep-solo", "rep-solo", "st-lukes", None, "representative", ("rep-solo",), None),
    # the facility: the representative's directory records must hold it
    ("dist-a", "rep-a1", "fac-9", None, "not-authorised-for-facility", (), "assign directory record fac-9 to rep-a1"),
    ("rep-a1", "rep-a1", "fac-9", None, "not-authorised-for-facility", (), "assign directory record fac-9 to rep-a1"),
    ("owner", "rep-new", "mercy-general", None, "not-authorised-for-facility", (), "assign directory record mercy-general to rep-new"),
    # a facility manager: its own cases, at its facilities (not its other directory records)
    ("fm-mercy", "fm-mercy", "mercy-general", None, "representative", ("fm-mercy",), None),
    ("fm-mercy", "fm-mercy", "st-lukes", None, "not-authorised-for-facility", (), "add facility st-lukes to fm-mercy"),
    ("admin-1", "fm-mercy", "mercy-general", None, "org-wide", ("admin-1", "fm-mercy"), None),
    ("admin-1", "fm-mercy", "st-lukes", None, "not-authorised-for-facility", (), "add facility st-lukes to fm-mercy"),
    ("fm-mercy", "rep-a1", "mercy-general", None, "not-own-case", (), None),
    ("fm-mercy", "fm-mercy", "mercy-general", "rep-a1", "sub-rep-not-in-group", (), None),
    # the sub-rep: an active user of the representative's group, not the representative
    ("dist-a", "rep-a1", None, "rep-a1", "sub-rep-not-in-group", (), None),
    ("dist-a", "rep-a1", None, "rep-b1", "sub-rep-not-in-group", (), "move rep-b1 from dist-b to dist-a"),
    ("dist-a", "rep-a1", None, "rep-solo", "sub-rep-not-in-group", (), "assign rep-solo to dist-a"),
    ("dist-a", "rep-a1", None, "dist-b", "sub-rep-not-in-group", (), None),
    ("dist-a", "rep-a1", None, "rep-gone", "sub-rep-not-in-group", (), None),
    ("dist-a", "rep-a1", None, "nobody", "sub-rep-not-in-group", (), None),
    ("rep-solo", "rep-solo", None, "rep-a2", "sub-rep-not-in-group", (), None),
    ("admin-1", "rep-a1", None, "rm-west", "sub-rep-not-in-group", (), None),
    # locked, deactivated, custodian-only and unknown users
    ("rep-new", "rep-new", None, None, "locked", (), "complete training for rep-new"),
    ("rep-new", "rep-b1", None, None, "locked", (), None),
    ("rep-gone", "rep-gone", None, None, "inactive", (), "reactivate rep-gone"),
    ("owner", "rep-gone", None, None, "cannot-be-representative", (), "reactivate rep-gone"),
    ("dist-a", "rep-gone", None, None, "cannot-be-representative", (), None),
    ("rm-west", "rep-gone", None, None, "cannot-be-representative", (), "reactivate rep-gone"),
    ("wh-quarantine", "wh-quarantine", None, None, "custodian-only", (), "turn off custodian-only for wh-quarantine"),
    ("wh-quarantine", "rep-a1", None, None, "custodian-only", (), None),
    ("dist-a", "wh-quarantine", None, None, "not-in-group", (), "assign wh-quarantine to dist-a"),
    ("nobody", "rep-a1", None, None, "unknown-user", (), None),
    ("dist-a", "nobody", None, None, "unknown-user", (), None),
    ("owner", "rep-gone", "fac-9", None, "cannot-be-representative", (), None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("actor", "rep", "facility", "sub_rep", "reason", "path", "suggestion"), TABLE, ids=str
)
def test_create_case_decision_table(
    actor: str,
    rep: str,
    facility: str | None,
    sub_rep: str | None,
    reason: str,
    path: tuple[str, ...],
    suggestion: str | None,
) -> None:
    decision = VIS.can_create_case(actor, rep, facility=facility, sub_rep=sub_rep)
    assert decision == bo.Decision(
        allowed=reason in GRANTS, reason=reason, path=path, suggestion=suggestion
    )


CHANGED = [
    # a deactivated, a locked and a custodian-only distributor enter no case for their reps
    (ORG.deactivate("dist-a"), "dist-a", "rep-a1", None, "inactive", "reactivate dist-a"),
    (
        ORG.update_user("dist-a", custodian_only=True),
        "dist-a",
        "rep-a1",
        None,
        "custodian-only",
        "turn off custodian-only for dist-a",
    ),
    (
        ORG.add_user("dist-n", email="orders@new.example", role="distributor").assign_rep(
            "rep-solo", "dist-n"
        ),
        "dist-n",
        "rep-solo",
        None,
        "locked",
        "complete training for dist-n",
    ),
    # a regional manager over no region yet
    (
        ORG.add_user("rm-new", email="rm.new@x.example", role="regional_manager").complete_training(
            "rm-new"
        ),
        "rm-new",
        "rep-b1",
        None,
        "not-in-managed-region",
        "make rm-new the manager of region east",
    ),
    # a deactivated sub-rep of the group: reactivating it is the one change
    (ORG.deactivate("rep-a2"), "dist-a", "rep-a1", "rep-a2", "sub-rep-not-in-group", "reactivate rep-a2"),
    # both the actor and the representative deactivated: one reactivation, when they are one user
    (ORG.deactivate("dist-a"), "dist-a", "dist-a", None, "inactive", "reactivate dist-a"),
    (ORG.deactivate("dist-a").deactivate("rep-a1"), "dist-a", "rep-a1", None, "inactive", None),
]  # fmt: skip


@pytest.mark.parametrize(("org", "actor", "rep", "sub_rep", "reason", "suggestion"), CHANGED)
def test_changed_orgs(
    org: bo.Org, actor: str, rep: str, sub_rep: str | None, reason: str, suggestion: str | None
) -> None:
    decision = bo.Visibility(org).can_create_case(actor, rep, sub_rep=sub_rep)
    assert (decision.allowed, decision.reason, decision.suggestion) == (False, reason, suggestion)


def test_the_back_office_person_as_distributor_enters_cases_for_every_rep() -> None:
    # The seed's advice: the back office's orders desk holds the distributor account.
    org = build_org(groups={"orders-desk": ["rep-1", "rep-2", "rep-3"]})
    vis = bo.Visibility(org)
    assert all(vis.can_create_case("orders-desk", rep) for rep in org.reps_of("orders-desk"))
    assert not vis.can_create_case("rep-1", "rep-2")


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ((5, "rep-a1"), "actor_id"),
        (("dist-a", None), "representative_id"),
        (("dist-a", "rep-a1", {"facility": 9}), "facility"),
        (("dist-a", "rep-a1", {"sub_rep": ["rep-a2"]}), "sub_rep"),
    ],
)
def test_ids_that_are_not_strings_raise(arguments: tuple[object, ...], field: str) -> None:
    *ids, keywords = arguments if isinstance(arguments[-1], dict) else (*arguments, {})
    with pytest.raises(bo.InvalidValueError, match=field):
        VIS.can_create_case(*ids, **keywords)  # type: ignore[arg-type]


# --- properties over random orgs -------------------------------------------------------------------


@st.composite
def questions(
    draw: st.DrawFn,
) -> tuple[bo.Org, list[tuple[str, str, str | None, str | None]]]:
    org = draw(orgs(min_users=1, max_users=12))
    users = sorted(org.users)
    places = sorted({r for u in org.users.values() for r in u.directory_records | u.facilities})
    facility = st.none() | st.sampled_from([*places, "fac-9"])
    sub_rep = st.none() | st.sampled_from([*users, "nobody"])
    asked = [
        (actor, rep, draw(facility), draw(sub_rep))
        for actor in users
        for rep in users
        if draw(st.integers(0, 2)) == 0 or actor == rep
    ]
    return org, asked


@given(questions())
def test_whoever_may_create_a_case_may_edit_it_while_open(
    drawn: tuple[bo.Org, list[tuple[str, str, str | None, str | None]]],
) -> None:
    org, asked = drawn
    vis = bo.Visibility(org)
    for actor, rep, facility, sub_rep in asked:
        decision = vis.can_create_case(actor, rep, facility=facility, sub_rep=sub_rep)
        if not decision:
            continue
        case = bo.Case("new", rep, sub_rep=sub_rep, facility=facility)
        edit = vis.can_edit_case(actor, case)
        assert edit, (actor, case, decision, edit)
        assert edit.reason == decision.reason
        # the same chain of relations, ending at the case instead of its representative
        chain = decision.path[:1] if decision.reason == "org-wide" else decision.path
        assert edit.path == (*chain, "new")


@given(questions())
def test_who_for_whom_is_editing_an_open_case_of_an_active_possible_representative(
    drawn: tuple[bo.Org, list[tuple[str, str, str | None, str | None]]],
) -> None:
    # The actor-representative part (no facility, no sub-rep), stated from the other rules:
    # the relation that lets the actor edit the representative's open case, a representative
    # that may hold inventory and is active, and a facility manager's own case needs a facility.
    org, asked = drawn
    vis = bo.Visibility(org)
    for actor, rep, _, _ in asked:
        user = org.users[rep]
        edit = vis.can_edit_case(actor, bo.Case("new", rep))
        expected = (
            edit.allowed
            and user.active
            and user.role.can_hold_inventory
            and not (user.role is bo.Role.FACILITY_MANAGER and actor == rep)
        )
        assert vis.can_create_case(actor, rep).allowed is expected, (actor, rep)


@given(questions())
def test_the_facility_and_sub_rep_parts_are_checks_of_the_data(
    drawn: tuple[bo.Org, list[tuple[str, str, str | None, str | None]]],
) -> None:
    org, asked = drawn
    vis = bo.Visibility(org)
    for actor, rep, facility, sub_rep in asked:
        decision = vis.can_create_case(actor, rep, facility=facility, sub_rep=sub_rep)
        user = org.users[rep]
        who = vis.can_create_case(actor, rep)
        fm_own = user.role is bo.Role.FACILITY_MANAGER and actor == rep
        places = (
            user.facilities if user.role is bo.Role.FACILITY_MANAGER else user.directory_records
        )
        at = facility in places if facility is not None else not fm_own
        group = rep if user.role is bo.Role.DISTRIBUTOR else org.distributor_of(rep)
        members = set() if group is None else {group, *org.reps_of(group)}
        with_sub = sub_rep is None or (
            sub_rep in members and sub_rep != rep and org.users[sub_rep].active
        )
        who_part = who.allowed or (fm_own and who.reason == "not-authorised-for-facility")
        assert decision.allowed is (who_part and at and with_sub), (actor, rep, facility, sub_rep)
        if decision:
            assert decision.path == who.path or fm_own


@given(questions())
def test_paths_run_from_the_actor_to_the_representative(
    drawn: tuple[bo.Org, list[tuple[str, str, str | None, str | None]]],
) -> None:
    org, asked = drawn
    vis = bo.Visibility(org)
    graph = org.graph
    for actor, rep, facility, sub_rep in asked:
        decision = vis.can_create_case(actor, rep, facility=facility, sub_rep=sub_rep)
        if not decision:
            assert decision.path == ()
            continue
        assert decision.path[0] == actor
        assert decision.path[-1] == rep
        if decision.reason != "org-wide":
            pairs = zip(decision.path, decision.path[1:], strict=False)
            assert all(graph.has_edge(a, b) for a, b in pairs)


# --- the command line ------------------------------------------------------------------------------


def _bundle(tmp_path: Path) -> str:
    path = tmp_path / "sample.json"
    data = bo.to_dict(ORG)
    path.write_text(json.dumps(data))
    return str(path)


def test_explain_create_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _bundle(tmp_path)
    assert (
        main(["explain", path, "rm-central", "create-case", "rep-a2", "--sub-rep", "rep-a1"]) == 0
    )
    assert capsys.readouterr().out == (
        "create-case for rep-a2 with rep-a1 as rm-central: allowed "
        "(regional-manager-of-representative)\n  because: rm-central -> central -> rep-a2\n"
    )
    assert main(["explain", path, "dist-a", "create-case", "rep-b1", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["create_case"] == {
        "allowed": False,
        "reason": "not-in-group",
        "path": [],
        "suggestion": "move rep-b1 from dist-b to dist-a",
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["dist-a", "create-case", "nobody"], "unknown user 'nobody'"),
        (["dist-a", "c-1", "rep-a1"], "go with 'create-case'"),
        (["dist-a", "create-case"], "no case or item 'create-case'"),
    ],
)
def test_explain_create_case_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    assert main(["explain", _bundle(tmp_path), *arguments]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
