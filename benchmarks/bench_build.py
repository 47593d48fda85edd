"""Build an org of 100,000 users through from_dict and through the change API; time one change.

Run: ``.venv/bin/python benchmarks/bench_build.py [USERS]``. Prints times, peak memory and the
ratio of one change to building the org, all measured in this one run.
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).parent))

from orgdata import org_data

import beacon_org as bo

T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    gc.collect()
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def peak_mib(fn: Callable[[], Any]) -> float:
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def build_by_changes(data: dict[str, Any]) -> bo.Org:
    org = bo.Org()
    for row in data["users"]:
        if row["role"] == "regional_manager":
            org = org.add_user(
                row["id"],
                email=row["email"],
                role=row["role"],
                name=row["name"],
                training_complete=row["training_complete"],
            )
            org = org.update_user(row["id"], directory_records=row["directory_records"])
    for region in data["regions"]:
        org = org.add_region(region["id"], name=region["name"], manager=region["manager"])
    for row in data["users"]:
        if row["role"] != "regional_manager":
            org = org.add_user(
                row["id"],
                email=row["email"],
                role=row["role"],
                name=row.get("name", ""),
                region=row.get("region"),
                facilities=row.get("facilities", ()),
                training_complete=row.get("training_complete", False),
            )
            if row.get("directory_records"):
                org = org.update_user(row["id"], directory_records=row["directory_records"])
    for group in data["groups"]:
        for rep in group["reps"]:
            org = org.assign_rep(rep, group["distributor"])
        if group["shared_inventory"]:
            org = org.set_shared_inventory(group["distributor"], True)
    return org


def one_change(org: bo.Org, n: int = 1000) -> float:
    """Mean seconds of one change (move a rep to another group and region), over n changes."""
    reps = [f"rep-{i}" for i in range(n)]
    gc.collect()
    start = time.perf_counter()
    for rep in reps:
        distributor = org.distributor_of(rep)
        if distributor is None:
            org.assign_rep(rep, "dist-0")
        else:
            org.unassign_rep(rep)
        org.set_region(rep, "region-1")
    return (time.perf_counter() - start) / (2 * n)


def main(users: int = 100_000) -> None:
    data = org_data(users=users, distributors=users // 100, regions=users // 200)
    t_dict, org = timed(lambda: bo.from_dict(data))
    mem_dict = peak_mib(lambda: bo.from_dict(data))
    t_changes, org2 = timed(lambda: build_by_changes(data))
    assert org == org2, "the two builds must give the same org"
    t_change = one_change(org)
    print(
        f"org: {users:,} users, {len(org.regions):,} regions, {len(org.distributors):,} distributors"
    )
    print(f"{'figure':<44}{'value':>14}")
    print(f"{'from_dict (s)':<44}{t_dict:>14.3f}")
    print(f"{'from_dict peak memory (MiB, tracemalloc)':<44}{mem_dict:>14.1f}")
    print(f"{'change API, one change at a time (s)':<44}{t_changes:>14.3f}")
    print(f"{'one change on the built org (µs)':<44}{t_change * 1e6:>14.1f}")
    print(f"{'one change / from_dict build':<44}{t_change / t_dict:>14.6f}")
    print(f"{'  = 1 / ':<44}{t_dict / t_change:>14,.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
