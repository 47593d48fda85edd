"""from_dict derives the org's look-ups while it checks the data: they are those the changes build.

``Org.__eq__`` compares the records, not the derived look-ups (reps per distributor, members per
region, emails in use), so these tests compare them directly.
"""

from __future__ import annotations

import pytest
from hypothesis import given

import beacon_org as bo
from beacon_org.testing import sample_org
from beacon_org.testing.strategies import orgs


def lookups(org: bo.Org) -> dict[str, dict[str, object]]:
    view = org.view
    return {
        name: dict(getattr(view, name).items())
        for name in ("users", "regions", "distributor_of", "reps_of", "members_of", "managed_by")
    } | {"sharing": dict.fromkeys(view.sharing, True)}


@given(orgs(max_users=14))
def test_loaded_lookups_are_those_of_the_changes(org: bo.Org) -> None:
    loaded = bo.from_dict(bo.to_dict(org))
    assert lookups(loaded) == lookups(org)
    # no empty group or region entry: absent means none
    assert all(loaded.view.reps_of.values())
    assert all(loaded.view.members_of.values())
    # emails in use stay taken (the look-up add_user checks)
    for user in list(org.users.values())[:3]:
        with pytest.raises(bo.OrgError, match="already"):
            loaded.add_user("new-id", email=user.email.upper(), role="sales")


class Id(str):
    """A str subclass: the rep-by-rep path of a group reads it."""


def test_a_group_of_str_subclass_ids_loads_as_plain_ones_do() -> None:
    data = bo.to_dict(sample_org())
    group = next(g for g in data["groups"] if g["reps"])
    plain = bo.from_dict(data)
    group["reps"] = [Id(r) for r in group["reps"]]
    assert lookups(bo.from_dict(data)) == lookups(plain)


@pytest.mark.parametrize(
    ("reps", "message"),
    [
        (["rep-a1", 5], r"groups\[0\]\.reps\[1\]: must be a user id \(got 5\)"),
        (["rep-a1", "nobody"], r"groups\[0\]\.reps\[1\]: unknown user 'nobody'"),
        (["rep-a1", "dist-b"], r"groups\[0\]\.reps\[1\]: 'dist-b' has role 'distributor'"),
        # rep-b1 joins dist-a's group (read first); dist-b's own group then names it again
        (
            ["rep-a1", "rep-b1"],
            r"groups\[1\]\.reps\[0\]: rep 'rep-b1' is assigned to both 'dist-a' and 'dist-b'",
        ),
        (["rep-a1", "rep-a1"], None),
    ],
)
def test_a_group_with_a_bad_rep_names_that_rep(reps: list[object], message: str | None) -> None:
    data = bo.to_dict(sample_org())
    assert [g["distributor"] for g in data["groups"]] == ["dist-a", "dist-b"]
    data["groups"][0]["reps"] = reps
    if message is None:
        assert bo.from_dict(data).reps_of("dist-a") == {"rep-a1"}
        return
    with pytest.raises(bo.InvalidDataError, match=message):
        bo.from_dict(data)
