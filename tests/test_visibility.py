"""Case visibility, edit, reopen and report rules: decision tables per role, from the domain docs.

The org is the sample org (see ``beacon_org.testing``) with its regional managers trained, except
where a row is about a locked manager. Its cases:

=====  ============  ==========  ==============  ===============
id     rep           sub-rep     facility        status
=====  ============  ==========  ==============  ===============
c-100  rep-a1        rep-a2      mercy-general   open
c-101  rep-a1                    st-lukes        paid
c-102  dist-a                    mercy-general   pending_po
c-200  rep-b1        rep-b2      st-lukes        open
c-201  rep-b2                    mercy-general   closed
c-300  rep-solo                  st-lukes        open
c-400  rep-gone                  mercy-general   cancelled
c-500  fm-mercy                  mercy-general   pending_payment
=====  ============  ==========  ==============  ===============
"""

from __future__ import annotations

import dataclasses
import gc
import weakref

import pytest

import beacon_org as bo
from beacon_org.testing import sample_cases, sample_org

CASES = {c.id: c for c in sample_cases()}


def _org(*, reopen: bool = False) -> bo.Org:
    return sample_org().configure(field_users_can_reopen_cases=reopen)


ORG = _org()
VIS = bo.Visibility(ORG)


def _case(spec: str | bo.Case) -> bo.Case:
    return CASES[spec] if isinstance(spec, str) else spec


X_SUB_A2 = bo.Case("x-1", "rep-solo", sub_rep="rep-a2", facility="st-lukes")
X_DIST_SUB = bo.Case("x-2", "dist-b", sub_rep="dist-a")
X_GONE = bo.Case("x-3", "rep-gone")
X_NEW = bo.Case("x-4", "rep-new")
X_NO_FACILITY = bo.Case("x-5", "rep-a1")
X_WH = bo.Case("x-6", "wh-quarantine", facility="st-lukes")
X_WH_SUB = bo.Case("x-7", "rep-a1", sub_rep="wh-quarantine")
X_WH_PAID = bo.Case("x-8", "wh-quarantine", status="paid")
X_SUB_PAID = bo.Case("x-9", "rep-a1", sub_rep="rep-a2", status="paid")

