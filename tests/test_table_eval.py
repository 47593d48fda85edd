"""The in-process evaluator follows the rule table, and the reference model catches a wrong table.

``Visibility`` and ``Custody`` take a rule table (the private ``_rules`` argument, the real table by
default). A copy of the table with one grant planted or edited must (a) change their answers as
the edit says, and (b) when the edit is wrong, disagree with the hand-written reference model of
``tests/test_stateful.py``, which never reads the table: it is the independent check of it.
"""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.rules._table import RULES, SALES, SALES_DIST, Bar, Grant, Permission, RuleTable
from beacon_org.testing import sample_cases, sample_items, sample_org
from beacon_org.testing.strategies import cases, items, orgs
from test_stateful import Reference, RefUser

ORG = sample_org()
CASES = list(sample_cases())
ITEMS = list(sample_items())


def reference_of(org: bo.Org) -> Reference:
    """The reference model holding the same org (built from its public queries)."""
    ref = Reference()
    for user_id, user in org.users.items():
        ref.users[user_id] = RefUser(
            role=user.role.value,
            email=user.email,
            region=user.region,
            facilities=user.facilities,
            records=user.directory_records,
            trained=user.training_complete,
            active=user.active,
            custodian_only=user.custodian_only,
        )
    ref.regions = {region_id: region.manager for region_id, region in org.regions.items()}
    ref.distributor = {u: d for u in org.users if (d := org.distributor_of(u)) is not None}
    ref.sharing = {u for u in org.distributors if org.shares_inventory(u)}
    ref.reopen = org.settings.field_users_can_reopen_cases
    ref.field_transfers = org.settings.field_users_can_transfer
    return ref


def edited(permission: str, change: object) -> RuleTable:
    """A copy of the real table whose ``permission`` is ``change(permission)``."""
    changed = tuple(
        change(p) if p.name == permission else p  # type: ignore[operator]
        for p in RULES.permissions
    )
    return attrs.evolve(RULES, permissions=changed)


def planted(permission: str, grant: Grant) -> RuleTable:
    """A copy of the real table with one more grant of ``permission``."""
    return edited(permission, lambda p: attrs.evolve(p, grants=(*p.grants, grant)))


def replaced(permission: str, which: str, /, **changes: object) -> RuleTable:
    """A copy of the real table with the grants of ``permission`` called ``reason`` changed."""

    def change(p: Permission) -> Permission:
        grants = tuple(attrs.evolve(g, **changes) if g.reason == which else g for g in p.grants)
        return attrs.evolve(p, grants=grants)

    return edited(permission, change)


def case_disagreements(org: bo.Org, some_cases: list[bo.Case], rules: RuleTable) -> set[tuple]:
    vis, ref = bo.Visibility(org, _rules=rules), reference_of(org)
    found = set()
    for user_id in org.users:
        for case in some_cases:
            if bool(vis.can_view_case(user_id, case)) != ref.can_view(user_id, case):
                found.add(("view", user_id, case.id))
            if bool(vis.can_edit_case(user_id, case)) != ref.can_edit(user_id, case):
                found.add(("edit", user_id, case.id))
            if bool(vis.can_reopen_case(user_id, case)) != ref.can_reopen(user_id, case):
                found.add(("reopen", user_id, case.id))
        for about in org.users:
            if bool(vis.can_pull_reports(user_id, about)) != ref.can_pull_reports(user_id, about):
                found.add(("reports", user_id, about))
    return found


def item_disagreements(org: bo.Org, some_items: list[bo.InventoryItem], rules: RuleTable) -> set:
    custody, ref = bo.Custody(org, some_items, _rules=rules), reference_of(org)
    found: set[tuple[str, ...]] = set()
    for user_id in org.users:
        if custody.usable_inventory(user_id) != ref.usable(user_id, some_items, None):
            found.add(("use", user_id))
        if custody.visible_inventory(user_id) != ref.visible(user_id, some_items):
            found.add(("view", user_id))
        for item in some_items:
            for to in (*org.users, bo.ORG_CUSTODY):
                if bool(custody.can_transfer(user_id, item.id, to)) != ref.can_transfer(
                    user_id, item, to
                ):
                    found.add(("move", user_id, item.id, to))
    return found


# --- (b) the real table agrees with the reference model; a wrong grant does not -----------------


def test_the_real_table_agrees_with_the_reference_model_on_the_sample_org() -> None:
    for org in (
        ORG,
        ORG.configure(field_users_can_reopen_cases=True, field_users_can_transfer=False),
    ):
        assert case_disagreements(org, CASES, RULES) == set()
        assert item_disagreements(org, ITEMS, RULES) == set()


