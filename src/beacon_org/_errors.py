"""The errors beacon_org raises for bad input: one root, ``OrgError``, and a class per kind of mistake."""

from __future__ import annotations

import reprlib

__all__ = [
    "AssignmentError",
    "DuplicateIdError",
    "ImmutableFieldError",
    "InvalidChangeError",
    "InvalidDataError",
    "InvalidValueError",
    "OrgError",
    "RoleError",
    "TransferError",
    "UnknownRegionError",
    "UnknownUserError",
]

# Messages show a bad value, never the whole of it: a 10 MB string or a list nested 2,000 deep
# must neither make a 10 MB message nor fail (RecursionError) while the message is being built.
_SHOWN = reprlib.Repr()
_SHOWN.maxstring = 60
_SHOWN.maxother = 60
_SHOWN.maxlevel = 3
_SHOWN.maxlist = _SHOWN.maxtuple = _SHOWN.maxset = _SHOWN.maxfrozenset = _SHOWN.maxdict = 4
_SHOWN.maxlong = 40


def shown(value: object) -> str:
    """Return a short ``repr`` of a caller's value for an error message, whatever the value.

    >>> from beacon_org._errors import shown
    >>> shown("rep-1"), shown(None)
    ("'rep-1'", 'None')
    >>> shown("x" * 10_000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxx...xxxxxxxxxxxxxxxxxxxxxxxxxxxx'"
    """
    try:
        return _SHOWN.repr(value)
    except Exception:  # an int past Python's 4,300 digits, or an object whose __repr__ fails
        return f"<{type_name(value)} object>"


def type_name(value: object) -> str:
    """Return the name of a value's type for "got ..." in a message; ``None`` reads as ``None``.

    >>> from beacon_org._errors import type_name
    >>> type_name(None), type_name([1])
    ('None', 'list')
    """
    return "None" if value is None else type(value).__name__


class OrgError(Exception):
    """Root of every error beacon_org raises for bad input.

    A change that raises one leaves the org it was called on untouched.
    """


class InvalidValueError(OrgError, ValueError):
    """A record field got a value of the wrong type or an impossible value."""

    def __init__(self, msg: str, *, field: str = "", value: object = None) -> None:
        super().__init__(msg)
        self.field = field
        self.value = value


class _LookupError(OrgError, KeyError):
    # KeyError.__str__ returns repr(arg), which wraps the message in quotes; show it as written.
    def __init__(self, msg: str, *, id: object = None) -> None:
        super().__init__(msg)
        self.id = id

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownUserError(_LookupError):
    """An id names no user of the org (also a ``KeyError``)."""


class UnknownRegionError(_LookupError):
    """An id names no region of the org (also a ``KeyError``)."""


class DuplicateIdError(OrgError, ValueError):
    """An id or email is already taken (ids and emails are never reused)."""


class RoleError(OrgError, ValueError):
    """A user's role does not allow what was asked (a region for an admin, a manager who is a rep)."""


class ImmutableFieldError(OrgError, ValueError):
    """A change tried to alter what never changes: a role, an email, or Training Complete back to False."""


class AssignmentError(OrgError, ValueError):
    """A distributor-group assignment breaks a rule (wrong roles, a rep already in another group)."""


class InvalidChangeError(OrgError, ValueError):
    """A change was called with arguments it does not take."""


class InvalidDataError(OrgError, ValueError):
    """``from_dict`` data is malformed or breaks a rule; the message says where."""


class TransferError(OrgError, ValueError):
    """A transfer cannot be settled as asked (not pending, items not with the sender, not allowed)."""
