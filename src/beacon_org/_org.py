"""The organisation as an immutable snapshot: every change returns a new ``Org`` or raises.

Derived look-ups (rep -> distributor, distributor -> reps, region -> members, manager -> regions) are
kept up to date change by change in persistent maps, so a change costs a few shard copies and a
snapshot never has to be rebuilt.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ._errors import (
    AssignmentError,
    DuplicateIdError,
    ImmutableFieldError,
    InvalidChangeError,
    InvalidValueError,
    RoleError,
    UnknownRegionError,
    UnknownUserError,
    shown,
)
from ._model import ORG_CUSTODY, OrgSettings, Region, Role, User, to_directory_records
from ._pmap import PMap
from ._shape import MANAGES, MEMBER, REP, build_graph, summary_tables

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "MANAGES",
    "MEMBER",
    "REP",
    "Org",
    "OrgView",
    "org_from_checked_parts",
    "unchecked_with_group",
    "unchecked_with_manager",
    "unchecked_with_regions",
    "unchecked_with_sharing",
    "unchecked_with_user",
]

_EMPTY: frozenset[str] = frozenset()
_UPDATABLE = frozenset(
    {
        "name",
        "region",
        "facilities",
        "directory_records",
        "training_complete",
        "active",
        "custodian_only",
        "role",
        "email",
    }
)

# The ``relation`` values on the edges of :attr:`Org.graph` (REP, MEMBER, MANAGES) are named in
# ``_shape``, which builds the graph; they are imported here for the rule table.

# The look-ups keyed by user or region id (``_emails`` is keyed by email and follows ``_users``).
_LOOKUPS = ("_users", "_regions", "_distributor_of", "_reps", "_members", "_managed", "_sharing")


@attrs.frozen(slots=True, eq=False, repr=False)
class OrgView:
    """Fast, non-raising reads of one org snapshot: plain read-only mappings by id.

    What :class:`Org`'s query methods answer one id at a time (raising for an unknown id), this
    view answers as mappings, where an unknown id is simply absent: ``view.users.get(id)`` is
    ``None``, ``view.reps_of.get(id, frozenset())`` is empty. Rules, the graph, the access diff,
    the setup checks and the exports read an org through it and nothing else. It shares the
    snapshot's own look-ups (nothing is copied), so getting it costs one small object.

    Attributes
    ----------
    users : Mapping[str, User]
        Every user by id.
    regions : Mapping[str, Region]
        Every region by id.
    distributor_of : Mapping[str, str]
        A sales rep's id -> the id of the distributor whose group it is in (absent: no group).
    reps_of : Mapping[str, frozenset[str]]
        A distributor's id -> the ids of its reps (absent: none).
    members_of : Mapping[str, frozenset[str]]
        A region's id -> the sales and distributor users whose region it is (absent: none).
    managed_by : Mapping[str, frozenset[str]]
        A regional manager's id -> the ids of the regions it manages (absent: none).
    sharing : Collection[str]
        The distributors whose inventory-sharing setting is on (active or not).
    settings : OrgSettings
        The organisation-wide settings.

    Examples
    --------
    >>> from beacon_org.testing import sample_org
    >>> view = sample_org().view
    >>> view.distributor_of.get("rep-a1"), view.distributor_of.get("nobody")
    ('dist-a', None)
    >>> sorted(view.members_of.get("west", ())), "dist-a" in view.sharing
    (['dist-a', 'rep-a1', 'rep-gone'], True)
    """

    users: Mapping[str, User]
    regions: Mapping[str, Region]
    distributor_of: Mapping[str, str]
    reps_of: Mapping[str, frozenset[str]]
    members_of: Mapping[str, frozenset[str]]
    managed_by: Mapping[str, frozenset[str]]
    sharing: Collection[str]
    settings: OrgSettings

    def __repr__(self) -> str:
        return f"<OrgView: {len(self.users)} users, {len(self.regions)} regions>"


def _flag(name: str, value: object) -> bool:
    if type(value) is not bool:
        msg = f"'{name}' must be True or False (got {shown(value)})"
        raise InvalidValueError(msg, field=name, value=value)
    return value


def _id_arg(name: str, value: object) -> str:
    # Ids reach the org from callers' own data; a non-string must fail here, not as a TypeError
    # from hashing or formatting deeper in.
    if not isinstance(value, str):
        msg = f"'{name}' must be a string id (got {shown(value)})"
        raise InvalidValueError(msg, field=name, value=value)
    return value


class Org:
    """An immutable snapshot of a Beacon organisation.

    Every change returns a new ``Org`` and leaves the receiver untouched; a change that breaks a rule
    raises an :class:`~beacon_org.OrgError` subclass and changes nothing. Two orgs with the same
    content are equal.

    Examples
    --------
    >>> org = (
    ...     bo.Org()
    ...     .add_region("west", name="West", states=["CA"])
    ...     .add_user("dist-a", email="orders@acme.example", role="distributor", region="west")
    ...     .add_user("rep-a1", email="ann@acme.example", role="sales", region="west")
    ...     .assign_rep("rep-a1", "dist-a")
    ... )
    >>> org.distributor_of("rep-a1"), sorted(org.reps_of("dist-a"))
    ('dist-a', ['rep-a1'])
    >>> org.assign_rep("rep-a1", "dist-a") == org
    True
    """

    __slots__ = (
        "_distributor_of",
        "_emails",
        "_graph",
        "_hash",
        "_managed",
        "_members",
        "_regions",
        "_reps",
        "_settings",
        "_sharing",
        "_users",
        "_view",
    )

    _users: PMap[str, User]
    _regions: PMap[str, Region]
    _emails: PMap[str, str]
    _distributor_of: PMap[str, str]
    _reps: PMap[str, frozenset[str]]
    _members: PMap[str, frozenset[str]]
    _managed: PMap[str, frozenset[str]]
    _sharing: PMap[str, bool]
    _settings: OrgSettings
    _graph: nx.DiGraph[str] | None
    _hash: int | None
    _view: OrgView | None

    def __init__(self) -> None:
        empty: PMap[Any, Any] = PMap()
        self._users = self._regions = self._emails = self._distributor_of = empty
        self._reps = self._members = self._managed = self._sharing = empty
        self._settings = OrgSettings()
        self._graph = None
        self._hash = None
        self._view = None

    def _replace(self, **fields: Any) -> Org:
        new = Org.__new__(Org)
        for name in Org.__slots__:
            setattr(new, name, fields.get(name, getattr(self, name)))
        new._graph = None
        new._hash = None
        new._view = None
        return new

    # --- value semantics ---------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Org):
            return NotImplemented
        return self is other or (
            self._settings == other._settings
            and self._users == other._users
            and self._regions == other._regions
            and self._distributor_of == other._distributor_of
            and self._sharing == other._sharing
        )

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(
                (
                    self._settings,
                    frozenset(self._users.values()),
                    frozenset(self._regions.values()),
                    frozenset(self._distributor_of.items()),
                    frozenset(self._sharing),
                )
            )
        return self._hash

    def __repr__(self) -> str:
        return (
            f"<Org: {len(self._users)} users, {len(self._regions)} regions, "
            f"{len(self._reps)} distributor groups>"
        )

    def _repr_html_(self) -> str:
        # Notebooks show an org as its summary tables (users per role, groups, regions).
        import html

        from ._display import html_table

        tables = self.summary()
        roles = [row for row in tables["roles"] if row["users"]]
        groups = [{k: v for k, v in row.items() if k != "name"} for row in tables["groups"]]
        regions = [{k: v for k, v in row.items() if k != "member_ids"} for row in tables["regions"]]
        return (
            f"<div><p><b>{html.escape(repr(self))}</b></p>"
            + html_table(roles, caption="Users by role")
            + html_table(groups, caption="Distributor groups")
            + html_table(regions, caption="Regions")
            + "</div>"
        )

    def summary(self) -> dict[str, list[dict[str, Any]]]:
        """Return the org as plain tables: ``"roles"``, ``"groups"`` and ``"regions"``.

        Each table is a list of rows (dicts of JSON-ready values), so ``pandas.DataFrame(rows)``
        takes one as it is; see :func:`beacon_org.graph.summary` for the columns.

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> [(g["distributor"], g["reps"], g["shared_inventory"]) for g in sample_org().summary()["groups"]]
        [('dist-a', 2, True), ('dist-b', 3, False)]
        """
        return summary_tables(self.view)

    # --- queries -------------------------------------------------------------------------------

    @property
    def users(self) -> Mapping[str, User]:
        """The users by id (read-only; order not significant)."""
        return self._users

    @property
    def regions(self) -> Mapping[str, Region]:
        """The regions by id (read-only; order not significant)."""
        return self._regions

    @property
    def settings(self) -> OrgSettings:
        """The organisation-wide settings (see :meth:`configure`)."""
        return self._settings

    @property
    def view(self) -> OrgView:
        """This snapshot's look-ups as read-only mappings that never raise (see :class:`OrgView`).

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> sorted(sample_org().view.reps_of["dist-a"])
        ['rep-a1', 'rep-a2']
        """
        # Made once per snapshot and kept: the snapshot never changes, so neither does its view.
        view = self._view
        if view is None:
            view = self._view = OrgView(
                self._users,
                self._regions,
                self._distributor_of,
                self._reps,
                self._members,
                self._managed,
                self._sharing,
                self._settings,
            )
        return view

    def user(self, user_id: str) -> User:
        """Return the user with id ``user_id``.

        Raises
        ------
        UnknownUserError
            If no user has that id (it is also a ``KeyError``).

        Examples
        --------
        >>> bo.Org().user("nobody")
        Traceback (most recent call last):
        ...
        beacon_org.UnknownUserError: unknown user 'nobody'
        """
        try:
            return self._users[user_id]
        except (KeyError, TypeError):
            msg = f"unknown user {shown(user_id)}"
            raise UnknownUserError(msg, id=user_id) from None

    def region(self, region_id: str) -> Region:
        """Return the region with id ``region_id``; raise :class:`UnknownRegionError` if none.

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org()
        >>> west = org.region("west")
        >>> west.name, west.manager, sorted(west.states)
        ('West', 'rm-west', ['CA', 'OR', 'WA'])
        """
        try:
            return self._regions[region_id]
        except (KeyError, TypeError):
            msg = f"unknown region {shown(region_id)}"
            raise UnknownRegionError(msg, id=region_id) from None

    def distributor_of(self, rep_id: str) -> str | None:
        """Return the id of the distributor whose group ``rep_id`` is in, or None.

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org()
        >>> org.distributor_of("rep-a1"), org.distributor_of("rep-solo")
        ('dist-a', None)
        """
        self.user(rep_id)
        return self._distributor_of.get(rep_id)

    def reps_of(self, distributor_id: str) -> frozenset[str]:
        """Return the ids of the sales reps assigned to ``distributor_id`` (empty for other roles).

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org()
        >>> sorted(org.reps_of("dist-a")), org.reps_of("owner")
        (['rep-a1', 'rep-a2'], frozenset())
        """
        self.user(distributor_id)
        return self._reps.get(distributor_id, _EMPTY)

    def region_members(self, region_id: str) -> frozenset[str]:
        """Return the ids of the sales and distributor users whose region is ``region_id``.

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org()
        >>> sorted(org.region_members("west"))
        ['dist-a', 'rep-a1', 'rep-gone']
        """
        self.region(region_id)
        return self._members.get(region_id, _EMPTY)

    def managed_regions(self, manager_id: str) -> frozenset[str]:
        """Return the ids of the regions ``manager_id`` manages (empty for other roles).

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org()
        >>> org.managed_regions("rm-west"), org.managed_regions("rep-a1")
        (frozenset({'west'}), frozenset())
        """
        self.user(manager_id)
        return self._managed.get(manager_id, _EMPTY)

    def shares_inventory(self, distributor_id: str) -> bool:
        """True when ``distributor_id`` shares its inventory with its reps.

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org()
        >>> org.shares_inventory("dist-a"), org.shares_inventory("dist-b")
        (True, False)
        """
        self.user(distributor_id)
        return distributor_id in self._sharing

    def changed_ids(self, other: Org) -> frozenset[str]:
        """Return the user and region ids about which ``other`` says anything different.

        An id is in the result when :meth:`user` or :meth:`region`, :meth:`distributor_of`,
        :meth:`reps_of`, :meth:`shares_inventory`, :meth:`region_members` or
        :meth:`managed_regions` answers differently for it in ``other`` (an id known to only one
        of the two is in it too). Snapshots share what a change did not touch, so this costs in
        proportion to the change, not to the org. Settings are not ids: compare
        :attr:`settings` for them.

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org()
        >>> sorted(org.changed_ids(org.assign_rep("rep-solo", "dist-b")))
        ['dist-b', 'rep-solo']
        >>> org.changed_ids(org)
        frozenset()
        """
        found: set[str] = set()
        for name in _LOOKUPS:
            found.update(getattr(self, name).differing_keys(getattr(other, name)))
        return frozenset(found)

    @property
    def distributors(self) -> frozenset[str]:
        """The ids of every distributor account."""
        return frozenset(uid for uid, u in self._users.items() if u.role is Role.DISTRIBUTOR)

    @property
    def graph(self) -> nx.DiGraph[str]:
        """The org as a read-only ``networkx.DiGraph``.

        Nodes are user and region ids, with their records' fields as attributes (``kind`` is
        ``"user"`` or ``"region"``; a distributor also has ``shared_inventory``). Edges are
        distributor -> rep (``relation="rep"``), region -> member (``"member"``) and
        manager -> region (``"manages"``). Each access returns a frozen copy: changing its
        attributes cannot change the org, so keep a reference rather than asking again in a loop.

        Examples
        --------
        >>> org = bo.Org().add_region("west").add_user(
        ...     "rep-1", email="r@x.example", role="sales", region="west")
        >>> org.graph.edges["west", "rep-1"]["relation"]
        'member'
        """
        import networkx as nx

        frozen: nx.DiGraph[str] = nx.freeze(self._nx().copy())
        return frozen

    def _nx(self) -> nx.DiGraph[str]:
        # Built on first use and kept: the snapshot never changes, so neither does its graph.
        if self._graph is None:
            self._graph = build_graph(self.view)
        return self._graph

    # --- changes ---------------------------------------------------------------------------------

    def _check_new_id(self, new_id: str, what: str) -> None:
        if new_id == ORG_CUSTODY:
            msg = f"{what} id {new_id!r} is reserved for the organisation's own custody"
            raise DuplicateIdError(msg)
        if new_id in self._users:
            msg = f"{what} id {new_id!r} is already taken by a user"
            raise DuplicateIdError(msg)
        if new_id in self._regions:
            msg = f"{what} id {new_id!r} is already taken by a region"
            raise DuplicateIdError(msg)

    def _check_region_for(self, user: User) -> None:
        if user.region is None:
            return
        if not user.role.has_region:
            msg = (
                f"user {user.id!r} has role {user.role.value!r}: only sales and distributor users "
                f"have a region (got region {user.region!r})"
            )
            raise RoleError(msg)
        if user.region not in self._regions:
            msg = f"user {user.id!r}: unknown region {user.region!r}"
            raise UnknownRegionError(msg, id=user.region)

    @staticmethod
    def _check_custodian_only(user: User) -> None:
        if user.custodian_only and not user.role.can_hold_inventory:
            msg = (
                f"user {user.id!r} has role {user.role.value!r}, which cannot hold inventory, "
                "so it cannot be custodian-only"
            )
            raise RoleError(msg)

    def _put_user(self, old: User | None, new: User, **fields: Any) -> Org:
        fields["_users"] = self._users.set(new.id, new)
        if old is None or old.region != new.region:
            members = self._members
            if old is not None and old.region is not None:
                members = _drop(members, old.region, new.id)
            if new.region is not None:
                members = members.set(new.region, members.get(new.region, _EMPTY) | {new.id})
            fields["_members"] = members
        return self._replace(**fields)

    def add_user(
        self,
        user_id: str,
        *,
        email: str,
        role: Role | str,
        name: str = "",
        region: str | None = None,
        facilities: Iterable[str] = (),
        custodian_only: bool = False,
        training_complete: bool = False,
        active: bool = True,
    ) -> Org:
        """Return a new org with a new user.

        Raises
        ------
        DuplicateIdError
            If the id is taken by a user or region, is ``ORG_CUSTODY``, or the email was ever used.
        RoleError
            If a user that is not sales or distributor gets a region, or a user that cannot hold
            inventory is made custodian-only.
        UnknownRegionError
            If ``region`` names no region.
        InvalidValueError
            If a field has the wrong type or an impossible value.

        Examples
        --------
        >>> org = bo.Org().add_user("adm", email="Boss@Example.com", role="admin")
        >>> org.add_user("adm2", email="boss@example.com", role="admin")
        Traceback (most recent call last):
        ...
        beacon_org.DuplicateIdError: email 'boss@example.com' is already used by user 'adm'
        """
        user = User(
            id=user_id,
            email=email,
            role=role,
            name=name,
            region=region,
            facilities=facilities,
            custodian_only=custodian_only,
            training_complete=training_complete,
            active=active,
        )
        self._check_new_id(user.id, "user")
        holder = self._emails.get(user.email)
        if holder is not None:
            msg = f"email {user.email!r} is already used by user {holder!r}"
            raise DuplicateIdError(msg)
        self._check_region_for(user)
        self._check_custodian_only(user)
        return self._put_user(None, user, _emails=self._emails.set(user.email, user.id))

    def update_user(self, user_id: str, **changes: Any) -> Org:
        """Return a new org with some of a user's fields changed.

        Takes ``name``, ``region``, ``facilities``, ``directory_records``, ``training_complete``,
        ``active`` and ``custodian_only``. ``role`` and ``email`` are accepted only when equal to the
        current values.

        Raises
        ------
        ImmutableFieldError
            If ``role`` or ``email`` differ from the current ones, or ``training_complete`` goes
            back to False.
        InvalidChangeError
            If a field name is not one of the above.

        Examples
        --------
        >>> org = bo.Org().add_user("rep-1", email="r@x.example", role="sales")
        >>> org.update_user("rep-1", role="admin")
        Traceback (most recent call last):
        ...
        beacon_org.ImmutableFieldError: user 'rep-1': role cannot change (is 'sales', got 'admin')
        """
        old = self.user(user_id)
        unknown = sorted(set(changes) - _UPDATABLE)
        if unknown:
            msg = (
                f"update_user({user_id!r}): unknown field(s) {', '.join(unknown)}; "
                f"expected some of {', '.join(sorted(_UPDATABLE))}"
            )
            raise InvalidChangeError(msg)
        try:
            new = attrs.evolve(old, **changes)
        except InvalidValueError as exc:
            msg = f"user {user_id!r}: {exc}"
            raise InvalidValueError(msg, field=exc.field, value=exc.value) from None
        for field in ("role", "email"):
            if getattr(new, field) != getattr(old, field):
                was, got = getattr(old, field), getattr(new, field)
                msg = f"user {user_id!r}: {field} cannot change (is {str(was)!r}, got {str(got)!r})"
                raise ImmutableFieldError(msg)
        if old.training_complete and not new.training_complete:
            msg = f"user {user_id!r}: Training Complete is one-way and cannot be unset"
            raise ImmutableFieldError(msg)
        if new == old:
            return self
        self._check_region_for(new)
        self._check_custodian_only(new)
        return self._put_user(old, new)

    def promote_to_admin(self, user_id: str) -> Org:
        """Return a new org in which the operations user ``user_id`` is an admin.

        The one role change the product allows ("What is the primary admin role?"): operations to
        admin, one way. :meth:`update_user` still refuses every role change.

        Raises
        ------
        UnknownUserError
            If no user has that id.
        RoleError
            If the user's role is not operations (an admin is not promoted again, and no other
            role ever changes).

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org().promote_to_admin("ops-1")
        >>> org.user("ops-1").role
        <Role.ADMIN: 'admin'>
        >>> org.promote_to_admin("ops-1")
        Traceback (most recent call last):
        ...
        beacon_org.RoleError: cannot promote 'ops-1' to admin: it has role 'admin'; only an operations user is promoted to admin
        """
        old = self.user(user_id)
        if old.role is not Role.OPERATIONS:
            msg = (
                f"cannot promote {user_id!r} to admin: it has role {old.role.value!r}; only an "
                "operations user is promoted to admin"
            )
            raise RoleError(msg)
        return self._put_user(old, attrs.evolve(old, role=Role.ADMIN))

    def set_region(self, user_id: str, region_id: str | None) -> Org:
        """Return a new org with ``user_id`` in region ``region_id`` (None: no region).

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org()
        >>> moved = org.set_region("rep-solo", "west")
        >>> moved.user("rep-solo").region, "rep-solo" in moved.region_members("west")
        ('west', True)
        >>> org.set_region("rep-solo", None).user("rep-solo").region is None
        True
        """
        return self.update_user(user_id, region=region_id)

    def complete_training(self, user_id: str) -> Org:
        """Return a new org with Training Complete checked for ``user_id`` (one-way).

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org()
        >>> org.user("rep-new").locked
        True
        >>> org.complete_training("rep-new").user("rep-new").locked
        False
        """
        return self.update_user(user_id, training_complete=True)

    def deactivate(self, user_id: str) -> Org:
        """Return a new org in which ``user_id`` is deactivated (it keeps its email and groups).

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org()
        >>> after = org.deactivate("rep-a2")
        >>> after.user("rep-a2").active, after.distributor_of("rep-a2")
        (False, 'dist-a')
        """
        return self.update_user(user_id, active=False)

    def reactivate(self, user_id: str) -> Org:
        """Return a new org in which ``user_id`` is active again.

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org()
        >>> org.user("rep-gone").active, org.reactivate("rep-gone").user("rep-gone").active
        (False, True)
        """
        return self.update_user(user_id, active=True)

    def assign_directory_records(self, user_id: str, ids: Iterable[str]) -> Org:
        """Return a new org with directory records (facilities, physicians, …) added to a user.

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org()
        >>> after = org.assign_directory_records("rep-new", ["mercy-general", "dr-okafor"])
        >>> sorted(after.user("rep-new").directory_records)
        ['dr-okafor', 'mercy-general']
        """
        old = self.user(user_id)
        added = to_directory_records(ids)
        return self.update_user(user_id, directory_records=old.directory_records | added)

    def remove_directory_records(self, user_id: str, ids: Iterable[str]) -> Org:
        """Return a new org with directory records removed from a user (absent ids are ignored).

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org()
        >>> after = org.remove_directory_records("rep-a1", ["st-lukes", "not-there"])
        >>> sorted(after.user("rep-a1").directory_records)
        ['dr-okafor', 'mercy-general', 'stryde-implants']
        """
        old = self.user(user_id)
        removed = to_directory_records(ids)
        return self.update_user(user_id, directory_records=old.directory_records - removed)

    def add_region(
        self,
        region_id: str,
        *,
        name: str = "",
        states: Iterable[str] = (),
        manager: str | None = None,
    ) -> Org:
        """Return a new org with a new region, optionally with its regional manager.

        Raises
        ------
        DuplicateIdError
            If the id is taken by a user or a region, or is ``ORG_CUSTODY``.
        UnknownUserError, RoleError
            If ``manager`` is not an existing regional manager.

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> after = sample_org().add_region("south", name="South", states=["TX"], manager="rm-east")
        >>> after.region("south")
        Region(id='south', name='South', states=frozenset({'TX'}), manager='rm-east')
        >>> sorted(after.managed_regions("rm-east"))
        ['east', 'south']
        """
        region = Region(id=region_id, name=name, states=states, manager=manager)
        self._check_new_id(region.id, "region")
        fields: dict[str, Any] = {"_regions": self._regions.set(region.id, region)}
        if region.manager is not None:
            self._check_manager(region.id, region.manager)
            managed = self._managed.get(region.manager, _EMPTY) | {region.id}
            fields["_managed"] = self._managed.set(region.manager, managed)
        return self._replace(**fields)

    def _check_manager(self, region_id: str, manager_id: str) -> None:
        manager = self._users.get(manager_id)
        if manager is None:
            msg = f"region {region_id!r}: unknown manager {manager_id!r}"
            raise UnknownUserError(msg, id=manager_id)
        if manager.role is not Role.REGIONAL_MANAGER:
            msg = (
                f"region {region_id!r}: manager {manager_id!r} has role {manager.role.value!r}, "
                "not a regional_manager"
            )
            raise RoleError(msg)

    def set_region_manager(self, region_id: str, manager_id: str | None) -> Org:
        """Return a new org in which ``manager_id`` (or nobody) manages ``region_id``.

        A region has one manager, so this replaces the current one.

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org()
        >>> after = org.set_region_manager("west", "rm-east")
        >>> after.region("west").manager, sorted(after.managed_regions("rm-east"))
        ('rm-east', ['east', 'west'])
        >>> after.managed_regions("rm-west")
        frozenset()
        """
        old = self.region(region_id)
        if manager_id is not None:
            _id_arg("manager_id", manager_id)
            self._check_manager(region_id, manager_id)
        if manager_id == old.manager:
            return self
        managed = self._managed
        if old.manager is not None:
            managed = _drop(managed, old.manager, region_id)
        if manager_id is not None:
            managed = managed.set(manager_id, managed.get(manager_id, _EMPTY) | {region_id})
        region = attrs.evolve(old, manager=manager_id)
        return self._replace(_regions=self._regions.set(region_id, region), _managed=managed)

    def assign_rep(self, rep_id: str, distributor_id: str) -> Org:
        """Return a new org with sales rep ``rep_id`` in ``distributor_id``'s group.

        Raises
        ------
        AssignmentError
            If ``rep_id`` is not a sales user, ``distributor_id`` is not a distributor, or the rep
            is already in another group (unassign it first: a rep has one distributor).

        Examples
        --------
        >>> org = (bo.Org()
        ...     .add_user("d1", email="d1@x.example", role="distributor")
        ...     .add_user("d2", email="d2@x.example", role="distributor")
        ...     .add_user("r1", email="r1@x.example", role="sales")
        ...     .assign_rep("r1", "d1"))
        >>> org.assign_rep("r1", "d2")
        Traceback (most recent call last):
        ...
        beacon_org.AssignmentError: rep 'r1' is already assigned to 'd1'; unassign it before assigning it to 'd2'
        """
        rep = self.user(rep_id)
        distributor = self.user(distributor_id)
        if rep.role is not Role.SALES:
            msg = f"cannot assign {rep_id!r} to {distributor_id!r}: {rep_id!r} has role {rep.role.value!r}, not a sales rep"
            raise AssignmentError(msg)
        if distributor.role is not Role.DISTRIBUTOR:
            msg = (
                f"cannot assign {rep_id!r} to {distributor_id!r}: {distributor_id!r} has role "
                f"{distributor.role.value!r}, not a distributor"
            )
            raise AssignmentError(msg)
        current = self._distributor_of.get(rep_id)
        if current == distributor_id:
            return self
        if current is not None:
            msg = f"rep {rep_id!r} is already assigned to {current!r}; unassign it before assigning it to {distributor_id!r}"
            raise AssignmentError(msg)
        return self._replace(
            _distributor_of=self._distributor_of.set(rep_id, distributor_id),
            _reps=self._reps.set(distributor_id, self._reps.get(distributor_id, _EMPTY) | {rep_id}),
        )

    def unassign_rep(self, rep_id: str) -> Org:
        """Return a new org with ``rep_id`` out of its group.

        Raises
        ------
        AssignmentError
            If the rep is in no group.

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org()
        >>> after = org.unassign_rep("rep-a2")
        >>> after.distributor_of("rep-a2"), sorted(after.reps_of("dist-a"))
        (None, ['rep-a1'])
        """
        self.user(rep_id)
        current = self._distributor_of.get(rep_id)
        if current is None:
            msg = f"rep {rep_id!r} is not assigned to any distributor"
            raise AssignmentError(msg)
        reps = self._reps[current] - {rep_id}
        return self._replace(
            _distributor_of=self._distributor_of.delete(rep_id),
            _reps=self._reps.set(current, reps) if reps else self._reps.delete(current),
        )

    def set_shared_inventory(self, distributor_id: str, enabled: bool) -> Org:
        """Return a new org in which ``distributor_id`` shares (or stops sharing) its inventory.

        Raises
        ------
        RoleError
            If the user is not a distributor.

        Examples
        --------
        >>> from beacon_org.testing import sample_org
        >>> org = sample_org()
        >>> org.set_shared_inventory("dist-b", True).shares_inventory("dist-b")
        True
        """
        user = self.user(distributor_id)
        _flag("enabled", enabled)
        if user.role is not Role.DISTRIBUTOR:
            msg = f"{distributor_id!r} has role {user.role.value!r}: only a distributor shares inventory"
            raise RoleError(msg)
        if enabled == (distributor_id in self._sharing):
            return self
        sharing = (
            self._sharing.set(distributor_id, True)
            if enabled
            else self._sharing.delete(distributor_id)
        )
        return self._replace(_sharing=sharing)

    def configure(self, **settings: Any) -> Org:
        """Return a new org with organisation-wide settings changed.

        ``field_users_can_reopen_cases`` (default False) lets sales and distributor users reopen
        the closed cases they could edit were they open; ``field_users_can_transfer`` (default
        True) lets sales and distributor users start transfers.

        Examples
        --------
        >>> bo.Org().configure(field_users_can_reopen_cases=True).settings.field_users_can_reopen_cases
        True
        >>> bo.Org().configure(field_users_can_transfer=False).settings.field_users_can_transfer
        False
        """
        names = {a.name for a in attrs.fields(OrgSettings)}
        unknown = sorted(set(settings) - names)
        if unknown:
            msg = f"configure(): unknown setting(s) {', '.join(unknown)}; expected some of {', '.join(sorted(names))}"
            raise InvalidChangeError(msg)
        return self._replace(_settings=attrs.evolve(self._settings, **settings))


# --- what-if snapshots, unchecked (the access diff's "each change alone") ----------------------
# diff_access names the change that caused each access change by applying every change alone to
# the earlier snapshot. A change alone may break a rule the whole set of changes keeps (a rep
# assigned to a distributor that only the later snapshot has), so these skip every check: their
# results are for asking the rules about, never for handing to a caller. Each costs a few shard
# copies, as the org's own changes do.


def _drop(index: PMap[str, frozenset[str]], key: str, member: str) -> PMap[str, frozenset[str]]:
    rest = index.get(key, _EMPTY) - {member}
    return index.set(key, rest) if rest else index.delete(key)


def _add(index: PMap[str, frozenset[str]], key: str, member: str) -> PMap[str, frozenset[str]]:
    return index.set(key, index.get(key, _EMPTY) | {member})


def unchecked_with_user(org: Org, user_id: str, user: User | None) -> Org:
    """``org`` with ``user_id``'s record replaced by ``user`` (None: the user removed), unchecked.

    A user removed takes its region membership, its group links, its sharing setting and its
    managed regions along.
    """
    old = org._users.get(user_id)
    if user is not None:
        return org._put_user(old, user)
    if old is None:
        return org
    members = org._members
    if old.region is not None:
        members = _drop(members, old.region, user_id)
    distributor_of, reps = org._distributor_of, org._reps
    distributor = distributor_of.get(user_id)
    if distributor is not None:
        distributor_of, reps = distributor_of.delete(user_id), _drop(reps, distributor, user_id)
    for rep in reps.get(user_id, _EMPTY):
        distributor_of = distributor_of.delete(rep)
    regions = org._regions
    for region_id in org._managed.get(user_id, _EMPTY):
        regions = regions.set(region_id, attrs.evolve(regions[region_id], manager=None))
    return org._replace(
        _users=org._users.delete(user_id),
        _members=members,
        _distributor_of=distributor_of,
        _reps=reps.delete(user_id),
        _sharing=org._sharing.delete(user_id),
        _regions=regions,
        _managed=org._managed.delete(user_id),
    )


def unchecked_with_group(org: Org, rep_id: str, distributor_id: str | None) -> Org:
    """``org`` with ``rep_id`` in ``distributor_id``'s group (None: in no group), unchecked."""
    distributor_of, reps = org._distributor_of, org._reps
    current = distributor_of.get(rep_id)
    if current == distributor_id:
        return org
    if current is not None:
        distributor_of, reps = distributor_of.delete(rep_id), _drop(reps, current, rep_id)
    if distributor_id is not None:
        distributor_of = distributor_of.set(rep_id, distributor_id)
        reps = _add(reps, distributor_id, rep_id)
    return org._replace(_distributor_of=distributor_of, _reps=reps)


