"""User's hand-written __init__ agrees with its attrs declaration, value for value, error for error.

``User.__init__`` is written out for loading speed (as ``Case.__init__`` is). The reference here is
what the generated one did: each field's declared converter in field order (email, role,
facilities, directory records), then the plain fields' checks in field order; the first failure
is the error.
"""

from __future__ import annotations

import pickle
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import beacon_org as bo

FIELDS = attrs.fields(bo.User)
CONVERTED = [f for f in FIELDS if f.converter is not None]


def _plain_error(name: str, value: object) -> str | None:
    # The plain fields' rules (the generated __init__ checked them after the converters).
    if name == "id" and (type(value) is not str or not value):
        return f"'id' must be a non-empty string (got {value!r})"
    if name == "name" and type(value) is not str:
        return f"'name' must be a string (got {value!r})"
    if name == "region" and value is not None and (type(value) is not str or not value):
        return f"'region' must be a non-empty string or None (got {value!r})"
    if name in ("training_complete", "active", "custodian_only") and type(value) is not bool:
        return f"'{name}' must be True or False (got {value!r})"
    return None


def reference(fields: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """The values, or the message, the declaration gives for these arguments."""
    values = {f.name: fields.get(f.name, f.default) for f in FIELDS}
    for f in CONVERTED:
        try:
            values[f.name] = f.converter(values[f.name])  # type: ignore[misc]
        except bo.InvalidValueError as exc:
            return None, str(exc)
    for f in FIELDS:
        if f.converter is None:
            message = _plain_error(f.name, values[f.name])
            if message is not None:
                return None, message
    return values, None


GOOD = {
    "id": "rep-1",
    "email": " Pat@Example.com ",
    "role": "sales",
    "name": "Pat",
    "region": "west",
    "facilities": ["mercy"],
    "directory_records": ("mercy", "dr-o"),
    "training_complete": True,
    "active": False,
    "custodian_only": True,
}
BAD: dict[str, list[Any]] = {
    "id": ["", 5, None, b"x"],
    "email": ["no-at-sign", "a@b@c", "a b@c.example", 5, None, "@x.example"],
    "role": ["wizard", 3, None, ["sales"]],
    "name": [None, 5],
    "region": ["", 5, b"west"],
    "facilities": ["mercy", [""], [5], 5, [["a"]], {"a": 1}],
    "directory_records": ["mercy", [""], [None], 7, [["a"]]],
    "training_complete": [1, "yes", None],
    "active": [0, "no"],
    "custodian_only": [None, 1],
}
OTHER_GOOD: dict[str, list[Any]] = {
    "email": ["pat@example.com", "PAT@EXAMPLE.COM"],
    "role": [bo.Role.SALES, "distributor", bo.Role.ADMIN],
    "region": [None],
    "facilities": [[], (), frozenset(), frozenset({"a"}), {"a", "b"}, {"a": 1}.keys()],
    "directory_records": [[], frozenset(), ["a", "a"]],
    "name": [""],
}


def check(fields: dict[str, Any]) -> None:
    expected, message = reference(dict(fields))
    if message is not None:
        with pytest.raises(bo.InvalidValueError) as caught:
            bo.User(**fields)
        assert str(caught.value) == message
        return
    assert expected is not None
    user = bo.User(**fields)
    assert attrs.asdict(user, recurse=False) == expected


@pytest.mark.parametrize("field", sorted(BAD))
def test_each_bad_value_gives_the_declared_message(field: str) -> None:
    for value in BAD[field]:
        check({**GOOD, field: value})


@pytest.mark.parametrize("field", sorted(OTHER_GOOD))
def test_other_good_values_give_the_declared_values(field: str) -> None:
    for value in OTHER_GOOD[field]:
        check({**GOOD, field: value})


def test_defaults_are_the_declared_ones() -> None:
    check({"id": "u", "email": "u@x.example", "role": "admin"})
    user = bo.User(id="u", email="u@x.example", role="admin")
    assert user.facilities == user.directory_records == frozenset()


@st.composite
def arguments(draw: st.DrawFn) -> dict[str, Any]:
    # Each field good, another good value, or bad; some left out (their default).
    fields: dict[str, Any] = {}
    for name, good in GOOD.items():
        kind = draw(st.sampled_from(["good", "other", "bad", "absent"]))
        if kind == "absent" and name not in ("id", "email", "role"):
            continue
        if kind == "bad":
            fields[name] = draw(st.sampled_from(BAD[name]))
        elif kind == "other" and OTHER_GOOD.get(name):
            fields[name] = draw(st.sampled_from(OTHER_GOOD[name]))
        else:
            fields[name] = good
    return fields


@given(arguments())
def test_any_mix_of_good_and_bad_values_agrees_with_the_declaration(fields: dict[str, Any]) -> None:
    check(fields)


def test_user_is_still_a_frozen_attrs_record() -> None:
    user = bo.User(**GOOD)
    assert attrs.has(bo.User)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        user.name = "x"  # type: ignore[misc]
    assert user == bo.User(**GOOD)
    assert hash(user) == hash(bo.User(**GOOD))
    assert repr(user) == (
        "User(id='rep-1', email='pat@example.com', role=<Role.SALES: 'sales'>, name='Pat', "
        "region='west', facilities=frozenset({'mercy'}), directory_records="
        f"{frozenset({'mercy', 'dr-o'})!r}, training_complete=True, active=False, "
        "custodian_only=True)"
    )
    assert pickle.loads(pickle.dumps(user)) == user
    # evolve goes through the same checks
    assert attrs.evolve(user, name="Pat B").name == "Pat B"
    with pytest.raises(bo.InvalidValueError, match="'region' must be a non-empty string"):
        attrs.evolve(user, region="")
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'email'"):
        bo.User(id="x", role="sales")  # type: ignore[call-arg]
