"""The engines' texts are rendered from the rule table, pinned by golden files, and really checked.

The golden files in ``tests/golden/`` hold the SpiceDB schema, the OpenFGA model and the Cedar
schema and policies as rendered from ``RULES``, so a reviewer reads every policy change as a text
diff. After changing the table (or the renderer) on purpose, regenerate them and commit the diff::

    BEACON_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render.py -k golden

A rule edited in a copy of the table changes all three texts; a wrong grant planted in a copy
makes each real engine (SpiceDB in-process, Cedar, OpenFGA's ``fga model test``) disagree with
beacon_org's own answers on the sample org, while the real table's rendering agrees.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable
from pathlib import Path

import attrs
import cedarpy
import pytest

import beacon_org as bo
from beacon_org.export import (
    decode_spicedb_id,
    expected_answers,
    to_cedar,
    to_openfga,
    to_spicedb,
)
from beacon_org.export._render import (
    cedar_policies,
    cedar_schema,
    compile_model,
    openfga_model,
    spicedb_schema,
)
from beacon_org.rules._table import RULES, Condition, Grant, Permission, RuleTable
from beacon_org.testing import sample_cases, sample_items, sample_org
from engines import SpiceDB, count, fga_model_test

GOLDEN = Path(__file__).parent / "golden"
RENDERED: dict[str, Callable[[RuleTable], str]] = {
    "schema.zed": spicedb_schema,
    "model.fga": openfga_model,
    "schema.cedarschema": cedar_schema,
    "policies.cedar": cedar_policies,
}
# On this date screw-a-1 and plate-a-old are past their dates (OpenFGA needs a date to judge
# the items that expire).
ON = datetime.date(2027, 4, 1)
GHOST = "ghost user@nowhere"


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_golden_files_hold_the_rendered_texts(name: str) -> None:
    text = RENDERED[name](RULES)
    path = GOLDEN / name
    if os.environ.get("BEACON_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, (
        f"{name} differs from the rendering of RULES: if the change is meant, regenerate with "
        "BEACON_UPDATE_GOLDEN=1 pytest tests/test_render.py -k golden and review the diff"
    )


def test_the_exports_carry_the_rendered_texts() -> None:
    org = sample_org()
    assert to_spicedb(org).schema == (GOLDEN / "schema.zed").read_text()
    assert to_openfga(org).model == (GOLDEN / "model.fga").read_text()
    cedar = to_cedar(org)
    assert cedar.schema == (GOLDEN / "schema.cedarschema").read_text()
    assert cedar.policies == (GOLDEN / "policies.cedar").read_text()


# --- copies of the table with one rule changed ---------------------------------------------------


def _with_permission(
    rules: RuleTable, name: str, change: Callable[[Permission], Permission]
) -> RuleTable:
    permissions = tuple(change(p) if p.name == name else p for p in rules.permissions)
    assert permissions != rules.permissions
    return attrs.evolve(rules, permissions=permissions)


def _without_grant(rules: RuleTable, permission: str, reason: str) -> RuleTable:
    def drop(p: Permission) -> Permission:
        return attrs.evolve(p, grants=tuple(g for g in p.grants if g.reason != reason))

    return _with_permission(rules, permission, drop)


def _with_grant(rules: RuleTable, permission: str, grant: Grant) -> RuleTable:
    return _with_permission(rules, permission, lambda p: attrs.evolve(p, grants=(*p.grants, grant)))


def _with_roles(rules: RuleTable, permission: str, reason: str, roles: set[bo.Role]) -> RuleTable:
    def change(p: Permission) -> Permission:
        grants = tuple(attrs.evolve(g, roles=roles) if g.reason == reason else g for g in p.grants)
        return attrs.evolve(p, grants=grants)

    return _with_permission(rules, permission, change)


# A sales user views the cases of its distributor's other reps.
SALES_SEE_THEIR_GROUP = _with_grant(
    RULES,
    "view_case",
    Grant("group-of-representative", ("representative", "distributor", "rep"), {bo.Role.SALES}),
)
# A regional manager uses the items its members hold.
MANAGERS_USE_MEMBERS_ITEMS = _with_grant(
    RULES,
    "use_item",
    Grant(
        "regional-manager-of-member", ("holder", "region", "manager"), {bo.Role.REGIONAL_MANAGER}
    ),
)
PLANTED = {
    "sales-see-their-group": (SALES_SEE_THEIR_GROUP, ("rep-b1", "view", "c-201")),
    "managers-use-members-items": (MANAGERS_USE_MEMBERS_ITEMS, ("rm-west", "use", "drill-a1")),
}


def _texts(rules: RuleTable) -> dict[str, str]:
    return {name: render(rules) for name, render in RENDERED.items()}


def test_dropping_a_grant_changes_all_three_engines_texts() -> None:
    edited = _without_grant(RULES, "view_case", "regional-manager-of-sub-rep")
    before, after = _texts(RULES), _texts(edited)
    for name in ("schema.zed", "model.fga", "policies.cedar"):
        assert after[name] != before[name], name
    view = next(line for line in after["schema.zed"].splitlines() if "permission view =" in line)
    assert "sub_rep->region_manager_as_regional_manager" not in view
    assert "representative->region_manager_as_regional_manager" in view
    assert '@id("view_case.regional-manager-of-sub-rep")' not in after["policies.cedar"]
    assert '@id("edit_case.regional-manager-of-sub-rep")' in after["policies.cedar"]
    fga_view = next(line for line in after["model.fga"].splitlines() if "define view:" in line)
    assert "region_manager_as_regional_manager from sub_rep" not in fga_view


def test_changing_a_grants_roles_changes_all_three_engines_texts() -> None:
    # A sales sub-rep may edit the case too (today only a distributor sub-rep does).
    edited = _with_roles(RULES, "edit_case", "sub-rep", {bo.Role.SALES, bo.Role.DISTRIBUTOR})
    before, after = _texts(RULES), _texts(edited)
    for name in ("schema.zed", "model.fga", "policies.cedar"):
        assert after[name] != before[name], name
    assert "sub_rep->as_distributor_or_sales" in next(
        line for line in after["schema.zed"].splitlines() if "permission edit =" in line
    )
    assert "as_distributor_or_sales from sub_rep" in next(
        line for line in after["model.fga"].splitlines() if "define edit:" in line
    )


def test_a_relation_no_grant_uses_is_neither_declared_nor_written() -> None:
    # Without the shared pool, neither the schema nor the relationships name rep or the flag.
    edited = RULES
    for permission in ("use_item", "view_item"):
        edited = _without_grant(edited, permission, "shared-inventory")
    schema = spicedb_schema(edited)
    assert "relation rep:" not in schema
    assert "relation shares_inventory:" not in schema
    relationships = to_spicedb(sample_org(), rules=edited).relationships
    assert not any("#rep@" in r or "#shares_inventory@" in r for r in relationships)
    assert any("#rep@" in r for r in to_spicedb(sample_org()).relationships)


def test_a_condition_without_an_engine_encoding_is_refused() -> None:
    # reopen_case needs the org's settings, which the engines do not hold.
    with pytest.raises(ValueError, match="'reopen_setting' has no encoding"):
        compile_model(RULES, ["reopen_case"])
    unknown = attrs.evolve(
        RULES, conditions=(*RULES.conditions, Condition("audited", "not-audited", "audited"))
    )
    unknown = _with_permission(unknown, "view_case", lambda p: attrs.evolve(p, unless=("audited",)))
    with pytest.raises(ValueError, match="'audited' has no encoding"):
        spicedb_schema(unknown)


def test_a_cedar_chain_cannot_continue_after_a_set() -> None:
    odd = _with_grant(
        RULES,
        "view_item",
        Grant("odd", ("holder", "rep", "region", "manager"), {bo.Role.REGIONAL_MANAGER}),
    )
    with pytest.raises(ValueError, match="'rep' has many targets"):
        compile_model(odd)


# --- planted wrong grants, caught by each real engine -------------------------------------------


def _answers() -> list[bo.export.Answer]:
    # beacon_org's own answers, from the real table.
    org = sample_org()
    return expected_answers(
        org, sample_cases(), sample_items(), users=[*sorted(org.users), GHOST], on=ON
    )


def _spicedb_disagreements(rules: RuleTable) -> set[tuple[str, str, str]]:
    org, answers = sample_org(), _answers()
    with SpiceDB() as db:
        db.load(to_spicedb(org, sample_cases(), sample_items(), rules=rules))
        got = db.check_answers(answers, on=ON)
    return {
        (a.user, a.permission, a.resource_id)
        for a, permissionship in zip(answers, got, strict=True)
        if a.allowed != (permissionship != 1)  # 1: NO_PERMISSION
    }


_CEDAR_ACTION = {("case", "view"): "view_case", ("case", "edit"): "edit_case"}
_CEDAR_ACTION |= {("item", "use"): "use_item", ("item", "view"): "view_item"}
_CEDAR_ACTION |= {("user", "create_case"): "create_case"}


def _cedar_disagreements(rules: RuleTable) -> set[tuple[str, str, str]]:
    answers = _answers()
    export = to_cedar(sample_org(), sample_cases(), sample_items(), rules=rules)
    assert cedarpy.validate_policies(export.policies, export.schema).validation_passed
    requests = [
        export.request(a.user, _CEDAR_ACTION[a.resource_type, a.permission], a.resource_id, on=ON)
        for a in answers
    ]
    results = cedarpy.is_authorized_batch(
        requests,
        cedarpy.PolicySet.from_str(export.policies),
        cedarpy.Entities.from_json_str(export.entities),
        schema=export.schema,
    )
    count("cedar", len(results))
    for answer, result in zip(answers, results, strict=True):
        # A silent Deny from a missing entity would hide a disagreement: only the ghost may.
        assert answer.user == GHOST or not list(result.diagnostics.errors), result.diagnostics
    return {
        (a.user, a.permission, a.resource_id)
        for a, r in zip(answers, results, strict=True)
        if r.allowed != a.allowed
    }


# How fga model test names a failing check.
_FGA_FAILED = re.compile(r"Check\(user=user:([^,]+),relation=([^,]+),object=[a-z]+:([^,]+),")


def _openfga_disagreements(rules: RuleTable, path: Path) -> set[tuple[str, str, str]]:
    answers = _answers()
    export = to_openfga(sample_org(), sample_cases(), sample_items(), rules=rules)
    path.write_text(export.test_yaml(answers, name=path.stem, on=ON))
    result = fga_model_test(str(path))
    count("openfga", len(answers))
    output = result.stdout + result.stderr
    found = {
        (decode_spicedb_id(user), relation, decode_spicedb_id(object_id))
        for user, relation, object_id in _FGA_FAILED.findall(output)
    }
    # The exit code and the summary agree with the failing checks named.
    assert (result.returncode == 0) == (not found) == ("Tests 1/1 passing" in output), output
    return found


def test_the_real_tables_rendering_agrees_with_every_engine(tmp_path: Path) -> None:
    assert _spicedb_disagreements(RULES) == set()
    assert _cedar_disagreements(RULES) == set()
    assert _openfga_disagreements(RULES, tmp_path / "real.fga.yaml") == set()


@pytest.mark.parametrize("planted", sorted(PLANTED))
def test_a_planted_wrong_grant_is_caught_by_spicedb(planted: str) -> None:
    rules, wrong = PLANTED[planted]
    found = _spicedb_disagreements(rules)
    assert wrong in found
    # Only the planted grant's answers: each disagreement is a yes beacon_org refuses.
    assert all(not a.allowed for a in _answers() if (a.user, a.permission, a.resource_id) in found)


@pytest.mark.parametrize("planted", sorted(PLANTED))
def test_a_planted_wrong_grant_is_caught_by_cedar(planted: str) -> None:
    rules, wrong = PLANTED[planted]
    found = _cedar_disagreements(rules)
    assert wrong in found
    assert found == _spicedb_disagreements(rules)


@pytest.mark.parametrize("planted", sorted(PLANTED))
def test_a_planted_wrong_grant_is_caught_by_openfga(planted: str, tmp_path: Path) -> None:
    rules, wrong = PLANTED[planted]
    found = _openfga_disagreements(rules, tmp_path / f"{planted}.fga.yaml")
    assert wrong in found
    assert found == _cedar_disagreements(rules)
