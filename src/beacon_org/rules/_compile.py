"""The rule table compiled into per-user look-ups: the one place that caches.

For an asking user and a permission, each grant its role may hold is walked backwards from the
user (the reverse steps of :mod:`._walk`) to the ids of the chain's first hop: a case's
representative, sub-rep or facility, an item's holder, or the user asked about (every object, for
a grant through the organisation). Each id maps to an *entry* that answers for every object so
related: a grant with the start of its path, or a denial when an account bar or a condition on
the chain stops it. A decision is then a dictionary look-up per first hop.

What is kept (:class:`Compiled`) is a pure function of the org snapshot and the asking user, built
on first ask; nothing is kept per question (no remembered decisions), so nothing can go stale.
What every user of a role shares (the grants it holds, the settings, the nearest denial, how a
suggestion is worded) is compiled once per snapshot and role (:class:`RolePlan`), so a user's own
look-up is only its walks; a denial's entry that names no user (a distributor's closed pool) is
one object for every user it stops. Where a denial's suggestion depends on the object only
through its id (``transfer ITEM to USER``), the look-up holds the text around the id
(``Look.by_id``), so no denial walks the org per question.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import attrs

from .._model import ORG_CUSTODY, Role, User
from .._org import OrgView
from ._records import Decision
from ._table import ACTING, Bar, Grant, Permission, Relation, RuleTable
from ._walk import (
    CASE_CONDITIONS,
    FIELD_ATTRIBUTES,
    FIELD_RELATIONS,
    NODE_CONDITIONS,
    SETTINGS,
    forward,
    reverse,
)

__all__ = [
    "Compiled",
    "Const",
    "Derived",
    "Grants",
    "Look",
    "candidates",
    "denial",
    "grant",
    "walk_back",
    "without_suggestion",
]

T = TypeVar("T")
_EMPTY: frozenset[str] = frozenset()
_NO_ENTRIES: dict[Any, Any] = {}

# A grant is built on every ask (nothing is remembered), so it is built directly: each field stored
# through its slot's own setter, without Decision.__init__'s keyword parsing and path converter and
# without object.__setattr__'s look-up of the name (together about two fifths of a grant's cost).
# The check below stops the import if Decision's fields ever change.
_DECISION_FIELDS = ("allowed", "reason", "path", "suggestion")
if tuple(f.name for f in attrs.fields(Decision)) != _DECISION_FIELDS:  # pragma: no cover
    msg = "Decision's fields changed: update grant() in rules/_compile.py"
    raise RuntimeError(msg)
_new = object.__new__
_set_allowed, _set_reason, _set_path, _set_suggestion = (
    Decision.__dict__[name].__set__ for name in _DECISION_FIELDS
)


def grant(reason: str, path: tuple[str, ...]) -> Decision:
    """``Decision(allowed=True, reason=reason, path=path)`` for a ``path`` that is a tuple."""
    decision: Decision = _new(Decision)
    _set_allowed(decision, True)
    _set_reason(decision, reason)
    _set_path(decision, path)
    _set_suggestion(decision, None)
    return decision


def denial(reason: str, suggestion: str | None = None) -> Decision:
    """``Decision(allowed=False, reason=reason, suggestion=suggestion)``, built as :func:`grant`."""
    decision: Decision = _new(Decision)
    _set_allowed(decision, False)
    _set_reason(decision, reason)
    _set_path(decision, ())
    _set_suggestion(decision, suggestion)
    return decision


def without_suggestion(decision: Decision) -> Decision:
    """The denial without its suggestion (the change it names would not be enough here)."""
    return denial(decision.reason)


_BARRED: dict[Bar, Callable[[User], bool]] = {
    Bar.INACTIVE: lambda user: not user.active,
    Bar.LOCKED: lambda user: user.locked,
    Bar.CUSTODIAN_ONLY: lambda user: user.custodian_only,
}


_BAR_ORDER = tuple(Bar)


def bars_of(user: User, bars: Iterable[Bar]) -> tuple[Bar, ...]:
    """The bars among ``bars`` that hold for ``user``, in the table's order."""
    if user.active and user.training_complete and not user.custodian_only:
        return ()  # the common case, without a look at each bar
    bars = tuple(bars)
    return tuple(bar for bar in _BAR_ORDER if bar in bars and _BARRED[bar](user))