@given(orgs(min_users=1, max_users=10), st.data())
def test_the_real_table_agrees_with_the_reference_model_on_random_orgs(
    org: bo.Org, data: st.DataObject
) -> None:
    some_cases = data.draw(st.lists(cases(org), max_size=5, unique_by=lambda c: c.id))
    some_items = data.draw(st.lists(items(org), max_size=5, unique_by=lambda i: i.id))
    assert case_disagreements(org, some_cases, RULES) == set()
    assert item_disagreements(org, some_items, RULES) == set()


WRONG_CASE_RULES = {
    # a sales user sees the cases of its distributor's other reps
    "sales-sees-group-mates": planted(
        "view_case", Grant("group-mate", ("representative", "distributor", "rep"), SALES)
    ),
    # a regional manager edits the closed cases of its members
    "regional-manager-edits-closed-cases": replaced(
        "edit_case", "regional-manager-of-representative", requires=()
    ),
    # a sales sub-rep edits the case
    "sales-sub-rep-edits": replaced("edit_case", "sub-rep", roles=SALES_DIST),
    # a locked user views its own cases
    "locked-users-view": replaced("view_case", "representative", bars=(Bar.INACTIVE,)),
    # a sales rep pulls reports on its group mates
    "sales-reports-on-group-mates": planted(
        "pull_reports", Grant("group-mate", ("distributor", "rep"), SALES)
    ),
}


@pytest.mark.parametrize("name", sorted(WRONG_CASE_RULES))
def test_a_planted_wrong_case_rule_is_caught_by_the_reference_model(name: str) -> None:
    rules = WRONG_CASE_RULES[name]
    org = ORG.complete_training("rep-new")
    locked = ORG  # rep-new is still locked here
    found = case_disagreements(org, CASES, rules) | case_disagreements(locked, CASES, rules)
    found |= case_disagreements(locked, [bo.Case("x-new", "rep-new")], rules)
    assert found, name


WRONG_ITEM_RULES = {
    # a rep uses its distributor's items whether or not the distributor shares them
    "pool-without-sharing": replaced("use_item", "shared-inventory", via=()),
    # a rep sees its distributor's items whether or not the distributor shares them
    "pool-seen-without-sharing": replaced("view_item", "shared-inventory", via=()),
    # a grant dropped: a regional manager no longer moves its members' items
    "regional-manager-moves-nothing": replaced(
        "move_item", "regional-manager-of-member", roles=frozenset()
    ),
}


@pytest.mark.parametrize("name", sorted(WRONG_ITEM_RULES))
def test_a_planted_wrong_item_rule_is_caught_by_the_reference_model(name: str) -> None:
    assert item_disagreements(ORG, ITEMS, WRONG_ITEM_RULES[name]), name


# --- (a) editing a rule in the table changes the Python answers accordingly ---------------------


def test_a_planted_grant_grants_with_its_reason_and_path() -> None:
    vis = bo.Visibility(ORG, _rules=WRONG_CASE_RULES["sales-sees-group-mates"])
    c101 = CASES[1]  # rep-a1's case; rep-a2 is in the same group
    assert bo.Visibility(ORG).can_view_case("rep-a2", c101).reason == "not-own-case"
    decision = vis.can_view_case("rep-a2", c101)
    assert decision == bo.Decision(
        allowed=True, reason="group-mate", path=("rep-a2", "dist-a", "rep-a1", "c-101")
    )
    assert "rep-a2" in vis.case_viewers(c101)
    assert [c.id for c in vis.visible_cases("rep-a2", bo.CaseIndex(CASES))] == ["c-100", "c-101"]


def test_removing_a_grant_takes_its_answers_away() -> None:
    c100 = CASES[0]  # rep-a1's, with rep-a2 (region central) as sub-rep
    assert bo.Visibility(ORG).can_view_case("rm-central", c100).reason == (
        "regional-manager-of-sub-rep"
    )
    rules = edited(
        "view_case",
        lambda p: attrs.evolve(
            p, grants=tuple(g for g in p.grants if g.reason != "regional-manager-of-sub-rep")
        ),
    )
    decision = bo.Visibility(ORG, _rules=rules).can_view_case("rm-central", c100)
    assert decision.reason == "not-in-managed-region"
    assert decision.suggestion == "set rep-a1's region to central"


def test_a_requirement_removed_from_a_grant_lifts_its_denial() -> None:
    paid = CASES[1]  # rep-a1's, paid: closed
    assert bo.Visibility(ORG).can_edit_case("rm-west", paid).reason == "case-closed"
    vis = bo.Visibility(ORG, _rules=WRONG_CASE_RULES["regional-manager-edits-closed-cases"])
    assert vis.can_edit_case("rm-west", paid).path == ("rm-west", "west", "rep-a1", "c-101")
    assert vis.can_edit_case("dist-a", paid).reason == "case-closed"  # its grants still need it


