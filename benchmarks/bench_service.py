"""Issue 13's service workload: a new case object for every question, the collector on.

A service loads its case from its database for every request and builds a new ``bo.Case`` (or
passes its own row object), then asks one question. This job measures that on the workload of
benchmarks/workload.py (20,000 users, 50,000 cases and items; ``--quick``: 2,000 and 5,000):

- ``can_view_case``, ``can_edit_case`` on a new ``bo.Case`` per question, and on a new row object
  of the service's own (a plain class with slots) per question; ``Custody.can_use`` per question;
- building one ``bo.Case`` from valid fields;
- the batch forms (``viewable`` and ``visible_cases``: one user, many cases; ``viewable_by``:
  many users, one case), per decision;
- a bare function doing one dict look-up (``rep_of.get(case.id) == user_id``; for items
  ``custodian_of.get(item_id) == user_id``) in the same loop shape;
- Cedar (cedarpy, pre-parsed ``PolicySet`` and ``Entities``), pycasbin (benchmarks/engines_casbin.py)
  and SpiceDB in-process (spicedb_embedded, one ``CheckPermission`` per question) on a sample of
  the same questions, after checking that every one of them agrees with beacon_org.

Case ids are new on every pass (``c-17.3``: case c-17 in pass 3) and every pass asks other
(user, item) pairs, so hardly anything asked before is asked again. Every figure is measured once
per pass, the engines' too, and the passes repeated (benchmarks/run.py interleaves them); a figure
is CPU ns per decision (the machine is shared; for SpiceDB this includes its own threads).

Run alone (writes benchmarks/service-results.md)::

    .venv/bin/python benchmarks/bench_service.py [--quick] [--passes N] [--profile] [--output F]

``bash scripts/bench`` runs it with the rest of the benchmark (benchmarks/run.py).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import targets as t
from engines_casbin import CasbinRules
from engines_cedar import CedarRules
from engines_spicedb import BenchSpiceDB
from report import Figure, Report, fmt_ratio
from workload import Workload, item_questions, sample

import beacon_org as bo
from beacon_org.export import to_spicedb


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


Spec = tuple[str, str, str | None, str | None, str]


def fresh_cases(specs: Sequence[Spec], tag: int) -> list[bo.Case]:
    """New ``bo.Case`` objects with ids never asked before (suffix ``.tag``)."""
    return [bo.Case(f"{i}.{tag}", r, sub_rep=s, facility=f, status=st) for i, r, s, f, st in specs]


def fresh_rows(specs: Sequence[Spec], tag: int) -> list[ServiceRow]:
    """New service rows with ids never asked before (suffix ``.tag``)."""
    return [ServiceRow(f"{i}.{tag}", r, s, f, st) for i, r, s, f, st in specs]


def loop(fn: Callable[[Any, Any], object], firsts: Sequence[Any], seconds: Sequence[Any]) -> float:
    """CPU ns per call of ``fn(first, second)`` over the pairs; the collector stays as it is (on)."""
    start = time.process_time_ns()
    for first, second in zip(firsts, seconds, strict=True):
        fn(first, second)
    return (time.process_time_ns() - start) / len(firsts)


def each(fn: Callable[[Any, Any], object], pairs: Sequence[tuple[Any, Any]]) -> float:
    """CPU ns per call of ``fn(first, second)`` over ``pairs`` (an engine's questions)."""
    start = time.process_time_ns()
    for first, second in pairs:
        fn(first, second)
    return (time.process_time_ns() - start) / len(pairs)


def build_loop(specs: Sequence[Spec]) -> float:
    """CPU ns to build one ``bo.Case`` per spec from valid fields."""
    case = bo.Case
    start = time.process_time_ns()
    for i, r, s, f, st in specs:
        case(i, r, sub_rep=s, facility=f, status=st)
    return (time.process_time_ns() - start) / len(specs)


def agree(engine: str, decision: str, theirs: Sequence[bool], ours: Sequence[bool]) -> None:
    """Raise AssertionError unless ``engine`` answered every question as beacon_org did."""
    if list(theirs) != list(ours):
        wrong = [i for i, (a, b) in enumerate(zip(theirs, ours, strict=True)) if a != b]
        msg = (
            f"{engine} disagrees with beacon_org on {len(wrong)} {decision} decisions: {wrong[:10]}"
        )
        raise AssertionError(msg)


class ServiceJob:
    """The service workload on one ``Workload``: engines loaded and checked, then one pass at a time.

    ``one_pass(p)`` measures every figure once on new case objects (ids tagged ``p``) and returns
    CPU ns per decision by figure name (benchmarks/targets.py names them).
    """

    def __init__(self, w: Workload, engine_questions: int, spicedb_questions: int) -> None:
        self.w = w
        org, cases, items = w.org, w.cases, w.items
        self.vis = bo.Visibility(org)
        self.custody = bo.Custody(org, items)
        self.pairs = list(w.case_questions)
        self.users = [u for u, _ in self.pairs]
        self.specs: list[Spec] = [
            (c.id, c.representative, c.sub_rep, c.facility, c.status.value) for _, c in self.pairs
        ]
        self.custodian_of = {item.id: item.custodian for item in items}
        self.everyone = list(org.users)
        self.loading: dict[str, float] = {}

        start = time.perf_counter()
        self.cedar = CedarRules(org, cases, items)
        self.loading["Cedar"] = time.perf_counter() - start
        start = time.perf_counter()
        self.casbin = CasbinRules(org, cases, items)
        self.loading["pycasbin"] = time.perf_counter() - start
        start = time.perf_counter()
        export = to_spicedb(org, cases, items)
        self.spicedb = BenchSpiceDB()
        self.spicedb.load(export)
        self.loading["SpiceDB"] = time.perf_counter() - start
        self.relationships = len(export.relationships)
        print(
            "engines loaded: "
            + ", ".join(f"{k} {v:.1f} s" for k, v in self.loading.items())
            + f" ({self.relationships:,} SpiceDB relationships)",
            flush=True,
        )

        # The engines' questions: a spread sample of the same (user, case) and (user, item) pairs.
        step = max(1, len(self.pairs) // engine_questions)
        picked = list(range(0, len(self.pairs), step))[:engine_questions]
        item_pairs = list(w.item_questions)
        self.engine_pairs: dict[str, list[tuple[str, str]]] = {
            "view": [(self.pairs[k][0], self.pairs[k][1].id) for k in picked],
            "edit": [(self.pairs[k][0], self.pairs[k][1].id) for k in picked],
            "use": [item_pairs[k] for k in picked],
        }
        self.spicedb_pairs = {
            d: sample(qs, spicedb_questions, seed=29) for d, qs in self.engine_pairs.items()
        }
        self.cedar_requests = {
            d: [self.cedar.request(d, u, o) for u, o in qs] for d, qs in self.engine_pairs.items()
        }
        self.casbin_requests = {
            d: [(f"user:{u}", f"{'item' if d == 'use' else 'case'}:{o}") for u, o in qs]
            for d, qs in self.engine_pairs.items()
        }
        self.checked = self._check_agreement()

    # --- agreement, before any timing -------------------------------------------------------

    def ours(self, decision: str, pairs: Sequence[tuple[str, str]]) -> list[bool]:
        if decision == "use":
            return [self.custody.can_use(u, i).allowed for u, i in pairs]
        by_id = {c.id: c for c in self.w.cases}
        ask = self.vis.can_view_case if decision == "view" else self.vis.can_edit_case
        return [ask(u, by_id[c]).allowed for u, c in pairs]

    def _check_agreement(self) -> dict[str, int]:
        checked = {"Cedar": 0, "pycasbin": 0, "SpiceDB": 0, "rows": 0, "yes/no": 0, "batches": 0}
        grants = 0
        for decision, pairs in self.engine_pairs.items():
            expected = self.ours(decision, pairs)
            grants += sum(expected)
            requests = self.cedar_requests[decision]
            agree("Cedar", decision, [self.cedar.is_authorized(r) for r in requests], expected)
            enforce = self.casbin.enforcer.enforce
            casbin = [bool(enforce(a, b, decision)) for a, b in self.casbin_requests[decision]]
            agree("pycasbin", decision, casbin, expected)
            spicedb_pairs = self.spicedb_pairs[decision]
            spicedb = [self.spicedb.check_one(decision, u, o) for u, o in spicedb_pairs]
            agree("SpiceDB", decision, spicedb, self.ours(decision, spicedb_pairs))
            checked["Cedar"] += len(expected)
            checked["pycasbin"] += len(expected)
            checked["SpiceDB"] += len(spicedb)
        # A service's rows answer as new bo.Case objects do, every question.
        rows, new = fresh_rows(self.specs, 0), fresh_cases(self.specs, 0)
        vis = self.vis
        wrong = 0
        for user, case, row in zip(self.users, new, rows, strict=True):
            wrong += vis.can_view_case(user, case) != vis.can_view_case(user, row)
            wrong += vis.can_edit_case(user, case) != vis.can_edit_case(user, row)
        if wrong:
            raise AssertionError(f"rows and bo.Case objects disagree on {wrong} decisions")
        checked["rows"] = 2 * len(new)
        # The yes/no forms answer as the decisions do, every question.
        for user, case in zip(self.users, new, strict=True):
            wrong += vis.may_view_case(user, case) is not vis.can_view_case(user, case).allowed
            wrong += vis.may_edit_case(user, case) is not vis.can_edit_case(user, case).allowed
        item_pairs = list(self.w.item_questions)
        for user, item_id in item_pairs:
            wrong += self.custody.may_use(user, item_id) is not (
                self.custody.can_use(user, item_id).allowed
            )
        if wrong:
            raise AssertionError(f"the yes/no forms and the decisions disagree on {wrong}")
        checked["yes/no"] = 2 * len(new) + len(item_pairs)
        # The batch forms answer as one call per decision does.
        for user in self.users[:3]:
            singles = [vis.can_view_case(user, c).allowed for c in new]
            assert vis.viewable(user, new) == singles, user
            assert vis.visible_cases(user, new) == [
                c for c, ok in zip(new, singles, strict=True) if ok
            ], user
            checked["batches"] += 2 * len(new)
        for case in new[:20]:
            singles = [vis.can_view_case(u, case).allowed for u in self.everyone]
            assert vis.viewable_by(self.everyone, case) == singles, case.id
            checked["batches"] += len(singles)
        self.granted = sum(
            vis.can_view_case(u, c).allowed for u, c in zip(self.users, new, strict=True)
        )
        self.engine_grants = grants
        print(
            f"engines agree: Cedar {checked['Cedar']:,}, pycasbin {checked['pycasbin']:,}, "
            f"SpiceDB {checked['SpiceDB']:,} decisions; rows and bo.Case on {checked['rows']:,}; "
            f"yes/no forms and decisions on {checked['yes/no']:,}; "
            f"batch forms on {checked['batches']:,}",
            flush=True,
        )
        return checked

    # --- one pass -----------------------------------------------------------------------------

    def one_pass(self, p: int) -> dict[str, float]:
        """Every figure once, on new case objects with ids tagged ``p``: CPU ns per decision."""
        vis, custody, users, specs = self.vis, self.custody, self.users, self.specs
        new_cases = fresh_cases(specs, p)
        new_rows = fresh_rows(specs, p)
        rep_of = {c.id: c.representative for c in new_cases}
        custodian_of = self.custodian_of
        # Item ids cannot be new (the items exist), so each pass asks other (user, item) pairs.
        pass_items = item_questions(self.w.org, self.w.items, len(users), seed=100 + p)
        item_users = [u for u, _ in pass_items]
        item_ids = [i for _, i in pass_items]

        def bare(user_id: str, case: Any) -> bool:
            return rep_of.get(case.id) == user_id

        def bare_item(user_id: str, item_id: str) -> bool:
            return custodian_of.get(item_id) == user_id

        out: dict[str, float] = {}
        out[t.BARE_CASE] = loop(bare, users, new_cases)
        out[t.VIEW_CASE] = loop(vis.can_view_case, users, new_cases)
        out[t.VIEW_ROW] = loop(vis.can_view_case, users, new_rows)
        out[t.EDIT_CASE] = loop(vis.can_edit_case, users, new_cases)
        out[t.EDIT_ROW] = loop(vis.can_edit_case, users, new_rows)
        out[t.MAY_VIEW] = loop(vis.may_view_case, users, new_cases)
        out[t.MAY_EDIT] = loop(vis.may_edit_case, users, new_cases)
        out[t.BUILD_CASE] = build_loop(specs)
        out[t.BARE_ITEM] = loop(bare_item, item_users, item_ids)
        out[t.USE] = loop(custody.can_use, item_users, item_ids)
        out[t.MAY_USE] = loop(custody.may_use, item_users, item_ids)
        batch_users = users[:20]
        for name, method in ((t.VIEWABLE, vis.viewable), (t.VISIBLE, vis.visible_cases)):
            start = time.process_time_ns()
            for user_id in batch_users:
                method(user_id, new_cases)
            out[name] = (time.process_time_ns() - start) / (len(batch_users) * len(new_cases))
        viewed = new_cases[:500]
        start = time.process_time_ns()
        for case in viewed:
            vis.viewable_by(self.everyone, case)
        out[t.VIEWABLE_BY] = (time.process_time_ns() - start) / (len(viewed) * len(self.everyone))
        # The engines, in the same pass, on their sample of the same questions.
        cedar, enforce = self.cedar.is_authorized, self.casbin.enforcer.enforce
        check = self.spicedb.check_one
        for d in self.engine_pairs:
            cedar_requests = [(r, None) for r in self.cedar_requests[d]]
            out[t.engine_figure("Cedar", d)] = each(lambda r, _: cedar(r), cedar_requests)
            out[t.engine_figure("pycasbin", d)] = each(
                lambda sub, obj, d=d: enforce(sub, obj, d), self.casbin_requests[d]
            )
            out[t.engine_figure("SpiceDB", d)] = each(
                lambda u, o, d=d: check(d, u, o), self.spicedb_pairs[d]
            )
        return out

    def close(self) -> None:
        self.spicedb.close()

    # --- the report --------------------------------------------------------------------------

    def report(self, samples: dict[str, list[float]], report: Report) -> None:
        best = {k: min(v) for k, v in samples.items()}
        engines = {t.engine_figure(e, d): f for e in t.ENGINES for d, f in t.DECISIONS.items()}
        for name, values in samples.items():
            base = t.BARE_ITEM if name in (t.BARE_ITEM, t.USE, t.MAY_USE) else t.BARE_CASE
            base = engines.get(name, base)  # an engine: how many times beacon_org's figure
            report.add(
                Figure(
                    name,
                    min(values),
                    statistics.median(values),
                    versus=f"{fmt_ratio(best[name] / best[base])}× {base}",
                )
            )
        report.verdicts = t.judge(t.SERVICE, report.values())
        w, org = self.w, self.w.org
        passes = len(next(iter(samples.values())))
        report.notes += [
            f"Org of {len(org.users):,} users ({len(org.distributors):,} groups, "
            f"{len(org.regions):,} regions; 1% of reps locked, 1% deactivated, 1% "
            f"custodian-only), {len(w.cases):,} cases and {len(w.items):,} items; "
            f"{len(self.pairs):,} questions of each kind per pass, a new case object with a new "
            f"case id for every question, the garbage collector on; {passes} interleaved passes "
            "(every figure, the engines' too, once per pass). CPU ns per decision; best and "
            "median pass; ratios are of best passes.",
            f"Engines checked against beacon_org before any timing: Cedar and pycasbin on "
            f"{self.checked['Cedar']:,} decisions ({len(self.engine_pairs['view']):,} of each "
            f"kind; {self.engine_grants:,} grants), SpiceDB on {self.checked['SpiceDB']:,} "
            f"({len(self.spicedb_pairs['view'])} of each kind: a check costs tens of ms at "
            f"20,000 users); a service's rows against bo.Case on {self.checked['rows']:,}; the "
            f"yes/no forms against the decisions on {self.checked['yes/no']:,}; the "
            f"batch forms against one call per decision on {self.checked['batches']:,}. All "
            f"agree. {self.granted:,} of the {len(self.pairs):,} view questions are grants.",
            "Cedar: cedarpy `is_authorized` with a pre-parsed `PolicySet` and `Entities` "
            "(benchmarks/engines_cedar.py); pycasbin: one enforcer whose matcher asks one "
            "transitive role graph per action (benchmarks/engines_casbin.py), `enforce`; "
            "SpiceDB: 1.54 in-process (spicedb_embedded, in-memory datastore, fully consistent), "
            "one `CheckPermission` per question, its CPU time including its own threads. Loading "
            + ", ".join(f"{k} {v:.1f} s" for k, v in self.loading.items())
            + f" ({self.relationships:,} SpiceDB relationships).",
            "The bare calls: `rep_of.get(case.id) == user_id` over the same new case objects, "
            "`custodian_of.get(item_id) == user_id` over the same item questions.",
        ]

    def hot_calls(self) -> list[tuple[str, Callable[[], object]]]:
        """The calls a profile of this job looks at, each over one pass's questions."""
        new_cases, new_rows = fresh_cases(self.specs, 99), fresh_rows(self.specs, 99)
        pass_items = item_questions(self.w.org, self.w.items, len(self.users), seed=99)
        item_users = [u for u, _ in pass_items]
        item_ids = [i for _, i in pass_items]
        vis, users = self.vis, self.users
        return [
            (t.VIEW_CASE, lambda: loop(vis.can_view_case, users, new_cases)),
            (t.VIEW_ROW, lambda: loop(vis.can_view_case, users, new_rows)),
            (t.EDIT_CASE, lambda: loop(vis.can_edit_case, users, new_cases)),
            (t.EDIT_ROW, lambda: loop(vis.can_edit_case, users, new_rows)),
            (t.USE, lambda: loop(self.custody.can_use, item_users, item_ids)),
            (t.BUILD_CASE, lambda: build_loop(self.specs)),
        ]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the service workload alone (benchmarks/run.py with ``--only service``)."""
    import run

    args = list(sys.argv[1:] if argv is None else argv)
    return run.main(["--only", "service", *args], command="benchmarks/bench_service.py")


if __name__ == "__main__":
    raise SystemExit(main())
