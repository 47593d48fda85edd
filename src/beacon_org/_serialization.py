"""The org's data format: JSON-ready dicts in and out, through beacon_org's own cattrs converter.

``from_dict`` checks every rule the change methods check and says where the data is wrong.
"""

from __future__ import annotations

import datetime as _dt
import gc
import operator
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import cattrs
from cattrs.errors import ForbiddenExtraKeysError

from ._errors import InvalidDataError, InvalidValueError, shown, type_name
from ._model import ORG_CUSTODY, Case, CaseStatus, InventoryItem, OrgSettings, Region, Role, User
from ._org import Org, org_from_checked_parts

__all__ = [
    "FORMAT_VERSION",
    "case_from_dict",
    "case_to_dict",
    "from_dict",
    "item_from_dict",
    "item_to_dict",
    "make_converter",
    "to_dict",
]

#: The ``"version"`` written by :func:`to_dict` and the one :func:`from_dict` reads.
FORMAT_VERSION = 1

T = TypeVar("T")
_TOP_KEYS = ("version", "settings", "regions", "users", "groups")
_GROUP_KEYS = frozenset({"distributor", "reps", "shared_inventory"})
_HAS_REGION = frozenset(role for role in Role if role.has_region)
_STR_ONLY = frozenset({str})
_ROLE_OF = operator.attrgetter("role")


def _passthrough(value: Any, _type: Any) -> Any:
    # The records' own validators check types; cattrs' default str()/bool() coercion would
    # silently turn 5 into "5" or "no" into True.
    return value


def _date(value: Any, _type: Any) -> _dt.date:
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            pass
    msg = f"{shown(value)} is not a date in the form YYYY-MM-DD"
    raise InvalidValueError(msg, field="expires", value=value)


def make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    """Return a new cattrs converter for beacon_org's records (never the global one).

    Unstructured records are JSON-ready: enums as their values, sets as sorted lists, dates as
    ISO strings. Structuring leaves type checks to the records' validators, so nothing is coerced.

    Examples
    --------
    >>> from beacon_org.testing import sample_org
    >>> converter = bo.make_converter()
    >>> data = converter.unstructure(sample_org().region("west"))
    >>> data
    {'id': 'west', 'name': 'West', 'states': ['CA', 'OR', 'WA'], 'manager': 'rm-west'}
    >>> converter.structure(data, bo.Region) == sample_org().region("west")
    True
    """
    conv = cattrs.Converter(
        forbid_extra_keys=True,
        prefer_attrib_converters=True,
        detailed_validation=detailed_validation,
    )
    for tp in (str, bool, str | None):
        conv.register_structure_hook(tp, _passthrough)
    conv.register_structure_hook(_dt.date | None, lambda v, _: None if v is None else _date(v, _))
    conv.register_unstructure_hook(frozenset, sorted)
    conv.register_unstructure_hook_func(lambda t: t == frozenset[str], lambda v: sorted(v))
    conv.register_unstructure_hook(_dt.date, _dt.date.isoformat)
    for enum_cls in (Role, CaseStatus):
        conv.register_unstructure_hook(enum_cls, lambda member: member.value)
    return conv


_CONVERTER = make_converter()
# Loading good data takes the fast path; only data that fails is structured again, by the detailed
# converter, to say where it is wrong.
_FAST_CONVERTER = make_converter(detailed_validation=False)


def _format_exception(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, InvalidValueError):
        return str(exc)
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"unknown field(s) {_keys(exc.extra_fields)}"
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, AttributeError | TypeError):
        return "must be a mapping of field names to values"
    return cattrs.v.format_exception(exc, type_)


def _keys(keys: Iterable[Any], *, quote: bool = False) -> str:
    # Keys come from the caller's data: JSON has only strings, Python dicts may hold anything;
    # a message names the first few, each cut short.
    names = sorted(shown(k) if quote or not isinstance(k, str) else shown(k)[1:-1] for k in keys)
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return ", ".join(names[:5]) + more


