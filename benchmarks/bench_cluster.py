"""SpiceDB as deployed (two ``spicedb serve`` nodes on PostgreSQL) beside SpiceDB in-process and beacon_org.

``. .cache/env.sh && .venv/bin/python benchmarks/bench_cluster.py`` builds the benchmark's org
(benchmarks/workload.py: 20,000 users, 50,000 cases and 50,000 items by default), starts the
cluster of tests/cluster.py (a throwaway PostgreSQL, ``spicedb datastore migrate head``, two
nodes), and measures: the load through node A with ``SpiceDBSync``; one change applied (a
distributor deactivated); CheckPermission p50 and p95 on node B at least as fresh as the
change's ZedToken; LookupResources for a distributor's cases (``case#view``) and usable items
(``item#use``). The same figures for SpiceDB in-process (the shared library, in-memory
datastore) and for beacon_org itself follow. Every answer timed is first compared with
beacon_org's. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import workload as wl
from authzed.api.v1 import Consistency

import beacon_org as bo
from beacon_org.export import SpiceDBSync, relationship_changes
from cluster import Cluster, Reader, at_least_as_fresh
from engines import SpiceDB

# item#use judges expiry from the date given with each question (caveat context {"on": ...}).
ON = dt.date(2026, 6, 1)
ON_TEXT = ON.isoformat()
Question = tuple[str, str, str, str]  # resource type, id, permission, user


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    """p50 and p95 of ``samples`` (seconds)."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94]