def bar_denial(user: User, bars: tuple[Bar, ...]) -> Decision:
    """The denial the first bar gives; it suggests the fix when that bar is the only one."""
    fix = bars[0].fix.format(user=user.id) if len(bars) == 1 else None
    return Decision(allowed=False, reason=bars[0].reason, suggestion=fix)


class Grants(dict[str, Decision]):
    """An entry that grants: ``entry[object_id]`` builds the grant, its path the prefix + the id.

    Always empty (nothing is remembered): the look-up falls through to ``__missing__``.
    """

    __slots__ = ("grant", "index", "prefix", "reason")

    def __init__(self, grant: Grant, index: int, prefix: tuple[str, ...]) -> None:
        super().__init__()
        self.grant, self.index, self.prefix, self.reason = grant, index, prefix, grant.reason

    def __missing__(self, object_id: str) -> Decision:
        return grant(self.reason, self.prefix + (object_id,))  # noqa: RUF005 (concatenation: a third of the unpacking form's cost)


class Const(dict[str, Decision]):
    """An entry that gives one decision for every object: a denial (a bar, a condition on the
    chain) or, for questions about a user, the ready grant. ``lifted``: the bar whose fix the
    denial suggests (None: none, or the fix is a condition's)."""

    __slots__ = ("decision", "grant", "index", "lifted", "prefix")

    def __init__(
        self, decision: Decision, grant: Grant, index: int, lifted: Bar | None = None
    ) -> None:
        super().__init__()
        self.decision, self.grant, self.index, self.lifted = decision, grant, index, lifted
        self.prefix = decision.path

    def __missing__(self, object_id: str) -> Decision:
        return self.decision


Entry = Grants | Const


def first_hop(grant: Grant) -> str:
    """The field of the object a grant's look-up is keyed by ("" for the object itself)."""
    return grant.chain[0] if grant.chain[0] in FIELD_RELATIONS else ""


@attrs.define(slots=True, eq=False)
class Candidate:
    """A grant whose chain a change to the org could complete: per relation of the chain, the
    relation and the ids the user reaches walking back to its target, in order, those a new edge
    may reach (None: no change creates this relation)."""

    index: int
    grant: Grant
    start: int
    steps: tuple[tuple[Relation, tuple[str, ...] | None], ...]
    moves: bool = True


class Look:
    """One asking user's compiled look-up for one permission.

    ``every``: the entry of a grant through the organisation (every object); ``fields``: per first
    hop, in the table's order, its entries by id (the one shared empty dict when none); ``miss``: the
    denial when nothing matches (None: it depends on the object, see :mod:`._explain`);
    ``t0``, ``t1``, ``t2``: the entries of the first three first hops in the table's order (empty
    when none), for the hot paths that read a row's fields in that order.
    """

    __slots__ = (
        "acting",
        "by_field",
        "by_id",
        "candidates",
        "denial",
        "every",
        "fields",
        "fixed",
        "granted",
        "miss",
        "permission",
        "t0",
        "t1",
        "t2",
        "unmet",
        "user",
    )

    def __init__(self, user: User | None, permission: Permission) -> None:
        self.user = user
        self.permission = permission
        self.every: Entry | None = None
        self.fields: dict[str, dict[str, Entry]] = {}
        self.miss: Decision | None = None
        self.denial = ""
        self.candidates: tuple[Candidate, ...] | None = ()
        self.granted: tuple[tuple[str, frozenset[str]], ...] | None = None
        self.t0: dict[Any, Entry] = _NO_ENTRIES
        self.t1: dict[Any, Entry] = _NO_ENTRIES
        self.t2: dict[Any, Entry] = _NO_ENTRIES
        self.fixed: Decision | None = None  # ``miss``, when there are no third entries
        # The denial of a user who may not act at all (its first bar, with that bar's fix).
        self.acting: Decision | None = None
        # The denial of a setting every grant of the role requires, while it is off.
        self.unmet: Decision | None = None
        # A denial's suggestion by the object's id (see RolePlan.by_id): the text before and
        # after the id, and the grant it completes (None: see ``miss`` and ``candidates``).
        self.by_id: tuple[str, str, int] | None = None
        # A denial's suggestion by one field of the object, worked out with ``candidates``: the
        # field's attribute, the text before and after its value, the grant it completes (None:
        # the first candidate's fix is not of that shape; walk the candidates).
        self.by_field: tuple[str, str, str, int] | None = None

    def match(self, obj: Any) -> Entry | None:
        """The entry that decides ``obj`` (None: no grant's chain reaches it)."""
        every = self.every
        if every is not None:
            return every
        for name, table in self.fields.items():
            entry = table.get(_GETTERS[name](obj)) if table else None
            if entry is not None:
                return entry
        return None

    def granting(self) -> tuple[tuple[str, frozenset[str]], ...]:
        """Per first hop (a field of the object), the ids whose objects are granted."""
        if self.granted is None:
            self.granted = tuple(
                (name, frozenset(k for k, e in table.items() if _grants(e)))
                for name, table in self.fields.items()
                if name not in ("", "org")
            )
        return self.granted

    def keys(self) -> dict[str, frozenset[str]]:
        """Per first hop, every id an entry names (granted or denied)."""
        return {name: frozenset(table) for name, table in self.fields.items()}