def _structure(data: Any, cls: type[T], where: str) -> T:
    if not isinstance(data, Mapping):
        msg = f"{where}: must be an object of fields (got {type_name(data)})"
        raise InvalidDataError(msg)
    try:
        return _FAST_CONVERTER.structure(data, cls)
    except Exception:
        pass
    try:
        return _CONVERTER.structure(data, cls)
    except cattrs.BaseValidationError as exc:
        inner = exc.exceptions[0] if len(exc.exceptions) == 1 else None
        if isinstance(inner, InvalidValueError):
            # Raised by the record's own converters and validators when cattrs calls the class:
            # cattrs knows no field for it, the error does.
            path = f"{where}.{inner.field}" if inner.field else where
            msg = f"{path}: {inner}"
            raise InvalidDataError(msg) from None
        errors = cattrs.transform_error(exc, path=where, format_exception=_format_exception)
        # transform_error writes "message @ path"; say "path: message", one per line.
        lines = []
        for line in errors:
            message, _, path = line.rpartition(" @ ")
            lines.append(f"{path}: {message}")
        raise InvalidDataError("; ".join(lines)) from None


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list | tuple):
        msg = f"{key}: must be a list (got {type_name(value)})"
        raise InvalidDataError(msg)
    return list(value)


def to_dict(org: Org) -> dict[str, Any]:
    """Return ``org`` as JSON-ready data (see the *Data format* page of the docs).

    Examples
    --------
    >>> org = bo.Org().add_user("adm", email="a@x.example", role="admin")
    >>> data = bo.to_dict(org)
    >>> data["version"], data["users"][0]["role"]
    (1, 'admin')
    >>> bo.from_dict(data) == org
    True
    """
    if not isinstance(org, Org):
        msg = f"to_dict() needs an Org (got {type_name(org)})"
        raise InvalidValueError(msg, field="org", value=org)
    unstructure = _CONVERTER.unstructure
    groups = []
    distributors = sorted(uid for uid, user in org.users.items() if user.role is Role.DISTRIBUTOR)
    for distributor in distributors:
        reps = org.reps_of(distributor)
        shared = org.shares_inventory(distributor)
        if reps or shared:
            groups.append(
                {"distributor": distributor, "reps": sorted(reps), "shared_inventory": shared}
            )
    return {
        "version": FORMAT_VERSION,
        "settings": unstructure(org.settings),
        "regions": [unstructure(org.regions[k]) for k in sorted(org.regions)],
        "users": [unstructure(org.users[k]) for k in sorted(org.users)],
        "groups": groups,
    }


def from_dict(data: Any) -> Org:
    """Build an :class:`Org` from :func:`to_dict` data, checking every rule the changes check.

    Raises
    ------
    InvalidDataError
        Naming where the data is wrong, for example ``users[3].role: 'wizard' is not a role``.

    Examples
    --------
    >>> bo.from_dict({"version": 1, "users": [{"id": "u1", "email": "x@y.example", "role": "wizard"}]})
    Traceback (most recent call last):
    ...
    beacon_org.InvalidDataError: users[0].role: 'wizard' is not a role; expected one of primary_admin, admin, operations, regional_manager, distributor, sales, facility_manager
    """
    # Loading builds hundreds of thousands of small acyclic objects; left running, the cyclic
    # garbage collector rescans them over and over (about a third of a 100,000-user load). It is
    # paused for the load only and put back as it was, whatever happens.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _from_dict(data)
    finally:
        if collecting:
            gc.enable()


