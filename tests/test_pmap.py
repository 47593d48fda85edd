"""The persistent map under the Org: a change shares every shard it did not touch."""

from hypothesis import given
from hypothesis import strategies as st

from beacon_org._pmap import PMap

keys = st.text(max_size=4)


@given(st.dictionaries(keys, st.integers()), st.lists(st.tuples(keys, st.integers() | st.none())))
def test_behaves_as_a_dict_and_never_changes_in_place(
    start: dict[str, int], steps: list[tuple[str, int | None]]
) -> None:
    pmap: PMap[str, int] = PMap(start)
    model = dict(start)
    for key, value in steps:
        before, snapshot = pmap, dict(pmap.items())
        if value is None:
            pmap = pmap.delete(key)
            model.pop(key, None)
        else:
            pmap = pmap.set(key, value)
            model[key] = value
        assert dict(before.items()) == snapshot
        assert pmap == model
        assert len(pmap) == len(model)
        assert pmap == PMap(model)
        for k in model:
            assert k in pmap
            assert pmap[k] == pmap.get(k) == model[k]
    assert pmap.get("not there" * 3) is None
    assert pmap.get("not there" * 3, 7) == 7


def test_a_change_copies_one_shard() -> None:
    pmap = PMap((str(i), i) for i in range(10_000))
    new = pmap.set("x", 1)
    shared = sum(a is b for a, b in zip(pmap._shards, new._shards, strict=True))
    assert shared == len(pmap._shards) - 1
    assert pmap.delete("absent") is pmap


def test_repr_and_unhashable() -> None:
    assert repr(PMap({"a": 1})) == "PMap({'a': 1})"
    assert PMap({"a": 1}) != {"a": 2}
    assert PMap.__hash__ is None


@given(st.dictionaries(keys, st.integers()), st.lists(st.tuples(keys, st.integers() | st.none())))
def test_differing_keys_are_the_keys_whose_values_differ(
    start: dict[str, int], steps: list[tuple[str, int | None]]
) -> None:
    before: PMap[str, int] = PMap(start)
    after = before
    for key, value in steps:
        after = after.delete(key) if value is None else after.set(key, value)
    model, changed = dict(before.items()), dict(after.items())
    expected = {
        k for k in model.keys() | changed.keys() if model.get(k, "-") != changed.get(k, "-")
    }
    assert set(before.differing_keys(after)) == expected
    assert set(after.differing_keys(before)) == expected
    assert list(before.differing_keys(before)) == []
    # A map built apart from ``before`` shares no shard: its keys are compared one by one.
    assert set(PMap(start).differing_keys(after)) == expected


def test_a_map_compared_with_itself_is_not_read() -> None:
    class Unread(tuple):  # type: ignore[type-arg]
        def __iter__(self):  # type: ignore[no-untyped-def]
            raise AssertionError("a shard was read")

    pmap = PMap((str(i), i) for i in range(10_000))
    same = PMap._make(Unread(pmap._shards), len(pmap))
    assert list(same.differing_keys(same)) == []