# (user, case, reason, path of a grant, suggestion of a denial)
VIEW_TABLE = [
    # org-wide roles see every case, open or closed, whoever's it is
    ("owner", "c-300", "org-wide", ("owner", "c-300"), None),
    ("admin-1", "c-400", "org-wide", ("admin-1", "c-400"), None),
    ("ops-1", "c-201", "org-wide", ("ops-1", "c-201"), None),
    # sales: as representative or sub-rep, never a group mate's case
    ("rep-a1", "c-100", "representative", ("rep-a1", "c-100"), None),
    ("rep-a2", "c-100", "sub-rep", ("rep-a2", "c-100"), None),
    ("rep-b2", "c-201", "representative", ("rep-b2", "c-201"), None),
    ("rep-solo", "c-300", "representative", ("rep-solo", "c-300"), None),
    ("rep-a2", "c-101", "not-own-case", (), None),
    ("rep-a1", "c-200", "not-own-case", (), None),
    # distributor: itself and its reps, as representative or sub-rep
    ("dist-a", "c-100", "distributor-of-representative", ("dist-a", "rep-a1", "c-100"), None),
    ("dist-a", "c-102", "representative", ("dist-a", "c-102"), None),
    ("dist-a", X_SUB_A2, "distributor-of-sub-rep", ("dist-a", "rep-a2", "x-1"), None),
    ("dist-a", X_DIST_SUB, "sub-rep", ("dist-a", "x-2"), None),
    ("dist-b", "c-201", "distributor-of-representative", ("dist-b", "rep-b2", "c-201"), None),
    ("dist-b", "c-100", "not-in-group", (), "move rep-a1 from dist-a to dist-b"),
    ("dist-a", "c-300", "not-in-group", (), "assign rep-solo to dist-a"),
    ("dist-a", X_GONE, "not-in-group", (), "assign rep-gone to dist-a"),
    ("dist-a", "c-500", "not-in-group", (), None),
    # regional manager: members of the regions it manages (reps and distributors alike)
    ("rm-west", "c-100", "regional-manager-of-representative", ("rm-west", "west", "rep-a1", "c-100"), None),
    ("rm-central", "c-100", "regional-manager-of-sub-rep", ("rm-central", "central", "rep-a2", "c-100"), None),
    ("rm-central", "c-300", "regional-manager-of-representative", ("rm-central", "central", "rep-solo", "c-300"), None),
    ("rm-west", "c-102", "regional-manager-of-representative", ("rm-west", "west", "dist-a", "c-102"), None),
    ("rm-west", "c-400", "regional-manager-of-representative", ("rm-west", "west", "rep-gone", "c-400"), None),
    ("rm-east", "c-100", "not-in-managed-region", (), "set rep-a1's region to east"),
    ("rm-east", "c-500", "not-in-managed-region", (), None),
    # facility manager: cases at its facilities, and its own
    ("fm-mercy", "c-100", "managed-facility", ("fm-mercy", "mercy-general", "c-100"), None),
    ("fm-mercy", "c-201", "managed-facility", ("fm-mercy", "mercy-general", "c-201"), None),
    ("fm-mercy", "c-500", "representative", ("fm-mercy", "c-500"), None),
    ("fm-mercy", "c-200", "not-at-managed-facility", (), "add facility st-lukes to fm-mercy"),
    ("fm-mercy", X_NO_FACILITY, "not-at-managed-facility", (), None),
    # users who may not act
    ("rep-gone", "c-400", "inactive", (), "reactivate rep-gone"),
    ("rep-gone", "c-100", "inactive", (), None),
    ("rep-new", X_NEW, "locked", (), "complete training for rep-new"),
    ("rep-new", "c-200", "locked", (), None),
    ("nobody", "c-100", "unknown-user", (), None),
    # custodian-only: its own cases as representative, read-only, and nothing else
    ("wh-quarantine", X_WH, "representative", ("wh-quarantine", "x-6"), None),
    ("wh-quarantine", X_WH_SUB, "custodian-only", (), "turn off custodian-only for wh-quarantine"),
    ("wh-quarantine", "c-100", "custodian-only", (), None),
]  # fmt: skip


def _check(decision: bo.Decision, reason: str, path: tuple[str, ...], fix: str | None) -> None:
    assert decision.reason == reason
    assert decision.allowed is bool(path)
    assert bool(decision) is bool(path)
    assert decision.path == path
    assert decision.suggestion == fix


@pytest.mark.parametrize(("user", "case", "reason", "path", "fix"), VIEW_TABLE)
def test_view_decision_table(
    user: str, case: str | bo.Case, reason: str, path: tuple[str, ...], fix: str | None
) -> None:
    _check(VIS.can_view_case(user, _case(case)), reason, path, fix)


def test_locked_regional_manager_sees_nothing_until_trained() -> None:
    # A manager created today and put over region east is locked until Training Complete.
    org = ORG.add_user(
        "rm-new", email="rm.new@acme-ortho.example", role="regional_manager"
    ).set_region_manager("east", "rm-new")
    vis = bo.Visibility(org)
    _check(
        vis.can_view_case("rm-new", CASES["c-200"]), "locked", (), "complete training for rm-new"
    )
    _check(vis.can_view_case("rm-new", CASES["c-100"]), "locked", (), None)
    trained = bo.Visibility(org.complete_training("rm-new"))
    assert trained.can_view_case("rm-new", CASES["c-200"]).allowed


def test_inactive_org_wide_user_sees_nothing() -> None:
    org = ORG.add_user("admin-2", email="a2@acme-ortho.example", role="admin").deactivate("admin-2")
    vis = bo.Visibility(org)
    _check(vis.can_view_case("admin-2", CASES["c-100"]), "inactive", (), "reactivate admin-2")
    assert vis.visible_cases("admin-2", sample_cases()) == []
    assert "admin-2" not in vis.case_viewers(CASES["c-100"])


