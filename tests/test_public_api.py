"""The public surface: ``__all__`` lists exactly the public names, sorted as ruff sorts them."""

import types

import pytest

import beacon_org
import beacon_org.graph
import beacon_org.rules
import beacon_org.testing


@pytest.mark.parametrize(
    "module", [beacon_org, beacon_org.graph, beacon_org.rules, beacon_org.testing]
)
def test_all_matches_public_names(module: types.ModuleType) -> None:
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert set(module.__all__) == public
    assert len(module.__all__) == len(set(module.__all__))


def test_api_md_names_are_importable() -> None:
    for name in [
        "Role", "User", "Region", "CaseStatus", "Case", "InventoryItem", "ORG_CUSTODY", "Org",
        "OrgError", "UnknownUserError", "ImmutableFieldError", "AssignmentError",
        "InvalidDataError", "to_dict", "from_dict", "Decision", "Finding", "Severity",
    ]:  # fmt: skip
        assert hasattr(beacon_org, name), name
