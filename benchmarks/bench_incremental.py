"""Issue 13's changes: diff_access and relationship_changes for one change, check_setup at size.

Measured for benchmarks/run.py (which interleaves the passes and writes the report), on the
service workload's org (20,000 users, 50,000 cases and items; ``--quick``: 2,000 and 5,000):

- ``diff_access(before, after, cases=CaseIndex, items=ItemIndex)`` for one change of each kind (move
  a rep to another group, deactivate a rep, turn a sharing group's sharing off and deactivate
  its first rep), per access change found;
- ``relationship_changes(before, after, cases, items)`` for the same changes, per relationship
  written or deleted;
- one decision (``can_view_case`` on a new ``bo.Case``), measured in the same pass: the targets
  ask each change to cost at most 50 decisions per change found;
- ``check_setup`` and readiness of every distributor group from one pass over the items (what
  ``beacon-org check`` runs) on 50,000 users, 500 groups and 20,000 items (``--quick``: 5,000,
  50 and 2,000).

Before any timing, ``diff_access`` over the indexes is checked to give the answer it gives over
the lists of cases and items, and readiness of every group the answer of ``readiness`` asked per group.
"""

from __future__ import annotations

import datetime
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import targets as t
from orgdata import org_data
from report import Figure, Report
from workload import Workload, make_items

import beacon_org as bo
from beacon_org.export import relationship_changes
from beacon_org.rules._setup import readiness_of_every_group

ON = datetime.date(2027, 1, 1)


def changes_of(org: bo.Org) -> dict[str, bo.Org]:
    """One changed snapshot per kind of change, each one step from ``org``."""
    rep = next(r for r in sorted(org.users) if org.distributor_of(r) is not None)
    old = org.distributor_of(rep)
    new = next(d for d in sorted(org.distributors) if d != old)
    sharing = next(d for d in sorted(org.distributors) if org.shares_inventory(d))
    first = sorted(org.reps_of(sharing))[0]
    return {
        "move a rep to another group": org.unassign_rep(rep).assign_rep(rep, new),
        "deactivate a rep": org.deactivate(rep),
        "sharing off and a rep deactivated": org.set_shared_inventory(sharing, False).deactivate(
            first
        ),
    }


class ChangesJob:
    """diff_access and relationship_changes on ``w``; check_setup on an org of ``setup_users``."""

    def __init__(self, w: Workload, setup_users: int, setup_groups: int, setup_items: int) -> None:
        self.w = w
        self.index = bo.CaseIndex(w.cases)
        self.item_index = bo.ItemIndex(w.items)
        self.vis = bo.Visibility(w.org)
        self.changes = changes_of(w.org)
        self.found: dict[str, int] = {}
        self.relationships: dict[str, int] = {}
        for name, after in self.changes.items():
            indexed = bo.diff_access(w.org, after, cases=self.index, items=self.item_index)
            listed = bo.diff_access(w.org, after, cases=w.cases, items=w.items)
            assert indexed == listed, name
            self.found[name] = len(indexed)
            rel = relationship_changes(w.org, after, w.cases, w.items)
            self.relationships[name] = len(rel.writes) + len(rel.deletes)
        self.questions = list(w.case_questions[:5_000])
        setup = bo.from_dict(
            org_data(users=setup_users, distributors=setup_groups, regions=setup_groups // 2)
        )
        for d in sorted(setup.distributors)[::2]:
            setup = setup.set_shared_inventory(d, True)
        self.setup_org = setup
        self.setup_items = make_items(setup, setup_items)
        every = readiness_of_every_group(setup, self.setup_items, on=ON)
        some = sorted(setup.distributors)[:5]
        assert every[:5] == [bo.readiness(setup, d, self.setup_items, on=ON) for d in some]
        print(
            "changes checked: diff_access over the indexes agrees with the lists; "
            + ", ".join(f"{k}: {v:,} access changes" for k, v in self.found.items()),
            flush=True,
        )

    def one_pass(self, p: int) -> dict[str, float]:
        w, out = self.w, {}
        cases = [
            bo.Case(f"{c.id}.{p}", c.representative, sub_rep=c.sub_rep, facility=c.facility)
            for _, c in self.questions
        ]
        ask = self.vis.can_view_case
        start = time.process_time_ns()
        for (user_id, _), case in zip(self.questions, cases, strict=True):
            ask(user_id, case)
        out[t.DECISION] = (time.process_time_ns() - start) / len(cases)
        for name, after in self.changes.items():
            start = time.process_time_ns()
            bo.diff_access(w.org, after, cases=self.index, items=self.item_index)
            out[t.diff_figure(name)] = time.process_time_ns() - start
            start = time.process_time_ns()
            relationship_changes(w.org, after, w.cases, w.items)
            out[t.relationships_figure(name)] = time.process_time_ns() - start
        start = time.process_time_ns()
        bo.check_setup(self.setup_org, self.setup_items, on=ON)
        readiness_of_every_group(self.setup_org, self.setup_items, on=ON)
        out[t.SETUP] = time.process_time_ns() - start
        return out

    def hot_calls(self) -> list[tuple[str, Callable[[], object]]]:
        """The calls a profile of this job looks at: one of each per change, check_setup."""
        w, out = self.w, []
        for name, after in self.changes.items():
            out.append(
                (
                    t.diff_figure(name),
                    lambda a=after: bo.diff_access(
                        w.org, a, cases=self.index, items=self.item_index
                    ),
                )
            )
            out.append(
                (
                    t.relationships_figure(name),
                    lambda a=after: relationship_changes(w.org, a, w.cases, w.items),
                )
            )
        out.append(
            (
                t.SETUP,
                lambda: (
                    bo.check_setup(self.setup_org, self.setup_items, on=ON),
                    readiness_of_every_group(self.setup_org, self.setup_items, on=ON),
                ),
            )
        )
        return out

    def report(self, samples: dict[str, list[float]], report: Report) -> None:
        best = {k: min(v) for k, v in samples.items()}
        judged: dict[str, float] = {t.DECISION: best[t.DECISION], t.SETUP: best[t.SETUP] / 1e9}
        for name, values in samples.items():
            figure = Figure(name, min(values), sorted(values)[len(values) // 2])
            count = None
            if name.startswith("diff_access"):
                count = self.found[name.split(": ", 1)[1]]
                figure.note = f"{count:,} access changes found"
            elif name.startswith("relationship_changes"):
                count = self.relationships[name.split(": ", 1)[1]]
                figure.note = f"{count:,} relationships written or deleted"
            if count:
                per = best[name] / count
                judged[t.per_change(name)] = per
                figure.versus = f"{per / best[t.DECISION]:,.1f} decisions per change"
            report.add(figure)
        report.verdicts = t.judge(t.changes(list(self.changes)), judged)
        w, org = self.w, self.setup_org
        report.notes += [
            f"diff_access and relationship_changes on the service workload's org "
            f"({len(w.org.users):,} users, {len(w.cases):,} cases indexed once with "
            f"`bo.CaseIndex`, {len(w.items):,} items indexed once with `bo.ItemIndex`), one change "
            "each; one decision is `can_view_case` on a new `bo.Case`, measured in the same pass. "
            "Every figure once per pass, CPU time, collector on.",
            f"check_setup and readiness of every group: {len(org.users):,} users, "
            f"{len(org.distributors):,} groups (half sharing), {len(self.setup_items):,} items, "
            "readiness from one pass over the items (`readiness_of_every_group`, what "
            "`beacon-org check` runs), checked against `bo.readiness` per group first.",
        ]
