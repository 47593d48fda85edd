"""The pytest plugin and hypothesis hook, used as a downstream team would: from an installed package."""

import subprocess
import sys
import textwrap
from importlib import metadata

import pytest

pytest_plugins = ["pytester"]

DOWNSTREAM_TESTS = '''
"""A downstream service's tests, written only against beacon_org's public API."""

from hypothesis import given, settings
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.testing.strategies import cases, changes, items, orgs


def test_sample_fixtures(beacon_sample_org, beacon_sample_cases, beacon_sample_items):
    assert isinstance(beacon_sample_org, bo.Org)
    assert beacon_sample_org.shares_inventory("dist-a")
    assert {c.representative for c in beacon_sample_cases} <= set(beacon_sample_org.users)
    custodians = {i.custodian for i in beacon_sample_items}
    assert bo.ORG_CUSTODY in custodians
    assert custodians - {bo.ORG_CUSTODY} <= set(beacon_sample_org.users)


_seen = []


def test_sample_org_first_use(beacon_sample_org):
    _seen.append(beacon_sample_org)


def test_sample_org_is_shared_for_the_session(beacon_sample_org):
    assert _seen[0] is beacon_sample_org


def test_builder(beacon_org_builder):
    org = beacon_org_builder(groups={"d": ["r1", "r2"]}, shared=["d"], locked=["r2"])
    assert org.distributor_of("r1") == "d"
    assert org.shares_inventory("d")
    assert org.user("r2").locked


@settings(max_examples=10, deadline=None)
@given(st.data())
def test_strategies(data):
    org = data.draw(orgs(min_users=1, max_users=6))
    case = data.draw(cases(org))
    item = data.draw(items(org))
    assert case.representative in org.users
    assert item.custodian == bo.ORG_CUSTODY or item.custodian in org.users


@settings(max_examples=10, deadline=None)
@given(st.from_type(bo.Org), st.from_type(bo.Case), st.from_type(bo.InventoryItem))
def test_from_type(org, case, item):
    assert isinstance(org, bo.Org)
    assert isinstance(case, bo.Case)
    assert isinstance(item, bo.InventoryItem)


@settings(max_examples=10, deadline=None)
@given(st.from_type(bo.Org), st.data())
def test_from_type_orgs_are_valid_and_take_their_changes(org, data):
    assert bo.from_dict(bo.to_dict(org)) == org
    change = data.draw(changes(org))
    assert isinstance(change.apply(org), bo.Org)
'''


def test_a_downstream_suite_gets_the_fixtures_and_strategies(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_downstream=DOWNSTREAM_TESTS)
    # A subprocess, so that the plugin and hook are found through the installed entry points.
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=7)


def test_the_plugin_can_be_disabled_like_any_other(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_downstream="def test_sample(beacon_sample_org):\n    assert beacon_sample_org\n"
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:beacon_org", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'beacon_sample_org' not found*"])


def test_the_fixtures_are_listed_with_their_docs(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--fixtures", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        [
            "*fixtures defined from beacon_org.testing._plugin*",
            "beacon_sample_org ?session scope?*",
            "*The sample organisation*",
            "beacon_sample_cases ?session scope?*",
            "beacon_sample_items ?session scope?*",
            "beacon_org_builder*",
            "*build_org*",
        ]
    )


def test_the_plugin_loads_light() -> None:
    # As hypothesis' own plugin does, loading ours imports neither hypothesis nor networkx.
    code = textwrap.dedent(
        """
        import sys
        import beacon_org.testing._plugin
        print(sorted(m for m in ("hypothesis", "networkx") if m in sys.modules))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_package_declares_its_entry_points_and_classifiers() -> None:
    dist = metadata.distribution("beacon-org")
    entry_points = {(ep.group, ep.name): ep.value for ep in dist.entry_points}
    assert entry_points[("pytest11", "beacon_org")] == "beacon_org.testing._plugin"
    assert entry_points[("hypothesis", "_")] == "beacon_org.testing._plugin:_hypothesis_setup_hook"
    classifiers = dist.metadata.get_all("Classifier") or []
    assert "Framework :: Pytest" in classifiers
    assert "Framework :: Hypothesis" in classifiers
    assert any(r.startswith("hypothesis") and "testing" in r for r in dist.requires or [])


# --- the builder behind beacon_org_builder -------------------------------------------------------


def test_the_builder_makes_every_kind_of_user() -> None:
    import beacon_org as bo
    from beacon_org.testing import build_org

    org = build_org(
        groups={"d1": ["r1"], "d2": []},
        regions={"west": ["d1", "lone"], "east": ["r1"]},
        managers={"west": "rm", "north": "rm"},
        users={"adm": bo.Role.ADMIN, "wh": "sales"},
        facilities={"fm": ["mercy-general"]},
        custodian_only=["wh"],
        inactive=["lone"],
        locked=["r1"],
        field_users_can_reopen_cases=True,
    )
    assert org.user("lone").role is bo.Role.SALES
    assert not org.user("lone").active
    assert org.distributor_of("lone") is None
    assert org.managed_regions("rm") == {"west", "north"}
    assert org.region_members("west") == {"d1", "lone"}
    assert org.user("r1").region == "east"
    assert org.user("r1").locked
    assert not org.user("adm").locked
    assert org.user("wh").custodian_only
    assert org.user("fm").facilities == {"mercy-general"}
    assert org.settings.field_users_can_reopen_cases
    assert org.reps_of("d2") == frozenset()


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"groups": {"d": ["x"]}, "users": {"x": "admin"}}, "RoleError"),
        ({"groups": {"d": "rep"}}, "InvalidValueError"),
        ({"groups": ["d"]}, "InvalidValueError"),
        ({"users": {5: "admin"}}, "InvalidValueError"),
        ({"locked": ["ghost"]}, "UnknownUserError"),
        ({"custodian_only": ["ghost"]}, "UnknownUserError"),
        ({"inactive": ["ghost"]}, "UnknownUserError"),
        ({"shared": ["adm"], "users": {"adm": "admin"}}, "RoleError"),
        ({"users": {"u": "wizard"}}, "InvalidValueError"),
        ({"regions": {"west": ["adm"]}, "users": {"adm": "admin"}}, "RoleError"),
    ],
)
def test_the_builder_refuses_a_bad_shape_with_an_org_error(
    kwargs: dict[str, object], error: str
) -> None:
    import beacon_org as bo
    from beacon_org.testing import build_org

    with pytest.raises(getattr(bo, error)):
        build_org(**kwargs)  # type: ignore[arg-type]
