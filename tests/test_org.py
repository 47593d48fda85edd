"""The Org: every change and query of API.md, and every rule a change enforces."""

from collections.abc import Callable
from typing import Any

import networkx as nx
import pytest

import beacon_org as bo
from beacon_org.testing import sample_org


@pytest.fixture
def org() -> bo.Org:
    return (
        bo.Org()
        .add_user("rm-w", email="rm@x.example", role="regional_manager")
        .add_user("rm-e", email="rm-e@x.example", role="regional_manager")
        .add_region("west", name="West", states=["CA"], manager="rm-w")
        .add_region("east", name="East", states=["NY"])
        .add_user("dist-a", email="orders@a.example", role="distributor", region="west")
        .add_user("dist-b", email="orders@b.example", role="distributor", region="east")
        .add_user("rep-a1", email="a1@a.example", role="sales", region="west")
        .add_user("rep-a2", email="a2@a.example", role="sales", region="east")
        .add_user("rep-x", email="x@x.example", role="sales")
        .add_user("admin-1", email="admin@x.example", role="admin")
        .add_user("fm-1", email="fm@x.example", role="facility_manager", facilities=["mercy"])
        .assign_rep("rep-a1", "dist-a")
        .assign_rep("rep-a2", "dist-a")
    )


def rejects(
    org: bo.Org, change: Callable[[bo.Org], Any], error: type[Exception], *names: str
) -> None:
    """The change raises ``error`` naming every id in ``names`` and leaves ``org`` as it was."""
    before = bo.to_dict(org)
    snapshot = org
    with pytest.raises(error) as info:
        change(org)
    assert isinstance(info.value, bo.OrgError)
    for name in names:
        assert name in str(info.value), (name, str(info.value))
    assert bo.to_dict(org) == before
    assert org == snapshot


# --- queries -------------------------------------------------------------------------------------


def test_structure_queries(org: bo.Org) -> None:
    assert org.distributor_of("rep-a1") == "dist-a"
    assert org.distributor_of("rep-x") is None
    assert org.reps_of("dist-a") == {"rep-a1", "rep-a2"}
    assert org.reps_of("dist-b") == frozenset()
    assert org.reps_of("admin-1") == frozenset()
    assert org.region_members("west") == {"dist-a", "rep-a1"}
    assert org.region_members("east") == {"dist-b", "rep-a2"}
    assert org.managed_regions("rm-w") == {"west"}
    assert org.managed_regions("rm-e") == frozenset()
    assert org.shares_inventory("dist-a") is False
    assert org.distributors == {"dist-a", "dist-b"}
    assert org.user("rep-a1").region == "west"
    assert org.region("west").manager == "rm-w"
    assert set(org.users) == {
        "rm-w", "rm-e", "dist-a", "dist-b", "rep-a1", "rep-a2", "rep-x", "admin-1", "fm-1",
    }  # fmt: skip
    assert set(org.regions) == {"west", "east"}


@pytest.mark.parametrize(
    "query",
    [
        lambda o: o.user("nobody"),
        lambda o: o.distributor_of("nobody"),
        lambda o: o.reps_of("nobody"),
        lambda o: o.managed_regions("nobody"),
        lambda o: o.shares_inventory("nobody"),
        lambda o: o.user(["not", "hashable"]),
    ],
)
def test_unknown_user_queries_raise_unknown_user_error(
    org: bo.Org, query: Callable[[bo.Org], Any]
) -> None:
    with pytest.raises(bo.UnknownUserError) as info:
        query(org)
    assert isinstance(info.value, KeyError)
    assert "unknown user" in str(info.value)


def test_unknown_region_queries_raise_unknown_region_error(org: bo.Org) -> None:
    with pytest.raises(bo.UnknownRegionError, match="unknown region 'north'"):
        org.region_members("north")
    with pytest.raises(KeyError):
        org.region("north")


def test_users_and_regions_mappings_are_read_only(org: bo.Org) -> None:
    with pytest.raises(TypeError):
        org.users["x"] = org.user("rep-x")  # type: ignore[index]
    with pytest.raises(AttributeError):
        org.regions.pop("west")  # type: ignore[attr-defined]


# --- add_user ------------------------------------------------------------------------------------