EDIT_TABLE = [
    ("owner", "c-101", "org-wide", ("owner", "c-101"), None),
    ("rep-a1", "c-100", "representative", ("rep-a1", "c-100"), None),
    ("rep-a2", "c-100", "sub-rep-read-only", (), None),
    ("rep-a1", "c-101", "case-closed", (), None),
    ("dist-a", "c-100", "distributor-of-representative", ("dist-a", "rep-a1", "c-100"), None),
    ("dist-a", X_SUB_A2, "distributor-of-sub-rep", ("dist-a", "rep-a2", "x-1"), None),
    ("dist-a", X_DIST_SUB, "sub-rep", ("dist-a", "x-2"), None),
    ("dist-b", "c-201", "case-closed", (), None),
    ("rm-west", "c-100", "regional-manager-of-representative", ("rm-west", "west", "rep-a1", "c-100"), None),
    ("rm-west", "c-400", "case-closed", (), None),
    ("fm-mercy", "c-500", "representative", ("fm-mercy", "c-500"), None),
    ("fm-mercy", "c-100", "facility-read-only", (), None),
    # adding the facility would let it view, not edit: no suggestion
    ("fm-mercy", "c-200", "not-at-managed-facility", (), None),
    ("wh-quarantine", X_WH, "custodian-only", (), "turn off custodian-only for wh-quarantine"),
    ("wh-quarantine", X_WH_PAID, "case-closed", (), None),
    ("rep-gone", X_GONE, "inactive", (), "reactivate rep-gone"),
    ("rep-gone", "c-400", "inactive", (), None),  # reactivated, it would meet a closed case
    ("rep-new", X_NEW, "locked", (), "complete training for rep-new"),
    ("rm-west", bo.Case("x-10", "rep-b1", sub_rep="rep-gone"), "regional-manager-of-sub-rep", ("rm-west", "west", "rep-gone", "x-10"), None),
    ("dist-a", "c-200", "not-in-group", (), "move rep-b1 from dist-b to dist-a"),
    ("nobody", "c-100", "unknown-user", (), None),
]  # fmt: skip


@pytest.mark.parametrize(("user", "case", "reason", "path", "fix"), EDIT_TABLE)
def test_edit_decision_table(
    user: str, case: str | bo.Case, reason: str, path: tuple[str, ...], fix: str | None
) -> None:
    _check(VIS.can_edit_case(user, _case(case)), reason, path, fix)


ALLOW_REOPEN = "allow field users to reopen cases"
UNCUSTODIAN = "turn off custodian-only for wh-quarantine"

# (user, case, (reason, path, suggestion) with reopening off, the same with it on)
REOPEN_TABLE = [
    ("owner", "c-100", ("case-open", (), None), ("case-open", (), None)),
    ("owner", "c-101", ("org-wide", ("owner", "c-101"), None), ("org-wide", ("owner", "c-101"), None)),
    ("rep-a1", "c-100", ("case-open", (), None), ("case-open", (), None)),
    ("rep-a1", "c-101", ("reopen-disabled", (), ALLOW_REOPEN), ("representative", ("rep-a1", "c-101"), None)),
    ("rep-a2", X_SUB_PAID, ("sub-rep-read-only", (), None), ("sub-rep-read-only", (), None)),
    ("dist-b", "c-201", ("reopen-disabled", (), ALLOW_REOPEN), ("distributor-of-representative", ("dist-b", "rep-b2", "c-201"), None)),
    # The setting names sales and distributor users: regional and facility managers never reopen.
    ("rm-west", "c-400", ("reopen-not-for-role", (), None), ("reopen-not-for-role", (), None)),
    ("fm-mercy", "c-201", ("reopen-not-for-role", (), None), ("reopen-not-for-role", (), None)),
    ("fm-mercy", bo.Case("x-12", "fm-mercy", status="closed"), ("reopen-not-for-role", (), None), ("reopen-not-for-role", (), None)),
    ("wh-quarantine", X_WH_PAID, ("custodian-only", (), None), ("custodian-only", (), UNCUSTODIAN)),
    ("dist-a", "c-201", ("not-in-group", (), None), ("not-in-group", (), "move rep-b2 from dist-b to dist-a")),
    ("rep-gone", "c-400", ("inactive", (), None), ("inactive", (), "reactivate rep-gone")),
    ("rep-gone", X_GONE, ("inactive", (), None), ("inactive", (), None)),  # open: nothing to reopen
    ("fm-mercy", bo.Case("x-11", "rep-b1", facility="st-lukes", status="paid"), ("not-at-managed-facility", (), None), ("not-at-managed-facility", (), None)),
    ("nobody", "c-101", ("unknown-user", (), None), ("unknown-user", (), None)),
]  # fmt: skip

