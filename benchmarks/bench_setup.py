"""check_setup and readiness of every distributor group: one pass over the items.

Run: ``.venv/bin/python benchmarks/bench_setup.py`` (``--quick`` for a small org). On an org of
50,000 users, 500 distributor groups and 20,000 items it prints the CPU time (best and median of
several runs, the garbage collector on; the machine is shared) of ``check_setup``, of readiness for
every group from one pass over the items (what ``beacon-org check`` runs), their sum, and of
``readiness`` asked once per distributor (each call reads every item), which is what the CLI did
before.
"""

from __future__ import annotations

import datetime
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from orgdata import org_data
from workload import make_items

import beacon_org as bo
from beacon_org.rules._setup import readiness_of_every_group

ON = datetime.date(2027, 1, 1)


def timed(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Best and median CPU seconds of ``repeats`` runs, the collector left on."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times), statistics.median(times)


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    users, distributors, count = (5_000, 50, 2_000) if quick else (50_000, 500, 20_000)
    org = bo.from_dict(org_data(users=users, distributors=distributors, regions=250, seed=7))
    # half the groups share inventory, so the rep-held-item advice is exercised
    for d in sorted(org.distributors)[::2]:
        org = org.set_shared_inventory(d, True)
    items = make_items(org, count)
    print(f"{len(org.users):,} users, {len(org.distributors):,} distributors, {len(items):,} items")

    rows = [
        ("check_setup", lambda: bo.check_setup(org, items, on=ON), 5),
        (
            "readiness of every group, one item pass",
            lambda: readiness_of_every_group(org, items, on=ON),
            5,
        ),
        (
            "check_setup + readiness of every group",
            lambda: (
                bo.check_setup(org, items, on=ON),
                readiness_of_every_group(org, items, on=ON),
            ),
            5,
        ),
    ]
    print(f"{'':42} {'best s':>8} {'median s':>9}")
    for name, fn, repeats in rows:
        best, median = timed(fn, repeats)
        print(f"{name:42} {best:8.3f} {median:9.3f}")
    # The old way once (it takes long): readiness() per distributor, each reading every item.
    start = time.process_time()
    per_group = [bo.readiness(org, d, items, on=ON) for d in sorted(org.distributors)]
    took = time.process_time() - start
    print(f"{'readiness() once per distributor (1 run)':42} {took:8.3f} {took:9.3f}")
    assert per_group == readiness_of_every_group(org, items, on=ON), "the two ways differ"


if __name__ == "__main__":
    main(sys.argv[1:])
