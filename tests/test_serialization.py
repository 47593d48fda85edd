"""The data format: JSON-ready, versioned, round-trips, and says where bad data is wrong."""

import copy
import datetime as dt
import json
from typing import Any

import pytest

import beacon_org as bo
from beacon_org.testing import sample_cases, sample_items, sample_org


@pytest.fixture
def data() -> dict[str, Any]:
    return bo.to_dict(sample_org())


def test_round_trip_through_json(data: dict[str, Any]) -> None:
    text = json.dumps(data)
    assert bo.from_dict(json.loads(text)) == sample_org()
    assert data["version"] == bo.FORMAT_VERSION


def test_to_dict_is_deterministic_and_sorted(data: dict[str, Any]) -> None:
    assert [u["id"] for u in data["users"]] == sorted(u["id"] for u in data["users"])
    assert data == bo.to_dict(bo.from_dict(data))
    groups = {g["distributor"]: g for g in data["groups"]}
    assert groups["dist-a"] == {
        "distributor": "dist-a",
        "reps": ["rep-a1", "rep-a2"],
        "shared_inventory": True,
    }


def test_a_sharing_distributor_without_reps_survives() -> None:
    org = bo.Org().add_user("d", email="d@x.example", role="distributor")
    org = org.set_shared_inventory("d", True)
    assert bo.from_dict(bo.to_dict(org)).shares_inventory("d")


def test_from_dict_result_supports_changes(data: dict[str, Any]) -> None:
    org = bo.from_dict(data)
    new = org.unassign_rep("rep-a1").assign_rep("rep-a1", "dist-b")
    assert new.distributor_of("rep-a1") == "dist-b"
    assert new.reps_of("dist-a") == {"rep-a2"}


def _broken(data: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    target: Any = out
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return out


_DELETE = object()


def _index(data: dict[str, Any], kind: str, id_: str) -> int:
    return next(
        i for i, row in enumerate(data[kind]) if row.get("id", row.get("distributor")) == id_
    )


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        (["users", "rep-a1", "role"], "wizard", "users[{i}].role: 'wizard' is not a role"),
        (["users", "rep-a1", "email"], "bad", "users[{i}].email: 'email' must be an email"),
        (["users", "rep-a1", "active"], "yes", "users[{i}].active: 'active' must be True or False"),
        (["users", "rep-a1", "id"], 7, "users[{i}].id: 'id' must be a non-empty string"),
        (["users", "rep-a1", "facilities"], "abc", "users[{i}].facilities"),
        (["users", "rep-a1", "colour"], "red", "users[{i}]: unknown field(s) colour"),
        (["users", "rep-a1", "email"], _DELETE, "users[{i}].email: required field missing"),
        (["users", "rep-a1", "region"], "north", "users[{i}].region: unknown region 'north'"),
        (
            ["users", "owner", "region"],
            "west",
            "users[{i}].region: user 'owner' has role 'primary_admin'",
        ),
        (["users", "rep-a1", "id"], "rep-a2", "].id: duplicate user id 'rep-a2'"),
        (["users", "rep-a1", "id"], "@org", "reserved"),
        (["users", "rep-a1", "id"], "west", "].id: region id 'west' is already taken by a user"),
        (
            ["users", "rep-a1", "email"],
            "ANDY.AMES@acme-ortho.example",
            ".email: 'andy.ames@acme-ortho.example' is already used by user",
        ),
        (["users", "admin-1", "custodian_only"], True, "users[{i}].custodian_only"),
        (
            ["regions", "west", "manager"],
            "rep-a1",
            "regions[{i}].manager: 'rep-a1' has role 'sales'",
        ),
        (["regions", "west", "manager"], "ghost", "regions[{i}].manager: unknown user 'ghost'"),
        (["regions", "west", "id"], "east", "regions[{i}].id: duplicate region id 'east'"),
        (["regions", "west", "states"], "CA", "regions[{i}].states"),
        (
            ["groups", "dist-a", "distributor"],
            "admin-1",
            "groups[{i}].distributor: rep 'rep-a1' is assigned to 'admin-1', which is not a distributor",
        ),
        (["groups", "dist-a", "distributor"], "ghost", "groups[{i}].distributor: unknown user"),
        (["groups", "dist-a", "reps"], ["rep-b1"], "rep 'rep-b1' is assigned to both"),
        (
            ["groups", "dist-a", "reps"],
            ["dist-b"],
            "'dist-b' has role 'distributor', not a sales rep",
        ),
        (["groups", "dist-a", "reps"], ["ghost"], "groups[{i}].reps[0]: unknown user 'ghost'"),
        (["groups", "dist-a", "reps"], "rep-a1", "groups[{i}].reps: must be a list"),
        (["groups", "dist-a", "shared_inventory"], "yes", "groups[{i}].shared_inventory"),
        (["groups", "dist-a", "extra"], 1, "groups[{i}]: unknown field(s) extra"),
        (
            ["settings", "field_users_can_reopen_cases"],
            "no",
            "settings.field_users_can_reopen_cases",
        ),
        (["settings", "field_users_can_transfer"], 0, "settings.field_users_can_transfer"),
        (["version"], 99, "version: expected 1 (got 99)"),
        (["users"], {"a": 1}, "users: must be a list"),
        (["colour"], "red", "unknown top-level key(s) 'colour'"),
    ],
)
def test_from_dict_says_where_the_data_is_wrong(
    data: dict[str, Any], where: list[Any], value: Any, message: str
) -> None:
    path = list(where)
    i = 0
    if path[0] in ("users", "regions", "groups") and len(path) > 1:
        i = _index(data, path[0], path[1])
        path[1] = i
    bad = _broken(data, path, value)
    with pytest.raises(bo.InvalidDataError) as info:
        bo.from_dict(bad)
    assert message.format(i=i) in str(info.value)