VIS_REOPEN = bo.Visibility(_org(reopen=True))


@pytest.mark.parametrize(("user", "case", "when_off", "when_on"), REOPEN_TABLE)
def test_reopen_decision_table(
    user: str,
    case: str | bo.Case,
    when_off: tuple[str, tuple[str, ...], str | None],
    when_on: tuple[str, tuple[str, ...], str | None],
) -> None:
    _check(VIS.can_reopen_case(user, _case(case)), *when_off)
    _check(VIS_REOPEN.can_reopen_case(user, _case(case)), *when_on)


REPORT_TABLE = [
    ("owner", "rep-b1", "org-wide", ("owner", "rep-b1"), None),
    ("rep-a1", "rep-a1", "self", ("rep-a1",), None),
    ("rep-a1", "rep-a2", "not-self", (), None),
    ("dist-a", "rep-a2", "distributor-of-rep", ("dist-a", "rep-a2"), None),
    ("dist-a", "dist-a", "self", ("dist-a",), None),
    ("dist-a", "rep-solo", "not-in-group", (), "assign rep-solo to dist-a"),
    ("dist-a", "rep-b1", "not-in-group", (), "move rep-b1 from dist-b to dist-a"),
    ("dist-a", "fm-mercy", "not-in-group", (), None),
    ("rm-central", "rep-a2", "regional-manager-of-member", ("rm-central", "central", "rep-a2"), None),
    ("rm-central", "rep-b1", "not-in-managed-region", (), "set rep-b1's region to central"),
    ("rm-central", "admin-1", "not-in-managed-region", (), None),
    ("fm-mercy", "fm-mercy", "self", ("fm-mercy",), None),
    ("fm-mercy", "rep-a1", "not-self", (), None),
    ("wh-quarantine", "wh-quarantine", "custodian-only", (), UNCUSTODIAN),
    ("wh-quarantine", "rep-a1", "custodian-only", (), None),
    ("rep-new", "rep-new", "locked", (), "complete training for rep-new"),
    ("rep-gone", "rep-gone", "inactive", (), "reactivate rep-gone"),
    ("nobody", "rep-a1", "unknown-user", (), None),
    ("rep-a1", "nobody", "unknown-user", (), None),
]  # fmt: skip


@pytest.mark.parametrize(("user", "about", "reason", "path", "fix"), REPORT_TABLE)
def test_report_decision_table(
    user: str, about: str, reason: str, path: tuple[str, ...], fix: str | None
) -> None:
    _check(VIS.can_pull_reports(user, about), reason, path, fix)


def test_regional_manager_of_no_region_is_told_to_take_the_members_region() -> None:
    org = ORG.add_user("rm-new", email="rm.new@acme-ortho.example", role="regional_manager")
    vis = bo.Visibility(org.complete_training("rm-new"))
    decision = vis.can_view_case("rm-new", CASES["c-200"])
    _check(decision, "not-in-managed-region", (), "make rm-new the manager of region east")
    assert vis.can_pull_reports("rm-new", "rep-b1").suggestion == (
        "make rm-new the manager of region east"
    )


# --- lists ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("owner", ["c-100", "c-101", "c-102", "c-200", "c-201", "c-300", "c-400", "c-500"]),
        ("dist-a", ["c-100", "c-101", "c-102"]),
        ("dist-b", ["c-200", "c-201"]),
        ("rep-a2", ["c-100"]),
        ("rep-b2", ["c-200", "c-201"]),
        ("rm-west", ["c-100", "c-101", "c-102", "c-400"]),
        ("rm-central", ["c-100", "c-300"]),
        ("fm-mercy", ["c-100", "c-102", "c-201", "c-400", "c-500"]),
        ("rep-gone", []),
        ("rep-new", []),
        ("wh-quarantine", []),
        ("nobody", []),
    ],
)
def test_visible_cases_keeps_order_and_matches_can_view(user: str, expected: list[str]) -> None:
    cases = sample_cases()
    assert [c.id for c in VIS.visible_cases(user, cases)] == expected
    assert [c.id for c in VIS.visible_cases(user, iter(cases))] == expected
    assert [c.id for c in cases if VIS.can_view_case(user, c)] == expected
    assert VIS.viewable(user, list(cases)) == [c.id in expected for c in cases]


