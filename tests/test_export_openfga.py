"""OpenFGA 1.22 (``fga model test``, in-process) answers exactly as beacon_org on small orgs.

``fga model test`` costs tens of milliseconds per check here, so the orgs stay small: a few
hundred checks and list_objects assertions in all.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.export import expected_answers, to_openfga
from beacon_org.testing import sample_cases, sample_items, sample_org
from beacon_org.testing.strategies import cases, items, orgs
from engines import COMPARED, count, fga_model_test

GHOST = "ghost user@nowhere"
# The dates asked with: around the expiry dates the item strategy draws.
EARLIEST, LATEST = datetime.date(2024, 6, 1), datetime.date(2029, 6, 30)


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print(f"\nOpenFGA decisions compared: {COMPARED.get('openfga', 0)}")


def write_test_file(
    path: Path,
    org: bo.Org,
    case_list: list[bo.Case],
    item_list: list[bo.InventoryItem],
    users: list[str] | None = None,
    on: datetime.date | None = None,
) -> int:
    """Write a ``.fga.yaml`` asserting beacon_org's answers; return how many it asserts.

    Every check is asked with the date ``on`` (an item that expires cannot be answered without
    one: OpenFGA reports the missing context); without ``on``, the items must not expire.
    """
    users = [*sorted(org.users), GHOST] if users is None else users
    answers = expected_answers(org, case_list, item_list, users=users, on=on)
    export = to_openfga(org, case_list, item_list)
    path.write_text(export.test_yaml(answers, list_objects=True, name=path.stem, on=on))
    # Each check, plus one ListObjects per (user, type, permission).
    return len(answers) + len({(a.user, a.resource_type, a.permission) for a in answers})


@st.composite
def small_orgs(draw: st.DrawFn) -> tuple[bo.Org, list[bo.Case], list[bo.InventoryItem]]:
    org = draw(orgs(min_users=3, max_users=5, max_regions=2))
    case_list = draw(st.lists(cases(org), min_size=2, max_size=4, unique_by=lambda c: c.id))
    item_list = draw(st.lists(items(org), min_size=2, max_size=4, unique_by=lambda i: i.id))
    return org, case_list, item_list


def test_sample_org_model_test_passes(tmp_path: Path) -> None:
    # A user of each kind the rules treat apart, over every sample case and item.
    users = ["dist-a", "rep-a2", "wh-quarantine", "fm-mercy", "rep-new"]
    path = tmp_path / "sample.fga.yaml"
    # On 2027-04-01, screw-a-1 and plate-a-old are past their dates, kit-org-2 is not.
    on = datetime.date(2027, 4, 1)
    n = write_test_file(path, sample_org(), list(sample_cases()), list(sample_items()), users, on)
    result = fga_model_test(str(path))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Tests 1/1 passing" in result.stderr
    count("openfga", n)


def test_a_wrong_assertion_fails(tmp_path: Path) -> None:
    # The engine really checks: flip one expected answer and fga model test must fail.
    org, case_list = sample_org(), list(sample_cases())
    answers = expected_answers(org, case_list, users=["rep-a2"])
    flipped = [
        bo.export.Answer(a.user, a.permission, a.resource_type, a.resource_id, not a.allowed)
        if i == 0
        else a
        for i, a in enumerate(answers)
    ]
    path = tmp_path / "wrong.fga.yaml"
    path.write_text(to_openfga(org, case_list).test_yaml(flipped))
    result = fga_model_test(str(path))
    assert result.returncode != 0
    assert "Tests 0/1 passing" in result.stderr


@settings(
    max_examples=min(2, settings().max_examples),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(small_orgs(), min_size=2, max_size=2), st.dates(EARLIEST, LATEST))
def test_random_small_orgs_model_tests_pass(
    tmp_path: Path,
    examples: list[tuple[bo.Org, list[bo.Case], list[bo.InventoryItem]]],
    on: datetime.date,
) -> None:
    # Two random orgs per example, one test file each, checked by one fga run.
    folder = tmp_path / f"random-{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    n = 0
    for index, (org, case_list, item_list) in enumerate(examples):
        n += write_test_file(folder / f"org-{index}.fga.yaml", org, case_list, item_list, on=on)
    result = fga_model_test(str(folder / "*.fga.yaml"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"Tests {len(examples)}/{len(examples)} passing" in result.stderr
    count("openfga", n)


def test_without_a_date_an_expiring_item_is_an_error_never_a_yes(tmp_path: Path) -> None:
    # As documented: OpenFGA cannot answer item#use on an item that expires without the date;
    # an item without expires needs none.
    org, item_list = sample_org(), list(sample_items())
    export = to_openfga(org, items=item_list)
    expiring = [
        a
        for a in expected_answers(org, items=item_list, users=["dist-a"])
        if a.permission == "use" and a.resource_id == "screw-a-1"
    ]
    plain = [
        a
        for a in expected_answers(org, items=item_list, users=["dist-a"])
        if a.permission == "use" and a.resource_id == "screw-a-2"
    ]
    assert [a.allowed for a in expiring + plain] == [True, True]
    assert next(i for i in item_list if i.id == "screw-a-2").expires is None
    (tmp_path / "plain.fga.yaml").write_text(export.test_yaml(plain, name="plain"))
    assert fga_model_test(str(tmp_path / "plain.fga.yaml")).returncode == 0
    (tmp_path / "expiring.fga.yaml").write_text(export.test_yaml(expiring, name="expiring"))
    result = fga_model_test(str(tmp_path / "expiring.fga.yaml"))
    assert result.returncode != 0
    assert "missing context parameters '[on]'" in result.stdout + result.stderr
