"""Issue 13's service workload: a new case object for every question, the collector on.

A service loads its case from its database for every request and builds a new ``bo.Case`` (or
passes its own row object), then asks one question. This measures that, in one run, on an org of
20,000 users and 50,000 cases (``--quick``: 2,000 and 5,000):

- ``can_view_case``, ``can_edit_case`` on a new ``bo.Case`` per question, and on a new row object
  of the service's own (a plain class with slots) per question; ``Custody.can_use`` per question;
- building one ``bo.Case`` from valid fields;
- the batch forms (``viewable``: one user, many cases; ``viewable_by``: many users, one case);
- a bare function doing one dict look-up (``rep_of.get(case.id) == user_id``; for items
  ``custodian_of.get(item_id) == user_id``) in the same loop shape;
- Cedar (cedarpy, pre-parsed ``PolicySet`` and ``Entities``, benchmarks/engines_cedar.py) on a
  sample of the same questions, after checking it agrees with beacon_org.

Case ids are new on every pass (``c-17.3``: case c-17 in pass 3), and every pass asks other
(user, item) pairs, so hardly anything asked before is asked again. The users are random, from ``workload.case_questions`` (a third anyone, mostly denials; the
rest near the case, mostly grants). The garbage collector stays on. The figures are interleaved
passes (every figure once per pass, passes repeated), reported as the best and the median pass
in ns per decision of CPU time (the machine is shared). Ratios are of best passes.

Run::

    .venv/bin/python benchmarks/bench_service.py [--quick] [--passes N] [--profile]

It prints one table, the issue's targets as data (target ratio, measured ratio, met or not),
and writes it to benchmarks/service-results.md (``--output`` to write elsewhere).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from engines_cedar import CedarRules
from workload import bench_org, case_questions, item_questions, make_cases, make_items

import beacon_org as bo

HERE = Path(__file__).parent


class ServiceRow:
    """A service's own case row: not a ``bo.Case``, just the attributes (slots, no checks)."""

    __slots__ = ("facility", "id", "representative", "status", "sub_rep")

    def __init__(
        self, id: str, representative: str, sub_rep: str | None, facility: str | None, status: str
    ) -> None:
        self.id = id
        self.representative = representative
        self.sub_rep = sub_rep
        self.facility = facility
        self.status = status


@dataclass(frozen=True)
class Sizes:
    users: int
    cases: int
    items: int
    questions: int
    cedar_questions: int
    passes: int


FULL = Sizes(
    users=20_000, cases=50_000, items=50_000, questions=50_000, cedar_questions=400, passes=5
)
QUICK = Sizes(
    users=2_000, cases=5_000, items=5_000, questions=10_000, cedar_questions=100, passes=3
)

Spec = tuple[str, str, str | None, str | None, str]


def fresh_cases(specs: Sequence[Spec], tag: int) -> list[bo.Case]:
    """New ``bo.Case`` objects with ids never asked before (suffix ``.tag``)."""
    return [bo.Case(f"{i}.{tag}", r, sub_rep=s, facility=f, status=st) for i, r, s, f, st in specs]


def fresh_rows(specs: Sequence[Spec], tag: int) -> list[ServiceRow]:
    """New service rows with ids never asked before (suffix ``.tag``)."""
    return [ServiceRow(f"{i}.{tag}", r, s, f, st) for i, r, s, f, st in specs]


def loop(fn: Callable[[Any, Any], object], users: Sequence[str], objs: Sequence[Any]) -> int:
    """CPU ns to call ``fn(user, obj)`` for each pair; the collector stays as it is (on)."""
    start = time.process_time_ns()
    for user_id, obj in zip(users, objs, strict=True):
        fn(user_id, obj)
    return time.process_time_ns() - start


def build_loop(specs: Sequence[Spec]) -> int:
    """CPU ns to build one ``bo.Case`` per spec from valid fields."""
    case = bo.Case
    start = time.process_time_ns()
    for i, r, s, f, st in specs:
        case(i, r, sub_rep=s, facility=f, status=st)
    return time.process_time_ns() - start


