"""Denials derived from the rule table: the nearest chain's missing edge, as a suggestion.

When no grant's chain reaches the object, the denial is the reason code of the user's nearest
chain (the first of its role's grants that a change to the org can complete, ``Grant.denial``),
and its suggestion is the one edge that would complete a chain: walking forward from the object
and back from the user (the look-up's levels), the first relation, from the object's side, whose
``creates`` template joins a node reached from each end. A bar's fix is ``Bar.fix``, a condition's
``Condition.fix`` (see :mod:`._compile`); whether a suggestion survives for a permission ``like``
another is :class:`._compile.Derived`'s ``keep``. When that edge is the object's own first hop (an
item's holder: ``transfer ITEM to USER``), the text depends on the object only through its id and
is compiled with the look-up (``Look.by_id``): the walk is the definition, that is its result.
Likewise when the nearest candidate's edge is created from one field's node (a facility manager's
``add facility FACILITY to USER``): the text around that field's value is worked out with the
candidates, once per look-up (``Look.by_field``), and a case whose field is unset walks on.
"""

from __future__ import annotations

from typing import Any

from .._org import OrgView
from ._compile import Candidate, Compiled, Derived, Grants, Look, candidates, denial, grant
from ._records import Decision
from ._table import Relation
from ._walk import FIELD_ATTRIBUTES, forward

__all__ = ["derived_answer", "derived_denial", "edge", "missing_edge"]


def missing_edge(compiled: Compiled, look: Look, obj: Any) -> tuple[Decision, int | None]:
    """The denial of ``obj`` that ``look`` does not reach, and the grant its suggestion completes.

    ``obj`` is the case or item (its fields give the first hop), or the id of the user asked
    about. The second value is the index of the completed grant in the permission (None: no
    suggestion).
    """
    if look.miss is not None:
        return look.miss, None
    by_id = look.by_id
    if by_id is not None:  # the text around the object's id, compiled with the look-up
        head, tail, index = by_id
        return denial(look.denial, head + obj.id + tail), index
    found = candidates(compiled, look)
    by_field = look.by_field
    if by_field is not None:  # the first candidate's text around one field of the object
        attribute, head, tail, index = by_field
        value = getattr(obj, attribute)
        if value is not None:
            return denial(look.denial, head + value + tail), index
    for candidate in found:
        fix = _fix(compiled, candidate, obj)
        if fix is not None:
            return denial(look.denial, fix), candidate.index
    return denial(look.denial), None


def _fix(compiled: Compiled, candidate: Candidate, obj: Any) -> str | None:
    users = compiled.view.users
    steps = candidate.steps
    if candidate.start == 0:
        reached: tuple[str, ...] = (obj,)
        j = 0
    else:
        relation, targets = steps[0]
        if targets and _source(users, relation, (obj.id,)) is not None:
            return _text(compiled.view, relation, obj.id, targets[0], candidate.moves)
        name = relation.name
        first = None if name == "org" else getattr(obj, FIELD_ATTRIBUTES[name], None)
        if first is None:
            return None
        reached, j = (first,), 1
    for relation, targets in steps[j:]:
        if targets:
            source = _source(users, relation, reached)
            if source is not None:
                return _text(compiled.view, relation, source, targets[0], candidate.moves)
        name = relation.name
        if len(reached) == 1:
            reached = tuple(compiled.forward(name, reached[0]))
        else:
            reached = tuple({n for r in reached for n in compiled.forward(name, r)})
        if not reached:
            return None
    return None


def _source(users: Any, relation: Relation, reached: tuple[str, ...]) -> str | None:
    # The first node reached whose role may be the source of a new edge of ``relation``.
    roles = relation.source_roles
    for source in reached if len(reached) == 1 else sorted(reached):
        if roles is None:
            return source
        user = users.get(source)
        if user is not None and user.role in roles:
            return source
    return None


def _text(
    view: OrgView, relation: Relation, source: str, target: str, moves: bool = True
) -> str | None:
    current = sorted(forward(view, relation.name, source)) if relation.moves is not None else ()
    if current:
        if not moves:
            return None  # this permission suggests adding an edge, never moving one
        return relation.moves.format(source=source, current=current[0], target=target)  # type: ignore[union-attr]
    assert relation.creates is not None
    return relation.creates.format(source=source, target=target)


def _fits(view: OrgView, node: str, roles: frozenset[Any] | None) -> bool:
    if roles is None:
        return True
    user = view.users.get(node)
    return user is not None and user.role in roles


def edge(compiled: Compiled, relation: str, source: str, target: str) -> str | None:
    """The change that adds the ``relation`` edge from ``source`` to ``target`` (None: none may)."""
    found = compiled.rules.relation(relation)
    view = compiled.view
    if not (_fits(view, source, found.source_roles) and _fits(view, target, found.target_roles)):
        return None
    return _text(view, found, source, target)


def derived_answer(compiled: Compiled, derived: Derived, obj: Any) -> Decision:
    """The answer of a permission ``like`` another (reopen, edit) for ``obj``: the plan of the
    root's grant that reaches it, or the root's denial as this permission gives it."""
    entry = derived.root.match(obj)
    if type(entry) is Grants:
        checks, final = derived.plans[entry.index]
        for holds, refusal in checks:
            if obj.status not in holds:
                return refusal
        return grant(final, entry.prefix + (obj.id,)) if type(final) is str else final  # type: ignore[return-value]  # noqa: RUF005
    return derived_denial(compiled, derived, entry, obj)


def derived_denial(compiled: Compiled, derived: Derived, entry: Any, obj: Any) -> Decision:
    """The root's denial of ``obj`` (``entry``: its denying entry, None: no chain reaches it)."""
    if entry is None:
        root = derived.root
        miss = root.miss
        if miss is not None:
            return miss  # a fixed denial suggests nothing
        for candidate in candidates(compiled, root):
            if derived.keep[candidate.index] is not None:
                return derived.deny(missing_edge(compiled, root, obj), obj)
        # Whichever grant the root's suggestion completes, this permission never keeps it (a
        # facility manager's "add facility", for edit): the root's denial without it, not walked.
        return compiled.denial(root.denial)
    return derived.deny((entry.decision, entry.index), obj)
