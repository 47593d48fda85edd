"""check_setup: one example per finding code, written from the setup guide and the domain doc."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.rules import SETUP_CODES, is_personal_email
from beacon_org.testing import sample_cases, sample_items, sample_org
from beacon_org.testing.strategies import cases, items, orgs

RECORDS = ("mercy-general", "dr-okafor")


def clean_org() -> bo.Org:
    """A group set up exactly as the guide says: check_setup finds nothing."""
    org = (
        bo.Org()
        .add_user("owner", email="owner@acme.example", role="primary_admin")
        .add_user("rm-w", email="rm.west@acme.example", role="regional_manager")
        .add_region("west", name="West", states=["CA"], manager="rm-w")
        .add_user("dist-a", email="orders@acme.example", role="distributor", region="west")
        .add_user("rep-a1", email="ann@acme.example", role="sales", region="west")
        .add_user("rep-a2", email="andy@acme.example", role="sales", region="west")
        .assign_rep("rep-a1", "dist-a")
        .assign_rep("rep-a2", "dist-a")
        .set_shared_inventory("dist-a", True)
    )
    for uid in ("rm-w", "dist-a", "rep-a1", "rep-a2"):
        org = org.complete_training(uid).assign_directory_records(uid, RECORDS)
    return org


CLEAN_ITEMS = (bo.InventoryItem("kit-1", "dist-a"), bo.InventoryItem("kit-2", bo.ORG_CUSTODY))


def codes(findings: list[bo.Finding]) -> set[tuple[str, str]]:
    return {(f.code, f.subject) for f in findings}


def test_a_group_set_up_as_the_guide_says_has_no_findings() -> None:
    assert bo.check_setup(clean_org(), CLEAN_ITEMS) == []


def with_user(org: bo.Org, user_id: str, role: str, **fields: object) -> bo.Org:
    trained = fields.pop("trained", True)
    records = fields.pop("records", RECORDS)
    org = org.add_user(user_id, email=f"{user_id}@acme.example", role=role, **fields)  # type: ignore[arg-type]
    if trained:
        org = org.complete_training(user_id)
    if records:
        org = org.assign_directory_records(user_id, records)  # type: ignore[arg-type]
    return org


# --- one example per code -------------------------------------------------------------------------

# "Distributor groups are set up by linking sales reps with a distributor who manages them."
ORG_CASES: list[tuple[str, object, str]] = [
    ("no-primary-admin", lambda o: o.deactivate("owner"), bo.ORG_CUSTODY),
    ("rep-without-group", lambda o: o.unassign_rep("rep-a2"), "rep-a2"),
    (
        "distributor-without-reps",
        lambda o: with_user(o, "dist-c", "distributor", region="west"),
        "dist-c",
    ),
    ("distributor-inactive", lambda o: o.deactivate("dist-a"), "dist-a"),
    (
        "user-locked",
        lambda o: with_user(o, "rep-n", "sales", region="west", trained=False).assign_rep(
            "rep-n", "dist-a"
        ),
        "rep-n",
    ),
    (
        "user-without-directory-records",
        lambda o: o.remove_directory_records("rep-a1", RECORDS),
        "rep-a1",
    ),
    ("user-without-region", lambda o: o.set_region("rep-a1", None), "rep-a1"),
    ("region-without-manager", lambda o: o.set_region_manager("west", None), "west"),
    ("manager-without-region", lambda o: with_user(o, "rm-e", "regional_manager"), "rm-e"),
    (
        "facility-manager-without-facility",
        lambda o: with_user(o, "fm-x", "facility_manager"),
        "fm-x",
    ),
    ("shared-inventory-off", lambda o: o.set_shared_inventory("dist-a", False), "dist-a"),
    (
        "distributor-cannot-enter-cases",
        lambda o: o.update_user("dist-a", custodian_only=True),
        "rep-a1",
    ),
    (
        "distributor-personal-email",
        lambda o: o.add_user(
            "dist-p", email="pat.jones@gmail.com", role="distributor", region="west"
        ),
        "dist-p",
    ),
]


@pytest.mark.parametrize(("code", "change", "subject"), ORG_CASES, ids=[c[0] for c in ORG_CASES])
def test_each_org_finding_code_from_one_change(code: str, change: object, subject: str) -> None:
    org = change(clean_org())  # type: ignore[operator]
    findings = bo.check_setup(org, CLEAN_ITEMS)
    assert (code, subject) in codes(findings)
    found = next(f for f in findings if f.code == code)
    assert found.severity is SETUP_CODES[code]
    assert subject in found.message or code == "no-primary-admin"


def test_deactivating_the_distributor_reports_it_not_its_setup() -> None:
    # A deactivated account is out of use: no "locked" or "no records" findings about it.
    org = clean_org().deactivate("dist-a")
    assert codes(bo.check_setup(org)) == {("distributor-inactive", "dist-a")}


def test_locked_user_also_reported_without_directory_records_but_not_org_wide_users() -> None:
    org = with_user(clean_org(), "adm", "admin", trained=False, records=())
    assert bo.check_setup(org, CLEAN_ITEMS) == []
    org = with_user(clean_org(), "rep-n", "sales", region="west", trained=False, records=())
    assert codes(bo.check_setup(org)) >= {
        ("user-locked", "rep-n"),
        ("user-without-directory-records", "rep-n"),
        ("rep-without-group", "rep-n"),
    }


def test_custodian_only_warehouse_needs_no_group_region_or_records() -> None:
    org = with_user(clean_org(), "wh", "sales", custodian_only=True, records=())
    assert bo.check_setup(org, [*CLEAN_ITEMS, bo.InventoryItem("ret-1", "wh")]) == []


def test_a_distributor_that_cannot_enter_its_reps_cases_is_reported_per_rep() -> None:
    # "if a back-office person [...] will be entering cases on behalf of all of the sales reps
    # in the distributorship, then it may make sense to make them the distributor"
    org = clean_org().update_user("dist-a", custodian_only=True)
    found = [f for f in bo.check_setup(org) if f.code == "distributor-cannot-enter-cases"]
    assert [f.subject for f in found] == ["rep-a1", "rep-a2"]
    assert found[0].message.endswith("(custodian-only): turn off custodian-only for dist-a")
    # a rep who does not use the system: the distributor enters its cases, at its records
    silent = with_user(clean_org(), "rep-c", "sales", custodian_only=True, records=())
    silent = silent.assign_rep("rep-c", "dist-a")
    assert codes(bo.check_setup(silent, CLEAN_ITEMS)) == {
        ("distributor-cannot-enter-cases", "rep-c")
    }
    assert bo.check_setup(silent.assign_directory_records("rep-c", RECORDS), CLEAN_ITEMS) == []
    # a deactivated distributor is distributor-inactive's finding; a rep without records, which
    # is not custodian-only, user-without-directory-records'
    assert "distributor-cannot-enter-cases" not in {
        f.code for f in bo.check_setup(clean_org().deactivate("dist-a"))
    }
    bare = clean_org().remove_directory_records("rep-a1", RECORDS)
    assert "distributor-cannot-enter-cases" not in {f.code for f in bo.check_setup(bare)}


def test_readiness_asks_records_of_a_custodian_only_rep_its_distributor_enters_cases_for() -> None:
    org = with_user(clean_org(), "rep-c", "sales", custodian_only=True, records=())
    org = org.assign_rep("rep-c", "dist-a")
    r = bo.readiness(org, "dist-a", CLEAN_ITEMS)
    assert [s.name for s in r.missing] == ["user-setup"]
    assert r.missing[0].detail == "rep-c: no directory records, so dist-a cannot enter its cases"
    assert bo.readiness(org.assign_directory_records("rep-c", RECORDS), "dist-a", CLEAN_ITEMS)


def test_region_without_manager_says_how_many_it_leaves_unwatched() -> None:
    findings = bo.check_setup(clean_org().set_region_manager("west", None))
    (found,) = [f for f in findings if f.code == "region-without-manager"]
    assert "3 member(s)" in found.message


# --- items ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "code"),
    [
        (bo.InventoryItem("i1", "nobody"), "item-held-by-unknown-user"),
        (bo.InventoryItem("i1", "rm-w"), "item-held-by-non-holder"),
        (bo.InventoryItem("i1", "owner"), "item-held-by-non-holder"),
        (bo.InventoryItem("i1", "rep-a1"), "item-held-by-rep-of-sharing-distributor"),
    ],
)
def test_each_item_finding_code(item: bo.InventoryItem, code: str) -> None:
    findings = bo.check_setup(clean_org(), [item])
    assert [(f.code, f.subject) for f in findings] == [(code, "i1")]
    assert findings[0].severity is SETUP_CODES[code]


def test_item_held_by_deactivated_user_is_an_error() -> None:
    org = clean_org().deactivate("rep-a1")
    findings = bo.check_setup(org, [bo.InventoryItem("i1", "rep-a1")])
    assert ("item-held-by-deactivated-user", "i1") in codes(findings)
    assert findings[0].severity is bo.Severity.ERROR


def test_sharing_advice_only_for_active_items_of_a_sharing_group() -> None:
    # "If this setting is enabled, it is recommended to transfer inventory only to the Distributor
    # account, unless the inventory should only be used by a certain user."
    used = bo.InventoryItem("i1", "rep-a1", active=False)
    assert bo.check_setup(clean_org(), [used]) == []
    off = clean_org().set_shared_inventory("dist-a", False)
    assert codes(bo.check_setup(off, [bo.InventoryItem("i1", "rep-a1")])) == {
        ("shared-inventory-off", "dist-a")
    }


def test_items_may_be_any_objects_with_the_same_attributes() -> None:
    row = SimpleNamespace(id="i9", custodian="rm-w", active=True, expires=None)
    assert codes(bo.check_setup(clean_org(), [row])) == {("item-held-by-non-holder", "i9")}


@pytest.mark.parametrize(
    ("items", "needle"),
    [
        ([object()], "has no 'id'"),
        (
            [SimpleNamespace(id="i1", active=True)],
            "item 'i1' has no 'custodian' attribute",
        ),
        (
            [SimpleNamespace(id=5, custodian="x", active=True)],
            "item #0: 'id' must be a non-empty string (got 5)",
        ),
        (7, "'items' must be an iterable"),
        ("kit-1", "'items' must be an iterable"),
    ],
)
def test_bad_items_raise_an_org_error_naming_the_item(items: object, needle: str) -> None:
    with pytest.raises(bo.InvalidValueError) as info:
        bo.check_setup(clean_org(), items)  # type: ignore[arg-type]
    assert needle in str(info.value)


def test_a_non_org_raises_an_org_error() -> None:
    with pytest.raises(bo.OrgError, match="needs an Org"):
        bo.check_setup({"users": []})  # type: ignore[arg-type]


# --- cases: sub-reps ------------------------------------------------------------------------------


def test_sub_rep_of_the_same_group_is_fine_and_distributor_counts_as_the_group() -> None:
    cases = [
        bo.Case("c1", "rep-a1", sub_rep="rep-a2"),
        bo.Case("c2", "dist-a", sub_rep="rep-a1"),
        bo.Case("c3", "rep-a1", sub_rep="dist-a"),
        bo.Case("c4", "rep-a1"),
    ]
    assert bo.check_setup(clean_org(), cases=cases) == []


def test_sub_rep_outside_the_representatives_group() -> None:
    org = with_user(clean_org(), "dist-b", "distributor", region="west")
    org = with_user(org, "rep-b1", "sales", region="west").assign_rep("rep-b1", "dist-b")
    org = with_user(org, "rep-solo", "sales", region="west")
    cases = [
        bo.Case("c1", "rep-a1", sub_rep="rep-b1"),
        bo.Case("c2", "rep-solo", sub_rep="rep-a1"),
        bo.Case("c3", "rep-a1", sub_rep="rep-solo"),
    ]
    findings = [f for f in bo.check_setup(org, cases=cases) if f.code.startswith("sub-rep")]
    assert codes(findings) == {
        ("sub-rep-outside-group", "c1"),
        ("sub-rep-outside-group", "c2"),
        ("sub-rep-outside-group", "c3"),
    }
    assert "no distributor group" in next(f.message for f in findings if f.subject == "c2")


def test_inactive_and_unknown_people_on_cases() -> None:
    org = clean_org().deactivate("rep-a2")
    cases = [bo.Case("c1", "rep-a1", sub_rep="rep-a2"), bo.Case("c2", "ghost", sub_rep="rep-a1")]
    findings = [f for f in bo.check_setup(org, cases=cases) if f.subject in {"c1", "c2"}]
    assert codes(findings) == {("sub-rep-inactive", "c1"), ("case-unknown-user", "c2")}
    assert next(f for f in findings if f.subject == "c2").severity is bo.Severity.ERROR


def test_bad_case_rows_raise_an_org_error() -> None:
    with pytest.raises(bo.InvalidValueError, match="has no 'representative'"):
        bo.check_setup(clean_org(), cases=[SimpleNamespace(id="c1")])
    with pytest.raises(bo.InvalidValueError, match="'cases' must be an iterable"):
        bo.check_setup(clean_org(), cases=3)  # type: ignore[arg-type]


# --- the sample org and email heuristics ----------------------------------------------------------


def test_sample_org_findings() -> None:
    findings = bo.check_setup(sample_org(), sample_items(), cases=sample_cases())
    found = codes(findings)
    assert ("item-held-by-deactivated-user", "kit-gone") in found
    assert ("rep-without-group", "rep-solo") in found
    assert ("user-locked", "rep-new") in found
    assert ("distributor-personal-email", "dist-b") in found
    assert ("distributor-personal-email", "dist-a") not in found
    assert ("item-held-by-rep-of-sharing-distributor", "drill-a1") in found
    # the quarantine warehouse is custodian-only: it needs no group, region or records
    assert not any(subject == "wh-quarantine" for _, subject in found)
    severities = [f.severity for f in findings]
    order = [bo.Severity.ERROR, bo.Severity.WARNING, bo.Severity.ADVICE]
    assert severities == sorted(severities, key=order.index)


@pytest.mark.parametrize(
    ("email", "personal"),
    [
        ("orders@acme.example", False),
        ("customerservice@acme.example", False),
        ("customer.service@acme.example", False),
        ("info@bakermed.example", False),
        ("bob.baker@bakermed.example", True),
        ("bbaker@bakermed.example", True),
        ("orders@gmail.com", True),
        ("bob@yahoo.com", True),
    ],
)
def test_personal_looking_emails(email: str, personal: bool) -> None:
    assert is_personal_email(email) is personal


# --- properties -----------------------------------------------------------------------------------


@st.composite
def org_items_cases(draw: st.DrawFn) -> tuple[bo.Org, list[bo.InventoryItem], list[bo.Case]]:
    org = draw(orgs(max_users=12))
    its = draw(st.lists(items(org), max_size=8, unique_by=lambda i: i.id))
    cs = draw(st.lists(cases(org), max_size=6, unique_by=lambda c: c.id)) if org.users else []
    return org, its, cs


@given(org_items_cases())
def test_findings_are_documented_sorted_and_about_known_ids(
    data: tuple[bo.Org, list[bo.InventoryItem], list[bo.Case]],
) -> None:
    org, its, cs = data
    findings = bo.check_setup(org, its, cases=cs)
    known = {*org.users, *org.regions, *(i.id for i in its), *(c.id for c in cs), bo.ORG_CUSTODY}
    for f in findings:
        assert f.severity is SETUP_CODES[f.code]
        assert f.subject in known
        assert f.message
    order = [bo.Severity.ERROR, bo.Severity.WARNING, bo.Severity.ADVICE]
    keys = [(order.index(f.severity), f.code, f.subject) for f in findings]
    assert keys == sorted(keys)
    # the answer depends on the data only
    assert bo.check_setup(org, its, cases=cs) == findings


@given(org_items_cases())
def test_errors_about_items_match_who_may_hold(
    data: tuple[bo.Org, list[bo.InventoryItem], list[bo.Case]],
) -> None:
    org, its, _ = data
    errors = {
        f.subject
        for f in bo.check_setup(org, its)
        if f.code.startswith("item-held-by-") and f.severity is bo.Severity.ERROR
    }
    expected = {
        i.id
        for i in its
        if i.custodian != bo.ORG_CUSTODY
        and not (org.users[i.custodian].active and org.users[i.custodian].role.can_hold_inventory)
    }
    assert errors == expected


@given(org_items_cases())
def test_case_entry_findings_name_the_reps_their_distributor_cannot_enter_cases_for(
    data: tuple[bo.Org, list[bo.InventoryItem], list[bo.Case]],
) -> None:
    org = data[0]
    found = {f.subject for f in bo.check_setup(org) if f.code == "distributor-cannot-enter-cases"}
    expected = set()
    for rep_id, rep in org.users.items():
        distributor = org.distributor_of(rep_id)
        if not rep.active or distributor is None or not org.users[distributor].active:
            continue
        if rep.directory_records:
            if not org.users[distributor].can_act:
                expected.add(rep_id)
        elif rep.custodian_only:
            expected.add(rep_id)
    assert found == expected


# --- expiry, judged only on a date given ----------------------------------------------------------

DAY = __import__("datetime").date


def test_expired_item_is_a_warning_only_with_a_date() -> None:
    old = bo.InventoryItem("kit-old", "dist-a", expires=DAY(2020, 1, 31))
    items = (*CLEAN_ITEMS, old)
    assert bo.check_setup(clean_org(), items) == []  # no date: expiry is not judged
    findings = bo.check_setup(clean_org(), items, on=DAY(2026, 6, 1))
    assert [(f.code, f.severity, f.subject) for f in findings] == [
        ("expired-item", bo.Severity.WARNING, "kit-old")
    ]
    assert "expired on 2020-01-31, before 2026-06-01" in findings[0].message
    # usable up to and including the expiry day, as Custody.can_use says
    assert bo.check_setup(clean_org(), items, on=DAY(2020, 1, 31)) == []
    custody = bo.Custody(clean_org(), items)
    assert custody.can_use("rep-a1", "kit-old", on=DAY(2020, 1, 31)).allowed
    assert not custody.can_use("rep-a1", "kit-old", on=DAY(2020, 2, 1)).allowed


def test_readiness_does_not_count_expired_stock() -> None:
    old = bo.InventoryItem("kit-old", "dist-a", expires=DAY(2020, 1, 31))
    assert bo.readiness(clean_org(), "dist-a", [old]).ready  # no date: counted
    later = bo.readiness(clean_org(), "dist-a", [old], on=DAY(2026, 6, 1))
    assert not later.ready
    step = later.steps[-1]
    assert (step.name, step.done) == ("inventory", False)
    assert "no unexpired active item" in step.detail
    assert "not counted: kit-old" in step.detail
    fresh = bo.InventoryItem("kit-new", "rep-a1", expires=DAY(2030, 1, 1))
    assert bo.readiness(clean_org(), "dist-a", [old, fresh], on=DAY(2026, 6, 1)).ready


@pytest.mark.parametrize(
    "on", ["2026-01-01", DAY(2026, 1, 1).toordinal(), __import__("datetime").datetime(2026, 1, 1)]
)
def test_on_must_be_a_date(on: object) -> None:
    with pytest.raises(bo.InvalidValueError, match=r"'on' must be a datetime\.date"):
        bo.check_setup(clean_org(), CLEAN_ITEMS, on=on)  # type: ignore[arg-type]
    with pytest.raises(bo.InvalidValueError, match=r"'on' must be a datetime\.date"):
        bo.readiness(clean_org(), "dist-a", CLEAN_ITEMS, on=on)  # type: ignore[arg-type]


def test_an_item_row_with_a_bad_expiry_is_named() -> None:
    row = SimpleNamespace(id="k", custodian="dist-a", active=True, expires="2020-01-01")
    with pytest.raises(bo.InvalidValueError, match=r"item 'k': 'expires' must be a datetime\.date"):
        bo.check_setup(clean_org(), [row], on=DAY(2026, 1, 1))
    # a row without expires at all never expires
    bare = SimpleNamespace(id="k", custodian="dist-a", active=True)
    assert bo.check_setup(clean_org(), [bare], on=DAY(2026, 1, 1)) == []


@given(orgs(max_users=8), st.data(), st.dates(DAY(2020, 1, 1), DAY(2030, 1, 1)))
def test_expired_item_findings_agree_with_can_use(
    org: bo.Org, data: st.DataObject, on: object
) -> None:
    its = data.draw(st.lists(items(org), max_size=6, unique_by=lambda i: i.id))
    expired = {f.subject for f in bo.check_setup(org, its, on=on) if f.code == "expired-item"}  # type: ignore[arg-type]
    assert expired == {i.id for i in its if i.expires is not None and i.expires < on}