def _grants(entry: Entry) -> bool:
    return type(entry) is Grants or entry.decision.allowed  # type: ignore[union-attr]


_UNHELD = Decision(allowed=False, reason="denied")  # a plan for a grant the role never holds


class _Held:
    """One grant a role may hold, as its users' look-ups walk it (see :class:`RolePlan`)."""

    __slots__ = ("back", "grant", "hop", "index", "keep", "org", "start", "suggests", "via")

    def __init__(
        self, compiled: Compiled, permission: Permission, index: int, g: Grant, start: int
    ) -> None:
        relations = compiled.relations
        n = len(g.chain)
        self.index, self.grant, self.start = index, g, start
        self.hop = first_hop(g)
        self.org = g.chain[0] == "org"
        # The relations walked back from the user, last first, and the nodes a path keeps (as
        # places in a walk, which runs from the chain's first hop to the user): a node reached
        # by a relation paths skip is left out.
        self.back = tuple(g.chain[j] for j in range(n - 1, start - 1, -1))
        self.keep = tuple(
            j - start
            for j in range(n, start - 1, -1)
            if j in (0, n) or relations[g.chain[j - 1]].in_path
        )
        # The chain's conditions on its nodes, by their place in a walk.
        self.via = tuple((position + 1 - start, name) for position, name in g.via)
        self.suggests = _suggestable(relations, permission, g)


class RolePlan:
    """How the users of one role compile one permission in one snapshot, shared by all of them.

    ``held``: the grants the role may hold, in order; ``bars``: every bar one of them has;
    ``unset``: per held grant, the entry of a setting it requires that is off (None: none), one
    for all these users as it names none of them;
    ``hops``: the permission's first hops; ``keyed``: the first three that key tables (None:
    none), for ``Look.t0`` to ``t2``;
    ``denial``: the reason of a denial no grant reaches (the nearest chain's); ``miss``: that
    denial when no suggestion can follow it; ``unmet``: the denial of a setting every held grant
    requires, while it is off; ``by_id``: see :func:`_by_id`.
    """

    __slots__ = ("bars", "by_id", "denial", "held", "hops", "keyed", "miss", "unmet", "unset")

    def __init__(self, compiled: Compiled, permission: Permission, role: Role) -> None:
        view, rules = compiled.view, compiled.rules
        held: list[_Held] = []
        for index, g in enumerate(permission.grants):
            if role in g.roles:
                start = 1 if g.chain[0] in FIELD_RELATIONS else 0
                held.append(_Held(compiled, permission, index, g, start))
        self.held = tuple(held)
        self.hops = compiled.hops(permission)
        # The first three first hops that key tables (not "org"), for Look.t0, t1, t2.
        keyed = [name for name in self.hops if name != "org"]
        self.keyed = (*keyed[:3], *[None] * (3 - len(keyed[:3])))
        self.bars = tuple(dict.fromkeys(b for h in held for b in h.grant.bars))
        self.unset = tuple(
            next(
                (
                    Const(_condition_denial(rules, c), h.grant, h.index)
                    for c in h.grant.requires
                    if c in SETTINGS and not SETTINGS[c](view)
                ),
                None,
            )
            for h in held
        )
        suggestable = [h for h in held if h.suggests]
        self.miss: Decision | None = None
        if not held:
            self.denial = permission.not_for_role or "denied"
            self.miss = compiled.denial(self.denial)
        else:
            nearest = suggestable[0].grant if suggestable else held[0].grant
            self.denial = nearest.denial or "denied"
            if not suggestable:
                self.miss = compiled.denial(self.denial)
        unmet = [
            c for h in held for c in h.grant.requires if c in SETTINGS and not SETTINGS[c](view)
        ]
        self.unmet: Decision | None = None
        if held and unmet and all(unmet[0] in h.grant.requires for h in held):
            self.unmet = _condition_denial(rules, unmet[0])
        self.by_id = _by_id(compiled, permission, suggestable)