def unchecked_with_sharing(org: Org, distributor_id: str, on: bool) -> Org:
    """``org`` with ``distributor_id``'s inventory-sharing setting ``on`` or off, unchecked."""
    if on == (distributor_id in org._sharing):
        return org
    sharing = org._sharing.set(distributor_id, True) if on else org._sharing.delete(distributor_id)
    return org._replace(_sharing=sharing)


def unchecked_with_manager(org: Org, region_id: str, manager_id: str | None) -> Org:
    """``org`` with ``manager_id`` (None: nobody) managing the region ``region_id``, unchecked."""
    region = org._regions[region_id]
    if region.manager == manager_id:
        return org
    managed = org._managed
    if region.manager is not None:
        managed = _drop(managed, region.manager, region_id)
    if manager_id is not None:
        managed = _add(managed, manager_id, region_id)
    regions = org._regions.set(region_id, attrs.evolve(region, manager=manager_id))
    return org._replace(_regions=regions, _managed=managed)


def unchecked_with_regions(org: Org, regions: Iterable[Region]) -> Org:
    """``org`` with these regions added, unchecked; each region's ``manager`` must be None."""
    table = org._regions
    for region in regions:
        if region.manager is not None:
            msg = f"region {region.id!r} is added without its manager (a change of its own)"
            raise InvalidChangeError(msg)
        table = table.set(region.id, region)
    return org if table is org._regions else org._replace(_regions=table)


