"""A small persistent mapping: a change copies one shard, not the whole map.

Org snapshots share everything a change did not touch, so one change on an org of 100,000 users
copies a few hundred entries instead of every user.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar, overload

__all__ = ["PMap"]

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

_SHARDS = 256
_MASK = _SHARDS - 1
_EMPTY: dict[Any, Any] = {}
_MISSING: Any = object()


class PMap(Mapping[K, V]):
    """An immutable mapping whose ``set``/``delete`` return a new map sharing untouched shards.

    Shards are never changed in place once a map holds them.
    """

    __slots__ = ("_len", "_shards")

    _shards: tuple[dict[K, V], ...]
    _len: int

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        shards: list[dict[K, V]] = [{} for _ in range(_SHARDS)]
        pairs = items.items() if isinstance(items, Mapping) else items
        for key, value in pairs:
            shards[hash(key) & _MASK][key] = value
        self._shards = tuple(shards)
        self._len = sum(map(len, shards))

    @classmethod
    def _make(cls, shards: tuple[dict[K, V], ...], length: int) -> PMap[K, V]:
        new = cls.__new__(cls)
        new._shards = shards
        new._len = length
        return new

    def __getitem__(self, key: K) -> V:
        return self._shards[hash(key) & _MASK][key]

    @overload
    def get(self, key: K, /) -> V | None: ...
    @overload
    def get(self, key: K, default: V | T, /) -> V | T: ...
    def get(self, key: K, default: Any = None) -> Any:
        return self._shards[hash(key) & _MASK].get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._shards[hash(key) & _MASK]

    def __iter__(self) -> Iterator[K]:
        for shard in self._shards:
            yield from shard

    def __len__(self) -> int:
        return self._len

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PMap):
            return self._len == other._len and all(
                a is b or a == b for a, b in zip(self._shards, other._shards, strict=True)
            )
        return Mapping.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PMap({dict(self.items())!r})"

    def differing_keys(self, other: PMap[K, V]) -> Iterator[K]:
        """Yield the keys whose values differ in ``other`` (or that only one of the two has).

        Only the shards the two maps do not share are compared, so two snapshots a few changes
        apart cost those changes, not the size of the maps.
        """
        if self._shards is other._shards:  # the same map (a change that did not touch it)
            return
        for old, new in zip(self._shards, other._shards, strict=True):
            if old is not new:
                for key in old.keys() | new.keys():
                    # A copied shard holds the same value objects: identity settles most keys.
                    was, now = old.get(key, _MISSING), new.get(key, _MISSING)
                    if was is not now and was != now:
                        yield key

    def set(self, key: K, value: V) -> PMap[K, V]:
        """Return a new map with ``key`` set to ``value``."""
        i = hash(key) & _MASK
        shard = dict(self._shards[i])
        grew = key not in shard
        shard[key] = value
        shards = list(self._shards)
        shards[i] = shard
        return PMap._make(tuple(shards), self._len + grew)

    def delete(self, key: K) -> PMap[K, V]:
        """Return a new map without ``key`` (the same map when it is absent)."""
        i = hash(key) & _MASK
        if key not in self._shards[i]:
            return self
        shard = dict(self._shards[i])
        del shard[key]
        shards = list(self._shards)
        shards[i] = shard
        return PMap._make(tuple(shards), self._len - 1)