def _by_id(compiled: Compiled, permission: Permission, suggestable: list[_Held]) -> Relation | None:
    # A denial's suggestion that depends on the object only through its id: when the one edge
    # a suggestion may create on every suggestable chain is its first, from the object (which
    # any source may have, and no source has already: an item's holder), explanations' _fix
    # gives that edge's ``creates`` text with the object's id and the first node the user
    # reaches back there, on the first chain that reaches one. Then: that relation (its text
    # around the id, see _around_source). Else None: the suggestion walks the org from the
    # object's fields (candidates()).
    found: Relation | None = None
    for h in suggestable:
        steps = [compiled.relations[name] for name in h.grant.chain]
        if h.start != 1 or any(_targeted(permission, r) for r in steps[1:]):
            return None
        first = steps[0]
        if first.source_roles is not None or first.moves is not None:
            return None
        if found is not None and first is not found:
            return None
        found = first
    if found is None or _around_source(found, "T") is None:
        return None
    return found


def _around_source(relation: Relation, target: str) -> tuple[str, str] | None:
    # The text of ``relation``'s ``creates`` before and after its source, with ``target`` in
    # (None: it creates nothing, or the source is not one plain ``{source}`` in it).
    if relation.creates is None:
        return None
    parts = relation.creates.split("{source}")
    if len(parts) != 2:
        return None
    head, tail = (_filled(part, target) for part in parts)
    # The two pieces give what the whole template gives (no ``{source}`` in escaped braces).
    if head + "S" + tail != relation.creates.format(source="S", target=target):
        return None
    return head, tail


def _filled(text: str, target: str) -> str:
    # A piece of a suggestion's template with its target filled in.
    return text if "{" not in text else text.format(target=target)


def _targeted(permission: Permission, relation: Relation) -> bool:
    # Does a denial of ``permission`` suggest creating ``relation`` (see candidates())?
    suggests = permission.suggests
    return relation.creates is not None and (suggests is None or relation.name in suggests)


def _walks(view: OrgView, back: tuple[str, ...], user_id: str) -> list[tuple[str, ...]]:
    # Every walk from the user back along ``back``, each as its nodes from the chain's first hop
    # (or the object) to the user.
    if not back:
        return [(user_id,)]
    if len(back) == 1:
        return [(source, user_id) for source in reverse(view, back[0], user_id)]
    partial: list[tuple[str, ...]] = [(user_id,)]
    for name in back:
        partial = [(*p, source) for p in partial for source in reverse(view, name, p[-1])]
    return [p[::-1] for p in partial]


def _prefix(walk: tuple[str, ...], keep: tuple[int, ...]) -> tuple[str, ...]:
    # The start of a grant's path: the kept nodes from the user back, a node equal to the one
    # before ("self") said once.
    if len(keep) == 1:
        return (walk[keep[0]],)
    path: list[str] = []
    for k in keep:
        node = walk[k]
        if not path or path[-1] != node:
            path.append(node)
    return tuple(path)