def test_add_user_returns_a_new_org_and_leaves_the_receiver(org: bo.Org) -> None:
    new = org.add_user("rep-n", email="N@X.example", role=bo.Role.SALES, region="west")
    assert "rep-n" not in org.users
    assert new.user("rep-n").email == "n@x.example"
    assert new.region_members("west") == {"dist-a", "rep-a1", "rep-n"}
    assert org.region_members("west") == {"dist-a", "rep-a1"}
    assert new.user("rep-n").locked


@pytest.mark.parametrize(
    ("kwargs", "error", "names"),
    [
        ({"user_id": "rep-a1"}, bo.DuplicateIdError, ["rep-a1", "user"]),
        ({"user_id": "west"}, bo.DuplicateIdError, ["west", "region"]),
        ({"user_id": bo.ORG_CUSTODY}, bo.DuplicateIdError, ["@org", "reserved"]),
        ({"email": "A1@a.example"}, bo.DuplicateIdError, ["a1@a.example", "rep-a1"]),
        ({"region": "north"}, bo.UnknownRegionError, ["north"]),
        ({"role": "admin", "region": "west"}, bo.RoleError, ["west", "admin"]),
        ({"role": "regional_manager", "region": "west"}, bo.RoleError, ["regional_manager"]),
        ({"role": "admin", "custodian_only": True}, bo.RoleError, ["admin", "custodian-only"]),
        ({"role": "wizard"}, bo.InvalidValueError, ["wizard"]),
        ({"email": "nope"}, bo.InvalidValueError, ["email"]),
        ({"facilities": "mercy"}, bo.InvalidValueError, ["facilities"]),
    ],
)
def test_add_user_rules(
    org: bo.Org, kwargs: dict[str, Any], error: type[Exception], names: list[str]
) -> None:
    args: dict[str, Any] = {"user_id": "new", "email": "new@x.example", "role": "sales"} | kwargs
    rejects(org, lambda o: o.add_user(args.pop("user_id"), **args), error, *names)


def test_email_is_never_reused_even_after_deactivation(org: bo.Org) -> None:
    gone = org.deactivate("rep-x")
    rejects(
        gone,
        lambda o: o.add_user("rep-y", email="x@x.example", role="sales"),
        bo.DuplicateIdError,
        "rep-x",
    )


# --- update_user and its shortcuts -----------------------------------------------------------------


def test_update_user_changes_the_mutable_fields(org: bo.Org) -> None:
    new = org.update_user(
        "rep-x",
        name="Rex",
        region="east",
        facilities=["f"],
        directory_records=["d1"],
        training_complete=True,
        active=False,
        custodian_only=True,
    )
    rep = new.user("rep-x")
    assert (rep.name, rep.region, rep.facilities, rep.directory_records) == (
        "Rex",
        "east",
        {"f"},
        {"d1"},
    )
    assert rep.training_complete
    assert not rep.active
    assert rep.custodian_only
    assert "rep-x" in new.region_members("east")
    assert org.user("rep-x").name == ""


def test_update_user_accepts_role_and_email_when_unchanged(org: bo.Org) -> None:
    assert org.update_user("rep-x", role="sales", email="X@x.example") == org


@pytest.mark.parametrize(
    ("change", "error", "names"),
    [
        (lambda o: o.update_user("rep-x", role="admin"), bo.ImmutableFieldError, ["rep-x", "role"]),
        (
            lambda o: o.update_user("rep-x", email="new@x.example"),
            bo.ImmutableFieldError,
            ["rep-x", "email"],
        ),
        (
            lambda o: o.update_user("rep-x", colour="red"),
            bo.InvalidChangeError,
            ["rep-x", "colour"],
        ),
        (lambda o: o.update_user("nobody", name="x"), bo.UnknownUserError, ["nobody"]),
        (lambda o: o.update_user("rep-x", active="no"), bo.InvalidValueError, ["rep-x", "active"]),
        (lambda o: o.update_user("admin-1", region="west"), bo.RoleError, ["admin-1", "west"]),
        (lambda o: o.update_user("rep-x", region="north"), bo.UnknownRegionError, ["north"]),
        (
            lambda o: o.update_user("admin-1", custodian_only=True),
            bo.RoleError,
            ["admin-1"],
        ),
        (lambda o: o.set_region("fm-1", "west"), bo.RoleError, ["fm-1", "facility_manager"]),
    ],
)
def test_update_user_rules(
    org: bo.Org, change: Callable[[bo.Org], Any], error: type[Exception], names: list[str]
) -> None:
    rejects(org, change, error, *names)


