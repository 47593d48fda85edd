"""diff_access for one change on 20,000 users and 50,000 indexed cases, against one decision.

Run: ``.venv/bin/python benchmarks/bench_diff_incremental.py [--rounds N]``. The target (issue 13):
a diff for one change costs at most 50 times one decision per access change it finds, so its
cost follows the change, not the org. One decision is ``can_view_case`` on a case object built
for the question (a new object and a new id, as a service builds one per request; building it is
not timed), by users asked before (their look-ups compiled: the steady cost a service sees).
Everything is measured interleaved in each round, in CPU time (the machine is shared), the
garbage collector on; the table shows the median and the best round of each ratio, and how many
questions each diff asks of the rules (counted in a separate, untimed run).
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from workload import bench_org, field_users, make_cases

import beacon_org as bo

USERS = 20_000
CASES = 50_000
TARGET = 50.0
DECISIONS = 20_000  # can_view_case calls timed per round, each on a new case object


def changes(org: bo.Org) -> dict[str, bo.Org]:
    """One change of each kind the setup guide makes, on ``org``."""
    view = org.view
    reps = sorted(r for r in view.distributor_of if view.users[r].active)
    rep = reps[len(reps) // 2]
    old = view.distributor_of[rep]
    new = next(d for d in sorted(org.distributors) if d != old)
    user = view.users[rep]
    region = next(r for r in sorted(view.regions) if r != user.region)
    managed = sorted(r for r in view.regions if view.regions[r].manager is not None)
    other_manager = next(
        m for m in sorted(view.managed_by) if m != view.regions[managed[0]].manager
    )
    return {
        "move a rep to another group": org.unassign_rep(rep).assign_rep(rep, new),
        "deactivate a rep": org.deactivate(rep),
        "move a rep to another region": org.set_region(rep, region),
        "replace a region's manager": org.set_region_manager(managed[0], other_manager),
        "deactivate a distributor": org.deactivate(old),
    }


def new_cases(org: bo.Org, count: int, round_: int) -> list[bo.Case]:
    # Cases with ids never asked about before, built ahead so that only the decision is timed.
    return make_cases(org, count, seed=100 + round_, prefix=f"new{round_}")


@contextlib.contextmanager
def counting(counts: dict[str, int]):  # type: ignore[no-untyped-def]
    """Count the questions diff_access asks of Visibility, and of how many users."""
    original = bo.Visibility.can_view_case
    askers: set[str] = set()

    def counted(self: bo.Visibility, user_id: str, case: bo.Case) -> bo.Decision:
        counts["questions"] = counts.get("questions", 0) + 1
        askers.add(user_id)
        return original(self, user_id, case)

    bo.Visibility.can_view_case = counted  # type: ignore[method-assign]
    try:
        yield
    finally:
        bo.Visibility.can_view_case = original  # type: ignore[method-assign]
        counts["askers"] = len(askers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    org = bench_org(USERS)
    index = bo.CaseIndex(make_cases(org, CASES))
    after = changes(org)
    found = {name: len(bo.diff_access(org, a, cases=index)) for name, a in after.items()}
    asked: dict[str, dict[str, int]] = {name: {} for name in after}
    for name, a in after.items():
        with counting(asked[name]):
            bo.diff_access(org, a, cases=index)
    vis = bo.Visibility(org)
    users = field_users(org)
    for user, case in zip(users, new_cases(org, len(users), -1), strict=True):
        vis.can_view_case(user, case)  # each user asked once before: its look-ups are built
    rng = random.Random(5)

    decision: list[float] = []
    diff: dict[str, list[float]] = {name: [] for name in after}
    for round_ in range(args.rounds):
        questions = [(rng.choice(users), case) for case in new_cases(org, DECISIONS, round_)]
        start = time.process_time()
        for user, case in questions:
            vis.can_view_case(user, case)
        decision.append((time.process_time() - start) / len(questions))
        for name, a in after.items():
            start = time.process_time()
            bo.diff_access(org, a, cases=index)
            diff[name].append(time.process_time() - start)

    one = statistics.median(decision)
    print(
        f"{USERS:,} users, {CASES:,} indexed cases, {args.rounds} interleaved rounds, "
        f"collector on; one can_view_case on a new case: {one * 1e9:,.0f} ns (median)\n"
    )
    print(
        "| change | access changes | questions (askers) | diff, median "
        "| per change / one decision: median | best | target | met |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, times in diff.items():
        per_change = [t / max(1, found[name]) / d for t, d in zip(times, decision, strict=True)]
        median = statistics.median(per_change)
        print(
            f"| {name} | {found[name]:,} "
            f"| {asked[name]['questions']:,} ({asked[name]['askers']}) "
            f"| {statistics.median(times) * 1e3:.2f} ms "
            f"| {median:.1f}x | {min(per_change):.1f}x | {TARGET:.0f}x "
            f"| {'yes' if median <= TARGET else 'no'} |"
        )


if __name__ == "__main__":
    main()
