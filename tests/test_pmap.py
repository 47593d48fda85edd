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