def _from_dict(data: Any) -> Org:
    if not isinstance(data, Mapping):
        msg = f"org data must be an object with {', '.join(_TOP_KEYS)} (got {type_name(data)})"
        raise InvalidDataError(msg)
    extra = set(data) - set(_TOP_KEYS)
    if extra:
        msg = (
            f"unknown top-level key(s) {_keys(extra, quote=True)}; expected {', '.join(_TOP_KEYS)}"
        )
        raise InvalidDataError(msg)
    version = data.get("version")
    # True == 1 and 1.0 == 1 in Python, but neither is the format's version number.
    if type(version) is not int or version != FORMAT_VERSION:
        msg = f"version: expected {FORMAT_VERSION} (got {shown(version)})"
        raise InvalidDataError(msg)

    settings = _structure(data.get("settings", {}), OrgSettings, "settings")

    users: dict[str, User] = {}
    emails: dict[str, str] = {}
    user_rows = _list(data, "users")
    for i, row in enumerate(user_rows):
        # The loop of a large load: for a plain dict the record's own converters and checks are
        # the whole of structuring, so good rows skip cattrs' dispatch (User takes exactly its
        # fields: an unknown key fails the call, and _structure names it); a row's path is only
        # written out, by _structure, when something about it is wrong.
        user = None
        if type(row) is dict:
            try:
                user = User(**row)
            except Exception:  # any failure is explained by _structure below
                user = None
        if user is None:
            user = _structure(row, User, f"users[{i}]")
        user_id, email = user.id, user.email
        if (
            user_id in users
            or user_id == ORG_CUSTODY
            or email in emails
            or (user.custodian_only and not user.role.can_hold_inventory)
        ):
            _user_conflict(f"users[{i}]", user, emails)
        users[user_id] = user
        emails[email] = user_id

    regions: dict[str, Region] = {}
    for i, row in enumerate(_list(data, "regions")):
        where = f"regions[{i}]"
        region = _structure(row, Region, where)
        if region.id == ORG_CUSTODY:
            _raise(f"{where}.id: {shown(region.id)} is reserved for the organisation's own custody")
        if region.id in regions:
            _raise(f"{where}.id: duplicate region id {shown(region.id)}")
        if region.id in users:
            _raise(f"{where}.id: region id {shown(region.id)} is already taken by a user")
        if region.manager is not None:
            manager = users.get(region.manager)
            if manager is None:
                _raise(f"{where}.manager: unknown user {shown(region.manager)}")
            elif manager.role is not Role.REGIONAL_MANAGER:
                _raise(
                    f"{where}.manager: {shown(region.manager)} has role {shown(manager.role.value)}, "
                    "not a regional_manager"
                )
        regions[region.id] = region

    members: dict[str, set[str]] = {}
    for i, user in enumerate(users.values()):
        region_id = user.region
        if region_id is None:
            continue
        if user.role not in _HAS_REGION:
            _raise(
                f"users[{i}].region: user {shown(user.id)} has role {shown(user.role.value)}; "
                "only sales and distributor users have a region"
            )
        in_region = members.get(region_id)
        if in_region is None:
            if region_id not in regions:
                _raise(f"users[{i}].region: unknown region {shown(region_id)}")
            in_region = members[region_id] = set()
        in_region.add(user.id)

    distributor_of, reps, sharing = _groups(data, users)
    return org_from_checked_parts(
        users=users,
        regions=regions,
        emails=emails,
        distributor_of=distributor_of,
        reps=reps,
        members=members,
        sharing=sharing,
        settings=settings,
    )


def _user_conflict(where: str, user: User, emails: dict[str, str]) -> None:
    if user.id == ORG_CUSTODY:
        _raise(f"{where}.id: {shown(user.id)} is reserved for the organisation's own custody")
    if user.email in emails and emails[user.email] != user.id:
        _raise(
            f"{where}.email: {shown(user.email)} is already used by user {shown(emails[user.email])}"
        )
    if user.custodian_only and not user.role.can_hold_inventory:
        _raise(
            f"{where}.custodian_only: user {shown(user.id)} has role {shown(user.role.value)}, "
            "which cannot hold inventory"
        )
    _raise(f"{where}.id: duplicate user id {shown(user.id)}")


