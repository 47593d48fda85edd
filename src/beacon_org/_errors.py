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

    Examples
    --------
    >>> from beacon_org.testing import sample_org
    >>> org = sample_org()
    >>> try:
    ...     org.assign_rep("rep-a1", "dist-b")
    ... except bo.OrgError as error:
    ...     print(type(error).__name__, "-", error)
    AssignmentError - rep 'rep-a1' is already assigned to 'dist-a'; unassign it before assigning it to 'dist-b'
    >>> sorted(org.reps_of("dist-a"))  # untouched
    ['rep-a1', 'rep-a2']
    """


class InvalidValueError(OrgError, ValueError):
    """A record field got a value of the wrong type or an impossible value.

    ``field`` and ``value`` name what was wrong.

    Examples
    --------
    >>> try:
    ...     bo.Case("c-1", "rep-a1", status="done")
    ... except bo.InvalidValueError as error:
    ...     print(error.field, repr(error.value))
    status 'done'
    >>> bo.Case("c-1", "rep-a1", status="done")
    Traceback (most recent call last):
    ...
    beacon_org.InvalidValueError: 'done' is not a case status; expected one of open, pending_po, pending_payment, paid, completed, closed, cancelled
    """

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
    """An id names no user of the org (also a ``KeyError``); ``id`` is the id asked for.

    Examples
    --------
    >>> from beacon_org.testing import sample_org
    >>> sample_org().user("nobody")
    Traceback (most recent call last):
    ...
    beacon_org.UnknownUserError: unknown user 'nobody'
    >>> try:
    ...     sample_org().user("nobody")
    ... except KeyError as error:
    ...     print(error.id)
    nobody
    """


class UnknownRegionError(_LookupError):
    """An id names no region of the org (also a ``KeyError``); ``id`` is the id asked for.

    Examples
    --------
    >>> from beacon_org.testing import sample_org
    >>> sample_org().region("north")
    Traceback (most recent call last):
    ...
    beacon_org.UnknownRegionError: unknown region 'north'
    """


class DuplicateIdError(OrgError, ValueError):
    """An id or email is already taken (ids and emails are never reused).

    Examples
    --------
    >>> from beacon_org.testing import sample_org
    >>> sample_org().add_user("rep-a1", email="new@acme-ortho.example", role="sales")
    Traceback (most recent call last):
    ...
    beacon_org.DuplicateIdError: user id 'rep-a1' is already taken by a user
    """


class RoleError(OrgError, ValueError):
    """A user's role does not allow what was asked (a region for an admin, a manager who is a rep).

    Examples
    --------
    >>> from beacon_org.testing import sample_org
    >>> sample_org().set_region("admin-1", "west")
    Traceback (most recent call last):
    ...
    beacon_org.RoleError: user 'admin-1' has role 'admin': only sales and distributor users have a region (got region 'west')
    """


class ImmutableFieldError(OrgError, ValueError):
    """A change tried to alter what never changes: a role, an email, or Training Complete back to False.

    Examples
    --------
    >>> from beacon_org.testing import sample_org
    >>> sample_org().update_user("rep-a1", role="admin")
    Traceback (most recent call last):
    ...
    beacon_org.ImmutableFieldError: user 'rep-a1': role cannot change (is 'sales', got 'admin')
    """


class AssignmentError(OrgError, ValueError):
    """A distributor-group assignment breaks a rule (wrong roles, a rep already in another group).

    Examples
    --------
    >>> from beacon_org.testing import sample_org
    >>> sample_org().assign_rep("rep-a1", "dist-b")
    Traceback (most recent call last):
    ...
    beacon_org.AssignmentError: rep 'rep-a1' is already assigned to 'dist-a'; unassign it before assigning it to 'dist-b'
    """


class InvalidChangeError(OrgError, ValueError):
    """A change was called with arguments it does not take.

    Examples
    --------
    >>> from beacon_org.testing import Change
    >>> Change("delete_user", ("rep-a1",), {})
    Traceback (most recent call last):
    ...
    beacon_org.InvalidChangeError: 'delete_user' is not a change; expected one of ...
    """


class InvalidDataError(OrgError, ValueError):
    """``from_dict`` data is malformed or breaks a rule; the message says where.

    Examples
    --------
    >>> bo.from_dict({"version": 1, "users": [{"id": "u-1", "role": "sales"}]})
    Traceback (most recent call last):
    ...
    beacon_org.InvalidDataError: users[0].email: required field missing
    """


class TransferError(OrgError, ValueError):
    """A transfer cannot be settled, or held items released, as asked (not pending, items not with
    the sender, not on hold, not allowed).

    Examples
    --------
    >>> from beacon_org.testing import sample_items, sample_org
    >>> custody = bo.Custody(sample_org(), sample_items())
    >>> done = bo.Transfer(
    ...     id="t-1", item_ids=["plate-a-1"], sender="rep-a1", recipient="rep-a2",
    ...     started_by="rep-a1", status="accepted",
    ... )
    >>> custody.settle(done, "accepted")
    Traceback (most recent call last):
    ...
    beacon_org.TransferError: transfer 't-1' is already accepted; only a pending transfer settles
    """