@pytest.mark.parametrize("data", [None, [], "org", 3, {"version": 1, "users": [None]}])
def test_from_dict_rejects_what_is_not_org_data(data: Any) -> None:
    with pytest.raises(bo.InvalidDataError):
        bo.from_dict(data)


def test_a_group_listed_twice_is_rejected(data: dict[str, Any]) -> None:
    data["groups"].append(dict(data["groups"][0]))
    with pytest.raises(bo.InvalidDataError, match="more than one group entry"):
        bo.from_dict(data)


def test_cases_and_items_round_trip() -> None:
    for case in sample_cases():
        assert bo.case_from_dict(json.loads(json.dumps(bo.case_to_dict(case)))) == case
    for item in sample_items():
        assert bo.item_from_dict(json.loads(json.dumps(bo.item_to_dict(item)))) == item
    assert (
        bo.item_to_dict(bo.InventoryItem("i", "u", expires=dt.date(2027, 2, 1)))["expires"]
        == "2027-02-01"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"id": "i", "custodian": "u", "expires": "soon"}, "item.expires: 'soon' is not a date"),
        ({"id": "i"}, "item.custodian: required field missing"),
        ({"id": "i", "custodian": "u", "active": "y"}, "item.active"),
        ({"id": "i", "custodian": "u", "on_hold": "y"}, "item.on_hold"),
        ("i", "item: must be an object"),
    ],
)
def test_item_from_dict_errors(data: Any, message: str) -> None:
    with pytest.raises(bo.InvalidDataError) as info:
        bo.item_from_dict(data)
    assert message in str(info.value)


def test_case_from_dict_errors() -> None:
    with pytest.raises(
        bo.InvalidDataError, match=r"cases\[2\].status: 'lost' is not a case status"
    ):
        bo.case_from_dict({"id": "c", "representative": "r", "status": "lost"}, "cases[2]")


def test_converter_is_private_to_the_library() -> None:
    import cattrs

    assert bo.make_converter() is not cattrs.global_converter
    assert bo.make_converter().unstructure(bo.Role.SALES) == "sales"
    assert cattrs.global_converter.unstructure(frozenset({"b", "a"})) != ["a", "b"]


def test_from_dict_leaves_the_garbage_collector_as_it_found_it(data: dict[str, Any]) -> None:
    import gc

    assert gc.isenabled()
    bo.from_dict(data)
    assert gc.isenabled()
    with pytest.raises(bo.InvalidDataError):
        bo.from_dict({"version": 99})
    assert gc.isenabled()
    gc.disable()
    try:
        bo.from_dict(data)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_item_on_hold_round_trips_and_older_data_loads_as_not_held() -> None:
    held = bo.InventoryItem("i", "rep-a1", on_hold=True)
    data = bo.item_to_dict(held)
    assert data["on_hold"] is True
    assert bo.item_from_dict(json.loads(json.dumps(data))) == held
    assert not bo.item_from_dict({"id": "i", "custodian": "rep-a1"}).on_hold


def test_the_transfer_setting_round_trips_and_older_data_loads_with_it_on(
    data: dict[str, Any],
) -> None:
    assert data["settings"]["field_users_can_transfer"] is True
    barred = sample_org().configure(field_users_can_transfer=False)
    assert bo.from_dict(json.loads(json.dumps(bo.to_dict(barred)))) == barred
    older = copy.deepcopy(data)
    del older["settings"]["field_users_can_transfer"]
    assert bo.from_dict(older).settings.field_users_can_transfer


def test_a_promoted_user_round_trips_as_an_admin() -> None:
    promoted = sample_org().promote_to_admin("ops-1")
    data = bo.to_dict(promoted)
    assert bo.from_dict(json.loads(json.dumps(data))) == promoted
    assert bo.from_dict(data).user("ops-1").role is bo.Role.ADMIN


# --- bundles: the command line's file, public in Python -------------------------------------------


def test_bundle_is_public_and_round_trips() -> None:
    from beacon_org.testing import sample_cases, sample_items, sample_org

    bundle = bo.Bundle(org=sample_org(), cases=sample_cases(), items=sample_items())
    data = bo.bundle_to_dict(bundle)
    assert bo.bundle_from_dict(json.loads(json.dumps(data))) == bundle
    # the org part is the org's own format: from_dict reads it once cases and items are taken off
    org_only = {k: v for k, v in data.items() if k not in ("cases", "items")}
    assert bo.from_dict(org_only) == bundle.org
    assert bo.Bundle(org=bo.Org()) == bo.bundle_from_dict({"version": 1})


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (
            {"version": 1, "colour": "red"},
            "unknown top-level key(s) 'colour'; expected version, settings, regions, users, "
            "groups, cases, items",
        ),
        ({"version": 1, "cases": [{"id": "c", "representative": 5}]}, "cases[0].representative"),
        ({"version": 1, "items": [{"id": "i", "custodian": "x", "expires": "soon"}]}, "items[0]"),
        ({"version": 1, "cases": "c-1"}, "cases: must be a list (got str)"),
        ([], "a bundle must be a JSON object"),
    ],
)
def test_bad_bundles_raise_invalid_data_naming_where(data: Any, needle: str) -> None:
    with pytest.raises(bo.InvalidDataError) as info:
        bo.bundle_from_dict(data)
    assert needle in str(info.value)
