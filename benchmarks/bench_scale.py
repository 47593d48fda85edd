"""The org's size: loading, one change, memory, and a million indexed cases.

Measured for benchmarks/run.py (which interleaves the passes and writes the report):

- ``from_dict`` of 100,000 users (1,000 groups, 500 regions; ``--quick``: 10,000), CPU time per
  pass with the collector on, and its tracemalloc peak above the input data (once);
- one change on that org (move a rep between groups, set its region; the mean of 2,000), per pass;
- the memory the built org keeps (tracemalloc, its id strings included);
- ``Visibility``'s per-user look-ups (the scope a user's first question builds: for each user or
  region it oversees, the table its cases are answered from): one question asked for the regional
  manager with the most region members, then one question for every user, each time measuring
  with tracemalloc what the ``Visibility`` keeps afterwards;
- in a process of its own (so that its peak is that of this work alone): the benchmark's org of
  20,000 users, 1,000,000 cases, a ``bo.CaseIndex`` of them and ``visible_cases`` over the index
  for one user of each role; the process's peak resident size (``VmHWM``), and its resident
  size before the cases are made and before they are indexed.

Run alone: ``.venv/bin/python benchmarks/bench_scale.py --million 1000000`` prints the last part
as JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import targets as t
from orgdata import org_data
from report import Figure, Report
from workload import bench_org, make_cases

import beacon_org as bo

#: The roles whose visible_cases are measured over the million cases, one user each.
LIST_ROLES = (
    bo.Role.SALES,
    bo.Role.DISTRIBUTOR,
    bo.Role.REGIONAL_MANAGER,
    bo.Role.FACILITY_MANAGER,
    bo.Role.ADMIN,
)


def traced_build(data: dict[str, Any]) -> tuple[bo.Org, float, float]:
    """from_dict under tracemalloc: bytes at its peak above the input, bytes the org keeps.

    The input is copied while tracing so that the org's id strings (shared with the input) are
    counted as the org's once the input is gone.
    """
    gc.collect()
    tracemalloc.start()
    copied = json.loads(json.dumps(data))
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    org = bo.from_dict(copied)
    peak = tracemalloc.get_traced_memory()[1] - base
    del copied
    gc.collect()
    retained = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return org, peak, retained


def lookup_bytes(org: bo.Org, user_ids: Sequence[str], probe: bo.Case) -> float:
    """Bytes a new ``Visibility`` keeps after one question from each of ``user_ids``."""
    vis = bo.Visibility(org)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for user_id in user_ids:
        vis.can_view_case(user_id, probe)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    # One compiled look-up per user (rules/_compile.py, the rules' one cache), built by its first
    # question.
    assert len(vis._compiled.looks["view_case"]) == len(set(user_ids))
    return after - before


class ScaleJob:
    """from_dict, one change and the look-ups' memory on an org of ``users`` users."""

    def __init__(self, users: int, million: int, users_for_million: int) -> None:
        self.users = users
        self.million = million
        self.users_for_million = users_for_million
        self.groups, self.regions = users // 100, users // 200
        self.data = org_data(users=users, distributors=self.groups, regions=self.regions)
        self.org, self.peak, self.retained = traced_build(self.data)
        assert self.org == bo.from_dict(self.data)
        org = self.org
        members = {
            m: sum(len(org.region_members(r)) for r in org.managed_regions(m))
            for m, user in org.users.items()
            if user.role is bo.Role.REGIONAL_MANAGER
        }
        self.manager = max(sorted(members), key=lambda m: members[m])
        self.manager_members = members[self.manager]
        probe = bo.Case("probe", "rep-0")
        self.manager_bytes = lookup_bytes(org, [self.manager], probe)
        self.all_bytes = lookup_bytes(org, sorted(org.users), probe)
        print(f"look-ups measured on {len(org.users):,} users", flush=True)
        self.indexed = million_in_a_process(million, users_for_million)
        print(f"{million:,} indexed cases measured in a process of their own", flush=True)

    def one_pass(self, p: int) -> dict[str, float]:
        start = time.process_time_ns()
        bo.from_dict(self.data)
        load = time.process_time_ns() - start
        return {t.LOAD: load, t.CHANGE: one_change(self.org)}

    def hot_calls(self) -> list[tuple[str, Callable[[], object]]]:
        """The calls a profile of this job looks at: the load, and 2,000 changes."""
        return [(t.LOAD, lambda: bo.from_dict(self.data)), (t.CHANGE, lambda: one_change(self.org))]

    def report(self, samples: dict[str, list[float]], report: Report) -> None:
        for name in (t.LOAD, t.CHANGE):
            values = samples[name]
            report.add(Figure(name, min(values), sorted(values)[len(values) // 2]))
        load = min(samples[t.LOAD])
        change = min(samples[t.CHANGE])
        report.figures[-1].versus = f"1/{load / change:,.0f} of the load"
        peak_mb = self.peak / 1e6
        report.add(
            Figure(t.LOAD_PEAK, peak_mb, peak_mb, "MB", note="tracemalloc, above the input data")
        )
        org = self.org
        report.add(
            Figure(
                "memory the built org keeps",
                self.retained / 1e6,
                self.retained / 1e6,
                "MB",
                versus=f"{self.retained / len(org.users):,.0f} B per user",
                note="tracemalloc, its id strings included",
            )
        )
        report.add(
            Figure(
                f"per-user look-ups of the largest regional manager ({self.manager})",
                self.manager_bytes / 1e3,
                self.manager_bytes / 1e3,
                "kB",
                versus=f"{self.manager_bytes / self.manager_members:,.0f} B per member overseen",
                note=f"{self.manager_members:,} region members",
            )
        )
        report.add(
            Figure(
                f"per-user look-ups of all {len(org.users):,} users",
                self.all_bytes / 1e6,
                self.all_bytes / 1e6,
                "MB",
                versus=f"{self.all_bytes / len(org.users):,.0f} B per user",
                note="one question per user",
            )
        )
        m = self.indexed
        report.add(
            Figure(
                f"process peak with {m['cases']:,} indexed cases",
                m["peak_rss"] / 1e6,
                m["peak_rss"] / 1e6,
                "MB",
                versus=(
                    f"{m['rss_org'] / 1e6:,.0f} MB with the org alone, "
                    f"{m['rss_cases'] / 1e6:,.0f} MB with the cases made"
                ),
                note=f"VmHWM; org of {m['users']:,} users",
            )
        )
        report.add(
            Figure(
                f"CaseIndex of {m['cases']:,} cases, built once",
                m["index_ns"],
                m["index_ns"],
                versus=f"{m['index_ns'] / m['cases']:,.0f} ns per case",
            )
        )
        for role, row in m["visible"].items():
            report.add(
                Figure(
                    f"visible_cases({role}, CaseIndex of {m['cases']:,}): {row['seen']:,} seen",
                    row["best"],
                    row["median"],
                    versus=f"{row['best'] / max(row['seen'], 1):,.0f} ns per case seen",
                    note="checked against the list form",
                )
            )
        judged = {t.LOAD: load / 1e9, t.CHANGE: change / 1e9, t.LOAD_PEAK: peak_mb}
        report.verdicts = t.judge(t.SCALE, judged)
        report.notes += [
            f"Org of {len(org.users):,} users ({self.groups:,} groups, {self.regions:,} regions) "
            f"loaded with `from_dict`; {len(next(iter(samples.values())))} interleaved passes of "
            "the load and of one change (the mean of 2,000 changes), CPU time, collector on.",
            "Per-user look-ups: what `Visibility` keeps for a user once it has answered one "
            "question from it (its scope: for each user or region member it oversees, the table "
            "its cases are answered from; nothing per question), measured with tracemalloc as "
            "the growth of a new `Visibility` after one question from the regional manager "
            "overseeing the most region members, then after one question from every user.",
            f"Indexed cases: a separate Python process builds the benchmark's org of "
            f"{m['users']:,} users, {m['cases']:,} `bo.Case` objects and a `bo.CaseIndex` of them, "
            "and asks `visible_cases` over the index for one user of each role (each answer "
            "checked against the list form); its peak resident size is the kernel's `VmHWM` of that process.",
        ]


def one_change(org: bo.Org, n: int = 1000) -> float:
    """CPU ns of one change (move a rep to another group, set its region), the mean of ``2 n``."""
    reps = [f"rep-{i}" for i in range(n)]
    start = time.process_time_ns()
    for rep in reps:
        if org.distributor_of(rep) is None:
            org.assign_rep(rep, "dist-0")
        else:
            org.unassign_rep(rep)
        org.set_region(rep, "region-1")
    return (time.process_time_ns() - start) / (2 * n)


def high_water() -> int:
    """The process's peak resident size, in bytes: ``VmHWM`` (Linux).

    Not ``ru_maxrss``: a process started by another inherits its parent's figure there.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    msg = "no VmHWM in /proc/self/status"
    raise RuntimeError(msg)


def rss() -> int:
    """The process's resident size now, in bytes (Linux)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def million(cases: int, users: int, passes: int = 3) -> dict[str, Any]:
    """The indexed-cases figures of this process (run it in a process of its own)."""
    org = bench_org(users)
    vis = bo.Visibility(org)
    gc.collect()
    rss_org = rss()
    made = make_cases(org, cases, seed=41, prefix="m")
    gc.collect()
    rss_cases = rss()
    start = time.process_time_ns()
    index = bo.CaseIndex(made)
    index_ns = time.process_time_ns() - start
    by_role: dict[bo.Role, str] = {}
    for user_id in sorted(org.users):
        user = org.users[user_id]
        if user.can_act and user.role not in by_role:
            by_role[user.role] = user_id
    visible: dict[str, dict[str, float]] = {}
    for role in LIST_ROLES:
        user_id = by_role[role]
        seen = vis.visible_cases(user_id, index)
        assert seen == vis.visible_cases(user_id, made), user_id
        times = []
        for _ in range(passes):
            start = time.process_time_ns()
            vis.visible_cases(user_id, index)
            times.append(time.process_time_ns() - start)
        times.sort()
        visible[role.value] = {
            "seen": len(seen),
            "best": times[0],
            "median": times[len(times) // 2],
        }
    peak = high_water()
    return {
        "cases": cases,
        "users": len(org.users),
        "rss_org": rss_org,
        "rss_cases": rss_cases,
        "peak_rss": peak,
        "index_ns": index_ns,
        "visible": visible,
    }


def million_in_a_process(cases: int, users: int) -> dict[str, Any]:
    """``million(cases, users)`` in a new Python process, so its peak is this work's alone."""
    command = [sys.executable, __file__, "--million", str(cases), "--users", str(users)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        msg = f"{' '.join(command)} failed:\n{done.stderr[-3000:]}"
        raise RuntimeError(msg)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="a million indexed cases, in this process")
    parser.add_argument("--million", type=int, default=1_000_000, help="cases to index")
    parser.add_argument("--users", type=int, default=20_000, help="users of the org")
    args = parser.parse_args(argv)
    print(json.dumps(million(args.million, args.users)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
