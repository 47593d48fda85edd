"""spicedb_id is an injective, reversible encoding; exports check their input and diff exactly."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import beacon_org as bo
from beacon_org.export import (
    MAX_ID_LENGTH,
    decode_spicedb_id,
    relationship_changes,
    spicedb_id,
    to_cedar,
    to_openfga,
    to_spicedb,
)
from beacon_org.testing import sample_cases, sample_items, sample_org
from beacon_org.testing.strategies import orgs

SPICEDB_OBJECT_ID = re.compile(r"[a-zA-Z0-9/_|\-=+]+")
ids = st.text(min_size=1, max_size=60)


@given(ids)
def test_encoded_ids_are_accepted_by_spicedb_and_decode_back(raw: str) -> None:
    encoded = spicedb_id(raw)
    assert SPICEDB_OBJECT_ID.fullmatch(encoded)
    assert decode_spicedb_id(encoded) == raw


@given(ids, ids)
def test_distinct_ids_stay_distinct(a: str, b: str) -> None:
    assert (spicedb_id(a) == spicedb_id(b)) == (a == b)


def test_examples() -> None:
    assert spicedb_id("rep-a1") == "rep-a1"
    assert spicedb_id(bo.ORG_CUSTODY) == "=40org"
    assert spicedb_id("a=b") == "a=3Db"
    assert spicedb_id("é") == "=C3=A9"
    assert decode_spicedb_id("=C3=A9") == "é"


@pytest.mark.parametrize(
    "bad", ["", "a b", "=4", "=4g", "=40=", "=61", "=c3=a9", "=C3", "*", 7, None]
)
def test_decoding_what_spicedb_id_never_makes_is_an_org_error(bad: object) -> None:
    with pytest.raises(bo.InvalidValueError):
        decode_spicedb_id(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["", None, 3, "@" * (MAX_ID_LENGTH // 3 + 1)])
def test_encoding_a_bad_or_too_long_id_is_an_org_error(bad: object) -> None:
    with pytest.raises(bo.InvalidValueError):
        spicedb_id(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("export", [to_spicedb, to_openfga, to_cedar])
def test_bad_cases_and_items_are_org_errors(export: object) -> None:
    org = sample_org()
    case = sample_cases()[0]
    with pytest.raises(bo.DuplicateIdError, match="case id 'c-100' appears twice"):
        export(org, [case, case])  # type: ignore[operator]
    with pytest.raises(bo.InvalidValueError, match="has no 'id' attribute"):
        export(org, items=[object()])  # type: ignore[operator]
    with pytest.raises(bo.InvalidValueError, match="not a case status"):
        export(org, [_Row()])  # type: ignore[operator]


class _Row:
    """A service's own case row with a status the rules do not know."""

    id = "c-9"
    representative = "rep-a1"
    sub_rep = None
    facility = None
    status = "archived"


def test_exports_name_every_fact_once_and_in_order() -> None:
    export = to_spicedb(sample_org(), sample_cases(), sample_items())
    assert list(export.relationships) == sorted(set(export.relationships))
    assert "user:dist-a#shares_inventory@user:*" in export.relationships
    assert "item:kit-org-1#org_custody@organization:=40org" in export.relationships
    # A closed case has no `open` flag; an inactive item has the `inactive` one, an active none.
    assert "case:c-101#open@user:*" not in export.relationships
    assert "item:screw-a1-spare#inactive@user:*" in export.relationships
    assert not any(r.startswith("item:kit-org-1#inactive") for r in export.relationships)
    # Account states are facts of each user about itself, none on the organization object.
    assert "user:rep-new#locked@user:rep-new" in export.relationships
    assert "user:rep-gone#deactivated@user:rep-gone" in export.relationships
    assert not any(r.startswith("user:dist-a#locked") for r in export.relationships)
    assert {
        r.partition("#")[2].partition("@")[0]
        for r in export.relationships
        if r.startswith("organization:")
    } == {"back_office"}
    fga = to_openfga(sample_org(), sample_cases(), sample_items())
    assert len(fga.tuples) == len(export.relationships)


@given(orgs(max_users=8), orgs(max_users=8))
def test_relationship_changes_are_the_exact_difference(before: bo.Org, after: bo.Org) -> None:
    old = set(to_spicedb(before).relationships)
    new = set(to_spicedb(after).relationships)
    changes = relationship_changes(before, after)
    assert set(changes.writes) == new - old
    assert set(changes.deletes) == old - new
    assert bool(changes) == (old != new)
    assert (old - set(changes.deletes)) | set(changes.writes) == new


def test_export_all_is_the_public_names() -> None:
    import types

    import beacon_org.export as export

    public = {
        name
        for name, value in vars(export).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert set(export.__all__) == public
    assert list(export.__all__) == sorted(
        export.__all__, key=lambda n: (not n.isupper(), not n[0].isupper(), n)
    )
