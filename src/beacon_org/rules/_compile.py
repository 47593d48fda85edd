"""The rule table compiled into per-user look-ups: the one place that caches.

For an asking user and a permission, each grant its role may hold is walked backwards from the
user (the reverse steps of :mod:`._walk`) to the ids of the chain's first hop: a case's
representative, sub-rep or facility, an item's holder, or the user asked about (every object, for
a grant through the organisation). Each id maps to an *entry* that answers for every object so
related: a grant with the start of its path, or a denial when an account bar or a condition on
the chain stops it. A decision is then a dictionary look-up per first hop.

What is kept (:class:`Compiled`) is a pure function of the org snapshot and the asking user, built
on first ask; nothing is kept per question (no remembered decisions), so nothing can go stale.
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


def compile_look(compiled: Compiled, user: User, permission: Permission) -> Look:
    """Walk each grant ``user``'s role may hold back from the user; see the module's docstring."""
    rules, view = compiled.rules, compiled.view
    look = Look(user, permission)
    role = user.role
    fields: dict[str, dict[str, Entry]] = {name: {} for name in compiled.hops(permission)}
    held: list[tuple[int, Grant]] = []
    suggestable: list[Grant] = []
    for index, g in enumerate(permission.grants):
        if role not in g.roles:
            continue
        held.append((index, g))
        start = 1 if g.chain[0] in FIELD_RELATIONS else 0
        walks, _ = _walk_back(view, g.chain, start, user.id)
        bars = bars_of(user, g.bars)
        unset = next((c for c in g.requires if c in SETTINGS and not SETTINGS[c](view)), None)
        for nodes in walks:
            prefix = _path(compiled.relations, g.chain, nodes, start)
            entry: Entry
            if bars:
                lifted = bars[0] if len(bars) == 1 else None
                entry = Const(bar_denial(user, bars), g, index, lifted)
            else:
                denial = _via_denial(rules, view, g, nodes)
                if unset is not None:
                    denial = _condition_denial(rules, unset)
                if denial is not None:
                    entry = Const(denial, g, index)
                elif start == 0:
                    entry = Const(grant(g.reason, prefix), g, index)
                else:
                    entry = Grants(g, index, prefix)
            if g.chain[0] == "org":
                if look.every is None:
                    look.every = entry
            else:
                fields[first_hop(g)].setdefault(str(nodes[start]), entry)
        if _suggestable(compiled.relations, permission, g):
            suggestable.append(g)
    # Fewer objects for the collector to walk: every empty table is the one shared empty dict.
    look.fields = fields = {name: table or _NO_ENTRIES for name, table in fields.items()}
    hops = [table for name, table in fields.items() if name != "org"] + [_NO_ENTRIES] * 3
    look.t0, look.t1, look.t2 = hops[:3]
    barred = bars_of(user, tuple(b for _, g in held for b in g.bars))
    if not held:
        look.denial = permission.not_for_role or "denied"
        look.miss = compiled.denial(look.denial)
    elif barred:
        look.miss = compiled.denial(barred[0].reason)
    else:
        nearest = suggestable[0] if suggestable else held[0][1]
        look.denial = nearest.denial or "denied"
        if suggestable:
            look.candidates = None  # walked on the first denial that needs them
        else:
            look.miss = compiled.denial(look.denial)
    look.fixed = look.miss if not look.t2 else None
    acting = bars_of(user, ACTING)
    if acting:
        look.acting = Decision(
            allowed=False, reason=acting[0].reason, suggestion=acting[0].fix.format(user=user.id)
        )
    unmet = [c for _, g in held for c in g.requires if c in SETTINGS and not SETTINGS[c](view)]
    if held and unmet and all(unmet[0] in g.requires for _, g in held):
        look.unmet = _condition_denial(rules, unmet[0])
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
    for index, g in enumerate(permission.grants):
        if user.role not in g.roles or not _suggestable(compiled.relations, permission, g):
            continue
        start = 1 if g.chain[0] in FIELD_RELATIONS else 0
        _, levels = _walk_back(view, g.chain, start, user.id)
        suggests = permission.suggests
        steps = tuple(
            (
                r,
                _targets(view, r, levels.get(j + 1, _EMPTY))
                if r.creates is not None and (suggests is None or r.name in suggests)
                else None,
            )
            for j, r in enumerate(compiled.relations[name] for name in g.chain)
        )
        out.append(Candidate(index, g, start, steps, permission.moves))
    look.candidates = found = tuple(out)
    return found


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


def _walk_back(
    view: OrgView, chain: tuple[str, ...], start: int, user_id: str
) -> tuple[list[list[str | None]], dict[int, frozenset[str]]]:
    # Every walk from the user back to the chain's first hop, as nodes by position, and the nodes
    # reached at each position (dead ends included: a suggestion may complete them).
    n = len(chain)
    partial: list[list[str]] = [[user_id]]
    levels = {n: frozenset((user_id,))}
    for j in range(n - 1, start - 1, -1):
        partial = [[*p, source] for p in partial for source in reverse(view, chain[j], p[-1])]
        levels[j] = frozenset(p[-1] for p in partial)
    walks: list[list[str | None]] = [[None] * start + p[::-1] for p in partial]
    return walks, levels


def _path(
    relations: dict[str, Relation], chain: tuple[str, ...], nodes: list[str | None], start: int
) -> tuple[str, ...]:
    # The chain walked back from the user: a node reached by a relation explanations skip is left
    # out, and a node equal to the one before ("self") is said once.
    path: list[str] = []
    for j in range(len(chain), start - 1, -1):
        node = nodes[j]
        if j not in (0, len(chain)) and not relations[chain[j - 1]].in_path:
            continue
        if node is not None and (not path or path[-1] != node):
            path.append(node)
    return tuple(path)


def _via_denial(
    rules: RuleTable, view: OrgView, g: Grant, nodes: list[str | None]
) -> Decision | None:
    for position, name in g.via:
        node = nodes[position + 1]
        assert node is not None
        if not NODE_CONDITIONS[name](view, node):
            condition = rules.condition(name)
            fix = None if condition.fix is None else condition.fix.format(node=node)
            return Decision(allowed=False, reason=condition.denial, suggestion=fix)
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
    what is a pure function of the snapshot and the user.
    """

    __slots__ = ("code", "derived", "forward_index", "looks", "relations", "rules", "same", "view")

    def __init__(self, view: OrgView, rules: RuleTable) -> None:
        self.view = view
        self.rules = rules
        self.looks: dict[str, dict[str, Look]] = {p.name: {} for p in rules.permissions}
        self.derived: dict[str, dict[str, Derived]] = {p.name: {} for p in rules.permissions}
        self.forward_index: dict[str, dict[str, frozenset[str]]] = {}
        self.code: dict[tuple[str, tuple[str, ...]], Callable[..., Any]] = {}
        self.same: dict[Any, Any] = {}
        self.relations = {r.name: r for r in rules.relations}

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
            table = self.rules.permission(permission)
            look = looks[user.id] = compile_look(self, user, table)
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