def compile_look(compiled: Compiled, user: User, permission: Permission) -> Look:
    """Walk each grant ``user``'s role may hold back from the user; see the module's docstring.

    What every user of the role shares (the grants it holds, settings, the nearest denial) is
    its :class:`RolePlan`, made once per snapshot; per user, only the walks and their entries.
    """
    plan = compiled.plan(permission, user.role)
    view = compiled.view
    look = Look(user, permission)
    uid = user.id
    fields = dict.fromkeys(plan.hops, _NO_ENTRIES)
    # The common account (active, trained, not custodian-only) has no bar: skip looking.
    able = user.active and user.training_complete and not user.custodian_only
    barred = () if able else bars_of(user, plan.bars)
    by_id = plan.by_id
    target: str | None = None  # by_id's: the node reached back where a chain's object is held
    nearest: int | None = None  # ... and the grant whose chain that is
    for h, unset in zip(plan.held, plan.unset, strict=True):
        g = h.grant
        walks = _walks(view, h.back, uid)
        bars = bars_of(user, g.bars) if barred else ()
        index, keep, via = h.index, h.keep, h.via
        for walk in walks:
            entry: Entry
            if bars:
                lifted = bars[0] if len(bars) == 1 else None
                entry = Const(bar_denial(user, bars), g, index, lifted)
            else:
                denied = unset if unset is not None or not via else _via_denial(compiled, h, walk)
                if denied is not None:
                    entry = denied
                elif h.start == 0:
                    entry = Const(grant(g.reason, _prefix(walk, keep)), g, index)
                else:
                    entry = Grants(g, index, _prefix(walk, keep))
            if h.org:
                if look.every is None:
                    look.every = entry
            else:
                table = fields[h.hop]
                if table is _NO_ENTRIES:
                    table = fields[h.hop] = {}
                table.setdefault(walk[0], entry)
        if by_id is not None and nearest is None and h.suggests and walks:
            # The first of the nodes reached back at the object's holder that may be one.
            if len(walks) == 1 and by_id.target_roles is None:
                target, nearest = walks[0][0], index
            else:
                targets = _targets(view, by_id, frozenset(w[0] for w in walks))
                if targets:
                    target, nearest = targets[0], index
    look.fields = fields
    first, second, third = plan.keyed
    if first is not None:
        look.t0 = fields[first]
        if second is not None:
            look.t1 = fields[second]
            if third is not None:
                look.t2 = fields[third]
    if not plan.held:
        look.denial = plan.denial
        look.miss = plan.miss
    elif barred:
        look.miss = compiled.denial(barred[0].reason)
    else:
        look.denial = plan.denial
        look.miss = plan.miss
        if look.miss is None:
            if by_id is None:
                look.candidates = None  # walked on the first denial that needs them
            elif target is None or nearest is None:
                look.miss = compiled.denial(plan.denial)  # no chain reaches a holder: no text
            else:
                around = _around_source(by_id, target)
                assert around is not None  # (as _by_id found)
                look.by_id = (*around, nearest)
    look.fixed = look.miss if not look.t2 else None
    if not able:
        acting = bars_of(user, ACTING)
        if acting:
            look.acting = Decision(
                allowed=False, reason=acting[0].reason, suggestion=acting[0].fix.format(user=uid)
            )
    look.unmet = plan.unmet
    return look


def _suggestable(relations: dict[str, Relation], permission: Permission, g: Grant) -> bool:
    # Does a change to the org that this permission may suggest complete some edge of ``g``?
    suggests = permission.suggests
    return any(
        relations[r].creates is not None and (suggests is None or r in suggests) for r in g.chain
    )


def candidates(compiled: Compiled, look: Look) -> tuple[Candidate, ...]:
    """The grants of ``look``'s user whose chain a suggested change could complete, in order."""
    found = look.candidates
    if found is not None:
        return found
    view, permission = compiled.view, look.permission
    user = look.user
    assert user is not None
    out: list[Candidate] = []
    for h in compiled.plan(permission, user.role).held:
        if not h.suggests:
            continue
        g = h.grant
        _, levels = walk_back(view, g.chain, h.start, user.id)
        steps = tuple(
            (
                r,
                _targets(view, r, levels.get(j + 1, _EMPTY)) if _targeted(permission, r) else None,
            )
            for j, r in enumerate(compiled.relations[name] for name in g.chain)
        )
        out.append(Candidate(h.index, g, h.start, steps, permission.moves))
    look.candidates = found = tuple(out)
    look.by_field = _by_field(found[0]) if found else None
    return found


def _by_field(candidate: Candidate) -> tuple[str, str, str, int] | None:
    # The first candidate's fix when it depends on the object only through one field: the chain
    # starts at the field (a hop no change creates), and its next relation is created from the
    # field's node by any source, never moved, towards a node the user reaches back. Then, for
    # an object whose field is set, explanations' _fix gives that relation's ``creates`` text
    # with the field's value as its source (and for one whose field is None, no fix: the walk
    # goes on to the next candidate). The text before and after the value, with the target in.
    steps = candidate.steps
    if candidate.start != 1 or len(steps) < 2:
        return None
    (first, first_targets), (second, targets) = steps[0], steps[1]
    if first_targets or first.name not in FIELD_ATTRIBUTES or not targets:
        return None
    if second.source_roles is not None or second.moves is not None:
        return None
    around = _around_source(second, targets[0])
    if around is None:
        return None
    return FIELD_ATTRIBUTES[first.name], *around, candidate.index


def _targets(view: OrgView, relation: Relation, nodes: frozenset[str]) -> tuple[str, ...]:
    roles = relation.target_roles
    return tuple(
        sorted(
            n for n in nodes if roles is None or getattr(view.users.get(n), "role", None) in roles
        )
    )


