"""The errors beacon_org raises for bad input: one root, ``OrgError``, and a class per kind of mistake."""

from __future__ import annotations

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
    """A transfer cannot be settled, or held items released, as asked (not pending, items not with
    the sender, not on hold, not allowed)."""