@dataclass
class Target:
    figure: str
    what: str
    limit: float
    measured: float
    at_most: bool = True  # measured must be <= limit (else >=)

    @property
    def met(self) -> bool:
        return self.measured <= self.limit if self.at_most else self.measured >= self.limit


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 users, 5,000 cases")
    parser.add_argument("--passes", type=int, default=None, help="interleaved passes")
    parser.add_argument("--output", type=Path, default=HERE / "service-results.md")
    parser.add_argument("--profile", action="store_true", help="cProfile the hot calls too")
    args = parser.parse_args(argv)
    s = QUICK if args.quick else FULL
    passes = args.passes or s.passes

    t0 = time.perf_counter()
    org = bench_org(s.users)
    cases = make_cases(org, s.cases)
    items = make_items(org, s.items)
    pairs = case_questions(org, cases, s.questions)
    item_pairs = item_questions(org, items, s.questions)
    vis = bo.Visibility(org)
    custody = bo.Custody(org, items)
    print(
        f"org of {len(org.users):,} users, {len(cases):,} cases, {len(items):,} items; "
        f"{len(pairs):,} questions of each kind; built in {time.perf_counter() - t0:.1f}s",
        flush=True,
    )
    users = [u for u, _ in pairs]
    specs: list[Spec] = [
        (c.id, c.representative, c.sub_rep, c.facility, c.status.value) for _, c in pairs
    ]
    item_users = [u for u, _ in item_pairs]
    item_ids = [i for _, i in item_pairs]
    custodian_of = {item.id: item.custodian for item in items}

    # --- agreement first --------------------------------------------------------------------
    t0 = time.perf_counter()
    cedar = CedarRules(org, cases, items)
    print(f"Cedar: exported and parsed in {time.perf_counter() - t0:.1f}s", flush=True)
    sample = list(range(0, len(pairs), max(1, len(pairs) // s.cedar_questions)))[
        : s.cedar_questions
    ]
    cedar_view = [cedar.request("view", pairs[k][0], pairs[k][1].id) for k in sample]
    cedar_edit = [cedar.request("edit", pairs[k][0], pairs[k][1].id) for k in sample]
    cedar_use = [cedar.request("use", item_pairs[k][0], item_pairs[k][1]) for k in sample]
    disagree = 0
    for k, rv, re in zip(sample, cedar_view, cedar_edit, strict=True):
        user, case = pairs[k]
        disagree += cedar.is_authorized(rv) != vis.can_view_case(user, case).allowed
        disagree += cedar.is_authorized(re) != vis.can_edit_case(user, case).allowed
    for k, ru in zip(sample, cedar_use, strict=True):
        disagree += cedar.is_authorized(ru) != custody.can_use(*item_pairs[k]).allowed
    rows0 = fresh_rows(specs, 0)
    new0 = fresh_cases(specs, 0)
    for user, case, row in zip(users, new0, rows0, strict=True):
        disagree += vis.can_view_case(user, case) != vis.can_view_case(user, row)
        disagree += vis.can_edit_case(user, case) != vis.can_edit_case(user, row)
    granted = sum(vis.can_view_case(u, c).allowed for u, c in zip(users, new0, strict=True))
    if disagree:
        raise SystemExit(f"engines disagree on {disagree} decisions: not timing anything")
    print(
        f"engines agree: Cedar on {3 * len(sample):,} decisions, rows and Cases on "
        f"{2 * len(pairs):,}; {granted:,} of {len(pairs):,} view questions granted",
        flush=True,
    )
    del rows0, new0

    # --- interleaved passes -----------------------------------------------------------------
    gc.enable()
    n = len(pairs)
    batch_users = users[:20]
    viewers_sample = 500
    timings: dict[str, list[float]] = {}

    def record(name: str, ns: float) -> None:
        timings.setdefault(name, []).append(ns)

    for p in range(1, passes + 1):
        new_cases = fresh_cases(specs, p)
        new_rows = fresh_rows(specs, p)
        rep_of = {c.id: c.representative for c in new_cases}
        # Item ids cannot be new (the items exist), so each pass asks other (user, item) pairs.
        pass_items = item_questions(org, items, s.questions, seed=100 + p)
        item_users = [u for u, _ in pass_items]
        item_ids = [i for _, i in pass_items]

        def bare(user_id: str, case: Any, rep_of: dict[str, str] = rep_of) -> bool:
            return rep_of.get(case.id) == user_id

        def bare_item(user_id: str, item_id: str) -> bool:
            return custodian_of.get(item_id) == user_id

        record("bare call (case)", loop(bare, users, new_cases) / n)
        record("can_view_case, new bo.Case", loop(vis.can_view_case, users, new_cases) / n)
        record("can_view_case, new service row", loop(vis.can_view_case, users, new_rows) / n)
        record("can_edit_case, new bo.Case", loop(vis.can_edit_case, users, new_cases) / n)
        record("can_edit_case, new service row", loop(vis.can_edit_case, users, new_rows) / n)
        record("bo.Case(...) construction", build_loop(specs) / n)
        record("bare call (item)", loop(bare_item, item_users, item_ids) / n)
        record("Custody.can_use", loop(custody.can_use, item_users, item_ids) / n)
        start = time.process_time_ns()
        for user_id in batch_users:
            vis.viewable(user_id, new_cases)
        record("viewable(user, cases), per case", (time.process_time_ns() - start) / (20 * n))
        start = time.process_time_ns()
        everyone = list(org.users)
        for case in new_cases[:viewers_sample]:
            vis.viewable_by(everyone, case)
        per = (time.process_time_ns() - start) / (viewers_sample * len(everyone))
        record("viewable_by(users, case), per user", per)
        del new_cases, new_rows, rep_of
        print(f"pass {p}/{passes} done", flush=True)

    for name, requests in (("view", cedar_view), ("edit", cedar_edit), ("use", cedar_use)):
        for _ in range(2):
            start = time.process_time_ns()
            for request in requests:
                cedar.is_authorized(request)
            record(f"Cedar {name}", (time.process_time_ns() - start) / len(requests))

    best = {k: min(v) for k, v in timings.items()}
    median = {k: statistics.median(v) for k, v in timings.items()}
    bare_case, bare_item_ns = best["bare call (case)"], best["bare call (item)"]

    targets: list[Target] = []
    for figure, cedar_name, base in (
        ("can_view_case, new bo.Case", "Cedar view", bare_case),
        ("can_edit_case, new bo.Case", "Cedar edit", bare_case),
        ("Custody.can_use", "Cedar use", bare_item_ns),
    ):
        targets.append(
            Target(figure, "× faster than Cedar", 150, best[cedar_name] / best[figure], False)
        )
        targets.append(Target(figure, "× the bare call", 3, best[figure] / base))
    for decision in ("can_view_case", "can_edit_case"):
        row, case = f"{decision}, new service row", f"{decision}, new bo.Case"
        targets.append(Target(row, "× the figure for bo.Case", 1.2, best[row] / best[case]))
    targets.append(
        Target("bo.Case(...) construction", "× the bare call", 2, best["bo.Case(...) construction"] / bare_case)
    )  # fmt: skip
    for batch in ("viewable(user, cases), per case", "viewable_by(users, case), per user"):
        targets.append(Target(batch, "× the bare call", 1, best[batch] / bare_case))

    lines = [
        "### Measured: the service workload",
        "",
        f"Org of {len(org.users):,} users, {len(cases):,} cases, {len(items):,} items; "
        f"{n:,} questions of each kind per pass, a new case object (and new case id) for every "
        f"question, the garbage collector on; {passes} interleaved passes (Cedar: "
        f"{len(sample)} questions of each kind, 2 passes, pre-parsed PolicySet and Entities). "
        "CPU ns per decision. Produced by `benchmarks/bench_service.py"
        + (" --quick" if args.quick else "")
        + "`.",
        "",
        "| figure | best ns | median ns | × bare call |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name in timings:
        base = (
            bare_item_ns
            if "item" in name or "can_use" in name or name == "Cedar use"
            else bare_case
        )
        lines.append(
            f"| {name} | {best[name]:,.0f} | {median[name]:,.0f} | {best[name] / base:,.2f} |"
        )  # fmt: skip
    lines += [
        "",
        "| target | figure | target ratio | measured ratio | met |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for t in targets:
        sign = "≤" if t.at_most else "≥"
        lines.append(
            f"| {t.what} | {t.figure} | {sign} {t.limit:g} | {t.measured:,.2f} | "
            f"{'met' if t.met else '**not met**'} |"
        )
    met = sum(t.met for t in targets)
    lines += ["", f"{met} of {len(targets)} targets met.", ""]
    text = "\n".join(lines)
    print()
    print(text)
    args.output.write_text(text, encoding="utf-8")
    print(f"written to {args.output}")

    if args.profile:
        new_cases = fresh_cases(specs, 99)
        new_rows = fresh_rows(specs, 99)
        fresh_items = item_questions(org, items, s.questions, seed=99)
        item_users = [u for u, _ in fresh_items]
        item_ids = [i for _, i in fresh_items]
        for label, call in (
            ("can_view_case, new bo.Case", lambda: loop(vis.can_view_case, users, new_cases)),
            ("can_view_case, new service row", lambda: loop(vis.can_view_case, users, new_rows)),
            ("can_edit_case, new bo.Case", lambda: loop(vis.can_edit_case, users, new_cases)),
            ("Custody.can_use", lambda: loop(custody.can_use, item_users, item_ids)),
            ("bo.Case(...) construction", lambda: build_loop(specs)),
        ):
            profiler = cProfile.Profile()
            profiler.runcall(call)
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(6)
            body = out.getvalue()
            start = body.find("   ncalls")
            print(f"\n--- profile: {label} ---\n{body[start:].rstrip()}")


if __name__ == "__main__":
    main()