def _itself(obj: Any) -> Any:
    return obj


_GETTERS: dict[str, Callable[[Any], Any]] = {
    "": _itself,
    "org": lambda obj: ORG_CUSTODY,
    **{name: operator.attrgetter(attribute) for name, attribute in FIELD_ATTRIBUTES.items()},
}


def walk_back(
    view: OrgView, chain: tuple[str, ...], start: int, user_id: str
) -> tuple[list[list[str | None]], dict[int, frozenset[str]]]:
    """Every walk from ``user_id`` back along ``chain`` to its position ``start``, as nodes by
    position, and the nodes reached at each position (dead ends included: a suggestion may
    complete them)."""
    n = len(chain)
    partial: list[list[str]] = [[user_id]]
    levels = {n: frozenset((user_id,))}
    for j in range(n - 1, start - 1, -1):
        partial = [[*p, source] for p in partial for source in reverse(view, chain[j], p[-1])]
        levels[j] = frozenset(p[-1] for p in partial)
    walks: list[list[str | None]] = [[None] * start + p[::-1] for p in partial]
    return walks, levels


def _via_denial(compiled: Compiled, h: _Held, walk: tuple[str, ...]) -> Const | None:
    # The entry of the first condition on a node of the walk that does not hold (see _Held):
    # one per snapshot, grant and node, shared by every user it stops (it names none of them).
    view = compiled.view
    for k, name in h.via:
        node = walk[k]
        if not NODE_CONDITIONS[name](view, node):
            key = ("via", h, name, node)
            found = compiled.same.get(key)
            if found is None:
                met = compiled.rules.condition(name)
                fix = None if met.fix is None else met.fix.format(node=node)
                denial = Decision(allowed=False, reason=met.denial, suggestion=fix)
                found = compiled.same[key] = Const(denial, h.grant, h.index)
            return found
    return None


# --- permissions that are "like" another (edit like view, reopen like edit) ------------------------

Check = frozenset[Any]  # a condition on a case: the statuses for which it holds
Plan = tuple[tuple[tuple[Check, Decision], ...], Decision | str]


class Derived:
    """How a permission ``like`` another answers, given the entry of the root look-up (view).

    ``plans[i]``: for an object the root's grant ``i`` reaches, the checks in order (a condition
    on the object and its denial) and then the answer (a reason: the grant, with the root entry's
    path; or a denial). ``keep[i]``: whether a denial of the root whose suggestion completes grant
    ``i`` (or lifts its one bar) keeps the suggestion here: never (None), or when these conditions
    on the object hold.
    """

    __slots__ = ("keep", "plans", "root")

    def __init__(self, root: Look) -> None:
        self.root = root
        self.plans: tuple[Plan, ...] = ()
        self.keep: tuple[tuple[Check, ...] | None, ...] = ()

    def deny(self, denial: tuple[Decision, int | None], obj: Any) -> Decision:
        """The root's denial of ``obj`` (with the grant its suggestion completes), as this
        permission gives it: its suggestion is kept only when the change would grant this too."""
        decision, index = denial
        if decision.suggestion is None:
            return decision
        keep = None if index is None else self.keep[index]
        if keep is not None and all(obj.status in holds for holds in keep):
            return decision
        return without_suggestion(decision)


def _condition_denial(rules: RuleTable, name: str) -> Decision:
    condition = rules.condition(name)
    return Decision(allowed=False, reason=condition.denial, suggestion=condition.fix)


def compile_derived(compiled: Compiled, user: User, permission: Permission, root: Look) -> Derived:
    """The plans of ``permission`` for ``user`` over the root look-up ``root``.

    Equal plans are shared between users (most users of a role have the same): fewer objects for
    the garbage collector to walk.
    """
    rules, view = compiled.rules, compiled.view
    derived = Derived(root)
    role = user.role
    held = permission.grants_for(role)
    plans: list[Plan] = [((), without_suggestion(_UNHELD))] * len(root.permission.grants)
    keep: list[tuple[Check, ...] | None] = [None] * len(root.permission.grants)
    for index, g in enumerate(root.permission.grants):
        if role not in g.roles:
            continue
        plans[index] = _plan(rules, view, user, permission, held, g)
        lifted = bars_of(user, g.bars)
        keep[index] = _keep(view, user, permission, held, g, lifted[:1])
    derived.plans = compiled.shared(tuple(plans))
    derived.keep = compiled.shared(tuple(keep))
    return derived


