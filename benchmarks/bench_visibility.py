"""can_view_case per decision against a bare one-look-up function call, in one run.

Org of 20,000 users (200 distributor groups, 100 regions) and 50,000 cases. Run:

    .venv/bin/python benchmarks/bench_visibility.py

Every figure is the best of several runs of CPU time (the machine is shared), in ns per decision, with the ratio to the bare call
(``def bare(user_id, case): return users[user_id]``) timed in the same loop shape.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import attrs
from workload import bench_org, case_questions, make_cases

import beacon_org as bo

USERS = 20_000
CASES = 50_000
DECISIONS = 50_000
REPEATS = 5


def build(seed: int = 11) -> tuple[bo.Org, list[bo.Case], list[tuple[str, bo.Case]]]:
    """The org, its cases, and (user, case) questions, from the same workload as run.py."""
    org = bench_org(USERS, seed=seed)
    cases = make_cases(org, CASES, seed=seed)
    return org, cases, case_questions(org, cases, DECISIONS, seed=seed)


def per_call(
    fn: Callable[[str, Any], object],
    questions: Sequence[tuple[str, Any]],
    repeats: int = REPEATS,
) -> float:
    """Best-of-``repeats`` ns per call of ``fn`` over ``questions``."""
    best = float("inf")
    for _ in range(repeats):
        gc.disable()
        start = time.process_time_ns()
        for user_id, case in questions:
            fn(user_id, case)
        best = min(best, time.process_time_ns() - start)
        gc.enable()
    return best / len(questions)


def main() -> None:
    t0 = time.perf_counter()
    org, cases, questions = build()
    print(f"built org ({len(org.users):,} users) and {len(cases):,} cases in "
          f"{time.perf_counter() - t0:.1f}s; {len(questions):,} questions")  # fmt: skip

    vis = bo.Visibility(org)
    # The same answers, one by one and in batch, before timing anything.
    answers = [bool(vis.can_view_case(u, c)) for u, c in questions]
    for user_id in sorted({u for u, _ in questions})[:200]:
        mine = [c for u, c in questions if u == user_id]
        assert vis.viewable(user_id, mine) == [bool(vis.can_view_case(user_id, c)) for c in mine]
    granted = sum(answers)
    print(f"{granted:,} of {len(questions):,} questions granted")

    users = dict(org.users)

    def bare(user_id: str, case: object) -> object:
        return users[user_id]

    rows: list[tuple[str, float]] = []
    base = per_call(bare, questions)
    rows.append(("bare one-look-up function call", base))
    rows.append(("can_view_case, asked again", per_call(vis.can_view_case, questions)))
    rows.append((
        "can_view_case, first ask on a new Visibility",
        min(per_call(bo.Visibility(org).can_view_case, questions, 1) for _ in range(3)),
    ))  # fmt: skip
    rows.append((
        "can_view_case, new Case objects",
        per_call(vis.can_view_case, [(u, attrs.evolve(c)) for u, c in questions]),
    ))  # fmt: skip
    rows.append(("can_edit_case, asked again", per_call(vis.can_edit_case, questions)))

    # Batch forms: one user and every case; every user of one case.
    batch_users = [u for u, _ in questions[:30]]
    best = float("inf")
    for _ in range(REPEATS):
        start = time.process_time_ns()
        for user_id in batch_users:
            vis.visible_cases(user_id, cases)
        best = min(best, time.process_time_ns() - start)
    rows.append(("visible_cases(user, 50,000 cases), per case", best / (len(batch_users) * CASES)))
    sample = cases[:5_000]
    vis.case_viewers(sample[0])  # index the org-wide users and facility managers once
    best = float("inf")
    viewers = 0
    for _ in range(REPEATS):
        start = time.process_time_ns()
        viewers = sum(len(vis.case_viewers(c)) for c in sample)
        best = min(best, time.process_time_ns() - start)
    rows.append(
        (f"case_viewers, per viewer ({viewers / len(sample):.1f} per case)", best / viewers)
    )

    print()
    print("| figure | ns per decision | x bare call |")
    print("| --- | ---: | ---: |")
    for name, ns in rows:
        print(f"| {name} | {ns:,.0f} | {ns / base:.2f} |")


if __name__ == "__main__":
    main()
