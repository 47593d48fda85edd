"""can_view_case per decision against a bare one-look-up function call, in one run.

Org of 20,000 users (200 distributor groups, 100 regions) and 50,000 cases. Run:

    .venv/bin/python benchmarks/bench_visibility.py

Every figure is the best of several runs of CPU time (the machine is shared), in ns per decision, with the ratio to the bare call
(``def bare(user_id, case): return users[user_id]``) timed in the same loop shape.
"""

from __future__ import annotations

import gc
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import beacon_org as bo

USERS = 20_000
CASES = 50_000
DECISIONS = 50_000
REPEATS = 5


def org_data(users: int, distributors: int, regions: int, seed: int) -> dict[str, Any]:
    """``to_dict`` data: back office, a manager per region, facility managers, groups of reps."""
    rng = random.Random(seed)
    region_ids = [f"region-{i}" for i in range(regions)]
    rows: list[dict[str, Any]] = []

    def user(uid: str, role: str, region: str | None = None, **extra: Any) -> None:
        rows.append({"id": uid, "email": f"{uid}@bench.example", "role": role,
                     "region": region, "training_complete": True, **extra})  # fmt: skip

    for i in range(5):
        user(f"admin-{i}", "admin")
    for i in range(regions):
        user(f"rm-{i}", "regional_manager")
    for i in range(distributors):
        user(f"dist-{i}", "distributor", rng.choice(region_ids))
    for i in range(users // 500):
        user(f"fm-{i}", "facility_manager", facilities=[f"fac-{i % 50}"])
    groups: dict[str, list[str]] = {}
    for i in range(users - len(rows)):
        user(f"rep-{i}", "sales", rng.choice(region_ids))
        if rng.random() < 0.95:
            groups.setdefault(f"dist-{rng.randrange(distributors)}", []).append(f"rep-{i}")
    return {
        "version": bo.FORMAT_VERSION,
        "settings": {"field_users_can_reopen_cases": False},
        "regions": [{"id": r, "manager": f"rm-{i}"} for i, r in enumerate(region_ids)],
        "users": rows,
        "groups": [{"distributor": d, "reps": reps} for d, reps in sorted(groups.items())],
    }


def build(seed: int = 11) -> tuple[bo.Org, list[bo.Case], list[tuple[str, bo.Case]]]:
    """The org, its cases, and a sample of (user, case) questions: a third of them related."""
    org = bo.from_dict(org_data(users=USERS, distributors=200, regions=100, seed=seed))
    rng = random.Random(seed)
    field = sorted(u for u, user in org.users.items() if user.role.has_region)
    statuses = list(bo.CaseStatus)
    cases = []
    for i in range(CASES):
        rep = rng.choice(field)
        distributor = org.distributor_of(rep)
        mates = sorted(org.reps_of(distributor) - {rep}) if distributor else []
        sub = rng.choice(mates) if mates and rng.random() < 0.3 else None
        cases.append(
            bo.Case(
                f"c-{i}",
                rep,
                sub_rep=sub,
                facility=f"fac-{rng.randrange(50)}",
                status=rng.choice(statuses),
            )
        )
    users = sorted(org.users)
    questions: list[tuple[str, bo.Case]] = []
    for i in range(DECISIONS):
        case = rng.choice(cases)
        kind = i % 3
        if kind == 0:  # anyone: mostly denials
            questions.append((rng.choice(users), case))
        elif kind == 1:  # the case's distributor, or the rep itself
            questions.append((org.distributor_of(case.representative) or case.representative, case))
        else:  # the manager of the rep's region
            region = org.users[case.representative].region
            manager = org.region(region).manager if region else None
            questions.append((manager or case.representative, case))
    return org, cases, questions


def per_call(fn: Callable[[str, Any], object], questions: Sequence[tuple[str, Any]]) -> float:
    """Best-of-REPEATS ns per call of ``fn`` over ``questions``."""
    best = float("inf")
    for _ in range(REPEATS):
        gc.disable()
        start = time.process_time_ns()
        for user_id, case in questions:
            fn(user_id, case)
        best = min(best, time.process_time_ns() - start)
        gc.enable()
    return best / len(questions)


def first_pass(make: Callable[[], bo.Visibility], questions: Sequence[tuple[str, Any]]) -> float:
    """ns per call of the first pass over a new Visibility (scopes built, nothing remembered)."""
    vis = make()
    ask = vis.can_view_case
    gc.disable()
    start = time.process_time_ns()
    for user_id, case in questions:
        ask(user_id, case)
    elapsed = time.process_time_ns() - start
    gc.enable()
    return elapsed / len(questions)


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
    rows.append(("can_view_case, asked again (remembered)", per_call(vis.can_view_case, questions)))
    rows.append((
        "can_view_case, first ask on a new Visibility",
        min(first_pass(lambda: bo.Visibility(org), questions) for _ in range(3)),
    ))  # fmt: skip
    forgetful = bo.Visibility(org, memo_size=0)
    rows.append(("can_view_case, memo_size=0", per_call(forgetful.can_view_case, questions)))
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
