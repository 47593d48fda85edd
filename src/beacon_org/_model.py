"""The records of a Beacon organisation: roles, users, regions, cases, inventory items, settings.

Plain immutable values (attrs, frozen, hashable, ``==`` by value) that know nothing of the org they
belong to. Converters normalise (emails lower-cased, collections frozen); validators reject wrong types
and values with :class:`~beacon_org.InvalidValueError`.
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
from collections.abc import Iterable
from typing import Any, TypeVar

import attrs

from ._errors import InvalidValueError, shown

__all__ = [
    "ORG_CUSTODY",
    "Case",
    "CaseStatus",
    "InventoryItem",
    "OrgSettings",
    "Region",
    "Role",
    "User",
]

#: The custodian id of the organisation's own custody; no user or region may take it.
ORG_CUSTODY = "@org"


class Role(enum.StrEnum):
    """A user's role, fixed when the user is created.

    Examples
    --------
    >>> bo.Role("distributor") is bo.Role.DISTRIBUTOR
    True
    >>> bo.Role.ADMIN.is_org_wide, bo.Role.SALES.is_org_wide
    (True, False)
    """

    PRIMARY_ADMIN = "primary_admin"
    ADMIN = "admin"
    OPERATIONS = "operations"
    REGIONAL_MANAGER = "regional_manager"
    DISTRIBUTOR = "distributor"
    SALES = "sales"
    FACILITY_MANAGER = "facility_manager"

    @property
    def is_org_wide(self) -> bool:
        """True for the back-office roles that see and act on everything."""
        return self in _ORG_WIDE

    @property
    def can_hold_inventory(self) -> bool:
        """True for the roles that may be a custodian of inventory."""
        return self not in _CANNOT_HOLD

    @property
    def has_region(self) -> bool:
        """True for the roles that may be placed in a region (sales and distributor)."""
        return self is Role.SALES or self is Role.DISTRIBUTOR


_ORG_WIDE = frozenset({Role.PRIMARY_ADMIN, Role.ADMIN, Role.OPERATIONS})
_CANNOT_HOLD = _ORG_WIDE | {Role.REGIONAL_MANAGER}


class CaseStatus(enum.StrEnum):
    """A case's status; ``paid``, ``completed``, ``closed`` and ``cancelled`` are *closed*.

    Examples
    --------
    >>> bo.CaseStatus.PAID.is_closed, bo.CaseStatus("pending_po").is_closed
    (True, False)
    """

    OPEN = "open"
    PENDING_PO = "pending_po"
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    COMPLETED = "completed"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def is_closed(self) -> bool:
        """True for the read-only statuses (paid, completed, closed, cancelled)."""
        return self in _CLOSED


_CLOSED = frozenset(
    {CaseStatus.PAID, CaseStatus.COMPLETED, CaseStatus.CLOSED, CaseStatus.CANCELLED}
)


# --- converters and validators -------------------------------------------------------------------
# Each raises InvalidValueError naming the field, so a bad value never surfaces as a bare TypeError.


def _fail(field: str, value: object, expected: str) -> InvalidValueError:
    msg = f"'{field}' must be {expected} (got {shown(value)})"
    return InvalidValueError(msg, field=field, value=value)


E = TypeVar("E", bound=enum.StrEnum)


def _enum_member(members: dict[object, E], value: object, field: str, what: str) -> E:
    # A dict look-up, not Enum.__call__ (ten times slower): this runs for every user loaded.
    try:
        return members[value]
    except (KeyError, TypeError):
        names = ", ".join(sorted({m.value for m in members.values()}, key=list(members).index))
        msg = f"{shown(value)} is not {what}; expected one of {names}"
        raise InvalidValueError(msg, field=field, value=value) from None


_ROLES: dict[object, Role] = {**{r.value: r for r in Role}, **{r: r for r in Role}}
_STATUSES: dict[object, CaseStatus] = {
    **{s.value: s for s in CaseStatus},
    **{s: s for s in CaseStatus},
}


def to_role(value: object) -> Role:
    """Return the :class:`Role` for a role or its string value; raise InvalidValueError if none."""
    return _enum_member(_ROLES, value, "role", "a role")


def to_case_status(value: object) -> CaseStatus:
    """Return the :class:`CaseStatus` for a status or its string value."""
    return _enum_member(_STATUSES, value, "status", "a case status")


def _to_status(value: object) -> CaseStatus:
    # Case's converter: the dict look-up inline, the message from to_case_status when it misses.
    try:
        return _STATUSES[value]
    except (KeyError, TypeError):
        return to_case_status(value)


def _frozen_ids(field: str, value: object) -> frozenset[str]:
    kind = type(value)
    if kind is frozenset:
        out: frozenset[Any] = value  # type: ignore[assignment]
    elif kind is list or kind is tuple or kind is set:
        try:
            out = frozenset(value)  # type: ignore[call-overload]
        except TypeError:  # unhashable members
            raise _fail(field, value, "a collection of strings") from None
    elif isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise _fail(field, value, "a collection of strings")
    else:
        try:
            out = frozenset(value)
        except TypeError:
            raise _fail(field, value, "a collection of strings") from None
    # map(type, ...) keeps the member check in C: this runs for every user of a 100,000-user load.
    if out and (not _STR_ONLY.issuperset(map(type, out)) or "" in out):
        raise _fail(field, value, "a collection of non-empty strings")
    return out


_STR_ONLY = frozenset({str})


def to_facilities(value: object) -> frozenset[str]:
    """Freeze a collection of facility ids, rejecting a bare string or non-string members."""
    return _frozen_ids("facilities", value)


def to_directory_records(value: object) -> frozenset[str]:
    """Freeze a collection of directory record ids, rejecting a bare string or non-strings."""
    return _frozen_ids("directory_records", value)


def _states(value: object) -> frozenset[str]:
    return frozenset(s.upper() for s in _frozen_ids("states", value))


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


def _email(value: object) -> str:
    if not isinstance(value, str):
        raise _fail("email", value, "a string")
    email = value.strip().lower()
    if _EMAIL.fullmatch(email) is None:
        raise _fail("email", value, "an email address like 'name@example.com'")
    return email


def _id(field: str) -> Any:
    def check(_inst: object, _attr: object, value: object) -> None:
        if not isinstance(value, str) or not value:
            raise _fail(field, value, "a non-empty string")

    return check


def _optional_id(field: str) -> Any:
    def check(_inst: object, _attr: object, value: object) -> None:
        if value is not None and (not isinstance(value, str) or not value):
            raise _fail(field, value, "a non-empty string or None")

    return check


def _text(field: str) -> Any:
    def check(_inst: object, _attr: object, value: object) -> None:
        if not isinstance(value, str):
            raise _fail(field, value, "a string")

    return check


def _flag(field: str) -> Any:
    def check(_inst: object, _attr: object, value: object) -> None:
        if type(value) is not bool:
            raise _fail(field, value, "True or False")

    return check


def _optional_date(_inst: object, _attr: object, value: _dt.date | None) -> None:
    # datetime is a date subclass, but "expires at 09:00" is not a day: refuse it.
    if value is not None and (not isinstance(value, _dt.date) or isinstance(value, _dt.datetime)):
        raise _fail("expires", value, "a datetime.date or None")


# --- records ---------------------------------------------------------------------------------------


_NO_IDS: frozenset[str] = frozenset()


@attrs.frozen(kw_only=True, init=False)
class User:
    """A Beacon user account. Email and role never change once the user exists.

    Examples
    --------
    >>> u = bo.User(id="rep-1", email="Pat@Example.com", role="sales")
    >>> u.email, u.role, u.training_complete, u.active
    ('pat@example.com', <Role.SALES: 'sales'>, False, True)
    """

    id: str
    email: str = attrs.field(converter=_email)
    role: Role = attrs.field(converter=to_role)
    name: str = ""
    region: str | None = None
    facilities: frozenset[str] = attrs.field(default=_NO_IDS, converter=to_facilities)
    directory_records: frozenset[str] = attrs.field(default=_NO_IDS, converter=to_directory_records)
    training_complete: bool = False
    active: bool = True
    custodian_only: bool = False

    # Written out rather than generated, as Case's is: loading 100,000 users builds 100,000 of
    # them, and the generated one (a converter call per field, then a check of the plain fields)
    # was about half of a load. The fields' converters run in field order (email, role,
    # facilities, directory records), each inline when its value is the common one and through
    # the converter, with its message, otherwise; then one check covers the plain fields, and
    # only when it fails does the field-by-field check say which is wrong.
    def __init__(
        self,
        *,
        id: str,
        email: str,
        role: Role | str,
        name: str = "",
        region: str | None = None,
        facilities: Iterable[str] = _NO_IDS,
        directory_records: Iterable[str] = _NO_IDS,
        training_complete: bool = False,
        active: bool = True,
        custodian_only: bool = False,
    ) -> None:
        if type(email) is str:
            checked_email = email.strip().lower()
            if _EMAIL.fullmatch(checked_email) is None:
                checked_email = _email(email)
        else:
            checked_email = _email(email)
        try:
            checked_role = _ROLES[role]
        except (KeyError, TypeError):
            checked_role = to_role(role)
        # An empty list (as to_dict writes no ids) is the default, without a call.
        if facilities is not _NO_IDS:
            if type(facilities) is list and not facilities:
                facilities = _NO_IDS
            else:
                facilities = _frozen_ids("facilities", facilities)
        if directory_records is not _NO_IDS:
            if type(directory_records) is list and not directory_records:
                directory_records = _NO_IDS
            else:
                directory_records = _frozen_ids("directory_records", directory_records)
        if not (
            type(id) is str
            and id
            and type(name) is str
            and (region is None or (type(region) is str and region))
            and type(training_complete) is bool
            and type(active) is bool
            and type(custodian_only) is bool
        ):
            _check_user(id, name, region, training_complete, active, custodian_only)
        _set_id(self, id)
        _set_email(self, checked_email)
        _set_role(self, checked_role)
        _set_name(self, name)
        _set_region(self, region)
        _set_facilities(self, facilities)
        _set_directory_records(self, directory_records)
        _set_training_complete(self, training_complete)
        _set_active(self, active)
        _set_custodian_only(self, custodian_only)

    @property
    def locked(self) -> bool:
        """True while a non-org-wide account still waits for Training Complete."""
        return not self.training_complete and not self.role.is_org_wide

    @property
    def can_act(self) -> bool:
        """True when the user may act at all: active, not locked and not custodian-only."""
        return self.active and not self.custodian_only and not self.locked

    @property
    def status_flags(self) -> tuple[str, ...]:
        """What limits the account, in words: ``"deactivated"`` or ``"locked"``, and
        ``"custodian-only"`` (empty for an account that may act).

        Examples
        --------
        >>> bo.User(id="r", email="r@x.example", role="sales", custodian_only=True).status_flags
        ('locked', 'custodian-only')
        """
        flags = ("deactivated",) if not self.active else ("locked",) if self.locked else ()
        return (*flags, "custodian-only") if self.custodian_only else flags


# Each field's slot is set through its own descriptor: object.__setattr__, which a frozen class
# needs otherwise, costs about twice as much, ten times per user. The check below stops the import
# if User's fields ever change.
_USER_FIELDS = (
    "id",
    "email",
    "role",
    "name",
    "region",
    "facilities",
    "directory_records",
    "training_complete",
    "active",
    "custodian_only",
)
if tuple(f.name for f in attrs.fields(User)) != _USER_FIELDS:  # pragma: no cover
    msg = "User's fields changed: update User.__init__ in _model.py"
    raise RuntimeError(msg)
(
    _set_id,
    _set_email,
    _set_role,
    _set_name,
    _set_region,
    _set_facilities,
    _set_directory_records,
    _set_training_complete,
    _set_active,
    _set_custodian_only,
) = (vars(User)[name].__set__ for name in _USER_FIELDS)


def _check_user(
    user_id: object,
    name: object,
    region: object,
    training_complete: object,
    active: object,
    custodian_only: object,
) -> None:
    # The field-by-field checks of a User's plain fields, in field order, raising what is wrong.
    if type(user_id) is not str or not user_id:
        raise _fail("id", user_id, "a non-empty string")
    if type(name) is not str:
        raise _fail("name", name, "a string")
    if region is not None and (type(region) is not str or not region):
        raise _fail("region", region, "a non-empty string or None")
    for field, value in (
        ("training_complete", training_complete),
        ("active", active),
        ("custodian_only", custodian_only),
    ):
        if type(value) is not bool:
            raise _fail(field, value, "True or False")


@attrs.frozen(kw_only=True)
class Region:
    """A sales region: a name, a set of US states and at most one regional manager.

    Examples
    --------
    >>> bo.Region(id="west", name="West", states=["ca", "OR"]).states == {"CA", "OR"}
    True
    """

    id: str = attrs.field(validator=_id("id"))
    name: str = attrs.field(default="", validator=_text("name"))
    states: frozenset[str] = attrs.field(default=frozenset(), converter=_states)
    manager: str | None = attrs.field(default=None, validator=_optional_id("manager"))


@attrs.frozen(kw_only=True)
class OrgSettings:
    """Organisation-wide settings, changed with :meth:`Org.configure`.

    Both speak of sales and distributor users only ("What settings are available to set for each
    user role?"): ``field_users_can_reopen_cases`` (default False) lets them reopen the closed
    cases they could edit were they open; ``field_users_can_transfer`` (default True) lets them
    start transfers.

    Examples
    --------
    >>> from beacon_org.testing import sample_org
    >>> org = sample_org()
    >>> org.settings.field_users_can_reopen_cases
    False
    >>> org.configure(field_users_can_reopen_cases=True).settings.field_users_can_reopen_cases
    True
    >>> bo.OrgSettings()
    OrgSettings(field_users_can_reopen_cases=False, field_users_can_transfer=True)
    """

    field_users_can_reopen_cases: bool = attrs.field(
        default=False, validator=_flag("field_users_can_reopen_cases")
    )
    field_users_can_transfer: bool = attrs.field(
        default=True, validator=_flag("field_users_can_transfer")
    )


@attrs.frozen(init=False)
class Case:
    """A surgical case. ``representative`` is the user whose inventory is being sold.

    Rules accept any object with these attributes (a service's own row type works too).

    Examples
    --------
    >>> bo.Case("c1", "rep-1", status="paid").status.is_closed
    True
    """

    id: str
    representative: str
    sub_rep: str | None = attrs.field(default=None, kw_only=True)
    facility: str | None = attrs.field(default=None, kw_only=True)
    status: CaseStatus = attrs.field(default=CaseStatus.OPEN, kw_only=True, converter=_to_status)

    # Written out rather than generated: services build a Case per request, so construction is on
    # their hot path. One check covers the common case (plain non-empty strings, a known status);
    # only when it fails do the field-by-field checks run, with the messages the fields' own
    # validators gave (status first, as its converter ran first, then the fields in order).
    def __init__(
        self,
        id: str,
        representative: str,
        *,
        sub_rep: str | None = None,
        facility: str | None = None,
        status: CaseStatus | str = CaseStatus.OPEN,
    ) -> None:
        try:
            checked = _STATUSES[status]
        except (KeyError, TypeError):
            checked = to_case_status(status)
        if not well_formed_case(id, representative, sub_rep, facility):
            _check_case(id, representative, sub_rep, facility)
        # Each field through its slot's own setter (set below the class): no look-up by name.
        _case_id(self, id)
        _case_representative(self, representative)
        _case_sub_rep(self, sub_rep)
        _case_facility(self, facility)
        _case_status(self, checked)


_case_id, _case_representative, _case_sub_rep, _case_facility, _case_status = (
    Case.__dict__[name].__set__
    for name in ("id", "representative", "sub_rep", "facility", "status")
)
if tuple(f.name for f in attrs.fields(Case)) != (
    "id",
    "representative",
    "sub_rep",
    "facility",
    "status",
):  # pragma: no cover
    msg = "Case's fields changed: update Case.__init__"
    raise RuntimeError(msg)


def well_formed_case(case_id: object, rep: object, sub: object, facility: object) -> bool:
    """Whether a case's ids are all well formed: the one fast check of ``Case`` and of callers' rows.

    Plain ``str`` ids, non-empty, a sub-rep other than the representative; when it says no,
    ``_check_case`` says what is wrong.
    """
    return (
        type(case_id) is str
        and case_id != ""
        and type(rep) is str
        and rep != ""
        and (sub is None or (type(sub) is str and sub != "" and sub != rep))
        and (facility is None or (type(facility) is str and facility != ""))
    )


def _check_case(case_id: object, rep: object, sub: object, facility: object) -> None:
    # The field-by-field checks of a Case, in field order, raising what is wrong.
    _id("id")(None, None, case_id)
    _id("representative")(None, None, rep)
    _optional_id("sub_rep")(None, None, sub)
    if sub is not None and sub == rep:
        msg = f"case '{case_id}': sub_rep '{sub}' is also its representative"
        raise InvalidValueError(msg, field="sub_rep", value=sub)
    _optional_id("facility")(None, None, facility)


@attrs.frozen
class InventoryItem:
    """A physical item (implant, instrument, loaner kit) held in exactly one custodian's custody.

    ``custodian`` is a user id or :data:`ORG_CUSTODY`. An item is usable up to and including its
    ``expires`` date. An item ``on_hold`` came back from a declined transfer and waits for the back
    office's review: nobody may use or move it until an org-wide user releases it
    (:meth:`Custody.release <beacon_org.Custody.release>`).

    Examples
    --------
    >>> import datetime
    >>> bo.InventoryItem("i1", bo.ORG_CUSTODY, expires=datetime.date(2027, 1, 31)).active
    True
    >>> bo.InventoryItem("i2", "rep-1", on_hold=True).on_hold
    True
    """

    id: str = attrs.field(validator=_id("id"))
    custodian: str = attrs.field(validator=_id("custodian"))
    active: bool = attrs.field(default=True, kw_only=True, validator=_flag("active"))
    expires: _dt.date | None = attrs.field(default=None, kw_only=True, validator=_optional_date)
    on_hold: bool = attrs.field(default=False, kw_only=True, validator=_flag("on_hold"))