def _groups(
    data: Mapping[str, Any], users: dict[str, User]
) -> tuple[dict[str, str], dict[str, frozenset[str]], list[str]]:
    # rep -> distributor, distributor -> its reps (none empty), the sharing distributors.
    distributor_of: dict[str, str] = {}
    reps_of: dict[str, frozenset[str]] = {}
    sharing: list[str] = []
    seen: set[str] = set()
    for i, row in enumerate(_list(data, "groups")):
        where = f"groups[{i}]"
        if not isinstance(row, Mapping):
            _raise(f"{where}: must be an object of fields (got {type_name(row)})")
        extra = set(row) - _GROUP_KEYS
        if extra:
            _raise(f"{where}: unknown field(s) {_keys(extra)}")
        distributor = row.get("distributor")
        if not isinstance(distributor, str):
            _raise(f"{where}.distributor: must be a user id (got {shown(distributor)})")
        user = users.get(distributor)
        if user is None:
            _raise(f"{where}.distributor: unknown user {shown(distributor)}")
        elif user.role is not Role.DISTRIBUTOR:
            reps = row.get("reps") or []
            first = f"rep {shown(reps[0])} is" if isinstance(reps, list) and reps else "reps are"
            _raise(
                f"{where}.distributor: {first} assigned to {shown(distributor)}, which is not a "
                f"distributor (it has role {shown(user.role.value)})"
            )
        if distributor in seen:
            _raise(f"{where}.distributor: {shown(distributor)} has more than one group entry")
        seen.add(distributor)
        shared = row.get("shared_inventory", False)
        if type(shared) is not bool:
            _raise(f"{where}.shared_inventory: must be true or false (got {shown(shared)})")
        if shared:
            sharing.append(distributor)
        reps = row.get("reps", [])
        if not isinstance(reps, list | tuple):
            _raise(f"{where}.reps: must be a list of user ids (got {type_name(reps)})")
        if reps and _all_sales(users, reps) and distributor_of.keys().isdisjoint(reps):
            # The whole group at once: plain str ids of sales users in no other group.
            distributor_of.update(dict.fromkeys(reps, distributor))
            reps_of[distributor] = frozenset(reps)
            continue
        # Rep by rep, to say which is wrong (or for ids that are str subclasses).
        for j, rep in enumerate(reps):
            rwhere = f"{where}.reps[{j}]"
            if not isinstance(rep, str):
                _raise(f"{rwhere}: must be a user id (got {shown(rep)})")
            rep_user = users.get(rep)
            if rep_user is None:
                _raise(f"{rwhere}: unknown user {shown(rep)}")
            elif rep_user.role is not Role.SALES:
                _raise(
                    f"{rwhere}: {shown(rep)} has role {shown(rep_user.role.value)}, not a sales rep"
                )
            current = distributor_of.get(rep)
            if current is not None and current != distributor:
                _raise(
                    f"{rwhere}: rep {shown(rep)} is assigned to both {shown(current)} and "
                    f"{shown(distributor)}; a rep has one distributor"
                )
            distributor_of[rep] = distributor
        if reps:
            reps_of[distributor] = frozenset(reps)
    return distributor_of, reps_of, sharing


def _all_sales(users: dict[str, User], reps: list[Any] | tuple[Any, ...]) -> bool:
    # Every rep a plain str naming a sales user (the group's loop, run in C).
    if not _STR_ONLY.issuperset(map(type, reps)):
        return False
    try:
        roles = set(map(_ROLE_OF, map(users.__getitem__, reps)))
    except KeyError:
        return False
    return roles == {Role.SALES}


def _raise(msg: str) -> Any:
    raise InvalidDataError(msg)


def case_to_dict(case: Case) -> dict[str, Any]:
    """Return a case as JSON-ready data.

    Examples
    --------
    >>> bo.case_to_dict(bo.Case("c-1", "rep-a1", facility="mercy-general"))
    {'id': 'c-1', 'representative': 'rep-a1', 'sub_rep': None, 'facility': 'mercy-general', 'status': 'open'}
    """
    return dict(_CONVERTER.unstructure(case))


def case_from_dict(data: Any, where: str = "case") -> Case:
    """Build a :class:`Case` from :func:`case_to_dict` data; raise :class:`InvalidDataError` if bad.

    Examples
    --------
    >>> bo.case_from_dict({"id": "c-1", "representative": "rep-a1", "status": "paid"})
    Case(id='c-1', representative='rep-a1', sub_rep=None, facility=None, status=<CaseStatus.PAID: 'paid'>)
    >>> bo.case_from_dict({"id": "c-1"})
    Traceback (most recent call last):
    ...
    beacon_org.InvalidDataError: case.representative: required field missing
    """
    return _structure(data, Case, where)


def item_to_dict(item: InventoryItem) -> dict[str, Any]:
    """Return an inventory item as JSON-ready data (``expires`` as ``YYYY-MM-DD``).

    Examples
    --------
    >>> import datetime
    >>> data = bo.item_to_dict(bo.InventoryItem("kit-1", "rep-a1", expires=datetime.date(2027, 3, 31)))
    >>> data["id"], data["custodian"], data["expires"]
    ('kit-1', 'rep-a1', '2027-03-31')
    """
    return dict(_CONVERTER.unstructure(item))


def item_from_dict(data: Any, where: str = "item") -> InventoryItem:
    """Build an :class:`InventoryItem` from :func:`item_to_dict` data.

    Examples
    --------
    >>> item = bo.item_from_dict({"id": "kit-1", "custodian": "rep-a1", "expires": "2027-03-31"})
    >>> item.id, item.custodian, item.expires
    ('kit-1', 'rep-a1', datetime.date(2027, 3, 31))
    >>> bo.item_from_dict(bo.item_to_dict(item)) == item
    True
    """
    return _structure(data, InventoryItem, where)