def _plan(
    rules: RuleTable,
    view: OrgView,
    user: User,
    permission: Permission,
    held: tuple[Grant, ...],
    root: Grant,
) -> Plan:
    checks: list[tuple[Check, Decision]] = []
    for name in permission.unless:
        if name in SETTINGS:
            if not SETTINGS[name](view):
                return tuple(checks), _condition_denial(rules, name)
        else:
            checks.append((CASE_CONDITIONS[name], _condition_denial(rules, name)))
    if not held:
        return tuple(checks), Decision(allowed=False, reason=permission.not_for_role or "denied")
    # Conditions on the object that every grant of the role needs come before what only reads.
    common = [
        c for c in held[0].requires if c not in SETTINGS and all(c in g.requires for g in held)
    ]
    checks += [(CASE_CONDITIONS[c], _condition_denial(rules, c)) for c in common]
    same = next((g for g in held if g.chain == root.chain), None)
    if same is None:
        return tuple(checks), _read_only(rules, permission, root.chain, user)
    rest = [c for c in same.requires if c not in common]
    bars = bars_of(user, same.bars)
    if bars:
        denial = bar_denial(user, bars)
        fixable = all(c in SETTINGS and SETTINGS[c](view) for c in rest)
        return tuple(checks), denial if fixable else without_suggestion(denial)
    for name in rest:
        if name in SETTINGS:
            if not SETTINGS[name](view):
                return tuple(checks), _condition_denial(rules, name)
        else:
            checks.append((CASE_CONDITIONS[name], _condition_denial(rules, name)))
    return tuple(checks), same.reason


def _read_only(
    rules: RuleTable, permission: Permission, chain: tuple[str, ...], user: User
) -> Decision:
    # The denial of a grant that ``like`` holds but this permission does not; else, the like's.
    while permission.like is not None:
        like = rules.permission(permission.like)
        held = next((g for g in like.grants_for(user.role) if g.chain == chain), None)
        denial = dict(permission.read_only).get(held.reason) if held is not None else None
        if denial is not None:
            return Decision(allowed=False, reason=denial)
        permission = like
    return Decision(allowed=False, reason="read-only")


def _keep(
    view: OrgView,
    user: User,
    permission: Permission,
    held: tuple[Grant, ...],
    root: Grant,
    lifted: tuple[Bar, ...],
) -> tuple[Check, ...] | None:
    # Would the change a root denial suggests (completing ``root``'s chain, or lifting its one
    # bar) grant this permission too? Settings are known now; conditions on the object are not.
    checks: list[Check] = []
    same = next((g for g in held if g.chain == root.chain), None)
    if same is None or set(bars_of(user, same.bars)) - set(lifted):
        return None
    for name in (*permission.unless, *same.requires):
        if name in SETTINGS:
            if not SETTINGS[name](view):
                return None
        else:
            checks.append(CASE_CONDITIONS[name])
    return tuple(checks)


# --- per snapshot ----------------------------------------------------------------------------------