# --- bulk construction (used by from_dict) ---------------------------------------------------------


def org_from_checked_parts(
    *,
    users: dict[str, User],
    regions: dict[str, Region],
    emails: dict[str, str],
    distributor_of: dict[str, str],
    reps: dict[str, frozenset[str]],
    members: dict[str, set[str]],
    sharing: Iterable[str],
    settings: OrgSettings,
) -> Org:
    """An org holding exactly these parts, whose every rule the caller has already checked.

    ``from_dict`` checks the data and calls this with the look-ups it derived while checking
    (``emails``: email -> user id; ``reps``: distributor -> its reps, none empty; ``members``:
    region -> the ids of the users whose region it is), instead of one change at a time. Nothing
    is checked here, so nothing else may call it.
    """
    managed: dict[str, set[str]] = {}
    for region in regions.values():
        if region.manager is not None:
            managed.setdefault(region.manager, set()).add(region.id)
    org = Org.__new__(Org)
    org._users = PMap(users)
    org._regions = PMap(regions)
    org._emails = PMap(emails)
    org._distributor_of = PMap(distributor_of)
    org._reps = PMap(reps)
    org._members = PMap((k, frozenset(v)) for k, v in members.items())
    org._managed = PMap((k, frozenset(v)) for k, v in managed.items())
    org._sharing = PMap((d, True) for d in sharing)
    org._settings = settings
    org._graph = None
    org._hash = None
    org._view = None
    return org
