"""relationship_changes for one change, against rendering both full exports and comparing them.

``.venv/bin/python benchmarks/bench_changes.py --users 20000`` builds the benchmark's org
(benchmarks/workload.py) with its cases and items, makes bench_export.py's change (the first
sharing distributor stops sharing and its first rep is deactivated), and times, best of
``--repeat`` passes each:

- ``relationship_changes(before, after, cases, items)``: what ``SpiceDBSync.apply`` computes;
- the same with ``after_cases``/``after_items`` given, one case changed (every row compared by id);
- the full computation relationship_changes made before: ``to_spicedb`` of both snapshots, compared.

All three are checked to give the same changes first. Wall-clock time on a shared machine: read
the ratio, not the milliseconds.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import attrs
import workload as wl

import beacon_org as bo
from beacon_org.export import RelationshipChanges, relationship_changes, to_spicedb


def full_changes(
    before: bo.Org,
    after: bo.Org,
    cases: tuple[Any, ...],
    items: tuple[Any, ...],
    after_cases: tuple[Any, ...] | None = None,
    after_items: tuple[Any, ...] | None = None,
) -> RelationshipChanges:
    """Both exports rendered whole and compared (relationship_changes before issue 13)."""
    old = set(to_spicedb(before, cases, items).relationships)
    new = set(
        to_spicedb(
            after,
            cases if after_cases is None else after_cases,
            items if after_items is None else after_items,
        ).relationships
    )
    writes = new - old
    rewritten = {r.partition("[")[0] for r in writes}
    deletes = {r for r in old - new if r.partition("[")[0] not in rewritten}
    return RelationshipChanges(writes=tuple(sorted(writes)), deletes=tuple(sorted(deletes)))


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    w = wl.workload(args.users, args.cases, args.items, 1)
    cases, items = tuple(w.cases), tuple(w.items)
    distributor = next(d for d in sorted(w.org.distributors) if w.org.shares_inventory(d))
    rep = sorted(w.org.reps_of(distributor))[0]
    after = w.org.set_shared_inventory(distributor, False).deactivate(rep)
    later_cases = (*cases[:-1], attrs.evolve(cases[-1], status="closed"))

    incremental = relationship_changes(w.org, after, cases, items)
    with_rows = relationship_changes(
        w.org, after, cases, items, after_cases=later_cases, after_items=items
    )
    reference = full_changes(w.org, after, cases, items)
    assert incremental == reference, (incremental, reference)
    assert with_rows == full_changes(w.org, after, cases, items, later_cases, items)
    print(
        f"users={len(w.org.users):,} cases={len(cases):,} items={len(items):,}; change: sharing "
        f"off for {distributor}, {rep} deactivated: {len(reference.writes)} writes, "
        f"{len(reference.deletes)} deletes (all three agree)"
    )
    t_new = best(lambda: relationship_changes(w.org, after, cases, items), args.repeat)
    t_rows = best(
        lambda: relationship_changes(
            w.org, after, cases, items, after_cases=later_cases, after_items=items
        ),
        args.repeat,
    )
    t_old = best(lambda: full_changes(w.org, after, cases, items), max(1, args.repeat // 2))
    print(f"relationship_changes (rows the same on both sides): {t_new * 1e3:.2f} ms")
    print(f"relationship_changes, after_cases and after_items given: {t_rows * 1e3:.0f} ms")
    print(f"both full exports compared (before issue 13): {t_old * 1e3:.0f} ms")
    print(
        f"ratio full / incremental: {t_old / t_new:,.0f}x; with rows given: {t_old / t_rows:.1f}x"
    )


if __name__ == "__main__":
    main()