def test_training_complete_is_one_way(org: bo.Org) -> None:
    trained = org.complete_training("rep-x")
    assert trained.user("rep-x").training_complete
    assert trained.complete_training("rep-x") == trained
    rejects(
        trained,
        lambda o: o.update_user("rep-x", training_complete=False),
        bo.ImmutableFieldError,
        "rep-x",
        "Training Complete",
    )


def test_set_region_moves_membership(org: bo.Org) -> None:
    moved = org.set_region("rep-a1", "east")
    assert moved.region_members("west") == {"dist-a"}
    assert moved.region_members("east") == {"dist-b", "rep-a2", "rep-a1"}
    cleared = moved.set_region("rep-a1", None)
    assert "rep-a1" not in cleared.region_members("east")
    assert cleared.user("rep-a1").region is None


def test_deactivate_and_reactivate_keep_groups(org: bo.Org) -> None:
    gone = org.deactivate("rep-a1")
    assert not gone.user("rep-a1").active
    assert gone.distributor_of("rep-a1") == "dist-a"
    back = gone.reactivate("rep-a1")
    assert back == org


def test_directory_records(org: bo.Org) -> None:
    new = org.assign_directory_records("rep-x", ["mercy", "dr-o"])
    assert new.user("rep-x").directory_records == {"mercy", "dr-o"}
    assert new.remove_directory_records("rep-x", ["mercy", "absent"]).user(
        "rep-x"
    ).directory_records == {"dr-o"}
    rejects(org, lambda o: o.assign_directory_records("rep-x", "mercy"), bo.InvalidValueError)
    rejects(org, lambda o: o.assign_directory_records("nobody", ["m"]), bo.UnknownUserError)


# --- groups ----------------------------------------------------------------------------------------


def test_assign_and_unassign_rep(org: bo.Org) -> None:
    new = org.assign_rep("rep-x", "dist-b")
    assert new.distributor_of("rep-x") == "dist-b"
    assert new.reps_of("dist-b") == {"rep-x"}
    assert org.distributor_of("rep-x") is None
    left = new.unassign_rep("rep-x")
    assert left.distributor_of("rep-x") is None
    assert left.reps_of("dist-b") == frozenset()
    assert left == org
    assert org.assign_rep("rep-a1", "dist-a") == org


@pytest.mark.parametrize(
    ("change", "error", "names"),
    [
        (lambda o: o.assign_rep("rep-a1", "dist-b"), bo.AssignmentError, ["rep-a1", "dist-a", "dist-b"]),
        (lambda o: o.assign_rep("dist-b", "dist-a"), bo.AssignmentError, ["dist-b", "sales"]),
        (lambda o: o.assign_rep("rep-x", "admin-1"), bo.AssignmentError, ["admin-1", "distributor"]),
        (lambda o: o.assign_rep("rep-x", "nobody"), bo.UnknownUserError, ["nobody"]),
        (lambda o: o.assign_rep("nobody", "dist-a"), bo.UnknownUserError, ["nobody"]),
        (lambda o: o.unassign_rep("rep-x"), bo.AssignmentError, ["rep-x"]),
        (lambda o: o.unassign_rep("nobody"), bo.UnknownUserError, ["nobody"]),
    ],
)  # fmt: skip
def test_group_rules(
    org: bo.Org, change: Callable[[bo.Org], Any], error: type[Exception], names: list[str]
) -> None:
    rejects(org, change, error, *names)


def test_shared_inventory(org: bo.Org) -> None:
    on = org.set_shared_inventory("dist-a", True)
    assert on.shares_inventory("dist-a")
    assert not org.shares_inventory("dist-a")
    assert on.set_shared_inventory("dist-a", False) == org
    rejects(org, lambda o: o.set_shared_inventory("rep-x", True), bo.RoleError, "rep-x")
    rejects(org, lambda o: o.set_shared_inventory("dist-a", "yes"), bo.InvalidValueError)
    rejects(org, lambda o: o.set_shared_inventory("nobody", True), bo.UnknownUserError)


# --- regions -----------------------------------------------------------------------------------------


def test_add_region_and_manager(org: bo.Org) -> None:
    new = org.add_region("north", name="North", states=["mn"], manager="rm-w")
    assert new.region("north").states == {"MN"}
    assert new.managed_regions("rm-w") == {"west", "north"}
    assert new.region_members("north") == frozenset()


