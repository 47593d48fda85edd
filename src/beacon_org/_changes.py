"""A change to an org as a small frozen value, so a history of changes can be drawn, replayed and compared."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ._errors import InvalidChangeError, InvalidValueError
from ._org import Org

__all__ = ["CHANGE_METHODS", "Change"]

#: The names of the :class:`~beacon_org.Org` methods a :class:`Change` may call.
CHANGE_METHODS = frozenset(
    {
        "add_region",
        "add_user",
        "assign_directory_records",
        "assign_rep",
        "complete_training",
        "configure",
        "deactivate",
        "promote_to_admin",
        "reactivate",
        "remove_directory_records",
        "set_region",
        "set_region_manager",
        "set_shared_inventory",
        "unassign_rep",
        "update_user",
    }
)


def _method(_inst: object, _attr: object, value: Any) -> None:
    if value not in CHANGE_METHODS:
        msg = f"{value!r} is not a change; expected one of {', '.join(sorted(CHANGE_METHODS))}"
        raise InvalidChangeError(msg)


def _args(value: object) -> tuple[Any, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        msg = f"'args' must be a tuple of positional arguments (got {value!r})"
        raise InvalidValueError(msg, field="args", value=value)
    return tuple(value)


def _kwargs(value: object) -> tuple[tuple[str, Any], ...]:
    # Stored as sorted pairs so that the change stays hashable and two equal calls compare equal.
    pairs = value.items() if isinstance(value, Mapping) else value
    if isinstance(pairs, str | bytes) or not isinstance(pairs, Iterable):
        msg = f"'kwargs' must be a mapping of keyword arguments (got {value!r})"
        raise InvalidValueError(msg, field="kwargs", value=value)
    out: dict[str, Any] = {}
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)):
            msg = f"'kwargs' must map names to values (got {value!r})"
            raise InvalidValueError(msg, field="kwargs", value=value)
        out[pair[0]] = pair[1]
    return tuple(sorted(out.items()))


@attrs.frozen
class Change:
    """One change to an org: the name of an :class:`~beacon_org.Org` change method and its arguments.

    Applying it returns the new org or raises, exactly as calling the method does; the org it is
    applied to is never touched. ``str(change)`` reads as the call.

    Parameters
    ----------
    method : str
        One of :data:`CHANGE_METHODS` (``"add_user"``, ``"assign_rep"``, ...).
    args : tuple
        The positional arguments.
    kwargs : mapping
        The keyword arguments (kept as sorted ``(name, value)`` pairs).

    Raises
    ------
    InvalidChangeError
        If ``method`` is not a change method, or it cannot take these arguments.

    Examples
    --------
    >>> from beacon_org.testing import Change
    >>> change = Change("add_user", ("rep-1",), {"email": "r1@x.example", "role": "sales"})
    >>> print(change)
    add_user('rep-1', email='r1@x.example', role='sales')
    >>> change.apply(bo.Org()).user("rep-1").role
    <Role.SALES: 'sales'>
    >>> Change("delete_user", ("rep-1",))
    Traceback (most recent call last):
    ...
    beacon_org.InvalidChangeError: 'delete_user' is not a change; expected one of ...
    """

    method: str = attrs.field(validator=_method)
    args: tuple[Any, ...] = attrs.field(default=(), converter=_args)
    kwargs: tuple[tuple[str, Any], ...] = attrs.field(default=(), converter=_kwargs)

    def __attrs_post_init__(self) -> None:
        # A call the method cannot take fails here, as an OrgError, not as a TypeError on apply.
        try:
            inspect.signature(getattr(Org, self.method)).bind(None, *self.args, **dict(self.kwargs))
        except TypeError as exc:
            msg = f"{self}: {exc}"
            raise InvalidChangeError(msg) from None

    def apply(self, org: Org) -> Org:
        """Return the org that this change makes from ``org`` (which is left untouched).

        Raises
        ------
        OrgError
            Whatever the change method raises when the change breaks a rule.

        Examples
        --------
        >>> from beacon_org.testing import Change, sample_org
        >>> org = sample_org()
        >>> after = Change("deactivate", ("rep-a2",), {}).apply(org)
        >>> after.user("rep-a2").active, org.user("rep-a2").active
        (False, True)
        """
        if not isinstance(org, Org):
            msg = f"a change applies to an Org (got {org!r})"
            raise InvalidValueError(msg, field="org", value=org)
        result: Org = getattr(org, self.method)(*self.args, **dict(self.kwargs))
        return result

    def __str__(self) -> str:
        parts = [repr(a) for a in self.args]
        parts += [f"{name}={value!r}" for name, value in self.kwargs]
        return f"{self.method}({', '.join(parts)})"