class Compiled:
    """The compiled look-ups of one org snapshot under one rule table, built per user on first ask.

    The one cache of the rules: ``looks[permission][user_id]`` and ``derived[...]`` hold only
    what is a pure function of the snapshot and the user, ``plans[(permission, role)]`` what is
    one of the snapshot and the role, and ``same`` values equal for many users.
    """

    __slots__ = (
        "code",
        "derived",
        "forward_index",
        "looks",
        "permissions",
        "plans",
        "relations",
        "rules",
        "same",
        "view",
    )

    def __init__(self, view: OrgView, rules: RuleTable) -> None:
        self.view = view
        self.rules = rules
        self.looks: dict[str, dict[str, Look]] = {p.name: {} for p in rules.permissions}
        self.derived: dict[str, dict[str, Derived]] = {p.name: {} for p in rules.permissions}
        self.forward_index: dict[str, dict[str, frozenset[str]]] = {}
        self.code: dict[tuple[str, tuple[str, ...]], Callable[..., Any]] = {}
        self.same: dict[Any, Any] = {}
        self.relations = {r.name: r for r in rules.relations}
        self.permissions = {p.name: p for p in rules.permissions}
        self.plans: dict[tuple[str, Role], RolePlan] = {}

    def plan(self, permission: Permission, role: Role) -> RolePlan:
        """How the users of ``role`` compile ``permission`` (built on first ask, then shared)."""
        key = (permission.name, role)
        found = self.plans.get(key)
        if found is None:
            found = self.plans[key] = RolePlan(self, permission, role)
        return found

    def hops(self, permission: Permission) -> tuple[str, ...]:
        """The first hops of ``permission``'s grants, each once, in the table's order."""
        key = ("hops", permission.name)
        found = self.same.get(key)
        if found is None:
            found = self.same[key] = tuple(dict.fromkeys(first_hop(g) for g in permission.grants))
        return found

    def denial(self, reason: str) -> Decision:
        """The one denial with ``reason`` and no suggestion, for this snapshot."""
        found = self.same.get(reason)
        if found is None:
            found = self.same[reason] = denial(reason)
        return found

    def shared(self, value: T) -> T:
        """``value``, or an equal one compiled before (a pure function of the snapshot)."""
        return self.same.setdefault(value, value)  # type: ignore[no-any-return]

    def look(self, permission: str, user_id: object) -> Look | None:
        """``user_id``'s look-up for ``permission`` (None: an unknown user, never kept)."""
        user = self.view.users.get(user_id) if isinstance(user_id, str) else None
        if user is None:
            return None
        looks = self.looks[permission]
        look = looks.get(user.id)
        if look is None:
            look = looks[user.id] = compile_look(self, user, self.permissions[permission])
        return look

    def derived_look(self, permission: str, user_id: object) -> Derived | None:
        """``user_id``'s plans for a permission ``like`` another (None: an unknown user)."""
        user = self.view.users.get(user_id) if isinstance(user_id, str) else None
        if user is None:
            return None
        found = self.derived[permission].get(user.id)
        if found is None:
            table = self.rules.permission(permission)
            root = table
            while root.like is not None:
                root = self.rules.permission(root.like)
            base = self.look(root.name, user.id)
            assert base is not None
            found = compile_derived(self, user, table, base)
            self.derived[permission][user.id] = found
        return found

    def reached(
        self, obj: Any, permission: str = "view_case"
    ) -> Iterable[tuple[str, frozenset[Role]]]:
        """The users each grant's chain reaches walked forward from ``obj``, with its roles.

        A superset of who holds ``permission`` on ``obj`` (bars and conditions aside): the
        reverse questions (``case_viewers``) check each with the forward question.
        """
        for g in self.rules.permission(permission).grants:
            first = g.chain[0]
            if first == "org":
                nodes: set[str] = {ORG_CUSTODY}
            elif first in FIELD_RELATIONS:
                value = getattr(obj, first, None)
                nodes = set() if value is None else {value}
            else:
                nodes = set(self.forward(first, obj))
            for name in g.chain[1:]:
                nodes = {node for source in nodes for node in self.forward(name, source)}
            for node in nodes:
                yield node, g.roles

    def generated(self, kind: str, names: tuple[str, ...]) -> Callable[..., Any]:
        """Code for an order of first hops, generated once (as attrs generates ``__init__``).

        ``"granted"``: ``make(*id_sets)`` returns ``granted(rows)``, for each row whether one of
        its first hops is in the set: the batch form reads the rows' attributes directly (a
        loop over getters costs several times as much per row).
        """
        key = (kind, names)
        make = self.code.get(key)
        if make is None:
            reads = [f"obj.{FIELD_ATTRIBUTES[n]}" if n else "obj" for n in names]
            args = ", ".join(f"t{i}" for i in range(len(names)))
            test = " or ".join(f"{read} in t{i}" for i, read in enumerate(reads)) or "False"
            text = f"def make({args}):\n    def {kind}(rows):\n"
            text += f"        return [{test} for obj in rows]\n    return {kind}\n"
            namespace: dict[str, Any] = {}
            exec(compile(text, f"<beacon_org {kind} {names}>", "exec"), namespace)
            make = self.code[key] = namespace["make"]
        return make

    def forward(self, relation: str, source: str) -> Iterable[str]:
        """:func:`._walk.forward`, with the relations that scan every user indexed once."""
        if relation not in ("back_office", "facility_manager"):
            return forward(self.view, relation, source)
        index = self.forward_index.get(relation)
        if index is None:
            found: dict[str, set[str]] = {}
            for user_id in self.view.users:
                for node in reverse(self.view, relation, user_id):
                    found.setdefault(node, set()).add(user_id)
            index = self.forward_index[relation] = {k: frozenset(v) for k, v in found.items()}
        return index.get(source, _EMPTY)