def test_visible_cases_of_a_custodian_only_user_are_its_own() -> None:
    cases = [X_WH, X_WH_SUB, X_WH_PAID, CASES["c-100"]]
    assert VIS.visible_cases("wh-quarantine", cases) == [X_WH, X_WH_PAID]


def test_visible_cases_returns_the_objects_passed_in() -> None:
    rows = [Row("r1", "rep-a1"), Row("r2", "rep-b1")]
    assert VIS.visible_cases("dist-a", rows)[0] is rows[0]
    assert VIS.visible_cases("dist-a", rows) == [rows[0]]


@pytest.mark.parametrize("case", [*sample_cases(), X_SUB_A2, X_DIST_SUB, X_WH, X_WH_SUB])
def test_case_viewers_are_exactly_the_users_who_can_view(case: bo.Case) -> None:
    expected = {u for u in ORG.users if VIS.can_view_case(u, case)}
    assert VIS.case_viewers(case) == expected
    assert bo.Visibility(ORG).case_viewers(case) == expected  # a fresh one indexes the same


def test_case_viewers_of_a_case_of_unknown_users_are_the_org_wide_ones() -> None:
    case = bo.Case("x", "ghost", sub_rep="phantom", facility="nowhere")
    assert VIS.case_viewers(case) == {"owner", "admin-1", "ops-1"}


# --- the org as it is now ---------------------------------------------------------------------------


def test_a_rep_who_leaves_takes_its_cases_out_of_the_old_distributors_view() -> None:
    before = bo.Visibility(ORG)
    after = bo.Visibility(ORG.unassign_rep("rep-a1"))
    case = CASES["c-101"]
    assert before.can_view_case("dist-a", case)
    _check(after.can_view_case("dist-a", case), "not-in-group", (), "assign rep-a1 to dist-a")
    assert "dist-a" not in after.case_viewers(case)
    assert after.can_pull_reports("dist-a", "rep-a1").reason == "not-in-group"
    # its own view is unchanged: the rep keeps its cases
    assert after.can_view_case("rep-a1", case).reason == "representative"


def test_moving_a_rep_to_another_region_moves_its_cases_to_that_manager() -> None:
    vis = bo.Visibility(ORG.set_region("rep-a1", "east"))
    case = CASES["c-101"]
    assert vis.can_view_case("rm-east", case).path == ("rm-east", "east", "rep-a1", "c-101")
    assert vis.can_view_case("rm-west", case).reason == "not-in-managed-region"


# --- cases from the caller's own rows ----------------------------------------------------------------


@dataclasses.dataclass
class Row:
    id: str
    representative: str
    sub_rep: str | None = None
    facility: str | None = None
    status: str = "open"


def test_any_object_with_the_case_attributes_is_a_case() -> None:
    row = Row("c-100", "rep-a1", "rep-a2", "mercy-general", "open")
    for user in ORG.users:
        for ask in ("can_view_case", "can_edit_case", "can_reopen_case"):
            assert getattr(VIS, ask)(user, row) == getattr(VIS, ask)(user, CASES["c-100"])
    paid = Row("c-101", "rep-a1", None, "st-lukes", "paid")
    assert VIS.can_edit_case("rep-a1", paid).reason == "case-closed"
    assert VIS.case_viewers(row) == VIS.case_viewers(CASES["c-100"])


class _NoStatus:
    id = "c-1"
    representative = "rep-a1"
    sub_rep = None
    facility = None


