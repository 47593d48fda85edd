"""The records: normalising converters, validators that reject bad values with an OrgError."""

import datetime as dt

import attrs
import pytest

import beacon_org as bo


def test_role_accepts_its_string_value_and_knows_its_scope() -> None:
    assert bo.Role("sales") is bo.Role.SALES
    assert {r for r in bo.Role if r.is_org_wide} == {
        bo.Role.PRIMARY_ADMIN,
        bo.Role.ADMIN,
        bo.Role.OPERATIONS,
    }
    assert {r for r in bo.Role if not r.can_hold_inventory} == {
        bo.Role.PRIMARY_ADMIN,
        bo.Role.ADMIN,
        bo.Role.OPERATIONS,
        bo.Role.REGIONAL_MANAGER,
    }
    assert {r for r in bo.Role if r.has_region} == {bo.Role.SALES, bo.Role.DISTRIBUTOR}


def test_case_status_closed_set() -> None:
    assert {s.value for s in bo.CaseStatus if s.is_closed} == {
        "paid",
        "completed",
        "closed",
        "cancelled",
    }


def test_user_normalises_email_role_and_collections() -> None:
    user = bo.User(
        id="u1",
        email="  Pat.Smith@Example.COM ",
        role="distributor",
        facilities=["f1", "f1"],
        directory_records={"d1"},
    )
    assert user.email == "pat.smith@example.com"
    assert user.role is bo.Role.DISTRIBUTOR
    assert user.facilities == frozenset({"f1"})
    assert isinstance(user.directory_records, frozenset)


def test_records_are_frozen_hashable_and_equal_by_value() -> None:
    a = bo.User(id="u1", email="a@x.example", role="sales")
    b = bo.User(id="u1", email="A@X.example", role=bo.Role.SALES)
    assert a == b
    assert hash(a) == hash(b)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        a.name = "x"  # type: ignore[misc]


def test_records_with_more_than_two_fields_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        bo.User("u1", "a@x.example", "sales")  # type: ignore[misc]
    with pytest.raises(TypeError):
        bo.Case("c1", "r1", None)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"id": ""}, "id"),
        ({"id": 5}, "id"),
        ({"email": "no-at-sign"}, "email"),
        ({"email": "two@@x.example"}, "email"),
        ({"email": None}, "email"),
        ({"role": "wizard"}, "role"),
        ({"role": None}, "role"),
        ({"name": None}, "name"),
        ({"region": ""}, "region"),
        ({"facilities": "mercy"}, "facilities"),
        ({"facilities": [1]}, "facilities"),
        ({"facilities": 3}, "facilities"),
        ({"directory_records": [""]}, "directory_records"),
        ({"training_complete": "yes"}, "training_complete"),
        ({"active": 1}, "active"),
        ({"custodian_only": None}, "custodian_only"),
    ],
)
def test_user_rejects_bad_values_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    base: dict[str, object] = {"id": "u1", "email": "a@x.example", "role": "sales"}
    with pytest.raises(bo.InvalidValueError) as info:
        bo.User(**(base | kwargs))  # type: ignore[arg-type]
    assert info.value.field == field
    assert field in str(info.value) or "role" in str(info.value)
    assert isinstance(info.value, bo.OrgError)


def test_user_lock_and_act_flags() -> None:
    rep = bo.User(id="r", email="r@x.example", role="sales")
    assert rep.locked
    assert not rep.can_act
    assert not attrs.evolve(rep, training_complete=True).locked
    assert attrs.evolve(rep, training_complete=True).can_act
    assert not attrs.evolve(rep, training_complete=True, active=False).can_act
    assert not attrs.evolve(rep, training_complete=True, custodian_only=True).can_act
    admin = bo.User(id="a", email="a@x.example", role="admin")
    assert not admin.locked
    assert admin.can_act


def test_region_states_are_upper_cased() -> None:
    region = bo.Region(id="west", states=["ca", "Or"])
    assert region.states == frozenset({"CA", "OR"})
    with pytest.raises(bo.InvalidValueError):
        bo.Region(id="west", states="CA")


def test_case_defaults_and_validation() -> None:
    case = bo.Case("c1", "rep-1")
    assert case.status is bo.CaseStatus.OPEN
    assert case.sub_rep is None
    assert case.facility is None
    with pytest.raises(bo.InvalidValueError, match="not a case status"):
        bo.Case("c1", "rep-1", status="lost")
    with pytest.raises(bo.InvalidValueError, match="sub_rep 'rep-1' is also its representative"):
        bo.Case("c1", "rep-1", sub_rep="rep-1")
    with pytest.raises(bo.InvalidValueError):
        bo.Case("c1", None)  # type: ignore[arg-type]


def test_inventory_item_expiry_must_be_a_date() -> None:
    item = bo.InventoryItem("i1", bo.ORG_CUSTODY, expires=dt.date(2027, 1, 1))
    assert item.active
    assert item.expires == dt.date(2027, 1, 1)
    with pytest.raises(bo.InvalidValueError, match="expires"):
        bo.InventoryItem("i1", "u", expires="2027-01-01")  # type: ignore[arg-type]
    with pytest.raises(bo.InvalidValueError, match="expires"):
        bo.InventoryItem("i1", "u", expires=dt.datetime(2027, 1, 1, 9))
    with pytest.raises(bo.InvalidValueError, match="active"):
        bo.InventoryItem("i1", "u", active="no")  # type: ignore[arg-type]


def test_an_inventory_item_is_not_on_hold_unless_said() -> None:
    assert bo.InventoryItem("i1", "u").on_hold is False
    assert bo.InventoryItem("i1", "u", on_hold=True).on_hold is True
    with pytest.raises(bo.InvalidValueError, match="'on_hold' must be True or False"):
        bo.InventoryItem("i1", "u", on_hold=1)  # type: ignore[arg-type]


def test_settings_defaults() -> None:
    assert bo.OrgSettings().field_users_can_reopen_cases is False
    assert bo.OrgSettings().field_users_can_transfer is True
    with pytest.raises(bo.InvalidValueError):
        bo.OrgSettings(field_users_can_reopen_cases="yes")  # type: ignore[arg-type]
    with pytest.raises(bo.InvalidValueError, match="field_users_can_transfer"):
        bo.OrgSettings(field_users_can_transfer=None)  # type: ignore[arg-type]
