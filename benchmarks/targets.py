"""The benchmark's targets as data: what is measured, the ratio asked for, and against what.

Every target names a figure the runner (benchmarks/run.py) measures and, for a ratio, the figure
it is compared with, both from the same interleaved run. ``judge`` turns the measured figures into
one verdict per target; ``benchmarks/report.py`` writes them as a table. A target with no
``limit`` is reported, not judged (a comparison the issues ask to see, with no bound set).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

#: ``faster``: ``against / figure`` (how many times faster the figure is);
#: ``times``: ``figure / against`` (how many times the reference the figure costs);
#: ``value``: the figure itself, in ``unit``.
Kind = Literal["faster", "times", "value"]


@dataclass(frozen=True)
class Target:
    """One target: ``figure`` compared with ``against`` (or alone), ``limit`` asked for."""

    name: str
    figure: str
    what: str  # what is measured, in words
    kind: Kind
    against: str | None
    limit: float | None  # None: reported, not judged
    at_most: bool  # the measured value must be <= limit (else >=)
    unit: str = "×"
    issue: int = 13


@dataclass(frozen=True)
class Verdict:
    target: Target
    measured: float | None  # None: a figure missing from this run

    @property
    def met(self) -> bool | None:
        t = self.target
        if t.limit is None or self.measured is None:
            return None
        return self.measured <= t.limit if t.at_most else self.measured >= t.limit


# Figure names, shared with the jobs that measure them.
BARE_CASE = "bare call (case)"
BARE_ITEM = "bare call (item)"
VIEW_CASE = "can_view_case, new bo.Case"
VIEW_ROW = "can_view_case, new service row"
EDIT_CASE = "can_edit_case, new bo.Case"
EDIT_ROW = "can_edit_case, new service row"
USE = "Custody.can_use"
BUILD_CASE = "bo.Case(...) construction"
MAY_VIEW = "may_view_case (yes/no), new bo.Case"
MAY_EDIT = "may_edit_case (yes/no), new bo.Case"
MAY_USE = "Custody.may_use (yes/no)"
VIEWABLE = "viewable(user, cases), per case"
VISIBLE = "visible_cases(user, cases), per case"
VIEWABLE_BY = "viewable_by(users, case), per user"
ENGINES = ("Cedar", "pycasbin", "SpiceDB")
DECISIONS = {"view": VIEW_CASE, "edit": EDIT_CASE, "use": USE}
LOAD = "from_dict (load the org)"
LOAD_PEAK = "from_dict peak memory"
CHANGE = "one change on that org"
DECISION = "one decision (can_view_case, new bo.Case)"
SETUP = "check_setup + readiness of every group"


def engine_figure(engine: str, decision: str) -> str:
    """The figure name of ``engine`` answering ``decision`` (view, edit, use) one call at a time."""
    return f"{engine} {decision}"


def _service() -> list[Target]:
    out: list[Target] = []
    for decision, figure in DECISIONS.items():
        bare = BARE_ITEM if decision == "use" else BARE_CASE
        out.append(
            Target(
                f"{decision} vs Cedar",
                figure,
                "times faster than Cedar (pre-parsed PolicySet and Entities), same questions",
                "faster",
                engine_figure("Cedar", decision),
                150,
                at_most=False,
            )
        )
        out.append(
            Target(
                f"{decision} vs bare",
                figure,
                "times the bare call (one dict look-up), a full Decision returned",
                "times",
                bare,
                3,
                at_most=True,
            )
        )
        for engine in ("pycasbin", "SpiceDB"):
            out.append(
                Target(
                    f"{decision} vs {engine}",
                    figure,
                    f"times faster than {engine}, same questions (reported: no target set)",
                    "faster",
                    engine_figure(engine, decision),
                    None,
                    at_most=False,
                )
            )
    for form, bare in ((MAY_VIEW, BARE_CASE), (MAY_EDIT, BARE_CASE), (MAY_USE, BARE_ITEM)):
        out.append(
            Target(
                f"{form} vs bare",
                form,
                "the plain yes/no form (no Decision built), against the bare call",
                "times",
                bare,
                1.5,
                at_most=True,
            )
        )
    for row, case in ((VIEW_ROW, VIEW_CASE), (EDIT_ROW, EDIT_CASE)):
        out.append(
            Target(
                f"{row} vs bo.Case",
                row,
                "a service's own row object against the figure for a new bo.Case",
                "times",
                case,
                1.2,
                at_most=True,
            )
        )
    out.append(
        Target(
            "bo.Case construction",
            BUILD_CASE,
            "building one bo.Case from valid fields, against the bare call",
            "times",
            BARE_CASE,
            2,
            at_most=True,
        )
    )
    for batch in (VIEWABLE, VISIBLE, VIEWABLE_BY):
        out.append(
            Target(
                batch,
                batch,
                "a batch form, per decision, against the bare call",
                "times",
                BARE_CASE,
                1,
                at_most=True,
            )
        )
    return out


#: The service workload's targets (issue 13), judged on benchmarks/bench_service.py's figures.
SERVICE: Sequence[Target] = tuple(_service())

#: The targets of the org's size (issue 7, kept by issue 13), and the memory figures issue 13 asks
#: to see (reported).
SCALE: Sequence[Target] = (
    Target(
        LOAD, LOAD, "seconds to load 100,000 users with from_dict", "value", None, 1, True, "s", 7
    ),
    Target(
        LOAD_PEAK,
        LOAD_PEAK,
        "tracemalloc peak of from_dict above its input data",
        "value",
        None,
        300,
        True,
        "MB",
        7,
    ),
    Target(
        CHANGE,
        CHANGE,
        "one change (move a rep between groups, set its region) as a part of one load",
        "times",
        LOAD,
        1 / 1000,
        True,
        "× the load",
        7,
    ),
)


def diff_figure(change: str) -> str:
    return f"diff_access: {change}"


def relationships_figure(change: str) -> str:
    return f"relationship_changes: {change}"


def per_change(figure: str) -> str:
    """The figure of ``figure`` divided by the changes it found."""
    return f"{figure}, per change found"


def changes(kinds: Sequence[str]) -> list[Target]:
    """Issue 13's targets for one change of each kind, and for check_setup at size."""
    out = []
    for kind in kinds:
        for figure, found in (
            (diff_figure(kind), "access change found"),
            (relationships_figure(kind), "relationship written or deleted"),
        ):
            out.append(
                Target(
                    figure,
                    per_change(figure),
                    f"the call's cost per {found}, against one decision",
                    "times",
                    DECISION,
                    50,
                    at_most=True,
                    unit="× a decision",
                )
            )
    out.append(
        Target(
            SETUP,
            SETUP,
            "seconds for 50,000 users, 500 groups and 20,000 items",
            "value",
            None,
            2,
            at_most=True,
            unit="s",
        )
    )
    return out


def measured(target: Target, figures: Mapping[str, float]) -> float | None:
    """The value of ``target`` on ``figures`` (None when a figure is missing)."""
    value = figures.get(target.figure)
    if value is None:
        return None
    if target.kind == "value":
        return value
    assert target.against is not None
    reference = figures.get(target.against)
    if reference is None:
        return None
    return reference / value if target.kind == "faster" else value / reference


def judge(targets: Sequence[Target], figures: Mapping[str, float]) -> list[Verdict]:
    """One verdict per target, on the figures of one run."""
    return [Verdict(t, measured(t, figures)) for t in targets]
