"""diff_access for one change on orgs of 2,000 and 20,000 users: the cost follows the change.

Run: ``.venv/bin/python benchmarks/bench_diff.py``. For each size it prints the time of one
``diff_access`` per kind of change (best of several runs of CPU time; the machine is shared), the
part of it spent reading the cases and items (one pass each, which every call pays), the number of
access changes found, and the number of decisions a diff that asked every user about every object
would make.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from orgdata import org_data

import beacon_org as bo
from beacon_org.rules._case_index import CaseIndex
from beacon_org.rules._diff import _ItemIndex

REPEATS = 3


def best(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        gc.collect()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def setup(
    users: int, objects: int, seed: int = 3
) -> tuple[bo.Org, list[bo.Case], list[bo.InventoryItem]]:
    org = bo.from_dict(org_data(users=users, distributors=users // 100, regions=users // 200))
    rng = random.Random(seed)
    field = sorted(
        u for u, user in org.users.items() if user.role in (bo.Role.SALES, bo.Role.DISTRIBUTOR)
    )
    cases = [bo.Case(f"c-{i}", rng.choice(field), facility=f"fac-{i % 50}") for i in range(objects)]
    items = [bo.InventoryItem(f"i-{i}", rng.choice(field)) for i in range(objects)]
    return org, cases, items


def main() -> None:
    for users, objects in ((2_000, 5_000), (20_000, 50_000)):
        org, cases, items = setup(users, objects)
        rep = next(r for r in sorted(org.users) if org.distributor_of(r) is not None)
        old = org.distributor_of(rep)
        new = next(d for d in sorted(org.distributors) if d != old)
        sharing = next(d for d in sorted(org.distributors) if org.shares_inventory(d))
        changes = {
            "move a rep to another group": org.unassign_rep(rep).assign_rep(rep, new),
            "deactivate a rep": org.deactivate(rep),
            "turn one group's sharing off": org.set_shared_inventory(sharing, False),
            "rename a user (no rule field)": org.update_user(rep, name="Renamed"),
        }
        reading = best(lambda cases=cases, items=items: (CaseIndex(cases), _ItemIndex(items)))
        print(f"\n{len(org.users):,} users, {len(cases):,} cases, {len(items):,} items")
        print(f"  reading cases and items (paid by every call): {reading * 1e3:8.1f} ms")
        everything = len(org.users) * (2 * len(cases) + 2 * len(items))
        print(f"  decisions if every user were asked about every object: {everything:,}")
        for name, after in changes.items():
            diff = bo.diff_access(org, after, cases=cases, items=items)
            seconds = best(
                lambda org=org, after=after, cases=cases, items=items: bo.diff_access(
                    org, after, cases=cases, items=items
                )
            )
            print(f"  {name:32} {seconds * 1e3:8.1f} ms  {len(diff):6,} changes")


if __name__ == "__main__":
    main()
