"""The engines' texts, rendered from the rule table: SpiceDB schema, OpenFGA model, Cedar policies.

Nothing here states a rule. :func:`compile_model` turns a :class:`~beacon_org.rules.RuleTable`
(``RULES`` unless another is given) into the relations and permissions an engine needs, and the
printers write them in each engine's language:

- a permission is the union of its grants, one term per grant in the table's order;
- a grant is its chain as arrows (``representative->region_manager_as_regional_manager``): each
  node after the first gets a permission named from the rest of the chain, so grants that share
  a tail share it;
- the end of a chain is the asking user's own facts: its role (``role_sales``, a relation from
  the user to itself) less its account bars (``deactivated``, ``locked``, ``custodian_only``);
- conditions on the object (``requires``, ``unless``) and on a chain's nodes (``via``) are flags
  (``open``, ``inactive``, ``on_hold``, ``shares_inventory``: ``user:*`` relationships) or the
  expiry caveat; :data:`FLAGS` says how each condition of the table is recorded.

Cedar gets the same model as entity attributes (a relation is an attribute, a flag a Bool) and one
``permit`` per grant. The relationships and entities come from the same model
(``export/_relations.py``), so a relation the table drops is neither declared nor written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import attrs

from .._model import Role
from ..rules._table import (
    ACTING,
    ALL_ROLES,
    BACK_OFFICE,
    FIELD,
    RULES,
    SIGNED_IN,
    Bar,
    Grant,
    Permission,
    RuleTable,
)

__all__ = [
    "EXPIRY_CAVEAT",
    "EXPORTED",
    "FLAGS",
    "EngineModel",
    "Flag",
    "cedar_attribute",
    "cedar_policies",
    "cedar_schema",
    "compile_model",
    "engine_permission",
    "model_of",
    "openfga_model",
    "spicedb_schema",
]

#: The permissions of the table the exports answer (``case#view``, ``case#edit``, ``item#use``,
#: ``item#view``, ``user#create_case``). The others need the org's settings, which the
#: engines do not hold.
EXPORTED = ("view_case", "edit_case", "use_item", "view_item", "create_case")

#: The caveat (SpiceDB) and condition (OpenFGA) that judges an item's expiry from the request's
#: date: ``past_expiry(on, expires)``, both ``YYYY-MM-DD`` strings.
EXPIRY_CAVEAT = "past_expiry"

# The representative's own condition of create_case ("cannot-be-representative": an active user
# whose role holds inventory) is procedure in the evaluator, not a condition of the table; the
# engines need it as data, so it is added here to the table's ``unless``.
_EXTRA_UNLESS = {"create_case": ("active", "holds_inventory")}


@attrs.frozen
class Flag:
    """How a condition of the table is recorded for the engines.

    ``relation`` is a ``user:*`` relationship on objects of type ``on`` (SpiceDB, OpenFGA) and a
    Bool attribute (Cedar); the condition holds while it is there (``holds`` True) or while it is
    not (False). A flag with a ``caveat`` is the item's expiry: the relationship carries the date,
    Cedar the ``expires`` attribute, and the request gives the date ``on``.
    """

    relation: str
    on: str
    holds: bool
    doc: str
    caveat: str | None = None


# fmt: off
FLAGS = {
    "open": Flag("open", "case", True, "user:* while the case is not closed (paid, completed, closed, cancelled)"),
    "closed": Flag("open", "case", False, "user:* while the case is not closed (paid, completed, closed, cancelled)"),
    "item_active": Flag("inactive", "item", False, "user:* while the item is inactive (used on a closed case, or deactivated)"),
    "not_on_hold": Flag("on_hold", "item", False, "user:* while the item is on hold after a declined transfer, until back office releases it"),
    "unexpired": Flag("expired", "item", False, "user:* with the item's expiry date (caveat past_expiry), when it has one", caveat=EXPIRY_CAVEAT),
    "shares": Flag("shares_inventory", "user", True, "on a distributor: user:* while it shares its inventory with its reps"),
    "active": Flag("inactive", "user", False, "user:* while deactivated: its pool is closed and no one enters a case for it"),
    "holds_inventory": Flag("holds_no_inventory", "user", False, "user:* while its role holds no inventory: no one enters a case for it"),
}
# fmt: on

# An account bar as a relation from the user to itself.
_BARS = {
    Bar.INACTIVE: ("deactivated", "itself, while deactivated"),
    Bar.LOCKED: ("locked", "itself, until Training Complete (org-wide roles are never locked)"),
    Bar.CUSTODIAN_ONLY: ("custodian_only", "itself, when it holds inventory but never acts"),
}
# Relations whose source has many targets (a set in Cedar); a chain ends on one of them.
_MANY = frozenset({"rep", "facility_manager", "back_office"})
# The table's named role sets, for the names of the permissions that end a chain.
_ROLE_SETS = {BACK_OFFICE: "back_office", FIELD: "field", ALL_ROLES: "anyone"}
_BAR_SETS = {ACTING: "", SIGNED_IN: "_signed_in", (): "_any_state"}
_TYPE_ORDER = ("user", "region", "facility", "organization", "case", "item")

# An expression: ("name", n) | ("arrow", relation, name) | ("or" | "and", parts) |
# ("but_not", base, excluded)
Expr = tuple[object, ...]


@attrs.frozen
class Relation:
    """A relation an engine stores on one object type: ``kind`` edge, self or flag."""

    name: str
    kind: str
    subjects: tuple[str, ...]
    doc: str
    caveat: str | None = None
    many: bool = False


@attrs.frozen
class Computed:
    """A permission an engine computes on one object type."""

    name: str
    expr: Expr
    doc: str


@attrs.frozen
class Definition:
    """One object type: its stored relations and its computed permissions."""

    type: str
    relations: tuple[Relation, ...]
    permissions: tuple[Computed, ...]

    def relation(self, name: str) -> Relation | None:
        """The stored relation called ``name`` (None: not one)."""
        return next((r for r in self.relations if r.name == name), None)


@attrs.frozen
class CedarGrant:
    """One ``permit``: a grant of a permission as a Cedar condition."""

    id: str
    action: str
    doc: str
    condition: str


@attrs.frozen
class EngineModel:
    """The table compiled for the engines: definitions, role relations and Cedar permits."""

    definitions: tuple[Definition, ...]
    role_relations: tuple[tuple[Role, str], ...]
    bar_relations: tuple[tuple[Bar, str], ...]
    actions: tuple[tuple[str, str, bool], ...]  # (Cedar action, resource type, takes a date)
    permits: tuple[CedarGrant, ...]

    def definition(self, type_: str) -> Definition:
        """The definition of ``type_`` (an empty one when the model has none)."""
        found = next((d for d in self.definitions if d.type == type_), None)
        return found if found is not None else Definition(type_, (), ())

    def role_relation(self, role: Role) -> str | None:
        """The self-relation that records ``role`` (None: no grant names the role)."""
        return dict(self.role_relations).get(role)


def engine_permission(permission: Permission) -> str:
    """The name of ``permission`` on its object type in the engines: ``view_case`` -> ``view``.

    Examples
    --------
    >>> from beacon_org.rules._table import RULES
    >>> from beacon_org.export._render import engine_permission
    >>> [engine_permission(RULES.permission(n)) for n in ("view_case", "use_item", "create_case")]
    ['view', 'use', 'create_case']
    """
    return permission.name.removesuffix(f"_{permission.on}")


class _Builder:
    """Collects relations and permissions per type while the grants are compiled."""

    def __init__(self, rules: RuleTable) -> None:
        self.rules = rules
        self.relations: dict[str, dict[str, Relation]] = {}
        self.permissions: dict[str, dict[str, Computed]] = {}
        self.atoms = _role_atoms(rules)
        self.permits: list[CedarGrant] = []

    def stored(self, type_: str, relation: Relation) -> None:
        known = self.relations.setdefault(type_, {})
        old = known.get(relation.name)
        if old is not None:
            subjects = tuple(dict.fromkeys(old.subjects + relation.subjects))
            relation = attrs.evolve(old, subjects=subjects)
        known[relation.name] = relation

    def computed(self, type_: str, name: str, expr: Expr, doc: str) -> str:
        known = self.permissions.setdefault(type_, {})
        old = known.get(name)
        if old is not None and old.expr != expr:
            msg = f"two different permissions would be named {type_}#{name}"
            raise ValueError(msg)
        if len(name) > 63:  # SpiceDB's limit on names
            msg = f"the rendered name {name!r} is longer than SpiceDB allows (63)"
            raise ValueError(msg)
        known.setdefault(name, Computed(name, expr, doc))
        return name

    # --- the end of a chain: the asking user's role and bars ----------------------------------

    def end(self, grant: Grant) -> str:
        atoms = [a for a in self.atoms if a <= grant.roles]
        roles_name = _ROLE_SETS.get(grant.roles) or "_or_".join(_atom_name(a) for a in atoms)
        bars_name = _BAR_SETS.get(grant.bars)
        if bars_name is None:
            bars_name = "_" + "_".join(_BARS[b][0] for b in grant.bars)
        terms: list[Expr] = []
        for atom in atoms:
            relation = f"role_{_atom_name(atom)}"
            roles = ", ".join(r.value for r in sorted(atom, key=_ROLE_ORDER.index))
            self.stored(
                "user", Relation(relation, "self", ("user",), f"itself, when its role is {roles}")
            )
            terms.append(("name", relation))
        barred = []
        for bar in grant.bars:
            relation, doc = _BARS[bar]
            self.stored("user", Relation(relation, "self", ("user",), doc))
            barred.append(("name", relation))
        expr: Expr = _union(terms)
        if barred:
            expr = ("but_not", expr, tuple(barred))
        who = ", ".join(r.value for r in sorted(grant.roles, key=_ROLE_ORDER.index))
        bars = ", ".join(b.reason for b in grant.bars) or "nothing"
        doc = f"itself, when its role is {who} and it is not barred by: {bars}"
        return self.computed("user", f"as_{roles_name}{bars_name}", expr, doc)

    # --- a grant: its chain as arrows ---------------------------------------------------------

    def chain_types(self, chain: tuple[str, ...]) -> list[str]:
        # The type of each node; a relation onto users reaches the organisation where the next
        # relation starts there (an item held in ORG_CUSTODY).
        types = []
        for i, name in enumerate(chain):
            target = self.rules.relation(name).target
            if i + 1 < len(chain):
                sources = self.rules.relation(chain[i + 1]).source
                if target not in sources:
                    target = sources[0]
            types.append(target)
        return types

    def term(self, permission: Permission, grant: Grant) -> Expr:
        chain = tuple(r for r in grant.chain if r != "self")
        via = dict(_via_by_node(grant))
        end = self.end(grant)
        if not chain:
            return ("name", end)
        types = self.chain_types(chain)
        here = end
        last = len(chain) - 1
        if last in via:
            here = self.with_conditions(types[last], f"{end}_if", ("name", end), via[last])
        for i in range(last - 1, -1, -1):
            relation = chain[i + 1]
            self.stored(types[i], self.edge(relation, types[i + 1]))
            expr: Expr = ("arrow", relation, here)
            name = f"{relation}_{here}"
            if i in via:
                here = self.with_conditions(types[i], f"{name}_if", expr, via[i])
            else:
                doc = f"who {relation}->{here} reaches"
                here = self.computed(types[i], name, expr, doc)
        self.stored(permission.on, self.edge(chain[0], types[0]))
        return ("arrow", chain[0], here)

    def edge(self, name: str, target: str) -> Relation:
        relation = self.rules.relation(name)
        return Relation(name, "edge", (target,), relation.doc, many=name in _MANY)

    def with_conditions(
        self, type_: str, prefix: str, expr: Expr, conditions: Iterable[str]
    ) -> str:
        conditions = tuple(conditions)
        name = f"{prefix}_{'_'.join(conditions)}"
        doc = "while " + ", ".join(self.rules.condition(c).doc for c in conditions)
        return self.computed(type_, name, self.conditioned(type_, expr, conditions), doc)

    def conditioned(self, type_: str, expr: Expr, conditions: Iterable[str]) -> Expr:
        present: list[Expr] = []
        absent: list[Expr] = []
        for name in conditions:
            flag = _flag(name)
            if flag.on != type_:
                msg = f"condition {name!r} is recorded on {flag.on}, not on {type_}"
                raise ValueError(msg)
            subject = "user:*" if flag.caveat is None else f"user:* with {flag.caveat}"
            self.stored(type_, Relation(flag.relation, "flag", (subject,), flag.doc, flag.caveat))
            (present if flag.holds else absent).append(("name", flag.relation))
        if present:
            expr = ("and", (expr, *present))
        if absent:
            expr = ("but_not", expr, tuple(absent))
        return expr

    def permission(self, permission: Permission) -> None:
        groups: dict[tuple[str, ...], list[Expr]] = {}
        reasons = []
        for grant in permission.grants:
            groups.setdefault(grant.requires, []).append(self.term(permission, grant))
            reasons.append(grant.reason)
            self.permits.append(self.cedar_grant(permission, grant))
        parts = [
            self.conditioned(permission.on, _union(terms), requires) if requires else _union(terms)
            for requires, terms in groups.items()
        ]
        unless = permission.unless + _EXTRA_UNLESS.get(permission.name, ())
        expr = self.conditioned(permission.on, _flat_union(parts), unless)
        doc = f"{permission.name}: one term per grant, in the table's order: {', '.join(reasons)}"
        self.computed(permission.on, engine_permission(permission), expr, doc)

    # --- Cedar: one permit per grant ----------------------------------------------------------

    def cedar_grant(self, permission: Permission, grant: Grant) -> CedarGrant:
        chain = tuple(r for r in grant.chain if r != "self")
        via = dict(_via_by_node(grant))
        types = self.chain_types(chain)
        unless = permission.unless + _EXTRA_UNLESS.get(permission.name, ())
        tests = [_cedar_condition("resource", c) for c in (*unless, *grant.requires)]
        node = "resource"
        for i, relation in enumerate(chain):
            attribute = cedar_attribute(self.rules, relation, types[i])
            if relation in _MANY:
                if i != len(chain) - 1:
                    msg = f"Cedar: {relation!r} has many targets and must end the chain"
                    raise ValueError(msg)
                tests.append(f"{node}.{attribute}.contains(principal)")
                break
            tests.append(f"{node} has {attribute}")
            node = f"{node}.{attribute}"
            tests.extend(_cedar_condition(node, c) for c in via.get(i, ()))
        else:
            tests.append(f"{node} == principal")
        atoms = [a for a in self.atoms if a <= grant.roles]
        roles = " || ".join(f"principal.role_{_atom_name(a)}" for a in atoms)
        tests.append(f"({roles})" if len(atoms) > 1 else roles)
        tests.extend(f"!principal.{_BARS[b][0]}" for b in grant.bars)
        path = " -> ".join(grant.chain)
        who = ", ".join(r.value for r in sorted(grant.roles, key=_ROLE_ORDER.index))
        doc = f"{permission.name}, {grant.reason}: {path}; {who}"
        if grant.requires:
            doc += f"; while {', '.join(grant.requires)}"
        ident = f"{permission.name}.{grant.reason}"
        taken = sum(1 for p in self.permits if p.id.split("#")[0] == ident)
        if taken:
            ident += f"#{taken + 1}"
        return CedarGrant(ident, permission.name, doc, " &&\n  ".join(tests))

    def relation_order(self, relation: Relation) -> tuple[int, int]:
        # The table's relations in its order, then the user's own facts, then the flags.
        names = [r.name for r in self.rules.relations]
        if relation.kind == "edge":
            return (0, names.index(relation.name))
        if relation.kind == "self":
            selfs = [f"role_{_atom_name(a)}" for a in self.atoms] + [n for n, _ in _BARS.values()]
            return (1, selfs.index(relation.name))
        flags = list(dict.fromkeys(f.relation for f in FLAGS.values()))
        return (2, flags.index(relation.name))

    def model(self, permissions: Iterable[Permission]) -> EngineModel:
        actions = []
        for permission in permissions:
            self.permission(permission)
            conditions = permission.unless + tuple(c for g in permission.grants for c in g.requires)
            dated = any(FLAGS[c].caveat for c in conditions if c in FLAGS)
            actions.append((permission.name, permission.on, dated))
        order = [t for t in _TYPE_ORDER if t in self.relations or t in self.permissions]
        order += sorted((self.relations.keys() | self.permissions.keys()) - set(order))
        definitions = tuple(
            Definition(
                t,
                tuple(sorted(self.relations.get(t, {}).values(), key=self.relation_order)),
                tuple(self.permissions.get(t, {}).values()),
            )
            for t in order
        )
        roles = tuple(
            (role, f"role_{_atom_name(atom)}")
            for atom in self.atoms
            for role in sorted(atom, key=_ROLE_ORDER.index)
            if f"role_{_atom_name(atom)}" in self.relations.get("user", {})
        )
        bars = tuple(
            (bar, name)
            for bar, (name, _) in _BARS.items()
            if name in self.relations.get("user", {})
        )
        return EngineModel(definitions, roles, bars, tuple(actions), tuple(self.permits))


_ROLE_ORDER = list(Role)


def _role_atoms(rules: RuleTable) -> list[frozenset[Role]]:
    # The coarsest partition of the roles in which every grant's roles are a union of parts: the
    # fewest role relations that tell every grant apart (the back office is one).
    atoms = [frozenset(Role)]
    for permission in rules.permissions:
        for grant in permission.grants:
            atoms = [
                part for atom in atoms for part in (atom & grant.roles, atom - grant.roles) if part
            ]
    return sorted(atoms, key=lambda a: min(_ROLE_ORDER.index(r) for r in a))


def _atom_name(atom: frozenset[Role]) -> str:
    if len(atom) == 1:
        return next(iter(atom)).value
    named = _ROLE_SETS.get(atom)
    return named if named is not None else "_or_".join(sorted(r.value for r in atom))


def _via_by_node(grant: Grant) -> Iterator[tuple[int, tuple[str, ...]]]:
    # Positions count the chain as written; "self" (the user itself) is no node of its own.
    kept = [i for i, r in enumerate(grant.chain) if r != "self"]
    by_node: dict[int, list[str]] = {}
    for position, condition in grant.via:
        by_node.setdefault(kept.index(position), []).append(condition)
    for node, conditions in by_node.items():
        yield node, tuple(conditions)


def _union(terms: list[Expr]) -> Expr:
    return terms[0] if len(terms) == 1 else ("or", tuple(terms))


def _flat_union(parts: list[Expr]) -> Expr:
    flat: list[Expr] = []
    for part in parts:
        flat.extend(part[1] if part[0] == "or" else (part,))  # type: ignore[arg-type]
    return _union(flat)


def compile_model(rules: RuleTable = RULES, permissions: Iterable[str] = EXPORTED) -> EngineModel:
    """Compile ``rules`` into what the engines store and compute, for ``permissions``.

    Raises ``ValueError`` when a grant cannot be rendered (a condition without a :data:`FLAGS`
    entry, a Cedar chain that continues after a relation with many targets).

    Examples
    --------
    >>> from beacon_org.export._render import compile_model
    >>> model = compile_model()
    >>> [d.type for d in model.definitions]
    ['user', 'region', 'facility', 'organization', 'case', 'item']
    >>> model.role_relation(bo.Role.ADMIN), model.role_relation(bo.Role.SALES)
    ('role_back_office', 'role_sales')
    """
    return _Builder(rules).model(rules.permission(name) for name in permissions)


def model_of(rules: RuleTable) -> EngineModel:
    """The compiled model of ``rules`` (``RULES``' is compiled once, at import)."""
    return _RULES_MODEL if rules is RULES else compile_model(rules)


# --- SpiceDB ------------------------------------------------------------------------------------

_SPICEDB_HEADER = """\
/** beacon_org: who may see and act on what in a Beacon organisation. Rendered from the rule table (beacon_org.rules._table) by beacon_org.export._render: do not edit. */

/** A user's own facts are relationships to itself (user:X#role_sales@user:X, user:X#deactivated@user:X), so each permission that ends a chain (as_...) holds for user:X only when asked about user:X: a check reads the relationships of the users on its path, never a list of every user on one object. Accounts are barred by exception (deactivated, locked, custodian_only), so those sets stay small. */
"""

_CAVEAT = {
    "spicedb": """\
/** Whether the request's date "on" is past an item's "expires" date (both YYYY-MM-DD; an item is usable on its expiry date itself); a malformed "on" counts as past. */
caveat past_expiry(on string, expires string) {
    !on.matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}$") || on > expires
}
""",
    "openfga": """\
# Whether the request's date "on" is past an item's "expires" date (both YYYY-MM-DD; an item is
# usable on its expiry date itself); a malformed "on" counts as past.
condition past_expiry(on: string, expires: string) {
  !on.matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}$") || on > expires
}
""",
}

_TYPE_DOCS = {
    "user": "A user account.",
    "region": "A region: its regional manager oversees its members.",
    "facility": "A hospital or clinic; its managers are the facility_manager users tied to it.",
    "organization": "The organisation itself (id spicedb_id(ORG_CUSTODY)): its back office, and the custodian of ORG_CUSTODY items.",
    "case": "A surgical case.",
    "item": "An inventory item, held by one user or by the organisation (ORG_CUSTODY).",
}


@attrs.frozen
class _Syntax:
    """How an engine writes a definition and the operators of an expression."""

    union: str
    intersection: str
    arrow: str  # a format of {relation} and {name}
    exclusion: str  # SpiceDB chains "a - b - c"; OpenFGA excludes one term: "a but not (b or c)"
    excludes_one: bool
    comment: str  # a format of {text}
    opens: str  # a format of {type}: what starts a definition
    closes: str | None  # what ends one (None: nothing; a blank line comes before each instead)
    relation: str  # a format of {name} and {subjects}
    subjects: str  # what separates the subject types of a relation
    permission: str  # a format of {name} and {expr}


_SPICEDB = _Syntax(
    " + ",
    " & ",
    "{relation}->{name}",
    " - ",
    excludes_one=False,
    comment="/** {text} */",
    opens="definition {type} {{",
    closes="}\n",
    relation="    relation {name}: {subjects}",
    subjects=" | ",
    permission="    permission {name} = {expr}",
)
_OPENFGA = _Syntax(
    " or ",
    " and ",
    "{name} from {relation}",
    " but not ",
    excludes_one=True,
    comment="# {text}",
    opens="type {type}\n  relations",
    closes=None,
    relation="    define {name}: [{subjects}]",
    subjects=", ",
    permission="    define {name}: {expr}",
)


def _definitions(model: EngineModel, syntax: _Syntax) -> Iterator[str]:
    # Each type: its doc, its stored relations, its permissions, each statement on one line.
    indented = "    " + syntax.comment
    for definition in model.definitions:
        if syntax.closes is None:
            yield ""
        yield syntax.comment.format(text=_TYPE_DOCS.get(definition.type, definition.type))
        yield syntax.opens.format(type=definition.type)
        for relation in definition.relations:
            yield indented.format(text=relation.doc)
            subjects = syntax.subjects.join(relation.subjects)
            yield syntax.relation.format(name=relation.name, subjects=subjects)
        for permission in definition.permissions:
            yield indented.format(text=permission.doc)
            expr = _write(permission.expr, syntax)
            yield syntax.permission.format(name=permission.name, expr=expr)
        if syntax.closes is not None:
            yield syntax.closes


def _write(expr: Expr, syntax: _Syntax, nested: bool = False) -> str:
    kind = expr[0]
    if kind == "name":
        return str(expr[1])
    if kind == "arrow":
        return syntax.arrow.format(relation=expr[1], name=expr[2])
    if kind == "but_not":
        excluded: tuple[Expr, ...] = expr[2]  # type: ignore[assignment]
        if syntax.excludes_one and len(excluded) > 1:
            excluded = (("or", excluded),)
        parts = (expr[1], *excluded)
        text = syntax.exclusion.join(_write(e, syntax, True) for e in parts)  # type: ignore[arg-type]
    else:
        op = syntax.union if kind == "or" else syntax.intersection
        text = op.join(_write(e, syntax, True) for e in expr[1])  # type: ignore[attr-defined]
    return f"({text})" if nested else text


def spicedb_schema(rules: RuleTable = RULES) -> str:
    """Return the SpiceDB schema of ``rules``: one statement per line, as SpiceDB requires.

    Examples
    --------
    >>> from beacon_org.export._render import spicedb_schema
    >>> [line.strip() for line in spicedb_schema().splitlines() if "permission edit " in line]
    ['permission edit = org->back_office_as_back_office + ((representative->as_field + sub_rep->as_distributor + representative->distributor_as_distributor + sub_rep->distributor_as_distributor + representative->region_manager_as_regional_manager + sub_rep->region_manager_as_regional_manager) & open)']
    """
    model = model_of(rules)
    out = [_SPICEDB_HEADER]
    if _uses_caveat(model):
        out.append(_CAVEAT["spicedb"])
    out.extend(_definitions(model, _SPICEDB))
    return "\n".join(out)


def _uses_caveat(model: EngineModel) -> bool:
    return any(r.caveat for d in model.definitions for r in d.relations)


# --- OpenFGA ------------------------------------------------------------------------------------


def openfga_model(rules: RuleTable = RULES) -> str:
    """Return the OpenFGA model (DSL, schema 1.1) of ``rules``: the same relations as SpiceDB's.

    Examples
    --------
    >>> from beacon_org.export._render import openfga_model
    >>> [line.strip() for line in openfga_model().splitlines() if "define use:" in line]
    ['define use: (back_office_as_back_office from holder or as_field from holder or rep_as_sales_if_shares_active from holder) but not (inactive or on_hold or expired)']
    """
    model = model_of(rules)
    out = [
        "# beacon_org: who may see and act on what in a Beacon organisation. Rendered from the",
        "# rule table (beacon_org.rules._table) by beacon_org.export._render: do not edit.",
        "model",
        "  schema 1.1",
    ]
    out.extend(_definitions(model, _OPENFGA))
    if _uses_caveat(model):
        out.append("")
        out.append(_CAVEAT["openfga"].rstrip("\n"))
    return "\n".join(out) + "\n"


# --- Cedar --------------------------------------------------------------------------------------


def _cedar_type(type_: str) -> str:
    return type_.capitalize()


def cedar_attribute(rules: RuleTable, relation: str, target: str) -> str:
    """The Cedar attribute of ``relation`` onto objects of type ``target``."""
    # A relation onto another type than the table's target (an item held by the organisation)
    # is its own attribute: Cedar attributes have one type.
    return relation if rules.relation(relation).target == target else f"{relation}_{target}"


def _flag(condition: str) -> Flag:
    flag = FLAGS.get(condition)
    if flag is None:
        msg = f"condition {condition!r} has no encoding for the engines (see FLAGS)"
        raise ValueError(msg)
    return flag


def _cedar_condition(node: str, condition: str) -> str:
    flag = _flag(condition)
    if flag.caveat is not None:
        # With the request's date (context "on"), usable up to and including the expiry date;
        # without one, expiry is not judged, as with can_use(..., on=None).
        return (
            f"(if {node} has expires && context has on then context.on <= {node}.expires else true)"
        )
    return f"{node}.{flag.relation}" if flag.holds else f"!{node}.{flag.relation}"


def cedar_schema(rules: RuleTable = RULES) -> str:
    """Return the Cedar schema (human-readable format, namespace ``Beacon``) of ``rules``.

    Every stored relation is an attribute: an edge an entity (a set where it has many targets), a
    user's own fact (role, bar) or a flag a Bool, the expiry date a ``datetime``.

    Examples
    --------
    >>> from beacon_org.export._render import cedar_schema
    >>> print(cedar_schema().splitlines()[0])
    namespace Beacon {
    """
    model = model_of(rules)
    out = ["namespace Beacon {"]
    for definition in model.definitions:
        fields = []
        for relation in definition.relations:
            for name, kind in _cedar_fields(rules, relation):
                fields.append(f'    "{name}"{kind},')
        body = "{\n" + "\n".join(fields) + "\n  }" if fields else "{}"
        out.append(f"  entity {_cedar_type(definition.type)} = {body};")
    for action, on, dated in model.actions:
        context = ', context: { "on"?: datetime }' if dated else ""
        resource = _cedar_type(on)
        out.append(
            f"  action {action} appliesTo {{ principal: User, resource: {resource}{context} }};"
        )
    out.append("}")
    return "\n".join(out) + "\n"


def _cedar_fields(rules: RuleTable, relation: Relation) -> Iterator[tuple[str, str]]:
    # (attribute, ": Type" with "?" for optional) of one stored relation.
    if relation.caveat is not None:
        yield "expires", "?: datetime"
    elif relation.kind in ("self", "flag"):
        yield relation.name, ": Bool"
    else:
        for subject in relation.subjects:
            name = cedar_attribute(rules, relation.name, subject)
            if relation.many:
                yield name, f": Set<{_cedar_type(subject)}>"
            else:
                yield name, f"?: {_cedar_type(subject)}"


def cedar_policies(rules: RuleTable = RULES) -> str:
    """Return the Cedar policies of ``rules``: one ``permit`` per grant, in the table's order.

    Examples
    --------
    >>> from beacon_org.export._render import cedar_policies
    >>> policies = cedar_policies()
    >>> print(policies[policies.index('@id("view_case.managed-facility")'):].split(";")[0])
    @id("view_case.managed-facility")
    permit (principal, action == Beacon::Action::"view_case", resource)
    when {
      resource has facility &&
      resource.facility.facility_manager.contains(principal) &&
      principal.role_facility_manager &&
      !principal.deactivated &&
      !principal.locked &&
      !principal.custodian_only
    }
    """
    model = model_of(rules)
    out = [
        "// beacon_org: who may see and act on what in a Beacon organisation. Rendered from the",
        "// rule table (beacon_org.rules._table) by beacon_org.export._render: do not edit.",
        "// One permit per grant; a permission is the union of its grants.",
    ]
    for permit in model.permits:
        out.append("")
        out.append(f"// {permit.doc}")
        out.append(f'@id("{permit.id}")')
        out.append(f'permit (principal, action == Beacon::Action::"{permit.action}", resource)')
        out.append(f"when {{\n  {permit.condition}\n}};")
    return "\n".join(out) + "\n"


_RULES_MODEL = compile_model()