def ms(seconds: float) -> str:
    """A duration as µs, ms or s, whichever reads best."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.1f} s"


class _Embedded:
    """SpiceDB in-process as ``Reader`` asks it: unary calls by ctypes, LookupResources streamed."""

    def __init__(self, db: SpiceDB) -> None:
        self.CheckPermission = db._permissions.CheckPermission
        self.CheckBulkPermissions = db._permissions.CheckBulkPermissions
        self.LookupResources = db._streaming.LookupResources


def time_checks(
    reader: Reader, questions: Sequence[Question], expected: Sequence[bool], consistency: Any
) -> tuple[float, float]:
    samples = []
    for (resource_type, resource_id, permission, user), want in zip(
        questions, expected, strict=True
    ):
        on = ON_TEXT if permission == "use" else None
        start = time.perf_counter()
        got = reader.check_one(resource_type, resource_id, permission, user, consistency, on=on)
        samples.append(time.perf_counter() - start)
        assert got is want, (resource_type, resource_id, permission, user)
    return percentiles(samples)


def time_lookup(
    reader: Reader, permission_of: tuple[str, str], user: str, want: set[str], consistency: Any
) -> float:
    resource_type, permission = permission_of
    on = ON_TEXT if permission == "use" else None
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        got = reader.lookup_resources(resource_type, permission, user, consistency, on=on)
        best = min(best, time.perf_counter() - start)
        assert got == want, (permission_of, user, len(got), len(want))
    return best


def time_library(call: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--checks", type=int, default=300, help="CheckPermission calls timed")
    args = parser.parse_args()

    w = wl.workload(args.users, args.cases, args.items, args.checks)
    org, cases, items = w.org, list(w.cases), list(w.items)
    # The change deactivates the distributor with the most reps; the lists are asked for the
    # next biggest group's distributor (active, so its lists are not empty).
    biggest = sorted(sorted(org.distributors), key=lambda d: -len(org.reps_of(d)))
    distributor, asker = biggest[0], biggest[1]
    after = org.deactivate(distributor)
    visibility, custody = bo.Visibility(after), bo.Custody(after, items)
    half = args.checks // 2
    questions: list[Question] = [("case", c.id, "view", u) for u, c in w.case_questions[:half]]
    questions += [("item", i, "use", u) for u, i in w.item_questions[: args.checks - half]]
    by_id = {c.id: c for c in cases}
    expected = [
        bool(visibility.can_view_case(u, by_id[i]))
        if t == "case"
        else bool(custody.can_use(u, i, on=ON))
        for t, i, _, u in questions
    ]
    lookups = {
        "cases": (
            ("case", "view"),
            {c.id for c in visibility.visible_cases(asker, cases)},
            lambda: visibility.visible_cases(asker, cases),
        ),
        "usable items": (
            ("item", "use"),
            set(custody.usable_inventory(asker, on=ON)),
            lambda: custody.usable_inventory(asker, on=ON),
        ),
    }
    print(
        f"users={args.users:,} cases={args.cases:,} items={args.items:,}; change: "
        f"{distributor} ({len(org.reps_of(distributor))} reps) deactivated; lists for {asker}: "
        + ", ".join(f"{name} {len(want)}" for name, (_, want, _) in lookups.items())
    )
    rows: dict[str, dict[str, str]] = {}
    # apply = relationship_changes over the whole org, cases and items, then the writes.
    start = time.perf_counter()
    changes = relationship_changes(org, after, cases, items)
    diff = time.perf_counter() - start
    print(
        f"relationship_changes: {ms(diff)} for {len(changes.writes)} writes and "
        f"{len(changes.deletes)} deletes"
    )

    with Cluster() as cluster:
        print(f"cluster up: {', '.join(f'{k} {v:.1f} s' for k, v in cluster.timings.items())}")
        sync = SpiceDBSync(cluster.nodes["a"].client())
        b = Reader(cluster.nodes["b"].client())
        start = time.perf_counter()
        sync.load(org, cases, items)
        load = time.perf_counter() - start
        start = time.perf_counter()
        token = sync.apply(org, after, cases=cases, items=items)
        apply = time.perf_counter() - start
        assert token is not None
        start = time.perf_counter()
        write = sync._write("apply", sync._diff_groups(changes.deletes, changes.writes))
        assert write is not None
        write_only = time.perf_counter() - start
        fresh = at_least_as_fresh(token)
        p50, p95 = time_checks(b, questions, expected, fresh)
        column = {
            "load": ms(load),
            "apply": f"{ms(apply)} ({ms(write_only)} writing)",
            "check p50": ms(p50),
            "check p95": ms(p95),
        }
        for name, (permission_of, want, _) in lookups.items():
            column[name] = ms(time_lookup(b, permission_of, asker, want, fresh))
        rows["SpiceDB 1.56.2, 2 nodes, PostgreSQL 15 (write A, read B)"] = column
        print(f"{list(rows)[-1]}: {rows[list(rows)[-1]]}", flush=True)

    full = Consistency(fully_consistent=True)
    with SpiceDB() as db:
        sync = SpiceDBSync(db._db)
        reader = Reader(_Embedded(db))
        start = time.perf_counter()
        sync.load(org, cases, items)
        load = time.perf_counter() - start
        start = time.perf_counter()
        sync.apply(org, after, cases=cases, items=items)
        apply = time.perf_counter() - start
        start = time.perf_counter()
        sync._write("apply", sync._diff_groups(changes.deletes, changes.writes))
        write_only = time.perf_counter() - start
        p50, p95 = time_checks(reader, questions, expected, full)
        column = {
            "load": ms(load),
            "apply": f"{ms(apply)} ({ms(write_only)} writing)",
            "check p50": ms(p50),
            "check p95": ms(p95),
        }
        for name, (permission_of, want, _) in lookups.items():
            column[name] = ms(time_lookup(reader, permission_of, asker, want, full))
        rows["SpiceDB in-process (memory datastore)"] = column
        print(f"{list(rows)[-1]}: {rows[list(rows)[-1]]}", flush=True)

    start = time.perf_counter()
    built = bo.from_dict(bo.to_dict(org))
    load = time.perf_counter() - start
    assert built == org
    samples = []
    for (t, i, _, u), want in zip(questions, expected, strict=True):
        start = time.perf_counter()
        got = visibility.can_view_case(u, by_id[i]) if t == "case" else custody.can_use(u, i, on=ON)
        samples.append(time.perf_counter() - start)
        assert bool(got) is want
    p50, p95 = percentiles(samples)
    start = time.perf_counter()
    org.deactivate(distributor)
    apply = time.perf_counter() - start
    column = {
        "load": ms(load) + " (from_dict)",
        "apply": ms(apply) + " (the change)",
        "check p50": ms(p50),
        "check p95": ms(p95),
    }
    for name, (_, _, call) in lookups.items():
        column[name] = ms(time_library(call))
    rows["beacon_org (in process)"] = column

    heads = ["load", "apply", "check p50", "check p95", "cases", "usable items"]
    print()
    print("| engine | " + " | ".join(heads) + " |")
    print("| --- |" + " --- |" * len(heads))
    for engine, column in rows.items():
        print(f"| {engine} | " + " | ".join(column[h] for h in heads) + " |")


if __name__ == "__main__":
    main()
