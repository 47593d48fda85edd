"""The SpiceDB export at scale: to_spicedb's time, the write, and the cost of one check.

``. .cache/env.sh && .venv/bin/python benchmarks/bench_export.py --users 20000`` builds the
benchmark's org (benchmarks/workload.py), exports it with its cases and items, loads it into
SpiceDB 1.54 in-process and times CheckPermission and CheckBulkPermissions on questions about
users near each case or item (as benchmarks/run.py asks them), after checking SpiceDB agrees
with beacon_org on every one of them.
"""

from __future__ import annotations

import argparse
import time

import workload as wl
from engines_spicedb import BenchSpiceDB

import beacon_org as bo
from beacon_org.export import to_spicedb

# The decisions benchmarks/run.py asks of SpiceDB (engines_spicedb.PERMISSIONS).
DECISIONS = ("view", "edit", "use")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--checks", type=int, default=200, help="questions per decision")
    parser.add_argument("--bulk", type=int, default=100, help="checks per bulk call")
    args = parser.parse_args()

    w = wl.workload(args.users, args.cases, args.items, args.checks)
    start = time.perf_counter()
    export = to_spicedb(w.org, w.cases, w.items)
    t_export = time.perf_counter() - start
    print(
        f"users={args.users:,} cases={args.cases:,} items={args.items:,}: "
        f"to_spicedb {t_export:.2f} s for {len(export.relationships):,} relationships "
        f"({t_export / len(export.relationships) * 1e6:.2f} µs each)"
    )
    with BenchSpiceDB() as db:
        start = time.perf_counter()
        db.load(export)
        print(f"write: {time.perf_counter() - start:.2f} s")
        for decision in DECISIONS:
            if decision == "use":
                questions = list(w.item_questions)
                custody = bo.Custody(w.org, w.items)
                expected = [bool(custody.can_use(u, i)) for u, i in questions]
            else:
                visibility = bo.Visibility(w.org)
                ask = visibility.can_view_case if decision == "view" else visibility.can_edit_case
                expected = [bool(ask(u, c)) for u, c in w.case_questions]
                questions = [(u, c.id) for u, c in w.case_questions]
            got = []
            for first in range(0, len(questions), args.bulk):
                got += db.check_bulk(decision, questions[first : first + args.bulk])
            assert got == expected, f"{decision}: SpiceDB disagrees with beacon_org"
            grants = sum(expected)
            start = time.perf_counter()
            for user, object_id in questions:
                db.check_one(decision, user, object_id)
            one = (time.perf_counter() - start) / len(questions)
            start = time.perf_counter()
            for first in range(0, len(questions), args.bulk):
                db.check_bulk(decision, questions[first : first + args.bulk])
            bulk = (time.perf_counter() - start) / len(questions)
            print(
                f"{decision}: {len(questions)} checks ({grants} grants) agree; "
                f"CheckPermission {one * 1e3:.2f} ms/check, "
                f"CheckBulkPermissions x{args.bulk} {bulk * 1e3:.3f} ms/check"
            )


if __name__ == "__main__":
    main()