@pytest.mark.parametrize(
    ("case", "words"),
    [
        (_NoStatus(), "has no 'status' attribute"),
        (None, "has no 'id' attribute"),
        (Row("c-1", "rep-a1", status="done"), "'done' is not a case status"),
        (Row("c-1", "rep-a1", sub_rep="rep-a1"), "also its representative"),
        (Row("c-1", 42), "'representative' must be a non-empty string"),  # type: ignore[arg-type]
        (Row("", "rep-a1"), "'id' must be a non-empty string"),
    ],
)
def test_a_malformed_case_raises_naming_the_problem(case: object, words: str) -> None:
    for ask in (VIS.can_view_case, VIS.can_edit_case, VIS.can_reopen_case):
        with pytest.raises(bo.InvalidValueError, match=words):
            ask("owner", case)  # type: ignore[arg-type]
    with pytest.raises(bo.InvalidValueError, match=words):
        VIS.visible_cases("nobody", [CASES["c-100"], case])  # type: ignore[list-item]
    with pytest.raises(bo.InvalidValueError, match=words):
        VIS.case_viewers(case)  # type: ignore[arg-type]


class _StrId(str):
    pass


@pytest.mark.parametrize(
    ("case", "words"),
    [
        (Row("c-1", "rep-a1", status=["open"]), "is not a case status"),  # type: ignore[arg-type]
        (Row("c-1", "rep-a1", facility=""), "'facility' must be a non-empty string or None"),
        (Row("c-1", "rep-a1", sub_rep=7), "'sub_rep' must be a non-empty string or None"),  # type: ignore[arg-type]
        (Row(None, "rep-a1"), "'id' must be a non-empty string"),  # type: ignore[arg-type]
    ],
)
def test_a_row_read_in_place_is_checked_as_a_case_would_be(case: object, words: str) -> None:
    for ask in (VIS.can_view_case, VIS.can_edit_case, VIS.can_reopen_case):
        with pytest.raises(bo.InvalidValueError, match=words):
            ask("owner", case)  # type: ignore[arg-type]
    with pytest.raises(bo.InvalidValueError, match=words):
        VIS.case_viewers(case)  # type: ignore[arg-type]
    with pytest.raises(bo.InvalidValueError, match=words):
        VIS.viewable("owner", [case])  # type: ignore[list-item]
    with pytest.raises(bo.InvalidValueError, match=words):
        bo.Case(  # the same message from Case itself
            case.id,  # type: ignore[attr-defined]
            case.representative,  # type: ignore[attr-defined]
            sub_rep=case.sub_rep,  # type: ignore[attr-defined]
            facility=case.facility,  # type: ignore[attr-defined]
            status=case.status,  # type: ignore[attr-defined]
        )


def test_a_row_with_str_subclass_ids_is_answered_as_its_case() -> None:
    row = Row(_StrId("c-100"), _StrId("rep-a1"), _StrId("rep-a2"), "mercy-general", "open")
    for user in ORG.users:
        for ask in ("can_view_case", "can_edit_case", "can_reopen_case"):
            assert getattr(VIS, ask)(user, row) == getattr(VIS, ask)(user, CASES["c-100"])


def test_a_row_is_read_when_asked_not_remembered() -> None:
    # The same row object, changed between questions: each answer reads the fields as they are.
    row = Row("c-9", "rep-a1")
    assert VIS.can_view_case("dist-a", row).reason == "distributor-of-representative"
    assert VIS.can_edit_case("dist-a", row).allowed
    row.representative = "rep-b1"
    assert VIS.can_view_case("dist-a", row).reason == "not-in-group"
    row.representative, row.status = "rep-a1", "paid"
    assert VIS.can_edit_case("dist-a", row).reason == "case-closed"


def test_nothing_is_remembered_per_question() -> None:
    # After many questions about new case objects, the Visibility holds no reference to any of
    # them (so nothing keyed by the question is kept), and a new case with an old id is answered
    # from its own fields.
    vis = bo.Visibility(ORG)
    users = [*sorted(ORG.users), "nobody"]
    refs = []
    for i in range(300):
        spec = sample_cases()[i % 8]
        case = bo.Case(f"q-{i % 40}", spec.representative, sub_rep=spec.sub_rep,
                       facility=spec.facility, status=spec.status)  # fmt: skip
        refs.append(weakref.ref(case))
        for user in users:
            for ask in (vis.can_view_case, vis.can_edit_case, vis.can_reopen_case):
                assert ask(user, case) == getattr(VIS, ask.__name__)(user, case)
        vis.viewable(users[i % len(users)], [case])
        vis.case_viewers(case)
        del case
    gc.collect()
    assert [r for r in refs if r() is not None] == []
    # per-user compiled look-ups only, one per known user and permission
    compiled = vis._compiled
    for kept in (*compiled.looks.values(), *compiled.derived.values()):
        assert set(kept) <= set(ORG.users)
    assert vis.can_view_case("dist-a", bo.Case("q-1", "rep-b1")).reason == "not-in-group"
    assert vis.can_view_case("dist-a", bo.Case("q-1", "rep-a1")).allowed