def test_roles_added_to_a_grant_let_them_hold_it() -> None:
    c100 = CASES[0]
    assert bo.Visibility(ORG).can_edit_case("rep-a2", c100).reason == "sub-rep-read-only"
    vis = bo.Visibility(ORG, _rules=WRONG_CASE_RULES["sales-sub-rep-edits"])
    assert vis.can_edit_case("rep-a2", c100) == bo.Decision(
        allowed=True, reason="sub-rep", path=("rep-a2", "c-100")
    )


def test_reason_codes_paths_and_suggestions_come_from_the_table() -> None:
    c100 = CASES[0]
    renamed = replaced("view_case", "distributor-of-representative", reason="group-distributor")
    assert bo.Visibility(ORG, _rules=renamed).can_view_case("dist-a", c100).reason == (
        "group-distributor"
    )
    # a relation that explanations skip drops out of every path through it
    relations = tuple(
        attrs.evolve(r, in_path=False) if r.name == "region" else r for r in RULES.relations
    )
    skipped = attrs.evolve(RULES, relations=relations)
    path = bo.Visibility(ORG, _rules=skipped).can_view_case("rm-west", c100).path
    assert path == ("rm-west", "rep-a1", "c-100")
    # the change a denial suggests is the relation's template
    relations = tuple(
        attrs.evolve(r, moves="hand {source} over from {current} to {target}")
        if r.name == "distributor"
        else r
        for r in RULES.relations
    )
    worded = attrs.evolve(RULES, relations=relations)
    decision = bo.Visibility(ORG, _rules=worded).can_view_case("dist-b", c100)
    assert decision.suggestion == "hand rep-a1 over from dist-a to dist-b"


def test_a_condition_dropped_from_the_pool_opens_it() -> None:
    assert bo.Custody(ORG, ITEMS).can_use("rep-b1", "plate-b-1").reason == "not-shared"
    custody = bo.Custody(ORG, ITEMS, _rules=WRONG_ITEM_RULES["pool-without-sharing"])
    assert custody.can_use("rep-b1", "plate-b-1").path == ("rep-b1", "dist-b", "plate-b-1")
    assert "plate-b-1" in custody.usable_inventory("rep-b1")


def test_a_condition_dropped_from_a_view_grant_shows_the_pool() -> None:
    assert "plate-b-1" not in bo.Custody(ORG, ITEMS).visible_inventory("rep-b1")
    custody = bo.Custody(ORG, ITEMS, _rules=WRONG_ITEM_RULES["pool-seen-without-sharing"])
    assert custody.visible_inventory("rep-b1") == {"plate-b-1", "plate-b1-1"}
    assert "plate-b-1" not in custody.usable_inventory("rep-b1")  # using it still needs sharing


def test_a_table_whose_cases_are_keyed_otherwise_is_refused() -> None:
    reordered = edited("view_case", lambda p: attrs.evolve(p, grants=(p.grants[7], *p.grants[:7])))
    with pytest.raises(bo.InvalidValueError, match="must key cases"):
        bo.Visibility(ORG, _rules=reordered)


def test_who_answers_a_transfer_for_its_recipient_comes_from_the_table() -> None:
    # A transfer from dist-a to rep-a1, started by dist-a: rep-a1 and its distributor answer it
    # (the real table); with a planted grant "a sales user answers for its group mates" rep-a2
    # does too, with that grant's reason and its chain walked back as the path.
    t = bo.Transfer(
        id="t-1", item_ids=["screw-a-1"], sender="dist-a", recipient="rep-a1", started_by="dist-a"
    )
    real = bo.Custody(ORG, ITEMS)
    assert real.can_accept("rep-a1", t).path == ("rep-a1", "t-1")
    assert real.can_accept("dist-a", t).path == ("dist-a", "rep-a1", "t-1")
    assert real.can_accept("rep-a2", t).reason == "not-recipient"
    mates = Grant("group-mate", ("recipient", "distributor", "rep"), SALES)
    wrong = bo.Custody(ORG, ITEMS, _rules=planted("act_for_recipient", mates))
    decision = wrong.can_accept("rep-a2", t)
    assert decision.allowed
    assert decision.reason == "group-mate"
    assert decision.path == ("rep-a2", "dist-a", "rep-a1", "t-1")
    assert wrong.can_decline("rep-a2", t).allowed
    # Taking the distributor's grant away takes its answers away.
    no_distributor = edited(
        "act_for_recipient",
        lambda p: attrs.evolve(
            p, grants=tuple(g for g in p.grants if g.reason != "distributor-of-rep")
        ),
    )
    assert bo.Custody(ORG, ITEMS, _rules=no_distributor).can_accept("dist-a", t).reason == (
        "not-recipient"
    )