@pytest.mark.parametrize(
    ("change", "error", "names"),
    [
        (lambda o: o.add_region("west"), bo.DuplicateIdError, ["west"]),
        (lambda o: o.add_region("rep-x"), bo.DuplicateIdError, ["rep-x", "user"]),
        (lambda o: o.add_region(bo.ORG_CUSTODY), bo.DuplicateIdError, ["@org"]),
        (lambda o: o.add_region("north", manager="dist-a"), bo.RoleError, ["north", "dist-a"]),
        (lambda o: o.add_region("north", manager="nobody"), bo.UnknownUserError, ["nobody"]),
        (lambda o: o.add_region("north", states="MN"), bo.InvalidValueError, ["states"]),
        (lambda o: o.set_region_manager("east", "rep-x"), bo.RoleError, ["east", "rep-x"]),
        (lambda o: o.set_region_manager("north", "rm-e"), bo.UnknownRegionError, ["north"]),
        (lambda o: o.set_region_manager("east", 7), bo.InvalidValueError, ["manager_id"]),
    ],
)
def test_region_rules(
    org: bo.Org, change: Callable[[bo.Org], Any], error: type[Exception], names: list[str]
) -> None:
    rejects(org, change, error, *names)


def test_set_region_manager_replaces_the_current_one(org: bo.Org) -> None:
    new = org.set_region_manager("west", "rm-e")
    assert new.region("west").manager == "rm-e"
    assert new.managed_regions("rm-w") == frozenset()
    assert new.managed_regions("rm-e") == {"west"}
    none = new.set_region_manager("west", None)
    assert none.region("west").manager is None
    assert none.managed_regions("rm-e") == frozenset()
    assert org.set_region_manager("west", "rm-w") == org


# --- settings, equality, graph ---------------------------------------------------------------------


def test_configure(org: bo.Org) -> None:
    new = org.configure(field_users_can_reopen_cases=True)
    assert new.settings.field_users_can_reopen_cases
    assert not org.settings.field_users_can_reopen_cases
    rejects(org, lambda o: o.configure(colour="red"), bo.InvalidChangeError, "colour")
    rejects(org, lambda o: o.configure(field_users_can_reopen_cases=1), bo.InvalidValueError)


def test_orgs_with_the_same_content_are_equal_whatever_the_order() -> None:
    a = (
        bo.Org()
        .add_user("u1", email="1@x.example", role="sales")
        .add_user("u2", email="2@x.example", role="admin")
    )
    b = (
        bo.Org()
        .add_user("u2", email="2@x.example", role="admin")
        .add_user("u1", email="1@x.example", role="sales")
    )
    assert a == b
    assert hash(a) == hash(b)
    assert a != a.complete_training("u1")
    assert a != "not an org"
    assert len({a, b}) == 1


def test_graph_shape(org: bo.Org) -> None:
    graph = org.graph
    assert isinstance(graph, nx.DiGraph)
    assert set(graph.nodes) == set(org.users) | set(org.regions)
    assert graph.nodes["rep-a1"]["role"] == "sales"
    assert graph.nodes["rep-a1"]["kind"] == "user"
    assert graph.nodes["west"]["kind"] == "region"
    assert graph.nodes["dist-a"]["shared_inventory"] is False
    relations = {(u, v): d["relation"] for u, v, d in graph.edges(data=True)}
    assert relations == {
        ("dist-a", "rep-a1"): "rep",
        ("dist-a", "rep-a2"): "rep",
        ("west", "dist-a"): "member",
        ("west", "rep-a1"): "member",
        ("east", "dist-b"): "member",
        ("east", "rep-a2"): "member",
        ("rm-w", "west"): "manages",
    }


def test_changing_the_graph_cannot_change_the_org(org: bo.Org) -> None:
    graph = org.graph
    with pytest.raises(nx.NetworkXError):
        graph.add_edge("dist-b", "rep-x", relation="rep")
    graph.nodes["rep-a1"]["role"] = "admin"
    assert org.user("rep-a1").role is bo.Role.SALES
    assert org.graph.nodes["rep-a1"]["role"] == "sales"


def test_graph_follows_the_snapshot(org: bo.Org) -> None:
    before = org.graph
    after = org.unassign_rep("rep-a1").graph
    assert before.has_edge("dist-a", "rep-a1")
    assert not after.has_edge("dist-a", "rep-a1")


def test_repr_is_short() -> None:
    org = sample_org()
    assert (
        repr(org)
        == f"<Org: {len(org.users)} users, {len(org.regions)} regions, 2 distributor groups>"
    )