@pytest.mark.parametrize("user_id", [None, 42, ["rep-a1"], b"rep-a1"])
def test_a_user_id_that_is_not_a_string_raises(user_id: object) -> None:
    for ask in (VIS.can_view_case, VIS.can_edit_case, VIS.can_reopen_case):
        with pytest.raises(bo.InvalidValueError, match="user id must be a string"):
            ask(user_id, CASES["c-100"])  # type: ignore[arg-type]
    with pytest.raises(bo.InvalidValueError):
        VIS.visible_cases(user_id, sample_cases())  # type: ignore[arg-type]
    with pytest.raises(bo.InvalidValueError, match="'user_id' must be a string"):
        VIS.can_pull_reports(user_id, "rep-a1")  # type: ignore[arg-type]
    with pytest.raises(bo.InvalidValueError, match="'about_user_id' must be a string"):
        VIS.can_pull_reports("rep-a1", user_id)  # type: ignore[arg-type]


def test_visibility_checks_its_arguments() -> None:
    with pytest.raises(bo.InvalidValueError, match="needs an Org"):
        bo.Visibility({})  # type: ignore[arg-type]
    with pytest.raises(bo.InvalidValueError, match="memo_size"):
        bo.Visibility(ORG, memo_size=-1)
    with pytest.warns(DeprecationWarning, match="memo_size"):
        bo.Visibility(ORG, memo_size=10)
    assert repr(bo.Visibility(ORG)).startswith("<Visibility of <Org: ")


# --- nothing remembered per question ---------------------------------------------------------------


def test_asking_again_gives_an_equal_decision() -> None:
    vis = bo.Visibility(ORG)
    first = vis.can_view_case("dist-a", CASES["c-100"])
    assert vis.can_view_case("dist-a", CASES["c-100"]) == first
    assert vis.can_edit_case("dist-a", CASES["c-100"]) == first
    denial = vis.can_view_case("dist-b", CASES["c-100"])
    assert vis.can_view_case("dist-b", CASES["c-100"]) == denial


@pytest.mark.filterwarnings("ignore:Visibility\\(memo_size:DeprecationWarning")
@pytest.mark.parametrize("memo_size", [None, 0, 1, 3])
def test_answers_do_not_depend_on_the_deprecated_memo_size(memo_size: int | None) -> None:
    vis = bo.Visibility(ORG, memo_size=memo_size)
    cases = [*sample_cases(), X_SUB_A2, X_DIST_SUB, X_WH, X_WH_SUB, X_WH_PAID]
    for _ in range(2):
        for user in [*ORG.users, "nobody"]:
            for case in cases:
                for ask in ("can_view_case", "can_edit_case", "can_reopen_case"):
                    assert getattr(vis, ask)(user, case) == getattr(VIS, ask)(user, case)


def test_viewable_by_agrees_with_can_view_case() -> None:
    org = sample_org().complete_training("rm-west").complete_training("rm-central")
    vis = bo.Visibility(org)
    users = [*sorted(org.users), "nobody"]
    for case in sample_cases():
        expected = [vis.can_view_case(u, case).allowed for u in users]
        assert vis.viewable_by(users, case) == expected
        assert vis.viewable_by(iter(users), case) == expected
    assert vis.viewable_by([["not", "hashable"], "dist-a"], sample_cases()[0]) == [False, True]  # type: ignore[list-item]


def test_a_grant_built_directly_is_the_decision_its_constructor_gives() -> None:
    from beacon_org.rules._compile import grant as _grant

    built = _grant("representative", ("rep-a1", "c-1"))
    made = bo.Decision(allowed=True, reason="representative", path=("rep-a1", "c-1"))
    assert built == made
    assert hash(built) == hash(made)
    assert repr(built) == repr(made)
    assert str(built) == str(made)
    assert type(built) is bo.Decision
    assert bool(built)
