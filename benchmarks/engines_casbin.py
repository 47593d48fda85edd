"""beacon_org's case and custody rules as a pycasbin 2.8 RBAC model, for the benchmark.

One enforcer answers ``view`` and ``edit`` on ``case:ID`` and ``use`` on ``item:ID`` for
``user:ID``. Each action has its own transitive role graph (``g``, ``g2``, ``g3``) in which a
user reaches an object exactly when beacon_org grants the action; the matcher only picks the
graph and asks ``g(r.sub, r.obj)``, so no ``p`` line is scanned. The graphs:

- ``g`` (view): case <- ``rep:X`` / ``sub:X`` (its representative and sub-rep) <- ``overseen:X`` <-
  X's distributor, and <- ``region:R`` <- R's manager; ``fac:F`` -> the cases at facility F <- its
  facility managers; X -> ``rep:X`` when X is signed in, X -> ``sub:X`` when it may act.
- ``g2`` (edit): the same over open cases only; a sub-rep edits only when it is a distributor; a
  facility manager only its own cases.
- ``g3`` (use): active items <- ``hold:H`` (their custodian) <- H when it may act and holds
  inventory, <- the reps of a sharing distributor, and ``hold:@org`` <- org-wide users.
- ``g4``: org-wide users that may act -> ``all``, which views and edits every case (a graph of its
  own, so asking it costs one step for everyone else).

Account states decide only whether the edges out of a user exist, so every rule of the API is
expressed and the benchmark's agreement check covers the whole sample.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import casbin

import beacon_org as bo

MODEL = """\
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _
g2 = _, _
g3 = _, _
g4 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = (r.act == "view" && (g4(r.sub, "all") || g(r.sub, r.obj))) || \
(r.act == "edit" && (g4(r.sub, "all") || g2(r.sub, r.obj))) || \
(r.act == "use" && g3(r.sub, r.obj))
"""

_FIELD = frozenset({bo.Role.SALES, bo.Role.DISTRIBUTOR, bo.Role.FACILITY_MANAGER})


def _signed_in(user: bo.User) -> bool:
    return user.active and not user.locked


def _subject_edges(org: bo.Org) -> Iterator[tuple[str, str, str]]:
    """(graph, from, to) edges out of the users and regions, shared by the view and edit graphs."""
    for user_id, user in org.users.items():
        me = f"user:{user_id}"
        role = user.role
        if user.can_act and role.is_org_wide:
            yield "g4", me, "all"
            yield "g3", me, f"hold:{bo.ORG_CUSTODY}"
            continue
        if role in _FIELD and _signed_in(user):
            yield "g", me, f"rep:{user_id}"
        if not user.can_act:
            continue
        if role in _FIELD:
            yield "g2", me, f"rep:{user_id}"
            yield "g3", me, f"hold:{user_id}"
        if role in (bo.Role.SALES, bo.Role.DISTRIBUTOR):
            yield "g", me, f"sub:{user_id}"
        if role is bo.Role.DISTRIBUTOR:
            yield "g2", me, f"sub:{user_id}"
            for rep in org.reps_of(user_id):
                for graph in ("g", "g2"):
                    yield graph, me, f"overseen:{rep}"
        if role is bo.Role.SALES:
            distributor = org.distributor_of(user_id)
            if distributor is not None and org.shares_inventory(distributor):
                yield "g3", me, f"hold:{distributor}"
        if role is bo.Role.REGIONAL_MANAGER:
            for region in org.managed_regions(user_id):
                for graph in ("g", "g2"):
                    yield graph, me, f"region:{region}"
        if role is bo.Role.FACILITY_MANAGER:
            for facility in user.facilities:
                yield "g", me, f"fac:{facility}"
    for region_id in org.regions:
        for member in org.region_members(region_id):
            for graph in ("g", "g2"):
                yield graph, f"region:{region_id}", f"overseen:{member}"
    for user_id in org.users:
        for graph in ("g", "g2"):
            yield graph, f"overseen:{user_id}", f"rep:{user_id}"
            yield graph, f"overseen:{user_id}", f"sub:{user_id}"


def _object_edges(
    cases: Iterable[bo.Case], items: Iterable[bo.InventoryItem]
) -> Iterator[tuple[str, str, str]]:
    for case in cases:
        obj = f"case:{case.id}"
        subjects = [f"rep:{case.representative}"]
        if case.sub_rep is not None:
            subjects.append(f"sub:{case.sub_rep}")
        for subject in subjects:
            yield "g", subject, obj
            if not case.status.is_closed:
                yield "g2", subject, obj
        if case.facility is not None:
            yield "g", f"fac:{case.facility}", obj
    for item in items:
        if item.active:
            yield "g3", f"hold:{item.custodian}", f"item:{item.id}"


class _EdgeAdapter(casbin.persist.Adapter):  # type: ignore[misc]
    """Hands the enforcer its grouping lines from memory, as a file or database adapter would.

    (``Enforcer.add_named_grouping_policies`` checks each new line against a list of the lines
    already there, which is quadratic: hours for this many lines.)
    """

    def __init__(self, edges: dict[str, list[list[str]]]) -> None:
        self.edges = edges

    def load_policy(self, model: casbin.model.Model) -> None:
        for graph, rules in self.edges.items():
            model.model["g"][graph].policy.extend(rules)


class CasbinRules:
    """A pycasbin enforcer loaded with one org, its cases and its items."""

    def __init__(
        self, org: bo.Org, cases: Sequence[bo.Case], items: Sequence[bo.InventoryItem]
    ) -> None:
        edges: dict[str, list[list[str]]] = {"g": [], "g2": [], "g3": [], "g4": []}
        for graph, child, parent in _subject_edges(org):
            edges[graph].append([child, parent])
        for graph, child, parent in _object_edges(cases, items):
            edges[graph].append([child, parent])
        model = casbin.model.Model()
        model.load_model_from_text(MODEL)
        self.enforcer = casbin.Enforcer(model, _EdgeAdapter(edges))
        self.edges = sum(len(rules) for rules in edges.values())

    def can_view_case(self, user_id: str, case_id: str) -> bool:
        return bool(self.enforcer.enforce(f"user:{user_id}", f"case:{case_id}", "view"))

    def can_edit_case(self, user_id: str, case_id: str) -> bool:
        return bool(self.enforcer.enforce(f"user:{user_id}", f"case:{case_id}", "edit"))

    def can_use(self, user_id: str, item_id: str) -> bool:
        return bool(self.enforcer.enforce(f"user:{user_id}", f"item:{item_id}", "use"))
